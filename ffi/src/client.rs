//! `allot_client`: a handle bound to one role; the catalogue, stock movements and stock reads.

use std::ffi::c_char;

use allot_core::order::{BlacklistKind, TrackingKind};
use allot_core::{BufferRule, Client, Error, Operation, ReserveOptions, Role, StockLevels, WarehouseSpec};

use crate::engine::{allot_engine, unknown_enum};
use crate::panic::guard;
use crate::pointers::{self, reference, required};
use crate::status::allot_status;
use crate::strings::{self, text};

/// A client of one engine, acting with one role's permissions.
///
/// Thread safety: any number of threads may use one client at once (or one client each);
/// `allot_client_free()` must be the last call on it. A client keeps the engine's state alive:
/// after the engine is closed (or its handle freed) the client answers `ALLOT_STATUS_CLOSED`.
pub struct allot_client {
    pub(crate) client: Client,
}

/// Who a client acts for. The whole permission policy:
///
/// | role      | catalogue changes | stock movements | reserve, commit, release | reads |
/// |-----------|-------------------|-----------------|--------------------------|-------|
/// | admin     | yes               | yes             | yes                      | yes   |
/// | orders    |                   |                 | yes                      | yes   |
/// | warehouse |                   | yes             |                          | yes   |
/// | logistics |                   |                 |                          | no stock, reservations or events |
/// | viewer    |                   |                 |                          | yes   |
///
/// The order pipeline (admin may do everything):
///
/// | role      | intake, review, cancel | release, ship | track | returns | tasks | blacklist, rules |
/// |-----------|------------------------|---------------|-------|---------|-------|------------------|
/// | orders    | yes                    |               |       | yes     | yes   |                  |
/// | warehouse |                        | yes           |       | yes     | yes   |                  |
/// | logistics |                        | ship only     | yes   |         | yes   |                  |
/// | viewer    |                        |               |       |         |       |                  |
///
/// Every role may read orders, tasks, explanations and the rules text, and the catalogue.
/// A call the role may not make is `ALLOT_STATUS_PERMISSION_DENIED` and changes nothing.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum allot_role {
    /// Catalogue, configuration and everything the other roles may do.
    Admin = 0,
    /// Order systems: reserve, commit, release, and read stock.
    Orders = 1,
    /// Warehouse systems: stock movements and reads.
    Warehouse = 2,
    /// Carrier integrations: no stock, reservation or event call at all.
    Logistics = 3,
    /// Dashboards and reports: read only.
    Viewer = 4,
}

/// An `allot_role` as C passes it: any integer, validated.
pub type RoleArg = u32;

/// The kind of a safety buffer (`allot_client_set_buffer()`), units held back from sale.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum allot_buffer {
    /// No buffer: removes the cell's own rule (the cell then follows the SKU's default), or the
    /// SKU's default.
    None = 0,
    /// A fixed number of units (at most `ALLOT_CELL_UNITS_MAX`).
    Units = 1,
    /// A share of on-hand stock in whole percent (0 to 100), rounded up to whole units.
    Percent = 2,
}

/// A `allot_buffer` as C passes it: any integer, validated.
pub type BufferArg = u32;

/// The counters of one stock cell (one SKU in one warehouse), or their sums over several
/// warehouses, in units.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct allot_stock {
    /// Units physically in the warehouse.
    pub on_hand: u64,
    /// Units held by reservations (never more than on hand).
    pub reserved: u64,
    /// What a new order may take: on hand - reserved - buffer, never below 0.
    pub available: u64,
    /// Units on their way (expected inbound), not sellable yet.
    pub in_transit: u64,
    /// The safety buffer in units, as applied to the current on-hand count.
    pub buffer: u64,
}

impl From<StockLevels> for allot_stock {
    fn from(levels: StockLevels) -> allot_stock {
        allot_stock {
            on_hand: levels.on_hand,
            reserved: levels.reserved,
            available: levels.available,
            in_transit: levels.in_transit,
            buffer: levels.buffer,
        }
    }
}

