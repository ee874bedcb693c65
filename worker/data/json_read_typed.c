/* data/json_read_typed.c: JSON to Connect values under a schema, as JsonConverter's
 * convertToConnect does (null -> default / null / error, logical types, maps as objects or
 * [key, value] pairs), but refusing type mismatches that Jackson would silently coerce. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "data/json_internal.h"

int jsonc_data_err(jsonc_reader *r, const char *fmt, ...)
{
    jsonc_err *e = &r->err;
    if (e->kind != JSONC_ERR_NONE)
        return SL_ERR;
    e->kind = JSONC_ERR_DATA;
    e->offset = (size_t)(r->p - r->base);
    e->path[0] = '\0';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    return SL_ERR;
}

/* The value a JSON null (or a missing struct field) stands for under `s`: the schema's default
 * (a copy) when replace.null.with.default is on, else null if the schema is optional. */
static int null_for(jsonc_reader *r, const sl_schema *s, sl_value **out)
{
    const sl_value *def = sl_schema_default(s);
    *out = NULL;
    if (def != NULL && r->opts.replace_null_with_default) {
        *out = sl_value_copy(def);
        return *out ? SL_OK : jsonc_nomem(r);
    }
    if (sl_schema_optional(s))
        return SL_OK;
    return jsonc_data_err(r, "Invalid null value for required %s field",
                    value_type_name(sl_schema_type(s)));
}

static int mismatch(jsonc_reader *r, const sl_schema *s, const char *want)
{
    return jsonc_data_err(r, "Invalid value for %s: expected %s but found %s",
                    value_type_name(sl_schema_type(s)), want, jsonc_peek_type(r));
}

/* An integer of schema type `t`. Integral literals must be in range; a number with a zero
 * fraction ("3.0") is accepted. Connect (Jackson's intValue()) would truncate or wrap instead
 * of failing: refusing is safer than writing a different number. */
static int read_int(jsonc_reader *r, const sl_schema *s, sl_type t, sl_value **out)
{
    if (r->p >= r->end || !(*r->p == '-' || (*r->p >= '0' && *r->p <= '9')))
        return mismatch(r, s, "a JSON number");
    const unsigned char *at = r->p;
    jsonc_num n;
    if (jsonc_read_number(r, &n) != SL_OK)
        return SL_ERR;
    int64_t v;
    if (n.fits) {
        v = n.i;
    } else {
        double d = jsonc_num_double(&n);
        if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || d != floor(d)) {
            r->p = at;
            return jsonc_data_err(r, "Invalid value %.*s for %s: not an integer in range",
                            (int)(n.len > 40 ? 40 : n.len), n.text, value_type_name(t));
        }
        v = (int64_t)d;
    }
    int64_t lo = t == SL_TYPE_INT8 ? INT8_MIN : t == SL_TYPE_INT16 ? INT16_MIN
               : t == SL_TYPE_INT32 ? INT32_MIN : INT64_MIN;
    int64_t hi = t == SL_TYPE_INT8 ? INT8_MAX : t == SL_TYPE_INT16 ? INT16_MAX
               : t == SL_TYPE_INT32 ? INT32_MAX : INT64_MAX;
    if (v < lo || v > hi) {
        r->p = at;
        return jsonc_data_err(r, "Invalid value %.*s for %s: out of range",
                        (int)(n.len > 40 ? 40 : n.len), n.text, value_type_name(t));
    }
    switch (t) {
    case SL_TYPE_INT8:
        *out = sl_value_new_int8((int8_t)v);
        break;
    case SL_TYPE_INT16:
        *out = sl_value_new_int16((int16_t)v);
        break;
    case SL_TYPE_INT32:
        *out = sl_value_new_int32((int32_t)v);
        break;
    default:
        *out = sl_value_new_int64(v);
        break;
    }
    return *out ? SL_OK : jsonc_nomem(r);
}

/* FLOAT32 / FLOAT64: any number, or the strings Jackson writes for non-finite numbers
 * ("NaN", "Infinity", "-Infinity"), so that such values survive a round trip. */
