//! Rows as both backends read and write them: the conversions between the
//! domain types and plain integers and JSON text live here, once.

use std::borrow::Cow;

use plenary_core::ids::MeetingId;
use plenary_core::{Event, Role, StoredEvent, Timestamp};
use serde::Deserialize;

use crate::error::StoreError;
use crate::model::{AccessCodeRecord, CommandResult, Commit, MeetingRecord};

/// A `u64` (seq) as the database's `BIGINT`.
pub(crate) fn db_int(field: &'static str, value: u64) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| StoreError::OutOfRange { field, value })
}

fn from_db(
    table: &'static str,
    key: impl FnOnce() -> String,
    value: i64,
) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| StoreError::Corrupt {
        table,
        key: key(),
        reason: format!("negative sequence number {value}"),
    })
}

/// An event ready to insert.
#[derive(Debug)]
pub(crate) struct EventInsert<'a> {
    pub(crate) meeting: &'a str,
    pub(crate) seq: i64,
    pub(crate) at: i64,
    pub(crate) actor: String,
    /// The event's `type` tag, so the log can be read and filtered in SQL.
    pub(crate) kind: String,
    pub(crate) v: i32,
    pub(crate) payload: String,
}

/// A command result ready to insert.
#[derive(Debug)]
pub(crate) struct CommandInsert<'a> {
    pub(crate) meeting: &'a str,
    pub(crate) command_id: &'a str,
    pub(crate) first_seq: i64,
    pub(crate) last_seq: i64,
}

/// A batch flattened into rows, in the order they are inserted.
#[derive(Debug, Default)]
pub(crate) struct BatchRows<'a> {
    /// Each meeting of the batch once, with the time of its first event
    /// in the batch: its creation time if it is new.
    pub(crate) meetings: Vec<(&'a str, i64)>,
    pub(crate) events: Vec<EventInsert<'a>>,
    pub(crate) commands: Vec<CommandInsert<'a>>,
}

#[derive(Deserialize)]
struct Tag<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
}

impl<'a> BatchRows<'a> {
    pub(crate) fn encode(batch: &'a [Commit]) -> Result<Self, StoreError> {
        let mut rows = BatchRows::default();
        for commit in batch {
            let meeting = commit.meeting.as_str();
            if let Some(first) = commit.events.first()
                && !rows.meetings.iter().any(|(m, _)| *m == meeting)
            {
                rows.meetings.push((meeting, first.at.0));
            }
            for e in &commit.events {
                let payload = serde_json::to_string(&e.event).map_err(encode_error)?;
                let kind = serde_json::from_str::<Tag<'_>>(&payload)
                    .map_err(encode_error)?
                    .kind
                    .into_owned();
                rows.events.push(EventInsert {
                    meeting,
                    seq: db_int("seq", e.seq)?,
                    at: e.at.0,
                    actor: serde_json::to_string(&e.actor).map_err(encode_error)?,
                    kind,
                    v: i32::from(e.v),
                    payload,
                });
            }
            if let Some(command_id) = &commit.command_id {
                rows.commands.push(CommandInsert {
                    meeting,
                    command_id,
                    first_seq: db_int("first_seq", commit.result.first_seq)?,
                    last_seq: db_int("last_seq", commit.result.last_seq)?,
                });
            }
        }
        Ok(rows)
    }
}

