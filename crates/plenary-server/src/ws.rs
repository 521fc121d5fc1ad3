//! One task per websocket connection: hello and authentication, then a
//! `select!` over the client's messages, the hub's frames for it, the
//! answers to its commands, and shutdown.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::stream::FuturesUnordered;
use futures_util::{SinkExt, StreamExt};
use governor::{Quota, RateLimiter};
use tracing::{Instrument, debug, info, info_span, warn};

use plenary_core::ids::{MeetingId, ScreenId};
use plenary_core::{Command, Role};
use plenary_protocol::views::Audience;
use plenary_protocol::{
    ClientMessage, CloseCode, MAX_FRAME_BYTES, PROTOCOL_VERSION, ProtocolErrorCode, ServerMessage,
};

use crate::hub::{CommandOutcome, Frame, HubHandle, encode};
use crate::{AppState, Session, access, clock, metrics as m};

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
            tracker.track_future(connection(socket, state).instrument(info_span!("ws", %peer)))
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

async fn send(socket: &mut WebSocket, message: &ServerMessage) -> bool {
    socket.send(Message::Text(encode(message))).await.is_ok()
}

async fn close(socket: &mut WebSocket, code: CloseCode, reason: &str) {
    let frame = CloseFrame {
        code: code as u16,
        reason: Utf8Bytes::from(reason),
    };
    let _closing = socket.send(Message::Close(Some(frame))).await;
}

/// The token given to the public: it carries only the meeting's id.
const PUBLIC_TOKEN: &str = "public:";

/// Who the hello says this is.
struct Welcomed {
    hub: HubHandle,
    role: Role,
    token: String,
    resume_from: Option<u64>,
}

async fn authenticate(
    state: &AppState,
    message: ClientMessage,
) -> Result<Welcomed, ProtocolErrorCode> {
    let ClientMessage::Hello {
        protocol_version,
        access_code,
        token,
        meeting,
        resume_from_seq,
    } = message
    else {
        return Err(ProtocolErrorCode::HelloRequired);
    };
    if protocol_version != PROTOCOL_VERSION {
        return Err(ProtocolErrorCode::UnsupportedVersion);
    }
    // The public needs no session: its token just names the meeting, so
    // thousands of viewers reconnecting leave nothing behind.
    let (token, meeting) = match token.as_deref().and_then(|t| t.strip_prefix(PUBLIC_TOKEN)) {
        Some(public_meeting) => (None, Some(MeetingId::new(public_meeting))),
        None => (token, meeting),
    };
    let session = if let Some(token) = token.filter(|t| !t.is_empty()) {
        let s = state
            .session(&token)
            .ok_or(ProtocolErrorCode::InvalidAccessCode)?;
        // A token lives as long as its code: a revoked code ends it.
        if let Some(hash) = &s.code_hash {
            let still_valid = state.store.find_access_code(hash).await.map_err(|e| {
                warn!(error = %e, "access code lookup failed");
                ProtocolErrorCode::StoreUnavailable
            })?;
            if still_valid.is_none() {
                if let Some(id) = &s.code_id {
                    state.forget_code(id);
                }
                return Err(ProtocolErrorCode::InvalidAccessCode);
            }
        }
        return Ok(Welcomed {
            hub: state
                .meeting(&s.meeting)
                .ok_or(ProtocolErrorCode::UnknownMeeting)?,
            role: s.role,
            token,
            resume_from: resume_from_seq,
        });
    } else if let Some(code) = access_code.filter(|c| !c.trim().is_empty()) {
        let hash = access::hash(&code);
        let record = state
            .store
            .find_access_code(&hash)
            .await
            .map_err(|e| {
                warn!(error = %e, "access code lookup failed");
                ProtocolErrorCode::StoreUnavailable
            })?
            .ok_or(ProtocolErrorCode::InvalidAccessCode)?;
        Session {
            meeting: record.meeting,
            role: record.role,
            code_id: Some(record.id),
            code_hash: Some(hash),
        }
    } else if let Some(meeting) = meeting {
        let hub = state
            .meeting(&meeting)
            .ok_or(ProtocolErrorCode::UnknownMeeting)?;
        if !hub.definition.public_view_open {
            return Err(ProtocolErrorCode::PublicViewClosed);
        }
        Session {
            meeting,
            role: Role::Public,
            code_id: None,
            code_hash: None,
        }
    } else {
        return Err(ProtocolErrorCode::InvalidAccessCode);
    };
    let hub = state
        .meeting(&session.meeting)
        .ok_or(ProtocolErrorCode::UnknownMeeting)?;
    let role = session.role.clone();
    let token = if role == Role::Public {
        format!("{PUBLIC_TOKEN}{}", session.meeting)
    } else {
        state.new_session(session)
    };
    Ok(Welcomed {
        hub,
        role,
        token,
        resume_from: resume_from_seq,
    })
}

