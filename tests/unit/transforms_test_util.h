/* tests/unit/transforms_test_util.h: shared helpers for the built-in transform tests: parsing a
 * transform's config with the worker's config engine, instances, records, and JSON checks.
 * Header-only (static functions); include after <cmocka.h>. */
#ifndef SLUICE_TESTS_TRANSFORMS_TEST_UTIL_H
#define SLUICE_TESTS_TRANSFORMS_TEST_UTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/configdef.h"
#include "data/record_internal.h"
#include "transforms.h"

/* ==== configs ==== */

static inline sl_props *tu_props(const char *const *kv)
{
    sl_props *p = sl_props_new();
    for (size_t i = 0; kv && kv[i]; i += 2)
        sl_props_set(p, kv[i], kv[i + 1]);
    return p;
}

#define TU_KV(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Everything wrong with `kv` for a transform: per-key errors from the config engine, then the
 * transform's validate(), then init() when both passed. NULL when the config is accepted;
 * otherwise "key: message | key: message" (caller frees). */
static inline char *tu_transform_errors(const sl_transform_def *def, const char *const *kv)
{
    sl_props *p = tu_props(kv);
    config_result *res = NULL;
    const sl_config_def *tables[1] = {def->config};
    sl_config *c = config_parse(tables, 1, p, &res);
    assert_non_null(c);
    config_run_validate(res, c, def->validate);
    char buf[4096] = "";
    size_t o = 0, n = config_result_error_count(res);
    for (size_t i = 0; i < n; i++) {
        const char *key = NULL, *msg = NULL;
        config_result_error_at(res, i, &key, &msg);
        o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s: %s", o ? " | " : "", key, msg);
    }
    if (n == 0) {
        void *state = NULL;
        char err[1024] = "";
        if (def->init(c, &state, err, sizeof(err)) != SL_OK)
            snprintf(buf, sizeof(buf), "init: %s", err);
        else if (def->close)
            def->close(state);
    }
    config_result_free(res);
    config_free(c);
    sl_props_destroy(p);
    return buf[0] ? strdup(buf) : NULL;
}

/* Same for a predicate. */
static inline char *tu_predicate_errors(const sl_predicate_def *def, const char *const *kv)
{
    sl_props *p = tu_props(kv);
    config_result *res = NULL;
    const sl_config_def *tables[1] = {def->config};
    sl_config *c = config_parse(tables, 1, p, &res);
    assert_non_null(c);
    char buf[4096] = "";
    size_t o = 0, n = config_result_error_count(res);
    for (size_t i = 0; i < n; i++) {
        const char *key = NULL, *msg = NULL;
        config_result_error_at(res, i, &key, &msg);
        o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s: %s", o ? " | " : "", key, msg);
    }
    if (n == 0) {
        void *state = NULL;
        char err[1024] = "";
        if (def->init(c, &state, err, sizeof(err)) != SL_OK)
            snprintf(buf, sizeof(buf), "init: %s", err);
        else if (def->close)
            def->close(state);
    }
    config_result_free(res);
    config_free(c);
    sl_props_destroy(p);
    return buf[0] ? strdup(buf) : NULL;
}

/* Assert that `kv` is rejected and that the message mentions `key` and `fragment`. */
#define tu_assert_rejected(def, kv, key, fragment)                                                 \
    do {                                                                                           \
        char *e_ = tu_transform_errors((def), (kv));                                               \
        if (e_ == NULL)                                                                            \
            fail_msg("config accepted, expected an error about %s", (key));                        \
        if (strstr(e_, (key)) == NULL || strstr(e_, (fragment)) == NULL)                           \
            fail_msg("error \"%s\" does not name %s / contain \"%s\"", e_, (key), (fragment));     \
        free(e_);                                                                                  \
    } while (0)

#define tu_assert_accepted(def, kv)                                                                \
    do {                                                                                           \
        char *e_ = tu_transform_errors((def), (kv));                                               \
        if (e_ != NULL)                                                                            \
            fail_msg("config rejected: %s", e_);                                                   \
    } while (0)

/* ==== instances ==== */

