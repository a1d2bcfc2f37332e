/*
 * Proves the flows an ERP runs through the C face work end to end and report what the engine
 * did: reserve (one line, many lines, split across warehouses, by region), idempotent repeats,
 * commit, release, refusal for want of stock changing nothing, safety buffers, every stock
 * movement and read, expiry on a manual clock, warehouse deactivation, UTF-8 codes, a data
 * directory that survives close, checkpoint and reopen, and a client outliving its engine.
 */
#include "support.h"

#include <stdlib.h>

/* The info of a reservation handle. */
static allot_reservation_info info_of(const allot_reservation *reservation) {
    allot_reservation_info info;
    assert_ok(allot_reservation_get_info(reservation, &info));
    return info;
}

/* The units a reservation holds of `sku`, over all its lines. */
static uint64_t units_of(const allot_reservation_info *info, const char *sku) {
    uint64_t units = 0;
    for (size_t i = 0; i < info->lines_len; i++) {
        const allot_reserved_line *line = &info->lines[i];
        if (line->sku_len == strlen(sku) && memcmp(line->sku, sku, line->sku_len) == 0) {
            units += line->qty;
        }
    }
    return units;
}

static void reserve_commit_release_and_look_up(void **state) {
    fixture *f = *state;
    const allot_order_line lines[] = {{S("SOFA"), 2}};
    allot_reserve_options options = {S("310105"), 0, false};
    allot_reservation *held = NULL;
    assert_ok(allot_client_reserve(f->orders, S("ORD-1"), lines, 1, &options, &held));
    allot_reservation_info info = info_of(held);
    assert_text("ORD-1", info.order_id, info.order_id_len);
    assert_int_equal(ALLOT_RESERVATION_STATE_HELD, info.state);
    assert_false(info.repeat);
    assert_true(info.lsn > 0);
    assert_int_equal(START_MS, info.reserved_at_ms);
    assert_int_equal(START_MS + TTL_MS, info.expires_at_ms);
    assert_int_equal(1, info.lines_len);
    assert_text("SOFA", info.lines[0].sku, info.lines[0].sku_len);
    assert_text("WH-SH", info.lines[0].warehouse, info.lines[0].warehouse_len);
    assert_int_equal(2, info.lines[0].qty);
    uint64_t last = 0;
    assert_ok(allot_engine_last_lsn(f->engine, &last));
    assert_int_equal(info.lsn, last);

    allot_stock stock = stock_of(f->viewer, "SOFA");
    assert_int_equal(150, stock.on_hand);
    assert_int_equal(2, stock.reserved);
    assert_int_equal(148, stock.available);

    /* The same order again: the first reservation, nothing new held. */
    allot_reservation *again = NULL;
    assert_ok(allot_client_reserve(f->orders, S("ORD-1"), lines, 1, &options, &again));
    allot_reservation_info repeat = info_of(again);
    assert_true(repeat.repeat);
    assert_int_equal(info.lsn, repeat.lsn);
    assert_int_equal(2, stock_of(f->viewer, "SOFA").reserved);
    allot_reservation_free(again);

    allot_settled settled;
    assert_ok(allot_client_commit(f->orders, S("ORD-1"), &settled));
    assert_int_equal(ALLOT_RESERVATION_STATE_COMMITTED, settled.state);
    assert_true(settled.changed);
    assert_true(settled.lsn > info.lsn);
    uint64_t commit_lsn = settled.lsn;
    assert_ok(allot_client_commit(f->orders, S("ORD-1"), &settled));
    assert_false(settled.changed);
    assert_int_equal(commit_lsn, settled.lsn);
    stock = stock_of(f->viewer, "SOFA");
    assert_int_equal(148, stock.on_hand);
    assert_int_equal(0, stock.reserved);

    /* The handle is a snapshot: it still says HELD. A look-up says what is true now. */
    assert_int_equal(ALLOT_RESERVATION_STATE_HELD, info_of(held).state);
    allot_reservation_free(held);
    allot_reservation *found = NULL;
    assert_ok(allot_client_reservation(f->viewer, S("ORD-1"), &found));
    allot_reservation_info now = info_of(found);
    assert_int_equal(ALLOT_RESERVATION_STATE_COMMITTED, now.state);
    assert_false(now.repeat);
    assert_text("ORD-1", now.order_id, now.order_id_len);
    assert_int_equal(2, units_of(&now, "SOFA"));
    allot_reservation_free(found);

    /* Cancelled: the unit is available again; releasing twice is harmless. */
    const allot_order_line one[] = {{S("SOFA"), 1}};
    assert_ok(allot_client_reserve(f->orders, S("ORD-2"), one, 1, NULL, NULL));
    assert_int_equal(147, stock_of(f->viewer, "SOFA").available);
    assert_ok(allot_client_release(f->orders, S("ORD-2"), &settled));
    assert_int_equal(ALLOT_RESERVATION_STATE_RELEASED, settled.state);
    assert_true(settled.changed);
    assert_ok(allot_client_release(f->orders, S("ORD-2"), NULL));
    assert_int_equal(148, stock_of(f->viewer, "SOFA").available);
}

