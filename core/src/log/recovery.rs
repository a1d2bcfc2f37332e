//! Recovery as a decision, then a repair: where to start, what the log holds, whether its end
//! is whole, torn, or damaged.
//!
//! 1. [`starting_point`] reads the manifest (how the writer stopped, where the log starts,
//!    which checkpoint stands) and checks every checkpoint file against it.
//! 2. [`replay`] scans the log after the checkpoint (`scan`: reads only), hands every record to
//!    the caller, and describes where it stops; `judge` turns that into exactly one verdict:
//!    the log ends there, or it is cut there (reported in [`TornTail`]), or it is corrupt
//!    ([`Error::Corruption`] naming the file and offset). Nothing is skipped silently.
//! 3. Only a real open then runs the plan (`repair`). `verify`, `inspect` and read-only opens
//!    stop after step 2 and report what an open would cut.
//!
//! What a sync mode promises, and so what recovery may cut, is in ARCHITECTURE.md ("What
//! survives a crash").

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::ids::Lsn;
use crate::log::checkpoint;
use crate::log::judge::{Stopped, Verdict, judge};
use crate::log::manifest::{self, BootId, Manifest};
use crate::log::record::Record;
use crate::log::repair::{Cut, RepairPlan};
pub(crate) use crate::log::scan::SegmentSpan;
use crate::log::scan::{ScanInput, scan};

/// A log cut during recovery (or, from a read-only look, that an open would cut).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TornTail {
    /// The segment that was cut.
    pub path: PathBuf,
    /// Where the cut was made: the end of the last valid record.
    pub offset: u64,
    /// Bytes after the cut that were not a valid record (zeroed by the repair).
    pub damaged_bytes: u64,
    /// Valid-looking records after the cut that were never durable and were discarded.
    pub discarded_records: u64,
    /// Why the first bytes after the cut were not a record.
    pub reason: &'static str,
}

/// How the last writer of a data directory stopped, as recovery found it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Shutdown {
    /// A fresh directory: nothing was written before.
    #[default]
    Fresh,
    /// The engine was closed: the log ends exactly where the close left it.
    Clean,
    /// The process died during this boot: every byte it wrote was still readable, so only the
    /// append it was in the middle of could be cut.
    ProcessCrash,
    /// The machine restarted since (or the log cannot tell: it was written before manifests, or
    /// the system has no boot id): writes that no flush had covered may be lost.
    MachineRestart,
}

impl Shutdown {
    pub fn name(self) -> &'static str {
        match self {
            Shutdown::Fresh => "fresh",
            Shutdown::Clean => "clean",
            Shutdown::ProcessCrash => "process_crash",
            Shutdown::MachineRestart => "machine_restart",
        }
    }
}

/// Where appending resumes.
#[derive(Clone, Debug)]
pub(crate) struct ResumePoint {
    pub(crate) seq: u64,
    pub(crate) path: PathBuf,
    pub(crate) offset: usize,
}

/// What recovery starts from: the manifest and the standing checkpoint.
#[derive(Clone, Debug)]
pub(crate) struct StartingPoint {
    pub(crate) manifest: Option<Manifest>,
    pub(crate) shutdown: Shutdown,
    /// The checkpoint to load: its LSN and file.
    pub(crate) checkpoint: Option<(Lsn, PathBuf)>,
    /// Checkpoint files to remove: older ones, and newer ones a crash kept the manifest from
    /// naming (whole, or the open would have failed).
    pub(crate) leftover_checkpoints: Vec<PathBuf>,
}

impl StartingPoint {
    pub(crate) fn checkpoint_lsn(&self) -> Lsn {
        self.checkpoint.as_ref().map_or(0, |(lsn, _)| *lsn)
    }

    pub(crate) fn log_id(&self) -> Option<u64> {
        self.manifest.map(|m| m.log_id)
    }

    fn stopped(&self) -> Stopped {
        match self.shutdown {
            Shutdown::Clean => Stopped::Cleanly,
            Shutdown::ProcessCrash => Stopped::ProcessCrash,
            Shutdown::Fresh | Shutdown::MachineRestart => Stopped::PowerLoss,
        }
    }
}

