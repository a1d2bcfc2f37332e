/*
 * Proves that a C program can run the rules file: a file with problems is refused with
 * ALLOT_STATUS_INVALID_RULES, the live rules stay, and allot_last_rule_errors() gives each
 * problem's line and column (also for a dry run and a reload from a file); explanations say how
 * every rule came out for an order; a dry run counts the paths recent orders would take; a
 * reload from a file and a watched file go live and say who changed them; a rules change and a
 * low-stock alert arrive as events; a rules path naming /dev/zero, a FIFO or a directory returns
 * at once with ALLOT_STATUS_IO, a file above ALLOT_RULES_BYTES_MAX with
 * ALLOT_STATUS_LIMIT_EXCEEDED, and neither changes anything.
 */
#include "support.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

static const char GOOD[] = "default_path = \"manual_review\"\n"
                           "[[route]]\n"
                           "name = \"cheap goes auto\"\n"
                           "when.amount_fen_max = 10000\n"
                           "path = \"auto\"\n";
/* Two problems: an unknown path at line 5, column 8, and a bad duration at line 7, column 10. */
static const char BAD[] = "default_path = \"auto\"\n"
                          "[[route]]\n"
                          "name = \"x\"\n"
                          "when.amount_fen_max = 10000\n"
                          "path = \"autoo\"\n"
                          "[sla]\n"
                          "review = \"30 minutes\"\n";

/* The problems of the calling thread's last failure. */
static allot_rule_errors *last_rule_errors(void) {
    allot_rule_errors *errors = NULL;
    assert_ok(allot_last_rule_errors(&errors));
    assert_non_null(errors);
    return errors;
}

static void assert_the_two_problems_of_bad(void) {
    allot_rule_errors *errors = last_rule_errors();
    assert_int_equal(2, allot_rule_errors_count(errors));
    allot_rule_error error;
    assert_ok(allot_rule_errors_get(errors, 0, &error));
    assert_int_equal(5, error.line);
    assert_int_equal(8, error.column);
    assert_true(error.message_len > 0);
    assert_int_equal(strlen(error.message), error.message_len);
    assert_non_null(strstr(error.message, "autoo"));
    assert_ok(allot_rule_errors_get(errors, 1, &error));
    assert_int_equal(7, error.line);
    assert_int_equal(10, error.column);
    assert_non_null(strstr(error.message, "30 minutes"));
    allot_rule_errors_free(errors);
}

static char *rules_text_of(const allot_client *client) {
    allot_string *text = NULL;
    assert_ok(allot_client_rules_text(client, &text));
    char *copy = malloc(allot_string_len(text) + 1);
    assert_non_null(copy);
    memcpy(copy, allot_string_text(text), allot_string_len(text) + 1);
    allot_string_free(text);
    return copy;
}

static void assert_rules_text(const allot_client *client, const char *expected) {
    char *text = rules_text_of(client);
    assert_string_equal(expected, text);
    free(text);
}

