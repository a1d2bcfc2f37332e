//! The order pipeline: intake (an order form, or a channel's own payload), orders as handles,
//! the moves of the order state machine, and clients that record who acts.
//!
//! An `allot_order` is an immutable snapshot of the core's `Order`, its strings and arrays in
//! the handle; an `allot_intake` holds the order intake made (and the reservation, if stock was
//! held at once) as borrowed handles; an `allot_orders` is a list of order snapshots.

use std::ffi::{CString, c_char};

use allot_core::limits::ORDER_LINES_MAX;
use allot_core::order::{Address, FormLine, Intake, Order, OrderForm};
use allot_core::{Client, Error, Operation};

use crate::client::{allot_client, client_ref, inputs};
use crate::panic::guard;
use crate::pointers::{self, array, reference, required, slice_ptr};
use crate::reservation::allot_reservation;
use crate::status::allot_status;
use crate::strings::{self, Arena, CText, text};
use crate::text::allot_string;
use crate::vocabulary::{
    OrderStateArg, PaymentArg, TrackingKindArg, allot_flag, allot_order_state, allot_path, allot_payment,
    allot_severity, order_state_arg, payment_arg, tracking_kind_arg,
};

/// A delivery address in the shape of Chinese addresses. Each field is `(ptr, len)` UTF-8, at
/// most `ALLOT_ADDRESS_FIELD_BYTES_MAX` bytes; any may be empty (the intake checks flag an
/// incomplete or unknown address rather than refuse the order).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct allot_address {
    pub recipient: *const c_char,
    pub recipient_len: usize,
    pub phone: *const c_char,
    pub phone_len: usize,
    /// A province-level division ("广东省", "上海市").
    pub province: *const c_char,
    pub province_len: usize,
    /// A city-level division of the province ("深圳市").
    pub city: *const c_char,
    pub city_len: usize,
    /// Optional ("南山区").
    pub district: *const c_char,
    pub district_len: usize,
    /// The street-level rest of the address.
    pub detail: *const c_char,
    pub detail_len: usize,
}

/// One line of an order form: `qty` units (1 to `ALLOT_LINE_QTY_MAX`) of SKU `sku`, at
/// `unit_price_minor` each, in the currency's minor unit (fen for CNY).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct allot_form_line {
    pub sku: *const c_char,
    pub sku_len: usize,
    pub qty: u32,
    pub unit_price_minor: u64,
}

/// An order as Allot knows it, whatever channel it came from (the core's `OrderForm`): the input
/// of `allot_client_intake()`, and the `form` of `allot_order_info` (there, every pointer is
/// borrowed from the order's handle and every string is also NUL-terminated).
///
/// The order's key is `channel:channel_order_id` (at most `ALLOT_ORDER_ID_BYTES_MAX` bytes in
/// all; the channel may not contain ':'): the same channel order taken in twice is one order.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct allot_order_form {
    /// The channel's code (`taobao`, `jd`, `pdd`, or any code the seller uses).
    pub channel: *const c_char,
    pub channel_len: usize,
    /// The channel's own id of the order.
    pub channel_order_id: *const c_char,
    pub channel_order_id_len: usize,
    /// The buyer's id on the channel (at most `ALLOT_BUYER_ID_BYTES_MAX` bytes).
    pub buyer_id: *const c_char,
    pub buyer_id_len: usize,
    pub ship_to: allot_address,
    /// 1 to `ALLOT_ORDER_LINES_MAX` lines.
    pub lines: *const allot_form_line,
    pub lines_len: usize,
    /// Shipped across a border: a person always looks at it.
    pub cross_border: bool,
    /// A return or exchange order: a person always looks at it.
    pub is_return: bool,
    /// An `allot_payment`; anything but `ALLOT_PAYMENT_PAID` flags the order `unpaid`.
    pub payment: PaymentArg,
    /// When the buyer placed it, by the channel's clock (ms since the Unix epoch; 0: unknown).
    pub placed_at_ms: u64,
}

/// A flag raised on an order at intake: which check, how serious, and what exactly was wrong.
/// `detail` is borrowed from the order's handle.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct allot_order_flag {
    pub code: allot_flag,
    pub severity: allot_severity,
    pub detail: *const c_char,
    pub detail_len: usize,
}

