//! Proves that a crash at any moment half-applies no order: a child process takes orders in,
//! releases, ships, tracks, cancels and takes returns back from two threads until the parent
//! kills it with SIGKILL, over and over. After every kill the parent reopens the directory and
//! checks that every acknowledged move is there (or the one move after it that was in flight),
//! that every order's stock agrees with its state (`check_invariants`), and that the stock adds
//! up: on hand is what was stocked minus what shipped and did not come back; reserved is what
//! reserved and released orders hold.
//!
//! This file is its own test harness (`harness = false`): run without arguments it is the
//! parent; with `ALLOT_CRASH_CHILD` set it is the child.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use allot_core::order::{Address, FormLine, OrderForm, OrderState, PaymentState, TrackingKind};
use allot_core::{Engine, EngineOptions, ReservationState, Role, SyncMode, WarehouseSpec};
use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};

const KILLS: usize = 60;
const SKUS: u32 = 8;
const WAREHOUSES: [(&str, &str); 2] = [("WH-SH", "310000"), ("WH-BJ", "110000")];
const STOCK_PER_CELL: u64 = 100_000;
const CHILD_THREADS: usize = 2;

fn sku(i: u32) -> String {
    format!("SKU-{i}")
}

fn options(run: usize) -> EngineOptions {
    let sync = match run % 3 {
        0 => SyncMode::Always,
        1 => SyncMode::Interval(Duration::from_millis(2)),
        _ => SyncMode::None,
    };
    EngineOptions::default().sync(sync).segment_bytes(256 * 1024).checkpoint_every_bytes(96 * 1024)
}

#[path = "support/crash_harness.rs"]
mod crash_harness;

fn main() {
    crash_harness::main("pipeline_crash_loop", child, parent);
}

fn form(key: &str, n: u64, lines: Vec<FormLine>) -> OrderForm {
    OrderForm {
        channel: "shop".into(),
        channel_order_id: key.into(),
        // A buyer, phone and address of its own per order: no velocity flags.
        buyer_id: format!("buyer-{key}"),
        ship_to: Address {
            recipient: "张三".into(),
            phone: format!("13{:09}", n % 1_000_000_000),
            province: "上海市".into(),
            city: "上海市".into(),
            district: "徐汇区".into(),
            detail: format!("漕溪北路{key}号"),
        },
        lines,
        cross_border: false,
        is_return: false,
        payment: PaymentState::Paid,
        placed_at_ms: 0,
    }
}

