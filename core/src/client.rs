//! Clients: the only door into the engine. Each is bound to a role; every call checks the role,
//! validates its input against the named limits, runs its transaction, and waits for the
//! durability the sync mode promises, after the transaction's locks are released.

use std::sync::Arc;

use smallvec::SmallVec;

use crate::engine::Shared;
use crate::error::{Error, Result};
use crate::ids::{Lsn, SkuId, WarehouseId};
use crate::inventory::{BufferRule, OrderLines, Reservation, ReserveRequest, Settled, Sku, StockLevels, Warehouse};
use crate::limits::{CELL_UNITS_MAX, EVENTS_BATCH_MAX, LINE_QTY_MAX, ORDER_LINES_MAX, RESERVE_BATCH_MAX, TTL_MS_MAX};
use crate::log::{Event, Movement, Settlement};
use crate::metrics::Counters;
use crate::order::pipeline::Context;
use crate::order::{BlacklistKind, Intake, Order, OrderForm, OrderState, Task, TaskState, TrackingKind, adapt};
use crate::role::{Operation, Role};
use crate::routing::{self, DryRun, Explanation, Rules};
use crate::validate::{self, check, check_order_id};

/// Options of one reserve call.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReserveOptions<'a> {
    /// Region code of the delivery address; warehouses nearer to it are preferred.
    pub ship_to: Option<&'a str>,
    /// How long the hold lasts; `None` uses the engine's default TTL.
    pub ttl_ms: Option<u64>,
    /// Whether lines may be served from different warehouses when no single warehouse can
    /// serve the whole order.
    pub allow_split: bool,
}

impl<'a> ReserveOptions<'a> {
    pub fn new() -> ReserveOptions<'a> {
        ReserveOptions::default()
    }

    pub fn ship_to(mut self, region: &'a str) -> ReserveOptions<'a> {
        self.ship_to = Some(region);
        self
    }

    pub fn ttl_ms(mut self, ttl_ms: u64) -> ReserveOptions<'a> {
        self.ttl_ms = Some(ttl_ms);
        self
    }

    pub fn allow_split(mut self, allow: bool) -> ReserveOptions<'a> {
        self.allow_split = allow;
        self
    }
}

/// One order in a batch for [`Client::reserve_many`].
#[derive(Clone, Copy, Debug)]
pub struct OrderRequest<'a> {
    pub order_id: &'a str,
    pub lines: &'a [(&'a str, u32)],
    pub options: ReserveOptions<'a>,
}

/// A warehouse's settings when it is added.
#[derive(Clone, Copy, Debug)]
pub struct WarehouseSpec<'a> {
    pub region: &'a str,
    pub priority: u32,
    pub active: bool,
}

impl<'a> WarehouseSpec<'a> {
    pub fn new(region: &'a str, priority: u32) -> WarehouseSpec<'a> {
        WarehouseSpec { region, priority, active: true }
    }
}

/// A handle bound to one role. Cheap to clone; safe to share between threads.
#[derive(Clone)]
pub struct Client {
    shared: Arc<Shared>,
    role: Role,
    /// Who acts through this client, as order moves and task changes record it.
    actor: Arc<str>,
}

impl Client {
    pub(crate) fn new(shared: Arc<Shared>, role: Role) -> Client {
        Client { shared, role, actor: Arc::from(role.name()) }
    }

    pub fn role(&self) -> Role {
        self.role
    }

    /// [`Error::WrongProcess`] in any process but the one that opened the engine (see
    /// [`crate::Engine::check_process`]); every call below checks it first.
    pub fn check_process(&self) -> Result<()> {
        self.shared.ensure_process()
    }

    /// The same client, recording `actor` (a person's or a system's name) as who made each
    /// change, instead of the role's name.
    pub fn acting_as(&self, actor: &str) -> Result<Client> {
        self.shared.ensure_open()?;
        check(validate::ACTOR, actor)?;
        Ok(Client { shared: self.shared.clone(), role: self.role, actor: Arc::from(actor) })
    }

    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// Refuses a call from another process than the engine's, a call on a closed engine, or a
    /// call the role may not make (counting it), in that order.
    fn permit(&self, operation: Operation) -> Result<&Shared> {
        self.shared.ensure_open()?;
        if !self.role.allows(operation) {
            self.shared.counters.count_denied(self.role, operation);
            return Err(Error::PermissionDenied { role: self.role, operation });
        }
        Ok(&self.shared)
    }

