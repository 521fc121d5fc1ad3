//! One hub per meeting: a task that owns the meeting's state. Commands are
//! decided in arrival order, committed to the store in one transaction per
//! batch (group commit), and only then acknowledged and fanned out. The
//! hub also schedules the countdown thresholds and answers subscriptions
//! with a snapshot or the events a client missed.

pub mod fanout;

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

use plenary_core::ids::{MeetingId, SpeechId};
use plenary_core::interpretation;
use plenary_core::projections;
use plenary_core::rules::TimeUpPolicy;
use plenary_core::timer::Phase;
use plenary_core::{
    Command, CommandError, EVENT_VERSION, Meeting, MeetingDefinition, Role, StoredEvent, Timestamp,
    decide,
};
use plenary_protocol::views::{self, Audience};
use plenary_protocol::{Insight, ScreenPresence, ServerMessage};
use plenary_store::{Commit, Store, StoreError};

pub use fanout::{Frame, Subscription, encode};
use fanout::{PerAudience, Subscribers, encode_event};

use crate::access::role_key;
use crate::clock;
use crate::metrics as m;

/// Tuning of a hub, from the service configuration.
#[derive(Clone, Debug)]
pub struct HubConfig {
    pub snapshot_every: u64,
    pub resume_window: usize,
    pub outbound_queue: usize,
    pub max_batch: usize,
}

/// The answer to a command.
#[derive(Clone, Debug, PartialEq)]
pub enum CommandOutcome {
    /// Committed; the command's last event has `seq`.
    Acked {
        seq: u64,
    },
    Refused(CommandError),
    /// The store failed: nothing was applied.
    Unavailable,
}

/// What a new subscriber gets: the frames to send first (a snapshot or the
/// missed events, then an insight) and its live queue.
#[derive(Debug)]
pub struct Joined {
    pub seq: u64,
    pub catch_up: Vec<Frame>,
    pub subscription: Subscription,
}

enum Request {
    Command {
        actor: Role,
        command_id: Option<String>,
        command: Command,
        reply: oneshot::Sender<CommandOutcome>,
    },
    Subscribe {
        audience: Audience,
        resume_from: Option<u64>,
        reply: oneshot::Sender<Joined>,
    },
    View {
        audience: Audience,
        reply: oneshot::Sender<(Meeting, Insight)>,
    },
    Presence {
        screens: Vec<ScreenPresence>,
    },
}

/// The way in to a hub. Cheap to clone.
#[derive(Clone, Debug)]
pub struct HubHandle {
    pub meeting: MeetingId,
    pub definition: Arc<MeetingDefinition>,
    tx: mpsc::Sender<Request>,
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
    ) -> Result<CommandOutcome, HubGone> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Request::Command {
                actor,
                command_id,
                command,
                reply,
            })
            .await
            .map_err(|_| HubGone)?;
        rx.await.map_err(|_| HubGone)
    }

    pub async fn subscribe(
        &self,
        audience: Audience,
        resume_from: Option<u64>,
    ) -> Result<Joined, HubGone> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Request::Subscribe {
                audience,
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

    pub async fn presence(&self, screens: Vec<ScreenPresence>) {
        // Presence is advisory: if the hub is gone, nobody listens anyway.
        let _ignored = self.tx.send(Request::Presence { screens }).await;
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
                at: clock::now(),
                actor: Role::System,
                v: EVENT_VERSION,
                event: Meeting::created(definition.clone()),
            };
            store
                .append(&[Commit::new(
                    meeting_id.clone(),
                    None,
                    0,
                    vec![created.clone()],
                )])
                .await?;
            info!(meeting = %meeting_id, "meeting created");
            Meeting::replay(std::iter::once(&created)).map_err(|e| HubError::Corrupt {
                meeting: meeting_id.clone(),
                reason: e.to_string(),
            })?
        }
    };
    let (tx, rx) = mpsc::channel(4096);
    let handle = HubHandle {
        meeting: meeting_id.clone(),
        definition: Arc::clone(&meeting.definition),
        tx,
    };
    // Clients resuming after a restart get the events they missed, not a
    // snapshot: the last events come back into the resume window.
    let window_start = meeting.seq.saturating_sub(config.resume_window as u64);
    let recent: VecDeque<StoredEvent> = store
        .load_events(&meeting_id, window_start)
        .await?
        .into_iter()
        .filter(|e| !matches!(e.event, plenary_core::Event::MeetingCreated { .. }))
        .collect();
    let hub = Hub {
        id: meeting_id,
        last_snapshot_seq: meeting.seq,
        meeting,
        store,
        config,
        recent,
        subscribers: Subscribers::default(),
        answered: BTreeMap::new(),
        answered_order: VecDeque::new(),
        batch_keys: Default::default(),
        before_batch: None,
        snapshots: Default::default(),
        deadline: None,
    };
    tracker.spawn(hub.run(rx, shutdown));
    Ok(handle)
}

