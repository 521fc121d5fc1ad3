//! The minutes for the secretariat: who spoke, when, for how long, in which
//! language and how each speech ended, item by item, with the running
//! order, the totals and the interpretation by channel. HTML to print and
//! sign (with SVG charts), CSV for spreadsheets, Markdown for the summary —
//! all three in a meeting language and its time zone — and JSON for tools
//! (UTC and codes, [`plenary_protocol::rest::Minutes`]).
//!
//! Every figure comes from one aggregate, [`plenary_core::record::record`],
//! which the chair's live report reads too; every word from the catalogue
//! (`locales/*.toml`, the `minutes`, `category`, `kind`, `item` and
//! `language` tables).

mod charts;
mod csv;
mod html;
mod markdown;

use chrono::{DateTime, Utc};

use plenary_core::agenda::ItemStatus;
use plenary_core::floor::{EndReason, SpeechRecord};
use plenary_core::i18n::{Catalogue, Lang, Texts};
use plenary_core::interpretation::Service;
use plenary_core::projections;
use plenary_core::record::{self, SessionRecord};
use plenary_core::rules::Category;
use plenary_core::{Meeting, Millis, Timestamp};
use plenary_protocol::rest::Minutes;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Html,
    Csv,
    Json,
    Markdown,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "html" => Some(Format::Html),
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "md" | "markdown" => Some(Format::Markdown),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Html => "text/html; charset=utf-8",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Json => "application/json",
            Format::Markdown => "text/markdown; charset=utf-8",
        }
    }

    /// The file name's extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Markdown => "md",
        }
    }

    /// Whether the format is written in one language (JSON is not).
    pub fn is_localised(self) -> bool {
        !matches!(self, Format::Json)
    }
}

/// The language to write the minutes in: `asked` when it is one of the
/// meeting's languages, else `None`; no ask gives the main language.
pub fn language(meeting: &Meeting, asked: Option<&str>) -> Option<Lang> {
    let languages = &meeting.definition.languages;
    match asked {
        None => Some(languages.first().cloned().unwrap_or_else(Lang::english)),
        Some(tag) => {
            let lang = Lang::parse(tag).ok()?;
            languages.iter().find(|l| **l == lang).cloned()
        }
    }
}

/// Renders the minutes of `meeting` as of `now`, in the main language.
pub fn render(meeting: &Meeting, format: Format, now: Timestamp) -> String {
    let lang = language(meeting, None).unwrap_or_else(Lang::english);
    render_in(meeting, format, &lang, now)
}

/// Renders the minutes of `meeting` as of `now` in `lang` (ignored by JSON).
pub fn render_in(meeting: &Meeting, format: Format, lang: &Lang, now: Timestamp) -> String {
    let doc = Doc::new(meeting, lang.clone(), now);
    match format {
        Format::Json => json(meeting, &doc.record, now),
        Format::Csv => csv::render(&doc),
        Format::Markdown => markdown::render(&doc),
        Format::Html => html::render(&doc),
    }
}

fn json(meeting: &Meeting, record: &SessionRecord, now: Timestamp) -> String {
    serde_json::to_string_pretty(&Minutes {
        meeting: meeting.definition.id.clone(),
        exported_at: iso(now),
        seq: meeting.seq,
        time_zone: meeting.definition.time_zone.clone(),
        running_order: projections::running_order(meeting, now),
        record: record.clone(),
        speeches: meeting.log.clone(),
    })
    .unwrap_or_default()
}

