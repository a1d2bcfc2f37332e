//! Proves that hostile text is refused at the door, through the public API only: every
//! identifier (codes, order ids and keys, buyer ids, actors, waybills) and every free text
//! (addresses, names, notes, reasons) that holds a control, format (zero-width, BOM, bidi) or
//! invisible character, or an identifier that is blank or padded, is `InvalidInput` naming the
//! field and quoting the value escaped, whether it comes through a `Client` call, an order form
//! or a channel payload, and changes nothing (the log does not grow); a payload nested 100,000
//! deep is refused naming `PAYLOAD_DEPTH_MAX`; and `events(_, 0)` says at least 1 is needed.

use std::path::Path;

use allot_core::order::{Address, BlacklistKind, FormLine, OrderForm, PaymentState};
use allot_core::{Engine, EngineOptions, Error, ManualClock, ReserveOptions, Role, SyncMode, WarehouseSpec};

/// Each red-team value, with what it hides.
const HOSTILE: [&str; 16] = [
    " ",
    "\t",
    " A-1",
    "A-1 ",
    "A\u{200B}1",
    "A\u{200C}1",
    "A\u{200D}1",
    "A\u{2060}1",
    "\u{FEFF}A1",
    "A\u{202E}1",
    "A\u{2067}1",
    "A\u{200E}1",
    "A\u{061C}1",
    "A\u{0}1",
    "A\u{1B}[2J",
    "A\u{9B}1",
];

/// Free-text values no field may hold (spaces are fine in free text, so none is here).
const HOSTILE_TEXT: [&str; 9] = [
    "a\0b",
    "a\u{1B}]0;pwned\u{7}",
    "ok\rrejected",
    "a\u{200B}b",
    "\u{FEFF}a",
    "a\u{202E}b",
    "a\u{2066}b",
    "a\u{85}",
    "a\u{2028}b",
];

fn stocked(dir: &Path) -> Engine {
    let options = EngineOptions::default()
        .sync(SyncMode::Always)
        .clock(ManualClock::new(1_700_000_000_000))
        .segment_bytes(1 << 20);
    let engine = Engine::open(dir, options).unwrap();
    let admin = engine.client(Role::Admin);
    admin.add_warehouse("WH-SH", WarehouseSpec::new("310000", 1)).unwrap();
    for sku in ["SOFA-3P-GREY", "CUSHION-45"] {
        admin.add_sku(sku, "home").unwrap();
        admin.set_stock(sku, "WH-SH", 50).unwrap();
    }
    engine
}

fn form(id: &str) -> OrderForm {
    OrderForm {
        channel: "shop".into(),
        channel_order_id: id.into(),
        buyer_id: "buyer-1".into(),
        ship_to: Address {
            recipient: "张三".into(),
            phone: "13600001111".into(),
            province: "上海市".into(),
            city: "上海市".into(),
            district: "徐汇区".into(),
            detail: "漕溪北路88号".into(),
        },
        lines: vec![FormLine { sku: "CUSHION-45".into(), qty: 1, unit_price_minor: 1250 }],
        cross_border: false,
        is_return: false,
        payment: PaymentState::Paid,
        placed_at_ms: 0,
    }
}

/// `result` is `InvalidInput` whose message names `field` and quotes `value` escaped.
#[track_caller]
fn refused<T: std::fmt::Debug>(result: allot_core::Result<T>, field: &str, value: &str) {
    match result {
        Err(Error::InvalidInput { message }) => {
            assert!(message.contains(field), "{value:?}: the message does not name {field}: {message}");
            let escaped = format!("{value:?}");
            assert!(message.contains(&escaped), "{value:?}: the message does not quote it escaped: {message}");
        }
        other => panic!("{value:?} as {field}: expected InvalidInput, got {other:?}"),
    }
}

