//! Time, injected. Reservation expiry reads the engine's clock, never the system time directly,
//! so tests and simulations drive TTLs deterministically with a [`ManualClock`].
//!
//! Replay never reads a clock: an expiry is a log record of its own.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::sync::atomic::{AtomicU64, Ordering};

/// A source of wall-clock time in milliseconds since the Unix epoch.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now_ms(&self) -> u64;

    /// Whether time only moves when someone advances it (so the engine needs no timer thread).
    fn is_manual(&self) -> bool {
        false
    }

    /// Moves a manual clock forward and returns the new time; `None` for a real clock.
    fn advance_ms(&self, delta_ms: u64) -> Option<u64> {
        let _ = delta_ms;
        None
    }
}

/// The system's real-time clock.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
    }
}

/// A clock that moves only when told to. Shared by cloning the `Arc`.
#[derive(Debug)]
pub struct ManualClock {
    now_ms: AtomicU64,
}

impl ManualClock {
    pub fn new(start_ms: u64) -> Arc<ManualClock> {
        Arc::new(ManualClock { now_ms: AtomicU64::new(start_ms) })
    }

    /// Moves time forward by `delta_ms` (stopping at `u64::MAX`) and returns the new time.
    pub fn advance_ms(&self, delta_ms: u64) -> u64 {
        let before = self
            .now_ms
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |now| Some(now.saturating_add(delta_ms)))
            .expect("the update always succeeds");
        before.saturating_add(delta_ms)
    }

    /// Sets the time; it never moves backwards, so a smaller value is ignored.
    pub fn set_ms(&self, now_ms: u64) {
        self.now_ms.fetch_max(now_ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> u64 {
        self.now_ms.load(Ordering::SeqCst)
    }

    fn is_manual(&self) -> bool {
        true
    }

    fn advance_ms(&self, delta_ms: u64) -> Option<u64> {
        Some(ManualClock::advance_ms(self, delta_ms))
    }
}
