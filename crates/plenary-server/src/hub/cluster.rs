//! Several nodes on one PostgreSQL database: each meeting has one writer,
//! the node holding its lease; the others follow.
//!
//! - **Lease**: a keeper task per hub claims the meeting's lease while it
//!   is free, renews it about every second while held, gives it up at
//!   shutdown, and tells the hub ([`LeaseNews`]). Every commit is fenced by
//!   the lease's epoch ([`plenary_store::Store::append_fenced`]), so a
//!   writer that was paused and deposed can never commit.
//! - **Commands on a follower** go into the store's command inbox; the
//!   writer decides them in order, commits, and writes each outcome. The
//!   follower answers its client once the outcome is written and, for an
//!   ack, once it has fanned the command's events out itself: an ack still
//!   means committed, and still comes after the events.
//! - **Events** reach followers by the doorbell (`NOTIFY` with the last
//!   seq); they read the log by seq and fan out exactly as the writer does.
//!   Notifications can be lost while a listener reconnects, so followers
//!   also poll.
//! - **Countdowns** run on every node (phases are announced locally), but
//!   only the writer commits `time_up`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use plenary_core::floor::FloorSeen;
use plenary_core::ids::MeetingId;
use plenary_core::{Command, CommandError, Role};
use plenary_store::{Claim, Forward, Lease, OpenEntry, Ring, ScreenSeen, Store, StoreError};

use super::{CommandOutcome, Hub, Pending, Refusal, Reply, Request};
use crate::metrics as m;

/// How leases are held: what it costs in takeover time is in
/// docs/deployment.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeaseTiming {
    /// How long a lease lasts unless renewed: a dead writer is replaced
    /// after at most this, plus `claim_every`.
    pub ttl: Duration,
    /// How often the writer renews.
    pub renew_every: Duration,
    /// How often a follower tries to take an expired lease.
    pub claim_every: Duration,
}

/// What the keeper tells its hub.
#[derive(Debug)]
pub(super) enum LeaseNews {
    /// This node is the writer, from now, at this lease.
    Elected(Lease),
    /// Another node took the lease over.
    Deposed,
}

/// Where a meeting stands on this node, shared with its handle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Standing {
    /// Commits the meeting's commands.
    Writer = 0,
    /// Follows a writer that holds an unexpired lease.
    Follower = 1,
    /// Follows, and no node holds the lease now (a takeover is due).
    NoWriter = 2,
}

impl Standing {
    pub(super) fn store(self, cell: &AtomicU8) {
        cell.store(self as u8, Ordering::Release);
    }

    pub(super) fn load(cell: &AtomicU8) -> Standing {
        match cell.load(Ordering::Acquire) {
            0 => Standing::Writer,
            1 => Standing::Follower,
            _ => Standing::NoWriter,
        }
    }
}

