//! A TCP proxy between `plenary serve` and PostgreSQL that the test
//! drives: it relays bytes both ways and can, at run time, refuse new
//! connections, cut every current one, cut one connection right after a
//! `COMMIT` reached the server but before its answer reaches the service,
//! add latency, or stop relaying altogether while keeping the sockets open.
//!
//! The client→server direction is parsed as the PostgreSQL frontend
//! protocol (an untyped startup message — possibly preceded by an
//! `SSLRequest` or `GSSENCRequest` — then messages of a type byte and an
//! `i32` length that counts itself) so that a simple-Query `COMMIT` can be
//! recognised. The service must connect with `sslmode=disable` so that the
//! protocol stays in clear.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// How long a connection whose `COMMIT` was forwarded under
/// [`Proxy::arm_cut_after_commit`] waits for the server's answer before it
/// is closed anyway.
const ANSWER_WAIT: Duration = Duration::from_secs(5);

/// What the proxy does with traffic; see [`Proxy::set`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Relay both ways.
    Pass,
    /// Close new connections at once; current ones keep working (cut them
    /// with [`Proxy::cut`]).
    Refuse,
    /// Relay, each chunk this much later.
    Delay(Duration),
    /// Relay nothing either way, keep every socket open. Back to `Pass`,
    /// what was held is relayed, as after a network partition heals.
    Blackhole,
}

#[derive(Debug)]
struct Shared {
    upstream: SocketAddr,
    mode: watch::Sender<Mode>,
    /// Bumped by every [`Proxy::cut`]; each connection closes when it moves.
    cuts: watch::Sender<u64>,
    armed: AtomicBool,
    fired: AtomicUsize,
    accepted: AtomicUsize,
    refused: AtomicUsize,
    open: AtomicUsize,
}

/// A running proxy on 127.0.0.1; stops (closing every connection) on drop.
#[derive(Debug)]
pub(crate) struct Proxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl Proxy {
    /// Listens on a free loopback port and relays to `upstream`.
    pub(crate) async fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("the proxy binds a loopback port");
        let addr = listener.local_addr().expect("the proxy's address");
        let shared = Arc::new(Shared {
            upstream,
            mode: watch::Sender::new(Mode::Pass),
            cuts: watch::Sender::new(0),
            armed: AtomicBool::new(false),
            fired: AtomicUsize::new(0),
            accepted: AtomicUsize::new(0),
            refused: AtomicUsize::new(0),
            open: AtomicUsize::new(0),
        });
        let task = tokio::spawn(accept_loop(listener, Arc::clone(&shared)));
        Proxy { addr, shared, task }
    }

    pub(crate) fn port(&self) -> u16 {
        self.addr.port()
    }

    pub(crate) fn set(&self, mode: Mode) {
        self.shared.mode.send_replace(mode);
    }

    /// Closes every current connection, both ways.
    pub(crate) fn cut(&self) {
        self.shared.cuts.send_modify(|generation| *generation += 1);
    }

    /// The next simple-Query `COMMIT` of a transaction that appended
    /// events is forwarded to the server, and its connection closed as soon
    /// as the server answers, the answer never relayed: the events are
    /// durable, the service cannot know it. One shot.
    pub(crate) fn arm_cut_after_commit(&self) {
        self.shared.armed.store(true, Ordering::SeqCst);
    }

    /// How many times an armed cut-after-`COMMIT` fired.
    pub(crate) fn fired(&self) -> usize {
        self.shared.fired.load(Ordering::SeqCst)
    }

    /// Whether a cut-after-`COMMIT` is armed and has not fired yet.
    pub(crate) fn armed(&self) -> bool {
        self.shared.armed.load(Ordering::SeqCst)
    }

    /// Counters for failure messages.
    pub(crate) fn describe(&self) -> String {
        format!(
            "proxy: mode {:?}, {} connections accepted, {} refused, {} open, cut-after-COMMIT fired {} times",
            *self.shared.mode.borrow(),
            self.shared.accepted.load(Ordering::SeqCst),
            self.shared.refused.load(Ordering::SeqCst),
            self.shared.open.load(Ordering::SeqCst),
            self.fired(),
        )
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        // The accept loop owns the connections' JoinSet: aborting it drops
        // them all, which closes their sockets.
        self.task.abort();
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((client, _)) = accepted else { continue };
                if *shared.mode.borrow() == Mode::Refuse {
                    shared.refused.fetch_add(1, Ordering::SeqCst);
                    drop(client);
                    continue;
                }
                shared.accepted.fetch_add(1, Ordering::SeqCst);
                connections.spawn(relay(client, Arc::clone(&shared)));
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// Decrements the open-connection count however the relay ends.
struct Open<'a>(&'a AtomicUsize);

