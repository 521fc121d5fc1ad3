//! The HTTP API around the websocket: health, readiness, metrics, the
//! meeting's state for a role, the same commands as the websocket (for
//! Bitfocus Companion / Stream Deck buttons and scripts), the export of
//! the minutes, access codes, and the OpenAPI document. Errors are JSON
//! with the same codes as the websocket (docs/protocol.md, "REST API").
//!
//! Who may do what is never decided here: commands by the core's
//! permissions table, the export by its capabilities table, access codes by
//! its code-management table through [`access::AccessCodes`]. This module
//! only finds out who is calling (`Authorization: Bearer <access code>`),
//! slows down guessing ([`crate::throttle`]) and turns refusals into HTTP
//! statuses ([`refusal_status`]).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use plenary_core::i18n::{Lang, Texts};
use plenary_core::ids::MeetingId;
use plenary_core::roles::{self, Capability, CodeManager};
use plenary_core::{Command, CommandError, Meeting, Role};
use plenary_protocol::rest::{AccessCodeInfo, IssueCode, IssuedCode};
use plenary_protocol::views::Audience;
use plenary_protocol::{Insight, ProtocolErrorCode};

use crate::access::{AccessCodes, AccessError};
use crate::export::{self, Format};
use crate::hub::{CommandOutcome, HubHandle};
use crate::throttle::RetryAfter;
use crate::{AppState, access, metrics as m, openapi as doc};

/// An error as every API answers it.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ApiError {
    #[serde(skip)]
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub messages: Texts,
    /// Seconds to wait, sent as `Retry-After` (429).
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status;
        let retry_after = self.retry_after;
        let mut response = (status, Json(self)).into_response();
        let headers = response.headers_mut();
        if let Some(seconds) = retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"plenary\""),
            );
        }
        response
    }
}

impl ApiError {
    fn new(
        status: StatusCode,
        code: &str,
        en: impl Into<String>,
        es: impl Into<String>,
    ) -> ApiError {
        let en = en.into();
        ApiError {
            status,
            code: code.to_owned(),
            messages: Texts::new().with("en", en.clone()).with("es", es),
            message: en,
            retry_after: None,
        }
    }

    fn protocol(code: ProtocolErrorCode) -> ApiError {
        let (en, es) = code.messages();
        let status = match code {
            ProtocolErrorCode::InvalidAccessCode | ProtocolErrorCode::PublicViewClosed => {
                StatusCode::UNAUTHORIZED
            }
            ProtocolErrorCode::UnknownMeeting => StatusCode::NOT_FOUND,
            ProtocolErrorCode::RateLimited | ProtocolErrorCode::TooManyAttempts => {
                StatusCode::TOO_MANY_REQUESTS
            }
            ProtocolErrorCode::StoreUnavailable | ProtocolErrorCode::OutcomeUnknown => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            _ => StatusCode::BAD_REQUEST,
        };
        ApiError::new(status, code.as_str(), en, es)
    }

    /// A refusal of the core, in the meeting's languages.
    fn refusal(e: &CommandError, languages: &[Lang]) -> ApiError {
        ApiError {
            status: refusal_status(e),
            code: e.code().to_owned(),
            message: e.to_string(),
            messages: e.messages(languages),
            retry_after: None,
        }
    }

    fn bad_request(message: String) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: ProtocolErrorCode::BadMessage.as_str().to_owned(),
            messages: Texts::new().with("en", message.clone()),
            message,
            retry_after: None,
        }
    }

    fn store() -> ApiError {
        ApiError::protocol(ProtocolErrorCode::StoreUnavailable)
    }

    /// No access code where one is needed.
    fn unauthenticated() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "this needs an access code: send Authorization: Bearer <code>",
            "esto requiere un código de acceso: envíe Authorization: Bearer <código>",
        )
    }

    fn retry_after(mut self, wait: RetryAfter) -> ApiError {
        self.retry_after = Some(wait.seconds());
        self
    }
}

