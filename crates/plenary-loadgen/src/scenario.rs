//! The scenarios, and how each figure is measured.
//!
//! A *round* connects the viewers to one target, holds them idle, runs the
//! chair burst, the floor-request storm and the reconnect storm, checks
//! delivery and disconnects. The caller alternates rounds between the
//! service and the floor (A B A B …). Scenarios that only the service can
//! do (durability, slow consumers cut loose and resumed, clock sync,
//! restart) run once, after the rounds.
//!
//! Each scenario of a round is one body, generic over [`Target`]: what
//! differs between the service and the floor (how a viewer connects, who
//! the chair is, what a command and its ack are) is there, in
//! [`crate::target`].
//!
//! Latency is measured on one monotonic clock ([`crate::clock`]): the
//! instant just before a command is handed to the client, and the instant
//! each viewer's task reads the event's frame. "Last client" is, per
//! command, the latest of those over every viewer.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use tokio::runtime::Handle;
use tokio_tungstenite::tungstenite::Message;

use plenary_client::{
    Client, ConnectOptions, Hello, TimeSample, TimeSyncEstimate, local_now_ms, new_command_id,
};
use plenary_core::display::ScreenTarget;
use plenary_core::i18n::Texts;
use plenary_core::{Command, Event, Role, Timestamp};
use plenary_protocol::{ClientMessage, EventFrame, ServerMessage, Stream};

use crate::clock::{Jitter, ms, now_ns};
use crate::limits::next_source_addr;
use crate::procstat::ProcSample;
use crate::progress;
use crate::report::{Goal, Report};
use crate::stats::Summary;
use crate::target::{Endpoint, Floor, Kind, Service, ServiceChair, Spawned, Target};
use crate::viewer::{Action, Class, Expect, Pool, ViewerConfig, ViewerState, Who, Wire};

/// The two runtimes of the load generator. Consoles, hall screens and the
/// chair run on their own (one worker, its own epoll), so that their
/// latency is the server's doing and not the load generator's queue behind
/// 10,000 public viewers.
#[derive(Clone, Debug)]
pub struct Runtimes {
    pub main: Handle,
    pub hall: Handle,
}

/// What a round connects and does.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Room screens in bulk (screen codes in turn).
    pub screens: usize,
    /// Public viewers in bulk.
    pub public: usize,
    /// Delegation consoles (hall).
    pub consoles: usize,
    /// Room screens in the hall, one per screen of the meeting at most.
    pub hall_screens: usize,
    /// Idle hold before measuring memory and idle CPU.
    pub hold: Duration,
    /// Chair burst: commands, and the pause between them.
    pub commands: usize,
    pub interval: Duration,
    /// Delegations requesting the floor within one second (0: no storm).
    pub storm: usize,
    /// Reconnect storm: every viewer drops and resumes within this spread
    /// (`None`: no reconnect storm).
    pub reconnect_spread: Option<Duration>,
    /// The viewers' websocket read buffer.
    pub read_buffer: usize,
    /// Handshakes in flight at most.
    pub connect_concurrency: usize,
    /// What room screens and public viewers follow: view documents and
    /// patches (what browsers do) or events with their insight.
    /// Consoles follow events.
    pub stream: Stream,
    /// Several nodes of one service (`ws://…/ws` each): viewers are spread
    /// over them in turn, each with the others as fallbacks. Empty: every
    /// viewer on the endpoint's own URL.
    pub nodes: Vec<String>,
}

impl Settings {
    pub fn label(&self) -> String {
        let mut parts = Vec::new();
        if self.screens > 0 {
            parts.push(format!("{} screens", self.screens));
        }
        if self.public > 0 {
            parts.push(format!("{} public", self.public));
        }
        parts.push(format!("{} hall", self.consoles + self.hall_screens));
        let mut label = parts.join(" + ");
        if self.nodes.len() > 1 {
            label.push_str(&format!(", {} nodes", self.nodes.len()));
        }
        label
    }
}

/// The frames the floor's chair sends: the same bytes as the service's
/// frames for a chair command, with the seq rewritten. On the event stream,
/// an event frame and the insight that follows every committed batch; on
/// the views stream, a patch (alternately the patches a bulk viewer of the
/// service received, so the floor's clients get as many bytes).
#[derive(Clone, Debug)]
pub struct FloorFrames {
    /// The event frame after `{"type":"event","seq":N`.
    event_tail: String,
    insight: String,
    /// Patches after `{"type":"patch","from":N,"seq":M`.
    patch_tails: Vec<String>,
    /// Send patches (the views stream) rather than event and insight.
    pub views: bool,
    /// Whether the event frames were copied from the service (else
    /// synthetic).
    pub from_service: bool,
    /// Whether the patches were.
    pub patches_from_service: bool,
    seq: u64,
}

const EVENT_HEAD: &str = "{\"type\":\"event\",\"seq\":";
const PATCH_HEAD: &str = "{\"type\":\"patch\",\"from\":";

impl Default for FloorFrames {
    fn default() -> Self {
        let event = ServerMessage::Event(EventFrame {
            seq: 0,
            at: Timestamp(1_509_048_000_000),
            actor: Some(Role::Chair),
            event: Some(Event::MessagePushed {
                screens: Vec::new(),
                text: message_text(0),
            }),
        });
        let text = serde_json::to_string(&event).unwrap_or_default();
        FloorFrames {
            event_tail: tail_after_seq(&text).unwrap_or_default(),
            insight: format!(
                "{{\"type\":\"insight\",\"seq\":0,\"pad\":\"{}\"}}",
                "x".repeat(1500)
            ),
            patch_tails: vec![format!(
                ",\"ops\":[{{\"op\":\"replace\",\"path\":\"/next\",\"value\":\"{}\"}}]}}",
                "x".repeat(250)
            )],
            views: false,
            from_service: false,
            patches_from_service: false,
            seq: 0,
        }
    }
}

fn tail_after_seq(event_text: &str) -> Option<String> {
    let rest = event_text.strip_prefix(EVENT_HEAD)?;
    let end = rest.find(|c: char| !c.is_ascii_digit())?;
    Some(rest[end..].to_owned())
}

/// What follows `"seq":M` in a patch frame.
fn patch_tail(patch: &str) -> Option<String> {
    let rest = patch.strip_prefix(PATCH_HEAD)?;
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
    let rest = rest.strip_prefix(",\"seq\":")?;
    let end = rest.find(|c: char| !c.is_ascii_digit())?;
    Some(rest[end..].to_owned())
}

