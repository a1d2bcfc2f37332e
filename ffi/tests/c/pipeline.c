/*
 * Proves the order pipeline through the C face, as an ERP drives it: an order from each
 * channel style (taobao, jd, pdd) goes from intake to delivered with its events polled after
 * every step, each event decoded into its own kind and fields, and everything reads back the
 * same after the engine is closed and reopened; an order form with a flag is reviewed,
 * approved, held and cancelled by a named actor; every move the state machine forbids is
 * ALLOT_STATUS_ILLEGAL_TRANSITION and changes nothing; returns; SLA deadlines on a manual clock
 * open and escalate to-do tasks; the blacklist flags orders; the catalogue listings, the
 * reserve batch and the metrics report what the engine holds.
 */
#include "support.h"

#include <stdlib.h>

static allot_event event_at(const allot_events *events, size_t index) {
    allot_event event;
    assert_ok(allot_events_get(events, index, &event));
    return event;
}

static allot_intake_info intake_info_of(const allot_intake *intake) {
    allot_intake_info info;
    assert_ok(allot_intake_get_info(intake, &info));
    return info;
}

/* Polls every event after *cursor (moving it to the last) and asserts their kinds are exactly
 * `kinds`, in order. Returns the handle for a closer look; the caller frees it. */
static allot_events *expect_events(const allot_client *client, uint64_t *cursor, const allot_event_kind *kinds,
                                   size_t count) {
    allot_events *events = NULL;
    assert_ok(allot_client_events(client, *cursor, ALLOT_EVENTS_BATCH_MAX, &events));
    size_t got = allot_events_count(events);
    for (size_t i = 0; i < got || i < count; i++) {
        unsigned seen = i < got ? (unsigned)event_at(events, i).kind : 999u;
        unsigned want = i < count ? (unsigned)kinds[i] : 999u;
        if (seen != want) {
            fail_msg("event %zu after LSN %llu is of kind %u, expected %u (%zu events, %zu expected)", i,
                     (unsigned long long)*cursor, seen, want, got, count);
        }
    }
    if (got > 0) {
        *cursor = event_at(events, got - 1).lsn;
    }
    return events;
}

#define EXPECT_EVENTS(client, cursor, ...)                                                         \
    expect_events((client), (cursor), (const allot_event_kind[]){__VA_ARGS__},                      \
                  sizeof((const allot_event_kind[]){__VA_ARGS__}) / sizeof(allot_event_kind))

/* Asserts no event followed *cursor. */
static void expect_no_events(const allot_client *client, uint64_t cursor) {
    allot_events *events = NULL;
    assert_ok(allot_client_events(client, cursor, 10, &events));
    assert_int_equal(0, allot_events_count(events));
    allot_events_free(events);
}

static void assert_moved(const allot_event *e, const char *key, allot_order_state from, allot_order_state to,
                         const char *by, const char *note) {
    assert_int_equal(ALLOT_EVENT_KIND_ORDER_MOVED, e->kind);
    assert_text(key, e->order_id, e->order_id_len);
    if (e->from_state != from || e->to_state != to) {
        fail_msg("%s moved from %s to %s, expected %s to %s", key, allot_order_state_name(e->from_state),
                 allot_order_state_name(e->to_state), allot_order_state_name(from), allot_order_state_name(to));
    }
    assert_text(by, e->by, e->by_len);
    assert_text(note, e->note, e->note_len);
    assert_int_equal(START_MS, e->at_ms);
}

typedef struct channel_case {
    const char *style;
    const char *payload;
    const char *carrier;
    const char *waybill;
    const char *warehouse; /* the warehouse nearest the buyer */
    const char *key;
} channel_case;

static const channel_case CHANNELS[] = {
    {"taobao", TAOBAO_PAYLOAD, "SF", "SF1234567890123", "WH-GZ", "taobao:3658120094471538172"},
    {"jd", JD_PAYLOAD, "JD", "JDX000123456789", "WH-BJ", "jd:289012345678"},
    {"pdd", PDD_PAYLOAD, "YTO", "YT1234567890123", "WH-SH", "pdd:231120-123456789012345"},
};

typedef struct clients {
    allot_client *admin, *orders, *warehouse, *logistics, *viewer;
} clients;

static clients clients_of(allot_engine *engine) {
    clients c;
    assert_ok(allot_client_new(engine, ALLOT_ROLE_ADMIN, &c.admin));
    assert_ok(allot_client_new(engine, ALLOT_ROLE_ORDERS, &c.orders));
    assert_ok(allot_client_new(engine, ALLOT_ROLE_WAREHOUSE, &c.warehouse));
    assert_ok(allot_client_new(engine, ALLOT_ROLE_LOGISTICS, &c.logistics));
    assert_ok(allot_client_new(engine, ALLOT_ROLE_VIEWER, &c.viewer));
    return c;
}

static void free_clients(clients *c) {
    allot_client_free(c->admin);
    allot_client_free(c->orders);
    allot_client_free(c->warehouse);
    allot_client_free(c->logistics);
    allot_client_free(c->viewer);
}

