//! The order pipeline's values: what Python hands to intake (`OrderForm`, `Address`,
//! `FormLine`) and what the pipeline answers with (`Order`, `Flag`, `Intake`, `Task`).
//!
//! States, paths, flags, severities and payment states are the core's snake-case names
//! (`"in_review"`, `"risk_review"`, `"blacklisted_buyer"`, `"critical"`, `"paid"`); the module's
//! constants (`ORDER_STATES`, `PATHS`, `FLAGS`, ...) list them. Unknown names are `ValueError`.

use std::sync::Arc;

use allot_core::order::{
    Address as CoreAddress, BlacklistKind, Flag as CoreFlag, FlagCode, FormLine as CoreFormLine, Order as CoreOrder,
    OrderForm as CoreOrderForm, OrderState, PaymentState, Severity, TrackingKind,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

use crate::args::{for_each_item, to_u32, to_u64, type_name};
use crate::values::{Reservation, hash_of, opt_str, py_bool};

/// The names of a vocabulary, for error messages.
fn expected(names: impl IntoIterator<Item = &'static str>) -> String {
    names.into_iter().collect::<Vec<_>>().join(", ")
}

pub(crate) fn order_state(name: &str) -> PyResult<OrderState> {
    OrderState::parse(name).ok_or_else(|| {
        PyValueError::new_err(format!(
            "unknown order state {name:?}: expected one of {}",
            expected(OrderState::ALL.map(OrderState::name))
        ))
    })
}

pub(crate) fn payment_state(name: &str) -> PyResult<PaymentState> {
    PaymentState::parse(name).ok_or_else(|| {
        PyValueError::new_err(format!("unknown payment state {name:?}: expected one of unpaid, paid, refunded"))
    })
}

pub(crate) fn tracking_kind(name: &str) -> PyResult<TrackingKind> {
    TrackingKind::parse(name).ok_or_else(|| {
        PyValueError::new_err(format!(
            "unknown tracking kind {name:?}: expected one of {}",
            expected(TrackingKind::ALL.map(TrackingKind::name))
        ))
    })
}

pub(crate) fn blacklist_kind(name: &str) -> PyResult<BlacklistKind> {
    BlacklistKind::parse(name).ok_or_else(|| {
        PyValueError::new_err(format!(
            "unknown blacklist {name:?}: expected one of {}",
            expected(BlacklistKind::ALL.map(BlacklistKind::name))
        ))
    })
}

pub(crate) const SEVERITIES: [Severity; 4] = [Severity::Low, Severity::Medium, Severity::High, Severity::Critical];

// ---------------------------------------------------------------------------------------------

/// A delivery address in the shape of Chinese addresses: province, city, district, then the
/// street-level detail. Any field may be empty: the intake checks flag an incomplete or unknown
/// address (and a bad phone) rather than refuse the order.
#[pyclass(frozen, eq, hash, module = "allot", name = "Address")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct Address {
    pub(crate) address: CoreAddress,
}

const ADDRESS_FIELDS: [&str; 6] = ["recipient", "phone", "province", "city", "district", "detail"];

#[pymethods]
impl Address {
    #[new]
    #[pyo3(
        signature = (
            *, recipient="".to_string(), phone="".to_string(), province="".to_string(), city="".to_string(),
            district="".to_string(), detail="".to_string()
        ),
        text_signature = "(*, recipient='', phone='', province='', city='', district='', detail='')"
    )]
    fn new(
        recipient: String,
        phone: String,
        province: String,
        city: String,
        district: String,
        detail: String,
    ) -> Address {
        Address { address: CoreAddress { recipient, phone, province, city, district, detail } }
    }

    /// Who receives the parcel.
    #[getter]
    fn recipient(&self) -> &str {
        &self.address.recipient
    }

    /// A mainland mobile or landline number (anything else is flagged `bad_phone`).
    #[getter]
    fn phone(&self) -> &str {
        &self.address.phone
    }

    /// A province-level division ("广东省", "上海市").
    #[getter]
    fn province(&self) -> &str {
        &self.address.province
    }

    /// A city-level division of the province ("深圳市").
    #[getter]
    fn city(&self) -> &str {
        &self.address.city
    }

    /// The district (optional).
    #[getter]
    fn district(&self) -> &str {
        &self.address.district
    }

    /// The street-level rest of the address.
    #[getter]
    fn detail(&self) -> &str {
        &self.address.detail
    }

    fn __repr__(&self) -> String {
        let a = &self.address;
        format!(
            "Address(recipient={:?}, phone={:?}, province={:?}, city={:?}, district={:?}, detail={:?})",
            a.recipient, a.phone, a.province, a.city, a.district, a.detail
        )
    }
}

