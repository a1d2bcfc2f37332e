"""The order pipeline through Python, end to end: an order from each channel style (Taobao, JD
and Pinduoduo payloads, and a plain order form) goes from intake to delivered with the events,
path and flags the core gives; SLA timers fire on a manual clock exactly when due (review
escalation tiers and their task, the tracking alert 4 h after shipping and not a millisecond
before); every flag kind is reachable; illegal moves name both states; returns, cancels and
holds move stock as they should; and all of it, tasks, timers and the event cursor included,
survives closing and reopening the data directory."""

from __future__ import annotations

from pathlib import Path

import pytest

import allot

from pipeline_support import (
    EXPECTED,
    HOUR_S,
    MINUTE_S,
    START_MS,
    address,
    events_of,
    form,
    open_engine,
    payload,
    reopen,
    stock_catalogue,
    waybill_number,
)


@pytest.fixture
def eng(data_dir: Path) -> allot.Engine:
    engine = open_engine(data_dir)
    stock_catalogue(engine)
    return engine


def intake(engine: allot.Engine, style: str) -> allot.Intake:
    """Takes in the example order of `style` (a channel payload, or the plain form)."""
    orders = engine.client("orders")
    if style == "form":
        return orders.intake(form("1001", lines=[("LAMP", 1, 9900), allot.FormLine("MUG-350", 2, 1500)]))
    return orders.intake_payload(style, f"{style}-shop", payload(style))


# -------------------------------------------------------------------------------------------------
# From intake to delivered


@pytest.mark.parametrize("style", ["taobao", "jd", "pdd", "form"])
def test_an_order_from_each_channel_goes_from_intake_to_delivered_and_survives_a_reopen(
    eng: allot.Engine, style: str
) -> None:
    taken = intake(eng, style)
    order = taken.order
    if style == "form":
        key, lines = "tmall:1001", [("LAMP", 1, 9900), ("MUG-350", 2, 1500)]
    else:
        key, lines = EXPECTED[style]
    assert order.key == key and taken.repeat is False
    assert [(line.sku, line.qty, line.unit_price_minor) for line in order.form.lines] == lines
    assert order.form.amount_minor == sum(qty * price for _, qty, price in lines)
    # A clean, paid order under the default rules: no flags, no person, stock held at once.
    assert (order.state, order.path, order.rule, order.flags, order.touched) == ("reserved", "auto", None, [], False)
    assert "default path" in taken.reason
    held = taken.reservation
    assert held is not None and held.state == "held" and held.order_id == key
    assert sorted((line.sku, line.qty) for line in held.lines) == sorted((sku, qty) for sku, qty, _ in lines)
    # The nearest warehouse with stock serves it: Shenzhen, Beijing, Chengdu by address.
    nearest = {"taobao": "WH-SZ", "jd": "WH-BJ", "pdd": "WH-CD", "form": "WH-SZ"}[style]
    assert {line.warehouse for line in held.lines} == {nearest}
    # The same channel order again is one order: answered from the first intake.
    again = intake(eng, style)
    assert again.repeat is True and again.order == order
    viewer = eng.client("viewer")
    before = {sku: viewer.cell(sku, nearest) for sku, _, _ in lines}

    eng.client("warehouse").release_to_warehouse(key)
    carrier, number = "SF", waybill_number(42)
    eng.client("logistics").ship(key, carrier, number)
    shipped = viewer.order(key)
    assert shipped is not None and shipped.state == "shipped" and shipped.waybill == (carrier, number)
    for sku, qty, _ in lines:
        after = viewer.cell(sku, nearest)
        # Shipping commits: the units leave on hand and reserved.
        assert (after.on_hand, after.reserved) == (before[sku].on_hand - qty, before[sku].reserved - qty)
    courier = eng.client("logistics")
    assert courier.track(carrier, number, "in_transit", "到达深圳转运中心") == key
    assert courier.track(carrier, number, "picked_up") == key
    assert courier.track(carrier, number, "delivered", "本人签收") == key
    delivered = viewer.order(key)
    assert delivered is not None and delivered.state == "delivered" and delivered.touched is False

    story = events_of(eng, key)
    moves = [(event.kind, event.from_state, event.to_state) for event in story if event.kind.startswith("order_")]
    assert moves == [
        ("order_received", "received", "reserved"),
        ("order_moved", "reserved", "released_to_warehouse"),
        ("order_moved", "released_to_warehouse", "shipped"),
        ("order_moved", "shipped", "picked_up"),
        ("order_moved", "picked_up", "delivered"),
    ]
    kinds = [event.kind for event in story]
    assert kinds.count("waybill") == 1 and kinds.count("tracking") == 3
    assert [event.notification for event in story if event.kind == "notified"] == ["shipped", "delivered"]
    received = story[[event.kind for event in story].index("order_received")]
    assert (received.path, received.rule, received.flags, received.at_ms) == ("auto", None, [], START_MS)
    waybill = next(event for event in story if event.kind == "waybill")
    assert (waybill.carrier, waybill.tracking_number) == (carrier, number)
    tracking = [(event.tracking, event.detail) for event in story if event.kind == "tracking"]
    assert tracking == [("in_transit", "到达深圳转运中心"), ("picked_up", ""), ("delivered", "本人签收")]
    assert [event.by for event in story if event.kind == "order_moved"] == [
        "warehouse",
        "logistics",
        "logistics",
        "logistics",
    ]
    # The stock held at intake appears once in the stream: as the intake's own stock step, or
    # as a reserve event of the stock layer.
    reserve_steps = [event for event in story if event.stock_step == "reserve" or event.kind == "reserve"]
    assert len(reserve_steps) == 1
    assert sorted((line.sku, line.qty) for line in reserve_steps[0].lines or []) == sorted(
        (sku, qty) for sku, qty, _ in lines
    )
    lsns = [event.lsn for event in story]
    assert lsns == sorted(set(lsns))

    everything = list(eng.client("viewer").subscribe())
    reopened = reopen(eng)
    try:
        viewer = reopened.client("viewer")
        assert viewer.order(key) == delivered
        assert list(viewer.subscribe()) == everything
        assert reopened.check_invariants()["reserved"] == 0
        assert reopened.metrics().orders_by_state == {"delivered": 1}
        # The waybill is still known: a late tracking event finds its order.
        assert reopened.client("logistics").track(carrier, number, "delivered") == key
    finally:
        reopened.close()