/* One channel order from its marketplace payload to delivered, with the events of each step. */
static void deliver(const clients *c, const channel_case *order, uint64_t *cursor) {
    const char *key = order->key;
    allot_intake *intake = NULL;
    assert_ok(allot_client_intake_payload(c->orders, order->style, strlen(order->style), order->style,
                                          strlen(order->style), (const uint8_t *)order->payload,
                                          strlen(order->payload), &intake));
    allot_intake_info taken = intake_info_of(intake);
    assert_false(taken.repeat);
    assert_true(taken.reason_len > 0);
    assert_int_equal(strlen(taken.reason), taken.reason_len);
    allot_order_info info = order_info_of(taken.order);
    assert_text(key, info.key, info.key_len);
    assert_int_equal(ALLOT_ORDER_STATE_RESERVED, info.state);
    assert_int_equal(ALLOT_PATH_AUTO, info.path);
    assert_text("", info.rule, info.rule_len);
    assert_int_equal(0, info.flags_len);
    assert_null(info.flags);
    assert_false(info.touched);
    assert_text(order->style, info.form.channel, info.form.channel_len);
    assert_int_equal(ALLOT_PAYMENT_PAID, info.form.payment);
    assert_text("", info.carrier, info.carrier_len);
    assert_int_equal(START_MS, info.received_at_ms);
    /* Stock was held at once, in the warehouse nearest the buyer. */
    assert_non_null(taken.reservation);
    allot_reservation_info held;
    assert_ok(allot_reservation_get_info(taken.reservation, &held));
    assert_text(key, held.order_id, held.order_id_len);
    assert_int_equal(ALLOT_RESERVATION_STATE_HELD, held.state);
    assert_int_equal(0, held.expires_at_ms); /* the order's life, not a TTL, lets it go */
    for (size_t i = 0; i < held.lines_len; i++) {
        assert_text(order->warehouse, held.lines[i].warehouse, held.lines[i].warehouse_len);
    }
    allot_intake_free(intake);

    /* Taken in and reserved: one change, one event, with the reserved lines. */
    allot_events *events = EXPECT_EVENTS(c->viewer, cursor, ALLOT_EVENT_KIND_ORDER_RECEIVED);
    allot_event e = event_at(events, 0);
    assert_text(key, e.order_id, e.order_id_len);
    assert_true(e.lines_len > 0);
    assert_text(order->warehouse, e.lines[0].warehouse, e.lines[0].warehouse_len);
    assert_int_equal(ALLOT_ORDER_STATE_RECEIVED, e.from_state);
    assert_int_equal(ALLOT_ORDER_STATE_RESERVED, e.to_state);
    assert_int_equal(ALLOT_PATH_AUTO, e.path);
    assert_text("", e.rule, e.rule_len);
    assert_int_equal(0, e.flags_len);
    assert_int_equal(START_MS, e.at_ms);
    assert_text("", e.sku, e.sku_len);
    allot_events_free(events);

    /* The same payload again is the same order: nothing new happens. */
    assert_ok(allot_client_intake_payload(c->orders, order->style, strlen(order->style), order->style,
                                          strlen(order->style), (const uint8_t *)order->payload,
                                          strlen(order->payload), &intake));
    assert_true(intake_info_of(intake).repeat);
    allot_intake_free(intake);
    assert_ok(allot_client_intake_payload(c->orders, order->style, strlen(order->style), order->style,
                                          strlen(order->style), (const uint8_t *)order->payload,
                                          strlen(order->payload), NULL));
    expect_no_events(c->viewer, *cursor);

    /* The warehouse picks it. */
    assert_ok(allot_client_release_to_warehouse(c->warehouse, key, strlen(key)));
    events = EXPECT_EVENTS(c->viewer, cursor, ALLOT_EVENT_KIND_ORDER_MOVED);
    e = event_at(events, 0);
    assert_moved(&e, key, ALLOT_ORDER_STATE_RESERVED, ALLOT_ORDER_STATE_RELEASED_TO_WAREHOUSE, "warehouse",
                 "released to the warehouse");
    allot_events_free(events);

    /* The courier writes the waybill back: the stock leaves, the buyer is told. */
    assert_ok(allot_client_ship(c->logistics, key, strlen(key), order->carrier, strlen(order->carrier),
                                order->waybill, strlen(order->waybill)));
    /* The move to shipped carries the commit of its stock (one record, one event). */
    events = EXPECT_EVENTS(c->viewer, cursor, ALLOT_EVENT_KIND_WAYBILL, ALLOT_EVENT_KIND_ORDER_MOVED,
                           ALLOT_EVENT_KIND_NOTIFIED);
    e = event_at(events, 0);
    assert_text(key, e.order_id, e.order_id_len);
    assert_text(order->carrier, e.carrier, e.carrier_len);
    assert_text(order->waybill, e.tracking_number, e.tracking_number_len);
    e = event_at(events, 1);
    char note[64];
    snprintf(note, sizeof note, "waybill %s %s", order->carrier, order->waybill);
    assert_moved(&e, key, ALLOT_ORDER_STATE_RELEASED_TO_WAREHOUSE, ALLOT_ORDER_STATE_SHIPPED, "logistics", note);
    e = event_at(events, 2);
    assert_text(key, e.order_id, e.order_id_len);
    assert_int_equal(ALLOT_NOTIFICATION_SHIPPED, e.notification);
    allot_events_free(events);

    /* The carrier reports: picked up (the order's key comes back), in transit, delivered. */
    allot_string *tracked = NULL;
    assert_ok(allot_client_track(c->logistics, order->carrier, strlen(order->carrier), order->waybill,
                                 strlen(order->waybill), ALLOT_TRACKING_KIND_PICKED_UP, S("collected"), &tracked));
    assert_text(key, allot_string_text(tracked), allot_string_len(tracked));
    allot_string_free(tracked);
    events = EXPECT_EVENTS(c->viewer, cursor, ALLOT_EVENT_KIND_TRACKING, ALLOT_EVENT_KIND_ORDER_MOVED);
    e = event_at(events, 0);
    assert_text(key, e.order_id, e.order_id_len);
    assert_int_equal(ALLOT_TRACKING_KIND_PICKED_UP, e.tracking);
    assert_text("collected", e.detail, e.detail_len);
    e = event_at(events, 1);
    assert_moved(&e, key, ALLOT_ORDER_STATE_SHIPPED, ALLOT_ORDER_STATE_PICKED_UP, "logistics",
                 "carrier reported picked_up");
    allot_events_free(events);

    assert_ok(allot_client_track(c->logistics, order->carrier, strlen(order->carrier), order->waybill,
                                 strlen(order->waybill), ALLOT_TRACKING_KIND_IN_TRANSIT, S("杭州转运中心"), NULL));
    events = EXPECT_EVENTS(c->viewer, cursor, ALLOT_EVENT_KIND_TRACKING);
    e = event_at(events, 0);
    assert_int_equal(ALLOT_TRACKING_KIND_IN_TRANSIT, e.tracking);
    assert_text("杭州转运中心", e.detail, e.detail_len);
    allot_events_free(events);
    assert_int_equal(ALLOT_ORDER_STATE_PICKED_UP, order_state_of(c->viewer, key));

    assert_ok(allot_client_track(c->logistics, order->carrier, strlen(order->carrier), order->waybill,
                                 strlen(order->waybill), ALLOT_TRACKING_KIND_DELIVERED, S("signed by recipient"),
                                 NULL));
    events = EXPECT_EVENTS(c->viewer, cursor, ALLOT_EVENT_KIND_TRACKING, ALLOT_EVENT_KIND_ORDER_MOVED,
                           ALLOT_EVENT_KIND_NOTIFIED);
    e = event_at(events, 1);
    assert_moved(&e, key, ALLOT_ORDER_STATE_PICKED_UP, ALLOT_ORDER_STATE_DELIVERED, "logistics",
                 "carrier reported delivered");
    assert_int_equal(ALLOT_NOTIFICATION_DELIVERED, event_at(events, 2).notification);
    allot_events_free(events);

    allot_order *now = NULL;
    assert_ok(allot_client_order(c->viewer, key, strlen(key), &now));
    info = order_info_of(now);
    assert_int_equal(ALLOT_ORDER_STATE_DELIVERED, info.state);
    assert_false(info.touched); /* zero touch */
    assert_text(order->carrier, info.carrier, info.carrier_len);
    assert_text(order->waybill, info.tracking_number, info.tracking_number_len);
    allot_order_free(now);
}

