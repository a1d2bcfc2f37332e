//! Event polling: the engine's log, read back by LSN cursor, as an `allot_events` handle.
//!
//! Each poll decodes the core's `Event`s into flat C structs at once, resolving SKU and
//! warehouse ids to codes, so that reading the handle afterwards is plain memory access from
//! any thread. One kind per state change; the fields that do not apply to a kind are 0 or "".
//! The order pipeline's changes (`Record::Pipeline`) have a kind each, from `ORDER_RECEIVED`
//! on; the order's key is in `order_id`, as for reservations (a pipeline order's reservation
//! uses the key as its order id). A pipeline order's stock steps (reserved on intake or
//! approval, committed on shipping, released on cancelling, restocked on a return) are logged
//! with its change in one record, so they come as that change's event, not as RESERVE, COMMIT
//! or RELEASE events of their own.

use std::ffi::c_char;

use allot_core::log::{Movement, Record, Settlement, StockStep};
use allot_core::order::PipelineChange;
use allot_core::{BufferRule, Client, Error, Event, Operation};

use crate::client::{allot_buffer, allot_client, client_ref, inputs};
use crate::codes::Codes;
use crate::panic::guard;
use crate::pointers::{self, reference, required};
use crate::reservation::{allot_reserved_line, reserved_lines};
use crate::status::allot_status;
use crate::strings::{Arena, CText};
use crate::vocabulary::{
    allot_blacklist, allot_notification, allot_order_state, allot_path, allot_severity, allot_stage, allot_task_kind,
    allot_task_state, allot_tracking_kind, task_kind,
};

/// What changed.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum allot_event_kind {
    /// A warehouse was added: `warehouse`, `region`, `priority`, `active`.
    AddWarehouse = 0,
    /// A warehouse changed: `warehouse`, `priority`, `active`.
    UpdateWarehouse = 1,
    /// A SKU was added: `sku`, `category`.
    AddSku = 2,
    /// A safety buffer was set: `sku`, `warehouse` ("" for the SKU's default), `buffer`,
    /// `buffer_value`.
    SetBuffer = 3,
    /// A stocktake: `sku`, `warehouse`, `qty` (the new on hand).
    SetStock = 4,
    /// Goods received: `sku`, `warehouse`, `qty`.
    Receive = 5,
    /// A correction: `sku`, `warehouse`, `delta` (signed), `qty` (its magnitude), `reason`.
    Adjust = 6,
    /// Goods on their way: `sku`, `warehouse`, `qty`.
    ExpectInbound = 7,
    /// In-transit goods arrived: `sku`, `warehouse`, `qty`.
    LandInbound = 8,
    /// A reservation: `order_id`, `lines`, `at_ms`, `expires_at_ms`.
    Reserve = 9,
    /// A reservation was committed: `order_id`, `at_ms`.
    Commit = 10,
    /// A reservation was released: `order_id`, `at_ms`.
    Release = 11,
    /// A reservation expired: `order_id`, `at_ms`.
    Expire = 12,
    /// A change in the order pipeline newer than this version of the C library: `at_ms`. Skip
    /// it, but keep its LSN as the cursor.
    Pipeline = 13,
    /// An order was taken in: `order_id` (its key), `to_state` (where it landed:
    /// `ALLOT_ORDER_STATE_FLAGGED`, `_IN_REVIEW` or `_RESERVED`; `from_state` is
    /// `ALLOT_ORDER_STATE_RECEIVED`), `path`, `rule` ("" for the default path), `flags_len` (how
    /// many flags the checks raised; read them with `allot_client_order()`), `at_ms`.
    OrderReceived = 14,
    /// An order moved: `order_id`, `from_state`, `to_state`, `by` (who), `note`, `at_ms`.
    OrderMoved = 15,
    /// A waybill was written back: `order_id`, `carrier`, `tracking_number`, `at_ms`.
    Waybill = 16,
    /// A carrier reported on a shipment: `order_id`, `tracking`, `detail`, `at_ms`.
    Tracking = 17,
    /// A stage's deadline passed: `order_id`, `stage`, `tier` (from 0, the rules' escalation
    /// tiers), `severity`, `task` (the task opened or raised), `at_ms`.
    Escalated = 18,
    /// A to-do task was opened: `task`, `order_id`, `task_kind`, `stage`, `severity`,
    /// `assignee`, `at_ms`.
    TaskOpened = 19,
    /// A task was acknowledged, closed, or raised in severity: `task`, `task_state`,
    /// `severity`, `by`, `at_ms`.
    TaskChanged = 20,
    /// The buyer is to be told something (the channel's messaging picks this up): `order_id`,
    /// `notification`, `at_ms`.
    Notified = 21,
    /// A blacklist entry was added (`added`) or removed: `blacklist`, `value`, `by`, `at_ms`.
    Blacklist = 22,
    /// The live rules file changed: `by`, `rules_text` (the whole new text), `at_ms`.
    Rules = 23,
    /// A SKU's availability over all warehouses fell to or below the rules' low-stock level:
    /// `sku`, `available`, `threshold`, `at_ms`.
    StockAlert = 24,
    /// A kind of change newer than this version of the C library: only `lsn` is set. Skip it,
    /// but keep its LSN as the cursor.
    Other = 255,
}

