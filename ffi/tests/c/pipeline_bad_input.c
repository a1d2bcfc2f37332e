/*
 * Proves that every function of the order pipeline, the rules file, tasks, the blacklist, the
 * catalogue listings, the reserve batch and the metrics answers bad input with a status and a
 * message, never with undefined behaviour: NULL handles and pointers, zero and huge lengths (a
 * huge length is refused before a byte is read), invalid UTF-8, enum values the enum lacks,
 * unknown keys, codes and ids, a role that may not make the call (checked before the input),
 * and use after close. Failing calls leave their out_ parameters untouched; the name functions
 * answer "unknown" for any number that is not in their enum.
 */
#include "support.h"

#include <stdlib.h>

static const char BAD_UTF8[] = "shop:\xff";
static const char ONE_BYTE[] = "x"; /* passed with a huge length: must not be read */

static char *filled(size_t len) {
    char *text = malloc(len + 1);
    assert_non_null(text);
    memset(text, 'A', len);
    text[len] = '\0';
    return text;
}

/* An order of the fixture in state RESERVED under key "shop:K". */
static void reserved_order(fixture *f) {
    allot_order_form form = pipeline_form("shop", "K", "buyer-k", "13800000091");
    assert_ok(allot_client_intake(f->orders, &form, NULL));
}

static void names_answer_unknown_for_other_numbers(void **state) {
    (void)state;
    assert_string_equal("released_to_warehouse", allot_order_state_name(ALLOT_ORDER_STATE_RELEASED_TO_WAREHOUSE));
    assert_string_equal("exception", allot_order_state_name(ALLOT_ORDER_STATE_EXCEPTION));
    assert_string_equal("manual_review", allot_path_name(ALLOT_PATH_MANUAL_REVIEW));
    assert_string_equal("blacklisted_address", allot_flag_name(ALLOT_FLAG_BLACKLISTED_ADDRESS));
    assert_string_equal("critical", allot_severity_name(ALLOT_SEVERITY_CRITICAL));
    assert_string_equal("refunded", allot_payment_name(ALLOT_PAYMENT_REFUNDED));
    assert_string_equal("in_transit", allot_tracking_kind_name(ALLOT_TRACKING_KIND_IN_TRANSIT));
    assert_string_equal("delivery", allot_stage_name(ALLOT_STAGE_DELIVERY));
    assert_string_equal("acknowledged", allot_task_state_name(ALLOT_TASK_STATE_ACKNOWLEDGED));
    assert_string_equal("delivered", allot_notification_name(ALLOT_NOTIFICATION_DELIVERED));
    assert_string_equal("address", allot_blacklist_name(ALLOT_BLACKLIST_ADDRESS));
    const uint32_t others[] = {13, 255, 1000, UINT32_MAX};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        assert_string_equal("unknown", allot_order_state_name(others[i]));
        assert_string_equal("unknown", allot_path_name(others[i]));
        assert_string_equal("unknown", allot_flag_name(others[i]));
        assert_string_equal("unknown", allot_severity_name(others[i]));
        assert_string_equal("unknown", allot_payment_name(others[i]));
        assert_string_equal("unknown", allot_tracking_kind_name(others[i]));
        assert_string_equal("unknown", allot_stage_name(others[i]));
        assert_string_equal("unknown", allot_task_state_name(others[i]));
        assert_string_equal("unknown", allot_notification_name(others[i]));
        assert_string_equal("unknown", allot_blacklist_name(others[i]));
    }
    assert_string_equal("unknown", allot_order_state_name(12));
    assert_string_equal("unknown", allot_path_name(4));
    assert_string_equal("unknown", allot_payment_name(3));
    /* A NULL string handle reads as "" of length 0; freeing NULL does nothing. */
    assert_string_equal("", allot_string_text(NULL));
    assert_int_equal(0, allot_string_len(NULL));
    allot_string_free(NULL);
}