/* The taobao order as its payload describes it. */
static void assert_taobao_form(const allot_order_info *info) {
    const allot_order_form *form = &info->form;
    assert_text("taobao", form->channel, form->channel_len);
    assert_text("3658120094471538172", form->channel_order_id, form->channel_order_id_len);
    assert_text("小林爱喝茶", form->buyer_id, form->buyer_id_len);
    assert_text("林小雨", form->ship_to.recipient, form->ship_to.recipient_len);
    assert_text("13812345678", form->ship_to.phone, form->ship_to.phone_len);
    assert_text("广东省", form->ship_to.province, form->ship_to.province_len);
    assert_text("深圳市", form->ship_to.city, form->ship_to.city_len);
    assert_text("南山区", form->ship_to.district, form->ship_to.district_len);
    assert_text("科技园南区深南大道10000号", form->ship_to.detail, form->ship_to.detail_len);
    assert_int_equal(2, form->lines_len);
    assert_text("SOFA-3P-GREY", form->lines[0].sku, form->lines[0].sku_len);
    assert_int_equal(2, form->lines[0].qty);
    assert_int_equal(129900, form->lines[0].unit_price_minor);
    assert_text("CUSHION-45", form->lines[1].sku, form->lines[1].sku_len);
    assert_int_equal(1250, form->lines[1].unit_price_minor);
    assert_false(form->cross_border);
    assert_false(form->is_return);
    assert_int_equal(ALLOT_PAYMENT_PAID, form->payment);
    assert_int_equal(1710484205000ull, form->placed_at_ms); /* 2024-03-15 14:30:05 Beijing time */
}

static void an_order_from_each_channel_flows_to_delivered_and_survives_a_restart(void **state) {
    (void)state;
    char *dir = temp_dir();
    allot_engine_options options;
    test_options(&options);
    allot_engine *engine = NULL;
    assert_ok(allot_engine_open(dir, strlen(dir), &options, &engine));
    clients c = clients_of(engine);
    stock_pipeline_catalogue(c.admin);

    uint64_t cursor = 0;
    assert_ok(allot_engine_last_lsn(engine, &cursor));
    uint64_t start = cursor;
    for (size_t i = 0; i < 3; i++) {
        deliver(&c, &CHANNELS[i], &cursor);
    }
    /* Committed, not held: the sofas left. */
    allot_stock sofa = stock_of(c.viewer, "SOFA-3P-GREY");
    assert_int_equal(148, sofa.on_hand);
    assert_int_equal(0, sofa.reserved);
    allot_orders *delivered = NULL;
    assert_ok(allot_client_orders_in(c.viewer, ALLOT_ORDER_STATE_DELIVERED, &delivered));
    assert_int_equal(3, allot_orders_count(delivered));
    allot_orders_free(delivered);

    assert_ok(allot_engine_close(engine));
    free_clients(&c);
    allot_engine_free(engine);

    /* Reopened: the same orders, and a subscriber resumes from its cursor. */
    engine = NULL;
    assert_ok(allot_engine_open(dir, strlen(dir), &options, &engine));
    c = clients_of(engine);
    for (size_t i = 0; i < 3; i++) {
        allot_order *order = NULL;
        assert_ok(allot_client_order(c.viewer, CHANNELS[i].key, strlen(CHANNELS[i].key), &order));
        allot_order_info info = order_info_of(order);
        assert_int_equal(ALLOT_ORDER_STATE_DELIVERED, info.state);
        assert_int_equal(ALLOT_PATH_AUTO, info.path);
        assert_text(CHANNELS[i].waybill, info.tracking_number, info.tracking_number_len);
        assert_true(info.last_lsn > start && info.last_lsn <= cursor);
        if (i == 0) {
            assert_taobao_form(&info);
        }
        allot_order_free(order);
    }
    allot_orders *received = NULL;
    assert_ok(allot_client_orders_in(c.viewer, ALLOT_ORDER_STATE_DELIVERED, &received));
    assert_int_equal(3, allot_orders_count(received));
    allot_order_info listed;
    assert_ok(allot_orders_get(received, 0, &listed));
    assert_int_equal(ALLOT_ORDER_STATE_DELIVERED, listed.state);
    allot_orders_free(received);
    /* Every pipeline event is there, decoded, after the restart. */
    allot_events *events = NULL;
    assert_ok(allot_client_events(c.viewer, start, ALLOT_EVENTS_BATCH_MAX, &events));
    size_t received_orders = 0, moves = 0, notices = 0;
    for (size_t i = 0; i < allot_events_count(events); i++) {
        allot_event e = event_at(events, i);
        received_orders += e.kind == ALLOT_EVENT_KIND_ORDER_RECEIVED;
        moves += e.kind == ALLOT_EVENT_KIND_ORDER_MOVED;
        notices += e.kind == ALLOT_EVENT_KIND_NOTIFIED;
        assert_true(e.kind != ALLOT_EVENT_KIND_PIPELINE && e.kind != ALLOT_EVENT_KIND_OTHER);
    }
    assert_int_equal(3, received_orders);
    assert_int_equal(12, moves);
    assert_int_equal(6, notices);
    assert_int_equal(cursor, event_at(events, allot_events_count(events) - 1).lsn);
    allot_events_free(events);
    expect_no_events(c.viewer, cursor);

    assert_ok(allot_engine_close(engine));
    free_clients(&c);
    allot_engine_free(engine);
    remove_dir(dir);
}

