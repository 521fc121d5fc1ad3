//! Countdown timers as pure functions of time.
//!
//! A timer stores when it started running and how much had elapsed before;
//! `remaining(now)` and `phase(now)` are derived on demand. Nothing ticks:
//! a server schedules a wake-up at [`Timer::next_threshold`] and clients
//! render from the same timestamps on every frame.

use serde::{Deserialize, Serialize};

use crate::time::{Millis, Timestamp};

/// When a countdown changes colour, as time left before the limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Thresholds {
    /// Amber from this much time left (preset: the last minute).
    pub warning: Millis,
    /// Red and flashing from this much time left (preset: the last 15 s).
    #[serde(rename = "final")]
    pub final_: Millis,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            warning: Millis::from_secs(60),
            final_: Millis::from_secs(15),
        }
    }
}

/// Whether the timer is counting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum TimerRun {
    /// Not counting: never started, reset, or ended. Keeps what had elapsed.
    Stopped { elapsed: Millis },
    /// Counting since `since`, with `elapsed_before` already used up.
    Running {
        since: Timestamp,
        elapsed_before: Millis,
    },
    /// Interrupted at `since` (a point of order, the chair), to resume later.
    Paused { since: Timestamp, elapsed: Millis },
}

/// How a countdown looks right now.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Normal,
    Warning,
    Final,
    /// Past the limit: counts up.
    Overtime,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Timer {
    /// The time allotted, including extensions.
    pub limit: Millis,
    pub thresholds: Thresholds,
    pub run: TimerRun,
}

impl Timer {
    /// A stopped timer with nothing elapsed.
    pub fn new(limit: Millis, thresholds: Thresholds) -> Timer {
        Timer {
            limit,
            thresholds,
            run: TimerRun::Stopped {
                elapsed: Millis::ZERO,
            },
        }
    }

    /// A timer started at `now`.
    pub fn started(limit: Millis, thresholds: Thresholds, now: Timestamp) -> Timer {
        Timer {
            limit,
            thresholds,
            run: TimerRun::Running {
                since: now,
                elapsed_before: Millis::ZERO,
            },
        }
    }

    pub fn is_running(&self) -> bool {
        matches!(self.run, TimerRun::Running { .. })
    }

    pub fn is_paused(&self) -> bool {
        matches!(self.run, TimerRun::Paused { .. })
    }

    /// Time used so far. A `now` before the start counts as the start.
    pub fn elapsed(&self, now: Timestamp) -> Millis {
        match self.run {
            TimerRun::Stopped { elapsed } | TimerRun::Paused { elapsed, .. } => elapsed,
            TimerRun::Running {
                since,
                elapsed_before,
            } => elapsed_before + (now - since).clamp_non_negative(),
        }
    }

    /// Time left; negative once in overtime.
    pub fn remaining(&self, now: Timestamp) -> Millis {
        self.limit - self.elapsed(now)
    }

    /// Time past the limit, zero before it.
    pub fn overtime(&self, now: Timestamp) -> Millis {
        (Millis::ZERO - self.remaining(now)).clamp_non_negative()
    }

    pub fn phase(&self, now: Timestamp) -> Phase {
        phase_for(self.remaining(now), self.thresholds)
    }

    /// The next instant after `now` at which the phase changes, with the
    /// phase it changes to; `None` unless running or once in overtime.
    pub fn next_threshold(&self, now: Timestamp) -> Option<(Timestamp, Phase)> {
        let TimerRun::Running {
            since,
            elapsed_before,
        } = self.run
        else {
            return None;
        };
        let elapsed = self.elapsed(now);
        [
            (self.limit - self.thresholds.warning, Phase::Warning),
            (self.limit - self.thresholds.final_, Phase::Final),
            (self.limit, Phase::Overtime),
        ]
        .into_iter()
        .filter(|(at_elapsed, _)| *at_elapsed > elapsed)
        .min_by_key(|(at_elapsed, _)| *at_elapsed)
        .map(|(at_elapsed, phase)| (since + (at_elapsed - elapsed_before), phase))
    }

