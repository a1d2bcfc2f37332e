//! Reading a data directory's log without changing a byte: the segment chain, every record in
//! it, and a description of where it stops, for [`judge`](super::judge).
//!
//! The scan reads each segment into memory with ordinary reads (never a mapping, so nothing it
//! holds can change under it, whoever writes the files) one at a time, in the order the chain
//! gives: the manifest names the first segment; each segment's end says whether the log went on
//! in the next one (a sealed end mark), and the next one must then be there, numbered one more,
//! starting at the next LSN. Records after the checkpoint go to the caller as they are read.
//! The first position that does not hold the next record is the stop; what lies there and after
//! it (up to the last byte of the last segment file) becomes a [`Stop`].

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::ids::Lsn;
use crate::limits::{RECORD_BYTES_MAX, SEGMENT_BYTES_MAX};
use crate::log::frame::{
    ActiveHeader, END_MARK_BYTES, FRAME_HEADER_BYTES, FrameRead, SEGMENT_HEADER_BYTES, SegmentHeader,
    decode_segment_header, read_frame, sealing_frame_end,
};
use crate::log::judge::{After, Found, Stop, Stopped};
use crate::log::manifest::Manifest;
use crate::log::record::Record;
use crate::log::segment::{list_segments, zero_filled};

/// How far to look ahead of an expected LSN for frames that prove data follows damage.
const LSN_LOOKAHEAD: u64 = 1 << 40;
const SECTOR_BYTES: usize = 512;
const PAGE_BYTES: usize = 4096;
const UNWRITTEN_RUN_BYTES: usize = 32;

/// A live segment, as recovery found it.
#[derive(Clone, Debug)]
pub(crate) struct SegmentSpan {
    pub(crate) seq: u64,
    pub(crate) first_lsn: Lsn,
    pub(crate) path: PathBuf,
}

/// What the scan is told before it starts.
pub(crate) struct ScanInput<'a> {
    pub(crate) dir: &'a Path,
    pub(crate) manifest: Option<&'a Manifest>,
    pub(crate) stopped: Stopped,
    /// The checkpoint recovery starts from (0: none): the log must reach back to it, and
    /// everything at or below it is durable.
    pub(crate) checkpoint_lsn: Lsn,
    /// Records at or below it are not handed to the caller (the checkpoint's LSN for an open;
    /// 0 to see every record still in the log).
    pub(crate) apply_after: Lsn,
    /// Where to start when there is no manifest to say: `Some(lsn)` needs the log to reach back
    /// to `lsn + 1` (a checkpoint's); `None` starts at the oldest segment (inspection).
    pub(crate) legacy_after: Option<Lsn>,
}

/// Where the scan stopped and what it found there.
#[derive(Debug)]
pub(crate) struct Scanned {
    /// Live segments through the one holding the stop, oldest first.
    pub(crate) spans: Vec<SegmentSpan>,
    /// Segments before the log's start (a checkpoint covers them).
    pub(crate) stale: Vec<PathBuf>,
    /// Segment files after the stop's segment that hold something (a cut removes them).
    pub(crate) later_files: Vec<PathBuf>,
    /// Segment files after the stop's segment that are all zeros: spares to reuse.
    pub(crate) spares: Vec<(u64, PathBuf)>,
    /// Highest segment number seen, so new segments never reuse a name.
    pub(crate) max_seq: u64,
    pub(crate) records_replayed: u64,
    /// The LSN the stop's position should hold.
    pub(crate) next_lsn: Lsn,
    /// The highest LSN proven durable (manifest, checkpoint, watermarks before the stop).
    pub(crate) durable_lsn: Lsn,
    /// The segment and byte offset of the stop.
    pub(crate) path: PathBuf,
    pub(crate) offset: usize,
    /// The segment at the stop has end marks (appending may resume there).
    pub(crate) end_marks: bool,
    /// Where the nonzero bytes at and after the stop end in its segment.
    pub(crate) damaged_end: usize,
    /// Valid records after the stop (in its segment and in later files).
    pub(crate) later_records: u64,
    pub(crate) stop: Stop,
    /// Why the stop's bytes are not the next record.
    pub(crate) reason: &'static str,
    /// The log id in the chain's format-2 headers (for a log whose manifest is not yet written).
    pub(crate) log_id: Option<u64>,
}

/// A segment file read whole.
struct Loaded {
    seq: u64,
    path: PathBuf,
    bytes: Vec<u8>,
    header: SegmentHeader,
}

