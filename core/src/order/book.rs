//! The order book: every order's current state, and the pipeline's own small stores (velocity
//! windows, the blacklist, to-do tasks, SLA timers). Changed only by `pipeline.rs`, under the
//! order's lock, after the change's record is in the log.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet, VecDeque};
use std::sync::Arc;

use compact_str::CompactString;
use crossbeam_utils::CachePadded;
use serde::{Deserialize, Serialize};

use crate::ids::{Lsn, SkuId};
use crate::order::change::{BlacklistKind, TaskKind, TaskState};
use crate::order::form::{Address, Flag, OrderForm, Path, Severity};
use crate::order::pipeline::OwnedFacts;
use crate::order::state::OrderState;
use crate::sync::{ConcurrentMap, Hasher, Mutex, MutexGuard, Snapshot};

/// Locks that serialise the changes of one order (by hash of its key): an order's multi-step
/// operations (reserve then log, commit then log) never interleave with another's on the same
/// order. Taken before any inventory lock.
const ORDER_LOCKS: usize = 256;

/// An order as the book keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct OrderEntry {
    pub(crate) form: Arc<OrderForm>,
    pub(crate) state: OrderState,
    pub(crate) flags: Vec<Flag>,
    pub(crate) path: Path,
    pub(crate) rule: Option<String>,
    pub(crate) received_at_ms: u64,
    /// When the order entered its current state (its stage's deadline counts from here).
    pub(crate) state_since_ms: u64,
    /// How many times the order moved: timers of an earlier state are recognised as stale.
    pub(crate) moves: u32,
    /// Escalation tiers already fired for the current stage.
    pub(crate) tiers_fired: u8,
    /// The open task of the current stage, if its deadline passed.
    pub(crate) stage_task: Option<u64>,
    pub(crate) waybill: Option<(String, String)>,
    /// Whether any tracking event arrived since shipping.
    pub(crate) tracked: bool,
    /// Whether a person acted on it (review, approval, rejection, hold).
    pub(crate) touched: bool,
    /// The LSN of its last change.
    pub(crate) last_lsn: Lsn,
}

/// An order as callers see it.
#[derive(Clone, Debug, PartialEq)]
pub struct Order {
    pub key: String,
    pub form: Arc<OrderForm>,
    pub state: OrderState,
    pub flags: Vec<Flag>,
    pub path: Path,
    /// The routing rule that chose the path (`None`: the rules' default).
    pub rule: Option<String>,
    pub received_at_ms: u64,
    pub state_since_ms: u64,
    /// Carrier code and waybill number, once shipped.
    pub waybill: Option<(String, String)>,
    /// Whether a person acted on the order (zero-touch orders never are).
    pub touched: bool,
    pub last_lsn: Lsn,
}

impl OrderEntry {
    pub(crate) fn view(&self, key: &str) -> Order {
        Order {
            key: key.to_string(),
            form: self.form.clone(),
            state: self.state,
            flags: self.flags.clone(),
            path: self.path,
            rule: self.rule.clone(),
            received_at_ms: self.received_at_ms,
            state_since_ms: self.state_since_ms,
            waybill: self.waybill.clone(),
            touched: self.touched,
            last_lsn: self.last_lsn,
        }
    }
}

/// A to-do task: someone must look at an order whose stage stalled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub id: u64,
    pub order: String,
    pub kind: TaskKind,
    pub severity: Severity,
    /// The role expected to act (`orders`, `warehouse`, `logistics`, or `supervisor`).
    pub assignee: String,
    pub state: TaskState,
    pub opened_at_ms: u64,
    pub changed_at_ms: u64,
}

