//! One task per websocket connection: hello and authentication, then a
//! `select!` over the client's messages, the hub's frames for it, the
//! answers to its commands, and shutdown.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::stream::FuturesUnordered;
use futures_util::{SinkExt, StreamExt};
use governor::{Quota, RateLimiter};
use tracing::{Instrument, debug, info, info_span, warn};

use plenary_core::ids::{MeetingId, ScreenId};
use plenary_core::roles::{Capability, may};
use plenary_core::{Command, Role};
use plenary_protocol::views::Audience;
use plenary_protocol::{
    ClientMessage, CloseCode, MAX_FRAME_BYTES, PROTOCOL_VERSION, ProtocolErrorCode, ServerMessage,
    decode_client_message,
};

use crate::hub::{CommandOutcome, Ended, Frame, HubHandle, encode};
use crate::{AppState, access, clock, metrics as m};

/// `GET /ws`: checks the origin, then upgrades.
pub async fn upgrade(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
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
            tracker.track_future(
                connection(Socket::new(socket, &state.config), state, peer)
                    .instrument(info_span!("ws", %peer)),
            )
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
    } = message
    else {
        return Err(ProtocolErrorCode::HelloRequired.into());
    };
    if protocol_version != PROTOCOL_VERSION {
        return Err(ProtocolErrorCode::UnsupportedVersion.into());
    }
    let public = |meeting: MeetingId| -> Result<Welcomed, Refused> {
        let hub = state
            .meeting(&meeting)
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
        })
    };
    let token = token.filter(|t| !t.is_empty());
    let record = if let Some(token) = token {
        if let Some(meeting) = token.strip_prefix(PUBLIC_TOKEN) {
            return public(MeetingId::new(meeting));
        }
        let key = state.session_key().await.map_err(|e| store_down(&e))?;
        let claims = key
            .verify(&token)
            .ok_or(ProtocolErrorCode::InvalidAccessCode)?;
        // A token lives as long as its code: a revoked code ends it.
        state
            .store
            .access_code_by_id(&claims.meeting, &claims.code_id)
            .await
            .map_err(|e| store_down(&e))?
            .filter(|r| r.revoked_at.is_none())
            .ok_or(ProtocolErrorCode::InvalidAccessCode)?
    } else if let Some(code) = access_code.filter(|c| !c.trim().is_empty()) {
        state
            .store
            .find_access_code(&access::hash(&code))
            .await
            .map_err(|e| store_down(&e))?
            .ok_or(ProtocolErrorCode::InvalidAccessCode)?
    } else if let Some(meeting) = meeting {
        return public(meeting);
    } else {
        return Err(ProtocolErrorCode::InvalidAccessCode.into());
    };
    let hub = state
        .meeting(&record.meeting)
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
    })
}

fn role_label(role: &Role) -> &'static str {
    role.kind().as_str()
}

async fn connection(mut socket: Socket, state: Arc<AppState>, peer: SocketAddr) {
    let shutdown = state.shutdown.clone();
    // 1. hello, within the configured time.
    let hello = tokio::select! {
        () = shutdown.cancelled() => return socket.close(CloseCode::GoingAway, "server shutting down").await,
        r = tokio::time::timeout(state.config.hello_timeout, socket.recv()) => r,
    };
    let text = match hello {
        Err(_) => {
            return socket
                .close(CloseCode::HelloTimeout, "no hello in time")
                .await;
        }
        Ok(Some(Err(e))) if too_big(&e) => {
            return socket.close(CloseCode::TooBig, "frame over 64 KiB").await;
        }
        Ok(None | Some(Err(_))) => return,
        Ok(Some(Ok(Message::Text(t)))) => t,
        Ok(Some(Ok(_))) => {
            socket
                .send(&ServerMessage::protocol_error(
                    ProtocolErrorCode::HelloRequired,
                    None,
                ))
                .await;
            return socket.close(CloseCode::Policy, "hello required").await;
        }
    };
    if text.len() > MAX_FRAME_BYTES {
        return socket.close(CloseCode::TooBig, "frame over 64 KiB").await;
    }
    let Ok(parsed) = decode_client_message(&text) else {
        socket
            .send(&ServerMessage::protocol_error(
                ProtocolErrorCode::BadMessage,
                None,
            ))
            .await;
        return socket.close(CloseCode::Policy, "hello required").await;
    };
    // Guessing codes is slowed per address: past the allowance, even a
    // right code waits.
    if state.login_throttle.check(peer.ip()).is_err() {
        info!("hello refused: too many wrong codes from this address");
        let code = ProtocolErrorCode::TooManyAttempts;
        socket
            .send(&ServerMessage::protocol_error(code, None))
            .await;
        return socket.close(CloseCode::Policy, code.as_str()).await;
    }
    let welcomed = match authenticate(&state, parsed).await {
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
            return socket.close(CloseCode::Policy, refused.code.as_str()).await;
        }
    };
    let span = info_span!("session", meeting = %welcomed.hub.meeting, role = %access::role_key(&welcomed.role));
    serve_session(socket, state, welcomed)
        .instrument(span)
        .await;
}

