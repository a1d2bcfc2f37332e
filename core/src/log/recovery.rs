//! Reading the log back: replay after a checkpoint, and the line between a torn tail and damage.
//!
//! Replay walks the segments in sequence order and hands every record after the checkpoint's
//! LSN to the caller, checking that LSNs run without a gap. It stops at the first bytes that are
//! not a valid frame and then decides what those bytes are:
//!
//! * **Torn tail.** No valid frame follows anywhere: the process or machine stopped in the
//!   middle of a write. The log is cut there (the bytes are zeroed, later segments removed) and
//!   the cut is reported in [`TornTail`].
//! * **Lost in flight.** Valid frames do follow, but none of them was appended after the bad
//!   position became durable (their `synced_lsn` watermarks are all below it) and the damaged
//!   range bears the mark of a write that never reached the disk (zeros where records were:
//!   see `looks_unwritten`), as when power fails while the kernel has written back some pages
//!   of an unsynced range and not others, possibly across a segment rollover. Nothing
//!   acknowledged as durable can be in that range, so the log is cut there too, and the report
//!   counts the valid-looking frames that were discarded.
//! * **Corruption.** Anything else: valid frames follow damage that cannot be explained by an
//!   interrupted write. Replay fails with [`Error::Corruption`] naming the file and offset;
//!   nothing is skipped silently.

