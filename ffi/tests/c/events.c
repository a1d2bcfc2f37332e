/*
 * Proves that event polling shows C every state change, in LSN order, once: each kind of
 * change arrives as its own allot_event_kind with its fields filled (codes resolved from the
 * engine's ids to strings, reservation lines included) and the fields that do not apply empty;
 * a subscriber that polls in small batches with the last LSN as its cursor sees every event
 * exactly once; and the strings stay valid until the handle is freed, even after the engine
 * that produced them is gone.
 */
#include "support.h"

static allot_event event_at(const allot_events *events, size_t index) {
    allot_event event;
    assert_ok(allot_events_get(events, index, &event));
    return event;
}

/* The fields that do not apply to a kind are "" (never NULL) and 0. */
static void assert_no_order_or_texts(const allot_event *event) {
    assert_text("", event->order_id, event->order_id_len);
    assert_text("", event->region, event->region_len);
    assert_text("", event->category, event->category_len);
    assert_text("", event->reason, event->reason_len);
    assert_null(event->lines);
    assert_int_equal(0, event->lines_len);
}

static void assert_movement(const allot_event *event, allot_event_kind kind, const char *warehouse, uint64_t qty) {
    assert_int_equal(kind, event->kind);
    assert_text("SKU-1", event->sku, event->sku_len);
    assert_text(warehouse, event->warehouse, event->warehouse_len);
    assert_int_equal(qty, event->qty);
    assert_int_equal(0, event->at_ms);
}

static void every_kind_of_change_is_an_event_with_its_fields(void **state) {
    (void)state;
    allot_engine_options options;
    test_options(&options);
    allot_engine *engine = NULL;
    allot_client *admin = NULL;
    assert_ok(allot_engine_open_in_memory(&options, &engine));
    assert_ok(allot_client_new(engine, ALLOT_ROLE_ADMIN, &admin));

    assert_ok(allot_client_add_warehouse(admin, S("WH-A"), S("310000"), 1, true));
    assert_ok(allot_client_add_warehouse(admin, S("WH-B"), S("110000"), 2, true));
    assert_ok(allot_client_update_warehouse(admin, S("WH-B"), 5, true));
    assert_ok(allot_client_add_sku(admin, S("SKU-1"), S("kitchen")));
    assert_ok(allot_client_set_buffer(admin, S("SKU-1"), S("WH-A"), ALLOT_BUFFER_UNITS, 2));
    assert_ok(allot_client_set_buffer(admin, S("SKU-1"), NULL, 0, ALLOT_BUFFER_PERCENT, 10));
    assert_ok(allot_client_set_buffer(admin, S("SKU-1"), S("WH-A"), ALLOT_BUFFER_NONE, 0));
    assert_ok(allot_client_set_buffer(admin, S("SKU-1"), NULL, 0, ALLOT_BUFFER_NONE, 0));
    assert_ok(allot_client_set_stock(admin, S("SKU-1"), S("WH-A"), 10, NULL));
    assert_ok(allot_client_receive(admin, S("SKU-1"), S("WH-B"), 5, NULL));
    assert_ok(allot_client_adjust(admin, S("SKU-1"), S("WH-A"), -2, S("damaged"), NULL));
    assert_ok(allot_client_expect_inbound(admin, S("SKU-1"), S("WH-B"), 7, NULL));
    assert_ok(allot_client_land_inbound(admin, S("SKU-1"), S("WH-B"), 7, NULL));
    const allot_order_line fifteen[] = {{S("SKU-1"), 15}};
    allot_reserve_options split = {NULL, 0, 0, true};
    assert_ok(allot_client_reserve(admin, S("R1"), fifteen, 1, &split, NULL));
    assert_ok(allot_client_commit(admin, S("R1"), NULL));
    const allot_order_line one[] = {{S("SKU-1"), 1}};
    assert_ok(allot_client_reserve(admin, S("R2"), one, 1, NULL, NULL));
    assert_ok(allot_client_release(admin, S("R2"), NULL));
    allot_reserve_options short_ttl = {NULL, 0, 10, false};
    assert_ok(allot_client_reserve(admin, S("R3"), one, 1, &short_ttl, NULL));
    assert_ok(allot_engine_advance_time(engine, 10, NULL));

    allot_events *events = NULL;
    assert_ok(allot_client_events(admin, 0, ALLOT_EVENTS_BATCH_MAX, &events));
    assert_int_equal(19, allot_events_count(events));
    for (size_t i = 0; i < 19; i++) {
        assert_int_equal(i + 1, event_at(events, i).lsn); /* LSNs are gapless, from 1 */
    }

    allot_event e = event_at(events, 0);
    assert_int_equal(ALLOT_EVENT_KIND_ADD_WAREHOUSE, e.kind);
    assert_text("WH-A", e.warehouse, e.warehouse_len);
    assert_text("310000", e.region, e.region_len);
    assert_int_equal(1, e.priority);
    assert_true(e.active);
    assert_text("", e.sku, e.sku_len);

    e = event_at(events, 2);
    assert_int_equal(ALLOT_EVENT_KIND_UPDATE_WAREHOUSE, e.kind);
    assert_text("WH-B", e.warehouse, e.warehouse_len);
    assert_int_equal(5, e.priority);
    assert_true(e.active);
    assert_no_order_or_texts(&e);

    e = event_at(events, 3);
    assert_int_equal(ALLOT_EVENT_KIND_ADD_SKU, e.kind);
    assert_text("SKU-1", e.sku, e.sku_len);
    assert_text("kitchen", e.category, e.category_len);
    assert_text("", e.warehouse, e.warehouse_len);

    e = event_at(events, 4);
    assert_int_equal(ALLOT_EVENT_KIND_SET_BUFFER, e.kind);
    assert_text("SKU-1", e.sku, e.sku_len);
    assert_text("WH-A", e.warehouse, e.warehouse_len);
    assert_int_equal(ALLOT_BUFFER_UNITS, e.buffer);
    assert_int_equal(2, e.buffer_value);
    e = event_at(events, 5);
    assert_text("", e.warehouse, e.warehouse_len); /* the SKU's default */
    assert_int_equal(ALLOT_BUFFER_PERCENT, e.buffer);
    assert_int_equal(10, e.buffer_value);
    e = event_at(events, 6);
    assert_int_equal(ALLOT_BUFFER_NONE, e.buffer);
    assert_text("WH-A", e.warehouse, e.warehouse_len);
    e = event_at(events, 7);
    assert_int_equal(ALLOT_BUFFER_NONE, e.buffer);
    assert_text("", e.warehouse, e.warehouse_len);

    e = event_at(events, 8);
    assert_movement(&e, ALLOT_EVENT_KIND_SET_STOCK, "WH-A", 10);
    assert_no_order_or_texts(&e);
    e = event_at(events, 9);
    assert_movement(&e, ALLOT_EVENT_KIND_RECEIVE, "WH-B", 5);
    e = event_at(events, 10);
    assert_movement(&e, ALLOT_EVENT_KIND_ADJUST, "WH-A", 2);
    assert_int_equal(-2, e.delta);
    assert_text("damaged", e.reason, e.reason_len);
    e = event_at(events, 11);
    assert_movement(&e, ALLOT_EVENT_KIND_EXPECT_INBOUND, "WH-B", 7);
    assert_int_equal(0, e.delta);
    e = event_at(events, 12);
    assert_movement(&e, ALLOT_EVENT_KIND_LAND_INBOUND, "WH-B", 7);

    e = event_at(events, 13);
    assert_int_equal(ALLOT_EVENT_KIND_RESERVE, e.kind);
    assert_text("R1", e.order_id, e.order_id_len);
    assert_int_equal(START_MS, e.at_ms);
    assert_int_equal(START_MS + TTL_MS, e.expires_at_ms);
    assert_int_equal(2, e.lines_len); /* 8 in WH-A and 12 in WH-B: split across both */
    uint64_t units = 0;
    for (size_t i = 0; i < e.lines_len; i++) {
        assert_text("SKU-1", e.lines[i].sku, e.lines[i].sku_len);
        units += e.lines[i].qty;
    }
    assert_int_equal(15, units);
    assert_true(strcmp(e.lines[0].warehouse, e.lines[1].warehouse) != 0);
    assert_text("", e.sku, e.sku_len);

    e = event_at(events, 14);
    assert_int_equal(ALLOT_EVENT_KIND_COMMIT, e.kind);
    assert_text("R1", e.order_id, e.order_id_len);
    assert_int_equal(START_MS, e.at_ms);
    assert_null(e.lines);
    e = event_at(events, 15);
    assert_int_equal(ALLOT_EVENT_KIND_RESERVE, e.kind);
    assert_int_equal(1, e.lines_len);
    e = event_at(events, 16);
    assert_int_equal(ALLOT_EVENT_KIND_RELEASE, e.kind);
    assert_text("R2", e.order_id, e.order_id_len);
    e = event_at(events, 17);
    assert_int_equal(START_MS + 10, event_at(events, 17).expires_at_ms);
    e = event_at(events, 18);
    assert_int_equal(ALLOT_EVENT_KIND_EXPIRE, e.kind);
    assert_text("R3", e.order_id, e.order_id_len);
    assert_int_equal(START_MS + 10, e.at_ms);

    /* The handle is the caller's: it outlives the client and the engine. */
    allot_client_free(admin);
    allot_engine_free(engine);
    e = event_at(events, 13);
    assert_text("R1", e.order_id, e.order_id_len);
    assert_text("SKU-1", e.lines[1].sku, e.lines[1].sku_len);
    allot_events_free(events);
}