static void a_flagged_form_is_reviewed_approved_held_and_cancelled_by_a_named_actor(void **state) {
    fixture *f = *state;
    allot_client *alice = NULL;
    assert_ok(allot_client_acting_as(f->orders, S("alice"), &alice));
    uint64_t cursor = 0;
    assert_ok(allot_engine_last_lsn(f->engine, &cursor));

    allot_order_form form = pipeline_form("shop", "F-1", "buyer-1", "13800000001");
    form.payment = ALLOT_PAYMENT_UNPAID;
    allot_intake *intake = NULL;
    assert_ok(allot_client_intake(alice, &form, &intake));
    allot_intake_info taken = intake_info_of(intake);
    assert_false(taken.repeat);
    assert_null(taken.reservation); /* a flagged order holds no stock */
    allot_order_info info = order_info_of(taken.order);
    assert_text("shop:F-1", info.key, info.key_len);
    assert_int_equal(ALLOT_ORDER_STATE_FLAGGED, info.state);
    assert_int_equal(ALLOT_PATH_RISK_REVIEW, info.path);
    assert_true(info.touched);
    assert_int_equal(1, info.flags_len);
    assert_int_equal(ALLOT_FLAG_UNPAID, info.flags[0].code);
    assert_string_equal("unpaid", allot_flag_name(info.flags[0].code));
    assert_int_equal(ALLOT_SEVERITY_LOW, info.flags[0].severity);
    assert_text("payment is unpaid", info.flags[0].detail, info.flags[0].detail_len);
    /* The form reads back as it was sent. */
    assert_text("buyer-1", info.form.buyer_id, info.form.buyer_id_len);
    assert_text("张三", info.form.ship_to.recipient, info.form.ship_to.recipient_len);
    assert_text("F-1", info.form.ship_to.detail, info.form.ship_to.detail_len);
    assert_int_equal(1, info.form.lines_len);
    assert_text("MUG-350", info.form.lines[0].sku, info.form.lines[0].sku_len);
    assert_int_equal(ALLOT_PAYMENT_UNPAID, info.form.payment);
    assert_int_equal(START_MS - 1000, info.form.placed_at_ms);
    allot_intake_free(intake);

    allot_events *events = EXPECT_EVENTS(f->viewer, &cursor, ALLOT_EVENT_KIND_ORDER_RECEIVED);
    allot_event e = event_at(events, 0);
    assert_int_equal(ALLOT_ORDER_STATE_FLAGGED, e.to_state);
    assert_int_equal(ALLOT_PATH_RISK_REVIEW, e.path);
    assert_int_equal(1, e.flags_len);
    allot_events_free(events);

    /* The work queue shows it. */
    allot_orders *queue = NULL;
    assert_ok(allot_client_orders_in(f->viewer, ALLOT_ORDER_STATE_FLAGGED, &queue));
    assert_int_equal(1, allot_orders_count(queue));
    allot_order_info queued;
    assert_ok(allot_orders_get(queue, 0, &queued));
    assert_text("shop:F-1", queued.key, queued.key_len);
    allot_orders_free(queue);

    assert_ok(allot_client_start_review(alice, S("shop:F-1")));
    assert_ok(allot_client_approve(alice, S("shop:F-1")));
    assert_int_equal(ALLOT_ORDER_STATE_RESERVED, order_state_of(f->viewer, "shop:F-1"));
    assert_int_equal(1, stock_of(f->viewer, "MUG-350").reserved);
    events = EXPECT_EVENTS(f->viewer, &cursor, ALLOT_EVENT_KIND_ORDER_MOVED, ALLOT_EVENT_KIND_ORDER_MOVED);
    e = event_at(events, 0);
    assert_moved(&e, "shop:F-1", ALLOT_ORDER_STATE_FLAGGED, ALLOT_ORDER_STATE_IN_REVIEW, "alice", "taken into review");
    assert_int_equal(0, e.lines_len);
    e = event_at(events, 1);
    assert_moved(&e, "shop:F-1", ALLOT_ORDER_STATE_IN_REVIEW, ALLOT_ORDER_STATE_RESERVED, "alice", "approved");
    assert_int_equal(1, e.lines_len); /* approving reserved the stock, in the same record */
    assert_text("MUG-350", e.lines[0].sku, e.lines[0].sku_len);
    allot_events_free(events);

    assert_ok(allot_client_hold(alice, S("shop:F-1"), S("check the address")));
    events = EXPECT_EVENTS(f->viewer, &cursor, ALLOT_EVENT_KIND_ORDER_MOVED);
    e = event_at(events, 0);
    assert_moved(&e, "shop:F-1", ALLOT_ORDER_STATE_RESERVED, ALLOT_ORDER_STATE_IN_REVIEW, "alice",
                 "check the address");
    allot_events_free(events);
    assert_int_equal(1, stock_of(f->viewer, "MUG-350").reserved); /* held stays held */

    /* The role's name when no actor is given; the stock is let go on cancel. */
    assert_ok(allot_client_cancel(f->orders, S("shop:F-1"), S("buyer changed their mind")));
    assert_int_equal(ALLOT_ORDER_STATE_CANCELLED, order_state_of(f->viewer, "shop:F-1"));
    assert_int_equal(0, stock_of(f->viewer, "MUG-350").reserved);
    events = EXPECT_EVENTS(f->viewer, &cursor, ALLOT_EVENT_KIND_ORDER_MOVED);
    e = event_at(events, 0);
    assert_moved(&e, "shop:F-1", ALLOT_ORDER_STATE_IN_REVIEW, ALLOT_ORDER_STATE_CANCELLED, "orders",
                 "buyer changed their mind");
    allot_events_free(events);

    /* A reviewer can also reject. */
    form = pipeline_form("shop", "F-2", "buyer-2", "13800000002");
    form.payment = ALLOT_PAYMENT_REFUNDED;
    assert_ok(allot_client_intake(f->orders, &form, NULL));
    assert_ok(allot_client_reject(alice, S("shop:F-2"), NULL, 0));
    assert_int_equal(ALLOT_ORDER_STATE_CANCELLED, order_state_of(f->viewer, "shop:F-2"));
    allot_client_free(alice);
}

