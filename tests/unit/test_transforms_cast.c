/* tests/unit/test_transforms_cast.c: Cast (whole values, fields, Java conversion semantics,
 * logical types, spec errors), Flatten (nested structs and maps, delimiters, defaults) and the
 * Java number/decimal text helpers they rely on. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "smt_text.h"
#include "transforms_test_util.h"

/* ==== Java text ==== */

static void test_java_number_text(void **state)
{
    (void)state;
    struct {
        double d;
        const char *text;
    } dcases[] = {
        {1.0, "1.0"},
        {100.0, "100.0"},
        {1e7, "1.0E7"},
        {9999999.0, "9999999.0"},
        {1.234e-5, "1.234E-5"},
        {0.001, "0.001"},
        {1e-4, "1.0E-4"},
        {123456.789, "123456.789"},
        {-0.0, "-0.0"},
        {0.0, "0.0"},
        {1e21, "1.0E21"},
        {0.1 + 0.2, "0.30000000000000004"},
        {-64.0, "-64.0"},
        {NAN, "NaN"},
        {-INFINITY, "-Infinity"},
    };
    char buf[64];
    for (size_t i = 0; i < sizeof(dcases) / sizeof(dcases[0]); i++) {
        smt_format_double(dcases[i].d, buf, sizeof(buf));
        if (strcmp(buf, dcases[i].text) != 0)
            fail_msg("Double.toString: %s, expected %s", buf, dcases[i].text);
    }
    smt_format_float(1.1f, buf, sizeof(buf));
    assert_string_equal(buf, "1.1");
    smt_format_float(3.4028235e38f, buf, sizeof(buf));
    assert_string_equal(buf, "3.4028235E38");
    smt_format_float(32.5f, buf, sizeof(buf));
    assert_string_equal(buf, "32.5");

    int64_t v;
    assert_int_equal(smt_parse_integer("-128", INT8_MIN, INT8_MAX, &v), SL_OK);
    assert_int_equal(v, -128);
    assert_int_equal(smt_parse_integer("128", INT8_MIN, INT8_MAX, &v), SL_ERR);
    assert_int_equal(smt_parse_integer("+7", INT8_MIN, INT8_MAX, &v), SL_OK);
    assert_int_equal(smt_parse_integer(" 7", INT8_MIN, INT8_MAX, &v), SL_ERR);
    assert_int_equal(smt_parse_integer("-9223372036854775808", INT64_MIN, INT64_MAX, &v), SL_OK);
    assert_int_equal(smt_parse_integer("9223372036854775808", INT64_MIN, INT64_MAX, &v), SL_ERR);
    assert_int_equal(smt_parse_integer("", INT64_MIN, INT64_MAX, &v), SL_ERR);
    assert_int_equal(smt_parse_integer("-", INT64_MIN, INT64_MAX, &v), SL_ERR);
    double d;
    assert_int_equal(smt_parse_double(" 1.5f ", &d), SL_OK);
    assert_true(d == 1.5);
    assert_int_equal(smt_parse_double("1e3", &d), SL_OK);
    assert_true(d == 1000);
    assert_int_equal(smt_parse_double("-Infinity", &d), SL_OK);
    assert_true(isinf(d) && d < 0);
    assert_int_equal(smt_parse_double("inf", &d), SL_ERR);
    assert_int_equal(smt_parse_double("0x1p3", &d), SL_OK);
    assert_true(d == 8);
    assert_int_equal(smt_parse_double("1.2.3", &d), SL_ERR);
    assert_int_equal(smt_parse_double("", &d), SL_ERR);

    /* BigDecimal.toString */
    const unsigned char b1234[] = {0x04, 0xD2}, neg[] = {0xFB, 0x2E}, zero[] = {0};
    char *s = smt_decimal_string(b1234, 2, 2);
    assert_string_equal(s, "12.34");
    free(s);
    s = smt_decimal_string(b1234, 2, -2);
    assert_string_equal(s, "1.234E+5");
    free(s);
    s = smt_decimal_string(b1234, 2, 10);
    assert_string_equal(s, "1.234E-7");
    free(s);
    s = smt_decimal_string(b1234, 2, 6);
    assert_string_equal(s, "0.001234");
    free(s);
    s = smt_decimal_string(neg, 2, 2);
    assert_string_equal(s, "-12.34");
    free(s);
    s = smt_decimal_string(zero, 1, 0);
    assert_string_equal(s, "0");
    free(s);
    char *b64 = smt_base64("\x01\x02\x03\x04", 4);
    assert_string_equal(b64, "AQIDBA==");
    free(b64);
}

