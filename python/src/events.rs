//! Events: the engine's log read back by LSN cursor, as `Event` objects, and `Subscription`, an
//! iterator over them that remembers its cursor so that a restarted subscriber resumes without
//! loss or repetition.
//!
//! Each record becomes one `Event` whose `kind` names the change and whose fields are
//! attributes; SKU and warehouse ids become codes. The order pipeline's changes have a kind
//! each (the C library's `ALLOT_EVENT_*` kinds, in snake case): `order_received`,
//! `order_moved`, `waybill`, `tracking`, `escalated`, `task_opened`, `task_changed`,
//! `notified`, `blacklist`, `rules`, `stock_alert`.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use allot_core::limits::EVENTS_BATCH_MAX;
use allot_core::log::{Movement, Record, Settlement, StockStep};
use allot_core::order::{OrderState, PipelineChange, Stage, TaskKind};
use allot_core::{BufferRule, Lsn};
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::args::to_opt_u64;
use crate::errors::run;
use crate::orders::flags;
use crate::shared::Shared;
use crate::values::{Event, Fields, ReservedLine};

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

/// A core event as Python sees it.
pub(crate) fn event(py: Python<'_>, shared: &Shared, event: allot_core::Event) -> PyResult<Event> {
    let fields = Fields::new(py);
    #[allow(unreachable_patterns)] // `Record` may gain variants.
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
            fields.set("warehouse", shared.warehouse_code(py, id))?.set("priority", priority)?.set("active", active)?,
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
            let fields =
                fields.set("sku", shared.sku_code(py, sku))?.set("warehouse", shared.warehouse_code(py, warehouse))?;
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
        Record::Settle { order, settlement, at_ms } => (
            "settle",
            fields
                .set("order_id", order.as_ref())?
                .set("settlement", settlement_name(settlement))?
                .set("at_ms", at_ms)?,
        ),
        Record::Pipeline { at_ms, change } => {
            let (kind, fields) = pipeline_fields(py, shared, fields, change)?;
            return fields.set("at_ms", at_ms)?.finish(event.lsn, kind);
        }
        // An order's change logged with its stock step is told as the change, with the step
        // (what the change meant for stock) as `stock_step` and, for stock held or put back,
        // `lines`.
        Record::PipelineStock { at_ms, change, stock } => {
            let (kind, fields) = pipeline_fields(py, shared, fields, change)?;
            let fields = match stock {
                StockStep::Reserve { lines } => fields.set("stock_step", "reserve")?.set(
                    "lines",
                    PyList::new(
                        py,
                        lines.iter().map(|line| ReservedLine {
                            sku: shared.sku_code(py, line.sku),
                            warehouse: shared.warehouse_code(py, line.warehouse),
                            qty: line.qty,
                        }),
                    )?,
                )?,
                StockStep::Settle(settlement) => fields.set("stock_step", settlement_name(settlement))?,
                StockStep::Restock { warehouse, lines } => fields.set("stock_step", "restock")?.set(
                    "lines",
                    PyList::new(
                        py,
                        lines.iter().map(|&(sku, qty)| ReservedLine {
                            sku: shared.sku_code(py, sku),
                            warehouse: shared.warehouse_code(py, warehouse),
                            qty,
                        }),
                    )?,
                )?,
            };
            return fields.set("at_ms", at_ms)?.finish(event.lsn, kind);
        }
        // Kinds newer than this module: the variant's name in snake case, and the record as
        // the core prints it.
        other => {
            let text = format!("{other:?}");
            let kind = snake_case(text.split(|c: char| !c.is_alphanumeric()).next().unwrap_or("record"));
            return fields.set("record", text)?.finish(event.lsn, kind);
        }
    };
    fields.finish(event.lsn, kind)
}

fn stage_of_task(kind: TaskKind) -> Stage {
    match kind {
        TaskKind::Overdue(stage) => stage,
        TaskKind::EnterTracking => Stage::Tracking,
    }
}

fn settlement_name(settlement: Settlement) -> &'static str {
    match settlement {
        Settlement::Commit => "commit",
        Settlement::Release => "release",
        Settlement::Expire => "expire",
    }
}

