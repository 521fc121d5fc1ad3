//! The floor and its countdown: one speaker at a time, the chair's timer
//! controls, time up under each policy, yielding, and the speaking log.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use plenary_core::floor::{EndReason, Pause, SpeechSource};
use plenary_core::i18n::Lang;
use plenary_core::ids::SpeechId;
use plenary_core::rules::RequestKind;
use plenary_core::speakers::RequestStatus;
use plenary_core::{Command, CommandError, Millis, Role, Timestamp};
use support::{Session, T0, chair, definition_with, delegation, item};

const DEBATE: &str = "stocktaking";

fn at(secs: i64) -> Timestamp {
    T0 + Millis::from_secs(secs)
}

fn extend(by: Millis) -> Command {
    Command::ExtendTimer { by }
}

/// `stocktaking` open and `hn` speaking (5 min) from `T0`.
fn hn_speaking() -> Session {
    let mut s = Session::on_item(DEBATE);
    s.statement("hn");
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.remaining(), Millis(300_000));
    s
}

#[test]
fn only_one_speaker_holds_the_floor_and_calling_the_next_ends_the_previous() {
    let mut s = Session::on_item(DEBATE);
    let hn = s.statement("hn");
    let gt = s.statement("gt");
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("hn"));
    assert_eq!(s.queue(), ["gt"]);

    s.secs(100);
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("gt"));
    assert!(s.meeting.floor.interrupted.is_empty());
    assert!(s.queue().is_empty());
    assert_eq!(
        s.request_of(hn).status,
        RequestStatus::Done {
            speech: SpeechId(1)
        }
    );
    assert_eq!(
        s.request_of(gt).status,
        RequestStatus::Speaking {
            speech: SpeechId(2)
        }
    );

    let [record] = &s.meeting.log[..] else {
        panic!("one log entry: {:?}", s.meeting.log)
    };
    assert_eq!(record.delegation.as_str(), "hn");
    assert_eq!(record.ended_by, EndReason::Chair);
    assert_eq!((record.started_at, record.ended_at), (T0, at(100)));
    assert_eq!(record.spoken, Millis(100_000));
    s.assert_replay_matches();
}

#[test]
fn calling_the_next_speaker_needs_a_current_item_and_someone_waiting() {
    let mut s = Session::reference();
    let err = s.refused(chair(), Command::CallNext);
    assert_eq!(err.code(), "no_current_item");
    assert_eq!(err, CommandError::NoCurrentItem);

    s.ok(chair(), Command::OpenItem { item: item(DEBATE) });
    let err = s.refused(chair(), Command::CallNext);
    assert_eq!(err.code(), "queue_empty");

    // With nobody waiting, the speaker keeps the floor.
    s.statement("hn");
    s.ok(chair(), Command::CallNext);
    s.secs(30);
    let err = s.refused(chair(), Command::CallNext);
    assert_eq!(err, CommandError::QueueEmpty);
    assert_eq!(s.speaker().as_deref(), Some("hn"));
    assert_eq!(s.remaining(), Millis(270_000));
}

#[test]
fn the_floor_and_timer_commands_need_a_speaker_on_the_floor() {
    let mut s = Session::on_item(DEBATE);
    for command in [
        Command::EndSpeech,
        Command::PauseTimer,
        Command::ResumeTimer,
        extend(Millis::from_mins(1)),
        Command::ResetTimer,
    ] {
        let err = s.refused(chair(), command.clone());
        assert_eq!(err.code(), "no_speaker_on_floor", "{command:?}");
    }
    let err = s.refused(Role::System, Command::TimeUp);
    assert_eq!(err, CommandError::NoSpeakerOnFloor);
}

#[test]
fn the_chair_pauses_and_resumes_the_current_speakers_timer() {
    let mut s = hn_speaking();
    s.secs(30);
    assert_eq!(s.remaining(), Millis(270_000));
    let err = s.refused(chair(), Command::ResumeTimer);
    assert_eq!(err.code(), "timer_not_paused");

    s.ok(chair(), Command::PauseTimer);
    s.secs(60);
    assert_eq!(s.remaining(), Millis(270_000));
    let err = s.refused(chair(), Command::PauseTimer);
    assert_eq!(err.code(), "timer_not_running");

    s.ok(chair(), Command::ResumeTimer);
    s.secs(10);
    assert_eq!(s.remaining(), Millis(260_000));

    let err = s.refused(delegation("hn"), Command::PauseTimer);
    assert_eq!(err.code(), "not_permitted");
    s.assert_replay_matches();
}

