//! The accept loop: HTTP/1.1 connections served by hyper with the limits a
//! hall network needs against a misbehaving or hostile client.
//!
//! - A connection must send each request's headers within
//!   `header_read_timeout`; a silent or trickling ("slowloris") connection,
//!   and an idle keep-alive one, is closed after it. A request body that
//!   stalls (nothing received) for as long fails the request, and the
//!   connection is closed.
//! - At most `max_connections_per_address` connections are open from one
//!   address (IPv6: one /64) at a time, websockets included: the count is
//!   held by the socket itself and released when it closes, whatever ends
//!   it. Beyond the cap a connection is answered 503 and closed at once.
//!   Loopback is exempt unless `limit_loopback`.
//! - Accept errors (out of file descriptors) back off instead of spinning.
//! - With a TLS acceptor the handshake runs in the connection's own task,
//!   within `header_read_timeout`, so a stalled handshake holds nothing
//!   but its own socket.
//! - On shutdown: stop accepting, let requests in flight finish, but never
//!   wait more than [`DRAIN`] for any connection.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::pin::{Pin, pin};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::Request;
use hyper::body::{Body, Bytes, Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower_service::Service as _;
use tracing::{debug, warn};

use crate::config::ServerConfig;
use crate::metrics as m;

/// The longest a connection is waited for once shutdown begins.
pub const DRAIN: Duration = Duration::from_secs(10);

/// Accept-error back-off: doubles from the first to the last.
const BACKOFF: (Duration, Duration) = (Duration::from_millis(10), Duration::from_secs(1));

/// What a connection over the per-address cap is told before it is closed.
const TOO_MANY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
content-type: text/plain; charset=utf-8\r\n\
content-length: 39\r\n\
retry-after: 5\r\n\
connection: close\r\n\
\r\n\
too many connections from this address\n";

/// Serves `router` on `listener` until `shutdown`, then drains the
/// connections (each for at most [`DRAIN`]). Upgraded websockets leave
/// hyper's hands on upgrade and are not waited for here.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    config: &ServerConfig,
    tls: Option<TlsAcceptor>,
    shutdown: CancellationToken,
) {
    let addresses = Arc::new(AddressCounts::new(
        config.max_connections_per_address,
        config.limit_loopback,
    ));
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(config.header_read_timeout)
        .keep_alive(true);
    let connections = TaskTracker::new();
    let mut backoff = BACKOFF.0;

    loop {
        let accepted = tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => {
                backoff = BACKOFF.0;
                accepted
            }
            // The peer gave up before we got to it: nothing to do.
            Err(e) if is_connection_error(&e) => continue,
            Err(e) => {
                m::accept_error();
                warn!(error = %e, retry_in = ?backoff, "cannot accept connections");
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    () = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(BACKOFF.1);
                continue;
            }
        };
        let Some(guard) = addresses.admit(peer.ip()) else {
            refuse(&stream, peer);
            continue;
        };
        // Nagle plus delayed ACK would cost tens of milliseconds per frame.
        if let Err(e) = stream.set_nodelay(true) {
            debug!(error = %e, "TCP_NODELAY not set");
        }
        let counted = Counted {
            stream,
            _guard: guard,
        };
        let router = router.clone();
        let stall = config.header_read_timeout;
        let service = hyper::service::service_fn(move |request: Request<Incoming>| {
            let mut request = request.map(|body| StallGuard::new(body, stall));
            request.extensions_mut().insert(ConnectInfo(peer));
            // A `Router` is always ready: no `poll_ready` needed; a clone
            // is a reference count.
            router.clone().call(request)
        });
        let http = http.clone();
        let shutdown = shutdown.clone();
        let tls = tls.clone();
        connections.spawn(async move {
            match tls {
                None => {
                    drive(
                        http.serve_connection(TokioIo::new(counted), service),
                        peer,
                        shutdown,
                    )
                    .await
                }
                Some(tls) => {
                    let handshake = tokio::time::timeout(stall, tls.accept(counted));
                    match handshake.await {
                        Ok(Ok(stream)) => {
                            drive(
                                http.serve_connection(TokioIo::new(stream), service),
                                peer,
                                shutdown,
                            )
                            .await;
                        }
                        Ok(Err(e)) => debug!(%peer, error = %e, "TLS handshake failed"),
                        Err(_) => debug!(%peer, "TLS handshake timed out"),
                    }
                }
            }
        });
    }
    // Closing the listening socket refuses new connections from now on.
    drop(listener);
    connections.close();
    connections.wait().await;
}

