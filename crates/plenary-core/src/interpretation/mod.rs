//! Interpretation: booths, who is on the mic, handovers, "slower please",
//! and — in [`relay`] — which booth feeds each channel from where. The
//! interpretation commands (floor language, handovers, "slower please") are
//! decided (`decide_*`) and applied (`apply_*`) here.

pub mod coverage;
pub mod relay;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use coverage::{Advice, Coverage, DutyWarning, Shifts};
pub use relay::{ChannelFeed, ChannelPlan, Depth, InterpretationWarning, RelayPlan, Source};

use crate::decide::Decider;
use crate::definition::{Interpreter, MeetingDefinition};
use crate::error::CommandError;
use crate::event::Event;
use crate::i18n::Lang;
use crate::ids::{BoothId, InterpreterId};
use crate::time::{Millis, Timestamp};
use crate::timer::{Thresholds, Timer};

/// What the listeners of a channel got during a speech, for the minutes.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    /// The speech was in the channel's language: the original.
    Original,
    /// A booth interpreted straight from the floor.
    Direct,
    /// A booth took another booth's interpretation.
    Relay,
    /// Two interpretations removed from the original.
    DoubleRelay,
    /// Nobody could interpret into the channel's language.
    Uncovered,
}

impl Service {
    pub const ALL: [Service; 5] = [
        Service::Original,
        Service::Direct,
        Service::Relay,
        Service::DoubleRelay,
        Service::Uncovered,
    ];

    pub fn of(feed: &ChannelFeed) -> Service {
        match feed {
            ChannelFeed::FloorIsThisLanguage => Service::Original,
            ChannelFeed::NoBooth | ChannelFeed::Uncovered { .. } => Service::Uncovered,
            ChannelFeed::Booth { depth, .. } => match depth {
                Depth::Floor => Service::Direct,
                Depth::OneRelay => Service::Relay,
                Depth::DoubleRelay => Service::DoubleRelay,
            },
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Service::Original => "original",
            Service::Direct => "direct",
            Service::Relay => "relay",
            Service::DoubleRelay => "double_relay",
            Service::Uncovered => "uncovered",
        }
    }
}

/// One channel's [`Service`] during a speech.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ChannelService {
    pub channel: u8,
    pub service: Service,
}

/// One booth's shift.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BoothState {
    /// Index of the interpreter on the mic in the booth's definition.
    pub on_mic: usize,
    /// When they took the mic (the duty timer counts from here).
    pub on_mic_since: Option<Timestamp>,
    /// A pending handover request, and since when.
    pub handover_requested: Option<Timestamp>,
    /// When each interpreter last left the mic (their rest counts from
    /// here).
    #[serde(default)]
    pub left_mic: BTreeMap<InterpreterId, Timestamp>,
}

impl BoothState {
    /// The partner's duty countdown: the shift length counted from the
    /// moment this interpreter took the mic.
    pub fn duty_timer(&self, duty: Millis, now: Timestamp) -> Timer {
        let since = self.on_mic_since.unwrap_or(now);
        Timer::started(
            duty,
            Thresholds {
                warning: Millis::from_mins(5),
                final_: Millis::from_mins(1),
            },
            since,
        )
    }
}

/// A "slower please" from a booth, waiting for the chair to see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SlowerPlease {
    pub at: Timestamp,
    /// The booth's output language — the chair sees the language, never
    /// who pressed.
    pub language: Lang,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Interpretation {
    /// Set by the chair or technician; cleared when the next speech starts.
    pub floor_language_override: Option<Lang>,
    pub booths: BTreeMap<BoothId, BoothState>,
    /// Signals not yet acknowledged by the chair.
    pub slower_please: Vec<SlowerPlease>,
}

impl Interpretation {
    pub fn from_definition(definition: &MeetingDefinition) -> Self {
        Interpretation {
            floor_language_override: None,
            booths: definition
                .booths
                .iter()
                .map(|b| {
                    (
                        b.id.clone(),
                        BoothState {
                            on_mic: 0,
                            on_mic_since: None,
                            handover_requested: None,
                            left_mic: BTreeMap::new(),
                        },
                    )
                })
                .collect(),
            slower_please: Vec::new(),
        }
    }

