//! Proves the permission matrix: every role calling every client method (the stock and reservation calls and the
//! order pipeline's) is allowed or refused exactly as the hand-written policy below says, and a refusal names the
//! role and operation, changes nothing and is counted once.

use std::collections::HashMap;
use std::time::Duration;

use allot_core::order::{
    Address, BlacklistKind, FormLine, Order, OrderForm, OrderState, PaymentState, Task, TaskState, TrackingKind,
};
use allot_core::{
    BufferRule, Client, Engine, EngineOptions, Error, ErrorCode, Lsn, ManualClock, Operation, OrderRequest,
    Reservation, ReservationState, ReserveOptions, Role, Sku, SkuId, StockLevels, SyncMode, Warehouse, WarehouseId,
    WarehouseSpec,
};

/// Every client method that takes a permission: the operation a denial must name, and whether an allowed call
/// appends to the log.
const METHODS: &[(&str, Operation, bool)] = &[
    ("add_warehouse", Operation::AddWarehouse, true),
    ("update_warehouse", Operation::UpdateWarehouse, true),
    ("add_sku", Operation::AddSku, true),
    ("set_buffer", Operation::SetBuffer, true),
    ("set_stock", Operation::SetStock, true),
    ("receive", Operation::Receive, true),
    ("adjust", Operation::Adjust, true),
    ("expect_inbound", Operation::ExpectInbound, true),
    ("land_inbound", Operation::LandInbound, true),
    ("reserve", Operation::Reserve, true),
    ("reserve_by_id", Operation::Reserve, true),
    ("reserve_many", Operation::Reserve, true),
    ("commit", Operation::Commit, true),
    ("release", Operation::Release, true),
    ("stock", Operation::ReadStock, false),
    ("stock_in_region", Operation::ReadStock, false),
    ("cell", Operation::ReadStock, false),
    ("cells", Operation::ReadStock, false),
    ("reservation", Operation::ReadStock, false),
    ("events", Operation::ReadStock, false),
    // Checked lazily: the subscription's first poll is an `events` call.
    ("subscribe", Operation::ReadStock, false),
    ("warehouses", Operation::ReadCatalogue, false),
    ("skus", Operation::ReadCatalogue, false),
    ("sku_id", Operation::ReadCatalogue, false),
    ("sku", Operation::ReadCatalogue, false),
    ("warehouse", Operation::ReadCatalogue, false),
    ("intake", Operation::Intake, true),
    ("intake_payload", Operation::Intake, true),
    ("order", Operation::ReadOrders, false),
    ("orders_in", Operation::ReadOrders, false),
    ("start_review", Operation::Review, true),
    ("approve", Operation::Review, true),
    ("reject", Operation::Review, true),
    ("hold", Operation::Review, true),
    ("release_to_warehouse", Operation::ReleaseOrder, true),
    ("ship", Operation::Ship, true),
    ("track", Operation::Track, true),
    ("cancel", Operation::CancelOrder, true),
    ("request_return", Operation::Returns, true),
    ("complete_return", Operation::Returns, true),
    ("deny_return", Operation::Returns, true),
    ("tasks", Operation::ReadOrders, false),
    ("acknowledge_task", Operation::Tasks, true),
    ("close_task", Operation::Tasks, true),
    ("blacklist_add", Operation::ManageBlacklist, true),
    ("blacklist_remove", Operation::ManageBlacklist, true),
    ("set_rules", Operation::ManageRules, true),
    ("rules", Operation::ReadOrders, false),
    ("rules_text", Operation::ReadOrders, false),
    ("explain", Operation::ReadOrders, false),
    ("dry_run_rules", Operation::ManageRules, false),
];

/// Client methods that take no permission: they only describe or re-label the client, or ask
/// whether this is the engine's process.
const UNCHECKED: [&str; 4] = ["role", "actor", "acting_as", "check_process"];

