/*
 * Proves that every exported function of liballot answers bad input with a status and a
 * message, never with undefined behaviour: NULL handles and pointers, zero and huge lengths
 * (a huge length is refused before a byte is read, which valgrind would otherwise catch),
 * invalid UTF-8, enum values C can pass but the enum lacks, unknown codes, quantities of 0,
 * at and above the engine's maximum (core/src/limits.rs), a role that may not make the call
 * (checked before the input, as in the Rust API), and use after close. Failing calls leave
 * their out_ parameters untouched.
 */
#include "support.h"

#include <pthread.h>
#include <stdlib.h>

static const char BAD_UTF8[] = "SKU\xff";    /* a byte that never appears in UTF-8 */
static const char OVERLONG[] = "\xc0\x80";   /* an overlong encoding of NUL */
static const char TRUNCATED[] = "\xe4\xb8";  /* the first two bytes of a three-byte character */
static const char ONE_BYTE[] = "x";          /* passed with a huge length: must not be read */

/* A buffer of `len` 'A's (not NUL-terminated as far as the library knows). */
static char *filled(size_t len) {
    char *text = malloc(len + 1);
    assert_non_null(text);
    memset(text, 'A', len);
    text[len] = '\0';
    return text;
}

/* Sentinels: an out_ value that a failing call must leave as it is. */
static allot_stock sentinel_stock(void) {
    allot_stock stock;
    memset(&stock, 0xab, sizeof stock);
    return stock;
}

static void assert_sentinel_stock(const allot_stock *stock) {
    allot_stock expected = sentinel_stock();
    assert_memory_equal(&expected, stock, sizeof expected);
}

/* ---------------------------------------------------------------------------------------- */
/* Status, errors, version */

static void status_name_names_every_code_and_nothing_else(void **state) {
    (void)state;
    assert_string_equal("ok", allot_status_name(ALLOT_STATUS_OK));
    assert_string_equal("invalid_input", allot_status_name(ALLOT_STATUS_INVALID_INPUT));
    assert_string_equal("insufficient_stock", allot_status_name(ALLOT_STATUS_INSUFFICIENT_STOCK));
    assert_string_equal("closed", allot_status_name(ALLOT_STATUS_CLOSED));
    assert_string_equal("wrong_process", allot_status_name(ALLOT_STATUS_WRONG_PROCESS));
    assert_string_equal("read_only", allot_status_name(ALLOT_STATUS_READ_ONLY));
    assert_int_equal(306, ALLOT_STATUS_WRONG_PROCESS);
    assert_int_equal(307, ALLOT_STATUS_READ_ONLY);
    assert_string_equal("internal", allot_status_name(ALLOT_STATUS_INTERNAL));
    const uint32_t unknown[] = {1, 99, 108, 204, 308, 899, 901, UINT32_MAX};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        assert_string_equal("unknown", allot_status_name(unknown[i]));
    }
    /* Static: the same pointer every time. */
    assert_ptr_equal(allot_status_name(ALLOT_STATUS_LOCKED), allot_status_name(ALLOT_STATUS_LOCKED));
}

/* What a second thread saw (cmocka's assertions may only run on the test's own thread). */
typedef struct other_thread {
    char before[64]; /* its last error before it failed: a fresh thread has none */
    allot_status status;
    char after[128];
} other_thread;

static void *fail_once_on_another_thread(void *arg) {
    other_thread *seen = arg;
    snprintf(seen->before, sizeof seen->before, "%s", allot_last_error_message());
    seen->status = allot_engine_options_default(NULL);
    snprintf(seen->after, sizeof seen->after, "%s", allot_last_error_message());
    return NULL;
}

static void last_error_message_is_per_thread_and_survives_success(void **state) {
    (void)state;
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_new(NULL, ALLOT_ROLE_ADMIN, NULL));
    assert_message_contains("engine is NULL");

    allot_engine_options options;
    assert_ok(allot_engine_options_default(&options)); /* success leaves the message alone */
    assert_message_contains("engine is NULL");

    pthread_t thread;
    other_thread seen = {{0}, ALLOT_STATUS_OK, {0}};
    assert_int_equal(0, pthread_create(&thread, NULL, fail_once_on_another_thread, &seen));
    assert_int_equal(0, pthread_join(thread, NULL));
    assert_string_equal("", seen.before);
    assert_int_equal(ALLOT_STATUS_INVALID_INPUT, seen.status);
    assert_non_null(strstr(seen.after, "out_options is NULL"));
    /* The other thread's failure did not touch this thread's message. */
    assert_message_contains("engine is NULL");
}

static void version_matches_the_macros(void **state) {
    (void)state;
    char expected[64];
    snprintf(expected, sizeof expected, "%d.%d.%d", ALLOT_VERSION_MAJOR, ALLOT_VERSION_MINOR,
             ALLOT_VERSION_PATCH);
    assert_string_equal(expected, allot_version());
}

/* ---------------------------------------------------------------------------------------- */
/* Engine */

static void engine_options_default_fills_the_documented_defaults(void **state) {
    (void)state;
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_options_default(NULL));
    allot_engine_options options;
    memset(&options, 0xff, sizeof options);
    assert_ok(allot_engine_options_default(&options));
    assert_int_equal(ALLOT_SYNC_MODE_ALWAYS, options.sync);
    assert_int_equal(100, options.sync_interval_ms);
    assert_int_equal(ALLOT_CLOCK_SYSTEM, options.clock);
    assert_int_equal(0, options.clock_start_ms);
    assert_int_equal(30 * 60 * 1000, options.default_ttl_ms);
    assert_int_equal(7ull * 24 * 3600 * 1000, options.settled_retention_ms);
    assert_int_equal(64u << 20, options.segment_bytes);
    assert_int_equal(256u << 20, options.checkpoint_every_bytes);
    assert_int_equal(1000, options.expiry_sweep_ms);
    assert_int_equal(1024, options.stripes);
    assert_int_equal(1, options.housekeeping);
}

