//! What the log records: one variant per kind of state change, postcard-encoded.
//!
//! **Invariant:** variants and fields are never reordered or removed, because postcard encodes
//! a variant by its position and fields by their order. New kinds of change get new variants at
//! the end; a changed meaning gets a new segment format number.
//!
//! Replay applies records exactly as the live engine did: every decision that depended on
//! policy or time (which warehouse, when it expires, whether it expired) is in the record.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::ids::{SkuId, WarehouseId};
use crate::inventory::{BufferRule, ReservedLines};
use crate::order::PipelineChange;

/// `#[non_exhaustive]`: later kinds of change (the order pipeline's) add variants, so code
/// outside the engine that matches on records keeps a catch-all arm.
// Records live briefly (encoded at once, or handed to a subscriber); an intake's order form
// inline is cheaper than a box per order.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Record<'a> {
    AddWarehouse {
        id: WarehouseId,
        #[serde(borrow)]
        code: Cow<'a, str>,
        #[serde(borrow)]
        region: Cow<'a, str>,
        priority: u32,
        active: bool,
    },
    UpdateWarehouse {
        id: WarehouseId,
        priority: u32,
        active: bool,
    },
    AddSku {
        id: SkuId,
        #[serde(borrow)]
        code: Cow<'a, str>,
        #[serde(borrow)]
        category: Cow<'a, str>,
    },
    /// `warehouse: None` sets the SKU's default; `rule: None` clears the cell's own rule.
    SetBuffer {
        sku: SkuId,
        warehouse: Option<WarehouseId>,
        rule: Option<BufferRule>,
    },
    Move {
        sku: SkuId,
        warehouse: WarehouseId,
        #[serde(borrow)]
        movement: Movement<'a>,
    },
    Reserve {
        #[serde(borrow)]
        order: Cow<'a, str>,
        /// Decodes without allocating for orders of up to two lines.
        lines: Cow<'a, ReservedLines>,
        expires_at_ms: Option<u64>,
        at_ms: u64,
    },
    Settle {
        #[serde(borrow)]
        order: Cow<'a, str>,
        settlement: Settlement,
        at_ms: u64,
    },
    /// A change in the order pipeline: orders, tasks, the blacklist, the rules.
    Pipeline {
        at_ms: u64,
        #[serde(borrow)]
        change: PipelineChange<'a>,
    },
    /// An order's change (taken in, or moved) together with the stock step it needs, in one
    /// record, so that a crash cannot keep one without the other: stock held for an order the
    /// book never took in, or goods restocked twice for one return. The order is the change's.
    PipelineStock {
        at_ms: u64,
        #[serde(borrow)]
        change: PipelineChange<'a>,
        #[serde(borrow)]
        stock: StockStep<'a>,
    },
}

/// The stock side of a [`Record::PipelineStock`], for the change's order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StockStep<'a> {
    /// Holds these lines for the order, with no TTL: the order's life decides when they go.
    Reserve {
        #[serde(borrow)]
        lines: Cow<'a, ReservedLines>,
    },
    /// Commits or releases the order's held reservation.
    Settle(Settlement),
    /// Returned goods go back on hand in one warehouse: (SKU, units) per line.
    Restock {
        warehouse: WarehouseId,
        #[serde(borrow)]
        lines: Cow<'a, [(SkuId, u32)]>,
    },
}

/// A change to one stock cell.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Movement<'a> {
    /// A stocktake: on hand becomes exactly this.
    Set { on_hand: u64 },
    /// Goods arrived outside an expected inbound.
    Receive { qty: u64 },
    /// A signed correction with the reason (damage, loss, found).
    Adjust {
        delta: i64,
        #[serde(borrow)]
        reason: Cow<'a, str>,
    },
    /// Goods on their way to the warehouse (in transit, not yet sellable).
    ExpectInbound { qty: u64 },
    /// In-transit goods arrived: moved from in transit to on hand.
    LandInbound { qty: u64 },
}

/// How a held reservation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Settlement {
    /// The goods left: on hand and reserved both drop.
    Commit,
    /// Cancelled: reserved drops.
    Release,
    /// Its TTL passed: reserved drops.
    Expire,
}

impl Record<'_> {
    /// The same record, owning its strings (for events that outlive the log's bytes).
    pub fn into_owned(self) -> Record<'static> {
        let own = |text: Cow<'_, str>| Cow::Owned(text.into_owned());
        match self {
            Record::AddWarehouse { id, code, region, priority, active } => {
                Record::AddWarehouse { id, code: own(code), region: own(region), priority, active }
            }
            Record::UpdateWarehouse { id, priority, active } => Record::UpdateWarehouse { id, priority, active },
            Record::AddSku { id, code, category } => Record::AddSku { id, code: own(code), category: own(category) },
            Record::SetBuffer { sku, warehouse, rule } => Record::SetBuffer { sku, warehouse, rule },
            Record::Move { sku, warehouse, movement } => {
                let movement = match movement {
                    Movement::Adjust { delta, reason } => Movement::Adjust { delta, reason: own(reason) },
                    Movement::Set { on_hand } => Movement::Set { on_hand },
                    Movement::Receive { qty } => Movement::Receive { qty },
                    Movement::ExpectInbound { qty } => Movement::ExpectInbound { qty },
                    Movement::LandInbound { qty } => Movement::LandInbound { qty },
                };
                Record::Move { sku, warehouse, movement }
            }
            Record::Reserve { order, lines, expires_at_ms, at_ms } => {
                Record::Reserve { order: own(order), lines: Cow::Owned(lines.into_owned()), expires_at_ms, at_ms }
            }
            Record::Settle { order, settlement, at_ms } => Record::Settle { order: own(order), settlement, at_ms },
            Record::Pipeline { at_ms, change } => Record::Pipeline { at_ms, change: change.into_owned() },
            Record::PipelineStock { at_ms, change, stock } => {
                let stock = match stock {
                    StockStep::Reserve { lines } => StockStep::Reserve { lines: Cow::Owned(lines.into_owned()) },
                    StockStep::Settle(settlement) => StockStep::Settle(settlement),
                    StockStep::Restock { warehouse, lines } => {
                        StockStep::Restock { warehouse, lines: Cow::Owned(lines.into_owned()) }
                    }
                };
                Record::PipelineStock { at_ms, change: change.into_owned(), stock }
            }
        }
    }
}

