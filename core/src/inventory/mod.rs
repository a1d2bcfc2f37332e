//! The inventory: catalogue, stock cells, reservations, and every transaction over them.
//!
//! Each transaction follows one shape: take the locks (catalogue change lock, or the stripes of
//! the SKUs concerned, ascending), check everything, append one log record, apply, release. The
//! log append is the commit point: a check that fails changes nothing, and an append that fails
//! (disk full, poisoned log) also changes nothing, because nothing was applied yet. Replay
//! applies the same records through the same `apply_*` helpers, so a restart rebuilds exactly
//! the state the live engine had.
//!
//! Lock order, outermost first: catalogue change lock → stripes (ascending) → an order-index
//! shard → the log writer. The order index is also read with nothing else held (claiming an
//! order id, looking up a reservation), which is compatible with that order.

mod catalogue;
mod cell;
pub(crate) mod placement;
mod reservation;
pub(crate) mod stripes;

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use compact_str::CompactString;
use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

use crate::error::{Error, Result};
use crate::ids::{Lsn, SkuId, WarehouseId};
use crate::limits::{PLACED_LINES_MAX, SKUS_MAX, WAREHOUSES_MAX};
use crate::log::{Log, Movement, Record, Settlement, StockStep};
use crate::sync::{Backoff, ConcurrentMap};

pub use self::catalogue::{Sku, Warehouse};
use self::cell::PackedBuffer;
pub use self::cell::{BufferRule, StockLevels};
pub use self::placement::{DistanceTable, PrefixDistance, RegionDistance};
pub use self::reservation::{Reservation, ReservationState, ReservedLine, ReservedLines, Settled};

use self::catalogue::{Catalogue, Categories};
use self::cell::{Cell, MovementRefusal, moved};
use self::placement::{Order, Shortage, place};
use self::reservation::{OrderEntry, Placed};
use self::stripes::{SkuStock, StripeGuards, Stripes};

/// Order lines after normalisation: distinct SKUs, ascending, quantities summed.
pub(crate) type OrderLines = SmallVec<[(SkuId, u32); 4]>;

pub(crate) struct Inventory {
    pub(crate) catalogue: Catalogue,
    pub(crate) stripes: Stripes,
    /// Order id → reservation. Ids up to 24 bytes live inline in the key: no allocation, and no
    /// pointer to chase when a probe compares keys.
    orders: ConcurrentMap<CompactString, OrderEntry>,
    distance: Arc<dyn RegionDistance>,
}

/// What a reserve asks for, after validation.
pub(crate) struct ReserveRequest<'a> {
    pub(crate) order_id: &'a str,
    pub(crate) lines: &'a [(SkuId, u32)],
    pub(crate) ship_to: Option<&'a str>,
    pub(crate) ttl_ms: Option<u64>,
    pub(crate) allow_split: bool,
    pub(crate) now_ms: u64,
}

impl Inventory {
    pub(crate) fn new(stripes: usize, distance: Arc<dyn RegionDistance>) -> Inventory {
        Inventory {
            catalogue: Catalogue::new(),
            stripes: Stripes::new(stripes),
            orders: ConcurrentMap::new(64),
            distance,
        }
    }

    // -----------------------------------------------------------------------------------------
    // Catalogue

    pub(crate) fn add_warehouse(
        &self,
        log: &Log,
        code: &str,
        region: &str,
        priority: u32,
        active: bool,
    ) -> Result<(WarehouseId, Lsn)> {
        let _change = self.catalogue.change.lock();
        if self.catalogue.warehouse_id(code).is_some() {
            return Err(Error::AlreadyExists { kind: "warehouse", code: code.into() });
        }
        let count = self.catalogue.warehouse_count();
        if count >= WAREHOUSES_MAX {
            return Err(Error::LimitExceeded {
                limit: "WAREHOUSES_MAX",
                what: "the number of warehouses".into(),
                max: u64::from(WAREHOUSES_MAX),
                actual: u64::from(count) + 1,
            });
        }
        let id = WarehouseId(count);
        let lsn = log.append(&Record::AddWarehouse {
            id,
            code: Cow::Borrowed(code),
            region: Cow::Borrowed(region),
            priority,
            active,
        })?;
        self.apply_add_warehouse(id, code, region, priority, active);
        Ok((id, lsn))
    }

    fn apply_add_warehouse(&self, id: WarehouseId, code: &str, region: &str, priority: u32, active: bool) {
        self.catalogue.push_warehouse(Warehouse { id, code: code.into(), region: region.into(), priority, active });
    }

    pub(crate) fn update_warehouse(&self, log: &Log, code: &str, priority: u32, active: bool) -> Result<Lsn> {
        let _change = self.catalogue.change.lock();
        let id = self.warehouse_id(code)?;
        let lsn = log.append(&Record::UpdateWarehouse { id, priority, active })?;
        self.catalogue.update_warehouse(id, priority, active);
        Ok(lsn)
    }

