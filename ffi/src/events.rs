//! Event polling: the engine's log, read back by LSN cursor, as an `allot_events` handle.
//!
//! Each poll decodes the core's `Event`s into flat C structs at once, resolving SKU and
//! warehouse ids to codes, so that reading the handle afterwards is plain memory access from
//! any thread. One kind per state change; the fields that do not apply to a kind are 0 or "".

use std::ffi::c_char;

use allot_core::log::{Movement, Record, Settlement};
use allot_core::{BufferRule, Client, Error, Event, Operation};

use crate::client::{allot_buffer, allot_client, client_ref, inputs};
use crate::codes::Codes;
use crate::panic::guard;
use crate::pointers::{self, reference, required};
use crate::reservation::{allot_reserved_line, reserved_lines};
use crate::status::allot_status;
use crate::strings::{Arena, CText};

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
    /// A change in the order pipeline (orders, tasks, the blacklist, the rules), which this
    /// version of the C library does not describe further: `at_ms`.
    Pipeline = 13,
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
    /// RESERVE, COMMIT, RELEASE, EXPIRE.
    pub order_id: *const c_char,
    pub order_id_len: usize,
    /// ADD_SKU, SET_BUFFER and the stock movements.
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
    /// RESERVE, COMMIT, RELEASE, EXPIRE, PIPELINE: when (engine clock, ms since the Unix
    /// epoch).
    pub at_ms: u64,
    /// RESERVE: when the hold expires (engine clock); 0: never.
    pub expires_at_ms: u64,
    /// RESERVE: the reserved lines (SKU, warehouse, qty); NULL (and 0) for the other kinds.
    pub lines: *const allot_reserved_line,
    pub lines_len: usize,
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
        }
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
            Record::Pipeline { at_ms, .. } => {
                let mut c = allot_event::new(lsn, Kind::Pipeline);
                c.at_ms = at_ms;
                c
            }
            // `Record` is non-exhaustive: the core may add kinds of change before this library
            // learns to describe them.
            _ => allot_event::new(lsn, Kind::Other),
        })
    }
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
/// `ALLOT_STATUS_LIMIT_EXCEEDED` (`max_events` is 0 or above the limit),
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