    /// Starts or resumes counting at `now`; no effect when already running.
    pub fn resume(&mut self, now: Timestamp) {
        if let TimerRun::Stopped { elapsed } | TimerRun::Paused { elapsed, .. } = self.run {
            self.run = TimerRun::Running {
                since: now,
                elapsed_before: elapsed,
            };
        }
    }

    /// Freezes the remaining time at `now`; no effect unless running.
    pub fn pause(&mut self, now: Timestamp) {
        if self.is_running() {
            self.run = TimerRun::Paused {
                since: now,
                elapsed: self.elapsed(now),
            };
        }
    }

    /// Stops counting for good, keeping what elapsed.
    pub fn stop(&mut self, now: Timestamp) {
        self.run = TimerRun::Stopped {
            elapsed: self.elapsed(now),
        };
    }

    /// Gives more time (or takes some back with a negative `by`; the limit
    /// never goes below zero).
    pub fn extend(&mut self, by: Millis) {
        self.limit = (self.limit + by).clamp_non_negative();
    }

    /// Back to the full limit, stopped.
    pub fn reset(&mut self) {
        self.run = TimerRun::Stopped {
            elapsed: Millis::ZERO,
        };
    }
}

/// A countdown as a display renders it, with every threshold already
/// placed on the server's clock: a display compares its estimate of the
/// server's "now" with these instants and never applies a rule itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Countdown {
    /// The time allotted, including extensions.
    pub limit: Millis,
    pub clock: CountdownClock,
}

/// Whether a countdown moves, and where its phases begin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CountdownClock {
    /// Counting since `since`: `remaining = deadline − max(now, since)`
    /// (negative past it). The phase is `overtime` from `deadline`, `final`
    /// from `final_at`, `warning` from `warning_at`, `normal` before.
    Running {
        since: Timestamp,
        deadline: Timestamp,
        warning_at: Timestamp,
        final_at: Timestamp,
    },
    /// Interrupted or paused: frozen at `remaining`, in `phase`.
    Paused { remaining: Millis, phase: Phase },
    /// Not counting (not started, reset or ended).
    Stopped { remaining: Millis, phase: Phase },
}

impl Countdown {
    /// The remaining time and phase at `now`: exactly what a display shows.
    pub fn at(&self, now: Timestamp) -> (Millis, Phase) {
        match self.clock {
            CountdownClock::Running {
                since,
                deadline,
                warning_at,
                final_at,
            } => {
                // A display whose clock lags may read an instant before the
                // countdown (re)started: it reads the start.
                let now = now.max(since);
                let phase = if now >= deadline {
                    Phase::Overtime
                } else if now >= final_at {
                    Phase::Final
                } else if now >= warning_at {
                    Phase::Warning
                } else {
                    Phase::Normal
                };
                (deadline - now, phase)
            }
            CountdownClock::Paused { remaining, phase }
            | CountdownClock::Stopped { remaining, phase } => (remaining, phase),
        }
    }
}

impl Timer {
    /// This timer as a display renders it.
    pub fn countdown(&self) -> Countdown {
        let clock = match self.run {
            TimerRun::Running {
                since,
                elapsed_before,
            } => {
                let deadline = since + (self.limit - elapsed_before);
                CountdownClock::Running {
                    since,
                    deadline,
                    warning_at: deadline - self.thresholds.warning,
                    final_at: deadline - self.thresholds.final_,
                }
            }
            TimerRun::Paused { elapsed, .. } => CountdownClock::Paused {
                remaining: self.limit - elapsed,
                phase: phase_for(self.limit - elapsed, self.thresholds),
            },
            TimerRun::Stopped { elapsed } => CountdownClock::Stopped {
                remaining: self.limit - elapsed,
                phase: phase_for(self.limit - elapsed, self.thresholds),
            },
        };
        Countdown {
            limit: self.limit,
            clock,
        }
    }
}

