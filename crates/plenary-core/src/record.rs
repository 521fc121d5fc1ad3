//! The record of the session: one pure function over the meeting that the
//! secretariat's minutes (HTML, CSV, Markdown, JSON) and the chair's live
//! report both read, so the printed figures and the ones on the console
//! cannot disagree.
//!
//! It counts finished speeches (the speaking log): who spoke and for how
//! long, by delegation, category and language; the speeches over their
//! limit; points of order and rights of reply; what the interpretation
//! channels carried (original, direct, relay, double relay, uncovered);
//! and the running order, planned against actual. `at` only decides which
//! local day is "today" and is never read as a clock: the server's view
//! passes the time of the last event, the export the time of export.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::agenda::ItemStatus;
use crate::floor::{SpeechRecord, SpeechSource};
use crate::i18n::{Lang, Texts};
use crate::ids::{DelegationId, ItemId, SpeechId};
use crate::interpretation::Service;
use crate::meeting::Meeting;
use crate::projections;
use crate::rules::{Category, RequestKind};
use crate::time::{Millis, Timestamp};
use crate::zone::ZoneName;

/// Everything the minutes and the live report show, in one document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SessionRecord {
    /// The meeting's zone: readers show every instant in it.
    pub time_zone: ZoneName,
    /// The agenda in running order, planned against actual.
    pub items: Vec<ItemLine>,
    pub totals: Totals,
    /// By time spoken, most first.
    pub by_delegation: Vec<DelegationShare>,
    /// Every category a delegation of the meeting has, in precedence order.
    pub by_category: Vec<CategoryShare>,
    /// By time spoken, most first.
    pub by_language: Vec<LanguageShare>,
    /// Speeches that ran past their limit, in the order they were made.
    pub overruns: Vec<SpeechLine>,
    /// Points of order and rights of reply, in the order they were made.
    pub procedural: Vec<SpeechLine>,
    /// Per interpretation channel, how the speeches reached its listeners.
    pub interpretation: Vec<ChannelMinutes>,
    pub today: Today,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ItemLine {
    pub item: ItemId,
    pub title: Texts,
    pub status: ItemStatus,
    pub planned_start: Timestamp,
    pub planned_end: Timestamp,
    pub actual_start: Option<Timestamp>,
    pub actual_end: Option<Timestamp>,
    pub speeches: u32,
    pub spoken: Millis,
}

impl ItemLine {
    /// How late the item started against its plan (negative: early).
    pub fn start_drift(&self) -> Option<Millis> {
        self.actual_start.map(|s| s - self.planned_start)
    }

    /// How late it ended against its plan, once done.
    pub fn end_drift(&self) -> Option<Millis> {
        self.actual_end.map(|e| e - self.planned_end)
    }
}

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct Totals {
    pub speeches: u32,
    pub spoken: Millis,
    /// Speeches that ran past their limit, and by how much in all.
    pub over_limit: u32,
    pub overrun: Millis,
    pub points_of_order: u32,
    pub rights_of_reply: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DelegationShare {
    pub delegation: DelegationId,
    pub name: Texts,
    pub category: Category,
    pub speeches: u32,
    pub spoken: Millis,
    /// The languages it spoke in, in the order first used.
    pub languages: Vec<Lang>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CategoryShare {
    pub category: Category,
    pub speeches: u32,
    pub spoken: Millis,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LanguageShare {
    pub language: Lang,
    pub speeches: u32,
    pub spoken: Millis,
}

/// One speech, as the lists of overruns and procedural speeches show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SpeechLine {
    pub speech: SpeechId,
    pub item: ItemId,
    pub delegation: DelegationId,
    pub name: Texts,
    /// `statement`, `point_of_order`, `right_of_reply`, a meeting's own
    /// kind, or `presentation`.
    pub kind: String,
    pub started_at: Timestamp,
    pub limit: Millis,
    pub spoken: Millis,
    pub overrun: Millis,
}

/// Time spoken while a channel carried each [`Service`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ChannelMinutes {
    pub channel: u8,
    pub language: Lang,
    pub original: Millis,
    pub direct: Millis,
    pub relay: Millis,
    pub double_relay: Millis,
    pub uncovered: Millis,
}

impl ChannelMinutes {
    pub fn get(&self, service: Service) -> Millis {
        match service {
            Service::Original => self.original,
            Service::Direct => self.direct,
            Service::Relay => self.relay,
            Service::DoubleRelay => self.double_relay,
            Service::Uncovered => self.uncovered,
        }
    }

    fn add(&mut self, service: Service, by: Millis) {
        let slot = match service {
            Service::Original => &mut self.original,
            Service::Direct => &mut self.direct,
            Service::Relay => &mut self.relay,
            Service::DoubleRelay => &mut self.double_relay,
            Service::Uncovered => &mut self.uncovered,
        };
        *slot += by;
    }
}

/// Today's agenda (the local day of `at` in the meeting's zone): the time
/// planned for its items and the time they have taken. The current item's
/// time runs on from `current_since`; a reader adds `now - current_since`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Today {
    /// `YYYY-MM-DD` in the meeting's zone.
    pub date: String,
    pub items: u32,
    pub planned: Millis,
    /// Items of today already done, start to end.
    pub used_done: Millis,
    pub current_since: Option<Timestamp>,
}

