//! The SQLite backend: one file, WAL, `synchronous = FULL`, one writer.
//!
//! SQLite allows one writer at a time. Rather than let several pooled
//! connections fight over the write lock (and time out in `busy_timeout`),
//! every write goes through a pool of exactly one connection, so writers
//! queue in the pool instead; reads use a separate pool and, thanks to WAL,
//! never wait for the writer.

use std::str::FromStr;
use std::sync::{Arc, LazyLock};

use plenary_core::ids::MeetingId;
use plenary_core::{StoredEvent, Timestamp};
use sqlx::Connection as _;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    Sqlite, SqliteArguments, SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool,
    SqlitePoolOptions, SqliteSynchronous,
};

use crate::checked::Checked;
use crate::error::{StoreError, on_meeting};
use crate::model::{AccessCodeRecord, CommandResult, MeetingRecord};
use crate::rows::{
    AccessCodeRow, BatchRows, CommandInsert, CommandRow, EventInsert, EventRow, MeetingRow,
    ScreenRow, SnapshotRow, db_int,
};
use crate::{Backend, StoreOptions};

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

/// Readers: enough for the server's concurrent loads on a small machine.
const READERS: u32 = 4;
/// SQLite's default page size, which the store never changes.
const SQLITE_PAGE_SIZE: u64 = 4096;
/// Rows per multi-row INSERT: one statement per 32 events instead of one
/// per event, well under SQLite's limit of 32 766 bound parameters.
const CHUNK: usize = 32;

