/* tests/unit/test_json_converter.c: JsonConverter against Connect's behaviour: envelope text,
 * round trips of every type, logical types, nulls and defaults, and hostile input. */
#include <jansson.h>
#include <math.h>

#include "conv_test_util.h"

#define ENVELOPE_ERROR                                                                           \
    "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not "  \
    "contain additional fields. If you are trying to deserialize plain JSON data, set "          \
    "schemas.enable=false in your converter configuration."
#define SER_ERROR "Converting byte[] to Kafka Connect data failed due to serialization error: "

static sl_schema *prim(sl_type t, bool optional)
{
    sl_schema *s = sl_schema_new(t);
    sl_schema_set_optional(s, optional);
    return s;
}

/* The nested struct of the envelope tests, and a value of it. */
static sl_schema *person_schema(void)
{
    sl_schema *addr = sl_schema_new_struct("com.example.Address");
    sl_schema_add_field(addr, "zip", prim(SL_TYPE_INT16, false));
    sl_schema_set_optional(addr, true);
    sl_schema *attrs = sl_schema_new_map(prim(SL_TYPE_STRING, false), prim(SL_TYPE_INT64, false));
    sl_schema_set_optional(attrs, true);
    sl_schema *flag = prim(SL_TYPE_BOOLEAN, false);
    sl_schema_set_default(flag, sl_value_new_boolean(true));

    sl_schema *s = sl_schema_new_struct("com.example.Person");
    sl_schema_set_version(s, 2);
    sl_schema_set_doc(s, "A person");
    sl_schema_add_field(s, "id", prim(SL_TYPE_INT32, false));
    sl_schema_add_field(s, "name", prim(SL_TYPE_STRING, true));
    sl_schema_add_field(s, "tags", sl_schema_new_array(prim(SL_TYPE_STRING, false)));
    sl_schema_add_field(s, "attrs", attrs);
    sl_schema_add_field(s, "price", sl_schema_new_decimal(2));
    sl_schema_add_field(s, "born", sl_schema_new_logical(SL_LOGICAL_DATE));
    sl_schema_add_field(s, "addr", addr);
    sl_schema_add_field(s, "data", prim(SL_TYPE_BYTES, false));
    sl_schema_add_field(s, "ratio", prim(SL_TYPE_FLOAT64, false));
    sl_schema_add_field(s, "f", prim(SL_TYPE_FLOAT32, false));
    sl_schema_add_field(s, "flag", flag);
    return s;
}

static sl_value *person_value(const sl_schema *s, bool with_flag)
{
    sl_value *v = sl_value_new_struct(s);
    sl_value_struct_set(v, "id", sl_value_new_int32(7));
    sl_value_struct_set(v, "name", sl_value_new_string("Ann \"Q\"\n", 8));
    sl_value *tags = sl_value_new_array();
    sl_value_array_append(tags, sl_value_new_string("a", 1));
    sl_value_array_append(tags, sl_value_new_string("b", 1));
    sl_value_struct_set(v, "tags", tags);
    sl_value *attrs = sl_value_new_map();
    sl_value_map_put_str(attrs, "x", sl_value_new_int64(1));
    sl_value_struct_set(v, "attrs", attrs);
    sl_value_struct_set(v, "price", sl_value_new_decimal_i64(1234));
    sl_value_struct_set(v, "born", sl_value_new_int32(18000));
    const sl_schema *as = sl_schema_field_schema(s, (size_t)sl_schema_field_index(s, "addr"));
    sl_value *addr = sl_value_new_struct(as);
    sl_value_struct_set(addr, "zip", sl_value_new_int16(12345));
    sl_value_struct_set(v, "addr", addr);
    sl_value_struct_set(v, "data", sl_value_new_bytes("\x00\xff\x10", 3));
    sl_value_struct_set(v, "ratio", sl_value_new_float64(0.1));
    sl_value_struct_set(v, "f", sl_value_new_float32(1.5f));
    if (with_flag)
        sl_value_struct_set(v, "flag", sl_value_new_boolean(true));
    return v;
}

