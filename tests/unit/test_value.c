/* tests/unit/test_value.c: the value and schema model: builders, accessors, containers,
 * structs, copy/equals, validation messages, logical types and exact JSON text. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "data/value_internal.h"

/* Compare a value's JSON text and free it. */
static void expect_json(const sl_value *v, const sl_schema *s, const char *want)
{
    char *got = sl_value_to_json(v, s);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static sl_value *str(const char *s) { return sl_value_new_string(s, strlen(s)); }

/* ---- primitives ---- */

static void test_primitives(void **state)
{
    (void)state;
    int64_t i;
    double d;
    sl_value *v = sl_value_new_int8(-128);
    assert_int_equal(sl_value_type(v), SL_TYPE_INT8);
    assert_int_equal(sl_value_get_int(v, &i), SL_OK);
    assert_int_equal(i, -128);
    assert_int_equal(sl_value_get_double(v, &d), SL_OK);
    assert_true(d == -128.0);
    sl_value_destroy(v);

    v = sl_value_new_int16(32767);
    assert_int_equal(sl_value_type(v), SL_TYPE_INT16);
    assert_int_equal(sl_value_get_int(v, &i), SL_OK);
    assert_int_equal(i, 32767);
    sl_value_destroy(v);

    v = sl_value_new_int32(INT32_MIN);
    assert_int_equal(sl_value_get_int(v, &i), SL_OK);
    assert_int_equal(i, INT32_MIN);
    sl_value_destroy(v);

    v = sl_value_new_int64(INT64_MAX);
    assert_int_equal(sl_value_type(v), SL_TYPE_INT64);
    assert_int_equal(sl_value_get_int(v, &i), SL_OK);
    assert_true(i == INT64_MAX);
    expect_json(v, NULL, "9223372036854775807");
    sl_value_destroy(v);

    v = sl_value_new_float32(1.5f);
    assert_int_equal(sl_value_type(v), SL_TYPE_FLOAT32);
    assert_int_equal(sl_value_get_int(v, &i), SL_ERR);
    assert_int_equal(sl_value_get_double(v, &d), SL_OK);
    assert_true(d == 1.5);
    sl_value_destroy(v);

    v = sl_value_new_float64(-2.25);
    assert_int_equal(sl_value_get_double(v, &d), SL_OK);
    assert_true(d == -2.25);
    assert_false(sl_value_get_bool(v));
    sl_value_destroy(v);

    v = sl_value_new_boolean(true);
    assert_int_equal(sl_value_type(v), SL_TYPE_BOOLEAN);
    assert_true(sl_value_get_bool(v));
    assert_int_equal(sl_value_get_int(v, &i), SL_ERR);
    assert_int_equal(sl_value_get_double(v, &d), SL_ERR);
    assert_null(sl_value_get_string(v, NULL));
    sl_value_destroy(v);

    /* Null is a NULL pointer: every accessor copes. */
    assert_int_equal(sl_value_get_int(NULL, &i), SL_ERR);
    assert_int_equal(sl_value_get_double(NULL, &d), SL_ERR);
    assert_false(sl_value_get_bool(NULL));
    assert_null(sl_value_get_string(NULL, NULL));
    assert_null(sl_value_get_bytes(NULL, NULL));
    assert_int_equal(sl_value_array_len(NULL), 0);
    assert_int_equal(sl_value_map_len(NULL), 0);
    assert_null(sl_value_struct_get(NULL, "x"));
    sl_value_destroy(NULL);
    assert_null(sl_value_copy(NULL));
    assert_true(sl_value_equals(NULL, NULL));
    expect_json(NULL, NULL, "null");
}

static void test_strings_bytes(void **state)
{
    (void)state;
    size_t len = 99;
    sl_value *v = sl_value_new_string("a\0b", 3);
    const char *s = sl_value_get_string(v, &len);
    assert_non_null(s);
    assert_int_equal(len, 3);
    assert_memory_equal(s, "a\0b", 3);
    assert_int_equal(s[3], '\0');
    assert_null(sl_value_get_bytes(v, NULL)); /* a STRING is not BYTES */
    expect_json(v, NULL, "\"a\\u0000b\"");
    sl_value_destroy(v);

    v = sl_value_new_string("hello world", 5); /* not NUL-terminated at len: copied + NUL */
    assert_string_equal(sl_value_get_string(v, NULL), "hello");
    sl_value_destroy(v);

    v = sl_value_new_string(NULL, 0);
    assert_non_null(v);
    assert_string_equal(sl_value_get_string(v, &len), "");
    assert_int_equal(len, 0);
    expect_json(v, NULL, "\"\"");
    sl_value_destroy(v);
    assert_null(sl_value_new_string(NULL, 3)); /* hostile: no data for a length */

    const uint8_t raw[] = {0x00, 0xff, 0x10, 0x80};
    v = sl_value_new_bytes(raw, sizeof(raw));
    const uint8_t *b = sl_value_get_bytes(v, &len);
    assert_int_equal(len, 4);
    assert_memory_equal(b, raw, 4);
    assert_null(sl_value_get_string(v, NULL));
    expect_json(v, NULL, "\"AP8QgA==\"");
    sl_value_destroy(v);

    v = sl_value_new_bytes(NULL, 0);
    assert_non_null(sl_value_get_bytes(v, &len));
    assert_int_equal(len, 0);
    expect_json(v, NULL, "\"\"");
    sl_value_destroy(v);
}

static int g_freed;
static void count_free(void *opaque)
{
    g_freed++;
    free(opaque);
}

static void test_bytes_nocopy(void **state)
{
    (void)state;
    g_freed = 0;
    char *buf = malloc(3);
    memcpy(buf, "xyz", 3);
    sl_value *v = value_new_bytes_nocopy(buf, 3, count_free, buf);
    size_t len;
    assert_ptr_equal(sl_value_get_bytes(v, &len), buf); /* zero-copy */
    assert_int_equal(len, 3);
    sl_value *c = sl_value_copy(v);
    assert_ptr_not_equal(sl_value_get_bytes(c, NULL), buf);
    assert_true(sl_value_equals(v, c));
    expect_json(v, NULL, "\"eHl6\"");
    sl_value_destroy(c);
    assert_int_equal(g_freed, 0);
    sl_value_destroy(v);
    assert_int_equal(g_freed, 1);

    /* A borrowed buffer with no free function, and an empty one with no data. */
    static const char fixed[] = "abc";
    v = value_new_bytes_nocopy(fixed, 3, NULL, NULL);
    assert_ptr_equal(sl_value_get_bytes(v, NULL), fixed);
    sl_value_destroy(v);
    v = value_new_bytes_nocopy(NULL, 0, NULL, NULL);
    assert_non_null(sl_value_get_bytes(v, &len));
    assert_int_equal(len, 0);
    sl_value_destroy(v);
    assert_null(value_new_bytes_nocopy(NULL, 5, NULL, NULL));
}

/* ---- containers ---- */

static void test_array(void **state)
{
    (void)state;
    sl_value *a = sl_value_new_array();
    assert_int_equal(sl_value_type(a), SL_TYPE_ARRAY);
    for (int i = 0; i < 100; i++)
        assert_int_equal(sl_value_array_append(a, sl_value_new_int32(i)), SL_OK);
    assert_int_equal(sl_value_array_append(a, NULL), SL_OK); /* null element */
    assert_int_equal(sl_value_array_len(a), 101);
    int64_t i;
    assert_int_equal(sl_value_get_int(sl_value_array_get(a, 42), &i), SL_OK);
    assert_int_equal(i, 42);
    assert_null(sl_value_array_get(a, 100));
    assert_null(sl_value_array_get(a, 1000));
    assert_int_equal(sl_value_remove_at(a, 0), SL_OK);
    assert_int_equal(sl_value_get_int(sl_value_array_get(a, 0), &i), SL_OK);
    assert_int_equal(i, 1);
    assert_int_equal(sl_value_array_len(a), 100);
    assert_int_equal(sl_value_remove_at(a, 100), SL_ERR);
    sl_value_destroy(a);

    a = sl_value_new_array();
    sl_value_array_append(a, sl_value_new_int32(1));
    sl_value_array_append(a, NULL);
    sl_value_array_append(a, str("x"));
    expect_json(a, NULL, "[1,null,\"x\"]");
    /* Appending to a non-array fails and frees the item (ASAN/valgrind check the free). */
    sl_value *n = sl_value_new_int32(3);
    assert_int_equal(sl_value_array_append(n, str("leak?")), SL_ERR);
    assert_int_equal(sl_value_array_append(NULL, str("leak?")), SL_ERR);
    assert_int_equal(sl_value_remove_at(n, 0), SL_ERR);
    sl_value_destroy(n);
    sl_value_destroy(a);
    a = sl_value_new_array();
    expect_json(a, NULL, "[]");
    sl_value_destroy(a);
}

static void test_map(void **state)
{
    (void)state;
    sl_value *m = sl_value_new_map();
    assert_int_equal(sl_value_map_put_str(m, "z", sl_value_new_int32(1)), SL_OK);
    assert_int_equal(sl_value_map_put_str(m, "a", sl_value_new_int32(2)), SL_OK);
    assert_int_equal(sl_value_map_put_str(m, "m", NULL), SL_OK);
    assert_int_equal(sl_value_map_len(m), 3);
    /* Replacing keeps the position (offsets' JSON bytes depend on order). */
    assert_int_equal(sl_value_map_put(m, str("z"), sl_value_new_int32(9)), SL_OK);
    assert_int_equal(sl_value_map_len(m), 3);
    expect_json(m, NULL, "{\"z\":9,\"a\":2,\"m\":null}");
    assert_string_equal(sl_value_get_string(sl_value_map_key_at(m, 1), NULL), "a");
    int64_t i;
    assert_int_equal(sl_value_get_int(sl_value_map_get_str(m, "a"), &i), SL_OK);
    assert_int_equal(i, 2);
    assert_null(sl_value_map_get_str(m, "m"));
    assert_null(sl_value_map_get_str(m, "nope"));
    assert_null(sl_value_map_get_str(m, NULL));
    assert_null(sl_value_map_key_at(m, 3));
    assert_null(sl_value_map_value_at(m, 3));

    sl_value *taken = sl_value_map_take_value_at(m, 0);
    assert_int_equal(sl_value_get_int(taken, &i), SL_OK);
    assert_int_equal(i, 9);
    sl_value_destroy(taken);
    assert_null(sl_value_map_value_at(m, 0));
    assert_int_equal(sl_value_map_len(m), 3);
    assert_null(sl_value_map_take_value_at(m, 7));
    assert_int_equal(sl_value_remove_at(m, 0), SL_OK);
    expect_json(m, NULL, "{\"a\":2,\"m\":null}");
    sl_value_destroy(m);

    /* Non-string keys: an array of [key, value] pairs, as JsonConverter writes them. */
    m = sl_value_new_map();
    sl_value_map_put(m, sl_value_new_int32(1), str("one"));
    sl_value_map_put(m, sl_value_new_int64(1), str("long one")); /* a different key type */
    sl_value_map_put(m, sl_value_new_int32(1), str("uno"));
    assert_int_equal(sl_value_map_len(m), 2);
    expect_json(m, NULL, "[[1,\"uno\"],[1,\"long one\"]]");
    sl_value_destroy(m);

    /* Mixed string and null keys: not all strings, so pairs. */
    m = sl_value_new_map();
    sl_value_map_put_str(m, "k", sl_value_new_boolean(false));
    sl_value_map_put(m, NULL, sl_value_new_boolean(true));
    expect_json(m, NULL, "[[\"k\",false],[null,true]]");
    sl_value_destroy(m);

    m = sl_value_new_map();
    expect_json(m, NULL, "{}");
    assert_int_equal(value_map_append(m, str("dup"), sl_value_new_int8(1)), SL_OK);
    assert_int_equal(value_map_append(m, str("x"), sl_value_new_int8(2)), SL_OK);
    assert_int_equal(value_reserve(m, 100), SL_OK);
    expect_json(m, NULL, "{\"dup\":1,\"x\":2}");
    /* Failures still take what they were given. */
    sl_value *notmap = sl_value_new_array();
    assert_int_equal(sl_value_map_put(notmap, str("k"), str("v")), SL_ERR);
    assert_int_equal(sl_value_map_put_str(notmap, "k", str("v")), SL_ERR);
    assert_int_equal(sl_value_map_put_str(m, NULL, str("v")), SL_ERR);
    assert_int_equal(value_map_append(notmap, str("k"), str("v")), SL_ERR);
    sl_value *i8 = sl_value_new_int8(0);
    assert_int_equal(value_reserve(i8, 1), SL_ERR);
    assert_int_equal(value_reserve(NULL, 1), SL_ERR);
    sl_value_destroy(i8);
    sl_value_destroy(notmap);
    sl_value_destroy(m);
}

/* ---- schemas ---- */

static void test_schema_primitives(void **state)
{
    (void)state;
    const sl_schema *s = sl_schema_primitive(SL_TYPE_STRING, false);
    const sl_schema *o = sl_schema_primitive(SL_TYPE_STRING, true);
    assert_non_null(s);
    assert_ptr_equal(s, sl_schema_primitive(SL_TYPE_STRING, false)); /* shared */
    assert_int_equal(sl_schema_type(s), SL_TYPE_STRING);
    assert_false(sl_schema_optional(s));
    assert_true(sl_schema_optional(o));
    assert_null(sl_schema_name(s));
    assert_int_equal(sl_schema_version(s), 0);
    assert_false(sl_schema_equals(s, o));
    /* Refcounting and setters are no-ops on the shared instances. */
    sl_schema *r = sl_schema_ref(s);
    assert_ptr_equal(r, s);
    sl_schema_unref(r);
    sl_schema_unref(r);
    sl_schema_set_optional(r, true);
    sl_schema_set_name(r, "evil");
    sl_schema_set_default(r, sl_value_new_int32(1));
    assert_false(sl_schema_optional(s));
    assert_null(sl_schema_name(s));
    assert_null(sl_schema_default(s));
    assert_null(sl_schema_primitive(SL_TYPE_STRUCT, false));
    assert_null(sl_schema_primitive((sl_type)99, false));
    for (int t = SL_TYPE_INT8; t <= SL_TYPE_BYTES; t++)
        assert_int_equal(sl_schema_type(sl_schema_primitive((sl_type)t, true)), t);
    assert_null(sl_schema_new((sl_type)-5));
    assert_string_equal(value_type_name(SL_TYPE_FLOAT64), "FLOAT64");
    assert_string_equal(value_type_name((sl_type)77), "UNKNOWN");
}

static void test_schema_builder(void **state)
{
    (void)state;
    sl_schema *s = sl_schema_new(SL_TYPE_INT32);
    sl_schema_set_optional(s, true);
    sl_schema_set_name(s, "com.example.Id");
    sl_schema_set_version(s, 3);
    sl_schema_set_doc(s, "an id");
    sl_schema_set_default(s, sl_value_new_int32(7));
    sl_schema_set_parameter(s, "b", "2");
    sl_schema_set_parameter(s, "a", "1");
    sl_schema_set_parameter(s, "b", "3"); /* replace in place */
    assert_true(sl_schema_optional(s));
    assert_string_equal(sl_schema_name(s), "com.example.Id");
    assert_int_equal(sl_schema_version(s), 3);
    assert_string_equal(sl_schema_doc(s), "an id");
    int64_t i;
    assert_int_equal(sl_value_get_int(sl_schema_default(s), &i), SL_OK);
    assert_int_equal(i, 7);
    assert_int_equal(sl_schema_parameter_count(s), 2);
    assert_string_equal(sl_schema_parameter_key(s, 0), "b");
    assert_string_equal(sl_schema_parameter(s, "b"), "3");
    assert_string_equal(sl_schema_parameter(s, "a"), "1");
    assert_null(sl_schema_parameter(s, "c"));
    assert_null(sl_schema_parameter_key(s, 2));
    assert_int_equal(sl_schema_logical(s), SL_LOGICAL_NONE);

    /* Equality: parameters as a map, doc and default count. */
    sl_schema *t = sl_schema_new(SL_TYPE_INT32);
    sl_schema_set_optional(t, true);
    sl_schema_set_name(t, "com.example.Id");
    sl_schema_set_version(t, 3);
    sl_schema_set_doc(t, "an id");
    sl_schema_set_default(t, sl_value_new_int32(7));
    sl_schema_set_parameter(t, "a", "1");
    sl_schema_set_parameter(t, "b", "3");
    assert_true(sl_schema_equals(s, t));
    sl_schema_set_doc(t, "other");
    assert_false(sl_schema_equals(s, t));
    sl_schema_set_doc(t, "an id");
    sl_schema_set_default(t, sl_value_new_int32(8));
    assert_false(sl_schema_equals(s, t));
    sl_schema_set_default(t, sl_value_new_int32(7));
    sl_schema_set_parameter(t, "a", NULL); /* removes */
    assert_int_equal(sl_schema_parameter_count(t), 1);
    assert_false(sl_schema_equals(s, t));
    assert_false(sl_schema_equals(s, NULL));
    assert_true(sl_schema_equals(NULL, NULL));

    /* Refcount: a second reference keeps it alive after one unref. */
    sl_schema *r = sl_schema_ref(s);
    sl_schema_unref(s);
    assert_string_equal(sl_schema_name(r), "com.example.Id");
    sl_schema_unref(r);
    sl_schema_unref(t);
    sl_schema_unref(NULL);
    assert_null(sl_schema_ref(NULL));
}

static void test_logical(void **state)
{
    (void)state;
    sl_schema *d = sl_schema_new_decimal(2);
    assert_int_equal(sl_schema_type(d), SL_TYPE_BYTES);
    assert_string_equal(sl_schema_name(d), SL_DECIMAL_NAME);
    assert_int_equal(sl_schema_version(d), 1);
    assert_string_equal(sl_schema_parameter(d, "scale"), "2");
    assert_int_equal(sl_schema_logical(d), SL_LOGICAL_DECIMAL);
    int32_t scale;
    assert_int_equal(value_decimal_scale(d, &scale), SL_OK);
    assert_int_equal(scale, 2);

    struct {
        sl_logical l;
        sl_type t;
        const char *name;
    } cases[] = {
        {SL_LOGICAL_DATE, SL_TYPE_INT32, SL_DATE_NAME},
        {SL_LOGICAL_TIME, SL_TYPE_INT32, SL_TIME_NAME},
        {SL_LOGICAL_TIMESTAMP, SL_TYPE_INT64, SL_TIMESTAMP_NAME},
    };
    for (size_t i = 0; i < 3; i++) {
        sl_schema *s = sl_schema_new_logical(cases[i].l);
        assert_int_equal(sl_schema_type(s), cases[i].t);
        assert_string_equal(sl_schema_name(s), cases[i].name);
        assert_int_equal(sl_schema_version(s), 1);
        assert_int_equal(sl_schema_logical(s), cases[i].l);
        assert_false(sl_schema_optional(s));
        sl_schema_unref(s);
    }
    sl_schema *z = sl_schema_new_logical(SL_LOGICAL_DECIMAL);
    assert_string_equal(sl_schema_parameter(z, "scale"), "0");
    sl_schema_unref(z);
    assert_null(sl_schema_new_logical(SL_LOGICAL_NONE));

    /* Recognised by name only with the right physical type. */
    sl_schema *s = sl_schema_new(SL_TYPE_STRING);
    sl_schema_set_name(s, SL_DATE_NAME);
    assert_int_equal(sl_schema_logical(s), SL_LOGICAL_NONE);
    sl_schema_unref(s);
    s = sl_schema_new(SL_TYPE_INT64);
    sl_schema_set_name(s, SL_TIMESTAMP_NAME);
    assert_int_equal(sl_schema_logical(s), SL_LOGICAL_TIMESTAMP);
    sl_schema_set_name(s, NULL);
    assert_int_equal(sl_schema_logical(s), SL_LOGICAL_NONE);
    sl_schema_unref(s);

    /* Decimal values: BigInteger.toByteArray form. */
    struct {
        int64_t v;
        size_t n;
        uint8_t b[9];
    } dec[] = {
        {0, 1, {0x00}},
        {1, 1, {0x01}},
        {127, 1, {0x7f}},
        {128, 2, {0x00, 0x80}},
        {-1, 1, {0xff}},
        {-128, 1, {0x80}},
        {-129, 2, {0xff, 0x7f}},
        {1234, 2, {0x04, 0xd2}},
        {INT64_MIN, 8, {0x80, 0, 0, 0, 0, 0, 0, 0}},
    };
    for (size_t i = 0; i < sizeof(dec) / sizeof(dec[0]); i++) {
        sl_value *v = sl_value_new_decimal_i64(dec[i].v);
        size_t len;
        const void *b = sl_value_get_bytes(v, &len);
        assert_int_equal(len, dec[i].n);
        assert_memory_equal(b, dec[i].b, len);
        sl_value_destroy(v);
    }
    sl_value *v = sl_value_new_decimal_i64(1234);
    expect_json(v, d, "\"BNI=\""); /* decimal.format=BASE64 */
    char err[256];
    assert_int_equal(sl_value_validate(d, v, err, sizeof(err)), SL_OK);
    sl_value_destroy(v);
    sl_schema_unref(d);
}

static void test_decimal_text(void **state)
{
    (void)state;
    struct {
        int64_t unscaled;
        int32_t scale;
        const char *text;
    } cases[] = {
        {1234, 2, "12.34"},   {-1234, 2, "-12.34"},  {5, 3, "0.005"},     {0, 2, "0.00"},
        {1234, 0, "1234"},    {1234, -2, "1.234E+5"}, {1, 7, "1E-7"},      {12, 8, "1.2E-7"},
        {1, 6, "0.000001"},  {INT64_MIN, 0, "-9223372036854775808"}, {-5, 1, "-0.5"},
        {0, -3, "0E+3"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sl_value *v = sl_value_new_decimal_i64(cases[i].unscaled);
        size_t len;
        const void *b = sl_value_get_bytes(v, &len);
        char *t = value_decimal_to_string(b, len, cases[i].scale);
        assert_non_null(t);
        assert_string_equal(t, cases[i].text);
        free(t);
        sl_value_destroy(v);
    }
    /* A value wider than int64: 2^64 = 0x01 00..00 (9 bytes). */
    uint8_t big[9] = {0x01};
    char *t = value_decimal_to_string(big, 9, 0);
    assert_string_equal(t, "18446744073709551616");
    free(t);
    assert_null(value_decimal_to_string(NULL, 0, 0));
    assert_null(value_decimal_to_string(big, 0, 0));

    /* Parsing at a scale, exact round trips, and refusals. */
    struct {
        const char *text;
        int32_t scale;
        int64_t unscaled;
    } ok[] = {
        {"12.34", 2, 1234}, {"-12.34", 2, -1234}, {"12.3", 2, 1230}, {"1e2", 0, 100},
        {"1.50", 1, 15},    {"+7", 0, 7},         {"0", 5, 0},        {"-0.0", 0, 0},
        {".5", 1, 5},       {"-128", 0, -128},    {"128", 0, 128},
        {"-9223372036854775808", 0, INT64_MIN},
        {"1E-2", 2, 1},
    };
    char err[128];
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        sl_value *v = value_decimal_parse(ok[i].text, strlen(ok[i].text), ok[i].scale, err,
                                          sizeof(err));
        assert_non_null(v);
        sl_value *want = sl_value_new_decimal_i64(ok[i].unscaled);
        assert_true(sl_value_equals(v, want));
        sl_value_destroy(want);
        sl_value_destroy(v);
    }
    sl_value *v = value_decimal_parse("18446744073709551616", 20, 0, err, sizeof(err));
    size_t len;
    assert_memory_equal(sl_value_get_bytes(v, &len), big, 9);
    assert_int_equal(len, 9);
    sl_value_destroy(v);
    const char *bad[] = {"", "-", ".", "1.2.3", "abc", "1e", "1e+", "12x", "--1", "1e999999"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        assert_null(value_decimal_parse(bad[i], strlen(bad[i]), 2, err, sizeof(err)));
        assert_true(err[0] != '\0');
    }
    assert_null(value_decimal_parse("1.234", 5, 2, err, sizeof(err)));
    assert_string_equal(err, "decimal value needs rounding at the schema's scale");
}

static sl_schema *person_schema(void)
{
    sl_schema *addr = sl_schema_new_struct("Address");
    assert_int_equal(sl_schema_add_field(addr, "city", sl_schema_new(SL_TYPE_STRING)), SL_OK);
    sl_schema *zip = sl_schema_new(SL_TYPE_INT32);
    sl_schema_set_optional(zip, true);
    assert_int_equal(sl_schema_add_field(addr, "zip", zip), SL_OK);
    sl_schema_set_optional(addr, true);

    sl_schema *p = sl_schema_new_struct("Person");
    assert_int_equal(sl_schema_add_field(p, "name", sl_schema_new(SL_TYPE_STRING)), SL_OK);
    sl_schema *age = sl_schema_new(SL_TYPE_INT32);
    sl_schema_set_optional(age, true);
    sl_schema_set_default(age, sl_value_new_int32(18));
    assert_int_equal(sl_schema_add_field(p, "age", age), SL_OK);
    assert_int_equal(sl_schema_add_field(p, "address", addr), SL_OK);
    assert_int_equal(
        sl_schema_add_field(p, "tags",
                            sl_schema_new_array(sl_schema_ref(
                                sl_schema_primitive(SL_TYPE_STRING, false)))),
        SL_OK);
    sl_schema *scores =
        sl_schema_new_map(sl_schema_ref(sl_schema_primitive(SL_TYPE_STRING, false)),
                          sl_schema_ref(sl_schema_primitive(SL_TYPE_FLOAT64, true)));
    sl_schema_set_optional(scores, true);
    assert_int_equal(sl_schema_add_field(p, "scores", scores), SL_OK);
    return p;
}

static sl_value *person_value(const sl_schema *p)
{
    sl_value *v = sl_value_new_struct(p);
    assert_int_equal(sl_value_struct_set(v, "name", str("Ann")), SL_OK);
    const sl_schema *as = sl_schema_field_schema(p, 2);
    sl_value *a = sl_value_new_struct(as);
    sl_value_struct_set(a, "city", str("Oslo"));
    sl_value_struct_set(a, "zip", sl_value_new_int32(150));
    assert_int_equal(sl_value_struct_set_index(v, 2, a), SL_OK);
    sl_value *tags = sl_value_new_array();
    sl_value_array_append(tags, str("x"));
    sl_value_array_append(tags, str("y"));
    sl_value_struct_set(v, "tags", tags);
    return v;
}

static void test_struct(void **state)
{
    (void)state;
    sl_schema *p = person_schema();
    assert_int_equal(sl_schema_type(p), SL_TYPE_STRUCT);
    assert_string_equal(sl_schema_name(p), "Person");
    assert_int_equal(sl_schema_field_count(p), 5);
    assert_string_equal(sl_schema_field_name(p, 2), "address");
    assert_int_equal(sl_schema_field_index(p, "tags"), 3);
    assert_int_equal(sl_schema_field_index(p, "nope"), -1);
    assert_null(sl_schema_field_name(p, 5));
    assert_null(sl_schema_field_schema(p, 5));
    const sl_schema *tags = sl_schema_field_schema(p, 3);
    assert_int_equal(sl_schema_type(sl_schema_value_schema(tags)), SL_TYPE_STRING);
    assert_null(sl_schema_key_schema(tags));
    const sl_schema *scores = sl_schema_field_schema(p, 4);
    assert_int_equal(sl_schema_type(sl_schema_key_schema(scores)), SL_TYPE_STRING);
    assert_int_equal(sl_schema_type(sl_schema_value_schema(scores)), SL_TYPE_FLOAT64);

    /* Duplicate names, non-struct targets and cycles are refused (the field is still taken). */
    assert_int_equal(sl_schema_add_field(p, "name", sl_schema_new(SL_TYPE_STRING)), SL_ERR);
    sl_schema *i32 = sl_schema_new(SL_TYPE_INT32);
    assert_int_equal(sl_schema_add_field(i32, "x", sl_schema_new(SL_TYPE_STRING)), SL_ERR);
    assert_int_equal(sl_schema_add_field(p, NULL, sl_schema_new(SL_TYPE_STRING)), SL_ERR);
    assert_int_equal(sl_schema_add_field(p, "x", NULL), SL_ERR);
    assert_int_equal(sl_schema_add_field(p, "self", sl_schema_ref(p)), SL_ERR);
    sl_schema *outer = sl_schema_new_struct("Outer");
    sl_schema_add_field(outer, "p", sl_schema_ref(p));
    assert_int_equal(sl_schema_add_field(p, "loop", sl_schema_ref(outer)), SL_ERR);
    sl_schema_unref(outer);
    assert_null(sl_value_new_struct(i32));
    assert_null(sl_value_new_struct(NULL));
    sl_schema_unref(i32);
    assert_int_equal(sl_schema_field_count(p), 5);

    sl_value *v = person_value(p);
    assert_ptr_equal(sl_value_struct_schema(v), p);
    assert_string_equal(sl_value_get_string(sl_value_struct_get(v, "name"), NULL), "Ann");
    assert_null(sl_value_struct_get(v, "age"));
    assert_null(sl_value_struct_get(v, "nope"));
    assert_null(sl_value_struct_get_index(v, 5));
    const sl_value *a = sl_value_struct_get(v, "address");
    assert_string_equal(sl_value_get_string(sl_value_struct_get(a, "city"), NULL), "Oslo");
    assert_int_equal(sl_value_struct_set(v, "nope", str("x")), SL_ERR);
    assert_int_equal(sl_value_struct_set_index(v, 9, str("x")), SL_ERR);
    assert_int_equal(sl_value_struct_set(NULL, "name", str("x")), SL_ERR);
    sl_value *notst = sl_value_new_int8(1);
    assert_int_equal(sl_value_struct_set(notst, "name", str("x")), SL_ERR);
    sl_value_destroy(notst);

    /* The struct holds its own schema reference: it outlives the caller's. */
    sl_value *copy = sl_value_copy(v);
    sl_schema_unref(p);
    assert_true(sl_value_equals(v, copy));
    /* Default substituted for a null field; null optional struct field; schema order. */
    expect_json(v, NULL,
                "{\"name\":\"Ann\",\"age\":18,\"address\":{\"city\":\"Oslo\",\"zip\":150},"
                "\"tags\":[\"x\",\"y\"],\"scores\":null}");

    /* Take moves a child out, leaving null. */
    sl_value *taken = sl_value_struct_take_index(v, 2);
    assert_non_null(taken);
    assert_null(sl_value_struct_get_index(v, 2));
    assert_false(sl_value_equals(v, copy));
    assert_null(sl_value_struct_take_index(v, 2));
    assert_null(sl_value_struct_take_index(v, 77));
    assert_int_equal(sl_value_struct_set_index(v, 2, taken), SL_OK);
    assert_true(sl_value_equals(v, copy));
    /* Setting a field to the value it already holds must not free it. */
    assert_int_equal(sl_value_struct_set_index(v, 2, (sl_value *)sl_value_struct_get_index(v, 2)),
                     SL_OK);
    assert_true(sl_value_equals(v, copy));
    sl_value_struct_set(copy, "name", str("Bob"));
    assert_false(sl_value_equals(v, copy));
    sl_value_destroy(copy);
    sl_value_destroy(v);
}

static void test_copy_equals(void **state)
{
    (void)state;
    sl_value *m1 = sl_value_new_map(), *m2 = sl_value_new_map();
    sl_value_map_put_str(m1, "a", sl_value_new_int32(1));
    sl_value_map_put_str(m1, "b", sl_value_new_float64(NAN));
    sl_value_map_put_str(m2, "b", sl_value_new_float64(NAN));
    sl_value_map_put_str(m2, "a", sl_value_new_int32(1));
    assert_true(sl_value_equals(m1, m2)); /* order-insensitive, NaN equals NaN */
    sl_value_map_put_str(m2, "a", sl_value_new_int64(1));
    assert_false(sl_value_equals(m1, m2)); /* INT32 1 is not INT64 1 */
    sl_value_destroy(m2);

    sl_value *arr = sl_value_new_array();
    sl_value_array_append(arr, m1);
    sl_value_array_append(arr, NULL);
    sl_value_array_append(arr, sl_value_new_bytes("\x01\x02", 2));
    sl_value *c = sl_value_copy(arr);
    assert_true(sl_value_equals(arr, c));
    assert_ptr_not_equal(sl_value_array_get(arr, 0), sl_value_array_get(c, 0));
    sl_value_remove_at(c, 1);
    assert_false(sl_value_equals(arr, c));
    sl_value_destroy(c);
    sl_value_destroy(arr);

    sl_value *z = sl_value_new_float64(0.0), *nz = sl_value_new_float64(-0.0);
    assert_false(sl_value_equals(z, nz)); /* Double.equals */
    sl_value *f1 = sl_value_new_float32(NAN), *f2 = sl_value_new_float32(NAN);
    assert_true(sl_value_equals(f1, f2));
    assert_false(sl_value_equals(z, f1));
    assert_false(sl_value_equals(z, NULL));
    sl_value_destroy(z);
    sl_value_destroy(nz);
    sl_value_destroy(f1);
    sl_value_destroy(f2);
    sl_value *s1 = str("abc"), *b1 = sl_value_new_bytes("abc", 3);
    assert_false(sl_value_equals(s1, b1));
    sl_value *s2 = sl_value_copy(s1);
    assert_true(sl_value_equals(s1, s2));
    sl_value_destroy(s1);
    sl_value_destroy(s2);
    sl_value_destroy(b1);
}

/* ---- validation ---- */

static void expect_invalid(const sl_schema *s, const sl_value *v, const char *msg)
{
    char err[512] = "";
    assert_int_equal(sl_value_validate(s, v, err, sizeof(err)), SL_ERR);
    assert_string_equal(err, msg);
}

static void test_validate(void **state)
{
    (void)state;
    char err[256];
    sl_schema *p = person_schema();
    sl_value *v = person_value(p);
    assert_int_equal(sl_value_validate(p, v, err, sizeof(err)), SL_OK);
    assert_int_equal(sl_value_validate(NULL, v, err, sizeof(err)), SL_OK); /* schemaless */

    /* Required field left null, with the path. */
    sl_value *a = (sl_value *)sl_value_struct_get(v, "address");
    sl_value_struct_set(a, "city", NULL);
    expect_invalid(p, v,
                   "Invalid value: null used for required field: \"address.city\", schema type: "
                   "STRING");
    sl_value_struct_set(a, "city", sl_value_new_int32(5));
    expect_invalid(p, v,
                   "Invalid value for schema with type STRING: INT32 for field: \"address.city\"");
    sl_value_struct_set(a, "city", str("Oslo"));

    /* Array elements name their index. */
    sl_value *tags = (sl_value *)sl_value_struct_get(v, "tags");
    sl_value_array_append(tags, NULL);
    expect_invalid(p, v,
                   "Invalid value: null used for required field: \"tags[2]\", schema type: STRING");
    sl_value_remove_at(tags, 2);
    sl_value_array_append(tags, sl_value_new_boolean(true));
    expect_invalid(p, v,
                   "Invalid value for schema with type STRING: BOOLEAN for field: \"tags[2]\"");
    sl_value_remove_at(tags, 2);

    /* Map keys and values. */
    sl_value *scores = sl_value_new_map();
    sl_value_map_put_str(scores, "math", sl_value_new_float64(1.5));
    sl_value_map_put_str(scores, "art", NULL);
    sl_value_struct_set(v, "scores", scores);
    assert_int_equal(sl_value_validate(p, v, err, sizeof(err)), SL_OK);
    sl_value_map_put_str(scores, "gym", sl_value_new_float32(1));
    expect_invalid(p, v,
                   "Invalid value for schema with type FLOAT64: FLOAT32 for field: "
                   "\"scores[gym]\"");
    sl_value_remove_at(scores, 2);
    sl_value_map_put(scores, sl_value_new_int32(3), sl_value_new_float64(2));
    expect_invalid(p, v,
                   "Invalid value for schema with type STRING: INT32 for key of map field: "
                   "\"scores\"");
    sl_value_remove_at(scores, 2);

    /* A struct built on a different (unequal) schema. */
    sl_schema *other = sl_schema_new_struct("Address");
    sl_schema_add_field(other, "city", sl_schema_new(SL_TYPE_STRING));
    sl_value *oa = sl_value_new_struct(other);
    sl_value_struct_set(oa, "city", str("x"));
    sl_value *saved = sl_value_struct_take_index(v, 2);
    sl_value_struct_set_index(v, 2, oa);
    expect_invalid(p, v, "Struct schemas do not match for field: \"address\"");
    /* An equal but distinct schema is accepted. */
    sl_schema *p2 = person_schema();
    sl_value_struct_set_index(v, 2, saved);
    assert_int_equal(sl_value_validate(p2, v, err, sizeof(err)), SL_OK);
    sl_schema_unref(p2);
    sl_schema_unref(other);

    /* Top level. */
    expect_invalid(p, NULL, "Invalid value: null used for required value, schema type: STRUCT");
    sl_value *i = sl_value_new_int32(1);
    expect_invalid(p, i, "Invalid value for schema \"Person\" with type STRUCT: INT32 for value");
    expect_invalid(sl_schema_primitive(SL_TYPE_INT64, false), i,
                   "Invalid value for schema with type INT64: INT32 for value");
    assert_int_equal(sl_value_validate(sl_schema_primitive(SL_TYPE_INT32, false), i, NULL, 0),
                     SL_OK);
    assert_int_equal(sl_value_validate(sl_schema_primitive(SL_TYPE_INT32, true), NULL, err,
                                       sizeof(err)),
                     SL_OK);
    /* errstr may be NULL or tiny on failure. */
    assert_int_equal(sl_value_validate(p, i, NULL, 0), SL_ERR);
    char tiny[8];
    assert_int_equal(sl_value_validate(p, i, tiny, sizeof(tiny)), SL_ERR);
    assert_string_equal(tiny, "Invalid");
    sl_value_destroy(i);

    /* An ARRAY schema without an element schema (sl_schema_new(ARRAY)). */
    sl_schema *bare = sl_schema_new(SL_TYPE_ARRAY);
    sl_value *arr = sl_value_new_array();
    expect_invalid(bare, arr, "No schema defined for element of array value");
    sl_schema_unref(bare);
    sl_value_destroy(arr);

    sl_value_destroy(v);
    sl_schema_unref(p);
}

static void test_validate_logical(void **state)
{
    (void)state;
    char err[256];
    sl_schema *t = sl_schema_new_logical(SL_LOGICAL_TIME);
    sl_value *v = sl_value_new_int32(86399999);
    assert_int_equal(sl_value_validate(t, v, err, sizeof(err)), SL_OK);
    sl_value_destroy(v);
    v = sl_value_new_int32(86400000);
    expect_invalid(t, v,
                   "Kafka Connect Time type should not have any date fields set to non-zero "
                   "values (86400000 ms is not a time of day) for value");
    sl_value_destroy(v);
    v = sl_value_new_int64(5);
    expect_invalid(t, v,
                   "Invalid value for schema \"org.apache.kafka.connect.data.Time\" with type "
                   "INT32: INT64 for value");
    sl_value_destroy(v);
    sl_schema_unref(t);

    sl_schema *d = sl_schema_new_decimal(2);
    v = sl_value_new_bytes(NULL, 0);
    expect_invalid(d, v, "Invalid Decimal value: empty unscaled value for value");
    sl_schema_set_parameter(d, "scale", "x");
    sl_value_destroy(v);
    v = sl_value_new_decimal_i64(5);
    expect_invalid(d, v, "Invalid Decimal schema: scale parameter not found for value");
    sl_schema_set_parameter(d, "scale", NULL);
    expect_invalid(d, v, "Invalid Decimal schema: scale parameter not found for value");
    sl_value_destroy(v);
    sl_schema_unref(d);

    sl_schema *ts = sl_schema_new_logical(SL_LOGICAL_TIMESTAMP);
    v = sl_value_new_int64(-1);
    assert_int_equal(sl_value_validate(ts, v, err, sizeof(err)), SL_OK);
    expect_json(v, ts, "-1");
    sl_value_destroy(v);
    sl_schema_unref(ts);
}

static void test_offset_map(void **state)
{
    (void)state;
    char err[256];
    assert_int_equal(value_validate_offset_map(NULL, err, sizeof(err)), SL_OK);
    sl_value *m = sl_value_new_map();
    sl_value_map_put_str(m, "file", str("x"));
    sl_value_map_put_str(m, "pos", sl_value_new_int64(3));
    sl_value_map_put_str(m, "n", NULL);
    assert_int_equal(value_validate_offset_map(m, err, sizeof(err)), SL_OK);
    sl_value_map_put_str(m, "nested", sl_value_new_array());
    assert_int_equal(value_validate_offset_map(m, err, sizeof(err)), SL_ERR);
    assert_string_equal(err,
                        "Offsets may only contain primitive types as values, but field nested "
                        "contains ARRAY");
    sl_value_remove_at(m, 3);
    sl_value_map_put(m, sl_value_new_int32(1), NULL);
    assert_int_equal(value_validate_offset_map(m, err, sizeof(err)), SL_ERR);
    assert_string_equal(err, "Offsets may only use String keys");
    sl_value_destroy(m);
    sl_value *i = sl_value_new_int8(0);
    assert_int_equal(value_validate_offset_map(i, err, sizeof(err)), SL_ERR);
    sl_value_destroy(i);
}

/* ---- JSON text ---- */

static void test_json_offsets_key(void **state)
{
    (void)state;
    /* The offsets topic key: byte-identical to Java's JsonConverter output. */
    sl_value *k = sl_value_new_array();
    sl_value_array_append(k, str("conn"));
    sl_value *part = sl_value_new_map();
    sl_value_map_put_str(part, "filename", str("x"));
    sl_value_map_put_str(part, "n", sl_value_new_int64(1));
    sl_value_array_append(k, part);
    expect_json(k, NULL, "[\"conn\",{\"filename\":\"x\",\"n\":1}]");
    size_t len;
    char *j = value_to_json_len(k, NULL, &len);
    assert_int_equal(len, strlen("[\"conn\",{\"filename\":\"x\",\"n\":1}]"));
    free(j);
    sl_value_destroy(k);
}

static void expect_double(double d, const char *want)
{
    char buf[32];
    value_format_double(d, buf, sizeof(buf));
    assert_string_equal(buf, want);
    sl_value *v = sl_value_new_float64(d);
    char *j = sl_value_to_json(v, NULL);
    if (isfinite(d)) {
        assert_string_equal(j, want);
    } else {
        char q[40];
        snprintf(q, sizeof(q), "\"%s\"", want);
        assert_string_equal(j, q);
    }
    free(j);
    sl_value_destroy(v);
}

static void expect_float(float f, const char *want)
{
    char buf[32];
    value_format_float(f, buf, sizeof(buf));
    assert_string_equal(buf, want);
}

static void test_json_numbers(void **state)
{
    (void)state;
    /* Java's Double.toString, as Jackson writes doubles. */
    expect_double(1.0, "1.0");
    expect_double(-1.0, "-1.0");
    expect_double(0.1, "0.1");
    expect_double(0.0, "0.0");
    expect_double(-0.0, "-0.0");
    expect_double(100.0, "100.0");
    expect_double(123456.789, "123456.789");
    expect_double(9999999.0, "9999999.0");
    expect_double(1e7, "1.0E7");
    expect_double(12345678.9, "1.23456789E7");
    expect_double(0.001, "0.001");
    expect_double(0.0001, "1.0E-4");
    expect_double(1.234e-5, "1.234E-5");
    expect_double(1e21, "1.0E21");
    expect_double(1.7976931348623157e308, "1.7976931348623157E308");
    expect_double(4.9e-324, "4.9E-324");
    expect_double(0.30000000000000004, "0.30000000000000004");
    expect_double(NAN, "NaN");
    expect_double(INFINITY, "Infinity");
    expect_double(-INFINITY, "-Infinity");
    /* Float.toString: float digits, not the double expansion. */
    expect_float(1.1f, "1.1");
    expect_float(0.1f, "0.1");
    expect_float(3.4028235e38f, "3.4028235E38");
    expect_float(1e-3f, "0.001");
    expect_float(16777216.0f, "1.6777216E7");
    expect_float(123456789.0f, "1.2345679E8"); /* stored as 123456792: shortest float digits */
    expect_float(-5.0f, "-5.0");
    expect_double(123456789012345.0, "1.23456789012345E14");
    expect_double(9007199254740994.0, "9.007199254740994E15");
    expect_double(1e15, "1.0E15");
    expect_double(5e-324 * 3, "1.5E-323");
    expect_double(2.2250738585072014e-308, "2.2250738585072014E-308"); /* DBL_MIN */
    expect_double(1e-310, "1.0E-310");
    expect_float(1.4e-45f, "1.4E-45"); /* Float.MIN_VALUE */
    expect_float(1.17549435e-38f, "1.1754944E-38"); /* FLT_MIN, JDK 19+ shortest */
    expect_double(123.456, "123.456");
    sl_value *f = sl_value_new_float32(1.1f);
    expect_json(f, NULL, "1.1");
    sl_value_destroy(f);
    char small[4];
    assert_int_equal(value_format_double(123.5, small, sizeof(small)), 5);
    assert_string_equal(small, "123");

    sl_value *n = sl_value_new_int8(-5);
    expect_json(n, NULL, "-5");
    sl_value_destroy(n);
    n = sl_value_new_int64(INT64_MIN);
    expect_json(n, NULL, "-9223372036854775808");
    sl_value_destroy(n);
    n = sl_value_new_boolean(false);
    expect_json(n, NULL, "false");
    sl_value_destroy(n);
}

static void test_json_strings(void **state)
{
    (void)state;
    sl_value *s = str("q\"b\\s/\b\f\n\r\t\x01\x1f\x7f");
    expect_json(s, NULL, "\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001F\x7f\"");
    sl_value_destroy(s);
    s = str("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80");
    expect_json(s, NULL, "\"h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80\"");
    sl_value_destroy(s);
    /* Invalid UTF-8 (stray continuation, overlong, surrogate, truncated) becomes U+FFFD. */
    s = str("a\x80" "b\xc0\xaf" "c\xed\xa0\x80" "d\xe2\x82");
    char *j = sl_value_to_json(s, NULL);
    assert_string_equal(j, "\"a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd"
                           "c\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                           "d\xef\xbf\xbd\xef\xbf\xbd\"");
    free(j);
    sl_value_destroy(s);
    /* Map keys are escaped too. */
    sl_value *m = sl_value_new_map();
    sl_value_map_put_str(m, "a\"b", sl_value_new_int8(1));
    expect_json(m, NULL, "{\"a\\\"b\":1}");
    sl_value_destroy(m);
}

static void test_json_schema(void **state)
{
    (void)state;
    /* A map schema with non-string keys forces pairs even when empty; with string keys an
     * object. */
    sl_schema *ms = sl_schema_new_map(sl_schema_ref(sl_schema_primitive(SL_TYPE_INT32, false)),
                                      sl_schema_ref(sl_schema_primitive(SL_TYPE_STRING, true)));
    sl_value *m = sl_value_new_map();
    expect_json(m, ms, "[]");
    sl_value_map_put(m, sl_value_new_int32(2), NULL);
    expect_json(m, ms, "[[2,null]]");
    sl_value_destroy(m);
    sl_schema_unref(ms);

    /* A default on an element schema replaces nulls inside arrays too. */
    sl_schema *es = sl_schema_new(SL_TYPE_STRING);
    sl_schema_set_optional(es, true);
    sl_schema_set_default(es, str("dflt"));
    sl_schema *as = sl_schema_new_array(es);
    sl_value *a = sl_value_new_array();
    sl_value_array_append(a, NULL);
    sl_value_array_append(a, str("x"));
    expect_json(a, as, "[\"dflt\",\"x\"]");
    expect_json(a, NULL, "[null,\"x\"]");
    expect_json(NULL, es, "\"dflt\"");
    sl_value_destroy(a);
    sl_schema_unref(as);

    /* Nested struct inside array inside map. */
    sl_schema *pt = sl_schema_new_struct("Pt");
    sl_schema_add_field(pt, "x", sl_schema_new(SL_TYPE_FLOAT64));
    sl_schema_add_field(pt, "b", sl_schema_new(SL_TYPE_BYTES));
    sl_value *p = sl_value_new_struct(pt);
    sl_value_struct_set(p, "x", sl_value_new_float64(2));
    sl_value_struct_set(p, "b", sl_value_new_bytes("hi", 2));
    sl_value *arr = sl_value_new_array();
    sl_value_array_append(arr, p);
    sl_value *outer = sl_value_new_map();
    sl_value_map_put_str(outer, "pts", arr);
    expect_json(outer, NULL, "{\"pts\":[{\"x\":2.0,\"b\":\"aGk=\"}]}");
    sl_value_destroy(outer);
    sl_schema_unref(pt);
}

static void test_base64(void **state)
{
    (void)state;
    const char *cases[][2] = {
        {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n;
        char *e = value_base64_encode(cases[i][0], strlen(cases[i][0]), &n);
        assert_string_equal(e, cases[i][1]);
        assert_int_equal(n, strlen(cases[i][1]));
        free(e);
        char *d = value_base64_decode(cases[i][1], strlen(cases[i][1]), &n);
        assert_non_null(d);
        assert_int_equal(n, strlen(cases[i][0]));
        assert_memory_equal(d, cases[i][0], n);
        free(d);
    }
    size_t n;
    char *d = value_base64_decode("Zm8", 3, &n); /* padding optional */
    assert_int_equal(n, 2);
    assert_memory_equal(d, "fo", 2);
    free(d);
    const char *bad[] = {"Z", "Zm9v!", "Zm=", "Zg==Zg==", "====", "Z===", "Zm 9v"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_null(value_base64_decode(bad[i], strlen(bad[i]), &n));
    uint8_t all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    char *e = value_base64_encode(all, sizeof(all), &n);
    d = value_base64_decode(e, n, &n);
    assert_int_equal(n, 256);
    assert_memory_equal(d, all, 256);
    free(d);
    free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_primitives),        cmocka_unit_test(test_strings_bytes),
        cmocka_unit_test(test_bytes_nocopy),      cmocka_unit_test(test_array),
        cmocka_unit_test(test_map),               cmocka_unit_test(test_schema_primitives),
        cmocka_unit_test(test_schema_builder),    cmocka_unit_test(test_logical),
        cmocka_unit_test(test_decimal_text),      cmocka_unit_test(test_struct),
        cmocka_unit_test(test_copy_equals),       cmocka_unit_test(test_validate),
        cmocka_unit_test(test_validate_logical),  cmocka_unit_test(test_offset_map),
        cmocka_unit_test(test_json_offsets_key),  cmocka_unit_test(test_json_numbers),
        cmocka_unit_test(test_json_strings),      cmocka_unit_test(test_json_schema),
        cmocka_unit_test(test_base64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
