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

static const char *const PIPELINE_SKUS[] = {"SOFA-3P-GREY", "CUSHION-45", "KETTLE-1.7L", "MUG-350"};
static const char *const PIPELINE_CATEGORIES[] = {"furniture", "home", "appliances", "home"};
static const char *const PIPELINE_WAREHOUSES[] = {"WH-SH", "WH-BJ", "WH-GZ"};

void stock_pipeline_catalogue(const allot_client *admin) {
    allot_status added = allot_client_add_warehouse(admin, S("WH-SH"), S("310000"), 1, true);
    if (added != ALLOT_STATUS_ALREADY_EXISTS) {
        assert_ok(added);
        assert_ok(allot_client_add_warehouse(admin, S("WH-BJ"), S("110000"), 2, true));
    }
    assert_ok(allot_client_add_warehouse(admin, S("WH-GZ"), S("440100"), 3, true));
    for (size_t i = 0; i < 4; i++) {
        const char *sku = PIPELINE_SKUS[i];
        assert_ok(allot_client_add_sku(admin, sku, strlen(sku), PIPELINE_CATEGORIES[i], strlen(PIPELINE_CATEGORIES[i])));
        for (size_t w = 0; w < 3; w++) {
            const char *wh = PIPELINE_WAREHOUSES[w];
            assert_ok(allot_client_set_stock(admin, sku, strlen(sku), wh, strlen(wh), 50, NULL));
        }
    }
}

int pipeline_setup(void **state) {
    fixture_setup(state);
    fixture *f = *state;
    stock_pipeline_catalogue(f->admin);
    return 0;
}

const char TAOBAO_PAYLOAD[] =
    "{\"tid\": \"3658120094471538172\", \"buyer_nick\": \"小林爱喝茶\", \"status\": \"WAIT_SELLER_SEND_GOODS\","
    " \"created\": \"2024-03-15 14:30:05\", \"receiver_name\": \"林小雨\", \"receiver_mobile\": \"13812345678\","
    " \"receiver_state\": \"广东省\", \"receiver_city\": \"深圳市\", \"receiver_district\": \"南山区\","
    " \"receiver_address\": \"科技园南区深南大道10000号\","
    " \"orders\": [{\"outer_sku_id\": \"SOFA-3P-GREY\", \"num\": 2, \"price\": \"1299.00\"},"
    " {\"outer_sku_id\": \"CUSHION-45\", \"num\": 2, \"price\": \"12.50\"}]}";
const char JD_PAYLOAD[] =
    "{\"orderId\": 289012345678, \"pin\": \"jd_5f2c9a7b1e3d\", \"orderState\": \"WAIT_SELLER_STOCK_OUT\","
    " \"consigneeInfo\": {\"fullname\": \"王强\", \"mobile\": \"139 1111 2222\", \"province\": \"北京\","
    " \"city\": \"北京市\", \"county\": \"海淀区\", \"fullAddress\": \"中关村大街27号\"},"
    " \"itemInfoList\": [{\"outerSkuId\": \"KETTLE-1.7L\", \"skuNum\": \"1\", \"jdPrice\": \"199.00\"},"
    " {\"outerSkuId\": \"MUG-350\", \"skuNum\": 3, \"jdPrice\": \"52.33\"}]}";
const char PDD_PAYLOAD[] =
    "{\"order_sn\": \"231120-123456789012345\", \"buyer_id\": 88812, \"pay_status\": 1,"
    " \"receiver_name\": \"陈晨\", \"receiver_phone\": \"13600001111\", \"province\": \"上海市\","
    " \"city\": \"上海市\", \"town\": \"徐汇区\", \"address\": \"漕溪北路88号\","
    " \"item_list\": [{\"outer_sku_id\": \"CUSHION-45\", \"goods_count\": 1, \"goods_price\": 1250}]}";

static const allot_form_line ONE_MUG = {"MUG-350", 7, 1, 100};

allot_order_form pipeline_form(const char *channel, const char *id, const char *buyer, const char *phone) {
    allot_order_form form;
    memset(&form, 0, sizeof form);
    form.channel = channel;
    form.channel_len = strlen(channel);
    form.channel_order_id = id;
    form.channel_order_id_len = strlen(id);
    form.buyer_id = buyer;
    form.buyer_id_len = strlen(buyer);
    form.ship_to.recipient = "张三";
    form.ship_to.recipient_len = strlen(form.ship_to.recipient);
    form.ship_to.phone = phone;
    form.ship_to.phone_len = strlen(phone);
    form.ship_to.province = "上海市";
    form.ship_to.province_len = strlen(form.ship_to.province);
    form.ship_to.city = "上海市";
    form.ship_to.city_len = strlen(form.ship_to.city);
    form.ship_to.district = "徐汇区";
    form.ship_to.district_len = strlen(form.ship_to.district);
    /* A street of its own per order (the order id), so that the velocity checks never flag
     * a test's orders for sharing an address. */
    form.ship_to.detail = id;
    form.ship_to.detail_len = strlen(id);
    form.lines = &ONE_MUG;
    form.lines_len = 1;
    form.payment = ALLOT_PAYMENT_PAID;
    form.placed_at_ms = START_MS - 1000;
    return form;
}

allot_order_info order_info_of(const allot_order *order) {
    allot_order_info info;
    assert_ok(allot_order_get_info(order, &info));
    return info;
}

allot_order_state order_state_of(const allot_client *client, const char *key) {
    allot_order *order = NULL;
    assert_ok(allot_client_order(client, key, strlen(key), &order));
    allot_order_state state = order_info_of(order).state;
    allot_order_free(order);
    return state;
}
