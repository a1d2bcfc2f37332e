//! `allot simulate`: a promotion day, run through the real pipeline and the real log.
//!
//! Orders arrive from three marketplaces in their own JSON shapes, from buyers all over China,
//! with the mix a seller sees on a sale day: mostly clean paid orders, and among them bad
//! addresses, unpaid orders, blacklisted buyers, buyers ordering suspiciously fast, high-value
//! orders, cross-border orders and returns. Warehouses release and ship, carriers report
//! tracking (one small carrier never does), reviewers work through the review queue (not
//! always within its deadline), buyers cancel and return. The clock is simulated, so SLA
//! deadlines pass and escalate; the day ends at midnight with late orders still under way.
//! Everything is deterministic for a given `--seed`.
//!
//! At the end: throughput and latency, the zero-touch share, flags by reason, paths taken,
//! escalations by tier, and the proof: nothing oversold, and the stock reopened from disk is
//! exactly the stock before, and adds up (received − shipped + returned).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use allot_core::order::{BlacklistKind, FlagCode, OrderState, PipelineChange, TaskKind, TrackingKind};
use allot_core::{
    Client, Clock, Engine, EngineOptions, Error, ManualClock, Role, StockLevels, SyncMode, WarehouseSpec,
};
use anyhow::{Context, Result, bail, ensure};
use hdrhistogram::Histogram;
use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};

#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// Data directory (created; cleared if an earlier simulation made it).
    #[arg(long, default_value = "allot-sim")]
    pub dir: PathBuf,
    /// Orders in the day.
    #[arg(long, default_value_t = 100_000)]
    pub orders: u64,
    #[arg(long, default_value_t = 1111)]
    pub seed: u64,
    /// Also serve the dashboard on this address while the day runs, and after the report until
    /// interrupted.
    #[arg(long)]
    pub serve: Option<String>,
    /// Print the report as one JSON object.
    #[arg(long)]
    pub json: bool,
}

const MARKER: &str = "ALLOT-SIMULATION";
/// 2025-11-11 00:00 in Beijing (Singles' Day): the promotion starts at midnight.
const DAY_START_MS: u64 = 1_762_790_400_000;
/// Orders arrive over sixteen hours, most of them in the first two.
const ARRIVALS_MS: u64 = 16 * 3_600_000;
/// The simulation stops at the next midnight; orders still under way stay under way (parcels in
/// transit, reviews pending, open to-dos), as they would on a real dashboard at that hour.
const DAY_MS: u64 = 24 * 3_600_000;
const MINUTE_MS: u64 = 60_000;
const HOUR_MS: u64 = 60 * MINUTE_MS;

const WAREHOUSES: [(&str, &str, u32); 5] = [
    ("WH-SH", "310100", 1),
    ("WH-BJ", "110100", 1),
    ("WH-GZ", "440100", 1),
    ("WH-CD", "510100", 2),
    ("WH-WH", "420100", 2),
];
/// Where buyers live: province, city, a district, and a street for detail.
const CITIES: [(&str, &str, &str); 12] = [
    ("上海市", "上海市", "浦东新区"),
    ("北京市", "北京市", "朝阳区"),
    ("广东省", "广州市", "天河区"),
    ("广东省", "深圳市", "南山区"),
    ("浙江省", "杭州市", "西湖区"),
    ("江苏省", "南京市", "鼓楼区"),
    ("四川省", "成都市", "武侯区"),
    ("湖北省", "武汉市", "洪山区"),
    ("陕西省", "西安市", "雁塔区"),
    ("重庆市", "重庆市", "渝中区"),
    ("福建省", "厦门市", "思明区"),
    ("山东省", "青岛市", "市南区"),
];
const CATEGORIES: [&str; 5] = ["furniture", "home", "electronics", "apparel", "beauty"];
const BEST_SELLERS: u32 = 5;
const SKUS: u32 = 1_000;
const BUYERS: u64 = 25_000;
/// Carriers: (code, share of shipments, sends tracking). DBL is a small carrier whose tracking
/// never arrives: its parcels raise the four-hour alert.
const CARRIERS: [(&str, u32, bool); 5] =
    [("SF", 35, true), ("ZTO", 25, true), ("YTO", 20, true), ("JD", 16, true), ("DBL", 4, false)];