#define PERSON_SCHEMA_JSON                                                                       \
    "{\"type\":\"struct\",\"fields\":["                                                          \
    "{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"},"                                  \
    "{\"type\":\"string\",\"optional\":true,\"field\":\"name\"},"                                \
    "{\"type\":\"array\",\"items\":{\"type\":\"string\",\"optional\":false},\"optional\":false,"  \
    "\"field\":\"tags\"},"                                                                       \
    "{\"type\":\"map\",\"keys\":{\"type\":\"string\",\"optional\":false},\"values\":{\"type\":"  \
    "\"int64\",\"optional\":false},\"optional\":true,\"field\":\"attrs\"},"                      \
    "{\"type\":\"bytes\",\"optional\":false,\"name\":\"org.apache.kafka.connect.data.Decimal\"," \
    "\"version\":1,\"parameters\":{\"scale\":\"2\"},\"field\":\"price\"},"                       \
    "{\"type\":\"int32\",\"optional\":false,\"name\":\"org.apache.kafka.connect.data.Date\","    \
    "\"version\":1,\"field\":\"born\"},"                                                         \
    "{\"type\":\"struct\",\"fields\":[{\"type\":\"int16\",\"optional\":false,\"field\":\"zip\"}]," \
    "\"optional\":true,\"name\":\"com.example.Address\",\"field\":\"addr\"},"                    \
    "{\"type\":\"bytes\",\"optional\":false,\"field\":\"data\"},"                                \
    "{\"type\":\"double\",\"optional\":false,\"field\":\"ratio\"},"                              \
    "{\"type\":\"float\",\"optional\":false,\"field\":\"f\"},"                                   \
    "{\"type\":\"boolean\",\"optional\":false,\"default\":true,\"field\":\"flag\"}],"            \
    "\"optional\":false,\"name\":\"com.example.Person\",\"version\":2,\"doc\":\"A person\"}"

#define PERSON_PAYLOAD_JSON                                                                      \
    "{\"id\":7,\"name\":\"Ann \\\"Q\\\"\\n\",\"tags\":[\"a\",\"b\"],\"attrs\":{\"x\":1},"        \
    "\"price\":\"BNI=\",\"born\":18000,\"addr\":{\"zip\":12345},\"data\":\"AP8Q\","              \
    "\"ratio\":0.1,\"f\":1.5,\"flag\":true}"

#define PERSON_ENVELOPE "{\"schema\":" PERSON_SCHEMA_JSON ",\"payload\":" PERSON_PAYLOAD_JSON "}"

static void test_envelope_exact_text(void **st)
{
    (void)st;
    conv c;
    conv_open(&c, &json_converter_def, NULL);
    sl_schema *s = person_schema();
    sl_value *v = person_value(s, false); /* flag null: the default (true) is written */
    expect_text(&c, s, v, PERSON_ENVELOPE);
    /* Twice: the second time the schema text comes from the cache. */
    expect_text(&c, s, v, PERSON_ENVELOPE);
    sl_value_destroy(v);
    sl_schema_unref(s);
    conv_close(&c);
}

static void test_envelope_round_trip(void **st)
{
    (void)st;
    conv c;
    conv_open(&c, &json_converter_def, NULL);
    sl_schema *s = person_schema();
    sl_value *v = person_value(s, true);
    char *text;
    assert_int_equal(conv_from(&c, s, v, &text, NULL), SL_OK);
    sl_schema *rs = NULL, *rs2 = NULL;
    sl_value *rv = NULL, *rv2 = NULL;
    assert_int_equal(conv_to_str(&c, text, &rs, &rv), SL_OK);
    assert_true(sl_schema_equals(rs, s));
    assert_int_equal(sl_schema_logical(sl_schema_field_schema(rs, 4)), SL_LOGICAL_DECIMAL);
    assert_int_equal(sl_schema_logical(sl_schema_field_schema(rs, 5)), SL_LOGICAL_DATE);
    assert_true(sl_value_equals(rv, v));
    /* Same bytes again: the schema comes from the cache (the very same object). */
    assert_int_equal(conv_to_str(&c, text, &rs2, &rv2), SL_OK);
    assert_ptr_equal(rs, rs2);
    assert_true(sl_value_equals(rv2, v));
    /* And it serializes back to the same text. */
    expect_text(&c, rs, rv, text);
    free(text);
    sl_value_destroy(rv);
    sl_value_destroy(rv2);
    sl_schema_unref(rs);
    sl_schema_unref(rs2);
    sl_value_destroy(v);
    sl_schema_unref(s);
    conv_close(&c);
}

/* One primitive schema and value through the envelope and back. */
static void round_trip_one(conv *c, sl_schema *s, sl_value *v, const char *payload)
{
    char *text;
    assert_int_equal(conv_from(c, s, v, &text, NULL), SL_OK);
    const char *p = strstr(text, ",\"payload\":");
    assert_non_null(p);
    assert_string_equal(p + 11, payload);
    sl_schema *rs;
    sl_value *rv;
    if (conv_to_str(c, text, &rs, &rv) != SL_OK)
        fail_msg("to_value(%s): %s", text, c->err);
    assert_true(sl_schema_equals(rs, s));
    assert_true(sl_value_equals(rv, v));
    sl_schema_unref(rs);
    sl_value_destroy(rv);
    free(text);
    sl_schema_unref(s);
    sl_value_destroy(v);
}

static void test_round_trip_every_type(void **st)
{
    (void)st;
    conv c;
    conv_open(&c, &json_converter_def, NULL);
    round_trip_one(&c, prim(SL_TYPE_INT8, false), sl_value_new_int8(-128), "-128}");
    round_trip_one(&c, prim(SL_TYPE_INT16, false), sl_value_new_int16(32767), "32767}");
    round_trip_one(&c, prim(SL_TYPE_INT32, true), sl_value_new_int32(INT32_MIN), "-2147483648}");
    round_trip_one(&c, prim(SL_TYPE_INT64, false), sl_value_new_int64(INT64_MAX),
                   "9223372036854775807}");
    round_trip_one(&c, prim(SL_TYPE_FLOAT32, false), sl_value_new_float32(0.1f), "0.1}");
    round_trip_one(&c, prim(SL_TYPE_FLOAT64, false), sl_value_new_float64(1e21), "1.0E21}");
    round_trip_one(&c, prim(SL_TYPE_FLOAT64, false), sl_value_new_float64(-2.5e-7), "-2.5E-7}");
    round_trip_one(&c, prim(SL_TYPE_FLOAT64, false), sl_value_new_float64(NAN), "\"NaN\"}");
    round_trip_one(&c, prim(SL_TYPE_FLOAT64, false), sl_value_new_float64(-INFINITY),
                   "\"-Infinity\"}");
    round_trip_one(&c, prim(SL_TYPE_BOOLEAN, false), sl_value_new_boolean(false), "false}");
    round_trip_one(&c, prim(SL_TYPE_STRING, false), sl_value_new_string("h\xc3\xa9\x01/", 5),
                   "\"h\xc3\xa9\\u0001/\"}");
    round_trip_one(&c, prim(SL_TYPE_BYTES, false), sl_value_new_bytes("hello", 5), "\"aGVsbG8=\"}");
    round_trip_one(&c, prim(SL_TYPE_BYTES, false), sl_value_new_bytes("", 0), "\"\"}");
    sl_value *arr = sl_value_new_array();
    sl_value_array_append(arr, sl_value_new_int32(1));
    sl_value_array_append(arr, NULL);
    round_trip_one(&c, sl_schema_new_array(prim(SL_TYPE_INT32, true)), arr, "[1,null]}");
    /* A map with non-string keys is an array of [key, value] pairs. */
    sl_value *m = sl_value_new_map();
    sl_value_map_put(m, sl_value_new_int32(1), sl_value_new_string("a", 1));
    sl_value_map_put(m, sl_value_new_int32(2), sl_value_new_string("b", 1));
    round_trip_one(&c, sl_schema_new_map(prim(SL_TYPE_INT32, false), prim(SL_TYPE_STRING, false)),
                   m, "[[1,\"a\"],[2,\"b\"]]}");
    round_trip_one(&c, sl_schema_new_logical(SL_LOGICAL_TIME), sl_value_new_int32(45296789),
                   "45296789}");
    round_trip_one(&c, sl_schema_new_logical(SL_LOGICAL_TIMESTAMP),
                   sl_value_new_int64(1614861296789), "1614861296789}");
    conv_close(&c);
}

static void test_schemaless(void **st)
{
    (void)st;
    conv c;
    conv_open(&c, &json_converter_def, CONV_KV("schemas.enable", "false"));
    const char *doc = "{\"a\":1,\"b\":[true,null,\"x\"],\"c\":1.5,\"d\":{\"e\":\"f\"},\"g\":-0.0}";
    sl_schema *s = (sl_schema *)1;
    sl_value *v = NULL;
    assert_int_equal(conv_to_str(&c, doc, &s, &v), SL_OK);
    assert_null(s);
    assert_int_equal(sl_value_type(v), SL_TYPE_MAP);
    assert_int_equal(sl_value_type(sl_value_map_get_str(v, "a")), SL_TYPE_INT64);
    assert_int_equal(sl_value_type(sl_value_map_get_str(v, "b")), SL_TYPE_ARRAY);
    assert_null(sl_value_array_get(sl_value_map_get_str(v, "b"), 1));
    assert_int_equal(sl_value_type(sl_value_map_get_str(v, "c")), SL_TYPE_FLOAT64);
    assert_int_equal(sl_value_type(sl_value_map_get_str(v, "d")), SL_TYPE_MAP);
    /* Keys keep their order, so the text comes back byte for byte. */
    expect_text(&c, NULL, v, doc);
    sl_value_destroy(v);

    /* Scalars at the top level. */
    struct {
        const char *in;
        sl_type type;
    } cases[] = {{"42", SL_TYPE_INT64}, {" -7 ", SL_TYPE_INT64}, {"1e3", SL_TYPE_FLOAT64},
                 {"\"s\"", SL_TYPE_STRING}, {"true", SL_TYPE_BOOLEAN},
                 {"123456789012345678901234567890", SL_TYPE_FLOAT64}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(conv_to_str(&c, cases[i].in, &s, &v), SL_OK);
        assert_non_null(v);
        assert_int_equal(sl_value_type(v), cases[i].type);
        sl_value_destroy(v);
    }
    /* null, empty and blank input are a null value (Jackson's NullNode / MissingNode). */
    const char *nulls[] = {"null", "", " \n\t"};
    for (size_t i = 0; i < 3; i++) {
        v = (sl_value *)1;
        assert_int_equal(conv_to_str(&c, nulls[i], &s, &v), SL_OK);
        assert_null(v);
    }
    /* A repeated key keeps its first position and the last value, as Jackson's ObjectNode. */
    assert_int_equal(conv_to_str(&c, "{\"k\":1,\"j\":2,\"k\":3}", &s, &v), SL_OK);
    expect_text(&c, NULL, v, "{\"k\":3,\"j\":2}");
    sl_value_destroy(v);
    /* Escapes and surrogate pairs decode to UTF-8; a lone surrogate becomes U+FFFD. */
    assert_int_equal(conv_to_str(&c, "\"\\u00e9\\ud83d\\ude00\\/\\ud800x\"", &s, &v), SL_OK);
    assert_string_equal(sl_value_get_string(v, NULL), "\xc3\xa9\xf0\x9f\x98\x80/\xef\xbf\xbdx");
    sl_value_destroy(v);

    /* Schemaless values are written without an envelope; a map with a non-string key becomes
     * an array of pairs; bytes base64. */
    sl_value *m = sl_value_new_map();
    sl_value_map_put(m, sl_value_new_int32(1), sl_value_new_bytes("\x01", 1));
    expect_text(&c, NULL, m, "[[1,\"AQ==\"]]");
    sl_value_destroy(m);
    /* With a schema but schemas.enable=false: no envelope, a null is "null". */
    sl_schema *os = prim(SL_TYPE_STRING, true);
    expect_text(&c, os, NULL, "null");
    sl_schema_unref(os);
    conv_close(&c);
}

static void test_schemaless_in_envelope(void **st)
{
    (void)st;
    conv c;
    conv_open(&c, &json_converter_def, NULL);
    sl_value *v = sl_value_new_array();
    sl_value_array_append(v, sl_value_new_int64(1));
    expect_text(&c, NULL, v, "{\"schema\":null,\"payload\":[1]}");
    sl_value_destroy(v);
    sl_schema *s = (sl_schema *)1;
    assert_int_equal(conv_to_str(&c, "{\"schema\":null,\"payload\":{\"a\":2}}", &s, &v), SL_OK);
    assert_null(s);
    assert_int_equal(sl_value_type(v), SL_TYPE_MAP);
    sl_value_destroy(v);
    /* Payload first, then schema; and a repeated key (last wins) takes the careful path. */
    assert_int_equal(conv_to_str(&c, "{\"payload\":5,\"schema\":{\"type\":\"int16\"}}", &s, &v),
                     SL_OK);
    assert_int_equal(sl_value_type(v), SL_TYPE_INT16);
    sl_value_destroy(v);
    sl_schema_unref(s);
    assert_int_equal(conv_to_str(&c,
                                 "{\"schema\":{\"type\":\"string\"},\"payload\":1,"
                                 "\"schema\":{\"type\":\"int8\"}}",
                                 &s, &v),
                     SL_OK);
    assert_int_equal(sl_value_type(v), SL_TYPE_INT8);
    sl_value_destroy(v);
    sl_schema_unref(s);
    conv_close(&c);
}

static void test_decimal_formats(void **st)
{
    (void)st;
    conv b64, num;
    conv_open(&b64, &json_converter_def, NULL);
    conv_open(&num, &json_converter_def, CONV_KV("decimal.format", "numeric"));
    sl_schema *s = sl_schema_new_decimal(2);
    sl_value *v = sl_value_new_decimal_i64(1234);
    const char *schema = "{\"type\":\"bytes\",\"optional\":false,\"name\":\"org.apache.kafka."
                         "connect.data.Decimal\",\"version\":1,\"parameters\":{\"scale\":\"2\"}}";
    char want[512];
    snprintf(want, sizeof(want), "{\"schema\":%s,\"payload\":\"BNI=\"}", schema);
    expect_text(&b64, s, v, want);
    snprintf(want, sizeof(want), "{\"schema\":%s,\"payload\":12.34}", schema);
    expect_text(&num, s, v, want);
    sl_value_destroy(v);

    /* Negative, small and huge values in NUMERIC form use BigDecimal.toString. */
    v = sl_value_new_decimal_i64(-1);
    snprintf(want, sizeof(want), "{\"schema\":%s,\"payload\":-0.01}", schema);
    expect_text(&num, s, v, want);
    snprintf(want, sizeof(want), "{\"schema\":%s,\"payload\":\"/w==\"}", schema);
    expect_text(&b64, s, v, want);
    sl_value_destroy(v);

    /* Reading accepts both forms whatever decimal.format says, keeping every digit. */
    const char *ins[] = {"12.34", "1234e-2", "\"BNI=\"", "12.340"};
    for (size_t i = 0; i < 4; i++) {
        char doc[512];
        snprintf(doc, sizeof(doc), "{\"schema\":%s,\"payload\":%s}", schema, ins[i]);
        sl_schema *rs;
        sl_value *rv;
        if (conv_to_str(&b64, doc, &rs, &rv) != SL_OK)
            fail_msg("%s: %s", ins[i], b64.err);
        sl_value *want_v = sl_value_new_decimal_i64(1234);
        assert_true(sl_value_equals(rv, want_v));
        sl_value_destroy(want_v);
        sl_value_destroy(rv);
        sl_schema_unref(rs);
    }
    /* 20 significant digits: more than a double holds. */
    char doc[512];
    snprintf(doc, sizeof(doc), "{\"schema\":%s,\"payload\":123456789012345678.91}", schema);
    sl_schema *rs;
    sl_value *rv;
    assert_int_equal(conv_to_str(&num, doc, &rs, &rv), SL_OK);
    char *text;
    assert_int_equal(conv_from(&num, rs, rv, &text, NULL), SL_OK);
    assert_non_null(strstr(text, "\"payload\":123456789012345678.91}"));
    free(text);
    sl_value_destroy(rv);
    sl_schema_unref(rs);
    /* More fractional digits than the scale, or not a decimal at all. */
    snprintf(doc, sizeof(doc), "{\"schema\":%s,\"payload\":1.234}", schema);
    expect_to_error(&num, doc, strlen(doc), "Decimal with scale 2");
    snprintf(doc, sizeof(doc), "{\"schema\":%s,\"payload\":true}", schema);
    expect_to_error(&num, doc, strlen(doc),
                    "Invalid type for Decimal, underlying representation should be numeric or "
                    "bytes but was BOOLEAN");
    snprintf(doc, sizeof(doc), "{\"schema\":%s,\"payload\":\"!!\"}", schema);
    expect_to_error(&num, doc, strlen(doc), "Invalid bytes for Decimal field");
    sl_schema_unref(s);
    conv_close(&b64);
    conv_close(&num);
}

static void test_nulls_and_defaults(void **st)
{
    (void)st;
    conv c, keep;
    conv_open(&c, &json_converter_def, NULL);
    conv_open(&keep, &json_converter_def, CONV_KV("replace.null.with.default", "false"));
    sl_value *v = (sl_value *)1;
    sl_schema *s = (sl_schema *)1;
    /* Tombstones both ways. */
    assert_int_equal(conv_to(&c, NULL, 0, &s, &v), SL_OK);
    assert_null(s);
    assert_null(v);
    char *text = (char *)1;
    assert_int_equal(conv_from(&c, NULL, NULL, &text, NULL), SL_OK);
    assert_null(text);
    /* A null with a schema is an envelope holding null (Connect writes no tombstone then). */
    sl_schema *os = prim(SL_TYPE_STRING, true);
    expect_text(&c, os, NULL,
                "{\"schema\":{\"type\":\"string\",\"optional\":true},\"payload\":null}");
    sl_schema_unref(os);
    sl_schema *rs = prim(SL_TYPE_INT32, false);
    expect_from_error(&c, rs, NULL,
                      "Conversion error: null value for field that is required and has no "
                      "default value");
    sl_schema_unref(rs);

    /* An optional field with a default: null is replaced unless replace.null.with.default=false. */
    sl_schema *d = prim(SL_TYPE_INT32, true);
    sl_schema_set_default(d, sl_value_new_int32(5));
    sl_schema *st_s = sl_schema_new_struct("S");
    sl_schema_add_field(st_s, "n", d);
    sl_value *sv = sl_value_new_struct(st_s);
    const char *sj = "{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":true,"
                     "\"default\":5,\"field\":\"n\"}],\"optional\":false,\"name\":\"S\"}";
    char want[512];
    snprintf(want, sizeof(want), "{\"schema\":%s,\"payload\":{\"n\":5}}", sj);
    expect_text(&c, st_s, sv, want);
    snprintf(want, sizeof(want), "{\"schema\":%s,\"payload\":{\"n\":null}}", sj);
    expect_text(&keep, st_s, sv, want);
    /* Reading: a null or missing field gets the default, or stays null. */
    const char *ins[] = {"{\"n\":null}", "{}"};
    for (size_t i = 0; i < 2; i++) {
        char doc[512];
        snprintf(doc, sizeof(doc), "{\"schema\":%s,\"payload\":%s}", sj, ins[i]);
        assert_int_equal(conv_to_str(&c, doc, &s, &v), SL_OK);
        int64_t n = 0;
        assert_int_equal(sl_value_get_int(sl_value_struct_get(v, "n"), &n), SL_OK);
        assert_int_equal(n, 5);
        sl_value_destroy(v);
        sl_schema_unref(s);
        assert_int_equal(conv_to_str(&keep, doc, &s, &v), SL_OK);
        assert_null(sl_value_struct_get(v, "n"));
        sl_value_destroy(v);
        sl_schema_unref(s);
    }
    sl_value_destroy(sv);
    sl_schema_unref(st_s);
    /* A missing required field is refused, naming it. */
    const char *doc = "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\","
                      "\"optional\":false,\"field\":\"id\"}],\"optional\":false},\"payload\":{}}";
    expect_to_error(&c, doc, strlen(doc), "Invalid null value for required INT32 field (at id)");
    conv_close(&c);
    conv_close(&keep);
}

static void test_bad_bytes(void **st)
{
    (void)st;
    conv c, sl;
    conv_open(&c, &json_converter_def, NULL);
    conv_open(&sl, &json_converter_def, CONV_KV("schemas.enable", "false"));
    struct {
        const char *in;
        const char *part;
    } syntax[] = {
        {"{\"a\":", SER_ERROR "Unexpected end of input"},
        {"{\"a\":1", SER_ERROR},
        {"[1,2", SER_ERROR},
        {"{\"a\" 1}", "colon"},
        {"01", "leading zeroes"},
        {"1.", "decimal point"},
        {"-", SER_ERROR},
        {"NaN", SER_ERROR},
        {"'a'", SER_ERROR},
        {"{\"a\":1}x", "end of input after the JSON value"},
        {"\"abc", "end of input in string"},
        {"\"a\x01\"", "Illegal unquoted character"},
        {"\"\\q\"", "Unrecognized character escape"},
        {"\"\\u12G4\"", "Invalid \\u escape"},
        {"\"\xc3\x28\"", "Invalid UTF-8"},
        {"\"\xed\xa0\x80\"", "Invalid UTF-8"},
        {"[1,]", SER_ERROR},
        {"{,}", SER_ERROR},
        {"tru", SER_ERROR},
        {"nul", SER_ERROR},
    };
    for (size_t i = 0; i < sizeof(syntax) / sizeof(syntax[0]); i++) {
        expect_to_error(&sl, syntax[i].in, strlen(syntax[i].in), syntax[i].part);
        expect_to_error(&c, syntax[i].in, strlen(syntax[i].in), SER_ERROR);
    }
    /* The error points at the byte. */
    expect_to_error(&sl, "[1, 2, x]", 9, "at offset 7");
    /* Nesting deeper than 1000 is refused without exhausting the stack. */
    size_t depth = 100000;
    char *deep = malloc(depth * 2);
    memset(deep, '[', depth);
    memset(deep + depth, ']', depth);
    expect_to_error(&sl, deep, depth * 2, "nesting depth");
    expect_to_error(&c, deep, depth * 2, "nesting depth");
    free(deep);

    /* The envelope must be exactly {"schema","payload"}. */
    const char *env[] = {"{\"a\":1}", "[1]", "42", "{\"schema\":null}", "{\"payload\":1}",
                         "{\"schema\":null,\"payload\":1,\"x\":2}", "", "null"};
    for (size_t i = 0; i < sizeof(env) / sizeof(env[0]); i++)
        expect_to_error(&c, env[i], strlen(env[i]), ENVELOPE_ERROR);
    /* A syntax error takes precedence over a bad envelope or a bad payload. */
    expect_to_error(&c, "{\"a\":1} x", 9, SER_ERROR);
    const char *mism = "{\"schema\":{\"type\":\"int32\",\"optional\":false},\"payload\":\"x\",]";
    expect_to_error(&c, mism, strlen(mism), SER_ERROR);

    /* Type mismatches against the schema. */
    struct {
        const char *schema, *payload, *part;
    } data[] = {
        {"{\"type\":\"int32\"}", "\"x\"",
         "Invalid value for INT32: expected a JSON number but found STRING"},
        {"{\"type\":\"int8\"}", "200", "Invalid value 200 for INT8: out of range"},
        {"{\"type\":\"int64\"}", "1.5", "not an integer"},
        {"{\"type\":\"string\"}", "5", "expected a JSON string but found NUMBER"},
        {"{\"type\":\"boolean\"}", "\"true\"", "expected a JSON boolean"},
        {"{\"type\":\"bytes\"}", "\"*\"", "Invalid bytes field"},
        {"{\"type\":\"int32\"}", "null", "Invalid null value for required INT32 field"},
        {"{\"type\":\"struct\",\"fields\":[]}", "[]",
         "Structs should be encoded as JSON objects, but found ARRAY"},
        {"{\"type\":\"array\",\"items\":{\"type\":\"int8\"}}", "[1,\"a\"]", "(at [1])"},
        {"{\"type\":\"map\",\"keys\":{\"type\":\"string\"},\"values\":{\"type\":\"int8\"}}", "[]",
         "Maps with string fields should be encoded as JSON objects, but found ARRAY"},
        {"{\"type\":\"map\",\"keys\":{\"type\":\"int8\"},\"values\":{\"type\":\"int8\"}}", "{}",
         "Maps with non-string fields should be encoded as JSON array of tuples, but found OBJECT"},
        {"{\"type\":\"map\",\"keys\":{\"type\":\"int8\"},\"values\":{\"type\":\"int8\"}}", "[[1]]",
         "Found invalid map entry, expected length 2 but found :1"},
        {"{\"type\":\"map\",\"keys\":{\"type\":\"int8\"},\"values\":{\"type\":\"int8\"}}", "[3]",
         "Found invalid map entry instead of array tuple: NUMBER"},
        {"{\"type\":\"int32\",\"name\":\"org.apache.kafka.connect.data.Date\"}", "\"2020\"",
         "Invalid type for Date, underlying representation should be integer but was STRING"},
        {"{\"type\":\"int64\",\"name\":\"org.apache.kafka.connect.data.Timestamp\"}", "1.5",
         "Invalid type for Timestamp, underlying representation should be integral"},
        {"{\"type\":\"bytes\",\"name\":\"org.apache.kafka.connect.data.Decimal\"}", "1",
         "Invalid Decimal schema: scale parameter not found."},
        /* Schema errors, with asConnectSchema's messages. */
        {"{\"optional\":true}", "1", "Schema must contain 'type' field"},
        {"5", "1", "Schema must contain 'type' field"},
        {"{\"type\":\"int128\"}", "1", "Unknown schema type: int128"},
        {"{\"type\":\"array\"}", "[]", "Array schema did not specify the element type"},
        {"{\"type\":\"map\",\"values\":{\"type\":\"int8\"}}", "{}",
         "Map schema did not specify the key type"},
        {"{\"type\":\"map\",\"keys\":{\"type\":\"int8\"}}", "{}",
         "Map schema did not specify the value type"},
        {"{\"type\":\"struct\",\"fields\":{}}", "{}",
         "Struct schema's \"fields\" argument is not an array."},
        {"{\"type\":\"struct\",\"fields\":[{\"type\":\"int8\"}]}", "{}",
         "Struct schema's field name not specified properly"},
        {"{\"type\":\"struct\",\"fields\":[{\"type\":\"int8\",\"field\":\"a\"},"
         "{\"type\":\"int8\",\"field\":\"a\"}]}",
         "{}", "field name duplication a"},
        {"{\"type\":\"string\",\"parameters\":{\"a\":1}}", "\"x\"",
         "Schema parameters must have string values."},
        {"{\"type\":\"int8\",\"default\":\"x\"}", "1",
         "expected a JSON number but found STRING (at default)"},
    };
    for (size_t i = 0; i < sizeof(data) / sizeof(data[0]); i++) {
        char doc[1024];
        snprintf(doc, sizeof(doc), "{\"schema\":%s,\"payload\":%s}", data[i].schema,
                 data[i].payload);
        expect_to_error(&c, doc, strlen(doc), data[i].part);
        /* The same record a second time fails the same way (nothing bad was cached). */
        expect_to_error(&c, doc, strlen(doc), data[i].part);
    }
    conv_close(&c);
    conv_close(&sl);
}

static void test_write_type_errors(void **st)
{
    (void)st;
    conv c;
    conv_open(&c, &json_converter_def, NULL);
    sl_schema *s = prim(SL_TYPE_INT32, false);
    sl_value *v = sl_value_new_string("x", 1);
    expect_from_error(&c, s, v, "Invalid type for INT32: STRING");
    sl_value_destroy(v);
    sl_schema_unref(s);
    /* A struct whose schema is not the one given. */
    sl_schema *a = sl_schema_new_struct("A"), *b = sl_schema_new_struct("B");
    sl_schema_add_field(a, "x", prim(SL_TYPE_INT32, true));
    sl_schema_add_field(b, "x", prim(SL_TYPE_INT32, true));
    v = sl_value_new_struct(a);
    expect_from_error(&c, b, v, "Mismatching schema.");
    sl_value_destroy(v);
    /* Nested errors name the path. */
    sl_schema *outer = sl_schema_new_struct("O");
    sl_schema_add_field(outer, "inner", sl_schema_new_array(prim(SL_TYPE_INT64, false)));
    v = sl_value_new_struct(outer);
    sl_value *arr = sl_value_new_array();
    sl_value_array_append(arr, sl_value_new_int64(1));
    sl_value_array_append(arr, NULL);
    sl_value_struct_set(v, "inner", arr);
    expect_from_error(&c, outer, v, "(at inner[1])");
    sl_value_destroy(v);
    /* Logical types need their physical value. */
    sl_schema *date = sl_schema_new_logical(SL_LOGICAL_DATE);
    v = sl_value_new_int64(1);
    expect_from_error(&c, date, v, "Invalid type for Date");
    sl_value_destroy(v);
    sl_schema_unref(date);
    sl_schema_unref(outer);
    sl_schema_unref(a);
    sl_schema_unref(b);
    conv_close(&c);
}

static void test_header_and_key_roles(void **st)
{
    (void)st;
    conv h;
    assert_true(json_converter_def.header_converter);
    assert_int_equal(conv_open_role(&h, &json_converter_def, SL_CONVERTER_HEADER,
                                    CONV_KV("schemas.enable", "false")),
                     SL_OK);
    sl_value *v = sl_value_new_string("v", 1);
    void *out = NULL;
    size_t len = 0;
    assert_int_equal(h.def->from_value(h.state, "t", "my-header", NULL, v, &out, &len, h.err,
                                       sizeof(h.err)),
                     SL_OK);
    assert_int_equal(len, 3);
    assert_memory_equal(out, "\"v\"", 3);
    free(out);
    sl_value_destroy(v);
    conv_close(&h);
    /* A bad decimal.format is refused by the config engine or by init. */
    conv bad;
    assert_int_equal(conv_open_role(&bad, &json_converter_def, SL_CONVERTER_KEY,
                                    CONV_KV("decimal.format", "HEX")),
                     SL_ERR);
    assert_non_null(strstr(bad.err, "decimal.format"));
    conv_close(&bad);
}

/* ---- differential check of the reader against jansson on mutated documents ---- */

static uint32_t rng_state = 12345;
static uint32_t rnd(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

static void test_fuzz_against_jansson(void **st)
{
    (void)st;
    conv c;
    conv_open(&c, &json_converter_def, CONV_KV("schemas.enable", "false"));
    const char *seeds[] = {
        "{\"a\":[1,2.5,-3e2,true,false,null],\"b\":{\"c\":\"d\\n\\u00e9\"},\"e\":\"\xc3\xa9\"}",
        "[[[]],{},\"\",0,-0.5,1E+2]",
        "{\"schema\":{\"type\":\"int32\"},\"payload\":12}",
        "\"plain \\\" string\"",
    };
    const char alphabet[] = "{}[]\",:.-+eE0123456789tfnul \\x\n\x80\xc3\xa9";
    int agreed = 0;
    for (int iter = 0; iter < 20000; iter++) {
        const char *seed = seeds[rnd() % 4];
        char buf[256];
        size_t n = strlen(seed);
        memcpy(buf, seed, n);
        int edits = 1 + (int)(rnd() % 3);
        for (int e = 0; e < edits; e++) {
            size_t pos = n ? rnd() % n : 0;
            int op = (int)(rnd() % 3);
            char ch = alphabet[rnd() % (sizeof(alphabet) - 1)];
            if (op == 0 && n > 0) { /* replace */
                buf[pos] = ch;
            } else if (op == 1 && n + 1 < sizeof(buf)) { /* insert */
                memmove(buf + pos + 1, buf + pos, n - pos);
                buf[pos] = ch;
                n++;
            } else if (n > 0) { /* delete */
                memmove(buf + pos, buf + pos + 1, n - pos - 1);
                n--;
            }
        }
        json_error_t jerr;
        json_t *j = json_loadb(buf, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
        /* Where jansson is stricter or looser by design, skip: empty input (a null to Connect),
         * number overflow (Connect keeps big numbers), lone surrogates (Connect keeps them). */
        bool blank = true;
        for (size_t i = 0; i < n; i++)
            blank &= buf[i] == ' ' || buf[i] == '\n';
        if (blank || (j == NULL && (strstr(jerr.text, "overflow") || strstr(jerr.text, "too big") ||
                                    strstr(jerr.text, "surrogate") ||
                                    strstr(jerr.text, "nvalid Unicode")))) {
            json_decref(j);
            continue;
        }
        sl_schema *s;
        sl_value *v;
        int rc = conv_to(&c, buf, n, &s, &v);
        if ((rc == SL_OK) != (j != NULL))
            fail_msg("disagree on %.*s: jansson %s, sluice %s", (int)n, buf,
                     j ? "accepts" : jerr.text, rc == SL_OK ? "accepts" : c.err);
        if (rc == SL_OK)
            sl_value_destroy(v);
        json_decref(j);
        agreed++;
    }
    assert_true(agreed > 10000);
    conv_close(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_envelope_exact_text),
        cmocka_unit_test(test_envelope_round_trip),
        cmocka_unit_test(test_round_trip_every_type),
        cmocka_unit_test(test_schemaless),
        cmocka_unit_test(test_schemaless_in_envelope),
        cmocka_unit_test(test_decimal_formats),
        cmocka_unit_test(test_nulls_and_defaults),
        cmocka_unit_test(test_bad_bytes),
        cmocka_unit_test(test_write_type_errors),
        cmocka_unit_test(test_header_and_key_roles),
        cmocka_unit_test(test_fuzz_against_jansson),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