def test_orders_in_a_state_and_zero_touch_counts(eng: allot.Engine) -> None:
    orders = eng.client("orders")
    orders.intake(form("1"))
    eng.advance_time(seconds=1)
    orders.intake(form("2", buyer="b2"))
    orders.intake(form("3", buyer="b3", payment="unpaid"))
    reserved = orders.orders_in("reserved")
    assert [order.key for order in reserved] == ["tmall:1", "tmall:2"]
    assert [order.key for order in orders.orders_in("flagged")] == ["tmall:3"]
    assert orders.orders_in("delivered") == []
    metrics = eng.metrics()
    assert metrics.orders_by_state == {"flagged": 1, "reserved": 2}
    assert metrics.orders_zero_touch == 2
    assert metrics.as_dict()["orders_by_state"] == {"flagged": 1, "reserved": 2}
    text = metrics.prometheus_text()
    assert 'allot_orders{state="reserved"} 2' in text
    assert 'allot_orders{state="flagged"} 1' in text
    assert "allot_orders_zero_touch 2" in text
    assert text.rstrip().endswith("# EOF")
    eng.close()


# -------------------------------------------------------------------------------------------------
# SLA timers on a manual clock


def test_review_deadline_escalates_tier_by_tier_into_one_task_and_survives_a_reopen(eng: allot.Engine) -> None:
    orders = eng.client("orders")
    key = orders.intake(form("late", ship_to=address(phone="12345"))).order.key
    assert orders.order(key) is not None
    assert [flag.code for flag in (orders.order(key) or pytest.fail()).flags] == ["bad_phone"]
    # The default review deadline is 30 minutes; tiers at +0 (low), +30 m (high), +2 h (critical).
    eng.advance_time(seconds=30 * MINUTE_S - 0.001)
    assert orders.tasks() == []
    eng.advance_time(seconds=0.001)
    [task] = orders.tasks()
    assert (task.order, task.kind, task.severity, task.assignee, task.state) == (
        key,
        "overdue_review",
        "low",
        "orders",
        "open",
    )
    assert task.opened_at_ms == START_MS + 30 * 60_000
    escalated = [event for event in events_of(eng, key) if event.kind == "escalated"]
    assert [(e.stage, e.tier, e.severity, e.task) for e in escalated] == [("review", 0, "low", task.id)]
    assert eng.metrics().open_tasks_by_severity == {"low": 1}

    # Closing and reopening keeps the task and the fired tier, and the next tier still fires
    # when due, once.
    eng = reopen(eng)
    try:
        orders = eng.client("orders")
        assert orders.tasks() == [task]
        assert eng.run_timers() == 0
        eng.advance_time(seconds=30 * MINUTE_S - 0.001)
        assert orders.tasks()[0].severity == "low"
        eng.advance_time(seconds=0.001)
        [raised] = orders.tasks()
        assert (raised.id, raised.severity, raised.assignee) == (task.id, "high", "supervisor")
        eng.advance_time(seconds=90 * MINUTE_S)
        [critical] = orders.tasks()
        assert critical.severity == "critical"
        assert eng.metrics().open_tasks_by_severity == {"critical": 1}
        assert 'allot_open_tasks{severity="critical"} 1' in eng.metrics().prometheus_text()
        escalated = [event for event in events_of(eng, key) if event.kind == "escalated"]
        assert [(e.tier, e.severity) for e in escalated] == [(0, "low"), (1, "high"), (2, "critical")]
        # Every tier fired: no more escalations, however long nobody looks.
        eng.advance_time(seconds=30 * 24 * HOUR_S)
        assert len([event for event in events_of(eng, key) if event.kind == "escalated"]) == 3

        acknowledged = orders.acknowledge_task(critical.id)
        assert acknowledged.state == "acknowledged" and orders.tasks() == [acknowledged]
        with pytest.raises(allot.IllegalTransitionError, match="acknowledged") as refused:
            orders.acknowledge_task(critical.id)
        assert (refused.value.from_state, refused.value.to_state) == ("acknowledged", "acknowledged")
        # Deciding the order leaves the review stage, which settles the stage's task.
        orders.start_review(key)
        orders.reject(key, "phone number is fake")
        assert orders.tasks() == []
        assert (orders.order(key) or pytest.fail()).state == "cancelled"
        changes = [(e.task_state, e.by) for e in eng.client("viewer").subscribe() if e.kind == "task_changed"]
        assert ("acknowledged", "orders") in changes
    finally:
        eng.close()


