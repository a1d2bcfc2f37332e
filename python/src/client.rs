//! `Client`: the only door into the engine, bound to a role, as in the core. Every method
//! converts its arguments (TypeError/ValueError for what Rust cannot hold), releases the GIL
//! while the engine works and waits for durability, and answers with frozen value objects
//! whose SKUs and warehouses are codes.

use std::ops::Range;
use std::sync::Arc;

use allot_core::limits::ORDER_LINES_MAX;
use allot_core::{BufferRule, Error, Operation, OrderRequest, ReserveOptions, SkuId};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

use crate::args::{
    Seconds, for_each_item, known_len, order_line, seconds_to_ms, to_i64, to_opt_u64, to_u64, type_name,
};
use crate::errors::{check, run, to_pyerr};
use crate::events::Subscription;
use crate::orders::{
    Intake, Order, Task, blacklist_kind, form_arg, order_list, order_state, payload_arg, tracking_kind,
};
use crate::rules::{DryRun, Explanation, Rules};
use crate::shared::Shared;
use crate::values::{Event, Lines, Reservation, ReservedLine, Settled, Sku, Stock, Warehouse};

/// A handle bound to one role (`Engine.client(role)`). Every call checks the role first, then
/// its input, then runs one transaction and waits for the durability the engine's sync mode
/// promises. Safe to share between threads; the GIL is released while the engine works.
#[pyclass(frozen, module = "allot", name = "Client")]
pub(crate) struct PyClient {
    pub(crate) client: allot_core::Client,
    pub(crate) shared: Arc<Shared>,
}

/// The core's refusal for a line count above `ORDER_LINES_MAX`, without reading the lines.
fn too_many_lines(count: usize) -> Error {
    Error::LimitExceeded {
        limit: "ORDER_LINES_MAX",
        what: "the number of order lines".into(),
        max: ORDER_LINES_MAX as u64,
        actual: count as u64,
    }
}

/// One order of a `reserve_many` batch, parsed.
struct ParsedOrder<'py> {
    order_id: Bound<'py, PyString>,
    /// Its lines in the batch's flat line list.
    lines: Range<usize>,
    ship_to: Option<Bound<'py, PyString>>,
    ttl_ms: Option<u64>,
    allow_split: bool,
    /// Set when the order has more lines than allowed: refused without reading them.
    too_many: Option<usize>,
}

impl PyClient {
    /// The reservation as Python sees it; `sku_name` gives the code for a SKU id (the caller's
    /// own `str` where it passed one).
    fn reply(
        &self,
        py: Python<'_>,
        order_id: &Bound<'_, PyString>,
        reservation: allot_core::Reservation,
        sku_name: impl Fn(SkuId) -> Py<PyString>,
    ) -> Reservation {
        let lines = Lines::from_iter(reservation.lines.iter().map(|line| ReservedLine {
            sku: sku_name(line.sku),
            warehouse: self.shared.warehouse_code(py, line.warehouse),
            qty: line.qty,
        }));
        Reservation {
            order_id: order_id.clone().unbind(),
            lines,
            state: reservation.state,
            expires_at_ms: reservation.expires_at_ms,
            reserved_at_ms: reservation.reserved_at_ms,
            lsn: reservation.lsn,
            repeat: reservation.repeat,
        }
    }

