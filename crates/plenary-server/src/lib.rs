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
pub mod buttons;
pub mod clock;
pub mod config;
pub mod export;
pub mod forwarded;
mod headers;
pub mod hub;
pub mod listener;
pub mod metrics;
pub mod node_lock;
pub mod openapi;
pub mod osc;
pub mod session;
pub mod throttle;
pub mod tls;
pub mod web;
pub mod ws;

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower_http::trace::TraceLayer;
use tracing::info;

use plenary_core::MeetingDefinition;
use plenary_core::ids::MeetingId;
use plenary_store::Store;

pub use config::{ConfigError, LogFormat, ServerConfig};
use hub::{HubConfig, HubError, HubHandle};

/// Everything the handlers share.
#[derive(Debug)]
pub struct AppState {
    pub store: Store,
    pub config: ServerConfig,
    meetings: RwLock<BTreeMap<MeetingId, HubHandle>>,
    /// Signs session tokens; read from the store on first use.
    session_key: tokio::sync::OnceCell<session::SessionKey>,
    /// The last readiness answer and when it was found: probes write to
    /// the store, so they run at most once a second whoever asks.
    readiness: tokio::sync::Mutex<Option<(Instant, Readiness)>>,
    /// Wrong access codes per source address, over websocket and REST.
    pub login_throttle: throttle::LoginThrottle,
    /// REST commands per access code, at the websocket's rate.
    pub command_limits: throttle::CommandLimiter,
    pub shutdown: CancellationToken,
    pub tracker: TaskTracker,
    /// What "now" is for the meetings: the system clock, or a manual one
    /// in tests.
    pub clock: clock::Clock,
    /// This node's name in writer leases.
    pub node: Arc<str>,
    /// Held while a meeting created elsewhere is being opened here.
    opening: tokio::sync::Mutex<()>,
    /// Where the OSC inputs listen, once bound.
    pub osc: osc::Bound,
}

/// Whether this node can get a command committed now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    /// Why not, for the operator.
    NotReady(String),
}

/// How long a readiness answer is reused.
const READINESS_FRESH: Duration = Duration::from_secs(1);
/// How often revocations made elsewhere (the CLI, another node) are looked for.
const REVOCATION_POLL: Duration = Duration::from_secs(1);

impl AppState {
    pub fn meeting(&self, id: &MeetingId) -> Option<HubHandle> {
        self.meetings.read().ok()?.get(id).cloned()
    }

    /// The hub of meeting `id`. On a shared store a meeting another node
    /// created is opened here on first use, so any node serves any meeting.
    pub async fn find_meeting(&self, id: &MeetingId) -> Option<HubHandle> {
        if let Some(hub) = self.meeting(id) {
            return Some(hub);
        }
        if !self.store.is_shared() || self.shutdown.is_cancelled() {
            return None;
        }
        match self.store.last_seq(id).await {
            Ok(seq) if seq > 0 => {}
            _ => return None,
        }
        let _one_at_a_time = self.opening.lock().await;
        if let Some(hub) = self.meeting(id) {
            return Some(hub);
        }
        match hub::start(
            self.store.clone(),
            None,
            id.clone(),
            self.hub_config(),
            self.shutdown.clone(),
            &self.tracker,
        )
        .await
        {
            Ok(hub) => {
                info!(meeting = %id, "meeting opened: created by another node");
                if let Ok(mut m) = self.meetings.write() {
                    m.insert(id.clone(), hub.clone());
                }
                Some(hub)
            }
            Err(e) => {
                tracing::warn!(meeting = %id, error = %e, "meeting not opened");
                None
            }
        }
    }

    /// The client's address as the throttles count it: behind a trusted
    /// proxy, the one it forwards for ([`forwarded`]).
    pub fn client_ip(&self, peer: SocketAddr, headers: &axum::http::HeaderMap) -> std::net::IpAddr {
        forwarded::client_ip(&self.config.trusted_proxies, peer, headers)
    }

    pub fn meetings(&self) -> Vec<HubHandle> {
        self.meetings
            .read()
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default()
    }

