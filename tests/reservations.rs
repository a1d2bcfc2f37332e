//! Proves the reservation semantics through the public API: all-or-nothing, warehouse choice,
//! idempotency by order id, commit/release/expiry transitions, buffers, in-transit stock, and
//! that every one of them survives closing and reopening the data directory.

use std::sync::Arc;
use std::time::Duration;

use allot_core::{
    BufferRule, Engine, EngineOptions, Error, ManualClock, ReservationState, ReserveOptions, Role, SyncMode,
    WarehouseSpec,
};

fn options(clock: &Arc<ManualClock>) -> EngineOptions {
    EngineOptions::default().sync(SyncMode::None).clock(clock.clone()).segment_bytes(256 * 1024)
}

/// Two warehouses (Shanghai, Beijing) and three SKUs.
fn stocked(dir: &std::path::Path, clock: &Arc<ManualClock>) -> Engine {
    let engine = Engine::open(dir, options(clock)).unwrap();
    let admin = engine.client(Role::Admin);
    admin.add_warehouse("WH-SH", WarehouseSpec::new("310000", 1)).unwrap();
    admin.add_warehouse("WH-BJ", WarehouseSpec::new("110000", 1)).unwrap();
    for sku in ["SOFA", "LAMP", "RUG"] {
        admin.add_sku(sku, "home").unwrap();
    }
    admin.set_stock("SOFA", "WH-SH", 5).unwrap();
    admin.set_stock("SOFA", "WH-BJ", 5).unwrap();
    admin.set_stock("LAMP", "WH-BJ", 3).unwrap();
    admin.set_stock("RUG", "WH-SH", 1).unwrap();
    engine
}

#[test]
fn reserve_takes_every_line_or_none_and_prefers_one_near_warehouse() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(1_000);
    let engine = stocked(dir.path(), &clock);
    let orders = engine.client(Role::Orders);

    let near_sh = ReserveOptions::new().ship_to("310104");
    let sofa = orders.reserve("O-1", &[("SOFA", 2)], &near_sh).unwrap();
    assert_eq!(orders.warehouse(sofa.lines[0].warehouse).unwrap().code.as_ref(), "WH-SH");

    // SOFA and LAMP together only fit in Beijing, even for a Shanghai address.
    let both = orders.reserve("O-2", &[("SOFA", 1), ("LAMP", 1)], &near_sh).unwrap();
    assert!(both.lines.iter().all(|l| l.warehouse == orders.warehouse(both.lines[0].warehouse).unwrap().id));
    assert_eq!(orders.warehouse(both.lines[0].warehouse).unwrap().code.as_ref(), "WH-BJ");

    // RUG (Shanghai only) with LAMP (Beijing only): refused whole unless splitting is allowed.
    let refused = orders.reserve("O-3", &[("RUG", 1), ("LAMP", 1)], &near_sh).unwrap_err();
    assert!(matches!(refused, Error::InsufficientStock { .. }), "{refused}");
    assert_eq!(orders.stock("RUG").unwrap().reserved, 0, "a refused order holds nothing");
    assert_eq!(orders.reservation("O-3").unwrap(), None);
    let split = orders.reserve("O-3", &[("RUG", 1), ("LAMP", 1)], &near_sh.allow_split(true)).unwrap();
    assert_eq!(split.lines.len(), 2);

    // Asking for more than exists anywhere names the SKU and what is available.
    let error = orders.reserve("O-4", &[("LAMP", 9)], &near_sh.allow_split(true)).unwrap_err();
    let Error::InsufficientStock { sku, requested, available, .. } = &error else { panic!("{error}") };
    assert_eq!((sku.as_str(), *requested, *available), ("LAMP", 9, 1));
    engine.close().unwrap();
}

