//! The rules file as Python sees it: the live rules (`Rules`, with its `Route`s and
//! `EscalationTier`s), the problems of a refused file (`RuleProblem`, carried by
//! `InvalidRulesError.errors`), explanations (`Explanation`, `RuleCheck`), dry runs (`DryRun`,
//! `PathChange`) and a running watch of a rules file (`RulesWatch`).
//!
//! Every value is frozen and compares by content; paths, severities and flags are the core's
//! snake-case names.

use std::sync::Mutex;

use crate::args::NotBool;
use allot_core::order::Path;
use allot_core::routing::{self, Condition, DryRun as CoreDryRun, Explanation as CoreExplanation};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use crate::values::{hash_of, opt_str, py_bool};

// ---------------------------------------------------------------------------------------------

/// One problem of a refused rules file: where it is (1-based `line` and `column`, columns
/// counted in characters) and what to change. `str()` reads `line L, column C: message`.
#[pyclass(frozen, eq, hash, get_all, module = "allot", name = "RuleProblem")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct RuleProblem {
    /// The line, from 1.
    line: usize,
    /// The column, from 1, in characters.
    column: usize,
    /// What is wrong and what to do about it.
    message: String,
}

impl From<&routing::RuleError> for RuleProblem {
    fn from(error: &routing::RuleError) -> RuleProblem {
        RuleProblem { line: error.line, column: error.column, message: error.message.clone() }
    }
}

#[pymethods]
impl RuleProblem {
    #[new]
    #[pyo3(signature = (line, column, message))]
    fn new(line: NotBool<usize>, column: NotBool<usize>, message: String) -> RuleProblem {
        RuleProblem { line: line.0, column: column.0, message }
    }

    fn __repr__(&self) -> String {
        format!("RuleProblem(line={}, column={}, message={:?})", self.line, self.column, self.message)
    }

    fn __str__(&self) -> String {
        format!("line {}, column {}: {}", self.line, self.column, self.message)
    }

    /// Pickles by its public name (exceptions that carry problems pickle with them).
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let this = slf.get();
        let args = PyTuple::new(
            slf.py(),
            [
                this.line.into_pyobject(slf.py())?.into_any(),
                this.column.into_pyobject(slf.py())?.into_any(),
                this.message.as_str().into_pyobject(slf.py())?.into_any(),
            ],
        )?;
        PyTuple::new(slf.py(), [slf.get_type().into_any(), args.into_any()])
    }
}

// ---------------------------------------------------------------------------------------------

/// One step of `[sla.escalation]`: `after_ms` past a stage's deadline, an alert of `severity`.
#[pyclass(frozen, eq, hash, get_all, module = "allot", name = "EscalationTier")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct EscalationTier {
    /// The tier's name in the rules file.
    name: String,
    /// How long past the stage's deadline it fires, in milliseconds.
    after_ms: u64,
    /// `"low"`, `"medium"`, `"high"` or `"critical"`.
    severity: &'static str,
}

#[pymethods]
impl EscalationTier {
    fn __repr__(&self) -> String {
        format!("EscalationTier(name={:?}, after_ms={}, severity={:?})", self.name, self.after_ms, self.severity)
    }
}

/// One `[[route]]` of the rules file: when every condition of `when` holds, the order takes
/// `path`.
#[pyclass(frozen, module = "allot", name = "Route")]
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Route {
    route: routing::Route,
}

/// A condition's value as Python sees it.
fn condition_value<'py>(py: Python<'py>, condition: &Condition) -> PyResult<Bound<'py, PyAny>> {
    Ok(match condition {
        Condition::Channel(texts) | Condition::Category(texts) => PyList::new(py, texts)?.into_any(),
        Condition::AmountFenMin(fen) | Condition::AmountFenMax(fen) => fen.into_pyobject(py)?.into_any(),
        Condition::Flags(flags) => PyList::new(py, flags.iter().map(|flag| flag.name()))?.into_any(),
        Condition::AnyFlag(wanted) | Condition::CrossBorder(wanted) | Condition::Return(wanted) => {
            pyo3::types::PyBool::new(py, *wanted).to_owned().into_any()
        }
    })
}

#[pymethods]
impl Route {
    /// The rule's name (unique in the file).
    #[getter]
    fn name(&self) -> &str {
        &self.route.name
    }