/// The business rules the simulated seller runs with.
const RULES: &str = r#"# The promotion-day rules of the simulated seller.
default_path = "auto"

[limits]
max_order_amount_fen = 2000000   # 20,000.00 yuan
low_stock_units = 200

[velocity]
window = "10m"
max_orders_per_buyer = 4
max_orders_per_phone = 4
max_orders_per_address = 6

[sla]
review = "30m"
release = "2h"
ship = "12h"
tracking = "4h"
delivery = "72h"

[[route]]
name = "big electronics orders get a manual check"
when.category = ["electronics"]
when.amount_fen_min = 800000
path = "manual_review"

[[route]]
name = "velocity on the discount channel goes to risk"
when.channel = ["pdd"]
when.flags = ["velocity_buyer", "velocity_phone", "velocity_address"]
path = "risk_review"
"#;

#[derive(Clone, Debug)]
enum Action {
    Review(String),
    Release(String),
    Ship(String),
    Track(String, TrackingKind),
    EnterTracking(String),
    Cancel(String),
    RequestReturn(String),
    CompleteReturn(String),
}

/// An action due at `when`; actions due at the same moment run in the order they were planned.
struct Scheduled {
    when: u64,
    sequence: u64,
    action: Action,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Scheduled) -> bool {
        (self.when, self.sequence) == (other.when, other.sequence)
    }
}

impl Eq for Scheduled {}

impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Scheduled) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Scheduled {
    fn cmp(&self, other: &Scheduled) -> std::cmp::Ordering {
        (self.when, self.sequence).cmp(&(other.when, other.sequence))
    }
}

struct Day {
    rng: SmallRng,
    clock: Arc<ManualClock>,
    agenda: BinaryHeap<Reverse<Scheduled>>,
    sequence: u64,
    waybills: HashMap<String, (String, String)>,
    intake_latency: Histogram<u64>,
    flags: BTreeMap<&'static str, u64>,
    paths: BTreeMap<&'static str, u64>,
    refused: u64,
    intakes: u64,
    received_units: BTreeMap<String, u64>,
}

impl Day {
    fn at(&mut self, after_ms: u64, action: Action) {
        let when = self.clock.now_ms() + after_ms;
        self.sequence += 1;
        self.agenda.push(Reverse(Scheduled { when, sequence: self.sequence, action }));
    }

    fn between(&mut self, from_ms: u64, to_ms: u64) -> u64 {
        self.rng.random_range(from_ms..to_ms)
    }
}