static int read_float(jsonc_reader *r, const sl_schema *s, sl_type t, sl_value **out)
{
    double d;
    if (r->p < r->end && *r->p == '"') {
        const char *str;
        size_t len;
        const unsigned char *at = r->p;
        if (jsonc_read_string(r, &str, &len) != SL_OK)
            return SL_ERR;
        if (len == 3 && memcmp(str, "NaN", 3) == 0)
            d = NAN;
        else if (len == 8 && memcmp(str, "Infinity", 8) == 0)
            d = INFINITY;
        else if (len == 9 && memcmp(str, "-Infinity", 9) == 0)
            d = -INFINITY;
        else {
            r->p = at;
            return mismatch(r, s, "a JSON number");
        }
    } else if (r->p < r->end && (*r->p == '-' || (*r->p >= '0' && *r->p <= '9'))) {
        jsonc_num n;
        if (jsonc_read_number(r, &n) != SL_OK)
            return SL_ERR;
        /* Straight to float for FLOAT32: rounding through a double could be off by one ulp. */
        d = t == SL_TYPE_FLOAT32 ? (double)jsonc_num_float(&n)
            : n.fits             ? (double)n.i
                                 : jsonc_num_double(&n);
    } else {
        return mismatch(r, s, "a JSON number");
    }
    *out = t == SL_TYPE_FLOAT32 ? sl_value_new_float32((float)d) : sl_value_new_float64(d);
    return *out ? SL_OK : jsonc_nomem(r);
}

/* Base64 text (Jackson's binaryValue() of a string) into a new BYTES value, with no copy
 * beyond the decode itself. */
static int read_base64(jsonc_reader *r, const char *str, size_t len, sl_value **out,
                       bool nonempty)
{
    size_t n;
    void *bytes = value_base64_decode(str, len, &n);
    if (bytes == NULL || (nonempty && n == 0)) {
        free(bytes);
        return SL_ERR;
    }
    *out = value_new_bytes_nocopy(bytes, n, free, bytes);
    if (*out == NULL) {
        free(bytes);
        return jsonc_nomem(r);
    }
    return SL_OK;
}

static int read_logical(jsonc_reader *r, const sl_schema *s, sl_logical lg, sl_value **out)
{
    const char *want = lg == SL_LOGICAL_TIMESTAMP ? "integral" : "integer";
    const char *name = lg == SL_LOGICAL_DATE ? "Date" : lg == SL_LOGICAL_TIME ? "Time"
                                                                                : "Timestamp";
    const unsigned char *at = r->p;
    if (lg == SL_LOGICAL_DECIMAL) {
        int32_t scale;
        if (value_decimal_scale(s, &scale) != SL_OK)
            return jsonc_data_err(r, "Invalid Decimal schema: scale parameter not found.");
        if (*r->p == '-' || (*r->p >= '0' && *r->p <= '9')) {
            /* decimal.format=NUMERIC writes the number itself; keep every digit. */
            jsonc_num n;
            char why[128];
            if (jsonc_read_number(r, &n) != SL_OK)
                return SL_ERR;
            *out = value_decimal_parse(n.text, n.len, scale, why, sizeof(why));
            if (*out == NULL) {
                r->p = at;
                return jsonc_data_err(r, "Invalid value %.*s for Decimal with scale %d: %s",
                                (int)(n.len > 40 ? 40 : n.len), n.text, (int)scale, why);
            }
            return SL_OK;
        }
        if (*r->p == '"') {
            const char *str;
            size_t len;
            if (jsonc_read_string(r, &str, &len) != SL_OK)
                return SL_ERR;
            if (read_base64(r, str, len, out, true) != SL_OK) {
                if (r->err.kind != JSONC_ERR_NONE)
                    return SL_ERR;
                r->p = at;
                return jsonc_data_err(r, "Invalid bytes for Decimal field");
            }
            return SL_OK;
        }
        return jsonc_data_err(r,
                        "Invalid type for Decimal, underlying representation should be numeric "
                        "or bytes but was %s",
                        jsonc_peek_type(r));
    }
    if (!(*r->p == '-' || (*r->p >= '0' && *r->p <= '9')))
        return jsonc_data_err(r,
                             "Invalid type for %s, underlying representation should be %s but "
                             "was %s",
                        name, want, jsonc_peek_type(r));
    jsonc_num n;
    if (jsonc_read_number(r, &n) != SL_OK)
        return SL_ERR;
    bool ok = n.fits && (lg == SL_LOGICAL_TIMESTAMP || (n.i >= INT32_MIN && n.i <= INT32_MAX));
    if (!ok) {
        r->p = at;
        return jsonc_data_err(r,
                             "Invalid type for %s, underlying representation should be %s but "
                             "was %s",
                        name, want, n.integral ? "an out-of-range NUMBER" : "NUMBER");
    }
    *out = lg == SL_LOGICAL_TIMESTAMP ? sl_value_new_int64(n.i) : sl_value_new_int32((int32_t)n.i);
    return *out ? SL_OK : jsonc_nomem(r);
}

