//! Proves the order pipeline through the public API: an order from each channel style flows from
//! intake to delivered with its events, flags, path, SLA timers and tracking, and all of it
//! survives a restart; every validator flags what it should; every move the state machine
//! forbids is refused naming both states; the rules file reports errors by line and column,
//! keeps the old rules on error and cannot override its guard rails; SLA tiers fire once each
//! across a restart; a shipment without tracking raises its alert at exactly four hours.

use std::sync::Arc;
use std::time::Duration;

use allot_core::order::{
    Address, BlacklistKind, FlagCode, FormLine, OrderForm, OrderState, Path, PaymentState, PipelineChange, Stage,
    TaskKind, TaskState, TrackingKind,
};
use allot_core::{Engine, EngineOptions, Error, ManualClock, Role, SyncMode, WarehouseSpec};

#[path = "support/eventually.rs"]
mod eventually;
use eventually::eventually;

const HOUR_MS: u64 = 3600 * 1000;

fn options(clock: &Arc<ManualClock>) -> EngineOptions {
    EngineOptions::default().sync(SyncMode::Always).clock(clock.clone()).segment_bytes(1 << 20)
}

/// Three warehouses and the SKUs of the channel examples, with plenty of stock.
fn stocked(dir: &std::path::Path, clock: &Arc<ManualClock>) -> Engine {
    let engine = Engine::open(dir, options(clock)).unwrap();
    let admin = engine.client(Role::Admin);
    for (code, region) in [("WH-SH", "310000"), ("WH-BJ", "110000"), ("WH-GZ", "440100")] {
        admin.add_warehouse(code, WarehouseSpec::new(region, 1)).unwrap();
    }
    for (sku, category) in [
        ("SOFA-3P-GREY", "furniture"),
        ("CUSHION-45", "home"),
        ("KETTLE-1.7L", "appliances"),
        ("MUG-350", "home"),
        ("PHONE-X", "electronics"),
        ("CASE-X", "electronics"),
    ] {
        admin.add_sku(sku, category).unwrap();
        for warehouse in ["WH-SH", "WH-BJ", "WH-GZ"] {
            admin.set_stock(sku, warehouse, 50).unwrap();
        }
    }
    engine
}

const TAOBAO: &str = r#"{"tid": "3658120094471538172", "buyer_nick": "小林爱喝茶", "status": "WAIT_SELLER_SEND_GOODS",
  "receiver_name": "林小雨", "receiver_mobile": "13812345678", "receiver_state": "广东省", "receiver_city": "深圳市",
  "receiver_district": "南山区", "receiver_address": "科技园南区深南大道10000号",
  "orders": [{"outer_sku_id": "SOFA-3P-GREY", "num": 2, "price": "1299.00"},
             {"outer_sku_id": "CUSHION-45", "num": 2, "price": "12.50"}]}"#;
const JD: &str = r#"{"orderId": 289012345678, "pin": "jd_5f2c9a7b1e3d", "orderState": "WAIT_SELLER_STOCK_OUT",
  "consigneeInfo": {"fullname": "王强", "mobile": "139 1111 2222", "province": "北京", "city": "北京市",
                    "county": "海淀区", "fullAddress": "中关村大街27号"},
  "itemInfoList": [{"outerSkuId": "KETTLE-1.7L", "skuNum": "1", "jdPrice": "199.00"},
                   {"outerSkuId": "MUG-350", "skuNum": 3, "jdPrice": "52.33"}]}"#;
const PDD: &str = r#"{"order_sn": "231120-123456789012345", "buyer_id": 88812, "pay_status": 1,
  "receiver_name": "陈晨", "receiver_phone": "13600001111", "province": "上海市", "city": "上海市", "town": "徐汇区",
  "address": "漕溪北路88号", "item_list": [{"outer_sku_id": "CUSHION-45", "goods_count": 1, "goods_price": 1250}]}"#;

