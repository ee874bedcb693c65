/* tests/unit/test_transforms_routing.c: RegexRouter (Java replacement syntax, whole-name
 * matching), the header transforms (HeaderFrom move/copy, InsertHeader literals, DropHeaders),
 * Filter and the predicates TopicNameMatches, HasHeaderKey and RecordIsTombstone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "transforms_test_util.h"

/* ==== RegexRouter ==== */

static void route_is(const char *regex, const char *replacement, const char *topic,
                     const char *expected)
{
    tu_smt *t = tu_smt_new(&smt_regex_router, TU_KV("regex", regex, "replacement", replacement));
    for (int twice = 0; twice < 2; twice++) { /* the second run goes through the memo */
        sl_record *r = tu_sink(topic, 0, 0, 0, NULL, NULL);
        assert_int_equal(tu_apply(t, r), SL_OK);
        if (strcmp(sl_record_topic(r), expected) != 0)
            fail_msg("%s / %s on %s -> %s, expected %s", regex, replacement, topic,
                     sl_record_topic(r), expected);
        sl_record_release(r);
    }
    tu_smt_free(t);
}

static void test_regex_router(void **state)
{
    (void)state;
    /* Connect's RegexRouterTest */
    route_is("foo", "bar", "foo", "bar");
    route_is("foo", "bar", "foobar", "foobar"); /* the whole name must match */
    route_is("foo", "bar", "orig", "orig");
    route_is("(.*)", "$1", "orig", "orig");
    route_is("(.*)", "prefix-$1", "orig", "prefix-orig");
    route_is("(.*)", "$1-suffix", "orig", "orig-suffix");
    route_is("(.*)-(\\d\\d\\d\\d\\d\\d\\d\\d)", "$1", "index-20160117", "index");
    /* Java's replacement syntax */
    route_is("(?<db>[a-z]+)\\.(?<table>[a-z]+)", "${table}_${db}", "shop.orders", "orders_shop");
    route_is("(.*)", "\\$$1", "x", "$x");
    route_is("(.*)", "$10", "x", "x0");        /* $1 then a literal 0: there is no group 10 */
    route_is("(a)?(b)", "[$1$2]", "b", "[b]"); /* an unmatched group is empty */
    /* matches() decides, replaceFirst() rewrites the first match, as in Connect */
    route_is("a|ab", "X", "ab", "Xb");
    route_is("dbserver1\\.inventory\\.(.*)", "cdc.$1", "dbserver1.inventory.customers",
             "cdc.customers");
}

static void test_regex_router_bad_config(void **state)
{
    (void)state;
    tu_assert_rejected(&smt_regex_router, TU_KV("regex", "(", "replacement", "x"), "regex",
                       "Invalid regex");
    tu_assert_rejected(&smt_regex_router, TU_KV("regex", "(.*)", "replacement", "$2"),
                       "replacement", "No group 2");
    tu_assert_rejected(&smt_regex_router, TU_KV("regex", "(.*)", "replacement", "x\\"),
                       "replacement", "character to be escaped is missing");
    tu_assert_rejected(&smt_regex_router, TU_KV("regex", "(.*)", "replacement", "${nope}"),
                       "replacement", "No group with name {nope}");
    tu_assert_rejected(&smt_regex_router, TU_KV("regex", "(.*)", "replacement", "a$"),
                       "replacement", "group index is missing");
    tu_assert_rejected(&smt_regex_router, TU_KV("regex", "x"), "replacement",
                       "Missing required configuration \"replacement\"");
}

/* ==== HeaderFrom ==== */

static sl_value *hf_map(void)
{
    sl_value *v = sl_value_new_map();
    sl_value_map_put_str(v, "field1", tu_str("field1-value"));
    sl_value_map_put_str(v, "field2", sl_value_new_int32(2));
    sl_value_map_put_str(v, "keep", tu_str("k"));
    return v;
}