/// One state change. Strings are NUL-terminated (lengths exclude the NUL), never NULL ("" where
/// a field does not apply), and borrowed, like `lines`, from the `allot_events` handle until it
/// is freed.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct allot_event {
    /// The change's LSN: pass the last one back to `allot_client_events()` to continue.
    pub lsn: u64,
    pub kind: allot_event_kind,
    /// RESERVE, COMMIT, RELEASE, EXPIRE; the order's key for the order pipeline's kinds
    /// (ORDER_RECEIVED, ORDER_MOVED, WAYBILL, TRACKING, ESCALATED, TASK_OPENED, NOTIFIED).
    pub order_id: *const c_char,
    pub order_id_len: usize,
    /// ADD_SKU, SET_BUFFER, the stock movements and STOCK_ALERT.
    pub sku: *const c_char,
    pub sku_len: usize,
    /// ADD_WAREHOUSE, UPDATE_WAREHOUSE, SET_BUFFER (a cell's rule; "" for the SKU's default)
    /// and the stock movements.
    pub warehouse: *const c_char,
    pub warehouse_len: usize,
    /// ADD_WAREHOUSE: the warehouse's region code.
    pub region: *const c_char,
    pub region_len: usize,
    /// ADD_SKU: the SKU's category.
    pub category: *const c_char,
    pub category_len: usize,
    /// ADJUST: why.
    pub reason: *const c_char,
    pub reason_len: usize,
    /// Units: the new on hand (SET_STOCK), the units moved (RECEIVE, EXPECT_INBOUND,
    /// LAND_INBOUND), the magnitude of `delta` (ADJUST).
    pub qty: u64,
    /// ADJUST: the signed change of on hand.
    pub delta: i64,
    /// ADD_WAREHOUSE, UPDATE_WAREHOUSE.
    pub priority: u32,
    pub active: bool,
    /// SET_BUFFER: the rule's kind (`ALLOT_BUFFER_NONE`: the rule was removed) and its units or
    /// percent.
    pub buffer: allot_buffer,
    pub buffer_value: u64,
    /// RESERVE, COMMIT, RELEASE, EXPIRE and every kind of the order pipeline: when (engine
    /// clock, ms since the Unix epoch).
    pub at_ms: u64,
    /// RESERVE: when the hold expires (engine clock); 0: never.
    pub expires_at_ms: u64,
    /// RESERVE, and ORDER_RECEIVED or ORDER_MOVED of a pipeline order whose stock was reserved
    /// by that change: the reserved lines (SKU, warehouse, qty); NULL (and 0) otherwise.
    pub lines: *const allot_reserved_line,
    pub lines_len: usize,
    /// ORDER_RECEIVED (from `ALLOT_ORDER_STATE_RECEIVED` to where it landed), ORDER_MOVED.
    pub from_state: allot_order_state,
    pub to_state: allot_order_state,
    /// ORDER_RECEIVED: the path routing chose, the rule that chose it ("" for the default
    /// path), and how many flags the checks raised.
    pub path: allot_path,
    pub rule: *const c_char,
    pub rule_len: usize,
    pub flags_len: usize,
    /// ORDER_MOVED, TASK_CHANGED, BLACKLIST, RULES: who made the change (a client's actor, the
    /// role's name by default; "sla" for escalations).
    pub by: *const c_char,
    pub by_len: usize,
    /// ORDER_MOVED: the note given with the move.
    pub note: *const c_char,
    pub note_len: usize,
    /// WAYBILL: the carrier's code and the waybill number.
    pub carrier: *const c_char,
    pub carrier_len: usize,
    pub tracking_number: *const c_char,
    pub tracking_number_len: usize,
    /// TRACKING: what the carrier reported, and its free-text detail.
    pub tracking: allot_tracking_kind,
    pub detail: *const c_char,
    pub detail_len: usize,
    /// ESCALATED, TASK_OPENED: the stage that stalled.
    pub stage: allot_stage,
    /// ESCALATED: the escalation tier (from 0).
    pub tier: u32,
    /// ESCALATED, TASK_OPENED, TASK_CHANGED.
    pub severity: allot_severity,
    /// ESCALATED, TASK_OPENED, TASK_CHANGED: the task's id.
    pub task: u64,
    /// TASK_OPENED.
    pub task_kind: allot_task_kind,
    pub assignee: *const c_char,
    pub assignee_len: usize,
    /// TASK_CHANGED.
    pub task_state: allot_task_state,
    /// NOTIFIED.
    pub notification: allot_notification,
    /// BLACKLIST: which list, the value, and whether it was added (false: removed).
    pub blacklist: allot_blacklist,
    pub value: *const c_char,
    pub value_len: usize,
    pub added: bool,
    /// RULES: the new rules file's whole text.
    pub rules_text: *const c_char,
    pub rules_text_len: usize,
    /// STOCK_ALERT: the SKU's available units over all warehouses, and the rules' low-stock
    /// level it fell to or below.
    pub available: u64,
    pub threshold: u64,
}

