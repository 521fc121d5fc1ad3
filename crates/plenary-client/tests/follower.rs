//! The follower reproduces the server's state from the frames alone.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use plenary_client::{CatchUp, ClientError, Follower, decode_server_message};
use plenary_protocol::views::redact;
use plenary_protocol::{Audience, ServerMessage};

use support::Reference;

#[test]
fn the_reference_session_is_long_enough_to_mean_something() {
    let r = Reference::new();
    assert!(r.last_seq() > 40, "only {} events", r.last_seq());
    assert!(
        r.events
            .iter()
            .any(
                |e| !plenary_protocol::views::event_visible(&e.event, Audience::Delegation)
                    && e.seq > 1
            ),
        "the session has events a delegation may not see"
    );
}

#[test]
fn given_the_created_meeting_when_every_frame_is_applied_then_the_state_is_the_servers() {
    let r = Reference::new();
    let mut follower = Follower::new(r.initial.clone());
    follower
        .apply_frames(&r.frames(1, r.last_seq(), Audience::Presiding))
        .unwrap();
    assert_eq!(follower.seq(), r.last_seq());
    assert_eq!(follower.meeting(), &r.last);
}

#[test]
fn given_a_snapshot_over_json_when_the_rest_is_applied_then_the_state_is_the_servers() {
    let r = Reference::new();
    // Late enough that the meeting has floor requests (maps keyed by number).
    let at = r.last_seq() - 10;
    let snapshot = ServerMessage::Snapshot {
        seq: at,
        state: Box::new(redact(&r.state_at(at), Audience::Presiding)),
    };
    // Through the wire format, as a client in another language would get it.
    let snapshot = decode_server_message(&serde_json::to_string(&snapshot).unwrap()).unwrap();
    let ServerMessage::Snapshot { seq, state } = snapshot else {
        unreachable!()
    };
    let mut follower = Follower::from_catch_up(None, CatchUp::Snapshot { seq, state }).unwrap();
    for frame in r.frames(at, r.last_seq(), Audience::Presiding) {
        let frame: ServerMessage =
            serde_json::from_str(&serde_json::to_string(&ServerMessage::Event(frame)).unwrap())
                .unwrap();
        follower.observe(&frame).unwrap();
    }
    assert_eq!(follower.meeting(), &r.last);
}

#[test]
fn given_a_dropped_follower_when_it_resumes_with_the_missed_events_then_it_matches_one_that_never_dropped()
 {
    let r = Reference::new();
    let mut steady = Follower::new(r.initial.clone());
    steady
        .apply_frames(&r.frames(1, r.last_seq(), Audience::Presiding))
        .unwrap();

    let drop_at = r.last_seq() / 3;
    let mut dropped = Follower::new(r.initial.clone());
    dropped
        .apply_frames(&r.frames(1, drop_at, Audience::Presiding))
        .unwrap();
    // Resume: the meeting kept, plus the events after it.
    let kept = dropped.into_meeting();
    let resumed = Follower::from_catch_up(
        Some(kept),
        CatchUp::Events(r.frames(drop_at, r.last_seq(), Audience::Presiding)),
    )
    .unwrap();
    assert_eq!(resumed.meeting(), steady.meeting());
}

#[test]
fn hidden_events_advance_the_sequence_without_changing_what_the_audience_sees() {
    let r = Reference::new();
    let mut follower = Follower::new(redact(&r.initial, Audience::Delegation));
    let frames = r.frames(1, r.last_seq(), Audience::Delegation);
    assert!(frames.iter().any(|f| f.event.is_none()));
    follower.apply_frames(&frames).unwrap();

    let server = redact(&r.last, Audience::Delegation);
    let local = follower.meeting();
    assert_eq!(local.seq, server.seq);
    assert_eq!(local.updated_at, server.updated_at);
    assert_eq!(local.agenda, server.agenda);
    assert_eq!(local.floor, server.floor);
    assert_eq!(local.log, server.log);
    assert_eq!(local.displays, server.displays);
    assert_eq!(
        local.interpretation.slower_please, server.interpretation.slower_please,
        "a delegation never learns of \"slower please\""
    );
    // The booths' shifts are hidden from delegations, in snapshots and events alike.
    assert_eq!(local.interpretation.booths, server.interpretation.booths);
}

#[test]
fn a_skipped_frame_is_a_gap_and_leaves_the_state_untouched() {
    let r = Reference::new();
    let mut follower = Follower::new(r.initial.clone());
    let frames = r.frames(1, 10, Audience::Presiding);
    follower.apply_frames(&frames[..3]).unwrap(); // seqs 2, 3, 4
    let before = follower.clone();
    let err = follower.apply_frame(&frames[4]).unwrap_err(); // seq 6
    assert!(
        matches!(
            err,
            ClientError::Gap {
                expected: 5,
                found: 6
            }
        ),
        "{err}"
    );
    assert_eq!(follower, before);
    let err = follower.apply_frame(&frames[1]).unwrap_err(); // seq 3 again
    assert!(matches!(
        err,
        ClientError::Duplicate {
            expected: 5,
            found: 3
        }
    ));
}

#[test]
fn events_without_a_base_state_are_refused() {
    let r = Reference::new();
    let err = Follower::from_catch_up(None, CatchUp::Events(r.frames(5, 8, Audience::Presiding)))
        .unwrap_err();
    assert!(
        matches!(err, ClientError::NoBaseState { after: 5 }),
        "{err}"
    );
}