fn form(id: &str, buyer: &str, phone: &str, lines: &[(&str, u32, u64)]) -> OrderForm {
    OrderForm {
        channel: "shop".into(),
        channel_order_id: id.into(),
        buyer_id: buyer.into(),
        ship_to: Address {
            recipient: "张三".into(),
            phone: phone.into(),
            province: "上海市".into(),
            city: "上海市".into(),
            district: "徐汇区".into(),
            detail: "漕溪北路88号".into(),
        },
        lines: lines
            .iter()
            .map(|&(sku, qty, price)| FormLine { sku: sku.into(), qty, unit_price_minor: price })
            .collect(),
        cross_border: false,
        is_return: false,
        payment: PaymentState::Paid,
        placed_at_ms: 0,
    }
}

fn pipeline_changes(engine: &Engine, after: u64) -> Vec<(u64, PipelineChange<'static>)> {
    let mut changes = Vec::new();
    let mut cursor = after;
    loop {
        let events = engine.client(Role::Admin).events(cursor, 500).unwrap();
        let Some(last) = events.last() else { break };
        cursor = last.lsn;
        for event in events {
            if let Some((_, change)) = event.record.into_pipeline() {
                changes.push((event.lsn, change));
            }
        }
    }
    changes
}

#[test]
fn an_order_from_each_channel_style_flows_from_intake_to_delivered_and_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(1_700_000_000_000);
    let engine = stocked(dir.path(), &clock);
    let orders = engine.client(Role::Orders);
    let warehouse = engine.client(Role::Warehouse);
    let courier = engine.client(Role::Logistics);
    let cursor = engine.last_lsn().unwrap();
    let mut keys = Vec::new();
    for (style, payload, waybill) in
        [("taobao", TAOBAO, "SF1234567890123"), ("jd", JD, "JDX000123456789"), ("pdd", PDD, "YT1234567890123")]
    {
        let intake = orders.intake_payload(style, style, payload.as_bytes()).unwrap();
        assert!(!intake.repeat);
        assert_eq!((intake.order.state, intake.order.path), (OrderState::Reserved, Path::Auto), "{style}: {intake:?}");
        assert!(intake.order.flags.is_empty(), "{style}: {:?}", intake.order.flags);
        let key = intake.order.key.clone();
        // The nearest warehouse serves it: Shenzhen → Guangzhou, Beijing → Beijing, Shanghai.
        let reservation = intake.reservation.unwrap();
        let served = engine.client(Role::Viewer).warehouse(reservation.lines[0].warehouse).unwrap();
        let expected = match style {
            "taobao" => "WH-GZ",
            "jd" => "WH-BJ",
            _ => "WH-SH",
        };
        assert_eq!(served.code.as_ref(), expected, "{style}");
        assert!(orders.intake_payload(style, style, payload.as_bytes()).unwrap().repeat, "intake is idempotent");

        warehouse.release_to_warehouse(&key).unwrap();
        let carrier = &waybill[..2];
        let carrier = if carrier == "YT" { "YTO" } else { carrier };
        courier.ship(&key, carrier, waybill).unwrap();
        assert_eq!(courier.track(carrier, waybill, TrackingKind::PickedUp, "collected").unwrap(), key);
        courier.track(carrier, waybill, TrackingKind::InTransit, "Hangzhou hub").unwrap();
        courier.track(carrier, waybill, TrackingKind::Delivered, "signed by recipient").unwrap();
        let order = orders.order(&key).unwrap().unwrap();
        assert_eq!(order.state, OrderState::Delivered);
        assert!(!order.touched, "zero touch");
        keys.push(key);
    }
    // The stock left: committed, not held.
    let sofa = engine.client(Role::Viewer).stock("SOFA-3P-GREY").unwrap();
    assert_eq!((sofa.on_hand, sofa.reserved), (148, 0));

    // Events: each order's moves in order, and a notification on shipping and on delivery.
    let changes = pipeline_changes(&engine, cursor);
    for key in &keys {
        let moves: Vec<(OrderState, OrderState)> = changes
            .iter()
            .filter_map(|(_, change)| match change {
                PipelineChange::Moved { order, from, to, .. } if order == key => Some((*from, *to)),
                _ => None,
            })
            .collect();
        use OrderState::*;
        assert_eq!(
            moves,
            [
                (Reserved, ReleasedToWarehouse),
                (ReleasedToWarehouse, Shipped),
                (Shipped, PickedUp),
                (PickedUp, Delivered)
            ]
        );
        let notices = changes
            .iter()
            .filter(|(_, change)| matches!(change, PipelineChange::Notified { order, .. } if order == key))
            .count();
        assert_eq!(notices, 2, "{key}");
    }
    let half = changes[changes.len() / 2].0;
    engine.close().unwrap();

    // After a restart: the same orders, and a subscriber resumes from its cursor.
    let engine = Engine::open(dir.path(), options(&clock)).unwrap();
    for key in &keys {
        let order = engine.client(Role::Viewer).order(key).unwrap().unwrap();
        assert_eq!(order.state, OrderState::Delivered);
        assert!(order.waybill.is_some());
    }
    let resumed = pipeline_changes(&engine, half);
    assert_eq!(resumed.first().map(|(lsn, _)| *lsn), changes.iter().map(|(lsn, _)| *lsn).find(|lsn| *lsn > half));
    engine.check_invariants().unwrap();
    engine.close().unwrap();
}

