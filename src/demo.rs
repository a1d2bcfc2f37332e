//! `allot demo`: a flash sale of the last hundred sofas, on a real data directory.
//!
//! Buyers on several threads order one or two sofas each, as fast as they can, until the stock
//! runs out; a courier integration tries to reserve and is refused; a retried order is answered
//! from its first reservation. Then most orders ship, some are cancelled, the directory is
//! closed and reopened, and the stock is checked again: nothing oversold, nothing lost.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use allot_core::{Engine, EngineOptions, Error, ReserveOptions, Role, SyncMode, WarehouseSpec};
use anyhow::{Context, Result, bail, ensure};

const MARKER: &str = "ALLOT-DEMO";
const SOFA: &str = "SOFA-3P";
const WAREHOUSES: [(&str, &str, u32, u64); 3] =
    [("WH-SH", "310000", 1, 40), ("WH-BJ", "110000", 1, 35), ("WH-GZ", "440100", 2, 25)];
const REGIONS: [&str; 4] = ["310104", "110105", "440106", "510104"];

pub fn run(dir: &Path, buyers: usize) -> Result<()> {
    ensure!((1..=256).contains(&buyers), "--buyers must be between 1 and 256");
    prepare(dir)?;
    let options = EngineOptions::default().sync(SyncMode::Always);
    let engine = Engine::open(dir, options.clone()).with_context(|| format!("opening {}", dir.display()))?;
    let admin = engine.client(Role::Admin);
    admin.add_sku(SOFA, "furniture")?;
    for (code, region, priority, units) in WAREHOUSES {
        admin.add_warehouse(code, WarehouseSpec::new(region, priority))?;
        admin.set_stock(SOFA, code, units)?;
    }
    let stock: u64 = WAREHOUSES.iter().map(|w| w.3).sum();
    say!("flash sale: {stock} x {SOFA} in {} warehouses, {buyers} buyers, sync=always", WAREHOUSES.len())?;

    let courier = engine.client(Role::Logistics);
    match courier.reserve("COURIER-TEST-1", &[(SOFA, 1)], &ReserveOptions::new()) {
        Err(Error::PermissionDenied { .. }) => {
            say!("  courier integration tried to reserve: refused (permission denied)")?
        }
        other => bail!("a logistics client must not reserve stock, got {other:?}"),
    }

    let started = Instant::now();
    let (sold, refused, orders_made) = (AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0));
    std::thread::scope(|scope| -> Result<()> {
        let mut handles = Vec::new();
        for buyer in 0..buyers {
            let orders = engine.client(Role::Orders);
            let (sold, refused, orders_made) = (&sold, &refused, &orders_made);
            handles.push(scope.spawn(move || -> Result<()> {
                for n in 0.. {
                    let qty = 1 + (buyer + n) as u32 % 2;
                    let order = format!("B{buyer}-{n}");
                    let ship_to = ReserveOptions::new().ship_to(REGIONS[(buyer + n) % REGIONS.len()]);
                    match orders.reserve(&order, &[(SOFA, qty)], &ship_to) {
                        Ok(_) => {
                            sold.fetch_add(u64::from(qty), Ordering::Relaxed);
                            orders_made.fetch_add(1, Ordering::Relaxed);
                            if n % 3 == 2 {
                                orders.release(&order)?; // changed their mind
                                sold.fetch_sub(u64::from(qty), Ordering::Relaxed);
                            } else {
                                orders.commit(&order)?;
                            }
                        }
                        Err(Error::InsufficientStock { .. }) => {
                            refused.fetch_add(1, Ordering::Relaxed);
                            if orders.stock(SOFA)?.available == 0 {
                                return Ok(());
                            }
                        }
                        Err(error) => return Err(error.into()),
                    }
                }
                Ok(())
            }));
        }
        for handle in handles {
            handle.join().expect("buyer thread panicked")?;
        }
        Ok(())
    })?;
    let elapsed = started.elapsed();

    let orders = engine.client(Role::Orders);
    let retry = orders.reserve("B0-0", &[(SOFA, 1)], &ReserveOptions::new())?;
    say!("  a retried order B0-0 was answered from its first reservation (repeat: {})", retry.repeat)?;
    let sold = sold.into_inner();
    let before = orders.stock(SOFA)?;
    say!(
        "  {} orders in {:.1?} ({:.0} durable reservations/s), {} refused when stock ran out",
        orders_made.load(Ordering::Relaxed),
        elapsed,
        orders_made.load(Ordering::Relaxed) as f64 / elapsed.as_secs_f64(),
        refused.into_inner()
    )?;
    for (warehouse, levels) in orders.cells(SOFA)? {
        say!("  {:6} on hand {:3}  reserved {:3}", warehouse.code, levels.on_hand, levels.reserved)?;
    }
    engine.close()?;

    let engine = Engine::open(dir, options)?;
    let after = engine.client(Role::Viewer).stock(SOFA)?;
    let invariants = engine.check_invariants()?;
    engine.close()?;
    let oversold = u64::from(sold > stock) * (sold - stock.min(sold));
    say!("proof:")?;
    say!("  units sold {sold} of {stock}; oversold {oversold}")?;
    say!("  reopened after close: {} records replayed, stock identical: {}", replayed(dir)?, before == after)?;
    say!(
        "  invariants hold: {} cells, {} reserved <= {} on hand",
        invariants.cells,
        invariants.reserved,
        invariants.on_hand
    )?;
    ensure!(oversold == 0 && sold + after.on_hand == stock && before == after, "the sale did not add up");
    Ok(())
}

fn replayed(dir: &Path) -> Result<u64> {
    Ok(allot_core::log::read_records(dir, |_, _| {})?.records)
}

/// Starts from an empty directory: creates it, or clears one that an earlier demo made. Any
/// other non-empty directory is left alone.
fn prepare(dir: &Path) -> Result<()> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir)?.next().is_none();
        if !empty {
            ensure!(
                dir.join(MARKER).exists(),
                "{} holds data that an earlier demo did not make; choose another --dir",
                dir.display()
            );
            std::fs::remove_dir_all(dir)?;
        }
    }
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join(MARKER), "made by `allot demo`; the next demo clears this directory\n")?;
    Ok(())
}