static void intake_refuses_bad_forms_and_roles(void **state) {
    fixture *f = *state;
    allot_intake *intake = SENTINEL_PTR;
    allot_order_form form = pipeline_form("shop", "I-1", "buyer-i", "13800000092");
    allot_order_form bad;

    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_intake(NULL, &form, &intake));
    assert_message_contains("client is NULL");
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_intake(f->orders, NULL, &intake));
    assert_message_contains("form is NULL");
    bad = form;
    bad.channel = NULL;
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_intake(f->orders, &bad, &intake));
    bad = form;
    bad.channel_len = 0;
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_intake(f->orders, &bad, &intake));
    assert_message_contains("channel");
    bad = form;
    bad.channel = "a:b";
    bad.channel_len = 3;
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_intake(f->orders, &bad, &intake));
    assert_message_contains("':'");
    bad = form;
    bad.channel = ONE_BYTE;
    bad.channel_len = SIZE_MAX;
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_intake(f->orders, &bad, &intake));
    assert_message_contains("ORDER_ID_BYTES_MAX");
    bad = form;
    char *long_id = filled(40);
    bad.channel_order_id = long_id;
    bad.channel_order_id_len = 40;
    bad.channel = long_id;
    bad.channel_len = 40; /* 40 + 1 + 40 bytes of key */
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_intake(f->orders, &bad, &intake));
    free(long_id);
    bad = form;
    bad.channel_order_id = BAD_UTF8;
    bad.channel_order_id_len = strlen(BAD_UTF8);
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_intake(f->orders, &bad, &intake));
    assert_message_contains("not valid UTF-8");
    bad = form;
    bad.buyer_id = ONE_BYTE;
    bad.buyer_id_len = ALLOT_BUYER_ID_BYTES_MAX + 1;
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_intake(f->orders, &bad, &intake));
    assert_message_contains("BUYER_ID_BYTES_MAX");
    bad = form;
    bad.ship_to.detail = ONE_BYTE;
    bad.ship_to.detail_len = SIZE_MAX;
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_intake(f->orders, &bad, &intake));
    assert_message_contains("ADDRESS_FIELD_BYTES_MAX");
    bad = form;
    bad.ship_to.phone = NULL;
    bad.ship_to.phone_len = 11;
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_intake(f->orders, &bad, &intake));
    assert_message_contains("phone is NULL");
    bad = form;
    bad.ship_to.city = "\xe4\xb8";
    bad.ship_to.city_len = 2;
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_intake(f->orders, &bad, &intake));
    /* Lines: none, NULL, too many, huge, bad SKU, quantity 0, unknown SKU. */
    bad = form;
    bad.lines_len = 0;
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_intake(f->orders, &bad, &intake));
    assert_message_contains("no lines");
    bad = form;
    bad.lines = NULL;
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_intake(f->orders, &bad, &intake));
    bad = form;
    bad.lines_len = ALLOT_ORDER_LINES_MAX + 1;
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_intake(f->orders, &bad, &intake));
    assert_message_contains("ORDER_LINES_MAX");
    bad.lines_len = SIZE_MAX;
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_intake(f->orders, &bad, &intake));
    const allot_form_line lines[] = {{S("MUG-350"), 1, 100}, {S("MUG\xff"), 1, 100}};
    bad = form;
    bad.lines = lines;
    bad.lines_len = 2;
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_intake(f->orders, &bad, &intake));
    assert_message_contains("form line 1");
    const allot_form_line huge_sku = {ONE_BYTE, SIZE_MAX, 1, 100};
    bad.lines = &huge_sku;
    bad.lines_len = 1;
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_intake(f->orders, &bad, &intake));
    const allot_form_line zero = {S("MUG-350"), 0, 100};
    bad.lines = &zero;
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_intake(f->orders, &bad, &intake));
    const allot_form_line too_many = {S("MUG-350"), ALLOT_LINE_QTY_MAX + 1, 100};
    bad.lines = &too_many;
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_intake(f->orders, &bad, &intake));
    const allot_form_line unknown = {S("NO-SUCH-SKU"), 1, 100};
    bad.lines = &unknown;
    assert_status(ALLOT_STATUS_UNKNOWN_SKU, allot_client_intake(f->orders, &bad, &intake));
    /* Payment must be an allot_payment. */
    bad = form;
    bad.payment = 3;
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_intake(f->orders, &bad, &intake));
    assert_message_contains("allot_payment");
    bad.payment = UINT32_MAX;
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_intake(f->orders, &bad, &intake));
    /* Roles that may not take orders in learn that first, whatever they sent. */
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_intake(f->warehouse, &form, &intake));
    assert_message_contains("may not intake");
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_intake(f->logistics, NULL, &intake));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_intake(f->viewer, &bad, &intake));
    assert_ptr_equal(SENTINEL_PTR, intake);
    /* None of that took an order in. */
    allot_orders *orders = NULL;
    for (uint32_t s = 0; s < 12; s++) {
        assert_ok(allot_client_orders_in(f->viewer, s, &orders));
        assert_int_equal(0, allot_orders_count(orders));
        allot_orders_free(orders);
    }
    assert_ok(allot_client_intake(f->admin, &form, NULL));

    /* Intake handles. */
    allot_intake_info info, untouched;
    memset(&info, 0xab, sizeof info);
    memset(&untouched, 0xab, sizeof untouched);
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_intake_get_info(NULL, &info));
    assert_memory_equal(&untouched, &info, sizeof info);
    assert_ok(allot_client_intake(f->orders, &form, &intake));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_intake_get_info(intake, NULL));
    allot_intake_free(intake);
    allot_intake_free(NULL);
}

static void intake_payload_refuses_bad_styles_channels_and_payloads(void **state) {
    fixture *f = *state;
    allot_intake *intake = SENTINEL_PTR;
    const uint8_t *pdd = (const uint8_t *)PDD_PAYLOAD;
    size_t pdd_len = strlen(PDD_PAYLOAD);
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_intake_payload(NULL, S("pdd"), S("pdd"), pdd, pdd_len, &intake));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_intake_payload(f->orders, S("amazon"), S("pdd"), pdd, pdd_len, &intake));
    assert_message_contains("known styles");
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_intake_payload(f->orders, NULL, 0, S("pdd"), pdd, pdd_len, &intake));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_intake_payload(f->orders, NULL, 3, S("pdd"), pdd, pdd_len, &intake));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_intake_payload(f->orders, ONE_BYTE, SIZE_MAX, S("pdd"), pdd, pdd_len, &intake));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_intake_payload(f->orders, S("pd\xff"), S("pdd"), pdd, pdd_len, &intake));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_intake_payload(f->orders, S("pdd"), S("p:d"), pdd, pdd_len, &intake));
    assert_message_contains("':'");
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_intake_payload(f->orders, S("pdd"), NULL, 0, pdd, pdd_len, &intake));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_intake_payload(f->orders, S("pdd"), S("p d"), pdd, pdd_len, &intake));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_intake_payload(f->orders, S("pdd"), ONE_BYTE, SIZE_MAX, pdd, pdd_len, &intake));
    /* The payload: NULL, empty, huge, above the limit, not JSON, a field missing. */
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_intake_payload(f->orders, S("pdd"), S("pdd"), NULL, 10, &intake));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_intake_payload(f->orders, S("pdd"), S("pdd"), NULL, 0, &intake));
    assert_message_contains("not valid JSON");
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED,
                  allot_client_intake_payload(f->orders, S("pdd"), S("pdd"), (const uint8_t *)ONE_BYTE, SIZE_MAX, &intake));
    assert_message_contains("PAYLOAD_BYTES_MAX");
    char *big = filled(ALLOT_PAYLOAD_BYTES_MAX + 1);
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED,
                  allot_client_intake_payload(f->orders, S("pdd"), S("pdd"), (const uint8_t *)big, ALLOT_PAYLOAD_BYTES_MAX + 1, &intake));
    free(big);
    assert_status(ALLOT_STATUS_INVALID_INPUT,
                  allot_client_intake_payload(f->orders, S("pdd"), S("pdd"), (const uint8_t *)"{\"order_sn\": \xff}", 15, &intake));
    assert_status(ALLOT_STATUS_INVALID_INPUT,
                  allot_client_intake_payload(f->orders, S("taobao"), S("tb"), (const uint8_t *)"{\"tid\": 1}", 10, &intake));
    assert_message_contains("buyer_nick");
    assert_status(ALLOT_STATUS_INVALID_INPUT,
                  allot_client_intake_payload(f->orders, S("jd"), S("jd"), (const uint8_t *)"[1, 2]", 6, &intake));
    /* A role that may not take orders in, whatever it sent. */
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_intake_payload(f->viewer, S("pdd"), S("pdd"), pdd, pdd_len, &intake));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED,
                  allot_client_intake_payload(f->logistics, ONE_BYTE, SIZE_MAX, S("pdd"), NULL, 5, &intake));
    assert_ptr_equal(SENTINEL_PTR, intake);
    assert_ok(allot_client_intake_payload(f->orders, S("pdd"), S("pdd"), pdd, pdd_len, NULL));
}