static void a_rules_file_with_problems_is_refused_with_each_line_and_column(void **state) {
    fixture *f = *state;
    assert_rules_text(f->viewer, ""); /* the defaults */
    allot_client *lead = NULL;
    assert_ok(allot_client_acting_as(f->admin, S("ops.lead"), &lead));
    assert_ok(allot_client_set_rules(lead, GOOD, strlen(GOOD)));
    uint64_t cursor = 0;
    assert_ok(allot_engine_last_lsn(f->engine, &cursor));

    assert_status(ALLOT_STATUS_INVALID_RULES, allot_client_set_rules(lead, BAD, strlen(BAD)));
    assert_message_contains("line 5, column 8");
    assert_message_contains("line 7, column 10");
    assert_the_two_problems_of_bad();
    /* Read twice, and after a successful call: the problems stay until the next failure. */
    assert_the_two_problems_of_bad();
    assert_rules_text(f->viewer, GOOD); /* the previous rules stay live */
    assert_the_two_problems_of_bad();
    uint64_t last = 0;
    assert_ok(allot_engine_last_lsn(f->engine, &last));
    assert_int_equal(cursor, last); /* nothing was logged */

    /* Another failure replaces them, even one of a handle's accessor: copy them first. */
    allot_rule_errors *errors = last_rule_errors();
    allot_rule_error error;
    assert_ok(allot_rule_errors_get(errors, 1, &error));
    allot_rule_error untouched = error;
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_rule_errors_get(errors, 2, &error));
    assert_message_contains("out of range");
    assert_memory_equal(&untouched, &error, sizeof error);
    assert_int_equal(7, error.line); /* the copy is the caller's */
    allot_rule_errors_free(errors);
    errors = last_rule_errors();
    assert_int_equal(0, allot_rule_errors_count(errors));
    allot_rule_errors_free(errors);
    assert_status(ALLOT_STATUS_INVALID_RULES, allot_client_set_rules(lead, BAD, strlen(BAD)));
    assert_status(ALLOT_STATUS_UNKNOWN_ORDER, allot_client_explain(f->viewer, S("shop:none"), &(allot_explanation *){NULL}));
    errors = last_rule_errors();
    assert_int_equal(0, allot_rule_errors_count(errors));
    allot_rule_errors_free(errors);

    /* A dry run of the same file finds the same problems. */
    allot_dry_run *dry = SENTINEL_PTR;
    assert_status(ALLOT_STATUS_INVALID_RULES, allot_client_dry_run_rules(f->admin, BAD, strlen(BAD), &dry));
    assert_ptr_equal(SENTINEL_PTR, dry);
    assert_the_two_problems_of_bad();

    /* A syntax error is a problem with a place too. */
    assert_status(ALLOT_STATUS_INVALID_RULES, allot_client_set_rules(f->admin, S("default_path = \n")));
    errors = last_rule_errors();
    assert_true(allot_rule_errors_count(errors) >= 1);
    assert_ok(allot_rule_errors_get(errors, 0, &error));
    assert_int_equal(1, error.line);
    allot_rule_errors_free(errors);

    /* The change that went live is an event, with who made it and the whole text. */
    assert_ok(allot_client_set_rules(f->admin, NULL, 0)); /* back to the defaults */
    allot_events *events = NULL;
    assert_ok(allot_client_events(f->viewer, cursor - 1, 10, &events));
    assert_int_equal(2, allot_events_count(events));
    allot_event e;
    assert_ok(allot_events_get(events, 0, &e));
    assert_int_equal(ALLOT_EVENT_KIND_RULES, e.kind);
    assert_text("ops.lead", e.by, e.by_len);
    assert_text(GOOD, e.rules_text, e.rules_text_len);
    assert_ok(allot_events_get(events, 1, &e));
    assert_int_equal(ALLOT_EVENT_KIND_RULES, e.kind);
    assert_text("admin", e.by, e.by_len);
    assert_text("", e.rules_text, e.rules_text_len);
    allot_events_free(events);
    assert_rules_text(f->viewer, "");
    allot_client_free(lead);
}

static allot_explanation_info explanation_of(const allot_client *client, const char *key, allot_explanation **out) {
    assert_ok(allot_client_explain(client, key, strlen(key), out));
    allot_explanation_info info;
    assert_ok(allot_explanation_get_info(*out, &info));
    return info;
}

