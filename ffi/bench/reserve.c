/*
 * Reservation throughput through the C face, on the workload of benches/reserve.rs
 * (reserve_none/uniform_1t): 100,000 SKUs with 1,000,000 units each in one warehouse, sync mode
 * none, one thread, single-line reservations of 1 unit of a uniformly random SKU, a fresh order
 * id each. ffi/bench/rust_reserve.rs runs the same loop (same RNG, same order ids, same counts)
 * through the Rust API, so the two figures compare the faces and nothing else.
 *
 *   ffi/bench/run.sh                      (builds this against liballot.a and runs both)
 *   reserve [DATA_DIR] [PER_ROUND] [ROUNDS]
 *
 * Prints one line per round and the medians, in reservations per second: by wall time, and by
 * the thread's CPU time (which a busy machine disturbs far less, as it leaves out the time the
 * thread waited for a core).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "allot.h"

#define SKUS 100000
#define STOCK 1000000
#define WARM_UP 100000

static void check(allot_status status, const char *what) {
    if (status != ALLOT_STATUS_OK) {
        fprintf(stderr, "reserve: %s: %s: %s\n", what, allot_status_name(status), allot_last_error_message());
        exit(1);
    }
}

/* xorshift64*: the same generator, seed and reduction as rust_reserve.rs. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t next_sku(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32) % SKUS;
}

/* Writes `prefix` and the decimal digits of `n` into `out`; returns the length. Both faces
 * format order ids with this same loop, so neither pays for a general formatter. */
static size_t format_id(char *out, char prefix, uint64_t n) {
    char digits[20];
    size_t len = 0;
    do {
        digits[len++] = (char)('0' + n % 10);
        n /= 10;
    } while (n > 0);
    out[0] = prefix;
    for (size_t i = 0; i < len; i++) {
        out[1 + i] = digits[len - 1 - i];
    }
    return len + 1;
}

static double seconds(clockid_t clock) {
    struct timespec now;
    clock_gettime(clock, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "target/bench-c";
    long per_round = argc > 2 ? atol(argv[2]) : 400000;
    int rounds = argc > 3 ? atoi(argv[3]) : 5;

    allot_engine_options options;
    check(allot_engine_options_default(&options), "options");
    options.sync = ALLOT_SYNC_MODE_NONE;
    options.checkpoint_every_bytes = 0;
    allot_engine *engine = NULL;
    check(allot_engine_open(dir, strlen(dir), &options, &engine), "open");
    allot_client *admin = NULL, *orders = NULL;
    check(allot_client_new(engine, ALLOT_ROLE_ADMIN, &admin), "admin");
    check(allot_client_new(engine, ALLOT_ROLE_ORDERS, &orders), "orders");

    /* The SKU codes ("s0" to "s99999") in one 8-byte slot each, like rust_reserve.rs's. */
    static struct code {
        char text[7];
        uint8_t len;
    } codes[SKUS];
    check(allot_client_add_warehouse(admin, "WH", 2, "310000", 6, 1, true), "warehouse");
    for (uint32_t i = 0; i < SKUS; i++) {
        char text[24];
        codes[i].len = (uint8_t)format_id(text, 's', i);
        memcpy(codes[i].text, text, codes[i].len);
        check(allot_client_add_sku(admin, codes[i].text, codes[i].len, "bench", 5), "sku");
        check(allot_client_set_stock(admin, codes[i].text, codes[i].len, "WH", 2, STOCK, NULL), "stock");
    }

    char order[24];
    uint64_t next_order = 0;
    allot_order_line line = {NULL, 0, 1};
    for (long i = 0; i < WARM_UP; i++) {
        uint32_t sku = next_sku();
        line.sku = codes[sku].text;
        line.sku_len = codes[sku].len;
        size_t order_len = format_id(order, 'o', next_order++);
        check(allot_client_reserve(orders, order, order_len, &line, 1, NULL, NULL), "reserve");
    }
    double *rates = calloc((size_t)rounds, sizeof *rates);
    double *cpu_rates = calloc((size_t)rounds, sizeof *cpu_rates);
    for (int round = 0; round < rounds; round++) {
        double started = seconds(CLOCK_MONOTONIC);
        double cpu_started = seconds(CLOCK_THREAD_CPUTIME_ID);
        for (long i = 0; i < per_round; i++) {
            uint32_t sku = next_sku();
            line.sku = codes[sku].text;
            line.sku_len = codes[sku].len;
            size_t order_len = format_id(order, 'o', next_order++);
            check(allot_client_reserve(orders, order, order_len, &line, 1, NULL, NULL), "reserve");
        }
        cpu_rates[round] = (double)per_round / (seconds(CLOCK_THREAD_CPUTIME_ID) - cpu_started);
        rates[round] = (double)per_round / (seconds(CLOCK_MONOTONIC) - started);
        printf("c    round %d: %.0f reservations/s (cpu %.0f)\n", round + 1, rates[round], cpu_rates[round]);
    }
    qsort(rates, (size_t)rounds, sizeof *rates, by_value);
    qsort(cpu_rates, (size_t)rounds, sizeof *cpu_rates, by_value);
    printf("c    median: %.0f reservations/s (cpu %.0f; %d rounds of %ld after %d warm-up)\n", rates[rounds / 2],
           cpu_rates[rounds / 2], rounds, per_round, WARM_UP);
    free(rates);
    free(cpu_rates);

    check(allot_engine_close(engine), "close");
    allot_client_free(orders);
    allot_client_free(admin);
    allot_engine_free(engine);
    return 0;
}
