"""Shared fixtures: engines on fresh temporary directories (small log segments, so each test
preallocates little) and in memory, with a small catalogue."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

import allot

# No example database in the source tree; failures are reported with their reproduction.
settings.register_profile("allot", database=None, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "allot"))

SEGMENT_BYTES = 256 * 1024  # the smallest segment the engine allows


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def engine(data_dir: Path) -> Iterator[allot.Engine]:
    """An engine on a fresh directory with a manual clock at 1,000,000 ms and sync="none"."""
    eng = allot.Engine.open(
        data_dir, sync="none", clock="manual", clock_start_ms=1_000_000, segment_bytes=SEGMENT_BYTES
    )
    try:
        yield eng
    finally:
        eng.close()


@pytest.fixture
def stocked(engine: allot.Engine) -> allot.Engine:
    """`engine` with two warehouses (Shanghai, Beijing) and two SKUs stocked in both."""
    admin = engine.client("admin")
    admin.add_warehouse("WH-SH", region="310000", priority=1)
    admin.add_warehouse("WH-BJ", region="110000", priority=2)
    admin.add_sku("SOFA-3P", category="furniture")
    admin.add_sku("LAMP", category="lighting")
    warehouse = engine.client("warehouse")
    for sku, sh, bj in [("SOFA-3P", 10, 5), ("LAMP", 3, 20)]:
        warehouse.set_stock(sku, "WH-SH", sh)
        warehouse.set_stock(sku, "WH-BJ", bj)
    return engine
