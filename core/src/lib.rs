//! Allot's engine: one central stock layer for every SKU in every warehouse.
//!
//! Stock is reserved the moment an order arrives, all lines or none, never more than exists,
//! under any concurrency and across any crash. Every change is a record in a memory-mapped
//! write-ahead log before it is acknowledged, and a restart rebuilds exactly the same state.
//!
//! ```
//! use allot_core::{Engine, EngineOptions, ReserveOptions, Role, SyncMode, WarehouseSpec};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let engine = Engine::open(dir.path(), EngineOptions::default().sync(SyncMode::Always)).unwrap();
//! let admin = engine.client(Role::Admin);
//! admin.add_warehouse("WH-SH", WarehouseSpec::new("310000", 1)).unwrap();
//! admin.add_sku("SOFA-3P", "furniture").unwrap();
//! admin.set_stock("SOFA-3P", "WH-SH", 100).unwrap();
//!
//! let orders = engine.client(Role::Orders);
//! let held = orders.reserve("ORD-1", &[("SOFA-3P", 2)], &ReserveOptions::new().ship_to("310105")).unwrap();
//! assert_eq!(held.lines[0].qty, 2);
//! orders.commit("ORD-1").unwrap();
//! assert_eq!(orders.stock("SOFA-3P").unwrap().on_hand, 98);
//! engine.close().unwrap();
//! ```
//!
//! The map of the code is in ARCHITECTURE.md at the repository's root.

mod client;
mod clock;
mod engine;
mod error;
mod faults;
mod ids;
mod inventory;
pub mod limits;
pub mod log;
pub mod logistics;
mod metrics;
pub mod order;
mod role;
pub mod routing;
mod sync;
mod validate;

#[cfg(all(test, loom))]
mod loom_models;

/// The README's Rust example, compiled and run as a doctest so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeExample;

pub use crate::client::{Client, OrderRequest, ReserveOptions, Subscription, WarehouseSpec};
pub use crate::clock::{Clock, ManualClock, SystemClock};
pub use crate::engine::{CheckpointReport, Engine, EngineOptions, RecoveryReport, RulesWatch};
pub use crate::error::{Error, ErrorCode, Result};
pub use crate::faults::Faults;
#[cfg(feature = "fault-injection")]
pub use crate::faults::SimulatedCrash;
pub use crate::ids::{Lsn, SkuId, WarehouseId};
pub use crate::inventory::{
    BufferRule, DistanceTable, InvariantReport, PrefixDistance, RegionDistance, Reservation, ReservationState,
    ReservedLine, ReservedLines, Settled, Sku, StockLevels, Warehouse,
};
pub use crate::log::{Event, Shutdown, SyncMode, TornTail};
pub use crate::metrics::Metrics;
pub use crate::role::{Operation, Role};
