//! What each role may see. The server serialises every committed event at
//! most once per [`Audience`] and sends those same bytes to everyone in it.
//!
//! - Access codes and tokens never appear in the state or the events.
//! - Interpreters' names, booth handovers and "slower please" signals stay
//!   with the people running the meeting, the technician and the booths;
//!   delegations, room screens and the public never receive them.
//! - Who pressed "slower please" is never told: actors that are
//!   interpreters are hidden from everyone but the booths and the technician.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use plenary_core::{Event, Meeting, Role};

use crate::messages::EventFrame;

/// A class of clients that see exactly the same thing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Chair and secretariat.
    Presiding,
    Technician,
    Interpreter,
    Delegation,
    Screen,
    Public,
}

impl Audience {
    pub const ALL: [Audience; 6] = [
        Audience::Presiding,
        Audience::Technician,
        Audience::Interpreter,
        Audience::Delegation,
        Audience::Screen,
        Audience::Public,
    ];

    pub fn of(role: &Role) -> Audience {
        match role {
            Role::Chair | Role::Secretariat | Role::System => Audience::Presiding,
            Role::Technician => Audience::Technician,
            Role::Interpreter { .. } => Audience::Interpreter,
            Role::Delegation { .. } => Audience::Delegation,
            Role::Screen { .. } => Audience::Screen,
            Role::Public => Audience::Public,
        }
    }

    /// Index into per-audience caches.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Whether this audience works the interpretation side of the meeting.
    fn sees_interpretation_internals(self) -> bool {
        matches!(
            self,
            Audience::Presiding | Audience::Technician | Audience::Interpreter
        )
    }
}

/// Whether an event reaches an audience at all.
pub fn event_visible(event: &Event, audience: Audience) -> bool {
    match event {
        // The definition travels in snapshots, redacted per audience.
        Event::MeetingCreated { .. } => false,
        Event::HandoverRequested { .. }
        | Event::HandoverAccepted { .. }
        | Event::SlowerPleaseSignalled { .. }
        | Event::SlowerPleaseAcknowledged => audience.sees_interpretation_internals(),
        _ => true,
    }
}

/// Who caused an event, as an audience may know it.
pub fn actor_visible(actor: &Role, audience: Audience) -> Option<Role> {
    match actor {
        Role::Interpreter { .. }
            if !matches!(audience, Audience::Technician | Audience::Interpreter) =>
        {
            None
        }
        _ => Some(actor.clone()),
    }
}

/// A committed event as an audience sees it.
pub fn event_frame(stored: &plenary_core::StoredEvent, audience: Audience) -> EventFrame {
    let visible = event_visible(&stored.event, audience);
    EventFrame {
        seq: stored.seq,
        at: stored.at,
        actor: if visible {
            actor_visible(&stored.actor, audience)
        } else {
            None
        },
        event: visible.then(|| stored.event.clone()),
    }
}

/// The meeting state as an audience may see it.
pub fn redact(meeting: &Meeting, audience: Audience) -> Meeting {
    let mut view = meeting.clone();
    if !audience.sees_interpretation_internals() {
        let mut definition = (*view.definition).clone();
        let booths: Vec<_> = definition
            .booths
            .iter()
            .cloned()
            .map(|mut b| {
                for i in &mut b.interpreters {
                    i.name.clear();
                }
                b
            })
            .collect();
        definition.booths = booths.into();
        view.definition = Arc::new(definition);
        // Shifts, handovers and signals are the booths' business.
        view.interpretation.slower_please.clear();
        view.interpretation.booths.clear();
    }
    view
}