/// The HTTP status of a refusal of the core: 403 when the role may not,
/// 404 when something named does not exist, 422 when the request is
/// impossible as written, 409 when the meeting's present state refuses it
/// (including `last_chair_code`).
pub fn refusal_status(e: &CommandError) -> StatusCode {
    use CommandError as E;
    match e {
        E::NotPermitted { .. }
        | E::NotYourDelegation { .. }
        | E::NotYourBooth { .. }
        | E::CapabilityNotPermitted { .. }
        | E::AccessCodesNotPermitted { .. } => StatusCode::FORBIDDEN,
        E::UnknownDelegation { .. }
        | E::UnknownItem { .. }
        | E::UnknownRequest { .. }
        | E::UnknownBooth { .. }
        | E::UnknownScreen { .. }
        | E::UnknownKind { .. }
        | E::UnknownLanguage { .. }
        | E::UnknownPresenter { .. } => StatusCode::NOT_FOUND,
        E::InvalidDuration
        | E::PositionOutOfRange { .. }
        | E::EmptyMessage
        | E::NoLanguages
        | E::NoAccessCodes { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        // The rules refuse it in the meeting's present state.
        _ => StatusCode::CONFLICT,
    }
}

pub async fn healthz() -> &'static str {
    "ok"
}

/// Ready when this node can get a command committed now: every meeting is
/// in step with the store and a write transaction commits in time.
pub async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    match state.readiness().await {
        crate::Readiness::Ready => (StatusCode::OK, "ready").into_response(),
        crate::Readiness::NotReady(why) => {
            (StatusCode::SERVICE_UNAVAILABLE, format!("not ready: {why}")).into_response()
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
    pub languages: Vec<Lang>,
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

/// What the `Authorization` header holds.
enum Bearer<'a> {
    Missing,
    /// Not `Bearer <something>`.
    Malformed,
    Token(&'a str),
}

fn bearer(headers: &HeaderMap) -> Bearer<'_> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Bearer::Missing;
    };
    let Ok(value) = value.to_str() else {
        return Bearer::Malformed;
    };
    match value.trim().split_once(' ') {
        // The scheme is case-insensitive (RFC 9110).
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Bearer::Token(token.trim())
        }
        _ => Bearer::Malformed,
    }
}

/// Whether `given` is the operator token of the configuration (digests are
/// compared, so the time taken says nothing about the token).
fn is_operator_token(state: &AppState, given: &str) -> bool {
    use sha2::{Digest, Sha256};
    state
        .config
        .operator_token
        .as_ref()
        .is_some_and(|expected| {
            Sha256::digest(expected.expose().as_bytes()) == Sha256::digest(given.as_bytes())
        })
}

/// Who presented a credential.
enum Caller {
    /// An access code of this meeting.
    Code { role: Role, code_id: String },
    /// The operator token (accepted only where the operator may act).
    Operator,
}

/// Checks a presented credential: refused outright while this address is
/// throttled; a wrong one counts against the address.
async fn authenticate(
    state: &AppState,
    ip: IpAddr,
    token: &str,
    hub: &HubHandle,
    operator_welcome: bool,
) -> Result<Caller, ApiError> {
    state
        .login_throttle
        .check(ip)
        .map_err(|wait| ApiError::protocol(ProtocolErrorCode::TooManyAttempts).retry_after(wait))?;
    if operator_welcome && is_operator_token(state, token) {
        return Ok(Caller::Operator);
    }
    let record = state
        .store
        .find_access_code(&access::hash(token))
        .await
        .map_err(|_| ApiError::store())?;
    match record {
        Some(r) if r.meeting == hub.meeting => Ok(Caller::Code {
            role: r.role,
            code_id: r.id,
        }),
        _ => {
            state.login_throttle.record_failure(ip);
            Err(ApiError::protocol(ProtocolErrorCode::InvalidAccessCode))
        }
    }
}

/// The role of a caller that must have an access code (every endpoint of a
/// meeting but its state): none is `401 unauthenticated`.
async fn code_holder(
    state: &AppState,
    ip: IpAddr,
    headers: &HeaderMap,
    hub: &HubHandle,
) -> Result<(Role, String), ApiError> {
    let Bearer::Token(token) = bearer(headers) else {
        return Err(ApiError::unauthenticated());
    };
    match authenticate(state, ip, token, hub, false).await? {
        Caller::Code { role, code_id } => Ok((role, code_id)),
        Caller::Operator => Err(ApiError::unauthenticated()),
    }
}

