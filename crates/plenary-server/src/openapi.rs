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
    let errors = |statuses: &[&str]| {
        let mut map = serde_json::Map::new();
        for status in statuses {
            let mut response = json!({
                "description": error_description(status),
                "content": { "application/json": { "schema": error } }
            });
            if *status == "429" {
                response["headers"] = json!({ "Retry-After": { "description": "Seconds to wait", "schema": { "type": "integer" } } });
            }
            if *status == "401" {
                response["headers"] =
                    json!({ "WWW-Authenticate": { "schema": { "type": "string" } } });
            }
            map.insert((*status).to_owned(), response);
        }
        map
    };
    let with =
        |success: &str, description: &str, schema: Option<&schemars::Schema>, statuses: &[&str]| {
            let mut map = errors(statuses);
            let mut ok = json!({ "description": description });
            if let Some(schema) = schema {
                ok["content"] = json!({ "application/json": { "schema": schema } });
            }
            map.insert(success.to_owned(), ok);
            Value::Object(map)
        };
    let id_param = json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "string" }, "example": "san-pedro-sula-2017" });
    let mut button_params = vec![
        id_param.clone(),
        json!({ "name": "button", "in": "path", "required": true, "schema": { "type": "string", "enum": crate::buttons::BUTTONS.map(|(b, _)| b) } }),
    ];
    button_params.extend(button_parameters());
    let command_responses = with(
        "200",
        "Committed",
        Some(&accepted),
        &["400", "401", "403", "404", "409", "422", "429", "503"],
    );
    let state_responses = with(
        "200",
        "The state for the caller's role",
        Some(&state),
        &["401", "404", "429", "503"],
    );
    let codes_responses = with(
        "200",
        "The codes of the roles the caller manages",
        Some(&codes),
        &["401", "403", "404", "429", "503"],
    );
    let issue_responses = with(
        "201",
        "Issued: the code is shown this once",
        Some(&issued),
        &["400", "401", "403", "404", "422", "429", "503"],
    );
    let revoke_responses = with(
        "204",
        "Revoked; its open connections are closed",
        None,
        &["401", "403", "404", "409", "429", "503"],
    );
    let export_responses = with(
        "200",
        "The minutes (text/html, text/csv, application/json or text/markdown), as an attachment",
        None,
        &["400", "401", "403", "404", "429", "503"],
    );
    let button_responses = with(
        "200",
        "Committed",
        Some(&accepted),
        &["400", "401", "403", "404", "409", "422", "429", "503"],
    );
    let create_responses = with(
        "201",
        "Opened",
        Some(&one_meeting),
        &["400", "401", "403", "409", "422", "429", "503"],
    );
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "plenary",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "HTTP API of plenary. Authenticate with `Authorization: Bearer <access code>`; without it only public endpoints answer (and a meeting's state, where its public view is open). Wrong codes are throttled per address (429 `too_many_attempts`, with Retry-After). Errors are `{code, message, messages}`. The same commands as the websocket (docs/protocol.md, REST API)."
        },
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "accessCode": { "type": "http", "scheme": "bearer", "description": "An access code of the meeting, e.g. 7K4M-Q2XD-9HTR-B3WN" },
                "operatorToken": { "type": "http", "scheme": "bearer", "description": "The operator token of the configuration" }
            }
        },
        "security": [{ "accessCode": [] }],
        "paths": {
            "/healthz": { "get": { "summary": "Liveness", "security": [], "responses": { "200": { "description": "ok" } } } },
            "/readyz": { "get": { "summary": "Readiness: the store answers", "security": [], "responses": { "200": { "description": "ready" }, "503": { "description": "store unreachable" } } } },
            "/metrics": { "get": { "summary": "Prometheus metrics", "security": [], "responses": { "200": { "description": "text exposition format" } } } },
            "/api/v1/meetings": {
                "get": { "summary": "Meetings served", "security": [], "responses": { "200": { "description": "The meetings", "content": { "application/json": { "schema": summary } } } } },
                "post": {
                    "summary": "Open a meeting at run time from its TOML definition",
                    "description": "Needs `Authorization: Bearer <operator token>` (`operator_token` of the configuration). 401 `operator_token_required` without it, 401 `invalid_operator_token` with a wrong one (throttled like wrong access codes), 403 `operator_disabled` when no operator token is configured.",
                    "security": [{ "operatorToken": [] }],
                    "requestBody": { "required": true, "content": { "application/toml": { "schema": { "type": "string" } } } },
                    "responses": create_responses
                }
            },
            "/api/v1/meetings/{id}/access-codes": {
                "get": { "summary": "List access codes (never the codes) of the roles the caller manages", "description": "Chair: every role; secretariat: all but the chair; technician: delegations, interpreters and screens; the operator token: every role.", "security": [{ "accessCode": [] }, { "operatorToken": [] }], "parameters": [id_param.clone()], "responses": codes_responses },
                "post": { "summary": "Issue an access code, shown once", "description": "Only the chair and the operator mint chair codes (see the list for who manages which). 400 for a role that is not `chair`, `secretariat`, `technician`, `delegation:<id>`, `interpreter:<booth>` or `screen:<id>` of this meeting.", "security": [{ "accessCode": [] }, { "operatorToken": [] }], "parameters": [id_param.clone()], "requestBody": { "required": true, "content": { "application/json": { "schema": issue, "example": { "role": "delegation:hn", "label": "Honduras, desk 2" } } } }, "responses": issue_responses }
            },
            "/api/v1/meetings/{id}/access-codes/{code_id}": {
                "delete": { "summary": "Revoke an access code; its connections are closed", "description": "409 `last_chair_code`: nobody but the operator revokes the chair's last active code.", "security": [{ "accessCode": [] }, { "operatorToken": [] }], "parameters": [id_param.clone(), { "name": "code_id", "in": "path", "required": true, "schema": { "type": "string" } }], "responses": revoke_responses }
            },
            "/api/v1/meetings/{id}": { "get": { "summary": "The meeting's state for the caller's role", "description": "Without an Authorization header: the public view where the meeting's public view is open (401 `public_view_closed` otherwise).", "security": [{}, { "accessCode": [] }], "parameters": [id_param.clone()], "responses": state_responses } },
            "/api/v1/meetings/{id}/commands": { "post": {
                "summary": "Run a command (same commands and errors as the websocket)",
                "description": "Needs an access code (401 `unauthenticated` without). At most `commands_per_second` (burst `command_burst`) per access code, as on the websocket (429 `rate_limited`).",
                "parameters": [id_param.clone()],
                "requestBody": { "required": true, "content": { "application/json": { "schema": command_request, "example": { "command_id": "deck-next-1", "command": { "type": "call_next" } } } } },
                "responses": command_responses
            } },
            "/api/v1/meetings/{id}/buttons/{button}": { "post": {
                "summary": "Press a button: one technician or chair action, arguments in the query, no body",
                "description": buttons_description(),
                "parameters": button_params,
                "responses": button_responses
            } },
            "/api/v1/meetings/{id}/export": { "get": {
                "summary": "Minutes: the running order planned against actual, totals, interpretation and the speaking log",
                "description": "For the chair, the secretariat and the technician (403 `capability_not_permitted` otherwise).",
                "parameters": [id_param, { "name": "format", "in": "query", "schema": { "type": "string", "enum": ["html", "csv", "json", "md"] } }, { "name": "lang", "in": "query", "description": "One of the meeting's languages (HTML, CSV and Markdown; JSON is UTC and codes); the main language when absent", "schema": { "type": "string" } }],
                "responses": export_responses
            } }
        }
    })
}

