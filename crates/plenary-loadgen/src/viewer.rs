//! The receiving clients: room screens, public viewers and consoles that
//! only watch.
//!
//! A viewer is one task that owns its socket. It does not decode what it
//! receives: it reads the frame's type and `seq` from the first bytes
//! (`{"type":"event","seq":N,…` — the server writes the tag first), checks
//! that every event is the next one, and notes when it arrived. Decoding
//! each event fully in 10,000 clients would make the load generator, which
//! shares the two cores with the server, the thing being measured. The
//! floor's frames are built to look the same, so both targets cost the
//! viewers the same.
//!
//! A viewer keeps going when the server closes it (too slow, restart):
//! it reconnects with jittered backoff and, on the plenary protocol,
//! resumes from its last seq — and says whether it got the missed events
//! or had to take a snapshot.
//!
//! On the views stream (`hello.stream = "views"`, what browsers use) a
//! viewer holds a document at a seq: the `view` frame sets it, and each
//! `patch` must start where the document is (`from` = the seq held), else
//! the chain is broken: that counts as a violation and the viewer resumes
//! from the seq it holds, as a browser does. A viewer's document changes
//! only when a batch changes it, so it does not see every seq: "seq" below
//! is the seq of the document held, and what a viewer must reach is the
//! seq of its document on the server ([`Expect`]).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinHandle;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use plenary_client::Hello;
use plenary_protocol::Stream;

use crate::clock::{Jitter, now_ns};
use crate::limits::next_source_addr;

/// What a viewer speaks.
#[derive(Clone, Debug)]
pub enum Wire {
    /// The plenary protocol: `hello`, then the catch-up, then live frames.
    Plenary { hello: Hello },
    /// The floor: no handshake; frames are whatever the chair sent.
    Floor,
}

/// Where a viewer sits, for latency figures by class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Class {
    /// Consoles and room screens: the service serves them first.
    Hall,
    /// Room screens or public viewers in bulk.
    Bulk,
    /// Connections that send (the chair and delegations on the floor).
    Commander,
}

/// What a viewer's display is, for figures by kind of display.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Who {
    Public,
    /// A room screen (in bulk or in the hall).
    Screen,
    /// A delegation console, a commander.
    Other,
}

/// What each viewer must have reached: `seq` on the event stream (and on
/// the floor), and for a document of the views stream the seq the server
/// holds it at, by key (`public`, `screen:hall-left` …). A document that a
/// batch did not change keeps its seq, so its viewers never see later seqs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expect {
    pub seq: u64,
    pub docs: BTreeMap<String, u64>,
}

impl Expect {
    /// Every viewer must reach `seq`.
    pub fn seq(seq: u64) -> Expect {
        Expect {
            seq,
            docs: BTreeMap::new(),
        }
    }

    /// The seq `viewer` must hold.
    pub fn of(&self, viewer: &ViewerState) -> u64 {
        viewer
            .key
            .as_ref()
            .and_then(|k| self.docs.get(k))
            .copied()
            .unwrap_or(self.seq)
    }
}

/// What every viewer is told to do, through one `watch` channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Run,
    /// Slow viewers stop reading for this long.
    PauseSlow {
        millis: u64,
    },
    /// Every viewer drops its connection at once (no close handshake) and
    /// reconnects after a random delay of up to `spread_millis`.
    Drop {
        spread_millis: u64,
    },
    /// Close and end.
    Stop,
}

