//! Segment files: preallocated with `posix_fallocate`, mapped shared with memmap2.
//!
//! This file and `crate::log::writer` hold the crate's only unsafe code. Preallocation is what
//! makes the mapping safe to write: every byte of the file has disk blocks before the first
//! store, so a full disk surfaces as [`Error::OutOfSpace`] here instead of a SIGBUS on a page
//! fault in the middle of a reservation.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use memmap2::{Mmap, MmapRaw};

use crate::error::{Error, Result};
use crate::faults::Faults;
use std::sync::atomic::{AtomicUsize, Ordering};

const SEGMENT_PREFIX: &str = "wal-";
const SEGMENT_SUFFIX: &str = ".seg";

pub(crate) fn segment_path(dir: &Path, seq: u64) -> PathBuf {
    dir.join(format!("{SEGMENT_PREFIX}{seq:020}{SEGMENT_SUFFIX}"))
}

/// The sequence number in a segment file name, if `name` is one.
pub(crate) fn parse_segment_name(name: &str) -> Option<u64> {
    let digits = name.strip_prefix(SEGMENT_PREFIX)?.strip_suffix(SEGMENT_SUFFIX)?;
    if digits.len() != 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Every segment file in `dir`, by sequence number.
pub(crate) fn list_segments(dir: &Path) -> Result<Vec<(u64, PathBuf)>> {
    let mut segments = Vec::new();
    let entries = fs::read_dir(dir).map_err(|e| Error::io(dir, "listing", e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, "listing", e))?;
        if let Some(seq) = entry.file_name().to_str().and_then(parse_segment_name) {
            require_regular_file(&entry)?;
            segments.push((seq, entry.path()));
        }
    }
    segments.sort();
    Ok(segments)
}

/// A log file must be a regular file: a FIFO, a device or a symlink under a log file's name
/// would block, never end, or point outside the directory. (The type is the entry's own: a
/// symlink is not followed.)
pub(crate) fn require_regular_file(entry: &fs::DirEntry) -> Result<()> {
    let path = entry.path();
    let kind = entry.file_type().map_err(|e| Error::io(&path, "reading the type of", e))?;
    if kind.is_file() {
        Ok(())
    } else {
        Err(Error::corruption(path, 0, "a log file's name on something that is not a regular file"))
    }
}

/// A segment mapped for appending. The writer (holding the log's writer lock) is the only code
/// that stores into the mapping; flushers only ask the kernel to write pages back.
pub(crate) struct Segment {
    pub(crate) path: PathBuf,
    pub(crate) seq: u64,
    file: File,
    map: MmapRaw,
    len: usize,
    /// Bytes known to be on stable storage, from the start of the file.
    synced_bytes: AtomicUsize,
    /// Where the written frames end (the start of the end mark): bytes below it are never
    /// written again while the segment is mapped, so readers may look at them.
    written_end: AtomicUsize,
}

impl Segment {
    /// Creates `wal-<seq>.seg`, allocates all of its `len` bytes on disk, and maps it.
    pub(crate) fn create(dir: &Path, seq: u64, len: u64, faults: &Faults) -> Result<Segment> {
        let path = segment_path(dir, seq);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| Error::io(&path, "creating log segment", e))?;
        if let Err(error) = faults.preallocate().and_then(|()| preallocate(&file, len)) {
            // Leave nothing half-made behind: a short file would be mistaken for a segment.
            let _ = fs::remove_file(&path);
            return Err(if error.raw_os_error() == Some(libc::ENOSPC) {
                Error::OutOfSpace { path, bytes: len }
            } else {
                Error::io(path, "preallocating log segment", error)
            });
        }
        Segment::map(path, seq, file, 0)
    }

    /// Maps an existing segment for appending after recovery; `written_bytes` is where recovery
    /// found its frames to end (and made them durable).
    pub(crate) fn open(path: PathBuf, seq: u64, written_bytes: usize) -> Result<Segment> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, "opening log segment", e))?;
        Segment::map(path, seq, file, written_bytes)
    }

    fn map(path: PathBuf, seq: u64, file: File, written_bytes: usize) -> Result<Segment> {
        let map = MmapRaw::map_raw(&file).map_err(|e| Error::io(&path, "mapping log segment", e))?;
        let len = map.len();
        Ok(Segment {
            path,
            seq,
            file,
            map,
            len,
            synced_bytes: AtomicUsize::new(written_bytes),
            written_end: AtomicUsize::new(written_bytes),
        })
    }

    /// Publishes that frames are written up to `end` (after they are). Called by the writer.
    pub(crate) fn publish_written_end(&self, end: usize) {
        debug_assert!(end >= self.written_end.load(Ordering::Relaxed), "the written end only grows");
        self.written_end.store(end, Ordering::Release);
    }

    pub(crate) fn written_end(&self) -> usize {
        self.written_end.load(Ordering::Acquire)
    }

    /// The written frames of the segment: bytes `0..written_end`.
    pub(crate) fn written(&self) -> &[u8] {
        let end = self.written_end();
        // SAFETY: the range lies inside the live mapping (the writer never publishes an end past
        // it), and nothing writes below the published end while the mapping lives: the writer
        // writes only at or past its append offset, which is never below it, and recovery
        // repairs a file only before it is mapped. The Acquire load above pairs with the
        // writer's Release store, so the bytes it published are visible.
        unsafe { std::slice::from_raw_parts(self.map.as_ptr(), end) }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The bytes `range` of the mapping, for writing.
    ///
    /// # Safety
    /// The caller must be the only code reading or writing these bytes while the slice lives.
    /// The log writer guarantees this by writing only past its append offset, under its lock.
    #[allow(clippy::mut_from_ref)]
    pub(crate) unsafe fn bytes_mut(&self, start: usize, end: usize) -> &mut [u8] {
        assert!(start <= end && end <= self.len, "segment range {start}..{end} out of 0..{}", self.len);
        // SAFETY: the range lies inside the live mapping (asserted above); the mapping stays
        // valid for `&self`'s lifetime; exclusivity is the caller's contract.
        unsafe { std::slice::from_raw_parts_mut(self.map.as_mut_ptr().add(start), end - start) }
    }

    /// Writes back bytes `..end` and waits for the disk; a no-op for what is already synced.
    pub(crate) fn sync_to(&self, end: usize, faults: &Faults) -> io::Result<()> {
        let start = self.synced_bytes.load(Ordering::Acquire);
        if end <= start {
            return Ok(());
        }
        faults.sync()?;
        self.map.flush_range(start, end - start)?;
        self.synced_bytes.fetch_max(end, Ordering::AcqRel);
        Ok(())
    }

    pub(crate) fn synced_bytes(&self) -> usize {
        self.synced_bytes.load(Ordering::Acquire)
    }

    /// Forces the file's data (and allocation metadata) to disk with `fdatasync`.
    pub(crate) fn sync_all(&self) -> io::Result<()> {
        self.file.sync_data()
    }
}