use std::fs::{self, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use memmap2::Mmap;

use crate::error::{Error, Result};
use crate::ids::Lsn;
use crate::log::frame::{
    FRAME_HEADER_BYTES, FrameRead, SEGMENT_HEADER_BYTES, SegmentHeader, decode_segment_header, read_frame,
};
use crate::log::record::Record;
use crate::log::segment::{list_segments, map_for_reading, sync_dir};

/// A log cut during recovery.
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

/// A live segment, as recovery found it.
#[derive(Clone, Debug)]
pub(crate) struct SegmentSpan {
    pub(crate) seq: u64,
    pub(crate) first_lsn: Lsn,
    pub(crate) path: PathBuf,
}

/// Where appending resumes.
#[derive(Clone, Debug)]
pub(crate) struct ResumePoint {
    pub(crate) seq: u64,
    pub(crate) path: PathBuf,
    pub(crate) offset: usize,
}

#[derive(Debug)]
pub(crate) struct Replayed {
    /// Live segments, in order; the last one is where appending resumes.
    pub(crate) spans: Vec<SegmentSpan>,
    pub(crate) resume: Option<ResumePoint>,
    /// Preallocated segments never activated, reusable as the next segment.
    pub(crate) unused: Vec<(u64, PathBuf)>,
    pub(crate) next_lsn: Lsn,
    pub(crate) records_replayed: u64,
    pub(crate) torn_tail: Option<TornTail>,
    /// Highest segment number seen (live or not), so new segments never reuse a name.
    pub(crate) max_seq: u64,
}

struct MappedSegment {
    seq: u64,
    path: PathBuf,
    bytes: Option<Mmap>,
    header: SegmentHeader,
}

impl MappedSegment {
    fn data(&self) -> &[u8] {
        self.bytes.as_deref().unwrap_or(&[])
    }
}

/// How far to look ahead of an expected LSN for frames that prove data follows damage.
const LSN_LOOKAHEAD: u64 = 1 << 40;
const SECTOR_BYTES: usize = 512;
const PAGE_BYTES: usize = 4096;
const UNWRITTEN_RUN_BYTES: usize = 32;

/// Replays every record with an LSN above `after_lsn` through `apply`, in LSN order, and
/// repairs a torn tail. `repair: false` reads only (for inspection) and reports what it would cut.
/// `after_lsn: None` replays from the oldest record still in the log.
pub(crate) fn replay(
    dir: &Path,
    after_lsn: Option<Lsn>,
    repair: bool,
    mut apply: impl FnMut(Lsn, Record<'_>) -> Result<()>,
) -> Result<Replayed> {
    let mut segments = Vec::new();
    for (seq, path) in list_segments(dir)? {
        let bytes = map_for_reading(&path)?;
        let header = bytes.as_deref().map_or(SegmentHeader::Unused, decode_segment_header);
        segments.push(MappedSegment { seq, path, bytes, header });
    }
    let max_seq = segments.last().map_or(0, |s| s.seq);

    // Activated segments come first. Whatever follows the first segment without a valid header
    // is the tail zone: preallocated spares, or segments whose header page never reached the
    // disk (judged below, once the log's last LSN is known).
    let active_count = segments.iter().take_while(|s| matches!(s.header, SegmentHeader::Active { .. })).count();
    let active: Vec<&MappedSegment> = segments[..active_count].iter().collect();
    let tail_zone: Vec<&MappedSegment> = segments[active_count..].iter().collect();
    let mut spans = Vec::with_capacity(active.len());
    for (i, segment) in active.iter().enumerate() {
        let SegmentHeader::Active { seq, first_lsn } = segment.header else {
            return Err(Error::corruption(&segment.path, 0, "segment header is damaged"));
        };
        if seq != segment.seq {
            return Err(Error::corruption(&segment.path, 16, format!("header says segment {seq}")));
        }
        if i > 0 && segment.seq != active[i - 1].seq + 1 {
            return Err(Error::corruption(
                &segment.path,
                0,
                format!("segment {} is missing before it", active[i - 1].seq + 1),
            ));
        }
        spans.push(SegmentSpan { seq, first_lsn, path: segment.path.clone() });
    }

    let after_lsn = after_lsn.unwrap_or_else(|| spans.first().map_or(0, |s| s.first_lsn - 1));
    // Segments wholly at or below the checkpoint are left over from an interrupted cleanup.
    let start = spans.iter().rposition(|s| s.first_lsn <= after_lsn + 1).unwrap_or(0);
    if let Some(first) = spans.get(start)
        && first.first_lsn > after_lsn + 1
    {
        return Err(Error::corruption(
            &first.path,
            24,
            format!("the log starts at LSN {} but the checkpoint ends at LSN {after_lsn}", first.first_lsn),
        ));
    }
    let stale: Vec<SegmentSpan> = spans.drain(..start).collect();
    let active = &active[start..];

    let mut expected = spans.first().map_or(after_lsn + 1, |s| s.first_lsn);
    let mut records_replayed = 0u64;
    let mut resume = None;
    let mut torn_tail = None;
    'segments: for (k, segment) in active.iter().enumerate() {
        let data = segment.data();
        // (A later segment that does not continue the log is judged where the previous ends.)
        if k == 0 && spans[k].first_lsn != expected {
            return Err(Error::corruption(
                &segment.path,
                24,
                format!("segment starts at LSN {} but LSN {expected} comes next", spans[k].first_lsn),
            ));
        }
        let mut offset = SEGMENT_HEADER_BYTES;
        loop {
            let bad_reason = match read_frame(data, offset) {
                FrameRead::Valid { lsn, payload, next_offset, .. } if lsn == expected => {
                    if lsn > after_lsn {
                        let record = Record::from_bytes(payload).map_err(|e| {
                            Error::corruption(
                                &segment.path,
                                offset as u64,
                                format!("record {lsn} does not decode: {e}"),
                            )
                        })?;
                        apply(lsn, record)?;
                        records_replayed += 1;
                    }
                    expected += 1;
                    offset = next_offset;
                    continue;
                }
                FrameRead::Valid { .. } => "record out of LSN sequence",
                FrameRead::Invalid { reason } => reason,
                FrameRead::End => {
                    let is_last = k + 1 == active.len();
                    let later_here = later_frames(data, offset, expected, &[]);
                    if !later_here.is_empty() {
                        "a gap of zeros inside the written log"
                    } else if is_last {
                        resume = Some(ResumePoint { seq: segment.seq, path: segment.path.clone(), offset });
                        break 'segments;
                    } else if spans[k + 1].first_lsn == expected {
                        continue 'segments;
                    } else {
                        "the next segment does not continue the log from here"
                    }
                }
            };
            // Bytes at `offset` are not the next record: torn tail, lost in flight, or damage.
            let following: Vec<&[u8]> = active[k + 1..].iter().map(|s| s.data()).collect();
            let later = later_frames(data, offset + 1, expected, &following);
            // With nothing valid after it in this segment, the damage runs to the segment's end.
            let damaged_end = later.first_in_segment.unwrap_or(data.len());
            let lost_in_flight =
                !later.is_empty() && later.max_synced_lsn < expected && looks_unwritten(data, offset, damaged_end);
            if !later.is_empty() && !lost_in_flight {
                return Err(Error::corruption(
                    &segment.path,
                    offset as u64,
                    format!("{bad_reason} where LSN {expected} should be, followed by {} valid record(s)", later.count),
                ));
            }
            let damaged_bytes = (last_nonzero_end(data).max(offset) - offset) as u64;
            torn_tail = Some(TornTail {
                path: segment.path.clone(),
                offset: offset as u64,
                damaged_bytes,
                discarded_records: later.count,
                reason: bad_reason,
            });
            resume = Some(ResumePoint { seq: segment.seq, path: segment.path.clone(), offset });
            // Everything after the cut goes: the rest of this segment and any later segments.
            let cut_after = k + 1;
            if repair {
                zero_range(&segment.path, offset, offset + damaged_bytes as usize)?;
                for later_segment in &active[cut_after..] {
                    fs::remove_file(&later_segment.path)
                        .map_err(|e| Error::io(&later_segment.path, "removing a segment after a torn tail", e))?;
                }
                if cut_after < active.len() {
                    sync_dir(dir)?;
                }
            }
            spans.truncate(cut_after);
            break 'segments;
        }
    }
    // The tail zone: clean spares are kept for reuse; anything else holds records that never
    // became durable (no flush ever covered a segment whose header is missing, since a flush
    // writes a segment from its first byte), unless a frame says otherwise.
    let mut unused: Vec<(u64, PathBuf)> = Vec::new();
    let mut leftovers: Vec<&MappedSegment> = Vec::new();
    for segment in &tail_zone {
        let data = segment.data();
        if data.iter().all(|&b| b == 0) {
            unused.push((segment.seq, segment.path.clone()));
            continue;
        }
        let found = later_frames(data, SEGMENT_HEADER_BYTES.min(data.len()), expected, &[]);
        if found.max_synced_lsn >= expected {
            return Err(Error::corruption(
                &segment.path,
                0,
                format!("segment header is damaged but holds records written after LSN {expected} was durable"),
            ));
        }
        let report = torn_tail.get_or_insert_with(|| TornTail {
            path: segment.path.clone(),
            offset: 0,
            damaged_bytes: 0,
            discarded_records: 0,
            reason: "a segment's header never reached the disk",
        });
        report.discarded_records += found.count;
        report.damaged_bytes += last_nonzero_end(data) as u64;
        leftovers.push(segment);
    }
    // A log that ends before its checkpoint (damage behind the checkpoint's LSN) continues in a
    // fresh segment after the checkpoint; the old segments are all covered by it.
    let mut stale = stale;
    if expected <= after_lsn {
        stale.append(&mut spans);
        resume = None;
        expected = after_lsn + 1;
    }
    if repair {
        if let Some(resume) = &resume {
            // Bytes after the last record that are not a record (a torn frame cut earlier, or
            // garbage) are cleared, so that nothing old lies beyond what is appended next.
            let data = active.iter().find(|s| s.seq == resume.seq).map(|s| s.data()).unwrap_or(&[]);
            zero_range(&resume.path, resume.offset, last_nonzero_end(data).max(resume.offset))?;
        }
        let removed = stale.iter().map(|s| &s.path).chain(leftovers.iter().map(|s| &s.path));
        let mut any = false;
        for path in removed {
            fs::remove_file(path).map_err(|e| Error::io(path, "removing a segment recovery no longer needs", e))?;
            any = true;
        }
        if any {
            sync_dir(dir)?;
        }
    }
    Ok(Replayed { spans, resume, unused, next_lsn: expected, records_replayed, torn_tail, max_seq })
}

#[derive(Debug, Default)]
struct LaterFrames {
    count: u64,
    max_synced_lsn: Lsn,
    /// Offset of the first one found in the damaged segment itself, if any.
    first_in_segment: Option<usize>,
}

impl LaterFrames {
    fn is_empty(&self) -> bool {
        self.count == 0
    }
}

/// Valid frames with an LSN at or above `min_lsn` anywhere from `from` in `data` (trying every
/// byte offset, since damage can shift frame boundaries) and in the `following` segments.
fn later_frames(data: &[u8], from: usize, min_lsn: Lsn, following: &[&[u8]]) -> LaterFrames {
    let mut found = LaterFrames::default();
    let mut note = |lsn: Lsn, synced_lsn: Lsn| -> bool {
        if lsn >= min_lsn && lsn < min_lsn.saturating_add(LSN_LOOKAHEAD) {
            found.count += 1;
            found.max_synced_lsn = found.max_synced_lsn.max(synced_lsn);
            true
        } else {
            false
        }
    };
    let mut offset = from;
    while offset + FRAME_HEADER_BYTES <= data.len() {
        // Skip runs of zeros quickly: a frame header always holds a non-zero LSN in bytes 8..16.
        if data[offset..offset + FRAME_HEADER_BYTES].iter().all(|&b| b == 0) {
            match data[offset + FRAME_HEADER_BYTES..].iter().position(|&b| b != 0) {
                Some(nonzero) => {
                    offset =
                        (offset + FRAME_HEADER_BYTES + nonzero).saturating_sub(FRAME_HEADER_BYTES - 1).max(offset + 1);
                    continue;
                }
                None => break,
            }
        }
        match read_frame(data, offset) {
            FrameRead::Valid { lsn, synced_lsn, next_offset, .. } if note(lsn, synced_lsn) => {
                found.first_in_segment.get_or_insert(offset);
                offset = next_offset;
            }
            _ => offset += 1,
        }
    }
    for segment in following {
        if !matches!(decode_segment_header(segment), SegmentHeader::Active { .. }) {
            continue;
        }
        let mut offset = SEGMENT_HEADER_BYTES;
        while let FrameRead::Valid { lsn, synced_lsn, next_offset, .. } = read_frame(segment, offset) {
            note(lsn, synced_lsn);
            offset = next_offset;
        }
    }
    found
}

/// Whether `data[from..to]` looks like bytes a write never reached (after a power cut, the
/// kernel may have written some pages of an unsynced range and not others, and a page it wrote
/// early holds only the records appended before that moment): all zeros; or a whole zero
/// sector; or a run of zeros that ends at a page boundary or at `to`. A flipped bit leaves no
/// such mark, and records hold no runs of `UNWRITTEN_RUN_BYTES` zeros of their own.
fn looks_unwritten(data: &[u8], from: usize, to: usize) -> bool {
    let to = to.min(data.len());
    if from >= to {
        return false;
    }
    if data[from..to].iter().all(|&b| b == 0) || has_zero_sector(data, from, to) {
        return true;
    }
    let page_ends = (from.div_ceil(PAGE_BYTES)..=to / PAGE_BYTES).map(|page| page * PAGE_BYTES);
    page_ends.chain([to]).any(|end| {
        end <= to && end >= from + UNWRITTEN_RUN_BYTES && data[end - UNWRITTEN_RUN_BYTES..end].iter().all(|&b| b == 0)
    })
}

/// Whether `data[from..to]` contains a whole, sector-aligned block of zeros.
fn has_zero_sector(data: &[u8], from: usize, to: usize) -> bool {
    let mut sector = from.div_ceil(SECTOR_BYTES) * SECTOR_BYTES;
    while sector + SECTOR_BYTES <= to.min(data.len()) {
        if data[sector..sector + SECTOR_BYTES].iter().all(|&b| b == 0) {
            return true;
        }
        sector += SECTOR_BYTES;
    }
    false
}

fn last_nonzero_end(data: &[u8]) -> usize {
    data.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1)
}

