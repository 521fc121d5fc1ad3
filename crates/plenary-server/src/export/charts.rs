//! The minutes' charts as SVG, drawn with `plotters` and its SVG backend
//! (vector output, no font files: text stays `<text>` for the browser to
//! set). Each function returns one `<svg>` element that scales to the
//! width of the page.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Colours that stay apart in print and in grey.
pub(super) const PALETTE: [RGBColor; 5] = [
    RGBColor(0x1f, 0x5f, 0x99), // blue
    RGBColor(0x3a, 0x8f, 0x4c), // green
    RGBColor(0xd9, 0x8c, 0x1a), // amber
    RGBColor(0xb0, 0x3a, 0x2e), // red
    RGBColor(0x7a, 0x7a, 0x7a), // grey
];

const WIDTH: u32 = 720;
const ROW: u32 = 30;
const FONT: &str = "sans-serif";
/// How far (minutes) from the planned day an actual time still widens the
/// timeline.
const NEAR: f64 = 180.0;

/// The y axis of a horizontal chart of `n` rows listed top down: row `i`
/// is one unit high, centred on [`row_y`], its label at its centre. (An
/// integer axis split into segments gives a lone row no height: a chart of
/// one row, such as a day with one item, came out empty.)
struct Rows(usize);

impl Ranged for Rows {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, y: &f64, limit: (i32, i32)) -> i32 {
        RangedCoordf64::from(self.range()).map(y, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, _: Hint) -> Vec<f64> {
        (0..self.0.max(1)).map(|y| y as f64).collect()
    }

    fn range(&self) -> Range<f64> {
        -0.5..self.0.max(1) as f64 - 0.5
    }
}

/// The centre of row `i` of `n`: rows are drawn bottom up.
fn row_y(n: usize, i: usize) -> f64 {
    n.saturating_sub(1 + i) as f64
}

/// The label at a row's centre `y`.
fn row_label(labels: &[String], y: f64) -> String {
    let from_bottom = y.round();
    if from_bottom < 0.0 {
        return String::new();
    }
    labels
        .len()
        .checked_sub(1 + from_bottom as usize)
        .and_then(|i| labels.get(i))
        .cloned()
        .unwrap_or_default()
}

/// One bar: its label, its length in minutes and the text at its end.
#[derive(Debug)]
pub(super) struct Bar {
    pub(super) label: String,
    pub(super) value: f64,
    pub(super) note: String,
}

/// Horizontal bars, the first at the top; `unit` names the x axis.
pub(super) fn bars(bars: &[Bar], unit: &str, colour: RGBColor) -> String {
    let rows: Vec<(String, Vec<f64>, String)> = bars
        .iter()
        .map(|b| (b.label.clone(), vec![b.value], b.note.clone()))
        .collect();
    stacked(&rows, &[colour], unit)
}

/// Horizontal stacked bars: each row's values in the order of `colours`.
pub(super) fn stacked(
    rows: &[(String, Vec<f64>, String)],
    colours: &[RGBColor],
    unit: &str,
) -> String {
    let n = rows.len().max(1);
    let max = rows
        .iter()
        .map(|(_, v, _)| v.iter().sum::<f64>())
        .fold(0.0_f64, f64::max)
        .max(1.0)
        * 1.18;
    let height = 50 + ROW * u32::try_from(n).unwrap_or(1);
    let labels: Vec<String> = rows.iter().map(|(l, _, _)| shorten(l, 34)).collect();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        let _ = draw_stacked(&root, rows, &labels, colours, unit, n, max);
        let _ = root.present();
    }
    scalable(svg)
}

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;
type Failed<'a> = DrawingAreaErrorKind<<SVGBackend<'a> as DrawingBackend>::ErrorType>;

