//! Lock striping: one transaction per SKU at a time, many SKUs in parallel.
//!
//! SKU `s` lives in stripe `s mod N` (N a power of two) at slot `s / N`. A stripe's mutex owns
//! the stock of all its SKUs, so holding the stripe is the only way to touch them. A transaction
//! over several SKUs locks their stripes in ascending stripe order, which is a total order every
//! transaction follows, so two transactions can never wait for each other in a cycle.
//!
//! **Invariant:** no stripe is held across a log sync, a callback into user code, or a file
//! allocation (the log preallocates segments ahead of need for exactly this reason).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use compact_str::CompactString;
use crossbeam_utils::CachePadded;
use smallvec::SmallVec;

use crate::ids::{SkuId, WarehouseId};
use crate::inventory::cell::{Cell, PackedBuffer};
use crate::sync::{Mutex, MutexGuard};

/// The cells of one SKU. One inline: keeping a single-warehouse SKU's cell beside the SKU saves
/// a pointer chase (a cache miss) on every reservation; more cells go to the heap.
pub(crate) type Cells = SmallVec<[Cell; 1]>;

/// The stock of one SKU: one cell per warehouse that ever held it, sorted by warehouse.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SkuStock {
    pub(crate) default_buffer: PackedBuffer,
    pub(crate) cells: Cells,
}

impl SkuStock {
    pub(crate) fn cell(&self, warehouse: WarehouseId) -> Option<&Cell> {
        self.cells.binary_search_by_key(&warehouse, |c| c.warehouse).ok().map(|i| &self.cells[i])
    }

    pub(crate) fn cell_mut(&mut self, warehouse: WarehouseId) -> Option<&mut Cell> {
        self.cells.binary_search_by_key(&warehouse, |c| c.warehouse).ok().map(|i| &mut self.cells[i])
    }

    /// The cell for `warehouse`, created empty if this SKU was never there.
    pub(crate) fn cell_or_insert(&mut self, warehouse: WarehouseId) -> &mut Cell {
        let index = match self.cells.binary_search_by_key(&warehouse, |c| c.warehouse) {
            Ok(index) => index,
            Err(index) => {
                // Grow by one, not by doubling: cells are added rarely and are most of the memory.
                self.cells.reserve_exact(1);
                self.cells.insert(index, Cell::new(warehouse));
                index
            }
        };
        &mut self.cells[index]
    }
}

/// Reservations homed in a stripe (the stripe of their first SKU), by expiry time. Entries of
/// reservations settled before expiring are skipped when they come due.
///
/// Most reservations use the same TTL, so their expiry times arrive in order: those go to the
/// back of a queue in O(1). Only an entry earlier than the last one queued goes to a heap.
#[derive(Default)]
pub(crate) struct ExpiryQueue {
    in_order: VecDeque<(u64, CompactString)>,
    out_of_order: BinaryHeap<Reverse<(u64, CompactString)>>,
}

impl ExpiryQueue {
    pub(crate) fn push(&mut self, expires_at_ms: u64, order: CompactString) {
        if self.in_order.back().is_none_or(|(last, _)| *last <= expires_at_ms) {
            self.in_order.push_back((expires_at_ms, order));
        } else {
            self.out_of_order.push(Reverse((expires_at_ms, order)));
        }
    }

    /// Removes and returns every entry due at `now_ms`.
    pub(crate) fn pop_due(&mut self, now_ms: u64) -> Vec<(u64, CompactString)> {
        let mut due = Vec::new();
        while self.in_order.front().is_some_and(|(at, _)| *at <= now_ms) {
            due.push(self.in_order.pop_front().expect("front exists"));
        }
        while self.out_of_order.peek().is_some_and(|Reverse((at, _))| *at <= now_ms) {
            due.push(self.out_of_order.pop().expect("peeked").0);
        }
        due
    }
}

/// What one lock protects.
#[derive(Default)]
pub(crate) struct Stripe {
    skus: Vec<SkuStock>,
    pub(crate) expiries: ExpiryQueue,
    /// Reservations made in this stripe: counted under the lock, so counting costs nothing.
    pub(crate) reservations_made: u64,
}

pub(crate) struct Stripes {
    stripes: Box<[CachePadded<Mutex<Stripe>>]>,
    mask: u32,
    shift: u32,
}