/// Serves one connection until it ends, or until `shutdown`: then the
/// request in flight (if any) finishes, for at most [`DRAIN`].
async fn drive<I, S>(conn: http1::Connection<I, S>, peer: SocketAddr, shutdown: CancellationToken)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    S: hyper::service::HttpService<Incoming>,
    S::ResBody: Body + Send + 'static,
    <S::ResBody as Body>::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    {
        let conn = conn.with_upgrades();
        {
            let mut conn = pin!(conn);
            tokio::select! {
                result = conn.as_mut() => {
                    if let Err(e) = result {
                        debug!(%peer, error = %e, "connection ended");
                    }
                    return;
                }
                () = shutdown.cancelled() => {}
            }
            // Finish the request in flight (if any), then close.
            conn.as_mut().graceful_shutdown();
            match tokio::time::timeout(DRAIN, conn).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => debug!(%peer, error = %e, "connection ended"),
                Err(_) => debug!(%peer, "connection still busy at shutdown: closed"),
            }
        }
    }
}

/// Errors that concern one connection, not the listener (as hyper and axum
/// treat them).
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// Over the cap: a best-effort 503 (one non-blocking write into an empty
/// socket buffer, no task, no waiting), then the socket is closed.
fn refuse(stream: &TcpStream, peer: SocketAddr) {
    m::connection_refused("per_address");
    debug!(%peer, "too many connections from this address: refused");
    let _ = stream.try_write(TOO_MANY);
}

/// A request body that fails when nothing arrives for `stall` while a
/// handler waits for it (a "slow POST" holding its connection forever).
#[derive(Debug)]
struct StallGuard {
    body: Incoming,
    stall: Duration,
    waiting: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl StallGuard {
    fn new(body: Incoming, stall: Duration) -> StallGuard {
        StallGuard {
            body,
            stall,
            waiting: None,
        }
    }
}

/// The error of a stalled body.
#[derive(Debug, thiserror::Error)]
#[error("the request body stalled")]
struct Stalled;

impl Body for StallGuard {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.body).poll_frame(cx) {
            Poll::Ready(frame) => {
                this.waiting = None;
                Poll::Ready(frame.map(|f| f.map_err(Into::into)))
            }
            Poll::Pending => {
                let stall = this.stall;
                let waiting = this
                    .waiting
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(stall)));
                match waiting.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(Stalled)))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// Open connections per address.
#[derive(Debug)]
struct AddressCounts {
    cap: u32,
    limit_loopback: bool,
    open: Mutex<HashMap<IpAddr, u32>>,
}

impl AddressCounts {
    fn new(cap: u32, limit_loopback: bool) -> AddressCounts {
        AddressCounts {
            cap,
            limit_loopback,
            open: Mutex::new(HashMap::new()),
        }
    }

