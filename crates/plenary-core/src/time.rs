//! Time as a value. The core never reads a clock: every instant it sees was
//! passed in by the caller (the server reads the clock once per command).

use std::fmt;
use std::ops::{Add, AddAssign, Sub, SubAssign};

use serde::{Deserialize, Serialize};

/// An instant: milliseconds since the Unix epoch, UTC.
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
#[serde(transparent)]
pub struct Timestamp(pub i64);

/// A signed span of time in milliseconds. Signed so that drift ("12 min late"
/// or "3 min early") and overtime need no second type.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(transparent)]
pub struct Millis(pub i64);

impl Millis {
    pub const ZERO: Millis = Millis(0);

    pub const fn from_secs(s: i64) -> Self {
        Millis(s * 1000)
    }

    pub const fn from_mins(m: i64) -> Self {
        Millis(m * 60_000)
    }

    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// Never below zero: for "time left" style quantities.
    pub fn clamp_non_negative(self) -> Self {
        Millis(self.0.max(0))
    }
}

impl fmt::Display for Millis {
    /// `m:ss`, with a leading minus for negative spans.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let total = self.0.unsigned_abs() / 1000;
        write!(f, "{sign}{}:{:02}", total / 60, total % 60)
    }
}

impl Add<Millis> for Timestamp {
    type Output = Timestamp;
    fn add(self, rhs: Millis) -> Timestamp {
        Timestamp(self.0 + rhs.0)
    }
}

impl Sub<Millis> for Timestamp {
    type Output = Timestamp;
    fn sub(self, rhs: Millis) -> Timestamp {
        Timestamp(self.0 - rhs.0)
    }
}

impl Sub for Timestamp {
    type Output = Millis;
    fn sub(self, rhs: Timestamp) -> Millis {
        Millis(self.0 - rhs.0)
    }
}

impl Add for Millis {
    type Output = Millis;
    fn add(self, rhs: Millis) -> Millis {
        Millis(self.0 + rhs.0)
    }
}

impl AddAssign for Millis {
    fn add_assign(&mut self, rhs: Millis) {
        self.0 += rhs.0;
    }
}

impl Sub for Millis {
    type Output = Millis;
    fn sub(self, rhs: Millis) -> Millis {
        Millis(self.0 - rhs.0)
    }
}

impl SubAssign for Millis {
    fn sub_assign(&mut self, rhs: Millis) {
        self.0 -= rhs.0;
    }
}

impl std::iter::Sum for Millis {
    fn sum<I: Iterator<Item = Millis>>(iter: I) -> Millis {
        Millis(iter.map(|m| m.0).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn millis_display_as_minutes_and_seconds() {
        assert_eq!(Millis::from_secs(75).to_string(), "1:15");
        assert_eq!(Millis(-61_500).to_string(), "-1:01");
        assert_eq!(Millis::ZERO.to_string(), "0:00");
    }
}