/* ==== Cast ==== */

static sl_value *cast_whole(const char *spec, sl_schema *schema, sl_value *v,
                            sl_schema **out_schema, int *rc, char *err)
{
    tu_smt *t = tu_smt_new(&smt_cast_value, TU_KV("spec", spec));
    sl_record *r = tu_sink("t", 0, 0, 0, schema, v);
    *rc = tu_apply(t, r);
    strcpy(err, t->err);
    sl_value *out = NULL;
    sl_schema *os = NULL;
    sl_record_take_value(r, &os, &out);
    if (out_schema)
        *out_schema = os;
    else
        sl_schema_unref(os);
    sl_record_release(r);
    tu_smt_free(t);
    return out;
}

static void test_cast_whole_value(void **state)
{
    (void)state;
    /* Connect's CastTest.castWholeRecordValueWithSchema* : 42 as each type */
    struct {
        const char *spec;
        sl_type type;
        const char *json;
    } cases[] = {
        {"int8", SL_TYPE_INT8, "42"},         {"int16", SL_TYPE_INT16, "42"},
        {"int32", SL_TYPE_INT32, "42"},       {"int64", SL_TYPE_INT64, "42"},
        {"float32", SL_TYPE_FLOAT32, "42.0"}, {"float64", SL_TYPE_FLOAT64, "42.0"},
        {"boolean", SL_TYPE_BOOLEAN, "true"}, {"string", SL_TYPE_STRING, "\"42\""},
        {"INT16", SL_TYPE_INT16, "42"},
    };
    char err[1024];
    int rc;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sl_schema *os = NULL;
        sl_value *out = cast_whole(cases[i].spec, tu_prim(SL_TYPE_INT32, false),
                                   sl_value_new_int32(42), &os, &rc, err);
        assert_int_equal(rc, SL_OK);
        assert_int_equal(sl_schema_type(os), cases[i].type);
        assert_int_equal(sl_value_type(out), cases[i].type);
        tu_assert_json(out, os, cases[i].json);
        sl_value_destroy(out);
        sl_schema_unref(os);
        /* schemaless: the type is inferred from the value */
        out = cast_whole(cases[i].spec, NULL, sl_value_new_int32(42), &os, &rc, err);
        assert_int_equal(rc, SL_OK);
        assert_null(os);
        assert_int_equal(sl_value_type(out), cases[i].type);
        sl_value_destroy(out);
    }
    /* optionality and the schema's basics follow the original */
    sl_schema *in = sl_schema_new(SL_TYPE_STRING);
    sl_schema_set_optional(in, true);
    sl_schema_set_name(in, "my.string");
    sl_schema *os = NULL;
    sl_value *out = cast_whole("int64", in, tu_str("-17"), &os, &rc, err);
    assert_int_equal(rc, SL_OK);
    assert_true(sl_schema_optional(os));
    assert_string_equal(sl_schema_name(os), "my.string");
    tu_assert_json(out, os, "-17");
    sl_value_destroy(out);
    sl_schema_unref(os);
    /* strings parse strictly */
    out = cast_whole("int32", NULL, tu_str("1.5"), NULL, &rc, err);
    assert_int_equal(rc, SL_ERR);
    assert_string_equal(err, "Value (1.5) was out of range for requested data type");
    sl_value_destroy(out); /* the record kept its value */
    out = cast_whole("int8", NULL, tu_str("300"), NULL, &rc, err);
    assert_int_equal(rc, SL_ERR);
    sl_value_destroy(out);
    out = cast_whole("boolean", NULL, tu_str("TRUE"), NULL, &rc, err);
    assert_true(sl_value_get_bool(out));
    sl_value_destroy(out);
    out = cast_whole("boolean", NULL, tu_str("yes"), NULL, &rc, err);
    assert_false(sl_value_get_bool(out));
    sl_value_destroy(out);
    /* tombstones pass */
    out = cast_whole("int8", NULL, NULL, NULL, &rc, err);
    assert_int_equal(rc, SL_OK);
    assert_null(out);
    /* a struct cannot be cast as a whole */
    sl_schema *st = tu_struct_schema(NULL, "a", tu_prim(SL_TYPE_INT8, false), NULL);
    out = cast_whole("string", st, sl_value_new_struct(st), NULL, &rc, err);
    assert_int_equal(rc, SL_ERR);
    assert_non_null(strstr(err, "Cast transformation does not support casting from STRUCT"));
    sl_value_destroy(out);
}