static int read_array(jsonc_reader *r, const sl_schema *s, sl_value **out)
{
    if (*r->p != '[')
        return jsonc_data_err(r, "Arrays should be encoded as JSON arrays, but found %s",
                        jsonc_peek_type(r));
    const sl_schema *es = sl_schema_value_schema(s);
    sl_value *arr = sl_value_new_array();
    if (arr == NULL)
        return jsonc_nomem(r);
    size_t i = 0;
    int more = jsonc_open_container(r, ']');
    while (more == 1) {
        sl_value *item = NULL;
        jsonc_ws(r);
        if (jsonc_read_value(r, es, &item) != SL_OK) {
            jsonc_err_path_index(&r->err, i);
            goto fail;
        }
        if (sl_value_array_append(arr, item) != SL_OK) {
            jsonc_nomem(r);
            goto fail;
        }
        i++;
        more = jsonc_next_or_close(r, ']');
        if (more == 0)
            r->depth--;
    }
    if (more < 0)
        goto fail;
    *out = arr;
    return SL_OK;
fail:
    sl_value_destroy(arr);
    return SL_ERR;
}

/* A map whose key schema is STRING is a JSON object; any other key type is written by Connect
 * as an array of [key, value] arrays. */
static int read_map(jsonc_reader *r, const sl_schema *s, sl_value **out)
{
    const sl_schema *ks = sl_schema_key_schema(s), *vs = sl_schema_value_schema(s);
    bool object = ks == NULL || sl_schema_type(ks) == SL_TYPE_STRING;
    if (object && *r->p != '{')
        return jsonc_data_err(r,
                             "Maps with string fields should be encoded as JSON objects, but "
                             "found %s",
                        jsonc_peek_type(r));
    if (!object && *r->p != '[')
        return jsonc_data_err(r,
                        "Maps with non-string fields should be encoded as JSON array of tuples, "
                        "but found %s",
                        jsonc_peek_type(r));
    sl_value *map = sl_value_new_map();
    if (map == NULL)
        return jsonc_nomem(r);
    jsonc_key_filter f = {{0}};
    size_t i = 0;
    int more = jsonc_open_container(r, object ? '}' : ']');
    while (more == 1) {
        sl_value *key = NULL, *item = NULL;
        if (object) {
            const char *ks_text;
            size_t klen;
            if (jsonc_read_key(r, &ks_text, &klen) != SL_OK)
                goto fail;
            key = sl_value_new_string(ks_text, klen);
            if (key == NULL) {
                jsonc_nomem(r);
                goto fail;
            }
            if (jsonc_read_value(r, vs, &item) != SL_OK) {
                size_t kl;
                const char *kt = sl_value_get_string(key, &kl);
                jsonc_err_path_name(&r->err, kt, kl);
                sl_value_destroy(key);
                goto fail;
            }
            if (jsonc_map_add(r, map, &f, key, item) != SL_OK)
                goto fail;
        } else {
            jsonc_ws(r);
            if (r->p >= r->end) {
                jsonc_unexpected(r, "a value");
                goto fail;
            }
            if (*r->p != '[') {
                jsonc_data_err(r, "Found invalid map entry instead of array tuple: %s",
                         jsonc_peek_type(r));
                jsonc_err_path_index(&r->err, i);
                goto fail;
            }
            const unsigned char *entry = r->p;
            int inner = jsonc_open_container(r, ']');
            size_t count = 0;
            while (inner == 1) {
                sl_value *v = NULL;
                jsonc_ws(r);
                if (count < 2 && jsonc_read_value(r, count == 0 ? ks : vs, &v) != SL_OK) {
                    jsonc_err_path_index(&r->err, i);
                    sl_value_destroy(key);
                    goto fail;
                }
                if (count >= 2 && jsonc_skip(r) != SL_OK) {
                    sl_value_destroy(key);
                    sl_value_destroy(item);
                    goto fail;
                }
                if (count == 0)
                    key = v;
                else if (count == 1)
                    item = v;
                count++;
                inner = jsonc_next_or_close(r, ']');
                if (inner == 0)
                    r->depth--;
            }
            if (inner < 0) {
                sl_value_destroy(key);
                sl_value_destroy(item);
                goto fail;
            }
            if (count != 2) {
                sl_value_destroy(key);
                sl_value_destroy(item);
                r->p = entry;
                jsonc_data_err(r, "Found invalid map entry, expected length 2 but found :%zu",
                              count);
                jsonc_err_path_index(&r->err, i);
                goto fail;
            }
            if (sl_value_map_put(map, key, item) != SL_OK) {
                jsonc_nomem(r);
                goto fail;
            }
        }
        i++;
        more = jsonc_next_or_close(r, object ? '}' : ']');
        if (more == 0)
            r->depth--;
    }
    if (more < 0)
        goto fail;
    *out = map;
    return SL_OK;
fail:
    sl_value_destroy(map);
    return SL_ERR;
}

