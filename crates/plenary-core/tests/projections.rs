//! Running-order projections: planned times, drift, projected ends of the item and the session, and each waiting delegation's expected wait.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use plenary_core::agenda::ItemStatus;
use plenary_core::ids::RequestId;
use plenary_core::projections::{self, RunningOrder, WaitEstimate};
use plenary_core::rules::RequestKind;
use plenary_core::{Command, MeetingDefinition, Millis, Timestamp};
use support::{Session, T0, chair, d, item};

const DEBATE: &str = "responsibility-sharing";

fn mins(m: i64) -> Millis {
    Millis::from_mins(m)
}

fn at(m: i64) -> Timestamp {
    T0 + mins(m)
}

/// 27 October, 09:00: the planned start of the second day.
fn day_two() -> Timestamp {
    T0 + Millis::from_mins(19 * 60)
}

fn running_order(s: &Session) -> RunningOrder {
    projections::running_order(&s.meeting, s.now)
}

fn projection<'a>(ro: &'a RunningOrder, id: &str) -> &'a projections::ItemProjection {
    ro.items
        .iter()
        .find(|i| i.item.as_str() == id)
        .unwrap_or_else(|| panic!("{id} in the running order"))
}

/// The reference meeting without the second day's fixed start: every item
/// follows the previous one.
fn one_chain() -> MeetingDefinition {
    support::definition_with(|src| {
        let fixed = "planned_start = 2017-10-27T09:00:00-06:00\n";
        assert!(src.contains(fixed));
        src.replacen(fixed, "", 1)
    })
}

fn point_of_order(s: &mut Session, who: &str) -> RequestId {
    s.request(who, RequestKind::PointOfOrder)
}

/// Opening on time, then the national plans opened at 14:30 with Belize
/// presenting since 14:30, four minutes in, and a point of order waiting.
fn national_plans_under_way(definition: MeetingDefinition) -> Session {
    let mut s = Session::new(definition);
    s.ok(
        chair(),
        Command::OpenItem {
            item: item("opening"),
        },
    );
    s.now = at(30);
    s.ok(chair(), Command::NextItem);
    s.ok(
        chair(),
        Command::StartPresentation {
            item: item("national-plans"),
            presenter: None,
        },
    );
    assert_eq!(s.speaker().as_deref(), Some("bz"));
    s.advance(mins(4));
    point_of_order(&mut s, "gt");
    assert_eq!(s.remaining(), mins(8));
    s
}

fn waits(estimates: &[WaitEstimate]) -> Vec<(String, Millis)> {
    estimates
        .iter()
        .map(|w| (w.delegation.to_string(), w.wait))
        .collect()
}

#[test]
fn planned_times_chain_from_the_first_items_planned_start() {
    let s = Session::reference();
    let ro = running_order(&s);
    let planned: Vec<(&str, Timestamp, Timestamp)> = ro
        .items
        .iter()
        .map(|i| (i.item.as_str(), i.planned_start, i.planned_end))
        .collect();
    let d2 = day_two();
    assert_eq!(
        planned,
        [
            ("opening", at(0), at(30)),
            ("national-plans", at(30), at(120)),
            ("break-1", at(120), at(140)),
            ("responsibility-sharing", at(140), at(210)),
            ("regional-actors", d2, d2 + mins(75)),
            ("stocktaking", d2 + mins(75), d2 + mins(120)),
            ("break-2", d2 + mins(120), d2 + mins(135)),
            ("adoption", d2 + mins(135), d2 + mins(165)),
            ("closing", d2 + mins(165), d2 + mins(180)),
        ]
    );
    assert_eq!(ro.planned_end, d2 + mins(180));
    // On time: the projection is the plan.
    for i in &ro.items {
        assert_eq!(i.status, ItemStatus::Pending);
        assert_eq!(
            (i.projected_start, i.projected_end),
            (i.planned_start, i.planned_end)
        );
    }
    assert_eq!(ro.drift, Millis::ZERO);
    assert_eq!(ro.projected_end, ro.planned_end);
}

