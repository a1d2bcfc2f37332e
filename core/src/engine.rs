//! The engine handle: opening a data directory (lock, checkpoint, replay), the background
//! worker (interval flushes, spare segments, checkpoints, expiry sweeps), and closing.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
#[cfg(not(loom))]
use std::sync::Weak;
use std::time::{Duration, Instant};

use crate::client::Client;
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::faults::Faults;
use crate::ids::Lsn;
use crate::inventory::{InvariantReport, Inventory, PrefixDistance, RegionDistance, StateImage};
use crate::limits::{SEGMENT_BYTES_MAX, SEGMENT_BYTES_MIN, STRIPES_MAX, STRIPES_MIN, TTL_MS_MAX};
use crate::log::checkpoint;
use crate::log::fork;
use crate::log::lock::{self, DirectoryLock};
use crate::log::manifest::{self, BootId, DURABLE_RECORD_INTERVAL};
use crate::log::recovery::{self, Replayed, StartingPoint, TornTail};
use crate::log::repair;
use crate::log::writer::MappedLog;
use crate::log::{Log, Record, Shutdown, SyncMode};
use crate::metrics::{Counters, Metrics};
use crate::order::PipelineChange;
use crate::order::book::{OrderBook, OrdersImage};
use crate::order::pipeline::Context;
use crate::role::{Operation, Role};
use crate::routing::{self, RULES_BYTES_MAX, Rules};
use crate::sync::atomic::{AtomicBool, Ordering};
use crate::sync::{Condvar, Mutex, Snapshot};

/// Rolled-over segments allowed to wait for a flush before the worker syncs them (`None` and
/// long `Interval` modes would otherwise keep every segment's file and mapping open).
const SEALED_SEGMENTS_MAX: usize = 4;

/// How an engine is opened. Build with `EngineOptions::default()` and the setters.
#[derive(Clone, Debug)]
pub struct EngineOptions {
    pub sync: SyncMode,
    pub clock: Arc<dyn Clock>,
    /// Lock stripes (a power of two). More stripes, fewer SKUs sharing a lock.
    pub stripes: usize,
    /// Size of each preallocated log segment.
    pub segment_bytes: u64,
    /// Write a checkpoint after this many log bytes; 0 turns automatic checkpoints off.
    pub checkpoint_every_bytes: u64,
    /// How often the worker expires due reservations (with a real clock; a manual clock
    /// expires when advanced).
    pub expiry_sweep: Duration,
    /// TTL of reservations whose caller gives none; `None`: they never expire.
    pub default_ttl_ms: Option<u64>,
    /// How long a committed, released or expired reservation is remembered (so that a repeat
    /// of its order id is answered from it) before a checkpoint forgets it; `None`: forever.
    /// This is the idempotency window for order ids.
    pub settled_retention_ms: Option<u64>,
    pub region_distance: Arc<dyn RegionDistance>,
    /// Whether the worker expires reservations and fires SLA timers on its own (with a real
    /// clock). Off for a process that only looks (`allot serve`): then nothing writes but
    /// the callers.
    pub housekeeping: bool,
    /// Injected storage failures (tests; inert without the `fault-injection` feature).
    pub faults: Arc<Faults>,
}

impl Default for EngineOptions {
    fn default() -> EngineOptions {
        EngineOptions {
            sync: SyncMode::Always,
            clock: Arc::new(SystemClock),
            stripes: 1024,
            segment_bytes: 64 << 20,
            checkpoint_every_bytes: 256 << 20,
            expiry_sweep: Duration::from_secs(1),
            default_ttl_ms: Some(30 * 60 * 1000),
            settled_retention_ms: Some(7 * 24 * 3600 * 1000),
            region_distance: Arc::new(PrefixDistance),
            housekeeping: true,
            faults: Arc::new(Faults::default()),
        }
    }
}

impl EngineOptions {
    pub fn sync(mut self, sync: SyncMode) -> EngineOptions {
        self.sync = sync;
        self
    }

    pub fn clock(mut self, clock: Arc<dyn Clock>) -> EngineOptions {
        self.clock = clock;
        self
    }

    pub fn stripes(mut self, stripes: usize) -> EngineOptions {
        self.stripes = stripes;
        self
    }

    pub fn segment_bytes(mut self, segment_bytes: u64) -> EngineOptions {
        self.segment_bytes = segment_bytes;
        self
    }

    pub fn checkpoint_every_bytes(mut self, bytes: u64) -> EngineOptions {
        self.checkpoint_every_bytes = bytes;
        self
    }

    pub fn expiry_sweep(mut self, every: Duration) -> EngineOptions {
        self.expiry_sweep = every;
        self
    }

    pub fn default_ttl_ms(mut self, ttl_ms: Option<u64>) -> EngineOptions {
        self.default_ttl_ms = ttl_ms;
        self
    }

    pub fn settled_retention_ms(mut self, keep_ms: Option<u64>) -> EngineOptions {
        self.settled_retention_ms = keep_ms;
        self
    }

    pub fn region_distance(mut self, distance: Arc<dyn RegionDistance>) -> EngineOptions {
        self.region_distance = distance;
        self
    }

    pub fn housekeeping(mut self, on: bool) -> EngineOptions {
        self.housekeeping = on;
        self
    }