static void illegal_moves_are_refused_naming_both_states_and_change_nothing(void **state) {
    fixture *f = *state;
    allot_order_form form = pipeline_form("shop", "M-1", "buyer-m", "13800000011");
    assert_ok(allot_client_intake(f->orders, &form, NULL));
    const char *key = "shop:M-1";
    assert_int_equal(ALLOT_ORDER_STATE_RESERVED, order_state_of(f->viewer, key));

    /* (Taking a reserved order into review is allowed: it is a hold without a note.) */
    assert_status(ALLOT_STATUS_ILLEGAL_TRANSITION, allot_client_approve(f->orders, S("shop:M-1")));
    assert_message_contains("is reserved and cannot become approved");
    assert_status(ALLOT_STATUS_ILLEGAL_TRANSITION, allot_client_reject(f->orders, S("shop:M-1"), S("no")));
    assert_status(ALLOT_STATUS_ILLEGAL_TRANSITION, allot_client_ship(f->logistics, S("shop:M-1"), S("SF"), S("SF1234567890123")));
    assert_message_contains("shipped");
    assert_status(ALLOT_STATUS_ILLEGAL_TRANSITION, allot_client_request_return(f->orders, S("shop:M-1"), S("no")));
    assert_status(ALLOT_STATUS_ILLEGAL_TRANSITION, allot_client_complete_return(f->warehouse, S("shop:M-1"), S("WH-SH")));
    assert_status(ALLOT_STATUS_ILLEGAL_TRANSITION, allot_client_deny_return(f->orders, S("shop:M-1"), S("no")));
    assert_int_equal(ALLOT_ORDER_STATE_RESERVED, order_state_of(f->viewer, key));
    assert_int_equal(1, stock_of(f->viewer, "MUG-350").reserved);

    assert_ok(allot_client_release_to_warehouse(f->warehouse, S("shop:M-1")));
    assert_status(ALLOT_STATUS_ILLEGAL_TRANSITION, allot_client_release_to_warehouse(f->warehouse, S("shop:M-1")));
    assert_status(ALLOT_STATUS_ILLEGAL_TRANSITION, allot_client_hold(f->orders, S("shop:M-1"), S("x")));
    assert_ok(allot_client_ship(f->logistics, S("shop:M-1"), S("SF"), S("SF1234567890123")));
    /* Shipping again with the same waybill is a harmless repeat; a shipped order cannot be
     * cancelled. */
    assert_ok(allot_client_ship(f->logistics, S("shop:M-1"), S("SF"), S("SF1234567890123")));
    assert_status(ALLOT_STATUS_ILLEGAL_TRANSITION, allot_client_cancel(f->orders, S("shop:M-1"), S("too late")));
    assert_message_contains("shipped");
    assert_message_contains("cancelled");
    assert_int_equal(ALLOT_ORDER_STATE_SHIPPED, order_state_of(f->viewer, key));
    assert_int_equal(0, stock_of(f->viewer, "MUG-350").reserved);

    /* Unknown orders and waybills. */
    assert_status(ALLOT_STATUS_UNKNOWN_ORDER, allot_client_start_review(f->orders, S("shop:nope")));
    assert_status(ALLOT_STATUS_UNKNOWN_ORDER, allot_client_cancel(f->orders, S("shop:nope"), NULL, 0));
    assert_status(ALLOT_STATUS_UNKNOWN_ORDER,
                  allot_client_track(f->logistics, S("SF"), S("SF9999999999999"), ALLOT_TRACKING_KIND_PICKED_UP, NULL, 0, NULL));
    allot_order *order = SENTINEL_PTR;
    assert_status(ALLOT_STATUS_UNKNOWN_ORDER, allot_client_order(f->viewer, S("shop:nope"), &order));
    assert_ptr_equal(SENTINEL_PTR, order);

    /* A waybill belongs to one order. */
    form = pipeline_form("shop", "M-2", "buyer-m2", "13800000012");
    assert_ok(allot_client_intake(f->orders, &form, NULL));
    assert_ok(allot_client_release_to_warehouse(f->warehouse, S("shop:M-2")));
    assert_status(ALLOT_STATUS_ALREADY_EXISTS, allot_client_ship(f->logistics, S("shop:M-2"), S("SF"), S("SF1234567890123")));
    assert_int_equal(ALLOT_ORDER_STATE_RELEASED_TO_WAREHOUSE, order_state_of(f->viewer, "shop:M-2"));
    /* Out-of-order tracking is recorded and moves nothing. */
    assert_ok(allot_client_track(f->logistics, S("SF"), S("SF1234567890123"), ALLOT_TRACKING_KIND_DELIVERED, NULL, 0, NULL));
    assert_ok(allot_client_track(f->logistics, S("SF"), S("SF1234567890123"), ALLOT_TRACKING_KIND_PICKED_UP, NULL, 0, NULL));
    assert_int_equal(ALLOT_ORDER_STATE_DELIVERED, order_state_of(f->viewer, key));
    assert_status(ALLOT_STATUS_ILLEGAL_TRANSITION, allot_client_cancel(f->orders, S("shop:M-1"), NULL, 0));
}

static void a_delivered_order_is_returned_and_its_goods_come_back(void **state) {
    fixture *f = *state;
    allot_order_form form = pipeline_form("shop", "R-1", "buyer-r", "13800000021");
    assert_ok(allot_client_intake(f->orders, &form, NULL));
    allot_stock cell;
    assert_ok(allot_client_release_to_warehouse(f->warehouse, S("shop:R-1")));
    assert_ok(allot_client_ship(f->warehouse, S("shop:R-1"), S("ZTO"), S("731234567890")));
    assert_ok(allot_client_track(f->logistics, S("zto"), S("7312 3456 7890"), ALLOT_TRACKING_KIND_DELIVERED, NULL, 0, NULL));
    assert_ok(allot_client_cell(f->viewer, S("MUG-350"), S("WH-SH"), &cell));
    assert_int_equal(49, cell.on_hand);

    assert_ok(allot_client_request_return(f->orders, S("shop:R-1"), S("wrong colour")));
    assert_int_equal(ALLOT_ORDER_STATE_RETURN_REQUESTED, order_state_of(f->viewer, "shop:R-1"));
    assert_ok(allot_client_deny_return(f->orders, S("shop:R-1"), S("used")));
    assert_int_equal(ALLOT_ORDER_STATE_DELIVERED, order_state_of(f->viewer, "shop:R-1"));
    assert_ok(allot_client_request_return(f->orders, S("shop:R-1"), S("wrong colour, really")));
    assert_status(ALLOT_STATUS_UNKNOWN_WAREHOUSE, allot_client_complete_return(f->warehouse, S("shop:R-1"), S("WH-NOPE")));
    assert_ok(allot_client_complete_return(f->warehouse, S("shop:R-1"), S("WH-SH")));
    assert_int_equal(ALLOT_ORDER_STATE_RETURNED, order_state_of(f->viewer, "shop:R-1"));
    assert_ok(allot_client_cell(f->viewer, S("MUG-350"), S("WH-SH"), &cell));
    assert_int_equal(50, cell.on_hand);
    /* Returned is final. */
    assert_status(ALLOT_STATUS_ILLEGAL_TRANSITION, allot_client_request_return(f->orders, S("shop:R-1"), NULL, 0));

    /* A return order (is_return) is approved into a return request. */
    form = pipeline_form("shop", "R-2", "buyer-r2", "13800000022");
    form.is_return = true;
    allot_intake *intake = NULL;
    assert_ok(allot_client_intake(f->orders, &form, &intake));
    allot_order_info info = order_info_of(intake_info_of(intake).order);
    assert_int_equal(ALLOT_ORDER_STATE_IN_REVIEW, info.state);
    assert_int_equal(ALLOT_PATH_MANUAL_REVIEW, info.path);
    assert_true(info.form.is_return);
    allot_intake_free(intake);
    assert_ok(allot_client_approve(f->orders, S("shop:R-2")));
    assert_int_equal(ALLOT_ORDER_STATE_RETURN_REQUESTED, order_state_of(f->viewer, "shop:R-2"));
}