impl FloorFrames {
    /// Learns the frames from what the service's chair received.
    fn learn(&mut self, event: &ServerMessage, insight: &ServerMessage) {
        if self.from_service {
            return;
        }
        if let (Ok(e), Ok(i)) = (serde_json::to_string(event), serde_json::to_string(insight))
            && let Some(tail) = tail_after_seq(&e)
        {
            self.event_tail = tail;
            self.insight = i;
            self.from_service = true;
        }
    }

    /// Learns the patches from what one of the service's bulk viewers
    /// received: a public viewer's when there are some, else a screen's.
    fn learn_patches(&mut self, pool: &Pool) {
        if self.patches_from_service {
            return;
        }
        let viewer = [Who::Public, Who::Screen].into_iter().find_map(|who| {
            pool.viewers
                .iter()
                .find(|v| v.class == Class::Bulk && v.who == who && !v.samples().is_empty())
        });
        let tails: Vec<String> = viewer
            .map(|v| v.samples())
            .unwrap_or_default()
            .iter()
            .filter_map(|p| patch_tail(p))
            .collect();
        if !tails.is_empty() {
            self.patch_tails = tails;
            self.patches_from_service = true;
        }
    }

    /// The same frames, numbered from 1 again (for a new round).
    pub fn restarted(&self) -> FloorFrames {
        FloorFrames {
            seq: 0,
            ..self.clone()
        }
    }

    /// The last seq handed out.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// The next command's frames and its seq.
    pub(crate) fn next(&mut self) -> (u64, Vec<String>) {
        self.seq += 1;
        let seq = self.seq;
        if self.views {
            let n = self.patch_tails.len().max(1);
            let tail = self
                .patch_tails
                .get(usize::try_from(seq).unwrap_or(0) % n)
                .map_or("}", String::as_str);
            return (
                seq,
                vec![format!("{PATCH_HEAD}{},\"seq\":{seq}{tail}", seq - 1)],
            );
        }
        (
            seq,
            vec![
                format!("{EVENT_HEAD}{seq}{}", self.event_tail),
                self.insight.clone(),
            ],
        )
    }

    /// Bytes per command: (event, insight) or, on the views stream, the
    /// patches' mean and 0.
    pub fn sizes(&self) -> (usize, usize) {
        if self.views {
            let n = self.patch_tails.len().max(1);
            let total: usize = self.patch_tails.iter().map(String::len).sum();
            return (PATCH_HEAD.len() + 16 + total / n, 0);
        }
        (
            EVENT_HEAD.len() + 4 + self.event_tail.len(),
            self.insight.len(),
        )
    }
}

fn message_text(i: usize) -> Texts {
    Texts::new()
        .with(
            "es",
            format!("Se ruega a las delegaciones tomar asiento ({i})"),
        )
        .with(
            "en",
            format!("Delegations are kindly asked to take their seats ({i})"),
        )
}

fn push_message(i: usize) -> Command {
    push_message_padded(i, 0)
}

/// A message with `pad` more bytes in each language (a long notice).
pub(crate) fn push_message_padded(i: usize, pad: usize) -> Command {
    let mut text = message_text(i);
    if pad > 0 {
        for t in text.0.values_mut() {
            t.push_str(&" ·".repeat(pad / 3));
        }
    }
    Command::PushMessage {
        target: ScreenTarget::All,
        text,
    }
}

/// Options for the plenary clients that send (chair, delegations).
pub fn commander_options() -> ConnectOptions {
    ConnectOptions {
        local_addr: Some(next_source_addr()),
        read_buffer_size: 4096,
        reply_timeout: Some(Duration::from_secs(60)),
        hello_timeout: Duration::from_secs(30),
        connect_timeout: Duration::from_secs(20),
        ..ConnectOptions::default()
    }
}

/// Connects a plenary client on `runtime` (its socket task lives there).
pub async fn connect_on(runtime: &Handle, url: &str, hello: Hello) -> anyhow::Result<Client> {
    let url = url.to_owned();
    runtime
        .spawn(async move { Client::connect_with(&url, hello, commander_options()).await })
        .await?
        .context("a commander could not connect")
}

/// A new connection for `client`'s credentials, resuming after its last
/// seq, on `runtime`.
pub async fn reconnect_on(runtime: &Handle, client: &Client) -> anyhow::Result<Client> {
    let url = client.url().to_owned();
    let hello = client.hello().clone().resume_from(client.last_seq());
    let options = client.options().clone();
    runtime
        .spawn(async move { Client::connect_with(&url, hello, options).await })
        .await?
        .context("the chair could not reconnect")
}

/// A burst's raw results.
#[derive(Debug, Default)]
pub struct Burst {
    /// Send instant by event seq.
    pub sent: BTreeMap<u64, u64>,
    /// Send → ack (service), ns; the floor's "ack" is the chair's own
    /// echo, in [`Latencies::echo`].
    pub acks: Vec<u64>,
    pub refused: usize,
    pub last_seq: u64,
    /// Times the chair's connection ended and was resumed.
    pub chair_reconnects: usize,
}

/// What a chair burst sends.
#[derive(Clone, Copy, Debug)]
pub struct BurstPlan {
    pub commands: usize,
    /// Commands sent at once, every `interval`.
    pub per_tick: usize,
    pub interval: Duration,
    /// Bytes added to each notice in each language (a long notice).
    pub pad: usize,
}

impl BurstPlan {
    /// One command, one at a time.
    pub fn one() -> BurstPlan {
        BurstPlan::every(1, Duration::from_millis(1))
    }

    /// `commands` commands, one every `interval`.
    pub fn every(commands: usize, interval: Duration) -> BurstPlan {
        BurstPlan {
            commands,
            per_tick: 1,
            interval,
            pad: 0,
        }
    }
}