static void order_reads_refuse_null_bad_keys_and_states(void **state) {
    fixture *f = *state;
    reserved_order(f);
    allot_order *order = SENTINEL_PTR;
    char *long_key = filled(ALLOT_ORDER_ID_BYTES_MAX + 1);
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_order(NULL, S("shop:K"), &order));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_order(f->viewer, S("shop:K"), NULL));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_order(f->viewer, NULL, 6, &order));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_order(f->viewer, NULL, 0, &order));
    assert_message_contains("empty");
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_order(f->viewer, S(BAD_UTF8), &order));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_order(f->viewer, S("shop:\n"), &order));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_order(f->viewer, long_key, ALLOT_ORDER_ID_BYTES_MAX + 1, &order));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_order(f->viewer, ONE_BYTE, SIZE_MAX, &order));
    assert_status(ALLOT_STATUS_UNKNOWN_ORDER, allot_client_order(f->viewer, S("shop:k"), &order));
    assert_message_contains("shop:k");
    assert_ptr_equal(SENTINEL_PTR, order);
    free(long_key);
    /* Every role may read orders. */
    assert_ok(allot_client_order(f->logistics, S("shop:K"), &order));
    allot_order_info info, untouched;
    memset(&info, 0xab, sizeof info);
    memset(&untouched, 0xab, sizeof untouched);
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_order_get_info(NULL, &info));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_order_get_info(order, NULL));
    assert_memory_equal(&untouched, &info, sizeof info);
    allot_order_free(order);
    allot_order_free(NULL);

    allot_orders *orders = SENTINEL_PTR;
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_orders_in(NULL, ALLOT_ORDER_STATE_RESERVED, &orders));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_orders_in(f->viewer, ALLOT_ORDER_STATE_RESERVED, NULL));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_orders_in(f->viewer, 12, &orders));
    assert_message_contains("allot_order_state");
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_orders_in(f->viewer, UINT32_MAX, &orders));
    assert_ptr_equal(SENTINEL_PTR, orders);
    assert_ok(allot_client_orders_in(f->viewer, ALLOT_ORDER_STATE_RESERVED, &orders));
    assert_int_equal(1, allot_orders_count(orders));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_orders_get(orders, 1, &info));
    assert_message_contains("out of range");
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_orders_get(orders, SIZE_MAX, &info));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_orders_get(orders, 0, NULL));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_orders_get(NULL, 0, &info));
    assert_memory_equal(&untouched, &info, sizeof info);
    assert_int_equal(0, allot_orders_count(NULL));
    allot_orders_free(orders);
    allot_orders_free(NULL);
}

static void acting_as_refuses_bad_actors(void **state) {
    fixture *f = *state;
    allot_client *client = SENTINEL_PTR;
    char *long_name = filled(ALLOT_CODE_BYTES_MAX + 1);
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_acting_as(NULL, S("alice"), &client));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_acting_as(f->orders, S("alice"), NULL));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_acting_as(f->orders, NULL, 0, &client));
    assert_message_contains("actor is empty");
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_acting_as(f->orders, NULL, 5, &client));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_acting_as(f->orders, S("al\x01ice"), &client));
    assert_message_contains("control");
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_acting_as(f->orders, S("al\xffice"), &client));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_acting_as(f->orders, long_name, ALLOT_CODE_BYTES_MAX + 1, &client));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_acting_as(f->orders, ONE_BYTE, SIZE_MAX, &client));
    assert_ptr_equal(SENTINEL_PTR, client);
    /* The longest name and any UTF-8 are fine; the new client keeps the role. */
    assert_ok(allot_client_acting_as(f->viewer, long_name, ALLOT_CODE_BYTES_MAX, &client));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_start_review(client, S("shop:K")));
    allot_client_free(client);
    assert_ok(allot_client_acting_as(f->orders, S("王小明"), &client));
    allot_client_free(client);
    free(long_name);
}

typedef allot_status (*keyed_move)(const allot_client *, const char *, size_t);
typedef allot_status (*noted_move)(const allot_client *, const char *, size_t, const char *, size_t);

/* What every move refuses alike: `allowed` may make it, `denied` may not. */
static void expect_key_refusals(keyed_move move, const allot_client *allowed, const allot_client *denied) {
    char *long_key = filled(ALLOT_ORDER_ID_BYTES_MAX + 1);
    assert_status(ALLOT_STATUS_INVALID_INPUT, move(NULL, S("shop:K")));
    assert_status(ALLOT_STATUS_INVALID_INPUT, move(allowed, NULL, 6));
    assert_status(ALLOT_STATUS_INVALID_INPUT, move(allowed, NULL, 0));
    assert_status(ALLOT_STATUS_INVALID_INPUT, move(allowed, S(BAD_UTF8)));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, move(allowed, long_key, ALLOT_ORDER_ID_BYTES_MAX + 1));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, move(allowed, ONE_BYTE, SIZE_MAX));
    assert_status(ALLOT_STATUS_UNKNOWN_ORDER, move(allowed, S("shop:nope")));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, move(denied, S("shop:K")));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, move(denied, ONE_BYTE, SIZE_MAX));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, move(denied, NULL, 3));
    free(long_key);
}