    /// The interpreter on the mic in each booth.
    pub fn on_mic<'d>(
        &self,
        definition: &'d MeetingDefinition,
        booth: &BoothId,
    ) -> Option<&'d Interpreter> {
        let b = definition.booth(booth)?;
        let i = self.booths.get(booth).map_or(0, |s| s.on_mic);
        b.interpreters.get(i)
    }

    /// The relay plan for `floor` with the interpreters now on the mic.
    pub fn plan(&self, definition: &MeetingDefinition, floor: &Lang) -> RelayPlan {
        relay::plan(definition, floor, |booth| self.on_mic(definition, booth))
    }

    /// What each channel carries for a speech in `floor` with the
    /// interpreters now on the mic.
    pub fn services(&self, definition: &MeetingDefinition, floor: &Lang) -> Vec<ChannelService> {
        self.plan(definition, floor)
            .channels
            .iter()
            .map(|c| ChannelService {
                channel: c.channel,
                service: Service::of(&c.feed),
            })
            .collect()
    }

    /// The index of the interpreter who takes over in `booth`.
    pub fn partner(&self, definition: &MeetingDefinition, booth: &BoothId) -> Option<usize> {
        let count = definition.booth(booth)?.interpreters.len();
        let on_mic = self.booths.get(booth).map_or(0, |s| s.on_mic);
        (count > 1).then(|| (on_mic + 1) % count)
    }
}

/// A speaker still to come whose language the booths cannot serve well.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct UpcomingWarning {
    pub delegation: crate::ids::DelegationId,
    /// `None` for a scheduled presenter.
    pub request: Option<crate::ids::RequestId>,
    pub language: Lang,
    pub warnings: Vec<InterpretationWarning>,
}

/// The relay problems ahead on the current item, in calling order: a
/// language nobody covers or that needs double relay is flagged before that
/// speaker starts, so the chair can ask for another language.
pub fn lookahead(meeting: &crate::Meeting) -> Vec<UpcomingWarning> {
    let Some(item) = meeting.agenda.current_item() else {
        return Vec::new();
    };
    let definition = &meeting.definition;
    let presenters = item.schedule.pending().map(|slot| {
        let language = slot.language.clone().or_else(|| {
            definition
                .delegation(&slot.presenter)
                .map(|d| d.floor_language.clone())
        });
        (slot.presenter.clone(), None, language)
    });
    let requests = item
        .speakers
        .waiting()
        .map(|r| (r.delegation.clone(), Some(r.id), Some(r.language.clone())));
    presenters
        .chain(requests)
        .filter_map(|(delegation, request, language)| {
            let language = language?;
            let warnings: Vec<_> = meeting
                .interpretation
                .plan(definition, &language)
                .warnings
                .into_iter()
                .filter(|w| !matches!(w, InterpretationWarning::IntoCLanguage { .. }))
                .collect();
            (!warnings.is_empty()).then_some(UpcomingWarning {
                delegation,
                request,
                language,
                warnings,
            })
        })
        .collect()
}

// --- Rules: floor language, handovers, "slower please" ------------------------

fn booth<'m>(d: &Decider<'m>, booth: &BoothId) -> Result<&'m BoothState, CommandError> {
    d.meeting
        .interpretation
        .booths
        .get(booth)
        .ok_or_else(|| CommandError::UnknownBooth {
            booth: booth.clone(),
        })
}

fn partner(d: &Decider<'_>, booth: &BoothId) -> Result<usize, CommandError> {
    d.meeting
        .interpretation
        .partner(&d.meeting.definition, booth)
        .ok_or_else(|| CommandError::NoPartner {
            booth: booth.clone(),
        })
}

/// Overrides the floor language until the next speaker (`None` clears).
/// Any language: one nobody interprets is flagged, not refused.
pub(crate) fn decide_set_floor_language(
    _d: &Decider<'_>,
    language: Option<&Lang>,
) -> Result<Vec<Event>, CommandError> {
    Ok(vec![Event::FloorLanguageSet {
        language: language.cloned(),
    }])
}

