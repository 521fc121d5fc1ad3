//! One hub per meeting: a task that owns the meeting's state. Commands are
//! decided in arrival order, committed to the store in one transaction per
//! batch (group commit), and only then acknowledged and fanned out. The
//! hub also schedules the countdown thresholds and answers subscriptions
//! with a snapshot or the events a client missed.

mod cluster;
mod documents;
pub mod fanout;
pub mod presence;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use tracing::{debug, error, info, warn};

use plenary_core::floor::FloorSeen;
use plenary_core::ids::{MeetingId, ScreenId, SpeechId};
use plenary_core::interpretation;
use plenary_core::projections;
use plenary_core::rules::TimeUpPolicy;
use plenary_core::timer::Phase;
use plenary_core::{
    Command, CommandError, EVENT_VERSION, Event, Meeting, MeetingDefinition, Role, StoredEvent,
    Timestamp, decide_seen, stamp,
};
use plenary_protocol::views::{self, Audience, ViewKey};
use plenary_protocol::{Insight, ServerMessage};
use plenary_store::{Commit, Lease, Ring, Store, StoreError};

use cluster::{Forwarded, LeaseNews, Looked, Outbound, Settled};
pub use cluster::{LeaseTiming, Standing};
use documents::{Views, Wave};
pub use fanout::{Ended, Frame, SubscriberId, Subscription, encode};
use fanout::{PerAudience, Subscribers, encode_event};
use presence::Presence;
pub use presence::ScreenReport;

use crate::clock::Clock;
use crate::metrics as m;

/// Tuning of a hub, from the service configuration.
#[derive(Clone, Debug)]
pub struct HubConfig {
    /// What "now" is for decisions and countdowns.
    pub clock: Clock,
    pub snapshot_every: u64,
    pub resume_window: usize,
    pub outbound_queue: usize,
    pub max_batch: usize,
    /// This node's name in writer leases, unique per process. On a shared
    /// store (PostgreSQL) every meeting's writer holds a lease; on SQLite
    /// this node writes everything.
    pub node: Arc<str>,
    pub lease: LeaseTiming,
}

/// The answer to a command.
#[derive(Clone, Debug, PartialEq)]
pub enum CommandOutcome {
    /// Committed; the command's last event has `seq`.
    Acked {
        seq: u64,
    },
    Refused(Refusal),
    /// The store failed: nothing was applied.
    Unavailable,
    /// The store did not confirm the commit and could not be asked
    /// afterwards: the command may or may not be applied. Resending the
    /// same command id tells which, once the store answers.
    Unknown,
}

/// A refusal as every surface shows it: its code, kind and messages in the
/// meeting's languages. Rendered by the node that decided the command, so
/// it travels unchanged to the node its sender is on.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Refusal {
    pub code: String,
    pub class: plenary_core::ErrorClass,
    /// In English, for logs and REST.
    pub message: String,
    /// In the meeting's first language, for the websocket's `message`.
    pub main: String,
    pub messages: plenary_core::i18n::Texts,
}

/// What a new subscriber gets: the frames to send first (a snapshot or the
/// missed events, then an insight) and its live queue.
#[derive(Debug)]
pub struct Joined {
    pub seq: u64,
    pub catch_up: Vec<Frame>,
    pub subscription: Subscription,
}

/// What a subscriber follows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Feed {
    /// Snapshot, events and insight, as `audience` sees them.
    Events(Audience),
    /// The view document of one key, then patches.
    Views(ViewKey),
}

impl Feed {
    pub fn audience(&self) -> Audience {
        match self {
            Feed::Events(a) => *a,
            Feed::Views(key) => key.audience(),
        }
    }
}

/// Where a command's answer goes.
#[derive(Debug)]
enum Reply {
    /// To a caller waiting for it (REST, tests).
    Caller(oneshot::Sender<CommandOutcome>),
    /// As an `ack` or `error` frame into the issuing connection's own
    /// queue, after the command's events: one ordered stream per
    /// connection, so the answer can never overtake the events.
    Connection {
        subscriber: SubscriberId,
        command_id: String,
    },
    /// Into the store's command inbox, for the node that forwarded it.
    Inbox { id: i64 },
}

enum Request {
    Command {
        actor: Role,
        command_id: Option<String>,
        command: Command,
        /// The floor its sender saw, if it said.
        seen: Option<FloorSeen>,
        reply: Reply,
    },
    Subscribe {
        feed: Feed,
        code_id: Option<Arc<str>>,
        resume_from: Option<u64>,
        reply: oneshot::Sender<Joined>,
    },
    /// Access code `code_id` was revoked: end its connections.
    Revoked { code_id: String },
    View {
        audience: Audience,
        reply: oneshot::Sender<(Meeting, Insight)>,
    },
    /// A connection reports on its screen.
    Screen {
        screen: ScreenId,
        report: ScreenReport,
    },
    /// The lease keeper's news.
    Lease(LeaseNews),
    /// The store's doorbell rang for this meeting.
    Ring(Ring),
}

/// The way in to a hub. Cheap to clone.
#[derive(Clone, Debug)]
pub struct HubHandle {
    pub meeting: MeetingId,
    pub definition: Arc<MeetingDefinition>,
    tx: mpsc::Sender<Request>,
    /// False while the hub does not know what the store holds (a commit
    /// whose outcome it could not learn): readiness reads it.
    synced: Arc<AtomicBool>,
    /// Live subscriptions, as last counted by the hub.
    subscribers: Arc<AtomicUsize>,
    /// Writer or follower: [`Standing`].
    standing: Arc<AtomicU8>,
}

/// The hub has stopped (the service is shutting down).
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the meeting is shutting down")]
pub struct HubGone;

