//! The documents of the consoles that run the meeting: the chair and
//! secretariat ([`PresidingView`]), the technician and the booths.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use plenary_core::definition::ScreenDefinition;
use plenary_core::display::ScreenState;
use plenary_core::floor::FloorSeen;
use plenary_core::i18n::{Lang, Texts};
use plenary_core::ids::{BoothId, DelegationId, RequestId};
use plenary_core::interpretation::{ChannelFeed, InterpretationWarning, SlowerPlease};
use plenary_core::presentations::SlotStatus;
use plenary_core::projections::Eta;
use plenary_core::record::{self, SessionRecord};
use plenary_core::roles::{CodeManager, RoleKind};
use plenary_core::rules::{Category, RequestKind};
use plenary_core::speakers::RequestStatus;
use plenary_core::undo::UNDO_WINDOW;
use plenary_core::{CommandKind, Meeting, Millis, Role, Timestamp};

use super::interpretation::{self, BoothLine, CoverageLine, InterpretationView};
use super::parts::{self, Heading, NextUp, OnFloor, Schedule, Spoken, name_of};

/// How many ended speeches a console lists.
pub(super) const RECENT: usize = 10;

/// The chair's and the secretariat's console.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PresidingView {
    pub heading: Heading,
    /// What this console sends with every command that changes the floor
    /// (`expect`): refused `stale` if the floor has changed since.
    pub floor_seen: FloorSeen,
    /// The last change of the floor, while it can still be undone.
    pub undo: Option<UndoOffer>,
    /// The commands that change the floor: they carry `floor_seen`, are
    /// never sent while the connection is down and never resent by
    /// themselves after it comes back.
    pub floor_commands: Vec<CommandKind>,
    pub floor: Option<OnFloor>,
    /// Speakers a point of order interrupted, the last one first.
    pub interrupted: Vec<OnFloor>,
    /// Everyone still to speak, in calling order, with expected times.
    pub next: Vec<NextUp>,
    /// The waiting requests in queue order (the positions `move_request`
    /// and `insert_speaker` count in).
    pub queue: Vec<QueuedRequest>,
    /// Requests withdrawn or removed on the current item, newest first
    /// (the chair may put them back).
    pub gone: Vec<GoneRequest>,
    /// The current item's scheduled presenters.
    pub slots: Vec<SlotLine>,
    /// The current item's statement limits by category.
    pub time_limits: BTreeMap<Category, Millis>,
    pub schedule: Schedule,
    pub recent: Vec<Spoken>,
    pub interpretation: InterpretationView,
    /// Every delegation, for putting one on the list.
    pub delegations: Vec<DelegationLine>,
    /// Every kind of request, in display order.
    pub kinds: Vec<RequestKind>,
    pub screens: Vec<ScreenLine>,
    /// The record of the session so far (the same aggregate as the
    /// exported minutes), for the live report; "today" is the local day
    /// of the last event.
    pub record: Box<SessionRecord>,
}

