//! `allot inspect` and `allot verify`: what a data directory holds, and whether it is sound.

use std::path::Path;

use allot_core::log::{describe, read_records};
use allot_core::{Engine, EngineOptions, Role, SyncMode};
use anyhow::{Context, Result, bail};

pub fn inspect(dir: &Path) -> Result<()> {
    if !dir.is_dir() {
        bail!("{} is not a directory", dir.display());
    }
    let files = describe(dir).with_context(|| format!("reading the log in {}", dir.display()))?;
    println!("data directory {}", dir.display());
    for segment in &files.segments {
        println!(
            "  segment {:>4}  first LSN {:>10}  {:>10} bytes  {}",
            segment.seq,
            segment.first_lsn,
            segment.bytes,
            segment.path.display()
        );
    }
    println!("  spare segments: {}", files.spare_segments);
    for (lsn, path, bytes) in &files.checkpoints {
        println!("  checkpoint at LSN {lsn}  {bytes} bytes  {}", path.display());
    }
    let summary = read_records(dir, |_, _| {})?;
    println!("  log records: {} (LSN {}..={})", summary.records, summary.first_lsn, summary.last_lsn);
    if let Some(torn) = &summary.torn_tail {
        println!("  torn tail: {} at byte {} ({})", torn.path.display(), torn.offset, torn.reason);
    }

    let engine = open(dir)?;
    let metrics = engine.metrics()?;
    let viewer = engine.client(Role::Viewer);
    println!("catalogue: {} warehouses, {} SKUs", metrics.warehouses, metrics.skus);
    for warehouse in viewer.warehouses()? {
        let state = if warehouse.active { "active" } else { "inactive" };
        println!("  {} region {} priority {} {state}", warehouse.code, warehouse.region, warehouse.priority);
    }
    let report = engine.check_invariants()?;
    println!("stock: {} cells, {} units on hand, {} reserved", report.cells, report.on_hand, report.reserved);
    println!(
        "reservations: {} held, {} committed, {} released, {} expired",
        metrics.reservations_held,
        metrics.reservations_committed,
        metrics.reservations_released,
        metrics.reservations_expired
    );
    let orders: u64 = metrics.orders_by_state.iter().map(|(_, n)| n).sum();
    let by_state: Vec<String> = metrics
        .orders_by_state
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(state, n)| format!("{} {n}", state.name()))
        .collect();
    println!("orders: {orders} ({})", if by_state.is_empty() { "none".to_string() } else { by_state.join(", ") });
    let open_tasks: Vec<String> = metrics
        .open_tasks_by_severity
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(severity, n)| format!("{} {n}", severity.name()))
        .collect();
    if !open_tasks.is_empty() {
        println!("open tasks: {}", open_tasks.join(", "));
    }
    engine.close()?;
    Ok(())
}

pub fn verify(dir: &Path) -> Result<()> {
    if !dir.is_dir() {
        bail!("{} is not a directory", dir.display());
    }
    let engine = open(dir)?;
    let recovery = engine.recovery().clone();
    let report = engine.check_invariants().context("invariant violated")?;
    engine.close()?;
    if let Some(torn) = &recovery.torn_tail {
        println!("cut a torn log tail in {} at byte {} ({})", torn.path.display(), torn.offset, torn.reason);
    }
    println!(
        "ok: {} records replayed after checkpoint LSN {}; {} SKUs, {} cells, {} reserved of {} on hand, \
         {} held reservations, {} orders whose stock agrees with their state",
        recovery.records_replayed,
        recovery.checkpoint_lsn,
        report.skus,
        report.cells,
        report.reserved,
        report.on_hand,
        report.held_reservations,
        report.orders
    );
    Ok(())
}

/// Opens without housekeeping: looking at a directory must not expire its reservations or fire
/// its timers (recovery itself writes nothing but a closing mark).
fn open(dir: &Path) -> Result<Engine> {
    Engine::open(dir, EngineOptions::default().sync(SyncMode::Always).housekeeping(false).checkpoint_every_bytes(0))
        .with_context(|| format!("opening {}", dir.display()))
}
