// The offset between this device's clock and the server's, estimated
// NTP-style over the websocket (docs/protocol.md §10):
//
//   offset = ((t1 − t0) + (t2 − t3)) / 2     server = local + offset
//   delay  = (t3 − t0) − (t2 − t1)
//
// A round is a few exchanges one after the other; the sample with the
// smallest delay (the least queued) wins. Rounds repeat every ~30 s.

export interface ClockSample {
  offset: number;
  delay: number;
  /** Local time the answer arrived. */
  at: number;
}

export function sampleOf(t0: number, t1: number, t2: number, t3: number): ClockSample {
  return { offset: (t1 - t0 + (t2 - t3)) / 2, delay: t3 - t0 - (t2 - t1), at: t3 };
}

/** The exchanges of one round and the best of them. */
export class ClockEstimator {
  /** Exchanges per round. */
  readonly samplesPerRound: number;
  #round: ClockSample[] = [];
  #best: ClockSample | null = null;
  #pending: number | null = null;
  #rounds = 0;

  constructor(samplesPerRound = 6) {
    this.samplesPerRound = samplesPerRound;
  }

  /** The current estimate: `null` until a first round gave a sample. */
  get best(): ClockSample | null {
    return this.#best;
  }

  /** Starts an exchange: returns `t0` to send, or null while one is in flight. */
  begin(localNow: number): number | null {
    if (this.#pending !== null) return null;
    this.#pending = localNow;
    return localNow;
  }

  /** The exchange in flight, if any (its `t0`). */
  get pending(): number | null {
    return this.#pending;
  }

  /** Gives up on the exchange in flight (no answer in time). */
  abandon(): void {
    this.#pending = null;
  }

  /**
   * The server's answer. Returns `'round'` when it completed a round (the
   * estimate was updated), `'more'` when the round wants another exchange,
   * `'stray'` for an answer to nothing we asked.
   */
  receive(t0: number, t1: number, t2: number, t3: number): 'round' | 'more' | 'stray' {
    // t0 is echoed; some JSON parsers round its last digit.
    if (this.#pending === null || Math.abs(t0 - this.#pending) > 0.001) return 'stray';
    this.#pending = null;
    const sample = sampleOf(t0, t1, t2, t3);
    if (sample.delay < 0 || !Number.isFinite(sample.offset)) return 'more';
    this.#round.push(sample);
    const best = minDelay(this.#round);
    // Until a first round completes, the best so far is better than nothing.
    if (this.#rounds === 0) this.#best = best;
    if (this.#round.length >= this.samplesPerRound) {
      this.#best = best;
      this.#round = [];
      this.#rounds += 1;
      return 'round';
    }
    return 'more';
  }

  /** Forgets the round in progress (a new connection starts a new one). */
  restartRound(): void {
    this.#round = [];
    this.#pending = null;
  }
}

function minDelay(samples: ClockSample[]): ClockSample {
  return samples.reduce((a, b) => (b.delay < a.delay ? b : a));
}
