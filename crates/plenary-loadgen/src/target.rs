//! The systems under test: `plenary serve` with a fresh database, or the
//! floor binary. Both are spawned as their own processes so that their CPU
//! and memory can be read from `/proc` and never mix with the load
//! generator's.
//!
//! [`Target`] is what differs between the two as the scenarios see them
//! (how a viewer connects, who the chair is, what a command and its ack
//! are); [`Service`] and [`Floor`] implement it, and every scenario in
//! [`crate::scenario`] is one body, generic over it.

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use sqlx::Connection;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, Command};
use tokio::runtime::Handle;
use tokio::task::JoinHandle;

use plenary_client::{CatchUp, Client, ClientError, CommandReply, Hello, new_command_id};
use plenary_core::ids::{DelegationId, ItemId};
use plenary_core::rules::RequestKind;
use plenary_core::{Command as MeetingCommand, Meeting};
use plenary_protocol::ClientMessage;
use tokio_tungstenite::tungstenite::Message;

use crate::clock::now_ns;
use crate::procstat::{self, ProcSample};
use crate::progress;
use crate::scenario::{
    Burst, Delivery, FloorFrames, Latencies, PUBLIC_KEY, Runtimes, connect_on, learn_frames,
    push_message_padded, reconnect_on, watchers,
};
use crate::viewer::{Class, Expect, Head, Pool, ViewerConfig, Who, Wire, head};

/// Which system.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Service,
    Floor,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Service => "service",
            Kind::Floor => "floor",
        }
    }
}

/// What the scenarios need to know about a running target.
#[derive(Clone, Debug)]
pub struct Endpoint {
    pub kind: Kind,
    /// `ws://127.0.0.1:PORT/ws`
    pub url: String,
    /// The process to read CPU and memory from (none when in-process).
    pub pid: Option<u32>,
    /// The plenary meeting id.
    pub meeting: String,
    /// Access codes by role key (`chair`, `screen:hall-left`, `delegation:hn`…).
    pub codes: BTreeMap<String, String>,
    /// Delegation ids, in definition order.
    pub delegations: Vec<String>,
    /// Room screen ids.
    pub screens: Vec<String>,
}

impl Endpoint {
    pub fn code(&self, role: &str) -> anyhow::Result<String> {
        self.codes
            .get(role)
            .cloned()
            .with_context(|| format!("no access code for {role}"))
    }

    pub fn sample(&self) -> Option<ProcSample> {
        self.pid.and_then(|p| procstat::sample(p).ok())
    }
}

/// What differs between the service and the floor, as the scenarios see
/// them. Each scenario is written once, generic over this.
///
/// The `async fn`s are only ever awaited inside this crate's scenarios,
/// which run under `block_on`: no caller needs their futures to be `Send`.
#[allow(async_fn_in_trait)]
pub trait Target {
    /// Which one, for the report.
    const KIND: Kind;
    /// Connections the chair holds besides the pool's viewers (the floor's
    /// chair is one of them).
    const CHAIR_CONNECTIONS: usize;
    /// Chair commands sent while the viewers are away in a reconnect
    /// storm, so that their resumes carry missed events.
    const COMMANDS_WHILE_AWAY: usize;
    /// Whether viewers resume from a seq (and may get a snapshot instead).
    const RESUMES: bool;

    /// Who sends the chair's commands.
    type Chair;
    /// What a floor-request storm keeps from its start to its checks.
    type Storm;

    fn endpoint(&self) -> &Endpoint;

    /// How a viewer with the access code of `role` (`None`: the public)
    /// connects; `views`: it follows view documents and patches.
    fn wire(&self, role: Option<String>, views: bool) -> anyhow::Result<Wire>;

    /// What the viewers of `pool` must reach once `seq` is committed.
    async fn expect(&self, pool: &Pool, seq: u64) -> anyhow::Result<Expect>;

    /// The last seq the chair knows of (before a burst: where it starts).
    fn seq(chair: &Self::Chair) -> u64;

    /// Connects the chair; `frames` are what the floor's chair sends.
    async fn connect_chair(
        &self,
        rt: &Runtimes,
        pool: &mut Pool,
        read_buffer: usize,
        frames: &FloorFrames,
    ) -> anyhow::Result<Self::Chair>;

    /// Sends the chair's commands numbered `commands` at once (notices
    /// `pad` bytes longer) and notes what it can in `burst`.
    async fn send(
        chair: &mut Self::Chair,
        pool: &Pool,
        commands: Range<usize>,
        pad: usize,
        burst: &mut Burst,
    ) -> anyhow::Result<()>;

    /// Waits for the replies to what [`Target::send`] sent and notes them
    /// in `burst` (the service's acks; the floor sends no replies).
    async fn replies(chair: &mut Self::Chair, burst: &mut Burst) -> anyhow::Result<()>;

    /// What "the chair's ack" is: send → ack on the service, send → the
    /// chair's own frame back on the floor.
    fn chair_acks(burst: &Burst, latencies: &Latencies) -> Vec<u64>;

    /// After a burst: the service's chair hands its frames to the floor's.
    fn learn(chair: &mut Self::Chair, frames: &mut FloorFrames);