    /// The address a connection from `ip` counts against, if it is capped.
    fn key(&self, ip: IpAddr) -> Option<IpAddr> {
        let ip = ip.to_canonical();
        if self.cap == 0 || (ip.is_loopback() && !self.limit_loopback) {
            return None;
        }
        Some(match ip {
            IpAddr::V4(_) => ip,
            // One host usually has a whole /64 to pick addresses from.
            IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from_bits(v6.to_bits() & !u128::from(u64::MAX))),
        })
    }

    /// A guard for one more connection from `ip`, or `None` when the cap
    /// is reached.
    fn admit(self: &Arc<Self>, ip: IpAddr) -> Option<ConnectionGuard> {
        let key = self.key(ip);
        if let Some(key) = key {
            let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
            let count = open.entry(key).or_insert(0);
            if *count >= self.cap {
                return None;
            }
            *count += 1;
        }
        m::tcp_connection(true);
        Some(ConnectionGuard {
            counted: key.map(|key| (Arc::clone(self), key)),
        })
    }

    #[cfg(test)]
    fn open(&self, ip: IpAddr) -> u32 {
        let open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        self.key(ip)
            .and_then(|k| open.get(&k).copied())
            .unwrap_or(0)
    }
}

/// One open connection; dropping it (with its socket) gives its place back.
#[derive(Debug)]
struct ConnectionGuard {
    counted: Option<(Arc<AddressCounts>, IpAddr)>,
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        m::tcp_connection(false);
        if let Some((counts, key)) = self.counted.take() {
            let mut open = counts.open.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(count) = open.get_mut(&key) {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    open.remove(&key);
                }
            }
        }
    }
}

/// A socket that carries its [`ConnectionGuard`]: the guard lives exactly
/// as long as the socket, through hyper and into an upgraded websocket.
#[derive(Debug)]
struct Counted {
    stream: TcpStream,
    _guard: ConnectionGuard,
}

impl AsyncRead for Counted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_cap_counts_per_address_and_releases_on_drop() {
        let counts = Arc::new(AddressCounts::new(2, false));
        let a = counts.admit(ip("10.0.0.1")).unwrap();
        let b = counts.admit(ip("10.0.0.1")).unwrap();
        assert!(counts.admit(ip("10.0.0.1")).is_none());
        // Another address has its own places.
        let _c = counts.admit(ip("10.0.0.2")).unwrap();
        drop(a);
        assert_eq!(counts.open(ip("10.0.0.1")), 1);
        let d = counts.admit(ip("10.0.0.1")).unwrap();
        drop(b);
        drop(d);
        assert_eq!(counts.open(ip("10.0.0.1")), 0);
        assert!(!counts.open.lock().unwrap().contains_key(&ip("10.0.0.1")));
    }

    #[test]
    fn a_panicking_connection_gives_its_place_back() {
        let counts = Arc::new(AddressCounts::new(1, false));
        let guard = counts.admit(ip("10.0.0.1")).unwrap();
        let result = std::thread::spawn(move || {
            let _guard = guard;
            panic!("connection task failed");
        })
        .join();
        assert!(result.is_err());
        assert!(counts.admit(ip("10.0.0.1")).is_some());
    }

    #[test]
    fn loopback_is_exempt_unless_asked_and_ipv6_counts_per_64() {
        let exempt = Arc::new(AddressCounts::new(1, false));
        let _a = exempt.admit(ip("127.0.0.1")).unwrap();
        let _b = exempt.admit(ip("127.0.0.1")).unwrap();
        let _c = exempt.admit(ip("::1")).unwrap();
        let _d = exempt.admit(ip("::ffff:127.0.0.1")).unwrap();

        let capped = Arc::new(AddressCounts::new(1, true));
        let _e = capped.admit(ip("127.0.0.1")).unwrap();
        assert!(capped.admit(ip("127.0.0.1")).is_none());
        // An IPv4-mapped address is the IPv4 address.
        assert!(capped.admit(ip("::ffff:127.0.0.1")).is_none());

        let _f = capped.admit(ip("2001:db8::1")).unwrap();
        assert!(capped.admit(ip("2001:db8::ffff:2")).is_none());
        assert!(capped.admit(ip("2001:db8:0:1::1")).is_some());

        let uncapped = Arc::new(AddressCounts::new(0, true));
        let _g = uncapped.admit(ip("10.0.0.1")).unwrap();
        let _h = uncapped.admit(ip("10.0.0.1")).unwrap();
    }
}
