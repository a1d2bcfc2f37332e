//! Which warehouse serves which line: a pure function of the stock it is shown.
//!
//! Policy, in order: one warehouse for the whole order if any can serve every line; among
//! those, the nearest to the ship-to region, then the lowest priority number, then the one with
//! the most stock for the order's lines, then the lowest id (so the choice is deterministic).
//! Only if no single warehouse can serve the order, and the caller allows splitting, each line
//! goes to its own best warehouse (preferring warehouses the order already uses), and a line
//! that no single warehouse can cover is filled from several in rank order.

use std::cmp::Reverse;
use std::fmt::Debug;

use smallvec::SmallVec;

use crate::ids::{SkuId, WarehouseId};
use crate::inventory::catalogue::{Warehouse, WarehouseTable};
use crate::inventory::stripes::SkuStock;
use crate::inventory::{ReservedLine, ReservedLines};
use crate::limits::REGION_DISTANCE_MAX;

/// How far a warehouse's region is from a ship-to region. Smaller is nearer; zero is the same
/// place. Implementations must be cheap and pure: they run for every candidate of every order.
pub trait RegionDistance: Send + Sync + Debug {
    fn distance(&self, ship_to: &str, warehouse_region: &str) -> u32;
}

/// The default distance: how many characters of the longer code are not in the common prefix.
/// With hierarchical codes (province, city, district digits) the same city is nearer than the
/// same province, which is nearer than elsewhere.
#[derive(Clone, Copy, Debug, Default)]
pub struct PrefixDistance;

impl RegionDistance for PrefixDistance {
    fn distance(&self, ship_to: &str, warehouse_region: &str) -> u32 {
        let common = ship_to.bytes().zip(warehouse_region.bytes()).take_while(|(a, b)| a == b).count();
        (ship_to.len().max(warehouse_region.len()) - common) as u32
    }
}

/// Explicit distances between region prefixes, with [`PrefixDistance`] for pairs it does not
/// name. The entry with the longest matching prefixes wins.
#[derive(Clone, Debug, Default)]
pub struct DistanceTable {
    entries: Vec<(String, String, u32)>,
}

impl DistanceTable {
    pub fn new() -> DistanceTable {
        DistanceTable::default()
    }

    /// Orders shipping to regions starting with `ship_to_prefix` see warehouses in regions
    /// starting with `warehouse_prefix` at `distance` (capped at `REGION_DISTANCE_MAX`).
    pub fn with(mut self, ship_to_prefix: &str, warehouse_prefix: &str, distance: u32) -> DistanceTable {
        self.entries.push((ship_to_prefix.into(), warehouse_prefix.into(), distance.min(REGION_DISTANCE_MAX)));
        self
    }
}

impl RegionDistance for DistanceTable {
    fn distance(&self, ship_to: &str, warehouse_region: &str) -> u32 {
        self.entries
            .iter()
            .filter(|(from, to, _)| ship_to.starts_with(from.as_str()) && warehouse_region.starts_with(to.as_str()))
            .max_by_key(|(from, to, _)| from.len() + to.len())
            .map_or_else(|| PrefixDistance.distance(ship_to, warehouse_region), |(_, _, d)| *d)
    }
}

/// Why an order cannot be placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Shortage {
    pub(crate) sku: SkuId,
    pub(crate) requested: u64,
    pub(crate) available: u64,
    /// The warehouse that came closest, when the order had to be served from one.
    pub(crate) warehouse: Option<WarehouseId>,
}

pub(crate) struct Order<'a> {
    /// Distinct SKUs, ascending, with their total quantity.
    pub(crate) lines: &'a [(SkuId, u32)],
    /// The stock of each line's SKU, in the same order.
    pub(crate) stocks: &'a [&'a SkuStock],
    /// Distance from the ship-to region to each warehouse, by warehouse id (see [`distances`]).
    pub(crate) distances: &'a [u32],
    pub(crate) allow_split: bool,
}