/// The shared side of a viewer: counters the coordinator reads.
#[derive(Debug)]
pub struct ViewerState {
    pub index: usize,
    pub class: Class,
    pub who: Who,
    /// The view document it follows on the service's views stream.
    pub key: Option<String>,
    pub slow: bool,
    /// The last event's seq, or the seq of the document held.
    last_seq: AtomicU64,
    violations: AtomicU64,
    first_violation: Mutex<Option<String>>,
    ready: AtomicBool,
    gave_up: AtomicBool,
    /// Completed handshakes (1 after the first connect).
    connects: AtomicU64,
    /// Resumes answered with a snapshot instead of the missed events.
    snapshot_resumes: AtomicU64,
    /// Connections ended by the server (close frame or EOF).
    server_closes: AtomicU64,
    /// Of those, closes with the "too slow" code.
    too_slow: AtomicU64,
    /// Event frames received.
    events: AtomicU64,
    /// Patches received.
    patches: AtomicU64,
    /// Bytes of the text frames received after the handshakes.
    bytes: AtomicU64,
    /// The first patches received while recording, as sent (a bulk
    /// viewer's are what the floor sends in the views stream).
    samples: Mutex<Vec<String>>,
    /// Floor storm probes received.
    probes: AtomicU64,
    /// When the latest handshake completed.
    ready_ns: AtomicU64,
    /// When this viewer's own probe came back.
    probe_echo_ns: AtomicU64,
    /// (seq, arrival) of events while the coordinator records.
    log: Mutex<Vec<(u64, u64)>>,
    /// Replies to the commands this viewer sent: (command id, arrival,
    /// seq when acked or `None` when refused).
    replies: Mutex<Vec<(String, u64, Option<u64>)>>,
}

impl ViewerState {
    fn new(index: usize, config: &ViewerConfig) -> ViewerState {
        let ViewerConfig {
            class,
            who,
            slow,
            initial_seq,
            ..
        } = *config;
        ViewerState {
            index,
            class,
            who,
            key: config.key.clone(),
            slow,
            last_seq: AtomicU64::new(initial_seq),
            violations: AtomicU64::new(0),
            first_violation: Mutex::new(None),
            ready: AtomicBool::new(false),
            gave_up: AtomicBool::new(false),
            connects: AtomicU64::new(0),
            snapshot_resumes: AtomicU64::new(0),
            server_closes: AtomicU64::new(0),
            too_slow: AtomicU64::new(0),
            events: AtomicU64::new(0),
            patches: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            samples: Mutex::new(Vec::new()),
            probes: AtomicU64::new(0),
            ready_ns: AtomicU64::new(0),
            probe_echo_ns: AtomicU64::new(0),
            log: Mutex::new(Vec::new()),
            replies: Mutex::new(Vec::new()),
        }
    }

    pub fn last_seq(&self) -> u64 {
        self.last_seq.load(Ordering::Acquire)
    }
    pub fn violations(&self) -> u64 {
        self.violations.load(Ordering::Acquire)
    }
    pub fn first_violation(&self) -> Option<String> {
        self.first_violation.lock().ok().and_then(|v| v.clone())
    }
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }
    pub fn gave_up(&self) -> bool {
        self.gave_up.load(Ordering::Acquire)
    }
    pub fn connects(&self) -> u64 {
        self.connects.load(Ordering::Acquire)
    }
    pub fn snapshot_resumes(&self) -> u64 {
        self.snapshot_resumes.load(Ordering::Acquire)
    }
    pub fn server_closes(&self) -> u64 {
        self.server_closes.load(Ordering::Acquire)
    }
    pub fn too_slow(&self) -> u64 {
        self.too_slow.load(Ordering::Acquire)
    }
    pub fn events(&self) -> u64 {
        self.events.load(Ordering::Acquire)
    }
    pub fn patches(&self) -> u64 {
        self.patches.load(Ordering::Acquire)
    }
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Acquire)
    }
    /// The patches sampled while recording.
    pub fn samples(&self) -> Vec<String> {
        self.samples.lock().map(|s| s.clone()).unwrap_or_default()
    }
    pub fn probes(&self) -> u64 {
        self.probes.load(Ordering::Acquire)
    }
    pub fn ready_ns(&self) -> u64 {
        self.ready_ns.load(Ordering::Acquire)
    }
    pub fn probe_echo_ns(&self) -> u64 {
        self.probe_echo_ns.load(Ordering::Acquire)
    }
    /// Sets the seq a floor viewer expects next minus one.
    pub fn set_last_seq(&self, seq: u64) {
        self.last_seq.store(seq, Ordering::Release);
    }
    /// Takes the recorded (seq, arrival) pairs.
    pub fn take_log(&self) -> Vec<(u64, u64)> {
        self.log
            .lock()
            .map(|mut l| std::mem::take(&mut *l))
            .unwrap_or_default()
    }

    /// Replies received so far.
    pub fn replies(&self) -> Vec<(String, u64, Option<u64>)> {
        self.replies.lock().map(|r| r.clone()).unwrap_or_default()
    }

    pub fn reply_count(&self) -> usize {
        self.replies.lock().map_or(0, |r| r.len())
    }

    fn violation(&self, what: String) {
        self.violations.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut first) = self.first_violation.lock()
            && first.is_none()
        {
            *first = Some(what);
        }
    }

    /// An event frame: it must be the next seq.
    fn observe_event(&self, seq: u64, at: u64, recording: bool) {
        self.events.fetch_add(1, Ordering::Relaxed);
        let last = self.last_seq();
        if seq == last + 1 {
            self.last_seq.store(seq, Ordering::Release);
            if recording && let Ok(mut log) = self.log.lock() {
                log.push((seq, at));
            }
        } else if seq > last + 1 {
            self.violation(format!("gap: expected {} got {seq}", last + 1));
            self.last_seq.store(seq, Ordering::Release);
        } else {
            self.violation(format!(
                "duplicate or out of order: expected {} got {seq}",
                last + 1
            ));
        }
    }

    /// A patch: it must start at the document held. Returns false when it
    /// does not (the chain is broken: the viewer should resume).
    fn observe_patch(&self, from: u64, seq: u64, at: u64, recording: bool) -> bool {
        self.patches.fetch_add(1, Ordering::Relaxed);
        let held = self.last_seq();
        if from != held || seq <= from {
            self.violation(format!(
                "patch from {from} to {seq}, but the document held is at {held}"
            ));
            return false;
        }
        self.last_seq.store(seq, Ordering::Release);
        if recording && let Ok(mut log) = self.log.lock() {
            log.push((seq, at));
        }
        true
    }
}