fn load(seq: u64, path: &Path) -> Result<Loaded> {
    let len = std::fs::metadata(path).map_err(|e| Error::io(path, "reading log segment size", e))?.len();
    // No segment is made longer (a record bigger than a segment gets one just big enough).
    if len > SEGMENT_BYTES_MAX {
        return Err(Error::corruption(path, 0, format!("a segment file of {len} bytes, above SEGMENT_BYTES_MAX")));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, "reading log segment", e))?;
    let header = decode_segment_header(&bytes);
    Ok(Loaded { seq, path: path.to_path_buf(), bytes, header })
}

/// The first 64 bytes of a segment file (or fewer): enough to choose where the chain starts.
fn peek_header(path: &Path) -> Result<SegmentHeader> {
    use std::io::Read;
    let mut head = Vec::with_capacity(SEGMENT_HEADER_BYTES);
    std::fs::File::open(path)
        .and_then(|file| file.take(SEGMENT_HEADER_BYTES as u64).read_to_end(&mut head))
        .map_err(|e| Error::io(path, "reading log segment header", e))?;
    Ok(decode_segment_header(&head))
}

/// Scans the log of `input.dir`, handing every record above the checkpoint to `apply` in LSN
/// order. Fails with `Corruption` for damage that needs no judging (a missing or misnumbered
/// segment, a segment of another log) and returns the stop for everything else.
pub(crate) fn scan(input: &ScanInput<'_>, mut apply: impl FnMut(Lsn, Record<'_>) -> Result<()>) -> Result<Scanned> {
    let files = list_segments(input.dir)?;
    let max_seq = files.last().map_or(0, |(seq, _)| *seq);
    let (start, stale) = chain_start(input, &files)?;
    let Some(start) = start else {
        return empty_log(input, max_seq, stale, &files);
    };
    let mut segment = load(files[start].0, &files[start].1)?;
    let mut header = check_chain_segment(input, &segment, None)?;
    if header.first_lsn > input.checkpoint_lsn + 1 {
        return Err(Error::corruption(
            &segment.path,
            24,
            format!(
                "the log starts at LSN {} but the checkpoint ends at LSN {}",
                header.first_lsn, input.checkpoint_lsn
            ),
        ));
    }
    let mut progress = Progress {
        expected: header.first_lsn,
        durable: input.manifest.map_or(0, |m| m.durable_lsn).max(input.checkpoint_lsn),
        records_replayed: 0,
    };
    let mut spans = Vec::new();
    let mut index = start;
    let mut log_id = None;
    loop {
        spans.push(SegmentSpan { seq: segment.seq, first_lsn: header.first_lsn, path: segment.path.clone() });
        if header.has_end_marks() {
            // Without a manifest to say which log this is, its segments must at least agree.
            if log_id.is_some_and(|id| id != header.log_id) {
                return Err(Error::corruption(
                    &segment.path,
                    32,
                    "the segment belongs to another data directory's log",
                ));
            }
            log_id = Some(header.log_id);
        }
        let offset = replay_segment(input, &segment, &header, &mut progress, &mut apply)?;
        let read = read_frame(&segment.bytes, offset);
        let sealed_here =
            matches!(read, FrameRead::EndMark { next_lsn, sealed: true } if next_lsn == progress.expected);
        let goes_on = sealed_here || may_go_on_unsealed(input, &header, &read, progress.expected);
        if goes_on
            && let Some(next) = next_in_chain(&files[index + 1..], &segment, progress.expected, sealed_here, offset)?
        {
            header = check_chain_segment(input, &next, Some(progress.expected))?;
            segment = next;
            index += 1;
            continue;
        }
        let Progress { expected, durable, records_replayed } = progress;
        let observed = Observed { read, sealed_here, offset, expected, durable, end_marks: header.has_end_marks() };
        let described = describe_stop(input, observed, &segment, &files[index + 1..])?;
        return Ok(Scanned {
            spans,
            stale,
            later_files: described.later_files,
            spares: described.spares,
            max_seq,
            records_replayed,
            next_lsn: expected,
            durable_lsn: durable,
            path: segment.path.clone(),
            offset,
            end_marks: header.has_end_marks(),
            damaged_end: described.damaged_end,
            later_records: described.later_records,
            stop: described.stop,
            reason: described.reason,
            log_id,
        });
    }
}