static void expect_note_refusals(noted_move move, const allot_client *allowed, const allot_client *denied) {
    char *long_note = filled(ALLOT_REASON_BYTES_MAX + 1);
    assert_status(ALLOT_STATUS_INVALID_INPUT, move(NULL, S("shop:K"), S("n")));
    assert_status(ALLOT_STATUS_INVALID_INPUT, move(allowed, NULL, 6, S("n")));
    assert_status(ALLOT_STATUS_INVALID_INPUT, move(allowed, NULL, 0, S("n")));
    assert_status(ALLOT_STATUS_INVALID_INPUT, move(allowed, S(BAD_UTF8), S("n")));
    assert_status(ALLOT_STATUS_INVALID_INPUT, move(allowed, S("shop:K"), NULL, 4));
    assert_status(ALLOT_STATUS_INVALID_INPUT, move(allowed, S("shop:K"), S("n\xff")));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, move(allowed, S("shop:K"), long_note, ALLOT_REASON_BYTES_MAX + 1));
    assert_message_contains("REASON_BYTES_MAX");
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, move(allowed, S("shop:K"), ONE_BYTE, SIZE_MAX));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, move(allowed, ONE_BYTE, SIZE_MAX, S("n")));
    assert_status(ALLOT_STATUS_UNKNOWN_ORDER, move(allowed, S("shop:nope"), NULL, 0));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, move(denied, S("shop:K"), S("n")));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, move(denied, S("shop:K"), ONE_BYTE, SIZE_MAX));
    free(long_note);
}

static void moves_refuse_bad_keys_notes_and_roles(void **state) {
    fixture *f = *state;
    reserved_order(f);
    expect_key_refusals(allot_client_start_review, f->orders, f->warehouse);
    expect_key_refusals(allot_client_approve, f->orders, f->logistics);
    expect_key_refusals(allot_client_release_to_warehouse, f->warehouse, f->orders);
    expect_note_refusals(allot_client_reject, f->orders, f->viewer);
    expect_note_refusals(allot_client_hold, f->orders, f->warehouse);
    expect_note_refusals(allot_client_cancel, f->orders, f->logistics);
    expect_note_refusals(allot_client_request_return, f->orders, f->logistics);
    expect_note_refusals(allot_client_deny_return, f->warehouse, f->viewer);
    /* Nothing moved it. */
    assert_int_equal(ALLOT_ORDER_STATE_RESERVED, order_state_of(f->viewer, "shop:K"));

    /* Ship: the waybill too. */
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_ship(NULL, S("shop:K"), S("SF"), S("SF1234567890123")));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_ship(f->logistics, S(BAD_UTF8), S("SF"), S("SF1234567890123")));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_ship(f->logistics, S("shop:K"), NULL, 2, S("SF1234567890123")));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_ship(f->logistics, S("shop:K"), ONE_BYTE, SIZE_MAX, S("SF1")));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_ship(f->logistics, S("shop:K"), S("SF"), ONE_BYTE, SIZE_MAX));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_ship(f->logistics, S("shop:K"), S("SF"), S("\xff")));
    assert_status(ALLOT_STATUS_UNKNOWN_ORDER, allot_client_ship(f->logistics, S("shop:nope"), S("SF"), S("SF1234567890123")));
    assert_ok(allot_client_release_to_warehouse(f->warehouse, S("shop:K")));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_ship(f->logistics, S("shop:K"), S("SF"), S("1234")));
    assert_message_contains("SF Express");
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_ship(f->logistics, S("shop:K"), S("S F"), S("SF1234567890123")));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_ship(f->logistics, S("shop:K"), NULL, 0, S("SF1234567890123")));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_ship(f->orders, S("shop:K"), S("SF"), S("SF1234567890123")));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_ship(f->viewer, ONE_BYTE, SIZE_MAX, S("SF"), NULL, 9));
    assert_int_equal(ALLOT_ORDER_STATE_RELEASED_TO_WAREHOUSE, order_state_of(f->viewer, "shop:K"));
    assert_int_equal(1, stock_of(f->viewer, "MUG-350").reserved); /* nothing committed */
    assert_ok(allot_client_ship(f->logistics, S("shop:K"), S("SF"), S("SF1234567890123")));

    /* Track: the kind must be an allot_tracking_kind; the key out is left alone on failure. */
    allot_string *key = SENTINEL_PTR;
    char *long_detail = filled(ALLOT_REASON_BYTES_MAX + 1);
    assert_status(ALLOT_STATUS_INVALID_INPUT,
                  allot_client_track(NULL, S("SF"), S("SF1234567890123"), ALLOT_TRACKING_KIND_PICKED_UP, NULL, 0, &key));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_track(f->logistics, S("SF"), S("SF1234567890123"), 4, NULL, 0, &key));
    assert_message_contains("allot_tracking_kind");
    assert_status(ALLOT_STATUS_INVALID_INPUT,
                  allot_client_track(f->logistics, S("SF"), S("SF1234567890123"), UINT32_MAX, NULL, 0, &key));
    assert_status(ALLOT_STATUS_INVALID_INPUT,
                  allot_client_track(f->logistics, S("SF"), S("SF1234567890123"), ALLOT_TRACKING_KIND_PICKED_UP, S("\xff"), &key));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED,
                  allot_client_track(f->logistics, S("SF"), S("SF1234567890123"), ALLOT_TRACKING_KIND_PICKED_UP, long_detail,
                                     ALLOT_REASON_BYTES_MAX + 1, &key));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED,
                  allot_client_track(f->logistics, S("SF"), ONE_BYTE, SIZE_MAX, ALLOT_TRACKING_KIND_PICKED_UP, NULL, 0, &key));
    assert_status(ALLOT_STATUS_INVALID_INPUT,
                  allot_client_track(f->logistics, S("SF"), S("12"), ALLOT_TRACKING_KIND_PICKED_UP, NULL, 0, &key));
    assert_status(ALLOT_STATUS_UNKNOWN_ORDER,
                  allot_client_track(f->logistics, S("SF"), S("SF1111111111111"), ALLOT_TRACKING_KIND_PICKED_UP, NULL, 0, &key));
    assert_message_contains("waybill");
    assert_status(ALLOT_STATUS_PERMISSION_DENIED,
                  allot_client_track(f->warehouse, S("SF"), S("SF1234567890123"), ALLOT_TRACKING_KIND_PICKED_UP, NULL, 0, &key));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_track(f->orders, S("SF"), S("SF1234567890123"), 99, NULL, 7, &key));
    assert_ptr_equal(SENTINEL_PTR, key);
    free(long_detail);
    assert_int_equal(ALLOT_ORDER_STATE_SHIPPED, order_state_of(f->viewer, "shop:K"));
    assert_ok(allot_client_track(f->admin, S("SF"), S("SF1234567890123"), ALLOT_TRACKING_KIND_DELIVERED, NULL, 0, NULL));

    /* Complete a return: the warehouse code too. */
    assert_ok(allot_client_request_return(f->orders, S("shop:K"), NULL, 0));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_complete_return(NULL, S("shop:K"), S("WH-SH")));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_complete_return(f->warehouse, S("shop:K"), S("WH\xff")));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_complete_return(f->warehouse, S("shop:K"), ONE_BYTE, SIZE_MAX));
    assert_status(ALLOT_STATUS_UNKNOWN_WAREHOUSE, allot_client_complete_return(f->warehouse, S("shop:K"), S("WH-X")));
    assert_status(ALLOT_STATUS_UNKNOWN_WAREHOUSE, allot_client_complete_return(f->warehouse, S("shop:K"), NULL, 0));
    assert_status(ALLOT_STATUS_UNKNOWN_ORDER, allot_client_complete_return(f->warehouse, S("shop:nope"), S("WH-SH")));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_complete_return(f->logistics, S("shop:K"), S("WH-SH")));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_complete_return(f->viewer, S("shop:K"), ONE_BYTE, SIZE_MAX));
    assert_int_equal(ALLOT_ORDER_STATE_RETURN_REQUESTED, order_state_of(f->viewer, "shop:K"));
}

