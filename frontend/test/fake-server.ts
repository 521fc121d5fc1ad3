// A fake browser environment for the client: sockets the test drives by
// hand, a clock and timers the test moves; and a session of the views
// stream (fixtures/views.sample.json) to play on them.
import type { ClientEnvironment, SocketLike } from '../src/client/connection';
import type { ClientMessage, PatchMessage, Role, ServerMessage, SurfaceView, ViewMessage } from '../src/client/protocol';
import { presidingView } from './consoleViews';
import sample from './fixtures/views.sample.json';

/** A first document, the patches the server sent after it, and where they lead. */
export interface ViewSession {
  meeting: string;
  first: ViewMessage;
  patches: PatchMessage[];
  final: SurfaceView;
}

/** The public view's session of the hand-made sample (seq 3 → 12). */
export function publicSession(): ViewSession {
  const s = structuredClone(sample.sessions[0]!) as unknown as {
    view: SurfaceView;
    patches: Omit<PatchMessage, 'type'>[];
    final: SurfaceView;
  };
  const patches = s.patches.map((p): PatchMessage => ({ type: 'patch', ...p }));
  return {
    meeting: s.view.heading.meeting,
    first: { type: 'view', seq: patches[0]!.from, view: s.view },
    patches,
    final: s.final,
  };
}

/** A chair's console: the hand-made presiding document (consoleViews.ts)
 * at seq 1, then three patches that each move the floor's revision. */
export function presidingSession(): ViewSession {
  const first: SurfaceView = { surface: 'presiding', ...presidingView() };
  const rev = presidingView().floor_seen.rev;
  const patches = [1, 2, 3].map(
    (n): PatchMessage => ({
      type: 'patch',
      from: n,
      seq: n + 1,
      ops: [{ op: 'replace', path: '/floor_seen/rev', value: rev + n }] as unknown as PatchMessage['ops'],
    }),
  );
  const final: SurfaceView = { surface: 'presiding', ...presidingView() };
  if (final.surface === 'presiding') final.floor_seen.rev = rev + 3;
  return { meeting: presidingView().heading.meeting, first: { type: 'view', seq: 1, view: first }, patches, final };
}

export class FakeSocket implements SocketLike {
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  sent: ClientMessage[] = [];
  closedByClient: { code?: number; reason?: string } | null = null;

  send(data: string): void {
    this.sent.push(JSON.parse(data) as ClientMessage);
  }
  close(code?: number, reason?: string): void {
    this.closedByClient = { code, reason };
  }
  open(): void {
    this.onopen?.({});
  }
  receive(message: ServerMessage): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  /** The server's answer to a hello. */
  welcome(env: { clock: number }, meeting: string, seq: number, role: Role = { role: 'chair' }): void {
    this.receive({ type: 'welcome', protocol_version: 1, role, meeting, server_time: env.clock, seq, token: 't_secret' });
  }
  drop(code = 1006, reason = ''): void {
    this.onclose?.({ code, reason });
  }
  /** Messages of one type the client sent. */
  of<T extends ClientMessage['type']>(type: T): Extract<ClientMessage, { type: T }>[] {
    return this.sent.filter((m): m is Extract<ClientMessage, { type: T }> => m.type === type);
  }
}

interface Timer {
  at: number;
  fn: () => void;
  id: number;
}

export class FakeEnvironment implements ClientEnvironment {
  url = 'ws://test/ws';
  sockets: FakeSocket[] = [];
  clock = 1_509_048_000_000;
  timers: Timer[] = [];
  nextTimer = 1;
  ids = 0;
  storage = new MemoryStorage();

  createSocket(): SocketLike {
    const s = new FakeSocket();
    this.sockets.push(s);
    return s;
  }
  get socket(): FakeSocket {
    return this.sockets[this.sockets.length - 1]!;
  }
  now(): number {
    return this.clock;
  }
  setTimer(fn: () => void, ms: number): unknown {
    const t = { at: this.clock + ms, fn, id: this.nextTimer++ };
    this.timers.push(t);
    return t.id;
  }
  clearTimer(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  random(): number {
    return 0.5;
  }
  randomId(): string {
    this.ids += 1;
    return `cmd-${this.ids}`;
  }
  /** Moves the clock, firing timers in order. */
  advance(ms: number): void {
    const end = this.clock + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.clock = due.at;
      due.fn();
    }
    this.clock = end;
  }
}

export class MemoryStorage implements Storage {
  #map = new Map<string, string>();
  get length(): number {
    return this.#map.size;
  }
  clear(): void {
    this.#map.clear();
  }
  getItem(key: string): string | null {
    return this.#map.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.#map.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.#map.delete(key);
  }
  setItem(key: string, value: string): void {
    this.#map.set(key, value);
  }
}
