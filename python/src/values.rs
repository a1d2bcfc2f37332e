//! The values the engine answers with, as frozen Python objects with `==`, `hash()` and a repr
//! that reads like the call that would build them (`Stock(on_hand=98, ...)`). SKUs and
//! warehouses appear as their codes, never as the core's ids.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use crate::args::NotBool;
use allot_core::{ReservationState, StockLevels};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use pyo3::{IntoPyObjectExt, intern};

/// A string as the reprs spell it: double quotes, escapes like the core's messages.
pub(crate) fn quoted(text: &Bound<'_, PyString>) -> String {
    match text.to_str() {
        Ok(text) => format!("{text:?}"),
        Err(_) => text.repr().map_or_else(|_| "?".into(), |r| r.to_string()),
    }
}

/// Whether two `str` objects hold the same text.
fn same_str(a: &Py<PyString>, b: &Py<PyString>, py: Python<'_>) -> PyResult<bool> {
    if a.is(b) {
        return Ok(true);
    }
    PyAnyMethods::eq(a.bind(py).as_any(), b.bind(py))
}

fn py_repr(value: &Bound<'_, PyAny>) -> String {
    if let Ok(text) = value.cast::<PyString>() {
        return quoted(text);
    }
    value.repr().map_or_else(|_| "?".into(), |r| r.to_string())
}

pub(crate) fn py_bool(value: bool) -> &'static str {
    if value { "True" } else { "False" }
}

/// An optional string as a repr spells it: `"text"` or `None`.
pub(crate) fn opt_str(value: Option<&str>) -> String {
    value.map_or_else(|| "None".into(), |text| format!("{text:?}"))
}

fn opt_int(value: Option<u64>) -> String {
    value.map_or_else(|| "None".into(), |v| v.to_string())
}

pub(crate) fn hash_of(value: impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

fn state_str<'py>(py: Python<'py>, state: ReservationState) -> Bound<'py, PyString> {
    match state {
        ReservationState::Held => intern!(py, "held").clone(),
        ReservationState::Committed => intern!(py, "committed").clone(),
        ReservationState::Released => intern!(py, "released").clone(),
        ReservationState::Expired => intern!(py, "expired").clone(),
    }
}

// ---------------------------------------------------------------------------------------------

/// One line of a reservation: `qty` units of SKU `sku` held in warehouse `warehouse`.
#[pyclass(frozen, module = "allot", name = "ReservedLine")]
pub(crate) struct ReservedLine {
    /// The SKU's code.
    #[pyo3(get)]
    pub(crate) sku: Py<PyString>,
    /// The code of the warehouse holding the units.
    #[pyo3(get)]
    pub(crate) warehouse: Py<PyString>,
    /// Units held.
    #[pyo3(get)]
    pub(crate) qty: u32,
}

impl ReservedLine {
    fn clone_ref(&self, py: Python<'_>) -> ReservedLine {
        ReservedLine { sku: self.sku.clone_ref(py), warehouse: self.warehouse.clone_ref(py), qty: self.qty }
    }

    fn same(&self, py: Python<'_>, other: &ReservedLine) -> PyResult<bool> {
        Ok(self.qty == other.qty
            && same_str(&self.sku, &other.sku, py)?
            && same_str(&self.warehouse, &other.warehouse, py)?)
    }
}

#[pymethods]
impl ReservedLine {
    #[new]
    #[pyo3(signature = (sku, warehouse, qty))]
    fn new(sku: Bound<'_, PyString>, warehouse: Bound<'_, PyString>, qty: NotBool<u32>) -> ReservedLine {
        ReservedLine { sku: sku.unbind(), warehouse: warehouse.unbind(), qty: qty.0 }
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "ReservedLine(sku={}, warehouse={}, qty={})",
            quoted(self.sku.bind(py)),
            quoted(self.warehouse.bind(py)),
            self.qty
        )
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, ReservedLine>) -> PyResult<bool> {
        self.same(py, other.get())
    }

    fn __hash__(&self, py: Python<'_>) -> PyResult<u64> {
        Ok(hash_of((self.sku.bind(py).hash()?, self.warehouse.bind(py).hash()?, self.qty)))
    }
}

// ---------------------------------------------------------------------------------------------