fn role(value: RoleArg) -> Result<Role, Error> {
    match value {
        0 => Ok(Role::Admin),
        1 => Ok(Role::Orders),
        2 => Ok(Role::Warehouse),
        3 => Ok(Role::Logistics),
        4 => Ok(Role::Viewer),
        other => Err(unknown_enum("role", "allot_role", other)),
    }
}

/// The client behind a handle argument, unless this is not the process that opened its engine
/// (a forked child learns that before anything about its arguments).
///
/// # Safety
///
/// `client` is NULL or a live handle from `allot_client_new`.
pub(crate) unsafe fn client_ref<'a>(client: *const allot_client) -> Result<&'a Client, Error> {
    // SAFETY: passed on from the caller.
    let client = &unsafe { reference(client, "client") }?.client;
    client.check_process()?;
    Ok(client)
}

/// Decodes the C arguments of a call that `operation` governs. When they are malformed and the
/// client's role may not make the call anyway, the answer is `PermissionDenied`, as from the
/// Rust API: the core checks the role before the input ("a denied caller always learns it was
/// denied, whatever it sent"), and counts the denial. To get exactly the core's answer (and its
/// count), the core is asked with placeholder arguments; its permission check comes first, so
/// nothing else happens.
pub(crate) fn inputs<T>(
    client: &Client,
    operation: Operation,
    decode: impl FnOnce() -> Result<T, Error>,
) -> Result<T, Error> {
    decode().map_err(|error| if client.role().allows(operation) { error } else { denied(client, operation, error) })
}

fn denied(client: &Client, operation: Operation, fallback: Error) -> Error {
    let answer = match operation {
        Operation::AddWarehouse => client.add_warehouse("", WarehouseSpec::new("", 0)).err(),
        Operation::UpdateWarehouse => client.update_warehouse("", 0, false).err(),
        Operation::AddSku => client.add_sku("", "").err(),
        Operation::SetBuffer => client.set_buffer("", None, None).err(),
        Operation::SetStock => client.set_stock("", "", 0).err(),
        Operation::Receive => client.receive("", "", 0).err(),
        Operation::Adjust => client.adjust("", "", 0, "").err(),
        Operation::ExpectInbound => client.expect_inbound("", "", 0).err(),
        Operation::LandInbound => client.land_inbound("", "", 0).err(),
        Operation::Reserve => client.reserve("", &[], &ReserveOptions::new()).err(),
        Operation::Commit => client.commit("").err(),
        Operation::Release => client.release("").err(),
        Operation::ReadStock => client.stock("").err(),
        Operation::ReadCatalogue => client.sku_id("").err(),
        // The order pipeline's: each checks the role first, and the placeholders would be
        // refused as input anyway (or, for the two reads, change nothing).
        Operation::Intake => client.intake_payload("", "", b"").err(),
        Operation::Review => client.start_review("").err(),
        Operation::ReleaseOrder => client.release_to_warehouse("").err(),
        Operation::Ship => client.ship("", "", "").err(),
        Operation::Track => client.track("", "", TrackingKind::InTransit, "").err(),
        Operation::CancelOrder => client.cancel("", "").err(),
        Operation::Returns => client.request_return("", "").err(),
        Operation::ReadOrders => client.order("").err(),
        Operation::Tasks => client.close_task(u64::MAX).err(),
        Operation::ManageBlacklist => client.blacklist_remove(BlacklistKind::Buyer, "").err(),
        Operation::ManageRules => client.dry_run_rules("").err(),
    };
    answer.unwrap_or(fallback)
}

/// Makes a client of `engine` acting as `role` (an `allot_role`) and writes it to `*out_client`.
/// The caller owns it and frees it with `allot_client_free()`. Clients are cheap: make one per
/// integration (orders, warehouse, ...), or one per thread, as convenient.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `engine` or `out_client`, a role that is not an
/// `allot_role`), `ALLOT_STATUS_CLOSED`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_new(
    engine: *const allot_engine,
    role: RoleArg,
    out_client: *mut *mut allot_client,
) -> allot_status {
    guard("allot_client_new", || {
        // SAFETY: the header's contract: a live engine handle, and NULL or one writable pointer.
        let (engine, out) = unsafe { (reference(engine, "engine")?, required(out_client, "out_client")?) };
        let role = self::role(role)?;
        let client = engine.open_engine()?.client(role);
        out.write(Box::into_raw(Box::new(allot_client { client })));
        Ok(())
    })
}

