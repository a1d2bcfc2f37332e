//! Proves the permission matrix: every role calling every client method is allowed or refused exactly as the
//! hand-written policy below says, and a refusal names the role and operation, changes nothing and is counted once.

use std::collections::HashMap;

use allot_core::{
    BufferRule, Client, Engine, EngineOptions, Error, ErrorCode, Lsn, Operation, OrderRequest, Reservation,
    ReservationState, ReserveOptions, Role, Sku, SkuId, StockLevels, SyncMode, Warehouse, WarehouseId, WarehouseSpec,
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
    ("warehouses", Operation::ReadCatalogue, false),
    ("skus", Operation::ReadCatalogue, false),
    ("sku_id", Operation::ReadCatalogue, false),
    ("sku", Operation::ReadCatalogue, false),
    ("warehouse", Operation::ReadCatalogue, false),
];

/// The policy, written out by hand: what each role may call, grouped as catalogue writes, stock movements,
/// reservations, stock reads and catalogue reads. Everything not listed is denied.
#[rustfmt::skip]
const ALLOWED: &[(Role, &[&str])] = &[
    (Role::Admin, &[
        "add_warehouse", "update_warehouse", "add_sku", "set_buffer",
        "set_stock", "receive", "adjust", "expect_inbound", "land_inbound",
        "reserve", "reserve_by_id", "reserve_many", "commit", "release",
        "stock", "stock_in_region", "cell", "cells", "reservation", "events",
        "warehouses", "skus", "sku_id", "sku", "warehouse",
    ]),
    (Role::Orders, &[
        "reserve", "reserve_by_id", "reserve_many", "commit", "release",
        "stock", "stock_in_region", "cell", "cells", "reservation", "events",
        "warehouses", "skus", "sku_id", "sku", "warehouse",
    ]),
    (Role::Warehouse, &[
        "set_stock", "receive", "adjust", "expect_inbound", "land_inbound",
        "stock", "stock_in_region", "cell", "cells", "reservation", "events",
        "warehouses", "skus", "sku_id", "sku", "warehouse",
    ]),
    (Role::Logistics, &[
        "warehouses", "skus", "sku_id", "sku", "warehouse",
    ]),
    (Role::Viewer, &[
        "stock", "stock_in_region", "cell", "cells", "reservation", "events",
        "warehouses", "skus", "sku_id", "sku", "warehouse",
    ]),
];

const ORDER_IDS: [&str; 6] = ["HELD-C", "HELD-R", "NEW-1", "NEW-2", "NEW-3", "COURIER-TEST-1"];

fn allowed(role: Role) -> &'static [&'static str] {
    ALLOWED.iter().find(|(r, _)| *r == role).unwrap_or_else(|| panic!("{role} is missing from ALLOWED")).1
}

fn open(dir: &std::path::Path) -> Engine {
    Engine::open(dir, EngineOptions::default().sync(SyncMode::None)).unwrap()
}

/// Ids the by-id calls need.
struct Fixture {
    sofa: SkuId,
    shanghai: WarehouseId,
}

/// Two warehouses, two SKUs with stock, 5 sofas in transit, and two held orders (one to commit, one to release),
/// so that every allowed call succeeds whatever order the calls run in.
fn stocked(engine: &Engine) -> Fixture {
    let admin = engine.client(Role::Admin);
    let shanghai = admin.add_warehouse("WH-SH", WarehouseSpec::new("310000", 1)).unwrap();
    admin.add_warehouse("WH-BJ", WarehouseSpec::new("110000", 1)).unwrap();
    let sofa = admin.add_sku("SOFA", "furniture").unwrap();
    admin.add_sku("LAMP", "lighting").unwrap();
    admin.set_stock("SOFA", "WH-SH", 10).unwrap();
    admin.set_stock("LAMP", "WH-BJ", 10).unwrap();
    admin.expect_inbound("SOFA", "WH-SH", 5).unwrap();
    let orders = engine.client(Role::Orders);
    orders.reserve("HELD-C", &[("SOFA", 1)], &ReserveOptions::new()).unwrap();
    orders.reserve("HELD-R", &[("LAMP", 1)], &ReserveOptions::new()).unwrap();
    Fixture { sofa, shanghai }
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
        "warehouses" => client.warehouses().map(drop),
        "skus" => client.skus().map(drop),
        "sku_id" => client.sku_id("SOFA").map(drop),
        "sku" => client.sku(fx.sofa).map(drop),
        "warehouse" => client.warehouse(fx.shanghai).map(drop),
        other => panic!("no call for method {other:?}"),
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
    reservations: Vec<(&'static str, Option<Reservation>)>,
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
    let reservations = ORDER_IDS.iter().map(|&id| (id, admin.reservation(id).unwrap())).collect();
    let m = engine.metrics();
    State {
        last_lsn: engine.last_lsn(),
        warehouses,
        skus,
        cells,
        sku_cells,
        totals,
        reservations,
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
    let metrics = engine.metrics();
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
    // METHODS lists exactly the public `&self` methods of `Client` (bar `role`), so a new client call cannot
    // escape this matrix unnoticed.
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
        .filter(|name| *name != "role")
        .collect();
    let mut listed: Vec<&str> = METHODS.iter().map(|(m, _, _)| *m).collect();
    public.sort_unstable();
    listed.sort_unstable();
    assert_eq!(public, listed, "METHODS must list every permission-checked method of Client");
}

#[test]
fn every_role_gets_exactly_the_calls_the_policy_grants() {
    for role in Role::ALL {
        let dir = tempfile::tempdir().unwrap();
        let engine = open(dir.path());
        let fx = stocked(&engine);
        let client = engine.client(role);
        assert_eq!(client.role(), role);
        let mut denied_here = 0;

        for &(method, operation, writes) in METHODS {
            let before = state(&engine);
            let denied_before = denials(&engine);
            let result = call(&client, method, &fx);
            let after = state(&engine);
            let denied_after = denials(&engine);

            if allowed(role).contains(&method) {
                assert!(result.is_ok(), "{role} may call {method}, but it failed: {:?}", result.unwrap_err());
                assert_eq!(denied_after, denied_before, "{role} {method}: an allowed call counts no denial");
                if writes {
                    assert!(after.last_lsn > before.last_lsn, "{role} {method}: an allowed write reaches the log");
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
        assert_eq!(engine.metrics().permission_denied_total, denied_here);
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

    // The catalogue is all a courier sees.
    assert_eq!(courier.sku_id("SOFA").unwrap(), fx.sofa);
    assert_eq!(courier.warehouse(fx.shanghai).unwrap().code.as_ref(), "WH-SH");

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
    assert_eq!(engine.metrics().permission_denied_total, 5);
    engine.close().unwrap();
}
