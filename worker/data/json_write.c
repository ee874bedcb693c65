/* data/json_write.c: Connect values to JSON text as JsonConverter.convertToJson does, driven
 * by the schema when there is one: Jackson's number text and string escaping, base64 bytes,
 * Decimal as base64 or numeric, maps as objects or [key, value] pairs. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "data/json_internal.h"

static int data_err(jsonc_writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int data_err(jsonc_writer *w, const char *fmt, ...)
{
    jsonc_err *e = &w->err;
    if (e->kind != JSONC_ERR_NONE)
        return SL_ERR;
    e->kind = JSONC_ERR_DATA;
    e->path[0] = '\0';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    return SL_ERR;
}

static int nomem(jsonc_writer *w)
{
    return jsonc_err_set(&w->err, JSONC_ERR_NOMEM, "out of memory");
}

/* Jackson's escaping: '"' and '\\', the short escapes \b \t \n \f \r, \u00XX (upper-case hex)
 * for the other control characters, everything else (UTF-8 included) as is. */
void jsonc_write_string(jsonc_buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)s;
    if (b->cap - b->len < len + 2 && !jsonc_buf_grow(b, len + 2))
        return;
    b->data[b->len++] = '"';
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned c = p[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            run++;
            continue;
        }
        jsonc_buf_put(b, s + i - run, run);
        run = 0;
        char esc[6] = {'\\', 0};
        size_t n = 2;
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\t':
            esc[1] = 't';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        default:
            memcpy(esc, "\\u00", 4);
            jsonc_buf_put(b, esc, 4);
            esc[0] = hex[c >> 4];
            esc[1] = hex[c & 15];
            jsonc_buf_put(b, esc, 2);
            continue;
        }
        jsonc_buf_put(b, esc, n);
    }
    jsonc_buf_put(b, s + len - run, run);
    jsonc_buf_putc(b, '"');
}