    /// The key that signs session tokens, created in the store the first
    /// time any node needs it.
    pub async fn session_key(&self) -> Result<&session::SessionKey, plenary_store::StoreError> {
        self.session_key
            .get_or_try_init(|| async {
                let secret = self
                    .store
                    .secret(session::KEY_NAME, &session::SessionKey::fresh_secret())
                    .await?;
                Ok(session::SessionKey::new(&secret))
            })
            .await
    }

    /// Access code `code_id` of `meeting` was revoked: its open
    /// connections are closed with 1008.
    pub async fn code_revoked(&self, meeting: &MeetingId, code_id: &str) {
        if let Some(hub) = self.meeting(meeting) {
            hub.revoked(code_id).await;
        }
    }

    /// Whether this node can get a command committed now: every meeting is
    /// in step with the store, and a write transaction commits within the
    /// database timeout. Answers are reused for a second.
    pub async fn readiness(&self) -> Readiness {
        if let Some(hub) = self.meetings().into_iter().find(|h| !h.is_synced()) {
            return Readiness::NotReady(format!(
                "meeting {} is out of step with the store",
                hub.meeting
            ));
        }
        // A follower gets commands committed through its writer: none
        // holds the lease now (it died, a takeover is due).
        if let Some(hub) = self
            .meetings()
            .into_iter()
            .find(|h| h.standing() == hub::Standing::NoWriter)
        {
            return Readiness::NotReady(format!(
                "meeting {} has no writer now: a node is taking it over",
                hub.meeting
            ));
        }
        let mut cached = self.readiness.lock().await;
        if let Some((at, answer)) = cached.as_ref()
            && at.elapsed() < READINESS_FRESH
        {
            return answer.clone();
        }
        let answer = match self.store.probe_write().await {
            Ok(()) => Readiness::Ready,
            Err(e) => {
                tracing::warn!(error = %e, "not ready: a write cannot be committed");
                Readiness::NotReady(format!("the store cannot commit: {e}"))
            }
        };
        *cached = Some((Instant::now(), answer.clone()));
        answer
    }

