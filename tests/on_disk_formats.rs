//! Proves that a data directory written by the previous release (tests/fixtures/format-1: no
//! manifest, segments without end marks, a format-1 checkpoint) opens to exactly the state it
//! held, that looking at it changes nothing, that opening upgrades it in place (a manifest, new
//! records in a format-2 segment) and that the upgraded directory reopens, checkpoints and is
//! judged by the new rules (its manifest cannot be deleted unnoticed).

use std::fs;
use std::path::Path;
use std::sync::Arc;

use allot_core::order::OrderState;
use allot_core::{Engine, EngineOptions, Error, ManualClock, ReserveOptions, Role, Shutdown, SyncMode};

#[path = "support/dirs.rs"]
mod dirs;
use dirs::dir_bytes;

/// The fixture's clock: its reservations expire an hour or 30 minutes after this.
const FIXTURE_MS: u64 = 1_780_000_000_000;

fn fixture_copy() -> tempfile::TempDir {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/format-1");
    let to = tempfile::tempdir().unwrap();
    for entry in fs::read_dir(&from).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), to.path().join(entry.file_name())).unwrap();
    }
    to
}

fn options(clock: &Arc<ManualClock>) -> EngineOptions {
    EngineOptions::default().sync(SyncMode::Always).clock(clock.clone()).segment_bytes(256 * 1024)
}

/// What the fixture holds (it was written by the release before manifests: three SKUs, two
/// warehouses, a checkpoint at LSN 64, then 6,000 reservations of which every seventh was
/// released, and one JD order taken in).
fn assert_fixture_state(engine: &Engine, context: &str) {
    let metrics = engine.metrics().unwrap();
    assert_eq!((metrics.skus, metrics.warehouses), (3, 2), "{context}");
    assert_eq!(
        (metrics.reservations_held, metrics.reservations_committed, metrics.reservations_released),
        (5168, 10, 863),
        "{context}"
    );
    let viewer = engine.client(Role::Viewer);
    let stock = |sku: &str| {
        let levels = viewer.stock(sku).unwrap();
        (levels.on_hand, levels.reserved)
    };
    assert_eq!(stock("SOFA-3P"), (990, 25), "{context}");
    assert_eq!(stock("LAMP"), (290, 25), "{context}");
    assert_eq!(stock("KETTLE-1.7L"), (10_000, 5144), "{context}");
    let order = viewer.order("jd:289012345678").unwrap().expect("the JD order");
    assert_eq!(order.state, OrderState::Reserved, "{context}");
    engine.check_invariants().unwrap();
}

#[test]
fn a_directory_of_the_previous_format_opens_whole_and_is_upgraded_in_place() {
    let dir = fixture_copy();
    let clock = ManualClock::new(FIXTURE_MS);

    // Looking first: read-only, it sees the same state and leaves every byte as it was.
    let before = dir_bytes(dir.path());
    let looked = Engine::open_read_only(dir.path(), options(&clock)).unwrap();
    assert_eq!(looked.recovery().shutdown, Shutdown::MachineRestart, "a log without a manifest cannot say");
    assert_eq!((looked.recovery().checkpoint_lsn, looked.last_lsn().unwrap()), (64, 6923));
    assert_eq!(looked.recovery().torn_tail, None);
    assert_fixture_state(&looked, "read-only");
    // Its events read from the files as they are: every record after the checkpoint, in order.
    let viewer = looked.client(Role::Viewer);
    let (mut cursor, mut seen) = (64, 0);
    loop {
        let events = viewer.events(cursor, 4096).unwrap();
        let Some(last) = events.last() else { break };
        assert!(events.iter().zip(cursor + 1..).all(|(event, lsn)| event.lsn == lsn), "in LSN order");
        seen += events.len();
        cursor = last.lsn;
    }
    assert_eq!((seen, cursor), (6923 - 64, 6923));
    let refused = looked.client(Role::Orders).reserve("NEW", &[("LAMP", 1)], &ReserveOptions::new()).unwrap_err();
    assert!(matches!(refused, Error::ReadOnly { .. }), "{refused}");
    assert!(matches!(looked.checkpoint(), Err(Error::ReadOnly { .. })));
    looked.close().unwrap();
    assert!(dir_bytes(dir.path()) == before, "a read-only open changed the directory");

    // Opening upgrades: the same state, a manifest, and new records in a new segment.
    let engine = Engine::open(dir.path(), options(&clock)).unwrap();
    assert_eq!(engine.recovery().records_replayed, 6923 - 64);
    assert_fixture_state(&engine, "opened");
    assert!(dir.path().join("MANIFEST").exists());
    let lsn = engine.client(Role::Orders).reserve("AFTER-UPGRADE", &[("LAMP", 1)], &ReserveOptions::new()).unwrap().lsn;
    assert_eq!(lsn, 6924);
    engine.close().unwrap();
    let segments: Vec<_> =
        fs::read_dir(dir.path()).unwrap().filter_map(|e| e.unwrap().file_name().into_string().ok()).collect();
    assert!(segments.iter().any(|name| name == "wal-00000000000000000004.seg"), "{segments:?}");

    let engine = Engine::open(dir.path(), options(&clock)).unwrap();
    assert_eq!((engine.recovery().shutdown, engine.recovery().torn_tail.clone()), (Shutdown::Clean, None));
    assert_eq!(engine.client(Role::Viewer).stock("LAMP").unwrap().reserved, 26);
    // The old checkpoint gives way to a new one, and the old segments go with it.
    engine.checkpoint().unwrap();
    engine.close().unwrap();
    let engine = Engine::open(dir.path(), options(&clock)).unwrap();
    assert_eq!((engine.recovery().checkpoint_lsn, engine.recovery().records_replayed), (6924, 0));
    assert_eq!(engine.client(Role::Viewer).stock("KETTLE-1.7L").unwrap().reserved, 5144);
    engine.close().unwrap();

    // Upgraded, the directory is judged by the new rules: its manifest cannot go missing.
    fs::remove_file(dir.path().join("MANIFEST")).unwrap();
    match Engine::open(dir.path(), options(&clock)) {
        Err(Error::Corruption { detail, .. }) => assert!(detail.contains("MANIFEST"), "{detail}"),
        Err(other) => panic!("expected corruption, got {other}"),
        Ok(_) => panic!("opened without its manifest"),
    }
}