/// Takes orders through their lives, printing `A <key> <state>` after each acknowledged move.
fn child(dir: &Path, run: usize, seed: u64) {
    let engine = Engine::open(dir, options(run)).unwrap();
    println!("OPENED");
    std::io::stdout().flush().unwrap();
    let workers: Vec<_> = (0..CHILD_THREADS)
        .map(|t| {
            let engine = engine.clone();
            thread::spawn(move || {
                let mut rng = SmallRng::seed_from_u64(seed ^ t as u64);
                let (orders, warehouse, courier) =
                    (engine.client(Role::Orders), engine.client(Role::Warehouse), engine.client(Role::Logistics));
                let ack = |key: &str, state: OrderState| {
                    let mut out = std::io::stdout().lock();
                    writeln!(out, "A {key} {}", state.name()).unwrap();
                    out.flush().unwrap();
                };
                for n in 0u64.. {
                    let id = format!("{run}-{t}-{n}");
                    let lines = (0..rng.random_range(1..=3u32))
                        .map(|i| FormLine {
                            sku: sku((n as u32 + i * 3) % SKUS),
                            qty: rng.random_range(1..=3),
                            unit_price_minor: 990,
                        })
                        .collect();
                    let intake = orders.intake(form(&id, n, lines)).unwrap();
                    let key = intake.order.key.clone();
                    ack(&key, intake.order.state);
                    if intake.order.state != OrderState::Reserved {
                        continue;
                    }
                    if rng.random_bool(0.2) {
                        orders.cancel(&key, "changed mind").unwrap();
                        ack(&key, OrderState::Cancelled);
                        continue;
                    }
                    warehouse.release_to_warehouse(&key).unwrap();
                    ack(&key, OrderState::ReleasedToWarehouse);
                    let waybill = format!("SF{:013}", (run as u64) << 32 | (t as u64) << 28 | n);
                    warehouse.ship(&key, "SF", &waybill).unwrap();
                    ack(&key, OrderState::Shipped);
                    if rng.random_bool(0.5) {
                        continue; // still on its way when the next kill comes
                    }
                    courier.track("SF", &waybill, TrackingKind::PickedUp, "collected").unwrap();
                    ack(&key, OrderState::PickedUp);
                    courier.track("SF", &waybill, TrackingKind::Delivered, "signed").unwrap();
                    ack(&key, OrderState::Delivered);
                    if rng.random_bool(0.3) {
                        orders.request_return(&key, "does not fit").unwrap();
                        ack(&key, OrderState::ReturnRequested);
                        warehouse.complete_return(&key, "WH-BJ").unwrap();
                        ack(&key, OrderState::Returned);
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
}

fn parent() {
    let started = Instant::now();
    let seed: u64 = std::env::var("ALLOT_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(rand::random);
    println!("pipeline_crash_loop: seed {seed} (rerun with ALLOT_SEED={seed})");
    let mut rng = SmallRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let mut acknowledged: HashMap<String, String> = HashMap::new();
    let mut moves = 0usize;
    for run in 0..KILLS {
        let child_seed = rng.random::<u64>();
        let delay = Duration::from_micros(rng.random_range(5_000..120_000));
        let crash_harness::Killed { lines, stderr, status } =
            crash_harness::run_and_kill(dir.path(), run, child_seed, delay);
        assert!(!stderr.contains("panicked"), "run {run}: the child failed: {stderr}");
        assert!(!status.success(), "run {run}: the child exited by itself");
        for line in lines.iter().filter_map(|l| l.strip_prefix("A ")) {
            let (key, state) = line.split_once(' ').unwrap();
            acknowledged.insert(key.to_string(), state.to_string());
            moves += 1;
        }
        verify(dir.path(), &acknowledged, run);
    }
    println!(
        "pipeline_crash_loop: {KILLS} kills, {moves} acknowledged moves of {} orders all present, stock consistent, in {:.1?}",
        acknowledged.len(),
        started.elapsed()
    );
    assert!(moves > KILLS, "the child hardly moved any order; the loop is not testing what it claims");
}

fn setup(dir: &Path) {
    let engine = Engine::open(dir, options(0)).unwrap();
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

fn verify(dir: &Path, acknowledged: &HashMap<String, String>, run: usize) {
    let engine = Engine::open(dir, options(run)).unwrap();
    let report = engine.check_invariants().unwrap_or_else(|e| panic!("run {run}: {e}"));
    let viewer = engine.client(Role::Viewer);
    for (key, state) in acknowledged {
        let order = viewer.order(key).unwrap().unwrap_or_else(|| panic!("run {run}: acknowledged order {key} is gone"));
        let acked = OrderState::ALL.into_iter().find(|s| s.name() == state).unwrap();
        assert!(
            order.state == acked || acked.can_move_to(order.state),
            "run {run}: order {key} was acknowledged {state} but is {}",
            order.state.name()
        );
    }
    // The stock adds up, SKU by SKU, from the orders alone.
    let mut shipped: HashMap<String, u64> = HashMap::new();
    let mut held: HashMap<String, u64> = HashMap::new();
    let mut orders = 0;
    for state in OrderState::ALL {
        for order in viewer.orders_in(state).unwrap() {
            orders += 1;
            let bucket = match state {
                OrderState::Reserved | OrderState::ReleasedToWarehouse => &mut held,
                OrderState::Shipped | OrderState::PickedUp | OrderState::Delivered | OrderState::ReturnRequested => {
                    &mut shipped
                }
                _ => continue,
            };
            for line in &order.form.lines {
                *bucket.entry(line.sku.clone()).or_default() += u64::from(line.qty);
            }
        }
    }
    assert_eq!(report.orders, orders, "run {run}");
    // An order's goods left exactly when it shipped: its reservation is committed then, and
    // only then (a returned order shipped first).
    for state in OrderState::ALL {
        for order in viewer.orders_in(state).unwrap() {
            let reservation = viewer.reservation(&order.key).unwrap();
            let committed = reservation.as_ref().is_some_and(|r| r.state == ReservationState::Committed);
            let shipped = matches!(
                state,
                OrderState::Shipped
                    | OrderState::PickedUp
                    | OrderState::Delivered
                    | OrderState::ReturnRequested
                    | OrderState::Returned
            );
            assert_eq!(committed, shipped, "run {run}: {} is {} with {reservation:?}", order.key, state.name());
        }
    }
    for i in 0..SKUS {
        let code = sku(i);
        let stock = viewer.stock(&code).unwrap();
        let total = STOCK_PER_CELL * WAREHOUSES.len() as u64;
        let out = shipped.get(&code).copied().unwrap_or(0);
        assert_eq!(
            stock.on_hand,
            total - out,
            "run {run}: on hand of {code} is not what was stocked minus what shipped"
        );
        assert_eq!(stock.reserved, held.get(&code).copied().unwrap_or(0), "run {run}: reserved of {code}");
    }
    engine.close().unwrap();
}
