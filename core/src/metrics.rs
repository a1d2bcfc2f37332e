//! Counters the engine keeps about itself.
//!
//! Hot-path counts (reservations made) live inside the stripes and are summed on demand, so
//! counting never adds a shared cache line to a reservation. The atomics here count rarer
//! events: refusals, denials, repeats.

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::order::{OrderState, Severity};
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
    /// Orders in the book, by state (only states with orders).
    pub orders_by_state: Vec<(OrderState, u64)>,
    /// Orders that never needed a person's decision.
    pub orders_zero_touch: u64,
    /// Open and acknowledged tasks, by severity.
    pub open_tasks_by_severity: Vec<(Severity, u64)>,
}

impl Metrics {
    /// The metrics in Prometheus' text exposition format, so that any process embedding the
    /// engine can serve them at `/metrics`.
    pub fn prometheus_text(&self) -> String {
        let mut registry = Registry::with_prefix("allot");
        let counter = |registry: &mut Registry, name: &str, help: &str, value: u64| {
            let metric = Counter::<u64>::default();
            metric.inc_by(value);
            registry.register(name, help, metric);
        };
        let gauge = |registry: &mut Registry, name: &str, help: &str, value: u64| {
            let metric = Gauge::<i64>::default();
            metric.set(i64::try_from(value).unwrap_or(i64::MAX));
            registry.register(name, help, metric);
        };
        gauge(&mut registry, "skus", "SKUs in the catalogue", self.skus);
        gauge(&mut registry, "warehouses", "Warehouses in the catalogue", self.warehouses);
        counter(&mut registry, "reservations_made", "Reservations made", self.reservations_made);
        gauge(&mut registry, "reservations_held", "Reservations holding stock", self.reservations_held);
        gauge(
            &mut registry,
            "reservations_committed",
            "Reservations committed (goods left)",
            self.reservations_committed,
        );
        gauge(&mut registry, "reservations_released", "Reservations released", self.reservations_released);
        gauge(&mut registry, "reservations_expired", "Reservations expired", self.reservations_expired);
        counter(&mut registry, "reserves_refused", "Reserve calls refused for lack of stock", self.reserves_refused);
        counter(
            &mut registry,
            "reserve_repeats",
            "Reserve calls answered from an earlier reservation",
            self.reserve_repeats,
        );
        counter(&mut registry, "duplicate_orders", "Reserve calls refused as duplicate orders", self.duplicate_orders);
        counter(&mut registry, "permission_denied", "Calls denied by role", self.permission_denied_total);
        gauge(&mut registry, "log_last_lsn", "Last log sequence number", self.log_last_lsn);
        gauge(&mut registry, "log_durable_lsn", "Last durable log sequence number", self.log_durable_lsn);
        counter(&mut registry, "log_records", "Log records appended since open", self.log_records_appended);
        counter(&mut registry, "log_bytes", "Log bytes appended since open", self.log_bytes_appended);
        counter(&mut registry, "log_flushes", "Log flushes since open", self.log_flushes);
        gauge(&mut registry, "log_segments", "Live log segments", self.log_segments);
        counter(&mut registry, "checkpoints", "Checkpoints written since open", self.checkpoints);
        gauge(&mut registry, "orders_zero_touch", "Orders that never needed a person", self.orders_zero_touch);
        let orders = Family::<Vec<(String, String)>, Gauge<i64>>::default();
        for (state, count) in &self.orders_by_state {
            orders.get_or_create(&vec![("state".into(), state.name().into())]).set(*count as i64);
        }
        registry.register("orders", "Orders in the book by state", orders);
        let tasks = Family::<Vec<(String, String)>, Gauge<i64>>::default();
        for (severity, count) in &self.open_tasks_by_severity {
            tasks.get_or_create(&vec![("severity".into(), severity.name().into())]).set(*count as i64);
        }
        registry.register("open_tasks", "Open to-do tasks by severity", tasks);
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &registry).expect("writing to a String cannot fail");
        text
    }
}
