//! Record frames, end marks and segment headers: the byte layout of the log, and nothing else.
//!
//! ```text
//! segment file (preallocated, zero-filled; format 2):
//! +--------------------------- 64-byte segment header ---------------------------+
//! | 0..8 magic "ALLOTWAL" | 8..12 format u32 = 2 | 12..16 zero | 16..24 seq u64  |
//! | 24..32 first_lsn u64  | 32..40 log_id u64    | 40..48 segment length u64      |
//! | 48..52 crc32c of bytes 0..48 | 52..64 zero                                    |
//! +-------------------------------------------------------------------------------+
//! | frame | frame | ... | frame | end mark | zeros to the end of the file         |
//!
//! frame (24-byte header, then the payload; no padding):
//! | 0..4 payload_len u32 | 4..8 crc32c u32 | 8..16 lsn u64 | 16..24 synced_lsn u64 |
//! | 24..24+payload_len postcard-encoded record                                   |
//!
//! end mark (24 bytes, where the next frame's header will go):
//! | 0..4 0xFFFF_FFFF | 4..8 crc32c of bytes 0..4 and 8..24 | 8..16 next lsn u64 |
//! | 16..24 "ALLOTEND" (the writer goes on here) or "ALLOTNXT" (it went on in the |
//! |        segment numbered seq + 1, whose first LSN is the next lsn)           |
//! ```
//!
//! All integers are little-endian. The frame CRC covers bytes 0..4 and 8..24+payload_len, so a
//! frame is valid only if its length, LSN, watermark and payload all arrived. `synced_lsn` is
//! the durable LSN the writer knew when it appended the frame: recovery's in-band record of
//! every completed flush (see `recovery`).
//!
//! **The end mark** is why recovery can tell an unfinished append from damage. The written part
//! of a segment always ends in one: an append writes its payload after the current mark, then
//! the next mark after its payload, then its header over the old mark, the checksum last. So a
//! process that dies at any instruction leaves one of three shapes, all recognisable: the old
//! mark (perhaps followed by an unfinished payload), a header being sealed (its payload and the
//! next mark whole behind it), or a whole frame and its mark. Zeros where a mark should be, or
//! anything else, are damage, unless the machine itself went down before the page was written
//! back. A frame is only started where its mark fits behind it, so every segment ends in a mark.
//!
//! Format 1 (the first release) had a 36-byte header checksum at bytes 32..36, no log id and no
//! end marks; such segments are still read, never appended to.

use crate::ids::Lsn;
use crate::limits::RECORD_BYTES_MAX;

pub(crate) const SEGMENT_MAGIC: &[u8; 8] = b"ALLOTWAL";
/// The format this code writes.
pub(crate) const SEGMENT_FORMAT: u32 = 2;
const SEGMENT_FORMAT_1: u32 = 1;
pub(crate) const SEGMENT_HEADER_BYTES: usize = 64;
pub(crate) const FRAME_HEADER_BYTES: usize = 24;
pub(crate) const END_MARK_BYTES: usize = 24;
const END_MARK_LEN: u32 = u32::MAX;
const END_MAGIC: &[u8; 8] = b"ALLOTEND";
const SEALED_MAGIC: &[u8; 8] = b"ALLOTNXT";

/// What a segment header says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SegmentHeader {
    /// All zeros: preallocated, never activated.
    Unused,
    Active(ActiveHeader),
    /// Not zeros and not a valid header.
    Invalid,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ActiveHeader {
    pub(crate) format: u32,
    pub(crate) seq: u64,
    pub(crate) first_lsn: Lsn,
    /// The data directory's log id (format 2), or 0 (format 1).
    pub(crate) log_id: u64,
    /// The file's length when it was made (format 2), or 0 (format 1).
    pub(crate) segment_bytes: u64,
}

impl ActiveHeader {
    /// Whether the writer left end marks in this segment.
    pub(crate) fn has_end_marks(&self) -> bool {
        self.format >= 2
    }
}

pub(crate) fn encode_segment_header(
    seq: u64,
    first_lsn: Lsn,
    log_id: u64,
    segment_bytes: u64,
) -> [u8; SEGMENT_HEADER_BYTES] {
    let mut header = [0u8; SEGMENT_HEADER_BYTES];
    header[0..8].copy_from_slice(SEGMENT_MAGIC);
    header[8..12].copy_from_slice(&SEGMENT_FORMAT.to_le_bytes());
    header[16..24].copy_from_slice(&seq.to_le_bytes());
    header[24..32].copy_from_slice(&first_lsn.to_le_bytes());
    header[32..40].copy_from_slice(&log_id.to_le_bytes());
    header[40..48].copy_from_slice(&segment_bytes.to_le_bytes());
    let crc = crc32c::crc32c(&header[0..48]);
    header[48..52].copy_from_slice(&crc.to_le_bytes());
    header
}

