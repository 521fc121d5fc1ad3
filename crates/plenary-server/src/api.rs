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

use plenary_core::i18n::{Catalogue, Lang, Texts};
use plenary_core::ids::MeetingId;
use plenary_core::roles::{self, Capability, CodeManager};
use plenary_core::{Command, CommandError, ErrorClass, Meeting, Role};
use plenary_protocol::rest::{AccessCodeInfo, IssueCode, IssuedCode};
use plenary_protocol::views::Audience;
use plenary_protocol::{Insight, ProtocolErrorCode};

use crate::access::{AccessCodes, AccessError};
use crate::export::{self, Format};
use crate::hub::{CommandOutcome, HubHandle};
use crate::throttle::RetryAfter;
use crate::{AppState, metrics as m, openapi as doc};

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
    /// An error whose text is the catalogue's under `code`, in English and
    /// Spanish.
    fn new(status: StatusCode, code: &str, args: &[(&str, &dyn std::fmt::Display)]) -> ApiError {
        ApiError::with_text(status, code, code, args)
    }

    /// An error with code `code` and the catalogue's text `key`.
    fn with_text(
        status: StatusCode,
        code: &str,
        key: &str,
        args: &[(&str, &dyn std::fmt::Display)],
    ) -> ApiError {
        let catalogue = Catalogue::get();
        let english = Lang::english();
        let spanish = Lang::parse("es").unwrap_or_else(|_| Lang::english());
        ApiError {
            status,
            code: code.to_owned(),
            message: catalogue.text(&english, key, args),
            messages: catalogue.texts(&[english, spanish], key, args),
            retry_after: None,
        }
    }

    pub(crate) fn protocol(code: ProtocolErrorCode) -> ApiError {
        let status = match code.class() {
            // A malformed request rather than a value out of range.
            ErrorClass::Invalid => StatusCode::BAD_REQUEST,
            class => status_of(class),
        };
        ApiError::new(status, code.as_str(), &[])
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

    /// A refusal decided by a hub (here or on another node).
    fn refused(r: crate::hub::Refusal) -> ApiError {
        ApiError {
            status: status_of(r.class),
            code: r.code,
            message: r.message,
            messages: r.messages,
            retry_after: None,
        }
    }

    /// A malformed request (`bad_message`), saying why with the
    /// catalogue's text `request.<why>`.
    pub(crate) fn bad_request(why: &str, args: &[(&str, &dyn std::fmt::Display)]) -> ApiError {
        ApiError::with_text(
            StatusCode::BAD_REQUEST,
            ProtocolErrorCode::BadMessage.as_str(),
            &format!("request.{why}"),
            args,
        )
    }

    pub(crate) fn store() -> ApiError {
        ApiError::protocol(ProtocolErrorCode::StoreUnavailable)
    }

    /// No access code where one is needed.
    fn unauthenticated() -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", &[])
    }

    pub(crate) fn retry_after(mut self, wait: RetryAfter) -> ApiError {
        self.retry_after = Some(wait.seconds());
        self
    }
}

/// The HTTP status of a refusal of the core: 403 when the role may not,
/// 404 when something named does not exist, 422 when the request is
/// impossible as written, 409 when the meeting's present state refuses it
/// (including `last_chair_code`).
pub fn refusal_status(e: &CommandError) -> StatusCode {
    status_of(e.class())
}

