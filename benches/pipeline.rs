//! The order pipeline: intake (adapt → check → route → reserve) per second on one thread with
//! `sync=none`, SLA timer processing per second, and the zero-touch share of a realistic mix.
//! Figures go to BENCHMARKS.md.
//!
//! `cargo bench --bench pipeline` (add `-- <filter>` for one group; the mix is printed once).

use std::sync::Arc;
use std::time::{Duration, Instant};

use allot_core::order::{Address, FormLine, OrderForm, PaymentState};
use allot_core::{Engine, EngineOptions, ManualClock, Role, SyncMode, WarehouseSpec};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const SKUS: usize = 10_000;
const CITIES: [(&str, &str); 5] =
    [("上海市", "上海市"), ("北京市", "北京市"), ("广东省", "深圳市"), ("浙江省", "杭州市"), ("四川省", "成都市")];

fn engine(clock: &Arc<ManualClock>) -> (Engine, tempfile::TempDir) {
    let dir = tempfile::tempdir_in("target").unwrap();
    let options = EngineOptions::default().sync(SyncMode::None).checkpoint_every_bytes(0).clock(clock.clone());
    let engine = Engine::open(dir.path(), options).unwrap();
    let admin = engine.client(Role::Admin);
    for (code, region) in
        [("WH-SH", "310000"), ("WH-BJ", "110000"), ("WH-GZ", "440100"), ("WH-HZ", "330100"), ("WH-CD", "510100")]
    {
        admin.add_warehouse(code, WarehouseSpec::new(region, 1)).unwrap();
    }
    for i in 0..SKUS {
        let code = format!("SKU-{i:05}");
        admin.add_sku(&code, if i % 3 == 0 { "home" } else { "apparel" }).unwrap();
        for warehouse in ["WH-SH", "WH-BJ", "WH-GZ", "WH-HZ", "WH-CD"] {
            admin.set_stock(&code, warehouse, 1_000_000).unwrap();
        }
    }
    (engine, dir)
}

/// A clean, paid order from its own buyer, phone and street (so no check flags it).
fn clean_form(n: u64) -> OrderForm {
    let (province, city) = CITIES[(n % 5) as usize];
    OrderForm {
        channel: "tb".into(),
        channel_order_id: n.to_string(),
        buyer_id: format!("buyer-{n}"),
        ship_to: Address {
            recipient: "张三".into(),
            phone: format!("13{:09}", n % 1_000_000_000),
            province: province.into(),
            city: city.into(),
            district: "中心区".into(),
            detail: format!("人民路{n}号"),
        },
        lines: vec![FormLine { sku: format!("SKU-{:05}", (n * 7919) % SKUS as u64), qty: 1, unit_price_minor: 9900 }],
        cross_border: false,
        is_return: false,
        payment: PaymentState::Paid,
        placed_at_ms: 0,
    }
}

fn taobao_payload(n: u64) -> Vec<u8> {
    let (province, city) = CITIES[(n % 5) as usize];
    format!(
        r#"{{"tid":"{n}","buyer_nick":"buyer-{n}","status":"WAIT_SELLER_SEND_GOODS","receiver_name":"张三",
"receiver_mobile":"13{:09}","receiver_state":"{province}","receiver_city":"{city}","receiver_district":"中心区",
"receiver_address":"人民路{n}号","orders":[{{"outer_sku_id":"SKU-{:05}","num":1,"price":"99.00"}}]}}"#,
        n % 1_000_000_000,
        (n * 7919) % SKUS as u64
    )
    .into_bytes()
}

fn intake(c: &mut Criterion) {
    let clock = ManualClock::new(1_700_000_000_000);
    let mut group = c.benchmark_group("intake");
    group.throughput(Throughput::Elements(1));
    {
        let (engine, _dir) = engine(&clock);
        let orders = engine.client(Role::Orders);
        let mut n = 0u64;
        group.bench_function("form_1t", |b| {
            b.iter(|| {
                n += 1;
                orders.intake(clean_form(n)).unwrap()
            })
        });
        engine.close().unwrap();
    }
    {
        let (engine, _dir) = engine(&clock);
        let orders = engine.client(Role::Orders);
        let mut n = 0u64;
        group.bench_function("taobao_json_1t", |b| {
            b.iter_custom(|iters| {
                let payloads: Vec<Vec<u8>> = (0..iters).map(|i| taobao_payload(n + i)).collect();
                n += iters;
                let started = Instant::now();
                for payload in &payloads {
                    orders.intake_payload("taobao", "tb", payload).unwrap();
                }
                started.elapsed()
            })
        });
        engine.close().unwrap();
    }
    group.finish();
}

/// Timers per second: orders sit in review past their deadline; one `run_timers` fires the
/// first escalation tier of each (a task and an escalation record per order).
fn timers(c: &mut Criterion) {
    let mut group = c.benchmark_group("sla");
    group.sample_size(10);
    group.bench_function("fire_first_tier", |b| {
        b.iter_custom(|iters| {
            let clock = ManualClock::new(1_700_000_000_000);
            let (engine, _dir) = engine(&clock);
            let orders = engine.client(Role::Orders);
            for n in 0..iters {
                let mut form = clean_form(n);
                form.payment = PaymentState::Unpaid; // flagged: waits for review
                orders.intake(form).unwrap();
            }
            clock.advance_ms(31 * 60 * 1000);
            let started = Instant::now();
            let fired = engine.run_timers().unwrap();
            let elapsed = started.elapsed();
            assert_eq!(fired as u64, iters);
            engine.close().unwrap();
            elapsed
        })
    });
    group.finish();
}

/// Not a timing: the zero-touch share of a realistic mix (the promotion-day simulation's mix:
/// 6% unpaid, 3% bad addresses, 2% repeat buyers, 1% blacklisted, 2% high value, 2% returns,
/// 1% cross-border).
fn zero_touch(_: &mut Criterion) {
    let clock = ManualClock::new(1_700_000_000_000);
    let (engine, _dir) = engine(&clock);
    let admin = engine.client(Role::Admin);
    admin.blacklist_add(allot_core::order::BlacklistKind::Buyer, "scalper").unwrap();
    let orders = engine.client(Role::Orders);
    let total = 20_000u64;
    let started = Instant::now();
    for n in 0..total {
        let mut form = clean_form(n);
        match n % 100 {
            0..6 => form.payment = PaymentState::Unpaid,
            6..9 => form.ship_to.city = "不存在市".into(),
            9..11 => form.buyer_id = format!("repeat-{}", n % 3),
            11 => form.buyer_id = "scalper".into(),
            12..14 => form.lines[0].unit_price_minor = 8_000_000,
            14..16 => form.is_return = true,
            16 => form.cross_border = true,
            _ => {}
        }
        orders.intake(form).unwrap();
        clock.advance_ms(3);
    }
    let elapsed = started.elapsed();
    let untouched =
        (0..total).filter(|n| orders.order(&format!("tb:{n}")).unwrap().is_some_and(|order| !order.touched)).count();
    println!(
        "zero-touch: {untouched} of {total} orders ({:.1}%) flowed without a person; {:.0} intakes/s",
        100.0 * untouched as f64 / total as f64,
        total as f64 / elapsed.as_secs_f64()
    );
    engine.close().unwrap();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    targets = zero_touch, intake, timers
}
criterion_main!(benches);