static void test_cast_java_semantics(void **state)
{
    (void)state;
    char err[1024];
    int rc;
    int64_t iv;
    double dv;
    /* narrowing wraps, floating point saturates then narrows, as Java's casts */
    sl_value *out = cast_whole("int8", NULL, sl_value_new_int32(300), NULL, &rc, err);
    sl_value_get_int(out, &iv);
    assert_int_equal(iv, 44);
    sl_value_destroy(out);
    out = cast_whole("int32", NULL, sl_value_new_float64(1e20), NULL, &rc, err);
    sl_value_get_int(out, &iv);
    assert_int_equal(iv, INT32_MAX);
    sl_value_destroy(out);
    out = cast_whole("int64", NULL, sl_value_new_float64(-2.9), NULL, &rc, err);
    sl_value_get_int(out, &iv);
    assert_int_equal(iv, -2);
    sl_value_destroy(out);
    out = cast_whole("int16", NULL, sl_value_new_float64(NAN), NULL, &rc, err);
    sl_value_get_int(out, &iv);
    assert_int_equal(iv, 0);
    sl_value_destroy(out);
    out = cast_whole("boolean", NULL, sl_value_new_float64(0.5), NULL, &rc, err);
    assert_false(sl_value_get_bool(out)); /* longValue() != 0 */
    sl_value_destroy(out);
    out = cast_whole("int8", NULL, sl_value_new_boolean(true), NULL, &rc, err);
    sl_value_get_int(out, &iv);
    assert_int_equal(iv, 1);
    sl_value_destroy(out);
    /* float32 widened to float64 keeps the float's exact value */
    out = cast_whole("float64", NULL, sl_value_new_float32(1.1f), NULL, &rc, err);
    sl_value_get_double(out, &dv);
    assert_true(dv == (double)1.1f);
    sl_value_destroy(out);
    /* Double.toString / Float.toString */
    out = cast_whole("string", NULL, sl_value_new_float64(1e7), NULL, &rc, err);
    assert_string_equal(sl_value_get_string(out, NULL), "1.0E7");
    sl_value_destroy(out);
    out = cast_whole("string", NULL, sl_value_new_float32(1.1f), NULL, &rc, err);
    assert_string_equal(sl_value_get_string(out, NULL), "1.1");
    sl_value_destroy(out);
    /* bytes become base64 text, and nothing else */
    out = cast_whole("string", tu_prim(SL_TYPE_BYTES, false), sl_value_new_bytes("\x01\x02\x03", 3),
                     NULL, &rc, err);
    assert_string_equal(sl_value_get_string(out, NULL), "AQID");
    sl_value_destroy(out);
    out = cast_whole("int32", NULL, sl_value_new_bytes("\x01", 1), NULL, &rc, err);
    assert_int_equal(rc, SL_ERR);
    assert_string_equal(err, "Unexpected type in Cast transformation: class [B");
    sl_value_destroy(out);
}

