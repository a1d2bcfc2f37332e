//! Recovery speed: records replayed per second when a data directory is opened; and, printed
//! once, how long a checkpoint of that state pauses writers. Figures go to BENCHMARKS.md.
//!
//! `cargo bench --bench recovery`

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use allot_core::{Engine, EngineOptions, ReserveOptions, Role, SyncMode, WarehouseSpec};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const SKUS: u32 = 100_000;
const RESERVATIONS: u64 = 2_000_000;

fn options() -> EngineOptions {
    EngineOptions::default().sync(SyncMode::None).checkpoint_every_bytes(0)
}

/// A closed data directory whose log holds the catalogue, the stock and `RESERVATIONS`
/// single-line reservations, a third of them committed.
fn build_log(dir: &Path) -> u64 {
    let engine = Engine::open(dir, options()).unwrap();
    let admin = engine.client(Role::Admin);
    admin.add_warehouse("WH", WarehouseSpec::new("310000", 1)).unwrap();
    let codes: Vec<String> = (0..SKUS).map(|i| i.to_string()).collect();
    for code in &codes {
        admin.add_sku(code, "bench").unwrap();
        admin.set_stock(code, "WH", 1_000_000).unwrap();
    }
    let mut order = String::new();
    for n in 0..RESERVATIONS {
        order.clear();
        write!(order, "o{n}").unwrap();
        admin.reserve(&order, &[(&codes[(n * 7919 % u64::from(SKUS)) as usize], 1)], &ReserveOptions::new()).unwrap();
        if n % 3 == 0 {
            admin.commit(&order).unwrap();
        }
    }
    let records = engine.last_lsn().unwrap();
    engine.close().unwrap();
    records
}

fn replay(c: &mut Criterion) {
    let dir = tempfile::tempdir_in("target").unwrap();
    let records = build_log(dir.path());
    let mut group = c.benchmark_group("recovery");
    group.sample_size(10).throughput(Throughput::Elements(records));
    group.bench_function(format!("open_replaying_{records}_records"), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let started = Instant::now();
                let engine = Engine::open(dir.path(), options()).unwrap();
                total += started.elapsed();
                assert_eq!(engine.recovery().records_replayed, records);
                engine.close().unwrap();
            }
            total
        })
    });
    group.finish();

    // Not a timing loop: one checkpoint of the same state, and how long writers were paused.
    let engine = Engine::open(dir.path(), options()).unwrap();
    let report = engine.checkpoint().unwrap();
    println!(
        "checkpoint of {SKUS} SKUs and {RESERVATIONS} reservations: paused writers {:.1?}, took {:.1?}, {} bytes",
        report.pause, report.duration, report.bytes
    );
    engine.close().unwrap();
}

criterion_group!(benches, replay);
criterion_main!(benches);