impl HubHandle {
    pub async fn command(
        &self,
        actor: Role,
        command_id: Option<String>,
        command: Command,
        seen: Option<FloorSeen>,
    ) -> Result<CommandOutcome, HubGone> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Request::Command {
                actor,
                command_id,
                command,
                seen,
                reply: Reply::Caller(reply),
            })
            .await
            .map_err(|_| HubGone)?;
        rx.await.map_err(|_| HubGone)
    }

    /// Sends a command from a connection: its answer comes as a frame in
    /// that connection's queue, after the command's events.
    pub async fn submit(
        &self,
        actor: Role,
        subscriber: SubscriberId,
        command_id: String,
        command: Command,
        seen: Option<FloorSeen>,
    ) -> Result<(), HubGone> {
        self.tx
            .send(Request::Command {
                actor,
                command_id: Some(command_id.clone()),
                command,
                seen,
                reply: Reply::Connection {
                    subscriber,
                    command_id,
                },
            })
            .await
            .map_err(|_| HubGone)
    }

    /// Whether the hub's state is the store's: false after a commit whose
    /// outcome could not be learnt, until the store answers again.
    pub fn is_synced(&self) -> bool {
        self.synced.load(Ordering::Acquire)
    }

    /// Whether this node writes the meeting now, or follows a writer.
    pub fn standing(&self) -> Standing {
        Standing::load(&self.standing)
    }

    /// The doorbell rang for this meeting. Dropped when the hub is busy:
    /// it polls anyway.
    pub fn ring(&self, ring: Ring) {
        let _busy = self.tx.try_send(Request::Ring(ring));
    }

    /// How many connections follow the meeting, as the hub last counted
    /// (closed ones are forgotten within a second).
    pub fn subscriber_count(&self) -> usize {
        self.subscribers.load(Ordering::Acquire)
    }

    /// Ends the connections opened with access code `code_id` (1008).
    pub async fn revoked(&self, code_id: &str) {
        // Advisory like presence: a hub that is gone has no connections.
        let _ignored = self
            .tx
            .send(Request::Revoked {
                code_id: code_id.to_owned(),
            })
            .await;
    }

    pub async fn subscribe(
        &self,
        feed: Feed,
        code_id: Option<Arc<str>>,
        resume_from: Option<u64>,
    ) -> Result<Joined, HubGone> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Request::Subscribe {
                feed,
                code_id,
                resume_from,
                reply,
            })
            .await
            .map_err(|_| HubGone)?;
        rx.await.map_err(|_| HubGone)
    }

    /// The state as `audience` sees it, with its derived views.
    pub async fn view(&self, audience: Audience) -> Result<(Meeting, Insight), HubGone> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Request::View { audience, reply })
            .await
            .map_err(|_| HubGone)?;
        rx.await.map_err(|_| HubGone)
    }

    /// Reports on a room screen's connection, for presence.
    pub async fn screen(&self, screen: ScreenId, report: ScreenReport) {
        // Presence is advisory: if the hub is gone, nobody listens anyway.
        let _ignored = self.tx.send(Request::Screen { screen, report }).await;
    }
}

/// Why a hub could not start.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("meeting {meeting}: the stored log cannot be replayed: {reason}")]
    Corrupt { meeting: MeetingId, reason: String },
}

/// Loads a meeting from the store: the latest snapshot, then the events
/// after it.
pub async fn load(store: &Store, meeting: &MeetingId) -> Result<Option<Meeting>, HubError> {
    let corrupt = |reason: String| HubError::Corrupt {
        meeting: meeting.clone(),
        reason,
    };
    let snapshot = store.latest_snapshot(meeting).await?;
    let (mut state, after) = match snapshot {
        Some((seq, json)) => match serde_json::from_str::<Meeting>(&json) {
            Ok(m) => (Some(m), seq),
            Err(e) => {
                // A snapshot from an older build: replay from the start.
                warn!(%meeting, error = %e, "ignoring an unreadable snapshot");
                (None, 0)
            }
        },
        None => (None, 0),
    };
    let events = store.load_events(meeting, after).await?;
    if state.is_none() {
        if events.is_empty() {
            return Ok(None);
        }
        return Meeting::replay(&events)
            .map(Some)
            .map_err(|e| corrupt(e.to_string()));
    }
    if let Some(m) = state.as_mut() {
        for e in &events {
            if e.seq != m.seq + 1 {
                return Err(corrupt(format!("event {} follows {}", e.seq, m.seq)));
            }
            m.apply(e);
        }
    }
    Ok(state)
}

