//! The relay (pivot) plan: for a floor language, which booth feeds each
//! channel, whether it works from the floor or takes relay from another
//! booth, and how far removed from the original that is.
//!
//! AIIC rules decide who can work: into A from B or C, into B from A only,
//! never into C ([`crate::definition::Interpreter::can_interpret`]). Booths
//! working straight from the floor are preferred; then one relay; a double
//! relay is used only when nothing closer exists, and flagged.

use serde::{Deserialize, Serialize};

use crate::definition::{Interpreter, LanguageClass, MeetingDefinition};
use crate::i18n::Lang;
use crate::ids::{BoothId, InterpreterId};

/// How far a channel's output is from the original.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Depth {
    /// Interpreted straight from the floor.
    Floor,
    /// From another booth's interpretation (`+` on consoles).
    OneRelay,
    /// From a booth that itself takes relay (`–`): to be avoided.
    DoubleRelay,
}

/// Where a booth takes its input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum Source {
    Floor,
    Relay { booth: BoothId },
}

/// What a channel carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "feed", rename_all = "snake_case")]
pub enum ChannelFeed {
    /// The channel's language is being spoken: it carries the floor.
    FloorIsThisLanguage,
    /// No booth works into this channel: it carries the floor ("auto floor").
    NoBooth,
    /// The booth cannot cover the floor language, even by relay: the
    /// channel carries the floor and listeners lose the speech.
    Uncovered { booth: BoothId },
    /// A booth is live.
    Booth {
        booth: BoothId,
        source: Source,
        depth: Depth,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ChannelPlan {
    pub channel: u8,
    pub language: Lang,
    pub feed: ChannelFeed,
}

/// Something the chair and technician must see before it happens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "warning", rename_all = "snake_case")]
pub enum InterpretationWarning {
    /// Listeners of this channel will not get the speech in their language.
    Uncovered { channel: u8, language: Lang },
    /// This channel would be two interpretations removed from the original.
    DoubleRelay { channel: u8, booth: BoothId },
    /// The interpreter on the mic would be working into a language that is
    /// not their A or B: never allowed.
    IntoCLanguage {
        booth: BoothId,
        interpreter: InterpreterId,
        language: Lang,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RelayPlan {
    pub floor_language: Lang,
    pub channels: Vec<ChannelPlan>,
    pub warnings: Vec<InterpretationWarning>,
}

impl RelayPlan {
    pub fn feed_of(&self, channel: u8) -> Option<&ChannelFeed> {
        self.channels
            .iter()
            .find(|c| c.channel == channel)
            .map(|c| &c.feed)
    }
}

/// Derives the plan. `on_mic` gives the interpreter working in each booth.
pub fn plan<'d>(
    definition: &'d MeetingDefinition,
    floor: &Lang,
    on_mic: impl Fn(&BoothId) -> Option<&'d Interpreter>,
) -> RelayPlan {
    let mut warnings = Vec::new();
    // Booths that must work (their language is not the floor's), with the
    // interpreter on the mic.
    let mut todo: Vec<(&BoothId, &Lang, &Interpreter)> = Vec::new();
    for booth in &definition.booths {
        let Some(interpreter) = on_mic(&booth.id) else {
            continue;
        };
        if !matches!(
            interpreter.class_of(&booth.output),
            Some(LanguageClass::A | LanguageClass::B)
        ) {
            warnings.push(InterpretationWarning::IntoCLanguage {
                booth: booth.id.clone(),
                interpreter: interpreter.id.clone(),
                language: booth.output.clone(),
            });
        }
        if !booth.output.same_language(floor) {
            todo.push((&booth.id, &booth.output, interpreter));
        }
    }

    // Breadth first: from the floor, then from booths working from the
    // floor, then from those taking relay.
    let mut assigned: Vec<(BoothId, Lang, Source, Depth)> = Vec::new();
    let mut frontier: Vec<(BoothId, Lang)> = Vec::new();
    for depth in [Depth::Floor, Depth::OneRelay, Depth::DoubleRelay] {
        let mut next_frontier = Vec::new();
        todo.retain(|(booth, output, interpreter)| {
            let source = if depth == Depth::Floor {
                interpreter
                    .can_interpret(floor, output)
                    .then_some(Source::Floor)
            } else {
                frontier
                    .iter()
                    .find(|(_, pivot)| interpreter.can_interpret(pivot, output))
                    .map(|(pivot_booth, _)| Source::Relay {
                        booth: pivot_booth.clone(),
                    })
            };
            match source {
                Some(source) => {
                    assigned.push(((*booth).clone(), (*output).clone(), source, depth));
                    next_frontier.push(((*booth).clone(), (*output).clone()));
                    false
                }
                None => true,
            }
        });
        frontier = next_frontier;
    }

    let channels = definition
        .channels
        .iter()
        .map(|c| {
            let booth = definition.booths.iter().find(|b| b.channel == c.number);
            let feed = if c.language.same_language(floor) {
                ChannelFeed::FloorIsThisLanguage
            } else if let Some(booth) = booth {
                match assigned.iter().find(|(b, ..)| *b == booth.id) {
                    Some((b, _, source, depth)) => {
                        if *depth == Depth::DoubleRelay {
                            warnings.push(InterpretationWarning::DoubleRelay {
                                channel: c.number,
                                booth: b.clone(),
                            });
                        }
                        ChannelFeed::Booth {
                            booth: b.clone(),
                            source: source.clone(),
                            depth: *depth,
                        }
                    }
                    None => {
                        warnings.push(InterpretationWarning::Uncovered {
                            channel: c.number,
                            language: c.language.clone(),
                        });
                        ChannelFeed::Uncovered {
                            booth: booth.id.clone(),
                        }
                    }
                }
            } else {
                warnings.push(InterpretationWarning::Uncovered {
                    channel: c.number,
                    language: c.language.clone(),
                });
                ChannelFeed::NoBooth
            };
            ChannelPlan {
                channel: c.number,
                language: c.language.clone(),
                feed,
            }
        })
        .collect();

    RelayPlan {
        floor_language: floor.clone(),
        channels,
        warnings,
    }
}
