//! Proves through the public API what the engine does when storage misbehaves: damage to a closed
//! or crashed log is corruption at the first damaged record, a power cut's torn tail is cut at
//! every byte, an append cut short by a killed process is cut and nothing else is, bit flips and
//! damaged or misnamed checkpoints are corruption, a locked directory, a really full disk,
//! injected disk-full and sync failures, and the lost-in-flight rule after a power cut.

use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd};
use std::os::unix::fs::FileExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use allot_core::log::{Record, read_records};
use allot_core::{
    Engine, EngineOptions, Error, Faults, Lsn, ManualClock, OrderRequest, ReservationState, ReserveOptions, Role,
    Shutdown, SimulatedCrash, SyncMode, WarehouseSpec,
};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use tempfile::TempDir;

#[path = "support/dirs.rs"]
mod dirs;
use dirs::{copy_dir, dir_bytes};

const SEGMENT_BYTES: u64 = 256 * 1024;
/// Byte layout of the log (see `allot_core`'s `log/frame.rs`).
const SEGMENT_HEADER_BYTES: usize = 64;
const FRAME_HEADER_BYTES: usize = 24;
const END_MARK_BYTES: usize = 24;
const SECTOR_BYTES: usize = 512;
/// A clock far from zero, so every record's timestamp encodes to non-zero bytes.
const START_MS: u64 = 1_700_000_000_000;
const SKUS: [&str; 4] = ["SOFA", "LAMP", "RUG", "DESK"];
const STOCK: u64 = 1_000_000;

fn options(clock: &Arc<ManualClock>, sync: SyncMode) -> EngineOptions {
    // The worker never records the durable LSN in the manifest: what recovery can prove durable
    // after a simulated power cut then depends on the frames alone, whatever the timing.
    let faults = Arc::new(Faults::default());
    faults.skip_durable_records();
    EngineOptions::default()
        .sync(sync)
        .clock(clock.clone())
        .segment_bytes(SEGMENT_BYTES)
        .checkpoint_every_bytes(0)
        .default_ttl_ms(None)
        .faults(faults)
}

/// How a closed directory is left before a test damages it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Left {
    /// As it was closed.
    Closed,
    /// As if its process had died after the last flush (the machine kept running).
    Killed,
    /// As if the machine had gone down after the last flush.
    Restarted,
}

fn leave(dir: &Path, left: Left) {
    let crash = match left {
        Left::Closed => return,
        Left::Killed => SimulatedCrash::ProcessKilled,
        Left::Restarted => SimulatedCrash::MachineRestarted,
    };
    Faults::simulate_crash(dir, crash).unwrap();
}

/// The seed of a randomized test: `ALLOT_SEED` if set, else a fresh one. Printed either way.
fn seed(test: &str) -> u64 {
    let seed = std::env::var("ALLOT_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(rand::random);
    println!("{test}: seed {seed} (rerun with ALLOT_SEED={seed})");
    seed
}

// ---------------------------------------------------------------------------------------------
// A workload with a model of the state after any prefix of it

#[derive(Clone, Debug)]
enum Op {
    Reserve { order: String, lines: Vec<(usize, u32)> },
    Commit(String),
    Release(String),
}

/// Stock levels and reservation states the engine must show.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Model {
    on_hand: [u64; SKUS.len()],
    reserved: [u64; SKUS.len()],
    orders: BTreeMap<String, ReservationState>,
}

impl Model {
    /// The state after every op whose record has an LSN at or below `last_lsn`.
    fn after(ops: &[(Lsn, Op)], last_lsn: Lsn) -> Model {
        let mut model = Model { on_hand: [STOCK; SKUS.len()], reserved: [0; SKUS.len()], orders: BTreeMap::new() };
        let mut lines_of: BTreeMap<&str, &[(usize, u32)]> = BTreeMap::new();
        for (lsn, op) in ops {
            if *lsn > last_lsn {
                continue;
            }
            match op {
                Op::Reserve { order, lines } => {
                    for &(sku, qty) in lines {
                        model.reserved[sku] += u64::from(qty);
                    }
                    lines_of.insert(order, lines);
                    model.orders.insert(order.clone(), ReservationState::Held);
                }
                Op::Commit(order) | Op::Release(order) => {
                    for &(sku, qty) in lines_of[order.as_str()] {
                        model.reserved[sku] -= u64::from(qty);
                        if matches!(op, Op::Commit(_)) {
                            model.on_hand[sku] -= u64::from(qty);
                        }
                    }
                    let state = if matches!(op, Op::Commit(_)) {
                        ReservationState::Committed
                    } else {
                        ReservationState::Released
                    };
                    model.orders.insert(order.clone(), state);
                }
            }
        }
        model
    }
}

/// Asserts that the engine shows exactly `model`: stock of every SKU, and the state (or absence)
/// of every order the workload ever reserved; then checks every invariant.
fn assert_state(engine: &Engine, ops: &[(Lsn, Op)], model: &Model, context: &str) {
    let viewer = engine.client(Role::Viewer);
    for (i, sku) in SKUS.iter().enumerate() {
        let levels = viewer.stock(sku).unwrap();
        assert_eq!((levels.on_hand, levels.reserved), (model.on_hand[i], model.reserved[i]), "{context}: {sku}");
    }
    for (_, op) in ops {
        if let Op::Reserve { order, .. } = op {
            let found = viewer.reservation(order).unwrap().map(|r| r.state);
            assert_eq!(found, model.orders.get(order).copied(), "{context}: order {order}");
        }
    }
    engine.check_invariants().unwrap_or_else(|e| panic!("{context}: invariants: {e}"));
}

/// One warehouse holding `STOCK` units of every SKU.
fn stock_catalogue(engine: &Engine) {
    let admin = engine.client(Role::Admin);
    admin.add_warehouse("WH-SH", WarehouseSpec::new("310000", 1)).unwrap();
    for sku in SKUS {
        admin.add_sku(sku, "home").unwrap();
        admin.set_stock(sku, "WH-SH", STOCK).unwrap();
    }
}

fn reserve(engine: &Engine, order: &str, lines: &[(usize, u32)]) -> Lsn {
    let named: Vec<(&str, u32)> = lines.iter().map(|&(sku, qty)| (SKUS[sku], qty)).collect();
    engine.client(Role::Orders).reserve(order, &named, &ReserveOptions::new()).unwrap().lsn
}

/// Runs `count` random reserves, commits and releases (then a fixed tail: a two-line reserve, a
/// commit and a release) and returns each op with the LSN of its record.
fn run_workload(engine: &Engine, clock: &ManualClock, rng: &mut StdRng, prefix: &str, count: usize) -> Vec<(Lsn, Op)> {
    let orders = engine.client(Role::Orders);
    let mut ops = Vec::new();
    let mut held: Vec<String> = Vec::new();
    for i in 0..count {
        clock.advance_ms(rng.random_range(1..1_000));
        let choice = if held.len() < 3 { 0 } else { rng.random_range(0..4) };
        let op = match choice {
            0 | 1 => {
                let first = rng.random_range(0..SKUS.len());
                let mut lines = vec![(first, rng.random_range(1..=3))];
                if rng.random_range(0..2) == 1 {
                    lines.push(((first + 1) % SKUS.len(), rng.random_range(1..=3)));
                }
                let order = format!("{prefix}-{i:04}");
                held.push(order.clone());
                Op::Reserve { order, lines }
            }
            _ => {
                let order = held.swap_remove(rng.random_range(0..held.len()));
                if choice == 2 { Op::Commit(order) } else { Op::Release(order) }
            }
        };
        ops.push((apply(engine, &orders, &op), op));
    }
    let tail = [
        Op::Reserve { order: format!("{prefix}-TAIL"), lines: vec![(0, 2), (3, 1)] },
        Op::Commit(held.pop().expect("held orders")),
        Op::Release(held.pop().expect("held orders")),
    ];
    for op in tail {
        clock.advance_ms(1);
        ops.push((apply(engine, &orders, &op), op));
    }
    ops
}

fn apply(engine: &Engine, orders: &allot_core::Client, op: &Op) -> Lsn {
    match op {
        Op::Reserve { order, lines } => reserve(engine, order, lines),
        Op::Commit(order) => orders.commit(order).unwrap().lsn,
        Op::Release(order) => orders.release(order).unwrap().lsn,
    }
}

/// A closed data directory holding the catalogue and a workload, all in one segment.
struct BuiltLog {
    dir: TempDir,
    clock: Arc<ManualClock>,
    sync: SyncMode,
    ops: Vec<(Lsn, Op)>,
}

impl BuiltLog {
    fn new(seed: u64, sync: SyncMode, count: usize) -> BuiltLog {
        let dir = tempfile::tempdir().unwrap();
        let clock = ManualClock::new(START_MS);
        let engine = Engine::open(dir.path(), options(&clock, sync)).unwrap();
        stock_catalogue(&engine);
        let ops = run_workload(&engine, &clock, &mut StdRng::seed_from_u64(seed), "ORD", count);
        assert_state(&engine, &ops, &Model::after(&ops, Lsn::MAX), "freshly written");
        engine.close().unwrap();
        check_records(dir.path(), &ops);
        BuiltLog { dir, clock, sync, ops }
    }

    fn options(&self) -> EngineOptions {
        options(&self.clock, self.sync)
    }
}

/// Checks with `read_records` that every op's record is in the log under the LSN it was given.
fn check_records(dir: &Path, ops: &[(Lsn, Op)]) {
    let mut logged: BTreeMap<Lsn, String> = BTreeMap::new();
    read_records(dir, |lsn, record| {
        let described = match record {
            Record::Reserve { order, .. } => format!("reserve {order}"),
            Record::Settle { order, settlement, .. } => format!("{settlement:?} {order}"),
            other => format!("{other:?}"),
        };
        logged.insert(lsn, described);
    })
    .unwrap();
    for (lsn, op) in ops {
        let expected = match op {
            Op::Reserve { order, .. } => format!("reserve {order}"),
            Op::Commit(order) => format!("Commit {order}"),
            Op::Release(order) => format!("Release {order}"),
        };
        assert_eq!(logged.get(lsn), Some(&expected), "record {lsn}");
    }
}

// ---------------------------------------------------------------------------------------------
// Files and frames

fn files_named(dir: &Path, prefix: &str, suffix: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            let name = path.file_name().unwrap().to_str().unwrap();
            name.starts_with(prefix) && name.ends_with(suffix)
        })
        .collect();
    found.sort();
    found
}

fn segments(dir: &Path) -> Vec<PathBuf> {
    files_named(dir, "wal-", ".seg")
}

fn checkpoints(dir: &Path) -> Vec<PathBuf> {
    files_named(dir, "checkpoint-", ".ckpt")
}

fn only_segment(dir: &Path) -> PathBuf {
    let found = segments(dir);
    assert_eq!(found.len(), 1, "expected one segment in {}: {found:?}", dir.display());
    found[0].clone()
}

fn last_nonzero_end(bytes: &[u8]) -> usize {
    bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1)
}

