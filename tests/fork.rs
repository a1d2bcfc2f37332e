//! Proves that an engine belongs to the process that opened it: a child made by `fork()` while
//! the engine is open gets `WrongProcess` from every public method of the `Engine` and the
//! `Client`s it inherited (a reserve with sync `Always` is refused, never acknowledged), and its
//! `close` and drops touch nothing; the parent carries on as if there had been no child (its
//! data directory is byte for byte what it was), a reopen finds the parent's orders and none of
//! the child's, and an engine the child opens itself works there.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use allot_core::order::{BlacklistKind, OrderState, TrackingKind, adapt};
use allot_core::{
    BufferRule, Engine, EngineOptions, Error, ManualClock, OrderRequest, ReserveOptions, Role, SyncMode, WarehouseSpec,
};

const START_MS: u64 = 1_700_000_000_000;

/// A child's exit code when its body panicked (its message is lost with the child's captured
/// output, so each body says what failed through its exit code or a report file instead).
const CHILD_PANICKED: i32 = 101;

const PDD: &str = r#"{"order_sn": "231120-123456789012345", "buyer_id": 88812, "pay_status": 1,
  "receiver_name": "陈晨", "receiver_phone": "13600001111", "province": "上海市", "city": "上海市", "town": "徐汇区",
  "address": "漕溪北路88号", "item_list": [{"outer_sku_id": "SOFA", "goods_count": 1, "goods_price": 1250}]}"#;
const PDD_KEY: &str = "pdd-shop:231120-123456789012345";

fn options(clock: &Arc<ManualClock>) -> EngineOptions {
    EngineOptions::default().sync(SyncMode::Always).clock(clock.clone()).segment_bytes(1 << 20)
}

/// An engine on `dir` with one warehouse and one SKU, 100 units of it.
fn stocked(dir: &Path, clock: &Arc<ManualClock>) -> Engine {
    let engine = Engine::open(dir, options(clock)).unwrap();
    let admin = engine.client(Role::Admin);
    admin.add_warehouse("WH-SH", WarehouseSpec::new("310000", 1)).unwrap();
    admin.add_sku("SOFA", "furniture").unwrap();
    admin.set_stock("SOFA", "WH-SH", 100).unwrap();
    engine
}

fn one_sofa() -> [(&'static str, u32); 1] {
    [("SOFA", 1)]
}

/// Every file of a data directory, by name, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            (entry.file_name().to_string_lossy().into_owned(), fs::read(entry.path()).unwrap())
        })
        .collect()
}

/// Runs `body` in a child made by `fork()` and returns the child's exit code. The child ends
/// with `_exit`, so nothing it inherited (the test harness, other tests' engines) is torn down
/// there.
fn in_forked_child(body: impl FnOnce() -> i32) -> i32 {
    // SAFETY: the child runs only `body` and `_exit`. Other test threads may hold locks at the
    // fork; the bodies touch none of their state, and allocation is fork-safe in glibc.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork: {}", std::io::Error::last_os_error());
    if pid == 0 {
        let code = std::panic::catch_unwind(AssertUnwindSafe(body)).unwrap_or(CHILD_PANICKED);
        // SAFETY: ends the child at once, without running the parent's exit handlers.
        unsafe { libc::_exit(code) }
    }
    let mut status = 0;
    // SAFETY: waits for our own child and writes its status into a local.
    let waited = unsafe { libc::waitpid(pid, &mut status, 0) };
    assert_eq!(waited, pid, "waitpid: {}", std::io::Error::last_os_error());
    assert!(libc::WIFEXITED(status), "the child did not exit normally (status {status:#x})");
    libc::WEXITSTATUS(status)
}

