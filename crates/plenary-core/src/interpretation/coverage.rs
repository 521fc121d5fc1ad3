//! Coverage: how the booths, judged by *all* their interpreters and not only
//! the one on the mic, can best serve a language, and what the booths should
//! do about it before the speaker starts.
//!
//! For each speaker (the one on the floor, then the next ones in calling
//! order) every way of staffing the booths is tried: each booth with each of
//! its interpreters on the mic. Each staffing gets the relay plan of
//! [`super::relay::plan`] and a [`Score`], compared in this order:
//!
//! 1. the quality of every channel, summed ([`channel_cost`]): straight from
//!    the floor, then one relay, then a double relay, then a retour (an
//!    interpreter working into their B language), and an uncovered channel
//!    worst of all; a handover in the middle of a speech costs as much as a
//!    relay step;
//! 2. the interpreters' turns: how many would be past their duty before the
//!    speaker ends, or back on the mic before their rest is over;
//! 3. how many handovers it takes.
//!
//! Ties keep the booths as they are. The staffing chosen for one speaker is
//! the starting point for the next, so the look-ahead is a plan for a shift,
//! not a set of independent guesses.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Interpretation;
use super::relay::{self, ChannelFeed, ChannelPlan, Depth, InterpretationWarning, Source};
use crate::definition::{Interpreter, LanguageClass, MeetingDefinition};
use crate::i18n::Lang;
use crate::ids::{BoothId, InterpreterId};
use crate::time::{Millis, Timestamp};

/// More staffings than this and only those that change one booth are tried.
const MAX_STAFFINGS: usize = 4096;

/// What a channel's quality costs in a [`Score`].
fn channel_cost(feed: &ChannelFeed, retour: bool) -> u32 {
    let depth = |d: &Depth| match d {
        Depth::Floor => 0,
        Depth::OneRelay => 1,
        Depth::DoubleRelay => 3,
    };
    match feed {
        ChannelFeed::FloorIsThisLanguage | ChannelFeed::NoBooth => 0,
        ChannelFeed::Booth { depth: d, .. } if retour => 6 + depth(d),
        ChannelFeed::Booth { depth: d, .. } => depth(d),
        ChannelFeed::Uncovered { .. } => 20,
    }
}

/// What a handover in the middle of a speech costs: one relay step.
const MID_SPEECH_HANDOVER: u32 = 1;

/// Someone to plan for: the speaker on the floor or one still to come.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Turn<'a> {
    pub language: &'a Lang,
    /// When they start (now, for the speaker on the floor).
    pub starts: Timestamp,
    /// When they are expected to end.
    pub ends: Timestamp,
    /// Speaking now: a handover would happen mid-speech.
    pub on_floor: bool,
}

/// The interpreters' turns: how long on the mic, how long off it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shifts {
    pub duty: Millis,
    pub rest: Millis,
}

/// What one booth should do for a speaker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "advice", rename_all = "snake_case")]
pub enum Advice {
    /// Nobody in any booth has this language: no channel can carry it.
    NoInterpreter { language: Lang },
    /// Hand the mic to `to`, who has `language` (the language they will
    /// take: the floor's or the relay's) as `class`.
    HandOver {
        booth: BoothId,
        from: InterpreterId,
        to: InterpreterId,
        language: Lang,
        class: LanguageClass,
        /// The speaker is already on the floor.
        mid_speech: bool,
    },
    /// Take the signal from another booth's channel.
    TakeRelay {
        booth: BoothId,
        pivot: BoothId,
        depth: Depth,
        /// The booth already takes this relay, for the speaker before (or,
        /// for the one on the floor, now): nothing to change.
        #[serde(default)]
        already: bool,
    },
    /// The interpreter works into their B language.
    Retour {
        booth: BoothId,
        interpreter: InterpreterId,
    },
    /// Even at best this booth cannot serve its channel.
    Uncovered { booth: BoothId, channel: u8 },
}