/// An `Address`, or a dict with some of its keyword names (the others are "").
fn address_arg(value: &Bound<'_, PyAny>) -> PyResult<CoreAddress> {
    if let Ok(address) = value.cast::<Address>() {
        return Ok(address.get().address.clone());
    }
    let dict = value.cast::<PyDict>().map_err(|_| {
        PyTypeError::new_err(format!("ship_to must be an allot.Address or a dict, not {}", type_name(value)))
    })?;
    let mut address = CoreAddress::default();
    for (key, field) in dict.iter() {
        let key = key.cast_into::<PyString>().map_err(|_| PyTypeError::new_err("ship_to's keys must be str"))?;
        let key = key.to_str()?;
        let text = field
            .cast::<PyString>()
            .map_err(|_| PyTypeError::new_err(format!("ship_to[{key:?}] must be a str, not {}", type_name(&field))))?
            .to_str()?
            .to_string();
        match key {
            "recipient" => address.recipient = text,
            "phone" => address.phone = text,
            "province" => address.province = text,
            "city" => address.city = text,
            "district" => address.district = text,
            "detail" => address.detail = text,
            other => {
                return Err(PyTypeError::new_err(format!(
                    "ship_to: unexpected key {other:?} (expected {})",
                    ADDRESS_FIELDS.join(", ")
                )));
            }
        }
    }
    Ok(address)
}

// ---------------------------------------------------------------------------------------------

/// One line of an order form: `qty` units of SKU `sku` at `unit_price_minor` each, in the
/// currency's minor unit (fen for CNY), never a float.
#[pyclass(frozen, eq, hash, get_all, module = "allot", name = "FormLine")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct FormLine {
    /// The SKU's code.
    sku: String,
    /// Units ordered.
    qty: u32,
    /// Price of one unit in minor units (fen).
    unit_price_minor: u64,
}

impl From<&CoreFormLine> for FormLine {
    fn from(line: &CoreFormLine) -> FormLine {
        FormLine { sku: line.sku.clone(), qty: line.qty, unit_price_minor: line.unit_price_minor }
    }
}

#[pymethods]
impl FormLine {
    #[new]
    #[pyo3(signature = (sku, qty, unit_price_minor=None), text_signature = "(sku, qty, unit_price_minor=0)")]
    fn new(sku: String, qty: &Bound<'_, PyAny>, unit_price_minor: Option<&Bound<'_, PyAny>>) -> PyResult<FormLine> {
        let unit_price_minor = crate::args::to_opt_u64(unit_price_minor, "unit_price_minor")?.unwrap_or(0);
        Ok(FormLine { sku, qty: to_u32(qty, "qty")?, unit_price_minor })
    }

    fn __repr__(&self) -> String {
        format!("FormLine(sku={:?}, qty={}, unit_price_minor={})", self.sku, self.qty, self.unit_price_minor)
    }
}

/// A `FormLine`, or a `(sku, qty)` / `(sku, qty, unit_price_minor)` tuple.
fn form_line_arg(item: &Bound<'_, PyAny>, index: usize) -> PyResult<CoreFormLine> {
    if let Ok(line) = item.cast::<FormLine>() {
        let line = line.get();
        return Ok(CoreFormLine { sku: line.sku.clone(), qty: line.qty, unit_price_minor: line.unit_price_minor });
    }
    let shape = || {
        PyTypeError::new_err(format!(
            "form line {index} must be an allot.FormLine or a (sku, qty, unit_price_minor) tuple, not {}",
            type_name(item)
        ))
    };
    let tuple = item.cast::<PyTuple>().map_err(|_| shape())?;
    if !(2..=3).contains(&tuple.len()) {
        return Err(shape());
    }
    let sku = tuple.get_item(0)?;
    let sku = sku
        .cast::<PyString>()
        .map_err(|_| {
            PyTypeError::new_err(format!("form line {index}: the SKU must be a str, not {}", type_name(&sku)))
        })?
        .to_str()?
        .to_string();
    let qty = to_u32(&tuple.get_item(1)?, &format!("form line {index}: the quantity"))?;
    let unit_price_minor = match tuple.len() {
        3 => to_u64(&tuple.get_item(2)?, &format!("form line {index}: the unit price"))?,
        _ => 0,
    };
    Ok(CoreFormLine { sku, qty, unit_price_minor })
}

