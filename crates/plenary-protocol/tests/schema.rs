//! The committed JSON Schema matches the Rust types.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use plenary_protocol::schema::protocol_schema;

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/protocol.schema.json");

#[test]
fn the_committed_schema_matches_the_rust_types() {
    let generated = serde_json::to_string_pretty(&protocol_schema()).unwrap() + "\n";
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(PATH, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(PATH).unwrap_or_default();
    assert!(
        committed == generated,
        "protocol.schema.json is out of date: run `UPDATE_SCHEMA=1 cargo test -p plenary-protocol --test schema`"
    );
}

#[test]
fn the_schema_names_every_message() {
    let schema = protocol_schema();
    let text = schema.to_string();
    for message in [
        "hello",
        "command",
        "time_sync",
        "status",
        "welcome",
        "snapshot",
        "event",
        "insight",
        "ack",
        "error",
        "phase",
        "presence",
    ] {
        assert!(
            text.contains(&format!("\"{message}\"")),
            "{message} missing from the schema"
        );
    }
}
