/*
 * Proves that an engine is not usable across fork(): a child forked while an engine is open
 * gets ALLOT_STATUS_WRONG_PROCESS from every call through the handles it inherited, its
 * reserve with ALLOT_SYNC_MODE_ALWAYS included, and its close and frees change nothing; the
 * parent reserves, closes and reopens as if there had been no child, and the reopened
 * directory has the parent's orders and not the child's. The child reports through its exit
 * status (cmocka's assertions belong to the parent) and ends with _exit, so it runs nothing
 * of the parent's at exit. Under valgrind the child turns the leak check off for itself: it
 * leaks its copy of the engine by design (valgrind.h's request is a no-op elsewhere), and its
 * memory errors still count.
 */
#include "support.h"

#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <valgrind/valgrind.h>

/* What the child checks; its exit status is the number of the first check that failed. */
enum child_check {
    CHILD_OK = 0,
    CHILD_RESERVE_NOT_REFUSED,
    CHILD_MESSAGE_UNHELPFUL,
    CHILD_CLOSE_NOT_REFUSED,
    CHILD_STILL_NOT_REFUSED_AFTER_CLOSE,
    CHILD_CLIENT_NEW_NOT_REFUSED,
    CHILD_ENGINE_CALL_NOT_REFUSED,
    CHILD_OUTPUT_WRITTEN,
};

static const char *const CHILD_CHECKS[] = {
    "ok",
    "reserve was not refused as WRONG_PROCESS",
    "the message does not tell the child what to do",
    "close was not refused as WRONG_PROCESS",
    "a reserve after the refused close was not WRONG_PROCESS",
    "allot_client_new was not refused as WRONG_PROCESS",
    "allot_engine_last_lsn was not refused as WRONG_PROCESS",
    "a refused call wrote an output",
};

/* The child's side: only allot_ calls on inherited handles, then a status for the parent. */
static int child_checks(allot_engine *engine, allot_client *orders, allot_client *viewer) {
    VALGRIND_CLO_CHANGE("--leak-check=no");
    const allot_order_line one = {S("SOFA"), 1};
    allot_reservation *held = SENTINEL_PTR;
    if (allot_client_reserve(orders, S("CHILD-1"), &one, 1, NULL, &held) != ALLOT_STATUS_WRONG_PROCESS) {
        return CHILD_RESERVE_NOT_REFUSED;
    }
    if (strstr(allot_last_error_message(), "forked child") == NULL ||
        strstr(allot_last_error_message(), "open the engine in the child") == NULL) {
        return CHILD_MESSAGE_UNHELPFUL;
    }
    if (allot_engine_close(engine) != ALLOT_STATUS_WRONG_PROCESS) {
        return CHILD_CLOSE_NOT_REFUSED;
    }
    if (allot_client_reserve(orders, S("CHILD-2"), &one, 1, NULL, &held) != ALLOT_STATUS_WRONG_PROCESS) {
        return CHILD_STILL_NOT_REFUSED_AFTER_CLOSE;
    }
    allot_client *client = SENTINEL_PTR;
    if (allot_client_new(engine, ALLOT_ROLE_ADMIN, &client) != ALLOT_STATUS_WRONG_PROCESS) {
        return CHILD_CLIENT_NEW_NOT_REFUSED;
    }
    uint64_t lsn = 7;
    if (allot_engine_last_lsn(engine, &lsn) != ALLOT_STATUS_WRONG_PROCESS) {
        return CHILD_ENGINE_CALL_NOT_REFUSED;
    }
    if (held != SENTINEL_PTR || client != SENTINEL_PTR || lsn != 7) {
        return CHILD_OUTPUT_WRITTEN;
    }
    /* Freeing inherited handles frees the handles only: the engine's state is the parent's. */
    allot_client_free(viewer);
    allot_client_free(orders);
    allot_engine_free(engine);
    return CHILD_OK;
}

static void a_forked_child_cannot_reserve_and_the_parent_never_notices(void **state) {
    (void)state;
    char *dir = temp_dir();
    allot_engine_options options;
    test_options(&options);
    options.sync = ALLOT_SYNC_MODE_ALWAYS;
    allot_engine *engine = NULL;
    allot_client *admin = NULL;
    allot_client *orders = NULL;
    allot_client *viewer = NULL;
    assert_ok(allot_engine_open(dir, strlen(dir), &options, &engine));
    assert_ok(allot_client_new(engine, ALLOT_ROLE_ADMIN, &admin));
    assert_ok(allot_client_new(engine, ALLOT_ROLE_ORDERS, &orders));
    assert_ok(allot_client_new(engine, ALLOT_ROLE_VIEWER, &viewer));
    assert_ok(allot_client_add_warehouse(admin, S("WH-SH"), S("310000"), 1, true));
    assert_ok(allot_client_add_sku(admin, S("SOFA"), S("furniture")));
    assert_ok(allot_client_set_stock(admin, S("SOFA"), S("WH-SH"), 10, NULL));
    const allot_order_line one = {S("SOFA"), 1};
    assert_ok(allot_client_reserve(orders, S("PARENT-1"), &one, 1, NULL, NULL));
    uint64_t lsn_before = 0;
    assert_ok(allot_engine_last_lsn(engine, &lsn_before));

    fflush(NULL); /* nothing buffered is written twice */
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        _exit(child_checks(engine, orders, viewer));
    }
    int status = 0;
    assert_int_equal(child, waitpid(child, &status, 0));
    assert_true(WIFEXITED(status));
    int check = WEXITSTATUS(status);
    if (check != CHILD_OK) {
        const char *what = (size_t)check < sizeof CHILD_CHECKS / sizeof CHILD_CHECKS[0] ? CHILD_CHECKS[check]
                                                                                       : "unknown";
        fail_msg("the child exited with %d: %s", check, what);
    }

    /* The parent's engine is as it was: the next LSN is its own, the reserve is durable. */
    uint64_t lsn_after = 0;
    assert_ok(allot_engine_last_lsn(engine, &lsn_after));
    assert_int_equal(lsn_before, lsn_after);
    allot_reservation *held = NULL;
    assert_ok(allot_client_reserve(orders, S("PARENT-2"), &one, 1, NULL, &held));
    allot_reservation_info info;
    assert_ok(allot_reservation_get_info(held, &info));
    assert_int_equal(lsn_before + 1, info.lsn);
    allot_reservation_free(held);
    allot_client_free(admin);
    allot_client_free(orders);
    allot_client_free(viewer);
    assert_ok(allot_engine_close(engine));
    allot_engine_free(engine);

    engine = NULL;
    viewer = NULL;
    assert_ok(allot_engine_open(dir, strlen(dir), &options, &engine));
    assert_ok(allot_client_new(engine, ALLOT_ROLE_VIEWER, &viewer));
    allot_reservation *found = NULL;
    assert_status(ALLOT_STATUS_UNKNOWN_ORDER, allot_client_reservation(viewer, S("CHILD-1"), &found));
    assert_ok(allot_client_reservation(viewer, S("PARENT-1"), &found));
    allot_reservation_free(found);
    found = NULL;
    assert_ok(allot_client_reservation(viewer, S("PARENT-2"), &found));
    allot_reservation_free(found);
    assert_int_equal(2, stock_of(viewer, "SOFA").reserved);
    allot_client_free(viewer);
    assert_ok(allot_engine_close(engine));
    allot_engine_free(engine);
    remove_dir(dir);
}

int run_fork_tests(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_forked_child_cannot_reserve_and_the_parent_never_notices),
    };
    return cmocka_run_group_tests_name("fork", tests, NULL, NULL);
}
