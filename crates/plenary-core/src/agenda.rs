//! The agenda as it runs: the running order, which item is current, when
//! each actually started and ended, and each item's speakers list and
//! schedule of presenters. Opening and moving items are decided
//! (`decide_*`) and applied (`apply_*`) here.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::decide::Decider;
use crate::definition::MeetingDefinition;
use crate::error::CommandError;
use crate::event::Event;
use crate::ids::ItemId;
use crate::meeting::Meeting;
use crate::presentations::Schedule;
use crate::rules::Category;
use crate::speakers::SpeakersList;
use crate::time::{Millis, Timestamp};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Pending,
    Current,
    Done,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AgendaItem {
    pub id: ItemId,
    pub status: ItemStatus,
    /// When it was first opened.
    pub actual_start: Option<Timestamp>,
    /// When it was last closed.
    pub actual_end: Option<Timestamp>,
    /// Statement limits by category for this item.
    pub time_limits: BTreeMap<Category, Millis>,
    pub speakers: SpeakersList,
    pub schedule: Schedule,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Agenda {
    /// Items in running order (the chair may reorder them).
    pub items: Vec<AgendaItem>,
    pub current: Option<ItemId>,
}

impl Agenda {
    pub fn from_definition(definition: &MeetingDefinition) -> Self {
        let items = definition
            .agenda
            .iter()
            .map(|d| AgendaItem {
                id: d.id.clone(),
                status: ItemStatus::Pending,
                actual_start: None,
                actual_end: None,
                time_limits: d.time_limits.clone(),
                speakers: SpeakersList::new(d.list_open),
                schedule: Schedule::from_definition(&d.schedule),
            })
            .collect();
        Agenda {
            items,
            current: None,
        }
    }

    pub fn position(&self, id: &ItemId) -> Option<usize> {
        self.items.iter().position(|i| &i.id == id)
    }

    pub fn item(&self, id: &ItemId) -> Result<&AgendaItem, CommandError> {
        self.items
            .iter()
            .find(|i| &i.id == id)
            .ok_or_else(|| CommandError::UnknownItem { item: id.clone() })
    }

    pub(crate) fn item_mut(&mut self, id: &ItemId) -> Option<&mut AgendaItem> {
        self.items.iter_mut().find(|i| &i.id == id)
    }

    pub fn current_item(&self) -> Option<&AgendaItem> {
        self.current
            .as_ref()
            .and_then(|id| self.items.iter().find(|i| &i.id == id))
    }

    pub(crate) fn current_item_mut(&mut self) -> Option<&mut AgendaItem> {
        let id = self.current.clone()?;
        self.item_mut(&id)
    }

    /// The current item, which must be `expected`.
    pub fn require_current(&self, expected: &ItemId) -> Result<&AgendaItem, CommandError> {
        let item = self.item(expected)?;
        if item.status != ItemStatus::Current {
            return Err(CommandError::ItemNotCurrent {
                item: expected.clone(),
            });
        }
        Ok(item)
    }

    /// The item after the current one in running order (the first if none
    /// is open yet).
    pub fn next_id(&self) -> Result<&ItemId, CommandError> {
        let next = match self.current.as_ref().and_then(|c| self.position(c)) {
            None => 0,
            Some(i) => i + 1,
        };
        self.items
            .get(next)
            .map(|i| &i.id)
            .ok_or(CommandError::NoNextItem)
    }

    pub fn previous_id(&self) -> Result<&ItemId, CommandError> {
        match self.current.as_ref().and_then(|c| self.position(c)) {
            Some(i) if i > 0 => Ok(&self.items[i - 1].id),
            _ => Err(CommandError::NoPreviousItem),
        }
    }

    pub(crate) fn open(&mut self, id: &ItemId, at: Timestamp) {
        if let Some(current) = self.current_item_mut() {
            current.status = ItemStatus::Done;
            current.actual_end = Some(at);
        }
        if let Some(item) = self.item_mut(id) {
            item.status = ItemStatus::Current;
            item.actual_start.get_or_insert(at);
            item.actual_end = None;
        }
        self.current = Some(id.clone());
    }

    pub(crate) fn move_item(&mut self, id: &ItemId, to: usize) {
        if let Some(from) = self.position(id) {
            let item = self.items.remove(from);
            let to = to.min(self.items.len());
            self.items.insert(to, item);
        }
    }
}

// --- Rules: opening and moving items ------------------------------------------

/// Opens `item`: it must exist, not be current already, and the floor must
/// be free.
pub(crate) fn decide_open_item(d: &Decider<'_>, item: &ItemId) -> Result<Vec<Event>, CommandError> {
    d.meeting.agenda.item(item)?;
    if d.meeting.agenda.current.as_ref() == Some(item) {
        return Err(CommandError::ItemAlreadyCurrent { item: item.clone() });
    }
    if let Some(s) = &d.meeting.floor.current {
        return Err(CommandError::FloorOccupied {
            delegation: s.delegation.clone(),
        });
    }
    Ok(vec![Event::ItemOpened { item: item.clone() }])
}

pub(crate) fn decide_move_item(
    d: &Decider<'_>,
    item: &ItemId,
    to: usize,
) -> Result<Vec<Event>, CommandError> {
    d.meeting.agenda.item(item)?;
    let max = d.meeting.agenda.items.len() - 1;
    if to > max {
        return Err(CommandError::PositionOutOfRange { position: to, max });
    }
    Ok(vec![Event::ItemMoved {
        item: item.clone(),
        to,
    }])
}

pub(crate) fn apply_item_opened(m: &mut Meeting, item: &ItemId, at: Timestamp) {
    m.agenda.open(item, at);
    // Interpreters' shifts start when the meeting does.
    for booth in m.interpretation.booths.values_mut() {
        booth.on_mic_since.get_or_insert(at);
    }
}

pub(crate) fn apply_item_moved(m: &mut Meeting, item: &ItemId, to: usize) {
    m.agenda.move_item(item, to);
}
