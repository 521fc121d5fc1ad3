//! One task per websocket connection: hello and authentication, then a
//! [`Session`] that `select!`s over the client's messages, the hub's frames
//! for it (events, answers to its commands, presence — one ordered queue),
//! keepalive pings and shutdown.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::SinkExt;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tracing::{Instrument, Span, info, info_span, warn};

use plenary_core::floor::FloorSeen;
use plenary_core::ids::{MeetingId, ScreenId};
use plenary_core::{Command, Role};
use plenary_protocol::views::{Audience, ViewKey};
use plenary_protocol::{
    ClientMessage, CloseCode, MAX_FRAME_BYTES, PROTOCOL_VERSION, ProtocolErrorCode, ServerMessage,
    Stream, decode_client_message,
};

use crate::hub::fanout::Inbox;
use crate::hub::{Ended, Feed, Frame, HubHandle, ScreenReport, SubscriberId, encode};
use crate::{AppState, access, metrics as m};

/// `GET /ws`: checks the origin, then upgrades.
pub async fn upgrade(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    // Behind a trusted proxy, the client it forwards for.
    let peer = SocketAddr::new(state.client_ip(peer, &headers), peer.port());
    if !origin_allowed(&headers, &state.config.allowed_origins) {
        warn!(%peer, "websocket refused: origin not allowed");
        return (StatusCode::FORBIDDEN, "origin not allowed").into_response();
    }
    let tracker = state.tracker.clone();
    // 4 KiB read buffer instead of axum's eager 128 KiB: thousands of idle
    // screens must stay cheap. Oversized frames are refused by the
    // connection itself with 1009, so the library limit is only a backstop.
    //
    // Frames queued together (an event and the insight that follows it)
    // are written with one syscall: tungstenite writes once the buffer
    // passes this size or on flush. With 0 every frame was its own write,
    // which doubled the server's CPU per delivered event (loadgen, issue 5).
    ws.read_buffer_size(4096)
        .write_buffer_size(8 * 1024)
        .max_message_size(4 * MAX_FRAME_BYTES)
        .max_frame_size(4 * MAX_FRAME_BYTES)
        .on_upgrade(move |socket| {
            // Boxed until the session owns it: what a connection's future
            // is given stays in it for its whole life.
            let socket = Box::new(Socket::new(socket, &state.config));
            tracker
                .track_future(connection(socket, state, peer).instrument(info_span!("ws", %peer)))
        })
}

/// Browsers send `Origin`; it must be the service's own host or listed.
/// Clients that are not browsers send none and are let through (their
/// access code is what counts).
fn origin_allowed(headers: &HeaderMap, allowed: &[String]) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
        return true;
    };
    if allowed
        .iter()
        .any(|a| a == "*" || a.eq_ignore_ascii_case(origin))
    {
        return true;
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
}

/// A websocket whose every write is bounded in time: a client that stops
/// reading (a suspended phone tab, a stalled network) is dropped after
/// `write_timeout` instead of holding its task — and graceful shutdown —
/// forever.
struct Socket {
    ws: WebSocket,
    write_timeout: Duration,
}

impl Socket {
    fn new(ws: WebSocket, config: &crate::ServerConfig) -> Socket {
        Socket {
            ws,
            write_timeout: config.write_timeout,
        }
    }

    /// Queues a frame; false when the connection is gone or stuck.
    async fn feed(&mut self, message: Message) -> bool {
        matches!(
            tokio::time::timeout(self.write_timeout, self.ws.feed(message)).await,
            Ok(Ok(()))
        )
    }

    async fn flush(&mut self) -> bool {
        matches!(
            tokio::time::timeout(self.write_timeout, self.ws.flush()).await,
            Ok(Ok(()))
        )
    }

    async fn send(&mut self, message: &ServerMessage) -> bool {
        self.feed(Message::Text(encode(message))).await && self.flush().await
    }

    async fn close(&mut self, code: CloseCode, reason: &str) {
        let frame = CloseFrame {
            code: code as u16,
            reason: Utf8Bytes::from(reason),
        };
        let _closing = self.feed(Message::Close(Some(frame))).await && self.flush().await;
    }

    async fn recv(&mut self) -> Option<Result<Message, axum::Error>> {
        self.ws.recv().await
    }
}

/// Whether a read failed because the client sent a frame over the limit.
fn too_big(e: &axum::Error) -> bool {
    use std::error::Error as _;
    let mut source = e.source();
    while let Some(s) = source {
        if let Some(tungstenite::Error::Capacity(_)) = s.downcast_ref::<tungstenite::Error>() {
            return true;
        }
        source = s.source();
    }
    false
}

