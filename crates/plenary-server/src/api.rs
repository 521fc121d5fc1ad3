//! The HTTP API around the websocket: health, readiness, metrics, the
//! meeting's state for a role, the same commands as the websocket (for
//! Bitfocus Companion / Stream Deck buttons and scripts), the export of
//! the minutes, and the OpenAPI document. Errors are JSON with the same
//! codes as the websocket.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use plenary_core::i18n::Texts;
use plenary_core::ids::MeetingId;
use plenary_core::{Command, CommandError, Meeting, Role};
use plenary_protocol::rest::{AccessCodeInfo, IssueCode, IssuedCode};
use plenary_protocol::views::Audience;
use plenary_protocol::{Insight, ProtocolErrorCode};

use crate::export::{self, Format};
use crate::hub::{CommandOutcome, HubHandle};
use crate::{AppState, access, metrics as m, openapi as doc};

/// An error as every API answers it.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ApiError {
    #[serde(skip)]
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub messages: Texts,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self)).into_response()
    }
}

impl ApiError {
    fn protocol(code: ProtocolErrorCode) -> ApiError {
        let (en, es) = code.messages();
        let status = match code {
            ProtocolErrorCode::InvalidAccessCode | ProtocolErrorCode::PublicViewClosed => {
                StatusCode::UNAUTHORIZED
            }
            ProtocolErrorCode::UnknownMeeting => StatusCode::NOT_FOUND,
            ProtocolErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ProtocolErrorCode::StoreUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        };
        ApiError {
            status,
            code: code.as_str().to_owned(),
            message: en.to_owned(),
            messages: Texts::new().with("en", en).with("es", es),
        }
    }

    fn command(e: &CommandError, hub: &HubHandle) -> ApiError {
        let code = e.code();
        let status = match code {
            "not_permitted" | "not_your_delegation" | "not_your_booth" => StatusCode::FORBIDDEN,
            c if c.starts_with("unknown_") => StatusCode::NOT_FOUND,
            "invalid_duration" | "position_out_of_range" | "empty_message" | "no_languages" => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            // The rules refuse it in the meeting's present state.
            _ => StatusCode::CONFLICT,
        };
        let messages = e.messages(&hub.definition.languages);
        ApiError {
            status,
            code: code.to_owned(),
            message: e.to_string(),
            messages,
        }
    }

    fn bad_request(message: String) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: ProtocolErrorCode::BadMessage.as_str().to_owned(),
            messages: Texts::new().with("en", message.clone()),
            message,
        }
    }
}

pub async fn healthz() -> &'static str {
    "ok"
}

/// Ready when the store answers.
pub async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "store unreachable").into_response()
        }
    }
}

pub async fn metrics() -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        m::render(),
    )
        .into_response()
}

pub async fn openapi() -> Json<serde_json::Value> {
    Json(doc::document())
}

/// A meeting as listed publicly.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct MeetingSummary {
    pub id: MeetingId,
    pub title: Texts,
    pub languages: Vec<plenary_core::i18n::Lang>,
    pub public_view_open: bool,
}

pub async fn list_meetings(State(state): State<Arc<AppState>>) -> Json<Vec<MeetingSummary>> {
    Json(
        state
            .meetings()
            .into_iter()
            .map(|h| MeetingSummary {
                id: h.meeting.clone(),
                title: h.definition.title.clone(),
                languages: h.definition.languages.clone(),
                public_view_open: h.definition.public_view_open,
            })
            .collect(),
    )
}

/// Who the `Authorization: Bearer <access code>` header says this is; no
/// header is the public, where the meeting allows it.
async fn caller(state: &AppState, headers: &HeaderMap, hub: &HubHandle) -> Result<Role, ApiError> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let Some(code) = bearer else {
        return if hub.definition.public_view_open {
            Ok(Role::Public)
        } else {
            Err(ApiError::protocol(ProtocolErrorCode::PublicViewClosed))
        };
    };
    let record = state
        .store
        .find_access_code(&access::hash(code))
        .await
        .map_err(|_| ApiError::protocol(ProtocolErrorCode::StoreUnavailable))?
        .ok_or_else(|| ApiError::protocol(ProtocolErrorCode::InvalidAccessCode))?;
    if record.meeting != hub.meeting {
        return Err(ApiError::protocol(ProtocolErrorCode::InvalidAccessCode));
    }
    Ok(record.role)
}

fn hub_of(state: &AppState, id: &str) -> Result<HubHandle, ApiError> {
    state
        .meeting(&MeetingId::new(id))
        .ok_or_else(|| ApiError::protocol(ProtocolErrorCode::UnknownMeeting))
}

/// The state of a meeting as the caller's role sees it.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct StateResponse {
    pub role: Role,
    pub seq: u64,
    pub state: Box<Meeting>,
    pub insight: Box<Insight>,
}

