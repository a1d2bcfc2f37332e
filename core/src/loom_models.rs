//! Loom models of the locking and commit protocol: every interleaving of two threads (within
//! loom's preemption bound) over the real stripes, order index, log and group commit.
//!
//! Run with `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test -p allot-core --lib
//! --release loom_models` (the root `tests/loom.rs` does exactly that from `cargo test`).

use std::sync::Arc;

use loom::thread;

use crate::error::Error;
use crate::log::SyncMode;
use crate::log::group_commit::GroupCommit;
use crate::sync::Mutex;
use crate::sync::atomic::{AtomicU64, Ordering};
use crate::{Engine, EngineOptions, ManualClock, ReserveOptions, Role, WarehouseSpec};

/// An in-memory engine with one warehouse and the given SKUs and stock; two stripes, so SKUs 0
/// and 1 live under different locks.
fn engine_with(stock: &[(&str, u64)], sync: SyncMode) -> Engine {
    let options = EngineOptions::default().sync(sync).stripes(2).clock(ManualClock::new(0));
    let engine = Engine::open_in_memory(options).unwrap();
    let admin = engine.client(Role::Admin);
    admin.add_warehouse("W", WarehouseSpec::new("310000", 1)).unwrap();
    for &(sku, on_hand) in stock {
        admin.add_sku(sku, "c").unwrap();
        admin.set_stock(sku, "W", on_hand).unwrap();
    }
    engine
}

#[test]
fn the_last_unit_goes_to_exactly_one_of_two_buyers() {
    loom::model(|| {
        let engine = engine_with(&[("X", 1)], SyncMode::None);
        let buyers: Vec<_> = ["A", "B"]
            .into_iter()
            .map(|order| {
                let orders = engine.client(Role::Orders);
                thread::spawn(move || orders.reserve(order, &[("X", 1)], &ReserveOptions::new()))
            })
            .collect();
        let results: Vec<_> = buyers.into_iter().map(|b| b.join().unwrap()).collect();
        let winners = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(winners, 1, "{results:?}");
        assert!(results.iter().any(|r| matches!(r, Err(Error::InsufficientStock { .. }))));
        let x = engine.client(Role::Viewer).stock("X").unwrap();
        assert_eq!((x.reserved, x.available), (1, 0));
        engine.check_invariants().unwrap();
    });
}

#[test]
fn opposite_line_orders_neither_deadlock_nor_half_apply() {
    loom::model(|| {
        let engine = engine_with(&[("X", 1), ("Y", 1)], SyncMode::None);
        let a = engine.client(Role::Orders);
        let b = engine.client(Role::Orders);
        let first = thread::spawn(move || a.reserve("A", &[("X", 1), ("Y", 1)], &ReserveOptions::new()));
        let second = thread::spawn(move || b.reserve("B", &[("Y", 1), ("X", 1)], &ReserveOptions::new()));
        let (first, second) = (first.join().unwrap(), second.join().unwrap());
        assert_eq!(first.is_ok() as u8 + second.is_ok() as u8, 1, "{first:?} {second:?}");
        let viewer = engine.client(Role::Viewer);
        assert_eq!(viewer.stock("X").unwrap().reserved, 1);
        assert_eq!(viewer.stock("Y").unwrap().reserved, 1);
        engine.check_invariants().unwrap();
    });
}

#[test]
fn one_order_id_reserved_twice_at_once_holds_once() {
    loom::model(|| {
        let engine = engine_with(&[("X", 5)], SyncMode::None);
        let calls: Vec<_> = (0..2)
            .map(|_| {
                let orders = engine.client(Role::Orders);
                thread::spawn(move || orders.reserve("SAME", &[("X", 2)], &ReserveOptions::new()).unwrap())
            })
            .collect();
        let replies: Vec<_> = calls.into_iter().map(|c| c.join().unwrap()).collect();
        assert_eq!(replies.iter().filter(|r| !r.repeat).count(), 1, "exactly one call made the hold");
        assert_eq!(replies[0].lsn, replies[1].lsn, "both answers are the same reservation");
        assert_eq!(engine.client(Role::Viewer).stock("X").unwrap().reserved, 2);
        engine.check_invariants().unwrap();
    });
}

