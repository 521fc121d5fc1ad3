//! The OpenAPI 3.1 document of the HTTP API. Its schemas are generated
//! from the handlers' request and response types (OpenAPI 3.1 schemas are
//! JSON Schema), so it cannot drift from the code.

use schemars::generate::SchemaSettings;
use serde_json::{Value, json};

use plenary_protocol::rest::{AccessCodeInfo, IssueCode, IssuedCode};

use crate::api::{ApiError, CommandAccepted, CommandRequest, MeetingSummary, StateResponse};

pub fn document() -> Value {
    let mut generator = SchemaSettings::openapi3().into_generator();
    let command_request = generator.subschema_for::<CommandRequest>();
    let accepted = generator.subschema_for::<CommandAccepted>();
    let error = generator.subschema_for::<ApiError>();
    let summary = generator.subschema_for::<Vec<MeetingSummary>>();
    let state = generator.subschema_for::<StateResponse>();
    let one_meeting = generator.subschema_for::<MeetingSummary>();
    let codes = generator.subschema_for::<Vec<AccessCodeInfo>>();
    let issue = generator.subschema_for::<IssueCode>();
    let issued = generator.subschema_for::<IssuedCode>();
    let schemas = generator.take_definitions(true);
    let errors = |codes: &[&str]| {
        let mut map = serde_json::Map::new();
        for c in codes {
            map.insert(
                (*c).to_owned(),
                json!({ "description": "An error with a stable code", "content": { "application/json": { "schema": error } } }),
            );
        }
        Value::Object(map)
    };
    let id_param = json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "string" }, "example": "san-pedro-sula-2017" });
    let mut command_responses = errors(&["400", "401", "403", "404", "409", "422", "429", "503"]);
    if let Value::Object(map) = &mut command_responses {
        map.insert("200".to_owned(), json!({ "description": "Committed", "content": { "application/json": { "schema": accepted } } }));
    }
    let mut state_responses = errors(&["401", "404"]);
    if let Value::Object(map) = &mut state_responses {
        map.insert("200".to_owned(), json!({ "description": "The state for the caller's role", "content": { "application/json": { "schema": state } } }));
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "plenary",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "HTTP API of plenary. Authenticate with `Authorization: Bearer <access code>`. The same commands as the websocket (docs/protocol.md)."
        },
        "components": {
            "schemas": schemas,
            "securitySchemes": { "accessCode": { "type": "http", "scheme": "bearer" } }
        },
        "security": [{ "accessCode": [] }],
        "paths": {
            "/healthz": { "get": { "summary": "Liveness", "security": [], "responses": { "200": { "description": "ok" } } } },
            "/readyz": { "get": { "summary": "Readiness: the store answers", "security": [], "responses": { "200": { "description": "ready" }, "503": { "description": "store unreachable" } } } },
            "/metrics": { "get": { "summary": "Prometheus metrics", "security": [], "responses": { "200": { "description": "text exposition format" } } } },
            "/api/v1/meetings": {
                "get": { "summary": "Meetings served", "security": [], "responses": { "200": { "description": "The meetings", "content": { "application/json": { "schema": summary } } } } },
                "post": {
                    "summary": "Open a meeting at run time from its TOML definition (operator token of the configuration)",
                    "requestBody": { "required": true, "content": { "application/toml": { "schema": { "type": "string" } } } },
                    "responses": { "201": { "description": "Opened", "content": { "application/json": { "schema": one_meeting } } }, "401": { "description": "No or wrong operator token" }, "409": { "description": "Already open" }, "422": { "description": "Invalid definition: errors with file, line and field" } }
                }
            },
            "/api/v1/meetings/{id}/access-codes": {
                "get": { "summary": "List access codes (never the codes); technician, chair, secretariat", "parameters": [id_param.clone()], "responses": { "200": { "description": "The codes", "content": { "application/json": { "schema": codes } } }, "403": { "description": "Not permitted" } } },
                "post": { "summary": "Issue an access code, shown once", "parameters": [id_param.clone()], "requestBody": { "required": true, "content": { "application/json": { "schema": issue, "example": { "role": "delegation:hn", "label": "Honduras, desk 2" } } } }, "responses": { "201": { "description": "Issued", "content": { "application/json": { "schema": issued } } }, "400": { "description": "Unknown role" }, "403": { "description": "Not permitted" } } }
            },
            "/api/v1/meetings/{id}/access-codes/{code_id}": {
                "delete": { "summary": "Revoke an access code; its sessions end", "parameters": [id_param.clone(), { "name": "code_id", "in": "path", "required": true, "schema": { "type": "string" } }], "responses": { "204": { "description": "Revoked" }, "404": { "description": "No active code with that id" } } }
            },
            "/api/v1/meetings/{id}": { "get": { "summary": "The meeting's state for the caller's role (public without a code when the meeting allows it)", "parameters": [id_param.clone()], "responses": state_responses } },
            "/api/v1/meetings/{id}/commands": { "post": {
                "summary": "Run a command (same commands and errors as the websocket)",
                "parameters": [id_param.clone()],
                "requestBody": { "required": true, "content": { "application/json": { "schema": command_request, "example": { "command_id": "deck-next-1", "command": { "type": "call_next" } } } } },
                "responses": command_responses
            } },
            "/api/v1/meetings/{id}/export": { "get": {
                "summary": "Minutes: the speaking log and running order",
                "parameters": [id_param, { "name": "format", "in": "query", "schema": { "type": "string", "enum": ["csv", "json", "md"] } }],
                "responses": { "200": { "description": "The minutes" }, "403": { "description": "Not the chair, secretariat or technician" } }
            } }
        }
    })
}
