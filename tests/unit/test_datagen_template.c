/* tests/unit/test_datagen_template.c: the datagen plugin's pure logic: the regex subset (checked
 * against glibc's regex engine), template compilation and its refusals, annotations, iteration
 * arithmetic, reproducibility, quickstart shapes and the trades change-event lifecycle. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The plugin's helpers are built into datagen.so, not libsluice: compile them in here (with
 * the host flags, so SDK calls are the worker's own functions). */
#include "../../plugins/datagen/quickstarts.c"
#include "../../plugins/datagen/regexgen.c"
#include "../../plugins/datagen/rng.c"
#include "../../plugins/datagen/template_gen.c"
#include "../../plugins/datagen/template_parse.c"
#include "../../plugins/datagen/template_annotations.c"
#include "../../plugins/datagen/trades.c"

/* ---- regex ---- */

/* Generate `n` strings for `pattern` and check each against `posix` (an ERE equivalent). */
static void check_regex(const char *pattern, const char *posix, int n)
{
    char err[256] = "";
    dg_regex *re = dg_regex_compile(pattern, err, sizeof(err));
    if (re == NULL)
        fail_msg("%s: %s", pattern, err);
    regex_t px;
    char anchored[512];
    snprintf(anchored, sizeof(anchored), "^(%s)$", posix);
    assert_int_equal(regcomp(&px, anchored, REG_EXTENDED | REG_NOSUB), 0);
    dg_rng rng = dg_rng_seed(7, 0, 0);
    for (int i = 0; i < n; i++) {
        size_t len;
        char *s = dg_regex_generate(re, &rng, &len);
        assert_non_null(s);
        assert_int_equal(strlen(s), len);
        if (regexec(&px, s, 0, NULL, 0) != 0)
            fail_msg("%s generated \"%s\", which does not match", pattern, s);
        free(s);
    }
    regfree(&px);
    dg_regex_free(re);
}

static void test_regex_matches(void **state)
{
    (void)state;
    check_regex("User_[1-9]{0,1}", "User_[1-9]{0,1}", 200);
    check_regex("Page_[1-9][0-9]?", "Page_[1-9][0-9]?", 200);
    check_regex("BYOC_Item_[1-9][0-9]{0,2}", "BYOC_Item_[1-9][0-9]{0,2}", 200);
    check_regex("^(foo|ba[rz])+-\\d{3}$", "(foo|ba[rz])+-[0-9]{3}", 200);
    check_regex("[a-zA-Z]{5,15}", "[a-zA-Z]{5,15}", 200);
    check_regex("\\w+@\\w+\\.(com|org)", "[A-Za-z0-9_]+@[A-Za-z0-9_]+\\.(com|org)", 200);
    check_regex("(?:ab)*c*?x", "(ab)*c*x", 200);
    check_regex("[^a-z]{4}", "[^a-z]{4}", 200);
    check_regex("a.c", "a.c", 200);
    check_regex("[-a]\\-[a-]", "[-a]-[a-]", 100);
    check_regex("\\x41\\.\\*\\[\\]", "A\\.\\*\\[\\]", 20);
    check_regex("[\\d_]{2}\\D", "[0-9_]{2}[^0-9]", 100);
    check_regex("", "", 5);
    check_regex("a|", "a|", 50);
    check_regex("x{3,}", "xxx+", 50);
    /* Counted repetition really reaches its bounds. */
    char err[256];
    dg_regex *re = dg_regex_compile("z{2,4}", err, sizeof(err));
    assert_non_null(re);
    dg_rng rng = dg_rng_seed(1, 2, 3);
    bool seen[5] = {false};
    for (int i = 0; i < 200; i++) {
        size_t len;
        char *s = dg_regex_generate(re, &rng, &len);
        assert_true(len >= 2 && len <= 4);
        seen[len] = true;
        free(s);
    }
    assert_true(seen[2] && seen[3] && seen[4]);
    dg_regex_free(re);
    /* Multi-byte UTF-8 literals are one unit for quantifiers. */
    re = dg_regex_compile("é{2}", err, sizeof(err));
    assert_non_null(re);
    char *s = dg_regex_generate(re, &rng, NULL);
    assert_string_equal(s, "éé");
    free(s);
    dg_regex_free(re);
}