pub(crate) fn decode_segment_header(bytes: &[u8]) -> SegmentHeader {
    if bytes.len() < SEGMENT_HEADER_BYTES {
        return if bytes.iter().all(|&b| b == 0) { SegmentHeader::Unused } else { SegmentHeader::Invalid };
    }
    let header = &bytes[..SEGMENT_HEADER_BYTES];
    if header.iter().all(|&b| b == 0) {
        return SegmentHeader::Unused;
    }
    if &header[0..8] != SEGMENT_MAGIC {
        return SegmentHeader::Invalid;
    }
    let format = u32_at(header, 8);
    let (checked, crc_at) = match format {
        SEGMENT_FORMAT_1 => (32, 32),
        SEGMENT_FORMAT => (48, 48),
        _ => return SegmentHeader::Invalid,
    };
    if u32_at(header, crc_at) != crc32c::crc32c(&header[0..checked]) {
        return SegmentHeader::Invalid;
    }
    let (log_id, segment_bytes) =
        if format == SEGMENT_FORMAT { (u64_at(header, 32), u64_at(header, 40)) } else { (0, 0) };
    SegmentHeader::Active(ActiveHeader {
        format,
        seq: u64_at(header, 16),
        first_lsn: u64_at(header, 24),
        log_id,
        segment_bytes,
    })
}

/// The end mark that says the next record will have `next_lsn`; `sealed` when the writer went
/// on in the next segment instead.
pub(crate) fn encode_end_mark(next_lsn: Lsn, sealed: bool) -> [u8; END_MARK_BYTES] {
    let mut mark = [0u8; END_MARK_BYTES];
    mark[0..4].copy_from_slice(&END_MARK_LEN.to_le_bytes());
    mark[8..16].copy_from_slice(&next_lsn.to_le_bytes());
    mark[16..24].copy_from_slice(if sealed { SEALED_MAGIC } else { END_MAGIC });
    let crc = frame_crc(&mark, 0);
    mark[4..8].copy_from_slice(&crc.to_le_bytes());
    mark
}

/// Writes the header of the frame whose payload is already at
/// `frame[FRAME_HEADER_BYTES..FRAME_HEADER_BYTES + payload_len]`, over the end mark that was
/// there: length, LSN and watermark first, the checksum last, so that the header is valid only
/// once all of it is written. `fence` runs between the two steps (a compiler fence in the
/// writer, which keeps the stores in this order).
pub(crate) fn seal_frame(frame: &mut [u8], payload_len: usize, lsn: Lsn, synced_lsn: Lsn, fence: impl Fn()) {
    debug_assert!((1..=RECORD_BYTES_MAX).contains(&payload_len));
    let len = payload_len as u32;
    frame[0..4].copy_from_slice(&len.to_le_bytes());
    frame[8..16].copy_from_slice(&lsn.to_le_bytes());
    frame[16..24].copy_from_slice(&synced_lsn.to_le_bytes());
    let crc = frame_crc(frame, payload_len);
    fence();
    frame[4..8].copy_from_slice(&crc.to_le_bytes());
}

fn frame_crc(frame: &[u8], payload_len: usize) -> u32 {
    let crc = crc32c::crc32c(&frame[0..4]);
    crc32c::crc32c_append(crc, &frame[8..FRAME_HEADER_BYTES + payload_len])
}

/// The little-endian `u32` at `at` of `bytes` (every integer of the log's files is one).
pub(crate) fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"))
}

/// The little-endian `u64` at `at` of `bytes`.
pub(crate) fn u64_at(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"))
}

/// One step of reading frames.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum FrameRead<'a> {
    /// A zero frame header (or no room for one).
    End,
    /// An end mark: the written part of the segment ends here.
    EndMark {
        next_lsn: Lsn,
        /// The log went on in the next segment.
        sealed: bool,
    },
    Valid {
        lsn: Lsn,
        synced_lsn: Lsn,
        payload: &'a [u8],
        next_offset: usize,
    },
    /// Bytes that are neither a frame nor an end mark: a torn write, or damage.
    Invalid {
        reason: &'static str,
    },
}