static void test_cast_fields_with_schema(void **state)
{
    (void)state;
    /* after Connect's CastTest.castFieldsWithSchema */
    sl_schema *opt_def = sl_schema_new(SL_TYPE_STRING);
    sl_schema_set_optional(opt_def, true);
    sl_schema_set_default(opt_def, tu_str("5"));
    sl_schema *s = tu_struct_schema(
        "rec", "int8", tu_prim(SL_TYPE_INT8, false), "int16", tu_prim(SL_TYPE_INT16, false),
        "int32", tu_prim(SL_TYPE_INT32, false), "int64", tu_prim(SL_TYPE_INT64, false), "float32",
        tu_prim(SL_TYPE_FLOAT32, false), "float64", tu_prim(SL_TYPE_FLOAT64, false), "boolean",
        tu_prim(SL_TYPE_BOOLEAN, false), "string", tu_prim(SL_TYPE_STRING, false), "bigdecimal",
        sl_schema_new_decimal(2), "date", sl_schema_new_logical(SL_LOGICAL_DATE), "timestamp",
        sl_schema_new_logical(SL_LOGICAL_TIMESTAMP), "optional", opt_def, "untouched",
        tu_prim(SL_TYPE_STRING, false), NULL);
    sl_value *v = sl_value_new_struct(s);
    sl_value_struct_set(v, "int8", sl_value_new_int8(8));
    sl_value_struct_set(v, "int16", sl_value_new_int16(16));
    sl_value_struct_set(v, "int32", sl_value_new_int32(32));
    sl_value_struct_set(v, "int64", sl_value_new_int64(64));
    sl_value_struct_set(v, "float32", sl_value_new_float32(32.f));
    sl_value_struct_set(v, "float64", sl_value_new_float64(-64.));
    sl_value_struct_set(v, "boolean", sl_value_new_boolean(true));
    sl_value_struct_set(v, "string", tu_str("42"));
    sl_value_struct_set(v, "bigdecimal", sl_value_new_decimal_i64(4250));
    sl_value_struct_set(v, "date", sl_value_new_int32(19000));
    sl_value_struct_set(v, "timestamp", sl_value_new_int64(1700000000123LL));
    sl_value_struct_set(v, "untouched", tu_str("same"));
    tu_smt *t = tu_smt_new(&smt_cast_value,
                           TU_KV("spec", "int8:int16,int16:int32,int32:int64,int64:boolean,"
                                         "float32:float64,float64:boolean,boolean:int8,"
                                         "string:int32,bigdecimal:string,date:string,"
                                         "timestamp:string,optional:int32"));
    sl_record *r = tu_sink("t", 0, 0, 0, sl_schema_ref(s), sl_value_copy(v));
    assert_int_equal(tu_apply(t, r), SL_OK);
    const sl_schema *os = sl_record_value_schema(r);
    assert_string_equal(sl_schema_name(os), "rec");
    static const sl_type types[] = {
        SL_TYPE_INT16,   SL_TYPE_INT32, SL_TYPE_INT64, SL_TYPE_BOOLEAN, SL_TYPE_FLOAT64,
        SL_TYPE_BOOLEAN, SL_TYPE_INT8,  SL_TYPE_INT32, SL_TYPE_STRING,  SL_TYPE_STRING,
        SL_TYPE_STRING,  SL_TYPE_INT32, SL_TYPE_STRING};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        assert_int_equal(sl_schema_type(sl_schema_field_schema(os, i)), types[i]);
    /* an optional field stays optional and its default is cast too */
    const sl_schema *ofs = sl_schema_field_schema(os, 11);
    assert_true(sl_schema_optional(ofs));
    int64_t iv = 0;
    assert_int_equal(sl_value_get_int(sl_schema_default(ofs), &iv), SL_OK);
    assert_int_equal(iv, 5);
    tu_assert_value_json(r, "{\"int8\":8,\"int16\":16,\"int32\":32,\"int64\":true,"
                            "\"float32\":32.0,\"float64\":true,\"boolean\":1,\"string\":42,"
                            "\"bigdecimal\":\"42.50\",\"date\":\"2022-01-08\","
                            "\"timestamp\":\"2023-11-14T22:13:20.123Z\",\"optional\":5,"
                            "\"untouched\":\"same\"}");
    char verr[256];
    assert_int_equal(sl_value_validate(os, sl_record_value(r), verr, sizeof(verr)), SL_OK);
    /* the schema is built once */
    sl_record *r2 = tu_sink("t", 0, 1, 0, sl_schema_ref(s), sl_value_copy(v));
    assert_int_equal(tu_apply(t, r2), SL_OK);
    assert_ptr_equal(sl_record_value_schema(r2), os);
    sl_record_release(r2);
    sl_record_release(r);

    /* a failing cast leaves the record untouched */
    sl_value *bad = sl_value_copy(v);
    sl_value_struct_set(bad, "string", tu_str("forty-two"));
    r = tu_sink("t", 0, 2, 0, sl_schema_ref(s), bad);
    assert_int_equal(tu_apply(t, r), SL_ERR);
    assert_string_equal(t->err, "Value (forty-two) was out of range for requested data type");
    assert_ptr_equal(sl_record_value_schema(r), s);
    assert_string_equal(
        sl_value_get_string(sl_value_struct_get(sl_record_value(r), "string"), NULL), "forty-two");
    sl_record_release(r);
    tu_smt_free(t);

    /* logical types to numbers are their internal form */
    t = tu_smt_new(&smt_cast_value, TU_KV("spec", "date:int64,timestamp:int64,bigdecimal:int32"));
    r = tu_sink("t", 0, 0, 0, sl_schema_ref(s), sl_value_copy(v));
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_json(sl_value_struct_get(sl_record_value(r), "date"), NULL, "19000");
    tu_assert_json(sl_value_struct_get(sl_record_value(r), "timestamp"), NULL, "1700000000123");
    tu_assert_json(sl_value_struct_get(sl_record_value(r), "bigdecimal"), NULL, "42");
    sl_record_release(r);
    tu_smt_free(t);
    sl_value_destroy(v);
    sl_schema_unref(s);
}