static void expect_regex_error(const char *pattern, const char *want)
{
    char err[256] = "";
    dg_regex *re = dg_regex_compile(pattern, err, sizeof(err));
    if (re != NULL)
        fail_msg("\"%s\" compiled", pattern);
    if (strstr(err, want) == NULL)
        fail_msg("\"%s\": error \"%s\" lacks \"%s\"", pattern, err, want);
}

static void test_regex_refusals(void **state)
{
    (void)state;
    expect_regex_error("(ab", "missing )");
    expect_regex_error("ab)", "unmatched )");
    expect_regex_error("*a", "nothing to repeat");
    expect_regex_error("a**", "nothing to repeat");
    expect_regex_error("[z-a]", "out of order");
    expect_regex_error("[abc", "unterminated");
    expect_regex_error("(a)\\1", "unsupported escape");
    expect_regex_error("\\bword", "unsupported escape");
    expect_regex_error("(?=x)", "only (?:...)");
    expect_regex_error("a{1000000}", "too large");
    expect_regex_error("a{5,2}", "m < n");
    expect_regex_error("a{x}", "counted repetition");
    expect_regex_error("a^b", "anchors");
    expect_regex_error("[^\\x20-\\x7e]", "matches nothing");
    expect_regex_error("[é]", "non-ASCII");
    expect_regex_error("\xff", "UTF-8");
    expect_regex_error("abc\\", "trailing backslash");
    char deep[200] = "";
    for (int i = 0; i < 40; i++)
        strcat(deep, "(");
    strcat(deep, "a");
    for (int i = 0; i < 40; i++)
        strcat(deep, ")");
    expect_regex_error(deep, "nested too deeply");
    char *big = malloc(DG_REGEX_MAX_PATTERN + 2);
    memset(big, 'a', DG_REGEX_MAX_PATTERN + 1);
    big[DG_REGEX_MAX_PATTERN + 1] = '\0';
    expect_regex_error(big, "longer than");
    free(big);
}

static void test_regex_output_is_bounded(void **state)
{
    (void)state;
    /* 1000^4 repetitions would never finish: generation stops at the output cap. */
    char err[256];
    dg_regex *re = dg_regex_compile("((((ab){1000}){1000}){1000}){1000}", err, sizeof(err));
    assert_non_null(re);
    dg_rng rng = dg_rng_seed(3, 0, 0);
    time_t t0 = time(NULL);
    size_t len;
    char *s = dg_regex_generate(re, &rng, &len);
    assert_non_null(s);
    assert_true(len <= DG_REGEX_MAX_OUTPUT);
    assert_true(time(NULL) - t0 < 5);
    free(s);
    dg_regex_free(re);
}

/* ---- templates ---- */

static dg_template *compile(const char *json)
{
    char err[512] = "";
    dg_template *t = dg_template_compile(json, strlen(json), err, sizeof(err));
    if (t == NULL)
        fail_msg("template failed: %s\n%s", err, json);
    return t;
}

static void expect_template_error(const char *json, const char *want)
{
    char err[512] = "";
    dg_template *t = dg_template_compile(json, strlen(json), err, sizeof(err));
    if (t != NULL) {
        dg_template_free(t);
        fail_msg("compiled: %s", json);
    }
    if (strstr(err, want) == NULL)
        fail_msg("error \"%s\" lacks \"%s\" for %s", err, want, json);
}

static const sl_value *field(const sl_value *st, const char *name)
{
    const sl_schema *s = sl_value_struct_schema(st);
    assert_true(sl_schema_field_index(s, name) >= 0);
    return sl_value_struct_get(st, name);
}

static int64_t ival(const sl_value *v)
{
    int64_t i = 0;
    assert_int_equal(sl_value_get_int(v, &i), SL_OK);
    return i;
}

