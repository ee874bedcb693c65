/* config/config_getters.c: typed reads of a parsed sl_config (the sl_config_* getters of
 * SL_CONFIG_API), freeing configs, and prefix extraction of raw properties. */
#include "config/config_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/log.h"

/* Bit per sl_config_type, for the types a getter accepts. */
#define T(x) (1u << (x))

/* Find `name` and check its type. Reading an undefined key or the wrong type is a plugin bug:
 * log it (once per call) and let the caller return its zero value. */
static const config_val *lookup(const sl_config *c, const char *name, unsigned types,
                                const char *getter, const config_key **kout)
{
    if (c == NULL || name == NULL)
        return NULL;
    ssize_t i = config_schema_index(c->schema, name);
    if (i < 0) {
        LOG_ERROR("config", "%s: no configuration \"%s\" is defined", getter, name);
        return NULL;
    }
    const config_key *k = &c->schema->keys[i];
    if (!(types & T(k->def->type))) {
        LOG_ERROR("config", "%s: configuration \"%s\" is of type %s", getter, name,
                  config_type_name(k->def->type));
        return NULL;
    }
    if (kout)
        *kout = k;
    return &c->vals[i];
}

const char *sl_config_string(const sl_config *c, const char *name)
{
    const config_val *v =
        lookup(c, name, T(SL_CFG_STRING) | T(SL_CFG_CLASS) | T(SL_CFG_LIST), __func__, NULL);
    return (v && !v->null) ? v->s : NULL;
}

int32_t sl_config_int(const sl_config *c, const char *name)
{
    const config_val *v = lookup(c, name, T(SL_CFG_INT) | T(SL_CFG_SHORT), __func__, NULL);
    return (v && !v->null) ? (int32_t)v->l : 0;
}

int16_t config_short(const sl_config *c, const char *name)
{
    const config_val *v = lookup(c, name, T(SL_CFG_SHORT), __func__, NULL);
    return (v && !v->null) ? (int16_t)v->l : 0;
}

int64_t sl_config_long(const sl_config *c, const char *name)
{
    const config_val *v =
        lookup(c, name, T(SL_CFG_INT) | T(SL_CFG_SHORT) | T(SL_CFG_LONG), __func__, NULL);
    return (v && !v->null) ? v->l : 0;
}

double sl_config_double(const sl_config *c, const char *name)
{
    const config_key *k = NULL;
    const config_val *v = lookup(c, name,
                                 T(SL_CFG_DOUBLE) | T(SL_CFG_INT) | T(SL_CFG_SHORT) |
                                     T(SL_CFG_LONG),
                                 __func__, &k);
    if (v == NULL || v->null)
        return 0;
    return k->def->type == SL_CFG_DOUBLE ? v->d : (double)v->l;
}

bool sl_config_bool(const sl_config *c, const char *name)
{
    const config_val *v = lookup(c, name, T(SL_CFG_BOOLEAN), __func__, NULL);
    return v && !v->null && v->b;
}

size_t sl_config_list(const sl_config *c, const char *name, const char *const **items)
{
    static const char *const empty[] = {NULL};
    const config_val *v = lookup(c, name, T(SL_CFG_LIST), __func__, NULL);
    if (v == NULL || v->null || v->items == NULL) {
        if (items)
            *items = empty;
        return 0;
    }
    if (items)
        *items = (const char *const *)v->items;
    return v->nitems;
}

const char *sl_config_password(const sl_config *c, const char *name)
{
    const config_val *v = lookup(c, name, T(SL_CFG_PASSWORD), __func__, NULL);
    return (v && !v->null) ? v->s : NULL;
}

bool sl_config_is_set(const sl_config *c, const char *name)
{
    if (c == NULL || name == NULL)
        return false;
    ssize_t i = config_schema_index(c->schema, name);
    if (i < 0) /* a key no definition knows is "set" when it was given */
        return sl_props_has(c->originals, name);
    return c->vals[i].set;
}

bool config_is_null(const sl_config *c, const char *name)
{
    if (c == NULL || name == NULL)
        return true;
    ssize_t i = config_schema_index(c->schema, name);
    return i < 0 || c->vals[i].null;
}

const sl_props *sl_config_originals(const sl_config *c)
{
    return c ? c->originals : NULL;
}

const config_schema *config_schema_of(const sl_config *c)
{
    return c ? c->schema : NULL;
}

void config_free(sl_config *c)
{
    if (c == NULL)
        return;
    if (c->vals != NULL)
        for (size_t i = 0; i < c->schema->count; i++)
            config_val_clear(&c->vals[i]);
    free(c->vals);
    sl_props_destroy(c->originals);
    config_schema_free(c->schema);
    free(c);
}

sl_props *config_props_with_prefix(const sl_props *p, const char *prefix, bool strip)
{
    sl_props *out = sl_props_new();
    if (out == NULL || p == NULL || prefix == NULL)
        return out;
    size_t plen = strlen(prefix);
    for (size_t i = 0; i < sl_props_count(p); i++) {
        const char *k = sl_props_key_at(p, i);
        if (strncmp(k, prefix, plen) == 0)
            sl_props_set(out, strip ? k + plen : k, sl_props_value_at(p, i));
    }
    return out;
}
