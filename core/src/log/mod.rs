//! The write-ahead log: every state change is a record here before anyone is told it happened.
//!
//! Records are appended to memory-mapped, preallocated segment files (`writer`, `segment`) in
//! frames with a length, CRC32C and LSN (`frame`); the payload is a postcard-encoded
//! [`Record`]; an end mark closes the written part of every segment. [`SyncMode`] says when an
//! append counts as durable; in `Always` mode concurrent writers share flushes (`group_commit`).
//! Checkpoints (`checkpoint`) hold the whole state at one LSN; the `manifest` records what the
//! files cannot prove themselves (how the writer stopped, what was durable, where the log
//! starts). Recovery (`recovery`) scans what follows the checkpoint (`scan`), decides where the
//! log ends (`judge`), and only a real open repairs (`repair`).
//!
//! An engine without a directory uses a memory-only log: the same LSNs and the same group
//! commit protocol, with nothing written. The loom models run on it.

pub(crate) mod checkpoint;
pub(crate) mod events;
pub(crate) mod fork;
pub(crate) mod frame;
pub(crate) mod group_commit;
pub(crate) mod judge;
pub(crate) mod lock;
pub(crate) mod manifest;
pub mod record;
pub(crate) mod recovery;
pub(crate) mod repair;
pub(crate) mod scan;
pub(crate) mod segment;
pub(crate) mod writer;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::ids::Lsn;
use crate::sync::Mutex;
use crate::sync::atomic::{AtomicBool, Ordering};

pub use self::events::Event;
pub use self::record::{Movement, Record, Settlement, StockStep};
pub use self::recovery::{Shutdown, TornTail};
pub use self::writer::LogStats;

use self::events::{RecentRecords, SegmentReader};
use self::group_commit::GroupCommit;
use self::recovery::SegmentSpan;
use self::writer::MappedLog;

/// When a write is acknowledged, named by what it promises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncMode {
    /// Acknowledged after its record is on stable storage. Concurrent writers share one flush
    /// (group commit), so the cost of a sync is spread over everyone waiting for it.
    Always,
    /// Acknowledged at once; a background flush every `interval` bounds what a power cut can
    /// lose. A process crash loses nothing: the records are already in the page cache.
    Interval(Duration),
    /// Acknowledged at once; the operating system writes back when it likes (and checkpoints and
    /// close flush). For tests and load generation.
    None,
}

impl SyncMode {
    /// Parses `always`, `none`, `interval` (100 ms) or `interval:<ms>`.
    pub fn parse(text: &str) -> Option<SyncMode> {
        match text {
            "always" => Some(SyncMode::Always),
            "none" => Some(SyncMode::None),
            "interval" => Some(SyncMode::Interval(Duration::from_millis(100))),
            _ => {
                let ms: u64 = text.strip_prefix("interval:")?.parse().ok()?;
                (ms > 0).then(|| SyncMode::Interval(Duration::from_millis(ms)))
            }
        }
    }
}

/// What [`read_records`] saw.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogSummary {
    pub first_lsn: Lsn,
    pub last_lsn: Lsn,
    pub records: u64,
    /// How the last writer stopped.
    pub shutdown: Shutdown,
    /// What recovery would cut if the directory were opened now.
    pub torn_tail: Option<TornTail>,
}

