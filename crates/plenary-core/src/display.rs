//! Room displays: which view each screen shows, in which language(s), and
//! the messages pushed to them. The display commands are decided
//! (`decide_*`) and applied (`apply_*`) here.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::decide::Decider;
use crate::definition::MeetingDefinition;
use crate::error::CommandError;
use crate::event::Event;
use crate::i18n::{Lang, Texts};
use crate::ids::{ScreenGroup, ScreenId};
use crate::meeting::Meeting;
use crate::time::Timestamp;

/// What a screen shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum View {
    /// The speaker with delegation and the big countdown.
    CurrentSpeaker,
    SpeakersList,
    RunningOrder,
    /// Channel → language, relay marked.
    InterpretationLegend,
    /// The pushed message, full screen.
    Message,
    Clock,
    /// The screen's own id, huge, so a technician can tell which is which.
    Identify,
    Blank,
}

impl View {
    pub const ALL: [View; 8] = [
        View::CurrentSpeaker,
        View::SpeakersList,
        View::RunningOrder,
        View::InterpretationLegend,
        View::Message,
        View::Clock,
        View::Identify,
        View::Blank,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            View::CurrentSpeaker => "current_speaker",
            View::SpeakersList => "speakers_list",
            View::RunningOrder => "running_order",
            View::InterpretationLegend => "interpretation_legend",
            View::Message => "message",
            View::Clock => "clock",
            View::Identify => "identify",
            View::Blank => "blank",
        }
    }

    pub fn parse(s: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// One language, or several side by side (a bilingual screen). Never empty.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Lang>", into = "Vec<Lang>")]
pub struct ScreenLanguages(Vec<Lang>);

impl ScreenLanguages {
    pub fn new(langs: Vec<Lang>) -> Option<Self> {
        let mut unique: Vec<Lang> = Vec::with_capacity(langs.len());
        for l in langs {
            if !unique.contains(&l) {
                unique.push(l);
            }
        }
        (!unique.is_empty()).then_some(ScreenLanguages(unique))
    }

    pub fn as_slice(&self) -> &[Lang] {
        &self.0
    }
}

impl TryFrom<Vec<Lang>> for ScreenLanguages {
    type Error = &'static str;
    fn try_from(v: Vec<Lang>) -> Result<Self, Self::Error> {
        ScreenLanguages::new(v).ok_or("a screen needs at least one language")
    }
}

impl From<ScreenLanguages> for Vec<Lang> {
    fn from(s: ScreenLanguages) -> Vec<Lang> {
        s.0
    }
}

/// Which screens a display command is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum ScreenTarget {
    Screen(ScreenId),
    Group(ScreenGroup),
    All,
}

impl ScreenTarget {
    /// The screens meant, in definition order; empty when nothing matches.
    pub fn resolve(&self, definition: &MeetingDefinition) -> Vec<ScreenId> {
        match self {
            ScreenTarget::Screen(id) => definition
                .screens
                .get(id)
                .map(|s| vec![s.id.clone()])
                .unwrap_or_default(),
            ScreenTarget::Group(group) => definition.screens_in(group),
            ScreenTarget::All => definition.screens.iter().map(|s| s.id.clone()).collect(),
        }
    }
}

/// A message shown over (or instead of) a screen's view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ScreenMessage {
    pub text: Texts,
    pub since: Timestamp,
}

/// What one screen is told to show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ScreenState {
    pub view: View,
    pub languages: ScreenLanguages,
    pub message: Option<ScreenMessage>,
    /// Bumped on each reload request; a screen reloads when it changes.
    pub reloads: u32,
}

/// Every screen's assignment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Displays {
    pub screens: BTreeMap<ScreenId, ScreenState>,
}

impl Displays {
    pub fn from_definition(definition: &MeetingDefinition) -> Self {
        let screens = definition
            .screens
            .iter()
            .map(|s| {
                (
                    s.id.clone(),
                    ScreenState {
                        view: s.view,
                        languages: s.languages.clone(),
                        message: None,
                        reloads: 0,
                    },
                )
            })
            .collect();
        Displays { screens }
    }