/// Stock levels of a cell, or summed over several warehouses.
#[pyclass(frozen, eq, hash, get_all, module = "allot", name = "Stock")]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Stock {
    /// Units physically in the warehouse(s).
    on_hand: u64,
    /// Units held by reservations.
    reserved: u64,
    /// What a new order may take: `on_hand - reserved - buffer`, never below zero.
    available: u64,
    /// Units on their way (not sellable yet).
    in_transit: u64,
    /// The safety buffer in units, as applied to the current on-hand count.
    buffer: u64,
}

impl From<StockLevels> for Stock {
    fn from(levels: StockLevels) -> Stock {
        Stock {
            on_hand: levels.on_hand,
            reserved: levels.reserved,
            available: levels.available,
            in_transit: levels.in_transit,
            buffer: levels.buffer,
        }
    }
}

#[pymethods]
impl Stock {
    #[new]
    #[pyo3(
        signature = (on_hand=NotBool(0), reserved=NotBool(0), available=NotBool(0), in_transit=NotBool(0), buffer=NotBool(0)),
        text_signature = "(on_hand=0, reserved=0, available=0, in_transit=0, buffer=0)"
    )]
    fn new(
        on_hand: NotBool<u64>,
        reserved: NotBool<u64>,
        available: NotBool<u64>,
        in_transit: NotBool<u64>,
        buffer: NotBool<u64>,
    ) -> Stock {
        Stock {
            on_hand: on_hand.0,
            reserved: reserved.0,
            available: available.0,
            in_transit: in_transit.0,
            buffer: buffer.0,
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "Stock(on_hand={}, reserved={}, available={}, in_transit={}, buffer={})",
            self.on_hand, self.reserved, self.available, self.in_transit, self.buffer
        )
    }
}

// ---------------------------------------------------------------------------------------------

/// The lines of a reservation with their codes resolved; one line (most orders) allocates
/// nothing beyond the reservation object.
pub(crate) enum Lines {
    One(ReservedLine),
    Many(Vec<ReservedLine>),
}

impl Lines {
    pub(crate) fn from_iter(mut lines: impl ExactSizeIterator<Item = ReservedLine>) -> Lines {
        if lines.len() == 1
            && let Some(line) = lines.next()
        {
            return Lines::One(line);
        }
        Lines::Many(lines.collect())
    }

    fn as_slice(&self) -> &[ReservedLine] {
        match self {
            Lines::One(line) => std::slice::from_ref(line),
            Lines::Many(lines) => lines,
        }
    }
}

/// A reservation: the stock held for an order id, where, and in what state.
#[pyclass(frozen, module = "allot", name = "Reservation")]
pub(crate) struct Reservation {
    pub(crate) order_id: Py<PyString>,
    pub(crate) lines: Lines,
    pub(crate) state: ReservationState,
    pub(crate) expires_at_ms: Option<u64>,
    pub(crate) reserved_at_ms: u64,
    pub(crate) lsn: u64,
    pub(crate) repeat: bool,
}

#[pymethods]
impl Reservation {
    /// The order id the stock is held for.
    #[getter]
    fn order_id(&self, py: Python<'_>) -> Py<PyString> {
        self.order_id.clone_ref(py)
    }

