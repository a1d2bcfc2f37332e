//! Proves that no damage to a data directory loses an acknowledged record without an error: a
//! seeded campaign builds directories in every sync mode (closed by the engine, or left by a
//! child process killed with SIGKILL in the middle of its work), with one segment, with many and
//! with a checkpoint, then damages copies of them in every way a disk or an operator can
//! (truncations, zeroed sectors and pages, flipped bits in frames, headers, checkpoints and the
//! manifest, deleted, duplicated, renamed and swapped files) and opens each. Every trial must end
//! in exactly one way: the engine opens with every acknowledged record (perhaps after cutting
//! bytes that held none), or it refuses with `Corruption` (or another typed error) naming a file.
//! A read-only open must decide the same and leave every byte as it was.
//!
//! This file is its own test harness (`harness = false`): with `ALLOT_CRASH_CHILD` set it is
//! the child that writes until it is killed. `ALLOT_SEED` replays a campaign;
//! `ALLOT_CAMPAIGN_TRIALS` sets the trials per directory.

use std::collections::{BTreeMap, HashSet};
use std::fs::{self, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use allot_core::{Engine, EngineOptions, Error, OrderRequest, ReserveOptions, Role, SyncMode, WarehouseSpec};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use tempfile::TempDir;

#[path = "support/dirs.rs"]
mod dirs;
use dirs::{copy_dir, dir_bytes};

#[path = "support/crash_harness.rs"]
#[allow(dead_code)] // its kill-after-a-delay helper: this campaign kills after a count instead
mod crash_harness;

const SEGMENT_BYTES: u64 = 256 * 1024;
const SKUS: [&str; 4] = ["SOFA", "LAMP", "RUG", "DESK"];
const TRIALS_PER_DIRECTORY: usize = 100;
/// The campaign stops starting trials after this long (it reports how many it ran).
const TIME_BUDGET: Duration = Duration::from_secs(240);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    OneSegment,
    ManySegments,
    Checkpointed,
}

const SHAPES: [Shape; 3] = [Shape::OneSegment, Shape::ManySegments, Shape::Checkpointed];
const SYNCS: [&str; 3] = ["always", "interval:5", "none"];

impl Shape {
    /// How many orders the writer reserves (a killed child is stopped somewhere past half).
    fn orders(self) -> usize {
        match self {
            Shape::OneSegment => 1_500,
            Shape::ManySegments | Shape::Checkpointed => 14_000,
        }
    }
}

fn options(sync: &str) -> EngineOptions {
    EngineOptions::default()
        .sync(SyncMode::parse(sync).unwrap())
        .segment_bytes(SEGMENT_BYTES)
        .checkpoint_every_bytes(0)
        .default_ttl_ms(None)
        .housekeeping(false)
}

fn order_id(n: usize) -> String {
    format!("O-{n:06}")
}

/// Writes the workload of `shape` into `dir`, calling `acked` after each reservation returns.
fn write_workload(dir: &Path, sync: &str, shape: Shape, mut acked: impl FnMut(usize)) -> Engine {
    let engine = Engine::open(dir, options(sync)).unwrap();
    let admin = engine.client(Role::Admin);
    admin.add_warehouse("WH-SH", WarehouseSpec::new("310000", 1)).unwrap();
    for sku in SKUS {
        admin.add_sku(sku, "home").unwrap();
        admin.set_stock(sku, "WH-SH", 1_000_000).unwrap();
    }
    let orders = engine.client(Role::Orders);
    // Batches of 1 to 32 orders (one group commit each): acknowledged together when it returns.
    let mut n = 0;
    let mut checkpointed = false;
    while n < shape.orders() {
        let batch = (n % 32 + 1).min(shape.orders() - n);
        let ids: Vec<String> = (n..n + batch).map(order_id).collect();
        let lines: Vec<[(&str, u32); 1]> = (n..n + batch).map(|i| [(SKUS[i % SKUS.len()], 1)]).collect();
        let requests: Vec<OrderRequest<'_>> = ids
            .iter()
            .zip(&lines)
            .map(|(id, lines)| OrderRequest { order_id: id, lines, options: ReserveOptions::new() })
            .collect();
        for result in orders.reserve_many(&requests).unwrap() {
            result.unwrap();
        }
        (n..n + batch).for_each(&mut acked);
        n += batch;
        if shape == Shape::Checkpointed && !checkpointed && n >= shape.orders() / 3 {
            engine.checkpoint().unwrap();
            checkpointed = true;
        }
    }
    engine
}

// ---------------------------------------------------------------------------------------------
// Directories to damage

