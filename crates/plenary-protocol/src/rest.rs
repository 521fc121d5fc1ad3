//! Messages of the HTTP API that browsers use besides the websocket (the
//! technician console's access codes). Written once here so their JSON
//! Schema — and the TypeScript types generated from it — cannot drift.

use serde::{Deserialize, Serialize};

use plenary_core::Timestamp;

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
