/*
 * erp.c: liballot from an ERP's point of view, start to finish. Copy it.
 *
 *   cc -std=c11 -o erp erp.c $(pkg-config --cflags --libs allot)
 *   ./erp [DATA_DIR]          (default ./erp-data; LD_LIBRARY_PATH=PREFIX/lib if needed)
 *
 * It opens an engine on a data directory, loads the catalogue and the stock, reserves an
 * order, handles an order that cannot be served (ALLOT_STATUS_INSUFFICIENT_STOCK), commits the
 * first order when it ships, takes a marketplace order in through the order pipeline and ships
 * it, reads the events a channel sync would poll, and closes. Running it twice is fine: the
 * second run finds the catalogue and the orders already there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <allot.h>

/* A string literal as the (pointer, length) pair every liballot string argument is. */
#define S(literal) (literal), (sizeof(literal) - 1)

/* Stops the program on an unexpected status, with the library's explanation. */
static void check(allot_status status, const char *what) {
    if (status != ALLOT_STATUS_OK) {
        fprintf(stderr, "erp: %s failed: %s (%u): %s\n", what, allot_status_name(status), (unsigned)status,
                allot_last_error_message());
        exit(1);
    }
}

/* Catalogue calls that may find their work done by an earlier run. */
static void check_new(allot_status status, const char *what) {
    if (status != ALLOT_STATUS_ALREADY_EXISTS) {
        check(status, what);
    }
}

