//! What happened. Events are facts decided by [`crate::decide`]; applying
//! them ([`crate::Meeting::apply`]) never fails and never decides anything,
//! so the state is exactly the fold of the events.

use serde::{Deserialize, Serialize};

use crate::definition::MeetingDefinition;
use crate::display::{ScreenLanguages, View};
use crate::floor::{EndReason, SpeechSource};
use crate::i18n::{Lang, Texts};
use crate::ids::{BoothId, DelegationId, ItemId, RequestId, ScreenId, SpeechId};
use crate::roles::Role;
use crate::rules::{Category, RequestKind};
use crate::time::{Millis, Timestamp};
use crate::timer::Thresholds;

/// The version of the event payloads written by this code. Bumped when a
/// payload changes shape; readers upcast older versions.
pub const EVENT_VERSION: u16 = 1;

/// An event as stored: its place in the meeting's log, when the server
/// committed it and who caused it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StoredEvent {
    /// 1, 2, 3… per meeting, without gaps.
    pub seq: u64,
    pub at: Timestamp,
    pub actor: Role,
    /// Payload version ([`EVENT_VERSION`] when written by this code).
    pub v: u16,
    pub event: Event,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// Always the first event: the meeting as defined.
    MeetingCreated {
        definition: Box<MeetingDefinition>,
    },

    // --- Agenda --------------------------------------------------------------
    /// `item` becomes current; the previous current item is done.
    ItemOpened {
        item: ItemId,
    },
    ItemMoved {
        item: ItemId,
        to: usize,
    },
    TimeLimitSet {
        item: ItemId,
        category: Category,
        limit: Millis,
    },

    // --- Speakers list -------------------------------------------------------
    FloorRequested {
        request: RequestId,
        item: ItemId,
        delegation: DelegationId,
        kind: RequestKind,
        language: Lang,
        /// The time it will be given, fixed when asked (a second right of
        /// reply is shorter than the first).
        limit: Millis,
        /// Where it waits in the queue, decided by the rules or the chair.
        position: usize,
        by_chair: bool,
    },
    RequestWithdrawn {
        request: RequestId,
    },
    RequestRemoved {
        request: RequestId,
    },
    RequestMoved {
        request: RequestId,
        to: usize,
    },
    RequestReadded {
        request: RequestId,
        position: usize,
        /// Admitted again, it gets the limit a new request would get now.
        limit: Millis,
    },
    LanguageDeclared {
        request: RequestId,
        language: Lang,
    },
    ListClosed {
        item: ItemId,
    },
    ListReopened {
        item: ItemId,
    },

    // --- The floor -----------------------------------------------------------
    SpeechStarted {
        speech: SpeechId,
        item: ItemId,
        delegation: DelegationId,
        source: SpeechSource,
        language: Lang,
        limit: Millis,
        thresholds: Thresholds,
        /// A point of order: the current speaker is paused, not ended.
        interrupting: bool,
    },
    SpeechEnded {
        speech: SpeechId,
        reason: EndReason,
        /// The interrupted speaker who gets the floor back, if any.
        resumed: Option<SpeechId>,
    },
    TimerPaused,
    TimerResumed,
    TimerExtended {
        by: Millis,
    },
    TimerReset,

    // --- Scheduled presentations ------------------------------------------------
    PresenterSkipped {
        item: ItemId,
        presenter: DelegationId,
    },
    PresenterDeferred {
        item: ItemId,
        presenter: DelegationId,
    },

    // --- Interpretation ----------------------------------------------------------
    FloorLanguageSet {
        language: Option<Lang>,
    },
    HandoverRequested {
        booth: BoothId,
    },
    /// `on_mic` is the index of the interpreter now working.
    HandoverAccepted {
        booth: BoothId,
        on_mic: usize,
    },
    SlowerPleaseSignalled {
        booth: BoothId,
    },
    SlowerPleaseAcknowledged,

    // --- Displays ----------------------------------------------------------------
    /// `languages` unchanged where `None`.
    ViewAssigned {
        screens: Vec<ScreenId>,
        view: View,
        languages: Option<ScreenLanguages>,
    },
    MessagePushed {
        screens: Vec<ScreenId>,
        text: Texts,
    },
    MessageCleared {
        screens: Vec<ScreenId>,
    },
    ScreensReloaded {
        screens: Vec<ScreenId>,
    },
}

impl Event {
    /// Every event's `type` tag, in declaration order.
    pub const TYPES: [&'static str; 29] = [
        "meeting_created",
        "item_opened",
        "item_moved",
        "time_limit_set",
        "floor_requested",
        "request_withdrawn",
        "request_removed",
        "request_moved",
        "request_readded",
        "language_declared",
        "list_closed",
        "list_reopened",
        "speech_started",
        "speech_ended",
        "timer_paused",
        "timer_resumed",
        "timer_extended",
        "timer_reset",
        "presenter_skipped",
        "presenter_deferred",
        "floor_language_set",
        "handover_requested",
        "handover_accepted",
        "slower_please_signalled",
        "slower_please_acknowledged",
        "view_assigned",
        "message_pushed",
        "message_cleared",
        "screens_reloaded",
    ];

    /// This event's `type` tag on the wire.
    pub fn type_name(&self) -> &'static str {
        match self {
            Event::MeetingCreated { .. } => "meeting_created",
            Event::ItemOpened { .. } => "item_opened",
            Event::ItemMoved { .. } => "item_moved",
            Event::TimeLimitSet { .. } => "time_limit_set",
            Event::FloorRequested { .. } => "floor_requested",
            Event::RequestWithdrawn { .. } => "request_withdrawn",
            Event::RequestRemoved { .. } => "request_removed",
            Event::RequestMoved { .. } => "request_moved",
            Event::RequestReadded { .. } => "request_readded",
            Event::LanguageDeclared { .. } => "language_declared",
            Event::ListClosed { .. } => "list_closed",
            Event::ListReopened { .. } => "list_reopened",
            Event::SpeechStarted { .. } => "speech_started",
            Event::SpeechEnded { .. } => "speech_ended",
            Event::TimerPaused => "timer_paused",
            Event::TimerResumed => "timer_resumed",
            Event::TimerExtended { .. } => "timer_extended",
            Event::TimerReset => "timer_reset",
            Event::PresenterSkipped { .. } => "presenter_skipped",
            Event::PresenterDeferred { .. } => "presenter_deferred",
            Event::FloorLanguageSet { .. } => "floor_language_set",
            Event::HandoverRequested { .. } => "handover_requested",
            Event::HandoverAccepted { .. } => "handover_accepted",
            Event::SlowerPleaseSignalled { .. } => "slower_please_signalled",
            Event::SlowerPleaseAcknowledged => "slower_please_acknowledged",
            Event::ViewAssigned { .. } => "view_assigned",
            Event::MessagePushed { .. } => "message_pushed",
            Event::MessageCleared { .. } => "message_cleared",
            Event::ScreensReloaded { .. } => "screens_reloaded",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_are_the_serde_tags() {
        let e = Event::TimerExtended {
            by: Millis::from_mins(1),
        };
        let json = serde_json::to_value(&e).unwrap_or_default();
        assert_eq!(json["type"], e.type_name());
        assert!(Event::TYPES.contains(&Event::TimerPaused.type_name()));
    }
}
