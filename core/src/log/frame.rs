//! Record frames and segment headers: the byte layout of the log, and nothing else.
//!
//! ```text
//! segment file (preallocated, zero-filled):
//! +--------------------------- 64-byte segment header ---------------------------+
//! | 0..8 magic "ALLOTWAL" | 8..12 format u32 | 12..16 zero | 16..24 seq u64      |
//! | 24..32 first_lsn u64  | 32..36 crc32c of bytes 0..32  | 36..64 zero          |
//! +-------------------------------------------------------------------------------+
//! | frame | frame | frame | ... | zeros to the end of the file                    |
//!
//! frame (24-byte header, then the payload; no padding):
//! | 0..4 payload_len u32 | 4..8 crc32c u32 | 8..16 lsn u64 | 16..24 synced_lsn u64 |
//! | 24..24+payload_len postcard-encoded Record                                   |
//! ```
//!
//! All integers are little-endian. The CRC covers bytes 0..4 and 8..24+payload_len, so a frame
//! is valid only if its length, LSN, watermark and payload all arrived. `synced_lsn` is the
//! durable LSN the writer knew when it appended the frame: recovery uses it to tell a tail that
//! was lost in flight (never acknowledged) from damage to acknowledged records (see
//! `recovery`). A segment header of all zeros marks a preallocated segment not yet in use.

use crate::ids::Lsn;
use crate::limits::RECORD_BYTES_MAX;

pub(crate) const SEGMENT_MAGIC: &[u8; 8] = b"ALLOTWAL";
pub(crate) const SEGMENT_FORMAT: u32 = 1;
pub(crate) const SEGMENT_HEADER_BYTES: usize = 64;
pub(crate) const FRAME_HEADER_BYTES: usize = 24;

/// What a segment header says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SegmentHeader {
    /// All zeros: preallocated, never activated.
    Unused,
    Active {
        seq: u64,
        first_lsn: Lsn,
    },
    /// Not zeros and not a valid header.
    Invalid,
}

pub(crate) fn encode_segment_header(seq: u64, first_lsn: Lsn) -> [u8; SEGMENT_HEADER_BYTES] {
    let mut header = [0u8; SEGMENT_HEADER_BYTES];
    header[0..8].copy_from_slice(SEGMENT_MAGIC);
    header[8..12].copy_from_slice(&SEGMENT_FORMAT.to_le_bytes());
    header[16..24].copy_from_slice(&seq.to_le_bytes());
    header[24..32].copy_from_slice(&first_lsn.to_le_bytes());
    let crc = crc32c::crc32c(&header[0..32]);
    header[32..36].copy_from_slice(&crc.to_le_bytes());
    header
}

pub(crate) fn decode_segment_header(bytes: &[u8]) -> SegmentHeader {
    if bytes.len() < SEGMENT_HEADER_BYTES {
        return SegmentHeader::Invalid;
    }
    let header = &bytes[..SEGMENT_HEADER_BYTES];
    if header.iter().all(|&b| b == 0) {
        return SegmentHeader::Unused;
    }
    let crc = u32::from_le_bytes(header[32..36].try_into().expect("4 bytes"));
    let format = u32::from_le_bytes(header[8..12].try_into().expect("4 bytes"));
    if &header[0..8] != SEGMENT_MAGIC || format != SEGMENT_FORMAT || crc != crc32c::crc32c(&header[0..32]) {
        return SegmentHeader::Invalid;
    }
    SegmentHeader::Active {
        seq: u64::from_le_bytes(header[16..24].try_into().expect("8 bytes")),
        first_lsn: u64::from_le_bytes(header[24..32].try_into().expect("8 bytes")),
    }
}

/// Fills the frame header in `frame[..FRAME_HEADER_BYTES]` for the payload already written at
/// `frame[FRAME_HEADER_BYTES..FRAME_HEADER_BYTES + payload_len]`.
pub(crate) fn seal_frame(frame: &mut [u8], payload_len: usize, lsn: Lsn, synced_lsn: Lsn) {
    debug_assert!(payload_len <= RECORD_BYTES_MAX);
    let len = payload_len as u32;
    frame[0..4].copy_from_slice(&len.to_le_bytes());
    frame[8..16].copy_from_slice(&lsn.to_le_bytes());
    frame[16..24].copy_from_slice(&synced_lsn.to_le_bytes());
    let crc = frame_crc(frame, payload_len);
    frame[4..8].copy_from_slice(&crc.to_le_bytes());
}

fn frame_crc(frame: &[u8], payload_len: usize) -> u32 {
    let crc = crc32c::crc32c(&frame[0..4]);
    crc32c::crc32c_append(crc, &frame[8..FRAME_HEADER_BYTES + payload_len])
}