/// A booth with a partner asks for a handover, once.
pub(crate) fn decide_request_handover(
    d: &Decider<'_>,
    booth_id: &BoothId,
) -> Result<Vec<Event>, CommandError> {
    let state = booth(d, booth_id)?;
    partner(d, booth_id)?;
    if state.handover_requested.is_some() {
        return Err(CommandError::HandoverAlreadyRequested {
            booth: booth_id.clone(),
        });
    }
    Ok(vec![Event::HandoverRequested {
        booth: booth_id.clone(),
    }])
}

/// The partner takes the mic.
pub(crate) fn decide_accept_handover(
    d: &Decider<'_>,
    booth_id: &BoothId,
) -> Result<Vec<Event>, CommandError> {
    let state = booth(d, booth_id)?;
    if state.handover_requested.is_none() {
        return Err(CommandError::NoHandoverRequested {
            booth: booth_id.clone(),
        });
    }
    let on_mic = partner(d, booth_id)?;
    Ok(vec![Event::HandoverAccepted {
        booth: booth_id.clone(),
        on_mic,
    }])
}

/// A named interpreter of the booth takes the mic now.
pub(crate) fn decide_hand_over(
    d: &Decider<'_>,
    booth_id: &BoothId,
    to: &InterpreterId,
) -> Result<Vec<Event>, CommandError> {
    let state = booth(d, booth_id)?;
    let on_mic = d
        .meeting
        .definition
        .booth(booth_id)
        .and_then(|b| b.interpreters.iter().position(|i| &i.id == to))
        .ok_or_else(|| CommandError::UnknownInterpreter {
            booth: booth_id.clone(),
            interpreter: to.clone(),
        })?;
    if state.on_mic == on_mic {
        return Err(CommandError::AlreadyOnMic {
            interpreter: to.clone(),
        });
    }
    Ok(vec![Event::HandoverAccepted {
        booth: booth_id.clone(),
        on_mic,
    }])
}

pub(crate) fn decide_slower_please(
    d: &Decider<'_>,
    booth_id: &BoothId,
) -> Result<Vec<Event>, CommandError> {
    booth(d, booth_id)?;
    Ok(vec![Event::SlowerPleaseSignalled {
        booth: booth_id.clone(),
    }])
}

pub(crate) fn decide_acknowledge_slower_please(
    d: &Decider<'_>,
) -> Result<Vec<Event>, CommandError> {
    if d.meeting.interpretation.slower_please.is_empty() {
        return Err(CommandError::NothingToAcknowledge);
    }
    Ok(vec![Event::SlowerPleaseAcknowledged])
}

// --- Applying -----------------------------------------------------------------

pub(crate) fn apply_floor_language_set(m: &mut crate::Meeting, language: Option<&Lang>) {
    m.interpretation.floor_language_override = language.cloned();
}

pub(crate) fn apply_handover_requested(m: &mut crate::Meeting, booth: &BoothId, at: Timestamp) {
    if let Some(b) = m.interpretation.booths.get_mut(booth) {
        b.handover_requested = Some(at);
    }
}

pub(crate) fn apply_handover_accepted(
    m: &mut crate::Meeting,
    booth: &BoothId,
    on_mic: usize,
    at: Timestamp,
) {
    let leaving = m
        .definition
        .booth(booth)
        .zip(m.interpretation.booths.get(booth))
        .and_then(|(d, s)| d.interpreters.get(s.on_mic))
        .map(|i| i.id.clone());
    if let Some(b) = m.interpretation.booths.get_mut(booth) {
        if let Some(leaving) = leaving.filter(|_| b.on_mic != on_mic) {
            b.left_mic.insert(leaving, at);
        }
        b.on_mic = on_mic;
        b.on_mic_since = Some(at);
        b.handover_requested = None;
    }
}

pub(crate) fn apply_slower_please_signalled(
    m: &mut crate::Meeting,
    booth: &BoothId,
    at: Timestamp,
) {
    if let Some(b) = m.definition.booth(booth) {
        m.interpretation.slower_please.push(SlowerPlease {
            at,
            language: b.output.clone(),
        });
    }
}

pub(crate) fn apply_slower_please_acknowledged(m: &mut crate::Meeting) {
    m.interpretation.slower_please.clear();
}
