//! Fan-out: every subscriber has a bounded queue; a committed event is
//! serialised at most once per audience and the same bytes go to everyone
//! in it. A subscriber whose queue is full is cut loose (its connection
//! closes with "too slow" and the client resumes from its last seq): it is
//! never waited for and never silently skipped.
//!
//! The queue is this module's own [`Outlet`] and [`Inbox`] rather than a
//! tokio `mpsc` channel: one of those costs ~1.6 KB per connection before
//! anything is queued (its first block of 32 slots and cache-padded
//! counters), which at 10,000 idle viewers was a fifth of the memory per
//! connection. An idle [`Inbox`] is one small allocation, and a queue that
//! grew in a burst gives its memory back once drained.

use std::collections::VecDeque;
use std::future::poll_fn;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Poll, Waker};

use axum::extract::ws::Utf8Bytes;

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
pub enum Ended {
    /// Still live, or the meeting closed.
    No,
    /// Its queue was full: the client fell behind.
    TooSlow,
    /// The access code it logged in with was revoked.
    Revoked,
}

/// Frames an emptied queue keeps room for; a queue that grew past this in
/// a burst is released once drained, so an idle connection holds none.
const QUEUE_KEEP: usize = 8;

/// One subscriber's queue: the hub writes, the connection reads.
#[derive(Debug)]
struct Queue {
    frames: VecDeque<Frame>,
    /// Frames queued at most; one more cuts the subscriber loose.
    capacity: usize,
    /// The connection's task, waiting for a frame.
    waker: Option<Waker>,
    /// The hub let go: after what is queued, nothing more comes.
    closed: bool,
    /// The connection is gone.
    dropped: bool,
    ended: Ended,
}

type Shared = Arc<Mutex<Queue>>;

fn lock(shared: &Shared) -> MutexGuard<'_, Queue> {
    // Nothing panics while holding it; a poisoned queue is still a queue.
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Why a frame was not queued.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// The queue holds `capacity` frames: the client is too slow.
    Full,
    /// The connection is gone.
    Closed,
}

/// The hub's end of a subscriber's queue. Dropping it closes the queue:
/// the connection gets what is queued, then the end.
#[derive(Debug)]
pub struct Outlet(Shared);

