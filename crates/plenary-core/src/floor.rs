//! The floor: who speaks now, who was interrupted by a point of order, and
//! the log of every speech. Only one speaker holds the floor; an
//! interrupted speaker waits on a stack with a paused timer.
//!
//! The floor rules live here too: calling the next speaker, giving the
//! floor, ending a speech, points of order, the timer commands
//! (`decide_*`), and how their events change the meeting (`apply_*`).

use serde::{Deserialize, Serialize};

use crate::decide::Decider;
use crate::error::CommandError;
use crate::event::Event;
use crate::i18n::Lang;
use crate::ids::{DelegationId, ItemId, RequestId, SpeechId};
use crate::interpretation::ChannelService;
use crate::meeting::Meeting;
use crate::presentations::{Slot, SlotStatus};
use crate::rules::{RequestKind, TimeUpPolicy};
use crate::speakers::{Request, RequestStatus};
use crate::time::{Millis, Timestamp};
use crate::timer::{Thresholds, Timer};
use crate::undo::Restoration;

/// Why someone has the floor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum SpeechSource {
    /// Called from the speakers list.
    Request {
        request: RequestId,
        kind: RequestKind,
    },
    /// A slot of an item's schedule of presenters.
    Presentation,
}

impl SpeechSource {
    pub fn request(&self) -> Option<RequestId> {
        match self {
            SpeechSource::Request { request, .. } => Some(*request),
            SpeechSource::Presentation => None,
        }
    }

    pub fn is_point_of_order(&self) -> bool {
        matches!(
            self,
            SpeechSource::Request {
                kind: RequestKind::PointOfOrder,
                ..
            }
        )
    }
}

/// How a speech ended, for the minutes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The chair ended it (or called the next speaker).
    Chair,
    /// The countdown ran out and the rules end speeches on time.
    Time,
    /// The speaker yielded, or the delegation withdrew.
    Withdrawn,
}

/// An interval during which a speech's timer was paused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Pause {
    pub from: Timestamp,
    pub to: Option<Timestamp>,
}

/// A speech in progress (or interrupted).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Speech {
    pub id: SpeechId,
    pub item: ItemId,
    pub delegation: DelegationId,
    pub source: SpeechSource,
    pub language: Lang,
    pub timer: Timer,
    pub started_at: Timestamp,
    pub pauses: Vec<Pause>,
    /// Time spoken before the chair reset the countdown, for the log.
    pub spoken_before_reset: Millis,
    /// Whether a point of order paused a running countdown (rather than
    /// finding it paused by the chair), so it runs again on return.
    pub running_when_interrupted: bool,
    /// Changes taken back while this speech was on the floor.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub restorations: Vec<Restoration>,
}

impl Speech {
    pub(crate) fn new(
        id: SpeechId,
        item: ItemId,
        delegation: DelegationId,
        source: SpeechSource,
        language: Lang,
        timer: Timer,
        started_at: Timestamp,
    ) -> Speech {
        Speech {
            id,
            item,
            delegation,
            source,
            language,
            timer,
            started_at,
            pauses: Vec::new(),
            spoken_before_reset: Millis::ZERO,
            running_when_interrupted: false,
            restorations: Vec::new(),
        }
    }

    /// Restarts the countdown from the full limit, keeping the time spoken.
    pub(crate) fn reset(&mut self, at: Timestamp) {
        let running = self.timer.is_running();
        self.spoken_before_reset += self.timer.elapsed(at);
        self.timer.reset();
        if running {
            self.timer.resume(at);
        }
    }

    pub(crate) fn pause(&mut self, at: Timestamp) {
        if self.timer.is_running() {
            self.timer.pause(at);
            self.pauses.push(Pause { from: at, to: None });
        }
    }

    pub(crate) fn resume(&mut self, at: Timestamp) {
        if !self.timer.is_running() {
            self.timer.resume(at);
            if let Some(p) = self.pauses.last_mut().filter(|p| p.to.is_none()) {
                p.to = Some(at);
            }
        }
    }

