/*
 * The shared fixture and helpers of the C suites (see support.h). Proves nothing by itself;
 * every check of the library lives in the test files.
 */
#include "support.h"

#include <ftw.h>
#include <stdlib.h>
#include <unistd.h>

void test_options(allot_engine_options *options) {
    assert_ok(allot_engine_options_default(options));
    options->clock = ALLOT_CLOCK_MANUAL;
    options->clock_start_ms = START_MS;
    options->default_ttl_ms = TTL_MS;
    options->segment_bytes = 1u << 20;
}

static allot_client *client_of(allot_engine *engine, allot_role role) {
    allot_client *client = NULL;
    assert_ok(allot_client_new(engine, role, &client));
    assert_non_null(client);
    return client;
}

int fixture_setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    allot_engine_options options;
    test_options(&options);
    assert_ok(allot_engine_open_in_memory(&options, &f->engine));
    f->admin = client_of(f->engine, ALLOT_ROLE_ADMIN);
    f->orders = client_of(f->engine, ALLOT_ROLE_ORDERS);
    f->warehouse = client_of(f->engine, ALLOT_ROLE_WAREHOUSE);
    f->logistics = client_of(f->engine, ALLOT_ROLE_LOGISTICS);
    f->viewer = client_of(f->engine, ALLOT_ROLE_VIEWER);

    assert_ok(allot_client_add_warehouse(f->admin, S("WH-SH"), S("310000"), 1, true));
    assert_ok(allot_client_add_warehouse(f->admin, S("WH-BJ"), S("110000"), 2, true));
    assert_ok(allot_client_add_sku(f->admin, S("SOFA"), S("furniture")));
    assert_ok(allot_client_add_sku(f->admin, S("LAMP"), S("lighting")));
    assert_ok(allot_client_add_sku(f->admin, S("CHAIR"), S("furniture")));
    assert_ok(allot_client_set_stock(f->warehouse, S("SOFA"), S("WH-SH"), 100, NULL));
    assert_ok(allot_client_set_stock(f->warehouse, S("SOFA"), S("WH-BJ"), 50, NULL));
    assert_ok(allot_client_set_stock(f->warehouse, S("LAMP"), S("WH-SH"), 10, NULL));
    *state = f;
    return 0;
}

int fixture_teardown(void **state) {
    fixture *f = *state;
    allot_client_free(f->admin);
    allot_client_free(f->orders);
    allot_client_free(f->warehouse);
    allot_client_free(f->logistics);
    allot_client_free(f->viewer);
    assert_ok(allot_engine_close(f->engine));
    allot_engine_free(f->engine);
    free(f);
    return 0;
}

char *temp_dir(void) {
    const char *base = getenv("TMPDIR");
    if (base == NULL || base[0] == '\0') {
        base = "/tmp";
    }
    size_t size = strlen(base) + sizeof("/allot-c-XXXXXX");
    char *path = malloc(size);
    assert_non_null(path);
    snprintf(path, size, "%s/allot-c-XXXXXX", base);
    assert_non_null(mkdtemp(path));
    return path;
}

static int remove_entry(const char *path, const struct stat *info, int flag, struct FTW *walk) {
    (void)info;
    (void)flag;
    (void)walk;
    return remove(path);
}

void remove_dir(char *path) {
    assert_int_equal(0, nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS));
    free(path);
}

allot_stock stock_of(const allot_client *client, const char *sku) {
    allot_stock stock;
    assert_ok(allot_client_stock(client, sku, strlen(sku), &stock));
    return stock;
}
