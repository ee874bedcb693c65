/* tests/unit/test_transform_chain.c: the SMT chain: building from transforms/predicates keys,
 * order, drops and their counter, predicates with negate, and every configuration error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/transform_chain.h"

/* ---- test transforms and predicates ---- */

static int g_inits, g_closes, g_pred_inits, g_pred_closes, g_applies;

typedef struct append_state {
    char text[64];
} append_state;

static const sl_config_def k_append_config[] = {
    {.name = "text", .type = SL_CFG_STRING, .default_value = "", .doc = "appended"},
    SL_CONFIG_END,
};

static int append_init(const sl_config *config, void **state, char *errstr, size_t errstr_size)
{
    (void)errstr;
    (void)errstr_size;
    append_state *s = calloc(1, sizeof(*s));
    snprintf(s->text, sizeof(s->text), "%s", sl_config_string(config, "text"));
    *state = s;
    g_inits++;
    return SL_OK;
}

static int append_apply(void *state, sl_record *r, char *errstr, size_t errstr_size)
{
    (void)errstr;
    (void)errstr_size;
    append_state *s = state;
    g_applies++;
    const char *v = sl_value_get_string(sl_record_value(r), NULL);
    char buf[256];
    snprintf(buf, sizeof(buf), "%s%s", v ? v : "", s->text);
    sl_record_set_value(r, NULL, sl_value_new_string(buf, strlen(buf)));
    return SL_OK;
}

static void append_close(void *state)
{
    free(state);
    g_closes++;
}

static const sl_transform_def k_append = {
    .struct_size = sizeof(sl_transform_def),
    .class_name = "test.transforms.Append",
    .config = k_append_config,
    .init = append_init,
    .apply = append_apply,
    .close = append_close,
};

static int drop_init(const sl_config *c, void **state, char *e, size_t n)
{
    (void)c;
    (void)e;
    (void)n;
    *state = NULL;
    g_inits++;
    return SL_OK;
}

static int drop_apply(void *state, sl_record *r, char *e, size_t n)
{
    (void)state;
    (void)r;
    (void)e;
    (void)n;
    g_applies++;
    return SL_DROP;
}

static void drop_close(void *state)
{
    (void)state;
    g_closes++;
}

static const sl_transform_def k_drop = {
    .struct_size = sizeof(sl_transform_def),
    .class_name = "test.transforms.Filter",
    .init = drop_init,
    .apply = drop_apply,
    .close = drop_close,
};

static int fail_apply(void *state, sl_record *r, char *errstr, size_t errstr_size)
{
    (void)state;
    (void)r;
    snprintf(errstr, errstr_size, "boom");
    return SL_ERR;
}

static const sl_transform_def k_fail = {
    .struct_size = sizeof(sl_transform_def),
    .class_name = "test.transforms.Fail",
    .init = drop_init,
    .apply = fail_apply,
    .close = drop_close,
};

static int badinit_init(const sl_config *c, void **state, char *errstr, size_t errstr_size)
{
    (void)c;
    (void)state;
    snprintf(errstr, errstr_size, "cannot initialise");
    return SL_ERR;
}

static const sl_transform_def k_badinit = {
    .struct_size = sizeof(sl_transform_def),
    .class_name = "test.transforms.BadInit",
    .init = badinit_init,
    .apply = drop_apply,
    .close = drop_close,
};

static const sl_config_def k_topic_is_config[] = {
    {.name = "topic", .type = SL_CFG_STRING, .required = true, .doc = "topic to match"},
    SL_CONFIG_END,
};

static int topic_is_init(const sl_config *config, void **state, char *e, size_t n)
{
    (void)e;
    (void)n;
    *state = strdup(sl_config_string(config, "topic"));
    g_pred_inits++;
    return SL_OK;
}

static int topic_is_test(void *state, const sl_record *r)
{
    return strcmp(state, sl_record_topic(r)) == 0;
}

static void topic_is_close(void *state)
{
    free(state);
    g_pred_closes++;
}

static const sl_predicate_def k_topic_is = {
    .struct_size = sizeof(sl_predicate_def),
    .class_name = "test.predicates.TopicIs",
    .config = k_topic_is_config,
    .init = topic_is_init,
    .test = topic_is_test,
    .close = topic_is_close,
};