    pub(crate) fn add_sku(&self, log: &Log, code: &str, category: &str) -> Result<(SkuId, Lsn)> {
        let mut change = self.catalogue.change.lock();
        if self.catalogue.sku_id(code).is_some() {
            return Err(Error::AlreadyExists { kind: "SKU", code: code.into() });
        }
        let count = self.catalogue.sku_count();
        if count >= SKUS_MAX {
            return Err(Error::LimitExceeded {
                limit: "SKUS_MAX",
                what: "the number of SKUs".into(),
                max: u64::from(SKUS_MAX),
                actual: u64::from(count) + 1,
            });
        }
        let id = SkuId(count);
        let lsn = log.append(&Record::AddSku { id, code: Cow::Borrowed(code), category: Cow::Borrowed(category) })?;
        self.apply_add_sku(&mut change, id, code, category);
        Ok((id, lsn))
    }

    fn apply_add_sku(&self, categories: &mut Categories, id: SkuId, code: &str, category: &str) {
        self.stripes.push_sku(id);
        self.catalogue.push_sku(categories, id, code, category);
    }

    pub(crate) fn sku_id(&self, code: &str) -> Result<SkuId> {
        self.catalogue.sku_id(code).ok_or_else(|| Error::UnknownSku { sku: code.into() })
    }

    pub(crate) fn warehouse_id(&self, code: &str) -> Result<WarehouseId> {
        self.catalogue.warehouse_id(code).ok_or_else(|| Error::UnknownWarehouse { warehouse: code.into() })
    }

    pub(crate) fn check_sku(&self, sku: SkuId) -> Result<SkuId> {
        if sku.0 < self.catalogue.sku_count() { Ok(sku) } else { Err(Error::UnknownSku { sku: format!("#{}", sku.0) }) }
    }

    // -----------------------------------------------------------------------------------------
    // Stock movements

    pub(crate) fn set_buffer(
        &self,
        log: &Log,
        sku: SkuId,
        warehouse: Option<WarehouseId>,
        rule: Option<BufferRule>,
    ) -> Result<Lsn> {
        let mut guards = self.stripes.lock(sku);
        let lsn = log.append(&Record::SetBuffer { sku, warehouse, rule })?;
        apply_set_buffer(guards.stock_mut(sku), warehouse, rule);
        Ok(lsn)
    }

    /// Applies a movement to one cell; returns the cell's levels after it.
    pub(crate) fn move_stock(
        &self,
        log: &Log,
        sku: SkuId,
        warehouse: WarehouseId,
        movement: Movement<'_>,
    ) -> Result<(StockLevels, Lsn)> {
        let mut guards = self.stripes.lock(sku);
        let stock = guards.stock_mut(sku);
        let current = stock.cell(warehouse).cloned().unwrap_or_else(|| Cell::new(warehouse));
        let next =
            moved(&current, &movement).map_err(|refusal| self.movement_error(sku, warehouse, &movement, refusal))?;
        let lsn = log.append(&Record::Move { sku, warehouse, movement })?;
        let default_buffer = stock.default_buffer;
        let cell = stock.cell_or_insert(warehouse);
        *cell = next;
        Ok((cell.levels(default_buffer), lsn))
    }

    /// Puts returned goods back on hand in one warehouse: every line or none. `append` writes
    /// the record (after every check, under the stripes) and returns its LSN.
    pub(crate) fn restock(
        &self,
        warehouse: WarehouseId,
        lines: &[(SkuId, u32)],
        append: impl FnOnce() -> Result<Lsn>,
    ) -> Result<Lsn> {
        let mut guards = self.stripes.lock_many(lines.iter().map(|&(sku, _)| sku));
        let next = restocked(&guards, warehouse, lines)
            .map_err(|(sku, movement, refusal)| self.movement_error(sku, warehouse, &movement, refusal))?;
        let lsn = append()?;
        for (sku, cell) in next {
            *guards.stock_mut(sku).cell_or_insert(warehouse) = cell;
        }
        Ok(lsn)
    }

    fn movement_error(
        &self,
        sku: SkuId,
        warehouse: WarehouseId,
        movement: &Movement<'_>,
        refusal: MovementRefusal,
    ) -> Error {
        let sku_code = self.catalogue.sku_code(sku);
        let warehouse_code = self.catalogue.warehouse_code(warehouse);
        match refusal {
            MovementRefusal::BelowReserved { needed, available } => Error::InsufficientStock {
                order: None,
                sku: sku_code,
                warehouse: Some(warehouse_code),
                requested: needed,
                available,
            },
            MovementRefusal::MoreThanInTransit { requested, in_transit } => Error::invalid(format!(
                "cannot land {requested} units of SKU {sku_code:?} in warehouse {warehouse_code:?}: only {in_transit} in transit"
            )),
            MovementRefusal::TooLarge { value } => Error::LimitExceeded {
                limit: "CELL_UNITS_MAX",
                what: format!("{movement:?} on SKU {sku_code:?} in warehouse {warehouse_code:?}"),
                max: crate::limits::CELL_UNITS_MAX,
                actual: value,
            },
        }
    }