    fn hub_config(&self) -> HubConfig {
        HubConfig {
            clock: self.clock.clone(),
            snapshot_every: self.config.snapshot_every,
            resume_window: self.config.resume_window,
            outbound_queue: self.config.outbound_queue,
            max_batch: self.config.max_batch,
            node: Arc::clone(&self.node),
            lease: hub::LeaseTiming {
                ttl: self.config.lease_ttl,
                renew_every: self.config.lease_renew,
                claim_every: (self.config.lease_renew / 2).max(Duration::from_millis(50)),
            },
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
        Service::with_clock(config, store, clock::Clock::System)
    }

    /// A service whose meetings run on `clock` (a manual one in tests).
    pub fn with_clock(config: ServerConfig, store: Store, clock: clock::Clock) -> Service {
        metrics::handle();
        let command_limits =
            throttle::CommandLimiter::new(config.commands_per_second, config.command_burst);
        let node: Arc<str> = config
            .node_name
            .clone()
            .unwrap_or_else(|| {
                let suffix = uuid::Uuid::new_v4().simple().to_string();
                format!("node-{}-{}", std::process::id(), &suffix[..8])
            })
            .into();
        Service {
            state: Arc::new(AppState {
                store,
                config,
                meetings: RwLock::new(BTreeMap::new()),
                session_key: tokio::sync::OnceCell::new(),
                readiness: tokio::sync::Mutex::new(None),
                login_throttle: throttle::LoginThrottle::default(),
                command_limits,
                shutdown: CancellationToken::new(),
                tracker: TaskTracker::new(),
                clock,
                node,
                opening: tokio::sync::Mutex::new(()),
                osc: osc::Bound::default(),
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
            .route(
                "/api/v1/meetings/{id}/buttons/{button}",
                post(buttons::press),
            )
            .fallback(web::serve)
            .layer(axum::middleware::map_response(headers::security))
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
    /// then waits for every connection and hub to finish. The limits on
    /// connections (header read timeout, per-address cap) are in
    /// [`listener`].
    pub async fn serve(self, listener: TcpListener) -> std::io::Result<()> {
        let tls = tls::from_config(&self.state.config)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string()))?;
        self.serve_with(listener, tls).await
    }

    /// [`Service::serve`] with HTTPS from `tls` (`None`: plain HTTP),
    /// and the configured HTTP redirect beside it.
    pub async fn serve_with(
        self,
        listener: TcpListener,
        tls: Option<tokio_rustls::TlsAcceptor>,
    ) -> std::io::Result<()> {
        self.watch_revocations();
        self.listen_doorbell();
        osc::start(&self.state).await.map_err(|e| {
            std::io::Error::new(std::io::ErrorKind::AddrNotAvailable, e.to_string())
        })?;
        if let (Some(_), Some(addr)) = (&tls, self.state.config.http_redirect_listen) {
            let redirect = TcpListener::bind(addr).await?;
            let port = listener.local_addr()?.port();
            info!(%addr, "redirecting HTTP to HTTPS");
            self.state.tracker.spawn(tls::redirect_to_https(
                redirect,
                port,
                self.state.shutdown.clone(),
            ));
        }
        listener::serve(
            listener,
            self.router(),
            &self.state.config,
            tls,
            self.state.shutdown.clone(),
        )
        .await;
        // Upgraded websockets left the listener's hands: the tracker has them.
        self.state.tracker.close();
        self.state.tracker.wait().await;
        info!("stopped");
        Ok(())
    }

    /// Ends the sessions of codes revoked by another process (the CLI,
    /// another node): the store is polled, since they cannot call us.
    fn watch_revocations(&self) {
        let state = Arc::clone(&self.state);
        self.state.tracker.spawn(async move {
            let mut since = clock::now();
            let mut ended: BTreeSet<String> = BTreeSet::new();
            let mut tick = tokio::time::interval(REVOCATION_POLL);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    () = state.shutdown.cancelled() => break,
                    _ = tick.tick() => {}
                }
                // Overlap a little: revocations stamped by another clock.
                let from = plenary_core::Timestamp(since.0 - 5_000);
                match state.store.revoked_since(from).await {
                    Ok(codes) => {
                        for code in codes {
                            if let Some(at) = code.revoked_at {
                                since = since.max(at);
                            }
                            if ended.insert(code.id.clone()) {
                                state.code_revoked(&code.meeting, &code.id).await;
                            }
                        }
                    }
                    Err(e) => tracing::debug!(error = %e, "revocations not read"),
                }
            }
        });
    }

    /// On a shared store: passes the doorbell's rings to the hubs (see
    /// `hub::cluster`). The listener reconnects by itself; hubs poll for
    /// what it missed meanwhile.
    fn listen_doorbell(&self) {
        if !self.state.store.is_shared() {
            return;
        }
        let state = Arc::clone(&self.state);
        self.state.tracker.spawn(async move {
            let pause = Duration::from_millis(500);
            loop {
                let bell = tokio::select! {
                    () = state.shutdown.cancelled() => return,
                    bell = state.store.doorbell() => bell,
                };
                let mut bell = match bell {
                    Ok(Some(bell)) => bell,
                    Ok(None) => return,
                    Err(e) => {
                        tracing::debug!(error = %e, "doorbell not listening yet");
                        tokio::select! {
                            () = state.shutdown.cancelled() => return,
                            () = tokio::time::sleep(pause) => continue,
                        }
                    }
                };
                info!("listening for other nodes' commits");
                // Whatever happened before this listener: look.
                for hub in state.meetings() {
                    hub.ring(plenary_store::Ring::Reconnected);
                }
                loop {
                    let ring = tokio::select! {
                        () = state.shutdown.cancelled() => return,
                        ring = bell.recv() => ring,
                    };
                    match ring {
                        Ok(plenary_store::Ring::Reconnected) => {
                            for hub in state.meetings() {
                                hub.ring(plenary_store::Ring::Reconnected);
                            }
                        }
                        Ok(ring) => {
                            if let Some(hub) = ring.meeting().and_then(|m| state.meeting(m)) {
                                hub.ring(ring);
                            }
                        }
                        Err(e) => {
                            tracing::debug!(error = %e, "doorbell lost; listening again");
                            tokio::select! {
                                () = state.shutdown.cancelled() => return,
                                () = tokio::time::sleep(pause) => {}
                            }
                        }
                    }
                }
            }
        });
    }

    pub fn shutdown(&self) {
        self.state.shutdown.cancel();
    }
}
