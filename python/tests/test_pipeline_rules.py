"""The order pipeline's guard rails through Python: a refused rules file reports every problem
with its exact line and column (InvalidRulesError.errors) and leaves the old rules live, from a
client, a file and a watched file; explain and dry runs say what the rules do; returns,
cross-border orders and blacklist hits always reach a person whatever the file says; each role
reaches only its own calls; and arguments of the wrong type or value are refused the way Python
users expect, changing nothing."""

from __future__ import annotations

import json
import pickle
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import allot

from pipeline_support import address, form, open_engine, payload, stock_catalogue, waybill_number

EXAMPLE_RULES = Path(__file__).resolve().parents[2] / "core" / "src" / "routing" / "example-rules.toml"

BROKEN = """# a comment on line 1
default_path = "nowhere"
[limits]
max_order_amount_fen = -5

[[route]]
name = "天猫大单"
when.channel = ["tmall"]
path = "autoo"
"""


@pytest.fixture
def eng(data_dir: Path) -> Any:
    engine = open_engine(data_dir)
    stock_catalogue(engine)
    yield engine
    engine.close()


# -------------------------------------------------------------------------------------------------
# Rules files


def test_a_broken_rules_file_lists_every_problem_at_its_line_and_column_and_keeps_the_old_rules(
    eng: allot.Engine, tmp_path: Path
) -> None:
    admin = eng.client("admin")
    good = 'default_path = "manual_review"\n'
    admin.set_rules(good)
    before = admin.rules()
    with pytest.raises(allot.InvalidRulesError) as refused:
        admin.set_rules(BROKEN)
    error = refused.value
    assert [(problem.line, problem.column) for problem in error.errors] == [(2, 16), (4, 24), (9, 8)]
    assert "nowhere" in error.errors[0].message and "must be at least 1" in error.errors[1].message
    assert "autoo" in error.errors[2].message
    # Columns count characters: line 7's Chinese name does not shift anything after it.
    assert str(error).startswith("the rules file has 3 problem(s): line 2, column 16: ")
    assert str(error.errors[2]).startswith("line 9, column 8: ")
    assert error.code == 107 and isinstance(error, allot.InvalidInputError)
    assert admin.rules_text() == good and admin.rules() == before and before.default_path == "manual_review"
    # The problems travel with a pickled exception.
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is allot.InvalidRulesError and copy.errors == error.errors

    # The same from a file; a dry run of a broken file is refused the same way.
    path = tmp_path / "rules.toml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(allot.InvalidRulesError) as from_file:
        eng.reload_rules(path, by="ops")
    assert from_file.value.errors == error.errors
    with pytest.raises(allot.InvalidRulesError):
        admin.dry_run_rules(BROKEN)
    assert admin.rules_text() == good
    with pytest.raises(allot.StorageIoError):
        eng.reload_rules(tmp_path / "missing.toml", by="ops")
    path.write_text(EXAMPLE_RULES.read_text(encoding="utf-8"), encoding="utf-8")
    eng.reload_rules(str(path), by="ops")
    rules = admin.rules()
    assert rules.text == EXAMPLE_RULES.read_text(encoding="utf-8")
    assert rules.limits == {"max_order_amount_fen": 5_000_000, "max_lines": 50, "low_stock_units": 20}
    assert rules.velocity["window_ms"] == 600_000
    assert rules.sla == {
        "review": 1_800_000,
        "release": 7_200_000,
        "ship": 86_400_000,
        "tracking": 14_400_000,
        "delivery": 259_200_000,
    }
    assert [(tier.name, tier.after_ms, tier.severity) for tier in rules.escalation_tiers] == [
        ("remind", 0, "low"),
        ("supervisor", 1_800_000, "high"),
        ("critical", 7_200_000, "critical"),
    ]
    furniture = rules.routes[6]
    assert furniture.name == "small clean furniture orders from Tmall and JD" and furniture.path == "auto"
    assert furniture.when == {
        "channel": ["jd", "tmall"],
        "category": ["furniture"],
        "amount_fen_max": 500_000,
        "any_flag": False,
    }
    rule_changes = [e for e in eng.client("viewer").subscribe() if e.kind == "rules"]
    assert [(e.by, e.rules_text == rules.text) for e in rule_changes][-1] == ("ops", True)