static void test_cast_schemaless_fields(void **state)
{
    (void)state;
    tu_smt *t = tu_smt_new(&smt_cast_key, TU_KV("spec", "a:int32, b:int64 ,c:string"));
    sl_record *r = tu_sink("t", 0, 0, 0, NULL, NULL);
    sl_value *k = sl_value_new_map();
    sl_value_map_put_str(k, "a", tu_str("42"));
    sl_value_map_put_str(k, "b", sl_value_new_float64(1.9));
    sl_value_map_put_str(k, "d", sl_value_new_boolean(false));
    sl_record_set_key(r, NULL, k);
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_key_json(r, "{\"a\":42,\"b\":1,\"d\":false,\"c\":null}");
    sl_record_release(r);
    /* a schemaless struct-less non-map is refused */
    r = tu_sink("t", 0, 0, 0, NULL, NULL);
    sl_record_set_key(r, NULL, sl_value_new_int32(1));
    assert_int_equal(tu_apply(t, r), SL_ERR);
    assert_non_null(strstr(t->err, "Only Map objects supported in absence of schema for [cast "
                                   "types]"));
    sl_record_release(r);
    tu_smt_free(t);
}

static void test_cast_bad_config(void **state)
{
    (void)state;
    tu_assert_rejected(&smt_cast_value, TU_KV("x", "y"), "spec",
                       "Missing required configuration \"spec\"");
    tu_assert_rejected(&smt_cast_value, TU_KV("spec", ""), "spec",
                       "Must specify at least one field to cast.");
    tu_assert_rejected(&smt_cast_value, TU_KV("spec", "a:int99"), "spec",
                       "Invalid type found in casting spec: int99");
    tu_assert_rejected(&smt_cast_value, TU_KV("spec", "a:bytes"), "spec",
                       "Cast transformation does not support casting to BYTES");
    tu_assert_rejected(&smt_cast_value, TU_KV("spec", "int8,a:int16"), "spec",
                       "may only specify a single cast in their spec");
    tu_assert_rejected(&smt_cast_value, TU_KV("spec", "a:b:c"), "spec",
                       "Invalid rename mapping: a:b:c");
    tu_assert_rejected(&smt_cast_key, TU_KV("spec", "a:"), "spec",
                       "Invalid type found in casting spec: a");
    tu_assert_accepted(&smt_cast_value, TU_KV("spec", "a:INT8, b : Float64"));
}