#[test]
fn a_forked_child_cannot_reserve_and_the_parent_never_notices() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(START_MS);
    let engine = stocked(dir.path(), &clock);
    let orders = engine.client(Role::Orders);
    orders.reserve("PARENT-1", &one_sofa(), &ReserveOptions::new()).unwrap();
    let parent = std::process::id();
    let before = files(dir.path());
    let last_lsn = engine.last_lsn().unwrap();

    // The child's own handles (the closure is dropped unused in the parent).
    let (child_engine, child_orders) = (engine.clone(), orders.clone());
    let code = in_forked_child(move || {
        let (engine, orders) = (child_engine, child_orders);
        match orders.reserve("CHILD-1", &one_sofa(), &ReserveOptions::new()) {
            Err(Error::WrongProcess { opened_by, caller }) if opened_by == parent && caller == std::process::id() => {}
            Err(Error::WrongProcess { .. }) => return 2,
            _ => return 1,
        }
        if !matches!(engine.close(), Err(Error::WrongProcess { .. })) {
            return 3;
        }
        // Still refused after the failed close (which closed nothing), and dropping every
        // handle returns at once: no flush, no join of a worker the child does not have.
        if !matches!(orders.stock("SOFA"), Err(Error::WrongProcess { .. })) {
            return 4;
        }
        drop(orders);
        drop(engine);
        // An engine the child opens itself is the child's. (In memory with a manual clock: it
        // starts no thread and parks on nothing. A child of a multi-threaded process must not
        // wait on anything another thread of the parent may have held at the fork, and the
        // parent's worker and the other tests' threads park on parking_lot's global table.)
        let own = Engine::open_in_memory(EngineOptions::default().clock(ManualClock::new(START_MS)));
        let Ok(own) = own else { return 5 };
        let admin = own.client(Role::Admin);
        let used = admin
            .add_warehouse("WH-SH", WarehouseSpec::new("310000", 1))
            .and_then(|_| admin.add_sku("SOFA", "furniture"))
            .and_then(|_| admin.set_stock("SOFA", "WH-SH", 1))
            .and_then(|_| admin.reserve("CHILD-OWN", &one_sofa(), &ReserveOptions::new()))
            .and_then(|_| own.close());
        if used.is_err() { 6 } else { 0 }
    });
    assert_eq!(code, 0, "the child's checks (see its body for what each code means)");

    assert_eq!(files(dir.path()), before, "the child wrote nothing to the data directory");
    assert_eq!(engine.last_lsn().unwrap(), last_lsn);
    let held = orders.reserve("PARENT-2", &one_sofa(), &ReserveOptions::new()).unwrap();
    assert_eq!(held.lsn, last_lsn + 1, "the parent's next LSN is the one after its own last");
    assert_eq!(engine.durable_lsn().unwrap(), held.lsn);
    drop(orders);
    engine.close().unwrap();

    let engine = Engine::open(dir.path(), options(&clock)).unwrap();
    assert_eq!(engine.recovery().torn_tail, None);
    let viewer = engine.client(Role::Viewer);
    assert!(viewer.reservation("PARENT-1").unwrap().is_some());
    assert!(viewer.reservation("PARENT-2").unwrap().is_some());
    assert!(viewer.reservation("CHILD-1").unwrap().is_none(), "the child's order was never taken");
    assert_eq!(viewer.stock("SOFA").unwrap().reserved, 2);
    engine.check_invariants().unwrap();
    engine.close().unwrap();
}

/// One call of the table, answering its outcome.
type Call<'a> = Box<dyn Fn() -> String + 'a>;

/// A call's outcome as the report file spells it.
fn outcome<T>(result: allot_core::Result<T>) -> String {
    match result {
        Err(Error::WrongProcess { .. }) => "wrong_process".into(),
        Err(other) => format!("{}: {other}", other.code()),
        Ok(_) => "ok: the call went through".into(),
    }
}

/// Public methods that answer from the handle in any process without the check: values fixed
/// when the engine was opened or the client made, a new client (whose every call checks), and
/// the constructors.
const ANSWERED_FROM_THE_HANDLE: [&str; 9] = [
    "Engine::open",
    "Engine::open_read_only",
    "Engine::open_in_memory",
    "Engine::client",
    "Engine::path",
    "Engine::sync_mode",
    "Engine::recovery",
    "Client::role",
    "Client::actor",
];