/// The token given to the public: it carries only the meeting's id.
const PUBLIC_TOKEN: &str = "public:";

/// Who the hello says this is.
struct Welcomed {
    hub: HubHandle,
    role: Role,
    /// The access code used, directly or through a token (none for the public).
    code_id: Option<Arc<str>>,
    token: String,
    resume_from: Option<u64>,
    stream: Stream,
}

/// A hello refused, and whether it was a wrong code (throttled per address).
struct Refused {
    code: ProtocolErrorCode,
    wrong_credentials: bool,
}

impl From<ProtocolErrorCode> for Refused {
    fn from(code: ProtocolErrorCode) -> Refused {
        Refused {
            code,
            wrong_credentials: code == ProtocolErrorCode::InvalidAccessCode,
        }
    }
}

fn store_down(e: &plenary_store::StoreError) -> ProtocolErrorCode {
    warn!(error = %e, "the store did not answer a login");
    ProtocolErrorCode::StoreUnavailable
}

async fn authenticate(state: &AppState, message: ClientMessage) -> Result<Welcomed, Refused> {
    let ClientMessage::Hello {
        protocol_version,
        access_code,
        token,
        meeting,
        resume_from_seq,
        stream,
    } = message
    else {
        return Err(ProtocolErrorCode::HelloRequired.into());
    };
    if protocol_version != PROTOCOL_VERSION {
        return Err(ProtocolErrorCode::UnsupportedVersion.into());
    }
    let public = async |meeting: MeetingId| -> Result<Welcomed, Refused> {
        let hub = state
            .find_meeting(&meeting)
            .await
            .ok_or(ProtocolErrorCode::UnknownMeeting)?;
        if !hub.definition.public_view_open {
            return Err(ProtocolErrorCode::PublicViewClosed.into());
        }
        Ok(Welcomed {
            hub,
            role: Role::Public,
            code_id: None,
            // The public's token just names the meeting: thousands of
            // viewers reconnecting need no signature and leave nothing.
            token: format!("{PUBLIC_TOKEN}{meeting}"),
            resume_from: resume_from_seq,
            stream,
        })
    };
    let token = token.filter(|t| !t.is_empty());
    let record = if let Some(token) = token {
        if let Some(meeting) = token.strip_prefix(PUBLIC_TOKEN) {
            return public(MeetingId::new(meeting)).await;
        }
        let key = state.session_key().await.map_err(|e| store_down(&e))?;
        // A token lives as long as its code: a revoked code ends it.
        access::AccessCodes::new(&state.store)
            .resume(key, &token)
            .await
            .map_err(|e| store_down(&e))?
            .ok_or(ProtocolErrorCode::InvalidAccessCode)?
    } else if let Some(code) = access_code.filter(|c| !c.trim().is_empty()) {
        access::AccessCodes::new(&state.store)
            .login(&code)
            .await
            .map_err(|e| store_down(&e))?
            .ok_or(ProtocolErrorCode::InvalidAccessCode)?
    } else if let Some(meeting) = meeting {
        return public(meeting).await;
    } else {
        return Err(ProtocolErrorCode::InvalidAccessCode.into());
    };
    let hub = state
        .find_meeting(&record.meeting)
        .await
        .ok_or(ProtocolErrorCode::UnknownMeeting)?;
    let token = state
        .session_key()
        .await
        .map_err(|e| store_down(&e))?
        .token(&record.meeting, &record.id);
    Ok(Welcomed {
        hub,
        role: record.role,
        code_id: Some(Arc::from(record.id)),
        token,
        resume_from: resume_from_seq,
        stream,
    })
}

fn role_label(role: &Role) -> &'static str {
    role.kind().as_str()
}

/// A connection's task, from the hello to the close.
///
/// Not an `async fn`: the `async move` block uses what it is given in
/// place, where an `async fn` would also copy its arguments into locals
/// and keep both for as long as the connection lives.
#[allow(
    clippy::manual_async_fn,
    reason = "an async fn would keep its arguments twice in every idle connection"
)]
fn connection(
    socket: Box<Socket>,
    state: Arc<AppState>,
    peer: SocketAddr,
) -> impl Future<Output = ()> + Send {
    async move {
        // The hello, the authentication and the catch-up are boxed: their
        // state is freed once the session runs, so the task itself — kept
        // for every idle connection, thousands of them — holds only what a
        // running session needs.
        let Some((session, span, label)) = Box::pin(welcome(socket, &state, peer)).await else {
            return;
        };
        session
            .run(state.shutdown.clone())
            .instrument(span.clone())
            .await;
        m::connection_closed(label);
        span.in_scope(|| info!("disconnected"));
    }
}