pub fn run(args: &SimulateArgs) -> Result<()> {
    ensure!((1..=10_000_000).contains(&args.orders), "--orders must be 1 to 10,000,000");
    prepare(&args.dir)?;
    let clock = ManualClock::new(DAY_START_MS - HOUR_MS);
    let options = EngineOptions::default()
        .sync(SyncMode::Interval(Duration::from_millis(100)))
        .clock(clock.clone())
        .default_ttl_ms(None);
    let engine = Engine::open(&args.dir, options.clone()).with_context(|| format!("opening {}", args.dir.display()))?;
    let server = match &args.serve {
        Some(addr) => Some(crate::serve::start(engine.clone(), addr)?),
        None => None,
    };
    let mut day = Day {
        rng: SmallRng::seed_from_u64(args.seed),
        clock: clock.clone(),
        agenda: BinaryHeap::new(),
        sequence: 0,
        waybills: HashMap::new(),
        intake_latency: Histogram::new_with_bounds(1, 60_000_000_000, 3)?,
        flags: BTreeMap::new(),
        paths: BTreeMap::new(),
        refused: 0,
        intakes: 0,
        received_units: BTreeMap::new(),
    };
    let skus = stock_up(&engine, &mut day, args.orders)?;
    let cursor = engine.last_lsn()?;
    clock.set_ms(DAY_START_MS);

    let progress = progress_bar(args.orders);
    let started = Instant::now();
    let mut arrived = 0u64;
    let mut last_timers = clock.now_ms();
    let (orders, warehouse, courier, reviewer) = (
        engine.client(Role::Orders).acting_as("shop-integration")?,
        engine.client(Role::Warehouse).acting_as("warehouse-system")?,
        engine.client(Role::Logistics).acting_as("carrier-gateway")?,
        engine.client(Role::Orders).acting_as("reviewer")?,
    );
    loop {
        let next_arrival = (arrived < args.orders).then(|| DAY_START_MS + arrived * ARRIVALS_MS / args.orders);
        let next_action = day.agenda.peek().map(|Reverse(scheduled)| scheduled.when);
        let now = match (next_arrival, next_action) {
            (None, None) => break,
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) => a,
            (None, Some(b)) => b,
        };
        if now > DAY_START_MS + DAY_MS {
            break;
        }
        clock.set_ms(now);
        if now >= last_timers + MINUTE_MS {
            engine.run_timers()?;
            last_timers = now;
        }
        if next_arrival == Some(now) {
            arrive(&mut day, &orders, arrived, &skus)?;
            arrived += 1;
            if let Some(bar) = &progress {
                bar.inc(1);
            }
            continue;
        }
        let Some(Reverse(Scheduled { action, .. })) = day.agenda.pop() else { continue };
        act(&mut day, action, &orders, &warehouse, &courier, &reviewer)?;
    }
    clock.set_ms(DAY_START_MS + DAY_MS);
    engine.run_timers()?;
    let elapsed = started.elapsed();
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }

    // Escalations by tier, from the log's events (subscribers see durable records only).
    engine.flush()?;
    let mut escalations: BTreeMap<u8, u64> = BTreeMap::new();
    let mut escalated_stages: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut tracking_alerts = 0u64;
    let mut notifications = 0u64;
    for event in engine.client(Role::Viewer).subscribe(cursor) {
        if let Some((_, change)) = event?.record.into_pipeline() {
            match change {
                PipelineChange::Escalated { tier, stage, .. } => {
                    *escalations.entry(tier).or_default() += 1;
                    *escalated_stages.entry(stage.name()).or_default() += 1;
                }
                PipelineChange::TaskOpened { kind: TaskKind::EnterTracking, .. } => tracking_alerts += 1,
                PipelineChange::Notified { .. } => notifications += 1,
                _ => {}
            }
        }
    }
    let viewer = engine.client(Role::Viewer);
    let mut states: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut untouched = 0u64;
    for state in OrderState::ALL {
        let orders_in = viewer.orders_in(state)?;
        untouched += orders_in.iter().filter(|order| !order.touched).count() as u64;
        if !orders_in.is_empty() {
            states.insert(state.name(), orders_in.len() as u64);
        }
    }
    let open_tasks = viewer.tasks()?.len();

    // The proof: nothing oversold; the stock read back from disk is the stock before; and it
    // adds up: what came in, minus what shipped, plus what came back.
    let before = levels(&viewer, &skus)?;
    let oversold = before.values().filter(|l| l.reserved > l.on_hand).count();
    let metrics = engine.metrics()?;
    drop(server);
    engine.close()?;
    let engine = Engine::open(&args.dir, options)?;
    let after = levels(&engine.client(Role::Viewer), &skus)?;
    let invariants = engine.check_invariants().context("invariants after reopening")?;
    let shipped = shipped_units(&engine)?;
    engine.close()?;
    let identical = before == after;
    let balanced = skus.iter().all(|sku| {
        let received = day.received_units.get(sku).copied().unwrap_or(0);
        let out = shipped.get(sku).copied().unwrap_or(0);
        after[sku].on_hand == received.saturating_sub(out)
    });

    let micros = |q: f64| day.intake_latency.value_at_quantile(q) as f64 / 1000.0;
    let report = serde_json::json!({
        "orders": args.orders,
        "seed": args.seed,
        "seconds": elapsed.as_secs_f64(),
        "orders_per_sec": args.orders as f64 / elapsed.as_secs_f64(),
        "intake_latency_us": { "p50": micros(0.5), "p90": micros(0.9), "p99": micros(0.99), "p999": micros(0.999), "max": day.intake_latency.max() as f64 / 1000.0 },
        "zero_touch_share": untouched as f64 / args.orders as f64,
        "flags": day.flags,
        "paths": day.paths,
        "states": states,
        "escalations_by_tier": escalations.iter().map(|(tier, n)| (tier_name(*tier), *n)).collect::<BTreeMap<_, _>>(),
        "escalations_by_stage": escalated_stages,
        "tracking_alerts": tracking_alerts,
        "open_tasks": open_tasks,
        "notifications": notifications,
        "refused_intakes": day.refused,
        "log_records": metrics.log_records_appended,
        "oversold": oversold,
        "stock_identical_after_reopen": identical,
        "stock_balanced": balanced,
        "cells_checked": invariants.cells,
    });
    if args.json {
        say!("{report}")?;
    } else {
        print_report(&report, &day)?;
    }
    ensure!(oversold == 0 && identical && balanced, "the day did not add up: {report}");
    match &args.serve {
        // The day is over; the dashboard goes on showing its end state, from the reopened log.
        Some(addr) => crate::serve::run(&args.dir, addr),
        None => Ok(()),
    }
}

