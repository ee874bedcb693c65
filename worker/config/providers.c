/* config/providers.c: the worker's set of config providers (config.providers), resolving the
 * variables of values and configs with it, and the process-wide installed set. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/configdef.h"
#include "config/providers_internal.h"

/* ---- the set ---- */

static const provider *find_provider(const config_providers *p, const char *name, size_t len)
{
    for (size_t i = 0; p != NULL && i < p->n; i++)
        if (strlen(p->v[i].name) == len && memcmp(p->v[i].name, name, len) == 0)
            return &p->v[i];
    return NULL;
}

int providers_new(const sl_props *worker_props, config_providers **out, char *errstr,
                  size_t errstr_size)
{
    *out = NULL;
    char **names = NULL;
    size_t n = config_split_list(sl_props_get(worker_props, "config.providers"), &names);
    if (n == 0) {
        config_list_free(names);
        return SL_OK;
    }
    config_providers *p = calloc(1, sizeof(*p));
    if (p == NULL || (p->v = calloc(n, sizeof(provider))) == NULL) {
        free(p);
        config_list_free(names);
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    int rc = SL_OK;
    for (size_t i = 0; i < n && rc == SL_OK; i++) {
        const char *name = names[i];
        if (name[0] == '\0')
            continue;
        if (strpbrk(name, ":}") != NULL) {
            /* ${a:b:key} reads "a" as the provider: such a name could never be used. */
            snprintf(errstr, errstr_size,
                     "config.providers: invalid provider name '%s' (':' and '}' cannot appear "
                     "in a name)",
                     name);
            rc = SL_ERR;
            break;
        }
        if (find_provider(p, name, strlen(name)) != NULL)
            continue; /* listed twice: one instance, as Kafka's map of providers */
        char key[512];
        snprintf(key, sizeof(key), "config.providers.%s.class", name);
        const char *cls = sl_props_get(worker_props, key);
        if (cls == NULL || cls[0] == '\0') {
            /* Kafka silently skips a listed provider without a class; a typo there would
             * leave every placeholder unresolved, so Sluice refuses to start. */
            snprintf(errstr, errstr_size,
                     "%s: missing: provider '%s' is listed in config.providers but has no class",
                     key, name);
            rc = SL_ERR;
            break;
        }
        provider *pv = &p->v[p->n];
        pv->name = strdup(name);
        snprintf(key, sizeof(key), "config.providers.%s.param.", name);
        sl_props *params = config_props_with_prefix(worker_props, key, true);
        if (pv->name == NULL || params == NULL) {
            snprintf(errstr, errstr_size, "out of memory");
            rc = SL_ERR;
        } else {
            char *trimmed = strdup(cls);
            if (trimmed != NULL) {
                /* Class names are trimmed, as Connect's CLASS type does. */
                char *s = trimmed, *e = trimmed + strlen(trimmed);
                while (*s == ' ' || *s == '\t')
                    s++;
                while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
                    *--e = '\0';
                rc = provider_configure(pv, s, params, errstr, errstr_size);
                free(trimmed);
            } else {
                snprintf(errstr, errstr_size, "out of memory");
                rc = SL_ERR;
            }
        }
        sl_props_destroy(params);
        p->n++; /* counted even when it failed, so providers_destroy frees it */
    }
    config_list_free(names);
    if (rc != SL_OK || p->n == 0) {
        providers_destroy(p);
        return rc;
    }
    *out = p;
    return SL_OK;
}

void providers_destroy(config_providers *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->n; i++)
        provider_fini(&p->v[i]);
    free(p->v);
    free(p);
}

size_t providers_count(const config_providers *p)
{
    return p ? p->n : 0;
}

bool providers_has_variables(const config_providers *p, const char *value)
{
    providers_var v;
    for (size_t pos = 0; p != NULL && providers_next_var(value, pos, &v); pos = v.end)
        if (find_provider(p, value + v.provider_off, v.provider_len) != NULL)
            return true;
    return false;
}

/* ---- resolving ---- */