static const sl_transform_def *find_transform(void *opaque, const char *name)
{
    (void)opaque;
    const sl_transform_def *all[] = {&k_append, &k_drop, &k_fail, &k_badinit};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        const char *cn = all[i]->class_name;
        const char *simple = strrchr(cn, '.') + 1;
        if (strcmp(name, cn) == 0 || strcmp(name, simple) == 0)
            return all[i];
    }
    return NULL;
}

static const sl_predicate_def *find_predicate(void *opaque, const char *name)
{
    (void)opaque;
    if (strcmp(name, k_topic_is.class_name) == 0 || strcmp(name, "TopicIs") == 0)
        return &k_topic_is;
    return NULL;
}

static const transform_resolver k_resolver = {find_transform, find_predicate, NULL};

/* ---- helpers ---- */

static sl_props *props(const char *const *kv)
{
    sl_props *p = sl_props_new();
    for (size_t i = 0; kv[i] != NULL; i += 2)
        sl_props_set(p, kv[i], kv[i + 1]);
    return p;
}

static sl_record *rec(const char *topic, const char *value)
{
    return sl_source_record_new(topic, -1, NULL, NULL, NULL,
                                value ? sl_value_new_string(value, strlen(value)) : NULL);
}

static const char *value_of(const sl_record *r)
{
    return sl_value_get_string(sl_record_value(r), NULL);
}

static int reset(void **state)
{
    (void)state;
    g_inits = g_closes = g_pred_inits = g_pred_closes = g_applies = 0;
    return 0;
}

/* Build a chain expected to fail and return its error text (static buffer). */
static const char *build_error(const char *const *kv)
{
    static char err[1024];
    err[0] = '\0';
    sl_props *p = props(kv);
    transform_chain *c = (transform_chain *)0x1;
    int rc = transform_chain_new(p, &k_resolver, "test-0", &c, err, sizeof(err));
    sl_props_destroy(p);
    assert_int_equal(rc, SL_ERR);
    assert_null(c);
    assert_true(err[0] != '\0');
    return err;
}

/* ---- tests ---- */

static void test_empty_chain(void **state)
{
    (void)state;
    sl_props *p = props((const char *[]){"name", "x", NULL});
    transform_chain *c = NULL;
    char err[256];
    assert_int_equal(transform_chain_new(p, &k_resolver, "t", &c, err, sizeof(err)), SL_OK);
    assert_non_null(c);
    assert_int_equal(transform_chain_size(c), 0);
    sl_record *r = rec("t", "v");
    assert_int_equal(transform_chain_apply(c, r, err, sizeof(err)), SL_OK);
    assert_string_equal(value_of(r), "v");
    sl_record_release(r);
    transform_chain_destroy(c);
    sl_props_destroy(p);

    /* An empty or blank list is no transforms either. */
    p = props((const char *[]){"transforms", "  ", NULL});
    assert_int_equal(transform_chain_new(p, &k_resolver, "t", &c, err, sizeof(err)), SL_OK);
    assert_int_equal(transform_chain_size(c), 0);
    transform_chain_destroy(c);
    sl_props_destroy(p);
    transform_chain_destroy(NULL);
}

static void test_order_and_subconfig(void **state)
{
    (void)state;
    sl_props *p = props((const char *[]){"transforms", " a , b ", "transforms.a.type",
                                         "test.transforms.Append", "transforms.a.text", "1",
                                         "transforms.b.type", "Append", /* simple name */
                                         "transforms.b.text", "2", NULL});
    transform_chain *c = NULL;
    char err[256];
    assert_int_equal(transform_chain_new(p, &k_resolver, "t", &c, err, sizeof(err)), SL_OK);
    assert_int_equal(transform_chain_size(c), 2);
    assert_int_equal(g_inits, 2);
    sl_record *r = rec("t", "x");
    assert_int_equal(transform_chain_apply(c, r, err, sizeof(err)), SL_OK);
    assert_string_equal(value_of(r), "x12");
    sl_record_release(r);
    assert_int_equal(transform_chain_dropped(c), 0);
    transform_chain_destroy(c);
    assert_int_equal(g_closes, 2);
    sl_props_destroy(p);
}

