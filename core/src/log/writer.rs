//! Appending to mapped segments, rolling over to preallocated spares, flushing prefixes, and
//! keeping the manifest current.
//!
//! An append writes, in this order: the record's payload after the current end mark, the end
//! mark for the next LSN after the payload, then the frame header over the old mark, its
//! checksum last (see `frame`). Compiler fences keep the stores in that order, and a process
//! killed between any two instructions leaves a shape recovery recognises. A rollover writes
//! the new segment's header and first end mark, then turns the old segment's end mark into a
//! sealed one ("the log goes on in the next segment"), so a deleted newest segment is missed.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering, compiler_fence};

use crate::error::{Error, Result};
use crate::faults::Faults;
use crate::ids::Lsn;
use crate::limits::RECORD_BYTES_MAX;
use crate::log::frame::{
    END_MARK_BYTES, FRAME_HEADER_BYTES, SEGMENT_HEADER_BYTES, encode_end_mark, encode_segment_header, seal_frame,
};
use crate::log::manifest::{BootId, Manifest, ManifestFile, new_log_id};
use crate::log::record::Record;
use crate::log::recovery::{Replayed, SegmentSpan, StartingPoint};
use crate::log::segment::{Segment, sync_dir};
use crate::sync::Mutex;

/// The mapped log of a data directory.
pub(crate) struct MappedLog {
    dir: PathBuf,
    segment_bytes: u64,
    log_id: u64,
    faults: Arc<Faults>,
    writer: Mutex<Writer>,
    /// A preallocated segment, made ahead of need by the engine's worker so that rolling over
    /// never waits for the disk while stripes are held. The lock is held while a segment is
    /// being made, so the worker and a rollover never both make the same file.
    ///
    /// Lock order: `writer`, then `spare`, then `manifest`. The worker takes `spare` alone.
    spare: Mutex<Option<Segment>>,
    /// The manifest file and what it says now.
    manifest: Mutex<ManifestFile>,
    /// Sequence number of the current segment, readable without the writer lock; changed only
    /// with both locks held.
    current_seq: AtomicU64,
}

struct Writer {
    current: Arc<Segment>,
    /// Where the next frame goes: the current end mark.
    offset: usize,
    next_lsn: Lsn,
    /// Rolled-over segments with bytes not yet synced, and where their data ends.
    sealed: Vec<(Arc<Segment>, usize)>,
    /// Every live segment, oldest first; the last is `current`.
    spans: Vec<SegmentSpan>,
    bytes_appended: u64,
    records_appended: u64,
    /// Set by `close`: nothing more may be appended (checked under this lock, so no append can
    /// slip in after the final flush).
    closed: bool,
}

/// Counters of the writer, for metrics and inspection.
#[derive(Clone, Copy, Debug, Default)]
pub struct LogStats {
    pub records_appended: u64,
    pub bytes_appended: u64,
    pub segments: u64,
}

