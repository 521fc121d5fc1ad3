//! The scenarios, and how each figure is measured.
//!
//! A *round* connects the viewers to one target, holds them idle, runs the
//! chair burst, the floor-request storm and the reconnect storm, checks
//! delivery and disconnects. The caller alternates rounds between the
//! service and the floor (A B A B …). Scenarios that only the service can
//! do (durability, slow consumers cut loose and resumed, clock sync,
//! restart) run once, after the rounds.
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
    CatchUp, Client, ConnectOptions, Hello, TimeSample, TimeSyncEstimate, local_now_ms,
    new_command_id,
};
use plenary_core::display::ScreenTarget;
use plenary_core::i18n::Texts;
use plenary_core::ids::{DelegationId, ItemId};
use plenary_core::rules::RequestKind;
use plenary_core::{Command, Event, Role, Timestamp};
use plenary_protocol::{ClientMessage, EventFrame, ServerMessage};

use crate::clock::{Jitter, ms, now_ns};
use crate::limits::next_source_addr;
use crate::procstat::ProcSample;
use crate::progress;
use crate::report::{Goal, Report};
use crate::stats::Summary;
use crate::target::{Endpoint, Kind};
use crate::viewer::{Action, Class, Pool, ViewerConfig, ViewerState, Wire};

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
        parts.join(" + ")
    }
}

/// The frames the floor's chair sends: the same bytes as the service's
/// frames for a chair command (an event frame and the insight that follows
/// every committed batch), with the seq rewritten.
#[derive(Clone, Debug)]
pub struct FloorFrames {
    /// The event frame after `{"type":"event","seq":N`.
    event_tail: String,
    insight: String,
    /// Whether they were copied from the service (else synthetic).
    pub from_service: bool,
    seq: u64,
}

const EVENT_HEAD: &str = "{\"type\":\"event\",\"seq\":";

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
            from_service: false,
            seq: 0,
        }
    }
}

