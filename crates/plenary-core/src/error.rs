//! Why a command was refused: a stable machine code and a human message in
//! the meeting's languages. A refusal never changes the state. The texts
//! are the catalogue's (`locales/*.toml`), under the refusal's code.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::command::CommandKind;
use crate::i18n::{Catalogue, Lang, Texts};
use crate::ids::{BoothId, DelegationId, InterpreterId, ItemId, RequestId, ScreenId};
use crate::roles::{Capability, RoleKind};
use crate::rules::RequestKind;

/// The kinds of refusal every surface distinguishes: HTTP statuses follow
/// them (`crates/plenary-server/src/api.rs`), clients decide from them
/// whether retrying can help.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    /// No such thing in this meeting (404).
    NotFound,
    /// This role may not (403).
    Forbidden,
    /// The meeting's present state refuses it (409): it may pass later.
    Conflict,
    /// Malformed or out of range whatever the state (422).
    Invalid,
    /// The service could not do it now; nothing was applied (503).
    Unavailable,
    /// No credentials, or wrong ones (401).
    Unauthenticated,
    /// Too many, too fast (429).
    TooMany,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommandError {
    NotPermitted {
        role: RoleKind,
        command: CommandKind,
    },
    NotYourDelegation {
        delegation: DelegationId,
    },
    NotYourBooth {
        booth: BoothId,
    },
    CapabilityNotPermitted {
        role: RoleKind,
        capability: Capability,
    },
    AccessCodesNotPermitted {
        role: RoleKind,
        /// The role whose codes were asked for; none when the role manages
        /// no codes at all.
        target: Option<RoleKind>,
    },
    NoAccessCodes {
        role: RoleKind,
    },
    LastChairCode,

    UnknownDelegation {
        delegation: DelegationId,
    },
    UnknownItem {
        item: ItemId,
    },
    UnknownRequest {
        request: RequestId,
    },
    UnknownBooth {
        booth: BoothId,
    },
    UnknownScreen {
        screen: ScreenId,
    },
    NoScreens,
    UnknownKind {
        kind: RequestKind,
    },
    UnknownLanguage {
        language: Lang,
    },

    NoCurrentItem,
    ItemNotCurrent {
        item: ItemId,
    },
    ItemAlreadyCurrent {
        item: ItemId,
    },
    NoNextItem,
    NoPreviousItem,

    ListClosed {
        item: ItemId,
    },
    ListAlreadyClosed {
        item: ItemId,
    },
    ListAlreadyOpen {
        item: ItemId,
    },
    AlreadyRequested {
        request: RequestId,
    },
    ReplyLimitReached {
        max: usize,
    },
    RequestNotWaiting {
        request: RequestId,
    },
    RequestStillOpen {
        request: RequestId,
    },
    AlreadyHeard {
        request: RequestId,
    },
    PositionOutOfRange {
        position: usize,
        max: usize,
    },

    NoSpeakerOnFloor,
    /// No change of the floor to take back (none yet, or another since).
    NothingToUndo,
    /// The change is older than the undo window.
    UndoExpired {
        secs: i64,
    },
    /// The floor changed since the sender saw it: nothing was applied.
    Stale {
        /// Who has the floor now.
        speaker: Option<Texts>,
        /// The same speech, with its countdown changed.
        same_speech: bool,
    },
    FloorOccupied {
        delegation: DelegationId,
    },
    PointOfOrderInProgress,
    QueueEmpty,
    TimerNotRunning,
    TimerNotPaused,
    TimeNotUp,
    InvalidDuration,

    NoSchedule {
        item: ItemId,
    },
    UnknownPresenter {
        presenter: DelegationId,
    },
    PresenterNotPending {
        presenter: DelegationId,
    },
    NoPresenterPending,

    NoPartner {
        booth: BoothId,
    },
    HandoverAlreadyRequested {
        booth: BoothId,
    },
    NoHandoverRequested {
        booth: BoothId,
    },
    UnknownInterpreter {
        booth: BoothId,
        interpreter: InterpreterId,
    },
    AlreadyOnMic {
        interpreter: InterpreterId,
    },
    NothingToAcknowledge,
    EmptyMessage,
    NoLanguages,
}

