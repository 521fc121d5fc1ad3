//! The floor: who speaks now, who was interrupted by a point of order, and
//! the log of every speech. Only one speaker holds the floor; an
//! interrupted speaker waits on a stack with a paused timer.

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;
use crate::ids::{DelegationId, ItemId, RequestId, SpeechId};
use crate::rules::RequestKind;
use crate::time::{Millis, Timestamp};
use crate::timer::Timer;

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
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Floor {
    /// Who has the floor.
    pub current: Option<Speech>,
    /// Speakers paused by points of order, the most recent last.
    pub interrupted: Vec<Speech>,
}

impl Floor {
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
