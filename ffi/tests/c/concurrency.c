/*
 * Proves that one engine can be shared by threads through the C face: eight threads (half
 * with a client each, half sharing one client) racing to sell out one SKU stocked in two
 * warehouses reserve exactly its stock, never a unit more, and every thread learns the end as
 * ALLOT_STATUS_INSUFFICIENT_STOCK; and an engine closed while threads reserve on a data
 * directory answers them ALLOT_STATUS_CLOSED from then on, having kept exactly the
 * reservations it acknowledged, as a reopen shows. Threads start together at a barrier and
 * the closing thread waits on an atomic counter: no sleeps.
 */
#include "support.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#define THREADS 8
#define HOT_SHANGHAI 300
#define HOT_BEIJING 200

typedef struct racer {
    const allot_client *client;
    pthread_barrier_t *start;
    int id;
    atomic_int *progress;     /* reservations made so far, by every racer */
    long reserved;            /* this racer's successes */
    allot_status last_status; /* what ended its loop */
} racer;

static void *sell(void *arg) {
    racer *r = arg;
    const allot_order_line line[] = {{S("HOT"), 1}};
    char order[32];
    pthread_barrier_wait(r->start);
    for (long n = 0;; n++) {
        snprintf(order, sizeof order, "T%d-%ld", r->id, n);
        allot_status status = allot_client_reserve(r->client, order, strlen(order), line, 1, NULL, NULL);
        if (status != ALLOT_STATUS_OK) {
            r->last_status = status;
            return NULL;
        }
        r->reserved++;
        atomic_fetch_add(r->progress, 1);
    }
}

static void threads_sell_out_one_sku_exactly(void **state) {
    fixture *f = *state;
    assert_ok(allot_client_add_sku(f->admin, S("HOT"), S("flash sale")));
    assert_ok(allot_client_set_stock(f->admin, S("HOT"), S("WH-SH"), HOT_SHANGHAI, NULL));
    assert_ok(allot_client_set_stock(f->admin, S("HOT"), S("WH-BJ"), HOT_BEIJING, NULL));

    pthread_barrier_t start;
    assert_int_equal(0, pthread_barrier_init(&start, NULL, THREADS));
    atomic_int progress = 0;
    allot_client *own[THREADS] = {0};
    racer racers[THREADS];
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        if (i % 2 == 0) {
            assert_ok(allot_client_new(f->engine, ALLOT_ROLE_ORDERS, &own[i]));
        }
        racers[i] = (racer){i % 2 == 0 ? own[i] : f->orders, &start, i, &progress, 0, ALLOT_STATUS_OK};
        assert_int_equal(0, pthread_create(&threads[i], NULL, sell, &racers[i]));
    }
    long total = 0;
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(0, pthread_join(threads[i], NULL));
        assert_status(ALLOT_STATUS_INSUFFICIENT_STOCK, racers[i].last_status);
        total += racers[i].reserved;
        allot_client_free(own[i]);
    }
    pthread_barrier_destroy(&start);

    assert_int_equal(HOT_SHANGHAI + HOT_BEIJING, total);
    assert_int_equal(total, atomic_load(&progress));
    allot_stock stock = stock_of(f->viewer, "HOT");
    assert_int_equal(HOT_SHANGHAI + HOT_BEIJING, stock.reserved);
    assert_int_equal(HOT_SHANGHAI + HOT_BEIJING, stock.on_hand);
    assert_int_equal(0, stock.available);
    assert_ok(allot_client_cell(f->viewer, S("HOT"), S("WH-SH"), &stock));
    assert_int_equal(HOT_SHANGHAI, stock.reserved);
    assert_ok(allot_client_cell(f->viewer, S("HOT"), S("WH-BJ"), &stock));
    assert_int_equal(HOT_BEIJING, stock.reserved);
    /* Every success is a reservation the engine can name; the next one was never made. */
    char order[32];
    for (int i = 0; i < THREADS; i++) {
        allot_reservation *found = NULL;
        if (racers[i].reserved > 0) {
            snprintf(order, sizeof order, "T%d-%ld", i, racers[i].reserved - 1);
            assert_ok(allot_client_reservation(f->viewer, order, strlen(order), &found));
            allot_reservation_free(found);
        }
        snprintf(order, sizeof order, "T%d-%ld", i, racers[i].reserved);
        assert_status(ALLOT_STATUS_UNKNOWN_ORDER, allot_client_reservation(f->viewer, order, strlen(order), &found));
    }
}

#define CLOSERS 4
#define CLOSE_AFTER 200

static void close_while_reserving_keeps_exactly_what_it_acknowledged(void **state) {
    (void)state;
    char *dir = temp_dir();
    allot_engine_options options;
    test_options(&options);
    /* Sync none: an acknowledged reserve is one that appended; close flushes every append. */
    options.sync = ALLOT_SYNC_MODE_NONE;
    allot_engine *engine = NULL;
    allot_client *admin = NULL;
    assert_ok(allot_engine_open(dir, strlen(dir), &options, &engine));
    assert_ok(allot_client_new(engine, ALLOT_ROLE_ADMIN, &admin));
    assert_ok(allot_client_add_warehouse(admin, S("WH"), S("310000"), 1, true));
    assert_ok(allot_client_add_sku(admin, S("HOT"), S("")));
    assert_ok(allot_client_set_stock(admin, S("HOT"), S("WH"), ALLOT_CELL_UNITS_MAX, NULL));

    pthread_barrier_t start;
    assert_int_equal(0, pthread_barrier_init(&start, NULL, CLOSERS + 1));
    atomic_int progress = 0;
    racer racers[CLOSERS];
    pthread_t threads[CLOSERS];
    for (int i = 0; i < CLOSERS; i++) {
        racers[i] = (racer){admin, &start, i, &progress, 0, ALLOT_STATUS_OK};
        assert_int_equal(0, pthread_create(&threads[i], NULL, sell, &racers[i]));
    }
    pthread_barrier_wait(&start);
    /* Close once the racers are well under way (they only stop when the engine is closed). */
    while (atomic_load(&progress) < CLOSE_AFTER) {
        sched_yield();
    }
    assert_ok(allot_engine_close(engine));
    long acknowledged = 0;
    for (int i = 0; i < CLOSERS; i++) {
        assert_int_equal(0, pthread_join(threads[i], NULL));
        assert_status(ALLOT_STATUS_CLOSED, racers[i].last_status);
        acknowledged += racers[i].reserved;
    }
    pthread_barrier_destroy(&start);
    assert_true(acknowledged >= CLOSE_AFTER);
    allot_client_free(admin);
    allot_engine_free(engine);

    engine = NULL;
    allot_client *viewer = NULL;
    assert_ok(allot_engine_open(dir, strlen(dir), &options, &engine));
    assert_ok(allot_client_new(engine, ALLOT_ROLE_VIEWER, &viewer));
    assert_int_equal(acknowledged, stock_of(viewer, "HOT").reserved);
    allot_client_free(viewer);
    allot_engine_free(engine);
    remove_dir(dir);
}

int run_concurrency_tests(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(threads_sell_out_one_sku_exactly, fixture_setup, fixture_teardown),
        cmocka_unit_test(close_while_reserving_keeps_exactly_what_it_acknowledged),
    };
    return cmocka_run_group_tests_name("concurrency", tests, NULL, NULL);
}
