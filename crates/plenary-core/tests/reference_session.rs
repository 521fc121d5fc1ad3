//! The scripted afternoon of the reference meeting: every step has the
//! expected outcome, the state after it is pinned by a snapshot, and the
//! log replays to the same state.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use plenary_core::script::{Expect, reference_half_day};
use plenary_core::{Meeting, execute, interpretation, projections};
use support::{Session, T0};

fn run_script() -> Session {
    let mut s = Session::reference();
    s.log[0].at = T0 - plenary_core::Millis::from_mins(30);
    for (i, step) in reference_half_day(T0).into_iter().enumerate() {
        s.now = step.at;
        match (
            &step.expect,
            execute(&mut s.meeting, &step.actor, &step.command, step.at),
        ) {
            (Expect::Accepted, Ok(events)) => s.log.extend(events),
            (Expect::Refused(code), Err(e)) => assert_eq!(e.code(), *code, "step {i}"),
            (expect, outcome) => panic!(
                "step {i} {:?}: expected {expect:?}, got {outcome:?}",
                step.command
            ),
        }
    }
    s
}

#[test]
fn the_scripted_half_day_runs_as_expected_and_replays_exactly() {
    let s = run_script();
    s.assert_replay_matches();
    // Every event is numbered without gaps from 1.
    for (i, e) in s.log.iter().enumerate() {
        assert_eq!(e.seq, i as u64 + 1);
    }
    // The serialised log reads back to the same events.
    let json = serde_json::to_string(&s.log).unwrap();
    let back: Vec<plenary_core::StoredEvent> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, s.log);
    assert_eq!(Meeting::replay(&back).unwrap(), s.meeting);
}

#[test]
fn snapshot_of_the_state_after_the_half_day() {
    let s = run_script();
    insta::assert_json_snapshot!("state_after_half_day", s.meeting, {
        ".definition" => "[the reference definition]",
    });
}

#[test]
fn snapshot_of_the_speaking_log_and_running_order() {
    let s = run_script();
    insta::assert_json_snapshot!("speaking_log", s.meeting.log);
    insta::assert_json_snapshot!(
        "running_order_at_the_end",
        projections::running_order(&s.meeting, s.now)
    );
}

#[test]
fn brazil_speaking_portuguese_puts_the_spanish_booth_on_relay_from_the_english_booth() {
    let s = run_script();
    let brazil = s
        .meeting
        .log
        .iter()
        .find(|r| r.delegation.as_str() == "br")
        .unwrap();
    assert_eq!(brazil.language.as_str(), "pt");
    let plan = s
        .meeting
        .interpretation
        .plan(&s.meeting.definition, &brazil.language);
    assert_eq!(
        plan.feed_of(1),
        Some(&interpretation::ChannelFeed::Booth {
            booth: support::BoothId::new("booth-es"),
            source: interpretation::Source::Relay {
                booth: support::BoothId::new("booth-en")
            },
            depth: interpretation::Depth::OneRelay,
        })
    );
    assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
}