fn flip_bit(path: &Path, byte: usize, bit: u32) {
    let file = OpenOptions::new().read(true).write(true).open(path).unwrap();
    let mut one = [0u8; 1];
    file.read_exact_at(&mut one, byte as u64).unwrap();
    one[0] ^= 1 << bit;
    file.write_all_at(&one, byte as u64).unwrap();
}

fn zero_range(path: &Path, from: usize, to: usize) {
    let file = OpenOptions::new().write(true).open(path).unwrap();
    file.write_all_at(&vec![0u8; to - from], from as u64).unwrap();
}

/// One frame found by walking a segment per the documented layout.
#[derive(Clone, Copy, Debug)]
struct Frame {
    start: usize,
    end: usize,
    lsn: Lsn,
    synced_lsn: Lsn,
}

/// Walks the frames of an undamaged segment: a 64-byte header, then frames (24-byte header, then
/// `payload_len` bytes) until the end mark (length `u32::MAX`) or a zero header.
fn frames(segment: &[u8]) -> Vec<Frame> {
    let u64_at = |at: usize| u64::from_le_bytes(segment[at..at + 8].try_into().unwrap());
    let mut found = Vec::new();
    let mut at = SEGMENT_HEADER_BYTES;
    while at + FRAME_HEADER_BYTES <= segment.len() {
        let payload_len = u32::from_le_bytes(segment[at..at + 4].try_into().unwrap());
        if payload_len == 0 || payload_len == u32::MAX {
            break;
        }
        let payload_len = payload_len as usize;
        let end = at + FRAME_HEADER_BYTES + payload_len;
        found.push(Frame { start: at, end, lsn: u64_at(at + 8), synced_lsn: u64_at(at + 16) });
        at = end;
    }
    found
}

/// The bytes and frames of a segment file.
fn segment_frames(path: &Path) -> (Vec<u8>, Vec<Frame>) {
    let bytes = fs::read(path).unwrap();
    let found = frames(&bytes);
    (bytes, found)
}

/// The frames of the only segment of a closed directory, checked against `read_records`.
fn frames_of(dir: &Path) -> (PathBuf, Vec<u8>, Vec<Frame>) {
    let path = only_segment(dir);
    let (bytes, found) = segment_frames(&path);
    let mut lsns = Vec::new();
    let summary = read_records(dir, |lsn, _| lsns.push(lsn)).unwrap();
    assert_eq!(found.iter().map(|f| f.lsn).collect::<Vec<_>>(), lsns, "frames found by walking the layout");
    assert!(summary.torn_tail.is_none());
    assert_eq!(bytes.len() as u64, SEGMENT_BYTES);
    let end = found.last().unwrap().end;
    assert_eq!(bytes[end..end + END_MARK_BYTES], end_mark(found.last().unwrap().lsn + 1), "the end mark");
    assert!(bytes[end + END_MARK_BYTES..].iter().all(|&b| b == 0), "zeros after the end mark");
    (path, bytes, found)
}

/// The end mark for `next_lsn`, as `log/frame.rs` draws it.
fn end_mark(next_lsn: Lsn) -> [u8; END_MARK_BYTES] {
    let mut mark = [0u8; END_MARK_BYTES];
    mark[0..4].copy_from_slice(&u32::MAX.to_le_bytes());
    mark[8..16].copy_from_slice(&next_lsn.to_le_bytes());
    mark[16..24].copy_from_slice(b"ALLOTEND");
    let crc = crc32c::crc32c_append(crc32c::crc32c(&mark[0..4]), &mark[8..24]);
    mark[4..8].copy_from_slice(&crc.to_le_bytes());
    mark
}

/// Opens `dir` expecting `Error::Corruption`; asserts the failed open changed no file, and
/// returns the path, offset and detail the error names.
fn open_corrupt(dir: &Path, options: EngineOptions, context: &str) -> (PathBuf, u64, String) {
    let before = dir_bytes(dir);
    let result = Engine::open(dir, options);
    let (path, offset, detail) = match result {
        Err(Error::Corruption { path, offset, detail }) => (path, offset, detail),
        Err(other) => panic!("{context}: expected corruption, got {other}"),
        Ok(engine) => panic!("{context}: opened despite the damage: {:?}", engine.recovery()),
    };
    assert!(dir_bytes(dir) == before, "{context}: the failed open changed files");
    (path, offset, detail)
}

// ---------------------------------------------------------------------------------------------
// 1. The log's end: damage, a power cut's torn tail, an append cut short

/// The first record whose bytes zeroing `from..to` changes.
fn first_changed<'a>(frames: &'a [Frame], original: &[u8], from: usize, to: usize) -> Option<&'a Frame> {
    frames
        .iter()
        .find(|f| f.end > from && f.start < to && original[from.max(f.start)..f.end.min(to)].iter().any(|&b| b != 0))
}

/// A closed log, or one whose process was killed, knows every record it holds: zeroing its end
/// from any byte on (a sector that lost its data, not a write cut short) is corruption at the
/// first damaged record, and the failed open changes nothing. Zeroing only the end mark loses no
/// record: after a clean close the manifest says where the log ends; after a kill it is damage.
#[test]
fn a_zeroed_end_of_a_closed_or_killed_log_is_corruption_at_the_first_damaged_record() {
    let seed = seed("zeroed end");
    for sync in [SyncMode::Always, SyncMode::None] {
        let built = BuiltLog::new(seed, sync, 30);
        let (segment_path, original, frames) = frames_of(built.dir.path());
        let name = segment_path.file_name().unwrap();
        let written_end = frames.last().unwrap().end + END_MARK_BYTES;
        for left in [Left::Closed, Left::Killed] {
            for offset in frames[frames.len() - 3].start..written_end {
                let context = format!("zeroed from byte {offset}, {sync:?}, {left:?}");
                let copy = copy_dir(built.dir.path());
                leave(copy.path(), left);
                let path = copy.path().join(name);
                zero_range(&path, offset, written_end);
                match first_changed(&frames, &original, offset, written_end) {
                    Some(damaged) => {
                        let (named, at, detail) = open_corrupt(copy.path(), built.options(), &context);
                        assert_eq!((named, at), (path.clone(), damaged.start as u64), "{context}: {detail}");
                    }
                    None if left == Left::Closed => {
                        // Only the end mark was hit: what is left of it holds no record and goes.
                        let engine =
                            Engine::open(copy.path(), built.options()).unwrap_or_else(|e| panic!("{context}: {e}"));
                        if let Some(torn) = &engine.recovery().torn_tail {
                            let records_end = frames.last().unwrap().end as u64;
                            assert_eq!((torn.offset, torn.discarded_records), (records_end, 0), "{context}");
                        }
                        assert_state(&engine, &built.ops, &Model::after(&built.ops, Lsn::MAX), &context);
                        engine.close().unwrap();
                    }
                    None => {
                        let (named, at, _) = open_corrupt(copy.path(), built.options(), &context);
                        assert_eq!((named, at), (path.clone(), frames.last().unwrap().end as u64), "{context}");
                    }
                }
            }
        }
    }
}

/// After a power cut, pages the kernel had not written back read as zeros: for every byte offset
/// inside the last three records (and their end mark), zero a copy of a `None` log (nothing in
/// it was ever flushed before the close) from there on; recovery cuts at the first damaged
/// record, says so, zeroes what it cut, and the log continues cleanly after the cut.
#[test]
fn a_power_cut_torn_tail_is_cut_at_the_first_damaged_record_for_every_byte_offset() {
    let built = BuiltLog::new(seed("power cut tail"), SyncMode::None, 30);
    let (segment_path, original, frames) = frames_of(built.dir.path());
    let name = segment_path.file_name().unwrap();
    let records_end = frames.last().unwrap().end;
    let written_end = records_end + END_MARK_BYTES;
    let all_lsn = frames.last().unwrap().lsn;
    for offset in frames[frames.len() - 3].start..written_end {
        let context = format!("zeroed from byte {offset} after a power cut");
        let copy = copy_dir(built.dir.path());
        leave(copy.path(), Left::Restarted);
        let path = copy.path().join(name);
        zero_range(&path, offset, written_end);
        let damaged = fs::read(&path).unwrap();
        let first_damaged = first_changed(&frames, &original, offset, written_end);
        let (last_lsn, cut_at) = first_damaged.map_or((all_lsn, records_end), |f| (f.lsn - 1, f.start));

        let engine = Engine::open(copy.path(), built.options()).unwrap_or_else(|e| panic!("{context}: {e}"));
        let report = engine.recovery();
        assert_eq!(report.shutdown, Shutdown::MachineRestart, "{context}");
        let torn = report.torn_tail.clone().unwrap_or_else(|| panic!("{context}: no cut reported"));
        assert_eq!((torn.path.as_path(), torn.offset), (path.as_path(), cut_at as u64), "{context}");
        assert_eq!(torn.damaged_bytes, (last_nonzero_end(&damaged).max(cut_at) - cut_at) as u64, "{context}");
        assert_eq!(torn.discarded_records, 0, "{context}");
        assert_eq!((report.last_lsn, report.records_replayed), (last_lsn, last_lsn), "{context}");
        assert_state(&engine, &built.ops, &Model::after(&built.ops, last_lsn), &context);
        // The repair: what came before the cut is untouched, then the end mark, then zeros.
        let repaired = fs::read(&path).unwrap();
        assert_eq!(repaired[..cut_at], original[..cut_at], "{context}");
        assert_eq!(repaired[cut_at..cut_at + END_MARK_BYTES], end_mark(last_lsn + 1), "{context}");
        assert!(repaired[cut_at + END_MARK_BYTES..].iter().all(|&b| b == 0), "{context}: bytes left after the cut");

        // The log continues cleanly after the cut.
        let mut ops: Vec<(Lsn, Op)> = built.ops.iter().filter(|(lsn, _)| *lsn <= last_lsn).cloned().collect();
        let lsn = reserve(&engine, "AFTER-CUT", &[(1, 1)]);
        assert_eq!(lsn, last_lsn + 1, "{context}: the next record takes the first LSN cut away");
        ops.push((lsn, Op::Reserve { order: "AFTER-CUT".into(), lines: vec![(1, 1)] }));
        engine.close().unwrap();
        let summary = read_records(copy.path(), |_, _| {}).unwrap();
        assert_eq!((summary.last_lsn, summary.records, summary.torn_tail), (lsn, lsn, None), "{context}");
        let engine = Engine::open(copy.path(), built.options()).unwrap_or_else(|e| panic!("{context}: reopen: {e}"));
        assert_eq!(
            (engine.recovery().torn_tail.clone(), engine.recovery().shutdown),
            (None, Shutdown::Clean),
            "{context}"
        );
        assert_state(&engine, &ops, &Model::after(&ops, lsn), &format!("{context}, reopened"));
        engine.close().unwrap();
    }
}