/// The policy, written out by hand: what each role may call, grouped as catalogue writes, stock movements,
/// reservations, stock reads, catalogue reads, then the pipeline's intake, review, release and shipping, tracking,
/// cancelling, returns, order reads, tasks, blacklist and rules. Everything not listed is denied.
#[rustfmt::skip]
const ALLOWED: &[(Role, &[&str])] = &[
    (Role::Admin, &[
        "add_warehouse", "update_warehouse", "add_sku", "set_buffer",
        "set_stock", "receive", "adjust", "expect_inbound", "land_inbound",
        "reserve", "reserve_by_id", "reserve_many", "commit", "release",
        "stock", "stock_in_region", "cell", "cells", "reservation", "events", "subscribe",
        "warehouses", "skus", "sku_id", "sku", "warehouse",
        "intake", "intake_payload",
        "start_review", "approve", "reject", "hold",
        "release_to_warehouse", "ship",
        "track",
        "cancel",
        "request_return", "complete_return", "deny_return",
        "order", "orders_in", "tasks", "rules", "rules_text", "explain",
        "acknowledge_task", "close_task",
        "blacklist_add", "blacklist_remove",
        "set_rules", "dry_run_rules",
    ]),
    (Role::Orders, &[
        "reserve", "reserve_by_id", "reserve_many", "commit", "release",
        "stock", "stock_in_region", "cell", "cells", "reservation", "events", "subscribe",
        "warehouses", "skus", "sku_id", "sku", "warehouse",
        "intake", "intake_payload",
        "start_review", "approve", "reject", "hold",
        "cancel",
        "request_return", "complete_return", "deny_return",
        "order", "orders_in", "tasks", "rules", "rules_text", "explain",
        "acknowledge_task", "close_task",
    ]),
    (Role::Warehouse, &[
        "set_stock", "receive", "adjust", "expect_inbound", "land_inbound",
        "stock", "stock_in_region", "cell", "cells", "reservation", "events", "subscribe",
        "warehouses", "skus", "sku_id", "sku", "warehouse",
        "release_to_warehouse", "ship",
        "request_return", "complete_return", "deny_return",
        "order", "orders_in", "tasks", "rules", "rules_text", "explain",
        "acknowledge_task", "close_task",
    ]),
    // A courier integration: the catalogue, shipping and tracking, and no stock or reservation call at all.
    (Role::Logistics, &[
        "warehouses", "skus", "sku_id", "sku", "warehouse",
        "ship",
        "track",
        "order", "orders_in", "tasks", "rules", "rules_text", "explain",
        "acknowledge_task", "close_task",
    ]),
    (Role::Viewer, &[
        "stock", "stock_in_region", "cell", "cells", "reservation", "events", "subscribe",
        "warehouses", "skus", "sku_id", "sku", "warehouse",
        "order", "orders_in", "tasks", "rules", "rules_text", "explain",
    ]),
];

const ORDER_IDS: [&str; 6] = ["HELD-C", "HELD-R", "NEW-1", "NEW-2", "NEW-3", "COURIER-TEST-1"];

fn allowed(role: Role) -> &'static [&'static str] {
    ALLOWED.iter().find(|(r, _)| *r == role).unwrap_or_else(|| panic!("{role} is missing from ALLOWED")).1
}

/// The fixture's orders, by channel order id, and the state the fixture leaves each in: one per pipeline call,
/// so that every allowed call finds its order in a state it may move from, whatever ran before it.
const PIPELINE_ORDERS: [(&str, OrderState); 14] = [
    // Taken in first and left flagged past the review deadline: each opens an SLA task.
    ("TASK-ACK", OrderState::Flagged),
    ("TASK-CLOSE", OrderState::Flagged),
    ("TO-REVIEW", OrderState::Flagged),
    ("TO-APPROVE", OrderState::InReview),
    ("TO-REJECT", OrderState::InReview),
    ("TO-HOLD", OrderState::Reserved),
    ("TO-RELEASE", OrderState::Reserved),
    ("TO-SHIP", OrderState::ReleasedToWarehouse),
    ("TO-TRACK", OrderState::Shipped),
    ("TO-CANCEL", OrderState::Reserved),
    ("TO-RETURN", OrderState::Delivered),
    ("TO-RECEIVE-BACK", OrderState::ReturnRequested),
    ("TO-DENY-RETURN", OrderState::ReturnRequested),
    ("TO-READ", OrderState::Reserved),
];

/// The channel of the fixture's orders and of the order `intake` takes in.
const CHANNEL: &str = "shop";

/// The orders the two intake calls create (`channel:channel_order_id`): absent until an allowed intake.
const NEW_ORDERS: [&str; 2] = ["shop:NEW-INTAKE", "pdd-shop:NEW-PAYLOAD"];

/// A Pinduoduo payload for `intake_payload`, with a buyer, phone and street of its own.
const PDD_PAYLOAD: &str = r#"{"order_sn": "NEW-PAYLOAD", "buyer_id": 7001, "pay_status": 1,
  "receiver_name": "陈晨", "receiver_phone": "13600007001", "province": "上海市", "city": "上海市", "town": "徐汇区",
  "address": "漕溪北路7001号", "item_list": [{"outer_sku_id": "MUG", "goods_count": 1, "goods_price": 1250}]}"#;

/// The waybill `ship` writes back (no fixture order uses it).
const SHIP_WAYBILL: &str = "SF5000000000001";

/// A buyer the fixture blacklists, for `blacklist_remove`; no order's buyer.
const LISTED_BUYER: &str = "struck-off-buyer";

/// Rules for `set_rules`: the defaults written out, so later calls route and time out exactly as before.
const RULES: &str = "# the documented defaults, written out\ndefault_path = \"auto\"\n\n[sla]\nreview = \"30m\"\n";

/// Rules for `dry_run_rules` (never made live).
const PROPOSED_RULES: &str = "default_path = \"manual_review\"\n";

/// The state each allowed pipeline move leaves its order in: method, channel order id, state.
const MOVES: [(&str, &str, OrderState); 11] = [
    ("start_review", "TO-REVIEW", OrderState::InReview),
    ("approve", "TO-APPROVE", OrderState::Reserved),
    ("reject", "TO-REJECT", OrderState::Cancelled),
    ("hold", "TO-HOLD", OrderState::InReview),
    ("release_to_warehouse", "TO-RELEASE", OrderState::ReleasedToWarehouse),
    ("ship", "TO-SHIP", OrderState::Shipped),
    ("track", "TO-TRACK", OrderState::PickedUp),
    ("cancel", "TO-CANCEL", OrderState::Cancelled),
    ("request_return", "TO-RETURN", OrderState::ReturnRequested),
    ("complete_return", "TO-RECEIVE-BACK", OrderState::Returned),
    ("deny_return", "TO-DENY-RETURN", OrderState::Delivered),
];

