/* transforms/smt_schema.c: schema copying as Connect's SchemaUtil does, and the per-instance
 * LRU cache of updated schemas that keeps schema building off the per-record path. */
#include <stdlib.h>

#include "smt.h"

/* ==== copying ==== */

void smt_copy_basics(sl_schema *dst, const sl_schema *src)
{
    if (sl_schema_name(src) != NULL)
        sl_schema_set_name(dst, sl_schema_name(src));
    if (sl_schema_version(src) != 0)
        sl_schema_set_version(dst, sl_schema_version(src));
    if (sl_schema_doc(src) != NULL)
        sl_schema_set_doc(dst, sl_schema_doc(src));
    size_t np = sl_schema_parameter_count(src);
    for (size_t i = 0; i < np; i++) {
        const char *k = sl_schema_parameter_key(src, i);
        sl_schema_set_parameter(dst, k, sl_schema_parameter(src, k));
    }
}

sl_schema *smt_struct_like(const sl_schema *src)
{
    sl_schema *s = sl_schema_new_struct(NULL);
    if (s != NULL && src != NULL)
        smt_copy_basics(s, src);
    return s;
}

sl_schema *smt_schema_copy_basics(const sl_schema *src)
{
    sl_schema *s = NULL;
    switch (sl_schema_type(src)) {
    case SL_TYPE_ARRAY:
        s = sl_schema_new_array(sl_schema_ref(sl_schema_value_schema(src)));
        break;
    case SL_TYPE_MAP:
        s = sl_schema_new_map(sl_schema_ref(sl_schema_key_schema(src)),
                              sl_schema_ref(sl_schema_value_schema(src)));
        break;
    case SL_TYPE_STRUCT:
        s = sl_schema_new_struct(NULL);
        for (size_t i = 0; s != NULL && i < sl_schema_field_count(src); i++)
            sl_schema_add_field(s, sl_schema_field_name(src, i),
                                sl_schema_ref(sl_schema_field_schema(src, i)));
        break;
    default:
        s = sl_schema_new(sl_schema_type(src));
        break;
    }
    if (s != NULL)
        smt_copy_basics(s, src);
    return s;
}

sl_schema *smt_schema_clone(const sl_schema *src)
{
    sl_schema *s = smt_schema_copy_basics(src);
    if (s == NULL)
        return NULL;
    sl_schema_set_optional(s, sl_schema_optional(src));
    if (sl_schema_default(src) != NULL)
        sl_schema_set_default(s, sl_value_copy(sl_schema_default(src)));
    return s;
}

sl_schema *smt_primitive(sl_type type, bool optional)
{
    return sl_schema_ref(sl_schema_primitive(type, optional));
}

sl_schema *smt_logical(sl_logical logical, bool optional)
{
    sl_schema *s = sl_schema_new_logical(logical);
    if (s != NULL && optional)
        sl_schema_set_optional(s, true);
    return s;
}

/* ==== the cache ==== */

static void entry_clear(smt_cache *c, smt_cache_entry *e)
{
    sl_schema_unref(e->in);
    sl_schema_unref(e->out);
    if (e->aux != NULL) {
        if (c->free_aux)
            c->free_aux(e->aux);
        else
            free(e->aux);
    }
    e->in = e->out = NULL;
    e->aux = NULL;
}

smt_cache_entry *smt_cache_find(smt_cache *c, const sl_schema *in)
{
    if (in == NULL || c->n == 0)
        return NULL;
    /* pointer identity first: converters cache their schemas, so this is the common case */
    if (c->last < c->n && c->e[c->last].in == in) {
        c->e[c->last].used = ++c->tick;
        return &c->e[c->last];
    }
    for (size_t i = 0; i < c->n; i++)
        if (c->e[i].in == in) {
            c->last = i;
            c->e[i].used = ++c->tick;
            return &c->e[i];
        }
    for (size_t i = 0; i < c->n; i++)
        if (sl_schema_equals(c->e[i].in, in)) {
            c->last = i;
            c->e[i].used = ++c->tick;
            return &c->e[i];
        }
    return NULL;
}

smt_cache_entry *smt_cache_put(smt_cache *c, const sl_schema *in, sl_schema *out, void *aux)
{
    size_t slot;
    if (c->n < SMT_CACHE_SIZE) {
        slot = c->n++;
    } else {
        slot = 0;
        for (size_t i = 1; i < c->n; i++)
            if (c->e[i].used < c->e[slot].used)
                slot = i;
        entry_clear(c, &c->e[slot]);
    }
    smt_cache_entry *e = &c->e[slot];
    e->in = sl_schema_ref(in);
    e->out = out;
    e->aux = aux;
    e->used = ++c->tick;
    c->last = slot;
    return e;
}

void smt_cache_clear(smt_cache *c)
{
    for (size_t i = 0; i < c->n; i++)
        entry_clear(c, &c->e[i]);
    c->n = 0;
    c->last = 0;
}
