//! The Rust loops that `python/bench/reserve.py` times from Python, on the same data (the
//! ../shared/WORKLOAD.md layout: 100,000 SKUs with 1,000,000 units each in one warehouse, SKU
//! "0" with 10^9 for the hot variant, sync none, automatic checkpoints off, fresh order ids and
//! SKU picks made before the clock starts), so the Python module's per-call overhead is the
//! difference between the two figures measured side by side.
//!
//! `cargo run --release -p allot-python --example core_reserve -- [runs] [count] [uniform]`
//! (`uniform`: only the first loop, for `perf stat` cycle counts per reservation).

use std::hint::black_box;
use std::time::Instant;

use allot_core::{Engine, EngineOptions, OrderRequest, ReserveOptions, Role, SyncMode, WarehouseSpec};

const SKUS: u64 = 100_000;
const STOCK: u64 = 1_000_000;
const HOT_STOCK: u64 = 1_000_000_000;

/// SplitMix64: uniform picks without a dependency.
struct Picks(u64);

impl Picks {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % bound
    }
}

/// This thread's CPU time in nanoseconds (from the scheduler's statistics): on a shared machine
/// the wall clock also counts time other processes took the CPU away.
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Runs `work` (which returns how many units it did): units per second of wall time and of
/// this thread's CPU time.
fn timed(work: impl FnOnce() -> usize) -> (f64, f64) {
    let cpu_started = thread_cpu_ns();
    let started = Instant::now();
    let done = work() as f64;
    let wall = started.elapsed().as_secs_f64();
    let cpu = (thread_cpu_ns() - cpu_started) as f64 / 1e9;
    (done / wall, done / cpu)
}

fn median(mut figures: Vec<f64>) -> f64 {
    figures.sort_by(f64::total_cmp);
    figures[figures.len() / 2]
}

fn report(name: &str, unit: &str, figures: Vec<(f64, f64)>) {
    let runs: Vec<String> = figures.iter().map(|(wall, _)| format!("{wall:.0}")).collect();
    let cpu = median(figures.iter().map(|&(_, cpu)| cpu).collect());
    let wall = median(figures.into_iter().map(|(wall, _)| wall).collect());
    println!("{name:<34} {wall:>12.0} {unit}/s  (runs: {}; per CPU second {cpu:.0})", runs.join(", "));
}

fn main() {
    let mut args = std::env::args().skip(1);
    let runs: usize = args.next().map_or(3, |a| a.parse().expect("runs"));
    let count: usize = args.next().map_or(500_000, |a| a.parse().expect("count"));
    let only_uniform = args.next().as_deref() == Some("uniform");
    let base = std::env::var("ALLOT_BENCH_DIR").unwrap_or_else(|_| "target".into());
    std::fs::create_dir_all(&base).expect("bench directory");
    let mut picks = Picks(20_261_125);
    let mut next_order = 0u64;
    let mut fresh_ids = |n: usize| -> Vec<String> {
        let ids = (next_order..next_order + n as u64).map(|i| format!("o{i}")).collect();
        next_order += n as u64;
        ids
    };
    let mut group = 0;
    let mut engine = || {
        group += 1;
        let dir = std::path::Path::new(&base).join(format!("core-reserve-{}-{group}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let options = EngineOptions::default().sync(SyncMode::None).checkpoint_every_bytes(0);
        let engine = Engine::open(&dir, options).expect("open");
        let admin = engine.client(Role::Admin);
        admin.add_warehouse("WH", WarehouseSpec::new("310000", 1)).expect("warehouse");
        let codes: Vec<String> = (0..SKUS).map(|i| i.to_string()).collect();
        for (i, code) in codes.iter().enumerate() {
            admin.add_sku(code, "bench").expect("sku");
            admin.set_stock(code, "WH", if i == 0 { HOT_STOCK } else { STOCK }).expect("stock");
        }
        (engine, codes, dir)
    };

    // Single-line reserves, by code (as a Rust caller writes it) and by id (as the Python module
    // calls the core once it has the SKU's id from its cache).
    let (eng, codes, dir) = engine();
    let orders = eng.client(Role::Orders);
    let options = ReserveOptions::new();
    for (name, hot) in [("core reserve uniform, by code", false), ("core reserve hot SKU, by code", true)] {
        let figures = (0..runs)
            .map(|_| {
                let ids = fresh_ids(count);
                let chosen: Vec<&str> =
                    (0..count).map(|_| codes[if hot { 0 } else { picks.below(SKUS) as usize }].as_str()).collect();
                timed(|| {
                    for (id, code) in ids.iter().zip(&chosen) {
                        black_box(orders.reserve(id, &[(code, 1)], &options).expect("reserve"));
                    }
                    count
                })
            })
            .collect();
        report(name, "reservations", figures);
        if only_uniform {
            eng.close().expect("close");
            let _ = std::fs::remove_dir_all(dir);
            return;
        }
    }
    let figures = (0..runs)
        .map(|_| {
            let ids = fresh_ids(count);
            let chosen: Vec<allot_core::SkuId> =
                (0..count).map(|_| allot_core::SkuId(picks.below(SKUS) as u32)).collect();
            timed(|| {
                for (id, sku) in ids.iter().zip(&chosen) {
                    black_box(orders.reserve_by_id(id, &[(*sku, 1)], &options).expect("reserve"));
                }
                count
            })
        })
        .collect();
    report("core reserve uniform, by id", "reservations", figures);
    eng.close().expect("close");
    let _ = std::fs::remove_dir_all(dir);

    // reserve_many, batches of 10,000 orders of 1, 3, 10 and 50 distinct uniform SKUs.
    let (eng, codes, dir) = engine();
    let orders = eng.client(Role::Orders);
    let lines_total = 1_000_000;
    for per_order in [1usize, 3, 10, 50] {
        let figures = (0..runs)
            .map(|_| {
                let ids = fresh_ids(lines_total / per_order);
                let lines: Vec<Vec<(&str, u32)>> = ids
                    .iter()
                    .map(|_| {
                        let mut chosen: Vec<u64> = Vec::with_capacity(per_order);
                        while chosen.len() < per_order {
                            let sku = picks.below(SKUS);
                            if !chosen.contains(&sku) {
                                chosen.push(sku);
                            }
                        }
                        chosen.iter().map(|&s| (codes[s as usize].as_str(), 1)).collect()
                    })
                    .collect();
                let requests: Vec<OrderRequest<'_>> = ids
                    .iter()
                    .zip(&lines)
                    .map(|(id, lines)| OrderRequest { order_id: id, lines, options: ReserveOptions::new() })
                    .collect();
                timed(|| {
                    for batch in requests.chunks(10_000) {
                        for result in orders.reserve_many(batch).expect("batch") {
                            black_box(result.expect("reserve"));
                        }
                    }
                    lines_total
                })
            })
            .collect();
        report(&format!("core reserve_many, {per_order} line(s)/order"), "lines", figures);
    }
    eng.close().expect("close");
    let _ = std::fs::remove_dir_all(dir);
}