/// A change of the order pipeline: its kind (one per variant) and every field, readable.
fn pipeline_fields<'py>(
    py: Python<'py>,
    shared: &Shared,
    fields: Fields<'py>,
    change: PipelineChange<'_>,
) -> PyResult<(String, Fields<'py>)> {
    #[allow(unreachable_patterns)] // `PipelineChange` is non-exhaustive.
    let (kind, fields) = match change {
        PipelineChange::Received { order, flags: raised, path, rule, state, .. } => (
            "order_received",
            fields
                .set("order_id", order.as_ref())?
                .set("from_state", OrderState::Received.name())?
                .set("to_state", state.name())?
                .set("path", path.name())?
                .set("rule", rule.as_deref())?
                .set("flags", flags(&raised))?,
        ),
        PipelineChange::Moved { order, from, to, by, note } => (
            "order_moved",
            fields
                .set("order_id", order.as_ref())?
                .set("from_state", from.name())?
                .set("to_state", to.name())?
                .set("by", by.as_ref())?
                .set("note", note.as_ref())?,
        ),
        PipelineChange::Waybill { order, carrier, tracking_number } => (
            "waybill",
            fields
                .set("order_id", order.as_ref())?
                .set("carrier", carrier.as_ref())?
                .set("tracking_number", tracking_number.as_ref())?,
        ),
        PipelineChange::Tracking { order, kind, detail } => (
            "tracking",
            fields.set("order_id", order.as_ref())?.set("tracking", kind.name())?.set("detail", detail.as_ref())?,
        ),
        PipelineChange::Escalated { order, stage, tier, severity, task } => (
            "escalated",
            fields
                .set("order_id", order.as_ref())?
                .set("stage", stage.name())?
                .set("tier", tier)?
                .set("severity", severity.name())?
                .set("task", task)?,
        ),
        PipelineChange::TaskOpened { task, order, kind, severity, assignee } => (
            "task_opened",
            fields
                .set("task", task)?
                .set("order_id", order.as_ref())?
                .set("task_kind", kind.name())?
                .set("stage", stage_of_task(kind).name())?
                .set("severity", severity.name())?
                .set("assignee", assignee.as_ref())?,
        ),
        PipelineChange::TaskChanged { task, state, severity, by } => (
            "task_changed",
            fields
                .set("task", task)?
                .set("task_state", state.name())?
                .set("severity", severity.name())?
                .set("by", by.as_ref())?,
        ),
        PipelineChange::Notified { order, kind } => {
            ("notified", fields.set("order_id", order.as_ref())?.set("notification", kind.name())?)
        }
        PipelineChange::Blacklist { list, value, added, by } => (
            "blacklist",
            fields
                .set("blacklist", list.name())?
                .set("value", value.as_ref())?
                .set("added", added)?
                .set("by", by.as_ref())?,
        ),
        PipelineChange::Rules { text, by } => {
            ("rules", fields.set("by", by.as_ref())?.set("rules_text", text.as_ref())?)
        }
        PipelineChange::StockAlert { sku, available, threshold } => (
            "stock_alert",
            fields.set("sku", shared.sku_code(py, sku))?.set("available", available)?.set("threshold", threshold)?,
        ),
        // Kinds newer than this module: the variant's name in snake case, and the change as
        // the core prints it.
        other => {
            let text = format!("{other:?}");
            let kind = snake_case(text.split(|c: char| !c.is_alphanumeric()).next().unwrap_or("pipeline"));
            return Ok((kind, fields.set("record", text)?));
        }
    };
    Ok((kind.to_string(), fields))
}

// ---------------------------------------------------------------------------------------------

struct Position {
    /// The LSN of the last event handed out.
    cursor: Lsn,
    /// Events fetched and not handed out yet.
    batch: VecDeque<allot_core::Event>,
}

/// Events in order, from a cursor: iterate it (`for event in subscription`) to get every event
/// there is; the loop ends when it has caught up, and iterating again later continues where it
/// stopped, like reading a growing file. `cursor` is the LSN of the last event handed out:
/// store it (after handling the event) and pass it to `Client.subscribe(after=...)` after a
/// restart to resume with the next event, none lost and none repeated. Shows only changes as
/// durable as the engine's sync mode promises.
#[pyclass(frozen, module = "allot", name = "Subscription")]
pub(crate) struct Subscription {
    client: allot_core::Client,
    shared: Arc<Shared>,
    position: Mutex<Position>,
}

impl Subscription {
    pub(crate) fn new(client: allot_core::Client, shared: Arc<Shared>, after: Lsn) -> Subscription {
        Subscription { client, shared, position: Mutex::new(Position { cursor: after, batch: VecDeque::new() }) }
    }

    /// Up to `max` events after the cursor, advancing it past them; the GIL is released while
    /// the log is read.
    fn take(&self, py: Python<'_>, max: usize) -> PyResult<Vec<allot_core::Event>> {
        let (client, position) = (&self.client, &self.position);
        run(py, || {
            let mut position = position.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if position.batch.len() < max {
                let wanted = EVENTS_BATCH_MAX.min(max.max(1));
                let after = position.batch.back().map_or(position.cursor, |event| event.lsn);
                let more = client.events(after, wanted)?;
                position.batch.extend(more);
            }
            let count = max.min(position.batch.len());
            let taken: Vec<allot_core::Event> = position.batch.drain(..count).collect();
            if let Some(last) = taken.last() {
                position.cursor = last.lsn;
            }
            Ok(taken)
        })
    }
}

#[pymethods]
impl Subscription {
    /// The LSN of the last event handed out (or the `after` it started from): resume from here.
    #[getter]
    fn cursor(&self) -> Lsn {
        self.position.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).cursor
    }

    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Event>> {
        let Some(next) = self.take(py, 1)?.pop() else { return Ok(None) };
        event(py, &self.shared, next).map(Some)
    }

    /// Up to `max` events (1 to 4096; 0, or more than 4096, is LimitExceededError saying which) after the
    /// cursor, advancing it past them; an empty list when caught up.
    #[pyo3(signature = (*, max=None), text_signature = "(self, *, max=1000)")]
    fn poll(&self, py: Python<'_>, max: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<Event>> {
        let max = to_opt_u64(max, "max")?.unwrap_or(1000);
        let max = usize::try_from(max).unwrap_or(usize::MAX);
        if max == 0 || max > EVENTS_BATCH_MAX {
            return Err(crate::errors::to_pyerr(allot_core::Error::LimitExceeded {
                limit: "EVENTS_BATCH_MAX",
                what: "the number of events asked for in one poll".into(),
                max: EVENTS_BATCH_MAX as u64,
                actual: max as u64,
            }));
        }
        self.take(py, max)?.into_iter().map(|next| event(py, &self.shared, next)).collect()
    }

    fn __repr__(&self) -> String {
        format!("Subscription(role={:?}, cursor={})", self.client.role().name(), self.cursor())
    }
}