#[test]
fn before_the_meeting_opens_early_is_on_time_and_a_late_start_is_drift() {
    let mut s = Session::reference();
    s.now = T0 - mins(10);
    let ro = running_order(&s);
    assert_eq!(ro.drift, Millis::ZERO);
    assert_eq!(projection(&ro, "opening").projected_start, T0);

    s.now = T0 + mins(5);
    let ro = running_order(&s);
    assert_eq!(ro.drift, mins(5));
    assert_eq!(projection(&ro, "opening").projected_start, at(5));
    assert_eq!(
        projection(&ro, "responsibility-sharing").projected_end,
        at(215)
    );
}

#[test]
fn opening_the_first_item_12_minutes_late_is_a_drift_of_plus_12_minutes() {
    let mut s = Session::reference();
    s.now = at(12);
    s.ok(
        chair(),
        Command::OpenItem {
            item: item("opening"),
        },
    );
    let ro = running_order(&s);
    assert_eq!(ro.drift, mins(12));
    assert_eq!(ro.drift.as_millis(), 720_000);
    let opening = projection(&ro, "opening");
    assert_eq!(opening.status, ItemStatus::Current);
    assert_eq!(opening.actual_start, Some(at(12)));
    assert_eq!(opening.projected_start, at(12));
    // Three presenters of 10 minutes each still to come.
    assert_eq!(opening.projected_end, at(42));
    let plans = projection(&ro, "national-plans");
    assert_eq!(
        (plans.projected_start, plans.projected_end),
        (at(42), at(132))
    );
    assert_eq!(
        projection(&ro, "responsibility-sharing").projected_end,
        at(222)
    );
    s.assert_replay_matches();
}

#[test]
fn an_item_with_its_own_planned_start_never_starts_earlier() {
    // The first day runs far ahead of schedule.
    let mut s = Session::reference();
    s.ok(
        chair(),
        Command::OpenItem {
            item: item("opening"),
        },
    );
    for m in 1..=3 {
        s.now = at(m);
        s.ok(chair(), Command::NextItem);
    }
    let ro = running_order(&s);
    let debate = projection(&ro, DEBATE);
    assert_eq!(debate.status, ItemStatus::Current);
    // Nobody waiting: the item is expected to take its planned duration.
    assert_eq!(debate.projected_end, at(73));
    assert_eq!(ro.drift, mins(73 - 210));
    let regional = projection(&ro, "regional-actors");
    assert_eq!(regional.projected_start, day_two());
    assert_eq!(regional.projected_end, day_two() + mins(75));
    assert_eq!(
        projection(&ro, "stocktaking").projected_start,
        day_two() + mins(75)
    );
    assert_eq!(ro.projected_end, ro.planned_end);
}

#[test]
fn items_without_a_planned_start_follow_the_previous_planned_end() {
    let s = Session::new(one_chain());
    let ro = running_order(&s);
    let regional = projection(&ro, "regional-actors");
    assert_eq!(regional.planned_start, at(210));
    assert_eq!(ro.planned_end, at(390));
    assert_eq!(ro.projected_end, at(390));
}

#[test]
fn the_sessions_projected_end_moves_with_a_late_start() {
    let mut s = Session::new(one_chain());
    s.now = at(12);
    s.ok(
        chair(),
        Command::OpenItem {
            item: item("opening"),
        },
    );
    let ro = running_order(&s);
    assert_eq!(ro.drift, mins(12));
    assert_eq!(ro.planned_end, at(390));
    assert_eq!(ro.projected_end, at(402));
}

