//! The minutes as Markdown, for the summary of discussions: the running
//! order planned against actual, the totals and shares, the overruns, the
//! procedural speeches, the interpretation and the speaking log — in the
//! document's language and the meeting's time zone.

use std::fmt::Write as _;

use plenary_core::interpretation::Service;
use plenary_core::record::{SpeechLine, kind_of};

use super::Doc;

pub(super) fn render(doc: &Doc<'_>) -> String {
    let mut out = String::new();
    let r = &doc.record;
    let _ = writeln!(out, "# {} — {}\n", doc.t("minutes.title"), doc.title());
    let _ = writeln!(out, "{} {}\n", doc.exported(), doc.zone_note());

    heading(&mut out, &doc.t("minutes.running_order"));
    table_head(
        &mut out,
        &[
            doc.t("minutes.item"),
            doc.t("minutes.status"),
            doc.t("minutes.planned"),
            doc.t("minutes.actual"),
            doc.t("minutes.drift"),
            doc.t("minutes.spoken"),
        ],
    );
    for i in &r.items {
        let actual = match (i.actual_start, i.actual_end) {
            (Some(s), Some(e)) => format!("{} – {}", doc.time(s), doc.time(e)),
            (Some(s), None) => format!("{} –", doc.time(s)),
            _ => String::new(),
        };
        let drift = i
            .end_drift()
            .or(i.start_drift())
            .map(|d| doc.drift(d))
            .unwrap_or_default();
        row(
            &mut out,
            &[
                cell(&doc.pick(&i.title)),
                doc.status(i.status),
                format!(
                    "{} {} – {}",
                    doc.datetime(i.planned_start).get(..10).unwrap_or_default(),
                    doc.time(i.planned_start),
                    doc.time(i.planned_end)
                ),
                actual,
                drift,
                doc.minutes(i.spoken),
            ],
        );
    }

    heading(&mut out, &doc.t("minutes.totals"));
    let _ = writeln!(
        out,
        "- {}: {}\n- {}: {}\n- {}\n- {}: {}\n- {}: {}\n",
        doc.t("minutes.speeches"),
        r.totals.speeches,
        doc.t("minutes.spoken"),
        doc.minutes(r.totals.spoken),
        doc.tf(
            "minutes.overrun_total",
            &[
                ("n", &r.totals.over_limit),
                ("d", &doc.span(r.totals.overrun))
            ]
        ),
        doc.t("kind.point_of_order"),
        r.totals.points_of_order,
        doc.t("kind.right_of_reply"),
        r.totals.rights_of_reply,
    );

    heading(&mut out, &doc.t("minutes.by_delegation"));
    table_head(
        &mut out,
        &[
            doc.t("minutes.delegation"),
            doc.t("minutes.category"),
            doc.t("minutes.speeches"),
            doc.t("minutes.spoken"),
            doc.t("minutes.languages"),
        ],
    );
    for s in &r.by_delegation {
        let languages: Vec<String> = s.languages.iter().map(|l| doc.language(l)).collect();
        row(
            &mut out,
            &[
                cell(&doc.pick(&s.name)),
                doc.category(s.category),
                s.speeches.to_string(),
                doc.span(s.spoken),
                languages.join(", "),
            ],
        );
    }

    heading(&mut out, &doc.t("minutes.by_category"));
    table_head(
        &mut out,
        &[
            doc.t("minutes.category"),
            doc.t("minutes.speeches"),
            doc.t("minutes.spoken"),
        ],
    );
    for s in &r.by_category {
        row(
            &mut out,
            &[
                doc.category(s.category),
                s.speeches.to_string(),
                doc.span(s.spoken),
            ],
        );
    }

    heading(&mut out, &doc.t("minutes.by_language"));
    table_head(
        &mut out,
        &[
            doc.t("minutes.language"),
            doc.t("minutes.speeches"),
            doc.t("minutes.spoken"),
        ],
    );
    for s in &r.by_language {
        row(
            &mut out,
            &[
                doc.language(&s.language),
                s.speeches.to_string(),
                doc.span(s.spoken),
            ],
        );
    }

    heading(&mut out, &doc.t("minutes.overruns"));
    speech_table(&mut out, doc, &r.overruns);
    heading(&mut out, &doc.t("minutes.procedural"));
    speech_table(&mut out, doc, &r.procedural);

    heading(&mut out, &doc.t("minutes.interpretation"));
    let mut head = vec![doc.t("minutes.channel")];
    head.extend(Service::ALL.iter().map(|s| doc.service(*s)));
    table_head(&mut out, &head);
    for c in &r.interpretation {
        let mut cells = vec![doc.channel(c.channel, &c.language)];
        cells.extend(Service::ALL.iter().map(|s| doc.span(c.get(*s))));
        row(&mut out, &cells);
    }

    heading(&mut out, &doc.t("minutes.log"));
    table_head(
        &mut out,
        &[
            doc.t("minutes.started"),
            doc.t("minutes.delegation"),
            doc.t("minutes.kind"),
            doc.t("minutes.language"),
            doc.t("minutes.spoken"),
            doc.t("minutes.limit"),
            doc.t("minutes.over_by"),
            doc.t("minutes.ended_by"),
        ],
    );
    for s in &doc.meeting.log {
        row(
            &mut out,
            &[
                doc.time(s.started_at),
                cell(&doc.name(s)),
                doc.kind(kind_of(&s.source)),
                doc.language(&s.language),
                doc.span(s.spoken),
                doc.span(s.limit),
                doc.span(s.overrun),
                cell(&doc.ended_by(s)),
            ],
        );
    }
    out
}

fn speech_table(out: &mut String, doc: &Doc<'_>, lines: &[SpeechLine]) {
    if lines.is_empty() {
        let _ = writeln!(out, "{}\n", doc.t("minutes.none"));
        return;
    }
    table_head(
        out,
        &[
            doc.t("minutes.started"),
            doc.t("minutes.item"),
            doc.t("minutes.delegation"),
            doc.t("minutes.kind"),
            doc.t("minutes.spoken"),
            doc.t("minutes.limit"),
            doc.t("minutes.over_by"),
        ],
    );
    for l in lines {
        row(
            out,
            &[
                doc.time(l.started_at),
                cell(&doc.item_title(&l.item)),
                cell(&doc.pick(&l.name)),
                doc.kind(&l.kind),
                doc.span(l.spoken),
                doc.span(l.limit),
                doc.span(l.overrun),
            ],
        );
    }
}

fn heading(out: &mut String, text: &str) {
    let _ = writeln!(out, "\n## {text}\n");
}

fn table_head(out: &mut String, cells: &[String]) {
    let _ = writeln!(out, "| {} |", cells.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(cells.len()));
}

fn row(out: &mut String, cells: &[String]) {
    let _ = writeln!(out, "| {} |", cells.join(" | "));
}

/// A table cell: a `|` in meeting content would end it.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}
