//! # plenary-loadgen
//!
//! Load generator and benchmarks for the plenary service (issue 5).
//!
//! It simulates room screens, public viewers, delegation consoles and a
//! chair against a running `plenary` and against [`floor`], a minimal axum
//! websocket broadcaster built from the same stack (same axum and
//! tungstenite, serialise once, TCP_NODELAY, 4 KiB read buffer, no store,
//! no auth). Every latency, CPU and memory figure is reported as the
//! service's value, the floor's and their ratio, measured alternately in
//! one run (A B A B …) so that a noisy machine cancels out.
//!
//! - [`viewer`]: the receiving clients. Lean on purpose: the load
//!   generator shares the machine with the server, so a receiver reads a
//!   frame's type and `seq` from its first bytes instead of decoding it,
//!   and checks that every event arrives once, in order.
//! - [`scenario`]: idle hold, chair burst, floor-request storm, reconnect
//!   storm, slow consumers, durable commands/s, clock skew and restart.
//! - [`target`]: spawns `plenary serve` (fresh SQLite file or PostgreSQL
//!   database, access codes issued with `plenary access issue`) or the
//!   floor binary, and samples their CPU and memory from `/proc`; its
//!   [`target::Target`] trait is what differs between the two for the
//!   scenarios.
//! - [`limits`]: the open-file limit and source addresses.
//! - [`report`]: the table and the JSON.

pub mod clock;
pub mod failover;
pub mod floor;
pub mod limits;
pub mod procstat;
pub mod report;
pub mod scenario;
pub mod stats;
pub mod target;
pub mod viewer;

/// Progress for the operator, on standard error (standard output carries
/// the report).
#[allow(clippy::print_stderr)]
pub fn progress(message: impl std::fmt::Display) {
    eprintln!("[{:>7.1}s] {message}", clock::since_start().as_secs_f64());
}