fn tail_after_seq(event_text: &str) -> Option<String> {
    let rest = event_text.strip_prefix(EVENT_HEAD)?;
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

    fn next(&mut self) -> (u64, [String; 2]) {
        self.seq += 1;
        (
            self.seq,
            [
                format!("{EVENT_HEAD}{}{}", self.seq, self.event_tail),
                self.insight.clone(),
            ],
        )
    }

    pub fn sizes(&self) -> (usize, usize) {
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
fn push_message_padded(i: usize, pad: usize) -> Command {
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

/// Who sends the chair's commands.
#[derive(Debug)]
pub enum Chair {
    Service(Box<Client>),
    /// A viewer of the pool that also writes.
    Floor(usize),
}

/// A burst's raw results.
#[derive(Debug, Default)]
pub struct Burst {
    /// Send instant by event seq.
    pub sent: BTreeMap<u64, u64>,
    /// Send → ack (service) or send → own echo (floor), ns.
    pub acks: Vec<u64>,
    pub refused: usize,
    pub last_seq: u64,
    /// Times the chair's connection ended and was resumed.
    pub chair_reconnects: usize,
}

/// Sends `count` chair commands, `per_tick` at a time every `interval`,
/// each notice padded by `pad` bytes, and waits for their acks.
#[allow(clippy::too_many_arguments)]
pub async fn chair_burst(
    rt: &Runtimes,
    chair: &mut Chair,
    pool: &Pool,
    frames: &mut FloorFrames,
    count: usize,
    per_tick: usize,
    interval: Duration,
    pad: usize,
) -> anyhow::Result<Burst> {
    let mut burst = Burst::default();
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut waits = Vec::new();
    let mut sent = 0;
    while sent < count {
        tick.tick().await;
        let n = per_tick.min(count - sent);
        match chair {
            Chair::Service(client) => {
                let batch: Vec<(String, Command)> = (sent..sent + n)
                    .map(|i| (new_command_id(), push_message_padded(i, pad)))
                    .collect();
                let t = now_ns();
                let pending = match client.submit_batch(batch.clone()).await {
                    Ok(p) => p,
                    Err(e) => {
                        // Cut loose (or lost): come back like a console
                        // would, resuming, and send again.
                        progress(format!("the chair's connection ended ({e}); reconnecting"));
                        burst.chair_reconnects += 1;
                        **client = reconnect_on(&rt.hall, client).await?;
                        client.submit_batch(batch).await?
                    }
                };
                for pending in pending {
                    // Awaited on the hall runtime: few tasks, so the ack's
                    // arrival is noted when it happens.
                    waits.push(rt.hall.spawn(async move {
                        let reply = pending.wait().await;
                        (t, reply, now_ns())
                    }));
                }
            }
            Chair::Floor(index) => {
                let mut out = Vec::with_capacity(2 * n);
                let mut seqs = Vec::with_capacity(n);
                for _ in 0..n {
                    let (seq, [event, insight]) = frames.next();
                    out.push(event);
                    out.push(insight);
                    seqs.push(seq);
                }
                let t = now_ns();
                if !pool.send(*index, out) {
                    bail!("the floor chair's connection is gone");
                }
                for seq in seqs {
                    burst.sent.insert(seq, t);
                    burst.last_seq = seq;
                }
            }
        }
        sent += n;
    }
    for w in waits {
        let (t, reply, at) = w.await?;
        match reply {
            Ok(plenary_client::CommandReply::Acked { seq }) => {
                burst.sent.insert(seq, t);
                burst.acks.push(at - t);
                burst.last_seq = burst.last_seq.max(seq);
            }
            Ok(plenary_client::CommandReply::Refused { .. }) | Err(_) => burst.refused += 1,
        }
    }
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

pub fn latencies(pool: &Pool, sent: &BTreeMap<u64, u64>) -> Latencies {
    let mut l = Latencies::default();
    for v in &pool.viewers {
        for (seq, at) in v.take_log() {
            let Some(t) = sent.get(&seq) else { continue };
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

/// Delivery check over the watchers: how many saw a gap or a duplicate,
/// and how many are not at `seq`.
#[derive(Debug, Default, Clone, Copy)]
pub struct Delivery {
    pub clients: usize,
    pub with_violations: usize,
    pub behind: usize,
    pub gave_up: usize,
}

impl Delivery {
    pub fn check(viewers: &[Arc<ViewerState>], seq: u64) -> Delivery {
        let mut d = Delivery::default();
        for v in viewers {
            d.clients += 1;
            if v.violations() > 0 {
                d.with_violations += 1;
            }
            if v.gave_up() {
                d.gave_up += 1;
            } else if v.last_seq() < seq {
                d.behind += 1;
            }
        }
        d
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
fn populate(
    pool: &mut Pool,
    rt: &Runtimes,
    ep: &Endpoint,
    s: &Settings,
    hall: bool,
    bulk: std::ops::Range<usize>,
) -> anyhow::Result<()> {
    let wire = |role: Option<String>| -> anyhow::Result<Wire> {
        Ok(match ep.kind {
            Kind::Floor => Wire::Floor,
            Kind::Service => Wire::Plenary {
                hello: match role {
                    Some(r) => Hello::access_code(ep.code(&r)?),
                    None => Hello::public(ep.meeting.as_str()),
                },
            },
        })
    };
    let config = |wire: Wire, class: Class| ViewerConfig {
        url: ep.url.clone(),
        wire,
        class,
        slow: false,
        reconnect: true,
        read_buffer_size: s.read_buffer,
        initial_seq: 0,
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
            pool.spawn(
                &rt.hall,
                config(wire(Some(format!("delegation:{d}")))?, Class::Hall),
                false,
            );
        }
        for i in 0..s.hall_screens {
            let sc = &screens[i % screens.len()];
            pool.spawn(
                &rt.hall,
                config(wire(Some(format!("screen:{sc}")))?, Class::Hall),
                false,
            );
        }
    }
    for i in bulk {
        let role = (i < s.screens).then(|| format!("screen:{}", screens[i % screens.len()]));
        pool.spawn(&rt.main, config(wire(role)?, Class::Bulk), false);
    }
    Ok(())
}

fn kb_per_connection(
    before: Option<ProcSample>,
    after: Option<ProcSample>,
    conns: usize,
) -> Option<f64> {
    let (b, a) = (before?, after?);
    (conns > 0).then(|| (a.rss_kib as f64 - b.rss_kib as f64) * 1.024 / conns as f64)
}

/// One round against one target. Adds its figures to `report` and
/// returns whether every delivery check passed.
pub async fn round(
    rt: &Runtimes,
    ep: &Endpoint,
    s: &Settings,
    frames: &mut FloorFrames,
    report: &mut Report,
) -> anyhow::Result<bool> {
    let kind = ep.kind;
    let label = s.label();
    let mut all_ok = true;

    // Connect: the hall and half the bulk, then the other half. Memory
    // per connection is the slope between the two (what one more
    // connection costs, without the process's one-time allocations).
    let started = now_ns();
    let mut pool = Pool::new(s.connect_concurrency);
    let bulk = s.screens + s.public;
    let half = bulk / 2;
    populate(&mut pool, rt, ep, s, true, 0..half)?;
    let mut chair = match kind {
        Kind::Service => Chair::Service(Box::new(
            connect_on(&rt.hall, &ep.url, Hello::access_code(ep.code("chair")?)).await?,
        )),
        Kind::Floor => Chair::Floor(pool.spawn(
            &rt.hall,
            ViewerConfig {
                url: ep.url.clone(),
                wire: Wire::Floor,
                class: Class::Commander,
                slow: false,
                reconnect: false,
                read_buffer_size: s.read_buffer,
                initial_seq: 0,
            },
            true,
        )),
    };
    frames.seq = 0;
    let timeout = Duration::from_secs(60) + Duration::from_millis(bulk as u64 * 5);
    let first = pool.wait_ready(1, timeout).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let at_half = ep.sample();
    populate(&mut pool, rt, ep, s, false, half..bulk)?;
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
        all_ok = false;
    }
    // Every connection to the target: the viewers, and the service's chair
    // (the floor's chair is one of the pool's viewers).
    let conns = ready + usize::from(kind == Kind::Service);

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
        (still + usize::from(kind == Kind::Service)) as f64,
    );
    if bulk - half >= 100
        && let Some(kb) = kb_per_connection(at_half, held, ready.saturating_sub(first))
    {
        report.add(&label, "server memory per idle connection", "KB", kind, kb);
    }
    if let (Some(a), Some(b)) = (settled, held) {
        let idle = (b.cpu_ns.saturating_sub(a.cpu_ns)) as f64 / s.hold.as_nanos() as f64 * 100.0;
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

    // Chair burst.
    if s.commands > 0 {
        pool.record(true);
        let cpu0 = ep.sample();
        let burst =
            chair_burst(rt, &mut chair, &pool, frames, s.commands, 1, s.interval, 0).await?;
        let behind = pool.wait_seq(burst.last_seq, Duration::from_secs(60)).await;
        let cpu1 = ep.sample();
        pool.record(false);
        if let Chair::Service(client) = &mut chair {
            learn_frames(client, frames);
        }
        let l = latencies(&pool, &burst.sent);
        let n = l.last.len().max(1);
        let scen = format!("chair burst, {label}");
        report.add(
            &scen,
            "per delivery p50",
            "ms",
            kind,
            Summary::of_ns(l.all.clone()).p50_ms,
        );
        report.add(
            &scen,
            "per delivery p99",
            "ms",
            kind,
            Summary::of_ns(l.all.clone()).p99_ms,
        );
        let last = Summary::of_ns(l.last.values().copied().collect());
        report.add(&scen, "last client p50", "ms", kind, last.p50_ms);
        report.add(&scen, "last client p99", "ms", kind, last.p99_ms);
        report.add(&scen, "last client max", "ms", kind, last.max_ms);
        let hall = Summary::of_ns(l.hall.clone());
        report.add(
            &scen,
            "hall (consoles, room screens) p99",
            "ms",
            kind,
            hall.p99_ms,
        );
        let acks = match kind {
            Kind::Service => Summary::of_ns(burst.acks.clone()),
            Kind::Floor => Summary::of_ns(l.echo.clone()),
        };
        report.add(
            &scen,
            "chair ack p99 (floor: own echo)",
            "ms",
            kind,
            acks.p99_ms,
        );
        if let (Some(a), Some(b)) = (cpu0, cpu1) {
            // Every connection receives every event (the chair's too).
            let deliveries = (n * conns) as f64;
            let us = (b.cpu_ns.saturating_sub(a.cpu_ns)) as f64 / 1e3 / deliveries;
            report.add(&scen, "server CPU per delivered event", "µs", kind, us);
        }
        let d = Delivery::check(&watchers(&pool), burst.last_seq);
        progress(format!(
            "{}: burst of {} → last client p50 {:.1} ms p99 {:.1} ms; {}",
            kind.as_str(),
            s.commands,
            last.p50_ms,
            last.p99_ms,
            d.describe(&watchers(&pool))
        ));
        report.add(
            &scen,
            "clients with a gap, duplicate or missing event",
            "",
            kind,
            (d.with_violations + d.behind + d.gave_up) as f64,
        );
        report.add(
            &scen,
            "commands refused or lost",
            "",
            kind,
            burst.refused as f64,
        );
        if burst.chair_reconnects > 0 {
            report.add(
                &scen,
                "chair connection cut loose and resumed",
                "",
                kind,
                burst.chair_reconnects as f64,
            );
        }
        if !d.ok() || behind > 0 || burst.refused > 0 {
            all_ok = false;
        }
    }

    // Floor-request storm.
    if s.storm > 0 {
        all_ok &= storm(rt, ep, s, &mut chair, &pool, frames, report, &label).await?;
    }

    // Reconnect storm.
    if let Some(spread) = s.reconnect_spread {
        all_ok &=
            reconnect_storm(rt, ep, spread, &mut chair, &pool, frames, report, &label).await?;
    }

    drain(&mut chair);
    if let Chair::Service(client) = chair {
        client.close().await;
    }
    pool.stop().await;
    Ok(all_ok)
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

fn watchers(pool: &Pool) -> Vec<Arc<ViewerState>> {
    pool.viewers
        .iter()
        .filter(|v| v.class != Class::Commander)
        .cloned()
        .collect()
}

/// Frames the chair's client queued and nobody reads: dropped, after the
/// first event and insight are kept as the floor's frames.
fn learn_frames(client: &mut Client, frames: &mut FloorFrames) {
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

fn drain(chair: &mut Chair) {
    if let Chair::Service(client) = chair {
        while let Some(Ok(_)) = client.try_next_frame() {}
    }
}

const DEBATES: [&str; 4] = [
    "responsibility-sharing",
    "regional-actors",
    "stocktaking",
    "adoption",
];

/// All `s.storm` delegations request the floor within one second.
#[allow(clippy::too_many_arguments)]
async fn storm(
    rt: &Runtimes,
    ep: &Endpoint,
    s: &Settings,
    chair: &mut Chair,
    pool: &Pool,
    frames: &mut FloorFrames,
    report: &mut Report,
    label: &str,
) -> anyhow::Result<bool> {
    let kind = ep.kind;
    let m = s.storm;
    let scen = format!("floor-request storm, {m} delegations in 1 s, {label}");
    let mut ok = true;
    match (kind, chair) {
        (Kind::Service, Chair::Service(chair)) => {
            static STORMS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            let item =
                DEBATES[STORMS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % DEBATES.len()];
            let opened = chair
                .command(Command::OpenItem {
                    item: ItemId::new(item),
                })
                .await?;
            if !opened.is_acked() {
                bail!("the chair could not open {item}: {opened:?}");
            }
            if ep.delegations.len() < m {
                bail!(
                    "the meeting has {} delegations, the storm needs {m}",
                    ep.delegations.len()
                );
            }
            // Each delegation is a lean client (like the floor's), so that
            // the load generator decodes no more on one target than on
            // the other: it reads its ack, not every frame.
            let mut senders = Pool::new(s.connect_concurrency);
            for d in &ep.delegations[..m] {
                senders.spawn(
                    &rt.main,
                    ViewerConfig {
                        url: ep.url.clone(),
                        wire: Wire::Plenary {
                            hello: Hello::access_code(ep.code(&format!("delegation:{d}"))?),
                        },
                        class: Class::Commander,
                        slow: false,
                        reconnect: false,
                        read_buffer_size: s.read_buffer,
                        initial_seq: 0,
                    },
                    true,
                );
            }
            let ready = senders.wait_ready(1, Duration::from_secs(60)).await;
            if ready < m {
                bail!("only {ready} of {m} delegations connected");
            }
            let cpu0 = ep.sample();
            let start = tokio::time::Instant::now() + Duration::from_millis(50);
            let mut jitter = Jitter::new(7);
            let mut order: Vec<(tokio::time::Instant, usize)> = (0..m)
                .map(|i| {
                    (
                        start
                            + Duration::from_secs(1).mul_f64(i as f64 / m as f64)
                            + jitter.below(Duration::from_millis(5)),
                        i,
                    )
                })
                .collect();
            order.sort();
            let mut sent_at = vec![0u64; m];
            for (at, i) in order {
                let command = ClientMessage::Command {
                    command_id: new_command_id(),
                    command: Command::RequestFloor {
                        item: ItemId::new(item),
                        delegation: DelegationId::new(ep.delegations[i].as_str()),
                        kind: RequestKind::Statement,
                        language: None,
                    },
                };
                let text = serde_json::to_string(&command)?;
                tokio::time::sleep_until(at).await;
                sent_at[i] = now_ns();
                senders.send(i, vec![text]);
            }
            let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
            while senders.viewers.iter().any(|v| v.reply_count() == 0)
                && tokio::time::Instant::now() < deadline
            {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            let mut acks = Vec::new();
            let mut last_seq = 0;
            let mut refused = 0;
            for (v, t) in senders.viewers.iter().zip(&sent_at) {
                match v.replies().first() {
                    Some((_, at, Some(seq))) => {
                        acks.push(at.saturating_sub(*t));
                        last_seq = last_seq.max(*seq);
                    }
                    _ => refused += 1,
                }
            }
            let behind = pool.wait_seq(last_seq, Duration::from_secs(30)).await
                + senders.wait_seq(last_seq, Duration::from_secs(30)).await;
            let cpu1 = ep.sample();
            // Durable: a new connection's snapshot has every request.
            let fresh =
                connect_on(&rt.hall, &ep.url, Hello::access_code(ep.code("chair")?)).await?;
            let on_list = match fresh.catch_up() {
                CatchUp::Snapshot { state, .. } => state
                    .agenda
                    .item(&ItemId::new(item))
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
            let a = Summary::of_ns(acks);
            report.add(&scen, "ack p50", "ms", kind, a.p50_ms);
            report.add(&scen, "ack p99", "ms", kind, a.p99_ms);
            report.add(&scen, "ack max", "ms", kind, a.max_ms);
            report.add(&scen, "acked", "", kind, a.count as f64);
            report.add(
                &scen,
                "durable (on the list in a new connection's snapshot)",
                "",
                kind,
                on_list as f64,
            );
            if let (Some(x), Some(y)) = (cpu0, cpu1) {
                report.add(
                    &scen,
                    "server CPU during the storm",
                    "ms",
                    kind,
                    (y.cpu_ns - x.cpu_ns) as f64 / 1e6,
                );
            }
            let mut everyone = watchers(pool);
            everyone.extend(senders.viewers.iter().cloned());
            let d = Delivery::check(&everyone, last_seq);
            report.add(
                &scen,
                "clients with a gap, duplicate or missing event",
                "",
                kind,
                (d.with_violations + d.behind + d.gave_up) as f64,
            );
            progress(format!(
                "service: storm of {m}: {} acked, ack p99 {:.1} ms, {on_list} on the list; {}",
                a.count,
                a.p99_ms,
                d.describe(&everyone)
            ));
            ok &= refused == 0 && on_list == m && d.ok() && behind == 0;
            senders.stop().await;
            drain_client(chair);
        }
        (Kind::Floor, Chair::Floor(_)) => {
            // Each delegation is a floor client that sends one probe; its
            // "ack" is its own probe coming back.
            let mut senders = Pool::new(s.connect_concurrency);
            for _ in 0..m {
                senders.spawn(
                    &rt.main,
                    ViewerConfig {
                        url: ep.url.clone(),
                        wire: Wire::Floor,
                        class: Class::Commander,
                        slow: false,
                        reconnect: false,
                        read_buffer_size: s.read_buffer,
                        initial_seq: frames.seq,
                    },
                    true,
                );
            }
            senders.wait_ready(1, Duration::from_secs(60)).await;
            let probes_before: Vec<u64> = pool.viewers.iter().map(|v| v.probes()).collect();
            let cpu0 = ep.sample();
            let start = tokio::time::Instant::now() + Duration::from_millis(50);
            let mut jitter = Jitter::new(7);
            let mut sent_at = vec![0u64; m];
            let mut order: Vec<(tokio::time::Instant, usize)> = (0..m)
                .map(|i| {
                    (
                        start
                            + Duration::from_secs(1).mul_f64(i as f64 / m as f64)
                            + jitter.below(Duration::from_millis(5)),
                        i,
                    )
                })
                .collect();
            order.sort();
            for (at, i) in order {
                tokio::time::sleep_until(at).await;
                sent_at[i] = now_ns();
                senders.send(i, vec![format!("{{\"type\":\"probe\",\"from\":{i}}}")]);
            }
            let behind = senders.wait_probes(m as u64, Duration::from_secs(30)).await
                + pool.wait_probes(m as u64, Duration::from_secs(30)).await;
            let cpu1 = ep.sample();
            let acks: Vec<u64> = senders
                .viewers
                .iter()
                .zip(&sent_at)
                .filter(|(v, _)| v.probe_echo_ns() > 0)
                .map(|(v, t)| v.probe_echo_ns().saturating_sub(*t))
                .collect();
            let a = Summary::of_ns(acks);
            report.add(&scen, "ack p50", "ms", kind, a.p50_ms);
            report.add(&scen, "ack p99", "ms", kind, a.p99_ms);
            report.add(&scen, "ack max", "ms", kind, a.max_ms);
            report.add(&scen, "acked", "", kind, a.count as f64);
            if let (Some(x), Some(y)) = (cpu0, cpu1) {
                report.add(
                    &scen,
                    "server CPU during the storm",
                    "ms",
                    kind,
                    (y.cpu_ns - x.cpu_ns) as f64 / 1e6,
                );
            }
            let wrong = pool
                .viewers
                .iter()
                .zip(&probes_before)
                .filter(|(v, b)| v.probes() - **b != m as u64)
                .count();
            report.add(
                &scen,
                "clients with a gap, duplicate or missing event",
                "",
                kind,
                wrong as f64,
            );
            progress(format!(
                "floor: storm of {m}: {} echoed, p99 {:.1} ms; {wrong} clients off",
                a.count, a.p99_ms
            ));
            ok &= wrong == 0 && behind == 0 && a.count == m;
            senders.stop().await;
        }
        _ => bail!("the chair does not match the target"),
    }
    Ok(ok)
}

fn drain_client(client: &mut Client) {
    while let Some(Ok(_)) = client.try_next_frame() {}
}

/// Every viewer drops its connection at once and comes back within
/// `spread`; on the service the chair sends while they are away, so the
/// resumes carry missed events.
#[allow(clippy::too_many_arguments)]
async fn reconnect_storm(
    rt: &Runtimes,
    ep: &Endpoint,
    spread: Duration,
    chair: &mut Chair,
    pool: &Pool,
    frames: &mut FloorFrames,
    report: &mut Report,
    label: &str,
) -> anyhow::Result<bool> {
    let kind = ep.kind;
    let scen = format!(
        "reconnect storm, {label}, back within {} s",
        spread.as_secs_f64()
    );
    let connects: Vec<u64> = pool.viewers.iter().map(|v| v.connects()).collect();
    let snapshots: u64 = pool.viewers.iter().map(|v| v.snapshot_resumes()).sum();
    let t0 = now_ns();
    pool.act(Action::Drop {
        spread_millis: u64::try_from(spread.as_millis()).unwrap_or(u64::MAX),
    });
    if let Chair::Service(_) = chair {
        chair_burst(rt, chair, pool, frames, 3, 1, Duration::from_millis(20), 0).await?;
    }
    let deadline = tokio::time::Instant::now() + spread + Duration::from_secs(60);
    let resumed = wait_until_back(pool, &connects, deadline).await;
    let all_back_s = resumed.iter().max().map_or(f64::NAN, |m| ms(t0, *m) / 1e3);
    // One more command, which every viewer must get exactly once.
    let burst = chair_burst(rt, chair, pool, frames, 1, 1, Duration::from_millis(1), 0).await?;
    let behind = pool.wait_seq(burst.last_seq, Duration::from_secs(30)).await;
    let d = Delivery::check(&watchers(pool), burst.last_seq);
    if burst.chair_reconnects > 0 {
        report.add(
            &scen,
            "chair connection cut loose and resumed",
            "",
            kind,
            burst.chair_reconnects as f64,
        );
    }
    let snapshot_resumes = pool
        .viewers
        .iter()
        .map(|v| v.snapshot_resumes())
        .sum::<u64>()
        - snapshots;
    report.add(&scen, "all back (from the drop)", "s", kind, all_back_s);
    report.add(&scen, "resumed", "", kind, resumed.len() as f64);
    if kind == Kind::Service {
        report.add(
            &scen,
            "resumed with a snapshot instead of the missed events",
            "",
            kind,
            snapshot_resumes as f64,
        );
    }
    report.add(
        &scen,
        "clients with a gap, duplicate or missing event",
        "",
        kind,
        (d.with_violations + d.behind + d.gave_up) as f64,
    );
    progress(format!(
        "{}: reconnect storm: {} back in {all_back_s:.2} s, {snapshot_resumes} via snapshot; {}",
        kind.as_str(),
        resumed.len(),
        d.describe(&watchers(pool))
    ));
    drain(chair);
    Ok(d.ok() && behind == 0 && resumed.len() == pool.viewers.len())
}

#[allow(clippy::too_many_arguments)]
/// Durable commands per second: `writers` chair connections, each with
/// `window` commands in flight, for `duration`. Every ack means committed
/// (the service acks only after the transaction commits).
pub async fn durable(
    rt: &Runtimes,
    ep: &Endpoint,
    writers: usize,
    window: usize,
    duration: Duration,
    backend: &str,
    goal: f64,
    report: &mut Report,
) -> anyhow::Result<bool> {
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
    let mut pool = Pool::new(256);
    for i in 0..normal + slow {
        pool.spawn(
            &rt.main,
            ViewerConfig {
                url: ep.url.clone(),
                wire: Wire::Plenary {
                    hello: Hello::public(ep.meeting.as_str()),
                },
                class: Class::Bulk,
                slow: i >= normal,
                reconnect: true,
                read_buffer_size: read_buffer,
                initial_seq: 0,
            },
            false,
        );
    }
    pool.wait_ready(1, Duration::from_secs(60)).await;
    let mut chair = Chair::Service(Box::new(
        connect_on(&rt.hall, &ep.url, Hello::access_code(ep.code("chair")?)).await?,
    ));
    let mut frames = FloorFrames::default();
    pool.act(Action::PauseSlow { millis: 3000 });
    pool.record(true);
    let burst = chair_burst(
        rt,
        &mut chair,
        &pool,
        &mut frames,
        commands,
        20,
        Duration::from_millis(10),
        // Long notices (8 KB each): a stopped reader's socket buffers (the
        // kernel grows the server's send buffer to megabytes) and then
        // its queue fill within the pause.
        8 * 1024,
    )
    .await?;
    let behind = pool.wait_seq(burst.last_seq, Duration::from_secs(30)).await;
    pool.record(false);
    let l = latencies(&pool, &burst.sent);
    let cut: u64 = pool.viewers.iter().map(|v| v.too_slow()).sum();
    let slow_back = pool
        .viewers
        .iter()
        .filter(|v| v.slow && v.connects() >= 2)
        .count();
    let d = Delivery::check(&pool.viewers, burst.last_seq);
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
    if let Chair::Service(c) = chair {
        c.close().await;
    }
    pool.stop().await;
    Ok(d.ok() && behind == 0)
}

/// Restart: `clients` public viewers follow the meeting; the service is
/// stopped (SIGTERM) and started again on the same database; every viewer
/// must come back by itself and resume gap-free.
pub async fn restart(
    rt: &Runtimes,
    spawned: &mut crate::target::Spawned,
    clients: usize,
    read_buffer: usize,
    report: &mut Report,
) -> anyhow::Result<bool> {
    let ep = spawned.endpoint.clone();
    let scen = format!("reconnect storm after a server restart, {clients} clients");
    let mut pool = Pool::new(512);
    for _ in 0..clients {
        pool.spawn(
            &rt.main,
            ViewerConfig {
                url: ep.url.clone(),
                wire: Wire::Plenary {
                    hello: Hello::public(ep.meeting.as_str()),
                },
                class: Class::Bulk,
                slow: false,
                reconnect: true,
                read_buffer_size: read_buffer,
                initial_seq: 0,
            },
            false,
        );
    }
    let ready = pool.wait_ready(1, Duration::from_secs(120)).await;
    progress(format!(
        "restart: {ready}/{clients} connected; restarting the service"
    ));
    let mut chair = Chair::Service(Box::new(
        connect_on(&rt.hall, &ep.url, Hello::access_code(ep.code("chair")?)).await?,
    ));
    let mut frames = FloorFrames::default();
    let burst = chair_burst(
        rt,
        &mut chair,
        &pool,
        &mut frames,
        1,
        1,
        Duration::from_millis(1),
        0,
    )
    .await?;
    pool.wait_seq(burst.last_seq, Duration::from_secs(30)).await;
    let connects: Vec<u64> = pool.viewers.iter().map(|v| v.connects()).collect();
    let snapshots: u64 = pool.viewers.iter().map(|v| v.snapshot_resumes()).sum();
    if let Chair::Service(c) = chair {
        c.close().await;
    }
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
    let mut chair = Chair::Service(Box::new(
        connect_on(&rt.hall, &ep.url, Hello::access_code(ep.code("chair")?)).await?,
    ));
    let burst = chair_burst(
        rt,
        &mut chair,
        &pool,
        &mut frames,
        1,
        1,
        Duration::from_millis(1),
        0,
    )
    .await?;
    let behind = pool.wait_seq(burst.last_seq, Duration::from_secs(30)).await;
    let d = Delivery::check(&pool.viewers, burst.last_seq);
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
    if let Chair::Service(c) = chair {
        c.close().await;
    }
    pool.stop().await;
    Ok(d.ok() && behind == 0 && resumed.len() == clients)
}