static void test_header_from_schemaless(void **state)
{
    (void)state;
    tu_smt *t =
        tu_smt_new(&smt_header_from_value, TU_KV("fields", "field1,field2,absent", "headers",
                                                 "h1,h2,h3", "operation", "move"));
    sl_record *r = tu_sink("t", 0, 0, 0, NULL, hf_map());
    sl_record_header_add(r, "existing", NULL, tu_str("e"));
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_value_json(r, "{\"keep\":\"k\"}");
    assert_int_equal(sl_record_header_count(r), 4);
    assert_string_equal(sl_record_header_key(r, 0), "existing");
    assert_string_equal(sl_record_header_key(r, 1), "h1");
    tu_assert_json(sl_record_header_value(r, 1), NULL, "\"field1-value\"");
    tu_assert_json(sl_record_header_value(r, 2), NULL, "2");
    assert_null(sl_record_header_value(r, 3));
    assert_null(sl_record_header_schema(r, 1));
    sl_record_release(r);
    /* a tombstone is not a map */
    r = tu_sink("t", 0, 0, 0, NULL, NULL);
    assert_int_equal(tu_apply(t, r), SL_ERR);
    assert_non_null(strstr(t->err, "[header move]"));
    sl_record_release(r);
    tu_smt_free(t);

    t = tu_smt_new(&smt_header_from_value,
                   TU_KV("fields", "field1", "headers", "h1", "operation", "copy"));
    r = tu_sink("t", 0, 0, 0, NULL, hf_map());
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_value_json(r, "{\"field1\":\"field1-value\",\"field2\":2,\"keep\":\"k\"}");
    assert_int_equal(sl_record_header_last(r, "h1"), 0);
    sl_record_release(r);
    tu_smt_free(t);
}

static void test_header_from_schemaful(void **state)
{
    (void)state;
    sl_schema *s = tu_struct_schema("rec", "field1", tu_prim(SL_TYPE_STRING, false), "field2",
                                    tu_prim(SL_TYPE_INT32, true), "keep",
                                    tu_prim(SL_TYPE_STRING, false), NULL);
    sl_value *v = sl_value_new_struct(s);
    sl_value_struct_set(v, "field1", tu_str("field1-value"));
    sl_value_struct_set(v, "field2", sl_value_new_int32(2));
    sl_value_struct_set(v, "keep", tu_str("k"));
    tu_smt *t = tu_smt_new(&smt_header_from_key, TU_KV("fields", "field1,field2", "headers",
                                                       "h1,h2", "operation", "move"));
    sl_record *r = tu_sink("t", 0, 0, 0, NULL, NULL);
    sl_record_set_key(r, sl_schema_ref(s), sl_value_copy(v));
    assert_int_equal(tu_apply(t, r), SL_OK);
    const sl_schema *ks = sl_record_key_schema(r);
    assert_string_equal(sl_schema_name(ks), "rec");
    assert_int_equal(sl_schema_field_count(ks), 1);
    tu_assert_key_json(r, "{\"keep\":\"k\"}");
    assert_int_equal(sl_record_header_count(r), 2);
    assert_int_equal(sl_schema_type(sl_record_header_schema(r, 0)), SL_TYPE_STRING);
    assert_int_equal(sl_schema_type(sl_record_header_schema(r, 1)), SL_TYPE_INT32);
    assert_true(sl_schema_optional(sl_record_header_schema(r, 1)));
    tu_assert_json(sl_record_header_value(r, 1), NULL, "2");
    sl_record_release(r);
    tu_smt_free(t);

    t = tu_smt_new(&smt_header_from_value,
                   TU_KV("fields", "field2", "headers", "h2", "operation", "copy"));
    r = tu_sink("t", 0, 0, 0, sl_schema_ref(s), sl_value_copy(v));
    assert_int_equal(tu_apply(t, r), SL_OK);
    assert_ptr_equal(sl_record_value_schema(r), s);
    tu_assert_value_json(r, "{\"field1\":\"field1-value\",\"field2\":2,\"keep\":\"k\"}");
    assert_int_equal(sl_record_header_count(r), 1);
    sl_record_release(r);
    tu_smt_free(t);

    t = tu_smt_new(&smt_header_from_value,
                   TU_KV("fields", "nope", "headers", "h", "operation", "copy"));
    r = tu_sink("t", 0, 0, 0, sl_schema_ref(s), sl_value_copy(v));
    assert_int_equal(tu_apply(t, r), SL_ERR);
    assert_string_equal(t->err, "Field does not exist: nope");
    assert_int_equal(sl_record_header_count(r), 0);
    sl_record_release(r);
    tu_smt_free(t);
    sl_value_destroy(v);
    sl_schema_unref(s);
}

