/* tests/unit/test_configdef.c: the typed config engine: every type and validator with Connect's
 * messages, defaults, error collection, embedding, getters, ConfigInfos JSON, framework tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/configdef.h"
#include "config/configinfo.h"
#include "config/framework_defs.h"
#include "plugin/registry.h"
#include "props_util.h"

/* ---- helpers ---- */


static sl_config *parse1(const sl_config_def *table, sl_props *raw, config_result **r)
{
    const sl_config_def *tables[1] = {table};
    sl_config *c = config_parse(tables, 1, raw, r);
    assert_non_null(c);
    sl_props_destroy(raw);
    return c;
}

/* The errors of one key, joined with '|'. */
static const char *errors_of(const config_result *r, const char *key)
{
    static char buf[2048];
    buf[0] = '\0';
    ssize_t i = config_result_find(r, key);
    if (i < 0)
        return "<no entry>";
    const char *const *m;
    size_t n = config_result_errors(r, (size_t)i, &m);
    for (size_t j = 0; j < n; j++) {
        if (j)
            strcat(buf, "|");
        strncat(buf, m[j], sizeof(buf) - strlen(buf) - 2);
    }
    return buf;
}

static const char *value_of(const config_result *r, const char *key)
{
    ssize_t i = config_result_find(r, key);
    assert_true(i >= 0);
    return config_result_value(r, (size_t)i);
}

static int group_setup(void **state)
{
    (void)state;
    return registry_init() == SL_OK ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    registry_shutdown();
    return 0;
}

/* ---- types ---- */

static const sl_config_def typed[] = {
    {.name = "b", .type = SL_CFG_BOOLEAN, .default_value = "false"},
    {.name = "i", .type = SL_CFG_INT, .default_value = "7"},
    {.name = "sh", .type = SL_CFG_SHORT, .default_value = "3"},
    {.name = "l", .type = SL_CFG_LONG, .default_value = "60000"},
    {.name = "d", .type = SL_CFG_DOUBLE, .default_value = "0.5"},
    {.name = "li", .type = SL_CFG_LIST, .default_value = ""},
    {.name = "s", .type = SL_CFG_STRING, .default_value = "dflt"},
    {.name = "p", .type = SL_CFG_PASSWORD, .default_value = "secret"},
    {.name = "c", .type = SL_CFG_CLASS},
    {.name = "nul", .type = SL_CFG_STRING},
    SL_CONFIG_END,
};

static void test_types_ok(void **state)
{
    (void)state;
    config_result *r = NULL;
    sl_config *c = parse1(typed,
                          props("b", " TRUE ", "i", "-42", "sh", "+12", "l", "9223372036854775807",
                                "d", "1e3", "li", " a , b,,c ", "s", "  padded  ", "p", " pw ",
                                "c", "JsonConverter", "unknown.key", "kept", NULL),
                          &r);
    assert_int_equal(config_result_error_count(r), 0);
    assert_true(sl_config_bool(c, "b"));
    assert_int_equal(sl_config_int(c, "i"), -42);
    assert_int_equal(config_short(c, "sh"), 12);
    assert_int_equal(sl_config_int(c, "sh"), 12);
    assert_true(sl_config_long(c, "l") == INT64_MAX);
    assert_true(sl_config_double(c, "d") == 1000.0);
    const char *const *items;
    assert_int_equal(sl_config_list(c, "li", &items), 4);
    assert_string_equal(items[0], "a");
    assert_string_equal(items[1], "b");
    assert_string_equal(items[2], "");
    assert_string_equal(items[3], "c");
    assert_null(items[4]);
    assert_string_equal(sl_config_string(c, "li"), "a,b,,c");
    assert_string_equal(sl_config_string(c, "s"), "padded");
    assert_string_equal(sl_config_password(c, "p"), "pw");
    assert_string_equal(sl_config_string(c, "c"), "org.apache.kafka.connect.json.JsonConverter");
    assert_null(sl_config_string(c, "nul"));
    assert_true(config_is_null(c, "nul"));
    /* result values are Connect's string forms; the secret never appears */
    assert_string_equal(value_of(r, "b"), "true");
    assert_string_equal(value_of(r, "d"), "1000.0");
    assert_string_equal(value_of(r, "li"), "a,b,,c");
    assert_string_equal(value_of(r, "p"), "[hidden]");
    assert_string_equal(value_of(r, "c"), "org.apache.kafka.connect.json.JsonConverter");
    assert_null(value_of(r, "nul"));
    /* originals keep everything, unknown keys too; is_set */
    assert_string_equal(sl_props_get(sl_config_originals(c), "unknown.key"), "kept");
    assert_true(sl_config_is_set(c, "i"));
    assert_false(sl_config_is_set(c, "nul"));
    assert_true(sl_config_is_set(c, "unknown.key"));
    assert_false(sl_config_is_set(c, "nope"));
    /* unknown keys are not result entries */
    assert_true(config_result_find(r, "unknown.key") < 0);
    /* wrong type or undefined: zero values */
    assert_int_equal(sl_config_int(c, "s"), 0);
    assert_null(sl_config_string(c, "p"));
    assert_null(sl_config_password(c, "s"));
    assert_false(sl_config_bool(c, "undefined"));
    assert_int_equal(sl_config_list(c, "s", &items), 0);
    assert_non_null(items);
    assert_true(sl_config_double(c, "i") == -42.0);
    assert_true(sl_config_long(c, "sh") == 12);
    config_result_free(r);
    config_free(c);
}