/// Claims, renews and finally releases the lease of `meeting` for
/// `holder`, telling the hub through `tx`. Stops at shutdown (releasing a
/// held lease, so another node need not wait for it to expire) or when
/// the hub is gone.
pub(super) async fn keep_lease(
    store: Store,
    meeting: MeetingId,
    holder: Arc<str>,
    timing: LeaseTiming,
    tx: mpsc::Sender<Request>,
    standing: Arc<AtomicU8>,
    shutdown: CancellationToken,
) {
    let mut held: Option<Lease> = None;
    let mut first = true;
    loop {
        let pause = if held.is_some() {
            timing.renew_every
        } else {
            timing.claim_every
        };
        if !std::mem::take(&mut first) {
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = tokio::time::sleep(pause) => {}
            }
        }
        match &held {
            Some(lease) => match store.renew_lease(lease, timing.ttl).await {
                Ok(()) => {}
                Err(StoreError::Deposed { current, .. }) => {
                    warn!(%meeting, epoch = lease.epoch, current, "lease taken over: stepping down");
                    held = None;
                    if tx.send(Request::Lease(LeaseNews::Deposed)).await.is_err() {
                        return;
                    }
                }
                // The database is away: the lease may expire meanwhile,
                // and the fence keeps commits safe whatever happens.
                Err(e) => debug!(%meeting, error = %e, "lease not renewed"),
            },
            None => match store.claim_lease(&meeting, &holder, timing.ttl).await {
                Ok(Claim::Acquired(lease)) => {
                    info!(%meeting, epoch = lease.epoch, holder = %holder, "writer of the meeting");
                    held = Some(lease.clone());
                    if tx
                        .send(Request::Lease(LeaseNews::Elected(lease)))
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
                Ok(Claim::Held { expires_in, .. }) => {
                    let s = if expires_in.is_zero() {
                        Standing::NoWriter
                    } else {
                        Standing::Follower
                    };
                    if Standing::load(&standing) != Standing::Writer {
                        s.store(&standing);
                    }
                }
                Err(e) => {
                    if Standing::load(&standing) != Standing::Writer {
                        Standing::NoWriter.store(&standing);
                    }
                    debug!(%meeting, error = %e, "lease not claimed");
                }
            },
        }
    }
    if let Some(lease) = held {
        match store.release_lease(&lease).await {
            Ok(()) => info!(%meeting, epoch = lease.epoch, "lease released"),
            Err(e) => warn!(%meeting, error = %e, "lease not released: it expires by itself"),
        }
    }
}

/// What the writer wrote for a forwarded command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub(super) enum Settled {
    Acked { seq: u64 },
    Refused { refusal: Refusal },
    Unavailable,
}

impl Settled {
    fn of(outcome: &CommandOutcome) -> Option<Settled> {
        match outcome {
            CommandOutcome::Acked { seq } => Some(Settled::Acked { seq: *seq }),
            CommandOutcome::Refused(r) => Some(Settled::Refused { refusal: r.clone() }),
            CommandOutcome::Unavailable => Some(Settled::Unavailable),
            // Left open: once the hub knows what the store holds, the
            // entry is decided again (and answered from the log if it was
            // committed after all).
            CommandOutcome::Unknown => None,
        }
    }

    fn outcome(self) -> CommandOutcome {
        match self {
            Settled::Acked { seq } => CommandOutcome::Acked { seq },
            Settled::Refused { refusal } => CommandOutcome::Refused(refusal),
            Settled::Unavailable => CommandOutcome::Unavailable,
        }
    }
}

/// A command this node forwarded, waiting for the writer's outcome.
#[derive(Debug)]
pub(super) struct Forwarded {
    reply: Reply,
    key: String,
    since: Instant,
}

/// How long a forwarded command waits for its outcome before its sender
/// is told `outcome_unknown` (resending the same id then tells which). The
/// writer never applies an entry older than this: it answers it
/// `store_unavailable`. Covers a takeover and a slow commit.
pub(super) const FORWARD_WAIT: Duration = Duration::from_secs(8);
/// How often a hub on a shared store looks at the log and the inbox,
/// should a notification have been lost, and shares its screens' presence.
pub(super) const POLL_EVERY: Duration = Duration::from_millis(500);
/// Another node's word on a screen holds this long: then it is a dead
/// node's (its screens reconnect elsewhere within a second or two).
const PRESENCE_FRESH: Duration = Duration::from_secs(3);

/// What a background look at the store found, and what the other nodes
/// say of the room screens.
pub(super) struct Looked {
    found: Found,
    elsewhere: Result<Vec<ScreenSeen>, StoreError>,
}

/// What a background look at the store found.
pub(super) enum Found {
    /// The writer's open inbox entries.
    Inbox(Result<Vec<OpenEntry>, StoreError>),
    /// A follower's: outcomes of its forwarded commands, then the log
    /// after its seq.
    Log {
        outcomes: Result<Vec<(i64, String)>, StoreError>,
        loaded: Result<super::Loaded, StoreError>,
    },
}

/// A command decoded from the inbox.
struct Inbound {
    actor: Role,
    command_id: String,
    command: Command,
    seen: Option<FloorSeen>,
}