impl Drop for Open<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn relay(client: TcpStream, shared: Arc<Shared>) {
    // Subscribed before anything else, so a cut while connecting counts.
    let mut cuts = shared.cuts.subscribe();
    let server = tokio::select! {
        s = TcpStream::connect(shared.upstream) => match s {
            Ok(s) => s,
            Err(_) => return,
        },
        _ = cuts.changed() => return,
    };
    shared.open.fetch_add(1, Ordering::SeqCst);
    let _open = Open(&shared.open);
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    // Set just before an armed COMMIT's last byte is forwarded: the next
    // bytes from the server are its answer, swallowed with the connection.
    let swallow = AtomicBool::new(false);
    tokio::select! {
        () = client_to_server(client_read, server_write, &shared, &swallow) => {}
        () = server_to_client(server_read, client_write, &shared, &swallow) => {}
        _ = cuts.changed() => {}
    }
    // Dropping the halves closes both sockets.
}

/// Waits while the proxy is a black hole; then the delay to apply.
async fn gate(shared: &Shared) -> Duration {
    let mut mode = shared.mode.subscribe();
    let current = match mode.wait_for(|m| *m != Mode::Blackhole).await {
        Ok(m) => *m,
        Err(_) => Mode::Pass,
    };
    match current {
        Mode::Delay(d) => d,
        Mode::Pass | Mode::Refuse | Mode::Blackhole => Duration::ZERO,
    }
}

async fn forward(to: &mut OwnedWriteHalf, bytes: &[u8], shared: &Shared) -> bool {
    let delay = gate(shared).await;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    to.write_all(bytes).await.is_ok()
}

async fn client_to_server(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    shared: &Shared,
    swallow: &AtomicBool,
) {
    let mut parser = FrontendParser::default();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let chunk = &buf[..n];
        let commit_end = parser
            .feed(chunk)
            .into_iter()
            .find(|_| shared.armed.swap(false, Ordering::SeqCst));
        match commit_end {
            None => {
                if !forward(&mut to, chunk, shared).await {
                    return;
                }
            }
            Some(end) => {
                swallow.store(true, Ordering::SeqCst);
                shared.fired.fetch_add(1, Ordering::SeqCst);
                let _ = forward(&mut to, &chunk[..end], shared).await;
                // Nothing more goes to the server; the other direction
                // closes the connection once the answer came (the commit
                // is then done), or after ANSWER_WAIT.
                tokio::time::sleep(ANSWER_WAIT).await;
                return;
            }
        }
    }
}

async fn server_to_client(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    shared: &Shared,
    swallow: &AtomicBool,
) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if swallow.load(Ordering::SeqCst) {
            return;
        }
        if !forward(&mut to, &buf[..n], shared).await {
            return;
        }
    }
}

const SSL_REQUEST: i32 = 80_877_103;
const GSSENC_REQUEST: i32 = 80_877_104;

/// What marks a transaction as one that appends events: the one-shot cut
/// takes the `COMMIT` of such a transaction, not that of a readiness
/// probe or a snapshot.
const APPENDS_EVENTS: &[u8] = b"insert into events";

/// The client→server half of the PostgreSQL protocol, just enough to find
/// the simple-Query `COMMIT`s of transactions that appended events, in a
/// byte stream cut anywhere. Prepared statements are followed: sqlx parses
/// a statement once per connection and then only binds it.
#[derive(Debug, Default)]
pub(crate) struct FrontendParser {
    /// Past the startup message: messages have a type byte.
    started: bool,
    /// Bytes of a message not complete yet.
    pending: Vec<u8>,
    /// Something that is not this protocol went by: stop looking.
    lost: bool,
    /// Names of the prepared statements that append events.
    appending: std::collections::HashSet<Vec<u8>>,
    /// The open transaction appended events.
    appended: bool,
}

