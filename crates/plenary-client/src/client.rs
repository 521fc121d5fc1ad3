//! One connection to `/ws`: the handshake, then a task that owns the socket.
//!
//! [`Client::connect`] does the handshake itself (hello → welcome →
//! snapshot or events → insight) and then hands the socket to a task that
//! `select!`s over socket reads and the client's outgoing queue. The task
//! answers command replies and clock-sync answers directly to whoever is
//! waiting for them, and queues everything else for
//! [`Client::next_frame`]. The queue is unbounded so that the task never
//! waits for a slow reader (acks must flow even when nobody reads frames):
//! a client that never calls `next_frame` accumulates frames in memory.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::protocol::frame::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode as WsCloseCode;
use tokio_tungstenite::tungstenite::{self, Message};
use tracing::{debug, warn};

use plenary_core::floor::FloorSeen;
use plenary_core::i18n::Texts;
use plenary_core::ids::MeetingId;
use plenary_core::{Command, Meeting, Role, Timestamp};
use plenary_protocol::{ClientMessage, EventFrame, Insight, MAX_FRAME_BYTES, ServerMessage};

use crate::error::ClientError;
use crate::hello::{ConnectOptions, Hello};
use crate::seq::SeqTracker;
use crate::time_sync::{TimeSample, TimeSyncEstimate, local_now_ms};

/// How long a closing client waits for the server's close frame.
const CLOSE_GRACE: Duration = Duration::from_secs(1);
/// Outgoing messages waiting for the socket task; senders wait beyond that.
const OUTGOING_QUEUE: usize = 256;
/// Queued outgoing messages written with one flush, at most.
const MAX_BATCH: usize = 64;

/// The server's answer to a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommandReply {
    /// Committed; `seq` is the command's last event, whose frame has
    /// already been queued for [`Client::next_frame`].
    Acked { seq: u64 },
    /// Refused: a command error code (`list_closed`…) or a protocol error
    /// (`rate_limited`, `store_unavailable`…). Nothing was applied — except
    /// for `outcome_unknown` ([`CommandReply::is_unknown`]): the database
    /// did not confirm, so resend with the same command id to learn.
    Refused {
        code: String,
        message: String,
        /// The message in every language of the meeting.
        messages: Texts,
    },
}

impl CommandReply {
    pub fn is_acked(&self) -> bool {
        matches!(self, CommandReply::Acked { .. })
    }

    /// The last event's seq when acked.
    pub fn seq(&self) -> Option<u64> {
        match self {
            CommandReply::Acked { seq } => Some(*seq),
            CommandReply::Refused { .. } => None,
        }
    }

    /// Whether the server could not learn if the command was committed:
    /// resend it with the same command id (it is never applied twice).
    pub fn is_unknown(&self) -> bool {
        self.code() == Some("outcome_unknown")
    }

    /// The refusal code when refused.
    pub fn code(&self) -> Option<&str> {
        match self {
            CommandReply::Acked { .. } => None,
            CommandReply::Refused { code, .. } => Some(code),
        }
    }
}

/// What the server sent between `welcome` and the first `insight`.
#[derive(Clone, Debug, PartialEq)]
pub enum CatchUp {
    /// The whole state as this role may see it.
    Snapshot { seq: u64, state: Box<Meeting> },
    /// Exactly the events after `resume_from_seq` (possibly none), in order.
    Events(Vec<EventFrame>),
}

impl CatchUp {
    /// The seq the catch-up ends at, given where the client resumed from.
    pub fn end_seq(&self, resumed_from: u64) -> u64 {
        match self {
            CatchUp::Snapshot { seq, .. } => *seq,
            CatchUp::Events(frames) => frames.last().map_or(resumed_from, |f| f.seq),
        }
    }
}

/// A new command id: a UUID v4, unique enough that a resent command is
/// never mistaken for another.
pub fn new_command_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A reply still to come; see [`Client::submit`].
#[derive(Debug)]
pub struct PendingReply {
    command_id: String,
    reply: oneshot::Receiver<Result<CommandReply, ClientError>>,
    timeout: Option<Duration>,
    closed: Arc<OnceLock<CloseInfo>>,
}