/// An engine on a manual clock, so that SLA deadlines pass exactly when the fixture says and no reservation
/// expires behind the test's back.
fn open(dir: &std::path::Path) -> Engine {
    let clock = ManualClock::new(1_700_000_000_000);
    Engine::open(dir, EngineOptions::default().sync(SyncMode::None).clock(clock)).unwrap()
}

/// The key of a fixture order.
fn key(id: &str) -> String {
    format!("{CHANNEL}:{id}")
}

/// The `n`th order form: a buyer, phone and street of its own, so velocity checks never flag it.
fn form(id: &str, n: u32) -> OrderForm {
    OrderForm {
        channel: CHANNEL.into(),
        channel_order_id: id.into(),
        buyer_id: format!("buyer-{n}"),
        ship_to: Address {
            recipient: "张三".into(),
            phone: format!("138{n:08}"),
            province: "上海市".into(),
            city: "上海市".into(),
            district: "徐汇区".into(),
            detail: format!("漕溪北路{n}号"),
        },
        lines: vec![FormLine { sku: "MUG".into(), qty: 1, unit_price_minor: 100 }],
        cross_border: false,
        is_return: false,
        payment: PaymentState::Paid,
        placed_at_ms: 0,
    }
}

/// The waybill the `n`th fixture order ships with.
fn waybill(n: u32) -> String {
    format!("SF{:013}", 4_000_000_000_000 + u64::from(n))
}

/// Brings the `n`th order into `state` through an admin client, as tests/orders.rs's `order_in` does.
fn order_in(engine: &Engine, n: u32, id: &str, state: OrderState) -> String {
    use OrderState::*;
    let admin = engine.client(Role::Admin);
    let mut f = form(id, n);
    if matches!(state, Flagged | InReview) {
        f.payment = PaymentState::Unpaid;
    }
    let key = admin.intake(f).unwrap().order.key;
    let waybill = waybill(n);
    let steps: &[OrderState] = match state {
        Flagged | Reserved => &[],
        InReview => &[InReview],
        ReleasedToWarehouse => &[ReleasedToWarehouse],
        Shipped => &[ReleasedToWarehouse, Shipped],
        Delivered => &[ReleasedToWarehouse, Shipped, Delivered],
        ReturnRequested => &[ReleasedToWarehouse, Shipped, Delivered, ReturnRequested],
        other => panic!("the fixture has no order in {other}"),
    };
    for step in steps {
        match step {
            InReview => admin.start_review(&key).unwrap(),
            ReleasedToWarehouse => admin.release_to_warehouse(&key).unwrap(),
            Shipped => admin.ship(&key, "SF", &waybill).unwrap(),
            Delivered => drop(admin.track("SF", &waybill, TrackingKind::Delivered, "signed").unwrap()),
            ReturnRequested => admin.request_return(&key, "wrong colour").unwrap(),
            _ => unreachable!(),
        }
    }
    assert_eq!(admin.order(&key).unwrap().unwrap().state, state, "fixture order {id}");
    key
}

/// Ids the by-id calls need.
struct Fixture {
    sofa: SkuId,
    shanghai: WarehouseId,
    /// Open SLA tasks, one to acknowledge and one to close.
    ack_task: u64,
    close_task: u64,
    /// The waybill of the shipped order `track` reports on.
    track_waybill: String,
}

/// Two warehouses, three SKUs with stock, 5 sofas in transit, two held reservations (one to commit, one to
/// release), an order in the state each pipeline call moves from, two open SLA tasks and a blacklisted buyer, so
/// that every allowed call succeeds whatever order the calls run in.
fn stocked(engine: &Engine) -> Fixture {
    let admin = engine.client(Role::Admin);
    let shanghai = admin.add_warehouse("WH-SH", WarehouseSpec::new("310000", 1)).unwrap();
    admin.add_warehouse("WH-BJ", WarehouseSpec::new("110000", 1)).unwrap();
    let sofa = admin.add_sku("SOFA", "furniture").unwrap();
    admin.add_sku("LAMP", "lighting").unwrap();
    admin.add_sku("MUG", "home").unwrap();
    admin.set_stock("SOFA", "WH-SH", 10).unwrap();
    admin.set_stock("LAMP", "WH-BJ", 10).unwrap();
    admin.set_stock("MUG", "WH-SH", 100).unwrap();
    admin.expect_inbound("SOFA", "WH-SH", 5).unwrap();

    // Two orders wait past the review deadline (30 minutes by default): each opens a task. Everything else is
    // made after, so no other deadline passes and no reservation's TTL runs out.
    let mut keys = Vec::new();
    for (n, &(id, state)) in (1..).zip(&PIPELINE_ORDERS[..2]) {
        keys.push(order_in(engine, n, id, state));
    }
    assert!(admin.tasks().unwrap().is_empty(), "no task before the deadline");
    engine.advance_time(Duration::from_secs(30 * 60)).unwrap();
    let tasks = admin.tasks().unwrap();
    let task_of = |key: &str| tasks.iter().find(|task| task.order == key).unwrap_or_else(|| panic!("no task: {key}"));
    let (ack_task, close_task) = (task_of(&keys[0]).id, task_of(&keys[1]).id);
    assert_eq!(tasks.len(), 2, "{tasks:?}");
    assert!(tasks.iter().all(|task| task.state == TaskState::Open), "{tasks:?}");

    for (n, &(id, state)) in (3..).zip(&PIPELINE_ORDERS[2..]) {
        keys.push(order_in(engine, n, id, state));
    }
    let track = PIPELINE_ORDERS.iter().position(|&(id, _)| id == "TO-TRACK").unwrap() as u32 + 1;
    assert_eq!(admin.order(&key("TO-TRACK")).unwrap().unwrap().waybill, Some(("SF".into(), waybill(track))));
    admin.blacklist_add(BlacklistKind::Buyer, LISTED_BUYER).unwrap();
    assert_eq!(admin.tasks().unwrap(), tasks, "setting up opened or settled no other task");

    let orders = engine.client(Role::Orders);
    orders.reserve("HELD-C", &[("SOFA", 1)], &ReserveOptions::new()).unwrap();
    orders.reserve("HELD-R", &[("LAMP", 1)], &ReserveOptions::new()).unwrap();
    Fixture { sofa, shanghai, ack_task, close_task, track_waybill: waybill(track) }
}