    pub fn faults(mut self, faults: Arc<Faults>) -> EngineOptions {
        self.faults = faults;
        self
    }

    fn validate(&self) -> Result<()> {
        if !self.stripes.is_power_of_two() || !(STRIPES_MIN..=STRIPES_MAX).contains(&self.stripes) {
            return Err(Error::invalid(format!(
                "stripes must be a power of two in {STRIPES_MIN}..={STRIPES_MAX}, not {}",
                self.stripes
            )));
        }
        if !(SEGMENT_BYTES_MIN..=SEGMENT_BYTES_MAX).contains(&self.segment_bytes) {
            return Err(Error::invalid(format!(
                "segment_bytes must be in {SEGMENT_BYTES_MIN}..={SEGMENT_BYTES_MAX}, not {}",
                self.segment_bytes
            )));
        }
        if let SyncMode::Interval(every) = self.sync
            && every.is_zero()
        {
            return Err(Error::invalid("the sync interval must be at least 1 ms"));
        }
        if let Some(ttl) = self.default_ttl_ms
            && (ttl == 0 || ttl > TTL_MS_MAX)
        {
            return Err(Error::invalid(format!("default_ttl_ms must be in 1..={TTL_MS_MAX}, not {ttl}")));
        }
        if self.expiry_sweep.is_zero() {
            return Err(Error::invalid("expiry_sweep must be at least 1 ms"));
        }
        Ok(())
    }
}

/// The order lock that serialises rules changes (an order key can never contain a NUL).
const RULES_LOCK_KEY: &str = "\u{0}rules";

/// The whole state in a checkpoint.
#[derive(serde::Serialize, serde::Deserialize)]
struct EngineImage {
    inventory: StateImage,
    orders: OrdersImage,
    /// The live rules file's text.
    rules: String,
}

/// What opening a data directory found and did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecoveryReport {
    /// The LSN of the checkpoint loaded (0: none).
    pub checkpoint_lsn: Lsn,
    /// How the last writer stopped: it decides what recovery may cut (ARCHITECTURE.md, "What
    /// survives a crash").
    pub shutdown: Shutdown,
    /// The highest LSN recovery proved durable from what it found (the manifest, the checkpoint,
    /// the watermarks in the records); nothing at or below it is ever cut.
    pub durable_lsn: Lsn,
    pub records_replayed: u64,
    /// Where the log was cut (or, opened read-only, would be cut by an open).
    pub torn_tail: Option<TornTail>,
    /// The last LSN in the log after recovery.
    pub last_lsn: Lsn,
    pub duration: Duration,
}

/// What a checkpoint did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckpointReport {
    pub lsn: Lsn,
    pub path: Option<PathBuf>,
    pub bytes: u64,
    pub segments_removed: usize,
    /// How long writers were paused while the stock was copied (reservations are read without
    /// pausing anyone).
    pub pause: Duration,
    pub duration: Duration,
}

/// The state a data directory holds, recovered in memory, and what recovery decided.
struct Recovered {
    inventory: Inventory,
    orders: OrderBook,
    rules: Snapshot<Rules>,
    start: StartingPoint,
    replayed: Replayed,
}

impl Recovered {
    /// Loads the standing checkpoint and replays the log after it (reading only).
    fn read(dir: &Path, options: &EngineOptions, boot_id: BootId) -> Result<Recovered> {
        let start = recovery::starting_point(dir, boot_id)?;
        let inventory = Inventory::new(options.stripes, options.region_distance.clone());
        let orders = OrderBook::new();
        let rules = Snapshot::new(Rules::default());
        if let Some((lsn, path)) = &start.checkpoint {
            let payload = checkpoint::read(path, *lsn, start.log_id())?;
            let image: EngineImage = postcard::from_bytes(&payload)
                .map_err(|e| Error::corruption(path, 0, format!("checkpoint does not decode: {e}")))?;
            let live_rules = routing::parse(&image.rules)
                .map_err(|e| Error::corruption(path, 0, format!("checkpoint rules: {}", routing::rules_error(&e))))?;
            inventory.restore(image.inventory);
            orders.restore(image.orders, live_rules.velocity().window_ms);
            rules.store(Arc::new(live_rules));
        }
        let replayed = recovery::replay(dir, &start, start.checkpoint_lsn(), |lsn, record| {
            apply_record(&inventory, &orders, &rules, lsn, record)
        })?;
        rules.with(|live| orders.reschedule_all(live));
        Ok(Recovered { inventory, orders, rules, start, replayed })
    }

    fn report(&self, last_lsn: Lsn, started: Instant) -> RecoveryReport {
        RecoveryReport {
            checkpoint_lsn: self.start.checkpoint_lsn(),
            shutdown: self.start.shutdown,
            durable_lsn: self.replayed.durable_lsn,
            records_replayed: self.replayed.records_replayed,
            torn_tail: self.replayed.torn_tail.clone(),
            last_lsn,
            duration: started.elapsed(),
        }
    }
}