static void test_defaults(void **state)
{
    (void)state;
    config_result *r = NULL;
    sl_config *c = parse1(typed, sl_props_new(), &r);
    assert_int_equal(config_result_error_count(r), 0);
    assert_false(sl_config_bool(c, "b"));
    assert_int_equal(sl_config_int(c, "i"), 7);
    assert_int_equal(config_short(c, "sh"), 3);
    assert_true(sl_config_long(c, "l") == 60000);
    assert_true(sl_config_double(c, "d") == 0.5);
    const char *const *items;
    assert_int_equal(sl_config_list(c, "li", &items), 0);
    assert_string_equal(sl_config_string(c, "s"), "dflt");
    assert_string_equal(sl_config_password(c, "p"), "secret");
    assert_null(sl_config_string(c, "c"));
    assert_false(sl_config_is_set(c, "i"));
    assert_string_equal(value_of(r, "i"), "7");
    assert_string_equal(value_of(r, "li"), "");
    assert_string_equal(value_of(r, "p"), "[hidden]");
    assert_null(value_of(r, "c"));
    config_result_free(r);
    config_free(c);
}

static void test_type_errors(void **state)
{
    (void)state;
    config_result *r = NULL;
    sl_config *c = parse1(typed,
                          props("b", "yes", "i", "abc", "sh", "32768", "l", "1.5", "d", "x1",
                                "c", "com.example.Missing ", NULL),
                          &r);
    assert_string_equal(
        errors_of(r, "b"),
        "Invalid value yes for configuration b: Expected value to be either true or false");
    assert_string_equal(errors_of(r, "i"),
                        "Invalid value abc for configuration i: Not a number of type INT");
    assert_string_equal(errors_of(r, "sh"),
                        "Invalid value 32768 for configuration sh: Not a number of type SHORT");
    assert_string_equal(errors_of(r, "l"),
                        "Invalid value 1.5 for configuration l: Not a number of type LONG");
    assert_string_equal(errors_of(r, "d"),
                        "Invalid value x1 for configuration d: Not a number of type DOUBLE");
    assert_string_equal(errors_of(r, "c"),
                        "Invalid value com.example.Missing  for configuration c: Class "
                        "com.example.Missing  could not be found.");
    /* every error is collected */
    assert_int_equal(config_result_error_count(r), 6);
    const char *key, *msg;
    assert_true(config_result_error_at(r, 0, &key, &msg));
    assert_string_equal(key, "b");
    assert_true(config_result_error_at(r, 5, &key, &msg));
    assert_string_equal(key, "c");
    assert_false(config_result_error_at(r, 6, &key, &msg));
    /* the result shows null for a bad value; the typed config falls back to the default */
    assert_null(value_of(r, "i"));
    assert_int_equal(sl_config_int(c, "i"), 7);
    assert_true(sl_config_is_set(c, "i"));
    assert_int_equal(config_short(c, "sh"), 3);
    config_result_free(r);
    config_free(c);

    /* integer edge cases */
    static const sl_config_def ints[] = {{.name = "i", .type = SL_CFG_INT},
                                         {.name = "j", .type = SL_CFG_INT},
                                         {.name = "k", .type = SL_CFG_INT},
                                         {.name = "m", .type = SL_CFG_INT},
                                         {.name = "n", .type = SL_CFG_INT},
                                         SL_CONFIG_END};
    c = parse1(ints,
               props("i", "2147483647", "j", "-2147483648", "k", "2147483648", "m", "0x10", "n",
                     "-", NULL),
               &r);
    assert_int_equal(sl_config_int(c, "i"), INT32_MAX);
    assert_int_equal(sl_config_int(c, "j"), INT32_MIN);
    assert_string_equal(errors_of(r, "k"),
                        "Invalid value 2147483648 for configuration k: Not a number of type INT");
    assert_string_equal(errors_of(r, "m"),
                        "Invalid value 0x10 for configuration m: Not a number of type INT");
    assert_string_equal(errors_of(r, "n"),
                        "Invalid value - for configuration n: Not a number of type INT");
    config_result_free(r);
    config_free(c);

    /* doubles as Java parses them */
    static const sl_config_def dbl[] = {{.name = "a", .type = SL_CFG_DOUBLE},
                                        {.name = "b", .type = SL_CFG_DOUBLE},
                                        {.name = "c", .type = SL_CFG_DOUBLE},
                                        {.name = "d", .type = SL_CFG_DOUBLE},
                                        {.name = "e", .type = SL_CFG_DOUBLE},
                                        SL_CONFIG_END};
    c = parse1(dbl, props("a", "2.5f", "b", "-Infinity", "c", ".5", "d", "inf", "e", "1e", NULL),
               &r);
    assert_true(sl_config_double(c, "a") == 2.5);
    assert_true(sl_config_double(c, "b") < -1e308);
    assert_true(sl_config_double(c, "c") == 0.5);
    assert_string_equal(errors_of(r, "d"),
                        "Invalid value inf for configuration d: Not a number of type DOUBLE");
    assert_string_equal(errors_of(r, "e"),
                        "Invalid value 1e for configuration e: Not a number of type DOUBLE");
    config_result_free(r);
    config_free(c);
}