/* Index of the field named by the JSON key (not NUL-terminated), trying `hint` first since
 * writers usually emit fields in schema order. -1 if the schema has no such field. */
static int find_field(const sl_schema *s, size_t nf, const char *key, size_t klen, size_t hint)
{
    for (size_t k = 0; k < nf; k++) {
        size_t i = (hint + k) % nf;
        const char *name = sl_schema_field_name(s, i);
        if (name && strnlen(name, klen + 1) == klen && memcmp(name, key, klen) == 0)
            return (int)i;
    }
    return -1;
}

static int read_struct(jsonc_reader *r, const sl_schema *s, sl_value **out)
{
    if (*r->p != '{')
        return jsonc_data_err(r, "Structs should be encoded as JSON objects, but found %s",
                        jsonc_peek_type(r));
    size_t nf = sl_schema_field_count(s);
    uint64_t seen_small[4] = {0}, *seen = seen_small;
    if (nf > 256 && (seen = calloc((nf + 63) / 64, sizeof(uint64_t))) == NULL)
        return jsonc_nomem(r);
    sl_value *st = sl_value_new_struct(s);
    if (st == NULL) {
        if (seen != seen_small)
            free(seen);
        return jsonc_nomem(r);
    }
    size_t hint = 0;
    int more = jsonc_open_container(r, '}');
    while (more == 1) {
        const char *key;
        size_t klen;
        if (jsonc_read_key(r, &key, &klen) != SL_OK)
            goto fail;
        int idx = nf ? find_field(s, nf, key, klen, hint) : -1;
        if (idx < 0) {
            /* Connect reads only the schema's fields; others are ignored. */
            if (jsonc_skip(r) != SL_OK)
                goto fail;
        } else {
            sl_value *item = NULL;
            const sl_schema *fs = sl_schema_field_schema(s, (size_t)idx);
            if (jsonc_read_value(r, fs, &item) != SL_OK) {
                const char *fname = sl_schema_field_name(s, (size_t)idx);
                jsonc_err_path_name(&r->err, fname, strlen(fname));
                goto fail;
            }
            /* A repeated key replaces the earlier value (Jackson keeps the last). */
            sl_value_struct_set_index(st, (size_t)idx, item);
            seen[idx / 64] |= 1ull << (idx % 64);
            hint = (size_t)idx + 1;
        }
        more = jsonc_next_or_close(r, '}');
        if (more == 0)
            r->depth--;
    }
    if (more < 0)
        goto fail;
    /* A missing field is a null to Connect (value.get(name) returns null). */
    for (size_t i = 0; i < nf; i++) {
        if (seen[i / 64] & (1ull << (i % 64)))
            continue;
        sl_value *item = NULL;
        if (null_for(r, sl_schema_field_schema(s, i), &item) != SL_OK) {
            const char *fname = sl_schema_field_name(s, i);
            jsonc_err_path_name(&r->err, fname, strlen(fname));
            goto fail;
        }
        if (item)
            sl_value_struct_set_index(st, i, item);
    }
    if (seen != seen_small)
        free(seen);
    *out = st;
    return SL_OK;
fail:
    if (seen != seen_small)
        free(seen);
    sl_value_destroy(st);
    return SL_ERR;
}

