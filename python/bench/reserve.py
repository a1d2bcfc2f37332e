"""Reservation throughput through the Python module, on the ../shared/WORKLOAD.md data.

100,000 SKUs with 1,000,000 units each in one warehouse (SKU "0" with 10^9 for the hot
variant), sync="none", automatic checkpoints off, a fresh order id per reservation, data loaded
before the clock starts. Measures:

- single: single-line reservations of 1 unit per second from one Python thread, each a
  `Client.reserve(order_id, [(sku, 1)])` call (uniform SKUs, and the hot SKU);
- many: `Client.reserve_many` lines per second, batches of 10,000 orders of 1, 3, 10 and 50
  distinct uniform SKUs (the pre-built batches frozen out of the garbage collector's sight,
  `--no-freeze` to leave them);
- threads: single-line uniform reservations from 2 Python threads (the GIL is released while the
  engine works).

Order ids and SKU picks are made before the clock starts (a list of fresh ids, a list of the
catalogue's code strings); `--fresh-ids-in-loop` formats each id inside the timed loop instead.
Each figure is the median of `--runs` runs, of wall-clock time, with the median per second of
this thread's CPU time beside it (on a shared machine the wall clock also counts time other
processes took). The same loops in Rust, for the per-call overhead:
`cargo run --release -p allot-python --example core_reserve` (python/bench/core_reserve.rs);
the core's criterion figure: `cargo bench --bench reserve -- reserve_none/uniform_1t`.

    target/venv/bin/python python/bench/reserve.py [--runs 3] [--count 500000] [--json out.json]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Callable

import allot

SKUS = 100_000
STOCK = 1_000_000
HOT_STOCK = 1_000_000_000
SEED = 20261125


def load(path: str) -> tuple[allot.Engine, list[str]]:
    eng = allot.Engine.open(path, sync="none", checkpoint_every_bytes=0)
    admin = eng.client("admin")
    admin.add_warehouse("WH", region="310000", priority=1)
    codes = [str(i) for i in range(SKUS)]
    for i, code in enumerate(codes):
        admin.add_sku(code, category="bench")
        admin.set_stock(code, "WH", HOT_STOCK if i == 0 else STOCK)
    return eng, codes


class Ids:
    """Fresh order ids, never reused across runs."""

    def __init__(self) -> None:
        self.next = 0

    def take(self, count: int) -> list[str]:
        ids = [f"o{i}" for i in range(self.next, self.next + count)]
        self.next += count
        return ids


# Whether reserve_many's pre-built batches are moved out of the collector's sight (gc.freeze).
FREEZE_INPUT = True

# Per-thread CPU time of each timed run, beside the wall-clock figures: on a shared machine the
# wall clock also counts time other processes took the CPU away.
CPU_RATES: list[float] = []


def timed(work: Callable[[], int]) -> float:
    """Runs `work` (which returns how many units it did) and returns units per second of wall
    time (and records units per second of this thread's CPU time in CPU_RATES)."""
    gc.collect()
    cpu_started = time.thread_time()
    started = time.perf_counter()
    done = work()
    wall = time.perf_counter() - started
    CPU_RATES.append(done / (time.thread_time() - cpu_started))
    return done / wall


def single(
    eng: allot.Engine,
    codes: list[str],
    ids: Ids,
    rng: random.Random,
    count: int,
    hot: bool,
    in_loop: bool,
    floor: bool = False,
) -> float:
    # `floor`: the same loop and arguments calling a C no-op instead, to price the Python side.
    noop: dict[str, object] = {}
    reserve: Callable[[str, list[tuple[str, int]]], object] = noop.get if floor else eng.client("orders").reserve  # type: ignore[assignment]
    picks = [codes[0]] * count if hot else [codes[rng.randrange(SKUS)] for _ in range(count)]
    if in_loop:
        base = ids.take(count)[0][1:]
        start = int(base)

        def work() -> int:
            for i in range(count):
                reserve(f"o{start + i}", [(picks[i], 1)])
            return count
    else:
        order_ids = ids.take(count)

        def work() -> int:
            for order_id, sku in zip(order_ids, picks):
                reserve(order_id, [(sku, 1)])
            return count

    return timed(work)


def many(eng: allot.Engine, codes: list[str], ids: Ids, rng: random.Random, lines_total: int, per_order: int, batch: int) -> float:
    reserve_many = eng.client("orders").reserve_many
    orders = lines_total // per_order
    order_ids = ids.take(orders)
    batches = []
    for start in range(0, orders, batch):
        entries = []
        for order_id in order_ids[start : start + batch]:
            skus = rng.sample(range(SKUS), per_order)
            entries.append((order_id, [(codes[s], 1) for s in skus]))
        batches.append(entries)

    def work() -> int:
        lines = 0
        for entries in batches:
            for result in reserve_many(entries):
                if not isinstance(result, allot.Reservation):
                    raise result
            lines += len(entries) * per_order
        return lines

    # The batches are data loaded before the clock starts. Unfrozen, each collection of the
    # oldest generation during the run walks their millions of tuples and lists again (a bulk
    # loader holding its whole input in memory pays that too: gc.freeze() after building it is
    # the remedy); --no-freeze measures that case.
    if FREEZE_INPUT:
        gc.collect()
        gc.freeze()
    try:
        return timed(work)
    finally:
        gc.unfreeze()


def threaded(eng: allot.Engine, codes: list[str], ids: Ids, rng: random.Random, count: int, threads: int) -> float:
    share = count // threads
    work_lists = [(ids.take(share), [codes[rng.randrange(SKUS)] for _ in range(share)]) for _ in range(threads)]
    barrier = threading.Barrier(threads + 1)

    def run(order_ids: list[str], picks: list[str]) -> None:
        reserve = eng.client("orders").reserve
        barrier.wait()
        for order_id, sku in zip(order_ids, picks):
            reserve(order_id, [(sku, 1)])

    CPU_RATES.clear()  # the wall clock is the figure here: several threads share the work
    workers = [threading.Thread(target=run, args=work) for work in work_lists]
    for worker in workers:
        worker.start()
    gc.collect()
    barrier.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    return share * threads / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--count", type=int, default=500_000, help="reservations per single-line run")
    parser.add_argument("--lines", type=int, default=1_000_000, help="lines per reserve_many run")
    parser.add_argument("--batch", type=int, default=10_000, help="orders per reserve_many call")
    parser.add_argument("--fresh-ids-in-loop", action="store_true", help="format order ids inside the timed loop")
    parser.add_argument(
        "--only", choices=["single", "many", "threads", "uniform"], help="run one group (uniform: only its first line)"
    )
    parser.add_argument("--no-freeze", action="store_true", help="leave reserve_many's input batches to the collector")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    global FREEZE_INPUT
    FREEZE_INPUT = not args.no_freeze

    base = os.environ.get("ALLOT_BENCH_DIR", "target")
    os.makedirs(base, exist_ok=True)
    rng = random.Random(SEED)
    print(f"seed {SEED}; Python {platform.python_version()}; allot {allot.__version__}; {os.cpu_count()} CPUs")
    results: dict[str, float] = {}

    def report(name: str, unit: str, figures: list[float]) -> None:
        median = statistics.median(figures)
        results[name] = median
        runs = ", ".join(f"{f:,.0f}" for f in figures)
        cpu = ""
        if len(CPU_RATES) >= len(figures):
            cpu_median = statistics.median(CPU_RATES[-len(figures) :])
            results[f"{name} (per CPU second)"] = cpu_median
            cpu = f"; per CPU second {cpu_median:,.0f}"
        CPU_RATES.clear()
        print(f"{name:<34} {median:>12,.0f} {unit}/s  (runs: {runs}{cpu})", flush=True)

    groups = [args.only] if args.only else ["single", "many", "threads"]
    only_uniform = args.only == "uniform"
    if only_uniform:
        groups = ["single"]
    # Each group gets a fresh engine, so none inherits another's order index.
    for group in groups:
        with tempfile.TemporaryDirectory(dir=base) as path:
            started = time.perf_counter()
            eng, codes = load(path)
            print(f"[{group}] loaded {SKUS:,} SKUs in {time.perf_counter() - started:.2f} s", flush=True)
            ids = Ids()
            with eng:
                if group == "single":
                    for name, hot in [("reserve uniform, 1 thread", False), ("reserve hot SKU, 1 thread", True)]:
                        figures = [single(eng, codes, ids, rng, args.count, hot, args.fresh_ids_in_loop) for _ in range(args.runs)]
                        report(name, "reservations", figures)
                        if only_uniform:
                            break
                    if only_uniform:
                        continue
                    figures = [
                        single(eng, codes, ids, rng, args.count, False, args.fresh_ids_in_loop, floor=True)
                        for _ in range(args.runs)
                    ]
                    report("loop floor (C no-op, same args)", "calls", figures)
                    per_call_ns = 1e9 / results["reserve uniform, 1 thread"]
                    floor_ns = 1e9 / results["loop floor (C no-op, same args)"]
                    print(f"  uniform: {per_call_ns:.0f} ns per reserve call, of which {floor_ns:.0f} ns the Python loop itself")
                elif group == "many":
                    for per_order in (1, 3, 10, 50):
                        figures = [many(eng, codes, ids, rng, args.lines, per_order, args.batch) for _ in range(args.runs)]
                        report(f"reserve_many, {per_order} line(s)/order", "lines", figures)
                else:
                    figures = [threaded(eng, codes, ids, rng, args.count, 2) for _ in range(args.runs)]
                    report("reserve uniform, 2 threads", "reservations", figures)
                # No cell oversold, every held reservation accounted for (raises if not).
                eng.check_invariants()
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=2)


if __name__ == "__main__":
    main()
