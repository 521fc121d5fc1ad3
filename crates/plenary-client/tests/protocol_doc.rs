//! Every ```json block of `docs/protocol.md` is real protocol JSON: each value
//! in it parses as one of the wire types and says nothing the type would not
//! write back (no misspelt or unknown field, no wrong value). ```jsonc blocks
//! are abridged on purpose and not checked.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use serde_json::Value;

use plenary_client::decode_server_message;
use plenary_core::display::ScreenTarget;
use plenary_core::timer::{Countdown, Timer};
use plenary_core::{Command, Event, Role};
use plenary_protocol::{ClientMessage, SurfaceView};

const DOC: &str = include_str!("../../../docs/protocol.md");

/// The ```json blocks, with the line each starts on.
fn json_blocks(doc: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (n, line) in doc.lines().enumerate() {
        match &mut current {
            None if line.trim_end() == "```json" => current = Some((n + 1, String::new())),
            Some(_) if line.trim_end() == "```" => blocks.extend(current.take()),
            Some((_, text)) => {
                text.push_str(line);
                text.push('\n');
            }
            None => {}
        }
    }
    assert!(current.is_none(), "unterminated ```json block");
    blocks
}

/// Whether everything `doc` says is in `written` (fields `doc` leaves out
/// are fine: they are optional or null).
fn said_by(doc: &Value, written: &Value) -> bool {
    match (doc, written) {
        (Value::Object(d), Value::Object(w)) => d
            .iter()
            .all(|(k, v)| w.get(k).is_some_and(|wv| said_by(v, wv))),
        (Value::Array(d), Value::Array(w)) => {
            d.len() == w.len() && d.iter().zip(w).all(|(a, b)| said_by(a, b))
        }
        (Value::Number(d), Value::Number(w)) => d.as_f64() == w.as_f64(),
        _ => doc == written,
    }
}

/// The wire types a documented value may be, written back as JSON.
fn readings(text: &str) -> Vec<(&'static str, Value)> {
    fn through<T: serde::de::DeserializeOwned + serde::Serialize>(text: &str) -> Option<Value> {
        serde_json::from_str::<T>(text)
            .ok()
            .map(|v| serde_json::to_value(v).unwrap())
    }
    let mut out = Vec::new();
    if let Ok(m) = decode_server_message(text) {
        out.push(("ServerMessage", serde_json::to_value(m).unwrap()));
    }
    let typed = [
        ("ClientMessage", through::<ClientMessage>(text)),
        ("Command", through::<Command>(text)),
        ("Event", through::<Event>(text)),
        ("Role", through::<Role>(text)),
        ("Timer", through::<Timer>(text)),
        ("ScreenTarget", through::<ScreenTarget>(text)),
        ("Countdown", through::<Countdown>(text)),
        ("SurfaceView", through::<SurfaceView>(text)),
    ];
    out.extend(typed.into_iter().filter_map(|(n, v)| v.map(|v| (n, v))));
    out
}

#[test]
fn every_json_example_of_the_protocol_doc_is_a_real_message() {
    let blocks = json_blocks(DOC);
    assert!(blocks.len() > 25, "only {} json blocks found", blocks.len());
    let mut values = 0;
    let mut failures = Vec::new();
    for (line, block) in &blocks {
        for value in serde_json::Deserializer::from_str(block).into_iter::<Value>() {
            let value = value.unwrap_or_else(|e| panic!("docs/protocol.md:{line}: not JSON: {e}"));
            values += 1;
            let text = value.to_string();
            let readings = readings(&text);
            if !readings.iter().any(|(_, written)| said_by(&value, written)) {
                failures.push(format!(
                    "docs/protocol.md:{line}: {text}\n  read as {:?}",
                    readings
                        .iter()
                        .map(|(n, w)| format!("{n}: {w}"))
                        .collect::<Vec<_>>()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(values > 70, "only {values} JSON values checked");
}

#[test]
fn the_doc_shows_every_event_and_every_message() {
    let mut types = std::collections::BTreeSet::new();
    for (_, block) in json_blocks(DOC) {
        for value in serde_json::Deserializer::from_str(&block).into_iter::<Value>() {
            let value = value.unwrap();
            for v in [&value, &value["event"], &value["command"]] {
                if let Some(t) = v.get("type").and_then(Value::as_str) {
                    types.insert(t.to_owned());
                }
            }
        }
    }
    let messages = [
        "hello",
        "command",
        "time_sync",
        "status",
        "welcome",
        "event",
        "insight",
        "ack",
        "error",
        "phase",
        "presence",
    ];
    let events = Event::TYPES
        .iter()
        .filter(|t| **t != "meeting_created")
        .copied();
    let commands = [
        "request_floor",
        "call_next",
        "extend_timer",
        "assign_view",
        "push_message",
    ];
    for t in messages
        .iter()
        .copied()
        .chain(events)
        .chain(commands.iter().copied())
    {
        assert!(
            types.contains(t),
            "docs/protocol.md has no example of `{t}`"
        );
    }
    // `snapshot` is shown abridged (```jsonc).
    assert!(DOC.contains("\"type\": \"snapshot\""));
}

#[test]
fn every_command_error_code_is_documented() {
    // A sample of the core's codes, and every protocol code.
    for code in [
        "not_permitted",
        "list_closed",
        "queue_empty",
        "floor_occupied",
        "invalid_duration",
        "no_languages",
        "bad_message",
        "unsupported_version",
        "hello_required",
        "already_welcomed",
        "invalid_access_code",
        "unknown_meeting",
        "public_view_closed",
        "rate_limited",
        "store_unavailable",
        "invalid_command_id",
    ] {
        assert!(
            DOC.contains(&format!("`{code}`")),
            "docs/protocol.md does not document `{code}`"
        );
    }
}