impl Advice {
    /// The booth it is addressed to, if any.
    pub fn booth(&self) -> Option<&BoothId> {
        match self {
            Advice::NoInterpreter { .. } => None,
            Advice::HandOver { booth, .. }
            | Advice::TakeRelay { booth, .. }
            | Advice::Retour { booth, .. }
            | Advice::Uncovered { booth, .. } => Some(booth),
        }
    }
}

/// An interpreter's turn the advice would break.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "duty", rename_all = "snake_case")]
pub enum DutyWarning {
    /// Still on the mic when their turn is over.
    PastTurn {
        booth: BoothId,
        interpreter: InterpreterId,
        turn_ends_at: Timestamp,
    },
    /// Back on the mic before their rest is over.
    BeforeRest {
        booth: BoothId,
        interpreter: InterpreterId,
        rested_at: Timestamp,
    },
}

impl DutyWarning {
    /// The booth whose interpreter it concerns.
    pub fn booth(&self) -> &BoothId {
        match self {
            DutyWarning::PastTurn { booth, .. } | DutyWarning::BeforeRest { booth, .. } => booth,
        }
    }
}

/// The best staffing for one speaker, and what it asks of the booths.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Coverage {
    pub language: Lang,
    /// Some interpreter in some booth has the language
    /// ([`MeetingDefinition::interprets`]).
    pub interpreted: bool,
    /// Either "no interpreter" alone, or in this order: handovers, relays,
    /// retours, and what stays uncovered.
    pub advice: Vec<Advice>,
    /// The channels once the advice is followed.
    pub channels: Vec<ChannelPlan>,
    /// What is still wrong then (uncovered channels, double relays).
    pub warnings: Vec<InterpretationWarning>,
    pub duty: Vec<DutyWarning>,
}

impl Coverage {
    /// The handovers it asks for.
    pub fn handovers(&self) -> impl Iterator<Item = &Advice> {
        self.advice
            .iter()
            .filter(|a| matches!(a, Advice::HandOver { .. }))
    }
}

/// Who is on the mic in each booth, and the turns so far, as the plan
/// unfolds speaker after speaker.
#[derive(Clone, Debug)]
struct Staffing {
    /// Index of the interpreter on the mic, per booth in definition order.
    on_mic: Vec<usize>,
    /// When the interpreter on the mic took it (unknown before the first
    /// handover).
    since: Vec<Option<Timestamp>>,
    /// When each interpreter last left the mic.
    left: BTreeMap<(usize, usize), Timestamp>,
}

impl Staffing {
    fn now(definition: &MeetingDefinition, state: &Interpretation) -> Staffing {
        let mut left = BTreeMap::new();
        let (on_mic, since) = definition
            .booths
            .iter()
            .enumerate()
            .map(|(b, booth)| {
                let s = state.booths.get(&booth.id);
                if let Some(s) = s {
                    for (i, interpreter) in booth.interpreters.iter().enumerate() {
                        if let Some(at) = s.left_mic.get(&interpreter.id) {
                            left.insert((b, i), *at);
                        }
                    }
                }
                (s.map_or(0, |s| s.on_mic), s.and_then(|s| s.on_mic_since))
            })
            .unzip();
        Staffing {
            on_mic,
            since,
            left,
        }
    }
}

/// The ordering of staffings; lower is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Score {
    quality: u32,
    duty: usize,
    handovers: usize,
}

/// Every staffing worth trying: the present one first, then every
/// combination (or, when there are too many, every single change).
fn staffings(definition: &MeetingDefinition, present: &[usize]) -> Vec<Vec<usize>> {
    let sizes: Vec<usize> = definition
        .booths
        .iter()
        .map(|b| b.interpreters.len().max(1))
        .collect();
    let total = sizes
        .iter()
        .try_fold(1usize, |acc, n| acc.checked_mul(*n))
        .unwrap_or(usize::MAX);
    let mut out = vec![present.to_vec()];
    if total <= MAX_STAFFINGS {
        let mut current = vec![0; sizes.len()];
        loop {
            if current != present {
                out.push(current.clone());
            }
            // Odometer increment.
            let mut b = 0;
            loop {
                if b == sizes.len() {
                    return out;
                }
                current[b] += 1;
                if current[b] < sizes[b] {
                    break;
                }
                current[b] = 0;
                b += 1;
            }
        }
    }
    for (b, size) in sizes.iter().enumerate() {
        for i in 0..*size {
            if i != present[b] {
                let mut s = present.to_vec();
                s[b] = i;
                out.push(s);
            }
        }
    }
    out
}