fn decode(entry: &OpenEntry) -> Result<Inbound, serde_json::Error> {
    let f = &entry.forward;
    Ok(Inbound {
        actor: serde_json::from_str(&f.actor)?,
        command_id: f.command_id.clone(),
        command: serde_json::from_str(&f.command)?,
        seen: f.seen.as_deref().map(serde_json::from_str).transpose()?,
    })
}

/// A command for the writer, waiting in this node's batch.
pub(super) struct Outbound {
    pub(super) actor: Role,
    pub(super) command_id: String,
    pub(super) command: Command,
    pub(super) seen: Option<FloorSeen>,
    pub(super) reply: Reply,
}

impl Hub {
    pub(super) fn is_writer(&self) -> bool {
        self.lease.is_some()
    }

    /// Hands commands to the writer through the store. Retries of
    /// commands this node knows were acked are answered at once.
    pub(super) async fn forward(&mut self, outbound: Vec<Outbound>) {
        if outbound.is_empty() {
            return;
        }
        let mut rows = Vec::new();
        let mut waiting = Vec::new();
        for o in outbound {
            let key = format!("{}/{}", o.actor, o.command_id);
            if let Some(seq) = self.acked.get(&key) {
                let seq = *seq;
                self.reply(Some(o.reply), CommandOutcome::Acked { seq });
                continue;
            }
            let encoded = (|| {
                Ok::<_, serde_json::Error>(Forward {
                    meeting: self.id.clone(),
                    actor: serde_json::to_string(&o.actor)?,
                    command_id: o.command_id.clone(),
                    command: serde_json::to_string(&o.command)?,
                    seen: o.seen.as_ref().map(serde_json::to_string).transpose()?,
                })
            })();
            match encoded {
                Ok(row) => {
                    rows.push(row);
                    waiting.push((o.reply, key));
                }
                Err(e) => {
                    warn!(meeting = %self.id, error = %e, "command not encodable for the writer");
                    self.reply(Some(o.reply), CommandOutcome::Unavailable);
                }
            }
        }
        match self.store.forward(&rows).await {
            Ok(ids) => {
                m::forwarded(&self.id, ids.len());
                for (id, (reply, key)) in ids.into_iter().zip(waiting) {
                    self.forwarded.insert(
                        id,
                        Forwarded {
                            reply,
                            key,
                            since: Instant::now(),
                        },
                    );
                }
            }
            Err(e) => {
                warn!(meeting = %self.id, error = %e, "commands not forwarded to the writer");
                for (reply, _) in waiting {
                    self.reply(Some(reply), CommandOutcome::Unavailable);
                }
            }
        }
    }

    /// Starts a look at the store in the background (one at a time; a
    /// request while one runs starts another after it), so that a database
    /// that does not answer never holds the hub: commands, connections and
    /// countdowns go on meanwhile.
    pub(super) fn look(&mut self) {
        if self.looking.is_some() {
            self.look_again = true;
            return;
        }
        let (tx, rx) = tokio::sync::oneshot::channel();
        let (store, meeting, after) = (self.store.clone(), self.id.clone(), self.meeting.seq);
        let (node, here) = (Arc::clone(&self.config.node), self.presence.here());
        let share = {
            let (store, meeting) = (store.clone(), meeting.clone());
            async move {
                store
                    .share_presence(&meeting, &node, &here, PRESENCE_FRESH)
                    .await
            }
        };
        let read = if self.is_writer() {
            Box::pin(async move { Found::Inbox(store.open_inbox(&meeting).await) })
                as std::pin::Pin<Box<dyn Future<Output = Found> + Send>>
        } else {
            let ids: Vec<i64> = self.forwarded.keys().copied().collect();
            Box::pin(async move {
                // Outcomes first: an ack read here has its events in the
                // log read next.
                let outcomes = store.inbox_outcomes(&ids).await;
                let loaded = super::load_after(store, meeting, after).await;
                Found::Log { outcomes, loaded }
            })
        };
        tokio::spawn(async move {
            let (found, elsewhere) = tokio::join!(read, share);
            let _gone = tx.send(Looked { found, elsewhere });
        });
        self.looking = Some(rx);
    }