static void tasks_refuse_null_unknown_ids_and_viewers(void **state) {
    fixture *f = *state;
    allot_tasks *tasks = SENTINEL_PTR;
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_tasks(NULL, &tasks));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_tasks(f->viewer, NULL));
    assert_ptr_equal(SENTINEL_PTR, tasks);
    assert_ok(allot_client_tasks(f->viewer, &tasks));
    assert_int_equal(0, allot_tasks_count(tasks));
    allot_task task, untouched;
    memset(&task, 0xab, sizeof task);
    memset(&untouched, 0xab, sizeof untouched);
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_tasks_get(tasks, 0, &task));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_tasks_get(NULL, 0, &task));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_tasks_get(tasks, 0, NULL));
    assert_memory_equal(&untouched, &task, sizeof task);
    assert_int_equal(0, allot_tasks_count(NULL));
    allot_tasks_free(tasks);
    allot_tasks_free(NULL);

    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_acknowledge_task(NULL, 1));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_close_task(NULL, 1));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_acknowledge_task(f->orders, 0));
    assert_message_contains("unknown task");
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_close_task(f->orders, UINT64_MAX));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_acknowledge_task(f->viewer, 1));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_close_task(f->viewer, UINT64_MAX));
}

static void blacklist_refuses_bad_lists_values_and_roles(void **state) {
    fixture *f = *state;
    char *long_value = filled(ALLOT_ADDRESS_FIELD_BYTES_MAX + 1);
    allot_status (*const change[2])(const allot_client *, allot_blacklist, const char *, size_t) = {
        allot_client_blacklist_add, allot_client_blacklist_remove};
    for (int i = 0; i < 2; i++) {
        assert_status(ALLOT_STATUS_INVALID_INPUT, change[i](NULL, ALLOT_BLACKLIST_BUYER, S("b")));
        assert_status(ALLOT_STATUS_INVALID_INPUT, change[i](f->admin, 3, S("b")));
        assert_message_contains("allot_blacklist");
        assert_status(ALLOT_STATUS_INVALID_INPUT, change[i](f->admin, UINT32_MAX, S("b")));
        assert_status(ALLOT_STATUS_INVALID_INPUT, change[i](f->admin, ALLOT_BLACKLIST_PHONE, NULL, 0));
        assert_message_contains("empty");
        assert_status(ALLOT_STATUS_INVALID_INPUT, change[i](f->admin, ALLOT_BLACKLIST_PHONE, NULL, 4));
        assert_status(ALLOT_STATUS_INVALID_INPUT, change[i](f->admin, ALLOT_BLACKLIST_PHONE, S("1\xff")));
        assert_status(ALLOT_STATUS_INVALID_INPUT, change[i](f->admin, ALLOT_BLACKLIST_BUYER, S("a\tb")));
        assert_status(ALLOT_STATUS_LIMIT_EXCEEDED,
                      change[i](f->admin, ALLOT_BLACKLIST_ADDRESS, long_value, ALLOT_ADDRESS_FIELD_BYTES_MAX + 1));
        assert_message_contains("ADDRESS_FIELD_BYTES_MAX");
        assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, change[i](f->admin, ALLOT_BLACKLIST_ADDRESS, ONE_BYTE, SIZE_MAX));
        assert_status(ALLOT_STATUS_PERMISSION_DENIED, change[i](f->orders, ALLOT_BLACKLIST_BUYER, S("b")));
        assert_message_contains("may not manage_blacklist");
        assert_status(ALLOT_STATUS_PERMISSION_DENIED, change[i](f->viewer, 9, ONE_BYTE, SIZE_MAX));
    }
    assert_ok(allot_client_blacklist_add(f->admin, ALLOT_BLACKLIST_ADDRESS, long_value, ALLOT_ADDRESS_FIELD_BYTES_MAX));
    free(long_value);
}

