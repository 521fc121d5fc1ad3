//! Connections that are discarded after a failure instead of going back to
//! the pool.
//!
//! A write that fails half-way (a `SQLITE_FULL` at `COMMIT`, a connection
//! cut after `COMMIT` was sent, a statement abandoned at its timeout) can
//! leave its connection inside a transaction or in the middle of a reply.
//! sqlx's release check only pings: a SQLite connection still inside a
//! failed transaction passes it, goes back to the pool, and every later
//! commit on it fails until a restart. So every write runs on a
//! [`Checked`] connection, closed on drop unless the write succeeded; the
//! pool opens a fresh one.

use std::ops::{Deref, DerefMut};

use sqlx::pool::PoolConnection;
use sqlx::{Database, Pool};

pub(crate) struct Checked<DB: Database> {
    conn: PoolConnection<DB>,
    succeeded: bool,
}

impl<DB: Database> Checked<DB> {
    pub(crate) async fn acquire(pool: &Pool<DB>) -> Result<Self, sqlx::Error> {
        Ok(Checked {
            conn: pool.acquire().await?,
            succeeded: false,
        })
    }

    /// The work on this connection succeeded: it may go back to the pool.
    pub(crate) fn succeeded(mut self) {
        self.succeeded = true;
    }
}

impl<DB: Database> Drop for Checked<DB> {
    fn drop(&mut self) {
        if !self.succeeded {
            // Dropped after an error or mid-statement (a timeout cancelled
            // the future): never reuse it.
            self.conn.close_on_drop();
        }
    }
}

impl<DB: Database> Deref for Checked<DB> {
    type Target = DB::Connection;
    fn deref(&self) -> &Self::Target {
        &self.conn
    }
}

impl<DB: Database> DerefMut for Checked<DB> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.conn
    }
}
