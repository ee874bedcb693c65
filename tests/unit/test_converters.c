/* tests/unit/test_converters.c: the built-in converter list and the StringConverter,
 * ByteArrayConverter and SimpleHeaderConverter against Connect's behaviour. */
#include <math.h>

#include "conv_test_util.h"

static void test_builtin_list(void **st)
{
    (void)st;
    const sl_converter_def *const *defs = converters_builtin();
    const char *names[] = {"org.apache.kafka.connect.json.JsonConverter",
                           "org.apache.kafka.connect.storage.StringConverter",
                           "org.apache.kafka.connect.converters.ByteArrayConverter",
                           "org.apache.kafka.connect.storage.SimpleHeaderConverter"};
    size_t n = 0;
    for (; defs[n]; n++) {
        assert_string_equal(defs[n]->class_name, names[n]);
        assert_int_equal(defs[n]->struct_size, sizeof(sl_converter_def));
        assert_true(defs[n]->header_converter);
        assert_non_null(defs[n]->config);
        assert_non_null(defs[n]->init);
        assert_non_null(defs[n]->from_value);
        assert_non_null(defs[n]->to_value);
        /* Every documented key has a doc, and the table ends. */
        for (const sl_config_def *d = defs[n]->config; d->name; d++)
            assert_non_null(d->doc);
    }
    assert_int_equal(n, 4);
}

/* ---- StringConverter ---- */

static void test_string_to_value(void **st)
{
    (void)st;
    conv c;
    conv_open(&c, &string_converter_def, NULL);
    sl_schema *s;
    sl_value *v;
    assert_int_equal(conv_to(&c, "h\xc3\xa9llo", 6, &s, &v), SL_OK);
    assert_int_equal(sl_schema_type(s), SL_TYPE_STRING);
    assert_true(sl_schema_optional(s));
    assert_string_equal(sl_value_get_string(v, NULL), "h\xc3\xa9llo");
    sl_value_destroy(v);
    sl_schema_unref(s);
    /* A null is an optional string schema with a null value. */
    assert_int_equal(conv_to(&c, NULL, 0, &s, &v), SL_OK);
    assert_non_null(s);
    assert_null(v);
    sl_schema_unref(s);
    /* Not UTF-8: replaced, as Java's decoding does, not refused. */
    assert_int_equal(conv_to(&c, "a\xff" "b", 3, &s, &v), SL_OK);
    assert_string_equal(sl_value_get_string(v, NULL), "a\xef\xbf\xbd" "b");
    sl_value_destroy(v);
    sl_schema_unref(s);
    /* Empty bytes: the empty string. */
    assert_int_equal(conv_to(&c, "", 0, &s, &v), SL_OK);
    assert_string_equal(sl_value_get_string(v, NULL), "");
    sl_value_destroy(v);
    sl_schema_unref(s);
    conv_close(&c);
}

