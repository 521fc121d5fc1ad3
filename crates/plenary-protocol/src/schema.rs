//! The JSON Schema of the protocol, generated from the Rust types. The
//! committed copy (`crates/plenary-protocol/protocol.schema.json`) is
//! checked by a test so that it never drifts; regenerate it with
//! `UPDATE_SCHEMA=1 cargo test -p plenary-protocol --test schema`.

use schemars::generate::SchemaSettings;

use crate::messages::{ClientMessage, ServerMessage};

/// One document with both directions: `$defs/ClientMessage` and
/// `$defs/ServerMessage`, and every type they use.
pub fn protocol_schema() -> serde_json::Value {
    let mut generator = SchemaSettings::draft2020_12().into_generator();
    let client = generator.subschema_for::<ClientMessage>();
    let server = generator.subschema_for::<ServerMessage>();
    // The HTTP messages the browser also uses.
    generator.subschema_for::<crate::rest::AccessCodeInfo>();
    generator.subschema_for::<crate::rest::IssueCode>();
    generator.subschema_for::<crate::rest::IssuedCode>();
    generator.subschema_for::<crate::rest::Minutes>();
    let defs = generator.take_definitions(true);
    serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "plenary websocket protocol",
        "description": "Messages exchanged on /ws. A client sends ClientMessage; the server sends ServerMessage.",
        "oneOf": [client, server],
        "$defs": defs,
    })
}