static const char custom_json[] =
    "{\"type\": \"record\", \"name\": \"thing\", \"namespace\": \"my.ns\", \"fields\": ["
    " {\"name\": \"id\", \"type\": {\"type\": \"long\", \"arg.properties\": "
    "    {\"iteration\": {\"start\": 100, \"step\": 5}}}},"
    " {\"name\": \"color\", \"type\": {\"type\": \"string\", \"arg.properties\": "
    "    {\"options\": [\"red\", \"green\", \"blue\"]}}},"
    " {\"name\": \"score\", \"type\": {\"type\": \"int\", \"arg.properties\": "
    "    {\"range\": {\"min\": -5, \"max\": 5}}}},"
    " {\"name\": \"ratio\", \"type\": {\"type\": \"double\", \"arg.properties\": "
    "    {\"range\": {\"min\": 0.5, \"max\": 0.75}}}},"
    " {\"name\": \"flag\", \"type\": {\"type\": \"boolean\", \"arg.properties\": "
    "    {\"iteration\": {\"start\": true}}}},"
    " {\"name\": \"code\", \"type\": {\"type\": \"string\", \"arg.properties\": "
    "    {\"regex\": \"[A-F]{3}\", \"prefix\": \"<\", \"suffix\": \">\"}}},"
    " {\"name\": \"maybe\", \"type\": [\"null\", {\"type\": \"int\", \"arg.properties\": "
    "    {\"options\": [7]}}]},"
    " {\"name\": \"tags\", \"type\": {\"type\": \"array\", \"items\": {\"type\": \"string\","
    "    \"arg.properties\": {\"length\": 2}}, \"arg.properties\": {\"length\": {\"min\": 1, "
    "    \"max\": 3}}}},"
    " {\"name\": \"attrs\", \"type\": {\"type\": \"map\", \"values\": \"int\", \"arg.properties\":"
    "    {\"length\": 2, \"keys\": {\"options\": [\"a\", \"b\", \"c\"]}}}},"
    " {\"name\": \"kind\", \"type\": {\"type\": \"enum\", \"name\": \"Kind\", \"symbols\": "
    "    [\"X\", \"Y\"]}},"
    " {\"name\": \"when\", \"type\": {\"type\": \"long\", \"logicalType\": \"timestamp-millis\"}},"
    " {\"name\": \"day\", \"type\": {\"type\": \"int\", \"logicalType\": \"date\"}},"
    " {\"name\": \"amount\", \"type\": {\"type\": \"bytes\", \"logicalType\": \"decimal\","
    "    \"precision\": 6, \"scale\": 2}},"
    " {\"name\": \"raw\", \"type\": {\"type\": \"fixed\", \"name\": \"Four\", \"size\": 4}},"
    " {\"name\": \"home\", \"type\": {\"type\": \"record\", \"name\": \"addr\", \"fields\": ["
    "    {\"name\": \"zip\", \"type\": {\"type\": \"int\", \"arg.properties\": "
    "      {\"range\": {\"min\": 10000, \"max\": 10002}}}}]}},"
    " {\"name\": \"work\", \"type\": [\"null\", \"addr\"]},"
    " {\"name\": \"cycle\", \"type\": {\"type\": \"int\", \"arg.properties\": "
    "    {\"iteration\": {\"start\": 1, \"restart\": 4, \"initial\": 2}}}},"
    " {\"name\": \"down\", \"type\": {\"type\": \"float\", \"arg.properties\": "
    "    {\"iteration\": {\"start\": 1.0, \"restart\": 0.0, \"step\": -0.5}}}}"
    "]}";

static void test_template_schema_shape(void **state)
{
    (void)state;
    dg_template *t = compile(custom_json);
    const sl_schema *s = dg_template_schema(t);
    assert_int_equal(sl_schema_type(s), SL_TYPE_STRUCT);
    assert_string_equal(sl_schema_name(s), "my.ns.thing");
    assert_false(sl_schema_optional(s));
    struct {
        const char *name;
        sl_type type;
        bool optional;
    } want[] = {{"id", SL_TYPE_INT64, false},     {"color", SL_TYPE_STRING, false},
                {"score", SL_TYPE_INT32, false},  {"ratio", SL_TYPE_FLOAT64, false},
                {"flag", SL_TYPE_BOOLEAN, false}, {"code", SL_TYPE_STRING, false},
                {"maybe", SL_TYPE_INT32, true},   {"tags", SL_TYPE_ARRAY, false},
                {"attrs", SL_TYPE_MAP, false},    {"kind", SL_TYPE_STRING, false},
                {"when", SL_TYPE_INT64, false},   {"day", SL_TYPE_INT32, false},
                {"amount", SL_TYPE_BYTES, false}, {"raw", SL_TYPE_BYTES, false},
                {"home", SL_TYPE_STRUCT, false},  {"work", SL_TYPE_STRUCT, true},
                {"cycle", SL_TYPE_INT32, false},  {"down", SL_TYPE_FLOAT32, false}};
    size_t n = sizeof(want) / sizeof(want[0]);
    assert_int_equal(sl_schema_field_count(s), n);
    for (size_t i = 0; i < n; i++) {
        const sl_schema *f = sl_schema_field_schema(s, i);
        assert_string_equal(sl_schema_field_name(s, i), want[i].name);
        assert_int_equal(sl_schema_type(f), want[i].type);
        assert_int_equal(sl_schema_optional(f), want[i].optional);
    }
    const sl_schema *home = sl_schema_field_schema(s, 14);
    assert_string_equal(sl_schema_name(home), "my.ns.addr");
    assert_string_equal(sl_schema_name(sl_schema_field_schema(s, 15)), "my.ns.addr");
    assert_int_equal(sl_schema_logical(sl_schema_field_schema(s, 10)), SL_LOGICAL_TIMESTAMP);
    assert_int_equal(sl_schema_logical(sl_schema_field_schema(s, 11)), SL_LOGICAL_DATE);
    assert_int_equal(sl_schema_logical(sl_schema_field_schema(s, 12)), SL_LOGICAL_DECIMAL);
    assert_string_equal(sl_schema_parameter(sl_schema_field_schema(s, 12), "scale"), "2");
    assert_string_equal(
        sl_schema_parameter(sl_schema_field_schema(s, 9), "io.confluent.connect.avro.Enum"),
        "my.ns.Kind");
    dg_template_free(t);
}

