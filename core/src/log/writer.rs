//! Appending to mapped segments, rolling over to preallocated spares, and flushing prefixes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::faults::Faults;
use crate::ids::Lsn;
use crate::limits::RECORD_BYTES_MAX;
use crate::log::frame::{FRAME_HEADER_BYTES, SEGMENT_HEADER_BYTES, encode_segment_header, seal_frame};
use crate::log::record::Record;
use crate::log::recovery::{Replayed, SegmentSpan};
use crate::log::segment::{Segment, sync_dir};
use crate::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// The mapped log of a data directory.
pub(crate) struct MappedLog {
    dir: PathBuf,
    segment_bytes: u64,
    faults: Arc<Faults>,
    writer: Mutex<Writer>,
    /// A preallocated segment, made ahead of need by the engine's worker so that rolling over
    /// never waits for the disk while stripes are held. The lock is held while a segment is
    /// being made, so the worker and a rollover never both make the same file.
    ///
    /// Lock order: `writer`, then `spare`. The worker takes `spare` alone.
    spare: Mutex<Option<Segment>>,
    /// Sequence number of the current segment, readable without the writer lock; changed only
    /// with both locks held.
    current_seq: AtomicU64,
}

struct Writer {
    current: Arc<Segment>,
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
    /// Opens for appending where recovery left off.
    pub(crate) fn open(dir: &Path, replayed: &Replayed, segment_bytes: u64, faults: Arc<Faults>) -> Result<MappedLog> {
        let mut spans = replayed.spans.clone();
        let next_seq = replayed.max_seq + 1;
        let mut unused = replayed.unused.clone();
        let (current, offset) = match &replayed.resume {
            Some(resume) => {
                // What recovery read may still be only in the page cache (a crashed process's
                // last writes): make it durable before anything new is acknowledged after it.
                for span in &spans {
                    std::fs::File::open(&span.path)
                        .and_then(|file| file.sync_data())
                        .map_err(|e| Error::io(&span.path, "syncing recovered segment", e))?;
                }
                let segment = Segment::open(resume.path.clone(), resume.seq, resume.offset)?;
                (segment, resume.offset)
            }
            None => {
                // A fresh log (or one whose segments were all checkpointed away): activate a
                // segment now so the directory always has somewhere to append.
                let segment = match take_reusable(&mut unused, segment_bytes) {
                    Some((seq, path)) => Segment::open(path, seq, 0)?,
                    None => make_segment(dir, next_seq, segment_bytes, &faults)?,
                };
                activate(&segment, replayed.next_lsn);
                spans.push(SegmentSpan { seq: segment.seq, first_lsn: replayed.next_lsn, path: segment.path.clone() });
                (segment, SEGMENT_HEADER_BYTES)
            }
        };
        // Keep one unused segment as the spare if it follows the current one; drop the others.
        let mut spare = None;
        for (seq, path) in unused {
            let fits = std::fs::metadata(&path).map(|m| m.len() == segment_bytes).unwrap_or(false);
            if spare.is_none() && seq == current.seq + 1 && fits {
                spare = Some(Segment::open(path, seq, 0)?);
            } else {
                std::fs::remove_file(&path).map_err(|e| Error::io(&path, "removing an unused segment", e))?;
            }
        }
        let current_seq = AtomicU64::new(current.seq);
        Ok(MappedLog {
            current_seq,
            dir: dir.to_path_buf(),
            segment_bytes,
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
        })
    }