impl PendingReply {
    pub fn command_id(&self) -> &str {
        &self.command_id
    }

    /// Waits for the `ack` or `error` of this command.
    pub async fn wait(self) -> Result<CommandReply, ClientError> {
        let reply = match self.timeout {
            Some(t) => {
                tokio::time::timeout(t, self.reply)
                    .await
                    .map_err(|_| ClientError::Timeout {
                        during: "waiting for a command reply",
                    })?
            }
            None => self.reply.await,
        };
        reply.unwrap_or_else(|_| Err(closed_error(&self.closed)))
    }
}

/// Why the connection ended, as the task saw it.
#[derive(Clone, Debug)]
struct CloseInfo {
    code: Option<u16>,
    reason: String,
}

impl CloseInfo {
    fn error(&self) -> ClientError {
        ClientError::Closed {
            code: self.code,
            reason: self.reason.clone(),
        }
    }
}

fn closed_error(closed: &OnceLock<CloseInfo>) -> ClientError {
    closed.get().map_or_else(
        || ClientError::Closed {
            code: None,
            reason: "the connection task ended".to_owned(),
        },
        CloseInfo::error,
    )
}

type ReplySender = oneshot::Sender<Result<CommandReply, ClientError>>;

/// What the client asks the socket task to send.
enum Outgoing {
    /// Serialised commands, each with who waits for its reply. Fed one by
    /// one, flushed once.
    Commands(Vec<(String, String, ReplySender)>),
    /// A clock-sync request; the task stamps `t0` just before sending.
    TimeSync(oneshot::Sender<TimeSample>),
    /// Any other serialised message (status).
    Text(String),
}

/// A connection to a plenary server.
#[derive(Debug)]
pub struct Client {
    url: String,
    hello: Hello,
    options: ConnectOptions,
    role: Role,
    meeting: MeetingId,
    token: String,
    server_time: Timestamp,
    welcome_seq: u64,
    catch_up: CatchUp,
    insight: Box<Insight>,
    seq: SeqTracker,
    /// Frames read during the handshake that belong to the live stream.
    early: VecDeque<ServerMessage>,
    /// `None` once the client gave up on the connection (a gap).
    outgoing: Option<mpsc::Sender<Outgoing>>,
    incoming: mpsc::UnboundedReceiver<Result<ServerMessage, ClientError>>,
    closed: Arc<OnceLock<CloseInfo>>,
    task: Option<JoinHandle<()>>,
}

impl Client {
    /// Connects with the default [`ConnectOptions`].
    pub async fn connect(url: &str, hello: Hello) -> Result<Client, ClientError> {
        Client::connect_with(url, hello, ConnectOptions::default()).await
    }

    /// Connects to `ws://host:port/ws`, says hello and reads the catch-up.
    /// Returns once the first `insight` has arrived.
    pub async fn connect_with(
        url: &str,
        hello: Hello,
        options: ConnectOptions,
    ) -> Result<Client, ClientError> {
        // It would wait for a snapshot that the views stream never sends.
        if hello.stream == plenary_protocol::Stream::Views {
            return Err(ClientError::ViewsStream);
        }
        let mut ws = tokio::time::timeout(options.connect_timeout, open(url, &options))
            .await
            .map_err(|_| ClientError::Timeout {
                during: "connecting",
            })??;
        let handshake = tokio::time::timeout(options.hello_timeout, handshake(&mut ws, &hello))
            .await
            .map_err(|_| ClientError::Timeout {
                during: "waiting for welcome and catch-up",
            })??;

        let (out_tx, out_rx) = mpsc::channel(OUTGOING_QUEUE);
        let (in_tx, in_rx) = mpsc::unbounded_channel();
        let closed = Arc::new(OnceLock::new());
        let task = tokio::spawn(
            Io {
                ws,
                outgoing: out_rx,
                incoming: in_tx,
                pending: HashMap::new(),
                syncs: Vec::new(),
                closed: Arc::clone(&closed),
            }
            .run(),
        );
        Ok(Client {
            url: url.to_owned(),
            hello,
            options,
            role: handshake.role,
            meeting: handshake.meeting,
            token: handshake.token,
            server_time: handshake.server_time,
            welcome_seq: handshake.welcome_seq,
            catch_up: handshake.catch_up,
            insight: handshake.insight,
            seq: handshake.seq,
            early: handshake.early,
            outgoing: Some(out_tx),
            incoming: in_rx,
            closed,
            task: Some(task),
        })
    }