#[test]
fn a_fixed_start_on_the_second_day_absorbs_the_first_days_delay() {
    let mut s = Session::reference();
    s.now = at(12);
    s.ok(
        chair(),
        Command::OpenItem {
            item: item("opening"),
        },
    );
    let ro = running_order(&s);
    assert_eq!(ro.drift, mins(12));
    assert_eq!(
        projection(&ro, "regional-actors").projected_start,
        day_two()
    );
    assert_eq!(ro.projected_end, ro.planned_end);
}

#[test]
fn the_projected_end_of_the_current_item_counts_speaker_presenters_and_waiting_requests() {
    let s = national_plans_under_way(support::reference_definition());
    let ro = running_order(&s);
    let opening = projection(&ro, "opening");
    assert_eq!(opening.status, ItemStatus::Done);
    assert_eq!(
        (opening.projected_start, opening.projected_end),
        (at(0), at(30))
    );
    let plans = projection(&ro, "national-plans");
    assert_eq!(plans.status, ItemStatus::Current);
    assert_eq!(plans.actual_start, Some(at(30)));
    // now (14:34) + Belize's 8 min left + 5 presenters × 12 min + a 2 min
    // point of order.
    assert_eq!(s.now, at(34));
    assert_eq!(plans.projected_end, s.now + mins(8) + mins(60) + mins(2));
    assert_eq!(plans.projected_end, at(104));
    assert_eq!(ro.drift, mins(-16), "16 minutes ahead of the plan");
    assert_eq!(projection(&ro, "break-1").projected_start, at(104));
    assert_eq!(ro.projected_end, ro.planned_end, "day two is fixed");

    // Without the fixed second day the session's end moves with the item.
    let s = national_plans_under_way(one_chain());
    let ro = running_order(&s);
    assert_eq!(ro.drift, mins(-16));
    assert_eq!(ro.projected_end, at(390 - 16));
    s.assert_replay_matches();
}

#[test]
fn an_interrupted_speaker_still_counts_towards_the_projected_end() {
    let mut s = national_plans_under_way(support::reference_definition());
    // The point of order is heard: Belize waits with 8 minutes left.
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("gt"));
    s.advance(mins(1));
    let ro = running_order(&s);
    assert_eq!(s.now, at(35));
    assert_eq!(
        projection(&ro, "national-plans").projected_end,
        s.now + mins(1) + mins(8) + mins(60)
    );
    s.assert_replay_matches();
}

#[test]
fn a_speaker_in_overtime_adds_nothing_to_the_projected_end() {
    let mut s = national_plans_under_way(support::reference_definition());
    s.advance(mins(11)); // Belize is 3 minutes over.
    assert_eq!(s.remaining(), mins(-3));
    let ro = running_order(&s);
    assert_eq!(
        projection(&ro, "national-plans").projected_end,
        s.now + mins(60) + mins(2)
    );
}

#[test]
fn each_waiting_delegation_waits_for_the_speaker_and_the_limits_of_those_ahead() {
    let mut s = Session::on_item(DEBATE);
    s.statement("br");
    let ca = s.statement("ca");
    let nrc = s.statement("cs-nrc");
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("br"));
    s.secs(90);
    // Honduras, a member state, goes ahead of the cooperating states.
    let hn = s.statement("hn");
    assert_eq!(s.queue(), ["hn", "ca", "cs-nrc"]);
    assert_eq!(s.remaining(), Millis::from_secs(210));

    let estimates = projections::wait_estimates(&s.meeting, s.now);
    assert_eq!(
        waits(&estimates),
        [
            ("hn".to_owned(), Millis::from_secs(210)),
            ("ca".to_owned(), Millis::from_secs(210) + mins(5)),
            ("cs-nrc".to_owned(), Millis::from_secs(210) + mins(10)),
        ]
    );
    let requests: Vec<Option<RequestId>> = estimates.iter().map(|w| w.request).collect();
    assert_eq!(requests, [Some(hn), Some(ca), Some(nrc)]);
    for w in &estimates {
        assert_eq!(w.expected_at, s.now + w.wait);
    }
    // Civil society speaks 3 minutes: nobody waits for it here.
    assert_eq!(s.request_of(nrc).limit, mins(3));
}

