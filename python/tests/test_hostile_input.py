"""Hostile input gets the same answer in Python as in Rust and C: identifiers that are blank,
padded or hold a control, zero-width, BOM, bidi or other format character are InvalidInputError
(code 100) naming the field and quoting the value escaped, in every call and every field of the
order form and the channel payloads; free text refuses controls and format characters but keeps
what Chinese and English names and addresses hold; every Unicode format character (category Cf,
by this Python's own unicodedata) is refused in an identifier; a bool is never a number
(TypeError); a deeply nested or self-containing dict payload is InvalidInputError naming
PAYLOAD_DEPTH_MAX, never RecursionError; max=0 says at least 1 is needed; and a rules path naming
/dev/zero, a FIFO or a directory returns at once with StorageIoError, a file above RULES_BYTES_MAX with
LimitExceededError. No refused call changes anything."""

from __future__ import annotations

import os
import sys
import unicodedata
from pathlib import Path
from typing import Any, Callable

import pytest

import allot

from pipeline_support import address, form, open_engine, payload, stock_catalogue

RULES_BYTES_MAX = allot.LIMITS["RULES_BYTES_MAX"]

# The red team's identifiers.
HOSTILE_IDS = [
    " ",
    "\t",
    " A-1",
    "A-1 ",
    "A\u200b1",
    "A\u200c1",
    "A\u200d1",
    "A\u20601",
    "\ufeffA1",
    "A\u202e1",
    "A\u20671",
    "A\u200e1",
    "A\u061c1",
    "A\x001",
    "A\x1b[2J",
    "A\x9b1",
]

# Free text no field may hold (spaces are fine in free text, so none is here).
HOSTILE_TEXT = ["a\x00b", "a\x1b]0;pwned\x07", "ok\rrejected", "a\u200bb", "\ufeffa", "a\u202eb", "a\u2066b", "a\u2028b"]


@pytest.fixture
def eng(data_dir: Path) -> Any:
    engine = open_engine(data_dir)
    stock_catalogue(engine)
    yield engine
    engine.close()


def rust_debug(value: str) -> str:
    """`value` quoted as the core's messages quote it (Rust's `{:?}`), for these values."""
    named = {"\t": "\\t", "\r": "\\r", "\n": "\\n", "\0": "\\0", '"': '\\"', "\\": "\\\\"}
    out = []
    for c in value:
        if c in named:
            out.append(named[c])
        elif c.isprintable() and unicodedata.category(c) != "Cf":
            out.append(c)
        else:
            out.append(f"\\u{{{ord(c):x}}}")
    return '"' + "".join(out) + '"'


def refused(call: Callable[[], object], field: str, value: str) -> None:
    """`call` is InvalidInputError (code 100) naming `field` and quoting `value` escaped."""
    with pytest.raises(allot.InvalidInputError) as raised:
        call()
    assert raised.value.code == 100
    message = str(raised.value)
    assert field in message, message
    assert rust_debug(value) in message, (rust_debug(value), message)


def test_hostile_identifiers_are_refused_by_every_call(eng: allot.Engine) -> None:
    admin, orders, viewer = eng.client("admin"), eng.client("orders"), eng.client("viewer")
    before = eng.last_lsn
    for value in HOSTILE_IDS:
        refused(lambda: orders.reserve(value, [("MUG-350", 1)]), "order id", value)
        refused(lambda: orders.commit(value), "order id", value)
        refused(lambda: orders.release(value), "order id", value)
        refused(lambda: viewer.reservation(value), "order id", value)
        refused(lambda: orders.order(value), "order id", value)
        refused(lambda: orders.cancel(value, ""), "order id", value)
        refused(lambda: orders.reserve("O-1", [("MUG-350", 1)], ship_to=value), "ship-to region", value)
        refused(lambda: admin.add_sku(value), "SKU code", value)
        refused(lambda: admin.add_warehouse(value, region="310000", priority=1), "warehouse code", value)
        refused(lambda: admin.add_warehouse("WH-X", region=value, priority=1), "region code", value)
        refused(lambda: orders.acting_as(value), "actor", value)
        refused(lambda: eng.reload_rules("rules.toml", by=value), "rules author", value)
        refused(lambda: admin.blacklist_add("buyer", value), "blacklisted buyer id", value)
        refused(lambda: orders.intake(form(value)), "channel order id", value)
        refused(lambda: orders.intake(form("B-1", buyer=value)), "buyer id", value)
        refused(lambda: orders.intake(form("C-1", channel=value)), "channel code", value)
        refused(lambda: orders.intake(form("S-1", lines=[(value, 1, 100)])), "SKU code", value)
    assert eng.last_lsn == before, "no refused call wrote anything"
    assert viewer.stock("MUG-350").reserved == 0
    # Inner plain spaces are fine in an order id, never in a code.
    orders.reserve("ORDER 1", [("MUG-350", 1)])
    refused(lambda: admin.add_sku("SOFA 2"), "SKU code", "SOFA 2")