/// Distances from `ship_to` to every warehouse, by id (all zero without a ship-to region).
/// Computed before any stripe is taken: a `RegionDistance` is the caller's code, and no stripe
/// is held across a call into it.
pub(crate) fn distances(
    table: &WarehouseTable,
    ship_to: Option<&str>,
    distance: &dyn RegionDistance,
) -> SmallVec<[u32; 8]> {
    table
        .warehouses
        .iter()
        .map(|w| ship_to.map_or(0, |to| distance.distance(to, &w.region).min(REGION_DISTANCE_MAX)))
        .collect()
}

type RankKey = (u32, u32);
/// Ordering of candidate warehouses for a whole order: rank, then most stock, then id.
type WholeOrderKey = (RankKey, Reverse<u64>, WarehouseId);
/// Ordering of warehouses when no single one serves the order: most lines served, then rank.
type CoverageKey = (Reverse<usize>, RankKey, WarehouseId);

fn rank(warehouse: &Warehouse, order: &Order<'_>) -> RankKey {
    (order.distances.get(warehouse.id.index()).copied().unwrap_or(REGION_DISTANCE_MAX), warehouse.priority)
}

/// Chooses warehouses for every line, or says which line cannot be served.
pub(crate) fn place(order: &Order<'_>, table: &WarehouseTable) -> Result<ReservedLines, Shortage> {
    if let Some(placed) = place_whole(order, table) {
        return Ok(placed);
    }
    if order.allow_split { place_split(order, table) } else { Err(whole_order_shortage(order, table)) }
}

fn active(table: &WarehouseTable, id: WarehouseId) -> Option<&Warehouse> {
    table.get(id).filter(|w| w.active)
}

fn place_whole(order: &Order<'_>, table: &WarehouseTable) -> Option<ReservedLines> {
    let (&(_, first_qty), first_stock) = (order.lines.first()?, order.stocks.first()?);
    let mut best: Option<(WholeOrderKey, WarehouseId)> = None;
    'candidates: for cell in &first_stock.cells {
        let available = cell.available(first_stock.default_buffer);
        if available < u64::from(first_qty) {
            continue;
        }
        let Some(warehouse) = active(table, cell.warehouse) else { continue };
        let mut total = available;
        for (&(_, qty), stock) in order.lines.iter().zip(order.stocks).skip(1) {
            let here = stock.cell(cell.warehouse).map_or(0, |c| c.available(stock.default_buffer));
            if here < u64::from(qty) {
                continue 'candidates;
            }
            total += here;
        }
        let key = (rank(warehouse, order), Reverse(total), warehouse.id);
        if best.as_ref().is_none_or(|(best_key, _)| key < *best_key) {
            best = Some((key, warehouse.id));
        }
    }
    let (_, warehouse) = best?;
    Some(order.lines.iter().map(|&(sku, qty)| ReservedLine { sku, warehouse, qty }).collect())
}

fn place_split(order: &Order<'_>, table: &WarehouseTable) -> Result<ReservedLines, Shortage> {
    let mut placed = ReservedLines::new();
    let mut used: SmallVec<[WarehouseId; 4]> = SmallVec::new();
    for (&(sku, qty), stock) in order.lines.iter().zip(order.stocks) {
        let qty64 = u64::from(qty);
        let mut candidates: SmallVec<[(RankKey, Reverse<u64>, WarehouseId); 8]> = stock
            .cells
            .iter()
            .filter_map(|cell| {
                let warehouse = active(table, cell.warehouse)?;
                let available = cell.available(stock.default_buffer);
                (available > 0).then(|| (rank(warehouse, order), Reverse(available), warehouse.id))
            })
            .collect();
        let total: u64 = candidates.iter().map(|(_, Reverse(a), _)| a).sum();
        if total < qty64 {
            return Err(Shortage { sku, requested: qty64, available: total, warehouse: None });
        }
        let whole = candidates
            .iter()
            .filter(|(_, Reverse(available), _)| *available >= qty64)
            .min_by_key(|(key, available, id)| (!used.contains(id), *key, *available, *id));
        if let Some(&(_, _, warehouse)) = whole {
            placed.push(ReservedLine { sku, warehouse, qty });
            if !used.contains(&warehouse) {
                used.push(warehouse);
            }
            continue;
        }
        candidates.sort_unstable();
        let mut left = qty64;
        for (_, Reverse(available), warehouse) in candidates {
            let take = available.min(left);
            placed.push(ReservedLine { sku, warehouse, qty: take as u32 });
            if !used.contains(&warehouse) {
                used.push(warehouse);
            }
            left -= take;
            if left == 0 {
                break;
            }
        }
    }
    Ok(placed)
}