/// What an `allot_order` handle holds (the core's `Order`). Every pointer is borrowed from the
/// handle (or the `allot_orders` list it came from) and valid until that is freed; strings are
/// NUL-terminated, "" where they do not apply.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct allot_order_info {
    /// `channel:channel_order_id`: the key of every call about the order, and the order id of
    /// its reservation.
    pub key: *const c_char,
    pub key_len: usize,
    /// Its state when the snapshot was taken.
    pub state: allot_order_state,
    /// The path routing chose at intake.
    pub path: allot_path,
    /// The name of the routing rule that chose the path; "" when no rule matched and the rules'
    /// default path applied.
    pub rule: *const c_char,
    pub rule_len: usize,
    /// The flags the intake checks raised (`flags_len` of them; NULL when there are none).
    pub flags: *const allot_order_flag,
    pub flags_len: usize,
    /// The order form as taken in.
    pub form: allot_order_form,
    /// The waybill, once shipped: the carrier's code and the number; "" before.
    pub carrier: *const c_char,
    pub carrier_len: usize,
    pub tracking_number: *const c_char,
    pub tracking_number_len: usize,
    /// Whether a person acted on it (zero-touch orders never are).
    pub touched: bool,
    /// When it was taken in, and when it entered its current state (engine clock, ms since the
    /// Unix epoch).
    pub received_at_ms: u64,
    pub state_since_ms: u64,
    /// The LSN of its last change.
    pub last_lsn: u64,
}

/// An order, as a look-up or an intake found it: an immutable snapshot, owned by the caller
/// (freed with `allot_order_free()`) unless borrowed from an `allot_intake`. Any number of
/// threads may read one at once.
pub struct allot_order {
    info: allot_order_info,
    /// `info.flags` and `info.form.lines` point here; never modified after the handle is made.
    _flags: Vec<allot_order_flag>,
    _lines: Vec<allot_form_line>,
    /// Every string `info` points to.
    _arena: Arena,
}

fn text_fields(arena: &mut Arena, value: &str) -> (*const c_char, usize) {
    let CText { ptr, len } = arena.add(value);
    (ptr, len)
}

impl allot_order {
    pub(crate) fn new(order: &Order) -> allot_order {
        let mut arena = Arena::default();
        let a = &mut arena;
        let form = &order.form;
        let lines: Vec<allot_form_line> = form
            .lines
            .iter()
            .map(|line| {
                let (sku, sku_len) = text_fields(a, &line.sku);
                allot_form_line { sku, sku_len, qty: line.qty, unit_price_minor: line.unit_price_minor }
            })
            .collect();
        let flags: Vec<allot_order_flag> = order
            .flags
            .iter()
            .map(|flag| {
                let (detail, detail_len) = text_fields(a, &flag.detail);
                allot_order_flag { code: flag.code.into(), severity: flag.severity.into(), detail, detail_len }
            })
            .collect();
        let address = &form.ship_to;
        let (recipient, recipient_len) = text_fields(a, &address.recipient);
        let (phone, phone_len) = text_fields(a, &address.phone);
        let (province, province_len) = text_fields(a, &address.province);
        let (city, city_len) = text_fields(a, &address.city);
        let (district, district_len) = text_fields(a, &address.district);
        let (detail, detail_len) = text_fields(a, &address.detail);
        let (channel, channel_len) = text_fields(a, &form.channel);
        let (channel_order_id, channel_order_id_len) = text_fields(a, &form.channel_order_id);
        let (buyer_id, buyer_id_len) = text_fields(a, &form.buyer_id);
        let c_form = allot_order_form {
            channel,
            channel_len,
            channel_order_id,
            channel_order_id_len,
            buyer_id,
            buyer_id_len,
            ship_to: allot_address {
                recipient,
                recipient_len,
                phone,
                phone_len,
                province,
                province_len,
                city,
                city_len,
                district,
                district_len,
                detail,
                detail_len,
            },
            lines: slice_ptr(&lines),
            lines_len: lines.len(),
            cross_border: form.cross_border,
            is_return: form.is_return,
            payment: allot_payment::from(form.payment) as u32,
            placed_at_ms: form.placed_at_ms,
        };
        let (key, key_len) = text_fields(a, &order.key);
        let (rule, rule_len) = text_fields(a, order.rule.as_deref().unwrap_or(""));
        let (carrier, number) = order.waybill.as_ref().map_or(("", ""), |(c, n)| (c.as_str(), n.as_str()));
        let (carrier, carrier_len) = text_fields(a, carrier);
        let (tracking_number, tracking_number_len) = text_fields(a, number);
        let info = allot_order_info {
            key,
            key_len,
            state: order.state.into(),
            path: order.path.into(),
            rule,
            rule_len,
            flags: slice_ptr(&flags),
            flags_len: flags.len(),
            form: c_form,
            carrier,
            carrier_len,
            tracking_number,
            tracking_number_len,
            touched: order.touched,
            received_at_ms: order.received_at_ms,
            state_since_ms: order.state_since_ms,
            last_lsn: order.last_lsn,
        };
        allot_order { info, _flags: flags, _lines: lines, _arena: arena }
    }
}

