//! A local copy of the meeting, kept up to date from the frames.
//!
//! [`Follower`] is the pure part: it starts from a snapshot (or a meeting
//! the caller kept) and applies event frames in order. [`Session`] joins it
//! to a [`Client`] and reconnects with `resume_from_seq` so that a client
//! that drops and resumes ends with the same state as one that never did.

use plenary_core::{Command, EVENT_VERSION, Meeting, Role, StoredEvent};
use plenary_protocol::{EventFrame, Insight, ServerMessage};

use crate::client::{CatchUp, Client, CommandReply};
use crate::error::ClientError;
use crate::hello::{ConnectOptions, Hello};
use crate::seq::SeqTracker;

/// A meeting folded from a snapshot and the event frames after it.
///
/// Hidden events (`event: null`) only advance `meeting.seq` and
/// `meeting.updated_at`, which is what the server's redacted state does
/// for this audience too.
#[derive(Clone, Debug, PartialEq)]
pub struct Follower {
    meeting: Meeting,
    insight: Option<Box<Insight>>,
}

impl Follower {
    /// Starts from a snapshot (or a meeting kept from earlier).
    pub fn new(meeting: Meeting) -> Follower {
        Follower {
            meeting,
            insight: None,
        }
    }

    /// Starts from a connection's catch-up: its snapshot, or `base` (the
    /// state at the seq the client resumed from) plus its events.
    pub fn from_catch_up(
        base: Option<Meeting>,
        catch_up: CatchUp,
    ) -> Result<Follower, ClientError> {
        match (catch_up, base) {
            (CatchUp::Snapshot { state, .. }, _) => Ok(Follower::new(*state)),
            (CatchUp::Events(frames), Some(base)) => {
                let mut follower = Follower::new(base);
                follower.apply_frames(&frames)?;
                Ok(follower)
            }
            (CatchUp::Events(frames), None) => Err(ClientError::NoBaseState {
                after: frames.first().map_or(0, |f| f.seq.saturating_sub(1)),
            }),
        }
    }

    /// The state after the last applied event.
    pub fn meeting(&self) -> &Meeting {
        &self.meeting
    }

    pub fn into_meeting(self) -> Meeting {
        self.meeting
    }

    /// The last applied seq (hidden events included).
    pub fn seq(&self) -> u64 {
        self.meeting.seq
    }

    /// The latest insight seen.
    pub fn insight(&self) -> Option<&Insight> {
        self.insight.as_deref()
    }

    /// Applies one event frame; it must be the next seq.
    pub fn apply_frame(&mut self, frame: &EventFrame) -> Result<(), ClientError> {
        SeqTracker::new(self.meeting.seq).check(frame.seq)?;
        match &frame.event {
            Some(event) => self.meeting.apply(&StoredEvent {
                seq: frame.seq,
                at: frame.at,
                actor: frame.actor.clone().unwrap_or(Role::System),
                v: EVENT_VERSION,
                event: event.clone(),
            }),
            None => {
                self.meeting.seq = frame.seq;
                self.meeting.updated_at = frame.at;
            }
        }
        Ok(())
    }