/// A preallocated segment never shrinks, not even in a power cut: a truncated one is corruption
/// however the log was left.
#[test]
fn a_truncated_segment_is_corruption_however_the_log_was_left() {
    let built = BuiltLog::new(seed("truncated segment"), SyncMode::None, 30);
    let (segment_path, _, frames) = frames_of(built.dir.path());
    let name = segment_path.file_name().unwrap();
    let lengths = [frames[frames.len() - 2].start + 5, frames.last().unwrap().end, SEGMENT_BYTES as usize - 1, 10];
    for left in [Left::Closed, Left::Killed, Left::Restarted] {
        for len in lengths {
            let context = format!("truncated to {len} bytes, {left:?}");
            let copy = copy_dir(built.dir.path());
            leave(copy.path(), left);
            let path = copy.path().join(name);
            OpenOptions::new().write(true).open(&path).unwrap().set_len(len as u64).unwrap();
            let (named, _, detail) = open_corrupt(copy.path(), built.options(), &context);
            assert_eq!(named, path, "{context}: {detail}");
        }
    }
}

/// Bytes to write at an offset.
type Patch = (usize, Vec<u8>);

/// A process killed in the middle of an append leaves one of two shapes behind the last record
/// (see `log/frame.rs`): the next record's payload (and the end mark after it) written behind
/// the old end mark, or that record's header half written over the old mark. Either is cut, with
/// nothing else; one byte of damage more is corruption.
#[test]
fn an_append_cut_short_by_a_killed_process_is_cut_and_anything_else_is_corruption() {
    let built = BuiltLog::new(seed("append cut short"), SyncMode::None, 30);
    let (segment_path, original, frames) = frames_of(built.dir.path());
    let name = segment_path.file_name().unwrap();
    let last = *frames.last().unwrap();
    let at = last.end; // where the next frame's header goes (the end mark now)
    let next_lsn = last.lsn + 1;
    // The next record: a copy of the last one's payload under the next LSN.
    let payload = original[last.start + FRAME_HEADER_BYTES..last.end].to_vec();
    let payload_end = at + FRAME_HEADER_BYTES + payload.len();
    let mut header = [0u8; FRAME_HEADER_BYTES];
    header[0..4].copy_from_slice(&(payload.len() as u32).to_le_bytes());
    header[8..16].copy_from_slice(&next_lsn.to_le_bytes());
    header[16..24].copy_from_slice(&last.synced_lsn.to_le_bytes());
    let old_mark = end_mark(next_lsn);
    header[4..8].copy_from_slice(&old_mark[4..8]); // the checksum is written last: still the mark's

    let shapes: [(&str, Vec<Patch>); 3] = [
        ("payload behind the end mark", vec![(at + FRAME_HEADER_BYTES, payload.clone())]),
        (
            "payload and the next end mark behind it",
            vec![(at + FRAME_HEADER_BYTES, payload.clone()), (payload_end, end_mark(next_lsn + 1).to_vec())],
        ),
        (
            "the header being written",
            vec![
                (at, header.to_vec()),
                (at + FRAME_HEADER_BYTES, payload.clone()),
                (payload_end, end_mark(next_lsn + 1).to_vec()),
            ],
        ),
    ];
    // A copy of the log, left as a killed process leaves it, with `writes` made to its segment.
    let killed_with = |writes: &[Patch]| {
        let copy = copy_dir(built.dir.path());
        leave(copy.path(), Left::Killed);
        let path = copy.path().join(name);
        let file = OpenOptions::new().write(true).open(&path).unwrap();
        for (offset, bytes) in writes {
            file.write_all_at(bytes, *offset as u64).unwrap();
        }
        (copy, path)
    };
    for (shape, writes) in &shapes {
        let (copy, _) = killed_with(writes);
        // Looking first changes nothing and says what an open would cut.
        let before = dir_bytes(copy.path());
        let summary = read_records(copy.path(), |_, _| {}).unwrap();
        assert_eq!(summary.shutdown, Shutdown::ProcessCrash, "{shape}");
        assert_eq!(summary.torn_tail.as_ref().map(|t| t.offset), Some(at as u64), "{shape}");
        assert!(dir_bytes(copy.path()) == before, "{shape}: reading changed the directory");

        let engine = Engine::open(copy.path(), built.options()).unwrap_or_else(|e| panic!("{shape}: {e}"));
        let torn = engine.recovery().torn_tail.clone().unwrap_or_else(|| panic!("{shape}: no cut"));
        assert_eq!((torn.offset, torn.discarded_records), (at as u64, 0), "{shape}");
        assert_eq!(engine.recovery().last_lsn, last.lsn, "{shape}");
        assert_state(&engine, &built.ops, &Model::after(&built.ops, Lsn::MAX), shape);
        engine.close().unwrap();

        // The same shape with one more damaged byte well before it is not a cut append.
        let (copy, path) = killed_with(writes);
        flip_bit(&path, frames[frames.len() - 2].start + 9, 2);
        open_corrupt(copy.path(), built.options(), &format!("{shape}, and a flipped bit"));
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Bit flips and damaged checkpoints

#[test]
fn a_flipped_bit_before_valid_records_is_corruption_and_the_failed_open_changes_nothing() {
    let seed = seed("bit flips");
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed);
    let built = BuiltLog::new(seed, SyncMode::Always, 20);
    let (segment_path, _, frames) = frames_of(built.dir.path());
    // With SyncMode::Always every write waited for its flush, so each frame's watermark proves
    // the record before it durable: damage there cannot be a write lost in flight.
    for pair in frames.windows(2) {
        assert!(pair[1].synced_lsn >= pair[0].lsn, "watermarks: {pair:?}");
    }
    let copy = copy_dir(built.dir.path());
    let path = copy.path().join(segment_path.file_name().unwrap());
    let expect_corruption_at = |frame: &Frame, context: &str| {
        let (named, offset, detail) = open_corrupt(copy.path(), built.options(), context);
        assert_eq!(named, path, "{context}: {detail}");
        assert_eq!(offset, frame.start as u64, "{context}: {detail}");
    };

    // Every bit of one record with records after it.
    let victim = frames[rng.random_range(0..frames.len() - 1)];
    for byte in victim.start..victim.end {
        for bit in 0..8 {
            flip_bit(&path, byte, bit);
            expect_corruption_at(&victim, &format!("bit {bit} of byte {byte} in LSN {}", victim.lsn));
            flip_bit(&path, byte, bit);
        }
    }
    // One random bit in every record that has a record after it.
    for frame in &frames[..frames.len() - 1] {
        let (byte, bit) = (rng.random_range(frame.start..frame.end), rng.random_range(0..8));
        flip_bit(&path, byte, bit);
        expect_corruption_at(frame, &format!("bit {bit} of byte {byte} in LSN {}", frame.lsn));
        flip_bit(&path, byte, bit);
    }
    // A damaged header of a segment that holds records (bytes 0..52 are checked; 52..64 are
    // reserved zeros).
    for byte in 0..52 {
        let bit = rng.random_range(0..8);
        flip_bit(&path, byte, bit);
        let (named, offset, _) = open_corrupt(copy.path(), built.options(), &format!("segment header byte {byte}"));
        assert_eq!((named, offset), (path.clone(), 0));
        flip_bit(&path, byte, bit);
    }

    // Every flip undone: the log opens whole.
    let engine = Engine::open(copy.path(), built.options()).unwrap();
    assert_eq!(engine.recovery().torn_tail, None);
    assert_state(&engine, &built.ops, &Model::after(&built.ops, Lsn::MAX), "all flips undone");
    engine.close().unwrap();

    // The same damage to the last record has nothing after it. The log was closed, so that
    // record is known durable: corruption still. After a power cut (in a log whose records no
    // flush covered before the close), it is indistinguishable from a torn write and is cut.
    let last = *frames.last().unwrap();
    for byte in last.start..last.end {
        let copy = copy_dir(built.dir.path());
        let bit = (byte % 8) as u32;
        let damaged = copy.path().join(segment_path.file_name().unwrap());
        flip_bit(&damaged, byte, bit);
        let (named, offset, _) = open_corrupt(copy.path(), built.options(), &format!("last record, byte {byte}"));
        assert_eq!((named, offset), (damaged, last.start as u64));
    }
    let unsynced = BuiltLog::new(seed, SyncMode::None, 20);
    let (segment_path, _, frames) = frames_of(unsynced.dir.path());
    let last = *frames.last().unwrap();
    for byte in last.start..last.end {
        let copy = copy_dir(unsynced.dir.path());
        leave(copy.path(), Left::Restarted);
        let bit = (byte % 8) as u32;
        flip_bit(&copy.path().join(segment_path.file_name().unwrap()), byte, bit);
        let engine = Engine::open(copy.path(), unsynced.options()).unwrap_or_else(|e| panic!("last record: {e}"));
        let torn = engine.recovery().torn_tail.clone().expect("a damaged last record after a power cut is torn");
        assert_eq!((torn.offset, torn.discarded_records), (last.start as u64, 0), "byte {byte}");
        assert_state(&engine, &unsynced.ops, &Model::after(&unsynced.ops, last.lsn - 1), &format!("last, byte {byte}"));
        engine.close().unwrap();
    }
}

/// Ways to damage a checkpoint file.
fn damage_checkpoint(path: &Path, how: usize) -> &'static str {
    let len = fs::metadata(path).unwrap().len();
    match how {
        0 => {
            flip_bit(path, len as usize - 1, 3);
            "a flipped payload bit"
        }
        1 => {
            OpenOptions::new().write(true).open(path).unwrap().set_len(len - 1).unwrap();
            "a truncated file"
        }
        2 => {
            zero_range(path, 0, 32);
            "a zeroed header"
        }
        _ => {
            flip_bit(path, 13, 0);
            "a flipped checksum bit"
        }
    }
}

