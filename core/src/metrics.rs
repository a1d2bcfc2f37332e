//! Counters the engine keeps about itself.
//!
//! Hot-path counts (reservations made) live inside the stripes and are summed on demand, so
//! counting never adds a shared cache line to a reservation. The atomics here count rarer
//! events: refusals, denials, repeats.

use crate::role::{Operation, Role};
use crate::sync::atomic::{AtomicU64, Ordering};

const ROLE_COUNT: usize = Role::ALL.len();
const OPERATION_COUNT: usize = Operation::ALL.len();

pub(crate) struct Counters {
    permission_denied: Vec<AtomicU64>,
    pub(crate) reserves_refused: AtomicU64,
    pub(crate) reserve_repeats: AtomicU64,
    pub(crate) duplicate_orders: AtomicU64,
    pub(crate) checkpoints: AtomicU64,
}

impl Counters {
    pub(crate) fn new() -> Counters {
        Counters {
            permission_denied: (0..ROLE_COUNT * OPERATION_COUNT).map(|_| AtomicU64::new(0)).collect(),
            reserves_refused: AtomicU64::new(0),
            reserve_repeats: AtomicU64::new(0),
            duplicate_orders: AtomicU64::new(0),
            checkpoints: AtomicU64::new(0),
        }
    }

    pub(crate) fn count_denied(&self, role: Role, operation: Operation) {
        self.permission_denied[role as usize * OPERATION_COUNT + operation as usize].fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn denied(&self, role: Role, operation: Operation) -> u64 {
        self.permission_denied[role as usize * OPERATION_COUNT + operation as usize].load(Ordering::Relaxed)
    }

    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

/// A point-in-time view of the engine's counters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Metrics {
    pub skus: u64,
    pub warehouses: u64,
    /// Reservations made since the engine (or its log) began.
    pub reservations_made: u64,
    pub reservations_held: u64,
    pub reservations_committed: u64,
    pub reservations_released: u64,
    pub reservations_expired: u64,
    /// Reserve calls refused for insufficient stock (since this open).
    pub reserves_refused: u64,
    /// Reserve calls answered from an earlier reservation of the same order (since this open).
    pub reserve_repeats: u64,
    /// Reserve calls refused because the order id was used with other lines (since this open).
    pub duplicate_orders: u64,
    /// Denied calls by role and operation, only the non-zero ones (since this open).
    pub permission_denied: Vec<(Role, Operation, u64)>,
    pub permission_denied_total: u64,
    pub log_last_lsn: u64,
    pub log_durable_lsn: u64,
    pub log_records_appended: u64,
    pub log_bytes_appended: u64,
    pub log_flushes: u64,
    pub log_segments: u64,
    pub checkpoints: u64,
}
