//! Which room screens are connected, when each was last seen, and the round
//! trip and clock offset each measures: what the technician console and
//! the chair show. Owned by the meeting's hub like everything else about
//! the meeting; connection tasks only report to it.
//!
//! Changes are coalesced: at most one `presence` frame per meeting every
//! [`COALESCE`], however many screens come and go — a reconnect storm of
//! screens must not flood the chair's queue. Last-seen times are written
//! to the store in the background when a screen leaves, so that a restart
//! still knows them; the hub never waits for that write.

use std::collections::BTreeMap;
use std::time::Duration;

use plenary_core::Timestamp;
use plenary_core::ids::ScreenId;
use plenary_protocol::ScreenPresence;
use plenary_store::ScreenSeen;

/// The longest a presence change waits to be announced.
pub(super) const COALESCE: Duration = Duration::from_millis(250);

/// What a connection task reports about its screen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ScreenReport {
    Connected,
    Disconnected,
    /// The round trip and clock offset the screen measured.
    Measured {
        rtt_ms: f64,
        offset_ms: f64,
    },
}

#[derive(Debug, Default, Clone)]
struct Entry {
    connections: u32,
    last_seen: Option<Timestamp>,
    rtt_ms: Option<f64>,
    offset_ms: Option<f64>,
}

/// Every screen of one meeting.
#[derive(Debug, Default)]
pub(super) struct Presence {
    /// As this node's connections report.
    screens: BTreeMap<ScreenId, Entry>,
    /// As the other nodes say (several nodes on PostgreSQL).
    elsewhere: BTreeMap<ScreenId, Entry>,
}

impl Presence {
    /// Starts from the last-seen times the store remembers.
    pub(super) fn new(seen: impl IntoIterator<Item = (ScreenId, Timestamp)>) -> Presence {
        Presence {
            screens: seen
                .into_iter()
                .map(|(screen, at)| {
                    (
                        screen,
                        Entry {
                            last_seen: Some(at),
                            ..Entry::default()
                        },
                    )
                })
                .collect(),
            elsewhere: BTreeMap::new(),
        }
    }

    /// What this node has to tell the others.
    pub(super) fn here(&self) -> Vec<ScreenSeen> {
        self.screens
            .iter()
            .filter(|(_, e)| e.connections > 0)
            .map(|(screen, e)| ScreenSeen {
                screen: screen.to_string(),
                connections: e.connections,
                rtt_ms: e.rtt_ms,
                offset_ms: e.offset_ms,
                last_seen: e.last_seen,
            })
            .collect()
    }

    /// What the other nodes said; whether it changes what is shown.
    pub(super) fn set_elsewhere(&mut self, seen: Vec<ScreenSeen>) -> bool {
        let mut elsewhere: BTreeMap<ScreenId, Entry> = BTreeMap::new();
        for s in seen {
            let e = elsewhere.entry(ScreenId::new(s.screen)).or_default();
            e.connections += s.connections;
            e.last_seen = e.last_seen.max(s.last_seen);
            e.rtt_ms = e.rtt_ms.or(s.rtt_ms);
            e.offset_ms = e.offset_ms.or(s.offset_ms);
        }
        // Only what a console shows: a screen's connections and where it is.
        let shown = |m: &BTreeMap<ScreenId, Entry>| -> Vec<(ScreenId, u32)> {
            m.iter().map(|(k, e)| (k.clone(), e.connections)).collect()
        };
        let changed = shown(&elsewhere) != shown(&self.elsewhere);
        self.elsewhere = elsewhere;
        changed
    }

    pub(super) fn report(&mut self, screen: ScreenId, report: ScreenReport, at: Timestamp) {
        let e = self.screens.entry(screen).or_default();
        e.last_seen = Some(at);
        match report {
            ScreenReport::Connected => e.connections += 1,
            ScreenReport::Disconnected => e.connections = e.connections.saturating_sub(1),
            ScreenReport::Measured { rtt_ms, offset_ms } => {
                e.rtt_ms = Some(rtt_ms);
                e.offset_ms = Some(offset_ms);
            }
        }
    }

    /// Every screen of the meeting, connected or not, in its order.
    pub(super) fn screens(&self, known: impl Iterator<Item = ScreenId>) -> Vec<ScreenPresence> {
        known
            .map(|screen| {
                let mut e = self.screens.get(&screen).cloned().unwrap_or_default();
                if let Some(other) = self.elsewhere.get(&screen) {
                    e.connections += other.connections;
                    e.last_seen = e.last_seen.max(other.last_seen);
                    e.rtt_ms = e.rtt_ms.or(other.rtt_ms);
                    e.offset_ms = e.offset_ms.or(other.offset_ms);
                }
                ScreenPresence {
                    online: e.connections > 0,
                    last_seen: e.last_seen,
                    rtt_ms: e.rtt_ms,
                    offset_ms: e.offset_ms,
                    connections: e.connections,
                    screen,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_screen_is_online_while_any_of_its_connections_is() {
        let s = ScreenId::new("hall-left");
        let mut p = Presence::new([(s.clone(), Timestamp(5))]);
        let view = |p: &Presence| p.screens(std::iter::once(s.clone())).remove(0);
        assert!(!view(&p).online);
        assert_eq!(view(&p).last_seen, Some(Timestamp(5)));
        p.report(s.clone(), ScreenReport::Connected, Timestamp(10));
        p.report(s.clone(), ScreenReport::Connected, Timestamp(11));
        p.report(s.clone(), ScreenReport::Disconnected, Timestamp(12));
        assert!(view(&p).online);
        p.report(
            s.clone(),
            ScreenReport::Measured {
                rtt_ms: 3.0,
                offset_ms: -1.5,
            },
            Timestamp(13),
        );
        p.report(s.clone(), ScreenReport::Disconnected, Timestamp(14));
        let v = view(&p);
        assert!(!v.online);
        assert_eq!((v.last_seen, v.rtt_ms), (Some(Timestamp(14)), Some(3.0)));
    }

    #[test]
    fn a_screen_on_another_node_is_online_here_too() {
        let s = ScreenId::new("hall-left");
        let mut p = Presence::new([]);
        let view = |p: &Presence| p.screens(std::iter::once(s.clone())).remove(0);
        let seen = ScreenSeen {
            screen: "hall-left".to_owned(),
            connections: 1,
            rtt_ms: Some(2.0),
            offset_ms: None,
            last_seen: Some(Timestamp(20)),
        };
        assert!(p.set_elsewhere(vec![seen.clone()]));
        assert!(!p.set_elsewhere(vec![seen]), "nothing shown changed");
        let v = view(&p);
        assert!(v.online);
        assert_eq!((v.connections, v.rtt_ms), (1, Some(2.0)));
        p.report(s.clone(), ScreenReport::Connected, Timestamp(30));
        assert_eq!(view(&p).connections, 2);
        assert_eq!(p.here().len(), 1);
        // That node died: its rows stop coming.
        assert!(p.set_elsewhere(Vec::new()));
        assert_eq!(view(&p).connections, 1);
    }
}