    /// Drops what the chair received and nobody reads.
    fn drain(chair: &mut Self::Chair);

    async fn close(chair: Self::Chair);

    /// Before a floor-request storm of `m`: the service's chair opens the
    /// next debate (`storms` counts the service's storms so far).
    async fn storm_start(
        &self,
        chair: &mut Self::Chair,
        pool: &Pool,
        storms: &mut usize,
        m: usize,
    ) -> anyhow::Result<Self::Storm>;

    /// The connection of the storm's `i`-th delegation.
    fn storm_sender(
        &self,
        storm: &Self::Storm,
        i: usize,
        read_buffer: usize,
    ) -> anyhow::Result<ViewerConfig>;

    /// What the `i`-th delegation sends.
    fn storm_frame(&self, storm: &Self::Storm, i: usize) -> anyhow::Result<String>;

    /// Waits for the storm's replies and for every viewer to have them;
    /// `sent_at` is each sender's send instant.
    async fn storm_replies(&self, pool: &Pool, senders: &Pool, sent_at: &[u64]) -> StormReplies;

    /// Requests a new connection finds on the list (`None`: the floor keeps
    /// nothing).
    async fn storm_durable(
        &self,
        rt: &Runtimes,
        storm: &Self::Storm,
        m: usize,
    ) -> anyhow::Result<Option<usize>>;

    /// Clients that missed, doubled or reordered something in the storm,
    /// and a description for the operator.
    fn storm_delivery(
        &self,
        storm: &Self::Storm,
        pool: &Pool,
        senders: &Pool,
        replies: &StormReplies,
    ) -> (usize, String);
}

/// A floor-request storm's replies.
#[derive(Debug, Default)]
pub struct StormReplies {
    /// Send → ack (the floor: → own probe back), ns, of those answered.
    pub acks: Vec<u64>,
    /// The last event seq acked (0 on the floor).
    pub last_seq: u64,
    /// What the viewers must have reached after it.
    pub expect: Expect,
    /// Viewers and senders that did not get every reply in time.
    pub behind: usize,
}

/// The service as a [`Target`].
#[derive(Clone, Copy, Debug)]
pub struct Service<'a>(pub &'a Endpoint);

/// The floor as a [`Target`].
#[derive(Clone, Copy, Debug)]
pub struct Floor<'a>(pub &'a Endpoint);

/// The service's chair: a `plenary-client` on the hall runtime.
#[derive(Debug)]
pub struct ServiceChair {
    client: Client,
    hall: Handle,
    /// The commands sent and not yet settled.
    waits: Vec<JoinHandle<Reply>>,
    /// To look at the meeting afresh.
    url: String,
    code: String,
    delegations: Vec<String>,
    plan: Plan,
}

/// A command's send instant, its reply and the reply's arrival.
type Reply = (u64, Result<CommandReply, ClientError>, u64);

/// The item the chair's bursts run on when the current one will not do (a
/// debate: no presenters to call first).
const BURST_ITEM: &str = "stocktaking";

/// The chair's commands in a burst change what every display shows, so
/// that every viewer of the views stream has a patch for each: the chair
/// puts a delegation on the list of the current item (everyone's "next"
/// changes), then calls it (everyone's "on the floor" changes), and so on;
/// when a list is waiting (after a floor-request storm), it calls. The
/// plan predicts the list from a snapshot and the commands since, so that
/// nobody is put on it twice.
#[derive(Debug, Default)]
struct Plan {
    /// The current item, when it is one the plan can run on.
    item: Option<ItemId>,
    /// Who waits on its list, in calling order.
    queue: VecDeque<String>,
    speaking: Option<String>,
    /// The next delegation to put on the list, round robin.
    next: usize,
    /// Something else changed the list: look at the meeting again.
    stale: bool,
}

impl Plan {
    fn of(meeting: &Meeting, next: usize) -> Plan {
        let item = meeting
            .agenda
            .current_item()
            .filter(|i| i.schedule.next_pending().is_none());
        Plan {
            item: item.map(|i| i.id.clone()),
            queue: item
                .map(|i| {
                    i.speakers
                        .waiting()
                        .map(|r| r.delegation.0.clone())
                        .collect()
                })
                .unwrap_or_default(),
            speaking: meeting
                .floor
                .current
                .as_ref()
                .map(|s| s.delegation.0.clone()),
            next,
            stale: false,
        }
    }

    /// The next command, and what it does to the list.
    fn command(&mut self, item: ItemId, delegations: &[String]) -> MeetingCommand {
        if let Some(d) = self.queue.pop_front() {
            self.speaking = Some(d);
            return MeetingCommand::CallNext;
        }
        let n = delegations.len().max(1);
        let mut d = delegations.get(self.next % n).cloned().unwrap_or_default();
        self.next += 1;
        if self.speaking.as_ref() == Some(&d) {
            d = delegations.get(self.next % n).cloned().unwrap_or_default();
            self.next += 1;
        }
        self.queue.push_back(d.clone());
        MeetingCommand::InsertSpeaker {
            item,
            delegation: DelegationId::new(d.as_str()),
            kind: RequestKind::Statement,
            language: None,
            position: None,
        }
    }
}