/* ---- required, validators ---- */

static int custom_even(const sl_config_def *def, const char *value, char *errstr, size_t size)
{
    (void)def;
    if (value != NULL && strtol(value, NULL, 10) % 2 == 0)
        return SL_OK;
    snprintf(errstr, size, "must be even");
    return SL_ERR;
}

static int custom_raw(const sl_config_def *def, const char *value, char *errstr, size_t size)
{
    (void)def;
    if (value && strcmp(value, "ok") == 0)
        return SL_OK;
    snprintf(errstr, size, "A whole message of its own.");
    return SL_ERR;
}

static const sl_config_def validated[] = {
    {.name = "tasks.max", .type = SL_CFG_INT, .default_value = "1",
     .validator = SL_VALIDATE_MIN(1)},
    {.name = "port", .type = SL_CFG_INT, .default_value = "80",
     .validator = SL_VALIDATE_RANGE(1, 65535)},
    {.name = "ratio", .type = SL_CFG_DOUBLE, .default_value = "0.5",
     .validator = SL_VALIDATE_RANGE(0, 1)},
    {.name = "mode", .type = SL_CFG_STRING, .default_value = "a",
     .validator = SL_VALIDATE_IN("a", "b")},
    {.name = "level", .type = SL_CFG_STRING, .default_value = "info",
     .validator = SL_VALIDATE_IN_ICASE("debug", "info")},
    {.name = "modes", .type = SL_CFG_LIST, .default_value = "a",
     .validator = SL_VALIDATE_IN("a", "b")},
    {.name = "topic", .type = SL_CFG_STRING, .default_value = "t",
     .validator = SL_VALIDATE_NON_EMPTY},
    {.name = "even", .type = SL_CFG_INT, .default_value = "2",
     .validator = SL_VALIDATE_CUSTOM(custom_even)},
    {.name = "secret", .type = SL_CFG_PASSWORD, .default_value = "2",
     .validator = SL_VALIDATE_CUSTOM(custom_even)},
    {.name = "raw", .type = SL_CFG_STRING, .default_value = "ok",
     .validator = {.kind = SL_VALID_CUSTOM, .range_flags = CONFIG_VALID_RAW_MESSAGE,
                   .fn = custom_raw}},
    {.name = "needed", .type = SL_CFG_STRING, .required = true},
    SL_CONFIG_END,
};

static void test_validators(void **state)
{
    (void)state;
    config_result *r = NULL;
    sl_config *c = parse1(validated, sl_props_new(), &r);
    /* only the required key fails with defaults */
    assert_int_equal(config_result_error_count(r), 1);
    assert_string_equal(errors_of(r, "needed"),
                        "Missing required configuration \"needed\" which has no default value.");
    assert_null(sl_config_string(c, "needed"));
    config_result_free(r);
    config_free(c);

    c = parse1(validated,
               props("tasks.max", "0", "port", "70000", "ratio", "1.5", "mode", "x", "level",
                     "TRACE", "modes", "a, c, d", "topic", "  ", "even", "3", "secret", "5",
                     "raw", "no", "needed", "", NULL),
               &r);
    assert_string_equal(errors_of(r, "tasks.max"),
                        "Invalid value 0 for configuration tasks.max: Value must be at least 1");
    assert_string_equal(errors_of(r, "port"),
                        "Invalid value 70000 for configuration port: Value must be no more than "
                        "65535");
    assert_string_equal(errors_of(r, "ratio"),
                        "Invalid value 1.5 for configuration ratio: Value must be no more than "
                        "1.0");
    assert_string_equal(errors_of(r, "mode"),
                        "Invalid value x for configuration mode: String must be one of: a, b");
    assert_string_equal(errors_of(r, "level"),
                        "Invalid value TRACE for configuration level: String must be one of "
                        "(case insensitive): DEBUG, INFO");
    assert_string_equal(errors_of(r, "modes"),
                        "Invalid value c for configuration modes: String must be one of: a, b");
    assert_string_equal(errors_of(r, "topic"),
                        "Invalid value  for configuration topic: String must be non-empty");
    assert_string_equal(errors_of(r, "even"),
                        "Invalid value 3 for configuration even: must be even");
    assert_string_equal(errors_of(r, "secret"),
                        "Invalid value [hidden] for configuration secret: must be even");
    assert_string_equal(errors_of(r, "raw"), "A whole message of its own.");
    assert_string_equal(errors_of(r, "needed"), ""); /* given, even if empty */
    assert_int_equal(config_result_error_count(r), 10);
    config_result_free(r);
    config_free(c);

    /* case-insensitive match passes; a bad number also fails RANGE on null, as in Connect */
    c = parse1(validated, props("level", "DEBUG", "tasks.max", "abc", "needed", "x", NULL), &r);
    assert_string_equal(errors_of(r, "level"), "");
    assert_string_equal(errors_of(r, "tasks.max"),
                        "Invalid value abc for configuration tasks.max: Not a number of type "
                        "INT|Invalid value null for configuration tasks.max: Value must be "
                        "non-null");
    assert_int_equal(sl_config_int(c, "tasks.max"), 1);
    config_result_free(r);
    config_free(c);

    /* an explicit null value: no "missing" error, but validators still see null */
    c = parse1(validated, props("mode", NULL, "needed", NULL, NULL), &r);
    assert_string_equal(errors_of(r, "mode"),
                        "Invalid value null for configuration mode: String must be one of: a, b");
    assert_string_equal(errors_of(r, "needed"), "");
    config_result_free(r);
    config_free(c);
}