/// Calls `method` through `client` with arguments that succeed on the stocked fixture, keeping only the outcome.
fn call(client: &Client, method: &str, fx: &Fixture) -> Result<(), Error> {
    let none = ReserveOptions::new();
    match method {
        "add_warehouse" => client.add_warehouse("WH-GZ", WarehouseSpec::new("510000", 3)).map(drop),
        "update_warehouse" => client.update_warehouse("WH-BJ", 2, true),
        "add_sku" => client.add_sku("RUG", "home").map(drop),
        "set_buffer" => client.set_buffer("SOFA", Some("WH-SH"), Some(BufferRule::Units(1))),
        "set_stock" => client.set_stock("LAMP", "WH-BJ", 12).map(drop),
        "receive" => client.receive("SOFA", "WH-SH", 3).map(drop),
        "adjust" => client.adjust("SOFA", "WH-SH", 1, "found in aisle 4").map(drop),
        "expect_inbound" => client.expect_inbound("LAMP", "WH-BJ", 4).map(drop),
        "land_inbound" => client.land_inbound("SOFA", "WH-SH", 5).map(drop),
        "reserve" => client.reserve("NEW-1", &[("SOFA", 1)], &none).map(drop),
        "reserve_by_id" => client.reserve_by_id("NEW-2", &[(fx.sofa, 1)], &none).map(drop),
        "reserve_many" => {
            let batch = [OrderRequest { order_id: "NEW-3", lines: &[("LAMP", 1)], options: none }];
            client.reserve_many(&batch)?.into_iter().try_for_each(|result| result.map(drop))
        }
        "commit" => client.commit("HELD-C").map(drop),
        "release" => client.release("HELD-R").map(drop),
        "stock" => client.stock("SOFA").map(drop),
        "stock_in_region" => client.stock_in_region("SOFA", "31").map(drop),
        "cell" => client.cell("SOFA", "WH-SH").map(drop),
        "cells" => client.cells("SOFA").map(drop),
        "reservation" => client.reservation("HELD-C").map(drop),
        "events" => client.events(0, 10).map(drop),
        "subscribe" => {
            let mut seen = 0;
            client.subscribe(0).try_for_each(|event| event.map(|_| seen += 1))?;
            assert!(seen > 0, "the fixture's events are there");
            Ok(())
        }
        "warehouses" => client.warehouses().map(drop),
        "skus" => client.skus().map(drop),
        "sku_id" => client.sku_id("SOFA").map(drop),
        "sku" => client.sku(fx.sofa).map(drop),
        "warehouse" => client.warehouse(fx.shanghai).map(drop),
        "intake" => client.intake(form("NEW-INTAKE", 50)).map(|intake| assert!(!intake.repeat, "{intake:?}")),
        "intake_payload" => client
            .intake_payload("pdd", "pdd-shop", PDD_PAYLOAD.as_bytes())
            .map(|intake| assert!(!intake.repeat, "{intake:?}")),
        "order" => client.order(&key("TO-READ")).map(|order| assert!(order.is_some(), "the order is there")),
        "orders_in" => client.orders_in(OrderState::Reserved).map(|orders| assert!(!orders.is_empty())),
        "start_review" => client.start_review(&key("TO-REVIEW")),
        "approve" => client.approve(&key("TO-APPROVE")),
        "reject" => client.reject(&key("TO-REJECT"), "fraud confirmed"),
        "hold" => client.hold(&key("TO-HOLD"), "buyer called: check the address"),
        "release_to_warehouse" => client.release_to_warehouse(&key("TO-RELEASE")),
        "ship" => client.ship(&key("TO-SHIP"), "SF", SHIP_WAYBILL),
        "track" => client
            .track("SF", &fx.track_waybill, TrackingKind::PickedUp, "collected")
            .map(|order| assert_eq!(order, key("TO-TRACK"), "the waybill's order")),
        "cancel" => client.cancel(&key("TO-CANCEL"), "buyer changed their mind"),
        "request_return" => client.request_return(&key("TO-RETURN"), "wrong colour"),
        "complete_return" => client.complete_return(&key("TO-RECEIVE-BACK"), "WH-SH"),
        "deny_return" => client.deny_return(&key("TO-DENY-RETURN"), "outside the return window"),
        "tasks" => client.tasks().map(|tasks| assert!(!tasks.is_empty(), "the fixture's tasks are open")),
        "acknowledge_task" => client.acknowledge_task(fx.ack_task).map(drop),
        "close_task" => client.close_task(fx.close_task).map(drop),
        "blacklist_add" => client.blacklist_add(BlacklistKind::Phone, "13999999999"),
        "blacklist_remove" => client.blacklist_remove(BlacklistKind::Buyer, LISTED_BUYER),
        "set_rules" => client.set_rules(RULES),
        "rules" => client.rules().map(drop),
        "rules_text" => client.rules_text().map(drop),
        "explain" => client.explain(&key("TO-READ")).map(drop),
        "dry_run_rules" => client.dry_run_rules(PROPOSED_RULES).map(|dry| assert!(dry.orders > 0, "{dry:?}")),
        other => panic!("no call for method {other:?}"),
    }
}