struct Base {
    name: String,
    sync: &'static str,
    dir: TempDir,
    /// The orders whose reservation was acknowledged.
    acked: Vec<usize>,
}

fn closed_base(sync: &'static str, shape: Shape) -> Base {
    let dir = tempfile::tempdir().unwrap();
    let mut acked = Vec::new();
    let engine = write_workload(dir.path(), sync, shape, |n| acked.push(n));
    engine.close().unwrap();
    Base { name: format!("closed {sync} {shape:?}"), sync, dir, acked }
}

/// Runs the workload in a child process and kills it with SIGKILL once it has acknowledged a
/// random number of orders past half of them (more may have been acknowledged by then: every
/// acknowledgement the child printed counts).
fn killed_base(sync: &'static str, shape: Shape, run: usize, rng: &mut StdRng) -> Base {
    let dir = tempfile::tempdir().unwrap();
    let kill_after = rng.random_range(shape.orders() / 2..shape.orders());
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env("ALLOT_CRASH_CHILD", dir.path())
        .env("ALLOT_CRASH_RUN", run.to_string())
        .env("ALLOT_CRASH_SEED", "0")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut acked = Vec::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        let n: usize = line.unwrap().parse().unwrap();
        acked.push(n);
        if acked.len() == kill_after {
            child.kill().unwrap();
            break;
        }
    }
    acked.extend(lines.map(|line| line.unwrap().parse::<usize>().unwrap()));
    let status = child.wait().unwrap();
    assert!(!status.success(), "the child was killed ({status})");
    Base { name: format!("killed {sync} {shape:?}"), sync, dir, acked }
}

/// The child: the workload of its run, each acknowledgement printed, then it waits to be killed.
fn child(dir: &Path, run: usize, _seed: u64) {
    let (sync, shape) = run_config(run);
    let stdout = std::io::stdout();
    let engine = write_workload(dir, sync, shape, |n| {
        let mut out = stdout.lock();
        writeln!(out, "{n}").unwrap();
        out.flush().unwrap();
    });
    std::mem::forget(engine);
    loop {
        std::thread::sleep(Duration::from_secs(1));
    }
}

fn run_config(run: usize) -> (&'static str, Shape) {
    (SYNCS[run % SYNCS.len()], SHAPES[run / SYNCS.len()])
}

// ---------------------------------------------------------------------------------------------
// Damage

fn files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_str().unwrap().ends_with(suffix))
        .collect();
    found.sort();
    found
}

fn written_end(bytes: &[u8]) -> usize {
    bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1)
}

/// An offset in `path`, most often inside (or just after) its written part.
fn place(rng: &mut StdRng, path: &Path) -> usize {
    let bytes = fs::read(path).unwrap();
    let end = written_end(&bytes).max(1);
    if bytes.is_empty() {
        return 0;
    }
    if rng.random_range(0..10) < 8 {
        rng.random_range(0..end.min(bytes.len()))
    } else {
        rng.random_range(0..bytes.len())
    }
}

fn write_at(path: &Path, offset: usize, bytes: &[u8]) {
    OpenOptions::new().write(true).open(path).unwrap().write_all_at(bytes, offset as u64).unwrap();
}

fn segment_name(seq: u64) -> String {
    format!("wal-{seq:020}.seg")
}

fn seq_of(path: &Path) -> u64 {
    let name = path.file_name().unwrap().to_str().unwrap();
    name["wal-".len()..name.len() - ".seg".len()].parse().unwrap()
}

