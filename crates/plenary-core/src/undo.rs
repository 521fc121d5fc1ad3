//! Taking back a floor change made by mistake.
//!
//! For [`UNDO_WINDOW`] after the chair or secretariat calls the next
//! speaker, gives the floor, ends a speech or resets a countdown, the
//! change can be undone: the floor is put back as it was, the speaker who
//! had it continues with exactly the time they had left at the moment of
//! the change, and whoever was called by mistake goes back to the head of
//! the list with their request intact. Any later change of the floor — a
//! pause, an extension, another call — closes the window.
//!
//! The undo point is state, kept by [`Meeting::apply`] from the events
//! alone, so a replay restores exactly what the live meeting did.

use serde::{Deserialize, Serialize};

use crate::decide::Decider;
use crate::error::CommandError;
use crate::event::{Event, StoredEvent};
use crate::floor::{Floor, Speech, SpeechSource};
use crate::i18n::Lang;
use crate::ids::SpeechId;
use crate::meeting::Meeting;
use crate::presentations::SlotStatus;
use crate::roles::Role;
use crate::speakers::RequestStatus;
use crate::time::{Millis, Timestamp};
use crate::timer::TimerRun;

/// How long a floor change can be undone.
pub const UNDO_WINDOW: Millis = Millis::from_secs(30);

/// The floor as it was before the last change that can be undone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct UndoPoint {
    /// When the change was made, and by whom.
    pub at: Timestamp,
    pub by: Role,
    /// The last event of the change (its events are consecutive).
    pub last_seq: u64,
    /// The floor before the change.
    pub floor: Floor,
    /// The speaking log's length before the change.
    pub log_len: usize,
    pub floor_language_override: Option<Lang>,
}

/// A change undone: when it was made and when it was taken back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Restoration {
    pub changed_at: Timestamp,
    pub restored_at: Timestamp,
}

/// Whether an event can be part of a change that can be undone.
fn undoable(event: &Event) -> bool {
    matches!(
        event,
        Event::SpeechStarted { .. } | Event::SpeechEnded { .. } | Event::TimerReset
    )
}

/// Whether an event changes the floor at all.
fn touches_floor(event: &Event) -> bool {
    matches!(
        event,
        Event::SpeechStarted { .. }
            | Event::SpeechEnded { .. }
            | Event::TimerPaused
            | Event::TimerResumed
            | Event::TimerExtended { .. }
            | Event::TimerReset
            | Event::ItemOpened { .. }
    )
}

/// Called by [`Meeting::apply`] before each event: keeps the undo point of
/// the latest change by the chair or secretariat, and drops it on any other
/// change of the floor (the undo itself takes it in [`apply_undone`]). The events of one command are consecutive, share
/// their instant and their actor: they make one change.
pub(crate) fn before_event(m: &mut Meeting, stored: &StoredEvent) {
    if !touches_floor(&stored.event) {
        return;
    }
    let presiding = matches!(stored.actor, Role::Chair | Role::Secretariat);
    if !presiding || !undoable(&stored.event) {
        m.undo = None;
        return;
    }
    if let Some(point) = m.undo.as_mut()
        && point.at == stored.at
        && point.by == stored.actor
        && point.last_seq + 1 == stored.seq
    {
        point.last_seq = stored.seq;
        return;
    }
    m.undo = Some(UndoPoint {
        at: stored.at,
        by: stored.actor.clone(),
        last_seq: stored.seq,
        floor: m.floor.clone(),
        log_len: m.log.len(),
        floor_language_override: m.interpretation.floor_language_override.clone(),
    });
}

pub(crate) fn decide_undo(d: &Decider<'_>) -> Result<Vec<Event>, CommandError> {
    let point = d.meeting.undo.as_ref().ok_or(CommandError::NothingToUndo)?;
    if d.now - point.at > UNDO_WINDOW {
        return Err(CommandError::UndoExpired {
            secs: UNDO_WINDOW.as_millis() / 1000,
        });
    }
    Ok(vec![Event::FloorChangeUndone])
}

fn on_floor(floor: &Floor) -> impl Iterator<Item = &Speech> {
    floor.current.iter().chain(&floor.interrupted)
}

/// Puts the floor back as it was before the change, the speaker on it
/// continuing from `at` with the time left when the change was made.
pub(crate) fn apply_undone(m: &mut Meeting, at: Timestamp) {
    let Some(point) = m.undo.take() else {
        return;
    };
    let before: Vec<SpeechId> = on_floor(&point.floor).map(|s| s.id).collect();
    // Called by mistake: back to the head of the list, or of the schedule.
    let mistaken: Vec<Speech> = on_floor(&m.floor)
        .filter(|s| !before.contains(&s.id))
        .cloned()
        .collect();
    for s in mistaken.iter().rev() {
        match &s.source {
            SpeechSource::Request { request, .. } => {
                if let Some(item) = m.item_of_request_mut(*request) {
                    item.speakers.set_status(*request, RequestStatus::Requested);
                    item.speakers.move_to(*request, 0);
                }
            }
            SpeechSource::Presentation => {
                if let Some(item) = m.agenda.item_mut(&s.item) {
                    item.schedule.set_status_of(s.id, SlotStatus::Pending);
                }
            }
        }
    }
    // Ended by mistake: off the log, speaking again.
    m.log.truncate(point.log_len);
    let mut floor = point.floor;
    for s in on_floor(&floor) {
        match &s.source {
            SpeechSource::Request { request, .. } => {
                m.set_request_status(*request, RequestStatus::Speaking { speech: s.id });
            }
            SpeechSource::Presentation => {
                if let Some(item) = m.agenda.item_mut(&s.item) {
                    item.schedule
                        .set_status_of(s.id, SlotStatus::Presenting { speech: s.id });
                }
            }
        }
    }
    if let Some(current) = floor.current.as_mut() {
        if let TimerRun::Running { .. } = current.timer.run {
            current.timer.run = TimerRun::Running {
                since: at,
                elapsed_before: current.timer.elapsed(point.at),
            };
        }
        current.restorations.push(Restoration {
            changed_at: point.at,
            restored_at: at,
        });
    }
    floor.rev = m.floor.rev + 1;
    m.floor = floor;
    m.interpretation.floor_language_override = point.floor_language_override;
}