static void test_table_precedence(void **state)
{
    (void)state;
    static const sl_config_def first[] = {
        {.name = "x", .type = SL_CFG_INT, .default_value = "1"}, SL_CONFIG_END};
    static const sl_config_def second[] = {
        {.name = "x", .type = SL_CFG_STRING, .default_value = "s"},
        {.name = "y", .type = SL_CFG_STRING, .default_value = "t"}, SL_CONFIG_END};
    const sl_config_def *tables[] = {first, second, NULL};
    sl_config *c = config_parse(tables, 3, NULL, NULL);
    assert_non_null(c);
    assert_int_equal(sl_config_int(c, "x"), 1);
    assert_string_equal(sl_config_string(c, "y"), "t");
    const config_schema *s = config_schema_of(c);
    assert_int_equal(config_schema_count(s), 2);
    assert_string_equal(config_schema_key(s, 0)->name, "x");
    assert_ptr_equal(config_schema_find(s, "x")->def, &first[0]);
    assert_null(config_schema_find(s, "zz"));
    config_free(c);

    /* replace: a later table's definition takes the earlier one's place */
    config_schema *sc = config_schema_new();
    assert_int_equal(config_schema_add_table(sc, second, false), SL_OK);
    assert_int_equal(config_schema_add_table(sc, first, true), SL_OK);
    assert_ptr_equal(config_schema_key(sc, 0)->def, &first[0]);
    assert_string_equal(config_schema_key(sc, 1)->name, "y");
    config_schema_free(sc);
}

/* ---- embedding, orders, groups, dependents ---- */

static const sl_config_def child[] = {
    {.name = "zeta", .type = SL_CFG_STRING, .default_value = "z", .importance = SL_IMPORTANCE_LOW},
    {.name = "alpha", .type = SL_CFG_STRING, .default_value = "a",
     .importance = SL_IMPORTANCE_LOW},
    {.name = "field", .type = SL_CFG_STRING, .required = true, .importance = SL_IMPORTANCE_MEDIUM},
    {.name = "num", .type = SL_CFG_INT, .default_value = "5", .importance = SL_IMPORTANCE_HIGH,
     .validator = SL_VALIDATE_MIN(1)},
    {.name = "predicate", .type = SL_CFG_INT, .default_value = "1"}, /* masked */
    SL_CONFIG_END,
};

static void test_embed(void **state)
{
    (void)state;
    config_schema *s = config_schema_new();
    const sl_config_def *tables[] = {framework_transform_stage_defs, child};
    assert_int_equal(config_schema_embed(s, "transforms.t.", "Transforms: t", 1, tables, 2),
                     SL_OK);
    /* Connect's sorted order: required first, then importance, then name */
    static const char *const expect[] = {"transforms.t.field", "transforms.t.num",
                                         "transforms.t.negate", "transforms.t.predicate",
                                         "transforms.t.alpha", "transforms.t.zeta"};
    assert_int_equal(config_schema_count(s), 6);
    for (size_t i = 0; i < 6; i++) {
        const config_key *k = config_schema_key(s, i);
        assert_string_equal(k->name, expect[i]);
        assert_string_equal(k->group, "Transforms: t");
        assert_int_equal(k->order, (int)i + 1);
    }
    assert_ptr_equal(config_schema_find(s, "transforms.t.predicate")->def,
                     &framework_transform_stage_defs[0]);
    assert_int_equal(config_schema_group_count(s), 1);
    assert_string_equal(config_schema_group(s, 0), "Transforms: t");
    config_result *r = NULL;
    sl_props *raw = props("transforms.t.num", "0", NULL);
    sl_config *c = config_parse_schema(s, raw, &r);
    sl_props_destroy(raw);
    /* type and required errors use the full name; validators the embedded one (Connect) */
    assert_string_equal(errors_of(r, "transforms.t.field"),
                        "Missing required configuration \"transforms.t.field\" which has no "
                        "default value.");
    assert_string_equal(errors_of(r, "transforms.t.num"),
                        "Invalid value 0 for configuration num: Value must be at least 1");
    config_result_free(r);
    config_free(c);
}

