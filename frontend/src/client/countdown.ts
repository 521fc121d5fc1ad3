// The only arithmetic on time a display does: evaluate what the server
// derived at the server's "now". Every rule (thresholds, who is next, how
// long an overrun pushes the rest) was applied in Rust; these functions
// mirror `Eta::at`, `Drift::at`, `ItemTimes::start`/`end` and
// `Countdown::at` (plenary-core) and are checked against them by
// test/views.test.ts.
import type { Countdown, Drift, Eta, ItemTimes, Millis, Phase, Timestamp } from './protocol';

/** `max(not_before, now + after_now)` over the parts present (`now` if none). */
export function etaAt(eta: Eta, now: Timestamp): Timestamp {
  const fixed = eta.not_before ?? null;
  const sliding = eta.after_now == null ? null : now + eta.after_now;
  if (fixed === null) return sliding ?? now;
  return sliding === null ? fixed : Math.max(fixed, sliding);
}

/** `Eta::later`: the same instant `by` later (a part absent stays absent). */
function etaLater(eta: Eta, by: Millis): Eta {
  return {
    not_before: eta.not_before == null ? null : eta.not_before + by,
    after_now: eta.after_now == null ? null : eta.after_now + by,
  };
}

/** `Eta::not_before`: never before `t`. */
function etaNotBefore(eta: Eta, t: Timestamp): Eta {
  return { not_before: eta.not_before == null ? t : Math.max(eta.not_before, t), after_now: eta.after_now ?? null };
}

/** `ItemTimes::start`: when a line of the running order starts, as an ETA. */
function itemStart(times: ItemTimes, anchor: Eta): Eta {
  switch (times.as) {
    case 'done':
      return { not_before: times.start };
    case 'current':
      return times.start == null ? { after_now: 0 } : { not_before: times.start };
    case 'pending': {
      const start = etaLater(anchor, times.after);
      return times.not_before == null ? start : etaNotBefore(start, times.not_before);
    }
  }
}

/** When a line of the running order starts at `now`: its actual start (done,
 * or current since then), now (current, start not recorded), or for an item
 * to come `max(not_before, anchor + after)`. */
export function itemStartAt(times: ItemTimes, anchor: Eta, now: Timestamp): Timestamp {
  return etaAt(itemStart(times, anchor), now);
}

/** When a line of the running order ends at `now`: its actual end (done),
 * the schedule's `anchor` (current), or its start plus its duration. */
export function itemEndAt(times: ItemTimes, anchor: Eta, now: Timestamp): Timestamp {
  switch (times.as) {
    case 'done':
      return times.end;
    case 'current':
      return etaAt(anchor, now);
    case 'pending':
      return etaAt(etaLater(itemStart(times, anchor), times.duration), now);
  }
}

/** How late the projection is at `now` (negative when early). */
export function driftAt(d: Drift, now: Timestamp): Millis {
  return etaAt(d.projected, now) - d.planned;
}

/** What a countdown shows at `now`: remaining time (negative in overtime) and phase. */
export function countdownAt(c: Countdown, now: Timestamp): { remaining: Millis; phase: Phase } {
  const clock = c.clock;
  if (clock.state !== 'running') return { remaining: clock.remaining, phase: clock.phase };
  // A clock that lags the server's may read an instant before the
  // countdown (re)started: it reads the start.
  const at = Math.max(now, clock.since);
  const phase: Phase =
    at >= clock.deadline ? 'overtime' : at >= clock.final_at ? 'final' : at >= clock.warning_at ? 'warning' : 'normal';
  return { remaining: clock.deadline - at, phase };
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
