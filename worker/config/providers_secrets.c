/* config/providers_secrets.c: keeping resolved secrets out of what the worker stores and shows:
 * the reverse transform of task configs, scrubbing messages, and validation with providers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/configinfo.h"
#include "config/connector_validate.h"
#include "config/providers_internal.h"

/* A resolved text and the raw text it came from. */
typedef struct secret {
    const char *key; /* borrowed from raw; NULL for a single variable's value */
    char *resolved;
    char *raw;
} secret;

typedef struct secrets {
    secret *v;
    size_t n, cap;
} secrets;

static void secrets_free(secrets *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i].resolved);
        free(s->v[i].raw);
    }
    free(s->v);
}

/* Takes `resolved` and `raw` (freed here when not kept). */
static void secrets_add(secrets *s, const char *key, char *resolved, char *raw)
{
    if (resolved == NULL || raw == NULL || strcmp(resolved, raw) == 0) {
        free(resolved);
        free(raw);
        return;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        secret *v = realloc(s->v, cap * sizeof(*v));
        if (v == NULL) {
            free(resolved);
            free(raw);
            return;
        }
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = (secret){.key = key, .resolved = resolved, .raw = raw};
}

/* Every key of `raw` holding variables: its whole resolved value; with `each_var` also each
 * variable's own value. */
static void secrets_collect(const config_providers *p, const sl_props *raw, bool each_var,
                            secrets *out)
{
    char err[16];
    for (size_t i = 0; i < sl_props_count(raw); i++) {
        const char *k = sl_props_key_at(raw, i), *v = sl_props_value_at(raw, i);
        if (!providers_has_variables(p, v))
            continue;
        char *r = NULL;
        if (providers_resolve_value(p, v, &r, err, sizeof(err)) == SL_OK)
            secrets_add(out, k, r, strdup(v));
        providers_var var;
        for (size_t pos = 0; each_var && providers_next_var(v, pos, &var); pos = var.end) {
            char *text = strndup(v + var.start, var.end - var.start);
            r = NULL;
            if (text != NULL && providers_has_variables(p, text) &&
                providers_resolve_value(p, text, &r, err, sizeof(err)) == SL_OK)
                secrets_add(out, NULL, r, text);
            else
                free(text);
        }
    }
}

static int by_length_desc(const void *a, const void *b)
{
    size_t la = strlen(((const secret *)a)->resolved), lb = strlen(((const secret *)b)->resolved);
    return la < lb ? 1 : la > lb ? -1 : 0;
}

/* `text` with the collected secrets (sorted longest first) replaced by their raw text. */
static char *scrub_with(const secrets *s, const char *text)
{
    if (text == NULL)
        return NULL;
    size_t len = strlen(text), cap = len + 1, w = 0;
    char *out = malloc(cap);
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < len;) {
        const secret *hit = NULL;
        for (size_t j = 0; j < s->n && hit == NULL; j++) {
            size_t sl = strlen(s->v[j].resolved);
            if (sl > 0 && sl <= len - i && memcmp(text + i, s->v[j].resolved, sl) == 0)
                hit = &s->v[j];
        }
        const char *piece = hit ? hit->raw : text + i;
        size_t pl = hit ? strlen(hit->raw) : 1;
        if (w + pl + 1 > cap) {
            while (w + pl + 1 > cap)
                cap *= 2;
            char *n = realloc(out, cap);
            if (n == NULL) {
                free(out);
                return NULL;
            }
            out = n;
        }
        memcpy(out + w, piece, pl);
        w += pl;
        i += hit ? strlen(hit->resolved) : 1;
    }
    out[w] = '\0';
    return out;
}

/* Every secret of `raw`, longest first, so a value containing a shorter secret is replaced
 * as a whole. */
static void secrets_for_scrub(const config_providers *p, const sl_props *raw, secrets *out)
{
    if (p != NULL && raw != NULL)
        secrets_collect(p, raw, true, out);
    if (out->n > 1)
        qsort(out->v, out->n, sizeof(*out->v), by_length_desc);
}

char *providers_scrub(const config_providers *p, const sl_props *raw, const char *text)
{
    if (text == NULL)
        return NULL;
    secrets s = {0};
    secrets_for_scrub(p, raw, &s);
    char *out = scrub_with(&s, text);
    secrets_free(&s);
    return out;
}