// ---------------------------------------------------------------------------------------------

/// An order as Allot knows it, whatever channel it came from: the input of `Client.intake`,
/// and the `form` of every `Order`. Its `key` (`channel:channel_order_id`) names the order in
/// every later call; the same channel order taken in twice is one order.
#[pyclass(frozen, module = "allot", name = "OrderForm")]
#[derive(Clone)]
pub(crate) struct OrderForm {
    pub(crate) form: Arc<CoreOrderForm>,
}

#[pymethods]
impl OrderForm {
    #[new]
    #[pyo3(signature = (
        channel, channel_order_id, buyer_id, ship_to, lines, *, cross_border=false, is_return=false,
        payment="paid", placed_at_ms=None
    ), text_signature = "(channel, channel_order_id, buyer_id, ship_to, lines, *, cross_border=False, is_return=False, payment='paid', placed_at_ms=0)")]
    #[allow(clippy::too_many_arguments)]
    fn new(
        channel: String,
        channel_order_id: String,
        buyer_id: String,
        ship_to: &Bound<'_, PyAny>,
        lines: &Bound<'_, PyAny>,
        cross_border: bool,
        is_return: bool,
        payment: &str,
        placed_at_ms: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<OrderForm> {
        let ship_to = address_arg(ship_to)?;
        let mut form_lines = Vec::new();
        for_each_item(lines, "lines", |index, item| {
            // The engine refuses more than ORDER_LINES_MAX; read one past it so it can say so.
            if index > allot_core::limits::ORDER_LINES_MAX {
                return Ok(false);
            }
            form_lines.push(form_line_arg(item, index)?);
            Ok(true)
        })?;
        let placed_at_ms = match placed_at_ms {
            Some(value) if !value.is_none() => to_u64(value, "placed_at_ms")?,
            _ => 0,
        };
        Ok(OrderForm {
            form: Arc::new(CoreOrderForm {
                channel,
                channel_order_id,
                buyer_id,
                ship_to,
                lines: form_lines,
                cross_border,
                is_return,
                payment: payment_state(payment)?,
                placed_at_ms,
            }),
        })
    }

    /// The channel's code (`taobao`, `jd`, `pdd`, or any code the seller uses; no `:`).
    #[getter]
    fn channel(&self) -> &str {
        &self.form.channel
    }

    /// The channel's own id of the order.
    #[getter]
    fn channel_order_id(&self) -> &str {
        &self.form.channel_order_id
    }

    /// The buyer's id on the channel.
    #[getter]
    fn buyer_id(&self) -> &str {
        &self.form.buyer_id
    }

    /// Where it ships.
    #[getter]
    fn ship_to(&self) -> Address {
        Address { address: self.form.ship_to.clone() }
    }

    /// Its lines (a new list each time).
    #[getter]
    fn lines(&self) -> Vec<FormLine> {
        self.form.lines.iter().map(FormLine::from).collect()
    }

    /// Shipped across a border: a person always looks at it.
    #[getter]
    fn cross_border(&self) -> bool {
        self.form.cross_border
    }

    /// A return or exchange order: a person always looks at it.
    #[getter]
    fn is_return(&self) -> bool {
        self.form.is_return
    }

    /// `"unpaid"`, `"paid"` or `"refunded"` (anything but paid is flagged `unpaid`).
    #[getter]
    fn payment(&self) -> &'static str {
        self.form.payment.name()
    }

    /// When the buyer placed it, by the channel's clock (ms since the Unix epoch; 0: unknown).
    #[getter]
    fn placed_at_ms(&self) -> u64 {
        self.form.placed_at_ms
    }

    /// `channel:channel_order_id`: the order's key in every later call.
    #[getter]
    fn key(&self) -> String {
        self.form.key()
    }

    /// What the order is worth, in minor units: the sum of qty × unit price.
    #[getter]
    fn amount_minor(&self) -> u64 {
        self.form.amount_minor()
    }

    fn __repr__(&self) -> String {
        let form = &*self.form;
        let lines: Vec<String> = form.lines.iter().map(|line| FormLine::from(line).__repr__()).collect();
        format!(
            "OrderForm(channel={:?}, channel_order_id={:?}, buyer_id={:?}, ship_to={}, lines=[{}], cross_border={}, is_return={}, payment={:?}, placed_at_ms={})",
            form.channel,
            form.channel_order_id,
            form.buyer_id,
            self.ship_to().__repr__(),
            lines.join(", "),
            py_bool(form.cross_border),
            py_bool(form.is_return),
            form.payment.name(),
            form.placed_at_ms
        )
    }

    fn __eq__(&self, other: &Bound<'_, OrderForm>) -> bool {
        self.form == other.get().form
    }

    fn __hash__(&self) -> u64 {
        hash_of((&self.form.channel, &self.form.channel_order_id, &self.form.buyer_id, self.form.lines.len()))
    }
}