/// Sends the chair's commands as `plan` says and waits for their replies.
pub async fn chair_burst<T: Target>(
    chair: &mut T::Chair,
    pool: &Pool,
    plan: BurstPlan,
) -> anyhow::Result<Burst> {
    let mut burst = Burst::default();
    let mut tick = tokio::time::interval(plan.interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut sent = 0;
    while sent < plan.commands {
        tick.tick().await;
        let n = plan.per_tick.min(plan.commands - sent);
        T::send(chair, pool, sent..sent + n, plan.pad, &mut burst).await?;
        sent += n;
    }
    T::replies(chair, &mut burst).await?;
    Ok(burst)
}

/// Latencies of a burst, read from the viewers' logs.
#[derive(Debug, Default)]
pub struct Latencies {
    pub all: Vec<u64>,
    pub hall: Vec<u64>,
    pub bulk: Vec<u64>,
    /// Per command: the latest viewer (all / hall).
    pub last: BTreeMap<u64, u64>,
    pub last_hall: BTreeMap<u64, u64>,
    /// Commanders' own receipt (the floor's "ack").
    pub echo: Vec<u64>,
    /// Watchers that are not slow consumers.
    pub fast: Vec<u64>,
    pub deliveries: usize,
}

/// A viewer's latency for the command acked with seq N is the arrival of
/// the first frame that brings it to seq N or later: the event N, or the
/// patch whose `seq` is N or more (a batch of several commands is one
/// patch; a viewer whose document a command did not change has no patch
/// for it, which is why the chair's bursts change every display).
pub fn latencies(pool: &Pool, sent: &BTreeMap<u64, u64>) -> Latencies {
    let mut l = Latencies::default();
    for v in &pool.viewers {
        let log = v.take_log();
        for (&seq, t) in sent {
            let first = log.partition_point(|(s, _)| *s < seq);
            let Some(&(_, at)) = log.get(first) else {
                continue;
            };
            let d = at.saturating_sub(*t);
            l.deliveries += 1;
            match v.class {
                Class::Commander => {
                    l.echo.push(d);
                    continue;
                }
                Class::Hall => {
                    l.hall.push(d);
                    let e = l.last_hall.entry(seq).or_default();
                    *e = (*e).max(d);
                }
                Class::Bulk => l.bulk.push(d),
            }
            if !v.slow {
                l.fast.push(d);
            }
            l.all.push(d);
            let e = l.last.entry(seq).or_default();
            *e = (*e).max(d);
        }
    }
    l
}

/// Delivery check over the watchers: how many saw a gap or a duplicate
/// (or a patch that did not apply), and how many are not where `expect`
/// says.
#[derive(Debug, Default, Clone, Copy)]
pub struct Delivery {
    pub clients: usize,
    pub with_violations: usize,
    pub behind: usize,
    pub gave_up: usize,
}

impl Delivery {
    pub fn check(viewers: &[Arc<ViewerState>], expect: &Expect) -> Delivery {
        let mut d = Delivery::default();
        for v in viewers {
            d.clients += 1;
            if v.violations() > 0 {
                d.with_violations += 1;
            }
            if v.gave_up() {
                d.gave_up += 1;
            } else if v.last_seq() < expect.of(v) {
                d.behind += 1;
            }
        }
        d
    }

    /// Clients with a gap or duplicate, behind, or that gave up.
    pub fn failed(&self) -> usize {
        self.with_violations + self.behind + self.gave_up
    }

    pub fn ok(&self) -> bool {
        self.with_violations == 0 && self.behind == 0 && self.gave_up == 0
    }

    pub fn describe(&self, viewers: &[Arc<ViewerState>]) -> String {
        let example = viewers
            .iter()
            .find_map(|v| v.first_violation())
            .unwrap_or_default();
        format!(
            "{} clients: {} with a gap or duplicate {example}, {} behind, {} gave up",
            self.clients, self.with_violations, self.behind, self.gave_up
        )
    }
}

/// Builds viewers of a round: the hall (consoles, hall screens) when
/// `hall`, and the bulk viewers numbered `bulk` (room screens first, then
/// the public).
pub(crate) fn populate<T: Target>(
    pool: &mut Pool,
    rt: &Runtimes,
    target: &T,
    s: &Settings,
    hall: bool,
    bulk: std::ops::Range<usize>,
) -> anyhow::Result<()> {
    let ep = target.endpoint();
    let views = s.stream == Stream::Views;
    // Room screens and the public follow `s.stream`; consoles, events.
    // Viewer `i`'s node, and the others in turn after it.
    let node = |i: usize| -> (String, Vec<String>) {
        let n = s.nodes.len();
        if n == 0 {
            return (ep.url.clone(), Vec::new());
        }
        let others = (1..n).map(|k| s.nodes[(i + k) % n].clone()).collect();
        (s.nodes[i % n].clone(), others)
    };
    let config = |role: Option<String>, class: Class, i: usize| -> anyhow::Result<ViewerConfig> {
        let (url, fallbacks) = node(i);
        let who = match role.as_deref() {
            None => Who::Public,
            Some(r) if r.starts_with("screen:") => Who::Screen,
            Some(_) => Who::Other,
        };
        let follows_views = views && who != Who::Other;
        let key = (follows_views && T::KIND == Kind::Service)
            .then(|| role.clone().unwrap_or_else(|| PUBLIC_KEY.to_owned()));
        Ok(ViewerConfig {
            url,
            fallbacks,
            wire: target.wire(role, follows_views)?,
            class,
            who,
            key,
            slow: false,
            reconnect: true,
            read_buffer_size: s.read_buffer,
            initial_seq: 0,
        })
    };
    let screens = if ep.screens.is_empty() {
        vec!["hall-left".to_owned()]
    } else {
        ep.screens.clone()
    };
    let delegations = if ep.delegations.is_empty() {
        vec!["hn".to_owned()]
    } else {
        ep.delegations.clone()
    };
    if hall {
        for i in 0..s.consoles {
            let d = &delegations[i % delegations.len()];
            let role = format!("delegation:{d}");
            pool.spawn(&rt.hall, config(Some(role), Class::Hall, i)?, false);
        }
        for i in 0..s.hall_screens {
            let sc = &screens[i % screens.len()];
            let role = format!("screen:{sc}");
            let at = s.consoles + i;
            pool.spawn(&rt.hall, config(Some(role), Class::Hall, at)?, false);
        }
    }
    for i in bulk {
        let role = (i < s.screens).then(|| format!("screen:{}", screens[i % screens.len()]));
        pool.spawn(&rt.main, config(role, Class::Bulk, i)?, false);
    }
    Ok(())
}

/// The public's view document, as [`ViewerConfig::key`] names it (a room
/// screen's is its role key, `screen:ID`).
pub const PUBLIC_KEY: &str = "public";

fn kb_per_connection(
    before: Option<ProcSample>,
    after: Option<ProcSample>,
    conns: usize,
) -> Option<f64> {
    let (b, a) = (before?, after?);
    (conns > 0).then(|| (a.rss_kib as f64 - b.rss_kib as f64) * 1.024 / conns as f64)
}

/// What the rounds of one run hand on to each other.
#[derive(Clone, Debug, Default)]
pub struct Session {
    /// The frames the floor's chair sends, copied from the service's.
    pub frames: FloorFrames,
    /// Floor-request storms the service has had: each opens the next
    /// debate.
    pub storms: usize,
}

/// One round against one target. Adds its figures to `report` and
/// returns whether every delivery check passed.
pub async fn round(
    rt: &Runtimes,
    ep: &Endpoint,
    s: &Settings,
    session: &mut Session,
    report: &mut Report,
) -> anyhow::Result<bool> {
    match ep.kind {
        Kind::Service => round_on(rt, &Service(ep), s, session, report).await,
        Kind::Floor => round_on(rt, &Floor(ep), s, session, report).await,
    }
}

/// [`round`] on one target.
pub async fn round_on<T: Target>(
    rt: &Runtimes,
    target: &T,
    s: &Settings,
    session: &mut Session,
    report: &mut Report,
) -> anyhow::Result<bool> {
    session.frames.views = s.stream == Stream::Views;
    let (mut r, mut all_ok) =
        Round::connect_and_hold(rt, target, s, &session.frames, report).await?;
    if s.commands > 0 {
        all_ok &= r.chair_burst(&mut session.frames, report).await?;
    }
    if s.storm > 0 {
        all_ok &= r.storm(&mut session.storms, report).await?;
    }
    if let Some(spread) = s.reconnect_spread {
        all_ok &= r.reconnect_storm(spread, report).await?;
    }
    T::close(r.chair).await;
    r.pool.stop().await;
    Ok(all_ok)
}

/// A round under way: its target, viewers and chair.
struct Round<'a, T: Target> {
    rt: &'a Runtimes,
    target: &'a T,
    s: &'a Settings,
    label: String,
    pool: Pool,
    chair: T::Chair,
    /// Every connection to the target: the viewers, and the chair when it
    /// is not one of them.
    conns: usize,
}