/// Who manages codes here: a role by its access code, or the operator by
/// the operator token.
async fn code_manager(
    state: &AppState,
    ip: IpAddr,
    headers: &HeaderMap,
    hub: &HubHandle,
) -> Result<CodeManager, ApiError> {
    let Bearer::Token(token) = bearer(headers) else {
        return Err(ApiError::unauthenticated());
    };
    Ok(match authenticate(state, ip, token, hub, true).await? {
        Caller::Code { role, .. } => CodeManager::from(&role),
        Caller::Operator => CodeManager::Operator,
    })
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

/// `GET /api/v1/meetings/{id}`: for the role of the access code, or for
/// the public without one where the meeting's public view is open.
pub async fn meeting_state(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<StateResponse>, ApiError> {
    let hub = hub_of(&state, &id)?;
    let role = match bearer(&headers) {
        Bearer::Missing if hub.definition.public_view_open => Role::Public,
        Bearer::Missing => return Err(ApiError::protocol(ProtocolErrorCode::PublicViewClosed)),
        Bearer::Malformed | Bearer::Token(_) => {
            code_holder(&state, peer.ip(), &headers, &hub).await?.0
        }
    };
    let (view, insight) = hub
        .view(Audience::of(&role))
        .await
        .map_err(|_| ApiError::store())?;
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
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<CommandAccepted>, ApiError> {
    let hub = hub_of(&state, &id)?;
    let (role, code_id) = code_holder(&state, peer.ip(), &headers, &hub).await?;
    // The websocket's rate, per access code.
    state
        .command_limits
        .check(&code_id)
        .map_err(|wait| ApiError::protocol(ProtocolErrorCode::RateLimited).retry_after(wait))?;
    if body.len() > plenary_protocol::MAX_FRAME_BYTES {
        return Err(ApiError::bad_request("the body is over 64 KiB".to_owned()));
    }
    let request: CommandRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("not a command request: {e}")))?;
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
        .map_err(|_| ApiError::store())?;
    match outcome {
        CommandOutcome::Acked { seq } => {
            m::command("acked");
            Ok(Json(CommandAccepted { command_id, seq }))
        }
        CommandOutcome::Refused(e) => {
            m::command("refused");
            Err(ApiError::refusal(&e, &hub.definition.languages))
        }
        CommandOutcome::Unavailable => Err(ApiError::store()),
        CommandOutcome::Unknown => Err(ApiError::protocol(ProtocolErrorCode::OutcomeUnknown)),
    }
}

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    pub format: Option<String>,
}

/// The speaking log and running order as minutes, for the roles the
/// capabilities table lets export them.
pub async fn export(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(id): Path<String>,
    Query(query): Query<ExportQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let hub = hub_of(&state, &id)?;
    let (role, _) = code_holder(&state, peer.ip(), &headers, &hub).await?;
    roles::may(&role, Capability::ExportMinutes)
        .map_err(|e| ApiError::refusal(&e, &hub.definition.languages))?;
    let asked = query.format.as_deref().unwrap_or("json");
    let format = Format::parse(asked).ok_or_else(|| {
        ApiError::bad_request(format!("unknown format `{asked}`: use csv, json or md"))
    })?;
    let (meeting, _) = hub
        .view(Audience::Presiding)
        .await
        .map_err(|_| ApiError::store())?;
    let body = export::render(&meeting, format, crate::clock::now());
    Ok(([(header::CONTENT_TYPE, format.content_type())], body).into_response())
}

/// A refusal of the access-code service as an answer.
fn access_error(e: AccessError, hub: &HubHandle) -> ApiError {
    match e {
        AccessError::Refused(e) => ApiError::refusal(&e, &hub.definition.languages),
        // The role in the body names nothing of this meeting: the request
        // is wrong, not the path.
        AccessError::UnknownRole(e) => ApiError {
            status: StatusCode::BAD_REQUEST,
            ..ApiError::refusal(&e, &hub.definition.languages)
        },
        AccessError::UnknownCode(_) => ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_access_code",
            "no active access code with that id",
            "no hay ningún código de acceso activo con ese id",
        ),
        AccessError::Store(e) => {
            tracing::warn!(error = %e, "access codes: the store failed");
            ApiError::store()
        }
    }
}