#[test]
fn a_commit_racing_a_release_settles_once() {
    loom::model(|| {
        let engine = engine_with(&[("X", 3)], SyncMode::None);
        engine.client(Role::Orders).reserve("O", &[("X", 2)], &ReserveOptions::new()).unwrap();
        let committer = engine.client(Role::Orders);
        let releaser = engine.client(Role::Orders);
        let commit = thread::spawn(move || committer.commit("O"));
        let release = thread::spawn(move || releaser.release("O"));
        let (commit, release) = (commit.join().unwrap(), release.join().unwrap());
        let x = engine.client(Role::Viewer).stock("X").unwrap();
        match (&commit, &release) {
            (Ok(c), Err(Error::IllegalTransition { .. })) => assert!(c.changed && x.on_hand == 1),
            (Err(Error::IllegalTransition { .. }), Ok(r)) => assert!(r.changed && x.on_hand == 3),
            other => panic!("exactly one settlement must win: {other:?}"),
        }
        assert_eq!(x.reserved, 0);
        engine.check_invariants().unwrap();
    });
}

/// A stand-in for the mapped log: appends take a lock and assign consecutive LSNs; `disk` is
/// the prefix a completed flush has made durable.
struct FakeLog {
    appended: Mutex<u64>,
    disk: AtomicU64,
}

impl FakeLog {
    fn append(&self) -> u64 {
        let mut appended = self.appended.lock();
        *appended += 1;
        *appended
    }

    fn flush(&self) -> Result<u64, String> {
        let covered = *self.appended.lock();
        self.disk.fetch_max(covered, Ordering::SeqCst);
        Ok(covered)
    }
}

#[test]
fn group_commit_never_acknowledges_above_the_durable_prefix() {
    loom::model(|| {
        let log = Arc::new(FakeLog { appended: Mutex::new(0), disk: AtomicU64::new(0) });
        let group = Arc::new(GroupCommit::new(0));
        let writers: Vec<_> = (0..2)
            .map(|_| {
                let (log, group) = (log.clone(), group.clone());
                thread::spawn(move || {
                    let lsn = log.append();
                    group.wait_durable(lsn, || log.flush()).unwrap();
                    assert!(log.disk.load(Ordering::SeqCst) >= lsn, "acknowledged LSN {lsn} before it was durable");
                    assert!(group.durable_lsn() >= lsn);
                })
            })
            .collect();
        for writer in writers {
            writer.join().unwrap();
        }
        assert!(group.durable_lsn() <= log.disk.load(Ordering::SeqCst));
    });
}

/// Three writers: one leads, one waits in the covered batch, one in the next; whoever leaves
/// must hand leadership on, or the last batch sleeps forever (loom reports the deadlock).
#[test]
fn three_writers_never_strand_a_batch_without_a_leader() {
    loom::model(|| {
        let log = Arc::new(FakeLog { appended: Mutex::new(0), disk: AtomicU64::new(0) });
        let group = Arc::new(GroupCommit::new(0));
        let writers: Vec<_> = (0..3)
            .map(|_| {
                let (log, group) = (log.clone(), group.clone());
                thread::spawn(move || {
                    let lsn = log.append();
                    group.wait_durable(lsn, || log.flush()).unwrap();
                    assert!(log.disk.load(Ordering::SeqCst) >= lsn);
                })
            })
            .collect();
        for writer in writers {
            writer.join().unwrap();
        }
    });
}

#[test]
fn a_failed_flush_fails_every_waiter_it_covered() {
    loom::model(|| {
        let appended = Arc::new(AtomicU64::new(0));
        let group = Arc::new(GroupCommit::new(0));
        let writers: Vec<_> = (0..2)
            .map(|_| {
                let (appended, group) = (appended.clone(), group.clone());
                thread::spawn(move || {
                    let lsn = appended.fetch_add(1, Ordering::SeqCst) + 1;
                    group.wait_durable(lsn, || Err("disk on fire".to_string()))
                })
            })
            .collect();
        for writer in writers {
            assert!(matches!(writer.join().unwrap(), Err(Error::Poisoned { .. })));
        }
        assert_eq!(group.durable_lsn(), 0);
    });
}

#[test]
fn always_mode_reservations_wait_for_a_shared_flush() {
    loom::model(|| {
        let engine = engine_with(&[("X", 2)], SyncMode::Always);
        let buyers: Vec<_> = ["A", "B"]
            .into_iter()
            .map(|order| {
                let (orders, engine) = (engine.client(Role::Orders), engine.clone());
                thread::spawn(move || {
                    let reservation = orders.reserve(order, &[("X", 1)], &ReserveOptions::new()).unwrap();
                    assert!(engine.durable_lsn().unwrap() >= reservation.lsn);
                })
            })
            .collect();
        for buyer in buyers {
            buyer.join().unwrap();
        }
        assert_eq!(engine.client(Role::Viewer).stock("X").unwrap().available, 0);
    });
}
