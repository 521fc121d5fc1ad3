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

#[derive(
    Clone,
    Debug,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    strum::IntoStaticStr,
    strum::VariantNames,
    strum::EnumCount,
)]
#[serde(tag = "type", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
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
        /// The requests that take the new limit: the statements of that
        /// category waiting when it was set. Absent from events written
        /// before it was recorded; replaying one of those gives the limit
        /// to the statements of that category waiting then
        /// (`SpeakersList::statements_waiting`), which is the same thing.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        changed: Option<Vec<RequestId>>,
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
    /// The last change of the floor was taken back (`crate::undo`).
    FloorChangeUndone,

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
    pub const TYPES: [&'static str; <Event as strum::EnumCount>::COUNT] =
        match <Event as strum::VariantNames>::VARIANTS.first_chunk() {
            Some(all) => *all,
            None => panic!("strum's VARIANTS has COUNT names"),
        };

    /// This event's `type` tag on the wire.
    pub fn type_name(&self) -> &'static str {
        self.into()
    }
}

/// Numbers events decided against a meeting at `seq_before` and stamps them
/// with their time and actor: the one place events become stored (used by
/// [`crate::execute`] and by the server).
pub fn stamp(seq_before: u64, at: Timestamp, actor: &Role, events: Vec<Event>) -> Vec<StoredEvent> {
    events
        .into_iter()
        .zip(seq_before + 1..)
        .map(|(event, seq)| StoredEvent {
            seq,
            at,
            actor: actor.clone(),
            v: EVENT_VERSION,
            event,
        })
        .collect()
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

    /// Every name in [`Event::TYPES`] is a serde tag: a unit-like payload
    /// is enough to check that serde knows the tag.
    #[test]
    fn every_type_is_a_serde_tag() {
        assert_eq!(Event::TYPES.len(), 30);
        for t in Event::TYPES {
            let json = serde_json::json!({ "type": t });
            let err = serde_json::from_value::<Event>(json)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(!err.contains("unknown variant"), "{t}: {err}");
        }
    }

    #[test]
    fn a_time_limit_without_changes_reads_as_legacy() {
        let json = serde_json::json!({
            "type": "time_limit_set",
            "item": "x",
            "category": "civil_society",
            "limit": 1000,
        });
        let e: Event = serde_json::from_value(json.clone()).unwrap_or(Event::TimerPaused);
        assert!(matches!(e, Event::TimeLimitSet { changed: None, .. }));
        assert_eq!(serde_json::to_value(&e).unwrap_or_default(), json);
    }
}
