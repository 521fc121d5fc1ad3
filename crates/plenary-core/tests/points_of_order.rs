//! Points of order: they jump the queue, interrupt the speaker (whose
//! countdown pauses and resumes with exactly what was left), are heard in
//! order of request, and leave their trace in the speaking log.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use plenary_core::floor::{EndReason, Pause, SpeechSource};
use plenary_core::ids::{ItemId, RequestId, SpeechId};
use plenary_core::rules::RequestKind;
use plenary_core::speakers::RequestStatus;
use plenary_core::{Command, CommandError, Event, Millis, Timestamp};
use support::{Session, T0, chair, definition_with, item};

const DEBATE: &str = "stocktaking";

fn debate() -> ItemId {
    item(DEBATE)
}

fn point_of_order(s: &mut Session, who: &str) -> RequestId {
    s.request(who, RequestKind::PointOfOrder)
}

fn at(secs: i64) -> Timestamp {
    T0 + Millis::from_secs(secs)
}

/// Remaining time of the speaker waiting under the point(s) of order.
fn interrupted_remaining(s: &Session) -> Millis {
    let [waiting] = &s.meeting.floor.interrupted[..] else {
        panic!("one interrupted speaker: {:?}", s.meeting.floor.interrupted)
    };
    waiting.timer.remaining(s.now)
}

/// `stocktaking` open, `hn` speaking (5 min) from `T0`, `ar` waiting.
fn hn_speaking() -> Session {
    let mut s = Session::on_item(DEBATE);
    s.statement("hn");
    s.statement("ar");
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("hn"));
    assert_eq!(s.remaining(), Millis(300_000));
    s
}

#[test]
fn points_of_order_jump_the_queue_and_are_ordered_among_themselves_by_time() {
    let mut s = Session::on_item(DEBATE);
    for who in ["hn", "gt", "ar"] {
        s.statement(who);
        s.secs(5);
    }
    point_of_order(&mut s, "cs-jesuit");
    s.secs(5);
    point_of_order(&mut s, "eu");
    assert_eq!(s.queue(), ["cs-jesuit", "eu", "hn", "gt", "ar"]);

    // Even on a closed list.
    s.ok(chair(), Command::CloseList { item: debate() });
    s.secs(5);
    point_of_order(&mut s, "mx");
    assert_eq!(s.queue(), ["cs-jesuit", "eu", "mx", "hn", "gt", "ar"]);

    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("cs-jesuit"));
    assert_eq!(s.remaining(), Millis(120_000), "point_of_order_limit = 2m");
    s.assert_replay_matches();
}

#[test]
fn a_point_of_order_interrupts_the_speaker_who_resumes_with_what_was_left_when_the_chair_calls_next()
 {
    let mut s = hn_speaking();
    s.secs(90);
    let point = point_of_order(&mut s, "gt");

    let events = s.ok(chair(), Command::CallNext);
    assert!(
        matches!(
            &events[..],
            [Event::SpeechStarted {
                interrupting: true,
                ..
            }]
        ),
        "the speaker is paused, not ended: {events:?}"
    );
    assert_eq!(s.speaker().as_deref(), Some("gt"));
    assert_eq!(s.remaining(), Millis(120_000));
    assert_eq!(interrupted_remaining(&s), Millis(210_000));
    assert!(s.meeting.floor.interrupted[0].timer.is_paused());

    s.secs(45);
    assert_eq!(s.remaining(), Millis(75_000));
    assert_eq!(interrupted_remaining(&s), Millis(210_000));

    // Calling next with no other point of order waiting gives the floor
    // back to the interrupted speaker, not to the head of the list.
    let events = s.ok(chair(), Command::CallNext);
    assert_eq!(
        events,
        [Event::SpeechEnded {
            speech: SpeechId(2),
            reason: EndReason::Chair,
            resumed: Some(SpeechId(1)),
        }]
    );
    assert_eq!(s.speaker().as_deref(), Some("hn"));
    assert_eq!(s.remaining(), Millis(210_000));
    assert!(s.meeting.floor.interrupted.is_empty());
    assert_eq!(s.queue(), ["ar"]);
    assert_eq!(
        s.request_of(point).status,
        RequestStatus::Done {
            speech: SpeechId(2)
        }
    );
    s.secs(10);
    assert_eq!(s.remaining(), Millis(200_000));
    s.assert_replay_matches();
}