static void test_header_from_bad_config(void **state)
{
    (void)state;
    tu_assert_rejected(&smt_header_from_value,
                       TU_KV("fields", "a,b", "headers", "h", "operation", "move"), "headers",
                       "'fields' config must have the same number of elements as 'headers' "
                       "config.");
    tu_assert_rejected(&smt_header_from_value,
                       TU_KV("fields", "a", "headers", "h", "operation", "steal"), "operation",
                       "String must be one of: move, copy");
    tu_assert_rejected(&smt_header_from_value, TU_KV("fields", "a", "headers", "h"), "operation",
                       "Missing required configuration \"operation\"");
    tu_assert_rejected(&smt_header_from_key,
                       TU_KV("fields", "", "headers", "h", "operation", "copy"), "fields",
                       "Empty list");
}

/* ==== InsertHeader / DropHeaders ==== */

static void header_literal_is(const char *literal, sl_type type, const char *json)
{
    tu_smt *t = tu_smt_new(&smt_insert_header, TU_KV("header", "h", "value.literal", literal));
    sl_record *r = tu_sink("t", 0, 0, 0, NULL, NULL);
    assert_int_equal(tu_apply(t, r), SL_OK);
    assert_int_equal(sl_record_header_count(r), 1);
    assert_string_equal(sl_record_header_key(r, 0), "h");
    if ((int)type >= 0) {
        assert_int_equal(sl_schema_type(sl_record_header_schema(r, 0)), type);
        assert_int_equal(sl_value_type(sl_record_header_value(r, 0)), type);
    } else {
        assert_null(sl_record_header_value(r, 0));
    }
    tu_assert_json(sl_record_header_value(r, 0), NULL, json);
    sl_record_release(r);
    tu_smt_free(t);
}

static void test_insert_header(void **state)
{
    (void)state;
    header_literal_is("hello", SL_TYPE_STRING, "\"hello\"");
    header_literal_is("42", SL_TYPE_INT8, "42");
    header_literal_is("1000", SL_TYPE_INT16, "1000");
    header_literal_is("-100000", SL_TYPE_INT32, "-100000");
    header_literal_is("10000000000", SL_TYPE_INT64, "10000000000");
    header_literal_is("1.5", SL_TYPE_FLOAT32, "1.5");
    header_literal_is("true", SL_TYPE_BOOLEAN, "true");
    header_literal_is("", SL_TYPE_STRING, "\"\"");
    header_literal_is("null", (sl_type)-1, "null");
    header_literal_is("12 monkeys", SL_TYPE_STRING, "\"12 monkeys\"");
    tu_assert_rejected(&smt_insert_header, TU_KV("value.literal", "x"), "header",
                       "Missing required configuration \"header\"");
    tu_assert_rejected(&smt_insert_header, TU_KV("header", "h"), "value.literal",
                       "Missing required configuration \"value.literal\"");
}

