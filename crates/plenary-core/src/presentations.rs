//! Scheduled presentations: an agenda item whose speakers are a fixed
//! schedule of presenters with allotted times (each country's national
//! operational plan), rather than an open list. Starting, skipping and
//! deferring presenters are decided (`decide_*`) and applied (`apply_*`) here.

use serde::{Deserialize, Serialize};

use crate::decide::Decider;
use crate::definition::Presenter;
use crate::error::CommandError;
use crate::event::Event;
use crate::floor;
use crate::i18n::Lang;
use crate::ids::{DelegationId, ItemId, SpeechId};
use crate::meeting::Meeting;
use crate::time::Millis;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SlotStatus {
    Pending,
    Presenting { speech: SpeechId },
    Done { speech: SpeechId },
    Skipped,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Slot {
    pub presenter: DelegationId,
    pub allotted: Millis,
    pub language: Option<Lang>,
    pub status: SlotStatus,
    /// How often the chair moved it to the end.
    pub deferred: u32,
}

/// The presenters of an item, in running order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Schedule {
    pub slots: Vec<Slot>,
}

impl Schedule {
    pub fn from_definition(presenters: &[Presenter]) -> Self {
        Schedule {
            slots: presenters
                .iter()
                .map(|p| Slot {
                    presenter: p.delegation.clone(),
                    allotted: p.allotted,
                    language: p.language.clone(),
                    status: SlotStatus::Pending,
                    deferred: 0,
                })
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    pub fn pending(&self) -> impl Iterator<Item = &Slot> {
        self.slots
            .iter()
            .filter(|s| s.status == SlotStatus::Pending)
    }

    pub fn next_pending(&self) -> Option<&Slot> {
        self.pending().next()
    }

    /// The slot of `presenter` that the chair may act on: pending, or the
    /// first one of theirs if none is.
    fn slot_of(&self, presenter: &DelegationId) -> Option<&Slot> {
        let mut theirs = self.slots.iter().filter(|s| &s.presenter == presenter);
        let first = theirs.clone().next();
        theirs.find(|s| s.status == SlotStatus::Pending).or(first)
    }

    /// The pending slot of `presenter`, or why there is none.
    pub fn pending_slot(&self, presenter: &DelegationId) -> Result<&Slot, CommandError> {
        match self.slot_of(presenter) {
            None => Err(CommandError::UnknownPresenter {
                presenter: presenter.clone(),
            }),
            Some(s) if s.status != SlotStatus::Pending => Err(CommandError::PresenterNotPending {
                presenter: presenter.clone(),
            }),
            Some(s) => Ok(s),
        }
    }

    fn pending_index(&self, presenter: &DelegationId) -> Option<usize> {
        self.slots
            .iter()
            .position(|s| &s.presenter == presenter && s.status == SlotStatus::Pending)
    }

    pub(crate) fn set_status(&mut self, presenter: &DelegationId, status: SlotStatus) {
        let index = match status {
            // Ending: the slot being presented.
            SlotStatus::Done { speech } => self
                .slots
                .iter()
                .position(|s| s.status == SlotStatus::Presenting { speech }),
            _ => self.pending_index(presenter),
        };
        if let Some(slot) = index.and_then(|i| self.slots.get_mut(i)) {
            slot.status = status;
        }
    }

    /// Sets the status of the slot presented (or being presented) as
    /// `speech`: taking back a change made by mistake.
    pub(crate) fn set_status_of(&mut self, speech: SpeechId, status: SlotStatus) {
        if let Some(slot) = self.slots.iter_mut().find(|s| {
            matches!(s.status, SlotStatus::Presenting { speech: p } | SlotStatus::Done { speech: p } if p == speech)
        }) {
            slot.status = status;
        }
    }

    /// Moves a pending presenter to the end of the schedule.
    pub(crate) fn defer(&mut self, presenter: &DelegationId) {
        if let Some(i) = self.pending_index(presenter) {
            let mut slot = self.slots.remove(i);
            slot.deferred += 1;
            self.slots.push(slot);
        }
    }

    /// Allotted time of everyone still to present.
    pub fn pending_time(&self) -> Millis {
        self.pending().map(|s| s.allotted).sum()
    }
}

// --- Rules: starting, skipping, deferring presenters --------------------------

/// The item's schedule of presenters, refused if it has none.
fn schedule_of<'m>(d: &Decider<'m>, item: &ItemId) -> Result<&'m Schedule, CommandError> {
    let schedule = &d.meeting.agenda.item(item)?.schedule;
    if schedule.is_empty() {
        return Err(CommandError::NoSchedule { item: item.clone() });
    }
    Ok(schedule)
}

/// Starts the next pending presenter, or the one named, ending whoever
/// speaks (never during a point of order).
pub(crate) fn decide_start(
    d: &Decider<'_>,
    item: &ItemId,
    presenter: Option<&DelegationId>,
) -> Result<Vec<Event>, CommandError> {
    d.meeting.agenda.require_current(item)?;
    let schedule = schedule_of(d, item)?;
    let slot = match presenter {
        Some(p) => schedule.pending_slot(p)?,
        None => schedule
            .next_pending()
            .ok_or(CommandError::NoPresenterPending)?,
    };
    if d.meeting.floor.point_of_order_in_progress() {
        return Err(CommandError::PointOfOrderInProgress);
    }
    let mut events = floor::end_any(d);
    events.push(floor::start_slot(d, item, slot));
    Ok(events)
}

pub(crate) fn decide_skip(
    d: &Decider<'_>,
    item: &ItemId,
    presenter: &DelegationId,
) -> Result<Vec<Event>, CommandError> {
    schedule_of(d, item)?.pending_slot(presenter)?;
    Ok(vec![Event::PresenterSkipped {
        item: item.clone(),
        presenter: presenter.clone(),
    }])
}

/// Moves a pending presenter to the end of the schedule.
pub(crate) fn decide_defer(
    d: &Decider<'_>,
    item: &ItemId,
    presenter: &DelegationId,
) -> Result<Vec<Event>, CommandError> {
    schedule_of(d, item)?.pending_slot(presenter)?;
    Ok(vec![Event::PresenterDeferred {
        item: item.clone(),
        presenter: presenter.clone(),
    }])
}

// --- Applying -----------------------------------------------------------------

pub(crate) fn apply_skipped(m: &mut Meeting, item: &ItemId, presenter: &DelegationId) {
    if let Some(it) = m.agenda.item_mut(item) {
        it.schedule.set_status(presenter, SlotStatus::Skipped);
    }
}

pub(crate) fn apply_deferred(m: &mut Meeting, item: &ItemId, presenter: &DelegationId) {
    if let Some(it) = m.agenda.item_mut(item) {
        it.schedule.defer(presenter);
    }
}
