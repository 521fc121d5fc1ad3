//! OSC in: one task per configured UDP port. A packet acts with the access
//! code the port is bound to — never with anything its source address
//! says — and is authorised by the hub exactly like that role's websocket
//! commands. Packets are handled one after the other, each command
//! answered before the next packet is read, so a packet delivered twice is
//! decided on the state the first one left (and refused `stale` when it
//! moves the floor).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rosc::{OscMessage, OscPacket};
use tokio::net::UdpSocket;

use plenary_core::floor::FloorSeen;
use plenary_core::ids::MeetingId;
use plenary_core::{Command, Role};
use plenary_protocol::views::Audience;

use super::address::{self, Action};
use crate::AppState;
use crate::access::AccessCodes;
use crate::config::Secret;
use crate::hub::{CommandOutcome, HubHandle};
use crate::metrics as m;

/// The largest datagram read; a larger one is counted as malformed. Also
/// bounds how deeply a bundle can nest.
const MAX_DATAGRAM: usize = 8 * 1024;
/// Messages acted on from one packet (a bundle holds several).
const MAX_MESSAGES: usize = 32;
/// An access code's role is looked up again after this: a revoked code
/// stops acting within it, and a port whose code is unknown asks the store
/// once per interval, however many packets arrive.
const LOGIN_FRESH: Duration = Duration::from_secs(5);
/// After a lookup the store could not answer, packets are answered
/// `unavailable` without asking again for this long: a flood during an
/// outage waits for neither the database timeout nor a log line per packet.
const LOOKUP_RETRY: Duration = Duration::from_secs(1);

/// Who a port's packets act as.
#[derive(Clone, Debug, PartialEq)]
struct Login {
    role: Role,
    code_id: String,
    meeting: MeetingId,
}

/// What a lookup of a port's code said.
#[derive(Clone, Debug, PartialEq)]
enum Found {
    Login(Login),
    /// Unknown or revoked.
    Unknown,
    /// The store did not answer.
    Unreachable,
}

/// The last lookup of a port's code, and when it was made.
struct Lookup {
    at: Instant,
    found: Found,
}

impl Lookup {
    fn fresh(&self) -> bool {
        let keep = match self.found {
            Found::Unreachable => LOOKUP_RETRY,
            Found::Login(_) | Found::Unknown => LOGIN_FRESH,
        };
        self.at.elapsed() < keep
    }
}

/// One listen port's task.
pub(super) struct Listener {
    pub(super) state: Arc<AppState>,
    pub(super) socket: UdpSocket,
    pub(super) access_code: Secret,
    /// `None` until the first packet asks.
    lookup: Option<Lookup>,
}

impl Listener {
    pub(super) fn new(state: Arc<AppState>, socket: UdpSocket, access_code: Secret) -> Listener {
        Listener {
            state,
            socket,
            access_code,
            lookup: None,
        }
    }

    pub(super) async fn run(mut self) {
        let shutdown = self.state.shutdown.clone();
        let mut buf = vec![0u8; MAX_DATAGRAM + 1];
        loop {
            let received = tokio::select! {
                () = shutdown.cancelled() => return,
                received = self.socket.recv_from(&mut buf) => received,
            };
            match received {
                Ok((n, from)) if n > MAX_DATAGRAM => {
                    tracing::debug!(%from, "OSC packet too large: ignored");
                    m::osc_packet("malformed");
                }
                Ok((n, from)) => {
                    let bytes = buf.get(..n).unwrap_or_default().to_vec();
                    self.packet(&bytes, from).await;
                }
                // An ICMP error for an earlier packet, or the like: the
                // socket still works.
                Err(e) => tracing::debug!(error = %e, "OSC socket error"),
            }
        }
    }

    async fn packet(&mut self, bytes: &[u8], from: SocketAddr) {
        let packet = match rosc::decoder::decode_udp(bytes) {
            Ok((_, packet)) => packet,
            Err(e) => {
                tracing::debug!(%from, error = ?e, "not an OSC packet: ignored");
                m::osc_packet("malformed");
                return;
            }
        };
        let mut messages = Vec::new();
        flatten(packet, &mut messages);
        if messages.len() > MAX_MESSAGES {
            tracing::warn!(%from, count = messages.len(), "OSC bundle too large: ignored");
            m::osc_packet("malformed");
            return;
        }
        for message in messages {
            let outcome = self.message(&message, from).await;
            m::osc_packet(outcome);
        }
    }