impl<'a, T: Target> Round<'a, T> {
    /// Connects the hall and half the bulk, then the other half, and holds
    /// them idle. Memory per connection is the slope between the two
    /// halves (what one more connection costs, without the process's
    /// one-time allocations). Also returns whether every viewer connected.
    async fn connect_and_hold(
        rt: &'a Runtimes,
        target: &'a T,
        s: &'a Settings,
        frames: &FloorFrames,
        report: &mut Report,
    ) -> anyhow::Result<(Round<'a, T>, bool)> {
        let ep = target.endpoint();
        let kind = T::KIND;
        let label = s.label();
        let started = now_ns();
        let mut pool = Pool::new(s.connect_concurrency);
        let bulk = s.screens + s.public;
        let half = bulk / 2;
        populate(&mut pool, rt, target, s, true, 0..half)?;
        let chair = target
            .connect_chair(rt, &mut pool, s.read_buffer, frames)
            .await?;
        let timeout = Duration::from_secs(60) + Duration::from_millis(bulk as u64 * 5);
        let first = pool.wait_ready(1, timeout).await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        let at_half = ep.sample();
        populate(&mut pool, rt, target, s, false, half..bulk)?;
        let expected = pool.viewers.len();
        let ready = pool.wait_ready(1, timeout).await;
        let connect_s = ms(started, now_ns()) / 1e3;
        progress(format!(
            "{}: {ready}/{expected} viewers connected in {connect_s:.1} s",
            kind.as_str()
        ));
        report.add(&label, "connect all viewers", "s", kind, connect_s);
        if ready < expected {
            report.note(format!(
                "{} round: only {ready} of {expected} viewers connected",
                kind.as_str()
            ));
        }

        // Idle hold.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let settled = ep.sample();
        tokio::time::sleep(s.hold).await;
        let held = ep.sample();
        let still = pool.ready_count();
        report.add(
            &label,
            "idle hold: connections held",
            "",
            kind,
            (still + T::CHAIR_CONNECTIONS) as f64,
        );
        if bulk - half >= 100
            && let Some(kb) = kb_per_connection(at_half, held, ready.saturating_sub(first))
        {
            report.add(&label, "server memory per idle connection", "KB", kind, kb);
        }
        if let (Some(a), Some(b)) = (settled, held) {
            let idle =
                (b.cpu_ns.saturating_sub(a.cpu_ns)) as f64 / s.hold.as_nanos() as f64 * 100.0;
            report.add(&label, "idle server CPU", "% of a core", kind, idle);
        }
        if let Some(b) = held {
            report.add(
                &label,
                "server RSS with everyone connected",
                "MB",
                kind,
                b.rss_kib as f64 * 1.024 / 1000.0,
            );
        }
        let round = Round {
            rt,
            target,
            s,
            label,
            pool,
            chair,
            conns: ready + T::CHAIR_CONNECTIONS,
        };
        Ok((round, ready == expected))
    }

