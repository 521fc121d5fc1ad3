//! # plenary-store
//!
//! The durable storage of the plenary service behind one narrow interface,
//! [`Store`]: the event log of every meeting, snapshots of folded states,
//! the results of commands (for idempotent retries), access codes and the
//! room displays' last contact.
//!
//! Two backends, chosen by the URL's scheme, each with its own migrations
//! (`migrations/sqlite`, `migrations/postgres`) embedded in the binary:
//!
//! - **SQLite** (`sqlite://PATH`), the default: one embedded file in WAL
//!   mode with `synchronous = FULL`, written through a single connection.
//! - **PostgreSQL** (`postgres://…`), for a shared server.
//!
//! Durability is the contract: when [`Store::append`] returns `Ok`, the
//! events are on disk on either backend, so an acked command survives a
//! crash or a power cut.
//!
//! ## Schema
//!
//! Times are milliseconds since the Unix epoch ([`Timestamp`]); roles and
//! events are JSON text written by serde and read back verbatim, so the
//! store never needs to understand them.
//!
//! | table | columns | key | what for |
//! |---|---|---|---|
//! | `meetings` | `id`, `created_at` | `id` | a meeting exists once its first event is stored |
//! | `events` | `meeting`, `seq`, `at`, `actor` (JSON [`plenary_core::Role`]), `kind` (the event's `type` tag), `v`, `payload` (JSON [`plenary_core::Event`]) | `(meeting, seq)` | the log: the truth every state is folded from |
//! | `snapshots` | `meeting`, `seq`, `state` (opaque JSON) | `(meeting, seq)` | shortens replays; only the newest is kept |
//! | `command_results` | `meeting`, `command_id`, `first_seq`, `last_seq` | `(meeting, command_id)` | answers a retried command instead of applying it twice |
//! | `access_codes` | `id` (UUID v7), `meeting`, `role` (JSON [`plenary_core::Role`]), `label`, `hash` (hex SHA-256), `created_at`, `revoked_at` | `id`; `hash` unique | logins; the code itself is never stored |
//! | `screens` | `meeting`, `screen`, `last_seen` | `(meeting, screen)` | which room displays are alive |
//!
//! Every table but `meetings` refers to `meetings(id)`.
//!
//! The primary key `(meeting, seq)` is what makes concurrent writers safe:
//! a second writer of the same seq fails with [`StoreError::Conflict`] and
//! its whole batch is rolled back.

mod checked;
mod error;
mod inbox;
mod lease;
mod model;
mod postgres;
mod rows;
mod sqlite;

use std::fmt;
use std::future::Future;
use std::time::Duration;

use plenary_core::ids::MeetingId;
use plenary_core::{StoredEvent, Timestamp};

pub use crate::error::{StoreError, redact_url};
pub use crate::inbox::{Doorbell, Forward, OpenEntry, Ring, ScreenSeen};
pub use crate::lease::{Claim, Lease};
pub use crate::model::{
    AccessCodeRecord, CommandResult, Commit, MeetingRecord, NewAccessCode, hash_access_code,
};
pub use crate::postgres::PgStore;
pub use crate::rows::decode_event_row;
pub use crate::sqlite::SqliteStore;

use crate::model::normalise_hash;
use crate::rows::{BatchRows, db_int, duplicate_in_batch};

/// Which database a [`Store`] uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the store talks to its database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoreOptions {
    /// The longest any statement or commit may take. Past it the call
    /// fails with [`StoreError::Timeout`] and its connection is discarded,
    /// so a partitioned or locked database never holds a caller for long.
    pub timeout: Duration,
    /// SQLite only: a cap on the file's size in MiB (0: none), through
    /// `PRAGMA max_page_count`. A commit past it fails with `SQLITE_FULL`.
    pub sqlite_max_size_mb: u64,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            timeout: Duration::from_secs(5),
            sqlite_max_size_mb: 0,
        }
    }
}

/// The store. An enum rather than a trait object: two backends, known
/// here, with async methods and no boxing. Cloning is cheap (the pools are
/// shared).
#[derive(Clone, Debug)]
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

/// Runs `$call` on the backend under the store's timeout.
macro_rules! timed {
    ($store:expr, $backend:ident => $call:expr) => {
        $store.within(async { dispatch!($store, $backend => $call) })
    };
}

macro_rules! dispatch {
    ($store:expr, $backend:ident => $call:expr) => {
        match $store {
            Store::Sqlite($backend) => $call,
            Store::Postgres($backend) => $call,
        }
    };
}

