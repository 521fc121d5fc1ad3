//! # plenary-server
//!
//! The live service: one [`hub`] task per meeting owns its state, commits
//! commands to the store in groups before acknowledging them, and fans the
//! events out to every connection ([`ws`]); a REST API ([`api`]) offers the
//! same commands to scripts and Stream Deck buttons; [`metrics`] for
//! Prometheus. [`Service`] ties them together with a shutdown protocol:
//! stop accepting, close every websocket with 1001, let the hubs write a
//! last snapshot, exit.

pub mod access;
pub mod api;
pub mod clock;
pub mod config;
pub mod export;
pub mod hub;
pub mod metrics;
pub mod openapi;
mod presence;
pub mod web;
pub mod ws;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};

use axum::Router;
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower_http::trace::TraceLayer;
use tracing::info;

use plenary_core::ids::MeetingId;
use plenary_core::{MeetingDefinition, Role};
use plenary_store::Store;

pub use config::{ConfigError, LogFormat, ServerConfig};
use hub::{HubConfig, HubError, HubHandle};
pub use presence::Presence;

/// A logged-in connection's identity, found again by its token.
#[derive(Clone, Debug)]
pub struct Session {
    pub meeting: MeetingId,
    pub role: Role,
    /// The access code it logged in with (none for the public).
    pub code_id: Option<String>,
    /// That code's hash, to check it was not revoked since.
    pub code_hash: Option<String>,
}

/// Everything the handlers share.
#[derive(Debug)]
pub struct AppState {
    pub store: Store,
    pub config: ServerConfig,
    meetings: RwLock<BTreeMap<MeetingId, HubHandle>>,
    sessions: Mutex<BTreeMap<String, Session>>,
    pub presence: Presence,
    pub shutdown: CancellationToken,
    pub tracker: TaskTracker,
}

impl AppState {
    pub fn meeting(&self, id: &MeetingId) -> Option<HubHandle> {
        self.meetings.read().ok()?.get(id).cloned()
    }

    pub fn meetings(&self) -> Vec<HubHandle> {
        self.meetings
            .read()
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default()
    }

    pub fn new_session(&self, session: Session) -> String {
        let token = uuid::Uuid::new_v4().simple().to_string();
        if let Ok(mut s) = self.sessions.lock() {
            s.insert(token.clone(), session);
        }
        token
    }

    pub fn session(&self, token: &str) -> Option<Session> {
        self.sessions.lock().ok()?.get(token).cloned()
    }

    /// Ends the sessions of a revoked code.
    pub fn forget_code(&self, code_id: &str) {
        if let Ok(mut s) = self.sessions.lock() {
            s.retain(|_, session| session.code_id.as_deref() != Some(code_id));
        }
    }

    fn hub_config(&self) -> HubConfig {
        HubConfig {
            snapshot_every: self.config.snapshot_every,
            resume_window: self.config.resume_window,
            outbound_queue: self.config.outbound_queue,
            max_batch: self.config.max_batch,
        }
    }
}

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Hub(#[from] HubError),
    #[error(transparent)]
    Store(#[from] plenary_store::StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// The running service.
#[derive(Clone, Debug)]
pub struct Service {
    pub state: Arc<AppState>,
}

impl Service {
    /// A service on a migrated store, with no meeting yet.
    pub fn new(config: ServerConfig, store: Store) -> Service {
        metrics::handle();
        Service {
            state: Arc::new(AppState {
                store,
                config,
                meetings: RwLock::new(BTreeMap::new()),
                sessions: Mutex::new(BTreeMap::new()),
                presence: Presence::default(),
                shutdown: CancellationToken::new(),
                tracker: TaskTracker::new(),
            }),
        }
    }

    /// Opens a meeting: continues it from the store, or creates it from
    /// its definition the first time.
    pub async fn open_meeting(&self, definition: MeetingDefinition) -> Result<HubHandle, HubError> {
        let id = definition.id.clone();
        if let Some(existing) = self.state.meeting(&id) {
            return Ok(existing);
        }
        let handle = hub::start(
            self.state.store.clone(),
            Some(definition),
            id.clone(),
            self.state.hub_config(),
            self.state.shutdown.clone(),
            &self.state.tracker,
        )
        .await?;
        if let Ok(mut m) = self.state.meetings.write() {
            m.insert(id, handle.clone());
        }
        Ok(handle)
    }

    /// Opens every meeting the store knows, as it was left.
    pub async fn open_stored_meetings(&self) -> Result<usize, StartError> {
        let records = self.state.store.list_meetings().await?;
        let mut opened = 0;
        for r in records {
            if self.state.meeting(&r.id).is_some() {
                continue;
            }
            let handle = hub::start(
                self.state.store.clone(),
                None,
                r.id.clone(),
                self.state.hub_config(),
                self.state.shutdown.clone(),
                &self.state.tracker,
            )
            .await?;
            if let Ok(mut m) = self.state.meetings.write() {
                m.insert(r.id, handle);
            }
            opened += 1;
        }
        Ok(opened)
    }

    pub fn router(&self) -> Router {
        Router::new()
            .route("/ws", get(ws::upgrade))
            .route("/healthz", get(api::healthz))
            .route("/readyz", get(api::readyz))
            .route("/metrics", get(api::metrics))
            .route("/api/v1/openapi.json", get(api::openapi))
            .route(
                "/api/v1/meetings",
                get(api::list_meetings).post(api::create_meeting),
            )
            .route(
                "/api/v1/meetings/{id}/access-codes",
                get(api::list_codes).post(api::issue_code),
            )
            .route(
                "/api/v1/meetings/{id}/access-codes/{code_id}",
                axum::routing::delete(api::revoke_code),
            )
            .route("/api/v1/meetings/{id}", get(api::meeting_state))
            .route("/api/v1/meetings/{id}/commands", post(api::post_command))
            .route("/api/v1/meetings/{id}/export", get(api::export))
            .fallback(web::serve)
            .layer(TraceLayer::new_for_http())
            .with_state(Arc::clone(&self.state))
    }

    /// Binds `addr` (port 0 picks one).
    pub async fn bind(addr: SocketAddr) -> Result<TcpListener, StartError> {
        TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Listen { addr, source })
    }

    /// Serves until [`Service::shutdown`] (or a signal, see the binary),
    /// then waits for every connection and hub to finish.
    pub async fn serve(self, listener: TcpListener) -> std::io::Result<()> {
        use axum::serve::ListenerExt;
        let listener = listener.tap_io(|tcp| {
            // Nagle plus delayed ACK would cost tens of milliseconds per frame.
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "TCP_NODELAY not set");
            }
        });
        let token = self.state.shutdown.clone();
        let router = self.router();
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move { token.cancelled().await })
        .await?;
        // axum does not wait for upgraded websockets: the tracker does.
        self.state.tracker.close();
        self.state.tracker.wait().await;
        info!("stopped");
        Ok(())
    }

    pub fn shutdown(&self) {
        self.state.shutdown.cancel();
    }
}