/// Orders per buyer, phone and address within the velocity window, exact and bounded.
///
/// Keys are 64-bit hashes of (kind, value): no string is kept or allocated per order. Every
/// order's keys go into one queue in time order, and each key keeps only a count: leaving the
/// window is popping the queue's front and decrementing, O(1) per order. At most
/// `VELOCITY_ENTRIES_MAX` entries are queued: beyond that (hundreds of thousands of orders a
/// minute) the oldest leave first, so the window shortens rather than memory growing.
#[derive(Default)]
pub(crate) struct Velocity {
    counts: HashMap<u64, u32, Hasher>,
    queue: VecDeque<(u64, u64)>,
    hasher: Hasher,
}

/// Most entries velocity windows keep (about 64 MB at most).
pub(crate) const VELOCITY_ENTRIES_MAX: usize = 2_000_000;

impl Velocity {
    fn key(&self, kind: BlacklistKind, value: &str) -> u64 {
        self.hasher.hash_one((kind, value))
    }

    /// How many orders each of a buyer, phone and address placed since `now_ms - window_ms`.
    pub(crate) fn count(&mut self, keys: [(BlacklistKind, &str); 3], now_ms: u64, window_ms: u64) -> [usize; 3] {
        self.prune(now_ms, window_ms);
        keys.map(|(kind, value)| self.counts.get(&self.key(kind, value)).map_or(0, |&n| n as usize))
    }

    /// Records an order at `at_ms` for its buyer, phone and address.
    pub(crate) fn record(&mut self, keys: [(BlacklistKind, &str); 3], at_ms: u64, window_ms: u64) {
        for (kind, value) in keys {
            if value.is_empty() {
                continue;
            }
            let key = self.key(kind, value);
            *self.counts.entry(key).or_default() += 1;
            self.queue.push_back((at_ms, key));
        }
        self.prune(at_ms, window_ms);
    }

    /// Drops what fell out of the window (and the oldest, beyond the bound).
    pub(crate) fn prune(&mut self, now_ms: u64, window_ms: u64) {
        let since = now_ms.saturating_sub(window_ms);
        while let Some(&(at, key)) = self.queue.front() {
            if at >= since && self.queue.len() <= VELOCITY_ENTRIES_MAX {
                break;
            }
            self.queue.pop_front();
            if let std::collections::hash_map::Entry::Occupied(mut count) = self.counts.entry(key) {
                *count.get_mut() -= 1;
                if *count.get() == 0 {
                    count.remove();
                }
            }
        }
    }
}

/// Buyers, phones and addresses whose orders are flagged.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Blacklist {
    pub(crate) entries: BTreeMap<BlacklistKind, HashSet<String>>,
}

impl Blacklist {
    pub(crate) fn contains(&self, kind: BlacklistKind, value: &str) -> bool {
        self.entries.get(&kind).is_some_and(|set| set.contains(value))
    }

    pub(crate) fn with(&self, kind: BlacklistKind, value: &str, added: bool) -> Blacklist {
        let mut next = self.clone();
        let set = next.entries.entry(kind).or_default();
        if added {
            set.insert(value.to_string());
        } else {
            set.remove(value);
        }
        next
    }
}

/// The normalised form of an address for blacklists and velocity: its parts joined, with
/// whitespace removed, so "上海市 徐汇区" and "上海市徐汇区" are one address.
pub(crate) fn address_key(address: &Address) -> String {
    [&address.province, &address.city, &address.district, &address.detail]
        .iter()
        .flat_map(|part| part.chars())
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// When to look at an order again: `due_ms`, if it has not moved since (`moves`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Timer {
    pub(crate) due_ms: u64,
    pub(crate) key: CompactString,
    pub(crate) moves: u32,
}