/// What an allowed pipeline write must have done besides reaching the log, read back through an admin client.
fn assert_effect(engine: &Engine, method: &str, fx: &Fixture) {
    let admin = engine.client(Role::Admin);
    let state_of = |key: &str| admin.order(key).unwrap().unwrap_or_else(|| panic!("{method}: no order {key}")).state;
    let task = |id: u64| admin.tasks().unwrap().into_iter().find(|task| task.id == id);
    if let Some(&(_, id, to)) = MOVES.iter().find(|(m, _, _)| *m == method) {
        assert_eq!(state_of(&key(id)), to, "{method} moves {id}");
    }
    match method {
        "intake" => assert_eq!(state_of(NEW_ORDERS[0]), OrderState::Reserved, "{method}"),
        "intake_payload" => assert_eq!(state_of(NEW_ORDERS[1]), OrderState::Reserved, "{method}"),
        "acknowledge_task" => assert_eq!(task(fx.ack_task).map(|t| t.state), Some(TaskState::Acknowledged)),
        "close_task" => assert_eq!(task(fx.close_task), None, "a closed task leaves the open list"),
        "set_rules" => assert_eq!(admin.rules_text().unwrap(), RULES),
        _ => {}
    }
}

/// Everything a call could change, read through an admin client (whose reads are never denied).
#[derive(Debug, PartialEq)]
struct State {
    last_lsn: Lsn,
    warehouses: Vec<Warehouse>,
    skus: Vec<Sku>,
    cells: Vec<(String, String, StockLevels)>,
    sku_cells: Vec<(String, Vec<(Warehouse, StockLevels)>)>,
    totals: Vec<(String, StockLevels)>,
    /// The reservations of the reserve calls' orders and of every pipeline order.
    reservations: Vec<(String, Option<Reservation>)>,
    /// Every fixture order and every order an intake call would create.
    orders: Vec<(String, Option<Order>)>,
    /// The keys of the orders in each state.
    queues: Vec<(OrderState, Vec<String>)>,
    /// The open and acknowledged tasks.
    tasks: Vec<Task>,
    /// The live rules file.
    rules: String,
    /// skus, warehouses, reservations made/held/committed/released/expired, refused, repeats, duplicates,
    /// log records appended, log bytes appended.
    counters: [u64; 12],
}

fn state(engine: &Engine) -> State {
    let admin = engine.client(Role::Admin);
    let warehouses = admin.warehouses().unwrap();
    let skus = admin.skus().unwrap();
    let mut cells = Vec::new();
    for sku in &skus {
        for warehouse in &warehouses {
            let levels = admin.cell(&sku.code, &warehouse.code).unwrap();
            cells.push((sku.code.to_string(), warehouse.code.to_string(), levels));
        }
    }
    let sku_cells = skus.iter().map(|s| (s.code.to_string(), admin.cells(&s.code).unwrap())).collect();
    let totals = skus.iter().map(|s| (s.code.to_string(), admin.stock(&s.code).unwrap())).collect();
    let order_keys: Vec<String> =
        PIPELINE_ORDERS.iter().map(|(id, _)| key(id)).chain(NEW_ORDERS.iter().map(|key| key.to_string())).collect();
    let reservations = ORDER_IDS
        .iter()
        .map(|id| id.to_string())
        .chain(order_keys.iter().cloned())
        .map(|id| {
            let reservation = admin.reservation(&id).unwrap();
            (id, reservation)
        })
        .collect();
    let orders = order_keys
        .into_iter()
        .map(|key| {
            let order = admin.order(&key).unwrap();
            (key, order)
        })
        .collect();
    let queues = OrderState::ALL
        .into_iter()
        .map(|state| {
            let mut keys: Vec<String> = admin.orders_in(state).unwrap().into_iter().map(|order| order.key).collect();
            keys.sort_unstable();
            (state, keys)
        })
        .collect();
    let m = engine.metrics().unwrap();
    State {
        last_lsn: engine.last_lsn().unwrap(),
        warehouses,
        skus,
        cells,
        sku_cells,
        totals,
        reservations,
        orders,
        queues,
        tasks: admin.tasks().unwrap(),
        rules: admin.rules_text().unwrap(),
        counters: [
            m.skus,
            m.warehouses,
            m.reservations_made,
            m.reservations_held,
            m.reservations_committed,
            m.reservations_released,
            m.reservations_expired,
            m.reserves_refused,
            m.reserve_repeats,
            m.duplicate_orders,
            m.log_records_appended,
            m.log_bytes_appended,
        ],
    }
}

