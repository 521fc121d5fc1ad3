//! Runs the scripted afternoon of the reference meeting through the core and
//! prints what the chair would see: every command and its outcome, the
//! speaking log, the running order with its drift, and the relay plan when
//! Brazil speaks Portuguese.
//!
//! `cargo run -p plenary-core --example half_day`
#![allow(clippy::print_stdout, clippy::expect_used)]

use std::sync::Arc;

use plenary_core::definition::load_str;
use plenary_core::i18n::Lang;
use plenary_core::interpretation::ChannelFeed;
use plenary_core::script::{Expect, reference_half_day};
use plenary_core::{EVENT_VERSION, Meeting, Role, StoredEvent, Timestamp, execute, projections};

const REFERENCE: &str = include_str!("../../../config/meetings/san-pedro-sula-2017.toml");
/// 26 October 2017, 14:00 in San Pedro Sula (UTC-6).
const START: Timestamp = Timestamp(1_509_048_000_000);

fn clock(t: Timestamp) -> String {
    // Local time in Honduras (UTC-6).
    let secs = t.0 / 1000 - 6 * 3600;
    format!(
        "{:02}:{:02}:{:02}",
        secs / 3600 % 24,
        secs / 60 % 60,
        secs % 60
    )
}

fn main() {
    let definition =
        load_str("san-pedro-sula-2017.toml", REFERENCE).expect("the reference meeting loads");
    let en = Lang::english();
    println!("{}\n", definition.title.get(&en).unwrap_or_default());
    let created = StoredEvent {
        seq: 1,
        at: START,
        actor: Role::System,
        v: EVENT_VERSION,
        event: Meeting::created(definition.clone()),
    };
    let mut meeting = Meeting::new(Arc::new(definition), created.seq, created.at);

    for step in reference_half_day(START) {
        let outcome = execute(&mut meeting, &step.actor, &step.command, step.at);
        let shown = match (&outcome, &step.expect) {
            (Ok(events), Expect::Accepted) => format!("ok, {} event(s)", events.len()),
            (Err(e), Expect::Refused(code)) if e.code() == *code => {
                format!("refused as expected: {} — {e}", e.code())
            }
            (Ok(_), Expect::Refused(code)) => format!("UNEXPECTEDLY accepted (expected {code})"),
            (Err(e), _) => format!("UNEXPECTEDLY refused: {} — {e}", e.code()),
        };
        println!(
            "{} {:<28} {:<22} {shown}",
            clock(step.at),
            format!("{:?}", step.actor.kind()),
            step.command.kind()
        );
        if let Some(speech) = &meeting.floor.current
            && speech.language.as_str() == "pt"
            && outcome.is_ok()
        {
            let plan = meeting
                .interpretation
                .plan(&meeting.definition, &speech.language);
            println!(
                "         relay plan while {} speaks Portuguese:",
                speech.delegation
            );
            for c in &plan.channels {
                let feed = match &c.feed {
                    ChannelFeed::FloorIsThisLanguage => "floor (original)".to_owned(),
                    ChannelFeed::NoBooth => "floor (no booth)".to_owned(),
                    ChannelFeed::Uncovered { booth } => format!("UNCOVERED ({booth})"),
                    ChannelFeed::Booth {
                        booth,
                        source,
                        depth,
                    } => {
                        format!("{booth} from {source:?}, depth {depth:?}")
                    }
                };
                println!("           channel {} ({}): {feed}", c.channel, c.language);
            }
        }
    }

    println!("\nSpeaking log");
    for s in &meeting.log {
        let name = meeting
            .definition
            .delegation(&s.delegation)
            .and_then(|d| d.name.get(&en).map(str::to_owned))
            .unwrap_or_default();
        println!(
            "  {} {:<45} {:<3} spoke {} of {} (overrun {}), ended by {:?}",
            clock(s.started_at),
            name,
            s.language,
            s.spoken,
            s.limit,
            s.overrun,
            s.ended_by
        );
    }

    let order = projections::running_order(&meeting, meeting.updated_at);
    println!(
        "\nRunning order (drift {} min)",
        order.drift.as_millis() / 60_000
    );
    for i in &order.items {
        println!(
            "  {:<24} {:?}: planned {}–{}, projected {}–{}",
            i.item,
            i.status,
            clock(i.planned_start),
            clock(i.planned_end),
            clock(i.projected_start),
            clock(i.projected_end)
        );
    }
}
