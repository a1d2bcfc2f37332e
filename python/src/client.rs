//! `Client`: the only door into the engine, bound to a role, as in the core. Every method
//! converts its arguments (TypeError/ValueError for what Rust cannot hold), releases the GIL
//! while the engine works and waits for durability, and answers with frozen value objects
//! whose SKUs and warehouses are codes.

use std::ops::Range;
use std::sync::Arc;

use allot_core::limits::ORDER_LINES_MAX;
use allot_core::log::{Movement, Record, Settlement};
use allot_core::{BufferRule, Error, Operation, OrderRequest, ReserveOptions, SkuId};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

use crate::args::{for_each_item, known_len, order_line, seconds_to_ms, to_i64, to_opt_u64, to_u64, type_name};
use crate::errors::{check, to_pyerr};
use crate::shared::Shared;
use crate::values::{Event, Fields, Lines, Reservation, ReservedLine, Settled, Sku, Stock, Warehouse};

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

/// `PipelineChange` → `pipeline_change`.
fn snake_case(name: &str) -> String {
    let mut snake = String::with_capacity(name.len() + 4);
    for (index, c) in name.chars().enumerate() {
        if c.is_uppercase() {
            if index > 0 {
                snake.push('_');
            }
            snake.extend(c.to_lowercase());
        } else {
            snake.push(c);
        }
    }
    snake
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
                        let seconds = value.extract::<f64>().map_err(|_| {
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

    fn event(&self, py: Python<'_>, event: allot_core::Event) -> PyResult<Event> {
        let shared = &self.shared;
        let fields = Fields::new(py);
        #[allow(unreachable_patterns)] // `Record` may gain variants (the order pipeline's).
        let (kind, fields) = match event.record {
            Record::AddWarehouse { code, region, priority, active, .. } => (
                "add_warehouse",
                fields
                    .set("warehouse", code.as_ref())?
                    .set("region", region.as_ref())?
                    .set("priority", priority)?
                    .set("active", active)?,
            ),
            Record::UpdateWarehouse { id, priority, active } => (
                "update_warehouse",
                fields
                    .set("warehouse", shared.warehouse_code(py, id))?
                    .set("priority", priority)?
                    .set("active", active)?,
            ),
            Record::AddSku { code, category, .. } => {
                ("add_sku", fields.set("sku", code.as_ref())?.set("category", category.as_ref())?)
            }
            Record::SetBuffer { sku, warehouse, rule } => {
                let (units, percent) = match rule {
                    Some(BufferRule::Units(units)) => (Some(units), None),
                    Some(BufferRule::Percent(percent)) => (None, Some(percent)),
                    None => (None, None),
                };
                (
                    "set_buffer",
                    fields
                        .set("sku", shared.sku_code(py, sku))?
                        .set("warehouse", warehouse.map(|id| shared.warehouse_code(py, id)))?
                        .set("units", units)?
                        .set("percent", percent)?,
                )
            }
            Record::Move { sku, warehouse, movement } => {
                let fields = fields
                    .set("sku", shared.sku_code(py, sku))?
                    .set("warehouse", shared.warehouse_code(py, warehouse))?;
                let fields = match movement {
                    Movement::Set { on_hand } => fields.set("movement", "set")?.set("on_hand", on_hand)?,
                    Movement::Receive { qty } => fields.set("movement", "receive")?.set("qty", qty)?,
                    Movement::Adjust { delta, reason } => {
                        fields.set("movement", "adjust")?.set("delta", delta)?.set("reason", reason.as_ref())?
                    }
                    Movement::ExpectInbound { qty } => fields.set("movement", "expect_inbound")?.set("qty", qty)?,
                    Movement::LandInbound { qty } => fields.set("movement", "land_inbound")?.set("qty", qty)?,
                };
                ("move", fields)
            }
            Record::Reserve { order, lines, expires_at_ms, at_ms } => {
                let lines = PyList::new(
                    py,
                    lines.iter().map(|line| ReservedLine {
                        sku: shared.sku_code(py, line.sku),
                        warehouse: shared.warehouse_code(py, line.warehouse),
                        qty: line.qty,
                    }),
                )?;
                (
                    "reserve",
                    fields
                        .set("order_id", order.as_ref())?
                        .set("lines", lines)?
                        .set("expires_at_ms", expires_at_ms)?
                        .set("at_ms", at_ms)?,
                )
            }
            Record::Settle { order, settlement, at_ms } => {
                let settlement = match settlement {
                    Settlement::Commit => "commit",
                    Settlement::Release => "release",
                    Settlement::Expire => "expire",
                };
                ("settle", fields.set("order_id", order.as_ref())?.set("settlement", settlement)?.set("at_ms", at_ms)?)
            }
            // Kinds newer than this module (the order pipeline's): the variant's name in snake
            // case, and the record as the core prints it.
            other => {
                let text = format!("{other:?}");
                let kind = snake_case(text.split(|c: char| !c.is_alphanumeric()).next().unwrap_or("record"));
                return fields.set("record", text)?.finish(event.lsn, kind);
            }
        };
        fields.finish(event.lsn, kind)
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
        ttl_s: Option<f64>,
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
        events.into_iter().map(|event| self.event(py, event)).collect()
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
}