static void many_lines_split_across_warehouses_or_not_at_all(void **state) {
    fixture *f = *state;
    const allot_order_line lines[] = {{S("SOFA"), 120}, {S("LAMP"), 1}, {S("LAMP"), 2}};
    allot_reservation *held = NULL;
    /* No warehouse has 120 sofas: without a split the whole order is refused. */
    assert_status(ALLOT_STATUS_INSUFFICIENT_STOCK, allot_client_reserve(f->orders, S("BIG"), lines, 3, NULL, NULL));
    assert_int_equal(0, stock_of(f->viewer, "SOFA").reserved);
    assert_int_equal(0, stock_of(f->viewer, "LAMP").reserved);

    allot_reserve_options split = {NULL, 0, 0, true};
    assert_ok(allot_client_reserve(f->orders, S("BIG"), lines, 3, &split, &held));
    allot_reservation_info info = info_of(held);
    assert_int_equal(120, units_of(&info, "SOFA"));
    assert_int_equal(3, units_of(&info, "LAMP")); /* lines of one SKU are summed */
    assert_true(info.lines_len >= 3);
    for (size_t i = 0; i < info.lines_len; i++) {
        const allot_reserved_line *line = &info.lines[i];
        assert_true(strcmp(line->warehouse, "WH-SH") == 0 || strcmp(line->warehouse, "WH-BJ") == 0);
        assert_int_equal(strlen(line->warehouse), line->warehouse_len);
    }
    allot_reservation_free(held);
    allot_stock stock;
    assert_ok(allot_client_cell(f->viewer, S("SOFA"), S("WH-SH"), &stock));
    uint64_t shanghai = stock.reserved;
    assert_ok(allot_client_cell(f->viewer, S("SOFA"), S("WH-BJ"), &stock));
    assert_int_equal(120, shanghai + stock.reserved);

    /* A Beijing order goes to the Beijing warehouse, though Shanghai has the priority. */
    const allot_order_line ten[] = {{S("SOFA"), 10}};
    allot_reserve_options beijing = {S("110105"), 0, false};
    assert_ok(allot_client_reserve(f->orders, S("BJ-1"), ten, 1, &beijing, &held));
    info = info_of(held);
    assert_int_equal(1, info.lines_len);
    assert_text("WH-BJ", info.lines[0].warehouse, info.lines[0].warehouse_len);
    allot_reservation_free(held);
}

static void insufficient_stock_is_a_refusal_that_changes_nothing(void **state) {
    fixture *f = *state;
    const allot_order_line lines[] = {{S("SOFA"), 1}, {S("LAMP"), 11}};
    allot_reservation *held = NULL;
    assert_status(ALLOT_STATUS_INSUFFICIENT_STOCK, allot_client_reserve(f->orders, S("ORD-9"), lines, 2, NULL, &held));
    assert_null(held);
    assert_message_contains("LAMP");
    assert_message_contains("ORD-9");
    assert_int_equal(0, stock_of(f->viewer, "SOFA").reserved);
    assert_int_equal(10, stock_of(f->viewer, "LAMP").available);
    /* A refused order is not remembered: the id is free for the order that fits. */
    allot_reservation *found = NULL;
    assert_status(ALLOT_STATUS_UNKNOWN_ORDER, allot_client_reservation(f->orders, S("ORD-9"), &found));
    const allot_order_line fits[] = {{S("LAMP"), 10}};
    assert_ok(allot_client_reserve(f->orders, S("ORD-9"), fits, 1, NULL, NULL));
    assert_int_equal(0, stock_of(f->viewer, "LAMP").available);
}