/// The manifest names the checkpoint recovery starts from: damaged, it is corruption (never an
/// older state, never a silent start from nothing). A whole checkpoint it does not name (a crash
/// came between the checkpoint's rename and the manifest's update) is left over: the named one
/// stands and the open removes the other. A checkpoint under another LSN's name, or from another
/// directory, is corruption wherever it lies.
#[test]
fn a_damaged_or_misnamed_checkpoint_is_corruption_and_an_unnamed_whole_one_is_left_over() {
    let mut rng = StdRng::seed_from_u64(seed("damaged checkpoint"));
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(START_MS);
    let opts = || options(&clock, SyncMode::Always);
    let engine = Engine::open(dir.path(), opts()).unwrap();
    stock_catalogue(&engine);
    let mut ops = run_workload(&engine, &clock, &mut rng, "A", 10);
    let older = engine.checkpoint().unwrap();
    assert_eq!(older.segments_removed, 1, "the checkpoint covers the first segment");
    ops.extend(run_workload(&engine, &clock, &mut rng, "B", 10));
    engine.close().unwrap();
    let full = Model::after(&ops, Lsn::MAX);

    // A crash after a newer checkpoint was renamed into place but before the manifest named it:
    // write the newer one in a copy, bring the file back.
    let newer_dir = copy_dir(dir.path());
    let engine = Engine::open(newer_dir.path(), opts()).unwrap();
    let newer = engine.checkpoint().unwrap();
    engine.close().unwrap();
    let newer_path = newer.path.clone().unwrap();
    let newer_name = newer_path.file_name().unwrap();
    let older_name = older.path.clone().unwrap().file_name().unwrap().to_owned();
    fs::copy(&newer_path, dir.path().join(newer_name)).unwrap();
    assert_eq!(checkpoints(dir.path()).len(), 2);
    assert!(older.lsn < newer.lsn);

    let intact = copy_dir(dir.path());
    let engine = Engine::open(intact.path(), opts()).unwrap();
    let report = engine.recovery().clone();
    assert_eq!(report.checkpoint_lsn, older.lsn, "the manifest's checkpoint stands");
    assert_eq!(report.records_replayed, engine.last_lsn().unwrap() - older.lsn);
    assert_state(&engine, &ops, &full, "an unnamed newer checkpoint");
    engine.close().unwrap();
    assert_eq!(checkpoints(intact.path()), vec![intact.path().join(&older_name)], "the unnamed one was removed");

    // Damage to the named checkpoint, or to the unnamed one: corruption naming the file.
    for (victim, name) in [("the named checkpoint", older_name.as_os_str()), ("the unnamed checkpoint", newer_name)] {
        for how in 0..4 {
            let copy = copy_dir(dir.path());
            let damage = damage_checkpoint(&copy.path().join(name), how);
            let (path, offset, detail) = open_corrupt(copy.path(), opts(), &format!("{victim}: {damage}"));
            assert_eq!(path, copy.path().join(name), "{victim}: {damage}: {detail}");
            println!("{victim} has {damage}: {} at {offset}: {detail}", path.display());
        }
    }

    // The named checkpoint deleted: corruption, not a replay from nothing.
    let copy = copy_dir(newer_dir.path());
    fs::remove_file(copy.path().join(newer_name)).unwrap();
    open_corrupt(copy.path(), opts(), "the named checkpoint deleted");

    // A copy renamed to a higher LSN: its header (under its checksum) says otherwise.
    let copy = copy_dir(newer_dir.path());
    let higher = copy.path().join(format!("checkpoint-{:020}.ckpt", newer.lsn + 1000));
    fs::copy(copy.path().join(newer_name), &higher).unwrap();
    let (path, offset, detail) = open_corrupt(copy.path(), opts(), "a checkpoint under a higher LSN's name");
    assert_eq!((path, offset), (higher, 16), "{detail}");

    // A checkpoint of another directory at the LSN this one names.
    let other = tempfile::tempdir().unwrap();
    let engine = Engine::open(other.path(), opts()).unwrap();
    stock_catalogue(&engine);
    while engine.last_lsn().unwrap() < newer.lsn {
        reserve(&engine, &format!("X{}", engine.last_lsn().unwrap()), &[(0, 1)]);
    }
    let foreign = engine.checkpoint().unwrap();
    engine.close().unwrap();
    assert_eq!(foreign.lsn, newer.lsn);
    let copy = copy_dir(newer_dir.path());
    fs::copy(foreign.path.unwrap(), copy.path().join(newer_name)).unwrap();
    let (_, offset, detail) = open_corrupt(copy.path(), opts(), "another directory's checkpoint");
    assert_eq!(offset, 32, "{detail}");
}

// ---------------------------------------------------------------------------------------------
// 3. One engine per directory

#[test]
fn a_second_open_of_an_open_directory_is_locked_until_the_first_is_closed() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(START_MS);
    let first = Engine::open(dir.path(), options(&clock, SyncMode::Always)).unwrap();
    stock_catalogue(&first);
    let before = dir_bytes(dir.path());
    for _ in 0..2 {
        match Engine::open(dir.path(), options(&clock, SyncMode::Always)) {
            Err(Error::Locked { path }) => assert_eq!(path, dir.path()),
            Err(other) => panic!("expected Locked, got {other}"),
            Ok(_) => panic!("a second engine opened a directory that is in use"),
        }
    }
    assert!(dir_bytes(dir.path()) == before, "the refused open changed files");
    // The refused open disturbed nothing: the first engine goes on.
    let lsn = reserve(&first, "L-1", &[(0, 1)]);
    first.close().unwrap();

    let second = Engine::open(dir.path(), options(&clock, SyncMode::Always)).unwrap();
    let found = second.client(Role::Viewer).reservation("L-1").unwrap().expect("L-1 survives");
    assert_eq!((found.lsn, found.state), (lsn, ReservationState::Held));
    second.close().unwrap();
}

/// A process forked while an engine is open (a server forking workers, or any spawn between its
/// fork and its exec) must not keep the directory locked once the engine is closed. A `flock`
/// lock belongs to the open file description, which the child shares until it execs or exits;
/// a POSIX `fcntl` lock (with an in-process registry for the same-process check) is not
/// inherited.
#[test]
fn a_process_forked_while_an_engine_was_open_does_not_keep_its_directory_locked() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(START_MS);
    let engine = Engine::open(dir.path(), options(&clock, SyncMode::Always)).unwrap();
    stock_catalogue(&engine);

    // The child tells us it has forked, then stops before its exec until we write to `release`.
    let (mut forked, forked_tx) = std::io::pipe().unwrap();
    let (gate, mut release) = std::io::pipe().unwrap();
    let (forked_fd, gate_fd) = (forked_tx.as_raw_fd(), gate.as_raw_fd());
    let mut command = Command::new("true");
    // SAFETY: the closure makes two system calls on inherited descriptors; it allocates nothing
    // and takes no lock, as required between fork and exec.
    unsafe {
        command.pre_exec(move || {
            let mut forked = std::mem::ManuallyDrop::new(fs::File::from_raw_fd(forked_fd));
            forked.write_all(&[1])?;
            let mut gate = std::mem::ManuallyDrop::new(fs::File::from_raw_fd(gate_fd));
            gate.read_exact(&mut [0u8; 1])
        });
    }
    // `spawn` returns once the child has exec'd, so it runs on a thread of its own.
    let child = std::thread::spawn(move || command.spawn().and_then(|mut child| child.wait()));
    forked.read_exact(&mut [0u8; 1]).unwrap();

    engine.close().unwrap();
    let reopened = Engine::open(dir.path(), options(&clock, SyncMode::Always));
    // Whatever happened, let the child go before asserting.
    release.write_all(&[1]).unwrap();
    let status = child.join().unwrap().unwrap();
    assert!(status.success());
    drop((gate, forked_tx));
    match reopened {
        Ok(engine) => engine.close().unwrap(),
        Err(error) => panic!("closed, but a forked child still holds the directory lock: {error}"),
    }
}

// ---------------------------------------------------------------------------------------------
// 4. A really full disk

const DISK_FULL_TEST: &str = "a_really_full_disk_is_out_of_space_not_a_crash";
const DISK_FULL_DIR_ENV: &str = "ALLOT_STORAGE_FAULTS_CHILD_DIR";
const DISK_FULL_MARKER: &str = "allot disk-full child: all checks passed";
const MOUNT_TMPFS: &str = r#"mount -t tmpfs -o size=2m tmpfs "$ALLOT_STORAGE_FAULTS_CHILD_DIR""#;