/// A command decided in this batch, waiting for the commit.
struct Pending {
    reply: Option<oneshot::Sender<CommandOutcome>>,
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

/// Command ids remembered per meeting for idempotent retries.
const ANSWERS_KEPT: usize = 50_000;

struct Hub {
    id: MeetingId,
    meeting: Meeting,
    store: Store,
    config: HubConfig,
    /// The last events, for clients resuming.
    recent: VecDeque<StoredEvent>,
    subscribers: Subscribers,
    /// Answers by `role/command_id`.
    answered: BTreeMap<String, CommandOutcome>,
    answered_order: VecDeque<String>,
    /// Keys of the commands in the batch being decided.
    batch_keys: std::collections::BTreeSet<String>,
    /// The state before the batch being decided applied anything.
    before_batch: Option<Meeting>,
    last_snapshot_seq: u64,
    /// The last snapshot frame per audience, with its seq.
    snapshots: [Option<(u64, Frame)>; 6],
    /// The next countdown threshold: when, for which speech, which phase.
    deadline: Option<(Instant, Wake)>,
}

impl Hub {
    async fn run(mut self, mut rx: mpsc::Receiver<Request>, shutdown: CancellationToken) {
        self.schedule();
        loop {
            let sleep_until = self
                .deadline
                .map(|(at, ..)| tokio::time::Instant::from_std(at));
            let first = tokio::select! {
                biased;
                () = shutdown.cancelled() => break,
                () = async { if let Some(at) = sleep_until { tokio::time::sleep_until(at).await } }, if sleep_until.is_some() => {
                    self.on_threshold().await;
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
        self.save_snapshot().await;
        info!(meeting = %self.id, seq = self.meeting.seq, "hub stopped");
    }

    async fn handle(&mut self, batch: Vec<Request>) {
        let mut pending: Vec<Pending> = Vec::new();
        for request in batch {
            match request {
                Request::Command {
                    actor,
                    command_id,
                    command,
                    reply,
                } => {
                    let p = self
                        .decide(&actor, command_id, &command, clock::now(), Some(reply))
                        .await;
                    pending.push(p);
                }
                other => {
                    // Reads see only committed state.
                    self.commit(std::mem::take(&mut pending)).await;
                    self.serve(other);
                }
            }
        }
        self.commit(pending).await;
    }

    /// Decides one command against the in-memory state (which includes the
    /// batch's earlier commands) and applies its events there.
    async fn decide(
        &mut self,
        actor: &Role,
        command_id: Option<String>,
        command: &Command,
        now: Timestamp,
        reply: Option<oneshot::Sender<CommandOutcome>>,
    ) -> Pending {
        let key = command_id
            .as_ref()
            .map(|id| format!("{}/{id}", role_key(actor)));
        if let Some(k) = &key {
            if !self.batch_keys.insert(k.clone()) {
                return Pending {
                    reply,
                    key: None,
                    outcome: PendingOutcome::SameAs(k.clone()),
                };
            }
            if let Some(answer) = self.answered.get(k) {
                return answered(reply, answer.clone());
            }
            // A retry after a restart: the store remembers accepted commands.
            match self.store.command_result(&self.id, k).await {
                Ok(Some(result)) => {
                    let answer = CommandOutcome::Acked {
                        seq: result.last_seq,
                    };
                    self.remember(k.clone(), answer.clone());
                    return answered(reply, answer);
                }
                Ok(None) => {}
                Err(e) => warn!(meeting = %self.id, error = %e, "command result lookup failed"),
            }
        }
        match decide(&self.meeting, actor, command, now) {
            Err(e) => Pending {
                reply,
                key,
                outcome: PendingOutcome::Refused(e),
            },
            Ok(events) => {
                let stored: Vec<StoredEvent> = events
                    .into_iter()
                    .enumerate()
                    .map(|(i, event)| StoredEvent {
                        seq: self.meeting.seq + 1 + i as u64,
                        at: now,
                        actor: actor.clone(),
                        v: EVENT_VERSION,
                        event,
                    })
                    .collect();
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

    fn remember(&mut self, key: String, answer: CommandOutcome) {
        if self.answered.insert(key.clone(), answer).is_none() {
            self.answered_order.push_back(key);
            while self.answered_order.len() > ANSWERS_KEPT {
                if let Some(old) = self.answered_order.pop_front() {
                    self.answered.remove(&old);
                }
            }
        }
    }

    /// Makes the batch durable, then acks, remembers and fans out.
    async fn commit(&mut self, pending: Vec<Pending>) {
        self.batch_keys.clear();
        let before_batch = self.before_batch.take();
        if pending.is_empty() {
            return;
        }
        let seq_before = pending
            .iter()
            .find_map(|p| match &p.outcome {
                PendingOutcome::Accepted { events, .. } => events.first().map(|e| e.seq - 1),
                _ => None,
            })
            .unwrap_or(self.meeting.seq);
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
            if let Err(e) = self.store.append(&commits).await {
                error!(meeting = %self.id, error = %e, "commit failed; nothing of this batch was applied");
                // The store is the truth: forget what this batch applied.
                if let Some(before) = before_batch {
                    self.meeting = before;
                }
                for p in pending {
                    if let Some(reply) = p.reply {
                        let _gone = reply.send(CommandOutcome::Unavailable);
                    }
                }
                return;
            }
            m::commit(
                started.elapsed(),
                commits.iter().map(|c| c.events.len() as u64).sum(),
            );
        }
        // Durable: fan out first, then answer, so a client sees its
        // command's events before the ack.
        let fanout_started = Instant::now();
        let events: Vec<&StoredEvent> = pending
            .iter()
            .filter_map(|p| match &p.outcome {
                PendingOutcome::Accepted { events, .. } => Some(events),
                _ => None,
            })
            .flatten()
            .collect();
        if !events.is_empty() {
            let insight = encode(&ServerMessage::Insight(Box::new(
                self.insight(clock::now()),
            )));
            let mut messages: Vec<PerAudience<'_>> = events
                .iter()
                .map(|e| {
                    let e = *e;
                    PerAudience::new(move |a| encode_event(e, a))
                })
                .collect();
            messages.push(PerAudience::new(move |_| insight.clone()));
            let delivery = self.subscribers.send_all(&mut messages);
            m::fanout(
                fanout_started.elapsed(),
                delivery.delivered,
                delivery.dropped,
            );
            for e in events {
                self.recent.push_back(e.clone());
            }
            while self.recent.len() > self.config.resume_window {
                self.recent.pop_front();
            }
        }
        for p in pending {
            let answer = match p.outcome {
                PendingOutcome::Refused(e) => CommandOutcome::Refused(e),
                PendingOutcome::Accepted { seq, .. } => CommandOutcome::Acked { seq },
                PendingOutcome::SameAs(k) => match self.answered.get(&k) {
                    Some(a) => a.clone(),
                    None => CommandOutcome::Unavailable,
                },
                PendingOutcome::Answered => continue,
            };
            if let Some(k) = p.key {
                self.remember(k, answer.clone());
            }
            if let Some(reply) = p.reply {
                let _gone = reply.send(answer);
            }
        }
        if self.meeting.seq >= self.last_snapshot_seq + self.config.snapshot_every {
            self.save_snapshot().await;
        }
        self.schedule();
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

    fn insight(&self, now: Timestamp) -> Insight {
        let m = &self.meeting;
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

    fn serve(&mut self, request: Request) {
        match request {
            Request::Command { .. } => {}
            Request::Subscribe {
                audience,
                resume_from,
                reply,
            } => {
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
                    self.insight(clock::now()),
                ))));
                let subscription = self.subscribers.add(audience, self.config.outbound_queue);
                m::subscribers(&self.id, self.subscribers.len());
                let _gone = reply.send(Joined {
                    seq,
                    catch_up,
                    subscription,
                });
            }
            Request::View { audience, reply } => {
                let view = views::redact(&self.meeting, audience);
                let _gone = reply.send((view, self.insight(clock::now())));
            }
            Request::Presence { screens } => {
                let frame = encode(&ServerMessage::Presence { screens });
                let mut message = [PerAudience::new(move |_| frame.clone())];
                self.subscribers
                    .send_to(&[Audience::Presiding, Audience::Technician], &mut message);
            }
        }
    }

    /// Schedules the next countdown threshold of whoever has the floor, or
    /// a refresh while they are in overtime.
    fn schedule(&mut self) {
        let now = clock::now();
        self.deadline =
            self.meeting
                .floor
                .current
                .as_ref()
                .map(|s| match s.timer.next_threshold(now) {
                    Some((at, phase)) => {
                        let wait = Duration::from_millis(
                            u64::try_from((at - now).as_millis()).unwrap_or(0),
                        );
                        (
                            Instant::now() + wait,
                            Wake::Threshold {
                                at,
                                speech: s.id,
                                phase,
                            },
                        )
                    }
                    None => (Instant::now() + OVERTIME_REFRESH, Wake::Refresh),
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
        let insight = encode(&ServerMessage::Insight(Box::new(
            self.insight(clock::now()),
        )));
        let mut messages = vec![PerAudience::new(move |_| insight.clone())];
        let mut time_up = false;
        if let Wake::Threshold { at, speech, phase } = wake {
            let frame = encode(&ServerMessage::Phase { speech, phase, at });
            messages.insert(0, PerAudience::new(move |_| frame.clone()));
            let ends_speeches = self.meeting.definition.rules.on_time_up == TimeUpPolicy::EndSpeech;
            time_up = phase == Phase::Overtime && ends_speeches;
        }
        self.subscribers.send_all(&mut messages);
        drop(messages);
        if time_up {
            let p = self
                .decide(&Role::System, None, &Command::TimeUp, clock::now(), None)
                .await;
            self.commit(vec![p]).await;
        }
        self.schedule();
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
}

/// How often the insight is refreshed while a speaker runs over.
const OVERTIME_REFRESH: Duration = Duration::from_secs(15);

/// A retry of a committed command: answered at once, like the first time.
fn answered(reply: Option<oneshot::Sender<CommandOutcome>>, answer: CommandOutcome) -> Pending {
    if let Some(reply) = reply {
        let _gone = reply.send(answer);
    }
    Pending {
        reply: None,
        key: None,
        outcome: PendingOutcome::Answered,
    }
}
