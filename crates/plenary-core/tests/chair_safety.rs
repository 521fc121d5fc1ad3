//! The chair can never cut a speaker off by accident: a command decided on
//! a floor that has changed since is refused `stale`, and a call, a floor
//! given, a speech ended or a countdown reset can be undone for 30 s.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use plenary_core::floor::FloorSeen;
use plenary_core::ids::SpeechId;
use plenary_core::rules::RequestKind;
use plenary_core::speakers::RequestStatus;
use plenary_core::{Command, CommandError, Meeting, Millis, decide_seen, stamp};
use support::{Session, chair, d};

const DEBATE: &str = "responsibility-sharing";

/// `hn` speaking (5 min) since the start, `ar` and `br` waiting.
fn hn_speaking() -> Session {
    let mut s = Session::on_item(DEBATE);
    for who in ["hn", "ar", "br"] {
        s.statement(who);
    }
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("hn"));
    s
}

/// `command` sent by the chair with what the chair saw.
fn seen_by_chair(s: &mut Session, command: &Command, seen: &FloorSeen) -> Result<(), CommandError> {
    let events = decide_seen(&s.meeting, &chair(), command, Some(seen), s.now)?;
    for e in stamp(s.meeting.seq, s.now, &chair(), events) {
        s.meeting.apply(&e);
        s.log.push(e);
    }
    Ok(())
}

fn floor_commands() -> Vec<Command> {
    vec![
        Command::CallNext,
        Command::EndSpeech,
        Command::PauseTimer,
        Command::ExtendTimer {
            by: Millis::from_secs(60),
        },
        Command::ResetTimer,
    ]
}

#[test]
fn a_floor_command_decided_on_another_speaker_is_refused_stale_and_changes_nothing() {
    for command in floor_commands() {
        let mut s = hn_speaking();
        let seen = s.meeting.floor.seen();
        // Meanwhile another console moved on: Argentina has the floor.
        s.secs(3);
        s.ok(chair(), Command::CallNext);
        let before = s.meeting.clone();
        let refused = seen_by_chair(&mut s, &command, &seen).unwrap_err();
        assert_eq!(refused.code(), "stale", "{command:?}");
        assert_eq!(
            s.meeting, before,
            "{command:?}: a stale command changes nothing"
        );
        let es = plenary_core::i18n::Lang::parse("es").unwrap();
        assert!(
            refused
                .message(&es)
                .starts_with("Argentina tiene ahora la palabra"),
            "{}",
            refused.message(&es)
        );
    }
}

#[test]
fn a_countdown_changed_since_makes_a_floor_command_stale_too() {
    let mut s = hn_speaking();
    let seen = s.meeting.floor.seen();
    s.secs(2);
    s.ok(chair(), Command::PauseTimer);
    let refused = seen_by_chair(&mut s, &Command::EndSpeech, &seen).unwrap_err();
    assert_eq!(
        refused,
        CommandError::Stale {
            speaker: Some(s.meeting.definition.name_of(&d("hn"))),
            same_speech: true,
        }
    );
    // Seen afresh, it applies.
    let seen = s.meeting.floor.seen();
    seen_by_chair(&mut s, &Command::EndSpeech, &seen).unwrap();
    assert_eq!(s.speaker(), None);
    s.assert_replay_matches();
}

#[test]
fn requests_do_not_make_the_chairs_view_of_the_floor_stale() {
    let mut s = hn_speaking();
    let seen = s.meeting.floor.seen();
    s.statement("ca");
    s.request("gt", RequestKind::PointOfOrder);
    seen_by_chair(
        &mut s,
        &Command::ExtendTimer {
            by: Millis::from_secs(60),
        },
        &seen,
    )
    .unwrap();
}

#[test]
fn without_an_expectation_a_command_applies_to_the_floor_as_it_is() {
    let mut s = hn_speaking();
    s.secs(3);
    s.ok(chair(), Command::CallNext);
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("br"));
}

