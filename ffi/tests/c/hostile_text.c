/*
 * Proves that the C face refuses the same hostile text as the Rust and Python faces, with the
 * same status: identifiers (order ids, codes, channel order ids, buyer ids, actors, waybills)
 * that are blank, padded or hold a control, zero-width, BOM or bidi character, free text
 * (addresses, reasons, notes, categories) with control or format characters, channel payloads
 * with such fields or nested 100,000 deep, are ALLOT_STATUS_INVALID_INPUT and change nothing (the
 * log does not grow, out_ parameters stay as they were); and that asking for 0 events says at
 * least 1 is needed.
 */
#include "support.h"

#include <stdlib.h>

/* A (pointer, length) string: the NUL inside one of them is part of the value. */
typedef struct bytes {
    const char *text;
    size_t len;
} bytes;

#define B(literal) {(literal), sizeof(literal) - 1}

/* The red team's identifiers (adjacent literals keep a hex escape from eating the next digit). */
static const bytes HOSTILE_IDS[] = {
    B(" "),
    B("\t"),
    B(" A-1"),
    B("A-1 "),
    B("A\xe2\x80\x8b" "1"), /* U+200B zero-width space */
    B("A\xe2\x80\x8c" "1"), /* U+200C zero-width non-joiner */
    B("A\xe2\x80\x8d" "1"), /* U+200D zero-width joiner */
    B("A\xe2\x81\xa0" "1"), /* U+2060 word joiner */
    B("\xef\xbb\xbf" "A1"), /* U+FEFF byte order mark */
    B("A\xe2\x80\xae" "1"), /* U+202E right-to-left override */
    B("A\xe2\x81\xa7" "1"), /* U+2067 right-to-left isolate */
    B("A\xe2\x80\x8e" "1"), /* U+200E left-to-right mark */
    B("A\xd8\x9c" "1"),     /* U+061C Arabic letter mark */
    B("A\0" "1"),           /* NUL */
    B("A\x1b[2J"),          /* ESC: clear the screen */
    B("A\xc2\x9b" "1"),     /* U+009B a C1 control */
};
#define HOSTILE_IDS_LEN (sizeof HOSTILE_IDS / sizeof HOSTILE_IDS[0])

/* Free text no field may hold: spaces are fine in free text, so none is here. */
static const bytes HOSTILE_TEXT[] = {
    B("a\0" "b"),
    B("a\x1b]0;pwned\x07"),
    B("ok\rrejected"),
    B("a\xe2\x80\x8b" "b"),
    B("\xef\xbb\xbf" "a"),
    B("a\xe2\x80\xae" "b"),
    B("a\xe2\x81\xa6" "b"),
    B("a\xe2\x80\xa8" "b"), /* U+2028 line separator */
};
#define HOSTILE_TEXT_LEN (sizeof HOSTILE_TEXT / sizeof HOSTILE_TEXT[0])

static uint64_t last_lsn(const fixture *f) {
    uint64_t lsn = 0;
    assert_ok(allot_engine_last_lsn(f->engine, &lsn));
    return lsn;
}