#[test]
fn a_really_full_disk_is_out_of_space_not_a_crash() {
    if let Some(dir) = std::env::var_os(DISK_FULL_DIR_ENV) {
        // The child: `dir` is a private 2 MiB tmpfs.
        let dir = PathBuf::from(dir);
        let mounts = fs::read_to_string("/proc/self/mounts").unwrap();
        let on_tmpfs = mounts.lines().any(|line| {
            let fields: Vec<&str> = line.split(' ').collect();
            fields.get(1) == Some(&dir.to_str().unwrap()) && fields.get(2) == Some(&"tmpfs")
        });
        assert!(on_tmpfs, "{} is not a tmpfs in the child", dir.display());
        fill_until_out_of_space(&dir, None);
        println!("{DISK_FULL_MARKER}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let probe =
        Command::new("unshare").args(["-rm", "sh", "-c", MOUNT_TMPFS]).env(DISK_FULL_DIR_ENV, dir.path()).output();
    match probe {
        Ok(output) if output.status.success() => {}
        other => {
            println!(
                "unshare/tmpfs not available ({other:?}): testing a full disk with injected preallocation failures"
            );
            let faults = Arc::new(Faults::default());
            fill_until_out_of_space(dir.path(), Some(faults));
            return;
        }
    }
    let script = format!(r#"{MOUNT_TMPFS} && exec "$0" "$@""#);
    let exe = std::env::current_exe().unwrap();
    let output = Command::new("unshare")
        .args(["-rm", "sh", "-c", &script])
        .arg(&exe)
        .args(["--exact", DISK_FULL_TEST, "--nocapture", "--test-threads=1"])
        .env(DISK_FULL_DIR_ENV, dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains(DISK_FULL_MARKER),
        "the disk-full child failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        output.status
    );
    for line in stdout.lines().filter_map(|line| line.find("out of space after").map(|at| &line[at..])) {
        println!("child: {line}");
    }
    assert!(segments(dir.path()).is_empty(), "the tmpfs was private to the child");
}

/// Reserves until the disk is full (really, or by injected preallocation failures), then checks
/// that the error is `OutOfSpace`, that it changed nothing, that reads work, and that the
/// directory closes and reopens with exactly what was acknowledged.
fn fill_until_out_of_space(dir: &Path, faults: Option<Arc<Faults>>) {
    let clock = ManualClock::new(START_MS);
    let mut opts = options(&clock, SyncMode::None);
    if let Some(faults) = &faults {
        opts = opts.faults(faults.clone());
    }
    let engine = Engine::open(dir, opts.clone()).unwrap();
    let admin = engine.client(Role::Admin);
    admin.add_warehouse("WH-SH", WarehouseSpec::new("310000", 1)).unwrap();
    admin.add_sku("BULK", "home").unwrap();
    admin.set_stock("BULK", "WH-SH", 1 << 40).unwrap();
    if let Some(faults) = &faults {
        faults.fail_preallocations(u32::MAX);
    }
    let orders = engine.client(Role::Orders);
    let mut made = 0u64;
    let error = loop {
        assert!(made < 1_000_000, "2 MiB never filled up");
        let (stock, last_lsn) = (orders.stock("BULK").unwrap(), engine.last_lsn().unwrap());
        let order = format!("FULL-{made:07}");
        match orders.reserve(&order, &[("BULK", 1)], &ReserveOptions::new()) {
            Ok(_) => made += 1,
            Err(error) => {
                assert_eq!(orders.stock("BULK").unwrap(), stock, "a failed reserve holds nothing");
                assert_eq!(orders.reservation(&order).unwrap(), None, "a failed reserve is not an order");
                assert_eq!(engine.last_lsn().unwrap(), last_lsn, "a failed reserve wrote no record");
                break error;
            }
        }
    };
    let Error::OutOfSpace { path, bytes } = &error else { panic!("expected OutOfSpace after {made}, got {error}") };
    assert_eq!((path.parent(), *bytes), (Some(dir), SEGMENT_BYTES), "{error}");
    let segment_count = segments(dir).len();
    assert!(segment_count >= 2 || faults.is_some(), "only {segment_count} segments before the disk was full");
    println!("out of space after {made} reservations in {segment_count} segments: {error}");

    // Not poisoned: the same call fails the same way; reads and checks work.
    let again = orders.reserve("FULL-AGAIN", &[("BULK", 1)], &ReserveOptions::new()).unwrap_err();
    assert!(matches!(again, Error::OutOfSpace { .. }), "{again}");
    let checkpoint = engine.checkpoint().unwrap_err();
    assert!(matches!(checkpoint, Error::OutOfSpace { .. }), "a checkpoint needs a new segment: {checkpoint}");
    assert!(checkpoints(dir).is_empty());
    let levels = orders.stock("BULK").unwrap();
    assert_eq!((levels.reserved, levels.on_hand), (made, 1 << 40));
    assert_eq!(orders.reservation("FULL-0000000").unwrap().unwrap().state, ReservationState::Held);
    engine.check_invariants().unwrap();
    let last_lsn = engine.last_lsn().unwrap();
    engine.close().unwrap();

    // A full disk does not stop the directory from opening: nothing needs new space to recover.
    let engine = Engine::open(dir, opts).unwrap();
    assert_eq!((engine.recovery().last_lsn, engine.recovery().torn_tail.clone()), (last_lsn, None));
    let orders = engine.client(Role::Orders);
    assert_eq!(orders.stock("BULK").unwrap().reserved, made);
    let still = orders.reserve("FULL-REOPENED", &[("BULK", 1)], &ReserveOptions::new()).unwrap_err();
    assert!(matches!(still, Error::OutOfSpace { .. }), "{still}");
    if let Some(faults) = &faults {
        // Space again: the engine goes on where it stopped.
        faults.fail_preallocations(0);
        let next = orders.reserve("FULL-ROOM-AGAIN", &[("BULK", 1)], &ReserveOptions::new()).unwrap();
        assert_eq!(next.lsn, last_lsn + 1);
    }
    engine.check_invariants().unwrap();
    engine.close().unwrap();
}

// ---------------------------------------------------------------------------------------------
// 5. Injected disk full

#[test]
fn an_injected_full_disk_at_rollover_is_out_of_space_changes_nothing_and_does_not_poison() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(START_MS);
    let faults = Arc::new(Faults::default());
    let opts = || options(&clock, SyncMode::None).faults(faults.clone());

    // Not even the first segment fits: the open fails and leaves no half-made segment behind.
    faults.fail_preallocations(1);
    match Engine::open(dir.path(), opts()) {
        Err(Error::OutOfSpace { path, bytes }) => assert_eq!((path.parent(), bytes), (Some(dir.path()), SEGMENT_BYTES)),
        Err(other) => panic!("expected OutOfSpace, got {other}"),
        Ok(_) => panic!("opened without a segment"),
    }
    assert!(segments(dir.path()).is_empty());

    let engine = Engine::open(dir.path(), opts()).unwrap();
    stock_catalogue(&engine);
    let orders = engine.client(Role::Orders);
    let held_before = engine.metrics().unwrap().reservations_held;
    faults.fail_preallocations(u32::MAX);
    let mut made: Vec<(String, Lsn)> = Vec::new();
    let (failed_order, error) = loop {
        assert!(made.len() < 100_000, "the segment never filled up");
        let order = format!("R-{:06}", made.len());
        let before: Vec<_> = SKUS.iter().map(|sku| orders.stock(sku).unwrap()).collect();
        let last_lsn = engine.last_lsn().unwrap();
        match orders.reserve(&order, &[(SKUS[made.len() % 2], 1), ("DESK", 1)], &ReserveOptions::new()) {
            Ok(reservation) => made.push((order, reservation.lsn)),
            Err(error) => {
                let after: Vec<_> = SKUS.iter().map(|sku| orders.stock(sku).unwrap()).collect();
                assert_eq!(after, before, "a failed reserve holds nothing");
                assert_eq!(engine.last_lsn().unwrap(), last_lsn, "a failed reserve wrote no record");
                break (order, error);
            }
        }
    };
    let Error::OutOfSpace { path, bytes } = &error else { panic!("expected OutOfSpace, got {error}") };
    assert_eq!((path.parent(), *bytes), (Some(dir.path()), SEGMENT_BYTES), "{error}");
    assert_eq!(orders.reservation(&failed_order).unwrap(), None);
    assert_eq!(engine.metrics().unwrap().reservations_held, held_before + made.len() as u64);
    assert_eq!(engine.metrics().unwrap().log_segments, 1);
    engine.check_invariants().unwrap();
    // Still out of space, still not poisoned: the same call fails the same way.
    let again = orders.reserve(&failed_order, &[("SOFA", 1)], &ReserveOptions::new()).unwrap_err();
    assert!(matches!(again, Error::OutOfSpace { .. }), "{again}");
    assert!(matches!(engine.checkpoint().unwrap_err(), Error::OutOfSpace { .. }));

    // Space again: the engine rolls over and goes on, from the next LSN.
    faults.fail_preallocations(0);
    let last_lsn = engine.last_lsn().unwrap();
    let next = orders.reserve(&failed_order, &[("SOFA", 1)], &ReserveOptions::new()).unwrap();
    assert_eq!((next.lsn, next.repeat), (last_lsn + 1, false));
    let (first_order, _) = &made[0];
    orders.commit(first_order).unwrap();
    assert_eq!(engine.metrics().unwrap().log_segments, 2);
    engine.check_invariants().unwrap();
    engine.close().unwrap();

    let engine = Engine::open(dir.path(), options(&clock, SyncMode::None)).unwrap();
    assert_eq!(engine.recovery().torn_tail, None);
    assert_eq!(engine.recovery().last_lsn, last_lsn + 2);
    let viewer = engine.client(Role::Viewer);
    for (order, lsn) in made.iter().skip(1) {
        let found = viewer.reservation(order).unwrap().unwrap_or_else(|| panic!("{order} lost"));
        assert_eq!((found.lsn, found.state), (*lsn, ReservationState::Held));
    }
    assert_eq!(viewer.reservation(first_order).unwrap().unwrap().state, ReservationState::Committed);
    assert_eq!(viewer.reservation(&failed_order).unwrap().unwrap().lsn, last_lsn + 1);
    engine.check_invariants().unwrap();
    engine.close().unwrap();
}

// ---------------------------------------------------------------------------------------------
// 6. A failed sync

#[test]
fn a_failed_sync_poisons_writes_keeps_reads_and_a_reopen_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(START_MS);
    let faults = Arc::new(Faults::default());
    let engine = Engine::open(dir.path(), options(&clock, SyncMode::Always).faults(faults.clone())).unwrap();
    stock_catalogue(&engine);
    let orders = engine.client(Role::Orders);
    let admin = engine.client(Role::Admin);
    let durable = reserve(&engine, "DURABLE", &[(0, 2)]);
    assert_eq!(engine.durable_lsn().unwrap(), durable);

    faults.fail_syncs(1);
    let error = orders.reserve("IN-DOUBT", &[(SKUS[1], 1)], &ReserveOptions::new()).unwrap_err();
    assert!(matches!(error, Error::Poisoned { .. }), "the write whose sync failed: {error}");
    assert_eq!(engine.durable_lsn().unwrap(), durable, "nothing more became durable");
    // Every write is refused now, even though the injected fault is used up.
    let opts = ReserveOptions::new();
    let writes: Vec<(&str, Result<(), Error>)> = vec![
        ("reserve", orders.reserve("AFTER", &[("RUG", 1)], &opts).map(drop)),
        ("repeat of the write in doubt", orders.reserve("IN-DOUBT", &[(SKUS[1], 1)], &opts).map(drop)),
        (
            "reserve_many",
            orders.reserve_many(&[OrderRequest { order_id: "M", lines: &[("RUG", 1)], options: opts }]).map(drop),
        ),
        ("commit", orders.commit("DURABLE").map(drop)),
        ("release", orders.release("DURABLE").map(drop)),
        ("add_sku", admin.add_sku("CHAIR", "home").map(drop)),
        ("add_warehouse", admin.add_warehouse("WH-BJ", WarehouseSpec::new("110000", 1)).map(drop)),
        ("set_stock", admin.set_stock("RUG", "WH-SH", 5).map(drop)),
        ("receive", admin.receive("RUG", "WH-SH", 5).map(drop)),
        ("adjust", admin.adjust("RUG", "WH-SH", -1, "damaged").map(drop)),
        ("checkpoint", engine.checkpoint().map(drop)),
    ];
    for (what, result) in writes {
        assert!(matches!(result, Err(Error::Poisoned { .. })), "{what} after a failed sync: {result:?}");
    }
    assert!(checkpoints(dir.path()).is_empty(), "no checkpoint of a state that is not durable");
    // Reads keep working. The write in doubt was applied in memory before its sync failed (its
    // caller was told that it may or may not be durable), and reads show it.
    let viewer = engine.client(Role::Viewer);
    assert_eq!(viewer.reservation("IN-DOUBT").unwrap().unwrap().state, ReservationState::Held);
    assert_eq!(viewer.reservation("DURABLE").unwrap().unwrap().state, ReservationState::Held);
    assert_eq!(viewer.stock("SOFA").unwrap().reserved, 2);
    assert_eq!(viewer.reservation("AFTER").unwrap(), None);
    assert_eq!(viewer.stock("RUG").unwrap().on_hand, STOCK);
    assert!(viewer.sku_id("CHAIR").is_err());
    engine.check_invariants().unwrap();
    let closed = engine.close();
    println!("close of a poisoned engine: {closed:?}");

    // Reopened without faults: the records that reached the file are recovered (the write in
    // doubt did: its bytes were in the page cache), and writes are accepted again.
    let engine = Engine::open(dir.path(), options(&clock, SyncMode::Always)).unwrap();
    assert_eq!(engine.recovery().torn_tail, None);
    let orders = engine.client(Role::Orders);
    let in_doubt = orders.reserve("IN-DOUBT", &[(SKUS[1], 1)], &ReserveOptions::new()).unwrap();
    assert!(in_doubt.repeat, "a retry finds the write in doubt and holds nothing twice");
    assert_eq!(orders.stock("LAMP").unwrap().reserved, 1);
    reserve(&engine, "AFTER", &[(2, 1)]);
    orders.commit("DURABLE").unwrap();
    engine.check_invariants().unwrap();
    engine.close().unwrap();
    let engine = Engine::open(dir.path(), options(&clock, SyncMode::Always)).unwrap();
    let viewer = engine.client(Role::Viewer);
    assert_eq!(viewer.reservation("DURABLE").unwrap().unwrap().state, ReservationState::Committed);
    assert_eq!(viewer.reservation("AFTER").unwrap().unwrap().state, ReservationState::Held);
    engine.close().unwrap();
}

#[test]
fn every_writer_waiting_on_a_failed_flush_is_told_so() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(START_MS);
    let faults = Arc::new(Faults::default());
    let engine = Engine::open(dir.path(), options(&clock, SyncMode::Always).faults(faults.clone())).unwrap();
    stock_catalogue(&engine);
    faults.fail_syncs(1);
    let results: Vec<Result<(), Error>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let orders = engine.client(Role::Orders);
                scope.spawn(move || {
                    (0..25).try_for_each(|i| {
                        orders.reserve(&format!("T{t}-{i}"), &[("SOFA", 1)], &ReserveOptions::new()).map(drop)
                    })
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for result in results {
        assert!(matches!(result, Err(Error::Poisoned { .. })), "{result:?}");
    }
    engine.check_invariants().unwrap();
    let _ = engine.close();
}

// ---------------------------------------------------------------------------------------------
// 7. Lost in flight versus damage

/// A log whose last records were appended as one batch (`reserve_many`): their frames carry the
/// watermark from before the batch, as if power was lost before the batch's flush finished.
struct BatchLog {
    built: BuiltLog,
    /// Index in `frames` of the first record of the batch.
    batch_start: usize,
}

const ONE_BY_ONE: usize = 60;

/// Reserves `count` one-line orders with one `reserve_many` call: appended back to back, made
/// durable by one flush at the end.
fn reserve_batch(engine: &Engine, prefix: &str, count: usize) -> Vec<(Lsn, Op)> {
    let names: Vec<String> = (0..count).map(|i| format!("{prefix}-{i:04}")).collect();
    let lines: Vec<[(&str, u32); 1]> = (0..count).map(|i| [(SKUS[i % SKUS.len()], 2)]).collect();
    let requests: Vec<OrderRequest<'_>> = names
        .iter()
        .zip(&lines)
        .map(|(name, lines)| OrderRequest { order_id: name, lines, options: ReserveOptions::new() })
        .collect();
    let results = engine.client(Role::Orders).reserve_many(&requests).unwrap();
    results
        .into_iter()
        .zip(names)
        .enumerate()
        .map(|(i, (result, order))| (result.unwrap().lsn, Op::Reserve { order, lines: vec![(i % SKUS.len(), 2)] }))
        .collect()
}

fn batch_log() -> BatchLog {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(START_MS);
    let engine = Engine::open(dir.path(), options(&clock, SyncMode::Always)).unwrap();
    stock_catalogue(&engine);
    let mut ops = Vec::new();
    for i in 0..ONE_BY_ONE {
        let lines = vec![(i % SKUS.len(), 1)];
        let order = format!("ONE-{i:03}");
        ops.push((reserve(&engine, &order, &lines), Op::Reserve { order, lines }));
    }
    ops.extend(reserve_batch(&engine, "BATCH", 150));
    engine.close().unwrap();
    let batch_lsn = ops[ONE_BY_ONE].0;
    let (_, _, frames) = frames_of(dir.path());
    let batch_start = frames.iter().position(|f| f.lsn == batch_lsn).unwrap();
    BatchLog { built: BuiltLog { dir, clock, sync: SyncMode::Always, ops }, batch_start }
}

#[test]
fn a_zero_sector_in_the_unsynced_last_group_is_lost_in_flight_but_among_durable_records_is_corruption() {
    let BatchLog { built, batch_start } = batch_log();
    let (segment_path, original, frames) = frames_of(built.dir.path());
    let name = segment_path.file_name().unwrap();
    let batch_lsn = frames[batch_start].lsn;
    // The premise: one by one, each record's successor proves it durable; the batch's frames
    // all carry the watermark from before the batch.
    for pair in frames[..batch_start].windows(2) {
        assert!(pair[1].synced_lsn >= pair[0].lsn);
    }
    assert!(frames[batch_start..].iter().all(|f| f.synced_lsn == batch_lsn - 1), "{:?}", &frames[batch_start..]);
    let last_end = frames.last().unwrap().end;

    let mut lost = 0;
    let mut corrupt = 0;
    for sector in (SECTOR_BYTES..last_end).step_by(SECTOR_BYTES) {
        // The first record with bytes the zero sector changes, and the records wholly after it.
        let Some(damaged) = frames.iter().find(|f| {
            f.end > sector && original[sector.max(f.start)..f.end.min(sector + SECTOR_BYTES)].iter().any(|&b| b != 0)
        }) else {
            continue;
        };
        let after: Vec<&Frame> = frames.iter().filter(|f| f.start >= sector + SECTOR_BYTES).collect();
        if after.is_empty() {
            continue; // a plain torn tail, tested above
        }
        let context = format!("zero sector at {sector}, first damaged LSN {}", damaged.lsn);
        if lost + corrupt == 0 {
            // Without a power cut the same sector is plain damage: the close recorded the end.
            let closed = copy_dir(built.dir.path());
            zero_range(&closed.path().join(name), sector, sector + SECTOR_BYTES);
            open_corrupt(closed.path(), built.options(), &format!("{context}, closed"));
        }
        let copy = copy_dir(built.dir.path());
        leave(copy.path(), Left::Restarted);
        let path = copy.path().join(name);
        zero_range(&path, sector, sector + SECTOR_BYTES);
        let proven_durable = after.iter().any(|f| f.synced_lsn >= damaged.lsn);
        if proven_durable {
            corrupt += 1;
            let (named, offset, detail) = open_corrupt(copy.path(), built.options(), &context);
            assert_eq!((named, offset), (path.clone(), damaged.start as u64), "{context}: {detail}");
            continue;
        }
        lost += 1;
        assert!(damaged.lsn >= batch_lsn, "{context}");
        let damaged_data = fs::read(&path).unwrap();
        let engine = Engine::open(copy.path(), built.options()).unwrap_or_else(|e| panic!("{context}: {e}"));
        let torn = engine.recovery().torn_tail.clone().unwrap_or_else(|| panic!("{context}: no cut reported"));
        assert_eq!(torn.path, path, "{context}");
        assert_eq!(torn.offset, damaged.start as u64, "{context}");
        assert_eq!(torn.discarded_records, after.len() as u64, "{context}: {torn:?}");
        assert_eq!(torn.damaged_bytes, (last_nonzero_end(&damaged_data) - damaged.start) as u64, "{context}");
        let last_lsn = damaged.lsn - 1;
        assert_eq!(engine.recovery().last_lsn, last_lsn, "{context}");
        assert_state(&engine, &built.ops, &Model::after(&built.ops, last_lsn), &context);
        let repaired = fs::read(&path).unwrap();
        assert_eq!(repaired[damaged.start..damaged.start + END_MARK_BYTES], end_mark(damaged.lsn), "{context}");
        let after_mark = &repaired[damaged.start + END_MARK_BYTES..];
        assert!(after_mark.iter().all(|&b| b == 0), "{context}: the discarded records are zeroed");
        // The log goes on from the cut; the discarded records never come back.
        let lsn = reserve(&engine, "AFTER-LOSS", &[(0, 1)]);
        assert_eq!(lsn, damaged.lsn, "{context}");
        engine.close().unwrap();
        let mut ops: Vec<(Lsn, Op)> = built.ops.iter().filter(|(l, _)| *l <= last_lsn).cloned().collect();
        ops.push((lsn, Op::Reserve { order: "AFTER-LOSS".into(), lines: vec![(0, 1)] }));
        let engine = Engine::open(copy.path(), built.options()).unwrap();
        assert_eq!(engine.recovery().torn_tail, None, "{context}: reopened");
        assert_state(&engine, &ops, &Model::after(&ops, lsn), &format!("{context}, reopened"));
        let viewer = engine.client(Role::Viewer);
        for (_, op) in built.ops.iter().filter(|(l, _)| *l > last_lsn) {
            let Op::Reserve { order, .. } = op else { unreachable!() };
            assert_eq!(viewer.reservation(order).unwrap(), None, "{context}: {order} was discarded");
        }
        engine.close().unwrap();
    }
    println!("zero sectors: {lost} lost in flight, {corrupt} corruption");
    assert!(lost >= 1 && corrupt >= 2, "lost {lost}, corrupt {corrupt}: the log is too short to test both rules");
}

/// A closed log in two segments whose last group of records (one `reserve_many` batch, appended
/// with no flush in between) runs from the end of the first segment into the second. Returns the
/// log and the first LSN of that batch.
fn rollover_batch_log() -> (BuiltLog, Lsn) {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(START_MS);
    let engine = Engine::open(dir.path(), options(&clock, SyncMode::Always)).unwrap();
    stock_catalogue(&engine);
    let mut ops = Vec::new();
    let room =
        |engine: &Engine| SEGMENT_BYTES - SEGMENT_HEADER_BYTES as u64 - engine.metrics().unwrap().log_bytes_appended;
    let mut batches = 0;
    while room(&engine) > 12 * 1024 {
        ops.extend(reserve_batch(&engine, &format!("FILL{batches}"), 100));
        batches += 1;
    }
    assert_eq!(engine.metrics().unwrap().log_segments, 1);
    let last_batch = reserve_batch(&engine, "LAST", 400);
    assert_eq!(engine.metrics().unwrap().log_segments, 2, "the last batch rolled over");
    let batch_lsn = last_batch[0].0;
    ops.extend(last_batch);
    engine.close().unwrap();
    (BuiltLog { dir, clock, sync: SyncMode::Always, ops }, batch_lsn)
}

/// Power fails while the last group is being flushed: the kernel had written back the new
/// segment's pages but not the old segment's last pages. Nothing in the lost range was
/// acknowledged, and every frame after it says so (watermarks below it), so by recovery's own
/// lost-in-flight rule the log is cut where the loss starts, exactly as within one segment.
#[test]
fn a_write_lost_in_flight_across_a_segment_rollover_is_cut_not_corruption() {
    let (built, batch_lsn) = rollover_batch_log();
    let paths = segments(built.dir.path());
    assert_eq!(paths.len(), 2, "{paths:?}");
    let (first_bytes, first_frames) = segment_frames(&paths[0]);
    let (_, second_frames) = segment_frames(&paths[1]);
    let batch_at = first_frames.iter().position(|f| f.lsn == batch_lsn).expect("the batch starts in segment 1");
    assert!(!second_frames.is_empty());
    assert!(second_frames.iter().all(|f| f.synced_lsn == batch_lsn - 1), "watermarks of the new segment");
    let first_end = first_frames.last().unwrap().end;
    let batch_start = first_frames[batch_at].start;
    assert!(first_end - batch_start > 2 * SECTOR_BYTES, "the batch has sectors in segment 1");

    let mut failures = Vec::new();
    // Nothing of the batch reached the old segment; or its first sector did and the rest not.
    for from in [batch_start, (batch_start / SECTOR_BYTES + 1) * SECTOR_BYTES] {
        let context = format!("segment 1 zeroed from byte {from} to its end");
        let copy = copy_dir(built.dir.path());
        leave(copy.path(), Left::Restarted);
        let first_path = copy.path().join(paths[0].file_name().unwrap());
        zero_range(&first_path, from, first_end);
        let damaged = first_frames[batch_at..]
            .iter()
            .find(|f| f.end > from && first_bytes[from.max(f.start)..f.end].iter().any(|&b| b != 0))
            .unwrap();
        let engine = match Engine::open(copy.path(), built.options()) {
            Ok(engine) => engine,
            Err(error) => {
                failures.push(format!("{context}: {error}"));
                continue;
            }
        };
        let torn = engine.recovery().torn_tail.clone().unwrap_or_else(|| panic!("{context}: no cut reported"));
        assert_eq!((torn.path.as_path(), torn.offset), (first_path.as_path(), damaged.start as u64), "{context}");
        assert_eq!(torn.discarded_records, second_frames.len() as u64, "{context}: {torn:?}");
        let last_lsn = damaged.lsn - 1;
        assert_eq!(engine.recovery().last_lsn, last_lsn, "{context}");
        assert_state(&engine, &built.ops, &Model::after(&built.ops, last_lsn), &context);
        let lsn = reserve(&engine, "AFTER-LOSS", &[(0, 1)]);
        assert_eq!(lsn, damaged.lsn, "{context}");
        engine.close().unwrap();
        let mut ops: Vec<(Lsn, Op)> = built.ops.iter().filter(|(l, _)| *l <= last_lsn).cloned().collect();
        ops.push((lsn, Op::Reserve { order: "AFTER-LOSS".into(), lines: vec![(0, 1)] }));
        let engine = Engine::open(copy.path(), built.options()).unwrap();
        assert_eq!(engine.recovery().torn_tail, None, "{context}: reopened");
        assert_state(&engine, &ops, &Model::after(&ops, lsn), &format!("{context}, reopened"));
        let viewer = engine.client(Role::Viewer);
        for (_, op) in built.ops.iter().filter(|(l, _)| *l > last_lsn) {
            let Op::Reserve { order, .. } = op else { unreachable!() };
            assert_eq!(viewer.reservation(order).unwrap(), None, "{context}: {order} was discarded");
        }
        engine.close().unwrap();
    }
    assert!(failures.is_empty(), "a write lost in flight across a rollover was refused:\n{}", failures.join("\n"));
}

/// Rollovers under concurrent appends while the worker preallocates spares: neither a deadlock
/// between the writer's and the spare's locks, nor two makers of the same segment file (which
/// showed as a spurious "File exists" error). A stall fails the test instead of hanging it.
#[test]
fn segment_rollovers_under_concurrent_load_neither_deadlock_nor_collide() {
    const THREADS: usize = 4;
    const ORDERS: usize = 150_000;
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(START_MS);
    let engine = Engine::open(dir.path(), options(&clock, SyncMode::None)).unwrap();
    stock_catalogue(&engine);
    let (done, finished) = std::sync::mpsc::channel();
    for t in 0..THREADS {
        let (orders, done) = (engine.client(Role::Orders), done.clone());
        std::thread::spawn(move || {
            let result = (0..ORDERS).try_for_each(|n| {
                orders.reserve(&format!("T{t}-{n}"), &[(SKUS[n % SKUS.len()], 1)], &ReserveOptions::new()).map(|_| ())
            });
            done.send(result).unwrap();
        });
    }
    for _ in 0..THREADS {
        let result = finished
            .recv_timeout(std::time::Duration::from_secs(120))
            .expect("reservations stalled across segment rollovers: a lock-order deadlock");
        result.unwrap();
    }
    let segments = engine.metrics().unwrap().log_segments;
    assert!(segments >= 10, "only {segments} segments: the test did not roll over enough to mean anything");
    engine.close().unwrap();
}

/// A segment whose header page never reached the disk while later pages did (a power cut in
/// the middle of its first flush) holds records nobody was promised. Recovery must count them
/// as discarded, remove the file, and never reuse it as a spare: otherwise the old frames beyond
/// whatever is appended next would be replayed later as if they were new.
#[test]
fn a_segment_whose_header_never_reached_the_disk_is_discarded_not_reused() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(START_MS);
    let engine = Engine::open(dir.path(), options(&clock, SyncMode::None)).unwrap();
    stock_catalogue(&engine);
    let mut n = 0;
    while segments(dir.path()).len() < 2 || frames_of_segment(&segments(dir.path())[1]) < 300 {
        reserve(&engine, &format!("O{n:07}"), &[(n % SKUS.len(), 1)]);
        n += 1;
    }
    let held_before = engine.client(Role::Viewer).stock("SOFA").unwrap().reserved;
    engine.close().unwrap();
    let second = segments(dir.path())[1].clone();
    let in_second = frames_of_segment(&second);
    leave(dir.path(), Left::Restarted);
    zero_range(&second, 0, 4096); // the header and the first frames never made it

    let engine = Engine::open(dir.path(), options(&clock, SyncMode::None)).unwrap();
    let torn = engine.recovery().torn_tail.clone().expect("the loss is reported");
    assert!(torn.discarded_records > 0 && torn.discarded_records < in_second as u64, "{torn:?}");
    assert!(!second.exists(), "the damaged segment is removed, not kept as a spare");
    let held_after = engine.client(Role::Viewer).stock("SOFA").unwrap().reserved;
    assert!(held_after < held_before);
    for m in 0..400 {
        reserve(&engine, &format!("N{m:07}"), &[(m % SKUS.len(), 1)]);
    }
    let reserved = engine.client(Role::Viewer).stock("SOFA").unwrap().reserved;
    engine.close().unwrap();
    let engine = Engine::open(dir.path(), options(&clock, SyncMode::None)).unwrap();
    assert_eq!(engine.recovery().torn_tail, None);
    assert_eq!(engine.client(Role::Viewer).stock("SOFA").unwrap().reserved, reserved, "no phantom records came back");
    engine.check_invariants().unwrap();
    engine.close().unwrap();
}

fn frames_of_segment(path: &Path) -> usize {
    segment_frames(path).1.len()
}

/// A split order that would fill more than `PLACED_LINES_MAX` lines is refused before anything
/// is written, and leaves no bytes behind in the log.
#[test]
fn an_order_split_too_finely_is_refused_and_leaves_the_log_clean() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(START_MS);
    let engine = Engine::open(dir.path(), options(&clock, SyncMode::Always)).unwrap();
    let admin = engine.client(Role::Admin);
    let warehouses: Vec<String> = (0..40).map(|w| format!("W{w}")).collect();
    for w in &warehouses {
        admin.add_warehouse(w, WarehouseSpec::new("310000", 1)).unwrap();
    }
    let skus: Vec<String> = (0..128).map(|s| format!("S{s}")).collect();
    for sku in &skus {
        admin.add_sku(sku, "c").unwrap();
        for w in &warehouses {
            admin.set_stock(sku, w, 1).unwrap();
        }
    }
    let lines: Vec<(&str, u32)> = skus.iter().map(|s| (s.as_str(), 40)).collect();
    let before = engine.last_lsn().unwrap();
    let error = admin.reserve("HUGE", &lines, &ReserveOptions::new().allow_split(true)).unwrap_err();
    assert!(matches!(error, Error::LimitExceeded { limit: "PLACED_LINES_MAX", .. }), "{error}");
    assert_eq!(engine.last_lsn().unwrap(), before);
    engine.close().unwrap();
    let engine = Engine::open(dir.path(), options(&clock, SyncMode::Always)).unwrap();
    assert_eq!(engine.recovery().torn_tail, None);
    engine.close().unwrap();
}

