//! Who the client says it is, and how it connects.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use plenary_core::ids::MeetingId;
use plenary_protocol::{ClientMessage, PROTOCOL_VERSION, Stream};

/// The credentials of the `hello` message, and where to resume from.
///
/// `Debug` masks the access code and the token: they are secrets and must
/// never reach a log.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Hello {
    /// An access code as printed or shown as a QR code.
    pub access_code: Option<String>,
    /// The token of an earlier `welcome` (valid while that server runs).
    pub token: Option<String>,
    /// For the public view only: the meeting to watch without a code.
    pub meeting: Option<MeetingId>,
    /// The last `seq` this client applied: the server sends only what
    /// came after it, if it still can, else a snapshot.
    pub resume_from_seq: Option<u64>,
    /// Events (the default) or view documents and patches.
    pub stream: Stream,
}

impl Hello {
    /// Authenticates with an access code.
    pub fn access_code(code: impl Into<String>) -> Hello {
        Hello {
            access_code: Some(code.into()),
            ..Hello::default()
        }
    }

    /// Authenticates with the token of an earlier `welcome`.
    pub fn token(token: impl Into<String>) -> Hello {
        Hello {
            token: Some(token.into()),
            ..Hello::default()
        }
    }

    /// The public view of a meeting, where the meeting allows it.
    pub fn public(meeting: impl Into<MeetingId>) -> Hello {
        Hello {
            meeting: Some(meeting.into()),
            ..Hello::default()
        }
    }

    /// The same hello, resuming after `seq`.
    pub fn resume_from(mut self, seq: u64) -> Hello {
        self.resume_from_seq = Some(seq);
        self
    }

    /// The same hello, asking for view documents and patches.
    pub fn views(mut self) -> Hello {
        self.stream = Stream::Views;
        self
    }

    /// The wire message.
    pub fn to_message(&self) -> ClientMessage {
        ClientMessage::Hello {
            protocol_version: PROTOCOL_VERSION,
            access_code: self.access_code.clone(),
            token: self.token.clone(),
            meeting: self.meeting.clone(),
            resume_from_seq: self.resume_from_seq,
            stream: self.stream,
        }
    }
}

impl fmt::Debug for Hello {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mask = |s: &Option<String>| s.as_ref().map(|_| "***");
        f.debug_struct("Hello")
            .field("access_code", &mask(&self.access_code))
            .field("token", &mask(&self.token))
            .field("meeting", &self.meeting)
            .field("resume_from_seq", &self.resume_from_seq)
            .finish()
    }
}

/// How to connect: timeouts, source address and buffer sizes.
#[derive(Clone, Debug)]
pub struct ConnectOptions {
    /// TCP connect plus the websocket upgrade.
    pub connect_timeout: Duration,
    /// From sending `hello` to the first `insight` (welcome and catch-up).
    pub hello_timeout: Duration,
    /// How long [`Client::send_command`](crate::Client::send_command) and
    /// [`Client::time_sync`](crate::Client::time_sync) wait for an answer;
    /// `None` waits until the connection ends.
    pub reply_timeout: Option<Duration>,
    /// The local address to connect from. A load generator spreads many
    /// connections over 127.0.0.x addresses to get past the ephemeral
    /// port range of a single one.
    pub local_addr: Option<IpAddr>,
    /// The websocket read buffer, allocated up front for each connection.
    /// tungstenite's default (128 KiB) would cost 1.3 GB for 10,000
    /// connections; larger messages are still read, in several chunks.
    pub read_buffer_size: usize,
    /// The largest message accepted from the server (a snapshot of a
    /// large meeting can be a few hundred kilobytes).
    pub max_message_size: usize,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            connect_timeout: Duration::from_secs(5),
            hello_timeout: Duration::from_secs(10),
            reply_timeout: Some(Duration::from_secs(10)),
            local_addr: None,
            read_buffer_size: 8 * 1024,
            max_message_size: 16 << 20,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn debug_masks_the_secrets() {
        let h = Hello::access_code("CHAIR-7731").resume_from(42);
        let shown = format!("{h:?}");
        assert!(!shown.contains("CHAIR-7731"), "{shown}");
        assert!(shown.contains("***") && shown.contains("42"), "{shown}");
        let shown = format!("{:?}", Hello::token("tok-secret"));
        assert!(!shown.contains("tok-secret"), "{shown}");
    }

    #[test]
    fn hello_serialises_as_the_protocol_says() {
        let json = serde_json::to_value(
            Hello::public("san-pedro-sula-2017")
                .resume_from(17)
                .to_message(),
        )
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "type": "hello",
                "protocol_version": 1,
                "access_code": null,
                "token": null,
                "meeting": "san-pedro-sula-2017",
                "resume_from_seq": 17,
                "stream": "events"
            })
        );
    }
}
