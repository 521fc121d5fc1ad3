import { describe, expect, it } from 'vitest';
import { dutyTimer, formatCountdown, phase, phaseFor, remaining } from '../src/client/timer';
import type { Timer } from '../src/client/protocol';

const T0 = 1_000_000;
const thresholds = { warning: 60_000, final: 15_000 };
const fiveMinutes = (since = T0): Timer => ({
  limit: 300_000,
  thresholds,
  run: { state: 'running', since, elapsed_before: 0 },
});

describe('timer rendering from the server timestamps', () => {
  it('remaining = limit − (elapsed_before + (now − since))', () => {
    const t: Timer = { limit: 300_000, thresholds, run: { state: 'running', since: T0, elapsed_before: 42_000 } };
    expect(remaining(t, T0)).toBe(258_000);
    expect(remaining(t, T0 + 90_000)).toBe(168_000);
    // A clock a little behind the start counts as the start.
    expect(remaining(t, T0 - 500)).toBe(258_000);
  });

  it('paused and stopped timers keep what had elapsed', () => {
    const paused: Timer = { limit: 300_000, thresholds, run: { state: 'paused', since: T0, elapsed: 120_000 } };
    expect(remaining(paused, T0 + 3_600_000)).toBe(180_000);
    const stopped: Timer = { limit: 300_000, thresholds, run: { state: 'stopped', elapsed: 0 } };
    expect(remaining(stopped, T0 + 3_600_000)).toBe(300_000);
  });

  it('phases change exactly at the thresholds (phase_for)', () => {
    const t = fiveMinutes();
    expect(phase(t, T0 + 239_999)).toBe('normal');
    expect(phase(t, T0 + 240_000)).toBe('warning'); // 60 s left
    expect(phase(t, T0 + 284_999)).toBe('warning');
    expect(phase(t, T0 + 285_000)).toBe('final'); // 15 s left
    expect(phase(t, T0 + 299_999)).toBe('final');
    expect(phase(t, T0 + 300_000)).toBe('overtime'); // 0 left
    expect(phase(t, T0 + 360_000)).toBe('overtime');
  });

  it('phase_for at the boundaries', () => {
    expect(phaseFor(60_001, thresholds)).toBe('normal');
    expect(phaseFor(60_000, thresholds)).toBe('warning');
    expect(phaseFor(15_001, thresholds)).toBe('warning');
    expect(phaseFor(15_000, thresholds)).toBe('final');
    expect(phaseFor(1, thresholds)).toBe('final');
    expect(phaseFor(0, thresholds)).toBe('overtime');
    expect(phaseFor(-1, thresholds)).toBe('overtime');
  });

  it('reads as a countdown: up to the next second before the limit, overtime counts up with +', () => {
    expect(formatCountdown(300_000)).toBe('5:00');
    expect(formatCountdown(299_001)).toBe('5:00');
    expect(formatCountdown(299_000)).toBe('4:59');
    expect(formatCountdown(1)).toBe('0:01');
    expect(formatCountdown(0)).toBe('+0:00');
    expect(formatCountdown(-999)).toBe('+0:00');
    expect(formatCountdown(-61_000)).toBe('+1:01');
    expect(formatCountdown(3_600_000)).toBe('1:00:00');
  });

  it('the booth duty timer counts from on_mic_since with 5 min / 1 min thresholds', () => {
    const t = dutyTimer(1_800_000, T0, T0 + 10);
    expect(remaining(t, T0 + 1_500_000)).toBe(300_000);
    expect(phase(t, T0 + 1_500_000)).toBe('warning');
    expect(phase(t, T0 + 1_740_000)).toBe('final');
  });
});
