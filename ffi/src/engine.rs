//! `allot_engine`: opening a data directory (or memory), closing, freeing, housekeeping.
//!
//! Close and free are separate: `allot_engine_close` makes the log durable and unlocks the
//! directory, after which every call through the engine or its clients is `ALLOT_STATUS_CLOSED`
//! (the core enforces it); `allot_engine_free` releases the handle's memory (closing first if
//! needed). Clients hold their own reference to the engine's state, so they stay valid (and
//! answer `ALLOT_STATUS_CLOSED`) after the engine handle is closed or freed.
//!
//! A child made by `fork()` inherits the handles but not the engine: every call through them
//! is `ALLOT_STATUS_WRONG_PROCESS` (checked before the closed flag, so a child's close changes
//! nothing, not even this handle's flag).

use std::ffi::c_char;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use allot_core::{Engine, EngineOptions, Error, ManualClock, Metrics, SyncMode};

use crate::panic::guard;
use crate::pointers::{self, reference, required};
use crate::status::allot_status;
use crate::strings::{self, text};
use crate::text::allot_string;
use crate::vocabulary::{ALLOT_ORDER_STATE_COUNT, ALLOT_SEVERITY_COUNT, allot_order_state, allot_severity};

/// An open engine: one data directory (or memory), shared by every client made from it.
///
/// Thread safety: any number of threads may use one engine handle at once, including
/// `allot_engine_close()`; `allot_engine_free()` must be the last call on it.
pub struct allot_engine {
    engine: Engine,
    /// Set by `allot_engine_close`, so that the calls the core does not check itself (making a
    /// client, reading the LSN or the clock) answer `ALLOT_STATUS_CLOSED` too.
    closed: AtomicBool,
}

// The header promises that engine and client handles may be shared between threads.
const _: () = {
    const fn shareable<T: Send + Sync>() {}
    shareable::<allot_engine>();
    shareable::<crate::client::allot_client>();
};

impl allot_engine {
    /// The engine, unless this is not the process that opened it, or it was closed through
    /// this handle.
    pub(crate) fn open_engine(&self) -> Result<&Engine, Error> {
        self.engine.check_process()?;
        if self.closed.load(Ordering::Acquire) { Err(Error::Closed) } else { Ok(&self.engine) }
    }
}

/// When a write is acknowledged (`allot_engine_options.sync`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum allot_sync_mode {
    /// After its log record is on stable storage (group commit shares the syncs). Survives a
    /// power cut.
    Always = 0,
    /// At once; a background flush every `sync_interval_ms` bounds what a power cut can lose.
    /// A process crash loses nothing.
    Interval = 1,
    /// At once; the operating system writes back when it likes. A process crash loses
    /// nothing; a power cut may. For tests and load generation.
    None = 2,
}

/// Where the engine's time comes from (`allot_engine_options.clock`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum allot_clock {
    /// The system's real-time clock; a background sweep expires reservations.
    System = 0,
    /// A clock that starts at `clock_start_ms` and moves only with `allot_engine_advance_time()`
    /// (which also expires what came due). For tests and simulations.
    Manual = 1,
}

/// An `allot_sync_mode` as C passes it: any integer, validated.
pub type SyncModeArg = u32;
/// An `allot_clock` as C passes it: any integer, validated.
pub type ClockArg = u32;