    /// The chair's burst: fan-out latency, the chair's ack, CPU and bytes
    /// per delivered event.
    async fn chair_burst(
        &mut self,
        frames: &mut FloorFrames,
        report: &mut Report,
    ) -> anyhow::Result<bool> {
        let (s, pool, kind) = (self.s, &self.pool, T::KIND);
        pool.record(true);
        let seq0 = T::seq(&self.chair);
        let bytes0: Vec<u64> = pool.viewers.iter().map(|v| v.bytes()).collect();
        let cpu0 = self.target.endpoint().sample();
        let plan = BurstPlan::every(s.commands, s.interval);
        let burst = chair_burst::<T>(&mut self.chair, pool, plan).await?;
        let expect = self.target.expect(pool, burst.last_seq).await?;
        let behind = pool.wait_for(&expect, Duration::from_secs(60)).await;
        let cpu1 = self.target.endpoint().sample();
        pool.record(false);
        T::learn(&mut self.chair, frames);
        if T::KIND == Kind::Service {
            frames.learn_patches(pool);
        }
        let l = latencies(pool, &burst.sent);
        let n = l.last.len().max(1);
        let scen = format!("chair burst, {}", self.label);
        let all = Summary::of_ns(l.all.clone());
        report.add(&scen, "per delivery p50", "ms", kind, all.p50_ms);
        report.add(&scen, "per delivery p99", "ms", kind, all.p99_ms);
        let last = Summary::of_ns(l.last.values().copied().collect());
        report.add(&scen, "last client p50", "ms", kind, last.p50_ms);
        report.add(&scen, "last client p99", "ms", kind, last.p99_ms);
        report.add(&scen, "last client max", "ms", kind, last.max_ms);
        let hall = Summary::of_ns(l.hall.clone());
        let hall_p99 = "hall (consoles, room screens) p99";
        report.add(&scen, hall_p99, "ms", kind, hall.p99_ms);
        let acks = Summary::of_ns(T::chair_acks(&burst, &l));
        let ack_p99 = "chair ack p99 (floor: own echo)";
        report.add(&scen, ack_p99, "ms", kind, acks.p99_ms);
        if let (Some(a), Some(b)) = (cpu0, cpu1) {
            // Every connection receives every event (the chair's too).
            let deliveries = (n * self.conns) as f64;
            let us = (b.cpu_ns.saturating_sub(a.cpu_ns)) as f64 / 1e3 / deliveries;
            report.add(&scen, "server CPU per delivered event", "µs", kind, us);
        }
        // Bytes of the text frames a display received over the burst, per
        // event committed in it: on the event stream every event and an
        // insight per batch; on the views stream the patches, only when a
        // batch changed the display's document.
        let events = burst.last_seq.saturating_sub(seq0);
        for (who, metric) in [(Who::Public, BYTES_PUBLIC), (Who::Screen, BYTES_SCREEN)] {
            let (mut bytes, mut clients) = (0u64, 0u64);
            for (v, b0) in pool.viewers.iter().zip(&bytes0) {
                if v.who == who && v.class != Class::Commander {
                    bytes += v.bytes().saturating_sub(*b0);
                    clients += 1;
                }
            }
            if clients > 0 && events > 0 {
                let per_event = bytes as f64 / clients as f64 / events as f64;
                report.add(&scen, metric, "B", kind, per_event);
            }
        }
        let d = Delivery::check(&watchers(pool), &expect);
        progress(format!(
            "{}: burst of {} ({events} events) → last client p50 {:.1} ms p99 {:.1} ms over {} commands; {}",
            kind.as_str(),
            s.commands,
            last.p50_ms,
            last.p99_ms,
            l.last.len(),
            d.describe(&watchers(pool))
        ));
        report.add(&scen, GAPS, "", kind, d.failed() as f64);
        let refused = "commands refused or lost";
        report.add(&scen, refused, "", kind, burst.refused as f64);
        report_chair_reconnects(&scen, &burst, kind, report);
        Ok(d.ok() && behind == 0 && burst.refused == 0)
    }

    /// Floor-request storm: all `s.storm` delegations request the floor
    /// within one second, each at its own instant, and the time to each
    /// one's ack is measured.
    async fn storm(&mut self, storms: &mut usize, report: &mut Report) -> anyhow::Result<bool> {
        let (target, kind, m) = (self.target, T::KIND, self.s.storm);
        let scen = format!(
            "floor-request storm, {m} delegations in 1 s, {}",
            self.label
        );
        let storm = target
            .storm_start(&mut self.chair, &self.pool, storms, m)
            .await?;
        let mut senders = Pool::new(self.s.connect_concurrency);
        for i in 0..m {
            let config = target.storm_sender(&storm, i, self.s.read_buffer)?;
            senders.spawn(&self.rt.main, config, true);
        }
        let ready = senders.wait_ready(1, Duration::from_secs(60)).await;
        if ready < m {
            bail!("only {ready} of {m} delegations connected");
        }
        let cpu0 = target.endpoint().sample();
        let start = tokio::time::Instant::now() + Duration::from_millis(50);
        let mut jitter = Jitter::new(7);
        let mut order: Vec<(tokio::time::Instant, usize)> = (0..m)
            .map(|i| {
                let spread = Duration::from_secs(1).mul_f64(i as f64 / m as f64);
                (start + spread + jitter.below(Duration::from_millis(5)), i)
            })
            .collect();
        order.sort();
        let mut sent_at = vec![0u64; m];
        for (at, i) in order {
            let text = target.storm_frame(&storm, i)?;
            tokio::time::sleep_until(at).await;
            sent_at[i] = now_ns();
            senders.send(i, vec![text]);
        }
        let replies = target.storm_replies(&self.pool, &senders, &sent_at).await;
        let cpu1 = target.endpoint().sample();
        let durable = target.storm_durable(self.rt, &storm, m).await?;
        let (failed, described) = target.storm_delivery(&storm, &self.pool, &senders, &replies);
        let a = Summary::of_ns(replies.acks);
        report.add(&scen, "ack p50", "ms", kind, a.p50_ms);
        report.add(&scen, "ack p99", "ms", kind, a.p99_ms);
        report.add(&scen, "ack max", "ms", kind, a.max_ms);
        report.add(&scen, "acked", "", kind, a.count as f64);
        if let Some(on_list) = durable {
            let what = "durable (on the list in a new connection's snapshot)";
            report.add(&scen, what, "", kind, on_list as f64);
        }
        if let (Some(x), Some(y)) = (cpu0, cpu1) {
            let cpu_ms = (y.cpu_ns - x.cpu_ns) as f64 / 1e6;
            report.add(&scen, "server CPU during the storm", "ms", kind, cpu_ms);
        }
        report.add(&scen, GAPS, "", kind, failed as f64);
        progress(format!(
            "{}: storm of {m}: {} acked, ack p99 {:.1} ms{}; {described}",
            kind.as_str(),
            a.count,
            a.p99_ms,
            durable.map_or_else(String::new, |n| format!(", {n} on the list")),
        ));
        senders.stop().await;
        T::drain(&mut self.chair);
        Ok(a.count == m && durable.is_none_or(|n| n == m) && failed == 0 && replies.behind == 0)
    }