def test_tracking_alert_fires_exactly_four_hours_after_shipping_not_before(eng: allot.Engine) -> None:
    orders = eng.client("orders")
    key = orders.intake(form("ship-me")).order.key
    eng.client("warehouse").release_to_warehouse(key)
    eng.advance_time(seconds=5 * MINUTE_S)
    shipped_at = eng.now_ms
    eng.client("warehouse").ship(key, "SF", waybill_number(7))
    eng.advance_time(seconds=4 * HOUR_S - 0.001)
    assert orders.tasks() == []
    assert not [event for event in events_of(eng, key) if event.kind in ("escalated", "task_opened")]
    eng.advance_time(seconds=0.001)
    assert eng.now_ms == shipped_at + 4 * 3600_000
    [task] = orders.tasks()
    assert (task.order, task.kind, task.severity, task.assignee) == (key, "enter_tracking", "low", "warehouse")
    [opened] = [event for event in events_of(eng, key) if event.kind == "task_opened"]
    assert (opened.task, opened.task_kind, opened.stage, opened.assignee, opened.at_ms) == (
        task.id,
        "enter_tracking",
        "tracking",
        "warehouse",
        shipped_at + 4 * 3600_000,
    )
    # The first tracking event satisfies the stage and settles its task.
    eng.client("logistics").track("SF", waybill_number(7), "picked_up")
    assert orders.tasks() == []
    eng.close()