/// The HTTP status of each kind of refusal: the one place it is decided.
pub fn status_of(class: ErrorClass) -> StatusCode {
    match class {
        ErrorClass::NotFound => StatusCode::NOT_FOUND,
        ErrorClass::Forbidden => StatusCode::FORBIDDEN,
        ErrorClass::Conflict => StatusCode::CONFLICT,
        ErrorClass::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorClass::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorClass::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorClass::TooMany => StatusCode::TOO_MANY_REQUESTS,
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
    let record = AccessCodes::new(&state.store)
        .login(token)
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
pub(crate) async fn code_holder(
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

pub(crate) async fn hub_of(state: &AppState, id: &str) -> Result<HubHandle, ApiError> {
    state
        .find_meeting(&MeetingId::new(id))
        .await
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
    let hub = hub_of(&state, &id).await?;
    let role = match bearer(&headers) {
        Bearer::Missing if hub.definition.public_view_open => Role::Public,
        Bearer::Missing => return Err(ApiError::protocol(ProtocolErrorCode::PublicViewClosed)),
        Bearer::Malformed | Bearer::Token(_) => {
            code_holder(&state, state.client_ip(peer, &headers), &headers, &hub)
                .await?
                .0
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
    /// The floor the sender saw (§5.3 of docs/protocol.md): a command that
    /// changes the floor is refused `stale` if it changed since. Without
    /// it, the command applies to the floor as it is.
    #[serde(default)]
    pub expect: Option<plenary_core::floor::FloorSeen>,
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
    let hub = hub_of(&state, &id).await?;
    let (role, code_id) =
        code_holder(&state, state.client_ip(peer, &headers), &headers, &hub).await?;
    // The websocket's rate, per access code.
    state
        .command_limits
        .check(&code_id)
        .map_err(|wait| ApiError::protocol(ProtocolErrorCode::RateLimited).retry_after(wait))?;
    if body.len() > plenary_protocol::MAX_FRAME_BYTES {
        return Err(ApiError::bad_request("body_too_large", &[]));
    }
    let request: CommandRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request("not_a_command", &[("error", &e)]))?;
    let command_id = match request.command_id {
        Some(id) if !plenary_protocol::valid_command_id(&id) => {
            return Err(ApiError::protocol(ProtocolErrorCode::InvalidCommandId));
        }
        Some(id) => id,
        None => uuid::Uuid::new_v4().to_string(),
    };
    let outcome = hub
        .command(
            role,
            Some(command_id.clone()),
            request.command,
            request.expect,
        )
        .await
        .map_err(|_| ApiError::store())?;
    answer(command_id, outcome)
}

/// A command's outcome as the REST answer: 200 with its seq, or the
/// refusal with its code and status.
pub(crate) fn answer(
    command_id: String,
    outcome: CommandOutcome,
) -> Result<Json<CommandAccepted>, ApiError> {
    match outcome {
        CommandOutcome::Acked { seq } => {
            m::command("acked");
            Ok(Json(CommandAccepted { command_id, seq }))
        }
        CommandOutcome::Refused(r) => {
            m::command("refused");
            Err(ApiError::refused(r))
        }
        CommandOutcome::Unavailable => Err(ApiError::store()),
        CommandOutcome::Unknown => Err(ApiError::protocol(ProtocolErrorCode::OutcomeUnknown)),
    }
}

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    pub format: Option<String>,
    /// One of the meeting's languages (HTML, CSV and Markdown); the main
    /// language when absent.
    #[serde(default)]
    pub lang: Option<String>,
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
    let hub = hub_of(&state, &id).await?;
    let (role, _) = code_holder(&state, state.client_ip(peer, &headers), &headers, &hub).await?;
    roles::may(&role, Capability::ExportMinutes)
        .map_err(|e| ApiError::refusal(&e, &hub.definition.languages))?;
    let asked = query.format.as_deref().unwrap_or("json");
    let format = Format::parse(asked)
        .ok_or_else(|| ApiError::bad_request("unknown_format", &[("format", &asked)]))?;
    let (meeting, _) = hub
        .view(Audience::Presiding)
        .await
        .map_err(|_| ApiError::store())?;
    let lang = export::language(&meeting, query.lang.as_deref()).ok_or_else(|| {
        let asked = query.lang.as_deref().unwrap_or_default();
        ApiError::bad_request("unknown_export_language", &[("lang", &asked)])
    })?;
    let body = export::render_in(&meeting, format, &lang, crate::clock::now());
    let file = format!(
        "attachment; filename=\"{}-minutes.{}.{}\"",
        meeting.definition.id,
        lang,
        format.extension()
    );
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_owned()),
            (header::CONTENT_DISPOSITION, file),
        ],
        body,
    )
        .into_response())
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
        AccessError::UnknownCode(_) => {
            ApiError::new(StatusCode::NOT_FOUND, "unknown_access_code", &[])
        }
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
    let hub = hub_of(&state, &id).await?;
    let manager = code_manager(&state, state.client_ip(peer, &headers), &headers, &hub).await?;
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
    let hub = hub_of(&state, &id).await?;
    let manager = code_manager(&state, state.client_ip(peer, &headers), &headers, &hub).await?;
    let request: IssueCode = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request("not_a_code_request", &[("error", &e)]))?;
    let role: Role = request.role.parse().map_err(|e: roles::ParseRoleError| {
        ApiError::bad_request("not_a_role", &[("error", &e)])
    })?;
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
    let hub = hub_of(&state, &id).await?;
    let manager = code_manager(&state, state.client_ip(peer, &headers), &headers, &hub).await?;
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
            &[],
        ));
    }
    let Bearer::Token(token) = bearer(&headers) else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "operator_token_required",
            &[],
        ));
    };
    let ip = state.client_ip(peer, &headers);
    state
        .login_throttle
        .check(ip)
        .map_err(|wait| ApiError::protocol(ProtocolErrorCode::TooManyAttempts).retry_after(wait))?;
    if !is_operator_token(&state, token) {
        state.login_throttle.record_failure(ip);
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_operator_token",
            &[],
        ));
    }
    let text = std::str::from_utf8(&body).map_err(|_| ApiError::bad_request("not_utf8", &[]))?;
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
    if state.find_meeting(&definition.id).await.is_some() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "meeting_exists",
            &[("meeting", &definition.id)],
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

