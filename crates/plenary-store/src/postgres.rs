//! The PostgreSQL backend: a connection pool, batches inserted with
//! `UNNEST` so that a whole group commit is three statements whatever its
//! size.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use plenary_core::ids::MeetingId;
use plenary_core::{StoredEvent, Timestamp};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection};

use crate::checked::Checked;
use crate::error::{StoreError, on_meeting, redact_url};
use crate::inbox::{self, Doorbell, Forward, OpenEntry, ScreenSeen};
use crate::lease::{Claim, Lease};
use crate::model::{AccessCodeRecord, CommandResult, MeetingRecord};
use crate::rows::{
    AccessCodeRow, BatchRows, CommandRow, EventRow, MeetingRow, ScreenRow, SnapshotRow, db_int,
};
use crate::{Backend, StoreOptions};

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

const MAX_CONNECTIONS: u32 = 10;
/// How long opening the database may take before it is reported as
/// unreachable (a dropped packet would otherwise wait for TCP's timeout).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A PostgreSQL database.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    /// How connections are opened: the doorbell opens its own (boxed: it
    /// is large, and the store is moved around).
    connect: Arc<PgConnectOptions>,
    /// Redacted: this is what logs and errors show.
    url: Arc<str>,
    options: StoreOptions,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl PgStore {
    /// Connects to a `postgres://` URL. One connection is opened first, on
    /// its own, so that an unreachable server fails at once with its real
    /// cause; a pool would keep retrying a refused connection until its
    /// timeout and then report only that it timed out.
    pub(crate) async fn connect(url: &str, store: &StoreOptions) -> Result<Self, StoreError> {
        let redacted = redact_url(url);
        let open = |source: sqlx::Error| StoreError::Open {
            backend: Backend::Postgres,
            url: redacted.clone(),
            source: source.into(),
        };
        let options = PgConnectOptions::from_str(url)
            .map_err(open)?
            .application_name("plenary")
            // Whatever the server's default: a commit that returned is on
            // disk (an acked command must survive a crash).
            .options([
                ("synchronous_commit", "on".to_owned()),
                // The server gives up on a statement (and its locks) as
                // soon as the service would stop waiting for it.
                ("statement_timeout", store.timeout.as_millis().to_string()),
                ("lock_timeout", store.timeout.as_millis().to_string()),
                // A transaction left open by a vanished client must not
                // hold its locks forever.
                (
                    "idle_in_transaction_session_timeout",
                    (store.timeout.as_millis() * 2).to_string(),
                ),
            ]);
        let probe = tokio::time::timeout(CONNECT_TIMEOUT, options.connect())
            .await
            .map_err(|_| {
                open(sqlx::Error::Io(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("no answer within {} s", CONNECT_TIMEOUT.as_secs()),
                )))
            })?
            .map_err(open)?;
        // A failed goodbye on a connection that worked changes nothing.
        probe.close().await.ok();
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(store.timeout.min(CONNECT_TIMEOUT))
            .connect_with(options.clone())
            .await
            .map_err(open)?;
        Ok(PgStore {
            options: *store,
            connect: Arc::new(options),
            pool,
            url: redacted.into(),
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
            .run(&self.pool)
            .await
            .map_err(|source| StoreError::Migrate {
                backend: Backend::Postgres,
                source,
            })
    }

    pub(crate) async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub(crate) async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) async fn list_meetings(&self) -> Result<Vec<MeetingRecord>, StoreError> {
        let rows: Vec<MeetingRow> =
            sqlx::query_as("SELECT id, created_at FROM meetings ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(MeetingRecord::from).collect())
    }

    pub(crate) async fn append(&self, rows: &BatchRows<'_>) -> Result<(), StoreError> {
        let mut conn = Checked::acquire(&self.pool).await?;
        let mut tx = conn.begin().await?;
        insert_batch(&mut tx, rows).await?;
        tx.commit().await?;
        conn.succeeded();
        Ok(())
    }

    /// [`PgStore::append`] fenced by `lease`: the lease row is read
    /// `FOR SHARE` first, in the same transaction. Under READ COMMITTED
    /// that read sees the latest committed epoch and holds the row until
    /// the commit, so a takeover's `UPDATE` either committed before (the
    /// epoch differs: refused) or waits until this transaction ends.
    pub(crate) async fn append_fenced(
        &self,
        rows: &BatchRows<'_>,
        lease: &Lease,
    ) -> Result<(), StoreError> {
        let mut conn = Checked::acquire(&self.pool).await?;
        let mut tx = conn.begin().await?;
        fence(&mut tx, lease).await?;
        insert_batch(&mut tx, rows).await?;
        // The doorbell rings at the commit, never for a batch rolled back.
        if let Some(last) = rows.events.iter().map(|e| e.seq).max() {
            notify(
                &mut tx,
                inbox::EVENTS_CHANNEL,
                &format!("{} {last}", lease.meeting),
            )
            .await?;
        }
        tx.commit().await?;
        conn.succeeded();
        Ok(())
    }

    /// The doorbell listens on a connection of its own, outside the pool:
    /// it is held for as long as the node runs, and closing the store must
    /// not wait for it.
    pub(crate) async fn doorbell(&self) -> Result<Doorbell, StoreError> {
        let own = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(self.options.timeout.min(CONNECT_TIMEOUT))
            .connect_lazy_with(PgConnectOptions::clone(&self.connect));
        Ok(Doorbell::listen(own).await?)
    }

    /// Stores commands for the writer and rings its bell, in one
    /// transaction; their inbox ids, in order.
    pub(crate) async fn forward(&self, commands: &[Forward]) -> Result<Vec<i64>, StoreError> {
        let mut conn = Checked::acquire(&self.pool).await?;
        let mut tx = conn.begin().await?;
        // Inserted in the batch's order, so the ids (from one sequence)
        // rise in it: sorted, they are the batch's order whatever order
        // RETURNING gives them in.
        let mut ids: Vec<i64> = sqlx::query_scalar(
            "INSERT INTO command_inbox (meeting, actor, command_id, command, seen) \
             SELECT m, a, c, x, s FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], \
                                             $5::text[]) WITH ORDINALITY AS t(m, a, c, x, s, n) \
             ORDER BY n \
             RETURNING id",
        )
        .bind(column(commands, |c| c.meeting.as_str()))
        .bind(column(commands, |c| c.actor.as_str()))
        .bind(column(commands, |c| c.command_id.as_str()))
        .bind(column(commands, |c| c.command.as_str()))
        .bind(column(commands, |c| c.seen.as_deref()))
        .fetch_all(&mut *tx)
        .await?;
        ids.sort_unstable();
        let mut meetings: Vec<&str> = commands.iter().map(|c| c.meeting.as_str()).collect();
        meetings.sort_unstable();
        meetings.dedup();
        for meeting in meetings {
            notify(&mut tx, inbox::INBOX_CHANNEL, meeting).await?;
        }
        tx.commit().await?;
        conn.succeeded();
        Ok(ids)
    }

    pub(crate) async fn open_inbox(
        &self,
        meeting: &MeetingId,
    ) -> Result<Vec<OpenEntry>, StoreError> {
        let rows: Vec<(i64, String, String, String, Option<String>, f64)> = sqlx::query_as(
            "SELECT id, actor, command_id, command, seen, \
                    GREATEST(0, EXTRACT(EPOCH FROM now() - created_at) * 1000)::float8 \
             FROM command_inbox WHERE meeting = $1 AND outcome IS NULL ORDER BY id",
        )
        .bind(meeting.as_str())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, actor, command_id, command, seen, age)| OpenEntry {
                id,
                age: Duration::from_millis(age as u64),
                forward: Forward {
                    meeting: meeting.clone(),
                    actor,
                    command_id,
                    command,
                    seen,
                },
            })
            .collect())
    }

    pub(crate) async fn settle_inbox(
        &self,
        meeting: &MeetingId,
        outcomes: &[(i64, String)],
        lease: &Lease,
    ) -> Result<(), StoreError> {
        let mut conn = Checked::acquire(&self.pool).await?;
        let mut tx = conn.begin().await?;
        fence(&mut tx, lease).await?;
        sqlx::query(
            "UPDATE command_inbox SET outcome = o.outcome, decided_at = now() \
             FROM UNNEST($1::int8[], $2::text[]) AS o(id, outcome) \
             WHERE command_inbox.id = o.id AND command_inbox.outcome IS NULL",
        )
        .bind(outcomes.iter().map(|(id, _)| *id).collect::<Vec<_>>())
        .bind(outcomes.iter().map(|(_, o)| o.as_str()).collect::<Vec<_>>())
        .execute(&mut *tx)
        .await?;
        notify(&mut tx, inbox::OUTCOME_CHANNEL, meeting.as_str()).await?;
        // Settled entries are kept a while for a forwarding node that
        // asks late, then dropped.
        sqlx::query(
            "DELETE FROM command_inbox WHERE meeting = $1 AND decided_at < now() - interval '1 hour'",
        )
        .bind(meeting.as_str())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        conn.succeeded();
        Ok(())
    }

    pub(crate) async fn inbox_outcomes(
        &self,
        ids: &[i64],
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, outcome FROM command_inbox WHERE id = ANY($1) AND outcome IS NOT NULL",
        )
        .bind(ids)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    pub(crate) async fn share_presence(
        &self,
        meeting: &MeetingId,
        node: &str,
        screens: &[ScreenSeen],
        fresh: Duration,
    ) -> Result<Vec<ScreenSeen>, StoreError> {
        let mut conn = Checked::acquire(&self.pool).await?;
        let mut tx = conn.begin().await?;
        sqlx::query("DELETE FROM screen_presence WHERE meeting = $1 AND node = $2")
            .bind(meeting.as_str())
            .bind(node)
            .execute(&mut *tx)
            .await?;
        if !screens.is_empty() {
            sqlx::query(
                "INSERT INTO screen_presence \
                   (meeting, screen, node, connections, rtt_ms, offset_ms, last_seen, updated_at) \
                 SELECT $1, s, $2, c, r, o, l, now() \
                 FROM UNNEST($3::text[], $4::int4[], $5::float8[], $6::float8[], $7::int8[]) \
                   AS t(s, c, r, o, l)",
            )
            .bind(meeting.as_str())
            .bind(node)
            .bind(
                screens
                    .iter()
                    .map(|s| s.screen.as_str())
                    .collect::<Vec<_>>(),
            )
            .bind(
                screens
                    .iter()
                    .map(|s| i32::try_from(s.connections).unwrap_or(i32::MAX))
                    .collect::<Vec<_>>(),
            )
            .bind(screens.iter().map(|s| s.rtt_ms).collect::<Vec<_>>())
            .bind(screens.iter().map(|s| s.offset_ms).collect::<Vec<_>>())
            .bind(
                screens
                    .iter()
                    .map(|s| s.last_seen.map(|t| t.0))
                    .collect::<Vec<_>>(),
            )
            .execute(&mut *tx)
            .await?;
        }
        let rows: Vec<PresenceRow> = sqlx::query_as(
            "SELECT screen, connections, rtt_ms, offset_ms, last_seen FROM screen_presence \
             WHERE meeting = $1 AND node <> $2 \
               AND updated_at > now() - $3 * interval '1 millisecond' \
             ORDER BY screen",
        )
        .bind(meeting.as_str())
        .bind(node)
        .bind(ttl_ms(fresh)?)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        conn.succeeded();
        Ok(rows
            .into_iter()
            .map(|(screen, c, rtt_ms, offset_ms, last)| ScreenSeen {
                screen,
                connections: u32::try_from(c).unwrap_or(0),
                rtt_ms,
                offset_ms,
                last_seen: last.map(Timestamp),
            })
            .collect())
    }

    pub(crate) async fn claim_lease(
        &self,
        meeting: &MeetingId,
        holder: &str,
        ttl: Duration,
    ) -> Result<Claim, StoreError> {
        let ms = ttl_ms(ttl)?;
        let taken: Option<i64> = sqlx::query_scalar(
            "INSERT INTO writer_leases (meeting, epoch, holder, expires_at) \
             VALUES ($1, 1, $2, now() + $3 * interval '1 millisecond') \
             ON CONFLICT (meeting) DO UPDATE \
               SET epoch = writer_leases.epoch + 1, holder = EXCLUDED.holder, \
                   expires_at = EXCLUDED.expires_at \
               WHERE writer_leases.expires_at < now() \
             RETURNING epoch",
        )
        .bind(meeting.as_str())
        .bind(holder)
        .bind(ms)
        .fetch_optional(&self.pool)
        .await?;
        if let Some(epoch) = taken {
            return Ok(Claim::Acquired(Lease {
                meeting: meeting.clone(),
                epoch: u64::try_from(epoch).unwrap_or(0),
                holder: holder.to_owned(),
            }));
        }
        let (holder, epoch, left_ms): (String, i64, f64) = sqlx::query_as(
            "SELECT holder, epoch, \
                    GREATEST(0, EXTRACT(EPOCH FROM expires_at - now()) * 1000)::float8 \
             FROM writer_leases WHERE meeting = $1",
        )
        .bind(meeting.as_str())
        .fetch_one(&self.pool)
        .await?;
        Ok(Claim::Held {
            holder,
            epoch: u64::try_from(epoch).unwrap_or(0),
            expires_in: Duration::from_millis(left_ms as u64),
        })
    }

    pub(crate) async fn renew_lease(&self, lease: &Lease, ttl: Duration) -> Result<(), StoreError> {
        let renewed: Option<i64> = sqlx::query_scalar(
            "UPDATE writer_leases SET expires_at = now() + $4 * interval '1 millisecond' \
             WHERE meeting = $1 AND epoch = $2 AND holder = $3 RETURNING epoch",
        )
        .bind(lease.meeting.as_str())
        .bind(db_int("epoch", lease.epoch)?)
        .bind(&lease.holder)
        .bind(ttl_ms(ttl)?)
        .fetch_optional(&self.pool)
        .await?;
        if renewed.is_some() {
            return Ok(());
        }
        let current: Option<i64> =
            sqlx::query_scalar("SELECT epoch FROM writer_leases WHERE meeting = $1")
                .bind(lease.meeting.as_str())
                .fetch_optional(&self.pool)
                .await?;
        Err(StoreError::Deposed {
            meeting: lease.meeting.clone(),
            epoch: lease.epoch,
            current: current.map_or(0, |c| u64::try_from(c).unwrap_or(0)),
        })
    }

    pub(crate) async fn release_lease(&self, lease: &Lease) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE writer_leases SET expires_at = now() - interval '1 millisecond' \
             WHERE meeting = $1 AND epoch = $2 AND holder = $3",
        )
        .bind(lease.meeting.as_str())
        .bind(db_int("epoch", lease.epoch)?)
        .bind(&lease.holder)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A write transaction, committed and undone: what readiness asks of
    /// the store.
    pub(crate) async fn probe_write(&self) -> Result<(), StoreError> {
        let mut conn = Checked::acquire(&self.pool).await?;
        let mut tx = conn.begin().await?;
        sqlx::query(
            "INSERT INTO write_probe (id, payload) VALUES (1, decode(repeat('00', 8192), 'hex')) \
             ON CONFLICT (id) DO UPDATE SET payload = EXCLUDED.payload",
        )
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
             WHERE meeting = $1 AND seq > $2 ORDER BY seq",
        )
        .bind(meeting.as_str())
        .bind(db_int("after_seq", after_seq)?)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(|row| row.decode(meeting)).collect()
    }

    /// `FOR UPDATE` on the lease row conflicts with the `FOR SHARE` that
    /// every fenced commit holds until it ends (see [`fence`]).
    pub(crate) async fn await_writes(&self, meeting: &MeetingId) -> Result<(), StoreError> {
        let mut conn = Checked::acquire(&self.pool).await?;
        let mut tx = conn.begin().await?;
        sqlx::query("SELECT 1 FROM writer_leases WHERE meeting = $1 FOR UPDATE")
            .bind(meeting.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        tx.rollback().await?;
        conn.succeeded();
        Ok(())
    }

    pub(crate) async fn last_seq(&self, meeting: &MeetingId) -> Result<i64, StoreError> {
        let seq: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM events WHERE meeting = $1")
                .bind(meeting.as_str())
                .fetch_one(&self.pool)
                .await?;
        Ok(seq)
    }

    pub(crate) async fn has_event(
        &self,
        meeting: &MeetingId,
        seq: i64,
    ) -> Result<bool, StoreError> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT seq FROM events WHERE meeting = $1 AND seq = $2")
                .bind(meeting.as_str())
                .bind(seq)
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.is_some())
    }

    pub(crate) async fn save_snapshot(
        &self,
        meeting: &MeetingId,
        seq: i64,
        state_json: &str,
    ) -> Result<(), StoreError> {
        let mut conn = Checked::acquire(&self.pool).await?;
        let mut tx = conn.begin().await?;
        sqlx::query(
            "INSERT INTO snapshots (meeting, seq, state) VALUES ($1, $2, $3) \
             ON CONFLICT (meeting, seq) DO UPDATE SET state = EXCLUDED.state",
        )
        .bind(meeting.as_str())
        .bind(seq)
        .bind(state_json)
        .execute(&mut *tx)
        .await
        .map_err(on_meeting(meeting))?;
        sqlx::query("DELETE FROM snapshots WHERE meeting = $1 AND seq < $2")
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
            "SELECT seq, state FROM snapshots WHERE meeting = $1 ORDER BY seq DESC LIMIT 1",
        )
        .bind(meeting.as_str())
        .fetch_optional(&self.pool)
        .await?)
    }

    pub(crate) async fn command_result(
        &self,
        meeting: &MeetingId,
        command_id: &str,
    ) -> Result<Option<CommandResult>, StoreError> {
        let row: Option<CommandRow> = sqlx::query_as(
            "SELECT first_seq, last_seq FROM command_results \
             WHERE meeting = $1 AND command_id = $2",
        )
        .bind(meeting.as_str())
        .bind(command_id)
        .fetch_optional(&self.pool)
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
             WHERE meeting = $1 AND last_seq > $2 ORDER BY last_seq",
        )
        .bind(meeting.as_str())
        .bind(after_seq)
        .fetch_all(&self.pool)
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
             WHERE meeting = $1 AND id = $2",
        )
        .bind(meeting.as_str())
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub(crate) async fn revoked_since(
        &self,
        since: Timestamp,
    ) -> Result<Vec<AccessCodeRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, meeting, role, label, hash, created_at, revoked_at FROM access_codes \
             WHERE revoked_at IS NOT NULL AND revoked_at >= $1 ORDER BY revoked_at",
        )
        .bind(since.0)
        .fetch_all(&self.pool)
        .await?)
    }

    pub(crate) async fn secret(&self, name: &str, fresh: &str) -> Result<String, StoreError> {
        let mut conn = Checked::acquire(&self.pool).await?;
        sqlx::query(
            "INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(fresh)
        .execute(&mut *conn)
        .await?;
        let value: String = sqlx::query_scalar("SELECT value FROM secrets WHERE name = $1")
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
        let mut conn = Checked::acquire(&self.pool).await?;
        sqlx::query(
            "INSERT INTO access_codes (id, meeting, role, label, hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
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
             WHERE hash = $1 AND revoked_at IS NULL",
        )
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub(crate) async fn list_access_codes(
        &self,
        meeting: &MeetingId,
    ) -> Result<Vec<AccessCodeRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, meeting, role, label, hash, created_at, revoked_at FROM access_codes \
             WHERE meeting = $1 ORDER BY created_at, id",
        )
        .bind(meeting.as_str())
        .fetch_all(&self.pool)
        .await?)
    }

    pub(crate) async fn revoke_access_code(
        &self,
        meeting: &MeetingId,
        id: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut conn = Checked::acquire(&self.pool).await?;
        let done = sqlx::query(
            "UPDATE access_codes SET revoked_at = $1 \
             WHERE meeting = $2 AND id = $3 AND revoked_at IS NULL",
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
        let mut conn = Checked::acquire(&self.pool).await?;
        sqlx::query(
            "INSERT INTO screens (meeting, screen, last_seen) VALUES ($1, $2, $3) \
             ON CONFLICT (meeting, screen) \
             DO UPDATE SET last_seen = GREATEST(screens.last_seen, EXCLUDED.last_seen)",
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
            "SELECT screen, last_seen FROM screens WHERE meeting = $1 ORDER BY screen",
        )
        .bind(meeting.as_str())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}

/// The rows of a batch, inserted in `tx`.
/// One column of a batch of forwarded commands, for `UNNEST`.
fn column<'a, T>(commands: &'a [Forward], field: impl Fn(&'a Forward) -> T) -> Vec<T> {
    commands.iter().map(field).collect()
}

/// Rings `channel` with `payload` when `tx` commits (never if it rolls
/// back): `NOTIFY` is transactional.
async fn notify(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    channel: &str,
    payload: &str,
) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(channel)
        .bind(payload)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A row of `screen_presence`: screen, connections, round trip, offset,
/// last seen.
type PresenceRow = (String, i32, Option<f64>, Option<f64>, Option<i64>);

/// Reads the lease row `FOR SHARE` in `tx` and checks its epoch: a
/// takeover's `UPDATE` waits for `tx` to end, and once it has happened
/// `lease` is refused with [`StoreError::Deposed`].
async fn fence(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    lease: &Lease,
) -> Result<(), StoreError> {
    let current: Option<i64> =
        sqlx::query_scalar("SELECT epoch FROM writer_leases WHERE meeting = $1 FOR SHARE")
            .bind(lease.meeting.as_str())
            .fetch_optional(&mut **tx)
            .await?;
    if current != Some(db_int("epoch", lease.epoch)?) {
        return Err(StoreError::Deposed {
            meeting: lease.meeting.clone(),
            epoch: lease.epoch,
            current: current.map_or(0, |c| u64::try_from(c).unwrap_or(0)),
        });
    }
    Ok(())
}

async fn insert_batch(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    rows: &BatchRows<'_>,
) -> Result<(), StoreError> {
    if !rows.meetings.is_empty() {
        let (ids, created): (Vec<&str>, Vec<i64>) = rows.meetings.iter().copied().unzip();
        sqlx::query(
            "INSERT INTO meetings (id, created_at) \
                 SELECT * FROM UNNEST($1::text[], $2::int8[]) \
                 ON CONFLICT (id) DO NOTHING",
        )
        .bind(ids)
        .bind(created)
        .execute(&mut **tx)
        .await?;
    }
    if !rows.events.is_empty() {
        let events = &rows.events;
        sqlx::query(
            "INSERT INTO events (meeting, seq, at, actor, kind, v, payload) \
                 SELECT * FROM UNNEST($1::text[], $2::int8[], $3::int8[], $4::text[], \
                                      $5::text[], $6::int4[], $7::text[])",
        )
        .bind(events.iter().map(|e| e.meeting).collect::<Vec<_>>())
        .bind(events.iter().map(|e| e.seq).collect::<Vec<_>>())
        .bind(events.iter().map(|e| e.at).collect::<Vec<_>>())
        .bind(events.iter().map(|e| e.actor.as_str()).collect::<Vec<_>>())
        .bind(events.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>())
        .bind(events.iter().map(|e| e.v).collect::<Vec<_>>())
        .bind(
            events
                .iter()
                .map(|e| e.payload.as_str())
                .collect::<Vec<_>>(),
        )
        .execute(&mut **tx)
        .await?;
    }
    if !rows.commands.is_empty() {
        let commands = &rows.commands;
        sqlx::query(
            "INSERT INTO command_results (meeting, command_id, first_seq, last_seq) \
                 SELECT * FROM UNNEST($1::text[], $2::text[], $3::int8[], $4::int8[])",
        )
        .bind(commands.iter().map(|c| c.meeting).collect::<Vec<_>>())
        .bind(commands.iter().map(|c| c.command_id).collect::<Vec<_>>())
        .bind(commands.iter().map(|c| c.first_seq).collect::<Vec<_>>())
        .bind(commands.iter().map(|c| c.last_seq).collect::<Vec<_>>())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// A lease's time to live in whole milliseconds, for SQL.
fn ttl_ms(ttl: Duration) -> Result<i64, StoreError> {
    db_int("ttl_ms", u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX))
}