static void test_template_values(void **state)
{
    (void)state;
    dg_template *t = compile(custom_json);
    const sl_schema *s = dg_template_schema(t);
    int colors[3] = {0}, nulls = 0, trues = 0;
    int64_t cycle_want[] = {2, 3, 1, 2, 3, 1};
    double down_want[] = {1.0, 0.5, 1.0, 0.5};
    for (uint64_t i = 0; i < 300; i++) {
        sl_value *v = dg_template_generate(t, 99, i);
        assert_non_null(v);
        char err[256] = "";
        if (sl_value_validate(s, v, err, sizeof(err)) != SL_OK)
            fail_msg("record %llu invalid: %s", (unsigned long long)i, err);
        assert_int_equal(ival(field(v, "id")), 100 + 5 * (int64_t)i);
        const char *color = sl_value_get_string(field(v, "color"), NULL);
        colors[strcmp(color, "red") == 0 ? 0 : strcmp(color, "green") == 0 ? 1 : 2]++;
        int64_t score = ival(field(v, "score"));
        assert_true(score >= -5 && score < 5);
        double ratio;
        sl_value_get_double(field(v, "ratio"), &ratio);
        assert_true(ratio >= 0.5 && ratio < 0.75);
        bool flag = sl_value_get_bool(field(v, "flag"));
        assert_int_equal(flag, i % 2 == 0);
        trues += flag;
        const char *code = sl_value_get_string(field(v, "code"), NULL);
        assert_int_equal(strlen(code), 5);
        assert_true(code[0] == '<' && code[4] == '>' && code[1] >= 'A' && code[1] <= 'F');
        if (field(v, "maybe") == NULL)
            nulls++;
        else
            assert_int_equal(ival(field(v, "maybe")), 7);
        const sl_value *tags = field(v, "tags");
        assert_true(sl_value_array_len(tags) >= 1 && sl_value_array_len(tags) < 3);
        for (size_t k = 0; k < sl_value_array_len(tags); k++)
            assert_int_equal(strlen(sl_value_get_string(sl_value_array_get(tags, k), NULL)), 2);
        const sl_value *attrs = field(v, "attrs");
        assert_true(sl_value_map_len(attrs) >= 1 && sl_value_map_len(attrs) <= 2);
        for (size_t k = 0; k < sl_value_map_len(attrs); k++)
            assert_non_null(
                strchr("abc", sl_value_get_string(sl_value_map_key_at(attrs, k), NULL)[0]));
        const char *kind = sl_value_get_string(field(v, "kind"), NULL);
        assert_true(strcmp(kind, "X") == 0 || strcmp(kind, "Y") == 0);
        int64_t when = ival(field(v, "when"));
        assert_true(when >= 0 && when < 4102444800000LL);
        size_t rawlen;
        assert_non_null(sl_value_get_bytes(field(v, "raw"), &rawlen));
        assert_int_equal(rawlen, 4);
        int64_t zip = ival(field(field(v, "home"), "zip"));
        assert_true(zip == 10000 || zip == 10001);
        if (i < 6)
            assert_int_equal(ival(field(v, "cycle")), cycle_want[i]);
        if (i < 4) {
            double d;
            sl_value_get_double(field(v, "down"), &d);
            assert_true(d == down_want[i]);
        }
        sl_value_destroy(v);
    }
    assert_true(colors[0] > 50 && colors[1] > 50 && colors[2] > 50);
    assert_true(nulls > 100 && nulls < 200);
    assert_int_equal(trues, 150);
    dg_template_free(t);
}

