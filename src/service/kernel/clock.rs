//! The service clock. Every rule that depends on the time (expiry, schedules, promotion windows,
//! tier protection, the store's business day) reads it from here, never from the system clock
//! directly, so tests can move time instead of rewriting stored timestamps.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, SubsecRound, Utc};

/// The system clock plus an offset that only tests move. Clones share the offset, so the server,
/// its scheduler and a test holding a clone all see the same time.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_micros: Arc<AtomicI64>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// Now, truncated to microseconds, the precision both databases store: a time read back
    /// equals the time written (PostgreSQL would otherwise round nanoseconds, possibly upwards).
    pub fn now(&self) -> DateTime<Utc> {
        let offset = Duration::microseconds(self.offset_micros.load(Ordering::Relaxed));
        (Utc::now() + offset).trunc_subsecs(6)
    }

    /// Moves this clock (and every clone of it) forward by `by`; tests only.
    pub fn advance(&self, by: Duration) {
        let micros = by.num_microseconds().unwrap_or(i64::MAX);
        self.offset_micros.fetch_add(micros, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_an_advance_and_times_are_whole_microseconds() {
        let clock = Clock::system();
        let shared = clock.clone();
        let before = clock.now();
        shared.advance(Duration::days(8));
        let after = clock.now();
        assert!(after - before >= Duration::days(8));
        assert!(after - before < Duration::days(8) + Duration::minutes(1));
        assert_eq!(after.timestamp_subsec_nanos() % 1000, 0);
    }
}