static allot_task task_at(const allot_tasks *tasks, size_t index) {
    allot_task task;
    assert_ok(allot_tasks_get(tasks, index, &task));
    return task;
}

static size_t task_count(const allot_client *client) {
    allot_tasks *tasks = NULL;
    assert_ok(allot_client_tasks(client, &tasks));
    size_t count = allot_tasks_count(tasks);
    allot_tasks_free(tasks);
    return count;
}

#define MINUTE_MS 60000ull

static void a_missed_review_deadline_opens_a_task_that_escalates(void **state) {
    fixture *f = *state;
    allot_order_form form = pipeline_form("shop", "S-1", "buyer-s", "13800000031");
    form.payment = ALLOT_PAYMENT_UNPAID;
    assert_ok(allot_client_intake(f->orders, &form, NULL));
    uint64_t cursor = 0;
    assert_ok(allot_engine_last_lsn(f->engine, &cursor));

    /* Review within 30 minutes (the default rules); then the first tier fires at once. */
    assert_ok(allot_engine_advance_time(f->engine, 30 * MINUTE_MS - 1, NULL));
    assert_int_equal(0, task_count(f->viewer));
    size_t fired = 99;
    assert_ok(allot_engine_run_timers(f->engine, &fired));
    assert_int_equal(0, fired);
    assert_ok(allot_engine_advance_time(f->engine, 1, NULL));
    allot_tasks *tasks = NULL;
    assert_ok(allot_client_tasks(f->viewer, &tasks));
    assert_int_equal(1, allot_tasks_count(tasks));
    allot_task task = task_at(tasks, 0);
    assert_text("shop:S-1", task.order, task.order_len);
    assert_int_equal(ALLOT_TASK_KIND_OVERDUE, task.kind);
    assert_int_equal(ALLOT_STAGE_REVIEW, task.stage);
    assert_string_equal("review", allot_stage_name(task.stage));
    assert_text("overdue_review", task.kind_name, task.kind_name_len);
    assert_int_equal(ALLOT_SEVERITY_LOW, task.severity);
    assert_text("orders", task.assignee, task.assignee_len);
    assert_int_equal(ALLOT_TASK_STATE_OPEN, task.state);
    assert_int_equal(START_MS + 30 * MINUTE_MS, task.opened_at_ms);
    assert_int_equal(task.opened_at_ms, task.changed_at_ms);
    uint64_t id = task.id;
    allot_tasks_free(tasks);

    allot_events *events = EXPECT_EVENTS(f->viewer, &cursor, ALLOT_EVENT_KIND_TASK_OPENED, ALLOT_EVENT_KIND_ESCALATED);
    allot_event e = event_at(events, 0);
    assert_int_equal(id, e.task);
    assert_text("shop:S-1", e.order_id, e.order_id_len);
    assert_int_equal(ALLOT_TASK_KIND_OVERDUE, e.task_kind);
    assert_int_equal(ALLOT_STAGE_REVIEW, e.stage);
    assert_int_equal(ALLOT_SEVERITY_LOW, e.severity);
    assert_text("orders", e.assignee, e.assignee_len);
    assert_int_equal(START_MS + 30 * MINUTE_MS, e.at_ms);
    e = event_at(events, 1);
    assert_int_equal(id, e.task);
    assert_int_equal(0, e.tier);
    assert_int_equal(ALLOT_STAGE_REVIEW, e.stage);
    assert_int_equal(ALLOT_SEVERITY_LOW, e.severity);
    allot_events_free(events);

    /* 30 minutes later the supervisor tier raises it. */
    assert_ok(allot_engine_advance_time(f->engine, 30 * MINUTE_MS, NULL));
    events = EXPECT_EVENTS(f->viewer, &cursor, ALLOT_EVENT_KIND_TASK_CHANGED, ALLOT_EVENT_KIND_ESCALATED);
    e = event_at(events, 0);
    assert_int_equal(id, e.task);
    assert_int_equal(ALLOT_TASK_STATE_OPEN, e.task_state);
    assert_int_equal(ALLOT_SEVERITY_HIGH, e.severity);
    assert_text("sla", e.by, e.by_len);
    assert_int_equal(1, event_at(events, 1).tier);
    allot_events_free(events);
    assert_ok(allot_client_tasks(f->orders, &tasks));
    task = task_at(tasks, 0);
    assert_int_equal(ALLOT_SEVERITY_HIGH, task.severity);
    assert_text("supervisor", task.assignee, task.assignee_len);
    allot_tasks_free(tasks);

    /* Someone is on it; then it is done. */
    assert_ok(allot_client_acknowledge_task(f->orders, id));
    assert_ok(allot_client_tasks(f->orders, &tasks));
    assert_int_equal(ALLOT_TASK_STATE_ACKNOWLEDGED, task_at(tasks, 0).state);
    allot_tasks_free(tasks);
    assert_status(ALLOT_STATUS_ILLEGAL_TRANSITION, allot_client_acknowledge_task(f->orders, id));
    assert_ok(allot_client_close_task(f->warehouse, id));
    assert_int_equal(0, task_count(f->viewer));
    assert_status(ALLOT_STATUS_ILLEGAL_TRANSITION, allot_client_close_task(f->orders, id));
    assert_message_contains("closed");
    events = EXPECT_EVENTS(f->viewer, &cursor, ALLOT_EVENT_KIND_TASK_CHANGED, ALLOT_EVENT_KIND_TASK_CHANGED);
    e = event_at(events, 0);
    assert_int_equal(ALLOT_TASK_STATE_ACKNOWLEDGED, e.task_state);
    assert_text("orders", e.by, e.by_len);
    e = event_at(events, 1);
    assert_int_equal(ALLOT_TASK_STATE_CLOSED, e.task_state);
    assert_text("warehouse", e.by, e.by_len);
    allot_events_free(events);
}

