//! Prometheus metrics: connections by role, events committed, commit and
//! fan-out latency, queue drops, connections refused, and the process
//! itself (memory, open files, CPU). One recorder per process; every metric
//! is described and its series exist (at zero) from the start, so a scrape
//! of a fresh service already shows what will be measured.

use std::fmt::Write as _;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use plenary_core::ids::MeetingId;
use plenary_core::roles::RoleKind;

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Outcomes of a command, as labelled in `plenary_commands_total`.
pub const COMMAND_OUTCOMES: [&str; 4] = ["acked", "refused", "unavailable", "rate_limited"];

/// What became of an OSC packet received, as labelled in
/// `plenary_osc_packets_total` (a bundle counts once per message in it).
pub const OSC_OUTCOMES: [&str; 8] = [
    "acked",
    "refused",
    "malformed",
    "unknown_address",
    "bad_arguments",
    "unauthorised",
    "rate_limited",
    "unavailable",
];

/// Why a connection was refused, as labelled in
/// `plenary_connections_refused_total`.
pub const REFUSAL_REASONS: [&str; 1] = ["per_address"];

/// Installs the recorder once; later calls (tests start many services in
/// one process) reuse it.
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .set_buckets(&[
                    0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1,
                    0.25, 0.5, 1.0,
                ])
                .ok()?
                .install_recorder()
                .ok()?;
            describe();
            register_zeros();
            upkeep(handle.clone());
            Some(handle)
        })
        .as_ref()
}