/* ==== Flatten ==== */

static void test_flatten_schemaful(void **state)
{
    (void)state;
    sl_schema *b = tu_struct_schema("B", "int8", tu_prim(SL_TYPE_INT8, false), "string",
                                    tu_prim(SL_TYPE_STRING, false), NULL);
    sl_schema_set_optional(b, true);
    sl_schema *map =
        sl_schema_new_map(tu_prim(SL_TYPE_STRING, false), tu_prim(SL_TYPE_INT32, false));
    sl_schema *a =
        tu_struct_schema("A", "B", b, "c", tu_prim(SL_TYPE_INT32, false), "m", map, NULL);
    sl_value *bv = sl_value_new_struct(b);
    sl_value_struct_set(bv, "int8", sl_value_new_int8(8));
    sl_value_struct_set(bv, "string", tu_str("s"));
    sl_value *mv = sl_value_new_map();
    sl_value_map_put_str(mv, "k", sl_value_new_int32(1));
    sl_value *av = sl_value_new_struct(a);
    sl_value_struct_set(av, "B", bv);
    sl_value_struct_set(av, "c", sl_value_new_int32(3));
    sl_value_struct_set(av, "m", mv);

    tu_smt *t = tu_smt_new(&smt_flatten_value, TU_KV("x", "y"));
    sl_record *r = tu_sink("t", 0, 0, 0, sl_schema_ref(a), sl_value_copy(av));
    assert_int_equal(tu_apply(t, r), SL_OK);
    const sl_schema *os = sl_record_value_schema(r);
    assert_string_equal(sl_schema_name(os), "A");
    assert_int_equal(sl_schema_field_count(os), 4);
    assert_string_equal(sl_schema_field_name(os, 0), "B.int8");
    assert_string_equal(sl_schema_field_name(os, 1), "B.string");
    /* leaves of an optional struct are optional */
    assert_true(sl_schema_optional(sl_schema_field_schema(os, 0)));
    assert_false(sl_schema_optional(sl_schema_field_schema(os, 2)));
    assert_int_equal(sl_schema_type(sl_schema_field_schema(os, 3)), SL_TYPE_MAP);
    tu_assert_value_json(r, "{\"B.int8\":8,\"B.string\":\"s\",\"c\":3,\"m\":{\"k\":1}}");
    sl_record_release(r);
    /* a null nested struct leaves its fields null */
    sl_value *av2 = sl_value_copy(av);
    sl_value_struct_set(av2, "B", NULL);
    r = tu_sink("t", 0, 0, 0, sl_schema_ref(a), av2);
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_value_json(r, "{\"B.int8\":null,\"B.string\":null,\"c\":3,\"m\":{\"k\":1}}");
    sl_record_release(r);
    /* tombstones pass */
    r = tu_sink("t", 0, 0, 0, sl_schema_ref(a), NULL);
    assert_int_equal(tu_apply(t, r), SL_OK);
    assert_ptr_equal(sl_record_value_schema(r), a);
    sl_record_release(r);
    tu_smt_free(t);

    t = tu_smt_new(&smt_flatten_key, TU_KV("delimiter", "_"));
    r = tu_sink("t", 0, 0, 0, NULL, NULL);
    sl_record_set_key(r, sl_schema_ref(a), sl_value_copy(av));
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_key_json(r, "{\"B_int8\":8,\"B_string\":\"s\",\"c\":3,\"m\":{\"k\":1}}");
    sl_record_release(r);
    tu_smt_free(t);

    /* a flattened name that collides with an existing one is an error */
    sl_schema *clash =
        tu_struct_schema(NULL, "B", sl_schema_ref(b), "B.int8", tu_prim(SL_TYPE_INT8, false), NULL);
    t = tu_smt_new(&smt_flatten_value, TU_KV("delimiter", "."));
    r = tu_sink("t", 0, 0, 0, clash, sl_value_new_struct(clash));
    assert_int_equal(tu_apply(t, r), SL_ERR);
    assert_non_null(strstr(t->err, "duplication B.int8"));
    sl_record_release(r);
    tu_smt_free(t);
    sl_value_destroy(av);
    sl_schema_unref(a);
}