/// Frees a client. NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_free(client: *mut allot_client) {
    crate::panic::guard_value((), || {
        // SAFETY: the header's contract: NULL or a handle from allot_client_new, freed once.
        drop(unsafe { pointers::free(client) });
    })
}

// ---------------------------------------------------------------------------------------------
// Catalogue (admin)

/// Adds a warehouse: its `code`, its administrative `region` code (for example "310000";
/// warehouses nearer the ship-to region are preferred), its `priority` (lower is preferred when
/// distances tie) and whether new reservations may use it (`active`).
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `client`, a code that is empty, not UTF-8, or has
/// whitespace or control characters), `ALLOT_STATUS_LIMIT_EXCEEDED` (a code longer than
/// `ALLOT_CODE_BYTES_MAX`, too many warehouses), `ALLOT_STATUS_ALREADY_EXISTS`,
/// `ALLOT_STATUS_PERMISSION_DENIED`, `ALLOT_STATUS_CLOSED`, storage errors.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_add_warehouse(
    client: *const allot_client,
    code: *const c_char,
    code_len: usize,
    region: *const c_char,
    region_len: usize,
    priority: u32,
    active: bool,
) -> allot_status {
    guard("allot_client_add_warehouse", || {
        // SAFETY: the header's contract: a live client handle or NULL.
        let client = unsafe { client_ref(client) }?;
        let (code, region) = inputs(client, Operation::AddWarehouse, || {
            // SAFETY: the header's contract: each string NULL or readable for its length.
            unsafe {
                Ok((text(code, code_len, strings::WAREHOUSE_CODE)?, text(region, region_len, strings::REGION_CODE)?))
            }
        })?;
        client.add_warehouse(code, WarehouseSpec { region, priority, active })?;
        Ok(())
    })
}

/// Changes a warehouse's priority and whether new reservations may use it (an inactive
/// warehouse keeps its stock and its reservations).
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT`, `ALLOT_STATUS_LIMIT_EXCEEDED`,
/// `ALLOT_STATUS_UNKNOWN_WAREHOUSE`, `ALLOT_STATUS_PERMISSION_DENIED`, `ALLOT_STATUS_CLOSED`,
/// storage errors.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_update_warehouse(
    client: *const allot_client,
    code: *const c_char,
    code_len: usize,
    priority: u32,
    active: bool,
) -> allot_status {
    guard("allot_client_update_warehouse", || {
        // SAFETY: the header's contract: a live client handle or NULL.
        let client = unsafe { client_ref(client) }?;
        let code = inputs(client, Operation::UpdateWarehouse, || {
            // SAFETY: the header's contract: NULL or readable for its length.
            unsafe { text(code, code_len, strings::WAREHOUSE_CODE) }
        })?;
        client.update_warehouse(code, priority, active)
    })
}

/// Adds a SKU with its `category` (may be empty; at most `ALLOT_CATEGORY_BYTES_MAX` bytes).
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT`, `ALLOT_STATUS_LIMIT_EXCEEDED`,
/// `ALLOT_STATUS_ALREADY_EXISTS`, `ALLOT_STATUS_PERMISSION_DENIED`, `ALLOT_STATUS_CLOSED`,
/// storage errors.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_add_sku(
    client: *const allot_client,
    code: *const c_char,
    code_len: usize,
    category: *const c_char,
    category_len: usize,
) -> allot_status {
    guard("allot_client_add_sku", || {
        // SAFETY: the header's contract: a live client handle or NULL.
        let client = unsafe { client_ref(client) }?;
        let (code, category) = inputs(client, Operation::AddSku, || {
            // SAFETY: the header's contract: each string NULL or readable for its length.
            unsafe { Ok((text(code, code_len, strings::SKU_CODE)?, text(category, category_len, strings::CATEGORY)?)) }
        })?;
        client.add_sku(code, category)?;
        Ok(())
    })
}