/// Reads the manifest and chooses the checkpoint: the one the manifest names (which must be
/// there and whole); without a manifest (a log from before manifests), the newest. A checkpoint
/// file that is not what its name says is corruption, wherever it is.
pub(crate) fn starting_point(dir: &Path, boot_id: BootId) -> Result<StartingPoint> {
    let manifest = manifest::read(dir)?;
    let shutdown = match &manifest {
        None if crate::log::segment::list_segments(dir)?.is_empty() => Shutdown::Fresh,
        None => Shutdown::MachineRestart,
        Some(m) if m.closed => Shutdown::Clean,
        Some(m) if m.boot_id == boot_id && boot_id != [0; 16] => Shutdown::ProcessCrash,
        Some(_) => Shutdown::MachineRestart,
    };
    let files = checkpoint::list(dir)?;
    let standing = match &manifest {
        Some(m) => (m.checkpoint_lsn > 0).then_some(m.checkpoint_lsn),
        None => files.first().map(|(lsn, _)| *lsn),
    };
    let log_id = manifest.map(|m| m.log_id);
    let mut checkpoint = None;
    let mut leftover_checkpoints = Vec::new();
    for (lsn, path) in files {
        if Some(lsn) == standing {
            checkpoint = Some((lsn, path));
        } else {
            if standing.is_none_or(|standing| lsn > standing) {
                // A whole checkpoint a crash kept the manifest from naming, or damage.
                checkpoint::read(&path, lsn, log_id)?;
            }
            leftover_checkpoints.push(path);
        }
    }
    if let Some(lsn) = standing
        && checkpoint.is_none()
    {
        return Err(Error::corruption(
            checkpoint::checkpoint_path(dir, lsn),
            0,
            format!("the checkpoint at LSN {lsn}, which the log's manifest names, is missing"),
        ));
    }
    Ok(StartingPoint { manifest, shutdown, checkpoint, leftover_checkpoints })
}

#[derive(Debug)]
pub(crate) struct Replayed {
    /// Live segments, in order; the last one is where appending resumes.
    pub(crate) spans: Vec<SegmentSpan>,
    /// `None`: start a fresh segment (no log yet, or the last segment predates end marks).
    pub(crate) resume: Option<ResumePoint>,
    /// Preallocated segments never activated, reusable as the next segment.
    pub(crate) unused: Vec<(u64, PathBuf)>,
    pub(crate) next_lsn: Lsn,
    pub(crate) records_replayed: u64,
    pub(crate) torn_tail: Option<TornTail>,
    /// Highest segment number seen (live or not), so new segments never reuse a name.
    pub(crate) max_seq: u64,
    /// The highest LSN recovery proved durable before it changed anything.
    pub(crate) durable_lsn: Lsn,
    /// What a real open changes.
    pub(crate) plan: RepairPlan,
    /// The log id the segments carry, if they have one and no manifest said it.
    pub(crate) segments_log_id: Option<u64>,
}

/// Replays every record above `apply_after` (the checkpoint's LSN for an open, 0 to see every
/// record still in the log) through `apply`, in LSN order, and judges the log's end.
pub(crate) fn replay(
    dir: &Path,
    start: &StartingPoint,
    apply_after: Lsn,
    apply: impl FnMut(Lsn, Record<'_>) -> Result<()>,
) -> Result<Replayed> {
    let input = ScanInput {
        dir,
        manifest: start.manifest.as_ref(),
        stopped: start.stopped(),
        checkpoint_lsn: start.checkpoint_lsn(),
        apply_after,
        legacy_after: start.checkpoint.as_ref().map(|(lsn, _)| *lsn),
    };
    let scanned = scan(&input, apply)?;
    let verdict = judge(scanned.stop);
    let followed = match scanned.later_records {
        0 => String::new(),
        n => format!(", followed by {n} valid record(s)"),
    };
    let torn_tail = match verdict {
        Verdict::Corrupt(why) => {
            return Err(Error::corruption(
                &scanned.path,
                scanned.offset as u64,
                format!("{why}: {} where LSN {} should be{followed}", scanned.reason, scanned.next_lsn),
            ));
        }
        Verdict::End => None,
        Verdict::Cut => Some(TornTail {
            path: scanned.path.clone(),
            offset: scanned.offset as u64,
            damaged_bytes: (scanned.damaged_end - scanned.offset) as u64,
            discarded_records: scanned.later_records,
            reason: scanned.reason,
        }),
    };
    let mut leftovers = scanned.stale.clone();
    leftovers.extend(start.leftover_checkpoints.iter().cloned());
    let plan = RepairPlan {
        cut: torn_tail.as_ref().map(|_| Cut {
            path: scanned.path.clone(),
            offset: scanned.offset,
            end: scanned.damaged_end,
            next_lsn: scanned.next_lsn,
            end_mark: scanned.end_marks,
        }),
        after_cut: if torn_tail.is_some() { scanned.later_files.clone() } else { Vec::new() },
        leftovers,
    };
    let resume = match scanned.spans.last() {
        Some(last) if scanned.end_marks => {
            Some(ResumePoint { seq: last.seq, path: last.path.clone(), offset: scanned.offset })
        }
        _ => None,
    };
    Ok(Replayed {
        spans: scanned.spans,
        resume,
        unused: scanned.spares,
        next_lsn: scanned.next_lsn,
        records_replayed: scanned.records_replayed,
        torn_tail,
        max_seq: scanned.max_seq,
        durable_lsn: scanned.durable_lsn,
        plan,
        segments_log_id: scanned.log_id,
    })
}