fn preallocate(file: &File, len: u64) -> io::Result<()> {
    let len = libc::off_t::try_from(len).map_err(|_| io::Error::from_raw_os_error(libc::EFBIG))?;
    // SAFETY: a plain system call on a file descriptor we own; it reads no memory of ours.
    let status = unsafe { libc::posix_fallocate(file.as_raw_fd(), 0, len) };
    if status == 0 { Ok(()) } else { Err(io::Error::from_raw_os_error(status)) }
}

/// Maps a whole segment read-only, for the event reader.
///
/// # Safety
/// Nothing may write or truncate the file while the map lives. The engine's event reader maps
/// only segments its writer has rolled over and synced (it reads the writer's own mapping of
/// the others), in a directory its lock keeps every other writer out of.
pub(crate) unsafe fn map_for_reading(path: &Path) -> Result<Option<Mmap>> {
    let file = File::open(path).map_err(|e| Error::io(path, "opening log segment", e))?;
    let len = file.metadata().map_err(|e| Error::io(path, "reading log segment size", e))?.len();
    if len == 0 {
        return Ok(None);
    }
    // SAFETY: the caller's contract: the file does not change while the map lives.
    let map = unsafe { Mmap::map(&file) }.map_err(|e| Error::io(path, "mapping log segment", e))?;
    Ok(Some(map))
}

/// Whether every byte of the file at `path` is zero, without reading it into memory: holes
/// (`SEEK_DATA` skips them) are zeros by definition, and the data between them is read in
/// chunks. A preallocated spare, or a sparse file of any size, is answered in a few reads.
pub(crate) fn zero_filled(path: &Path) -> Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    const CHUNK_BYTES: usize = 1 << 20;
    let mut file = File::open(path).map_err(|e| Error::io(path, "opening log segment", e))?;
    let len = file.metadata().map_err(|e| Error::io(path, "reading log segment size", e))?.len();
    let mut chunk = vec![0u8; CHUNK_BYTES];
    let mut at = 0u64;
    while at < len {
        let Some(data) = next_data(&file, at).map_err(|e| Error::io(path, "finding data in log segment", e))? else {
            return Ok(true);
        };
        file.seek(SeekFrom::Start(data)).map_err(|e| Error::io(path, "reading log segment", e))?;
        let want = (len - data).min(CHUNK_BYTES as u64) as usize;
        let read = file.read(&mut chunk[..want]).map_err(|e| Error::io(path, "reading log segment", e))?;
        if read == 0 {
            return Ok(true);
        }
        if !crate::log::scan::is_zero(&chunk[..read]) {
            return Ok(false);
        }
        at = data + read as u64;
    }
    Ok(true)
}

/// The first offset at or after `from` that holds data (`None`: only holes follow). Where the
/// file system cannot say, every offset is data.
fn next_data(file: &File, from: u64) -> io::Result<Option<u64>> {
    let from_off = libc::off_t::try_from(from).map_err(|_| io::Error::from_raw_os_error(libc::EFBIG))?;
    // SAFETY: a plain system call on a descriptor we own; it reads no memory of ours.
    let found = unsafe { libc::lseek(file.as_raw_fd(), from_off, libc::SEEK_DATA) };
    if found >= 0 {
        return Ok(Some(found as u64));
    }
    match io::Error::last_os_error().raw_os_error() {
        Some(libc::ENXIO) => Ok(None),
        Some(libc::EINVAL | libc::EOPNOTSUPP) => Ok(Some(from)),
        _ => Err(io::Error::last_os_error()),
    }
}

/// Fsyncs a directory, so that file creations, renames and removals in it are durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| Error::io(dir, "syncing directory", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_names_round_trip() {
        let path = segment_path(Path::new("/d"), 42);
        let name = path.file_name().unwrap().to_str().unwrap();
        assert_eq!(name, "wal-00000000000000000042.seg");
        assert_eq!(parse_segment_name(name), Some(42));
        assert_eq!(parse_segment_name("wal-42.seg"), None);
        assert_eq!(parse_segment_name("wal-0000000000000000004x.seg"), None);
    }
}