/// Damages `dir` in one way chosen by `rng`; returns what it did.
fn damage(rng: &mut StdRng, dir: &Path) -> String {
    let segments = files(dir, ".seg");
    let checkpoints = files(dir, ".ckpt");
    let manifest = dir.join("MANIFEST");
    let any_segment = |rng: &mut StdRng| segments[rng.random_range(0..segments.len())].clone();
    match rng.random_range(0..13) {
        0 => {
            let path = any_segment(rng);
            let at = place(rng, &path);
            OpenOptions::new().write(true).open(&path).unwrap().set_len(at as u64).unwrap();
            format!("truncated {} at {at}", path.display())
        }
        1 | 2 => {
            let path = any_segment(rng);
            let at = place(rng, &path) / 512 * 512;
            write_at(&path, at, &[0u8; 512]);
            format!("zeroed the sector at {at} of {}", path.display())
        }
        3 => {
            let path = any_segment(rng);
            let at = place(rng, &path) / 4096 * 4096;
            write_at(&path, at, &[0u8; 4096]);
            format!("zeroed the page at {at} of {}", path.display())
        }
        4 | 5 => {
            let path = any_segment(rng);
            let at = place(rng, &path);
            flip(&path, at, rng.random_range(0..8));
            format!("flipped a bit of byte {at} of {}", path.display())
        }
        6 => {
            let path = any_segment(rng);
            let at = rng.random_range(0..64);
            flip(&path, at, rng.random_range(0..8));
            format!("flipped a bit of header byte {at} of {}", path.display())
        }
        7 if !checkpoints.is_empty() => {
            let path = &checkpoints[rng.random_range(0..checkpoints.len())];
            let at = rng.random_range(0..fs::metadata(path).unwrap().len() as usize);
            flip(path, at, rng.random_range(0..8));
            format!("flipped a bit of byte {at} of {}", path.display())
        }
        7 | 8 => {
            let at = rng.random_range(0..8192);
            flip(&manifest, at, rng.random_range(0..8));
            format!("flipped a bit of manifest byte {at}")
        }
        9 => {
            let mut all = segments.clone();
            all.extend(checkpoints.iter().cloned());
            all.push(manifest);
            let path = &all[rng.random_range(0..all.len())];
            fs::remove_file(path).unwrap();
            format!("deleted {}", path.display())
        }
        10 => {
            let path = any_segment(rng);
            let to = dir.join(segment_name(seq_of(&segments[segments.len() - 1]) + rng.random_range(1..3)));
            fs::copy(&path, &to).unwrap();
            format!("copied {} to {}", path.display(), to.display())
        }
        11 if !checkpoints.is_empty() && rng.random_range(0..2) == 0 => {
            let path = &checkpoints[0];
            let name = path.file_name().unwrap().to_str().unwrap();
            let lsn: u64 = name["checkpoint-".len()..name.len() - ".ckpt".len()].parse().unwrap();
            let to = dir.join(format!("checkpoint-{:020}.ckpt", lsn + rng.random_range(1..100_000)));
            if rng.random_range(0..2) == 0 {
                fs::rename(path, &to).unwrap();
                format!("renamed {} to {}", path.display(), to.display())
            } else {
                fs::copy(path, &to).unwrap();
                format!("copied {} to {}", path.display(), to.display())
            }
        }
        11 => {
            let path = any_segment(rng);
            let to = dir.join(segment_name(seq_of(&path) + rng.random_range(1..4)));
            fs::rename(&path, &to).unwrap();
            format!("renamed {} to {}", path.display(), to.display())
        }
        _ if segments.len() >= 2 => {
            let a = rng.random_range(0..segments.len());
            let b = (a + rng.random_range(1..segments.len())) % segments.len();
            let temp = dir.join("swap.tmp");
            fs::rename(&segments[a], &temp).unwrap();
            fs::rename(&segments[b], &segments[a]).unwrap();
            fs::rename(&temp, &segments[b]).unwrap();
            format!("swapped {} and {}", segments[a].display(), segments[b].display())
        }
        _ => {
            let path = any_segment(rng);
            let at = place(rng, &path);
            write_at(&path, at, &[0xA5; 64]);
            format!("overwrote 64 bytes at {at} of {}", path.display())
        }
    }
}

fn flip(path: &Path, at: usize, bit: u32) {
    let file = OpenOptions::new().read(true).write(true).open(path).unwrap();
    let mut one = [0u8; 1];
    file.read_exact_at(&mut one, at as u64).unwrap();
    one[0] ^= 1 << bit;
    file.write_all_at(&one, at as u64).unwrap();
}

// ---------------------------------------------------------------------------------------------
// The trial and its outcome

/// How a trial ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Outcome {
    /// Opened with nothing cut and every acknowledged record.
    Whole,
    /// Opened after cutting bytes that held no acknowledged record.
    Cut,
    /// Refused: `Corruption` naming a file.
    Corruption,
    /// Refused with another typed error naming a file.
    OtherError,
}

