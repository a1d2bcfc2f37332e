//! Proves that a crash at any moment loses nothing acknowledged and half-applies nothing: a
//! child process reserves, commits, releases, restocks and checkpoints from three threads until
//! the parent kills it with SIGKILL at a random moment (some kills land while it recovers,
//! some while it checkpoints), over and over; after every kill the parent reopens the
//! directory and checks every acknowledged operation, every invariant and the stock sums.
//!
//! This file is its own test harness (`harness = false`): run without arguments it is the
//! parent; with `ALLOT_CRASH_CHILD` set it is the child.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use allot_core::{Engine, EngineOptions, ReservationState, ReserveOptions, Role, SyncMode, WarehouseSpec};
use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};

const KILLS: usize = 220;
const SKUS: u32 = 24;
const WAREHOUSES: [(&str, &str); 3] = [("WH-SH", "310000"), ("WH-BJ", "110000"), ("WH-GZ", "440100")];
/// Units of every SKU in every warehouse at the start.
const STOCK_PER_CELL: u64 = 70;
const INITIAL_STOCK: u64 = STOCK_PER_CELL * WAREHOUSES.len() as u64;
const CHILD_THREADS: usize = 3;

fn sku(i: u32) -> String {
    format!("SKU-{i:02}")
}

fn sync_for(run: usize) -> SyncMode {
    match run % 3 {
        0 => SyncMode::Always,
        1 => SyncMode::Interval(Duration::from_millis(2)),
        _ => SyncMode::None,
    }
}

fn options(sync: SyncMode) -> EngineOptions {
    EngineOptions::default()
        .sync(sync)
        .segment_bytes(256 * 1024)
        .checkpoint_every_bytes(48 * 1024)
        .default_ttl_ms(None)
        .stripes(16)
}

#[path = "support/crash_harness.rs"]
mod crash_harness;

fn main() {
    crash_harness::main("crash_loop", child, parent);
}

// ---------------------------------------------------------------------------------------------
// The child: load until killed, printing each intent before the call and each acknowledgement
// after it returns.

fn child(dir: &Path, run: usize, seed: u64) {
    let out = Arc::new(Mutex::new(std::io::stdout()));
    let say = |line: String| {
        let mut out = out.lock().unwrap();
        writeln!(out, "{line}").unwrap();
        out.flush().unwrap();
    };
    say("OPENING".into());
    let engine = Engine::open(dir, options(sync_for(run))).unwrap();
    say("OPENED".into());
    thread::scope(|scope| {
        for t in 0..CHILD_THREADS {
            let engine = engine.clone();
            let say = &say;
            scope.spawn(move || {
                let mut rng = SmallRng::seed_from_u64(seed ^ t as u64);
                let orders = engine.client(Role::Orders);
                let warehouse = engine.client(Role::Warehouse);
                let mut held: Vec<String> = Vec::new();
                for n in 0.. {
                    match rng.random_range(0..100) {
                        0..55 => {
                            let order = format!("r{run}-t{t}-{n}");
                            let lines: Vec<(String, u32)> =
                                (0..rng.random_range(1..=4)).map(|_| (sku(rng.random_range(0..SKUS)), 1)).collect();
                            let spec = lines.iter().map(|(s, q)| format!("{s}:{q}")).collect::<Vec<_>>().join(",");
                            say(format!("I R {order} {spec}"));
                            let refs: Vec<(&str, u32)> = lines.iter().map(|(s, q)| (s.as_str(), *q)).collect();
                            let split = ReserveOptions::new().allow_split(true);
                            if orders.reserve(&order, &refs, &split).is_ok() {
                                say(format!("A R {order}"));
                                held.push(order);
                            }
                        }
                        55..75 if !held.is_empty() => {
                            let order = held.swap_remove(rng.random_range(0..held.len()));
                            say(format!("I C {order}"));
                            orders.commit(&order).unwrap();
                            say(format!("A C {order}"));
                        }
                        75..90 if !held.is_empty() => {
                            let order = held.swap_remove(rng.random_range(0..held.len()));
                            say(format!("I L {order}"));
                            orders.release(&order).unwrap();
                            say(format!("A L {order}"));
                        }
                        90..99 => {
                            let (s, w) = (sku(rng.random_range(0..SKUS)), WAREHOUSES[rng.random_range(0..3)].0);
                            let qty = rng.random_range(1..5);
                            say(format!("I V {s} {w} {qty}"));
                            warehouse.receive(&s, w, qty).unwrap();
                            say(format!("A V {s} {w} {qty}"));
                        }
                        _ => {
                            say("K begin".into());
                            engine.checkpoint().unwrap();
                            say("K end".into());
                        }
                    }
                }
            });
        }
    });
}

// ---------------------------------------------------------------------------------------------
// The parent: what it has learned from every child so far.

#[derive(Default)]
struct Ledger {
    /// Every order any child tried to reserve, with its lines (SKU codes and quantities).
    intended: HashMap<String, Vec<(String, u32)>>,
    /// The most advanced acknowledged state of each order.
    acknowledged: HashMap<String, ReservationState>,
    /// Receives per SKU: acknowledged, and attempted (acknowledged or not).
    received_acked: HashMap<String, u64>,
    received_tried: HashMap<String, u64>,
}