static void test_flatten_defaults(void **state)
{
    (void)state;
    /* a parent struct's default gives its leaves their defaults */
    sl_schema *inner = tu_struct_schema(NULL, "x", tu_prim(SL_TYPE_INT32, true), NULL);
    /* the default struct gets its own (equal) schema: a schema holding a value that holds
     * the same schema would be a reference cycle */
    sl_schema *def_schema = tu_struct_schema(NULL, "x", tu_prim(SL_TYPE_INT32, true), NULL);
    sl_value *def = sl_value_new_struct(def_schema);
    sl_schema_unref(def_schema);
    sl_value_struct_set(def, "x", sl_value_new_int32(9));
    sl_schema_set_optional(inner, true);
    sl_schema_set_default(inner, def);
    sl_schema *outer = tu_struct_schema(NULL, "in", inner, NULL);
    tu_smt *t = tu_smt_new(&smt_flatten_value, TU_KV("delimiter", "."));
    sl_record *r = tu_sink("t", 0, 0, 0, outer, sl_value_new_struct(outer));
    assert_int_equal(tu_apply(t, r), SL_OK);
    const sl_schema *os = sl_record_value_schema(r);
    int64_t iv = 0;
    assert_int_equal(sl_value_get_int(sl_schema_default(sl_schema_field_schema(os, 0)), &iv),
                     SL_OK);
    assert_int_equal(iv, 9);
    sl_record_release(r);
    tu_smt_free(t);
}

static void test_flatten_schemaless(void **state)
{
    (void)state;
    sl_value *bm = sl_value_new_map();
    sl_value_map_put_str(bm, "x", sl_value_new_int32(1));
    sl_value *am = sl_value_new_map();
    sl_value_map_put_str(am, "B", bm);
    sl_value_map_put_str(am, "y", tu_str("s"));
    sl_value_map_put_str(am, "n", NULL);
    sl_value *arr = sl_value_new_array();
    sl_value_array_append(arr, sl_value_new_int32(1));
    sl_value *v = sl_value_new_map();
    sl_value_map_put_str(v, "A", am);
    sl_value_map_put_str(v, "arr", arr);
    tu_smt *t = tu_smt_new(&smt_flatten_value, TU_KV("delimiter", "#"));
    sl_record *r = tu_sink("t", 0, 0, 0, NULL, v);
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_value_json(r, "{\"A#B#x\":1,\"A#y\":\"s\",\"A#n\":null,\"arr\":[1]}");
    sl_record_release(r);

    /* a struct inside a schemaless map is refused, and the record left as it was */
    sl_schema *st = tu_struct_schema(NULL, "a", tu_prim(SL_TYPE_INT8, false), NULL);
    v = sl_value_new_map();
    sl_value_map_put_str(v, "s", sl_value_new_struct(st));
    sl_schema_unref(st);
    r = tu_sink("t", 0, 0, 0, NULL, v);
    assert_int_equal(tu_apply(t, r), SL_ERR);
    assert_non_null(strstr(t->err, "for record without schemas (for field s)"));
    assert_int_equal(sl_value_map_len(sl_record_value(r)), 1);
    sl_record_release(r);
    r = tu_sink("t", 0, 0, 0, NULL, tu_str("x"));
    assert_int_equal(tu_apply(t, r), SL_ERR);
    assert_non_null(strstr(t->err, "[flattening]"));
    sl_record_release(r);
    tu_smt_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_java_number_text),
        cmocka_unit_test(test_cast_whole_value),
        cmocka_unit_test(test_cast_java_semantics),
        cmocka_unit_test(test_cast_fields_with_schema),
        cmocka_unit_test(test_cast_schemaless_fields),
        cmocka_unit_test(test_cast_bad_config),
        cmocka_unit_test(test_flatten_schemaful),
        cmocka_unit_test(test_flatten_defaults),
        cmocka_unit_test(test_flatten_schemaless),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