static void test_template_reproducible(void **state)
{
    (void)state;
    dg_template *t = compile(custom_json);
    /* Same (seed, index): the same value, however many were generated in between; another
     * index or seed: different. */
    sl_value *a = dg_template_generate(t, 5, 17);
    for (uint64_t i = 0; i < 10; i++)
        sl_value_destroy(dg_template_generate(t, 5, i));
    sl_value *b = dg_template_generate(t, 5, 17);
    sl_value *c = dg_template_generate(t, 5, 18);
    sl_value *d = dg_template_generate(t, 6, 17);
    assert_true(sl_value_equals(a, b));
    assert_false(sl_value_equals(a, c));
    assert_false(sl_value_equals(a, d));
    sl_value_destroy(a);
    sl_value_destroy(b);
    sl_value_destroy(c);
    sl_value_destroy(d);
    dg_template_free(t);
}

static void test_template_refusals(void **state)
{
    (void)state;
    expect_template_error("{\"type\": \"record\", \"fields\": [", "invalid JSON");
    expect_template_error("[\"null\", \"int\"]", "top level must be a record");
    expect_template_error("{\"type\": \"int\"}", "top level must be a record");
    expect_template_error("{\"type\": \"record\", \"name\": \"r\"}", "\"fields\" array");
    expect_template_error("{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\","
                          "\"type\":\"nosuch\"}]}",
                          "template field 'a': unknown type \"nosuch\"");
    expect_template_error(
        "{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\","
        "\"type\":{\"type\":\"string\",\"arg.properties\":{\"kind\":\"uuid\"}}}]}",
        "unsupported annotation \"kind\"");
    expect_template_error(
        "{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\","
        "\"type\":{\"type\":\"int\",\"arg.properties\":{\"options\":[1,\"x\"]}}}]}",
        "option 1: \"x\" is not an int");
    expect_template_error(
        "{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\","
        "\"type\":{\"type\":\"int\",\"arg.properties\":{\"options\":[3000000000]}}}]}",
        "is not an int");
    expect_template_error("{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\","
                          "\"type\":{\"type\":\"int\",\"arg.properties\":{\"range\":{\"min\":5,"
                          "\"max\":5}}}}]}",
                          "must be below");
    expect_template_error(
        "{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\","
        "\"type\":{\"type\":\"string\",\"arg.properties\":{\"range\":{\"min\":1}}}}]}",
        "\"range\" applies to");
    expect_template_error(
        "{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\","
        "\"type\":{\"type\":\"int\",\"arg.properties\":{\"iteration\":{\"step\":1}}}}]}",
        "needs an integer \"start\"");
    expect_template_error(
        "{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\","
        "\"type\":{\"type\":\"int\",\"arg.properties\":{\"iteration\":{\"start\":1,"
        "\"restart\":5,\"step\":-1}}}}]}",
        "towards");
    expect_template_error("{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\","
                          "\"type\":{\"type\":\"string\",\"arg.properties\":{\"regex\":\"(\"}}}]}",
                          "regex error");
    expect_template_error("{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\","
                          "\"type\":{\"type\":\"string\",\"arg.properties\":{\"regex\":\"a\","
                          "\"length\":3}}}]}",
                          "together");
    expect_template_error("{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\","
                          "\"type\":[\"int\",\"string\"]}]}",
                          "several non-null");
    expect_template_error("{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\","
                          "\"type\":\"int\"},{\"name\":\"a\",\"type\":\"int\"}]}",
                          "duplicate field");
    expect_template_error("{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\","
                          "\"type\":\"r\"}]}",
                          "recursive type");
    expect_template_error("{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\","
                          "\"type\":\"null\"}]}",
                          "only supported inside a union");
    expect_template_error("{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\","
                          "\"type\":\"int\",\"arg.properties\":{\"options\":[1]}}]}",
                          "inside the field's type");
    expect_template_error("{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\","
                          "\"type\":{\"type\":\"string\",\"arg.properties\":{\"length\":-1}}}]}",
                          "\"length\" must be");
    expect_template_error("{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\","
                          "\"type\":{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\"],"
                          "\"arg.properties\":{\"options\":[\"B\"]}}}]}",
                          "enum's symbols");
    expect_template_error(
        "{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\","
        "\"type\":{\"type\":\"record\",\"name\":\"s\",\"fields\":[{\"name\":"
        "\"x\",\"type\":\"int\"}],\"arg.properties\":{\"options\":[{\"y\":1}]}}}]}",
        "no field \"y\"");
    /* Nesting bombs are refused, not stack overflows: jansson stops the deepest, our own
     * limit the rest. */
    char err[512] = "";
    for (int depth = 40; depth <= 5000; depth += 4960) {
        char *bomb = malloc(200000);
        strcpy(bomb, "{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\","
                     "\"type\":");
        for (int i = 0; i < depth; i++)
            strcat(bomb, "{\"type\":\"array\",\"items\":");
        strcat(bomb, "\"int\"");
        for (int i = 0; i < depth; i++)
            strcat(bomb, "}");
        strcat(bomb, "}]}");
        assert_null(dg_template_compile(bomb, strlen(bomb), err, sizeof(err)));
        if (depth == 40)
            assert_non_null(strstr(err, "nested deeper than"));
        free(bomb);
    }
    /* Oversized input is refused before parsing. */
    assert_null(dg_template_compile("{}", DG_TEMPLATE_MAX_BYTES + 1, err, sizeof(err)));
    assert_non_null(strstr(err, "larger than"));
    assert_null(dg_template_load("/nonexistent/schema.avsc", err, sizeof(err)));
    assert_non_null(strstr(err, "cannot open"));
}