#[test]
fn the_same_order_id_is_one_reservation() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(0);
    let engine = stocked(dir.path(), &clock);
    let orders = engine.client(Role::Orders);
    let first = orders.reserve("O-1", &[("SOFA", 1), ("SOFA", 2)], &ReserveOptions::new()).unwrap();
    assert!(!first.repeat);
    assert_eq!(first.lines.iter().map(|l| l.qty).sum::<u32>(), 3, "duplicate SKUs are summed");
    let again = orders.reserve("O-1", &[("SOFA", 3)], &ReserveOptions::new()).unwrap();
    assert!(again.repeat);
    assert_eq!(again.lsn, first.lsn);
    assert_eq!(orders.stock("SOFA").unwrap().reserved, 3, "a repeat holds nothing new");
    let error = orders.reserve("O-1", &[("SOFA", 4)], &ReserveOptions::new()).unwrap_err();
    assert!(matches!(error, Error::DuplicateOrder { .. }), "{error}");
    engine.close().unwrap();
}

#[test]
fn commit_release_and_expiry_follow_the_lifecycle() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(0);
    let engine = stocked(dir.path(), &clock);
    let orders = engine.client(Role::Orders);
    let ttl = ReserveOptions::new().ttl_ms(60_000);
    orders.reserve("C", &[("SOFA", 2)], &ttl).unwrap();
    orders.reserve("R", &[("SOFA", 1)], &ttl).unwrap();
    orders.reserve("E", &[("SOFA", 1)], &ttl).unwrap();

    let committed = orders.commit("C").unwrap();
    assert_eq!((committed.state, committed.changed), (ReservationState::Committed, true));
    assert!(!orders.commit("C").unwrap().changed, "committing twice is harmless");
    let error = orders.release("C").unwrap_err();
    assert!(matches!(error, Error::IllegalTransition { from: "committed", to: "released", .. }), "{error}");

    assert!(orders.release("R").unwrap().changed);
    assert!(!orders.release("R").unwrap().changed);
    assert!(matches!(orders.commit("R").unwrap_err(), Error::IllegalTransition { from: "released", .. }));

    assert_eq!(engine.advance_time(Duration::from_millis(59_999)).unwrap(), 0);
    assert_eq!(engine.advance_time(Duration::from_millis(1)).unwrap(), 1);
    assert_eq!(orders.reservation("E").unwrap().unwrap().state, ReservationState::Expired);
    assert!(matches!(orders.commit("E").unwrap_err(), Error::IllegalTransition { from: "expired", .. }));
    assert_eq!(orders.release("E").unwrap().state, ReservationState::Expired);
    assert!(matches!(orders.commit("nope").unwrap_err(), Error::UnknownOrder { .. }));

    let sofa = orders.stock("SOFA").unwrap();
    assert_eq!((sofa.on_hand, sofa.reserved, sofa.available), (8, 0, 8));
    engine.close().unwrap();
}

#[test]
fn an_overdue_reservation_is_expired_by_the_commit_that_finds_it() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(0);
    let engine = stocked(dir.path(), &clock);
    let orders = engine.client(Role::Orders);
    orders.reserve("late", &[("RUG", 1)], &ReserveOptions::new().ttl_ms(10)).unwrap();
    clock.advance_ms(10); // no sweep ran yet
    let error = orders.commit("late").unwrap_err();
    assert!(matches!(error, Error::IllegalTransition { from: "expired", to: "committed", .. }), "{error}");
    assert_eq!(orders.stock("RUG").unwrap().available, 1);
    engine.close().unwrap();
}