fn draw_stacked<'a>(
    root: &Area<'a>,
    rows: &[(String, Vec<f64>, String)],
    labels: &[String],
    colours: &[RGBColor],
    unit: &str,
    n: usize,
    max: f64,
) -> Result<(), Failed<'a>> {
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(root)
        .margin(8)
        .x_label_area_size(32)
        .y_label_area_size(230)
        .build_cartesian_2d(0.0..max, Rows(n))?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .x_desc(unit)
        .x_labels(8)
        .x_label_formatter(&|v| {
            // Whole minutes, or tenths on a short axis (never "0 0 1 1").
            if max < 12.0 {
                format!("{v:.1}")
            } else {
                format!("{v:.0}")
            }
        })
        .y_labels(n)
        .y_label_formatter(&|y| row_label(labels, *y))
        .label_style((FONT, 13))
        .light_line_style(RGBColor(0xe6, 0xe6, 0xe6))
        .draw()?;
    for (i, (_, values, note)) in rows.iter().enumerate() {
        let y = row_y(n, i);
        let mut from = 0.0;
        for (k, v) in values.iter().enumerate() {
            if *v <= 0.0 {
                continue;
            }
            let colour = colours
                .get(k % colours.len().max(1))
                .copied()
                .unwrap_or(BLACK);
            let mut bar = Rectangle::new([(from, y + 0.5), (from + v, y - 0.5)], colour.filled());
            bar.set_margin(5, 5, 0, 0);
            chart.draw_series(std::iter::once(bar))?;
            from += v;
        }
        chart.draw_series(std::iter::once(Text::new(
            format!(" {note}"),
            (from, y),
            (FONT, 12)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        )))?;
    }
    Ok(())
}

/// One agenda item on the timeline: planned and actual spans in minutes
/// from the chart's origin, and the drift written after the actual span.
#[derive(Debug)]
pub(super) struct Span {
    pub(super) label: String,
    pub(super) planned: (f64, f64),
    pub(super) actual: Option<(f64, f64)>,
    pub(super) late: bool,
    pub(super) note: String,
}

/// The running order: for each item a thin planned bar and, under it, the
/// actual one; `clock` writes an x position (minutes from the origin) as
/// a time of day.
pub(super) fn timeline(spans: &[Span], clock: &dyn Fn(f64) -> String) -> String {
    let n = spans.len().max(1);
    // The planned day, widened by what actually ran near it (an item
    // opened a day early would otherwise stretch the chart over the night).
    let planned_start = spans.iter().map(|s| s.planned.0).fold(f64::MAX, f64::min);
    let planned_end = spans.iter().map(|s| s.planned.1).fold(f64::MIN, f64::max);
    let near = |x: f64| x >= planned_start - NEAR && x <= planned_end + NEAR;
    let actual = spans
        .iter()
        .filter_map(|s| s.actual)
        .filter(|a| near(a.0) && near(a.1));
    let start = actual.clone().map(|a| a.0).fold(planned_start, f64::min);
    let end = actual
        .map(|a| a.1)
        .fold(planned_end, f64::max)
        .max(start + 1.0);
    let pad = ((end - start) * 0.2).max(10.0);
    let height = 50 + (ROW + 8) * u32::try_from(n).unwrap_or(1);
    let labels: Vec<String> = spans.iter().map(|s| shorten(&s.label, 34)).collect();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        let _ = draw_timeline(&root, spans, &labels, (start, end + pad), clock);
        let _ = root.present();
    }
    scalable(svg)
}