impl Outlet {
    /// Queues `frame` without waiting.
    pub fn try_send(&self, frame: Frame) -> Result<(), Refused> {
        let waker = {
            let mut q = lock(&self.0);
            if q.dropped {
                return Err(Refused::Closed);
            }
            if q.frames.len() >= q.capacity {
                return Err(Refused::Full);
            }
            q.frames.push_back(frame);
            q.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
        Ok(())
    }

    /// Whether the connection has gone.
    pub fn is_closed(&self) -> bool {
        lock(&self.0).dropped
    }

    /// Notes why the hub is about to let go (then drops this).
    fn end(&self, why: Ended) {
        lock(&self.0).ended = why;
    }
}

impl Drop for Outlet {
    fn drop(&mut self) {
        let waker = {
            let mut q = lock(&self.0);
            q.closed = true;
            q.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

/// The connection's end of its queue.
#[derive(Debug)]
pub struct Inbox(Shared);

impl Inbox {
    /// The next frame; `None` once the hub has let go and the queue is
    /// drained (then [`Inbox::ended`] says why).
    pub async fn recv(&mut self) -> Option<Frame> {
        poll_fn(|cx| {
            let mut q = lock(&self.0);
            if let Some(frame) = q.frames.pop_front() {
                q.release_if_drained();
                return Poll::Ready(Some(frame));
            }
            if q.closed {
                return Poll::Ready(None);
            }
            if !q.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                q.waker = Some(cx.waker().clone());
            }
            Poll::Pending
        })
        .await
    }

    /// A frame already queued, if any.
    pub fn try_recv(&mut self) -> Option<Frame> {
        let mut q = lock(&self.0);
        let frame = q.frames.pop_front();
        q.release_if_drained();
        frame
    }

    /// Why the hub ended the subscription.
    pub fn ended(&self) -> Ended {
        lock(&self.0).ended
    }
}

impl Queue {
    fn release_if_drained(&mut self) {
        if self.frames.is_empty() && self.frames.capacity() > QUEUE_KEEP {
            self.frames = VecDeque::new();
        }
    }
}

impl Drop for Inbox {
    fn drop(&mut self) {
        let mut q = lock(&self.0);
        q.dropped = true;
        q.frames = VecDeque::new();
        q.waker = None;
    }
}

/// A bounded queue of `capacity` frames.
fn queue(capacity: usize) -> (Outlet, Inbox) {
    let shared = Arc::new(Mutex::new(Queue {
        frames: VecDeque::new(),
        capacity: capacity.max(1),
        waker: None,
        closed: false,
        dropped: false,
        ended: Ended::No,
    }));
    (Outlet(Arc::clone(&shared)), Inbox(shared))
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
    /// Its frames, in order; [`Inbox::ended`] says why they stopped.
    pub frames: Inbox,
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
    tx: Outlet,
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
        let (tx, frames) = queue(capacity);
        self.next_id += 1;
        let id = SubscriberId(self.next_id);
        let s = Subscriber {
            id,
            audience,
            view,
            code_id,
            tx,
        };
        if audience == Audience::Public {
            self.public.push(s);
        } else {
            self.hall.push(s);
        }
        Subscription { id, frames }
    }

    /// Queues `frame` for one subscriber (a command's answer, after its
    /// events). One whose queue is full is cut loose, as in a fan-out.
    pub fn send_one(&mut self, id: SubscriberId, frame: Frame) {
        for list in [&mut self.hall, &mut self.public] {
            if let Some(at) = list.iter().position(|s| s.id == id) {
                match list[at].tx.try_send(frame) {
                    Ok(()) => {}
                    Err(Refused::Full) => {
                        list[at].tx.end(Ended::TooSlow);
                        list.swap_remove(at);
                    }
                    Err(Refused::Closed) => {
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
                    s.tx.end(Ended::Revoked);
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
                    Err(Refused::Full) => {
                        s.tx.end(Ended::TooSlow);
                        delivery.dropped += 1;
                        false
                    }
                    Err(Refused::Closed) => false,
                }
            });
        }
        delivery
    }

    /// How many subscribers follow each view slot (of `slots`).
    pub fn views_followers(&self, slots: usize) -> Vec<usize> {
        let mut followers = vec![0; slots];
        for s in self.hall.iter().chain(&self.public) {
            if let Some(v) = s.view
                && let Some(n) = followers.get_mut(v.0)
            {
                *n += 1;
            }
        }
        followers
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
                        Err(Refused::Full) => {
                            s.tx.end(Ended::TooSlow);
                            delivery.dropped += 1;
                            return false;
                        }
                        Err(Refused::Closed) => return false,
                    }
                }
                true
            });
        }
        delivery
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn frame(i: usize) -> Frame {
        Utf8Bytes::from(format!("frame {i}"))
    }

    #[tokio::test]
    async fn frames_come_in_order_then_the_end_and_why() {
        let (tx, mut rx) = queue(4);
        tx.try_send(frame(1)).unwrap();
        tx.try_send(frame(2)).unwrap();
        assert_eq!(rx.recv().await, Some(frame(1)));
        assert_eq!(rx.try_recv(), Some(frame(2)));
        assert_eq!(rx.try_recv(), None);
        tx.try_send(frame(3)).unwrap();
        tx.end(Ended::Revoked);
        drop(tx);
        // What was queued still comes, then the end.
        assert_eq!(rx.recv().await, Some(frame(3)));
        assert_eq!(rx.recv().await, None);
        assert_eq!(rx.ended(), Ended::Revoked);
    }

    #[tokio::test]
    async fn a_waiting_connection_is_woken() {
        let (tx, mut rx) = queue(4);
        let waiting = tokio::spawn(async move { rx.recv().await });
        tokio::task::yield_now().await;
        tx.try_send(frame(7)).unwrap();
        assert_eq!(waiting.await.unwrap(), Some(frame(7)));
        let (tx, mut rx) = queue(4);
        let waiting = tokio::spawn(async move { rx.recv().await });
        tokio::task::yield_now().await;
        drop(tx);
        assert_eq!(waiting.await.unwrap(), None);
    }

    #[test]
    fn a_full_queue_refuses_and_a_gone_connection_is_seen() {
        let (tx, rx) = queue(2);
        tx.try_send(frame(1)).unwrap();
        tx.try_send(frame(2)).unwrap();
        assert_eq!(tx.try_send(frame(3)), Err(Refused::Full));
        assert!(!tx.is_closed());
        drop(rx);
        assert!(tx.is_closed());
        assert_eq!(tx.try_send(frame(4)), Err(Refused::Closed));
    }

    #[test]
    fn a_drained_queue_gives_its_memory_back() {
        let (tx, mut rx) = queue(1024);
        for i in 0..100 {
            tx.try_send(frame(i)).unwrap();
        }
        assert!(lock(&rx.0).frames.capacity() >= 100);
        while rx.try_recv().is_some() {}
        assert_eq!(lock(&rx.0).frames.capacity(), 0);
        // A few frames at a time keep their room.
        tx.try_send(frame(1)).unwrap();
        assert_eq!(rx.try_recv(), Some(frame(1)));
        assert!(lock(&rx.0).frames.capacity() <= QUEUE_KEEP);
    }

    #[test]
    fn the_hub_cuts_a_full_subscriber_loose_and_says_why() {
        let mut subscribers = Subscribers::default();
        let slow = subscribers.add(Audience::Public, None, None, 1);
        let fine = subscribers.add(Audience::Public, None, None, 8);
        let mut once = [PerAudience::new(|_| frame(1))];
        assert_eq!(subscribers.send_all(&mut once).delivered, 2);
        let mut twice = [PerAudience::new(|_| frame(2))];
        let d = subscribers.send_all(&mut twice);
        assert_eq!((d.delivered, d.dropped), (1, 1));
        assert_eq!(subscribers.len(), 1);
        assert_eq!(slow.frames.ended(), Ended::TooSlow);
        assert_eq!(fine.frames.ended(), Ended::No);
        drop(fine);
        assert_eq!(subscribers.prune(), 1);
        assert!(subscribers.is_empty());
    }
}
