//! Instants that slide with the clock.
//!
//! While a speaker overruns, or a countdown waits paused, everything after
//! them moves later second by second. Rather than recompute and resend
//! every projection each second, a projection is an [`Eta`]: the rule is
//! applied once, here, and a display only evaluates `max(not_before,
//! now + after_now)` with its estimate of the server's clock.

use serde::{Deserialize, Serialize};

use crate::time::{Millis, Timestamp};

/// `max(not_before, now + after_now)`, over the parts present. Fixed when
/// `after_now` is absent; slides with the clock when `not_before` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Eta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_now: Option<Millis>,
}

impl Eta {
    /// A fixed instant.
    pub const fn fixed(at: Timestamp) -> Eta {
        Eta {
            not_before: Some(at),
            after_now: None,
        }
    }

    /// `now` itself, whenever that is.
    pub const fn now() -> Eta {
        Eta {
            not_before: None,
            after_now: Some(Millis::ZERO),
        }
    }

    /// The instant at `now`.
    pub fn at(&self, now: Timestamp) -> Timestamp {
        match (self.not_before, self.after_now) {
            (Some(t), Some(d)) => t.max(now + d),
            (Some(t), None) => t,
            (None, Some(d)) => now + d,
            (None, None) => now,
        }
    }

    /// The same instant `by` later.
    pub fn later(self, by: Millis) -> Eta {
        Eta {
            not_before: self.not_before.map(|t| t + by),
            after_now: self.after_now.map(|d| d + by),
        }
    }

    /// The later of the two, at every `now`.
    pub fn max(self, other: Eta) -> Eta {
        fn later<T: Ord>(a: Option<T>, b: Option<T>) -> Option<T> {
            match (a, b) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, None) => a,
                (None, b) => b,
            }
        }
        Eta {
            not_before: later(self.not_before, other.not_before),
            after_now: later(self.after_now, other.after_now),
        }
    }

    /// Never before `t`.
    pub fn not_before(self, t: Timestamp) -> Eta {
        self.max(Eta::fixed(t))
    }

    /// Whether it moves with the clock.
    pub fn slides(&self) -> bool {
        self.after_now.is_some()
    }
}

/// How far a projected instant lies past a planned one: positive when late.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Drift {
    pub planned: Timestamp,
    pub projected: Eta,
}

impl Drift {
    pub fn at(&self, now: Timestamp) -> Millis {
        self.projected.at(now) - self.planned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Timestamp = Timestamp(1_000_000);

    #[test]
    fn a_fixed_instant_ignores_the_clock() {
        let e = Eta::fixed(T);
        assert_eq!(e.at(Timestamp(0)), T);
        assert_eq!(e.at(T + Millis::from_secs(99)), T);
    }

    #[test]
    fn a_sliding_instant_holds_until_its_floor_then_moves_with_the_clock() {
        let e = Eta::fixed(T).max(Eta::now()).later(Millis::from_secs(60));
        assert_eq!(e.at(T - Millis::from_secs(30)), T + Millis::from_secs(60));
        assert_eq!(e.at(T + Millis::from_secs(30)), T + Millis::from_secs(90));
    }

    #[test]
    fn max_and_later_agree_with_evaluation_at_any_now() {
        let a = Eta::fixed(T).max(Eta::now().later(Millis::from_secs(5)));
        let b = Eta::now()
            .later(Millis::from_secs(20))
            .not_before(T - Millis::from_secs(1));
        for s in -100..100 {
            let now = T + Millis::from_secs(s);
            assert_eq!(a.max(b).at(now), a.at(now).max(b.at(now)));
            assert_eq!(a.later(Millis(7)).at(now), a.at(now) + Millis(7));
        }
    }
}