#[test]
fn hostile_identifiers_are_refused_by_every_client_call_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let engine = stocked(dir.path());
    let admin = engine.client(Role::Admin);
    let orders = engine.client(Role::Orders);
    let viewer = engine.client(Role::Viewer);
    let before = engine.last_lsn().unwrap();
    let line = [("CUSHION-45", 1)];
    let none = ReserveOptions::new();
    for value in HOSTILE {
        refused(orders.reserve(value, &line, &none), "order id", value);
        refused(orders.commit(value), "order id", value);
        refused(orders.release(value), "order id", value);
        refused(viewer.reservation(value), "order id", value);
        refused(orders.order(value), "order id", value);
        refused(orders.cancel(value, ""), "order id", value);
        refused(orders.explain(value), "order id", value);
        refused(orders.reserve("ORDER-1", &line, &ReserveOptions::new().ship_to(value)), "ship-to region", value);
        refused(admin.add_sku(value, ""), "SKU code", value);
        refused(admin.add_warehouse(value, WarehouseSpec::new("310000", 1)), "warehouse code", value);
        refused(admin.add_warehouse("WH-X", WarehouseSpec::new(value, 1)), "region code", value);
        refused(orders.acting_as(value).map(|client| client.actor().to_string()), "actor", value);
        refused(admin.blacklist_add(BlacklistKind::Buyer, value), "blacklisted buyer id", value);
        refused(engine.reload_rules(dir.path().join("rules.toml"), value), "rules author", value);
        refused(orders.intake(form(value)), "channel order id", value);
        refused(orders.intake(OrderForm { buyer_id: value.into(), ..form("B-1") }), "buyer id", value);
        refused(orders.intake(OrderForm { channel: value.into(), ..form("C-1") }), "channel code", value);
        let mut bad_sku = form("S-1");
        bad_sku.lines[0].sku = value.into();
        refused(orders.intake(bad_sku), "SKU code", value);
    }
    // Every keyed move of the order pipeline, and the waybill of shipping and tracking.
    let warehouse = engine.client(Role::Warehouse);
    let courier = engine.client(Role::Logistics);
    for value in HOSTILE {
        refused(orders.start_review(value), "order id", value);
        refused(orders.approve(value), "order id", value);
        refused(orders.reject(value, ""), "order id", value);
        refused(orders.hold(value, ""), "order id", value);
        refused(warehouse.release_to_warehouse(value), "order id", value);
        refused(warehouse.ship(value, "SF", "SF1234567890123"), "order id", value);
        refused(orders.request_return(value, ""), "order id", value);
        refused(warehouse.complete_return(value, "WH-SH"), "order id", value);
        refused(orders.deny_return(value, ""), "order id", value);
        refused(admin.blacklist_remove(BlacklistKind::Buyer, value), "blacklisted buyer id", value);
        refused(warehouse.ship("shop:none", "SF", value), "tracking number", value);
        refused(courier.track("SF", value, allot_core::order::TrackingKind::PickedUp, ""), "tracking number", value);
        refused(warehouse.ship("shop:none", value, "SF1234567890123"), "carrier code", value);
    }
    assert_eq!(engine.last_lsn().unwrap(), before, "no refused call wrote anything");
    assert!(viewer.reservation("ORDER-1").unwrap().is_none());
    assert_eq!(viewer.stock("CUSHION-45").unwrap().reserved, 0);
    // The red team's first find: a blank order id.
    refused(orders.reserve(" ", &line, &none), "order id", " ");
    // Codes have no whitespace at all; other ids may have inner plain spaces.
    refused(admin.add_sku("SOFA 2", ""), "SKU code", "SOFA 2");
    orders.reserve("ORDER 1", &line, &none).unwrap();
    engine.close().unwrap();
}

#[test]
fn hostile_free_text_is_refused_in_every_field_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let engine = stocked(dir.path());
    let admin = engine.client(Role::Admin);
    let orders = engine.client(Role::Orders);
    let warehouse = engine.client(Role::Warehouse);
    let before = engine.last_lsn().unwrap();
    for value in HOSTILE_TEXT {
        let address = |set: fn(&mut Address, String)| {
            let mut order = form("T-1");
            set(&mut order.ship_to, value.to_string());
            order
        };
        refused(orders.intake(address(|a, v| a.recipient = v)), "recipient", value);
        refused(orders.intake(address(|a, v| a.phone = v)), "phone", value);
        refused(orders.intake(address(|a, v| a.province = v)), "province", value);
        refused(orders.intake(address(|a, v| a.city = v)), "city", value);
        refused(orders.intake(address(|a, v| a.district = v)), "district", value);
        refused(orders.intake(address(|a, v| a.detail = v)), "address detail", value);
        refused(admin.add_sku("NEW-1", value), "category", value);
        refused(warehouse.adjust("CUSHION-45", "WH-SH", 1, value), "reason", value);
        refused(orders.cancel("shop:T-1", value), "note", value);
        refused(admin.blacklist_add(BlacklistKind::Phone, value), "blacklist value", value);
        refused(admin.blacklist_add(BlacklistKind::Address, value), "blacklist value", value);
    }
    assert_eq!(engine.last_lsn().unwrap(), before, "no refused call wrote anything");
    // What real text holds is kept: ideographic spaces, emoji sequences, line breaks in notes.
    let mut kept = form("T-2");
    kept.ship_to.recipient = "林小雨 👨\u{200D}👩\u{200D}👧".into();
    kept.ship_to.detail = "科技园\u{3000}南区".into();
    let intake = orders.intake(kept).unwrap();
    assert_eq!(intake.order.form.ship_to.recipient, "林小雨 👨\u{200D}👩\u{200D}👧");
    warehouse.adjust("CUSHION-45", "WH-SH", 1, "stocktake\r\nfound one behind the shelf").unwrap();
    refused(warehouse.adjust("CUSHION-45", "WH-SH", 1, " "), "reason", " ");
    engine.close().unwrap();
}

