//! Dense internal ids and log sequence numbers.
//!
//! External codes are strings; the catalogue interns each once and hands out a dense id, so the
//! reservation path indexes arrays instead of hashing strings.

use serde::{Deserialize, Serialize};

/// Dense id of a SKU: its position in the catalogue, in the order SKUs were added.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SkuId(pub u32);

/// Dense id of a warehouse: its position in the catalogue, in the order warehouses were added.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct WarehouseId(pub u16);

/// Log sequence number: the position of a record in the log, starting at 1. Zero means "no
/// record". A state change with a larger LSN happened after every change with a smaller one.
pub type Lsn = u64;

impl SkuId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl WarehouseId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}