/// An `OrderForm` argument: the object itself (its form is shared, not copied).
pub(crate) fn form_arg(value: &Bound<'_, PyAny>) -> PyResult<CoreOrderForm> {
    let form = value
        .cast::<OrderForm>()
        .map_err(|_| PyTypeError::new_err(format!("form must be an allot.OrderForm, not {}", type_name(value))))?;
    Ok((*form.get().form).clone())
}

// ---------------------------------------------------------------------------------------------

/// A flag raised on an order at intake: which check (`code`, one of `FLAGS`), how serious
/// (`severity`), and what exactly was wrong (`detail`).
#[pyclass(frozen, eq, hash, get_all, module = "allot", name = "Flag")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct Flag {
    /// The check that raised it (`"bad_phone"`, `"blacklisted_buyer"`, ...).
    code: &'static str,
    /// `"low"`, `"medium"`, `"high"` or `"critical"`.
    severity: &'static str,
    /// What exactly was wrong.
    detail: String,
}

impl From<&CoreFlag> for Flag {
    fn from(flag: &CoreFlag) -> Flag {
        Flag { code: flag.code.name(), severity: flag.severity.name(), detail: flag.detail.clone() }
    }
}

#[pymethods]
impl Flag {
    fn __repr__(&self) -> String {
        format!("Flag(code={:?}, severity={:?}, detail={:?})", self.code, self.severity, self.detail)
    }
}

pub(crate) fn flags(flags: &[CoreFlag]) -> Vec<Flag> {
    flags.iter().map(Flag::from).collect()
}

/// `(code, severity)` of every flag, in the core's order.
pub(crate) fn flag_table() -> Vec<(&'static str, &'static str)> {
    FlagCode::ALL.iter().map(|code| (code.name(), code.severity().name())).collect()
}

// ---------------------------------------------------------------------------------------------

/// An order in the pipeline, as a look-up or an intake found it: a snapshot.
#[pyclass(frozen, module = "allot", name = "Order")]
pub(crate) struct Order {
    order: CoreOrder,
}

impl From<CoreOrder> for Order {
    fn from(order: CoreOrder) -> Order {
        Order { order }
    }
}

#[pymethods]
impl Order {
    /// `channel:channel_order_id`: the key of every call about the order, and the order id of
    /// its reservation.
    #[getter]
    fn key(&self) -> &str {
        &self.order.key
    }

    /// Its state when the snapshot was taken (one of `ORDER_STATES`).
    #[getter]
    fn state(&self) -> &'static str {
        self.order.state.name()
    }

    /// The path routing chose at intake (one of `PATHS`).
    #[getter]
    fn path(&self) -> &'static str {
        self.order.path.name()
    }

    /// The routing rule that chose the path; None when no rule matched and the default path
    /// applied.
    #[getter]
    fn rule(&self) -> Option<&str> {
        self.order.rule.as_deref()
    }

    /// The flags the intake checks raised (a new list each time).
    #[getter]
    fn flags(&self) -> Vec<Flag> {
        flags(&self.order.flags)
    }

    /// The order form as taken in.
    #[getter]
    fn form(&self) -> OrderForm {
        OrderForm { form: self.order.form.clone() }
    }

    /// `(carrier, tracking_number)` once shipped, else None.
    #[getter]
    fn waybill(&self) -> Option<(String, String)> {
        self.order.waybill.clone()
    }

    /// Whether a person acted on it (zero-touch orders never are).
    #[getter]
    fn touched(&self) -> bool {
        self.order.touched
    }

    /// When it was taken in (engine clock, ms since the Unix epoch).
    #[getter]
    fn received_at_ms(&self) -> u64 {
        self.order.received_at_ms
    }

    /// When it entered its current state (engine clock, ms since the Unix epoch).
    #[getter]
    fn state_since_ms(&self) -> u64 {
        self.order.state_since_ms
    }

    /// The LSN of its last change.
    #[getter]
    fn last_lsn(&self) -> u64 {
        self.order.last_lsn
    }

    fn __repr__(&self) -> String {
        let order = &self.order;
        let flags: Vec<String> = flags(&order.flags).iter().map(Flag::__repr__).collect();
        let waybill = order.waybill.as_ref().map_or_else(|| "None".into(), |(c, n)| format!("({c:?}, {n:?})"));
        format!(
            "Order(key={:?}, state={:?}, path={:?}, rule={}, flags=[{}], waybill={}, touched={}, received_at_ms={}, state_since_ms={}, last_lsn={})",
            order.key,
            order.state.name(),
            order.path.name(),
            opt_str(order.rule.as_deref()),
            flags.join(", "),
            waybill,
            py_bool(order.touched),
            order.received_at_ms,
            order.state_since_ms,
            order.last_lsn
        )
    }

    fn __eq__(&self, other: &Bound<'_, Order>) -> bool {
        self.order == other.get().order
    }

    fn __hash__(&self) -> u64 {
        hash_of((&self.order.key, self.order.state, self.order.last_lsn))
    }
}

