//! The reference session as events and frames, and a scripted websocket
//! server on port 0 that plays the server's side of a conversation.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic
)]

use std::future::Future;
use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use plenary_core::definition::load_str;
use plenary_core::interpretation::lookahead;
use plenary_core::projections::{running_order, wait_estimates};
use plenary_core::script::reference_half_day;
use plenary_core::{EVENT_VERSION, Meeting, Role, StoredEvent, Timestamp, execute};
use plenary_protocol::views::event_frame;
use plenary_protocol::{Audience, ClientMessage, EventFrame, Insight, ServerMessage};

pub const REFERENCE: &str = include_str!("../../../../config/meetings/san-pedro-sula-2017.toml");

/// 26 October 2017, 14:00 in San Pedro Sula (UTC-6).
pub const START: Timestamp = Timestamp(1_509_048_000_000);

/// The reference afternoon run through the core.
pub struct Reference {
    /// Every committed event, from `meeting_created` (seq 1).
    pub events: Vec<StoredEvent>,
    /// The meeting as created (seq 1).
    pub initial: Meeting,
    /// The meeting after the last event.
    pub last: Meeting,
}

impl Reference {
    pub fn new() -> Reference {
        let definition = load_str("san-pedro-sula-2017.toml", REFERENCE).expect("reference loads");
        let created = StoredEvent {
            seq: 1,
            at: START,
            actor: Role::System,
            v: EVENT_VERSION,
            event: Meeting::created(definition.clone()),
        };
        let mut meeting = Meeting::new(Arc::new(definition), created.seq, created.at);
        let initial = meeting.clone();
        let mut events = vec![created];
        for step in reference_half_day(START) {
            if let Ok(stored) = execute(&mut meeting, &step.actor, &step.command, step.at) {
                events.extend(stored);
            }
        }
        Reference {
            events,
            initial,
            last: meeting,
        }
    }

    pub fn last_seq(&self) -> u64 {
        self.last.seq
    }

    /// The state after event `seq`.
    pub fn state_at(&self, seq: u64) -> Meeting {
        Meeting::replay(self.events.iter().take_while(|e| e.seq <= seq)).expect("replays")
    }

    /// The frames after `after` up to `upto`, as `audience` sees them.
    pub fn frames(&self, after: u64, upto: u64, audience: Audience) -> Vec<EventFrame> {
        self.events
            .iter()
            .filter(|e| e.seq > after && e.seq <= upto)
            .map(|e| event_frame(e, audience))
            .collect()
    }
}

/// The insight a server would send for `meeting`.
pub fn insight(meeting: &Meeting) -> ServerMessage {
    let at = meeting.updated_at;
    ServerMessage::Insight(Box::new(Insight {
        seq: meeting.seq,
        at,
        running_order: running_order(meeting, at),
        waits: wait_estimates(meeting, at),
        relay: None,
        lookahead: lookahead(meeting),
    }))
}

pub fn welcome(seq: u64) -> ServerMessage {
    ServerMessage::Welcome {
        protocol_version: 1,
        role: Role::Chair,
        meeting: "san-pedro-sula-2017".into(),
        server_time: START,
        seq,
        token: "tok-1".to_owned(),
    }
}

pub type Ws = WebSocketStream<TcpStream>;

/// A server on 127.0.0.1, port 0, that plays `script` on each connection
/// it accepts, in turn (connection 0, 1, …).
pub struct ScriptedServer {
    pub url: String,
    pub task: JoinHandle<()>,
}

impl ScriptedServer {
    pub async fn start<F, Fut>(connections: usize, script: F) -> ScriptedServer
    where
        F: Fn(usize, Ws) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}/ws", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            for n in 0..connections {
                let (stream, _) = listener.accept().await.unwrap();
                let ws = tokio_tungstenite::accept_async(stream).await.unwrap();
                // One connection at a time: the next is accepted when this
                // one's script is done.
                script(n, ws).await;
            }
        });
        ScriptedServer { url, task }
    }

    /// Waits for every script to finish, surfacing their panics.
    pub async fn finish(self) {
        self.task.await.expect("the server script ran to the end");
    }
}

pub async fn send(ws: &mut Ws, message: &ServerMessage) {
    ws.send(Message::text(serde_json::to_string(message).unwrap()))
        .await
        .unwrap();
}

/// Several messages in one write.
pub async fn send_all(ws: &mut Ws, messages: &[ServerMessage]) {
    for m in messages {
        ws.feed(Message::text(serde_json::to_string(m).unwrap()))
            .await
            .unwrap();
    }
    ws.flush().await.unwrap();
}

pub async fn recv(ws: &mut Ws) -> ClientMessage {
    loop {
        match ws
            .next()
            .await
            .expect("client message")
            .expect("websocket ok")
        {
            Message::Text(t) => return serde_json::from_str(t.as_str()).expect("client JSON"),
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("unexpected frame {other:?}"),
        }
    }
}

pub async fn close(ws: &mut Ws, code: u16, reason: &str) {
    ws.close(Some(CloseFrame {
        code: CloseCode::from(code),
        reason: reason.into(),
    }))
    .await
    .unwrap();
    // Read until the client's close reply ends the stream.
    while let Some(Ok(_)) = ws.next().await {}
}

/// Reads until the client closes.
pub async fn until_closed(ws: &mut Ws) {
    while let Some(Ok(m)) = ws.next().await {
        if matches!(m, Message::Close(_)) {
            break;
        }
    }
}