/* Each way to spoil an options struct, applied to a fresh copy of the defaults. */
static void expect_bad_options(allot_status (*open)(const allot_engine_options *, allot_engine **)) {
    allot_engine_options options;
    allot_engine *engine = SENTINEL_PTR;

    test_options(&options);
    options.sync = 3;
    assert_status(ALLOT_STATUS_INVALID_INPUT, open(&options, &engine));
    assert_message_contains("allot_sync_mode");
    test_options(&options);
    options.sync = UINT32_MAX;
    assert_status(ALLOT_STATUS_INVALID_INPUT, open(&options, &engine));
    test_options(&options);
    options.clock = 2;
    assert_status(ALLOT_STATUS_INVALID_INPUT, open(&options, &engine));
    assert_message_contains("allot_clock");
    test_options(&options);
    options.sync = ALLOT_SYNC_MODE_INTERVAL;
    options.sync_interval_ms = 0;
    assert_status(ALLOT_STATUS_INVALID_INPUT, open(&options, &engine));
    test_options(&options);
    options.stripes = 3;
    assert_status(ALLOT_STATUS_INVALID_INPUT, open(&options, &engine));
    test_options(&options);
    options.stripes = 0;
    assert_status(ALLOT_STATUS_INVALID_INPUT, open(&options, &engine));
    test_options(&options);
    options.default_ttl_ms = ALLOT_TTL_MS_MAX + 1;
    assert_status(ALLOT_STATUS_INVALID_INPUT, open(&options, &engine));
    test_options(&options);
    options.expiry_sweep_ms = 0;
    assert_status(ALLOT_STATUS_INVALID_INPUT, open(&options, &engine));
    test_options(&options);
    options.housekeeping = 2;
    assert_status(ALLOT_STATUS_INVALID_INPUT, open(&options, &engine));
    assert_message_contains("housekeeping");
    assert_ptr_equal(SENTINEL_PTR, engine);
}

static allot_status open_in_memory(const allot_engine_options *options, allot_engine **out) {
    return allot_engine_open_in_memory(options, out);
}

static char *open_dir; /* the directory open_in_dir uses */

static allot_status open_in_dir(const allot_engine_options *options, allot_engine **out) {
    return allot_engine_open(open_dir, strlen(open_dir), options, out);
}

static void engine_open_refuses_bad_paths_options_and_a_locked_directory(void **state) {
    (void)state;
    char *dir = temp_dir();
    allot_engine *engine = SENTINEL_PTR;
    allot_engine_options options;
    test_options(&options);

    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_open(dir, strlen(dir), &options, NULL));
    assert_message_contains("out_engine is NULL");
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_open(NULL, 5, &options, &engine));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_open(NULL, 0, &options, &engine));
    assert_message_contains("path is empty");
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_open(dir, 0, &options, &engine));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_engine_open(ONE_BYTE, SIZE_MAX, &options, &engine));
    assert_message_contains("PATH_BYTES_MAX");
    char *long_path = filled(ALLOT_PATH_BYTES_MAX + 1);
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED,
                  allot_engine_open(long_path, ALLOT_PATH_BYTES_MAX + 1, &options, &engine));
    free(long_path);
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_open(S(BAD_UTF8), &options, &engine));
    assert_message_contains("not valid UTF-8");
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_open(S(OVERLONG), &options, &engine));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_open(S(TRUNCATED), &options, &engine));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_open(S("/tmp/a\0b"), &options, &engine));
    assert_message_contains("NUL");
    /* A regular file where the directory should be. */
    assert_status(ALLOT_STATUS_IO, allot_engine_open(S("/dev/null"), &options, &engine));
    open_dir = dir;
    expect_bad_options(open_in_dir);
    assert_ptr_equal(SENTINEL_PTR, engine);

    /* NULL options are the defaults; a second engine on the same directory is refused. */
    options.segment_bytes = 1u << 20;
    allot_engine *first = NULL;
    assert_ok(allot_engine_open(dir, strlen(dir), &options, &first));
    assert_status(ALLOT_STATUS_LOCKED, allot_engine_open(dir, strlen(dir), NULL, &engine));
    assert_message_contains("locked");
    assert_ptr_equal(SENTINEL_PTR, engine);
    assert_ok(allot_engine_close(first));
    allot_engine_free(first);
    /* Closing unlocked it. */
    assert_ok(allot_engine_open(dir, strlen(dir), &options, &first));
    allot_engine_free(first); /* free without close closes too */
    remove_dir(dir);
}

static void engine_open_in_memory_refuses_bad_options(void **state) {
    (void)state;
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_open_in_memory(NULL, NULL));
    expect_bad_options(open_in_memory);
    allot_engine *engine = NULL;
    assert_ok(allot_engine_open_in_memory(NULL, &engine)); /* NULL options: the defaults */
    assert_non_null(engine);
    allot_engine_free(engine);
}

static void engine_close_and_free_accept_null_and_repeats(void **state) {
    (void)state;
    assert_ok(allot_engine_close(NULL));
    allot_engine_free(NULL);
    allot_engine *engine = NULL;
    assert_ok(allot_engine_open_in_memory(NULL, &engine));
    assert_ok(allot_engine_close(engine));
    assert_ok(allot_engine_close(engine));
    allot_engine_free(engine); /* free after close */
}

static void engine_housekeeping_refuses_null_and_closed(void **state) {
    fixture *f = *state;
    uint64_t lsn = 77;
    size_t expired = 77;
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_checkpoint(NULL, &lsn));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_expire_due(NULL, &expired));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_advance_time(NULL, 1, &expired));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_last_lsn(NULL, &lsn));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_last_lsn(f->engine, NULL));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_now_ms(NULL, &lsn));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_now_ms(f->engine, NULL));
    assert_int_equal(77, lsn);
    assert_int_equal(77, expired);
    /* Optional outs may be NULL. */
    assert_ok(allot_engine_checkpoint(f->engine, NULL));
    assert_ok(allot_engine_expire_due(f->engine, NULL));
    assert_ok(allot_engine_advance_time(f->engine, 0, NULL));
    /* The largest step saturates the clock instead of wrapping. */
    assert_ok(allot_engine_advance_time(f->engine, UINT64_MAX, &expired));
    assert_ok(allot_engine_now_ms(f->engine, &lsn));
    assert_int_equal(UINT64_MAX, lsn);

    /* A system clock cannot be advanced. */
    allot_engine *real_time = NULL;
    assert_ok(allot_engine_open_in_memory(NULL, &real_time));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_engine_advance_time(real_time, 1, &expired));
    assert_message_contains("manual clock");
    assert_ok(allot_engine_close(real_time));
    assert_status(ALLOT_STATUS_CLOSED, allot_engine_checkpoint(real_time, &lsn));
    assert_status(ALLOT_STATUS_CLOSED, allot_engine_expire_due(real_time, &expired));
    assert_status(ALLOT_STATUS_CLOSED, allot_engine_advance_time(real_time, 1, &expired));
    assert_status(ALLOT_STATUS_CLOSED, allot_engine_last_lsn(real_time, &lsn));
    assert_status(ALLOT_STATUS_CLOSED, allot_engine_now_ms(real_time, &lsn));
    assert_int_equal(UINT64_MAX, lsn);
    allot_engine_free(real_time);
}

