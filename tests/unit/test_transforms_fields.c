/* tests/unit/test_transforms_fields.c: the field transforms (InsertField, ReplaceField,
 * MaskField, ValueToKey, HoistField, ExtractField with V1/V2 paths, SetSchemaMetadata) on
 * schemaful and schemaless records, Connect's documented examples, and bad configs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "field_path.h"
#include "transforms_test_util.h"

/* ==== InsertField ==== */

static void test_insert_field_schemaless(void **state)
{
    (void)state;
    tu_smt *t =
        tu_smt_new(&smt_insert_field_value,
                   TU_KV("topic.field", "topic_field!", "partition.field", "partition_field",
                         "offset.field", "offset_field!", "timestamp.field", "timestamp_field?",
                         "static.field", "instance_id", "static.value", "my-instance-id"));
    sl_value *v = sl_value_new_map();
    sl_value_map_put_str(v, "magic", sl_value_new_int64(42));
    sl_record *r = tu_sink("test", 0, 42, 1234, NULL, v);
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_value_json(r, "{\"magic\":42,\"topic_field\":\"test\",\"partition_field\":0,"
                            "\"offset_field\":42,\"timestamp_field\":1234,"
                            "\"instance_id\":\"my-instance-id\"}");
    assert_null(sl_record_value_schema(r));
    sl_record_release(r);

    /* a record without timestamp gets no timestamp field (Connect skips a null timestamp) */
    v = sl_value_new_map();
    r = tu_sink("test", 3, 7, -1, NULL, v);
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_value_json(r, "{\"topic_field\":\"test\",\"partition_field\":3,\"offset_field\":7,"
                            "\"instance_id\":\"my-instance-id\"}");
    sl_record_release(r);
    tu_smt_free(t);
}

static void test_insert_field_schemaful(void **state)
{
    (void)state;
    /* Connect's InsertFieldTest.schemaful */
    tu_smt *t =
        tu_smt_new(&smt_insert_field_value,
                   TU_KV("topic.field", "topic_field!", "partition.field", "partition_field",
                         "offset.field", "offset_field!", "timestamp.field", "timestamp_field?",
                         "static.field", "instance_id", "static.value", "my-instance-id"));
    sl_schema *s = tu_struct_schema("name", "magic", tu_prim(SL_TYPE_INT64, false), NULL);
    sl_schema_set_version(s, 1);
    sl_value *v = sl_value_new_struct(s);
    sl_value_struct_set(v, "magic", sl_value_new_int64(42));
    sl_record *r = tu_sink("test", 0, 42, 1234, s, v);
    assert_int_equal(tu_apply(t, r), SL_OK);
    const sl_schema *out = sl_record_value_schema(r);
    assert_string_equal(sl_schema_name(out), "name");
    assert_int_equal(sl_schema_version(out), 1);
    assert_int_equal(sl_schema_field_count(out), 6);
    const sl_schema *f;
    f = sl_schema_field_schema(out, (size_t)sl_schema_field_index(out, "topic_field"));
    assert_int_equal(sl_schema_type(f), SL_TYPE_STRING);
    assert_false(sl_schema_optional(f));
    f = sl_schema_field_schema(out, (size_t)sl_schema_field_index(out, "partition_field"));
    assert_int_equal(sl_schema_type(f), SL_TYPE_INT32);
    assert_true(sl_schema_optional(f));
    f = sl_schema_field_schema(out, (size_t)sl_schema_field_index(out, "offset_field"));
    assert_int_equal(sl_schema_type(f), SL_TYPE_INT64);
    assert_false(sl_schema_optional(f));
    f = sl_schema_field_schema(out, (size_t)sl_schema_field_index(out, "timestamp_field"));
    assert_int_equal(sl_schema_logical(f), SL_LOGICAL_TIMESTAMP);
    assert_true(sl_schema_optional(f));
    f = sl_schema_field_schema(out, (size_t)sl_schema_field_index(out, "instance_id"));
    assert_int_equal(sl_schema_type(f), SL_TYPE_STRING);
    assert_true(sl_schema_optional(f));
    tu_assert_value_json(r, "{\"magic\":42,\"topic_field\":\"test\",\"partition_field\":0,"
                            "\"offset_field\":42,\"timestamp_field\":1234,"
                            "\"instance_id\":\"my-instance-id\"}");
    assert_ptr_equal(sl_value_struct_schema(sl_record_value(r)), out);
    char err[256];
    assert_int_equal(sl_value_validate(out, sl_record_value(r), err, sizeof(err)), SL_OK);

    /* the updated schema is cached per input schema: a second record reuses it */
    sl_value *v2 = sl_value_new_struct(s);
    sl_value_struct_set(v2, "magic", sl_value_new_int64(43));
    sl_record *r2 = tu_sink("test", 1, 43, 1235, sl_schema_ref(s), v2);
    assert_int_equal(tu_apply(t, r2), SL_OK);
    assert_ptr_equal(sl_record_value_schema(r2), out);
    sl_record_release(r2);
    sl_record_release(r);
    tu_smt_free(t);
}