pub async fn meeting_state(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<StateResponse>, ApiError> {
    let hub = hub_of(&state, &id)?;
    let role = caller(&state, &headers, &hub).await?;
    let (view, insight) = hub
        .view(Audience::of(&role))
        .await
        .map_err(|_| ApiError::protocol(ProtocolErrorCode::StoreUnavailable))?;
    Ok(Json(StateResponse {
        role,
        seq: view.seq,
        state: Box::new(view),
        insight: Box::new(insight),
    }))
}

/// `POST /api/v1/meetings/{id}/commands`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct CommandRequest {
    /// Makes retries safe: the same id is applied once. Optional here.
    #[serde(default)]
    pub command_id: Option<String>,
    pub command: Command,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct CommandAccepted {
    pub command_id: String,
    /// The command's last event.
    pub seq: u64,
}

pub async fn post_command(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<CommandAccepted>, ApiError> {
    let hub = hub_of(&state, &id)?;
    if body.len() > plenary_protocol::MAX_FRAME_BYTES {
        return Err(ApiError::bad_request("the body is over 64 KiB".to_owned()));
    }
    let request: CommandRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("not a command request: {e}")))?;
    let role = caller(&state, &headers, &hub).await?;
    let command_id = match request.command_id {
        Some(id) if id.is_empty() || id.chars().count() > 128 => {
            return Err(ApiError::protocol(ProtocolErrorCode::InvalidCommandId));
        }
        Some(id) => id,
        None => uuid::Uuid::new_v4().to_string(),
    };
    let outcome = hub
        .command(role, Some(command_id.clone()), request.command)
        .await
        .map_err(|_| ApiError::protocol(ProtocolErrorCode::StoreUnavailable))?;
    match outcome {
        CommandOutcome::Acked { seq } => {
            m::command("acked");
            Ok(Json(CommandAccepted { command_id, seq }))
        }
        CommandOutcome::Refused(e) => {
            m::command("refused");
            Err(ApiError::command(&e, &hub))
        }
        CommandOutcome::Unavailable => Err(ApiError::protocol(ProtocolErrorCode::StoreUnavailable)),
    }
}

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    pub format: Option<String>,
}

/// The speaking log and running order as minutes; for the chair, the
/// secretariat and the technician.
pub async fn export(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    Query(query): Query<ExportQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let hub = hub_of(&state, &id)?;
    let role = caller(&state, &headers, &hub).await?;
    if !matches!(role, Role::Chair | Role::Secretariat | Role::Technician) {
        return Err(ApiError {
            status: StatusCode::FORBIDDEN,
            code: "not_permitted".to_owned(),
            message: "only the chair, the secretariat and the technician export the minutes"
                .to_owned(),
            messages: Texts::new()
                .with(
                    "en",
                    "only the chair, the secretariat and the technician export the minutes",
                )
                .with(
                    "es",
                    "solo la presidencia, la secretaría y el técnico exportan el acta",
                ),
        });
    }
    let asked = query.format.as_deref().unwrap_or("json");
    let format = Format::parse(asked).ok_or_else(|| {
        ApiError::bad_request(format!("unknown format `{asked}`: use csv, json or md"))
    })?;
    let (meeting, _) = hub
        .view(Audience::Presiding)
        .await
        .map_err(|_| ApiError::protocol(ProtocolErrorCode::StoreUnavailable))?;
    let body = export::render(&meeting, format, crate::clock::now());
    Ok(([(header::CONTENT_TYPE, format.content_type())], body).into_response())
}

/// Who may manage a meeting's access codes.
fn manages_codes(role: &Role) -> bool {
    matches!(role, Role::Technician | Role::Secretariat | Role::Chair)
}

fn forbidden(en: &str, es: &str) -> ApiError {
    ApiError {
        status: StatusCode::FORBIDDEN,
        code: "not_permitted".to_owned(),
        message: en.to_owned(),
        messages: Texts::new().with("en", en).with("es", es),
    }
}