    fn finish(mut self, at: Timestamp, reason: EndReason) -> SpeechRecord {
        if let Some(p) = self.pauses.last_mut().filter(|p| p.to.is_none()) {
            p.to = Some(at);
        }
        let elapsed = self.timer.elapsed(at);
        let spoken = self.spoken_before_reset + elapsed;
        SpeechRecord {
            id: self.id,
            item: self.item,
            delegation: self.delegation,
            source: self.source,
            language: self.language,
            started_at: self.started_at,
            ended_at: at,
            limit: self.timer.limit,
            spoken,
            overrun: (elapsed - self.timer.limit).clamp_non_negative(),
            pauses: self.pauses,
            ended_by: reason,
            restorations: self.restorations,
            channels: Vec::new(),
        }
    }
}

/// One line of the speaking log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SpeechRecord {
    pub id: SpeechId,
    pub item: ItemId,
    pub delegation: DelegationId,
    pub source: SpeechSource,
    pub language: Lang,
    pub started_at: Timestamp,
    pub ended_at: Timestamp,
    /// The time allotted, with extensions.
    pub limit: Millis,
    /// Time actually spoken, pauses excluded.
    pub spoken: Millis,
    pub overrun: Millis,
    pub pauses: Vec<Pause>,
    pub ended_by: EndReason,
    /// Changes taken back during the speech ("ended by mistake, restored
    /// 4 s later"), for the minutes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub restorations: Vec<Restoration>,
    /// What each interpretation channel carried, with the floor language
    /// and the interpreters on the mic when the speech ended.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<ChannelService>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Floor {
    /// Who has the floor.
    pub current: Option<Speech>,
    /// Speakers paused by points of order, the most recent last.
    pub interrupted: Vec<Speech>,
    /// Counts every change of the floor or of a countdown on it (not the
    /// meeting's seq, which moves with every request): what a console saw
    /// is its speech and this revision ([`FloorSeen`]).
    #[serde(default)]
    pub rev: u64,
}

/// The floor as a console saw it when its user decided: a command that
/// changes the floor carries it, and is refused `stale` if the floor has
/// changed since (another speaker, a countdown paused, extended, reset).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FloorSeen {
    /// The speech on the floor; `null` when nobody had it.
    pub speech: Option<SpeechId>,
    pub rev: u64,
}

impl Floor {
    /// The floor as seen now.
    pub fn seen(&self) -> FloorSeen {
        FloorSeen {
            speech: self.current.as_ref().map(|s| s.id),
            rev: self.rev,
        }
    }

    pub fn speaker(&self) -> Option<&DelegationId> {
        self.current.as_ref().map(|s| &s.delegation)
    }

    /// Whether a point of order is being heard over an interrupted speaker.
    pub fn point_of_order_in_progress(&self) -> bool {
        !self.interrupted.is_empty()
    }

    pub(crate) fn start(&mut self, speech: Speech, interrupting: bool, at: Timestamp) {
        if let Some(mut current) = self.current.take()
            && interrupting
        {
            current.running_when_interrupted = current.timer.is_running();
            current.pause(at);
            self.interrupted.push(current);
        }
        // Otherwise decide ended it with an event of its own first.
        self.current = Some(speech);
    }

    /// Ends `speech` (on the floor or interrupted) and, when `resumed` is
    /// given, gives the floor back to that interrupted speaker.
    pub(crate) fn end(
        &mut self,
        speech: SpeechId,
        reason: EndReason,
        resumed: Option<SpeechId>,
        at: Timestamp,
    ) -> Option<SpeechRecord> {
        let ended = if self.current.as_ref().is_some_and(|s| s.id == speech) {
            self.current.take()
        } else {
            let i = self.interrupted.iter().position(|s| s.id == speech)?;
            Some(self.interrupted.remove(i))
        };
        if let Some(resumed) = resumed
            && let Some(i) = self.interrupted.iter().position(|s| s.id == resumed)
        {
            let mut back = self.interrupted.remove(i);
            // A countdown the chair had paused stays paused.
            if back.running_when_interrupted {
                back.resume(at);
            }
            self.current = Some(back);
        }
        ended.map(|s| s.finish(at, reason))
    }
}

