/* plugins/datagen/template_gen.c: Connect schemas for compiled datagen templates, JSON
 * options converted to Connect values, and the random generation of values. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template_internal.h"

/* ---- schemas ---- */

static sl_schema *primitive_schema(sl_type type)
{
    return sl_schema_new(type);
}

sl_schema *dg_node_schema(const dg_node *n, bool optional)
{
    sl_schema *s = NULL;
    switch (n->kind) {
    case DG_OPTIONAL:
        return dg_node_schema(n->child, true);
    case DG_BOOLEAN:
        s = primitive_schema(SL_TYPE_BOOLEAN);
        break;
    case DG_INT:
        s = n->logical != SL_LOGICAL_NONE ? sl_schema_new_logical(n->logical)
                                          : primitive_schema(SL_TYPE_INT32);
        break;
    case DG_LONG:
        s = n->logical != SL_LOGICAL_NONE ? sl_schema_new_logical(n->logical)
                                          : primitive_schema(SL_TYPE_INT64);
        break;
    case DG_FLOAT:
        s = primitive_schema(SL_TYPE_FLOAT32);
        break;
    case DG_DOUBLE:
        s = primitive_schema(SL_TYPE_FLOAT64);
        break;
    case DG_BYTES:
        if (n->logical == SL_LOGICAL_DECIMAL) {
            s = sl_schema_new_decimal(n->scale);
            if (s != NULL) {
                /* As Confluent's AvroData keeps the Avro precision. */
                char p[16];
                snprintf(p, sizeof(p), "%d", (int)n->precision);
                sl_schema_set_parameter(s, "connect.decimal.precision", p);
            }
        } else {
            s = primitive_schema(SL_TYPE_BYTES);
        }
        break;
    case DG_FIXED:
        s = primitive_schema(SL_TYPE_BYTES);
        break;
    case DG_STRING:
        s = primitive_schema(SL_TYPE_STRING);
        break;
    case DG_ENUM:
        s = primitive_schema(SL_TYPE_STRING);
        if (s != NULL) {
            /* Confluent's AvroData marks enums this way, so its converters can rebuild them. */
            sl_schema_set_parameter(s, "io.confluent.connect.avro.Enum", n->name);
            for (size_t i = 0; i < n->nsymbols; i++) {
                char key[512];
                snprintf(key, sizeof(key), "io.confluent.connect.avro.Enum.%s", n->symbols[i]);
                sl_schema_set_parameter(s, key, n->symbols[i]);
            }
        }
        break;
    case DG_ARRAY: {
        sl_schema *items = dg_node_schema(n->child, false);
        s = items ? sl_schema_new_array(items) : NULL;
        break;
    }
    case DG_MAP: {
        sl_schema *k = primitive_schema(SL_TYPE_STRING);
        sl_schema *v = k ? dg_node_schema(n->child, false) : NULL;
        if (v == NULL) {
            sl_schema_unref(k);
            return NULL;
        }
        s = sl_schema_new_map(k, v);
        break;
    }
    case DG_RECORD:
        s = sl_schema_new_struct(n->name);
        for (size_t i = 0; s != NULL && i < n->nfields; i++) {
            sl_schema *f = dg_node_schema(n->fields[i], false);
            if (f == NULL || sl_schema_add_field(s, n->field_names[i], f) != SL_OK) {
                sl_schema_unref(s);
                s = NULL;
            }
        }
        break;
    }
    if (s != NULL && optional)
        sl_schema_set_optional(s, true);
    return s;
}

/* ---- options ---- */

static int opt_fail(char *errstr, size_t errstr_size, const char *want, const json_t *j)
{
    char *text = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
    snprintf(errstr, errstr_size, "%.80s is not %s", text ? text : "?", want);
    free(text);
    return SL_ERR;
}

static bool json_int64_exact(const json_t *j, int64_t *out)
{
    if (json_is_integer(j)) {
        *out = json_integer_value(j);
        return true;
    }
    return false;
}

/* Avro's JSON encoding of bytes: each code point U+0000..U+00FF is one byte. */
static int json_bytes(const json_t *j, sl_value **out, int64_t want_len, char *errstr,
                      size_t errstr_size)
{
    const unsigned char *s = (const unsigned char *)json_string_value(j);
    size_t n = json_string_length(j), k = 0;
    unsigned char *buf = malloc(n + 1);
    if (buf == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] < 0x80) {
            buf[k++] = s[i];
        } else if ((s[i] == 0xc2 || s[i] == 0xc3) && i + 1 < n) {
            buf[k++] = (unsigned char)(((s[i] & 0x03) << 6) | (s[i + 1] & 0x3f));
            i++;
        } else {
            free(buf);
            return opt_fail(errstr, errstr_size, "bytes (code points up to U+00FF)", j);
        }
    }
    if (want_len >= 0 && (int64_t)k != want_len) {
        free(buf);
        snprintf(errstr, errstr_size, "a fixed option must have %lld bytes", (long long)want_len);
        return SL_ERR;
    }
    *out = sl_value_new_bytes(buf, k);
    free(buf);
    return *out ? SL_OK : SL_ERR;
}

