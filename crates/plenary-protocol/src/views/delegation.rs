//! A delegation's console: who speaks, who is next, its own requests with
//! their expected times, and what it may ask for now and why not.

use serde::{Deserialize, Serialize};

use plenary_core::i18n::Lang;
use plenary_core::ids::{DelegationId, RequestId};
use plenary_core::projections::{self, Admission, Eta};
use plenary_core::rules::RequestKind;
use plenary_core::speakers::RequestStatus;
use plenary_core::{Meeting, Millis, Timestamp};

use super::consoles::DelegationLine;
use super::interpretation::distinct;
use super::parts::{self, Heading, NextUp, OnFloor};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DelegationView {
    pub heading: Heading,
    pub me: DelegationLine,
    pub floor: Option<OnFloor>,
    /// Everyone still to speak on the current item, in calling order.
    pub next: Vec<NextUp>,
    /// This delegation's requests on the current item, newest first.
    pub mine: Vec<MyRequest>,
    /// Each kind of request, with the answer asking now would get.
    pub may_request: Vec<Admission>,
    /// Languages it may declare it will speak.
    pub languages: Vec<Lang>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MyRequest {
    pub request: RequestId,
    pub kind: RequestKind,
    pub language: Lang,
    pub limit: Millis,
    pub requested_at: Timestamp,
    pub status: RequestStatus,
    /// 1-based place among those still to speak, while waiting.
    pub place: Option<usize>,
    pub expected_at: Option<Eta>,
}

pub(super) fn delegation(meeting: &Meeting, id: &DelegationId) -> Option<DelegationView> {
    let definition = &meeting.definition;
    let d = definition.delegation(id)?;
    let next = parts::next(meeting, usize::MAX);
    let mine = meeting
        .agenda
        .current_item()
        .map(|item| {
            item.speakers
                .requests
                .values()
                .rev()
                .filter(|r| &r.delegation == id)
                .map(|r| {
                    let place = next.iter().position(|n| n.turn.request() == Some(r.id));
                    MyRequest {
                        request: r.id,
                        kind: r.kind.clone(),
                        language: r.language.clone(),
                        limit: r.limit,
                        requested_at: r.requested_at,
                        status: r.status,
                        place: place.map(|p| p + 1),
                        expected_at: place.map(|p| next[p].expected_at),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    Some(DelegationView {
        heading: parts::heading(meeting),
        me: DelegationLine {
            id: d.id.clone(),
            name: d.name.clone(),
            category: d.category,
            floor_language: d.floor_language.clone(),
        },
        floor: parts::current(meeting),
        next,
        mine,
        may_request: projections::may_request(meeting, id),
        languages: distinct(definition.known_languages()),
    })
}
