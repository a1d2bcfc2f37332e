//! SKU and warehouse ids, resolved to the codes C sees.
//!
//! The core's reservations and events name SKUs and warehouses by dense id; C callers know
//! them by code. A [`Codes`] asks the client once per id and keeps the answer in the handle's
//! arena, so a poll of 4096 events about one SKU copies its code once.

use std::collections::HashMap;

use allot_core::{Client, Error, SkuId, WarehouseId};

use crate::strings::{Arena, CText};

pub(crate) struct Codes<'a> {
    client: &'a Client,
    skus: HashMap<SkuId, CText>,
    warehouses: HashMap<WarehouseId, CText>,
}

impl<'a> Codes<'a> {
    pub(crate) fn new(client: &'a Client) -> Codes<'a> {
        Codes { client, skus: HashMap::new(), warehouses: HashMap::new() }
    }

    pub(crate) fn sku(&mut self, arena: &mut Arena, id: SkuId) -> Result<CText, Error> {
        if let Some(&code) = self.skus.get(&id) {
            return Ok(code);
        }
        let code = arena.add(&self.client.sku(id)?.code);
        self.skus.insert(id, code);
        Ok(code)
    }

    pub(crate) fn warehouse(&mut self, arena: &mut Arena, id: WarehouseId) -> Result<CText, Error> {
        if let Some(&code) = self.warehouses.get(&id) {
            return Ok(code);
        }
        let code = arena.add(&self.client.warehouse(id)?.code);
        self.warehouses.insert(id, code);
        Ok(code)
    }
}