fn iso(t: Timestamp) -> String {
    DateTime::<Utc>::from_timestamp_millis(t.0)
        .map_or_else(String::new, |d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// What every localised format needs: the meeting, the record, the
/// language and zone, and the words.
pub(crate) struct Doc<'a> {
    pub(crate) meeting: &'a Meeting,
    pub(crate) record: SessionRecord,
    pub(crate) lang: Lang,
    pub(crate) now: Timestamp,
    catalogue: &'static Catalogue,
}

impl<'a> Doc<'a> {
    fn new(meeting: &'a Meeting, lang: Lang, now: Timestamp) -> Doc<'a> {
        Doc {
            record: record::record(meeting, now),
            meeting,
            lang,
            now,
            catalogue: Catalogue::get(),
        }
    }

    /// A text of the catalogue.
    pub(crate) fn t(&self, key: &str) -> String {
        self.catalogue.text(&self.lang, key, &[])
    }

    /// A text of the catalogue with its parameters.
    pub(crate) fn tf(&self, key: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
        self.catalogue.text(&self.lang, key, args)
    }

    /// Meeting content in the document's language.
    pub(crate) fn pick(&self, texts: &Texts) -> String {
        texts.get(&self.lang).unwrap_or_default().to_owned()
    }

    /// `14:05` on the meeting's wall clock.
    pub(crate) fn time(&self, t: Timestamp) -> String {
        self.meeting.definition.time_zone.format(t, "%H:%M")
    }

    /// `2017-10-26 14:05` on the meeting's wall clock.
    pub(crate) fn datetime(&self, t: Timestamp) -> String {
        self.meeting
            .definition
            .time_zone
            .format(t, "%Y-%m-%d %H:%M")
    }

    /// `2017-10-26 14:05:09` on the meeting's wall clock.
    pub(crate) fn datetime_s(&self, t: Timestamp) -> String {
        self.meeting
            .definition
            .time_zone
            .format(t, "%Y-%m-%d %H:%M:%S")
    }

    /// "Times are in America/Tegucigalpa (UTC-06:00)."
    pub(crate) fn zone_note(&self) -> String {
        let zone = &self.meeting.definition.time_zone;
        self.tf(
            "minutes.times_in",
            &[("zone", zone), ("offset", &zone.offset(self.now))],
        )
    }

    /// A span as `m:ss` (the speaking log's unit).
    pub(crate) fn span(&self, d: Millis) -> String {
        d.to_string()
    }

    /// A span in whole minutes and hours, as the interface writes them.
    pub(crate) fn minutes(&self, d: Millis) -> String {
        let m = d.as_millis().abs() / 60_000;
        let sign = if d.as_millis() < 0 { "−" } else { "" };
        let text = if m == 0 {
            self.tf("duration.s", &[("s", &(d.as_millis().abs() / 1000))])
        } else if m >= 60 {
            self.tf("duration.h_min", &[("h", &(m / 60)), ("m", &(m % 60))])
        } else {
            self.tf("duration.min", &[("m", &m)])
        };
        format!("{sign}{text}")
    }

    /// A drift: "12 min late", "3 min early", "on time".
    pub(crate) fn drift(&self, d: Millis) -> String {
        let m = d.as_millis() / 60_000;
        if m == 0 {
            self.t("minutes.on_time")
        } else if m > 0 {
            self.tf("minutes.late", &[("d", &self.minutes(d))])
        } else {
            self.tf(
                "minutes.early",
                &[("d", &self.minutes(Millis(-d.as_millis())))],
            )
        }
    }

    pub(crate) fn status(&self, s: ItemStatus) -> String {
        self.t(match s {
            ItemStatus::Pending => "item.status.pending",
            ItemStatus::Current => "item.status.current",
            ItemStatus::Done => "item.status.done",
        })
    }

    /// A kind of speech: the catalogue's, or the meeting's own kinds' names.
    pub(crate) fn kind(&self, code: &str) -> String {
        match code {
            "statement" | "point_of_order" | "right_of_reply" | "presentation" => {
                self.t(&format!("kind.{code}"))
            }
            other => self
                .meeting
                .definition
                .rules
                .extra_kinds
                .iter()
                .find(|k| k.id == other)
                .map_or_else(|| other.to_owned(), |k| self.pick(&k.name)),
        }
    }

    pub(crate) fn category(&self, c: Category) -> String {
        self.t(&format!("category.{}", c.as_str()))
    }

    pub(crate) fn service(&self, s: Service) -> String {
        self.t(&format!("minutes.service.{}", s.as_str()))
    }

    /// A language's name, or its tag when the catalogue has no name.
    pub(crate) fn language(&self, l: &Lang) -> String {
        let key = format!("language.{}", l.primary());
        match self.catalogue.template(&self.lang, &key) {
            Some(name) if l.as_str() == l.primary() => name.to_owned(),
            Some(name) => format!("{name} ({l})"),
            None => l.to_string(),
        }
    }

    pub(crate) fn item_title(&self, item: &plenary_core::ids::ItemId) -> String {
        self.meeting
            .definition
            .item(item)
            .map_or_else(|| item.to_string(), |d| self.pick(&d.title))
    }

    pub(crate) fn name(&self, r: &SpeechRecord) -> String {
        self.pick(&self.meeting.definition.name_of(&r.delegation))
    }

    pub(crate) fn channel(&self, n: u8, language: &Lang) -> String {
        self.tf(
            "minutes.channel_name",
            &[("n", &n), ("language", &self.language(language))],
        )
    }

    /// How a speech ended, with the changes taken back during it.
    pub(crate) fn ended_by(&self, r: &SpeechRecord) -> String {
        let mut text = self.t(match r.ended_by {
            EndReason::Chair => "minutes.end_reason.chair",
            EndReason::Time => "minutes.end_reason.time",
            EndReason::Withdrawn => "minutes.end_reason.withdrawn",
        });
        for undone in &r.restorations {
            let later = undone.restored_at - undone.changed_at;
            text.push_str("; ");
            text.push_str(&self.tf(
                "minutes.restored",
                &[
                    ("time", &self.time(undone.changed_at)),
                    ("later", &self.span(later)),
                ],
            ));
        }
        text
    }

    pub(crate) fn title(&self) -> String {
        self.pick(&self.meeting.definition.title)
    }

    pub(crate) fn exported(&self) -> String {
        self.tf(
            "minutes.exported",
            &[
                ("time", &self.datetime(self.now)),
                ("seq", &self.meeting.seq),
            ],
        )
    }
}
