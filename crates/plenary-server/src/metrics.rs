//! Prometheus metrics: connections by role, events committed, commit and
//! fan-out latency, queue drops. One recorder per process.

use std::sync::OnceLock;
use std::time::Duration;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use plenary_core::ids::MeetingId;

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the recorder once; later calls (tests start many services in
/// one process) reuse it.
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets(&[
                    0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1,
                    0.25, 0.5, 1.0,
                ])
                .ok()?
                .install_recorder()
                .ok()
        })
        .as_ref()
}

pub fn render() -> String {
    handle().map(PrometheusHandle::render).unwrap_or_default()
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

pub fn subscribers(meeting: &MeetingId, count: usize) {
    metrics::gauge!("plenary_subscribers", "meeting" => meeting.to_string()).set(count as f64);
}

pub fn connection_opened(role: &'static str) {
    metrics::gauge!("plenary_connections", "role" => role).increment(1.0);
}

pub fn connection_closed(role: &'static str) {
    metrics::gauge!("plenary_connections", "role" => role).decrement(1.0);
}

pub fn command(outcome: &'static str) {
    metrics::counter!("plenary_commands_total", "outcome" => outcome).increment(1);
}
