//! The meeting definition: who takes part, the agenda, the interpretation
//! set-up, the screens and the rules. Loaded once from a TOML file
//! ([`load`]) and carried by the first event of every meeting, so a replay
//! needs nothing else.

mod load;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use load::{DefinitionError, DefinitionErrorCode, load_str};

use crate::display::{ScreenLanguages, View};
use crate::error::CommandError;
use crate::i18n::{Lang, Texts};
use crate::ids::{BoothId, DelegationId, InterpreterId, ItemId, MeetingId, ScreenGroup, ScreenId};
use crate::roles::Role;
use crate::roster::{Keyed, Roster};
use crate::rules::{Category, Rules};
use crate::time::{Millis, Timestamp};
use crate::zone::ZoneName;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MeetingDefinition {
    pub id: MeetingId,
    pub title: Texts,
    pub venue: Texts,
    /// The languages of the meeting: interface and floor languages. The
    /// first is the meeting's main language.
    pub languages: Vec<Lang>,
    /// Where the meeting takes place, as an IANA zone: every human-facing
    /// time is shown in it (UTC when the file names none).
    #[serde(default)]
    pub time_zone: ZoneName,
    /// Whether the public view (running order and speakers, read only)
    /// needs no access code.
    pub public_view_open: bool,
    pub delegations: Roster<Delegation>,
    pub agenda: Roster<ItemDefinition>,
    /// Channels 1..n, one language each; channel 0 (the floor) is implicit.
    pub channels: Vec<Channel>,
    pub booths: Roster<BoothDefinition>,
    pub screens: Roster<ScreenDefinition>,
    pub rules: Rules,
}

impl MeetingDefinition {
    pub fn delegation(&self, id: &DelegationId) -> Option<&Delegation> {
        self.delegations.get(id)
    }

    /// A delegation's name, or its id when the definition does not know it.
    pub fn name_of(&self, id: &DelegationId) -> Texts {
        self.delegation(id)
            .map(|d| d.name.clone())
            .unwrap_or_else(|| Texts::new().with("en", id.to_string()))
    }

    pub fn item(&self, id: &ItemId) -> Option<&ItemDefinition> {
        self.agenda.get(id)
    }

    pub fn booth(&self, id: &BoothId) -> Option<&BoothDefinition> {
        self.booths.get(id)
    }

    pub fn channel_language(&self, number: u8) -> Option<&Lang> {
        self.channels
            .iter()
            .find(|c| c.number == number)
            .map(|c| &c.language)
    }

    /// Screens in a group, in definition order.
    pub fn screens_in(&self, group: &ScreenGroup) -> Vec<ScreenId> {
        self.screens
            .iter()
            .filter(|s| s.groups.contains(group))
            .map(|s| s.id.clone())
            .collect()
    }

    /// Whether the delegation, booth or screen a role is bound to is part of
    /// this meeting (roles bound to nothing always are).
    pub fn knows(&self, role: &Role) -> bool {
        self.must_know(role).is_ok()
    }

    /// [`MeetingDefinition::knows`], refusing with the `unknown_delegation`,
    /// `unknown_booth` or `unknown_screen` the role names.
    pub fn must_know(&self, role: &Role) -> Result<(), CommandError> {
        match role {
            Role::Delegation { delegation } if self.delegation(delegation).is_none() => {
                Err(CommandError::UnknownDelegation {
                    delegation: delegation.clone(),
                })
            }
            Role::Interpreter { booth } if self.booth(booth).is_none() => {
                Err(CommandError::UnknownBooth {
                    booth: booth.clone(),
                })
            }
            Role::Screen { screen } if self.screens.get(screen).is_none() => {
                Err(CommandError::UnknownScreen {
                    screen: screen.clone(),
                })
            }
            _ => Ok(()),
        }
    }

    /// Whether some interpreter has `lang` (on its primary subtag). A
    /// meeting without booths interprets nothing and flags nothing.
    pub fn interprets(&self, lang: &Lang) -> bool {
        self.booths.is_empty()
            || self
                .booths
                .iter()
                .flat_map(|b| &b.interpreters)
                .any(|i| i.knows(lang))
    }

