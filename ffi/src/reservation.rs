//! Reserve, commit, release, look-up, and the `allot_reservation` handle.
//!
//! The reserve call is the hot path: with `out_reservation == NULL` it allocates nothing of its
//! own (up to [`INLINE_LINES`] lines are decoded on the stack) and costs the core's reserve plus
//! the UTF-8 checks of the order id and codes.

use std::ffi::c_char;

use allot_core::limits::ORDER_LINES_MAX;
use allot_core::{Client, Error, Operation, OrderRequest, Reservation, ReservationState, ReserveOptions, Settled};

use crate::client::{allot_client, client_ref, inputs};
use crate::codes::Codes;
use crate::limits::ALLOT_RESERVE_BATCH_MAX;
use crate::panic::guard;
use crate::pointers::{self, array, reference, required};
use crate::status::allot_status;
use crate::strings::{self, Arena, text};

/// One line of an order: `qty` units (1 to `ALLOT_LINE_QTY_MAX`) of the SKU `sku` (`sku_len`
/// bytes of UTF-8). Lines naming the same SKU are summed.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct allot_order_line {
    pub sku: *const c_char,
    pub sku_len: usize,
    pub qty: u32,
}

/// Options of one reserve call. A zeroed struct (`{0}`) is the defaults, as is passing NULL.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct allot_reserve_options {
    /// Region code of the delivery address (`ship_to_len` bytes); warehouses nearer to it are
    /// preferred. Length 0: no preference.
    pub ship_to: *const c_char,
    pub ship_to_len: usize,
    /// How long the hold lasts, in ms (at most `ALLOT_TTL_MS_MAX`); 0: the engine's default TTL.
    pub ttl_ms: u64,
    /// Whether lines may be served from different warehouses when no single warehouse can serve
    /// the whole order.
    pub allow_split: bool,
}

/// Where a reservation is in its life. Only `HELD` holds stock; the others are final.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum allot_reservation_state {
    /// Holding stock until committed, released or expired.
    Held = 0,
    /// The goods left: its units left on hand and reserved.
    Committed = 1,
    /// Cancelled: its units returned to available.
    Released = 2,
    /// Its TTL passed before a commit or release: its units returned to available.
    Expired = 3,
}

impl From<ReservationState> for allot_reservation_state {
    fn from(state: ReservationState) -> allot_reservation_state {
        match state {
            ReservationState::Held => allot_reservation_state::Held,
            ReservationState::Committed => allot_reservation_state::Committed,
            ReservationState::Released => allot_reservation_state::Released,
            ReservationState::Expired => allot_reservation_state::Expired,
        }
    }
}

/// One line of a reservation: `qty` units of SKU `sku` held in warehouse `warehouse`. The
/// strings are NUL-terminated (the lengths exclude the NUL) and borrowed from the handle that
/// produced the line (an `allot_reservation` or `allot_events`) until it is freed.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct allot_reserved_line {
    pub sku: *const c_char,
    pub sku_len: usize,
    pub warehouse: *const c_char,
    pub warehouse_len: usize,
    pub qty: u32,
}

/// What an `allot_reservation` handle holds. Every pointer is borrowed from the handle and
/// valid until `allot_reservation_free()`; the strings are NUL-terminated.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct allot_reservation_info {
    /// The order id the reservation was made under.
    pub order_id: *const c_char,
    pub order_id_len: usize,
    /// The reservation's state when the handle was made.
    pub state: allot_reservation_state,
    /// True when the reserve call found the order already reserved with the same lines and held
    /// nothing new (an idempotent repeat). Always false from `allot_client_reservation()`.
    pub repeat: bool,
    /// The LSN of the reserve record.
    pub lsn: u64,
    /// When it was reserved (engine clock, ms since the Unix epoch).
    pub reserved_at_ms: u64,
    /// When a held reservation expires (engine clock, ms since the Unix epoch); 0: never.
    pub expires_at_ms: u64,
    /// The lines, by SKU and warehouse: an order line served from two warehouses is two lines.
    pub lines: *const allot_reserved_line,
    pub lines_len: usize,
}

