//! The exported minutes of the reference meeting after the scripted
//! afternoon of 26 October 2017: totals equal this test's own sums over the
//! event log, times are on San Pedro Sula's clock (UTC-6, computed here with
//! a fixed offset, not the export's zone code), and every word a reader sees
//! comes from the catalogue, in Spanish and in English.
//!
//! With `MINUTES_OUT=dir` the HTML minutes are also written there, for the
//! browser test that prints them.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use chrono::{DateTime, FixedOffset};

use plenary_core::command::Command;
use plenary_core::definition::load_str;
use plenary_core::event::Event;
use plenary_core::i18n::{Catalogue, Lang};
use plenary_core::ids::ItemId;
use plenary_core::script::{Expect, reference_half_day};
use plenary_core::{Meeting, Millis, Role, StoredEvent, Timestamp, execute, stamp};
use plenary_server::export::{self, Format};

const REFERENCE: &str = include_str!("../../../config/meetings/san-pedro-sula-2017.toml");
/// 26 October 2017, 14:00 in San Pedro Sula.
const T0: Timestamp = Timestamp(1_509_048_000_000);

fn afternoon() -> (Meeting, Vec<StoredEvent>, Timestamp) {
    let definition = load_str("san-pedro-sula-2017.toml", REFERENCE).unwrap();
    let mut log = stamp(
        0,
        T0 - Millis::from_mins(30),
        &Role::System,
        vec![Meeting::created(definition)],
    );
    let mut meeting = Meeting::replay(&log).unwrap();
    let mut now = T0;
    for step in reference_half_day(T0) {
        now = step.at;
        match (
            &step.expect,
            execute(&mut meeting, &step.actor, &step.command, step.at),
        ) {
            (Expect::Accepted, Ok(events)) => log.extend(events),
            (Expect::Refused(_), Err(_)) => {}
            (expect, outcome) => panic!("{expect:?}: {outcome:?}"),
        }
    }
    (meeting, log, now + Millis::from_mins(1))
}

/// San Pedro Sula's wall clock, independently of the export: Honduras has
/// kept UTC-6 all year since 2006.
fn honduras(t: Timestamp, pattern: &str) -> String {
    let offset = FixedOffset::west_opt(6 * 3600).unwrap();
    DateTime::from_timestamp_millis(t.0)
        .unwrap()
        .with_timezone(&offset)
        .format(pattern)
        .to_string()
}

fn es() -> Lang {
    Lang::parse("es").unwrap()
}

fn en() -> Lang {
    Lang::parse("en").unwrap()
}

/// The speeches that ended, with their spoken time, from the events: the
/// speaking log the state keeps is checked against them.
fn spoken_by_speech(meeting: &Meeting, log: &[StoredEvent]) -> Vec<(String, Millis)> {
    let ended: Vec<_> = log
        .iter()
        .filter_map(|e| match &e.event {
            Event::SpeechEnded { speech, .. } => Some(*speech),
            _ => None,
        })
        .collect();
    meeting
        .log
        .iter()
        .map(|r| {
            assert!(ended.contains(&r.id));
            (r.delegation.to_string(), r.spoken)
        })
        .collect()
}