fn role_label(role: &Role) -> &'static str {
    role.kind().as_str()
}

async fn connection(mut socket: WebSocket, state: Arc<AppState>) {
    let shutdown = state.shutdown.clone();
    // 1. hello, within the configured time.
    let hello = tokio::select! {
        () = shutdown.cancelled() => return close(&mut socket, CloseCode::GoingAway, "server shutting down").await,
        r = tokio::time::timeout(state.config.hello_timeout, socket.recv()) => r,
    };
    let text = match hello {
        Err(_) => return close(&mut socket, CloseCode::HelloTimeout, "no hello in time").await,
        Ok(None | Some(Err(_))) => return,
        Ok(Some(Ok(Message::Text(t)))) => t,
        Ok(Some(Ok(_))) => {
            send(
                &mut socket,
                &ServerMessage::protocol_error(ProtocolErrorCode::HelloRequired, None),
            )
            .await;
            return close(&mut socket, CloseCode::Policy, "hello required").await;
        }
    };
    if text.len() > MAX_FRAME_BYTES {
        return close(&mut socket, CloseCode::TooBig, "frame over 64 KiB").await;
    }
    let parsed = match serde_json::from_str::<ClientMessage>(&text) {
        Ok(m) => m,
        Err(_) => {
            send(
                &mut socket,
                &ServerMessage::protocol_error(ProtocolErrorCode::BadMessage, None),
            )
            .await;
            return close(&mut socket, CloseCode::Policy, "hello required").await;
        }
    };
    let welcomed = match authenticate(&state, parsed).await {
        Ok(w) => w,
        Err(code) => {
            // Logged without the code itself.
            info!(code = code.as_str(), "hello refused");
            send(&mut socket, &ServerMessage::protocol_error(code, None)).await;
            return close(&mut socket, CloseCode::Policy, code.as_str()).await;
        }
    };
    let Welcomed {
        hub,
        role,
        token,
        resume_from,
    } = welcomed;
    let span = info_span!("session", meeting = %hub.meeting, role = %access::role_key(&role));
    serve_session(socket, state, hub, role, token, resume_from)
        .instrument(span)
        .await;
}