pub async fn list_codes(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Vec<AccessCodeInfo>>, ApiError> {
    let hub = hub_of(&state, &id)?;
    let role = caller(&state, &headers, &hub).await?;
    if !manages_codes(&role) {
        return Err(forbidden(
            "only the technician and the presidency manage access codes",
            "solo el técnico y la presidencia gestionan los códigos de acceso",
        ));
    }
    let records = state
        .store
        .list_access_codes(&hub.meeting)
        .await
        .map_err(|_| ApiError::protocol(ProtocolErrorCode::StoreUnavailable))?;
    Ok(Json(
        records
            .into_iter()
            .map(|r| AccessCodeInfo {
                id: r.id,
                role: access::role_key(&r.role),
                label: r.label,
                created_at: r.created_at,
                revoked_at: r.revoked_at,
            })
            .collect(),
    ))
}

pub async fn issue_code(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<IssuedCode>), ApiError> {
    let hub = hub_of(&state, &id)?;
    let caller_role = caller(&state, &headers, &hub).await?;
    if !manages_codes(&caller_role) {
        return Err(forbidden(
            "only the technician and the presidency manage access codes",
            "solo el técnico y la presidencia gestionan los códigos de acceso",
        ));
    }
    let request: IssueCode = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(format!("expected {{\"role\": …, \"label\": …}}: {e}"))
    })?;
    let role =
        access::parse_role(&request.role).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let d = &hub.definition;
    let known = match &role {
        Role::Delegation { delegation } => d.delegation(delegation).is_some(),
        Role::Interpreter { booth } => d.booth(booth).is_some(),
        Role::Screen { screen } => d.screens.get(screen).is_some(),
        _ => true,
    };
    if !known {
        return Err(ApiError::bad_request(format!(
            "this meeting has no {}",
            request.role
        )));
    }
    let code = access::generate();
    let record = state
        .store
        .insert_access_code(&plenary_store::NewAccessCode {
            meeting: hub.meeting.clone(),
            role: role.clone(),
            label: request.label.clone(),
            hash: access::hash(&code),
            created_at: crate::clock::now(),
        })
        .await
        .map_err(|_| ApiError::protocol(ProtocolErrorCode::StoreUnavailable))?;
    tracing::info!(meeting = %hub.meeting, role = %access::role_key(&role), id = %record.id, "access code issued");
    Ok((
        StatusCode::CREATED,
        Json(IssuedCode {
            id: record.id,
            code,
            role: access::role_key(&role),
            label: request.label,
        }),
    ))
}

pub async fn revoke_code(
    State(state): State<Arc<AppState>>,
    Path((id, code_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let hub = hub_of(&state, &id)?;
    let role = caller(&state, &headers, &hub).await?;
    if !manages_codes(&role) {
        return Err(forbidden(
            "only the technician and the presidency manage access codes",
            "solo el técnico y la presidencia gestionan los códigos de acceso",
        ));
    }
    let revoked = state
        .store
        .revoke_access_code(&hub.meeting, &code_id, crate::clock::now())
        .await
        .map_err(|_| ApiError::protocol(ProtocolErrorCode::StoreUnavailable))?;
    if !revoked {
        return Err(ApiError {
            status: StatusCode::NOT_FOUND,
            code: "unknown_access_code".to_owned(),
            message: "no active access code with that id".to_owned(),
            messages: Texts::new()
                .with("en", "no active access code with that id")
                .with("es", "no hay ningún código de acceso activo con ese id"),
        });
    }
    state.forget_code(&code_id);
    tracing::info!(meeting = %hub.meeting, id = %code_id, "access code revoked");
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/meetings`: opens a new meeting from its TOML definition,
/// at run time. Needs the operator token of the configuration.
pub async fn create_meeting(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<MeetingSummary>), ApiError> {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let allowed = match (&state.config.operator_token, presented) {
        (Some(expected), Some(given)) => {
            use sha2::{Digest, Sha256};
            // Compare digests so the time taken says nothing about the token.
            Sha256::digest(expected.expose().as_bytes()) == Sha256::digest(given.as_bytes())
        }
        _ => false,
    };
    if !allowed {
        return Err(ApiError::protocol(ProtocolErrorCode::InvalidAccessCode));
    }
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::bad_request("the definition is not UTF-8".to_owned()))?;
    let definition =
        plenary_core::definition::load_str("request body", text).map_err(|errors| {
            let message = errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n");
            ApiError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "invalid_definition".to_owned(),
                messages: Texts::new().with("en", message.clone()),
                message,
            }
        })?;
    if state.meeting(&definition.id).is_some() {
        return Err(ApiError {
            status: StatusCode::CONFLICT,
            code: "meeting_exists".to_owned(),
            message: format!("meeting `{}` is already open", definition.id),
            messages: Texts::new()
                .with("en", format!("meeting `{}` is already open", definition.id)),
        });
    }
    let service = crate::Service {
        state: Arc::clone(&state),
    };
    let hub = service.open_meeting(definition).await.map_err(|e| {
        tracing::error!(error = %e, "cannot open a meeting");
        ApiError::protocol(ProtocolErrorCode::StoreUnavailable)
    })?;
    tracing::info!(meeting = %hub.meeting, "meeting created at run time");
    Ok((
        StatusCode::CREATED,
        Json(MeetingSummary {
            id: hub.meeting.clone(),
            title: hub.definition.title.clone(),
            languages: hub.definition.languages.clone(),
            public_view_open: hub.definition.public_view_open,
        }),
    ))
}
