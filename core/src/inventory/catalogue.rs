//! Warehouses and SKUs: external codes interned once into dense ids.
//!
//! Catalogue changes are rare and serialised by one lock; reads are lock-free on the hot path
//! (code lookups go through a concurrent map, the warehouse table through a snapshot pointer).

use std::sync::Arc;

use compact_str::CompactString;

use crate::ids::{SkuId, WarehouseId};
use crate::sync::{ConcurrentMap, Mutex, Snapshot};

/// A warehouse as callers see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warehouse {
    pub id: WarehouseId,
    pub code: Arc<str>,
    /// Administrative region code (for example a six-digit Chinese division code: "310000").
    pub region: Arc<str>,
    /// Lower numbers are preferred when distances tie.
    pub priority: u32,
    /// Inactive warehouses keep their stock but are never chosen for new reservations.
    pub active: bool,
}

/// A SKU as callers see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sku {
    pub id: SkuId,
    pub code: Arc<str>,
    pub category: Arc<str>,
}

/// The warehouses, replaced as a whole on every (rare) change.
#[derive(Debug, Default)]
pub(crate) struct WarehouseTable {
    pub(crate) warehouses: Vec<Warehouse>,
}

impl WarehouseTable {
    pub(crate) fn get(&self, id: WarehouseId) -> Option<&Warehouse> {
        self.warehouses.get(id.index())
    }
}

/// A SKU as the catalogue stores it: the code inline (no allocation up to 24 bytes), the
/// category shared with every SKU of the same category.
#[derive(Clone, Debug)]
struct SkuEntry {
    code: CompactString,
    category: Arc<str>,
}

pub(crate) struct Catalogue {
    /// Serialises catalogue changes (taken before any stripe). Holds the interned categories.
    pub(crate) change: Mutex<Categories>,
    pub(crate) warehouses: Snapshot<WarehouseTable>,
    warehouse_codes: ConcurrentMap<CompactString, WarehouseId>,
    skus: Mutex<Vec<SkuEntry>>,
    /// Code → id; codes up to 24 bytes are stored inline, so a lookup chases no pointer.
    sku_codes: ConcurrentMap<CompactString, SkuId>,
}

impl Catalogue {
    pub(crate) fn new() -> Catalogue {
        Catalogue {
            change: Mutex::new(Categories::default()),
            warehouses: Snapshot::new(WarehouseTable::default()),
            warehouse_codes: ConcurrentMap::new(16),
            skus: Mutex::new(Vec::new()),
            sku_codes: ConcurrentMap::new(64),
        }
    }

    pub(crate) fn sku_id(&self, code: &str) -> Option<SkuId> {
        self.sku_codes.view(code, |id| *id)
    }

    pub(crate) fn warehouse_id(&self, code: &str) -> Option<WarehouseId> {
        self.warehouse_codes.view(code, |id| *id)
    }

    pub(crate) fn sku(&self, id: SkuId) -> Option<Sku> {
        self.skus.lock().get(id.index()).map(|entry| entry.to_sku(id))
    }

    /// A SKU's category, shared (no copy of the name).
    pub(crate) fn sku_category(&self, id: SkuId) -> Option<Arc<str>> {
        self.skus.lock().get(id.index()).map(|entry| entry.category.clone())
    }

    pub(crate) fn sku_code(&self, id: SkuId) -> String {
        self.skus.lock().get(id.index()).map_or_else(|| format!("#{}", id.0), |sku| sku.code.to_string())
    }

    pub(crate) fn warehouse(&self, id: WarehouseId) -> Option<Warehouse> {
        self.warehouses.with(|table| table.get(id).cloned())
    }

    pub(crate) fn warehouse_code(&self, id: WarehouseId) -> String {
        self.warehouse(id).map_or_else(|| format!("#{}", id.0), |w| w.code.to_string())
    }

    pub(crate) fn sku_count(&self) -> u32 {
        self.skus.lock().len() as u32
    }

    pub(crate) fn warehouse_count(&self) -> u16 {
        self.warehouses.with(|table| table.warehouses.len() as u16)
    }

    pub(crate) fn skus(&self) -> Vec<Sku> {
        self.skus.lock().iter().enumerate().map(|(i, entry)| entry.to_sku(SkuId(i as u32))).collect()
    }

    pub(crate) fn warehouse_list(&self) -> Vec<Warehouse> {
        self.warehouses.with(|table| table.warehouses.clone())
    }

    /// Adds a warehouse whose id is the next one. Caller holds `change`.
    pub(crate) fn push_warehouse(&self, warehouse: Warehouse) {
        let mut warehouses = self.warehouse_list();
        debug_assert_eq!(warehouse.id.index(), warehouses.len());
        let code = CompactString::from(warehouse.code.as_ref());
        let id = warehouse.id;
        warehouses.push(warehouse);
        self.warehouses.store(Arc::new(WarehouseTable { warehouses }));
        // Published last: a code resolves only once the warehouse is in the table.
        self.warehouse_codes.insert(code, id);
    }

    /// Changes a warehouse's priority and active flag. Caller holds `change`.
    pub(crate) fn update_warehouse(&self, id: WarehouseId, priority: u32, active: bool) {
        let mut warehouses = self.warehouse_list();
        if let Some(warehouse) = warehouses.get_mut(id.index()) {
            warehouse.priority = priority;
            warehouse.active = active;
        }
        self.warehouses.store(Arc::new(WarehouseTable { warehouses }));
    }

    /// Adds a SKU whose id is the next one. Caller holds `change` (passing its categories) and
    /// has already given the SKU its place in the stripes.
    pub(crate) fn push_sku(&self, categories: &mut Categories, id: SkuId, code: &str, category: &str) {
        let code = CompactString::from(code);
        let category = categories.intern(category);
        {
            let mut skus = self.skus.lock();
            debug_assert_eq!(id.index(), skus.len());
            skus.push(SkuEntry { code: code.clone(), category });
        }
        self.sku_codes.insert(code, id);
    }
}

impl SkuEntry {
    fn to_sku(&self, id: SkuId) -> Sku {
        Sku { id, code: Arc::from(self.code.as_str()), category: self.category.clone() }
    }
}

/// Category names, stored once each.
#[derive(Default)]
pub(crate) struct Categories {
    names: std::collections::HashMap<Arc<str>, ()>,
}

impl Categories {
    fn intern(&mut self, name: &str) -> Arc<str> {
        if let Some((known, ())) = self.names.get_key_value(name) {
            return known.clone();
        }
        let name: Arc<str> = Arc::from(name);
        self.names.insert(name.clone(), ());
        name
    }
}