impl ServiceChair {
    /// Connects the chair on the hall runtime.
    pub async fn connect(rt: &Runtimes, ep: &Endpoint) -> anyhow::Result<ServiceChair> {
        let code = ep.code("chair")?;
        let client = connect_on(&rt.hall, &ep.url, Hello::access_code(code.clone())).await?;
        let plan = match client.catch_up() {
            CatchUp::Snapshot { state, .. } => Plan::of(state, 0),
            CatchUp::Events(_) => Plan {
                stale: true,
                ..Plan::default()
            },
        };
        Ok(ServiceChair {
            client,
            hall: rt.hall.clone(),
            waits: Vec::new(),
            url: ep.url.clone(),
            code,
            delegations: ep.delegations.clone(),
            plan,
        })
    }

    /// Looks at the meeting afresh (a new connection's snapshot).
    async fn look(&mut self) -> anyhow::Result<()> {
        let fresh =
            connect_on(&self.hall, &self.url, Hello::access_code(self.code.clone())).await?;
        if let CatchUp::Snapshot { state, .. } = fresh.catch_up() {
            self.plan = Plan::of(state, self.plan.next);
        }
        fresh.close().await;
        Ok(())
    }

    /// The next command of a burst (see [`Plan`]); opens [`BURST_ITEM`]
    /// first when the current item will not do.
    async fn next_command(&mut self) -> anyhow::Result<MeetingCommand> {
        if self.plan.stale {
            self.look().await?;
        }
        if self.plan.item.is_none() {
            // An item opens only when nobody has the floor.
            self.client.command(MeetingCommand::EndSpeech).await?;
            let opened = self
                .client
                .command(MeetingCommand::OpenItem {
                    item: ItemId::new(BURST_ITEM),
                })
                .await?;
            if !opened.is_acked() {
                progress(format!("the chair could not open {BURST_ITEM}: {opened:?}"));
            }
            self.look().await?;
        }
        let Some(item) = self.plan.item.clone() else {
            bail!("no item to run the chair's burst on");
        };
        Ok(self.plan.command(item, &self.delegations))
    }
}

/// The seq of the view document `key` (`public`, `screen:ID` …) on the
/// service now: what a new viewer of it is sent first.
async fn document_seq(ep: &Endpoint, key: &str) -> anyhow::Result<u64> {
    let hello = if key == PUBLIC_KEY {
        Hello::public(ep.meeting.as_str())
    } else {
        Hello::access_code(ep.code(key)?)
    }
    .views();
    let look = async {
        let (mut ws, _) = tokio_tungstenite::connect_async(ep.url.as_str()).await?;
        ws.send(Message::text(serde_json::to_string(&hello.to_message())?))
            .await?;
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(t))) => match head(t.as_str()) {
                    Head::View(seq) => {
                        let _closed = ws.close(None).await;
                        return anyhow::Ok(seq);
                    }
                    Head::Other("error") => bail!("refused: {}", t.as_str()),
                    _ => {}
                },
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e.into()),
                None => bail!("closed before the document"),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(20), look)
        .await
        .with_context(|| format!("no {key} document within 20 s"))?
}

/// The floor's chair: a viewer of the pool that also writes the frames the
/// service would send.
#[derive(Debug)]
pub struct FloorChair {
    index: usize,
    frames: FloorFrames,
}

/// The debates the service's storms open in turn: a service restarted on
/// its database still has the previous storm's requests on the list.
const DEBATES: [&str; 4] = [
    "responsibility-sharing",
    "regional-actors",
    "stocktaking",
    "adoption",
];

/// The debate a service storm opens.
#[derive(Debug)]
pub struct ServiceStorm {
    item: ItemId,
}

/// What the floor's storm checks against.
#[derive(Debug)]
pub struct FloorStorm {
    /// Probes each viewer had received before the storm.
    probes_before: Vec<u64>,
    /// The chair's last seq: the senders expect the next.
    initial_seq: u64,
}