/// Applies one logged record during replay, exactly as the live call did.
fn apply_record(
    inventory: &Inventory,
    orders: &OrderBook,
    rules: &Snapshot<Rules>,
    lsn: Lsn,
    record: Record<'_>,
) -> Result<()> {
    match record {
        Record::Pipeline { at_ms, change } => {
            if let PipelineChange::Rules { text, .. } = &change {
                let parsed = routing::parse(text)
                    .map_err(|e| Error::internal(format!("logged rules at LSN {lsn}: {}", routing::rules_error(&e))))?;
                rules.store(Arc::new(parsed));
            }
            rules.with(|live| orders.apply(lsn, at_ms, &change, live))
        }
        // The stock step first, as the live path did it, then the order's change.
        Record::PipelineStock { at_ms, change, stock } => {
            let order = change
                .order()
                .ok_or_else(|| Error::internal(format!("log record {lsn}: a stock step on a change of no order")))?;
            inventory.apply_stock_step(lsn, at_ms, order, stock)?;
            rules.with(|live| orders.apply(lsn, at_ms, &change, live))
        }
        other => inventory.apply(lsn, other),
    }
}

/// A saved file as it settles: an editor (or `fs::write`) truncates, then writes, and each step
/// is an event; a half-written file must not go live. Reads until two reads a moment apart
/// agree (this runs on the watcher's own thread, where waiting blocks nothing else).
fn read_settled(path: &Path) -> Result<String> {
    const SETTLE: Duration = Duration::from_millis(50);
    const ATTEMPTS: usize = 40;
    let read = || read_rules_file(path);
    let mut text = read()?;
    for _ in 0..ATTEMPTS {
        std::thread::sleep(SETTLE);
        let again = read()?;
        if again == text {
            return Ok(text);
        }
        text = again;
    }
    Ok(text)
}

/// Reads the rules file a caller named, whatever is at that path. Only a regular file is read:
/// it is opened with `O_NONBLOCK` (a FIFO opened for reading would otherwise wait for a writer
/// forever; the flag means nothing to a regular file) and looked at before a byte is read (a
/// device, FIFO, socket or directory is [`Error::Io`], like a missing file: something is wrong
/// with what is at the path). At most `RULES_BYTES_MAX + 1`
/// bytes are ever read, so a file that grows while it is read, or one that reports no size,
/// costs no more memory than the largest legal file; a larger file is [`Error::LimitExceeded`]
/// naming `RULES_BYTES_MAX`.
fn read_rules_file(path: &Path) -> Result<String> {
    use std::io::Read;
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| Error::io(path, "opening rules file", e))?;
    let metadata = file.metadata().map_err(|e| Error::io(path, "reading rules file", e))?;
    let kind = metadata.file_type();
    if !kind.is_file() {
        let what = if kind.is_dir() {
            "a directory"
        } else if kind.is_fifo() {
            "a FIFO"
        } else if kind.is_char_device() || kind.is_block_device() {
            "a device"
        } else if kind.is_socket() {
            "a socket"
        } else {
            "not a regular file"
        };
        let problem = format!("{what}, not a regular file (only a regular file is read)");
        return Err(Error::io(
            path,
            "reading rules file",
            std::io::Error::new(std::io::ErrorKind::InvalidInput, problem),
        ));
    }
    let too_large = |bytes: u64| Error::LimitExceeded {
        limit: "RULES_BYTES_MAX",
        what: format!("the size in bytes of the rules file {}", path.display()),
        max: RULES_BYTES_MAX as u64,
        actual: bytes,
    };
    if metadata.len() > RULES_BYTES_MAX as u64 {
        return Err(too_large(metadata.len()));
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    file.take(RULES_BYTES_MAX as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, "reading rules file", e))?;
    if bytes.len() > RULES_BYTES_MAX {
        return Err(too_large(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|error| {
        let detail = format!("not UTF-8 (bad byte at offset {})", error.utf8_error().valid_up_to());
        Error::io(path, "reading rules file", std::io::Error::new(std::io::ErrorKind::InvalidData, detail))
    })
}

/// A running watch of a rules file (see [`Engine::watch_rules`]); dropping it stops watching.
pub struct RulesWatch {
    /// `None` only while being dropped.
    watcher: Option<notify::RecommendedWatcher>,
    fork_generation: u64,
}

impl Drop for RulesWatch {
    fn drop(&mut self) {
        // In a forked child the watcher's thread does not exist and its wake-up descriptor is
        // the parent's: leave it be (see `keep_if_inherited`).
        if self.fork_generation != fork::current() {
            std::mem::forget(self.watcher.take());
        }
    }
}

/// The engine. Cheap to clone (a shared handle); share it between threads freely.
///
/// It belongs to the process that opened it. A child made by `fork()` (Python's
/// `multiprocessing` with the fork start method, say) inherits a copy that refuses every
/// call with [`Error::WrongProcess`] and changes nothing; its `close` does too, and dropping
/// it there lets nothing go (no flush, no unlock: a copy's memory is leaked on purpose). The
/// parent is unaffected. Start children with spawn (a new program), or open the engine in the
/// child; the latter is safe only in a child forked while the parent had no engine open, since
/// an open engine's worker thread makes the parent multi-threaded, and a child of a
/// multi-threaded process may not wait on a lock another of its threads may have held.
#[derive(Clone)]
pub struct Engine {
    pub(crate) shared: Arc<Shared>,
}

impl Drop for Engine {
    fn drop(&mut self) {
        keep_if_inherited(&self.shared);
    }
}

pub(crate) struct Shared {
    pub(crate) inventory: Inventory,
    pub(crate) orders: OrderBook,
    /// The live rules file (routing, limits, velocity, SLA deadlines and escalation tiers).
    pub(crate) rules: Snapshot<Rules>,
    rules_reload_error: Mutex<Option<String>>,
    pub(crate) log: Log,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) counters: Counters,
    pub(crate) default_ttl_ms: Option<u64>,
    settled_retention_ms: Option<u64>,
    closed: AtomicBool,
    dir: Option<PathBuf>,
    lock_file: Mutex<Option<DirectoryLock>>,
    recovery: RecoveryReport,
    checkpoint_every_bytes: u64,
    expiry_sweep: Duration,
    housekeeping: bool,
    /// Serialises checkpoints; holds the log byte count at the last one.
    checkpoint_state: Mutex<u64>,
    worker: Arc<WorkerSignal>,
    /// The process that opened the engine: its fork generation (compared on every call) and
    /// its id (for the message).
    fork_generation: u64,
    opened_by: u32,
}