    /// The reserved lines (a new list each time), one per SKU and warehouse.
    #[getter]
    fn lines<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.lines.as_slice().iter().map(|line| line.clone_ref(py)))
    }

    /// `"held"`, `"committed"`, `"released"` or `"expired"`; only held reservations hold stock.
    #[getter]
    fn state<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        state_str(py, self.state)
    }

    /// When a held reservation expires, in seconds since the Unix epoch on the engine's clock;
    /// `None` if it never expires.
    #[getter]
    fn expires_at(&self) -> Option<f64> {
        self.expires_at_ms.map(|ms| ms as f64 / 1000.0)
    }

    /// `expires_at` in whole milliseconds.
    #[getter]
    fn expires_at_ms(&self) -> Option<u64> {
        self.expires_at_ms
    }

    /// When it was reserved, in milliseconds since the Unix epoch on the engine's clock.
    #[getter]
    fn reserved_at_ms(&self) -> u64 {
        self.reserved_at_ms
    }

    /// The log sequence number of the reserve record.
    #[getter]
    fn lsn(&self) -> u64 {
        self.lsn
    }

    /// True when this call found the order already reserved with the same lines and held
    /// nothing new (an idempotent repeat).
    #[getter]
    fn repeat(&self) -> bool {
        self.repeat
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let lines: Vec<String> = self.lines.as_slice().iter().map(|line| line.__repr__(py)).collect();
        format!(
            "Reservation(order_id={}, lines=[{}], state={:?}, expires_at_ms={}, reserved_at_ms={}, lsn={}, repeat={})",
            quoted(self.order_id.bind(py)),
            lines.join(", "),
            self.state.name(),
            opt_int(self.expires_at_ms),
            self.reserved_at_ms,
            self.lsn,
            py_bool(self.repeat)
        )
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, Reservation>) -> PyResult<bool> {
        let other = other.get();
        let (mine, theirs) = (self.lines.as_slice(), other.lines.as_slice());
        if (self.state, self.expires_at_ms, self.reserved_at_ms, self.lsn, self.repeat, mine.len())
            != (other.state, other.expires_at_ms, other.reserved_at_ms, other.lsn, other.repeat, theirs.len())
            || !same_str(&self.order_id, &other.order_id, py)?
        {
            return Ok(false);
        }
        for (a, b) in mine.iter().zip(theirs) {
            if !a.same(py, b)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn __hash__(&self, py: Python<'_>) -> PyResult<u64> {
        Ok(hash_of((self.order_id.bind(py).hash()?, self.lsn, self.state, self.repeat)))
    }
}

// ---------------------------------------------------------------------------------------------

/// What a commit or release did.
#[pyclass(frozen, eq, hash, module = "allot", name = "Settled")]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Settled {
    state: ReservationState,
    changed: bool,
    lsn: u64,
}

impl From<allot_core::Settled> for Settled {
    fn from(settled: allot_core::Settled) -> Settled {
        Settled { state: settled.state, changed: settled.changed, lsn: settled.lsn }
    }
}

#[pymethods]
impl Settled {
    #[new]
    #[pyo3(signature = (state, changed, lsn))]
    fn new(state: &str, changed: bool, lsn: NotBool<u64>) -> PyResult<Settled> {
        let NotBool(lsn) = lsn;
        let state = match state {
            "held" => ReservationState::Held,
            "committed" => ReservationState::Committed,
            "released" => ReservationState::Released,
            "expired" => ReservationState::Expired,
            other => {
                return Err(pyo3::exceptions::PyValueError::new_err(format!(
                    "unknown reservation state {other:?}: expected held, committed, released or expired"
                )));
            }
        };
        Ok(Settled { state, changed, lsn })
    }

    /// The reservation's state after the call.
    #[getter]
    fn state<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        state_str(py, self.state)
    }

    /// False when the call found the reservation already settled and changed nothing.
    #[getter]
    fn changed(&self) -> bool {
        self.changed
    }

    /// The LSN of the record that settled the reservation (this call's or an earlier one's).
    #[getter]
    fn lsn(&self) -> u64 {
        self.lsn
    }

    fn __repr__(&self) -> String {
        format!("Settled(state={:?}, changed={}, lsn={})", self.state.name(), py_bool(self.changed), self.lsn)
    }
}

// ---------------------------------------------------------------------------------------------

/// A warehouse of the catalogue.
#[pyclass(frozen, eq, hash, get_all, module = "allot", name = "Warehouse")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct Warehouse {
    /// The warehouse's code.
    code: String,
    /// Its administrative region code (for example "310000").
    region: String,
    /// Lower numbers are preferred when distances tie.
    priority: u32,
    /// Inactive warehouses keep their stock but are never chosen for new reservations.
    active: bool,
}

impl From<&allot_core::Warehouse> for Warehouse {
    fn from(warehouse: &allot_core::Warehouse) -> Warehouse {
        Warehouse {
            code: warehouse.code.to_string(),
            region: warehouse.region.to_string(),
            priority: warehouse.priority,
            active: warehouse.active,
        }
    }
}

#[pymethods]
impl Warehouse {
    #[new]
    #[pyo3(signature = (code, region, priority, active=true))]
    fn new(code: String, region: String, priority: NotBool<u32>, active: bool) -> Warehouse {
        Warehouse { code, region, priority: priority.0, active }
    }

    fn __repr__(&self) -> String {
        format!(
            "Warehouse(code={:?}, region={:?}, priority={}, active={})",
            self.code,
            self.region,
            self.priority,
            py_bool(self.active)
        )
    }
}

