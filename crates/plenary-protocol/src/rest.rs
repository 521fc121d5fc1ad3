//! Messages of the HTTP API that browsers use besides the websocket (the
//! technician console's access codes). Written once here so their JSON
//! Schema — and the TypeScript types generated from it — cannot drift.

use serde::{Deserialize, Serialize};

use plenary_core::Timestamp;
use plenary_core::floor::SpeechRecord;
use plenary_core::ids::MeetingId;
use plenary_core::projections::RunningOrder;
use plenary_core::record::SessionRecord;
use plenary_core::zone::ZoneName;

/// An access code as listed: never the code, never its hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AccessCodeInfo {
    pub id: String,
    /// `chair`, `delegation:hn`, `screen:hall-left`…
    pub role: String,
    pub label: String,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct IssueCode {
    /// `chair`, `secretariat`, `technician`, `delegation:<id>`,
    /// `interpreter:<booth>` or `screen:<id>`.
    pub role: String,
    #[serde(default)]
    pub label: String,
}

/// A new code: shown this once, stored only as a hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct IssuedCode {
    pub id: String,
    pub code: String,
    pub role: String,
    pub label: String,
}

/// The minutes as JSON (`GET /api/v1/meetings/{id}/export?format=json`,
/// `plenary export --format json`): for programs, so every instant is UTC
/// (milliseconds since the epoch, `exported_at` in RFC 3339 with `Z`), every
/// duration milliseconds and every status, kind or category its code; the
/// meeting's `time_zone` is given for whoever shows them to people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Minutes {
    pub meeting: MeetingId,
    pub exported_at: String,
    /// The last event the minutes include.
    pub seq: u64,
    pub time_zone: ZoneName,
    pub running_order: RunningOrder,
    /// Totals, shares, overruns, procedural speeches, interpretation: the
    /// same aggregate as the HTML minutes and the chair's live report.
    pub record: SessionRecord,
    /// The speaking log: every finished speech, in order.
    pub speeches: Vec<SpeechRecord>,
}