/// The names of the `pub fn`s in `impl <type> {` of a core source file.
fn public_methods(file: &str, type_name: &str) -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("core/src").join(file);
    let source = fs::read_to_string(&path).unwrap();
    let start = source.find(&format!("\nimpl {type_name} {{\n")).unwrap_or_else(|| panic!("impl {type_name}"));
    let body = &source[start..];
    let body = &body[..body.find("\n}\n").unwrap()];
    body.lines()
        .filter_map(|line| line.strip_prefix("    pub fn "))
        .map(|rest| format!("{type_name}::{}", &rest[..rest.find(['(', '<']).unwrap()]))
        .collect()
}

#[test]
fn every_public_method_refuses_a_forked_child() {
    let dir = tempfile::tempdir().unwrap();
    let reports = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(START_MS);
    let engine = stocked(dir.path(), &clock);
    let admin = engine.client(Role::Admin);
    admin.reserve("PARENT-1", &one_sofa(), &ReserveOptions::new()).unwrap();
    let sofa = admin.sku_id("SOFA").unwrap();
    let warehouse = admin.warehouses().unwrap()[0].id;
    let rules = admin.rules_text().unwrap();
    let rules_file = reports.path().join("rules.toml");
    fs::write(&rules_file, &rules).unwrap();
    let form = adapt("pdd", "pdd-shop", PDD.as_bytes()).unwrap();
    let before = files(dir.path());

    let a = &admin;
    let e = &engine;
    let batch = [OrderRequest { order_id: "CHILD-3", lines: &one_sofa(), options: ReserveOptions::new() }];
    // Real arguments, so that each call would change or read something if it went through.
    // `close` comes last: were it to succeed, everything after it would say `Closed`.
    #[rustfmt::skip]
    let calls: Vec<(&str, Call<'_>)> = vec![
        ("Client::check_process", Box::new(|| outcome(a.check_process()))),
        ("Client::acting_as", Box::new(|| outcome(a.acting_as("someone")))),
        ("Client::add_warehouse", Box::new(|| outcome(a.add_warehouse("WH-BJ", WarehouseSpec::new("110000", 2))))),
        ("Client::update_warehouse", Box::new(|| outcome(a.update_warehouse("WH-SH", 2, true)))),
        ("Client::add_sku", Box::new(|| outcome(a.add_sku("LAMP", "lighting")))),
        ("Client::set_buffer", Box::new(|| outcome(a.set_buffer("SOFA", None, Some(BufferRule::Units(1)))))),
        ("Client::set_stock", Box::new(|| outcome(a.set_stock("SOFA", "WH-SH", 50)))),
        ("Client::receive", Box::new(|| outcome(a.receive("SOFA", "WH-SH", 1)))),
        ("Client::adjust", Box::new(|| outcome(a.adjust("SOFA", "WH-SH", -1, "damaged")))),
        ("Client::expect_inbound", Box::new(|| outcome(a.expect_inbound("SOFA", "WH-SH", 5)))),
        ("Client::land_inbound", Box::new(|| outcome(a.land_inbound("SOFA", "WH-SH", 5)))),
        ("Client::reserve", Box::new(|| outcome(a.reserve("CHILD-1", &one_sofa(), &ReserveOptions::new())))),
        ("Client::reserve_by_id", Box::new(|| outcome(a.reserve_by_id("CHILD-2", &[(sofa, 1)], &ReserveOptions::new())))),
        ("Client::reserve_many", Box::new(|| outcome(a.reserve_many(&batch)))),
        ("Client::commit", Box::new(|| outcome(a.commit("PARENT-1")))),
        ("Client::release", Box::new(|| outcome(a.release("PARENT-1")))),
        ("Client::stock", Box::new(|| outcome(a.stock("SOFA")))),
        ("Client::stock_in_region", Box::new(|| outcome(a.stock_in_region("SOFA", "31")))),
        ("Client::cell", Box::new(|| outcome(a.cell("SOFA", "WH-SH")))),
        ("Client::cells", Box::new(|| outcome(a.cells("SOFA")))),
        ("Client::reservation", Box::new(|| outcome(a.reservation("PARENT-1")))),
        ("Client::events", Box::new(|| outcome(a.events(0, 10)))),
        ("Client::subscribe", Box::new(|| outcome(a.subscribe(0).next().expect("an answer")))),
        ("Client::warehouses", Box::new(|| outcome(a.warehouses()))),
        ("Client::skus", Box::new(|| outcome(a.skus()))),
        ("Client::sku_id", Box::new(|| outcome(a.sku_id("SOFA")))),
        ("Client::sku", Box::new(|| outcome(a.sku(sofa)))),
        ("Client::warehouse", Box::new(|| outcome(a.warehouse(warehouse)))),
        ("Client::intake", Box::new(|| outcome(a.intake(form.clone())))),
        ("Client::intake_payload", Box::new(|| outcome(a.intake_payload("pdd", "pdd-shop", PDD.as_bytes())))),
        ("Client::order", Box::new(|| outcome(a.order(PDD_KEY)))),
        ("Client::orders_in", Box::new(|| outcome(a.orders_in(OrderState::ALL[0])))),
        ("Client::start_review", Box::new(|| outcome(a.start_review(PDD_KEY)))),
        ("Client::approve", Box::new(|| outcome(a.approve(PDD_KEY)))),
        ("Client::reject", Box::new(|| outcome(a.reject(PDD_KEY, "no")))),
        ("Client::hold", Box::new(|| outcome(a.hold(PDD_KEY, "wait")))),
        ("Client::release_to_warehouse", Box::new(|| outcome(a.release_to_warehouse(PDD_KEY)))),
        ("Client::ship", Box::new(|| outcome(a.ship(PDD_KEY, "SF", "SF1234567890123")))),
        ("Client::track", Box::new(|| outcome(a.track("SF", "SF1234567890123", TrackingKind::InTransit, "hub")))),
        ("Client::cancel", Box::new(|| outcome(a.cancel(PDD_KEY, "changed mind")))),
        ("Client::request_return", Box::new(|| outcome(a.request_return(PDD_KEY, "too big")))),
        ("Client::complete_return", Box::new(|| outcome(a.complete_return(PDD_KEY, "WH-SH")))),
        ("Client::deny_return", Box::new(|| outcome(a.deny_return(PDD_KEY, "worn")))),
        ("Client::tasks", Box::new(|| outcome(a.tasks()))),
        ("Client::acknowledge_task", Box::new(|| outcome(a.acknowledge_task(1)))),
        ("Client::close_task", Box::new(|| outcome(a.close_task(1)))),
        ("Client::blacklist_add", Box::new(|| outcome(a.blacklist_add(BlacklistKind::Buyer, "88812")))),
        ("Client::blacklist_remove", Box::new(|| outcome(a.blacklist_remove(BlacklistKind::Buyer, "88812")))),
        ("Client::set_rules", Box::new(|| outcome(a.set_rules(&rules)))),
        ("Client::rules", Box::new(|| outcome(a.rules()))),
        ("Client::rules_text", Box::new(|| outcome(a.rules_text()))),
        ("Client::explain", Box::new(|| outcome(a.explain(PDD_KEY)))),
        ("Client::dry_run_rules", Box::new(|| outcome(a.dry_run_rules(&rules)))),
        ("Engine::check_process", Box::new(|| outcome(e.check_process()))),
        ("Engine::now_ms", Box::new(|| outcome(e.now_ms()))),
        ("Engine::last_lsn", Box::new(|| outcome(e.last_lsn()))),
        ("Engine::durable_lsn", Box::new(|| outcome(e.durable_lsn()))),
        ("Engine::checkpoint", Box::new(|| outcome(e.checkpoint()))),
        ("Engine::flush", Box::new(|| outcome(e.flush()))),
        ("Engine::expire_due", Box::new(|| outcome(e.expire_due()))),
        ("Engine::advance_time", Box::new(|| outcome(e.advance_time(Duration::from_secs(3600))))),
        ("Engine::run_timers", Box::new(|| outcome(e.run_timers()))),
        ("Engine::reload_rules", Box::new(|| outcome(e.reload_rules(&rules_file, "ops")))),
        ("Engine::watch_rules", Box::new(|| outcome(e.watch_rules(&rules_file, "ops")))),
        ("Engine::rules_reload_error", Box::new(|| outcome(e.rules_reload_error()))),
        ("Engine::check_invariants", Box::new(|| outcome(e.check_invariants()))),
        ("Engine::metrics", Box::new(|| outcome(e.metrics()))),
        ("Engine::close", Box::new(|| outcome(e.close()))),
    ];

    let mut covered: BTreeSet<String> = calls.iter().map(|(name, _)| name.to_string()).collect();
    assert_eq!(covered.len(), calls.len(), "each method once");
    covered.extend(ANSWERED_FROM_THE_HANDLE.map(String::from));
    let mut public = public_methods("client.rs", "Client");
    public.extend(public_methods("engine.rs", "Engine"));
    let untested: Vec<&String> = public.difference(&covered).collect();
    let unknown: Vec<&String> = covered.difference(&public).collect();
    assert!(untested.is_empty(), "public methods the table does not call: {untested:?}");
    assert!(unknown.is_empty(), "names in the table that are no public method: {unknown:?}");

    let report = reports.path().join("outcomes.txt");
    let code = in_forked_child(|| {
        let answer =
            |call: &Call<'_>| std::panic::catch_unwind(AssertUnwindSafe(call)).unwrap_or_else(|_| "panicked".into());
        let lines: Vec<String> = calls.iter().map(|(name, call)| format!("{name} {}", answer(call))).collect();
        fs::write(&report, lines.join("\n")).map_or(1, |()| 0)
    });
    assert_eq!(code, 0, "the child wrote its report");
    let text = fs::read_to_string(&report).unwrap();
    let wrong: Vec<&str> = text.lines().filter(|line| !line.ends_with(" wrong_process")).collect();
    assert!(wrong.is_empty(), "calls from the child that were not refused as the wrong process:\n{}", wrong.join("\n"));
    assert_eq!(text.lines().count(), calls.len());

    drop(calls);
    assert_eq!(files(dir.path()), before, "the child changed nothing");
    assert_eq!(admin.reservation("PARENT-1").unwrap().unwrap().lines[0].qty, 1);
    admin.commit("PARENT-1").unwrap();
    engine.close().unwrap();
}