/// How an engine is opened. Fill it with `allot_engine_options_default()`, then change fields.
///
/// A field of 0 does not mean "default"; where 0 has a meaning of its own it is documented.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct allot_engine_options {
    /// An `allot_sync_mode`. Default: `ALLOT_SYNC_MODE_ALWAYS`.
    pub sync: SyncModeArg,
    /// Flush period for `ALLOT_SYNC_MODE_INTERVAL`, in ms (at least 1). Default: 100.
    pub sync_interval_ms: u64,
    /// An `allot_clock`. Default: `ALLOT_CLOCK_SYSTEM`.
    pub clock: ClockArg,
    /// Start time of an `ALLOT_CLOCK_MANUAL` clock, in ms since the Unix epoch. Default: 0.
    pub clock_start_ms: u64,
    /// TTL of reservations whose caller gives none, in ms (at most `ALLOT_TTL_MS_MAX`); 0: such
    /// reservations never expire. Default: 30 minutes.
    pub default_ttl_ms: u64,
    /// How long a committed, released or expired reservation is remembered, so that a repeat
    /// of its order id is answered from it (the idempotency window), in ms; 0: forever.
    /// Default: 7 days.
    pub settled_retention_ms: u64,
    /// Size of each preallocated log segment, in bytes (256 KiB to 4 GiB). Default: 64 MiB.
    pub segment_bytes: u64,
    /// Write a checkpoint after this many log bytes; 0: no automatic checkpoints. Default:
    /// 256 MiB.
    pub checkpoint_every_bytes: u64,
    /// How often a system clock's sweep expires due reservations, in ms (at least 1). Default:
    /// 1000.
    pub expiry_sweep_ms: u64,
    /// Lock stripes: a power of two from 1 to 2^20. More stripes, fewer SKUs share a lock.
    /// Default: 1024.
    pub stripes: u32,
    /// 1: the engine's worker expires due reservations and fires SLA timers on its own (with
    /// the system clock); 0: it does not, and nothing writes but the callers (a process that
    /// only looks, such as a dashboard). Any other value is refused. Default: 1.
    pub housekeeping: u8,
}

/// The sync interval `allot_engine_options_default` proposes (the core's `interval` default).
const SYNC_INTERVAL_MS_DEFAULT: u64 = 100;

impl allot_engine_options {
    fn defaults() -> allot_engine_options {
        let core = EngineOptions::default();
        let (sync, sync_interval_ms) = match core.sync {
            SyncMode::Always => (allot_sync_mode::Always, SYNC_INTERVAL_MS_DEFAULT),
            SyncMode::Interval(every) => (allot_sync_mode::Interval, millis(every)),
            SyncMode::None => (allot_sync_mode::None, SYNC_INTERVAL_MS_DEFAULT),
        };
        allot_engine_options {
            sync: sync as u32,
            sync_interval_ms,
            clock: allot_clock::System as u32,
            clock_start_ms: 0,
            default_ttl_ms: core.default_ttl_ms.unwrap_or(0),
            settled_retention_ms: core.settled_retention_ms.unwrap_or(0),
            segment_bytes: core.segment_bytes,
            checkpoint_every_bytes: core.checkpoint_every_bytes,
            expiry_sweep_ms: millis(core.expiry_sweep),
            stripes: u32::try_from(core.stripes).unwrap_or(u32::MAX),
            housekeeping: u8::from(core.housekeeping),
        }
    }