/// A SKU of the catalogue.
#[pyclass(frozen, eq, hash, get_all, module = "allot", name = "Sku")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct Sku {
    /// The SKU's code.
    code: String,
    /// Its category ("" if none was given).
    category: String,
}

impl From<&allot_core::Sku> for Sku {
    fn from(sku: &allot_core::Sku) -> Sku {
        Sku { code: sku.code.to_string(), category: sku.category.to_string() }
    }
}

#[pymethods]
impl Sku {
    #[new]
    #[pyo3(signature = (code, category=""))]
    fn new(code: String, category: &str) -> Sku {
        Sku { code, category: category.to_string() }
    }

    fn __repr__(&self) -> String {
        format!("Sku(code={:?}, category={:?})", self.code, self.category)
    }
}

// ---------------------------------------------------------------------------------------------

/// One state change read back from the log. `lsn` is the cursor to pass back to
/// `Client.events(after=...)` or `Client.subscribe(after=...)`; `kind` names the change (the
/// stock layer's `"add_warehouse"`, `"update_warehouse"`, `"add_sku"`, `"set_buffer"`,
/// `"move"`, `"reserve"`, `"settle"`; the order pipeline's `"order_received"`,
/// `"order_moved"`, `"waybill"`, `"tracking"`, `"escalated"`, `"task_opened"`,
/// `"task_changed"`, `"notified"`, `"blacklist"`, `"rules"`, `"stock_alert"`); the record's
/// fields are attributes (None for the fields other kinds have) and, only those of this kind,
/// `fields`. SKUs and warehouses appear as codes.
#[pyclass(frozen, module = "allot", name = "Event")]
pub(crate) struct Event {
    pub(crate) lsn: u64,
    pub(crate) kind: String,
    pub(crate) fields: Py<PyDict>,
}

impl Event {
    fn field<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.fields.bind(py).get_item(name)
    }
}

#[pymethods]
impl Event {
    /// The record's log sequence number.
    #[getter]
    fn lsn(&self) -> u64 {
        self.lsn
    }

    /// What kind of change this is.
    #[getter]
    fn kind(&self) -> &str {
        &self.kind
    }