/// A child forked while its parent has a directory open inherits the parent's record of it but
/// not its lock: once the parent closes, the child may read (or open) the directory, and is not
/// told `Locked` by a copy of its parent's bookkeeping.
#[test]
fn a_forked_child_may_use_a_directory_once_its_parent_closes_it() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(START_MS);
    let engine = stocked(dir.path(), &clock);
    engine.client(Role::Orders).reserve("PARENT-1", &one_sofa(), &ReserveOptions::new()).unwrap();
    let mut fds = [0; 2];
    // SAFETY: `pipe` writes two descriptors into the array we own.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    let (read_end, write_end) = (fds[0], fds[1]);
    // SAFETY: the child only reads a byte, reads the log (no engine, no lock of another thread's
    // making) and `_exit`s.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0);
    if pid == 0 {
        let mut byte = 0u8;
        // SAFETY: reads one byte into a local from the pipe this child inherited.
        let read = unsafe { libc::read(read_end, (&raw mut byte).cast(), 1) };
        let code = match (read, allot_core::log::read_records(dir.path(), |_, _| {})) {
            (1, Ok(summary)) if summary.records > 0 => 0,
            (1, Err(Error::Locked { .. })) => 2,
            _ => 3,
        };
        // SAFETY: ends the child at once.
        unsafe { libc::_exit(code) }
    }
    engine.close().unwrap();
    // SAFETY: writes one byte from a local to the pipe; then waits for our own child.
    assert_eq!(unsafe { libc::write(write_end, [1u8].as_ptr().cast(), 1) }, 1);
    let mut status = 0;
    // SAFETY: as above.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(libc::WIFEXITED(status));
    assert_eq!(libc::WEXITSTATUS(status), 0, "2: the child was told Locked by its copy of the parent's set");
    // SAFETY: closes the two descriptors we made.
    unsafe {
        libc::close(read_end);
        libc::close(write_end);
    }
}
