//! The speaking log as CSV, one speech a line, in the document's language
//! and the meeting's time zone. The first columns are the item's and the
//! delegation's ids, for joining with other files; seconds are numbers.

use std::fmt::Write as _;

use plenary_core::record::kind_of;

use super::Doc;

pub(super) fn render(doc: &Doc<'_>) -> String {
    let header = [
        "minutes.item_id",
        "minutes.item",
        "minutes.delegation_id",
        "minutes.delegation",
        "minutes.category",
        "minutes.kind",
        "minutes.language",
        "minutes.started",
        "minutes.ended",
        "minutes.spoken",
        "minutes.limit",
        "minutes.over_by",
        "minutes.pauses",
        "minutes.ended_by",
    ]
    .map(|k| field(&doc.t(k)))
    .join(",");
    let mut out = header;
    out.push('\n');
    for r in &doc.meeting.log {
        let category = doc
            .meeting
            .definition
            .delegation(&r.delegation)
            .map(|d| doc.category(d.category))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            field(r.item.as_str()),
            field(&doc.item_title(&r.item)),
            field(r.delegation.as_str()),
            field(&doc.name(r)),
            field(&category),
            field(&doc.kind(kind_of(&r.source))),
            field(&doc.language(&r.language)),
            doc.datetime_s(r.started_at),
            doc.datetime_s(r.ended_at),
            r.spoken.as_millis() / 1000,
            r.limit.as_millis() / 1000,
            r.overrun.as_millis() / 1000,
            r.pauses.len(),
            field(&doc.ended_by(r)),
        );
    }
    out
}

/// Quotes a CSV field when it needs it.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}