/* ---------------------------------------------------------------------------------------- */
/* Clients and the catalogue */

static void client_new_refuses_null_unknown_roles_and_closed(void **state) {
    fixture *f = *state;
    allot_client *client = SENTINEL_PTR;
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_new(NULL, ALLOT_ROLE_ADMIN, &client));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_new(f->engine, ALLOT_ROLE_ADMIN, NULL));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_new(f->engine, 5, &client));
    assert_message_contains("allot_role");
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_new(f->engine, UINT32_MAX, &client));
    assert_ptr_equal(SENTINEL_PTR, client);
    allot_client_free(NULL);

    allot_engine *engine = NULL;
    assert_ok(allot_engine_open_in_memory(NULL, &engine));
    assert_ok(allot_engine_close(engine));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_new(engine, ALLOT_ROLE_VIEWER, &client));
    assert_ptr_equal(SENTINEL_PTR, client);
    allot_engine_free(engine);
}

static void add_warehouse_checks_codes_limits_duplicates_and_role(void **state) {
    fixture *f = *state;
    char *longest = filled(ALLOT_CODE_BYTES_MAX);
    char *too_long = filled(ALLOT_CODE_BYTES_MAX + 1);
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_add_warehouse(NULL, S("WH-X"), S("1"), 1, true));
    assert_message_contains("client is NULL");
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_add_warehouse(f->admin, NULL, 4, S("1"), 1, true));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_add_warehouse(f->admin, NULL, 0, S("1"), 1, true));
    assert_message_contains("empty");
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_add_warehouse(f->admin, S("WH X"), S("1"), 1, true));
    assert_message_contains("whitespace");
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_add_warehouse(f->admin, S("WH\nX"), S("1"), 1, true));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_add_warehouse(f->admin, S(BAD_UTF8), S("1"), 1, true));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_add_warehouse(f->admin, S("WH-X"), S(OVERLONG), 1, true));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_add_warehouse(f->admin, S("WH-X"), S(""), 1, true));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED,
                  allot_client_add_warehouse(f->admin, too_long, ALLOT_CODE_BYTES_MAX + 1, S("1"), 1, true));
    assert_message_contains("CODE_BYTES_MAX");
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED,
                  allot_client_add_warehouse(f->admin, ONE_BYTE, SIZE_MAX, S("1"), 1, true));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED,
                  allot_client_add_warehouse(f->admin, S("WH-X"), ONE_BYTE, SIZE_MAX, 1, true));
    assert_status(ALLOT_STATUS_ALREADY_EXISTS, allot_client_add_warehouse(f->admin, S("WH-SH"), S("1"), 1, true));
    /* A role that may not add warehouses learns that first, whatever it sent. */
    assert_status(ALLOT_STATUS_PERMISSION_DENIED,
                  allot_client_add_warehouse(f->orders, S("WH-X"), S("1"), 1, true));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED,
                  allot_client_add_warehouse(f->viewer, S(BAD_UTF8), S("1"), 1, true));
    assert_message_contains("may not add_warehouse");
    assert_status(ALLOT_STATUS_PERMISSION_DENIED,
                  allot_client_add_warehouse(f->warehouse, ONE_BYTE, SIZE_MAX, S("1"), 1, true));
    /* The longest code and the extreme priorities are fine. */
    assert_ok(allot_client_add_warehouse(f->admin, longest, ALLOT_CODE_BYTES_MAX, S("999999"), UINT32_MAX, false));
    assert_ok(allot_client_add_warehouse(f->admin, S("WH-0"), S("000000"), 0, true));
    free(longest);
    free(too_long);
}

static void update_warehouse_checks_codes_and_role(void **state) {
    fixture *f = *state;
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_update_warehouse(NULL, S("WH-SH"), 1, true));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_update_warehouse(f->admin, NULL, 3, 1, true));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_update_warehouse(f->admin, S(TRUNCATED), 1, true));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_update_warehouse(f->admin, ONE_BYTE, SIZE_MAX, 1, true));
    assert_status(ALLOT_STATUS_UNKNOWN_WAREHOUSE, allot_client_update_warehouse(f->admin, S("WH-NOPE"), 1, true));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_update_warehouse(f->admin, NULL, 0, 1, true));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_update_warehouse(f->warehouse, S("WH-SH"), 1, true));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_update_warehouse(f->logistics, NULL, 9, 1, true));
    assert_ok(allot_client_update_warehouse(f->admin, S("WH-BJ"), UINT32_MAX, false));
}

static void add_sku_checks_codes_categories_and_role(void **state) {
    fixture *f = *state;
    char *too_long = filled(ALLOT_CATEGORY_BYTES_MAX + 1);
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_add_sku(NULL, S("NEW"), S("c")));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_add_sku(f->admin, S(""), S("c")));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_add_sku(f->admin, S("NEW"), NULL, 1));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_add_sku(f->admin, S(BAD_UTF8), S("c")));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_add_sku(f->admin, S("NEW"), S(BAD_UTF8)));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_add_sku(f->admin, S("NEW"), S("a\tb")));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_add_sku(f->admin, ONE_BYTE, SIZE_MAX, S("c")));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED,
                  allot_client_add_sku(f->admin, S("NEW"), too_long, ALLOT_CATEGORY_BYTES_MAX + 1));
    assert_message_contains("CATEGORY_BYTES_MAX");
    assert_status(ALLOT_STATUS_ALREADY_EXISTS, allot_client_add_sku(f->admin, S("SOFA"), S("c")));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_add_sku(f->orders, S("NEW"), S("c")));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_add_sku(f->viewer, NULL, 7, S("c")));
    /* An empty category and the longest category are fine; a code may be any UTF-8. */
    assert_ok(allot_client_add_sku(f->admin, S("NEW"), NULL, 0));
    assert_ok(allot_client_add_sku(f->admin, S("NEW-2"), too_long, ALLOT_CATEGORY_BYTES_MAX));
    assert_ok(allot_client_add_sku(f->admin, S("\xe6\xb2\x99\xe5\x8f\x91"), S("\xe5\xae\xb6\xe5\x85\xb7")));
    free(too_long);
}