#[test]
fn buffers_and_inbound_stock_shape_what_is_available() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(0);
    let engine = stocked(dir.path(), &clock);
    let admin = engine.client(Role::Admin);
    admin.set_buffer("SOFA", None, Some(BufferRule::Percent(20))).unwrap(); // 1 of 5 in each
    admin.set_buffer("SOFA", Some("WH-BJ"), Some(BufferRule::Units(3))).unwrap();
    let sofa = admin.stock("SOFA").unwrap();
    assert_eq!((sofa.buffer, sofa.available), (4, 6));
    assert_eq!(admin.stock_in_region("SOFA", "31").unwrap().available, 4);

    admin.expect_inbound("LAMP", "WH-SH", 10).unwrap();
    assert_eq!(admin.stock("LAMP").unwrap().in_transit, 10);
    assert!(admin.land_inbound("LAMP", "WH-SH", 11).is_err());
    let landed = admin.land_inbound("LAMP", "WH-SH", 10).unwrap();
    assert_eq!((landed.on_hand, landed.in_transit), (10, 0));

    let orders = engine.client(Role::Orders);
    orders.reserve("O", &[("RUG", 1)], &ReserveOptions::new()).unwrap();
    let error = admin.adjust("RUG", "WH-SH", -1, "damaged").unwrap_err();
    assert!(matches!(error, Error::InsufficientStock { .. }), "reserved units cannot be written off: {error}");
    admin.adjust("RUG", "WH-SH", 2, "found in aisle 4").unwrap();
    assert_eq!(admin.stock("RUG").unwrap().on_hand, 3);
    engine.close().unwrap();
}

#[test]
fn everything_survives_a_reopen_with_and_without_a_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(0);
    let engine = stocked(dir.path(), &clock);
    let orders = engine.client(Role::Orders);
    orders.reserve("A", &[("SOFA", 2), ("RUG", 1)], &ReserveOptions::new().ttl_ms(1_000)).unwrap();
    orders.reserve("B", &[("LAMP", 1)], &ReserveOptions::new()).unwrap();
    orders.commit("B").unwrap();
    engine.close().unwrap();

    let snapshot = |engine: &Engine| {
        let viewer = engine.client(Role::Viewer);
        let levels: Vec<_> = ["SOFA", "LAMP", "RUG"].iter().map(|s| viewer.stock(s).unwrap()).collect();
        (levels, viewer.reservation("A").unwrap(), viewer.reservation("B").unwrap())
    };
    let engine = Engine::open(dir.path(), options(&clock)).unwrap();
    assert!(engine.recovery().records_replayed > 0);
    let before = snapshot(&engine);
    engine.checkpoint().unwrap();
    engine.close().unwrap();

    let engine = Engine::open(dir.path(), options(&clock)).unwrap();
    assert!(engine.recovery().checkpoint_lsn > 0);
    assert_eq!(engine.recovery().records_replayed, 0);
    assert_eq!(snapshot(&engine), before);
    // The restored expiry queue still fires.
    assert_eq!(engine.advance_time(Duration::from_secs(1)).unwrap(), 1);
    engine.check_invariants().unwrap();
    engine.close().unwrap();

    let engine = Engine::open(dir.path(), options(&clock)).unwrap();
    assert_eq!(engine.client(Role::Viewer).reservation("A").unwrap().unwrap().state, ReservationState::Expired);
    engine.close().unwrap();
}