/// Sets the safety buffer of one cell (`warehouse_len > 0`) or the SKU's default for all its
/// cells (`warehouse_len == 0`): `kind` is an `allot_buffer`, `value` its units or percent.
/// `ALLOT_BUFFER_NONE` (value ignored) removes the rule.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (also: a kind that is not an `allot_buffer`, a percent
/// above 100), `ALLOT_STATUS_LIMIT_EXCEEDED` (units above `ALLOT_CELL_UNITS_MAX`),
/// `ALLOT_STATUS_UNKNOWN_SKU`, `ALLOT_STATUS_UNKNOWN_WAREHOUSE`,
/// `ALLOT_STATUS_PERMISSION_DENIED`, `ALLOT_STATUS_CLOSED`, storage errors.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_set_buffer(
    client: *const allot_client,
    sku: *const c_char,
    sku_len: usize,
    warehouse: *const c_char,
    warehouse_len: usize,
    kind: BufferArg,
    value: u64,
) -> allot_status {
    guard("allot_client_set_buffer", || {
        // SAFETY: the header's contract: a live client handle or NULL.
        let client = unsafe { client_ref(client) }?;
        let (sku, warehouse, rule) = inputs(client, Operation::SetBuffer, || {
            // SAFETY: the header's contract: each string NULL or readable for its length.
            let (sku, warehouse) = unsafe {
                (text(sku, sku_len, strings::SKU_CODE)?, text(warehouse, warehouse_len, strings::WAREHOUSE_CODE)?)
            };
            Ok((sku, warehouse, buffer_rule(kind, value)?))
        })?;
        client.set_buffer(sku, (!warehouse.is_empty()).then_some(warehouse), rule)
    })
}

fn buffer_rule(kind: BufferArg, value: u64) -> Result<Option<BufferRule>, Error> {
    match kind {
        0 => Ok(None),
        1 => Ok(Some(BufferRule::Units(value))),
        2 => match u8::try_from(value) {
            Ok(percent) if percent <= 100 => Ok(Some(BufferRule::Percent(percent))),
            _ => Err(Error::InvalidInput { message: format!("a buffer percentage must be 0..=100, not {value}") }),
        },
        other => Err(unknown_enum("kind", "allot_buffer", other)),
    }
}

// ---------------------------------------------------------------------------------------------
// Stock movements (warehouse)

/// The shared shape of the five movements: a client, a cell, the movement, an optional out.
///
/// # Safety
///
/// The exported function's arguments, under the header's contract.
unsafe fn move_stock(
    client: *const allot_client,
    operation: Operation,
    sku: (*const c_char, usize),
    warehouse: (*const c_char, usize),
    reason: (*const c_char, usize),
    out_stock: *mut allot_stock,
    movement: impl FnOnce(&Client, &str, &str, &str) -> Result<StockLevels, Error>,
) -> Result<(), Error> {
    // SAFETY: passed on from the exported function's caller.
    let client = unsafe { client_ref(client) }?;
    let (sku, warehouse, reason) = inputs(client, operation, || {
        // SAFETY: passed on from the exported function's caller.
        unsafe {
            Ok((
                text(sku.0, sku.1, strings::SKU_CODE)?,
                text(warehouse.0, warehouse.1, strings::WAREHOUSE_CODE)?,
                text(reason.0, reason.1, strings::REASON)?,
            ))
        }
    })?;
    // SAFETY: the header's contract: NULL or one writable allot_stock.
    let out = unsafe { pointers::optional(out_stock) };
    let levels = movement(client, sku, warehouse, reason)?;
    if let Some(out) = out {
        out.write(levels.into());
    }
    Ok(())
}

/// No reason: the movements other than adjust.
const NO_REASON: (*const c_char, usize) = (std::ptr::null(), 0);