static void buffers_hold_units_back_from_sale(void **state) {
    fixture *f = *state;
    assert_ok(allot_client_set_buffer(f->admin, S("LAMP"), S("WH-SH"), ALLOT_BUFFER_UNITS, 3));
    allot_stock stock = stock_of(f->viewer, "LAMP");
    assert_int_equal(3, stock.buffer);
    assert_int_equal(7, stock.available);
    const allot_order_line eight[] = {{S("LAMP"), 8}};
    assert_status(ALLOT_STATUS_INSUFFICIENT_STOCK, allot_client_reserve(f->orders, S("O"), eight, 1, NULL, NULL));

    /* A SKU default applies to the cells without a rule of their own, rounded up. */
    assert_ok(allot_client_set_buffer(f->admin, S("SOFA"), NULL, 0, ALLOT_BUFFER_PERCENT, 15));
    assert_ok(allot_client_set_buffer(f->admin, S("SOFA"), S("WH-BJ"), ALLOT_BUFFER_UNITS, 1));
    assert_ok(allot_client_cell(f->viewer, S("SOFA"), S("WH-SH"), &stock));
    assert_int_equal(15, stock.buffer);
    assert_int_equal(85, stock.available);
    assert_ok(allot_client_cell(f->viewer, S("SOFA"), S("WH-BJ"), &stock));
    assert_int_equal(1, stock.buffer);
    /* Removing the cell's rule makes it follow the default (15% of 50 = 7.5, so 8). */
    assert_ok(allot_client_set_buffer(f->admin, S("SOFA"), S("WH-BJ"), ALLOT_BUFFER_NONE, 0));
    assert_ok(allot_client_cell(f->viewer, S("SOFA"), S("WH-BJ"), &stock));
    assert_int_equal(8, stock.buffer);
    assert_ok(allot_client_set_buffer(f->admin, S("SOFA"), NULL, 0, ALLOT_BUFFER_NONE, 0));
    assert_int_equal(150, stock_of(f->viewer, "SOFA").available);
}

static void stock_movements_report_the_cell_after_them(void **state) {
    fixture *f = *state;
    allot_stock stock;
    assert_ok(allot_client_receive(f->warehouse, S("CHAIR"), S("WH-BJ"), 40, &stock));
    assert_int_equal(40, stock.on_hand);
    assert_int_equal(40, stock.available);
    assert_ok(allot_client_adjust(f->warehouse, S("CHAIR"), S("WH-BJ"), -3, S("damaged in transit"), &stock));
    assert_int_equal(37, stock.on_hand);
    assert_ok(allot_client_adjust(f->warehouse, S("CHAIR"), S("WH-BJ"), 5, S("found"), &stock));
    assert_int_equal(42, stock.on_hand);
    assert_ok(allot_client_expect_inbound(f->warehouse, S("CHAIR"), S("WH-BJ"), 20, &stock));
    assert_int_equal(20, stock.in_transit);
    assert_int_equal(42, stock.available); /* not sellable until it lands */
    assert_ok(allot_client_land_inbound(f->warehouse, S("CHAIR"), S("WH-BJ"), 12, &stock));
    assert_int_equal(54, stock.on_hand);
    assert_int_equal(8, stock.in_transit);
    assert_ok(allot_client_set_stock(f->warehouse, S("CHAIR"), S("WH-SH"), 6, &stock));
    assert_int_equal(6, stock.on_hand);

    /* Reads: the whole SKU, a region (by prefix), one cell. */
    stock = stock_of(f->viewer, "CHAIR");
    assert_int_equal(60, stock.on_hand);
    assert_int_equal(8, stock.in_transit);
    assert_ok(allot_client_stock_in_region(f->viewer, S("CHAIR"), S("31"), &stock));
    assert_int_equal(6, stock.on_hand);
    assert_ok(allot_client_stock_in_region(f->viewer, S("CHAIR"), S("11"), &stock));
    assert_int_equal(54, stock.on_hand);
    assert_ok(allot_client_stock_in_region(f->viewer, S("CHAIR"), NULL, 0, &stock)); /* every region */
    assert_int_equal(60, stock.on_hand);
    assert_ok(allot_client_cell(f->orders, S("CHAIR"), S("WH-BJ"), &stock));
    assert_int_equal(54, stock.on_hand);
}

