//! Pieces several view documents share: the heading, who has the floor,
//! who is next, the running order. Every field is derived here or in the
//! core's projections; a display only formats it.

use plenary_core::zone::ZoneName;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use plenary_core::agenda::ItemStatus;
use plenary_core::definition::ItemKind;
use plenary_core::floor::{Speech, SpeechRecord, SpeechSource};
use plenary_core::i18n::{Lang, Texts};
use plenary_core::ids::{DelegationId, ItemId, MeetingId, SpeechId};
use plenary_core::projections::{self, Drift, Eta, ItemTimes, Turn, Upcoming};
use plenary_core::timer::Countdown;
use plenary_core::{Meeting, Millis, Timestamp};

/// The meeting and the item under discussion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Heading {
    pub meeting: MeetingId,
    pub title: Texts,
    /// The meeting's languages, main one first.
    pub languages: Vec<Lang>,
    /// The meeting's IANA time zone: every time a person reads is shown
    /// in it (the instants themselves stay UTC milliseconds).
    #[serde(default)]
    pub time_zone: ZoneName,
    pub item: Option<ItemHeading>,
    /// Names of the request kinds these rules add to the three standard
    /// ones (statement, point of order, right of reply), by id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub kinds: BTreeMap<String, Texts>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ItemHeading {
    pub id: ItemId,
    pub title: Texts,
    pub kind: ItemKind,
    /// 1-based place in the running order, of `count`.
    pub number: usize,
    pub count: usize,
    pub list_open: bool,
}

/// Someone with the floor, or interrupted and waiting to resume.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OnFloor {
    pub speech: SpeechId,
    pub delegation: DelegationId,
    pub name: Texts,
    pub source: SpeechSource,
    pub language: Lang,
    pub started_at: Timestamp,
    pub countdown: Countdown,
    /// Nobody in the booths has the language spoken: the hall is told
    /// "no interpretation".
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub uninterpreted: bool,
}

/// Someone still to speak on the current item, in calling order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NextUp {
    pub delegation: DelegationId,
    pub name: Texts,
    #[serde(flatten)]
    pub turn: Turn,
    pub language: Lang,
    pub duration: Millis,
    pub expected_at: Eta,
}

/// An agenda item in running order, with planned and projected times.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AgendaLine {
    pub item: ItemId,
    pub title: Texts,
    pub kind: ItemKind,
    pub status: ItemStatus,
    pub planned_start: Timestamp,
    pub planned_end: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual_start: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual_end: Option<Timestamp>,
    /// Projected times, relative to the schedule's `anchor` for items to
    /// come (so a change on the floor moves one instant, not every line).
    pub times: ItemTimes,
}

/// The running order: every item, the drift and the projected end.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Schedule {
    /// When the current item ends (or, with none, when the next can start).
    pub anchor: Eta,
    pub items: Vec<AgendaLine>,
    pub drift: Drift,
    pub planned_end: Option<Timestamp>,
    pub projected_end: Eta,
}

/// A speech that has ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Spoken {
    pub speech: SpeechId,
    pub delegation: DelegationId,
    pub name: Texts,
    pub source: SpeechSource,
    pub started_at: Timestamp,
    pub ended_at: Timestamp,
    pub spoken: Millis,
}

/// A delegation's name, or its id when the definition does not know it.
pub(super) fn name_of(meeting: &Meeting, delegation: &DelegationId) -> Texts {
    meeting.definition.name_of(delegation)
}

pub(super) fn heading(meeting: &Meeting) -> Heading {
    let definition = &meeting.definition;
    let item = meeting.agenda.current_item().and_then(|item| {
        let d = definition.item(&item.id)?;
        Some(ItemHeading {
            id: item.id.clone(),
            title: d.title.clone(),
            kind: d.kind,
            number: meeting.agenda.position(&item.id).map_or(0, |p| p + 1),
            count: meeting.agenda.items.len(),
            list_open: item.speakers.open,
        })
    });
    Heading {
        meeting: definition.id.clone(),
        title: definition.title.clone(),
        languages: definition.languages.clone(),
        time_zone: definition.time_zone.clone(),
        item,
        kinds: definition
            .rules
            .extra_kinds
            .iter()
            .map(|k| (k.id.clone(), k.name.clone()))
            .collect(),
    }
}

pub(super) fn on_floor(meeting: &Meeting, speech: &Speech) -> OnFloor {
    OnFloor {
        speech: speech.id,
        delegation: speech.delegation.clone(),
        name: name_of(meeting, &speech.delegation),
        source: speech.source.clone(),
        language: speech.language.clone(),
        started_at: speech.started_at,
        countdown: speech.timer.countdown(),
        uninterpreted: !meeting.definition.interprets(&speech.language),
    }
}

/// Who has the floor; `uninterpreted` follows the floor language, which
/// the chair or technician may have set.
pub(super) fn current(meeting: &Meeting) -> Option<OnFloor> {
    meeting.floor.current.as_ref().map(|s| OnFloor {
        uninterpreted: meeting
            .floor_language()
            .is_some_and(|l| !meeting.definition.interprets(l)),
        ..on_floor(meeting, s)
    })
}

fn next_up(meeting: &Meeting, u: Upcoming) -> NextUp {
    NextUp {
        name: name_of(meeting, &u.delegation),
        delegation: u.delegation,
        turn: u.turn,
        language: u.language,
        duration: u.duration,
        expected_at: u.expected_at,
    }
}

/// The first `limit` people still to speak, in calling order.
pub(super) fn next(meeting: &Meeting, limit: usize) -> Vec<NextUp> {
    projections::upcoming(meeting)
        .into_iter()
        .take(limit)
        .map(|u| next_up(meeting, u))
        .collect()
}

pub(super) fn schedule(meeting: &Meeting) -> Schedule {
    let order = projections::projected_order(meeting);
    let definition = &meeting.definition;
    Schedule {
        items: order
            .items
            .into_iter()
            .filter_map(|i| {
                let d = definition.item(&i.item)?;
                Some(AgendaLine {
                    title: d.title.clone(),
                    kind: d.kind,
                    item: i.item,
                    status: i.status,
                    planned_start: i.planned_start,
                    planned_end: i.planned_end,
                    actual_start: i.actual_start,
                    actual_end: i.actual_end,
                    times: i.times,
                })
            })
            .collect(),
        anchor: order.anchor,
        drift: order.drift,
        planned_end: order.planned_end,
        projected_end: order.projected_end,
    }
}

fn spoken(meeting: &Meeting, r: &SpeechRecord) -> Spoken {
    Spoken {
        speech: r.id,
        delegation: r.delegation.clone(),
        name: name_of(meeting, &r.delegation),
        source: r.source.clone(),
        started_at: r.started_at,
        ended_at: r.ended_at,
        spoken: r.spoken,
    }
}

/// The last `limit` speeches on the current item, newest first.
pub(super) fn recent(meeting: &Meeting, limit: usize) -> Vec<Spoken> {
    let Some(item) = &meeting.agenda.current else {
        return Vec::new();
    };
    meeting
        .log
        .iter()
        .rev()
        .filter(|r| &r.item == item)
        .take(limit)
        .map(|r| spoken(meeting, r))
        .collect()
}
