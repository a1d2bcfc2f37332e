//! The pipeline's transactions: intake (check, route, reserve), review, release, ship, track,
//! cancel, returns, SLA timers and tasks, the blacklist and the rules.
//!
//! Each transaction takes the order's lock (before any inventory lock), checks the state
//! machine, performs its inventory step (reserve, commit, release: each idempotent by order
//! key), appends its pipeline record(s), applies them to the book, and schedules the order's
//! next deadline. Applying is shared with replay (`apply`), so a restart rebuilds the same book.
//!
//! An order's change and the stock step it needs (intake or approval reserves, cancelling
//! releases, shipping commits, a completed return restocks) are one `Record::PipelineStock`,
//! appended by the inventory under its stripes: a crash keeps both or neither. The other
//! records of a call (a waybill before shipping, a notification after it) are each whole, and
//! repeating the call finishes it.

use std::borrow::Cow;
use std::sync::Arc;

use compact_str::CompactString;

use crate::error::{Error, Result};
use crate::ids::{Lsn, SkuId, WarehouseId};
use crate::inventory::{Inventory, OrderLines, Reservation, ReserveRequest};
use crate::log::{Log, Record, Settlement, StockStep};
use crate::logistics::check_waybill;
use crate::order::address::{Divisions, check_address};
use crate::order::book::{Order, OrderBook, OrderEntry, Task, Timer, address_key};
use crate::order::change::{BlacklistKind, Notification, PipelineChange, Stage, TaskKind, TaskState, TrackingKind};
use crate::order::form::{Flag, FlagCode, OrderForm, Path, PaymentState, Severity};
use crate::order::state::OrderState;
use crate::routing::{Decision, DryRun, Explanation, RouteFacts, Rules, dry_run};

/// The stock step that goes with an order's move.
enum StockOp<'x> {
    None,
    /// Hold the order's lines (split across warehouses if need be).
    Reserve {
        form: &'x OrderForm,
        lines: &'x OrderLines,
    },
    /// Commit or release the order's reservation, if it has a held one.
    Settle(Settlement),
    /// Returned goods back on hand in one warehouse.
    Restock {
        warehouse: WarehouseId,
        lines: &'x [(SkuId, u32)],
    },
}

/// What one call needs besides the book.
pub(crate) struct Context<'a> {
    pub(crate) inventory: &'a Inventory,
    pub(crate) log: &'a Log,
    pub(crate) now_ms: u64,
}

/// What intake did with an order.
#[derive(Clone, Debug, PartialEq)]
pub struct Intake {
    pub order: crate::order::Order,
    /// The reservation, when stock was reserved at intake.
    pub reservation: Option<Reservation>,
    /// Why routing chose the path, in words.
    pub reason: String,
    /// True when this channel order had been taken in before (nothing new happened).
    pub repeat: bool,
}

/// Everything routing needs to know about an order, owned (for dry runs over recent orders).
#[derive(Clone, Debug)]
pub(crate) struct OwnedFacts {
    channel: String,
    categories: Vec<Arc<str>>,
    amount_fen: u64,
    flags: Vec<FlagCode>,
    cross_border: bool,
    is_return: bool,
}

impl OwnedFacts {
    /// Routes these facts through `rules`.
    pub(crate) fn route(&self, rules: &Rules) -> Decision {
        let categories: Vec<&str> = self.categories.iter().map(|c| &**c).collect();
        rules.route(&RouteFacts {
            channel: &self.channel,
            categories: &categories,
            amount_fen: self.amount_fen,
            flags: &self.flags,
            cross_border: self.cross_border,
            is_return: self.is_return,
        })
    }
}

impl OrderBook {
    // -----------------------------------------------------------------------------------------
    // Intake