static void test_record_options(void **state)
{
    (void)state;
    dg_template *t = compile(
        "{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"p\",\"type\":{\"type\":"
        "\"record\",\"name\":\"pt\",\"fields\":[{\"name\":\"x\",\"type\":\"int\"},{\"name\":\"y\","
        "\"type\":[\"null\",\"string\"]}],\"arg.properties\":{\"options\":[{\"x\":1,\"y\":\"one\"},"
        "{\"x\":2}]}}}, {\"name\":\"b\",\"type\":{\"type\":\"bytes\",\"arg.properties\":"
        "{\"options\":[\"\\u00ff\\u0001\"]}}}]}");
    for (uint64_t i = 0; i < 20; i++) {
        sl_value *v = dg_template_generate(t, 1, i);
        const sl_value *p = field(v, "p");
        int64_t x = ival(field(p, "x"));
        assert_true(x == 1 || x == 2);
        if (x == 1)
            assert_string_equal(sl_value_get_string(field(p, "y"), NULL), "one");
        else
            assert_null(field(p, "y"));
        size_t len;
        const unsigned char *b = sl_value_get_bytes(field(v, "b"), &len);
        assert_int_equal(len, 2);
        assert_int_equal(b[0], 0xff);
        assert_int_equal(b[1], 0x01);
        sl_value_destroy(v);
    }
    dg_template_free(t);
}

static void test_quickstarts(void **state)
{
    (void)state;
    const char *names[] = {"users", "PageViews", "orders"};
    const char *keys[] = {"userid", "viewtime", "orderid"};
    for (size_t i = 0; i < 3; i++) {
        const dg_quickstart *q = dg_quickstart_find(names[i]);
        assert_non_null(q);
        assert_false(dg_quickstart_is_trades(q));
        assert_string_equal(q->keyfield, keys[i]);
        dg_template *t = compile(q->json);
        assert_true(sl_schema_field_index(dg_template_schema(t), q->keyfield) >= 0);
        for (uint64_t k = 0; k < 50; k++) {
            sl_value *v = dg_template_generate(t, k, k);
            char err[256] = "";
            assert_int_equal(sl_value_validate(dg_template_schema(t), v, err, sizeof(err)), SL_OK);
            if (i == 1)
                assert_int_equal(ival(field(v, "viewtime")), 1 + 10 * (int64_t)k);
            if (i == 2) {
                assert_int_equal(ival(field(v, "orderid")), (int64_t)k);
                assert_non_null(field(field(v, "address"), "city"));
            }
            sl_value_destroy(v);
        }
        dg_template_free(t);
    }
    assert_true(dg_quickstart_is_trades(dg_quickstart_find("TRADES")));
    assert_null(dg_quickstart_find("clickstream"));
    assert_null(dg_quickstart_find(NULL));
}