/// Reads the frame starting at `offset` of `segment` (a whole segment, header included).
pub(crate) fn read_frame(segment: &[u8], offset: usize) -> FrameRead<'_> {
    let Some(header) = segment.get(offset..offset + FRAME_HEADER_BYTES) else {
        // Too close to the end for a header: the writer never starts a frame there, so any
        // non-zero byte is left-over damage.
        return if crate::log::scan::is_zero(&segment[offset.min(segment.len())..]) {
            FrameRead::End
        } else {
            FrameRead::Invalid { reason: "bytes after the last room for a frame" }
        };
    };
    if header.iter().all(|&b| b == 0) {
        return FrameRead::End;
    }
    let payload_len = u32_at(header, 0);
    if payload_len == END_MARK_LEN {
        let magic = &header[16..24];
        let sealed = magic == SEALED_MAGIC;
        if (sealed || magic == END_MAGIC) && u32_at(header, 4) == frame_crc(header, 0) {
            return FrameRead::EndMark { next_lsn: u64_at(header, 8), sealed };
        }
        return FrameRead::Invalid { reason: "a damaged end mark" };
    }
    let payload_len = payload_len as usize;
    if payload_len == 0 || payload_len > RECORD_BYTES_MAX {
        return FrameRead::Invalid { reason: "frame length out of range" };
    }
    let end = offset + FRAME_HEADER_BYTES + payload_len;
    if end > segment.len() {
        return FrameRead::Invalid { reason: "frame runs past the end of the segment" };
    }
    let frame = &segment[offset..end];
    if u32_at(frame, 4) != frame_crc(frame, payload_len) {
        return FrameRead::Invalid { reason: "frame checksum mismatch" };
    }
    FrameRead::Valid {
        lsn: u64_at(frame, 8),
        synced_lsn: u64_at(frame, 16),
        payload: &frame[FRAME_HEADER_BYTES..],
        next_offset: end,
    }
}