/// How far the walk has come: the next LSN, the highest LSN proven durable, records applied.
struct Progress {
    expected: Lsn,
    durable: Lsn,
    records_replayed: u64,
}

/// Applies every record of `segment` that is the next in sequence (and, after a clean close,
/// not past the recorded end); returns the offset of the first bytes that are not.
fn replay_segment(
    input: &ScanInput<'_>,
    segment: &Loaded,
    header: &ActiveHeader,
    progress: &mut Progress,
    apply: &mut impl FnMut(Lsn, Record<'_>) -> Result<()>,
) -> Result<usize> {
    let clean_end = input.manifest.filter(|m| m.closed).map(|m| m.durable_lsn);
    let mut offset = SEGMENT_HEADER_BYTES;
    loop {
        let FrameRead::Valid { lsn, synced_lsn, payload, next_offset } = read_frame(&segment.bytes, offset) else {
            return Ok(offset);
        };
        if lsn != progress.expected || clean_end.is_some_and(|end| lsn > end) {
            return Ok(offset);
        }
        // A log from before manifests has format-1 segments; records in a format-2 segment were
        // written with a manifest beside them.
        if header.has_end_marks() && input.manifest.is_none() {
            return Err(Error::corruption(
                &segment.path,
                offset as u64,
                "the log's MANIFEST is missing, yet its segments hold records",
            ));
        }
        if lsn > input.apply_after {
            let record = Record::from_bytes(payload).map_err(|e| {
                Error::corruption(&segment.path, offset as u64, format!("record {lsn} does not decode: {e}"))
            })?;
            apply(lsn, record)?;
            progress.records_replayed += 1;
        }
        progress.durable = progress.durable.max(synced_lsn);
        progress.expected += 1;
        offset = next_offset;
    }
}

/// Whether the log may go on in the next segment although this one does not end in a sealed
/// end mark: a format-1 segment never had one; after a power loss the write that sealed it may
/// not have reached the disk while the next segment's pages did (its plain end mark, or zeros,
/// still stand). After a clean close or a process crash the page cache held the seal, so an
/// unsealed end is the end, and damage there is judged, not stepped over.
fn may_go_on_unsealed(input: &ScanInput<'_>, header: &ActiveHeader, read: &FrameRead<'_>, expected: Lsn) -> bool {
    if !header.has_end_marks() {
        return true;
    }
    let end_left_standing = matches!(read, FrameRead::End)
        || matches!(read, FrameRead::EndMark { next_lsn, sealed: false } if *next_lsn == expected);
    input.stopped == Stopped::PowerLoss && end_left_standing
}

/// The segment that continues the log after `segment` (whose records end at `offset`), if the
/// next file is numbered one more and starts at `expected`. A sealed end mark whose segment is
/// not there at all is corruption: the newest segment was deleted.
fn next_in_chain(
    following: &[(u64, PathBuf)],
    segment: &Loaded,
    expected: Lsn,
    sealed_here: bool,
    offset: usize,
) -> Result<Option<Loaded>> {
    let next = following.first().filter(|(seq, _)| *seq == segment.seq + 1);
    let Some((seq, path)) = next else {
        if sealed_here {
            return Err(Error::corruption(
                &segment.path,
                offset as u64,
                format!(
                    "segment {} is missing: the end of segment {} says the log goes on there from LSN {expected}",
                    segment.seq + 1,
                    segment.seq
                ),
            ));
        }
        return Ok(None);
    };
    let continues = matches!(peek_header(path)?, SegmentHeader::Active(h) if h.seq == *seq && h.first_lsn == expected);
    if continues { load(*seq, path).map(Some) } else { Ok(None) }
}

/// The index in `files` of the segment the log starts at (`None`: there is no log yet), and
/// the segments before it, which a checkpoint covers.
fn chain_start(input: &ScanInput<'_>, files: &[(u64, PathBuf)]) -> Result<(Option<usize>, Vec<PathBuf>)> {
    if let Some(manifest) = input.manifest {
        let start = files.iter().position(|(seq, _)| *seq == manifest.first_seq).ok_or_else(|| {
            Error::corruption(
                crate::log::segment::segment_path(input.dir, manifest.first_seq),
                0,
                format!("segment {}, where the log starts, is missing", manifest.first_seq),
            )
        })?;
        let stale = files[..start].iter().map(|(_, path)| path.clone()).collect();
        return Ok((Some(start), stale));
    }
    // A log from before manifests: active segments come first; start at the last one that
    // reaches back to the checkpoint.
    let mut headers = Vec::new();
    for (seq, path) in files {
        match peek_header(path)? {
            SegmentHeader::Active(header) if header.seq == *seq => headers.push(header),
            _ => break,
        }
    }
    if headers.is_empty() {
        return Ok((None, Vec::new()));
    }
    let start = match input.legacy_after {
        Some(after) => headers.iter().rposition(|h| h.first_lsn <= after + 1).unwrap_or(0),
        None => 0,
    };
    Ok((Some(start), files[..start].iter().map(|(_, path)| path.clone()).collect()))
}

/// A directory without a log yet (no manifest, no segment with a valid header): nothing to
/// replay. Zero-filled segment files are spares; anything else would be records without a
/// log to put them in.
fn empty_log(input: &ScanInput<'_>, max_seq: u64, stale: Vec<PathBuf>, files: &[(u64, PathBuf)]) -> Result<Scanned> {
    let mut spares = Vec::new();
    for (seq, path) in files {
        if !zero_filled(path)? {
            return Err(Error::corruption(path, 0, "a segment file without a valid header, and no log it belongs to"));
        }
        spares.push((*seq, path.clone()));
    }
    let next_lsn = input.checkpoint_lsn + 1;
    Ok(Scanned {
        spans: Vec::new(),
        stale,
        later_files: Vec::new(),
        spares,
        max_seq,
        records_replayed: 0,
        next_lsn,
        durable_lsn: input.checkpoint_lsn,
        path: input.dir.to_path_buf(),
        offset: 0,
        end_marks: false,
        damaged_end: 0,
        later_records: 0,
        stop: Stop {
            stopped: input.stopped,
            below_durable: false,
            end_marks: false,
            found: Found::Zeros,
            after: After::Nothing,
            looks_unwritten: false,
        },
        reason: "no log yet",
        log_id: None,
    })
}

/// Checks that a segment is the one the chain expects here: an active header with the file's
/// own number, of this log, whole, and (after the first) starting at `continuing`.
fn check_chain_segment(input: &ScanInput<'_>, segment: &Loaded, continuing: Option<Lsn>) -> Result<ActiveHeader> {
    let path = &segment.path;
    let header = match segment.header {
        SegmentHeader::Active(header) => header,
        SegmentHeader::Unused => return Err(Error::corruption(path, 0, "the segment where the log starts is empty")),
        SegmentHeader::Invalid => return Err(Error::corruption(path, 0, "segment header is damaged")),
    };
    if header.seq != segment.seq {
        return Err(Error::corruption(path, 16, format!("the file holds segment {}, not {}", header.seq, segment.seq)));
    }
    if header.has_end_marks() {
        if let Some(manifest) = input.manifest
            && header.log_id != manifest.log_id
        {
            return Err(Error::corruption(path, 32, "the segment belongs to another data directory's log"));
        }
        if header.segment_bytes != segment.bytes.len() as u64 {
            return Err(Error::corruption(
                path,
                40,
                format!(
                    "the segment is {} bytes long; it was made {} bytes long",
                    segment.bytes.len(),
                    header.segment_bytes
                ),
            ));
        }
    }
    if let Some(expected) = continuing
        && header.first_lsn != expected
    {
        return Err(Error::corruption(
            path,
            24,
            format!("segment starts at LSN {} but LSN {expected} comes next", header.first_lsn),
        ));
    }
    Ok(header)
}

/// What the walk saw where it stopped.
struct Observed<'a> {
    read: FrameRead<'a>,
    /// The stop is a sealed end mark whose next segment is not the log's continuation.
    sealed_here: bool,
    offset: usize,
    expected: Lsn,
    durable: Lsn,
    end_marks: bool,
}

