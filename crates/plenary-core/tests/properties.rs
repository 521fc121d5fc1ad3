//! Properties over random command sequences from random actors: nothing
//! panics, one speaker at most holds the floor, refusals change nothing,
//! replaying the events reproduces the state, and a running countdown never
//! gains time except by an extension or a reset.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use proptest::prelude::*;

use plenary_core::display::{ScreenTarget, View};
use plenary_core::i18n::{Lang, Texts};
use plenary_core::ids::{
    BoothId, DelegationId, ItemId, RequestId, ScreenGroup, ScreenId, SpeechId,
};
use plenary_core::rules::{Category, RequestKind};
use plenary_core::speakers::RequestStatus;
use plenary_core::{Command, Meeting, Millis, Role, execute};
use support::Session;

const DELEGATIONS: &[&str] = &[
    "hn", "gt", "mx", "br", "ca", "us", "oas", "unhcr", "cs-nrc", "nobody",
];
/// `@current` stands for whichever item is current when the step runs.
const ITEMS: &[&str] = &[
    "@current",
    "@current",
    "@current",
    "@current",
    "opening",
    "national-plans",
    "responsibility-sharing",
    "nowhere",
];
const BOOTHS: &[&str] = &["booth-es", "booth-en", "booth-pt", "booth-xx"];
const LANGS: &[&str] = &["es", "en", "pt", "fr", "de"];

fn pick(pool: &'static [&'static str]) -> impl Strategy<Value = &'static str> {
    prop::sample::select(pool)
}

fn role() -> impl Strategy<Value = Role> {
    prop_oneof![
        8 => Just(Role::Chair),
        2 => Just(Role::Secretariat),
        4 => pick(DELEGATIONS).prop_map(|d| Role::Delegation { delegation: DelegationId::new(d) }),
        1 => Just(Role::Technician),
        1 => pick(BOOTHS).prop_map(|b| Role::Interpreter { booth: BoothId::new(b) }),
        1 => Just(Role::Screen { screen: ScreenId::new("hall-left") }),
        1 => Just(Role::Public),
        1 => Just(Role::System),
    ]
}

fn kind() -> impl Strategy<Value = RequestKind> {
    prop_oneof![
        4 => Just(RequestKind::Statement),
        2 => Just(RequestKind::PointOfOrder),
        2 => Just(RequestKind::RightOfReply),
        1 => Just(RequestKind::Extra("question".to_owned())),
    ]
}

fn lang() -> impl Strategy<Value = Lang> {
    pick(LANGS).prop_map(|l| Lang::parse(l).unwrap())
}

fn millis() -> impl Strategy<Value = Millis> {
    prop_oneof![
        Just(Millis::ZERO),
        (-5i64..20).prop_map(Millis::from_mins),
        Just(Millis::from_mins(90))
    ]
}

fn target() -> impl Strategy<Value = ScreenTarget> {
    prop_oneof![
        Just(ScreenTarget::All),
        Just(ScreenTarget::Group(ScreenGroup::new("hall"))),
        Just(ScreenTarget::Screen(ScreenId::new("podium"))),
        Just(ScreenTarget::Screen(ScreenId::new("nowhere"))),
    ]
}