impl Today {
    /// Time used at `now`.
    pub fn used_at(&self, now: Timestamp) -> Millis {
        self.used_done
            + self
                .current_since
                .map_or(Millis::ZERO, |s| (now - s).clamp_non_negative())
    }
}

/// The kind of a speech as the record names it.
pub fn kind_of(source: &SpeechSource) -> &str {
    match source {
        SpeechSource::Request { kind, .. } => kind.as_str(),
        SpeechSource::Presentation => "presentation",
    }
}

/// The record of `meeting`; `at` decides which local day is today.
pub fn record(meeting: &Meeting, at: Timestamp) -> SessionRecord {
    let definition = &meeting.definition;
    let log = &meeting.log;
    let line = |r: &SpeechRecord| SpeechLine {
        speech: r.id,
        item: r.item.clone(),
        delegation: r.delegation.clone(),
        name: definition.name_of(&r.delegation),
        kind: kind_of(&r.source).to_owned(),
        started_at: r.started_at,
        limit: r.limit,
        spoken: r.spoken,
        overrun: r.overrun,
    };
    let is = |r: &SpeechRecord, kind: RequestKind| matches!(&r.source, SpeechSource::Request { kind: k, .. } if *k == kind);
    let totals = Totals {
        speeches: count(log.len()),
        spoken: log
            .iter()
            .map(|r| r.spoken)
            .fold(Millis::ZERO, |a, b| a + b),
        over_limit: count(log.iter().filter(|r| r.overrun > Millis::ZERO).count()),
        overrun: log
            .iter()
            .map(|r| r.overrun)
            .fold(Millis::ZERO, |a, b| a + b),
        points_of_order: count(
            log.iter()
                .filter(|r| is(r, RequestKind::PointOfOrder))
                .count(),
        ),
        rights_of_reply: count(
            log.iter()
                .filter(|r| is(r, RequestKind::RightOfReply))
                .count(),
        ),
    };
    SessionRecord {
        time_zone: definition.time_zone.clone(),
        items: items(meeting, at),
        totals,
        by_delegation: by_delegation(meeting),
        by_category: by_category(meeting),
        by_language: by_language(log),
        overruns: log
            .iter()
            .filter(|r| r.overrun > Millis::ZERO)
            .map(line)
            .collect(),
        procedural: log
            .iter()
            .filter(|r| is(r, RequestKind::PointOfOrder) || is(r, RequestKind::RightOfReply))
            .map(line)
            .collect(),
        interpretation: interpretation(meeting),
        today: today(meeting, at),
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn items(meeting: &Meeting, at: Timestamp) -> Vec<ItemLine> {
    projections::running_order(meeting, at)
        .items
        .into_iter()
        .map(|i| {
            let spoken = meeting.log.iter().filter(|r| r.item == i.item);
            ItemLine {
                title: meeting
                    .definition
                    .item(&i.item)
                    .map(|d| d.title.clone())
                    .unwrap_or_default(),
                status: i.status,
                planned_start: i.planned_start,
                planned_end: i.planned_end,
                actual_start: i.actual_start,
                actual_end: i.actual_end,
                speeches: count(spoken.clone().count()),
                spoken: spoken.map(|r| r.spoken).fold(Millis::ZERO, |a, b| a + b),
                item: i.item,
            }
        })
        .collect()
}

fn by_delegation(meeting: &Meeting) -> Vec<DelegationShare> {
    let mut shares: BTreeMap<&DelegationId, DelegationShare> = BTreeMap::new();
    for r in &meeting.log {
        let share = shares
            .entry(&r.delegation)
            .or_insert_with(|| DelegationShare {
                delegation: r.delegation.clone(),
                name: meeting.definition.name_of(&r.delegation),
                category: category_of(meeting, &r.delegation),
                speeches: 0,
                spoken: Millis::ZERO,
                languages: Vec::new(),
            });
        share.speeches += 1;
        share.spoken += r.spoken;
        if !share.languages.contains(&r.language) {
            share.languages.push(r.language.clone());
        }
    }
    let mut out: Vec<DelegationShare> = shares.into_values().collect();
    out.sort_by(|a, b| {
        b.spoken
            .cmp(&a.spoken)
            .then_with(|| a.delegation.cmp(&b.delegation))
    });
    out
}

fn category_of(meeting: &Meeting, delegation: &DelegationId) -> Category {
    meeting
        .definition
        .delegation(delegation)
        .map_or(Category::Observer, |d| d.category)
}

fn by_category(meeting: &Meeting) -> Vec<CategoryShare> {
    Category::ALL
        .into_iter()
        .filter(|c| {
            meeting
                .definition
                .delegations
                .iter()
                .any(|d| d.category == *c)
        })
        .map(|category| {
            let of = meeting
                .log
                .iter()
                .filter(|r| category_of(meeting, &r.delegation) == category);
            CategoryShare {
                category,
                speeches: count(of.clone().count()),
                spoken: of.map(|r| r.spoken).fold(Millis::ZERO, |a, b| a + b),
            }
        })
        .collect()
}

fn by_language(log: &[SpeechRecord]) -> Vec<LanguageShare> {
    let mut shares: BTreeMap<&Lang, (u32, Millis)> = BTreeMap::new();
    for r in log {
        let s = shares.entry(&r.language).or_insert((0, Millis::ZERO));
        s.0 += 1;
        s.1 += r.spoken;
    }
    let mut out: Vec<LanguageShare> = shares
        .into_iter()
        .map(|(language, (speeches, spoken))| LanguageShare {
            language: language.clone(),
            speeches,
            spoken,
        })
        .collect();
    out.sort_by(|a, b| {
        b.spoken
            .cmp(&a.spoken)
            .then_with(|| a.language.cmp(&b.language))
    });
    out
}

fn interpretation(meeting: &Meeting) -> Vec<ChannelMinutes> {
    meeting
        .definition
        .channels
        .iter()
        .map(|c| {
            let mut minutes = ChannelMinutes {
                channel: c.number,
                language: c.language.clone(),
                original: Millis::ZERO,
                direct: Millis::ZERO,
                relay: Millis::ZERO,
                double_relay: Millis::ZERO,
                uncovered: Millis::ZERO,
            };
            for r in &meeting.log {
                let service = r
                    .channels
                    .iter()
                    .find(|s| s.channel == c.number)
                    .map_or_else(
                        || {
                            if r.language.same_language(&c.language) {
                                Service::Original
                            } else {
                                Service::Uncovered
                            }
                        },
                        |s| s.service,
                    );
                minutes.add(service, r.spoken);
            }
            minutes
        })
        .collect()
}

fn today(meeting: &Meeting, at: Timestamp) -> Today {
    let zone = &meeting.definition.time_zone;
    let date = zone.date(at);
    let order = projections::running_order(meeting, at);
    let mut today = Today {
        date: date.clone(),
        items: 0,
        planned: Millis::ZERO,
        used_done: Millis::ZERO,
        current_since: None,
    };
    for i in &order.items {
        let on_today = zone.date(i.planned_start) == date
            || i.actual_start.is_some_and(|s| zone.date(s) == date);
        if !on_today {
            continue;
        }
        today.items += 1;
        today.planned += i.planned_end - i.planned_start;
        match (i.status, i.actual_start, i.actual_end) {
            (ItemStatus::Done, Some(s), Some(e)) => today.used_done += e - s,
            (ItemStatus::Current, Some(s), _) => today.current_since = Some(s),
            _ => {}
        }
    }
    today
}