/// Whether the bytes at `offset` are the header of the frame for `lsn` caught while being
/// sealed: a length in range, the LSN in place, the checksum field still the one of the end
/// mark for `lsn` that the header is being written over (the checksum is written last), and
/// the end mark for `lsn + 1` whole right after the payload (the writer puts it there before it
/// starts the header). Returns where that end mark ends. A whole frame damaged afterwards has
/// its own checksum in that field, so it never passes for one being sealed.
pub(crate) fn sealing_frame_end(segment: &[u8], offset: usize, lsn: Lsn) -> Option<usize> {
    let header = segment.get(offset..offset + FRAME_HEADER_BYTES)?;
    let payload_len = u32_at(header, 0) as usize;
    let old_mark = encode_end_mark(lsn, false);
    if payload_len == 0 || payload_len > RECORD_BYTES_MAX || u64_at(header, 8) != lsn || header[4..8] != old_mark[4..8]
    {
        return None;
    }
    let mark_at = offset + FRAME_HEADER_BYTES + payload_len;
    match read_frame(segment, mark_at) {
        FrameRead::EndMark { next_lsn, sealed: false } if next_lsn == lsn + 1 => Some(mark_at + END_MARK_BYTES),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A segment with `payloads` as frames from LSN 100 on, written as the writer does: each
    /// frame followed by the end mark of the next.
    fn segment_with(payloads: &[&[u8]]) -> Vec<u8> {
        let mut segment = vec![0u8; 4096];
        segment[..SEGMENT_HEADER_BYTES].copy_from_slice(&encode_segment_header(7, 100, 0xABCD, 4096));
        let mut offset = SEGMENT_HEADER_BYTES;
        for (i, payload) in payloads.iter().enumerate() {
            let start = offset + FRAME_HEADER_BYTES;
            segment[start..start + payload.len()].copy_from_slice(payload);
            let lsn = 100 + i as u64;
            let end = start + payload.len();
            segment[end..end + END_MARK_BYTES].copy_from_slice(&encode_end_mark(lsn + 1, false));
            seal_frame(&mut segment[offset..], payload.len(), lsn, 99, || {});
            offset = end;
        }
        segment
    }

    #[test]
    fn frames_round_trip_and_end_at_the_end_mark() {
        let segment = segment_with(&[b"first", b"second record"]);
        let SegmentHeader::Active(header) = decode_segment_header(&segment) else { panic!("active header") };
        assert_eq!((header.seq, header.first_lsn, header.log_id, header.segment_bytes), (7, 100, 0xABCD, 4096));
        assert!(header.has_end_marks());
        let FrameRead::Valid { lsn, synced_lsn, payload, next_offset } = read_frame(&segment, SEGMENT_HEADER_BYTES)
        else {
            panic!("first frame should be valid");
        };
        assert_eq!((lsn, synced_lsn, payload), (100, 99, &b"first"[..]));
        let FrameRead::Valid { lsn, payload, next_offset, .. } = read_frame(&segment, next_offset) else {
            panic!("second frame should be valid");
        };
        assert_eq!((lsn, payload), (101, &b"second record"[..]));
        assert_eq!(read_frame(&segment, next_offset), FrameRead::EndMark { next_lsn: 102, sealed: false });
        assert_eq!(read_frame(&segment, next_offset + END_MARK_BYTES), FrameRead::End);
    }

    #[test]
    fn every_single_bit_flip_is_detected() {
        let segment = segment_with(&[b"payload bytes"]);
        let frame_len = FRAME_HEADER_BYTES + 13;
        for byte in SEGMENT_HEADER_BYTES..SEGMENT_HEADER_BYTES + frame_len + END_MARK_BYTES {
            for bit in 0..8 {
                let mut damaged = segment.clone();
                damaged[byte] ^= 1 << bit;
                let read = read_frame(&damaged, SEGMENT_HEADER_BYTES);
                let intact_end = byte >= SEGMENT_HEADER_BYTES + frame_len;
                if intact_end {
                    let mark = read_frame(&damaged, SEGMENT_HEADER_BYTES + frame_len);
                    assert!(
                        matches!(mark, FrameRead::Invalid { .. }),
                        "flip of bit {bit} in end mark byte {byte}: {mark:?}"
                    );
                } else {
                    assert!(
                        !matches!(read, FrameRead::Valid { .. }),
                        "flip of bit {bit} in byte {byte} went unnoticed"
                    );
                }
            }
        }
        for byte in 0..52 {
            let mut damaged = segment.clone();
            damaged[byte] ^= 0x10;
            assert_eq!(decode_segment_header(&damaged), SegmentHeader::Invalid, "header byte {byte}");
        }
    }

    #[test]
    fn a_frame_caught_while_its_header_is_written_is_recognised_at_every_step() {
        let payload = b"the record being appended";
        let whole = segment_with(&[payload]);
        let at = SEGMENT_HEADER_BYTES;
        // Before the header: the old end mark, for the same LSN.
        let mut sealing = whole.clone();
        sealing[at..at + END_MARK_BYTES].copy_from_slice(&encode_end_mark(100, false));
        assert_eq!(read_frame(&sealing, at), FrameRead::EndMark { next_lsn: 100, sealed: false });
        // Each prefix of the header's stores in the writer's order: length, LSN, watermark, CRC.
        for written in [4, 16, 24] {
            let mut partial = sealing.clone();
            match written {
                4 => partial[at..at + 4].copy_from_slice(&whole[at..at + 4]),
                16 => {
                    partial[at..at + 4].copy_from_slice(&whole[at..at + 4]);
                    partial[at + 8..at + 16].copy_from_slice(&whole[at + 8..at + 16]);
                }
                _ => {
                    partial[at..at + 4].copy_from_slice(&whole[at..at + 4]);
                    partial[at + 8..at + 24].copy_from_slice(&whole[at + 8..at + 24]);
                }
            }
            assert!(matches!(read_frame(&partial, at), FrameRead::Invalid { .. }), "{written} bytes");
            assert_eq!(sealing_frame_end(&partial, at, 100), Some(at + 24 + payload.len() + END_MARK_BYTES));
        }
        // A whole frame damaged afterwards is not "being sealed", even with its end mark whole
        // behind it: its checksum field holds its own checksum.
        for byte in at + 4..at + 24 + payload.len() {
            let mut flipped = whole.clone();
            flipped[byte] ^= 0x08;
            assert_eq!(sealing_frame_end(&flipped, at, 100), None, "a flipped bit in byte {byte}");
        }
        let mut damaged = whole.clone();
        damaged[at + 30] ^= 1;
        let mark_at = at + 24 + payload.len();
        damaged[mark_at..mark_at + END_MARK_BYTES].fill(0);
        assert_eq!(sealing_frame_end(&damaged, at, 100), None);
    }

    #[test]
    fn zero_and_damaged_headers_are_told_apart_and_format_1_is_read() {
        assert_eq!(decode_segment_header(&[0u8; 64]), SegmentHeader::Unused);
        let mut header = encode_segment_header(1, 1, 9, 1 << 20);
        header[20] ^= 4;
        assert_eq!(decode_segment_header(&header), SegmentHeader::Invalid);
        let mut old = [0u8; 64];
        old[0..8].copy_from_slice(SEGMENT_MAGIC);
        old[8..12].copy_from_slice(&1u32.to_le_bytes());
        old[16..24].copy_from_slice(&5u64.to_le_bytes());
        old[24..32].copy_from_slice(&77u64.to_le_bytes());
        let crc = crc32c::crc32c(&old[0..32]);
        old[32..36].copy_from_slice(&crc.to_le_bytes());
        let SegmentHeader::Active(read) = decode_segment_header(&old) else { panic!("format 1 reads") };
        assert_eq!((read.format, read.seq, read.first_lsn, read.has_end_marks()), (1, 5, 77, false));
    }
}