struct Described {
    stop: Stop,
    reason: &'static str,
    later_files: Vec<PathBuf>,
    spares: Vec<(u64, PathBuf)>,
    later_records: u64,
    damaged_end: usize,
}

/// Describes the stop at `observed.offset` of `segment`, looking at the rest of it and at every
/// segment file after it (`following`).
fn describe_stop(
    input: &ScanInput<'_>,
    observed: Observed<'_>,
    segment: &Loaded,
    following: &[(u64, PathBuf)],
) -> Result<Described> {
    let data = &segment.bytes;
    let Observed { read, sealed_here, offset, expected, durable, end_marks } = observed;
    let (found, reason, search_from) = classify(read, sealed_here, data, offset, expected);
    let mut later = later_frames(data, search_from, expected);
    let after_here = Survey::following(following, segment.seq, expected)?;
    later.merge(after_here.later);
    let nonzero_end = last_nonzero_end(data);
    let here_nonzero_end = nonzero_end.max(offset);
    let after = if later.count > 0 {
        if later.max_synced_lsn >= expected { After::SyncedRecords } else { After::UnsyncedRecords }
    } else if nonzero_end > search_from || !after_here.files.is_empty() {
        // An unfinished append lies right behind an end mark (which its header will replace):
        // at most its payload, then the next end mark; or, when it needed a new segment, that
        // segment caught while it was being activated.
        let other_files = after_here.files.len() - usize::from(after_here.rollover_in_progress);
        let unfinished = found == Found::EndMark
            && other_files == 0
            && here_nonzero_end <= search_from + RECORD_BYTES_MAX + END_MARK_BYTES;
        if unfinished { After::UnfinishedAppend } else { After::Junk }
    } else {
        After::Nothing
    };
    let looks_unwritten = if sealed_here {
        after_here.next_header_unwritten
    } else {
        looks_unwritten(data, offset, later.first_in_segment.unwrap_or(data.len()))
    };
    let stop =
        Stop { stopped: input.stopped, below_durable: expected <= durable, end_marks, found, after, looks_unwritten };
    Ok(Described {
        stop,
        reason,
        later_files: after_here.files,
        spares: after_here.spares,
        later_records: later.count,
        damaged_end: here_nonzero_end,
    })
}