impl FrontendParser {
    /// Feeds the next bytes; returns the offsets in `chunk` just past each
    /// simple-Query `COMMIT` of a transaction that appended events.
    pub(crate) fn feed(&mut self, chunk: &[u8]) -> Vec<usize> {
        if self.lost {
            return Vec::new();
        }
        let before = self.pending.len();
        self.pending.extend_from_slice(chunk);
        let mut ends = Vec::new();
        let mut pos = 0;
        loop {
            let rest = &self.pending[pos..];
            let len_at = usize::from(self.started);
            if rest.len() < len_at + 4 {
                break;
            }
            let len = i32::from_be_bytes([
                rest[len_at],
                rest[len_at + 1],
                rest[len_at + 2],
                rest[len_at + 3],
            ]);
            let Some(len) = usize::try_from(len).ok().filter(|l| *l >= 4) else {
                self.lost = true;
                self.pending.clear();
                return ends;
            };
            let total = len_at + len;
            if rest.len() < total {
                break;
            }
            if self.started {
                let body = rest[5..total].to_vec();
                if self.message(rest[0], &body) {
                    ends.push(pos + total - before);
                }
            } else {
                let code =
                    (len >= 8).then(|| i32::from_be_bytes([rest[4], rest[5], rest[6], rest[7]]));
                if code != Some(SSL_REQUEST) && code != Some(GSSENC_REQUEST) {
                    self.started = true;
                }
            }
            pos += total;
        }
        self.pending.drain(..pos);
        ends
    }

    /// One typed message; whether it is a `COMMIT` to take.
    fn message(&mut self, kind: u8, body: &[u8]) -> bool {
        let mut strings = body.split(|b| *b == 0);
        match kind {
            b'Q' => {
                let query = strings.next().unwrap_or_default();
                if contains(query, APPENDS_EVENTS) {
                    self.appended = true;
                }
                match statement(query).as_str() {
                    "commit" | "end" => return std::mem::take(&mut self.appended),
                    "rollback" | "abort" => self.appended = false,
                    _ => {}
                }
            }
            // Parse: statement name, query.
            b'P' => {
                let name = strings.next().unwrap_or_default().to_vec();
                if contains(strings.next().unwrap_or_default(), APPENDS_EVENTS) {
                    self.appending.insert(name);
                } else {
                    self.appending.remove(&name);
                }
            }
            // Bind: portal name, statement name.
            b'B' => {
                let _portal = strings.next();
                if self.appending.contains(strings.next().unwrap_or_default()) {
                    self.appended = true;
                }
            }
            _ => {}
        }
        false
    }
}

/// Whether `haystack` contains `needle` (lowercase ASCII), in any case.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// A simple query as one lowercase word: blanks and a final `;` dropped.
fn statement(query: &[u8]) -> String {
    let text = String::from_utf8_lossy(query);
    let text = text.trim();
    text.strip_suffix(';')
        .unwrap_or(text)
        .trim()
        .to_ascii_lowercase()
}

/// The host and port of a `postgres://user@host:port/db` URL, resolved.
pub(crate) async fn upstream_of(url: &str) -> SocketAddr {
    let authority = url
        .split_once("://")
        .map_or(url, |(_, rest)| rest)
        .split(['/', '?'])
        .next()
        .unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host_port = if host_port.contains(':') {
        host_port.to_owned()
    } else {
        format!("{host_port}:5432")
    };
    tokio::net::lookup_host(&host_port)
        .await
        .ok()
        .and_then(|mut addrs| addrs.next())
        .unwrap_or_else(|| panic!("cannot resolve the PostgreSQL address `{host_port}`"))
}

/// `url` with its host and port replaced by the proxy's, in plain text.
pub(crate) fn through(url: &str, port: u16) -> String {
    let (scheme, rest) = url.split_once("://").expect("a postgres:// URL");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let user = authority.rsplit_once('@').map(|(u, _)| format!("{u}@"));
    let separator = if path.contains('?') { '&' } else { '?' };
    format!(
        "{scheme}://{}127.0.0.1:{port}{path}{separator}sslmode=disable",
        user.unwrap_or_default()
    )
}