    /// What a look found.
    pub(super) async fn looked(&mut self, looked: Looked) {
        self.looking = None;
        match looked.elsewhere {
            Ok(seen) => {
                if self.presence.set_elsewhere(seen) {
                    self.presence_due.get_or_insert_with(|| {
                        tokio::time::Instant::now() + super::presence::COALESCE
                    });
                }
            }
            Err(e) => debug!(meeting = %self.id, error = %e, "presence not shared"),
        }
        match looked.found {
            Found::Inbox(Ok(entries)) => self.decide_inbox(entries).await,
            Found::Inbox(Err(e)) => debug!(meeting = %self.id, error = %e, "inbox not read"),
            Found::Log { outcomes, loaded } => {
                let before = self.meeting.seq;
                let known = match loaded {
                    Ok(loaded) => self.apply_loaded(loaded),
                    Err(e) => {
                        debug!(meeting = %self.id, error = %e, "log not read");
                        false
                    }
                };
                // A follower that cannot read the log cannot tell what
                // its commands did: unready until it can.
                self.set_synced(known);
                if known && self.meeting.seq > before {
                    if let Some(last) = self.recent.back() {
                        let lag = self.config.clock.now().0 - last.at.0;
                        m::follow_lag(Duration::from_millis(u64::try_from(lag).unwrap_or(0)));
                    }
                    self.after_commit().await;
                }
                match outcomes {
                    Ok(outcomes) => self.resolve_forwarded(outcomes),
                    Err(e) => debug!(meeting = %self.id, error = %e, "outcomes not read"),
                }
                self.expire_forwarded();
            }
        }
        if std::mem::take(&mut self.look_again) {
            self.look();
        }
    }

    /// Answers the senders of forwarded commands whose outcome was
    /// written (an ack only once this node has fanned its events out).
    fn resolve_forwarded(&mut self, outcomes: Vec<(i64, String)>) {
        for (id, json) in outcomes {
            let settled = match serde_json::from_str::<Settled>(&json) {
                Ok(s) => s,
                Err(e) => {
                    warn!(meeting = %self.id, id, error = %e, "unreadable outcome");
                    continue;
                }
            };
            if let Settled::Acked { seq } = settled
                && seq > self.meeting.seq
            {
                self.look_again = true; // Its events are not here yet.
                continue;
            }
            if let Some(f) = self.forwarded.remove(&id) {
                let outcome = settled.outcome();
                self.record(Some(f.key), &outcome);
                self.reply(Some(f.reply), outcome);
            }
        }
    }

    /// Forwarded commands without an outcome for too long: their senders
    /// are told it is unknown (a resend with the same id tells).
    fn expire_forwarded(&mut self) {
        let now = Instant::now();
        let expired: Vec<i64> = self
            .forwarded
            .iter()
            .filter(|(_, f)| now.duration_since(f.since) > FORWARD_WAIT + POLL_EVERY)
            .map(|(id, _)| *id)
            .collect();
        for id in expired {
            if let Some(f) = self.forwarded.remove(&id) {
                warn!(meeting = %self.id, id, "no outcome from the writer in time");
                self.reply(Some(f.reply), CommandOutcome::Unknown);
            }
        }
    }

    /// The writer decides what waited in the inbox, commits, and settles.
    async fn decide_inbox(&mut self, entries: Vec<OpenEntry>) {
        if !self.is_writer() || !self.is_synced() || entries.is_empty() {
            return;
        }
        let mut pending: Vec<Pending> = Vec::new();
        for entry in entries {
            if entry.age > FORWARD_WAIT {
                // Its sender was told the outcome is unknown: never
                // applied this late.
                self.reply(
                    Some(Reply::Inbox { id: entry.id }),
                    CommandOutcome::Unavailable,
                );
                continue;
            }
            match decode(&entry) {
                Ok(c) => {
                    let p = self.decide(
                        &c.actor,
                        Some(&c.command_id),
                        (&c.command, c.seen.as_ref()),
                        self.config.clock.now(),
                        Some(Reply::Inbox { id: entry.id }),
                    );
                    pending.push(p);
                }
                Err(e) => {
                    warn!(meeting = %self.id, id = entry.id, error = %e, "unreadable forwarded command");
                    self.reply(
                        Some(Reply::Inbox { id: entry.id }),
                        CommandOutcome::Unavailable,
                    );
                }
            }
        }
        self.commit(pending).await;
    }