#[test]
fn every_check_flags_its_problem_and_sends_the_order_to_review() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(1_700_000_000_000);
    let engine = stocked(dir.path(), &clock);
    let admin = engine.client(Role::Admin);
    let orders = engine.client(Role::Orders);
    admin.blacklist_add(BlacklistKind::Buyer, "fraudster").unwrap();
    admin.blacklist_add(BlacklistKind::Phone, "13900000000").unwrap();
    admin.blacklist_add(BlacklistKind::Address, "上海市上海市徐汇区 漕溪北路 99 号").unwrap();
    let line = [("MUG-350", 1, 5000)];
    let cases: Vec<(&str, OrderForm, FlagCode)> = vec![
        (
            "incomplete",
            {
                let mut f = form("a1", "b1", "13800000001", &line);
                f.ship_to.detail.clear();
                f
            },
            FlagCode::AddressIncomplete,
        ),
        (
            "province",
            {
                let mut f = form("a2", "b2", "13800000002", &line);
                f.ship_to.province = "火星省".into();
                f
            },
            FlagCode::UnknownProvince,
        ),
        (
            "city",
            {
                let mut f = form("a3", "b3", "13800000003", &line);
                f.ship_to.city = "雅典".into();
                f
            },
            FlagCode::UnknownCity,
        ),
        ("phone", form("a4", "b4", "12345", &line), FlagCode::BadPhone),
        ("buyer", form("a5", "fraudster", "13800000005", &line), FlagCode::BlacklistedBuyer),
        ("phone list", form("a6", "b6", "13900000000", &line), FlagCode::BlacklistedPhone),
        (
            "address list",
            {
                let mut f = form("a7", "b7", "13800000007", &line);
                f.ship_to.detail = "漕溪北路99号".into();
                f
            },
            FlagCode::BlacklistedAddress,
        ),
        ("amount", form("a8", "b8", "13800000008", &[("PHONE-X", 1, 9_000_000)]), FlagCode::AmountTooHigh),
        ("stock", form("a9", "b9", "13800000009", &[("SOFA-3P-GREY", 151, 100)]), FlagCode::StockShort),
        (
            "unpaid",
            {
                let mut f = form("a10", "b10", "13800000010", &line);
                f.payment = PaymentState::Unpaid;
                f
            },
            FlagCode::Unpaid,
        ),
    ];
    for (name, form, flag) in cases {
        let intake = orders.intake(form).unwrap();
        assert!(intake.order.flags.iter().any(|f| f.code == flag), "{name}: {:?}", intake.order.flags);
        assert_eq!(intake.order.state, OrderState::Flagged, "{name}");
        assert!(intake.order.path.needs_human(), "{name}");
        assert!(intake.reservation.is_none(), "{name}: a flagged order holds no stock");
    }
    // Velocity: the sixth order of one buyer within ten minutes is flagged (defaults: 5).
    for n in 0..6 {
        let intake = orders.intake(form(&format!("v{n}"), "busy", &format!("1370000000{n}"), &line)).unwrap();
        let flagged = intake.order.flags.iter().any(|f| f.code == FlagCode::VelocityBuyer);
        assert_eq!(flagged, n == 5, "order {n}: {:?}", intake.order.flags);
    }
    // Outside the window the buyer is welcome again.
    clock.advance_ms(11 * 60 * 1000);
    let intake = orders.intake(form("v-later", "busy", "13711111111", &line)).unwrap();
    assert_eq!(intake.order.state, OrderState::Reserved);
    // A bad form is an error, not a flag.
    let error = orders.intake(form("bad", "b", "13800000000", &[("NO-SUCH-SKU", 1, 1)])).unwrap_err();
    assert!(matches!(error, Error::UnknownSku { .. }), "{error}");
    let error = orders.intake_payload("taobao", "tb", br#"{"tid": 1}"#).unwrap_err();
    assert!(error.to_string().contains("buyer_nick"), "{error}");
    engine.close().unwrap();
}