static void test_insert_field_edge_cases(void **state)
{
    (void)state;
    tu_smt *t = tu_smt_new(&smt_insert_field_value, TU_KV("topic.field", "t"));
    /* tombstones pass unchanged */
    sl_record *r = tu_sink("test", 0, 1, 1, NULL, NULL);
    assert_int_equal(tu_apply(t, r), SL_OK);
    assert_null(sl_record_value(r));
    sl_record_release(r);
    /* schemaless non-map and schemaful non-struct values are refused as Connect does */
    r = tu_sink("test", 0, 1, 1, NULL, tu_str("x"));
    assert_int_equal(tu_apply(t, r), SL_ERR);
    assert_string_equal(t->err, "Only Map objects supported in absence of schema for [field "
                                "insertion], found: java.lang.String");
    sl_record_release(r);
    r = tu_sink("test", 0, 1, 1, tu_prim(SL_TYPE_INT32, false), sl_value_new_int32(4));
    assert_int_equal(tu_apply(t, r), SL_ERR);
    assert_string_equal(t->err, "Only Struct objects supported for [field insertion], found: "
                                "java.lang.Integer");
    sl_record_release(r);
    /* a field that already exists cannot be inserted */
    sl_schema *s = tu_struct_schema(NULL, "t", tu_prim(SL_TYPE_STRING, false), NULL);
    sl_value *v = sl_value_new_struct(s);
    r = tu_sink("test", 0, 1, 1, s, v);
    assert_int_equal(tu_apply(t, r), SL_ERR);
    assert_non_null(strstr(t->err, "duplication t"));
    sl_record_release(r);
    tu_smt_free(t);

    /* offset.field needs a sink record */
    t = tu_smt_new(&smt_insert_field_value, TU_KV("offset.field", "o"));
    r = sl_source_record_new("src", 0, NULL, NULL, NULL, sl_value_new_map());
    assert_int_equal(tu_apply(t, r), SL_ERR);
    assert_non_null(strstr(t->err, "Only SinkRecord supported for [field insertion]"));
    sl_record_release(r);
    tu_smt_free(t);

    /* $Key works on the key */
    t = tu_smt_new(&smt_insert_field_key, TU_KV("static.field", "k", "static.value", "v"));
    r = tu_sink("test", 0, 1, 1, NULL, NULL);
    sl_record_set_key(r, NULL, sl_value_new_map());
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_key_json(r, "{\"k\":\"v\"}");
    sl_record_release(r);
    tu_smt_free(t);
}

static void test_insert_field_defaults(void **state)
{
    (void)state;
    sl_schema *fs = sl_schema_new(SL_TYPE_INT32);
    sl_schema_set_optional(fs, true);
    sl_schema_set_default(fs, sl_value_new_int32(7));
    sl_schema *s = tu_struct_schema(NULL, "n", fs, NULL);
    for (int replace = 0; replace < 2; replace++) {
        tu_smt *t = tu_smt_new(
            &smt_insert_field_value,
            TU_KV("topic.field", "t", "replace.null.with.default", replace ? "true" : "false"));
        sl_record *r = tu_sink("x", 0, 0, 0, sl_schema_ref(s), sl_value_new_struct(s));
        assert_int_equal(tu_apply(t, r), SL_OK);
        /* (JSON text would show the default either way, so look at the slot itself) */
        const sl_value *n = sl_value_struct_get_index(sl_record_value(r), 0);
        if (replace) {
            int64_t iv = 0;
            assert_int_equal(sl_value_get_int(n, &iv), SL_OK);
            assert_int_equal(iv, 7);
        } else {
            assert_null(n);
        }
        sl_record_release(r);
        tu_smt_free(t);
    }
    sl_schema_unref(s);
}

static void test_insert_field_bad_config(void **state)
{
    (void)state;
    tu_assert_rejected(&smt_insert_field_value, TU_KV("replace.null.with.default", "true"),
                       "topic.field", "No field insertion configured");
    tu_assert_rejected(&smt_insert_field_value, TU_KV("static.field", "s"), "static.value",
                       "No value specified for static field: s");
    tu_assert_rejected(&smt_insert_field_value,
                       TU_KV("topic.field", "t", "replace.null.with.default", "maybe"),
                       "replace.null.with.default", "Invalid value maybe");
    tu_assert_accepted(&smt_insert_field_value, TU_KV("timestamp.field", "ts"));
}