impl CommandError {
    /// The stable machine code, `snake_case`.
    /// What kind of refusal this is, for every surface that must map it
    /// (HTTP statuses, client behaviour). Exhaustive on purpose: a new
    /// refusal must be classed here, it never falls into a default.
    pub fn class(&self) -> ErrorClass {
        use CommandError as E;
        match self {
            E::NotPermitted { .. }
            | E::NotYourDelegation { .. }
            | E::NotYourBooth { .. }
            | E::CapabilityNotPermitted { .. }
            | E::AccessCodesNotPermitted { .. } => ErrorClass::Forbidden,
            E::UnknownDelegation { .. }
            | E::UnknownItem { .. }
            | E::UnknownRequest { .. }
            | E::UnknownBooth { .. }
            | E::UnknownScreen { .. }
            | E::UnknownPresenter { .. }
            | E::UnknownInterpreter { .. } => ErrorClass::NotFound,
            E::UnknownKind { .. }
            | E::UnknownLanguage { .. }
            | E::InvalidDuration
            | E::PositionOutOfRange { .. }
            | E::EmptyMessage
            | E::NoLanguages
            | E::NoScreens
            | E::NoAccessCodes { .. } => ErrorClass::Invalid,
            E::LastChairCode
            | E::NoCurrentItem
            | E::ItemNotCurrent { .. }
            | E::ItemAlreadyCurrent { .. }
            | E::NoNextItem
            | E::NoPreviousItem
            | E::ListClosed { .. }
            | E::ListAlreadyClosed { .. }
            | E::ListAlreadyOpen { .. }
            | E::AlreadyRequested { .. }
            | E::ReplyLimitReached { .. }
            | E::RequestNotWaiting { .. }
            | E::RequestStillOpen { .. }
            | E::AlreadyHeard { .. }
            | E::NoSpeakerOnFloor
            | E::Stale { .. }
            | E::NothingToUndo
            | E::UndoExpired { .. }
            | E::FloorOccupied { .. }
            | E::PointOfOrderInProgress
            | E::QueueEmpty
            | E::TimerNotRunning
            | E::TimerNotPaused
            | E::TimeNotUp
            | E::NoSchedule { .. }
            | E::PresenterNotPending { .. }
            | E::NoPresenterPending
            | E::NoPartner { .. }
            | E::HandoverAlreadyRequested { .. }
            | E::NoHandoverRequested { .. }
            | E::AlreadyOnMic { .. }
            | E::NothingToAcknowledge => ErrorClass::Conflict,
        }
    }