    /// Acts on one message; says what became of it.
    async fn message(&mut self, message: &OscMessage, from: SocketAddr) -> &'static str {
        let address = message.addr.as_str();
        let parsed = match address::parse(address, &message.args) {
            Ok(parsed) => parsed,
            Err(e) => {
                tracing::debug!(%from, error = %e, "OSC message not understood: ignored");
                return e.outcome();
            }
        };
        let login = match self.login().await {
            Found::Login(login) => login,
            Found::Unknown => return "unauthorised",
            Found::Unreachable => return "unavailable",
        };
        let refused = |why: &str| {
            tracing::warn!(
                %from, address, role = %login.role, why,
                "OSC command refused"
            );
            "refused"
        };
        // The rate limit comes first, so a flood of packets — allowed or
        // not — is logged at most at the port's command rate; the rest is
        // only counted (plenary_osc_packets_total{outcome="rate_limited"}).
        if self.state.command_limits.check(&login.code_id).is_err() {
            tracing::debug!(%from, address, "OSC commands too fast: ignored");
            return "rate_limited";
        }
        if parsed.meeting != login.meeting {
            return refused("the access code of this port is for another meeting");
        }
        let Some(hub) = self.state.find_meeting(&login.meeting).await else {
            return "unavailable";
        };
        let (command, seen) = match resolve(parsed.action, &hub, &login.role).await {
            Ok(resolved) => resolved,
            Err(Unresolved::Refused(why)) => return refused(&why),
            Err(Unresolved::Unavailable) => return "unavailable",
        };
        let kind = command.kind();
        match hub.command(login.role.clone(), None, command, seen).await {
            Ok(CommandOutcome::Acked { seq }) => {
                tracing::info!(%from, address, role = %login.role, command = %kind, seq, "OSC command applied");
                "acked"
            }
            Ok(CommandOutcome::Refused(r)) => {
                tracing::warn!(
                    %from, address, role = %login.role, command = %kind, code = %r.code,
                    message = %r.message, "OSC command refused"
                );
                "refused"
            }
            Ok(CommandOutcome::Unavailable | CommandOutcome::Unknown) | Err(_) => {
                tracing::warn!(%from, address, command = %kind, "OSC command not applied: the store is unavailable");
                "unavailable"
            }
        }
    }

    /// What the port's access code is, looked up again every
    /// [`LOGIN_FRESH`] ([`LOOKUP_RETRY`] after the store failed to answer).
    /// Each change of answer is logged once, never the code itself.
    async fn login(&mut self) -> Found {
        if let Some(lookup) = self.lookup.as_ref().filter(|l| l.fresh()) {
            return lookup.found.clone();
        }
        let looked_up = AccessCodes::new(&self.state.store)
            .login(self.access_code.expose())
            .await;
        let found = match &looked_up {
            Ok(Some(r)) => Found::Login(Login {
                role: r.role.clone(),
                code_id: r.id.clone(),
                meeting: r.meeting.clone(),
            }),
            Ok(None) => Found::Unknown,
            Err(_) => Found::Unreachable,
        };
        let before = self.lookup.replace(Lookup {
            at: Instant::now(),
            found: found.clone(),
        });
        if before.as_ref().is_none_or(|b| b.found != found) {
            let listen = self.socket.local_addr().ok();
            match &found {
                // The first login is the normal case; a change is news.
                Found::Login(login) if before.is_some() => tracing::info!(
                    role = %login.role, meeting = %login.meeting, ?listen,
                    "OSC: the access code of this port logs in"
                ),
                Found::Login(_) => {}
                Found::Unknown => tracing::warn!(
                    ?listen,
                    "OSC: the access code of this port is unknown or revoked; its packets are refused"
                ),
                Found::Unreachable => tracing::warn!(
                    ?listen, error = ?looked_up.err(),
                    "OSC: the access code cannot be looked up; packets are answered unavailable until it can"
                ),
            }
        }
        found
    }
}

/// Why an action did not become a command.
enum Unresolved {
    Refused(String),
    Unavailable,
}

/// The command an action means now, with the floor it was decided on.
async fn resolve(
    action: Action,
    hub: &HubHandle,
    role: &Role,
) -> Result<(Command, Option<FloorSeen>), Unresolved> {
    match action {
        Action::Command(command) => Ok((command, None)),
        Action::Message {
            target,
            text,
            language,
        } => {
            let text = address::message_texts(&text, language.as_ref(), &hub.definition.languages);
            Ok((Command::PushMessage { target, text }, None))
        }
        Action::Floor { command, seen } => {
            let rev = match seen.rev {
                Some(rev) => rev,
                // Only the speech was said: the floor's revision is taken
                // now, so the hub refuses the command `stale` if the speech
                // is not the one on the floor (or the floor moved since).
                None => {
                    let (meeting, _) = hub
                        .view(Audience::of(role))
                        .await
                        .map_err(|_| Unresolved::Unavailable)?;
                    meeting.floor.rev
                }
            };
            Ok((
                command,
                Some(FloorSeen {
                    speech: seen.speech,
                    rev,
                }),
            ))
        }
        Action::StepItem { from, forward } => {
            let (meeting, _) = hub
                .view(Audience::of(role))
                .await
                .map_err(|_| Unresolved::Unavailable)?;
            if meeting.agenda.current.as_ref() != Some(&from) {
                return Err(Unresolved::Refused(format!(
                    "stale: `{from}` is not the current item ({})",
                    meeting
                        .agenda
                        .current
                        .as_ref()
                        .map_or("none".to_owned(), ToString::to_string)
                )));
            }
            let to = if forward {
                meeting.agenda.next_id()
            } else {
                meeting.agenda.previous_id()
            };
            let item = to.map_err(|e| Unresolved::Refused(e.to_string()))?.clone();
            Ok((Command::OpenItem { item }, None))
        }
    }
}

/// The messages of a packet, bundles opened.
fn flatten(packet: OscPacket, into: &mut Vec<OscMessage>) {
    match packet {
        OscPacket::Message(message) => into.push(message),
        OscPacket::Bundle(bundle) => {
            for packet in bundle.content {
                if into.len() > MAX_MESSAGES {
                    return;
                }
                flatten(packet, into);
            }
        }
    }
}