/// The best coverage for each turn in order, starting from the booths as
/// they are in `state`.
pub fn plan_ahead(
    definition: &MeetingDefinition,
    state: &Interpretation,
    shifts: Shifts,
    turns: &[Turn<'_>],
) -> Vec<Coverage> {
    let mut staffing = Staffing::now(definition, state);
    // The channels before each turn: for the speaker on the floor, as the
    // booths are now; then as planned for the speaker before.
    let mut before: Option<Vec<ChannelPlan>> = None;
    turns
        .iter()
        .enumerate()
        .map(|(i, turn)| {
            if i == 0 && turn.on_floor {
                let now = relay::plan(definition, turn.language, |b| {
                    interpreter_at(definition, &staffing.on_mic, b)
                });
                before = Some(now.channels);
            }
            let (coverage, next) = best(definition, &staffing, shifts, turn, before.as_deref());
            staffing = next;
            before = Some(coverage.channels.clone());
            coverage
        })
        .collect()
}

fn interpreter_at<'d>(
    definition: &'d MeetingDefinition,
    on_mic: &[usize],
    booth: &BoothId,
) -> Option<&'d Interpreter> {
    let (b, definition) = definition
        .booths
        .iter()
        .enumerate()
        .find(|(_, b)| &b.id == booth)?;
    definition.interpreters.get(on_mic[b])
}

/// Tries every staffing for `turn` and keeps the best, with the staffing it
/// leaves for the next turn.
fn best(
    definition: &MeetingDefinition,
    staffing: &Staffing,
    shifts: Shifts,
    turn: &Turn<'_>,
    before: Option<&[ChannelPlan]>,
) -> (Coverage, Staffing) {
    let mut chosen: Option<(Score, Vec<usize>, relay::RelayPlan, Vec<DutyWarning>)> = None;
    for candidate in staffings(definition, &staffing.on_mic) {
        let plan = relay::plan(definition, turn.language, |b| {
            interpreter_at(definition, &candidate, b)
        });
        let handovers = candidate
            .iter()
            .zip(&staffing.on_mic)
            .filter(|(a, b)| a != b)
            .count();
        let mut quality: u32 = plan
            .channels
            .iter()
            .map(|c| {
                let retour = match &c.feed {
                    ChannelFeed::Booth { booth, .. } => {
                        interpreter_at(definition, &candidate, booth).is_some_and(|i| {
                            definition
                                .booth(booth)
                                .is_some_and(|bd| i.class_of(&bd.output) == Some(LanguageClass::B))
                        })
                    }
                    _ => false,
                };
                channel_cost(&c.feed, retour)
            })
            .sum();
        if turn.on_floor {
            quality += MID_SPEECH_HANDOVER * handovers as u32;
        }
        let duty = duty_warnings(definition, staffing, &candidate, &plan, shifts, turn);
        let score = Score {
            quality,
            duty: duty.len(),
            handovers,
        };
        if chosen.as_ref().is_none_or(|(s, ..)| score < *s) {
            chosen = Some((score, candidate, plan, duty));
        }
    }
    let Some((_, on_mic, plan, duty)) = chosen else {
        unreachable!("the present staffing is always a candidate")
    };
    let coverage = Coverage {
        language: turn.language.clone(),
        interpreted: definition.interprets(turn.language),
        advice: advice(definition, staffing, &on_mic, &plan, turn, before),
        channels: plan.channels,
        warnings: plan
            .warnings
            .into_iter()
            .filter(|w| !matches!(w, InterpretationWarning::IntoCLanguage { .. }))
            .collect(),
        duty,
    };
    (coverage, staffing.after(&on_mic, turn))
}