/// What `allot_client_intake()` or `allot_client_intake_payload()` did. The handles are borrowed
/// from the `allot_intake` (read them with `allot_order_get_info()` and
/// `allot_reservation_get_info()`; never free them) and valid until `allot_intake_free()`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct allot_intake_info {
    /// True when this channel order had been taken in before: nothing new happened, and `order`
    /// is the order as it is now.
    pub repeat: bool,
    /// Why routing chose the path, in words a business user reads (NUL-terminated).
    pub reason: *const c_char,
    pub reason_len: usize,
    /// The order (never NULL).
    pub order: *const allot_order,
    /// The reservation, when stock was held at intake (the automatic path); NULL otherwise.
    pub reservation: *const allot_reservation,
}

/// The outcome of one intake, owned by the caller and freed with `allot_intake_free()`.
/// Immutable: any number of threads may read one at once.
pub struct allot_intake {
    info: allot_intake_info,
    /// `info.order`, `info.reservation` and `info.reason` point into these boxes.
    _order: Box<allot_order>,
    _reservation: Option<Box<allot_reservation>>,
    _reason: CString,
}

impl allot_intake {
    fn new(client: &Client, intake: &Intake) -> Result<allot_intake, Error> {
        let order = Box::new(allot_order::new(&intake.order));
        let reservation = match &intake.reservation {
            Some(held) => Some(Box::new(allot_reservation::new(client, &intake.order.key, held)?)),
            None => None,
        };
        let reason = strings::c_string(&intake.reason);
        let info = allot_intake_info {
            repeat: intake.repeat,
            reason: reason.as_ptr(),
            reason_len: reason.as_bytes().len(),
            order: &*order,
            reservation: reservation.as_deref().map_or(std::ptr::null(), |held| held as *const _),
        };
        Ok(allot_intake { info, _order: order, _reservation: reservation, _reason: reason })
    }
}

/// A list of orders (`allot_client_orders_in()`), owned by the caller and freed with
/// `allot_orders_free()`. Immutable: any number of threads may read one at once.
pub struct allot_orders {
    orders: Vec<allot_order>,
}