static void hostile_identifiers_are_invalid_input_everywhere_and_change_nothing(void **state) {
    fixture *f = *state;
    const uint64_t before = last_lsn(f);
    const allot_order_line line = {"MUG-350", 7, 1};
    for (size_t i = 0; i < HOSTILE_IDS_LEN; i++) {
        const char *id = HOSTILE_IDS[i].text;
        const size_t len = HOSTILE_IDS[i].len;
        allot_reservation *reservation = SENTINEL_PTR;
        allot_settled settled;
        memset(&settled, 0xab, sizeof settled);
        allot_settled untouched = settled;
        allot_order *order = SENTINEL_PTR;
        allot_client *acting = SENTINEL_PTR;
        allot_intake *intake = SENTINEL_PTR;

        assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_reserve(f->orders, id, len, &line, 1, NULL, &reservation));
        assert_message_contains("order id");
        assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_commit(f->orders, id, len, &settled));
        assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_release(f->orders, id, len, &settled));
        assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_reservation(f->viewer, id, len, &reservation));
        assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_order(f->viewer, id, len, &order));
        assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_add_sku(f->admin, id, len, S("")));
        assert_message_contains("SKU code");
        assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_add_warehouse(f->admin, id, len, S("310000"), 1, true));
        assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_add_warehouse(f->admin, S("WH-X"), id, len, 1, true));
        assert_message_contains("region code");
        assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_acting_as(f->orders, id, len, &acting));
        assert_message_contains("actor");
        assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_reload_rules(f->engine, S("/nonexistent/rules.toml"), id, len));
        assert_message_contains("rules author");
        assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_blacklist_add(f->admin, ALLOT_BLACKLIST_BUYER, id, len));

        allot_order_form form = pipeline_form("shop", "ok-1", "buyer-1", "13600001111");
        form.channel_order_id = id;
        form.channel_order_id_len = len;
        assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_intake(f->orders, &form, &intake));
        assert_message_contains("channel order id");
        form = pipeline_form("shop", "ok-2", "buyer-1", "13600001111");
        form.buyer_id = id;
        form.buyer_id_len = len;
        assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_intake(f->orders, &form, &intake));
        assert_message_contains("buyer id");
        assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_ship(f->warehouse, S("shop:none"), S("SF"), id, len));
        assert_message_contains("tracking number");
        assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_ship(f->warehouse, S("shop:none"), id, len, S("SF1234567890123")));
        assert_message_contains("carrier code");
        allot_string *key = SENTINEL_PTR;
        assert_status(ALLOT_STATUS_INVALID_INPUT,
                      allot_client_track(f->logistics, S("SF"), id, len, ALLOT_TRACKING_KIND_PICKED_UP, NULL, 0, &key));
        assert_ptr_equal(SENTINEL_PTR, key);
        /* Every keyed move of the pipeline. */
        assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_start_review(f->orders, id, len));
        assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_approve(f->orders, id, len));
        assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_reject(f->orders, id, len, S("")));
        assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_hold(f->orders, id, len, S("")));
        assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_release_to_warehouse(f->warehouse, id, len));
        assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_cancel(f->orders, id, len, S("")));
        assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_request_return(f->orders, id, len, S("")));
        assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_complete_return(f->warehouse, id, len, S("WH-SH")));
        assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_deny_return(f->orders, id, len, S("")));
        assert_message_contains("order id");
        allot_explanation *explanation = SENTINEL_PTR;
        assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_explain(f->viewer, id, len, &explanation));
        assert_ptr_equal(SENTINEL_PTR, explanation);
        assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_blacklist_remove(f->admin, ALLOT_BLACKLIST_BUYER, id, len));
        allot_rules_watch *watch = SENTINEL_PTR;
        assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_watch_rules(f->engine, S("/tmp/rules.toml"), id, len, &watch));
        assert_message_contains("rules author");
        assert_ptr_equal(SENTINEL_PTR, watch);

        assert_ptr_equal(SENTINEL_PTR, reservation);
        assert_ptr_equal(SENTINEL_PTR, order);
        assert_ptr_equal(SENTINEL_PTR, acting);
        assert_ptr_equal(SENTINEL_PTR, intake);
        assert_memory_equal(&untouched, &settled, sizeof settled);
    }
    assert_int_equal(before, last_lsn(f));
    /* The message quotes the value escaped, so the hidden character shows. */
    allot_reservation *reservation = SENTINEL_PTR;
    assert_status(ALLOT_STATUS_INVALID_INPUT,
                  allot_client_reserve(f->orders, S("A\xe2\x80\x8b" "1"), &line, 1, NULL, &reservation));
    assert_message_contains("\"A\\u{200b}1\"");
    assert_message_contains("U+200B");
    /* Inner plain spaces are fine in an order id. */
    assert_ok(allot_client_reserve(f->orders, S("ORDER 1"), &line, 1, NULL, &reservation));
    allot_reservation_free(reservation);
}

static void hostile_free_text_is_invalid_input_in_every_field(void **state) {
    fixture *f = *state;
    const uint64_t before = last_lsn(f);
    for (size_t i = 0; i < HOSTILE_TEXT_LEN; i++) {
        const char *text = HOSTILE_TEXT[i].text;
        const size_t len = HOSTILE_TEXT[i].len;
        allot_intake *intake = SENTINEL_PTR;
        allot_stock stock;
        memset(&stock, 0xab, sizeof stock);

        allot_order_form form = pipeline_form("shop", "T-1", "buyer-1", "13600001111");
        form.ship_to.recipient = text;
        form.ship_to.recipient_len = len;
        assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_intake(f->orders, &form, &intake));
        assert_message_contains("recipient");
        form = pipeline_form("shop", "T-1", "buyer-1", "13600001111");
        form.ship_to.detail = text;
        form.ship_to.detail_len = len;
        assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_intake(f->orders, &form, &intake));
        assert_message_contains("address detail");
        assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_adjust(f->warehouse, S("SOFA"), S("WH-SH"), 1, text, len, &stock));
        assert_message_contains("reason");
        assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_cancel(f->orders, S("shop:T-1"), text, len));
        assert_message_contains("note");
        assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_add_sku(f->admin, S("NEW-1"), text, len));
        assert_message_contains("category");
        assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_blacklist_add(f->admin, ALLOT_BLACKLIST_PHONE, text, len));
        assert_ptr_equal(SENTINEL_PTR, intake);
    }
    assert_int_equal(before, last_lsn(f));
    /* Real text keeps its ideographic spaces and emoji sequences; notes keep line breaks. */
    allot_intake *intake = NULL;
    allot_order_form form = pipeline_form("shop", "T-2", "buyer-1", "13600001111");
    form.ship_to.recipient = "林小雨 \xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9"; /* 👨‍👩 */
    form.ship_to.recipient_len = strlen(form.ship_to.recipient);
    form.ship_to.detail = "科技园\xe3\x80\x80南区"; /* U+3000 ideographic space */
    form.ship_to.detail_len = strlen(form.ship_to.detail);
    assert_ok(allot_client_intake(f->orders, &form, &intake));
    allot_intake_free(intake);
    allot_stock stock;
    assert_ok(allot_client_adjust(f->warehouse, S("SOFA"), S("WH-SH"), 1, S("stocktake\r\nfound one"), &stock));
}