/// Starts the hub of a meeting: continues it from the store, or creates it
/// from `definition` when the store has never seen it.
pub async fn start(
    store: Store,
    definition: Option<MeetingDefinition>,
    meeting_id: MeetingId,
    config: HubConfig,
    shutdown: CancellationToken,
    tracker: &tokio_util::task::TaskTracker,
) -> Result<HubHandle, HubError> {
    let meeting = match load(&store, &meeting_id).await? {
        Some(m) => m,
        None => {
            let Some(definition) = definition else {
                return Err(HubError::Corrupt {
                    meeting: meeting_id,
                    reason: "no events and no definition".to_owned(),
                });
            };
            let created = StoredEvent {
                seq: 1,
                at: config.clock.now(),
                actor: Role::System,
                v: EVENT_VERSION,
                event: Meeting::created(definition.clone()),
            };
            let creation = store
                .append(&[Commit::new(
                    meeting_id.clone(),
                    None,
                    0,
                    vec![created.clone()],
                )])
                .await;
            match creation {
                Ok(()) => {
                    info!(meeting = %meeting_id, "meeting created");
                    Meeting::replay(std::iter::once(&created)).map_err(|e| HubError::Corrupt {
                        meeting: meeting_id.clone(),
                        reason: e.to_string(),
                    })?
                }
                // Another node created it at the same moment: continue theirs.
                Err(StoreError::Conflict { .. }) => {
                    load(&store, &meeting_id)
                        .await?
                        .ok_or_else(|| HubError::Corrupt {
                            meeting: meeting_id.clone(),
                            reason: "created elsewhere, yet not readable".to_owned(),
                        })?
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
    let (tx, rx) = mpsc::channel(4096);
    let synced = Arc::new(AtomicBool::new(true));
    let subscriber_count = Arc::new(AtomicUsize::new(0));
    // On a shared store the keeper elects this node or not; alone, it
    // writes everything.
    let (lease, initial) = if store.is_shared() {
        (None, Standing::NoWriter)
    } else {
        let lease = Lease {
            meeting: meeting_id.clone(),
            epoch: 1,
            holder: config.node.to_string(),
        };
        (Some(lease), Standing::Writer)
    };
    let standing = Arc::new(AtomicU8::new(initial as u8));
    let handle = HubHandle {
        meeting: meeting_id.clone(),
        definition: Arc::clone(&meeting.definition),
        tx,
        synced: Arc::clone(&synced),
        subscribers: Arc::clone(&subscriber_count),
        standing: Arc::clone(&standing),
    };
    m::writer(&meeting_id, lease.is_some(), false);
    if store.is_shared() {
        tracker.spawn(cluster::keep_lease(
            store.clone(),
            meeting_id.clone(),
            Arc::clone(&config.node),
            config.lease,
            handle.tx.clone(),
            Arc::clone(&standing),
            shutdown.clone(),
        ));
    }
    let seen = store
        .screens_seen(&meeting_id)
        .await?
        .into_iter()
        .map(|(screen, at)| (ScreenId::new(screen), at));
    let presence = Presence::new(seen);
    // Every command id ever acked, so that a retry is answered from memory
    // and deciding never waits for the store.
    let acked: BTreeMap<String, u64> = store
        .command_results_after(&meeting_id, 0)
        .await?
        .into_iter()
        .map(|(id, r)| (id, r.last_seq))
        .collect();
    // Clients resuming after a restart get the events they missed, not a
    // snapshot: the last events come back into the resume window.
    let window_start = meeting.seq.saturating_sub(config.resume_window as u64);
    let recent: VecDeque<StoredEvent> = store
        .load_events(&meeting_id, window_start)
        .await?
        .into_iter()
        .filter(|e| !matches!(e.event, Event::MeetingCreated { .. }))
        .collect();
    let views = Views::new(config.resume_window.min(VIEW_WINDOW));
    let hub = Hub {
        id: meeting_id,
        last_snapshot_seq: meeting.seq,
        meeting,
        store,
        config,
        recent,
        subscribers: Subscribers::default(),
        acked,
        refused: BTreeMap::new(),
        refused_order: VecDeque::new(),
        batch_keys: BTreeSet::new(),
        before_batch: None,
        views,
        snapshots: Default::default(),
        deadline: None,
        announced: None,
        synced,
        subscriber_count,
        reconciling: None,
        presence,
        presence_due: None,
        lease,
        standing,
        forwarded: BTreeMap::new(),
        to_settle: Vec::new(),
        looking: None,
        look_again: false,
    };
    tracker.spawn(hub.run(rx, shutdown));
    Ok(handle)
}

/// A command decided in this batch, waiting for the commit.
struct Pending {
    reply: Option<Reply>,
    key: Option<String>,
    outcome: PendingOutcome,
}

enum PendingOutcome {
    Refused(CommandError),
    /// Accepted: these events (already applied in memory), acked at `seq`.
    Accepted {
        events: Vec<StoredEvent>,
        seq: u64,
        command_id: Option<String>,
    },
    /// The same key as an earlier command of this batch: answered like it.
    SameAs(String),
    /// A retry of a committed command, answered already.
    Answered,
}

/// Refused command ids remembered per meeting, so a retry is refused the
/// same way (acked ids are all kept: they are bounded by the log).
const REFUSALS_KEPT: usize = 10_000;
/// How often a hub that lost track of the store asks it again.
const RECONCILE_EVERY: Duration = Duration::from_millis(500);
/// How long a failed commit waits for the store to say what it holds
/// before answering `outcome_unknown`.
const IMMEDIATE_RECONCILE: Duration = Duration::from_secs(1);
/// The most patches kept per view document for resuming clients.
const VIEW_WINDOW: usize = 256;
/// How often closed connections are forgotten.
const PRUNE_EVERY: Duration = Duration::from_secs(1);

struct Hub {
    id: MeetingId,
    meeting: Meeting,
    store: Store,
    config: HubConfig,
    /// The last events, for clients resuming.
    recent: VecDeque<StoredEvent>,
    subscribers: Subscribers,
    /// The last seq of every acked command, by `role/command_id`.
    acked: BTreeMap<String, u64>,
    /// Recent refusals by `role/command_id`, oldest first in `refused_order`.
    refused: BTreeMap<String, Refusal>,
    refused_order: VecDeque<String>,
    /// Keys of the commands in the batch being decided.
    batch_keys: BTreeSet<String>,
    /// The state before the batch being decided applied anything.
    before_batch: Option<Meeting>,
    last_snapshot_seq: u64,
    /// The view documents followed, with their recent patches.
    views: Views,
    /// The last snapshot frame per audience, with its seq.
    snapshots: [Option<(u64, Frame)>; 6],
    /// The next countdown threshold: when (on the hub's clock), for which
    /// speech, which phase.
    deadline: Option<(Timestamp, Wake)>,
    /// The last phase announced to clients, for the speech on the floor:
    /// a jump over thresholds (a large negative extension) is announced too.
    announced: Option<(SpeechId, Phase)>,
    /// Shared with the handles: false while the state may differ from the
    /// store (see [`HubHandle::is_synced`]).
    synced: Arc<AtomicBool>,
    /// Shared with the handles: [`HubHandle::subscriber_count`].
    subscriber_count: Arc<AtomicUsize>,
    /// A read of the store under way while out of step with it.
    reconciling: Option<oneshot::Receiver<Result<Loaded, StoreError>>>,
    /// The room screens' connections.
    presence: Presence,
    /// When the next coalesced `presence` frame goes out, if one is due.
    presence_due: Option<tokio::time::Instant>,
    /// The lease this node writes the meeting under; `None` on a follower.
    lease: Option<Lease>,
    /// Shared with the handles: [`HubHandle::standing`].
    standing: Arc<AtomicU8>,
    /// Commands this follower forwarded, by inbox id.
    forwarded: BTreeMap<i64, Forwarded>,
    /// Outcomes of forwarded commands decided by this writer, to write.
    to_settle: Vec<(i64, Settled)>,
    /// A look at the store under way in the background (cluster).
    looking: Option<oneshot::Receiver<Looked>>,
    /// Another look was asked for while one ran.
    look_again: bool,
}

/// Who gets `presence` frames: the audiences of the roles with
/// [`Capability::SeePresence`](plenary_core::roles::Capability) — the chair
/// and secretariat, and the technician (checked by a test).
const PRESENCE_AUDIENCES: [Audience; 2] = [Audience::Presiding, Audience::Technician];

/// What the store holds after `after`.
struct Loaded {
    after: u64,
    events: Vec<StoredEvent>,
    results: Vec<(String, plenary_store::CommandResult)>,
}

async fn load_after(store: Store, meeting: MeetingId, after: u64) -> Result<Loaded, StoreError> {
    let events = store.load_events(&meeting, after).await?;
    let results = store.command_results_after(&meeting, after).await?;
    Ok(Loaded {
        after,
        events,
        results,
    })
}

/// What `ask` of the store answers within `wait`; `None`, logged, when it
/// fails or does not answer in time.
async fn within<T>(
    meeting: &MeetingId,
    wait: Duration,
    what: &str,
    ask: impl Future<Output = Result<T, StoreError>>,
) -> Option<T> {
    match tokio::time::timeout(wait, ask).await {
        Ok(Ok(answer)) => Some(answer),
        Ok(Err(e)) => {
            warn!(meeting = %meeting, error = %e, "cannot {what}");
            None
        }
        Err(_) => {
            warn!(meeting = %meeting, "the store did not answer in time: cannot {what}");
            None
        }
    }
}

impl Hub {
    async fn run(mut self, mut rx: mpsc::Receiver<Request>, shutdown: CancellationToken) {
        self.schedule();
        let mut prune = tokio::time::interval(PRUNE_EVERY);
        prune.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut reconcile = tokio::time::interval(RECONCILE_EVERY);
        reconcile.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut poll = tokio::time::interval(cluster::POLL_EVERY);
        poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let shared = self.store.is_shared();
        loop {
            let sleep_until = self.deadline.map(|(at, ..)| at);
            let clock = self.config.clock.clone();
            let unsynced = !self.is_synced();
            let first = tokio::select! {
                biased;
                () = shutdown.cancelled() => break,
                () = async { if let Some(at) = sleep_until { clock.sleep_until(at).await } }, if sleep_until.is_some() => {
                    self.on_threshold().await;
                    continue;
                }
                _ = reconcile.tick(), if unsynced => {
                    self.start_reconcile();
                    continue;
                }
                loaded = async {
                    match self.reconciling.as_mut() {
                        Some(rx) => rx.await.unwrap_or(Err(StoreError::Timeout { after: Duration::ZERO })),
                        None => std::future::pending().await,
                    }
                }, if self.reconciling.is_some() => {
                    self.reconciled(loaded).await;
                    continue;
                }
                () = async {
                    if let Some(at) = self.presence_due { tokio::time::sleep_until(at).await }
                }, if self.presence_due.is_some() => {
                    self.presence_due = None;
                    self.publish_presence();
                    continue;
                }
                _ = prune.tick() => {
                    self.subscribers.prune();
                    self.count_subscribers();
                    continue;
                }
                _ = poll.tick(), if shared => {
                    self.look();
                    continue;
                }
                looked = async {
                    match self.looking.as_mut() {
                        Some(rx) => rx.await.ok(),
                        None => std::future::pending().await,
                    }
                }, if self.looking.is_some() => {
                    match looked {
                        Some(looked) => self.looked(looked).await,
                        None => self.looking = None,
                    }
                    continue;
                }
                request = rx.recv() => match request {
                    Some(r) => r,
                    None => break,
                },
            };
            let mut batch = vec![first];
            while batch.len() < self.config.max_batch {
                match rx.try_recv() {
                    Ok(r) => batch.push(r),
                    Err(_) => break,
                }
            }
            self.handle(batch).await;
        }
        if self.is_writer() {
            self.save_snapshot().await;
        }
        info!(meeting = %self.id, seq = self.meeting.seq, "hub stopped");
    }

    fn is_synced(&self) -> bool {
        self.synced.load(Ordering::Acquire)
    }

    fn count_subscribers(&self) {
        let count = self.subscribers.len();
        self.subscriber_count.store(count, Ordering::Release);
        m::subscribers(&self.id, count);
    }

    fn set_synced(&self, synced: bool) {
        if self.synced.swap(synced, Ordering::AcqRel) != synced {
            if synced {
                info!(meeting = %self.id, seq = self.meeting.seq, "back in step with the store");
            } else {
                warn!(meeting = %self.id, "out of step with the store: commands refused until it answers");
            }
        }
    }

    async fn handle(&mut self, batch: Vec<Request>) {
        // Out of step with the store, commands are refused at once (the
        // background reconciliation brings the hub back): deciding against
        // a state the store may not hold would fork the log.
        let mut pending: Vec<Pending> = Vec::new();
        let mut outbound: Vec<Outbound> = Vec::new();
        for request in batch {
            match request {
                Request::Command {
                    actor,
                    command_id,
                    command,
                    seen,
                    reply,
                } => {
                    if !self.is_synced() {
                        self.reply(Some(reply), CommandOutcome::Unavailable);
                        continue;
                    }
                    if !self.is_writer() {
                        // Every forwarded command has an id: idempotency
                        // across nodes and takeovers hangs on it.
                        let command_id =
                            command_id.unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
                        outbound.push(Outbound {
                            actor,
                            command_id,
                            command,
                            seen,
                            reply,
                        });
                        continue;
                    }
                    let p = self.decide(
                        &actor,
                        command_id.as_deref(),
                        (&command, seen.as_ref()),
                        self.config.clock.now(),
                        Some(reply),
                    );
                    pending.push(p);
                }
                Request::Lease(news) => {
                    self.commit(std::mem::take(&mut pending)).await;
                    self.on_lease(news).await;
                }
                Request::Ring(ring) => self.on_ring(&ring),
                other => {
                    // Reads see only committed state.
                    self.commit(std::mem::take(&mut pending)).await;
                    self.serve(other);
                }
            }
        }
        self.commit(pending).await;
        self.forward(outbound).await;
    }

    /// Decides one command against the in-memory state (which includes the
    /// batch's earlier commands) and applies its events there.
    fn decide(
        &mut self,
        actor: &Role,
        command_id: Option<&str>,
        (command, seen): (&Command, Option<&FloorSeen>),
        now: Timestamp,
        reply: Option<Reply>,
    ) -> Pending {
        let key = command_id.as_ref().map(|id| format!("{actor}/{id}"));
        if let Some(k) = &key {
            if !self.batch_keys.insert(k.clone()) {
                return Pending {
                    reply,
                    key: None,
                    outcome: PendingOutcome::SameAs(k.clone()),
                };
            }
            if let Some(seq) = self.acked.get(k) {
                let seq = *seq;
                return self.answered(reply, CommandOutcome::Acked { seq });
            }
            if let Some(e) = self.refused.get(k) {
                let e = e.clone();
                return self.answered(reply, CommandOutcome::Refused(e));
            }
        }
        match decide_seen(&self.meeting, actor, command, seen, now) {
            Err(e) => Pending {
                reply,
                key,
                outcome: PendingOutcome::Refused(e),
            },
            Ok(events) => {
                let stored = stamp(self.meeting.seq, now, actor, events);
                // Kept until the batch is durable, to fall back to if it is not.
                if self.before_batch.is_none() {
                    self.before_batch = Some(self.meeting.clone());
                }
                for e in &stored {
                    self.meeting.apply(e);
                }
                let seq = self.meeting.seq;
                Pending {
                    reply,
                    key: key.clone(),
                    outcome: PendingOutcome::Accepted {
                        events: stored,
                        seq,
                        command_id: key,
                    },
                }
            }
        }
    }

    /// A retry of a committed or refused command: answered at once, like
    /// the first time.
    fn answered(&mut self, reply: Option<Reply>, answer: CommandOutcome) -> Pending {
        self.reply(reply, answer);
        Pending {
            reply: None,
            key: None,
            outcome: PendingOutcome::Answered,
        }
    }

    /// Delivers a command's answer where its sender waits for it.
    fn reply(&mut self, reply: Option<Reply>, outcome: CommandOutcome) {
        match reply {
            None => {}
            Some(Reply::Caller(tx)) => {
                let _gone = tx.send(outcome);
            }
            Some(Reply::Connection {
                subscriber,
                command_id,
            }) => {
                let message = answer(command_id, outcome);
                self.subscribers.send_one(subscriber, encode(&message));
            }
            // A deposed writer answers nothing: the entry is the new
            // writer's to decide.
            Some(Reply::Inbox { id }) if self.is_writer() => self.settle(id, outcome),
            Some(Reply::Inbox { .. }) => {}
        }
    }

    /// A refusal rendered in the meeting's languages.
    fn refusal(&self, e: &CommandError) -> Refusal {
        cluster::refusal(e, &self.meeting.definition.languages)
    }

    fn remember_refusal(&mut self, key: String, e: Refusal) {
        if self.refused.insert(key.clone(), e).is_none() {
            self.refused_order.push_back(key);
            while self.refused_order.len() > REFUSALS_KEPT {
                if let Some(old) = self.refused_order.pop_front() {
                    self.refused.remove(&old);
                }
            }
        }
    }

    /// Makes the batch durable, then acks, remembers and fans out; then
    /// writes the outcomes of forwarded commands.
    async fn commit(&mut self, pending: Vec<Pending>) {
        self.commit_batch(pending).await;
        self.write_settled();
    }

    async fn commit_batch(&mut self, pending: Vec<Pending>) {
        self.batch_keys.clear();
        let before_batch = self.before_batch.take();
        if pending.is_empty() {
            return;
        }
        let seq_before = before_batch.as_ref().map_or(self.meeting.seq, |m| m.seq);
        let mut commits = Vec::new();
        let mut cursor = seq_before;
        for p in &pending {
            if let PendingOutcome::Accepted {
                events, command_id, ..
            } = &p.outcome
            {
                commits.push(Commit::new(
                    self.id.clone(),
                    command_id.clone(),
                    cursor,
                    events.clone(),
                ));
                cursor += events.len() as u64;
            }
        }
        if !commits.is_empty() {
            let started = Instant::now();
            let appended = match &self.lease {
                Some(lease) => self.store.append_fenced(&commits, lease).await,
                None => Err(StoreError::Deposed {
                    meeting: self.id.clone(),
                    epoch: 0,
                    current: 0,
                }),
            };
            if let Err(e) = appended {
                // Forget what this batch applied in memory.
                if let Some(before) = before_batch {
                    self.meeting = before;
                }
                if let StoreError::Deposed { .. } = e {
                    // Nothing of it was written, and never will be by this
                    // node: its commands are answered store_unavailable,
                    // forwarded ones left to the new writer.
                    error!(meeting = %self.id, error = %e, "commit refused: this node is no longer the writer");
                    self.step_down();
                    for p in pending {
                        self.reply(p.reply, CommandOutcome::Unavailable);
                    }
                    let known = self.catch_up(self.store.options().timeout).await;
                    self.set_synced(known);
                    self.after_commit().await;
                    return;
                }
                if e.nothing_written() {
                    error!(meeting = %self.id, error = %e, "commit refused: nothing of this batch was applied");
                    for p in pending {
                        self.reply(p.reply, CommandOutcome::Unavailable);
                    }
                } else {
                    // The commit may have happened with its answer lost:
                    // the store says whether the batch is durable.
                    error!(meeting = %self.id, error = %e, "commit outcome unknown; asking the store");
                    self.resolve_failed(pending).await;
                }
                self.after_commit().await;
                return;
            }
            m::commit(
                started.elapsed(),
                commits.iter().map(|c| c.events.len() as u64).sum(),
            );
        }
        // Durable: fan out first, then answer, so a client sees its
        // command's events before the ack.
        let events: Vec<StoredEvent> = pending
            .iter()
            .filter_map(|p| match &p.outcome {
                PendingOutcome::Accepted { events, .. } => Some(events),
                _ => None,
            })
            .flatten()
            .cloned()
            .collect();
        self.publish(&events);
        for p in pending {
            let answer = match p.outcome {
                PendingOutcome::Refused(e) => CommandOutcome::Refused(self.refusal(&e)),
                PendingOutcome::Accepted { seq, .. } => CommandOutcome::Acked { seq },
                PendingOutcome::SameAs(k) => self.answer_for(&k),
                PendingOutcome::Answered => continue,
            };
            self.record(p.key, &answer);
            self.reply(p.reply, answer);
        }
        self.after_commit().await;
    }

    /// What a command with key `k`, committed or refused in this batch, was
    /// answered.
    fn answer_for(&self, k: &str) -> CommandOutcome {
        if let Some(seq) = self.acked.get(k) {
            CommandOutcome::Acked { seq: *seq }
        } else if let Some(e) = self.refused.get(k) {
            CommandOutcome::Refused(e.clone())
        } else {
            CommandOutcome::Unavailable
        }
    }

    fn record(&mut self, key: Option<String>, answer: &CommandOutcome) {
        let Some(k) = key else { return };
        match answer {
            CommandOutcome::Acked { seq } => {
                self.acked.insert(k, *seq);
            }
            CommandOutcome::Refused(e) => self.remember_refusal(k, e.clone()),
            CommandOutcome::Unavailable | CommandOutcome::Unknown => {}
        }
    }

    /// A commit failed: learn from the store whether the batch is durable,
    /// then answer every command of it with the truth.
    async fn resolve_failed(&mut self, pending: Vec<Pending>) {
        // Asked at once: after a cut connection the store usually answers
        // a fresh one. A store that does not is asked again in the background.
        // The log is read only once the lost commit has ended in the
        // database: read before, it could say "not there" of a commit that
        // lands a moment later, and the chair would be told nothing was
        // applied of a command that was.
        let settled = within(
            &self.id,
            IMMEDIATE_RECONCILE,
            "learn whether the failed commit has ended",
            self.store.await_writes(&self.id),
        )
        .await;
        let known = settled.is_some() && self.catch_up(IMMEDIATE_RECONCILE).await;
        self.set_synced(known);
        // A batch is one transaction: all of it is durable, or none.
        let durable = known
            && pending.iter().all(|p| match (&p.outcome, &p.key) {
                (PendingOutcome::Accepted { .. }, Some(k)) => self.acked.contains_key(k),
                (PendingOutcome::Accepted { seq, .. }, None) => self.meeting.seq >= *seq,
                _ => true,
            });
        if durable {
            info!(meeting = %self.id, seq = self.meeting.seq, "the failed commit was durable after all: acked");
        }
        for p in pending {
            let answer = match (p.outcome, known, durable) {
                (_, false, _) => CommandOutcome::Unknown,
                (PendingOutcome::Accepted { seq, .. }, true, true) => CommandOutcome::Acked { seq },
                (PendingOutcome::Refused(e), true, true) => {
                    CommandOutcome::Refused(self.refusal(&e))
                }
                (PendingOutcome::SameAs(k), true, true) => self.answer_for(&k),
                (PendingOutcome::Answered, ..) => continue,
                (_, true, false) => CommandOutcome::Unavailable,
            };
            self.record(p.key, &answer);
            self.reply(p.reply, answer);
        }
    }

    /// Reads what the store holds beyond the state in memory, applies it,
    /// learns its command results and fans it out. False when the store
    /// cannot be read within `wait`.
    async fn catch_up(&mut self, wait: Duration) -> bool {
        let read = load_after(self.store.clone(), self.id.clone(), self.meeting.seq);
        match within(&self.id, wait, "read the store", read).await {
            Some(loaded) => self.apply_loaded(loaded),
            None => false,
        }
    }

    /// Applies what the store holds after the state in memory. False when
    /// it does not follow on (read against an older state, or a gap).
    fn apply_loaded(&mut self, loaded: Loaded) -> bool {
        if loaded.after != self.meeting.seq {
            return false;
        }
        for e in &loaded.events {
            if e.seq != self.meeting.seq + 1 {
                error!(meeting = %self.id, seq = e.seq, after = self.meeting.seq, "the stored log has a gap");
                return false;
            }
            self.meeting.apply(e);
        }
        for (id, r) in loaded.results {
            self.acked.insert(id, r.last_seq);
        }
        if !loaded.events.is_empty() {
            info!(meeting = %self.id, events = loaded.events.len(), seq = self.meeting.seq, "caught up with the store");
            self.publish(&loaded.events);
        }
        true
    }

    /// While out of step with the store: ask it again, in the background,
    /// so that the hub goes on answering (commands with
    /// `store_unavailable`, new connections with what it knows) instead of
    /// waiting for a database that does not answer.
    fn start_reconcile(&mut self) {
        if self.reconciling.is_some() {
            return;
        }
        let (tx, rx) = oneshot::channel();
        let read = load_after(self.store.clone(), self.id.clone(), self.meeting.seq);
        tokio::spawn(async move {
            let _gone = tx.send(read.await);
        });
        self.reconciling = Some(rx);
    }

    async fn reconciled(&mut self, loaded: Result<Loaded, StoreError>) {
        self.reconciling = None;
        let known = match loaded {
            Ok(loaded) => self.apply_loaded(loaded),
            Err(e) => {
                debug!(meeting = %self.id, error = %e, "the store still cannot be read");
                false
            }
        };
        self.set_synced(known);
        if known {
            self.after_commit().await;
        }
    }

    /// Fans committed events out (with a fresh insight) and keeps them for
    /// clients resuming.
    fn publish(&mut self, events: &[StoredEvent]) {
        if events.is_empty() {
            return;
        }
        let fanout_started = Instant::now();
        // The insight goes to the event stream only: derived on first use,
        // so a hall of view followers never pays for it.
        let (meeting, now) = (&self.meeting, self.config.clock.now());
        let insight = OnceLock::new();
        let mut messages: Vec<PerAudience<'_>> = events
            .iter()
            .map(|e| PerAudience::new(move |a| encode_event(e, a)))
            .collect();
        messages.push(PerAudience::new(|_| {
            insight
                .get_or_init(|| encode(&ServerMessage::Insight(Box::new(insight_of(meeting, now)))))
                .clone()
        }));
        let mut delivery = self.subscribers.send_events(&mut messages);
        drop(messages);
        let followers = self.subscribers.views_followers(self.views.len());
        for wave in [Wave::Shared, Wave::Own] {
            let patches = self.views.refresh(&self.meeting, &followers, wave);
            let views = self.subscribers.send_views(&patches);
            delivery.delivered += views.delivered;
            delivery.dropped += views.dropped;
        }
        m::fanout(
            fanout_started.elapsed(),
            delivery.delivered,
            delivery.dropped,
        );
        self.recent.extend(events.iter().cloned());
        while self.recent.len() > self.config.resume_window {
            self.recent.pop_front();
        }
    }

    /// After every commit, failed or not: snapshot now and then, announce
    /// a phase the countdown jumped to, schedule the next threshold.
    async fn after_commit(&mut self) {
        if self.is_writer()
            && self.meeting.seq >= self.last_snapshot_seq + self.config.snapshot_every
        {
            self.save_snapshot().await;
        }
        self.schedule();
        self.announce_phase();
    }

    /// Sends a `phase` frame when the countdown on the floor is in another
    /// phase than the one last announced — also when a command made it
    /// jump over thresholds — and, under `end_speech`, ends a speech that
    /// such a jump put in overtime.
    fn announce_phase(&mut self) {
        let now = self.config.clock.now();
        let Some(current) = self.meeting.floor.current.as_ref() else {
            self.announced = None;
            return;
        };
        let (speech, phase) = (current.id, current.timer.phase(now));
        // A new speech starts in the phase its events say; the clock may
        // have passed a threshold since it was committed.
        let last = self
            .announced
            .filter(|(s, _)| *s == speech)
            .map_or_else(|| current.timer.phase(current.started_at), |(_, p)| p);
        self.announced = Some((speech, phase));
        if last == phase {
            return;
        }
        let frame = encode(&ServerMessage::Phase {
            speech,
            phase,
            at: now,
        });
        let mut message = [PerAudience::new(move |_| frame.clone())];
        self.subscribers.send_all(&mut message);
        let ends_speeches = self.meeting.definition.rules.on_time_up == TimeUpPolicy::EndSpeech;
        if phase == Phase::Overtime && ends_speeches && current.timer.is_running() {
            // Time is up now, not at a threshold to come.
            self.deadline = Some((now, Wake::TimeUp));
        }
    }

    /// A new writer: if the speaker on the floor ran out of time under
    /// `end_speech` while no node was writing, time is up now.
    fn time_up_if_due(&mut self) {
        let now = self.config.clock.now();
        let ends_speeches = self.meeting.definition.rules.on_time_up == TimeUpPolicy::EndSpeech;
        if let Some(current) = self.meeting.floor.current.as_ref()
            && ends_speeches
            && current.timer.is_running()
            && current.timer.phase(now) == Phase::Overtime
        {
            self.deadline = Some((now, Wake::TimeUp));
        }
    }

    async fn save_snapshot(&mut self) {
        if self.meeting.seq == self.last_snapshot_seq {
            return;
        }
        let json = match serde_json::to_string(&self.meeting) {
            Ok(j) => j,
            Err(e) => return error!(meeting = %self.id, error = %e, "cannot serialise a snapshot"),
        };
        match self
            .store
            .save_snapshot(&self.id, self.meeting.seq, &json)
            .await
        {
            Ok(()) => self.last_snapshot_seq = self.meeting.seq,
            Err(e) => warn!(meeting = %self.id, error = %e, "snapshot not saved"),
        }
    }

    fn presence_frame(&self) -> Frame {
        let known = self.meeting.definition.screens.iter().map(|s| s.id.clone());
        encode(&ServerMessage::Presence {
            screens: self.presence.screens(known),
        })
    }

    fn publish_presence(&mut self) {
        let frame = self.presence_frame();
        let mut message = [PerAudience::new(move |_| frame.clone())];
        self.subscribers.send_to(&PRESENCE_AUDIENCES, &mut message);
    }

    fn insight(&self, now: Timestamp) -> Insight {
        insight_of(&self.meeting, now)
    }

    fn snapshot_frame(&mut self, audience: Audience) -> Frame {
        let seq = self.meeting.seq;
        if let Some((s, frame)) = &self.snapshots[audience.index()]
            && *s == seq
        {
            return frame.clone();
        }
        let state = views::redact(&self.meeting, audience);
        let frame = encode(&ServerMessage::Snapshot {
            seq,
            state: Box::new(state),
        });
        self.snapshots[audience.index()] = Some((seq, frame.clone()));
        frame
    }

    /// The event stream's first frames: the events after `resume_from`
    /// when still kept, else a snapshot; then an insight.
    fn events_catch_up(&mut self, audience: Audience, resume_from: Option<u64>) -> Vec<Frame> {
        let seq = self.meeting.seq;
        let oldest = self.recent.front().map_or(seq + 1, |e| e.seq);
        let mut catch_up = Vec::new();
        match resume_from {
            Some(n) if n == seq => {}
            Some(n) if n < seq && n + 1 >= oldest => {
                catch_up.extend(
                    self.recent
                        .iter()
                        .filter(|e| e.seq > n)
                        .map(|e| encode_event(e, audience)),
                );
            }
            _ => catch_up.push(self.snapshot_frame(audience)),
        }
        catch_up.push(encode(&ServerMessage::Insight(Box::new(
            self.insight(self.config.clock.now()),
        ))));
        catch_up
    }

    fn serve(&mut self, request: Request) {
        match request {
            Request::Command { .. } | Request::Lease(_) | Request::Ring(_) => {}
            Request::Revoked { code_id } => {
                let ended = self.subscribers.end_code(&code_id);
                if ended > 0 {
                    info!(meeting = %self.id, code = %code_id, connections = ended, "revoked code: connections ended");
                    self.count_subscribers();
                }
            }
            Request::Subscribe {
                feed,
                code_id,
                resume_from,
                reply,
            } => {
                let seq = self.meeting.seq;
                let audience = feed.audience();
                let (mut catch_up, view) = match &feed {
                    Feed::Events(_) => (self.events_catch_up(audience, resume_from), None),
                    Feed::Views(key) => {
                        let slot = self.views.slot(key);
                        (
                            self.views.join(slot, &self.meeting, resume_from),
                            Some(slot),
                        )
                    }
                };
                if PRESENCE_AUDIENCES.contains(&audience) {
                    catch_up.push(self.presence_frame());
                }
                let subscription =
                    self.subscribers
                        .add(audience, view, code_id, self.config.outbound_queue);
                self.count_subscribers();
                let _gone = reply.send(Joined {
                    seq,
                    catch_up,
                    subscription,
                });
            }
            Request::View { audience, reply } => {
                let view = views::redact(&self.meeting, audience);
                let _gone = reply.send((view, self.insight(self.config.clock.now())));
            }
            Request::Screen { screen, report } => {
                let at = self.config.clock.now();
                if report == ScreenReport::Disconnected {
                    // Remembered across restarts, written in the background.
                    let store = self.store.clone();
                    let (meeting, id) = (self.id.clone(), screen.clone());
                    tokio::spawn(async move {
                        if let Err(e) = store.touch_screen(&meeting, id.as_str(), at).await {
                            debug!(error = %e, "screen last-seen not stored");
                        }
                    });
                }
                self.presence.report(screen, report, at);
                self.presence_due
                    .get_or_insert_with(|| tokio::time::Instant::now() + presence::COALESCE);
            }
        }
    }

    /// Schedules the next countdown threshold of whoever has the floor, or
    /// a refresh while they are in overtime.
    fn schedule(&mut self) {
        let now = self.config.clock.now();
        self.deadline =
            self.meeting
                .floor
                .current
                .as_ref()
                .map(|s| match s.timer.next_threshold(now) {
                    Some((at, phase)) => (
                        at,
                        Wake::Threshold {
                            at,
                            speech: s.id,
                            phase,
                        },
                    ),
                    None => (now + OVERTIME_REFRESH, Wake::Refresh),
                });
        // A paused countdown has no threshold and does not run over.
        if let (Some((_, Wake::Refresh)), Some(s)) = (&self.deadline, &self.meeting.floor.current)
            && !s.timer.is_running()
        {
            self.deadline = None;
        }
    }

    async fn on_threshold(&mut self) {
        let Some((_, wake)) = self.deadline.take() else {
            return;
        };
        let mut time_up = matches!(wake, Wake::TimeUp);
        if let Wake::Threshold { at, speech, phase } = wake {
            self.announced = Some((speech, phase));
            let frame = encode(&ServerMessage::Phase { speech, phase, at });
            self.subscribers
                .send_all(&mut [PerAudience::new(move |_| frame.clone())]);
            let ends_speeches = self.meeting.definition.rules.on_time_up == TimeUpPolicy::EndSpeech;
            time_up = phase == Phase::Overtime && ends_speeches;
        }
        // The event stream's insight is evaluated at a time: refreshed here.
        // View documents hold no time, so they need nothing.
        let (meeting, now) = (&self.meeting, self.config.clock.now());
        self.subscribers.send_events(&mut [PerAudience::new(|_| {
            encode(&ServerMessage::Insight(Box::new(insight_of(meeting, now))))
        })]);
        if time_up && self.is_synced() && self.is_writer() {
            let p = self.decide(
                &Role::System,
                None,
                (&Command::TimeUp, None),
                self.config.clock.now(),
                None,
            );
            self.commit(vec![p]).await;
        }
        self.schedule();
        // The clock may have crossed the next threshold while this one was
        // sent: announce it now, or it would never be.
        self.announce_phase();
    }
}

/// The event stream's derived views at `now`: running order, waits, the
/// relay plan and the problems ahead.
fn insight_of(m: &Meeting, now: Timestamp) -> Insight {
    Insight {
        seq: m.seq,
        at: now,
        running_order: projections::running_order(m, now),
        waits: projections::wait_estimates(m, now),
        relay: m
            .floor_language()
            .map(|l| m.interpretation.plan(&m.definition, l)),
        lookahead: interpretation::lookahead(m),
    }
}

/// The `ack` or `error` frame answering a command, in the meeting's
/// languages.
pub fn answer(command_id: String, outcome: CommandOutcome) -> ServerMessage {
    match outcome {
        CommandOutcome::Acked { seq } => {
            m::command("acked");
            ServerMessage::Ack { command_id, seq }
        }
        CommandOutcome::Refused(r) => {
            m::command("refused");
            ServerMessage::Error {
                command_id: Some(command_id),
                code: r.code,
                message: r.main,
                messages: r.messages,
            }
        }
        CommandOutcome::Unknown => {
            m::command("unknown");
            ServerMessage::protocol_error(
                plenary_protocol::ProtocolErrorCode::OutcomeUnknown,
                Some(command_id),
            )
        }
        CommandOutcome::Unavailable => {
            m::command("unavailable");
            ServerMessage::protocol_error(
                plenary_protocol::ProtocolErrorCode::StoreUnavailable,
                Some(command_id),
            )
        }
    }
}

/// Why the hub wakes up without a request.
#[derive(Clone, Copy, Debug)]
enum Wake {
    /// A countdown crosses a threshold at `at`.
    Threshold {
        at: Timestamp,
        speech: SpeechId,
        phase: Phase,
    },
    /// A speaker in overtime pushes every projection back: refresh the
    /// insight now and then, so drift and projected ends keep moving.
    Refresh,
    /// A command put the countdown past its end under `end_speech`.
    TimeUp,
}

/// How often the insight is refreshed while a speaker runs over.
const OVERTIME_REFRESH: plenary_core::Millis = plenary_core::Millis::from_secs(15);

#[cfg(test)]
mod tests {
    use plenary_core::Role;
    use plenary_core::ids::{BoothId, DelegationId, ScreenId};
    use plenary_core::roles::{Capability, may};

    use super::*;

    /// Presence goes to exactly the audiences of the roles the capability
    /// table lets see it.
    #[test]
    fn presence_audiences_follow_the_capability_table() {
        let roles = [
            Role::Chair,
            Role::Secretariat,
            Role::Technician,
            Role::Delegation {
                delegation: DelegationId::new("hn"),
            },
            Role::Interpreter {
                booth: BoothId::new("booth-es"),
            },
            Role::Screen {
                screen: ScreenId::new("hall-left"),
            },
            Role::Public,
        ];
        for role in roles {
            assert_eq!(
                PRESENCE_AUDIENCES.contains(&Audience::of(&role)),
                may(&role, Capability::SeePresence).is_ok(),
                "{role}"
            );
        }
    }
}