/// Brings a new order into `state` through the API.
fn order_in(engine: &Engine, id: &str, state: OrderState) -> String {
    let orders = engine.client(Role::Orders);
    let warehouse = engine.client(Role::Warehouse);
    let courier = engine.client(Role::Logistics);
    // A phone and a street of its own, so velocity checks never flag these orders.
    let seed = id.bytes().fold(17u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    let mut f = form(id, &format!("buyer-{id}"), &format!("138{:08}", seed % 100_000_000), &[("MUG-350", 1, 100)]);
    f.ship_to.detail = format!("漕溪北路{}号", seed % 10_000);
    let waybill = format!("SF{:013}", seed % 10_000_000_000_000);
    if matches!(state, OrderState::Flagged | OrderState::InReview) {
        f.payment = PaymentState::Unpaid;
    }
    let key = orders.intake(f).unwrap().order.key;
    let steps: &[OrderState] = match state {
        OrderState::Flagged | OrderState::Reserved => &[],
        OrderState::InReview => &[OrderState::InReview],
        OrderState::ReleasedToWarehouse => &[OrderState::ReleasedToWarehouse],
        OrderState::Shipped => &[OrderState::ReleasedToWarehouse, OrderState::Shipped],
        OrderState::PickedUp => &[OrderState::ReleasedToWarehouse, OrderState::Shipped, OrderState::PickedUp],
        OrderState::Delivered => &[OrderState::ReleasedToWarehouse, OrderState::Shipped, OrderState::Delivered],
        OrderState::Exception => &[OrderState::ReleasedToWarehouse, OrderState::Shipped, OrderState::Exception],
        OrderState::Cancelled => &[OrderState::Cancelled],
        OrderState::ReturnRequested => {
            &[OrderState::ReleasedToWarehouse, OrderState::Shipped, OrderState::Delivered, OrderState::ReturnRequested]
        }
        OrderState::Returned => &[
            OrderState::ReleasedToWarehouse,
            OrderState::Shipped,
            OrderState::Delivered,
            OrderState::ReturnRequested,
            OrderState::Returned,
        ],
        OrderState::Received => unreachable!(),
    };
    for step in steps {
        match step {
            OrderState::InReview => orders.start_review(&key).unwrap(),
            OrderState::ReleasedToWarehouse => warehouse.release_to_warehouse(&key).unwrap(),
            OrderState::Shipped => courier.ship(&key, "SF", &waybill).unwrap(),
            OrderState::PickedUp => drop(courier.track("SF", &waybill, TrackingKind::PickedUp, "").unwrap()),
            OrderState::Delivered => drop(courier.track("SF", &waybill, TrackingKind::Delivered, "").unwrap()),
            OrderState::Exception => drop(courier.track("SF", &waybill, TrackingKind::Exception, "lost").unwrap()),
            OrderState::Cancelled => orders.cancel(&key, "buyer changed their mind").unwrap(),
            OrderState::ReturnRequested => orders.request_return(&key, "wrong colour").unwrap(),
            OrderState::Returned => warehouse.complete_return(&key, "WH-SH").unwrap(),
            _ => unreachable!(),
        }
    }
    assert_eq!(engine.client(Role::Viewer).order(&key).unwrap().unwrap().state, state);
    key
}

#[test]
fn every_move_is_allowed_exactly_when_the_state_machine_allows_it() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(1_700_000_000_000);
    let engine = stocked(dir.path(), &clock);
    let admin = engine.client(Role::Admin).acting_as("tester").unwrap();
    let mut n = 0;
    // Each operation and the state it moves an order to.
    type Move = fn(&allot_core::Client, &str) -> Result<(), Error>;
    let operations: [(&str, OrderState, Move); 9] = [
        ("start_review", OrderState::InReview, |c, k| c.start_review(k)),
        ("approve", OrderState::Reserved, |c, k| c.approve(k)),
        ("reject", OrderState::Cancelled, |c, k| c.reject(k, "no")),
        ("hold", OrderState::InReview, |c, k| c.hold(k, "check")),
        ("release_to_warehouse", OrderState::ReleasedToWarehouse, |c, k| c.release_to_warehouse(k)),
        ("cancel", OrderState::Cancelled, |c, k| c.cancel(k, "no")),
        ("request_return", OrderState::ReturnRequested, |c, k| c.request_return(k, "no")),
        ("complete_return", OrderState::Returned, |c, k| c.complete_return(k, "WH-SH")),
        ("deny_return", OrderState::Delivered, |c, k| c.deny_return(k, "no")),
    ];
    let states = OrderState::ALL.into_iter().filter(|s| *s != OrderState::Received);
    for from in states {
        for (name, to, operation) in &operations {
            n += 1;
            let key = order_in(&engine, &format!("m{n}"), from);
            // Review decisions have their own preconditions on top of the table.
            let allowed = match *name {
                "approve" => from == OrderState::InReview,
                "reject" => matches!(from, OrderState::Flagged | OrderState::InReview),
                _ => from.can_move_to(*to),
            };
            let result = operation(&admin, &key);
            let state = engine.client(Role::Viewer).order(&key).unwrap().unwrap().state;
            if allowed {
                result.unwrap_or_else(|e| panic!("{name} from {from}: {e}"));
                assert_eq!(state, *to, "{name} from {from}");
            } else {
                let error = result.expect_err(&format!("{name} from {from} must be refused"));
                let Error::IllegalTransition { from: named, .. } = &error else {
                    panic!("{name} from {from}: {error}")
                };
                assert_eq!(*named, from.name(), "{name}: {error}");
                assert_eq!(state, from, "a refused move changes nothing");
            }
        }
    }
    engine.check_invariants().unwrap();
    engine.close().unwrap();
}