pub(crate) struct OrderBook {
    pub(crate) entries: ConcurrentMap<CompactString, OrderEntry>,
    locks: Box<[CachePadded<Mutex<()>>]>,
    /// `CARRIER:NUMBER` → order key, for tracking events that name only the waybill.
    pub(crate) waybills: ConcurrentMap<CompactString, CompactString>,
    pub(crate) velocity: Mutex<Velocity>,
    pub(crate) blacklist: Snapshot<Blacklist>,
    pub(crate) tasks: Mutex<BTreeMap<u64, Task>>,
    pub(crate) timers: Mutex<BinaryHeap<Reverse<Timer>>>,
    /// SKUs whose low-stock alert was raised and has not cleared yet.
    pub(crate) low_stock: Mutex<HashSet<SkuId>>,
    /// What routing saw of the most recent orders, for dry runs of edited rules.
    pub(crate) recent: Mutex<VecDeque<OwnedFacts>>,
}

/// Orders kept for dry runs of edited rules.
pub(crate) const RECENT_ORDERS_MAX: usize = 10_000;

impl OrderBook {
    pub(crate) fn new() -> OrderBook {
        OrderBook {
            entries: ConcurrentMap::new(64),
            locks: (0..ORDER_LOCKS).map(|_| CachePadded::new(Mutex::new(()))).collect(),
            waybills: ConcurrentMap::new(16),
            velocity: Mutex::new(Velocity::default()),
            blacklist: Snapshot::new(Blacklist::default()),
            tasks: Mutex::new(BTreeMap::new()),
            timers: Mutex::new(BinaryHeap::new()),
            low_stock: Mutex::new(HashSet::new()),
            recent: Mutex::new(VecDeque::new()),
        }
    }

    /// The lock of one order.
    pub(crate) fn lock(&self, key: &str) -> MutexGuard<'_, ()> {
        let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
        self.locks[(hash % ORDER_LOCKS as u64) as usize].lock()
    }

    /// Every order lock, in order: nothing in the pipeline changes until they drop.
    pub(crate) fn lock_all(&self) -> Vec<MutexGuard<'_, ()>> {
        self.locks.iter().map(|lock| lock.lock()).collect()
    }

    pub(crate) fn order(&self, key: &str) -> Option<Order> {
        self.entries.view(key, |entry| entry.view(key))
    }

    /// How many orders are in each state (states with none left out).
    pub(crate) fn counts_by_state(&self) -> Vec<(OrderState, u64)> {
        let mut counts = [0u64; OrderState::ALL.len()];
        self.entries.for_each(|_, entry| {
            counts[OrderState::ALL.iter().position(|s| *s == entry.state).expect("a known state")] += 1;
        });
        OrderState::ALL.into_iter().zip(counts).filter(|(_, n)| *n > 0).collect()
    }

    /// Orders that never needed a person's decision.
    pub(crate) fn zero_touch(&self) -> u64 {
        let mut count = 0;
        self.entries.for_each(|_, entry| count += u64::from(!entry.touched));
        count
    }

    pub(crate) fn open_tasks_by_severity(&self) -> Vec<(Severity, u64)> {
        let mut counts: BTreeMap<Severity, u64> = BTreeMap::new();
        for task in self.tasks.lock().values().filter(|task| task.state != TaskState::Closed) {
            *counts.entry(task.severity).or_default() += 1;
        }
        counts.into_iter().rev().collect()
    }

    /// Every order in `state`, oldest in that state first.
    pub(crate) fn in_state(&self, state: OrderState) -> Vec<Order> {
        let mut found = Vec::new();
        self.entries.for_each(|key, entry| {
            if entry.state == state {
                found.push(entry.view(key));
            }
        });
        found.sort_by(|a, b| (a.state_since_ms, &a.key).cmp(&(b.state_since_ms, &b.key)));
        found
    }

    pub(crate) fn schedule(&self, timer: Timer) {
        self.timers.lock().push(Reverse(timer));
    }

    /// Timers due at `now_ms`, removed from the queue.
    pub(crate) fn due_timers(&self, now_ms: u64, max: usize) -> Vec<Timer> {
        let mut timers = self.timers.lock();
        let mut due = Vec::new();
        while due.len() < max && timers.peek().is_some_and(|Reverse(timer)| timer.due_ms <= now_ms) {
            due.push(timers.pop().expect("peeked").0);
        }
        due
    }

    /// Open and acknowledged tasks, most severe first, then oldest first: a pile of low ones
    /// never hides a critical one.
    pub(crate) fn open_tasks(&self) -> Vec<Task> {
        let mut open: Vec<Task> =
            self.tasks.lock().values().filter(|task| task.state != TaskState::Closed).cloned().collect();
        open.sort_by_key(|task| (Reverse(task.severity), task.opened_at_ms, task.id));
        open
    }

    pub(crate) fn remember_facts(&self, facts: OwnedFacts) {
        let mut recent = self.recent.lock();
        if recent.len() == RECENT_ORDERS_MAX {
            recent.pop_front();
        }
        recent.push_back(facts);
    }

    pub(crate) fn next_task_id(&self) -> u64 {
        self.tasks.lock().keys().next_back().map_or(1, |last| last + 1)
    }
}

