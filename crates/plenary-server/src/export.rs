//! The minutes for the secretariat: who spoke, when, for how long, in which
//! language and how each speech ended, item by item, with the running
//! order. CSV for spreadsheets, JSON for tools, Markdown for the summary.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde::Serialize;

use plenary_core::floor::{EndReason, SpeechRecord, SpeechSource};
use plenary_core::i18n::Lang;
use plenary_core::projections::{self, RunningOrder};
use plenary_core::{Meeting, Timestamp};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
    Markdown,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "md" | "markdown" => Some(Format::Markdown),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Json => "application/json",
            Format::Markdown => "text/markdown; charset=utf-8",
        }
    }
}

fn iso(t: Timestamp) -> String {
    DateTime::<Utc>::from_timestamp_millis(t.0)
        .map_or_else(String::new, |d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

fn kind(source: &SpeechSource) -> &str {
    match source {
        SpeechSource::Request { kind, .. } => kind.as_str(),
        SpeechSource::Presentation => "presentation",
    }
}

fn ended_by(reason: EndReason) -> &'static str {
    match reason {
        EndReason::Chair => "chair",
        EndReason::Time => "time",
        EndReason::Withdrawn => "withdrawn",
    }
}

fn name(meeting: &Meeting, record: &SpeechRecord, lang: &Lang) -> String {
    meeting
        .definition
        .delegation(&record.delegation)
        .and_then(|d| d.name.get(lang).map(str::to_owned))
        .unwrap_or_else(|| record.delegation.to_string())
}

#[derive(Serialize)]
struct Minutes<'a> {
    meeting: &'a plenary_core::ids::MeetingId,
    exported_at: String,
    seq: u64,
    running_order: RunningOrder,
    speeches: &'a [SpeechRecord],
}

/// Renders the minutes of `meeting` as of `now`.
pub fn render(meeting: &Meeting, format: Format, now: Timestamp) -> String {
    let lang = meeting
        .definition
        .languages
        .first()
        .cloned()
        .unwrap_or_else(Lang::english);
    match format {
        Format::Json => serde_json::to_string_pretty(&Minutes {
            meeting: &meeting.definition.id,
            exported_at: iso(now),
            seq: meeting.seq,
            running_order: projections::running_order(meeting, now),
            speeches: &meeting.log,
        })
        .unwrap_or_default(),
        Format::Csv => {
            let mut out = String::from(
                "item,delegation,name,kind,language,started,ended,spoken_s,limit_s,overrun_s,pauses,ended_by\n",
            );
            for r in &meeting.log {
                let _ = writeln!(
                    out,
                    "{},{},{},{},{},{},{},{},{},{},{},{}",
                    csv(r.item.as_str()),
                    csv(r.delegation.as_str()),
                    csv(&name(meeting, r, &lang)),
                    csv(kind(&r.source)),
                    r.language,
                    iso(r.started_at),
                    iso(r.ended_at),
                    r.spoken.as_millis() / 1000,
                    r.limit.as_millis() / 1000,
                    r.overrun.as_millis() / 1000,
                    r.pauses.len(),
                    ended_by(r.ended_by),
                );
            }
            out
        }
        Format::Markdown => {
            let mut out = String::new();
            let title = meeting.definition.title.get(&lang).unwrap_or_default();
            let _ = writeln!(out, "# {title}\n");
            let _ = writeln!(out, "Exported {} (event {}).\n", iso(now), meeting.seq);
            let order = projections::running_order(meeting, now);
            let _ = writeln!(
                out,
                "## Running order\n\n| item | status | planned | actual |\n|---|---|---|---|"
            );
            for i in &order.items {
                let item_title = meeting
                    .definition
                    .item(&i.item)
                    .and_then(|d| d.title.get(&lang).map(str::to_owned))
                    .unwrap_or_else(|| i.item.to_string());
                let actual = match (i.actual_start, i.actual_end) {
                    (Some(s), Some(e)) => format!("{} – {}", iso(s), iso(e)),
                    (Some(s), None) => format!("{} –", iso(s)),
                    _ => String::new(),
                };
                let _ = writeln!(
                    out,
                    "| {item_title} | {:?} | {} – {} | {actual} |",
                    i.status,
                    iso(i.planned_start),
                    iso(i.planned_end)
                );
            }
            let _ = writeln!(
                out,
                "\n## Speakers\n\n| started | delegation | kind | language | spoken | limit | overrun | ended by |\n|---|---|---|---|---|---|---|---|"
            );
            for r in &meeting.log {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} | {} | {} |",
                    iso(r.started_at),
                    name(meeting, r, &lang),
                    kind(&r.source),
                    r.language,
                    r.spoken,
                    r.limit,
                    r.overrun,
                    ended_by_noted(r)
                );
            }
            out
        }
    }
}

/// Quotes a CSV field when it needs it.
/// How a speech ended, with the changes taken back during it ("ended by
/// mistake, restored 00:04 later").
fn ended_by_noted(r: &SpeechRecord) -> String {
    let mut text = ended_by(r.ended_by).to_owned();
    for undone in &r.restorations {
        let later = (undone.restored_at - undone.changed_at).as_millis() / 1000;
        let _ = write!(
            text,
            "; changed by mistake at {}, restored {:02}:{:02} later",
            iso(undone.changed_at),
            later / 60,
            later % 60
        );
    }
    text
}

fn csv(field: &str) -> String {
    if field.contains([',', '"', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}
