/* plugins/postgres/copyfmt.c: COPY text encoding of Connect values and JSON string escaping
 * for the PostgreSQL sink (see copyfmt.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copyfmt.h"

void pgf_text(pg_sb *sb, const char *s, size_t n)
{
    if (pg_sb_reserve(sb, n + 8) != 0)
        return;
    size_t run = 0; /* bytes that need no escape, copied in one go */
    for (size_t i = 0; i < n; i++) {
        const char *esc = NULL;
        switch (s[i]) {
        case '\\':
            esc = "\\\\";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\0':
            esc = "\\000";
            break;
        default:
            break;
        }
        if (esc == NULL)
            continue;
        pg_sb_putn(sb, s + run, i - run);
        pg_sb_puts(sb, esc);
        run = i + 1;
    }
    pg_sb_putn(sb, s + run, n - run);
}

void pgf_null(pg_sb *sb)
{
    pg_sb_putn(sb, "\\N", 2);
}

void pgf_json_string(pg_sb *sb, const char *s, size_t n)
{
    pg_sb_putc(sb, '"');
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        pg_sb_putn(sb, s + run, i - run);
        switch (c) {
        case '"':
            pg_sb_puts(sb, "\\\"");
            break;
        case '\\':
            pg_sb_puts(sb, "\\\\");
            break;
        case '\n':
            pg_sb_puts(sb, "\\n");
            break;
        case '\r':
            pg_sb_puts(sb, "\\r");
            break;
        case '\t':
            pg_sb_puts(sb, "\\t");
            break;
        default:
            pg_sb_printf(sb, "\\u%04x", c);
            break;
        }
        run = i + 1;
    }
    pg_sb_putn(sb, s + run, n - run);
    pg_sb_putc(sb, '"');
}

/* Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's civil_from_days). */
static void civil(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* "YYYY-MM-DD" and, for years <= 0 (astronomical), PostgreSQL's " BC" suffix to add last. */
static bool put_date(pg_sb *sb, int64_t days)
{
    int64_t y;
    unsigned m, d;
    civil(days, &y, &m, &d);
    bool bc = y <= 0;
    pg_sb_printf(sb, "%04lld-%02u-%02u", (long long)(bc ? 1 - y : y), m, d);
    return bc;
}

void pgf_date(pg_sb *sb, int64_t days)
{
    if (put_date(sb, days))
        pg_sb_puts(sb, " BC");
}

static void put_time(pg_sb *sb, int64_t ms)
{
    pg_sb_printf(sb, "%02lld:%02lld:%02lld.%03lld", (long long)(ms / 3600000),
                 (long long)(ms / 60000 % 60), (long long)(ms / 1000 % 60), (long long)(ms % 1000));
}

void pgf_time(pg_sb *sb, int64_t ms)
{
    /* Connect's Time is milliseconds since midnight; anything else is clamped into a day. */
    ms %= 86400000;
    if (ms < 0)
        ms += 86400000;
    put_time(sb, ms);
}

void pgf_timestamp(pg_sb *sb, int64_t ms)
{
    int64_t days = floor_div(ms, 86400000);
    bool bc = put_date(sb, days);
    pg_sb_putc(sb, ' ');
    put_time(sb, ms - days * 86400000);
    if (bc)
        pg_sb_puts(sb, " BC");
}

void pgf_decimal(pg_sb *sb, const unsigned char *bytes, size_t n, int32_t scale)
{
    bool neg = n > 0 && (bytes[0] & 0x80);
    unsigned char *mag = malloc(n ? n : 1);
    char *digits = malloc(n * 3 + 2);
    if (mag == NULL || digits == NULL) {
        free(mag);
        free(digits);
        sb->oom = true;
        return;
    }
    /* Magnitude of a negative two's complement number: invert and add one. */
    int carry = 1;
    for (size_t i = n; i-- > 0;) {
        unsigned v = neg ? (unsigned)(unsigned char)~bytes[i] + (unsigned)carry : bytes[i];
        carry = neg && v > 0xff;
        mag[i] = (unsigned char)v;
    }
    /* Repeated division by 10 of the big-endian magnitude; digits come out reversed. */
    size_t nd = 0, start = 0;
    while (start < n && mag[start] == 0)
        start++;
    while (start < n) {
        unsigned rem = 0;
        for (size_t i = start; i < n; i++) {
            unsigned cur = rem * 256 + mag[i];
            mag[i] = (unsigned char)(cur / 10);
            rem = cur % 10;
        }
        digits[nd++] = (char)('0' + rem);
        while (start < n && mag[start] == 0)
            start++;
    }
    if (nd == 0)
        digits[nd++] = '0';
    if (neg)
        pg_sb_putc(sb, '-');
    if (scale <= 0) {
        for (size_t i = nd; i-- > 0;)
            pg_sb_putc(sb, digits[i]);
        for (int32_t i = 0; i < -scale; i++)
            pg_sb_putc(sb, '0');
    } else {
        size_t s = (size_t)scale;
        if (nd <= s) {
            pg_sb_puts(sb, "0.");
            for (size_t i = nd; i < s; i++)
                pg_sb_putc(sb, '0');
            for (size_t i = nd; i-- > 0;)
                pg_sb_putc(sb, digits[i]);
        } else {
            for (size_t i = nd; i-- > 0;) {
                pg_sb_putc(sb, digits[i]);
                if (i == s)
                    pg_sb_putc(sb, '.');
            }
        }
    }
    free(mag);
    free(digits);
}

void pgf_double(pg_sb *sb, double d, bool single)
{
    if (isnan(d)) {
        pg_sb_puts(sb, "NaN");
        return;
    }
    if (isinf(d)) {
        pg_sb_puts(sb, d > 0 ? "Infinity" : "-Infinity");
        return;
    }
    char buf[40];
    for (int prec = single ? 6 : 15; prec <= (single ? 9 : 17); prec++) {
        snprintf(buf, sizeof(buf), "%.*g", prec, d);
        double back = strtod(buf, NULL);
        if (single ? (float)back == (float)d : back == d)
            break;
    }
    pg_sb_puts(sb, buf);
}

void pgf_bytea(pg_sb *sb, const void *data, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    if (pg_sb_reserve(sb, 3 + n * 2) != 0)
        return;
    pg_sb_puts(sb, "\\\\x");
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        sb->buf[sb->len++] = hex[p[i] >> 4];
        sb->buf[sb->len++] = hex[p[i] & 15];
    }
    sb->buf[sb->len] = '\0';
}