/// How a frame starts, read without decoding the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Head<'a> {
    Event(u64),
    Snapshot(u64),
    /// A whole view document at `seq`.
    View(u64),
    Patch {
        from: u64,
        seq: u64,
    },
    Probe(u64),
    Other(&'a str),
    Unknown,
}

const TYPE: &str = "{\"type\":\"";

/// The number after `"key":` at the start of `text`, and the rest.
fn number<'a>(text: &'a str, key: &str) -> Option<(u64, &'a str)> {
    let digits = text
        .strip_prefix('"')?
        .strip_prefix(key)?
        .strip_prefix("\":")?;
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    Some((digits[..end].parse().ok()?, &digits[end..]))
}

/// Reads a frame's type, and the numbers that follow it for events
/// (`seq`), snapshots (`seq`), views (`seq`), patches (`from`, `seq`) and
/// floor probes (`from`).
pub fn head(text: &str) -> Head<'_> {
    // A view is written with its keys in order: `{"seq":N,"type":"view",…`.
    if let Some(rest) = text.strip_prefix('{')
        && let Some((seq, rest)) = number(rest, "seq")
        && rest.starts_with(",\"type\":\"view\"")
    {
        return Head::View(seq);
    }
    let Some(rest) = text.strip_prefix(TYPE) else {
        return Head::Unknown;
    };
    let Some((kind, rest)) = rest.split_once('"') else {
        return Head::Unknown;
    };
    let first = |key: &str| {
        rest.strip_prefix(',')
            .and_then(|r| number(r, key))
            .map(|(n, _)| n)
    };
    match kind {
        "event" => first("seq").map_or(Head::Unknown, Head::Event),
        "snapshot" => first("seq").map_or(Head::Unknown, Head::Snapshot),
        "view" => first("seq").map_or(Head::Unknown, Head::View),
        "probe" => first("from").map_or(Head::Unknown, Head::Probe),
        "patch" => rest
            .strip_prefix(',')
            .and_then(|r| number(r, "from"))
            .and_then(|(from, r)| {
                let (seq, _) = number(r.strip_prefix(',')?, "seq")?;
                Some(Head::Patch { from, seq })
            })
            .unwrap_or(Head::Unknown),
        other => Head::Other(other),
    }
}