impl Ledger {
    fn learn(&mut self, line: &str) {
        let parts: Vec<&str> = line.split(' ').collect();
        match parts.as_slice() {
            ["I", "R", order, spec] => {
                let lines = spec
                    .split(',')
                    .map(|l| {
                        let (s, q) = l.split_once(':').unwrap();
                        (s.to_string(), q.parse().unwrap())
                    })
                    .collect();
                self.intended.insert(order.to_string(), lines);
            }
            ["A", kind, order] => {
                let state = match *kind {
                    "R" => ReservationState::Held,
                    "C" => ReservationState::Committed,
                    _ => ReservationState::Released,
                };
                self.acknowledged.insert(order.to_string(), state);
            }
            ["I", "V", s, _, qty] => {
                *self.received_tried.entry(s.to_string()).or_default() += qty.parse::<u64>().unwrap()
            }
            ["A", "V", s, _, qty] => {
                *self.received_acked.entry(s.to_string()).or_default() += qty.parse::<u64>().unwrap()
            }
            _ => {}
        }
    }
}

fn parent() {
    let started = Instant::now();
    let seed: u64 = std::env::var("ALLOT_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(rand::random);
    println!("crash_loop: seed {seed} (rerun with ALLOT_SEED={seed})");
    let mut rng = SmallRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let mut ledger = Ledger::default();
    let (mut during_recovery, mut during_checkpoint, mut acknowledged_total) = (0, 0, 0);
    for run in 0..KILLS {
        let child_seed = rng.random::<u64>();
        // Most kills land mid-load; one in eight lands while the child is still recovering.
        let delay_us =
            if rng.random_range(0..8) == 0 { rng.random_range(0..3_000) } else { rng.random_range(3_000..60_000) };
        let crash_harness::Killed { lines, stderr, status } =
            crash_harness::run_and_kill(dir.path(), run, child_seed, Duration::from_micros(delay_us));
        if !lines.iter().any(|l| l == "OPENED") {
            during_recovery += usize::from(lines.iter().any(|l| l == "OPENING"));
            assert!(!stderr.contains("panicked"), "run {run}: the child failed to open: {stderr}");
        }
        assert!(!status.success(), "run {run}: the child exited by itself");
        let open_checkpoints =
            lines.iter().filter(|l| *l == "K begin").count() - lines.iter().filter(|l| *l == "K end").count();
        during_checkpoint += usize::from(open_checkpoints > 0);
        acknowledged_total += lines.iter().filter(|l| l.starts_with("A ")).count();
        for line in &lines {
            ledger.learn(line);
        }
        verify(dir.path(), &ledger, run);
    }
    println!(
        "crash_loop: {KILLS} kills ({during_recovery} during recovery, {during_checkpoint} during a checkpoint), \
         {acknowledged_total} acknowledged operations all present, in {:.1?}",
        started.elapsed()
    );
    assert!(during_checkpoint > 0, "no kill landed during a checkpoint; the loop is not testing what it claims");
    assert!(during_recovery > 0, "no kill landed during recovery; the loop is not testing what it claims");
}

fn setup(dir: &Path) {
    let engine = Engine::open(dir, options(SyncMode::Always)).unwrap();
    let admin = engine.client(Role::Admin);
    for (code, region) in WAREHOUSES {
        admin.add_warehouse(code, WarehouseSpec::new(region, 1)).unwrap();
    }
    for i in 0..SKUS {
        admin.add_sku(&sku(i), "crash").unwrap();
        for (w, _) in WAREHOUSES {
            admin.set_stock(&sku(i), w, STOCK_PER_CELL).unwrap();
        }
    }
    engine.close().unwrap();
}

fn verify(dir: &Path, ledger: &Ledger, run: usize) {
    let engine = Engine::open(dir, options(SyncMode::Always)).unwrap_or_else(|e| panic!("run {run}: reopening: {e}"));
    let report = engine.check_invariants().unwrap_or_else(|e| panic!("run {run}: {e}"));
    let viewer = engine.client(Role::Viewer);
    let mut committed: HashMap<String, u64> = HashMap::new();
    let mut present = 0;
    for (order, lines) in &ledger.intended {
        let found = viewer.reservation(order).unwrap();
        if let Some(acked) = ledger.acknowledged.get(order) {
            let found = found.as_ref().unwrap_or_else(|| panic!("run {run}: acknowledged order {order} is missing"));
            let ok = match acked {
                ReservationState::Held => true,
                settled => found.state == *settled,
            };
            assert!(ok, "run {run}: {order} acknowledged {acked} but found {}", found.state);
        }
        if let Some(found) = found {
            present += 1;
            // All lines or none: the reservation holds exactly what was asked, no more, no less.
            let held: u32 = found.lines.iter().map(|l| l.qty).sum();
            assert_eq!(held, lines.iter().map(|(_, q)| q).sum::<u32>(), "run {run}: {order} is half-applied");
            if found.state == ReservationState::Committed {
                for line in &found.lines {
                    *committed.entry(viewer.sku(line.sku).unwrap().code.to_string()).or_default() +=
                        u64::from(line.qty);
                }
            }
        }
    }
    assert_eq!(report.held_reservations + report.settled_reservations, present, "run {run}: unknown orders exist");
    for i in 0..SKUS {
        let code = sku(i);
        let stock = viewer.stock(&code).unwrap();
        assert!(stock.reserved <= stock.on_hand, "run {run}: {code} oversold");
        let gone = committed.get(&code).copied().unwrap_or(0);
        let low = INITIAL_STOCK + ledger.received_acked.get(&code).copied().unwrap_or(0);
        let high = INITIAL_STOCK + ledger.received_tried.get(&code).copied().unwrap_or(0);
        let accounted = stock.on_hand + gone;
        assert!(
            (low..=high).contains(&accounted),
            "run {run}: {code} on hand {} + committed {gone} not in {low}..={high}",
            stock.on_hand
        );
    }
    engine.close().unwrap();
}