impl Target for Service<'_> {
    const KIND: Kind = Kind::Service;
    const CHAIR_CONNECTIONS: usize = 1;
    const COMMANDS_WHILE_AWAY: usize = 3;
    const RESUMES: bool = true;
    type Chair = ServiceChair;
    type Storm = ServiceStorm;

    fn endpoint(&self) -> &Endpoint {
        self.0
    }

    fn wire(&self, role: Option<String>, views: bool) -> anyhow::Result<Wire> {
        let hello = match role {
            Some(r) => Hello::access_code(self.0.code(&r)?),
            None => Hello::public(self.0.meeting.as_str()),
        };
        let hello = if views { hello.views() } else { hello };
        Ok(Wire::Plenary { hello })
    }

    async fn expect(&self, pool: &Pool, seq: u64) -> anyhow::Result<Expect> {
        let mut expect = Expect::seq(seq);
        for key in pool.keys() {
            let at = document_seq(self.0, &key).await?;
            expect.docs.insert(key, at);
        }
        Ok(expect)
    }

    fn seq(chair: &ServiceChair) -> u64 {
        chair.client.last_seq()
    }

    async fn connect_chair(
        &self,
        rt: &Runtimes,
        _pool: &mut Pool,
        _read_buffer: usize,
        _frames: &FloorFrames,
    ) -> anyhow::Result<ServiceChair> {
        ServiceChair::connect(rt, self.0).await
    }

    async fn send(
        chair: &mut ServiceChair,
        _pool: &Pool,
        commands: Range<usize>,
        pad: usize,
        burst: &mut Burst,
    ) -> anyhow::Result<()> {
        // Long notices (slow consumers) as such; otherwise the commands
        // that change every display (see `Plan`).
        let mut batch: Vec<(String, plenary_core::Command)> = Vec::new();
        for i in commands {
            let command = if pad > 0 {
                push_message_padded(i, pad)
            } else {
                chair.next_command().await?
            };
            batch.push((new_command_id(), command));
        }
        let t = now_ns();
        let pending = match chair.client.submit_batch(batch.clone()).await {
            Ok(p) => p,
            Err(e) => {
                // Cut loose (or lost): come back like a console would,
                // resuming, and send again.
                progress(format!("the chair's connection ended ({e}); reconnecting"));
                burst.chair_reconnects += 1;
                chair.client = reconnect_on(&chair.hall, &chair.client).await?;
                chair.client.submit_batch(batch).await?
            }
        };
        for pending in pending {
            // Awaited on the hall runtime: few tasks, so the ack's arrival
            // is noted when it happens.
            chair.waits.push(chair.hall.spawn(async move {
                let reply = pending.wait().await;
                (t, reply, now_ns())
            }));
        }
        Ok(())
    }

    async fn replies(chair: &mut ServiceChair, burst: &mut Burst) -> anyhow::Result<()> {
        for w in chair.waits.drain(..) {
            let (t, reply, at) = w.await?;
            match reply {
                Ok(CommandReply::Acked { seq }) => {
                    burst.sent.insert(seq, t);
                    burst.acks.push(at - t);
                    burst.last_seq = burst.last_seq.max(seq);
                }
                Ok(CommandReply::Refused { .. }) | Err(_) => burst.refused += 1,
            }
        }
        Ok(())
    }

    fn chair_acks(burst: &Burst, _latencies: &Latencies) -> Vec<u64> {
        burst.acks.clone()
    }

    fn learn(chair: &mut ServiceChair, frames: &mut FloorFrames) {
        learn_frames(&mut chair.client, frames);
    }

    fn drain(chair: &mut ServiceChair) {
        while let Some(Ok(_)) = chair.client.try_next_frame() {}
    }

    async fn close(mut chair: ServiceChair) {
        Self::drain(&mut chair);
        chair.client.close().await;
    }

    async fn storm_start(
        &self,
        chair: &mut ServiceChair,
        _pool: &Pool,
        storms: &mut usize,
        m: usize,
    ) -> anyhow::Result<ServiceStorm> {
        let item = DEBATES[*storms % DEBATES.len()];
        *storms += 1;
        // The storm fills another item's list: the chair's next burst
        // looks at the meeting again.
        chair.plan.stale = true;
        // An item opens only when nobody has the floor (refused when
        // nobody had it: that is fine).
        chair
            .client
            .command(plenary_core::Command::EndSpeech)
            .await?;
        let opened = chair
            .client
            .command(plenary_core::Command::OpenItem {
                item: ItemId::new(item),
            })
            .await?;
        if !opened.is_acked() {
            bail!("the chair could not open {item}: {opened:?}");
        }
        if self.0.delegations.len() < m {
            bail!(
                "the meeting has {} delegations, the storm needs {m}",
                self.0.delegations.len()
            );
        }
        Ok(ServiceStorm {
            item: ItemId::new(item),
        })
    }

    fn storm_sender(
        &self,
        _storm: &ServiceStorm,
        i: usize,
        read_buffer: usize,
    ) -> anyhow::Result<ViewerConfig> {
        // A lean client (like the floor's), so that the load generator
        // decodes no more on one target than on the other: it reads its
        // ack, not every frame.
        let d = &self.0.delegations[i];
        Ok(ViewerConfig {
            url: self.0.url.clone(),
            fallbacks: Vec::new(),
            wire: self.wire(Some(format!("delegation:{d}")), false)?,
            class: Class::Commander,
            who: Who::Other,
            key: None,
            slow: false,
            reconnect: false,
            read_buffer_size: read_buffer,
            initial_seq: 0,
        })
    }

    fn storm_frame(&self, storm: &ServiceStorm, i: usize) -> anyhow::Result<String> {
        let command = ClientMessage::Command {
            command_id: new_command_id(),
            command: plenary_core::Command::RequestFloor {
                item: storm.item.clone(),
                delegation: DelegationId::new(self.0.delegations[i].as_str()),
                kind: RequestKind::Statement,
                language: None,
            },
            expect: None,
        };
        Ok(serde_json::to_string(&command)?)
    }

    async fn storm_replies(&self, pool: &Pool, senders: &Pool, sent_at: &[u64]) -> StormReplies {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while senders.viewers.iter().any(|v| v.reply_count() == 0)
            && tokio::time::Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let mut replies = StormReplies::default();
        for (v, t) in senders.viewers.iter().zip(sent_at) {
            if let Some((_, at, Some(seq))) = v.replies().first() {
                replies.acks.push(at.saturating_sub(*t));
                replies.last_seq = replies.last_seq.max(*seq);
            }
        }
        replies.expect = match self.expect(pool, replies.last_seq).await {
            Ok(e) => e,
            Err(e) => {
                progress(format!("cannot read the documents' seqs: {e:#}"));
                Expect::seq(replies.last_seq)
            }
        };
        replies.behind = pool
            .wait_for(&replies.expect, Duration::from_secs(30))
            .await
            + senders
                .wait_for(&replies.expect, Duration::from_secs(30))
                .await;
        replies
    }

    async fn storm_durable(
        &self,
        rt: &Runtimes,
        storm: &ServiceStorm,
        m: usize,
    ) -> anyhow::Result<Option<usize>> {
        // A new connection's snapshot has every request.
        let ep = self.0;
        let fresh = connect_on(&rt.hall, &ep.url, Hello::access_code(ep.code("chair")?)).await?;
        let on_list = match fresh.catch_up() {
            CatchUp::Snapshot { state, .. } => state
                .agenda
                .item(&storm.item)
                .map(|i| {
                    i.speakers
                        .requests
                        .values()
                        .filter(|r| {
                            r.is_open()
                                && ep.delegations[..m]
                                    .iter()
                                    .any(|d| d.as_str() == r.delegation.0)
                        })
                        .count()
                })
                .unwrap_or(0),
            CatchUp::Events(_) => 0,
        };
        fresh.close().await;
        Ok(Some(on_list))
    }

    fn storm_delivery(
        &self,
        _storm: &ServiceStorm,
        pool: &Pool,
        senders: &Pool,
        replies: &StormReplies,
    ) -> (usize, String) {
        let mut everyone = watchers(pool);
        everyone.extend(senders.viewers.iter().cloned());
        let d = Delivery::check(&everyone, &replies.expect);
        (
            d.with_violations + d.behind + d.gave_up,
            d.describe(&everyone),
        )
    }
}