static void reservations_expire_on_the_manual_clock(void **state) {
    fixture *f = *state;
    const allot_order_line one[] = {{S("LAMP"), 4}};
    allot_reserve_options short_ttl = {NULL, 0, 1000, false};
    allot_reservation *held = NULL;
    assert_ok(allot_client_reserve(f->orders, S("EXP-1"), one, 1, &short_ttl, &held));
    assert_int_equal(START_MS + 1000, info_of(held).expires_at_ms);
    allot_reservation_free(held);
    assert_ok(allot_client_reserve(f->orders, S("EXP-2"), one, 1, NULL, NULL)); /* default TTL */

    size_t expired = 99;
    assert_ok(allot_engine_advance_time(f->engine, 999, &expired));
    assert_int_equal(0, expired);
    assert_ok(allot_engine_advance_time(f->engine, 1, &expired));
    assert_int_equal(1, expired);
    uint64_t now = 0;
    assert_ok(allot_engine_now_ms(f->engine, &now));
    assert_int_equal(START_MS + 1000, now);
    assert_int_equal(4, stock_of(f->viewer, "LAMP").reserved);
    assert_ok(allot_engine_expire_due(f->engine, &expired));
    assert_int_equal(0, expired);

    allot_reservation *found = NULL;
    assert_ok(allot_client_reservation(f->orders, S("EXP-1"), &found));
    assert_int_equal(ALLOT_RESERVATION_STATE_EXPIRED, info_of(found).state);
    allot_reservation_free(found);
    allot_settled settled;
    assert_ok(allot_client_release(f->orders, S("EXP-1"), &settled)); /* harmless */
    assert_int_equal(ALLOT_RESERVATION_STATE_EXPIRED, settled.state);
    assert_false(settled.changed);
    assert_status(ALLOT_STATUS_ILLEGAL_TRANSITION, allot_client_commit(f->orders, S("EXP-1"), &settled));
    assert_message_contains("expired");

    /* The default TTL runs out too. */
    assert_ok(allot_engine_advance_time(f->engine, TTL_MS, &expired));
    assert_int_equal(1, expired);
    assert_int_equal(0, stock_of(f->viewer, "LAMP").reserved);
}

static void an_inactive_warehouse_is_not_chosen(void **state) {
    fixture *f = *state;
    assert_ok(allot_client_update_warehouse(f->admin, S("WH-SH"), 1, false));
    const allot_order_line ten[] = {{S("SOFA"), 10}};
    allot_reservation *held = NULL;
    assert_ok(allot_client_reserve(f->orders, S("O-1"), ten, 1, NULL, &held));
    allot_reservation_info info = info_of(held);
    assert_text("WH-BJ", info.lines[0].warehouse, info.lines[0].warehouse_len);
    allot_reservation_free(held);
    const allot_order_line lamp[] = {{S("LAMP"), 1}}; /* only in WH-SH */
    assert_status(ALLOT_STATUS_INSUFFICIENT_STOCK, allot_client_reserve(f->orders, S("O-2"), lamp, 1, NULL, NULL));
    assert_ok(allot_client_update_warehouse(f->admin, S("WH-SH"), 1, true));
    assert_ok(allot_client_reserve(f->orders, S("O-2"), lamp, 1, NULL, NULL));
}

static void utf8_codes_round_trip(void **state) {
    fixture *f = *state;
    static const char sofa[] = "\xe6\xb2\x99\xe5\x8f\x91-\xe4\xb8\x89\xe4\xba\xba"; /* 沙发-三人 */
    static const char order[] = "\xe8\xae\xa2\xe5\x8d\x95-1";                       /* 订单-1 */
    assert_ok(allot_client_add_sku(f->admin, S(sofa), S("\xe5\xae\xb6\xe5\x85\xb7")));
    assert_ok(allot_client_set_stock(f->warehouse, S(sofa), S("WH-SH"), 3, NULL));
    const allot_order_line line[] = {{S(sofa), 2}};
    allot_reservation *held = NULL;
    assert_ok(allot_client_reserve(f->orders, S(order), line, 1, NULL, &held));
    allot_reservation_info info = info_of(held);
    assert_text(order, info.order_id, info.order_id_len);
    assert_text(sofa, info.lines[0].sku, info.lines[0].sku_len);
    allot_reservation_free(held);
    assert_int_equal(1, stock_of(f->viewer, sofa).available);
}

static void a_client_outlives_its_engine_handle(void **state) {
    (void)state;
    allot_engine *engine = NULL;
    allot_client *admin = NULL;
    assert_ok(allot_engine_open_in_memory(NULL, &engine));
    assert_ok(allot_client_new(engine, ALLOT_ROLE_ADMIN, &admin));
    assert_ok(allot_client_add_sku(admin, S("A"), S("")));
    allot_engine_free(engine); /* closes it: the client now answers CLOSED */
    assert_status(ALLOT_STATUS_CLOSED, allot_client_add_sku(admin, S("B"), S("")));
    allot_client_free(admin);
}

/* Everything the fixture does, on a data directory with durable writes, then closed,
 * checkpointed and reopened. */
