//! The results: one row per figure, with the service's and the floor's
//! value in every round, their medians, the ratio and the target.

use std::fmt::Write as _;

use serde::Serialize;

use crate::stats::median;
use crate::target::Kind;

/// A target from the issue: the service's median must be at most (or at
/// least) `value`; `ratio_at_most` bounds service ÷ floor.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Goal {
    pub at_most: Option<f64>,
    pub at_least: Option<f64>,
    pub ratio_at_most: Option<f64>,
}

impl Goal {
    pub fn at_most(v: f64) -> Goal {
        Goal {
            at_most: Some(v),
            ..Goal::default()
        }
    }
    pub fn at_least(v: f64) -> Goal {
        Goal {
            at_least: Some(v),
            ..Goal::default()
        }
    }
    pub fn and_ratio(mut self, r: f64) -> Goal {
        self.ratio_at_most = Some(r);
        self
    }

    fn text(&self, unit: &str) -> String {
        let mut parts = Vec::new();
        if let Some(v) = self.at_most {
            parts.push(format!("≤ {} {unit}", fmt(v)));
        }
        if let Some(v) = self.at_least {
            parts.push(format!("≥ {} {unit}", fmt(v)));
        }
        if let Some(r) = self.ratio_at_most {
            parts.push(format!("≤ {r}× floor"));
        }
        parts.join(", ")
    }

    fn met(&self, service: Option<f64>, ratio: Option<f64>) -> Option<bool> {
        let s = service?;
        let mut ok = true;
        if let Some(v) = self.at_most {
            ok &= s <= v;
        }
        if let Some(v) = self.at_least {
            ok &= s >= v;
        }
        if let Some(r) = self.ratio_at_most {
            ok &= ratio.is_some_and(|x| x <= r);
        }
        Some(ok)
    }
}

/// One figure.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub scenario: String,
    pub metric: String,
    pub unit: String,
    /// Every round's value, in order.
    pub service: Vec<f64>,
    pub floor: Vec<f64>,
    pub goal: Option<Goal>,
    /// Medians over the rounds, the ratio and whether the goal is met
    /// (filled by [`Report::finish`]).
    pub service_median: Option<f64>,
    pub floor_median: Option<f64>,
    pub ratio: Option<f64>,
    pub met: Option<bool>,
}

/// Everything measured in a run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    pub machine: Machine,
    pub command_line: String,
    pub notes: Vec<String>,
    pub rows: Vec<Row>,
}

/// What the figures were measured on.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Machine {
    pub cpus: usize,
    pub cpu_model: String,
    pub memory_mib: u64,
    pub kernel: String,
    pub open_files_soft: u64,
    pub open_files_hard: u64,
}

impl Machine {
    pub fn probe() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let (soft, hard) = rlimit::Resource::NOFILE.get().unwrap_or((0, 0));
        Machine {
            cpus: std::thread::available_parallelism().map_or(1, usize::from),
            cpu_model: cpuinfo
                .lines()
                .find_map(|l| l.strip_prefix("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
                .unwrap_or_default(),
            memory_mib: meminfo
                .lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|n| n.parse::<u64>().ok())
                .map_or(0, |kib| kib / 1024),
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .unwrap_or_default()
                .trim()
                .to_owned(),
            open_files_soft: soft,
            open_files_hard: hard,
        }
    }
}

impl Report {
    /// Adds a round's value of a figure.
    pub fn add(&mut self, scenario: &str, metric: &str, unit: &str, kind: Kind, value: f64) {
        let row = match self
            .rows
            .iter_mut()
            .position(|r| r.scenario == scenario && r.metric == metric)
        {
            Some(i) => &mut self.rows[i],
            None => {
                self.rows.push(Row {
                    scenario: scenario.to_owned(),
                    metric: metric.to_owned(),
                    unit: unit.to_owned(),
                    service: Vec::new(),
                    floor: Vec::new(),
                    goal: None,
                    service_median: None,
                    floor_median: None,
                    ratio: None,
                    met: None,
                });
                let last = self.rows.len() - 1;
                &mut self.rows[last]
            }
        };
        match kind {
            Kind::Service => row.service.push(value),
            Kind::Floor => row.floor.push(value),
        }
    }

    /// Sets the goal of a figure (the row must exist or is created empty).
    pub fn goal(&mut self, scenario: &str, metric: &str, unit: &str, goal: Goal) {
        if !self
            .rows
            .iter()
            .any(|r| r.scenario == scenario && r.metric == metric)
        {
            self.add(scenario, metric, unit, Kind::Service, f64::NAN);
            if let Some(r) = self.rows.last_mut() {
                r.service.clear();
            }
        }
        if let Some(r) = self
            .rows
            .iter_mut()
            .find(|r| r.scenario == scenario && r.metric == metric)
        {
            r.goal = Some(goal);
        }
    }

    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    /// Computes the medians, ratios and verdicts.
    pub fn finish(&mut self) {
        for r in &mut self.rows {
            r.service_median = (!r.service.is_empty()).then(|| median(&r.service));
            r.floor_median = (!r.floor.is_empty()).then(|| median(&r.floor));
            r.ratio = match (r.service_median, r.floor_median) {
                (Some(s), Some(f)) if f > 0.0 => Some(s / f),
                _ => None,
            };
            r.met = r
                .goal
                .as_ref()
                .and_then(|g| g.met(r.service_median, r.ratio));
        }
    }

    /// The table, as Markdown.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _w = writeln!(
            out,
            "| scenario | metric | service | floor | ratio | target | met? | rounds (service / floor) |"
        );
        let _w = writeln!(out, "|---|---|---:|---:|---:|---|---|---|");
        for r in &self.rows {
            let value =
                |v: Option<f64>| v.map_or("—".to_owned(), |v| format!("{} {}", fmt(v), r.unit));
            let rounds = |v: &[f64]| {
                if v.len() <= 1 {
                    String::new()
                } else {
                    v.iter().map(|x| fmt(*x)).collect::<Vec<_>>().join(" ")
                }
            };
            let _w = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} / {} |",
                r.scenario,
                r.metric,
                value(r.service_median),
                value(r.floor_median),
                r.ratio.map_or("—".to_owned(), |x| format!("{x:.2}×")),
                r.goal.as_ref().map(|g| g.text(&r.unit)).unwrap_or_default(),
                match r.met {
                    Some(true) => "yes",
                    Some(false) => "**no**",
                    None => "",
                },
                rounds(&r.service),
                rounds(&r.floor),
            );
        }
        for n in &self.notes {
            let _w = writeln!(out, "\n- {n}");
        }
        out
    }
}

/// A number with sensible precision.
pub fn fmt(v: f64) -> String {
    if !v.is_finite() {
        return "—".to_owned();
    }
    let a = v.abs();
    if a >= 1000.0 {
        format!("{v:.0}")
    } else if a >= 100.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_ratio_and_verdict() {
        let mut r = Report::default();
        for (s, f) in [(10.0, 8.0), (12.0, 9.0), (11.0, 10.0)] {
            r.add("burst", "p99", "ms", Kind::Service, s);
            r.add("burst", "p99", "ms", Kind::Floor, f);
        }
        r.goal("burst", "p99", "ms", Goal::at_most(20.0).and_ratio(1.2));
        r.finish();
        let row = &r.rows[0];
        assert_eq!(row.service_median, Some(11.0));
        assert_eq!(row.floor_median, Some(9.0));
        assert_eq!(row.met, Some(false), "11 / 9 is above 1.2");
        assert!(r.table().contains("**no**"));
    }
}
