/*
 * Shared helpers of the C suites: status assertions that print the library's message, a
 * standard in-memory fixture (a manual clock, two warehouses, a few SKUs, a client per role),
 * and temporary data directories. Included first by every test file.
 */
#ifndef ALLOT_TEST_SUPPORT_H
#define ALLOT_TEST_SUPPORT_H

/* mkdtemp, nftw, pthread barriers and sched_yield under -std=c11. */
#define _XOPEN_SOURCE 700

#include <setjmp.h> /* cmocka needs these four before its header */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "allot.h"

/* A string literal as the (pointer, length) pair the library takes. */
#define S(literal) (literal), (sizeof(literal) - 1)

/* An out_ handle value that a failing call must leave as it is. */
#define SENTINEL_PTR ((void *)(uintptr_t)0x5a5a5a5a)

/* Asserts that `call` returns `expected`, printing both names and the last error if not. */
#define assert_status(expected, call)                                                          \
    do {                                                                                       \
        allot_status got_ = (call);                                                            \
        allot_status want_ = (expected);                                                       \
        if (got_ != want_) {                                                                   \
            fail_msg("%s\n  returned %s (%u), expected %s (%u): %s", #call,                    \
                     allot_status_name(got_), (unsigned)got_, allot_status_name(want_),        \
                     (unsigned)want_, allot_last_error_message());                             \
        }                                                                                      \
    } while (0)

#define assert_ok(call) assert_status(ALLOT_STATUS_OK, call)

/* Asserts that the calling thread's last error message contains `needle`. */
#define assert_message_contains(needle)                                                        \
    do {                                                                                       \
        const char *message_ = allot_last_error_message();                                     \
        if (strstr(message_, (needle)) == NULL) {                                              \
            fail_msg("last error %s does not contain %s", message_, (needle));                 \
        }                                                                                      \
    } while (0)

/* Asserts that a (pointer, length) string out of the library equals `expected` and is
 * NUL-terminated at its length. */
#define assert_text(expected, ptr, len)                                                        \
    do {                                                                                       \
        assert_non_null(ptr);                                                                  \
        assert_int_equal(strlen(expected), (len));                                             \
        assert_memory_equal((expected), (ptr), (len));                                         \
        assert_int_equal('\0', (ptr)[(len)]);                                                  \
    } while (0)

/* The standard fixture: an in-memory engine with a manual clock at START_MS, warehouses WH-SH
 * (region 310000, priority 1) and WH-BJ (110000, priority 2), SKUs SOFA (100 in WH-SH, 50 in
 * WH-BJ), LAMP (10 in WH-SH), and CHAIR (none anywhere), and a client per role. */
#define START_MS 1700000000000ull
#define TTL_MS 60000ull

typedef struct fixture {
    allot_engine *engine;
    allot_client *admin;
    allot_client *orders;
    allot_client *warehouse;
    allot_client *logistics;
    allot_client *viewer;
} fixture;

int fixture_setup(void **state);
int fixture_teardown(void **state);

/* The order pipeline's fixture: the standard one, plus warehouse WH-GZ (440100, priority 3)
 * and the SKUs of the channel examples (SOFA-3P-GREY, CUSHION-45, KETTLE-1.7L, MUG-350), 50
 * of each in each of the three warehouses. */
int pipeline_setup(void **state);

/* Adds the pipeline fixture's warehouses, SKUs and stock through `admin` (an admin client of a
 * fresh engine). */
void stock_pipeline_catalogue(const allot_client *admin);

/* The marketplace examples of core/src/order/adapters.rs, as tests/orders.rs takes them in. */
extern const char TAOBAO_PAYLOAD[];
extern const char JD_PAYLOAD[];
extern const char PDD_PAYLOAD[];

/* A paid order form of `channel` / `id` for buyer `buyer` with phone `phone`, shipping one
 * MUG-350 at 100 fen to the street `id` in Shanghai; its strings point at static or caller
 * storage. */
allot_order_form pipeline_form(const char *channel, const char *id, const char *buyer, const char *phone);

/* The info of an order handle, and of the order under `key` (which must exist). */
allot_order_info order_info_of(const allot_order *order);
allot_order_state order_state_of(const allot_client *client, const char *key);

/* Fills `options` for a manual clock at START_MS with a TTL_MS default TTL and small
 * segments. */
void test_options(allot_engine_options *options);

/* A new, empty temporary directory (the caller frees the string) and its recursive removal. */
char *temp_dir(void);
void remove_dir(char *path);

/* The stock of a SKU over every warehouse. */
allot_stock stock_of(const allot_client *client, const char *sku);

/* The groups, one per test file. */
int run_bad_input_tests(void);
int run_flow_tests(void);
int run_event_tests(void);
int run_concurrency_tests(void);
int run_pipeline_tests(void);
int run_rules_tests(void);
int run_pipeline_bad_input_tests(void);
int run_hostile_text_tests(void);
int run_fork_tests(void);

#endif
