//! Proves the recovery defects a red-team campaign found stay fixed, each as it was reported: a
//! cleanly closed `none` or `interval` log losing thousands of records to one zeroed sector, the
//! newest segment deleted (with and without a spare) opening as a shorter log, and a checkpoint
//! copied under a higher LSN's name making recovery skip the log — each must now be
//! `Corruption`, and `allot verify` must say so without changing a byte. (The forked child, the
//! rules loaders and the largest rules file have tests of their own: `tests/fork.rs`,
//! `tests/orders.rs`, `tests/storage_faults.rs`.)

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use allot_core::{Engine, EngineOptions, Error, ReserveOptions, Role, SyncMode, WarehouseSpec};

#[path = "support/dirs.rs"]
mod dirs;
use dirs::dir_bytes;

const SEGMENT_BYTES: u64 = 256 * 1024;

fn options(sync: SyncMode) -> EngineOptions {
    EngineOptions::default().sync(sync).segment_bytes(SEGMENT_BYTES).checkpoint_every_bytes(0).default_ttl_ms(None)
}

/// A closed directory holding `orders` one-unit reservations.
fn written(sync: SyncMode, orders: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(dir.path(), options(sync)).unwrap();
    let admin = engine.client(Role::Admin);
    admin.add_warehouse("WH-SH", WarehouseSpec::new("310000", 1)).unwrap();
    admin.add_sku("SOFA", "home").unwrap();
    admin.set_stock("SOFA", "WH-SH", 10_000_000).unwrap();
    let client = engine.client(Role::Orders);
    for n in 0..orders {
        client.reserve(&format!("O-{n}"), &[("SOFA", 1)], &ReserveOptions::new()).unwrap();
    }
    engine.close().unwrap();
    dir
}

fn segments(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "seg"))
        .collect();
    found.sort();
    found
}

/// Opening fails with `Corruption` naming `file`; `allot verify` exits non-zero saying the same,
/// and neither changes a byte.
fn assert_refused(dir: &Path, sync: SyncMode, file: &Path, context: &str) {
    let before = dir_bytes(dir);
    let output = Command::new(env!("CARGO_BIN_EXE_allot")).arg("verify").arg(dir).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{context}: verify passed: {}", String::from_utf8_lossy(&output.stdout));
    assert!(stderr.contains("corrupt"), "{context}: {stderr}");
    match Engine::open(dir, options(sync)) {
        Err(Error::Corruption { path, detail, .. }) => assert_eq!(path, file, "{context}: {detail}"),
        Err(other) => panic!("{context}: expected corruption, got {other}"),
        Ok(engine) => panic!("{context}: opened, {:?}", engine.recovery()),
    }
    assert!(dir_bytes(dir) == before, "{context}: the directory changed");
}

/// Reported: zeroing 512 bytes in the middle of the last segment of a closed `none` log was taken
/// for a write lost in flight: 3,261 records cut, `verify` exit 0.
#[test]
fn a_zeroed_sector_in_a_cleanly_closed_none_or_interval_log_is_corruption() {
    for sync in [SyncMode::None, SyncMode::Interval(Duration::from_millis(50))] {
        let dir = written(sync, 4_000);
        let segment = segments(dir.path()).pop().unwrap();
        let used = fs::read(&segment).unwrap().iter().rposition(|&b| b != 0).unwrap();
        let sector = used / 2 / 512 * 512;
        let file = fs::OpenOptions::new().write(true).open(&segment).unwrap();
        std::os::unix::fs::FileExt::write_all_at(&file, &[0u8; 512], sector as u64).unwrap();
        assert_refused(dir.path(), sync, &segment, &format!("{sync:?}, zero sector at {sector}"));
    }
}

/// Reported: deleting the newest segment lost its records silently, with a spare segment present
/// or not.
#[test]
fn a_deleted_newest_segment_is_corruption_with_or_without_a_spare() {
    let dir = written(SyncMode::None, 16_000);
    let live = segments(dir.path());
    assert!(live.len() >= 2, "{live:?}");
    // With the spare the worker made, and with it gone too.
    for drop_spare in [false, true] {
        let copy = tempfile::tempdir().unwrap();
        for entry in fs::read_dir(dir.path()).unwrap() {
            let path = entry.unwrap().path();
            fs::copy(&path, copy.path().join(path.file_name().unwrap())).unwrap();
        }
        let files = segments(copy.path());
        // The newest segment holding records: the last one, or the one before an unused spare.
        let newest = files.iter().rev().find(|p| fs::read(p).unwrap()[..64].iter().any(|&b| b != 0)).unwrap().clone();
        fs::remove_file(&newest).unwrap();
        if drop_spare {
            for spare in segments(copy.path()).into_iter().filter(|p| p > &newest) {
                fs::remove_file(spare).unwrap();
            }
        }
        let previous = segments(copy.path()).into_iter().rfind(|p| p < &newest).unwrap();
        assert_refused(copy.path(), SyncMode::None, &previous, &format!("newest deleted, spare dropped: {drop_spare}"));
    }
}

/// Reported: a copy of the checkpoint renamed to a higher LSN opened "ok" and deleted 11,732
/// records (its LSN came from its name only).
#[test]
fn a_checkpoint_renamed_to_a_higher_lsn_is_corruption() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(dir.path(), options(SyncMode::Always)).unwrap();
    let admin = engine.client(Role::Admin);
    admin.add_warehouse("WH-SH", WarehouseSpec::new("310000", 1)).unwrap();
    admin.add_sku("SOFA", "home").unwrap();
    admin.set_stock("SOFA", "WH-SH", 10_000_000).unwrap();
    let orders = engine.client(Role::Orders);
    for n in 0..200 {
        orders.reserve(&format!("A-{n}"), &[("SOFA", 1)], &ReserveOptions::new()).unwrap();
    }
    let checkpoint = engine.checkpoint().unwrap();
    for n in 0..500 {
        orders.reserve(&format!("B-{n}"), &[("SOFA", 1)], &ReserveOptions::new()).unwrap();
    }
    let last = engine.last_lsn().unwrap();
    engine.close().unwrap();
    let renamed = dir.path().join(format!("checkpoint-{:020}.ckpt", last + 1_000));
    fs::copy(checkpoint.path.unwrap(), &renamed).unwrap();
    assert_refused(dir.path(), SyncMode::Always, &renamed, "a checkpoint under a higher LSN's name");
}