static void a_data_directory_survives_checkpoint_close_and_reopen(void **state) {
    (void)state;
    char *dir = temp_dir();
    allot_engine_options options;
    test_options(&options);
    options.sync = ALLOT_SYNC_MODE_ALWAYS;
    allot_engine *engine = NULL;
    allot_client *admin = NULL;
    assert_ok(allot_engine_open(dir, strlen(dir), &options, &engine));
    assert_ok(allot_client_new(engine, ALLOT_ROLE_ADMIN, &admin));
    assert_ok(allot_client_add_warehouse(admin, S("WH"), S("310000"), 1, true));
    assert_ok(allot_client_add_sku(admin, S("SKU-1"), S("c")));
    assert_ok(allot_client_set_stock(admin, S("SKU-1"), S("WH"), 10, NULL));
    const allot_order_line three[] = {{S("SKU-1"), 3}};
    assert_ok(allot_client_reserve(admin, S("ORD-A"), three, 1, NULL, NULL));
    uint64_t checkpoint_lsn = 0, last = 0;
    assert_ok(allot_engine_checkpoint(engine, &checkpoint_lsn));
    assert_ok(allot_engine_last_lsn(engine, &last));
    assert_int_equal(last, checkpoint_lsn);
    assert_ok(allot_client_reserve(admin, S("ORD-B"), three, 1, NULL, NULL));
    assert_ok(allot_client_commit(admin, S("ORD-A"), NULL));
    assert_ok(allot_engine_close(engine));
    allot_client_free(admin);
    allot_engine_free(engine);

    /* Reopened: the same state, whatever sync mode it is opened with now. */
    options.sync = ALLOT_SYNC_MODE_INTERVAL;
    options.sync_interval_ms = 5;
    engine = NULL;
    assert_ok(allot_engine_open(dir, strlen(dir), &options, &engine));
    allot_client *viewer = NULL;
    assert_ok(allot_client_new(engine, ALLOT_ROLE_VIEWER, &viewer));
    allot_stock stock = stock_of(viewer, "SKU-1");
    assert_int_equal(7, stock.on_hand);
    assert_int_equal(3, stock.reserved);
    allot_reservation *found = NULL;
    assert_ok(allot_client_reservation(viewer, S("ORD-B"), &found));
    assert_int_equal(ALLOT_RESERVATION_STATE_HELD, info_of(found).state);
    allot_reservation_free(found);
    assert_ok(allot_client_reservation(viewer, S("ORD-A"), &found));
    assert_int_equal(ALLOT_RESERVATION_STATE_COMMITTED, info_of(found).state);
    allot_reservation_free(found);

    /* The checkpoint removed the log before it: older cursors have expired, later ones work. */
    allot_events *events = NULL;
    assert_status(ALLOT_STATUS_CURSOR_EXPIRED, allot_client_events(viewer, 0, 10, &events));
    assert_null(events);
    assert_ok(allot_client_events(viewer, checkpoint_lsn, 10, &events));
    assert_int_equal(2, allot_events_count(events));
    allot_event event;
    assert_ok(allot_events_get(events, 0, &event));
    assert_int_equal(ALLOT_EVENT_KIND_RESERVE, event.kind);
    assert_text("ORD-B", event.order_id, event.order_id_len);
    assert_int_equal(checkpoint_lsn + 1, event.lsn);
    assert_ok(allot_events_get(events, 1, &event));
    assert_int_equal(ALLOT_EVENT_KIND_COMMIT, event.kind);
    allot_events_free(events);
    allot_client_free(viewer);
    assert_ok(allot_engine_close(engine));
    allot_engine_free(engine);

    /* Sync mode none opens it too. */
    options.sync = ALLOT_SYNC_MODE_NONE;
    assert_ok(allot_engine_open(dir, strlen(dir), &options, &engine));
    allot_engine_free(engine);
    remove_dir(dir);
}

int run_flow_tests(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(reserve_commit_release_and_look_up, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(many_lines_split_across_warehouses_or_not_at_all, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(insufficient_stock_is_a_refusal_that_changes_nothing, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(buffers_hold_units_back_from_sale, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(stock_movements_report_the_cell_after_them, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(reservations_expire_on_the_manual_clock, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(an_inactive_warehouse_is_not_chosen, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(utf8_codes_round_trip, fixture_setup, fixture_teardown),
        cmocka_unit_test(a_client_outlives_its_engine_handle),
        cmocka_unit_test(a_data_directory_survives_checkpoint_close_and_reopen),
    };
    return cmocka_run_group_tests_name("flows", tests, NULL, NULL);
}
