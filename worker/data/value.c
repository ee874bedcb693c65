/* data/value.c: the tagged-union value model (Connect's primitive values, List, Map, Struct):
 * constructors, container mutation, accessors, deep copy, equality and destruction. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data/value_layout.h"

/* ---- constructors ---- */

static sl_value *value_alloc(sl_type type, size_t extra)
{
    sl_value *v = malloc(sizeof(*v) + extra);
    if (v == NULL)
        return NULL;
    memset(v, 0, sizeof(*v));
    v->type = type;
    return v;
}

static sl_value *value_new_int(sl_type type, int64_t i)
{
    sl_value *v = value_alloc(type, 0);
    if (v)
        v->u.i = i;
    return v;
}

sl_value *sl_value_new_int8(int8_t v) { return value_new_int(SL_TYPE_INT8, v); }
sl_value *sl_value_new_int16(int16_t v) { return value_new_int(SL_TYPE_INT16, v); }
sl_value *sl_value_new_int32(int32_t v) { return value_new_int(SL_TYPE_INT32, v); }
sl_value *sl_value_new_int64(int64_t v) { return value_new_int(SL_TYPE_INT64, v); }

sl_value *sl_value_new_float32(float f)
{
    sl_value *v = value_alloc(SL_TYPE_FLOAT32, 0);
    if (v)
        v->u.f32 = f;
    return v;
}

sl_value *sl_value_new_float64(double d)
{
    sl_value *v = value_alloc(SL_TYPE_FLOAT64, 0);
    if (v)
        v->u.f64 = d;
    return v;
}

sl_value *sl_value_new_boolean(bool b)
{
    sl_value *v = value_alloc(SL_TYPE_BOOLEAN, 0);
    if (v)
        v->u.b = b;
    return v;
}

/* One allocation: the content lives right after the struct, NUL-terminated (also for BYTES,
 * so that text-like bytes can be printed safely). */
static sl_value *value_new_buf(sl_type type, const void *data, size_t len)
{
    if (data == NULL && len != 0)
        return NULL;
    if (len > SIZE_MAX - sizeof(sl_value) - 1)
        return NULL;
    sl_value *v = value_alloc(type, len + 1);
    if (v == NULL)
        return NULL;
    v->u.buf.data = (char *)(v + 1);
    if (len)
        memcpy(v->u.buf.data, data, len);
    v->u.buf.data[len] = '\0';
    v->u.buf.len = len;
    return v;
}

sl_value *sl_value_new_string(const char *s, size_t len)
{
    return value_new_buf(SL_TYPE_STRING, s, len);
}

sl_value *sl_value_new_bytes(const void *data, size_t len)
{
    return value_new_buf(SL_TYPE_BYTES, data, len);
}

sl_value *value_new_bytes_nocopy(const void *data, size_t len, void (*free_fn)(void *opaque),
                                 void *opaque)
{
    if (data == NULL && len != 0)
        return NULL;
    sl_value *v = value_alloc(SL_TYPE_BYTES, 0);
    if (v == NULL)
        return NULL;
    v->flags = VALUE_F_EXTERNAL;
    v->u.buf.data = (char *)data;
    v->u.buf.len = len;
    v->u.buf.free_fn = free_fn;
    v->u.buf.opaque = opaque;
    return v;
}

/* BigInteger.toByteArray(): the shortest two's-complement big-endian form, so that Java reads
 * back the same unscaled value. */
sl_value *sl_value_new_decimal_i64(int64_t unscaled)
{
    uint8_t buf[8];
    uint64_t u = (uint64_t)unscaled;
    for (int i = 7; i >= 0; i--, u >>= 8)
        buf[i] = (uint8_t)(u & 0xff);
    size_t start = 0;
    /* Drop a leading byte while it only repeats the sign of the next one. */
    while (start < 7 && ((buf[start] == 0x00 && !(buf[start + 1] & 0x80)) ||
                         (buf[start] == 0xff && (buf[start + 1] & 0x80))))
        start++;
    return sl_value_new_bytes(buf + start, 8 - start);
}

