//! Running-order projections: drift against the plan, projected end of the
//! current item and of the session, and when each waiting delegation can
//! expect the floor. Pure functions of the state and `now`.

use serde::{Deserialize, Serialize};

use crate::agenda::{AgendaItem, ItemStatus};
use crate::ids::{DelegationId, ItemId, RequestId};
use crate::meeting::Meeting;
use crate::time::{Millis, Timestamp};
use crate::timer::CountdownClock;

use super::eta::{Drift, Eta};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ItemProjection {
    pub item: ItemId,
    pub status: ItemStatus,
    pub planned_start: Timestamp,
    pub planned_end: Timestamp,
    pub actual_start: Option<Timestamp>,
    pub actual_end: Option<Timestamp>,
    /// Actual times for items done; projections for the rest.
    pub projected_start: Timestamp,
    pub projected_end: Timestamp,
}

/// An item of the running order, with its projected times as [`Eta`]s.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ItemEta {
    pub item: ItemId,
    pub status: ItemStatus,
    pub planned_start: Timestamp,
    pub planned_end: Timestamp,
    pub actual_start: Option<Timestamp>,
    pub actual_end: Option<Timestamp>,
    pub times: ItemTimes,
}

/// When an item runs, projected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "as", rename_all = "snake_case")]
pub enum ItemTimes {
    /// Held: its actual times.
    Done { start: Timestamp, end: Timestamp },
    /// Under way since `start` (now, if not recorded); ends at the anchor.
    Current { start: Option<Timestamp> },
    /// To come: starts at `max(not_before, anchor + after)` and lasts
    /// `duration`.
    Pending {
        after: Millis,
        not_before: Option<Timestamp>,
        duration: Millis,
    },
}

impl ItemTimes {
    pub fn start(&self, anchor: Eta) -> Eta {
        match *self {
            ItemTimes::Done { start, .. } => Eta::fixed(start),
            ItemTimes::Current { start } => start.map_or(Eta::now(), Eta::fixed),
            ItemTimes::Pending {
                after, not_before, ..
            } => {
                let start = anchor.later(after);
                not_before.map_or(start, |t| start.not_before(t))
            }
        }
    }

    pub fn end(&self, anchor: Eta) -> Eta {
        match *self {
            ItemTimes::Done { end, .. } => Eta::fixed(end),
            ItemTimes::Current { .. } => anchor,
            ItemTimes::Pending { duration, .. } => self.start(anchor).later(duration),
        }
    }
}

/// The running order as derived once, true at every `now`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ProjectedOrder {
    /// When the current item ends (or, with none, when the next can start).
    pub anchor: Eta,
    pub items: Vec<ItemEta>,
    /// The current (or next) item's projected end against its planned end.
    pub drift: Drift,
    pub planned_end: Option<Timestamp>,
    pub projected_end: Eta,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RunningOrder {
    /// In running order.
    pub items: Vec<ItemProjection>,
    /// Positive when running late: how far the current (or next) item's
    /// projected end lies past its planned end.
    pub drift: Millis,
    pub planned_end: Timestamp,
    pub projected_end: Timestamp,
}

/// When someone waiting can expect the floor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct WaitEstimate {
    pub delegation: DelegationId,
    /// `None` for a scheduled presenter.
    pub request: Option<RequestId>,
    pub wait: Millis,
    pub expected_at: Timestamp,
}

/// Planned start and end of every item, from the definition order: an item
/// without a planned start follows the previous one's planned end.
fn planned_times(meeting: &Meeting) -> Vec<(ItemId, Timestamp, Timestamp, bool)> {
    let mut cursor = Timestamp(0);
    meeting
        .definition
        .agenda
        .iter()
        .map(|d| {
            let fixed = d.planned_start.is_some();
            let start = d.planned_start.unwrap_or(cursor);
            cursor = start + d.planned_duration;
            (d.id.clone(), start, cursor, fixed)
        })
        .collect()
}

/// When the floor of the current item is free: the speaker on it (counting
/// down, or frozen), anyone interrupted, pending presenters and the waiting
/// list. `None` when nobody is left to speak on it.
pub(crate) fn floor_free(meeting: &Meeting, item: &AgendaItem) -> Option<Eta> {
    let floor = &meeting.floor;
    let mut fixed = item.schedule.pending_time() + item.speakers.waiting().map(|r| r.limit).sum();
    let mut running = None;
    let mut anyone = item.schedule.pending().next().is_some() || item.speakers.head().is_some();
    for s in floor.current.iter().chain(floor.interrupted.iter()) {
        if s.item != item.id {
            continue;
        }
        anyone = true;
        match s.timer.countdown().clock {
            CountdownClock::Running { deadline, .. } => running = Some(deadline),
            CountdownClock::Paused { remaining, .. }
            | CountdownClock::Stopped { remaining, .. } => fixed += remaining.clamp_non_negative(),
        }
    }
    if !anyone {
        return None;
    }
    // A running countdown holds the floor until its deadline, then for as
    // long as the speaker overruns: `max(deadline, now)`.
    let speaking = match running {
        Some(deadline) => Eta::fixed(deadline).max(Eta::now()),
        None => Eta::now(),
    };
    Some(speaking.later(fixed))
}