    /// Checks, routes and (on the automatic path) reserves a new order, all in one call.
    pub(crate) fn intake(&self, cx: &Context<'_>, rules: &Rules, form: OrderForm) -> Result<Intake> {
        check_form(&form)?;
        let key = form.key();
        let _order = self.lock(&key);
        if let Some(existing) = self.order(&key) {
            return Ok(Intake {
                reservation: cx.inventory.reservation(&key),
                reason: "this channel order was taken in before".into(),
                order: existing,
                repeat: true,
            });
        }
        let lines = resolve(cx.inventory, &form)?;
        let mut flags = self.check(cx, rules, &form);
        let facts = self.facts(cx.inventory, &form, &lines, flags.iter().map(|flag| flag.code).collect());
        let decision = facts.route(rules);
        let (mut path, mut reason) = (decision.path, decision.reason.clone());
        if !flags.is_empty() && path == Path::Auto {
            // A flagged order goes to review, never silently anywhere.
            path = Path::RiskReview;
            reason = format!("{reason}; flagged orders always see a reviewer");
        }
        let mut reservation = None;
        let mut appended = None;
        let state = if path == Path::Auto {
            let received = PipelineChange::Received {
                order: Cow::Borrowed(&key),
                form: Cow::Borrowed(&form),
                flags: Cow::Borrowed(&flags),
                path,
                rule: decision.rule.as_deref().map(Cow::Borrowed),
                state: OrderState::Reserved,
            };
            match self.reserve_with(cx, &key, &form, &lines, false, &received) {
                Ok((held, lsn)) => {
                    reservation = Some(held);
                    appended = lsn;
                    OrderState::Reserved
                }
                Err(Error::InsufficientStock { sku, requested, available, .. }) => {
                    flags.push(Flag::new(
                        FlagCode::StockShort,
                        format!("SKU {sku:?}: {requested} ordered, {available} available"),
                    ));
                    path = Path::ManualReview;
                    reason = format!("{reason}; not enough stock to reserve at once");
                    OrderState::Flagged
                }
                Err(other) => return Err(other),
            }
        } else if flags.is_empty() {
            OrderState::InReview
        } else {
            OrderState::Flagged
        };
        let lsn = match appended {
            Some(lsn) => lsn,
            None => {
                let change = PipelineChange::Received {
                    order: Cow::Borrowed(&key),
                    form: Cow::Borrowed(&form),
                    flags: Cow::Borrowed(&flags),
                    path,
                    rule: decision.rule.as_deref().map(Cow::Borrowed),
                    state,
                };
                self.append(cx, change)?
            }
        };
        let form = Arc::new(form);
        self.insert_received(lsn, cx.now_ms, &key, form.clone(), &flags, path, decision.rule.as_deref(), state, rules)?;
        let facts = OwnedFacts { flags: flags.iter().map(|f| f.code).collect(), ..facts };
        self.remember_facts(facts);
        if let Some(held) = &reservation {
            self.alert_low_stock(cx, rules, held.lines.iter().map(|line| line.sku))?;
        }
        let order = Order {
            key,
            form,
            state,
            flags,
            path,
            rule: decision.rule,
            received_at_ms: cx.now_ms,
            state_since_ms: cx.now_ms,
            waybill: None,
            touched: matches!(state, OrderState::Flagged | OrderState::InReview),
            last_lsn: lsn,
        };
        Ok(Intake { order, reservation, reason, repeat: false })
    }

    /// The checks of intake: address, phone, blacklist, velocity, amount, payment.
    fn check(&self, cx: &Context<'_>, rules: &Rules, form: &OrderForm) -> Vec<Flag> {
        let mut flags = check_address(&form.ship_to, Divisions::china());
        let address = address_key(&form.ship_to);
        let blacklist = self.blacklist.load_full();
        let listed = [
            (BlacklistKind::Buyer, form.buyer_id.as_str(), FlagCode::BlacklistedBuyer),
            (BlacklistKind::Phone, form.ship_to.phone.as_str(), FlagCode::BlacklistedPhone),
            (BlacklistKind::Address, address.as_str(), FlagCode::BlacklistedAddress),
        ];
        for (kind, value, code) in listed {
            if !value.is_empty() && blacklist.contains(kind, value) {
                flags.push(Flag::new(code, format!("{} {value:?} is on the blacklist", kind.name())));
            }
        }
        let velocity = rules.velocity();
        let counts = self.velocity.lock().count(
            [
                (BlacklistKind::Buyer, form.buyer_id.as_str()),
                (BlacklistKind::Phone, form.ship_to.phone.as_str()),
                (BlacklistKind::Address, address.as_str()),
            ],
            cx.now_ms,
            velocity.window_ms,
        );
        let limits = [
            (velocity.max_orders_per_buyer, FlagCode::VelocityBuyer, "buyer"),
            (velocity.max_orders_per_phone, FlagCode::VelocityPhone, "phone"),
            (velocity.max_orders_per_address, FlagCode::VelocityAddress, "address"),
        ];
        for ((max, code, what), count) in limits.into_iter().zip(counts) {
            // `count` orders came before this one within the window.
            if count as u64 >= u64::from(max) {
                flags.push(Flag::new(
                    code,
                    format!("{} orders from this {what} in the last {} s", count + 1, velocity.window_ms / 1000),
                ));
            }
        }
        let amount = form.amount_minor();
        let max = rules.limits().max_order_amount_fen;
        if amount > max {
            flags.push(Flag::new(FlagCode::AmountTooHigh, format!("amount {amount} fen is above the limit {max}")));
        }
        if form.payment != PaymentState::Paid {
            flags.push(Flag::new(FlagCode::Unpaid, format!("payment is {}", form.payment.name())));
        }
        flags
    }

    fn facts(&self, inventory: &Inventory, form: &OrderForm, lines: &OrderLines, flags: Vec<FlagCode>) -> OwnedFacts {
        let mut categories: Vec<Arc<str>> =
            lines.iter().filter_map(|(sku, _)| inventory.catalogue.sku_category(*sku)).collect();
        categories.sort();
        categories.dedup();
        OwnedFacts {
            channel: form.channel.clone(),
            categories,
            amount_fen: form.amount_minor(),
            flags,
            cross_border: form.cross_border,
            is_return: form.is_return,
        }
    }