/// What the bytes at the stop are, why they are not the next record, and where to look for
/// what follows them.
fn classify(
    read: FrameRead<'_>,
    sealed_here: bool,
    data: &[u8],
    offset: usize,
    expected: Lsn,
) -> (Found, &'static str, usize) {
    match read {
        FrameRead::EndMark { next_lsn, sealed: false } if next_lsn == expected => {
            (Found::EndMark, "the log ends here", offset + END_MARK_BYTES)
        }
        _ if sealed_here => {
            (Found::Damage, "the segment the log goes on in is not its continuation", offset + END_MARK_BYTES)
        }
        FrameRead::End => (Found::Zeros, "zeros where the next record or the end mark should be", offset),
        FrameRead::Valid { lsn, .. } if lsn == expected => {
            (Found::Damage, "a record after the end of a cleanly closed log", offset)
        }
        FrameRead::Valid { .. } => (Found::Damage, "record out of LSN sequence", offset),
        FrameRead::EndMark { .. } => (Found::Damage, "an end mark for another LSN", offset),
        FrameRead::Invalid { reason } => match sealing_frame_end(data, offset, expected) {
            Some(extent) => (Found::Sealing, "a record whose header was being written", extent),
            None => (Found::Damage, reason, offset),
        },
    }
}

/// The segment files after the stop's segment.
struct Survey {
    /// Valid records in them at or after the expected LSN.
    later: LaterFrames,
    /// The ones holding anything (a cut removes them).
    files: Vec<PathBuf>,
    /// The all-zero ones: spares.
    spares: Vec<(u64, PathBuf)>,
    /// The first of them has no header (it is all zeros there).
    next_header_unwritten: bool,
    /// The first of them, numbered next, holds nothing but (part of) a header and the first end
    /// mark: a rollover caught while it activated the segment, before any record went there.
    rollover_in_progress: bool,
}

impl Survey {
    fn following(following: &[(u64, PathBuf)], seq: u64, expected: Lsn) -> Result<Survey> {
        let mut survey = Survey {
            later: LaterFrames::default(),
            files: Vec::new(),
            spares: Vec::new(),
            next_header_unwritten: false,
            rollover_in_progress: false,
        };
        for (i, (file_seq, path)) in following.iter().enumerate() {
            if zero_filled(path)? {
                survey.next_header_unwritten |= i == 0;
                survey.spares.push((*file_seq, path.clone()));
                continue;
            }
            let file = load(*file_seq, path)?;
            let found = later_frames(&file.bytes, 0, expected);
            if i == 0 {
                survey.next_header_unwritten = is_zero(&file.bytes[..file.bytes.len().min(SEGMENT_HEADER_BYTES)]);
                survey.rollover_in_progress = *file_seq == seq + 1
                    && found.count == 0
                    && last_nonzero_end(&file.bytes) <= SEGMENT_HEADER_BYTES + END_MARK_BYTES;
            }
            survey.later.merge(found);
            survey.files.push(path.clone());
        }
        Ok(survey)
    }
}