static void test_trades_lifecycle(void **state)
{
    (void)state;
    dg_trades *t = dg_trades_new();
    assert_non_null(t);
    const int tasks = 3;
    /* Per task: every key is created, updated twice, deleted, each before = previous after. */
    for (int task = 0; task < tasks; task++) {
        sl_value *last_after[64] = {NULL};
        char last_op[64] = {0};
        for (uint64_t k = 0; k < 40; k++) {
            sl_value *key, *env;
            assert_int_equal(dg_trades_event(t, 11, task, tasks, k, "conn", 1000, &key, &env),
                             SL_OK);
            char err[256] = "";
            assert_int_equal(sl_value_validate(dg_trades_key_schema(t), key, err, sizeof(err)),
                             SL_OK);
            assert_int_equal(sl_value_validate(dg_trades_value_schema(t), env, err, sizeof(err)),
                             SL_OK);
            int64_t id = ival(field(key, "id"));
            assert_int_equal((id - 1) % tasks, task); /* ids never shared between tasks */
            assert_true(id < 64);
            const char *op = sl_value_get_string(field(env, "op"), NULL);
            int64_t pid;
            char pop;
            dg_trades_position(k, task, tasks, &pid, &pop);
            assert_int_equal(pid, id);
            assert_int_equal(pop, op[0]);
            const sl_value *before = field(env, "before"), *after = field(env, "after");
            if (op[0] == 'c') {
                assert_int_equal(last_op[id], 0);
                assert_null(before);
                assert_non_null(after);
            } else {
                assert_true(last_op[id] == 'c' || last_op[id] == 'u');
                assert_true(sl_value_equals(before, last_after[id]));
                if (op[0] == 'd')
                    assert_null(after);
                else
                    assert_string_equal(op, "u");
            }
            if (after != NULL)
                assert_int_equal(ival(field(after, "id")), id);
            assert_int_equal(ival(field(field(env, "source"), "iteration")), (int64_t)k);
            sl_value_destroy(last_after[id]);
            last_after[id] = after ? sl_value_copy(after) : NULL;
            last_op[id] = op[0];
            sl_value_destroy(key);
            sl_value_destroy(env);
        }
        /* 40 events = two full blocks: every key ended deleted. */
        for (int id = 0; id < 64; id++) {
            assert_true(last_op[id] == 0 || last_op[id] == 'd');
            sl_value_destroy(last_after[id]);
        }
    }
    dg_trades_free(t);
}

static void test_rng(void **state)
{
    (void)state;
    dg_rng r = dg_rng_seed(1, 2, 3), s = dg_rng_seed(1, 2, 3), u = dg_rng_seed(1, 3, 2);
    assert_true(dg_rng_next(&r) == dg_rng_next(&s));
    dg_rng r2 = dg_rng_seed(1, 2, 3);
    assert_true(dg_rng_next(&r2) != dg_rng_next(&u));
    int hist[3] = {0};
    for (int i = 0; i < 3000; i++) {
        int64_t v = dg_rng_range(&r, -1, 2);
        assert_true(v >= -1 && v <= 1);
        hist[v + 1]++;
        double d = dg_rng_double(&r);
        assert_true(d >= 0 && d < 1);
    }
    assert_true(hist[0] > 800 && hist[1] > 800 && hist[2] > 800);
    assert_int_equal(dg_rng_below(&r, 0), 0);
    assert_int_equal(dg_rng_range(&r, 5, 5), 5);
    (void)dg_rng_range(&r, INT64_MIN, INT64_MAX);
    assert_true(range_incl(&r, INT64_MAX - 1, INT64_MAX) >= INT64_MAX - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regex_matches),
        cmocka_unit_test(test_regex_refusals),
        cmocka_unit_test(test_regex_output_is_bounded),
        cmocka_unit_test(test_template_schema_shape),
        cmocka_unit_test(test_template_values),
        cmocka_unit_test(test_template_reproducible),
        cmocka_unit_test(test_template_refusals),
        cmocka_unit_test(test_record_options),
        cmocka_unit_test(test_quickstarts),
        cmocka_unit_test(test_trades_lifecycle),
        cmocka_unit_test(test_rng),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
