//! Helpers of the fault suite (`faults.rs`): a PostgreSQL proxy the test
//! drives, the real binary as a child process, the chair's ledger of
//! answers checked against the store, and misbehaving raw sockets.

pub(crate) mod ledger;
pub(crate) mod proxy;
pub(crate) mod server;
pub(crate) mod sockets;