static void test_orders_dependents(void **state)
{
    (void)state;
    static const char *const deps[] = {"b", "ghost", NULL};
    static const sl_config_def t[] = {
        {.name = "a", .type = SL_CFG_STRING, .group = "G1", .dependents = deps},
        {.name = "b", .type = SL_CFG_STRING, .group = "G2"},
        {.name = "c", .type = SL_CFG_STRING, .group = "G1"},
        {.name = "d", .type = SL_CFG_STRING, .group = "G1", .order = 9},
        {.name = "e", .type = SL_CFG_STRING},
        SL_CONFIG_END,
    };
    config_result *r = NULL;
    sl_config *c = parse1(t, sl_props_new(), &r);
    const config_schema *s = config_schema_of(c);
    assert_int_equal(config_schema_find(s, "a")->order, 1);
    assert_int_equal(config_schema_find(s, "b")->order, 1);
    assert_int_equal(config_schema_find(s, "c")->order, 2);
    assert_int_equal(config_schema_find(s, "d")->order, 9);
    assert_int_equal(config_schema_find(s, "e")->order, -1);
    assert_int_equal(config_schema_group_count(s), 2);
    assert_string_equal(config_schema_group(s, 1), "G2");
    assert_string_equal(errors_of(r, "ghost"),
                        "ghost is referred in the dependents, but not defined.");
    assert_false(config_result_visible(r, (size_t)config_result_find(r, "ghost")));
    assert_true(config_result_visible(r, (size_t)config_result_find(r, "a")));
    config_result_free(r);
    config_free(c);
}

/* ---- cross-field validation ---- */

static const sl_config *g_seen;

static void cross_validate(sl_validation *v)
{
    const sl_config *c = sl_validation_config(v);
    g_seen = c;
    if (sl_config_int(c, "i") > sl_config_long(c, "l"))
        sl_validation_error(v, "i", "i must not exceed l");
    sl_validation_error(v, "extra.key", "not good");
    sl_validation_error(v, "other", "no value");
    sl_validation_error(v, NULL, "general");
    sl_validation_error(v, "i", NULL); /* ignored */
}

static void test_cross_validation(void **state)
{
    (void)state;
    config_result *r = NULL;
    sl_config *c = parse1(typed, props("i", "100", "l", "5", "extra.key", "v", NULL), &r);
    config_run_validate(r, c, cross_validate);
    config_run_validate(r, c, NULL);
    assert_ptr_equal(g_seen, c);
    assert_string_equal(errors_of(r, "i"), "i must not exceed l");
    assert_string_equal(errors_of(r, "extra.key"), "not good");
    assert_string_equal(value_of(r, "extra.key"), "v");
    assert_null(value_of(r, "other"));
    assert_string_equal(errors_of(r, ""), "general");
    assert_int_equal(config_result_error_count(r), 4);

    /* ConfigInfos: unknown-key values come first with a null definition */
    json_t *infos = configinfo_generate("my.Class", config_schema_of(c), r);
    assert_string_equal(json_string_value(json_object_get(infos, "name")), "my.Class");
    assert_int_equal(configinfo_error_count(infos), 4);
    json_t *configs = json_object_get(infos, "configs");
    assert_int_equal(json_array_size(configs), 3 + 10);
    json_t *first = json_array_get(configs, 0);
    assert_true(json_is_null(json_object_get(first, "definition")));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(first, "value"), "name")), "extra.key");
    json_decref(infos);
    config_result_free(r);
    config_free(c);
}

/* ---- JSON shapes ---- */

