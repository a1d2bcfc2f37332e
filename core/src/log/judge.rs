//! Recovery's decision: what the bytes where the log stops mean, as a pure function of what
//! was observed there.
//!
//! Scanning (`scan`) walks the log until the first position that does not hold the next record
//! and describes that position with a [`Stop`]; [`judge`] maps it to exactly one [`Verdict`];
//! only `repair` acts on it, and only in a real open. The table, most important rule first:
//!
//! | rule | writer stopped by     | found at the stop                   | after it                    | verdict  |
//! |------|-----------------------|-------------------------------------|-----------------------------|----------|
//! | 1    | any                   | anything, at or below the durable point | anything                | corrupt  |
//! | 2    | any                   | anything                            | a record written after this position was durable | corrupt |
//! | 3    | a clean close         | an end mark or zeros                | nothing                     | end      |
//! | 4    | a clean close         | anything                            | valid records               | corrupt  |
//! | 5    | a clean close         | anything else                       | bytes that are not records  | cut      |
//! | 6    | a process crash       | an end mark                         | nothing                     | end      |
//! | 7    | a process crash       | an end mark                         | one unfinished append       | cut      |
//! | 8    | a process crash       | a frame being sealed                | nothing                     | cut      |
//! | 9    | a process crash       | anything else                       | anything else               | corrupt  |
//! | 10   | a power loss          | an end mark (zeros without end marks) | nothing                   | end      |
//! | 11   | a power loss          | anything                            | valid records, damage that looks unwritten | cut |
//! | 12   | a power loss          | anything                            | valid records, other damage | corrupt  |
//! | 13   | a power loss          | anything else                       | no valid records            | cut      |
//!
//! *The durable point* is the highest LSN recovery can prove was durable: the manifest's
//! (written at open, checkpoint, close, and by the worker after flushes), the checkpoint's, and
//! every watermark in the frames read before the stop. *A process crash* is an open manifest
//! written during this boot: the page cache outlived the process, so the only bytes that can
//! be unfinished are those of the one append it was in (its payload behind the end mark, its
//! header being sealed, or the next segment being activated for it: `scan` reports the last as
//! an unfinished append too). *A power loss* is an open manifest from
//! another boot, or a log without a manifest: unsynced pages may have reached the disk in any
//! order, so anything above the durable point that looks unwritten may be lost in flight.
//!
//! **Invariant:** no verdict discards a record at or below the durable point (rule 1 comes
//! first), a cleanly closed log never loses a record (rules 3–5), and valid records are
//! discarded only after a power loss, above the durable point, behind damage that looks like a
//! write that never reached the disk (rule 11). The exhaustive test below checks all three over
//! every combination.

/// How the writer of the log stopped, as the manifest tells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stopped {
    /// The engine closed: the log ends exactly at the manifest's durable LSN.
    Cleanly,
    /// Its process died during this boot: every byte it wrote is in the page cache.
    ProcessCrash,
    /// The machine restarted since (or the log cannot say: no manifest, no boot id).
    PowerLoss,
}

/// What lies where the next record should be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Found {
    /// An end mark for the expected LSN: the writer stopped here.
    EndMark,
    /// Zeros (in a segment without end marks, the normal end).
    Zeros,
    /// The expected record's frame caught while its header was being written: its payload and
    /// the next end mark are whole behind it.
    Sealing,
    /// Bytes that are neither: a bad length or checksum, a record out of sequence, a segment
    /// that is not where the log goes on.
    Damage,
}

/// What lies after the stop, up to the end of the log's files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum After {
    /// Only zeros.
    Nothing,
    /// Right after an end mark, bytes that fit one append that never finished (its payload,
    /// perhaps the next end mark) and nothing else.
    UnfinishedAppend,
    /// Bytes that are not records.
    Junk,
    /// Valid records with later LSNs, none written after the stop's position was durable (their
    /// watermarks are all below the expected LSN).
    UnsyncedRecords,
    /// Valid records with later LSNs, at least one written after the stop's position was durable.
    SyncedRecords,
}

/// The observation at the position where the log stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Stop {
    pub(crate) stopped: Stopped,
    /// The expected LSN is at or below the durable point.
    pub(crate) below_durable: bool,
    /// The segment was written with end marks (format 2 on).
    pub(crate) end_marks: bool,
    pub(crate) found: Found,
    pub(crate) after: After,
    /// The bytes from the stop to the first later record are zeros where a page or sector of a
    /// write never reached the disk (see `scan::looks_unwritten`).
    pub(crate) looks_unwritten: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The log ends here, whole.
    End,
    /// Cut the log here: what follows held no record anyone was promised.
    Cut,
    /// Refuse to open: records are missing or damaged.
    Corrupt(&'static str),
}