/// A SQLite database file.
#[derive(Clone)]
pub struct SqliteStore {
    /// Exactly one connection: all writes, in order.
    writer: SqlitePool,
    reader: SqlitePool,
    url: Arc<str>,
    options: StoreOptions,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating it and its directory if missing) the database file
    /// named by a `sqlite://PATH` URL.
    pub(crate) async fn connect(url: &str, store: &StoreOptions) -> Result<Self, StoreError> {
        let open = |source: Box<dyn std::error::Error + Send + Sync>| StoreError::Open {
            backend: Backend::Sqlite,
            url: url.to_owned(),
            source,
        };
        // A store that forgets everything on restart would break the one
        // promise it makes: an acked command is on disk.
        if url.contains(":memory:") || url.contains("mode=memory") {
            return Err(StoreError::UnsupportedUrl {
                url: format!("{url} (an in-memory database is not durable)"),
            });
        }
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| open(e.into()))?
            // A lock held by another process (a backup, the sqlite3 shell)
            // is waited for as long as any statement may take.
            .busy_timeout(store.timeout)
            .foreign_keys(true)
            // FULL: the WAL is synced at every commit, so a commit that
            // returned survives a power cut, not just a crash.
            .synchronous(SqliteSynchronous::Full);
        if let Some(dir) = options.get_filename().parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| {
                let why = format!("cannot create the directory {}: {e}", dir.display());
                open(std::io::Error::new(e.kind(), why).into())
            })?;
        }
        // A size cap: a commit that would grow the file past it fails with
        // SQLITE_FULL, like a full disk, instead of filling the disk.
        let writer_options = match store.sqlite_max_size_mb {
            0 => options.clone(),
            mb => options.clone().pragma(
                "max_page_count",
                (mb * 1024 * 1024 / SQLITE_PAGE_SIZE).to_string(),
            ),
        };
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(store.timeout)
            // Keep the writer's connection (and its prepared statements).
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(
                writer_options
                    .create_if_missing(true)
                    // WAL lets readers go on while the writer commits; it is
                    // a property of the file, so the writer sets it first.
                    .journal_mode(SqliteJournalMode::Wal),
            )
            .await
            .map_err(|e| open(e.into()))?;
        // Readers are ordinary connections (a read-only one cannot recreate
        // the WAL index files if they are gone); only reads are sent to them.
        let reader = SqlitePoolOptions::new()
            .max_connections(READERS)
            .acquire_timeout(store.timeout)
            .connect_with(options)
            .await
            .map_err(|e| open(e.into()))?;
        Ok(SqliteStore {
            options: *store,
            writer,
            reader,
            url: url.into(),
        })
    }

    pub(crate) fn options(&self) -> StoreOptions {
        self.options
    }

    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    pub(crate) async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATOR
            .run(&self.writer)
            .await
            .map_err(|source| StoreError::Migrate {
                backend: Backend::Sqlite,
                source,
            })
    }

    pub(crate) async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    pub(crate) async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }

    pub(crate) async fn list_meetings(&self) -> Result<Vec<MeetingRecord>, StoreError> {
        let rows: Vec<MeetingRow> =
            sqlx::query_as("SELECT id, created_at FROM meetings ORDER BY id")
                .fetch_all(&self.reader)
                .await?;
        Ok(rows.into_iter().map(MeetingRecord::from).collect())
    }

    /// One `BEGIN IMMEDIATE` transaction: the write lock is taken up front,
    /// so the batch cannot fail half-way for want of it.
    pub(crate) async fn append(&self, rows: &BatchRows<'_>) -> Result<(), StoreError> {
        let mut conn = Checked::acquire(&self.writer).await?;
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
        for (meeting, created_at) in &rows.meetings {
            sqlx::query(
                "INSERT INTO meetings (id, created_at) VALUES (?1, ?2) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(*meeting)
            .bind(*created_at)
            .execute(&mut *tx)
            .await?;
        }
        insert_chunked(&mut tx, &INSERT_EVENTS, &rows.events, bind_event).await?;
        insert_chunked(&mut tx, &INSERT_COMMANDS, &rows.commands, bind_command).await?;
        tx.commit().await?;
        conn.succeeded();
        Ok(())
    }

    /// A write transaction that needs fresh pages, committed and undone:
    /// what readiness asks of the store. Its 64 KiB are more than a usual
    /// batch needs, so a file at its cap (or a disk) that could not take
    /// the next few commands fails it first.
    pub(crate) async fn probe_write(&self) -> Result<(), StoreError> {
        let mut conn = Checked::acquire(&self.writer).await?;
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("INSERT INTO write_probe (id, payload) VALUES (1, zeroblob(65536))")
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM write_probe")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        conn.succeeded();
        Ok(())
    }

    pub(crate) async fn load_events(
        &self,
        meeting: &MeetingId,
        after_seq: u64,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let rows: Vec<EventRow> = sqlx::query_as(
            "SELECT seq, at, actor, v, payload FROM events \
             WHERE meeting = ?1 AND seq > ?2 ORDER BY seq",
        )
        .bind(meeting.as_str())
        .bind(db_int("after_seq", after_seq)?)
        .fetch_all(&self.reader)
        .await?;
        rows.into_iter().map(|row| row.decode(meeting)).collect()
    }

    /// The file's write lock is held by a commit under way (even one on a
    /// connection given up after a timeout) until it ends; `BEGIN
    /// IMMEDIATE` waits for it. One file, so `_meeting` does not matter.
    pub(crate) async fn await_writes(&self, _meeting: &MeetingId) -> Result<(), StoreError> {
        let mut conn = Checked::acquire(&self.writer).await?;
        let tx = conn.begin_with("BEGIN IMMEDIATE").await?;
        tx.rollback().await?;
        conn.succeeded();
        Ok(())
    }

    pub(crate) async fn last_seq(&self, meeting: &MeetingId) -> Result<i64, StoreError> {
        let seq: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM events WHERE meeting = ?1")
                .bind(meeting.as_str())
                .fetch_one(&self.reader)
                .await?;
        Ok(seq)
    }

    pub(crate) async fn has_event(
        &self,
        meeting: &MeetingId,
        seq: i64,
    ) -> Result<bool, StoreError> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT seq FROM events WHERE meeting = ?1 AND seq = ?2")
                .bind(meeting.as_str())
                .bind(seq)
                .fetch_optional(&self.reader)
                .await?;
        Ok(found.is_some())
    }

    pub(crate) async fn save_snapshot(
        &self,
        meeting: &MeetingId,
        seq: i64,
        state_json: &str,
    ) -> Result<(), StoreError> {
        let mut conn = Checked::acquire(&self.writer).await?;
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query(
            "INSERT INTO snapshots (meeting, seq, state) VALUES (?1, ?2, ?3) \
             ON CONFLICT (meeting, seq) DO UPDATE SET state = excluded.state",
        )
        .bind(meeting.as_str())
        .bind(seq)
        .bind(state_json)
        .execute(&mut *tx)
        .await
        .map_err(on_meeting(meeting))?;
        sqlx::query("DELETE FROM snapshots WHERE meeting = ?1 AND seq < ?2")
            .bind(meeting.as_str())
            .bind(seq)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        conn.succeeded();
        Ok(())
    }

    pub(crate) async fn latest_snapshot(
        &self,
        meeting: &MeetingId,
    ) -> Result<Option<SnapshotRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT seq, state FROM snapshots WHERE meeting = ?1 ORDER BY seq DESC LIMIT 1",
        )
        .bind(meeting.as_str())
        .fetch_optional(&self.reader)
        .await?)
    }

    pub(crate) async fn command_result(
        &self,
        meeting: &MeetingId,
        command_id: &str,
    ) -> Result<Option<CommandResult>, StoreError> {
        let row: Option<CommandRow> = sqlx::query_as(
            "SELECT first_seq, last_seq FROM command_results \
             WHERE meeting = ?1 AND command_id = ?2",
        )
        .bind(meeting.as_str())
        .bind(command_id)
        .fetch_optional(&self.reader)
        .await?;
        row.map(|r| r.decode(meeting, command_id)).transpose()
    }

    pub(crate) async fn command_results_after(
        &self,
        meeting: &MeetingId,
        after_seq: i64,
    ) -> Result<Vec<(String, CommandRow)>, StoreError> {
        let rows: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT command_id, first_seq, last_seq FROM command_results \
             WHERE meeting = ?1 AND last_seq > ?2 ORDER BY last_seq",
        )
        .bind(meeting.as_str())
        .bind(after_seq)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, first_seq, last_seq)| {
                (
                    id,
                    CommandRow {
                        first_seq,
                        last_seq,
                    },
                )
            })
            .collect())
    }

    pub(crate) async fn access_code_by_id(
        &self,
        meeting: &MeetingId,
        id: &str,
    ) -> Result<Option<AccessCodeRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, meeting, role, label, hash, created_at, revoked_at FROM access_codes \
             WHERE meeting = ?1 AND id = ?2",
        )
        .bind(meeting.as_str())
        .bind(id)
        .fetch_optional(&self.reader)
        .await?)
    }

    pub(crate) async fn revoked_since(
        &self,
        since: Timestamp,
    ) -> Result<Vec<AccessCodeRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, meeting, role, label, hash, created_at, revoked_at FROM access_codes \
             WHERE revoked_at IS NOT NULL AND revoked_at >= ?1 ORDER BY revoked_at",
        )
        .bind(since.0)
        .fetch_all(&self.reader)
        .await?)
    }

    pub(crate) async fn secret(&self, name: &str, fresh: &str) -> Result<String, StoreError> {
        let mut conn = Checked::acquire(&self.writer).await?;
        sqlx::query(
            "INSERT INTO secrets (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(fresh)
        .execute(&mut *conn)
        .await?;
        let value: String = sqlx::query_scalar("SELECT value FROM secrets WHERE name = ?1")
            .bind(name)
            .fetch_one(&mut *conn)
            .await?;
        conn.succeeded();
        Ok(value)
    }

    pub(crate) async fn insert_access_code(
        &self,
        code: &AccessCodeRecord,
    ) -> Result<(), StoreError> {
        let role = serde_json::to_string(&code.role)
            .map_err(|e| StoreError::Database(sqlx::Error::Encode(Box::new(e))))?;
        let mut conn = Checked::acquire(&self.writer).await?;
        sqlx::query(
            "INSERT INTO access_codes (id, meeting, role, label, hash, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .bind(&code.id)
        .bind(code.meeting.as_str())
        .bind(role)
        .bind(&code.label)
        .bind(&code.hash)
        .bind(code.created_at.0)
        .execute(&mut *conn)
        .await
        .map_err(on_meeting(&code.meeting))?;
        conn.succeeded();
        Ok(())
    }

    pub(crate) async fn find_access_code(
        &self,
        hash: &str,
    ) -> Result<Option<AccessCodeRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, meeting, role, label, hash, created_at, revoked_at FROM access_codes \
             WHERE hash = ?1 AND revoked_at IS NULL",
        )
        .bind(hash)
        .fetch_optional(&self.reader)
        .await?)
    }

    pub(crate) async fn list_access_codes(
        &self,
        meeting: &MeetingId,
    ) -> Result<Vec<AccessCodeRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, meeting, role, label, hash, created_at, revoked_at FROM access_codes \
             WHERE meeting = ?1 ORDER BY created_at, id",
        )
        .bind(meeting.as_str())
        .fetch_all(&self.reader)
        .await?)
    }

    pub(crate) async fn revoke_access_code(
        &self,
        meeting: &MeetingId,
        id: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut conn = Checked::acquire(&self.writer).await?;
        let done = sqlx::query(
            "UPDATE access_codes SET revoked_at = ?1 \
             WHERE meeting = ?2 AND id = ?3 AND revoked_at IS NULL",
        )
        .bind(at.0)
        .bind(meeting.as_str())
        .bind(id)
        .execute(&mut *conn)
        .await?;
        conn.succeeded();
        Ok(done.rows_affected() > 0)
    }

    pub(crate) async fn touch_screen(
        &self,
        meeting: &MeetingId,
        screen: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let mut conn = Checked::acquire(&self.writer).await?;
        sqlx::query(
            "INSERT INTO screens (meeting, screen, last_seen) VALUES (?1, ?2, ?3) \
             ON CONFLICT (meeting, screen) \
             DO UPDATE SET last_seen = MAX(last_seen, excluded.last_seen)",
        )
        .bind(meeting.as_str())
        .bind(screen)
        .bind(at.0)
        .execute(&mut *conn)
        .await
        .map_err(on_meeting(meeting))?;
        conn.succeeded();
        Ok(())
    }

    pub(crate) async fn screens_seen(
        &self,
        meeting: &MeetingId,
    ) -> Result<Vec<(String, Timestamp)>, StoreError> {
        let rows: Vec<ScreenRow> = sqlx::query_as(
            "SELECT screen, last_seen FROM screens WHERE meeting = ?1 ORDER BY screen",
        )
        .bind(meeting.as_str())
        .fetch_all(&self.reader)
        .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}