fn command() -> impl Strategy<Value = Command> {
    let item = || pick(ITEMS).prop_map(ItemId::new);
    let delegation = || pick(DELEGATIONS).prop_map(DelegationId::new);
    let request = || (1u64..16).prop_map(RequestId);
    let booth = || pick(BOOTHS).prop_map(BoothId::new);
    prop_oneof![
        2 => item().prop_map(|item| Command::OpenItem { item }),
        2 => Just(Command::NextItem),
        1 => Just(Command::PreviousItem),
        1 => (item(), 0usize..12).prop_map(|(item, to)| Command::MoveItem { item, to }),
        1 => (item(), millis()).prop_map(|(item, limit)| Command::SetTimeLimit { item, category: Category::CivilSociety, limit }),
        16 => (item(), delegation(), kind(), prop::option::of(lang())).prop_map(|(item, delegation, kind, language)| Command::RequestFloor { item, delegation, kind, language }),
        2 => (item(), delegation(), kind(), prop::option::of(0usize..8)).prop_map(|(item, delegation, kind, position)| Command::InsertSpeaker { item, delegation, kind, language: None, position }),
        3 => request().prop_map(|request| Command::WithdrawRequest { request }),
        1 => (request(), lang()).prop_map(|(request, language)| Command::DeclareLanguage { request, language }),
        2 => (request(), 0usize..8).prop_map(|(request, to)| Command::MoveRequest { request, to }),
        1 => request().prop_map(|request| Command::RemoveRequest { request }),
        1 => (request(), prop::option::of(0usize..8)).prop_map(|(request, position)| Command::ReaddRequest { request, position }),
        1 => item().prop_map(|item| Command::CloseList { item }),
        1 => item().prop_map(|item| Command::ReopenList { item }),
        8 => Just(Command::CallNext),
        2 => request().prop_map(|request| Command::GiveFloor { request }),
        2 => Just(Command::EndSpeech),
        2 => Just(Command::PauseTimer),
        2 => Just(Command::ResumeTimer),
        2 => millis().prop_map(|by| Command::ExtendTimer { by }),
        1 => Just(Command::ResetTimer),
        2 => Just(Command::TimeUp),
        2 => Just(Command::UndoFloorChange),
        2 => (item(), prop::option::of(delegation())).prop_map(|(item, presenter)| Command::StartPresentation { item, presenter }),
        1 => (item(), delegation()).prop_map(|(item, presenter)| Command::SkipPresenter { item, presenter }),
        1 => (item(), delegation()).prop_map(|(item, presenter)| Command::DeferPresenter { item, presenter }),
        1 => prop::option::of(lang()).prop_map(|language| Command::SetFloorLanguage { language }),
        1 => booth().prop_map(|booth| Command::RequestHandover { booth }),
        1 => booth().prop_map(|booth| Command::AcceptHandover { booth }),
        1 => booth().prop_map(|booth| Command::SlowerPlease { booth }),
        1 => Just(Command::AcknowledgeSlowerPlease),
        1 => (target(), prop::option::of(prop::collection::vec(lang(), 0..3))).prop_map(|(target, languages)| Command::AssignView { target, view: View::SpeakersList, languages }),
        1 => (target(), prop::sample::select(&["", "Please take your seats"][..])).prop_map(|(target, t)| Command::PushMessage { target, text: Texts::new().with("en", t) }),
        1 => target().prop_map(|target| Command::ClearMessage { target }),
        1 => target().prop_map(|target| Command::ReloadScreens { target }),
    ]
}

/// Resolves `@current`, and lets most requests come from the delegation
/// they name, so that the speakers list actually fills up.
fn resolve(meeting: &Meeting, actor: Role, mut command: Command, as_self: bool) -> (Role, Command) {
    let current = meeting
        .agenda
        .current
        .clone()
        .unwrap_or_else(|| ItemId::new("opening"));
    let fix = |item: &mut ItemId| {
        if item.as_str() == "@current" {
            *item = current.clone();
        }
    };
    match &mut command {
        Command::OpenItem { item }
        | Command::MoveItem { item, .. }
        | Command::SetTimeLimit { item, .. }
        | Command::InsertSpeaker { item, .. }
        | Command::CloseList { item }
        | Command::ReopenList { item }
        | Command::StartPresentation { item, .. }
        | Command::SkipPresenter { item, .. }
        | Command::DeferPresenter { item, .. } => fix(item),
        Command::RequestFloor { item, .. } => fix(item),
        _ => {}
    }
    let actor = match (&command, as_self) {
        (Command::RequestFloor { delegation, .. }, true) => Role::Delegation {
            delegation: delegation.clone(),
        },
        (Command::WithdrawRequest { request } | Command::DeclareLanguage { request, .. }, true) => {
            meeting
                .request(*request)
                .map_or(actor, |(_, r)| Role::Delegation {
                    delegation: r.delegation.clone(),
                })
        }
        _ => actor,
    };
    (actor, command)
}

