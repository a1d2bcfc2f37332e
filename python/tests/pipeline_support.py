"""Shared pieces of the order-pipeline suites: a catalogue, the three channels' example payloads
(the ones core/src/order/adapters.rs documents), order forms, and engines on a manual clock that
reopen where they left off."""

from __future__ import annotations

import copy
import itertools
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import allot

from conftest import SEGMENT_BYTES

START_MS = 1_700_000_000_000
MINUTE_S = 60.0
HOUR_S = 3600.0

# SKU, category, units in each warehouse.
CATALOGUE = [
    ("SOFA-3P-GREY", "furniture", 50),
    ("CUSHION-45", "furniture", 50),
    ("KETTLE-1.7L", "kitchen", 50),
    ("MUG-350", "kitchen", 50),
    ("TISSUE-24", "household", 50),
    ("LAMP", "lighting", 3),
]
WAREHOUSES = [("WH-SZ", "440300", 1), ("WH-BJ", "110000", 2), ("WH-CD", "510100", 3)]

TAOBAO: dict[str, Any] = {
    "tid": "3658120094471538172",
    "buyer_nick": "小林爱喝茶",
    "status": "WAIT_SELLER_SEND_GOODS",
    "created": "2024-03-15 14:30:05",
    "is_cross_border": False,
    "payment": "2623.00",
    "receiver_name": "林小雨",
    "receiver_mobile": "13812345678",
    "receiver_phone": "",
    "receiver_state": "广东省",
    "receiver_city": "深圳市",
    "receiver_district": "南山区",
    "receiver_address": "粤海街道科技园南区深南大道10000号3栋1201",
    "orders": [
        {"oid": "1", "outer_sku_id": "SOFA-3P-GREY", "title": "北欧布艺三人沙发", "num": 2, "price": "1299.00"},
        {"oid": "2", "outer_sku_id": "CUSHION-45", "title": "抱枕 45cm", "num": 2, "price": "12.50"},
    ],
}

JD: dict[str, Any] = {
    "orderId": 289012345678,
    "venderId": "10086",
    "pin": "jd_5f2c9a7b1e3d",
    "orderState": "WAIT_SELLER_STOCK_OUT",
    "orderType": 0,
    "isGlobalBuy": False,
    "orderStartTime": "2024-03-16 09:12:44",
    "orderTotalPrice": "355.99",
    "consigneeInfo": {
        "fullname": "王强",
        "mobile": "139 1111 2222",
        "telephone": "010-62345678",
        "province": "北京",
        "city": "北京市",
        "county": "海淀区",
        "fullAddress": "北京海淀区中关村大街27号中关村大厦1205",
    },
    "itemInfoList": [
        {"skuId": "1", "outerSkuId": "KETTLE-1.7L", "skuName": "电热水壶 1.7L", "skuNum": "1", "jdPrice": "199.00"},
        {"skuId": "2", "outerSkuId": "MUG-350", "skuName": "马克杯 350ml", "skuNum": 3, "jdPrice": "52.33"},
    ],
}

PDD: dict[str, Any] = {
    "order_sn": "240317-581234567890123",
    "buyer_id": 7401234567,
    "pay_status": 1,
    "return_status": 0,
    "is_cross_border": 0,
    "created_time": "2024-03-17 20:05:00",
    "pay_amount": 11970,
    "receiver_name": "张伟",
    "receiver_phone": "+86 186 0000 1234",
    "province": "四川省",
    "city": "成都市",
    "town": "武侯区",
    "address": "天府大道北段1700号环球中心E1区",
    "item_list": [
        {"goods_id": 312345678, "goods_name": "加厚抽纸 24包", "outer_sku_id": "TISSUE-24", "goods_count": 3, "goods_price": 3990}
    ],
}

PAYLOADS = {"taobao": TAOBAO, "jd": JD, "pdd": PDD}
# What each example becomes: its key (with the shop codes the tests use), and its lines.
EXPECTED = {
    "taobao": ("taobao-shop:3658120094471538172", [("SOFA-3P-GREY", 2, 129_900), ("CUSHION-45", 2, 1250)]),
    "jd": ("jd-shop:289012345678", [("KETTLE-1.7L", 1, 19_900), ("MUG-350", 3, 5233)]),
    "pdd": ("pdd-shop:240317-581234567890123", [("TISSUE-24", 3, 3990)]),
}


def payload(style: str, **changes: Any) -> dict[str, Any]:
    """A copy of a channel's example, with top-level fields changed."""
    value = copy.deepcopy(PAYLOADS[style])
    value.update(changes)
    return value


SHENZHEN = allot.Address(
    recipient="林小雨", phone="13812345678", province="广东省", city="深圳市", district="南山区", detail="科技园1号"
)


def form(
    order_id: str,
    *,
    channel: str = "tmall",
    buyer: str | None = None,
    ship_to: allot.Address | dict[str, str] | None = None,
    lines: Iterable[tuple[str, int, int] | allot.FormLine] = (("SOFA-3P-GREY", 1, 129_900),),
    cross_border: bool = False,
    is_return: bool = False,
    payment: str = "paid",
) -> allot.OrderForm:
    """An order form; unless given, its buyer, phone and address are the order's own, so that
    no velocity limit sees two orders from one buyer."""
    return allot.OrderForm(
        channel,
        order_id,
        buyer if buyer is not None else f"buyer-{order_id}",
        ship_to if ship_to is not None else address(),
        list(lines),
        cross_border=cross_border,
        is_return=is_return,
        payment=payment,
    )


_serials = itertools.count(1)


def address(**changes: str) -> allot.Address:
    """A valid Shenzhen address with a phone and street number of its own, changed as asked."""
    serial = next(_serials)
    fields = {
        "recipient": SHENZHEN.recipient,
        "phone": f"138{zlib.crc32(str(serial).encode()) % 10**8:08d}",
        "province": SHENZHEN.province,
        "city": SHENZHEN.city,
        "district": SHENZHEN.district,
        "detail": f"科技园{serial}号",
    }
    fields.update(changes)
    return allot.Address(**fields)


def open_engine(path: Path, *, at_ms: int = START_MS, housekeeping: bool = True) -> allot.Engine:
    """An engine on `path` with a manual clock at `at_ms` (reopen with the old engine's
    `now_ms` so that time goes on where it stopped)."""
    return allot.Engine.open(
        path,
        sync="none",
        clock="manual",
        clock_start_ms=at_ms,
        segment_bytes=SEGMENT_BYTES,
        housekeeping=housekeeping,
    )


def reopen(engine: allot.Engine) -> allot.Engine:
    path = engine.path
    assert path is not None
    now = engine.now_ms
    engine.close()
    return open_engine(Path(path), at_ms=now)


def stock_catalogue(engine: allot.Engine) -> None:
    admin = engine.client("admin")
    for code, region, priority in WAREHOUSES:
        admin.add_warehouse(code, region=region, priority=priority)
    for sku, category, units in CATALOGUE:
        admin.add_sku(sku, category=category)
        for code, _, _ in WAREHOUSES:
            admin.set_stock(sku, code, units)


def events_of(engine: allot.Engine, key: str) -> list[allot.Event]:
    """Every event about the order `key`, in log order."""
    return [event for event in engine.client("viewer").subscribe() if event.order_id == key]


def waybill_number(serial: int) -> str:
    """A valid SF Express waybill number (SF and 12 digits)."""
    return f"SF{serial:012d}"