static void set_buffer_checks_kinds_values_codes_and_role(void **state) {
    fixture *f = *state;
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_set_buffer(NULL, S("SOFA"), S("WH-SH"), ALLOT_BUFFER_UNITS, 1));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_set_buffer(f->admin, S("SOFA"), S("WH-SH"), 3, 1));
    assert_message_contains("allot_buffer");
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_set_buffer(f->admin, S("SOFA"), NULL, 0, UINT32_MAX, 1));
    assert_status(ALLOT_STATUS_INVALID_INPUT,
                  allot_client_set_buffer(f->admin, S("SOFA"), S("WH-SH"), ALLOT_BUFFER_PERCENT, 101));
    assert_message_contains("percentage");
    assert_status(ALLOT_STATUS_INVALID_INPUT,
                  allot_client_set_buffer(f->admin, S("SOFA"), NULL, 0, ALLOT_BUFFER_PERCENT, UINT64_MAX));
    assert_status(ALLOT_STATUS_INVALID_INPUT,
                  allot_client_set_buffer(f->admin, S(BAD_UTF8), NULL, 0, ALLOT_BUFFER_NONE, 0));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_set_buffer(f->admin, NULL, 4, NULL, 0, ALLOT_BUFFER_NONE, 0));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED,
                  allot_client_set_buffer(f->admin, S("SOFA"), S("WH-SH"), ALLOT_BUFFER_UNITS, ALLOT_CELL_UNITS_MAX + 1));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED,
                  allot_client_set_buffer(f->admin, S("SOFA"), ONE_BYTE, SIZE_MAX, ALLOT_BUFFER_UNITS, 1));
    assert_status(ALLOT_STATUS_UNKNOWN_SKU, allot_client_set_buffer(f->admin, S("NOPE"), NULL, 0, ALLOT_BUFFER_UNITS, 1));
    assert_status(ALLOT_STATUS_UNKNOWN_WAREHOUSE,
                  allot_client_set_buffer(f->admin, S("SOFA"), S("WH-NOPE"), ALLOT_BUFFER_UNITS, 1));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED,
                  allot_client_set_buffer(f->warehouse, S("SOFA"), NULL, 0, ALLOT_BUFFER_UNITS, 1));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_set_buffer(f->orders, S("SOFA"), NULL, 0, 9, 1));
    /* The extremes that are allowed. */
    assert_ok(allot_client_set_buffer(f->admin, S("SOFA"), S("WH-SH"), ALLOT_BUFFER_UNITS, ALLOT_CELL_UNITS_MAX));
    assert_ok(allot_client_set_buffer(f->admin, S("SOFA"), NULL, 0, ALLOT_BUFFER_PERCENT, 100));
    assert_ok(allot_client_set_buffer(f->admin, S("SOFA"), S("WH-SH"), ALLOT_BUFFER_NONE, 12345));
}

/* ---------------------------------------------------------------------------------------- */
/* Stock movements */

typedef allot_status (*movement_fn)(const allot_client *, const char *, size_t, const char *, size_t,
                                    uint64_t, allot_stock *);

/* What every quantity movement refuses alike. */
static void expect_movement_refusals(fixture *f, movement_fn move) {
    allot_stock stock = sentinel_stock();
    assert_status(ALLOT_STATUS_INVALID_INPUT, move(NULL, S("SOFA"), S("WH-SH"), 1, &stock));
    assert_status(ALLOT_STATUS_INVALID_INPUT, move(f->warehouse, NULL, 4, S("WH-SH"), 1, &stock));
    assert_status(ALLOT_STATUS_INVALID_INPUT, move(f->warehouse, S("SOFA"), NULL, 5, 1, &stock));
    assert_status(ALLOT_STATUS_INVALID_INPUT, move(f->warehouse, S(BAD_UTF8), S("WH-SH"), 1, &stock));
    assert_status(ALLOT_STATUS_INVALID_INPUT, move(f->warehouse, S("SOFA"), S(OVERLONG), 1, &stock));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, move(f->warehouse, ONE_BYTE, SIZE_MAX, S("WH-SH"), 1, &stock));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, move(f->warehouse, S("SOFA"), ONE_BYTE, SIZE_MAX, 1, &stock));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED,
                  move(f->warehouse, S("SOFA"), S("WH-SH"), ALLOT_CELL_UNITS_MAX + 1, &stock));
    assert_message_contains("CELL_UNITS_MAX");
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, move(f->warehouse, S("SOFA"), S("WH-SH"), UINT64_MAX, &stock));
    assert_status(ALLOT_STATUS_UNKNOWN_SKU, move(f->warehouse, S("NOPE"), S("WH-SH"), 1, &stock));
    assert_status(ALLOT_STATUS_UNKNOWN_SKU, move(f->warehouse, NULL, 0, S("WH-SH"), 1, &stock));
    assert_status(ALLOT_STATUS_UNKNOWN_WAREHOUSE, move(f->warehouse, S("SOFA"), S("WH-NOPE"), 1, &stock));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, move(f->orders, S("SOFA"), S("WH-SH"), 1, &stock));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, move(f->viewer, S(BAD_UTF8), S("WH-SH"), 1, &stock));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, move(f->logistics, S("SOFA"), S("WH-SH"), 0, &stock));
    assert_sentinel_stock(&stock);
}

static void set_stock_refuses_bad_input_and_going_below_reserved(void **state) {
    fixture *f = *state;
    expect_movement_refusals(f, allot_client_set_stock);
    allot_stock stock = sentinel_stock();
    const allot_order_line line = {S("LAMP"), 4};
    assert_ok(allot_client_reserve(f->orders, S("ORD-1"), &line, 1, NULL, NULL));
    assert_status(ALLOT_STATUS_INSUFFICIENT_STOCK, allot_client_set_stock(f->warehouse, S("LAMP"), S("WH-SH"), 3, &stock));
    assert_message_contains("LAMP");
    assert_sentinel_stock(&stock);
    /* 0 and the maximum are both legal stocktakes (0 only with nothing reserved). */
    assert_ok(allot_client_set_stock(f->warehouse, S("CHAIR"), S("WH-SH"), 0, &stock));
    assert_int_equal(0, stock.on_hand);
    assert_ok(allot_client_set_stock(f->warehouse, S("CHAIR"), S("WH-SH"), ALLOT_CELL_UNITS_MAX, &stock));
    assert_int_equal(ALLOT_CELL_UNITS_MAX, stock.available);
}

static void receive_refuses_zero_and_overflowing_the_cell(void **state) {
    fixture *f = *state;
    expect_movement_refusals(f, allot_client_receive);
    allot_stock stock = sentinel_stock();
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_receive(f->warehouse, S("SOFA"), S("WH-SH"), 0, &stock));
    assert_message_contains("at least 1");
    assert_ok(allot_client_receive(f->warehouse, S("CHAIR"), S("WH-SH"), ALLOT_CELL_UNITS_MAX, NULL));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_receive(f->warehouse, S("CHAIR"), S("WH-SH"), 1, &stock));
    assert_sentinel_stock(&stock);
}