impl Staffing {
    /// The staffing once `on_mic` has taken over for `turn`.
    fn after(&self, on_mic: &[usize], turn: &Turn<'_>) -> Staffing {
        let mut next = self.clone();
        for (b, (&new, &old)) in on_mic.iter().zip(&self.on_mic).enumerate() {
            if new != old {
                next.left.insert((b, old), turn.starts);
                next.since[b] = Some(turn.starts);
                next.on_mic[b] = new;
            }
        }
        next
    }
}

fn duty_warnings(
    definition: &MeetingDefinition,
    staffing: &Staffing,
    candidate: &[usize],
    plan: &relay::RelayPlan,
    shifts: Shifts,
    turn: &Turn<'_>,
) -> Vec<DutyWarning> {
    let mut out = Vec::new();
    for (b, booth) in definition.booths.iter().enumerate() {
        let working = plan
            .channels
            .iter()
            .any(|c| matches!(&c.feed, ChannelFeed::Booth { booth: id, .. } if *id == booth.id));
        let Some(interpreter) = booth.interpreters.get(candidate[b]) else {
            continue;
        };
        let since = if candidate[b] == staffing.on_mic[b] {
            staffing.since[b]
        } else {
            if let Some(left) = staffing.left.get(&(b, candidate[b])) {
                let rested_at = *left + shifts.rest;
                if rested_at > turn.starts {
                    out.push(DutyWarning::BeforeRest {
                        booth: booth.id.clone(),
                        interpreter: interpreter.id.clone(),
                        rested_at,
                    });
                }
            }
            Some(turn.starts)
        };
        if let Some(since) = since {
            let turn_ends_at = since + shifts.duty;
            if working && turn_ends_at < turn.ends {
                out.push(DutyWarning::PastTurn {
                    booth: booth.id.clone(),
                    interpreter: interpreter.id.clone(),
                    turn_ends_at,
                });
            }
        }
    }
    out
}

fn advice(
    definition: &MeetingDefinition,
    staffing: &Staffing,
    on_mic: &[usize],
    plan: &relay::RelayPlan,
    turn: &Turn<'_>,
    before: Option<&[ChannelPlan]>,
) -> Vec<Advice> {
    // Nobody has the language: that is the whole advice (every channel
    // carries the floor; naming each would only repeat it).
    if !definition.interprets(turn.language) {
        return vec![Advice::NoInterpreter {
            language: turn.language.clone(),
        }];
    }
    let mut out = Vec::new();
    let feed_of = |booth: &BoothId| {
        plan.channels.iter().find_map(|c| match &c.feed {
            ChannelFeed::Booth {
                booth: b,
                source,
                depth,
            } if b == booth => Some((source, *depth)),
            _ => None,
        })
    };
    let output_of = |booth: &BoothId| definition.booth(booth).map(|b| &b.output);
    for (b, booth) in definition.booths.iter().enumerate() {
        if on_mic[b] == staffing.on_mic[b] {
            continue;
        }
        let (Some(from), Some(to)) = (
            booth.interpreters.get(staffing.on_mic[b]),
            booth.interpreters.get(on_mic[b]),
        ) else {
            continue;
        };
        // The language the new interpreter takes: the floor's, or the
        // pivot booth's output.
        let language = match feed_of(&booth.id) {
            Some((Source::Relay { booth: pivot }, _)) => output_of(pivot).unwrap_or(turn.language),
            _ => turn.language,
        };
        let Some(class) = to.class_of(language) else {
            continue;
        };
        out.push(Advice::HandOver {
            booth: booth.id.clone(),
            from: from.id.clone(),
            to: to.id.clone(),
            language: language.clone(),
            class,
            mid_speech: turn.on_floor,
        });
    }
    for booth in &definition.booths {
        if let Some((Source::Relay { booth: pivot }, depth)) = feed_of(&booth.id) {
            let already = before.is_some_and(|channels| {
                channels.iter().any(|c| {
                    matches!(&c.feed, ChannelFeed::Booth {
                        booth: b,
                        source: Source::Relay { booth: p },
                        ..
                    } if *b == booth.id && p == pivot)
                })
            });
            out.push(Advice::TakeRelay {
                booth: booth.id.clone(),
                pivot: pivot.clone(),
                depth,
                already,
            });
        }
    }
    for (b, booth) in definition.booths.iter().enumerate() {
        if let Some(i) = booth.interpreters.get(on_mic[b])
            && feed_of(&booth.id).is_some()
            && i.class_of(&booth.output) == Some(LanguageClass::B)
        {
            out.push(Advice::Retour {
                booth: booth.id.clone(),
                interpreter: i.id.clone(),
            });
        }
    }
    for c in &plan.channels {
        if let ChannelFeed::Uncovered { booth } = &c.feed {
            out.push(Advice::Uncovered {
                booth: booth.clone(),
                channel: c.channel,
            });
        }
    }
    out
}