/// The fields of an `ack` or `error` a commander needs.
#[derive(Deserialize)]
struct Reply {
    #[serde(default)]
    command_id: Option<String>,
    #[serde(default)]
    seq: Option<u64>,
}

/// The `welcome` fields a viewer needs.
#[derive(Deserialize)]
struct Welcome {
    seq: u64,
}

/// How to connect.
#[derive(Clone, Debug)]
pub struct ViewerConfig {
    pub url: String,
    /// Other nodes of the same service, tried in turn when `url` (or the
    /// node after it) does not answer: a viewer of a node that died
    /// resumes on another.
    pub fallbacks: Vec<String>,
    pub wire: Wire,
    pub class: Class,
    pub who: Who,
    /// The view document it follows (service, views stream): `public`,
    /// `screen:ID` …, for [`Expect`].
    pub key: Option<String>,
    pub slow: bool,
    /// Reconnect (and resume) when the server closes the connection.
    pub reconnect: bool,
    pub read_buffer_size: usize,
    /// For the floor: the seq before the first frame expected.
    pub initial_seq: u64,
}

type Ws = WebSocketStream<TcpStream>;

/// Many viewers and the channel that steers them.
#[derive(Debug)]
pub struct Pool {
    pub viewers: Vec<Arc<ViewerState>>,
    handles: Vec<JoinHandle<()>>,
    senders: Vec<(usize, mpsc::UnboundedSender<Vec<String>>)>,
    control: watch::Sender<(u64, Action)>,
    recording: Arc<AtomicBool>,
    /// Handshakes in flight at most, so that a connect storm queues here
    /// rather than overflowing the server's accept backlog.
    gate: Arc<Semaphore>,
}

impl Pool {
    pub fn new(concurrent_connects: usize) -> Pool {
        let (control, _) = watch::channel((0, Action::Run));
        Pool {
            viewers: Vec::new(),
            handles: Vec::new(),
            senders: Vec::new(),
            control,
            recording: Arc::new(AtomicBool::new(false)),
            gate: Arc::new(Semaphore::new(concurrent_connects.max(1))),
        }
    }

    /// Starts a viewer on `runtime`; with `sends`, it also writes what the
    /// coordinator gives it (a commander on the floor). Returns its index.
    pub fn spawn(
        &mut self,
        runtime: &tokio::runtime::Handle,
        config: ViewerConfig,
        sends: bool,
    ) -> usize {
        let index = self.viewers.len();
        let state = Arc::new(ViewerState::new(index, &config));
        let outgoing = if sends {
            let (tx, rx) = mpsc::unbounded_channel();
            self.senders.push((index, tx));
            Some(rx)
        } else {
            None
        };
        let task = Task {
            state: Arc::clone(&state),
            config,
            control: self.control.subscribe(),
            recording: Arc::clone(&self.recording),
            gate: Arc::clone(&self.gate),
            outgoing,
            jitter: Jitter::new(index as u64 + now_ns()),
            node: 0,
        };
        self.handles.push(runtime.spawn(task.run()));
        self.viewers.push(state);
        index
    }

    /// Gives a commander viewer frames to write (one flush).
    pub fn send(&self, index: usize, frames: Vec<String>) -> bool {
        self.senders
            .iter()
            .find(|(i, _)| *i == index)
            .is_some_and(|(_, tx)| tx.send(frames).is_ok())
    }

    pub fn act(&self, action: Action) {
        self.control.send_modify(|(generation, a)| {
            *generation += 1;
            *a = action;
        });
    }

    pub fn record(&self, on: bool) {
        self.recording.store(on, Ordering::Release);
    }

    pub fn of_class(&self, class: Class) -> impl Iterator<Item = &Arc<ViewerState>> {
        self.viewers.iter().filter(move |v| v.class == class)
    }

    /// Viewers that watch (not commanders).
    pub fn watchers(&self) -> impl Iterator<Item = &Arc<ViewerState>> {
        self.viewers.iter().filter(|v| v.class != Class::Commander)
    }

    pub fn ready_count(&self) -> usize {
        self.viewers.iter().filter(|v| v.is_ready()).count()
    }