/// Serialising the core's own types cannot fail short of a bug there; it
/// is reported rather than unwrapped all the same.
fn encode_error(e: serde_json::Error) -> StoreError {
    StoreError::Database(sqlx::Error::Encode(Box::new(e)))
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct EventRow {
    seq: i64,
    at: i64,
    actor: String,
    v: i32,
    payload: String,
}

impl EventRow {
    pub(crate) fn decode(self, meeting: &MeetingId) -> Result<StoredEvent, StoreError> {
        let key = || format!("{meeting}, seq {}", self.seq);
        let corrupt = |reason: String| StoreError::Corrupt {
            table: "events",
            key: key(),
            reason,
        };
        Ok(StoredEvent {
            seq: from_db("events", key, self.seq)?,
            at: Timestamp(self.at),
            actor: serde_json::from_str::<Role>(&self.actor)
                .map_err(|e| corrupt(format!("actor: {e}")))?,
            v: u16::try_from(self.v).map_err(|_| corrupt(format!("version {}", self.v)))?,
            event: serde_json::from_str::<Event>(&self.payload)
                .map_err(|e| corrupt(format!("payload: {e}")))?,
        })
    }
}

/// Decodes the columns of one `events` row of `meeting` back into the
/// event that was appended: what both backends do with every row they
/// read. A row that does not decode is [`StoreError::Corrupt`].
pub fn decode_event_row(
    meeting: &MeetingId,
    seq: i64,
    at: i64,
    actor: &str,
    v: i32,
    payload: &str,
) -> Result<StoredEvent, StoreError> {
    EventRow {
        seq,
        at,
        actor: actor.to_owned(),
        v,
        payload: payload.to_owned(),
    }
    .decode(meeting)
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct MeetingRow {
    id: String,
    created_at: i64,
}

impl From<MeetingRow> for MeetingRecord {
    fn from(row: MeetingRow) -> Self {
        MeetingRecord {
            id: MeetingId(row.id),
            created_at: Timestamp(row.created_at),
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct CommandRow {
    pub(crate) first_seq: i64,
    pub(crate) last_seq: i64,
}

impl CommandRow {
    pub(crate) fn decode(self, meeting: &MeetingId, id: &str) -> Result<CommandResult, StoreError> {
        let key = || format!("{meeting}, command {id}");
        Ok(CommandResult {
            first_seq: from_db("command_results", key, self.first_seq)?,
            last_seq: from_db("command_results", key, self.last_seq)?,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct SnapshotRow {
    seq: i64,
    state: String,
}

impl SnapshotRow {
    pub(crate) fn decode(self, meeting: &MeetingId) -> Result<(u64, String), StoreError> {
        let seq = from_db("snapshots", || meeting.to_string(), self.seq)?;
        Ok((seq, self.state))
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct AccessCodeRow {
    id: String,
    meeting: String,
    role: String,
    label: String,
    hash: String,
    created_at: i64,
    revoked_at: Option<i64>,
}

impl AccessCodeRow {
    pub(crate) fn decode(self) -> Result<AccessCodeRecord, StoreError> {
        let role = serde_json::from_str::<Role>(&self.role).map_err(|e| StoreError::Corrupt {
            table: "access_codes",
            key: self.id.clone(),
            reason: format!("role: {e}"),
        })?;
        Ok(AccessCodeRecord {
            id: self.id,
            meeting: MeetingId(self.meeting),
            role,
            label: self.label,
            hash: self.hash,
            created_at: Timestamp(self.created_at),
            revoked_at: self.revoked_at.map(Timestamp),
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ScreenRow {
    screen: String,
    last_seen: i64,
}

impl From<ScreenRow> for (String, Timestamp) {
    fn from(row: ScreenRow) -> Self {
        (row.screen, Timestamp(row.last_seen))
    }
}

/// The first seq of `batch` that the batch itself holds twice, for
/// reporting a conflict.
pub(crate) fn duplicate_in_batch(batch: &[Commit]) -> Option<StoreError> {
    let mut seen = std::collections::HashSet::new();
    for commit in batch {
        for e in &commit.events {
            if !seen.insert((commit.meeting.as_str(), e.seq)) {
                return Some(StoreError::Conflict {
                    meeting: commit.meeting.clone(),
                    seq: e.seq,
                });
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    for commit in batch {
        if let Some(id) = &commit.command_id
            && !seen.insert((commit.meeting.as_str(), id.as_str()))
        {
            return Some(StoreError::DuplicateCommand {
                meeting: commit.meeting.clone(),
                command_id: id.clone(),
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use plenary_core::ids::ItemId;

    use super::*;

    #[test]
    fn an_event_row_decodes_to_the_event_appended() {
        let meeting = MeetingId("m".to_owned());
        let event = StoredEvent {
            seq: 7,
            at: Timestamp(1_509_048_000_000),
            actor: Role::Chair,
            v: plenary_core::EVENT_VERSION,
            event: Event::ItemOpened {
                item: ItemId::new("opening"),
            },
        };
        let actor = serde_json::to_string(&event.actor).unwrap();
        let payload = serde_json::to_string(&event.event).unwrap();
        let decoded = decode_event_row(
            &meeting,
            7,
            event.at.0,
            &actor,
            i32::from(event.v),
            &payload,
        )
        .unwrap();
        assert_eq!(decoded, event);
    }

    #[test]
    fn a_broken_event_row_is_corrupt() {
        let meeting = MeetingId("m".to_owned());
        let payload = r#"{"type":"item_opened","item":"opening"}"#;
        for (seq, actor, v, payload) in [
            (-1, r#"{"role":"chair"}"#, 1, payload),
            (1, "chair", 1, payload),
            (1, r#"{"role":"chair"}"#, 70_000, payload),
            (1, r#"{"role":"chair"}"#, -1, payload),
            (1, r#"{"role":"chair"}"#, 1, r#"{"type":"item_closed"}"#),
        ] {
            assert!(
                matches!(
                    decode_event_row(&meeting, seq, 0, actor, v, payload),
                    Err(StoreError::Corrupt {
                        table: "events",
                        ..
                    })
                ),
                "{seq} {actor} {v} {payload}"
            );
        }
    }
}