static void print_stock(const allot_client *client, const char *sku) {
    allot_stock stock;
    check(allot_client_stock(client, sku, strlen(sku), &stock), "stock");
    printf("  %-8s on hand %3llu  reserved %3llu  available %3llu\n", sku, (unsigned long long)stock.on_hand,
           (unsigned long long)stock.reserved, (unsigned long long)stock.available);
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "erp-data";
    printf("liballot %s (header %d.%d.%d), data in %s\n", allot_version(), ALLOT_VERSION_MAJOR,
           ALLOT_VERSION_MINOR, ALLOT_VERSION_PATCH, dir);

    /* 1. Open the engine. Every acknowledged write is on disk (ALLOT_SYNC_MODE_ALWAYS). */
    allot_engine_options options;
    check(allot_engine_options_default(&options), "options");
    options.sync = ALLOT_SYNC_MODE_ALWAYS;
    options.default_ttl_ms = 30 * 60 * 1000; /* unpaid orders give their stock back after 30 min */
    allot_engine *engine = NULL;
    check(allot_engine_open(dir, strlen(dir), &options, &engine), "open");

    /* One client per integration, each with its role's permissions. */
    allot_client *admin = NULL, *warehouse = NULL, *orders = NULL, *courier = NULL;
    check(allot_client_new(engine, ALLOT_ROLE_ADMIN, &admin), "admin client");
    check(allot_client_new(engine, ALLOT_ROLE_WAREHOUSE, &warehouse), "warehouse client");
    check(allot_client_new(engine, ALLOT_ROLE_ORDERS, &orders), "orders client");
    check(allot_client_new(engine, ALLOT_ROLE_LOGISTICS, &courier), "logistics client");

    /* 2. Catalogue and stock: two warehouses, two SKUs, a stocktake. */
    check_new(allot_client_add_warehouse(admin, S("WH-SH"), S("310000"), 1, true), "add WH-SH");
    check_new(allot_client_add_warehouse(admin, S("WH-BJ"), S("110000"), 2, true), "add WH-BJ");
    check_new(allot_client_add_sku(admin, S("SOFA-3P"), S("furniture")), "add SOFA-3P");
    check_new(allot_client_add_sku(admin, S("LAMP-01"), S("lighting")), "add LAMP-01");
    check(allot_client_set_stock(warehouse, S("SOFA-3P"), S("WH-SH"), 20, NULL), "stocktake");
    check(allot_client_set_stock(warehouse, S("SOFA-3P"), S("WH-BJ"), 5, NULL), "stocktake");
    check(allot_client_set_stock(warehouse, S("LAMP-01"), S("WH-SH"), 40, NULL), "stocktake");
    puts("stock loaded:");
    print_stock(orders, "SOFA-3P");
    print_stock(orders, "LAMP-01");

    /* 3. An order arrives: reserve all its lines or none, near the buyer in Shanghai. */
    const allot_order_line lines[] = {
        {S("SOFA-3P"), 2},
        {S("LAMP-01"), 3},
    };
    allot_reserve_options ship = {0}; /* zeroed: the defaults */
    ship.ship_to = "310105";
    ship.ship_to_len = strlen(ship.ship_to);
    allot_reservation *reservation = NULL;
    check(allot_client_reserve(orders, S("ORD-1001"), lines, 2, &ship, &reservation), "reserve ORD-1001");
    allot_reservation_info info;
    check(allot_reservation_get_info(reservation, &info), "reservation info");
    printf("ORD-1001 reserved%s (LSN %llu):\n", info.repeat ? " earlier" : "", (unsigned long long)info.lsn);
    for (size_t i = 0; i < info.lines_len; i++) {
        printf("  %u x %s from %s\n", info.lines[i].qty, info.lines[i].sku, info.lines[i].warehouse);
    }
    allot_reservation_free(reservation); /* frees the strings `info` pointed to as well */

    /* 4. An order the stock cannot serve: nothing is held, and the ERP decides what to do. */
    const allot_order_line too_many[] = {{S("SOFA-3P"), 50}};
    allot_status status = allot_client_reserve(orders, S("ORD-1002"), too_many, 1, NULL, NULL);
    if (status == ALLOT_STATUS_INSUFFICIENT_STOCK) {
        printf("ORD-1002 refused, back-ordered: %s\n", allot_last_error_message());
    } else {
        check(status, "reserve ORD-1002");
        puts("ORD-1002 reserved");
    }

    /* 5. ORD-1001 shipped: commit it (its units leave the warehouse). */
    allot_settled settled;
    check(allot_client_commit(orders, S("ORD-1001"), &settled), "commit ORD-1001");
    printf("ORD-1001 committed%s\n", settled.changed ? "" : " (already, by an earlier run)");
    print_stock(orders, "SOFA-3P");
    print_stock(orders, "LAMP-01");

    /* 6. A Pinduoduo order arrives as the marketplace's JSON: one call checks it (address,
     *    phone, blacklist, velocity, amount, payment), routes it by the rules file (none here:
     *    auto) and reserves its stock. A flagged order would wait in ALLOT_ORDER_STATE_FLAGGED. */
    static const char pdd_order[] =
        "{\"order_sn\": \"240317-581234567890123\", \"buyer_id\": 7401234567, \"pay_status\": 1,"
        " \"receiver_name\": \"Zhang Wei\", \"receiver_phone\": \"13600001111\", \"province\": \"上海市\","
        " \"city\": \"上海市\", \"town\": \"徐汇区\", \"address\": \"漕溪北路88号\","
        " \"item_list\": [{\"outer_sku_id\": \"LAMP-01\", \"goods_count\": 2, \"goods_price\": 3990}]}";
    allot_intake *intake = NULL;
    check(allot_client_intake_payload(orders, S("pdd"), S("pdd"), (const uint8_t *)pdd_order, strlen(pdd_order),
                                      &intake),
          "intake");
    allot_intake_info taken;
    allot_order_info order;
    check(allot_intake_get_info(intake, &taken), "intake info");
    check(allot_order_get_info(taken.order, &order), "order info"); /* borrowed from `intake` */
    printf("%s %s: %s, path %s, %zu flag(s)\n", order.key, taken.repeat ? "seen before" : "taken in",
           allot_order_state_name(order.state), allot_path_name(order.path), order.flags_len);
    if (order.state == ALLOT_ORDER_STATE_RESERVED) {
        /* The warehouse picks it, the courier writes the waybill back (the stock leaves) and
         * reports the delivery. */
        check(allot_client_release_to_warehouse(warehouse, order.key, order.key_len), "release");
        check(allot_client_ship(courier, order.key, order.key_len, S("SF"), S("SF1234567890123")), "ship");
        check(allot_client_track(courier, S("SF"), S("SF1234567890123"), ALLOT_TRACKING_KIND_DELIVERED,
                                 S("signed by recipient"), NULL),
              "track");
        puts("  released, shipped with SF1234567890123, delivered");
    }
    allot_intake_free(intake); /* `order` and its strings go with it */

    /* 7. What a channel sync polls: the changes after its cursor (0: from the start). */
    allot_events *events = NULL;
    check(allot_client_events(orders, 0, ALLOT_EVENTS_BATCH_MAX, &events), "events");
    size_t reserves = 0, commits = 0, moves = 0;
    uint64_t cursor = 0;
    for (size_t i = 0; i < allot_events_count(events); i++) {
        allot_event event;
        check(allot_events_get(events, i, &event), "event");
        reserves += event.kind == ALLOT_EVENT_KIND_RESERVE;
        commits += event.kind == ALLOT_EVENT_KIND_COMMIT;
        if (event.kind == ALLOT_EVENT_KIND_ORDER_MOVED) { /* e.g. to tell the marketplace */
            moves++;
            printf("  %s: %s -> %s by %s\n", event.order_id, allot_order_state_name(event.from_state),
                   allot_order_state_name(event.to_state), event.by);
        }
        cursor = event.lsn; /* keep this to continue next time */
    }
    printf("events: %zu (%zu reserve, %zu commit, %zu order moves), next cursor %llu\n",
           allot_events_count(events), reserves, commits, moves, (unsigned long long)cursor);
    allot_events_free(events);

    /* 8. Close (the last flush can fail: check it), then free every handle. */
    check(allot_engine_close(engine), "close");
    allot_client_free(courier);
    allot_client_free(orders);
    allot_client_free(warehouse);
    allot_client_free(admin);
    allot_engine_free(engine);
    puts("closed");
    return 0;
}