/// Shared between the engine and its worker thread, which holds no strong reference to the
/// engine while it sleeps, so dropping the last handle really drops the engine.
#[derive(Default)]
struct WorkerSignal {
    state: Mutex<WorkerState>,
    wake: Condvar,
}

#[derive(Default)]
struct WorkerState {
    stop: bool,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl Engine {
    /// Opens (creating if needed) the data directory `path`: takes its lock, loads the standing
    /// checkpoint, replays the log after it, and cuts the log's end where recovery's judgment
    /// allows it (reported in [`Engine::recovery`]); damage anywhere else is `Corruption`.
    pub fn open(path: impl AsRef<Path>, options: EngineOptions) -> Result<Engine> {
        let started = Instant::now();
        options.validate()?;
        let dir = path.as_ref().to_path_buf();
        fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, "creating data directory", e))?;
        let lock_file = DirectoryLock::acquire(&dir)?;
        checkpoint::remove_temporaries(&dir)?;
        manifest::remove_temporary(&dir)?;
        let boot_id = options.faults.boot_id(manifest::current_boot_id());
        let recovered = Recovered::read(&dir, &options, boot_id)?;
        repair::apply(&dir, &recovered.replayed.plan)?;
        let mapped = MappedLog::open(
            &dir,
            &recovered.start,
            &recovered.replayed,
            options.segment_bytes,
            boot_id,
            options.faults.clone(),
        )?;
        let log = Log::from_mapped(mapped, options.sync);
        let report = recovered.report(log.last_lsn(), started);
        if let Some(torn) = &report.torn_tail {
            tracing::warn!(
                path = %torn.path.display(),
                offset = torn.offset,
                discarded_records = torn.discarded_records,
                reason = torn.reason,
                "cut the log's end"
            );
        }
        let Recovered { inventory, orders, rules, .. } = recovered;
        Ok(Engine::start(inventory, orders, rules, log, &options, Some(dir), Some(lock_file), report))
    }

    /// Opens the data directory `path` read-only: recovers its state in memory as [`Engine::open`]
    /// would, without taking its lock or changing a byte (it works on a read-only file system),
    /// and reports in [`Engine::recovery`] what an open would cut. Reads work as on any engine;
    /// every write, checkpoint and flush is [`Error::ReadOnly`]. Fails with `Locked` while an
    /// engine has the directory open.
    pub fn open_read_only(path: impl AsRef<Path>, options: EngineOptions) -> Result<Engine> {
        let started = Instant::now();
        options.validate()?;
        let dir = path.as_ref().to_path_buf();
        lock::refuse_if_locked(&dir)?;
        let boot_id = options.faults.boot_id(manifest::current_boot_id());
        let recovered = Recovered::read(&dir, &options, boot_id)?;
        let last_lsn = recovered.replayed.next_lsn - 1;
        let log = Log::read_only(&dir, recovered.replayed.spans.clone(), last_lsn);
        let report = recovered.report(last_lsn, started);
        let Recovered { inventory, orders, rules, .. } = recovered;
        // Nothing may write: no expiry sweeps, no timers, no checkpoints.
        let options = options.housekeeping(false).checkpoint_every_bytes(0);
        Ok(Engine::start(inventory, orders, rules, log, &options, Some(dir), None, report))
    }

    /// An engine that keeps everything in memory and writes nothing: for tests, examples and
    /// simulations where nothing needs to survive the process.
    pub fn open_in_memory(options: EngineOptions) -> Result<Engine> {
        options.validate()?;
        let inventory = Inventory::new(options.stripes, options.region_distance.clone());
        let log = Log::in_memory(options.sync);
        let rules = Snapshot::new(Rules::default());
        Ok(Engine::start(inventory, OrderBook::new(), rules, log, &options, None, None, RecoveryReport::default()))
    }

    #[allow(clippy::too_many_arguments)]
    fn start(
        inventory: Inventory,
        orders: OrderBook,
        rules: Snapshot<Rules>,
        log: Log,
        options: &EngineOptions,
        dir: Option<PathBuf>,
        lock_file: Option<DirectoryLock>,
        recovery: RecoveryReport,
    ) -> Engine {
        let bytes_now = log.stats().bytes_appended;
        let shared = Arc::new(Shared {
            inventory,
            orders,
            rules,
            rules_reload_error: Mutex::new(None),
            log,
            clock: options.clock.clone(),
            counters: Counters::new(),
            default_ttl_ms: options.default_ttl_ms,
            settled_retention_ms: options.settled_retention_ms,
            closed: AtomicBool::new(false),
            dir,
            lock_file: Mutex::new(lock_file),
            recovery,
            checkpoint_every_bytes: options.checkpoint_every_bytes,
            expiry_sweep: options.expiry_sweep,
            housekeeping: options.housekeeping,
            checkpoint_state: Mutex::new(bytes_now),
            worker: Arc::new(WorkerSignal::default()),
            fork_generation: fork::generation_at_open(),
            opened_by: std::process::id(),
        });
        spawn_worker(&shared);
        Engine { shared }
    }

    /// A client acting with `role`'s permissions. (Infallible: every call of the client makes
    /// the engine's checks. Use [`Engine::check_process`] to refuse earlier.)
    pub fn client(&self, role: Role) -> Client {
        Client::new(self.shared.clone(), role)
    }

    /// [`Error::WrongProcess`] in any process but the one that opened the engine (a child made
    /// by `fork()`). Every method that reads or changes the engine's state checks this first;
    /// this is for callers that make something of their own around the engine (a client
    /// handle, say) and want to refuse before they do.
    pub fn check_process(&self) -> Result<()> {
        self.shared.ensure_process()
    }

    /// The data directory, or `None` for an in-memory engine. (Like `sync_mode` and
    /// `recovery`: fixed at open, answered from the handle in any process.)
    pub fn path(&self) -> Option<&Path> {
        self.shared.dir.as_deref()
    }

    pub fn sync_mode(&self) -> SyncMode {
        self.shared.log.sync_mode()
    }

    pub fn recovery(&self) -> &RecoveryReport {
        &self.shared.recovery
    }

    /// The engine clock's time, in ms since the Unix epoch.
    pub fn now_ms(&self) -> Result<u64> {
        self.shared.ensure_process()?;
        Ok(self.shared.clock.now_ms())
    }

    /// The LSN of the last record appended to the log.
    pub fn last_lsn(&self) -> Result<Lsn> {
        self.shared.ensure_process()?;
        Ok(self.shared.log.last_lsn())
    }

    /// The LSN up to which the log is known to be on stable storage.
    pub fn durable_lsn(&self) -> Result<Lsn> {
        self.shared.ensure_process()?;
        Ok(self.shared.log.durable_lsn())
    }

    /// Writes a checkpoint now and removes the log segments it covers.
    pub fn checkpoint(&self) -> Result<CheckpointReport> {
        self.shared.ensure_open()?;
        self.shared.checkpoint()
    }

    /// Makes everything appended so far durable now, whatever the sync mode (what `Always`
    /// does for each write); returns the durable LSN. Event subscribers see only durable
    /// records, so a caller that wants to read its own latest changes as events flushes first.
    pub fn flush(&self) -> Result<Lsn> {
        self.shared.ensure_open()?;
        self.shared.log.flush()
    }

    /// Expires every reservation whose TTL has passed; returns how many expired.
    pub fn expire_due(&self) -> Result<usize> {
        self.shared.ensure_open()?;
        self.shared.expire_due()
    }

    /// Moves a manual clock forward and expires what came due. An error for a real clock.
    pub fn advance_time(&self, by: Duration) -> Result<usize> {
        self.shared.ensure_open()?;
        let delta_ms = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        if self.shared.clock.advance_ms(delta_ms).is_none() {
            return Err(Error::invalid("advance_time needs an engine opened with a manual clock"));
        }
        let expired = self.shared.expire_due()?;
        self.shared.run_timers()?;
        Ok(expired)
    }

    /// Fires the SLA escalations that came due by the engine's clock; returns how many fired.
    /// (With a real clock the worker does this every `expiry_sweep`; `advance_time` does it for
    /// a manual clock.)
    pub fn run_timers(&self) -> Result<usize> {
        self.shared.ensure_open()?;
        self.shared.run_timers()
    }

    /// Reads a rules file and makes it live (see [`Client::set_rules`]); `by` names who. Only a
    /// regular file of at most `RULES_BYTES_MAX` bytes is read: anything else at `path` (a FIFO,
    /// a device such as `/dev/zero`, a directory) is refused at once, and a larger file is
    /// [`Error::LimitExceeded`] after at most one byte more than the limit was read.
    pub fn reload_rules(&self, path: impl AsRef<Path>, by: &str) -> Result<()> {
        self.shared.ensure_open()?;
        check_rules_author(by)?;
        let path = path.as_ref();
        let text = read_rules_file(path)?;
        self.shared.set_rules(&text, by)
    }

    /// Watches a rules file: every time it is saved, it is reloaded (`by` is recorded as who
    /// changed it). A save with problems keeps the previous rules live; the problems are in
    /// [`Engine::rules_reload_error`]. Watching stops when the returned handle is dropped.
    pub fn watch_rules(&self, path: impl AsRef<Path>, by: &str) -> Result<RulesWatch> {
        use notify::Watcher;
        self.shared.ensure_open()?;
        self.shared.log.check_writable()?;
        check_rules_author(by)?;
        let path = path.as_ref().to_path_buf();
        let name =
            path.file_name().map(|n| n.to_os_string()).ok_or_else(|| Error::invalid("the rules path names no file"))?;
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf();
        let weak = Arc::downgrade(&self.shared);
        let by = by.to_string();
        let file = path.clone();
        let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            let Ok(event) = event else { return };
            // Editors save by writing in place or by renaming a new file over the old one:
            // watch the directory, and react to anything that touches the file's name.
            let touches = event.paths.iter().any(|p| p.file_name() == Some(name.as_os_str()));
            if !touches || event.kind.is_access() {
                return;
            }
            let Some(shared) = weak.upgrade() else { return };
            let outcome = read_settled(&file).and_then(|text| {
                if shared.rules.with(|r| r.source() == text) { Ok(()) } else { shared.set_rules(&text, &by) }
            });
            *shared.rules_reload_error.lock() = outcome.err().map(|error| error.to_string());
        })
        .map_err(|e| Error::io(&path, "watching rules file", std::io::Error::other(e)))?;
        watcher
            .watch(&dir, notify::RecursiveMode::NonRecursive)
            .map_err(|e| Error::io(&dir, "watching rules directory", std::io::Error::other(e)))?;
        Ok(RulesWatch { watcher: Some(watcher), fork_generation: self.shared.fork_generation })
    }

    /// Why the last automatic reload of a watched rules file failed, if it did.
    pub fn rules_reload_error(&self) -> Result<Option<String>> {
        self.shared.ensure_process()?;
        Ok(self.shared.rules_reload_error.lock().clone())
    }

    /// Checks every stock and reservation invariant over the whole state.
    pub fn check_invariants(&self) -> Result<InvariantReport> {
        self.shared.ensure_process()?;
        let mut report = self.shared.inventory.check_invariants().map_err(Error::internal)?;
        report.orders = self.shared.orders.check_stock(&self.shared.inventory).map_err(Error::internal)?;
        Ok(report)
    }

    pub fn metrics(&self) -> Result<Metrics> {
        self.shared.ensure_process()?;
        let shared = &self.shared;
        let counts = shared.inventory.counts();
        let log = shared.log.stats();
        let mut permission_denied = Vec::new();
        for role in Role::ALL {
            for operation in Operation::ALL {
                let count = shared.counters.denied(role, operation);
                if count > 0 {
                    permission_denied.push((role, operation, count));
                }
            }
        }
        Ok(Metrics {
            skus: counts.skus,
            warehouses: counts.warehouses,
            reservations_made: counts.reservations_made,
            reservations_held: counts.held,
            reservations_committed: counts.committed,
            reservations_released: counts.released,
            reservations_expired: counts.expired,
            reserves_refused: Counters::get(&shared.counters.reserves_refused),
            reserve_repeats: Counters::get(&shared.counters.reserve_repeats),
            duplicate_orders: Counters::get(&shared.counters.duplicate_orders),
            permission_denied_total: permission_denied.iter().map(|(_, _, n)| n).sum(),
            permission_denied,
            log_last_lsn: shared.log.last_lsn(),
            log_durable_lsn: shared.log.durable_lsn(),
            log_records_appended: log.records_appended,
            log_bytes_appended: log.bytes_appended,
            log_flushes: shared.log.flushes(),
            log_segments: log.segments,
            checkpoints: Counters::get(&shared.counters.checkpoints),
            orders_by_state: shared.orders.counts_by_state(),
            orders_zero_touch: shared.orders.zero_touch(),
            open_tasks_by_severity: shared.orders.open_tasks_by_severity(),
        })
    }

    /// Stops the worker, makes the log durable and releases the directory lock. Every later
    /// call through this engine or its clients returns [`Error::Closed`]. In a forked child it
    /// returns [`Error::WrongProcess`] and does none of it: the worker, the log and the lock
    /// are the parent's.
    pub fn close(&self) -> Result<()> {
        self.shared.ensure_process()?;
        if self.shared.closed.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        stop_worker(&self.shared);
        // A checkpoint another thread started goes on removing files and writing the manifest:
        // wait for it (later ones see `closed` and do nothing), so that nothing of this engine
        // touches the directory once it is unlocked.
        let checkpoints = self.shared.checkpoint_state.lock();
        // Calls already past their permission check may still be running: from here they
        // cannot append (they get `Closed`, having changed nothing), and everything appended
        // before is in the final flush, so nothing acknowledged is lost when the directory is
        // unlocked. A poisoned log cannot be flushed: say so (the directory still unlocks).
        let closed = self.shared.log.close_durably();
        self.shared.lock_file.lock().take();
        drop(checkpoints);
        closed
    }
}

