//! Fan-out: every subscriber has a bounded queue; a committed event is
//! serialised at most once per audience and the same bytes go to everyone
//! in it. A subscriber whose queue is full is cut loose (its connection
//! closes with "too slow" and the client resumes from its last seq): it is
//! never waited for and never silently skipped.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::mpsc;

use plenary_core::StoredEvent;
use plenary_protocol::ServerMessage;
use plenary_protocol::views::{self, Audience};

/// A frame ready to send.
pub type Frame = Utf8Bytes;

pub fn encode(message: &ServerMessage) -> Frame {
    // Serialising our own types cannot fail; an empty frame would be a bug
    // caught by every test.
    Utf8Bytes::from(serde_json::to_string(message).unwrap_or_default())
}

pub fn encode_event(stored: &StoredEvent, audience: Audience) -> Frame {
    encode(&ServerMessage::Event(views::event_frame(stored, audience)))
}

/// Lazily serialised frames of one message, one per audience.
pub struct PerAudience<'a> {
    build: Box<dyn Fn(Audience) -> Frame + Send + 'a>,
    frames: [Option<Frame>; 6],
}

impl std::fmt::Debug for PerAudience<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PerAudience")
            .field("frames", &self.frames)
            .finish_non_exhaustive()
    }
}

impl<'a> PerAudience<'a> {
    pub fn new(build: impl Fn(Audience) -> Frame + Send + 'a) -> Self {
        PerAudience {
            build: Box::new(build),
            frames: Default::default(),
        }
    }

    pub fn get(&mut self, audience: Audience) -> Frame {
        let slot = &mut self.frames[audience.index()];
        slot.get_or_insert_with(|| (self.build)(audience)).clone()
    }
}

/// Why the hub ended a subscription (its queue is then closed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Ended {
    /// Still live, or the meeting closed.
    No = 0,
    /// Its queue was full: the client fell behind.
    TooSlow = 1,
    /// The access code it logged in with was revoked.
    Revoked = 2,
}

/// The reason a subscription ended, set by the hub, read by the connection.
#[derive(Debug, Default)]
pub struct EndReason(AtomicU8);

impl EndReason {
    fn set(&self, why: Ended) {
        self.0.store(why as u8, Ordering::Release);
    }

    pub fn get(&self) -> Ended {
        match self.0.load(Ordering::Acquire) {
            1 => Ended::TooSlow,
            2 => Ended::Revoked,
            _ => Ended::No,
        }
    }
}

/// A view document's place in the hub's table of documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ViewSlotId(pub usize);

/// Names a subscription within its hub, so that a command's answer can go
/// into the issuing connection's own queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SubscriberId(u64);

/// The connection's end of a subscription.
#[derive(Debug)]
pub struct Subscription {
    pub id: SubscriberId,
    pub frames: mpsc::Receiver<Frame>,
    /// Why the hub closed `frames`, if it did.
    pub ended: Arc<EndReason>,
}

#[derive(Debug)]
struct Subscriber {
    id: SubscriberId,
    audience: Audience,
    /// The view document it follows (`stream: views`), by slot; `None`
    /// for the event stream.
    view: Option<ViewSlotId>,
    /// The access code the connection logged in with, to end it on revocation.
    code_id: Option<Arc<str>>,
    tx: mpsc::Sender<Frame>,
    ended: Arc<EndReason>,
}

/// Everyone following one meeting. Consoles and room screens are served
/// before the public, so a large audience never delays the hall.
#[derive(Debug, Default)]
pub struct Subscribers {
    hall: Vec<Subscriber>,
    public: Vec<Subscriber>,
    next_id: u64,
}

/// What one fan-out did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Delivery {
    pub delivered: u64,
    pub dropped: u64,
}

impl Subscribers {
    pub fn add(
        &mut self,
        audience: Audience,
        view: Option<ViewSlotId>,
        code_id: Option<Arc<str>>,
        capacity: usize,
    ) -> Subscription {
        let (tx, frames) = mpsc::channel(capacity);
        let ended = Arc::new(EndReason::default());
        self.next_id += 1;
        let id = SubscriberId(self.next_id);
        let s = Subscriber {
            id,
            audience,
            view,
            code_id,
            tx,
            ended: Arc::clone(&ended),
        };
        if audience == Audience::Public {
            self.public.push(s);
        } else {
            self.hall.push(s);
        }
        Subscription { id, frames, ended }
    }