#[test]
fn the_chair_extends_the_current_speakers_time_by_at_most_an_hour_either_way() {
    let mut s = hn_speaking();
    s.secs(40);
    s.ok(chair(), extend(Millis::from_mins(1)));
    assert_eq!(s.remaining(), Millis(320_000));
    s.ok(chair(), extend(Millis::from_secs(-30)));
    assert_eq!(s.remaining(), Millis(290_000));
    s.ok(chair(), extend(Millis::from_mins(60)));
    s.ok(chair(), extend(Millis::from_mins(-60)));
    assert_eq!(s.remaining(), Millis(290_000));

    for bad in [
        Millis::ZERO,
        Millis::from_mins(60) + Millis(1),
        Millis::from_mins(-60) - Millis(1),
    ] {
        let err = s.refused(chair(), extend(bad));
        assert_eq!(err.code(), "invalid_duration", "{bad:?}");
    }
    assert_eq!(
        s.meeting.floor.current.as_ref().unwrap().timer.limit,
        Millis(330_000)
    );
    s.assert_replay_matches();
}

#[test]
fn the_chair_resets_the_current_speakers_timer_to_the_full_limit() {
    let mut s = hn_speaking();
    s.ok(chair(), extend(Millis::from_mins(1)));
    s.secs(100);
    assert_eq!(s.remaining(), Millis(260_000));

    // Running, it restarts from the full limit (extensions included).
    s.ok(chair(), Command::ResetTimer);
    assert_eq!(s.remaining(), Millis(360_000));
    s.secs(5);
    assert_eq!(s.remaining(), Millis(355_000));

    // Paused, it is back to the full limit and waits for the chair.
    s.ok(chair(), Command::PauseTimer);
    s.secs(20);
    s.ok(chair(), Command::ResetTimer);
    assert_eq!(s.remaining(), Millis(360_000));
    s.secs(20);
    assert_eq!(s.remaining(), Millis(360_000));
    let err = s.refused(chair(), Command::PauseTimer);
    assert_eq!(err.code(), "timer_not_running");
    s.ok(chair(), Command::ResumeTimer);
    s.secs(30);
    assert_eq!(s.remaining(), Millis(330_000));
    // The log keeps every second spoken, before and after the resets.
    s.ok(chair(), Command::EndSpeech);
    assert_eq!(s.meeting.log[0].spoken, Millis(100_000 + 5_000 + 30_000));
    assert_eq!(s.meeting.log[0].overrun, Millis::ZERO);
    s.assert_replay_matches();
}

#[test]
fn time_up_from_the_system_is_refused_before_the_limit() {
    let mut s = hn_speaking();
    s.secs(299);
    let err = s.refused(Role::System, Command::TimeUp);
    assert_eq!(err.code(), "time_not_up");
    assert_eq!(err, CommandError::TimeNotUp);

    // Only the server says time is up.
    s.secs(1);
    let err = s.refused(chair(), Command::TimeUp);
    assert_eq!(err.code(), "not_permitted");

    // An extension moves the limit.
    s.ok(chair(), extend(Millis::from_secs(30)));
    let err = s.refused(Role::System, Command::TimeUp);
    assert_eq!(err.code(), "time_not_up");

    // A paused countdown does not run out.
    s.secs(20);
    s.ok(chair(), Command::PauseTimer);
    s.secs(600);
    let err = s.refused(Role::System, Command::TimeUp);
    assert_eq!(err.code(), "time_not_up");
}

#[test]
fn time_up_ends_the_speech_when_the_rules_say_end_speech() {
    let mut s = Session::new(definition_with(|src| {
        src.replacen(
            "on_time_up = \"overtime\"",
            "on_time_up = \"end_speech\"",
            1,
        )
    }));
    s.ok(chair(), Command::OpenItem { item: item(DEBATE) });
    let hn = s.statement("hn");
    s.statement("gt");
    s.ok(chair(), Command::CallNext);
    s.secs(300);
    assert_eq!(s.remaining(), Millis::ZERO);
    s.ok(Role::System, Command::TimeUp);

    assert_eq!(s.speaker(), None);
    assert_eq!(
        s.request_of(hn).status,
        RequestStatus::Done {
            speech: SpeechId(1)
        }
    );
    let record = &s.meeting.log[0];
    assert_eq!(record.ended_by, EndReason::Time);
    assert_eq!(record.ended_at, at(300));
    assert_eq!(record.spoken, Millis(300_000));
    assert_eq!(record.overrun, Millis::ZERO);
    // The next speaker is not called automatically.
    assert_eq!(s.queue(), ["gt"]);
    s.assert_replay_matches();
}