type SqliteQuery = sqlx::query::Query<'static, Sqlite, SqliteArguments>;

/// `INSERT … VALUES (…), (…)` for 1..=CHUNK rows, built once: each size is
/// one statement that the connection prepares once and then reuses.
fn multi_row_inserts(head: &str, columns: usize) -> Vec<String> {
    let row = format!("({})", vec!["?"; columns].join(", "));
    (1..=CHUNK)
        .map(|n| format!("{head} VALUES {}", vec![row.as_str(); n].join(", ")))
        .collect()
}

static INSERT_EVENTS: LazyLock<Vec<String>> = LazyLock::new(|| {
    multi_row_inserts(
        "INSERT INTO events (meeting, seq, at, actor, kind, v, payload)",
        7,
    )
});

static INSERT_COMMANDS: LazyLock<Vec<String>> = LazyLock::new(|| {
    multi_row_inserts(
        "INSERT INTO command_results (meeting, command_id, first_seq, last_seq)",
        4,
    )
});

fn bind_event(q: SqliteQuery, e: &EventInsert<'_>) -> SqliteQuery {
    q.bind(e.meeting)
        .bind(e.seq)
        .bind(e.at)
        .bind(e.actor.as_str())
        .bind(e.kind.as_str())
        .bind(e.v)
        .bind(e.payload.as_str())
}