    // -----------------------------------------------------------------------------------------
    // Reservations

    pub(crate) fn reserve(&self, log: &Log, request: &ReserveRequest<'_>) -> Result<Reservation> {
        self.reserve_recorded(request, &mut |lines, expires_at_ms| {
            log.append(&Record::Reserve {
                order: Cow::Borrowed(request.order_id),
                lines: Cow::Borrowed(lines),
                expires_at_ms,
                at_ms: request.now_ms,
            })
        })
    }

    /// [`Inventory::reserve`], with the caller writing the record: `append` gets the placed
    /// lines and the expiry, is called at most once, under the stripes, after every check, and
    /// returns the LSN of the record it appended (the order pipeline writes the order's change
    /// and its reservation as one record). A repeat of an earlier reservation appends nothing.
    pub(crate) fn reserve_recorded(
        &self,
        request: &ReserveRequest<'_>,
        append: &mut dyn FnMut(&ReservedLines, Option<u64>) -> Result<Lsn>,
    ) -> Result<Reservation> {
        let key = CompactString::from(request.order_id);
        // Claim the order id, or answer from the reservation already made under it.
        let backoff = Backoff::new();
        loop {
            let existing = self.orders.insert_or_inspect(key.clone(), OrderEntry::Pending, |entry| match entry {
                OrderEntry::Pending => None,
                OrderEntry::Placed(placed) if placed.has_lines(request.lines) => Some(Ok(placed.to_reservation(true))),
                OrderEntry::Placed(_) => Some(Err(Error::DuplicateOrder { order: request.order_id.into() })),
            });
            match existing {
                None => break,
                Some(Some(answer)) => return answer,
                // Another thread is reserving this order id right now: its answer is ours.
                Some(None) => backoff.snooze(),
            }
        }
        // From here the claim is ours. Whatever ends this call (an error, a refusal, a panic in
        // a caller's code), the guard removes the claim unless a reservation replaced it.
        let mut claim = ClaimGuard { orders: &self.orders, order_id: request.order_id, placed: false };
        let reservation = self.reserve_claimed(request, &key, append)?;
        claim.placed = true;
        Ok(reservation)
    }

    fn reserve_claimed(
        &self,
        request: &ReserveRequest<'_>,
        key: &CompactString,
        append: &mut dyn FnMut(&ReservedLines, Option<u64>) -> Result<Lsn>,
    ) -> Result<Reservation> {
        self.catalogue.warehouses.with(|table| {
            let distances = placement::distances(table, request.ship_to, self.distance.as_ref());
            let mut guards = self.stripes.lock_many(request.lines.iter().map(|&(sku, _)| sku));
            let placed = {
                let stocks: SmallVec<[&SkuStock; 4]> =
                    request.lines.iter().map(|&(sku, _)| guards.stock(sku)).collect();
                let order = Order {
                    lines: request.lines,
                    stocks: &stocks,
                    distances: &distances,
                    allow_split: request.allow_split,
                };
                place(&order, table)
            };
            let lines = placed.map_err(|shortage| self.shortage_error(request.order_id, shortage))?;
            if lines.len() > PLACED_LINES_MAX {
                return Err(Error::LimitExceeded {
                    limit: "PLACED_LINES_MAX",
                    what: format!("the lines of order {:?} once split across warehouses", request.order_id),
                    max: PLACED_LINES_MAX as u64,
                    actual: lines.len() as u64,
                });
            }
            let expires_at_ms = request.ttl_ms.map(|ttl| request.now_ms.saturating_add(ttl));
            let lsn = append(&lines, expires_at_ms)?;
            let placed = Placed {
                lines,
                state: ReservationState::Held,
                expires_at_ms,
                reserved_at_ms: request.now_ms,
                reserved_lsn: lsn,
                settled_lsn: 0,
                settled_at_ms: 0,
            };
            let reservation = placed.to_reservation(false);
            self.apply_reserve(&mut guards, key, placed)?;
            Ok(reservation)
        })
    }

    fn shortage_error(&self, order_id: &str, shortage: Shortage) -> Error {
        Error::InsufficientStock {
            order: Some(order_id.into()),
            sku: self.catalogue.sku_code(shortage.sku),
            warehouse: shortage.warehouse.map(|w| self.catalogue.warehouse_code(w)),
            requested: shortage.requested,
            available: shortage.available,
        }
    }