void providers_reverse_task_configs(const config_providers *p, const sl_props *raw_conn,
                                    sl_props *const *tasks, int n)
{
    if (p == NULL || raw_conn == NULL || tasks == NULL || n <= 0)
        return;
    secrets s = {0};
    secrets_collect(p, raw_conn, false, &s);
    for (int t = 0; t < n && s.n > 0; t++) {
        sl_props *task = tasks[t];
        for (size_t i = 0; i < sl_props_count(task); i++) {
            const char *k = sl_props_key_at(task, i), *v = sl_props_value_at(task, i);
            if (v == NULL)
                continue;
            const secret *hit = NULL;
            for (size_t j = 0; j < s.n && hit == NULL; j++)
                if (strcmp(s.v[j].key, k) == 0 && strcmp(s.v[j].resolved, v) == 0)
                    hit = &s.v[j];
            for (size_t j = 0; j < s.n && hit == NULL; j++)
                if (s.v[j].resolved[0] != '\0' && strcmp(s.v[j].resolved, v) == 0)
                    hit = &s.v[j];
            if (hit != NULL)
                sl_props_set(task, k, hit->raw); /* k stays valid: the entry is kept */
        }
    }
    secrets_free(&s);
}

/* ---- validation ---- */

static json_t *error_entry(const char *name, const char *value, const char *message)
{
    json_t *errs = json_array();
    json_array_append_new(errs, json_string(message));
    json_t *val = json_object();
    json_object_set_new(val, "name", json_string(name));
    json_object_set_new(val, "value", value ? json_string(value) : json_null());
    json_object_set_new(val, "recommended_values", json_array());
    json_object_set_new(val, "errors", errs);
    json_object_set_new(val, "visible", json_true());
    json_t *ci = json_object();
    json_object_set_new(ci, "definition", json_null());
    json_object_set_new(ci, "value", val);
    return ci;
}

/* Show placeholders, not secrets, and add the resolution errors (see the header). */
static void scrub_infos(const config_providers *p, json_t *infos, const sl_props *raw,
                        const sl_props *errors)
{
    json_t *configs = json_object_get(infos, "configs");
    if (!json_is_array(configs))
        return;
    size_t nerr = sl_props_count(errors);
    bool *reported = nerr ? calloc(nerr, sizeof(bool)) : NULL;
    secrets s = {0}; /* read once for every message */
    secrets_for_scrub(p, raw, &s);
    int added = 0;
    size_t i, j;
    json_t *ci, *e;
    json_array_foreach(configs, i, ci)
    {
        json_t *val = json_object_get(ci, "value");
        const char *name = json_string_value(json_object_get(val, "name"));
        if (name == NULL)
            continue;
        const char *rawv = sl_props_get(raw, name);
        json_t *shown = json_object_get(val, "value");
        if (providers_has_variables(p, rawv) && json_is_string(shown) &&
            strcmp(json_string_value(shown), "[hidden]") != 0)
            json_object_set_new(val, "value", json_string(rawv));
        json_t *errs = json_object_get(val, "errors");
        json_array_foreach(errs, j, e)
        {
            char *clean = scrub_with(&s, json_string_value(e));
            if (clean != NULL)
                json_array_set_new(errs, j, json_string(clean));
            free(clean);
        }
        for (size_t k = 0; k < nerr; k++)
            if (reported != NULL && !reported[k] && json_is_array(errs) &&
                strcmp(sl_props_key_at(errors, k), name) == 0) {
                json_array_append_new(errs, json_string(sl_props_value_at(errors, k)));
                reported[k] = true;
                added++;
            }
    }
    for (size_t k = 0; k < nerr; k++)
        if (reported == NULL || !reported[k]) {
            const char *name = sl_props_key_at(errors, k);
            json_array_append_new(
                configs, error_entry(name, sl_props_get(raw, name), sl_props_value_at(errors, k)));
            added++;
        }
    free(reported);
    secrets_free(&s);
    json_object_set_new(infos, "error_count", json_integer(configinfo_error_count(infos) + added));
}

int providers_connector_validate(const sl_props *raw, const char *expected_type,
                                 json_t **configinfos, char *errstr, size_t errstr_size)
{
    *configinfos = NULL;
    const config_providers *p = providers_installed();
    sl_props *errors = NULL;
    sl_props *resolved = providers_resolve_lenient(p, raw, &errors);
    if (resolved == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    char err[2048] = "";
    int rc = connector_validate(resolved, expected_type, configinfos, NULL, err, sizeof(err));
    if (rc != SL_OK) {
        /* e.g. "Connector config {k=v, ...} contains no connector type" lists every value */
        char *clean = providers_scrub(p, raw, err);
        snprintf(errstr, errstr_size, "%s", clean ? clean : "invalid connector configuration");
        free(clean);
    } else {
        scrub_infos(p, *configinfos, raw, errors);
    }
    sl_props_destroy(resolved);
    sl_props_destroy(errors);
    return rc;
}
