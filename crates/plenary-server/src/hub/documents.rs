//! View documents: for every [`ViewKey`] with a subscriber, the document
//! is derived once per committed batch, compared with the last one and the
//! difference sent as one RFC 6902 patch, serialised once for everyone who
//! follows that key. The last patches are kept so a client can resume.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use tokio::time::Instant;

use serde_json::Value;
use tracing::error;

use plenary_core::Meeting;
use plenary_protocol::ServerMessage;
use plenary_protocol::views::{self, ViewKey};

use super::fanout::{Frame, ViewSlotId, encode};

/// One key's document and its recent patches.
#[derive(Debug)]
struct Slot {
    key: ViewKey,
    /// The document as last derived, at `seq`; `None` when nobody followed
    /// it at the last batch (it is derived afresh on the next join).
    doc: Option<Value>,
    seq: u64,
    /// The earliest seq whose document the window can bring up to date.
    known_from: u64,
    /// Patches `(from, seq, frame)`, a contiguous chain ending at `seq`.
    window: VecDeque<(u64, u64, Frame)>,
    /// The whole document as a `view` frame, once built.
    view_frame: Option<Frame>,
    /// When it last had a subscriber.
    last_used: Instant,
}

/// How long a document nobody follows is kept up to date: a display that
/// drops (a blip, a reload) resumes with patches within this time.
const GRACE: Duration = Duration::from_secs(120);

/// Documents are refreshed and sent in two waves after each batch: first
/// those several displays follow (room screens, the public), then the
/// consoles' own, so that a hall of screens does not wait while thirty
/// delegations' documents are derived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Wave {
    Shared,
    Own,
}

impl Wave {
    fn of(followers: usize) -> Wave {
        if followers > 1 {
            Wave::Shared
        } else {
            Wave::Own
        }
    }
}

/// Every document the hub keeps, by slot.
#[derive(Debug)]
pub(super) struct Views {
    slots: Vec<Slot>,
    index: HashMap<ViewKey, ViewSlotId>,
    /// Patches kept per document for resuming clients.
    window: usize,
}

fn document(meeting: &Meeting, key: &ViewKey) -> Value {
    views::derive(meeting, key)
        .and_then(|v| match serde_json::to_value(v) {
            Ok(v) => Some(v),
            Err(e) => {
                error!(key = %key, error = %e, "cannot serialise a view document");
                None
            }
        })
        .unwrap_or(Value::Null)
}

impl Views {
    pub(super) fn new(window: usize) -> Self {
        Views {
            slots: Vec::new(),
            index: HashMap::new(),
            window: window.max(1),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.slots.len()
    }

    /// The slot of `key`, made on first use.
    pub(super) fn slot(&mut self, key: &ViewKey) -> ViewSlotId {
        if let Some(id) = self.index.get(key) {
            return *id;
        }
        let id = ViewSlotId(self.slots.len());
        self.slots.push(Slot {
            key: key.clone(),
            doc: None,
            seq: 0,
            known_from: 0,
            window: VecDeque::new(),
            view_frame: None,
            last_used: Instant::now(),
        });
        self.index.insert(key.clone(), id);
        id
    }

    /// What a client joining `slot` gets first: the patches after
    /// `resume_from` when the window still holds them (none when it is up
    /// to date), else the whole document.
    pub(super) fn join(
        &mut self,
        slot: ViewSlotId,
        meeting: &Meeting,
        resume_from: Option<u64>,
    ) -> Vec<Frame> {
        let Some(s) = self.slots.get_mut(slot.0) else {
            return Vec::new();
        };
        s.last_used = Instant::now();
        if s.doc.is_none() {
            s.doc = Some(document(meeting, &s.key));
            s.seq = meeting.seq;
            s.known_from = meeting.seq;
            s.window.clear();
            s.view_frame = None;
        }
        // Only a seq this document was at can be resumed from: anything
        // else (another stream's seq, an older process's) gets it whole.
        let resumable = |n: u64| n == s.seq || s.window.iter().any(|(from, ..)| *from == n);
        match resume_from {
            Some(n) if n >= s.known_from && resumable(n) => s
                .window
                .iter()
                .filter(|(_, to, _)| *to > n)
                .map(|(.., frame)| frame.clone())
                .collect(),
            _ => {
                let seq = s.seq;
                let doc = s.doc.as_ref().unwrap_or(&Value::Null);
                let frame = s.view_frame.get_or_insert_with(|| {
                    let message = serde_json::json!({ "type": "view", "seq": seq, "view": doc });
                    Frame::from(message.to_string())
                });
                vec![frame.clone()]
            }
        }
    }

    /// Derives the followed documents of `wave` after a committed batch
    /// and returns, per slot, the patch frame to send (none when it did not
    /// change or is not in the wave). Documents nobody has followed for
    /// [`GRACE`] are dropped.
    pub(super) fn refresh(
        &mut self,
        meeting: &Meeting,
        followers: &[usize],
        wave: Wave,
    ) -> Vec<Option<Frame>> {
        let window = self.window;
        let now = Instant::now();
        self.slots
            .iter_mut()
            .zip(followers.iter().copied().chain(std::iter::repeat(0)))
            .map(|(s, followers)| {
                if wave != Wave::of(followers) {
                    return None;
                }
                if followers > 0 {
                    s.last_used = now;
                }
                if now.duration_since(s.last_used) > GRACE {
                    s.doc = None;
                    s.window.clear();
                    s.view_frame = None;
                    return None;
                }
                let old = s.doc.as_ref()?;
                let new = document(meeting, &s.key);
                let ops = views::diff(old, &new);
                if ops.0.is_empty() {
                    return None;
                }
                let frame = encode(&ServerMessage::Patch {
                    from: s.seq,
                    seq: meeting.seq,
                    ops,
                });
                s.window.push_back((s.seq, meeting.seq, frame.clone()));
                while s.window.len() > window {
                    if let Some((_, to, _)) = s.window.pop_front() {
                        s.known_from = to;
                    }
                }
                s.doc = Some(new);
                s.seq = meeting.seq;
                s.view_frame = None;
                Some(frame)
            })
            .collect()
    }
}
