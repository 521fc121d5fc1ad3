//! A room screen's document: only what its current view shows, in its
//! languages' texts, so the hall's screens receive little.

use serde::{Deserialize, Serialize};

use plenary_core::Meeting;
use plenary_core::display::{ScreenMessage, View};
use plenary_core::i18n::Lang;
use plenary_core::ids::{ScreenGroup, ScreenId};
use plenary_core::interpretation::ChannelFeed;

use super::parts::{self, Heading, NextUp, OnFloor, Schedule};

/// How many people still to speak the current-speaker view's Next strip
/// names (more while nobody speaks, when the strip is all there is), and
/// the speakers-list view lists.
pub(super) const NEXT_STRIP: usize = 3;
pub(super) const NEXT_WHEN_FLOOR_OPEN: usize = 6;
pub(super) const LIST_LENGTH: usize = 12;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ScreenView {
    pub heading: Heading,
    pub screen: ScreenInfo,
    pub content: ScreenContent,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ScreenInfo {
    pub id: ScreenId,
    pub name: String,
    pub location: String,
    pub groups: Vec<ScreenGroup>,
    /// What it shows, and in which languages (first is the main one).
    pub view: View,
    pub languages: Vec<Lang>,
    /// A message shown over the view (full screen in the message view).
    pub message: Option<ScreenMessage>,
    /// Bumped by the technician's "reload": the screen reloads the page.
    pub reloads: u32,
}

/// What the screen's view needs, and nothing else.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "view", rename_all = "snake_case")]
pub enum ScreenContent {
    CurrentSpeaker {
        floor: Option<OnFloor>,
        next: Vec<NextUp>,
    },
    SpeakersList {
        floor: Option<OnFloor>,
        next: Vec<NextUp>,
    },
    RunningOrder {
        schedule: Schedule,
    },
    InterpretationLegend {
        floor_language: Option<Lang>,
        channels: Vec<LegendLine>,
        /// Nobody in the booths has the floor language.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        uninterpreted: bool,
    },
    Message,
    Clock,
    Identify,
    Blank,
}

/// A channel as the hall's legend shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LegendLine {
    pub channel: u8,
    pub language: Lang,
    /// What the channel carries now; none when nobody speaks.
    pub feed: Option<ChannelFeed>,
}

pub(super) fn screen(meeting: &Meeting, id: &ScreenId) -> Option<ScreenView> {
    let definition = &meeting.definition;
    let screen = definition.screens.get(id)?;
    let state = meeting.displays.screens.get(id);
    let view = state.map_or(screen.view, |s| s.view);
    let info = ScreenInfo {
        id: id.clone(),
        name: screen.name.clone(),
        location: screen.location.clone(),
        groups: screen.groups.clone(),
        view,
        languages: state
            .map_or(&screen.languages, |s| &s.languages)
            .as_slice()
            .to_vec(),
        message: state.and_then(|s| s.message.clone()),
        reloads: state.map_or(0, |s| s.reloads),
    };
    let content = match view {
        View::CurrentSpeaker => {
            let floor = parts::current(meeting);
            let shown = if floor.is_some() {
                NEXT_STRIP
            } else {
                NEXT_WHEN_FLOOR_OPEN
            };
            ScreenContent::CurrentSpeaker {
                floor,
                next: parts::next(meeting, shown),
            }
        }
        View::SpeakersList => ScreenContent::SpeakersList {
            floor: parts::current(meeting),
            next: parts::next(meeting, LIST_LENGTH),
        },
        View::RunningOrder => ScreenContent::RunningOrder {
            schedule: parts::schedule(meeting),
        },
        View::InterpretationLegend => {
            let floor_language = meeting.floor_language().cloned();
            let plan = floor_language
                .as_ref()
                .map(|l| meeting.interpretation.plan(definition, l));
            ScreenContent::InterpretationLegend {
                channels: definition
                    .channels
                    .iter()
                    .map(|c| LegendLine {
                        channel: c.number,
                        language: c.language.clone(),
                        feed: plan.as_ref().and_then(|p| p.feed_of(c.number).cloned()),
                    })
                    .collect(),
                uninterpreted: floor_language
                    .as_ref()
                    .is_some_and(|l| !definition.interprets(l)),
                floor_language,
            }
        }
        View::Message => ScreenContent::Message,
        View::Clock => ScreenContent::Clock,
        View::Identify => ScreenContent::Identify,
        View::Blank => ScreenContent::Blank,
    };
    Some(ScreenView {
        heading: parts::heading(meeting),
        screen: info,
        content,
    })
}