/// Overwrites `from..to` of the file with zeros and waits for the disk.
fn zero_range(path: &Path, from: usize, to: usize) -> Result<()> {
    if to <= from {
        return Ok(());
    }
    let file =
        OpenOptions::new().write(true).open(path).map_err(|e| Error::io(path, "opening to cut a torn tail", e))?;
    let zeros = vec![0u8; (to - from).min(1 << 20)];
    let mut at = from;
    while at < to {
        let n = (to - at).min(zeros.len());
        file.write_all_at(&zeros[..n], at as u64).map_err(|e| Error::io(path, "cutting a torn tail", e))?;
        at += n;
    }
    file.sync_data().map_err(|e| Error::io(path, "syncing a cut torn tail", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_sectors_are_found_only_when_whole_and_aligned() {
        let mut data = vec![1u8; 4096];
        assert!(!has_zero_sector(&data, 0, 4096));
        data[600..1100].fill(0); // not a whole aligned sector
        assert!(!has_zero_sector(&data, 0, 4096));
        data[1024..1536].fill(0);
        assert!(has_zero_sector(&data, 0, 4096));
        assert!(!has_zero_sector(&data, 0, 1500), "the sector must lie inside the range");
    }

    #[test]
    fn unwritten_ranges_are_told_from_flipped_bits() {
        let mut data = vec![7u8; 3 * 4096];
        assert!(!looks_unwritten(&data, 100, 300), "non-zero garbage is damage");
        data[4000..4096].fill(0); // a page written back before its last records were appended
        assert!(looks_unwritten(&data, 3990, 4200));
        data[4000..4096].fill(7);
        data[5000..5020].fill(0); // a short zero run mid-page proves nothing
        assert!(!looks_unwritten(&data, 4990, 5100));
        data[8000..8192].fill(0); // zeros to the end of the range (a segment's unused tail)
        assert!(looks_unwritten(&data, 8000, 8192));
        assert!(looks_unwritten(&data, 7990, 8192), "a run ending at the range's end");
    }
}