int jsonc_read_typed(jsonc_reader *r, const sl_schema *s, sl_value **out)
{
    *out = NULL;
    jsonc_ws(r);
    if (r->p >= r->end)
        return jsonc_unexpected(r, "a value");
    if (*r->p == 'n') {
        if (jsonc_read_literal(r, "null", 4) != SL_OK)
            return SL_ERR;
        r->p -= 4; /* report a bad null where it is */
        int rc = null_for(r, s, out);
        r->p += 4;
        return rc;
    }
    sl_logical lg = sl_schema_logical(s);
    if (lg != SL_LOGICAL_NONE)
        return read_logical(r, s, lg, out);
    sl_type t = sl_schema_type(s);
    switch (t) {
    case SL_TYPE_INT8:
    case SL_TYPE_INT16:
    case SL_TYPE_INT32:
    case SL_TYPE_INT64:
        return read_int(r, s, t, out);
    case SL_TYPE_FLOAT32:
    case SL_TYPE_FLOAT64:
        return read_float(r, s, t, out);
    case SL_TYPE_BOOLEAN:
        if (*r->p == 't' || *r->p == 'f') {
            bool b = *r->p == 't';
            if (jsonc_read_literal(r, b ? "true" : "false", b ? 4 : 5) != SL_OK)
                return SL_ERR;
            *out = sl_value_new_boolean(b);
            return *out ? SL_OK : jsonc_nomem(r);
        }
        return mismatch(r, s, "a JSON boolean");
    case SL_TYPE_STRING: {
        if (*r->p != '"')
            return mismatch(r, s, "a JSON string");
        const char *str;
        size_t len;
        if (jsonc_read_string(r, &str, &len) != SL_OK)
            return SL_ERR;
        *out = sl_value_new_string(str, len);
        return *out ? SL_OK : jsonc_nomem(r);
    }
    case SL_TYPE_BYTES: {
        if (*r->p != '"')
            return mismatch(r, s, "a base64 JSON string");
        const unsigned char *at = r->p;
        const char *str;
        size_t len;
        if (jsonc_read_string(r, &str, &len) != SL_OK)
            return SL_ERR;
        if (read_base64(r, str, len, out, false) != SL_OK) {
            if (r->err.kind != JSONC_ERR_NONE)
                return SL_ERR;
            r->p = at;
            return jsonc_data_err(r, "Invalid bytes field: not base64");
        }
        return SL_OK;
    }
    case SL_TYPE_ARRAY:
        return read_array(r, s, out);
    case SL_TYPE_MAP:
        return read_map(r, s, out);
    case SL_TYPE_STRUCT:
        return read_struct(r, s, out);
    }
    return jsonc_data_err(r, "Unknown schema type: %d", (int)t);
}