    /// Applies frames in order, stopping at the first that does not fit.
    pub fn apply_frames<'a>(
        &mut self,
        frames: impl IntoIterator<Item = &'a EventFrame>,
    ) -> Result<(), ClientError> {
        frames.into_iter().try_for_each(|f| self.apply_frame(f))
    }

    /// Replaces the state with a catch-up's snapshot or applies its events.
    pub fn apply_catch_up(&mut self, catch_up: CatchUp) -> Result<(), ClientError> {
        match catch_up {
            CatchUp::Snapshot { state, .. } => {
                self.meeting = *state;
                Ok(())
            }
            CatchUp::Events(frames) => self.apply_frames(&frames),
        }
    }

    /// Follows any server message: events are applied, a snapshot replaces
    /// the state, an insight is kept; the rest changes nothing.
    pub fn observe(&mut self, message: &ServerMessage) -> Result<(), ClientError> {
        match message {
            ServerMessage::Event(frame) => self.apply_frame(frame),
            ServerMessage::Snapshot { state, .. } => {
                self.meeting = (**state).clone();
                Ok(())
            }
            ServerMessage::Insight(insight) => {
                self.insight = Some(insight.clone());
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// A connection plus the meeting it keeps up to date.
#[derive(Debug)]
pub struct Session {
    client: Client,
    follower: Follower,
}

impl Session {
    /// Connects and starts from the snapshot the server sends.
    pub async fn connect(url: &str, hello: Hello) -> Result<Session, ClientError> {
        Session::connect_with(url, hello, ConnectOptions::default()).await
    }

    pub async fn connect_with(
        url: &str,
        hello: Hello,
        options: ConnectOptions,
    ) -> Result<Session, ClientError> {
        let client = Client::connect_with(url, hello, options).await?;
        Session::from_client(client, None)
    }

    /// Connects resuming from a meeting kept from an earlier connection:
    /// the server sends the events after `meeting.seq`, or a snapshot.
    pub async fn resume(
        url: &str,
        hello: Hello,
        options: ConnectOptions,
        meeting: Meeting,
    ) -> Result<Session, ClientError> {
        let client = Client::connect_with(url, hello.resume_from(meeting.seq), options).await?;
        Session::from_client(client, Some(meeting))
    }

    /// Wraps a connected client; `base` is the state at the seq it resumed
    /// from, needed when its catch-up is events.
    pub fn from_client(mut client: Client, base: Option<Meeting>) -> Result<Session, ClientError> {
        let mut follower = Follower::from_catch_up(base, client.take_catch_up())?;
        follower.insight = Some(Box::new(client.initial_insight().clone()));
        Ok(Session { client, follower })
    }

    pub fn meeting(&self) -> &Meeting {
        self.follower.meeting()
    }

    pub fn follower(&self) -> &Follower {
        &self.follower
    }

    /// The last applied seq.
    pub fn seq(&self) -> u64 {
        self.follower.seq()
    }

    pub fn insight(&self) -> Option<&Insight> {
        self.follower.insight()
    }

    /// The connection, to send commands or sync clocks.
    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn client_mut(&mut self) -> &mut Client {
        &mut self.client
    }

    /// Sends a command decided on the floor this session holds now, and
    /// waits for its answer: a command that changes the floor is refused
    /// `stale` if the floor changed meanwhile (it is never applied to a
    /// floor this session did not see).
    pub async fn command(&self, command: Command) -> Result<CommandReply, ClientError> {
        let seen = self.follower.meeting().floor.seen();
        self.client
            .send_command_seen(crate::new_command_id(), command, seen)
            .await
    }

    /// The next frame, already applied to the meeting.
    pub async fn next(&mut self) -> Result<ServerMessage, ClientError> {
        let message = self.client.next_frame().await?;
        self.follower.observe(&message)?;
        Ok(message)
    }

    /// Applies frames until the event `seq` is applied (e.g. the seq of an
    /// ack); returns the frames read.
    pub async fn sync_to(&mut self, seq: u64) -> Result<Vec<ServerMessage>, ClientError> {
        let mut frames = Vec::new();
        while self.seq() < seq {
            frames.push(self.next().await?);
        }
        Ok(frames)
    }

    /// Reconnects with `resume_from_seq` = the last applied seq and applies
    /// the catch-up. Frames the old connection had already received are
    /// applied first, so nothing is asked for twice.
    pub async fn reconnect(&mut self) -> Result<(), ClientError> {
        while let Some(Ok(message)) = self.client.try_next_frame() {
            if self.follower.observe(&message).is_err() {
                break;
            }
        }
        let mut client = Client::connect_with(
            self.client.url(),
            self.client.hello().clone().resume_from(self.seq()),
            self.client.options().clone(),
        )
        .await?;
        self.follower.apply_catch_up(client.take_catch_up())?;
        self.follower.insight = Some(Box::new(client.initial_insight().clone()));
        self.client = client;
        Ok(())
    }

    /// Closes the connection and returns the meeting.
    pub async fn close(self) -> Meeting {
        self.client.close().await;
        self.follower.into_meeting()
    }
}
