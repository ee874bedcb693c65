/* config/config_result.c: validation results (Connect's ConfigValue per key: value, errors,
 * recommended values, visibility) and the sl_validation handed to plugins' validate(). */
#define _GNU_SOURCE /* vasprintf */
#include "config/config_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct result_entry {
    char *name;
    char *value;
    char **errors;
    size_t nerrors;
    char **recommended; /* NULL-terminated or NULL */
    size_t nrecommended;
    bool visible;
} result_entry;

struct config_result {
    result_entry *e;
    size_t count, cap;
    size_t nerrors;
};

struct sl_validation {
    config_result *result;
    const sl_config *config;
};

config_result *config_result_new(void)
{
    return calloc(1, sizeof(config_result));
}

static void strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void config_result_free(config_result *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->count; i++) {
        free(r->e[i].name);
        free(r->e[i].value);
        strv_free(r->e[i].errors, r->e[i].nerrors);
        strv_free(r->e[i].recommended, r->e[i].nrecommended);
    }
    free(r->e);
    free(r);
}

size_t config_result_error_count(const config_result *r)
{
    return r ? r->nerrors : 0;
}

bool config_result_error_at(const config_result *r, size_t k, const char **key,
                            const char **message)
{
    if (r == NULL)
        return false;
    for (size_t i = 0; i < r->count; i++) {
        if (k < r->e[i].nerrors) {
            if (key)
                *key = r->e[i].name;
            if (message)
                *message = r->e[i].errors[k];
            return true;
        }
        k -= r->e[i].nerrors;
    }
    return false;
}

size_t config_result_count(const config_result *r)
{
    return r ? r->count : 0;
}

/* Linear: a result holds one entry per key of one config (tens to a few hundred), and it is
 * built once per validation. */
ssize_t config_result_find(const config_result *r, const char *name)
{
    if (r == NULL || name == NULL)
        return -1;
    for (size_t i = 0; i < r->count; i++)
        if (strcmp(r->e[i].name, name) == 0)
            return (ssize_t)i;
    return -1;
}

const char *config_result_name(const config_result *r, size_t i)
{
    return (r && i < r->count) ? r->e[i].name : NULL;
}

const char *config_result_value(const config_result *r, size_t i)
{
    return (r && i < r->count) ? r->e[i].value : NULL;
}

size_t config_result_errors(const config_result *r, size_t i, const char *const **messages)
{
    static const char *const none[] = {NULL};
    if (r == NULL || i >= r->count || r->e[i].nerrors == 0) {
        if (messages)
            *messages = none;
        return 0;
    }
    if (messages)
        *messages = (const char *const *)r->e[i].errors;
    return r->e[i].nerrors;
}

size_t config_result_recommended(const config_result *r, size_t i, const char *const **values)
{
    static const char *const none[] = {NULL};
    if (r == NULL || i >= r->count || r->e[i].recommended == NULL) {
        if (values)
            *values = none;
        return 0;
    }
    if (values)
        *values = (const char *const *)r->e[i].recommended;
    return r->e[i].nrecommended;
}

bool config_result_visible(const config_result *r, size_t i)
{
    return (r && i < r->count) ? r->e[i].visible : false;
}

ssize_t config_result_add(config_result *r, const char *name, const char *value)
{
    if (r == NULL || name == NULL)
        return -1;
    ssize_t i = config_result_find(r, name);
    if (i >= 0)
        return i;
    if (r->count == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 32;
        result_entry *e = realloc(r->e, cap * sizeof(*e));
        if (e == NULL)
            return -1;
        r->e = e;
        r->cap = cap;
    }
    result_entry *e = &r->e[r->count];
    memset(e, 0, sizeof(*e));
    e->name = strdup(name);
    e->value = value ? strdup(value) : NULL;
    e->visible = true;
    if (e->name == NULL) {
        free(e->value);
        return -1;
    }
    return (ssize_t)r->count++;
}

void config_result_set_value(config_result *r, size_t i, const char *value)
{
    if (r == NULL || i >= r->count)
        return;
    free(r->e[i].value);
    r->e[i].value = value ? strdup(value) : NULL;
}

void config_result_set_recommended(config_result *r, size_t i, const char *const *values)
{
    if (r == NULL || i >= r->count)
        return;
    result_entry *e = &r->e[i];
    strv_free(e->recommended, e->nrecommended);
    e->recommended = NULL;
    e->nrecommended = 0;
    if (values == NULL)
        return;
    size_t n = 0;
    while (values[n])
        n++;
    e->recommended = calloc(n + 1, sizeof(char *));
    if (e->recommended == NULL)
        return;
    for (size_t j = 0; j < n; j++)
        if ((e->recommended[e->nrecommended] = strdup(values[j])) != NULL)
            e->nrecommended++;
}

void config_result_set_visible(config_result *r, size_t i, bool visible)
{
    if (r != NULL && i < r->count)
        r->e[i].visible = visible;
}

void config_result_add_error(config_result *r, const char *key, const char *message)
{
    if (r == NULL || message == NULL)
        return;
    ssize_t i = config_result_add(r, key ? key : "", NULL);
    if (i < 0)
        return;
    result_entry *e = &r->e[i];
    char **errs = realloc(e->errors, (e->nerrors + 2) * sizeof(char *));
    if (errs == NULL)
        return;
    e->errors = errs;
    if ((errs[e->nerrors] = strdup(message)) == NULL)
        return;
    e->nerrors++;
    errs[e->nerrors] = NULL;
    r->nerrors++;
}

void config_result_add_errorf(config_result *r, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    if (msg != NULL)
        config_result_add_error(r, key, msg);
    free(msg);
}

/* ---- sl_validation (SDK) ---- */

void config_run_validate(config_result *r, const sl_config *c, void (*validate)(sl_validation *))
{
    if (validate == NULL || r == NULL)
        return;
    sl_validation v = {.result = r, .config = c};
    validate(&v);
}

void sl_validation_error(sl_validation *v, const char *key, const char *message)
{
    if (v == NULL || message == NULL)
        return;
    if (key == NULL)
        key = "";
    /* A key no definition knows still shows the value the user gave (with definition null). */
    if (config_result_find(v->result, key) < 0)
        config_result_add(v->result, key, sl_props_get(sl_config_originals(v->config), key));
    config_result_add_error(v->result, key, message);
}

const sl_config *sl_validation_config(const sl_validation *v)
{
    return v ? v->config : NULL;
}