// --- Rules: calling, giving the floor, ending, points of order, timers ---------

/// Refuses a command decided on a floor that has changed since: another
/// speaker, nobody, or the same speaker's countdown changed.
pub(crate) fn check_seen(meeting: &Meeting, seen: &FloorSeen) -> Result<(), CommandError> {
    let floor = &meeting.floor;
    if floor.seen() == *seen {
        return Ok(());
    }
    let speaker = floor
        .current
        .as_ref()
        .map(|s| meeting.definition.name_of(&s.delegation));
    Err(CommandError::Stale {
        speaker,
        same_speech: floor.current.as_ref().map(|s| s.id) == seen.speech,
    })
}

/// The longest a single extension may be: guards against a typo such as
/// minutes sent as seconds ×1000.
pub(crate) const MAX_EXTENSION: Millis = Millis::from_mins(60);

/// Ends a speech; ending the one on the floor gives it back to the speaker
/// a point of order interrupted, if any.
pub(crate) fn end(d: &Decider<'_>, speech: SpeechId, reason: EndReason) -> Event {
    let floor = &d.meeting.floor;
    let on_floor = floor.current.as_ref().is_some_and(|s| s.id == speech);
    let resumed = if on_floor {
        floor.interrupted.last().map(|s| s.id)
    } else {
        None
    };
    Event::SpeechEnded {
        speech,
        reason,
        resumed,
    }
}

fn end_current(d: &Decider<'_>, reason: EndReason) -> Result<Event, CommandError> {
    Ok(end(d, d.current()?.id, reason))
}

/// Ends whatever speech is on the floor (none, or one event).
pub(crate) fn end_any(d: &Decider<'_>) -> Vec<Event> {
    d.meeting
        .floor
        .current
        .iter()
        .map(|s| end(d, s.id, EndReason::Chair))
        .collect()
}

fn start_request(d: &Decider<'_>, item: &ItemId, r: &Request, interrupting: bool) -> Event {
    let rules = &d.meeting.definition.rules;
    Event::SpeechStarted {
        speech: d.meeting.next_speech_id(),
        item: item.clone(),
        delegation: r.delegation.clone(),
        source: SpeechSource::Request {
            request: r.id,
            kind: r.kind.clone(),
        },
        language: r.language.clone(),
        limit: r.limit,
        thresholds: rules.thresholds,
        interrupting,
    }
}

/// Gives the floor to a scheduled presenter.
pub(crate) fn start_slot(d: &Decider<'_>, item: &ItemId, slot: &Slot) -> Event {
    let def = &d.meeting.definition;
    let language = slot.language.clone().or_else(|| {
        def.delegation(&slot.presenter)
            .map(|d| d.floor_language.clone())
    });
    Event::SpeechStarted {
        speech: d.meeting.next_speech_id(),
        item: item.clone(),
        delegation: slot.presenter.clone(),
        source: SpeechSource::Presentation,
        language: language.unwrap_or_else(|| d.main_language()),
        limit: slot.allotted,
        thresholds: def.rules.thresholds,
        interrupting: false,
    }
}

