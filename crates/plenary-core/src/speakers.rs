//! The list of speakers of one agenda item, and its rules of procedure:
//! who may ask, in which order they wait, and how long each may speak.
//!
//! The commands on the list (ask, insert, withdraw, declare a language,
//! move, remove, put back, close, reopen, set a time limit) are decided
//! here (`decide_*`), and their events applied here (`apply_*`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::decide::Decider;
use crate::error::CommandError;
use crate::event::Event;
use crate::floor::{self, EndReason};
use crate::i18n::Lang;
use crate::ids::{DelegationId, ItemId, RequestId, SpeechId};
use crate::meeting::Meeting;
use crate::rules::{Category, ReplyPosition, RequestKind, Rules};
use crate::time::{Millis, Timestamp};

/// Where a request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum RequestStatus {
    /// Waiting in the queue.
    Requested,
    /// Has the floor (or was interrupted by a point of order).
    Speaking {
        speech: SpeechId,
    },
    Done {
        speech: SpeechId,
    },
    Withdrawn,
    Removed,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Request {
    pub id: RequestId,
    pub delegation: DelegationId,
    pub category: Category,
    pub kind: RequestKind,
    pub language: Lang,
    pub requested_at: Timestamp,
    pub limit: Millis,
    /// Put on the list by the chair rather than asked by the delegation.
    pub by_chair: bool,
    pub status: RequestStatus,
}

impl crate::roster::Keyed for Request {
    type Key = RequestId;
    fn key(&self) -> &RequestId {
        &self.id
    }
}

impl Request {
    /// Waiting or speaking: it still counts against "one request per item".
    pub fn is_open(&self) -> bool {
        matches!(
            self.status,
            RequestStatus::Requested | RequestStatus::Speaking { .. }
        )
    }
}

/// Who asks for the floor, for what, and whether the chair puts them on
/// the list.
#[derive(Clone, Copy, Debug)]
pub struct Asking<'a> {
    pub delegation: &'a DelegationId,
    pub category: Category,
    pub kind: &'a RequestKind,
    pub by_chair: bool,
}

/// Requests that limit each other: a delegation may hold one open request
/// of each class at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RequestClass {
    PointOfOrder,
    RightOfReply,
    /// Statements and the meeting's extra kinds.
    Speaking,
}