impl Target for Floor<'_> {
    const KIND: Kind = Kind::Floor;
    const CHAIR_CONNECTIONS: usize = 0;
    const COMMANDS_WHILE_AWAY: usize = 0;
    const RESUMES: bool = false;
    type Chair = FloorChair;
    type Storm = FloorStorm;

    fn endpoint(&self) -> &Endpoint {
        self.0
    }

    fn wire(&self, _role: Option<String>, _views: bool) -> anyhow::Result<Wire> {
        Ok(Wire::Floor)
    }

    async fn expect(&self, _pool: &Pool, seq: u64) -> anyhow::Result<Expect> {
        // The floor sends every frame to everyone.
        Ok(Expect::seq(seq))
    }

    fn seq(chair: &FloorChair) -> u64 {
        chair.frames.seq()
    }

    async fn connect_chair(
        &self,
        rt: &Runtimes,
        pool: &mut Pool,
        read_buffer: usize,
        frames: &FloorFrames,
    ) -> anyhow::Result<FloorChair> {
        let config = ViewerConfig {
            url: self.0.url.clone(),
            fallbacks: Vec::new(),
            wire: Wire::Floor,
            class: Class::Commander,
            who: Who::Other,
            key: None,
            slow: false,
            reconnect: false,
            read_buffer_size: read_buffer,
            initial_seq: 0,
        };
        Ok(FloorChair {
            index: pool.spawn(&rt.hall, config, true),
            frames: frames.restarted(),
        })
    }

    async fn send(
        chair: &mut FloorChair,
        pool: &Pool,
        commands: Range<usize>,
        _pad: usize,
        burst: &mut Burst,
    ) -> anyhow::Result<()> {
        let n = commands.len();
        let mut out = Vec::with_capacity(2 * n);
        let mut seqs = Vec::with_capacity(n);
        for _ in commands {
            let (seq, frames) = chair.frames.next();
            out.extend(frames);
            seqs.push(seq);
        }
        let t = now_ns();
        if !pool.send(chair.index, out) {
            bail!("the floor chair's connection is gone");
        }
        for seq in seqs {
            burst.sent.insert(seq, t);
            burst.last_seq = seq;
        }
        Ok(())
    }

    async fn replies(_chair: &mut FloorChair, _burst: &mut Burst) -> anyhow::Result<()> {
        Ok(())
    }

    fn chair_acks(_burst: &Burst, latencies: &Latencies) -> Vec<u64> {
        latencies.echo.clone()
    }

    fn learn(_chair: &mut FloorChair, _frames: &mut FloorFrames) {}

    fn drain(_chair: &mut FloorChair) {}

    async fn close(_chair: FloorChair) {}

    async fn storm_start(
        &self,
        chair: &mut FloorChair,
        pool: &Pool,
        _storms: &mut usize,
        _m: usize,
    ) -> anyhow::Result<FloorStorm> {
        Ok(FloorStorm {
            probes_before: pool.viewers.iter().map(|v| v.probes()).collect(),
            initial_seq: chair.frames.seq(),
        })
    }

    fn storm_sender(
        &self,
        storm: &FloorStorm,
        _i: usize,
        read_buffer: usize,
    ) -> anyhow::Result<ViewerConfig> {
        Ok(ViewerConfig {
            url: self.0.url.clone(),
            fallbacks: Vec::new(),
            wire: Wire::Floor,
            class: Class::Commander,
            who: Who::Other,
            key: None,
            slow: false,
            reconnect: false,
            read_buffer_size: read_buffer,
            initial_seq: storm.initial_seq,
        })
    }

    fn storm_frame(&self, _storm: &FloorStorm, i: usize) -> anyhow::Result<String> {
        // Its "ack" is its own probe coming back.
        Ok(format!("{{\"type\":\"probe\",\"from\":{i}}}"))
    }

    async fn storm_replies(&self, pool: &Pool, senders: &Pool, sent_at: &[u64]) -> StormReplies {
        let m = senders.viewers.len() as u64;
        let behind = senders.wait_probes(m, Duration::from_secs(30)).await
            + pool.wait_probes(m, Duration::from_secs(30)).await;
        let acks = senders
            .viewers
            .iter()
            .zip(sent_at)
            .filter(|(v, _)| v.probe_echo_ns() > 0)
            .map(|(v, t)| v.probe_echo_ns().saturating_sub(*t))
            .collect();
        StormReplies {
            acks,
            last_seq: 0,
            behind,
            expect: Expect::default(),
        }
    }

    async fn storm_durable(
        &self,
        _rt: &Runtimes,
        _storm: &FloorStorm,
        _m: usize,
    ) -> anyhow::Result<Option<usize>> {
        Ok(None)
    }

    fn storm_delivery(
        &self,
        storm: &FloorStorm,
        pool: &Pool,
        senders: &Pool,
        _replies: &StormReplies,
    ) -> (usize, String) {
        let m = senders.viewers.len() as u64;
        let wrong = pool
            .viewers
            .iter()
            .zip(&storm.probes_before)
            .filter(|(v, b)| v.probes() - **b != m)
            .count();
        (wrong, format!("{wrong} clients off"))
    }
}

