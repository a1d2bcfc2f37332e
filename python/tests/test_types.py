"""Arguments Python users can get wrong are refused before the engine is asked, as Python users
expect: a wrong type is a TypeError, a value Rust cannot hold (a negative quantity, a number
beyond 32 or 64 bits, NaN seconds, an unknown role, sync mode or clock) is a ValueError, and
neither changes anything. What the engine judges (its limits) stays the engine's error."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest

import allot

from conftest import SEGMENT_BYTES

U64_OVER = 2**64
U32_OVER = 2**32


@pytest.fixture
def eng() -> Any:
    with allot.Engine.open_in_memory(sync="none", clock="manual") as engine:
        admin = engine.client("admin")
        admin.add_warehouse("W", region="1", priority=1)
        admin.add_sku("S")
        admin.set_stock("S", "W", 10)
        yield engine


TYPE_ERRORS: list[tuple[str, Callable[[Any], object]]] = [
    ("order_id int", lambda c: c.reserve(1, [("S", 1)])),
    ("lines str", lambda c: c.reserve("O", "S")),
    ("lines dict", lambda c: c.reserve("O", {"S": 1})),
    ("lines int", lambda c: c.reserve("O", 5)),
    ("line not a pair", lambda c: c.reserve("O", [("S", 1, 2)])),
    ("line a str", lambda c: c.reserve("O", ["S"])),
    ("line sku int", lambda c: c.reserve("O", [(1, 1)])),
    ("line sku bytes", lambda c: c.reserve("O", [(b"S", 1)])),
    ("second line sku", lambda c: c.reserve("O", [("S", 1), (None, 1)])),
    ("qty float", lambda c: c.reserve("O", [("S", 1.0)])),
    ("qty str", lambda c: c.reserve("O", [("S", "1")])),
    ("ship_to int", lambda c: c.reserve("O", [("S", 1)], ship_to=310000)),
    ("ttl_s str", lambda c: c.reserve("O", [("S", 1)], ttl_s="60")),
    ("allow_split int", lambda c: c.reserve("O", [("S", 1)], allow_split=1)),
    ("options positional", lambda c: c.reserve("O", [("S", 1)], "310000")),
    ("unknown keyword", lambda c: c.reserve("O", [("S", 1)], ttl=5)),
    ("reserve_many not a list", lambda c: c.reserve_many(5)),
    ("reserve_many entry", lambda c: c.reserve_many([("O",)])),
    ("reserve_many entry str", lambda c: c.reserve_many(["O"])),
    ("reserve_many dict key", lambda c: c.reserve_many([{"order_id": "O", "lines": [], "ttl": 1}])),
    ("reserve_many dict no lines", lambda c: c.reserve_many([{"order_id": "O"}])),
    ("reserve_many order_id", lambda c: c.reserve_many([(7, [("S", 1)])])),
    ("reserve_many bad line", lambda c: c.reserve_many([("O", [("S", "x")])])),
    ("set_stock str", lambda c: c.set_stock("S", "W", "10")),
    ("set_stock float", lambda c: c.set_stock("S", "W", 10.0)),
    ("receive None", lambda c: c.receive("S", "W", None)),
    ("adjust float", lambda c: c.adjust("S", "W", 1.5, reason="x")),
    ("adjust no reason", lambda c: c.adjust("S", "W", 1)),
    ("sku int", lambda c: c.stock(5)),
    ("commit int", lambda c: c.commit(5)),
    ("set_buffer units str", lambda c: c.set_buffer("S", units="2")),
    ("add_warehouse priority str", lambda c: c.add_warehouse("W2", region="1", priority="1")),
    ("add_warehouse positional", lambda c: c.add_warehouse("W2", "1", 1)),
    ("events after str", lambda c: c.events("0")),
]


@pytest.mark.parametrize(("what", "call"), TYPE_ERRORS, ids=[what for what, _ in TYPE_ERRORS])
def test_type_errors(eng: allot.Engine, what: str, call: Callable[[Any], object]) -> None:
    client = eng.client("admin")
    before = eng.last_lsn
    with pytest.raises(TypeError):
        call(client)
    assert eng.last_lsn == before, "nothing was written"


VALUE_ERRORS: list[tuple[str, Callable[[Any], object]]] = [
    ("negative qty", lambda c: c.reserve("O", [("S", -1)])),
    ("qty beyond u32", lambda c: c.reserve("O", [("S", U32_OVER)])),
    ("qty beyond u64", lambda c: c.reserve("O", [("S", U64_OVER)])),
    ("negative ttl", lambda c: c.reserve("O", [("S", 1)], ttl_s=-1)),
    ("nan ttl", lambda c: c.reserve("O", [("S", 1)], ttl_s=float("nan"))),
    ("infinite ttl", lambda c: c.reserve("O", [("S", 1)], ttl_s=float("inf"))),
    ("huge ttl", lambda c: c.reserve("O", [("S", 1)], ttl_s=1e300)),
    ("reserve_many negative", lambda c: c.reserve_many([("O", [("S", -2)])])),
    ("reserve_many nan ttl", lambda c: c.reserve_many([{"order_id": "O", "lines": [("S", 1)], "ttl_s": float("nan")}])),
    ("set_stock negative", lambda c: c.set_stock("S", "W", -1)),
    ("set_stock beyond u64", lambda c: c.set_stock("S", "W", U64_OVER)),
    ("receive negative", lambda c: c.receive("S", "W", -5)),
    ("expect_inbound beyond u64", lambda c: c.expect_inbound("S", "W", 2**70)),
    ("land_inbound negative", lambda c: c.land_inbound("S", "W", -1)),
    ("adjust beyond i64", lambda c: c.adjust("S", "W", 2**63, reason="x")),
    ("adjust below i64", lambda c: c.adjust("S", "W", -(2**63) - 1, reason="x")),
    ("buffer negative units", lambda c: c.set_buffer("S", units=-1)),
    ("buffer percent beyond u8", lambda c: c.set_buffer("S", percent=300)),
    ("buffer both", lambda c: c.set_buffer("S", units=1, percent=1)),
    ("priority negative", lambda c: c.add_warehouse("W2", region="1", priority=-1)),
    ("priority beyond u32", lambda c: c.update_warehouse("W", priority=U32_OVER, active=True)),
    ("events negative cursor", lambda c: c.events(-1)),
    ("events negative max", lambda c: c.events(max=-1)),
]


@pytest.mark.parametrize(("what", "call"), VALUE_ERRORS, ids=[what for what, _ in VALUE_ERRORS])
def test_value_errors(eng: allot.Engine, what: str, call: Callable[[Any], object]) -> None:
    client = eng.client("admin")
    before = eng.last_lsn
    with pytest.raises(ValueError) as raised:
        call(client)
    assert not isinstance(raised.value, allot.AllotError)
    assert eng.last_lsn == before, "nothing was written"


def test_messages_name_the_argument(eng: allot.Engine) -> None:
    admin = eng.client("admin")
    with pytest.raises(ValueError, match="order line 0: the quantity must not be negative, not -1"):
        admin.reserve("O", [("S", -1)])
    with pytest.raises(ValueError, match="on_hand = 18446744073709551616 does not fit in u64"):
        admin.set_stock("S", "W", U64_OVER)
    with pytest.raises(TypeError, match="order line 1: the SKU must be a str, not NoneType"):
        admin.reserve("O", [("S", 1), (None, 1)])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"order line 0 must be a \(sku, qty\) tuple, not str"):
        admin.reserve("O", ["S"])  # type: ignore[list-item]


def test_bad_roles_sync_modes_and_clocks(tmp_path: Path, eng: allot.Engine) -> None:
    for role in ["root", "Admin", "", "orders "]:
        with pytest.raises(ValueError, match="unknown role"):
            eng.client(role)
    with pytest.raises(TypeError):
        eng.client(None)  # type: ignore[arg-type]
    bad_options: list[dict[str, Any]] = [
        {"sync": "sometimes"},
        {"sync": "ALWAYS"},
        {"sync": "interval:100"},
        {"sync": "always", "sync_interval_ms": 10},
        {"sync": "interval", "sync_interval_ms": -1},
        {"clock": "atomic"},
        {"clock": "system", "clock_start_ms": 5},
        {"clock": "manual", "clock_start_ms": -5},
        {"default_ttl_s": -1.0},
        {"stripes": -1},
    ]
    for options in bad_options:
        with pytest.raises(ValueError):
            allot.Engine.open_in_memory(**options)
        with pytest.raises(ValueError):
            allot.Engine.open(tmp_path / "never", segment_bytes=SEGMENT_BYTES, **options)
    assert not (tmp_path / "never").exists()
    with pytest.raises(TypeError):
        allot.Engine.open_in_memory(sync=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        allot.Engine.open(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        allot.Engine.open("x", "always")  # type: ignore[misc]
    # What the engine judges stays the engine's error.
    with pytest.raises(allot.InvalidInputError, match="power of two"):
        allot.Engine.open_in_memory(stripes=3)
    with pytest.raises(allot.InvalidInputError, match="at least 1 ms"):
        allot.Engine.open_in_memory(sync="interval", sync_interval_ms=0)
    for seconds in [-1.0, float("nan"), float("inf")]:
        with pytest.raises(ValueError):
            eng.advance_time(seconds=seconds)
    with pytest.raises(TypeError):
        eng.advance_time(60)  # type: ignore[misc]