    /// The core's options; the enum fields are checked here, the rest by `Engine::open`.
    fn to_core(self) -> Result<EngineOptions, Error> {
        let sync = match self.sync {
            0 => SyncMode::Always,
            1 => SyncMode::Interval(Duration::from_millis(self.sync_interval_ms)),
            2 => SyncMode::None,
            other => return Err(unknown_enum("sync", "allot_sync_mode", other)),
        };
        let housekeeping = match self.housekeeping {
            0 => false,
            1 => true,
            other => {
                return Err(Error::InvalidInput { message: format!("housekeeping is {other}; it must be 0 or 1") });
            }
        };
        let mut options = EngineOptions::default()
            .sync(sync)
            .default_ttl_ms((self.default_ttl_ms > 0).then_some(self.default_ttl_ms))
            .settled_retention_ms((self.settled_retention_ms > 0).then_some(self.settled_retention_ms))
            .segment_bytes(self.segment_bytes)
            .checkpoint_every_bytes(self.checkpoint_every_bytes)
            .expiry_sweep(Duration::from_millis(self.expiry_sweep_ms))
            .stripes(self.stripes as usize)
            .housekeeping(housekeeping);
        match self.clock {
            0 => {}
            1 => options = options.clock(ManualClock::new(self.clock_start_ms)),
            other => return Err(unknown_enum("clock", "allot_clock", other)),
        }
        Ok(options)
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

pub(crate) fn unknown_enum(what: &str, type_name: &str, value: u32) -> Error {
    Error::InvalidInput { message: format!("{what} is {value}, which is not an {type_name} value") }
}

/// Fills `out_options` with the defaults (the core's `EngineOptions::default()`): sync always,
/// system clock, 30-minute TTL, 64 MiB segments.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` if `out_options` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_engine_options_default(out_options: *mut allot_engine_options) -> allot_status {
    guard("allot_engine_options_default", || {
        // SAFETY: the header's contract: NULL or one writable allot_engine_options.
        let out = unsafe { required(out_options, "out_options") }?;
        out.write(allot_engine_options::defaults());
        Ok(())
    })
}

/// Reads the options argument: NULL means the defaults.
///
/// # Safety
///
/// `options` is NULL or points to a readable `allot_engine_options`.
unsafe fn read_options(options: *const allot_engine_options) -> Result<EngineOptions, Error> {
    if options.is_null() {
        return Ok(EngineOptions::default());
    }
    // SAFETY: not NULL; the caller guarantees a readable struct. It is copied at once.
    let options = *unsafe { reference(options, "options") }?;
    options.to_core()
}

/// A file system path argument: non-empty UTF-8 of at most `PATH_BYTES_MAX` bytes without a
/// NUL (which the operating system would cut the path at).
///
/// # Safety
///
/// `path` is NULL or readable for `path_len` bytes.
pub(crate) unsafe fn path_arg<'a>(path: *const c_char, path_len: usize) -> Result<&'a str, Error> {
    // SAFETY: passed on from the caller.
    let path = unsafe { text(path, path_len, strings::PATH) }?;
    if path.is_empty() {
        return Err(Error::InvalidInput { message: "path is empty".into() });
    }
    if path.contains('\0') {
        return Err(Error::InvalidInput { message: format!("path {path:?} contains a NUL byte") });
    }
    Ok(path)
}

fn into_handle(engine: Engine) -> *mut allot_engine {
    Box::into_raw(Box::new(allot_engine { engine, closed: AtomicBool::new(false) }))
}

/// Opens (creating it if needed) the data directory `path` (`path_len` bytes of UTF-8, no NUL
/// needed): takes its lock, loads the newest checkpoint, replays the log after it, and writes
/// the new engine handle to `*out_engine`. `options` may be NULL for the defaults.
///
/// The caller owns the handle: close it with `allot_engine_close()` (to learn whether the final
/// flush succeeded) and free it with `allot_engine_free()`.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `out_engine`, a NULL `path` with a nonzero
/// length, an empty path, not UTF-8 or with a NUL byte, a bad option), `ALLOT_STATUS_LIMIT_EXCEEDED` (a path
/// longer than `ALLOT_PATH_BYTES_MAX`), `ALLOT_STATUS_LOCKED` (another open engine has the
/// directory), `ALLOT_STATUS_IO`, `ALLOT_STATUS_CORRUPTION`, `ALLOT_STATUS_OUT_OF_SPACE`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_engine_open(
    path: *const c_char,
    path_len: usize,
    options: *const allot_engine_options,
    out_engine: *mut *mut allot_engine,
) -> allot_status {
    guard("allot_engine_open", || {
        // SAFETY: the header's contract: NULL or one writable pointer.
        let out = unsafe { required(out_engine, "out_engine") }?;
        // SAFETY: the header's contract: NULL or `path_len` readable bytes.
        let path = unsafe { path_arg(path, path_len) }?;
        // SAFETY: the header's contract: NULL or a readable options struct.
        let options = unsafe { read_options(options) }?;
        out.write(into_handle(Engine::open(path, options)?));
        Ok(())
    })
}