fn bind_command(q: SqliteQuery, c: &CommandInsert<'_>) -> SqliteQuery {
    q.bind(c.meeting)
        .bind(c.command_id)
        .bind(c.first_seq)
        .bind(c.last_seq)
}

async fn insert_chunked<T>(
    conn: &mut SqliteConnection,
    statements: &'static [String],
    rows: &[T],
    bind: fn(SqliteQuery, &T) -> SqliteQuery,
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(CHUNK) {
        let mut query = sqlx::query(statements[chunk.len() - 1].as_str());
        for row in chunk {
            query = bind(query, row);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// The durability settings are per connection: check them on both pools.
    #[tokio::test]
    async fn every_connection_syncs_commits_in_wal_mode() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("plenary.db").display());
        let store = SqliteStore::connect(&url, &StoreOptions::default())
            .await
            .unwrap();
        assert_eq!(store.writer.options().get_max_connections(), 1);
        for pool in [&store.writer, &store.reader] {
            let number = |pragma: &'static str| async move {
                sqlx::query_scalar::<_, i64>(pragma)
                    .fetch_one(pool)
                    .await
                    .unwrap()
            };
            let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
                .fetch_one(pool)
                .await
                .unwrap();
            assert_eq!(mode, "wal");
            // 2 = FULL: the WAL is synced at every commit.
            assert_eq!(number("PRAGMA synchronous").await, 2);
            assert_eq!(number("PRAGMA foreign_keys").await, 1);
            assert_eq!(number("PRAGMA busy_timeout").await, 5000);
        }
        store.close().await;
    }
}

#[cfg(test)]
mod cap_tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// The size cap reaches the writer's connection.
    #[tokio::test]
    async fn the_size_cap_is_set_on_the_writer() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("plenary.db").display());
        let options = StoreOptions {
            sqlite_max_size_mb: 2,
            ..StoreOptions::default()
        };
        let store = SqliteStore::connect(&url, &options).await.unwrap();
        let pages: i64 = sqlx::query_scalar("PRAGMA max_page_count")
            .fetch_one(&store.writer)
            .await
            .unwrap();
        assert_eq!(pages, 512);
        store.close().await;
    }
}