    // -----------------------------------------------------------------------------------------
    // Catalogue (admin)

    pub fn add_warehouse(&self, code: &str, spec: WarehouseSpec<'_>) -> Result<WarehouseId> {
        let shared = self.permit(Operation::AddWarehouse)?;
        check(validate::WAREHOUSE_CODE, code)?;
        check(validate::REGION_CODE, spec.region)?;
        let (id, lsn) = shared.inventory.add_warehouse(&shared.log, code, spec.region, spec.priority, spec.active)?;
        shared.log.wait_durable(lsn)?;
        Ok(id)
    }

    /// Changes a warehouse's priority and whether new reservations may use it.
    pub fn update_warehouse(&self, code: &str, priority: u32, active: bool) -> Result<()> {
        let shared = self.permit(Operation::UpdateWarehouse)?;
        check(validate::WAREHOUSE_CODE, code)?;
        let lsn = shared.inventory.update_warehouse(&shared.log, code, priority, active)?;
        shared.log.wait_durable(lsn)
    }

    pub fn add_sku(&self, code: &str, category: &str) -> Result<SkuId> {
        let shared = self.permit(Operation::AddSku)?;
        check(validate::SKU_CODE, code)?;
        check(validate::CATEGORY, category)?;
        let (id, lsn) = shared.inventory.add_sku(&shared.log, code, category)?;
        shared.log.wait_durable(lsn)?;
        Ok(id)
    }

    /// Sets the safety buffer of one cell (`warehouse: Some`) or the SKU's default for all its
    /// cells (`None`). `rule: None` removes it.
    pub fn set_buffer(&self, sku: &str, warehouse: Option<&str>, rule: Option<BufferRule>) -> Result<()> {
        let shared = self.permit(Operation::SetBuffer)?;
        let sku = shared.inventory.sku_id(sku)?;
        let warehouse = warehouse.map(|code| shared.inventory.warehouse_id(code)).transpose()?;
        match rule {
            Some(BufferRule::Percent(percent)) if percent > 100 => {
                return Err(Error::invalid(format!("a buffer percentage must be 0..=100, not {percent}")));
            }
            Some(BufferRule::Units(units)) => check_units("buffer units", units, true)?,
            _ => {}
        }
        let lsn = shared.inventory.set_buffer(&shared.log, sku, warehouse, rule)?;
        shared.log.wait_durable(lsn)
    }

    // -----------------------------------------------------------------------------------------
    // Stock movements (warehouse)

    /// A stocktake: on hand becomes exactly `on_hand` (never below what is reserved).
    pub fn set_stock(&self, sku: &str, warehouse: &str, on_hand: u64) -> Result<StockLevels> {
        self.move_stock(Operation::SetStock, sku, warehouse, || {
            check_units("on_hand", on_hand, true)?;
            Ok(Movement::Set { on_hand })
        })
    }

    /// Goods received: on hand grows by `qty`.
    pub fn receive(&self, sku: &str, warehouse: &str, qty: u64) -> Result<StockLevels> {
        self.move_stock(Operation::Receive, sku, warehouse, || {
            check_units("qty", qty, false)?;
            Ok(Movement::Receive { qty })
        })
    }

    /// A signed correction of on hand, with its reason (never below what is reserved).
    pub fn adjust(&self, sku: &str, warehouse: &str, delta: i64, reason: &str) -> Result<StockLevels> {
        self.move_stock(Operation::Adjust, sku, warehouse, || {
            if delta == 0 {
                return Err(Error::invalid("an adjustment of 0 units changes nothing"));
            }
            check_units("delta", delta.unsigned_abs(), false)?;
            check(validate::REASON, reason)?;
            Ok(Movement::Adjust { delta, reason: reason.into() })
        })
    }

    /// Goods on their way: in transit grows by `qty` (not sellable yet).
    pub fn expect_inbound(&self, sku: &str, warehouse: &str, qty: u64) -> Result<StockLevels> {
        self.move_stock(Operation::ExpectInbound, sku, warehouse, || {
            check_units("qty", qty, false)?;
            Ok(Movement::ExpectInbound { qty })
        })
    }

