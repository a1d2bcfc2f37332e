"""The whole Python surface does what its documentation says: the README example runs as
written and prints the reprs shown; every Engine and Client call reaches the core and answers
with frozen value objects whose SKUs and warehouses are codes; events, metrics, recovery and
checkpoints are exposed; everything public has a docstring."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

import allot
import allot._allot as native
import allot.exceptions

from conftest import SEGMENT_BYTES


def readme_example(path: str, clock: str) -> list[str]:
    """The issue's example, line for line (only the open's clock varies), printing what the
    comments show."""
    printed: list[str] = []
    with allot.Engine.open(path, sync="always", clock=clock) as eng:
        admin = eng.client("admin")
        admin.add_warehouse("WH-SH", region="310000", priority=1)
        admin.add_sku("SOFA-3P", category="furniture")
        admin.set_stock("SOFA-3P", "WH-SH", on_hand=100)
        orders = eng.client("orders")
        r = orders.reserve("ORD-1", [("SOFA-3P", 2)], ship_to="310000", ttl_s=1800)
        printed.append(repr(r.lines))
        orders.commit("ORD-1")
        printed.append(repr(eng.client("viewer").stock("SOFA-3P")))
        printed.append(repr(eng.advance_time(seconds=60)))
    return printed


def test_readme_example_prints_what_it_shows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    printed = readme_example("data", clock="manual")
    assert printed == [
        '[ReservedLine(sku="SOFA-3P", warehouse="WH-SH", qty=2)]',
        "Stock(on_hand=98, reserved=0, available=98, in_transit=0, buffer=0)",
        "0",
    ]
    # With the system clock, the example's last line is refused as its comment says.
    with pytest.raises(allot.InvalidInputError, match="manual clock"):
        readme_example("data2", clock="system")


def test_catalogue_calls(stocked: allot.Engine) -> None:
    admin = stocked.client("admin")
    assert admin.warehouses() == [
        allot.Warehouse("WH-SH", "310000", 1, True),
        allot.Warehouse(code="WH-BJ", region="110000", priority=2),
    ]
    assert admin.skus() == [allot.Sku("SOFA-3P", "furniture"), allot.Sku("LAMP", category="lighting")]
    admin.update_warehouse("WH-BJ", priority=0, active=False)
    assert stocked.client("logistics").warehouses()[1] == allot.Warehouse("WH-BJ", "110000", 0, False)
    admin.add_sku("NO-CATEGORY")
    assert admin.skus()[-1] == allot.Sku("NO-CATEGORY", "")
    with pytest.raises(allot.AlreadyExistsError, match='SKU "LAMP" already exists'):
        admin.add_sku("LAMP")
    with pytest.raises(allot.AlreadyExistsError):
        admin.add_warehouse("WH-SH", region="310000", priority=1)
    with pytest.raises(allot.UnknownWarehouseError, match='"WH-XX"'):
        admin.update_warehouse("WH-XX", priority=1, active=True)


def test_stock_movements_return_the_cell(stocked: allot.Engine) -> None:
    wh = stocked.client("warehouse")
    assert wh.set_stock("LAMP", "WH-SH", 7) == allot.Stock(on_hand=7, available=7)
    assert wh.receive("LAMP", "WH-SH", 3) == allot.Stock(10, 0, 10, 0, 0)
    assert wh.adjust("LAMP", "WH-SH", -4, reason="damaged") == allot.Stock(on_hand=6, available=6)
    assert wh.expect_inbound("LAMP", "WH-SH", 5) == allot.Stock(on_hand=6, available=6, in_transit=5)
    assert wh.land_inbound("LAMP", "WH-SH", 2) == allot.Stock(on_hand=8, available=8, in_transit=3)
    with pytest.raises(allot.InvalidInputError, match="only 3 in transit"):
        wh.land_inbound("LAMP", "WH-SH", 4)
    with pytest.raises(allot.InvalidInputError, match="0 units"):
        wh.adjust("LAMP", "WH-SH", 0, reason="nothing")
    # Reads: one cell, all cells by code, the SKU over all warehouses or a region.
    viewer = stocked.client("viewer")
    assert viewer.cell("LAMP", "WH-SH") == allot.Stock(on_hand=8, available=8, in_transit=3)
    assert viewer.cells("LAMP") == {
        "WH-SH": allot.Stock(on_hand=8, available=8, in_transit=3),
        "WH-BJ": allot.Stock(on_hand=20, available=20),
    }
    assert viewer.stock("LAMP") == allot.Stock(on_hand=28, available=28, in_transit=3)
    assert viewer.stock_in_region("LAMP", "11") == allot.Stock(on_hand=20, available=20)
    assert viewer.stock_in_region("LAMP", "99") == allot.Stock()
    with pytest.raises(allot.UnknownSkuError, match='unknown SKU "NOPE"'):
        viewer.stock("NOPE")


def test_set_stock_below_reserved_is_refused(stocked: allot.Engine) -> None:
    stocked.client("orders").reserve("O1", [("LAMP", 3)], ship_to="310000")
    with pytest.raises(allot.InsufficientStockError, match='SKU "LAMP" in warehouse "WH-SH"'):
        stocked.client("warehouse").set_stock("LAMP", "WH-SH", 2)


def test_buffers(stocked: allot.Engine) -> None:
    admin = stocked.client("admin")
    admin.set_buffer("SOFA-3P", units=2, warehouse="WH-SH")
    assert admin.cell("SOFA-3P", "WH-SH") == allot.Stock(on_hand=10, available=8, buffer=2)
    admin.set_buffer("SOFA-3P", percent=50)  # the SKU's default: applies where no cell rule is set
    assert admin.cell("SOFA-3P", "WH-BJ") == allot.Stock(on_hand=5, available=2, buffer=3)
    assert admin.cell("SOFA-3P", "WH-SH").buffer == 2
    admin.set_buffer("SOFA-3P", warehouse="WH-SH")  # removes the cell's own rule
    assert admin.cell("SOFA-3P", "WH-SH") == allot.Stock(on_hand=10, available=5, buffer=5)
    admin.set_buffer("SOFA-3P")
    assert admin.stock("SOFA-3P").buffer == 0
    with pytest.raises(ValueError, match="not both"):
        admin.set_buffer("SOFA-3P", units=1, percent=1)
    with pytest.raises(allot.InvalidInputError, match="0..=100"):
        admin.set_buffer("SOFA-3P", percent=101)


def test_reserve_commit_release(stocked: allot.Engine) -> None:
    orders = stocked.client("orders")
    r = orders.reserve("ORD-1", [("SOFA-3P", 2), ("LAMP", 1)], ship_to="110000", ttl_s=60)
    assert r.order_id == "ORD-1"
    assert r.lines == [allot.ReservedLine("SOFA-3P", "WH-BJ", 2), allot.ReservedLine("LAMP", "WH-BJ", 1)]
    assert (r.state, r.repeat) == ("held", False)
    assert r.reserved_at_ms == 1_000_000
    assert r.expires_at_ms == 1_060_000
    assert r.expires_at == 1_060.0
    assert r.lsn == stocked.last_lsn
    assert orders.stock("SOFA-3P") == allot.Stock(on_hand=15, reserved=2, available=13)
    # The same lines again: the first reservation, marked as a repeat; other lines: refused.
    again = orders.reserve("ORD-1", (("LAMP", 1), ("SOFA-3P", 1), ("SOFA-3P", 1)), ship_to="110000")
    assert again.repeat and again.lsn == r.lsn and again.lines == r.lines
    with pytest.raises(allot.DuplicateOrderError, match='order "ORD-1" was already reserved'):
        orders.reserve("ORD-1", [("LAMP", 2)])
    assert orders.reservation("ORD-1") == r
    assert orders.reservation("ORD-404") is None

    settled = orders.commit("ORD-1")
    assert settled == allot.Settled("committed", True, settled.lsn)
    assert repr(settled) == f'Settled(state="committed", changed=True, lsn={settled.lsn})'
    assert orders.commit("ORD-1") == allot.Settled("committed", False, settled.lsn)
    with pytest.raises(allot.IllegalTransitionError, match="is committed and cannot become released"):
        orders.release("ORD-1")
    assert orders.stock("SOFA-3P") == allot.Stock(on_hand=13, available=13)
    held = orders.reservation("ORD-1")
    assert held is not None and held.state == "committed"

    orders.reserve("ORD-2", [("LAMP", 4)])
    released = orders.release("ORD-2")
    assert (released.state, released.changed) == ("released", True)
    assert orders.release("ORD-2").changed is False
    with pytest.raises(allot.UnknownOrderError, match='"ORD-3"'):
        orders.commit("ORD-3")


def test_placement_split_and_shortage(stocked: allot.Engine) -> None:
    orders = stocked.client("orders")
    # 12 sofas: no single warehouse has them (10 + 5).
    with pytest.raises(allot.InsufficientStockError, match='order "BIG": SKU "SOFA-3P"') as refused:
        orders.reserve("BIG", [("SOFA-3P", 12)], ship_to="310000")
    assert refused.value.code == 200 and refused.value.name == "insufficient_stock"
    split = orders.reserve("BIG", [("SOFA-3P", 12)], ship_to="310000", allow_split=True)
    assert sorted((line.warehouse, line.qty) for line in split.lines) == [("WH-BJ", 2), ("WH-SH", 10)]
    assert all(line.sku == "SOFA-3P" for line in split.lines)


def test_ttl_expiry_with_the_manual_clock(stocked: allot.Engine) -> None:
    orders = stocked.client("orders")
    orders.reserve("SHORT", [("LAMP", 2)], ttl_s=1.5)
    orders.reserve("NEVER", [("LAMP", 1)], ttl_s=None)  # the engine default: 30 minutes
    assert stocked.advance_time(seconds=1.499) == 0
    assert stocked.advance_time(seconds=0.001) == 1
    short = orders.reservation("SHORT")
    assert short is not None and short.state == "expired"
    assert orders.release("SHORT") == allot.Settled("expired", False, short_settle_lsn(stocked))
    with pytest.raises(allot.IllegalTransitionError, match="is expired and cannot become committed"):
        orders.commit("SHORT")
    assert stocked.expire_due() == 0
    assert stocked.now_ms == 1_001_500
    assert stocked.advance_time(seconds=1800) == 1


def short_settle_lsn(engine: allot.Engine) -> int:
    """The LSN of the expiry of order "SHORT" (from the event stream)."""
    events = engine.client("viewer").events()
    return next(e.lsn for e in events if e.kind == "settle" and e.order_id == "SHORT")


def test_engine_default_ttl_and_never(data_dir: Path) -> None:
    with allot.Engine.open_in_memory(clock="manual", default_ttl_s=None) as eng:
        eng.client("admin").add_warehouse("W", region="1", priority=1)
        eng.client("admin").add_sku("S")
        eng.client("admin").set_stock("S", "W", 5)
        r = eng.client("orders").reserve("O", [("S", 1)])
        assert r.expires_at is None and r.expires_at_ms is None
        assert eng.advance_time(seconds=10**7) == 0


def test_reserve_many(stocked: allot.Engine) -> None:
    orders = stocked.client("orders")
    results = orders.reserve_many(
        [
            ("M1", [("LAMP", 1)]),
            {"order_id": "M2", "lines": [("SOFA-3P", 1), ("LAMP", 2)], "ship_to": "110000", "ttl_s": 5},
            ("M3", [("SOFA-3P", 1000)]),
            ("M4", [("NOPE", 1)]),
            {"order_id": "M5", "lines": [("SOFA-3P", 12)], "allow_split": True, "ship_to": None},
            ("M6", [("LAMP", 1)] * 200),
            ("M1", [("LAMP", 1)]),
        ]
    )
    assert len(results) == 7
    m1, m2, m3, m4, m5, m6, m1_again = results
    assert isinstance(m1, allot.Reservation) and m1.lines == [allot.ReservedLine("LAMP", "WH-SH", 1)]
    assert isinstance(m2, allot.Reservation)
    assert m2.lines == [allot.ReservedLine("SOFA-3P", "WH-BJ", 1), allot.ReservedLine("LAMP", "WH-BJ", 2)]
    assert m2.expires_at_ms == 1_005_000
    assert isinstance(m3, allot.InsufficientStockError) and 'SKU "SOFA-3P"' in str(m3)
    assert isinstance(m4, allot.UnknownSkuError) and m4.code == 102
    assert isinstance(m5, allot.Reservation) and sum(line.qty for line in m5.lines) == 12
    assert isinstance(m6, allot.LimitExceededError)
    assert str(m6) == "the number of order lines is 200, above the limit ORDER_LINES_MAX = 128"
    assert isinstance(m1_again, allot.Reservation) and m1_again.repeat
    assert orders.reserve_many([]) == []
    # Any iterable of orders, lines as lists of lists.
    generated = orders.reserve_many((f"G{i}", [["LAMP", 1]]) for i in range(3))  # type: ignore[list-item]
    assert [r.order_id for r in generated if isinstance(r, allot.Reservation)] == ["G0", "G1", "G2"]


def test_reserve_line_forms_and_limits(stocked: allot.Engine) -> None:
    orders = stocked.client("orders")
    assert orders.reserve("T1", (("LAMP", 1),)).lines[0].qty == 1
    assert orders.reserve("T2", iter([("LAMP", 1)])).lines[0].sku == "LAMP"
    with pytest.raises(allot.LimitExceededError, match="ORDER_LINES_MAX = 128"):
        orders.reserve("T3", [("LAMP", 1)] * 129)
    with pytest.raises(allot.LimitExceededError, match="ORDER_LINES_MAX"):
        orders.reserve("T3", iter([("LAMP", 1)] * 500))
    with pytest.raises(allot.InvalidInputError, match="at least one line"):
        orders.reserve("T4", [])
    with pytest.raises(allot.InvalidInputError, match="quantity 0"):
        orders.reserve("T4", [("LAMP", 0)])
    with pytest.raises(allot.LimitExceededError, match="LINE_QTY_MAX"):
        orders.reserve("T4", [("LAMP", 1_000_000_001)])
    with pytest.raises(allot.InvalidInputError, match="order id is empty"):
        orders.reserve("", [("LAMP", 1)])
    with pytest.raises(allot.LimitExceededError, match="TTL_MS_MAX"):
        orders.reserve("T5", [("LAMP", 1)], ttl_s=400 * 24 * 3600 + 1)
    with pytest.raises(allot.InvalidInputError, match="at least 1 ms"):
        orders.reserve("T5", [("LAMP", 1)], ttl_s=0)


def test_replies_use_the_callers_strings(stocked: allot.Engine) -> None:
    orders = stocked.client("orders")
    lamp = "".join(["LA", "MP"])  # equal strs that are not the catalogue's objects
    sofa = "".join(["SOFA", "-3P"])
    r = orders.reserve("S1", [(lamp, 1)])
    assert r.lines[0].sku is lamp
    assert r.lines[0].warehouse is orders.reserve("S2", [(lamp, 1)]).lines[0].warehouse
    two = orders.reserve("S3", [(sofa, 1), (lamp, 1)])
    assert [line.sku for line in two.lines] == ["SOFA-3P", "LAMP"]
    assert two.lines[0].sku is sofa and two.lines[1].sku is lamp
    [many] = orders.reserve_many([("S4", [(lamp, 1), (sofa, 1)])])
    assert isinstance(many, allot.Reservation)
    assert {id(line.sku) for line in many.lines} == {id(lamp), id(sofa)}
    # Where the caller passed no code (a lookup, events), the catalogue's spelling.
    found = orders.reservation("S3")
    assert found is not None and [line.sku for line in found.lines] == ["SOFA-3P", "LAMP"]


def test_permissions(stocked: allot.Engine) -> None:
    logistics = stocked.client("logistics")
    assert logistics.role == "logistics"
    assert repr(logistics) == 'Client(role="logistics")'
    with pytest.raises(allot.PermissionDeniedError, match="the logistics role may not reserve") as denied:
        logistics.reserve("X", [("NOPE", 1)])  # denied before the unknown SKU is looked at
    assert denied.value.code == 203
    with pytest.raises(allot.PermissionDeniedError):
        logistics.reserve_many([("X", [("LAMP", 1)])])
    with pytest.raises(allot.PermissionDeniedError):
        logistics.reserve("X", [("LAMP", 1)] * 500)  # the role before the line count
    with pytest.raises(allot.PermissionDeniedError):
        logistics.reserve("X", iter([("LAMP", 1)] * 500))
    with pytest.raises(allot.PermissionDeniedError, match="may not read_stock"):
        logistics.stock("LAMP")
    viewer = stocked.client("viewer")
    with pytest.raises(allot.PermissionDeniedError, match="the viewer role may not set_stock"):
        viewer.set_stock("LAMP", "WH-SH", 1)
    with pytest.raises(allot.PermissionDeniedError):
        stocked.client("orders").add_sku("X")
    with pytest.raises(allot.PermissionDeniedError):
        stocked.client("warehouse").commit("X")
    assert stocked.metrics().permission_denied == {
        ("logistics", "reserve"): 4,
        ("logistics", "read_stock"): 1,
        ("viewer", "set_stock"): 1,
        ("orders", "add_sku"): 1,
        ("warehouse", "commit"): 1,
    }


def test_events_resolve_codes_and_resume(stocked: allot.Engine) -> None:
    admin = stocked.client("admin")
    admin.set_buffer("LAMP", percent=10, warehouse="WH-BJ")
    admin.update_warehouse("WH-BJ", priority=3, active=True)
    wh = stocked.client("warehouse")
    wh.adjust("LAMP", "WH-SH", -1, reason="broken")
    wh.expect_inbound("LAMP", "WH-SH", 4)
    wh.land_inbound("LAMP", "WH-SH", 4)
    wh.receive("LAMP", "WH-SH", 1)
    orders = stocked.client("orders")
    orders.reserve("E1", [("SOFA-3P", 1)], ttl_s=10)
    orders.release("E1")
    events = stocked.client("viewer").events()
    assert [e.lsn for e in events] == list(range(1, len(events) + 1))
    kinds = [e.kind for e in events]
    assert kinds == ["add_warehouse"] * 2 + ["add_sku"] * 2 + ["move"] * 4 + [
        "set_buffer", "update_warehouse", "move", "move", "move", "move", "reserve", "settle",
    ]
    first = events[0]
    assert (first.warehouse, first.region, first.priority, first.active) == ("WH-SH", "310000", 1, True)
    assert first.fields == {"warehouse": "WH-SH", "region": "310000", "priority": 1, "active": True}
    assert first.sku is None  # fields of other kinds are None
    buffer = next(e for e in events if e.kind == "set_buffer")
    assert buffer.fields == {"sku": "LAMP", "warehouse": "WH-BJ", "units": None, "percent": 10}
    moves = [e for e in events if e.kind == "move"]
    assert moves[4].fields == {"sku": "LAMP", "warehouse": "WH-SH", "movement": "adjust", "delta": -1, "reason": "broken"}
    assert [m.movement for m in moves[-3:]] == ["expect_inbound", "land_inbound", "receive"]
    reserve = next(e for e in events if e.kind == "reserve")
    assert reserve.order_id == "E1" and reserve.lines == [allot.ReservedLine("SOFA-3P", "WH-SH", 1)]
    assert reserve.expires_at_ms == 1_010_000 and reserve.at_ms == 1_000_000
    settle = events[-1]
    assert (settle.kind, settle.order_id, settle.settlement) == ("settle", "E1", "release")
    assert repr(settle) == f'Event(lsn={settle.lsn}, kind="settle", order_id="E1", settlement="release", at_ms=1000000)'
    # Resume from a cursor; a cursor past the end is empty.
    viewer = stocked.client("viewer")
    assert viewer.events(after=events[-3].lsn) == events[-2:]
    assert viewer.events(events[-1].lsn) == []
    assert viewer.events(after=0, max=2) == events[:2]
    with pytest.raises(allot.LimitExceededError, match="EVENTS_BATCH_MAX"):
        viewer.events(max=0)
    assert hash(events[0]) == hash(viewer.events(max=1)[0])


def test_events_cursor_expires_after_a_checkpoint(data_dir: Path) -> None:
    with allot.Engine.open(data_dir, sync="none", segment_bytes=SEGMENT_BYTES) as eng:
        admin = eng.client("admin")
        admin.add_warehouse("W", region="1", priority=1)
        for i in range(2000):  # more than one segment of records
            admin.add_sku(f"SKU-{i}")
        report = eng.checkpoint()
        assert report.segments_removed >= 1 and report.lsn == eng.last_lsn
        with pytest.raises(allot.CursorExpiredError, match="are gone") as expired:
            admin.events(after=0)
        assert expired.value.code == 106


def test_engine_properties_metrics_recovery(data_dir: Path) -> None:
    eng = allot.Engine.open(data_dir, sync="interval", sync_interval_ms=5, segment_bytes=SEGMENT_BYTES)
    assert (eng.sync, eng.sync_interval_ms, eng.clock, eng.path, eng.closed) == ("interval", 5, "system", str(data_dir), False)
    assert repr(eng) == f'Engine(path="{data_dir}", sync="interval", clock="system")'
    assert eng.recovery.checkpoint_lsn == 0 and eng.recovery.torn_tail is None
    admin = eng.client("admin")
    admin.add_warehouse("W", region="1", priority=1)
    admin.add_sku("S")
    admin.set_stock("S", "W", 10)
    eng.client("orders").reserve("O", [("S", 3)])
    metrics = eng.metrics()
    assert (metrics.skus, metrics.warehouses, metrics.reservations_made, metrics.reservations_held) == (1, 1, 1, 1)
    assert metrics.log_last_lsn == 4 == eng.last_lsn
    assert metrics.as_dict()["permission_denied"] == {}
    assert "reservations_made=1" in repr(metrics)
    assert eng.check_invariants() == {
        "skus": 1, "cells": 1, "on_hand": 10, "reserved": 3, "held_reservations": 1, "settled_reservations": 0,
    }
    checkpoint = eng.checkpoint()
    assert checkpoint.lsn == 4 and checkpoint.path is not None and checkpoint.bytes > 0
    eng.close()
    assert eng.closed
    eng.close()  # harmless twice
    with pytest.raises(allot.ClosedError, match="the engine is closed") as closed:
        admin.add_sku("T")
    assert closed.value.code == 305 and isinstance(closed.value, allot.StorageError)
    with pytest.raises(allot.ClosedError):
        eng.checkpoint()
    # Reopened: the checkpoint is loaded, the state is back.
    with allot.Engine.open(data_dir, sync="none", segment_bytes=SEGMENT_BYTES) as again:
        assert again.recovery.checkpoint_lsn == 4
        assert again.recovery.last_lsn == 4
        assert "checkpoint_lsn=4" in repr(again.recovery)
        assert again.client("viewer").stock("S") == allot.Stock(on_hand=10, reserved=3, available=7)
        r = again.client("orders").reservation("O")
        assert r is not None and r.lines == [allot.ReservedLine("S", "W", 3)]
    assert again.closed


def test_in_memory_engine() -> None:
    with allot.Engine.open_in_memory(sync="none") as eng:
        assert eng.path is None and eng.recovery.last_lsn == 0
        eng.client("admin").add_sku("S")
        report = eng.checkpoint()
        assert report.path is None and report.lsn == 1 == eng.last_lsn


def test_context_manager_closes_on_error(data_dir: Path) -> None:
    with pytest.raises(RuntimeError):
        with allot.Engine.open(data_dir, segment_bytes=SEGMENT_BYTES) as eng:
            raise RuntimeError("boom")
    assert eng.closed
    with allot.Engine.open(data_dir, segment_bytes=SEGMENT_BYTES):  # the lock was released
        pass


def test_values_are_frozen_comparable_hashable(stocked: allot.Engine) -> None:
    r = stocked.client("orders").reserve("V1", [("LAMP", 1)])
    line = r.lines[0]
    values = [
        line,
        allot.Stock(1, 2, 3, 4, 5),
        r,
        allot.Settled("held", False, 1),
        allot.Warehouse("W", "1", 1),
        allot.Sku("S"),
        stocked.client("viewer").events(max=1)[0],
    ]
    for value in values:
        assert value == value and hash(value) == hash(value)
        assert value != object()
        attribute = next(name for name in dir(value) if not name.startswith("_"))
        with pytest.raises(AttributeError):
            setattr(value, attribute, None)
    assert line == allot.ReservedLine("LAMP", "WH-SH", 1) and hash(line) == hash(allot.ReservedLine("LAMP", "WH-SH", 1))
    assert line != allot.ReservedLine("LAMP", "WH-SH", 2)
    assert len({allot.Stock(1), allot.Stock(1), allot.Stock(2)}) == 2
    assert r == stocked.client("orders").reservation("V1")
    assert r != stocked.client("orders").reserve("V1", [("LAMP", 1)])  # the repeat flag differs
    assert repr(r) == (
        'Reservation(order_id="V1", lines=[ReservedLine(sku="LAMP", warehouse="WH-SH", qty=1)], '
        f'state="held", expires_at_ms=2800000, reserved_at_ms=1000000, lsn={r.lsn}, repeat=False)'
    )
    assert repr(allot.Warehouse("W", "1", 1)) == 'Warehouse(code="W", region="1", priority=1, active=True)'
    assert repr(allot.Sku("S", "c")) == 'Sku(code="S", category="c")'
    assert repr(allot.ReservedLine('a"b', "w", 1)) == 'ReservedLine(sku="a\\"b", warehouse="w", qty=1)'
    with pytest.raises(ValueError, match="unknown reservation state"):
        allot.Settled("gone", True, 1)
    with pytest.raises(TypeError):
        allot.Reservation()  # type: ignore[call-arg]


def test_module_constants() -> None:
    assert allot.ROLES == ["admin", "orders", "warehouse", "logistics", "viewer"]
    assert allot.SYNC_MODES == ["always", "interval", "none"]
    assert allot.CLOCKS == ["system", "manual"]
    assert allot.LIMITS["ORDER_LINES_MAX"] == 128 and allot.LIMITS["EVENTS_BATCH_MAX"] == 4096
    assert allot.__version__ == native.__version__
    assert set(allot.__all__) <= set(dir(allot))
    assert set(allot.exceptions.__all__) <= set(dir(allot.exceptions))


def public_members(module: object) -> list[tuple[str, object]]:
    found = []
    for name in getattr(module, "__all__"):
        value = getattr(module, name)
        if inspect.isclass(value) or callable(value):
            found.append((name, value))
            if inspect.isclass(value) and not issubclass(value, BaseException):
                for member_name, member in vars(value).items():
                    if not member_name.startswith("_"):
                        found.append((f"{name}.{member_name}", member))
    return found


def test_everything_public_has_a_docstring() -> None:
    missing = [name for name, value in public_members(native) if not (getattr(value, "__doc__", None) or "").strip()]
    assert missing == []
    for module in (allot, allot.exceptions, native):
        assert (module.__doc__ or "").strip()