/// The order book in a checkpoint.
#[derive(Serialize, Deserialize)]
pub(crate) struct OrdersImage {
    entries: Vec<(String, OrderEntry)>,
    tasks: Vec<Task>,
    blacklist: Blacklist,
    low_stock: Vec<SkuId>,
}

impl OrderBook {
    /// Copies the book for a checkpoint; the caller holds every order lock. Orders in a final
    /// state (and delivered ones) changed before `forget_before_ms` are left out and forgotten,
    /// with their closed tasks: the book does not grow without bound.
    pub(crate) fn image(&self, forget_before_ms: Option<u64>) -> OrdersImage {
        let finished = |entry: &OrderEntry| {
            matches!(entry.state, OrderState::Cancelled | OrderState::Returned | OrderState::Delivered)
                && forget_before_ms.is_some_and(|before| entry.state_since_ms < before)
        };
        let mut entries = Vec::with_capacity(self.entries.len());
        self.entries.for_each(|key, entry| {
            if !finished(entry) {
                entries.push((key.to_string(), entry.clone()));
            }
        });
        if forget_before_ms.is_some() {
            self.entries.retain(|_, entry| !finished(entry));
            let kept: HashSet<&str> = entries.iter().map(|(key, _)| key.as_str()).collect();
            self.tasks.lock().retain(|_, task| task.state != TaskState::Closed || kept.contains(task.order.as_str()));
            self.waybills.retain(|_, order| kept.contains(order.as_str()));
        }
        OrdersImage {
            entries,
            tasks: self.tasks.lock().values().cloned().collect(),
            blacklist: (*self.blacklist.load_full()).clone(),
            low_stock: self.low_stock.lock().iter().copied().collect(),
        }
    }

    /// Loads a checkpoint's book into an empty one.
    pub(crate) fn restore(&self, mut image: OrdersImage, velocity_window_ms: u64) {
        // Velocity windows want their timestamps in order.
        image.entries.sort_by_key(|(_, entry)| entry.received_at_ms);
        let mut velocity = self.velocity.lock();
        for (key, entry) in image.entries {
            if let Some((carrier, number)) = &entry.waybill {
                self.waybills
                    .insert(CompactString::from(format!("{carrier}:{number}")), CompactString::from(key.as_str()));
            }
            let address = address_key(&entry.form.ship_to);
            velocity.record(
                [
                    (BlacklistKind::Buyer, entry.form.buyer_id.as_str()),
                    (BlacklistKind::Phone, entry.form.ship_to.phone.as_str()),
                    (BlacklistKind::Address, address.as_str()),
                ],
                entry.received_at_ms,
                velocity_window_ms,
            );
            self.entries.insert(CompactString::from(key), entry);
        }
        drop(velocity);
        *self.tasks.lock() = image.tasks.into_iter().map(|task| (task.id, task)).collect();
        self.blacklist.store(Arc::new(image.blacklist));
        *self.low_stock.lock() = image.low_stock.into_iter().collect();
    }
}