static void test_configinfo_json(void **state)
{
    (void)state;
    static const char *const rec[] = {"x", "y", NULL};
    static const char *const deps[] = {"pw", NULL};
    static const sl_config_def t[] = {
        {.name = "req", .type = SL_CFG_STRING, .required = true, .importance = SL_IMPORTANCE_HIGH,
         .doc = "Required one.", .group = "Main", .width = SL_WIDTH_LONG,
         .display_name = "Required", .recommended = rec, .dependents = deps},
        {.name = "pw", .type = SL_CFG_PASSWORD, .default_value = "dflt",
         .importance = SL_IMPORTANCE_MEDIUM, .group = "Main"},
        {.name = "lst", .type = SL_CFG_LIST, .default_value = " a ,b ",
         .importance = SL_IMPORTANCE_LOW},
        {.name = "dbl", .type = SL_CFG_DOUBLE, .default_value = "10000000"},
        SL_CONFIG_END,
    };
    config_result *r = NULL;
    sl_config *c = parse1(t, props("pw", "s3cret", NULL), &r);
    json_t *infos = configinfo_generate("cls", config_schema_of(c), r);
    char *text = json_dumps(infos, JSON_COMPACT);
    assert_null(strstr(text, "s3cret"));
    assert_null(strstr(text, "dflt"));
    assert_string_equal(
        text,
        "{\"name\":\"cls\",\"error_count\":1,\"groups\":[\"Main\"],\"configs\":["
        "{\"definition\":{\"name\":\"req\",\"type\":\"STRING\",\"required\":true,"
        "\"default_value\":null,\"importance\":\"HIGH\",\"documentation\":\"Required one.\","
        "\"group\":\"Main\",\"order\":1,\"width\":\"LONG\",\"display_name\":\"Required\","
        "\"dependents\":[\"pw\"]},"
        "\"value\":{\"name\":\"req\",\"value\":null,\"recommended_values\":[\"x\",\"y\"],"
        "\"errors\":[\"Missing required configuration \\\"req\\\" which has no default "
        "value.\"],\"visible\":true}},"
        "{\"definition\":{\"name\":\"pw\",\"type\":\"PASSWORD\",\"required\":false,"
        "\"default_value\":\"[hidden]\",\"importance\":\"MEDIUM\",\"documentation\":null,"
        "\"group\":\"Main\",\"order\":2,\"width\":\"NONE\",\"display_name\":\"pw\","
        "\"dependents\":[]},"
        "\"value\":{\"name\":\"pw\",\"value\":\"[hidden]\",\"recommended_values\":[],"
        "\"errors\":[],\"visible\":true}},"
        "{\"definition\":{\"name\":\"lst\",\"type\":\"LIST\",\"required\":false,"
        "\"default_value\":\"a,b\",\"importance\":\"LOW\",\"documentation\":null,"
        "\"group\":null,\"order\":-1,\"width\":\"NONE\",\"display_name\":\"lst\","
        "\"dependents\":[]},"
        "\"value\":{\"name\":\"lst\",\"value\":\"a,b\",\"recommended_values\":[],"
        "\"errors\":[],\"visible\":true}},"
        "{\"definition\":{\"name\":\"dbl\",\"type\":\"DOUBLE\",\"required\":false,"
        "\"default_value\":\"1.0E7\",\"importance\":\"HIGH\",\"documentation\":null,"
        "\"group\":null,\"order\":-1,\"width\":\"NONE\",\"display_name\":\"dbl\","
        "\"dependents\":[]},"
        "\"value\":{\"name\":\"dbl\",\"value\":\"1.0E7\",\"recommended_values\":[],"
        "\"errors\":[],\"visible\":true}}]}");
    free(text);

    /* prefixed (converter) form and merging */
    json_t *pre = configinfo_prefixed(config_schema_of(c), r, "key.converter.");
    assert_string_equal(json_string_value(json_object_get(pre, "name")), "");
    assert_int_equal(configinfo_error_count(pre), 1);
    json_t *p0 = json_array_get(json_object_get(pre, "configs"), 0);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(p0, "definition"), "name")),
        "key.converter.req");
    assert_string_equal(
        json_string_value(json_array_get(
            json_object_get(json_object_get(p0, "definition"), "dependents"), 0)),
        "key.converter.pw");
    assert_string_equal(json_string_value(json_object_get(json_object_get(p0, "value"), "name")),
                        "key.converter.req");
    configinfo_merge(infos, pre);
    configinfo_merge(infos, NULL);
    assert_int_equal(configinfo_error_count(infos), 2);
    assert_int_equal(json_array_size(json_object_get(infos, "configs")), 8);
    assert_int_equal(json_array_size(json_object_get(infos, "groups")), 1);
    json_decref(pre);
    json_decref(infos);

    /* key list: first definition wins */
    static const sl_config_def over[] = {
        {.name = "lst", .type = SL_CFG_STRING, .default_value = "mine"}, SL_CONFIG_END};
    const sl_config_def *tables[] = {over, t};
    json_t *list = configinfo_key_list(tables, 2);
    assert_int_equal(json_array_size(list), 4);
    json_t *k0 = json_array_get(list, 0);
    assert_string_equal(json_string_value(json_object_get(k0, "name")), "lst");
    assert_string_equal(json_string_value(json_object_get(k0, "type")), "STRING");
    assert_string_equal(json_string_value(json_object_get(k0, "default_value")), "mine");
    json_decref(list);
    config_result_free(r);
    config_free(c);
}

/* ---- Java formatting and lists ---- */