/// A payload of each style with `field` (a top-level string field) set to `value`.
fn payload(style: &str, field: &str, value: &str) -> Vec<u8> {
    let base = match style {
        "taobao" => {
            r#"{"tid": "3658120094471538172", "buyer_nick": "小林爱喝茶", "status": "WAIT_SELLER_SEND_GOODS",
            "receiver_name": "林小雨", "receiver_mobile": "13812345678", "receiver_state": "广东省", "receiver_city": "深圳市",
            "receiver_district": "南山区", "receiver_address": "科技园南区深南大道10000号",
            "orders": [{"outer_sku_id": "SOFA-3P-GREY", "num": 1, "price": "1299.00"}]}"#
        }
        "pdd" => {
            r#"{"order_sn": "231120-123456789012345", "buyer_id": "u_88812", "pay_status": 1,
            "receiver_name": "陈晨", "receiver_phone": "13600001111", "province": "上海市", "city": "上海市", "town": "徐汇区",
            "address": "漕溪北路88号", "item_list": [{"outer_sku_id": "CUSHION-45", "goods_count": 1, "goods_price": 1250}]}"#
        }
        _ => unreachable!(),
    };
    let mut value_json: serde_json::Value = serde_json::from_str(base).unwrap();
    value_json[field] = serde_json::Value::String(value.into());
    serde_json::to_vec(&value_json).unwrap()
}

#[test]
fn hostile_payload_fields_are_refused_naming_the_field_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let engine = stocked(dir.path());
    let orders = engine.client(Role::Orders);
    let before = engine.last_lsn().unwrap();
    let fields = [
        ("taobao", "tid"),
        ("taobao", "buyer_nick"),
        ("taobao", "receiver_name"),
        ("taobao", "receiver_address"),
        ("pdd", "order_sn"),
        ("pdd", "buyer_id"),
        ("pdd", "receiver_name"),
        ("pdd", "town"),
    ];
    for (style, field) in fields {
        for value in ["A\u{200B}1", "\u{FEFF}A1", "A\u{202E}1", "A\u{0}1", "A\u{1B}[2J"] {
            match orders.intake_payload(style, "shop", &payload(style, field, value)) {
                Err(Error::InvalidInput { message }) => {
                    assert!(message.contains(&format!(": {field}: ")), "{style} {field} {value:?}: {message}")
                }
                other => panic!("{style} {field} {value:?}: {other:?}"),
            }
        }
    }
    for code in [" ", "sh op", "shop\u{200B}", "\u{202E}shop"] {
        let error = orders.intake_payload("pdd", code, &payload("pdd", "town", "徐汇区")).unwrap_err();
        assert!(matches!(error, Error::InvalidInput { .. }), "{code:?}: {error}");
    }
    // 100,000 nested arrays: refused naming the depth limit, without overflowing the stack.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    match orders.intake_payload("jd", "shop", deep.as_bytes()) {
        Err(Error::InvalidInput { message }) => assert!(message.contains("PAYLOAD_DEPTH_MAX"), "{message}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(engine.last_lsn().unwrap(), before, "no refused payload wrote anything");
    orders.intake_payload("pdd", "shop", &payload("pdd", "town", "徐汇区")).unwrap();
    engine.close().unwrap();
}

#[test]
fn events_asked_for_zero_at_a_time_says_at_least_one_is_needed() {
    let dir = tempfile::tempdir().unwrap();
    let engine = stocked(dir.path());
    let error = engine.client(Role::Viewer).events(0, 0).unwrap_err();
    assert!(matches!(error, Error::LimitExceeded { limit: "EVENTS_BATCH_MAX", actual: 0, .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("below the least allowed, 1") && !message.contains("above"), "{message}");
    engine.close().unwrap();
}