    /// Every viewer drops its connection at once and comes back within
    /// `spread`; on the service the chair sends while they are away, so
    /// the resumes carry missed events.
    async fn reconnect_storm(
        &mut self,
        spread: Duration,
        report: &mut Report,
    ) -> anyhow::Result<bool> {
        let (pool, kind) = (&self.pool, T::KIND);
        let scen = format!(
            "reconnect storm, {}, back within {} s",
            self.label,
            spread.as_secs_f64()
        );
        let connects: Vec<u64> = pool.viewers.iter().map(|v| v.connects()).collect();
        let snapshots: u64 = pool.viewers.iter().map(|v| v.snapshot_resumes()).sum();
        let t0 = now_ns();
        pool.act(Action::Drop {
            spread_millis: u64::try_from(spread.as_millis()).unwrap_or(u64::MAX),
        });
        if T::COMMANDS_WHILE_AWAY > 0 {
            let plan = BurstPlan::every(T::COMMANDS_WHILE_AWAY, Duration::from_millis(20));
            chair_burst::<T>(&mut self.chair, pool, plan).await?;
        }
        let deadline = tokio::time::Instant::now() + spread + Duration::from_secs(60);
        let resumed = wait_until_back(pool, &connects, deadline).await;
        let all_back_s = resumed.iter().max().map_or(f64::NAN, |m| ms(t0, *m) / 1e3);
        // One more command, which every viewer must get exactly once.
        let burst = chair_burst::<T>(&mut self.chair, pool, BurstPlan::one()).await?;
        let expect = self.target.expect(pool, burst.last_seq).await?;
        let behind = pool.wait_for(&expect, Duration::from_secs(30)).await;
        let d = Delivery::check(&watchers(pool), &expect);
        report_chair_reconnects(&scen, &burst, kind, report);
        let snapshot_resumes = pool
            .viewers
            .iter()
            .map(|v| v.snapshot_resumes())
            .sum::<u64>()
            - snapshots;
        report.add(&scen, "all back (from the drop)", "s", kind, all_back_s);
        report.add(&scen, "resumed", "", kind, resumed.len() as f64);
        if T::RESUMES {
            report.add(&scen, SNAPSHOT_RESUMES, "", kind, snapshot_resumes as f64);
        }
        report.add(&scen, GAPS, "", kind, d.failed() as f64);
        progress(format!(
            "{}: reconnect storm: {} back in {all_back_s:.2} s, {snapshot_resumes} via snapshot; {}",
            kind.as_str(),
            resumed.len(),
            d.describe(&watchers(pool))
        ));
        T::drain(&mut self.chair);
        Ok(d.ok() && behind == 0 && resumed.len() == pool.viewers.len())
    }
}

/// The delivery check's row.
const GAPS: &str = "clients with a gap, duplicate or missing event";
/// Bytes per delivered event, by display.
pub const BYTES_PUBLIC: &str = "bytes per delivered event, public viewer";
pub const BYTES_SCREEN: &str = "bytes per delivered event, room screen";
const SNAPSHOT_RESUMES: &str = "resumed with a snapshot instead of the missed events";

fn report_chair_reconnects(scen: &str, burst: &Burst, kind: Kind, report: &mut Report) {
    if burst.chair_reconnects > 0 {
        let what = "chair connection cut loose and resumed";
        report.add(scen, what, "", kind, burst.chair_reconnects as f64);
    }
}