/// A reservation, as a reserve call or a look-up found it: an immutable snapshot, owned by the
/// caller, freed with `allot_reservation_free()`. Any number of threads may read one at once.
pub struct allot_reservation {
    info: allot_reservation_info,
    /// `info.lines` points here; never modified after the handle is made.
    _lines: Vec<allot_reserved_line>,
    /// Every string `info` and its lines point to.
    _arena: Arena,
}

impl allot_reservation {
    pub(crate) fn new(client: &Client, order_id: &str, reservation: &Reservation) -> Result<allot_reservation, Error> {
        let mut arena = Arena::default();
        let mut codes = Codes::new(client);
        let lines = reserved_lines(&mut codes, &mut arena, &reservation.lines)?;
        let order = arena.add(order_id);
        let info = allot_reservation_info {
            order_id: order.ptr,
            order_id_len: order.len,
            state: reservation.state.into(),
            repeat: reservation.repeat,
            lsn: reservation.lsn,
            reserved_at_ms: reservation.reserved_at_ms,
            expires_at_ms: reservation.expires_at_ms.unwrap_or(0),
            lines: lines.as_ptr(),
            lines_len: lines.len(),
        };
        Ok(allot_reservation { info, _lines: lines, _arena: arena })
    }
}

/// The C lines of a reservation, their codes resolved into `arena`.
pub(crate) fn reserved_lines(
    codes: &mut Codes<'_>,
    arena: &mut Arena,
    lines: &[allot_core::ReservedLine],
) -> Result<Vec<allot_reserved_line>, Error> {
    lines
        .iter()
        .map(|line| {
            let sku = codes.sku(arena, line.sku)?;
            let warehouse = codes.warehouse(arena, line.warehouse)?;
            Ok(allot_reserved_line {
                sku: sku.ptr,
                sku_len: sku.len,
                warehouse: warehouse.ptr,
                warehouse_len: warehouse.len,
                qty: line.qty,
            })
        })
        .collect()
}

/// What a commit or release did.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct allot_settled {
    /// The reservation's state after the call.
    pub state: allot_reservation_state,
    /// False when the reservation was already in a final state and nothing changed.
    pub changed: bool,
    /// The LSN of the record that settled the reservation (this call's or an earlier one's).
    pub lsn: u64,
}

impl From<Settled> for allot_settled {
    fn from(settled: Settled) -> allot_settled {
        allot_settled { state: settled.state.into(), changed: settled.changed, lsn: settled.lsn }
    }
}

/// Orders of up to this many lines are decoded on the stack (most orders have one to three).
const INLINE_LINES: usize = 8;

/// Decodes one C order line; errors name the line.
///
/// # Safety
///
/// `line.sku` is NULL or readable for `line.sku_len` bytes, for `'a`.
unsafe fn order_line<'a>(index: usize, line: &allot_order_line) -> Result<(&'a str, u32), Error> {
    // SAFETY: passed on from the caller.
    let sku = unsafe { text(line.sku, line.sku_len, strings::SKU_CODE) }
        .map_err(|error| strings::in_element(&format!("order line {index}"), error))?;
    Ok((sku, line.qty))
}

/// Decodes the options argument: NULL means the defaults.
///
/// # Safety
///
/// `options` is NULL or a readable struct whose `ship_to` is NULL or readable for its length.
unsafe fn reserve_options<'a>(options: *const allot_reserve_options) -> Result<ReserveOptions<'a>, Error> {
    if options.is_null() {
        return Ok(ReserveOptions::new());
    }
    // SAFETY: not NULL; the caller guarantees a readable struct.
    let options = *unsafe { reference(options, "options") }?;
    // SAFETY: the caller guarantees `ship_to` is NULL or readable for its length.
    let ship_to = unsafe { text(options.ship_to, options.ship_to_len, strings::SHIP_TO) }?;
    let mut core = ReserveOptions::new().allow_split(options.allow_split);
    if !ship_to.is_empty() {
        core = core.ship_to(ship_to);
    }
    if options.ttl_ms > 0 {
        core = core.ttl_ms(options.ttl_ms);
    }
    Ok(core)
}