/// Opens an engine that keeps everything in memory and writes nothing (nothing survives the
/// process): for tests, examples and simulations. `options` may be NULL for the defaults; the
/// sync mode still decides when events become visible, the segment and checkpoint fields are
/// ignored. The handle is the caller's, as with `allot_engine_open()`.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `out_engine`, a bad option).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_engine_open_in_memory(
    options: *const allot_engine_options,
    out_engine: *mut *mut allot_engine,
) -> allot_status {
    guard("allot_engine_open_in_memory", || {
        // SAFETY: the header's contract: NULL or one writable pointer.
        let out = unsafe { required(out_engine, "out_engine") }?;
        // SAFETY: the header's contract: NULL or a readable options struct.
        let options = unsafe { read_options(options) }?;
        out.write(into_handle(Engine::open_in_memory(options)?));
        Ok(())
    })
}

/// Closes the engine: stops its background work, makes the log durable and unlocks the
/// directory. Every later call through this engine or any of its clients returns
/// `ALLOT_STATUS_CLOSED`; calls running meanwhile either finish or return
/// `ALLOT_STATUS_CLOSED` having changed nothing. Closing twice is harmless; NULL does nothing
/// and returns `ALLOT_STATUS_OK`. The handle must still be freed with `allot_engine_free()`.
///
/// Errors: `ALLOT_STATUS_IO` or `ALLOT_STATUS_POISONED` if the final flush failed (the directory
/// is unlocked all the same; reopening it recovers what reached the disk);
/// `ALLOT_STATUS_WRONG_PROCESS` in a child made by `fork()`, where it does nothing at all (the
/// worker, the log and the lock are the parent's).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_engine_close(engine: *const allot_engine) -> allot_status {
    guard("allot_engine_close", || {
        if engine.is_null() {
            return Ok(());
        }
        // SAFETY: the header's contract: a live engine handle.
        let engine = unsafe { reference(engine, "engine") }?;
        engine.engine.check_process()?;
        engine.closed.store(true, Ordering::Release);
        engine.engine.close()
    })
}

/// Frees an engine handle, closing the engine first if it is still open (any error of that
/// close is lost: call `allot_engine_close()` first to see it). NULL does nothing. Clients made
/// from the engine stay valid and must be freed on their own; they answer
/// `ALLOT_STATUS_CLOSED`. In a child made by `fork()` it frees only the handle: the engine's
/// state is the parent's, and the child's copy of it is leaked, never closed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_engine_free(engine: *mut allot_engine) {
    crate::panic::guard_value((), || {
        // SAFETY: the header's contract: NULL or a handle from allot_engine_open*, freed once.
        if let Some(engine) = unsafe { pointers::free(engine) } {
            engine.closed.store(true, Ordering::Release);
            let _ = engine.engine.close();
        }
    })
}

/// Writes a checkpoint now (the whole state at the current LSN) and removes the log segments
/// it covers; `*out_lsn` (may be NULL) receives the checkpoint's LSN. A no-op for an in-memory
/// engine (which still reports its last LSN).
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `engine`), `ALLOT_STATUS_CLOSED`,
/// `ALLOT_STATUS_POISONED`, `ALLOT_STATUS_IO`, `ALLOT_STATUS_OUT_OF_SPACE`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_engine_checkpoint(engine: *const allot_engine, out_lsn: *mut u64) -> allot_status {
    guard("allot_engine_checkpoint", || {
        // SAFETY: the header's contract: a live engine handle, and NULL or one writable u64.
        let (engine, out) = unsafe { (reference(engine, "engine")?, pointers::optional(out_lsn)) };
        let report = engine.open_engine()?.checkpoint()?;
        if let Some(out) = out {
            out.write(report.lsn);
        }
        Ok(())
    })
}

/// Expires every held reservation whose TTL has passed (a system clock's engine also does this
/// in the background); `*out_expired` (may be NULL) receives how many expired.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `engine`), `ALLOT_STATUS_CLOSED`,
/// `ALLOT_STATUS_POISONED`, `ALLOT_STATUS_IO`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_engine_expire_due(engine: *const allot_engine, out_expired: *mut usize) -> allot_status {
    guard("allot_engine_expire_due", || {
        // SAFETY: the header's contract: a live engine handle, and NULL or one writable size_t.
        let (engine, out) = unsafe { (reference(engine, "engine")?, pointers::optional(out_expired)) };
        let expired = engine.open_engine()?.expire_due()?;
        if let Some(out) = out {
            out.write(expired);
        }
        Ok(())
    })
}