static void adjust_refuses_zero_huge_deltas_and_bad_reasons(void **state) {
    fixture *f = *state;
    allot_stock stock = sentinel_stock();
    char *long_reason = filled(ALLOT_REASON_BYTES_MAX + 1);
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_adjust(NULL, S("SOFA"), S("WH-SH"), -1, S("lost"), &stock));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_adjust(f->warehouse, S("SOFA"), S("WH-SH"), 0, S("lost"), &stock));
    assert_message_contains("0 units");
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_adjust(f->warehouse, S("SOFA"), S("WH-SH"), -1, NULL, 0, &stock));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_adjust(f->warehouse, S("SOFA"), S("WH-SH"), -1, NULL, 4, &stock));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_adjust(f->warehouse, S("SOFA"), S("WH-SH"), -1, S(BAD_UTF8), &stock));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_adjust(f->warehouse, S("SOFA"), S("WH-SH"), -1, S("a\0b"), &stock));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_adjust(f->warehouse, S(TRUNCATED), S("WH-SH"), -1, S("x"), &stock));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED,
                  allot_client_adjust(f->warehouse, S("SOFA"), S("WH-SH"), -1, long_reason, ALLOT_REASON_BYTES_MAX + 1, &stock));
    assert_message_contains("REASON_BYTES_MAX");
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED,
                  allot_client_adjust(f->warehouse, S("SOFA"), S("WH-SH"), -1, ONE_BYTE, SIZE_MAX, &stock));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED,
                  allot_client_adjust(f->warehouse, S("SOFA"), S("WH-SH"), INT64_MIN, S("x"), &stock));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED,
                  allot_client_adjust(f->warehouse, S("SOFA"), S("WH-SH"), INT64_MAX, S("x"), &stock));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED,
                  allot_client_adjust(f->warehouse, S("SOFA"), S("WH-SH"), (int64_t)ALLOT_CELL_UNITS_MAX + 1, S("x"), &stock));
    assert_status(ALLOT_STATUS_UNKNOWN_SKU, allot_client_adjust(f->warehouse, S("NOPE"), S("WH-SH"), 1, S("x"), &stock));
    assert_status(ALLOT_STATUS_UNKNOWN_WAREHOUSE, allot_client_adjust(f->warehouse, S("SOFA"), S("NOPE"), 1, S("x"), &stock));
    assert_status(ALLOT_STATUS_INSUFFICIENT_STOCK,
                  allot_client_adjust(f->warehouse, S("LAMP"), S("WH-SH"), -11, S("stolen"), &stock));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_adjust(f->orders, S("SOFA"), S("WH-SH"), -1, S("x"), &stock));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED,
                  allot_client_adjust(f->viewer, S("SOFA"), S("WH-SH"), -1, long_reason, SIZE_MAX, &stock));
    assert_sentinel_stock(&stock);
    /* The longest reason, the largest removal and the largest addition are fine. */
    assert_ok(allot_client_adjust(f->warehouse, S("LAMP"), S("WH-SH"), -10, long_reason, ALLOT_REASON_BYTES_MAX, &stock));
    assert_int_equal(0, stock.on_hand);
    assert_ok(allot_client_adjust(f->warehouse, S("LAMP"), S("WH-SH"), (int64_t)ALLOT_CELL_UNITS_MAX, S("found"), &stock));
    assert_int_equal(ALLOT_CELL_UNITS_MAX, stock.on_hand);
    free(long_reason);
}

static void expect_inbound_refuses_zero_and_overflow(void **state) {
    fixture *f = *state;
    expect_movement_refusals(f, allot_client_expect_inbound);
    allot_stock stock = sentinel_stock();
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_expect_inbound(f->warehouse, S("SOFA"), S("WH-SH"), 0, &stock));
    assert_ok(allot_client_expect_inbound(f->warehouse, S("SOFA"), S("WH-SH"), ALLOT_CELL_UNITS_MAX, NULL));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_expect_inbound(f->warehouse, S("SOFA"), S("WH-SH"), 1, &stock));
    assert_sentinel_stock(&stock);
}

static void land_inbound_refuses_zero_and_more_than_in_transit(void **state) {
    fixture *f = *state;
    expect_movement_refusals(f, allot_client_land_inbound);
    allot_stock stock = sentinel_stock();
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_land_inbound(f->warehouse, S("SOFA"), S("WH-SH"), 0, &stock));
    assert_ok(allot_client_expect_inbound(f->warehouse, S("SOFA"), S("WH-SH"), 5, NULL));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_land_inbound(f->warehouse, S("SOFA"), S("WH-SH"), 6, &stock));
    assert_message_contains("in transit");
    assert_sentinel_stock(&stock);
    assert_ok(allot_client_land_inbound(f->warehouse, S("SOFA"), S("WH-SH"), 5, &stock));
    assert_int_equal(105, stock.on_hand);
    assert_int_equal(0, stock.in_transit);
}

/* ---------------------------------------------------------------------------------------- */
/* Stock reads */

static void stock_reads_refuse_null_outs_unknown_codes_and_logistics(void **state) {
    fixture *f = *state;
    allot_stock stock = sentinel_stock();
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_stock(NULL, S("SOFA"), &stock));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_stock(f->viewer, S("SOFA"), NULL));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_stock(f->viewer, NULL, 2, &stock));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_stock(f->viewer, S(BAD_UTF8), &stock));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_stock(f->viewer, ONE_BYTE, SIZE_MAX, &stock));
    assert_status(ALLOT_STATUS_UNKNOWN_SKU, allot_client_stock(f->viewer, S("NOPE"), &stock));
    assert_status(ALLOT_STATUS_UNKNOWN_SKU, allot_client_stock(f->viewer, NULL, 0, &stock));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_stock(f->logistics, S("SOFA"), &stock));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_stock(f->logistics, S("SOFA"), NULL));

    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_stock_in_region(NULL, S("SOFA"), S("31"), &stock));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_stock_in_region(f->viewer, S("SOFA"), S("31"), NULL));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_stock_in_region(f->viewer, S("SOFA"), NULL, 2, &stock));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_stock_in_region(f->viewer, S("SOFA"), S(OVERLONG), &stock));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_stock_in_region(f->viewer, S("SOFA"), ONE_BYTE, SIZE_MAX, &stock));
    assert_status(ALLOT_STATUS_UNKNOWN_SKU, allot_client_stock_in_region(f->viewer, S("NOPE"), S("31"), &stock));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_stock_in_region(f->logistics, S("SOFA"), S("31"), &stock));

    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_cell(NULL, S("SOFA"), S("WH-SH"), &stock));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_cell(f->viewer, S("SOFA"), S("WH-SH"), NULL));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_cell(f->viewer, S("SOFA"), S(TRUNCATED), &stock));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_cell(f->viewer, ONE_BYTE, SIZE_MAX, S("WH-SH"), &stock));
    assert_status(ALLOT_STATUS_UNKNOWN_SKU, allot_client_cell(f->viewer, S("NOPE"), S("WH-SH"), &stock));
    assert_status(ALLOT_STATUS_UNKNOWN_WAREHOUSE, allot_client_cell(f->viewer, S("SOFA"), S("WH-NOPE"), &stock));
    assert_status(ALLOT_STATUS_UNKNOWN_WAREHOUSE, allot_client_cell(f->viewer, S("SOFA"), NULL, 0, &stock));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_cell(f->logistics, S("SOFA"), S("WH-SH"), &stock));
    assert_sentinel_stock(&stock);

    /* An unknown region prefix is an empty view, not an error; a never-stocked cell is zeros. */
    assert_ok(allot_client_stock_in_region(f->viewer, S("SOFA"), S("99"), &stock));
    assert_int_equal(0, stock.on_hand);
    assert_ok(allot_client_cell(f->viewer, S("LAMP"), S("WH-BJ"), &stock));
    assert_int_equal(0, stock.on_hand);
}