    /// Holds the stock of a placed reservation and records it in the order index; returns what
    /// the index held under the order id before (the live path's claim; nothing in replay).
    /// Shared by the live path (after its checks) and replay (which checks the invariant instead).
    fn apply_reserve(
        &self,
        guards: &mut StripeGuards<'_>,
        key: &CompactString,
        placed: Placed,
    ) -> Result<Option<OrderEntry>> {
        for line in &placed.lines {
            let cell = guards
                .stock_mut(line.sku)
                .cell_mut(line.warehouse)
                .filter(|cell| cell.reserved + u64::from(line.qty) <= cell.on_hand)
                .ok_or_else(|| {
                    Error::internal(format!(
                        "reserving {} of SKU #{} in warehouse #{} would exceed its stock",
                        line.qty, line.sku.0, line.warehouse.0
                    ))
                })?;
            cell.reserved += u64::from(line.qty);
        }
        let home = placed.lines[0].sku;
        let stripe = guards.stripe_mut(home);
        stripe.reservations_made += 1;
        if let (Some(expires_at_ms), ReservationState::Held) = (placed.expires_at_ms, placed.state) {
            stripe.expiries.push(expires_at_ms, key.clone());
        }
        Ok(self.orders.insert(key.clone(), OrderEntry::Placed(placed)))
    }

    /// Commits or releases a reservation (or expires it, if its TTL has passed by `now_ms`).
    /// Returns what happened and whether a record was appended.
    pub(crate) fn settle(&self, log: &Log, order_id: &str, wanted: Settlement, now_ms: u64) -> Result<(Settled, bool)> {
        self.settle_recorded(order_id, wanted, now_ms, &mut |settlement| {
            log.append(&Record::Settle { order: Cow::Borrowed(order_id), settlement, at_ms: now_ms })
        })
    }

    /// [`Inventory::settle`], with the caller writing the record: `append` gets the settlement
    /// that takes effect (an expiry if the TTL ran out first), is called at most once, under the
    /// stripes, and returns the LSN of the record it appended. A reservation already settled
    /// appends nothing.
    pub(crate) fn settle_recorded(
        &self,
        order_id: &str,
        wanted: Settlement,
        now_ms: u64,
        append: &mut dyn FnMut(Settlement) -> Result<Lsn>,
    ) -> Result<(Settled, bool)> {
        let backoff = Backoff::new();
        let lines = loop {
            let seen = self.orders.view(order_id, |entry| match entry {
                OrderEntry::Pending => None,
                OrderEntry::Placed(placed) => Some((placed.lines.clone(), placed.state, placed.settled_lsn)),
            });
            match seen {
                None => return Err(Error::UnknownOrder { order: order_id.into() }),
                Some(None) => backoff.snooze(),
                // Final states never change again: answer without locking anything.
                Some(Some((_, state, settled_lsn))) if state != ReservationState::Held => {
                    return settled_answer(order_id, state, wanted, settled_lsn).map(|s| (s, false));
                }
                Some(Some((lines, _, _))) => break lines,
            }
        };
        let mut guards = self.stripes.lock_many(lines.iter().map(|line| line.sku));
        // Under the stripes the entry can no longer change under us; look again.
        let (state, expires_at_ms, settled_lsn) = self
            .orders
            .view(order_id, |entry| match entry {
                OrderEntry::Placed(placed) => Some((placed.state, placed.expires_at_ms, placed.settled_lsn)),
                OrderEntry::Pending => None,
            })
            .flatten()
            .ok_or_else(|| Error::internal(format!("order {order_id:?} vanished while being settled")))?;
        if state != ReservationState::Held {
            return settled_answer(order_id, state, wanted, settled_lsn).map(|s| (s, false));
        }
        let effective = if expires_at_ms.is_some_and(|at| now_ms >= at) { Settlement::Expire } else { wanted };
        let lsn = append(effective)?;
        let state = self.apply_settle(&mut guards, order_id, &lines, effective, lsn, now_ms)?;
        drop(guards);
        if effective == wanted {
            Ok((Settled { state, changed: true, lsn }, true))
        } else {
            // The TTL ran out before this call: the expiry is what happened.
            settled_answer(order_id, state, wanted, lsn).map(|s| (s, true))
        }
    }

    /// Settles a held reservation whose `lines` the caller read (and whose state it checked)
    /// under the same stripes.
    fn apply_settle(
        &self,
        guards: &mut StripeGuards<'_>,
        order_id: &str,
        lines: &ReservedLines,
        settlement: Settlement,
        lsn: Lsn,
        at_ms: u64,
    ) -> Result<ReservationState> {
        let state = match settlement {
            Settlement::Commit => ReservationState::Committed,
            Settlement::Release => ReservationState::Released,
            Settlement::Expire => ReservationState::Expired,
        };
        // Check everything before changing anything, so that even a bad record changes nothing.
        for line in lines {
            let held = guards.stock(line.sku).cell(line.warehouse).is_some_and(|c| c.reserved >= u64::from(line.qty));
            if !held {
                return Err(Error::internal(format!("order {order_id:?} holds more than its cell has reserved")));
            }
        }
        self.orders.update(order_id, |entry| {
            if let OrderEntry::Placed(placed) = entry {
                placed.state = state;
                placed.settled_lsn = lsn;
                placed.settled_at_ms = at_ms;
            }
        });
        for line in lines {
            let cell = guards.stock_mut(line.sku).cell_mut(line.warehouse).expect("checked above");
            cell.reserved -= u64::from(line.qty);
            if settlement == Settlement::Commit {
                cell.on_hand -= u64::from(line.qty);
            }
        }
        Ok(state)
    }

