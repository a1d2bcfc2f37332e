//! `Engine`: opening a data directory (or an in-memory engine) with the options Python spells
//! as strings and seconds, handing out clients by role name, and the housekeeping only the
//! embedding process may start (checkpoints, expiry, a manual clock, closing).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use allot_core::{Clock, Engine, EngineOptions, ManualClock, Role, SyncMode, SystemClock};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::args::{NotBool, Seconds, seconds_to_duration, seconds_to_ms, to_opt_u64, to_u64};
use crate::client::PyClient;
use crate::errors::{check, run};
use crate::rules::RulesWatch;
use crate::shared::Shared;
use crate::values::{CheckpointReport, Metrics, Recovery};

/// The sync interval when `sync="interval"` is given without `sync_interval_ms`.
const SYNC_INTERVAL_MS_DEFAULT: u64 = 100;

pub(crate) const SYNC_MODES: [&str; 3] = ["always", "interval", "none"];
pub(crate) const CLOCKS: [&str; 2] = ["system", "manual"];

/// The options both ways of opening share, as Python passes them.
struct Options<'a, 'py> {
    sync: &'a str,
    sync_interval_ms: Option<&'a Bound<'py, PyAny>>,
    clock: &'a str,
    clock_start_ms: Option<&'a Bound<'py, PyAny>>,
    default_ttl_s: Option<Seconds>,
    stripes: &'a Bound<'py, PyAny>,
    settled_retention_s: Option<Seconds>,
    housekeeping: bool,
}

impl Options<'_, '_> {
    fn engine_options(&self) -> PyResult<EngineOptions> {
        let interval_ms = to_opt_u64(self.sync_interval_ms, "sync_interval_ms")?;
        let sync = match (self.sync, interval_ms) {
            ("always", None) => SyncMode::Always,
            ("none", None) => SyncMode::None,
            ("interval", ms) => SyncMode::Interval(Duration::from_millis(ms.unwrap_or(SYNC_INTERVAL_MS_DEFAULT))),
            ("always" | "none", Some(_)) => {
                return Err(PyValueError::new_err("sync_interval_ms is only for sync=\"interval\""));
            }
            (other, _) => {
                return Err(PyValueError::new_err(format!(
                    "unknown sync mode {other:?}: expected \"always\", \"interval\" or \"none\""
                )));
            }
        };
        let start_ms = to_opt_u64(self.clock_start_ms, "clock_start_ms")?;
        let clock: Arc<dyn Clock> = match (self.clock, start_ms) {
            ("system", None) => Arc::new(SystemClock),
            ("manual", start) => ManualClock::new(start.unwrap_or(0)),
            ("system", Some(_)) => {
                return Err(PyValueError::new_err("clock_start_ms is only for clock=\"manual\""));
            }
            (other, _) => {
                return Err(PyValueError::new_err(format!(
                    "unknown clock {other:?}: expected \"system\" or \"manual\""
                )));
            }
        };
        let stripes = usize::try_from(to_u64(self.stripes, "stripes")?)
            .map_err(|_| PyValueError::new_err("stripes does not fit in usize"))?;
        Ok(EngineOptions::default()
            .sync(sync)
            .clock(clock)
            .stripes(stripes)
            .default_ttl_ms(seconds_to_ms(self.default_ttl_s, "default_ttl_s")?)
            .settled_retention_ms(seconds_to_ms(self.settled_retention_s, "settled_retention_s")?)
            .housekeeping(self.housekeeping))
    }
}

/// An engine: one data directory (or none, in memory), its stock and its log. Open it with
/// `Engine.open(path, ...)` or `Engine.open_in_memory(...)`, get clients with
/// `engine.client(role)`, and close it (or use it as a context manager). Share it and its
/// clients between threads freely; not between processes (WrongProcessError in a forked
/// child: see the stubs).
#[pyclass(frozen, module = "allot", name = "Engine")]
pub(crate) struct PyEngine {
    shared: Arc<Shared>,
    clock: &'static str,
    housekeeping: bool,
    closed: AtomicBool,
}