async fn serve_session(mut socket: Socket, state: Arc<AppState>, welcomed: Welcomed) {
    let Welcomed {
        hub,
        role,
        code_id,
        token,
        resume_from,
    } = welcomed;
    let shutdown = state.shutdown.clone();
    let audience = Audience::of(&role);
    let Ok(joined) = hub.subscribe(audience, code_id, resume_from).await else {
        return socket
            .close(CloseCode::GoingAway, "server shutting down")
            .await;
    };
    let welcome = ServerMessage::Welcome {
        protocol_version: PROTOCOL_VERSION,
        role: role.clone(),
        meeting: hub.meeting.clone(),
        server_time: clock::now(),
        seq: joined.seq,
        token,
    };
    let mut ok = socket.feed(Message::Text(encode(&welcome))).await;
    for frame in joined.catch_up {
        ok = ok && socket.feed(Message::Text(frame)).await;
    }
    if !ok || !socket.flush().await {
        return;
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
        state.presence.connected(&hub.meeting, screen, clock::now());
        publish_presence(&state, &hub).await;
    }
    if may(&role, Capability::SeePresence).is_ok() {
        let screens = presence_of(&state, &hub).await;
        socket.send(&ServerMessage::Presence { screens }).await;
    }

    let mut frames = joined.subscription.frames;
    let ended = joined.subscription.ended;
    let quota = Quota::per_second(
        NonZeroU32::new(state.config.commands_per_second).unwrap_or(NonZeroU32::MIN),
    )
    .allow_burst(NonZeroU32::new(state.config.command_burst).unwrap_or(NonZeroU32::MIN));
    let limiter = RateLimiter::direct(quota);
    let mut answers = FuturesUnordered::new();
    // Keepalive: a ping every interval; a client silent (no frame, no
    // pong) for two intervals is gone, whatever TCP believes.
    let ping_every = state.config.ping_interval;
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + ping_every, ping_every);
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_heard = tokio::time::Instant::now();

    loop {
        tokio::select! {
            biased;
            () = shutdown.cancelled() => {
                socket.close(CloseCode::GoingAway, "server shutting down").await;
                break;
            }
            frame = frames.recv() => match frame {
                Some(frame) => {
                    if !forward(&mut socket, frame, &mut frames).await { break; }
                }
                None => {
                    match ended.get() {
                        Ended::TooSlow => {
                            warn!("client too slow: cut loose");
                            socket.close(CloseCode::TooSlow, "too slow: reconnect and resume from your last seq").await;
                        }
                        Ended::Revoked => {
                            info!("access code revoked: session ended");
                            socket.close(CloseCode::Policy, "access code revoked").await;
                        }
                        Ended::No => socket.close(CloseCode::GoingAway, "meeting closed").await,
                    }
                    break;
                }
            },
            Some((command_id, outcome)) = answers.next(), if !answers.is_empty() => {
                // The command's events were queued before its answer: send
                // them first so the ack never overtakes them.
                let mut ok = true;
                while let Ok(frame) = frames.try_recv() {
                    ok = ok && socket.feed(Message::Text(frame)).await;
                }
                let reply = answer(&hub, command_id, outcome);
                ok = ok && socket.feed(Message::Text(encode(&reply))).await;
                if !ok || !socket.flush().await { break; }
            }
            _ = ping.tick() => {
                if last_heard.elapsed() > ping_every * 2 {
                    info!("client silent for two ping intervals: closed");
                    socket.close(CloseCode::Silent, "no sign of life: reconnect and resume").await;
                    break;
                }
                if !(socket.feed(Message::Ping(Default::default())).await && socket.flush().await) {
                    break;
                }
            }
            incoming = socket.recv() => {
                last_heard = tokio::time::Instant::now();
                let text = match incoming {
                    Some(Err(e)) if too_big(&e) => {
                        socket.close(CloseCode::TooBig, "frame over 64 KiB").await;
                        break;
                    }
                    None | Some(Err(_)) => break,
                    Some(Ok(Message::Text(t))) => t,
                    Some(Ok(Message::Close(_))) => break,
                    Some(Ok(Message::Binary(_))) => {
                        socket.send(&ServerMessage::protocol_error(ProtocolErrorCode::BadMessage, None)).await;
                        continue;
                    }
                    Some(Ok(_)) => continue,
                };
                if text.len() > MAX_FRAME_BYTES {
                    socket.close(CloseCode::TooBig, "frame over 64 KiB").await;
                    break;
                }
                let received = clock::now_ms_f64();
                match decode_client_message(&text) {
                    Err(bad) => {
                        socket.send(&ServerMessage::protocol_error(ProtocolErrorCode::BadMessage, bad.command_id)).await;
                    }
                    Ok(ClientMessage::Hello { .. }) => {
                        socket.send(&ServerMessage::protocol_error(ProtocolErrorCode::AlreadyWelcomed, None)).await;
                    }
                    Ok(ClientMessage::TimeSync { t0 }) => {
                        let reply = ServerMessage::TimeSync { t0, t1: received, t2: clock::now_ms_f64() };
                        if !socket.send(&reply).await { break; }
                    }
                    Ok(ClientMessage::Status { rtt_ms, offset_ms }) => {
                        if let Some(screen) = &screen {
                            state.presence.reported(&hub.meeting, screen, clock::now(), rtt_ms, offset_ms);
                            publish_presence(&state, &hub).await;
                        }
                    }
                    Ok(ClientMessage::Command { command_id, command }) => {
                        if command_id.is_empty() || command_id.chars().count() > plenary_protocol::MAX_COMMAND_ID_CHARS {
                            let e = ServerMessage::protocol_error(ProtocolErrorCode::InvalidCommandId, Some(command_id));
                            socket.send(&e).await;
                            continue;
                        }
                        if limiter.check().is_err() {
                            m::command("rate_limited");
                            let e = ServerMessage::protocol_error(ProtocolErrorCode::RateLimited, Some(command_id));
                            socket.send(&e).await;
                            continue;
                        }
                        answers.push(run_command(hub.clone(), role.clone(), command_id, command));
                    }
                }
            }
        }
    }
    m::connection_closed(label);
    if let Some(screen) = &screen {
        let at = clock::now();
        state.presence.disconnected(&hub.meeting, screen, at);
        if let Err(e) = state
            .store
            .touch_screen(&hub.meeting, screen.as_str(), at)
            .await
        {
            debug!(error = %e, "screen last-seen not stored");
        }
        publish_presence(&state, &hub).await;
    }
    info!("disconnected");
}

