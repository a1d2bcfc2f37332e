//! Events: the log, read back in order by subscribers.
//!
//! Every state change is a log record, so the log is the event stream: a subscriber keeps the
//! LSN of the last event it handled as its cursor and asks for what follows. Nothing is copied
//! on the write path; events are decoded from the segments when asked for. A subscriber that
//! restarts (or an engine that restarts) resumes from its cursor without losing or repeating
//! anything, as long as the records after the cursor are still in the log: a checkpoint removes
//! the segments it covers, and a cursor older than the oldest record left gets
//! [`Error::CursorExpired`].
//!
//! Only records that are as durable as the sync mode promises are shown: a subscriber never
//! acts on a change that a crash could still take back (with `SyncMode::None`, nothing is
//! promised, and every appended record is shown).

use std::collections::VecDeque;
use std::path::Path;
use std::sync::Arc;

use memmap2::Mmap;

use crate::error::{Error, Result};
use crate::ids::Lsn;
use crate::log::frame::{FrameRead, SEGMENT_HEADER_BYTES, read_frame};
use crate::log::record::Record;
use crate::log::scan::SegmentSpan;
use crate::log::segment::{Segment, map_for_reading};
use crate::log::writer::MappedLog;

/// One state change, as subscribers see it.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// The record's LSN: the cursor to pass back to get what follows.
    pub lsn: Lsn,
    pub record: Record<'static>,
}

/// Where a segment's bytes come from for reading.
#[derive(Clone)]
pub(crate) enum Source {
    /// The writer's own mapping (its current segment, or one not yet synced): only the
    /// published written part is read, which never changes.
    Writer(Arc<Segment>),
    /// A read-only map of a segment the writer has rolled over and synced: it never changes.
    Sealed(Arc<Mmap>),
    /// The bytes of a segment read into memory (an engine opened read-only, which holds no lock
    /// that would keep another process from writing the files).
    Read(Arc<Vec<u8>>),
}

impl Source {
    fn bytes(&self) -> &[u8] {
        match self {
            Source::Writer(segment) => segment.written(),
            Source::Sealed(map) => map,
            Source::Read(bytes) => bytes,
        }
    }
}

/// Where the last read stopped, so that a subscriber polling in order costs nothing to find its
/// place again.
struct Position {
    next_lsn: Lsn,
    seq: u64,
    offset: usize,
    source: Source,
}

/// Reads events out of a data directory's live segments.
#[derive(Default)]
pub(crate) struct SegmentReader {
    position: Option<Position>,
}

impl SegmentReader {
    /// Events with LSNs in `after + 1 ..= visible`, at most `max`. `spans` are the live
    /// segments, oldest first; `open` gives a segment's bytes.
    pub(crate) fn read(
        &mut self,
        spans: &[SegmentSpan],
        after: Lsn,
        visible: Lsn,
        max: usize,
        open: impl Fn(u64, &Path) -> Result<Source>,
    ) -> Result<Vec<Event>> {
        let mut events = Vec::new();
        if after >= visible {
            return Ok(events);
        }
        let oldest = spans.first().map_or(visible + 1, |span| span.first_lsn);
        if after + 1 < oldest {
            return Err(Error::CursorExpired { cursor: after, oldest: oldest.saturating_sub(1) });
        }
        let mut next = after + 1;
        while events.len() < max && next <= visible {
            let Some(index) = spans.iter().rposition(|span| span.first_lsn <= next) else { break };
            let SegmentSpan { seq, first_lsn, path } = &spans[index];
            let (source, mut lsn, mut offset) = match self.position.take() {
                Some(position) if position.seq == *seq && position.next_lsn <= next => {
                    (position.source, position.next_lsn, position.offset)
                }
                _ => (open(*seq, path)?, *first_lsn, SEGMENT_HEADER_BYTES),
            };
            let mut segment_ended = false;
            {
                let data = source.bytes();
                while events.len() < max && lsn <= visible {
                    let FrameRead::Valid { lsn: found, payload, next_offset, .. } = read_frame(data, offset) else {
                        segment_ended = true;
                        break;
                    };
                    if found != lsn {
                        return Err(Error::corruption(
                            path,
                            offset as u64,
                            format!("expected LSN {lsn}, found {found}"),
                        ));
                    }
                    if lsn >= next {
                        let record = Record::from_bytes(payload)
                            .map_err(|e| Error::corruption(path, offset as u64, format!("record {lsn}: {e}")))?;
                        events.push(Event { lsn, record: record.into_owned() });
                    }
                    lsn += 1;
                    offset = next_offset;
                }
            }
            self.position = Some(Position { next_lsn: lsn, seq: *seq, offset, source: source.clone() });
            next = next.max(lsn);
            // The records go on in the next segment, or there are no more yet.
            let continues = spans.get(index + 1).is_some_and(|span| span.first_lsn == next);
            if segment_ended && !continues {
                break;
            }
        }
        Ok(events)
    }
}

/// A segment's bytes as a writing engine reads them: from the writer's mapping while it has
/// one, else from a read-only map of the finished file.
pub(crate) fn open_for_events(log: &MappedLog, seq: u64, path: &Path) -> Result<Source> {
    if let Some(segment) = log.mapped_segment(seq) {
        return Ok(Source::Writer(segment));
    }
    // SAFETY: the writer no longer maps this segment, so it has rolled over past it and synced
    // it; nothing writes it again while this engine holds the directory's lock.
    let map = unsafe { map_for_reading(path) }?.ok_or_else(|| Error::corruption(path, 0, "empty log segment"))?;
    Ok(Source::Sealed(Arc::new(map)))
}

/// A segment's bytes, read into memory (for an engine opened read-only).
pub(crate) fn read_for_events(path: &Path) -> Result<Source> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, "reading log segment", e))?;
    Ok(Source::Read(Arc::new(bytes)))
}

/// The recent records of an engine without a data directory, encoded, for its subscribers.
#[derive(Default)]
pub(crate) struct RecentRecords {
    records: VecDeque<(Lsn, Vec<u8>)>,
}

/// Records an in-memory engine keeps for subscribers; older ones expire their cursors.
pub(crate) const MEMORY_EVENTS_MAX: usize = 1 << 16;

impl RecentRecords {
    pub(crate) fn push(&mut self, lsn: Lsn, record: &Record<'_>) {
        if self.records.len() == MEMORY_EVENTS_MAX {
            self.records.pop_front();
        }
        self.records.push_back((lsn, record.to_bytes()));
    }

    pub(crate) fn read(&self, after: Lsn, max: usize) -> Result<Vec<Event>> {
        let Some(&(oldest, _)) = self.records.front() else { return Ok(Vec::new()) };
        if after == Lsn::MAX {
            return Ok(Vec::new());
        }
        if after + 1 < oldest {
            return Err(Error::CursorExpired { cursor: after, oldest: oldest - 1 });
        }
        let skip = (after + 1 - oldest) as usize;
        Ok(self
            .records
            .iter()
            .skip(skip)
            .take(max)
            .map(|(lsn, bytes)| Event {
                lsn: *lsn,
                record: Record::from_bytes(bytes).expect("records encoded here decode").into_owned(),
            })
            .collect())
    }
}