/// The coverage for one speaker of the meeting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SpeakerCoverage {
    pub delegation: crate::ids::DelegationId,
    /// The request behind the speech, if any (none for a presenter).
    pub request: Option<crate::ids::RequestId>,
    /// Speaking now.
    pub on_floor: bool,
    /// When they start: now for the speaker on the floor.
    pub expected_at: crate::projections::Eta,
    pub coverage: Coverage,
}

/// The coverage for the speaker on the floor (in the floor language now)
/// and the next `ahead` speakers in calling order, each planned from the
/// staffing the one before leaves, as of the meeting's last change.
pub fn for_meeting(meeting: &crate::Meeting, ahead: usize) -> Vec<SpeakerCoverage> {
    use crate::projections::{self, Eta};
    let now = meeting.updated_at;
    let definition = &meeting.definition;
    let shifts = Shifts {
        duty: definition.rules.booth_duty,
        rest: definition.rules.booth_rest,
    };
    // Who speaks, and the turn to plan for them.
    let mut speakers: Vec<(SpeakerCoverage, Timestamp, Timestamp)> = Vec::new();
    let unplanned = |language: &Lang| Coverage {
        language: language.clone(),
        interpreted: false,
        advice: Vec::new(),
        channels: Vec::new(),
        warnings: Vec::new(),
        duty: Vec::new(),
    };
    if let (Some(speech), Some(language)) = (&meeting.floor.current, meeting.floor_language()) {
        let ends = now + speech.timer.remaining(now).clamp_non_negative();
        let speaker = SpeakerCoverage {
            delegation: speech.delegation.clone(),
            request: speech.source.request(),
            on_floor: true,
            expected_at: Eta::fixed(speech.started_at),
            coverage: unplanned(language),
        };
        speakers.push((speaker, now, ends));
    }
    for u in projections::upcoming(meeting).into_iter().take(ahead) {
        let starts = u.expected_at.at(now);
        let speaker = SpeakerCoverage {
            request: u.turn.request(),
            coverage: unplanned(&u.language),
            delegation: u.delegation,
            on_floor: false,
            expected_at: u.expected_at,
        };
        speakers.push((speaker, starts, starts + u.duration));
    }
    let turns: Vec<Turn<'_>> = speakers
        .iter()
        .map(|(s, starts, ends)| Turn {
            language: &s.coverage.language,
            starts: *starts,
            ends: *ends,
            on_floor: s.on_floor,
        })
        .collect();
    let planned = plan_ahead(definition, &meeting.interpretation, shifts, &turns);
    speakers
        .into_iter()
        .zip(planned)
        .map(|((speaker, ..), coverage)| SpeakerCoverage {
            coverage,
            ..speaker
        })
        .collect()
}