/// Waits (until `deadline`) for every viewer to have reconnected since
/// `connects` was taken and caught up, or given up; returns when each one
/// that reconnected was ready again.
async fn wait_until_back(
    pool: &Pool,
    connects: &[u64],
    deadline: tokio::time::Instant,
) -> Vec<u64> {
    loop {
        let back = pool
            .viewers
            .iter()
            .zip(connects)
            .all(|(v, c)| v.gave_up() || (v.connects() > *c && v.is_ready()));
        if back || tokio::time::Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    pool.viewers
        .iter()
        .zip(connects)
        .filter(|(v, c)| v.connects() > **c)
        .map(|(v, _)| v.ready_ns())
        .collect()
}

pub(crate) fn watchers(pool: &Pool) -> Vec<Arc<ViewerState>> {
    pool.viewers
        .iter()
        .filter(|v| v.class != Class::Commander)
        .cloned()
        .collect()
}

/// Frames the chair's client queued and nobody reads: dropped, after the
/// first event and insight are kept as the floor's frames.
pub(crate) fn learn_frames(client: &mut Client, frames: &mut FloorFrames) {
    let mut event = None;
    let mut insight = None;
    while let Some(Ok(m)) = client.try_next_frame() {
        match &m {
            ServerMessage::Event(_) if event.is_none() => event = Some(m),
            ServerMessage::Insight(_) if insight.is_none() && event.is_some() => insight = Some(m),
            _ => {}
        }
    }
    if let (Some(e), Some(i)) = (event, insight) {
        frames.learn(&e, &i);
    }
}

/// What the durable-commands scenario runs.
#[derive(Clone, Copy, Debug)]
pub struct DurableLoad {
    /// Chair connections …
    pub writers: usize,
    /// … each with this many commands in flight …
    pub window: usize,
    /// … for this long.
    pub duration: Duration,
    /// The store, as the table names it.
    pub backend: &'static str,
    /// Acked commands per second the target asks for.
    pub goal: f64,
}

impl DurableLoad {
    /// 8 writers × 64 in flight for 5 s.
    pub fn standard(backend: &'static str, goal: f64) -> DurableLoad {
        DurableLoad {
            writers: 8,
            window: 64,
            duration: Duration::from_secs(5),
            backend,
            goal,
        }
    }
}

/// Durable commands per second: `writers` chair connections, each with
/// `window` commands in flight, for `duration`. Every ack means committed
/// (the service acks only after the transaction commits).
pub async fn durable(
    rt: &Runtimes,
    ep: &Endpoint,
    load: DurableLoad,
    report: &mut Report,
) -> anyhow::Result<bool> {
    let DurableLoad {
        writers,
        window,
        duration,
        backend,
        goal,
    } = load;
    let scen = format!("durable commands/s, {backend}, {writers} writers × {window} in flight");
    let mut clients = Vec::new();
    for _ in 0..writers {
        clients.push(connect_on(&rt.main, &ep.url, Hello::access_code(ep.code("chair")?)).await?);
    }
    let start_seq = clients.first().map_or(0, Client::welcome_seq);
    let cpu0 = ep.sample();
    let started = tokio::time::Instant::now();
    let deadline = started + duration;
    let runs = clients.into_iter().map(|mut client| async move {
        let mut inflight = futures_util::stream::FuturesUnordered::new();
        let mut acked = 0u64;
        let mut refused = 0u64;
        let mut latencies = Vec::new();
        let mut i = 0usize;
        loop {
            let open = tokio::time::Instant::now() < deadline;
            while open && inflight.len() < window {
                let t = now_ns();
                let pending = client.submit(new_command_id(), push_message(i)).await?;
                i += 1;
                inflight.push(async move { (pending.wait().await, now_ns() - t) });
            }
            if inflight.is_empty() {
                break;
            }
            tokio::select! {
                done = inflight.next() => match done {
                    Some((Ok(plenary_client::CommandReply::Acked { .. }), d)) => { acked += 1; latencies.push(d); }
                    Some(_) => refused += 1,
                    None => {}
                },
                // Frames nobody reads would pile up in the client.
                _frame = client.next_frame() => {}
            }
        }
        let last = client.last_seq();
        client.close().await;
        anyhow::Ok((acked, refused, latencies, last))
    });
    let mut acked = 0;
    let mut refused = 0;
    let mut latencies = Vec::new();
    for r in futures_util::future::join_all(runs).await {
        let (a, f, l, _) = r?;
        acked += a;
        refused += f;
        latencies.extend(l);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu1 = ep.sample();
    // Durable: a new connection starts at the last committed seq.
    let fresh = connect_on(&rt.hall, &ep.url, Hello::access_code(ep.code("chair")?)).await?;
    let committed = fresh.welcome_seq().saturating_sub(start_seq);
    fresh.close().await;
    let rate = acked as f64 / elapsed;
    let lat = Summary::of_ns(latencies);
    report.add(
        &scen,
        "acked (durable) commands per second",
        "/s",
        Kind::Service,
        rate,
    );
    report.goal(
        &scen,
        "acked (durable) commands per second",
        "/s",
        Goal::at_least(goal),
    );
    report.add(&scen, "ack p50 under load", "ms", Kind::Service, lat.p50_ms);
    report.add(&scen, "ack p99 under load", "ms", Kind::Service, lat.p99_ms);
    if let (Some(x), Some(y)) = (cpu0, cpu1) {
        report.add(
            &scen,
            "server CPU per command",
            "µs",
            Kind::Service,
            (y.cpu_ns - x.cpu_ns) as f64 / 1e3 / acked.max(1) as f64,
        );
    }
    report.add(
        &scen,
        "events committed minus commands acked",
        "",
        Kind::Service,
        committed as f64 - acked as f64,
    );
    progress(format!(
        "durable ({backend}): {acked} acked in {elapsed:.1} s = {rate:.0}/s, {refused} refused, {committed} events committed"
    ));
    Ok(refused == 0 && committed >= acked)
}

/// Clock skew: `clients` connections whose local clocks are off by up to
/// ±5 s, and whose every exchange is delayed by up to `jitter` each way,
/// estimate the server's clock with the client crate's NTP-style
/// [`TimeSyncEstimate`]. Each then displays server time as local clock +
/// estimate; the disagreement between two clients is the difference of
/// their errors.
pub async fn skew(
    ep: &Endpoint,
    clients: usize,
    samples: usize,
    jitter: Duration,
    report: &mut Report,
) -> anyhow::Result<bool> {
    let scen = format!(
        "clock skew, {clients} clients, offsets ±5 s, jitter 0–{} ms each way",
        jitter.as_millis()
    );
    let runs = (0..clients).map(|i| {
        let url = ep.url.clone();
        let hello = Hello::public(ep.meeting.as_str());
        async move {
            let mut rng = Jitter::new(1000 + i as u64);
            let offset = (rng.unit() * 2.0 - 1.0) * 5000.0;
            let est = skewed_sync(&url, hello, offset, samples, jitter, &mut rng).await?;
            // What this client would display minus the server's clock.
            anyhow::Ok(est.offset_ms + offset)
        }
    });
    let mut errors = Vec::new();
    for r in futures_util::future::join_all(runs).await {
        errors.push(r?);
    }
    let mut pairs = Vec::new();
    for (i, a) in errors.iter().enumerate() {
        for b in &errors[i + 1..] {
            pairs.push((a - b).abs());
        }
    }
    let dis = Summary::of_ms(&pairs);
    let abs: Vec<f64> = errors.iter().map(|e| e.abs()).collect();
    let err = Summary::of_ms(&abs);
    report.add(
        &scen,
        "displayed-time disagreement between clients p95",
        "ms",
        Kind::Service,
        dis.p95_ms,
    );
    report.goal(
        &scen,
        "displayed-time disagreement between clients p95",
        "ms",
        Goal::at_most(10.0),
    );
    report.add(&scen, "disagreement max", "ms", Kind::Service, dis.max_ms);
    report.add(
        &scen,
        "error against the server's clock p95",
        "ms",
        Kind::Service,
        err.p95_ms,
    );
    progress(format!(
        "skew: disagreement p95 {:.2} ms, max {:.2} ms",
        dis.p95_ms, dis.max_ms
    ));
    Ok(true)
}

async fn skewed_sync(
    url: &str,
    hello: Hello,
    offset_ms: f64,
    samples: usize,
    jitter: Duration,
    rng: &mut Jitter,
) -> anyhow::Result<TimeSyncEstimate> {
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await?;
    ws.send(Message::text(serde_json::to_string(&hello.to_message())?))
        .await?;
    // Up to the first insight.
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(t))) if t.as_str().starts_with("{\"type\":\"insight\"") => break,
            Some(Ok(_)) => {}
            _ => bail!("closed during the handshake"),
        }
    }
    let local = |o: f64| local_now_ms() + o;
    let mut taken: Vec<TimeSample> = Vec::new();
    for _ in 0..samples.max(1) {
        let t0 = local(offset_ms);
        // Network delay on the way up and down, different every time.
        tokio::time::sleep(rng.below(jitter)).await;
        ws.send(Message::text(serde_json::to_string(
            &ClientMessage::TimeSync { t0 },
        )?))
        .await?;
        let (t1, t2) = loop {
            match ws.next().await {
                Some(Ok(Message::Text(t))) => {
                    if let Ok(ServerMessage::TimeSync { t1, t2, .. }) =
                        serde_json::from_str(t.as_str())
                    {
                        break (t1, t2);
                    }
                }
                Some(Ok(_)) => {}
                _ => bail!("closed during time sync"),
            }
        };
        tokio::time::sleep(rng.below(jitter)).await;
        let t3 = local(offset_ms);
        taken.push(TimeSample { t0, t1, t2, t3 });
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _closed = ws.close(None).await;
    TimeSyncEstimate::from_samples(&taken).context("no time sample")
}