fn tier_name(tier: u8) -> &'static str {
    ["remind", "supervisor", "critical"].get(usize::from(tier)).copied().unwrap_or("beyond")
}

/// Warehouses, SKUs with stock, the blacklist and the rules.
fn stock_up(engine: &Engine, day: &mut Day, orders: u64) -> Result<Vec<String>> {
    let admin = engine.client(Role::Admin).acting_as("setup")?;
    for (code, region, priority) in WAREHOUSES {
        admin.add_warehouse(code, WarehouseSpec::new(region, priority))?;
    }
    let mut skus = Vec::new();
    for i in 0..SKUS {
        let code = format!("SKU-{i:04}");
        admin.add_sku(&code, CATEGORIES[(i % 5) as usize])?;
        // Stock is sized to the day's demand. Best sellers take about 0.18 units an order each
        // (30% of about two lines, 1.5 units a line, over five SKUs) and are stocked a little
        // under it, so they sell out late in the day and the last orders for them run short.
        let per_warehouse = if i < BEST_SELLERS { (orders * 34 / 1000).max(10) } else { (orders / 1000).max(400) };
        for (warehouse, _, _) in WAREHOUSES {
            admin.set_stock(&code, warehouse, per_warehouse)?;
            *day.received_units.entry(code.clone()).or_default() += per_warehouse;
        }
        skus.push(code);
    }
    for n in 0..12 {
        admin.blacklist_add(BlacklistKind::Buyer, &format!("buyer-{}", n * 1999))?;
    }
    admin.blacklist_add(BlacklistKind::Phone, "13900000000")?;
    admin.set_rules(RULES)?;
    Ok(skus)
}