/* ==== ReplaceField ==== */

static sl_value *rf_map(void)
{
    sl_value *v = sl_value_new_map();
    sl_value_map_put_str(v, "dont", tu_str("whatever"));
    sl_value_map_put_str(v, "abc", sl_value_new_int32(42));
    sl_value_map_put_str(v, "foo", sl_value_new_boolean(true));
    sl_value_map_put_str(v, "etc", tu_str("etc"));
    return v;
}

static void test_replace_field_schemaless(void **state)
{
    (void)state;
    /* Connect's ReplaceFieldTest.tombstoneSchemaless / schemaless */
    tu_smt *t = tu_smt_new(&smt_replace_field_value,
                           TU_KV("exclude", "dont", "renames", "abc:xyz,foo:bar"));
    sl_record *r = tu_sink("t", 0, 0, 0, NULL, rf_map());
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_value_json(r, "{\"xyz\":42,\"bar\":true,\"etc\":\"etc\"}");
    sl_record_release(r);
    r = tu_sink("t", 0, 0, 0, NULL, NULL);
    assert_int_equal(tu_apply(t, r), SL_OK);
    assert_null(sl_record_value(r));
    sl_record_release(r);
    tu_smt_free(t);

    t = tu_smt_new(&smt_replace_field_value, TU_KV("include", "abc,foo", "renames", "abc:xyz"));
    r = tu_sink("t", 0, 0, 0, NULL, rf_map());
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_value_json(r, "{\"xyz\":42,\"foo\":true}");
    sl_record_release(r);
    tu_smt_free(t);

    /* the deprecated names still work */
    t = tu_smt_new(&smt_replace_field_value, TU_KV("blacklist", "dont,etc"));
    r = tu_sink("t", 0, 0, 0, NULL, rf_map());
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_value_json(r, "{\"abc\":42,\"foo\":true}");
    sl_record_release(r);
    tu_smt_free(t);
    t = tu_smt_new(&smt_replace_field_value, TU_KV("whitelist", "etc"));
    r = tu_sink("t", 0, 0, 0, NULL, rf_map());
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_value_json(r, "{\"etc\":\"etc\"}");
    sl_record_release(r);
    tu_smt_free(t);
}

static void test_replace_field_schemaful(void **state)
{
    (void)state;
    tu_smt *t = tu_smt_new(&smt_replace_field_value,
                           TU_KV("include", "abc,foo,etc", "renames", "abc:xyz,foo:bar"));
    sl_schema *s = tu_struct_schema(
        "rec", "dont", tu_prim(SL_TYPE_STRING, false), "abc", tu_prim(SL_TYPE_INT32, false), "foo",
        tu_prim(SL_TYPE_BOOLEAN, false), "etc", tu_prim(SL_TYPE_STRING, false), NULL);
    sl_schema_set_doc(s, "a doc");
    sl_value *v = sl_value_new_struct(s);
    sl_value_struct_set(v, "dont", tu_str("whatever"));
    sl_value_struct_set(v, "abc", sl_value_new_int32(42));
    sl_value_struct_set(v, "foo", sl_value_new_boolean(true));
    sl_value_struct_set(v, "etc", tu_str("etc"));
    sl_record *r = tu_sink("t", 0, 0, 0, s, v);
    assert_int_equal(tu_apply(t, r), SL_OK);
    const sl_schema *out = sl_record_value_schema(r);
    assert_string_equal(sl_schema_name(out), "rec");
    assert_string_equal(sl_schema_doc(out), "a doc");
    assert_int_equal(sl_schema_field_count(out), 3);
    assert_string_equal(sl_schema_field_name(out, 0), "xyz");
    assert_string_equal(sl_schema_field_name(out, 1), "bar");
    assert_string_equal(sl_schema_field_name(out, 2), "etc");
    tu_assert_value_json(r, "{\"xyz\":42,\"bar\":true,\"etc\":\"etc\"}");
    sl_record_release(r);
    tu_smt_free(t);

    /* two fields renamed to one name cannot both be kept */
    t = tu_smt_new(&smt_replace_field_value, TU_KV("renames", "a:c,b:c"));
    s = tu_struct_schema(NULL, "a", tu_prim(SL_TYPE_INT8, false), "b", tu_prim(SL_TYPE_INT8, false),
                         NULL);
    r = tu_sink("t", 0, 0, 0, s, sl_value_new_struct(s));
    assert_int_equal(tu_apply(t, r), SL_ERR);
    assert_non_null(strstr(t->err, "duplication c"));
    sl_record_release(r);
    tu_smt_free(t);
}

