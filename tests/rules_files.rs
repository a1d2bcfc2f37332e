//! Proves that a rules file is read only if it is a regular file of at most `RULES_BYTES_MAX`
//! bytes, through the public API: `/dev/zero` (which once ran a process to 23.7 GB), a FIFO
//! without a writer (which once blocked forever), a directory and a symbolic link to a device are
//! refused at once with an `Io` error naming what is there, a larger file (a sparse 64 GiB one
//! too) is `LimitExceeded` naming `RULES_BYTES_MAX` without being read whole, by
//! `Engine::reload_rules` and by the watcher alike, and none of it changes the live rules.

use std::path::Path;
use std::sync::Arc;

use allot_core::routing::RULES_BYTES_MAX;
use allot_core::{Engine, EngineOptions, Error, ManualClock, Role, SyncMode};

#[path = "support/eventually.rs"]
mod eventually;
use eventually::eventually;

fn open_engine(dir: &Path) -> Engine {
    let options = EngineOptions::default()
        .sync(SyncMode::Always)
        .clock(ManualClock::new(1_700_000_000_000))
        .segment_bytes(1 << 20);
    Engine::open(dir, options).unwrap()
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo").arg(path).status().expect("running mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

#[track_caller]
fn refused_file(result: allot_core::Result<()>, kind: &str) {
    match result {
        Err(error @ Error::Io { .. }) => {
            let message = error.to_string();
            assert!(message.contains(kind) && message.contains("not a regular file"), "{message}");
        }
        other => panic!("expected an Io error naming {kind}, got {other:?}"),
    }
}

#[test]
fn only_regular_rules_files_within_the_limit_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open_engine(dir.path());
    let before = engine.last_lsn().unwrap();
    // /dev/zero never ends: the old reader filled memory until the OOM killer came.
    refused_file(engine.reload_rules("/dev/zero", "ops"), "a device");
    // A FIFO with no writer: opening it for reading used to block forever.
    let fifo = dir.path().join("rules.fifo");
    mkfifo(&fifo);
    refused_file(engine.reload_rules(&fifo, "ops"), "a FIFO");
    refused_file(engine.reload_rules(dir.path(), "ops"), "a directory");
    // A symbolic link is followed, to whatever it names.
    let link = dir.path().join("rules-link.toml");
    std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
    refused_file(engine.reload_rules(&link, "ops"), "a device");
    // One byte above the limit, and a sparse 64 GiB file that would take long to read.
    let big = dir.path().join("big.toml");
    std::fs::write(&big, vec![b'#'; RULES_BYTES_MAX + 1]).unwrap();
    for size in [RULES_BYTES_MAX as u64 + 1, 64 << 30] {
        std::fs::File::options().write(true).open(&big).unwrap().set_len(size).unwrap();
        match engine.reload_rules(&big, "ops") {
            Err(Error::LimitExceeded { limit: "RULES_BYTES_MAX", actual, max, .. }) => {
                assert_eq!((actual, max), (size, RULES_BYTES_MAX as u64));
            }
            other => panic!("{size} bytes: {other:?}"),
        }
    }
    assert!(matches!(engine.reload_rules(dir.path().join("missing.toml"), "ops"), Err(Error::Io { .. })));
    assert_eq!(engine.last_lsn().unwrap(), before, "no refused file changed the rules");
    // At the limit exactly, the file is read whole and goes on to be parsed and logged. (A file
    // this large is then refused by the log, whose records hold at most RECORD_BYTES_MAX bytes:
    // the two limits disagree, which is the log's to settle; the reader's part is that it read.)
    let mut exact = vec![b'#'; RULES_BYTES_MAX - 1];
    exact.push(b'\n');
    std::fs::write(&big, &exact).unwrap();
    match engine.reload_rules(&big, "ops") {
        Ok(()) | Err(Error::LimitExceeded { limit: "RECORD_BYTES_MAX", .. }) => {}
        other => panic!("a file of RULES_BYTES_MAX bytes was not read: {other:?}"),
    }
    std::fs::write(&big, "# a small file\ndefault_path = \"auto\"\n").unwrap();
    engine.reload_rules(&big, "ops").unwrap();
    engine.close().unwrap();
}

#[test]
fn the_watcher_refuses_a_rules_file_replaced_by_a_fifo_or_a_device() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Arc::new(open_engine(dir.path()));
    let file = dir.path().join("rules.toml");
    std::fs::write(&file, "default_path = \"auto\"\n").unwrap();
    engine.reload_rules(&file, "setup").unwrap();
    let _watch = engine.watch_rules(&file, "file watcher").unwrap();
    std::fs::remove_file(&file).unwrap();
    mkfifo(&file);
    assert!(
        eventually(|| engine.rules_reload_error().unwrap().is_some_and(|e| e.contains("a FIFO"))),
        "the watcher did not refuse the FIFO: {:?}",
        engine.rules_reload_error().unwrap()
    );
    std::fs::remove_file(&file).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &file).unwrap();
    assert!(
        eventually(|| engine.rules_reload_error().unwrap().is_some_and(|e| e.contains("a device"))),
        "the watcher did not refuse /dev/zero: {:?}",
        engine.rules_reload_error().unwrap()
    );
    let admin = engine.client(Role::Admin);
    assert_eq!(admin.rules_text().unwrap(), "default_path = \"auto\"\n", "the live rules stayed");
    engine.close().unwrap();
}