static void a_shipment_without_tracking_opens_an_enter_tracking_task_at_four_hours(void **state) {
    fixture *f = *state;
    allot_order_form form = pipeline_form("shop", "T-1", "buyer-t", "13800000041");
    assert_ok(allot_client_intake(f->orders, &form, NULL));
    assert_ok(allot_client_release_to_warehouse(f->warehouse, S("shop:T-1")));
    assert_ok(allot_client_ship(f->warehouse, S("shop:T-1"), S("EMS"), S("EA123456785CN")));
    assert_ok(allot_engine_advance_time(f->engine, 4 * 60 * MINUTE_MS - 1, NULL));
    assert_int_equal(0, task_count(f->viewer));
    assert_ok(allot_engine_advance_time(f->engine, 1, NULL));
    allot_tasks *tasks = NULL;
    assert_ok(allot_client_tasks(f->logistics, &tasks));
    assert_int_equal(1, allot_tasks_count(tasks));
    allot_task task = task_at(tasks, 0);
    assert_int_equal(ALLOT_TASK_KIND_ENTER_TRACKING, task.kind);
    assert_int_equal(ALLOT_STAGE_TRACKING, task.stage);
    assert_text("enter_tracking", task.kind_name, task.kind_name_len);
    assert_text("warehouse", task.assignee, task.assignee_len);
    allot_tasks_free(tasks);
    /* Entering the tracking by hand settles it. */
    assert_ok(allot_client_track(f->logistics, S("EMS"), S("EA123456785CN"), ALLOT_TRACKING_KIND_PICKED_UP,
                                 S("entered by hand"), NULL));
    assert_int_equal(0, task_count(f->viewer));
}

static void the_blacklist_flags_orders_critically(void **state) {
    fixture *f = *state;
    uint64_t cursor = 0;
    assert_ok(allot_engine_last_lsn(f->engine, &cursor));
    assert_ok(allot_client_blacklist_add(f->admin, ALLOT_BLACKLIST_BUYER, S("fraudster")));
    assert_ok(allot_client_blacklist_add(f->admin, ALLOT_BLACKLIST_PHONE, S("13900000000")));
    /* Addresses compare without whitespace: province, city, district and detail joined. */
    assert_ok(allot_client_blacklist_add(f->admin, ALLOT_BLACKLIST_ADDRESS, S("上海市 上海市 徐汇区 BL-3")));
    allot_events *events = EXPECT_EVENTS(f->viewer, &cursor, ALLOT_EVENT_KIND_BLACKLIST, ALLOT_EVENT_KIND_BLACKLIST,
                                         ALLOT_EVENT_KIND_BLACKLIST);
    allot_event e = event_at(events, 0);
    assert_int_equal(ALLOT_BLACKLIST_BUYER, e.blacklist);
    assert_text("fraudster", e.value, e.value_len);
    assert_true(e.added);
    assert_text("admin", e.by, e.by_len);
    e = event_at(events, 2);
    assert_int_equal(ALLOT_BLACKLIST_ADDRESS, e.blacklist);
    assert_text("上海市上海市徐汇区BL-3", e.value, e.value_len);
    allot_events_free(events);

    const struct {
        const char *id, *buyer, *phone;
        allot_flag flag;
    } cases[] = {
        {"BL-1", "fraudster", "13800000051", ALLOT_FLAG_BLACKLISTED_BUYER},
        {"BL-2", "buyer-bl2", "13900000000", ALLOT_FLAG_BLACKLISTED_PHONE},
        {"BL-3", "buyer-bl3", "13800000053", ALLOT_FLAG_BLACKLISTED_ADDRESS},
    };
    for (size_t i = 0; i < 3; i++) {
        allot_order_form form = pipeline_form("shop", cases[i].id, cases[i].buyer, cases[i].phone);
        allot_intake *intake = NULL;
        assert_ok(allot_client_intake(f->orders, &form, &intake));
        allot_order_info info = order_info_of(intake_info_of(intake).order);
        assert_int_equal(ALLOT_ORDER_STATE_FLAGGED, info.state);
        assert_int_equal(ALLOT_PATH_RISK_REVIEW, info.path);
        assert_int_equal(1, info.flags_len);
        assert_int_equal(cases[i].flag, info.flags[0].code);
        assert_int_equal(ALLOT_SEVERITY_CRITICAL, info.flags[0].severity);
        assert_null(intake_info_of(intake).reservation);
        allot_intake_free(intake);
    }
    assert_ok(allot_client_blacklist_remove(f->admin, ALLOT_BLACKLIST_BUYER, S("fraudster")));
    assert_ok(allot_client_blacklist_remove(f->admin, ALLOT_BLACKLIST_BUYER, S("never listed")));
    allot_order_form form = pipeline_form("shop", "BL-4", "fraudster", "13800000054");
    assert_ok(allot_client_intake(f->orders, &form, NULL));
    assert_int_equal(ALLOT_ORDER_STATE_RESERVED, order_state_of(f->viewer, "shop:BL-4"));
}

static void the_catalogue_lists_every_warehouse_and_sku(void **state) {
    fixture *f = *state;
    allot_warehouses *warehouses = NULL;
    assert_ok(allot_client_warehouses(f->logistics, &warehouses));
    assert_int_equal(3, allot_warehouses_count(warehouses));
    allot_warehouse_info wh;
    assert_ok(allot_warehouses_get(warehouses, 0, &wh));
    assert_text("WH-SH", wh.code, wh.code_len);
    assert_text("310000", wh.region, wh.region_len);
    assert_int_equal(1, wh.priority);
    assert_true(wh.active);
    assert_ok(allot_warehouses_get(warehouses, 2, &wh));
    assert_text("WH-GZ", wh.code, wh.code_len);
    assert_text("440100", wh.region, wh.region_len);
    allot_warehouses_free(warehouses);

    assert_ok(allot_client_update_warehouse(f->admin, S("WH-BJ"), 7, false));
    assert_ok(allot_client_warehouses(f->viewer, &warehouses));
    assert_ok(allot_warehouses_get(warehouses, 1, &wh));
    assert_int_equal(7, wh.priority);
    assert_false(wh.active);
    allot_warehouses_free(warehouses);

    allot_skus *skus = NULL;
    assert_ok(allot_client_skus(f->viewer, &skus));
    assert_int_equal(7, allot_skus_count(skus));
    allot_sku_info sku;
    assert_ok(allot_skus_get(skus, 0, &sku));
    assert_text("SOFA", sku.code, sku.code_len);
    assert_text("furniture", sku.category, sku.category_len);
    assert_ok(allot_skus_get(skus, 6, &sku));
    assert_text("MUG-350", sku.code, sku.code_len);
    assert_text("home", sku.category, sku.category_len);
    allot_skus_free(skus);
}

