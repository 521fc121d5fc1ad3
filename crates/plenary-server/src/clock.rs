//! The one place the service reads the wall clock. The domain core never
//! does: every command is decided at the instant read here.

use std::time::{SystemTime, UNIX_EPOCH};

use plenary_core::Timestamp;

#[allow(clippy::disallowed_methods)]
pub fn now() -> Timestamp {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    Timestamp(i64::try_from(ms).unwrap_or(i64::MAX))
}

/// Milliseconds with a fraction, for `time_sync` answers.
#[allow(clippy::disallowed_methods)]
pub fn now_ms_f64() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// The clock a hub decides and schedules by: the system's, or a manual one
/// that tests move forward, so that countdowns are tested on virtual time
/// instead of waiting real seconds.
#[derive(Clone, Debug, Default)]
pub enum Clock {
    #[default]
    System,
    Manual(std::sync::Arc<ManualClock>),
}

/// A clock that moves only when told to.
#[derive(Debug)]
pub struct ManualClock {
    now_ms: std::sync::atomic::AtomicI64,
    moved: tokio::sync::Notify,
}

impl ManualClock {
    pub fn starting_at(at: Timestamp) -> std::sync::Arc<ManualClock> {
        std::sync::Arc::new(ManualClock {
            now_ms: std::sync::atomic::AtomicI64::new(at.0),
            moved: tokio::sync::Notify::new(),
        })
    }

    /// Moves the clock forward and wakes whoever waits on it.
    pub fn advance(&self, by: plenary_core::Millis) {
        self.now_ms
            .fetch_add(by.as_millis(), std::sync::atomic::Ordering::AcqRel);
        self.moved.notify_waiters();
    }

    fn now(&self) -> Timestamp {
        Timestamp(self.now_ms.load(std::sync::atomic::Ordering::Acquire))
    }
}

impl Clock {
    /// A manual clock starting at the system's present time.
    pub fn manual() -> (Clock, std::sync::Arc<ManualClock>) {
        let manual = ManualClock::starting_at(now());
        (Clock::Manual(std::sync::Arc::clone(&manual)), manual)
    }

    pub fn now(&self) -> Timestamp {
        match self {
            Clock::System => now(),
            Clock::Manual(m) => m.now(),
        }
    }

    /// Milliseconds with a fraction, for `time_sync` answers.
    pub fn now_ms_f64(&self) -> f64 {
        match self {
            Clock::System => now_ms_f64(),
            Clock::Manual(m) => m.now().0 as f64,
        }
    }

    /// Returns once the clock reads `at` or later.
    pub async fn sleep_until(&self, at: Timestamp) {
        match self {
            Clock::System => {
                let wait = (at - now()).as_millis().max(0);
                tokio::time::sleep(std::time::Duration::from_millis(
                    u64::try_from(wait).unwrap_or(0),
                ))
                .await;
            }
            Clock::Manual(m) => loop {
                let moved = m.moved.notified();
                if m.now() >= at {
                    return;
                }
                moved.await;
            },
        }
    }
}
