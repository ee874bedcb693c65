/* tests/unit/conv_test_util.h: helpers shared by the converter unit tests: configure a converter
 * through the real config engine, and run bytes <-> values through it. */
#ifndef SLUICE_TESTS_CONV_TEST_UTIL_H
#define SLUICE_TESTS_CONV_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "data/converters.h"
#include "runtime/subconfig.h"

/* A configured converter instance. */
typedef struct conv {
    const sl_converter_def *def;
    sl_config *config;
    void *state;
    char err[1024];
} conv;

/* Configure `def` with key/value pairs (NULL-terminated list of alternating strings) as
 * `role`; returns SL_OK or SL_ERR (reason in c->err). */
static inline int conv_open_role(conv *c, const sl_converter_def *def, sl_converter_role role,
                                 const char *const *kv)
{
    memset(c, 0, sizeof(*c));
    c->def = def;
    sl_props *p = sl_props_new();
    for (size_t i = 0; kv && kv[i]; i += 2)
        sl_props_set(p, kv[i], kv[i + 1]);
    sl_props_set(p, "converter.type", role == SL_CONVERTER_KEY     ? "key"
                                      : role == SL_CONVERTER_VALUE ? "value"
                                                                   : "header");
    int rc = subconfig_parse(def->config, p, "converter", &c->config, c->err, sizeof(c->err));
    sl_props_destroy(p);
    if (rc != SL_OK)
        return rc;
    return def->init(c->config, role, &c->state, c->err, sizeof(c->err));
}

#define CONV_KV(...) ((const char *const[]){__VA_ARGS__, NULL})

static inline void conv_open(conv *c, const sl_converter_def *def, const char *const *kv)
{
    assert_int_equal(conv_open_role(c, def, SL_CONVERTER_VALUE, kv), SL_OK);
}

static inline void conv_close(conv *c)
{
    if (c->def && c->def->close)
        c->def->close(c->state);
    subconfig_free(c->config);
    c->config = NULL;
}

/* Serialize; returns the rc. *out is NUL-terminated for convenience (caller frees). */
static inline int conv_from(conv *c, const sl_schema *s, const sl_value *v, char **out,
                            size_t *len)
{
    void *o = NULL;
    size_t n = 0;
    c->err[0] = '\0';
    int rc = c->def->from_value(c->state, "topic", NULL, s, v, &o, &n, c->err, sizeof(c->err));
    *out = NULL;
    if (len)
        *len = n;
    if (rc == SL_OK && o != NULL) {
        *out = malloc(n + 1);
        memcpy(*out, o, n);
        (*out)[n] = '\0';
        free(o);
    } else {
        assert_null(o);
    }
    return rc;
}

/* Deserialize `len` bytes (data NULL = null). */
static inline int conv_to(conv *c, const void *data, size_t len, sl_schema **s, sl_value **v)
{
    c->err[0] = '\0';
    return c->def->to_value(c->state, "topic", "hdr", data, len, s, v, c->err, sizeof(c->err));
}

static inline int conv_to_str(conv *c, const char *text, sl_schema **s, sl_value **v)
{
    return conv_to(c, text, strlen(text), s, v);
}

/* Serialize and expect exactly `want`. */
static inline void expect_text(conv *c, const sl_schema *s, const sl_value *v, const char *want)
{
    char *out;
    int rc = conv_from(c, s, v, &out, NULL);
    if (rc != SL_OK)
        fail_msg("from_value failed: %s", c->err);
    assert_non_null(out);
    assert_string_equal(out, want);
    free(out);
}

/* Expect from_value to fail with a message containing `part`. */
static inline void expect_from_error(conv *c, const sl_schema *s, const sl_value *v,
                                     const char *part)
{
    char *out;
    assert_int_equal(conv_from(c, s, v, &out, NULL), SL_ERR);
    if (strstr(c->err, part) == NULL)
        fail_msg("error \"%s\" does not contain \"%s\"", c->err, part);
}

/* Expect to_value to fail with a message containing `part`. */
static inline void expect_to_error(conv *c, const char *text, size_t len, const char *part)
{
    sl_schema *s = (sl_schema *)1;
    sl_value *v = (sl_value *)1;
    if (conv_to(c, text, len, &s, &v) != SL_ERR)
        fail_msg("to_value accepted %.*s", (int)len, text);
    assert_null(s);
    assert_null(v);
    if (strstr(c->err, part) == NULL)
        fail_msg("error \"%s\" does not contain \"%s\"", c->err, part);
}

#endif