static void test_drop_headers(void **state)
{
    (void)state;
    tu_smt *t = tu_smt_new(&smt_drop_headers, TU_KV("headers", "a,c"));
    sl_record *r = tu_sink("t", 0, 0, 0, NULL, NULL);
    sl_record_header_add(r, "a", NULL, tu_str("1"));
    sl_record_header_add(r, "b", NULL, tu_str("2"));
    sl_record_header_add(r, "a", NULL, tu_str("3"));
    sl_record_header_add(r, "c", NULL, tu_str("4"));
    assert_int_equal(tu_apply(t, r), SL_OK);
    assert_int_equal(sl_record_header_count(r), 1);
    assert_string_equal(sl_record_header_key(r, 0), "b");
    sl_record_release(r);
    r = tu_sink("t", 0, 0, 0, NULL, NULL);
    assert_int_equal(tu_apply(t, r), SL_OK);
    sl_record_release(r);
    tu_smt_free(t);
    tu_assert_rejected(&smt_drop_headers, TU_KV("headers", ""), "headers", "Empty list");
    tu_assert_rejected(&smt_drop_headers, TU_KV("x", "y"), "headers",
                       "Missing required configuration");
}

/* ==== Filter and predicates ==== */

static void test_filter_and_predicates(void **state)
{
    (void)state;
    tu_smt *f = tu_smt_new(&smt_filter, TU_KV("x", "y"));
    sl_record *r = tu_sink("my-prefix-orders", 0, 0, 0, NULL, tu_str("v"));
    assert_int_equal(tu_apply(f, r), SL_DROP);
    tu_smt_free(f);

    tu_smt *p = tu_pred_new(&smt_topic_name_matches, TU_KV("pattern", "my-prefix-.*"));
    assert_int_equal(tu_test(p, r), 1);
    sl_record *r2 = tu_sink("other-my-prefix-x", 0, 0, 0, NULL, NULL);
    assert_int_equal(tu_test(p, r2), 0); /* the whole name must match */
    assert_int_equal(tu_test(p, r), 1);
    assert_int_equal(tu_test(p, r2), 0);
    tu_smt_free(p);

    p = tu_pred_new(&smt_has_header_key, TU_KV("name", "trace"));
    assert_int_equal(tu_test(p, r), 0);
    sl_record_header_add(r, "trace", NULL, NULL);
    assert_int_equal(tu_test(p, r), 1);
    tu_smt_free(p);

    p = tu_pred_new(&smt_record_is_tombstone, TU_KV("x", "y"));
    assert_int_equal(tu_test(p, r), 0);
    assert_int_equal(tu_test(p, r2), 1);
    tu_smt_free(p);
    sl_record_release(r);
    sl_record_release(r2);

    char *e = tu_predicate_errors(&smt_topic_name_matches, TU_KV("pattern", "(unclosed"));
    assert_non_null(e);
    assert_non_null(strstr(e, "pattern"));
    assert_non_null(strstr(e, "Invalid regex"));
    free(e);
    e = tu_predicate_errors(&smt_topic_name_matches, TU_KV("pattern", ""));
    assert_non_null(e);
    assert_non_null(strstr(e, "pattern"));
    free(e);
    e = tu_predicate_errors(&smt_has_header_key, TU_KV("name", ""));
    assert_non_null(e);
    assert_non_null(strstr(e, "name"));
    assert_non_null(strstr(e, "String must be non-empty"));
    free(e);
    e = tu_predicate_errors(&smt_has_header_key, TU_KV("x", "y"));
    assert_non_null(strstr(e, "Missing required configuration \"name\""));
    free(e);
    assert_null(tu_predicate_errors(&smt_record_is_tombstone, TU_KV("x", "y")));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regex_router),
        cmocka_unit_test(test_regex_router_bad_config),
        cmocka_unit_test(test_header_from_schemaless),
        cmocka_unit_test(test_header_from_schemaful),
        cmocka_unit_test(test_header_from_bad_config),
        cmocka_unit_test(test_insert_header),
        cmocka_unit_test(test_drop_headers),
        cmocka_unit_test(test_filter_and_predicates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