static void a_reserve_batch_answers_each_order(void **state) {
    fixture *f = *state;
    const allot_order_line one_sofa[] = {{S("SOFA"), 1}};
    const allot_order_line many_lamps[] = {{S("LAMP"), 1000}};
    const allot_order_line bad_sku[] = {{S("SO\xff"), 1}, {S("LAMP"), 1}};
    const allot_order_line unknown[] = {{S("NOPE"), 1}};
    allot_reserve_options beijing = {S("110105"), 0, false};
    const allot_order_request batch[] = {
        {S("B-1"), one_sofa, 1, &beijing},
        {S("B-2"), many_lamps, 1, NULL},
        {S("B-3"), bad_sku, 2, NULL},
        {S("B-4"), unknown, 1, NULL},
        {S("B-1"), one_sofa, 1, &beijing}, /* a repeat of the first */
        {S("B-5"), one_sofa, 0, NULL},     /* no lines */
    };
    allot_status statuses[6];
    allot_reservation *held[6];
    memset(held, 0x5a, sizeof held);
    assert_ok(allot_client_reserve_many(f->orders, batch, 6, statuses, held));
    const allot_status expected[] = {ALLOT_STATUS_OK, ALLOT_STATUS_INSUFFICIENT_STOCK, ALLOT_STATUS_INVALID_INPUT,
                                     ALLOT_STATUS_UNKNOWN_SKU, ALLOT_STATUS_OK, ALLOT_STATUS_INVALID_INPUT};
    for (size_t i = 0; i < 6; i++) {
        if (statuses[i] != expected[i]) {
            fail_msg("order %zu of the batch: %s, expected %s", i, allot_status_name(statuses[i]),
                     allot_status_name(expected[i]));
        }
        assert_true((held[i] != NULL) == (expected[i] == ALLOT_STATUS_OK));
    }
    allot_reservation_info info;
    assert_ok(allot_reservation_get_info(held[0], &info));
    assert_text("B-1", info.order_id, info.order_id_len);
    assert_false(info.repeat);
    assert_text("WH-BJ", info.lines[0].warehouse, info.lines[0].warehouse_len);
    assert_ok(allot_reservation_get_info(held[4], &info));
    assert_true(info.repeat);
    for (size_t i = 0; i < 6; i++) {
        allot_reservation_free(held[i]);
    }
    assert_int_equal(1, stock_of(f->viewer, "SOFA").reserved);
    assert_int_equal(0, stock_of(f->viewer, "LAMP").reserved);

    /* Statuses alone; an empty batch. */
    assert_ok(allot_client_reserve_many(f->orders, batch, 2, statuses, NULL));
    assert_int_equal(ALLOT_STATUS_OK, statuses[0]);
    assert_int_equal(ALLOT_STATUS_INSUFFICIENT_STOCK, statuses[1]);
    assert_ok(allot_client_reserve_many(f->orders, NULL, 0, NULL, NULL));
}

static void metrics_count_what_the_engine_holds(void **state) {
    fixture *f = *state;
    allot_order_form form = pipeline_form("shop", "X-1", "buyer-x1", "13800000061");
    assert_ok(allot_client_intake(f->orders, &form, NULL));
    form = pipeline_form("shop", "X-2", "buyer-x2", "13800000062");
    form.payment = ALLOT_PAYMENT_UNPAID;
    assert_ok(allot_client_intake(f->orders, &form, NULL));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_intake(f->viewer, &form, NULL));
    assert_ok(allot_engine_advance_time(f->engine, 30 * MINUTE_MS, NULL));

    allot_metrics metrics;
    memset(&metrics, 0xff, sizeof metrics);
    assert_ok(allot_engine_metrics(f->engine, &metrics));
    assert_int_equal(7, metrics.skus);
    assert_int_equal(3, metrics.warehouses);
    assert_int_equal(1, metrics.reservations_made);
    assert_int_equal(1, metrics.reservations_held);
    assert_int_equal(1, metrics.permission_denied_total);
    assert_int_equal(1, metrics.orders_by_state[ALLOT_ORDER_STATE_RESERVED]);
    assert_int_equal(1, metrics.orders_by_state[ALLOT_ORDER_STATE_FLAGGED]);
    assert_int_equal(0, metrics.orders_by_state[ALLOT_ORDER_STATE_DELIVERED]);
    assert_int_equal(1, metrics.orders_zero_touch);
    assert_int_equal(1, metrics.open_tasks_by_severity[ALLOT_SEVERITY_LOW]);
    assert_int_equal(0, metrics.open_tasks_by_severity[ALLOT_SEVERITY_CRITICAL]);
    uint64_t last = 0;
    assert_ok(allot_engine_last_lsn(f->engine, &last));
    assert_int_equal(last, metrics.log_last_lsn);

    allot_string *text = NULL;
    assert_ok(allot_engine_metrics_prometheus(f->engine, &text));
    assert_int_equal(strlen(allot_string_text(text)), allot_string_len(text));
    assert_non_null(strstr(allot_string_text(text), "allot_skus 7"));
    assert_non_null(strstr(allot_string_text(text), "state=\"reserved\""));
    allot_string_free(text);
}

int run_pipeline_tests(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_order_from_each_channel_flows_to_delivered_and_survives_a_restart),
        cmocka_unit_test_setup_teardown(a_flagged_form_is_reviewed_approved_held_and_cancelled_by_a_named_actor, pipeline_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(illegal_moves_are_refused_naming_both_states_and_change_nothing, pipeline_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(a_delivered_order_is_returned_and_its_goods_come_back, pipeline_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(a_missed_review_deadline_opens_a_task_that_escalates, pipeline_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(a_shipment_without_tracking_opens_an_enter_tracking_task_at_four_hours, pipeline_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(the_blacklist_flags_orders_critically, pipeline_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(the_catalogue_lists_every_warehouse_and_sku, pipeline_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(a_reserve_batch_answers_each_order, pipeline_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(metrics_count_what_the_engine_holds, pipeline_setup, fixture_teardown),
    };
    return cmocka_run_group_tests_name("order pipeline", tests, NULL, NULL);
}