/// Decodes an order form; errors name the field.
///
/// # Safety
///
/// Every pointer in `form` is NULL or readable for its length, for `'a`.
unsafe fn read_form(form: &allot_order_form) -> Result<OrderForm, Error> {
    if form.lines_len > ORDER_LINES_MAX {
        return Err(Error::LimitExceeded {
            limit: "ORDER_LINES_MAX",
            what: "the number of order form lines".into(),
            max: ORDER_LINES_MAX as u64,
            actual: form.lines_len as u64,
        });
    }
    // SAFETY (this block): the header's contract: each string NULL or readable for its length,
    // and `lines_len` (at most ORDER_LINES_MAX, checked above) readable lines.
    unsafe {
        let lines = array(form.lines, form.lines_len, "form.lines")?
            .iter()
            .enumerate()
            .map(|(index, line)| {
                let sku = text(line.sku, line.sku_len, strings::SKU_CODE)
                    .map_err(|error| strings::in_element(&format!("form line {index}"), error))?;
                Ok(FormLine { sku: sku.into(), qty: line.qty, unit_price_minor: line.unit_price_minor })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let address = &form.ship_to;
        Ok(OrderForm {
            channel: text(form.channel, form.channel_len, strings::CHANNEL)?.into(),
            channel_order_id: text(form.channel_order_id, form.channel_order_id_len, strings::CHANNEL_ORDER_ID)?.into(),
            buyer_id: text(form.buyer_id, form.buyer_id_len, strings::BUYER_ID)?.into(),
            ship_to: Address {
                recipient: text(address.recipient, address.recipient_len, strings::RECIPIENT)?.into(),
                phone: text(address.phone, address.phone_len, strings::PHONE)?.into(),
                province: text(address.province, address.province_len, strings::PROVINCE)?.into(),
                city: text(address.city, address.city_len, strings::CITY)?.into(),
                district: text(address.district, address.district_len, strings::DISTRICT)?.into(),
                detail: text(address.detail, address.detail_len, strings::DETAIL)?.into(),
            },
            lines,
            cross_border: form.cross_border,
            is_return: form.is_return,
            payment: payment_arg("form.payment", form.payment)?,
            placed_at_ms: form.placed_at_ms,
        })
    }
}

fn write_intake(client: &Client, intake: &Intake, out: Option<pointers::Out<*mut allot_intake>>) -> Result<(), Error> {
    if let Some(out) = out {
        out.write(Box::into_raw(Box::new(allot_intake::new(client, intake)?)));
    }
    Ok(())
}

/// Takes an order in: checks it (address, phone, blacklist, velocity, amount, payment), routes
/// it by the rules file, and on the automatic path reserves its stock, all in this call. The
/// same channel order again is answered from the first intake (`repeat` is true) and changes
/// nothing. `out_intake` may be NULL; otherwise it receives a new `allot_intake` handle that the
/// caller frees with `allot_intake_free()`.
///
/// A flagged order is not an error: it is taken in (state `ALLOT_ORDER_STATE_FLAGGED`, its
/// flags in the order) and waits for a reviewer. Not enough stock on the automatic path is a
/// `stock_short` flag, not `ALLOT_STATUS_INSUFFICIENT_STOCK`.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `client` or `form`, a string that is not UTF-8 or
/// NULL with a nonzero length, an empty channel or channel order id, a channel with ':', no
/// lines, a quantity of 0, a payment that is not an `allot_payment`),
/// `ALLOT_STATUS_LIMIT_EXCEEDED` (a field above its `ALLOT_*_BYTES_MAX`, more than
/// `ALLOT_ORDER_LINES_MAX` lines, a key above `ALLOT_ORDER_ID_BYTES_MAX`),
/// `ALLOT_STATUS_UNKNOWN_SKU`, `ALLOT_STATUS_PERMISSION_DENIED` (roles other than admin and
/// orders), `ALLOT_STATUS_CLOSED`, storage errors.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_intake(
    client: *const allot_client,
    form: *const allot_order_form,
    out_intake: *mut *mut allot_intake,
) -> allot_status {
    guard("allot_client_intake", || {
        // SAFETY: the header's contract: a live client handle or NULL.
        let client = unsafe { client_ref(client) }?;
        // SAFETY: the header's contract: NULL or a readable form whose pointers are readable.
        let form = inputs(client, Operation::Intake, || unsafe { read_form(reference(form, "form")?) })?;
        // SAFETY: the header's contract: NULL or one writable pointer.
        let out = unsafe { pointers::optional(out_intake) };
        let intake = client.intake(form)?;
        write_intake(client, &intake, out)
    })
}

/// `allot_client_intake()` of a marketplace's own JSON payload (`payload_len` bytes, at most
/// `ALLOT_PAYLOAD_BYTES_MAX`): `style` is "taobao", "jd" or "pdd" (the payload's shape; the
/// fields each style reads are listed in the core's `order::adapters` documentation) and
/// `channel` the seller's code for the shop, which becomes the order's channel.
///
/// Errors: as `allot_client_intake()`; a payload that is not valid JSON, lacks a field or has a
/// malformed one is `ALLOT_STATUS_INVALID_INPUT`, whose message names the field as a JSON path
/// (`orders[2].num`); an unknown style is `ALLOT_STATUS_INVALID_INPUT` too.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_intake_payload(
    client: *const allot_client,
    style: *const c_char,
    style_len: usize,
    channel: *const c_char,
    channel_len: usize,
    payload: *const u8,
    payload_len: usize,
    out_intake: *mut *mut allot_intake,
) -> allot_status {
    guard("allot_client_intake_payload", || {
        // SAFETY: the header's contract: a live client handle or NULL.
        let client = unsafe { client_ref(client) }?;
        let (style, channel, payload) = inputs(client, Operation::Intake, || {
            // SAFETY: the header's contract: each argument NULL or readable for its length.
            unsafe {
                Ok((
                    text(style, style_len, strings::STYLE)?,
                    text(channel, channel_len, strings::CHANNEL)?,
                    strings::bytes(payload, payload_len, strings::PAYLOAD)?,
                ))
            }
        })?;
        // SAFETY: the header's contract: NULL or one writable pointer.
        let out = unsafe { pointers::optional(out_intake) };
        let intake = client.intake_payload(style, channel, payload)?;
        write_intake(client, &intake, out)
    })
}

/// Copies what the intake handle holds into `*out_info`; its pointers are borrowed from the
/// handle.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `intake` or `out_info`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_intake_get_info(
    intake: *const allot_intake,
    out_info: *mut allot_intake_info,
) -> allot_status {
    guard("allot_intake_get_info", || {
        // SAFETY: the header's contract: a live intake handle, and one writable struct.
        let (intake, out) = unsafe { (reference(intake, "intake")?, required(out_info, "out_info")?) };
        out.write(intake.info);
        Ok(())
    })
}