/// One step of reading frames.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum FrameRead<'a> {
    /// A zero frame header (or no room for one): the written part of the segment ends here.
    End,
    Valid {
        lsn: Lsn,
        synced_lsn: Lsn,
        payload: &'a [u8],
        next_offset: usize,
    },
    /// Bytes that are not a frame: a torn write, or damage.
    Invalid {
        reason: &'static str,
    },
}

/// Reads the frame starting at `offset` of `segment` (a whole segment, header included).
pub(crate) fn read_frame(segment: &[u8], offset: usize) -> FrameRead<'_> {
    let Some(header) = segment.get(offset..offset + FRAME_HEADER_BYTES) else {
        // Too close to the end for a header: the writer never starts a frame there, so any
        // non-zero byte is left-over damage.
        return if segment[offset.min(segment.len())..].iter().all(|&b| b == 0) {
            FrameRead::End
        } else {
            FrameRead::Invalid { reason: "bytes after the last room for a frame" }
        };
    };
    if header.iter().all(|&b| b == 0) {
        return FrameRead::End;
    }
    let payload_len = u32::from_le_bytes(header[0..4].try_into().expect("4 bytes")) as usize;
    if payload_len == 0 || payload_len > RECORD_BYTES_MAX {
        return FrameRead::Invalid { reason: "frame length out of range" };
    }
    let end = offset + FRAME_HEADER_BYTES + payload_len;
    if end > segment.len() {
        return FrameRead::Invalid { reason: "frame runs past the end of the segment" };
    }
    let frame = &segment[offset..end];
    let stored_crc = u32::from_le_bytes(frame[4..8].try_into().expect("4 bytes"));
    if stored_crc != frame_crc(frame, payload_len) {
        return FrameRead::Invalid { reason: "frame checksum mismatch" };
    }
    FrameRead::Valid {
        lsn: u64::from_le_bytes(frame[8..16].try_into().expect("8 bytes")),
        synced_lsn: u64::from_le_bytes(frame[16..24].try_into().expect("8 bytes")),
        payload: &frame[FRAME_HEADER_BYTES..],
        next_offset: end,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment_with(payloads: &[&[u8]]) -> Vec<u8> {
        let mut segment = vec![0u8; 4096];
        segment[..SEGMENT_HEADER_BYTES].copy_from_slice(&encode_segment_header(7, 100));
        let mut offset = SEGMENT_HEADER_BYTES;
        for (i, payload) in payloads.iter().enumerate() {
            let start = offset + FRAME_HEADER_BYTES;
            segment[start..start + payload.len()].copy_from_slice(payload);
            seal_frame(&mut segment[offset..], payload.len(), 100 + i as u64, 99);
            offset = start + payload.len();
        }
        segment
    }

    #[test]
    fn frames_round_trip_and_end_at_zeros() {
        let segment = segment_with(&[b"first", b"second record"]);
        assert_eq!(decode_segment_header(&segment), SegmentHeader::Active { seq: 7, first_lsn: 100 });
        let FrameRead::Valid { lsn, synced_lsn, payload, next_offset } = read_frame(&segment, SEGMENT_HEADER_BYTES)
        else {
            panic!("first frame should be valid");
        };
        assert_eq!((lsn, synced_lsn, payload), (100, 99, &b"first"[..]));
        let FrameRead::Valid { lsn, payload, next_offset, .. } = read_frame(&segment, next_offset) else {
            panic!("second frame should be valid");
        };
        assert_eq!((lsn, payload), (101, &b"second record"[..]));
        assert_eq!(read_frame(&segment, next_offset), FrameRead::End);
    }

    #[test]
    fn every_single_bit_flip_is_detected() {
        let segment = segment_with(&[b"payload bytes"]);
        let frame_len = FRAME_HEADER_BYTES + 13;
        for byte in SEGMENT_HEADER_BYTES..SEGMENT_HEADER_BYTES + frame_len {
            for bit in 0..8 {
                let mut damaged = segment.clone();
                damaged[byte] ^= 1 << bit;
                assert!(
                    !matches!(read_frame(&damaged, SEGMENT_HEADER_BYTES), FrameRead::Valid { .. }),
                    "flip of bit {bit} in byte {byte} went unnoticed"
                );
            }
        }
    }

    #[test]
    fn zero_and_damaged_headers_are_told_apart() {
        assert_eq!(decode_segment_header(&[0u8; 64]), SegmentHeader::Unused);
        let mut header = encode_segment_header(1, 1);
        header[20] ^= 4;
        assert_eq!(decode_segment_header(&header), SegmentHeader::Invalid);
    }
}