sl_value *sl_value_new_array(void) { return value_alloc(SL_TYPE_ARRAY, 0); }
sl_value *sl_value_new_map(void) { return value_alloc(SL_TYPE_MAP, 0); }

sl_value *sl_value_new_struct(const sl_schema *schema)
{
    if (schema == NULL || schema->type != SL_TYPE_STRUCT)
        return NULL;
    size_t n = schema->nfields;
    sl_value *v = value_alloc(SL_TYPE_STRUCT, n * sizeof(sl_value *));
    if (v == NULL)
        return NULL;
    v->u.st.schema = sl_schema_ref(schema);
    v->u.st.n = n;
    v->u.st.fields = (sl_value **)(v + 1);
    memset(v->u.st.fields, 0, n * sizeof(sl_value *));
    return v;
}

/* ---- container mutation ---- */

static int grow(void **items, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return SL_OK;
    size_t ncap = *cap ? *cap : 4;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2 / elem)
            return SL_ERR;
        ncap *= 2;
    }
    void *n = realloc(*items, ncap * elem);
    if (n == NULL)
        return SL_ERR;
    *items = n;
    *cap = ncap;
    return SL_OK;
}

int value_reserve(sl_value *c, size_t n)
{
    if (c == NULL)
        return SL_ERR;
    if (c->type == SL_TYPE_ARRAY)
        return grow((void **)&c->u.arr.items, &c->u.arr.cap, c->u.arr.len + n,
                    sizeof(sl_value *));
    if (c->type == SL_TYPE_MAP)
        return grow((void **)&c->u.map.entries, &c->u.map.cap, c->u.map.len + n,
                    sizeof(value_entry));
    return SL_ERR;
}

int sl_value_array_append(sl_value *array, sl_value *item)
{
    if (array == NULL || array->type != SL_TYPE_ARRAY || value_reserve(array, 1) != SL_OK) {
        sl_value_destroy(item);
        return SL_ERR;
    }
    array->u.arr.items[array->u.arr.len++] = item;
    return SL_OK;
}

int value_map_append(sl_value *map, sl_value *key, sl_value *item)
{
    if (map == NULL || map->type != SL_TYPE_MAP || value_reserve(map, 1) != SL_OK) {
        sl_value_destroy(key);
        sl_value_destroy(item);
        return SL_ERR;
    }
    map->u.map.entries[map->u.map.len].key = key;
    map->u.map.entries[map->u.map.len].value = item;
    map->u.map.len++;
    return SL_OK;
}

int sl_value_map_put(sl_value *map, sl_value *key, sl_value *item)
{
    if (map == NULL || map->type != SL_TYPE_MAP) {
        sl_value_destroy(key);
        sl_value_destroy(item);
        return SL_ERR;
    }
    /* An equal key keeps its position, as in Java's LinkedHashMap. */
    for (size_t i = 0; i < map->u.map.len; i++) {
        value_entry *e = &map->u.map.entries[i];
        if (sl_value_equals(e->key, key)) {
            sl_value_destroy(key);
            sl_value_destroy(e->value);
            e->value = item;
            return SL_OK;
        }
    }
    return value_map_append(map, key, item);
}

int sl_value_map_put_str(sl_value *map, const char *key, sl_value *item)
{
    sl_value *k = key ? sl_value_new_string(key, strlen(key)) : NULL;
    if (k == NULL) {
        sl_value_destroy(item);
        return SL_ERR;
    }
    return sl_value_map_put(map, k, item);
}

int sl_value_struct_set_index(sl_value *st, size_t index, sl_value *item)
{
    if (st == NULL || st->type != SL_TYPE_STRUCT || index >= st->u.st.n) {
        sl_value_destroy(item);
        return SL_ERR;
    }
    if (st->u.st.fields[index] != item)
        sl_value_destroy(st->u.st.fields[index]);
    st->u.st.fields[index] = item;
    return SL_OK;
}