def test_a_tracking_event_in_time_means_no_alert_and_timers_fire_without_housekeeping(data_dir: Path) -> None:
    eng = open_engine(data_dir, housekeeping=False)
    try:
        assert eng.housekeeping is False
        stock_catalogue(eng)
        key = eng.client("orders").intake(form("quick")).order.key
        eng.client("warehouse").release_to_warehouse(key)
        eng.client("warehouse").ship(key, "SF", waybill_number(8))
        eng.advance_time(seconds=3 * HOUR_S)
        eng.client("logistics").track("SF", waybill_number(8), "in_transit")
        eng.advance_time(seconds=2 * HOUR_S)
        assert eng.client("orders").tasks() == []
        # The delivery stage has its own deadline once picked up (72 h): the manual clock fires
        # it on advance even with housekeeping off.
        eng.client("logistics").track("SF", waybill_number(8), "picked_up")
        eng.advance_time(seconds=72 * HOUR_S)
        [task] = eng.client("orders").tasks()
        assert (task.kind, task.assignee) == ("overdue_delivery", "logistics")
    finally:
        eng.close()


# -------------------------------------------------------------------------------------------------
# Events: a cursor that resumes without loss or repetition


def test_a_subscriber_resumes_from_its_cursor_after_a_reopen_without_loss_or_repeats(eng: allot.Engine) -> None:
    orders = eng.client("orders")
    subscription = orders.subscribe()
    assert subscription.cursor == 0
    seen = [next(subscription) for _ in range(5)]
    cursor = subscription.cursor
    assert cursor == seen[-1].lsn
    orders.intake(form("e1"))
    orders.intake(form("e2", buyer="b2"))
    # Caught up: the loop ends; more events later continue the same subscription.
    seen += list(subscription)
    assert subscription.cursor == seen[-1].lsn
    assert list(subscription) == []
    orders.cancel("tmall:e1", "buyer changed their mind")
    more = list(subscription)
    [cancelled] = [event for event in more if event.kind == "order_moved"]
    assert (cancelled.from_state, cancelled.to_state, cancelled.note) == (
        "reserved",
        "cancelled",
        "buyer changed their mind",
    )
    seen += more
    stored = subscription.cursor

    # The subscriber stops here (storing its cursor); the engine goes on and is restarted.
    orders.intake(form("e3", buyer="b3"))
    eng = reopen(eng)
    try:
        orders = eng.client("orders")
        orders.start_review("tmall:e2")  # a hold: reserved → in_review
        resumed = orders.subscribe(after=stored)
        rest = list(resumed)
        assert rest, "the events after the cursor are there"
        assert all(event.lsn > stored for event in rest)
        everything = list(orders.subscribe())
        assert seen + rest == everything, "nothing lost, nothing repeated"
        assert [event.lsn for event in everything] == sorted({event.lsn for event in everything})
        assert [e.to_state for e in rest if e.kind.startswith("order_")] == ["reserved", "in_review"]
        # poll() hands out batches and advances the same cursor.
        batch = orders.subscribe(after=0)
        first = batch.poll(max=3)
        assert first == everything[:3] and batch.cursor == everything[2].lsn
        assert batch.poll(max=4096) == everything[3:]
        assert batch.poll() == []
    finally:
        eng.close()


def test_events_carry_blacklist_rules_and_stock_alert_changes(eng: allot.Engine) -> None:
    admin = eng.client("admin").acting_as("risk-team")
    assert admin.actor == "risk-team" and admin.role == "admin"
    start = eng.last_lsn
    admin.blacklist_add("buyer", "fraudster")
    admin.blacklist_remove("buyer", "fraudster")
    admin.set_rules("[limits]\nlow_stock_units = 7\n")
    # LAMP has 3 units per warehouse (9 in all); taking 2 leaves 7: at the low-stock level.
    eng.client("orders").intake(form("lamps", lines=[("LAMP", 2, 9900)]))
    new = list(eng.client("viewer").subscribe(after=start))
    blacklist = [(e.blacklist, e.value, e.added, e.by) for e in new if e.kind == "blacklist"]
    assert blacklist == [("buyer", "fraudster", True, "risk-team"), ("buyer", "fraudster", False, "risk-team")]
    [rules] = [e for e in new if e.kind == "rules"]
    assert (rules.by, rules.rules_text) == ("risk-team", "[limits]\nlow_stock_units = 7\n")
    [alert] = [e for e in new if e.kind == "stock_alert"]
    assert (alert.sku, alert.available, alert.threshold) == ("LAMP", 7, 7)
    assert alert.fields == {"sku": "LAMP", "available": 7, "threshold": 7, "at_ms": START_MS}
    assert "kind=\"stock_alert\"" in repr(alert)
    eng.close()


# -------------------------------------------------------------------------------------------------
# Flags