/// Hello, authentication, subscription and catch-up: the session, ready to
/// run, or `None` when the connection ended (refused, gone, shutting down).
async fn welcome(
    socket: Box<Socket>,
    state: &AppState,
    peer: SocketAddr,
) -> Option<(Session, Span, &'static str)> {
    let mut socket = *socket;
    let shutdown = state.shutdown.clone();
    // 1. hello, within the configured time.
    let hello = tokio::select! {
        () = shutdown.cancelled() => {
            socket.close(CloseCode::GoingAway, "server shutting down").await;
            return None;
        }
        r = tokio::time::timeout(state.config.hello_timeout, socket.recv()) => r,
    };
    let text = match hello {
        Err(_) => {
            socket
                .close(CloseCode::HelloTimeout, "no hello in time")
                .await;
            return None;
        }
        Ok(Some(Err(e))) if too_big(&e) => {
            socket.close(CloseCode::TooBig, "frame over 64 KiB").await;
            return None;
        }
        Ok(None | Some(Err(_))) => return None,
        Ok(Some(Ok(Message::Text(t)))) => t,
        Ok(Some(Ok(_))) => {
            socket
                .send(&ServerMessage::protocol_error(
                    ProtocolErrorCode::HelloRequired,
                    None,
                ))
                .await;
            socket.close(CloseCode::Policy, "hello required").await;
            return None;
        }
    };
    if text.len() > MAX_FRAME_BYTES {
        socket.close(CloseCode::TooBig, "frame over 64 KiB").await;
        return None;
    }
    let Ok(parsed) = decode_client_message(&text) else {
        socket
            .send(&ServerMessage::protocol_error(
                ProtocolErrorCode::BadMessage,
                None,
            ))
            .await;
        socket.close(CloseCode::Policy, "hello required").await;
        return None;
    };
    // Guessing codes is slowed per address: past the allowance, even a
    // right code waits.
    if state.login_throttle.check(peer.ip()).is_err() {
        info!("hello refused: too many wrong codes from this address");
        let code = ProtocolErrorCode::TooManyAttempts;
        socket
            .send(&ServerMessage::protocol_error(code, None))
            .await;
        socket.close(CloseCode::Policy, code.as_str()).await;
        return None;
    }
    let welcomed = match Box::pin(authenticate(state, parsed)).await {
        Ok(w) => w,
        Err(refused) => {
            if refused.wrong_credentials {
                state.login_throttle.record_failure(peer.ip());
            }
            // Logged without the code itself.
            info!(code = refused.code.as_str(), "hello refused");
            socket
                .send(&ServerMessage::protocol_error(refused.code, None))
                .await;
            socket.close(CloseCode::Policy, refused.code.as_str()).await;
            return None;
        }
    };
    let span = info_span!("session", meeting = %welcomed.hub.meeting, role = %welcomed.role);
    let (session, label) = open_session(socket, state, welcomed)
        .instrument(span.clone())
        .await?;
    Some((session, span, label))
}

/// What to do after handling something.
enum Flow {
    Continue,
    Close,
}

/// One welcomed connection: everything its task holds, and one method per
/// thing that can happen to it (in the manner of mini-redis's `Handler`).
/// It talks to nothing but its socket and its meeting's hub: commands go
/// to the hub, and everything the client receives — events, the answers
/// to its commands, presence — comes back as frames in one ordered queue.
struct Session {
    socket: Socket,
    hub: HubHandle,
    role: Role,
    /// The screen this connection is, if it is one (for presence).
    screen: Option<ScreenId>,
    subscriber: SubscriberId,
    frames: Inbox,
    limiter: DefaultDirectRateLimiter,
    /// Keepalive: a ping every interval; a client silent (no frame, no
    /// pong) for two intervals is gone, whatever TCP believes.
    ping_every: Duration,
    last_heard: tokio::time::Instant,
    /// The meetings' clock, for `time_sync` answers.
    clock: crate::clock::Clock,
}