    /// Appends one record and returns its LSN. `synced_lsn` is the durable LSN the caller knows,
    /// stored in the frame as recovery's watermark.
    pub(crate) fn append(&self, record: &Record<'_>, synced_lsn: Lsn) -> Result<Lsn> {
        let mut writer = self.writer.lock();
        if writer.closed {
            return Err(Error::Closed);
        }
        let mut rolled_over = false;
        loop {
            let start = writer.offset;
            let segment_len = writer.current.len();
            if start + FRAME_HEADER_BYTES < segment_len {
                let end = segment_len.min(start + FRAME_HEADER_BYTES + RECORD_BYTES_MAX);
                // SAFETY: bytes from the append offset on are read and written by no one but the
                // writer, and we hold the writer lock; flushers only msync whole pages, which
                // reads nothing through Rust references.
                let frame = unsafe { writer.current.bytes_mut(start, end) };
                match postcard::to_slice(record, &mut frame[FRAME_HEADER_BYTES..]) {
                    Ok(payload) => {
                        let payload_len = payload.len();
                        let lsn = writer.next_lsn;
                        seal_frame(frame, payload_len, lsn, synced_lsn);
                        writer.offset = start + FRAME_HEADER_BYTES + payload_len;
                        writer.next_lsn += 1;
                        writer.bytes_appended += (FRAME_HEADER_BYTES + payload_len) as u64;
                        writer.records_appended += 1;
                        return Ok(lsn);
                    }
                    Err(error) => {
                        // Wipe the partial encoding: nothing but frames and zeros may follow the
                        // last frame, or recovery would have to judge the leftovers.
                        frame.fill(0);
                        match error {
                            // Not enough room left in this segment: continue in the next one.
                            postcard::Error::SerializeBufferFull
                                if end - start < FRAME_HEADER_BYTES + RECORD_BYTES_MAX => {}
                            postcard::Error::SerializeBufferFull => {
                                let size = postcard::experimental::serialized_size(record).unwrap_or(usize::MAX);
                                return Err(Error::LimitExceeded {
                                    limit: "RECORD_BYTES_MAX",
                                    what: "an encoded log record".into(),
                                    max: RECORD_BYTES_MAX as u64,
                                    actual: size as u64,
                                });
                            }
                            other => return Err(Error::internal(format!("encoding a log record: {other}"))),
                        }
                    }
                }
            }
            if rolled_over {
                return Err(Error::internal("a fresh segment has no room for one record"));
            }
            self.roll_over(&mut writer)?;
            rolled_over = true;
        }
    }

    /// Starts a new segment (the spare, or a new one made now) at the next LSN.
    fn roll_over(&self, writer: &mut Writer) -> Result<()> {
        let seq = writer.current.seq + 1;
        let next = {
            // Waits here if the worker is making the spare right now.
            let mut spare = self.spare.lock();
            let next = match spare.take() {
                Some(ready) if ready.seq == seq => ready,
                other => {
                    if let Some(stale) = other {
                        let _ = std::fs::remove_file(&stale.path);
                    }
                    make_segment(&self.dir, seq, self.segment_bytes, &self.faults)?
                }
            };
            self.current_seq.store(seq, Ordering::Release);
            next
        };
        activate(&next, writer.next_lsn);
        writer.spans.push(SegmentSpan { seq, first_lsn: writer.next_lsn, path: next.path.clone() });
        let previous = std::mem::replace(&mut writer.current, Arc::new(next));
        let previous_end = writer.offset;
        writer.sealed.push((previous, previous_end));
        writer.offset = SEGMENT_HEADER_BYTES;
        Ok(())
    }

    /// Ends the current segment now, so that everything before this point can be removed by the
    /// next checkpoint. Skipped when the current segment holds no record yet.
    pub(crate) fn roll_over_now(&self) -> Result<()> {
        let mut writer = self.writer.lock();
        if writer.offset == SEGMENT_HEADER_BYTES {
            return Ok(());
        }
        self.roll_over(&mut writer)
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
            (writer.next_lsn - 1, writer.sealed.clone(), writer.current.clone(), writer.offset)
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

    /// Removes every segment whose records all have LSNs at or below `lsn` (a durable
    /// checkpoint covers them). The current segment always stays.
    pub(crate) fn remove_segments_through(&self, lsn: Lsn) -> Result<usize> {
        let removable: Vec<SegmentSpan> = {
            let mut writer = self.writer.lock();
            let keep_from = writer
                .spans
                .iter()
                .rposition(|span| span.first_lsn <= lsn + 1)
                .unwrap_or(0)
                .min(writer.spans.len().saturating_sub(1));
            writer.spans.drain(..keep_from).collect()
        };
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

    /// The live segments, oldest first: sequence number, first LSN, path.
    pub(crate) fn span_list(&self) -> Vec<(u64, Lsn, PathBuf)> {
        self.writer.lock().spans.iter().map(|span| (span.seq, span.first_lsn, span.path.clone())).collect()
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

/// Writes the header that makes a preallocated segment part of the log from `first_lsn` on.
fn activate(segment: &Segment, first_lsn: Lsn) {
    let header = encode_segment_header(segment.seq, first_lsn);
    // SAFETY: the segment is not yet visible to any other thread (it is being activated by the
    // writer, or by `open` before the log is shared), so nobody else touches its header.
    unsafe { segment.bytes_mut(0, SEGMENT_HEADER_BYTES) }.copy_from_slice(&header);
}
