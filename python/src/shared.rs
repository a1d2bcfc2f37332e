//! What an `Engine` and its `Client`s share: the core engine and the caches that turn the dense
//! ids the core answers with back into the codes Python users write.
//!
//! The reserve path needs none of them for the common order: a one-line order's reservation
//! holds only that line's SKU, so the reply reuses the caller's own `str`. Warehouse codes come
//! from a cache of `str` objects, so replies allocate no strings.
//!
//! SKU and warehouse ids are assigned once, in log order, and never reused or removed, so an
//! id's code learned once stays true for the life of the engine: the caches only grow.
//!
//! - `sku_codes`: a list, SKU id → code `str` (or None while unknown), filled by `add_sku` and
//!   on first need from the core; replies whose lines the caller's own strings cannot name
//!   (events, `reservation()`) use it.
//! - `sku_code_addresses`: the address of each of those `str` objects, so that a multi-line
//!   order's reply finds which of the caller's strings names a SKU id by comparing addresses,
//!   without touching (and missing the cache on) any string. The list holds every such object,
//!   so an address cannot be reused by another object while it is here.
//! - `warehouse_codes`: a list, warehouse id → code `str`, filled at open and on
//!   `add_warehouse`.
//!
//! The lists are Python objects, read and written only with the GIL held (the module declares
//! that it needs the GIL), so they need no lock of their own; the addresses' mutex is never
//! held across anything that could release the GIL.

use std::sync::Mutex;

use allot_core::{Client, Engine, Role, SkuId, WarehouseId};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};

pub(crate) struct Shared {
    pub(crate) engine: Engine,
    /// The module's own client for catalogue reads (every role may read the catalogue).
    reader: Client,
    sku_codes: Py<PyList>,
    sku_code_addresses: Mutex<Vec<usize>>,
    warehouse_codes: Py<PyList>,
}

impl Shared {
    pub(crate) fn new(py: Python<'_>, engine: Engine) -> Shared {
        let reader = engine.client(Role::Viewer);
        let shared = Shared {
            engine,
            reader,
            sku_codes: PyList::empty(py).unbind(),
            sku_code_addresses: Mutex::new(Vec::new()),
            warehouse_codes: PyList::empty(py).unbind(),
        };
        shared.refresh_warehouses(py);
        shared
    }

    /// Remembers that `code` names SKU `id`.
    pub(crate) fn learn_sku(&self, py: Python<'_>, code: &Bound<'_, PyString>, id: SkuId) {
        // An exact `str` (a subclass could compare as it likes); a failed insert only costs a
        // later core lookup.
        let code = if code.is_exact_instance_of::<PyString>() {
            code.clone()
        } else {
            match code.to_str() {
                Ok(text) => PyString::new(py, text),
                Err(_) => return,
            }
        };
        let codes = self.sku_codes.bind(py);
        while codes.len() <= id.index() {
            if codes.append(py.None()).is_err() {
                return;
            }
        }
        if codes.get_item(id.index()).is_ok_and(|known| known.is_none()) && codes.set_item(id.index(), &code).is_ok() {
            let mut addresses = self.sku_code_addresses.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if addresses.len() <= id.index() {
                addresses.resize(id.index() + 1, 0);
            }
            addresses[id.index()] = code.as_ptr() as usize;
        }
    }

    /// Which of `codes` is the very `str` object cached for SKU `id`, if any (no string is
    /// touched: only addresses are compared).
    #[inline]
    pub(crate) fn same_object<'a, 'py>(
        &self,
        codes: &'a [(Bound<'py, PyString>, u32)],
        id: SkuId,
    ) -> Option<&'a Bound<'py, PyString>> {
        let address = {
            let addresses = self.sku_code_addresses.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            *addresses.get(id.index())?
        };
        codes.iter().map(|(code, _)| code).find(|code| code.as_ptr() as usize == address)
    }

    /// The code of SKU `id`, as a `str` (the same object each time once known).
    pub(crate) fn sku_code(&self, py: Python<'_>, id: SkuId) -> Py<PyString> {
        if let Ok(known) = self.sku_codes.bind(py).get_item(id.index())
            && let Ok(code) = known.cast_into::<PyString>()
        {
            return code.unbind();
        }
        let reader = &self.reader;
        match py.detach(|| reader.sku(id)) {
            Ok(sku) => {
                let code = PyString::new(py, &sku.code);
                self.learn_sku(py, &code, id);
                code.unbind()
            }
            // Only when the engine closed under us: the core's own spelling of an id.
            Err(_) => PyString::new(py, &format!("#{}", id.0)).unbind(),
        }
    }

    /// The code of warehouse `id`.
    #[inline]
    pub(crate) fn warehouse_code(&self, py: Python<'_>, id: WarehouseId) -> Py<PyString> {
        if let Some(code) = self.cached_warehouse_code(py, id) {
            return code;
        }
        self.refresh_warehouses(py);
        self.cached_warehouse_code(py, id).unwrap_or_else(|| PyString::new(py, &format!("#{}", id.0)).unbind())
    }

    #[inline]
    fn cached_warehouse_code(&self, py: Python<'_>, id: WarehouseId) -> Option<Py<PyString>> {
        let code = self.warehouse_codes.bind(py).get_item(id.index()).ok()?;
        code.cast_into::<PyString>().ok().map(Bound::unbind)
    }

    /// Remembers that `code` names warehouse `id` (ids are dense, in the order added).
    pub(crate) fn learn_warehouse(&self, py: Python<'_>, code: &Bound<'_, PyString>, id: WarehouseId) {
        let codes = self.warehouse_codes.bind(py);
        if codes.len() == id.index() && codes.append(code).is_ok() {
            return;
        }
        if codes.len() <= id.index() {
            self.refresh_warehouses(py);
        }
    }

    /// Loads the warehouse codes the cache does not have yet from the core.
    fn refresh_warehouses(&self, py: Python<'_>) {
        let reader = &self.reader;
        let Ok(warehouses) = py.detach(|| reader.warehouses()) else { return };
        let codes = self.warehouse_codes.bind(py);
        for (index, warehouse) in warehouses.iter().enumerate() {
            if warehouse.id.index() != index {
                return; // Not the dense table expected; keep what we have.
            }
            // Keep the objects already handed out; add the new ones.
            if index >= codes.len() && codes.append(PyString::new(py, &warehouse.code)).is_err() {
                return;
            }
        }
    }
}
