import { describe, expect, it } from 'vitest';
import { ClockEstimator, sampleOf } from '../src/client/clock';

/** A deterministic pseudo-random source (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Runs rounds of exchanges against a server whose clock is `skew` ahead of
 * ours, over a network whose one-way delays are a base plus random jitter
 * (and now and then a long queueing delay on one leg only).
 */
function estimate(skew: number, seed: number, rounds = 3): { offset: number; delay: number } {
  const random = rng(seed);
  const clock = new ClockEstimator(6);
  let local = 1_509_048_000_000 + random() * 1000;
  const leg = () => 2 + random() * 20 + (random() < 0.2 ? 150 * random() : 0);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < clock.samplesPerRound; i++) {
      const t0 = clock.begin(local)!;
      local += leg();
      const t1 = local + skew;
      const work = random() * 0.5;
      const t2 = t1 + work;
      local += work + leg();
      clock.receive(t0, t1, t2, local);
    }
    local += 30_000;
  }
  return clock.best!;
}

describe('clock offset estimation', () => {
  it('matches the worked example of the protocol document', () => {
    const s = sampleOf(1509056203512.4, 1509056203530.0, 1509056203530.4, 1509056203521.0);
    expect(s.offset).toBeCloseTo(13.5, 3);
    expect(s.delay).toBeCloseTo(8.2, 3);
  });

  for (const skew of [5_000, -5_000, 0, 1234.5]) {
    it(`finds a ${skew} ms skew within a few ms despite jitter and queueing`, () => {
      for (let seed = 1; seed <= 50; seed++) {
        const { offset, delay } = estimate(skew, seed);
        // The error of an NTP sample is at most half its round trip's asymmetry.
        expect(Math.abs(offset - skew)).toBeLessThanOrEqual(delay / 2 + 1e-9);
        expect(Math.abs(offset - skew)).toBeLessThan(12);
      }
    });
  }

  it('keeps the sample with the smallest round trip', () => {
    const clock = new ClockEstimator(3);
    const exchange = (t0: number, up: number, down: number, skew: number) => {
      clock.begin(t0);
      return clock.receive(t0, t0 + up + skew, t0 + up + skew, t0 + up + down);
    };
    expect(exchange(1000, 100, 10, 5000)).toBe('more'); // delay 110, offset off by 45
    expect(exchange(2000, 3, 3, 5000)).toBe('more'); // delay 6, exact
    expect(exchange(3000, 10, 80, 5000)).toBe('round');
    expect(clock.best).toEqual({ offset: 5000, delay: 6, at: 2006 });
  });

  it('ignores answers to nothing asked, matching t0 within a microsecond', () => {
    const clock = new ClockEstimator(2);
    clock.begin(1000.25);
    expect(clock.receive(999, 1, 1, 1001)).toBe('stray');
    expect(clock.receive(1000.2500004, 6000, 6000, 1002)).toBe('more');
    expect(clock.begin(2000)).toBe(2000);
    expect(clock.begin(2001)).toBeNull(); // one exchange at a time
  });

  it('gives a first estimate before the first round completes', () => {
    const clock = new ClockEstimator(6);
    clock.begin(1000);
    clock.receive(1000, 6005, 6005, 1010);
    expect(clock.best?.offset).toBe(5000);
  });
});