/// Frees an intake handle, with the order and reservation handles borrowed from it. NULL does
/// nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_intake_free(intake: *mut allot_intake) {
    crate::panic::guard_value((), || {
        // SAFETY: the header's contract: NULL or a handle from this library, freed once.
        drop(unsafe { pointers::free(intake) });
    })
}

/// Looks up the order under `key` (`channel:channel_order_id`) and writes a new handle to
/// `*out_order` (the caller frees it with `allot_order_free()`). An order that was never taken
/// in is `ALLOT_STATUS_UNKNOWN_ORDER`, as for `allot_client_reservation()`.
///
/// Errors: `ALLOT_STATUS_UNKNOWN_ORDER`, `ALLOT_STATUS_INVALID_INPUT` (also: NULL `out_order`, an
/// empty key), `ALLOT_STATUS_LIMIT_EXCEEDED`, `ALLOT_STATUS_CLOSED`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_order(
    client: *const allot_client,
    key: *const c_char,
    key_len: usize,
    out_order: *mut *mut allot_order,
) -> allot_status {
    guard("allot_client_order", || {
        // SAFETY: the header's contract: a live client handle or NULL.
        let client = unsafe { client_ref(client) }?;
        let (key, out) = inputs(client, Operation::ReadOrders, || {
            // SAFETY: the header's contract: a readable string, one writable pointer.
            unsafe { Ok((text(key, key_len, strings::ORDER_KEY)?, required(out_order, "out_order")?)) }
        })?;
        let order = client.order(key)?.ok_or_else(|| Error::UnknownOrder { order: key.to_owned() })?;
        out.write(Box::into_raw(Box::new(allot_order::new(&order))));
        Ok(())
    })
}

/// Copies what the order handle holds into `*out_info`; its pointers are borrowed from the
/// handle.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `order` or `out_info`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_order_get_info(
    order: *const allot_order,
    out_info: *mut allot_order_info,
) -> allot_status {
    guard("allot_order_get_info", || {
        // SAFETY: the header's contract: a live order handle, and one writable struct.
        let (order, out) = unsafe { (reference(order, "order")?, required(out_info, "out_info")?) };
        out.write(order.info);
        Ok(())
    })
}

/// Frees an order handle made by `allot_client_order()` and every string and array borrowed
/// from it. NULL does nothing. Never pass the order of an `allot_intake_info`: it belongs to
/// the intake.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_order_free(order: *mut allot_order) {
    crate::panic::guard_value((), || {
        // SAFETY: the header's contract: NULL or a handle from allot_client_order, freed once.
        drop(unsafe { pointers::free(order) });
    })
}

/// Every order currently in `state` (an `allot_order_state`), oldest in that state first, for
/// work queues and dashboards: writes a new list handle to `*out_orders` (freed with
/// `allot_orders_free()`; it may hold no orders).
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `client` or `out_orders`, a state that is not an
/// `allot_order_state`), `ALLOT_STATUS_CLOSED`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_orders_in(
    client: *const allot_client,
    state: OrderStateArg,
    out_orders: *mut *mut allot_orders,
) -> allot_status {
    guard("allot_client_orders_in", || {
        // SAFETY: the header's contract: a live client handle or NULL.
        let client = unsafe { client_ref(client) }?;
        let (state, out) = inputs(client, Operation::ReadOrders, || {
            // SAFETY: the header's contract: NULL or one writable pointer.
            Ok((order_state_arg("state", state)?, unsafe { required(out_orders, "out_orders") }?))
        })?;
        let orders = client.orders_in(state)?.iter().map(allot_order::new).collect();
        out.write(Box::into_raw(Box::new(allot_orders { orders })));
        Ok(())
    })
}

/// How many orders the list holds; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_orders_count(orders: *const allot_orders) -> usize {
    crate::panic::guard_value(0, || {
        // SAFETY: the header's contract: NULL or a live list handle.
        unsafe { orders.as_ref() }.map_or(0, |orders| orders.orders.len())
    })
}

/// Copies order `index` (0 to count - 1) of the list into `*out_info`; its pointers are
/// borrowed from the list.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `orders` or `out_info`, `index` out of range).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_orders_get(
    orders: *const allot_orders,
    index: usize,
    out_info: *mut allot_order_info,
) -> allot_status {
    guard("allot_orders_get", || {
        // SAFETY: the header's contract: a live list handle, and one writable struct.
        let (orders, out) = unsafe { (reference(orders, "orders")?, required(out_info, "out_info")?) };
        out.write(element(&orders.orders, index, "order")?.info);
        Ok(())
    })
}