/// The text a reader sees: tags, attributes, styles and SVG paths out.
fn visible(html: &str) -> String {
    let body = html.split("<body>").nth(1).unwrap_or(html);
    let mut out = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[test]
fn the_totals_are_the_sums_of_the_event_log() {
    let (meeting, log, now) = afternoon();
    let speeches = spoken_by_speech(&meeting, &log);
    assert!(speeches.len() >= 5);
    let total: i64 = speeches.iter().map(|(_, s)| s.as_millis()).sum();
    let html = export::render_in(&meeting, Format::Html, &es(), now);
    assert!(
        html.contains(&format!("data-total=\"speeches\">{}<", speeches.len())),
        "speech count"
    );
    assert!(html.contains(&format!("data-total=\"spoken\" data-ms=\"{total}\"")));
    // The CSV's seconds add up to the same (each speech rounded down).
    let csv = export::render_in(&meeting, Format::Csv, &en(), now);
    let seconds: i64 = csv
        .lines()
        .skip(1)
        .map(|l| split_csv(l)[9].parse::<i64>().unwrap())
        .sum();
    let own: i64 = speeches.iter().map(|(_, s)| s.as_millis() / 1000).sum();
    assert_eq!(seconds, own);
    assert_eq!(csv.lines().count() - 1, speeches.len());
    // The JSON's record, too.
    let json: serde_json::Value =
        serde_json::from_str(&export::render(&meeting, Format::Json, now)).unwrap();
    assert_eq!(json["record"]["totals"]["spoken"], total);
    assert_eq!(json["time_zone"], "America/Tegucigalpa");
    let by_delegation: i64 = json["record"]["by_delegation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["spoken"].as_i64().unwrap())
        .sum();
    assert_eq!(by_delegation, total);
}

#[test]
fn times_are_on_the_meetings_clock() {
    let (meeting, _, now) = afternoon();
    let first = &meeting.log[0];
    let csv = export::render_in(&meeting, Format::Csv, &es(), now);
    let line = csv.lines().nth(1).unwrap();
    assert_eq!(
        split_csv(line)[7],
        honduras(first.started_at, "%Y-%m-%d %H:%M:%S")
    );
    let md = export::render_in(&meeting, Format::Markdown, &en(), now);
    assert!(md.contains(&honduras(first.started_at, "| %H:%M |")));
    assert!(md.contains("America/Tegucigalpa (UTC-06:00)"));
    let html = export::render_in(&meeting, Format::Html, &en(), now);
    assert!(html.contains(&format!("<td>{}</td>", honduras(first.started_at, "%H:%M"))));
    // JSON stays UTC.
    let json = export::render(&meeting, Format::Json, now);
    assert!(json.contains(&format!("\"started_at\": {}", first.started_at.0)));
}

#[test]
fn every_visible_word_comes_from_the_catalogue_in_both_languages() {
    let (meeting, _, now) = afternoon();
    let catalogue = Catalogue::get();
    for (lang, other) in [(es(), en()), (en(), es())] {
        let html = export::render_in(&meeting, Format::Html, &lang, now);
        let md = export::render_in(&meeting, Format::Markdown, &lang, now);
        let csv = export::render_in(&meeting, Format::Csv, &lang, now);
        let text = visible(&html);
        for (name, doc) in [("html", text.as_str()), ("md", md.as_str())] {
            // No code or key leaks into what people read.
            for code in [
                "right_of_reply",
                "point_of_order",
                "member_state",
                "civil_society",
                "double_relay",
                "minutes.",
                "category.",
                "kind.",
            ] {
                assert!(!doc.contains(code), "{lang} {name}: `{code}` in\n{doc}");
            }
            // The example: English statuses in a Spanish document.
            if lang == es() {
                for word in ["Pending", "Current", "Done", "Statement"] {
                    assert!(!doc.contains(word), "{name}: `{word}`");
                }
            }
            for key in [
                "minutes.title",
                "minutes.running_order",
                "minutes.by_delegation",
                "minutes.by_category",
                "minutes.overruns",
                "minutes.procedural",
                "minutes.interpretation",
                "minutes.log",
                "minutes.service.relay",
                "kind.statement",
                "item.status.done",
            ] {
                let mine = catalogue.text(&lang, key, &[]);
                assert!(doc.contains(&mine), "{lang} {name}: lacks {key} `{mine}`");
                let theirs = catalogue.text(&other, key, &[]);
                if theirs != mine && theirs.len() > 6 {
                    assert!(!doc.contains(&theirs), "{lang} {name}: has `{theirs}`");
                }
            }
        }
        assert!(text.contains(&catalogue.text(&lang, "minutes.signature", &[])));
        let header = csv.lines().next().unwrap();
        assert!(header.starts_with(&catalogue.text(&lang, "minutes.item_id", &[])));
        if let Some(dir) = std::env::var_os("MINUTES_OUT") {
            let path = std::path::Path::new(&dir).join(format!("minutes.{lang}.html"));
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(path, &html).unwrap();
        }
    }
}

#[test]
fn the_html_stands_alone_with_charts_and_print_rules() {
    let (meeting, _, now) = afternoon();
    let html = export::render_in(&meeting, Format::Html, &es(), now);
    for forbidden in ["<script", "<link", "src=", "@import", "url("] {
        assert!(!html.contains(forbidden), "{forbidden}");
    }
    assert!(html.contains("@page { size: A4"));
    assert!(html.contains("tr { break-inside: avoid"));
    for chart in [
        "timeline",
        "by_delegation",
        "by_category",
        "by_language",
        "interpretation",
    ] {
        assert!(html.contains(&format!("data-chart=\"{chart}\"")), "{chart}");
    }
    assert!(html.matches("<svg").count() >= 5);
    assert!(html.contains("data-section=\"signature\""));
    // A status is one word in a narrow column: printed, it never breaks.
    assert!(html.contains("td.w { white-space: nowrap; }"));
    assert!(
        html.contains("<td class=\"w\">Concluido</td>"),
        "the status cell"
    );
}

#[test]
fn another_language_is_asked_for_by_its_tag() {
    let (meeting, _, _) = afternoon();
    assert_eq!(export::language(&meeting, Some("en")), Some(en()));
    assert_eq!(export::language(&meeting, None), Some(es()));
    assert_eq!(export::language(&meeting, Some("pt")), None);
    assert_eq!(export::language(&meeting, Some("??")), None);
}

/// Splits a CSV line on commas outside quotes.
fn split_csv(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(String::new()),
            c => fields.last_mut().unwrap().push(c),
        }
    }
    fields
}

/// A demo begun at 23:15 in San Pedro Sula plans the opening for 23:30, alone
/// on its local day, and the rest after midnight: every day's timeline
/// still draws each item's planned bar (the first day's came out empty).
#[test]
fn every_local_day_of_the_running_order_has_a_drawn_timeline() {
    let source = REFERENCE
        .replace("2017-10-26T14:00:00-06:00", "2017-10-26T23:30:00-06:00")
        .replace("2017-10-27T09:00:00-06:00", "2017-10-27T18:30:00-06:00");
    let definition = load_str("late.toml", &source).unwrap();
    let start = T0 + Millis::from_mins(9 * 60 + 15);
    let mut log = stamp(0, start, &Role::System, vec![Meeting::created(definition)]);
    let mut meeting = Meeting::replay(&log).unwrap();
    let open = Command::OpenItem {
        item: ItemId::new("stocktaking"),
    };
    log.extend(
        execute(
            &mut meeting,
            &Role::Chair,
            &open,
            start + Millis::from_secs(5),
        )
        .unwrap(),
    );
    let html = export::render_in(&meeting, Format::Html, &es(), start + Millis::from_mins(1));
    let figures: Vec<&str> = html
        .split("<figure data-chart=\"timeline\">")
        .skip(1)
        .map(|f| &f[..f.find("</figure>").unwrap()])
        .collect();
    assert_eq!(figures.len(), 2, "two local days");
    for f in figures {
        // A bar with a height: the first day's was drawn 24 px upside down.
        let drawn = f.split("<rect ").skip(1).any(|r| {
            let r = &r[..r.find('>').unwrap()];
            r.contains("fill=\"#C8C8C8\"")
                && !r.contains("height=\"-")
                && !r.contains("height=\"0\"")
        });
        assert!(drawn, "no planned bar: {f}");
    }
}