impl MappedLog {
    /// Opens for appending where recovery left off (after its repair), makes everything
    /// recovered durable, and records in the manifest that the log is open during this boot.
    pub(crate) fn open(
        dir: &Path,
        start: &StartingPoint,
        replayed: &Replayed,
        segment_bytes: u64,
        boot_id: BootId,
        faults: Arc<Faults>,
    ) -> Result<MappedLog> {
        // The manifest's log id; else the one its segments already carry (a first open cut short
        // before its manifest); else a new log's.
        let log_id = start.log_id().or(replayed.segments_log_id).unwrap_or_else(new_log_id);
        let mut spans = replayed.spans.clone();
        // What recovery read may still be only in the page cache (a crashed process's last
        // writes): make it durable before anything new is acknowledged after it.
        for span in &spans {
            std::fs::File::open(&span.path)
                .and_then(|file| file.sync_data())
                .map_err(|e| Error::io(&span.path, "syncing recovered segment", e))?;
        }
        let mut unused = replayed.unused.clone();
        let current = match &replayed.resume {
            Some(resume) => {
                let segment = Segment::open(resume.path.clone(), resume.seq, resume.offset)?;
                // Recovery found the log ending here; the mark may be gone (a clean close whose
                // mark was damaged). Every append expects one where it starts.
                write_end_mark(&segment, resume.offset, replayed.next_lsn, false);
                segment
            }
            None => {
                // A fresh log, or one whose last segment predates end marks: activate a new
                // segment now so the directory always has somewhere to append.
                let segment = first_segment(dir, replayed, &mut unused, segment_bytes, log_id, &faults)?;
                spans.push(SegmentSpan { seq: segment.seq, first_lsn: replayed.next_lsn, path: segment.path.clone() });
                segment
            }
        };
        let offset = current.written_end();
        let spare = keep_one_spare(unused, current.seq + 1, segment_bytes)?;
        let state = Manifest {
            version: 0,
            log_id,
            first_seq: spans[0].seq,
            checkpoint_lsn: start.checkpoint_lsn(),
            durable_lsn: replayed.next_lsn - 1,
            closed: false,
            boot_id,
        };
        let manifest = match start.manifest {
            Some(existing) => {
                let mut file = ManifestFile::open(dir, existing)?;
                file.write(state)?;
                file
            }
            None => ManifestFile::create(dir, state)?,
        };
        Ok(MappedLog {
            current_seq: AtomicU64::new(current.seq),
            dir: dir.to_path_buf(),
            segment_bytes,
            log_id,
            faults,
            writer: Mutex::new(Writer {
                current: Arc::new(current),
                offset,
                next_lsn: replayed.next_lsn,
                sealed: Vec::new(),
                spans,
                bytes_appended: 0,
                records_appended: 0,
                closed: false,
            }),
            spare: Mutex::new(spare),
            manifest: Mutex::new(manifest),
        })
    }

    /// Appends one record and returns its LSN. `synced_lsn` is the durable LSN the caller knows,
    /// stored in the frame as recovery's watermark.
    pub(crate) fn append(&self, record: &Record<'_>, synced_lsn: Lsn) -> Result<Lsn> {
        let mut writer = self.writer.lock();
        if writer.closed {
            return Err(Error::Closed);
        }
        let payload_at = writer.offset + FRAME_HEADER_BYTES;
        // A frame must leave room for the end mark behind it.
        let room = writer.current.len().saturating_sub(payload_at + END_MARK_BYTES);
        if room < RECORD_BYTES_MAX {
            // Near the segment's end (or in a small segment): measure first, so that a record
            // that does not fit is never half written here.
            let size = postcard::experimental::serialized_size(record)
                .map_err(|e| Error::internal(format!("measuring a log record: {e}")))?;
            check_record_size(size)?;
            if size > room {
                self.roll_over(&mut writer, size)?;
            }
        }
        let start = writer.offset;
        let payload_at = start + FRAME_HEADER_BYTES;
        let payload_end = writer.current.len() - END_MARK_BYTES;
        let limit = payload_end.min(payload_at + RECORD_BYTES_MAX);
        // SAFETY: bytes from the append offset on are read and written by no one but the
        // writer, and we hold the writer lock; flushers only msync whole pages, and readers
        // read below the published end, which is at most the append offset.
        let area = unsafe { writer.current.bytes_mut(payload_at, limit) };
        let payload_len = match postcard::to_slice(record, area) {
            Ok(payload) => payload.len(),
            Err(error) => {
                // Only a record above the limit gets here (room was measured otherwise): wipe
                // the partial encoding, so nothing but zeros lies behind the end mark.
                area.fill(0);
                return Err(match error {
                    postcard::Error::SerializeBufferFull => {
                        let size = postcard::experimental::serialized_size(record).unwrap_or(usize::MAX);
                        check_record_size(size).err().unwrap_or_else(|| Error::internal("a record that fits did not"))
                    }
                    other => Error::internal(format!("encoding a log record: {other}")),
                });
            }
        };
        let lsn = writer.next_lsn;
        let frame_end = payload_at + payload_len;
        compiler_fence(Ordering::SeqCst);
        write_end_mark(&writer.current, frame_end, lsn + 1, false);
        compiler_fence(Ordering::SeqCst);
        // SAFETY: as above; the header goes over the end mark at the append offset.
        let header = unsafe { writer.current.bytes_mut(start, frame_end) };
        seal_frame(header, payload_len, lsn, synced_lsn, || compiler_fence(Ordering::SeqCst));
        writer.current.publish_written_end(frame_end);
        writer.offset = frame_end;
        writer.next_lsn += 1;
        writer.bytes_appended += (FRAME_HEADER_BYTES + payload_len) as u64;
        writer.records_appended += 1;
        Ok(lsn)
    }