void jsonc_put_int(jsonc_buf *b, int64_t v)
{
    char tmp[24];
    size_t n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[sizeof(tmp) - 1 - n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        tmp[sizeof(tmp) - 1 - n++] = '-';
    jsonc_buf_put(b, tmp + sizeof(tmp) - n, n);
}

/* Jackson writes Double.toString / Float.toString text, quoting NaN and the infinities
 * (JsonWriteFeature.WRITE_NAN_AS_STRINGS is on by default). */
static void put_float(jsonc_buf *b, double d, bool is_float)
{
    char num[40];
    size_t n = is_float ? value_format_float((float)d, num, sizeof(num))
                        : value_format_double(d, num, sizeof(num));
    if (n >= sizeof(num))
        n = sizeof(num) - 1;
    if (isfinite(d))
        jsonc_buf_put(b, num, n);
    else
        jsonc_write_string(b, num, n);
}

static void put_base64(jsonc_writer *w, const void *data, size_t len)
{
    size_t n;
    char *text = value_base64_encode(data, len, &n);
    if (text == NULL) {
        w->out->oom = true;
        return;
    }
    jsonc_write_string(w->out, text, n);
    free(text);
}

static int write_any(jsonc_writer *w, const sl_value *v);
static int write_typed(jsonc_writer *w, const sl_schema *s, const sl_value *v);

static int write_value(jsonc_writer *w, const sl_schema *s, const sl_value *v)
{
    return s ? write_typed(w, s, v) : write_any(w, v);
}

/* Objects when keys are strings (by the key schema, or schemaless when every key is a
 * STRING), else an array of [key, value] pairs, as JsonConverter does. */
static int write_map(jsonc_writer *w, const sl_schema *s, const sl_value *v)
{
    const sl_schema *ks = s ? sl_schema_key_schema(s) : NULL;
    const sl_schema *vs = s ? sl_schema_value_schema(s) : NULL;
    size_t n = sl_value_map_len(v);
    bool object;
    if (s != NULL) {
        object = ks != NULL && sl_schema_type(ks) == SL_TYPE_STRING;
    } else {
        object = true;
        for (size_t i = 0; object && i < n; i++) {
            const sl_value *k = sl_value_map_key_at(v, i);
            object = k != NULL && sl_value_type(k) == SL_TYPE_STRING;
        }
    }
    jsonc_buf_putc(w->out, object ? '{' : '[');
    for (size_t i = 0; i < n; i++) {
        const sl_value *k = sl_value_map_key_at(v, i), *item = sl_value_map_value_at(v, i);
        if (i)
            jsonc_buf_putc(w->out, ',');
        if (object) {
            /* Connect writes convertToJson(keySchema, key).asText(): a null key reads "null". */
            if (k == NULL) {
                jsonc_write_string(w->out, "null", 4);
            } else if (sl_value_type(k) == SL_TYPE_STRING) {
                size_t kl;
                const char *kt = sl_value_get_string(k, &kl);
                jsonc_write_string(w->out, kt, kl);
            } else {
                return data_err(w, "Invalid type for STRING: %s",
                                value_type_name(sl_value_type(k)));
            }
            jsonc_buf_putc(w->out, ':');
            if (write_value(w, vs, item) != SL_OK) {
                if (k && sl_value_type(k) == SL_TYPE_STRING) {
                    size_t kl;
                    const char *kt = sl_value_get_string(k, &kl);
                    jsonc_err_path_name(&w->err, kt, kl);
                }
                return SL_ERR;
            }
        } else {
            jsonc_buf_putc(w->out, '[');
            if (write_value(w, ks, k) != SL_OK) {
                jsonc_err_path_index(&w->err, i);
                return SL_ERR;
            }
            jsonc_buf_putc(w->out, ',');
            if (write_value(w, vs, item) != SL_OK) {
                jsonc_err_path_index(&w->err, i);
                return SL_ERR;
            }
            jsonc_buf_putc(w->out, ']');
        }
    }
    jsonc_buf_putc(w->out, object ? '}' : ']');
    return SL_OK;
}

static int write_array(jsonc_writer *w, const sl_schema *es, const sl_value *v)
{
    size_t n = sl_value_array_len(v);
    jsonc_buf_putc(w->out, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            jsonc_buf_putc(w->out, ',');
        if (write_value(w, es, sl_value_array_get(v, i)) != SL_OK) {
            jsonc_err_path_index(&w->err, i);
            return SL_ERR;
        }
    }
    jsonc_buf_putc(w->out, ']');
    return SL_OK;
}

static int write_struct(jsonc_writer *w, const sl_schema *s, const sl_value *v)
{
    size_t nf = sl_schema_field_count(s);
    jsonc_buf_putc(w->out, '{');
    for (size_t i = 0; i < nf; i++) {
        const char *name = sl_schema_field_name(s, i);
        if (i)
            jsonc_buf_putc(w->out, ',');
        jsonc_write_string(w->out, name, strlen(name));
        jsonc_buf_putc(w->out, ':');
        if (write_typed(w, sl_schema_field_schema(s, i), sl_value_struct_get_index(v, i)) !=
            SL_OK) {
            jsonc_err_path_name(&w->err, name, strlen(name));
            return SL_ERR;
        }
    }
    jsonc_buf_putc(w->out, '}');
    return SL_OK;
}

/* Without a schema: by the value's own type. A STRUCT carries its schema; Connect would refuse
 * it ("Mismatching schema.") but writing it with its own schema is what a user expects. */
static int write_any(jsonc_writer *w, const sl_value *v)
{
    if (v == NULL) {
        jsonc_buf_put(w->out, "null", 4);
        return SL_OK;
    }
    double d;
    int64_t i;
    size_t len;
    switch (sl_value_type(v)) {
    case SL_TYPE_INT8:
    case SL_TYPE_INT16:
    case SL_TYPE_INT32:
    case SL_TYPE_INT64:
        sl_value_get_int(v, &i);
        jsonc_put_int(w->out, i);
        return SL_OK;
    case SL_TYPE_FLOAT32:
    case SL_TYPE_FLOAT64:
        sl_value_get_double(v, &d);
        put_float(w->out, d, sl_value_type(v) == SL_TYPE_FLOAT32);
        return SL_OK;
    case SL_TYPE_BOOLEAN:
        jsonc_buf_puts(w->out, sl_value_get_bool(v) ? "true" : "false");
        return SL_OK;
    case SL_TYPE_STRING: {
        const char *s = sl_value_get_string(v, &len);
        jsonc_write_string(w->out, s, len);
        return SL_OK;
    }
    case SL_TYPE_BYTES: {
        const void *b = sl_value_get_bytes(v, &len);
        put_base64(w, b, len);
        return SL_OK;
    }
    case SL_TYPE_ARRAY:
        return write_array(w, NULL, v);
    case SL_TYPE_MAP:
        return write_map(w, NULL, v);
    case SL_TYPE_STRUCT:
        return write_struct(w, sl_value_struct_schema(v), v);
    }
    return data_err(w, "Couldn't convert value of type %d to JSON.", (int)sl_value_type(v));
}

static int write_logical(jsonc_writer *w, const sl_schema *s, sl_logical lg, const sl_value *v)
{
    sl_type vt = sl_value_type(v);
    if (lg == SL_LOGICAL_DECIMAL) {
        if (vt != SL_TYPE_BYTES)
            return data_err(w, "Invalid type for Decimal, expected BigDecimal but was %s",
                            value_type_name(vt));
        size_t len;
        const void *bytes = sl_value_get_bytes(v, &len);
        if (!w->opts.decimal_numeric) {
            put_base64(w, bytes, len);
            return SL_OK;
        }
        int32_t scale;
        if (value_decimal_scale(s, &scale) != SL_OK)
            return data_err(w, "Invalid Decimal schema: scale parameter not found.");
        char *text = value_decimal_to_string(bytes, len, scale);
        if (text == NULL)
            return len == 0 ? data_err(w, "Invalid Decimal value: no bytes") : nomem(w);
        jsonc_buf_puts(w->out, text);
        free(text);
        return SL_OK;
    }
    const char *name = lg == SL_LOGICAL_DATE ? "Date" : lg == SL_LOGICAL_TIME ? "Time"
                                                                                : "Timestamp";
    sl_type want = lg == SL_LOGICAL_TIMESTAMP ? SL_TYPE_INT64 : SL_TYPE_INT32;
    if (vt != want)
        return data_err(w, "Invalid type for %s, expected %s but was %s", name,
                        value_type_name(want), value_type_name(vt));
    int64_t i;
    sl_value_get_int(v, &i);
    jsonc_put_int(w->out, i);
    return SL_OK;
}

static int write_typed(jsonc_writer *w, const sl_schema *s, const sl_value *v)
{
    if (v == NULL) {
        const sl_value *def = sl_schema_default(s);
        if (def != NULL && w->opts.replace_null_with_default)
            return write_typed(w, s, def);
        if (sl_schema_optional(s)) {
            jsonc_buf_put(w->out, "null", 4);
            return SL_OK;
        }
        return data_err(w, "Conversion error: null value for field that is required and has no "
                           "default value");
    }
    sl_logical lg = sl_schema_logical(s);
    if (lg != SL_LOGICAL_NONE)
        return write_logical(w, s, lg, v);
    sl_type t = sl_schema_type(s), vt = sl_value_type(v);
    if (t != vt)
        return data_err(w, "Invalid type for %s: %s", value_type_name(t), value_type_name(vt));
    switch (t) {
    case SL_TYPE_ARRAY:
        return write_array(w, sl_schema_value_schema(s), v);
    case SL_TYPE_MAP:
        return write_map(w, s, v);
    case SL_TYPE_STRUCT: {
        const sl_schema *vs = sl_value_struct_schema(v);
        if (vs != s && !sl_schema_equals(vs, s))
            return data_err(w, "Mismatching schema.");
        return write_struct(w, s, v);
    }
    default:
        return write_any(w, v);
    }
}

int jsonc_write_value(jsonc_writer *w, const sl_schema *schema, const sl_value *v)
{
    int rc = write_value(w, schema, v);
    if (rc == SL_OK && w->out->oom)
        return nomem(w);
    return rc;
}