/// Reserves every line of an order or none, choosing warehouses (nearest to the ship-to region,
/// then by priority, then by stock; one warehouse for the whole order unless `allow_split`).
/// `lines` is an array of `lines_len` lines (1 to `ALLOT_ORDER_LINES_MAX`); `options` may be
/// NULL for the defaults.
///
/// Idempotent by `order_id`: the same lines again return the first reservation (`repeat` is
/// true) and hold nothing new; other lines are `ALLOT_STATUS_DUPLICATE_ORDER`.
///
/// `out_reservation` may be NULL (the fast path: nothing is allocated); otherwise it receives a
/// new `allot_reservation` handle that the caller frees with `allot_reservation_free()`.
///
/// Errors: `ALLOT_STATUS_INSUFFICIENT_STOCK` (nothing was reserved; the message names the SKU),
/// `ALLOT_STATUS_DUPLICATE_ORDER`, `ALLOT_STATUS_INVALID_INPUT` (NULL `client`, bad strings, no
/// lines, a quantity of 0, a NULL `lines` with a nonzero length), `ALLOT_STATUS_LIMIT_EXCEEDED`
/// (too many lines, a quantity above `ALLOT_LINE_QTY_MAX`, a TTL above `ALLOT_TTL_MS_MAX`),
/// `ALLOT_STATUS_UNKNOWN_SKU`, `ALLOT_STATUS_PERMISSION_DENIED`, `ALLOT_STATUS_CLOSED`, storage
/// errors. If the engine is closed while the call runs, `ALLOT_STATUS_CLOSED` may come after
/// the reservation was recorded (while its codes were being looked up for `out_reservation`);
/// reserving again with the same order id and lines after reopening returns it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_reserve(
    client: *const allot_client,
    order_id: *const c_char,
    order_id_len: usize,
    lines: *const allot_order_line,
    lines_len: usize,
    options: *const allot_reserve_options,
    out_reservation: *mut *mut allot_reservation,
) -> allot_status {
    guard("allot_client_reserve", || {
        // SAFETY: the header's contract: a live client handle or NULL.
        let client = unsafe { client_ref(client) }?;
        let (order_id, lines, options) = inputs(client, Operation::Reserve, || {
            if lines_len > ORDER_LINES_MAX {
                return Err(Error::LimitExceeded {
                    limit: "ORDER_LINES_MAX",
                    what: "the number of order lines".into(),
                    max: ORDER_LINES_MAX as u64,
                    actual: lines_len as u64,
                });
            }
            // SAFETY: the header's contract: readable strings, `lines_len` readable lines (at
            // most ORDER_LINES_MAX, checked above), and NULL or a readable options struct.
            unsafe {
                Ok((
                    text(order_id, order_id_len, strings::ORDER_ID)?,
                    array(lines, lines_len, "lines")?,
                    reserve_options(options)?,
                ))
            }
        })?;
        // SAFETY: the header's contract: NULL or one writable pointer.
        let out = unsafe { pointers::optional(out_reservation) };

        // Filled only by the branch that uses it.
        let mut inline: [(&str, u32); INLINE_LINES];
        let heap: Vec<(&str, u32)>;
        let single: [(&str, u32); 1];
        let decoded: &[(&str, u32)] = if let [line] = lines {
            // Most orders have one line: no array to fill.
            // SAFETY: the header's contract: the line's SKU NULL or readable for its length.
            single = [inputs(client, Operation::Reserve, || unsafe { order_line(0, line) })?];
            &single
        } else if lines.len() <= INLINE_LINES {
            inline = [("", 0); INLINE_LINES];
            for (index, (slot, line)) in inline.iter_mut().zip(lines).enumerate() {
                // SAFETY: the header's contract: each line's SKU NULL or readable for its length.
                *slot = inputs(client, Operation::Reserve, || unsafe { order_line(index, line) })?;
            }
            &inline[..lines.len()]
        } else {
            heap = lines
                .iter()
                .enumerate()
                // SAFETY: as above.
                .map(|(index, line)| inputs(client, Operation::Reserve, || unsafe { order_line(index, line) }))
                .collect::<Result<_, _>>()?;
            &heap
        };

        let reservation = client.reserve(order_id, decoded, &options)?;
        if let Some(out) = out {
            let handle = allot_reservation::new(client, order_id, &reservation)?;
            out.write(Box::into_raw(Box::new(handle)));
        }
        Ok(())
    })
}