#[test]
fn a_point_of_order_interrupts_the_speaker_who_resumes_with_what_was_left_when_it_is_ended() {
    let mut s = hn_speaking();
    s.secs(100);
    point_of_order(&mut s, "gt");
    s.ok(chair(), Command::CallNext);
    s.secs(30);
    s.ok(chair(), Command::EndSpeech);
    assert_eq!(s.speaker().as_deref(), Some("hn"));
    assert_eq!(s.remaining(), Millis(200_000));
    s.secs(1);
    assert_eq!(s.remaining(), Millis(199_000));

    // Yielding the floor on a point of order gives it back too.
    point_of_order(&mut s, "mx");
    s.ok(chair(), Command::CallNext);
    let mx = s.meeting.floor.current.as_ref().unwrap().source.request();
    s.secs(20);
    s.ok(
        support::delegation("mx"),
        Command::WithdrawRequest {
            request: mx.unwrap(),
        },
    );
    assert_eq!(s.speaker().as_deref(), Some("hn"));
    assert_eq!(s.remaining(), Millis(199_000));
    s.assert_replay_matches();
}

#[test]
fn several_points_of_order_are_heard_in_order_of_request_before_the_speaker_resumes() {
    let mut s = hn_speaking();
    s.secs(60);
    point_of_order(&mut s, "gt");
    s.secs(5);
    point_of_order(&mut s, "cs-nrc");
    assert_eq!(s.queue(), ["gt", "cs-nrc", "ar"]);

    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("gt"));
    assert_eq!(interrupted_remaining(&s), Millis(235_000));

    s.secs(30);
    let events = s.ok(chair(), Command::CallNext);
    assert!(
        matches!(
            &events[..],
            [
                Event::SpeechEnded {
                    resumed: None,
                    reason: EndReason::Chair,
                    ..
                },
                Event::SpeechStarted {
                    interrupting: false,
                    ..
                }
            ]
        ),
        "the next point of order replaces the one heard: {events:?}"
    );
    assert_eq!(s.speaker().as_deref(), Some("cs-nrc"));
    assert_eq!(interrupted_remaining(&s), Millis(235_000));

    // One asked while another is heard waits its turn too.
    s.secs(20);
    point_of_order(&mut s, "mx");
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("mx"));
    assert_eq!(interrupted_remaining(&s), Millis(235_000));

    s.secs(15);
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("hn"));
    assert_eq!(s.remaining(), Millis(235_000));
    assert_eq!(s.queue(), ["ar"]);

    let heard: Vec<&str> = s
        .meeting
        .log
        .iter()
        .map(|r| r.delegation.as_str())
        .collect();
    assert_eq!(heard, ["gt", "cs-nrc", "mx"]);
    assert!(s.meeting.log.iter().all(|r| r.source.is_point_of_order()));
    s.assert_replay_matches();
}

#[test]
fn a_statement_cannot_be_given_the_floor_while_a_point_of_order_is_heard() {
    let mut s = Session::on_item(DEBATE);
    s.statement("hn");
    let ar = s.statement("ar");
    s.ok(chair(), Command::CallNext);
    s.secs(60);
    point_of_order(&mut s, "gt");
    s.ok(chair(), Command::CallNext);

    let err = s.refused(chair(), Command::GiveFloor { request: ar });
    assert_eq!(err.code(), "point_of_order_in_progress");
    assert_eq!(err, CommandError::PointOfOrderInProgress);

    // Another point of order may be given the floor.
    s.secs(10);
    let next = point_of_order(&mut s, "mx");
    s.ok(chair(), Command::GiveFloor { request: next });
    assert_eq!(s.speaker().as_deref(), Some("mx"));
    assert_eq!(interrupted_remaining(&s), Millis(240_000));
    s.assert_replay_matches();
}

#[test]
fn a_point_of_order_interrupts_a_presentation_too() {
    let mut s = Session::on_item("national-plans");
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("bz"));
    s.secs(300);
    // The list is closed on this item, but a point of order is taken.
    point_of_order(&mut s, "hn");
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("hn"));
    assert_eq!(interrupted_remaining(&s), Millis(420_000));

    let err = s.refused(
        chair(),
        Command::StartPresentation {
            item: item("national-plans"),
            presenter: None,
        },
    );
    assert_eq!(err.code(), "point_of_order_in_progress");

    s.secs(60);
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("bz"));
    assert_eq!(s.remaining(), Millis(420_000));
    s.assert_replay_matches();
}