    /// The code of SKU `sku` as the caller wrote it in `lines` (its own `str` object), else as
    /// the catalogue spells it.
    fn caller_code(&self, py: Python<'_>, lines: &[(Bound<'_, PyString>, u32)], sku: SkuId) -> Py<PyString> {
        // Most callers pass the same `str` objects the catalogue was built with: compare
        // addresses first, and text only when that finds nothing.
        if let Some(code) = self.shared.same_object(lines, sku) {
            return code.clone().unbind();
        }
        let known = self.shared.sku_code(py, sku);
        lines
            .iter()
            .find(|(code, _)| code.as_any().eq(known.bind(py)).unwrap_or(false))
            .map_or(known, |(code, _)| code.clone().unbind())
    }

    /// An intake's outcome as Python sees it.
    fn intake_reply(&self, py: Python<'_>, intake: allot_core::order::Intake) -> PyResult<Intake> {
        let key = PyString::new(py, &intake.order.key);
        let shared = &*self.shared;
        let reservation = match intake.reservation {
            Some(held) => Some(Py::new(py, self.reply(py, &key, held, |sku| shared.sku_code(py, sku)))?),
            None => None,
        };
        Ok(Intake {
            order: Py::new(py, Order::from(intake.order))?,
            reservation,
            reason: intake.reason,
            repeat: intake.repeat,
        })
    }

    /// The core's answer to a caller whose role may not reserve (or to a closed engine).
    fn refuse_reserve(&self, py: Python<'_>) -> PyErr {
        let client = &self.client;
        match py.detach(|| client.reserve_many(&[])) {
            Err(error) => to_pyerr(error),
            Ok(_) => to_pyerr(Error::Internal { detail: "a role without reserve permission reserved".into() }),
        }
    }

    /// Runs a call that answers with stock levels, the GIL released.
    fn levels(
        &self,
        py: Python<'_>,
        call: impl FnOnce(&allot_core::Client) -> allot_core::Result<allot_core::StockLevels> + Send,
    ) -> PyResult<Stock> {
        let client = &self.client;
        check(py.detach(|| call(client))).map(Stock::from)
    }

    fn parse_order<'py>(
        &self,
        index: usize,
        entry: &Bound<'py, PyAny>,
        flat: &mut Vec<(Bound<'py, PyString>, u32)>,
    ) -> PyResult<ParsedOrder<'py>> {
        let mut order_id = None;
        let mut lines = None;
        let mut ship_to = None;
        let mut ttl_ms = None;
        let mut allow_split = false;
        if let Ok(dict) = entry.cast::<PyDict>() {
            for (key, value) in dict.iter() {
                let key = key.cast_into::<PyString>().map_err(|_| {
                    PyTypeError::new_err(format!("orders[{index}]: the keys of an order dict must be str"))
                })?;
                match key.to_str()? {
                    "order_id" => order_id = Some(value),
                    "lines" => lines = Some(value),
                    "ship_to" if value.is_none() => {}
                    "ship_to" => ship_to = Some(value),
                    "ttl_s" if value.is_none() => {}
                    "ttl_s" => {
                        let seconds = value.extract::<Seconds>().map_err(|_| {
                            PyTypeError::new_err(format!(
                                "orders[{index}]: ttl_s must be a number of seconds, not {}",
                                type_name(&value)
                            ))
                        })?;
                        ttl_ms = seconds_to_ms(Some(seconds), "ttl_s")?;
                    }
                    "allow_split" => {
                        allow_split = value.extract::<bool>().map_err(|_| {
                            PyTypeError::new_err(format!(
                                "orders[{index}]: allow_split must be a bool, not {}",
                                type_name(&value)
                            ))
                        })?;
                    }
                    other => {
                        return Err(PyTypeError::new_err(format!(
                            "orders[{index}]: unexpected key {other:?} (expected order_id, lines, ship_to, ttl_s, allow_split)"
                        )));
                    }
                }
            }
        } else if let Ok(pair) = entry.cast::<PyTuple>()
            && pair.len() == 2
        {
            order_id = Some(pair.get_item(0)?);
            lines = Some(pair.get_item(1)?);
        } else if let Ok(pair) = entry.cast::<PyList>()
            && pair.len() == 2
        {
            order_id = Some(pair.get_item(0)?);
            lines = Some(pair.get_item(1)?);
        } else {
            return Err(PyTypeError::new_err(format!(
                "orders[{index}] must be an (order_id, lines) tuple or a dict, not {}",
                type_name(entry)
            )));
        }
        let order_id = order_id
            .ok_or_else(|| PyTypeError::new_err(format!("orders[{index}]: missing order_id")))?
            .cast_into::<PyString>()
            .map_err(|_| PyTypeError::new_err(format!("orders[{index}]: order_id must be a str")))?;
        let lines = lines.ok_or_else(|| PyTypeError::new_err(format!("orders[{index}]: missing lines")))?;
        let ship_to = match ship_to {
            None => None,
            Some(value) => Some(
                value
                    .cast_into::<PyString>()
                    .map_err(|_| PyTypeError::new_err(format!("orders[{index}]: ship_to must be a str or None")))?,
            ),
        };
        let start = flat.len();
        let mut too_many = known_len(&lines).filter(|&count| count > ORDER_LINES_MAX);
        if too_many.is_none() {
            for_each_item(&lines, "lines", |line_index, item| {
                if line_index >= ORDER_LINES_MAX {
                    // A long iterator: refused like a long list, unread beyond the limit.
                    too_many = Some(line_index + 1);
                    return Ok(false);
                }
                flat.push(order_line(item, line_index)?);
                Ok(true)
            })?;
        }
        if too_many.is_some() {
            flat.truncate(start);
        }
        Ok(ParsedOrder { order_id, lines: start..flat.len(), ship_to, ttl_ms, allow_split, too_many })
    }
}