    pub fn code(&self) -> &'static str {
        use CommandError as E;
        match self {
            E::NotPermitted { .. } => "not_permitted",
            E::NotYourDelegation { .. } => "not_your_delegation",
            E::NotYourBooth { .. } => "not_your_booth",
            E::CapabilityNotPermitted { .. } => "capability_not_permitted",
            E::AccessCodesNotPermitted { .. } => "access_codes_not_permitted",
            E::NoAccessCodes { .. } => "no_access_codes",
            E::LastChairCode => "last_chair_code",
            E::UnknownDelegation { .. } => "unknown_delegation",
            E::UnknownItem { .. } => "unknown_item",
            E::UnknownRequest { .. } => "unknown_request",
            E::UnknownBooth { .. } => "unknown_booth",
            E::UnknownScreen { .. } => "unknown_screen",
            E::NoScreens => "no_screens",
            E::UnknownKind { .. } => "unknown_kind",
            E::UnknownLanguage { .. } => "unknown_language",
            E::NoCurrentItem => "no_current_item",
            E::ItemNotCurrent { .. } => "item_not_current",
            E::ItemAlreadyCurrent { .. } => "item_already_current",
            E::NoNextItem => "no_next_item",
            E::NoPreviousItem => "no_previous_item",
            E::ListClosed { .. } => "list_closed",
            E::ListAlreadyClosed { .. } => "list_already_closed",
            E::ListAlreadyOpen { .. } => "list_already_open",
            E::AlreadyRequested { .. } => "already_requested",
            E::ReplyLimitReached { .. } => "reply_limit_reached",
            E::RequestNotWaiting { .. } => "request_not_waiting",
            E::RequestStillOpen { .. } => "request_still_open",
            E::AlreadyHeard { .. } => "already_heard",
            E::PositionOutOfRange { .. } => "position_out_of_range",
            E::NoSpeakerOnFloor => "no_speaker_on_floor",
            E::Stale { .. } => "stale",
            E::NothingToUndo => "nothing_to_undo",
            E::UndoExpired { .. } => "undo_expired",
            E::FloorOccupied { .. } => "floor_occupied",
            E::PointOfOrderInProgress => "point_of_order_in_progress",
            E::QueueEmpty => "queue_empty",
            E::TimerNotRunning => "timer_not_running",
            E::TimerNotPaused => "timer_not_paused",
            E::TimeNotUp => "time_not_up",
            E::InvalidDuration => "invalid_duration",
            E::NoSchedule { .. } => "no_schedule",
            E::UnknownPresenter { .. } => "unknown_presenter",
            E::PresenterNotPending { .. } => "presenter_not_pending",
            E::NoPresenterPending => "no_presenter_pending",
            E::NoPartner { .. } => "no_partner",
            E::HandoverAlreadyRequested { .. } => "handover_already_requested",
            E::NoHandoverRequested { .. } => "no_handover_requested",
            E::UnknownInterpreter { .. } => "unknown_interpreter",
            E::AlreadyOnMic { .. } => "already_on_mic",
            E::NothingToAcknowledge => "nothing_to_acknowledge",
            E::EmptyMessage => "empty_message",
            E::NoLanguages => "no_languages",
        }
    }

    /// The catalogue key of the message: the code, but for a refusal of
    /// every access code at once.
    fn key(&self) -> &'static str {
        match self {
            CommandError::AccessCodesNotPermitted { target: None, .. } => {
                "access_codes_not_permitted_any"
            }
            CommandError::Stale {
                same_speech: true, ..
            } => "stale_countdown",
            CommandError::Stale { speaker: None, .. } => "stale_nobody",
            other => other.code(),
        }
    }

    /// The message's parameters, as the catalogue names them. Words that
    /// are themselves texts (a capability) are looked up in `lang`.
    fn args(&self, lang: &Lang) -> Vec<(&'static str, String)> {
        use CommandError as E;
        let s = |v: &dyn fmt::Display| v.to_string();
        match self {
            E::NotPermitted { role, command } => vec![("role", s(role)), ("command", s(command))],
            E::NotYourDelegation { delegation } => vec![("delegation", s(delegation))],
            E::NotYourBooth { booth }
            | E::UnknownBooth { booth }
            | E::NoPartner { booth }
            | E::HandoverAlreadyRequested { booth }
            | E::NoHandoverRequested { booth } => vec![("booth", s(booth))],
            E::UnknownInterpreter { booth, interpreter } => {
                vec![("booth", s(booth)), ("interpreter", s(interpreter))]
            }
            E::AlreadyOnMic { interpreter } => vec![("interpreter", s(interpreter))],
            E::CapabilityNotPermitted { role, capability } => vec![
                ("role", s(role)),
                (
                    "capability",
                    Catalogue::get().text(lang, capability_key(*capability), &[]),
                ),
            ],
            E::AccessCodesNotPermitted { role, target } => {
                let mut args = vec![("role", s(role))];
                if let Some(target) = target {
                    args.push(("target", s(target)));
                }
                args
            }
            E::NoAccessCodes { role } => vec![("role", s(role))],
            E::UnknownDelegation { delegation } | E::FloorOccupied { delegation } => {
                vec![("delegation", s(delegation))]
            }
            E::UnknownItem { item }
            | E::ItemNotCurrent { item }
            | E::ItemAlreadyCurrent { item }
            | E::ListClosed { item }
            | E::ListAlreadyClosed { item }
            | E::ListAlreadyOpen { item }
            | E::NoSchedule { item } => vec![("item", s(item))],
            E::UnknownRequest { request }
            | E::AlreadyRequested { request }
            | E::RequestNotWaiting { request }
            | E::RequestStillOpen { request }
            | E::AlreadyHeard { request } => vec![("request", s(request))],
            E::UnknownScreen { screen } => vec![("screen", s(screen))],
            E::UnknownKind { kind } => vec![("kind", s(kind))],
            E::UnknownLanguage { language } => vec![("language", s(language))],
            E::ReplyLimitReached { max } => vec![("max", s(max))],
            E::UndoExpired { secs } => vec![("secs", s(secs))],
            E::Stale { speaker, .. } => match speaker {
                Some(name) => vec![(
                    "name",
                    name.get(lang)
                        .or_else(|| name.0.values().next().map(String::as_str))
                        .unwrap_or_default()
                        .to_owned(),
                )],
                None => Vec::new(),
            },
            E::PositionOutOfRange { position, max } => {
                vec![("position", s(position)), ("max", s(max))]
            }
            E::UnknownPresenter { presenter } | E::PresenterNotPending { presenter } => {
                vec![("presenter", s(presenter))]
            }
            E::LastChairCode
            | E::NoScreens
            | E::NoCurrentItem
            | E::NoNextItem
            | E::NoPreviousItem
            | E::NoSpeakerOnFloor
            | E::NothingToUndo
            | E::PointOfOrderInProgress
            | E::QueueEmpty
            | E::TimerNotRunning
            | E::TimerNotPaused
            | E::TimeNotUp
            | E::InvalidDuration
            | E::NoPresenterPending
            | E::NothingToAcknowledge
            | E::EmptyMessage
            | E::NoLanguages => Vec::new(),
        }
    }

    /// The message in `lang` (languages the catalogue lacks get English).
    pub fn message(&self, lang: &Lang) -> String {
        let args = self.args(lang);
        let args: Vec<(&str, &dyn fmt::Display)> = args
            .iter()
            .map(|(name, value)| (*name, value as &dyn fmt::Display))
            .collect();
        Catalogue::get().text(lang, self.key(), &args)
    }

    /// The message in each of `languages` (English alone when none is
    /// given).
    pub fn messages(&self, languages: &[Lang]) -> Texts {
        let mut texts = Texts::new();
        for lang in languages {
            texts.0.insert(lang.clone(), self.message(lang));
        }
        if texts.is_empty() {
            texts
                .0
                .insert(Lang::english(), self.message(&Lang::english()));
        }
        texts
    }
}