/// The query parameters of the buttons, from [`crate::buttons::ButtonQuery`].
fn button_parameters() -> Vec<Value> {
    let schema = SchemaSettings::openapi3()
        .into_generator()
        .into_root_schema_for::<crate::buttons::ButtonQuery>();
    let properties = schema
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    properties
        .into_iter()
        .map(|(name, mut schema)| {
            let description = schema
                .as_object_mut()
                .and_then(|o| o.remove("description"))
                .unwrap_or(Value::Null);
            json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema })
        })
        .collect()
}

fn buttons_description() -> String {
    let mut text = "For Stream Deck buttons (Bitfocus Companion's generic HTTP connection): the same commands, permissions and errors as `/commands`, with `Authorization: Bearer <access code>` and any body ignored. Floor buttons take the `speech` seen on the floor (and its `rev`) and are refused `stale` (409) if the floor changed since. The buttons:".to_owned();
    for (button, what) in crate::buttons::BUTTONS {
        text.push_str(&format!("\n- `{button}`: {what}"));
    }
    text
}

/// What each error status means, with the codes it carries.
fn error_description(status: &str) -> &'static str {
    match status {
        "400" => {
            "`bad_message`: the body is not what this endpoint takes (or, issuing a code, the role is not one of this meeting: `unknown_delegation`, `unknown_booth`, `unknown_screen`)"
        }
        "401" => {
            "`unauthenticated`: no access code; `invalid_access_code`: unknown or revoked; `public_view_closed`; `operator_token_required`, `invalid_operator_token`"
        }
        "403" => {
            "Refused by the permissions, capabilities or code-management table: `not_permitted`, `not_your_delegation`, `not_your_booth`, `capability_not_permitted`, `access_codes_not_permitted`; `operator_disabled`"
        }
        "404" => {
            "`unknown_meeting`, `unknown_access_code`, or an id the meeting does not have (`unknown_item`, …)"
        }
        "409" => {
            "The meeting's present state refuses it (e.g. `already_requested`, `floor_occupied`); `last_chair_code`; `meeting_exists`"
        }
        "422" => {
            "Impossible as written: `invalid_duration`, `position_out_of_range`, `empty_message`, `no_languages`, `no_access_codes`, `invalid_definition`"
        }
        "429" => {
            "`rate_limited`: too many commands for this access code; `too_many_attempts`: too many wrong codes from this address. Wait Retry-After seconds"
        }
        "503" => {
            "`store_unavailable`: nothing was applied, retry; `outcome_unknown`: resend with the same command_id to learn whether it was applied"
        }
        _ => "An error with a stable code",
    }
}