static void test_drop_counts_and_stops(void **state)
{
    (void)state;
    sl_props *p = props((const char *[]){
        "transforms", "drop,after", "transforms.drop.type", "test.transforms.Filter",
        "transforms.after.type", "test.transforms.Append", "transforms.after.text", "!", NULL});
    transform_chain *c = NULL;
    char err[256];
    assert_int_equal(transform_chain_new(p, &k_resolver, "t", &c, err, sizeof(err)), SL_OK);
    for (int i = 0; i < 3; i++) {
        sl_record *r = rec("t", "x");
        assert_int_equal(transform_chain_apply(c, r, err, sizeof(err)), SL_DROP);
        assert_string_equal(value_of(r), "x"); /* later steps did not run */
        sl_record_release(r);
    }
    assert_int_equal(transform_chain_dropped(c), 3);
    assert_int_equal(g_applies, 3);
    transform_chain_destroy(c);
    sl_props_destroy(p);
}

static void test_predicate_and_negate(void **state)
{
    (void)state;
    /* Two transforms share one predicate instance; the second negates it. */
    sl_props *p = props((const char *[]){"transforms",
                                         "onFoo,notFoo",
                                         "transforms.onFoo.type",
                                         "Append",
                                         "transforms.onFoo.text",
                                         "F",
                                         "transforms.onFoo.predicate",
                                         "isFoo",
                                         "transforms.notFoo.type",
                                         "Append",
                                         "transforms.notFoo.text",
                                         "N",
                                         "transforms.notFoo.predicate",
                                         "isFoo",
                                         "transforms.notFoo.negate",
                                         "TRUE",
                                         "predicates",
                                         "isFoo",
                                         "predicates.isFoo.type",
                                         "test.predicates.TopicIs",
                                         "predicates.isFoo.topic",
                                         "foo",
                                         NULL});
    transform_chain *c = NULL;
    char err[256];
    assert_int_equal(transform_chain_new(p, &k_resolver, "t", &c, err, sizeof(err)), SL_OK);
    assert_int_equal(g_pred_inits, 1);
    sl_record *foo = rec("foo", "");
    sl_record *bar = rec("bar", "");
    assert_int_equal(transform_chain_apply(c, foo, err, sizeof(err)), SL_OK);
    assert_int_equal(transform_chain_apply(c, bar, err, sizeof(err)), SL_OK);
    assert_string_equal(value_of(foo), "F");
    assert_string_equal(value_of(bar), "N");
    sl_record_release(foo);
    sl_record_release(bar);
    transform_chain_destroy(c);
    assert_int_equal(g_pred_closes, 1);
    sl_props_destroy(p);
}

static void test_conditional_drop(void **state)
{
    (void)state;
    /* Connect's documented example: Filter with a predicate drops only matching records. */
    sl_props *p = props((const char *[]){"transforms", "dropFoo", "transforms.dropFoo.type",
                                         "Filter", "transforms.dropFoo.predicate", "isFoo",
                                         "predicates", "isFoo", "predicates.isFoo.type", "TopicIs",
                                         "predicates.isFoo.topic", "foo", NULL});
    transform_chain *c = NULL;
    char err[256];
    assert_int_equal(transform_chain_new(p, &k_resolver, "t", &c, err, sizeof(err)), SL_OK);
    sl_record *foo = rec("foo", "a");
    sl_record *bar = rec("bar", "b");
    assert_int_equal(transform_chain_apply(c, foo, err, sizeof(err)), SL_DROP);
    assert_int_equal(transform_chain_apply(c, bar, err, sizeof(err)), SL_OK);
    assert_int_equal(transform_chain_dropped(c), 1);
    sl_record_release(foo);
    sl_record_release(bar);
    transform_chain_destroy(c);
    sl_props_destroy(p);
}

static void test_apply_error_names_alias(void **state)
{
    (void)state;
    sl_props *p = props(
        (const char *[]){"transforms", "bad", "transforms.bad.type", "test.transforms.Fail", NULL});
    transform_chain *c = NULL;
    char err[256];
    assert_int_equal(transform_chain_new(p, &k_resolver, "t", &c, err, sizeof(err)), SL_OK);
    sl_record *r = rec("t", "x");
    err[0] = '\0';
    assert_true(transform_chain_apply(c, r, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "bad"));
    assert_non_null(strstr(err, "test.transforms.Fail"));
    assert_non_null(strstr(err, "boom"));
    assert_int_equal(transform_chain_dropped(c), 0);
    sl_record_release(r);
    transform_chain_destroy(c);
    sl_props_destroy(p);
}