impl Store {
    /// Opens the database named by `url`: `sqlite://PATH` (the file and its
    /// directory are created if missing; `sqlite:///abs/path` for an
    /// absolute path) or `postgres://…` / `postgresql://…`. Does not
    /// migrate: call [`Store::migrate`].
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        Store::connect_with(url, StoreOptions::default()).await
    }

    /// [`Store::connect`] with explicit options.
    pub async fn connect_with(url: &str, options: StoreOptions) -> Result<Store, StoreError> {
        let scheme = url.split_once(':').map(|(scheme, _)| scheme);
        match scheme {
            Some("sqlite") => Ok(Store::Sqlite(SqliteStore::connect(url, &options).await?)),
            Some("postgres" | "postgresql") => {
                Ok(Store::Postgres(PgStore::connect(url, &options).await?))
            }
            _ => Err(StoreError::UnsupportedUrl {
                url: redact_url(url),
            }),
        }
    }

    /// Brings the schema up to date. Idempotent; on PostgreSQL it takes an
    /// advisory lock, so several instances starting at once are safe.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        dispatch!(self, s => s.migrate().await)
    }

    /// Whether the database answers a read.
    pub async fn ping(&self) -> Result<(), StoreError> {
        timed!(self, s => s.ping().await).await
    }

    /// Whether a write can be committed now: a small transaction that
    /// needs fresh pages is committed and undone. This, not a ping, is
    /// what readiness asks: a held write lock, a full disk or a lost
    /// connection fail it while reads may still answer.
    pub async fn probe_write(&self) -> Result<(), StoreError> {
        timed!(self, s => s.probe_write().await).await
    }

    /// The options the store was opened with.
    pub fn options(&self) -> StoreOptions {
        dispatch!(self, s => s.options())
    }

    /// `work` under the store's timeout.
    async fn within<T>(
        &self,
        work: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        let after = self.options().timeout;
        tokio::time::timeout(after, work)
            .await
            .unwrap_or(Err(StoreError::Timeout { after }))
    }

    /// Waits for the connections to finish their work and closes them; for
    /// a graceful shutdown. The store is unusable afterwards.
    pub async fn close(&self) {
        dispatch!(self, s => s.close().await)
    }

    pub fn backend(&self) -> Backend {
        match self {
            Store::Sqlite(_) => Backend::Sqlite,
            Store::Postgres(_) => Backend::Postgres,
        }
    }

    /// The URL the store was opened with, password redacted: for logs.
    pub fn url(&self) -> &str {
        dispatch!(self, s => s.url())
    }

    /// Every meeting that has at least one event, by id.
    pub async fn list_meetings(&self) -> Result<Vec<MeetingRecord>, StoreError> {
        timed!(self, s => s.list_meetings().await).await
    }

    /// Commits a batch of commands — possibly for several meetings — in one
    /// transaction: their events, their results, and the meetings they
    /// create. One transaction (one disk sync) for many commands is what
    /// makes durable throughput possible (group commit).
    ///
    /// All or nothing: if any seq is already stored, or appears twice in
    /// the batch, nothing is written and the error is
    /// [`StoreError::Conflict`]; a command id that already has a result
    /// gives [`StoreError::DuplicateCommand`]; a commit without events for
    /// a meeting that has none gives [`StoreError::UnknownMeeting`].
    pub async fn append(&self, batch: &[Commit]) -> Result<(), StoreError> {
        let rows = BatchRows::encode(batch)?;
        if rows.events.is_empty() && rows.commands.is_empty() {
            return Ok(());
        }
        match timed!(self, s => s.append(&rows).await).await {
            Err(StoreError::Database(sqlx::Error::Database(db)))
                if db.is_unique_violation() || db.is_foreign_key_violation() =>
            {
                let cause = StoreError::Database(sqlx::Error::Database(db));
                Err(self.explain_refusal(batch).await?.unwrap_or(cause))
            }
            other => other,
        }
    }

    /// [`Store::append`] by the writer holding `lease`: in the same
    /// transaction the lease row is read `FOR SHARE` and its epoch checked,
    /// so that a takeover (which updates the row) waits for this commit,
    /// and once it has happened this writer can never commit again:
    /// [`StoreError::Deposed`], nothing written. On SQLite (one node per
    /// file) it is [`Store::append`].
    pub async fn append_fenced(&self, batch: &[Commit], lease: &Lease) -> Result<(), StoreError> {
        let rows = BatchRows::encode(batch)?;
        if rows.events.is_empty() && rows.commands.is_empty() {
            return Ok(());
        }
        let result = match self {
            Store::Sqlite(s) => self.within(s.append(&rows)).await,
            Store::Postgres(s) => self.within(s.append_fenced(&rows, lease)).await,
        };
        match result {
            Err(StoreError::Database(sqlx::Error::Database(db)))
                if db.is_unique_violation() || db.is_foreign_key_violation() =>
            {
                let cause = StoreError::Database(sqlx::Error::Database(db));
                Err(self.explain_refusal(batch).await?.unwrap_or(cause))
            }
            other => other,
        }
    }

    /// Claims the writer lease of `meeting` for `holder`, for `ttl`: taken
    /// when nobody holds it or the holder let it expire, at the next epoch.
    /// A takeover waits for a fenced commit under way. On SQLite the lease
    /// is always granted, at epoch 1.
    pub async fn claim_lease(
        &self,
        meeting: &MeetingId,
        holder: &str,
        ttl: Duration,
    ) -> Result<Claim, StoreError> {
        match self {
            Store::Sqlite(_) => Ok(Claim::Acquired(Lease {
                meeting: meeting.clone(),
                epoch: 1,
                holder: holder.to_owned(),
            })),
            Store::Postgres(s) => self.within(s.claim_lease(meeting, holder, ttl)).await,
        }
    }

    /// Extends `lease` by `ttl` from now; [`StoreError::Deposed`] when
    /// another node has taken it over (even if this one's had not expired
    /// by its own reckoning).
    pub async fn renew_lease(&self, lease: &Lease, ttl: Duration) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(_) => Ok(()),
            Store::Postgres(s) => self.within(s.renew_lease(lease, ttl)).await,
        }
    }

    /// Gives `lease` up at once (a node shutting down), so another node
    /// need not wait for it to expire. Gone already: nothing to do.
    pub async fn release_lease(&self, lease: &Lease) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(_) => Ok(()),
            Store::Postgres(s) => self.within(s.release_lease(lease)).await,
        }
    }

    /// Whether this store is shared by several nodes (PostgreSQL): then
    /// meetings have writer leases, commands on other nodes come through
    /// the inbox and commits ring the doorbell.
    pub fn is_shared(&self) -> bool {
        matches!(self, Store::Postgres(_))
    }

    /// Listens for the doorbell (see [`Doorbell`]); `None` on SQLite,
    /// where the one node is the writer of everything.
    pub async fn doorbell(&self) -> Result<Option<Doorbell>, StoreError> {
        match self {
            Store::Sqlite(_) => Ok(None),
            Store::Postgres(s) => self.within(s.doorbell()).await.map(Some),
        }
    }

    /// Hands `commands` to their meetings' writers: stored in the inbox,
    /// the writers woken. Their inbox ids, in order. PostgreSQL only: on
    /// SQLite [`StoreError::SingleNode`].
    pub async fn forward(&self, commands: &[Forward]) -> Result<Vec<i64>, StoreError> {
        if commands.is_empty() {
            return Ok(Vec::new());
        }
        match self {
            Store::Sqlite(_) => Err(StoreError::SingleNode),
            Store::Postgres(s) => self.within(s.forward(commands)).await,
        }
    }

    /// The commands waiting for `meeting`'s writer, oldest first.
    pub async fn open_inbox(&self, meeting: &MeetingId) -> Result<Vec<OpenEntry>, StoreError> {
        match self {
            Store::Sqlite(_) => Ok(Vec::new()),
            Store::Postgres(s) => self.within(s.open_inbox(meeting)).await,
        }
    }

    /// Writes the outcomes (JSON, by inbox id) of forwarded commands the
    /// writer holding `lease` decided, and tells the forwarding nodes.
    /// Fenced like a commit: a deposed writer settles nothing
    /// ([`StoreError::Deposed`]). An entry settled already keeps its first
    /// outcome.
    pub async fn settle_inbox(
        &self,
        meeting: &MeetingId,
        outcomes: &[(i64, String)],
        lease: &Lease,
    ) -> Result<(), StoreError> {
        if outcomes.is_empty() {
            return Ok(());
        }
        match self {
            Store::Sqlite(_) => Err(StoreError::SingleNode),
            Store::Postgres(s) => self.within(s.settle_inbox(meeting, outcomes, lease)).await,
        }
    }

    /// The outcomes written so far for these inbox ids.
    pub async fn inbox_outcomes(&self, ids: &[i64]) -> Result<Vec<(i64, String)>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        match self {
            Store::Sqlite(_) => Ok(Vec::new()),
            Store::Postgres(s) => self.within(s.inbox_outcomes(ids)).await,
        }
    }

    /// Several nodes: replaces what node `node` says of `meeting`'s room
    /// screens with `screens`, and returns what the other nodes said
    /// within `fresh` (older rows are a dead node's). Nothing to share on
    /// SQLite: empty.
    pub async fn share_presence(
        &self,
        meeting: &MeetingId,
        node: &str,
        screens: &[ScreenSeen],
        fresh: Duration,
    ) -> Result<Vec<ScreenSeen>, StoreError> {
        match self {
            Store::Sqlite(_) => Ok(Vec::new()),
            Store::Postgres(s) => {
                self.within(s.share_presence(meeting, node, screens, fresh))
                    .await
            }
        }
    }

    /// Which commit made the database refuse `batch`, found after the
    /// rollback by looking: the database's own message names a constraint,
    /// not the seq or the command.
    async fn explain_refusal(&self, batch: &[Commit]) -> Result<Option<StoreError>, StoreError> {
        if let Some(duplicate) = duplicate_in_batch(batch) {
            return Ok(Some(duplicate));
        }
        for commit in batch {
            for e in &commit.events {
                if timed!(self, s => s.has_event(&commit.meeting, db_int("seq", e.seq)?).await)
                    .await?
                {
                    return Ok(Some(StoreError::Conflict {
                        meeting: commit.meeting.clone(),
                        seq: e.seq,
                    }));
                }
            }
            if let Some(id) = &commit.command_id
                && self.command_result(&commit.meeting, id).await?.is_some()
            {
                return Ok(Some(StoreError::DuplicateCommand {
                    meeting: commit.meeting.clone(),
                    command_id: id.clone(),
                }));
            }
            let created_in_batch = batch
                .iter()
                .any(|c| c.meeting == commit.meeting && !c.events.is_empty());
            if !created_in_batch && self.last_seq(&commit.meeting).await? == 0 {
                return Ok(Some(StoreError::UnknownMeeting {
                    meeting: commit.meeting.clone(),
                }));
            }
        }
        Ok(None)
    }

    /// The events of `meeting` after `after_seq` (0 for all), in seq order,
    /// exactly as they were appended.
    pub async fn load_events(
        &self,
        meeting: &MeetingId,
        after_seq: u64,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        timed!(self, s => s.load_events(meeting, after_seq).await).await
    }

    /// Waits until no write of `meeting` is still under way in the
    /// database. A commit whose answer was lost (a cut connection, a
    /// timeout) may still be finishing there: a read of the log before
    /// this can miss a commit that lands a moment later, a read after it
    /// cannot.
    pub async fn await_writes(&self, meeting: &MeetingId) -> Result<(), StoreError> {
        timed!(self, s => s.await_writes(meeting).await).await
    }

    /// The seq of the last stored event of `meeting`; 0 when it has none.
    pub async fn last_seq(&self, meeting: &MeetingId) -> Result<u64, StoreError> {
        let seq = timed!(self, s => s.last_seq(meeting).await).await?;
        u64::try_from(seq).map_err(|_| StoreError::Corrupt {
            table: "events",
            key: meeting.to_string(),
            reason: format!("negative sequence number {seq}"),
        })
    }

    /// Stores the folded state of `meeting` at `seq` (opaque JSON) and
    /// drops older snapshots: events are the truth, a snapshot only a
    /// shortcut, and one is enough.
    pub async fn save_snapshot(
        &self,
        meeting: &MeetingId,
        seq: u64,
        state_json: &str,
    ) -> Result<(), StoreError> {
        let seq = db_int("seq", seq)?;
        timed!(self, s => s.save_snapshot(meeting, seq, state_json).await).await
    }

    /// The snapshot with the highest seq, and that seq.
    pub async fn latest_snapshot(
        &self,
        meeting: &MeetingId,
    ) -> Result<Option<(u64, String)>, StoreError> {
        let row = timed!(self, s => s.latest_snapshot(meeting).await).await?;
        row.map(|r| r.decode(meeting)).transpose()
    }

    /// The stored result of command `command_id`, if it was committed.
    pub async fn command_result(
        &self,
        meeting: &MeetingId,
        command_id: &str,
    ) -> Result<Option<CommandResult>, StoreError> {
        timed!(self, s => s.command_result(meeting, command_id).await).await
    }

    /// The results of the commands of `meeting` whose last event is after
    /// `after_seq` (0 for all), by command id: what a hub loads at start so
    /// that a retried command is answered without asking the store.
    pub async fn command_results_after(
        &self,
        meeting: &MeetingId,
        after_seq: u64,
    ) -> Result<Vec<(String, CommandResult)>, StoreError> {
        let after = db_int("after_seq", after_seq)?;
        let rows = timed!(self, s => s.command_results_after(meeting, after).await).await?;
        rows.into_iter()
            .map(|(id, row)| {
                let result = row.decode(meeting, &id)?;
                Ok((id, result))
            })
            .collect()
    }

    /// Access code `id` of `meeting`, revoked or not.
    pub async fn access_code_by_id(
        &self,
        meeting: &MeetingId,
        id: &str,
    ) -> Result<Option<AccessCodeRecord>, StoreError> {
        let row = timed!(self, s => s.access_code_by_id(meeting, id).await).await?;
        row.map(|r| r.decode()).transpose()
    }

    /// Every code revoked at or after `since`, oldest revocation first:
    /// polled by running servers so a revocation made elsewhere (the CLI,
    /// another node) ends that code's sessions.
    pub async fn revoked_since(
        &self,
        since: Timestamp,
    ) -> Result<Vec<AccessCodeRecord>, StoreError> {
        let rows = timed!(self, s => s.revoked_since(since).await).await?;
        rows.into_iter().map(|r| r.decode()).collect()
    }

    /// The server-wide secret called `name`, created from `fresh` the
    /// first time (the first writer wins; every later call, in any
    /// process, gets the same value).
    pub async fn secret(&self, name: &str, fresh: &str) -> Result<String, StoreError> {
        timed!(self, s => s.secret(name, fresh).await).await
    }

    /// Stores a new access code under a fresh id. The hash must be
    /// [`hash_access_code`]'s form (64 hex digits): anything else is
    /// refused with [`StoreError::NotAHash`], so a code passed by mistake is
    /// never stored.
    pub async fn insert_access_code(
        &self,
        code: &NewAccessCode,
    ) -> Result<AccessCodeRecord, StoreError> {
        let record = AccessCodeRecord {
            id: uuid::Uuid::now_v7().to_string(),
            meeting: code.meeting.clone(),
            role: code.role.clone(),
            label: code.label.clone(),
            hash: normalise_hash(&code.hash).ok_or(StoreError::NotAHash)?,
            created_at: code.created_at,
            revoked_at: None,
        };
        match timed!(self, s => s.insert_access_code(&record).await).await {
            Err(StoreError::Database(sqlx::Error::Database(db))) if db.is_unique_violation() => {
                Err(StoreError::DuplicateAccessCode)
            }
            Err(e) => Err(e),
            Ok(()) => Ok(record),
        }
    }

    /// The access code with this hash, unless it was revoked.
    pub async fn find_access_code(
        &self,
        hash: &str,
    ) -> Result<Option<AccessCodeRecord>, StoreError> {
        let hash = normalise_hash(hash).ok_or(StoreError::NotAHash)?;
        let row = timed!(self, s => s.find_access_code(&hash).await).await?;
        row.map(|r| r.decode()).transpose()
    }

    /// All access codes of `meeting`, revoked ones included, oldest first.
    pub async fn list_access_codes(
        &self,
        meeting: &MeetingId,
    ) -> Result<Vec<AccessCodeRecord>, StoreError> {
        let rows = timed!(self, s => s.list_access_codes(meeting).await).await?;
        rows.into_iter().map(|r| r.decode()).collect()
    }

    /// Revokes access code `id` of `meeting`. `false` if there is no such
    /// code or it was already revoked (the first revocation time stays).
    pub async fn revoke_access_code(
        &self,
        meeting: &MeetingId,
        id: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        timed!(self, s => s.revoke_access_code(meeting, id, at).await).await
    }

    /// Records that `screen` of `meeting` was seen at `at`. A late write
    /// with an older time never moves the last-seen time back.
    pub async fn touch_screen(
        &self,
        meeting: &MeetingId,
        screen: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        timed!(self, s => s.touch_screen(meeting, screen, at).await).await
    }

    /// Every screen of `meeting` ever seen, by id, with when it was last seen.
    pub async fn screens_seen(
        &self,
        meeting: &MeetingId,
    ) -> Result<Vec<(String, Timestamp)>, StoreError> {
        timed!(self, s => s.screens_seen(meeting).await).await
    }
}