/// Every record after a checkpoint lost: after a clean close that is corruption (they were
/// durable); after a power cut in a `None` log (nothing after the checkpoint was flushed) the log
/// is cut back to the checkpoint and continues right after it, never reusing an LSN the
/// checkpoint covers.
#[test]
fn the_records_after_a_checkpoint_lost_are_corruption_when_closed_and_cut_after_a_power_cut() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(START_MS);
    let engine = Engine::open(dir.path(), options(&clock, SyncMode::None)).unwrap();
    stock_catalogue(&engine);
    for n in 0..50 {
        reserve(&engine, &format!("A{n}"), &[(n % SKUS.len(), 1)]);
    }
    let report = engine.checkpoint().unwrap();
    for n in 0..5 {
        reserve(&engine, &format!("B{n}"), &[(0, 1)]);
    }
    engine.close().unwrap();
    let last = segments(dir.path()).last().unwrap().clone();
    let data = fs::read(&last).unwrap();
    let lose_everything_after_the_checkpoint = |dir: &Path| {
        zero_range(&dir.join(last.file_name().unwrap()), SEGMENT_HEADER_BYTES, last_nonzero_end(&data));
    };

    let closed = copy_dir(dir.path());
    lose_everything_after_the_checkpoint(closed.path());
    let (path, offset, detail) = open_corrupt(closed.path(), options(&clock, SyncMode::None), "closed");
    assert_eq!((path.file_name(), offset), (last.file_name(), SEGMENT_HEADER_BYTES as u64), "{detail}");

    leave(dir.path(), Left::Restarted);
    lose_everything_after_the_checkpoint(dir.path());
    let engine = Engine::open(dir.path(), options(&clock, SyncMode::None)).unwrap();
    assert_eq!(engine.recovery().checkpoint_lsn, report.lsn);
    assert_eq!(engine.last_lsn().unwrap(), report.lsn, "the log continues right after the checkpoint");
    let viewer = engine.client(Role::Viewer);
    assert!(viewer.reservation("A49").unwrap().is_some(), "the checkpoint still has what came before");
    assert!(viewer.reservation("B0").unwrap().is_none());
    let lsn = reserve(&engine, "C0", &[(1, 1)]);
    assert_eq!(lsn, report.lsn + 1);
    engine.close().unwrap();
    let engine = Engine::open(dir.path(), options(&clock, SyncMode::None)).unwrap();
    assert!(engine.client(Role::Viewer).reservation("C0").unwrap().is_some());
    engine.check_invariants().unwrap();
    engine.close().unwrap();
}

