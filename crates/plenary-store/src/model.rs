//! What goes in and comes out of the store.

use plenary_core::ids::MeetingId;
use plenary_core::{Role, StoredEvent, Timestamp};
use sha2::{Digest, Sha256};

/// A meeting known to the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeetingRecord {
    pub id: MeetingId,
    /// When its first event was committed.
    pub created_at: Timestamp,
}

/// What an accepted command did to its meeting's log: its events are
/// `first_seq..=last_seq`, and `last_seq` — the meeting's seq once the
/// command is applied — is what the client's ack carries.
///
/// A command accepted without events has `first_seq == last_seq + 1`: an
/// empty range placed right after the seq it was decided against, so that
/// `last_seq` is still the seq to ack with. [`CommandResult::after`] builds
/// both cases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CommandResult {
    pub first_seq: u64,
    pub last_seq: u64,
}

impl CommandResult {
    /// The result of a command decided against a meeting at `seq_before`
    /// that produced `events` events.
    pub fn after(seq_before: u64, events: u64) -> Self {
        CommandResult {
            first_seq: seq_before + 1,
            last_seq: seq_before + events,
        }
    }

    /// How many events the command produced.
    pub fn event_count(&self) -> u64 {
        (self.last_seq + 1).saturating_sub(self.first_seq)
    }

    pub fn is_empty(&self) -> bool {
        self.event_count() == 0
    }
}

/// One accepted command, as it is committed: its events and, when the
/// client gave the command an id, its result for idempotent retries.
/// [`crate::Store::append`] writes many of them in one transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Commit {
    pub meeting: MeetingId,
    pub command_id: Option<String>,
    pub result: CommandResult,
    /// In seq order, numbered `result.first_seq..=result.last_seq`.
    pub events: Vec<StoredEvent>,
}

impl Commit {
    /// A commit of `events`, decided against the meeting at `seq_before`.
    pub fn new(
        meeting: MeetingId,
        command_id: Option<String>,
        seq_before: u64,
        events: Vec<StoredEvent>,
    ) -> Self {
        let result = CommandResult::after(seq_before, events.len() as u64);
        Commit {
            meeting,
            command_id,
            result,
            events,
        }
    }
}

/// An access code to store. Only the hash of the code is given: the code
/// itself is shown once to whoever created it and never reaches the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAccessCode {
    pub meeting: MeetingId,
    /// The role the code logs in as.
    pub role: Role,
    /// For people, e.g. "Honduras, console 2".
    pub label: String,
    /// [`hash_access_code`] of the code.
    pub hash: String,
    pub created_at: Timestamp,
}

/// A stored access code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessCodeRecord {
    /// A UUID v7, so codes list in creation order.
    pub id: String,
    pub meeting: MeetingId,
    pub role: Role,
    pub label: String,
    pub hash: String,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

/// The form in which access codes are stored and looked up: the lowercase
/// hex SHA-256 of the code. A code is random and long enough that a fast
/// hash suffices, and a deterministic one lets a login find its code with
/// one indexed lookup.
pub fn hash_access_code(code: &str) -> String {
    let digest = Sha256::digest(code.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest.iter() {
        hex.push(char::from(HEX[usize::from(byte >> 4)]));
        hex.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    hex
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The hash in its stored (lowercase) form, if it is one.
pub(crate) fn normalise_hash(hash: &str) -> Option<String> {
    (hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| hash.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_hex_sha256() {
        assert_eq!(
            hash_access_code("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(normalise_hash(&hash_access_code("x")).is_some());
        assert_eq!(normalise_hash("abc"), None);
    }

    #[test]
    fn command_results_with_and_without_events() {
        let r = CommandResult::after(10, 3);
        assert_eq!((r.first_seq, r.last_seq, r.event_count()), (11, 13, 3));
        let empty = CommandResult::after(10, 0);
        assert_eq!((empty.first_seq, empty.last_seq), (11, 10));
        assert!(empty.is_empty());
    }
}