async fn run_command(
    hub: HubHandle,
    role: Role,
    command_id: String,
    command: Command,
) -> (String, Option<CommandOutcome>) {
    let outcome = hub
        .command(role, Some(command_id.clone()), command)
        .await
        .ok();
    (command_id, outcome)
}

/// The `ack` or `error` for a command, in the meeting's languages.
pub fn answer(
    hub: &HubHandle,
    command_id: String,
    outcome: Option<CommandOutcome>,
) -> ServerMessage {
    match outcome {
        Some(CommandOutcome::Acked { seq }) => {
            m::command("acked");
            ServerMessage::Ack { command_id, seq }
        }
        Some(CommandOutcome::Refused(e)) => {
            m::command("refused");
            let languages = &hub.definition.languages;
            let messages = e.messages(languages);
            let main = languages
                .first()
                .and_then(|l| messages.get(l))
                .map_or_else(|| e.to_string(), str::to_owned);
            ServerMessage::Error {
                command_id: Some(command_id),
                code: e.code().to_owned(),
                message: main,
                messages,
            }
        }
        Some(CommandOutcome::Unknown) => {
            m::command("unknown");
            ServerMessage::protocol_error(ProtocolErrorCode::OutcomeUnknown, Some(command_id))
        }
        Some(CommandOutcome::Unavailable) | None => {
            m::command("unavailable");
            ServerMessage::protocol_error(ProtocolErrorCode::StoreUnavailable, Some(command_id))
        }
    }
}

/// Sends `first` and whatever else is already queued, with one flush.
async fn forward(
    socket: &mut Socket,
    first: Frame,
    frames: &mut tokio::sync::mpsc::Receiver<Frame>,
) -> bool {
    if !socket.feed(Message::Text(first)).await {
        return false;
    }
    for _ in 0..256 {
        match frames.try_recv() {
            Ok(f) => {
                if !socket.feed(Message::Text(f)).await {
                    return false;
                }
            }
            Err(_) => break,
        }
    }
    socket.flush().await
}

async fn presence_of(state: &AppState, hub: &HubHandle) -> Vec<plenary_protocol::ScreenPresence> {
    let seen: BTreeMap<ScreenId, plenary_core::Timestamp> = state
        .store
        .screens_seen(&hub.meeting)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(s, t)| (ScreenId(s), t))
        .collect();
    let known = hub.definition.screens.iter().map(|s| s.id.clone());
    state.presence.screens(&hub.meeting, known, &seen)
}

/// Presence changes are coalesced: at most one `presence` frame (and one
/// store read) per meeting every 250 ms, however many screens come and go —
/// a reconnect storm of screens must not flood the chair's queue.
async fn publish_presence(state: &Arc<AppState>, hub: &HubHandle) {
    if !state.presence.schedule_publish(&hub.meeting) {
        return;
    }
    let state = Arc::clone(state);
    let hub = hub.clone();
    state.tracker.clone().spawn(async move {
        tokio::select! {
            () = state.shutdown.cancelled() => {}
            () = tokio::time::sleep(Duration::from_millis(250)) => {
                state.presence.published(&hub.meeting);
                let screens = presence_of(&state, &hub).await;
                hub.presence(screens).await;
            }
        }
    });
}