impl Shared {
    /// Runs a pipeline call with its context (inventory, log, the time now) and the live rules.
    pub(crate) fn with_pipeline<T>(&self, call: impl FnOnce(&Context<'_>, &Rules) -> Result<T>) -> Result<T> {
        let cx = Context { inventory: &self.inventory, log: &self.log, now_ms: self.clock.now_ms() };
        self.rules.with(|rules| call(&cx, rules))
    }

    /// Logs and installs new rules (timers are rescheduled: deadlines may have changed).
    pub(crate) fn set_rules(&self, text: &str, by: &str) -> Result<()> {
        let rules = routing::parse(text).map_err(|errors| routing::rules_error(&errors))?;
        let lsn = {
            let _rules_lock = self.orders.lock(RULES_LOCK_KEY);
            let lsn = self.with_pipeline(|cx, live| self.orders.log_rules(cx, live, text, by))?;
            self.rules.store(Arc::new(rules));
            lsn
        };
        self.rules.with(|rules| self.orders.reschedule_all(rules));
        self.log.wait_durable(lsn)
    }

    /// Fires the SLA escalations that came due; returns how many fired.
    pub(crate) fn run_timers(&self) -> Result<usize> {
        let fired = self.with_pipeline(|cx, rules| self.orders.run_timers(cx, rules, usize::MAX))?;
        if fired > 0 {
            self.log.wait_durable(self.log.last_lsn())?;
        }
        Ok(fired)
    }

    /// The check every call makes first: the engine's own process (see `log::fork`), then
    /// not closed.
    #[inline]
    pub(crate) fn ensure_open(&self) -> Result<()> {
        self.ensure_process()?;
        if self.closed.load(Ordering::Acquire) { Err(Error::Closed) } else { Ok(()) }
    }

    /// `Err(WrongProcess)` unless this is the process that opened the engine.
    #[inline]
    pub(crate) fn ensure_process(&self) -> Result<()> {
        if self.in_own_process() { Ok(()) } else { Err(self.wrong_process()) }
    }

    #[inline]
    fn in_own_process(&self) -> bool {
        self.fork_generation == fork::current()
    }

    #[cold]
    fn wrong_process(&self) -> Error {
        Error::WrongProcess { opened_by: self.opened_by, caller: std::process::id() }
    }

    fn expire_due(&self) -> Result<usize> {
        let now = self.clock.now_ms();
        let (expired, last_lsn) = self.inventory.expire_due(&self.log, now)?;
        if expired > 0 {
            self.log.wait_durable(last_lsn)?;
        }
        Ok(expired)
    }

    fn checkpoint(&self) -> Result<CheckpointReport> {
        let started = Instant::now();
        self.log.check_writable()?;
        let mut bytes_at_last = self.checkpoint_state.lock();
        // `close` takes this lock before it unlocks the directory: a checkpoint that waited for
        // it behind a close must not go on to change a directory another engine may own now.
        if self.closed.load(Ordering::Acquire) {
            return Err(Error::Closed);
        }
        let (Some(dir), Some(mapped)) = (&self.dir, self.log.mapped()) else {
            return Ok(CheckpointReport {
                lsn: self.log.last_lsn(),
                path: None,
                bytes: 0,
                segments_removed: 0,
                pause: Duration::ZERO,
                duration: started.elapsed(),
            });
        };
        // Start a new segment first, so that every older one is wholly covered by this
        // checkpoint and can be removed after it.
        mapped.prepare_spare()?;
        mapped.roll_over_now()?;
        let forget_before = self.settled_retention_ms.map(|keep| self.clock.now_ms().saturating_sub(keep));
        // Order locks first (the lock order of every pipeline call): while they are held no
        // pipeline record is appended, so the book copied here is the book at the LSN below.
        let order_locks = self.orders.lock_all();
        let orders = self.orders.image(forget_before);
        let (lsn, inventory, pause) = self.inventory.snapshot(&self.log, forget_before);
        drop(order_locks);
        let image = EngineImage { inventory, orders, rules: self.rules.with(|rules| rules.source().to_string()) };
        // The checkpoint may only stand in for log records that are themselves durable.
        self.log.flush()?;
        let payload = postcard::to_stdvec(&image).map_err(|e| Error::internal(format!("encoding checkpoint: {e}")))?;
        drop(image);
        let (path, bytes) = checkpoint::write(dir, lsn, mapped.log_id(), &payload)?;
        // The manifest names the new checkpoint before anything it covers is removed.
        let segments_removed = mapped.start_after_checkpoint(lsn)?;
        for (older, older_path) in checkpoint::list(dir)? {
            if older < lsn {
                fs::remove_file(&older_path).map_err(|e| Error::io(&older_path, "removing an old checkpoint", e))?;
            }
        }
        *bytes_at_last = self.log.stats().bytes_appended;
        Counters::bump(&self.counters.checkpoints);
        Ok(CheckpointReport { lsn, path: Some(path), bytes, segments_removed, pause, duration: started.elapsed() })
    }

    /// One round of background work; returns when the next round is due.
    fn background_round(&self, rounds: &mut WorkerClocks) {
        let WorkerClocks { last_flush, last_sweep, last_durable_record } = rounds;
        if let SyncMode::Interval(every) = self.log.sync_mode()
            && last_flush.elapsed() >= every
            && !self.log.is_poisoned()
        {
            if let Err(error) = self.log.flush() {
                tracing::error!(%error, "interval flush failed; the engine now refuses writes");
            }
            *last_flush = Instant::now();
        }
        if let Some(mapped) = self.log.mapped() {
            // Whatever the sync mode, rolled-over segments are synced and let go before too
            // many pile up (each holds a file and a mapping until then).
            if mapped.sealed_unsynced() > SEALED_SEGMENTS_MAX
                && !self.log.is_poisoned()
                && let Err(error) = self.log.flush()
            {
                tracing::error!(%error, "flushing rolled-over segments failed; the engine now refuses writes");
            }
            // The durable point goes into the manifest too, for when no frame follows a flush.
            if last_durable_record.elapsed() >= DURABLE_RECORD_INTERVAL {
                if let Err(error) = self.log.record_durable() {
                    tracing::warn!(%error, "could not record the durable LSN in the manifest");
                }
                *last_durable_record = Instant::now();
            }
            if mapped.wants_spare()
                && let Err(error) = mapped.prepare_spare()
            {
                tracing::warn!(%error, "could not preallocate the next log segment");
            }
            let due = self.checkpoint_every_bytes > 0
                && self.log.stats().bytes_appended.saturating_sub(*self.checkpoint_state.lock())
                    >= self.checkpoint_every_bytes;
            if due
                && !self.log.is_poisoned()
                && let Err(error) = self.checkpoint()
            {
                tracing::warn!(%error, "automatic checkpoint failed");
            }
        }
        if self.housekeeping
            && !self.clock.is_manual()
            && last_sweep.elapsed() >= self.expiry_sweep
            && !self.log.is_poisoned()
        {
            if let Err(error) = self.expire_due().and_then(|_| self.run_timers()) {
                tracing::warn!(%error, "expiry and SLA sweep failed");
            }
            *last_sweep = Instant::now();
        }
    }

    fn worker_tick(&self) -> Duration {
        let mut tick = Duration::from_millis(10);
        if let SyncMode::Interval(every) = self.log.sync_mode() {
            tick = tick.min(every);
        }
        tick
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        // Handles never let the last reference go in another process (`keep_if_inherited`);
        // should one ever, the worker, the log and the lock are still the parent's to touch.
        if !self.in_own_process() {
            return;
        }
        // An engine dropped without `close`: stop the worker and make what was written durable.
        if !self.closed.load(Ordering::Acquire) {
            stop_worker(self);
            if !self.log.is_poisoned() {
                // No other handle exists: nothing is being appended, so this is a clean close.
                let _ = self.log.close_durably();
            }
        }
    }
}

/// Called when a handle (an `Engine` or a `Client`) is dropped. In a forked child the engine's
/// state is a copy whose worker thread does not exist and whose log mapping and lock are the
/// parent's, so it must never be torn down there (no flush, no join, no unlock):
/// the handle's reference is kept, so the state is never dropped in that process. The copy's
/// memory leaks until the child exits, which is the price of a misuse the child was told of.
pub(crate) fn keep_if_inherited(shared: &Arc<Shared>) {
    if !shared.in_own_process() {
        std::mem::forget(Arc::clone(shared));
    }
}

#[cfg(not(loom))]
fn spawn_worker(shared: &Arc<Shared>) {
    let needs_worker = shared.log.mapped().is_some() || !shared.clock.is_manual();
    if !needs_worker {
        return;
    }
    let weak: Weak<Shared> = Arc::downgrade(shared);
    let signal = shared.worker.clone();
    let tick = shared.worker_tick();
    let handle = std::thread::Builder::new()
        .name("allot-worker".into())
        .spawn(move || worker_loop(weak, &signal, tick))
        .expect("spawning the engine's worker thread");
    shared.worker.state.lock().handle = Some(handle);
}

#[cfg(loom)]
fn spawn_worker(_shared: &Arc<Shared>) {
    // Loom models drive expiry and flushing themselves; loom cannot model a free-running thread.
}

/// When the worker last did each kind of periodic work.
struct WorkerClocks {
    last_flush: Instant,
    last_sweep: Instant,
    last_durable_record: Instant,
}

thread_local! {
    /// Set on engine worker threads.
    static IS_WORKER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

#[cfg(not(loom))]
fn worker_loop(weak: Weak<Shared>, signal: &WorkerSignal, tick: Duration) {
    IS_WORKER.set(true);
    let mut clocks =
        WorkerClocks { last_flush: Instant::now(), last_sweep: Instant::now(), last_durable_record: Instant::now() };
    loop {
        {
            let mut state = signal.state.lock();
            if state.stop {
                return;
            }
            signal.wake.wait_for(&mut state, tick);
            if state.stop {
                return;
            }
        }
        let Some(shared) = weak.upgrade() else { return };
        shared.background_round(&mut clocks);
    }
}

fn stop_worker(shared: &Shared) {
    let handle = {
        let mut state = shared.worker.state.lock();
        state.stop = true;
        state.handle.take()
    };
    shared.worker.wake.notify_all();
    // The worker may be the one dropping the engine; it must not wait for itself. (A flag
    // rather than `thread::current()`, which allocates a handle on threads Rust did not start.)
    if let Some(handle) = handle
        && !IS_WORKER.get()
    {
        let _ = handle.join();
    }
}

/// Who changed the rules is recorded like any actor: an identifier (see `validate`).
fn check_rules_author(by: &str) -> Result<()> {
    crate::validate::check(crate::validate::RULES_AUTHOR, by)
}
