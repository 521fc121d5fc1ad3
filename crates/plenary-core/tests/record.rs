//! The record of the session after the scripted afternoon of the reference
//! meeting: every total equals this test's own sums over the event log and
//! the speaking log it leaves, never the record's own tables.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::collections::{BTreeMap, BTreeSet};

use plenary_core::event::Event;
use plenary_core::interpretation::Service;
use plenary_core::record::record;
use plenary_core::script::{Expect, reference_half_day};
use plenary_core::{Millis, execute};
use support::{Session, T0};

fn afternoon() -> Session {
    let mut s = Session::reference();
    for step in reference_half_day(T0) {
        s.now = step.at;
        let outcome = execute(&mut s.meeting, &step.actor, &step.command, step.at);
        match (&step.expect, outcome) {
            (Expect::Accepted, Ok(events)) => s.log.extend(events),
            (Expect::Refused(_), Err(_)) => {}
            (expect, outcome) => panic!("{expect:?}: {outcome:?}"),
        }
    }
    s
}

#[test]
fn the_totals_are_the_sums_of_the_log() {
    let s = afternoon();
    let r = record(&s.meeting, s.now);
    // Speeches that ended, counted from the events themselves.
    let ended: BTreeSet<_> = s
        .log
        .iter()
        .filter_map(|e| match &e.event {
            Event::SpeechEnded { speech, .. } => Some(*speech),
            _ => None,
        })
        .collect();
    assert!(ended.len() >= 5, "the afternoon has speeches");
    assert_eq!(r.totals.speeches as usize, ended.len());
    let started: BTreeMap<_, _> = s
        .log
        .iter()
        .filter_map(|e| match &e.event {
            Event::SpeechStarted {
                speech,
                delegation,
                language,
                ..
            } => Some((*speech, (delegation.clone(), language.clone()))),
            _ => None,
        })
        .collect();
    let mut by_delegation: BTreeMap<String, Millis> = BTreeMap::new();
    let mut by_language: BTreeMap<String, Millis> = BTreeMap::new();
    let mut by_category: BTreeMap<String, Millis> = BTreeMap::new();
    let mut total = Millis::ZERO;
    let mut overrun = Millis::ZERO;
    for speech in &s.meeting.log {
        let (delegation, language) = &started[&speech.id];
        *by_delegation.entry(delegation.to_string()).or_default() += speech.spoken;
        *by_language.entry(language.to_string()).or_default() += speech.spoken;
        let category = s
            .meeting
            .definition
            .delegation(delegation)
            .unwrap()
            .category;
        *by_category.entry(category.as_str().to_owned()).or_default() += speech.spoken;
        total += speech.spoken;
        overrun += speech.overrun;
    }
    assert_eq!(r.totals.spoken, total);
    assert_eq!(r.totals.overrun, overrun);
    for share in &r.by_delegation {
        assert_eq!(share.spoken, by_delegation[share.delegation.as_str()]);
    }
    assert_eq!(r.by_delegation.len(), by_delegation.len());
    for share in &r.by_language {
        assert_eq!(share.spoken, by_language[share.language.as_str()]);
    }
    for share in &r.by_category {
        let expected = by_category
            .get(share.category.as_str())
            .copied()
            .unwrap_or_default();
        assert_eq!(share.spoken, expected, "{:?}", share.category);
    }
    // Every channel accounts for every minute spoken, once.
    for channel in &r.interpretation {
        let sum = Service::ALL
            .into_iter()
            .fold(Millis::ZERO, |a, s| a + channel.get(s));
        assert_eq!(sum, total, "channel {}", channel.channel);
    }
    // The points of order and rights of reply are those of the log.
    assert_eq!(
        r.procedural.len() as u32,
        r.totals.points_of_order + r.totals.rights_of_reply
    );
    assert!(r.overruns.iter().all(|o| o.overrun > Millis::ZERO));
}

#[test]
fn the_running_order_and_today_are_in_the_meetings_zone() {
    let s = afternoon();
    let r = record(&s.meeting, s.now);
    assert_eq!(r.time_zone.as_str(), "America/Tegucigalpa");
    // The afternoon of 26 October 2017 in San Pedro Sula.
    assert_eq!(r.today.date, "2017-10-26");
    assert!(r.today.items >= 1 && r.today.planned > Millis::ZERO);
    let done: Vec<_> = r.items.iter().filter(|i| i.actual_end.is_some()).collect();
    assert!(!done.is_empty());
    let spoken: Millis = r.items.iter().fold(Millis::ZERO, |a, i| a + i.spoken);
    assert_eq!(spoken, r.totals.spoken);
}

#[test]
fn an_unknown_time_zone_names_the_file_line_and_field() {
    let source = support::REFERENCE.replace("America/Tegucigalpa", "America/San_Pedro_Sula");
    let errors = plenary_core::definition::load_str("spl.toml", &source).unwrap_err();
    assert_eq!(errors.len(), 1);
    let e = &errors[0];
    assert_eq!(e.field, "meeting.time_zone");
    assert_eq!(e.code.as_str(), "unknown_time_zone");
    let line = source
        .lines()
        .position(|l| l.starts_with("time_zone"))
        .unwrap()
        + 1;
    assert_eq!(e.line, line);
    assert!(e.to_string().starts_with("spl.toml:"), "{e}");
}

#[test]
fn a_meeting_without_a_zone_is_in_utc() {
    let source = support::REFERENCE.replace("time_zone = \"America/Tegucigalpa\"", "");
    let d = plenary_core::definition::load_str("spl.toml", &source).unwrap();
    assert_eq!(d.time_zone.as_str(), "UTC");
}
