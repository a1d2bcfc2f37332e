"""Proves in a real browser (Debian's headless Chromium driven by playwright) that the `allot serve`
dashboard shows exactly what the engine holds: the stock table agrees with /api/stock and with
the engine opened from Python, before and after a reservation made through the Python module;
the region, channel, SKU and time-window filters change the table and the chart as the API
says; /metrics is Prometheus text carrying the engine's counters; and the page logs no error.
It saves a full-page screenshot to target/dashboard.png.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import allot
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Response, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "target" / "dashboard.png"
ORDERS = 3000
SEED = 7
# Playwright waits: generous, since CI is a 2-core machine building other things.
WAIT_MS = 15_000
# What the page writes for each stock state (app.js ALERT_TEXT) and the badge colour (style.css).
ALERT_TEXT = {"out": "out of stock", "oversell_risk": "oversell risk", "low": "low", "ok": "ok"}
ALERT_COLOUR = {
    "out": "rgb(180, 35, 24)",
    "oversell_risk": "rgb(196, 50, 10)",
    "low": "rgb(181, 71, 8)",
    "ok": "rgb(6, 118, 71)",
}
WINDOWS_S = (300, 3600, 86400)
# Reading the core's rendering of records the Python module has no fields for.
AT_MS = re.compile(r"^\w+ \{ at_ms: (\d+),")
STOCK_RESERVE = re.compile(r", stock: Reserve \{")
RECEIVED = re.compile(r"^\w+ \{ at_ms: \d+, change: Received \{")
UNTIMED_KINDS = {"add_warehouse", "update_warehouse", "add_sku", "set_buffer", "move"}


# --- the binary, the data directory and the server -----------------------------------------------


@pytest.fixture(scope="session")
def allot_bin() -> str:
    """The release `allot` binary: $ALLOT_BIN, or built now."""
    given = os.environ.get("ALLOT_BIN")
    if given:
        assert os.access(given, os.X_OK), f"ALLOT_BIN={given} is not an executable"
        return given
    subprocess.run(["cargo", "build", "--release", "--bin", "allot"], cwd=ROOT, check=True)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    if not target.is_absolute():
        target = ROOT / target
    return str(target / "release" / "allot")


@pytest.fixture
def data_dir(allot_bin: str) -> Iterator[str]:
    """A fresh promotion day of ORDERS orders (a third of a second: every test gets its own)."""
    with tempfile.TemporaryDirectory(prefix="allot-dashboard-") as scratch:
        path = os.path.join(scratch, "day")
        done = subprocess.run(
            [allot_bin, "simulate", "--orders", str(ORDERS), "--dir", path, "--seed", str(SEED)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "oversold 0" in done.stdout, done.stdout
        yield path


class Server:
    """`allot serve` on a port the kernel picks; `url` once it listens."""

    def __init__(self, allot_bin: str, data_dir: str) -> None:
        self.allot_bin, self.data_dir = allot_bin, data_dir
        self.process: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self) -> None:
        assert self.process is None
        self.process = subprocess.Popen(
            [self.allot_bin, "serve", "--dir", self.data_dir, "--addr", "127.0.0.1:0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        # serve prints this line once it listens: that is the synchronisation.
        line = self.process.stdout.readline()
        match = re.search(r"at (http://127\.0\.0\.1:\d+)/", line)
        if match is None:
            self.process.kill()
            _, err = self.process.communicate(timeout=10)
            pytest.fail(f"allot serve did not start: {line!r} {err}")
        self.url = match.group(1)

    def stop(self) -> None:
        """Stops serve and waits for it to exit, so its directory lock is released."""
        if self.process is None:
            return
        self.process.terminate()
        self.process.communicate(timeout=30)
        self.process = None

    def get(self, path: str, params: dict[str, str] | None = None) -> Any:
        """GETs a JSON API path."""
        url = self.url + path + ("?" + urllib.parse.urlencode(params) if params else "")
        with urllib.request.urlopen(url, timeout=30) as response:
            assert response.status == 200
            return json.load(response)

    def text(self, path: str, accept: str = "*/*") -> tuple[str, str]:
        request = urllib.request.Request(self.url + path, headers={"Accept": accept})
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read().decode(), response.headers["Content-Type"]


@pytest.fixture
def server(allot_bin: str, data_dir: str) -> Iterator[Server]:
    serve = Server(allot_bin, data_dir)
    serve.start()
    yield serve
    serve.stop()


# --- the browser ----------------------------------------------------------------------------------


class Console:
    """Every console message and page error of a page, to fail on any error."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.errors: list[str] = []
        self.messages: list[str] = []
        # True while the test itself navigates away (requests in flight are then cut).
        self.leaving = False
        page.on("console", self._console)
        page.on("pageerror", lambda error: self._error(f"page error: {error}"))
        page.on("requestfailed", lambda request: self._error(f"request failed: {request.url} {request.failure}"))
        page.on("response", self._response)

    def _error(self, text: str) -> None:
        if not self.leaving:
            self.errors.append(text)

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self._error(f"HTTP {response.status}: {response.url}")

    def _console(self, message: ConsoleMessage) -> None:
        self.messages.append(f"{message.type}: {message.text}")
        if message.type in ("error", "assert"):
            self._error(f"console {message.type}: {message.text}")

    def leave(self) -> None:
        """Leaves the dashboard before serve is stopped, so that the page does not (rightly)
        report that it cannot reach the engine."""
        self.leaving = True
        self.page.goto("about:blank")
        self.leaving = False

    def assert_clean(self) -> None:
        assert self.errors == [], "\n".join(self.errors)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    assert executable, "no chromium on PATH (tests/install-deps.sh installs Debian's)"
    # Root cannot run Chromium's sandbox (CI runs as root).
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=args, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[tuple[Page, Console]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    console = Console(page)
    yield page, console
    context.close()


def load(page: Page, url: str) -> None:
    page.goto(url + "/")
    refreshed(page)


def refreshed(page: Page, **chosen: str) -> None:
    """Waits until a refresh that used the filters `chosen` (and the defaults for the rest) has
    been drawn: app.js sets body[data-filters] with the filters a refresh used as it finishes."""
    want = {"region": "", "channel": "", "window": "3600", "q": ""} | chosen
    try:
        page.wait_for_function(
            """(want) => {
                const b = document.body.dataset;
                if (!(Number(b.refreshes) >= 1) || !b.filters) return false;
                const got = JSON.parse(b.filters);
                return Object.keys(want).every((k) => got[k] === want[k]);
            }""",
            arg=want,
        )
    except PlaywrightTimeoutError:
        state = page.evaluate("() => ({ ...document.body.dataset, status: document.getElementById('status').textContent })")
        pytest.fail(f"no refresh with the filters {want} was drawn: {state}")


def count(n: int, noun: str) -> str:
    """How the page writes a count of things (app.js count)."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def number(text: str) -> int | None:
    text = text.strip()
    return None if text == "–" else int(text.replace(",", ""))


def stock_table(page: Page) -> list[dict[str, Any]]:
    """The stock table as a person reads it, row by row."""
    rows = page.eval_on_selector_all(
        "#stock tbody tr",
        """(trs) => trs.map((tr) => {
            if (!tr.dataset.sku) return { empty: tr.textContent };
            const row = { sku: tr.dataset.sku, sku_text: tr.children[0].textContent, category: tr.children[1].textContent };
            for (const td of tr.querySelectorAll("td[data-field]")) {
                row[td.dataset.field] = td.textContent;
                if (td.dataset.field === "channel_reserved") row.channel_visible = getComputedStyle(td).display !== "none";
                const badge = td.querySelector(".badge");
                if (badge) row.alert_colour = getComputedStyle(badge).backgroundColor;
            }
            return row;
        })""",
    )
    for row in rows:
        if "sku" in row:
            for key in ("available", "reserved", "in_transit", "on_hand", "buffer", "channel_reserved"):
                row[key] = number(row[key])
    return rows


def assert_table_is(page: Page, api: dict[str, Any]) -> list[dict[str, Any]]:
    """The page's table shows exactly the API's rows, in its order, and its caption the totals."""
    shown = stock_table(page)
    if not api["rows"]:
        assert len(shown) == 1 and shown[0].get("empty") == "no SKU matches the filters", shown
    else:
        assert [r["sku"] for r in shown] == [r["sku"] for r in api["rows"]]
        for got, want in zip(shown, api["rows"], strict=True):
            assert got["sku_text"] == want["sku"] and got["category"] == want["category"]
            for key in ("available", "reserved", "in_transit", "on_hand", "buffer", "channel_reserved"):
                assert got[key] == want[key], (key, got, want)
            assert got["alert"] == ALERT_TEXT[want["alert"]], (got, want)
            assert got["alert_colour"] == ALERT_COLOUR[want["alert"]], (got, want)
    caption = page.text_content("#stock-caption") or ""
    assert caption.startswith(f"{len(api['rows']):,} of {api['total']:,} SKUs"), caption
    return shown


def alert_state(stock: allot.Stock, low: int) -> str:
    """The dashboard's stock state (serve.rs alert_state), from the engine's levels."""
    sellable = max(0, stock.on_hand - stock.buffer)
    if stock.available == 0:
        return "out"
    if sellable > 0 and stock.reserved * 10 >= sellable * 9:
        return "oversell_risk"
    if stock.available <= low:
        return "low"
    return "ok"


def assert_rows_match_engine(rows: list[dict[str, Any]], eng: allot.Engine, low: int, region: str = "") -> None:
    viewer = eng.client("viewer")
    for row in rows:
        stock = viewer.stock_in_region(row["sku"], region) if region else viewer.stock(row["sku"])
        seen = (row["available"], row["reserved"], row["in_transit"], row["on_hand"], row["buffer"])
        assert seen == (stock.available, stock.reserved, stock.in_transit, stock.on_hand, stock.buffer), (row, stock)
        assert row["alert"] == ALERT_TEXT[alert_state(stock, low)], (row, stock)


def sample(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A few rows from the top, the middle and the bottom of a table."""
    picks = sorted({0, 1, 2, len(rows) // 2, len(rows) - 2, len(rows) - 1} & set(range(len(rows))))
    return [rows[i] for i in picks]


# --- the tests ------------------------------------------------------------------------------------


def test_the_page_shows_the_engines_numbers_before_and_after_a_reservation(
    server: Server, page: tuple[Page, Console]
) -> None:
    tab, console = page
    load(tab, server.url)
    api = server.get("/api/stock", {"region": "", "channel": "", "q": ""})
    assert api["total"] == 1000 and len(api["rows"]) == 200, api["total"]
    low = api["low_stock_level"]
    before_rows = assert_table_is(tab, api)
    summary = server.get("/api/summary")
    assert tab.text_content("#sum-skus") == "1,000"
    assert tab.text_content("#sum-orders") == f"{summary['orders_total']:,}" == f"{ORDERS:,}"
    assert tab.text_content("#sum-held") == f"{summary['reservations_held']:,}"

    # The directory is locked while serve runs: stop it, then read the engine from Python. Its
    # clock is the day's (a minute after its last event), as a shop's would be, and the hold
    # never expires (serve's engine runs on the wall clock, a year later).
    console.leave()
    server.stop()
    day_end_ms = summary["as_of_ms"]
    with allot.Engine.open(
        server.data_dir, clock="manual", clock_start_ms=day_end_ms + 60_000, default_ttl_s=None
    ) as eng:
        assert_rows_match_engine(sample(before_rows), eng, low)
        assert eng.metrics().reservations_held == summary["reservations_held"]
        # Reserve most of a SKU that is fine now and held by no order, leaving it below the
        # low-stock level.
        target = next(r for r in before_rows if r["alert"] == "ok" and r["reserved"] == 0 and r["available"] > low + 50)
        sku = target["sku"]
        orders = eng.client("orders")
        viewer = eng.client("viewer")
        before = viewer.stock(sku)
        qty = before.available - (low - 10)
        reservation = orders.reserve("dashboard-test-1", [(sku, qty)], allow_split=True)
        assert sum(line.qty for line in reservation.lines) == qty
        assert reservation.expires_at_ms is None and reservation.reserved_at_ms == day_end_ms + 60_000
        after = viewer.stock(sku)
        assert (after.available, after.reserved) == (before.available - qty, before.reserved + qty)
        assert after.available == low - 10
        state = alert_state(after, low)
        assert state in ("low", "oversell_risk"), after
        held = eng.metrics().reservations_held
        assert held == summary["reservations_held"] + 1

    server.start()
    tab.goto(server.url + "/")
    refreshed(tab)
    api = server.get("/api/stock", {"region": "", "channel": "", "q": ""})
    rows = assert_table_is(tab, api)
    row = next(r for r in rows if r["sku"] == sku)
    assert (row["available"], row["reserved"], row["in_transit"], row["on_hand"]) == (
        after.available,
        after.reserved,
        after.in_transit,
        after.on_hand,
    )
    assert row["alert"] == ALERT_TEXT[state] and row["alert_colour"] == ALERT_COLOUR[state]
    # Riskiest first: the SKU left the SKUs that are fine (at the bottom) for the ones at risk.
    first_ok = next(i for i, r in enumerate(rows) if r["alert"] == "ok")
    assert rows.index(row) < first_ok, [(r["sku"], r["alert"]) for r in rows[: first_ok + 1]]
    assert tab.text_content("#sum-held") == f"{held:,}"
    current = tab.eval_on_selector(
        f"#alerts-current li[data-sku='{sku}']", "(li) => li.textContent"
    )
    assert current == f"{ALERT_TEXT[state]} {sku}: {after.available:,} available, {after.reserved:,} reserved"
    # The page's now moved to the reservation: the last hour's chart holds it.
    tab.wait_for_function("() => document.getElementById('rates-chart').dataset.reservations === '1'")
    assert server.get("/api/summary")["as_of_ms"] == day_end_ms + 60_000

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOT), full_page=True)
    console.leave()
    server.stop()
    with allot.Engine.open(server.data_dir) as eng:
        assert_rows_match_engine(sample(rows) + [row], eng, low)
    console.assert_clean()


def test_region_channel_and_sku_filters_show_what_the_api_says(server: Server, page: tuple[Page, Console]) -> None:
    tab, console = page
    load(tab, server.url)
    filters = server.get("/api/filters")
    regions = [r["region"] for r in filters["regions"]]
    assert len(regions) == 5 and filters["channels"] == ["jd", "pdd", "taobao"], filters
    options = tab.eval_on_selector_all("#filter-region option", "(os) => os.map((o) => o.value)")
    assert options == ["", *regions]
    options = tab.eval_on_selector_all("#filter-channel option", "(os) => os.map((o) => o.value)")
    assert options == ["", *filters["channels"]]
    everywhere = server.get("/api/stock", {"region": "", "channel": "", "q": ""})

    # Region: a region's warehouses only, so fewer units than everywhere.
    region = regions[1]
    tab.select_option("#filter-region", region)
    refreshed(tab, region=region)
    by_region = server.get("/api/stock", {"region": region, "channel": "", "q": ""})
    region_rows = assert_table_is(tab, by_region)
    assert f"region {region}" in (tab.text_content("#stock-caption") or "")
    on_hand = {r["sku"]: r["on_hand"] for r in everywhere["rows"]}
    assert sum(r["on_hand"] for r in region_rows) < sum(on_hand[r["sku"]] for r in region_rows if r["sku"] in on_hand)
    assert all(r["on_hand"] < on_hand[r["sku"]] for r in region_rows if r["sku"] in on_hand)

    # SKU search, with the region still chosen: case-insensitive substring of the code.
    tab.fill("#filter-sku", "sku-01")
    refreshed(tab, region=region, q="sku-01")
    searched = server.get("/api/stock", {"region": region, "channel": "", "q": "sku-01"})
    assert searched["total"] == 100 and all(r["sku"].startswith("SKU-01") for r in searched["rows"])
    assert_table_is(tab, searched)
    tab.fill("#filter-sku", "0042")
    refreshed(tab, region=region, q="0042")
    one = assert_table_is(tab, server.get("/api/stock", {"region": region, "channel": "", "q": "0042"}))
    assert [r["sku"] for r in one] == ["SKU-0042"]
    tab.fill("#filter-sku", "no-such-sku")
    refreshed(tab, region=region, q="no-such-sku")
    assert_table_is(tab, server.get("/api/stock", {"region": region, "channel": "", "q": "no-such-sku"}))

    # Channel: the SKUs that channel's open orders hold (the day ends with orders under way), with
    # the units they hold in a column of their own.
    tab.fill("#filter-sku", "")
    tab.select_option("#filter-region", "")
    tab.select_option("#filter-channel", "pdd")
    refreshed(tab, channel="pdd")
    by_channel = server.get("/api/stock", {"region": "", "channel": "pdd", "q": ""})
    channel_rows = assert_table_is(tab, by_channel)
    assert 0 < by_channel["total"] < everywhere["total"], by_channel["total"]
    assert all(r["channel_visible"] and 0 < r["channel_reserved"] <= r["reserved"] for r in channel_rows)
    assert "held by pdd orders" in (tab.text_content("#stock-caption") or "")
    assert tab.eval_on_selector("#stock", "(t) => t.classList.contains('with-channel')")
    header = tab.eval_on_selector("#stock thead th.channel-col", "(th) => getComputedStyle(th).display")
    assert header == "table-cell"

    # Back to no filter: the first table again, the channel column hidden.
    tab.select_option("#filter-channel", "")
    refreshed(tab)
    rows = assert_table_is(tab, everywhere)
    assert not any(r["channel_visible"] for r in rows)

    # The engine agrees with what the page showed for the region.
    console.leave()
    server.stop()
    with allot.Engine.open(server.data_dir) as eng:
        assert_rows_match_engine(sample(region_rows), eng, everywhere["low_stock_level"], region=region)
        viewer = eng.client("viewer")
        codes = [s.code for s in viewer.skus()]
        assert [c for c in codes if "sku-01" in c.lower()] == sorted(r["sku"] for r in searched["rows"])
    console.assert_clean()


def activity(eng: allot.Engine) -> tuple[int, list[int], list[int], list[int]]:
    """From the log's events: the newest time any event carries, and the times of every
    reservation (a direct one, or stock held for an order by the pipeline: ``stock_step`` is
    "reserve"), order taken in and low-stock alert. Kinds the Python module renders only as the
    core's text (``record``) are read from that text."""
    viewer = eng.client("viewer")
    newest_ms, reservations, orders, alerts = 0, [], [], []
    after = 0
    while batch := viewer.events(after, max=1000):
        for event in batch:
            record = event.record or ""
            at_ms = event.at_ms
            if at_ms is None and (match := AT_MS.search(record)):
                at_ms = int(match.group(1))
            if at_ms is None:
                assert event.kind in UNTIMED_KINDS, (event.kind, event.fields)
                continue
            newest_ms = max(newest_ms, at_ms)
            held_for_order = event.fields.get("stock_step") == "reserve" or bool(STOCK_RESERVE.search(record))
            if event.kind == "reserve" or held_for_order:
                reservations.append(at_ms)
            if event.kind == "order_received" or (event.kind.startswith("pipeline") and RECEIVED.search(record)):
                orders.append(at_ms)
            if event.kind == "stock_alert" or (event.kind == "pipeline" and "change: StockAlert" in record):
                alerts.append(at_ms)
        after = batch[-1].lsn
    return newest_ms, reservations, orders, alerts


def test_the_time_window_changes_the_chart_and_alerts_as_the_log_says(
    server: Server, page: tuple[Page, Console]
) -> None:
    tab, console = page
    server.stop()
    with allot.Engine.open(server.data_dir) as eng:
        end_ms, reservations, orders, alerts = activity(eng)
    assert len(orders) == ORDERS and reservations and alerts, (len(orders), len(reservations), len(alerts))
    end_s = end_ms // 1000

    def within(times: list[int], window_s: int) -> int:
        return sum(1 for t in times if end_s - window_s < t // 1000 <= end_s)

    server.start()
    load(tab, server.url)
    seen = {}
    for window in WINDOWS_S:
        tab.select_option("#filter-window", str(window))
        refreshed(tab, window=str(window))
        rates = server.get("/api/rates", {"window": str(window)})
        raised = server.get("/api/alerts", {"window": str(window)})["raised"]
        assert rates["end_ms"] == end_ms and rates["window_s"] == window
        assert rates["reservations"] == within(reservations, window) == sum(p["reservations"] for p in rates["points"])
        assert rates["orders"] == within(orders, window) == sum(p["orders"] for p in rates["points"])
        assert len(raised) == within(alerts, window)
        assert len(rates["points"]) == math.ceil(window / rates["bucket_s"]) <= 150
        chart = tab.eval_on_selector(
            "#rates-chart", "(c) => ({ points: c.dataset.points, reservations: c.dataset.reservations, orders: c.dataset.orders })"
        )
        assert chart == {
            "points": str(len(rates["points"])),
            "reservations": str(rates["reservations"]),
            "orders": str(rates["orders"]),
        }, chart
        caption = tab.text_content("#rates-caption") or ""
        assert caption.startswith(f"{count(rates['reservations'], 'reservation')}, {count(rates['orders'], 'order')} in"), caption
        items = tab.eval_on_selector_all("#alerts-raised li", "(lis) => lis.map((li) => li.textContent)")
        if raised:
            assert len(items) == min(100, len(raised))
            assert all(f"{a['sku']} fell to" in item for a, item in zip(raised, items, strict=False))
        else:
            assert items == ["none in this window"]
        seen[window] = (rates["reservations"], rates["orders"], len(raised))
    # A wider window shows more of the day.
    assert seen[300] <= seen[3600] <= seen[86400] and seen[300] != seen[86400], seen
    console.assert_clean()


def prometheus(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    """Parses Prometheus' text format 0.0.4 strictly enough to fail on anything malformed:
    samples by metric name, each family typed before its samples, counters named `_total`."""
    name_re = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
    label_re = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\.)*)"')
    sample_re = re.compile(rf"^({name_re})(?:\{{(.*)\}})? (\S+)(?: -?\d+)?$")
    types: dict[str, str] = {}
    samples: dict[str, list[tuple[dict[str, str], float]]] = {}
    assert text.endswith("\n"), "the exposition ends with a newline"
    for line in text.splitlines():
        assert line, "no empty lines"
        if line.startswith("#"):
            parts = line.split(" ", 3)
            assert parts[0] == "#" and parts[1] in ("HELP", "TYPE") and len(parts) == 4, f"stray comment: {line!r}"
            assert re.fullmatch(name_re, parts[2]), line
            if parts[1] == "TYPE":
                assert parts[3] in ("counter", "gauge", "histogram", "summary", "untyped"), line
                assert parts[2] not in types, f"two TYPE lines for {parts[2]}"
                assert parts[3] != "counter" or parts[2].endswith("_total"), line
                types[parts[2]] = parts[3]
            continue
        match = sample_re.match(line)
        assert match, f"not a sample line: {line!r}"
        name, labels_text, value = match.groups()
        labels: dict[str, str] = {}
        if labels_text:
            pairs = label_re.findall(labels_text)
            rebuilt = ",".join(f'{k}="{v}"' for k, v in pairs)
            assert rebuilt == labels_text.rstrip(","), f"malformed labels: {line!r}"
            labels = dict(pairs)
        base = re.sub(r"_(bucket|sum|count)$", "", name)
        assert name in types or types.get(base) in ("histogram", "summary"), f"{name} has no TYPE line before it"
        samples.setdefault(name, []).append((labels, float(value)))
    return samples


def test_metrics_is_prometheus_text_with_the_engines_counters(server: Server, page: tuple[Page, Console]) -> None:
    tab, console = page
    load(tab, server.url)
    text, content_type = server.text("/metrics")
    assert content_type == "text/plain; version=0.0.4; charset=utf-8", content_type
    metrics = prometheus(text)
    # A scraper that asks for OpenMetrics gets the same figures in it.
    open_metrics, content_type = server.text("/metrics", accept="application/openmetrics-text; version=1.0.0")
    assert content_type == "application/openmetrics-text; version=1.0.0; charset=utf-8", content_type
    assert open_metrics.endswith("\n# EOF\n") and "# TYPE allot_reservations_made counter\n" in open_metrics
    # (The core lists labelled samples in no fixed order.)
    samples = sorted(line for line in open_metrics.splitlines() if not line.startswith("#"))
    assert samples == sorted(line for line in text.splitlines() if not line.startswith("#"))
    # And a browser shows the classic text as text.
    tab.goto(server.url + "/metrics")
    assert (tab.text_content("body") or "").startswith("# HELP allot_skus ")
    tab.goto(server.url + "/")
    refreshed(tab)
    # The footer links to it.
    assert tab.get_attribute("footer a[href='/metrics']", "href") == "/metrics"
    summary = server.get("/api/summary")
    tab_orders = tab.text_content("#sum-orders")
    console.leave()
    server.stop()
    with allot.Engine.open(server.data_dir) as eng:
        engine = eng.metrics()
    for name, want in [
        ("allot_skus", engine.skus),
        ("allot_warehouses", engine.warehouses),
        ("allot_reservations_made_total", engine.reservations_made),
        ("allot_reservations_held", engine.reservations_held),
        ("allot_reservations_committed", engine.reservations_committed),
        ("allot_reservations_released", engine.reservations_released),
        ("allot_log_last_lsn", engine.log_last_lsn),
    ]:
        assert metrics[name] == [({}, float(want))], (name, metrics.get(name), want)
    by_state = {labels["state"]: value for labels, value in metrics["allot_orders"]}
    assert sum(by_state.values()) == ORDERS, by_state
    assert by_state == {state: float(n) for state, n in summary["orders"].items()}, (by_state, summary)
    assert tab_orders == f"{ORDERS:,}"
    console.assert_clean()


def test_the_server_is_read_only_and_answers_404_for_unknown_paths(server: Server) -> None:
    request = urllib.request.Request(server.url + "/api/stock", data=b"{}", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 405
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(server.url + "/api/nothing", timeout=30)
    assert missing.value.code == 404