    /// The languages a console suggests to a speaker: the meeting's, the
    /// channels' and any an interpreter works from, in that order, repeats
    /// included. Any other BCP 47 language may be declared as well: these
    /// decide coverage, not admission.
    pub fn known_languages(&self) -> impl Iterator<Item = &Lang> {
        self.languages
            .iter()
            .chain(self.channels.iter().map(|c| &c.language))
            .chain(
                self.booths
                    .iter()
                    .flat_map(|b| &b.interpreters)
                    .flat_map(|i| i.a.iter().chain(&i.b).chain(&i.c)),
            )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Delegation {
    pub id: DelegationId,
    pub name: Texts,
    pub category: Category,
    /// The language it normally speaks; each request may declare another.
    pub floor_language: Lang,
    pub seat: Option<String>,
}

impl Keyed for Delegation {
    type Key = DelegationId;
    fn key(&self) -> &DelegationId {
        &self.id
    }
}

/// What happens during an agenda item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Opening,
    /// A schedule of presenters with allotted times (national plans).
    Presentations,
    /// An open debate on a speakers list.
    Debate,
    Adoption,
    Break,
    Closing,
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ItemDefinition {
    pub id: ItemId,
    pub kind: ItemKind,
    pub title: Texts,
    /// When the item is planned to start. Items without one follow the
    /// previous item's planned end.
    pub planned_start: Option<Timestamp>,
    pub planned_duration: Millis,
    /// Statement limits for this item, overriding the rules.
    pub time_limits: BTreeMap<Category, Millis>,
    /// Whether the speakers list takes requests from the start.
    pub list_open: bool,
    /// The presenters, in order (for `presentations` items).
    pub schedule: Vec<Presenter>,
}

impl Keyed for ItemDefinition {
    type Key = ItemId;
    fn key(&self) -> &ItemId {
        &self.id
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Presenter {
    pub delegation: DelegationId,
    pub allotted: Millis,
    /// The language of the presentation; the delegation's by default.
    pub language: Option<Lang>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Channel {
    pub number: u8,
    pub language: Lang,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BoothDefinition {
    pub id: BoothId,
    pub name: Texts,
    /// The channel it feeds; its output language is that channel's.
    pub channel: u8,
    pub output: Lang,
    /// Everyone on duty in the booth; the first starts on the mic.
    pub interpreters: Vec<Interpreter>,
}

impl Keyed for BoothDefinition {
    type Key = BoothId;
    fn key(&self) -> &BoothId {
        &self.id
    }
}

/// An interpreter's languages in AIIC classes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Interpreter {
    pub id: InterpreterId,
    pub name: String,
    /// Mother tongue(s): works into them from B and C.
    pub a: Vec<Lang>,
    /// Active foreign languages: works into them from A only ("retour").
    pub b: Vec<Lang>,
    /// Passive languages: understood, never worked into.
    pub c: Vec<Lang>,
}

/// An AIIC language class.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum LanguageClass {
    A,
    B,
    C,
}

impl Interpreter {
    /// The class in which this interpreter has `lang`, matched on the
    /// primary subtag (an `es` interpreter serves `es-HN`).
    pub fn class_of(&self, lang: &Lang) -> Option<LanguageClass> {
        let has = |langs: &[Lang]| langs.iter().any(|l| l.same_language(lang));
        if has(&self.a) {
            Some(LanguageClass::A)
        } else if has(&self.b) {
            Some(LanguageClass::B)
        } else if has(&self.c) {
            Some(LanguageClass::C)
        } else {
            None
        }
    }

    pub fn knows(&self, lang: &Lang) -> bool {
        self.class_of(lang).is_some()
    }

    /// AIIC directions: into A from B or C; into B from A only; never into C.
    pub fn can_interpret(&self, from: &Lang, into: &Lang) -> bool {
        if from.same_language(into) {
            return false;
        }
        match (self.class_of(from), self.class_of(into)) {
            (Some(LanguageClass::B | LanguageClass::C), Some(LanguageClass::A)) => true,
            (Some(LanguageClass::A), Some(LanguageClass::B)) => true,
            // Two A languages (bilingual interpreters) work both ways.
            (Some(LanguageClass::A), Some(LanguageClass::A)) => true,
            _ => false,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ScreenDefinition {
    pub id: ScreenId,
    pub name: String,
    pub location: String,
    pub groups: Vec<ScreenGroup>,
    /// What it shows until a technician assigns something else.
    pub view: View,
    pub languages: ScreenLanguages,
}

impl Keyed for ScreenDefinition {
    type Key = ScreenId;
    fn key(&self) -> &ScreenId {
        &self.id
    }
}