static void test_replace_field_bad_config(void **state)
{
    (void)state;
    tu_assert_rejected(&smt_replace_field_value, TU_KV("renames", "foo"), "renames",
                       "Invalid rename mapping: foo");
    tu_assert_rejected(&smt_replace_field_value, TU_KV("renames", "a:b,c:d:e"), "renames",
                       "Invalid rename mapping: c:d:e");
    tu_assert_rejected(&smt_replace_field_key, TU_KV("renames", "a:"), "renames",
                       "Invalid rename mapping: a:");
    tu_assert_accepted(&smt_replace_field_value, TU_KV("renames", "a:b, c:d"));
    tu_assert_accepted(&smt_replace_field_value, TU_KV("exclude", ""));
}

/* ==== MaskField ==== */

static void test_mask_field_schemaless(void **state)
{
    (void)state;
    tu_smt *t = tu_smt_new(&smt_mask_field_value, TU_KV("fields", "int,str,bool,list,map,absent"));
    sl_value *v = sl_value_new_map();
    sl_value_map_put_str(v, "int", sl_value_new_int32(42));
    sl_value_map_put_str(v, "str", tu_str("secret"));
    sl_value_map_put_str(v, "bool", sl_value_new_boolean(true));
    sl_value *list = sl_value_new_array();
    sl_value_array_append(list, sl_value_new_int8(1));
    sl_value_map_put_str(v, "list", list);
    sl_value *m = sl_value_new_map();
    sl_value_map_put_str(m, "k", tu_str("v"));
    sl_value_map_put_str(v, "map", m);
    sl_value_map_put_str(v, "keep", tu_str("kept"));
    sl_record *r = tu_sink("t", 0, 0, 0, NULL, v);
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_value_json(r, "{\"int\":0,\"str\":\"\",\"bool\":false,\"list\":[],\"map\":{},"
                            "\"keep\":\"kept\",\"absent\":null}");
    sl_record_release(r);
    tu_smt_free(t);

    t = tu_smt_new(&smt_mask_field_value, TU_KV("fields", "int,str", "replacement", "123"));
    v = sl_value_new_map();
    sl_value_map_put_str(v, "int", sl_value_new_int64(42));
    sl_value_map_put_str(v, "str", tu_str("secret"));
    r = tu_sink("t", 0, 0, 0, NULL, v);
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_value_json(r, "{\"int\":123,\"str\":\"123\"}");
    assert_int_equal(sl_value_type(sl_value_map_get_str(sl_record_value(r), "int")), SL_TYPE_INT64);
    sl_record_release(r);
    /* a boolean has no custom replacement; the record is left as it was */
    v = sl_value_new_map();
    sl_value_map_put_str(v, "int", sl_value_new_boolean(true));
    r = tu_sink("t", 0, 0, 0, NULL, v);
    assert_int_equal(tu_apply(t, r), SL_ERR);
    assert_string_equal(t->err, "Cannot mask value of type class java.lang.Boolean with custom "
                                "replacement.");
    tu_assert_value_json(r, "{\"int\":true}");
    sl_record_release(r);
    tu_smt_free(t);

    t = tu_smt_new(&smt_mask_field_value, TU_KV("fields", "n", "replacement", "abc"));
    v = sl_value_new_map();
    sl_value_map_put_str(v, "n", sl_value_new_int32(1));
    r = tu_sink("t", 0, 0, 0, NULL, v);
    assert_int_equal(tu_apply(t, r), SL_ERR);
    assert_non_null(strstr(t->err, "Unable to convert abc"));
    sl_record_release(r);
    tu_smt_free(t);
}