impl allot_event {
    fn new(lsn: u64, kind: allot_event_kind) -> allot_event {
        let empty = CText::EMPTY;
        allot_event {
            lsn,
            kind,
            order_id: empty.ptr,
            order_id_len: 0,
            sku: empty.ptr,
            sku_len: 0,
            warehouse: empty.ptr,
            warehouse_len: 0,
            region: empty.ptr,
            region_len: 0,
            category: empty.ptr,
            category_len: 0,
            reason: empty.ptr,
            reason_len: 0,
            qty: 0,
            delta: 0,
            priority: 0,
            active: false,
            buffer: allot_buffer::None,
            buffer_value: 0,
            at_ms: 0,
            expires_at_ms: 0,
            lines: std::ptr::null(),
            lines_len: 0,
            from_state: allot_order_state::Received,
            to_state: allot_order_state::Received,
            path: allot_path::Auto,
            rule: empty.ptr,
            rule_len: 0,
            flags_len: 0,
            by: empty.ptr,
            by_len: 0,
            note: empty.ptr,
            note_len: 0,
            carrier: empty.ptr,
            carrier_len: 0,
            tracking_number: empty.ptr,
            tracking_number_len: 0,
            tracking: allot_tracking_kind::PickedUp,
            detail: empty.ptr,
            detail_len: 0,
            stage: allot_stage::Review,
            tier: 0,
            severity: allot_severity::Low,
            task: 0,
            task_kind: allot_task_kind::Overdue,
            assignee: empty.ptr,
            assignee_len: 0,
            task_state: allot_task_state::Open,
            notification: allot_notification::Shipped,
            blacklist: allot_blacklist::Buyer,
            value: empty.ptr,
            value_len: 0,
            added: false,
            rules_text: empty.ptr,
            rules_text_len: 0,
            available: 0,
            threshold: 0,
        }
    }

    fn by(mut self, text: CText) -> allot_event {
        (self.by, self.by_len) = (text.ptr, text.len);
        self
    }

    fn order_id(mut self, text: CText) -> allot_event {
        (self.order_id, self.order_id_len) = (text.ptr, text.len);
        self
    }

    fn sku(mut self, text: CText) -> allot_event {
        (self.sku, self.sku_len) = (text.ptr, text.len);
        self
    }