/// One order of a batch (`allot_client_reserve_many()`): the arguments of one
/// `allot_client_reserve()` call. `options` may be NULL for the defaults.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct allot_order_request {
    pub order_id: *const c_char,
    pub order_id_len: usize,
    pub lines: *const allot_order_line,
    pub lines_len: usize,
    pub options: *const allot_reserve_options,
}

/// The lines of one order, decoded.
type Lines<'a> = Vec<(&'a str, u32)>;

/// Decodes one order of a batch; errors name the order.
///
/// # Safety
///
/// Every pointer in `request` is NULL or readable for its length, for `'a`.
unsafe fn order_request<'a>(
    index: usize,
    request: &allot_order_request,
) -> Result<(&'a str, Lines<'a>, ReserveOptions<'a>), Error> {
    let context = || format!("order {index} of the batch");
    if request.lines_len > ORDER_LINES_MAX {
        return Err(Error::LimitExceeded {
            limit: "ORDER_LINES_MAX",
            what: format!("the number of lines of {}", context()),
            max: ORDER_LINES_MAX as u64,
            actual: request.lines_len as u64,
        });
    }
    // SAFETY: the header's contract, passed on from the caller; `lines_len` is checked above.
    unsafe {
        let decoded = (|| {
            let order_id = text(request.order_id, request.order_id_len, strings::ORDER_ID)?;
            let lines = array(request.lines, request.lines_len, "lines")?
                .iter()
                .enumerate()
                .map(|(line_index, line)| order_line(line_index, line))
                .collect::<Result<Lines<'a>, Error>>()?;
            Ok((order_id, lines, reserve_options(request.options)?))
        })();
        decoded.map_err(|error| strings::in_element(&context(), error))
    }
}