fn denials(engine: &Engine) -> HashMap<(Role, Operation), u64> {
    let metrics = engine.metrics().unwrap();
    let total: u64 = metrics.permission_denied.iter().map(|&(_, _, n)| n).sum();
    assert_eq!(metrics.permission_denied_total, total, "the total is the sum of the per-operation counts");
    metrics.permission_denied.into_iter().map(|(role, operation, n)| ((role, operation), n)).collect()
}

#[test]
fn the_tables_cover_every_role_and_every_permission_checked_client_method() {
    // The roles of the policy table are exactly Role::ALL, each once.
    assert_eq!(ALLOWED.len(), Role::ALL.len());
    for role in Role::ALL {
        assert_eq!(ALLOWED.iter().filter(|(r, _)| *r == role).count(), 1, "{role} in ALLOWED");
    }
    // Every allowed name is a known method, listed once.
    for (role, methods) in ALLOWED {
        for (i, method) in methods.iter().enumerate() {
            assert!(METHODS.iter().any(|(m, _, _)| m == method), "{role}: unknown method {method}");
            assert!(!methods[..i].contains(method), "{role}: {method} listed twice");
        }
    }
    // Every operation is reachable through some method.
    for operation in Operation::ALL {
        assert!(METHODS.iter().any(|(_, op, _)| *op == operation), "no method covers {operation}");
    }
    // METHODS lists exactly the public `&self` methods of `Client` (bar the unchecked `role`, `actor` and
    // `acting_as`), so a new client call cannot escape this matrix unnoticed.
    let source = include_str!("../core/src/client.rs");
    let start = source.find("\nimpl Client {").expect("impl Client in client.rs");
    let body = &source[start..];
    let body = &body[..body.find("\n}\n").expect("end of impl Client")];
    // A signature may span several lines once formatted: look from `pub fn` to its body's `{`.
    let mut public: Vec<&str> = body
        .match_indices("pub fn ")
        .map(|(at, _)| &body[at + "pub fn ".len()..])
        .filter(|rest| rest[..rest.find('{').unwrap()].contains("&self"))
        .map(|rest| &rest[..rest.find(['(', '<']).unwrap()])
        .filter(|name| !UNCHECKED.contains(name))
        .collect();
    let mut listed: Vec<&str> = METHODS.iter().map(|(m, _, _)| *m).collect();
    public.sort_unstable();
    listed.sort_unstable();
    assert_eq!(public, listed, "METHODS must list every permission-checked method of Client");
    // The unchecked ones are public methods too (a renamed one must not silently widen the exclusion).
    for name in UNCHECKED {
        assert!(body.contains(&format!("pub fn {name}(")), "Client::{name} is gone: update UNCHECKED");
    }
}

#[test]
fn every_role_gets_exactly_the_calls_the_policy_grants() {
    // Each role on a fresh engine, calling every method in the tables' order and then (on another fresh engine) in
    // the reverse order, so that every pair of calls runs both ways round: no allowed call depends on another.
    for (role, reversed) in Role::ALL.into_iter().flat_map(|role| [(role, false), (role, true)]) {
        let dir = tempfile::tempdir().unwrap();
        let engine = open(dir.path());
        let fx = stocked(&engine);
        let client = engine.client(role);
        assert_eq!(client.role(), role);
        let mut denied_here = 0;
        let methods: Vec<&(&str, Operation, bool)> =
            if reversed { METHODS.iter().rev().collect() } else { METHODS.iter().collect() };

        for &&(method, operation, writes) in &methods {
            let before = state(&engine);
            let denied_before = denials(&engine);
            let result = call(&client, method, &fx);
            let after = state(&engine);
            let denied_after = denials(&engine);

            if allowed(role).contains(&method) {
                let order = if reversed { "reverse order" } else { "table order" };
                assert!(result.is_ok(), "{role} may call {method} ({order}), but it failed: {:?}", result.unwrap_err());
                assert_eq!(denied_after, denied_before, "{role} {method}: an allowed call counts no denial");
                if writes {
                    assert!(after.last_lsn > before.last_lsn, "{role} {method}: an allowed write reaches the log");
                    assert_effect(&engine, method, &fx);
                } else {
                    assert_eq!(after, before, "{role} {method}: a read changes nothing");
                }
            } else {
                denied_here += 1;
                let error = result.expect_err(&format!("{role} must not be able to call {method}"));
                match &error {
                    Error::PermissionDenied { role: r, operation: op } => {
                        assert_eq!((*r, *op), (role, operation), "{role} {method}: the denial names the call");
                    }
                    other => panic!("{role} {method}: expected PermissionDenied, got {other:?}"),
                }
                assert_eq!(error.code(), ErrorCode::PermissionDenied);
                assert_eq!(after, before, "{role} {method}: a denied call changes nothing");
                let mut expected = denied_before.clone();
                *expected.entry((role, operation)).or_default() += 1;
                assert_eq!(denied_after, expected, "{role} {method}: exactly ({role}, {operation}) counts one more");
            }
        }

        // The counters for this engine hold exactly this role's denials, per operation as the tables predict.
        let mut expected: HashMap<(Role, Operation), u64> = HashMap::new();
        for &(method, operation, _) in METHODS {
            if !allowed(role).contains(&method) {
                *expected.entry((role, operation)).or_default() += 1;
            }
        }
        assert_eq!(denials(&engine), expected, "{role}: denial counters");
        assert_eq!(engine.metrics().unwrap().permission_denied_total, denied_here);
        engine.check_invariants().unwrap();
        engine.close().unwrap();
    }
}

