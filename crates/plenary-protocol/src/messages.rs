//! Every message of the protocol. JSON objects tagged by `type`.

use serde::{Deserialize, Serialize};

use plenary_core::floor::FloorSeen;
use plenary_core::i18n::{Catalogue, Lang, Texts};
use plenary_core::ids::{MeetingId, ScreenId, SpeechId};
use plenary_core::interpretation::{RelayPlan, UpcomingWarning};
use plenary_core::projections::{RunningOrder, WaitEstimate};
use plenary_core::timer::Phase;
use plenary_core::{Command, Event, Meeting, Role, Timestamp};

use crate::views::SurfaceView;

/// What a client sends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// The first message of every connection.
    Hello {
        protocol_version: u32,
        /// An access code as printed or shown as a QR code.
        #[serde(default)]
        access_code: Option<String>,
        /// The session token of an earlier `welcome`, instead of the code.
        #[serde(default)]
        token: Option<String>,
        /// Only for the public view, which needs no code when the meeting
        /// allows it; codes and tokens name their meeting themselves.
        #[serde(default)]
        meeting: Option<MeetingId>,
        /// The last `seq` this client applied: the server sends only what
        /// came after it, if it still can, else a snapshot (or a whole view).
        #[serde(default)]
        resume_from_seq: Option<u64>,
        /// What to receive: `events` (the default) or `views`.
        #[serde(default)]
        stream: Stream,
    },
    /// A command, answered by `ack` or `error` with the same `command_id`.
    /// Sending the same `command_id` again (after a reconnect) returns the
    /// first answer and applies nothing twice.
    Command {
        command_id: String,
        command: Command,
        /// The floor the sender saw when deciding (§5.3): a command that
        /// changes the floor is refused `stale` if the floor has changed
        /// since. Consoles always send it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<FloorSeen>,
    },
    /// NTP-style clock sync: `t0` is the client's clock when sent (ms).
    TimeSync { t0: f64 },
    /// A screen's health as it measures it, for the technician console.
    Status { rtt_ms: f64, offset_ms: f64 },
}

/// The two forms of the same meeting a client can follow.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Stream {
    /// `snapshot`, then every committed `event` in order, with `insight`:
    /// for programs that keep the state themselves.
    #[default]
    Events,
    /// `view`, then `patch`es: the document this role's display renders,
    /// derived by the server. For browsers and room screens.
    Views,
}

/// What the server sends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// The answer to a valid `hello`.
    Welcome {
        protocol_version: u32,
        role: Role,
        meeting: MeetingId,
        /// The server's clock (ms since the epoch) when sent.
        server_time: Timestamp,
        /// The last committed event.
        seq: u64,
        /// Presents this session again in a later `hello`, while the server runs.
        token: String,
    },
    /// The whole meeting as this role may see it, at `seq`.
    Snapshot { seq: u64, state: Box<Meeting> },
    /// One committed event, in order, without gaps.
    Event(EventFrame),
    /// Views derived from the state at `seq` and the server's clock at
    /// `at`: running order, waiting times, the relay plan.
    Insight(Box<Insight>),
    /// The whole document this role's display renders (`stream: views`),
    /// as of `seq`.
    View { seq: u64, view: Box<SurfaceView> },
    /// An RFC 6902 JSON Patch that turns the document at `from` into the
    /// document at `seq` (`stream: views`). A client whose document is not
    /// at `from` resumes.
    Patch {
        from: u64,
        seq: u64,
        ops: json_patch::Patch,
    },
    /// A command was committed: its last event has `seq`.
    Ack { command_id: String, seq: u64 },
    /// A command (with its `command_id`) or a message (without) was refused.
    Error {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        command_id: Option<String>,
        /// Stable machine code: a command error (`list_closed`…) or a
        /// protocol error ([`ProtocolErrorCode`]).
        code: String,
        /// Human message in the meeting's main language.
        message: String,
        /// The message in every language of the meeting.
        messages: Texts,
    },
    /// The answer to `time_sync`: `t1` when received and `t2` when sent,
    /// on the server's clock. Offset ≈ ((t1 − t0) + (t2 − t3)) / 2.
    TimeSync { t0: f64, t1: f64, t2: f64 },
    /// A countdown crossed a threshold (scheduled by the server from the
    /// timer's next-threshold instant; clients render colours themselves).
    Phase {
        speech: SpeechId,
        phase: Phase,
        at: Timestamp,
    },
    /// Screens' connections, for the technician and the chair.
    Presence { screens: Vec<ScreenPresence> },
}