    /// In-transit goods arrived: `qty` moves from in transit to on hand.
    pub fn land_inbound(&self, sku: &str, warehouse: &str, qty: u64) -> Result<StockLevels> {
        self.move_stock(Operation::LandInbound, sku, warehouse, || {
            check_units("qty", qty, false)?;
            Ok(Movement::LandInbound { qty })
        })
    }

    /// The role is checked before the movement's input, so a denied caller always learns that
    /// it was denied (and is counted), whatever it sent.
    fn move_stock<'a>(
        &self,
        operation: Operation,
        sku: &str,
        warehouse: &str,
        movement: impl FnOnce() -> Result<Movement<'a>>,
    ) -> Result<StockLevels> {
        let shared = self.permit(operation)?;
        let movement = movement()?;
        let sku = shared.inventory.sku_id(sku)?;
        let warehouse = shared.inventory.warehouse_id(warehouse)?;
        let (levels, lsn) = shared
            .inventory
            .move_stock(&shared.log, sku, warehouse, movement)
            .map_err(|error| answer_when_durable(shared, error))?;
        shared.log.wait_durable(lsn)?;
        Ok(levels)
    }

    // -----------------------------------------------------------------------------------------
    // Reservations (orders)

    /// Reserves every line or none, choosing warehouses (see [`crate::inventory::placement`]).
    /// Idempotent by `order_id`: the same lines again return the first reservation
    /// (`repeat: true`); other lines are a [`Error::DuplicateOrder`].
    pub fn reserve(&self, order_id: &str, lines: &[(&str, u32)], options: &ReserveOptions<'_>) -> Result<Reservation> {
        let shared = self.permit(Operation::Reserve)?;
        let lines = resolve_lines(shared, lines)?;
        self.reserve_resolved(shared, order_id, &lines, options)
    }

    /// [`Client::reserve`] with SKU ids (from [`Client::sku_id`]) instead of codes, for callers
    /// that cache ids and want to skip the code lookup.
    pub fn reserve_by_id(
        &self,
        order_id: &str,
        lines: &[(SkuId, u32)],
        options: &ReserveOptions<'_>,
    ) -> Result<Reservation> {
        let shared = self.permit(Operation::Reserve)?;
        check_line_count(lines.len())?;
        for &(sku, _) in lines {
            shared.inventory.check_sku(sku)?;
        }
        let lines = normalize_lines(lines.iter().copied())?;
        self.reserve_resolved(shared, order_id, &lines, options)
    }

