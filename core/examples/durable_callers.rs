//! Durable reservations from many callers at once: `SyncMode::Always`, N threads each reserving
//! in a loop, and how many reservations each group-commit flush acknowledged.
//!
//! `cargo run --release -p allot-core --example durable_callers -- [callers] [per_caller]`
//! (defaults 64 and 3000). Figures go to BENCHMARKS.md.

use std::time::Instant;

use allot_core::{Engine, EngineOptions, ReserveOptions, Role, SyncMode, WarehouseSpec};

/// The workload's catalogue size (../shared/WORKLOAD.md).
const SKUS: u64 = 100_000;

fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<u64>().expect("numbers"));
    let callers = args.next().unwrap_or(64) as usize;
    let per_caller = args.next().unwrap_or(3000);
    let dir = tempfile::tempdir_in(".").unwrap();
    let options = EngineOptions::default().sync(SyncMode::Always).checkpoint_every_bytes(0);
    let engine = Engine::open(dir.path(), options).unwrap();
    let admin = engine.client(Role::Admin);
    admin.add_warehouse("WH", WarehouseSpec::new("310000", 1)).unwrap();
    let codes: Vec<String> = (0..SKUS).map(|i: u64| i.to_string()).collect();
    for code in &codes {
        admin.add_sku(code, "bench").unwrap();
        admin.set_stock(code, "WH", 1_000_000).unwrap();
    }
    let flushes_before = engine.metrics().unwrap().log_flushes;
    let started = Instant::now();
    std::thread::scope(|scope| {
        for caller in 0..callers {
            let (orders, codes) = (engine.client(Role::Orders), &codes);
            scope.spawn(move || {
                for n in 0..per_caller {
                    let sku = &codes[((n * 7919 + caller as u64 * 104_729) % SKUS) as usize];
                    orders.reserve(&format!("c{caller}-{n}"), &[(sku, 1)], &ReserveOptions::new()).unwrap();
                }
            });
        }
    });
    let elapsed = started.elapsed();
    let total = callers as u64 * per_caller;
    let flushes = engine.metrics().unwrap().log_flushes - flushes_before;
    println!(
        "{callers} callers: {total} durable reservations in {elapsed:.2?} = {:.0}/s; {flushes} flushes, {:.1} per flush, {:.0} µs per flush",
        total as f64 / elapsed.as_secs_f64(),
        total as f64 / flushes as f64,
        elapsed.as_micros() as f64 / flushes as f64
    );
    engine.close().unwrap();
}