pub(crate) fn judge(stop: Stop) -> Verdict {
    use After::*;
    use Found::*;
    if stop.below_durable {
        return Verdict::Corrupt("records known to be durable are missing or damaged");
    }
    if stop.after == SyncedRecords {
        return Verdict::Corrupt("records written after this position was durable follow it");
    }
    match stop.stopped {
        Stopped::Cleanly => match (stop.found, stop.after) {
            (EndMark | Zeros, Nothing) => Verdict::End,
            (_, UnsyncedRecords) => Verdict::Corrupt("records follow the end of a cleanly closed log"),
            _ => Verdict::Cut,
        },
        Stopped::ProcessCrash => match (stop.found, stop.after) {
            (EndMark, Nothing) => Verdict::End,
            (EndMark, UnfinishedAppend) | (Sealing, Nothing) => Verdict::Cut,
            (Zeros, _) => {
                Verdict::Corrupt("the end mark is missing, though the writer's process died without a power loss")
            }
            _ => Verdict::Corrupt("damage a process crash cannot explain"),
        },
        Stopped::PowerLoss => match (stop.found, stop.after) {
            (EndMark, Nothing) => Verdict::End,
            (Zeros, Nothing) if !stop.end_marks => Verdict::End,
            (_, UnsyncedRecords) if stop.looks_unwritten => Verdict::Cut,
            (_, UnsyncedRecords) => Verdict::Corrupt("damage followed by valid records"),
            _ => Verdict::Cut,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STOPPED: [Stopped; 3] = [Stopped::Cleanly, Stopped::ProcessCrash, Stopped::PowerLoss];
    const FOUND: [Found; 4] = [Found::EndMark, Found::Zeros, Found::Sealing, Found::Damage];
    const AFTER: [After; 5] =
        [After::Nothing, After::UnfinishedAppend, After::Junk, After::UnsyncedRecords, After::SyncedRecords];

    fn every_stop() -> Vec<Stop> {
        let mut all = Vec::new();
        for stopped in STOPPED {
            for below_durable in [false, true] {
                for end_marks in [false, true] {
                    for found in FOUND {
                        for after in AFTER {
                            for looks_unwritten in [false, true] {
                                all.push(Stop { stopped, below_durable, end_marks, found, after, looks_unwritten });
                            }
                        }
                    }
                }
            }
        }
        all
    }

    fn discards_records(stop: &Stop, verdict: Verdict) -> bool {
        verdict == Verdict::Cut && matches!(stop.after, After::UnsyncedRecords | After::SyncedRecords)
    }

    #[test]
    fn every_combination_gets_exactly_one_verdict_and_none_discards_what_was_promised() {
        let all = every_stop();
        assert_eq!(all.len(), 3 * 2 * 2 * 4 * 5 * 2);
        let mut counts = std::collections::BTreeMap::new();
        for stop in all {
            let verdict = judge(stop);
            assert_eq!(judge(stop), verdict, "{stop:?}: the verdict is a function of the stop");
            let name = match verdict {
                Verdict::End => "end",
                Verdict::Cut => "cut",
                Verdict::Corrupt(_) => "corrupt",
            };
            *counts.entry(name).or_insert(0) += 1;
            // Nothing at or below the durable point is ever cut or skipped.
            if stop.below_durable {
                assert!(matches!(verdict, Verdict::Corrupt(_)), "{stop:?} -> {verdict:?}");
            }
            // A record written after this position was durable proves the position held records.
            if stop.after == After::SyncedRecords {
                assert!(matches!(verdict, Verdict::Corrupt(_)), "{stop:?} -> {verdict:?}");
            }
            // A cleanly closed log loses nothing: it ends, or only non-records are cleared.
            if stop.stopped == Stopped::Cleanly {
                assert!(!discards_records(&stop, verdict), "{stop:?} -> {verdict:?}");
            }
            // After a process crash only the append in progress may go.
            if stop.stopped == Stopped::ProcessCrash && verdict == Verdict::Cut {
                let unfinished = matches!(
                    (stop.found, stop.after),
                    (Found::EndMark, After::UnfinishedAppend) | (Found::Sealing, After::Nothing)
                );
                assert!(unfinished, "{stop:?} -> {verdict:?}");
            }
            // Valid records are discarded only after a power loss, behind bytes that look unwritten.
            if discards_records(&stop, verdict) {
                assert!(stop.stopped == Stopped::PowerLoss && stop.looks_unwritten, "{stop:?} -> {verdict:?}");
            }
            // A log that ends at an end mark with nothing after it is whole, however it stopped.
            if !stop.below_durable && stop.found == Found::EndMark && stop.after == After::Nothing {
                assert_eq!(verdict, Verdict::End, "{stop:?}");
            }
        }
        println!("verdicts over every combination: {counts:?}");
    }
}