def test_hostile_free_text_is_refused_in_every_field(eng: allot.Engine) -> None:
    admin, orders, warehouse = eng.client("admin"), eng.client("orders"), eng.client("warehouse")
    before = eng.last_lsn
    for value in HOSTILE_TEXT:
        for field, what in [
            ("recipient", "recipient"),
            ("phone", "phone"),
            ("province", "province"),
            ("city", "city"),
            ("district", "district"),
            ("detail", "address detail"),
        ]:
            refused(lambda: orders.intake(form("T-1", ship_to=address(**{field: value}))), what, value)
        refused(lambda: admin.add_sku("NEW-1", category=value), "category", value)
        refused(lambda: warehouse.adjust("MUG-350", "WH-SZ", 1, reason=value), "reason", value)
        refused(lambda: orders.cancel("tmall:T-1", value), "note", value)
        refused(lambda: admin.blacklist_add("phone", value), "blacklist value", value)
        refused(lambda: admin.blacklist_add("address", value), "blacklist value", value)
    assert eng.last_lsn == before, "no refused call wrote anything"
    # What real text holds is kept.
    family = "林小雨 \U0001f468\u200d\U0001f469\u200d\U0001f467"
    taken = orders.intake(form("T-2", ship_to=address(recipient=family, detail="科技园\u3000南区1号")))
    assert taken.order.form.ship_to.recipient == family
    warehouse.adjust("MUG-350", "WH-SZ", 1, reason="stocktake\r\nfound one behind the shelf")


@pytest.mark.parametrize(
    ("style", "field"),
    [
        ("taobao", "tid"),
        ("taobao", "buyer_nick"),
        ("taobao", "receiver_name"),
        ("taobao", "receiver_address"),
        ("jd", "orderId"),
        ("jd", "pin"),
        ("pdd", "order_sn"),
        ("pdd", "receiver_name"),
        ("pdd", "address"),
    ],
)
def test_hostile_payload_fields_are_refused_naming_the_field(eng: allot.Engine, style: str, field: str) -> None:
    orders = eng.client("orders")
    before = eng.last_lsn
    for hidden in ["\u200b", "\ufeff", "\u202e", "\x00", "\x1b[2J"]:
        with pytest.raises(allot.InvalidInputError, match=f": {field}: "):
            orders.intake_payload(style, f"{style}-shop", payload(style, **{field: f"A{hidden}1"}))
    with pytest.raises(allot.InvalidInputError, match="consigneeInfo.fullname"):
        bad = payload("jd")
        bad["consigneeInfo"] = dict(bad["consigneeInfo"], fullname="王\u200b强")
        orders.intake_payload("jd", "jd-shop", bad)
    assert eng.last_lsn == before


def test_every_format_character_is_refused_in_an_identifier(eng: allot.Engine) -> None:
    """The core's table of format characters against this Python's Unicode database."""
    orders = eng.client("orders")
    format_characters = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"]
    assert len(format_characters) > 150
    for character in format_characters:
        with pytest.raises(allot.InvalidInputError, match=f"U\\+{ord(character):04X}"):
            orders.reservation(f"A{character}1")
    # And every C0 and C1 control.
    for code in [*range(0x20), *range(0x7F, 0xA0)]:
        with pytest.raises(allot.InvalidInputError, match="control characters"):
            orders.reservation(f"A{chr(code)}1")