#[cfg(test)]
mod tests {
    use plenary_core::CommandError as E;
    use plenary_core::command::CommandKind;
    use plenary_core::i18n::Lang;
    use plenary_core::ids::{BoothId, DelegationId, ItemId, RequestId, ScreenId};
    use plenary_core::roles::{Capability, RoleKind};
    use plenary_core::rules::RequestKind;

    use super::*;

    /// Which variant an error is: exhaustive, so a new refusal breaks this
    /// test until it is given its expected status below.
    fn variant(e: &E) -> usize {
        match e {
            E::NotPermitted { .. } => 0,
            E::NotYourDelegation { .. } => 1,
            E::NotYourBooth { .. } => 2,
            E::CapabilityNotPermitted { .. } => 3,
            E::AccessCodesNotPermitted { .. } => 4,
            E::NoAccessCodes { .. } => 5,
            E::LastChairCode => 6,
            E::UnknownDelegation { .. } => 7,
            E::UnknownItem { .. } => 8,
            E::UnknownRequest { .. } => 9,
            E::UnknownBooth { .. } => 10,
            E::UnknownScreen { .. } => 11,
            E::NoScreens => 12,
            E::UnknownKind { .. } => 13,
            E::UnknownLanguage { .. } => 14,
            E::NoCurrentItem => 15,
            E::ItemNotCurrent { .. } => 16,
            E::ItemAlreadyCurrent { .. } => 17,
            E::NoNextItem => 18,
            E::NoPreviousItem => 19,
            E::ListClosed { .. } => 20,
            E::ListAlreadyClosed { .. } => 21,
            E::ListAlreadyOpen { .. } => 22,
            E::AlreadyRequested { .. } => 23,
            E::ReplyLimitReached { .. } => 24,
            E::RequestNotWaiting { .. } => 25,
            E::RequestStillOpen { .. } => 26,
            E::AlreadyHeard { .. } => 27,
            E::PositionOutOfRange { .. } => 28,
            E::NoSpeakerOnFloor => 29,
            E::FloorOccupied { .. } => 30,
            E::PointOfOrderInProgress => 31,
            E::QueueEmpty => 32,
            E::TimerNotRunning => 33,
            E::TimerNotPaused => 34,
            E::TimeNotUp => 35,
            E::InvalidDuration => 36,
            E::NoSchedule { .. } => 37,
            E::UnknownPresenter { .. } => 38,
            E::PresenterNotPending { .. } => 39,
            E::NoPresenterPending => 40,
            E::NoPartner { .. } => 41,
            E::HandoverAlreadyRequested { .. } => 42,
            E::NoHandoverRequested { .. } => 43,
            E::NothingToAcknowledge => 44,
            E::EmptyMessage => 45,
            E::NoLanguages => 46,
            E::Stale { .. } => 47,
            E::NothingToUndo => 48,
            E::UndoExpired { .. } => 49,
            E::UnknownInterpreter { .. } => 50,
            E::AlreadyOnMic { .. } => 51,
        }
    }