/// Moves a manual clock forward by `by_ms` and expires what came due; `*out_expired` (may be
/// NULL) receives how many reservations expired.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `engine`, or an engine with a system clock),
/// `ALLOT_STATUS_CLOSED`, `ALLOT_STATUS_POISONED`, `ALLOT_STATUS_IO`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_engine_advance_time(
    engine: *const allot_engine,
    by_ms: u64,
    out_expired: *mut usize,
) -> allot_status {
    guard("allot_engine_advance_time", || {
        // SAFETY: the header's contract: a live engine handle, and NULL or one writable size_t.
        let (engine, out) = unsafe { (reference(engine, "engine")?, pointers::optional(out_expired)) };
        let expired = engine.open_engine()?.advance_time(Duration::from_millis(by_ms))?;
        if let Some(out) = out {
            out.write(expired);
        }
        Ok(())
    })
}

/// Writes the LSN of the last record in the log (0 for an empty log) to `*out_lsn`: the cursor
/// at which a new event subscriber that wants only future events starts.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `engine` or `out_lsn`), `ALLOT_STATUS_CLOSED`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_engine_last_lsn(engine: *const allot_engine, out_lsn: *mut u64) -> allot_status {
    guard("allot_engine_last_lsn", || {
        // SAFETY: the header's contract: a live engine handle, and NULL or one writable u64.
        let (engine, out) = unsafe { (reference(engine, "engine")?, required(out_lsn, "out_lsn")?) };
        out.write(engine.open_engine()?.last_lsn()?);
        Ok(())
    })
}

/// Writes the engine clock's time (ms since the Unix epoch) to `*out_now_ms`: the time base of
/// every `expires_at_ms` and `at_ms`.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `engine` or `out_now_ms`), `ALLOT_STATUS_CLOSED`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_engine_now_ms(engine: *const allot_engine, out_now_ms: *mut u64) -> allot_status {
    guard("allot_engine_now_ms", || {
        // SAFETY: the header's contract: a live engine handle, and NULL or one writable u64.
        let (engine, out) = unsafe { (reference(engine, "engine")?, required(out_now_ms, "out_now_ms")?) };
        out.write(engine.open_engine()?.now_ms()?);
        Ok(())
    })
}

/// Fires the SLA escalations that came due by the engine's clock (opening or raising to-do
/// tasks); `*out_fired` (may be NULL) receives how many fired. A system clock's engine does
/// this in the background every `expiry_sweep_ms`, and `allot_engine_advance_time()` does it
/// for a manual clock: call it to catch up at once.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `engine`), `ALLOT_STATUS_CLOSED`,
/// `ALLOT_STATUS_POISONED`, `ALLOT_STATUS_IO`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_engine_run_timers(engine: *const allot_engine, out_fired: *mut usize) -> allot_status {
    guard("allot_engine_run_timers", || {
        // SAFETY: the header's contract: a live engine handle, and NULL or one writable size_t.
        let (engine, out) = unsafe { (reference(engine, "engine")?, pointers::optional(out_fired)) };
        let fired = engine.open_engine()?.run_timers()?;
        if let Some(out) = out {
            out.write(fired);
        }
        Ok(())
    })
}