/// One order arriving from a channel, in that channel's shape.
fn arrive(day: &mut Day, orders: &Client, n: u64, skus: &[String]) -> Result<()> {
    let rng = &mut day.rng;
    // A few buyers order fast and often; most order once or twice.
    let buyer = if rng.random_bool(0.01) { n / 8 % 50 } else { rng.random_range(0..BUYERS) };
    let style = match rng.random_range(0..10) {
        0..5 => "taobao",
        5..8 => "jd",
        _ => "pdd",
    };
    let (province, city, district) = CITIES[rng.random_range(0..CITIES.len())];
    let mut address =
        (province.to_string(), city.to_string(), district.to_string(), format!("人民路{}号", buyer % 997));
    let mut phone = format!("13{:09}", buyer * 7 % 1_000_000_000);
    match rng.random_range(0..1000) {
        0..10 => address.1 = "不存在市".into(),
        10..15 => address.3 = String::new(),
        15..20 => phone = "12345".into(),
        _ => {}
    }
    let unpaid = rng.random_bool(0.03);
    let cross_border = rng.random_bool(0.01);
    let is_return = style != "taobao" && rng.random_bool(0.012);
    let high_value = rng.random_bool(0.012);
    let line_count = rng.random_range(1..=3);
    let mut lines = Vec::new();
    for _ in 0..line_count {
        let sku =
            if rng.random_bool(0.3) { rng.random_range(0..BEST_SELLERS) } else { rng.random_range(BEST_SELLERS..SKUS) }
                as usize;
        // In fen (1/100 yuan): 9,800 yuan for a high-value order, else 19 to 899 yuan a unit.
        let price_fen: u64 = if high_value { 980_000 } else { rng.random_range(1_900..89_900) };
        lines.push((skus[sku].clone(), rng.random_range(1..=2u32), price_fen));
    }
    let payload = payload(style, n, buyer, &address, &phone, &lines, unpaid, cross_border, is_return);
    let started = Instant::now();
    let outcome = orders.intake_payload(style, style, payload.as_bytes());
    let took = started.elapsed().as_nanos().max(1) as u64;
    let _ = day.intake_latency.record(took.min(60_000_000_000));
    day.intakes += 1;
    let intake = match outcome {
        Ok(intake) => intake,
        Err(Error::InvalidInput { .. } | Error::UnknownSku { .. }) => {
            day.refused += 1;
            return Ok(());
        }
        Err(other) => return Err(other.into()),
    };
    for flag in &intake.order.flags {
        *day.flags.entry(flag.code.name()).or_default() += 1;
    }
    *day.paths.entry(intake.order.path.name()).or_default() += 1;
    let key = intake.order.key.clone();
    match intake.order.state {
        OrderState::Reserved => {
            if day.rng.random_bool(0.01) {
                let after = day.between(MINUTE_MS, 30 * MINUTE_MS);
                day.at(after, Action::Cancel(key));
            } else {
                let after = day.between(5 * MINUTE_MS, 100 * MINUTE_MS);
                day.at(after, Action::Release(key));
            }
        }
        OrderState::Flagged | OrderState::InReview => {
            // The review queue: most within the half hour, some late.
            let after = if day.rng.random_bool(0.8) {
                day.between(2 * MINUTE_MS, 28 * MINUTE_MS)
            } else {
                day.between(31 * MINUTE_MS, 3 * HOUR_MS)
            };
            day.at(after, Action::Review(key));
        }
        _ => {}
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn payload(
    style: &str,
    n: u64,
    buyer: u64,
    (province, city, district, detail): &(String, String, String, String),
    phone: &str,
    lines: &[(String, u32, u64)],
    unpaid: bool,
    cross_border: bool,
    is_return: bool,
) -> String {
    let yuan = |fen: u64| format!("{}.{:02}", fen / 100, fen % 100);
    let value = match style {
        "taobao" => serde_json::json!({
            "tid": format!("TB{n:012}"), "buyer_nick": format!("buyer-{buyer}"),
            "status": if unpaid { "WAIT_BUYER_PAY" } else { "WAIT_SELLER_SEND_GOODS" },
            "is_cross_border": cross_border,
            "receiver_name": "顾客", "receiver_mobile": phone, "receiver_state": province, "receiver_city": city,
            "receiver_district": district, "receiver_address": detail,
            "orders": lines.iter().map(|(sku, qty, fen)| serde_json::json!({"outer_sku_id": sku, "num": qty, "price": yuan(*fen)})).collect::<Vec<_>>(),
        }),
        "jd" => serde_json::json!({
            "orderId": 900_000_000_000u64 + n, "pin": format!("buyer-{buyer}"),
            "orderState": if unpaid { "WAIT_PAY" } else { "WAIT_SELLER_STOCK_OUT" },
            "orderType": if is_return { 22 } else { 0 }, "isGlobalBuy": cross_border,
            "consigneeInfo": {"fullname": "顾客", "mobile": phone, "province": province, "city": city, "county": district, "fullAddress": detail},
            "itemInfoList": lines.iter().map(|(sku, qty, fen)| serde_json::json!({"outerSkuId": sku, "skuNum": qty, "jdPrice": yuan(*fen)})).collect::<Vec<_>>(),
        }),
        _ => serde_json::json!({
            "order_sn": format!("PDD-{n:010}"), "buyer_id": format!("buyer-{buyer}"),
            "pay_status": if unpaid { 0 } else { 1 }, "return_status": if is_return { 1 } else { 0 },
            "is_cross_border": if cross_border { 1 } else { 0 },
            "receiver_name": "顾客", "receiver_phone": phone, "province": province, "city": city, "town": district, "address": detail,
            "item_list": lines.iter().map(|(sku, qty, fen)| serde_json::json!({"outer_sku_id": sku, "goods_count": qty, "goods_price": fen})).collect::<Vec<_>>(),
        }),
    };
    value.to_string()
}

/// What the simulated people and systems do when their moment comes.
fn act(
    day: &mut Day,
    action: Action,
    orders: &Client,
    warehouse: &Client,
    courier: &Client,
    reviewer: &Client,
) -> Result<()> {
    let outcome = match action {
        Action::Review(key) => {
            let order = reviewer.order(&key)?.context("a reviewed order exists")?;
            if order.state == OrderState::Flagged {
                reviewer.start_review(&key)?;
            }
            let form = &order.form;
            let critical =
                order.flags.iter().any(|f| matches!(f.code, FlagCode::BlacklistedBuyer | FlagCode::BlacklistedPhone));
            if critical || day.rng.random_bool(0.12) {
                reviewer.reject(&key, "rejected in review")
            } else {
                match reviewer.approve(&key) {
                    Ok(()) if form.is_return => {
                        let after = day.between(24 * HOUR_MS, 72 * HOUR_MS);
                        day.at(after, Action::CompleteReturn(key));
                        Ok(())
                    }
                    Ok(()) => {
                        let after = day.between(5 * MINUTE_MS, 90 * MINUTE_MS);
                        day.at(after, Action::Release(key));
                        Ok(())
                    }
                    // Still short of stock: the reviewer cancels it and tells the buyer.
                    Err(Error::InsufficientStock { .. }) => reviewer.reject(&key, "out of stock"),
                    Err(other) => Err(other),
                }
            }
        }
        Action::Release(key) => warehouse.release_to_warehouse(&key).map(|()| {
            let after = day.between(30 * MINUTE_MS, 10 * HOUR_MS);
            day.at(after, Action::Ship(key));
        }),
        Action::Ship(key) => {
            let roll = day.rng.random_range(0..100);
            let mut share = 0;
            let (carrier, _, tracks) = *CARRIERS
                .iter()
                .find(|(_, s, _)| {
                    share += s;
                    roll < share
                })
                .expect("shares add up to 100");
            let number = waybill(carrier, day.sequence);
            warehouse.ship(&key, carrier, &number)?;
            day.waybills.insert(key.clone(), (carrier.to_string(), number));
            if tracks {
                let after = day.between(20 * MINUTE_MS, 3 * HOUR_MS);
                day.at(after, Action::Track(key, TrackingKind::PickedUp));
            } else {
                let after = day.between(4 * HOUR_MS + MINUTE_MS, 8 * HOUR_MS);
                day.at(after, Action::EnterTracking(key));
            }
            Ok(())
        }
        Action::Track(key, kind) => {
            let (carrier, number) = day.waybills[&key].clone();
            courier.track(&carrier, &number, kind, "carrier scan").map(|_| {
                if kind == TrackingKind::PickedUp {
                    let after = day.between(8 * HOUR_MS, 40 * HOUR_MS);
                    day.at(after, Action::Track(key, TrackingKind::Delivered));
                } else if kind == TrackingKind::Delivered && day.rng.random_bool(0.02) {
                    let after = day.between(HOUR_MS, 48 * HOUR_MS);
                    day.at(after, Action::RequestReturn(key));
                }
            })
        }
        Action::EnterTracking(key) => {
            // The alert was raised; someone chased the carrier and entered the pickup by hand.
            let (carrier, number) = day.waybills[&key].clone();
            courier.track(&carrier, &number, TrackingKind::PickedUp, "entered by hand after the alert").map(|_| {
                let after = day.between(8 * HOUR_MS, 40 * HOUR_MS);
                day.at(after, Action::Track(key, TrackingKind::Delivered));
            })
        }
        Action::Cancel(key) => orders.cancel(&key, "the buyer cancelled"),
        Action::RequestReturn(key) => orders.request_return(&key, "does not fit").map(|()| {
            let after = day.between(24 * HOUR_MS, 72 * HOUR_MS);
            day.at(after, Action::CompleteReturn(key));
        }),
        Action::CompleteReturn(key) => {
            let order = warehouse.order(&key)?.context("a returned order exists")?;
            warehouse.complete_return(&key, "WH-SH").map(|()| {
                // A return order's goods were never shipped by this seller: they arrive new.
                if order.waybill.is_none() {
                    for line in &order.form.lines {
                        *day.received_units.entry(line.sku.clone()).or_default() += u64::from(line.qty);
                    }
                }
            })
        }
    };
    outcome.map_err(Into::into)
}

/// A well-formed waybill number for the carrier.
fn waybill(carrier: &str, n: u64) -> String {
    match carrier {
        "SF" => format!("SF{:013}", n),
        "YTO" => format!("YT{:013}", n),
        "JD" => format!("JDX{:012}", n),
        "ZTO" => format!("7{:014}", n),
        _ => format!("DB{:010}", n),
    }
}

fn levels(viewer: &Client, skus: &[String]) -> Result<BTreeMap<String, StockLevels>> {
    skus.iter().map(|sku| Ok((sku.clone(), viewer.stock(sku)?))).collect()
}

/// Units that left per SKU: the lines of every order that shipped and did not come back.
fn shipped_units(engine: &Engine) -> Result<BTreeMap<String, u64>> {
    let viewer = engine.client(Role::Viewer);
    let mut shipped = BTreeMap::new();
    for state in OrderState::ALL.into_iter().filter(|state| *state != OrderState::Returned) {
        for order in viewer.orders_in(state)?.into_iter().filter(|order| order.waybill.is_some()) {
            for line in &order.form.lines {
                *shipped.entry(line.sku.clone()).or_default() += u64::from(line.qty);
            }
        }
    }
    Ok(shipped)
}

fn prepare(dir: &Path) -> Result<()> {
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        if !dir.join(MARKER).exists() {
            bail!("{} holds data that an earlier simulation did not make; choose another --dir", dir.display());
        }
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join(MARKER), "made by `allot simulate`; the next simulation clears this directory\n")?;
    Ok(())
}

fn progress_bar(orders: u64) -> Option<indicatif::ProgressBar> {
    std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(orders);
        bar.set_style(
            indicatif::ProgressStyle::with_template("promotion day {bar:40} {pos}/{len} orders ({per_sec}, {eta})")
                .expect("a valid template"),
        );
        bar
    })
}

