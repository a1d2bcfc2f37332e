"""Python threads share one engine safely and really run in parallel: eight threads selling out
one SKU reserve exactly its stock, no more and no less, in every sync mode; and the GIL is
released while the engine works, so another Python thread runs during a long engine call."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest

import allot

from conftest import SEGMENT_BYTES

THREADS = 8
STOCK = 2_000


@pytest.mark.parametrize("sync", ["always", "interval", "none"])
def test_eight_threads_sell_out_one_sku_exactly(tmp_path: Path, sync: str) -> None:
    stock = STOCK if sync != "always" else STOCK // 4  # each "always" ack waits for a flush
    with allot.Engine.open(tmp_path / "data", sync=sync, segment_bytes=SEGMENT_BYTES) as eng:
        admin = eng.client("admin")
        admin.add_warehouse("WH", region="310000", priority=1)
        admin.add_sku("HOT")
        admin.set_stock("HOT", "WH", stock)
        start = threading.Barrier(THREADS)
        sold: list[list[str]] = [[] for _ in range(THREADS)]
        refused = [0] * THREADS
        failures: list[BaseException] = []

        def buyer(index: int) -> None:
            orders = eng.client("orders")
            try:
                start.wait()
                n = 0
                # Every thread keeps buying until it has been refused a few times in a row
                # after the stock ran out (a refusal is final only once nothing is available).
                while True:
                    order = f"t{index}-{n}"
                    n += 1
                    try:
                        orders.reserve(order, [("HOT", 1)])
                        sold[index].append(order)
                    except allot.InsufficientStockError:
                        refused[index] += 1
                        if orders.stock("HOT").available == 0:
                            return
            except BaseException as error:  # reported by the main thread
                failures.append(error)

        threads = [threading.Thread(target=buyer, args=(i,)) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        all_sold = [order for orders in sold for order in orders]
        assert len(all_sold) == stock, "exactly the stock was reserved"
        assert len(set(all_sold)) == stock
        assert eng.client("viewer").stock("HOT") == allot.Stock(on_hand=stock, reserved=stock, available=0)
        assert sum(refused) >= THREADS
        invariants = eng.check_invariants()
        assert invariants["reserved"] == stock and invariants["held_reservations"] == stock
        # Every acknowledged reservation is there, held, with one unit.
        viewer = eng.client("viewer")
        for order in all_sold[:: max(1, stock // 200)]:
            r = viewer.reservation(order)
            assert r is not None and r.state == "held" and r.lines == [allot.ReservedLine("HOT", "WH", 1)]


def test_threads_mixing_reserve_commit_release_keep_the_books(tmp_path: Path) -> None:
    with allot.Engine.open(tmp_path / "data", sync="none", segment_bytes=SEGMENT_BYTES) as eng:
        admin = eng.client("admin")
        admin.add_warehouse("WH", region="1", priority=1)
        skus = [f"S{i}" for i in range(4)]
        for sku in skus:
            admin.add_sku(sku)
            admin.set_stock(sku, "WH", 1_000)
        committed = [0] * THREADS
        start = threading.Barrier(THREADS)

        def worker(index: int) -> None:
            orders = eng.client("orders")
            start.wait()
            for n in range(300):
                order = f"w{index}-{n}"
                lines = [(skus[(index + n) % 4], 1), (skus[(index + n + 1) % 4], 1)]
                try:
                    orders.reserve(order, lines)
                except allot.InsufficientStockError:
                    continue
                if n % 3 == 0:
                    orders.commit(order)
                    committed[index] += 2
                elif n % 3 == 1:
                    orders.release(order)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        viewer = eng.client("viewer")
        total = [viewer.stock(sku) for sku in skus]
        assert sum(s.on_hand for s in total) == 4_000 - sum(committed)
        held = eng.metrics().reservations_held
        assert sum(s.reserved for s in total) == 2 * held
        eng.check_invariants()


def test_the_gil_is_released_while_the_engine_works() -> None:
    """With the switch interval far longer than one engine call, the interpreter does not take
    the GIL from a thread by force during the call: another thread can only run then if the call
    released it. A helper thread counts while the main thread is inside one long engine call (a
    large reserve_many); the count moving during the call shows the call released the GIL. (The
    same check around a long call that holds the GIL, such as sorted() of a big list, sees no
    movement.)"""
    with allot.Engine.open_in_memory(sync="none") as eng:
        admin = eng.client("admin")
        admin.add_warehouse("WH", region="1", priority=1)
        for i in range(100):
            admin.add_sku(f"S{i}")
            admin.set_stock(f"S{i}", "WH", 1_000_000)
        orders = eng.client("orders")
        counter = [0]
        started = threading.Event()
        stop = threading.Event()

        def count() -> None:
            started.set()
            while not stop.is_set():
                counter[0] += 1
                os.sched_yield()  # releases the GIL: the main thread needs it back to go on

        previous = sys.getswitchinterval()
        sys.setswitchinterval(5.0)  # one reserve_many below takes well under a second
        try:
            helper = threading.Thread(target=count)
            helper.start()
            started.wait()
            moved = False
            for attempt in range(5):
                size = allot.LIMITS["RESERVE_BATCH_MAX"]
                batch = [(f"b{attempt}-{i}", [(f"S{i % 100}", 1)]) for i in range(size)]
                before = counter[0]
                results = orders.reserve_many(batch)
                after = counter[0]
                assert all(isinstance(r, allot.Reservation) for r in results)
                if after > before:
                    moved = True
                    break
        finally:
            # Stopped whatever happened: a helper left counting would keep the process alive.
            stop.set()
            helper.join()
            sys.setswitchinterval(previous)
        assert moved, "another thread ran while reserve_many was working"
