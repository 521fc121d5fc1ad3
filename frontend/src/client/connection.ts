// The one module that owns the websocket. Views read its signals and call
// `send`; nothing else ever sees a frame.
//
// hello (stream: views) → welcome (live) → the whole view document, or the
// patches since the one held → live patches. On a drop, or a patch that
// does not start from the held document: reconnect with back-off and
// jitter and resume from the held seq; resend unanswered commands with
// their ids — but never a change of the floor, which is neither queued
// while the connection is down nor resent after a drop (./commands.ts).
// Close 1008 (bad or revoked code) goes back to the login form with the
// server's message.
//
// The last document is also kept on the device (./lastView.ts): a page
// reloaded while the server is down shows it, "reconnecting", until the
// server sends the document again.
import { batch, signal, type ReadonlySignal } from '@preact/signals-core';
import { backoffDelay } from './backoff';
import { ClockEstimator } from './clock';
import { CommandTracker, changesTheFloor, type TrackedCommand } from './commands';
import { forget, remember, type Credentials } from './credentials';
import { ViewDocument } from './document';
import type { LastViewStore } from './lastView';
import {
  CloseCode,
  PROTOCOL_VERSION,
  type ClientMessage,
  type Command,
  type PatchMessage,
  type PhaseMessage,
  type Role,
  type ScreenPresence,
  type ServerMessage,
  type SurfaceView,
  type Texts,
} from './protocol';

/** What a socket must offer (the browser's WebSocket does; tests fake it). */
export interface SocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface ClientEnvironment {
  url: string;
  createSocket(url: string): SocketLike;
  /** This device's clock, ms since the epoch (fractions allowed). */
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  random(): number;
  randomId(): string;
  storage?: Storage | undefined;
  /** Where the last view document is kept across reloads (none: nowhere). */
  lastViews?: LastViewStore | undefined;
}

export type ConnectionStatus =
  /** No credentials: the login form. `error` says why we came back to it. */
  | { kind: 'signed_out'; error?: ServerError }
  | { kind: 'connecting' }
  | { kind: 'live' }
  /** Lost: counting down to the next attempt. */
  | { kind: 'reconnecting'; attempt: number; reason: string };

export interface ServerError {
  code: string;
  message: string;
  messages: Texts;
}

/** A hello not answered by a welcome in this time is a drop. */
export const CONNECT_TIMEOUT_MS = 15_000;
/** A time_sync not answered in this time means the socket is dead. */
export const SYNC_TIMEOUT_MS = 10_000;
/** Clock rounds repeat this often. */
export const RESYNC_EVERY_MS = 30_000;
/** The first round runs while the page is busiest loading: a second one
 * soon after gives a better estimate than keeping the first for 30 s. */
export const EARLY_RESYNC_MS = 3_000;
/** The document is kept on the device at most this often. */
export const SAVE_VIEW_AFTER_MS = 500;

export class PlenaryClient {
  readonly #env: ClientEnvironment;
  readonly #document = new ViewDocument();
  readonly #clock = new ClockEstimator();
  readonly #tracker = new CommandTracker();

  #credentials: Credentials | null = null;
  #socket: SocketLike | null = null;
  /** Welcomed on the current socket: commands go out, view and patches apply. */
  #live = false;
  #attempt = 0;
  #meetingId: string | null = null;
  #lastError: ServerError | null = null;
  #reconnectTimer: unknown = null;
  #connectTimer: unknown = null;
  #syncTimer: unknown = null;
  #roundTimer: unknown = null;
  #saveTimer: unknown = null;
  /** Whose kept document these credentials read and write (lastView.ts). */
  #who: Promise<string | null> | null = null;

