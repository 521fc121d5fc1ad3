//! The command inbox and the doorbell: how nodes that share a PostgreSQL
//! database hand commands to a meeting's writer and learn of its commits.
//!
//! - A node that is not the writer stores the command in `command_inbox`
//!   ([`crate::Store::forward`]); the writer is woken by `NOTIFY
//!   plenary_inbox`, decides the open entries in id order and writes each
//!   one's outcome ([`crate::Store::settle_inbox`], `NOTIFY plenary_outcome`).
//! - Every fenced commit sends `NOTIFY plenary_events` with the meeting's
//!   last seq, in its own transaction (so only once it is durable). A
//!   notification is a doorbell only: payloads are capped at 8,000 bytes,
//!   so nodes read the log by seq ([`crate::Store::load_events`]).
//!
//! Notifications are lost while a listener reconnects: nodes also poll.

use plenary_core::ids::MeetingId;

/// The channels a node listens on.
pub(crate) const EVENTS_CHANNEL: &str = "plenary_events";
pub(crate) const INBOX_CHANNEL: &str = "plenary_inbox";
pub(crate) const OUTCOME_CHANNEL: &str = "plenary_outcome";

/// A command for the writer, as the forwarding node encoded it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Forward {
    pub meeting: MeetingId,
    /// JSON [`plenary_core::Role`].
    pub actor: String,
    pub command_id: String,
    /// JSON [`plenary_core::Command`].
    pub command: String,
    /// JSON floor seen, if the sender said.
    pub seen: Option<String>,
}

/// An entry of the inbox that has no outcome yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenEntry {
    pub id: i64,
    pub forward: Forward,
    /// How long it has waited, by the database's clock.
    pub age: std::time::Duration,
}

/// A room screen as one node sees it (its connections there, and what it
/// last measured), shared with the other nodes.
#[derive(Clone, Debug, PartialEq)]
pub struct ScreenSeen {
    pub screen: String,
    pub connections: u32,
    pub rtt_ms: Option<f64>,
    pub offset_ms: Option<f64>,
    pub last_seen: Option<plenary_core::Timestamp>,
}

/// What a doorbell rang for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ring {
    /// `meeting` has events up to `seq` committed.
    Events { meeting: MeetingId, seq: u64 },
    /// `meeting` has commands waiting for its writer.
    Inbox { meeting: MeetingId },
    /// Outcomes of `meeting`'s forwarded commands were written.
    Outcome { meeting: MeetingId },
    /// The listener lost its connection and is back: notifications may
    /// have been missed, everyone should look.
    Reconnected,
}

impl Ring {
    /// Parses a notification; `None` for a channel or payload not ours.
    pub fn parse(channel: &str, payload: &str) -> Option<Ring> {
        match channel {
            EVENTS_CHANNEL => {
                let (meeting, seq) = payload.rsplit_once(' ')?;
                Some(Ring::Events {
                    meeting: MeetingId::new(meeting),
                    seq: seq.parse().ok()?,
                })
            }
            INBOX_CHANNEL => Some(Ring::Inbox {
                meeting: MeetingId::new(payload),
            }),
            OUTCOME_CHANNEL => Some(Ring::Outcome {
                meeting: MeetingId::new(payload),
            }),
            _ => None,
        }
    }

    pub fn meeting(&self) -> Option<&MeetingId> {
        match self {
            Ring::Events { meeting, .. } | Ring::Inbox { meeting } | Ring::Outcome { meeting } => {
                Some(meeting)
            }
            Ring::Reconnected => None,
        }
    }
}

/// A node's ear on the database: one connection that LISTENs on the three
/// channels. PostgreSQL only.
pub struct Doorbell {
    listener: sqlx::postgres::PgListener,
    /// The listener's own one-connection pool.
    _pool: sqlx::PgPool,
    /// The connection was lost since the last ring: say so once.
    lost: bool,
}

impl std::fmt::Debug for Doorbell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Doorbell").finish_non_exhaustive()
    }
}

impl Doorbell {
    pub(crate) async fn listen(pool: sqlx::PgPool) -> Result<Doorbell, sqlx::Error> {
        let mut listener = sqlx::postgres::PgListener::connect_with(&pool).await?;
        listener
            .listen_all([EVENTS_CHANNEL, INBOX_CHANNEL, OUTCOME_CHANNEL])
            .await?;
        Ok(Doorbell {
            listener,
            _pool: pool,
            lost: false,
        })
    }

    /// The next ring. The listener reconnects by itself after a lost
    /// connection (and listens again); the first ring after that is
    /// [`Ring::Reconnected`]. An error means the database cannot be
    /// reached now: call again after a pause.
    pub async fn recv(&mut self) -> Result<Ring, sqlx::Error> {
        loop {
            match self.listener.try_recv().await {
                Ok(Some(n)) => {
                    if std::mem::take(&mut self.lost) {
                        // What came before the loss is unknown: look.
                        return Ok(Ring::Reconnected);
                    }
                    if let Some(ring) = Ring::parse(n.channel(), n.payload()) {
                        return Ok(ring);
                    }
                }
                Ok(None) => {
                    self.lost = true;
                }
                Err(e) => {
                    self.lost = true;
                    return Err(e);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rings_parse_from_their_channels() {
        assert_eq!(
            Ring::parse(EVENTS_CHANNEL, "san-pedro-sula 42"),
            Some(Ring::Events {
                meeting: MeetingId::new("san-pedro-sula"),
                seq: 42
            })
        );
        assert_eq!(
            Ring::parse(INBOX_CHANNEL, "m"),
            Some(Ring::Inbox {
                meeting: MeetingId::new("m")
            })
        );
        assert_eq!(Ring::parse(EVENTS_CHANNEL, "no-seq"), None);
        assert_eq!(Ring::parse("other", "m"), None);
    }
}
