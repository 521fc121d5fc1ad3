// Countdowns as pure functions of time, exactly as crates/plenary-core/src/timer.rs.
// Nothing here ticks: a view asks for the remaining time of a timer at the
// server's "now" on every animation frame.
import type { Millis, Phase, Thresholds, Timer, Timestamp } from './protocol';

export function isRunning(timer: Timer): boolean {
  return timer.run.state === 'running';
}

export function isPaused(timer: Timer): boolean {
  return timer.run.state === 'paused';
}

/** Time used so far (`Timer::elapsed`). A `now` before the start counts as the start. */
export function elapsed(timer: Timer, now: Timestamp): Millis {
  const run = timer.run;
  switch (run.state) {
    case 'stopped':
    case 'paused':
      return run.elapsed;
    case 'running':
      return run.elapsed_before + Math.max(0, now - run.since);
  }
}

/** Time left; negative once in overtime (`Timer::remaining`). */
export function remaining(timer: Timer, now: Timestamp): Millis {
  return timer.limit - elapsed(timer, now);
}

/** The one rule for colours (`phase_for`). */
export function phaseFor(remainingMs: Millis, thresholds: Thresholds): Phase {
  if (remainingMs <= 0) return 'overtime';
  if (remainingMs <= thresholds.final) return 'final';
  if (remainingMs <= thresholds.warning) return 'warning';
  return 'normal';
}

export function phase(timer: Timer, now: Timestamp): Phase {
  return phaseFor(remaining(timer, now), timer.thresholds);
}

/** Starts or resumes counting at `now`; no effect when already running. */
export function resumeTimer(timer: Timer, now: Timestamp): void {
  const run = timer.run;
  if (run.state === 'stopped' || run.state === 'paused') {
    timer.run = { state: 'running', since: now, elapsed_before: run.elapsed };
  }
}

/** Freezes the remaining time at `now`; no effect unless running. */
export function pauseTimer(timer: Timer, now: Timestamp): void {
  if (isRunning(timer)) {
    timer.run = { state: 'paused', since: now, elapsed: elapsed(timer, now) };
  }
}

/** More time (or less with a negative `by`); the limit never goes below zero. */
export function extendTimer(timer: Timer, by: Millis): void {
  timer.limit = Math.max(0, timer.limit + by);
}

/** Back to the full limit, stopped. */
export function resetTimer(timer: Timer): void {
  timer.run = { state: 'stopped', elapsed: 0 };
}

/** A timer started at `now` (`Timer::started`). */
export function startedTimer(limit: Millis, thresholds: Thresholds, now: Timestamp): Timer {
  return { limit, thresholds, run: { state: 'running', since: now, elapsed_before: 0 } };
}

/** A booth's duty countdown (`BoothState::duty_timer`): warning 5 min, final 1 min. */
export function dutyTimer(duty: Millis, onMicSince: Timestamp | null | undefined, now: Timestamp): Timer {
  return startedTimer(duty, { warning: 5 * 60_000, final: 60_000 }, onMicSince ?? now);
}

/** `m:ss` of a span, rounding as a countdown reads: up before the limit, down after it. */
export function formatCountdown(remainingMs: Millis): string {
  if (remainingMs > 0) return formatSpan(Math.ceil(remainingMs / 1000));
  return `+${formatSpan(Math.floor(-remainingMs / 1000))}`;
}

function formatSpan(totalSeconds: number): string {
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
