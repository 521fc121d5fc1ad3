//! Every server message reads back as what was sent, including a snapshot
//! in the middle of a debate (maps keyed by number are lists on the wire).
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;

use plenary_core::definition::load_str;
use plenary_core::script::{Expect, reference_half_day};
use plenary_core::{EVENT_VERSION, Meeting, Role, StoredEvent, Timestamp, execute};
use plenary_protocol::ServerMessage;
use plenary_protocol::views::{self, Audience};

const REFERENCE: &str = include_str!("../../../config/meetings/san-pedro-sula-2017.toml");

#[test]
fn snapshots_and_events_of_the_reference_session_read_back_exactly() {
    let definition = load_str("ref.toml", REFERENCE).unwrap();
    let created = StoredEvent {
        seq: 1,
        at: Timestamp(0),
        actor: Role::System,
        v: EVENT_VERSION,
        event: Meeting::created(definition.clone()),
    };
    let mut meeting = Meeting::new(Arc::new(definition), 1, created.at);
    for step in reference_half_day(Timestamp(1_509_048_000_000)) {
        let outcome = execute(&mut meeting, &step.actor, &step.command, step.at);
        assert_eq!(outcome.is_ok(), step.expect == Expect::Accepted);
        for stored in outcome.unwrap_or_default() {
            for audience in Audience::ALL {
                let frame = ServerMessage::Event(views::event_frame(&stored, audience));
                let text = serde_json::to_string(&frame).unwrap();
                assert_eq!(serde_json::from_str::<ServerMessage>(&text).unwrap(), frame);
            }
        }
        // Mid-debate snapshots hold requests keyed by number.
        for audience in Audience::ALL {
            let state = views::redact(&meeting, audience);
            let frame = ServerMessage::Snapshot {
                seq: meeting.seq,
                state: Box::new(state),
            };
            let text = serde_json::to_string(&frame).unwrap();
            let back: ServerMessage = serde_json::from_str(&text).unwrap();
            assert_eq!(back, frame);
        }
    }
    assert!(
        meeting
            .agenda
            .items
            .iter()
            .any(|i| !i.speakers.requests.is_empty())
    );
}
