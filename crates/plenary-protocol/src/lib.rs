//! # plenary-protocol
//!
//! The websocket protocol of plenary (`/ws`), written once in Rust: the
//! messages a client sends ([`ClientMessage`]) and receives
//! ([`ServerMessage`]), what each role may see ([`views`]), and the JSON
//! Schema generated from these types ([`schema`]). `docs/protocol.md`
//! describes the conversation with an example of every message.

pub mod decode;
pub mod messages;
pub mod rest;
pub mod schema;
pub mod views;

pub use decode::{BadMessage, MAX_COMMAND_ID_CHARS, decode_client_message, valid_command_id};
pub use messages::{
    ClientMessage, CloseCode, EventFrame, Insight, ProtocolErrorCode, ScreenPresence,
    ServerMessage, Stream,
};
pub use views::{Audience, SurfaceView, ViewKey};

/// The protocol version this build speaks. A client that says another one
/// in `hello` gets `unsupported_version`.
pub const PROTOCOL_VERSION: u32 = 1;

/// The largest frame a client may send; larger ones close the connection
/// with 1009.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;
