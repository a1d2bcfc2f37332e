//! `allot._allot`: the native half of the `allot` Python package, a thin face over
//! `allot-core`. Python imports it through `allot/__init__.py`; `allot/_allot.pyi` documents it.
//!
//! - `engine.rs`: `Engine` (open, clients by role name, housekeeping).
//! - `client.rs`: `Client`, every call of the core's `Client`, with the GIL released while the
//!   engine works or waits on the log.
//! - `values.rs`: the frozen value objects replies are made of (stock layer, events, metrics).
//! - `orders.rs`: the order pipeline's values (forms, orders, flags, intakes, tasks).
//! - `rules.rs`: the rules file's values (rules, problems, explanations, dry runs, watches).
//! - `events.rs`: core events → `Event`, and `Subscription`, the resumable event iterator.
//! - `errors.rs`: one exception class per core error code.
//! - `shared.rs`: the caches that turn the core's ids back into the codes callers wrote.
//! - `args.rs`: arguments from Python (TypeError/ValueError for what Rust cannot hold).

mod args;
mod client;
mod engine;
mod errors;
mod events;
mod orders;
mod rules;
mod shared;
mod values;

use allot_core::limits;
use allot_core::order::{BlacklistKind, OrderState, Path, Stage, TrackingKind};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The native module of the `allot` package. Import `allot`, not this.
#[pymodule(gil_used = true)]
fn _allot(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = module.py();
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    module.add_class::<engine::PyEngine>()?;
    module.add_class::<client::PyClient>()?;
    module.add_class::<values::ReservedLine>()?;
    module.add_class::<values::Stock>()?;
    module.add_class::<values::Reservation>()?;
    module.add_class::<values::Settled>()?;
    module.add_class::<values::Warehouse>()?;
    module.add_class::<values::Sku>()?;
    module.add_class::<values::Event>()?;
    module.add_class::<values::Metrics>()?;
    module.add_class::<values::Recovery>()?;
    module.add_class::<values::TornTail>()?;
    module.add_class::<values::CheckpointReport>()?;
    module.add_class::<orders::Address>()?;
    module.add_class::<orders::FormLine>()?;
    module.add_class::<orders::OrderForm>()?;
    module.add_class::<orders::Flag>()?;
    module.add_class::<orders::Order>()?;
    module.add_class::<orders::Intake>()?;
    module.add_class::<orders::Task>()?;
    module.add_class::<rules::RuleProblem>()?;
    module.add_class::<rules::Rules>()?;
    module.add_class::<rules::Route>()?;
    module.add_class::<rules::EscalationTier>()?;
    module.add_class::<rules::Explanation>()?;
    module.add_class::<rules::RuleCheck>()?;
    module.add_class::<rules::DryRun>()?;
    module.add_class::<rules::PathChange>()?;
    module.add_class::<rules::RulesWatch>()?;
    module.add_class::<events::Subscription>()?;
    errors::register(module)?;
    module.add("ERROR_CODES", errors::error_codes())?;
    module.add_function(wrap_pyfunction!(errors::_error_for_code, module)?)?;
    module.add("ROLES", engine::role_names())?;
    module.add("SYNC_MODES", engine::SYNC_MODES.to_vec())?;
    module.add("CLOCKS", engine::CLOCKS.to_vec())?;
    module.add("ORDER_STATES", OrderState::ALL.map(OrderState::name).to_vec())?;
    module.add("PATHS", Path::ALL.map(Path::name).to_vec())?;
    let flags = PyDict::new(py);
    for (code, severity) in orders::flag_table() {
        flags.set_item(code, severity)?;
    }
    module.add("FLAGS", flags)?;
    module.add("SEVERITIES", orders::SEVERITIES.map(|severity| severity.name()).to_vec())?;
    module.add("PAYMENT_STATES", vec!["unpaid", "paid", "refunded"])?;
    module.add("TRACKING_KINDS", TrackingKind::ALL.map(TrackingKind::name).to_vec())?;
    module.add("BLACKLISTS", BlacklistKind::ALL.map(BlacklistKind::name).to_vec())?;
    module.add("STAGES", Stage::ALL.map(Stage::name).to_vec())?;
    module.add("CHANNEL_STYLES", allot_core::order::STYLES.to_vec())?;
    let named = PyDict::new(py);
    named.set_item("CODE_BYTES_MAX", limits::CODE_BYTES_MAX)?;
    named.set_item("CATEGORY_BYTES_MAX", limits::CATEGORY_BYTES_MAX)?;
    named.set_item("ORDER_ID_BYTES_MAX", limits::ORDER_ID_BYTES_MAX)?;
    named.set_item("REASON_BYTES_MAX", limits::REASON_BYTES_MAX)?;
    named.set_item("ORDER_LINES_MAX", limits::ORDER_LINES_MAX)?;
    named.set_item("LINE_QTY_MAX", limits::LINE_QTY_MAX)?;
    named.set_item("CELL_UNITS_MAX", limits::CELL_UNITS_MAX)?;
    named.set_item("SKUS_MAX", limits::SKUS_MAX)?;
    named.set_item("WAREHOUSES_MAX", limits::WAREHOUSES_MAX)?;
    named.set_item("TTL_MS_MAX", limits::TTL_MS_MAX)?;
    named.set_item("EVENTS_BATCH_MAX", limits::EVENTS_BATCH_MAX)?;
    named.set_item("RESERVE_BATCH_MAX", limits::RESERVE_BATCH_MAX)?;
    named.set_item("PAYLOAD_BYTES_MAX", limits::PAYLOAD_BYTES_MAX)?;
    named.set_item("PAYLOAD_DEPTH_MAX", limits::PAYLOAD_DEPTH_MAX)?;
    named.set_item("RULES_BYTES_MAX", allot_core::routing::RULES_BYTES_MAX)?;
    named.set_item("ADDRESS_FIELD_BYTES_MAX", limits::ADDRESS_FIELD_BYTES_MAX)?;
    named.set_item("BUYER_ID_BYTES_MAX", limits::BUYER_ID_BYTES_MAX)?;
    module.add("LIMITS", named)?;
    Ok(())
}