// ---------------------------------------------------------------------------------------------

/// What intake did with an order: the order (flagged orders are taken in too), the reservation
/// when stock was held at once, why routing chose the path, and whether this channel order had
/// been taken in before (`repeat`: nothing new happened).
#[pyclass(frozen, module = "allot", name = "Intake")]
pub(crate) struct Intake {
    pub(crate) order: Py<Order>,
    pub(crate) reservation: Option<Py<Reservation>>,
    pub(crate) reason: String,
    pub(crate) repeat: bool,
}

#[pymethods]
impl Intake {
    /// The order, as intake left it.
    #[getter]
    fn order(&self, py: Python<'_>) -> Py<Order> {
        self.order.clone_ref(py)
    }

    /// The reservation, when stock was held at intake (the automatic path); else None.
    #[getter]
    fn reservation(&self, py: Python<'_>) -> Option<Py<Reservation>> {
        self.reservation.as_ref().map(|held| held.clone_ref(py))
    }

    /// Why routing chose the path, in words a business user reads.
    #[getter]
    fn reason(&self) -> &str {
        &self.reason
    }

    /// True when this channel order had been taken in before (nothing new happened).
    #[getter]
    fn repeat(&self) -> bool {
        self.repeat
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let reservation = match &self.reservation {
            Some(held) => held.bind(py).repr()?.to_string(),
            None => "None".into(),
        };
        Ok(format!(
            "Intake(order={}, reservation={}, reason={:?}, repeat={})",
            self.order.get().__repr__(),
            reservation,
            self.reason,
            py_bool(self.repeat)
        ))
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, Intake>) -> PyResult<bool> {
        let other = other.get();
        if self.order.get().order != other.order.get().order
            || self.reason != other.reason
            || self.repeat != other.repeat
        {
            return Ok(false);
        }
        match (&self.reservation, &other.reservation) {
            (None, None) => Ok(true),
            (Some(a), Some(b)) => a.bind(py).eq(b.bind(py)),
            _ => Ok(false),
        }
    }

    fn __hash__(&self) -> u64 {
        hash_of((&self.order.get().order.key, self.order.get().order.last_lsn, self.repeat))
    }
}

// ---------------------------------------------------------------------------------------------

/// A to-do task: someone must look at an order whose stage stalled.
#[pyclass(frozen, eq, hash, get_all, module = "allot", name = "Task")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct Task {
    /// The task's id (for `acknowledge_task`, `close_task`).
    id: u64,
    /// The key of the order it is about.
    order: String,
    /// `"overdue_<stage>"` (a stage ran past its deadline) or `"enter_tracking"` (no tracking
    /// arrived after shipping).
    kind: String,
    /// `"low"`, `"medium"`, `"high"` or `"critical"`; rises with each escalation tier.
    severity: &'static str,
    /// The role expected to act (`orders`, `warehouse`, `logistics`) or `supervisor` once the
    /// severity is high.
    assignee: String,
    /// `"open"`, `"acknowledged"` or `"closed"`.
    state: &'static str,
    /// When it was opened (engine clock, ms since the Unix epoch).
    opened_at_ms: u64,
    /// When it last changed (engine clock, ms since the Unix epoch).
    changed_at_ms: u64,
}