#[test]
fn undoing_a_call_puts_the_speaker_back_with_the_time_they_had_and_the_called_at_the_head() {
    let mut s = hn_speaking();
    s.secs(100);
    let left = s.remaining();
    assert_eq!(left, Millis::from_secs(200));
    let ar = s
        .meeting
        .agenda
        .current_item()
        .unwrap()
        .speakers
        .head()
        .unwrap()
        .id;
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("ar"));
    s.secs(4);
    s.ok(chair(), Command::UndoFloorChange);
    assert_eq!(s.speaker().as_deref(), Some("hn"));
    assert_eq!(s.remaining(), left, "exactly the time left at the change");
    s.secs(10);
    assert_eq!(
        s.remaining(),
        left - Millis::from_secs(10),
        "and it runs on"
    );
    assert_eq!(s.queue(), ["ar", "br"], "Argentina back at the head");
    assert_eq!(s.request_of(ar).status, RequestStatus::Requested);
    assert!(s.meeting.log.is_empty(), "nobody has finished speaking");
    let hn = s.meeting.floor.current.as_ref().unwrap();
    assert_eq!(hn.restorations.len(), 1);
    assert_eq!(
        hn.restorations[0].restored_at - hn.restorations[0].changed_at,
        Millis::from_secs(4)
    );
    // The minutes say so when the speech ends.
    s.ok(chair(), Command::EndSpeech);
    assert_eq!(s.meeting.log[0].restorations.len(), 1);
    s.assert_replay_matches();
}

#[test]
fn undoing_an_end_of_speech_or_a_reset_restores_the_countdown() {
    let mut s = hn_speaking();
    s.secs(60);
    s.ok(chair(), Command::EndSpeech);
    s.secs(5);
    s.ok(chair(), Command::UndoFloorChange);
    assert_eq!(s.speaker().as_deref(), Some("hn"));
    assert_eq!(s.remaining(), Millis::from_secs(240));

    s.secs(20);
    s.ok(chair(), Command::ResetTimer);
    assert_eq!(s.remaining(), Millis::from_secs(300));
    s.secs(2);
    s.ok(chair(), Command::UndoFloorChange);
    assert_eq!(s.remaining(), Millis::from_secs(220));
    s.assert_replay_matches();
}

#[test]
fn undoing_a_point_of_order_given_the_floor_resumes_the_speaker() {
    let mut s = hn_speaking();
    s.secs(30);
    let point = s.request("gt", RequestKind::PointOfOrder);
    s.ok(chair(), Command::GiveFloor { request: point });
    assert_eq!(s.speaker().as_deref(), Some("gt"));
    s.secs(3);
    s.ok(chair(), Command::UndoFloorChange);
    assert_eq!(s.speaker().as_deref(), Some("hn"));
    assert!(s.meeting.floor.interrupted.is_empty());
    assert_eq!(s.remaining(), Millis::from_secs(270));
    assert_eq!(s.queue()[0], "gt");
    s.assert_replay_matches();
}

#[test]
fn undo_is_refused_after_30_s_or_after_another_change_of_the_floor() {
    let mut s = hn_speaking();
    s.ok(chair(), Command::CallNext);
    s.secs(31);
    let late = s.refused(chair(), Command::UndoFloorChange);
    assert_eq!(late.code(), "undo_expired");

    let mut s = hn_speaking();
    s.ok(chair(), Command::CallNext);
    s.secs(2);
    s.ok(chair(), Command::PauseTimer);
    assert_eq!(
        s.refused(chair(), Command::UndoFloorChange).code(),
        "nothing_to_undo"
    );

    // Only one change back: a second undo has nothing left.
    let mut s = hn_speaking();
    s.ok(chair(), Command::CallNext);
    s.ok(chair(), Command::UndoFloorChange);
    assert_eq!(
        s.refused(chair(), Command::UndoFloorChange).code(),
        "nothing_to_undo"
    );
    // A delegation cannot undo.
    let who = support::delegation("hn");
    assert_eq!(
        s.refused(who, Command::UndoFloorChange).code(),
        "not_permitted"
    );
}

#[test]
fn the_undo_is_an_event_and_replays_identically() {
    let mut s = hn_speaking();
    s.secs(12);
    s.ok(chair(), Command::CallNext);
    s.secs(3);
    let events = s.ok(chair(), Command::UndoFloorChange);
    assert_eq!(events, [plenary_core::Event::FloorChangeUndone]);
    let replayed = Meeting::replay(&s.log).unwrap();
    assert_eq!(replayed, s.meeting);
    assert_eq!(replayed.floor.current.as_ref().unwrap().id, SpeechId(1));
}