    pub fn assign(
        &mut self,
        screens: &[ScreenId],
        view: View,
        languages: Option<&ScreenLanguages>,
    ) {
        for id in screens {
            if let Some(s) = self.screens.get_mut(id) {
                s.view = view;
                if let Some(languages) = languages {
                    s.languages = languages.clone();
                }
            }
        }
    }

    pub fn set_message(&mut self, screens: &[ScreenId], message: Option<&ScreenMessage>) {
        for id in screens {
            if let Some(s) = self.screens.get_mut(id) {
                s.message = message.cloned();
            }
        }
    }

    pub fn reload(&mut self, screens: &[ScreenId]) {
        for id in screens {
            if let Some(s) = self.screens.get_mut(id) {
                s.reloads += 1;
            }
        }
    }
}

// --- Rules: views, languages, messages -----------------------------------------

/// The screens `target` names, refused when it names none.
fn screens(d: &Decider<'_>, target: &ScreenTarget) -> Result<Vec<ScreenId>, CommandError> {
    let screens = target.resolve(&d.meeting.definition);
    match (screens.is_empty(), target) {
        (true, ScreenTarget::Screen(screen)) => Err(CommandError::UnknownScreen {
            screen: screen.clone(),
        }),
        (true, _) => Err(CommandError::NoScreens),
        (false, _) => Ok(screens),
    }
}

/// A view, and optionally languages — the meeting's only, at least one.
pub(crate) fn decide_assign_view(
    d: &Decider<'_>,
    target: &ScreenTarget,
    view: View,
    languages: Option<&[Lang]>,
) -> Result<Vec<Event>, CommandError> {
    let screens = screens(d, target)?;
    let languages = match languages {
        None => None,
        Some(list) => {
            for l in list {
                d.known_language(l)?;
            }
            Some(ScreenLanguages::new(list.to_vec()).ok_or_else(|| {
                CommandError::UnknownLanguage {
                    language: d.main_language(),
                }
            })?)
        }
    };
    Ok(vec![Event::ViewAssigned {
        screens,
        view,
        languages,
    }])
}

/// A message with a text in at least one language.
pub(crate) fn decide_push_message(
    d: &Decider<'_>,
    target: &ScreenTarget,
    text: &Texts,
) -> Result<Vec<Event>, CommandError> {
    let screens = screens(d, target)?;
    if text.0.values().all(|t| t.trim().is_empty()) {
        return Err(CommandError::EmptyMessage);
    }
    Ok(vec![Event::MessagePushed {
        screens,
        text: text.clone(),
    }])
}

pub(crate) fn decide_clear_message(
    d: &Decider<'_>,
    target: &ScreenTarget,
) -> Result<Vec<Event>, CommandError> {
    Ok(vec![Event::MessageCleared {
        screens: screens(d, target)?,
    }])
}

pub(crate) fn decide_reload_screens(
    d: &Decider<'_>,
    target: &ScreenTarget,
) -> Result<Vec<Event>, CommandError> {
    Ok(vec![Event::ScreensReloaded {
        screens: screens(d, target)?,
    }])
}

// --- Applying -----------------------------------------------------------------

pub(crate) fn apply_view_assigned(
    m: &mut Meeting,
    screens: &[ScreenId],
    view: View,
    languages: Option<&ScreenLanguages>,
) {
    m.displays.assign(screens, view, languages);
}

pub(crate) fn apply_message_pushed(
    m: &mut Meeting,
    screens: &[ScreenId],
    text: &Texts,
    at: Timestamp,
) {
    let message = ScreenMessage {
        text: text.clone(),
        since: at,
    };
    m.displays.set_message(screens, Some(&message));
}

pub(crate) fn apply_message_cleared(m: &mut Meeting, screens: &[ScreenId]) {
    m.displays.set_message(screens, None);
}

pub(crate) fn apply_screens_reloaded(m: &mut Meeting, screens: &[ScreenId]) {
    m.displays.reload(screens);
}