    /// A new connection with the same URL, credentials and options,
    /// resuming after [`last_seq`](Client::last_seq). This client is left
    /// as it is; drop it.
    pub async fn reconnect(&self) -> Result<Client, ClientError> {
        Client::connect_with(
            &self.url,
            self.hello.clone().resume_from(self.last_seq()),
            self.options.clone(),
        )
        .await
    }

    /// Connects to the first of several nodes of one service that
    /// answers, in order (see docs/deployment.md): any node serves any
    /// meeting. The error is the last node's.
    pub async fn connect_any(
        urls: &[String],
        hello: Hello,
        options: ConnectOptions,
    ) -> Result<Client, ClientError> {
        let mut last = ClientError::Timeout {
            during: "connecting: no node URL given",
        };
        for url in urls {
            match Client::connect_with(url, hello.clone(), options.clone()).await {
                Ok(client) => return Ok(client),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// [`reconnect`](Client::reconnect) to whichever of `urls` answers
    /// first, starting with the one after this client's own (its node is
    /// most likely the one that went away) and ending with it; resumes
    /// after [`last_seq`](Client::last_seq), gap-free, on any node.
    pub async fn fail_over(&self, urls: &[String]) -> Result<Client, ClientError> {
        let at = urls
            .iter()
            .position(|u| *u == self.url)
            .map_or(0, |i| i + 1);
        let order: Vec<String> = urls[at..].iter().chain(&urls[..at]).cloned().collect();
        Client::connect_any(
            &order,
            self.hello.clone().resume_from(self.last_seq()),
            self.options.clone(),
        )
        .await
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// The hello this client connected with.
    pub fn hello(&self) -> &Hello {
        &self.hello
    }

    pub fn options(&self) -> &ConnectOptions {
        &self.options
    }

    /// The role the server gave this connection.
    pub fn role(&self) -> &Role {
        &self.role
    }

    pub fn meeting(&self) -> &MeetingId {
        &self.meeting
    }

    /// The session token: `Hello::token(…)` presents this session again
    /// while the server runs.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The server's clock when it sent `welcome`.
    pub fn server_time(&self) -> Timestamp {
        self.server_time
    }

    /// The last committed event when the server sent `welcome`.
    pub fn welcome_seq(&self) -> u64 {
        self.welcome_seq
    }

    /// The snapshot or the missed events received before the first insight.
    pub fn catch_up(&self) -> &CatchUp {
        &self.catch_up
    }

    /// Takes the catch-up out (leaving an empty event list), to avoid
    /// cloning a snapshot.
    pub fn take_catch_up(&mut self) -> CatchUp {
        std::mem::replace(&mut self.catch_up, CatchUp::Events(Vec::new()))
    }

    /// The insight that ended the catch-up.
    pub fn initial_insight(&self) -> &Insight {
        &self.insight
    }

    /// The last event seq received through the catch-up and
    /// [`next_frame`](Client::next_frame): what to resume from.
    pub fn last_seq(&self) -> u64 {
        self.seq.last()
    }

    /// The next frame from the server, in order: events (gap-checked),
    /// insights, phases, presence, and acks or errors nobody waits for.
    /// Replies to [`send_command`](Client::send_command) and
    /// [`time_sync`](Client::time_sync) are not repeated here.
    ///
    /// Errors with [`ClientError::Closed`] once the connection has ended
    /// (after every frame received before that), and with
    /// [`ClientError::Gap`] or [`ClientError::Duplicate`] when the stream
    /// is broken, which also closes the connection.
    pub async fn next_frame(&mut self) -> Result<ServerMessage, ClientError> {
        let message = match self.early.pop_front() {
            Some(m) => m,
            None => match self.incoming.recv().await {
                Some(m) => m?,
                None => return Err(closed_error(&self.closed)),
            },
        };
        self.accept(message)
    }

    /// Like [`next_frame`](Client::next_frame) but never waits: `None` when
    /// nothing is queued yet.
    pub fn try_next_frame(&mut self) -> Option<Result<ServerMessage, ClientError>> {
        let message = match self.early.pop_front() {
            Some(m) => m,
            None => match self.incoming.try_recv() {
                Ok(Ok(m)) => m,
                Ok(Err(e)) => return Some(Err(e)),
                Err(mpsc::error::TryRecvError::Empty) => return None,
                Err(mpsc::error::TryRecvError::Disconnected) => {
                    return Some(Err(closed_error(&self.closed)));
                }
            },
        };
        Some(self.accept(message))
    }

    /// Reads frames until the event `seq` has been received (at once if it
    /// already has); returns the frames read.
    pub async fn wait_for_seq(&mut self, seq: u64) -> Result<Vec<ServerMessage>, ClientError> {
        let mut frames = Vec::new();
        while self.last_seq() < seq {
            frames.push(self.next_frame().await?);
        }
        Ok(frames)
    }

    fn accept(&mut self, message: ServerMessage) -> Result<ServerMessage, ClientError> {
        if let Err(e) = self.seq.observe(&message) {
            warn!(error = %e, "event stream broken, closing the connection");
            // Dropping the sender makes the task close the socket.
            self.outgoing = None;
            return Err(e);
        }
        Ok(message)
    }

    /// Sends a command and waits for its `ack` or `error`. Several may be in
    /// flight at once (the method takes `&self`): replies are matched by
    /// `command_id`. Sending a `command_id` again returns the first answer
    /// and applies nothing twice.
    pub async fn send_command(
        &self,
        command_id: impl Into<String>,
        command: Command,
    ) -> Result<CommandReply, ClientError> {
        self.submit(command_id, command).await?.wait().await
    }

    /// [`send_command`](Client::send_command) with a fresh UUID v4 id.
    pub async fn command(&self, command: Command) -> Result<CommandReply, ClientError> {
        self.send_command(new_command_id(), command).await
    }

    /// Sends a command without waiting for its reply.
    pub async fn submit(
        &self,
        command_id: impl Into<String>,
        command: Command,
    ) -> Result<PendingReply, ClientError> {
        let mut pending = self.submit_batch([(command_id.into(), command)]).await?;
        pending.pop().ok_or_else(|| ClientError::Unexpected {
            during: "submitting a command",
            got: "no pending reply".to_owned(),
        })
    }

    /// Sends several commands in one write (fed one by one, flushed once),
    /// without waiting for their replies.
    pub async fn submit_batch(
        &self,
        commands: impl IntoIterator<Item = (String, Command)>,
    ) -> Result<Vec<PendingReply>, ClientError> {
        self.submit_batch_seen(commands.into_iter().map(|(id, c)| (id, c, None)))
            .await
    }

    /// [`send_command`](Client::send_command) for a command decided on the
    /// floor as `seen`: refused `stale` if the floor has changed since.
    pub async fn send_command_seen(
        &self,
        command_id: impl Into<String>,
        command: Command,
        seen: FloorSeen,
    ) -> Result<CommandReply, ClientError> {
        let mut pending = self
            .submit_batch_seen([(command_id.into(), command, Some(seen))])
            .await?;
        pending
            .pop()
            .ok_or_else(|| ClientError::Unexpected {
                during: "submitting a command",
                got: "no pending reply".to_owned(),
            })?
            .wait()
            .await
    }

    /// [`submit_batch`](Client::submit_batch), each command with the floor
    /// its sender saw, if any.
    pub async fn submit_batch_seen(
        &self,
        commands: impl IntoIterator<Item = (String, Command, Option<FloorSeen>)>,
    ) -> Result<Vec<PendingReply>, ClientError> {
        let mut batch = Vec::new();
        let mut pending = Vec::new();
        for (command_id, command, expect) in commands {
            let text = encode(&ClientMessage::Command {
                command_id: command_id.clone(),
                command,
                expect,
            })?;
            let (tx, rx) = oneshot::channel();
            batch.push((command_id.clone(), text, tx));
            pending.push(PendingReply {
                command_id,
                reply: rx,
                timeout: self.options.reply_timeout,
                closed: Arc::clone(&self.closed),
            });
        }
        self.enqueue(Outgoing::Commands(batch)).await?;
        Ok(pending)
    }

    /// One clock-sync exchange.
    pub async fn time_sample(&self) -> Result<TimeSample, ClientError> {
        let (tx, rx) = oneshot::channel();
        self.enqueue(Outgoing::TimeSync(tx)).await?;
        let sample = match self.options.reply_timeout {
            Some(t) => tokio::time::timeout(t, rx)
                .await
                .map_err(|_| ClientError::Timeout {
                    during: "waiting for time_sync",
                })?,
            None => rx.await,
        };
        sample.map_err(|_| closed_error(&self.closed))
    }

    /// `samples` clock-sync exchanges one after the other (at least one);
    /// the offset of the one with the smallest round trip.
    pub async fn time_sync(&self, samples: usize) -> Result<TimeSyncEstimate, ClientError> {
        let mut taken = Vec::with_capacity(samples.max(1));
        for _ in 0..samples.max(1) {
            taken.push(self.time_sample().await?);
        }
        TimeSyncEstimate::from_samples(&taken).ok_or(ClientError::Timeout {
            during: "time sync without samples",
        })
    }

    /// Reports this screen's measured health to the technician console.
    pub async fn send_status(&self, estimate: &TimeSyncEstimate) -> Result<(), ClientError> {
        let text = encode(&ClientMessage::Status {
            rtt_ms: estimate.rtt_ms,
            offset_ms: estimate.offset_ms,
        })?;
        self.enqueue(Outgoing::Text(text)).await
    }

    async fn enqueue(&self, message: Outgoing) -> Result<(), ClientError> {
        let Some(outgoing) = &self.outgoing else {
            return Err(closed_error(&self.closed));
        };
        outgoing
            .send(message)
            .await
            .map_err(|_| closed_error(&self.closed))
    }

    /// Closes the connection (code 1000) and waits for the socket task.
    pub async fn close(mut self) {
        self.outgoing = None;
        if let Some(task) = self.task.take()
            && let Err(e) = task.await
        {
            warn!(error = %e, "client connection task failed");
        }
    }
}

/// Parses a server frame. (The meeting writes its maps keyed by number as
/// lists, so snapshots parse like every other message.)
pub fn decode_server_message(text: &str) -> Result<ServerMessage, serde_json::Error> {
    serde_json::from_str(text)
}

/// A message as a text frame, refused if over the server's limit.
fn encode(message: &ClientMessage) -> Result<String, ClientError> {
    let text = serde_json::to_string(message)?;
    if text.len() > MAX_FRAME_BYTES {
        return Err(ClientError::FrameTooBig {
            bytes: text.len(),
            max: MAX_FRAME_BYTES,
        });
    }
    Ok(text)
}

/// TCP (no delay) and the websocket upgrade, without compression.
async fn open(
    url: &str,
    options: &ConnectOptions,
) -> Result<WebSocketStream<TcpStream>, ClientError> {
    let bad_url = |reason: String| ClientError::Url {
        url: url.to_owned(),
        reason,
    };
    let connect_error = |source: Box<dyn std::error::Error + Send + Sync>| ClientError::Connect {
        url: url.to_owned(),
        source,
    };
    let request = url
        .into_client_request()
        .map_err(|e| bad_url(e.to_string()))?;
    let uri = request.uri();
    if uri.scheme_str() != Some("ws") {
        return Err(bad_url("only ws:// is supported".to_owned()));
    }
    let host = uri
        .host()
        .ok_or_else(|| bad_url("no host".to_owned()))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = uri.port_u16().unwrap_or(80);

    let mut last_error = None;
    let mut stream = None;
    for addr in tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|e| connect_error(e.into()))?
    {
        if let Some(local) = options.local_addr
            && local.is_ipv4() != addr.is_ipv4()
        {
            continue;
        }
        match connect_tcp(addr, options).await {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last_error = Some(e),
        }
    }
    let stream = match (stream, last_error) {
        (Some(s), _) => s,
        (None, Some(e)) => return Err(connect_error(e.into())),
        (None, None) => return Err(connect_error(format!("no address for {host}").into())),
    };
    // Nagle plus delayed ACK would hold small frames back for tens of ms.
    stream
        .set_nodelay(true)
        .map_err(|e| connect_error(e.into()))?;
    let config = WebSocketConfig::default()
        .read_buffer_size(options.read_buffer_size)
        .max_message_size(Some(options.max_message_size))
        .max_frame_size(Some(options.max_message_size));
    let (ws, _response) =
        tokio_tungstenite::client_async_with_config(request, stream, Some(config))
            .await
            .map_err(|e| connect_error(Box::new(e)))?;
    Ok(ws)
}

async fn connect_tcp(addr: SocketAddr, options: &ConnectOptions) -> std::io::Result<TcpStream> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    if let Some(local) = options.local_addr {
        socket.bind(SocketAddr::new(local, 0))?;
    }
    socket.connect(addr).await
}

/// What the handshake learnt.
struct Handshake {
    role: Role,
    meeting: MeetingId,
    token: String,
    server_time: Timestamp,
    welcome_seq: u64,
    catch_up: CatchUp,
    insight: Box<Insight>,
    seq: SeqTracker,
    early: VecDeque<ServerMessage>,
}

/// Reads one server message during the handshake.
async fn read_message(
    ws: &mut WebSocketStream<TcpStream>,
    during: &'static str,
) -> Result<ServerMessage, ClientError> {
    loop {
        let Some(frame) = ws.next().await else {
            return Err(ClientError::Closed {
                code: None,
                reason: format!("connection ended while {during}"),
            });
        };
        match frame.map_err(|e| ClientError::WebSocket(Box::new(e)))? {
            Message::Text(text) => return Ok(decode_server_message(text.as_str())?),
            Message::Close(frame) => {
                let info = close_info(frame.as_ref());
                return Err(info.error());
            }
            Message::Binary(_) | Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
        }
    }
}

fn protocol_error(code: String, message: String) -> ClientError {
    ClientError::Protocol { code, message }
}

/// hello → welcome → snapshot or events → insight.
async fn handshake(
    ws: &mut WebSocketStream<TcpStream>,
    hello: &Hello,
) -> Result<Handshake, ClientError> {
    ws.send(Message::text(encode(&hello.to_message())?))
        .await
        .map_err(|e| ClientError::WebSocket(Box::new(e)))?;

    let welcome = read_message(ws, "waiting for welcome").await?;
    let ServerMessage::Welcome {
        protocol_version,
        role,
        meeting,
        server_time,
        seq: welcome_seq,
        token,
    } = welcome
    else {
        return Err(match welcome {
            ServerMessage::Error { code, message, .. } => protocol_error(code, message),
            other => ClientError::Unexpected {
                during: "waiting for welcome",
                got: message_type(&other).to_owned(),
            },
        });
    };
    debug!(%meeting, ?role, protocol_version, welcome_seq, "welcomed");

    let resumed_from = hello.resume_from_seq.unwrap_or(0);
    let mut seq = SeqTracker::new(resumed_from);
    let mut snapshot = None;
    let mut events = Vec::new();
    let mut early = VecDeque::new();
    let insight = loop {
        match read_message(ws, "reading the catch-up").await? {
            ServerMessage::Snapshot { seq: at, state }
                if events.is_empty() && snapshot.is_none() =>
            {
                seq.reset(at);
                snapshot = Some(CatchUp::Snapshot { seq: at, state });
            }
            // After a snapshot, events are live ones that came early:
            // `next_frame` checks them.
            ServerMessage::Event(frame) if snapshot.is_some() => {
                early.push_back(ServerMessage::Event(frame));
            }
            ServerMessage::Event(frame) => {
                seq.advance(frame.seq)?;
                events.push(frame);
            }
            ServerMessage::Insight(insight) => break insight,
            ServerMessage::Error {
                command_id: None,
                code,
                message,
                ..
            } => return Err(protocol_error(code, message)),
            other @ (ServerMessage::Welcome { .. } | ServerMessage::Snapshot { .. }) => {
                return Err(ClientError::Unexpected {
                    during: "reading the catch-up",
                    got: message_type(&other).to_owned(),
                });
            }
            other => early.push_back(other),
        }
    };
    let catch_up = snapshot.unwrap_or(CatchUp::Events(events));
    Ok(Handshake {
        role,
        meeting,
        token,
        server_time,
        welcome_seq,
        catch_up,
        insight,
        seq,
        early,
    })
}

/// The `type` of a server message, for errors.
fn message_type(message: &ServerMessage) -> &'static str {
    match message {
        ServerMessage::Welcome { .. } => "welcome",
        ServerMessage::Snapshot { .. } => "snapshot",
        ServerMessage::Event(_) => "event",
        ServerMessage::Insight(_) => "insight",
        ServerMessage::View { .. } => "view",
        ServerMessage::Patch { .. } => "patch",
        ServerMessage::Ack { .. } => "ack",
        ServerMessage::Error { .. } => "error",
        ServerMessage::TimeSync { .. } => "time_sync",
        ServerMessage::Phase { .. } => "phase",
        ServerMessage::Presence { .. } => "presence",
    }
}

fn close_info(frame: Option<&CloseFrame>) -> CloseInfo {
    match frame {
        Some(f) => CloseInfo {
            code: Some(u16::from(f.code)),
            reason: f.reason.as_str().to_owned(),
        },
        None => CloseInfo {
            code: None,
            reason: "closed without a code".to_owned(),
        },
    }
}

/// The socket task.
struct Io {
    ws: WebSocketStream<TcpStream>,
    outgoing: mpsc::Receiver<Outgoing>,
    incoming: mpsc::UnboundedSender<Result<ServerMessage, ClientError>>,
    /// Who waits for which command's reply; a list because the same id may
    /// be sent again while the first is still unanswered.
    pending: HashMap<String, VecDeque<ReplySender>>,
    /// Clock-sync requests by `t0`.
    syncs: Vec<(f64, oneshot::Sender<TimeSample>)>,
    closed: Arc<OnceLock<CloseInfo>>,
}

impl Io {
    async fn run(mut self) {
        let mut received_close: Option<CloseInfo> = None;
        let info = loop {
            tokio::select! {
                out = self.outgoing.recv() => match out {
                    Some(out) => {
                        if let Err(e) = self.write(out).await {
                            break received_close.unwrap_or_else(|| ws_error_info(&e));
                        }
                    }
                    None => {
                        self.close_gracefully().await;
                        break CloseInfo {
                            code: Some(1000),
                            reason: "closed by the client".to_owned(),
                        };
                    }
                },
                frame = self.ws.next() => match frame {
                    Some(Ok(Message::Close(frame))) => {
                        // tungstenite answers the close; the stream ends next.
                        let info = close_info(frame.as_ref());
                        debug!(code = ?info.code, reason = %info.reason, "server closed the connection");
                        received_close = Some(info);
                    }
                    Some(Ok(message)) => self.read(message),
                    Some(Err(e)) => break received_close.unwrap_or_else(|| ws_error_info(&e)),
                    None => {
                        break received_close.unwrap_or(CloseInfo {
                            code: None,
                            reason: "connection lost".to_owned(),
                        });
                    }
                },
            }
        };
        // Set once per connection; a second set cannot happen.
        let _ = self.closed.set(info.clone());
        for (_, waiting) in self.pending.drain() {
            for reply in waiting {
                // Whoever gave up waiting has dropped the receiver: fine.
                let _ = reply.send(Err(info.error()));
            }
        }
        // The client may be gone already: nobody to tell.
        let _ = self.incoming.send(Err(info.error()));
    }