/// Damages a copy of `base`, then judges it: `Err` describes a failure of the engine.
fn trial(base: &Base, rng: &mut StdRng) -> Result<Outcome, String> {
    let copy = copy_dir(base.dir.path());
    let damage = damage(rng, copy.path());
    let context = format!("{}: {damage}", base.name);
    let before = dir_bytes(copy.path());
    let looked = Engine::open_read_only(copy.path(), options(base.sync));
    if dir_bytes(copy.path()) != before {
        return Err(format!("{context}: a read-only open changed the directory"));
    }
    let looked_cut = looked.as_ref().map(|engine| engine.recovery().torn_tail.clone()).map_err(|e| e.code());
    drop(looked);
    let opened = Engine::open(copy.path(), options(base.sync));
    let engine = match opened {
        Err(error) => {
            let outcome =
                refusal(&error).ok_or_else(|| format!("{context}: refused without naming a file: {error}"))?;
            if looked_cut != Err(error.code()) {
                return Err(format!("{context}: the read-only open decided {looked_cut:?}, the open {error}"));
            }
            if dir_bytes(copy.path()) != before {
                return Err(format!("{context}: a refused open changed the directory"));
            }
            return Ok(outcome);
        }
        Ok(engine) => engine,
    };
    let cut = engine.recovery().torn_tail.clone();
    if looked_cut.as_ref() != Ok(&cut) {
        return Err(format!("{context}: the read-only open decided {looked_cut:?}, the open cut {cut:?}"));
    }
    let viewer = engine.client(Role::Viewer);
    let missing: Vec<String> =
        base.acked.iter().map(|&n| order_id(n)).filter(|id| viewer.reservation(id).unwrap().is_none()).collect();
    if !missing.is_empty() {
        return Err(format!(
            "{context}: opened ({cut:?}) without {} acknowledged record(s), first {}",
            missing.len(),
            missing[0]
        ));
    }
    engine.check_invariants().map_err(|e| format!("{context}: {e}"))?;
    let held = engine.metrics().unwrap().reservations_held;
    engine.close().map_err(|e| format!("{context}: close: {e}"))?;
    // The repaired directory opens whole, with the same records.
    let again = Engine::open(copy.path(), options(base.sync)).map_err(|e| format!("{context}: reopen: {e}"))?;
    if again.recovery().torn_tail.is_some() || again.metrics().unwrap().reservations_held != held {
        return Err(format!("{context}: reopened differently: {:?}", again.recovery()));
    }
    again.close().unwrap();
    Ok(if cut.is_some() { Outcome::Cut } else { Outcome::Whole })
}

/// A refusal that names the file it concerns.
fn refusal(error: &Error) -> Option<Outcome> {
    match error {
        Error::Corruption { path, .. } if !path.as_os_str().is_empty() => Some(Outcome::Corruption),
        Error::Io { path, .. } if !path.as_os_str().is_empty() => Some(Outcome::OtherError),
        _ => None,
    }
}

fn parent() {
    let seed = std::env::var("ALLOT_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(rand::random);
    println!("corruption_campaign: seed {seed} (rerun with ALLOT_SEED={seed})");
    let trials: usize =
        std::env::var("ALLOT_CAMPAIGN_TRIALS").ok().and_then(|s| s.parse().ok()).unwrap_or(TRIALS_PER_DIRECTORY);
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut bases = Vec::new();
    for (run, (sync, shape)) in (0..SYNCS.len() * SHAPES.len()).map(|run| (run, run_config(run))) {
        bases.push(closed_base(sync, shape));
        bases.push(killed_base(sync, shape, run, &mut rng));
    }
    println!("corruption_campaign: {} directories built in {:.1?}", bases.len(), started.elapsed());

    let mut counts: BTreeMap<(String, Outcome), usize> = BTreeMap::new();
    let mut totals: BTreeMap<Outcome, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut ran = 0;
    let mut kinds_seen = HashSet::new();
    'campaign: for round in 0..trials {
        for base in &bases {
            if started.elapsed() > TIME_BUDGET {
                println!("corruption_campaign: time budget spent after {round} rounds");
                break 'campaign;
            }
            let mut trial_rng = StdRng::seed_from_u64(rng.random());
            match trial(base, &mut trial_rng) {
                Ok(outcome) => {
                    *counts.entry((base.name.clone(), outcome)).or_insert(0) += 1;
                    *totals.entry(outcome).or_insert(0) += 1;
                    kinds_seen.insert((base.name.starts_with("killed"), outcome));
                }
                Err(failure) => failures.push(failure),
            }
            ran += 1;
        }
    }
    for ((name, outcome), n) in &counts {
        println!("  {name:<28} {outcome:?}: {n}");
    }
    println!(
        "corruption_campaign: {ran} trials in {:.1?}: {totals:?}, {} silent losses or other failures",
        started.elapsed(),
        failures.len()
    );
    assert!(failures.is_empty(), "{} failures (seed {seed}):\n{}", failures.len(), failures.join("\n"));
    // The campaign means something only if damage was both caught and cut around, in both kinds.
    for killed in [false, true] {
        for outcome in [Outcome::Whole, Outcome::Cut, Outcome::Corruption] {
            if killed || outcome != Outcome::Cut {
                assert!(kinds_seen.contains(&(killed, outcome)), "no {outcome:?} trial of a killed={killed} directory");
            }
        }
    }
}

fn main() {
    crash_harness::main("corruption_campaign", child, parent);
}
