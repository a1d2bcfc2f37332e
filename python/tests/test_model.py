"""The engine, driven through Python, agrees with a small sequential model of stock and
reservations after every step: hypothesis runs random sequences of reserve, commit, release,
set_stock, receive, advance_time (a manual clock, so TTLs expire deterministically), checkpoint
and close-and-reopen, and checks every SKU's levels, every order's state and every answer
(reservation, repeat, refusal, settlement) against the model. A failure is reported by
hypothesis as the shortest sequence of steps that shows it."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import allot

from conftest import SEGMENT_BYTES

SKUS = ["A", "B", "C"]
ORDERS = [f"O{i}" for i in range(10)]
START_MS = 1_000_000
DEFAULT_TTL_MS = 600_000


@dataclass
class Order:
    lines: dict[str, int]
    state: str
    expires_at_ms: int | None
    lsn: int


@dataclass
class Model:
    now_ms: int = START_MS
    on_hand: dict[str, int] = field(default_factory=lambda: {sku: 0 for sku in SKUS})
    reserved: dict[str, int] = field(default_factory=lambda: {sku: 0 for sku in SKUS})
    orders: dict[str, Order] = field(default_factory=dict)

    def available(self, sku: str) -> int:
        return self.on_hand[sku] - self.reserved[sku]

    def unhold(self, order: Order, state: str) -> None:
        for sku, qty in order.lines.items():
            self.reserved[sku] -= qty
            if state == "committed":
                self.on_hand[sku] -= qty
        order.state = state


def summed(lines: list[tuple[str, int]]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for sku, qty in lines:
        totals[sku] = totals.get(sku, 0) + qty
    return totals


lines_strategy = st.lists(st.tuples(st.sampled_from(SKUS), st.integers(1, 4)), min_size=1, max_size=3)


class EngineAgainstModel(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = tempfile.mkdtemp(prefix="allot-model-")
        self.model = Model()
        self.engine: allot.Engine | None = None

    def open(self) -> None:
        self.engine = allot.Engine.open(
            f"{self.dir}/data",
            sync="none",
            clock="manual",
            clock_start_ms=self.model.now_ms,
            default_ttl_s=DEFAULT_TTL_MS / 1000,
            segment_bytes=SEGMENT_BYTES,
        )

    @property
    def eng(self) -> allot.Engine:
        assert self.engine is not None
        return self.engine

    @initialize(stock=st.lists(st.integers(0, 10), min_size=len(SKUS), max_size=len(SKUS)))
    def start(self, stock: list[int]) -> None:
        self.open()
        admin = self.eng.client("admin")
        admin.add_warehouse("W", region="310000", priority=1)
        for sku, units in zip(SKUS, stock):
            admin.add_sku(sku)
            admin.set_stock(sku, "W", units)
            self.model.on_hand[sku] = units

    @rule(order_id=st.sampled_from(ORDERS), lines=lines_strategy, ttl_s=st.sampled_from([None, 1, 2.5, 10]))
    def reserve(self, order_id: str, lines: list[tuple[str, int]], ttl_s: float | None) -> None:
        orders = self.eng.client("orders")
        wanted = summed(lines)
        known = self.model.orders.get(order_id)
        if known is not None:
            if known.lines == wanted:
                r = orders.reserve(order_id, lines, ttl_s=ttl_s)
                assert r.repeat and r.state == known.state and r.lsn == known.lsn
                assert r.expires_at_ms == known.expires_at_ms
            else:
                try:
                    orders.reserve(order_id, lines, ttl_s=ttl_s)
                except allot.DuplicateOrderError:
                    return
                raise AssertionError("a different order under a used id was not refused")
            return
        if all(qty <= self.model.available(sku) for sku, qty in wanted.items()):
            r = orders.reserve(order_id, lines, ttl_s=ttl_s)
            ttl_ms = DEFAULT_TTL_MS if ttl_s is None else round(ttl_s * 1000)
            assert (r.state, r.repeat, r.order_id) == ("held", False, order_id)
            assert r.expires_at_ms == self.model.now_ms + ttl_ms
            assert r.reserved_at_ms == self.model.now_ms
            assert summed([(line.sku, line.qty) for line in r.lines]) == wanted
            assert all(line.warehouse == "W" for line in r.lines)
            for sku, qty in wanted.items():
                self.model.reserved[sku] += qty
            self.model.orders[order_id] = Order(wanted, "held", r.expires_at_ms, r.lsn)
        else:
            try:
                orders.reserve(order_id, lines, ttl_s=ttl_s)
            except allot.InsufficientStockError:
                return
            raise AssertionError("a reservation beyond the available stock was accepted")

    @rule(order_id=st.sampled_from(ORDERS))
    def commit(self, order_id: str) -> None:
        self.settle(order_id, "commit")

    @rule(order_id=st.sampled_from(ORDERS))
    def release(self, order_id: str) -> None:
        self.settle(order_id, "release")

    def settle(self, order_id: str, how: str) -> None:
        orders = self.eng.client("orders")
        call = orders.commit if how == "commit" else orders.release
        known = self.model.orders.get(order_id)
        if known is None:
            try:
                call(order_id)
            except allot.UnknownOrderError:
                return
            raise AssertionError("settling an unknown order was not refused")
        target = "committed" if how == "commit" else "released"
        harmless = {"commit": {"committed"}, "release": {"released", "expired"}}[how]
        if known.state == "held":
            settled = call(order_id)
            assert (settled.state, settled.changed) == (target, True)
            self.model.unhold(known, target)
        elif known.state in harmless:
            settled = call(order_id)
            assert (settled.state, settled.changed) == (known.state, False)
        else:
            try:
                call(order_id)
            except allot.IllegalTransitionError:
                return
            raise AssertionError(f"{how} of a {known.state} order was not refused")

    @rule(sku=st.sampled_from(SKUS), on_hand=st.integers(0, 15))
    def set_stock(self, sku: str, on_hand: int) -> None:
        warehouse = self.eng.client("warehouse")
        if on_hand < self.model.reserved[sku]:
            try:
                warehouse.set_stock(sku, "W", on_hand)
            except allot.InsufficientStockError:
                return
            raise AssertionError("on hand was set below what is reserved")
        levels = warehouse.set_stock(sku, "W", on_hand)
        self.model.on_hand[sku] = on_hand
        assert levels.on_hand == on_hand and levels.reserved == self.model.reserved[sku]

    @rule(sku=st.sampled_from(SKUS), qty=st.integers(1, 5))
    def receive(self, sku: str, qty: int) -> None:
        levels = self.eng.client("warehouse").receive(sku, "W", qty)
        self.model.on_hand[sku] += qty
        assert levels.on_hand == self.model.on_hand[sku]

    @rule(seconds=st.sampled_from([0.5, 1, 1.5, 2.5, 5, 11, 700]))
    def advance_time(self, seconds: float) -> None:
        self.model.now_ms += round(seconds * 1000)
        due = [
            order
            for order in self.model.orders.values()
            if order.state == "held" and order.expires_at_ms is not None and order.expires_at_ms <= self.model.now_ms
        ]
        expired = self.eng.advance_time(seconds=seconds)
        for order in due:
            self.model.unhold(order, "expired")
        assert expired == len(due)
        assert self.eng.now_ms == self.model.now_ms

    @rule()
    def checkpoint(self) -> None:
        assert self.eng.checkpoint().lsn == self.eng.last_lsn

    @precondition(lambda self: self.engine is not None)
    @rule()
    def reopen(self) -> None:
        self.eng.close()
        self.open()
        assert self.eng.recovery.last_lsn == self.eng.last_lsn

    @invariant()
    def stock_matches(self) -> None:
        if self.engine is None:
            return
        viewer = self.eng.client("viewer")
        for sku in SKUS:
            expected = allot.Stock(
                on_hand=self.model.on_hand[sku],
                reserved=self.model.reserved[sku],
                available=self.model.available(sku),
            )
            assert viewer.stock(sku) == expected, sku

    @invariant()
    def reservations_match(self) -> None:
        if self.engine is None:
            return
        viewer = self.eng.client("viewer")
        for order_id in ORDERS:
            found = viewer.reservation(order_id)
            known = self.model.orders.get(order_id)
            if known is None:
                assert found is None, order_id
            else:
                assert found is not None, order_id
                assert (found.state, found.lsn, found.expires_at_ms) == (known.state, known.lsn, known.expires_at_ms)
                assert summed([(line.sku, line.qty) for line in found.lines]) == known.lines

    def teardown(self) -> None:
        try:
            if self.engine is not None:
                self.engine.check_invariants()
                self.engine.close()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


EngineAgainstModel.TestCase.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
test_engine_against_model = EngineAgainstModel.TestCase