static void rules_calls_refuse_bad_text_roles_and_handles(void **state) {
    fixture *f = *state;
    reserved_order(f);
    char *too_big = filled(ALLOT_RULES_BYTES_MAX + 1);
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_set_rules(NULL, S("")));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_set_rules(f->admin, NULL, 5));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_set_rules(f->admin, S("default_path = \"\xff\"")));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_set_rules(f->admin, too_big, ALLOT_RULES_BYTES_MAX + 1));
    assert_message_contains("RULES_BYTES_MAX");
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_set_rules(f->admin, ONE_BYTE, SIZE_MAX));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_set_rules(f->orders, S("")));
    assert_message_contains("may not manage_rules");
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_set_rules(f->viewer, ONE_BYTE, SIZE_MAX));
    /* A file of the largest size is parsed (and here refused for what is in it). */
    assert_status(ALLOT_STATUS_INVALID_RULES, allot_client_set_rules(f->admin, too_big, ALLOT_RULES_BYTES_MAX));
    free(too_big);

    allot_string *text = SENTINEL_PTR;
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_rules_text(NULL, &text));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_rules_text(f->viewer, NULL));
    assert_ptr_equal(SENTINEL_PTR, text);

    allot_explanation *explanation = SENTINEL_PTR;
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_explain(NULL, S("shop:K"), &explanation));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_explain(f->viewer, S("shop:K"), NULL));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_explain(f->viewer, NULL, 0, &explanation));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_explain(f->viewer, S(BAD_UTF8), &explanation));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_explain(f->viewer, ONE_BYTE, SIZE_MAX, &explanation));
    assert_status(ALLOT_STATUS_UNKNOWN_ORDER, allot_client_explain(f->viewer, S("shop:nope"), &explanation));
    assert_ptr_equal(SENTINEL_PTR, explanation);
    allot_explanation_info why, untouched_why;
    memset(&why, 0xab, sizeof why);
    memset(&untouched_why, 0xab, sizeof untouched_why);
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_explanation_get_info(NULL, &why));
    assert_ok(allot_client_explain(f->viewer, S("shop:K"), &explanation));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_explanation_get_info(explanation, NULL));
    assert_memory_equal(&untouched_why, &why, sizeof why);
    assert_ok(allot_explanation_get_info(explanation, &why));
    assert_int_equal(0, why.rules_len); /* the defaults have no rules */
    assert_null(why.rules);
    assert_non_null(strstr(why.reason, "no rules"));
    allot_explanation_free(explanation);
    allot_explanation_free(NULL);

    allot_dry_run *dry = SENTINEL_PTR;
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_dry_run_rules(NULL, S(""), &dry));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_dry_run_rules(f->admin, S(""), NULL));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_dry_run_rules(f->admin, NULL, 3, &dry));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_dry_run_rules(f->admin, S("\xff"), &dry));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_dry_run_rules(f->admin, ONE_BYTE, SIZE_MAX, &dry));
    assert_status(ALLOT_STATUS_INVALID_RULES, allot_client_dry_run_rules(f->admin, S("x = 1"), &dry));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_dry_run_rules(f->orders, S(""), &dry));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_dry_run_rules(f->warehouse, S(""), NULL));
    assert_ptr_equal(SENTINEL_PTR, dry);
    allot_dry_run_info run, untouched_run;
    memset(&run, 0xab, sizeof run);
    memset(&untouched_run, 0xab, sizeof untouched_run);
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_dry_run_get_info(NULL, &run));
    assert_ok(allot_client_dry_run_rules(f->admin, NULL, 0, &dry));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_dry_run_get_info(dry, NULL));
    assert_memory_equal(&untouched_run, &run, sizeof run);
    assert_ok(allot_dry_run_get_info(dry, &run));
    assert_int_equal(1, run.orders);
    assert_int_equal(0, run.changed);
    assert_null(run.examples);
    allot_dry_run_free(dry);
    allot_dry_run_free(NULL);

    /* The rule errors handle. */
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_last_rule_errors(NULL));
    allot_rule_errors *errors = NULL;
    assert_ok(allot_last_rule_errors(&errors)); /* the last failure was not about rules */
    assert_int_equal(0, allot_rule_errors_count(errors));
    allot_rule_error error, untouched_error;
    memset(&error, 0xab, sizeof error);
    memset(&untouched_error, 0xab, sizeof untouched_error);
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_rule_errors_get(errors, 0, &error));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_rule_errors_get(NULL, 0, &error));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_rule_errors_get(errors, 0, NULL));
    assert_memory_equal(&untouched_error, &error, sizeof error);
    assert_int_equal(0, allot_rule_errors_count(NULL));
    allot_rule_errors_free(errors);
    allot_rule_errors_free(NULL);
}

static void engine_rules_calls_refuse_bad_paths_and_names(void **state) {
    fixture *f = *state;
    char *dir = temp_dir();
    char path[4096];
    snprintf(path, sizeof path, "%s/rules.toml", dir);
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    assert_int_equal(0, fclose(file));
    char *long_name = filled(ALLOT_CODE_BYTES_MAX + 1);

    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_reload_rules(NULL, path, strlen(path), S("me")));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_reload_rules(f->engine, NULL, 0, S("me")));
    assert_message_contains("path is empty");
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_reload_rules(f->engine, NULL, 9, S("me")));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_reload_rules(f->engine, S("/tmp/a\0b"), S("me")));
    assert_message_contains("NUL");
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_reload_rules(f->engine, S("/tmp/\xff"), S("me")));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_engine_reload_rules(f->engine, ONE_BYTE, SIZE_MAX, S("me")));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_reload_rules(f->engine, path, strlen(path), NULL, 0));
    assert_message_contains("by is empty");
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_reload_rules(f->engine, path, strlen(path), S("m\ne")));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED,
                  allot_engine_reload_rules(f->engine, path, strlen(path), long_name, ALLOT_CODE_BYTES_MAX + 1));
    assert_status(ALLOT_STATUS_IO, allot_engine_reload_rules(f->engine, S("/nonexistent/rules.toml"), S("me")));
    assert_status(ALLOT_STATUS_IO, allot_engine_reload_rules(f->engine, dir, strlen(dir), S("me"))); /* a directory */
    assert_ok(allot_engine_reload_rules(f->engine, path, strlen(path), S("me"))); /* empty: the defaults */

    allot_rules_watch *watch = SENTINEL_PTR;
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_watch_rules(NULL, path, strlen(path), S("me"), &watch));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_watch_rules(f->engine, path, strlen(path), S("me"), NULL));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_watch_rules(f->engine, NULL, 0, S("me"), &watch));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_watch_rules(f->engine, path, strlen(path), NULL, 0, &watch));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_engine_watch_rules(f->engine, ONE_BYTE, SIZE_MAX, S("me"), &watch));
    assert_status(ALLOT_STATUS_IO, allot_engine_watch_rules(f->engine, S("/nonexistent/dir/rules.toml"), S("me"), &watch));
    assert_ptr_equal(SENTINEL_PTR, watch);
    allot_rules_watch_free(NULL);

    allot_string *error = SENTINEL_PTR;
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_rules_reload_error(NULL, &error));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_rules_reload_error(f->engine, NULL));
    assert_ptr_equal(SENTINEL_PTR, error);

    size_t fired = 7;
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_run_timers(NULL, &fired));
    assert_int_equal(7, fired);
    assert_ok(allot_engine_run_timers(f->engine, NULL));
    allot_metrics metrics, untouched;
    memset(&metrics, 0xab, sizeof metrics);
    memset(&untouched, 0xab, sizeof untouched);
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_metrics(NULL, &metrics));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_metrics(f->engine, NULL));
    assert_memory_equal(&untouched, &metrics, sizeof metrics);
    allot_string *text = SENTINEL_PTR;
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_metrics_prometheus(NULL, &text));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_metrics_prometheus(f->engine, NULL));
    assert_ptr_equal(SENTINEL_PTR, text);
    free(long_name);
    remove_dir(dir);
}