#[derive(Debug, Default)]
struct LaterFrames {
    count: u64,
    max_synced_lsn: Lsn,
    /// Offset of the first one found in the stop's own segment, if any.
    first_in_segment: Option<usize>,
}

impl LaterFrames {
    fn merge(&mut self, other: LaterFrames) {
        self.count += other.count;
        self.max_synced_lsn = self.max_synced_lsn.max(other.max_synced_lsn);
    }
}

/// Valid frames with an LSN at or above `min_lsn` anywhere from `from` in `data`, trying every
/// byte offset, since damage can shift frame boundaries (and a segment whose header never
/// reached the disk still holds frames at their places).
fn later_frames(data: &[u8], from: usize, min_lsn: Lsn) -> LaterFrames {
    let mut found = LaterFrames::default();
    let mut offset = from;
    while offset + FRAME_HEADER_BYTES <= data.len() {
        // Skip runs of zeros quickly: a frame header always holds a non-zero LSN in bytes 8..16.
        if is_zero(&data[offset..offset + FRAME_HEADER_BYTES]) {
            match first_nonzero(&data[offset + FRAME_HEADER_BYTES..]) {
                Some(nonzero) => {
                    offset =
                        (offset + FRAME_HEADER_BYTES + nonzero).saturating_sub(FRAME_HEADER_BYTES - 1).max(offset + 1);
                    continue;
                }
                None => break,
            }
        }
        match read_frame(data, offset) {
            FrameRead::Valid { lsn, synced_lsn, next_offset, .. }
                if lsn >= min_lsn && lsn < min_lsn.saturating_add(LSN_LOOKAHEAD) =>
            {
                found.count += 1;
                found.max_synced_lsn = found.max_synced_lsn.max(synced_lsn);
                found.first_in_segment.get_or_insert(offset);
                offset = next_offset;
            }
            _ => offset += 1,
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
    if is_zero(&data[from..to]) || has_zero_sector(data, from, to) {
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
        if is_zero(&data[sector..sector + SECTOR_BYTES]) {
            return true;
        }
        sector += SECTOR_BYTES;
    }
    false
}

/// Zero-scanning runs over whole 64 MiB segments at every open, so it goes a block at a time:
/// an OR over a block vectorises, a byte-by-byte search does not.
const ZERO_SCAN_BLOCK_BYTES: usize = 4096;

/// Whether every byte of `data` is zero.
pub(crate) fn is_zero(data: &[u8]) -> bool {
    data.chunks(ZERO_SCAN_BLOCK_BYTES).all(|block| block.iter().fold(0u8, |any, &b| any | b) == 0)
}

/// Where the last nonzero byte of `data` ends (0: all zeros).
pub(crate) fn last_nonzero_end(data: &[u8]) -> usize {
    let mut end = data.len();
    while end > 0 {
        let start = end.saturating_sub(ZERO_SCAN_BLOCK_BYTES);
        if !is_zero(&data[start..end]) {
            return data[start..end].iter().rposition(|&b| b != 0).map_or(start, |i| start + i + 1);
        }
        end = start;
    }
    0
}

/// The offset of the first nonzero byte of `data` (`None`: all zeros).
fn first_nonzero(data: &[u8]) -> Option<usize> {
    let mut start = 0;
    while start < data.len() {
        let end = (start + ZERO_SCAN_BLOCK_BYTES).min(data.len());
        if !is_zero(&data[start..end]) {
            return data[start..end].iter().position(|&b| b != 0).map(|i| start + i);
        }
        start = end;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_scans_find_the_first_and_last_nonzero_byte_across_blocks() {
        for len in [0, 1, 4095, 4096, 4097, 3 * 4096 + 17] {
            let mut data = vec![0u8; len];
            assert!(is_zero(&data) && last_nonzero_end(&data) == 0 && first_nonzero(&data).is_none(), "{len}");
            for at in [0, len / 2, len.saturating_sub(1)].into_iter().filter(|&at| at < len) {
                data.fill(0);
                data[at] = 9;
                assert!(!is_zero(&data), "{len} {at}");
                assert_eq!((first_nonzero(&data), last_nonzero_end(&data)), (Some(at), at + 1), "{len} {at}");
            }
        }
    }

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