int dg_option_value(const dg_node *n, const sl_schema *schema, const json_t *j, sl_value **out,
                    char *errstr, size_t errstr_size)
{
    *out = NULL;
    if (n->kind == DG_OPTIONAL) {
        if (json_is_null(j))
            return SL_OK;
        return dg_option_value(n->child, schema, j, out, errstr, errstr_size);
    }
    int64_t i64;
    switch (n->kind) {
    case DG_BOOLEAN:
        if (!json_is_boolean(j))
            return opt_fail(errstr, errstr_size, "a boolean", j);
        *out = sl_value_new_boolean(json_is_true(j));
        break;
    case DG_INT:
        if (!json_int64_exact(j, &i64) || i64 < INT32_MIN || i64 > INT32_MAX)
            return opt_fail(errstr, errstr_size, "an int", j);
        *out = sl_value_new_int32((int32_t)i64);
        break;
    case DG_LONG:
        if (!json_int64_exact(j, &i64))
            return opt_fail(errstr, errstr_size, "a long", j);
        *out = sl_value_new_int64(i64);
        break;
    case DG_FLOAT:
    case DG_DOUBLE:
        if (!json_is_number(j))
            return opt_fail(errstr, errstr_size, "a number", j);
        *out = n->kind == DG_FLOAT ? sl_value_new_float32((float)json_number_value(j))
                                   : sl_value_new_float64(json_number_value(j));
        break;
    case DG_STRING:
        if (!json_is_string(j))
            return opt_fail(errstr, errstr_size, "a string", j);
        *out = sl_value_new_string(json_string_value(j), json_string_length(j));
        break;
    case DG_ENUM: {
        bool found = false;
        for (size_t i = 0; json_is_string(j) && i < n->nsymbols; i++)
            found = found || strcmp(n->symbols[i], json_string_value(j)) == 0;
        if (!found)
            return opt_fail(errstr, errstr_size, "one of the enum's symbols", j);
        *out = sl_value_new_string(json_string_value(j), json_string_length(j));
        break;
    }
    case DG_BYTES:
    case DG_FIXED:
        if (!json_is_string(j) || n->logical == SL_LOGICAL_DECIMAL)
            return opt_fail(errstr, errstr_size, "bytes in a string", j);
        return json_bytes(j, out, n->kind == DG_FIXED ? n->fixed_size : -1, errstr, errstr_size);
    case DG_ARRAY: {
        if (!json_is_array(j))
            return opt_fail(errstr, errstr_size, "an array", j);
        sl_value *arr = sl_value_new_array();
        size_t i;
        json_t *item;
        json_array_foreach(j, i, item)
        {
            sl_value *v;
            if (arr == NULL || dg_option_value(n->child, sl_schema_value_schema(schema), item, &v,
                                               errstr, errstr_size) != SL_OK) {
                sl_value_destroy(arr);
                return SL_ERR;
            }
            sl_value_array_append(arr, v);
        }
        *out = arr;
        break;
    }
    case DG_MAP: {
        if (!json_is_object(j))
            return opt_fail(errstr, errstr_size, "an object (map)", j);
        sl_value *map = sl_value_new_map();
        const char *key;
        json_t *item;
        json_object_foreach((json_t *)j, key, item)
        {
            sl_value *v;
            if (map == NULL || dg_option_value(n->child, sl_schema_value_schema(schema), item, &v,
                                               errstr, errstr_size) != SL_OK) {
                sl_value_destroy(map);
                return SL_ERR;
            }
            sl_value_map_put_str(map, key, v);
        }
        *out = map;
        break;
    }
    case DG_RECORD: {
        if (!json_is_object(j))
            return opt_fail(errstr, errstr_size, "an object (record)", j);
        const char *key;
        json_t *item;
        json_object_foreach((json_t *)j, key, item)
        {
            if (sl_schema_field_index(schema, key) < 0) {
                snprintf(errstr, errstr_size, "the record has no field \"%.100s\"", key);
                return SL_ERR;
            }
        }
        sl_value *st = sl_value_new_struct(schema);
        for (size_t i = 0; st != NULL && i < n->nfields; i++) {
            json_t *fj = json_object_get(j, n->field_names[i]);
            sl_value *v = NULL;
            if (fj == NULL && n->fields[i]->kind != DG_OPTIONAL) {
                snprintf(errstr, errstr_size, "field \"%.100s\" is missing", n->field_names[i]);
                sl_value_destroy(st);
                return SL_ERR;
            }
            if (fj != NULL && dg_option_value(n->fields[i], sl_schema_field_schema(schema, i), fj,
                                              &v, errstr, errstr_size) != SL_OK) {
                sl_value_destroy(st);
                return SL_ERR;
            }
            sl_value_struct_set_index(st, i, v);
        }
        *out = st;
        break;
    }
    case DG_OPTIONAL:
        break;
    }
    if (*out == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    return SL_OK;
}

/* ---- generation ---- */

typedef struct gen_ctx {
    dg_rng rng;
    uint64_t index; /* what "iteration" counts */
    bool oom;
} gen_ctx;

static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/* Uniform in [lo, hi], both inclusive (the whole int64 span included). */
static int64_t range_incl(dg_rng *r, int64_t lo, int64_t hi)
{
    if (hi == INT64_MAX)
        return lo == INT64_MIN ? (int64_t)dg_rng_next(r) : dg_rng_range(r, lo - 1, hi) + 1;
    return dg_rng_range(r, lo, hi + 1);
}

static __int128 ceil_div(__int128 a, __int128 b)
{
    return (a + b - 1) / b; /* a >= 0, b > 0 */
}

static int64_t iter_int(const dg_iteration *it, uint64_t n)
{
    if (!it->has_restart)
        return (int64_t)((uint64_t)it->iinitial + (uint64_t)it->istep * n);
    __int128 step = it->istep, first, period;
    if (step > 0) {
        first = ceil_div((__int128)it->irestart - it->iinitial, step);
        period = ceil_div((__int128)it->irestart - it->istart, step);
    } else {
        first = ceil_div((__int128)it->iinitial - it->irestart, -step);
        period = ceil_div((__int128)it->istart - it->irestart, -step);
    }
    if ((__int128)n < first)
        return (int64_t)(it->iinitial + step * (__int128)n);
    return (int64_t)(it->istart + step * (((__int128)n - first) % period));
}

static double iter_double(const dg_iteration *it, uint64_t n)
{
    if (!it->has_restart)
        return it->dinitial + it->dstep * (double)n;
    double first = ceil((it->drestart - it->dinitial) / it->dstep);
    double period = ceil((it->drestart - it->dstart) / it->dstep);
    if ((double)n < first)
        return it->dinitial + it->dstep * (double)n;
    return it->dstart + it->dstep * fmod((double)n - first, period);
}

static int64_t gen_length(const dg_node *n, gen_ctx *g)
{
    return dg_rng_range(&g->rng, n->len_min, n->len_max);
}

static sl_value *gen_string(const dg_node *n, gen_ctx *g)
{
    char *body;
    size_t blen;
    if (n->regex != NULL) {
        body = dg_regex_generate(n->regex, &g->rng, &blen);
    } else {
        blen = (size_t)gen_length(n, g);
        body = malloc(blen + 1);
        for (size_t i = 0; body != NULL && i < blen; i++)
            body[i] = alnum[dg_rng_below(&g->rng, sizeof(alnum) - 1)];
    }
    if (body == NULL) {
        g->oom = true;
        return NULL;
    }
    sl_value *v;
    if (n->prefix == NULL && n->suffix == NULL) {
        v = sl_value_new_string(body, blen);
    } else {
        size_t pl = n->prefix ? strlen(n->prefix) : 0, sl = n->suffix ? strlen(n->suffix) : 0;
        char *all = malloc(pl + blen + sl + 1);
        v = NULL;
        if (all != NULL) {
            memcpy(all, n->prefix ? n->prefix : "", pl);
            memcpy(all + pl, body, blen);
            memcpy(all + pl + blen, n->suffix ? n->suffix : "", sl);
            v = sl_value_new_string(all, pl + blen + sl);
            free(all);
        }
    }
    free(body);
    g->oom = g->oom || v == NULL;
    return v;
}

static sl_value *gen_bytes(gen_ctx *g, int64_t len)
{
    unsigned char *buf = malloc((size_t)len + 1);
    if (buf == NULL) {
        g->oom = true;
        return NULL;
    }
    for (int64_t i = 0; i < len; i++)
        buf[i] = (unsigned char)dg_rng_next(&g->rng);
    sl_value *v = sl_value_new_bytes(buf, (size_t)len);
    free(buf);
    g->oom = g->oom || v == NULL;
    return v;
}

static sl_value *gen(const dg_node *n, const sl_schema *schema, gen_ctx *g);

static sl_value *gen_number(const dg_node *n, gen_ctx *g)
{
    switch (n->kind) {
    case DG_BOOLEAN: {
        bool b;
        if (n->has_iteration)
            b = n->iter.bstart ^ (g->index & 1);
        else if (n->has_odds)
            b = dg_rng_double(&g->rng) < n->odds;
        else
            b = dg_rng_next(&g->rng) & 1;
        return sl_value_new_boolean(b);
    }
    case DG_INT:
    case DG_LONG: {
        int64_t v =
            n->has_iteration ? iter_int(&n->iter, g->index) : range_incl(&g->rng, n->imin, n->imax);
        return n->kind == DG_INT ? sl_value_new_int32((int32_t)v) : sl_value_new_int64(v);
    }
    default: {
        double d;
        if (n->has_iteration) {
            d = iter_double(&n->iter, g->index);
        } else {
            d = n->dmin + dg_rng_double(&g->rng) * (n->dmax - n->dmin);
            if (d >= n->dmax) /* rounding can reach the exclusive bound */
                d = nextafter(n->dmax, n->dmin);
        }
        return n->kind == DG_FLOAT ? sl_value_new_float32((float)d) : sl_value_new_float64(d);
    }
    }
}

static sl_value *gen(const dg_node *n, const sl_schema *schema, gen_ctx *g)
{
    if (g->oom)
        return NULL;
    if (n->kind == DG_OPTIONAL) {
        /* Arg picks a union branch uniformly: null half of the time. */
        if (dg_rng_next(&g->rng) & 1)
            return NULL;
        return gen(n->child, schema, g);
    }
    sl_value *v = NULL;
    if (n->options != NULL) {
        json_t *o = json_array_get(n->options, dg_rng_below(&g->rng, json_array_size(n->options)));
        char err[128];
        if (dg_option_value(n, schema, o, &v, err, sizeof(err)) != SL_OK)
            g->oom = true; /* options were checked at compile time: only memory can fail */
        return v;
    }
    switch (n->kind) {
    case DG_BOOLEAN:
    case DG_INT:
    case DG_LONG:
    case DG_FLOAT:
    case DG_DOUBLE:
        v = gen_number(n, g);
        break;
    case DG_STRING:
        return gen_string(n, g);
    case DG_BYTES:
        if (n->logical == SL_LOGICAL_DECIMAL) {
            int64_t lim = 1;
            for (int32_t i = 0; i < n->precision; i++)
                lim *= 10;
            v = sl_value_new_decimal_i64(range_incl(&g->rng, -(lim - 1), lim - 1));
            break;
        }
        return gen_bytes(g, gen_length(n, g));
    case DG_FIXED:
        return gen_bytes(g, n->fixed_size);
    case DG_ENUM: {
        const char *s = n->symbols[dg_rng_below(&g->rng, n->nsymbols)];
        v = sl_value_new_string(s, strlen(s));
        break;
    }
    case DG_ARRAY: {
        v = sl_value_new_array();
        int64_t len = gen_length(n, g);
        const sl_schema *items = sl_schema_value_schema(schema);
        for (int64_t i = 0; v != NULL && i < len && !g->oom; i++)
            sl_value_array_append(v, gen(n->child, items, g));
        break;
    }
    case DG_MAP: {
        v = sl_value_new_map();
        int64_t len = gen_length(n, g);
        const sl_schema *values = sl_schema_value_schema(schema);
        dg_node keydef = {
            .kind = DG_STRING, .len_min = DG_DEFAULT_LEN_MIN, .len_max = DG_DEFAULT_LEN_MAX};
        const dg_node *keys = n->keys ? n->keys : &keydef;
        for (int64_t i = 0; v != NULL && i < len && !g->oom; i++) {
            sl_value *k = gen(keys, NULL, g);
            sl_value *item = gen(n->child, values, g);
            if (k == NULL) { /* oom */
                sl_value_destroy(item);
                break;
            }
            sl_value_map_put(v, k, item);
        }
        break;
    }
    case DG_RECORD:
        v = sl_value_new_struct(schema);
        for (size_t i = 0; v != NULL && i < n->nfields && !g->oom; i++)
            sl_value_struct_set_index(v, i,
                                      gen(n->fields[i], sl_schema_field_schema(schema, i), g));
        break;
    case DG_OPTIONAL:
        break;
    }
    if (v == NULL)
        g->oom = true;
    return v;
}

sl_value *dg_template_generate(const dg_template *t, uint64_t seed, uint64_t index)
{
    gen_ctx g = {.rng = dg_rng_seed(seed, index, 0), .index = index};
    sl_value *v = gen(t->root, t->schema, &g);
    if (g.oom) {
        sl_value_destroy(v);
        return NULL;
    }
    return v;
}