/// The one rule for colours: `remaining <= 0` is overtime, then final, then
/// warning, else normal.
pub fn phase_for(remaining: Millis, thresholds: Thresholds) -> Phase {
    if remaining <= Millis::ZERO {
        Phase::Overtime
    } else if remaining <= thresholds.final_ {
        Phase::Final
    } else if remaining <= thresholds.warning {
        Phase::Warning
    } else {
        Phase::Normal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Timestamp = Timestamp(1_000_000);

    fn five_minutes_from(t: Timestamp) -> Timer {
        Timer::started(Millis::from_mins(5), Thresholds::default(), t)
    }

    #[test]
    fn remaining_time_is_derived_from_the_start_instant() {
        let t = five_minutes_from(T0);
        assert_eq!(t.remaining(T0), Millis::from_mins(5));
        assert_eq!(
            t.remaining(T0 + Millis::from_secs(90)),
            Millis::from_secs(210)
        );
        assert_eq!(
            t.remaining(T0 + Millis::from_mins(6)),
            Millis::from_mins(-1)
        );
        assert_eq!(t.overtime(T0 + Millis::from_mins(6)), Millis::from_mins(1));
    }

    #[test]
    fn phases_change_at_the_thresholds() {
        let t = five_minutes_from(T0);
        assert_eq!(t.phase(T0 + Millis::from_secs(239)), Phase::Normal);
        assert_eq!(t.phase(T0 + Millis::from_secs(240)), Phase::Warning);
        assert_eq!(t.phase(T0 + Millis::from_secs(285)), Phase::Final);
        assert_eq!(t.phase(T0 + Millis::from_secs(300)), Phase::Overtime);
    }

    #[test]
    fn next_threshold_is_the_next_phase_change() {
        let t = five_minutes_from(T0);
        assert_eq!(
            t.next_threshold(T0),
            Some((T0 + Millis::from_secs(240), Phase::Warning))
        );
        assert_eq!(
            t.next_threshold(T0 + Millis::from_secs(240)),
            Some((T0 + Millis::from_secs(285), Phase::Final))
        );
        assert_eq!(
            t.next_threshold(T0 + Millis::from_secs(290)),
            Some((T0 + Millis::from_secs(300), Phase::Overtime))
        );
        assert_eq!(t.next_threshold(T0 + Millis::from_secs(300)), None);
    }

    #[test]
    fn pause_freezes_and_resume_continues_with_what_was_left() {
        let mut t = five_minutes_from(T0);
        t.pause(T0 + Millis::from_mins(2));
        assert_eq!(
            t.remaining(T0 + Millis::from_mins(30)),
            Millis::from_mins(3)
        );
        assert_eq!(t.next_threshold(T0 + Millis::from_mins(30)), None);
        t.resume(T0 + Millis::from_mins(30));
        assert_eq!(
            t.remaining(T0 + Millis::from_mins(31)),
            Millis::from_mins(2)
        );
        assert_eq!(
            t.next_threshold(T0 + Millis::from_mins(31)),
            Some((T0 + Millis::from_mins(32), Phase::Warning))
        );
    }

    #[test]
    fn extend_adds_to_the_limit_and_reset_restores_it() {
        let mut t = five_minutes_from(T0);
        t.extend(Millis::from_mins(1));
        assert_eq!(t.remaining(T0 + Millis::from_mins(5)), Millis::from_mins(1));
        t.extend(Millis::from_mins(-10));
        assert_eq!(t.limit, Millis::ZERO);
        t.extend(Millis::from_mins(4));
        t.reset();
        assert_eq!(
            t.remaining(T0 + Millis::from_mins(100)),
            Millis::from_mins(4)
        );
        assert!(!t.is_running());
    }

    #[test]
    fn a_countdown_shows_what_the_timer_says_at_every_instant() {
        let thresholds = Thresholds::default();
        let mut timers = Vec::new();
        let mut t = Timer::started(Millis::from_secs(120), thresholds, T0);
        timers.push(t);
        t.pause(T0 + Millis::from_secs(30));
        timers.push(t);
        t.resume(T0 + Millis::from_secs(50));
        timers.push(t);
        t.extend(Millis::from_secs(-100));
        timers.push(t);
        t.stop(T0 + Millis::from_secs(200));
        timers.push(t);
        timers.push(Timer::new(Millis::from_secs(15), thresholds));
        for timer in timers {
            let countdown = timer.countdown();
            for ms in (-5_000..300_000).step_by(250) {
                let now = T0 + Millis(ms);
                assert_eq!(
                    countdown.at(now),
                    (timer.remaining(now), timer.phase(now)),
                    "{timer:?} at {ms} ms"
                );
            }
        }
    }
}