/// Reserves a batch of `orders_len` orders (0 to `ALLOT_RESERVE_BATCH_MAX`), each all-or-nothing
/// on its own exactly as `allot_client_reserve()` would, waiting for durability once for the
/// whole batch: the bulk-load path. `out_statuses` (an array of `orders_len`; may be NULL only
/// when `orders_len` is 0) receives each order's status, in the order given: `ALLOT_STATUS_OK`,
/// or what `allot_client_reserve()` would have returned for it (`ALLOT_STATUS_INSUFFICIENT_STOCK`,
/// `ALLOT_STATUS_DUPLICATE_ORDER`, `ALLOT_STATUS_INVALID_INPUT` for a malformed order, ...). To
/// learn more about one order's failure, reserve it alone. `out_reservations` may be NULL;
/// otherwise it is an array of `orders_len` pointers, each receiving a new `allot_reservation`
/// handle for an order reserved (free each with `allot_reservation_free()`) or NULL for one that
/// failed.
///
/// The call itself succeeds when the batch ran, whatever each order's outcome; only then are
/// the outputs written.
///
/// Errors (the whole batch; nothing was reserved unless stated): `ALLOT_STATUS_INVALID_INPUT`
/// (NULL `client`, a NULL `orders` or `out_statuses` with a nonzero length),
/// `ALLOT_STATUS_LIMIT_EXCEEDED` (more than `ALLOT_RESERVE_BATCH_MAX` orders),
/// `ALLOT_STATUS_PERMISSION_DENIED`, `ALLOT_STATUS_CLOSED`, storage errors (the orders reserved
/// before the failure may stand: reserving them again returns them).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_reserve_many(
    client: *const allot_client,
    orders: *const allot_order_request,
    orders_len: usize,
    out_statuses: *mut allot_status,
    out_reservations: *mut *mut allot_reservation,
) -> allot_status {
    guard("allot_client_reserve_many", || {
        // SAFETY: the header's contract: a live client handle or NULL.
        let client = unsafe { client_ref(client) }?;
        let (requests, statuses) = inputs(client, Operation::Reserve, || {
            if orders_len > ALLOT_RESERVE_BATCH_MAX {
                return Err(Error::LimitExceeded {
                    limit: "ALLOT_RESERVE_BATCH_MAX",
                    what: "the number of orders in one batch".into(),
                    max: ALLOT_RESERVE_BATCH_MAX as u64,
                    actual: orders_len as u64,
                });
            }
            // SAFETY: the header's contract: `orders_len` (checked above) readable requests and
            // as many writable statuses.
            unsafe {
                Ok((
                    array(orders, orders_len, "orders")?,
                    pointers::required_array(out_statuses, orders_len, "out_statuses")?,
                ))
            }
        })?;
        // SAFETY: the header's contract: NULL or `orders_len` writable pointers.
        let handles_out = unsafe { pointers::optional_array(out_reservations, orders_len) };
        let decoded: Vec<_> = requests
            .iter()
            .enumerate()
            // SAFETY: the header's contract: each request's pointers readable for their lengths.
            .map(|(index, request)| unsafe { order_request(index, request) })
            .collect();
        let batch: Vec<OrderRequest<'_>> = decoded
            .iter()
            .filter_map(|order| order.as_ref().ok())
            .map(|(order_id, lines, options)| OrderRequest { order_id, lines, options: *options })
            .collect();
        let mut reserved = client.reserve_many(&batch)?.into_iter();
        let results: Vec<Result<Reservation, Error>> = decoded
            .into_iter()
            .map(|order| match order {
                Ok(_) => reserved.next().expect("the core answers each order of the batch"),
                Err(error) => Err(error),
            })
            .collect();
        let handles = match handles_out {
            Some(_) => requests
                .iter()
                .zip(&results)
                .map(|(request, result)| match result {
                    Ok(reservation) => {
                        // SAFETY: decoded above, so readable and valid UTF-8.
                        let order_id = unsafe { text(request.order_id, request.order_id_len, strings::ORDER_ID) }?;
                        Ok(Some(Box::new(allot_reservation::new(client, order_id, reservation)?)))
                    }
                    Err(_) => Ok(None),
                })
                .collect::<Result<Vec<_>, Error>>()?,
            None => Vec::new(),
        };
        statuses.write(results.iter().map(|result| match result {
            Ok(_) => allot_status::Ok,
            Err(error) => allot_status::from_code(error.code()),
        }));
        if let Some(out) = handles_out {
            out.write(handles.into_iter().map(|handle| handle.map_or(std::ptr::null_mut(), Box::into_raw)));
        }
        Ok(())
    })
}

/// The shared shape of commit and release.
///
/// # Safety
///
/// The exported function's arguments, under the header's contract.
unsafe fn settle(
    client: *const allot_client,
    operation: Operation,
    order_id: (*const c_char, usize),
    out_settled: *mut allot_settled,
) -> Result<(), Error> {
    // SAFETY: passed on from the exported function's caller.
    let client = unsafe { client_ref(client) }?;
    // SAFETY: passed on from the exported function's caller.
    let order_id = inputs(client, operation, || unsafe { text(order_id.0, order_id.1, strings::ORDER_ID) })?;
    // SAFETY: the header's contract: NULL or one writable struct.
    let out = unsafe { pointers::optional(out_settled) };
    let settled = match operation {
        Operation::Commit => client.commit(order_id)?,
        _ => client.release(order_id)?,
    };
    if let Some(out) = out {
        out.write(settled.into());
    }
    Ok(())
}