    /// The line of the rules file where the rule starts.
    #[getter]
    fn line(&self) -> usize {
        self.route.line
    }

    /// Where the rule sends the orders it matches.
    #[getter]
    fn path(&self) -> &'static str {
        self.route.path.name()
    }

    /// The conditions, by their key in the file (`channel`, `category`, `amount_fen_min`,
    /// `amount_fen_max`, `flags`, `any_flag`, `cross_border`, `return`); empty: every order.
    #[getter]
    fn when<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let when = PyDict::new(py);
        for condition in &self.route.conditions {
            when.set_item(condition.key(), condition_value(py, condition)?)?;
        }
        Ok(when)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Route(name={:?}, line={}, path={:?}, when={})",
            self.route.name,
            self.route.line,
            self.route.path.name(),
            self.when(py)?.repr()?
        ))
    }

    fn __eq__(&self, other: &Bound<'_, Route>) -> bool {
        self.route == other.get().route
    }

    fn __hash__(&self) -> u64 {
        hash_of((&self.route.name, self.route.line))
    }
}

/// The live rules file, parsed: its text, the default path, the limits, velocity and SLA
/// sections, the escalation tiers and the routes.
#[pyclass(frozen, module = "allot", name = "Rules")]
pub(crate) struct Rules {
    rules: routing::Rules,
}

impl From<routing::Rules> for Rules {
    fn from(rules: routing::Rules) -> Rules {
        Rules { rules }
    }
}

#[pymethods]
impl Rules {
    /// The rules file's text ("" for the defaults).
    #[getter]
    fn text(&self) -> &str {
        self.rules.source()
    }

    /// CRC32C of the text: which version is live.
    #[getter]
    fn fingerprint(&self) -> u32 {
        self.rules.fingerprint()
    }

    /// Where an order goes when no route matches.
    #[getter]
    fn default_path(&self) -> &'static str {
        self.rules.default_path().name()
    }

    /// `[limits]`: `max_order_amount_fen`, `max_lines` (None: only the engine's limit),
    /// `low_stock_units` (None: no stock alerts).
    #[getter]
    fn limits<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let limits = self.rules.limits();
        let dict = PyDict::new(py);
        dict.set_item("max_order_amount_fen", limits.max_order_amount_fen)?;
        dict.set_item("max_lines", limits.max_lines)?;
        dict.set_item("low_stock_units", limits.low_stock_units)?;
        Ok(dict)
    }

    /// `[velocity]`: `window_ms`, `max_orders_per_buyer`, `max_orders_per_phone`,
    /// `max_orders_per_address`.
    #[getter]
    fn velocity<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let velocity = self.rules.velocity();
        let dict = PyDict::new(py);
        dict.set_item("window_ms", velocity.window_ms)?;
        dict.set_item("max_orders_per_buyer", velocity.max_orders_per_buyer)?;
        dict.set_item("max_orders_per_phone", velocity.max_orders_per_phone)?;
        dict.set_item("max_orders_per_address", velocity.max_orders_per_address)?;
        Ok(dict)
    }

    /// `[sla]`: each stage's deadline in milliseconds, by stage name (`review`, `release`,
    /// `ship`, `tracking`, `delivery`).
    #[getter]
    fn sla<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let sla = self.rules.sla();
        let dict = PyDict::new(py);
        for stage in allot_core::order::Stage::ALL {
            dict.set_item(stage.name(), sla.deadline_ms(stage))?;
        }
        Ok(dict)
    }

    /// The escalation tiers, earliest first.
    #[getter]
    fn escalation_tiers(&self) -> Vec<EscalationTier> {
        self.rules
            .escalation_tiers()
            .iter()
            .map(|tier| EscalationTier {
                name: tier.name.clone(),
                after_ms: tier.after_ms,
                severity: tier.severity.name(),
            })
            .collect()
    }

    /// The routes, in the order they are tried.
    #[getter]
    fn routes(&self) -> Vec<Route> {
        self.rules.routes().iter().map(|route| Route { route: route.clone() }).collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "Rules(fingerprint={:08x}, default_path={:?}, routes={}, text_bytes={})",
            self.rules.fingerprint(),
            self.rules.default_path().name(),
            self.rules.routes().len(),
            self.rules.source().len()
        )
    }

    fn __eq__(&self, other: &Bound<'_, Rules>) -> bool {
        self.rules == other.get().rules
    }

    fn __hash__(&self) -> u64 {
        hash_of(self.rules.fingerprint())
    }
}