#[test]
fn returns_and_cross_border_orders_always_see_a_human_whatever_the_rules_say() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(1_700_000_000_000);
    let engine = stocked(dir.path(), &clock);
    let admin = engine.client(Role::Admin);
    admin.set_rules("default_path = \"auto\"\n[[route]]\nname = \"everything auto\"\npath = \"auto\"\n").unwrap();
    let orders = engine.client(Role::Orders);
    let mut ret = form("r1", "b", "13812345678", &[("MUG-350", 1, 100)]);
    ret.is_return = true;
    let intake = orders.intake(ret).unwrap();
    assert_eq!((intake.order.state, intake.order.path), (OrderState::InReview, Path::ManualReview));
    orders.approve(&intake.order.key).unwrap();
    assert_eq!(orders.order(&intake.order.key).unwrap().unwrap().state, OrderState::ReturnRequested);
    let mut abroad = form("x1", "b", "13812345678", &[("MUG-350", 1, 100)]);
    abroad.cross_border = true;
    let intake = orders.intake(abroad).unwrap();
    assert_eq!((intake.order.state, intake.order.path), (OrderState::InReview, Path::ManualReview));
    assert!(intake.reason.contains("cross"), "{}", intake.reason);
    engine.close().unwrap();
}

#[test]
fn the_rules_file_reports_every_error_by_line_and_column_and_keeps_the_old_rules() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(1_700_000_000_000);
    let engine = stocked(dir.path(), &clock);
    let admin = engine.client(Role::Admin).acting_as("ops.lead").unwrap();
    let good = "default_path = \"manual_review\"\n[[route]]\nname = \"cheap goes auto\"\nwhen.amount_fen_max = 10000\npath = \"auto\"\n";
    admin.set_rules(good).unwrap();
    let bad = "default_path = \"auto\"\n[[route]]\nname = \"x\"\nwhen.amount_fen_max = 10000\npath = \"autoo\"\n[sla]\nreview = \"30 minutes\"\n";
    let error = admin.set_rules(bad).unwrap_err();
    let Error::InvalidRules { errors } = &error else { panic!("{error}") };
    let positions: Vec<(usize, usize)> = errors.iter().map(|e| (e.line, e.column)).collect();
    assert_eq!(positions, [(5, 8), (7, 10)], "{error}");
    assert_eq!(admin.rules_text().unwrap(), good, "the previous rules stay live");

    // Reload from a file; a broken file keeps the rules; the change is logged with who made it.
    let file = dir.path().join("rules.toml");
    std::fs::write(&file, bad).unwrap();
    assert!(matches!(engine.reload_rules(&file, "file watcher"), Err(Error::InvalidRules { .. })));
    std::fs::write(&file, "default_path = \"hold\"\n").unwrap();
    engine.reload_rules(&file, "file watcher").unwrap();
    let logged: Vec<String> = pipeline_changes(&engine, 0)
        .into_iter()
        .filter_map(|(_, change)| match change {
            PipelineChange::Rules { by, .. } => Some(by.into_owned()),
            _ => None,
        })
        .collect();
    assert_eq!(logged, ["ops.lead", "file watcher"]);

    // Explain and dry run.
    let orders = engine.client(Role::Orders);
    let key = orders.intake(form("e1", "b", "13812345678", &[("MUG-350", 1, 100)])).unwrap().order.key;
    let explanation = admin.explain(&key).unwrap();
    assert_eq!(explanation.decision.path, Path::Hold);
    let dry = admin.dry_run_rules(good).unwrap();
    assert_eq!(dry.orders, 1);
    assert_eq!(dry.proposed.get(Path::Auto), 1);
    engine.close().unwrap();

    // The rules survive a restart.
    let engine = Engine::open(dir.path(), options(&clock)).unwrap();
    assert_eq!(engine.client(Role::Admin).rules_text().unwrap(), "default_path = \"hold\"\n");
    engine.close().unwrap();
}