/// How to run `plenary serve`.
#[derive(Clone, Debug)]
pub struct ServiceSpec {
    pub plenary_bin: PathBuf,
    /// The reference meeting file.
    pub meeting_file: PathBuf,
    /// Delegations the meeting needs (extra ones are added when the
    /// reference has fewer).
    pub delegations: usize,
    /// An admin `postgres://…` URL: a fresh database is created on it.
    /// `None`: a fresh SQLite file.
    pub postgres_admin: Option<String>,
    pub outbound_queue: usize,
}

/// A spawned target; killed when dropped.
#[derive(Debug)]
pub struct Spawned {
    pub endpoint: Endpoint,
    child: Child,
    restart: Option<RestartInfo>,
    postgres: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

#[derive(Debug, Clone)]
struct RestartInfo {
    /// The plenary binary, or the floor's.
    bin: PathBuf,
    /// The service's configuration (none for the floor).
    config: Option<PathBuf>,
    log: PathBuf,
    addr: SocketAddr,
}

/// A free port on 127.0.0.1 (bound and released: a tiny race, fine for a
/// benchmark on one machine).
fn free_addr() -> anyhow::Result<SocketAddr> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?)
}

/// Polls `GET /healthz` (service) or a TCP connect (floor) until it answers.
async fn wait_listening(addr: SocketAddr, http: bool, child: &mut Child) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait()? {
            bail!("the target exited at start with {status}");
        }
        if let Ok(mut s) = tokio::net::TcpStream::connect(addr).await {
            if !http {
                return Ok(());
            }
            let req = format!("GET /readyz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
            if s.write_all(req.as_bytes()).await.is_ok() {
                let mut buf = Vec::new();
                let _read = s.read_to_end(&mut buf).await;
                if buf.starts_with(b"HTTP/1.1 200") {
                    return Ok(());
                }
            }
        }
        if tokio::time::Instant::now() >= deadline {
            bail!("the target at {addr} did not start listening within 60 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The reference meeting, with extra delegations appended when the storm
/// needs more than it has (TOML lets an array of tables continue later in
/// the file).
fn meeting_text(reference: &str, needed: usize, have: usize) -> String {
    let mut text = reference.to_owned();
    for i in have..needed {
        let n = i + 1;
        text.push_str(&format!(
            "\n[[delegations]]\nid = \"lg-{n:03}\"\nname = {{ es = \"Delegación {n:03}\", en = \"Delegation {n:03}\" }}\ncategory = \"member_state\"\nfloor_language = \"es\"\nseat = \"LG{n:03}\"\n"
        ));
    }
    text
}

fn ids_of(text: &str, table: &str) -> Vec<String> {
    // A light read of the file: the ids follow their table header.
    let header = format!("[[{table}]]");
    let mut ids = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == header;
            continue;
        }
        if inside
            && let Some(v) = line.strip_prefix("id = \"")
            && let Some(id) = v.strip_suffix('"')
        {
            ids.push(id.to_owned());
            inside = false;
        }
    }
    ids
}

fn meeting_id(text: &str) -> String {
    let mut in_meeting = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_meeting = line == "[meeting]";
            continue;
        }
        if in_meeting
            && let Some(v) = line.strip_prefix("id = \"")
            && let Some(id) = v.strip_suffix('"')
        {
            return id.to_owned();
        }
    }
    "san-pedro-sula-2017".to_owned()
}