    fn warehouse(mut self, text: CText) -> allot_event {
        (self.warehouse, self.warehouse_len) = (text.ptr, text.len);
        self
    }
}

/// The events one poll returned, owned by the caller and freed with `allot_events_free()`.
/// Immutable: any number of threads may read one at once.
pub struct allot_events {
    events: Vec<allot_event>,
    /// The lines of each RESERVE event, pointed to by its `lines`.
    _lines: Vec<Vec<allot_reserved_line>>,
    /// Every string the events point to.
    _arena: Arena,
}

impl allot_events {
    fn new(client: &Client, events: Vec<Event>) -> Result<allot_events, Error> {
        let mut codes = Codes::new(client);
        let mut handle =
            allot_events { events: Vec::with_capacity(events.len()), _lines: Vec::new(), _arena: Arena::default() };
        for event in events {
            let converted = handle.convert(&mut codes, event)?;
            handle.events.push(converted);
        }
        Ok(handle)
    }

    fn convert(&mut self, codes: &mut Codes<'_>, event: Event) -> Result<allot_event, Error> {
        use allot_event_kind as Kind;
        let arena = &mut self._arena;
        let lsn = event.lsn;
        Ok(match event.record {
            Record::AddWarehouse { code, region, priority, active, .. } => {
                let region = arena.add(&region);
                let mut c = allot_event::new(lsn, Kind::AddWarehouse).warehouse(arena.add(&code));
                (c.region, c.region_len, c.priority, c.active) = (region.ptr, region.len, priority, active);
                c
            }
            Record::UpdateWarehouse { id, priority, active } => {
                let mut c = allot_event::new(lsn, Kind::UpdateWarehouse).warehouse(codes.warehouse(arena, id)?);
                (c.priority, c.active) = (priority, active);
                c
            }
            Record::AddSku { code, category, .. } => {
                let category = arena.add(&category);
                let mut c = allot_event::new(lsn, Kind::AddSku).sku(arena.add(&code));
                (c.category, c.category_len) = (category.ptr, category.len);
                c
            }
            Record::SetBuffer { sku, warehouse, rule } => {
                let mut c = allot_event::new(lsn, Kind::SetBuffer).sku(codes.sku(arena, sku)?);
                if let Some(warehouse) = warehouse {
                    c = c.warehouse(codes.warehouse(arena, warehouse)?);
                }
                (c.buffer, c.buffer_value) = match rule {
                    None => (allot_buffer::None, 0),
                    Some(BufferRule::Units(units)) => (allot_buffer::Units, units),
                    Some(BufferRule::Percent(percent)) => (allot_buffer::Percent, u64::from(percent)),
                };
                c
            }
            Record::Move { sku, warehouse, movement } => {
                let (kind, qty) = match &movement {
                    Movement::Set { on_hand } => (Kind::SetStock, *on_hand),
                    Movement::Receive { qty } => (Kind::Receive, *qty),
                    Movement::Adjust { delta, .. } => (Kind::Adjust, delta.unsigned_abs()),
                    Movement::ExpectInbound { qty } => (Kind::ExpectInbound, *qty),
                    Movement::LandInbound { qty } => (Kind::LandInbound, *qty),
                };
                let mut c = allot_event::new(lsn, kind)
                    .sku(codes.sku(arena, sku)?)
                    .warehouse(codes.warehouse(arena, warehouse)?);
                c.qty = qty;
                if let Movement::Adjust { delta, reason } = &movement {
                    let reason = arena.add(reason);
                    (c.delta, c.reason, c.reason_len) = (*delta, reason.ptr, reason.len);
                }
                c
            }
            Record::Reserve { order, lines, expires_at_ms, at_ms } => {
                let lines = reserved_lines(codes, arena, &lines)?;
                let mut c = allot_event::new(lsn, Kind::Reserve).order_id(arena.add(&order));
                (c.at_ms, c.expires_at_ms) = (at_ms, expires_at_ms.unwrap_or(0));
                (c.lines, c.lines_len) = (lines.as_ptr(), lines.len());
                // The vector's heap block does not move when it is pushed into `_lines`.
                self._lines.push(lines);
                c
            }
            Record::Settle { order, settlement, at_ms } => {
                let kind = match settlement {
                    Settlement::Commit => Kind::Commit,
                    Settlement::Release => Kind::Release,
                    Settlement::Expire => Kind::Expire,
                };
                let mut c = allot_event::new(lsn, kind).order_id(arena.add(&order));
                c.at_ms = at_ms;
                c
            }
            // An order's change with its stock step is told as the change: the step is what
            // the change means for stock (received and reserved, shipped and committed, ...).
            Record::Pipeline { at_ms, change } => {
                let mut c = pipeline_event(codes, arena, lsn, change)?;
                c.at_ms = at_ms;
                c
            }
            Record::PipelineStock { at_ms, change, stock } => {
                let mut c = pipeline_event(codes, arena, lsn, change)?;
                c.at_ms = at_ms;
                if let StockStep::Reserve { lines } = stock {
                    let lines = reserved_lines(codes, arena, &lines)?;
                    (c.lines, c.lines_len) = (lines.as_ptr(), lines.len());
                    self._lines.push(lines);
                }
                c
            }
            // `Record` is non-exhaustive: the core may add kinds of change before this library
            // learns to describe them.
            _ => allot_event::new(lsn, Kind::Other),
        })
    }
}