    /// Delivers the answer to a forwarded command: into the outcomes to
    /// write, and to the waiting sender when it is this node's own.
    pub(super) fn settle(&mut self, id: i64, outcome: CommandOutcome) {
        // Written even for this node's own sender, so the entry leaves the
        // inbox.
        if let Some(s) = Settled::of(&outcome) {
            self.to_settle.push((id, s));
        }
        if let Some(f) = self.forwarded.remove(&id) {
            self.record(Some(f.key), &outcome);
            self.reply(Some(f.reply), outcome);
        }
    }

    /// Writes the outcomes decided since the last call, under the lease,
    /// in the background. One that is not written leaves its entry open:
    /// decided again on the next look, and answered from what was acked.
    /// A deposed writer writes nothing (the fence), and its keeper tells it.
    pub(super) fn write_settled(&mut self) {
        if self.to_settle.is_empty() {
            return;
        }
        let settled = std::mem::take(&mut self.to_settle);
        let Some(lease) = self.lease.clone() else {
            return;
        };
        let rows: Vec<(i64, String)> = settled
            .iter()
            .filter_map(|(id, s)| serde_json::to_string(s).ok().map(|j| (*id, j)))
            .collect();
        let (store, meeting) = (self.store.clone(), self.id.clone());
        tokio::spawn(async move {
            if let Err(e) = store.settle_inbox(&meeting, &rows, &lease).await {
                warn!(%meeting, error = %e, "outcomes not written");
            }
        });
    }

    pub(super) async fn on_lease(&mut self, news: LeaseNews) {
        match news {
            LeaseNews::Elected(lease) => {
                let takeover = lease.epoch > 1;
                // Whatever the last writer committed, before deciding anything.
                let known = self.catch_up(self.store.options().timeout).await;
                self.set_synced(known);
                info!(meeting = %self.id, epoch = lease.epoch, seq = self.meeting.seq, "taking over as writer");
                self.lease = Some(lease);
                Standing::Writer.store(&self.standing);
                m::writer(&self.id, true, takeover);
                // A countdown may have run out while nobody wrote.
                self.time_up_if_due();
                self.look();
            }
            LeaseNews::Deposed => self.step_down(),
        }
    }

    /// Stops writing: the lease is another node's.
    pub(super) fn step_down(&mut self) {
        if self.lease.take().is_some() {
            warn!(meeting = %self.id, "deposed: following the new writer");
            Standing::Follower.store(&self.standing);
            m::writer(&self.id, false, false);
            // What this node had decided but not settled is the new
            // writer's to decide.
            self.to_settle.clear();
        }
    }

    pub(super) fn on_ring(&mut self, ring: &Ring) {
        match ring {
            Ring::Events { seq, .. } if !self.is_writer() && *seq > self.meeting.seq => self.look(),
            Ring::Events { .. } => {}
            Ring::Inbox { .. } if self.is_writer() => self.look(),
            Ring::Outcome { .. } if !self.is_writer() && !self.forwarded.is_empty() => self.look(),
            Ring::Inbox { .. } | Ring::Outcome { .. } => {}
            Ring::Reconnected => self.look(),
        }
    }
}

/// The refusal, rendered in the meeting's languages, as it travels from a
/// writer to the node that forwarded the command.
pub(super) fn refusal(e: &CommandError, languages: &[plenary_core::i18n::Lang]) -> Refusal {
    let messages = e.messages(languages);
    let main = languages
        .first()
        .and_then(|l| messages.get(l))
        .map_or_else(|| e.to_string(), str::to_owned);
    Refusal {
        code: e.code().to_owned(),
        class: e.class(),
        message: e.to_string(),
        main,
        messages,
    }
}