/// Frees an order list and every string and array borrowed from it. NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_orders_free(orders: *mut allot_orders) {
    crate::panic::guard_value((), || {
        // SAFETY: the header's contract: NULL or a handle from allot_client_orders_in, freed once.
        drop(unsafe { pointers::free(orders) });
    })
}

/// Element `index` of a list handle, or an error naming the index and the length.
pub(crate) fn element<'a, T>(list: &'a [T], index: usize, what: &str) -> Result<&'a T, Error> {
    list.get(index).ok_or_else(|| Error::InvalidInput {
        message: format!("{what} index {index} is out of range: the handle holds {}", list.len()),
    })
}

// ---------------------------------------------------------------------------------------------
// Who acts

/// A new client with the same role and engine as `client` that records `actor` (a person's or a
/// system's name, an identifier: 1 to `ALLOT_CODE_BYTES_MAX` bytes, no control, format or
/// invisible character, no whitespace at its ends) as who made each
/// order move, task change, blacklist edit and rules change, instead of the role's name. The
/// caller frees it with `allot_client_free()`.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `client` or `out_client`, an empty actor, not UTF-8
/// or not an identifier), `ALLOT_STATUS_LIMIT_EXCEEDED`, `ALLOT_STATUS_CLOSED`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_acting_as(
    client: *const allot_client,
    actor: *const c_char,
    actor_len: usize,
    out_client: *mut *mut allot_client,
) -> allot_status {
    guard("allot_client_acting_as", || {
        // SAFETY: the header's contract: a live client, a readable string, one writable pointer.
        let (client, actor, out) = unsafe {
            (
                client_ref(client)?,
                strings::actor(actor, actor_len, strings::ACTOR)?,
                required(out_client, "out_client")?,
            )
        };
        // The core's `acting_as` does not look at the engine; the library promises
        // `ALLOT_STATUS_CLOSED` from every call after close. An order look-up checks that first
        // (every role may read orders) and reads nothing else for an empty key.
        if let Err(Error::Closed) = client.order("") {
            return Err(Error::Closed);
        }
        let acting = client.acting_as(actor)?;
        out.write(Box::into_raw(Box::new(allot_client { client: acting })));
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------
// Moves

/// The shape of every move: a client, arguments decoded under the move's permission (a role
/// that may not make it learns that first, whatever it sent), then the core's call.
///
/// # Safety
///
/// `client` is NULL or a live client handle; `decode` reads only what the header's contract
/// makes readable.
unsafe fn order_call<T>(
    client: *const allot_client,
    operation: Operation,
    decode: impl FnOnce() -> Result<T, Error>,
    call: impl FnOnce(&Client, T) -> Result<(), Error>,
) -> Result<(), Error> {
    // SAFETY: passed on from the caller.
    let client = unsafe { client_ref(client) }?;
    let args = inputs(client, operation, decode)?;
    call(client, args)
}

/// A move that takes only the order's key.
///
/// # Safety
///
/// The exported function's arguments, under the header's contract.
unsafe fn keyed(
    client: *const allot_client,
    operation: Operation,
    key: (*const c_char, usize),
    call: impl FnOnce(&Client, &str) -> Result<(), Error>,
) -> Result<(), Error> {
    // SAFETY: passed on from the caller.
    unsafe { order_call(client, operation, || text(key.0, key.1, strings::ORDER_KEY), call) }
}

/// A move that takes the order's key and a note (0 to `REASON_BYTES_MAX` bytes).
///
/// # Safety
///
/// The exported function's arguments, under the header's contract.
unsafe fn noted(
    client: *const allot_client,
    operation: Operation,
    key: (*const c_char, usize),
    note: (*const c_char, usize),
    call: impl FnOnce(&Client, &str, &str) -> Result<(), Error>,
) -> Result<(), Error> {
    // SAFETY: passed on from the caller.
    unsafe {
        order_call(
            client,
            operation,
            || Ok((text(key.0, key.1, strings::ORDER_KEY)?, text(note.0, note.1, strings::NOTE)?)),
            |client, (key, note)| call(client, key, note),
        )
    }
}

/// A reviewer takes a flagged order into review (`FLAGGED` to `IN_REVIEW`).
///
/// Errors (every move): `ALLOT_STATUS_UNKNOWN_ORDER`, `ALLOT_STATUS_ILLEGAL_TRANSITION` (the
/// order's state does not allow the move; the message names both states),
/// `ALLOT_STATUS_INVALID_INPUT` (NULL `client`, an empty key or one that is not UTF-8),
/// `ALLOT_STATUS_LIMIT_EXCEEDED` (a key above `ALLOT_ORDER_ID_BYTES_MAX`, a note above
/// `ALLOT_REASON_BYTES_MAX`), `ALLOT_STATUS_PERMISSION_DENIED`, `ALLOT_STATUS_CLOSED`, storage
/// errors. Review moves (start review, approve, reject, hold) are for the admin and orders
/// roles.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_start_review(
    client: *const allot_client,
    key: *const c_char,
    key_len: usize,
) -> allot_status {
    guard("allot_client_start_review", || {
        // SAFETY: the exported arguments, under the header's contract.
        unsafe { keyed(client, Operation::Review, (key, key_len), Client::start_review) }
    })
}

/// A reviewer approves an order in review: its stock is reserved (split across warehouses if no
/// single one can serve it) and it becomes `RESERVED`; a return order's return is accepted
/// instead (`RETURN_REQUESTED`).
///
/// Errors: as `allot_client_start_review()`; `ALLOT_STATUS_INSUFFICIENT_STOCK` when the stock
/// is not there (the order stays in review).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_approve(
    client: *const allot_client,
    key: *const c_char,
    key_len: usize,
) -> allot_status {
    guard("allot_client_approve", || {
        // SAFETY: the exported arguments, under the header's contract.
        unsafe { keyed(client, Operation::Review, (key, key_len), Client::approve) }
    })
}

/// A reviewer rejects a flagged order or one in review, with a `note` (may be empty): it is
/// cancelled.
///
/// Errors: as `allot_client_start_review()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_reject(
    client: *const allot_client,
    key: *const c_char,
    key_len: usize,
    note: *const c_char,
    note_len: usize,
) -> allot_status {
    guard("allot_client_reject", || {
        // SAFETY: the exported arguments, under the header's contract.
        unsafe { noted(client, Operation::Review, (key, key_len), (note, note_len), Client::reject) }
    })
}