typedef struct sbuf {
    char *s;
    size_t len, cap;
    bool oom;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *ns = realloc(b->s, cap);
        if (ns == NULL) {
            b->oom = true;
            return;
        }
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

/* Resolve `value`; `key` (may be NULL) names the config key in errors. */
static int resolve_one(const config_providers *p, const char *key, const char *value,
                       provider_cache *cache, char **out, char *errstr, size_t errstr_size)
{
    *out = NULL;
    if (value == NULL)
        return SL_OK;
    sbuf b = {0};
    sb_add(&b, "", 0);
    size_t pos = 0;
    providers_var v;
    while (providers_next_var(value, pos, &v)) {
        const provider *pv = find_provider(p, value + v.provider_off, v.provider_len);
        if (pv == NULL) { /* not ours: Connect leaves it as it is */
            sb_add(&b, value + pos, v.end - pos);
            pos = v.end;
            continue;
        }
        char *path = strndup(value + v.path_off, v.path_len);
        char *k = strndup(value + v.key_off, v.key_len);
        char *got = NULL, why[1536] = "out of memory";
        int rc = path && k ? provider_lookup(pv, path, k, cache, &got, why, sizeof(why)) : SL_ERR;
        free(path);
        free(k);
        if (rc != SL_OK) {
            snprintf(errstr, errstr_size, "Cannot resolve %.*s%s%s%s: %s", (int)(v.end - v.start),
                     value + v.start, key ? " in '" : "", key ? key : "", key ? "'" : "", why);
            free(b.s);
            return SL_ERR;
        }
        sb_add(&b, value + pos, v.start - pos);
        sb_add(&b, got, strlen(got));
        free(got);
        pos = v.end;
    }
    sb_add(&b, value + pos, strlen(value + pos));
    if (b.oom) {
        free(b.s);
        snprintf(errstr, errstr_size, "out of memory resolving config provider variables");
        return SL_ERR;
    }
    *out = b.s;
    return SL_OK;
}

int providers_resolve_value(const config_providers *p, const char *value, char **out, char *errstr,
                            size_t errstr_size)
{
    provider_cache cache = {0};
    int rc = resolve_one(p, NULL, value, &cache, out, errstr, errstr_size);
    provider_cache_fini(&cache);
    return rc;
}

/* Shared by the strict and lenient forms: `errors` NULL = stop at the first failure. */
static sl_props *resolve_all(const config_providers *p, const sl_props *raw, sl_props *errors,
                             char *errstr, size_t errstr_size)
{
    sl_props *out = sl_props_new();
    if (out == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    provider_cache cache = {0};
    for (size_t i = 0; i < sl_props_count(raw); i++) {
        const char *k = sl_props_key_at(raw, i), *v = sl_props_value_at(raw, i);
        if (!providers_has_variables(p, v)) {
            sl_props_set(out, k, v);
            continue;
        }
        char *r = NULL;
        char why[2048];
        if (resolve_one(p, k, v, &cache, &r, why, sizeof(why)) != SL_OK) {
            if (errors == NULL) {
                snprintf(errstr, errstr_size, "%s", why);
                sl_props_destroy(out);
                out = NULL;
                break;
            }
            sl_props_set(errors, k, why);
            sl_props_set(out, k, v);
            continue;
        }
        sl_props_set(out, k, r);
        free(r);
    }
    provider_cache_fini(&cache);
    /* sl_props_set drops entries when out of memory: a short copy must not pass as whole. */
    if (out != NULL && sl_props_count(out) != sl_props_count(raw)) {
        snprintf(errstr, errstr_size, "out of memory");
        sl_props_destroy(out);
        out = NULL;
    }
    return out;
}

int providers_resolve(const config_providers *p, const sl_props *raw, sl_props **out, char *errstr,
                      size_t errstr_size)
{
    *out = resolve_all(p, raw, NULL, errstr, errstr_size);
    return *out ? SL_OK : SL_ERR;
}

sl_props *providers_resolve_lenient(const config_providers *p, const sl_props *raw,
                                    sl_props **errors)
{
    char err[256];
    *errors = sl_props_new();
    if (*errors == NULL)
        return NULL;
    sl_props *out = resolve_all(p, raw, *errors, err, sizeof(err));
    if (out == NULL) {
        sl_props_destroy(*errors);
        *errors = NULL;
    }
    return out;
}

/* ---- the installed set ---- */

static _Atomic(const config_providers *) g_installed;

void providers_install(const config_providers *p)
{
    atomic_store(&g_installed, p);
}

const config_providers *providers_installed(void)
{
    return atomic_load(&g_installed);
}
