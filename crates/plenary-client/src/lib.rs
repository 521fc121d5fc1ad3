//! # plenary-client
//!
//! The reference client of the plenary websocket protocol
//! (`docs/protocol.md`), used by the integration tests, the load generator
//! and scripts.
//!
//! - [`Client::connect`] opens `ws://host:port/ws` (TCP_NODELAY, no
//!   compression), says `hello` and returns once the catch-up has arrived:
//!   a snapshot or the missed events ([`Client::catch_up`]), then the first
//!   insight.
//! - [`Client::send_command`] / [`Client::command`] send a command and wait
//!   for its `ack` or `error` ([`CommandReply`]); several may be in flight
//!   at once, replies are matched by `command_id`. [`Client::submit_batch`]
//!   writes many commands with one flush.
//! - [`Client::next_frame`] yields every other frame in order and checks
//!   that event `seq`s have no gap and no duplicate; [`Client::last_seq`]
//!   is what to resume from.
//! - [`Client::time_sync`] estimates the server clock's offset, NTP-style
//!   ([`TimeSyncEstimate`]).
//! - [`Session`] keeps a local [`plenary_core::Meeting`] up to date
//!   ([`Follower`]) and [`Session::reconnect`]s with `resume_from_seq`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), plenary_client::ClientError> {
//! use plenary_client::{Client, Hello};
//! use plenary_core::Command;
//!
//! let client = Client::connect("ws://127.0.0.1:8080/ws", Hello::access_code("CHAIR-CODE")).await?;
//! let reply = client.command(Command::CallNext).await?;
//! let clock = client.time_sync(5).await?;
//! println!("{reply:?}, server clock {} ms ahead", clock.offset_ms);
//! # Ok(()) }
//! ```

mod client;
mod error;
mod follower;
mod hello;
mod seq;
mod time_sync;

pub use client::{
    CatchUp, Client, CommandReply, PendingReply, decode_server_message, new_command_id,
};
pub use error::ClientError;
pub use follower::{Follower, Session};
pub use hello::{ConnectOptions, Hello};
pub use seq::SeqTracker;
pub use time_sync::{TimeSample, TimeSyncEstimate, local_now_ms};
