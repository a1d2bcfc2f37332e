"""Order-pipeline throughput through the Python module: whole orders from intake to delivered.

1,000 SKUs with 10^9 units each in three warehouses (Shenzhen, Beijing, Chengdu), sync="none",
automatic checkpoints off, a manual clock (no worker timers), the default rules. Each order is a
clean, paid one-line order form (its own buyer, phone and address, so no velocity flag) built
before the clock starts. Measures, from one Python thread:

- intake: `Client.intake(form)` calls per second (check, route, reserve, log);
- lifecycle: whole orders per second, each five calls: intake, `release_to_warehouse`,
  `ship`, `track(..., "picked_up")`, `track(..., "delivered")`.

Each figure is the median of `--runs` runs of wall-clock time.

    target/venv/bin/python python/bench/pipeline.py [--runs 3] [--count 20000]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time

import allot

SKUS = 1_000
STOCK = 1_000_000_000
WAREHOUSES = [("WH-SZ", "440300"), ("WH-BJ", "110000"), ("WH-CD", "510100")]


def load(path: str) -> allot.Engine:
    eng = allot.Engine.open(path, sync="none", checkpoint_every_bytes=0, clock="manual", clock_start_ms=1)
    admin = eng.client("admin")
    for priority, (code, region) in enumerate(WAREHOUSES, start=1):
        admin.add_warehouse(code, region=region, priority=priority)
    for i in range(SKUS):
        admin.add_sku(f"SKU-{i}", category="bench")
        for code, _ in WAREHOUSES:
            admin.set_stock(f"SKU-{i}", code, STOCK)
    return eng


def forms(run: int, count: int) -> list[allot.OrderForm]:
    made = []
    for i in range(count):
        n = run * count + i
        place = allot.Address(
            recipient="林小雨",
            phone=f"138{n % 10**8:08d}",
            province="广东省",
            city="深圳市",
            district="南山区",
            detail=f"科技园{n}号",
        )
        made.append(allot.OrderForm("tmall", str(n), f"buyer-{n}", place, [(f"SKU-{n % SKUS}", 1, 9900)]))
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--count", type=int, default=20_000)
    args = parser.parse_args()
    intake_rates, lifecycle_rates = [], []
    with tempfile.TemporaryDirectory() as scratch:
        eng = load(f"{scratch}/data")
        orders, warehouse, courier = eng.client("orders"), eng.client("warehouse"), eng.client("logistics")
        for run in range(args.runs):
            batch = forms(2 * run, args.count)
            started = time.perf_counter()
            for form in batch:
                orders.intake(form)
            intake_rates.append(args.count / (time.perf_counter() - started))

            batch = forms(2 * run + 1, args.count)
            waybills = [f"SF{(2 * run + 1) * args.count + i:012d}" for i in range(args.count)]
            started = time.perf_counter()
            for form, number in zip(batch, waybills):
                key = orders.intake(form).order.key
                warehouse.release_to_warehouse(key)
                warehouse.ship(key, "SF", number)
                courier.track("SF", number, "picked_up")
                courier.track("SF", number, "delivered")
            lifecycle_rates.append(args.count / (time.perf_counter() - started))
        assert eng.metrics().orders_by_state.get("delivered") == args.runs * args.count
        eng.close()
    print(f"python {platform.python_version()}, allot {allot.__version__}, {args.count} orders x {args.runs} runs")
    print(f"intake:    {statistics.median(intake_rates):>10,.0f} orders/s (median)")
    print(f"lifecycle: {statistics.median(lifecycle_rates):>10,.0f} orders/s (median; 5 calls each)")


if __name__ == "__main__":
    main()