/// Parks a reserved order in review with a `note` (`RESERVED` to `IN_REVIEW`; its stock stays
/// held).
///
/// Errors: as `allot_client_start_review()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_hold(
    client: *const allot_client,
    key: *const c_char,
    key_len: usize,
    note: *const c_char,
    note_len: usize,
) -> allot_status {
    guard("allot_client_hold", || {
        // SAFETY: the exported arguments, under the header's contract.
        unsafe { noted(client, Operation::Review, (key, key_len), (note, note_len), Client::hold) }
    })
}

/// The warehouse takes a reserved order for picking (`RESERVED` to `RELEASED_TO_WAREHOUSE`).
/// For the admin and warehouse roles.
///
/// Errors: as `allot_client_start_review()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_release_to_warehouse(
    client: *const allot_client,
    key: *const c_char,
    key_len: usize,
) -> allot_status {
    guard("allot_client_release_to_warehouse", || {
        // SAFETY: the exported arguments, under the header's contract.
        unsafe { keyed(client, Operation::ReleaseOrder, (key, key_len), Client::release_to_warehouse) }
    })
}

/// Writes a waybill back to a released order: `carrier` (a carrier code such as "SF", "JD",
/// "YTO", "ZTO", "STO", "YD", "EMS", or another of 1 to 16 letters and digits) and its
/// `tracking_number`, checked against the carrier's format. The order's stock leaves (its
/// reservation is committed), it becomes `SHIPPED`, and the buyer is to be told. Repeating it
/// with the same waybill is harmless. For the admin, warehouse and logistics roles.
///
/// Errors: as `allot_client_start_review()`; `ALLOT_STATUS_INVALID_INPUT` for a waybill number
/// the carrier never prints, `ALLOT_STATUS_ALREADY_EXISTS` for a waybill already on another
/// order.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_ship(
    client: *const allot_client,
    key: *const c_char,
    key_len: usize,
    carrier: *const c_char,
    carrier_len: usize,
    tracking_number: *const c_char,
    tracking_number_len: usize,
) -> allot_status {
    guard("allot_client_ship", || {
        // SAFETY: the exported arguments, under the header's contract.
        unsafe {
            order_call(
                client,
                Operation::Ship,
                || {
                    Ok((
                        text(key, key_len, strings::ORDER_KEY)?,
                        text(carrier, carrier_len, strings::CARRIER)?,
                        text(tracking_number, tracking_number_len, strings::TRACKING_NUMBER)?,
                    ))
                },
                |client, (key, carrier, number)| client.ship(key, carrier, number),
            )
        }
    })
}