static void test_java_forms(void **state)
{
    (void)state;
    static const struct {
        double d;
        const char *s;
    } cases[] = {{1, "1.0"},           {0.001, "0.001"},      {1e7, "1.0E7"},
                 {1e-4, "1.0E-4"},     {123.456, "123.456"},  {-2.5, "-2.5"},
                 {0.1, "0.1"},         {1e10, "1.0E10"},      {9999999, "9999999.0"},
                 {1.5e-7, "1.5E-7"},   {0, "0.0"},            {100, "100.0"},
                 {12345678.9, "1.23456789E7"}};
    char buf[64];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        config_java_double(cases[i].d, buf, sizeof(buf));
        assert_string_equal(buf, cases[i].s);
    }
    char **items;
    assert_int_equal(config_split_list(NULL, &items), 0);
    assert_null(items[0]);
    config_list_free(items);
    assert_int_equal(config_split_list("   ", &items), 0);
    config_list_free(items);
    assert_int_equal(config_split_list("a,", &items), 2);
    assert_string_equal(items[1], "");
    char *s = config_list_java_string((const char *const *)items, 2);
    assert_string_equal(s, "[a, ]");
    free(s);
    config_list_free(items);
    assert_int_equal(config_split_list("x \t,\n y", &items), 2);
    assert_string_equal(items[0], "x");
    assert_string_equal(items[1], "y");
    config_list_free(items);
    assert_string_equal(config_type_name(SL_CFG_PASSWORD), "PASSWORD");
    assert_string_equal(config_importance_name(SL_IMPORTANCE_MEDIUM), "MEDIUM");
    assert_string_equal(config_width_name(SL_WIDTH_SHORT), "SHORT");
    sl_props *p = props("a.x", "1", "a.y", "2", "b.x", "3", "a.", "4", NULL);
    sl_props *sub = config_props_with_prefix(p, "a.", true);
    assert_int_equal(sl_props_count(sub), 3);
    assert_string_equal(sl_props_get(sub, "y"), "2");
    assert_string_equal(sl_props_get(sub, ""), "4");
    sl_props_destroy(sub);
    sub = config_props_with_prefix(p, "a.", false);
    assert_string_equal(sl_props_get(sub, "a.x"), "1");
    sl_props_destroy(sub);
    sl_props_destroy(p);
}

/* ---- framework tables ---- */

static void test_worker_config(void **state)
{
    (void)state;
    const sl_config_def *const *t;
    size_t n = framework_worker_tables(true, &t);
    config_result *r = NULL;
    sl_props *raw = props("bootstrap.servers", "k1:9092, k2:9092", "key.converter",
                          "org.apache.kafka.connect.json.JsonConverter", "value.converter",
                          "StringConverter", "producer.linger.ms", "5", NULL);
    sl_config *c = config_parse(t, n, raw, &r);
    sl_props_destroy(raw);
    assert_string_equal(errors_of(r, "group.id"),
                        "Missing required configuration \"group.id\" which has no default value.");
    assert_string_equal(errors_of(r, "config.storage.topic"),
                        "Missing required configuration \"config.storage.topic\" which has no "
                        "default value.");
    assert_int_equal(config_result_error_count(r), 4);
    const char *const *items;
    assert_int_equal(sl_config_list(c, "bootstrap.servers", &items), 2);
    assert_string_equal(items[1], "k2:9092");
    assert_int_equal(sl_config_list(c, "listeners", &items), 1);
    assert_string_equal(items[0], "http://:8083");
    assert_true(sl_config_long(c, "offset.flush.interval.ms") == 60000);
    assert_true(sl_config_long(c, "offset.flush.timeout.ms") == 5000);
    assert_true(sl_config_long(c, "task.shutdown.graceful.timeout.ms") == 5000);
    assert_int_equal(sl_config_int(c, "session.timeout.ms"), 10000);
    assert_int_equal(sl_config_int(c, "heartbeat.interval.ms"), 3000);
    assert_int_equal(sl_config_int(c, "rebalance.timeout.ms"), 60000);
    assert_int_equal(sl_config_int(c, "scheduled.rebalance.max.delay.ms"), 300000);
    assert_int_equal(config_short(c, "config.storage.replication.factor"), 3);
    assert_int_equal(sl_config_int(c, "offset.storage.partitions"), 25);
    assert_int_equal(sl_config_int(c, "status.storage.partitions"), 5);
    assert_string_equal(sl_config_string(c, "connect.protocol"), "sessioned");
    assert_string_equal(sl_config_string(c, "header.converter"),
                        "org.apache.kafka.connect.storage.SimpleHeaderConverter");
    assert_string_equal(sl_config_string(c, "value.converter"),
                        "org.apache.kafka.connect.storage.StringConverter");
    assert_null(sl_config_string(c, "rest.advertised.host.name"));
    assert_true(framework_is_prefixed_key("producer.linger.ms"));
    assert_true(framework_is_prefixed_key("transforms.a.type"));
    assert_false(framework_is_prefixed_key("group.id"));
    config_result_free(r);
    config_free(c);

    raw = props("group.id", "g", "key.converter", "JsonConverter", "value.converter",
                "JsonConverter", "config.storage.topic", "c", "offset.storage.topic", "o",
                "status.storage.topic", "s", "listeners", " ", "connect.protocol", "bogus",
                "offset.storage.partitions", "0", "status.storage.replication.factor", "-1",
                "admin.listeners", "", NULL);
    c = config_parse(t, n, raw, &r);
    sl_props_destroy(raw);
    assert_string_equal(errors_of(r, "listeners"),
                        "Invalid value for listeners, at least one URL is expected, ex: "
                        "http://localhost:8080,https://localhost:8443.");
    assert_string_equal(errors_of(r, "connect.protocol"),
                        "Invalid value bogus for configuration connect.protocol: Invalid Connect "
                        "protocol compatibility");
    assert_string_equal(errors_of(r, "offset.storage.partitions"),
                        "Invalid value 0 for configuration offset.storage.partitions: Number of "
                        "partitions must be positive, or -1 to use the broker's default");
    assert_string_equal(errors_of(r, "status.storage.replication.factor"), "");
    assert_int_equal(config_result_error_count(r), 3);
    config_result_free(r);
    config_free(c);

    n = framework_worker_tables(false, &t);
    raw = props("key.converter", "JsonConverter", "value.converter", "JsonConverter", NULL);
    c = config_parse(t, n, raw, &r);
    sl_props_destroy(raw);
    assert_string_equal(errors_of(r, "offset.storage.file.filename"),
                        "Missing required configuration \"offset.storage.file.filename\" which "
                        "has no default value.");
    assert_int_equal(config_result_error_count(r), 1);
    config_result_free(r);
    config_free(c);
}

