//! The interpretation side of a view: the plan now and ahead, the booths'
//! shifts. Only for the people who run the meeting, the technician and the
//! booths: interpreters' names and signals never reach anyone else.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use plenary_core::definition::Channel;
use plenary_core::definition::LanguageClass;
use plenary_core::i18n::{Catalogue, Lang, Texts};
use plenary_core::ids::{BoothId, DelegationId, InterpreterId, RequestId};
use plenary_core::interpretation::coverage::{self, SpeakerCoverage};
use plenary_core::interpretation::{
    Advice, ChannelPlan, Depth, DutyWarning, InterpretationWarning, RelayPlan, SlowerPlease,
};
use plenary_core::projections::{self, Eta};
use plenary_core::timer::Countdown;
use plenary_core::{Meeting, Timestamp};

use super::parts::name_of;

/// How many speakers ahead the plan is worked out for.
pub(super) const PLANNED_AHEAD: usize = 5;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InterpretationView {
    /// The language spoken on the floor now (the override, else the
    /// speaker's); none when nobody speaks.
    pub floor_language: Option<Lang>,
    pub floor_language_override: Option<Lang>,
    /// The plan for the floor now, with the interpreters on the mic.
    pub plan: Option<RelayPlan>,
    /// The plan for each of the next speakers, in calling order.
    pub ahead: Vec<PlanAhead>,
    /// What the booths should do, judged by all their interpreters, for
    /// the speaker on the floor and the next ones.
    pub coverage: Vec<CoverageLine>,
    pub booths: Vec<BoothLine>,
    pub channels: Vec<Channel>,
    /// Unacknowledged "slower please" signals, oldest first.
    pub slower_please: Vec<SlowerPlease>,
    /// Languages a speaker may be declared to speak.
    pub languages: Vec<Lang>,
    /// Booth names by id, for the feeds and warnings.
    pub booth_names: BTreeMap<BoothId, Texts>,
}

/// The relay plan for a speaker still to come.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PlanAhead {
    pub delegation: DelegationId,
    pub name: Texts,
    pub request: Option<RequestId>,
    pub language: Lang,
    pub expected_at: Eta,
    pub channels: Vec<ChannelPlan>,
    /// What would go wrong, without the warnings a handover fixes by itself
    /// (into a C language).
    pub warnings: Vec<InterpretationWarning>,
}

/// The recommendation for one speaker: the best staffing of every booth
/// (`plenary_core::interpretation::coverage`), in words.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CoverageLine {
    pub delegation: DelegationId,
    pub name: Texts,
    pub request: Option<RequestId>,
    pub on_floor: bool,
    pub expected_at: Eta,
    pub language: Lang,
    /// Some interpreter has the language.
    pub interpreted: bool,
    pub advice: Vec<AdviceLine>,
    pub duty: Vec<DutyLine>,
    /// The channels once the advice is followed.
    pub channels: Vec<ChannelPlan>,
    pub warnings: Vec<InterpretationWarning>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AdviceLine {
    pub advice: Advice,
    /// In the meeting's languages.
    pub text: Texts,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DutyLine {
    pub warning: DutyWarning,
    pub text: Texts,
}

/// One booth's shift.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BoothLine {
    pub id: BoothId,
    pub name: Texts,
    pub channel: u8,
    pub output: Lang,
    pub on_mic: Option<InterpreterLine>,
    /// Who takes over at the next handover.
    pub partner: Option<InterpreterLine>,
    /// Everyone in the booth, in the definition's order.
    pub team: Vec<InterpreterLine>,
    pub on_mic_since: Option<Timestamp>,
    /// The shift's countdown (the rules' booth duty), from `on_mic_since`.
    pub duty: Option<Countdown>,
    pub handover_requested: Option<Timestamp>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InterpreterLine {
    pub id: InterpreterId,
    pub name: String,
    pub a: Vec<Lang>,
    pub b: Vec<Lang>,
    pub c: Vec<Lang>,
}

fn interpreter(i: &plenary_core::definition::Interpreter) -> InterpreterLine {
    InterpreterLine {
        id: i.id.clone(),
        name: i.name.clone(),
        a: i.a.clone(),
        b: i.b.clone(),
        c: i.c.clone(),
    }
}

pub(super) fn booth_line(meeting: &Meeting, id: &BoothId) -> Option<BoothLine> {
    let definition = &meeting.definition;
    let booth = definition.booth(id)?;
    let state = meeting.interpretation.booths.get(id);
    let on_mic = state.map_or(0, |s| s.on_mic);
    let partner = meeting.interpretation.partner(definition, id);
    Some(BoothLine {
        id: id.clone(),
        name: booth.name.clone(),
        channel: booth.channel,
        output: booth.output.clone(),
        on_mic: booth.interpreters.get(on_mic).map(interpreter),
        partner: partner
            .and_then(|p| booth.interpreters.get(p))
            .map(interpreter),
        team: booth.interpreters.iter().map(interpreter).collect(),
        on_mic_since: state.and_then(|s| s.on_mic_since),
        duty: state
            .and_then(|s| s.on_mic_since.map(|since| (s, since)))
            .map(|(s, since)| s.duty_timer(definition.rules.booth_duty, since).countdown()),
        handover_requested: state.and_then(|s| s.handover_requested),
    })
}

/// Each distinct language once, in first-seen order.
pub(super) fn distinct<'a>(langs: impl Iterator<Item = &'a Lang>) -> Vec<Lang> {
    let mut out: Vec<Lang> = Vec::new();
    for l in langs {
        if !out.contains(l) {
            out.push(l.clone());
        }
    }
    out
}