/// The event of one change of the order pipeline (`at_ms` is the caller's to set).
fn pipeline_event(
    codes: &mut Codes<'_>,
    arena: &mut Arena,
    lsn: u64,
    change: PipelineChange<'_>,
) -> Result<allot_event, Error> {
    use allot_event_kind as Kind;
    Ok(match change {
        PipelineChange::Received { order, flags, path, rule, state, .. } => {
            let mut c = allot_event::new(lsn, Kind::OrderReceived).order_id(arena.add(&order));
            let rule = arena.add_opt(rule.as_deref());
            (c.to_state, c.path, c.rule, c.rule_len, c.flags_len) =
                (state.into(), path.into(), rule.ptr, rule.len, flags.len());
            c
        }
        PipelineChange::Moved { order, from, to, by, note } => {
            let mut c = allot_event::new(lsn, Kind::OrderMoved).order_id(arena.add(&order)).by(arena.add(&by));
            let note = arena.add(&note);
            (c.from_state, c.to_state, c.note, c.note_len) = (from.into(), to.into(), note.ptr, note.len);
            c
        }
        PipelineChange::Waybill { order, carrier, tracking_number } => {
            let mut c = allot_event::new(lsn, Kind::Waybill).order_id(arena.add(&order));
            let (carrier, number) = (arena.add(&carrier), arena.add(&tracking_number));
            (c.carrier, c.carrier_len, c.tracking_number, c.tracking_number_len) =
                (carrier.ptr, carrier.len, number.ptr, number.len);
            c
        }
        PipelineChange::Tracking { order, kind, detail } => {
            let mut c = allot_event::new(lsn, Kind::Tracking).order_id(arena.add(&order));
            let detail = arena.add(&detail);
            (c.tracking, c.detail, c.detail_len) = (kind.into(), detail.ptr, detail.len);
            c
        }
        PipelineChange::Escalated { order, stage, tier, severity, task } => {
            let mut c = allot_event::new(lsn, Kind::Escalated).order_id(arena.add(&order));
            (c.stage, c.tier, c.severity, c.task) = (stage.into(), u32::from(tier), severity.into(), task);
            c
        }
        PipelineChange::TaskOpened { task, order, kind, severity, assignee } => {
            let mut c = allot_event::new(lsn, Kind::TaskOpened).order_id(arena.add(&order));
            let assignee = arena.add(&assignee);
            (c.task_kind, c.stage) = task_kind(kind);
            (c.task, c.severity, c.assignee, c.assignee_len) = (task, severity.into(), assignee.ptr, assignee.len);
            c
        }
        PipelineChange::TaskChanged { task, state, severity, by } => {
            let mut c = allot_event::new(lsn, Kind::TaskChanged).by(arena.add(&by));
            (c.task, c.task_state, c.severity) = (task, state.into(), severity.into());
            c
        }
        PipelineChange::Notified { order, kind } => {
            let mut c = allot_event::new(lsn, Kind::Notified).order_id(arena.add(&order));
            c.notification = kind.into();
            c
        }
        PipelineChange::Blacklist { list, value, added, by } => {
            let mut c = allot_event::new(lsn, Kind::Blacklist).by(arena.add(&by));
            let value = arena.add(&value);
            (c.blacklist, c.value, c.value_len, c.added) = (list.into(), value.ptr, value.len, added);
            c
        }
        PipelineChange::Rules { text, by } => {
            let mut c = allot_event::new(lsn, Kind::Rules).by(arena.add(&by));
            let text = arena.add(&text);
            (c.rules_text, c.rules_text_len) = (text.ptr, text.len);
            c
        }
        PipelineChange::StockAlert { sku, available, threshold } => {
            let mut c = allot_event::new(lsn, Kind::StockAlert).sku(codes.sku(arena, sku)?);
            (c.available, c.threshold) = (available, threshold);
            c
        }
        // `PipelineChange` is non-exhaustive: the core may add kinds of change before this
        // library learns to describe them.
        _ => allot_event::new(lsn, Kind::Pipeline),
    })
}