static void catalogue_lists_refuse_null_and_out_of_range(void **state) {
    fixture *f = *state;
    allot_warehouses *warehouses = SENTINEL_PTR;
    allot_skus *skus = SENTINEL_PTR;
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_warehouses(NULL, &warehouses));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_warehouses(f->viewer, NULL));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_skus(NULL, &skus));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_skus(f->viewer, NULL));
    assert_ptr_equal(SENTINEL_PTR, warehouses);
    assert_ptr_equal(SENTINEL_PTR, skus);
    assert_ok(allot_client_warehouses(f->viewer, &warehouses));
    assert_ok(allot_client_skus(f->viewer, &skus));
    allot_warehouse_info wh, untouched_wh;
    allot_sku_info sku, untouched_sku;
    memset(&wh, 0xab, sizeof wh);
    memset(&untouched_wh, 0xab, sizeof untouched_wh);
    memset(&sku, 0xab, sizeof sku);
    memset(&untouched_sku, 0xab, sizeof untouched_sku);
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_warehouses_get(warehouses, 3, &wh));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_warehouses_get(NULL, 0, &wh));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_warehouses_get(warehouses, 0, NULL));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_skus_get(skus, 7, &sku));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_skus_get(skus, SIZE_MAX, &sku));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_skus_get(NULL, 0, &sku));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_skus_get(skus, 0, NULL));
    assert_memory_equal(&untouched_wh, &wh, sizeof wh);
    assert_memory_equal(&untouched_sku, &sku, sizeof sku);
    assert_int_equal(0, allot_warehouses_count(NULL));
    assert_int_equal(0, allot_skus_count(NULL));
    allot_warehouses_free(warehouses);
    allot_skus_free(skus);
    allot_warehouses_free(NULL);
    allot_skus_free(NULL);
}

static void reserve_many_refuses_bad_batches_and_answers_bad_orders(void **state) {
    fixture *f = *state;
    const allot_order_line one[] = {{S("SOFA"), 1}};
    const allot_order_request good = {S("G-1"), one, 1, NULL};
    allot_status statuses[3] = {77, 77, 77};
    allot_reservation *held[3] = {SENTINEL_PTR, SENTINEL_PTR, SENTINEL_PTR};
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_reserve_many(NULL, &good, 1, statuses, held));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_reserve_many(f->orders, NULL, 1, statuses, held));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_reserve_many(f->orders, &good, 1, NULL, held));
    assert_message_contains("out_statuses");
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_reserve_many(f->orders, &good, ALLOT_RESERVE_BATCH_MAX + 1, statuses, held));
    assert_message_contains("ALLOT_RESERVE_BATCH_MAX");
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_reserve_many(f->orders, &good, SIZE_MAX, statuses, held));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_reserve_many(f->warehouse, &good, 1, statuses, held));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_reserve_many(f->viewer, NULL, 5, NULL, NULL));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_reserve_many(f->logistics, &good, SIZE_MAX, statuses, NULL));
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(77, statuses[i]);
        assert_ptr_equal(SENTINEL_PTR, held[i]);
    }
    /* Bad orders get their own status; the batch still runs. */
    char *long_id = filled(ALLOT_ORDER_ID_BYTES_MAX + 1);
    const allot_order_request bad[] = {
        {NULL, 3, one, 1, NULL},
        {long_id, ALLOT_ORDER_ID_BYTES_MAX + 1, one, 1, NULL},
        {S("G-2"), one, SIZE_MAX, NULL},
    };
    assert_ok(allot_client_reserve_many(f->orders, bad, 3, statuses, held));
    assert_int_equal(ALLOT_STATUS_INVALID_INPUT, statuses[0]);
    assert_int_equal(ALLOT_STATUS_LIMIT_EXCEEDED, statuses[1]);
    assert_int_equal(ALLOT_STATUS_LIMIT_EXCEEDED, statuses[2]);
    for (size_t i = 0; i < 3; i++) {
        assert_null(held[i]);
    }
    allot_reserve_options bad_options = {NULL, 4, 0, false};
    const allot_order_request bad_option = {S("G-3"), one, 1, &bad_options};
    assert_ok(allot_client_reserve_many(f->orders, &bad_option, 1, statuses, NULL));
    assert_int_equal(ALLOT_STATUS_INVALID_INPUT, statuses[0]);
    assert_int_equal(0, stock_of(f->viewer, "SOFA").reserved);
    free(long_id);
}