/* ---------------------------------------------------------------------------------------- */
/* Reservations */

static void reserve_refuses_bad_orders_lines_options_and_roles(void **state) {
    fixture *f = *state;
    allot_reservation *held = SENTINEL_PTR;
    const allot_order_line one = {S("SOFA"), 1};
    char *long_id = filled(ALLOT_ORDER_ID_BYTES_MAX + 1);

    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_reserve(NULL, S("O"), &one, 1, NULL, &held));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_reserve(f->orders, NULL, 3, &one, 1, NULL, &held));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_reserve(f->orders, NULL, 0, &one, 1, NULL, &held));
    assert_message_contains("order id is empty");
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_reserve(f->orders, S(BAD_UTF8), &one, 1, NULL, &held));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_reserve(f->orders, S("O\x01"), &one, 1, NULL, &held));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED,
                  allot_client_reserve(f->orders, long_id, ALLOT_ORDER_ID_BYTES_MAX + 1, &one, 1, NULL, &held));
    assert_message_contains("ORDER_ID_BYTES_MAX");
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_reserve(f->orders, ONE_BYTE, SIZE_MAX, &one, 1, NULL, &held));

    /* Lines: none, NULL, too many (refused before the array is read), bad SKUs, bad quantities. */
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_reserve(f->orders, S("O"), &one, 0, NULL, &held));
    assert_message_contains("at least one line");
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_reserve(f->orders, S("O"), NULL, 0, NULL, &held));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_reserve(f->orders, S("O"), NULL, 2, NULL, &held));
    assert_message_contains("lines is NULL");
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED,
                  allot_client_reserve(f->orders, S("O"), &one, ALLOT_ORDER_LINES_MAX + 1, NULL, &held));
    assert_message_contains("ORDER_LINES_MAX");
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_reserve(f->orders, S("O"), &one, SIZE_MAX, NULL, &held));
    allot_order_line bad[2] = {{S("SOFA"), 1}, {NULL, 4, 1}};
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_reserve(f->orders, S("O"), bad, 2, NULL, &held));
    assert_message_contains("order line 1");
    bad[1] = (allot_order_line){S(BAD_UTF8), 1};
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_reserve(f->orders, S("O"), bad, 2, NULL, &held));
    bad[1] = (allot_order_line){ONE_BYTE, SIZE_MAX, 1};
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_reserve(f->orders, S("O"), bad, 2, NULL, &held));
    bad[1] = (allot_order_line){S("NOPE"), 1};
    assert_status(ALLOT_STATUS_UNKNOWN_SKU, allot_client_reserve(f->orders, S("O"), bad, 2, NULL, &held));
    bad[1] = (allot_order_line){NULL, 0, 1};
    assert_status(ALLOT_STATUS_UNKNOWN_SKU, allot_client_reserve(f->orders, S("O"), bad, 2, NULL, &held));
    bad[1] = (allot_order_line){S("LAMP"), 0};
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_reserve(f->orders, S("O"), bad, 2, NULL, &held));
    assert_message_contains("quantity 0");
    bad[1] = (allot_order_line){S("LAMP"), ALLOT_LINE_QTY_MAX + 1};
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_reserve(f->orders, S("O"), bad, 2, NULL, &held));
    assert_message_contains("LINE_QTY_MAX");
    bad[1] = (allot_order_line){S("LAMP"), UINT32_MAX};
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_reserve(f->orders, S("O"), bad, 2, NULL, &held));
    /* The largest legal quantity is refused only for want of stock. */
    bad[1] = (allot_order_line){S("LAMP"), ALLOT_LINE_QTY_MAX};
    assert_status(ALLOT_STATUS_INSUFFICIENT_STOCK, allot_client_reserve(f->orders, S("O"), bad, 2, NULL, &held));
    assert_message_contains("LAMP");
    /* More lines than fit on the stack, one of them bad: the heap path checks the same. */
    allot_order_line many[ALLOT_ORDER_LINES_MAX];
    for (size_t i = 0; i < ALLOT_ORDER_LINES_MAX; i++) {
        many[i] = (allot_order_line){S("SOFA"), 1};
    }
    many[100] = (allot_order_line){S(OVERLONG), 1};
    assert_status(ALLOT_STATUS_INVALID_INPUT,
                  allot_client_reserve(f->orders, S("O"), many, ALLOT_ORDER_LINES_MAX, NULL, &held));
    assert_message_contains("order line 100");

    /* Options. */
    allot_reserve_options options = {0};
    options.ship_to = NULL;
    options.ship_to_len = 3;
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_reserve(f->orders, S("O"), &one, 1, &options, &held));
    options = (allot_reserve_options){S(BAD_UTF8), 0, false};
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_reserve(f->orders, S("O"), &one, 1, &options, &held));
    options = (allot_reserve_options){S("31 00"), 0, false};
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_reserve(f->orders, S("O"), &one, 1, &options, &held));
    options = (allot_reserve_options){ONE_BYTE, SIZE_MAX, 0, false};
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_reserve(f->orders, S("O"), &one, 1, &options, &held));
    options = (allot_reserve_options){NULL, 0, ALLOT_TTL_MS_MAX + 1, false};
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_reserve(f->orders, S("O"), &one, 1, &options, &held));
    assert_message_contains("TTL_MS_MAX");
    options = (allot_reserve_options){NULL, 0, UINT64_MAX, false};
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_reserve(f->orders, S("O"), &one, 1, &options, &held));

    /* Roles: the warehouse, logistics and viewer roles may not reserve, whatever they send. */
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_reserve(f->warehouse, S("O"), &one, 1, NULL, &held));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_reserve(f->viewer, S(BAD_UTF8), &one, 1, NULL, &held));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_reserve(f->logistics, S("O"), &one, SIZE_MAX, NULL, &held));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_reserve(f->viewer, S("O"), bad, 2, NULL, &held));
    assert_ptr_equal(SENTINEL_PTR, held);

    /* Nothing above held anything. */
    assert_int_equal(0, stock_of(f->viewer, "SOFA").reserved);
    assert_int_equal(0, stock_of(f->viewer, "LAMP").reserved);

    /* The same order id with other lines is a duplicate; the longest id and TTL are fine. */
    options = (allot_reserve_options){NULL, 0, ALLOT_TTL_MS_MAX, false};
    assert_ok(allot_client_reserve(f->orders, long_id, ALLOT_ORDER_ID_BYTES_MAX, &one, 1, &options, NULL));
    const allot_order_line two = {S("SOFA"), 2};
    assert_status(ALLOT_STATUS_DUPLICATE_ORDER,
                  allot_client_reserve(f->orders, long_id, ALLOT_ORDER_ID_BYTES_MAX, &two, 1, NULL, &held));
    assert_ptr_equal(SENTINEL_PTR, held);
    free(long_id);
}

