//! The list of speakers of one agenda item, and its rules of procedure:
//! who may ask, in which order they wait, and how long each may speak.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::CommandError;
use crate::i18n::Lang;
use crate::ids::{DelegationId, ItemId, RequestId, SpeechId};
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