static void explanations_and_dry_runs_show_how_orders_route(void **state) {
    fixture *f = *state;
    assert_ok(allot_client_set_rules(f->admin, GOOD, strlen(GOOD)));
    allot_order_form cheap = pipeline_form("shop", "E-1", "buyer-e1", "13800000071");
    allot_intake *intake = NULL;
    assert_ok(allot_client_intake(f->orders, &cheap, &intake));
    allot_intake_info taken;
    assert_ok(allot_intake_get_info(intake, &taken));
    allot_order_info info = order_info_of(taken.order);
    assert_int_equal(ALLOT_PATH_AUTO, info.path);
    assert_text("cheap goes auto", info.rule, info.rule_len);
    assert_non_null(strstr(taken.reason, "cheap goes auto"));
    allot_intake_free(intake);
    const allot_form_line dear_line = {S("MUG-350"), 200, 100};
    allot_order_form dear = pipeline_form("shop", "E-2", "buyer-e2", "13800000072");
    dear.lines = &dear_line;
    assert_ok(allot_client_intake(f->orders, &dear, NULL));
    assert_int_equal(ALLOT_ORDER_STATE_IN_REVIEW, order_state_of(f->viewer, "shop:E-2"));

    allot_explanation *explanation = NULL;
    allot_explanation_info why = explanation_of(f->viewer, "shop:E-2", &explanation);
    assert_int_equal(ALLOT_PATH_MANUAL_REVIEW, why.path);
    assert_text("", why.rule, why.rule_len);
    assert_text("", why.guard_rail, why.guard_rail_len);
    assert_non_null(strstr(why.reason, "default path"));
    assert_int_equal(strlen(why.reason), why.reason_len);
    assert_int_equal(1, why.rules_len);
    const allot_rule_check *check = &why.rules[0];
    assert_text("cheap goes auto", check->rule, check->rule_len);
    assert_int_equal(2, check->line);
    assert_int_equal(ALLOT_PATH_AUTO, check->path);
    assert_false(check->matched);
    assert_false(check->chosen);
    assert_int_equal(0, check->held_len);
    assert_null(check->held);
    assert_int_equal(1, check->failed_len);
    assert_non_null(strstr(check->failed[0].text, "amount_fen_max"));
    assert_int_equal(strlen(check->failed[0].text), check->failed[0].len);
    allot_explanation_free(explanation);

    why = explanation_of(f->viewer, "shop:E-1", &explanation);
    assert_int_equal(ALLOT_PATH_AUTO, why.path);
    assert_text("cheap goes auto", why.rule, why.rule_len);
    assert_true(why.rules[0].matched);
    assert_true(why.rules[0].chosen);
    assert_int_equal(1, why.rules[0].held_len);
    assert_int_equal(0, why.rules[0].failed_len);
    allot_explanation_free(explanation);

    /* A guard rail: a cross-border order never goes auto, whatever the rules say. */
    allot_order_form abroad = pipeline_form("shop", "E-3", "buyer-e3", "13800000073");
    abroad.cross_border = true;
    assert_ok(allot_client_intake(f->orders, &abroad, NULL));
    why = explanation_of(f->orders, "shop:E-3", &explanation);
    assert_int_equal(ALLOT_PATH_MANUAL_REVIEW, why.path);
    assert_text("cheap goes auto", why.rule, why.rule_len);
    assert_non_null(strstr(why.guard_rail, "cross-border"));
    allot_explanation_free(explanation);

    /* What "everything on hold" would do to the recent orders, before it goes live. */
    allot_dry_run *dry = NULL;
    assert_ok(allot_client_dry_run_rules(f->admin, S("default_path = \"hold\"\n"), &dry));
    allot_dry_run_info run;
    assert_ok(allot_dry_run_get_info(dry, &run));
    assert_int_equal(3, run.orders);
    assert_int_equal(1, run.current[ALLOT_PATH_AUTO]);
    assert_int_equal(2, run.current[ALLOT_PATH_MANUAL_REVIEW]);
    assert_int_equal(0, run.current[ALLOT_PATH_HOLD]);
    /* Guard rails only overrule "auto": the cross-border order is held like the others. */
    assert_int_equal(3, run.proposed[ALLOT_PATH_HOLD]);
    assert_int_equal(0, run.proposed[ALLOT_PATH_MANUAL_REVIEW]);
    assert_int_equal(3, run.changed);
    assert_int_equal(3, run.examples_len);
    assert_int_equal(0, run.examples[0].index);
    assert_int_equal(ALLOT_PATH_AUTO, run.examples[0].from);
    assert_int_equal(ALLOT_PATH_HOLD, run.examples[0].to);
    assert_text("cheap goes auto", run.examples[0].from_rule, run.examples[0].from_rule_len);
    assert_text("", run.examples[0].to_rule, run.examples[0].to_rule_len);
    allot_dry_run_free(dry);
    assert_rules_text(f->viewer, GOOD); /* a dry run changes nothing */
}

static void write_file(const char *path, const char *text) {
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    assert_int_equal(strlen(text), fwrite(text, 1, strlen(text), file));
    assert_int_equal(0, fclose(file));
}

static void pause_ms(long ms) {
    struct timespec wait = {0, ms * 1000000L};
    nanosleep(&wait, NULL);
}

static bool rules_text_contains(const allot_client *client, const char *needle) {
    char *text = rules_text_of(client);
    bool found = strstr(text, needle) != NULL;
    free(text);
    return found;
}

/* The reload error, or NULL (the caller frees it). */
static allot_string *reload_error(allot_engine *engine) {
    allot_string *error = SENTINEL_PTR;
    assert_ok(allot_engine_rules_reload_error(engine, &error));
    assert_ptr_not_equal(SENTINEL_PTR, error);
    return error;
}

static void rules_files_are_reloaded_and_watched(void **state) {
    fixture *f = *state;
    char *dir = temp_dir();
    char path[4096];
    snprintf(path, sizeof path, "%s/rules.toml", dir);
    uint64_t cursor = 0;
    assert_ok(allot_engine_last_lsn(f->engine, &cursor));

    write_file(path, BAD);
    assert_status(ALLOT_STATUS_INVALID_RULES, allot_engine_reload_rules(f->engine, path, strlen(path), S("deploy")));
    assert_the_two_problems_of_bad();
    write_file(path, GOOD);
    assert_ok(allot_engine_reload_rules(f->engine, path, strlen(path), S("deploy")));
    assert_rules_text(f->viewer, GOOD);
    allot_events *events = NULL;
    assert_ok(allot_client_events(f->viewer, cursor, 10, &events));
    assert_int_equal(1, allot_events_count(events));
    allot_event e;
    assert_ok(allot_events_get(events, 0, &e));
    assert_int_equal(ALLOT_EVENT_KIND_RULES, e.kind);
    assert_text("deploy", e.by, e.by_len);
    allot_events_free(events);
    char missing[4096];
    snprintf(missing, sizeof missing, "%s/missing.toml", dir);
    assert_status(ALLOT_STATUS_IO, allot_engine_reload_rules(f->engine, missing, strlen(missing), S("deploy")));

    /* A watched file goes live when saved; a broken save keeps the rules and says why. */
    allot_string *error = reload_error(f->engine);
    assert_null(error);
    allot_rules_watch *watch = NULL;
    assert_ok(allot_engine_watch_rules(f->engine, path, strlen(path), S("file watcher"), &watch));
    assert_non_null(watch);
    write_file(path, "default_path = \"hold\"\n");
    for (int i = 0; i < 400 && !rules_text_contains(f->viewer, "hold"); i++) {
        pause_ms(50);
    }
    assert_rules_text(f->viewer, "default_path = \"hold\"\n");
    write_file(path, "default_path = \"nowhere\"\n");
    for (int i = 0; i < 400 && error == NULL; i++) {
        pause_ms(50);
        error = reload_error(f->engine);
    }
    assert_non_null(error);
    assert_non_null(strstr(allot_string_text(error), "line 1"));
    assert_int_equal(strlen(allot_string_text(error)), allot_string_len(error));
    allot_string_free(error);
    assert_rules_text(f->viewer, "default_path = \"hold\"\n");
    allot_rules_watch_free(watch);
    remove_dir(dir);
}

