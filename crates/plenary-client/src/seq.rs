//! Gap and duplicate detection on the event stream.

use plenary_protocol::ServerMessage;

use crate::error::ClientError;

/// The last sequence number seen, and the check that every event frame is
/// the next one. Hidden events (`event: null`) count like the others.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SeqTracker {
    last: u64,
}

impl SeqTracker {
    /// A tracker that expects `last + 1` next.
    pub fn new(last: u64) -> SeqTracker {
        SeqTracker { last }
    }

    /// The last sequence number accepted.
    pub fn last(&self) -> u64 {
        self.last
    }

    /// Whether `seq` is the next event, without accepting it.
    pub fn check(&self, seq: u64) -> Result<(), ClientError> {
        let expected = self.last + 1;
        match seq.cmp(&expected) {
            std::cmp::Ordering::Equal => Ok(()),
            std::cmp::Ordering::Greater => Err(ClientError::Gap {
                expected,
                found: seq,
            }),
            std::cmp::Ordering::Less => Err(ClientError::Duplicate {
                expected,
                found: seq,
            }),
        }
    }

    /// Accepts `seq` if it is the next event.
    pub fn advance(&mut self, seq: u64) -> Result<(), ClientError> {
        self.check(seq)?;
        self.last = seq;
        Ok(())
    }

    /// Starts again from a snapshot at `seq`.
    pub fn reset(&mut self, seq: u64) {
        self.last = seq;
    }

    /// Follows a server message: events advance, snapshots reset, the rest
    /// leaves the sequence alone.
    pub fn observe(&mut self, message: &ServerMessage) -> Result<(), ClientError> {
        match message {
            ServerMessage::Event(frame) => self.advance(frame.seq),
            ServerMessage::Snapshot { seq, .. } => {
                self.reset(*seq);
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use plenary_core::{Role, Timestamp};
    use plenary_protocol::EventFrame;

    use super::*;

    fn frame(seq: u64) -> ServerMessage {
        ServerMessage::Event(EventFrame {
            seq,
            at: Timestamp(1_509_048_000_000 + seq as i64),
            actor: Some(Role::Chair),
            event: None,
        })
    }

    #[test]
    fn consecutive_frames_advance_the_sequence() {
        let mut t = SeqTracker::new(10);
        for seq in 11..=15 {
            t.observe(&frame(seq)).unwrap();
        }
        assert_eq!(t.last(), 15);
    }

    #[test]
    fn a_skipped_number_is_a_gap_and_is_not_accepted() {
        let mut t = SeqTracker::new(10);
        t.observe(&frame(11)).unwrap();
        let err = t.observe(&frame(13)).unwrap_err();
        assert!(matches!(
            err,
            ClientError::Gap {
                expected: 12,
                found: 13
            }
        ));
        assert_eq!(t.last(), 11, "the gap frame is not accepted");
        // The missing frame still fits.
        t.observe(&frame(12)).unwrap();
    }

    #[test]
    fn a_repeated_or_older_frame_is_a_duplicate() {
        let mut t = SeqTracker::new(10);
        t.observe(&frame(11)).unwrap();
        assert!(matches!(
            t.observe(&frame(11)).unwrap_err(),
            ClientError::Duplicate {
                expected: 12,
                found: 11
            }
        ));
        assert!(matches!(
            t.observe(&frame(3)).unwrap_err(),
            ClientError::Duplicate {
                expected: 12,
                found: 3
            }
        ));
        assert_eq!(t.last(), 11);
    }

    #[test]
    fn other_messages_leave_the_sequence_alone() {
        let mut t = SeqTracker::new(7);
        t.observe(&ServerMessage::Ack {
            command_id: "c".to_owned(),
            seq: 99,
        })
        .unwrap();
        t.observe(&ServerMessage::Presence { screens: vec![] })
            .unwrap();
        assert_eq!(t.last(), 7);
    }
}
