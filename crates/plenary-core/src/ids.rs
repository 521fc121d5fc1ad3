//! Identifiers. Each kind of thing has its own type so that a booth id can
//! never be passed where a delegation id is expected.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            pub fn new(s: impl Into<String>) -> Self {
                Self(s.into())
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }
    };
}

string_id!(
    /// A meeting, e.g. `san-pedro-sula-2017`.
    MeetingId
);
string_id!(
    /// A delegation, e.g. `hn` for Honduras or `unhcr`.
    DelegationId
);
string_id!(
    /// An agenda item, e.g. `national-plans`.
    ItemId
);
string_id!(
    /// An interpretation booth, e.g. `booth-es`.
    BoothId
);
string_id!(
    /// A room display, e.g. `hall-left`.
    ScreenId
);
string_id!(
    /// A named group of screens, e.g. `hall`.
    ScreenGroup
);
string_id!(
    /// An interpreter working in a booth.
    InterpreterId
);

/// A request for the floor; allocated by the meeting in order, never reused.
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
pub struct RequestId(pub u64);

/// One speech (or presentation) in the speaking log; allocated in order.
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
pub struct SpeechId(pub u64);

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

impl fmt::Display for SpeechId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "speech {}", self.0)
    }
}