    /// Expires every held reservation whose TTL has passed by `now_ms`; returns how many, and
    /// the last LSN written.
    pub(crate) fn expire_due(&self, log: &Log, now_ms: u64) -> Result<(usize, Lsn)> {
        let mut expired = 0;
        let mut last_lsn = 0;
        for stripe in 0..self.stripes.count() {
            let due = self.stripes.lock_stripe(stripe).expiries.pop_due(now_ms);
            for (index, (_, order)) in due.iter().enumerate() {
                match self.settle(log, order, Settlement::Expire, now_ms) {
                    Ok((_, true)) => expired += 1,
                    Ok((_, false)) => {} // settled before it came due
                    Err(error) => {
                        // Put back what was not processed, so a later sweep retries it.
                        let mut stripe = self.stripes.lock_stripe(stripe);
                        for (at, order) in &due[index..] {
                            stripe.expiries.push(*at, order.clone());
                        }
                        return Err(error);
                    }
                }
            }
            if !due.is_empty() {
                last_lsn = log.last_lsn();
            }
        }
        Ok((expired, last_lsn))
    }

    // -----------------------------------------------------------------------------------------
    // Reads

    pub(crate) fn stock(&self, sku: SkuId, region_prefix: Option<&str>) -> StockLevels {
        let guards = self.stripes.lock(sku);
        let stock = guards.stock(sku);
        let mut total = StockLevels::default();
        self.catalogue.warehouses.with(|table| {
            for cell in &stock.cells {
                let in_region = region_prefix
                    .is_none_or(|prefix| table.get(cell.warehouse).is_some_and(|w| w.region.starts_with(prefix)));
                if in_region {
                    total.add(cell.levels(stock.default_buffer));
                }
            }
        });
        total
    }

    pub(crate) fn cells(&self, sku: SkuId) -> Vec<(WarehouseId, StockLevels)> {
        let guards = self.stripes.lock(sku);
        let stock = guards.stock(sku);
        stock.cells.iter().map(|cell| (cell.warehouse, cell.levels(stock.default_buffer))).collect()
    }

    pub(crate) fn cell(&self, sku: SkuId, warehouse: WarehouseId) -> StockLevels {
        let guards = self.stripes.lock(sku);
        let stock = guards.stock(sku);
        stock.cell(warehouse).map(|cell| cell.levels(stock.default_buffer)).unwrap_or_default()
    }

    pub(crate) fn reservation(&self, order_id: &str) -> Option<Reservation> {
        self.orders
            .view(order_id, |entry| match entry {
                OrderEntry::Placed(placed) => Some(placed.to_reservation(false)),
                OrderEntry::Pending => None,
            })
            .flatten()
    }

    pub(crate) fn counts(&self) -> InventoryCounts {
        let mut counts = InventoryCounts {
            skus: u64::from(self.catalogue.sku_count()),
            warehouses: u64::from(self.catalogue.warehouse_count()),
            ..InventoryCounts::default()
        };
        for stripe in 0..self.stripes.count() {
            let stripe = self.stripes.lock_stripe(stripe);
            counts.reservations_made += stripe.reservations_made;
        }
        self.orders.for_each(|_, entry| {
            if let OrderEntry::Placed(placed) = entry {
                match placed.state {
                    ReservationState::Held => counts.held += 1,
                    ReservationState::Committed => counts.committed += 1,
                    ReservationState::Released => counts.released += 1,
                    ReservationState::Expired => counts.expired += 1,
                }
            }
        });
        counts
    }

    // -----------------------------------------------------------------------------------------
    // Replay, checkpoints and invariants

    /// Applies one logged record during recovery.
    pub(crate) fn apply(&self, lsn: Lsn, record: Record<'_>) -> Result<()> {
        let broken = |detail: String| Error::internal(format!("log record {lsn} cannot be replayed: {detail}"));
        match record {
            Record::AddWarehouse { id, code, region, priority, active } => {
                if id.0 != self.catalogue.warehouse_count() {
                    return Err(broken(format!("warehouse id {} is out of sequence", id.0)));
                }
                self.apply_add_warehouse(id, &code, &region, priority, active);
            }
            Record::UpdateWarehouse { id, priority, active } => {
                if id.0 >= self.catalogue.warehouse_count() {
                    return Err(broken(format!("unknown warehouse id {}", id.0)));
                }
                self.catalogue.update_warehouse(id, priority, active);
            }
            Record::AddSku { id, code, category } => {
                if id.0 != self.catalogue.sku_count() {
                    return Err(broken(format!("SKU id {} is out of sequence", id.0)));
                }
                self.apply_add_sku(&mut self.catalogue.change.lock(), id, &code, &category);
            }
            Record::SetBuffer { sku, warehouse, rule } => {
                self.check_sku(sku).map_err(|e| broken(e.to_string()))?;
                apply_set_buffer(self.stripes.lock(sku).stock_mut(sku), warehouse, rule);
            }
            Record::Move { sku, warehouse, movement } => {
                self.check_sku(sku).map_err(|e| broken(e.to_string()))?;
                let mut guards = self.stripes.lock(sku);
                let cell = guards.stock_mut(sku).cell_or_insert(warehouse);
                *cell = moved(cell, &movement).map_err(|refusal| broken(format!("{refusal:?}")))?;
            }
            Record::Reserve { order, lines, expires_at_ms, at_ms } => {
                self.replay_reserve(lsn, &order, lines, expires_at_ms, at_ms).map_err(broken)?;
            }
            Record::Settle { order, settlement, at_ms } => {
                self.replay_settle(lsn, &order, settlement, at_ms).map_err(broken)?;
            }
            Record::Pipeline { .. } | Record::PipelineStock { .. } => {
                return Err(broken("a pipeline record was given to the inventory".into()));
            }
        }
        Ok(())
    }