/// Events that give `r` the floor, following the point-of-order rules.
fn give_to(d: &Decider<'_>, item: &ItemId, r: &Request) -> Result<Vec<Event>, CommandError> {
    let floor = &d.meeting.floor;
    let is_point_of_order = r.kind == RequestKind::PointOfOrder;
    if floor.point_of_order_in_progress() && !is_point_of_order {
        return Err(CommandError::PointOfOrderInProgress);
    }
    // A point of order interrupts a speaker, never another point of order:
    // the next one replaces the one being heard.
    let point_on_floor = floor
        .current
        .as_ref()
        .is_some_and(|s| s.source.is_point_of_order());
    let interrupts = is_point_of_order
        && d.meeting.definition.rules.point_of_order.interrupts
        && !point_on_floor;
    let mut events = Vec::new();
    if let Some(current) = &floor.current
        && !interrupts
    {
        // Ended without resuming anyone: whoever was interrupted keeps
        // waiting for the points of order to be dealt with.
        events.push(Event::SpeechEnded {
            speech: current.id,
            reason: EndReason::Chair,
            resumed: None,
        });
    }
    events.push(start_request(
        d,
        item,
        r,
        interrupts && floor.current.is_some(),
    ));
    Ok(events)
}

/// A waiting point of order, else (a point being dealt with) the
/// interrupted speaker resumes, else the next presenter, else the head of
/// the list.
pub(crate) fn decide_call_next(d: &Decider<'_>) -> Result<Vec<Event>, CommandError> {
    let item = d
        .meeting
        .agenda
        .current_item()
        .ok_or(CommandError::NoCurrentItem)?;
    let floor = &d.meeting.floor;
    if let Some(point) = item.speakers.next_point_of_order() {
        return give_to(d, &item.id, point);
    }
    if floor.point_of_order_in_progress() {
        // The point is dealt with: the interrupted speaker resumes.
        return Ok(vec![end_current(d, EndReason::Chair)?]);
    }
    let mut events = end_any(d);
    if let Some(slot) = item.schedule.next_pending() {
        events.push(start_slot(d, &item.id, slot));
    } else if let Some(head) = item.speakers.head() {
        events.push(start_request(d, &item.id, head, false));
    } else {
        return Err(CommandError::QueueEmpty);
    }
    Ok(events)
}

/// Gives the floor to a waiting request out of order.
pub(crate) fn decide_give_floor(
    d: &Decider<'_>,
    id: RequestId,
) -> Result<Vec<Event>, CommandError> {
    let (item, r) = d.waiting_request(id)?;
    d.meeting.agenda.require_current(item)?;
    give_to(d, item, r)
}

pub(crate) fn decide_end_speech(d: &Decider<'_>) -> Result<Vec<Event>, CommandError> {
    Ok(vec![end_current(d, EndReason::Chair)?])
}

pub(crate) fn decide_pause_timer(d: &Decider<'_>) -> Result<Vec<Event>, CommandError> {
    if !d.current()?.timer.is_running() {
        return Err(CommandError::TimerNotRunning);
    }
    Ok(vec![Event::TimerPaused])
}

pub(crate) fn decide_resume_timer(d: &Decider<'_>) -> Result<Vec<Event>, CommandError> {
    if d.current()?.timer.is_running() {
        return Err(CommandError::TimerNotPaused);
    }
    Ok(vec![Event::TimerResumed])
}

pub(crate) fn decide_extend_timer(d: &Decider<'_>, by: Millis) -> Result<Vec<Event>, CommandError> {
    d.current()?;
    // `unsigned_abs`: `abs` of `i64::MIN` overflows (a panic in debug
    // builds, and a wrap to a negative that passed the check in release).
    if by == Millis::ZERO
        || by.as_millis().unsigned_abs() > MAX_EXTENSION.as_millis().unsigned_abs()
    {
        return Err(CommandError::InvalidDuration);
    }
    Ok(vec![Event::TimerExtended { by }])
}

pub(crate) fn decide_reset_timer(d: &Decider<'_>) -> Result<Vec<Event>, CommandError> {
    d.current()?;
    Ok(vec![Event::TimerReset])
}

