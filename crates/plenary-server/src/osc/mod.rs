//! OSC for control surfaces (docs/integrations.md): Bitfocus Companion,
//! lighting desks, vision mixers, recorders.
//!
//! - [`address`]: the address space, in and out — pure, unit-tested.
//! - `input`: a UDP port per `[[osc_inputs]]`, bound to one access code.
//! - `output`: a meeting's state to each `[[osc_outputs]]` target.
//!
//! Both are off unless configured; [`start`] binds and spawns them on the
//! service's tracker, so shutdown waits for them.

pub mod address;
mod input;
pub mod output;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::UdpSocket;
use tokio::sync::watch;

use crate::AppState;

/// The addresses the OSC inputs listen on, once bound (a configured port 0
/// picks one: tests learn it here).
#[derive(Debug)]
pub struct Bound(watch::Sender<Option<Vec<SocketAddr>>>);

impl Default for Bound {
    fn default() -> Self {
        Bound(watch::Sender::new(None))
    }
}

impl Bound {
    /// The inputs' addresses, in configuration order, once they listen.
    pub async fn inputs(&self) -> Vec<SocketAddr> {
        let mut rx = self.0.subscribe();
        match rx.wait_for(Option::is_some).await {
            Ok(bound) => bound.clone().unwrap_or_default(),
            Err(_) => Vec::new(),
        }
    }
}

/// Why OSC could not start.
#[derive(Debug, thiserror::Error)]
pub enum OscError {
    #[error("cannot listen for OSC on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot open a socket to send OSC to {addr}: {source}")]
    Send {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// Binds every configured input and starts every output.
pub async fn start(state: &Arc<AppState>) -> Result<(), OscError> {
    let mut bound = Vec::new();
    for input in &state.config.osc_inputs {
        let addr = input.listen;
        let socket = UdpSocket::bind(addr)
            .await
            .map_err(|source| OscError::Listen { addr, source })?;
        let local = socket.local_addr().unwrap_or(addr);
        if addr.ip().is_loopback() {
            tracing::info!(listen = %local, "OSC input listening");
        } else {
            tracing::warn!(
                listen = %local,
                "OSC input listening beyond loopback: OSC has no authentication, so every \
                 device that can reach this UDP port acts with its access code (see \
                 docs/integrations.md)"
            );
        }
        bound.push(local);
        let listener = input::Listener::new(Arc::clone(state), socket, input.access_code.clone());
        state.tracker.spawn(listener.run());
    }
    for output in &state.config.osc_outputs {
        let addr = output.target;
        let socket = output::socket_for(addr)
            .await
            .map_err(|source| OscError::Send { addr, source })?;
        tracing::info!(target = %addr, meeting = %output.meeting, format = ?output.format, "OSC output");
        let sender = output::Sender {
            state: Arc::clone(state),
            output: output.clone(),
            socket,
        };
        state.tracker.spawn(sender.run());
    }
    state.osc.0.send_replace(Some(bound));
    Ok(())
}