static void a_low_stock_level_raises_a_stock_alert_once(void **state) {
    fixture *f = *state;
    /* 150 mugs over three warehouses: an alert at 149 or fewer. */
    assert_ok(allot_client_set_rules(f->admin, S("[limits]\nlow_stock_units = 149\n")));
    uint64_t cursor = 0;
    assert_ok(allot_engine_last_lsn(f->engine, &cursor));
    allot_order_form form = pipeline_form("shop", "L-1", "buyer-l1", "13800000081");
    assert_ok(allot_client_intake(f->orders, &form, NULL));
    form = pipeline_form("shop", "L-2", "buyer-l2", "13800000082");
    assert_ok(allot_client_intake(f->orders, &form, NULL));
    allot_events *events = NULL;
    assert_ok(allot_client_events(f->viewer, cursor, 20, &events));
    size_t alerts = 0;
    for (size_t i = 0; i < allot_events_count(events); i++) {
        allot_event e;
        assert_ok(allot_events_get(events, i, &e));
        if (e.kind == ALLOT_EVENT_KIND_STOCK_ALERT) {
            alerts++;
            assert_text("MUG-350", e.sku, e.sku_len);
            assert_int_equal(149, e.available);
            assert_int_equal(149, e.threshold);
            assert_int_equal(START_MS, e.at_ms);
            assert_text("", e.order_id, e.order_id_len);
        }
    }
    assert_int_equal(1, alerts); /* once, until it rises above the level again */
    allot_events_free(events);
}

static uint64_t last_lsn_of(const fixture *f) {
    uint64_t lsn = 0;
    assert_ok(allot_engine_last_lsn(f->engine, &lsn));
    return lsn;
}

static void rules_paths_that_are_not_regular_files_return_at_once(void **state) {
    fixture *f = *state;
    const uint64_t before = last_lsn_of(f);
    char *dir = temp_dir();
    char path[4096];

    assert_status(ALLOT_STATUS_IO, allot_engine_reload_rules(f->engine, S("/dev/zero"), S("ops")));
    assert_message_contains("a device, not a regular file");

    snprintf(path, sizeof path, "%s/rules.fifo", dir);
    assert_int_equal(0, mkfifo(path, 0600));
    assert_status(ALLOT_STATUS_IO, allot_engine_reload_rules(f->engine, path, strlen(path), S("ops")));
    assert_message_contains("a FIFO, not a regular file");

    assert_status(ALLOT_STATUS_IO, allot_engine_reload_rules(f->engine, dir, strlen(dir), S("ops")));
    assert_message_contains("a directory, not a regular file");

    snprintf(path, sizeof path, "%s/big.toml", dir);
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    for (size_t i = 0; i < ALLOT_RULES_BYTES_MAX + 1; i++) {
        assert_int_not_equal(EOF, fputc('#', file));
    }
    assert_int_equal(0, fclose(file));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_engine_reload_rules(f->engine, path, strlen(path), S("ops")));
    assert_message_contains("RULES_BYTES_MAX");
    assert_int_equal(before, last_lsn_of(f));
    remove_dir(dir);
}

int run_rules_tests(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_rules_file_with_problems_is_refused_with_each_line_and_column, pipeline_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(explanations_and_dry_runs_show_how_orders_route, pipeline_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(rules_files_are_reloaded_and_watched, pipeline_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(a_low_stock_level_raises_a_stock_alert_once, pipeline_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(rules_paths_that_are_not_regular_files_return_at_once, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests_name("rules", tests, NULL, NULL);
}