static void a_cursor_sees_every_event_once_in_small_batches(void **state) {
    fixture *f = *state;
    uint64_t cursor = 0;
    assert_ok(allot_engine_last_lsn(f->engine, &cursor)); /* only what follows */
    const allot_order_line one[] = {{S("SOFA"), 1}};
    char order[16];
    for (int i = 0; i < 10; i++) {
        snprintf(order, sizeof order, "O-%d", i);
        assert_ok(allot_client_reserve(f->orders, order, strlen(order), one, 1, NULL, NULL));
    }
    int seen = 0;
    for (;;) {
        allot_events *events = NULL;
        assert_ok(allot_client_events(f->viewer, cursor, 3, &events));
        size_t count = allot_events_count(events);
        assert_true(count <= 3);
        for (size_t i = 0; i < count; i++) {
            allot_event e = event_at(events, i);
            assert_int_equal(cursor + 1, e.lsn);
            cursor = e.lsn;
            assert_int_equal(ALLOT_EVENT_KIND_RESERVE, e.kind);
            snprintf(order, sizeof order, "O-%d", seen++);
            assert_text(order, e.order_id, e.order_id_len);
        }
        allot_events_free(events);
        if (count == 0) {
            break;
        }
    }
    assert_int_equal(10, seen);
}

int run_event_tests(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_kind_of_change_is_an_event_with_its_fields),
        cmocka_unit_test_setup_teardown(a_cursor_sees_every_event_once_in_small_batches, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests_name("events", tests, NULL, NULL);
}
