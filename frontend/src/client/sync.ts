// The meeting as this connection knows it: a snapshot, then events applied
// strictly in order. A frame that is not `seq + 1` means the connection can
// no longer be trusted (docs/protocol.md §3.4): the caller resumes.
import type { EventFrame, Meeting } from './protocol';
import { applyEvent, nextMeeting } from './reducer';

export type FrameOutcome =
  /** Applied; the state moved to the frame's seq. */
  | 'applied'
  /** seq ≤ the last applied: already seen, not applied again. */
  | 'duplicate'
  /** seq > last + 1: events were lost; nothing applied. */
  | 'gap'
  /** An event before any snapshot: nothing to apply it to. */
  | 'no_state';

export class MeetingSync {
  #state: Meeting | null = null;

  /** The meeting at the last applied seq (a new object after every change). */
  get state(): Meeting | null {
    return this.#state;
  }

  /** The last seq applied, hidden events included; `null` before any snapshot. */
  get seq(): number | null {
    return this.#state?.seq ?? null;
  }

  /** A snapshot replaces whatever state there was. */
  snapshot(seq: number, state: Meeting): void {
    this.#state = { ...state, seq };
  }

  event(frame: EventFrame): FrameOutcome {
    const current = this.#state;
    if (current === null) return 'no_state';
    if (frame.seq <= current.seq) return 'duplicate';
    if (frame.seq > current.seq + 1) return 'gap';
    const next = nextMeeting(current);
    applyEvent(next, { seq: frame.seq, at: frame.at, event: frame.event ?? null });
    this.#state = next;
    return 'applied';
  }

  /** Forgets the meeting (another code, another meeting). */
  clear(): void {
    this.#state = null;
  }
}