    /// Reserves an order's stock under its key and appends `change` with the reservation as
    /// one record. Returns the reservation and that record's LSN, or no LSN when the order's
    /// reservation was already there (a repeat holds nothing new and appends nothing).
    fn reserve_with(
        &self,
        cx: &Context<'_>,
        key: &str,
        form: &OrderForm,
        lines: &OrderLines,
        allow_split: bool,
        change: &PipelineChange<'_>,
    ) -> Result<(Reservation, Option<Lsn>)> {
        let region = Divisions::china().region_code(&form.ship_to.province, &form.ship_to.city);
        let request = ReserveRequest {
            order_id: key,
            lines,
            ship_to: region,
            ttl_ms: None, // the order's life, not a timer, decides when its stock is let go
            allow_split,
            now_ms: cx.now_ms,
        };
        let mut appended = None;
        let reservation = cx.inventory.reserve_recorded(&request, &mut |placed, _no_expiry| {
            let stock = StockStep::Reserve { lines: Cow::Borrowed(placed) };
            let lsn = cx.log.append(&Record::PipelineStock { at_ms: cx.now_ms, change: change.clone(), stock })?;
            appended = Some(lsn);
            Ok(lsn)
        })?;
        if reservation.state != crate::inventory::ReservationState::Held {
            return Err(Error::IllegalTransition { order: key.into(), from: reservation.state.name(), to: "reserved" });
        }
        Ok((reservation, appended))
    }

    // -----------------------------------------------------------------------------------------
    // Moves

    /// Moves an order to `to` (checking the state machine).
    fn move_to(&self, cx: &Context<'_>, rules: &Rules, key: &str, to: OrderState, by: &str, note: &str) -> Result<Lsn> {
        self.move_with_stock(cx, rules, key, to, (by, note), StockOp::None)
    }