#[test]
fn sla_tiers_fire_once_each_across_a_restart_and_critical_tasks_come_first() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(1_700_000_000_000);
    let engine = stocked(dir.path(), &clock);
    // Review within 30 min; tiers at +0 (remind), +30 min (supervisor), +2 h (critical).
    let key = order_in(&engine, "slow", OrderState::InReview);
    let quick = order_in(&engine, "quick", OrderState::Flagged);
    engine.client(Role::Orders).start_review(&quick).unwrap();
    engine.advance_time(Duration::from_millis(30 * 60 * 1000 - 1)).unwrap();
    assert!(engine.client(Role::Viewer).tasks().unwrap().is_empty(), "not yet due");
    engine.advance_time(Duration::from_millis(1)).unwrap();
    let tasks = engine.client(Role::Viewer).tasks().unwrap();
    assert_eq!(tasks.len(), 2);
    assert!(tasks.iter().all(|t| t.kind == TaskKind::Overdue(Stage::Review) && t.assignee == "orders"));
    // The quick order is reviewed; its task closes by itself.
    engine.client(Role::Orders).approve(&quick).unwrap();
    assert_eq!(engine.client(Role::Viewer).tasks().unwrap().len(), 1);
    engine.close().unwrap();

    let engine = Engine::open(dir.path(), options(&clock)).unwrap();
    engine.advance_time(Duration::from_millis(30 * 60 * 1000)).unwrap();
    engine.advance_time(Duration::from_millis(90 * 60 * 1000)).unwrap();
    engine.advance_time(Duration::from_millis(HOUR_MS)).unwrap();
    let escalations: Vec<(u8, allot_core::order::Severity)> = pipeline_changes(&engine, 0)
        .into_iter()
        .filter_map(|(_, change)| match change {
            PipelineChange::Escalated { order, tier, severity, .. } if order == key => Some((tier, severity)),
            _ => None,
        })
        .collect();
    use allot_core::order::Severity::*;
    assert_eq!(escalations, [(0, Low), (1, High), (2, Critical)], "each tier once, none lost across the restart");
    let tasks = engine.client(Role::Viewer).tasks().unwrap();
    assert_eq!(tasks[0].severity, Critical);
    assert_eq!(tasks[0].assignee, "supervisor");
    let task = engine.client(Role::Orders).acknowledge_task(tasks[0].id).unwrap();
    assert_eq!(task.state, TaskState::Acknowledged);
    engine.client(Role::Orders).close_task(task.id).unwrap();
    assert!(matches!(engine.client(Role::Orders).close_task(task.id), Err(Error::IllegalTransition { .. })));
    engine.close().unwrap();
}

