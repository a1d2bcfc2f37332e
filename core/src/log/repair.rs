//! The one place recovery changes a data directory, and only a real open calls it.
//!
//! A plan is what [`judge`](super::judge) allowed: cut the log at one position (an end mark
//! for the next LSN written there, zeros after it), remove the segment files after the cut,
//! and remove what the log no longer needs (segments a checkpoint covers, checkpoints other
//! than the standing one). Nothing here holds a mapping of a file it writes.
//!
//! The order makes a repair that is itself interrupted safe to run again: the files after the
//! cut go first (until the cut is written, the next recovery sees the same damage and decides
//! the same), then the cut (after which the log ends whole at an end mark), then the leftovers.
//! The manifest is written last, by the log's writer, once the recovered segments are synced.

use std::fs::OpenOptions;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::ids::Lsn;
use crate::log::frame::encode_end_mark;
use crate::log::segment::sync_dir;

#[derive(Clone, Debug, Default)]
pub(crate) struct RepairPlan {
    pub(crate) cut: Option<Cut>,
    /// Segment files after the cut: they hold no record anyone was promised.
    pub(crate) after_cut: Vec<PathBuf>,
    /// Files the log no longer needs.
    pub(crate) leftovers: Vec<PathBuf>,
}

/// Rewrite `path` from `offset` to `end`: an end mark for `next_lsn` (in a segment with end
/// marks), then zeros.
#[derive(Clone, Debug)]
pub(crate) struct Cut {
    pub(crate) path: PathBuf,
    pub(crate) offset: usize,
    pub(crate) end: usize,
    pub(crate) next_lsn: Lsn,
    pub(crate) end_mark: bool,
}

pub(crate) fn apply(dir: &Path, plan: &RepairPlan) -> Result<()> {
    remove_all(dir, &plan.after_cut, "removing a segment after a cut")?;
    if let Some(cut) = &plan.cut {
        rewrite(cut)?;
    }
    remove_all(dir, &plan.leftovers, "removing a file the log no longer needs")
}

fn remove_all(dir: &Path, paths: &[PathBuf], what: &'static str) -> Result<()> {
    for path in paths {
        std::fs::remove_file(path).map_err(|e| Error::io(path, what, e))?;
    }
    if !paths.is_empty() {
        sync_dir(dir)?;
    }
    Ok(())
}

fn rewrite(cut: &Cut) -> Result<()> {
    let mut bytes = vec![0u8; cut.end.saturating_sub(cut.offset)];
    if cut.end_mark {
        let mark = encode_end_mark(cut.next_lsn, false);
        bytes.resize(bytes.len().max(mark.len()), 0);
        bytes[..mark.len()].copy_from_slice(&mark);
    }
    if bytes.is_empty() {
        return Ok(());
    }
    let path = &cut.path;
    let file = OpenOptions::new().write(true).open(path).map_err(|e| Error::io(path, "opening to cut the log", e))?;
    file.write_all_at(&bytes, cut.offset as u64).map_err(|e| Error::io(path, "cutting the log", e))?;
    file.sync_data().map_err(|e| Error::io(path, "syncing a cut", e))
}
