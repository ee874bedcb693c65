/* data/conv_text.c: text forms of Connect values for the String and SimpleHeader converters:
 * UTF-8 checks, civil dates, Connect's Values text and Java's toString. */
#include <stdio.h>
#include <stdlib.h>

#include "data/conv_text.h"

bool conv_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        if (*p < 0x80) {
            p++;
            continue;
        }
        size_t n = conv_utf8_seq(p, (size_t)(end - p));
        if (n == 0)
            return false;
        p += n;
    }
    return true;
}

void conv_utf8_sanitize(jsonc_buf *b, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len, *run = p;
    while (p < end) {
        if (*p < 0x80) {
            p++;
            continue;
        }
        size_t n = conv_utf8_seq(p, (size_t)(end - p));
        if (n) {
            p += n;
            continue;
        }
        jsonc_buf_put(b, run, (size_t)(p - run));
        jsonc_buf_put(b, "\xEF\xBF\xBD", 3);
        run = ++p;
    }
    jsonc_buf_put(b, run, (size_t)(p - run));
}

/* Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian, exact for any
 * int64 day count we can meet). */
int64_t conv_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void conv_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static void put_fmt(jsonc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put_fmt(jsonc_buf *b, const char *fmt, ...)
{
    char tmp[96];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n > 0)
        jsonc_buf_put(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* "yyyy-MM-dd", "HH:mm:ss.SSS'Z'" or "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'" of `ms` since the epoch. */
static void put_iso(jsonc_buf *b, int64_t ms, bool date, bool time)
{
    int64_t days = floor_div(ms, CONV_MILLIS_PER_DAY), rem = ms - days * CONV_MILLIS_PER_DAY;
    if (date) {
        int64_t y;
        unsigned m, d;
        conv_civil_from_days(days, &y, &m, &d);
        put_fmt(b, "%04lld-%02u-%02u", (long long)y, m, d);
    }
    if (date && time)
        jsonc_buf_putc(b, 'T');
    if (time)
        put_fmt(b, "%02d:%02d:%02d.%03dZ", (int)(rem / 3600000), (int)(rem / 60000 % 60),
                (int)(rem / 1000 % 60), (int)(rem % 1000));
}

/* java.util.Date.toString() in UTC: "Thu Jan 01 00:00:00 UTC 1970". */
static void put_java_date(jsonc_buf *b, int64_t ms)
{
    static const char *const dow[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int64_t days = floor_div(ms, CONV_MILLIS_PER_DAY), rem = ms - days * CONV_MILLIS_PER_DAY;
    int64_t y;
    unsigned m, d;
    conv_civil_from_days(days, &y, &m, &d);
    int64_t wd = (days + 4) % 7; /* 1970-01-01 was a Thursday */
    if (wd < 0)
        wd += 7;
    put_fmt(b, "%s %s %02u %02d:%02d:%02d UTC %lld", dow[wd], mon[m - 1], d,
            (int)(rem / 3600000), (int)(rem / 60000 % 60), (int)(rem / 1000 % 60), (long long)y);
}

static void put_number(jsonc_buf *b, const sl_value *v)
{
    char num[40];
    size_t n;
    double d;
    int64_t i;
    if (sl_value_get_int(v, &i) == SL_OK) {
        jsonc_put_int(b, i);
        return;
    }
    sl_value_get_double(v, &d);
    n = sl_value_type(v) == SL_TYPE_FLOAT32 ? value_format_float((float)d, num, sizeof(num))
                                            : value_format_double(d, num, sizeof(num));
    jsonc_buf_put(b, num, n < sizeof(num) ? n : sizeof(num) - 1);
}

static void put_base64(jsonc_buf *b, const sl_value *v, bool quoted)
{
    size_t len, n;
    const void *bytes = sl_value_get_bytes(v, &len);
    char *text = value_base64_encode(bytes, len, &n);
    if (text == NULL) {
        b->oom = true;
        return;
    }
    if (quoted)
        jsonc_buf_putc(b, '"');
    jsonc_buf_put(b, text, n);
    if (quoted)
        jsonc_buf_putc(b, '"');
    free(text);
}

/* A logical value's text; returns 1 if `v` was one and was written, 0 if not logical, SL_ERR. */
static int put_logical(jsonc_buf *b, const sl_schema *s, const sl_value *v, bool java,
                       char *errstr, size_t errstr_size)
{
    sl_logical lg = s ? sl_schema_logical(s) : SL_LOGICAL_NONE;
    int64_t i;
    switch (lg) {
    case SL_LOGICAL_DECIMAL: {
        int32_t scale;
        size_t len;
        const void *bytes = sl_value_get_bytes(v, &len);
        if (bytes == NULL || value_decimal_scale(s, &scale) != SL_OK) {
            snprintf(errstr, errstr_size, "Invalid Decimal value or schema");
            return SL_ERR;
        }
        char *text = value_decimal_to_string(bytes, len, scale);
        if (text == NULL) {
            snprintf(errstr, errstr_size, "Invalid Decimal value");
            return SL_ERR;
        }
        jsonc_buf_puts(b, text);
        free(text);
        return 1;
    }
    case SL_LOGICAL_DATE:
    case SL_LOGICAL_TIME:
    case SL_LOGICAL_TIMESTAMP:
        if (sl_value_get_int(v, &i) != SL_OK) {
            snprintf(errstr, errstr_size, "Invalid value of type %s for a logical %s",
                     value_type_name(sl_value_type(v)), lg == SL_LOGICAL_DATE   ? "Date"
                                                        : lg == SL_LOGICAL_TIME ? "Time"
                                                                                : "Timestamp");
            return SL_ERR;
        }
        if (lg == SL_LOGICAL_DATE)
            i *= CONV_MILLIS_PER_DAY;
        if (java)
            put_java_date(b, i);
        else
            put_iso(b, i, lg != SL_LOGICAL_TIME, lg != SL_LOGICAL_DATE);
        return 1;
    default:
        return 0;
    }
}

int conv_values_text(jsonc_buf *b, const sl_schema *s, const sl_value *v, bool embedded,
                     char *errstr, size_t errstr_size)
{
    if (v == NULL) {
        jsonc_buf_put(b, "null", 4);
        return SL_OK;
    }
    int lg = put_logical(b, s, v, false, errstr, errstr_size);
    if (lg != 0)
        return lg < 0 ? SL_ERR : SL_OK;
    size_t len;
    switch (sl_value_type(v)) {
    case SL_TYPE_BOOLEAN:
        jsonc_buf_puts(b, sl_value_get_bool(v) ? "true" : "false");
        return SL_OK;
    case SL_TYPE_STRING: {
        const char *str = sl_value_get_string(v, &len);
        if (!embedded) {
            jsonc_buf_put(b, str, len);
            return SL_OK;
        }
        jsonc_buf_putc(b, '"');
        for (size_t i = 0; i < len; i++) {
            if (str[i] == '\\' || str[i] == '"')
                jsonc_buf_putc(b, '\\');
            jsonc_buf_putc(b, str[i]);
        }
        jsonc_buf_putc(b, '"');
        return SL_OK;
    }
    case SL_TYPE_BYTES:
        put_base64(b, v, embedded);
        return SL_OK;
    case SL_TYPE_ARRAY: {
        const sl_schema *es = s ? sl_schema_value_schema(s) : NULL;
        jsonc_buf_putc(b, '[');
        for (size_t i = 0, n = sl_value_array_len(v); i < n; i++) {
            if (i)
                jsonc_buf_putc(b, ',');
            if (conv_values_text(b, es, sl_value_array_get(v, i), true, errstr, errstr_size))
                return SL_ERR;
        }
        jsonc_buf_putc(b, ']');
        return SL_OK;
    }
    case SL_TYPE_MAP: {
        const sl_schema *ks = s ? sl_schema_key_schema(s) : NULL;
        const sl_schema *vs = s ? sl_schema_value_schema(s) : NULL;
        jsonc_buf_putc(b, '{');
        for (size_t i = 0, n = sl_value_map_len(v); i < n; i++) {
            if (i)
                jsonc_buf_putc(b, ',');
            if (conv_values_text(b, ks, sl_value_map_key_at(v, i), true, errstr, errstr_size))
                return SL_ERR;
            jsonc_buf_putc(b, ':');
            if (conv_values_text(b, vs, sl_value_map_value_at(v, i), true, errstr, errstr_size))
                return SL_ERR;
        }
        jsonc_buf_putc(b, '}');
        return SL_OK;
    }
    case SL_TYPE_STRUCT: {
        const sl_schema *ss = sl_value_struct_schema(v);
        jsonc_buf_putc(b, '{');
        for (size_t i = 0, n = sl_schema_field_count(ss); i < n; i++) {
            const char *name = sl_schema_field_name(ss, i);
            if (i)
                jsonc_buf_putc(b, ',');
            jsonc_buf_putc(b, '"');
            for (const char *c = name; *c; c++) {
                if (*c == '\\' || *c == '"')
                    jsonc_buf_putc(b, '\\');
                jsonc_buf_putc(b, *c);
            }
            jsonc_buf_put(b, "\":", 2);
            if (conv_values_text(b, sl_schema_field_schema(ss, i), sl_value_struct_get_index(v, i),
                                 true, errstr, errstr_size))
                return SL_ERR;
        }
        jsonc_buf_putc(b, '}');
        return SL_OK;
    }
    default:
        put_number(b, v);
        return SL_OK;
    }
}

int conv_java_text(jsonc_buf *b, const sl_schema *s, const sl_value *v, char *errstr,
                   size_t errstr_size)
{
    if (v == NULL) {
        jsonc_buf_put(b, "null", 4);
        return SL_OK;
    }
    int lg = put_logical(b, s, v, true, errstr, errstr_size);
    if (lg != 0)
        return lg < 0 ? SL_ERR : SL_OK;
    size_t len;
    switch (sl_value_type(v)) {
    case SL_TYPE_BOOLEAN:
        jsonc_buf_puts(b, sl_value_get_bool(v) ? "true" : "false");
        return SL_OK;
    case SL_TYPE_STRING: {
        const char *str = sl_value_get_string(v, &len);
        jsonc_buf_put(b, str, len);
        return SL_OK;
    }
    case SL_TYPE_BYTES:
        put_base64(b, v, false);
        return SL_OK;
    case SL_TYPE_ARRAY: {
        /* AbstractCollection.toString */
        const sl_schema *es = s ? sl_schema_value_schema(s) : NULL;
        jsonc_buf_putc(b, '[');
        for (size_t i = 0, n = sl_value_array_len(v); i < n; i++) {
            if (i)
                jsonc_buf_put(b, ", ", 2);
            if (conv_java_text(b, es, sl_value_array_get(v, i), errstr, errstr_size))
                return SL_ERR;
        }
        jsonc_buf_putc(b, ']');
        return SL_OK;
    }
    case SL_TYPE_MAP: {
        /* AbstractMap.toString */
        const sl_schema *ks = s ? sl_schema_key_schema(s) : NULL;
        const sl_schema *vs = s ? sl_schema_value_schema(s) : NULL;
        jsonc_buf_putc(b, '{');
        for (size_t i = 0, n = sl_value_map_len(v); i < n; i++) {
            if (i)
                jsonc_buf_put(b, ", ", 2);
            if (conv_java_text(b, ks, sl_value_map_key_at(v, i), errstr, errstr_size))
                return SL_ERR;
            jsonc_buf_putc(b, '=');
            if (conv_java_text(b, vs, sl_value_map_value_at(v, i), errstr, errstr_size))
                return SL_ERR;
        }
        jsonc_buf_putc(b, '}');
        return SL_OK;
    }
    case SL_TYPE_STRUCT: {
        /* Struct.toString: only the non-null fields, "," between them. */
        const sl_schema *ss = sl_value_struct_schema(v);
        bool first = true;
        jsonc_buf_puts(b, "Struct{");
        for (size_t i = 0, n = sl_schema_field_count(ss); i < n; i++) {
            const sl_value *f = sl_value_struct_get_index(v, i);
            if (f == NULL)
                continue;
            if (!first)
                jsonc_buf_putc(b, ',');
            first = false;
            jsonc_buf_puts(b, sl_schema_field_name(ss, i));
            jsonc_buf_putc(b, '=');
            if (conv_java_text(b, sl_schema_field_schema(ss, i), f, errstr, errstr_size))
                return SL_ERR;
        }
        jsonc_buf_putc(b, '}');
        return SL_OK;
    }
    default:
        put_number(b, v);
        return SL_OK;
    }
}