/// The English message: logs, and the wire's `message` before a meeting's
/// languages are known.
impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(&Lang::english()))
    }
}

impl std::error::Error for CommandError {}

fn capability_key(capability: Capability) -> &'static str {
    match capability {
        Capability::ExportMinutes => "capability.export_minutes",
        Capability::SeePresence => "capability.see_presence",
    }
}

/// On the wire: `{ "code": "list_closed", "message": "…" }` in English;
/// servers use [`CommandError::messages`] for the meeting's languages.
impl Serialize for CommandError {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("CommandError", 2)?;
        st.serialize_field("code", self.code())?;
        st.serialize_field("message", &self.to_string())?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::parameters;

    /// The codes `CommandError::code` returns, read from its source: a new
    /// refusal is seen here without being listed.
    fn codes_in_source() -> Vec<&'static str> {
        let source = include_str!("error.rs");
        let start = source.find("pub fn code(&self)").unwrap();
        let end = start + source[start..].find("\n    }\n").unwrap();
        source[start..end]
            .lines()
            .filter_map(|line| line.split("=> \"").nth(1))
            .filter_map(|rest| rest.split('"').next())
            .collect()
    }

    #[test]
    fn every_refusal_has_a_text_in_every_language() {
        let codes = codes_in_source();
        assert_eq!(codes.len(), 52, "{codes:?}");
        let catalogue = Catalogue::get();
        for language in catalogue.languages() {
            let texts = catalogue.entries(language).unwrap();
            for code in codes
                .iter()
                .copied()
                .chain(["access_codes_not_permitted_any"])
            {
                assert!(texts.contains_key(code), "{language} lacks `{code}`");
            }
        }
    }

    #[test]
    fn messages_fill_every_parameter() {
        use crate::ids::{DelegationId, ItemId, RequestId};
        let es = Lang::parse("es").unwrap();
        let examples = [
            CommandError::NotPermitted {
                role: RoleKind::Delegation,
                command: CommandKind::CallNext,
            },
            CommandError::CapabilityNotPermitted {
                role: RoleKind::Delegation,
                capability: Capability::ExportMinutes,
            },
            CommandError::AccessCodesNotPermitted {
                role: RoleKind::Technician,
                target: Some(RoleKind::Chair),
            },
            CommandError::AccessCodesNotPermitted {
                role: RoleKind::Delegation,
                target: None,
            },
            CommandError::UnknownItem {
                item: ItemId::new("item-3"),
            },
            CommandError::AlreadyRequested {
                request: RequestId(4),
            },
            CommandError::PositionOutOfRange {
                position: 9,
                max: 3,
            },
            CommandError::FloorOccupied {
                delegation: DelegationId::new("hn"),
            },
        ];
        for e in &examples {
            for lang in [Lang::english(), es.clone()] {
                let text = e.message(&lang);
                assert!(parameters(&text).is_empty(), "{lang} {}: {text}", e.code());
            }
        }
        assert_eq!(
            examples[1].to_string(),
            "the delegation role may not export the minutes"
        );
        assert_eq!(
            examples[1].message(&es),
            "el rol delegation no puede exportar el acta"
        );
        assert_eq!(
            examples[4].message(&es),
            "no existe el punto del orden del día `item-3`"
        );
        assert_eq!(
            examples[5].messages(&[]).get(&Lang::english()),
            Some("this delegation already has request #4 open on this item")
        );
    }
}