    /// The fields this kind of event has, by name (a new dict each time).
    #[getter]
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.fields.bind(py).copy()
    }

    /// The warehouse's code (add_warehouse, update_warehouse, move; set_buffer: None for the SKU's default).
    #[getter]
    fn warehouse<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "warehouse")
    }

    /// The warehouse's region code (add_warehouse).
    #[getter]
    fn region<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "region")
    }

    /// The warehouse's priority (add_warehouse, update_warehouse).
    #[getter]
    fn priority<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "priority")
    }

    /// Whether the warehouse takes new reservations (add_warehouse, update_warehouse).
    #[getter]
    fn active<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "active")
    }

    /// The SKU's code (add_sku, set_buffer, move, stock_alert).
    #[getter]
    fn sku<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "sku")
    }

    /// The SKU's category (add_sku).
    #[getter]
    fn category<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "category")
    }

    /// The buffer in units, or None (set_buffer).
    #[getter]
    fn units<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "units")
    }

    /// The buffer in percent of on hand, or None (set_buffer).
    #[getter]
    fn percent<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "percent")
    }

    /// One of "set", "receive", "adjust", "expect_inbound" or "land_inbound" (move).
    #[getter]
    fn movement<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "movement")
    }

    /// On hand after a stocktake (move "set").
    #[getter]
    fn on_hand<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "on_hand")
    }

    /// Units moved (move "receive", "expect_inbound", "land_inbound").
    #[getter]
    fn qty<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "qty")
    }

    /// The signed correction (move "adjust").
    #[getter]
    fn delta<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "delta")
    }

    /// Why on hand was corrected (move "adjust").
    #[getter]
    fn reason<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "reason")
    }

    /// The order id (reserve, settle) or the order's key (the order pipeline's kinds).
    #[getter]
    fn order_id<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "order_id")
    }

    /// The reserved lines, a list of ReservedLine (reserve; the order pipeline's kinds whose
    /// `stock_step` is "reserve" or "restock").
    #[getter]
    fn lines<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "lines")
    }

    /// When the reservation expires, ms since the epoch; None: never (reserve).
    #[getter]
    fn expires_at_ms<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "expires_at_ms")
    }

    /// When the change happened on the engine's clock, ms since the epoch (reserve, settle and
    /// every kind of the order pipeline).
    #[getter]
    fn at_ms<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "at_ms")
    }

    /// One of "commit", "release" or "expire" (settle).
    #[getter]
    fn settlement<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "settlement")
    }

    /// The core's rendering of a kind of record newer than this module.
    #[getter]
    fn record<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "record")
    }

    /// The state the order left (order_received: "received"; order_moved).
    #[getter(from_state)]
    fn field_from_state<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "from_state")
    }

    /// The state the order entered (order_received: where intake put it; order_moved).
    #[getter]
    fn to_state<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "to_state")
    }

    /// The path routing chose (order_received).
    #[getter]
    fn path<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "path")
    }

    /// The routing rule that chose the path, None for the default path (order_received).
    #[getter]
    fn rule<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "rule")
    }

    /// The flags the intake checks raised, a list of Flag (order_received).
    #[getter]
    fn flags<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "flags")
    }

    /// Who made the change: a client's actor, "sla" for escalations (order_moved, task_changed, blacklist, rules).
    #[getter]
    fn by<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "by")
    }

    /// The note given with the move (order_moved).
    #[getter]
    fn note<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "note")
    }

    /// The carrier's code (waybill).
    #[getter]
    fn carrier<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "carrier")
    }

    /// The waybill number (waybill).
    #[getter]
    fn tracking_number<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "tracking_number")
    }

    /// What the carrier reported: picked_up, in_transit, delivered or exception (tracking).
    #[getter]
    fn tracking<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "tracking")
    }

    /// The carrier's free-text detail (tracking).
    #[getter]
    fn detail<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "detail")
    }

    /// The stage that stalled: review, release, ship, tracking or delivery (escalated, task_opened).
    #[getter]
    fn stage<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "stage")
    }

    /// The escalation tier, from 0 (escalated).
    #[getter]
    fn tier<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "tier")
    }

    /// low, medium, high or critical (escalated, task_opened, task_changed).
    #[getter]
    fn severity<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "severity")
    }

    /// The task's id (escalated, task_opened, task_changed).
    #[getter]
    fn task<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "task")
    }

    /// overdue_<stage> or enter_tracking (task_opened).
    #[getter]
    fn task_kind<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "task_kind")
    }

    /// Who is to act on the task (task_opened).
    #[getter]
    fn assignee<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "assignee")
    }

    /// open, acknowledged or closed (task_changed).
    #[getter]
    fn task_state<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "task_state")
    }

    /// What the buyer is to be told: shipped or delivered (notified).
    #[getter]
    fn notification<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "notification")
    }

    /// Which list: buyer, phone or address (blacklist).
    #[getter]
    fn blacklist<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "blacklist")
    }

    /// The entry added or removed (blacklist).
    #[getter]
    fn value<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "value")
    }

    /// True when the entry was added, False when removed (blacklist).
    #[getter]
    fn added<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "added")
    }

    /// The new rules file's whole text (rules).
    #[getter]
    fn rules_text<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "rules_text")
    }

    /// The SKU's available units over all warehouses (stock_alert).
    #[getter]
    fn available<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "available")
    }

    /// What an order's change did to its stock, logged with it: "reserve" (with `lines`),
    /// "commit", "release" or "restock" (with `lines`: the goods put back on hand); None when the
    /// change touched no stock (order_received, order_moved).
    #[getter]
    fn stock_step<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "stock_step")
    }

    /// The rules' low-stock level it fell to or below (stock_alert).
    #[getter]
    fn threshold<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.field(py, "threshold")
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let mut text = format!("Event(lsn={}, kind={:?}", self.lsn, self.kind);
        for (name, value) in self.fields.bind(py).iter() {
            let name = name.str().map_or_else(|_| "?".into(), |n| n.to_string());
            text.push_str(&format!(", {name}={}", py_repr(&value)));
        }
        text.push(')');
        text
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, Event>) -> PyResult<bool> {
        let other = other.get();
        Ok(self.lsn == other.lsn
            && self.kind == other.kind
            && PyAnyMethods::eq(self.fields.bind(py).as_any(), other.fields.bind(py))?)
    }

    fn __hash__(&self) -> u64 {
        hash_of((self.lsn, &self.kind))
    }
}

/// Builds an event's field dict in order.
pub(crate) struct Fields<'py> {
    dict: Bound<'py, PyDict>,
}