/// A change of the floor the chair can still take back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct UndoOffer {
    /// Made at `at`; refused from `until` on.
    pub at: Timestamp,
    pub until: Timestamp,
    /// Who had the floor before it, and gets it back.
    pub speaker: Option<Texts>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct QueuedRequest {
    pub request: RequestId,
    pub delegation: DelegationId,
    pub name: Texts,
    pub kind: RequestKind,
    pub category: Category,
    pub language: Lang,
    pub limit: Millis,
    pub requested_at: Timestamp,
    pub by_chair: bool,
    pub expected_at: Option<Eta>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GoneRequest {
    pub request: RequestId,
    pub delegation: DelegationId,
    pub name: Texts,
    pub kind: RequestKind,
    pub status: RequestStatus,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SlotLine {
    pub presenter: DelegationId,
    pub name: Texts,
    pub allotted: Millis,
    pub language: Option<Lang>,
    pub status: SlotStatus,
    pub deferred: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DelegationLine {
    pub id: DelegationId,
    pub name: Texts,
    pub category: Category,
    pub floor_language: Lang,
}

/// A room screen as configured and as it is set now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ScreenLine {
    #[serde(flatten)]
    pub definition: ScreenDefinition,
    pub state: Option<ScreenState>,
}

/// The technician's console.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TechnicianView {
    pub heading: Heading,
    pub floor: Option<OnFloor>,
    pub interpretation: InterpretationView,
    pub screens: Vec<ScreenLine>,
    /// Whose access codes this console may issue, list and revoke.
    pub code_roles: Vec<RoleKind>,
    pub delegations: Vec<DelegationLine>,
}

/// An interpreter booth's console.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BoothView {
    pub heading: Heading,
    pub booth: BoothLine,
    pub floor: Option<OnFloor>,
    pub floor_language: Option<Lang>,
    /// Where this booth takes its signal now.
    pub feed: Option<ChannelFeed>,
    /// Where it will take it for each of the next speakers.
    pub ahead: Vec<FeedAhead>,
    /// Problems in the plan now.
    pub warnings: Vec<InterpretationWarning>,
    /// The recommendations for the speaker on the floor and the next ones,
    /// with only the advice and duty warnings addressed to this booth (and
    /// "no interpretation"): a handover here is accepted with `hand_over`.
    pub coverage: Vec<CoverageLine>,
    pub slower_please: Vec<SlowerPlease>,
    pub booth_names: BTreeMap<BoothId, Texts>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FeedAhead {
    pub delegation: DelegationId,
    pub name: Texts,
    pub language: Lang,
    pub expected_at: Eta,
    pub feed: Option<ChannelFeed>,
    /// What would go wrong in the plan for that speaker.
    pub warnings: Vec<InterpretationWarning>,
}

pub(super) fn delegations(meeting: &Meeting) -> Vec<DelegationLine> {
    meeting
        .definition
        .delegations
        .iter()
        .map(|d| DelegationLine {
            id: d.id.clone(),
            name: d.name.clone(),
            category: d.category,
            floor_language: d.floor_language.clone(),
        })
        .collect()
}

pub(super) fn screens(meeting: &Meeting) -> Vec<ScreenLine> {
    meeting
        .definition
        .screens
        .iter()
        .map(|s| ScreenLine {
            definition: s.clone(),
            state: meeting.displays.screens.get(&s.id).cloned(),
        })
        .collect()
}

fn interrupted(meeting: &Meeting) -> Vec<OnFloor> {
    meeting
        .floor
        .interrupted
        .iter()
        .rev()
        .map(|s| parts::on_floor(meeting, s))
        .collect()
}

pub(super) fn presiding(meeting: &Meeting) -> PresidingView {
    let item = meeting.agenda.current_item();
    let next = parts::next(meeting, usize::MAX);
    let expected = |id: RequestId| {
        next.iter()
            .find(|n| n.turn.request() == Some(id))
            .map(|n| n.expected_at)
    };
    PresidingView {
        record: Box::new(record::record(meeting, meeting.updated_at)),
        heading: parts::heading(meeting),
        floor_seen: meeting.floor.seen(),
        undo: meeting.undo.as_ref().map(|u| UndoOffer {
            at: u.at,
            until: u.at + UNDO_WINDOW,
            speaker: u
                .floor
                .current
                .as_ref()
                .map(|s| name_of(meeting, &s.delegation)),
        }),
        floor_commands: CommandKind::ALL
            .into_iter()
            .filter(|k| k.changes_floor())
            .collect(),
        floor: parts::current(meeting),
        interrupted: interrupted(meeting),
        queue: item
            .map(|i| {
                i.speakers
                    .waiting()
                    .map(|r| QueuedRequest {
                        request: r.id,
                        delegation: r.delegation.clone(),
                        name: name_of(meeting, &r.delegation),
                        kind: r.kind.clone(),
                        category: r.category,
                        language: r.language.clone(),
                        limit: r.limit,
                        requested_at: r.requested_at,
                        by_chair: r.by_chair,
                        expected_at: expected(r.id),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        gone: item
            .map(|i| {
                i.speakers
                    .requests
                    .values()
                    .rev()
                    .filter(|r| {
                        matches!(r.status, RequestStatus::Withdrawn | RequestStatus::Removed)
                    })
                    .map(|r| GoneRequest {
                        request: r.id,
                        delegation: r.delegation.clone(),
                        name: name_of(meeting, &r.delegation),
                        kind: r.kind.clone(),
                        status: r.status,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        slots: item
            .map(|i| {
                i.schedule
                    .slots
                    .iter()
                    .map(|s| SlotLine {
                        presenter: s.presenter.clone(),
                        name: name_of(meeting, &s.presenter),
                        allotted: s.allotted,
                        language: s.language.clone(),
                        status: s.status,
                        deferred: s.deferred,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        time_limits: item.map(|i| i.time_limits.clone()).unwrap_or_default(),
        next,
        schedule: parts::schedule(meeting),
        recent: parts::recent(meeting, RECENT),
        interpretation: interpretation::interpretation(meeting),
        delegations: delegations(meeting),
        kinds: meeting.definition.rules.request_kinds().collect(),
        screens: screens(meeting),
    }
}

pub(super) fn technician(meeting: &Meeting) -> TechnicianView {
    let manager = CodeManager::from(&Role::Technician);
    TechnicianView {
        heading: parts::heading(meeting),
        floor: parts::current(meeting),
        interpretation: interpretation::interpretation(meeting),
        screens: screens(meeting),
        code_roles: RoleKind::ALL
            .into_iter()
            .filter(|k| manager.manages(*k))
            .collect(),
        delegations: delegations(meeting),
    }
}

pub(super) fn booth(meeting: &Meeting, id: &BoothId) -> Option<BoothView> {
    let definition = &meeting.definition;
    let line = interpretation::booth_line(meeting, id)?;
    let channel = line.channel;
    let floor_language = meeting.floor_language().cloned();
    let plan = floor_language
        .as_ref()
        .map(|l| meeting.interpretation.plan(definition, l));
    Some(BoothView {
        heading: parts::heading(meeting),
        floor: parts::current(meeting),
        feed: plan.as_ref().and_then(|p| p.feed_of(channel).cloned()),
        warnings: plan.map(|p| p.warnings).unwrap_or_default(),
        ahead: interpretation::plans_ahead(meeting)
            .into_iter()
            .map(|p| FeedAhead {
                feed: p
                    .channels
                    .iter()
                    .find(|c| c.channel == channel)
                    .map(|c| c.feed.clone()),
                delegation: p.delegation,
                name: p.name,
                language: p.language,
                expected_at: p.expected_at,
                warnings: p.warnings,
            })
            .collect(),
        coverage: interpretation::coverage_lines(meeting)
            .into_iter()
            .map(|mut c| {
                c.advice
                    .retain(|a| a.advice.booth().is_none_or(|b| b == id));
                c.duty.retain(|d| d.warning.booth() == id);
                c
            })
            .collect(),
        booth: line,
        floor_language,
        slower_please: meeting.interpretation.slower_please.clone(),
        booth_names: interpretation::booth_names(meeting),
    })
}
