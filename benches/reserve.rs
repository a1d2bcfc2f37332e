//! Reservation throughput on the ../shared/WORKLOAD.md data: 100,000 SKUs with 1,000,000 units
//! each in one warehouse, a fresh order id per reservation. Figures go to BENCHMARKS.md.
//!
//! `cargo bench --bench reserve` (add `-- <filter>` for one group). Multi-threaded groups time
//! whole batches spread over threads with `iter_custom`.

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use allot_core::{Client, Engine, EngineOptions, ReserveOptions, Role, SkuId, SyncMode, WarehouseSpec};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};

const SKUS: u32 = 100_000;
const STOCK: u64 = 1_000_000;
const HOT_STOCK: u64 = 1_000_000_000;

struct Fixture {
    engine: Engine,
    _dir: tempfile::TempDir,
    codes: Arc<Vec<String>>,
    next_order: Arc<AtomicU64>,
}

fn fixture(sync: SyncMode) -> Fixture {
    let dir = tempfile::tempdir_in(std::env::var("ALLOT_BENCH_DIR").unwrap_or_else(|_| "target".into())).unwrap();
    let options = EngineOptions::default().sync(sync).checkpoint_every_bytes(0).default_ttl_ms(Some(30 * 60 * 1000));
    let engine = Engine::open(dir.path(), options).unwrap();
    let admin = engine.client(Role::Admin);
    admin.add_warehouse("WH", WarehouseSpec::new("310000", 1)).unwrap();
    let codes: Vec<String> = (0..SKUS).map(|i| i.to_string()).collect();
    for (i, code) in codes.iter().enumerate() {
        admin.add_sku(code, "bench").unwrap();
        admin.set_stock(code, "WH", if i == 0 { HOT_STOCK } else { STOCK }).unwrap();
    }
    Fixture { engine, _dir: dir, codes: Arc::new(codes), next_order: Arc::new(AtomicU64::new(0)) }
}

/// Runs `iters` operations over `threads` threads and returns the wall time.
fn spread(threads: usize, iters: u64, work: impl Fn(usize, u64) + Sync) -> Duration {
    let started = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..threads {
            let work = &work;
            let share = iters / threads as u64 + u64::from((t as u64) < iters % threads as u64);
            scope.spawn(move || work(t, share));
        }
    });
    started.elapsed()
}

/// Reserves `count` single lines with codes, uniform or on SKU 0.
fn reserve_codes(f: &Fixture, orders: &Client, rng: &mut SmallRng, count: u64, hot: bool) {
    let mut order = String::with_capacity(24);
    let options = ReserveOptions::new();
    for _ in 0..count {
        let sku = if hot { 0 } else { rng.random_range(0..SKUS) as usize };
        order.clear();
        write!(order, "o{}", f.next_order.fetch_add(1, Ordering::Relaxed)).unwrap();
        orders.reserve(&order, &[(&f.codes[sku], 1)], &options).unwrap();
    }
}

/// Each benchmark gets a fresh engine, so none inherits the order index of another.
fn single_line(c: &mut Criterion) {
    let mut group = c.benchmark_group("reserve_none");
    group.throughput(Throughput::Elements(1));
    for (name, hot) in [("uniform_1t", false), ("hot_1t", true)] {
        let f = fixture(SyncMode::None);
        let orders = f.engine.client(Role::Orders);
        let mut rng = SmallRng::seed_from_u64(1);
        group.bench_function(name, |b| b.iter(|| reserve_codes(&f, &orders, &mut rng, 1, hot)));
        f.engine.close().unwrap();
    }
    {
        let f = fixture(SyncMode::None);
        let orders = f.engine.client(Role::Orders);
        let mut rng = SmallRng::seed_from_u64(2);
        group.bench_function("uniform_1t_by_id", |b| {
            let mut order = String::with_capacity(24);
            let options = ReserveOptions::new();
            b.iter(|| {
                order.clear();
                write!(order, "o{}", f.next_order.fetch_add(1, Ordering::Relaxed)).unwrap();
                let sku = SkuId(rng.random_range(0..SKUS));
                orders.reserve_by_id(&order, &[(sku, 1)], &options).unwrap();
            })
        });
        f.engine.close().unwrap();
    }
    for (name, hot) in [("uniform_2t", false), ("hot_2t", true)] {
        let f = fixture(SyncMode::None);
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                spread(2, iters, |t, n| {
                    let mut rng = SmallRng::seed_from_u64(t as u64 + 10);
                    reserve_codes(&f, &f.engine.client(Role::Orders), &mut rng, n, hot)
                })
            })
        });
        f.engine.close().unwrap();
    }
    {
        let f = fixture(SyncMode::None);
        let orders = f.engine.client(Role::Orders);
        let mut rng = SmallRng::seed_from_u64(3);
        group.bench_function("order3_1t", |b| {
            let mut order = String::with_capacity(24);
            let options = ReserveOptions::new();
            b.iter(|| {
                let a = rng.random_range(0..SKUS);
                let mut b2 = rng.random_range(0..SKUS);
                while b2 == a {
                    b2 = rng.random_range(0..SKUS);
                }
                let mut c3 = rng.random_range(0..SKUS);
                while c3 == a || c3 == b2 {
                    c3 = rng.random_range(0..SKUS);
                }
                order.clear();
                write!(order, "o{}", f.next_order.fetch_add(1, Ordering::Relaxed)).unwrap();
                let lines = [(f.codes[a as usize].as_str(), 1), (&f.codes[b2 as usize], 1), (&f.codes[c3 as usize], 1)];
                orders.reserve(&order, &lines, &options).unwrap();
            })
        });
        f.engine.close().unwrap();
    }
    group.finish();
}

fn durable(c: &mut Criterion) {
    let mut group = c.benchmark_group("reserve_always");
    group.throughput(Throughput::Elements(1));
    group.sample_size(10);
    for callers in [1, 16, 64] {
        let f = fixture(SyncMode::Always);
        group.bench_function(format!("uniform_{callers}_callers"), |b| {
            b.iter_custom(|iters| {
                spread(callers, iters, |t, n| {
                    let mut rng = SmallRng::seed_from_u64(t as u64 + 100);
                    reserve_codes(&f, &f.engine.client(Role::Orders), &mut rng, n, false)
                })
            })
        });
        f.engine.close().unwrap();
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    targets = single_line, durable
}
criterion_main!(benches);