pub(super) fn plans_ahead(meeting: &Meeting) -> Vec<PlanAhead> {
    let definition = &meeting.definition;
    projections::upcoming(meeting)
        .into_iter()
        .take(PLANNED_AHEAD)
        .map(|u| {
            let plan = meeting.interpretation.plan(definition, &u.language);
            PlanAhead {
                name: name_of(meeting, &u.delegation),
                request: u.turn.request(),
                delegation: u.delegation,
                language: u.language,
                expected_at: u.expected_at,
                warnings: plan
                    .warnings
                    .into_iter()
                    .filter(|w| !matches!(w, InterpretationWarning::IntoCLanguage { .. }))
                    .collect(),
                channels: plan.channels,
            }
        })
        .collect()
}

pub(super) fn interpretation(meeting: &Meeting) -> InterpretationView {
    let definition = &meeting.definition;
    let floor_language = meeting.floor_language().cloned();
    InterpretationView {
        plan: floor_language
            .as_ref()
            .map(|l| meeting.interpretation.plan(definition, l)),
        floor_language,
        floor_language_override: meeting.interpretation.floor_language_override.clone(),
        ahead: plans_ahead(meeting),
        coverage: coverage_lines(meeting),
        booths: definition
            .booths
            .iter()
            .filter_map(|b| booth_line(meeting, &b.id))
            .collect(),
        channels: definition.channels.clone(),
        slower_please: meeting.interpretation.slower_please.clone(),
        languages: distinct(definition.known_languages()),
        booth_names: booth_names(meeting),
    }
}

pub(super) fn booth_names(meeting: &Meeting) -> BTreeMap<BoothId, Texts> {
    meeting
        .definition
        .booths
        .iter()
        .map(|b| (b.id.clone(), b.name.clone()))
        .collect()
}

/// The recommendations for the speaker on the floor and the next
/// [`PLANNED_AHEAD`], with their texts.
pub(super) fn coverage_lines(meeting: &Meeting) -> Vec<CoverageLine> {
    coverage::for_meeting(meeting, PLANNED_AHEAD)
        .into_iter()
        .map(|s| coverage_line(meeting, s))
        .collect()
}

fn coverage_line(meeting: &Meeting, s: SpeakerCoverage) -> CoverageLine {
    let name = name_of(meeting, &s.delegation);
    let c = s.coverage;
    CoverageLine {
        advice: c
            .advice
            .into_iter()
            .map(|advice| AdviceLine {
                text: advice_text(meeting, &advice, &name),
                advice,
            })
            .collect(),
        duty: c
            .duty
            .into_iter()
            .map(|warning| DutyLine {
                text: duty_text(meeting, &warning),
                warning,
            })
            .collect(),
        delegation: s.delegation,
        name,
        request: s.request,
        on_floor: s.on_floor,
        expected_at: s.expected_at,
        language: c.language,
        interpreted: c.interpreted,
        channels: c.channels,
        warnings: c.warnings,
    }
}