def test_explain_and_dry_run_say_what_the_rules_do(eng: allot.Engine) -> None:
    admin, orders = eng.client("admin"), eng.client("orders")
    admin.set_rules(EXAMPLE_RULES.read_text(encoding="utf-8"))
    small = orders.intake(form("s1", lines=[("SOFA-3P-GREY", 1, 129_900)])).order
    assert (small.state, small.path, small.rule) == ("reserved", "auto", "small clean furniture orders from Tmall and JD")
    big = orders.intake(form("s2", lines=[("SOFA-3P-GREY", 2, 1_500_000)])).order
    assert (big.state, big.path, big.rule) == ("in_review", "manual_review", "big orders")
    explanation = admin.explain(big.key)
    assert (explanation.path, explanation.rule, explanation.guard_rail) == ("manual_review", "big orders", None)
    checks = {check.rule: check for check in explanation.rules}
    assert checks["big orders"].chosen and checks["big orders"].matched
    # The rule starts at its [[route]] header, the line before its name (1-based).
    assert checks["big orders"].line == EXAMPLE_RULES.read_text(encoding="utf-8").splitlines().index(
        'name = "big orders"'
    )
    assert checks["small clean furniture orders from Tmall and JD"].failed == [
        "the amount 30,000.00 yuan is above amount_fen_max 500000 (5,000.00 yuan)"
    ]
    assert not checks["not paid yet"].matched and not checks["not paid yet"].chosen
    assert "big orders" in explanation.reason
    with pytest.raises(allot.UnknownOrderError):
        admin.explain("tmall:none")

    dry = admin.dry_run_rules('default_path = "hold"\n')
    assert dry.orders == 2 and dry.changed == 2
    assert dry.current == {"auto": 1, "risk_review": 0, "manual_review": 1, "hold": 0}
    assert dry.proposed == {"auto": 0, "risk_review": 0, "manual_review": 0, "hold": 2}
    assert [(c.index, c.from_path, c.to_path, c.from_rule, c.to_rule) for c in dry.examples] == [
        (0, "auto", "hold", "small clean furniture orders from Tmall and JD", None),
        (1, "manual_review", "hold", "big orders", None),
    ]
    # A dry run changes nothing.
    assert admin.rules_text() == EXAMPLE_RULES.read_text(encoding="utf-8")