/// The goods left: the reservation's units leave on hand and reserved. Committing twice is
/// harmless (`changed` is false). `*out_settled` (may be NULL) receives what the call did.
///
/// Errors: `ALLOT_STATUS_UNKNOWN_ORDER`, `ALLOT_STATUS_ILLEGAL_TRANSITION` (the order was
/// released or expired; if its TTL had passed but no sweep had expired it yet, this call
/// records the expiry and then answers so), `ALLOT_STATUS_INVALID_INPUT`, `ALLOT_STATUS_LIMIT_EXCEEDED`,
/// `ALLOT_STATUS_PERMISSION_DENIED`, `ALLOT_STATUS_CLOSED`, storage errors.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_commit(
    client: *const allot_client,
    order_id: *const c_char,
    order_id_len: usize,
    out_settled: *mut allot_settled,
) -> allot_status {
    guard("allot_client_commit", || {
        // SAFETY: the exported arguments, under the header's contract.
        unsafe { settle(client, Operation::Commit, (order_id, order_id_len), out_settled) }
    })
}

/// Cancelled: the reservation's units return to available. Releasing twice, or releasing an
/// expired order, is harmless (`changed` is false; the state says `EXPIRED` for the latter, also
/// when this call found the TTL passed and recorded the expiry). `*out_settled` (may be NULL)
/// receives what the call did.
///
/// Errors: `ALLOT_STATUS_UNKNOWN_ORDER`, `ALLOT_STATUS_ILLEGAL_TRANSITION` (the order was
/// committed), `ALLOT_STATUS_INVALID_INPUT`, `ALLOT_STATUS_LIMIT_EXCEEDED`,
/// `ALLOT_STATUS_PERMISSION_DENIED`, `ALLOT_STATUS_CLOSED`, storage errors.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_release(
    client: *const allot_client,
    order_id: *const c_char,
    order_id_len: usize,
    out_settled: *mut allot_settled,
) -> allot_status {
    guard("allot_client_release", || {
        // SAFETY: the exported arguments, under the header's contract.
        unsafe { settle(client, Operation::Release, (order_id, order_id_len), out_settled) }
    })
}

/// Looks up the reservation made under `order_id` and writes a new handle to
/// `*out_reservation` (the caller frees it with `allot_reservation_free()`).
///
/// Errors: `ALLOT_STATUS_UNKNOWN_ORDER` (never reserved, refused, or forgotten after the
/// idempotency window), `ALLOT_STATUS_INVALID_INPUT` (also: NULL `out_reservation`),
/// `ALLOT_STATUS_LIMIT_EXCEEDED`, `ALLOT_STATUS_PERMISSION_DENIED` (logistics),
/// `ALLOT_STATUS_CLOSED`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_reservation(
    client: *const allot_client,
    order_id: *const c_char,
    order_id_len: usize,
    out_reservation: *mut *mut allot_reservation,
) -> allot_status {
    guard("allot_client_reservation", || {
        // SAFETY: the header's contract: a live client handle or NULL.
        let client = unsafe { client_ref(client) }?;
        let (order_id, out) = inputs(client, Operation::ReadStock, || {
            // SAFETY: the header's contract: a readable string, one writable pointer.
            unsafe {
                Ok((text(order_id, order_id_len, strings::ORDER_ID)?, required(out_reservation, "out_reservation")?))
            }
        })?;
        let reservation =
            client.reservation(order_id)?.ok_or_else(|| Error::UnknownOrder { order: order_id.to_owned() })?;
        let handle = allot_reservation::new(client, order_id, &reservation)?;
        out.write(Box::into_raw(Box::new(handle)));
        Ok(())
    })
}

/// Copies what the handle holds into `*out_info`; its pointers are borrowed from the handle.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `reservation` or `out_info`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_reservation_get_info(
    reservation: *const allot_reservation,
    out_info: *mut allot_reservation_info,
) -> allot_status {
    guard("allot_reservation_get_info", || {
        // SAFETY: the header's contract: a live reservation handle, and one writable struct.
        let (reservation, out) = unsafe { (reference(reservation, "reservation")?, required(out_info, "out_info")?) };
        out.write(reservation.info);
        Ok(())
    })
}

/// Frees a reservation handle and every string and line borrowed from it. NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_reservation_free(reservation: *mut allot_reservation) {
    crate::panic::guard_value((), || {
        // SAFETY: the header's contract: NULL or a handle from this library, freed once.
        drop(unsafe { pointers::free(reservation) });
    })
}