    /// Feeds `first` and whatever else is queued, then flushes once.
    async fn write(&mut self, first: Outgoing) -> Result<(), tungstenite::Error> {
        self.feed(first).await?;
        // Bounded, so that a busy sender never keeps the task from reading.
        for _ in 1..MAX_BATCH {
            let Ok(next) = self.outgoing.try_recv() else {
                break;
            };
            self.feed(next).await?;
        }
        self.ws.flush().await
    }

    async fn feed(&mut self, out: Outgoing) -> Result<(), tungstenite::Error> {
        match out {
            Outgoing::Commands(batch) => {
                for (command_id, text, reply) in batch {
                    // Registered before it is written: the reply cannot overtake.
                    self.pending.entry(command_id).or_default().push_back(reply);
                    self.ws.feed(Message::text(text)).await?;
                }
            }
            Outgoing::TimeSync(reply) => {
                let t0 = local_now_ms();
                let text = match encode(&ClientMessage::TimeSync { t0 }) {
                    Ok(text) => text,
                    Err(e) => {
                        warn!(error = %e, "time_sync did not serialise");
                        return Ok(());
                    }
                };
                self.syncs.push((t0, reply));
                self.ws.feed(Message::text(text)).await?;
            }
            Outgoing::Text(text) => self.ws.feed(Message::text(text)).await?,
        }
        Ok(())
    }