static void test_mask_field_schemaful(void **state)
{
    (void)state;
    sl_schema *dec = sl_schema_new_decimal(2);
    sl_schema *s = tu_struct_schema(
        NULL, "magic", tu_prim(SL_TYPE_INT32, false), "f", tu_prim(SL_TYPE_FLOAT64, false), "d",
        sl_schema_new_logical(SL_LOGICAL_DATE), "ts", sl_schema_new_logical(SL_LOGICAL_TIMESTAMP),
        "dec", dec, "s", tu_prim(SL_TYPE_STRING, false), "keep", tu_prim(SL_TYPE_STRING, false),
        NULL);
    sl_value *v = sl_value_new_struct(s);
    sl_value_struct_set(v, "magic", sl_value_new_int32(42));
    sl_value_struct_set(v, "f", sl_value_new_float64(1.5));
    sl_value_struct_set(v, "d", sl_value_new_int32(19000));
    sl_value_struct_set(v, "ts", sl_value_new_int64(1700000000000LL));
    sl_value_struct_set(v, "dec", sl_value_new_decimal_i64(12345));
    sl_value_struct_set(v, "s", tu_str("secret"));
    sl_value_struct_set(v, "keep", tu_str("kept"));
    tu_smt *t = tu_smt_new(&smt_mask_field_value, TU_KV("fields", "magic,f,d,ts,dec,s"));
    sl_record *r = tu_sink("t", 0, 0, 0, sl_schema_ref(s), sl_value_copy(v));
    assert_int_equal(tu_apply(t, r), SL_OK);
    assert_ptr_equal(sl_record_value_schema(r), s);
    tu_assert_value_json(r, "{\"magic\":0,\"f\":0.0,\"d\":0,\"ts\":0,\"dec\":\"AA==\",\"s\":\"\","
                            "\"keep\":\"kept\"}");
    sl_record_release(r);
    tu_smt_free(t);

    /* a custom replacement on a decimal is parsed at the schema's scale */
    t = tu_smt_new(&smt_mask_field_value, TU_KV("fields", "magic,dec,f", "replacement", "12.5"));
    r = tu_sink("t", 0, 0, 0, sl_schema_ref(s), sl_value_copy(v));
    assert_int_equal(tu_apply(t, r), SL_OK);
    const sl_value *out = sl_record_value(r);
    size_t len = 0;
    const unsigned char *b = sl_value_get_bytes(sl_value_struct_get(out, "dec"), &len);
    assert_int_equal(len, 2); /* 1250 = 0x04E2 */
    assert_int_equal(b[0], 0x04);
    assert_int_equal(b[1], 0xE2);
    int64_t iv = 0;
    sl_value_get_int(sl_value_struct_get(out, "magic"), &iv); /* Values.convertToInteger("12.5") */
    assert_int_equal(iv, 12);
    double dv = 0;
    sl_value_get_double(sl_value_struct_get(out, "f"), &dv);
    assert_true(dv == 12.5);
    sl_record_release(r);
    tu_smt_free(t);

    /* Date has no custom replacement */
    t = tu_smt_new(&smt_mask_field_value, TU_KV("fields", "d", "replacement", "1"));
    r = tu_sink("t", 0, 0, 0, sl_schema_ref(s), sl_value_copy(v));
    assert_int_equal(tu_apply(t, r), SL_ERR);
    assert_string_equal(t->err, "Cannot mask value of type class java.util.Date with custom "
                                "replacement.");
    sl_record_release(r);
    tu_smt_free(t);
    sl_value_destroy(v);
    sl_schema_unref(s);
}

static void test_mask_field_bad_config(void **state)
{
    (void)state;
    tu_assert_rejected(&smt_mask_field_value, TU_KV("replacement", "x"), "fields",
                       "Missing required configuration \"fields\"");
    tu_assert_rejected(&smt_mask_field_value, TU_KV("fields", ""), "fields", "Empty list");
    tu_assert_rejected(&smt_mask_field_value, TU_KV("fields", "a", "replacement", ""),
                       "replacement", "String must be non-empty");
}

/* ==== ValueToKey ==== */

static void test_value_to_key(void **state)
{
    (void)state;
    tu_smt *t = tu_smt_new(&smt_value_to_key, TU_KV("fields", "a,b"));
    sl_value *v = sl_value_new_map();
    sl_value_map_put_str(v, "a", sl_value_new_int32(1));
    sl_value_map_put_str(v, "b", sl_value_new_int32(2));
    sl_value_map_put_str(v, "c", sl_value_new_int32(3));
    sl_record *r = tu_sink("t", 0, 0, 0, NULL, v);
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_key_json(r, "{\"a\":1,\"b\":2}");
    assert_null(sl_record_key_schema(r));
    tu_assert_value_json(r, "{\"a\":1,\"b\":2,\"c\":3}");
    sl_record_release(r);

    sl_schema *s =
        tu_struct_schema(NULL, "a", tu_prim(SL_TYPE_INT32, false), "b",
                         tu_prim(SL_TYPE_INT32, false), "c", tu_prim(SL_TYPE_INT32, false), NULL);
    sl_value *sv = sl_value_new_struct(s);
    sl_value_struct_set(sv, "a", sl_value_new_int32(1));
    sl_value_struct_set(sv, "b", sl_value_new_int32(2));
    sl_value_struct_set(sv, "c", sl_value_new_int32(3));
    r = tu_sink("t", 0, 0, 0, s, sv);
    assert_int_equal(tu_apply(t, r), SL_OK);
    const sl_schema *ks = sl_record_key_schema(r);
    assert_int_equal(sl_schema_type(ks), SL_TYPE_STRUCT);
    assert_int_equal(sl_schema_field_count(ks), 2);
    assert_string_equal(sl_schema_field_name(ks, 1), "b");
    tu_assert_key_json(r, "{\"a\":1,\"b\":2}");
    tu_assert_value_json(r, "{\"a\":1,\"b\":2,\"c\":3}");
    sl_record_release(r);
    tu_smt_free(t);

    t = tu_smt_new(&smt_value_to_key, TU_KV("fields", "a,d"));
    s = tu_struct_schema(NULL, "a", tu_prim(SL_TYPE_INT32, false), NULL);
    r = tu_sink("t", 0, 0, 0, s, sl_value_new_struct(s));
    assert_int_equal(tu_apply(t, r), SL_ERR);
    assert_string_equal(t->err, "Field does not exist: d");
    sl_record_release(r);
    tu_smt_free(t);

    tu_assert_rejected(&smt_value_to_key, TU_KV("replace.null.with.default", "false"), "fields",
                       "Missing required configuration");
    tu_assert_rejected(&smt_value_to_key, TU_KV("fields", " "), "fields", "Empty list");
}