/// A stocktake: the cell's on hand becomes exactly `on_hand` (never below what is reserved).
/// `*out_stock` (may be NULL) receives the cell's levels after the movement.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT`, `ALLOT_STATUS_LIMIT_EXCEEDED` (above
/// `ALLOT_CELL_UNITS_MAX`), `ALLOT_STATUS_UNKNOWN_SKU`, `ALLOT_STATUS_UNKNOWN_WAREHOUSE`,
/// `ALLOT_STATUS_INSUFFICIENT_STOCK` (below reserved), `ALLOT_STATUS_PERMISSION_DENIED`,
/// `ALLOT_STATUS_CLOSED`, storage errors.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_set_stock(
    client: *const allot_client,
    sku: *const c_char,
    sku_len: usize,
    warehouse: *const c_char,
    warehouse_len: usize,
    on_hand: u64,
    out_stock: *mut allot_stock,
) -> allot_status {
    guard("allot_client_set_stock", || {
        let cell = ((sku, sku_len), (warehouse, warehouse_len));
        // SAFETY: the exported arguments, under the header's contract.
        unsafe {
            move_stock(client, Operation::SetStock, cell.0, cell.1, NO_REASON, out_stock, |client, sku, wh, _| {
                client.set_stock(sku, wh, on_hand)
            })
        }
    })
}

/// Goods received: the cell's on hand grows by `qty` (at least 1). `*out_stock` (may be NULL)
/// receives the cell's levels after the movement.
///
/// Errors: as `allot_client_set_stock()`, with `ALLOT_STATUS_INVALID_INPUT` for a `qty` of 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_receive(
    client: *const allot_client,
    sku: *const c_char,
    sku_len: usize,
    warehouse: *const c_char,
    warehouse_len: usize,
    qty: u64,
    out_stock: *mut allot_stock,
) -> allot_status {
    guard("allot_client_receive", || {
        let cell = ((sku, sku_len), (warehouse, warehouse_len));
        // SAFETY: the exported arguments, under the header's contract.
        unsafe {
            move_stock(client, Operation::Receive, cell.0, cell.1, NO_REASON, out_stock, |client, sku, wh, _| {
                client.receive(sku, wh, qty)
            })
        }
    })
}

/// A signed correction of the cell's on hand (`delta` not 0: found goods, damage, loss) with its
/// `reason` (1 to `ALLOT_REASON_BYTES_MAX` bytes); never below what is reserved. `*out_stock`
/// (may be NULL) receives the cell's levels after the movement.
///
/// Errors: as `allot_client_set_stock()`; `ALLOT_STATUS_INSUFFICIENT_STOCK` when the removal
/// would take on hand below reserved.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_adjust(
    client: *const allot_client,
    sku: *const c_char,
    sku_len: usize,
    warehouse: *const c_char,
    warehouse_len: usize,
    delta: i64,
    reason: *const c_char,
    reason_len: usize,
    out_stock: *mut allot_stock,
) -> allot_status {
    guard("allot_client_adjust", || {
        let cell = ((sku, sku_len), (warehouse, warehouse_len));
        // SAFETY: the exported arguments, under the header's contract.
        unsafe {
            move_stock(client, Operation::Adjust, cell.0, cell.1, (reason, reason_len), out_stock, |c, sku, wh, why| {
                c.adjust(sku, wh, delta, why)
            })
        }
    })
}

/// Goods on their way: the cell's in transit grows by `qty` (at least 1; not sellable until it
/// lands). `*out_stock` (may be NULL) receives the cell's levels after the movement.
///
/// Errors: as `allot_client_receive()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_expect_inbound(
    client: *const allot_client,
    sku: *const c_char,
    sku_len: usize,
    warehouse: *const c_char,
    warehouse_len: usize,
    qty: u64,
    out_stock: *mut allot_stock,
) -> allot_status {
    guard("allot_client_expect_inbound", || {
        let cell = ((sku, sku_len), (warehouse, warehouse_len));
        // SAFETY: the exported arguments, under the header's contract.
        unsafe {
            move_stock(client, Operation::ExpectInbound, cell.0, cell.1, NO_REASON, out_stock, |client, sku, wh, _| {
                client.expect_inbound(sku, wh, qty)
            })
        }
    })
}