impl From<allot_core::order::Task> for Task {
    fn from(task: allot_core::order::Task) -> Task {
        Task {
            id: task.id,
            order: task.order,
            kind: task.kind.name(),
            severity: task.severity.name(),
            assignee: task.assignee,
            state: task.state.name(),
            opened_at_ms: task.opened_at_ms,
            changed_at_ms: task.changed_at_ms,
        }
    }
}

#[pymethods]
impl Task {
    fn __repr__(&self) -> String {
        format!(
            "Task(id={}, order={:?}, kind={:?}, severity={:?}, assignee={:?}, state={:?}, opened_at_ms={}, changed_at_ms={})",
            self.id,
            self.order,
            self.kind,
            self.severity,
            self.assignee,
            self.state,
            self.opened_at_ms,
            self.changed_at_ms
        )
    }
}

/// A channel payload argument: bytes, a str (UTF-8 JSON), or a dict (serialized with `json`).
pub(crate) fn payload_arg(value: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(bytes) = value.cast::<pyo3::types::PyBytes>() {
        return Ok(bytes.as_bytes().to_vec());
    }
    if let Ok(bytes) = value.cast::<pyo3::types::PyByteArray>() {
        return Ok(bytes.to_vec());
    }
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(text.to_str()?.as_bytes().to_vec());
    }
    if value.is_instance_of::<PyDict>() {
        check_payload_shape(value)?;
        let json = value.py().import("json")?;
        let kwargs = PyDict::new(value.py());
        kwargs.set_item("ensure_ascii", false)?;
        let text = json.call_method("dumps", (value,), Some(&kwargs))?;
        return Ok(text.cast::<PyString>()?.to_str()?.as_bytes().to_vec());
    }
    Err(PyTypeError::new_err(format!("payload must be bytes, str or dict, not {}", type_name(value))))
}

/// Before a dict payload is serialized: it nests at most `PAYLOAD_DEPTH_MAX` dicts and lists
/// deep (as the engine's own scan of the JSON checks; `json.dumps` would otherwise recurse into a
/// deep or self-containing dict and raise an untyped RecursionError or ValueError) and holds at
/// most `PAYLOAD_BYTES_MAX` values (each takes at least a byte of JSON, so more could never fit,
/// and the walk stays bounded). Walked with an explicit stack, not recursion. Either refusal is
/// InvalidInputError, as the engine's refusal of the serialized payload would be.
fn check_payload_shape(root: &Bound<'_, PyAny>) -> PyResult<()> {
    use allot_core::limits::{PAYLOAD_BYTES_MAX, PAYLOAD_DEPTH_MAX};
    let refuse = |problem: String| {
        crate::errors::to_pyerr(allot_core::Error::InvalidInput { message: format!("payload: {problem}") })
    };
    let mut stack: Vec<(Bound<'_, PyAny>, usize)> = vec![(root.clone(), 1)];
    let mut values = 1usize;
    while let Some((value, depth)) = stack.pop() {
        let children: Vec<Bound<'_, PyAny>> = if let Ok(dict) = value.cast::<PyDict>() {
            dict.values().iter().collect()
        } else if let Ok(list) = value.cast::<PyList>() {
            list.iter().collect()
        } else if let Ok(tuple) = value.cast::<pyo3::types::PyTuple>() {
            tuple.iter().collect()
        } else {
            continue;
        };
        if depth > PAYLOAD_DEPTH_MAX {
            return Err(refuse(format!(
                "the dict nests {depth} dicts or lists deep (or contains itself), above the limit PAYLOAD_DEPTH_MAX = {PAYLOAD_DEPTH_MAX}"
            )));
        }
        values += children.len();
        if values > PAYLOAD_BYTES_MAX {
            return Err(refuse(format!(
                "the dict holds more than {PAYLOAD_BYTES_MAX} values, which cannot fit the limit PAYLOAD_BYTES_MAX = {PAYLOAD_BYTES_MAX} bytes"
            )));
        }
        stack.extend(children.into_iter().map(|child| (child, depth + 1)));
    }
    Ok(())
}

/// A list of orders as Python objects.
pub(crate) fn order_list(py: Python<'_>, orders: Vec<CoreOrder>) -> PyResult<Bound<'_, PyList>> {
    PyList::new(py, orders.into_iter().map(Order::from))
}