fn draw_timeline<'a>(
    root: &Area<'a>,
    spans: &[Span],
    labels: &[String],
    (start, end): (f64, f64),
    clock: &dyn Fn(f64) -> String,
) -> Result<(), Failed<'a>> {
    root.fill(&WHITE)?;
    let n = spans.len().max(1);
    let mut chart = ChartBuilder::on(root)
        .margin(8)
        .x_label_area_size(32)
        .y_label_area_size(230)
        .build_cartesian_2d(start..end, Rows(n))?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .x_labels(8)
        .x_label_formatter(&|v| clock(*v))
        .y_labels(n)
        .y_label_formatter(&|y| row_label(labels, *y))
        .label_style((FONT, 13))
        .light_line_style(RGBColor(0xe6, 0xe6, 0xe6))
        .draw()?;
    for (i, s) in spans.iter().enumerate() {
        let y = row_y(n, i);
        let mut planned = Rectangle::new(
            [(s.planned.0, y + 0.5), (s.planned.1, y - 0.5)],
            RGBColor(0xc8, 0xc8, 0xc8).filled(),
        );
        planned.set_margin(4, 20, 0, 0);
        chart.draw_series(std::iter::once(planned))?;
        if let Some((a, b)) = s.actual.filter(|(a, b)| b >= &start && a <= &end) {
            let (a, b) = (a.max(start), b.min(end));
            let colour = if s.late { PALETTE[3] } else { PALETTE[0] };
            let mut actual =
                Rectangle::new([(a, y + 0.5), (b.max(a + 0.5), y - 0.5)], colour.filled());
            actual.set_margin(18, 6, 0, 0);
            chart.draw_series(std::iter::once(actual))?;
        }
        let x = s
            .actual
            .map_or(s.planned.1, |a| a.1.clamp(start, end).max(s.planned.1));
        chart.draw_series(std::iter::once(Text::new(
            format!(" {}", s.note),
            (x, y),
            (FONT, 12)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        )))?;
    }
    Ok(())
}

/// A label that fits the axis: at most `max` characters, with an ellipsis.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

/// Lets the chart scale to its container: plotters writes a fixed width
/// and height beside the `viewBox`.
fn scalable(svg: String) -> String {
    let Some(end) = svg.find('>') else {
        return svg;
    };
    let (open, rest) = svg.split_at(end);
    let open = open
        .replacen(&format!("width=\"{WIDTH}\""), "width=\"100%\"", 1)
        .replacen(" height=\"", " data-height=\"", 1);
    let open = open.replacen("<svg ", "<svg role=\"img\" class=\"chart\" ", 1);
    format!("{open}{rest}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(label: &str, planned: (f64, f64), actual: Option<(f64, f64)>) -> Span {
        Span {
            label: label.to_owned(),
            planned,
            actual,
            late: false,
            note: String::new(),
        }
    }

    /// The filled rectangles of a chart that are not its white background.
    fn marks(svg: &str) -> usize {
        svg.match_indices("<rect")
            .filter(|(at, _)| {
                let tag = &svg[*at..svg[*at..].find('>').map_or(svg.len(), |e| at + e)];
                !tag.contains("fill=\"#FFFFFF\"")
                    && !tag.contains("height=\"-")
                    && !tag.contains("height=\"0\"")
            })
            .count()
    }

    #[test]
    fn a_day_with_one_item_still_draws_its_bars() {
        // A demo begun late in the evening leaves the opening alone on
        // its day: its chart once came out empty.
        let svg = timeline(&[span("Opening", (0.0, 30.0), Some((-14.0, 20.0)))], &|m| {
            format!("{m:.0}")
        });
        assert_eq!(marks(&svg), 2, "planned and actual bars: {svg}");
    }

    #[test]
    fn a_chart_of_one_bar_draws_it() {
        // One language spoken, or one delegation: one row.
        let svg = bars(
            &[Bar {
                label: "Español".to_owned(),
                value: 12.0,
                note: "12 min".to_owned(),
            }],
            "min",
            PALETTE[0],
        );
        assert_eq!(marks(&svg), 1, "{svg}");
        assert!(
            svg.contains(">\nEspañol\n</text>"),
            "the row's label: {svg}"
        );
    }

    #[test]
    fn every_item_of_a_day_has_its_planned_bar_and_a_run_one_its_actual() {
        let svg = timeline(
            &[
                span("Opening", (0.0, 30.0), Some((0.0, 32.0))),
                span("National plans", (30.0, 120.0), Some((32.0, 60.0))),
                span("Break", (120.0, 140.0), None),
            ],
            &|m| format!("{m:.0}"),
        );
        assert_eq!(marks(&svg), 5, "{svg}");
    }
}