/// Subscribes, sends the welcome and the catch-up: the session, ready to
/// run, or `None` when the connection is gone.
async fn open_session(
    mut socket: Socket,
    state: &AppState,
    welcomed: Welcomed,
) -> Option<(Session, &'static str)> {
    let Welcomed {
        hub,
        role,
        code_id,
        token,
        resume_from,
        stream,
    } = welcomed;
    let audience = Audience::of(&role);
    let feed = match stream {
        Stream::Events => Feed::Events(audience),
        Stream::Views => Feed::Views(ViewKey::of(&role)),
    };
    let Ok(joined) = hub.subscribe(feed, code_id, resume_from).await else {
        socket
            .close(CloseCode::GoingAway, "server shutting down")
            .await;
        return None;
    };
    let welcome = ServerMessage::Welcome {
        protocol_version: PROTOCOL_VERSION,
        role: role.clone(),
        meeting: hub.meeting.clone(),
        server_time: state.clock.now(),
        seq: joined.seq,
        token,
    };
    let mut ok = socket.feed(Message::Text(encode(&welcome))).await;
    for frame in joined.catch_up {
        ok = ok && socket.feed(Message::Text(frame)).await;
    }
    if !ok || !socket.flush().await {
        return None;
    }
    let label = role_label(&role);
    m::connection_opened(label);
    info!(
        seq = joined.seq,
        resumed = resume_from.is_some(),
        "connected"
    );
    let screen = match &role {
        Role::Screen { screen } => Some(screen.clone()),
        _ => None,
    };
    if let Some(screen) = &screen {
        hub.screen(screen.clone(), ScreenReport::Connected).await;
    }
    let quota = Quota::per_second(
        NonZeroU32::new(state.config.commands_per_second).unwrap_or(NonZeroU32::MIN),
    )
    .allow_burst(NonZeroU32::new(state.config.command_burst).unwrap_or(NonZeroU32::MIN));
    let session = Session {
        socket,
        hub,
        role,
        screen,
        subscriber: joined.subscription.id,
        frames: joined.subscription.frames,
        limiter: RateLimiter::direct(quota),
        ping_every: state.config.ping_interval,
        last_heard: tokio::time::Instant::now(),
        clock: state.clock.clone(),
    };
    Some((session, label))
}

