//! The minutes as one self-contained HTML file to read, print on A4 and
//! sign: no script, no font, no image to fetch — the charts are inline SVG
//! ([`super::charts`]) and the styles inline, with print rules so that no
//! table row or chart is split across pages.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use plenary_core::agenda::ItemStatus;
use plenary_core::interpretation::Service;
use plenary_core::record::{ItemLine, SpeechLine, kind_of};
use plenary_core::{Millis, Timestamp};

use super::Doc;
use super::charts::{self, Bar, PALETTE, Span};

const STYLE: &str = r#"
@page { size: A4; margin: 15mm 14mm 16mm 14mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10pt; color: #111; margin: 0 auto; max-width: 190mm; line-height: 1.35; }
header { border-bottom: 2px solid #1f5f99; margin-bottom: 6mm; padding-bottom: 3mm; }
h1 { font-size: 16pt; margin: 0 0 2mm; }
h2 { font-size: 12.5pt; margin: 7mm 0 2.5mm; color: #1f5f99; break-after: avoid; page-break-after: avoid; }
h3 { font-size: 11pt; margin: 4mm 0 2mm; break-after: avoid; page-break-after: avoid; }
p.meta { margin: 0.5mm 0; color: #333; }
figure { margin: 0 0 3mm; break-inside: avoid; page-break-inside: avoid; }
figure svg { display: block; width: 100%; height: auto; }
figcaption { font-size: 9pt; color: #333; margin-top: 1mm; }
table { border-collapse: collapse; width: 100%; margin: 0 0 4mm; font-size: 9pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 0.6pt solid #999; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
th { background: #eef2f7; }
td.n, th.n { text-align: right; white-space: nowrap; }
td.late { color: #b03a2e; }
td { overflow-wrap: break-word; }
td.w { white-space: nowrap; }
table.log { font-size: 8.5pt; }
table.log tr.group th { background: #dde6f0; text-align: left; }
tr.group { break-after: avoid; page-break-after: avoid; }
dl.totals { display: grid; grid-template-columns: auto 1fr; gap: 1mm 6mm; margin: 0 0 4mm; }
dl.totals dt { font-weight: bold; }
dl.totals dd { margin: 0; }
.legend { display: flex; flex-wrap: wrap; gap: 2mm 5mm; font-size: 9pt; margin: 1mm 0 2mm; }
.legend i { display: inline-block; width: 3.5mm; height: 3.5mm; margin-right: 1.5mm; vertical-align: -0.6mm; }
section.signature { break-inside: avoid; page-break-inside: avoid; margin-top: 12mm; }
.signature .lines { display: grid; grid-template-columns: 1fr 1fr 1fr; gap: 8mm; margin-top: 14mm; }
.signature .lines div { border-top: 0.8pt solid #111; padding-top: 1.5mm; font-size: 9pt; }
@media screen { body { padding: 8mm; } }
"#;

pub(super) fn render(doc: &Doc<'_>) -> String {
    let r = &doc.record;
    let mut out = String::new();
    let title = doc.title();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} — {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(doc.lang.as_str()),
        esc(&doc.t("minutes.title")),
        esc(&title),
    );
    let _ = writeln!(
        out,
        "<header><h1>{} — {}</h1><p class=\"meta\">{}</p><p class=\"meta\">{}</p>\
         <p class=\"meta\">{} {}</p></header>",
        esc(&doc.t("minutes.title")),
        esc(&title),
        esc(&doc.pick(&doc.meeting.definition.venue)),
        esc(&doc.exported()),
        esc(&doc.zone_note()),
        esc(&doc.t("minutes.finished_only")),
    );

    section(&mut out, "totals", &doc.t("minutes.totals"));
    let _ = writeln!(
        out,
        "<dl class=\"totals\"><dt>{}</dt><dd data-total=\"speeches\">{}</dd>\
         <dt>{}</dt><dd data-total=\"spoken\" data-ms=\"{}\">{}</dd>\
         <dt>{}</dt><dd data-total=\"overrun\" data-ms=\"{}\">{}</dd>\
         <dt>{}</dt><dd data-total=\"points_of_order\">{}</dd>\
         <dt>{}</dt><dd data-total=\"rights_of_reply\">{}</dd></dl>",
        esc(&doc.t("minutes.speeches")),
        r.totals.speeches,
        esc(&doc.t("minutes.spoken")),
        r.totals.spoken.as_millis(),
        esc(&doc.minutes(r.totals.spoken)),
        esc(&doc.t("minutes.overruns")),
        r.totals.overrun.as_millis(),
        esc(&doc.tf(
            "minutes.overrun_total",
            &[
                ("n", &r.totals.over_limit),
                ("d", &doc.span(r.totals.overrun))
            ]
        )),
        esc(&doc.t("kind.point_of_order")),
        r.totals.points_of_order,
        esc(&doc.t("kind.right_of_reply")),
        r.totals.rights_of_reply,
    );
    end(&mut out);

    running_order(&mut out, doc);
    shares(&mut out, doc);

    section(&mut out, "overruns", &doc.t("minutes.overruns"));
    speech_table(&mut out, doc, &r.overruns);
    end(&mut out);
    section(&mut out, "procedural", &doc.t("minutes.procedural"));
    speech_table(&mut out, doc, &r.procedural);
    end(&mut out);

    interpretation(&mut out, doc);
    log(&mut out, doc);

    let _ = writeln!(
        out,
        "<section class=\"signature\" data-section=\"signature\"><h2>{}</h2>\
         <div class=\"lines\"><div>{}</div><div>{}</div><div>{}</div></div></section>",
        esc(&doc.t("minutes.signature")),
        esc(&doc.t("minutes.signature_name")),
        esc(&doc.t("minutes.signature_sign")),
        esc(&doc.t("minutes.signature_date")),
    );
    out.push_str("</body>\n</html>\n");
    out
}

fn running_order(out: &mut String, doc: &Doc<'_>) {
    let r = &doc.record;
    section(out, "running-order", &doc.t("minutes.running_order"));
    // One timeline per local day: a meeting over two half days would
    // otherwise draw the night.
    let mut days: BTreeMap<String, Vec<&ItemLine>> = BTreeMap::new();
    for i in &r.items {
        days.entry(doc.datetime(i.planned_start).chars().take(10).collect())
            .or_default()
            .push(i);
    }
    for (day, items) in &days {
        let origin = items
            .iter()
            .map(|i| {
                i.actual_start
                    .map_or(i.planned_start, |a| a.min(i.planned_start))
            })
            .min()
            .unwrap_or(doc.now);
        let x = |t: Timestamp| (t - origin).as_millis() as f64 / 60_000.0;
        let spans: Vec<Span> = items
            .iter()
            .map(|i| {
                let actual_end = match i.status {
                    ItemStatus::Current => Some(doc.now),
                    _ => i.actual_end,
                };
                let drift = match i.status {
                    ItemStatus::Done => i.end_drift(),
                    ItemStatus::Current => Some(doc.now - i.planned_end)
                        .filter(|d| *d > Millis::ZERO)
                        .or(i.start_drift()),
                    ItemStatus::Pending => None,
                };
                Span {
                    label: doc.pick(&i.title),
                    planned: (x(i.planned_start), x(i.planned_end)),
                    actual: i.actual_start.zip(actual_end).map(|(s, e)| (x(s), x(e))),
                    late: drift.is_some_and(|d| d > Millis::from_secs(59)),
                    note: drift.map(|d| doc.drift(d)).unwrap_or_default(),
                }
            })
            .collect();
        let clock = |m: f64| doc.time(origin + Millis((m * 60_000.0) as i64));
        let _ = writeln!(
            out,
            "<figure data-chart=\"timeline\"><h3>{}</h3>{}<div class=\"legend\">{}{}</div></figure>",
            esc(day),
            charts::timeline(&spans, &clock),
            legend(
                plotters::prelude::RGBColor(0xc8, 0xc8, 0xc8),
                &doc.t("minutes.planned")
            ),
            legend(PALETTE[0], &doc.t("minutes.actual")),
        );
    }
    table(
        out,
        &[
            (doc.t("minutes.item"), false),
            (doc.t("minutes.status"), false),
            (doc.t("minutes.planned"), false),
            (doc.t("minutes.actual"), false),
            (doc.t("minutes.drift"), false),
            (doc.t("minutes.speeches"), true),
            (doc.t("minutes.spoken"), true),
        ],
        r.items.iter().map(|i| {
            let actual = match (i.actual_start, i.actual_end) {
                (Some(s), Some(e)) => format!("{} – {}", doc.time(s), doc.time(e)),
                (Some(s), None) => format!("{} –", doc.time(s)),
                _ => String::new(),
            };
            let drift = i.end_drift().or(i.start_drift());
            vec![
                Cell::text(doc.pick(&i.title)),
                Cell::word(doc.status(i.status)),
                Cell::text(format!(
                    "{} {} – {}",
                    doc.datetime(i.planned_start).get(..10).unwrap_or_default(),
                    doc.time(i.planned_start),
                    doc.time(i.planned_end)
                )),
                Cell::text(actual),
                Cell {
                    text: drift.map(|d| doc.drift(d)).unwrap_or_default(),
                    class: if drift.is_some_and(|d| d > Millis::from_secs(59)) {
                        "late"
                    } else {
                        ""
                    },
                },
                Cell::num(i.speeches.to_string()),
                Cell::num(doc.span(i.spoken)),
            ]
        }),
    );
    end(out);
}

fn shares(out: &mut String, doc: &Doc<'_>) {
    let r = &doc.record;
    let unit = doc.t("minutes.minutes_unit");
    let mins = |d: Millis| d.as_millis() as f64 / 60_000.0;

    section(out, "by-delegation", &doc.t("minutes.by_delegation"));
    let bars: Vec<Bar> = r
        .by_delegation
        .iter()
        .map(|s| Bar {
            label: doc.pick(&s.name),
            value: mins(s.spoken),
            note: doc.span(s.spoken),
        })
        .collect();
    figure(
        out,
        "by_delegation",
        &charts::bars(&bars, &unit, PALETTE[0]),
    );
    table(
        out,
        &[
            (doc.t("minutes.delegation"), false),
            (doc.t("minutes.category"), false),
            (doc.t("minutes.languages"), false),
            (doc.t("minutes.speeches"), true),
            (doc.t("minutes.spoken"), true),
        ],
        r.by_delegation.iter().map(|s| {
            let languages: Vec<String> = s.languages.iter().map(|l| doc.language(l)).collect();
            vec![
                Cell::text(doc.pick(&s.name)),
                Cell::text(doc.category(s.category)),
                Cell::text(languages.join(", ")),
                Cell::num(s.speeches.to_string()),
                Cell::num(doc.span(s.spoken)),
            ]
        }),
    );
    end(out);

    section(out, "by-category", &doc.t("minutes.by_category"));
    let bars: Vec<Bar> = r
        .by_category
        .iter()
        .map(|s| Bar {
            label: doc.category(s.category),
            value: mins(s.spoken),
            note: format!("{} · {}", doc.span(s.spoken), s.speeches),
        })
        .collect();
    figure(out, "by_category", &charts::bars(&bars, &unit, PALETTE[1]));
    end(out);

    section(out, "by-language", &doc.t("minutes.by_language"));
    let bars: Vec<Bar> = r
        .by_language
        .iter()
        .map(|s| Bar {
            label: doc.language(&s.language),
            value: mins(s.spoken),
            note: format!("{} · {}", doc.span(s.spoken), s.speeches),
        })
        .collect();
    figure(out, "by_language", &charts::bars(&bars, &unit, PALETTE[2]));
    end(out);
}

fn interpretation(out: &mut String, doc: &Doc<'_>) {
    let r = &doc.record;
    section(out, "interpretation", &doc.t("minutes.interpretation"));
    if r.interpretation.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", esc(&doc.t("minutes.none")));
        end(out);
        return;
    }
    let colours = [PALETTE[4], PALETTE[0], PALETTE[2], PALETTE[3], RED_LIGHT];
    let rows: Vec<(String, Vec<f64>, String)> = r
        .interpretation
        .iter()
        .map(|c| {
            let values = Service::ALL
                .iter()
                .map(|s| c.get(*s).as_millis() as f64 / 60_000.0)
                .collect();
            (doc.channel(c.channel, &c.language), values, String::new())
        })
        .collect();
    let chart = charts::stacked(&rows, &colours, &doc.t("minutes.minutes_unit"));
    let legend_html: String = Service::ALL
        .iter()
        .zip(colours)
        .map(|(s, c)| legend(c, &doc.service(*s)))
        .collect();
    let _ = writeln!(
        out,
        "<figure data-chart=\"interpretation\">{chart}<div class=\"legend\">{legend_html}</div></figure>"
    );
    let mut head = vec![(doc.t("minutes.channel"), false)];
    head.extend(Service::ALL.iter().map(|s| (doc.service(*s), true)));
    table(
        out,
        &head,
        r.interpretation.iter().map(|c| {
            let mut cells = vec![Cell::text(doc.channel(c.channel, &c.language))];
            cells.extend(Service::ALL.iter().map(|s| Cell::num(doc.span(c.get(*s)))));
            cells
        }),
    );
    end(out);
}

const RED_LIGHT: plotters::prelude::RGBColor = plotters::prelude::RGBColor(0xf0, 0x9a, 0x90);

fn log(out: &mut String, doc: &Doc<'_>) {
    section(out, "log", &doc.t("minutes.log"));
    if doc.meeting.log.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", esc(&doc.t("minutes.none")));
        end(out);
        return;
    }
    let head = [
        (doc.t("minutes.started"), false),
        (doc.t("minutes.delegation"), false),
        (doc.t("minutes.kind"), false),
        (doc.t("minutes.language"), false),
        (doc.t("minutes.spoken"), true),
        (doc.t("minutes.limit"), true),
        (doc.t("minutes.over_by"), true),
        (doc.t("minutes.ended_by"), false),
    ];
    out.push_str("<table class=\"log\"><thead><tr>");
    for (h, numeric) in &head {
        let class = if *numeric { " class=\"n\"" } else { "" };
        let _ = write!(out, "<th{class}>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>\n");
    // The item's title heads its speeches: one column fewer on A4.
    let mut item = None;
    for s in &doc.meeting.log {
        if item != Some(&s.item) {
            item = Some(&s.item);
            let _ = writeln!(
                out,
                "<tr class=\"group\"><th colspan=\"{}\">{}</th></tr>",
                head.len(),
                esc(&doc.item_title(&s.item))
            );
        }
        let cells = [
            Cell::text(doc.time(s.started_at)),
            Cell::text(doc.name(s)),
            Cell::text(doc.kind(kind_of(&s.source))),
            Cell::text(doc.language(&s.language)),
            Cell::num(doc.span(s.spoken)),
            Cell::num(doc.span(s.limit)),
            Cell::num(doc.span(s.overrun)),
            Cell::text(doc.ended_by(s)),
        ];
        row(out, cells);
    }
    out.push_str("</tbody></table>\n");
    end(out);
}

fn speech_table(out: &mut String, doc: &Doc<'_>, lines: &[SpeechLine]) {
    if lines.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", esc(&doc.t("minutes.none")));
        return;
    }
    table(
        out,
        &[
            (doc.t("minutes.started"), false),
            (doc.t("minutes.item"), false),
            (doc.t("minutes.delegation"), false),
            (doc.t("minutes.kind"), false),
            (doc.t("minutes.spoken"), true),
            (doc.t("minutes.limit"), true),
            (doc.t("minutes.over_by"), true),
        ],
        lines.iter().map(|l| {
            vec![
                Cell::text(doc.time(l.started_at)),
                Cell::text(doc.item_title(&l.item)),
                Cell::text(doc.pick(&l.name)),
                Cell::text(doc.kind(&l.kind)),
                Cell::num(doc.span(l.spoken)),
                Cell::num(doc.span(l.limit)),
                Cell::num(doc.span(l.overrun)),
            ]
        }),
    );
}

struct Cell {
    text: String,
    class: &'static str,
}

impl Cell {
    fn text(text: String) -> Cell {
        Cell { text, class: "" }
    }

    fn num(text: String) -> Cell {
        Cell { text, class: "n" }
    }

    /// One word that must not break: a status in a narrow column
    /// ("Concluido" was split in two when printed).
    fn word(text: String) -> Cell {
        Cell { text, class: "w" }
    }
}

fn table(out: &mut String, head: &[(String, bool)], rows: impl Iterator<Item = Vec<Cell>>) {
    out.push_str("<table><thead><tr>");
    for (h, numeric) in head {
        let class = if *numeric { " class=\"n\"" } else { "" };
        let _ = write!(out, "<th{class}>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>\n");
    for cells in rows {
        row(out, cells);
    }
    out.push_str("</tbody></table>\n");
}

fn row(out: &mut String, cells: impl IntoIterator<Item = Cell>) {
    out.push_str("<tr>");
    for c in cells {
        if c.class.is_empty() {
            let _ = write!(out, "<td>{}</td>", esc(&c.text));
        } else {
            let _ = write!(out, "<td class=\"{}\">{}</td>", c.class, esc(&c.text));
        }
    }
    out.push_str("</tr>\n");
}

fn section(out: &mut String, id: &str, title: &str) {
    let _ = writeln!(
        out,
        "<section data-section=\"{id}\"><h2>{}</h2>",
        esc(title)
    );
}

fn end(out: &mut String) {
    out.push_str("</section>\n");
}

fn figure(out: &mut String, name: &str, svg: &str) {
    let _ = writeln!(out, "<figure data-chart=\"{name}\">{svg}</figure>");
}

fn legend(colour: plotters::prelude::RGBColor, text: &str) -> String {
    format!(
        "<span><i style=\"background:#{:02x}{:02x}{:02x}\"></i>{}</span>",
        colour.0,
        colour.1,
        colour.2,
        esc(text)
    )
}

/// Escapes text for HTML content and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