static void test_string_from_value(void **st)
{
    (void)st;
    conv c;
    conv_open(&c, &string_converter_def, CONV_KV("converter.encoding", "utf8"));
    sl_value *v = sl_value_new_string("x\0y", 3);
    char *out;
    size_t len;
    assert_int_equal(conv_from(&c, NULL, v, &out, &len), SL_OK);
    assert_int_equal(len, 3);
    assert_memory_equal(out, "x\0y", 3);
    free(out);
    sl_value_destroy(v);
    assert_int_equal(conv_from(&c, NULL, NULL, &out, &len), SL_OK);
    assert_null(out);

    /* Other values as Java's toString. */
    v = sl_value_new_int32(-42);
    expect_text(&c, NULL, v, "-42");
    sl_value_destroy(v);
    v = sl_value_new_float64(1.0);
    expect_text(&c, NULL, v, "1.0");
    sl_value_destroy(v);
    v = sl_value_new_float32(1e10f);
    expect_text(&c, NULL, v, "1.0E10");
    sl_value_destroy(v);
    v = sl_value_new_boolean(true);
    expect_text(&c, NULL, v, "true");
    sl_value_destroy(v);
    v = sl_value_new_bytes("hi", 2);
    expect_text(&c, NULL, v, "aGk=");
    sl_value_destroy(v);
    v = sl_value_new_array();
    sl_value_array_append(v, sl_value_new_int64(1));
    sl_value_array_append(v, sl_value_new_string("a", 1));
    sl_value_array_append(v, NULL);
    expect_text(&c, NULL, v, "[1, a, null]");
    sl_value_destroy(v);
    v = sl_value_new_map();
    sl_value_map_put_str(v, "k", sl_value_new_int8(1));
    sl_value_map_put_str(v, "j", sl_value_new_string("v", 1));
    expect_text(&c, NULL, v, "{k=1, j=v}");
    sl_value_destroy(v);
    sl_schema *s = sl_schema_new_struct("S");
    sl_schema *opt = sl_schema_new(SL_TYPE_STRING);
    sl_schema_set_optional(opt, true);
    sl_schema_add_field(s, "a", sl_schema_new(SL_TYPE_INT32));
    sl_schema_add_field(s, "b", opt);
    sl_schema_add_field(s, "c", sl_schema_new(SL_TYPE_STRING));
    v = sl_value_new_struct(s);
    sl_value_struct_set(v, "a", sl_value_new_int32(1));
    sl_value_struct_set(v, "c", sl_value_new_string("x", 1));
    expect_text(&c, s, v, "Struct{a=1,c=x}");
    sl_value_destroy(v);
    sl_schema_unref(s);
    /* Logical types: java.util.Date's text (UTC) and BigDecimal's. */
    s = sl_schema_new_logical(SL_LOGICAL_TIMESTAMP);
    v = sl_value_new_int64(1614861296789);
    expect_text(&c, s, v, "Thu Mar 04 12:34:56 UTC 2021");
    sl_value_destroy(v);
    sl_schema_unref(s);
    s = sl_schema_new_decimal(3);
    v = sl_value_new_decimal_i64(-1500);
    expect_text(&c, s, v, "-1.500");
    sl_value_destroy(v);
    sl_schema_unref(s);
    conv_close(&c);

    /* Only UTF-8 is supported. */
    assert_int_equal(conv_open_role(&c, &string_converter_def, SL_CONVERTER_KEY,
                                    CONV_KV("converter.encoding", "ISO-8859-1")),
                     SL_ERR);
    assert_non_null(strstr(c.err, "UTF-8"));
    conv_close(&c);
}

/* ---- ByteArrayConverter ---- */