/// Polls the state changes after the LSN `after_lsn` (0: from the oldest still in the log), in
/// order, at most `max_events` (1 to `ALLOT_EVENTS_BATCH_MAX`), and writes a new handle to
/// `*out_events` (the caller frees it with `allot_events_free()`; it may hold no events). To
/// continue, pass the LSN of the last event received. Only changes as durable as the engine's
/// sync mode promises are shown, so a subscriber never acts on a change that a crash could take
/// back.
///
/// Errors: `ALLOT_STATUS_CURSOR_EXPIRED` (a checkpoint removed the events after `after_lsn`:
/// resynchronise from the stock reads, then continue from `allot_engine_last_lsn()`),
/// `ALLOT_STATUS_LIMIT_EXCEEDED` (`max_events` is above the limit, or 0: the message says at
/// least 1 is needed),
/// `ALLOT_STATUS_INVALID_INPUT` (NULL `client` or `out_events`),
/// `ALLOT_STATUS_PERMISSION_DENIED` (logistics), `ALLOT_STATUS_CLOSED`, `ALLOT_STATUS_IO`,
/// `ALLOT_STATUS_CORRUPTION`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_events(
    client: *const allot_client,
    after_lsn: u64,
    max_events: usize,
    out_events: *mut *mut allot_events,
) -> allot_status {
    guard("allot_client_events", || {
        // SAFETY: the header's contract: a live client handle or NULL.
        let client = unsafe { client_ref(client) }?;
        // SAFETY: the header's contract: NULL or one writable pointer.
        let out = inputs(client, Operation::ReadStock, || unsafe { required(out_events, "out_events") })?;
        let events = client.events(after_lsn, max_events)?;
        out.write(Box::into_raw(Box::new(allot_events::new(client, events)?)));
        Ok(())
    })
}

/// How many events the handle holds; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_events_count(events: *const allot_events) -> usize {
    crate::panic::guard_value(0, || {
        // SAFETY: the header's contract: NULL or a live events handle.
        unsafe { events.as_ref() }.map_or(0, |events| events.events.len())
    })
}

/// Copies event `index` (0 to count - 1, oldest first) into `*out_event`; its strings and lines
/// are borrowed from the handle.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `events` or `out_event`, `index` out of range).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_events_get(
    events: *const allot_events,
    index: usize,
    out_event: *mut allot_event,
) -> allot_status {
    guard("allot_events_get", || {
        // SAFETY: the header's contract: a live events handle, and one writable struct.
        let (events, out) = unsafe { (reference(events, "events")?, required(out_event, "out_event")?) };
        let event = events.events.get(index).ok_or_else(|| Error::InvalidInput {
            message: format!("event index {index} is out of range: the handle holds {}", events.events.len()),
        })?;
        out.write(*event);
        Ok(())
    })
}

/// Frees an events handle and every string and line borrowed from it. NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_events_free(events: *mut allot_events) {
    crate::panic::guard_value((), || {
        // SAFETY: the header's contract: NULL or a handle from allot_client_events, freed once.
        drop(unsafe { pointers::free(events) });
    })
}
