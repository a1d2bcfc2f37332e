//! Stock cells (one SKU in one warehouse), safety buffers, and the movements that change them.

use serde::{Deserialize, Serialize};

use crate::ids::WarehouseId;
use crate::limits::CELL_UNITS_MAX;
use crate::log::Movement;

/// Units held back from sale in a cell, so a promotion cannot sell the last units a channel's
/// stale count still shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BufferRule {
    /// A fixed number of units.
    Units(u64),
    /// A share of on-hand stock, in whole percent (0..=100), rounded up to whole units.
    Percent(u8),
}

impl BufferRule {
    pub fn units(self, on_hand: u64) -> u64 {
        match self {
            BufferRule::Units(units) => units.min(on_hand),
            BufferRule::Percent(percent) => (on_hand * u64::from(percent)).div_ceil(100),
        }
    }
}

/// An `Option<BufferRule>` in 8 bytes instead of 16 (stock cells are the bulk of the engine's
/// memory): 0 is no rule; otherwise a tag bit says units or percent and the rest is the value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PackedBuffer(u64);

impl PackedBuffer {
    const UNITS: u64 = 1 << 62;
    const PERCENT: u64 = 1 << 63;
    pub(crate) const NONE: PackedBuffer = PackedBuffer(0);

    pub(crate) fn pack(rule: Option<BufferRule>) -> PackedBuffer {
        match rule {
            None => PackedBuffer::NONE,
            // CELL_UNITS_MAX < 2^62, so the value never reaches the tag bits.
            Some(BufferRule::Units(units)) => PackedBuffer(PackedBuffer::UNITS | units.min(CELL_UNITS_MAX)),
            Some(BufferRule::Percent(percent)) => PackedBuffer(PackedBuffer::PERCENT | u64::from(percent)),
        }
    }

    pub(crate) fn unpack(self) -> Option<BufferRule> {
        if self.0 & PackedBuffer::PERCENT != 0 {
            Some(BufferRule::Percent((self.0 & 0xff) as u8))
        } else if self.0 & PackedBuffer::UNITS != 0 {
            Some(BufferRule::Units(self.0 & !PackedBuffer::UNITS))
        } else {
            None
        }
    }
}

/// The counters of one cell, as callers see them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StockLevels {
    pub on_hand: u64,
    pub reserved: u64,
    /// `on_hand − reserved − buffer`, never below zero: what a new order may take.
    pub available: u64,
    pub in_transit: u64,
    /// The safety buffer in units, as applied to the current on-hand count.
    pub buffer: u64,
}

impl StockLevels {
    /// Adds another cell's levels (for the view over several warehouses).
    pub fn add(&mut self, other: StockLevels) {
        self.on_hand += other.on_hand;
        self.reserved += other.reserved;
        self.available += other.available;
        self.in_transit += other.in_transit;
        self.buffer += other.buffer;
    }
}

/// One SKU in one warehouse, in 40 bytes. **Invariant:** `reserved <= on_hand`, whatever
/// happens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Cell {
    pub(crate) on_hand: u64,
    pub(crate) reserved: u64,
    pub(crate) in_transit: u64,
    /// This cell's own rule; none follows the SKU's default.
    pub(crate) buffer: PackedBuffer,
    pub(crate) warehouse: WarehouseId,
}

impl Cell {
    pub(crate) fn new(warehouse: WarehouseId) -> Cell {
        Cell { warehouse, on_hand: 0, reserved: 0, in_transit: 0, buffer: PackedBuffer::NONE }
    }

    pub(crate) fn buffer_units(&self, default: PackedBuffer) -> u64 {
        self.buffer.unpack().or(default.unpack()).map_or(0, |rule| rule.units(self.on_hand))
    }

    pub(crate) fn available(&self, default: PackedBuffer) -> u64 {
        self.on_hand.saturating_sub(self.reserved).saturating_sub(self.buffer_units(default))
    }

    pub(crate) fn levels(&self, default: PackedBuffer) -> StockLevels {
        StockLevels {
            on_hand: self.on_hand,
            reserved: self.reserved,
            available: self.available(default),
            in_transit: self.in_transit,
            buffer: self.buffer_units(default),
        }
    }
}