impl RequestClass {
    fn of(kind: &RequestKind) -> RequestClass {
        match kind {
            RequestKind::PointOfOrder => RequestClass::PointOfOrder,
            RequestKind::RightOfReply => RequestClass::RightOfReply,
            RequestKind::Statement | RequestKind::Extra(_) => RequestClass::Speaking,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SpeakersList {
    pub open: bool,
    /// Every request ever made on this item, by id (a list on the wire).
    #[serde(with = "crate::roster::keyed_list")]
    #[schemars(with = "Vec<Request>")]
    pub requests: BTreeMap<RequestId, Request>,
    /// Waiting requests in calling order.
    pub queue: Vec<RequestId>,
}

impl SpeakersList {
    pub fn new(open: bool) -> Self {
        SpeakersList {
            open,
            requests: BTreeMap::new(),
            queue: Vec::new(),
        }
    }

    /// Waiting requests in calling order.
    pub fn waiting(&self) -> impl Iterator<Item = &Request> {
        self.queue.iter().filter_map(|id| self.requests.get(id))
    }

    pub fn head(&self) -> Option<&Request> {
        self.waiting().next()
    }

    /// The first waiting point of order, which is called before anyone.
    pub fn next_point_of_order(&self) -> Option<&Request> {
        self.waiting().find(|r| r.kind == RequestKind::PointOfOrder)
    }

    /// Rights of reply used by a delegation on this item (withdrawn or
    /// removed ones do not count).
    pub fn replies_used(&self, delegation: &DelegationId) -> usize {
        self.requests
            .values()
            .filter(|r| {
                &r.delegation == delegation
                    && r.kind == RequestKind::RightOfReply
                    && !matches!(r.status, RequestStatus::Withdrawn | RequestStatus::Removed)
            })
            .count()
    }

    /// The rules for a new request: whether it is allowed now and, if so,
    /// how long it may speak. `limits` are the item's statement limits. The
    /// chair (`by_chair`) may put anyone on a closed list; every other rule
    /// holds for the chair too.
    pub fn admit(
        &self,
        item: &ItemId,
        rules: &Rules,
        limits: &BTreeMap<Category, Millis>,
        asking: Asking<'_>,
    ) -> Result<Millis, CommandError> {
        let Asking {
            delegation,
            category,
            kind,
            by_chair,
        } = asking;
        if !rules.knows(kind) {
            return Err(CommandError::UnknownKind { kind: kind.clone() });
        }
        // Closing the list (UN GA rule 73) leaves points of order and
        // rights of reply open.
        if !self.open && !by_chair && !rules.allowed_when_closed(kind) {
            return Err(CommandError::ListClosed { item: item.clone() });
        }
        let class = RequestClass::of(kind);
        let one_per_class = class != RequestClass::Speaking || rules.one_request_per_delegation;
        if one_per_class
            && let Some(open) = self.requests.values().find(|r| {
                &r.delegation == delegation && r.is_open() && RequestClass::of(&r.kind) == class
            })
        {
            return Err(CommandError::AlreadyRequested { request: open.id });
        }
        Ok(match kind {
            RequestKind::Statement => limits
                .get(&category)
                .copied()
                .unwrap_or_else(|| rules.statement_limit(category)),
            RequestKind::PointOfOrder => rules.point_of_order.limit,
            RequestKind::RightOfReply => {
                let used = self.replies_used(delegation);
                *rules
                    .right_of_reply
                    .limits
                    .get(used)
                    .ok_or(CommandError::ReplyLimitReached {
                        max: rules.right_of_reply.max_per_item(),
                    })?
            }
            RequestKind::Extra(id) => rules.extra_kind(id).map_or(Millis::ZERO, |k| k.limit),
        })
    }

    /// Where the rules put a new request: points of order first (by time),
    /// then kinds that precede statements, then statements by category
    /// precedence and time, then rights of reply when they wait for the end
    /// of the list. A newcomer goes right after the last waiting request
    /// that comes before it or ties with it, so it never overtakes an
    /// earlier request and never undoes the chair's reordering.
    pub fn rule_position(
        &self,
        rules: &Rules,
        kind: &RequestKind,
        category: Category,
        at: Timestamp,
    ) -> usize {
        let key = queue_key(rules, kind, category, at);
        self.waiting()
            .collect::<Vec<_>>()
            .iter()
            .rposition(|r| queue_key(rules, &r.kind, r.category, r.requested_at) <= key)
            .map_or(0, |i| i + 1)
    }

    /// Where a request goes: the position the chair asked for (which must
    /// lie within the queue), else where the rules put it.
    pub fn place(
        &self,
        asked: Option<usize>,
        rules: &Rules,
        kind: &RequestKind,
        category: Category,
        at: Timestamp,
    ) -> Result<usize, CommandError> {
        match asked {
            Some(p) if p > self.queue.len() => Err(CommandError::PositionOutOfRange {
                position: p,
                max: self.queue.len(),
            }),
            Some(p) => Ok(p),
            None => Ok(self.rule_position(rules, kind, category, at)),
        }
    }

    pub(crate) fn insert(&mut self, request: Request, position: usize) {
        let position = position.min(self.queue.len());
        self.queue.insert(position, request.id);
        self.requests.insert(request.id, request);
    }

    pub(crate) fn set_status(&mut self, id: RequestId, status: RequestStatus) {
        if status != RequestStatus::Requested {
            self.queue.retain(|q| *q != id);
        }
        if let Some(r) = self.requests.get_mut(&id) {
            r.status = status;
        }
    }

    pub(crate) fn move_to(&mut self, id: RequestId, to: usize) {
        self.queue.retain(|q| *q != id);
        self.queue.insert(to.min(self.queue.len()), id);
    }

    pub(crate) fn readd(&mut self, id: RequestId, position: usize, limit: Millis, at: Timestamp) {
        if let Some(r) = self.requests.get_mut(&id) {
            r.status = RequestStatus::Requested;
            r.limit = limit;
            // A request put back counts as a new request (PACE practice).
            r.requested_at = at;
            self.queue.retain(|q| *q != id);
            self.queue.insert(position.min(self.queue.len()), id);
        }
    }
}

/// The ordering rule, in one place. Lower keys are called first.
fn queue_key(
    rules: &Rules,
    kind: &RequestKind,
    category: Category,
    at: Timestamp,
) -> (u8, usize, Timestamp) {
    match kind {
        // Points of order among themselves by time of request (UN GA rule 71).
        RequestKind::PointOfOrder => (0, 0, at),
        RequestKind::Extra(id) if rules.extra_kind(id).is_some_and(|k| k.precedes_statements) => {
            (1, 0, at)
        }
        RequestKind::RightOfReply if rules.right_of_reply.position == ReplyPosition::EndOfList => {
            (3, 0, at)
        }
        _ => (2, rules.order.rank(category), at),
    }
}

impl SpeakersList {
    /// The waiting statements of `category`, in queue order: those a new
    /// time limit for that category applies to.
    pub fn statements_waiting(&self, category: Category) -> Vec<RequestId> {
        self.queue
            .iter()
            .filter(|id| {
                self.requests
                    .get(id)
                    .is_some_and(|r| r.category == category && r.kind == RequestKind::Statement)
            })
            .copied()
            .collect()
    }
}

// --- Rules: deciding on the list ----------------------------------------------

/// The longest time limit: guards against a typo such as minutes sent as
/// seconds ×1000.
const MAX_LIMIT: Millis = Millis::from_mins(240);

/// A new statement limit for a category; the waiting statements of that
/// category take it (recorded in the event as `changed`).
pub(crate) fn decide_set_time_limit(
    d: &Decider<'_>,
    item: &ItemId,
    category: Category,
    limit: Millis,
) -> Result<Vec<Event>, CommandError> {
    let it = d.meeting.agenda.item(item)?;
    if limit <= Millis::ZERO || limit > MAX_LIMIT {
        return Err(CommandError::InvalidDuration);
    }
    Ok(vec![Event::TimeLimitSet {
        item: item.clone(),
        category,
        limit,
        changed: Some(it.speakers.statements_waiting(category)),
    }])
}

/// A delegation asks for the floor on the current item.
pub(crate) fn decide_request_floor(
    d: &Decider<'_>,
    item: &ItemId,
    delegation: &DelegationId,
    kind: &RequestKind,
    language: Option<&Lang>,
) -> Result<Vec<Event>, CommandError> {
    d.meeting.agenda.require_current(item)?;
    new_request(d, item, delegation, kind, language, None, false)
}

/// The chair puts a delegation on the list (closed or not).
pub(crate) fn decide_insert_speaker(
    d: &Decider<'_>,
    item: &ItemId,
    delegation: &DelegationId,
    kind: &RequestKind,
    language: Option<&Lang>,
    position: Option<usize>,
) -> Result<Vec<Event>, CommandError> {
    new_request(d, item, delegation, kind, language, position, true)
}

fn category(d: &Decider<'_>, delegation: &DelegationId) -> Result<Category, CommandError> {
    d.meeting
        .definition
        .delegation(delegation)
        .map(|d| d.category)
        .ok_or_else(|| CommandError::UnknownDelegation {
            delegation: delegation.clone(),
        })
}

fn new_request(
    d: &Decider<'_>,
    item_id: &ItemId,
    delegation: &DelegationId,
    kind: &RequestKind,
    language: Option<&Lang>,
    position: Option<usize>,
    by_chair: bool,
) -> Result<Vec<Event>, CommandError> {
    let def = &d.meeting.definition;
    let category = category(d, delegation)?;
    let item = d.meeting.agenda.item(item_id)?;
    let language = match language {
        // Any language may be declared: coverage, not admission, depends
        // on who interprets it (`interpretation::coverage`).
        Some(l) => l.clone(),
        None => def
            .delegation(delegation)
            .map(|d| d.floor_language.clone())
            .ok_or_else(|| CommandError::UnknownDelegation {
                delegation: delegation.clone(),
            })?,
    };
    let list = &item.speakers;
    let limit = list.admit(
        item_id,
        &def.rules,
        &item.time_limits,
        Asking {
            delegation,
            category,
            kind,
            by_chair,
        },
    )?;
    let position = list.place(position, &def.rules, kind, category, d.now)?;
    Ok(vec![Event::FloorRequested {
        request: d.meeting.next_request_id(),
        item: item_id.clone(),
        delegation: delegation.clone(),
        kind: kind.clone(),
        language,
        limit,
        position,
        by_chair,
    }])
}

/// Withdraws a waiting request; withdrawing while speaking yields the floor.
pub(crate) fn decide_withdraw(d: &Decider<'_>, id: RequestId) -> Result<Vec<Event>, CommandError> {
    let r = d.own_request(id)?;
    match r.status {
        RequestStatus::Requested => Ok(vec![Event::RequestWithdrawn { request: id }]),
        RequestStatus::Speaking { speech } => Ok(vec![floor::end(d, speech, EndReason::Withdrawn)]),
        _ => Err(CommandError::RequestNotWaiting { request: id }),
    }
}

pub(crate) fn decide_declare_language(
    d: &Decider<'_>,
    request: RequestId,
    language: &Lang,
) -> Result<Vec<Event>, CommandError> {
    let r = d.own_request(request)?;
    if !r.is_open() {
        return Err(CommandError::RequestNotWaiting { request });
    }
    Ok(vec![Event::LanguageDeclared {
        request,
        language: language.clone(),
    }])
}

pub(crate) fn decide_move_request(
    d: &Decider<'_>,
    request: RequestId,
    to: usize,
) -> Result<Vec<Event>, CommandError> {
    let (item, _) = d.waiting_request(request)?;
    let max = d.meeting.agenda.item(item)?.speakers.queue.len() - 1;
    if to > max {
        return Err(CommandError::PositionOutOfRange { position: to, max });
    }
    Ok(vec![Event::RequestMoved { request, to }])
}

pub(crate) fn decide_remove_request(
    d: &Decider<'_>,
    request: RequestId,
) -> Result<Vec<Event>, CommandError> {
    d.waiting_request(request)?;
    Ok(vec![Event::RequestRemoved { request }])
}

/// Puts a withdrawn or removed request back: it passes admission again and
/// gets the limit a new request would get now.
pub(crate) fn decide_readd(
    d: &Decider<'_>,
    id: RequestId,
    position: Option<usize>,
) -> Result<Vec<Event>, CommandError> {
    let (item_id, r) = d
        .meeting
        .request(id)
        .ok_or(CommandError::UnknownRequest { request: id })?;
    match r.status {
        RequestStatus::Withdrawn | RequestStatus::Removed => {}
        RequestStatus::Done { .. } => return Err(CommandError::AlreadyHeard { request: id }),
        RequestStatus::Requested | RequestStatus::Speaking { .. } => {
            return Err(CommandError::RequestStillOpen { request: id });
        }
    }
    let item = d.meeting.agenda.item(item_id)?;
    let list = &item.speakers;
    // Put back, it must pass the same admission rules as a new request
    // (one open request per delegation, the replies limit; a withdrawn
    // or removed request counts for neither), the list being closed
    // aside: the chair may put anyone back.
    let rules = &d.meeting.definition.rules;
    let limit = list.admit(
        item_id,
        rules,
        &item.time_limits,
        Asking {
            delegation: &r.delegation,
            category: r.category,
            kind: &r.kind,
            by_chair: true,
        },
    )?;
    let position = list.place(position, rules, &r.kind, r.category, d.now)?;
    Ok(vec![Event::RequestReadded {
        request: id,
        position,
        limit,
    }])
}

pub(crate) fn decide_close_list(
    d: &Decider<'_>,
    item: &ItemId,
) -> Result<Vec<Event>, CommandError> {
    if !d.meeting.agenda.item(item)?.speakers.open {
        return Err(CommandError::ListAlreadyClosed { item: item.clone() });
    }
    Ok(vec![Event::ListClosed { item: item.clone() }])
}

pub(crate) fn decide_reopen_list(
    d: &Decider<'_>,
    item: &ItemId,
) -> Result<Vec<Event>, CommandError> {
    if d.meeting.agenda.item(item)?.speakers.open {
        return Err(CommandError::ListAlreadyOpen { item: item.clone() });
    }
    Ok(vec![Event::ListReopened { item: item.clone() }])
}

// --- Applying -----------------------------------------------------------------

/// Records the limit and gives it to the requests the event names. An event
/// from a log written before `changed` was recorded (`None`) gets the rule
/// of the time, which is the rule `decide` records today: the waiting
/// statements of that category, as they stand when it is applied.
pub(crate) fn apply_time_limit_set(
    m: &mut Meeting,
    item: &ItemId,
    category: Category,
    limit: Millis,
    changed: Option<&[RequestId]>,
) {
    if let Some(item) = m.agenda.item_mut(item) {
        item.time_limits.insert(category, limit);
        let legacy;
        let changed = match changed {
            Some(ids) => ids,
            None => {
                legacy = item.speakers.statements_waiting(category);
                &legacy
            }
        };
        for id in changed {
            if let Some(r) = item.speakers.requests.get_mut(id) {
                r.limit = limit;
            }
        }
    }
}

/// The fields of a `floor_requested` event.
#[derive(Debug)]
pub(crate) struct FloorRequested<'e> {
    pub(crate) request: RequestId,
    pub(crate) item: &'e ItemId,
    pub(crate) delegation: &'e DelegationId,
    pub(crate) kind: &'e RequestKind,
    pub(crate) language: &'e Lang,
    pub(crate) limit: Millis,
    pub(crate) position: usize,
    pub(crate) by_chair: bool,
}

pub(crate) fn apply_floor_requested(m: &mut Meeting, e: &FloorRequested<'_>, at: Timestamp) {
    let category = m
        .definition
        .delegation(e.delegation)
        .map_or(Category::Observer, |d| d.category);
    if let Some(it) = m.agenda.item_mut(e.item) {
        it.speakers.insert(
            Request {
                id: e.request,
                delegation: e.delegation.clone(),
                category,
                kind: e.kind.clone(),
                language: e.language.clone(),
                requested_at: at,
                limit: e.limit,
                by_chair: e.by_chair,
                status: RequestStatus::Requested,
            },
            e.position,
        );
        m.request_items.insert(e.request, e.item.clone());
    }
    m.next_request = m.next_request.max(e.request.0 + 1);
}

pub(crate) fn apply_request_withdrawn(m: &mut Meeting, request: RequestId) {
    m.set_request_status(request, RequestStatus::Withdrawn);
}

pub(crate) fn apply_request_removed(m: &mut Meeting, request: RequestId) {
    m.set_request_status(request, RequestStatus::Removed);
}

pub(crate) fn apply_request_moved(m: &mut Meeting, request: RequestId, to: usize) {
    if let Some(item) = m.item_of_request_mut(request) {
        item.speakers.move_to(request, to);
    }
}

pub(crate) fn apply_request_readded(
    m: &mut Meeting,
    request: RequestId,
    position: usize,
    limit: Millis,
    at: Timestamp,
) {
    if let Some(item) = m.item_of_request_mut(request) {
        item.speakers.readd(request, position, limit, at);
    }
}

/// The request's language, and its speech's if it is speaking or
/// interrupted.
pub(crate) fn apply_language_declared(m: &mut Meeting, request: RequestId, language: &Lang) {
    if let Some(r) = m.request_mut(request) {
        r.language = language.clone();
    }
    if let Some(speech) = m
        .floor
        .current
        .iter_mut()
        .chain(m.floor.interrupted.iter_mut())
        .find(|s| s.source.request() == Some(request))
    {
        speech.language = language.clone();
    }
}

pub(crate) fn apply_list_open(m: &mut Meeting, item: &ItemId, open: bool) {
    if let Some(item) = m.agenda.item_mut(item) {
        item.speakers.open = open;
    }
}