/// Reads every record still in the log of a data directory, oldest first, and judges its end
/// as an open would, without changing anything: no lock is taken and nothing is written, so it
/// works on a read-only file system. Fails with `Locked` while an engine has the directory
/// open (its log is still growing), and with `Corruption` where an open would.
pub fn read_records(dir: &Path, visit: impl FnMut(Lsn, &Record<'_>)) -> Result<LogSummary> {
    look(dir, visit).map(|(_, _, summary)| summary)
}

/// The files of a data directory's log, as [`describe`] lists them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogFiles {
    /// Live segments, oldest first.
    pub segments: Vec<SegmentFile>,
    /// Preallocated segments not yet in use.
    pub spare_segments: usize,
    /// The checkpoint recovery starts from: LSN, path, size in bytes.
    pub checkpoint: Option<(Lsn, PathBuf, u64)>,
    /// Files an open would remove: segments a checkpoint covers, checkpoints no longer needed,
    /// segments after a cut.
    pub leftovers: Vec<PathBuf>,
    /// The highest LSN recovery can prove was durable.
    pub durable_lsn: Lsn,
    /// The records the log holds and how it ends, as [`read_records`] finds them.
    pub summary: LogSummary,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentFile {
    pub seq: u64,
    pub first_lsn: Lsn,
    pub path: PathBuf,
    pub bytes: u64,
}

/// Lists the segment and checkpoint files of a data directory and what its log holds, without
/// changing anything (as [`read_records`]: no lock, no write; `Locked` while an engine has it
/// open).
pub fn describe(dir: &Path) -> Result<LogFiles> {
    let (start, replayed, summary) = look(dir, |_, _| {})?;
    let size = |path: &Path| std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let segments = replayed
        .spans
        .iter()
        .map(|span| SegmentFile {
            seq: span.seq,
            first_lsn: span.first_lsn,
            path: span.path.clone(),
            bytes: size(&span.path),
        })
        .collect();
    let checkpoint = start.checkpoint.map(|(lsn, path)| {
        let bytes = size(&path);
        (lsn, path, bytes)
    });
    let mut leftovers = replayed.plan.leftovers;
    leftovers.extend(replayed.plan.after_cut);
    Ok(LogFiles {
        segments,
        spare_segments: replayed.unused.len(),
        checkpoint,
        leftovers,
        durable_lsn: replayed.durable_lsn,
        summary,
    })
}

/// The read-only recovery both inspection functions make: every record still in the log to
/// `visit`, and what an open would decide.
fn look(
    dir: &Path,
    mut visit: impl FnMut(Lsn, &Record<'_>),
) -> Result<(recovery::StartingPoint, recovery::Replayed, LogSummary)> {
    lock::refuse_if_locked(dir)?;
    let start = recovery::starting_point(dir, manifest::current_boot_id())?;
    let mut summary = LogSummary { shutdown: start.shutdown, ..LogSummary::default() };
    let replayed = recovery::replay(dir, &start, 0, |lsn, record| {
        if summary.records == 0 {
            summary.first_lsn = lsn;
        }
        summary.records += 1;
        visit(lsn, &record);
        Ok(())
    })?;
    summary.last_lsn = replayed.next_lsn - 1;
    summary.torn_tail = replayed.torn_tail.clone();
    Ok((start, replayed, summary))
}

// One per engine, and the mapped variant is on every append's path: not worth a box.
#[allow(clippy::large_enum_variant)]
enum Backend {
    Memory(Mutex<MemoryTail>),
    Mapped {
        log: MappedLog,
        reader: Mutex<SegmentReader>,
    },
    /// A directory opened read-only: what recovery found, and nothing can be appended.
    ReadOnly {
        dir: PathBuf,
        spans: Vec<SegmentSpan>,
        last_lsn: Lsn,
        reader: Mutex<SegmentReader>,
    },
}

/// The memory-only log: LSNs, the closed flag, and recent records for subscribers.
#[derive(Default)]
struct MemoryTail {
    last_lsn: Lsn,
    closed: bool,
    recent: RecentRecords,
}

pub(crate) struct Log {
    backend: Backend,
    sync: SyncMode,
    group: GroupCommit,
    /// Set when a flush failed: appends are refused until the engine is reopened.
    poisoned: AtomicBool,
}

impl Log {
    pub(crate) fn in_memory(sync: SyncMode) -> Log {
        Log {
            backend: Backend::Memory(Mutex::new(MemoryTail::default())),
            sync,
            group: GroupCommit::new(0),
            poisoned: AtomicBool::new(false),
        }
    }

    pub(crate) fn from_mapped(mapped: MappedLog, sync: SyncMode) -> Log {
        let durable = mapped.last_lsn();
        Log {
            backend: Backend::Mapped { log: mapped, reader: Mutex::new(SegmentReader::default()) },
            sync,
            group: GroupCommit::new(durable),
            poisoned: AtomicBool::new(false),
        }
    }

    /// The log of a directory opened read-only, as recovery found it (`last_lsn`, the live
    /// segments). Every append is refused with `ReadOnly`.
    pub(crate) fn read_only(dir: &Path, spans: Vec<SegmentSpan>, last_lsn: Lsn) -> Log {
        Log {
            backend: Backend::ReadOnly {
                dir: dir.to_path_buf(),
                spans,
                last_lsn,
                reader: Mutex::new(SegmentReader::default()),
            },
            sync: SyncMode::None,
            group: GroupCommit::new(last_lsn),
            poisoned: AtomicBool::new(false),
        }
    }

    pub(crate) fn sync_mode(&self) -> SyncMode {
        self.sync
    }

    /// Appends a record and returns its LSN. Called with the stripes of the change held, so LSN
    /// order is the order in which changes to the same SKU happened.
    pub(crate) fn append(&self, record: &Record<'_>) -> Result<Lsn> {
        self.check_writable()?;
        match &self.backend {
            Backend::Memory(tail) => {
                let mut tail = tail.lock();
                if tail.closed {
                    return Err(Error::Closed);
                }
                tail.last_lsn += 1;
                let lsn = tail.last_lsn;
                tail.recent.push(lsn, record);
                Ok(lsn)
            }
            Backend::Mapped { log, .. } => log.append(record, self.group.durable_lsn()),
            Backend::ReadOnly { .. } => unreachable!("check_writable refused the append"),
        }
    }

    /// Returns when `lsn` is as durable as the sync mode promises. Called after the stripes are
    /// released (early lock release); the flush is always a prefix of the log.
    pub(crate) fn wait_durable(&self, lsn: Lsn) -> Result<()> {
        match self.sync {
            SyncMode::Always => self.group.wait_durable(lsn, || self.flush_appended()),
            SyncMode::Interval(_) | SyncMode::None => {
                if self.poisoned.load(Ordering::Acquire) {
                    Err(self.poison_error())
                } else {
                    Ok(())
                }
            }
        }
    }

    /// Flushes everything appended so far, whatever the sync mode; returns the durable LSN.
    pub(crate) fn flush(&self) -> Result<Lsn> {
        self.check_writable()?;
        self.group.flush_now(|| self.flush_appended()).inspect_err(|_| self.poisoned.store(true, Ordering::Release))
    }

    fn flush_appended(&self) -> std::result::Result<Lsn, String> {
        let result = match &self.backend {
            Backend::Memory(tail) => Ok(tail.lock().last_lsn),
            Backend::Mapped { log, .. } => log.flush(),
            Backend::ReadOnly { last_lsn, .. } => Ok(*last_lsn),
        };
        if result.is_err() {
            self.poisoned.store(true, Ordering::Release);
        }
        result
    }

    fn poison_error(&self) -> Error {
        Error::Poisoned { cause: self.group.failure().unwrap_or_else(|| "an earlier log sync failed".into()) }
    }

    /// Refuses every later append. In-flight calls that already appended keep their records;
    /// the caller flushes after this to make them durable.
    pub(crate) fn close(&self) {
        match &self.backend {
            Backend::Memory(tail) => tail.lock().closed = true,
            Backend::Mapped { log, .. } => log.close(),
            Backend::ReadOnly { .. } => {}
        }
    }

    /// Closes the log for good: refuses every later append, flushes what was appended, and
    /// records the clean close in the manifest, so that recovery knows exactly where the log
    /// ends. A poisoned log is not flushed (what reached the disk is unknown) and not marked.
    pub(crate) fn close_durably(&self) -> Result<()> {
        self.close();
        match &self.backend {
            Backend::Mapped { log, .. } => log.record_close(self.flush()?),
            Backend::Memory(_) => self.flush().map(drop),
            Backend::ReadOnly { .. } => Ok(()),
        }
    }

    /// Writes the durable LSN into the manifest if it moved (the worker's periodic record).
    pub(crate) fn record_durable(&self) -> Result<()> {
        match &self.backend {
            Backend::Mapped { log, .. } if !self.is_poisoned() => log.record_durable(self.durable_lsn()),
            _ => Ok(()),
        }
    }

    /// Whether anything may be written: `Err(ReadOnly)` for a directory opened read-only,
    /// `Err(Poisoned)` once a flush has failed.
    pub(crate) fn check_writable(&self) -> Result<()> {
        if let Backend::ReadOnly { dir, .. } = &self.backend {
            return Err(Error::ReadOnly { path: dir.clone() });
        }
        if self.is_poisoned() { Err(self.poison_error()) } else { Ok(()) }
    }

    pub(crate) fn is_poisoned(&self) -> bool {
        self.poisoned.load(Ordering::Acquire)
    }

    pub(crate) fn last_lsn(&self) -> Lsn {
        match &self.backend {
            Backend::Memory(tail) => tail.lock().last_lsn,
            Backend::Mapped { log, .. } => log.last_lsn(),
            Backend::ReadOnly { last_lsn, .. } => *last_lsn,
        }
    }

    pub(crate) fn durable_lsn(&self) -> Lsn {
        self.group.durable_lsn()
    }

    pub(crate) fn flushes(&self) -> u64 {
        self.group.flushes()
    }

    pub(crate) fn mapped(&self) -> Option<&MappedLog> {
        match &self.backend {
            Backend::Mapped { log, .. } => Some(log),
            Backend::Memory(_) | Backend::ReadOnly { .. } => None,
        }
    }

    /// Events after `after`, at most `max`, as far as the sync mode lets them be seen (see
    /// `events`).
    pub(crate) fn events(&self, after: Lsn, max: usize) -> Result<Vec<Event>> {
        let visible = match self.sync {
            SyncMode::None => self.last_lsn(),
            SyncMode::Always | SyncMode::Interval(_) => self.durable_lsn(),
        };
        match &self.backend {
            Backend::Memory(tail) => {
                let tail = tail.lock();
                let upto = (visible.saturating_sub(after)).min(max as u64) as usize;
                tail.recent.read(after, upto)
            }
            Backend::Mapped { log, reader } => {
                let spans = log.spans();
                reader.lock().read(&spans, after, visible, max, |seq, path| events::open_for_events(log, seq, path))
            }
            Backend::ReadOnly { spans, reader, .. } => {
                reader.lock().read(spans, after, visible, max, |_, path| events::read_for_events(path))
            }
        }
    }

    pub(crate) fn stats(&self) -> LogStats {
        match &self.backend {
            Backend::Memory(tail) => {
                LogStats { records_appended: tail.lock().last_lsn, bytes_appended: 0, segments: 0 }
            }
            Backend::Mapped { log, .. } => log.stats(),
            Backend::ReadOnly { spans, .. } => {
                LogStats { records_appended: 0, bytes_appended: 0, segments: spans.len() as u64 }
            }
        }
    }
}
