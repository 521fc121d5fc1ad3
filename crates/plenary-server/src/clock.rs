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