#[test]
fn bad_input_is_a_typed_error_that_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(0);
    let engine = stocked(dir.path(), &clock);
    let admin = engine.client(Role::Admin);
    let before = engine.last_lsn().unwrap();
    let long = "x".repeat(65);
    let cases: Vec<(Error, &str)> = vec![
        (admin.add_sku("", "c").unwrap_err(), "invalid_input"),
        (admin.add_sku("has space", "c").unwrap_err(), "invalid_input"),
        (admin.add_sku(&long, "c").unwrap_err(), "limit_exceeded"),
        (admin.add_sku("SOFA", "c").unwrap_err(), "already_exists"),
        (admin.receive("SOFA", "WH-SH", 0).unwrap_err(), "invalid_input"),
        (admin.receive("NOPE", "WH-SH", 1).unwrap_err(), "unknown_sku"),
        (admin.receive("SOFA", "WH-NOPE", 1).unwrap_err(), "unknown_warehouse"),
        (admin.set_buffer("SOFA", None, Some(BufferRule::Percent(101))).unwrap_err(), "invalid_input"),
        (admin.reserve("O", &[], &ReserveOptions::new()).unwrap_err(), "invalid_input"),
        (admin.reserve("O", &[("SOFA", 0)], &ReserveOptions::new()).unwrap_err(), "invalid_input"),
        (admin.reserve("O", &[("SOFA", 1_000_000_001)], &ReserveOptions::new()).unwrap_err(), "limit_exceeded"),
        (admin.reserve(&long, &[("SOFA", 1)], &ReserveOptions::new()).unwrap_err(), "limit_exceeded"),
        (admin.reserve("O", &[("SOFA", 1)], &ReserveOptions::new().ttl_ms(0)).unwrap_err(), "invalid_input"),
        (admin.reserve("O\n", &[("SOFA", 1)], &ReserveOptions::new()).unwrap_err(), "invalid_input"),
        (admin.release("never").unwrap_err(), "unknown_order"),
    ];
    for (error, code) in cases {
        assert_eq!(error.code().name(), code, "{error}");
    }
    assert_eq!(engine.last_lsn().unwrap(), before, "no failed call wrote anything");
    engine.close().unwrap();
}

#[test]
fn a_closed_engine_refuses_every_call() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(0);
    let engine = stocked(dir.path(), &clock);
    let orders = engine.client(Role::Orders);
    engine.close().unwrap();
    assert!(matches!(orders.stock("SOFA").unwrap_err(), Error::Closed));
    assert!(matches!(orders.reserve("O", &[("SOFA", 1)], &ReserveOptions::new()).unwrap_err(), Error::Closed));
    assert!(matches!(engine.checkpoint().unwrap_err(), Error::Closed));
    // The directory lock was released: the directory opens again.
    Engine::open(dir.path(), options(&clock)).unwrap().close().unwrap();
}

/// A region distance that can hold a reserve mid-flight (after it passed its permission check,
/// before it appends) or make it panic, to test what happens around such calls.
#[derive(Debug, Default)]
struct Gate {
    inside: std::sync::Mutex<bool>,
    release: std::sync::Condvar,
    open: std::sync::Mutex<bool>,
}

impl allot_core::RegionDistance for Gate {
    fn distance(&self, ship_to: &str, _: &str) -> u32 {
        if ship_to == "PANIC" {
            panic!("a distance function failed");
        }
        if ship_to == "HOLD" {
            *self.inside.lock().unwrap() = true;
            self.release.notify_all();
            let mut open = self.open.lock().unwrap();
            while !*open {
                open = self.release.wait(open).unwrap();
            }
        }
        0
    }
}

#[test]
fn a_call_in_flight_when_the_engine_closes_is_refused_not_lost() {
    let dir = tempfile::tempdir().unwrap();
    let gate = Arc::new(Gate::default());
    let options = EngineOptions::default().sync(SyncMode::Always).region_distance(gate.clone());
    let engine = Engine::open(dir.path(), options.clone()).unwrap();
    let admin = engine.client(Role::Admin);
    admin.add_warehouse("W", WarehouseSpec::new("310000", 1)).unwrap();
    admin.add_sku("SOFA", "c").unwrap();
    admin.set_stock("SOFA", "W", 5).unwrap();
    let orders = engine.client(Role::Orders);
    let in_flight =
        std::thread::spawn(move || orders.reserve("LATE", &[("SOFA", 1)], &ReserveOptions::new().ship_to("HOLD")));
    {
        let mut inside = gate.inside.lock().unwrap();
        while !*inside {
            inside = gate.release.wait(inside).unwrap();
        }
    }
    engine.close().unwrap();
    // The directory is free again: a second engine opens it while the first call is mid-way.
    let reopened = Engine::open(dir.path(), EngineOptions::default().sync(SyncMode::Always)).unwrap();
    *gate.open.lock().unwrap() = true;
    gate.release.notify_all();
    let answer = in_flight.join().unwrap();
    assert!(matches!(answer, Err(Error::Closed)), "{answer:?}");
    assert_eq!(reopened.client(Role::Viewer).reservation("LATE").unwrap(), None);
    reopened.close().unwrap();
}

