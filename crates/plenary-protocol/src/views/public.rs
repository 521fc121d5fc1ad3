//! The public view: who speaks, who is next, who spoke, the running order.

use serde::{Deserialize, Serialize};

use plenary_core::Meeting;

use super::parts::{self, Heading, NextUp, OnFloor, Schedule, Spoken};

/// How many people still to speak, and speeches ended, the public sees.
pub(super) const NEXT: usize = 10;
pub(super) const RECENT: usize = 8;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PublicView {
    pub heading: Heading,
    pub floor: Option<OnFloor>,
    pub next: Vec<NextUp>,
    pub recent: Vec<Spoken>,
    pub schedule: Schedule,
}

pub(super) fn public(meeting: &Meeting) -> PublicView {
    PublicView {
        heading: parts::heading(meeting),
        floor: parts::current(meeting),
        next: parts::next(meeting, NEXT),
        recent: parts::recent(meeting, RECENT),
        schedule: parts::schedule(meeting),
    }
}