/// A carrier's tracking event for the waybill `carrier` + `tracking_number`: `kind` is an
/// `allot_tracking_kind`, `detail` free text (0 to `ALLOT_REASON_BYTES_MAX` bytes). Pickup,
/// delivery and exception move the order when its state allows (events that arrive out of
/// order are recorded and move nothing). `*out_order_key` (may be NULL) receives a new string
/// handle with the key of the order the waybill belongs to; free it with
/// `allot_string_free()`. For the admin and logistics roles.
///
/// Errors: `ALLOT_STATUS_UNKNOWN_ORDER` (no order has this waybill),
/// `ALLOT_STATUS_INVALID_INPUT` (also: a kind that is not an `allot_tracking_kind`, a waybill
/// number the carrier never prints), `ALLOT_STATUS_LIMIT_EXCEEDED`,
/// `ALLOT_STATUS_PERMISSION_DENIED`, `ALLOT_STATUS_CLOSED`, storage errors.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_track(
    client: *const allot_client,
    carrier: *const c_char,
    carrier_len: usize,
    tracking_number: *const c_char,
    tracking_number_len: usize,
    kind: TrackingKindArg,
    detail: *const c_char,
    detail_len: usize,
    out_order_key: *mut *mut allot_string,
) -> allot_status {
    guard("allot_client_track", || {
        // SAFETY: the header's contract: NULL or one writable pointer.
        let out = unsafe { pointers::optional(out_order_key) };
        // SAFETY: the exported arguments, under the header's contract.
        unsafe {
            order_call(
                client,
                Operation::Track,
                || {
                    Ok((
                        text(carrier, carrier_len, strings::CARRIER)?,
                        text(tracking_number, tracking_number_len, strings::TRACKING_NUMBER)?,
                        tracking_kind_arg("kind", kind)?,
                        text(detail, detail_len, strings::TRACKING_DETAIL)?,
                    ))
                },
                |client, (carrier, number, kind, detail)| {
                    let key = client.track(carrier, number, kind, detail)?;
                    if let Some(out) = out {
                        out.write(allot_string::boxed(&key));
                    }
                    Ok(())
                },
            )
        }
    })
}

/// Cancels an order that has not shipped, with a `note`; its held stock is released. For the
/// admin and orders roles.
///
/// Errors: as `allot_client_start_review()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_cancel(
    client: *const allot_client,
    key: *const c_char,
    key_len: usize,
    note: *const c_char,
    note_len: usize,
) -> allot_status {
    guard("allot_client_cancel", || {
        // SAFETY: the exported arguments, under the header's contract.
        unsafe { noted(client, Operation::CancelOrder, (key, key_len), (note, note_len), Client::cancel) }
    })
}

/// The buyer asks to return a delivered order, with a `note` (`DELIVERED` or `EXCEPTION` to
/// `RETURN_REQUESTED`). Returns are for the admin, orders and warehouse roles.
///
/// Errors: as `allot_client_start_review()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_request_return(
    client: *const allot_client,
    key: *const c_char,
    key_len: usize,
    note: *const c_char,
    note_len: usize,
) -> allot_status {
    guard("allot_client_request_return", || {
        // SAFETY: the exported arguments, under the header's contract.
        unsafe { noted(client, Operation::Returns, (key, key_len), (note, note_len), Client::request_return) }
    })
}

/// The returned goods arrived in `warehouse` (a warehouse code) and go back on hand there; the
/// order becomes `RETURNED`.
///
/// Errors: as `allot_client_start_review()`, and `ALLOT_STATUS_UNKNOWN_WAREHOUSE`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_complete_return(
    client: *const allot_client,
    key: *const c_char,
    key_len: usize,
    warehouse: *const c_char,
    warehouse_len: usize,
) -> allot_status {
    guard("allot_client_complete_return", || {
        // SAFETY: the exported arguments, under the header's contract.
        unsafe {
            order_call(
                client,
                Operation::Returns,
                || {
                    Ok((
                        text(key, key_len, strings::ORDER_KEY)?,
                        text(warehouse, warehouse_len, strings::WAREHOUSE_CODE)?,
                    ))
                },
                |client, (key, warehouse)| client.complete_return(key, warehouse),
            )
        }
    })
}

/// A return request is turned down, with a `note`: the order is `DELIVERED` again.
///
/// Errors: as `allot_client_start_review()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_deny_return(
    client: *const allot_client,
    key: *const c_char,
    key_len: usize,
    note: *const c_char,
    note_len: usize,
) -> allot_status {
    guard("allot_client_deny_return", || {
        // SAFETY: the exported arguments, under the header's contract.
        unsafe { noted(client, Operation::Returns, (key, key_len), (note, note_len), Client::deny_return) }
    })
}