#[pymethods]
impl PyClient {
    /// The role this client acts for.
    #[getter]
    fn role(&self) -> &'static str {
        self.client.role().name()
    }

    fn __repr__(&self) -> String {
        format!("Client(role={:?})", self.client.role().name())
    }

    // -----------------------------------------------------------------------------------------
    // Catalogue (admin)

    /// Adds a warehouse with its region code and priority (lower is preferred when distances
    /// tie); an inactive warehouse is never chosen for new reservations.
    #[pyo3(signature = (code, *, region, priority, active=true))]
    fn add_warehouse(
        &self,
        py: Python<'_>,
        code: &Bound<'_, PyString>,
        region: &str,
        priority: &Bound<'_, PyAny>,
        active: bool,
    ) -> PyResult<()> {
        let text = code.to_str()?;
        let priority = crate::args::to_u32(priority, "priority")?;
        let client = &self.client;
        let spec = allot_core::WarehouseSpec { region, priority, active };
        let id = check(py.detach(|| client.add_warehouse(text, spec)))?;
        self.shared.learn_warehouse(py, code, id);
        Ok(())
    }

    /// Changes a warehouse's priority and whether new reservations may use it.
    #[pyo3(signature = (code, *, priority, active))]
    fn update_warehouse(&self, py: Python<'_>, code: &str, priority: &Bound<'_, PyAny>, active: bool) -> PyResult<()> {
        let priority = crate::args::to_u32(priority, "priority")?;
        let client = &self.client;
        check(py.detach(|| client.update_warehouse(code, priority, active)))
    }

    /// Adds a SKU, with an optional category.
    #[pyo3(signature = (code, *, category=""))]
    fn add_sku(&self, py: Python<'_>, code: &Bound<'_, PyString>, category: &str) -> PyResult<()> {
        let text = code.to_str()?;
        let client = &self.client;
        let id = check(py.detach(|| client.add_sku(text, category)))?;
        self.shared.learn_sku(py, code, id);
        Ok(())
    }

    /// Sets the safety buffer of one cell (`warehouse=`) or the SKU's default for all its cells:
    /// `units=` a fixed number of units or `percent=` a share of on hand (0 to 100, rounded up
    /// to whole units). Neither removes the rule.
    #[pyo3(signature = (sku, *, units=None, percent=None, warehouse=None))]
    fn set_buffer(
        &self,
        py: Python<'_>,
        sku: &str,
        units: Option<&Bound<'_, PyAny>>,
        percent: Option<&Bound<'_, PyAny>>,
        warehouse: Option<&str>,
    ) -> PyResult<()> {
        let units = to_opt_u64(units, "units")?;
        let percent = to_opt_u64(percent, "percent")?;
        let rule = match (units, percent) {
            (Some(_), Some(_)) => return Err(PyValueError::new_err("give units= or percent=, not both")),
            (Some(units), None) => Some(BufferRule::Units(units)),
            (None, Some(percent)) => Some(BufferRule::Percent(u8::try_from(percent).map_err(|_| {
                PyValueError::new_err(format!("percent = {percent} does not fit in u8 (a percentage is 0..=100)"))
            })?)),
            (None, None) => None,
        };
        let client = &self.client;
        check(py.detach(|| client.set_buffer(sku, warehouse, rule)))
    }

    // -----------------------------------------------------------------------------------------
    // Stock movements (warehouse)

    /// A stocktake: on hand becomes exactly `on_hand` (never below what is reserved). Returns
    /// the cell's levels after it.
    #[pyo3(signature = (sku, warehouse, on_hand))]
    fn set_stock(&self, py: Python<'_>, sku: &str, warehouse: &str, on_hand: &Bound<'_, PyAny>) -> PyResult<Stock> {
        let on_hand = to_u64(on_hand, "on_hand")?;
        self.levels(py, |client| client.set_stock(sku, warehouse, on_hand))
    }

    /// Goods received: on hand grows by `qty`.
    #[pyo3(signature = (sku, warehouse, qty))]
    fn receive(&self, py: Python<'_>, sku: &str, warehouse: &str, qty: &Bound<'_, PyAny>) -> PyResult<Stock> {
        let qty = to_u64(qty, "qty")?;
        self.levels(py, |client| client.receive(sku, warehouse, qty))
    }

    /// A signed correction of on hand (never below what is reserved), with its reason.
    #[pyo3(signature = (sku, warehouse, delta, *, reason))]
    fn adjust(
        &self,
        py: Python<'_>,
        sku: &str,
        warehouse: &str,
        delta: &Bound<'_, PyAny>,
        reason: &str,
    ) -> PyResult<Stock> {
        let delta = to_i64(delta, "delta")?;
        self.levels(py, |client| client.adjust(sku, warehouse, delta, reason))
    }

    /// Goods on their way: in transit grows by `qty` (not sellable yet).
    #[pyo3(signature = (sku, warehouse, qty))]
    fn expect_inbound(&self, py: Python<'_>, sku: &str, warehouse: &str, qty: &Bound<'_, PyAny>) -> PyResult<Stock> {
        let qty = to_u64(qty, "qty")?;
        self.levels(py, |client| client.expect_inbound(sku, warehouse, qty))
    }

    /// In-transit goods arrived: `qty` moves from in transit to on hand.
    #[pyo3(signature = (sku, warehouse, qty))]
    fn land_inbound(&self, py: Python<'_>, sku: &str, warehouse: &str, qty: &Bound<'_, PyAny>) -> PyResult<Stock> {
        let qty = to_u64(qty, "qty")?;
        self.levels(py, |client| client.land_inbound(sku, warehouse, qty))
    }

    // -----------------------------------------------------------------------------------------
    // Reservations (orders)

    /// Reserves every line or none: `lines` is a list of `(sku, qty)` tuples. Warehouses are
    /// chosen by region (nearest to `ship_to` first), then priority, then stock; one warehouse
    /// for the whole order unless `allow_split`. The hold expires after `ttl_s` seconds (`None`:
    /// the engine's default). Idempotent by `order_id`: the same lines again return the first
    /// reservation with `repeat=True`; other lines raise DuplicateOrderError.
    #[pyo3(signature = (order_id, lines, *, ship_to=None, ttl_s=None, allow_split=false))]
    fn reserve(
        &self,
        py: Python<'_>,
        order_id: &Bound<'_, PyString>,
        lines: &Bound<'_, PyAny>,
        ship_to: Option<&Bound<'_, PyString>>,
        ttl_s: Option<Seconds>,
        allow_split: bool,
    ) -> PyResult<Reservation> {
        let order = order_id.to_str()?;
        let options = ReserveOptions {
            ship_to: ship_to.map(|region| region.to_str()).transpose()?,
            ttl_ms: seconds_to_ms(ttl_s, "ttl_s")?,
            allow_split,
        };
        let client = &self.client;
        // The common order: one line, in a list. Every reserved line is then that SKU, so the
        // reply names it with the caller's own `str` and needs no id → code lookup at all.
        if let Ok(list) = lines.cast_exact::<PyList>()
            && list.len() == 1
        {
            let (code, qty) = order_line(&list.get_item(0)?, 0)?;
            let text = code.to_str()?;
            let reservation = check(py.detach(|| client.reserve(order, &[(text, qty)], &options)))?;
            return Ok(self.reply(py, order_id, reservation, |_| code.clone().unbind()));
        }
        if let Some(count) = known_len(lines)
            && count > ORDER_LINES_MAX
        {
            // Refused unread, after the role, as the core does.
            if !client.role().allows(Operation::Reserve) {
                return Err(self.refuse_reserve(py));
            }
            return Err(to_pyerr(too_many_lines(count)));
        }
        let mut parsed: Vec<(Bound<'_, PyString>, u32)> = Vec::with_capacity(known_len(lines).unwrap_or(4));
        let mut too_many = None;
        for_each_item(lines, "lines", |index, item| {
            if index >= ORDER_LINES_MAX {
                too_many = Some(index + 1);
                return Ok(false);
            }
            parsed.push(order_line(item, index)?);
            Ok(true)
        })?;
        if let Some(count) = too_many {
            if !client.role().allows(Operation::Reserve) {
                return Err(self.refuse_reserve(py));
            }
            return Err(to_pyerr(too_many_lines(count)));
        }
        let mut texts = Vec::with_capacity(parsed.len());
        for (code, qty) in &parsed {
            texts.push((code.to_str()?, *qty));
        }
        let reservation = check(py.detach(|| client.reserve(order, &texts, &options)))?;
        Ok(self.reply(py, order_id, reservation, |sku| self.caller_code(py, &parsed, sku)))
    }

    /// Reserves many orders, each all-or-nothing on its own, waiting for durability once for
    /// the whole batch. `orders` is a list of `(order_id, lines)` tuples or of dicts with keys
    /// `order_id`, `lines` and optionally `ship_to`, `ttl_s`, `allow_split`. Returns one result
    /// per order, in order: its Reservation, or the exception instance that refused it. Raises
    /// only for what concerns the whole batch (a denied role, a closed engine, a failed sync) or
    /// for malformed input (TypeError/ValueError, before anything is reserved).
    #[pyo3(signature = (orders))]
    fn reserve_many<'py>(&self, py: Python<'py>, orders: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
        let mut flat: Vec<(Bound<'py, PyString>, u32)> = Vec::new();
        let mut parsed: Vec<ParsedOrder<'py>> = Vec::with_capacity(known_len(orders).unwrap_or(0));
        for_each_item(orders, "orders", |index, entry| {
            parsed.push(self.parse_order(index, entry, &mut flat)?);
            Ok(true)
        })?;
        let client = &self.client;
        if !client.role().allows(Operation::Reserve) {
            return Err(self.refuse_reserve(py));
        }
        let mut texts: Vec<(&str, u32)> = Vec::with_capacity(flat.len());
        for (code, qty) in &flat {
            texts.push((code.to_str()?, *qty));
        }
        let mut requests = Vec::with_capacity(parsed.len());
        for order in parsed.iter().filter(|order| order.too_many.is_none()) {
            requests.push(OrderRequest {
                order_id: order.order_id.to_str()?,
                lines: &texts[order.lines.clone()],
                options: ReserveOptions {
                    ship_to: order.ship_to.as_ref().map(|region| region.to_str()).transpose()?,
                    ttl_ms: order.ttl_ms,
                    allow_split: order.allow_split,
                },
            });
        }
        let results = check(py.detach(|| client.reserve_many(&requests)))?;
        drop(requests);
        let mut results = results.into_iter();
        let replies = PyList::empty(py);
        for order in &parsed {
            let result = match order.too_many {
                Some(count) => Err(too_many_lines(count)),
                None => results.next().unwrap_or_else(|| {
                    Err(Error::Internal { detail: "reserve_many returned fewer results than orders".into() })
                }),
            };
            match result {
                Ok(reservation) => {
                    let lines = &flat[order.lines.clone()];
                    let reply = self.reply(py, &order.order_id, reservation, |sku| {
                        // One line: every reserved line is its SKU.
                        if let [(code, _)] = lines { code.clone().unbind() } else { self.caller_code(py, lines, sku) }
                    });
                    replies.append(Bound::new(py, reply)?)?;
                }
                Err(error) => replies.append(to_pyerr(error).into_value(py))?,
            }
        }
        Ok(replies)
    }

    /// The goods left: the reservation's units leave on hand and reserved. Committing twice is
    /// harmless (`changed=False`); committing a released or expired order raises
    /// IllegalTransitionError.
    fn commit(&self, py: Python<'_>, order_id: &str) -> PyResult<Settled> {
        let client = &self.client;
        check(py.detach(|| client.commit(order_id))).map(Settled::from)
    }

    /// Cancelled: the reservation's units return to available. Releasing twice, or releasing an
    /// expired order, is harmless (`changed=False`); releasing a committed order raises
    /// IllegalTransitionError.
    fn release(&self, py: Python<'_>, order_id: &str) -> PyResult<Settled> {
        let client = &self.client;
        check(py.detach(|| client.release(order_id))).map(Settled::from)
    }

    // -----------------------------------------------------------------------------------------
    // Reads

    /// A SKU's stock over every warehouse.
    fn stock(&self, py: Python<'_>, sku: &str) -> PyResult<Stock> {
        self.levels(py, |client| client.stock(sku))
    }

    /// A SKU's stock over the warehouses whose region code starts with `region_prefix`.
    fn stock_in_region(&self, py: Python<'_>, sku: &str, region_prefix: &str) -> PyResult<Stock> {
        self.levels(py, |client| client.stock_in_region(sku, region_prefix))
    }

    /// One cell: a SKU in one warehouse (zeros if it was never stocked there).
    fn cell(&self, py: Python<'_>, sku: &str, warehouse: &str) -> PyResult<Stock> {
        self.levels(py, |client| client.cell(sku, warehouse))
    }

    /// Every cell of a SKU, by warehouse code.
    fn cells<'py>(&self, py: Python<'py>, sku: &str) -> PyResult<Bound<'py, PyDict>> {
        let client = &self.client;
        let cells = check(py.detach(|| client.cells(sku)))?;
        let dict = PyDict::new(py);
        for (warehouse, levels) in cells {
            dict.set_item(self.shared.warehouse_code(py, warehouse.id), Stock::from(levels))?;
        }
        Ok(dict)
    }

    /// The reservation made under `order_id`, or None.
    fn reservation(&self, py: Python<'_>, order_id: &Bound<'_, PyString>) -> PyResult<Option<Reservation>> {
        let order = order_id.to_str()?;
        let client = &self.client;
        let found = check(py.detach(|| client.reservation(order)))?;
        let shared = &*self.shared;
        Ok(found.map(|reservation| self.reply(py, order_id, reservation, |sku| shared.sku_code(py, sku))))
    }

    /// The state changes after LSN `after` (0: from the oldest still in the log), in order, at
    /// most `max`. Pass the last event's `lsn` back as `after` to continue. Only changes as
    /// durable as the sync mode promises are shown.
    #[pyo3(signature = (after=None, *, max=None), text_signature = "(self, /, after=0, *, max=1000)")]
    fn events(
        &self,
        py: Python<'_>,
        after: Option<&Bound<'_, PyAny>>,
        max: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Event>> {
        let after = to_opt_u64(after, "after")?.unwrap_or(0);
        let max = to_opt_u64(max, "max")?.unwrap_or(1000);
        let max = usize::try_from(max).unwrap_or(usize::MAX);
        let client = &self.client;
        let events = check(py.detach(|| client.events(after, max)))?;
        events.into_iter().map(|event| crate::events::event(py, &self.shared, event)).collect()
    }

    /// Every warehouse of the catalogue, in the order they were added.
    fn warehouses(&self, py: Python<'_>) -> PyResult<Vec<Warehouse>> {
        let client = &self.client;
        let warehouses = check(py.detach(|| client.warehouses()))?;
        Ok(warehouses.iter().map(Warehouse::from).collect())
    }

    /// Every SKU of the catalogue, in the order they were added.
    fn skus(&self, py: Python<'_>) -> PyResult<Vec<Sku>> {
        let client = &self.client;
        let skus = check(py.detach(|| client.skus()))?;
        Ok(skus.iter().map(Sku::from).collect())
    }

    // -----------------------------------------------------------------------------------------
    // Who acts

    /// The same client (same role, same engine) recording `actor` (a person's or a system's
    /// name: 1 to 64 bytes, no control characters) as who made each order move, task change,
    /// blacklist edit and rules change, instead of the role's name.
    fn acting_as(&self, py: Python<'_>, actor: &str) -> PyResult<PyClient> {
        let client = &self.client;
        let acting = run(py, || client.acting_as(actor))?;
        Ok(PyClient { client: acting, shared: self.shared.clone() })
    }

    /// Who this client records as having made its changes (the role's name by default).
    #[getter]
    fn actor(&self) -> &str {
        self.client.actor()
    }

    // -----------------------------------------------------------------------------------------
    // Orders (the pipeline)

    /// Takes an order in (an `OrderForm`): checks it (address, phone, blacklist, velocity,
    /// amount, payment), routes it by the rules file, and on the automatic path reserves its
    /// stock, all in this call. A flagged order is not an error: it is taken in (state
    /// `"flagged"`, its flags on the order) and waits for a reviewer; not enough stock on the
    /// automatic path is a `stock_short` flag. The same channel order again is answered from the
    /// first intake (`repeat=True`) and changes nothing. UnknownSkuError for a SKU the
    /// catalogue lacks.
    fn intake(&self, py: Python<'_>, form: &Bound<'_, PyAny>) -> PyResult<Intake> {
        let form = form_arg(form)?;
        let client = &self.client;
        let intake = run(py, || client.intake(form))?;
        self.intake_reply(py, intake)
    }

    /// Takes in a channel's own order payload (see `CHANNEL_STYLES`: `"taobao"`, `"jd"`,
    /// `"pdd"`): `channel` is the seller's code for that shop (it becomes the order's channel),
    /// `payload` the JSON as bytes, str or a dict. A missing or malformed field is an
    /// InvalidInputError naming it as a JSON path (`orders[2].num`). Otherwise as `intake`.
    fn intake_payload(
        &self,
        py: Python<'_>,
        style: &str,
        channel: &str,
        payload: &Bound<'_, PyAny>,
    ) -> PyResult<Intake> {
        let payload = payload_arg(payload)?;
        let client = &self.client;
        let intake = run(py, || client.intake_payload(style, channel, &payload))?;
        self.intake_reply(py, intake)
    }

    /// The order under `key` (`channel:channel_order_id`), or None.
    fn order(&self, py: Python<'_>, key: &str) -> PyResult<Option<Order>> {
        let client = &self.client;
        Ok(run(py, || client.order(key))?.map(Order::from))
    }

    /// Every order now in `state` (one of `ORDER_STATES`), oldest in that state first.
    /// ValueError for an unknown state.
    fn orders_in<'py>(&self, py: Python<'py>, state: &str) -> PyResult<Bound<'py, PyList>> {
        let state = order_state(state)?;
        let client = &self.client;
        let orders = run(py, || client.orders_in(state))?;
        order_list(py, orders)
    }

    /// A reviewer takes a flagged order into review (`flagged` → `in_review`).
    /// IllegalTransitionError (naming both states) when the order's state does not allow it.
    fn start_review(&self, py: Python<'_>, key: &str) -> PyResult<()> {
        let client = &self.client;
        run(py, || client.start_review(key))
    }

    /// A reviewer approves an order in review: its stock is reserved (split across warehouses
    /// if no single one can serve it) and it becomes `reserved`; a return order's return is
    /// accepted instead (`return_requested`). InsufficientStockError when the stock is not
    /// there.
    fn approve(&self, py: Python<'_>, key: &str) -> PyResult<()> {
        let client = &self.client;
        run(py, || client.approve(key))
    }

    /// A reviewer rejects a flagged or reviewed order: it is cancelled, with `note` as why.
    #[pyo3(signature = (key, note=""))]
    fn reject(&self, py: Python<'_>, key: &str, note: &str) -> PyResult<()> {
        let client = &self.client;
        run(py, || client.reject(key, note))
    }

    /// Parks a reserved order in review (its stock stays held), with `note` as why.
    #[pyo3(signature = (key, note=""))]
    fn hold(&self, py: Python<'_>, key: &str, note: &str) -> PyResult<()> {
        let client = &self.client;
        run(py, || client.hold(key, note))
    }

    /// The warehouse takes a reserved order for picking (`reserved` →
    /// `released_to_warehouse`).
    fn release_to_warehouse(&self, py: Python<'_>, key: &str) -> PyResult<()> {
        let client = &self.client;
        run(py, || client.release_to_warehouse(key))
    }

    /// Writes a waybill back to a released order: the carrier's code (`SF`, `JD`, `ZTO`,
    /// `YTO`, `STO`, `YD`, `EMS` or another) and the number, checked against the carrier's
    /// format (InvalidInputError for a number the carrier never prints). Its stock leaves, it
    /// is `shipped`, and the buyer is to be told. The same waybill again is harmless.
    fn ship(&self, py: Python<'_>, key: &str, carrier: &str, tracking_number: &str) -> PyResult<()> {
        let client = &self.client;
        run(py, || client.ship(key, carrier, tracking_number))
    }

    /// A carrier's tracking event for a waybill: `kind` is one of `TRACKING_KINDS`
    /// (`"picked_up"`, `"in_transit"`, `"delivered"`, `"exception"`). Pickup, delivery and
    /// exception move the order when its state allows; events out of order are recorded and
    /// move nothing. Returns the key of the order the waybill belongs to (UnknownOrderError
    /// when none has it).
    #[pyo3(signature = (carrier, tracking_number, kind, detail=""))]
    fn track(
        &self,
        py: Python<'_>,
        carrier: &str,
        tracking_number: &str,
        kind: &str,
        detail: &str,
    ) -> PyResult<String> {
        let kind = tracking_kind(kind)?;
        let client = &self.client;
        run(py, || client.track(carrier, tracking_number, kind, detail))
    }

    /// Cancels an order that has not shipped, with `note` as why; its held stock is released.
    #[pyo3(signature = (key, note=""))]
    fn cancel(&self, py: Python<'_>, key: &str, note: &str) -> PyResult<()> {
        let client = &self.client;
        run(py, || client.cancel(key, note))
    }

    /// The buyer asks to return a delivered order (`delivered` → `return_requested`).
    #[pyo3(signature = (key, note=""))]
    fn request_return(&self, py: Python<'_>, key: &str, note: &str) -> PyResult<()> {
        let client = &self.client;
        run(py, || client.request_return(key, note))
    }

    /// The returned goods arrived in `warehouse` and go back on hand there (`returned`).
    fn complete_return(&self, py: Python<'_>, key: &str, warehouse: &str) -> PyResult<()> {
        let client = &self.client;
        run(py, || client.complete_return(key, warehouse))
    }

    /// A return request is turned down: the order is `delivered` again.
    #[pyo3(signature = (key, note=""))]
    fn deny_return(&self, py: Python<'_>, key: &str, note: &str) -> PyResult<()> {
        let client = &self.client;
        run(py, || client.deny_return(key, note))
    }

    // -----------------------------------------------------------------------------------------
    // Tasks and the blacklist

    /// Open and acknowledged to-do tasks, most severe first, then oldest.
    fn tasks(&self, py: Python<'_>) -> PyResult<Vec<Task>> {
        let client = &self.client;
        Ok(run(py, || client.tasks())?.into_iter().map(Task::from).collect())
    }

    /// Someone is on it: an open task becomes `acknowledged`. Returns the task after.
    /// InvalidInputError for an unknown task, IllegalTransitionError for a closed one.
    fn acknowledge_task(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> PyResult<Task> {
        let id = to_u64(id, "id")?;
        let client = &self.client;
        run(py, || client.acknowledge_task(id)).map(Task::from)
    }

    /// Closes an open or acknowledged task. Returns the task after.
    fn close_task(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> PyResult<Task> {
        let id = to_u64(id, "id")?;
        let client = &self.client;
        run(py, || client.close_task(id)).map(Task::from)
    }

    /// Adds a buyer id, phone number or address (`kind`: one of `BLACKLISTS`) to the
    /// blacklist; later orders that match are flagged (critical: they always see a reviewer).
    /// Addresses compare without whitespace.
    fn blacklist_add(&self, py: Python<'_>, kind: &str, value: &str) -> PyResult<()> {
        let kind = blacklist_kind(kind)?;
        let client = &self.client;
        run(py, || client.blacklist_add(kind, value))
    }

    /// Removes an entry from the blacklist (removing one that is not there is harmless).
    fn blacklist_remove(&self, py: Python<'_>, kind: &str, value: &str) -> PyResult<()> {
        let kind = blacklist_kind(kind)?;
        let client = &self.client;
        run(py, || client.blacklist_remove(kind, value))
    }

    // -----------------------------------------------------------------------------------------
    // Rules

    /// Replaces the live rules file with `text`, recording this client's actor as who changed
    /// it. A file with problems is refused as a whole: InvalidRulesError, whose `errors` lists
    /// every problem with its line and column; the previous rules stay live.
    fn set_rules(&self, py: Python<'_>, text: &str) -> PyResult<()> {
        let client = &self.client;
        run(py, || client.set_rules(text))
    }

    /// The live rules, parsed.
    fn rules(&self, py: Python<'_>) -> PyResult<Rules> {
        let client = &self.client;
        run(py, || client.rules()).map(Rules::from)
    }

    /// The live rules file's text.
    fn rules_text(&self, py: Python<'_>) -> PyResult<String> {
        let client = &self.client;
        run(py, || client.rules_text())
    }

    /// Which rule the order under `key` matches under the live rules, and why each rule did or
    /// did not (the path may differ from the one it took at intake if the rules changed).
    fn explain(&self, py: Python<'_>, key: &str) -> PyResult<Explanation> {
        let client = &self.client;
        run(py, || client.explain(key)).map(Explanation::from)
    }

    /// How the most recent orders (up to 10,000) would be routed by the proposed rules `text`,
    /// against the live ones; nothing changes. InvalidRulesError for a file with problems.
    fn dry_run_rules(&self, py: Python<'_>, text: &str) -> PyResult<DryRun> {
        let client = &self.client;
        run(py, || client.dry_run_rules(text)).map(DryRun::from)
    }

    // -----------------------------------------------------------------------------------------
    // Events

    /// An iterator over the events after LSN `after` (0: from the oldest still in the log),
    /// whose `cursor` is what to store to resume after a restart: `for event in
    /// client.subscribe(after=cursor)`. See `Subscription`.
    #[pyo3(signature = (after=None), text_signature = "(self, /, after=0)")]
    fn subscribe(&self, after: Option<&Bound<'_, PyAny>>) -> PyResult<Subscription> {
        let after = to_opt_u64(after, "after")?.unwrap_or(0);
        Ok(Subscription::new(self.client.clone(), self.shared.clone(), after))
    }
}