def test_a_watched_rules_file_is_reloaded_and_a_broken_save_keeps_the_old_rules(
    eng: allot.Engine, tmp_path: Path
) -> None:
    path = tmp_path / "rules.toml"
    path.write_text('default_path = "auto"\n', encoding="utf-8")
    admin = eng.client("admin")

    def eventually(done: Callable[[], bool]) -> bool:
        """inotify delivers asynchronously: waits up to ten seconds for the watcher to act."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if done():
                return True
            time.sleep(0.01)
        return done()

    with eng.watch_rules(path, by="file watcher") as watch:
        assert watch.active and watch.path == str(path)
        path.write_text('default_path = "manual_review"\n', encoding="utf-8")
        assert eventually(lambda: "manual_review" in admin.rules_text()), "the save was not picked up"
        assert eng.rules_reload_error() is None
        path.write_text('default_path = "nowhere"\n', encoding="utf-8")
        assert eventually(lambda: "line 1, column 16" in (eng.rules_reload_error() or ""))
        assert "manual_review" in admin.rules_text(), "the broken save left the rules alone"
    assert not watch.active
    watch.stop()  # harmless twice
    by = [e.by for e in eng.client("viewer").subscribe() if e.kind == "rules"]
    assert by == ["file watcher"]


# -------------------------------------------------------------------------------------------------
# Guard rails: a person always looks at returns, cross-border orders and blacklist hits


def test_returns_cross_border_and_blacklist_hits_always_reach_a_person(eng: allot.Engine) -> None:
    admin, orders = eng.client("admin"), eng.client("orders")
    # A file that tries to send everything straight through.
    admin.set_rules(
        'default_path = "auto"\n'
        '[[route]]\nname = "returns too"\nwhen.return = true\npath = "auto"\n'
        '[[route]]\nname = "abroad too"\nwhen.cross_border = true\npath = "auto"\n'
        '[[route]]\nname = "everything"\npath = "auto"\n'
    )
    returned = orders.intake(form("g1", is_return=True))
    abroad = orders.intake(form("g2", cross_border=True))
    admin.blacklist_add("buyer", "listed")
    listed = orders.intake(form("g3", buyer="listed"))
    plain = orders.intake(form("g4"))
    assert (returned.order.path, returned.order.state, returned.reservation) == ("manual_review", "in_review", None)
    assert (abroad.order.path, abroad.order.state, abroad.reservation) == ("manual_review", "in_review", None)
    assert (listed.order.path, listed.order.state) == ("risk_review", "flagged")
    assert (plain.order.path, plain.order.state) == ("auto", "reserved")
    assert returned.order.rule == "returns too"
    assert "always goes to a person" in returned.reason
    assert admin.explain(returned.order.key).guard_rail == "a return order always goes to a person"
    assert admin.explain(abroad.order.key).guard_rail == "a cross-border order always goes to a person"
    assert admin.explain(listed.order.key).guard_rail == "an order with a critical flag never goes auto"
    assert admin.explain(plain.order.key).guard_rail is None
    # Approving a return accepts the return; approving a cross-border order reserves it.
    orders.approve(returned.order.key)
    assert (orders.order(returned.order.key) or pytest.fail()).state == "return_requested"
    orders.approve(abroad.order.key)
    assert (orders.order(abroad.order.key) or pytest.fail()).state == "reserved"
    assert eng.metrics().orders_zero_touch == 1


# -------------------------------------------------------------------------------------------------
# Permissions


def test_each_role_reaches_only_its_own_calls(eng: allot.Engine) -> None:
    orders = eng.client("orders")
    key = orders.intake(form("p1")).order.key
    courier, viewer, warehouse = eng.client("logistics"), eng.client("viewer"), eng.client("warehouse")
    good_form = form("p2")
    denied: list[tuple[allot.Client, Callable[[], object], str]] = [
        (courier, lambda: courier.intake(good_form), "the logistics role may not intake"),
        (courier, lambda: courier.intake_payload("jd", "jd-shop", payload("jd")), "may not intake"),
        (courier, lambda: courier.reserve("X", [("MUG-350", 1)]), "the logistics role may not reserve"),
        (courier, lambda: courier.commit(key), "may not commit"),
        (courier, lambda: courier.set_stock("MUG-350", "WH-SZ", 1), "may not set_stock"),
        (courier, lambda: courier.approve(key), "may not review"),
        (courier, lambda: courier.cancel(key), "may not cancel_order"),
        (courier, lambda: courier.blacklist_add("buyer", "x"), "may not manage_blacklist"),
        (courier, lambda: courier.set_rules(""), "may not manage_rules"),
        (courier, lambda: list(courier.subscribe()), "may not read_stock"),
        (viewer, lambda: viewer.ship(key, "SF", waybill_number(1)), "the viewer role may not ship"),
        (viewer, lambda: viewer.acknowledge_task(1), "may not tasks"),
        (warehouse, lambda: warehouse.intake(good_form), "the warehouse role may not intake"),
        (warehouse, lambda: warehouse.approve(key), "may not review"),
        (orders, lambda: orders.release_to_warehouse(key), "the orders role may not release_order"),
        (orders, lambda: orders.track("SF", waybill_number(1), "picked_up"), "may not track"),
        (orders, lambda: orders.dry_run_rules(""), "may not manage_rules"),
    ]
    last = eng.last_lsn
    for _client, call, message in denied:
        with pytest.raises(allot.PermissionDeniedError, match=message):
            call()
    # The role is checked first: bad input to a denied call is still a denial.
    with pytest.raises(allot.PermissionDeniedError):
        courier.cancel("", "x" * 10_000)
    assert eng.last_lsn == last, "no refused call changed anything"
    assert (orders.order(key) or pytest.fail()).state == "reserved"
    assert orders.order("tmall:p2") is None
    metrics = eng.metrics()
    assert metrics.permission_denied[("logistics", "intake")] == 2
    assert metrics.permission_denied_total == len(denied) + 1
    # What each role may do, it can.
    assert courier.order(key) == viewer.order(key) and courier.tasks() == []
    warehouse.release_to_warehouse(key)
    courier.ship(key, "SF", waybill_number(2))
    assert courier.track("SF", waybill_number(2), "picked_up") == key


# -------------------------------------------------------------------------------------------------
# Arguments


def test_bad_types_and_values_are_refused_as_python_users_expect(eng: allot.Engine) -> None:
    orders = eng.client("orders")
    last = eng.last_lsn
    type_errors: list[Callable[[], object]] = [
        lambda: orders.intake({"channel": "tmall"}),  # type: ignore[arg-type]
        lambda: allot.OrderForm("tmall", "1", "b", 5, [("MUG-350", 1, 100)]),  # type: ignore[arg-type]
        lambda: allot.OrderForm("tmall", "1", "b", {"street": "x"}, [("MUG-350", 1, 100)]),
        lambda: allot.OrderForm("tmall", "1", "b", {"city": 5}, [("MUG-350", 1, 100)]),  # type: ignore[dict-item]
        lambda: allot.OrderForm("tmall", "1", "b", address(), "MUG-350"),  # type: ignore[arg-type]
        lambda: allot.OrderForm("tmall", "1", "b", address(), [("MUG-350",)]),  # type: ignore[list-item]
        lambda: allot.OrderForm("tmall", "1", "b", address(), [(5, 1, 100)]),  # type: ignore[list-item]
        lambda: allot.OrderForm("tmall", "1", "b", address(), [("MUG-350", "1", 100)]),  # type: ignore[list-item]
        lambda: allot.OrderForm(1, "1", "b", address(), [("MUG-350", 1, 100)]),  # type: ignore[arg-type]
        lambda: allot.OrderForm("tmall", "1", "b", address(), [], cross_border=1),  # type: ignore[arg-type]
        lambda: orders.intake_payload("jd", "jd-shop", 5),  # type: ignore[arg-type]
        lambda: orders.acknowledge_task("1"),  # type: ignore[arg-type]
        lambda: orders.order(5),  # type: ignore[arg-type]
    ]
    for call in type_errors:
        with pytest.raises(TypeError):
            call()
    value_errors: list[tuple[Callable[[], object], str]] = [
        (lambda: allot.OrderForm("tmall", "1", "b", address(), [("MUG-350", -1, 100)]), "must not be negative"),
        (lambda: allot.OrderForm("tmall", "1", "b", address(), [("MUG-350", 2**32, 1)]), "does not fit in u32"),
        (lambda: allot.OrderForm("tmall", "1", "b", address(), [("MUG-350", 1, -1)]), "must not be negative"),
        (lambda: allot.OrderForm("tmall", "1", "b", address(), [], payment="maybe"), "unknown payment state"),
        (lambda: allot.FormLine("MUG-350", 1, 2**64), "does not fit in u64"),
        (lambda: orders.orders_in("lost"), "unknown order state"),
        (lambda: orders.track("SF", waybill_number(1), "teleported"), "unknown tracking kind"),
        (lambda: orders.blacklist_add("email", "x@y"), "unknown blacklist"),
        (lambda: orders.acknowledge_task(-1), "must not be negative"),
        (lambda: orders.subscribe(after=-1), "must not be negative"),
    ]
    for call, message in value_errors:
        with pytest.raises(ValueError, match=message):
            call()
    engine_errors: list[tuple[Callable[[], object], type[allot.AllotError], str]] = [
        (lambda: orders.intake(form("1", channel="tm:all")), allot.InvalidInputError, "must not contain ':'"),
        (lambda: orders.intake(form("", channel="tmall")), allot.InvalidInputError, "channel's order id"),
        (lambda: orders.intake(form("1", lines=[])), allot.InvalidInputError, "has no lines"),
        (lambda: orders.intake(form("1", lines=[("MUG-350", 0, 1)])), allot.InvalidInputError, "out of range"),
        (lambda: orders.intake(form("1", lines=[("NO-SUCH", 1, 1)])), allot.UnknownSkuError, "NO-SUCH"),
        (lambda: orders.intake(form("x" * 80)), allot.LimitExceededError, "ORDER_ID_BYTES_MAX"),
        (
            lambda: orders.intake(form("1", lines=[("MUG-350", 1, 1)] * 129)),
            allot.LimitExceededError,
            "ORDER_LINES_MAX",
        ),
        (lambda: orders.intake_payload("jd", "jd-shop", b"{not json"), allot.InvalidInputError, "jd"),
        (
            lambda: orders.intake_payload("pdd", "pdd-shop", payload("pdd", item_list=[{"outer_sku_id": "X"}])),
            allot.InvalidInputError,
            r"item_list\[0\]",
        ),
        (lambda: orders.intake_payload("ebay", "shop", "{}"), allot.InvalidInputError, "ebay"),
        (lambda: orders.acknowledge_task(999), allot.InvalidInputError, "unknown task 999"),
        (lambda: orders.order("x" * 80), allot.LimitExceededError, "ORDER_ID_BYTES_MAX"),
        (lambda: orders.cancel("tmall:nope", "n" * 300), allot.LimitExceededError, "REASON_BYTES_MAX"),
        (lambda: orders.subscribe().poll(max=0), allot.LimitExceededError, "EVENTS_BATCH_MAX"),
        (lambda: orders.acting_as(""), allot.InvalidInputError, "actor"),
        (lambda: eng.reload_rules("rules.toml", by=""), allot.InvalidInputError, "rules author"),
    ]
    for call, error, message in engine_errors:
        with pytest.raises(error, match=message):
            call()
    assert eng.last_lsn == last, "no refused call changed anything"
    # A payload as str, bytes or dict is the same order.
    as_text = orders.intake_payload("jd", "jd-shop", json.dumps(payload("jd")))
    as_bytes = orders.intake_payload("jd", "jd-shop", json.dumps(payload("jd")).encode())
    assert as_bytes.repeat and as_bytes.order == as_text.order


def test_values_compare_hash_and_read_like_their_constructors() -> None:
    place = allot.Address(province="广东省", city="深圳市", detail="1号")
    assert place == allot.Address(province="广东省", city="深圳市", detail="1号") and hash(place) == hash(
        allot.Address(province="广东省", city="深圳市", detail="1号")
    )
    assert repr(place) == 'Address(recipient="", phone="", province="广东省", city="深圳市", district="", detail="1号")'
    line = allot.FormLine("MUG-350", 3, 5233)
    assert repr(line) == 'FormLine(sku="MUG-350", qty=3, unit_price_minor=5233)' and line == allot.FormLine(
        "MUG-350", 3, 5233
    )
    order_form = allot.OrderForm("jd", "9", "pin", {"province": "北京", "city": "北京市"}, [line, ("KETTLE-1.7L", 1)])
    assert order_form.key == "jd:9" and order_form.amount_minor == 3 * 5233
    assert order_form.lines == [line, allot.FormLine("KETTLE-1.7L", 1)]
    assert order_form.ship_to == allot.Address(province="北京", city="北京市")
    assert (order_form.payment, order_form.cross_border, order_form.is_return, order_form.placed_at_ms) == (
        "paid",
        False,
        False,
        0,
    )
    assert order_form == allot.OrderForm("jd", "9", "pin", allot.Address(province="北京", city="北京市"), [line, ("KETTLE-1.7L", 1, 0)])
    assert repr(order_form).startswith('OrderForm(channel="jd", channel_order_id="9", buyer_id="pin", ship_to=Address(')
    problem = allot.RuleProblem(3, 7, "bad")
    assert str(problem) == "line 3, column 7: bad" and pickle.loads(pickle.dumps(problem)) == problem
    assert allot.ORDER_STATES[0] == "received" and len(allot.ORDER_STATES) == 12
    assert allot.PATHS == ["auto", "risk_review", "manual_review", "hold"]
    assert allot.SEVERITIES == ["low", "medium", "high", "critical"]
    assert allot.TRACKING_KINDS == ["picked_up", "in_transit", "delivered", "exception"]
    assert allot.BLACKLISTS == ["buyer", "phone", "address"]
    assert allot.CHANNEL_STYLES == ["taobao", "jd", "pdd"]
    assert allot.STAGES == ["review", "release", "ship", "tracking", "delivery"]
    assert allot.PAYMENT_STATES == ["unpaid", "paid", "refunded"]
    assert len(allot.FLAGS) == 13 and allot.FLAGS["stock_short"] == "low"