#[test]
fn a_shipment_without_tracking_raises_its_alert_at_exactly_four_hours() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(1_700_000_000_000);
    let engine = stocked(dir.path(), &clock);
    let silent = order_in(&engine, "silent", OrderState::Shipped);
    let tracked = order_in(&engine, "tracked", OrderState::Shipped);
    let waybill = engine.client(Role::Viewer).order(&tracked).unwrap().unwrap().waybill.unwrap();
    engine.client(Role::Logistics).track(&waybill.0, &waybill.1, TrackingKind::InTransit, "hub").unwrap();
    engine.advance_time(Duration::from_millis(4 * HOUR_MS - 1)).unwrap();
    assert!(engine.client(Role::Viewer).tasks().unwrap().is_empty());
    engine.advance_time(Duration::from_millis(1)).unwrap();
    let tasks = engine.client(Role::Warehouse).tasks().unwrap();
    assert_eq!(tasks.len(), 1, "only the untracked shipment: {tasks:?}");
    assert_eq!((tasks[0].order.as_str(), tasks[0].kind), (silent.as_str(), TaskKind::EnterTracking));
    assert_eq!(tasks[0].assignee, "warehouse");
    // Entering the tracking by hand settles it.
    let waybill = engine.client(Role::Viewer).order(&silent).unwrap().unwrap().waybill.unwrap();
    engine.client(Role::Logistics).track(&waybill.0, &waybill.1, TrackingKind::PickedUp, "entered by hand").unwrap();
    assert!(engine.client(Role::Viewer).tasks().unwrap().is_empty());
    engine.close().unwrap();
}

#[test]
fn a_bad_waybill_is_refused_before_the_order_ships() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(1_700_000_000_000);
    let engine = stocked(dir.path(), &clock);
    let key = order_in(&engine, "w", OrderState::ReleasedToWarehouse);
    let courier = engine.client(Role::Logistics);
    let error = courier.ship(&key, "SF", "1234").unwrap_err();
    assert!(error.to_string().contains("SF Express"), "{error}");
    assert_eq!(courier.order(&key).unwrap().unwrap().state, OrderState::ReleasedToWarehouse);
    assert_eq!(engine.client(Role::Viewer).stock("MUG-350").unwrap().reserved, 1, "nothing committed");
    // A courier can ship and track, but never touch stock or reservations.
    assert!(matches!(
        courier.reserve("X", &[("MUG-350", 1)], &Default::default()),
        Err(Error::PermissionDenied { .. })
    ));
    assert!(matches!(courier.stock("MUG-350"), Err(Error::PermissionDenied { .. })));
    engine.close().unwrap();
}

#[test]
fn a_form_the_engine_could_never_reach_again_is_refused_at_intake_and_holds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(1_700_000_000_000);
    let engine = stocked(dir.path(), &clock);
    let intake = engine.client(Role::Orders);
    let good = form("ok-1", "buyer", "13800000000", &[("MUG-350", 1, 100)]);
    let mut bad_forms = Vec::new();
    for id in ["a\nb", "tab\there", "nul\0"] {
        bad_forms.push(OrderForm { channel_order_id: id.into(), ..good.clone() });
    }
    bad_forms.push(OrderForm { channel: "my shop".into(), ..good.clone() });
    bad_forms.push(OrderForm { buyer_id: "b".repeat(allot_core::limits::BUYER_ID_BYTES_MAX + 1), ..good.clone() });
    let mut long_address = good.clone();
    long_address.ship_to.detail = "路".repeat(allot_core::limits::ADDRESS_FIELD_BYTES_MAX);
    bad_forms.push(long_address);
    let mut bad_sku = good.clone();
    bad_sku.lines[0].sku = "MUG 350".into();
    bad_forms.push(bad_sku);
    let before = engine.client(Role::Viewer).stock("MUG-350").unwrap();
    for bad in &bad_forms {
        let error = intake.intake(bad.clone()).unwrap_err();
        assert!(matches!(error, Error::InvalidInput { .. } | Error::LimitExceeded { .. }), "{bad:?}: {error}");
    }
    assert_eq!(engine.client(Role::Viewer).stock("MUG-350").unwrap(), before, "a refused form holds no stock");
    assert!(intake.intake(good).is_ok());
    engine.close().unwrap();
}