/// Why a movement cannot apply to a cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MovementRefusal {
    /// On hand would drop below what is reserved (or below zero): `needed` units are missing.
    BelowReserved { needed: u64, available: u64 },
    /// More would land than is in transit.
    MoreThanInTransit { requested: u64, in_transit: u64 },
    /// A counter would exceed `CELL_UNITS_MAX`.
    TooLarge { value: u64 },
}

/// The cell after `movement`, or why it cannot happen. Pure: the live path checks with it before
/// logging, and replay applies with it, so both reach the same state.
pub(crate) fn moved(cell: &Cell, movement: &Movement<'_>) -> Result<Cell, MovementRefusal> {
    let mut next = cell.clone();
    match *movement {
        Movement::Set { on_hand } => next.on_hand = on_hand,
        Movement::Receive { qty } => next.on_hand = cell.on_hand.saturating_add(qty),
        Movement::Adjust { delta, .. } => {
            next.on_hand = if delta >= 0 {
                cell.on_hand.saturating_add(delta.unsigned_abs())
            } else {
                let removed = delta.unsigned_abs();
                let removable = cell.on_hand - cell.reserved;
                if removed > removable {
                    return Err(MovementRefusal::BelowReserved { needed: removed, available: removable });
                }
                cell.on_hand - removed
            }
        }
        Movement::ExpectInbound { qty } => next.in_transit = cell.in_transit.saturating_add(qty),
        Movement::LandInbound { qty } => {
            if qty > cell.in_transit {
                return Err(MovementRefusal::MoreThanInTransit { requested: qty, in_transit: cell.in_transit });
            }
            next.in_transit = cell.in_transit - qty;
            next.on_hand = cell.on_hand.saturating_add(qty);
        }
    }
    if next.on_hand < next.reserved {
        return Err(MovementRefusal::BelowReserved {
            needed: cell.reserved - next.on_hand.min(cell.reserved),
            available: 0,
        });
    }
    for value in [next.on_hand, next.in_transit] {
        if value > CELL_UNITS_MAX {
            return Err(MovementRefusal::TooLarge { value });
        }
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(on_hand: u64, reserved: u64) -> Cell {
        Cell { on_hand, reserved, ..Cell::new(WarehouseId(0)) }
    }

    #[test]
    fn available_subtracts_reserved_and_buffer_and_never_goes_negative() {
        let units = |n| PackedBuffer::pack(Some(BufferRule::Units(n)));
        let mut c = cell(10, 4);
        assert_eq!(c.available(PackedBuffer::NONE), 6);
        assert_eq!(c.available(units(5)), 1);
        assert_eq!(c.available(units(50)), 0);
        c.buffer = PackedBuffer::pack(Some(BufferRule::Percent(15))); // 1.5 units rounds up to 2
        assert_eq!(c.available(units(9)), 4, "the cell's own rule wins");
        assert_eq!(BufferRule::Percent(100).units(7), 7);
        assert_eq!(std::mem::size_of::<Cell>(), 40);
    }

    #[test]
    fn buffers_pack_and_unpack() {
        for rule in
            [None, Some(BufferRule::Units(0)), Some(BufferRule::Units(CELL_UNITS_MAX)), Some(BufferRule::Percent(100))]
        {
            assert_eq!(PackedBuffer::pack(rule).unpack(), rule);
        }
    }

    #[test]
    fn movements_never_take_on_hand_below_reserved() {
        let c = cell(10, 8);
        let lose = |n: i64| Movement::Adjust { delta: -n, reason: "damaged".into() };
        assert_eq!(moved(&c, &lose(2)).unwrap().on_hand, 8);
        assert_eq!(moved(&c, &lose(3)), Err(MovementRefusal::BelowReserved { needed: 3, available: 2 }));
        assert!(moved(&c, &Movement::Set { on_hand: 7 }).is_err());
        assert_eq!(moved(&c, &Movement::Set { on_hand: 8 }).unwrap().on_hand, 8);
    }

    #[test]
    fn inbound_lands_only_what_is_in_transit() {
        let c = moved(&cell(0, 0), &Movement::ExpectInbound { qty: 5 }).unwrap();
        assert_eq!(c.in_transit, 5);
        assert!(moved(&c, &Movement::LandInbound { qty: 6 }).is_err());
        let landed = moved(&c, &Movement::LandInbound { qty: 5 }).unwrap();
        assert_eq!((landed.on_hand, landed.in_transit), (5, 0));
    }
}