    /// Waits until every viewer is connected (or gave up), or `timeout`.
    /// Returns how many are ready.
    pub async fn wait_ready(&self, min_connects: u64, timeout: Duration) -> usize {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let done = self
                .viewers
                .iter()
                .all(|v| v.gave_up() || (v.is_ready() && v.connects() >= min_connects));
            if done || tokio::time::Instant::now() >= deadline {
                return self
                    .viewers
                    .iter()
                    .filter(|v| v.is_ready() && v.connects() >= min_connects)
                    .count();
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Waits until every viewer still connecting has reached what
    /// `expect` says, or `timeout`. Returns how many have not.
    pub async fn wait_for(&self, expect: &Expect, timeout: Duration) -> usize {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let behind = self
                .viewers
                .iter()
                .filter(|v| !v.gave_up() && v.last_seq() < expect.of(v))
                .count();
            if behind == 0 || tokio::time::Instant::now() >= deadline {
                return behind;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// The document keys its viewers follow.
    pub fn keys(&self) -> std::collections::BTreeSet<String> {
        self.viewers.iter().filter_map(|v| v.key.clone()).collect()
    }

    /// Waits until every viewer has received `count` probes, or `timeout`.
    pub async fn wait_probes(&self, count: u64, timeout: Duration) -> usize {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let behind = self
                .viewers
                .iter()
                .filter(|v| !v.gave_up() && v.probes() < count)
                .count();
            if behind == 0 || tokio::time::Instant::now() >= deadline {
                return behind;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Closes every viewer and waits for their tasks.
    pub async fn stop(self) {
        self.act(Action::Stop);
        for h in self.handles {
            let _ended = h.await;
        }
    }
}

/// One viewer's task.
struct Task {
    state: Arc<ViewerState>,
    config: ViewerConfig,
    control: watch::Receiver<(u64, Action)>,
    recording: Arc<AtomicBool>,
    gate: Arc<Semaphore>,
    outgoing: Option<mpsc::UnboundedReceiver<Vec<String>>>,
    jitter: Jitter,
    /// Which of `url` (0) and the fallbacks it connects to now.
    node: usize,
}

/// Why the live loop ended.
enum End {
    Stop,
    /// Dropped on purpose: reconnect after this delay.
    Dropped(Duration),
    /// The server closed or the socket failed.
    Lost,
    /// A patch did not start at the document held: resume from it.
    Resync,
}

impl Task {
    async fn run(mut self) {
        // The action current at spawn time is not meant for this viewer.
        self.control.borrow_and_update();
        let mut delay = None;
        loop {
            if let Some(d) = delay.take() {
                tokio::time::sleep(d).await;
            }
            let Some(ws) = self.connect_with_retries().await else {
                self.state.gave_up.store(true, Ordering::Release);
                return;
            };
            match self.live(ws).await {
                End::Stop => return,
                End::Dropped(d) => delay = Some(d),
                End::Resync => {}
                End::Lost => {
                    if !self.config.reconnect {
                        self.state.gave_up.store(true, Ordering::Release);
                        return;
                    }
                    delay = Some(
                        Duration::from_millis(50) + self.jitter.below(Duration::from_millis(250)),
                    );
                }
            }
        }
    }

    /// Connects, retrying with backoff for up to a minute (a restarting
    /// server refuses connections for a while).
    async fn connect_with_retries(&mut self) -> Option<Ws> {
        let give_up = tokio::time::Instant::now() + Duration::from_secs(60);
        let mut backoff = Duration::from_millis(100);
        loop {
            if matches!(self.control.borrow().1, Action::Stop) {
                return None;
            }
            let attempt = {
                let gate = Arc::clone(&self.gate);
                let _permit = gate.acquire_owned().await.ok()?;
                let url = self.url().to_owned();
                tokio::time::timeout(Duration::from_secs(20), self.connect(&url)).await
            };
            match attempt {
                Ok(Ok(ws)) => return Some(ws),
                Ok(Err(_)) | Err(_) => {
                    if tokio::time::Instant::now() >= give_up {
                        return None;
                    }
                    // The next node, if there are others.
                    self.node = (self.node + 1) % (self.config.fallbacks.len() + 1);
                    tokio::time::sleep(backoff + self.jitter.below(backoff)).await;
                    backoff = (backoff * 3 / 2).min(Duration::from_secs(2));
                }
            }
        }
    }

    /// The node it connects to now.
    fn url(&self) -> &str {
        match self.node {
            0 => &self.config.url,
            n => self
                .config
                .fallbacks
                .get(n - 1)
                .map_or(&self.config.url, |u| u),
        }
    }

    async fn connect(&self, url: &str) -> anyhow::Result<Ws> {
        let request = url.into_client_request()?;
        let host = request
            .uri()
            .authority()
            .map(|a| a.as_str().to_owned())
            .ok_or_else(|| anyhow::anyhow!("no host in {url}"))?;
        let addr: std::net::SocketAddr = tokio::net::lookup_host(host)
            .await?
            .find(std::net::SocketAddr::is_ipv4)
            .ok_or_else(|| anyhow::anyhow!("no IPv4 address"))?;
        let socket = TcpSocket::new_v4()?;
        if self.config.slow {
            // A small receive window: the server's queue for a reader that
            // stops fills after a few frames rather than megabytes.
            socket.set_recv_buffer_size(4096)?;
        }
        socket.bind(std::net::SocketAddr::new(next_source_addr(), 0))?;
        let stream = socket.connect(addr).await?;
        stream.set_nodelay(true)?;
        let config = WebSocketConfig::default()
            .read_buffer_size(self.config.read_buffer_size)
            .max_message_size(Some(16 << 20))
            .max_frame_size(Some(16 << 20));
        let (mut ws, _) =
            tokio_tungstenite::client_async_with_config(request, stream, Some(config)).await?;
        if let Wire::Plenary { hello } = &self.config.wire {
            let resuming = self.state.connects() > 0;
            let hello = if resuming {
                hello.clone().resume_from(self.state.last_seq())
            } else {
                hello.clone()
            };
            ws.send(Message::text(serde_json::to_string(&hello.to_message())?))
                .await?;
            self.handshake(&mut ws, resuming).await?;
        }
        self.state.connects.fetch_add(1, Ordering::AcqRel);
        self.state.ready_ns.store(now_ns(), Ordering::Release);
        self.state.ready.store(true, Ordering::Release);
        Ok(ws)
    }

    /// Whether it follows the views stream.
    fn views(&self) -> bool {
        matches!(&self.config.wire, Wire::Plenary { hello } if hello.stream == Stream::Views)
    }

    /// Events: welcome → snapshot or missed events → insight. Views:
    /// welcome → the document; or, resuming, welcome (the patches that
    /// bring the document up to date follow in the same write, and are
    /// applied as live ones; a whole document instead counts as a resume
    /// with a snapshot).
    async fn handshake(&self, ws: &mut Ws, resuming: bool) -> anyhow::Result<()> {
        let views = self.views();
        loop {
            let Some(message) = ws.next().await else {
                anyhow::bail!("closed during the handshake");
            };
            let text = match message? {
                Message::Text(t) => t,
                Message::Close(f) => anyhow::bail!("closed during the handshake: {f:?}"),
                _ => continue,
            };
            match head(text.as_str()) {
                Head::Other("welcome") => {
                    let w: Welcome = serde_json::from_str(text.as_str())?;
                    if views && resuming {
                        return Ok(());
                    }
                    if !resuming {
                        // A first connect starts from the snapshot that follows.
                        self.state.set_last_seq(w.seq);
                    }
                }
                Head::View(seq) if views => {
                    self.state.set_last_seq(seq);
                    return Ok(());
                }
                Head::Snapshot(seq) => {
                    if resuming {
                        self.state.snapshot_resumes.fetch_add(1, Ordering::AcqRel);
                    }
                    self.state.set_last_seq(seq);
                }
                Head::Other("insight") => return Ok(()),
                Head::Other("error") => anyhow::bail!("refused: {}", text.as_str()),
                _ => {
                    self.on_text(text.as_str());
                }
            }
        }
    }

    /// A frame after the handshake; false when the viewer must resume
    /// (a patch that does not apply to the document held).
    fn on_text(&self, text: &str) -> bool {
        let at = now_ns();
        let recording = self.recording.load(Ordering::Relaxed);
        match head(text) {
            Head::Event(seq) => {
                self.state.observe_event(seq, at, recording);
            }
            Head::Patch { from, seq } => {
                if recording
                    && self.state.class == Class::Bulk
                    && let Ok(mut samples) = self.state.samples.lock()
                    && samples.len() < 2
                {
                    samples.push(text.to_owned());
                }
                return self.state.observe_patch(from, seq, at, recording);
            }
            Head::View(seq) => {
                // After the handshake, only a resume brings a whole document.
                self.state.snapshot_resumes.fetch_add(1, Ordering::AcqRel);
                self.state.set_last_seq(seq);
            }
            Head::Probe(from) => {
                self.state.probes.fetch_add(1, Ordering::AcqRel);
                if from == self.state.index as u64 {
                    self.state.probe_echo_ns.store(at, Ordering::Release);
                }
            }
            Head::Snapshot(seq) => self.state.set_last_seq(seq),
            Head::Other(kind @ ("ack" | "error")) => {
                // Small frames, and only commanders get them: decoded.
                if let Ok(Reply {
                    command_id: Some(id),
                    seq,
                }) = serde_json::from_str(text)
                    && let Ok(mut replies) = self.state.replies.lock()
                {
                    replies.push((id, at, if kind == "ack" { seq } else { None }));
                }
            }
            Head::Other(_) | Head::Unknown => {}
        }
        true
    }

    async fn live(&mut self, mut ws: Ws) -> End {
        let mut outgoing = self.outgoing.take();
        let end = loop {
            let send = async {
                match outgoing.as_mut() {
                    Some(rx) => rx.recv().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                biased;
                changed = self.control.changed() => {
                    if changed.is_err() {
                        break End::Stop;
                    }
                    let action = self.control.borrow_and_update().1.clone();
                    match action {
                        Action::Run => {}
                        Action::Stop => {
                            let _closed = tokio::time::timeout(Duration::from_millis(500), ws.close(None)).await;
                            break End::Stop;
                        }
                        Action::Drop { spread_millis } => {
                            break End::Dropped(self.jitter.below(Duration::from_millis(spread_millis)));
                        }
                        Action::PauseSlow { millis } => {
                            if self.state.slow {
                                // Not reading: the server's queue for us fills.
                                tokio::time::sleep(Duration::from_millis(millis)).await;
                            }
                        }
                    }
                }
                frames = send => match frames {
                    Some(frames) => {
                        let mut ok = true;
                        for f in frames {
                            ok = ok && ws.feed(Message::text(f)).await.is_ok();
                        }
                        if !ok || ws.flush().await.is_err() {
                            break End::Lost;
                        }
                    }
                    None => outgoing = None,
                },
                message = ws.next() => match message {
                    Some(Ok(Message::Text(text))) => {
                        self.state.bytes.fetch_add(text.len() as u64, Ordering::Relaxed);
                        let applied = self.on_text(text.as_str());
                        if !applied && self.config.reconnect && matches!(self.config.wire, Wire::Plenary { .. }) {
                            break End::Resync;
                        }
                    }
                    Some(Ok(Message::Close(frame))) => {
                        if frame.as_ref().is_some_and(|f| {
                            matches!(u16::from(f.code), 4008 | 4009) || f.reason.contains("slow")
                        }) {
                            self.state.too_slow.fetch_add(1, Ordering::AcqRel);
                        }
                        self.state.server_closes.fetch_add(1, Ordering::AcqRel);
                        break End::Lost;
                    }
                    Some(Ok(_)) => {}
                    Some(Err(_)) | None => {
                        self.state.server_closes.fetch_add(1, Ordering::AcqRel);
                        break End::Lost;
                    }
                },
            }
        };
        self.state.ready.store(false, Ordering::Release);
        self.outgoing = outgoing;
        end
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use plenary_core::{Role, Timestamp};
    use plenary_protocol::{EventFrame, ServerMessage};

    use super::*;

    #[test]
    fn the_head_of_real_server_frames() {
        let event = ServerMessage::Event(EventFrame {
            seq: 4711,
            at: Timestamp(1_509_048_000_000),
            actor: Some(Role::Chair),
            event: None,
        });
        let text = serde_json::to_string(&event).unwrap();
        assert_eq!(head(&text), Head::Event(4711), "{text}");
        let ack = serde_json::to_string(&ServerMessage::Ack {
            command_id: "c".to_owned(),
            seq: 3,
        })
        .unwrap();
        assert_eq!(head(&ack), Head::Other("ack"));
        assert_eq!(head("{\"type\":\"probe\",\"from\":17}"), Head::Probe(17));
        assert_eq!(
            head("{\"type\":\"snapshot\",\"seq\":9,\"state\":{}}"),
            Head::Snapshot(9)
        );
        assert_eq!(head("hello"), Head::Unknown);
        let patch = serde_json::to_string(&ServerMessage::Patch {
            from: 12,
            seq: 15,
            ops: serde_json::from_str("[]").unwrap(),
        })
        .unwrap();
        assert_eq!(head(&patch), Head::Patch { from: 12, seq: 15 }, "{patch}");
        // As the server writes a whole document (keys in order) …
        let view = serde_json::json!({ "type": "view", "seq": 21, "view": {} }).to_string();
        assert_eq!(head(&view), Head::View(21), "{view}");
        // … or with its tag first.
        assert_eq!(
            head("{\"type\":\"view\",\"seq\":22,\"view\":{}}"),
            Head::View(22)
        );
    }

    fn bulk(initial_seq: u64) -> ViewerState {
        let config = ViewerConfig {
            url: String::new(),
            fallbacks: Vec::new(),
            wire: Wire::Floor,
            class: Class::Bulk,
            who: Who::Public,
            key: None,
            slow: false,
            reconnect: true,
            read_buffer_size: 4096,
            initial_seq,
        };
        ViewerState::new(0, &config)
    }

    #[test]
    fn patches_must_start_at_the_document_held() {
        let s = bulk(10);
        assert!(s.observe_patch(10, 12, 1, true));
        assert!(s.observe_patch(12, 13, 2, true));
        assert_eq!(s.violations(), 0);
        assert!(!s.observe_patch(12, 14, 3, true), "applied twice");
        assert!(!s.observe_patch(15, 16, 4, true), "one missed");
        assert_eq!(s.violations(), 2);
        assert_eq!(s.last_seq(), 13, "the document held is unchanged");
        assert_eq!(s.take_log(), vec![(12, 1), (13, 2)]);
        assert!(s.first_violation().unwrap().contains("held is at 13"));
    }

    #[test]
    fn a_document_must_reach_its_own_seq() {
        let mut expect = Expect::seq(40);
        expect.docs.insert("public".to_owned(), 37);
        let mut config = ViewerConfig {
            url: String::new(),
            fallbacks: Vec::new(),
            wire: Wire::Floor,
            class: Class::Bulk,
            who: Who::Public,
            key: Some("public".to_owned()),
            slow: false,
            reconnect: true,
            read_buffer_size: 4096,
            initial_seq: 37,
        };
        assert_eq!(expect.of(&ViewerState::new(0, &config)), 37);
        config.key = Some("screen:podium".to_owned());
        assert_eq!(expect.of(&ViewerState::new(1, &config)), 40);
    }

    #[test]
    fn events_must_come_once_and_in_order() {
        let s = bulk(10);
        s.observe_event(11, 1, true);
        s.observe_event(12, 2, true);
        assert_eq!(s.violations(), 0);
        s.observe_event(12, 3, true);
        assert_eq!(s.violations(), 1, "a duplicate");
        s.observe_event(14, 4, true);
        assert_eq!(s.violations(), 2, "a gap");
        assert_eq!(s.take_log(), vec![(11, 1), (12, 2)]);
        assert!(s.first_violation().unwrap().contains("duplicate"));
    }
}