    fn read(&mut self, message: Message) {
        // Read the clock first: parsing is not network delay.
        let t3 = local_now_ms();
        let text = match message {
            Message::Text(text) => text,
            Message::Binary(_) => {
                warn!("ignoring a binary frame: the protocol is JSON text");
                return;
            }
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) | Message::Close(_) => return,
        };
        let message = match decode_server_message(text.as_str()) {
            Ok(m) => m,
            Err(e) => {
                warn!(error = %e, "ignoring a frame that is not a server message");
                let _ = self.incoming.send(Err(e.into()));
                return;
            }
        };
        let message = match message {
            ServerMessage::Ack { command_id, seq } => match self.take_pending(&command_id) {
                Some(reply) => {
                    let _ = reply.send(Ok(CommandReply::Acked { seq }));
                    return;
                }
                None => ServerMessage::Ack { command_id, seq },
            },
            ServerMessage::Error {
                command_id: Some(command_id),
                code,
                message,
                messages,
            } => match self.take_pending(&command_id) {
                Some(reply) => {
                    let _ = reply.send(Ok(CommandReply::Refused {
                        code,
                        message,
                        messages,
                    }));
                    return;
                }
                None => ServerMessage::Error {
                    command_id: Some(command_id),
                    code,
                    message,
                    messages,
                },
            },
            ServerMessage::TimeSync { t0, t1, t2 } => match self.take_sync(t0) {
                Some((sent, reply)) => {
                    let _ = reply.send(TimeSample {
                        t0: sent,
                        t1,
                        t2,
                        t3,
                    });
                    return;
                }
                None => ServerMessage::TimeSync { t0, t1, t2 },
            },
            other => other,
        };
        // The client may have been dropped; the task ends on the next select.
        let _ = self.incoming.send(Ok(message));
    }

