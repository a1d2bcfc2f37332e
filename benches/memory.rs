//! Not a timing: the resident memory a SKU and its stock cells cost, measured as growth of this
//! process's resident set while 100,000 SKUs are catalogued and stocked in N warehouses.
//!
//! `cargo bench --bench memory -- <warehouses>` (one configuration per process, so that memory
//! freed by one configuration cannot flatter the next). Figures go to BENCHMARKS.md.

use allot_core::{Engine, EngineOptions, Role, SyncMode, WarehouseSpec};

const SKUS: u32 = 100_000;

fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

fn main() {
    let warehouses: u32 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1);
    let engine = Engine::open_in_memory(EngineOptions::default().sync(SyncMode::None)).unwrap();
    let admin = engine.client(Role::Admin);
    let warehouse_codes: Vec<String> = (0..warehouses).map(|w| format!("WH{w}")).collect();
    for (w, code) in warehouse_codes.iter().enumerate() {
        admin.add_warehouse(code, WarehouseSpec::new("310000", w as u32)).unwrap();
    }
    let codes: Vec<String> = (0..SKUS).map(|i| format!("SKU-{i:06}")).collect();
    let start = resident_bytes();
    for code in &codes {
        admin.add_sku(code, "furniture").unwrap();
    }
    let catalogued = resident_bytes();
    for code in &codes {
        for warehouse in &warehouse_codes {
            admin.set_stock(code, warehouse, 1_000).unwrap();
        }
    }
    let stocked = resident_bytes();
    let cells = f64::from(SKUS * warehouses);
    println!(
        "memory, {SKUS} SKUs x {warehouses} warehouse(s): SKU with catalogue entry and code index {:.1} B; \
         each stock cell {:.1} B more; everything per cell {:.1} B",
        (catalogued - start) as f64 / f64::from(SKUS),
        (stocked - catalogued) as f64 / cells,
        (stocked - start) as f64 / cells,
    );
    engine.close().unwrap();
}