/// Histogram samples pile up in the recorder until drained: without a
/// scrape (or this), memory would grow with every commit.
fn upkeep(handle: PrometheusHandle) {
    let spawned = std::thread::Builder::new()
        .name("metrics-upkeep".to_owned())
        .spawn(move || {
            loop {
                std::thread::sleep(Duration::from_secs(5));
                handle.run_upkeep();
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "metrics upkeep thread not started");
    }
}

fn describe() {
    metrics::describe_counter!(
        "plenary_commands_total",
        "Commands received over websockets, by outcome (acked, refused, unavailable, rate_limited)."
    );
    metrics::describe_counter!(
        "plenary_osc_packets_total",
        "OSC messages received, by outcome (acked, refused, malformed, unknown_address, bad_arguments, unauthorised, rate_limited, unavailable)."
    );
    metrics::describe_counter!(
        "plenary_osc_sent_total",
        "OSC messages sent to the configured outputs."
    );
    metrics::describe_counter!(
        "plenary_osc_send_errors_total",
        "OSC messages that could not be sent to an output (the target unreachable)."
    );
    metrics::describe_counter!(
        "plenary_events_committed_total",
        "Events committed to the store."
    );
    metrics::describe_counter!(
        "plenary_frames_delivered_total",
        "Frames queued to subscribers by the fan-out."
    );
    metrics::describe_counter!(
        "plenary_queue_drops_total",
        "Subscribers cut loose because their outbound queue was full."
    );
    metrics::describe_counter!(
        "plenary_connections_refused_total",
        "TCP connections closed at accept, by reason (per_address: over max_connections_per_address)."
    );
    metrics::describe_counter!(
        "plenary_accept_errors_total",
        "Errors accepting TCP connections (such as running out of file descriptors)."
    );
    metrics::describe_gauge!(
        "plenary_connections",
        "Open websocket connections past hello, by role kind."
    );
    metrics::describe_gauge!(
        "plenary_tcp_connections",
        "Open TCP connections accepted by the service (HTTP and websocket)."
    );
    metrics::describe_gauge!(
        "plenary_subscribers",
        "Connections subscribed to each meeting."
    );
    metrics::describe_histogram!(
        "plenary_commit_seconds",
        "Time to commit one group of commands to the store, in seconds."
    );
    metrics::describe_histogram!(
        "plenary_fanout_seconds",
        "Time to fan one batch of events out to the subscribers, in seconds."
    );
    metrics::describe_gauge!(
        "plenary_meeting_writer",
        "1 when this node is the meeting's writer (holds its lease), 0 when it follows."
    );
    metrics::describe_counter!(
        "plenary_failovers_total",
        "Times this node took a meeting's lease over from another writer."
    );
    metrics::describe_counter!(
        "plenary_forwarded_commands_total",
        "Commands this node handed to the meeting's writer through the store's inbox."
    );
    metrics::describe_histogram!(
        "plenary_follow_lag_seconds",
        "On a follower: from the writer's commit of an event to this node's fan-out of it, in seconds (the nodes' clocks are assumed in step)."
    );
}

/// Series that exist before anything happens, at zero: rates and alerts
/// work from the first scrape.
fn register_zeros() {
    for outcome in COMMAND_OUTCOMES {
        metrics::counter!("plenary_commands_total", "outcome" => outcome).increment(0);
    }
    for outcome in OSC_OUTCOMES {
        metrics::counter!("plenary_osc_packets_total", "outcome" => outcome).increment(0);
    }
    metrics::counter!("plenary_osc_sent_total").increment(0);
    metrics::counter!("plenary_osc_send_errors_total").increment(0);
    for reason in REFUSAL_REASONS {
        metrics::counter!("plenary_connections_refused_total", "reason" => reason).increment(0);
    }
    metrics::counter!("plenary_events_committed_total").increment(0);
    metrics::counter!("plenary_frames_delivered_total").increment(0);
    metrics::counter!("plenary_queue_drops_total").increment(0);
    metrics::counter!("plenary_accept_errors_total").increment(0);
    for kind in RoleKind::ALL {
        metrics::gauge!("plenary_connections", "role" => kind.as_str()).increment(0.0);
    }
    metrics::gauge!("plenary_tcp_connections").increment(0.0);
}

/// The exposition text, process metrics included (read afresh each time).
pub fn render() -> String {
    let mut text = handle().map(PrometheusHandle::render).unwrap_or_default();
    process::render(&mut text);
    text
}

pub fn commit(took: Duration, events: u64) {
    metrics::histogram!("plenary_commit_seconds").record(took.as_secs_f64());
    metrics::counter!("plenary_events_committed_total").increment(events);
}

pub fn fanout(took: Duration, delivered: u64, dropped: u64) {
    metrics::histogram!("plenary_fanout_seconds").record(took.as_secs_f64());
    metrics::counter!("plenary_frames_delivered_total").increment(delivered);
    if dropped > 0 {
        metrics::counter!("plenary_queue_drops_total").increment(dropped);
    }
}

/// This node became (or stopped being) the meeting's writer; `takeover`
/// when it took the lease from another writer.
pub fn writer(meeting: &MeetingId, writer: bool, takeover: bool) {
    let meeting = meeting.to_string();
    metrics::gauge!("plenary_meeting_writer", "meeting" => meeting.clone()).set(if writer {
        1.0
    } else {
        0.0
    });
    let failovers = metrics::counter!("plenary_failovers_total", "meeting" => meeting);
    failovers.increment(u64::from(takeover));
}

pub fn forwarded(meeting: &MeetingId, count: usize) {
    metrics::counter!("plenary_forwarded_commands_total", "meeting" => meeting.to_string())
        .increment(count as u64);
}

/// How long after its commit a follower fanned an event out.
pub fn follow_lag(lag: Duration) {
    metrics::histogram!("plenary_follow_lag_seconds").record(lag.as_secs_f64());
}

pub fn subscribers(meeting: &MeetingId, count: usize) {
    metrics::gauge!("plenary_subscribers", "meeting" => meeting.to_string()).set(count as f64);
}

pub fn connection_opened(role: &'static str) {
    metrics::gauge!("plenary_connections", "role" => role).increment(1.0);
}

pub fn connection_closed(role: &'static str) {
    metrics::gauge!("plenary_connections", "role" => role).decrement(1.0);
}

/// An OSC message received, and what became of it (one of [`OSC_OUTCOMES`]).
pub fn osc_packet(outcome: &'static str) {
    metrics::counter!("plenary_osc_packets_total", "outcome" => outcome).increment(1);
}

/// OSC messages sent to an output, and those that failed.
pub fn osc_sent(sent: u64, failed: u64) {
    metrics::counter!("plenary_osc_sent_total").increment(sent);
    if failed > 0 {
        metrics::counter!("plenary_osc_send_errors_total").increment(failed);
    }
}

pub fn command(outcome: &'static str) {
    metrics::counter!("plenary_commands_total", "outcome" => outcome).increment(1);
}

/// A TCP connection accepted (`true`) or closed (`false`).
pub fn tcp_connection(open: bool) {
    let gauge = metrics::gauge!("plenary_tcp_connections");
    if open {
        gauge.increment(1.0);
    } else {
        gauge.decrement(1.0);
    }
}

/// A TCP connection closed at accept; `reason` is one of [`REFUSAL_REASONS`].
pub fn connection_refused(reason: &'static str) {
    metrics::counter!("plenary_connections_refused_total", "reason" => reason).increment(1);
}

pub fn accept_error() {
    metrics::counter!("plenary_accept_errors_total").increment(1);
}

/// The usual `process_*` metrics, read from `/proc/self` (Linux); on other
/// systems only the start time is given.
mod process {
    use super::*;

    /// `/proc/<pid>/stat` times are in USER_HZ, 100 on every Linux ABI.
    const TICKS_PER_SECOND: f64 = 100.0;

    static STARTED: OnceLock<f64> = OnceLock::new();

    pub(super) fn render(out: &mut String) {
        let stat = std::fs::read_to_string("/proc/self/stat").ok();
        // Fields after the command name, which is in parentheses and may
        // contain spaces: state is field 3, utime 14, stime 15, threads 20,
        // starttime 22 (1-based, as in proc(5)).
        let fields: Vec<&str> = stat
            .as_deref()
            .and_then(|s| s.rsplit_once(')'))
            .map(|(_, rest)| rest.split_whitespace().collect())
            .unwrap_or_default();
        let field = |n: usize| -> Option<f64> { fields.get(n.checked_sub(3)?)?.parse().ok() };

        if let (Some(utime), Some(stime)) = (field(14), field(15)) {
            metric(
                out,
                "process_cpu_seconds_total",
                "counter",
                "Total user and system CPU time spent in seconds.",
                (utime + stime) / TICKS_PER_SECOND,
            );
        }
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let kib = |key: &str| -> Option<f64> {
            let line = status.lines().find(|l| l.starts_with(key))?;
            let value: f64 = line[key.len()..].split_whitespace().next()?.parse().ok()?;
            Some(value * 1024.0)
        };
        if let Some(rss) = kib("VmRSS:") {
            metric(
                out,
                "process_resident_memory_bytes",
                "gauge",
                "Resident memory size in bytes.",
                rss,
            );
        }
        if let Some(vsz) = kib("VmSize:") {
            metric(
                out,
                "process_virtual_memory_bytes",
                "gauge",
                "Virtual memory size in bytes.",
                vsz,
            );
        }
        if let Ok(dir) = std::fs::read_dir("/proc/self/fd") {
            metric(
                out,
                "process_open_fds",
                "gauge",
                "Number of open file descriptors.",
                dir.count() as f64,
            );
        }
        if let Some(max) = max_fds() {
            metric(
                out,
                "process_max_fds",
                "gauge",
                "Maximum number of open file descriptors.",
                max,
            );
        }
        if let Some(threads) = field(20) {
            metric(
                out,
                "process_threads",
                "gauge",
                "Number of OS threads in the process.",
                threads,
            );
        }
        let start = *STARTED.get_or_init(|| start_time(field(22)));
        metric(
            out,
            "process_start_time_seconds",
            "gauge",
            "Start time of the process since unix epoch in seconds.",
            start,
        );
    }

    fn metric(out: &mut String, name: &str, kind: &str, help: &str, value: f64) {
        let _ = write!(
            out,
            "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n\n"
        );
    }

    fn max_fds() -> Option<f64> {
        let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
        let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
        line["Max open files".len()..]
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    }

    /// Boot time plus the process's start in ticks since boot; failing
    /// that, the first time this was asked (the recorder starts with the
    /// service).
    fn start_time(ticks_since_boot: Option<f64>) -> f64 {
        let boot = std::fs::read_to_string("/proc/stat").ok().and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("btime "))
                .and_then(|v| v.trim().parse::<f64>().ok())
        });
        match (boot, ticks_since_boot) {
            (Some(boot), Some(ticks)) => boot + ticks / TICKS_PER_SECOND,
            _ => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64()),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_fresh_recorder_describes_its_metrics_and_the_process() {
        let text = super::render();
        for line in [
            "# HELP plenary_commands_total",
            "plenary_commands_total{outcome=\"rate_limited\"} 0",
            "plenary_connections_refused_total{reason=\"per_address\"} 0",
            "plenary_connections{role=\"chair\"} 0",
            "# TYPE process_cpu_seconds_total counter",
            "process_resident_memory_bytes ",
            "process_open_fds ",
            "process_start_time_seconds ",
        ] {
            assert!(text.contains(line), "{line} missing from:\n{text}");
        }
    }
}