// ---------------------------------------------------------------------------------------------

/// How one rule came out for one order.
#[pyclass(frozen, eq, hash, get_all, module = "allot", name = "RuleCheck")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct RuleCheck {
    /// The rule's name.
    rule: String,
    /// The line of the rules file where it starts.
    line: usize,
    /// The path it sends orders to.
    path: &'static str,
    /// Every condition held (a rule without conditions always matches).
    matched: bool,
    /// This is the rule that decided: the first that matched.
    chosen: bool,
    /// The conditions that held, described for this order.
    held: Vec<String>,
    /// The conditions that failed, described for this order.
    failed: Vec<String>,
}

#[pymethods]
impl RuleCheck {
    fn __repr__(&self) -> String {
        format!(
            "RuleCheck(rule={:?}, line={}, path={:?}, matched={}, chosen={}, held={:?}, failed={:?})",
            self.rule,
            self.line,
            self.path,
            py_bool(self.matched),
            py_bool(self.chosen),
            self.held,
            self.failed
        )
    }
}

/// Which rule an order matches under the live rules, and why each rule did or did not.
#[pyclass(frozen, module = "allot", name = "Explanation")]
pub(crate) struct Explanation {
    explanation: CoreExplanation,
}

impl From<CoreExplanation> for Explanation {
    fn from(explanation: CoreExplanation) -> Explanation {
        Explanation { explanation }
    }
}

#[pymethods]
impl Explanation {
    /// Where the live rules send the order now.
    #[getter]
    fn path(&self) -> &'static str {
        self.explanation.decision.path.name()
    }

    /// The rule that matched; None when none did and the default path applied.
    #[getter]
    fn rule(&self) -> Option<&str> {
        self.explanation.decision.rule.as_deref()
    }

    /// Set when a guard rail replaced the rules' choice of auto (a critical flag, a return, a
    /// cross-border order), saying which; None otherwise.
    #[getter]
    fn guard_rail(&self) -> Option<&'static str> {
        self.explanation.decision.guard_rail
    }

    /// A sentence for a business user: which rule, which conditions, which guard rail.
    #[getter]
    fn reason(&self) -> &str {
        &self.explanation.decision.reason
    }

    /// One entry per rule, in the order they are tried.
    #[getter]
    fn rules(&self) -> Vec<RuleCheck> {
        self.explanation
            .rules
            .iter()
            .map(|check| RuleCheck {
                rule: check.rule.clone(),
                line: check.line,
                path: check.path.name(),
                matched: check.matched,
                chosen: check.chosen,
                held: check.held.clone(),
                failed: check.failed.clone(),
            })
            .collect()
    }

    fn __repr__(&self) -> String {
        let decision = &self.explanation.decision;
        format!(
            "Explanation(path={:?}, rule={}, guard_rail={}, reason={:?})",
            decision.path.name(),
            opt_str(decision.rule.as_deref()),
            opt_str(decision.guard_rail),
            decision.reason
        )
    }

    fn __eq__(&self, other: &Bound<'_, Explanation>) -> bool {
        self.explanation == other.get().explanation
    }

    fn __hash__(&self) -> u64 {
        hash_of(&self.explanation.decision.reason)
    }
}

// ---------------------------------------------------------------------------------------------

/// One recent order whose path proposed rules would change.
#[pyclass(frozen, eq, hash, get_all, module = "allot", name = "PathChange")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct PathChange {
    /// The order's position among the recent orders routed (0 is the oldest kept).
    index: usize,
    /// Its path under the live rules.
    from_path: &'static str,
    /// Its path under the proposed rules.
    to_path: &'static str,
    /// The rule that decides under the live rules (None: the default path).
    from_rule: Option<String>,
    /// The rule that would decide under the proposed rules (None: the default path).
    to_rule: Option<String>,
}

#[pymethods]
impl PathChange {
    fn __repr__(&self) -> String {
        format!(
            "PathChange(index={}, from_path={:?}, to_path={:?}, from_rule={}, to_rule={})",
            self.index,
            self.from_path,
            self.to_path,
            opt_str(self.from_rule.as_deref()),
            opt_str(self.to_rule.as_deref())
        )
    }
}

