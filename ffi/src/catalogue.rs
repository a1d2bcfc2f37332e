//! Catalogue listings: every warehouse and every SKU, as list handles.

use std::ffi::c_char;

use allot_core::{Operation, Sku, Warehouse};

use crate::client::{allot_client, client_ref, inputs};
use crate::order::element;
use crate::panic::guard;
use crate::pointers::{self, reference, required};
use crate::status::allot_status;
use crate::strings::Arena;

/// One warehouse. Strings are borrowed from the `allot_warehouses` handle and NUL-terminated.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct allot_warehouse_info {
    pub code: *const c_char,
    pub code_len: usize,
    /// Its administrative region code ("310000").
    pub region: *const c_char,
    pub region_len: usize,
    /// Lower is preferred when distances tie.
    pub priority: u32,
    /// Whether new reservations may use it.
    pub active: bool,
}

/// One SKU. Strings are borrowed from the `allot_skus` handle and NUL-terminated.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct allot_sku_info {
    pub code: *const c_char,
    pub code_len: usize,
    /// "" when it has none.
    pub category: *const c_char,
    pub category_len: usize,
}

/// Every warehouse (`allot_client_warehouses()`), in the order they were added: owned by the
/// caller, freed with `allot_warehouses_free()`. Immutable: any number of threads may read one
/// at once.
pub struct allot_warehouses {
    warehouses: Vec<allot_warehouse_info>,
    _arena: Arena,
}

/// Every SKU (`allot_client_skus()`), in the order they were added: owned by the caller, freed
/// with `allot_skus_free()`. Immutable: any number of threads may read one at once.
pub struct allot_skus {
    skus: Vec<allot_sku_info>,
    _arena: Arena,
}

impl allot_warehouses {
    fn new(warehouses: &[Warehouse]) -> allot_warehouses {
        let mut arena = Arena::default();
        let warehouses = warehouses
            .iter()
            .map(|warehouse| {
                let code = arena.add(&warehouse.code);
                let region = arena.add(&warehouse.region);
                allot_warehouse_info {
                    code: code.ptr,
                    code_len: code.len,
                    region: region.ptr,
                    region_len: region.len,
                    priority: warehouse.priority,
                    active: warehouse.active,
                }
            })
            .collect();
        allot_warehouses { warehouses, _arena: arena }
    }
}

impl allot_skus {
    fn new(skus: &[Sku]) -> allot_skus {
        let mut arena = Arena::default();
        let skus = skus
            .iter()
            .map(|sku| {
                let code = arena.add(&sku.code);
                let category = arena.add(&sku.category);
                allot_sku_info {
                    code: code.ptr,
                    code_len: code.len,
                    category: category.ptr,
                    category_len: category.len,
                }
            })
            .collect();
        allot_skus { skus, _arena: arena }
    }
}

/// Every warehouse, written as a new list handle to `*out_warehouses` (freed with
/// `allot_warehouses_free()`). Every role may read the catalogue.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `client` or `out_warehouses`),
/// `ALLOT_STATUS_CLOSED`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_warehouses(
    client: *const allot_client,
    out_warehouses: *mut *mut allot_warehouses,
) -> allot_status {
    guard("allot_client_warehouses", || {
        // SAFETY: the header's contract: a live client handle or NULL.
        let client = unsafe { client_ref(client) }?;
        // SAFETY: the header's contract: NULL or one writable pointer.
        let out = inputs(client, Operation::ReadCatalogue, || unsafe { required(out_warehouses, "out_warehouses") })?;
        let warehouses = client.warehouses()?;
        out.write(Box::into_raw(Box::new(allot_warehouses::new(&warehouses))));
        Ok(())
    })
}

/// How many warehouses the list holds; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_warehouses_count(warehouses: *const allot_warehouses) -> usize {
    crate::panic::guard_value(0, || {
        // SAFETY: the header's contract: NULL or a live list handle.
        unsafe { warehouses.as_ref() }.map_or(0, |list| list.warehouses.len())
    })
}

/// Copies warehouse `index` (0 to count - 1) into `*out_info`; its strings are borrowed from
/// the list.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `warehouses` or `out_info`, `index` out of range).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_warehouses_get(
    warehouses: *const allot_warehouses,
    index: usize,
    out_info: *mut allot_warehouse_info,
) -> allot_status {
    guard("allot_warehouses_get", || {
        // SAFETY: the header's contract: a live list handle, and one writable struct.
        let (list, out) = unsafe { (reference(warehouses, "warehouses")?, required(out_info, "out_info")?) };
        out.write(*element(&list.warehouses, index, "warehouse")?);
        Ok(())
    })
}

/// Frees a warehouse list and every string borrowed from it. NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_warehouses_free(warehouses: *mut allot_warehouses) {
    crate::panic::guard_value((), || {
        // SAFETY: the header's contract: NULL or a handle from allot_client_warehouses, freed once.
        drop(unsafe { pointers::free(warehouses) });
    })
}

/// Every SKU, written as a new list handle to `*out_skus` (freed with `allot_skus_free()`).
/// Every role may read the catalogue.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `client` or `out_skus`), `ALLOT_STATUS_CLOSED`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_skus(
    client: *const allot_client,
    out_skus: *mut *mut allot_skus,
) -> allot_status {
    guard("allot_client_skus", || {
        // SAFETY: the header's contract: a live client handle or NULL.
        let client = unsafe { client_ref(client) }?;
        // SAFETY: the header's contract: NULL or one writable pointer.
        let out = inputs(client, Operation::ReadCatalogue, || unsafe { required(out_skus, "out_skus") })?;
        let skus = client.skus()?;
        out.write(Box::into_raw(Box::new(allot_skus::new(&skus))));
        Ok(())
    })
}

/// How many SKUs the list holds; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_skus_count(skus: *const allot_skus) -> usize {
    crate::panic::guard_value(0, || {
        // SAFETY: the header's contract: NULL or a live list handle.
        unsafe { skus.as_ref() }.map_or(0, |list| list.skus.len())
    })
}

/// Copies SKU `index` (0 to count - 1) into `*out_info`; its strings are borrowed from the
/// list.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `skus` or `out_info`, `index` out of range).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_skus_get(
    skus: *const allot_skus,
    index: usize,
    out_info: *mut allot_sku_info,
) -> allot_status {
    guard("allot_skus_get", || {
        // SAFETY: the header's contract: a live list handle, and one writable struct.
        let (list, out) = unsafe { (reference(skus, "skus")?, required(out_info, "out_info")?) };
        out.write(*element(&list.skus, index, "SKU")?);
        Ok(())
    })
}

/// Frees a SKU list and every string borrowed from it. NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_skus_free(skus: *mut allot_skus) {
    crate::panic::guard_value((), || {
        // SAFETY: the header's contract: NULL or a handle from allot_client_skus, freed once.
        drop(unsafe { pointers::free(skus) });
    })
}