#[test]
fn without_interruption_a_point_of_order_ends_the_current_speaker() {
    let mut s = Session::new(definition_with(|src| {
        src.replacen(
            "point_of_order_interrupts = true",
            "point_of_order_interrupts = false",
            1,
        )
    }));
    s.ok(chair(), Command::OpenItem { item: debate() });
    let hn = s.statement("hn");
    s.statement("ar");
    s.ok(chair(), Command::CallNext);
    s.secs(90);
    point_of_order(&mut s, "gt");

    let events = s.ok(chair(), Command::CallNext);
    assert!(
        matches!(
            &events[..],
            [
                Event::SpeechEnded {
                    speech: SpeechId(1),
                    reason: EndReason::Chair,
                    resumed: None,
                },
                Event::SpeechStarted {
                    interrupting: false,
                    ..
                }
            ]
        ),
        "{events:?}"
    );
    assert_eq!(s.speaker().as_deref(), Some("gt"));
    assert!(s.meeting.floor.interrupted.is_empty());
    assert_eq!(
        s.request_of(hn).status,
        RequestStatus::Done {
            speech: SpeechId(1)
        }
    );
    let record = &s.meeting.log[0];
    assert_eq!(record.delegation.as_str(), "hn");
    assert_eq!(record.spoken, Millis(90_000));
    assert_eq!(record.ended_by, EndReason::Chair);

    // After the point of order the list goes on; the speaker does not resume.
    s.secs(30);
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("ar"));
    s.assert_replay_matches();
}

#[test]
fn the_pauses_of_an_interrupted_speaker_are_logged() {
    let mut s = hn_speaking();
    s.secs(60);
    point_of_order(&mut s, "gt");
    s.ok(chair(), Command::CallNext); // at 60 s
    s.secs(40);
    s.ok(chair(), Command::CallNext); // hn resumes at 100 s
    s.secs(30);
    point_of_order(&mut s, "pa");
    s.ok(chair(), Command::CallNext); // at 130 s
    s.secs(20);
    s.ok(chair(), Command::EndSpeech); // hn resumes at 150 s
    s.secs(100);
    s.ok(chair(), Command::EndSpeech); // at 250 s

    let log = &s.meeting.log;
    let who: Vec<&str> = log.iter().map(|r| r.delegation.as_str()).collect();
    assert_eq!(who, ["gt", "pa", "hn"]);

    let hn = &log[2];
    assert_eq!(hn.started_at, T0);
    assert_eq!(hn.ended_at, at(250));
    assert_eq!(
        hn.pauses,
        [
            Pause {
                from: at(60),
                to: Some(at(100)),
            },
            Pause {
                from: at(130),
                to: Some(at(150)),
            },
        ]
    );
    assert_eq!(hn.spoken, Millis(190_000), "pauses excluded");
    assert_eq!(hn.overrun, Millis::ZERO);
    assert_eq!(hn.ended_by, EndReason::Chair);

    let gt = &log[0];
    assert!(matches!(
        gt.source,
        SpeechSource::Request {
            kind: RequestKind::PointOfOrder,
            ..
        }
    ));
    assert_eq!((gt.started_at, gt.ended_at), (at(60), at(100)));
    assert_eq!(gt.spoken, Millis(40_000));
    assert_eq!(gt.limit, Millis(120_000));
    assert!(gt.pauses.is_empty());
    s.assert_replay_matches();
}

#[test]
fn points_of_order_heard_on_an_empty_floor_follow_one_another_without_interrupting() {
    let mut s = Session::on_item(DEBATE);
    s.statement("hn");
    point_of_order(&mut s, "gt");
    s.secs(5);
    point_of_order(&mut s, "mx");
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("gt"));
    assert!(s.meeting.floor.interrupted.is_empty());

    // The second point of order replaces the first, as it does when a
    // speaker was interrupted: the first one is over, not paused.
    s.secs(30);
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("mx"));
    assert!(
        s.meeting.floor.interrupted.is_empty(),
        "a point of order does not interrupt another: {:?}",
        s.meeting.floor.interrupted
    );
    let heard: Vec<&str> = s
        .meeting
        .log
        .iter()
        .map(|r| r.delegation.as_str())
        .collect();
    assert_eq!(heard, ["gt"]);

    // Then the list goes on.
    s.secs(30);
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("hn"));
    s.assert_replay_matches();
}