int pgf_value(pg_sb *sb, const sl_value *v, const sl_schema *schema, char *err, size_t err_size)
{
    if (v == NULL) {
        pgf_null(sb);
        return 0;
    }
    sl_logical lg = schema ? sl_schema_logical(schema) : SL_LOGICAL_NONE;
    sl_type t = sl_value_type(v);
    int64_t i;
    double d;
    size_t len;
    switch (t) {
    case SL_TYPE_INT8:
    case SL_TYPE_INT16:
    case SL_TYPE_INT32:
    case SL_TYPE_INT64:
        sl_value_get_int(v, &i);
        if (lg == SL_LOGICAL_DATE)
            pgf_date(sb, i);
        else if (lg == SL_LOGICAL_TIME)
            pgf_time(sb, i);
        else if (lg == SL_LOGICAL_TIMESTAMP)
            pgf_timestamp(sb, i);
        else
            pg_sb_printf(sb, "%lld", (long long)i);
        return 0;
    case SL_TYPE_FLOAT32:
    case SL_TYPE_FLOAT64:
        sl_value_get_double(v, &d);
        pgf_double(sb, d, t == SL_TYPE_FLOAT32);
        return 0;
    case SL_TYPE_BOOLEAN:
        pg_sb_putc(sb, sl_value_get_bool(v) ? 't' : 'f');
        return 0;
    case SL_TYPE_STRING: {
        const char *s = sl_value_get_string(v, &len);
        pgf_text(sb, s, len);
        return 0;
    }
    case SL_TYPE_BYTES: {
        const void *b = sl_value_get_bytes(v, &len);
        if (lg == SL_LOGICAL_DECIMAL) {
            const char *sc = sl_schema_parameter(schema, "scale");
            pgf_decimal(sb, b, len, sc ? (int32_t)strtol(sc, NULL, 10) : 0);
        } else {
            pgf_bytea(sb, b, len);
        }
        return 0;
    }
    case SL_TYPE_ARRAY:
    case SL_TYPE_MAP:
    case SL_TYPE_STRUCT: {
        char *json = sl_value_to_json(v, schema);
        if (json == NULL) {
            snprintf(err, err_size, "value cannot be rendered as JSON");
            return -1;
        }
        pgf_text(sb, json, strlen(json));
        free(json);
        return 0;
    }
    }
    snprintf(err, err_size, "unsupported value type %d", (int)t);
    return -1;
}