  readonly #status = signal<ConnectionStatus>({ kind: 'signed_out' });
  readonly #role = signal<Role | null>(null);
  readonly #view = signal<SurfaceView | null>(null);
  readonly #presence = signal<ScreenPresence[] | null>(null);
  readonly #phase = signal<PhaseMessage | null>(null);
  readonly #commands = signal<TrackedCommand[]>([]);
  readonly #offset = signal<number | null>(null);
  readonly #rtt = signal<number | null>(null);
  readonly #token = signal<string | null>(null);
  /** Bumped by every restart for lost sync or silence, for diagnostics and tests. */
  readonly #resyncs = signal(0);
  /** The view shown is the one kept on this device, not yet the server's. */
  readonly #restored = signal(false);

  constructor(env: ClientEnvironment) {
    this.#env = env;
    this.#tracker.subscribe(() => {
      this.#commands.value = this.#tracker.list();
    });
  }

  // --- What views read --------------------------------------------------------

  get status(): ReadonlySignal<ConnectionStatus> {
    return this.#status;
  }
  /** Who this connection is (`welcome.role`); decides the surface. */
  get role(): ReadonlySignal<Role | null> {
    return this.#role;
  }
  /** The document this role's display renders, as the server derived it
   * (a new object after every patch, sharing what did not change); null
   * until the first `view` arrives. */
  get view(): ReadonlySignal<SurfaceView | null> {
    return this.#view;
  }
  /** The seq of the held document (`resume_from_seq` of the next hello). */
  get seq(): number | null {
    return this.#document.seq;
  }
  /** Room screens' connections (chair and technician only). */
  get presence(): ReadonlySignal<ScreenPresence[] | null> {
    return this.#presence;
  }
  /** The last countdown phase cue. */
  get phase(): ReadonlySignal<PhaseMessage | null> {
    return this.#phase;
  }
  /** Commands sent from here, newest first. */
  get commands(): ReadonlySignal<TrackedCommand[]> {
    return this.#commands;
  }
  /** server clock = local clock + offset; null before the first sync. */
  get offset(): ReadonlySignal<number | null> {
    return this.#offset;
  }
  /** Round trip of the best sample of the last sync round. */
  get rtt(): ReadonlySignal<number | null> {
    return this.#rtt;
  }
  /** The welcome's session token (memory only). */
  get token(): ReadonlySignal<string | null> {
    return this.#token;
  }
  get resyncs(): ReadonlySignal<number> {
    return this.#resyncs;
  }
  /** True while the view is the last one kept on this device (the page was
   * reloaded without a server), until the server sends its document. */
  get restored(): ReadonlySignal<boolean> {
    return this.#restored;
  }
  get credentials(): Credentials | null {
    return this.#credentials;
  }
  /** The access code this console signed in with (kept for the tab in
   * sessionStorage): the HTTP API's `Authorization: Bearer`. Null for the
   * public view and when signed out. */
  get accessCode(): string | null {
    return this.#credentials?.kind === 'code' ? this.#credentials.code : null;
  }
  /** The meeting of the last welcome; null before it and when signed out. */
  get meetingId(): string | null {
    return this.#meetingId;
  }

  /** The server's clock now, from this device's clock and the offset. */
  serverNow(): number {
    return this.#env.now() + (this.#offset.peek() ?? 0);
  }

  // --- What views do -------------------------------------------------------------

  /** Signs in (from the form or the link) and connects. */
  start(credentials: Credentials): void {
    const sameMeeting =
      this.#credentials !== null && JSON.stringify(this.#credentials) === JSON.stringify(credentials);
    this.#credentials = credentials;
    remember(this.#env.storage, credentials);
    if (!sameMeeting) this.#forgetMeeting();
    this.#attempt = 0;
    this.#lastError = null;
    this.#dropSocket();
    this.#who = this.#env.lastViews?.whoOf(credentials) ?? null;
    this.#connect();
    this.#restore(credentials);
  }

  /** Back to the login form; the code is forgotten. */
  signOut(error?: ServerError): void {
    this.#credentials = null;
    forget(this.#env.storage);
    this.#who = null;
    this.#clearTimer('save');
    this.#env.lastViews?.clear();
    this.#dropSocket();
    this.#clearTimer('reconnect');
    this.#tracker.failAll(
      error ?? { code: 'signed_out', message: 'signed out', messages: { en: 'signed out', es: 'sesión cerrada' } },
    );
    this.#forgetMeeting();
    this.#status.value = error ? { kind: 'signed_out', error } : { kind: 'signed_out' };
  }

  /** Whether commands go out now (welcomed on an open socket). */
  get live(): boolean {
    return this.#live;
  }

  /**
   * Sends an intent. It is tracked from now on; when the connection is
   * down it goes out as soon as the connection is live again — unless it
   * changes the floor: then it is `not_sent`, and never goes out.
   */
  send(command: Command, label = ''): TrackedCommand {
    const view = this.#view.peek();
    const floor = changesTheFloor(command, view);
    const offlineFloor = !this.#live && floor;
    // Decided on the floor shown now: refused `stale` if it moved since.
    const expect = floor && view?.surface === 'presiding' ? view.floor_seen : null;
    const tracked = this.#tracker.create(
      command,
      label,
      this.#env.randomId(),
      this.#env.now(),
      offlineFloor ? 'not_sent' : 'pending',
      floor,
      expect,
    );
    if (this.#live) this.#transmit(tracked);
    return tracked;
  }

  /** Checks now that the server still answers (the browser went offline):
   * a dead connection then restarts within the sync timeout. */
  probe(): void {
    if (this.#live) this.#beginClockRound();
  }

  /** Reconnects now instead of waiting (the browser came back online). */
  reconnectNow(): void {
    if (this.#credentials && !this.#socket) {
      this.#clearTimer('reconnect');
      this.#connect();
    }
  }

  // --- The connection ---------------------------------------------------------------

  #forgetMeeting(): void {
    this.#document.clear();
    this.#meetingId = null;
    batch(() => {
      this.#view.value = null;
      this.#presence.value = null;
      this.#phase.value = null;
      this.#role.value = null;
      this.#token.value = null;
      this.#restored.value = false;
    });
  }

  /** Shows the document kept on this device for these credentials, while
   * the server has not sent its own (it is replaced as soon as it does). */
  #restore(credentials: Credentials): void {
    const store = this.#env.lastViews;
    const who = this.#who;
    if (!store || !who) return;
    void who.then((id) => {
      if (!id || this.#credentials !== credentials || this.#live || this.#view.peek() !== null) return;
      const saved = store.load(id, this.#env.now());
      if (!saved) return;
      this.#meetingId = saved.meeting;
      batch(() => {
        this.#role.value = saved.role;
        this.#view.value = saved.view;
        this.#restored.value = true;
      });
    });
  }

  /** Keeps the document on this device (SAVE_VIEW_AFTER_MS after a change). */
  #scheduleSave(): void {
    if (!this.#env.lastViews || !this.#who || this.#saveTimer !== null) return;
    this.#setTimer('save', SAVE_VIEW_AFTER_MS, () => this.#saveNow());
  }

  #saveNow(): void {
    const store = this.#env.lastViews;
    const who = this.#who;
    const credentials = this.#credentials;
    const view = this.#view.peek();
    const role = this.#role.peek();
    const meeting = this.#meetingId;
    if (!store || !who || !view || !role || !meeting || this.#restored.peek()) return;
    void who.then((id) => {
      if (id && this.#credentials === credentials) store.save({ who: id, meeting, role, view, at: this.#env.now() });
    });
  }

  /** Clock rounds completed on the current connection. */
  #roundsThisConnection = 0;

  #connect(): void {
    this.#roundsThisConnection = 0;
    const credentials = this.#credentials;
    if (!credentials) return;
    this.#live = false;
    if (this.#attempt === 0 && this.#document.seq === null) this.#status.value = { kind: 'connecting' };
    let socket: SocketLike;
    try {
      socket = this.#env.createSocket(this.#env.url);
    } catch {
      this.#scheduleReconnect('cannot open a websocket');
      return;
    }
    this.#socket = socket;
    socket.onopen = () => {
      if (socket !== this.#socket) return;
      this.#write({
        type: 'hello',
        protocol_version: PROTOCOL_VERSION,
        access_code: credentials.kind === 'code' ? credentials.code : null,
        token: null,
        meeting: credentials.kind === 'public' ? credentials.meeting : null,
        resume_from_seq: this.#document.seq,
        stream: 'views',
      });
    };
    socket.onmessage = (ev) => {
      if (socket !== this.#socket || typeof ev.data !== 'string') return;
      let message: ServerMessage;
      try {
        message = JSON.parse(ev.data) as ServerMessage;
      } catch {
        return;
      }
      this.#handle(message);
    };
    socket.onclose = (ev) => {
      if (socket !== this.#socket) return;
      this.#socket = null;
      this.#closed(ev.code, ev.reason);
    };
    socket.onerror = () => {
      // A close event follows.
    };
    this.#setTimer('connect', CONNECT_TIMEOUT_MS, () => this.#restart('no answer from the server'));
  }

  /** Detaches and closes the socket without reacting to its close. */
  #dropSocket(): void {
    const socket = this.#socket;
    this.#socket = null;
    this.#live = false;
    this.#tracker.connectionLost();
    this.#clearTimer('connect');
    this.#clearTimer('sync');
    this.#clearTimer('round');
    this.#clock.restartRound();
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      try {
        socket.close(CloseCode.Normal, 'client closing');
      } catch {
        // Already closed.
      }
    }
  }

  /** This connection cannot be trusted (lost patch, silence): resume. */
  #restart(reason: string): void {
    this.#resyncs.value += 1;
    this.#dropSocket();
    this.#scheduleReconnect(reason);
  }

  #closed(code: number, reason: string): void {
    this.#live = false;
    this.#tracker.connectionLost();
    this.#clearTimer('connect');
    this.#clearTimer('sync');
    this.#clearTimer('round');
    this.#clock.restartRound();
    if (code === CloseCode.Policy) {
      // The code is unknown or revoked: do not retry as is.
      const error = this.#lastError ?? {
        code: 'invalid_access_code',
        message: reason || 'access refused',
        messages: {},
      };
      this.signOut(error);
      return;
    }
    this.#scheduleReconnect(reason || `closed (${code})`);
  }

  #scheduleReconnect(reason: string): void {
    if (!this.#credentials) return;
    const attempt = this.#attempt;
    this.#attempt += 1;
    this.#status.value = { kind: 'reconnecting', attempt: this.#attempt, reason };
    this.#setTimer('reconnect', backoffDelay(attempt, this.#env.random), () => this.#connect());
  }

  #write(message: ClientMessage): void {
    try {
      this.#socket?.send(JSON.stringify(message));
    } catch {
      // The close event will follow.
    }
  }

  #transmit(tracked: TrackedCommand): void {
    this.#write({
      type: 'command',
      command_id: tracked.id,
      command: tracked.command,
      ...(tracked.expect ? { expect: tracked.expect } : {}),
    });
    this.#tracker.sent(tracked.id);
  }

  #handle(message: ServerMessage): void {
    switch (message.type) {
      case 'welcome': {
        if (this.#meetingId !== null && this.#meetingId !== message.meeting) this.#forgetMeeting();
        this.#meetingId = message.meeting;
        batch(() => {
          this.#role.value = message.role;
          this.#token.value = message.token;
          // A first, rough estimate until the clock sync answers.
          if (this.#offset.peek() === null) this.#offset.value = message.server_time - this.#env.now();
        });
        // The document (or the patches since ours) follows on this socket,
        // in order, before anything a command we send now could change.
        this.#goLive();
        this.#beginClockRound();
        break;
      }
      case 'view':
        if (!this.#live) return;
        this.#document.replace(message.seq, message.view);
        batch(() => {
          this.#view.value = message.view;
          this.#restored.value = false;
        });
        this.#scheduleSave();
        break;
      case 'patch':
        if (!this.#live) return;
        this.#patch(message);
        break;
      case 'ack':
        this.#tracker.acked(message.command_id, message.seq);
        break;
      case 'error': {
        const error: ServerError = { code: message.code, message: message.message, messages: message.messages };
        if (message.command_id == null) {
          this.#lastError = error;
          break;
        }
        const id = message.command_id;
        if (this.#tracker.errored(id, error) === 'retry') {
          this.#env.setTimer(() => {
            const c = this.#tracker.get(id);
            if (this.#live && c?.state === 'pending') this.#transmit(c);
          }, 1000);
        }
        break;
      }
      case 'time_sync':
        this.#clockAnswer(message.t0, message.t1, message.t2);
        break;
      case 'phase':
        this.#phase.value = message;
        break;
      case 'presence':
        this.#presence.value = message.screens;
        break;
    }
  }

  #patch(message: PatchMessage): void {
    const held = this.#document.seq;
    const outcome = this.#document.patch(message);
    if (outcome === 'applied') {
      this.#view.value = this.#document.view;
      this.#scheduleSave();
    } else this.#restart(`patch ${message.from}→${message.seq} on the document at ${held}: ${outcome}`);
  }

  #goLive(): void {
    this.#live = true;
    this.#attempt = 0;
    this.#lastError = null;
    this.#clearTimer('connect');
    this.#status.value = { kind: 'live' };
    for (const c of this.#tracker.unanswered()) this.#transmit(c);
  }

  // --- Clock sync -----------------------------------------------------------------

  #beginClockRound(): void {
    this.#clearTimer('round');
    this.#clock.restartRound();
    this.#clockExchange();
  }

  #clockExchange(): void {
    const t0 = this.#clock.begin(this.#env.now());
    if (t0 === null) return;
    this.#write({ type: 'time_sync', t0 });
    this.#setTimer('sync', SYNC_TIMEOUT_MS, () => this.#restart('the server stopped answering'));
  }

  #clockAnswer(t0: number, t1: number, t2: number): void {
    const outcome = this.#clock.receive(t0, t1, t2, this.#env.now());
    if (outcome === 'stray') return;
    this.#clearTimer('sync');
    const best = this.#clock.best;
    if (best) {
      batch(() => {
        this.#offset.value = best.offset;
        this.#rtt.value = best.delay;
      });
    }
    if (outcome === 'more') {
      this.#clockExchange();
      return;
    }
    if (best && this.#role.peek()?.role === 'screen') {
      this.#write({ type: 'status', rtt_ms: round1(best.delay), offset_ms: round1(best.offset) });
    }
    const next = this.#roundsThisConnection++ === 0 ? EARLY_RESYNC_MS : RESYNC_EVERY_MS;
    this.#setTimer('round', next, () => this.#beginClockRound());
  }

  // --- Timers ---------------------------------------------------------------------------

  #setTimer(which: TimerName, ms: number, fn: () => void): void {
    this.#clearTimer(which);
    const handle = this.#env.setTimer(() => {
      this.#assignTimer(which, null);
      fn();
    }, ms);
    this.#assignTimer(which, handle);
  }

  #assignTimer(which: TimerName, handle: unknown): void {
    if (which === 'reconnect') this.#reconnectTimer = handle;
    else if (which === 'connect') this.#connectTimer = handle;
    else if (which === 'sync') this.#syncTimer = handle;
    else if (which === 'save') this.#saveTimer = handle;
    else this.#roundTimer = handle;
  }

  #clearTimer(which: TimerName): void {
    const handle =
      which === 'reconnect'
        ? this.#reconnectTimer
        : which === 'connect'
          ? this.#connectTimer
          : which === 'sync'
            ? this.#syncTimer
            : which === 'save'
              ? this.#saveTimer
              : this.#roundTimer;
    if (handle !== null) this.#env.clearTimer(handle);
    this.#assignTimer(which, null);
  }
}

type TimerName = 'reconnect' | 'connect' | 'sync' | 'round' | 'save';

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
