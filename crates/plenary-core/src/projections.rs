//! Running-order projections: drift against the plan, projected end of the
//! current item and of the session, and when each waiting delegation can
//! expect the floor. Pure functions of the state and `now`.

use serde::{Deserialize, Serialize};

use crate::agenda::{AgendaItem, ItemStatus};
use crate::ids::{DelegationId, ItemId, RequestId};
use crate::meeting::Meeting;
use crate::rules::RequestKind;
use crate::time::{Millis, Timestamp};

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

/// Time still needed by the current item's floor: the speaker, anyone
/// interrupted, pending presenters and the waiting list.
fn work_left(meeting: &Meeting, item: &AgendaItem, now: Timestamp) -> Millis {
    let floor = &meeting.floor;
    let speaking: Millis = floor
        .current
        .iter()
        .chain(floor.interrupted.iter())
        .filter(|s| s.item == item.id)
        .map(|s| s.timer.remaining(now).clamp_non_negative())
        .sum();
    speaking + item.schedule.pending_time() + item.speakers.waiting().map(|r| r.limit).sum()
}

pub fn running_order(meeting: &Meeting, now: Timestamp) -> RunningOrder {
    let planned = planned_times(meeting);
    let plan_of = |id: &ItemId| planned.iter().find(|(i, ..)| i == id).cloned();
    let first_start = planned.first().map_or(now, |p| p.1);
    let started = meeting
        .agenda
        .items
        .iter()
        .any(|i| i.actual_start.is_some());
    let mut cursor = if started { now } else { now.max(first_start) };
    let mut drift = None;
    // Done items keep their actual times and the current item is projected
    // from its floor; pending items follow it in running order — including
    // any the chair skipped, which are taken up afterwards.
    let mut projected: Vec<Option<(Timestamp, Timestamp)>> = vec![None; meeting.agenda.items.len()];
    for (slot, item) in projected.iter_mut().zip(&meeting.agenda.items) {
        let Some((_, planned_start, planned_end, _)) = plan_of(&item.id) else {
            continue;
        };
        match item.status {
            ItemStatus::Done => {
                *slot = Some((
                    item.actual_start.unwrap_or(planned_start),
                    item.actual_end.unwrap_or(planned_end),
                ));
            }
            ItemStatus::Current => {
                let start = item.actual_start.unwrap_or(now);
                let left = work_left(meeting, item, now);
                let end = if left > Millis::ZERO {
                    now + left
                } else {
                    (start + (planned_end - planned_start)).max(now)
                };
                drift = Some(end - planned_end);
                cursor = end;
                *slot = Some((start, end));
            }
            ItemStatus::Pending => {}
        }
    }
    for (slot, item) in projected.iter_mut().zip(&meeting.agenda.items) {
        if item.status != ItemStatus::Pending {
            continue;
        }
        let Some((_, planned_start, planned_end, fixed)) = plan_of(&item.id) else {
            continue;
        };
        let start = if fixed {
            cursor.max(planned_start)
        } else {
            cursor
        };
        drift.get_or_insert(start - planned_start);
        cursor = start + (planned_end - planned_start);
        *slot = Some((start, cursor));
    }
    let items: Vec<ItemProjection> = meeting
        .agenda
        .items
        .iter()
        .zip(projected)
        .filter_map(|(item, times)| {
            let (projected_start, projected_end) = times?;
            let (_, planned_start, planned_end, _) = plan_of(&item.id)?;
            Some(ItemProjection {
                item: item.id.clone(),
                status: item.status,
                planned_start,
                planned_end,
                actual_start: item.actual_start,
                actual_end: item.actual_end,
                projected_start,
                projected_end,
            })
        })
        .collect();
    let planned_end = planned.iter().map(|p| p.2).max().unwrap_or(now);
    let projected_end = items.iter().map(|i| i.projected_end).max().unwrap_or(now);
    RunningOrder {
        items,
        drift: drift.unwrap_or(projected_end - planned_end),
        planned_end,
        projected_end,
    }
}

/// Estimated waits on the current item, in calling order: points of order
/// first, then scheduled presenters, then the list.
pub fn wait_estimates(meeting: &Meeting, now: Timestamp) -> Vec<WaitEstimate> {
    let Some(item) = meeting.agenda.current_item() else {
        return Vec::new();
    };
    let floor = &meeting.floor;
    let interrupts = meeting.definition.rules.point_of_order.interrupts;
    let floor_left: Millis = floor
        .current
        .iter()
        .chain(floor.interrupted.iter())
        .map(|s| s.timer.remaining(now).clamp_non_negative())
        .sum();
    let mut out = Vec::new();
    // Points of order only wait for each other when they interrupt.
    let mut points_ahead = if interrupts { Millis::ZERO } else { floor_left };
    for r in item
        .speakers
        .waiting()
        .filter(|r| r.kind == RequestKind::PointOfOrder)
    {
        out.push(WaitEstimate {
            delegation: r.delegation.clone(),
            request: Some(r.id),
            wait: points_ahead,
            expected_at: now + points_ahead,
        });
        points_ahead += r.limit;
    }
    // The rest wait for the floor to be free and every point of order.
    let mut ahead = if interrupts {
        floor_left + points_ahead
    } else {
        points_ahead
    };
    for slot in item.schedule.pending() {
        out.push(WaitEstimate {
            delegation: slot.presenter.clone(),
            request: None,
            wait: ahead,
            expected_at: now + ahead,
        });
        ahead += slot.allotted;
    }
    for r in item
        .speakers
        .waiting()
        .filter(|r| r.kind != RequestKind::PointOfOrder)
    {
        out.push(WaitEstimate {
            delegation: r.delegation.clone(),
            request: Some(r.id),
            wait: ahead,
            expected_at: now + ahead,
        });
        ahead += r.limit;
    }
    out
}