static void hostile_payloads_are_invalid_input_naming_the_field_or_the_depth_limit(void **state) {
    fixture *f = *state;
    const uint64_t before = last_lsn(f);
    allot_intake *intake = SENTINEL_PTR;
    static const char ZWSP_TID[] =
        "{\"order_sn\": \"231120\xe2\x80\x8b" "1\", \"buyer_id\": 88812, \"pay_status\": 1,"
        " \"receiver_name\": \"陈晨\", \"receiver_phone\": \"13600001111\", \"province\": \"上海市\","
        " \"city\": \"上海市\", \"address\": \"漕溪北路88号\","
        " \"item_list\": [{\"outer_sku_id\": \"CUSHION-45\", \"goods_count\": 1, \"goods_price\": 1250}]}";
    assert_status(ALLOT_STATUS_INVALID_INPUT,
                  allot_client_intake_payload(f->orders, S("pdd"), S("pdd"), (const uint8_t *)ZWSP_TID,
                                              sizeof ZWSP_TID - 1, &intake));
    assert_message_contains("order_sn");
    assert_message_contains("U+200B");
    static const char ESC_NAME[] =
        "{\"order_sn\": \"231120-1\", \"buyer_id\": 88812, \"pay_status\": 1,"
        " \"receiver_name\": \"\\u001b[2J陈晨\", \"receiver_phone\": \"13600001111\", \"province\": \"上海市\","
        " \"city\": \"上海市\", \"address\": \"漕溪北路88号\","
        " \"item_list\": [{\"outer_sku_id\": \"CUSHION-45\", \"goods_count\": 1, \"goods_price\": 1250}]}";
    assert_status(ALLOT_STATUS_INVALID_INPUT,
                  allot_client_intake_payload(f->orders, S("pdd"), S("pdd"), (const uint8_t *)ESC_NAME,
                                              sizeof ESC_NAME - 1, &intake));
    assert_message_contains("receiver_name");
    assert_status(ALLOT_STATUS_INVALID_INPUT,
                  allot_client_intake_payload(f->orders, S("pdd"), S("p\xe2\x80\xae" "dd"),
                                              (const uint8_t *)PDD_PAYLOAD, strlen(PDD_PAYLOAD), &intake));
    assert_message_contains("channel_code");

    /* 100,000 nested arrays fit in ALLOT_PAYLOAD_BYTES_MAX; the parse must not recurse into them. */
    const size_t depth = 100000;
    uint8_t *deep = malloc(2 * depth);
    assert_non_null(deep);
    memset(deep, '[', depth);
    memset(deep + depth, ']', depth);
    assert_true(2 * depth <= ALLOT_PAYLOAD_BYTES_MAX);
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_intake_payload(f->orders, S("jd"), S("jd"), deep, 2 * depth, &intake));
    assert_message_contains("PAYLOAD_DEPTH_MAX");
    free(deep);
    assert_ptr_equal(SENTINEL_PTR, intake);
    assert_int_equal(before, last_lsn(f));
}

static void events_of_zero_say_at_least_one_is_needed(void **state) {
    fixture *f = *state;
    allot_events *events = SENTINEL_PTR;
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_events(f->viewer, 0, 0, &events));
    assert_message_contains("below the least allowed, 1");
    assert_ptr_equal(SENTINEL_PTR, events);
}

int run_hostile_text_tests(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(hostile_identifiers_are_invalid_input_everywhere_and_change_nothing,
                                        pipeline_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(hostile_free_text_is_invalid_input_in_every_field, pipeline_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(hostile_payloads_are_invalid_input_naming_the_field_or_the_depth_limit,
                                        pipeline_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(events_of_zero_say_at_least_one_is_needed, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests_name("hostile text", tests, NULL, NULL);
}