    /// The clock-sync request an answer echoes. JSON number parsing may
    /// be off by an ulp (serde_json's default), so the nearest `t0` within
    /// a microsecond is taken rather than an exact match.
    fn take_sync(&mut self, echoed: f64) -> Option<(f64, oneshot::Sender<TimeSample>)> {
        let (i, _) = self
            .syncs
            .iter()
            .enumerate()
            .map(|(i, (sent, _))| (i, (sent - echoed).abs()))
            .filter(|(_, distance)| *distance < 1e-3)
            .min_by(|a, b| a.1.total_cmp(&b.1))?;
        Some(self.syncs.swap_remove(i))
    }

    fn take_pending(&mut self, command_id: &str) -> Option<ReplySender> {
        let waiting = self.pending.get_mut(command_id)?;
        let reply = waiting.pop_front();
        if waiting.is_empty() {
            self.pending.remove(command_id);
        }
        reply
    }

    /// Sends a normal close and waits briefly for the server's.
    async fn close_gracefully(&mut self) {
        let close = self.ws.close(Some(CloseFrame {
            code: WsCloseCode::Normal,
            reason: "".into(),
        }));
        if let Ok(Err(e)) = tokio::time::timeout(CLOSE_GRACE, close).await {
            debug!(error = %e, "close frame not sent");
            return;
        }
        let drain = async { while let Some(Ok(_)) = self.ws.next().await {} };
        // The server not answering the close in time changes nothing.
        let _ = tokio::time::timeout(CLOSE_GRACE, drain).await;
    }
}

fn ws_error_info(e: &tungstenite::Error) -> CloseInfo {
    CloseInfo {
        code: None,
        reason: e.to_string(),
    }
}