    /// Starts a new segment (the spare, or a new one made now) at the next LSN, big enough for a
    /// record of `payload_len` bytes, and seals the old one.
    fn roll_over(&self, writer: &mut Writer, payload_len: usize) -> Result<()> {
        let seq = writer.current.seq + 1;
        let needed = (SEGMENT_HEADER_BYTES + FRAME_HEADER_BYTES + payload_len + END_MARK_BYTES) as u64;
        let next = {
            // Waits here if the worker is making the spare right now.
            let mut spare = self.spare.lock();
            let next = match spare.take() {
                Some(ready) if ready.seq == seq && ready.len() as u64 >= needed => ready,
                other => {
                    if let Some(stale) = other {
                        let _ = std::fs::remove_file(&stale.path);
                    }
                    make_segment(&self.dir, seq, self.segment_bytes.max(needed), &self.faults)?
                }
            };
            self.current_seq.store(seq, Ordering::Release);
            next
        };
        activate(&next, writer.next_lsn, self.log_id);
        compiler_fence(Ordering::SeqCst);
        // The old segment's end mark now says the log goes on in `seq`: after the new header,
        // so that a mark pointing at a segment that is not there is always damage.
        write_end_mark(&writer.current, writer.offset, writer.next_lsn, true);
        writer.spans.push(SegmentSpan { seq, first_lsn: writer.next_lsn, path: next.path.clone() });
        let previous = std::mem::replace(&mut writer.current, Arc::new(next));
        let previous_end = writer.offset + END_MARK_BYTES;
        writer.sealed.push((previous, previous_end));
        writer.offset = SEGMENT_HEADER_BYTES;
        Ok(())
    }

    /// Ends the current segment now, so that everything before this point can be removed by the
    /// next checkpoint. Skipped when the current segment holds no record yet.
    pub(crate) fn roll_over_now(&self) -> Result<()> {
        let mut writer = self.writer.lock();
        if writer.closed {
            return Err(Error::Closed);
        }
        if writer.offset == SEGMENT_HEADER_BYTES {
            return Ok(());
        }
        self.roll_over(&mut writer, 1)
    }

    /// How many rolled-over segments still wait for a flush (each holds a mapping and a file).
    pub(crate) fn sealed_unsynced(&self) -> usize {
        self.writer.lock().sealed.len()
    }

    /// Whether the worker should preallocate the next segment now: no spare is ready and the
    /// current segment is past half full.
    pub(crate) fn wants_spare(&self) -> bool {
        let (offset, len) = {
            let writer = self.writer.lock();
            (writer.offset, writer.current.len())
        };
        offset > len / 2 && self.spare.lock().is_none()
    }

    /// Preallocates the segment after the current one, unless it is ready already. Holds only
    /// the spare lock, so appends go on meanwhile; a rollover that needs the spare waits for it.
    pub(crate) fn prepare_spare(&self) -> Result<()> {
        let mut spare = self.spare.lock();
        let seq = self.current_seq.load(Ordering::Acquire) + 1;
        match spare.take() {
            Some(ready) if ready.seq == seq => {
                *spare = Some(ready);
                return Ok(());
            }
            Some(stale) => {
                let _ = std::fs::remove_file(&stale.path);
            }
            None => {}
        }
        *spare = Some(make_segment(&self.dir, seq, self.segment_bytes, &self.faults)?);
        Ok(())
    }

