"""Across processes the data directory keeps its promises: a child process SIGKILLed in the
middle of a load loses no acknowledged reservation or commit (the directory is reopened and
every one is there, over several kill-and-reopen rounds, in each sync mode), and a second
process opening a directory another has open gets LockedError until the first closes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import allot

from conftest import SEGMENT_BYTES

# The child: opens the directory and reserves fresh orders until killed, committing every fifth.
# Each line it prints is an acknowledgement: printed only after the call returned.
LOADER = textwrap.dedent(
    """
    import sys
    import allot

    path, sync, round_ = sys.argv[1], sys.argv[2], sys.argv[3]
    eng = allot.Engine.open(path, sync=sync, segment_bytes=262144)
    orders = eng.client("orders")
    out = sys.stdout
    n = 0
    while True:
        order = f"r{round_}-{n}"
        orders.reserve(order, [(f"S{n % 7}", 1 + n % 3)])
        out.write(f"R {order}\\n")
        if n % 5 == 0:
            orders.commit(order)
            out.write(f"C {order}\\n")
        out.flush()
        n += 1
    """
)

ACKS_BEFORE_KILL = {"always": 300, "interval": 3000, "none": 3000}


@pytest.mark.parametrize("sync", ["always", "interval", "none"])
def test_sigkill_mid_load_loses_nothing_acknowledged(tmp_path: Path, sync: str) -> None:
    data = tmp_path / "data"
    with allot.Engine.open(data, sync="always", segment_bytes=SEGMENT_BYTES) as eng:
        admin = eng.client("admin")
        admin.add_warehouse("WH", region="310000", priority=1)
        for i in range(7):
            admin.add_sku(f"S{i}")
            admin.set_stock(f"S{i}", "WH", 10**12)
    reserved: set[str] = set()
    committed: set[str] = set()
    for round_ in range(3):
        child = subprocess.Popen(
            [sys.executable, "-c", LOADER, str(data), sync, str(round_)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        acks = 0
        for line in child.stdout:
            kind, order = line.split()
            (reserved if kind == "R" else committed).add(order)
            acks += 1
            if acks == ACKS_BEFORE_KILL[sync]:
                child.send_signal(signal.SIGKILL)
                break
        # Lines already in the pipe were acknowledged before the kill too.
        for line in child.stdout:
            kind, order = line.split()
            (reserved if kind == "R" else committed).add(order)
        assert child.wait() == -signal.SIGKILL
        with allot.Engine.open(data, sync="none", segment_bytes=SEGMENT_BYTES) as eng:
            viewer = eng.client("viewer")
            missing = [order for order in reserved if viewer.reservation(order) is None]
            assert missing == [], f"round {round_}: acknowledged reservations lost: {missing[:5]}"
            not_committed = []
            for order in committed:
                found = viewer.reservation(order)
                if found is None or found.state != "committed":
                    not_committed.append(order)
            assert not_committed == [], f"round {round_}: acknowledged commits lost: {not_committed[:5]}"
            invariants = eng.check_invariants()
            # What is held is exactly what the surviving reservations hold.
            held = sum(viewer.stock(f"S{i}").reserved for i in range(7))
            assert invariants["reserved"] == held
            print(f"round {round_} ({sync}): {len(reserved)} reservations and {len(committed)} commits "
                  f"acknowledged, all present; recovery: {eng.recovery!r}")


HOLDER = textwrap.dedent(
    """
    import sys
    import allot

    eng = allot.Engine.open(sys.argv[1], sync="none", segment_bytes=262144)
    print("open", flush=True)
    sys.stdin.read()  # until the parent closes our stdin
    eng.close()
    print("closed", flush=True)
    """
)

PROBE = textwrap.dedent(
    """
    import sys
    import allot

    try:
        with allot.Engine.open(sys.argv[1], sync="none", segment_bytes=262144):
            print("opened")
    except allot.AllotError as error:
        print(type(error).__name__, error.code, error.name, error)
    """
)


def test_second_process_gets_locked_error(tmp_path: Path) -> None:
    data = tmp_path / "data"
    eng = allot.Engine.open(data, sync="none", segment_bytes=SEGMENT_BYTES)
    probe = subprocess.run([sys.executable, "-c", PROBE, str(data)], capture_output=True, text=True, check=True)
    assert probe.stdout.startswith(f"LockedError 304 locked {data} is locked by another open engine"), probe
    # The same process cannot open it twice either.
    with pytest.raises(allot.LockedError):
        allot.Engine.open(data, segment_bytes=SEGMENT_BYTES)
    eng.close()
    probe = subprocess.run([sys.executable, "-c", PROBE, str(data)], capture_output=True, text=True, check=True)
    assert probe.stdout.strip() == "opened"


def test_locked_while_another_process_holds_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdin is not None and holder.stdout is not None
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(allot.LockedError) as locked:
            allot.Engine.open(data, segment_bytes=SEGMENT_BYTES)
        assert locked.value.code == 304 and str(locked.value) == f"{data} is locked by another open engine"
        holder.stdin.close()
        assert holder.stdout.readline().strip() == "closed"
        assert holder.wait() == 0
        with allot.Engine.open(data, segment_bytes=SEGMENT_BYTES):
            pass
    finally:
        if holder.poll() is None:
            os.kill(holder.pid, signal.SIGKILL)
            holder.wait()