impl PyEngine {
    fn start(
        py: Python<'_>,
        opened: allot_core::Result<Engine>,
        clock: &str,
        housekeeping: bool,
    ) -> PyResult<PyEngine> {
        let engine = check(opened)?;
        let clock = if clock == "manual" { CLOCKS[1] } else { CLOCKS[0] };
        Ok(PyEngine { shared: Arc::new(Shared::new(py, engine)), clock, housekeeping, closed: AtomicBool::new(false) })
    }

    fn engine(&self) -> &Engine {
        &self.shared.engine
    }
}

#[pymethods]
impl PyEngine {
    /// Opens (creating if needed) the data directory `path`: takes its lock (LockedError if
    /// another engine has it), loads the newest checkpoint, replays the log after it and cuts a
    /// torn tail only where recovery allows it (see `recovery`); damage anywhere else is
    /// CorruptionError naming the file.
    ///
    /// `sync`: `"always"` acknowledges a change once it is on disk (group commit);
    /// `"interval"` at once, flushing every `sync_interval_ms` (default 100); `"none"` at once,
    /// leaving write-back to the OS. A process crash loses nothing acknowledged in any mode.
    /// `clock`: `"system"`, or `"manual"` (starting at `clock_start_ms`, moved only by
    /// `advance_time`). `default_ttl_s`: the TTL of reservations made without one (`None`:
    /// never expire). `settled_retention_s`: how long settled reservations are remembered for
    /// idempotent repeats (`None`: forever). `segment_bytes`: the size of each preallocated log
    /// segment. `checkpoint_every_bytes`: write a checkpoint after this many log bytes (0: only
    /// when asked). `stripes`: lock stripes, a power of two. `housekeeping`: whether the
    /// engine's worker expires reservations and fires SLA timers on its own (with the system
    /// clock; a manual clock does both in `advance_time`); off for a process that only looks.
    #[staticmethod]
    #[pyo3(
        signature = (
            path, *, sync = "always", sync_interval_ms = None, clock = "system", clock_start_ms = None,
            default_ttl_s = Some(NotBool(1800.0)), settled_retention_s = Some(NotBool(604800.0)), segment_bytes = None,
            checkpoint_every_bytes = None, stripes = None, housekeeping = true
        ),
        text_signature = "(path, *, sync='always', sync_interval_ms=None, clock='system', clock_start_ms=None, default_ttl_s=1800.0, settled_retention_s=604800.0, segment_bytes=67108864, checkpoint_every_bytes=268435456, stripes=1024, housekeeping=True)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn open(
        py: Python<'_>,
        path: PathBuf,
        sync: &str,
        sync_interval_ms: Option<&Bound<'_, PyAny>>,
        clock: &str,
        clock_start_ms: Option<&Bound<'_, PyAny>>,
        default_ttl_s: Option<Seconds>,
        settled_retention_s: Option<Seconds>,
        segment_bytes: Option<&Bound<'_, PyAny>>,
        checkpoint_every_bytes: Option<&Bound<'_, PyAny>>,
        stripes: Option<&Bound<'_, PyAny>>,
        housekeeping: bool,
    ) -> PyResult<PyEngine> {
        let defaults = EngineOptions::default();
        let default_stripes = defaults.stripes.into_pyobject(py)?.into_any();
        let options = Options {
            sync,
            sync_interval_ms,
            clock,
            clock_start_ms,
            default_ttl_s,
            stripes: stripes.unwrap_or(&default_stripes),
            settled_retention_s,
            housekeeping,
        }
        .engine_options()?
        .segment_bytes(to_opt_u64(segment_bytes, "segment_bytes")?.unwrap_or(defaults.segment_bytes))
        .checkpoint_every_bytes(
            to_opt_u64(checkpoint_every_bytes, "checkpoint_every_bytes")?.unwrap_or(defaults.checkpoint_every_bytes),
        );
        let opened = py.detach(|| Engine::open(&path, options));
        PyEngine::start(py, opened, clock, housekeeping)
    }

    /// An engine that keeps everything in memory and writes nothing: for tests, examples and
    /// simulations. The options are those of `open`.
    #[staticmethod]
    #[pyo3(
        signature = (
            *, sync = "always", sync_interval_ms = None, clock = "system", clock_start_ms = None,
            default_ttl_s = Some(NotBool(1800.0)), settled_retention_s = Some(NotBool(604800.0)), stripes = None, housekeeping = true
        ),
        text_signature = "(*, sync='always', sync_interval_ms=None, clock='system', clock_start_ms=None, default_ttl_s=1800.0, settled_retention_s=604800.0, stripes=1024, housekeeping=True)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn open_in_memory(
        py: Python<'_>,
        sync: &str,
        sync_interval_ms: Option<&Bound<'_, PyAny>>,
        clock: &str,
        clock_start_ms: Option<&Bound<'_, PyAny>>,
        default_ttl_s: Option<Seconds>,
        settled_retention_s: Option<Seconds>,
        stripes: Option<&Bound<'_, PyAny>>,
        housekeeping: bool,
    ) -> PyResult<PyEngine> {
        let default_stripes = EngineOptions::default().stripes.into_pyobject(py)?.into_any();
        let options = Options {
            sync,
            sync_interval_ms,
            clock,
            clock_start_ms,
            default_ttl_s,
            stripes: stripes.unwrap_or(&default_stripes),
            settled_retention_s,
            housekeeping,
        }
        .engine_options()?;
        let opened = py.detach(|| Engine::open_in_memory(options));
        PyEngine::start(py, opened, clock, housekeeping)
    }

    /// A client acting with `role`'s permissions: `"admin"`, `"orders"`, `"warehouse"`,
    /// `"logistics"` or `"viewer"` (ValueError for anything else).
    fn client(&self, role: &str) -> PyResult<PyClient> {
        let parsed = Role::parse(role).ok_or_else(|| {
            let names: Vec<&str> = Role::ALL.iter().map(|role| role.name()).collect();
            PyValueError::new_err(format!("unknown role {role:?}: expected one of {}", names.join(", ")))
        })?;
        check(self.engine().check_process())?;
        Ok(PyClient { client: self.engine().client(parsed), shared: self.shared.clone() })
    }

    /// Writes a checkpoint now and removes the log segments it covers.
    fn checkpoint(&self, py: Python<'_>) -> PyResult<CheckpointReport> {
        let engine = self.engine();
        check(py.detach(|| engine.checkpoint())).map(CheckpointReport::from)
    }

    /// Expires every reservation whose TTL has passed; returns how many expired.
    fn expire_due(&self, py: Python<'_>) -> PyResult<usize> {
        let engine = self.engine();
        check(py.detach(|| engine.expire_due()))
    }

    /// Moves a manual clock forward by `seconds`, expires what came due and fires the SLA
    /// escalations that came due; returns how many reservations expired. InvalidInputError for
    /// an engine with the system clock.
    #[pyo3(signature = (*, seconds))]
    fn advance_time(&self, py: Python<'_>, seconds: Seconds) -> PyResult<usize> {
        let by = seconds_to_duration(seconds, "seconds")?;
        let engine = self.engine();
        run(py, || engine.advance_time(by))
    }

    /// Fires the SLA escalations that came due by the engine's clock (escalation events, new or
    /// raised to-do tasks); returns how many fired. The worker does this on its own with the
    /// system clock and `housekeeping=True`.
    fn run_timers(&self, py: Python<'_>) -> PyResult<usize> {
        let engine = self.engine();
        run(py, || engine.run_timers())
    }

    /// Reads the rules file at `path` and makes it live, recording `by` as who changed it. A
    /// file with problems keeps the previous rules live: InvalidRulesError, whose `errors` lists
    /// every problem with its line and column. StorageIoError when the file cannot be read.
    #[pyo3(signature = (path, *, by))]
    fn reload_rules(&self, py: Python<'_>, path: PathBuf, by: &str) -> PyResult<()> {
        let engine = self.engine();
        run(py, || engine.reload_rules(&path, by))
    }

    /// Watches the rules file at `path`: every save is reloaded (recording `by`); a save with
    /// problems keeps the previous rules live and `rules_reload_error()` says why. Watching
    /// stops with the returned handle's `stop()` (or at the end of its `with` block). The file
    /// need not exist yet; its directory must.
    #[pyo3(signature = (path, *, by))]
    fn watch_rules(&self, py: Python<'_>, path: PathBuf, by: &str) -> PyResult<RulesWatch> {
        let engine = self.engine();
        let watch = run(py, || engine.watch_rules(&path, by))?;
        Ok(RulesWatch::new(watch, path.display().to_string()))
    }

    /// Why the last automatic reload of a watched rules file failed (every problem with its
    /// line and column), or None.
    fn rules_reload_error(&self) -> PyResult<Option<String>> {
        check(self.engine().rules_reload_error())
    }

    /// Checks every stock and reservation invariant over the whole state; returns what it
    /// counted (InternalError if one does not hold).
    fn check_invariants<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let engine = self.engine();
        let report = check(py.detach(|| engine.check_invariants()))?;
        let dict = PyDict::new(py);
        dict.set_item("skus", report.skus)?;
        dict.set_item("cells", report.cells)?;
        dict.set_item("on_hand", report.on_hand)?;
        dict.set_item("reserved", report.reserved)?;
        dict.set_item("held_reservations", report.held_reservations)?;
        dict.set_item("settled_reservations", report.settled_reservations)?;
        Ok(dict)
    }

    /// The engine's counters now.
    fn metrics(&self, py: Python<'_>) -> PyResult<Metrics> {
        let engine = self.engine();
        check(py.detach(|| engine.metrics())).map(Metrics::from)
    }

    /// Stops the background worker, makes the log durable and releases the directory lock.
    /// Every later call through this engine or its clients raises ClosedError. Closing twice is
    /// harmless. In a forked child: WrongProcessError, and nothing is done.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let engine = self.engine();
        check(engine.check_process())?;
        self.closed.store(true, Ordering::Release);
        check(py.detach(|| engine.close()))
    }

    /// True once `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// What opening the data directory found and did.
    #[getter]
    fn recovery(&self) -> Recovery {
        Recovery::from(self.engine().recovery())
    }

    /// The data directory, or None for an in-memory engine.
    #[getter]
    fn path(&self) -> Option<String> {
        self.engine().path().map(|path| path.display().to_string())
    }

    /// The sync mode: `"always"`, `"interval"` or `"none"`.
    #[getter]
    fn sync(&self) -> &'static str {
        match self.engine().sync_mode() {
            SyncMode::Always => SYNC_MODES[0],
            SyncMode::Interval(_) => SYNC_MODES[1],
            SyncMode::None => SYNC_MODES[2],
        }
    }

    /// The flush interval in milliseconds for `sync="interval"`, else None.
    #[getter]
    fn sync_interval_ms(&self) -> Option<u64> {
        match self.engine().sync_mode() {
            SyncMode::Interval(every) => Some(u64::try_from(every.as_millis()).unwrap_or(u64::MAX)),
            _ => None,
        }
    }

    /// The clock: `"system"` or `"manual"`.
    #[getter]
    fn clock(&self) -> &'static str {
        self.clock
    }

    /// Whether the worker expires reservations and fires SLA timers on its own.
    #[getter]
    fn housekeeping(&self) -> bool {
        self.housekeeping
    }

    /// The engine clock's time, in milliseconds since the Unix epoch.
    #[getter]
    fn now_ms(&self) -> PyResult<u64> {
        check(self.engine().now_ms())
    }

    /// The LSN of the last record appended to the log.
    #[getter]
    fn last_lsn(&self) -> PyResult<u64> {
        check(self.engine().last_lsn())
    }

    /// The LSN up to which the log is known to be on disk.
    #[getter]
    fn durable_lsn(&self) -> PyResult<u64> {
        check(self.engine().durable_lsn())
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    /// Closes the engine; exceptions propagate.
    #[pyo3(signature = (exc_type, exc_value, traceback))]
    fn __exit__(
        &self,
        py: Python<'_>,
        exc_type: Option<&Bound<'_, PyAny>>,
        exc_value: Option<&Bound<'_, PyAny>>,
        traceback: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        let _ = (exc_type, exc_value, traceback);
        self.close(py)?;
        Ok(false)
    }

    fn __repr__(&self) -> String {
        let path = self.engine().path().map_or_else(|| "None".into(), |p| format!("{:?}", p.display().to_string()));
        format!("Engine(path={path}, sync={:?}, clock={:?})", self.sync(), self.clock)
    }
}

/// Names used by the module's constants.
pub(crate) fn role_names() -> Vec<&'static str> {
    Role::ALL.iter().map(|role| role.name()).collect()
}