static void test_config_errors(void **state)
{
    (void)state;
    const char *e;
    e = build_error((const char *[]){"transforms", "x", NULL});
    assert_non_null(strstr(e, "Missing required configuration \"transforms.x.type\""));

    e = build_error((const char *[]){"transforms", "x", "transforms.x.type", "NoSuch", NULL});
    assert_non_null(strstr(e, "transforms.x.type"));
    assert_non_null(strstr(e, "NoSuch could not be found"));

    e = build_error((const char *[]){"transforms", "x", "transforms.x.type", "Filter",
                                     "transforms.x.predicate", "p", NULL});
    assert_non_null(strstr(e, "predicates"));

    e = build_error((const char *[]){"transforms", "x", "transforms.x.type", "Filter",
                                     "transforms.x.predicate", "p", "predicates", "p", NULL});
    assert_non_null(strstr(e, "predicates.p.type"));

    e = build_error((const char *[]){"transforms", "x", "transforms.x.type", "Filter",
                                     "transforms.x.predicate", "p", "predicates", "p",
                                     "predicates.p.type", "Nope", NULL});
    assert_non_null(strstr(e, "Nope could not be found"));

    /* The predicate's own required key is checked with its table. */
    e = build_error((const char *[]){"transforms", "x", "transforms.x.type", "Filter",
                                     "transforms.x.predicate", "p", "predicates", "p",
                                     "predicates.p.type", "TopicIs", NULL});
    assert_non_null(strstr(e, "topic"));
    assert_non_null(strstr(e, "predicate p"));

    e = build_error((const char *[]){"transforms", "x", "transforms.x.type", "Filter",
                                     "transforms.x.negate", "maybe", NULL});
    assert_non_null(strstr(e, "transforms.x.negate"));

    e = build_error((const char *[]){"transforms", "x,x", "transforms.x.type", "Filter", NULL});
    assert_non_null(strstr(e, "Duplicate alias"));

    e = build_error((const char *[]){"transforms", "a,,b", "transforms.a.type", "Filter",
                                     "transforms.b.type", "Filter", NULL});
    assert_non_null(strstr(e, "empty transform alias"));
}

static void test_init_failure_closes_previous(void **state)
{
    (void)state;
    const char *e = build_error((const char *[]){"transforms", "ok1,ok2,bad", "transforms.ok1.type",
                                                 "Append", "transforms.ok2.type", "Filter",
                                                 "transforms.bad.type", "BadInit", NULL});
    assert_non_null(strstr(e, "cannot initialise"));
    assert_non_null(strstr(e, "bad"));
    assert_int_equal(g_inits, 2);
    assert_int_equal(g_closes, 2); /* the failed one was never initialised, so not closed */
}

static void test_hostile_alias(void **state)
{
    (void)state;
    /* Very long and odd aliases must not overflow anything. */
    char alias[2000];
    memset(alias, 'a', sizeof(alias) - 1);
    alias[sizeof(alias) - 1] = '\0';
    const char *e = build_error((const char *[]){"transforms", alias, NULL});
    assert_non_null(strstr(e, "Missing required configuration"));
    e = build_error((const char *[]){"transforms", "%s%n%x", NULL});
    assert_non_null(strstr(e, "transforms.%s%n%x.type"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_empty_chain, reset),
        cmocka_unit_test_setup(test_order_and_subconfig, reset),
        cmocka_unit_test_setup(test_drop_counts_and_stops, reset),
        cmocka_unit_test_setup(test_predicate_and_negate, reset),
        cmocka_unit_test_setup(test_conditional_drop, reset),
        cmocka_unit_test_setup(test_apply_error_names_alias, reset),
        cmocka_unit_test_setup(test_config_errors, reset),
        cmocka_unit_test_setup(test_init_failure_closes_previous, reset),
        cmocka_unit_test_setup(test_hostile_alias, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