static void every_pipeline_call_after_close_is_closed(void **state) {
    fixture *f = *state;
    reserved_order(f);
    allot_order *before = NULL;
    allot_tasks *tasks = NULL;
    allot_string *rules = NULL;
    assert_ok(allot_client_order(f->viewer, S("shop:K"), &before));
    assert_ok(allot_client_tasks(f->viewer, &tasks));
    assert_ok(allot_client_rules_text(f->viewer, &rules));

    assert_ok(allot_engine_close(f->engine));

    allot_order_form form = pipeline_form("shop", "C-1", "buyer-c", "13800000099");
    allot_intake *intake = SENTINEL_PTR;
    allot_order *order = SENTINEL_PTR;
    allot_orders *orders = SENTINEL_PTR;
    allot_client *client = SENTINEL_PTR;
    allot_string *text = SENTINEL_PTR;
    allot_explanation *explanation = SENTINEL_PTR;
    allot_dry_run *dry = SENTINEL_PTR;
    allot_rules_watch *watch = SENTINEL_PTR;
    allot_warehouses *warehouses = SENTINEL_PTR;
    allot_skus *skus = SENTINEL_PTR;
    allot_tasks *late_tasks = SENTINEL_PTR;
    allot_metrics metrics, untouched;
    memset(&metrics, 0xab, sizeof metrics);
    memset(&untouched, 0xab, sizeof untouched);
    size_t fired = 7;
    allot_status statuses[1] = {77};
    const allot_order_line one[] = {{S("SOFA"), 1}};
    const allot_order_request request = {S("G-1"), one, 1, NULL};

    assert_status(ALLOT_STATUS_CLOSED, allot_client_intake(f->orders, &form, &intake));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_intake_payload(f->orders, S("pdd"), S("pdd"),
                                                                   (const uint8_t *)PDD_PAYLOAD, strlen(PDD_PAYLOAD), &intake));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_order(f->viewer, S("shop:K"), &order));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_orders_in(f->viewer, ALLOT_ORDER_STATE_RESERVED, &orders));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_acting_as(f->orders, S("alice"), &client));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_start_review(f->orders, S("shop:K")));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_approve(f->orders, S("shop:K")));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_reject(f->orders, S("shop:K"), S("n")));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_hold(f->orders, S("shop:K"), S("n")));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_release_to_warehouse(f->warehouse, S("shop:K")));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_ship(f->logistics, S("shop:K"), S("SF"), S("SF1234567890123")));
    assert_status(ALLOT_STATUS_CLOSED,
                  allot_client_track(f->logistics, S("SF"), S("SF1234567890123"), ALLOT_TRACKING_KIND_PICKED_UP, NULL, 0, &text));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_cancel(f->orders, S("shop:K"), S("n")));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_request_return(f->orders, S("shop:K"), S("n")));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_complete_return(f->warehouse, S("shop:K"), S("WH-SH")));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_deny_return(f->orders, S("shop:K"), S("n")));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_tasks(f->viewer, &late_tasks));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_acknowledge_task(f->orders, 1));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_close_task(f->orders, 1));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_blacklist_add(f->admin, ALLOT_BLACKLIST_BUYER, S("b")));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_blacklist_remove(f->admin, ALLOT_BLACKLIST_BUYER, S("b")));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_set_rules(f->admin, S("")));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_rules_text(f->viewer, &text));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_explain(f->viewer, S("shop:K"), &explanation));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_dry_run_rules(f->admin, S(""), &dry));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_warehouses(f->viewer, &warehouses));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_skus(f->viewer, &skus));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_reserve_many(f->orders, &request, 1, statuses, NULL));
    assert_status(ALLOT_STATUS_CLOSED, allot_engine_run_timers(f->engine, &fired));
    assert_status(ALLOT_STATUS_CLOSED, allot_engine_reload_rules(f->engine, S("/tmp/rules.toml"), S("me")));
    assert_status(ALLOT_STATUS_CLOSED, allot_engine_watch_rules(f->engine, S("/tmp/rules.toml"), S("me"), &watch));
    assert_status(ALLOT_STATUS_CLOSED, allot_engine_rules_reload_error(f->engine, &text));
    assert_status(ALLOT_STATUS_CLOSED, allot_engine_metrics(f->engine, &metrics));
    assert_status(ALLOT_STATUS_CLOSED, allot_engine_metrics_prometheus(f->engine, &text));
    /* Closed first, even for a role that may not make the call. */
    assert_status(ALLOT_STATUS_CLOSED, allot_client_blacklist_add(f->viewer, ALLOT_BLACKLIST_BUYER, S("b")));
    assert_ptr_equal(SENTINEL_PTR, intake);
    assert_ptr_equal(SENTINEL_PTR, order);
    assert_ptr_equal(SENTINEL_PTR, orders);
    assert_ptr_equal(SENTINEL_PTR, client);
    assert_ptr_equal(SENTINEL_PTR, text);
    assert_ptr_equal(SENTINEL_PTR, explanation);
    assert_ptr_equal(SENTINEL_PTR, dry);
    assert_ptr_equal(SENTINEL_PTR, watch);
    assert_ptr_equal(SENTINEL_PTR, warehouses);
    assert_ptr_equal(SENTINEL_PTR, skus);
    assert_ptr_equal(SENTINEL_PTR, late_tasks);
    assert_memory_equal(&untouched, &metrics, sizeof metrics);
    assert_int_equal(7, fired);
    assert_int_equal(77, statuses[0]);

    /* What was read before the close is still the caller's. */
    allot_order_info info = order_info_of(before);
    assert_text("shop:K", info.key, info.key_len);
    assert_int_equal(ALLOT_ORDER_STATE_RESERVED, info.state);
    assert_text("", allot_string_text(rules), allot_string_len(rules));
    assert_int_equal(0, allot_tasks_count(tasks));
    allot_order_free(before);
    allot_tasks_free(tasks);
    allot_string_free(rules);
}

int run_pipeline_bad_input_tests(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_answer_unknown_for_other_numbers),
        cmocka_unit_test_setup_teardown(intake_refuses_bad_forms_and_roles, pipeline_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(intake_payload_refuses_bad_styles_channels_and_payloads, pipeline_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(order_reads_refuse_null_bad_keys_and_states, pipeline_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(acting_as_refuses_bad_actors, pipeline_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(moves_refuse_bad_keys_notes_and_roles, pipeline_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(tasks_refuse_null_unknown_ids_and_viewers, pipeline_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(blacklist_refuses_bad_lists_values_and_roles, pipeline_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(rules_calls_refuse_bad_text_roles_and_handles, pipeline_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(engine_rules_calls_refuse_bad_paths_and_names, pipeline_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(catalogue_lists_refuse_null_and_out_of_range, pipeline_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(reserve_many_refuses_bad_batches_and_answers_bad_orders, pipeline_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(every_pipeline_call_after_close_is_closed, pipeline_setup, fixture_teardown),
    };
    return cmocka_run_group_tests_name("pipeline bad input", tests, NULL, NULL);
}