impl<'py> Fields<'py> {
    pub(crate) fn new(py: Python<'py>) -> Fields<'py> {
        Fields { dict: PyDict::new(py) }
    }

    pub(crate) fn set(self, name: &'static str, value: impl IntoPyObject<'py>) -> PyResult<Fields<'py>> {
        let py = self.dict.py();
        self.dict.set_item(PyString::intern(py, name), value.into_bound_py_any(py)?)?;
        Ok(self)
    }

    pub(crate) fn finish(self, lsn: u64, kind: impl Into<String>) -> PyResult<Event> {
        Ok(Event { lsn, kind: kind.into(), fields: self.dict.unbind() })
    }
}

// ---------------------------------------------------------------------------------------------

/// A point-in-time view of the engine's counters.
#[pyclass(frozen, module = "allot", name = "Metrics")]
pub(crate) struct Metrics {
    /// SKUs in the catalogue.
    #[pyo3(get)]
    pub(crate) skus: u64,
    /// Warehouses in the catalogue.
    #[pyo3(get)]
    pub(crate) warehouses: u64,
    /// Reservations made since the engine (or its log) began.
    #[pyo3(get)]
    pub(crate) reservations_made: u64,
    /// Reservations holding stock now.
    #[pyo3(get)]
    pub(crate) reservations_held: u64,
    /// Committed reservations still remembered.
    #[pyo3(get)]
    pub(crate) reservations_committed: u64,
    /// Released reservations still remembered.
    #[pyo3(get)]
    pub(crate) reservations_released: u64,
    /// Expired reservations still remembered.
    #[pyo3(get)]
    pub(crate) reservations_expired: u64,
    /// Reserve calls refused for insufficient stock (since this open).
    #[pyo3(get)]
    pub(crate) reserves_refused: u64,
    /// Reserve calls answered from an earlier reservation of the same order (since this open).
    #[pyo3(get)]
    pub(crate) reserve_repeats: u64,
    /// Reserve calls refused because the order id was used with other lines (since this open).
    #[pyo3(get)]
    pub(crate) duplicate_orders: u64,
    /// Denied calls over all roles and operations (since this open).
    #[pyo3(get)]
    pub(crate) permission_denied_total: u64,
    /// The last LSN appended.
    #[pyo3(get)]
    pub(crate) log_last_lsn: u64,
    /// The last LSN known durable.
    #[pyo3(get)]
    pub(crate) log_durable_lsn: u64,
    /// Records appended since this open.
    #[pyo3(get)]
    pub(crate) log_records_appended: u64,
    /// Bytes appended since this open.
    #[pyo3(get)]
    pub(crate) log_bytes_appended: u64,
    /// Log flushes since this open.
    #[pyo3(get)]
    pub(crate) log_flushes: u64,
    /// Live log segments.
    #[pyo3(get)]
    pub(crate) log_segments: u64,
    /// Checkpoints written since this open.
    #[pyo3(get)]
    pub(crate) checkpoints: u64,
    /// Orders that never needed a person's decision (in the book now).
    #[pyo3(get)]
    pub(crate) orders_zero_touch: u64,
    pub(crate) denied: Vec<(&'static str, &'static str, u64)>,
    pub(crate) orders_by_state: Vec<(&'static str, u64)>,
    pub(crate) open_tasks_by_severity: Vec<(&'static str, u64)>,
    /// The core's view, for the Prometheus text.
    pub(crate) core: allot_core::Metrics,
}

impl From<allot_core::Metrics> for Metrics {
    fn from(m: allot_core::Metrics) -> Metrics {
        Metrics {
            skus: m.skus,
            warehouses: m.warehouses,
            reservations_made: m.reservations_made,
            reservations_held: m.reservations_held,
            reservations_committed: m.reservations_committed,
            reservations_released: m.reservations_released,
            reservations_expired: m.reservations_expired,
            reserves_refused: m.reserves_refused,
            reserve_repeats: m.reserve_repeats,
            duplicate_orders: m.duplicate_orders,
            permission_denied_total: m.permission_denied_total,
            log_last_lsn: m.log_last_lsn,
            log_durable_lsn: m.log_durable_lsn,
            log_records_appended: m.log_records_appended,
            log_bytes_appended: m.log_bytes_appended,
            log_flushes: m.log_flushes,
            log_segments: m.log_segments,
            checkpoints: m.checkpoints,
            orders_zero_touch: m.orders_zero_touch,
            denied: m.permission_denied.iter().map(|(role, op, n)| (role.name(), op.name(), *n)).collect(),
            orders_by_state: m.orders_by_state.iter().map(|(state, n)| (state.name(), *n)).collect(),
            open_tasks_by_severity: m
                .open_tasks_by_severity
                .iter()
                .map(|(severity, n)| (severity.name(), *n))
                .collect(),
            core: m,
        }
    }
}

impl Metrics {
    fn counters(&self) -> [(&'static str, u64); 19] {
        [
            ("skus", self.skus),
            ("warehouses", self.warehouses),
            ("reservations_made", self.reservations_made),
            ("reservations_held", self.reservations_held),
            ("reservations_committed", self.reservations_committed),
            ("reservations_released", self.reservations_released),
            ("reservations_expired", self.reservations_expired),
            ("reserves_refused", self.reserves_refused),
            ("reserve_repeats", self.reserve_repeats),
            ("duplicate_orders", self.duplicate_orders),
            ("permission_denied_total", self.permission_denied_total),
            ("log_last_lsn", self.log_last_lsn),
            ("log_durable_lsn", self.log_durable_lsn),
            ("log_records_appended", self.log_records_appended),
            ("log_bytes_appended", self.log_bytes_appended),
            ("log_flushes", self.log_flushes),
            ("log_segments", self.log_segments),
            ("checkpoints", self.checkpoints),
            ("orders_zero_touch", self.orders_zero_touch),
        ]
    }
}

#[pymethods]
impl Metrics {
    /// Denied calls by `(role, operation)`, only the non-zero ones (since this open).
    #[getter]
    fn permission_denied<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (role, operation, count) in &self.denied {
            dict.set_item((*role, *operation), *count)?;
        }
        Ok(dict)
    }

    /// Orders in the book by state name, only the states that have some. Finished orders are
    /// forgotten by the checkpoint after the settled-retention window.
    #[getter]
    fn orders_by_state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (state, count) in &self.orders_by_state {
            dict.set_item(*state, *count)?;
        }
        Ok(dict)
    }

    /// Open and acknowledged to-do tasks by severity name, most severe first, only the
    /// severities that have some.
    #[getter]
    fn open_tasks_by_severity<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (severity, count) in &self.open_tasks_by_severity {
            dict.set_item(*severity, *count)?;
        }
        Ok(dict)
    }