#[test]
fn a_panic_inside_a_reserve_leaves_no_claim_behind() {
    let gate = Arc::new(Gate::default());
    let engine =
        Engine::open_in_memory(EngineOptions::default().sync(SyncMode::None).region_distance(gate.clone())).unwrap();
    let admin = engine.client(Role::Admin);
    admin.add_warehouse("W", WarehouseSpec::new("310000", 1)).unwrap();
    admin.add_sku("SOFA", "c").unwrap();
    admin.set_stock("SOFA", "W", 5).unwrap();
    let orders = engine.client(Role::Orders);
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        orders.reserve("O", &[("SOFA", 1)], &ReserveOptions::new().ship_to("PANIC"))
    }));
    assert!(panicked.is_err());
    engine.check_invariants().unwrap();
    let retried = orders.reserve("O", &[("SOFA", 1)], &ReserveOptions::new()).unwrap();
    assert!(!retried.repeat, "the panicked call held nothing");
    assert_eq!(orders.stock("SOFA").unwrap().reserved, 1);
}

#[test]
fn settled_orders_are_forgotten_after_the_retention_window() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(0);
    let day_ms = 24 * 3600 * 1000;
    let options = options(&clock).settled_retention_ms(Some(7 * day_ms));
    let engine = Engine::open(dir.path(), options.clone()).unwrap();
    let admin = engine.client(Role::Admin);
    admin.add_warehouse("W", WarehouseSpec::new("310000", 1)).unwrap();
    admin.add_sku("SOFA", "c").unwrap();
    admin.set_stock("SOFA", "W", 10).unwrap();
    let orders = engine.client(Role::Orders);
    orders.reserve("OLD", &[("SOFA", 1)], &ReserveOptions::new().ttl_ms(day_ms)).unwrap();
    orders.commit("OLD").unwrap();
    orders.reserve("HELD", &[("SOFA", 1)], &ReserveOptions::new().ttl_ms(30 * day_ms)).unwrap();
    clock.advance_ms(6 * day_ms);
    engine.checkpoint().unwrap();
    assert!(orders.reserve("OLD", &[("SOFA", 1)], &ReserveOptions::new()).unwrap().repeat, "still remembered");
    clock.advance_ms(2 * day_ms);
    engine.checkpoint().unwrap();
    assert_eq!(orders.reservation("OLD").unwrap(), None, "forgotten after 7 days");
    assert_eq!(orders.reservation("HELD").unwrap().unwrap().state, ReservationState::Held, "held ones stay");
    let made_before = engine.metrics().unwrap().reservations_made;
    engine.close().unwrap();

    let engine = Engine::open(dir.path(), options).unwrap();
    let orders = engine.client(Role::Orders);
    assert_eq!(orders.reservation("OLD").unwrap(), None);
    assert_eq!(engine.metrics().unwrap().reservations_made, made_before, "the count survives the checkpoint");
    let again = orders.reserve("OLD", &[("SOFA", 2)], &ReserveOptions::new()).unwrap();
    assert!(!again.repeat, "a forgotten order id starts a new reservation");
    engine.check_invariants().unwrap();
    engine.close().unwrap();
}