    /// Applies the stock side of a logged `Record::PipelineStock` during recovery.
    pub(crate) fn apply_stock_step(&self, lsn: Lsn, at_ms: u64, order: &str, step: StockStep<'_>) -> Result<()> {
        let broken = |detail: String| Error::internal(format!("log record {lsn} cannot be replayed: {detail}"));
        match step {
            StockStep::Reserve { lines } => self.replay_reserve(lsn, order, lines, None, at_ms).map_err(broken),
            StockStep::Settle(settlement) => self.replay_settle(lsn, order, settlement, at_ms).map_err(broken),
            StockStep::Restock { warehouse, lines } => {
                if lines.iter().any(|&(sku, _)| self.check_sku(sku).is_err())
                    || warehouse.0 >= self.catalogue.warehouse_count()
                {
                    return Err(broken("restocked lines name unknown SKUs or warehouses".into()));
                }
                let mut guards = self.stripes.lock_many(lines.iter().map(|&(sku, _)| sku));
                let next = restocked(&guards, warehouse, &lines)
                    .map_err(|(sku, _, refusal)| broken(format!("restocking SKU #{}: {refusal:?}", sku.0)))?;
                for (sku, cell) in next {
                    *guards.stock_mut(sku).cell_or_insert(warehouse) = cell;
                }
                Ok(())
            }
        }
    }

    fn replay_reserve(
        &self,
        lsn: Lsn,
        order: &str,
        lines: Cow<'_, ReservedLines>,
        expires_at_ms: Option<u64>,
        at_ms: u64,
    ) -> std::result::Result<(), String> {
        if lines.is_empty() || lines.iter().any(|line| self.check_sku(line.sku).is_err()) {
            return Err("reservation lines name unknown SKUs".into());
        }
        let key = CompactString::from(order);
        let mut guards = self.stripes.lock_many(lines.iter().map(|line| line.sku));
        let placed = Placed {
            lines: lines.into_owned(),
            state: ReservationState::Held,
            expires_at_ms,
            reserved_at_ms: at_ms,
            reserved_lsn: lsn,
            settled_lsn: 0,
            settled_at_ms: 0,
        };
        let before = self.apply_reserve(&mut guards, &key, placed).map_err(|e| e.to_string())?;
        // A settled reservation may have been forgotten at a later checkpoint than the one
        // being replayed from, and its order id used again: that is no conflict.
        if let Some(OrderEntry::Placed(earlier)) = before
            && earlier.state == ReservationState::Held
        {
            return Err(format!("order {order:?} is reserved twice"));
        }
        Ok(())
    }

    fn replay_settle(
        &self,
        lsn: Lsn,
        order: &str,
        settlement: Settlement,
        at_ms: u64,
    ) -> std::result::Result<(), String> {
        let lines = self
            .orders
            .view(order, |entry| match entry {
                OrderEntry::Placed(placed) if placed.state == ReservationState::Held => Some(placed.lines.clone()),
                _ => None,
            })
            .flatten()
            .ok_or_else(|| format!("order {order:?} is not held"))?;
        let mut guards = self.stripes.lock_many(lines.iter().map(|line| line.sku));
        self.apply_settle(&mut guards, order, &lines, settlement, lsn, at_ms).map_err(|e| e.to_string())?;
        Ok(())
    }