#[test]
fn a_courier_integration_cannot_touch_an_order_the_order_system_reserved() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(dir.path());
    let fx = stocked(&engine);
    let orders = engine.client(Role::Orders);
    let lines = [("SOFA", 2)];
    let held = orders.reserve("COURIER-TEST-1", &lines, &ReserveOptions::new()).unwrap();
    assert_eq!(held.state, ReservationState::Held);

    let courier = engine.client(Role::Logistics);
    let before = state(&engine);
    let denied = |result: Result<(), Error>, operation: Operation| match result {
        Err(Error::PermissionDenied { role: Role::Logistics, operation: op }) if op == operation => {}
        other => panic!("a courier {operation} must be denied, got {other:?}"),
    };
    // Re-reserving the very same order (which would be an idempotent repeat for the order system) is denied.
    denied(courier.reserve("COURIER-TEST-1", &lines, &ReserveOptions::new()).map(drop), Operation::Reserve);
    denied(
        courier.reserve_by_id("COURIER-TEST-1", &[(fx.sofa, 2)], &ReserveOptions::new()).map(drop),
        Operation::Reserve,
    );
    let batch = [OrderRequest { order_id: "COURIER-TEST-1", lines: &lines, options: ReserveOptions::new() }];
    denied(courier.reserve_many(&batch).map(drop), Operation::Reserve);
    denied(courier.commit("COURIER-TEST-1").map(drop), Operation::Commit);
    denied(courier.release("COURIER-TEST-1").map(drop), Operation::Release);
    // Not even reading the reservation or the stock it holds.
    denied(courier.reservation("COURIER-TEST-1").map(drop), Operation::ReadStock);
    denied(courier.stock("SOFA").map(drop), Operation::ReadStock);
    assert_eq!(state(&engine), before, "the courier changed nothing");

    let mut expected = HashMap::new();
    expected.insert((Role::Logistics, Operation::Reserve), 3);
    expected.insert((Role::Logistics, Operation::Commit), 1);
    expected.insert((Role::Logistics, Operation::Release), 1);
    expected.insert((Role::Logistics, Operation::ReadStock), 2);
    assert_eq!(denials(&engine), expected);

    // Of stock and reservations, the catalogue is all a courier sees.
    assert_eq!(courier.sku_id("SOFA").unwrap(), fx.sofa);
    assert_eq!(courier.warehouse(fx.shanghai).unwrap().code.as_ref(), "WH-SH");

    // A courier ships a released order and reports its parcel's pickup: shipping commits the order's stock, as
    // part of the order's move...
    let parcel = key("TO-SHIP");
    assert_eq!(orders.reservation(&parcel).unwrap().unwrap().state, ReservationState::Held);
    courier.ship(&parcel, "SF", SHIP_WAYBILL).unwrap();
    assert_eq!(courier.order(&parcel).unwrap().unwrap().state, OrderState::Shipped);
    assert_eq!(courier.track("SF", SHIP_WAYBILL, TrackingKind::PickedUp, "collected").unwrap(), parcel);
    assert_eq!(
        courier.track("SF", &fx.track_waybill, TrackingKind::InTransit, "Hangzhou hub").unwrap(),
        key("TO-TRACK")
    );
    assert_eq!(courier.order(&parcel).unwrap().unwrap().state, OrderState::PickedUp);
    assert_eq!(orders.reservation(&parcel).unwrap().unwrap().state, ReservationState::Committed);
    // ...yet it still cannot reserve, commit or release anything: not the order it just shipped, not the order
    // system's held reservation, not an order still waiting for the warehouse.
    let before = state(&engine);
    denied(courier.reserve(&parcel, &[("MUG", 1)], &ReserveOptions::new()).map(drop), Operation::Reserve);
    denied(courier.commit(&parcel).map(drop), Operation::Commit);
    denied(courier.release(&parcel).map(drop), Operation::Release);
    denied(courier.reserve("COURIER-TEST-1", &lines, &ReserveOptions::new()).map(drop), Operation::Reserve);
    denied(courier.commit("COURIER-TEST-1").map(drop), Operation::Commit);
    denied(courier.release("COURIER-TEST-1").map(drop), Operation::Release);
    denied(courier.commit(&key("TO-RELEASE")).map(drop), Operation::Commit);
    denied(courier.release(&key("TO-RELEASE")).map(drop), Operation::Release);
    assert_eq!(state(&engine), before, "the courier's denied calls changed nothing");
    expected.insert((Role::Logistics, Operation::Reserve), 5);
    expected.insert((Role::Logistics, Operation::Commit), 4);
    expected.insert((Role::Logistics, Operation::Release), 4);
    assert_eq!(denials(&engine), expected);

    // The order is still the order system's, untouched: still held, and it commits.
    assert_eq!(orders.reservation("COURIER-TEST-1").unwrap().unwrap(), held);
    let settled = orders.commit("COURIER-TEST-1").unwrap();
    assert_eq!((settled.state, settled.changed), (ReservationState::Committed, true));
    engine.check_invariants().unwrap();
    engine.close().unwrap();
}