#[test]
fn an_interrupted_speaker_who_withdraws_does_not_come_back() {
    let mut s = Session::on_item(DEBATE);
    let hn = s.statement("hn");
    s.statement("ar");
    s.ok(chair(), Command::CallNext);
    s.secs(60);
    point_of_order(&mut s, "gt");
    s.ok(chair(), Command::CallNext);
    s.secs(20);

    s.ok(
        support::delegation("hn"),
        Command::WithdrawRequest { request: hn },
    );
    // The point of order goes on; nobody waits under it any more.
    assert_eq!(s.speaker().as_deref(), Some("gt"));
    assert!(s.meeting.floor.interrupted.is_empty());
    assert!(matches!(
        s.request_of(hn).status,
        RequestStatus::Done { .. }
    ));
    let record = &s.meeting.log[0];
    assert_eq!(record.delegation.as_str(), "hn");
    assert_eq!(record.ended_by, EndReason::Withdrawn);
    assert_eq!(record.spoken, Millis(60_000));
    assert_eq!(
        record.pauses,
        [Pause {
            from: at(60),
            to: Some(at(80)),
        }]
    );

    // Calling next ends the point of order and goes on with the list.
    s.secs(10);
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("ar"));
    s.assert_replay_matches();
}

#[test]
fn a_countdown_the_chair_paused_stays_paused_after_a_point_of_order() {
    let mut s = hn_speaking();
    s.secs(60);
    s.ok(chair(), Command::PauseTimer);
    s.secs(30);
    point_of_order(&mut s, "gt");
    s.ok(chair(), Command::CallNext);
    s.secs(45);
    s.ok(chair(), Command::CallNext);
    // hn is back on the floor, still paused with 4 minutes left.
    assert_eq!(s.speaker().as_deref(), Some("hn"));
    let timer = s.meeting.floor.current.as_ref().unwrap().timer;
    assert!(timer.is_paused());
    s.secs(100);
    assert_eq!(s.remaining(), Millis(240_000));
    s.ok(chair(), Command::ResumeTimer);
    s.secs(40);
    assert_eq!(s.remaining(), Millis(200_000));
    s.assert_replay_matches();
}

/// Who is next, as every display shows it, during a point of order.
fn next_up(s: &Session) -> Vec<(String, &'static str, Millis)> {
    plenary_core::projections::upcoming(&s.meeting)
        .into_iter()
        .map(|u| {
            let turn = match u.turn {
                plenary_core::projections::Turn::Resumes { .. } => "resumes",
                plenary_core::projections::Turn::Request { .. } => "request",
                plenary_core::projections::Turn::Presentation => "presentation",
            };
            (
                u.delegation.to_string(),
                turn,
                u.expected_at.at(s.now) - s.now,
            )
        })
        .collect()
}

#[test]
fn during_a_point_of_order_the_interrupted_speaker_is_next_after_the_waiting_points() {
    let mut s = hn_speaking();
    s.secs(90);
    point_of_order(&mut s, "gt");
    s.ok(chair(), Command::CallNext);
    s.secs(30);
    point_of_order(&mut s, "mx");
    // Guatemala has 90 s of its point left; Mexico's point (2 min) comes
    // first, then Honduras takes back the 210 s it had, then Argentina.
    assert_eq!(
        next_up(&s),
        [
            ("mx".to_owned(), "request", Millis::from_secs(90)),
            ("hn".to_owned(), "resumes", Millis::from_secs(90 + 120)),
            (
                "ar".to_owned(),
                "request",
                Millis::from_secs(90 + 120 + 210)
            ),
        ]
    );
    // The order is the one "call next" follows.
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("mx"));
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("hn"));
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("ar"));
}

#[test]
fn expected_times_slide_while_the_point_of_order_overruns_and_hold_otherwise() {
    let mut s = hn_speaking();
    s.secs(90);
    point_of_order(&mut s, "gt");
    s.ok(chair(), Command::CallNext);
    let next = plenary_core::projections::upcoming(&s.meeting);
    let hn = next[0].expected_at;
    let (start, limit) = (s.now, Millis::from_secs(120));
    // Derived once, true later: fixed while the point runs its 2 minutes…
    assert_eq!(hn.at(start + Millis::from_secs(60)), start + limit);
    // …then sliding one second per second of overrun.
    assert_eq!(
        hn.at(start + limit + Millis::from_secs(25)),
        start + limit + Millis::from_secs(25)
    );
}