def test_every_flag_kind_is_reachable_with_its_severity(eng: allot.Engine) -> None:
    orders, admin = eng.client("orders"), eng.client("admin")
    raised: dict[str, allot.Flag] = {}

    def flags_of(intake: allot.Intake) -> list[str]:
        for flag in intake.order.flags:
            raised[flag.code] = flag
        return sorted(flag.code for flag in intake.order.flags)

    assert flags_of(orders.intake(form("a1", buyer="a1", ship_to=address(detail="")))) == ["address_incomplete"]
    assert flags_of(orders.intake(form("a2", buyer="a2", ship_to=address(province="火星省")))) == ["unknown_province"]
    assert flags_of(orders.intake(form("a3", buyer="a3", ship_to=address(city="北京市")))) == ["unknown_city"]
    assert flags_of(orders.intake(form("a4", buyer="a4", ship_to=address(phone="12345")))) == ["bad_phone"]
    assert flags_of(orders.intake(form("a5", buyer="a5", payment="unpaid"))) == ["unpaid"]
    assert flags_of(orders.intake(form("a6", buyer="a6", lines=[("SOFA-3P-GREY", 40, 200_000)]))) == [
        "amount_too_high"
    ]
    short = orders.intake(form("a7", buyer="a7", lines=[("LAMP", 10, 100)]))
    assert flags_of(short) == ["stock_short"]
    assert (short.order.state, short.order.path, short.reservation) == ("flagged", "manual_review", None)

    # The blacklist, edited at run time: each list flags the next order that matches it.
    admin.blacklist_add("buyer", "bad-buyer")
    admin.blacklist_add("phone", "13900000000")
    admin.blacklist_add("address", "广东省 深圳市 福田区 华强北路 1 号")
    assert flags_of(orders.intake(form("b1", buyer="bad-buyer"))) == ["blacklisted_buyer"]
    assert flags_of(orders.intake(form("b2", buyer="b2", ship_to=address(phone="13900000000")))) == [
        "blacklisted_phone"
    ]
    # Addresses compare without whitespace.
    blocked = address(district="福田区", detail="华强北路1号")
    assert flags_of(orders.intake(form("b3", buyer="b3", ship_to=blocked))) == ["blacklisted_address"]
    admin.blacklist_remove("buyer", "bad-buyer")
    assert flags_of(orders.intake(form("b4", buyer="bad-buyer"))) == []

    # Velocity: with at most one order per buyer, phone and address in the window, the second
    # order from the same buyer, phone and address raises all three.
    admin.set_rules("[velocity]\nmax_orders_per_buyer = 1\nmax_orders_per_phone = 1\nmax_orders_per_address = 1\n")
    fast = address(phone="13711112222", detail="新地址 8 号")
    assert flags_of(orders.intake(form("v1", buyer="speedy", ship_to=fast))) == []
    assert flags_of(orders.intake(form("v2", buyer="speedy", ship_to=fast))) == [
        "velocity_address",
        "velocity_buyer",
        "velocity_phone",
    ]

    assert set(raised) == set(allot.FLAGS)
    assert {code: flag.severity for code, flag in raised.items()} == allot.FLAGS
    assert raised["blacklisted_buyer"].severity == "critical"
    assert "13900000000" in raised["blacklisted_phone"].detail
    # Flagged orders wait for a person; a blacklist hit always goes to risk review.
    flagged = orders.orders_in("flagged")
    assert all(order.touched for order in flagged)
    assert (orders.order("tmall:b1") or pytest.fail()).path == "risk_review"
    eng.close()


# -------------------------------------------------------------------------------------------------
# Moves