async fn serve_session(
    mut socket: WebSocket,
    state: Arc<AppState>,
    hub: HubHandle,
    role: Role,
    token: String,
    resume_from: Option<u64>,
) {
    let shutdown = state.shutdown.clone();
    let audience = Audience::of(&role);
    let Ok(joined) = hub.subscribe(audience, resume_from).await else {
        return close(&mut socket, CloseCode::GoingAway, "server shutting down").await;
    };
    let welcome = ServerMessage::Welcome {
        protocol_version: PROTOCOL_VERSION,
        role: role.clone(),
        meeting: hub.meeting.clone(),
        server_time: clock::now(),
        seq: joined.seq,
        token,
    };
    let mut ok = socket.feed(Message::Text(encode(&welcome))).await.is_ok();
    for frame in joined.catch_up {
        ok = ok && socket.feed(Message::Text(frame)).await.is_ok();
    }
    if !ok || socket.flush().await.is_err() {
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
    if matches!(audience, Audience::Presiding | Audience::Technician) {
        let screens = presence_of(&state, &hub).await;
        send(&mut socket, &ServerMessage::Presence { screens }).await;
    }

    let mut frames = joined.subscription.frames;
    let lagged = joined.subscription.lagged;
    let quota = Quota::per_second(
        NonZeroU32::new(state.config.commands_per_second).unwrap_or(NonZeroU32::MIN),
    )
    .allow_burst(NonZeroU32::new(state.config.command_burst).unwrap_or(NonZeroU32::MIN));
    let limiter = RateLimiter::direct(quota);
    let mut answers = FuturesUnordered::new();

    loop {
        tokio::select! {
            biased;
            () = shutdown.cancelled() => {
                close(&mut socket, CloseCode::GoingAway, "server shutting down").await;
                break;
            }
            frame = frames.recv() => match frame {
                Some(frame) => {
                    if !forward(&mut socket, frame, &mut frames).await { break; }
                }
                None => {
                    if lagged.load(Ordering::Acquire) {
                        warn!("client too slow: cut loose");
                        close(&mut socket, CloseCode::TooSlow, "too slow: reconnect and resume from your last seq").await;
                    } else {
                        close(&mut socket, CloseCode::GoingAway, "meeting closed").await;
                    }
                    break;
                }
            },
            Some((command_id, outcome)) = answers.next(), if !answers.is_empty() => {
                // The command's events were queued before its answer: send
                // them first so the ack never overtakes them.
                let mut ok = true;
                while let Ok(frame) = frames.try_recv() {
                    ok = ok && socket.feed(Message::Text(frame)).await.is_ok();
                }
                let reply = answer(&hub, command_id, outcome);
                ok = ok && socket.feed(Message::Text(encode(&reply))).await.is_ok();
                if !ok || socket.flush().await.is_err() { break; }
            }
            incoming = socket.recv() => {
                let text = match incoming {
                    None | Some(Err(_)) => break,
                    Some(Ok(Message::Text(t))) => t,
                    Some(Ok(Message::Close(_))) => break,
                    Some(Ok(Message::Binary(_))) => {
                        send(&mut socket, &ServerMessage::protocol_error(ProtocolErrorCode::BadMessage, None)).await;
                        continue;
                    }
                    Some(Ok(_)) => continue,
                };
                if text.len() > MAX_FRAME_BYTES {
                    close(&mut socket, CloseCode::TooBig, "frame over 64 KiB").await;
                    break;
                }
                let received = clock::now_ms_f64();
                match serde_json::from_str::<ClientMessage>(&text) {
                    Err(_) => {
                        send(&mut socket, &ServerMessage::protocol_error(ProtocolErrorCode::BadMessage, None)).await;
                    }
                    Ok(ClientMessage::Hello { .. }) => {
                        send(&mut socket, &ServerMessage::protocol_error(ProtocolErrorCode::AlreadyWelcomed, None)).await;
                    }
                    Ok(ClientMessage::TimeSync { t0 }) => {
                        let reply = ServerMessage::TimeSync { t0, t1: received, t2: clock::now_ms_f64() };
                        if !send(&mut socket, &reply).await { break; }
                    }
                    Ok(ClientMessage::Status { rtt_ms, offset_ms }) => {
                        if let Some(screen) = &screen {
                            state.presence.reported(&hub.meeting, screen, clock::now(), rtt_ms, offset_ms);
                            publish_presence(&state, &hub).await;
                        }
                    }
                    Ok(ClientMessage::Command { command_id, command }) => {
                        if command_id.is_empty() || command_id.chars().count() > 128 {
                            let e = ServerMessage::protocol_error(ProtocolErrorCode::InvalidCommandId, Some(command_id));
                            send(&mut socket, &e).await;
                            continue;
                        }
                        if limiter.check().is_err() {
                            m::command("rate_limited");
                            let e = ServerMessage::protocol_error(ProtocolErrorCode::RateLimited, Some(command_id));
                            send(&mut socket, &e).await;
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
        Some(CommandOutcome::Unavailable) | None => {
            m::command("unavailable");
            ServerMessage::protocol_error(ProtocolErrorCode::StoreUnavailable, Some(command_id))
        }
    }
}

/// Sends `first` and whatever else is already queued, with one flush.
async fn forward(
    socket: &mut WebSocket,
    first: Frame,
    frames: &mut tokio::sync::mpsc::Receiver<Frame>,
) -> bool {
    if socket.feed(Message::Text(first)).await.is_err() {
        return false;
    }
    for _ in 0..256 {
        match frames.try_recv() {
            Ok(f) => {
                if socket.feed(Message::Text(f)).await.is_err() {
                    return false;
                }
            }
            Err(_) => break,
        }
    }
    socket.flush().await.is_ok()
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
            () = tokio::time::sleep(std::time::Duration::from_millis(250)) => {
                state.presence.published(&hub.meeting);
                let screens = presence_of(&state, &hub).await;
                hub.presence(screens).await;
            }
        }
    });
}