impl<'a> Record<'a> {
    /// The pipeline change a record carries, with its time: every `Pipeline` record, and the
    /// order change of a `PipelineStock` one. What an event subscriber of the pipeline reads.
    pub fn pipeline(&self) -> Option<(u64, &PipelineChange<'a>)> {
        match self {
            Record::Pipeline { at_ms, change } | Record::PipelineStock { at_ms, change, .. } => Some((*at_ms, change)),
            _ => None,
        }
    }

    /// [`Record::pipeline`], by value.
    pub fn into_pipeline(self) -> Option<(u64, PipelineChange<'a>)> {
        match self {
            Record::Pipeline { at_ms, change } | Record::PipelineStock { at_ms, change, .. } => Some((at_ms, change)),
            _ => None,
        }
    }

    /// Encodes for the tests and tools that build logs by hand; the writer encodes in place.
    pub fn to_bytes(&self) -> Vec<u8> {
        postcard::to_stdvec(self).expect("records always encode")
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Record<'_>, postcard::Error> {
        postcard::from_bytes(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::ReservedLine;

    #[test]
    fn records_round_trip_borrowing_their_strings() {
        let lines: ReservedLines =
            [ReservedLine { sku: SkuId(3), warehouse: WarehouseId(1), qty: 2 }].into_iter().collect();
        let record = Record::Reserve {
            order: Cow::Borrowed("ORD-1"),
            lines: Cow::Borrowed(&lines),
            expires_at_ms: Some(1_800_000),
            at_ms: 5,
        };
        let bytes = record.to_bytes();
        let decoded = Record::from_bytes(&bytes).unwrap();
        assert_eq!(decoded, record);
        let Record::Reserve { order, .. } = decoded else { unreachable!() };
        assert!(matches!(order, Cow::Borrowed(_)), "replay should not copy order ids");
    }

    /// The encoding is an on-disk format: this pins the bytes of one record of each kind.
    #[test]
    fn encoding_is_stable() {
        let add = Record::AddSku { id: SkuId(1), code: "A".into(), category: "c".into() };
        assert_eq!(add.to_bytes(), [2, 1, 1, b'A', 1, b'c']);
        let settle = Record::Settle { order: "O".into(), settlement: Settlement::Release, at_ms: 300 };
        assert_eq!(settle.to_bytes(), [6, 1, b'O', 1, 0xac, 0x02]);
        let adjust = Record::Move {
            sku: SkuId(0),
            warehouse: WarehouseId(2),
            movement: Movement::Adjust { delta: -1, reason: "x".into() },
        };
        assert_eq!(adjust.to_bytes(), [4, 0, 2, 2, 1, 1, b'x']);
        let restock = Record::PipelineStock {
            at_ms: 1,
            change: PipelineChange::Notified { order: "O".into(), kind: crate::order::Notification::Shipped },
            stock: StockStep::Restock { warehouse: WarehouseId(1), lines: Cow::Owned(vec![(SkuId(2), 3)]) },
        };
        assert_eq!(restock.to_bytes()[0], 8, "PipelineStock is the ninth kind of record");
        assert!(restock.to_bytes().ends_with(&[2, 1, 1, 2, 3]), "Restock: variant, warehouse, one line (SKU, units)");
    }

    #[test]
    fn a_pipeline_stock_record_round_trips_and_shows_its_change() {
        let lines: ReservedLines =
            [ReservedLine { sku: SkuId(3), warehouse: WarehouseId(1), qty: 2 }].into_iter().collect();
        let change = PipelineChange::Notified { order: "jd:1".into(), kind: crate::order::Notification::Delivered };
        let record = Record::PipelineStock {
            at_ms: 9,
            change: change.clone(),
            stock: StockStep::Reserve { lines: Cow::Borrowed(&lines) },
        };
        let bytes = record.to_bytes();
        let decoded = Record::from_bytes(&bytes).unwrap();
        assert_eq!(decoded, record);
        assert_eq!(decoded.pipeline(), Some((9, &change)));
        assert_eq!(decoded.into_owned().into_pipeline(), Some((9, change)));
        assert_eq!(Record::Settle { order: "O".into(), settlement: Settlement::Commit, at_ms: 1 }.pipeline(), None);
    }
}