fn print_report(report: &serde_json::Value, day: &Day) -> std::io::Result<()> {
    let number = |key: &str| report[key].as_f64().unwrap_or(0.0);
    say!("allot simulate: a promotion day of {} orders (seed {})", report["orders"], report["seed"])?;
    say!(
        "  {:.1} s wall, {:.0} orders/s through intake, review, release, shipping and tracking",
        number("seconds"),
        number("orders_per_sec")
    )?;
    crate::bench::say_latency("intake latency", &report["intake_latency_us"])?;
    say!("  zero-touch: {:.1}% of orders flowed without a person", 100.0 * number("zero_touch_share"))?;
    let list = |key: &str| {
        report[key]
            .as_object()
            .map(|map| map.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", "))
            .unwrap_or_default()
    };
    say!("  flags: {}", list("flags"))?;
    say!("  paths: {}", list("paths"))?;
    say!("  states at the end: {}", list("states"))?;
    say!("  SLA escalations by tier: {}; by stage: {}", list("escalations_by_tier"), list("escalations_by_stage"))?;
    say!(
        "  shipments without tracking after 4 h (alert raised, to-do opened): {}; to-dos still open {}",
        report["tracking_alerts"],
        report["open_tasks"]
    )?;
    say!("  customer notifications {}; intakes refused as malformed {}", report["notifications"], day.refused)?;
    say!("proof:")?;
    say!("  oversold {}", report["oversold"])?;
    say!(
        "  stock sums consistent after reopening the directory: {} (identical {}, received - shipped = on hand {})",
        report["stock_identical_after_reopen"] == true && report["stock_balanced"] == true,
        report["stock_identical_after_reopen"],
        report["stock_balanced"]
    )?;
    Ok(())
}