    /// Every refusal of the core, with the status REST answers it with.
    #[test]
    fn every_refusal_has_the_status_of_its_class() {
        let expected = [
            (
                E::NotPermitted {
                    role: RoleKind::Chair,
                    command: CommandKind::CallNext,
                },
                StatusCode::FORBIDDEN,
            ),
            (
                E::NotYourDelegation {
                    delegation: DelegationId::new("hn"),
                },
                StatusCode::FORBIDDEN,
            ),
            (
                E::NotYourBooth {
                    booth: BoothId::new("booth-es"),
                },
                StatusCode::FORBIDDEN,
            ),
            (
                E::CapabilityNotPermitted {
                    role: RoleKind::Chair,
                    capability: Capability::ExportMinutes,
                },
                StatusCode::FORBIDDEN,
            ),
            (
                E::AccessCodesNotPermitted {
                    role: RoleKind::Chair,
                    target: Some(RoleKind::Chair),
                },
                StatusCode::FORBIDDEN,
            ),
            (
                E::NoAccessCodes {
                    role: RoleKind::Chair,
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (E::LastChairCode, StatusCode::CONFLICT),
            (
                E::UnknownDelegation {
                    delegation: DelegationId::new("hn"),
                },
                StatusCode::NOT_FOUND,
            ),
            (
                E::UnknownItem {
                    item: ItemId::new("item"),
                },
                StatusCode::NOT_FOUND,
            ),
            (
                E::UnknownRequest {
                    request: RequestId(1),
                },
                StatusCode::NOT_FOUND,
            ),
            (
                E::UnknownBooth {
                    booth: BoothId::new("booth-es"),
                },
                StatusCode::NOT_FOUND,
            ),
            (
                E::UnknownScreen {
                    screen: ScreenId::new("s"),
                },
                StatusCode::NOT_FOUND,
            ),
            (E::NoScreens, StatusCode::UNPROCESSABLE_ENTITY),
            (
                E::UnknownKind {
                    kind: RequestKind::Statement,
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                E::UnknownLanguage {
                    language: Lang::english(),
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (E::NoCurrentItem, StatusCode::CONFLICT),
            (
                E::ItemNotCurrent {
                    item: ItemId::new("item"),
                },
                StatusCode::CONFLICT,
            ),
            (
                E::ItemAlreadyCurrent {
                    item: ItemId::new("item"),
                },
                StatusCode::CONFLICT,
            ),
            (E::NoNextItem, StatusCode::CONFLICT),
            (E::NoPreviousItem, StatusCode::CONFLICT),
            (
                E::ListClosed {
                    item: ItemId::new("item"),
                },
                StatusCode::CONFLICT,
            ),
            (
                E::ListAlreadyClosed {
                    item: ItemId::new("item"),
                },
                StatusCode::CONFLICT,
            ),
            (
                E::ListAlreadyOpen {
                    item: ItemId::new("item"),
                },
                StatusCode::CONFLICT,
            ),
            (
                E::AlreadyRequested {
                    request: RequestId(1),
                },
                StatusCode::CONFLICT,
            ),
            (E::ReplyLimitReached { max: 1 }, StatusCode::CONFLICT),
            (
                E::RequestNotWaiting {
                    request: RequestId(1),
                },
                StatusCode::CONFLICT,
            ),
            (
                E::RequestStillOpen {
                    request: RequestId(1),
                },
                StatusCode::CONFLICT,
            ),
            (
                E::AlreadyHeard {
                    request: RequestId(1),
                },
                StatusCode::CONFLICT,
            ),
            (
                E::PositionOutOfRange {
                    position: 1,
                    max: 1,
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (E::NoSpeakerOnFloor, StatusCode::CONFLICT),
            (
                E::FloorOccupied {
                    delegation: DelegationId::new("hn"),
                },
                StatusCode::CONFLICT,
            ),
            (E::PointOfOrderInProgress, StatusCode::CONFLICT),
            (E::QueueEmpty, StatusCode::CONFLICT),
            (E::TimerNotRunning, StatusCode::CONFLICT),
            (E::TimerNotPaused, StatusCode::CONFLICT),
            (E::TimeNotUp, StatusCode::CONFLICT),
            (E::InvalidDuration, StatusCode::UNPROCESSABLE_ENTITY),
            (
                E::NoSchedule {
                    item: ItemId::new("item"),
                },
                StatusCode::CONFLICT,
            ),
            (
                E::UnknownPresenter {
                    presenter: DelegationId::new("hn"),
                },
                StatusCode::NOT_FOUND,
            ),
            (
                E::PresenterNotPending {
                    presenter: DelegationId::new("hn"),
                },
                StatusCode::CONFLICT,
            ),
            (E::NoPresenterPending, StatusCode::CONFLICT),
            (
                E::NoPartner {
                    booth: BoothId::new("booth-es"),
                },
                StatusCode::CONFLICT,
            ),
            (
                E::HandoverAlreadyRequested {
                    booth: BoothId::new("booth-es"),
                },
                StatusCode::CONFLICT,
            ),
            (
                E::NoHandoverRequested {
                    booth: BoothId::new("booth-es"),
                },
                StatusCode::CONFLICT,
            ),
            (
                E::UnknownInterpreter {
                    booth: BoothId::new("booth-pt"),
                    interpreter: plenary_core::ids::InterpreterId::new("pt-3"),
                },
                StatusCode::NOT_FOUND,
            ),
            (
                E::AlreadyOnMic {
                    interpreter: plenary_core::ids::InterpreterId::new("es-1"),
                },
                StatusCode::CONFLICT,
            ),
            (E::NothingToAcknowledge, StatusCode::CONFLICT),
            (E::EmptyMessage, StatusCode::UNPROCESSABLE_ENTITY),
            (E::NoLanguages, StatusCode::UNPROCESSABLE_ENTITY),
            (
                E::Stale {
                    speaker: None,
                    same_speech: false,
                },
                StatusCode::CONFLICT,
            ),
            (E::NothingToUndo, StatusCode::CONFLICT),
            (E::UndoExpired { secs: 30 }, StatusCode::CONFLICT),
        ];
        let mut seen: Vec<usize> = expected.iter().map(|(e, _)| variant(e)).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(
            seen,
            (0..52).collect::<Vec<_>>(),
            "one example of every refusal"
        );
        for (e, status) in expected {
            assert_eq!(refusal_status(&e), status, "{}", e.code());
        }
    }

    /// A rule refusal is never a 404: `unknown_language` used to be one.
    #[test]
    fn an_unknown_language_is_invalid_not_missing() {
        let e = E::UnknownLanguage {
            language: Lang::parse("de").unwrap_or_else(|_| Lang::english()),
        };
        assert_eq!(refusal_status(&e), StatusCode::UNPROCESSABLE_ENTITY);
    }

    /// Every error of the API alone has a text in every language of the
    /// catalogue, and the texts of malformed requests too.
    #[test]
    fn every_api_error_has_a_text_in_every_language() {
        let catalogue = Catalogue::get();
        for language in catalogue.languages() {
            let texts = catalogue
                .entries(language)
                .unwrap_or_else(|| panic!("{language}"));
            for key in [
                "unauthenticated",
                "operator_disabled",
                "operator_token_required",
                "invalid_operator_token",
                "meeting_exists",
                "unknown_access_code",
                "request.body_too_large",
                "request.not_a_command",
                "request.unknown_format",
                "request.unknown_export_language",
                "request.not_utf8",
                "request.not_a_code_request",
                "request.not_a_role",
                "request.unknown_button",
                "request.bad_button",
            ] {
                assert!(texts.contains_key(key), "{language} lacks `{key}`");
            }
        }
        let e = ApiError::bad_request("unknown_format", &[("format", &"pdf")]);
        assert_eq!(e.message, "unknown format `pdf`: use html, csv, json or md");
        assert_eq!(
            e.messages
                .get(&Lang::parse("es").unwrap_or_else(|_| Lang::english())),
            Some("formato `pdf` desconocido: use html, csv, json o md")
        );
    }

    /// Every protocol error has the status of its class.
    #[test]
    fn protocol_errors_map_by_class() {
        use plenary_protocol::ProtocolErrorCode as P;
        for (code, status) in [
            (P::BadMessage, StatusCode::BAD_REQUEST),
            (P::InvalidAccessCode, StatusCode::UNAUTHORIZED),
            (P::PublicViewClosed, StatusCode::UNAUTHORIZED),
            (P::UnknownMeeting, StatusCode::NOT_FOUND),
            (P::RateLimited, StatusCode::TOO_MANY_REQUESTS),
            (P::TooManyAttempts, StatusCode::TOO_MANY_REQUESTS),
            (P::StoreUnavailable, StatusCode::SERVICE_UNAVAILABLE),
            (P::OutcomeUnknown, StatusCode::SERVICE_UNAVAILABLE),
            (P::InvalidCommandId, StatusCode::BAD_REQUEST),
        ] {
            assert_eq!(ApiError::protocol(code).status, status, "{}", code.as_str());
        }
    }
}
