//! Who speaks next on the current item, in the order the chair's "call
//! next" takes them (`floor::decide_call_next`), and when each can expect
//! the floor.

use serde::{Deserialize, Serialize};

use crate::floor::{Speech, SpeechSource};
use crate::i18n::Lang;
use crate::ids::{DelegationId, RequestId};
use crate::meeting::Meeting;
use crate::rules::RequestKind;
use crate::speakers::Request;
use crate::time::Millis;
use crate::timer::CountdownClock;

use super::eta::Eta;

/// Someone still to speak on the current item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Upcoming {
    pub delegation: DelegationId,
    pub turn: Turn,
    pub language: Lang,
    /// The time they will have: the limit, or what an interrupted speaker
    /// has left.
    pub duration: Millis,
    /// When they can expect the floor.
    pub expected_at: Eta,
}

/// Why someone is in the line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "turn", rename_all = "snake_case")]
pub enum Turn {
    /// Interrupted by a point of order: takes the floor back once the
    /// points of order are dealt with.
    Resumes { source: SpeechSource },
    /// A waiting request on the speakers list.
    Request {
        request: RequestId,
        kind: RequestKind,
    },
    /// A scheduled presenter.
    Presentation,
}

impl Turn {
    /// The request behind it, if any.
    pub fn request(&self) -> Option<RequestId> {
        match self {
            Turn::Request { request, .. } => Some(*request),
            Turn::Resumes { source } => source.request(),
            Turn::Presentation => None,
        }
    }
}

/// When a speech leaves the floor: its deadline, then for as long as the
/// speaker overruns, or its frozen remainder after whenever it resumes.
fn done_at(start: Eta, speech: &Speech) -> Eta {
    match speech.timer.countdown().clock {
        CountdownClock::Running { deadline, .. } => start.not_before(deadline),
        CountdownClock::Paused { remaining, .. } | CountdownClock::Stopped { remaining, .. } => {
            start.later(remaining.clamp_non_negative())
        }
    }
}

/// Everyone still to speak on the current item, in calling order: waiting
/// points of order, then the speakers they interrupted (the last
/// interrupted first), then pending presenters, then the list.
pub fn upcoming(meeting: &Meeting) -> Vec<Upcoming> {
    let Some(item) = meeting.agenda.current_item() else {
        return Vec::new();
    };
    let floor = &meeting.floor;
    let definition = &meeting.definition;
    let interrupts = definition.rules.point_of_order.interrupts;
    let current_done = floor
        .current
        .as_ref()
        .map_or(Eta::now(), |s| done_at(Eta::now(), s));
    let mut out = Vec::new();

    // Points of order are called first; when they interrupt, the chair can
    // call one at once and the speaker's countdown waits for them. A point
    // of order never interrupts another: the next waits for it to end.
    let interrupting = interrupts
        && !floor
            .current
            .as_ref()
            .is_some_and(|s| s.source.is_point_of_order());
    let mut cursor = if interrupting {
        Eta::now()
    } else {
        current_done
    };
    let mut points = Millis::ZERO;
    for r in item
        .speakers
        .waiting()
        .filter(|r| r.kind == RequestKind::PointOfOrder)
    {
        out.push(waiting(r, cursor));
        cursor = cursor.later(r.limit);
        points += r.limit;
    }
    // Then the speakers they interrupted take the floor back.
    let mut cursor = current_done.later(points);
    for s in floor.interrupted.iter().rev() {
        out.push(Upcoming {
            delegation: s.delegation.clone(),
            turn: Turn::Resumes {
                source: s.source.clone(),
            },
            language: s.language.clone(),
            // Frozen while interrupted: the same at any instant.
            duration: s.timer.remaining(meeting.updated_at),
            expected_at: cursor,
        });
        cursor = done_at(cursor, s);
    }
    for slot in item.schedule.pending() {
        let Some(language) = slot.language.clone().or_else(|| {
            definition
                .delegation(&slot.presenter)
                .map(|d| d.floor_language.clone())
        }) else {
            continue;
        };
        out.push(Upcoming {
            delegation: slot.presenter.clone(),
            turn: Turn::Presentation,
            language,
            duration: slot.allotted,
            expected_at: cursor,
        });
        cursor = cursor.later(slot.allotted);
    }
    for r in item
        .speakers
        .waiting()
        .filter(|r| r.kind != RequestKind::PointOfOrder)
    {
        out.push(waiting(r, cursor));
        cursor = cursor.later(r.limit);
    }
    out
}

/// A waiting request's place in the line, expected at `at`.
fn waiting(r: &Request, at: Eta) -> Upcoming {
    Upcoming {
        delegation: r.delegation.clone(),
        turn: Turn::Request {
            request: r.id,
            kind: r.kind.clone(),
        },
        language: r.language.clone(),
        duration: r.limit,
        expected_at: at,
    }
}
