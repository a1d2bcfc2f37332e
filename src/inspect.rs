//! `allot inspect` and `allot verify`: what a data directory holds, and whether it is sound.

use std::path::Path;

use allot_core::log::describe;
use allot_core::{Engine, EngineOptions, Role, TornTail};
use anyhow::{Context, Result, bail};

pub fn inspect(dir: &Path) -> Result<()> {
    if !dir.is_dir() {
        bail!("{} is not a directory", dir.display());
    }
    let files = describe(dir).with_context(|| format!("reading the log in {}", dir.display()))?;
    say!("data directory {}", dir.display())?;
    let summary = &files.summary;
    say!("  last writer stopped: {}", summary.shutdown.name())?;
    for segment in &files.segments {
        say!(
            "  segment {:>4}  first LSN {:>10}  {:>10} bytes  {}",
            segment.seq,
            segment.first_lsn,
            segment.bytes,
            segment.path.display()
        )?;
    }
    say!("  spare segments: {}", files.spare_segments)?;
    if let Some((lsn, path, bytes)) = &files.checkpoint {
        say!("  checkpoint at LSN {lsn}  {bytes} bytes  {}", path.display())?;
    }
    for leftover in &files.leftovers {
        say!("  left over (an open removes it): {}", leftover.display())?;
    }
    say!(
        "  log records: {} (LSN {}..={}), durable through LSN {}",
        summary.records,
        summary.first_lsn,
        summary.last_lsn,
        files.durable_lsn
    )?;
    if let Some(torn) = &summary.torn_tail {
        print_cut(torn)?;
    }

    let engine = open(dir)?;
    let metrics = engine.metrics()?;
    let viewer = engine.client(Role::Viewer);
    say!("catalogue: {} warehouses, {} SKUs", metrics.warehouses, metrics.skus)?;
    for warehouse in viewer.warehouses()? {
        let state = if warehouse.active { "active" } else { "inactive" };
        say!("  {} region {} priority {} {state}", warehouse.code, warehouse.region, warehouse.priority)?;
    }
    let report = engine.check_invariants()?;
    say!("stock: {} cells, {} units on hand, {} reserved", report.cells, report.on_hand, report.reserved)?;
    say!(
        "reservations: {} held, {} committed, {} released, {} expired",
        metrics.reservations_held,
        metrics.reservations_committed,
        metrics.reservations_released,
        metrics.reservations_expired
    )?;
    let orders: u64 = metrics.orders_by_state.iter().map(|(_, n)| n).sum();
    let by_state: Vec<String> = metrics
        .orders_by_state
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(state, n)| format!("{} {n}", state.name()))
        .collect();
    say!("orders: {orders} ({})", if by_state.is_empty() { "none".to_string() } else { by_state.join(", ") })?;
    let open_tasks: Vec<String> = metrics
        .open_tasks_by_severity
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(severity, n)| format!("{} {n}", severity.name()))
        .collect();
    if !open_tasks.is_empty() {
        say!("open tasks: {}", open_tasks.join(", "))?;
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
        print_cut(torn)?;
    }
    say!(
        "ok: last writer stopped: {}; {} records replayed after checkpoint LSN {}, durable through LSN {}; \
         {} SKUs, {} cells, {} reserved of {} on hand, {} held reservations, \
         {} orders whose stock agrees with their state",
        recovery.shutdown.name(),
        recovery.records_replayed,
        recovery.checkpoint_lsn,
        recovery.durable_lsn,
        report.skus,
        report.cells,
        report.reserved,
        report.on_hand,
        report.held_reservations,
        report.orders
    )?;
    Ok(())
}

/// What an open of the directory would cut (nothing here cuts it: only an open does).
fn print_cut(torn: &TornTail) -> std::io::Result<()> {
    say!(
        "an open would cut the log in {} at byte {}: {} damaged bytes, {} records never durable ({})",
        torn.path.display(),
        torn.offset,
        torn.damaged_bytes,
        torn.discarded_records,
        torn.reason
    )
}

/// Opens read-only: looking at a directory changes no byte of it (no lock, no repair, no
/// expired reservations or fired timers), and works on a read-only file system.
fn open(dir: &Path) -> Result<Engine> {
    Engine::open_read_only(dir, EngineOptions::default()).with_context(|| format!("opening {}", dir.display()))
}