static void commit_and_release_refuse_unknown_orders_and_illegal_transitions(void **state) {
    fixture *f = *state;
    allot_settled settled, untouched; /* memset, not assignment: padding must match too */
    memset(&settled, 0xab, sizeof settled);
    memset(&untouched, 0xab, sizeof untouched);
    char *long_id = filled(ALLOT_ORDER_ID_BYTES_MAX + 1);

    allot_status (*const settle[2])(const allot_client *, const char *, size_t, allot_settled *) = {
        allot_client_commit, allot_client_release};
    for (int i = 0; i < 2; i++) {
        assert_status(ALLOT_STATUS_INVALID_INPUT, settle[i](NULL, S("O"), &settled));
        assert_status(ALLOT_STATUS_INVALID_INPUT, settle[i](f->orders, NULL, 2, &settled));
        assert_status(ALLOT_STATUS_INVALID_INPUT, settle[i](f->orders, NULL, 0, &settled));
        assert_status(ALLOT_STATUS_INVALID_INPUT, settle[i](f->orders, S(BAD_UTF8), &settled));
        assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, settle[i](f->orders, long_id, ALLOT_ORDER_ID_BYTES_MAX + 1, &settled));
        assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, settle[i](f->orders, ONE_BYTE, SIZE_MAX, &settled));
        assert_status(ALLOT_STATUS_UNKNOWN_ORDER, settle[i](f->orders, S("NEVER"), &settled));
        assert_message_contains("NEVER");
        assert_status(ALLOT_STATUS_PERMISSION_DENIED, settle[i](f->viewer, S("NEVER"), &settled));
        assert_status(ALLOT_STATUS_PERMISSION_DENIED, settle[i](f->warehouse, S(BAD_UTF8), &settled));
    }
    const allot_order_line one = {S("SOFA"), 1};
    assert_ok(allot_client_reserve(f->orders, S("A"), &one, 1, NULL, NULL));
    assert_ok(allot_client_reserve(f->orders, S("B"), &one, 1, NULL, NULL));
    assert_ok(allot_client_commit(f->orders, S("A"), NULL));
    assert_ok(allot_client_release(f->orders, S("B"), NULL));
    assert_status(ALLOT_STATUS_ILLEGAL_TRANSITION, allot_client_release(f->orders, S("A"), &settled));
    assert_message_contains("committed");
    assert_status(ALLOT_STATUS_ILLEGAL_TRANSITION, allot_client_commit(f->orders, S("B"), &settled));
    assert_message_contains("released");
    assert_memory_equal(&untouched, &settled, sizeof settled);
    free(long_id);
}

static void reservation_lookup_and_handles_refuse_null(void **state) {
    fixture *f = *state;
    allot_reservation *found = SENTINEL_PTR;
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_reservation(NULL, S("O"), &found));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_reservation(f->orders, S("O"), NULL));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_reservation(f->orders, NULL, 1, &found));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_reservation(f->orders, NULL, 0, &found));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_reservation(f->orders, S(TRUNCATED), &found));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_reservation(f->orders, ONE_BYTE, SIZE_MAX, &found));
    assert_status(ALLOT_STATUS_UNKNOWN_ORDER, allot_client_reservation(f->orders, S("NEVER"), &found));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_reservation(f->logistics, S("NEVER"), &found));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_reservation(f->logistics, S("NEVER"), NULL));
    assert_ptr_equal(SENTINEL_PTR, found);

    allot_reservation_info info, untouched;
    memset(&info, 0xab, sizeof info);
    memset(&untouched, 0xab, sizeof untouched);
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_reservation_get_info(NULL, &info));
    assert_memory_equal(&untouched, &info, sizeof info);
    const allot_order_line one = {S("SOFA"), 1};
    allot_reservation *held = NULL;
    assert_ok(allot_client_reserve(f->orders, S("O"), &one, 1, NULL, &held));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_reservation_get_info(held, NULL));
    allot_reservation_free(held);
    allot_reservation_free(NULL);
}

/* ---------------------------------------------------------------------------------------- */
/* Events */

static void events_refuse_null_bad_batch_sizes_and_logistics(void **state) {
    fixture *f = *state;
    allot_events *events = SENTINEL_PTR;
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_events(NULL, 0, 10, &events));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_client_events(f->viewer, 0, 10, NULL));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_events(f->viewer, 0, 0, &events));
    assert_message_contains("EVENTS_BATCH_MAX");
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_events(f->viewer, 0, ALLOT_EVENTS_BATCH_MAX + 1, &events));
    assert_status(ALLOT_STATUS_LIMIT_EXCEEDED, allot_client_events(f->viewer, 0, SIZE_MAX, &events));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_events(f->logistics, 0, 10, &events));
    assert_status(ALLOT_STATUS_PERMISSION_DENIED, allot_client_events(f->logistics, 0, 10, NULL));
    assert_ptr_equal(SENTINEL_PTR, events);

    /* A cursor beyond the end is simply an empty batch; the batch limit itself is fine. */
    uint64_t last = 0;
    assert_ok(allot_engine_last_lsn(f->engine, &last));
    assert_ok(allot_client_events(f->viewer, last + 1000000, ALLOT_EVENTS_BATCH_MAX, &events));
    assert_int_equal(0, allot_events_count(events));
    allot_event event, untouched;
    memset(&event, 0xab, sizeof event);
    memset(&untouched, 0xab, sizeof untouched);
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_events_get(events, 0, &event));
    assert_message_contains("out of range");
    allot_events_free(events);

    assert_ok(allot_client_events(f->viewer, 0, 3, &events));
    assert_int_equal(3, allot_events_count(events));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_events_get(events, 3, &event));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_events_get(events, SIZE_MAX, &event));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_events_get(events, 0, NULL));
    assert_status(ALLOT_STATUS_INVALID_INPUT, allot_events_get(NULL, 0, &event));
    assert_memory_equal(&untouched, &event, sizeof event);
    assert_int_equal(0, allot_events_count(NULL));
    allot_events_free(events);
    allot_events_free(NULL);
}