    /// Reserves many orders, each all-or-nothing on its own, and waits for durability once for
    /// the whole batch: the bulk-load path. Results are in the order of `orders`.
    pub fn reserve_many(&self, orders: &[OrderRequest<'_>]) -> Result<Vec<Result<Reservation>>> {
        let shared = self.permit(Operation::Reserve)?;
        if orders.len() > RESERVE_BATCH_MAX {
            return Err(Error::LimitExceeded {
                limit: "RESERVE_BATCH_MAX",
                what: "the number of orders in one reserve_many batch".into(),
                max: RESERVE_BATCH_MAX as u64,
                actual: orders.len() as u64,
            });
        }
        let mut results = Vec::with_capacity(orders.len());
        let mut last_lsn = 0;
        for order in orders {
            let result = resolve_lines(shared, order.lines)
                .and_then(|lines| self.reserve_now(shared, order.order_id, &lines, &order.options));
            if let Ok(reservation) = &result {
                last_lsn = last_lsn.max(reservation.lsn);
            }
            results.push(result);
        }
        shared.log.wait_durable(last_lsn)?;
        Ok(results)
    }

    fn reserve_resolved(
        &self,
        shared: &Shared,
        order_id: &str,
        lines: &[(SkuId, u32)],
        options: &ReserveOptions<'_>,
    ) -> Result<Reservation> {
        let reservation = self.reserve_now(shared, order_id, lines, options)?;
        shared.log.wait_durable(reservation.lsn)?;
        Ok(reservation)
    }

    /// Validates and runs one reserve transaction, without waiting for durability.
    fn reserve_now(
        &self,
        shared: &Shared,
        order_id: &str,
        lines: &[(SkuId, u32)],
        options: &ReserveOptions<'_>,
    ) -> Result<Reservation> {
        check_order_id(order_id)?;
        if let Some(region) = options.ship_to {
            check(validate::SHIP_TO, region)?;
        }
        let ttl_ms = match options.ttl_ms {
            Some(0) => return Err(Error::invalid("a reservation TTL must be at least 1 ms")),
            Some(ttl) if ttl > TTL_MS_MAX => {
                return Err(Error::LimitExceeded {
                    limit: "TTL_MS_MAX",
                    what: "ttl_ms".into(),
                    max: TTL_MS_MAX,
                    actual: ttl,
                });
            }
            Some(ttl) => Some(ttl),
            None => shared.default_ttl_ms,
        };
        let request = ReserveRequest {
            order_id,
            lines,
            ship_to: options.ship_to,
            ttl_ms,
            allow_split: options.allow_split,
            now_ms: shared.clock.now_ms(),
        };
        let result = shared.inventory.reserve(&shared.log, &request);
        match &result {
            Ok(reservation) if reservation.repeat => Counters::bump(&shared.counters.reserve_repeats),
            Err(Error::InsufficientStock { .. }) => Counters::bump(&shared.counters.reserves_refused),
            Err(Error::DuplicateOrder { .. }) => Counters::bump(&shared.counters.duplicate_orders),
            _ => {}
        }
        if let Err(error) = result {
            return Err(answer_when_durable(shared, error));
        }
        result
    }

    /// The goods left: the reservation's units leave on hand and reserved. Committing twice is
    /// harmless (`changed: false`); committing a released or expired order is an
    /// [`Error::IllegalTransition`].
    pub fn commit(&self, order_id: &str) -> Result<Settled> {
        self.settle(Operation::Commit, order_id, Settlement::Commit)
    }

    /// Cancelled: the reservation's units return to available. Releasing twice, or releasing an
    /// expired order, is harmless (`changed: false`); releasing a committed order is an
    /// [`Error::IllegalTransition`].
    pub fn release(&self, order_id: &str) -> Result<Settled> {
        self.settle(Operation::Release, order_id, Settlement::Release)
    }

    fn settle(&self, operation: Operation, order_id: &str, settlement: Settlement) -> Result<Settled> {
        let shared = self.permit(operation)?;
        check_order_id(order_id)?;
        let (settled, _) = shared
            .inventory
            .settle(&shared.log, order_id, settlement, shared.clock.now_ms())
            .map_err(|error| answer_when_durable(shared, error))?;
        // A repeat waits too: the first settle may still be on its way to the disk.
        shared.log.wait_durable(settled.lsn)?;
        Ok(settled)
    }

    // -----------------------------------------------------------------------------------------
    // Reads

    /// A SKU over every warehouse (the virtual warehouse).
    pub fn stock(&self, sku: &str) -> Result<StockLevels> {
        let shared = self.permit(Operation::ReadStock)?;
        Ok(shared.inventory.stock(shared.inventory.sku_id(sku)?, None))
    }

    /// A SKU over the warehouses whose region code starts with `region_prefix`.
    pub fn stock_in_region(&self, sku: &str, region_prefix: &str) -> Result<StockLevels> {
        let shared = self.permit(Operation::ReadStock)?;
        Ok(shared.inventory.stock(shared.inventory.sku_id(sku)?, Some(region_prefix)))
    }

    /// One cell; zeros if the SKU was never in that warehouse.
    pub fn cell(&self, sku: &str, warehouse: &str) -> Result<StockLevels> {
        let shared = self.permit(Operation::ReadStock)?;
        let sku = shared.inventory.sku_id(sku)?;
        let warehouse = shared.inventory.warehouse_id(warehouse)?;
        Ok(shared.inventory.cell(sku, warehouse))
    }

    /// Every cell of a SKU, by warehouse.
    pub fn cells(&self, sku: &str) -> Result<Vec<(Warehouse, StockLevels)>> {
        let shared = self.permit(Operation::ReadStock)?;
        let cells = shared.inventory.cells(shared.inventory.sku_id(sku)?);
        Ok(cells
            .into_iter()
            .filter_map(|(id, levels)| shared.inventory.catalogue.warehouse(id).map(|w| (w, levels)))
            .collect())
    }

    /// The reservation made under `order_id`, if any.
    pub fn reservation(&self, order_id: &str) -> Result<Option<Reservation>> {
        let shared = self.permit(Operation::ReadStock)?;
        check_order_id(order_id)?;
        Ok(shared.inventory.reservation(order_id))
    }

    /// The state changes after `after` (an LSN; 0 for the oldest still in the log), in order,
    /// at most `max` (1 to `EVENTS_BATCH_MAX`: 0 is [`Error::LimitExceeded`] too, saying that at
    /// least 1 is needed). Pass the last event's LSN back to continue.
    /// Only changes as durable as the sync mode promises are shown.
    pub fn events(&self, after: Lsn, max: usize) -> Result<Vec<Event>> {
        let shared = self.permit(Operation::ReadStock)?;
        if max == 0 || max > EVENTS_BATCH_MAX {
            return Err(Error::LimitExceeded {
                limit: "EVENTS_BATCH_MAX",
                what: "the number of events asked for in one poll".into(),
                max: EVENTS_BATCH_MAX as u64,
                actual: max as u64,
            });
        }
        shared.log.events(after, max)
    }

    /// An iterator over the events after `cursor` (an LSN; 0 for the oldest still in the log).
    /// It yields what is there and ends when it has caught up; iterate it again later for
    /// more. Its [`Subscription::cursor`] is what to store to resume after a restart.
    pub fn subscribe(&self, cursor: Lsn) -> Subscription {
        Subscription { client: self.clone(), cursor, batch: std::collections::VecDeque::new(), failed: false }
    }

    pub fn warehouses(&self) -> Result<Vec<Warehouse>> {
        let shared = self.permit(Operation::ReadCatalogue)?;
        Ok(shared.inventory.catalogue.warehouse_list())
    }

    pub fn skus(&self) -> Result<Vec<Sku>> {
        let shared = self.permit(Operation::ReadCatalogue)?;
        Ok(shared.inventory.catalogue.skus())
    }

    pub fn sku_id(&self, code: &str) -> Result<SkuId> {
        let shared = self.permit(Operation::ReadCatalogue)?;
        shared.inventory.sku_id(code)
    }

    pub fn sku(&self, id: SkuId) -> Result<Sku> {
        let shared = self.permit(Operation::ReadCatalogue)?;
        shared.inventory.catalogue.sku(id).ok_or_else(|| Error::UnknownSku { sku: format!("#{}", id.0) })
    }

    pub fn warehouse(&self, id: WarehouseId) -> Result<Warehouse> {
        let shared = self.permit(Operation::ReadCatalogue)?;
        shared
            .inventory
            .catalogue
            .warehouse(id)
            .ok_or_else(|| Error::UnknownWarehouse { warehouse: format!("#{}", id.0) })
    }

    // -----------------------------------------------------------------------------------------
    // Orders (the pipeline)

    /// Takes an order in: checks it (address, phone, blacklist, velocity, amount, payment),
    /// routes it by the rules file, and on the automatic path reserves its stock, all in this
    /// call. The same channel order again is answered from the first intake (`repeat: true`).
    pub fn intake(&self, form: OrderForm) -> Result<Intake> {
        let shared = self.permit(Operation::Intake)?;
        let intake = shared.with_pipeline(|cx, rules| shared.orders.intake(cx, rules, form))?;
        shared.log.wait_durable(shared.log.last_lsn())?;
        Ok(intake)
    }

    /// [`Client::intake`] of a channel's own payload: `style` is `taobao`, `jd` or `pdd`, and
    /// `channel` the seller's code for that shop.
    pub fn intake_payload(&self, style: &str, channel: &str, payload: &[u8]) -> Result<Intake> {
        self.permit(Operation::Intake)?;
        let form = adapt(style, channel, payload)?;
        self.intake(form)
    }

    /// The order under `key` (`channel:channel_order_id`), if any.
    pub fn order(&self, key: &str) -> Result<Option<Order>> {
        let shared = self.permit(Operation::ReadOrders)?;
        check_order_id(key)?;
        Ok(shared.orders.order(key))
    }

    /// Every order currently in `state` (for work queues and dashboards).
    pub fn orders_in(&self, state: OrderState) -> Result<Vec<Order>> {
        let shared = self.permit(Operation::ReadOrders)?;
        Ok(shared.orders.in_state(state))
    }

    /// A reviewer takes a flagged order into review.
    pub fn start_review(&self, key: &str) -> Result<()> {
        self.order_move(Operation::Review, key, |shared, cx, rules| {
            shared.orders.start_review(cx, rules, key, &self.actor)
        })
    }

    /// A reviewer approves an order in review: its stock is reserved (split across warehouses
    /// if no single one can serve it); a return order's return is accepted.
    pub fn approve(&self, key: &str) -> Result<()> {
        self.order_move(Operation::Review, key, |shared, cx, rules| shared.orders.approve(cx, rules, key, &self.actor))
    }

    /// A reviewer rejects a flagged or reviewed order: it is cancelled.
    pub fn reject(&self, key: &str, note: &str) -> Result<()> {
        self.order_move_noted(note, Operation::Review, key, |shared, cx, rules| {
            shared.orders.reject(cx, rules, key, &self.actor, note)
        })
    }

    /// Parks a reserved order in review (its stock stays held).
    pub fn hold(&self, key: &str, note: &str) -> Result<()> {
        self.order_move_noted(note, Operation::Review, key, |shared, cx, rules| {
            shared.orders.hold(cx, rules, key, &self.actor, note)
        })
    }

    /// The warehouse takes a reserved order for picking.
    pub fn release_to_warehouse(&self, key: &str) -> Result<()> {
        self.order_move(Operation::ReleaseOrder, key, |shared, cx, rules| {
            shared.orders.release_to_warehouse(cx, rules, key, &self.actor)
        })
    }

    /// Writes a waybill (carrier code and number, checked against the carrier's format) back to
    /// a released order: its stock leaves, it is shipped, the buyer is to be told.
    pub fn ship(&self, key: &str, carrier: &str, tracking_number: &str) -> Result<()> {
        self.order_move(Operation::Ship, key, |shared, cx, rules| {
            shared.orders.ship(cx, rules, key, carrier, tracking_number, &self.actor)
        })
    }

    /// A carrier's tracking event for a waybill; returns the order it belongs to.
    pub fn track(&self, carrier: &str, tracking_number: &str, kind: TrackingKind, detail: &str) -> Result<String> {
        let shared = self.permit(Operation::Track)?;
        check(validate::TRACKING_DETAIL, detail)?;
        let key = shared.with_pipeline(|cx, rules| {
            shared.orders.track(cx, rules, (carrier, tracking_number), kind, detail, &self.actor)
        })?;
        shared.log.wait_durable(shared.log.last_lsn())?;
        Ok(key)
    }

    /// Cancels an order that has not shipped; its held stock is released.
    pub fn cancel(&self, key: &str, note: &str) -> Result<()> {
        self.order_move_noted(note, Operation::CancelOrder, key, |shared, cx, rules| {
            shared.orders.cancel(cx, rules, key, &self.actor, note)
        })
    }

    /// The buyer asks to return a delivered order.
    pub fn request_return(&self, key: &str, note: &str) -> Result<()> {
        self.order_move_noted(note, Operation::Returns, key, |shared, cx, rules| {
            shared.orders.request_return(cx, rules, key, &self.actor, note)
        })
    }

    /// The returned goods arrived in `warehouse` and go back on hand there.
    pub fn complete_return(&self, key: &str, warehouse: &str) -> Result<()> {
        self.order_move(Operation::Returns, key, |shared, cx, rules| {
            shared.orders.complete_return(cx, rules, key, warehouse, &self.actor)
        })
    }

    /// A return request is turned down: the order is delivered again.
    pub fn deny_return(&self, key: &str, note: &str) -> Result<()> {
        self.order_move_noted(note, Operation::Returns, key, |shared, cx, rules| {
            shared.orders.deny_return(cx, rules, key, &self.actor, note)
        })
    }

    /// [`Client::order_move`] with a free-text note, checked after the role (a denied caller
    /// always learns that it was denied, whatever it sent).
    fn order_move_noted(
        &self,
        note: &str,
        operation: Operation,
        key: &str,
        action: impl FnOnce(&Shared, &Context<'_>, &Rules) -> Result<Lsn>,
    ) -> Result<()> {
        self.permit(operation)?;
        check(validate::NOTE, note)?;
        self.order_move(operation, key, action)
    }

    fn order_move(
        &self,
        operation: Operation,
        key: &str,
        action: impl FnOnce(&Shared, &Context<'_>, &Rules) -> Result<Lsn>,
    ) -> Result<()> {
        let shared = self.permit(operation)?;
        check_order_id(key)?;
        let lsn = shared
            .with_pipeline(|cx, rules| action(shared, cx, rules))
            .map_err(|error| answer_when_durable(shared, error))?;
        shared.log.wait_durable(lsn.max(shared.log.last_lsn()))
    }

    /// Open and acknowledged tasks, most severe first, then oldest.
    pub fn tasks(&self) -> Result<Vec<Task>> {
        let shared = self.permit(Operation::ReadOrders)?;
        Ok(shared.orders.open_tasks())
    }

    /// Someone is on it: the task stops escalating to its next assignee's attention.
    pub fn acknowledge_task(&self, id: u64) -> Result<Task> {
        self.change_task(id, TaskState::Acknowledged)
    }

    pub fn close_task(&self, id: u64) -> Result<Task> {
        self.change_task(id, TaskState::Closed)
    }

    fn change_task(&self, id: u64, to: TaskState) -> Result<Task> {
        let shared = self.permit(Operation::Tasks)?;
        let task = shared.with_pipeline(|cx, rules| shared.orders.change_task(cx, rules, id, to, &self.actor))?;
        shared.log.wait_durable(shared.log.last_lsn())?;
        Ok(task)
    }

    /// Adds a buyer id, phone number or address to the blacklist (addresses compare without
    /// whitespace).
    pub fn blacklist_add(&self, list: BlacklistKind, value: &str) -> Result<()> {
        self.change_blacklist(list, value, true)
    }

    pub fn blacklist_remove(&self, list: BlacklistKind, value: &str) -> Result<()> {
        self.change_blacklist(list, value, false)
    }

    fn change_blacklist(&self, list: BlacklistKind, value: &str, added: bool) -> Result<()> {
        let shared = self.permit(Operation::ManageBlacklist)?;
        check(if list == BlacklistKind::Buyer { validate::BLACKLIST_BUYER } else { validate::BLACKLIST_TEXT }, value)?;
        let value: String = if list == BlacklistKind::Address {
            value.chars().filter(|c| !c.is_whitespace()).collect()
        } else {
            value.into()
        };
        let lsn = shared
            .with_pipeline(|cx, rules| shared.orders.change_blacklist(cx, rules, list, &value, added, &self.actor))?;
        shared.log.wait_durable(lsn)
    }

    /// Replaces the live rules file with `text`, recording who changed it. A file with problems
    /// is refused as a whole ([`Error::InvalidRules`], every problem with its line and column)
    /// and the previous rules stay live.
    pub fn set_rules(&self, text: &str) -> Result<()> {
        let shared = self.permit(Operation::ManageRules)?;
        shared.set_rules(text, &self.actor)
    }

    /// The live rules (parsed: limits, velocity, deadlines, tiers, routes).
    pub fn rules(&self) -> Result<Rules> {
        let shared = self.permit(Operation::ReadOrders)?;
        Ok(shared.rules.with(Rules::clone))
    }

    /// The live rules file's text.
    pub fn rules_text(&self) -> Result<String> {
        let shared = self.permit(Operation::ReadOrders)?;
        Ok(shared.rules.with(|rules| rules.source().to_string()))
    }

    /// Which rule an order matches under the live rules, and why each rule did or did not.
    pub fn explain(&self, key: &str) -> Result<Explanation> {
        let shared = self.permit(Operation::ReadOrders)?;
        check_order_id(key)?;
        shared.rules.with(|rules| shared.orders.explain(&shared.inventory, rules, key))
    }

    /// How the most recent orders would be routed by `proposed` rules, against the live ones,
    /// before the change goes live.
    pub fn dry_run_rules(&self, proposed: &str) -> Result<DryRun> {
        let shared = self.permit(Operation::ManageRules)?;
        let proposed = routing::parse(proposed).map_err(|errors| routing::rules_error(&errors))?;
        Ok(shared.rules.with(|rules| shared.orders.dry_run(rules, &proposed)))
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        crate::engine::keep_if_inherited(&self.shared);
    }
}

/// Events in order, fetched in batches (see [`Client::subscribe`]).
pub struct Subscription {
    client: Client,
    cursor: Lsn,
    batch: std::collections::VecDeque<Event>,
    failed: bool,
}

impl Subscription {
    /// The LSN of the last event handed out: resume from here.
    pub fn cursor(&self) -> Lsn {
        self.cursor
    }
}

impl Iterator for Subscription {
    type Item = Result<Event>;

    fn next(&mut self) -> Option<Result<Event>> {
        if self.failed {
            return None;
        }
        if self.batch.is_empty() {
            match self.client.events(self.cursor, EVENTS_BATCH_MAX) {
                Ok(events) => self.batch.extend(events),
                Err(error) => {
                    self.failed = true;
                    return Some(Err(error));
                }
            }
        }
        let event = self.batch.pop_front()?;
        self.cursor = event.lsn;
        Some(Ok(event))
    }
}

/// A business rejection (no stock, a duplicate order, a settled order) is an answer about
/// state, and that state may rest on records not yet durable (another order's hold, the expiry
/// this very call wrote): the rejection waits, like an acknowledgement, until everything it
/// could have seen is durable, so a crash cannot contradict it. A no-op outside `Always`.
fn answer_when_durable(shared: &Shared, error: Error) -> Error {
    let business = matches!(
        error,
        Error::InsufficientStock { .. } | Error::DuplicateOrder { .. } | Error::IllegalTransition { .. }
    );
    if business && let Err(durability) = shared.log.wait_durable(shared.log.last_lsn()) {
        return durability;
    }
    error
}

/// Checked before any per-line work, so an absurd order costs nothing.
fn check_line_count(count: usize) -> Result<()> {
    if count > ORDER_LINES_MAX {
        return Err(Error::LimitExceeded {
            limit: "ORDER_LINES_MAX",
            what: "the number of order lines".into(),
            max: ORDER_LINES_MAX as u64,
            actual: count as u64,
        });
    }
    Ok(())
}

fn resolve_lines(shared: &Shared, lines: &[(&str, u32)]) -> Result<OrderLines> {
    check_line_count(lines.len())?;
    let mut resolved: SmallVec<[(SkuId, u32); 4]> = SmallVec::with_capacity(lines.len());
    for &(code, qty) in lines {
        resolved.push((shared.inventory.sku_id(code)?, qty));
    }
    normalize_lines(resolved)
}

/// Sums duplicate SKUs and sorts by SKU id, checking counts and quantities.
fn normalize_lines(lines: impl IntoIterator<Item = (SkuId, u32)>) -> Result<OrderLines> {
    let mut normalized = OrderLines::new();
    let mut count = 0usize;
    for (sku, qty) in lines {
        count += 1;
        if qty == 0 {
            return Err(Error::invalid(format!("order line for SKU #{} has quantity 0", sku.0)));
        }
        match normalized.iter_mut().find(|(seen, _)| *seen == sku) {
            Some((_, total)) => *total = total.saturating_add(qty),
            None => normalized.push((sku, qty)),
        }
    }
    if count == 0 {
        return Err(Error::invalid("an order needs at least one line"));
    }
    check_line_count(count)?;
    if let Some(&(sku, qty)) = normalized.iter().find(|(_, qty)| *qty > LINE_QTY_MAX) {
        return Err(Error::LimitExceeded {
            limit: "LINE_QTY_MAX",
            what: format!("the quantity of SKU #{}", sku.0),
            max: u64::from(LINE_QTY_MAX),
            actual: u64::from(qty),
        });
    }
    normalized.sort_unstable();
    Ok(normalized)
}

fn check_units(what: &str, units: u64, allow_zero: bool) -> Result<()> {
    if units == 0 && !allow_zero {
        return Err(Error::invalid(format!("{what} must be at least 1")));
    }
    if units > CELL_UNITS_MAX {
        return Err(Error::LimitExceeded {
            limit: "CELL_UNITS_MAX",
            what: what.into(),
            max: CELL_UNITS_MAX,
            actual: units,
        });
    }
    Ok(())
}
