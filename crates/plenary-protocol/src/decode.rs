//! Decoding what a client sends: one function the server calls for every
//! text frame, fuzzed by `fuzz/fuzz_targets/client_message.rs`.

use std::fmt;

use serde::Deserialize;

use crate::messages::ClientMessage;

/// The longest `command_id` the server accepts (in characters).
pub const MAX_COMMAND_ID_CHARS: usize = 128;

/// A frame that is not a valid [`ClientMessage`], answered with
/// `bad_message`. When the frame is recognisably a command (a JSON object
/// with `"type": "command"` and a string `command_id` of 1 to
/// [`MAX_COMMAND_ID_CHARS`] characters), the answer carries its
/// `command_id`, so a client matching answers by id is not left waiting —
/// e.g. for a command type this server does not know.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BadMessage {
    pub command_id: Option<String>,
}

impl fmt::Display for BadMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.command_id {
            Some(id) => write!(f, "bad message (command {id})"),
            None => f.write_str("bad message"),
        }
    }
}

impl std::error::Error for BadMessage {}

/// Whether `id` may be a `command_id`: 1 to [`MAX_COMMAND_ID_CHARS`]
/// characters. The one check, for the websocket and REST alike.
pub fn valid_command_id(id: &str) -> bool {
    (1..=MAX_COMMAND_ID_CHARS).contains(&id.chars().count())
}

/// Decodes one text frame from a client.
pub fn decode_client_message(text: &str) -> Result<ClientMessage, BadMessage> {
    serde_json::from_str::<ClientMessage>(text).map_err(|_| BadMessage {
        command_id: command_id_of(text),
    })
}

/// Only what is needed to answer a broken command: other fields, whatever
/// they hold, are ignored.
#[derive(Deserialize)]
struct CommandEnvelope {
    #[serde(rename = "type")]
    kind: String,
    command_id: String,
}

fn command_id_of(text: &str) -> Option<String> {
    // A derived struct also reads a JSON array (`["command", "c-1"]`) field
    // by field: only an object is a frame.
    if !text
        .trim_start_matches([' ', '\t', '\n', '\r'])
        .starts_with('{')
    {
        return None;
    }
    let envelope = serde_json::from_str::<CommandEnvelope>(text).ok()?;
    (envelope.kind == "command" && valid_command_id(&envelope.command_id))
        .then_some(envelope.command_id)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use plenary_core::Command;

    use super::*;

    #[test]
    fn a_valid_hello_decodes() {
        let message =
            decode_client_message(r#"{"type":"hello","protocol_version":1,"access_code":"AB-12"}"#)
                .unwrap();
        assert_eq!(
            message,
            ClientMessage::Hello {
                protocol_version: 1,
                access_code: Some("AB-12".to_owned()),
                token: None,
                meeting: None,
                resume_from_seq: None,
                stream: crate::Stream::Events,
            }
        );
    }

    #[test]
    fn a_valid_command_decodes() {
        let message = decode_client_message(
            r#"{"type":"command","command_id":"c-1","command":{"type":"call_next"}}"#,
        )
        .unwrap();
        assert_eq!(
            message,
            ClientMessage::Command {
                command_id: "c-1".to_owned(),
                command: Command::CallNext,
                expect: None,
            }
        );
    }

    /// Found by `fuzz/fuzz_targets/client_message.rs`: without
    /// `float_roundtrip`, serde_json read this number one unit in the last
    /// place off, so the message re-encoded as `-6.0001e+64` decoded to
    /// another `t0`.
    #[test]
    fn numbers_decode_correctly_rounded_and_round_trip() {
        let text = format!(r#"{{"type":"time_sync","t0":-60001{}}}"#, "0".repeat(60));
        let message = decode_client_message(&text).unwrap();
        assert_eq!(message, ClientMessage::TimeSync { t0: -6.0001e64 });
        let again = serde_json::to_string(&message).unwrap();
        assert_eq!(decode_client_message(&again).unwrap(), message);
    }

    #[test]
    fn an_unknown_command_type_keeps_its_id() {
        let bad = decode_client_message(
            r#"{"type":"command","command_id":"c-7","command":{"type":"dance","speed":3}}"#,
        )
        .unwrap_err();
        assert_eq!(bad.command_id.as_deref(), Some("c-7"));
    }

    #[test]
    fn a_command_with_bad_arguments_keeps_its_id() {
        let bad = decode_client_message(
            r#"{"command":{"type":"extend_timer","by":"soon"},"command_id":"c\u00e9-8","type":"command"}"#,
        )
        .unwrap_err();
        assert_eq!(bad.command_id.as_deref(), Some("cé-8"));
    }

    #[test]
    fn garbage_has_no_id() {
        for text in [
            "",
            "not json",
            "[1,2,3]",
            // Found by the fuzzer: serde reads an array into a struct too.
            r#"["command","c-1"]"#,
            r#" ["command","c-1",{"type":"dance"}]"#,
            r#"{"type":"command","command_id":"c-1""#,
            r#"{"type":"command","command_id":7,"command":{"type":"dance"}}"#,
            r#"{"type":"hello","command_id":"c-1","protocol_version":"one"}"#,
            r#"{"type":"command","command_id":"","command":{"type":"dance"}}"#,
        ] {
            assert_eq!(
                decode_client_message(text).unwrap_err(),
                BadMessage::default(),
                "{text}"
            );
        }
    }

    #[test]
    fn an_id_over_128_characters_is_not_echoed() {
        let frame = |id: &str| {
            format!(r#"{{"type":"command","command_id":"{id}","command":{{"type":"dance"}}}}"#)
        };
        let longest = "é".repeat(MAX_COMMAND_ID_CHARS);
        assert_eq!(
            decode_client_message(&frame(&longest))
                .unwrap_err()
                .command_id,
            Some(longest.clone())
        );
        let too_long = "x".repeat(MAX_COMMAND_ID_CHARS + 1);
        assert_eq!(
            decode_client_message(&frame(&too_long)).unwrap_err(),
            BadMessage::default()
        );
    }
}
