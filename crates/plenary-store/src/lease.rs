//! Writer leases: with several nodes on one PostgreSQL database, exactly
//! one decides and commits each meeting's commands. See
//! `migrations/postgres/0003_writer_leases.sql` for the table and
//! [`crate::Store::append_fenced`] for the fence. SQLite runs one node per
//! file (the server's node lock), so its lease is always this node's.

use std::time::Duration;

use plenary_core::ids::MeetingId;

/// The right to write a meeting, at an epoch. Every takeover bumps the
/// epoch; a commit fenced by an older one fails with
/// [`crate::StoreError::Deposed`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    pub meeting: MeetingId,
    pub epoch: u64,
    /// Who holds it: a node's name, unique per process.
    pub holder: String,
}

/// The answer to a claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// This node is the writer now, at a new epoch.
    Acquired(Lease),
    /// Another node holds a lease that has not expired.
    Held {
        holder: String,
        epoch: u64,
        /// Until it expires unless renewed, by the database's clock.
        expires_in: Duration,
    },
}