#[test]
fn a_denied_caller_learns_it_was_denied_whatever_input_it_sent() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(dir.path());
    stocked(&engine);
    let viewer = engine.client(Role::Viewer);
    let denied = |result: Result<StockLevels, Error>, operation: Operation| {
        assert!(
            matches!(result, Err(Error::PermissionDenied { role: Role::Viewer, operation: o }) if o == operation),
            "{operation}"
        );
    };
    denied(viewer.set_stock("SOFA", "WH-SH", u64::MAX), Operation::SetStock);
    denied(viewer.receive("SOFA", "WH-SH", 0), Operation::Receive);
    denied(viewer.adjust("SOFA", "WH-SH", 0, &"x".repeat(5000)), Operation::Adjust);
    denied(viewer.expect_inbound("SOFA", "WH-SH", 0), Operation::ExpectInbound);
    denied(viewer.land_inbound("SOFA", "WH-SH", 0), Operation::LandInbound);
    assert_eq!(engine.metrics().unwrap().permission_denied_total, 5);
    engine.close().unwrap();
}

/// The same for the pipeline: whatever a denied caller sends (a broken form or payload, an empty or overlong key,
/// a note with a control character or over REASON_BYTES_MAX, a bad waybill, an unknown task or warehouse, a broken
/// rules file), it learns that it was denied and is counted, and nothing changes.
#[test]
fn a_denied_caller_of_the_pipeline_learns_it_was_denied_whatever_input_it_sent() {
    use Operation::*;
    let dir = tempfile::tempdir().unwrap();
    let engine = open(dir.path());
    stocked(&engine);
    let viewer = engine.client(Role::Viewer);
    let before = state(&engine);
    let long = "x".repeat(5000);
    let mut broken = form("", 60);
    broken.lines.clear();
    let cases: Vec<(&str, Operation, Result<(), Error>)> = vec![
        ("intake", Intake, viewer.intake(broken).map(drop)),
        ("intake_payload", Intake, viewer.intake_payload("no-such-style", "", b"{not json").map(drop)),
        ("start_review", Review, viewer.start_review("")),
        ("approve", Review, viewer.approve(&long)),
        ("reject", Review, viewer.reject(&key("TO-REJECT"), "\u{0}")),
        ("hold", Review, viewer.hold(&key("TO-HOLD"), &long)),
        ("release_to_warehouse", ReleaseOrder, viewer.release_to_warehouse("")),
        ("ship", Ship, viewer.ship(&key("TO-SHIP"), "SF", "1234")),
        ("track", Track, viewer.track("SF", "1234", TrackingKind::Delivered, "\u{7}").map(drop)),
        ("cancel", CancelOrder, viewer.cancel(&key("TO-CANCEL"), &long)),
        ("request_return", Returns, viewer.request_return(&key("TO-RETURN"), "\u{0}")),
        ("complete_return", Returns, viewer.complete_return(&key("TO-RECEIVE-BACK"), "NO-SUCH-WAREHOUSE")),
        ("deny_return", Returns, viewer.deny_return(&key("TO-DENY-RETURN"), &long)),
        ("acknowledge_task", Tasks, viewer.acknowledge_task(u64::MAX).map(drop)),
        ("close_task", Tasks, viewer.close_task(u64::MAX).map(drop)),
        ("blacklist_add", ManageBlacklist, viewer.blacklist_add(BlacklistKind::Phone, "")),
        ("blacklist_remove", ManageBlacklist, viewer.blacklist_remove(BlacklistKind::Address, &long)),
        ("set_rules", ManageRules, viewer.set_rules("default_path = \"nowhere\"\n")),
        ("dry_run_rules", ManageRules, viewer.dry_run_rules("[[[").map(drop)),
    ];
    assert_eq!(state(&engine), before, "a denied call changes nothing");
    let mut expected: HashMap<(Role, Operation), u64> = HashMap::new();
    let mut not_denied = Vec::new();
    for (method, operation, result) in cases {
        *expected.entry((Role::Viewer, operation)).or_default() += 1;
        match result {
            Err(Error::PermissionDenied { role: Role::Viewer, operation: op }) if op == operation => {}
            other => not_denied.push(format!("{method}: expected PermissionDenied({operation}), got {other:?}")),
        }
    }
    assert!(not_denied.is_empty(), "the role must be checked before the input:\n{}", not_denied.join("\n"));
    assert_eq!(denials(&engine), expected);
    engine.close().unwrap();
}