#[test]
fn points_of_order_that_interrupt_wait_only_for_each_other() {
    let mut s = Session::on_item(DEBATE);
    s.statement("br");
    s.statement("ca");
    s.statement("us");
    s.ok(chair(), Command::CallNext);
    s.secs(90);
    let mx = point_of_order(&mut s, "mx");
    let gt = point_of_order(&mut s, "gt");
    assert_eq!(s.queue(), ["mx", "gt", "ca", "us"]);

    let estimates = projections::wait_estimates(&s.meeting, s.now);
    assert_eq!(
        waits(&estimates),
        [
            ("mx".to_owned(), Millis::ZERO),
            ("gt".to_owned(), mins(2)),
            // Brazil's 3:30 left, both points, then those ahead.
            ("ca".to_owned(), Millis::from_secs(210) + mins(4)),
            ("us".to_owned(), Millis::from_secs(210) + mins(4) + mins(5)),
        ]
    );
    assert_eq!(estimates[0].request, Some(mx));
    assert_eq!(estimates[1].request, Some(gt));
}

#[test]
fn points_of_order_that_do_not_interrupt_wait_for_the_speaker_too() {
    let def = support::definition_with(|src| {
        src.replacen(
            "point_of_order_interrupts = true",
            "point_of_order_interrupts = false",
            1,
        )
    });
    assert!(!def.rules.point_of_order.interrupts);
    let mut s = Session::new(def);
    s.ok(chair(), Command::OpenItem { item: item(DEBATE) });
    s.statement("br");
    s.statement("ca");
    s.statement("us");
    s.ok(chair(), Command::CallNext);
    s.secs(90);
    point_of_order(&mut s, "mx");
    point_of_order(&mut s, "gt");

    let estimates = projections::wait_estimates(&s.meeting, s.now);
    assert_eq!(
        waits(&estimates),
        [
            ("mx".to_owned(), Millis::from_secs(210)),
            ("gt".to_owned(), Millis::from_secs(210) + mins(2)),
            ("ca".to_owned(), Millis::from_secs(210) + mins(4)),
            ("us".to_owned(), Millis::from_secs(210) + mins(4) + mins(5)),
        ]
    );
}

#[test]
fn while_a_point_of_order_is_heard_the_list_waits_for_it_and_the_interrupted_speaker() {
    let mut s = Session::on_item(DEBATE);
    s.statement("br");
    s.statement("ca");
    s.ok(chair(), Command::CallNext);
    s.secs(90);
    point_of_order(&mut s, "mx");
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("mx"));
    s.secs(30);
    let estimates = projections::wait_estimates(&s.meeting, s.now);
    // 1:30 of the point of order left, then Brazil's 3:30.
    assert_eq!(
        waits(&estimates),
        [("ca".to_owned(), Millis::from_secs(90 + 210))]
    );
    s.assert_replay_matches();
}

#[test]
fn presenters_wait_after_points_of_order_and_before_the_list() {
    let mut s = national_plans_under_way(support::reference_definition());
    let estimates = projections::wait_estimates(&s.meeting, s.now);
    // The point of order interrupts at once; Costa Rica waits for Belize's
    // 8 minutes and the 2-minute point; each next presenter 12 more.
    assert_eq!(
        waits(&estimates),
        [
            ("gt".to_owned(), Millis::ZERO),
            ("cr".to_owned(), mins(10)),
            ("gt".to_owned(), mins(22)),
            ("hn".to_owned(), mins(34)),
            ("mx".to_owned(), mins(46)),
            ("pa".to_owned(), mins(58)),
        ]
    );
    assert_eq!(estimates[1].request, None);
    assert_eq!(estimates[1].delegation, d("cr"));
    // No item open, no estimates.
    s = Session::reference();
    assert_eq!(projections::wait_estimates(&s.meeting, s.now), []);
}
