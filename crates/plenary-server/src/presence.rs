//! Which screens are connected, their last-seen time and the round trip
//! and clock offset they measure: what the technician console shows.

use std::collections::BTreeMap;
use std::sync::Mutex;

use plenary_core::Timestamp;
use plenary_core::ids::{MeetingId, ScreenId};
use plenary_protocol::ScreenPresence;

#[derive(Debug, Default, Clone)]
struct Entry {
    connections: u32,
    last_seen: Option<Timestamp>,
    rtt_ms: Option<f64>,
    offset_ms: Option<f64>,
}

#[derive(Debug, Default)]
pub struct Presence {
    screens: Mutex<BTreeMap<(MeetingId, ScreenId), Entry>>,
    /// Meetings with a presence frame about to be sent.
    pending: Mutex<std::collections::BTreeSet<MeetingId>>,
}

impl Presence {
    /// Whether the caller should send a presence frame soon (false when
    /// one is already on its way).
    pub fn schedule_publish(&self, meeting: &MeetingId) -> bool {
        self.pending
            .lock()
            .map(|mut p| p.insert(meeting.clone()))
            .unwrap_or(false)
    }

    /// The scheduled frame is being sent: later changes schedule another.
    pub fn published(&self, meeting: &MeetingId) {
        if let Ok(mut p) = self.pending.lock() {
            p.remove(meeting);
        }
    }

    fn update(&self, meeting: &MeetingId, screen: &ScreenId, f: impl FnOnce(&mut Entry)) {
        if let Ok(mut s) = self.screens.lock() {
            f(s.entry((meeting.clone(), screen.clone())).or_default());
        }
    }

    pub fn connected(&self, meeting: &MeetingId, screen: &ScreenId, at: Timestamp) {
        self.update(meeting, screen, |e| {
            e.connections += 1;
            e.last_seen = Some(at);
        });
    }

    pub fn disconnected(&self, meeting: &MeetingId, screen: &ScreenId, at: Timestamp) {
        self.update(meeting, screen, |e| {
            e.connections = e.connections.saturating_sub(1);
            e.last_seen = Some(at);
        });
    }

    pub fn reported(
        &self,
        meeting: &MeetingId,
        screen: &ScreenId,
        at: Timestamp,
        rtt_ms: f64,
        offset_ms: f64,
    ) {
        self.update(meeting, screen, |e| {
            e.last_seen = Some(at);
            e.rtt_ms = Some(rtt_ms);
            e.offset_ms = Some(offset_ms);
        });
    }

    /// Every screen of the meeting, connected or not.
    pub fn screens(
        &self,
        meeting: &MeetingId,
        known: impl Iterator<Item = ScreenId>,
        seen: &BTreeMap<ScreenId, Timestamp>,
    ) -> Vec<ScreenPresence> {
        let map = self.screens.lock().map(|s| s.clone()).unwrap_or_default();
        known
            .map(|screen| {
                let e = map
                    .get(&(meeting.clone(), screen.clone()))
                    .cloned()
                    .unwrap_or_default();
                ScreenPresence {
                    online: e.connections > 0,
                    last_seen: e.last_seen.or_else(|| seen.get(&screen).copied()),
                    rtt_ms: e.rtt_ms,
                    offset_ms: e.offset_ms,
                    connections: e.connections,
                    screen,
                }
            })
            .collect()
    }
}
