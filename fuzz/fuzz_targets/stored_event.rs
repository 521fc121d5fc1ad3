//! The store's decoder of `events` rows (`plenary_store::decode_event_row`)
//! on arbitrary columns. The input is text: a first line `seq at v`
//! (integers; a missing or unreadable one is 1), a second line the `actor`
//! column, the rest the `payload` column — so that seeds are real rows
//! (`fuzz/seeds/stored_event/`) and mutations stay close to them.
//!
//! Checked: decoding never panics; a row that decodes is what the store
//! would have written for that event (`serde_json` of the actor and the
//! payload) decoding to the same event again; a row that does not decode is
//! reported as a corrupt `events` row naming the meeting.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plenary_core::ids::MeetingId;
use plenary_store::{StoreError, decode_event_row};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = text.splitn(3, '\n');
    let header = lines.next().unwrap_or_default();
    let actor = lines.next().unwrap_or_default();
    let payload = lines.next().unwrap_or_default();
    let mut numbers = header.split_ascii_whitespace();
    let seq: i64 = numbers.next().and_then(|n| n.parse().ok()).unwrap_or(1);
    let at: i64 = numbers.next().and_then(|n| n.parse().ok()).unwrap_or(1);
    let v: i32 = numbers.next().and_then(|n| n.parse().ok()).unwrap_or(1);

    let meeting = MeetingId("fuzz-meeting".to_owned());
    match decode_event_row(&meeting, seq, at, actor, v, payload) {
        Ok(event) => {
            assert_eq!(u64::try_from(seq).ok(), Some(event.seq));
            assert_eq!(event.at.0, at);
            assert_eq!(i32::from(event.v), v);
            // What the store writes for this event (`BatchRows::encode`).
            let actor = serde_json::to_string(&event.actor).expect("the actor encodes");
            let payload = serde_json::to_string(&event.event).expect("the event encodes");
            let again = decode_event_row(&meeting, seq, at, &actor, v, &payload);
            assert_eq!(
                again.as_ref().ok(),
                Some(&event),
                "re-encoded as {actor} / {payload}: {again:?}"
            );
        }
        Err(StoreError::Corrupt { table, key, .. }) => {
            assert_eq!(table, "events");
            assert!(key.contains("fuzz-meeting"), "{key}");
        }
        Err(other) => panic!("not a corrupt row: {other:?}"),
    }
});