#[test]
fn extreme_arguments_are_refused_or_saturate_without_panicking() {
    let clock = ManualClock::new(5);
    let engine = Engine::open_in_memory(EngineOptions::default().sync(SyncMode::None).clock(clock.clone())).unwrap();
    let admin = engine.client(Role::Admin);
    admin.add_warehouse("W", WarehouseSpec::new("310000", 1)).unwrap();
    admin.add_sku("SOFA", "c").unwrap();
    engine.advance_time(Duration::MAX).unwrap();
    assert_eq!(engine.now_ms().unwrap(), u64::MAX, "time saturates instead of wrapping");
    let sku = admin.sku_id("SOFA").unwrap();
    let lines = vec![(sku, 1); 60_000];
    let error = admin.reserve_by_id("BIG", &lines, &ReserveOptions::new()).unwrap_err();
    assert!(matches!(error, Error::LimitExceeded { limit: "ORDER_LINES_MAX", .. }), "{error}");
    let error = admin.set_stock("SOFA", "W", u64::MAX).unwrap_err();
    assert!(matches!(error, Error::LimitExceeded { .. }), "{error}");
}

#[test]
fn events_follow_the_log_and_resume_from_a_cursor_across_restarts() {
    use allot_core::log::{Record, Settlement};
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(0);
    let options = options(&clock).sync(SyncMode::Always);
    let engine = Engine::open(dir.path(), options.clone()).unwrap();
    let admin = engine.client(Role::Admin);
    admin.add_warehouse("W", WarehouseSpec::new("310000", 1)).unwrap();
    admin.add_sku("SOFA", "c").unwrap();
    admin.set_stock("SOFA", "W", 10).unwrap();
    let orders = engine.client(Role::Orders);
    orders.reserve("A", &[("SOFA", 2)], &ReserveOptions::new()).unwrap();
    orders.commit("A").unwrap();

    let viewer = engine.client(Role::Viewer);
    let first = viewer.events(0, 3).unwrap();
    assert_eq!(first.iter().map(|e| e.lsn).collect::<Vec<_>>(), vec![1, 2, 3]);
    assert!(matches!(first[0].record, Record::AddWarehouse { .. }));
    let rest = viewer.events(first[2].lsn, 100).unwrap();
    assert_eq!(rest.len(), 2);
    assert!(matches!(&rest[0].record, Record::Reserve { order, .. } if order == "A"));
    assert!(matches!(&rest[1].record, Record::Settle { settlement: Settlement::Commit, .. }));
    assert!(viewer.events(rest[1].lsn, 100).unwrap().is_empty(), "nothing new yet");
    let cursor = rest[1].lsn;
    assert!(matches!(engine.client(Role::Logistics).events(0, 10), Err(Error::PermissionDenied { .. })));
    assert!(matches!(viewer.events(0, 0), Err(Error::LimitExceeded { .. })));
    engine.close().unwrap();

    // After a restart the subscriber resumes from its cursor: nothing lost, nothing repeated.
    let engine = Engine::open(dir.path(), options.clone()).unwrap();
    engine.client(Role::Orders).reserve("B", &[("SOFA", 1)], &ReserveOptions::new()).unwrap();
    let resumed = engine.client(Role::Viewer).events(cursor, 100).unwrap();
    assert_eq!(resumed.len(), 1);
    assert!(matches!(&resumed[0].record, Record::Reserve { order, .. } if order == "B"));
    assert_eq!(resumed[0].lsn, cursor + 1);

    // A checkpoint removes what it covers; a cursor from before it has expired.
    for n in 0..3000 {
        engine.client(Role::Warehouse).receive("SOFA", "W", 1).unwrap();
        if n == 2000 {
            engine.checkpoint().unwrap();
        }
    }
    engine.checkpoint().unwrap();
    let error = engine.client(Role::Viewer).events(cursor, 10).unwrap_err();
    assert!(matches!(error, Error::CursorExpired { .. }), "{error}");
    engine.close().unwrap();
}

#[test]
fn an_engine_in_memory_serves_its_recent_events() {
    let engine = Engine::open_in_memory(EngineOptions::default().sync(SyncMode::None)).unwrap();
    let admin = engine.client(Role::Admin);
    admin.add_warehouse("W", WarehouseSpec::new("310000", 1)).unwrap();
    admin.add_sku("SOFA", "c").unwrap();
    let events = admin.events(0, 10).unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(admin.events(1, 10).unwrap()[0].lsn, 2);
}