/// The engine's counters at one moment (`allot_engine_metrics()`). Counts marked "since open"
/// start at 0 each time the engine is opened; the others describe the whole state or log.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct allot_metrics {
    pub skus: u64,
    pub warehouses: u64,
    /// Reservations made since the engine (or its log) began.
    pub reservations_made: u64,
    pub reservations_held: u64,
    pub reservations_committed: u64,
    pub reservations_released: u64,
    pub reservations_expired: u64,
    /// Reserve calls refused for want of stock (since open).
    pub reserves_refused: u64,
    /// Reserve calls answered from an earlier reservation of the same order (since open).
    pub reserve_repeats: u64,
    /// Reserve calls refused because the order id was used with other lines (since open).
    pub duplicate_orders: u64,
    /// Calls refused with `ALLOT_STATUS_PERMISSION_DENIED`, all roles and operations (since
    /// open).
    pub permission_denied_total: u64,
    /// The LSN of the last record, and of the last durable one.
    pub log_last_lsn: u64,
    pub log_durable_lsn: u64,
    /// Records and bytes appended to the log, syncs, and segments (since open).
    pub log_records_appended: u64,
    pub log_bytes_appended: u64,
    pub log_flushes: u64,
    pub log_segments: u64,
    /// Checkpoints written (since open).
    pub checkpoints: u64,
    /// Orders in the book by state, indexed by `allot_order_state`
    /// (`orders_by_state[ALLOT_ORDER_STATE_SHIPPED]`). Finished orders are forgotten by the
    /// checkpoint after the idempotency window.
    pub orders_by_state: [u64; ALLOT_ORDER_STATE_COUNT],
    /// Orders in the book that never needed a person's decision.
    pub orders_zero_touch: u64,
    /// Open and acknowledged tasks by severity, indexed by `allot_severity`.
    pub open_tasks_by_severity: [u64; ALLOT_SEVERITY_COUNT],
}

impl From<Metrics> for allot_metrics {
    fn from(metrics: Metrics) -> allot_metrics {
        let mut orders_by_state = [0; ALLOT_ORDER_STATE_COUNT];
        for &(state, count) in &metrics.orders_by_state {
            orders_by_state[allot_order_state::from(state) as usize] = count;
        }
        let mut open_tasks_by_severity = [0; ALLOT_SEVERITY_COUNT];
        for &(severity, count) in &metrics.open_tasks_by_severity {
            open_tasks_by_severity[allot_severity::from(severity) as usize] = count;
        }
        allot_metrics {
            skus: metrics.skus,
            warehouses: metrics.warehouses,
            reservations_made: metrics.reservations_made,
            reservations_held: metrics.reservations_held,
            reservations_committed: metrics.reservations_committed,
            reservations_released: metrics.reservations_released,
            reservations_expired: metrics.reservations_expired,
            reserves_refused: metrics.reserves_refused,
            reserve_repeats: metrics.reserve_repeats,
            duplicate_orders: metrics.duplicate_orders,
            permission_denied_total: metrics.permission_denied_total,
            log_last_lsn: metrics.log_last_lsn,
            log_durable_lsn: metrics.log_durable_lsn,
            log_records_appended: metrics.log_records_appended,
            log_bytes_appended: metrics.log_bytes_appended,
            log_flushes: metrics.log_flushes,
            log_segments: metrics.log_segments,
            checkpoints: metrics.checkpoints,
            orders_by_state,
            orders_zero_touch: metrics.orders_zero_touch,
            open_tasks_by_severity,
        }
    }
}

/// Writes the engine's counters to `*out_metrics`, for monitoring.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `engine` or `out_metrics`), `ALLOT_STATUS_CLOSED`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_engine_metrics(
    engine: *const allot_engine,
    out_metrics: *mut allot_metrics,
) -> allot_status {
    guard("allot_engine_metrics", || {
        // SAFETY: the header's contract: a live engine handle, and one writable struct.
        let (engine, out) = unsafe { (reference(engine, "engine")?, required(out_metrics, "out_metrics")?) };
        out.write(engine.open_engine()?.metrics()?.into());
        Ok(())
    })
}

/// The engine's counters in Prometheus' text exposition format (metric names prefixed
/// `allot_`), as a new string handle written to `*out_text` (freed with `allot_string_free()`),
/// for a process that serves `/metrics`.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `engine` or `out_text`), `ALLOT_STATUS_CLOSED`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_engine_metrics_prometheus(
    engine: *const allot_engine,
    out_text: *mut *mut allot_string,
) -> allot_status {
    guard("allot_engine_metrics_prometheus", || {
        // SAFETY: the header's contract: a live engine handle, and one writable pointer.
        let (engine, out) = unsafe { (reference(engine, "engine")?, required(out_text, "out_text")?) };
        out.write(allot_string::boxed(&engine.open_engine()?.metrics()?.prometheus_text()));
        Ok(())
    })
}