    /// The metrics in Prometheus' text exposition format (prefix `allot_`), for a process that
    /// serves them at `/metrics`.
    fn prometheus_text(&self) -> String {
        self.core.prometheus_text()
    }

    /// Every counter by name, with `permission_denied` as a dict keyed by `"role.operation"`,
    /// and `orders_by_state` and `open_tasks_by_severity` as dicts.
    fn as_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (name, value) in self.counters() {
            dict.set_item(name, value)?;
        }
        let denied = PyDict::new(py);
        for (role, operation, count) in &self.denied {
            denied.set_item(format!("{role}.{operation}"), *count)?;
        }
        dict.set_item("permission_denied", denied)?;
        dict.set_item("orders_by_state", self.orders_by_state(py)?)?;
        dict.set_item("open_tasks_by_severity", self.open_tasks_by_severity(py)?)?;
        Ok(dict)
    }

    fn __repr__(&self) -> String {
        let mut text = String::from("Metrics(");
        for (index, (name, value)) in self.counters().iter().enumerate() {
            if index > 0 {
                text.push_str(", ");
            }
            text.push_str(&format!("{name}={value}"));
        }
        let listed = |pairs: &[(&str, u64)]| {
            pairs.iter().map(|(name, count)| format!("{name:?}: {count}")).collect::<Vec<_>>().join(", ")
        };
        text.push_str(&format!(
            ", orders_by_state={{{}}}, open_tasks_by_severity={{{}}})",
            listed(&self.orders_by_state),
            listed(&self.open_tasks_by_severity)
        ));
        text
    }
}