/// In-transit goods arrived: `qty` units (at least 1, at most what is in transit) move from in
/// transit to on hand. `*out_stock` (may be NULL) receives the cell's levels after the movement.
///
/// Errors: as `allot_client_receive()`; `ALLOT_STATUS_INVALID_INPUT` also when more would land
/// than is in transit.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_land_inbound(
    client: *const allot_client,
    sku: *const c_char,
    sku_len: usize,
    warehouse: *const c_char,
    warehouse_len: usize,
    qty: u64,
    out_stock: *mut allot_stock,
) -> allot_status {
    guard("allot_client_land_inbound", || {
        let cell = ((sku, sku_len), (warehouse, warehouse_len));
        // SAFETY: the exported arguments, under the header's contract.
        unsafe {
            move_stock(client, Operation::LandInbound, cell.0, cell.1, NO_REASON, out_stock, |client, sku, wh, _| {
                client.land_inbound(sku, wh, qty)
            })
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Stock reads

/// A SKU's stock summed over every warehouse (the virtual warehouse), written to `*out_stock`.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `client` or `out_stock`, bad string),
/// `ALLOT_STATUS_LIMIT_EXCEEDED`, `ALLOT_STATUS_UNKNOWN_SKU`, `ALLOT_STATUS_PERMISSION_DENIED`
/// (logistics), `ALLOT_STATUS_CLOSED`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_stock(
    client: *const allot_client,
    sku: *const c_char,
    sku_len: usize,
    out_stock: *mut allot_stock,
) -> allot_status {
    guard("allot_client_stock", || {
        // SAFETY: the header's contract: a live client handle or NULL.
        let client = unsafe { client_ref(client) }?;
        let (sku, out) = inputs(client, Operation::ReadStock, || {
            // SAFETY: the header's contract: a readable string, one writable struct.
            unsafe { Ok((text(sku, sku_len, strings::SKU_CODE)?, required(out_stock, "out_stock")?)) }
        })?;
        out.write(client.stock(sku)?.into());
        Ok(())
    })
}

/// A SKU's stock summed over the warehouses whose region code starts with `region_prefix`
/// (for example "31" for every warehouse in regions 31xxxx), written to `*out_stock`.
///
/// Errors: as `allot_client_stock()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_stock_in_region(
    client: *const allot_client,
    sku: *const c_char,
    sku_len: usize,
    region_prefix: *const c_char,
    region_prefix_len: usize,
    out_stock: *mut allot_stock,
) -> allot_status {
    guard("allot_client_stock_in_region", || {
        // SAFETY: the header's contract: a live client handle or NULL.
        let client = unsafe { client_ref(client) }?;
        let (sku, region, out) = inputs(client, Operation::ReadStock, || {
            // SAFETY: the header's contract: readable strings, one writable struct.
            unsafe {
                Ok((
                    text(sku, sku_len, strings::SKU_CODE)?,
                    text(region_prefix, region_prefix_len, strings::REGION_PREFIX)?,
                    required(out_stock, "out_stock")?,
                ))
            }
        })?;
        out.write(client.stock_in_region(sku, region)?.into());
        Ok(())
    })
}

/// One cell's stock (one SKU in one warehouse; zeros if the SKU was never there), written to
/// `*out_stock`.
///
/// Errors: as `allot_client_stock()`, and `ALLOT_STATUS_UNKNOWN_WAREHOUSE`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_cell(
    client: *const allot_client,
    sku: *const c_char,
    sku_len: usize,
    warehouse: *const c_char,
    warehouse_len: usize,
    out_stock: *mut allot_stock,
) -> allot_status {
    guard("allot_client_cell", || {
        // SAFETY: the header's contract: a live client handle or NULL.
        let client = unsafe { client_ref(client) }?;
        let (sku, warehouse, out) = inputs(client, Operation::ReadStock, || {
            // SAFETY: the header's contract: readable strings, one writable struct.
            unsafe {
                Ok((
                    text(sku, sku_len, strings::SKU_CODE)?,
                    text(warehouse, warehouse_len, strings::WAREHOUSE_CODE)?,
                    required(out_stock, "out_stock")?,
                ))
            }
        })?;
        out.write(client.cell(sku, warehouse)?.into());
        Ok(())
    })
}
