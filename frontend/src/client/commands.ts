// Every command this browser sent and where it stands:
// pending → acked | refused (the meeting said no, with its reason) | failed
// (nothing was applied and it was not retried: rate limit, store, session).
// An unanswered command is sent again after a reconnect with the same
// `command_id`: the server answers with its first answer and never applies
// it twice (docs/protocol.md §4, §5.1).
//
// Except a change of the floor (issue 11): the chair decided it against the
// floor they saw, and after an outage that floor may be another one. So a
// floor command is never queued while the connection is down (`not_sent`),
// and one that went out but was not answered when the connection dropped
// is never sent again by itself (`unconfirmed`: the chair checks the floor).
import type { Command, FloorSeen, SurfaceView, Texts } from './protocol';

export type CommandState = 'pending' | 'acked' | 'refused' | 'failed' | 'not_sent' | 'unconfirmed';

/**
 * Whether a command changes who has the floor or a speaker's countdown:
 * the server lists them in the presiding document (`floor_commands`, from
 * `CommandKind::changes_floor` in Rust), and only the presiding console
 * sends them. What the client does with them (never queue, never resend,
 * always send what the chair saw) is about intent, not a rule of procedure.
 */
export function changesTheFloor(command: Command, view: SurfaceView | null): boolean {
  return view?.surface === 'presiding' && view.floor_commands.includes(command.type);
}

export interface TrackedCommand {
  id: string;
  command: Command;
  /** How it was given, when that matters (a keyboard shortcut). */
  label: string;
  /** It changes the floor (`changesTheFloor` when it was created). */
  floor?: boolean;
  /** The floor the chair saw when deciding (a floor command): the server
   * refuses it `stale` if the floor has changed since. */
  expect?: FloorSeen | null;
  state: CommandState;
  /** Local time it was first sent. */
  sentAt: number;
  /** How many times it went out on a socket. */
  sends: number;
  /** The `seq` of its last event, once acked. */
  seq?: number;
  /** Why it was refused or failed: the server's code and messages. */
  error?: { code: string; message: string; messages: Texts };
}

/** Protocol errors after which nothing was applied and sending again may work. */
const RETRYABLE = new Set(['rate_limited', 'store_unavailable']);
/** Protocol errors: the command failed to reach the meeting. */
const PROTOCOL = new Set([
  'bad_message',
  'rate_limited',
  'store_unavailable',
  'invalid_command_id',
  'hello_required',
  'already_welcomed',
]);
export const MAX_RETRIES = 3;
/** Finished commands kept for the activity list. */
const KEEP = 30;

export class CommandTracker {
  #commands = new Map<string, TrackedCommand>();
  #listeners = new Set<() => void>();
  #retries = new Map<string, number>();

  /** Newest first. */
  list(): TrackedCommand[] {
    return [...this.#commands.values()].reverse();
  }

  get(id: string): TrackedCommand | undefined {
    return this.#commands.get(id);
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    for (const l of this.#listeners) l();
  }

  #update(id: string, patch: Partial<TrackedCommand>): TrackedCommand | undefined {
    const c = this.#commands.get(id);
    if (!c) return undefined;
    const next = { ...c, ...patch };
    this.#commands.set(id, next);
    this.#changed();
    return next;
  }

  /** A new intent, with a fresh id; `not_sent` when it may not wait for the connection. */
  create(
    command: Command,
    label: string,
    id: string,
    now: number,
    state: 'pending' | 'not_sent' = 'pending',
    floor = false,
    expect: FloorSeen | null = null,
  ): TrackedCommand {
    const tracked: TrackedCommand = { id, command, label, state, sentAt: now, sends: 0, floor, expect };
    this.#commands.set(id, tracked);
    this.#prune();
    this.#changed();
    return tracked;
  }

  /** It went out on a socket. */
  sent(id: string): void {
    const c = this.#commands.get(id);
    if (c) this.#update(id, { sends: c.sends + 1 });
  }

  /** Commands with no answer yet, oldest first: to send (again) once live. */
  unanswered(): TrackedCommand[] {
    return [...this.#commands.values()].filter((c) => c.state === 'pending');
  }

  acked(id: string, seq: number): void {
    this.#retries.delete(id);
    const state = this.#commands.get(id)?.state;
    if (state === 'pending' || state === 'unconfirmed') this.#update(id, { state: 'acked', seq });
  }

  /**
   * The connection dropped. Floor commands still waiting are settled now
   * and never go out again by themselves: `unconfirmed` when they went out
   * (the server may or may not have applied them), `not_sent` when they
   * never did. Other commands stay pending, to be sent again once live.
   */
  connectionLost(): void {
    for (const c of this.unanswered()) {
      if (!c.floor) continue;
      this.#retries.delete(c.id);
      this.#update(c.id, { state: c.sends > 0 ? 'unconfirmed' : 'not_sent' });
    }
  }

  /**
   * An `error` with this command's id. Returns `'retry'` when the command
   * should be sent again (same id) after a pause; it stays pending.
   */
  errored(id: string, error: { code: string; message: string; messages: Texts }): 'retry' | 'done' {
    const c = this.#commands.get(id);
    if (!c || c.state !== 'pending') return 'done';
    if (RETRYABLE.has(error.code)) {
      const tries = (this.#retries.get(id) ?? 0) + 1;
      this.#retries.set(id, tries);
      if (tries <= MAX_RETRIES) return 'retry';
    }
    this.#retries.delete(id);
    this.#update(id, { state: PROTOCOL.has(error.code) ? 'failed' : 'refused', error });
    return 'done';
  }

  /** The session ended for good (bad code, logout): nothing more will be answered. */
  failAll(error: { code: string; message: string; messages: Texts }): void {
    for (const c of this.unanswered()) this.#update(c.id, { state: 'failed', error });
  }

  #prune(): void {
    const finished = [...this.#commands.values()].filter((c) => c.state !== 'pending');
    for (const c of finished.slice(0, Math.max(0, this.#commands.size - KEEP))) {
      this.#commands.delete(c.id);
    }
  }
}