// ---------------------------------------------------------------------------------------------
// 8. The largest record

/// A rules file as large as `RULES_BYTES_MAX` admits is one log record of about a megabyte:
/// bigger than the room left in a segment, bigger than a whole small segment. It is logged in a
/// segment made big enough for it, and survives a restart and a checkpoint; one byte more is
/// refused by the limit that names it, before anything is written.
#[test]
fn a_rules_file_as_large_as_the_limit_admits_is_logged_and_survives_restart_and_checkpoint() {
    use allot_core::routing::RULES_BYTES_MAX;
    let head = "default_path = \"auto\"\n[sla]\ntracking = \"4h\"\n";
    let mut rules = String::from(head);
    let line = "# a comment the business user wrote to explain the routing to the next person\n";
    while rules.len() + line.len() <= RULES_BYTES_MAX {
        rules.push_str(line);
    }
    rules.push_str(&"#".repeat(RULES_BYTES_MAX - rules.len() - 1));
    rules.push('\n');
    assert_eq!(rules.len(), RULES_BYTES_MAX);

    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(START_MS);
    let engine = Engine::open(dir.path(), options(&clock, SyncMode::Always)).unwrap();
    stock_catalogue(&engine);
    reserve(&engine, "BEFORE", &[(0, 1)]);
    let admin = engine.client(Role::Admin);
    admin.set_rules(&rules).unwrap();
    reserve(&engine, "AFTER", &[(1, 1)]);
    let too_long = format!("{rules}#");
    let error = admin.set_rules(&too_long).unwrap_err();
    assert!(matches!(error, Error::InvalidRules { .. } | Error::LimitExceeded { .. }), "{error}");
    assert_eq!(admin.rules_text().unwrap(), rules, "the refused file changed nothing");
    engine.close().unwrap();
    assert!(segments(dir.path()).iter().any(|p| fs::metadata(p).unwrap().len() > SEGMENT_BYTES), "an oversize segment");

    let engine = Engine::open(dir.path(), options(&clock, SyncMode::Always)).unwrap();
    assert_eq!(engine.client(Role::Admin).rules_text().unwrap(), rules, "replayed");
    assert!(engine.client(Role::Viewer).reservation("AFTER").unwrap().is_some());
    engine.checkpoint().unwrap();
    reserve(&engine, "LATER", &[(2, 1)]);
    engine.close().unwrap();
    let engine = Engine::open(dir.path(), options(&clock, SyncMode::Always)).unwrap();
    assert_eq!(engine.client(Role::Admin).rules_text().unwrap(), rules, "from the checkpoint");
    assert!(engine.client(Role::Viewer).reservation("LATER").unwrap().is_some());
    engine.check_invariants().unwrap();
    engine.close().unwrap();
}