    /// Moves an order to `to` (checking the state machine) together with its stock step, in
    /// one record. When the stock step has nothing to do (no reservation to settle, or it was
    /// settled before), the move is a record of its own.
    fn move_with_stock(
        &self,
        cx: &Context<'_>,
        rules: &Rules,
        key: &str,
        to: OrderState,
        (by, note): (&str, &str),
        stock: StockOp<'_>,
    ) -> Result<Lsn> {
        let from = self.state_of(key)?;
        if !from.can_move_to(to) {
            return Err(Error::IllegalTransition { order: key.into(), from: from.name(), to: to.name() });
        }
        let change = PipelineChange::Moved {
            order: Cow::Borrowed(key),
            from,
            to,
            by: Cow::Borrowed(by),
            note: Cow::Borrowed(note),
        };
        let together = |stock: StockStep<'_>| {
            cx.log.append(&Record::PipelineStock { at_ms: cx.now_ms, change: change.clone(), stock })
        };
        let appended = match stock {
            StockOp::None => None,
            StockOp::Reserve { form, lines } => self.reserve_with(cx, key, form, lines, true, &change)?.1,
            StockOp::Settle(wanted) => {
                let mut appended = None;
                let settled = cx.inventory.settle_recorded(key, wanted, cx.now_ms, &mut |effective| {
                    if effective != wanted {
                        // The TTL ran out first: the expiry is a record of its own.
                        let at_ms = cx.now_ms;
                        return cx.log.append(&Record::Settle {
                            order: Cow::Borrowed(key),
                            settlement: effective,
                            at_ms,
                        });
                    }
                    let lsn = together(StockStep::Settle(effective))?;
                    appended = Some(lsn);
                    Ok(lsn)
                });
                match settled {
                    // No reservation (an order that never held stock) or one settled before.
                    Ok(_) | Err(Error::UnknownOrder { .. }) => appended,
                    Err(other) => return Err(other),
                }
            }
            StockOp::Restock { warehouse, lines } => {
                let step = || together(StockStep::Restock { warehouse, lines: Cow::Borrowed(lines) });
                Some(cx.inventory.restock(warehouse, lines, step)?)
            }
        };
        let lsn = match appended {
            Some(lsn) => lsn,
            None => self.append(cx, change.clone())?,
        };
        self.apply(lsn, cx.now_ms, &change, rules)?;
        Ok(lsn)
    }

    fn state_of(&self, key: &str) -> Result<OrderState> {
        self.entries.view(key, |entry| entry.state).ok_or_else(|| Error::UnknownOrder { order: key.into() })
    }

    /// A reviewer takes a flagged order into review.
    pub(crate) fn start_review(&self, cx: &Context<'_>, rules: &Rules, key: &str, by: &str) -> Result<Lsn> {
        let _order = self.lock(key);
        self.move_to(cx, rules, key, OrderState::InReview, by, "taken into review")
    }

    /// A reviewer approves an order: its stock is reserved (split across warehouses if need be),
    /// or, for a return order, the return is accepted.
    pub(crate) fn approve(&self, cx: &Context<'_>, rules: &Rules, key: &str, by: &str) -> Result<Lsn> {
        let _order = self.lock(key);
        let form = self.form_of(key)?;
        if self.state_of(key)? != OrderState::InReview {
            let from = self.state_of(key)?;
            return Err(Error::IllegalTransition { order: key.into(), from: from.name(), to: "approved" });
        }
        if form.is_return {
            return self.move_to(cx, rules, key, OrderState::ReturnRequested, by, "return approved");
        }
        let lines = resolve(cx.inventory, &form)?;
        let reserve = StockOp::Reserve { form: &form, lines: &lines };
        let lsn = self.move_with_stock(cx, rules, key, OrderState::Reserved, (by, "approved"), reserve)?;
        self.alert_low_stock(cx, rules, lines.iter().map(|&(sku, _)| sku))?;
        Ok(lsn)
    }

    /// A reviewer rejects an order: it is cancelled.
    pub(crate) fn reject(&self, cx: &Context<'_>, rules: &Rules, key: &str, by: &str, note: &str) -> Result<Lsn> {
        let _order = self.lock(key);
        let from = self.state_of(key)?;
        if !matches!(from, OrderState::Flagged | OrderState::InReview) {
            return Err(Error::IllegalTransition { order: key.into(), from: from.name(), to: "rejected" });
        }
        self.move_with_stock(cx, rules, key, OrderState::Cancelled, (by, note), StockOp::Settle(Settlement::Release))
    }

    /// Parks a reserved order for review (its stock stays held).
    pub(crate) fn hold(&self, cx: &Context<'_>, rules: &Rules, key: &str, by: &str, note: &str) -> Result<Lsn> {
        let _order = self.lock(key);
        self.move_to(cx, rules, key, OrderState::InReview, by, note)
    }

    /// The warehouse takes a reserved order for picking.
    pub(crate) fn release_to_warehouse(&self, cx: &Context<'_>, rules: &Rules, key: &str, by: &str) -> Result<Lsn> {
        let _order = self.lock(key);
        self.move_to(cx, rules, key, OrderState::ReleasedToWarehouse, by, "released to the warehouse")
    }

    /// Cancels an order that has not shipped; held stock is released.
    pub(crate) fn cancel(&self, cx: &Context<'_>, rules: &Rules, key: &str, by: &str, note: &str) -> Result<Lsn> {
        let _order = self.lock(key);
        let from = self.state_of(key)?;
        if !from.can_move_to(OrderState::Cancelled) {
            return Err(Error::IllegalTransition { order: key.into(), from: from.name(), to: "cancelled" });
        }
        self.move_with_stock(cx, rules, key, OrderState::Cancelled, (by, note), StockOp::Settle(Settlement::Release))
    }

    // -----------------------------------------------------------------------------------------
    // Logistics

    /// Writes a waybill back to a released order: its stock leaves (commit), it is shipped, and
    /// the buyer is to be told. Repeating it with the same waybill finishes a half-done call.
    pub(crate) fn ship(
        &self,
        cx: &Context<'_>,
        rules: &Rules,
        key: &str,
        carrier: &str,
        tracking_number: &str,
        by: &str,
    ) -> Result<Lsn> {
        let number = check_waybill(carrier, tracking_number)?;
        let carrier = carrier.to_ascii_uppercase();
        let waybill_key = CompactString::from(format!("{carrier}:{number}"));
        let _order = self.lock(key);
        let (state, waybill) = self
            .entries
            .view(key, |entry| (entry.state, entry.waybill.clone()))
            .ok_or_else(|| Error::UnknownOrder { order: key.into() })?;
        let same_waybill = waybill.as_ref().is_some_and(|(c, n)| *c == carrier && *n == number);
        if state == OrderState::Shipped && same_waybill {
            return Ok(self.entries.view(key, |entry| entry.last_lsn).unwrap_or(0));
        }
        if state != OrderState::ReleasedToWarehouse {
            return Err(Error::IllegalTransition { order: key.into(), from: state.name(), to: "shipped" });
        }
        if let Some(other) = self.waybills.view(waybill_key.as_str(), |order| order.clone())
            && other != key
        {
            return Err(Error::AlreadyExists { kind: "waybill", code: format!("{carrier} {number} (order {other})") });
        }
        if !same_waybill {
            let change = PipelineChange::Waybill {
                order: Cow::Borrowed(key),
                carrier: Cow::Borrowed(&carrier),
                tracking_number: Cow::Borrowed(&number),
            };
            let lsn = self.append(cx, change.clone())?;
            self.apply(lsn, cx.now_ms, &change, rules)?;
        }
        // The goods leave (commit) in the same record as the move to shipped.
        let note = format!("waybill {carrier} {number}");
        let commit = StockOp::Settle(Settlement::Commit);
        let lsn = self.move_with_stock(cx, rules, key, OrderState::Shipped, (by, &note), commit)?;
        self.notify(cx, rules, key, Notification::Shipped)?;
        Ok(lsn)
    }

    /// A carrier's tracking event for a waybill. Moves the order when the event says so
    /// (pickup, delivery, exception); events that arrive out of order are recorded and change
    /// nothing.
    pub(crate) fn track(
        &self,
        cx: &Context<'_>,
        rules: &Rules,
        (carrier, tracking_number): (&str, &str),
        kind: TrackingKind,
        detail: &str,
        by: &str,
    ) -> Result<String> {
        let number = check_waybill(carrier, tracking_number)?;
        let carrier = carrier.to_ascii_uppercase();
        let waybill_key = format!("{carrier}:{number}");
        let key = self
            .waybills
            .view(waybill_key.as_str(), |order| order.to_string())
            .ok_or_else(|| Error::UnknownOrder { order: format!("waybill {carrier} {number}") })?;
        let _order = self.lock(&key);
        let change = PipelineChange::Tracking { order: Cow::Borrowed(&key), kind, detail: Cow::Borrowed(detail) };
        let lsn = self.append(cx, change.clone())?;
        self.apply(lsn, cx.now_ms, &change, rules)?;
        let state = self.state_of(&key)?;
        let to = match kind {
            TrackingKind::PickedUp => Some(OrderState::PickedUp),
            TrackingKind::Delivered => Some(OrderState::Delivered),
            TrackingKind::Exception => Some(OrderState::Exception),
            TrackingKind::InTransit => None,
        };
        if let Some(to) = to.filter(|to| state.can_move_to(*to)) {
            self.move_to(cx, rules, &key, to, by, &format!("carrier reported {}", kind.name()))?;
            if to == OrderState::Delivered {
                self.notify(cx, rules, &key, Notification::Delivered)?;
            }
        }
        Ok(key)
    }

    fn notify(&self, cx: &Context<'_>, rules: &Rules, key: &str, kind: Notification) -> Result<()> {
        let change = PipelineChange::Notified { order: Cow::Borrowed(key), kind };
        let lsn = self.append(cx, change.clone())?;
        self.apply(lsn, cx.now_ms, &change, rules)
    }

    // -----------------------------------------------------------------------------------------
    // Returns

    /// The buyer asks to return a delivered order.
    pub(crate) fn request_return(
        &self,
        cx: &Context<'_>,
        rules: &Rules,
        key: &str,
        by: &str,
        note: &str,
    ) -> Result<Lsn> {
        let _order = self.lock(key);
        self.move_to(cx, rules, key, OrderState::ReturnRequested, by, note)
    }

    /// The returned goods arrived in `warehouse`: they go back on hand there.
    pub(crate) fn complete_return(
        &self,
        cx: &Context<'_>,
        rules: &Rules,
        key: &str,
        warehouse: &str,
        by: &str,
    ) -> Result<Lsn> {
        let _order = self.lock(key);
        let from = self.state_of(key)?;
        if !from.can_move_to(OrderState::Returned) {
            return Err(Error::IllegalTransition { order: key.into(), from: from.name(), to: "returned" });
        }
        let form = self.form_of(key)?;
        let warehouse_id = cx.inventory.warehouse_id(warehouse)?;
        let lines = resolve(cx.inventory, &form)?;
        let note = format!("returned goods received in {warehouse}");
        let restock = StockOp::Restock { warehouse: warehouse_id, lines: &lines };
        self.move_with_stock(cx, rules, key, OrderState::Returned, (by, &note), restock)
    }

    /// A return request is turned down: the order is delivered again.
    pub(crate) fn deny_return(&self, cx: &Context<'_>, rules: &Rules, key: &str, by: &str, note: &str) -> Result<Lsn> {
        let _order = self.lock(key);
        self.move_to(cx, rules, key, OrderState::Delivered, by, note)
    }

    fn form_of(&self, key: &str) -> Result<Arc<OrderForm>> {
        self.entries.view(key, |entry| entry.form.clone()).ok_or_else(|| Error::UnknownOrder { order: key.into() })
    }

    // -----------------------------------------------------------------------------------------
    // SLA timers and tasks

    /// Fires every escalation that came due by `now_ms`; returns how many fired.
    pub(crate) fn run_timers(&self, cx: &Context<'_>, rules: &Rules, max: usize) -> Result<usize> {
        self.velocity.lock().prune(cx.now_ms, rules.velocity().window_ms);
        let mut fired = 0;
        for timer in self.due_timers(cx.now_ms, max) {
            let _order = self.lock(&timer.key);
            let Some((state, moves, since, tiers_fired, tracked, task)) = self.entries.view(timer.key.as_str(), |e| {
                (e.state, e.moves, e.state_since_ms, e.tiers_fired, e.tracked, e.stage_task)
            }) else {
                continue;
            };
            // A timer of an earlier state, or of a stage already satisfied, is stale.
            let Some(stage) = Stage::of(state) else { continue };
            if moves != timer.moves || (stage == Stage::Tracking && tracked) {
                continue;
            }
            let tiers = rules.escalation_tiers();
            let Some(tier) = tiers.get(usize::from(tiers_fired)) else { continue };
            let due = since.saturating_add(rules.sla().deadline_ms(stage)).saturating_add(tier.after_ms);
            if due > cx.now_ms {
                // The rules changed since it was scheduled: look again when it is due now.
                self.schedule(Timer { due_ms: due, key: timer.key.clone(), moves });
                continue;
            }
            let key = timer.key.as_str();
            let severity = tier.severity;
            let task = match task {
                Some(task) => {
                    let assignee_changes = PipelineChange::TaskChanged {
                        task,
                        state: TaskState::Open,
                        severity,
                        by: Cow::Borrowed("sla"),
                    };
                    let lsn = self.append(cx, assignee_changes.clone())?;
                    self.apply(lsn, cx.now_ms, &assignee_changes, rules)?;
                    task
                }
                None => {
                    let task = self.next_task_id();
                    let kind =
                        if stage == Stage::Tracking { TaskKind::EnterTracking } else { TaskKind::Overdue(stage) };
                    let opened = PipelineChange::TaskOpened {
                        task,
                        order: Cow::Borrowed(key),
                        kind,
                        severity,
                        assignee: Cow::Borrowed(stage.owner()),
                    };
                    let lsn = self.append(cx, opened.clone())?;
                    self.apply(lsn, cx.now_ms, &opened, rules)?;
                    task
                }
            };
            let escalated =
                PipelineChange::Escalated { order: Cow::Borrowed(key), stage, tier: tiers_fired, severity, task };
            let lsn = self.append(cx, escalated.clone())?;
            self.apply(lsn, cx.now_ms, &escalated, rules)?;
            fired += 1;
        }
        Ok(fired)
    }

    /// Acknowledges (someone is on it) or closes a task.
    pub(crate) fn change_task(
        &self,
        cx: &Context<'_>,
        rules: &Rules,
        id: u64,
        to: TaskState,
        by: &str,
    ) -> Result<Task> {
        let task = self.tasks.lock().get(&id).cloned().ok_or_else(|| Error::invalid(format!("unknown task {id}")))?;
        let _order = self.lock(&task.order);
        let current = self.tasks.lock().get(&id).cloned().expect("tasks are never removed while open");
        let legal = matches!((current.state, to), (TaskState::Open, TaskState::Acknowledged | TaskState::Closed))
            || (current.state == TaskState::Acknowledged && to == TaskState::Closed);
        if !legal {
            return Err(Error::IllegalTransition {
                order: format!("task {id}"),
                from: current.state.name(),
                to: to.name(),
            });
        }
        let change =
            PipelineChange::TaskChanged { task: id, state: to, severity: current.severity, by: Cow::Borrowed(by) };
        let lsn = self.append(cx, change.clone())?;
        self.apply(lsn, cx.now_ms, &change, rules)?;
        Ok(self.tasks.lock().get(&id).cloned().expect("just changed"))
    }

    // -----------------------------------------------------------------------------------------
    // Blacklist and rules

    pub(crate) fn change_blacklist(
        &self,
        cx: &Context<'_>,
        rules: &Rules,
        list: BlacklistKind,
        value: &str,
        added: bool,
        by: &str,
    ) -> Result<Lsn> {
        let _all = self.lock("\u{0}blacklist");
        let change = PipelineChange::Blacklist { list, value: Cow::Borrowed(value), added, by: Cow::Borrowed(by) };
        let lsn = self.append(cx, change.clone())?;
        self.apply(lsn, cx.now_ms, &change, rules)?;
        Ok(lsn)
    }

    /// Logs a rules change; the caller swaps the live rules after (it parsed them already).
    pub(crate) fn log_rules(&self, cx: &Context<'_>, rules: &Rules, text: &str, by: &str) -> Result<Lsn> {
        let change = PipelineChange::Rules { text: Cow::Borrowed(text), by: Cow::Borrowed(by) };
        let lsn = self.append(cx, change.clone())?;
        self.apply(lsn, cx.now_ms, &change, rules)?;
        Ok(lsn)
    }

    /// How the most recent orders would be routed by `proposed` rather than `current`.
    pub(crate) fn dry_run(&self, current: &Rules, proposed: &Rules) -> DryRun {
        let recent = self.recent.lock();
        let categories: Vec<Vec<&str>> =
            recent.iter().map(|facts| facts.categories.iter().map(|c| &**c).collect()).collect();
        let facts: Vec<RouteFacts<'_>> = recent
            .iter()
            .zip(&categories)
            .map(|(facts, categories)| RouteFacts {
                channel: &facts.channel,
                categories,
                amount_fen: facts.amount_fen,
                flags: &facts.flags,
                cross_border: facts.cross_border,
                is_return: facts.is_return,
            })
            .collect();
        dry_run(current, proposed, &facts)
    }

    /// Which rule the order's facts match under `rules`, and why.
    pub(crate) fn explain(&self, inventory: &Inventory, rules: &Rules, key: &str) -> Result<Explanation> {
        let (form, flags) = self
            .entries
            .view(key, |entry| (entry.form.clone(), entry.flags.iter().map(|f| f.code).collect::<Vec<_>>()))
            .ok_or_else(|| Error::UnknownOrder { order: key.into() })?;
        let lines = resolve(inventory, &form)?;
        let facts = self.facts(inventory, &form, &lines, flags);
        let categories: Vec<&str> = facts.categories.iter().map(|c| &**c).collect();
        Ok(rules.explain(&RouteFacts {
            channel: &facts.channel,
            categories: &categories,
            amount_fen: facts.amount_fen,
            flags: &facts.flags,
            cross_border: facts.cross_border,
            is_return: facts.is_return,
        }))
    }

    // -----------------------------------------------------------------------------------------
    // Stock alerts

    /// Raises a stock alert for each SKU whose availability (over all warehouses) fell to or
    /// below the rules' low-stock level, once until it rises above it again.
    fn alert_low_stock(&self, cx: &Context<'_>, rules: &Rules, skus: impl Iterator<Item = SkuId>) -> Result<()> {
        let Some(threshold) = rules.limits().low_stock_units else { return Ok(()) };
        for sku in skus {
            let available = cx.inventory.stock(sku, None).available;
            let newly_low = {
                let mut alerted = self.low_stock.lock();
                if available > threshold {
                    alerted.remove(&sku);
                    false
                } else {
                    alerted.insert(sku)
                }
            };
            if newly_low {
                let change = PipelineChange::StockAlert { sku, available, threshold };
                let lsn = self.append(cx, change.clone())?;
                self.apply(lsn, cx.now_ms, &change, rules)?;
            }
        }
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // Invariants

    /// Every order's stock agrees with its state: a reserved or released order holds its
    /// reservation; an order past shipping, or cancelled, holds none; an order in review may
    /// hold one (parked after reserving) and no other order does. Returns the orders checked.
    pub(crate) fn check_stock(&self, inventory: &Inventory) -> std::result::Result<u64, String> {
        use crate::inventory::ReservationState::Held;
        let mut checked = 0;
        let mut problem = None;
        self.entries.for_each(|key, entry| {
            checked += 1;
            let held = inventory.reservation(key).is_some_and(|reservation| reservation.state == Held);
            let must_hold = matches!(entry.state, OrderState::Reserved | OrderState::ReleasedToWarehouse);
            let may_hold = must_hold || entry.state == OrderState::InReview;
            if problem.is_none() && (held != must_hold) && !(held && may_hold) {
                let holds = if held { "holds a reservation" } else { "holds no reservation" };
                problem = Some(format!("order {key:?} is {} but {holds}", entry.state.name()));
            }
        });
        problem.map_or(Ok(checked), Err)
    }

    // -----------------------------------------------------------------------------------------
    // Log and apply

    fn append(&self, cx: &Context<'_>, change: PipelineChange<'_>) -> Result<Lsn> {
        cx.log.append(&Record::Pipeline { at_ms: cx.now_ms, change })
    }

    /// Applies a pipeline record to the book; shared by the live path and replay.
    pub(crate) fn apply(&self, lsn: Lsn, at_ms: u64, change: &PipelineChange<'_>, rules: &Rules) -> Result<()> {
        let broken = |detail: String| Error::internal(format!("pipeline record {lsn} cannot be applied: {detail}"));
        match change {
            PipelineChange::Received { order, form, flags, path, rule, state } => {
                let form = Arc::new(form.clone().into_owned());
                self.insert_received(lsn, at_ms, order, form, flags, *path, rule.as_deref(), *state, rules)?;
            }
            PipelineChange::Moved { order, to, .. } => {
                let closed_task = self
                    .entries
                    .update(order.as_ref(), |entry| {
                        entry.state = *to;
                        entry.state_since_ms = at_ms;
                        entry.moves += 1;
                        entry.tiers_fired = 0;
                        entry.last_lsn = lsn;
                        if *to == OrderState::Shipped {
                            entry.tracked = false;
                        }
                        // Zero-touch means never needing a person's decision.
                        entry.touched |= matches!(*to, OrderState::Flagged | OrderState::InReview);
                        entry.stage_task.take()
                    })
                    .ok_or_else(|| broken(format!("order {order:?} is unknown")))?;
                if let Some(task) = closed_task {
                    // Leaving the stage settles its task.
                    if let Some(task) = self.tasks.lock().get_mut(&task) {
                        task.state = TaskState::Closed;
                        task.changed_at_ms = at_ms;
                    }
                }
                self.schedule_stage(order, rules);
            }
            PipelineChange::Waybill { order, carrier, tracking_number } => {
                self.entries
                    .update(order.as_ref(), |entry| {
                        entry.waybill = Some((carrier.to_string(), tracking_number.to_string()));
                        entry.last_lsn = lsn;
                    })
                    .ok_or_else(|| broken(format!("order {order:?} is unknown")))?;
                self.waybills.insert(
                    CompactString::from(format!("{carrier}:{tracking_number}")),
                    CompactString::from(order.as_ref()),
                );
            }
            PipelineChange::Tracking { order, .. } => {
                self.entries
                    .update(order.as_ref(), |entry| {
                        entry.tracked = true;
                        entry.last_lsn = lsn;
                    })
                    .ok_or_else(|| broken(format!("order {order:?} is unknown")))?;
            }
            PipelineChange::Escalated { order, tier, task, .. } => {
                self.entries
                    .update(order.as_ref(), |entry| {
                        entry.tiers_fired = tier + 1;
                        entry.stage_task = Some(*task);
                        entry.last_lsn = lsn;
                    })
                    .ok_or_else(|| broken(format!("order {order:?} is unknown")))?;
                self.schedule_stage(order, rules);
            }
            PipelineChange::TaskOpened { task, order, kind, severity, assignee } => {
                self.tasks.lock().insert(
                    *task,
                    Task {
                        id: *task,
                        order: order.to_string(),
                        kind: *kind,
                        severity: *severity,
                        assignee: assignee.to_string(),
                        state: TaskState::Open,
                        opened_at_ms: at_ms,
                        changed_at_ms: at_ms,
                    },
                );
                self.entries.update(order.as_ref(), |entry| entry.stage_task = Some(*task));
            }
            PipelineChange::TaskChanged { task, state, severity, .. } => {
                let mut tasks = self.tasks.lock();
                let task = tasks.get_mut(task).ok_or_else(|| broken(format!("unknown task {task}")))?;
                task.state = *state;
                task.severity = *severity;
                task.changed_at_ms = at_ms;
                if *severity >= Severity::High && task.state == TaskState::Open {
                    task.assignee = "supervisor".into();
                }
            }
            PipelineChange::Notified { .. } | PipelineChange::StockAlert { .. } => {}
            PipelineChange::Blacklist { list, value, added, .. } => {
                let next = self.blacklist.load_full().with(*list, value, *added);
                self.blacklist.store(Arc::new(next));
            }
            PipelineChange::Rules { .. } => {
                // The engine swaps the live rules (and replay parses the text again).
            }
        }
        Ok(())
    }

    /// Puts a received order in the book (the live path hands over its form without a copy).
    #[allow(clippy::too_many_arguments)]
    fn insert_received(
        &self,
        lsn: Lsn,
        at_ms: u64,
        key: &str,
        form: Arc<OrderForm>,
        flags: &[Flag],
        path: Path,
        rule: Option<&str>,
        state: OrderState,
        rules: &Rules,
    ) -> Result<()> {
        let address = address_key(&form.ship_to);
        self.velocity.lock().record(
            [
                (BlacklistKind::Buyer, form.buyer_id.as_str()),
                (BlacklistKind::Phone, form.ship_to.phone.as_str()),
                (BlacklistKind::Address, address.as_str()),
            ],
            at_ms,
            rules.velocity().window_ms,
        );
        let entry = OrderEntry {
            form,
            state,
            flags: flags.to_vec(),
            path,
            rule: rule.map(str::to_string),
            received_at_ms: at_ms,
            state_since_ms: at_ms,
            moves: 0,
            tiers_fired: 0,
            stage_task: None,
            waybill: None,
            tracked: false,
            touched: matches!(state, OrderState::Flagged | OrderState::InReview),
            last_lsn: lsn,
        };
        if self.entries.insert(CompactString::from(key), entry).is_some() {
            return Err(Error::internal(format!("pipeline record {lsn}: order {key:?} was received twice")));
        }
        self.schedule_stage(key, rules);
        Ok(())
    }

    /// Schedules the next escalation of an order's current stage, if it has one.
    fn schedule_stage(&self, key: &str, rules: &Rules) {
        let Some((state, since, moves, tiers_fired, tracked)) =
            self.entries.view(key, |e| (e.state, e.state_since_ms, e.moves, e.tiers_fired, e.tracked))
        else {
            return;
        };
        let Some(stage) = Stage::of(state) else { return };
        if stage == Stage::Tracking && tracked {
            return;
        }
        let Some(tier) = rules.escalation_tiers().get(usize::from(tiers_fired)) else { return };
        let due_ms = since.saturating_add(rules.sla().deadline_ms(stage)).saturating_add(tier.after_ms);
        self.schedule(Timer { due_ms, key: CompactString::from(key), moves });
    }

    /// Rebuilds every timer from the orders (after recovery, or when the rules' deadlines
    /// change): no deadline is lost, and none fires twice, since fired tiers are in the book.
    pub(crate) fn reschedule_all(&self, rules: &Rules) {
        self.timers.lock().clear();
        let mut keys = Vec::new();
        self.entries.for_each(|key, entry| {
            if Stage::of(entry.state).is_some() {
                keys.push(key.clone());
            }
        });
        for key in keys {
            self.schedule_stage(&key, rules);
        }
    }
}