/// How the most recent orders (up to 10,000) route under the live rules and under proposed
/// ones, before the change goes live.
#[pyclass(frozen, module = "allot", name = "DryRun")]
pub(crate) struct DryRun {
    dry_run: CoreDryRun,
}

impl From<CoreDryRun> for DryRun {
    fn from(dry_run: CoreDryRun) -> DryRun {
        DryRun { dry_run }
    }
}

fn path_counts<'py>(py: Python<'py>, count: impl Fn(Path) -> usize) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for path in Path::ALL {
        dict.set_item(path.name(), count(path))?;
    }
    Ok(dict)
}

#[pymethods]
impl DryRun {
    /// How many recent orders were routed both ways.
    #[getter]
    fn orders(&self) -> usize {
        self.dry_run.orders
    }

    /// Orders per path under the live rules, by path name (every path present).
    #[getter]
    fn current<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        path_counts(py, |path| self.dry_run.current.get(path))
    }

    /// Orders per path under the proposed rules, by path name (every path present).
    #[getter]
    fn proposed<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        path_counts(py, |path| self.dry_run.proposed.get(path))
    }

    /// Orders whose path differs between the two.
    #[getter]
    fn changed(&self) -> usize {
        self.dry_run.changed
    }

    /// The first few of them (at most 10), oldest first.
    #[getter]
    fn examples(&self) -> Vec<PathChange> {
        self.dry_run
            .examples
            .iter()
            .map(|change| PathChange {
                index: change.index,
                from_path: change.from.name(),
                to_path: change.to.name(),
                from_rule: change.from_rule.clone(),
                to_rule: change.to_rule.clone(),
            })
            .collect()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "DryRun(orders={}, current={}, proposed={}, changed={})",
            self.dry_run.orders,
            self.current(py)?.repr()?,
            self.proposed(py)?.repr()?,
            self.dry_run.changed
        ))
    }

    fn __eq__(&self, other: &Bound<'_, DryRun>) -> bool {
        self.dry_run == other.get().dry_run
    }

    fn __hash__(&self) -> u64 {
        hash_of((self.dry_run.orders, self.dry_run.changed))
    }
}

// ---------------------------------------------------------------------------------------------

/// A running watch of a rules file (`Engine.watch_rules`): every save is reloaded until
/// `stop()` is called (or the object is dropped, or the `with` block ends).
#[pyclass(frozen, module = "allot", name = "RulesWatch")]
pub(crate) struct RulesWatch {
    watch: Mutex<Option<allot_core::RulesWatch>>,
    path: String,
}

impl RulesWatch {
    pub(crate) fn new(watch: allot_core::RulesWatch, path: String) -> RulesWatch {
        RulesWatch { watch: Mutex::new(Some(watch)), path }
    }
}

#[pymethods]
impl RulesWatch {
    /// Stops watching; harmless when already stopped.
    fn stop(&self, py: Python<'_>) {
        // Dropping the watcher joins its thread: without the GIL, which a reload never needs.
        let watch = &self.watch;
        py.detach(|| drop(watch.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take()));
    }

    /// True until `stop()`.
    #[getter]
    fn active(&self) -> bool {
        self.watch.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).is_some()
    }

    /// The watched file.
    #[getter]
    fn path(&self) -> &str {
        &self.path
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    /// Stops watching; exceptions propagate.
    #[pyo3(signature = (exc_type, exc_value, traceback))]
    fn __exit__(
        &self,
        py: Python<'_>,
        exc_type: Option<&Bound<'_, PyAny>>,
        exc_value: Option<&Bound<'_, PyAny>>,
        traceback: Option<&Bound<'_, PyAny>>,
    ) -> bool {
        let _ = (exc_type, exc_value, traceback);
        self.stop(py);
        false
    }

    fn __repr__(&self) -> String {
        format!("RulesWatch(path={:?}, active={})", self.path, py_bool(self.active()))
    }
}

/// The problems as Python objects.
pub(crate) fn problems<'py>(py: Python<'py>, errors: &[routing::RuleError]) -> PyResult<Bound<'py, PyList>> {
    PyList::new(py, errors.iter().map(RuleProblem::from))
}