def test_an_illegal_move_names_both_states(eng: allot.Engine) -> None:
    orders, warehouse = eng.client("orders"), eng.client("warehouse")
    key = orders.intake(form("x")).order.key
    with pytest.raises(allot.IllegalTransitionError) as refused:
        warehouse.ship(key, "SF", waybill_number(1))
    error = refused.value
    assert str(error) == f'order "{key}" is reserved and cannot become shipped'
    assert (error.order, error.from_state, error.to_state) == (key, "reserved", "shipped")
    assert error.code == 202 and isinstance(error, allot.RejectedError)
    with pytest.raises(allot.IllegalTransitionError, match="is reserved and cannot become return_requested"):
        orders.request_return(key, "changed mind")
    with pytest.raises(allot.IllegalTransitionError, match="is reserved and cannot become approved"):
        orders.approve(key)
    orders.cancel(key, "no longer wanted")
    with pytest.raises(allot.IllegalTransitionError, match="is cancelled and cannot become released_to_warehouse"):
        warehouse.release_to_warehouse(key)
    with pytest.raises(allot.IllegalTransitionError, match="is cancelled and cannot become cancelled"):
        orders.cancel(key)
    # Refused moves changed nothing.
    assert (orders.order(key) or pytest.fail()).state == "cancelled"
    with pytest.raises(allot.UnknownOrderError, match="tmall:nope"):
        orders.approve("tmall:nope")
    eng.close()


def test_review_hold_cancel_exception_and_returns_move_stock_as_they_should(eng: allot.Engine) -> None:
    orders, warehouse, courier = eng.client("orders"), eng.client("warehouse"), eng.client("logistics")
    viewer = eng.client("viewer")
    start = viewer.stock("SOFA-3P-GREY")

    # Flagged (unpaid), taken into review, approved: the stock is held at approval.
    key = orders.intake(form("r1", payment="unpaid")).order.key
    assert viewer.stock("SOFA-3P-GREY") == start
    orders.start_review(key)
    orders.approve(key)
    approved = orders.order(key) or pytest.fail()
    assert (approved.state, approved.touched) == ("reserved", True)
    assert viewer.stock("SOFA-3P-GREY").reserved == start.reserved + 1

    # A hold parks it in review with the stock still held; rejecting releases it.
    orders.hold(key, "address check")
    assert (orders.order(key) or pytest.fail()).state == "in_review"
    assert viewer.stock("SOFA-3P-GREY").reserved == start.reserved + 1
    orders.reject(key, "buyer unreachable")
    assert viewer.stock("SOFA-3P-GREY") == start

    # A carrier exception, then delivery after all; a return brings the goods back on hand.
    key = orders.intake(form("r2", buyer="b2")).order.key
    warehouse.release_to_warehouse(key)
    warehouse.ship(key, "JD", "JD12345678901")
    courier.track("JD", "JD12345678901", "exception", "parcel damaged")
    assert (orders.order(key) or pytest.fail()).state == "exception"
    courier.track("JD", "JD12345678901", "delivered")
    assert (orders.order(key) or pytest.fail()).state == "delivered"
    after_ship = viewer.cell("SOFA-3P-GREY", "WH-SZ")
    orders.request_return(key, "wrong colour")
    orders.deny_return(key, "used")
    assert (orders.order(key) or pytest.fail()).state == "delivered"
    orders.request_return(key, "wrong colour, really")
    warehouse.complete_return(key, "WH-SZ")
    assert (orders.order(key) or pytest.fail()).state == "returned"
    assert viewer.cell("SOFA-3P-GREY", "WH-SZ").on_hand == after_ship.on_hand + 1
    moved = [(e.from_state, e.to_state) for e in events_of(eng, key) if e.kind == "order_moved"]
    assert moved[-4:] == [
        ("delivered", "return_requested"),
        ("return_requested", "delivered"),
        ("delivered", "return_requested"),
        ("return_requested", "returned"),
    ]
    assert eng.check_invariants()["reserved"] == 0
    eng.close()


def test_waybills_are_checked_against_the_carrier_format_and_unique(eng: allot.Engine) -> None:
    orders, warehouse = eng.client("orders"), eng.client("warehouse")
    first = orders.intake(form("w1")).order.key
    second = orders.intake(form("w2", buyer="b2")).order.key
    warehouse.release_to_warehouse(first)
    warehouse.release_to_warehouse(second)
    with pytest.raises(allot.InvalidInputError, match="not a SF Express waybill number"):
        warehouse.ship(first, "SF", "12345")
    warehouse.ship(first, "SF", waybill_number(5))
    warehouse.ship(first, "SF", waybill_number(5))  # the same waybill again: harmless
    with pytest.raises(allot.AlreadyExistsError, match=first):
        warehouse.ship(second, "SF", waybill_number(5))
    with pytest.raises(allot.UnknownOrderError, match="waybill"):
        eng.client("logistics").track("SF", waybill_number(6), "picked_up")
    eng.close()