/// `GET /api/v1/meetings/{id}/access-codes`: the codes of the roles the
/// caller manages.
pub async fn list_codes(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Vec<AccessCodeInfo>>, ApiError> {
    let hub = hub_of(&state, &id)?;
    let manager = code_manager(&state, peer.ip(), &headers, &hub).await?;
    let records = AccessCodes::new(&state.store)
        .list(&hub.meeting, manager)
        .await
        .map_err(|e| access_error(e, &hub))?;
    Ok(Json(
        records
            .into_iter()
            .map(|r| AccessCodeInfo {
                id: r.id,
                role: r.role.to_string(),
                label: r.label,
                created_at: r.created_at,
                revoked_at: r.revoked_at,
            })
            .collect(),
    ))
}

/// `POST /api/v1/meetings/{id}/access-codes`.
pub async fn issue_code(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<IssuedCode>), ApiError> {
    let hub = hub_of(&state, &id)?;
    let manager = code_manager(&state, peer.ip(), &headers, &hub).await?;
    let request: IssueCode = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(format!("expected {{\"role\": …, \"label\": …}}: {e}"))
    })?;
    let role: Role = request
        .role
        .parse()
        .map_err(|e: roles::ParseRoleError| ApiError::bad_request(e.to_string()))?;
    let issued = AccessCodes::new(&state.store)
        .issue(&hub.definition, manager, role, request.label)
        .await
        .map_err(|e| access_error(e, &hub))?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedCode {
            id: issued.record.id,
            code: issued.code,
            role: issued.record.role.to_string(),
            label: issued.record.label,
        }),
    ))
}

/// `DELETE /api/v1/meetings/{id}/access-codes/{code_id}`: its open
/// connections are closed.
pub async fn revoke_code(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path((id, code_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let hub = hub_of(&state, &id)?;
    let manager = code_manager(&state, peer.ip(), &headers, &hub).await?;
    AccessCodes::new(&state.store)
        .revoke(&hub.meeting, manager, &code_id)
        .await
        .map_err(|e| access_error(e, &hub))?;
    state.code_revoked(&hub.meeting, &code_id).await;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/meetings`: opens a new meeting from its TOML definition,
/// at run time. Needs the operator token of the configuration; without
/// one configured, nobody may (`403 operator_disabled`).
pub async fn create_meeting(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<MeetingSummary>), ApiError> {
    if state.config.operator_token.is_none() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "operator_disabled",
            "opening meetings at run time is disabled: no operator_token is configured",
            "abrir reuniones en ejecución está desactivado: no hay operator_token configurado",
        ));
    }
    let Bearer::Token(token) = bearer(&headers) else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "operator_token_required",
            "opening a meeting needs the operator token: send Authorization: Bearer <operator token>",
            "abrir una reunión requiere el token de operador: envíe Authorization: Bearer <token de operador>",
        ));
    };
    let ip = peer.ip();
    state
        .login_throttle
        .check(ip)
        .map_err(|wait| ApiError::protocol(ProtocolErrorCode::TooManyAttempts).retry_after(wait))?;
    if !is_operator_token(&state, token) {
        state.login_throttle.record_failure(ip);
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_operator_token",
            "wrong operator token",
            "token de operador incorrecto",
        ));
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
                retry_after: None,
            }
        })?;
    if state.meeting(&definition.id).is_some() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "meeting_exists",
            format!("meeting `{}` is already open", definition.id),
            format!("la reunión `{}` ya está abierta", definition.id),
        ));
    }
    let service = crate::Service {
        state: Arc::clone(&state),
    };
    let hub = service.open_meeting(definition).await.map_err(|e| {
        tracing::error!(error = %e, "cannot open a meeting");
        ApiError::store()
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