int sl_value_struct_set(sl_value *st, const char *field, sl_value *item)
{
    int idx = st && st->type == SL_TYPE_STRUCT ? sl_schema_field_index(st->u.st.schema, field) : -1;
    if (idx < 0) {
        sl_value_destroy(item);
        return SL_ERR;
    }
    return sl_value_struct_set_index(st, (size_t)idx, item);
}

/* ---- accessors ---- */

sl_type sl_value_type(const sl_value *v) { return v ? v->type : (sl_type)-1; }

int sl_value_get_int(const sl_value *v, int64_t *out)
{
    if (v == NULL || v->type > SL_TYPE_INT64)
        return SL_ERR;
    if (out)
        *out = v->u.i;
    return SL_OK;
}

int sl_value_get_double(const sl_value *v, double *out)
{
    if (v == NULL)
        return SL_ERR;
    double d;
    if (v->type <= SL_TYPE_INT64)
        d = (double)v->u.i;
    else if (v->type == SL_TYPE_FLOAT32)
        d = v->u.f32;
    else if (v->type == SL_TYPE_FLOAT64)
        d = v->u.f64;
    else
        return SL_ERR;
    if (out)
        *out = d;
    return SL_OK;
}

bool sl_value_get_bool(const sl_value *v) { return v && v->type == SL_TYPE_BOOLEAN && v->u.b; }

const char *sl_value_get_string(const sl_value *v, size_t *len)
{
    if (v == NULL || v->type != SL_TYPE_STRING)
        return NULL;
    if (len)
        *len = v->u.buf.len;
    return v->u.buf.data;
}

const void *sl_value_get_bytes(const sl_value *v, size_t *len)
{
    if (v == NULL || v->type != SL_TYPE_BYTES)
        return NULL;
    if (len)
        *len = v->u.buf.len;
    /* Zero-length nocopy bytes may carry a NULL pointer; callers test NULL for "not bytes". */
    return v->u.buf.data ? (const void *)v->u.buf.data : (const void *)"";
}

size_t sl_value_array_len(const sl_value *v)
{
    return v && v->type == SL_TYPE_ARRAY ? v->u.arr.len : 0;
}

const sl_value *sl_value_array_get(const sl_value *v, size_t i)
{
    return v && v->type == SL_TYPE_ARRAY && i < v->u.arr.len ? v->u.arr.items[i] : NULL;
}

size_t sl_value_map_len(const sl_value *v)
{
    return v && v->type == SL_TYPE_MAP ? v->u.map.len : 0;
}

const sl_value *sl_value_map_key_at(const sl_value *v, size_t i)
{
    return v && v->type == SL_TYPE_MAP && i < v->u.map.len ? v->u.map.entries[i].key : NULL;
}

const sl_value *sl_value_map_value_at(const sl_value *v, size_t i)
{
    return v && v->type == SL_TYPE_MAP && i < v->u.map.len ? v->u.map.entries[i].value : NULL;
}

const sl_value *sl_value_map_get_str(const sl_value *v, const char *key)
{
    if (v == NULL || v->type != SL_TYPE_MAP || key == NULL)
        return NULL;
    size_t klen = strlen(key);
    for (size_t i = 0; i < v->u.map.len; i++) {
        const sl_value *k = v->u.map.entries[i].key;
        if (k && k->type == SL_TYPE_STRING && k->u.buf.len == klen &&
            memcmp(k->u.buf.data, key, klen) == 0)
            return v->u.map.entries[i].value;
    }
    return NULL;
}

const sl_schema *sl_value_struct_schema(const sl_value *v)
{
    return v && v->type == SL_TYPE_STRUCT ? v->u.st.schema : NULL;
}

const sl_value *sl_value_struct_get_index(const sl_value *v, size_t i)
{
    return v && v->type == SL_TYPE_STRUCT && i < v->u.st.n ? v->u.st.fields[i] : NULL;
}