/// The shortage to report when no single warehouse can serve the whole order.
fn whole_order_shortage(order: &Order<'_>, table: &WarehouseTable) -> Shortage {
    // A line that no warehouse can serve on its own is the clearest answer.
    for (&(sku, qty), stock) in order.lines.iter().zip(order.stocks) {
        let best = stock
            .cells
            .iter()
            .filter(|cell| active(table, cell.warehouse).is_some())
            .map(|cell| (cell.available(stock.default_buffer), cell.warehouse))
            .max_by_key(|&(available, id)| (available, Reverse(id)));
        let (available, warehouse) = best.map_or((0, None), |(a, w)| (a, Some(w)));
        if available < u64::from(qty) {
            return Shortage { sku, requested: u64::from(qty), available, warehouse };
        }
    }
    // Every line fits somewhere, but not all in one place: name the first line that the
    // best-ranked warehouse covering the most lines cannot serve.
    let mut best: Option<(CoverageKey, Shortage)> = None;
    for warehouse in table.warehouses.iter().filter(|w| w.active) {
        let mut served = 0;
        let mut first_missing = None;
        for (&(sku, qty), stock) in order.lines.iter().zip(order.stocks) {
            let here = stock.cell(warehouse.id).map_or(0, |c| c.available(stock.default_buffer));
            if here >= u64::from(qty) {
                served += 1;
            } else if first_missing.is_none() {
                first_missing =
                    Some(Shortage { sku, requested: u64::from(qty), available: here, warehouse: Some(warehouse.id) });
            }
        }
        let key = (Reverse(served), rank(warehouse, order), warehouse.id);
        if let Some(shortage) = first_missing
            && best.as_ref().is_none_or(|(best_key, _)| key < *best_key)
        {
            best = Some((key, shortage));
        }
    }
    best.map(|(_, shortage)| shortage).unwrap_or(Shortage {
        sku: order.lines[0].0,
        requested: u64::from(order.lines[0].1),
        available: 0,
        warehouse: None,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::inventory::cell::{Cell, PackedBuffer};

    fn table(regions: &[(&str, u32)]) -> WarehouseTable {
        WarehouseTable {
            warehouses: regions
                .iter()
                .enumerate()
                .map(|(i, &(region, priority))| Warehouse {
                    id: WarehouseId(i as u16),
                    code: Arc::from(format!("WH{i}")),
                    region: Arc::from(region),
                    priority,
                    active: true,
                })
                .collect(),
        }
    }

    fn stock(available_by_warehouse: &[u64]) -> SkuStock {
        #[allow(clippy::useless_conversion)]
        SkuStock {
            default_buffer: PackedBuffer::NONE,
            cells: available_by_warehouse
                .iter()
                .enumerate()
                .map(|(i, &on_hand)| Cell { on_hand, ..Cell::new(WarehouseId(i as u16)) })
                .collect(),
        }
    }

    fn warehouses_of(lines: &ReservedLines) -> Vec<(u32, u16, u32)> {
        lines.iter().map(|l| (l.sku.0, l.warehouse.0, l.qty)).collect()
    }

    #[test]
    fn prefix_distance_prefers_same_city_then_same_province() {
        let d = PrefixDistance;
        assert_eq!(d.distance("310000", "310000"), 0);
        assert!(d.distance("310101", "310100") < d.distance("310101", "320100"));
        assert!(d.distance("310101", "320100") < d.distance("310101", "110100"));
    }

    #[test]
    fn nearest_warehouse_wins_then_priority_then_most_stock() {
        let table = table(&[("110000", 1), ("310000", 2), ("310000", 1), ("310000", 1)]);
        let a = stock(&[100, 100, 5, 9]);
        let lines = [(SkuId(0), 3)];
        let order = Order {
            lines: &lines,
            stocks: &[&a],
            distances: &distances(&table, Some("310105"), &PrefixDistance),
            allow_split: false,
        };
        // WH1..3 are all in Shanghai; WH2 and WH3 have priority 1; WH3 has more stock.
        assert_eq!(warehouses_of(&place(&order, &table).unwrap()), vec![(0, 3, 3)]);
        let order = Order { distances: &distances(&table, Some("110105"), &PrefixDistance), ..order };
        assert_eq!(warehouses_of(&place(&order, &table).unwrap()), vec![(0, 0, 3)]);
    }

    #[test]
    fn one_warehouse_for_the_whole_order_beats_a_nearer_partial_one() {
        let table = table(&[("310000", 1), ("110000", 1)]);
        let (a, b) = (stock(&[10, 10]), stock(&[0, 10]));
        let lines = [(SkuId(0), 2), (SkuId(1), 2)];
        let order = Order {
            lines: &lines,
            stocks: &[&a, &b],
            distances: &distances(&table, Some("310000"), &PrefixDistance),
            allow_split: true,
        };
        assert_eq!(warehouses_of(&place(&order, &table).unwrap()), vec![(0, 1, 2), (1, 1, 2)]);
    }

    #[test]
    fn splitting_only_when_allowed_and_filling_a_line_from_several_warehouses() {
        let table = table(&[("310000", 1), ("320000", 1), ("110000", 1)]);
        let (a, b) = (stock(&[5, 0, 0]), stock(&[0, 4, 3]));
        let lines = [(SkuId(0), 5), (SkuId(1), 6)];
        let order = Order {
            lines: &lines,
            stocks: &[&a, &b],
            distances: &distances(&table, Some("310000"), &PrefixDistance),
            allow_split: false,
        };
        let shortage = place(&order, &table).unwrap_err();
        assert_eq!((shortage.sku, shortage.requested, shortage.available), (SkuId(1), 6, 4));
        let order = Order { allow_split: true, ..order };
        // Line 1 needs 6: 4 from Jiangsu (nearer than Beijing), then 2 from Beijing.
        assert_eq!(warehouses_of(&place(&order, &table).unwrap()), vec![(0, 0, 5), (1, 1, 4), (1, 2, 2)]);
        let lines = [(SkuId(0), 5), (SkuId(1), 8)];
        let order = Order { lines: &lines, ..order };
        let shortage = place(&order, &table).unwrap_err();
        assert_eq!((shortage.sku, shortage.requested, shortage.available), (SkuId(1), 8, 7));
    }

    #[test]
    fn inactive_warehouses_and_buffers_are_respected() {
        let mut table = table(&[("310000", 1), ("310000", 2)]);
        let mut a = stock(&[10, 10]);
        a.default_buffer = PackedBuffer::pack(Some(crate::inventory::BufferRule::Units(8)));
        let lines = [(SkuId(0), 3)];
        let order = Order {
            lines: &lines,
            stocks: &[&a],
            distances: &distances(&table, None, &PrefixDistance),
            allow_split: false,
        };
        let shortage = place(&order, &table).unwrap_err();
        assert_eq!(shortage.available, 2, "2 sellable units in each warehouse");
        let order = Order { allow_split: true, ..order };
        assert_eq!(warehouses_of(&place(&order, &table).unwrap()), vec![(0, 0, 2), (0, 1, 1)]);
        a.default_buffer = PackedBuffer::NONE;
        table.warehouses[0].active = false;
        let order = Order {
            lines: &lines,
            stocks: &[&a],
            distances: &distances(&table, None, &PrefixDistance),
            allow_split: true,
        };
        assert_eq!(warehouses_of(&place(&order, &table).unwrap()), vec![(0, 1, 3)]);
    }

    #[test]
    fn a_distance_table_overrides_prefixes() {
        let table_distance = DistanceTable::new().with("31", "32", 0);
        assert_eq!(table_distance.distance("310000", "320000"), 0);
        assert_eq!(table_distance.distance("310000", "110000"), 6);
    }
}