impl Stripes {
    /// `count` must be a power of two.
    pub(crate) fn new(count: usize) -> Stripes {
        assert!(count.is_power_of_two(), "stripe count must be a power of two");
        Stripes {
            stripes: (0..count).map(|_| CachePadded::new(Mutex::new(Stripe::default()))).collect(),
            mask: (count - 1) as u32,
            shift: count.trailing_zeros(),
        }
    }

    pub(crate) fn count(&self) -> usize {
        self.stripes.len()
    }

    pub(crate) fn stripe_of(&self, sku: SkuId) -> usize {
        (sku.0 & self.mask) as usize
    }

    fn slot_of(&self, sku: SkuId) -> usize {
        (sku.0 >> self.shift) as usize
    }

    pub(crate) fn lock_stripe(&self, stripe: usize) -> MutexGuard<'_, Stripe> {
        self.stripes[stripe].lock()
    }

    /// Locks the stripe of one SKU.
    pub(crate) fn lock(&self, sku: SkuId) -> StripeGuards<'_> {
        let stripe = self.stripe_of(sku);
        let mut guards = SmallVec::new();
        guards.push((stripe, self.stripes[stripe].lock()));
        StripeGuards { stripes: self, guards }
    }

    /// Locks the stripes of `skus` (any order, duplicates allowed) in ascending stripe order.
    pub(crate) fn lock_many(&self, skus: impl IntoIterator<Item = SkuId>) -> StripeGuards<'_> {
        let mut indexes: SmallVec<[usize; 8]> = skus.into_iter().map(|sku| self.stripe_of(sku)).collect();
        if indexes.len() > 1 {
            indexes.sort_unstable();
            indexes.dedup();
        }
        let guards = indexes.into_iter().map(|stripe| (stripe, self.stripes[stripe].lock())).collect();
        StripeGuards { stripes: self, guards }
    }

    /// Locks every stripe in ascending order: nothing else touches stock until they drop.
    pub(crate) fn lock_all(&self) -> Vec<MutexGuard<'_, Stripe>> {
        self.stripes.iter().map(|stripe| stripe.lock()).collect()
    }

    /// Gives a new SKU (the next id) its place. Caller holds the catalogue's change lock.
    pub(crate) fn push_sku(&self, sku: SkuId) {
        let mut stripe = self.stripes[self.stripe_of(sku)].lock();
        debug_assert_eq!(stripe.skus.len(), self.slot_of(sku));
        stripe.skus.push(SkuStock::default());
    }

    /// The stock of `sku` inside a held stripe.
    pub(crate) fn stock_in<'s>(&self, stripe: &'s Stripe, sku: SkuId) -> &'s SkuStock {
        &stripe.skus[self.slot_of(sku)]
    }

    pub(crate) fn stock_in_mut<'s>(&self, stripe: &'s mut Stripe, sku: SkuId) -> &'s mut SkuStock {
        &mut stripe.skus[self.slot_of(sku)]
    }

    /// Replaces a SKU's stock wholesale (loading a checkpoint).
    pub(crate) fn restore_sku(&self, sku: SkuId, stock: SkuStock) {
        let mut stripe = self.stripes[self.stripe_of(sku)].lock();
        let slot = self.slot_of(sku);
        if stripe.skus.len() <= slot {
            stripe.skus.resize_with(slot + 1, SkuStock::default);
        }
        stripe.skus[slot] = stock;
    }
}

/// Held stripes of one transaction, released together when dropped.
pub(crate) struct StripeGuards<'a> {
    stripes: &'a Stripes,
    guards: SmallVec<[(usize, MutexGuard<'a, Stripe>); 4]>,
}

impl StripeGuards<'_> {
    fn position(&self, sku: SkuId) -> usize {
        let stripe = self.stripes.stripe_of(sku);
        self.guards.iter().position(|(index, _)| *index == stripe).expect("the SKU's stripe is held")
    }

    pub(crate) fn stock(&self, sku: SkuId) -> &SkuStock {
        let position = self.position(sku);
        self.stripes.stock_in(&self.guards[position].1, sku)
    }

    pub(crate) fn stock_mut(&mut self, sku: SkuId) -> &mut SkuStock {
        let position = self.position(sku);
        self.stripes.stock_in_mut(&mut self.guards[position].1, sku)
    }

    /// The held stripe of `sku`, for its expiry queue and counters.
    pub(crate) fn stripe_mut(&mut self, sku: SkuId) -> &mut Stripe {
        let position = self.position(sku);
        &mut self.guards[position].1
    }
}
