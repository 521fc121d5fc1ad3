//! NTP-style clock sync against the server.
//!
//! One exchange gives four instants: `t0` the client sends, `t1` the server
//! receives, `t2` the server answers, `t3` the client receives (`t0`, `t3`
//! on the client's clock, `t1`, `t2` on the server's). Then
//!
//! - offset = ((t1 − t0) + (t2 − t3)) / 2 — add it to the local clock to
//!   get the server's;
//! - delay = (t3 − t0) − (t2 − t1) — the round trip without the server's
//!   own processing time.
//!
//! Of several exchanges, the one with the smallest delay is the least
//! disturbed by queueing, so its offset is kept.

use std::time::{SystemTime, UNIX_EPOCH};

use plenary_core::Timestamp;

/// One `time_sync` exchange, in milliseconds since the Unix epoch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeSample {
    /// Client clock when sent.
    pub t0: f64,
    /// Server clock when received.
    pub t1: f64,
    /// Server clock when answered.
    pub t2: f64,
    /// Client clock when the answer arrived.
    pub t3: f64,
}

impl TimeSample {
    /// How far the server's clock is ahead of ours (negative: behind).
    pub fn offset_ms(&self) -> f64 {
        ((self.t1 - self.t0) + (self.t2 - self.t3)) / 2.0
    }

    /// The network round trip, without the server's processing time.
    pub fn delay_ms(&self) -> f64 {
        (self.t3 - self.t0) - (self.t2 - self.t1)
    }
}

/// The result of [`Client::time_sync`](crate::Client::time_sync): the
/// offset of the sample with the smallest round trip.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeSyncEstimate {
    /// Add to the local clock to get the server's clock.
    pub offset_ms: f64,
    /// The round trip of the sample the offset comes from.
    pub rtt_ms: f64,
    /// How many exchanges were made.
    pub samples: usize,
}

impl TimeSyncEstimate {
    /// The estimate from a set of exchanges; `None` when there are none.
    pub fn from_samples(samples: &[TimeSample]) -> Option<TimeSyncEstimate> {
        let best = samples
            .iter()
            .min_by(|a, b| a.delay_ms().total_cmp(&b.delay_ms()))?;
        Some(TimeSyncEstimate {
            offset_ms: best.offset_ms(),
            rtt_ms: best.delay_ms(),
            samples: samples.len(),
        })
    }

    /// The server's clock at local instant `local_ms`.
    pub fn server_ms(&self, local_ms: f64) -> f64 {
        local_ms + self.offset_ms
    }

    /// The server's clock now, to the millisecond: what a countdown is
    /// rendered against (`remaining = limit − (elapsed_before + (server_now − since))`).
    pub fn server_now(&self) -> Timestamp {
        Timestamp(self.server_ms(local_now_ms()).round() as i64)
    }
}

/// The local clock in milliseconds since the Unix epoch, with sub-millisecond
/// precision.
pub fn local_now_ms() -> f64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs_f64() * 1000.0,
        // A clock before 1970 is broken beyond what an offset can fix.
        Err(e) => -(e.duration().as_secs_f64() * 1000.0),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    /// A server `skew` ms ahead of the client, `up`/`down` ms of one-way
    /// latency, `work` ms of processing.
    fn exchange(t0: f64, skew: f64, up: f64, work: f64, down: f64) -> TimeSample {
        let t1 = t0 + up + skew;
        let t2 = t1 + work;
        let t3 = t2 - skew + down;
        TimeSample { t0, t1, t2, t3 }
    }

    #[test]
    fn symmetric_latency_gives_the_exact_offset() {
        let s = exchange(1_000.0, 250.0, 20.0, 3.0, 20.0);
        assert_eq!(s.offset_ms(), 250.0);
        assert_eq!(s.delay_ms(), 40.0, "processing time is not network delay");
    }

    #[test]
    fn a_server_behind_the_client_has_a_negative_offset() {
        let s = exchange(5_000.0, -1_200.0, 5.0, 1.0, 5.0);
        assert_eq!(s.offset_ms(), -1_200.0);
        assert_eq!(s.delay_ms(), 10.0);
    }

    #[test]
    fn asymmetric_latency_errs_by_half_the_difference() {
        // 30 ms up, 10 ms down: the estimate is off by (30 − 10) / 2.
        let s = exchange(0.0, 100.0, 30.0, 0.0, 10.0);
        assert_eq!(s.offset_ms(), 110.0);
        assert_eq!(s.delay_ms(), 40.0);
    }

    #[test]
    fn the_sample_with_the_smallest_delay_wins() {
        let samples = [
            exchange(0.0, 500.0, 80.0, 1.0, 5.0),   // queued on the way up
            exchange(100.0, 500.0, 4.0, 1.0, 4.0),  // clean
            exchange(200.0, 500.0, 6.0, 1.0, 60.0), // queued on the way down
        ];
        let e = TimeSyncEstimate::from_samples(&samples).unwrap();
        assert_eq!(e.offset_ms, 500.0);
        assert_eq!(e.rtt_ms, 8.0);
        assert_eq!(e.samples, 3);
        assert_eq!(e.server_ms(1_000.0), 1_500.0);
    }

    #[test]
    fn no_samples_no_estimate() {
        assert_eq!(TimeSyncEstimate::from_samples(&[]), None);
    }

    #[test]
    fn local_clock_is_after_2017() {
        assert!(local_now_ms() > 1_509_048_000_000.0);
    }
}