    /// Makes every appended record durable; returns the last LSN covered.
    pub(crate) fn flush(&self) -> std::result::Result<Lsn, String> {
        let (target, sealed, current, end) = {
            let writer = self.writer.lock();
            (writer.next_lsn - 1, writer.sealed.clone(), writer.current.clone(), writer.offset + END_MARK_BYTES)
        };
        for (segment, end) in &sealed {
            segment.sync_to(*end, &self.faults).map_err(|e| format!("syncing {}: {e}", segment.path.display()))?;
        }
        current.sync_to(end, &self.faults).map_err(|e| format!("syncing {}: {e}", current.path.display()))?;
        if !sealed.is_empty() {
            let mut writer = self.writer.lock();
            writer.sealed.retain(|(segment, end)| segment.synced_bytes() < *end);
        }
        Ok(target)
    }

    /// Records in the manifest that every record through `durable_lsn` is durable, if that is
    /// news; the worker calls it (at most every `DURABLE_RECORD_INTERVAL`).
    pub(crate) fn record_durable(&self, durable_lsn: Lsn) -> Result<()> {
        if !self.faults.durable_records() {
            return Ok(());
        }
        let mut manifest = self.manifest.lock();
        let current = *manifest.current();
        if durable_lsn <= current.durable_lsn || current.closed {
            return Ok(());
        }
        manifest.write(Manifest { durable_lsn, ..current })
    }

    /// Records a clean close: the log ends exactly at `last_lsn`, which is durable.
    pub(crate) fn record_close(&self, last_lsn: Lsn) -> Result<()> {
        let mut manifest = self.manifest.lock();
        let current = *manifest.current();
        manifest.write(Manifest { durable_lsn: last_lsn, closed: true, ..current })
    }

    /// After a durable checkpoint at `lsn`: names it in the manifest as the log's new start, then
    /// removes every segment whose records all have LSNs at or below `lsn`. The current segment
    /// always stays.
    pub(crate) fn start_after_checkpoint(&self, lsn: Lsn) -> Result<usize> {
        let (first_kept, removable) = {
            let writer = self.writer.lock();
            let keep_from = writer
                .spans
                .iter()
                .rposition(|span| span.first_lsn <= lsn + 1)
                .unwrap_or(0)
                .min(writer.spans.len().saturating_sub(1));
            (writer.spans[keep_from].seq, writer.spans[..keep_from].to_vec())
        };
        {
            let mut manifest = self.manifest.lock();
            let current = *manifest.current();
            let durable_lsn = current.durable_lsn.max(lsn);
            manifest.write(Manifest { first_seq: first_kept, checkpoint_lsn: lsn, durable_lsn, ..current })?;
        }
        self.writer.lock().spans.retain(|span| span.seq >= first_kept);
        for span in &removable {
            std::fs::remove_file(&span.path)
                .map_err(|e| Error::io(&span.path, "removing a checkpointed segment", e))?;
        }
        if !removable.is_empty() {
            sync_dir(&self.dir)?;
        }
        Ok(removable.len())
    }

    /// Refuses every later append; what was appended before stays for the final flush.
    pub(crate) fn close(&self) {
        self.writer.lock().closed = true;
    }

    /// The live segments, oldest first.
    pub(crate) fn spans(&self) -> Vec<SegmentSpan> {
        self.writer.lock().spans.clone()
    }

    /// The writer's own mapping of segment `seq`, if it still has one (the current segment, and
    /// rolled-over ones not yet synced): readers must not map a file the writer writes.
    pub(crate) fn mapped_segment(&self, seq: u64) -> Option<Arc<Segment>> {
        let writer = self.writer.lock();
        if writer.current.seq == seq {
            return Some(writer.current.clone());
        }
        writer.sealed.iter().find(|(segment, _)| segment.seq == seq).map(|(segment, _)| segment.clone())
    }

    pub(crate) fn log_id(&self) -> u64 {
        self.log_id
    }

    pub(crate) fn last_lsn(&self) -> Lsn {
        self.writer.lock().next_lsn - 1
    }

    pub(crate) fn stats(&self) -> LogStats {
        let writer = self.writer.lock();
        LogStats {
            records_appended: writer.records_appended,
            bytes_appended: writer.bytes_appended,
            segments: writer.spans.len() as u64,
        }
    }
}