    /// The whole state as of one LSN, for a checkpoint. Returns the LSN, the image, and how long
    /// writers were paused.
    ///
    /// Only the stock is copied with writers paused (every stripe held, under the catalogue
    /// lock): that is what makes the LSN exact. The order index is read afterwards, without pausing
    /// anyone: every reservation with an LSN at or below the snapshot's was placed before the
    /// stripes were taken, and an entry's state as of the snapshot follows from its LSNs (held
    /// if it was settled after). Settled reservations settled before `forget_settled_before_ms`
    /// are left out of the image and dropped from the index: the idempotency window ends.
    pub(crate) fn snapshot(&self, log: &Log, forget_settled_before_ms: Option<u64>) -> (Lsn, StateImage, Duration) {
        let change = self.catalogue.change.lock();
        let paused = Instant::now();
        let (lsn, stocks, reservations_made) = {
            let stripes = self.stripes.lock_all();
            let lsn = log.last_lsn();
            let stocks: Vec<SkuStock> = (0..self.catalogue.sku_count())
                .map(|id| self.stripes.stock_in(&stripes[self.stripes.stripe_of(SkuId(id))], SkuId(id)).clone())
                .collect();
            let reservations_made = stripes.iter().map(|stripe| stripe.reservations_made).sum();
            (lsn, stocks, reservations_made)
        };
        let pause = paused.elapsed();
        // Writers run again; the catalogue cannot change while its lock is held.
        let warehouses = self
            .catalogue
            .warehouse_list()
            .into_iter()
            .map(|w| WarehouseImage {
                code: w.code.to_string(),
                region: w.region.to_string(),
                priority: w.priority,
                active: w.active,
            })
            .collect();
        let skus = self
            .catalogue
            .skus()
            .into_iter()
            .zip(stocks)
            .map(|(sku, stock)| SkuImage {
                code: sku.code.to_string(),
                category: sku.category.to_string(),
                default_buffer: stock.default_buffer,
                cells: stock.cells.to_vec(),
            })
            .collect();
        drop(change);
        let forgotten = |placed: &Placed| {
            placed.state != ReservationState::Held
                && forget_settled_before_ms.is_some_and(|before| placed.settled_at_ms < before)
        };
        let mut orders = Vec::with_capacity(self.orders.len());
        self.orders.for_each(|order, entry| {
            let OrderEntry::Placed(placed) = entry else { return };
            if placed.reserved_lsn > lsn || (placed.settled_lsn <= lsn && forgotten(placed)) {
                return;
            }
            let mut as_of = placed.clone();
            if placed.settled_lsn > lsn {
                as_of.state = ReservationState::Held;
                as_of.settled_lsn = 0;
                as_of.settled_at_ms = 0;
            }
            orders.push(OrderImage { order: order.to_string(), placed: as_of });
        });
        if forget_settled_before_ms.is_some() {
            self.orders.retain(|_, entry| !matches!(entry, OrderEntry::Placed(placed) if forgotten(placed)));
        }
        (lsn, StateImage { warehouses, skus, orders, reservations_made }, pause)
    }

    /// Loads a checkpoint into an empty inventory.
    pub(crate) fn restore(&self, image: StateImage) {
        self.stripes.lock_stripe(0).reservations_made += image.reservations_made;
        for (index, w) in image.warehouses.into_iter().enumerate() {
            self.apply_add_warehouse(WarehouseId(index as u16), &w.code, &w.region, w.priority, w.active);
        }
        for (index, sku) in image.skus.into_iter().enumerate() {
            let id = SkuId(index as u32);
            self.apply_add_sku(&mut self.catalogue.change.lock(), id, &sku.code, &sku.category);
            self.stripes.restore_sku(id, SkuStock { default_buffer: sku.default_buffer, cells: sku.cells.into() });
        }
        for OrderImage { order, placed } in image.orders {
            let key = CompactString::from(order);
            if let (ReservationState::Held, Some(expires_at_ms)) = (placed.state, placed.expires_at_ms) {
                let home = placed.lines[0].sku;
                let mut stripe = self.stripes.lock_stripe(self.stripes.stripe_of(home));
                stripe.expiries.push(expires_at_ms, key.clone());
            }
            self.orders.insert(key, OrderEntry::Placed(placed));
        }
    }

    /// Checks every invariant over the whole state (with everything locked): no cell has more
    /// reserved than on hand, and each cell's reserved count is exactly what its held
    /// reservations hold.
    pub(crate) fn check_invariants(&self) -> std::result::Result<InvariantReport, String> {
        let _change = self.catalogue.change.lock();
        let stripes = self.stripes.lock_all();
        let mut held: std::collections::HashMap<(SkuId, WarehouseId), u64> = std::collections::HashMap::new();
        let mut report = InvariantReport::default();
        let mut problem = None;
        self.orders.for_each(|order, entry| match entry {
            OrderEntry::Placed(placed) if placed.state == ReservationState::Held => {
                report.held_reservations += 1;
                for line in &placed.lines {
                    *held.entry((line.sku, line.warehouse)).or_default() += u64::from(line.qty);
                }
            }
            OrderEntry::Placed(_) => report.settled_reservations += 1,
            OrderEntry::Pending => {
                problem.get_or_insert_with(|| format!("order {order:?} is claimed by a reserve that never finished"));
            }
        });
        if let Some(problem) = problem {
            return Err(problem);
        }
        for index in 0..self.catalogue.sku_count() {
            let sku = SkuId(index);
            let stock = self.stripes.stock_in(&stripes[self.stripes.stripe_of(sku)], sku);
            report.skus += 1;
            for cell in &stock.cells {
                report.cells += 1;
                report.on_hand += cell.on_hand;
                report.reserved += cell.reserved;
                let code = || {
                    format!(
                        "SKU {:?} in warehouse {:?}",
                        self.catalogue.sku_code(sku),
                        self.catalogue.warehouse_code(cell.warehouse)
                    )
                };
                if cell.reserved > cell.on_hand {
                    return Err(format!(
                        "{}: {} reserved but {} on hand (oversold)",
                        code(),
                        cell.reserved,
                        cell.on_hand
                    ));
                }
                let expected = held.remove(&(sku, cell.warehouse)).unwrap_or(0);
                if cell.reserved != expected {
                    return Err(format!(
                        "{}: {} reserved but held reservations hold {expected}",
                        code(),
                        cell.reserved
                    ));
                }
            }
        }
        if let Some(((sku, warehouse), qty)) = held.into_iter().next() {
            return Err(format!(
                "held reservations hold {qty} of SKU #{} in warehouse #{} which has no cell",
                sku.0, warehouse.0
            ));
        }
        Ok(report)
    }
}