typedef struct tu_smt {
    const sl_transform_def *def;
    const sl_predicate_def *pdef;
    sl_config *config;
    void *state;
    char err[1024];
} tu_smt;

static inline tu_smt *tu_smt_new(const sl_transform_def *def, const char *const *kv)
{
    tu_smt *t = calloc(1, sizeof(*t));
    t->def = def;
    sl_props *p = tu_props(kv);
    config_result *res = NULL;
    const sl_config_def *tables[1] = {def->config};
    t->config = config_parse(tables, 1, p, &res);
    sl_props_destroy(p);
    if (config_result_error_count(res) > 0) {
        const char *key = NULL, *msg = NULL;
        config_result_error_at(res, 0, &key, &msg);
        fail_msg("config error for %s: %s", key, msg);
    }
    config_result_free(res);
    if (def->init(t->config, &t->state, t->err, sizeof(t->err)) != SL_OK)
        fail_msg("init failed: %s", t->err);
    return t;
}

static inline tu_smt *tu_pred_new(const sl_predicate_def *def, const char *const *kv)
{
    tu_smt *t = calloc(1, sizeof(*t));
    t->pdef = def;
    sl_props *p = tu_props(kv);
    const sl_config_def *tables[1] = {def->config};
    t->config = config_parse(tables, 1, p, NULL);
    sl_props_destroy(p);
    if (def->init(t->config, &t->state, t->err, sizeof(t->err)) != SL_OK)
        fail_msg("init failed: %s", t->err);
    return t;
}

static inline int tu_apply(tu_smt *t, sl_record *r)
{
    t->err[0] = '\0';
    return t->def->apply(t->state, r, t->err, sizeof(t->err));
}

static inline int tu_test(tu_smt *t, const sl_record *r)
{
    return t->pdef->test(t->state, r);
}

static inline void tu_smt_free(tu_smt *t)
{
    if (t->def && t->def->close)
        t->def->close(t->state);
    if (t->pdef && t->pdef->close)
        t->pdef->close(t->state);
    config_free(t->config);
    free(t);
}

/* ==== values and records ==== */

static inline sl_value *tu_str(const char *s)
{
    return sl_value_new_string(s, strlen(s));
}

/* A sink record (offset >= 0) with the given value and schema (taken). */
static inline sl_record *tu_sink(const char *topic, int32_t partition, int64_t offset, int64_t ts,
                                 sl_schema *schema, sl_value *value)
{
    sl_record *r =
        record_new_consumed(topic, partition, offset, ts, ts >= 0 ? SL_TS_CREATE_TIME : SL_TS_NONE);
    sl_record_set_value(r, schema, value);
    return r;
}

/* Compact JSON of a value (schemaless form), for equality checks. */
#define tu_assert_json(value, schema, expected)                                                    \
    do {                                                                                           \
        char *j_ = sl_value_to_json((value), (schema));                                            \
        if (j_ == NULL || strcmp(j_, (expected)) != 0)                                             \
            fail_msg("json %s != expected %s", j_ ? j_ : "(null)", (expected));                    \
        free(j_);                                                                                  \
    } while (0)

#define tu_assert_value_json(r, expected)                                                          \
    tu_assert_json(sl_record_value(r), sl_record_value_schema(r), expected)
#define tu_assert_key_json(r, expected)                                                            \
    tu_assert_json(sl_record_key(r), sl_record_key_schema(r), expected)

/* A struct schema from (name, schema) pairs (schemas taken), NULL-terminated. */
static inline sl_schema *tu_struct_schema(const char *name, ...)
{
    sl_schema *s = sl_schema_new_struct(name);
    va_list ap;
    va_start(ap, name);
    for (;;) {
        const char *f = va_arg(ap, const char *);
        if (f == NULL)
            break;
        sl_schema *fs = va_arg(ap, sl_schema *);
        assert_int_equal(sl_schema_add_field(s, f, fs), SL_OK);
    }
    va_end(ap);
    return s;
}

static inline sl_schema *tu_prim(sl_type t, bool optional)
{
    return sl_schema_ref(sl_schema_primitive(t, optional));
}

#endif
