//! The websocket client-message decoder on any bytes: a text frame never
//! panics it, what it accepts re-encodes and decodes to the same message,
//! and what it refuses carries a `command_id` only from a command frame,
//! 1 to 128 characters long.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plenary_protocol::decode::MAX_COMMAND_ID_CHARS;
use plenary_protocol::decode_client_message;

fuzz_target!(|data: &[u8]| {
    // Websocket text frames are UTF-8; anything else never reaches the decoder.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match decode_client_message(text) {
        Ok(message) => {
            let again = serde_json::to_string(&message).expect("a decoded message re-encodes");
            let decoded = decode_client_message(&again);
            assert_eq!(
                decoded.as_ref(),
                Ok(&message),
                "{text:?} re-encoded as {again:?}"
            );
        }
        Err(bad) => {
            if let Some(id) = bad.command_id {
                assert!((1..=MAX_COMMAND_ID_CHARS).contains(&id.chars().count()));
                // Only from a JSON object with `"type": "command"` and this
                // id. (`Value` refuses numbers beyond `f64` that the decoder
                // skips unread, such as `1E400` in an unknown field.)
                if let Ok(frame) = serde_json::from_str::<serde_json::Value>(text) {
                    assert_eq!(frame["type"], "command", "{text:?}");
                    assert_eq!(frame["command_id"], id.as_str(), "{text:?}");
                }
            }
        }
    }
});