/// A claimed order id, removed again unless the reserve placed a reservation under it.
struct ClaimGuard<'a> {
    orders: &'a ConcurrentMap<CompactString, OrderEntry>,
    order_id: &'a str,
    placed: bool,
}

impl Drop for ClaimGuard<'_> {
    fn drop(&mut self) {
        if !self.placed {
            self.orders.remove(self.order_id);
        }
    }
}

/// A movement a cell refused, with the SKU and the movement.
type RefusedMovement = (SkuId, Movement<'static>, MovementRefusal);

/// The cells of `warehouse` after returned goods are received: one per SKU (a SKU on several
/// lines is received once, summed), or the first movement the cells refuse.
fn restocked(
    guards: &StripeGuards<'_>,
    warehouse: WarehouseId,
    lines: &[(SkuId, u32)],
) -> std::result::Result<SmallVec<[(SkuId, Cell); 4]>, RefusedMovement> {
    let mut totals: SmallVec<[(SkuId, u64); 4]> = SmallVec::new();
    for &(sku, qty) in lines {
        match totals.iter_mut().find(|(seen, _)| *seen == sku) {
            Some((_, total)) => *total += u64::from(qty),
            None => totals.push((sku, u64::from(qty))),
        }
    }
    totals
        .into_iter()
        .map(|(sku, qty)| {
            let current = guards.stock(sku).cell(warehouse).cloned().unwrap_or_else(|| Cell::new(warehouse));
            let movement = Movement::Receive { qty };
            moved(&current, &movement).map(|cell| (sku, cell)).map_err(|refusal| (sku, movement, refusal))
        })
        .collect()
}

fn apply_set_buffer(stock: &mut SkuStock, warehouse: Option<WarehouseId>, rule: Option<BufferRule>) {
    match warehouse {
        None => stock.default_buffer = PackedBuffer::pack(rule),
        Some(warehouse) => stock.cell_or_insert(warehouse).buffer = PackedBuffer::pack(rule),
    }
}

/// The answer to settling a reservation already in a final state. Expiry sweeps find settled
/// reservations whose queue entries came due; for them nothing happens.
fn settled_answer(order_id: &str, state: ReservationState, wanted: Settlement, lsn: Lsn) -> Result<Settled> {
    let harmless = matches!(
        (state, wanted),
        (_, Settlement::Expire)
            | (ReservationState::Committed, Settlement::Commit)
            | (ReservationState::Released | ReservationState::Expired, Settlement::Release)
    );
    if harmless {
        Ok(Settled { state, changed: false, lsn })
    } else {
        let to = match wanted {
            Settlement::Commit => "committed",
            Settlement::Release => "released",
            Settlement::Expire => "expired",
        };
        Err(Error::IllegalTransition { order: order_id.into(), from: state.name(), to })
    }
}

/// Counts for inspection and metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InventoryCounts {
    pub skus: u64,
    pub warehouses: u64,
    pub held: u64,
    pub committed: u64,
    pub released: u64,
    pub expired: u64,
    pub reservations_made: u64,
}

/// What an invariant check saw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InvariantReport {
    pub skus: u64,
    pub cells: u64,
    pub on_hand: u64,
    pub reserved: u64,
    pub held_reservations: u64,
    pub settled_reservations: u64,
    /// Orders of the order pipeline whose stock agrees with their state.
    pub orders: u64,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct StateImage {
    warehouses: Vec<WarehouseImage>,
    skus: Vec<SkuImage>,
    orders: Vec<OrderImage>,
    reservations_made: u64,
}

#[derive(Serialize, Deserialize)]
struct WarehouseImage {
    code: String,
    region: String,
    priority: u32,
    active: bool,
}

#[derive(Serialize, Deserialize)]
struct SkuImage {
    code: String,
    category: String,
    default_buffer: PackedBuffer,
    cells: Vec<Cell>,
}

#[derive(Serialize, Deserialize)]
struct OrderImage {
    order: String,
    placed: Placed,
}