fn check_record_size(size: usize) -> Result<()> {
    if size > RECORD_BYTES_MAX {
        return Err(Error::LimitExceeded {
            limit: "RECORD_BYTES_MAX",
            what: "an encoded log record".into(),
            max: RECORD_BYTES_MAX as u64,
            actual: size as u64,
        });
    }
    Ok(())
}

/// Activates the segment a log without one to resume in starts with (a spare recovery found,
/// or a new one), at recovery's next LSN, and makes its header durable.
fn first_segment(
    dir: &Path,
    replayed: &Replayed,
    unused: &mut Vec<(u64, PathBuf)>,
    segment_bytes: u64,
    log_id: u64,
    faults: &Faults,
) -> Result<Segment> {
    let segment = match take_reusable(unused, segment_bytes) {
        Some((seq, path)) => Segment::open(path, seq, 0)?,
        None => make_segment(dir, replayed.max_seq + 1, segment_bytes, faults)?,
    };
    activate(&segment, replayed.next_lsn, log_id);
    segment
        .sync_to(SEGMENT_HEADER_BYTES + END_MARK_BYTES, faults)
        .map_err(|e| Error::io(&segment.path, "syncing a new segment's header", e))?;
    Ok(segment)
}

/// Keeps the unused segment numbered `next_seq` (of the configured size) as the spare and
/// removes the other unused ones.
fn keep_one_spare(unused: Vec<(u64, PathBuf)>, next_seq: u64, segment_bytes: u64) -> Result<Option<Segment>> {
    let mut spare = None;
    for (seq, path) in unused {
        let fits = std::fs::metadata(&path).map(|m| m.len() == segment_bytes).unwrap_or(false);
        if spare.is_none() && seq == next_seq && fits {
            spare = Some(Segment::open(path, seq, 0)?);
        } else {
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, "removing an unused segment", e))?;
        }
    }
    Ok(spare)
}

fn take_reusable(unused: &mut Vec<(u64, PathBuf)>, segment_bytes: u64) -> Option<(u64, PathBuf)> {
    let position = unused
        .iter()
        .position(|(_, path)| std::fs::metadata(path).map(|m| m.len() == segment_bytes).unwrap_or(false))?;
    Some(unused.remove(position))
}

/// Creates and preallocates a segment, and makes its existence and size durable.
fn make_segment(dir: &Path, seq: u64, segment_bytes: u64, faults: &Faults) -> Result<Segment> {
    let segment = Segment::create(dir, seq, segment_bytes, faults)?;
    let synced =
        segment.sync_all().map_err(|e| Error::io(&segment.path, "syncing new segment", e)).and_then(|()| sync_dir(dir));
    if let Err(error) = synced {
        // Leave no file behind under a name the next attempt must create.
        let _ = std::fs::remove_file(&segment.path);
        return Err(error);
    }
    Ok(segment)
}

/// Writes the header that makes a preallocated segment part of the log from `first_lsn` on,
/// and the end mark after it.
fn activate(segment: &Segment, first_lsn: Lsn, log_id: u64) {
    let header = encode_segment_header(segment.seq, first_lsn, log_id, segment.len() as u64);
    // SAFETY: the segment is not yet visible to any other thread (it is being activated by the
    // writer, or by `open` before the log is shared), so nobody else touches its header.
    unsafe { segment.bytes_mut(0, SEGMENT_HEADER_BYTES) }.copy_from_slice(&header);
    compiler_fence(Ordering::SeqCst);
    write_end_mark(segment, SEGMENT_HEADER_BYTES, first_lsn, false);
    segment.publish_written_end(SEGMENT_HEADER_BYTES);
}

/// Writes an end mark at `at` of `segment`.
fn write_end_mark(segment: &Segment, at: usize, next_lsn: Lsn, sealed: bool) {
    // SAFETY: end marks are written only at or past the append offset (by the writer, under
    // its lock, or before the log is shared), where no reader looks.
    unsafe { segment.bytes_mut(at, at + END_MARK_BYTES) }.copy_from_slice(&encode_end_mark(next_lsn, sealed));
}