/// The running order with every projected instant as an [`Eta`]: derived
/// once per change of state, it stays true as the clock runs. Items to come
/// are placed relative to the `anchor` (when the current item ends), so a
/// change on the floor moves one instant, not every item after it.
pub fn projected_order(meeting: &Meeting) -> ProjectedOrder {
    let planned = planned_times(meeting);
    let plan_of = |id: &ItemId| planned.iter().find(|(i, ..)| i == id).cloned();
    let first_start = planned.first().map(|p| p.1);
    let started = meeting
        .agenda
        .items
        .iter()
        .any(|i| i.actual_start.is_some());
    let mut anchor = match first_start {
        Some(t) if !started => Eta::now().not_before(t),
        _ => Eta::now(),
    };
    let mut drift = None;
    // Done items keep their actual times and the current item is projected
    // from its floor; pending items follow it in running order — including
    // any the chair skipped, which are taken up afterwards.
    let mut times: Vec<Option<ItemTimes>> = vec![None; meeting.agenda.items.len()];
    for (slot, item) in times.iter_mut().zip(&meeting.agenda.items) {
        let Some((_, planned_start, planned_end, _)) = plan_of(&item.id) else {
            continue;
        };
        match item.status {
            ItemStatus::Done => {
                *slot = Some(ItemTimes::Done {
                    start: item.actual_start.unwrap_or(planned_start),
                    end: item.actual_end.unwrap_or(planned_end),
                });
            }
            ItemStatus::Current => {
                let start = item.actual_start.map_or(Eta::now(), Eta::fixed);
                // With nobody left to speak the item is expected to run its
                // planned length, and not to end before now.
                let end = floor_free(meeting, item)
                    .unwrap_or_else(|| Eta::now().max(start.later(planned_end - planned_start)));
                drift = Some(Drift {
                    planned: planned_end,
                    projected: end,
                });
                anchor = end;
                *slot = Some(ItemTimes::Current {
                    start: item.actual_start,
                });
            }
            ItemStatus::Pending => {}
        }
    }
    // The next start, as `max(not_before, anchor + after)`.
    let (mut after, mut not_before) = (Millis::ZERO, None::<Timestamp>);
    for (slot, item) in times.iter_mut().zip(&meeting.agenda.items) {
        if item.status != ItemStatus::Pending {
            continue;
        }
        let Some((_, planned_start, planned_end, fixed)) = plan_of(&item.id) else {
            continue;
        };
        if fixed {
            not_before = Some(not_before.map_or(planned_start, |t| t.max(planned_start)));
        }
        let duration = planned_end - planned_start;
        let pending = ItemTimes::Pending {
            after,
            not_before,
            duration,
        };
        drift.get_or_insert(Drift {
            planned: planned_start,
            projected: pending.start(anchor),
        });
        *slot = Some(pending);
        after += duration;
        not_before = not_before.map(|t| t + duration);
    }
    let items: Vec<ItemEta> = meeting
        .agenda
        .items
        .iter()
        .zip(times)
        .filter_map(|(item, times)| {
            let (_, planned_start, planned_end, _) = plan_of(&item.id)?;
            Some(ItemEta {
                item: item.id.clone(),
                status: item.status,
                planned_start,
                planned_end,
                actual_start: item.actual_start,
                actual_end: item.actual_end,
                times: times?,
            })
        })
        .collect();
    let planned_end = planned.iter().map(|p| p.2).max();
    let projected_end = items
        .iter()
        .map(|i| i.times.end(anchor))
        .reduce(Eta::max)
        .unwrap_or(Eta::now());
    ProjectedOrder {
        anchor,
        items,
        drift: drift.unwrap_or(Drift {
            planned: planned_end.unwrap_or(Timestamp(0)),
            projected: projected_end,
        }),
        planned_end,
        projected_end,
    }
}

/// The running order at `now`: [`projected_order`] evaluated.
pub fn running_order(meeting: &Meeting, now: Timestamp) -> RunningOrder {
    let order = projected_order(meeting);
    RunningOrder {
        items: order
            .items
            .iter()
            .map(|i| ItemProjection {
                item: i.item.clone(),
                status: i.status,
                planned_start: i.planned_start,
                planned_end: i.planned_end,
                actual_start: i.actual_start,
                actual_end: i.actual_end,
                projected_start: i.times.start(order.anchor).at(now),
                projected_end: i.times.end(order.anchor).at(now),
            })
            .collect(),
        drift: if order.planned_end.is_some() || !order.items.is_empty() {
            order.drift.at(now)
        } else {
            Millis::ZERO
        },
        planned_end: order.planned_end.unwrap_or(now),
        projected_end: order.projected_end.at(now),
    }
}

/// Estimated waits on the current item, in calling order: points of order
/// first, then scheduled presenters, then the list ([`super::upcoming`]
/// evaluated at `now`, without the speakers waiting to resume).
pub fn wait_estimates(meeting: &Meeting, now: Timestamp) -> Vec<WaitEstimate> {
    super::upcoming(meeting)
        .into_iter()
        .filter(|u| !matches!(u.turn, super::Turn::Resumes { .. }))
        .map(|u| {
            let expected_at = u.expected_at.at(now);
            WaitEstimate {
                request: u.turn.request(),
                delegation: u.delegation,
                wait: expected_at - now,
                expected_at,
            }
        })
        .collect()
}
