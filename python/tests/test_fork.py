"""An engine belongs to the process that opened it: a child made by fork() (multiprocessing's
"fork" start method) gets WrongProcessError from the engine and clients it inherited, a reserve
with sync="always" included, and its close() does nothing; the parent's engine keeps working as
if there had been no child (its data directory is byte for byte what it was), and after a
reopen the child's order is absent and the parent's present."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

import pytest

import allot

from conftest import SEGMENT_BYTES


def files(path: Path) -> dict[str, bytes]:
    return {entry.name: entry.read_bytes() for entry in path.iterdir()}


def child(eng: allot.Engine, orders: allot.Client, report: Connection) -> None:
    """Runs in the forked child: tries the inherited handles and sends back what each call raised."""
    calls: list[tuple[str, Callable[[], object]]] = [
        ("reserve", lambda: orders.reserve("CHILD-1", [("SOFA-3P", 1)])),
        ("stock", lambda: orders.stock("SOFA-3P")),
        ("client", lambda: eng.client("viewer")),
        ("last_lsn", lambda: eng.last_lsn),
        ("metrics", eng.metrics),
        ("close", eng.close),
        ("reserve after close", lambda: orders.reserve("CHILD-2", [("SOFA-3P", 1)])),
    ]
    outcomes: dict[str, str] = {}
    for name, call in calls:
        try:
            call()
            outcomes[name] = "no exception"
        except Exception as error:  # every outcome is reported to the parent
            outcomes[name] = f"{type(error).__name__}: {error}"
    outcomes["closed"] = str(eng.closed)
    report.send(outcomes)
    report.close()


# The engine's worker thread runs while the test forks: that is the situation under test
# (Python 3.12 and later warn about forking a multi-threaded process).
@pytest.mark.filterwarnings("ignore:.*multi-threaded.*fork:DeprecationWarning")
def test_a_forked_child_gets_wrong_process_and_changes_nothing(data_dir: Path) -> None:
    eng = allot.Engine.open(data_dir, sync="always", segment_bytes=SEGMENT_BYTES)
    admin = eng.client("admin")
    admin.add_warehouse("WH-SH", region="310000", priority=1)
    admin.add_sku("SOFA-3P", category="furniture")
    admin.set_stock("SOFA-3P", "WH-SH", 10)
    orders = eng.client("orders")
    orders.reserve("PARENT-1", [("SOFA-3P", 1)])
    before = files(data_dir)
    last_lsn = eng.last_lsn

    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=child, args=(eng, orders, sender))
    process.start()
    sender.close()
    outcomes = receiver.recv()
    process.join()
    assert process.exitcode == 0

    refused = f"WrongProcessError: this engine was opened by process {os.getpid()}; process {process.pid}"
    for name in ["reserve", "stock", "client", "last_lsn", "metrics", "close", "reserve after close"]:
        assert outcomes[name].startswith(refused), (name, outcomes[name])
    assert "open the engine in the child, or start children with spawn" in outcomes["reserve"]
    assert outcomes["closed"] == "False", "the child's close() closed nothing"

    # The parent's engine is as it was, and goes on.
    assert files(data_dir) == before
    assert eng.last_lsn == last_lsn
    held = orders.reserve("PARENT-2", [("SOFA-3P", 1)])
    assert held.lsn == last_lsn + 1
    assert eng.durable_lsn == held.lsn
    eng.close()

    with allot.Engine.open(data_dir, sync="always", segment_bytes=SEGMENT_BYTES) as reopened:
        viewer = reopened.client("viewer")
        assert viewer.reservation("CHILD-1") is None
        assert viewer.reservation("CHILD-2") is None
        assert viewer.reservation("PARENT-1") is not None
        assert viewer.reservation("PARENT-2") is not None
        assert viewer.stock("SOFA-3P").reserved == 2


def test_wrong_process_error_is_a_storage_error() -> None:
    assert issubclass(allot.WrongProcessError, allot.StorageError)
    assert (allot.WrongProcessError.code, allot.WrongProcessError.name) == (306, "wrong_process")
    assert (allot.ReadOnlyError.code, allot.ReadOnlyError.name) == (307, "read_only")