/// `key` filled in each of the meeting's languages; `args` gives each
/// argument in a language.
fn texts(
    meeting: &Meeting,
    key: &str,
    args: impl Fn(&Lang) -> Vec<(&'static str, String)>,
) -> Texts {
    let catalogue = Catalogue::get();
    let mut out = Texts::new();
    let languages = &meeting.definition.languages;
    let english = [Lang::english()];
    let languages = if languages.is_empty() {
        &english[..]
    } else {
        &languages[..]
    };
    for lang in languages {
        let values = args(lang);
        let args: Vec<(&str, &dyn std::fmt::Display)> = values
            .iter()
            .map(|(k, v)| (*k, v as &dyn std::fmt::Display))
            .collect();
        out.0.insert(lang.clone(), catalogue.text(lang, key, &args));
    }
    out
}

fn booth_name(meeting: &Meeting, booth: &BoothId, lang: &Lang) -> String {
    meeting
        .definition
        .booth(booth)
        .and_then(|b| b.name.get(lang).map(str::to_owned))
        .unwrap_or_else(|| booth.to_string())
}

fn interpreter_name(meeting: &Meeting, booth: &BoothId, id: &InterpreterId) -> String {
    meeting
        .definition
        .booth(booth)
        .and_then(|b| b.interpreters.iter().find(|i| &i.id == id))
        .map_or_else(|| id.to_string(), |i| i.name.clone())
}

fn advice_text(meeting: &Meeting, advice: &Advice, speaker: &Texts) -> Texts {
    match advice {
        Advice::NoInterpreter { language } => texts(meeting, "coverage.no_interpreter", |_| {
            vec![("language", language.to_string())]
        }),
        Advice::HandOver {
            booth,
            to,
            language,
            class,
            mid_speech,
            ..
        } => {
            let key = if *mid_speech {
                "coverage.hand_over_now"
            } else {
                "coverage.hand_over"
            };
            let class = match class {
                LanguageClass::A => "A",
                LanguageClass::B => "B",
                LanguageClass::C => "C",
            };
            texts(meeting, key, |lang| {
                vec![
                    ("booth", booth_name(meeting, booth, lang)),
                    ("interpreter", interpreter_name(meeting, booth, to)),
                    ("class", class.to_owned()),
                    ("language", language.to_string()),
                    (
                        "speaker",
                        speaker.get(lang).map(str::to_owned).unwrap_or_default(),
                    ),
                ]
            })
        }
        Advice::TakeRelay {
            booth,
            pivot,
            depth,
            ..
        } => {
            let key = if *depth == Depth::DoubleRelay {
                "coverage.take_double_relay"
            } else {
                "coverage.take_relay"
            };
            texts(meeting, key, |lang| {
                vec![
                    ("booth", booth_name(meeting, booth, lang)),
                    ("pivot", booth_name(meeting, pivot, lang)),
                ]
            })
        }
        Advice::Retour { booth, interpreter } => texts(meeting, "coverage.retour", |lang| {
            vec![
                ("booth", booth_name(meeting, booth, lang)),
                ("interpreter", interpreter_name(meeting, booth, interpreter)),
            ]
        }),
        Advice::Uncovered { booth, channel } => texts(meeting, "coverage.uncovered", |lang| {
            vec![
                ("booth", booth_name(meeting, booth, lang)),
                ("channel", channel.to_string()),
            ]
        }),
    }
}

fn duty_text(meeting: &Meeting, warning: &DutyWarning) -> Texts {
    let rules = &meeting.definition.rules;
    let (key, booth, interpreter, minutes) = match warning {
        DutyWarning::PastTurn {
            booth, interpreter, ..
        } => ("coverage.past_turn", booth, interpreter, rules.booth_duty),
        DutyWarning::BeforeRest {
            booth, interpreter, ..
        } => ("coverage.before_rest", booth, interpreter, rules.booth_rest),
    };
    texts(meeting, key, |lang| {
        vec![
            ("booth", booth_name(meeting, booth, lang)),
            ("interpreter", interpreter_name(meeting, booth, interpreter)),
            ("minutes", (minutes.as_millis() / 60_000).to_string()),
        ]
    })
}