/// A committed event as one role sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EventFrame {
    pub seq: u64,
    pub at: Timestamp,
    /// Who caused it; `null` where the role may not know (an interpreter's
    /// "slower please" reaches the chair anonymously).
    pub actor: Option<Role>,
    /// `null` for an event this role may not see: the `seq` still counts,
    /// so gaps are never ambiguous.
    pub event: Option<Event>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Insight {
    pub seq: u64,
    pub at: Timestamp,
    pub running_order: RunningOrder,
    pub waits: Vec<WaitEstimate>,
    /// The relay plan for whoever speaks now (none when nobody does).
    pub relay: Option<RelayPlan>,
    /// Speakers ahead whose language the booths cannot serve well.
    pub lookahead: Vec<UpcomingWarning>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ScreenPresence {
    pub screen: ScreenId,
    pub online: bool,
    /// Last time the screen was connected or reported.
    pub last_seen: Option<Timestamp>,
    pub rtt_ms: Option<f64>,
    pub offset_ms: Option<f64>,
    /// Open connections using this screen's code.
    pub connections: u32,
}

/// Errors of the protocol itself (command refusals use the core's codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProtocolErrorCode {
    /// Not JSON, or not a message of this protocol.
    BadMessage,
    UnsupportedVersion,
    /// Something other than `hello` came first.
    HelloRequired,
    /// A second `hello` on the same connection.
    AlreadyWelcomed,
    /// Unknown or revoked access code or token.
    InvalidAccessCode,
    UnknownMeeting,
    /// The meeting's public view needs an access code.
    PublicViewClosed,
    /// Too many commands too fast on this connection.
    RateLimited,
    /// The command could not be made durable; nothing was applied.
    StoreUnavailable,
    /// The database did not confirm the commit and could not be asked
    /// since: the command may or may not be applied. Resend it with the
    /// same `command_id` to learn which (it is never applied twice).
    OutcomeUnknown,
    /// The command_id is empty or longer than 128 characters.
    InvalidCommandId,
    /// Too many wrong access codes from this address: wait and retry.
    TooManyAttempts,
}

impl ProtocolErrorCode {
    /// The kind of refusal, as for the core's refusals: HTTP statuses
    /// follow it. Exhaustive: a new code must be classed here.
    pub fn class(self) -> plenary_core::ErrorClass {
        use plenary_core::ErrorClass as C;
        match self {
            Self::BadMessage
            | Self::UnsupportedVersion
            | Self::HelloRequired
            | Self::AlreadyWelcomed
            | Self::InvalidCommandId => C::Invalid,
            Self::InvalidAccessCode | Self::PublicViewClosed => C::Unauthenticated,
            Self::UnknownMeeting => C::NotFound,
            Self::RateLimited | Self::TooManyAttempts => C::TooMany,
            Self::StoreUnavailable | Self::OutcomeUnknown => C::Unavailable,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadMessage => "bad_message",
            Self::UnsupportedVersion => "unsupported_version",
            Self::HelloRequired => "hello_required",
            Self::AlreadyWelcomed => "already_welcomed",
            Self::InvalidAccessCode => "invalid_access_code",
            Self::UnknownMeeting => "unknown_meeting",
            Self::PublicViewClosed => "public_view_closed",
            Self::RateLimited => "rate_limited",
            Self::StoreUnavailable => "store_unavailable",
            Self::OutcomeUnknown => "outcome_unknown",
            Self::InvalidCommandId => "invalid_command_id",
            Self::TooManyAttempts => "too_many_attempts",
        }
    }

    /// The message in `lang`, from the catalogue (`locales/*.toml`, under
    /// the code).
    pub fn message(self, lang: &Lang) -> String {
        Catalogue::get().text(lang, self.as_str(), &[])
    }

    /// The message in each of `languages` (English alone when none is
    /// given).
    pub fn texts(self, languages: &[Lang]) -> Texts {
        Catalogue::get().texts(languages, self.as_str(), &[])
    }

    /// Every code, for tests and documentation.
    pub const ALL: [ProtocolErrorCode; 12] = [
        Self::BadMessage,
        Self::UnsupportedVersion,
        Self::HelloRequired,
        Self::AlreadyWelcomed,
        Self::InvalidAccessCode,
        Self::UnknownMeeting,
        Self::PublicViewClosed,
        Self::RateLimited,
        Self::StoreUnavailable,
        Self::OutcomeUnknown,
        Self::InvalidCommandId,
        Self::TooManyAttempts,
    ];
}

/// Spanish: with English, the language of an error sent before a meeting
/// is known.
fn spanish() -> Lang {
    Lang::parse("es").unwrap_or_else(|_| Lang::english())
}

/// Websocket close codes the server uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseCode {
    /// The server is shutting down: reconnect and resume.
    GoingAway = 1001,
    /// Authentication failed or the code was revoked: do not retry as is.
    Policy = 1008,
    /// A frame over 64 KiB.
    TooBig = 1009,
    /// This client fell behind: reconnect and resume from the last seq.
    TooSlow = 4000,
    /// No `hello` in time.
    HelloTimeout = 4001,
    /// Nothing heard from the client (not even a pong) for two ping
    /// intervals: reconnect and resume.
    Silent = 4002,
}

impl ServerMessage {
    /// An `error` for a protocol problem, in the meeting's languages (or
    /// English and Spanish before a meeting is known).
    pub fn protocol_error(code: ProtocolErrorCode, command_id: Option<String>) -> ServerMessage {
        ServerMessage::Error {
            command_id,
            code: code.as_str().to_owned(),
            message: code.message(&Lang::english()),
            messages: code.texts(&[Lang::english(), spanish()]),
        }
    }
}