/// Slow consumers: `slow` viewers (with a 4 KiB socket receive buffer)
/// stop reading while the chair sends faster than they could take; the
/// service must cut them loose without delaying the others, and they must
/// come back gap-free by resuming.
pub async fn slow_consumers(
    rt: &Runtimes,
    ep: &Endpoint,
    normal: usize,
    slow: usize,
    commands: usize,
    read_buffer: usize,
    report: &mut Report,
) -> anyhow::Result<bool> {
    let scen = format!("slow consumers: {slow} stop reading for 3 s among {normal}");
    // On the event stream, whatever the run's: every notice is a frame to
    // every viewer, so a stopped reader's queue fills (on the views
    // stream, a batch of notices is one patch, and only to room screens).
    let pool = public_viewers(rt, ep, Stream::Events, normal, slow, read_buffer, 256);
    pool.wait_ready(1, Duration::from_secs(60)).await;
    let mut chair = ServiceChair::connect(rt, ep).await?;
    pool.act(Action::PauseSlow { millis: 3000 });
    pool.record(true);
    let plan = BurstPlan {
        commands,
        per_tick: 20,
        interval: Duration::from_millis(10),
        // Long notices (8 KB each): a stopped reader's socket buffers (the
        // kernel grows the server's send buffer to megabytes) and then
        // its queue fill within the pause.
        pad: 8 * 1024,
    };
    let burst = chair_burst::<Service<'_>>(&mut chair, &pool, plan).await?;
    let expect = Expect::seq(burst.last_seq);
    let behind = pool.wait_for(&expect, Duration::from_secs(30)).await;
    pool.record(false);
    let l = latencies(&pool, &burst.sent);
    let cut: u64 = pool.viewers.iter().map(|v| v.too_slow()).sum();
    let slow_back = pool
        .viewers
        .iter()
        .filter(|v| v.slow && v.connects() >= 2)
        .count();
    let d = Delivery::check(&pool.viewers, &expect);
    let snaps: u64 = pool.viewers.iter().map(|v| v.snapshot_resumes()).sum();
    report.add(
        &scen,
        "slow clients cut loose (too slow)",
        "",
        Kind::Service,
        cut as f64,
    );
    report.add(
        &scen,
        "slow clients back and resumed",
        "",
        Kind::Service,
        slow_back as f64,
    );
    report.add(
        &scen,
        "resumed with a snapshot",
        "",
        Kind::Service,
        snaps as f64,
    );
    // The slow ones' latencies include their pause: only the others count.
    report.add(
        &scen,
        "delivery p99 of the clients that keep reading",
        "ms",
        Kind::Service,
        Summary::of_ns(l.fast.clone()).p99_ms,
    );
    report.add(
        &scen,
        "clients with a gap, duplicate or missing event",
        "",
        Kind::Service,
        (d.with_violations + d.behind + d.gave_up) as f64,
    );
    progress(format!(
        "slow consumers: {cut} cut loose, {slow_back}/{slow} resumed; {}",
        d.describe(&pool.viewers)
    ));
    Service::close(chair).await;
    pool.stop().await;
    Ok(d.ok() && behind == 0)
}

/// `normal + slow` public viewers of the service following `stream`, the
/// last `slow` of them slow consumers.
fn public_viewers(
    rt: &Runtimes,
    ep: &Endpoint,
    stream: Stream,
    normal: usize,
    slow: usize,
    read_buffer: usize,
    concurrent_connects: usize,
) -> Pool {
    let mut pool = Pool::new(concurrent_connects);
    let views = stream == Stream::Views;
    let mut hello = Hello::public(ep.meeting.as_str());
    if views {
        hello = hello.views();
    }
    for i in 0..normal + slow {
        pool.spawn(
            &rt.main,
            ViewerConfig {
                url: ep.url.clone(),
                fallbacks: Vec::new(),
                wire: Wire::Plenary {
                    hello: hello.clone(),
                },
                class: Class::Bulk,
                who: Who::Public,
                key: views.then(|| PUBLIC_KEY.to_owned()),
                slow: i >= normal,
                reconnect: true,
                read_buffer_size: read_buffer,
                initial_seq: 0,
            },
            false,
        );
    }
    pool
}

/// Restart: `clients` public viewers follow the meeting; the service is
/// stopped (SIGTERM) and started again on the same database; every viewer
/// must come back by itself and resume gap-free.
pub async fn restart(
    rt: &Runtimes,
    spawned: &mut Spawned,
    clients: usize,
    read_buffer: usize,
    stream: Stream,
    report: &mut Report,
) -> anyhow::Result<bool> {
    let ep = spawned.endpoint.clone();
    let scen = format!("reconnect storm after a server restart, {clients} clients");
    let pool = public_viewers(rt, &ep, stream, clients, 0, read_buffer, 512);
    let ready = pool.wait_ready(1, Duration::from_secs(120)).await;
    progress(format!(
        "restart: {ready}/{clients} connected; restarting the service"
    ));
    let mut chair = ServiceChair::connect(rt, &ep).await?;
    let burst = chair_burst::<Service<'_>>(&mut chair, &pool, BurstPlan::one()).await?;
    let expect = Service(&ep).expect(&pool, burst.last_seq).await?;
    pool.wait_for(&expect, Duration::from_secs(30)).await;
    let connects: Vec<u64> = pool.viewers.iter().map(|v| v.connects()).collect();
    let snapshots: u64 = pool.viewers.iter().map(|v| v.snapshot_resumes()).sum();
    Service::close(chair).await;
    let t0 = now_ns();
    let away = spawned.restart().await?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    let resumed = wait_until_back(&pool, &connects, deadline).await;
    let all_back = resumed.iter().max().map_or(f64::NAN, |m| ms(t0, *m) / 1e3);
    let snapshot_resumes = pool
        .viewers
        .iter()
        .map(|v| v.snapshot_resumes())
        .sum::<u64>()
        - snapshots;
    // After the restart, one command that everyone must get once.
    let ep = spawned.endpoint.clone();
    let mut chair = ServiceChair::connect(rt, &ep).await?;
    let burst = chair_burst::<Service<'_>>(&mut chair, &pool, BurstPlan::one()).await?;
    let expect = Service(&ep).expect(&pool, burst.last_seq).await?;
    let behind = pool.wait_for(&expect, Duration::from_secs(30)).await;
    let d = Delivery::check(&pool.viewers, &expect);
    report.add(
        &scen,
        "all resumed, from the stop",
        "s",
        Kind::Service,
        all_back,
    );
    report.goal(
        &scen,
        "all resumed, from the stop",
        "s",
        Goal::at_most(10.0),
    );
    report.add(
        &scen,
        "server away (stop + start)",
        "s",
        Kind::Service,
        away.as_secs_f64(),
    );
    report.add(&scen, "resumed", "", Kind::Service, resumed.len() as f64);
    report.add(
        &scen,
        "resumed with a snapshot instead of the missed events",
        "",
        Kind::Service,
        snapshot_resumes as f64,
    );
    report.add(
        &scen,
        "clients with a gap, duplicate or missing event",
        "",
        Kind::Service,
        (d.with_violations + d.behind + d.gave_up) as f64,
    );
    progress(format!(
        "restart: {} of {clients} resumed {all_back:.2} s after the stop (away {:.2} s), {snapshot_resumes} via snapshot; {}",
        resumed.len(),
        away.as_secs_f64(),
        d.describe(&pool.viewers)
    ));
    Service::close(chair).await;
    pool.stop().await;
    Ok(d.ok() && behind == 0 && resumed.len() == clients)
}