/// A FIFO, a device or a symlink under a log file's name would block recovery or read without
/// end: every log file must be a regular file, and anything else is corruption naming it,
/// at once.
#[test]
fn a_log_file_name_on_a_fifo_or_a_symlink_is_corruption_not_a_hang() {
    let built = BuiltLog::new(seed("not a regular file"), SyncMode::Always, 5);
    let cases = [
        ("LOCK", "fifo"),
        ("LOCK", "/dev/zero"),
        ("wal-00000000000000000009.seg", "fifo"),
        ("checkpoint-00000000000000099999.ckpt", "fifo"),
        ("checkpoint-00000000000000099999.ckpt", "/dev/zero"),
        ("MANIFEST", "/dev/zero"),
    ];
    for (name, what) in cases {
        let copy = copy_dir(built.dir.path());
        let path = copy.path().join(name);
        let _ = fs::remove_file(&path);
        if what == "fifo" {
            assert!(Command::new("mkfifo").arg(&path).status().unwrap().success());
        } else {
            std::os::unix::fs::symlink(what, &path).unwrap();
        }
        for (how, result) in [
            ("read-only", Engine::open_read_only(copy.path(), built.options()).map(drop)),
            ("open", Engine::open(copy.path(), built.options()).map(drop)),
        ] {
            match result {
                Err(Error::Corruption { path: named, .. } | Error::Io { path: named, .. }) => {
                    assert_eq!(named, path, "{name} on a {what}, {how}")
                }
                other => panic!("{name} on a {what}, {how}: {other:?}"),
            }
        }
    }
}

/// A first open killed before its manifest was renamed into place leaves an empty segment and
/// perhaps a half-written `MANIFEST.tmp`: that directory holds nothing anyone was promised and
/// opens as new. The same directory with a record in it and no manifest is corruption.
#[test]
fn a_first_open_cut_short_before_its_manifest_opens_as_new_but_records_without_one_do_not() {
    let clock = ManualClock::new(START_MS);
    let dir = tempfile::tempdir().unwrap();
    Engine::open(dir.path(), options(&clock, SyncMode::Always)).unwrap().close().unwrap();
    fs::remove_file(dir.path().join("MANIFEST")).unwrap();
    fs::write(dir.path().join("MANIFEST.tmp"), b"half written").unwrap();
    let engine = Engine::open(dir.path(), options(&clock, SyncMode::Always)).unwrap();
    assert_eq!((engine.last_lsn().unwrap(), engine.recovery().torn_tail.clone()), (0, None));
    assert!(!dir.path().join("MANIFEST.tmp").exists() && dir.path().join("MANIFEST").exists());
    stock_catalogue(&engine);
    engine.close().unwrap();
    Engine::open(dir.path(), options(&clock, SyncMode::Always)).unwrap().close().unwrap();

    fs::remove_file(dir.path().join("MANIFEST")).unwrap();
    let (_, _, detail) = open_corrupt(dir.path(), options(&clock, SyncMode::Always), "records without a manifest");
    assert!(detail.contains("MANIFEST"), "{detail}");
}

/// `close` waits for a checkpoint another thread is writing, and a checkpoint that comes after
/// the close does nothing: no file of a closed engine changes once the directory is unlocked,
/// so the next engine's records are safe in it (the red team saw a second engine's
/// acknowledged record end in a directory that then refused to open).
#[test]
fn a_checkpoint_racing_close_never_touches_the_directory_after_it_is_unlocked() {
    let mut rng = StdRng::seed_from_u64(seed("checkpoint racing close"));
    let clock = ManualClock::new(START_MS);
    for round in 0..20 {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(dir.path(), options(&clock, SyncMode::None)).unwrap();
        stock_catalogue(&engine);
        for n in 0..3_000 {
            reserve(&engine, &format!("A{n}"), &[(n % SKUS.len(), 1)]);
        }
        let checkpointer = {
            let engine = engine.clone();
            std::thread::spawn(move || {
                loop {
                    match engine.checkpoint() {
                        Ok(_) => {}
                        Err(Error::Closed) => return,
                        Err(other) => panic!("checkpoint: {other}"),
                    }
                }
            })
        };
        std::thread::sleep(std::time::Duration::from_micros(rng.random_range(0..20_000)));
        engine.close().unwrap();
        let second = Engine::open(dir.path(), options(&clock, SyncMode::Always))
            .unwrap_or_else(|e| panic!("round {round}: the next open: {e}"));
        reserve(&second, "AFTER-CLOSE", &[(0, 1)]);
        checkpointer.join().unwrap();
        second.close().unwrap();
        let third = Engine::open(dir.path(), options(&clock, SyncMode::Always))
            .unwrap_or_else(|e| panic!("round {round}: reopened: {e}"));
        let viewer = third.client(Role::Viewer);
        assert!(viewer.reservation("AFTER-CLOSE").unwrap().is_some(), "round {round}");
        assert!(viewer.reservation("A2999").unwrap().is_some(), "round {round}");
        third.close().unwrap();
    }
}

/// A process killed while a rollover activated the next segment (its header whole or in part,
/// its first end mark written or not) left no record there: the half-made segment is cut away
/// and the log ends where the old segment's end mark says. Anything more in that segment is
/// corruption.
#[test]
fn a_rollover_cut_short_by_a_killed_process_is_cut_and_nothing_else_is() {
    let built = BuiltLog::new(seed("rollover cut short"), SyncMode::None, 30);
    let (segment_path, original, frames) = frames_of(built.dir.path());
    let last = *frames.last().unwrap();
    let next_path = segment_path.with_file_name("wal-00000000000000000002.seg");
    assert!(!next_path.exists() || fs::read(&next_path).unwrap().iter().all(|&b| b == 0), "a spare, if any");
    // The header activate writes: the layout of `log/frame.rs`, with this log's id.
    let mut header = original[..SEGMENT_HEADER_BYTES].to_vec();
    header[16..24].copy_from_slice(&2u64.to_le_bytes());
    header[24..32].copy_from_slice(&(last.lsn + 1).to_le_bytes());
    let crc = crc32c::crc32c(&header[0..48]);
    header[48..52].copy_from_slice(&crc.to_le_bytes());
    let mark = end_mark(last.lsn + 1);
    let shapes: [(&str, Vec<u8>); 3] = [
        ("half the header", header[..32].to_vec()),
        ("the whole header", header.clone()),
        ("the header and the first end mark", [header.clone(), mark.to_vec()].concat()),
    ];
    for (shape, written) in &shapes {
        let copy = copy_dir(built.dir.path());
        leave(copy.path(), Left::Killed);
        let next = copy.path().join(next_path.file_name().unwrap());
        let mut spare = vec![0u8; SEGMENT_BYTES as usize];
        spare[..written.len()].copy_from_slice(written);
        fs::write(&next, &spare).unwrap();
        let looked = Engine::open_read_only(copy.path(), built.options()).unwrap_or_else(|e| panic!("{shape}: {e}"));
        let cut = looked.recovery().torn_tail.clone();
        drop(looked);
        let engine = Engine::open(copy.path(), built.options()).unwrap_or_else(|e| panic!("{shape}: {e}"));
        assert_eq!(engine.recovery().torn_tail, cut, "{shape}: the read-only look decided the same");
        let torn = cut.unwrap_or_else(|| panic!("{shape}: no cut"));
        assert_eq!((torn.offset, torn.discarded_records), (last.end as u64, 0), "{shape}");
        assert_state(&engine, &built.ops, &Model::after(&built.ops, Lsn::MAX), shape);
        let lsn = reserve(&engine, "AFTER", &[(0, 1)]);
        assert_eq!(lsn, last.lsn + 1, "{shape}");
        engine.close().unwrap();
        let engine = Engine::open(copy.path(), built.options()).unwrap();
        assert!(engine.client(Role::Viewer).reservation("AFTER").unwrap().is_some(), "{shape}");
        engine.close().unwrap();

        // One frame's worth of bytes more in that segment: not a rollover cut short.
        let copy = copy_dir(built.dir.path());
        leave(copy.path(), Left::Killed);
        spare[200..210].fill(0x77);
        fs::write(copy.path().join(next_path.file_name().unwrap()), &spare).unwrap();
        open_corrupt(copy.path(), built.options(), &format!("{shape}, and more"));
    }
}

/// A sealed end mark (the log goes on in the next segment) damaged in the middle of the log is
/// judged, not stepped over: corruption after a clean close or a process crash, although the
/// next segment starts where the mark said.
#[test]
fn a_damaged_sealed_end_mark_in_the_middle_of_the_log_is_corruption() {
    let (built, _) = rollover_batch_log();
    let paths = segments(built.dir.path());
    let (bytes, frames) = segment_frames(&paths[0]);
    let mark_at = frames.last().unwrap().end;
    assert_eq!(&bytes[mark_at + 16..mark_at + 24], b"ALLOTNXT", "the first segment ends sealed");
    for left in [Left::Closed, Left::Killed] {
        for byte in [mark_at + 2, mark_at + 10, mark_at + 20] {
            let copy = copy_dir(built.dir.path());
            leave(copy.path(), left);
            let path = copy.path().join(paths[0].file_name().unwrap());
            flip_bit(&path, byte, 1);
            let (named, offset, _) = open_corrupt(copy.path(), built.options(), &format!("{left:?}, byte {byte}"));
            assert_eq!((named, offset), (path, mark_at as u64));
        }
    }
}

/// A file under a log file's name far larger than any segment or than its own header says is
/// refused (or, all holes, taken for an empty spare) without reading it into memory.
#[test]
fn huge_files_under_log_names_are_judged_without_reading_them_whole() {
    let built = BuiltLog::new(seed("huge files"), SyncMode::Always, 5);
    let copy = copy_dir(built.dir.path());
    let checkpoint = copy.path().join("checkpoint-00000000000000099999.ckpt");
    OpenOptions::new().create(true).truncate(false).write(true).open(&checkpoint).unwrap().set_len(12 << 30).unwrap();
    // (Not `open_corrupt`: hashing the directory would read the 12 GiB.)
    for result in [Engine::open_read_only(copy.path(), built.options()), Engine::open(copy.path(), built.options())] {
        match result {
            Err(Error::Corruption { path, .. }) => assert_eq!(path, checkpoint),
            other => panic!("a 12 GiB checkpoint of holes: {:?}", other.map(|_| ())),
        }
    }
    fs::remove_file(&checkpoint).unwrap();
    let spare = copy.path().join("wal-00000000000000000009.seg");
    OpenOptions::new().create(true).truncate(false).write(true).open(&spare).unwrap().set_len(4 << 30).unwrap();
    let engine = Engine::open_read_only(copy.path(), built.options()).unwrap();
    assert_eq!(engine.recovery().torn_tail, None, "a spare of holes holds nothing");
    engine.close().unwrap();
}