def test_a_bool_is_never_a_number(eng: allot.Engine) -> None:
    admin = eng.client("admin")
    before = eng.last_lsn
    calls: list[Callable[[], object]] = [
        lambda: admin.reserve("O", [("MUG-350", True)]),
        lambda: admin.reserve("O", [("MUG-350", 1)], ttl_s=True),
        lambda: admin.reserve_many([("O", [("MUG-350", True)])]),
        lambda: admin.reserve_many([{"order_id": "O", "lines": [("MUG-350", 1)], "ttl_s": False}]),
        lambda: admin.set_stock("MUG-350", "WH-SZ", True),
        lambda: admin.receive("MUG-350", "WH-SZ", True),
        lambda: admin.adjust("MUG-350", "WH-SZ", True, reason="x"),
        lambda: admin.expect_inbound("MUG-350", "WH-SZ", True),
        lambda: admin.land_inbound("MUG-350", "WH-SZ", False),
        lambda: admin.set_buffer("MUG-350", units=True),
        lambda: admin.set_buffer("MUG-350", percent=True),
        lambda: admin.add_warehouse("WH-X", region="1", priority=True),
        lambda: admin.update_warehouse("WH-SZ", priority=False, active=True),
        lambda: admin.events(after=True),
        lambda: admin.events(max=True),
        lambda: admin.subscribe().poll(max=True),
        lambda: admin.acknowledge_task(True),
        lambda: admin.close_task(False),
        lambda: eng.advance_time(seconds=True),
        lambda: allot.FormLine("MUG-350", True),
        lambda: allot.FormLine("MUG-350", 1, True),
        lambda: allot.OrderForm("tmall", "1", "b", address(), [("MUG-350", True, 1)]),
        lambda: allot.OrderForm("tmall", "1", "b", address(), [("MUG-350", 1, 1)], placed_at_ms=True),
        lambda: allot.Engine.open_in_memory(default_ttl_s=True),
        lambda: allot.Engine.open_in_memory(stripes=True),
        lambda: allot.Engine.open_in_memory(clock="manual", clock_start_ms=True),
        lambda: allot.Stock(on_hand=True),
        lambda: allot.Warehouse("W", "1", True),
        lambda: allot.ReservedLine("S", "W", True),
    ]
    for call in calls:
        with pytest.raises(TypeError, match="bool"):
            call()
    assert eng.last_lsn == before


def test_deep_and_self_containing_dict_payloads_are_typed_errors(eng: allot.Engine) -> None:
    orders = eng.client("orders")
    deep: dict[str, Any] = {}
    for _ in range(100_000):
        deep = {"x": deep}
    with pytest.raises(allot.InvalidInputError, match="PAYLOAD_DEPTH_MAX"):
        orders.intake_payload("taobao", "taobao-shop", deep)
    nested = payload("taobao")
    inner: list[Any] = []
    nested["extra"] = inner
    for _ in range(allot.LIMITS["PAYLOAD_DEPTH_MAX"] + 1):
        inner.append([])
        inner = inner[0]
    with pytest.raises(allot.InvalidInputError, match=f"PAYLOAD_DEPTH_MAX = {allot.LIMITS['PAYLOAD_DEPTH_MAX']}"):
        orders.intake_payload("taobao", "taobao-shop", nested)
    looped = payload("taobao")
    looped["self"] = looped
    with pytest.raises(allot.InvalidInputError, match="PAYLOAD_DEPTH_MAX"):
        orders.intake_payload("taobao", "taobao-shop", looped)
    # The same depth as JSON text is the core's refusal, with the same limit named.
    text = "[" * 100_000 + "]" * 100_000
    with pytest.raises(allot.InvalidInputError, match="PAYLOAD_DEPTH_MAX"):
        orders.intake_payload("jd", "jd-shop", text)
    # A dict at a legal depth is fine.
    assert orders.intake_payload("taobao", "taobao-shop", payload("taobao")).order.key.startswith("taobao-shop:")


def test_max_zero_says_at_least_one_is_needed(eng: allot.Engine) -> None:
    viewer = eng.client("viewer")
    for call in [lambda: viewer.events(max=0), lambda: viewer.subscribe().poll(max=0)]:
        with pytest.raises(allot.LimitExceededError, match="below the least allowed, 1") as raised:
            call()
        assert "above" not in str(raised.value)


def test_only_regular_rules_files_within_the_limit_are_read(eng: allot.Engine, tmp_path: Path) -> None:
    before = eng.last_lsn
    with pytest.raises(allot.StorageIoError, match="a device, not a regular file"):
        eng.reload_rules("/dev/zero", by="ops")
    fifo = tmp_path / "rules.fifo"
    os.mkfifo(fifo)
    with pytest.raises(allot.StorageIoError, match="a FIFO, not a regular file"):
        eng.reload_rules(fifo, by="ops")
    with pytest.raises(allot.StorageIoError, match="a directory, not a regular file"):
        eng.reload_rules(tmp_path, by="ops")
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * (RULES_BYTES_MAX + 1))
    with pytest.raises(allot.LimitExceededError, match="RULES_BYTES_MAX"):
        eng.reload_rules(big, by="ops")
    assert eng.last_lsn == before