/// Where recovery cut a torn log tail.
#[pyclass(frozen, eq, get_all, module = "allot", name = "TornTail")]
#[derive(Clone, PartialEq)]
pub(crate) struct TornTail {
    /// The segment file that was cut.
    path: String,
    /// Where the cut was made: the end of the last valid record.
    offset: u64,
    /// Bytes after the cut that were not a valid record (zeroed by the repair).
    damaged_bytes: u64,
    /// Valid-looking records after the cut that were never durable and were discarded.
    discarded_records: u64,
    /// Why the first bytes after the cut were not a record.
    reason: String,
}

#[pymethods]
impl TornTail {
    fn __repr__(&self) -> String {
        format!(
            "TornTail(path={:?}, offset={}, damaged_bytes={}, discarded_records={}, reason={:?})",
            self.path, self.offset, self.damaged_bytes, self.discarded_records, self.reason
        )
    }
}

/// What opening a data directory found and did.
#[pyclass(frozen, eq, get_all, module = "allot", name = "Recovery")]
#[derive(Clone, PartialEq)]
pub(crate) struct Recovery {
    /// The LSN of the checkpoint loaded (0: none).
    checkpoint_lsn: u64,
    /// How the last writer stopped: "fresh", "clean", "process_crash" or "machine_restart".
    shutdown: String,
    /// The highest LSN recovery proved durable; nothing at or below it is ever cut.
    durable_lsn: u64,
    /// Log records replayed after the checkpoint.
    records_replayed: u64,
    /// Where the log was cut (opened read-only: where an open would cut it).
    torn_tail: Option<TornTail>,
    /// The last LSN in the log after recovery.
    last_lsn: u64,
    /// How long opening took, in seconds.
    duration_s: f64,
}

impl From<&allot_core::RecoveryReport> for Recovery {
    fn from(report: &allot_core::RecoveryReport) -> Recovery {
        Recovery {
            checkpoint_lsn: report.checkpoint_lsn,
            shutdown: report.shutdown.name().to_string(),
            durable_lsn: report.durable_lsn,
            records_replayed: report.records_replayed,
            torn_tail: report.torn_tail.as_ref().map(|torn| TornTail {
                path: torn.path.display().to_string(),
                offset: torn.offset,
                damaged_bytes: torn.damaged_bytes,
                discarded_records: torn.discarded_records,
                reason: torn.reason.to_string(),
            }),
            last_lsn: report.last_lsn,
            duration_s: report.duration.as_secs_f64(),
        }
    }
}

#[pymethods]
impl Recovery {
    fn __repr__(&self) -> String {
        format!(
            "Recovery(checkpoint_lsn={}, shutdown={:?}, durable_lsn={}, records_replayed={}, torn_tail={}, last_lsn={}, duration_s={:.6})",
            self.checkpoint_lsn,
            self.shutdown,
            self.durable_lsn,
            self.records_replayed,
            self.torn_tail.as_ref().map_or_else(|| "None".into(), TornTail::__repr__),
            self.last_lsn,
            self.duration_s
        )
    }
}

/// What a checkpoint did.
#[pyclass(frozen, eq, get_all, module = "allot", name = "CheckpointReport")]
#[derive(Clone, PartialEq)]
pub(crate) struct CheckpointReport {
    /// The LSN the checkpoint stands for.
    lsn: u64,
    /// The checkpoint file (`None` for an in-memory engine).
    path: Option<String>,
    /// Its size in bytes.
    bytes: u64,
    /// Log segments it made unnecessary and removed.
    segments_removed: u64,
    /// How long writers were paused while the stock was copied, in seconds.
    pause_s: f64,
    /// How long the whole checkpoint took, in seconds.
    duration_s: f64,
}

impl From<allot_core::CheckpointReport> for CheckpointReport {
    fn from(report: allot_core::CheckpointReport) -> CheckpointReport {
        CheckpointReport {
            lsn: report.lsn,
            path: report.path.map(|p| p.display().to_string()),
            bytes: report.bytes,
            segments_removed: report.segments_removed as u64,
            pause_s: report.pause.as_secs_f64(),
            duration_s: report.duration.as_secs_f64(),
        }
    }
}

#[pymethods]
impl CheckpointReport {
    fn __repr__(&self) -> String {
        format!(
            "CheckpointReport(lsn={}, path={}, bytes={}, segments_removed={}, pause_s={:.6}, duration_s={:.6})",
            self.lsn,
            self.path.as_ref().map_or_else(|| "None".into(), |p| format!("{p:?}")),
            self.bytes,
            self.segments_removed,
            self.pause_s,
            self.duration_s
        )
    }
}
