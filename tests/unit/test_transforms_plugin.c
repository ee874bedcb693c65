/* tests/unit/test_transforms_plugin.c: the built transforms.so as the worker sees it: loaded
 * through the plugin registry, every Connect class name resolvable, and a chain of
 * ReplaceField, Cast, InsertField and a predicate-guarded Filter run by the runtime's
 * transform chain. Skipped when the shared object has not been built. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "plugin/registry.h"
#include "runtime/transform_chain.h"
#include "transforms_test_util.h"

static char g_so[1024];

static int setup(void **state)
{
    (void)state;
    const char *build = getenv("SLUICE_BUILD");
    snprintf(g_so, sizeof(g_so), "%s/plugins/transforms.so", build ? build : "build");
    if (access(g_so, R_OK) != 0)
        return 0; /* the tests skip */
    assert_int_equal(registry_init(), SL_OK);
    char err[512] = "";
    if (registry_load_file(g_so, err, sizeof(err)) != SL_OK)
        fail_msg("loading %s: %s", g_so, err);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    registry_shutdown();
    return 0;
}

static void test_class_names(void **state)
{
    (void)state;
    if (access(g_so, R_OK) != 0)
        skip();
    static const char *const kv_classes[] = {
        "Cast",        "ExtractField", "Flatten",      "HeaderFrom",        "HoistField",
        "InsertField", "MaskField",    "ReplaceField", "SetSchemaMetadata", "TimestampConverter",
    };
    char name[256];
    for (size_t i = 0; i < sizeof(kv_classes) / sizeof(kv_classes[0]); i++)
        for (int k = 0; k < 2; k++) {
            snprintf(name, sizeof(name), "org.apache.kafka.connect.transforms.%s$%s", kv_classes[i],
                     k ? "Value" : "Key");
            if (registry_find_transform(name) == NULL)
                fail_msg("%s not registered", name);
        }
    static const char *const single[] = {
        "org.apache.kafka.connect.transforms.ValueToKey",
        "org.apache.kafka.connect.transforms.RegexRouter",
        "org.apache.kafka.connect.transforms.TimestampRouter",
        "org.apache.kafka.connect.transforms.InsertHeader",
        "org.apache.kafka.connect.transforms.DropHeaders",
        "org.apache.kafka.connect.transforms.Filter",
        "io.sluice.transforms.ExtractNewRecordState",
        "io.debezium.transforms.ExtractNewRecordState",
        "InsertField$Value", /* Connect's simple-name alias */
    };
    for (size_t i = 0; i < sizeof(single) / sizeof(single[0]); i++)
        if (registry_find_transform(single[i]) == NULL)
            fail_msg("%s not registered", single[i]);
    assert_non_null(
        registry_find_predicate("org.apache.kafka.connect.transforms.predicates.TopicNameMatches"));
    assert_non_null(registry_find_predicate("HasHeaderKey"));
    assert_non_null(registry_find_predicate("RecordIsTombstone"));
}

static void test_chain(void **state)
{
    (void)state;
    if (access(g_so, R_OK) != 0)
        skip();
    /* the bench's chain, plus a Filter that drops records of topics not named orders-* */
    sl_props *p = tu_props(TU_KV(
        "transforms", "rf,cast,ins,keep", "transforms.rf.type",
        "org.apache.kafka.connect.transforms.ReplaceField$Value", "transforms.rf.exclude", "secret",
        "transforms.rf.renames", "amount:total", "transforms.cast.type",
        "org.apache.kafka.connect.transforms.Cast$Value", "transforms.cast.spec",
        "total:float64,id:string", "transforms.ins.type",
        "org.apache.kafka.connect.transforms.InsertField$Value", "transforms.ins.topic.field",
        "src_topic", "transforms.ins.offset.field", "src_offset", "transforms.keep.type",
        "org.apache.kafka.connect.transforms.Filter", "transforms.keep.predicate", "isOrders",
        "transforms.keep.negate", "true", "predicates", "isOrders", "predicates.isOrders.type",
        "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
        "predicates.isOrders.pattern", "orders-.*"));
    transform_chain *c = NULL;
    char err[512] = "";
    if (transform_chain_new(p, NULL, "test-0", &c, err, sizeof(err)) != SL_OK)
        fail_msg("chain: %s", err);
    assert_int_equal(transform_chain_size(c), 4);
    sl_schema *s = tu_struct_schema("order", "id", tu_prim(SL_TYPE_INT32, false), "amount",
                                    tu_prim(SL_TYPE_INT32, false), "secret",
                                    tu_prim(SL_TYPE_STRING, false), NULL);
    for (int i = 0; i < 3; i++) {
        sl_value *v = sl_value_new_struct(s);
        sl_value_struct_set(v, "id", sl_value_new_int32(i));
        sl_value_struct_set(v, "amount", sl_value_new_int32(100 + i));
        sl_value_struct_set(v, "secret", tu_str("pw"));
        sl_record *r = tu_sink(i == 2 ? "other" : "orders-eu", 0, 40 + i, 1, sl_schema_ref(s), v);
        int rc = transform_chain_apply(c, r, err, sizeof(err));
        if (i == 2) {
            assert_int_equal(rc, SL_DROP);
        } else {
            assert_int_equal(rc, SL_OK);
            char expected[256];
            snprintf(expected, sizeof(expected),
                     "{\"id\":\"%d\",\"total\":%d.0,\"src_topic\":\"orders-eu\","
                     "\"src_offset\":%d}",
                     i, 100 + i, 40 + i);
            tu_assert_value_json(r, expected);
        }
        sl_record_release(r);
    }
    assert_int_equal(transform_chain_dropped(c), 1);
    /* a failing transform names itself */
    sl_value *v = sl_value_new_map();
    sl_record *r = tu_sink("orders-us", 0, 1, 1, NULL, v);
    sl_value_map_put_str(v, "total", tu_str("not a number"));
    assert_int_equal(transform_chain_apply(c, r, err, sizeof(err)), SL_ERR);
    assert_non_null(strstr(err, "cast"));
    assert_non_null(strstr(err, "out of range"));
    sl_record_release(r);
    transform_chain_destroy(c);
    sl_props_destroy(p);
    sl_schema_unref(s);

    /* a bad transform config fails the chain with the alias and the key */
    p = tu_props(TU_KV("transforms", "bad", "transforms.bad.type",
                       "org.apache.kafka.connect.transforms.Cast$Value", "transforms.bad.spec",
                       "a:int99"));
    assert_int_equal(transform_chain_new(p, NULL, "test-0", &c, err, sizeof(err)), SL_ERR);
    assert_non_null(strstr(err, "spec"));
    assert_non_null(strstr(err, "int99"));
    sl_props_destroy(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_class_names),
        cmocka_unit_test(test_chain),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