/// The order's SKUs as ids, summed per SKU (unknown SKUs are an error: the channel's SKU
/// mapping is wrong, and no reviewer can fix that).
fn resolve(inventory: &Inventory, form: &OrderForm) -> Result<OrderLines> {
    let mut lines = OrderLines::new();
    for line in &form.lines {
        let sku = inventory.sku_id(&line.sku)?;
        match lines.iter_mut().find(|(seen, _)| *seen == sku) {
            Some((_, qty)) => *qty = qty.saturating_add(line.qty),
            None => lines.push((sku, line.qty)),
        }
    }
    lines.sort_unstable();
    Ok(lines)
}

/// The form's own limits (codes, ids, counts, quantities, text), before anything else looks at
/// it (see `validate` for the rules of identifiers and free text). The order key passes the same
/// check every later keyed call applies, so an order the intake takes can always be reached again.
fn check_form(form: &OrderForm) -> Result<()> {
    use crate::limits::{LINE_QTY_MAX, ORDER_LINES_MAX};
    use crate::validate::{self, check, check_order_id};
    if form.channel.is_empty() || form.channel_order_id.is_empty() {
        return Err(Error::invalid("an order needs a channel and the channel's order id"));
    }
    check(validate::CHANNEL_CODE, &form.channel)?;
    if form.channel.contains(':') {
        return Err(Error::invalid(format!("channel code {:?} must not contain ':'", form.channel)));
    }
    check(validate::CHANNEL_ORDER_ID, &form.channel_order_id)?;
    check_order_id(&form.key())?;
    check(validate::BUYER_ID, &form.buyer_id)?;
    let address = &form.ship_to;
    for (what, text) in [
        ("recipient", &address.recipient),
        ("phone", &address.phone),
        ("province", &address.province),
        ("city", &address.city),
        ("district", &address.district),
        ("address detail", &address.detail),
    ] {
        check(validate::ADDRESS_FIELD.named(what), text)?;
    }
    if form.lines.is_empty() {
        return Err(Error::invalid(format!("order {} has no lines", form.key())));
    }
    if form.lines.len() > ORDER_LINES_MAX {
        return Err(Error::LimitExceeded {
            limit: "ORDER_LINES_MAX",
            what: "the number of order lines".into(),
            max: ORDER_LINES_MAX as u64,
            actual: form.lines.len() as u64,
        });
    }
    for line in &form.lines {
        check(validate::SKU_CODE, &line.sku)?;
        if line.qty == 0 || line.qty > LINE_QTY_MAX {
            return Err(Error::invalid(format!(
                "order {}: quantity {} of {:?} is out of range",
                form.key(),
                line.qty,
                line.sku
            )));
        }
    }
    Ok(())
}