impl Spawned {
    /// Starts `plenary serve` on a fresh database and issues the codes.
    pub async fn service(spec: &ServiceSpec) -> anyhow::Result<Spawned> {
        let dir = tempfile::tempdir()?;
        let reference = std::fs::read_to_string(&spec.meeting_file)
            .with_context(|| format!("cannot read {}", spec.meeting_file.display()))?;
        let have = ids_of(&reference, "delegations").len();
        let text = meeting_text(&reference, spec.delegations, have);
        let meeting_path = dir.path().join("meeting.toml");
        std::fs::write(&meeting_path, &text)?;
        let meeting = meeting_id(&text);
        let delegations = ids_of(&text, "delegations");
        let screens = ids_of(&text, "screens");

        let (database_url, postgres) = match &spec.postgres_admin {
            None => (
                format!("sqlite://{}", dir.path().join("plenary.db").display()),
                None,
            ),
            Some(admin) => {
                let name = format!("plenary_bench_{}", uuid::Uuid::new_v4().simple());
                let mut conn = sqlx::PgConnection::connect(admin)
                    .await
                    .context("cannot reach the PostgreSQL admin URL")?;
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
                    .execute(&mut conn)
                    .await?;
                let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
                (format!("{base}/{name}"), Some((admin.clone(), name)))
            }
        };
        let addr = free_addr()?;
        let config = dir.path().join("plenary.toml");
        // Rate limits far above the chair's burst; the outbound queue holds
        // a few seconds of a busy meeting.
        std::fs::write(
            &config,
            format!(
                "listen = \"{addr}\"\ndatabase_url = \"{database_url}\"\nmeetings = [\"{}\"]\n\
                 outbound_queue = {}\ncommands_per_second = 100000\ncommand_burst = 100000\n\
                 hello_timeout = \"30s\"\n",
                meeting_path.display(),
                spec.outbound_queue
            ),
        )?;
        let log = dir.path().join("server.log");
        let restart = RestartInfo {
            bin: spec.plenary_bin.clone(),
            config: Some(config.clone()),
            log,
            addr,
        };
        let mut child = spawn(&restart)?;
        wait_listening(addr, true, &mut child).await?;
        let mut roles = vec!["chair".to_owned(), "secretariat".to_owned()];
        roles.extend(screens.iter().map(|s| format!("screen:{s}")));
        roles.extend(
            delegations
                .iter()
                .take(spec.delegations.max(29))
                .map(|d| format!("delegation:{d}")),
        );
        let codes = issue_codes(&spec.plenary_bin, &config, &meeting, &roles).await?;
        let pid = child.id();
        Ok(Spawned {
            endpoint: Endpoint {
                kind: Kind::Service,
                url: format!("ws://{addr}/ws"),
                pid,
                meeting,
                codes,
                delegations,
                screens,
            },
            child,
            restart: Some(restart),
            postgres,
            _dir: dir,
        })
    }

    /// Starts another node of this service (PostgreSQL only): the same
    /// configuration and database, its own port and `node_name`. Its
    /// endpoint has the same codes; dropping or finishing it leaves the
    /// database alone.
    pub async fn add_node(&self, name: &str) -> anyhow::Result<Spawned> {
        let Some(info) = &self.restart else {
            bail!("this target cannot have nodes");
        };
        let Some(config) = &info.config else {
            bail!("the floor has no nodes");
        };
        if self.postgres.is_none() {
            bail!("several nodes need PostgreSQL (--database-url)");
        }
        let dir = tempfile::tempdir()?;
        let addr = free_addr()?;
        let text = std::fs::read_to_string(config)?
            .lines()
            .filter(|l| !l.starts_with("listen ="))
            .map(|l| format!("{l}\n"))
            .collect::<String>();
        let path = dir.path().join("plenary.toml");
        std::fs::write(
            &path,
            format!("listen = \"{addr}\"\nnode_name = \"{name}\"\n{text}"),
        )?;
        let node = RestartInfo {
            bin: info.bin.clone(),
            config: Some(path),
            log: dir.path().join("server.log"),
            addr,
        };
        let mut child = spawn(&node)?;
        wait_listening(addr, true, &mut child).await?;
        let pid = child.id();
        Ok(Spawned {
            endpoint: Endpoint {
                url: format!("ws://{addr}/ws"),
                pid,
                ..self.endpoint.clone()
            },
            child,
            restart: Some(node),
            postgres: None,
            _dir: dir,
        })
    }

    /// `kill -9`: no shutdown, no lease released, sockets reset.
    pub async fn kill(&mut self) -> anyhow::Result<()> {
        self.child.kill().await?;
        Ok(())
    }