const sl_value *sl_value_struct_get(const sl_value *v, const char *field)
{
    if (v == NULL || v->type != SL_TYPE_STRUCT)
        return NULL;
    int idx = sl_schema_field_index(v->u.st.schema, field);
    return idx < 0 ? NULL : sl_value_struct_get_index(v, (size_t)idx);
}

sl_value *sl_value_struct_take_index(sl_value *v, size_t i)
{
    if (v == NULL || v->type != SL_TYPE_STRUCT || i >= v->u.st.n)
        return NULL;
    sl_value *out = v->u.st.fields[i];
    v->u.st.fields[i] = NULL;
    return out;
}

sl_value *sl_value_map_take_value_at(sl_value *v, size_t i)
{
    if (v == NULL || v->type != SL_TYPE_MAP || i >= v->u.map.len)
        return NULL;
    sl_value *out = v->u.map.entries[i].value;
    v->u.map.entries[i].value = NULL;
    return out;
}

int sl_value_remove_at(sl_value *v, size_t i)
{
    if (v && v->type == SL_TYPE_ARRAY && i < v->u.arr.len) {
        sl_value_destroy(v->u.arr.items[i]);
        memmove(&v->u.arr.items[i], &v->u.arr.items[i + 1],
                (v->u.arr.len - i - 1) * sizeof(sl_value *));
        v->u.arr.len--;
        return SL_OK;
    }
    if (v && v->type == SL_TYPE_MAP && i < v->u.map.len) {
        sl_value_destroy(v->u.map.entries[i].key);
        sl_value_destroy(v->u.map.entries[i].value);
        memmove(&v->u.map.entries[i], &v->u.map.entries[i + 1],
                (v->u.map.len - i - 1) * sizeof(value_entry));
        v->u.map.len--;
        return SL_OK;
    }
    return SL_ERR;
}

/* ---- whole-value operations ---- */

void sl_value_destroy(sl_value *v)
{
    if (v == NULL)
        return;
    switch (v->type) {
    case SL_TYPE_STRING:
    case SL_TYPE_BYTES:
        if ((v->flags & VALUE_F_EXTERNAL) && v->u.buf.free_fn)
            v->u.buf.free_fn(v->u.buf.opaque);
        break;
    case SL_TYPE_ARRAY:
        for (size_t i = 0; i < v->u.arr.len; i++)
            sl_value_destroy(v->u.arr.items[i]);
        free(v->u.arr.items);
        break;
    case SL_TYPE_MAP:
        for (size_t i = 0; i < v->u.map.len; i++) {
            sl_value_destroy(v->u.map.entries[i].key);
            sl_value_destroy(v->u.map.entries[i].value);
        }
        free(v->u.map.entries);
        break;
    case SL_TYPE_STRUCT:
        for (size_t i = 0; i < v->u.st.n; i++)
            sl_value_destroy(v->u.st.fields[i]);
        sl_schema_unref(v->u.st.schema);
        break;
    default:
        break;
    }
    free(v);
}