/* ---------------------------------------------------------------------------------------- */
/* Use after close */

static void every_call_after_close_is_closed_and_handles_stay_readable(void **state) {
    fixture *f = *state;
    const allot_order_line one = {S("SOFA"), 2};
    allot_reservation *held = NULL;
    allot_events *events = NULL;
    assert_ok(allot_client_reserve(f->orders, S("BEFORE"), &one, 1, NULL, &held));
    assert_ok(allot_client_events(f->viewer, 0, 100, &events));
    size_t count = allot_events_count(events);

    assert_ok(allot_engine_close(f->engine));

    allot_stock stock = sentinel_stock();
    allot_settled settled;
    allot_reservation *found = SENTINEL_PTR;
    allot_events *late = SENTINEL_PTR;
    allot_client *client = SENTINEL_PTR;
    uint64_t lsn = 7;
    size_t expired = 7;
    assert_status(ALLOT_STATUS_CLOSED, allot_client_new(f->engine, ALLOT_ROLE_ADMIN, &client));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_add_warehouse(f->admin, S("WH-X"), S("1"), 1, true));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_update_warehouse(f->admin, S("WH-SH"), 1, true));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_add_sku(f->admin, S("NEW"), S("c")));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_set_buffer(f->admin, S("SOFA"), NULL, 0, ALLOT_BUFFER_UNITS, 1));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_set_stock(f->warehouse, S("SOFA"), S("WH-SH"), 1, &stock));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_receive(f->warehouse, S("SOFA"), S("WH-SH"), 1, &stock));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_adjust(f->warehouse, S("SOFA"), S("WH-SH"), 1, S("x"), &stock));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_expect_inbound(f->warehouse, S("SOFA"), S("WH-SH"), 1, &stock));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_land_inbound(f->warehouse, S("SOFA"), S("WH-SH"), 1, &stock));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_stock(f->viewer, S("SOFA"), &stock));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_stock_in_region(f->viewer, S("SOFA"), S("31"), &stock));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_cell(f->viewer, S("SOFA"), S("WH-SH"), &stock));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_reserve(f->orders, S("AFTER"), &one, 1, NULL, &found));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_commit(f->orders, S("BEFORE"), &settled));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_release(f->orders, S("BEFORE"), &settled));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_reservation(f->orders, S("BEFORE"), &found));
    assert_status(ALLOT_STATUS_CLOSED, allot_client_events(f->viewer, 0, 10, &late));
    assert_status(ALLOT_STATUS_CLOSED, allot_engine_checkpoint(f->engine, &lsn));
    assert_status(ALLOT_STATUS_CLOSED, allot_engine_expire_due(f->engine, &expired));
    assert_status(ALLOT_STATUS_CLOSED, allot_engine_advance_time(f->engine, 1, &expired));
    assert_status(ALLOT_STATUS_CLOSED, allot_engine_last_lsn(f->engine, &lsn));
    assert_status(ALLOT_STATUS_CLOSED, allot_engine_now_ms(f->engine, &lsn));
    /* Closed whatever the input: a closed engine is the first thing checked. */
    assert_status(ALLOT_STATUS_CLOSED, allot_client_add_sku(f->logistics, S("NEW"), S("c")));
    assert_sentinel_stock(&stock);
    assert_ptr_equal(SENTINEL_PTR, found);
    assert_ptr_equal(SENTINEL_PTR, late);
    assert_ptr_equal(SENTINEL_PTR, client);
    assert_int_equal(7, lsn);
    assert_int_equal(7, expired);

    /* Snapshots taken before the close are still the caller's to read. */
    allot_reservation_info info;
    assert_ok(allot_reservation_get_info(held, &info));
    assert_text("BEFORE", info.order_id, info.order_id_len);
    allot_event event;
    assert_ok(allot_events_get(events, count - 1, &event));
    assert_int_equal(ALLOT_EVENT_KIND_RESERVE, event.kind);
    allot_reservation_free(held);
    allot_events_free(events);
    /* The fixture's teardown closes again (harmless) and frees. */
}

int run_bad_input_tests(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(status_name_names_every_code_and_nothing_else),
        cmocka_unit_test(last_error_message_is_per_thread_and_survives_success),
        cmocka_unit_test(version_matches_the_macros),
        cmocka_unit_test(engine_options_default_fills_the_documented_defaults),
        cmocka_unit_test(engine_open_refuses_bad_paths_options_and_a_locked_directory),
        cmocka_unit_test(engine_open_in_memory_refuses_bad_options),
        cmocka_unit_test(engine_close_and_free_accept_null_and_repeats),
        cmocka_unit_test_setup_teardown(engine_housekeeping_refuses_null_and_closed, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(client_new_refuses_null_unknown_roles_and_closed, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(add_warehouse_checks_codes_limits_duplicates_and_role, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(update_warehouse_checks_codes_and_role, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(add_sku_checks_codes_categories_and_role, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(set_buffer_checks_kinds_values_codes_and_role, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(set_stock_refuses_bad_input_and_going_below_reserved, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(receive_refuses_zero_and_overflowing_the_cell, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(adjust_refuses_zero_huge_deltas_and_bad_reasons, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(expect_inbound_refuses_zero_and_overflow, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(land_inbound_refuses_zero_and_more_than_in_transit, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(stock_reads_refuse_null_outs_unknown_codes_and_logistics, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(reserve_refuses_bad_orders_lines_options_and_roles, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(commit_and_release_refuse_unknown_orders_and_illegal_transitions, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(reservation_lookup_and_handles_refuse_null, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(events_refuse_null_bad_batch_sizes_and_logistics, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(every_call_after_close_is_closed_and_handles_stay_readable, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests_name("bad input", tests, NULL, NULL);
}