    /// The database it runs on, from its configuration.
    pub fn database_url(&self) -> Option<String> {
        let config = self.restart.as_ref()?.config.as_ref()?;
        let text = std::fs::read_to_string(config).ok()?;
        text.lines()
            .find_map(|l| l.strip_prefix("database_url = \""))
            .and_then(|v| v.strip_suffix('"'))
            .map(str::to_owned)
    }

    /// The HTTP address it listens on.
    pub fn addr(&self) -> Option<SocketAddr> {
        self.restart.as_ref().map(|r| r.addr)
    }

    /// Starts the floor binary.
    pub async fn floor(floor_bin: &Path) -> anyhow::Result<Spawned> {
        let dir = tempfile::tempdir()?;
        let addr = free_addr()?;
        let restart = RestartInfo {
            bin: floor_bin.to_owned(),
            config: None,
            log: dir.path().join("floor.log"),
            addr,
        };
        let mut child = spawn(&restart)?;
        wait_listening(addr, false, &mut child).await?;
        let pid = child.id();
        Ok(Spawned {
            endpoint: Endpoint {
                kind: Kind::Floor,
                url: format!("ws://{addr}/ws"),
                pid,
                meeting: String::new(),
                codes: BTreeMap::new(),
                delegations: Vec::new(),
                screens: Vec::new(),
            },
            child,
            restart: Some(restart),
            postgres: None,
            _dir: dir,
        })
    }

    /// Stops the target (SIGTERM: the service closes every connection with
    /// 1001 and writes a last snapshot) and starts it again on the same
    /// database and port. Returns when it listens again, with the time it
    /// was away.
    pub async fn restart(&mut self) -> anyhow::Result<Duration> {
        let Some(info) = self.restart.clone() else {
            bail!("this target cannot be restarted");
        };
        let started = tokio::time::Instant::now();
        self.terminate().await?;
        let mut child = spawn(&info)?;
        wait_listening(info.addr, info.config.is_some(), &mut child).await?;
        self.endpoint.pid = child.id();
        self.child = child;
        Ok(started.elapsed())
    }

    /// SIGTERM, then wait (SIGKILL after 10 s).
    async fn terminate(&mut self) -> anyhow::Result<()> {
        if let Some(pid) = self.child.id() {
            // `kill` rather than libc: the workspace forbids `unsafe`.
            let _sent = Command::new("kill")
                .arg("-TERM")
                .arg(pid.to_string())
                .status()
                .await;
        }
        match tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await {
            Ok(status) => {
                status?;
            }
            Err(_) => {
                progress("the target did not stop within 10 s: killing it");
                self.child.kill().await?;
            }
        }
        Ok(())
    }

    /// Stops the target and drops its PostgreSQL database.
    pub async fn finish(mut self) {
        let _stopped = self.terminate().await;
        if let Some((admin, name)) = &self.postgres
            && let Ok(mut conn) = sqlx::PgConnection::connect(admin).await
        {
            let _dropped = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
            )))
            .execute(&mut conn)
            .await;
        }
    }
}

fn spawn(info: &RestartInfo) -> anyhow::Result<Child> {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&info.log)?;
    let mut command = Command::new(&info.bin);
    match &info.config {
        Some(config) => {
            command.arg("serve").arg("--config").arg(config);
        }
        None => {
            command.arg("--listen").arg(info.addr.to_string());
        }
    }
    command
        // One log line per connection would cost the server more than the
        // fan-out being measured: warnings only.
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        .kill_on_drop(true)
        .spawn()
        .with_context(|| {
            format!(
                "cannot start {} (build it with `cargo build --release -p plenary -p plenary-loadgen`)",
                info.bin.display()
            )
        })
}

/// `plenary access issue` per role, a few at a time.
async fn issue_codes(
    plenary_bin: &Path,
    config: &Path,
    meeting: &str,
    roles: &[String],
) -> anyhow::Result<BTreeMap<String, String>> {
    let mut codes = BTreeMap::new();
    for chunk in roles.chunks(8) {
        let runs = chunk.iter().map(|role| async move {
            let out = Command::new(plenary_bin)
                .args(["access", "issue", "--config"])
                .arg(config)
                .args(["--meeting", meeting, "--role", role, "--label", "loadgen"])
                .env("RUST_LOG", "warn")
                .stdin(Stdio::null())
                .output()
                .await?;
            if !out.status.success() {
                bail!(
                    "plenary access issue --role {role} failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                );
            }
            let code = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            anyhow::Ok((role.clone(), code))
        });
        for r in futures_util::future::join_all(runs).await {
            let (role, code) = r?;
            codes.insert(role, code);
        }
    }
    Ok(codes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_delegations_are_appended_and_found() {
        let reference = "[meeting]\nid = \"m\"\n\n[[delegations]]\nid = \"hn\"\nname = \"x\"\n\n[[screens]]\nid = \"s1\"\n";
        let text = meeting_text(reference, 3, 1);
        assert_eq!(meeting_id(&text), "m");
        assert_eq!(ids_of(&text, "delegations"), vec!["hn", "lg-002", "lg-003"]);
        assert_eq!(ids_of(&text, "screens"), vec!["s1"]);
    }
}