static void test_connector_common(void **state)
{
    (void)state;
    const sl_config_def *const *t;
    size_t n = framework_connector_tables(SL_CONNECTOR_SINK, &t);
    config_result *r = NULL;
    sl_props *raw = props("name", "a\tb\x7f", "connector.class", "X", "tasks.max", "0",
                          "errors.tolerance", "some", "transforms", "a, b,a",
                          "config.action.reload", "never", NULL);
    sl_config *c = config_parse(t, n, raw, &r);
    sl_props_destroy(raw);
    assert_string_equal(errors_of(r, "name"),
                        "Invalid value a\tb\x7f for configuration name: String may not contain "
                        "control sequences but had the following ASCII chars: 9, 127");
    assert_string_equal(errors_of(r, "tasks.max"),
                        "Invalid value 0 for configuration tasks.max: Value must be at least 1");
    assert_string_equal(errors_of(r, "errors.tolerance"),
                        "Invalid value some for configuration errors.tolerance: String must be "
                        "one of: none, all");
    assert_string_equal(errors_of(r, "transforms"),
                        "Invalid value [a, b, a] for configuration transforms: Duplicate alias "
                        "provided.");
    assert_string_equal(errors_of(r, "config.action.reload"),
                        "Invalid value never for configuration config.action.reload: String must "
                        "be one of: none, restart");
    assert_true(sl_config_long(c, "errors.retry.delay.max.ms") == 60000);
    assert_int_equal(config_short(c, "errors.deadletterqueue.topic.replication.factor"), 3);
    assert_true(sl_config_bool(c, "tasks.max.enforce"));
    config_result_free(r);
    config_free(c);

    raw = props("name", "  ", "connector.class", "X", NULL);
    c = config_parse(t, n, raw, &r);
    sl_props_destroy(raw);
    assert_string_equal(errors_of(r, "name"),
                        "Invalid value  for configuration name: String may not be empty");
    config_result_free(r);
    config_free(c);

    n = framework_connector_tables(SL_CONNECTOR_SOURCE, &t);
    raw = props("name", "s", "connector.class", "X", "exactly.once.support", "REQUIRED",
                "transaction.boundary", "sometimes", "transaction.boundary.interval.ms", "-5",
                "offsets.storage.topic", "", NULL);
    c = config_parse(t, n, raw, &r);
    sl_props_destroy(raw);
    assert_string_equal(errors_of(r, "exactly.once.support"), "");
    assert_string_equal(errors_of(r, "transaction.boundary"),
                        "Invalid value sometimes for configuration transaction.boundary: String "
                        "must be one of (case insensitive): POLL, INTERVAL, CONNECTOR");
    assert_string_equal(errors_of(r, "transaction.boundary.interval.ms"),
                        "Invalid value -5 for configuration transaction.boundary.interval.ms: "
                        "Value must be at least 0");
    assert_string_equal(errors_of(r, "offsets.storage.topic"),
                        "Invalid value  for configuration offsets.storage.topic: String must be "
                        "non-empty");
    assert_int_equal(config_result_error_count(r), 3);
    config_result_free(r);
    config_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types_ok),         cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_type_errors),      cmocka_unit_test(test_validators),
        cmocka_unit_test(test_table_precedence), cmocka_unit_test(test_embed),
        cmocka_unit_test(test_orders_dependents), cmocka_unit_test(test_cross_validation),
        cmocka_unit_test(test_configinfo_json),  cmocka_unit_test(test_java_forms),
        cmocka_unit_test(test_worker_config),    cmocka_unit_test(test_connector_common),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