static void test_bytearray(void **st)
{
    (void)st;
    conv c;
    conv_open(&c, &bytearray_converter_def, NULL);
    sl_schema *s;
    sl_value *v;
    assert_int_equal(conv_to(&c, "\x00\x01\xff", 3, &s, &v), SL_OK);
    assert_int_equal(sl_schema_type(s), SL_TYPE_BYTES);
    assert_true(sl_schema_optional(s));
    size_t len;
    const void *b = sl_value_get_bytes(v, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(b, "\x00\x01\xff", 3);
    char *out;
    assert_int_equal(conv_from(&c, s, v, &out, &len), SL_OK);
    assert_int_equal(len, 3);
    assert_memory_equal(out, "\x00\x01\xff", 3);
    free(out);
    /* Empty is not null. */
    sl_value *e = sl_value_new_bytes("", 0);
    assert_int_equal(conv_from(&c, NULL, e, &out, &len), SL_OK);
    assert_non_null(out);
    assert_int_equal(len, 0);
    free(out);
    sl_value_destroy(e);
    sl_value_destroy(v);
    sl_schema_unref(s);
    /* Nulls both ways. */
    assert_int_equal(conv_to(&c, NULL, 0, &s, &v), SL_OK);
    assert_null(v);
    assert_true(sl_schema_optional(s));
    sl_schema_unref(s);
    assert_int_equal(conv_from(&c, NULL, NULL, &out, &len), SL_OK);
    assert_null(out);
    /* Anything but bytes is refused with Connect's messages. */
    v = sl_value_new_string("x", 1);
    expect_from_error(&c, NULL, v,
                      "ByteArrayConverter is not compatible with objects of type STRING");
    s = sl_schema_new(SL_TYPE_STRING);
    expect_from_error(&c, s, v, "Invalid schema type for ByteArrayConverter: STRING");
    sl_schema_unref(s);
    sl_value_destroy(v);
    conv_close(&c);
}

/* ---- SimpleHeaderConverter ---- */

static void expect_header(conv *c, const char *text, sl_type type, sl_logical lg)
{
    sl_schema *s;
    sl_value *v;
    if (conv_to_str(c, text, &s, &v) != SL_OK)
        fail_msg("%s: %s", text, c->err);
    assert_non_null(s);
    assert_non_null(v);
    if (sl_schema_type(s) != type || sl_value_type(v) != type || sl_schema_logical(s) != lg)
        fail_msg("'%s' parsed as schema type %d logical %d, value type %d; wanted %d/%d", text,
                 sl_schema_type(s), sl_schema_logical(s), sl_value_type(v), type, lg);
    sl_value_destroy(v);
    sl_schema_unref(s);
}

static int64_t header_int(conv *c, const char *text)
{
    sl_schema *s;
    sl_value *v;
    int64_t i = 0;
    assert_int_equal(conv_to_str(c, text, &s, &v), SL_OK);
    assert_int_equal(sl_value_get_int(v, &i), SL_OK);
    sl_value_destroy(v);
    sl_schema_unref(s);
    return i;
}

static void test_header_parse(void **st)
{
    (void)st;
    conv c;
    assert_int_equal(conv_open_role(&c, &simple_header_converter_def, SL_CONVERTER_HEADER, NULL),
                     SL_OK);
    expect_header(&c, "true", SL_TYPE_BOOLEAN, SL_LOGICAL_NONE);
    expect_header(&c, " false ", SL_TYPE_BOOLEAN, SL_LOGICAL_NONE);
    expect_header(&c, "42", SL_TYPE_INT8, SL_LOGICAL_NONE);
    expect_header(&c, "-300", SL_TYPE_INT16, SL_LOGICAL_NONE);
    expect_header(&c, "70000", SL_TYPE_INT32, SL_LOGICAL_NONE);
    expect_header(&c, "5000000000", SL_TYPE_INT64, SL_LOGICAL_NONE);
    expect_header(&c, "1.0", SL_TYPE_INT8, SL_LOGICAL_NONE); /* integral: Connect's choice */
    expect_header(&c, "1.5", SL_TYPE_FLOAT32, SL_LOGICAL_NONE);
    expect_header(&c, "1e300", SL_TYPE_FLOAT64, SL_LOGICAL_NONE);
    expect_header(&c, "99999999999999999999", SL_TYPE_BYTES, SL_LOGICAL_DECIMAL);
    expect_header(&c, "2021-03-04", SL_TYPE_INT32, SL_LOGICAL_DATE);
    expect_header(&c, "12:34:56.789Z", SL_TYPE_INT32, SL_LOGICAL_TIME);
    expect_header(&c, "2021-03-04T12:34:56.789Z", SL_TYPE_INT64, SL_LOGICAL_TIMESTAMP);
    expect_header(&c, "[1,2,3]", SL_TYPE_ARRAY, SL_LOGICAL_NONE);
    expect_header(&c, "{\"a\":1,\"b\":2}", SL_TYPE_MAP, SL_LOGICAL_NONE);
    expect_header(&c, "hello world", SL_TYPE_STRING, SL_LOGICAL_NONE);
    expect_header(&c, "2021-13-04", SL_TYPE_STRING, SL_LOGICAL_NONE);
    expect_header(&c, "[1,2", SL_TYPE_STRING, SL_LOGICAL_NONE);
    expect_header(&c, "[1,,2]", SL_TYPE_STRING, SL_LOGICAL_NONE);
    expect_header(&c, "{a:1}", SL_TYPE_STRING, SL_LOGICAL_NONE);
    expect_header(&c, "12,abc", SL_TYPE_STRING, SL_LOGICAL_NONE);
    expect_header(&c, "1.2.3", SL_TYPE_STRING, SL_LOGICAL_NONE);
    expect_header(&c, "", SL_TYPE_STRING, SL_LOGICAL_NONE);
    assert_int_equal(header_int(&c, "2021-03-04"), 18690);
    assert_int_equal(header_int(&c, "12:34:56.789Z"), 45296789);
    assert_int_equal(header_int(&c, "2021-03-04T12:34:56.789Z"), 1614861296789);
    assert_int_equal(header_int(&c, "-9223372036854775808"), INT64_MIN);

    sl_schema *s = (sl_schema *)1;
    sl_value *v = (sl_value *)1;
    assert_int_equal(conv_to_str(&c, "null", &s, &v), SL_OK);
    assert_null(s);
    assert_null(v);
    assert_int_equal(conv_to(&c, NULL, 0, &s, &v), SL_OK);
    assert_null(s);
    assert_null(v);

    /* Lists widen numbers to one element type; nulls make it optional. */
    assert_int_equal(conv_to_str(&c, "[1, 2.5, null]", &s, &v), SL_OK);
    assert_int_equal(sl_schema_type(s), SL_TYPE_ARRAY);
    assert_int_equal(sl_schema_type(sl_schema_value_schema(s)), SL_TYPE_FLOAT32);
    assert_true(sl_schema_optional(sl_schema_value_schema(s)));
    assert_int_equal(sl_value_type(sl_value_array_get(v, 0)), SL_TYPE_FLOAT32);
    assert_null(sl_value_array_get(v, 2));
    char err[256];
    assert_int_equal(sl_value_validate(s, v, err, sizeof(err)), SL_OK);
    sl_value_destroy(v);
    sl_schema_unref(s);
    /* Mixed element types: a schemaless list. Quoted strings unescape. */
    assert_int_equal(conv_to_str(&c, "[\"a\\\"b\", 1]", &s, &v), SL_OK);
    assert_null(s);
    assert_string_equal(sl_value_get_string(sl_value_array_get(v, 0), NULL), "a\"b");
    sl_value_destroy(v);
    /* Maps: typed keys and values, nested lists, quoted dates. */
    assert_int_equal(conv_to_str(&c, "{\"k\":[1,2],\"j\":[3]}", &s, &v), SL_OK);
    assert_int_equal(sl_schema_type(s), SL_TYPE_MAP);
    assert_int_equal(sl_schema_type(sl_schema_key_schema(s)), SL_TYPE_STRING);
    assert_int_equal(sl_schema_type(sl_schema_value_schema(s)), SL_TYPE_ARRAY);
    assert_int_equal(sl_value_map_len(v), 2);
    sl_value_destroy(v);
    sl_schema_unref(s);
    assert_int_equal(conv_to_str(&c, "[\"2021-03-04\", 2021-03-05]", &s, &v), SL_OK);
    assert_int_equal(sl_schema_logical(sl_schema_value_schema(s)), SL_LOGICAL_DATE);
    sl_value_destroy(v);
    sl_schema_unref(s);
    /* Deep nesting falls back to a string instead of recursing without end. */
    size_t depth = 5000;
    char *deep = malloc(depth * 2 + 1);
    memset(deep, '[', depth);
    memset(deep + depth, ']', depth);
    deep[depth * 2] = '\0';
    expect_header(&c, deep, SL_TYPE_STRING, SL_LOGICAL_NONE);
    free(deep);
    /* Not UTF-8: replaced before parsing. */
    assert_int_equal(conv_to(&c, "x\xfe", 2, &s, &v), SL_OK);
    assert_string_equal(sl_value_get_string(v, NULL), "x\xef\xbf\xbd");
    sl_value_destroy(v);
    sl_schema_unref(s);
    conv_close(&c);
}

static void test_header_write_and_round_trip(void **st)
{
    (void)st;
    conv c;
    assert_int_equal(conv_open_role(&c, &simple_header_converter_def, SL_CONVERTER_HEADER, NULL),
                     SL_OK);
    sl_value *v = sl_value_new_string("plain \"text\"", 12);
    expect_text(&c, NULL, v, "plain \"text\"");
    sl_value_destroy(v);
    char *out;
    assert_int_equal(conv_from(&c, NULL, NULL, &out, NULL), SL_OK);
    assert_null(out);
    v = sl_value_new_map();
    sl_value_map_put_str(v, "a\"", sl_value_new_int32(1));
    sl_value_map_put_str(v, "b", sl_value_new_bytes("\x01", 1));
    expect_text(&c, NULL, v, "{\"a\\\"\":1,\"b\":\"AQ==\"}");
    sl_value_destroy(v);
    sl_schema *s = sl_schema_new_struct("S");
    sl_schema_add_field(s, "x", sl_schema_new(SL_TYPE_FLOAT64));
    v = sl_value_new_struct(s);
    sl_value_struct_set(v, "x", sl_value_new_float64(2.0));
    expect_text(&c, s, v, "{\"x\":2.0}");
    sl_value_destroy(v);
    sl_schema_unref(s);

    /* Values of each kind survive a round trip through the header text. */
    struct {
        sl_schema *s;
        sl_value *v;
        const char *text;
    } cases[] = {
        {NULL, sl_value_new_boolean(true), "true"},
        {NULL, sl_value_new_int8(-5), "-5"},
        {NULL, sl_value_new_int64(5000000000LL), "5000000000"},
        {NULL, sl_value_new_float32(2.5f), "2.5"},
        {sl_schema_new_logical(SL_LOGICAL_DATE), sl_value_new_int32(18690), "2021-03-04"},
        {sl_schema_new_logical(SL_LOGICAL_TIME), sl_value_new_int32(45296789), "12:34:56.789Z"},
        {sl_schema_new_logical(SL_LOGICAL_TIMESTAMP), sl_value_new_int64(1614816000000LL),
         "2021-03-04T00:00:00.000Z"},
        {sl_schema_new_logical(SL_LOGICAL_TIMESTAMP), sl_value_new_int64(-1),
         "1969-12-31T23:59:59.999Z"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        expect_text(&c, cases[i].s, cases[i].v, cases[i].text);
        sl_schema *rs;
        sl_value *rv;
        assert_int_equal(conv_to_str(&c, cases[i].text, &rs, &rv), SL_OK);
        if (!sl_value_equals(rv, cases[i].v))
            fail_msg("'%s' did not read back as written", cases[i].text);
        if (cases[i].s)
            assert_int_equal(sl_schema_logical(rs), sl_schema_logical(cases[i].s));
        sl_value_destroy(rv);
        sl_schema_unref(rs);
        sl_value_destroy(cases[i].v);
        sl_schema_unref(cases[i].s);
    }
    /* A list of strings comes back as the same list. */
    v = sl_value_new_array();
    sl_value_array_append(v, sl_value_new_string("a,b", 3));
    sl_value_array_append(v, sl_value_new_string("c\\d", 3));
    expect_text(&c, NULL, v, "[\"a,b\",\"c\\\\d\"]");
    sl_schema *rs;
    sl_value *rv;
    assert_int_equal(conv_to_str(&c, "[\"a,b\",\"c\\\\d\"]", &rs, &rv), SL_OK);
    assert_true(sl_value_equals(rv, v));
    sl_value_destroy(rv);
    sl_schema_unref(rs);
    sl_value_destroy(v);
    conv_close(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_list),
        cmocka_unit_test(test_string_to_value),
        cmocka_unit_test(test_string_from_value),
        cmocka_unit_test(test_bytearray),
        cmocka_unit_test(test_header_parse),
        cmocka_unit_test(test_header_write_and_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