/// The floor invariant: the speech on the floor and those interrupted are
/// exactly the requests marked speaking, each once; interrupted ones are
/// paused.
fn assert_one_speaker(m: &Meeting) {
    let floor = &m.floor;
    assert!(
        floor.current.is_some() || floor.interrupted.is_empty(),
        "interrupted with an empty floor"
    );
    let mut on_floor: Vec<SpeechId> = floor
        .current
        .iter()
        .chain(&floor.interrupted)
        .map(|s| s.id)
        .collect();
    on_floor.sort();
    let before = on_floor.len();
    on_floor.dedup();
    assert_eq!(before, on_floor.len(), "a speech twice on the floor");
    for s in &floor.interrupted {
        assert!(!s.timer.is_running(), "an interrupted speaker's timer runs");
    }
    let mut speaking: Vec<SpeechId> = m
        .agenda
        .items
        .iter()
        .flat_map(|i| i.speakers.requests.values())
        .filter_map(|r| match r.status {
            RequestStatus::Speaking { speech } => Some(speech),
            _ => None,
        })
        .collect();
    speaking.sort();
    let from_requests: Vec<SpeechId> = floor
        .current
        .iter()
        .chain(&floor.interrupted)
        .filter(|s| s.source.request().is_some())
        .map(|s| s.id)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(
        speaking, from_requests,
        "requests marked speaking vs the floor"
    );
    // The queue holds exactly the waiting requests of each item.
    for item in &m.agenda.items {
        for id in &item.speakers.queue {
            assert_eq!(item.speakers.requests[id].status, RequestStatus::Requested);
        }
        let waiting = item
            .speakers
            .requests
            .values()
            .filter(|r| r.status == RequestStatus::Requested)
            .count();
        assert_eq!(waiting, item.speakers.queue.len());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn random_sessions_keep_every_invariant(
        steps in prop::collection::vec((role(), command(), 0i64..400, prop::bool::weighted(0.8)), 1..90)
    ) {
        let mut s = Session::reference();
        for (actor, command, wait, as_self) in steps {
            let (actor, command) = resolve(&s.meeting, actor, command, as_self);
            let before = s.meeting.clone();
            let speeches_before: Vec<(SpeechId, Millis, bool)> = before.floor.current.iter()
                .chain(&before.floor.interrupted)
                .map(|sp| (sp.id, sp.timer.remaining(s.now), sp.timer.is_running()))
                .collect();
            s.secs(wait);
            match execute(&mut s.meeting, &actor, &command, s.now) {
                Err(e) => {
                    prop_assert_eq!(&s.meeting, &before, "refusal {} changed the state", e.code());
                    prop_assert!(!e.code().is_empty());
                }
                Ok(events) => {
                    s.log.extend(events);
                    let gains_time = matches!(command, Command::ExtendTimer { .. } | Command::ResetTimer);
                    if !gains_time {
                        for sp in s.meeting.floor.current.iter().chain(&s.meeting.floor.interrupted) {
                            if let Some((_, was, _)) = speeches_before.iter().find(|(id, ..)| *id == sp.id) {
                                let now = sp.timer.remaining(s.now);
                                prop_assert!(now <= *was, "{:?} gained time: {:?} -> {:?} after {:?}", sp.id, was, now, command);
                            }
                        }
                    }
                }
            }
            assert_one_speaker(&s.meeting);
        }
        let replayed = Meeting::replay(&s.log).unwrap();
        prop_assert_eq!(
            serde_json::to_value(&replayed).unwrap(),
            serde_json::to_value(&s.meeting).unwrap()
        );
    }

    #[test]
    fn a_running_timer_never_gains_time_as_the_clock_moves(
        limit in 1i64..3_600_000, start in 0i64..1_000_000, a in 0i64..5_000_000, b in 0i64..5_000_000
    ) {
        let t = plenary_core::timer::Timer::started(
            Millis(limit), plenary_core::timer::Thresholds::default(), plenary_core::Timestamp(start));
        let (early, late) = (a.min(b), a.max(b));
        prop_assert!(t.remaining(plenary_core::Timestamp(late)) <= t.remaining(plenary_core::Timestamp(early)));
        prop_assert!(t.phase(plenary_core::Timestamp(late)) >= t.phase(plenary_core::Timestamp(early)));
    }
}