impl Session {
    /// Runs the session until its connection closes. Not an `async fn`,
    /// for the reason given at [`connection`]: the session is kept once.
    #[allow(
        clippy::manual_async_fn,
        reason = "an async fn would keep the session twice in every idle connection"
    )]
    fn run(
        mut self,
        shutdown: tokio_util::sync::CancellationToken,
    ) -> impl Future<Output = ()> + Send {
        async move {
            let mut ping = tokio::time::interval_at(
                tokio::time::Instant::now() + self.ping_every,
                self.ping_every,
            );
            ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                // Each handler's future is boxed: the connection's own state
                // (kept for every idle connection, thousands of them) stays
                // what waiting needs instead of the largest handler's size.
                let flow = tokio::select! {
                    biased;
                    () = shutdown.cancelled() => Box::pin(self.on_shutdown()).await,
                    frame = self.frames.recv() => Box::pin(self.on_frame(frame)).await,
                    _ = ping.tick() => Box::pin(self.on_ping()).await,
                    incoming = self.socket.recv() => Box::pin(self.on_incoming(incoming)).await,
                };
                if let Flow::Close = flow {
                    break;
                }
            }
            if let Some(screen) = self.screen.take() {
                Box::pin(self.hub.screen(screen, ScreenReport::Disconnected)).await;
            }
        }
    }

    async fn on_shutdown(&mut self) -> Flow {
        self.socket
            .close(CloseCode::GoingAway, "server shutting down")
            .await;
        Flow::Close
    }

    /// A frame from the hub, or the end of the subscription.
    async fn on_frame(&mut self, frame: Option<Frame>) -> Flow {
        let Some(frame) = frame else {
            match self.frames.ended() {
                Ended::TooSlow => {
                    warn!("client too slow: cut loose");
                    self.socket
                        .close(
                            CloseCode::TooSlow,
                            "too slow: reconnect and resume from your last seq",
                        )
                        .await;
                }
                Ended::Revoked => {
                    info!("access code revoked: session ended");
                    self.socket
                        .close(CloseCode::Policy, "access code revoked")
                        .await;
                }
                Ended::No => {
                    self.socket
                        .close(CloseCode::GoingAway, "meeting closed")
                        .await;
                }
            }
            return Flow::Close;
        };
        if forward(&mut self.socket, frame, &mut self.frames).await {
            Flow::Continue
        } else {
            Flow::Close
        }
    }

    async fn on_ping(&mut self) -> Flow {
        if self.last_heard.elapsed() > self.ping_every * 2 {
            info!("client silent for two ping intervals: closed");
            self.socket
                .close(CloseCode::Silent, "no sign of life: reconnect and resume")
                .await;
            return Flow::Close;
        }
        if self.socket.feed(Message::Ping(Default::default())).await && self.socket.flush().await {
            Flow::Continue
        } else {
            Flow::Close
        }
    }

    /// Whatever the client sent.
    async fn on_incoming(&mut self, incoming: Option<Result<Message, axum::Error>>) -> Flow {
        self.last_heard = tokio::time::Instant::now();
        let text = match incoming {
            Some(Err(e)) if too_big(&e) => {
                self.socket
                    .close(CloseCode::TooBig, "frame over 64 KiB")
                    .await;
                return Flow::Close;
            }
            None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return Flow::Close,
            Some(Ok(Message::Text(t))) => t,
            Some(Ok(Message::Binary(_))) => {
                return self.error(ProtocolErrorCode::BadMessage, None).await;
            }
            Some(Ok(_)) => return Flow::Continue,
        };
        if text.len() > MAX_FRAME_BYTES {
            self.socket
                .close(CloseCode::TooBig, "frame over 64 KiB")
                .await;
            return Flow::Close;
        }
        let received = self.clock.now_ms_f64();
        match decode_client_message(&text) {
            Err(bad) => {
                self.error(ProtocolErrorCode::BadMessage, bad.command_id)
                    .await
            }
            Ok(ClientMessage::Hello { .. }) => {
                self.error(ProtocolErrorCode::AlreadyWelcomed, None).await
            }
            Ok(ClientMessage::TimeSync { t0 }) => {
                let reply = ServerMessage::TimeSync {
                    t0,
                    t1: received,
                    t2: self.clock.now_ms_f64(),
                };
                self.send(&reply).await
            }
            Ok(ClientMessage::Status { rtt_ms, offset_ms }) => {
                if let Some(screen) = &self.screen {
                    let report = ScreenReport::Measured { rtt_ms, offset_ms };
                    self.hub.screen(screen.clone(), report).await;
                }
                Flow::Continue
            }
            Ok(ClientMessage::Command {
                command_id,
                command,
                expect,
            }) => self.command(command_id, command, expect).await,
        }
    }

    /// A command: checked here for what needs no meeting state, then
    /// decided by the hub, which answers in this connection's queue.
    async fn command(
        &mut self,
        command_id: String,
        command: Command,
        expect: Option<FloorSeen>,
    ) -> Flow {
        if !plenary_protocol::valid_command_id(&command_id) {
            return self
                .error(ProtocolErrorCode::InvalidCommandId, Some(command_id))
                .await;
        }
        if self.limiter.check().is_err() {
            m::command("rate_limited");
            return self
                .error(ProtocolErrorCode::RateLimited, Some(command_id))
                .await;
        }
        let submitted = self
            .hub
            .submit(
                self.role.clone(),
                self.subscriber,
                command_id.clone(),
                command,
                expect,
            )
            .await;
        match submitted {
            Ok(()) => Flow::Continue,
            Err(_gone) => {
                self.socket
                    .close(CloseCode::GoingAway, "server shutting down")
                    .await;
                Flow::Close
            }
        }
    }

    async fn error(&mut self, code: ProtocolErrorCode, command_id: Option<String>) -> Flow {
        self.send(&ServerMessage::protocol_error(code, command_id))
            .await
    }

    async fn send(&mut self, message: &ServerMessage) -> Flow {
        if self.socket.send(message).await {
            Flow::Continue
        } else {
            Flow::Close
        }
    }
}

/// Sends `first` and whatever else is already queued, with one flush.
async fn forward(socket: &mut Socket, first: Frame, frames: &mut Inbox) -> bool {
    if !socket.feed(Message::Text(first)).await {
        return false;
    }
    for _ in 0..256 {
        match frames.try_recv() {
            Some(f) => {
                if !socket.feed(Message::Text(f)).await {
                    return false;
                }
            }
            None => break,
        }
    }
    socket.flush().await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The size of the future `f` returns.
    fn future_size<F, A, B, C, R>(_: &F) -> usize
    where
        F: Fn(A, B, C) -> R,
    {
        size_of::<R>()
    }

    /// Every idle connection keeps its task's future: a field or an inline
    /// `await` that grows it costs that much per connection, thousands of
    /// times (it once grew to 20 KB, and 4 KB after a first fix: see
    /// docs/BENCHMARKS.md). These bounds are for unoptimised builds, whose
    /// futures are larger than in release. When they were set, the
    /// connection's future was 1,048 bytes here (4,192 before issue 10).
    #[test]
    fn an_idle_connection_keeps_a_small_future() {
        let connection = future_size(&connection);
        let session = size_of::<Session>();
        assert!(
            connection <= 1536,
            "the connection's future is {connection} bytes: box what made it grow"
        );
        assert!(session <= 768, "a session is {session} bytes");
        // An idle subscription is a pointer to one small allocation.
        assert_eq!(size_of::<Inbox>(), size_of::<usize>());
    }
}