#[test]
fn a_watched_rules_file_is_reloaded_when_saved_and_a_broken_save_keeps_the_old_rules() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(1_700_000_000_000);
    let engine = stocked(dir.path(), &clock);
    let file = dir.path().join("rules.toml");
    std::fs::write(&file, "default_path = \"auto\"\n").unwrap();
    engine.reload_rules(&file, "setup").unwrap();
    let _watch = engine.watch_rules(&file, "file watcher").unwrap();
    let admin = engine.client(Role::Admin);
    std::fs::write(&file, "default_path = \"manual_review\"\n").unwrap();
    assert!(eventually(|| admin.rules_text().unwrap().contains("manual_review")), "the save was not picked up");
    std::fs::write(&file, "default_path = \"nowhere\"\n").unwrap();
    assert!(eventually(|| engine.rules_reload_error().unwrap().is_some_and(|e| e.contains("line 1"))));
    assert!(admin.rules_text().unwrap().contains("manual_review"), "the broken save left the rules alone");
    engine.close().unwrap();
}

#[test]
fn a_subscription_iterates_events_and_resumes_from_its_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(1_700_000_000_000);
    let engine = stocked(dir.path(), &clock);
    let viewer = engine.client(Role::Viewer);
    let mut subscription = viewer.subscribe(0);
    let setup = subscription.by_ref().count();
    assert!(setup > 0);
    assert!(subscription.next().is_none(), "caught up");
    let key = order_in(&engine, "sub", OrderState::Reserved);
    let new: Vec<_> = subscription.by_ref().map(|event| event.unwrap()).collect();
    assert!(
        matches!(new.last().unwrap().record.pipeline(), Some((_, PipelineChange::Received { order, .. })) if *order == key)
    );
    let cursor = subscription.cursor();
    engine.close().unwrap();
    let engine = Engine::open(dir.path(), options(&clock)).unwrap();
    engine.client(Role::Orders).cancel(&key, "changed mind").unwrap();
    let after: Vec<_> = engine.client(Role::Viewer).subscribe(cursor).map(|e| e.unwrap()).collect();
    assert!(after.iter().all(|event| event.lsn > cursor), "nothing repeated");
    assert!(
        after
            .iter()
            .any(|e| matches!(e.record.pipeline(), Some((_, PipelineChange::Moved { to: OrderState::Cancelled, .. }))))
    );
    engine.close().unwrap();
}

#[test]
fn flush_makes_the_latest_changes_durable_and_visible_to_subscribers_in_any_sync_mode() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(1_700_000_000_000);
    // Interval flushes once an hour here: without `flush` nothing would become durable.
    let options = options(&clock).sync(SyncMode::Interval(Duration::from_secs(3600)));
    let engine = Engine::open(dir.path(), options).unwrap();
    let admin = engine.client(Role::Admin);
    admin.add_warehouse("WH-SH", WarehouseSpec::new("310000", 1)).unwrap();
    admin.add_sku("MUG-350", "home").unwrap();
    admin.set_stock("MUG-350", "WH-SH", 5).unwrap();
    let cursor = engine.durable_lsn().unwrap();
    let key = engine.client(Role::Orders).intake(form("F-1", "b-1", "13800000001", &[("MUG-350", 1, 990)])).unwrap();
    assert!(engine.durable_lsn().unwrap() < engine.last_lsn().unwrap());
    assert_eq!(engine.flush().unwrap(), engine.last_lsn().unwrap());
    assert_eq!(engine.durable_lsn().unwrap(), engine.last_lsn().unwrap());
    let seen = engine.client(Role::Viewer).subscribe(cursor).map(|e| e.unwrap()).collect::<Vec<_>>();
    assert!(seen.iter().any(|e| matches!(e.record.pipeline(),
        Some((_, PipelineChange::Received { order, .. })) if *order == key.order.key)));
    engine.close().unwrap();
    assert!(matches!(engine.flush(), Err(Error::Closed)));
}