sl_value *sl_value_copy(const sl_value *v)
{
    if (v == NULL)
        return NULL;
    sl_value *c = NULL;
    switch (v->type) {
    case SL_TYPE_STRING:
    case SL_TYPE_BYTES:
        return value_new_buf(v->type, v->u.buf.len ? v->u.buf.data : "", v->u.buf.len);
    case SL_TYPE_ARRAY:
        c = sl_value_new_array();
        if (c == NULL || value_reserve(c, v->u.arr.len) != SL_OK)
            goto fail;
        for (size_t i = 0; i < v->u.arr.len; i++) {
            sl_value *item = sl_value_copy(v->u.arr.items[i]);
            if (item == NULL && v->u.arr.items[i] != NULL)
                goto fail;
            c->u.arr.items[c->u.arr.len++] = item;
        }
        return c;
    case SL_TYPE_MAP:
        c = sl_value_new_map();
        if (c == NULL || value_reserve(c, v->u.map.len) != SL_OK)
            goto fail;
        for (size_t i = 0; i < v->u.map.len; i++) {
            const value_entry *e = &v->u.map.entries[i];
            sl_value *k = sl_value_copy(e->key), *val = sl_value_copy(e->value);
            c->u.map.entries[c->u.map.len].key = k;
            c->u.map.entries[c->u.map.len].value = val;
            c->u.map.len++;
            if ((k == NULL && e->key != NULL) || (val == NULL && e->value != NULL))
                goto fail;
        }
        return c;
    case SL_TYPE_STRUCT:
        c = sl_value_new_struct(v->u.st.schema);
        if (c == NULL)
            return NULL;
        for (size_t i = 0; i < v->u.st.n && i < c->u.st.n; i++) {
            c->u.st.fields[i] = sl_value_copy(v->u.st.fields[i]);
            if (c->u.st.fields[i] == NULL && v->u.st.fields[i] != NULL)
                goto fail;
        }
        return c;
    default:
        c = value_alloc(v->type, 0);
        if (c)
            c->u = v->u;
        return c;
    }
fail:
    sl_value_destroy(c);
    return NULL;
}

/* Java's Double.equals / Float.equals: NaN equals NaN, 0.0 differs from -0.0. */
static bool f64_eq(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return memcmp(&a, &b, sizeof(a)) == 0;
}

static bool f32_eq(float a, float b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return memcmp(&a, &b, sizeof(a)) == 0;
}

/* Deep equality as Objects.deepEquals: types must match exactly (an INT32 1 is not an INT64
 * 1), maps compare as maps (order-insensitive), structs by schema and field values. */
bool sl_value_equals(const sl_value *a, const sl_value *b)
{
    if (a == b)
        return true;
    if (a == NULL || b == NULL || a->type != b->type)
        return false;
    switch (a->type) {
    case SL_TYPE_FLOAT32:
        return f32_eq(a->u.f32, b->u.f32);
    case SL_TYPE_FLOAT64:
        return f64_eq(a->u.f64, b->u.f64);
    case SL_TYPE_BOOLEAN:
        return a->u.b == b->u.b;
    case SL_TYPE_STRING:
    case SL_TYPE_BYTES:
        return a->u.buf.len == b->u.buf.len &&
               (a->u.buf.len == 0 || memcmp(a->u.buf.data, b->u.buf.data, a->u.buf.len) == 0);
    case SL_TYPE_ARRAY:
        if (a->u.arr.len != b->u.arr.len)
            return false;
        for (size_t i = 0; i < a->u.arr.len; i++)
            if (!sl_value_equals(a->u.arr.items[i], b->u.arr.items[i]))
                return false;
        return true;
    case SL_TYPE_MAP:
        if (a->u.map.len != b->u.map.len)
            return false;
        for (size_t i = 0; i < a->u.map.len; i++) {
            const value_entry *ea = &a->u.map.entries[i];
            /* Fast path: same position (maps built the same way). */
            const value_entry *eb = &b->u.map.entries[i];
            if (!sl_value_equals(ea->key, eb->key)) {
                eb = NULL;
                for (size_t j = 0; j < b->u.map.len; j++)
                    if (sl_value_equals(ea->key, b->u.map.entries[j].key)) {
                        eb = &b->u.map.entries[j];
                        break;
                    }
                if (eb == NULL)
                    return false;
            }
            if (!sl_value_equals(ea->value, eb->value))
                return false;
        }
        return true;
    case SL_TYPE_STRUCT:
        if (a->u.st.n != b->u.st.n || !sl_schema_equals(a->u.st.schema, b->u.st.schema))
            return false;
        for (size_t i = 0; i < a->u.st.n; i++)
            if (!sl_value_equals(a->u.st.fields[i], b->u.st.fields[i]))
                return false;
        return true;
    default:
        return a->u.i == b->u.i;
    }
}