    /// Queues `frame` for one subscriber (a command's answer, after its
    /// events). One whose queue is full is cut loose, as in a fan-out.
    pub fn send_one(&mut self, id: SubscriberId, frame: Frame) {
        for list in [&mut self.hall, &mut self.public] {
            if let Some(at) = list.iter().position(|s| s.id == id) {
                match list[at].tx.try_send(frame) {
                    Ok(()) => {}
                    Err(mpsc::error::TrySendError::Full(_)) => {
                        list[at].ended.set(Ended::TooSlow);
                        list.swap_remove(at);
                    }
                    Err(mpsc::error::TrySendError::Closed(_)) => {
                        list.swap_remove(at);
                    }
                }
                return;
            }
        }
    }

    /// Forgets the subscribers whose connection has gone, so closed
    /// connections never pile up between events.
    pub fn prune(&mut self) -> usize {
        let before = self.len();
        for list in [&mut self.hall, &mut self.public] {
            list.retain(|s| !s.tx.is_closed());
        }
        before - self.len()
    }

    /// Ends the subscriptions opened with access code `code_id`; their
    /// connections close with 1008. Returns how many.
    pub fn end_code(&mut self, code_id: &str) -> usize {
        let before = self.len();
        for list in [&mut self.hall, &mut self.public] {
            list.retain(|s| {
                let revoked = s.code_id.as_deref() == Some(code_id);
                if revoked {
                    s.ended.set(Ended::Revoked);
                }
                !revoked
            });
        }
        before - self.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hall.is_empty() && self.public.is_empty()
    }

    pub fn len(&self) -> usize {
        self.hall.len() + self.public.len()
    }

    /// Sends each message to every subscriber of the event stream, in
    /// order; drops those whose queue is full or whose connection is gone.
    pub fn send_events(&mut self, messages: &mut [PerAudience<'_>]) -> Delivery {
        self.send_where(|s| s.view.is_none(), messages)
    }

    /// Sends each message to every subscriber of both streams.
    pub fn send_all(&mut self, messages: &mut [PerAudience<'_>]) -> Delivery {
        self.send_where(|_| true, messages)
    }

    /// Like [`Subscribers::send_all`], for some audiences only.
    pub fn send_to(
        &mut self,
        audiences: &[Audience],
        messages: &mut [PerAudience<'_>],
    ) -> Delivery {
        self.send_where(|s| audiences.contains(&s.audience), messages)
    }

    /// Sends each view subscriber the patch of its document, if it changed.
    pub fn send_views(&mut self, patches: &[Option<Frame>]) -> Delivery {
        let mut delivery = Delivery::default();
        for list in [&mut self.hall, &mut self.public] {
            list.retain(|s| {
                let Some(frame) = s
                    .view
                    .and_then(|v| patches.get(v.0))
                    .and_then(Option::as_ref)
                else {
                    return true;
                };
                match s.tx.try_send(frame.clone()) {
                    Ok(()) => {
                        delivery.delivered += 1;
                        true
                    }
                    Err(mpsc::error::TrySendError::Full(_)) => {
                        s.ended.set(Ended::TooSlow);
                        delivery.dropped += 1;
                        false
                    }
                    Err(mpsc::error::TrySendError::Closed(_)) => false,
                }
            });
        }
        delivery
    }

    /// Which view slots (of `slots`) have a subscriber.
    pub fn views_in_use(&self, slots: usize) -> Vec<bool> {
        let mut used = vec![false; slots];
        for s in self.hall.iter().chain(&self.public) {
            if let Some(v) = s.view
                && let Some(u) = used.get_mut(v.0)
            {
                *u = true;
            }
        }
        used
    }

    fn send_where(
        &mut self,
        wants: impl Fn(&Subscriber) -> bool,
        messages: &mut [PerAudience<'_>],
    ) -> Delivery {
        let mut delivery = Delivery::default();
        for list in [&mut self.hall, &mut self.public] {
            list.retain(|s| {
                if !wants(s) {
                    return true;
                }
                for m in messages.iter_mut() {
                    match s.tx.try_send(m.get(s.audience)) {
                        Ok(()) => delivery.delivered += 1,
                        Err(mpsc::error::TrySendError::Full(_)) => {
                            s.ended.set(Ended::TooSlow);
                            delivery.dropped += 1;
                            return false;
                        }
                        Err(mpsc::error::TrySendError::Closed(_)) => return false,
                    }
                }
                true
            });
        }
        delivery
    }
}