/* ==== HoistField ==== */

static void test_hoist_field(void **state)
{
    (void)state;
    tu_smt *t = tu_smt_new(&smt_hoist_field_key, TU_KV("field", "magic"));
    sl_record *r = tu_sink("t", 0, 0, 0, NULL, NULL);
    sl_record_set_key(r, NULL, sl_value_new_int32(42));
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_key_json(r, "{\"magic\":42}");
    assert_null(sl_record_key_schema(r));
    sl_record_release(r);

    r = tu_sink("t", 0, 0, 0, NULL, NULL);
    sl_record_set_key(r, tu_prim(SL_TYPE_INT32, false), sl_value_new_int32(42));
    assert_int_equal(tu_apply(t, r), SL_OK);
    const sl_schema *ks = sl_record_key_schema(r);
    assert_int_equal(sl_schema_type(ks), SL_TYPE_STRUCT);
    assert_string_equal(sl_schema_field_name(ks, 0), "magic");
    assert_int_equal(sl_schema_type(sl_schema_field_schema(ks, 0)), SL_TYPE_INT32);
    tu_assert_key_json(r, "{\"magic\":42}");
    sl_record_release(r);
    tu_smt_free(t);

    tu_assert_rejected(&smt_hoist_field_value, TU_KV("x", "y"), "field",
                       "Missing required configuration \"field\"");
}

/* ==== ExtractField ==== */

