//! Everything that can go wrong on the client side of the protocol.

use plenary_protocol::CloseCode;

/// One error type for the whole client.
///
/// After [`Closed`](ClientError::Closed), [`Gap`](ClientError::Gap) or
/// [`Duplicate`](ClientError::Duplicate) the connection is finished: build a
/// new one and resume from [`Client::last_seq`](crate::Client::last_seq)
/// ([`ClientError::should_resume`] says when that is worth trying).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The URL is not a `ws://host:port/path` URL.
    #[error("invalid websocket url `{url}`: {reason}")]
    Url { url: String, reason: String },

    /// The TCP connection or the websocket upgrade failed.
    #[error("could not connect to {url}: {source}")]
    Connect {
        url: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// The connection ended. `code` is the websocket close code the server
    /// sent (see [`CloseCode`]), `None` when the connection dropped without one.
    #[error("connection closed{}: {reason}", code.map(|c| format!(" ({c})")).unwrap_or_default())]
    Closed { code: Option<u16>, reason: String },

    /// The server refused the connection or the message with a protocol
    /// error (`invalid_access_code`, `unsupported_version`, …).
    #[error("the server refused: {code}: {message}")]
    Protocol { code: String, message: String },

    /// An event frame skipped sequence numbers: events were lost.
    #[error("gap in the event stream: expected seq {expected}, received {found}")]
    Gap { expected: u64, found: u64 },

    /// An event frame repeated or went back in the sequence.
    #[error("duplicate event: expected seq {expected}, received {found} again")]
    Duplicate { expected: u64, found: u64 },

    /// [`crate::Client`] follows the event stream; a hello asking for the
    /// views stream needs a raw connection.
    #[error(
        "Client follows the event stream (events by seq); a hello with stream = views needs a raw websocket (docs/protocol.md §3.5)"
    )]
    ViewsStream,

    /// The server sent something the protocol does not allow at this point.
    #[error("unexpected message while {during}: {got}")]
    Unexpected { during: &'static str, got: String },

    /// A frame that is not JSON of this protocol.
    #[error("malformed JSON frame: {0}")]
    Json(#[from] serde_json::Error),

    /// The websocket failed after the connection was set up.
    #[error("websocket error: {0}")]
    WebSocket(#[source] Box<tokio_tungstenite::tungstenite::Error>),

    /// No answer in time.
    #[error("timed out {during}")]
    Timeout { during: &'static str },

    /// A message larger than the server accepts (`MAX_FRAME_BYTES`); it
    /// was not sent.
    #[error("message of {bytes} bytes is over the {max} bytes a frame may have")]
    FrameTooBig { bytes: usize, max: usize },

    /// A resumed connection sent events, but there is no earlier state to
    /// apply them to.
    #[error("the server sent events after seq {after} but no state at that seq was given")]
    NoBaseState { after: u64 },
}

impl ClientError {
    /// Whether reconnecting with `resume_from_seq` may fix this: the server
    /// went away (1001), cut a slow client (4000), the network dropped, or
    /// the stream had a gap. Authentication failures (1008) and protocol
    /// errors are not retried as they are.
    pub fn should_resume(&self) -> bool {
        match self {
            ClientError::Closed { code, .. } => match code {
                None => true,
                Some(c) => {
                    *c == CloseCode::GoingAway as u16
                        || *c == CloseCode::TooSlow as u16
                        || *c == 1006
                        || *c == 1011
                        || *c == 1012
                }
            },
            ClientError::Gap { .. }
            | ClientError::Duplicate { .. }
            | ClientError::WebSocket(_)
            | ClientError::Timeout { .. } => true,
            _ => false,
        }
    }

    /// The close code, when this is [`ClientError::Closed`] with one.
    pub fn close_code(&self) -> Option<u16> {
        match self {
            ClientError::Closed { code, .. } => *code,
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn going_away_and_too_slow_are_resumable_but_policy_is_not() {
        let closed = |code| ClientError::Closed {
            code: Some(code),
            reason: String::new(),
        };
        assert!(closed(1001).should_resume());
        assert!(closed(4000).should_resume());
        assert!(!closed(1008).should_resume());
        assert!(!closed(1009).should_resume());
        assert!(!closed(4001).should_resume());
        assert!(
            ClientError::Gap {
                expected: 3,
                found: 5
            }
            .should_resume()
        );
        assert!(
            !ClientError::Protocol {
                code: "invalid_access_code".to_owned(),
                message: String::new()
            }
            .should_resume()
        );
    }

    #[test]
    fn closed_message_names_the_code() {
        let e = ClientError::Closed {
            code: Some(4000),
            reason: "too slow".to_owned(),
        };
        assert_eq!(e.to_string(), "connection closed (4000): too slow");
        let e = ClientError::Closed {
            code: None,
            reason: "reset".to_owned(),
        };
        assert_eq!(e.to_string(), "connection closed: reset");
    }
}