#[test]
fn time_up_changes_nothing_under_overtime() {
    let mut s = hn_speaking();
    s.secs(300);
    let before = s.meeting.floor.clone();
    let events = s.ok(Role::System, Command::TimeUp);
    assert!(events.is_empty(), "{events:?}");
    assert_eq!(s.meeting.floor, before);
    assert_eq!(s.speaker().as_deref(), Some("hn"));

    // The countdown counts on into overtime.
    s.secs(45);
    assert_eq!(s.remaining(), Millis(-45_000));
    s.ok(chair(), Command::EndSpeech);
    assert_eq!(s.meeting.log[0].overrun, Millis(45_000));
    assert_eq!(s.meeting.log[0].ended_by, EndReason::Chair);
    s.assert_replay_matches();
}

#[test]
fn withdrawing_while_speaking_yields_the_floor() {
    let mut s = Session::on_item(DEBATE);
    let hn = s.statement("hn");
    s.statement("gt");
    s.ok(chair(), Command::CallNext);
    s.secs(45);

    let err = s.refused(delegation("gt"), Command::WithdrawRequest { request: hn });
    assert_eq!(err.code(), "not_your_delegation");

    s.ok(delegation("hn"), Command::WithdrawRequest { request: hn });
    assert_eq!(s.speaker(), None);
    // It was heard, if briefly: the request is done; the log says it was withdrawn.
    assert!(matches!(
        s.request_of(hn).status,
        RequestStatus::Done { .. }
    ));
    let record = &s.meeting.log[0];
    assert_eq!(record.ended_by, EndReason::Withdrawn);
    assert_eq!(record.spoken, Millis(45_000));
    assert_eq!(record.ended_at, at(45));
    assert_eq!(s.queue(), ["gt"]);

    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("gt"));
    s.assert_replay_matches();
}

#[test]
fn the_speaking_log_records_who_spoke_what_in_which_language_when_and_for_how_long() {
    let mut s = Session::on_item(DEBATE);
    let br = s.statement("br");
    s.ok(chair(), Command::CallNext); // at 0 s
    s.secs(120);
    s.ok(chair(), Command::PauseTimer); // at 120 s
    s.secs(30);
    s.ok(chair(), Command::ResumeTimer); // at 150 s
    s.secs(240);
    s.ok(chair(), Command::EndSpeech); // at 390 s

    let gt = s.request("gt", RequestKind::RightOfReply);
    s.secs(10);
    s.ok(chair(), Command::CallNext); // at 400 s
    s.secs(200);
    s.ok(chair(), Command::EndSpeech); // at 600 s

    let [statement, reply] = &s.meeting.log[..] else {
        panic!("two log entries: {:?}", s.meeting.log)
    };
    assert_eq!(statement.id, SpeechId(1));
    assert_eq!(statement.item, item(DEBATE));
    assert_eq!(statement.delegation.as_str(), "br");
    assert_eq!(
        statement.source,
        SpeechSource::Request {
            request: br,
            kind: RequestKind::Statement
        }
    );
    assert_eq!(statement.language, Lang::parse("pt").unwrap());
    assert_eq!(statement.started_at, T0);
    assert_eq!(statement.ended_at, at(390));
    assert_eq!(
        statement.pauses,
        [Pause {
            from: at(120),
            to: Some(at(150))
        }]
    );
    assert_eq!(statement.limit, Millis(300_000));
    assert_eq!(statement.spoken, Millis(360_000));
    assert_eq!(statement.overrun, Millis(60_000));
    assert_eq!(statement.ended_by, EndReason::Chair);

    assert_eq!(reply.id, SpeechId(2));
    assert_eq!(reply.delegation.as_str(), "gt");
    assert_eq!(
        reply.source,
        SpeechSource::Request {
            request: gt,
            kind: RequestKind::RightOfReply
        }
    );
    assert_eq!(reply.language, Lang::parse("es").unwrap());
    assert_eq!((reply.started_at, reply.ended_at), (at(400), at(600)));
    assert!(reply.pauses.is_empty());
    assert_eq!(reply.limit, Millis(600_000));
    assert_eq!(reply.spoken, Millis(200_000));
    assert_eq!(reply.overrun, Millis::ZERO);
    s.assert_replay_matches();
}