static void test_field_path_parse(void **state)
{
    (void)state;
    struct {
        const char *path;
        const char *steps; /* joined with '|' */
    } cases[] = {
        {"a.b.c", "a|b|c"},   {"`a.b`.c", "a.b|c"},
        {"a.`b.c`", "a|b.c"}, {"`a\\`.b`.c", "a`.b|c"}, /* \` before a dot keeps the backtick */
        {"a`b.c", "a`b|c"},   {"`a`b`.c", "a`b|c"},
        {"a.", "a|"},         {"plain", "plain"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        smt_field_path p;
        char err[256] = "";
        assert_int_equal(smt_field_path_parse(cases[i].path, true, &p, err, sizeof(err)), SL_OK);
        char joined[256] = "";
        for (size_t k = 0; k < p.n; k++) {
            strcat(joined, k ? "|" : "");
            strcat(joined, p.steps[k]);
        }
        if (strcmp(joined, cases[i].steps) != 0)
            fail_msg("%s -> %s, expected %s", cases[i].path, joined, cases[i].steps);
        smt_field_path_free(&p);
    }
    smt_field_path p;
    char err[256];
    assert_int_equal(smt_field_path_parse("`foo.bar", true, &p, err, sizeof(err)), SL_ERR);
    assert_string_equal(err, "Incomplete backtick pair in path: [`foo.bar], consider adding a "
                             "backslash before backtick at position 0 to escape it");
    assert_int_equal(smt_field_path_parse("a.b", false, &p, err, sizeof(err)), SL_OK);
    assert_int_equal(p.n, 1); /* V1: one top-level name, dots and all */
    assert_string_equal(p.steps[0], "a.b");
    smt_field_path_free(&p);
}

static void test_extract_field_schemaless(void **state)
{
    (void)state;
    tu_smt *t = tu_smt_new(&smt_extract_field_key, TU_KV("field", "magic"));
    sl_record *r = tu_sink("t", 0, 0, 0, NULL, NULL);
    sl_value *k = sl_value_new_map();
    sl_value_map_put_str(k, "magic", sl_value_new_int32(42));
    sl_record_set_key(r, NULL, k);
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_key_json(r, "42");
    sl_record_release(r);
    /* a missing field and a null key give null */
    r = tu_sink("t", 0, 0, 0, NULL, NULL);
    sl_record_set_key(r, NULL, sl_value_new_map());
    assert_int_equal(tu_apply(t, r), SL_OK);
    assert_null(sl_record_key(r));
    sl_record_release(r);
    r = tu_sink("t", 0, 0, 0, NULL, NULL);
    assert_int_equal(tu_apply(t, r), SL_OK);
    assert_null(sl_record_key(r));
    sl_record_release(r);
    tu_smt_free(t);

    /* V2 nested paths, with backticks for names holding dots (KIP-821's examples) */
    t = tu_smt_new(&smt_extract_field_value,
                   TU_KV("field", "magic.dog.cat", "field.syntax.version", "v2"));
    sl_value *cat = sl_value_new_map();
    sl_value_map_put_str(cat, "cat", sl_value_new_int32(42));
    sl_value *dog = sl_value_new_map();
    sl_value_map_put_str(dog, "dog", cat);
    sl_value *v = sl_value_new_map();
    sl_value_map_put_str(v, "magic", dog);
    r = tu_sink("t", 0, 0, 0, NULL, v);
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_value_json(r, "42");
    sl_record_release(r);
    tu_smt_free(t);

    t = tu_smt_new(&smt_extract_field_value,
                   TU_KV("field", "`magic.dog`.cat", "field.syntax.version", "V2"));
    cat = sl_value_new_map();
    sl_value_map_put_str(cat, "cat", sl_value_new_int32(43));
    v = sl_value_new_map();
    sl_value_map_put_str(v, "magic.dog", cat);
    r = tu_sink("t", 0, 0, 0, NULL, v);
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_value_json(r, "43");
    sl_record_release(r);
    /* an intermediate that is not a map is an error */
    v = sl_value_new_map();
    sl_value_map_put_str(v, "magic.dog", tu_str("no"));
    r = tu_sink("t", 0, 0, 0, NULL, v);
    assert_int_equal(tu_apply(t, r), SL_ERR);
    assert_non_null(strstr(t->err, "nested field access"));
    sl_record_release(r);
    tu_smt_free(t);
}

static void test_extract_field_schemaful(void **state)
{
    (void)state;
    sl_schema *inner = tu_struct_schema("inner", "cat", tu_prim(SL_TYPE_INT32, false), NULL);
    sl_schema_set_optional(inner, true);
    sl_schema *s =
        tu_struct_schema("outer", "magic", tu_prim(SL_TYPE_INT32, false), "dog", inner, NULL);
    sl_value *iv = sl_value_new_struct(inner);
    sl_value_struct_set(iv, "cat", sl_value_new_int32(7));
    sl_value *v = sl_value_new_struct(s);
    sl_value_struct_set(v, "magic", sl_value_new_int32(42));
    sl_value_struct_set(v, "dog", iv);

    tu_smt *t = tu_smt_new(&smt_extract_field_value, TU_KV("field", "magic"));
    sl_record *r = tu_sink("t", 0, 0, 0, sl_schema_ref(s), sl_value_copy(v));
    assert_int_equal(tu_apply(t, r), SL_OK);
    assert_int_equal(sl_schema_type(sl_record_value_schema(r)), SL_TYPE_INT32);
    tu_assert_value_json(r, "42");
    sl_record_release(r);
    /* a null struct with a schema gives null with the field's schema */
    r = tu_sink("t", 0, 0, 0, sl_schema_ref(s), NULL);
    assert_int_equal(tu_apply(t, r), SL_OK);
    assert_null(sl_record_value(r));
    assert_int_equal(sl_schema_type(sl_record_value_schema(r)), SL_TYPE_INT32);
    sl_record_release(r);
    tu_smt_free(t);

    t = tu_smt_new(&smt_extract_field_value, TU_KV("field", "nope"));
    r = tu_sink("t", 0, 0, 0, sl_schema_ref(s), sl_value_copy(v));
    assert_int_equal(tu_apply(t, r), SL_ERR);
    assert_string_equal(t->err, "Unknown field: nope");
    sl_record_release(r);
    tu_smt_free(t);

    t = tu_smt_new(&smt_extract_field_value,
                   TU_KV("field", "dog.cat", "field.syntax.version", "V2"));
    r = tu_sink("t", 0, 0, 0, sl_schema_ref(s), sl_value_copy(v));
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_value_json(r, "7");
    sl_record_release(r);
    /* a null intermediate struct gives null */
    sl_value *v2 = sl_value_copy(v);
    sl_value_struct_set(v2, "dog", NULL);
    r = tu_sink("t", 0, 0, 0, sl_schema_ref(s), v2);
    assert_int_equal(tu_apply(t, r), SL_OK);
    assert_null(sl_record_value(r));
    assert_int_equal(sl_schema_type(sl_record_value_schema(r)), SL_TYPE_INT32);
    sl_record_release(r);
    tu_smt_free(t);

    sl_value_destroy(v);
    sl_schema_unref(s);
}

static void test_extract_field_bad_config(void **state)
{
    (void)state;
    tu_assert_rejected(&smt_extract_field_value, TU_KV("field.syntax.version", "V2"), "field",
                       "Missing required configuration \"field\"");
    tu_assert_rejected(&smt_extract_field_value, TU_KV("field", "a", "field.syntax.version", "V3"),
                       "field.syntax.version", "String must be one of (case insensitive): V1, V2");
    tu_assert_rejected(&smt_extract_field_value,
                       TU_KV("field", "`a.b", "field.syntax.version", "V2"), "field",
                       "Incomplete backtick pair");
    tu_assert_accepted(&smt_extract_field_value,
                       TU_KV("field", "`a.b", "field.syntax.version", "V1"));
}

/* ==== SetSchemaMetadata ==== */

static void test_set_schema_metadata(void **state)
{
    (void)state;
    tu_smt *t = tu_smt_new(&smt_set_schema_metadata_value,
                           TU_KV("schema.name", "foo", "schema.version", "42"));
    sl_schema *s = tu_struct_schema("old", "a", tu_prim(SL_TYPE_INT32, false), NULL);
    sl_schema_set_optional(s, true);
    sl_value *v = sl_value_new_struct(s);
    sl_value_struct_set(v, "a", sl_value_new_int32(1));
    sl_record *r = tu_sink("t", 0, 0, 0, s, v);
    assert_int_equal(tu_apply(t, r), SL_OK);
    const sl_schema *out = sl_record_value_schema(r);
    assert_string_equal(sl_schema_name(out), "foo");
    assert_int_equal(sl_schema_version(out), 42);
    assert_true(sl_schema_optional(out));
    assert_ptr_equal(sl_value_struct_schema(sl_record_value(r)), out);
    tu_assert_value_json(r, "{\"a\":1}");
    sl_record_release(r);

    /* a primitive schema is renamed too; a schemaless value is refused; null/null passes */
    r = tu_sink("t", 0, 0, 0, tu_prim(SL_TYPE_STRING, false), tu_str("x"));
    assert_int_equal(tu_apply(t, r), SL_OK);
    assert_string_equal(sl_schema_name(sl_record_value_schema(r)), "foo");
    assert_int_equal(sl_schema_type(sl_record_value_schema(r)), SL_TYPE_STRING);
    sl_record_release(r);
    r = tu_sink("t", 0, 0, 0, NULL, tu_str("x"));
    assert_int_equal(tu_apply(t, r), SL_ERR);
    assert_string_equal(t->err, "Schema required for [updating schema metadata]");
    sl_record_release(r);
    r = tu_sink("t", 0, 0, 0, NULL, NULL);
    assert_int_equal(tu_apply(t, r), SL_OK);
    sl_record_release(r);
    tu_smt_free(t);

    /* version only keeps the name */
    t = tu_smt_new(&smt_set_schema_metadata_key, TU_KV("schema.version", "3"));
    r = tu_sink("t", 0, 0, 0, NULL, NULL);
    sl_schema *ks = sl_schema_new(SL_TYPE_STRING);
    sl_schema_set_name(ks, "keyname");
    sl_record_set_key(r, ks, tu_str("k"));
    assert_int_equal(tu_apply(t, r), SL_OK);
    assert_string_equal(sl_schema_name(sl_record_key_schema(r)), "keyname");
    assert_int_equal(sl_schema_version(sl_record_key_schema(r)), 3);
    sl_record_release(r);
    tu_smt_free(t);

    tu_assert_rejected(&smt_set_schema_metadata_value, TU_KV("replace.null.with.default", "true"),
                       "schema.name", "Neither schema name nor version configured");
    tu_assert_rejected(&smt_set_schema_metadata_value, TU_KV("schema.version", "x"),
                       "schema.version", "Invalid value x");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_insert_field_schemaless),
        cmocka_unit_test(test_insert_field_schemaful),
        cmocka_unit_test(test_insert_field_edge_cases),
        cmocka_unit_test(test_insert_field_defaults),
        cmocka_unit_test(test_insert_field_bad_config),
        cmocka_unit_test(test_replace_field_schemaless),
        cmocka_unit_test(test_replace_field_schemaful),
        cmocka_unit_test(test_replace_field_bad_config),
        cmocka_unit_test(test_mask_field_schemaless),
        cmocka_unit_test(test_mask_field_schemaful),
        cmocka_unit_test(test_mask_field_bad_config),
        cmocka_unit_test(test_value_to_key),
        cmocka_unit_test(test_hoist_field),
        cmocka_unit_test(test_field_path_parse),
        cmocka_unit_test(test_extract_field_schemaless),
        cmocka_unit_test(test_extract_field_schemaful),
        cmocka_unit_test(test_extract_field_bad_config),
        cmocka_unit_test(test_set_schema_metadata),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