/// Sent by the server when the countdown reaches zero: ends the speech or
/// lets it run into overtime, as the rules say.
pub(crate) fn decide_time_up(d: &Decider<'_>) -> Result<Vec<Event>, CommandError> {
    if d.current()?.timer.remaining(d.now) > Millis::ZERO {
        return Err(CommandError::TimeNotUp);
    }
    match d.meeting.definition.rules.on_time_up {
        TimeUpPolicy::EndSpeech => Ok(vec![end_current(d, EndReason::Time)?]),
        // Overtime: the countdown counts up; nothing to record.
        TimeUpPolicy::Overtime => Ok(vec![]),
    }
}

// --- Applying -----------------------------------------------------------------

/// The fields of a `speech_started` event.
#[derive(Debug)]
pub(crate) struct SpeechStarted<'e> {
    pub(crate) speech: SpeechId,
    pub(crate) item: &'e ItemId,
    pub(crate) delegation: &'e DelegationId,
    pub(crate) source: &'e SpeechSource,
    pub(crate) language: &'e Lang,
    pub(crate) limit: Millis,
    pub(crate) thresholds: Thresholds,
    pub(crate) interrupting: bool,
}

pub(crate) fn apply_speech_started(m: &mut Meeting, e: &SpeechStarted<'_>, at: Timestamp) {
    m.floor.rev += 1;
    match e.source {
        SpeechSource::Request { request, .. } => {
            m.set_request_status(*request, RequestStatus::Speaking { speech: e.speech });
        }
        SpeechSource::Presentation => {
            if let Some(it) = m.agenda.item_mut(e.item) {
                it.schedule
                    .set_status(e.delegation, SlotStatus::Presenting { speech: e.speech });
            }
        }
    }
    m.floor.start(
        Speech::new(
            e.speech,
            e.item.clone(),
            e.delegation.clone(),
            e.source.clone(),
            e.language.clone(),
            Timer::started(e.limit, e.thresholds, at),
            at,
        ),
        e.interrupting,
        at,
    );
    m.interpretation.floor_language_override = None;
    m.next_speech = m.next_speech.max(e.speech.0 + 1);
}

pub(crate) fn apply_speech_ended(
    m: &mut Meeting,
    speech: SpeechId,
    reason: EndReason,
    resumed: Option<SpeechId>,
    at: Timestamp,
) {
    m.floor.rev += 1;
    // The language heard: the chair's override while this speech has the
    // floor, else the one the speaker declared.
    let heard = match &m.floor.current {
        Some(s) if s.id == speech => m.floor_language().cloned(),
        _ => None,
    };
    if let Some(mut record) = m.floor.end(speech, reason, resumed, at) {
        let heard = heard.unwrap_or_else(|| record.language.clone());
        record.channels = m.interpretation.services(&m.definition, &heard);
        match &record.source {
            SpeechSource::Request { request, .. } => {
                // A speaker who yields has still spoken: the request is
                // done; the log says how it ended.
                m.set_request_status(*request, RequestStatus::Done { speech });
            }
            SpeechSource::Presentation => {
                if let Some(it) = m.agenda.item_mut(&record.item) {
                    it.schedule
                        .set_status(&record.delegation, SlotStatus::Done { speech });
                }
            }
        }
        m.log.push(record);
    }
    if resumed.is_some() {
        m.interpretation.floor_language_override = None;
    }
}

pub(crate) fn apply_timer_paused(m: &mut Meeting, at: Timestamp) {
    m.floor.rev += 1;
    if let Some(s) = m.floor.current.as_mut() {
        s.pause(at);
    }
}

pub(crate) fn apply_timer_resumed(m: &mut Meeting, at: Timestamp) {
    m.floor.rev += 1;
    if let Some(s) = m.floor.current.as_mut() {
        s.resume(at);
    }
}

pub(crate) fn apply_timer_extended(m: &mut Meeting, by: Millis) {
    m.floor.rev += 1;
    if let Some(s) = m.floor.current.as_mut() {
        s.timer.extend(by);
    }
}

pub(crate) fn apply_timer_reset(m: &mut Meeting, at: Timestamp) {
    m.floor.rev += 1;
    if let Some(s) = m.floor.current.as_mut() {
        s.reset(at);
    }
}
