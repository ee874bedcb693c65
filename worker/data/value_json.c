/* data/value_json.c: compact JSON text of a value exactly as Connect's JsonConverter with
 * schemas.enable=false writes it (Jackson number text, base64 bytes), plus base64 helpers. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/value_layout.h"

/* ---- a growable output buffer; on allocation failure it latches `oom` ---- */

typedef struct jbuf {
    char *d;
    size_t len, cap;
    bool oom;
} jbuf;

static void jb_put(jbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1) {
            if (cap > SIZE_MAX / 2) {
                b->oom = true;
                return;
            }
            cap *= 2;
        }
        char *nd = realloc(b->d, cap);
        if (nd == NULL) {
            b->oom = true;
            return;
        }
        b->d = nd;
        b->cap = cap;
    }
    memcpy(b->d + b->len, s, n);
    b->len += n;
    b->d[b->len] = '\0';
}

static void jb_puts(jbuf *b, const char *s) { jb_put(b, s, strlen(s)); }
static void jb_putc(jbuf *b, char c) { jb_put(b, &c, 1); }

/* ---- Java number text ---- */

static bool roundtrips(double d, bool is_float, int p, char *tmp, size_t size)
{
    snprintf(tmp, size, "%.*e", p - 1, d);
    return is_float ? strtof(tmp, NULL) == (float)d : strtod(tmp, NULL) == d;
}

/* The shortest decimal digits that read back to `d` (as a float when `is_float`), and the
 * decimal exponent of the first digit, as JDK 19+ Double.toString/Float.toString choose them:
 * the shortest length, the closest decimal at that length (printf rounds correctly), and at
 * least two digits' worth of precision (Double.MIN_VALUE prints 4.9E-324, not 5.0E-324).
 * Trailing zeros are dropped. */
static void shortest_digits(double d, bool is_float, char *digits, size_t dsize, int *exp10)
{
    char tmp[48];
    double a = fabs(d);
    if (a < (is_float ? 16777216.0 : 1e15) && a == floor(a)) {
        /* Integral values (the common 1.0, 100.0) print exactly: below 2^24 (float) or 2^53
         * (double) every integer is representable, so its own digits are the shortest. */
        snprintf(tmp, sizeof(tmp), "%.0f", a);
        size_t n = strlen(tmp);
        *exp10 = (int)n - 1;
        while (n > 1 && tmp[n - 1] == '0')
            n--;
        if (n >= dsize)
            n = dsize - 1;
        memcpy(digits, tmp, n);
        digits[n] = '\0';
        return;
    }
    /* Every decimal of up to DBL_DIG (15) significant digits survives a trip through a double
     * (FLT_DIG, 6, for a float). So if the 15-digit rendering reads back, the shortest form
     * is that rendering without its trailing zeros; otherwise 16 or 17 digits are needed, and
     * the first length that reads back is the shortest. One printf in the common case. */
    int prec = is_float ? 6 : 15, max = is_float ? 9 : 17;
    /* Subnormals have fewer significant bits: there the guarantee fails, so search from 2. */
    if (a < (is_float ? (double)FLT_MIN : DBL_MIN))
        prec = 2;
    while (!roundtrips(d, is_float, prec, tmp, sizeof(tmp)) && prec < max)
        prec++;
    /* tmp is "[-]D[.DDD]e[+-]XX" */
    const char *p = tmp;
    if (*p == '-')
        p++;
    size_t n = 0;
    for (; *p && *p != 'e'; p++)
        if (*p != '.' && n + 1 < dsize)
            digits[n++] = *p;
    while (n > 1 && digits[n - 1] == '0')
        n--;
    digits[n] = '\0';
    *exp10 = *p == 'e' ? atoi(p + 1) : 0;
}

/* Double.toString: plain notation for 1e-3 <= |d| < 1e7, else computerized scientific, always
 * with at least one fractional digit. */
static size_t java_number(double d, bool is_float, char *buf, size_t size)
{
    if (isnan(d))
        return (size_t)snprintf(buf, size, "NaN");
    if (isinf(d))
        return (size_t)snprintf(buf, size, d < 0 ? "-Infinity" : "Infinity");
    if (d == 0)
        return (size_t)snprintf(buf, size, signbit(d) ? "-0.0" : "0.0");
    char digits[32], out[64];
    int e;
    shortest_digits(d, is_float, digits, sizeof(digits), &e);
    size_t nd = strlen(digits), o = 0;
    double a = fabs(d);
    if (d < 0)
        out[o++] = '-';
    if (a >= 1e-3 && a < 1e7) {
        if (e >= 0) {
            for (int i = 0; i <= e; i++)
                out[o++] = (size_t)i < nd ? digits[i] : '0';
            out[o++] = '.';
            if ((size_t)e + 1 < nd)
                for (size_t i = (size_t)e + 1; i < nd; i++)
                    out[o++] = digits[i];
            else
                out[o++] = '0';
        } else {
            out[o++] = '0';
            out[o++] = '.';
            for (int i = 0; i < -e - 1; i++)
                out[o++] = '0';
            for (size_t i = 0; i < nd; i++)
                out[o++] = digits[i];
        }
        out[o] = '\0';
    } else {
        out[o++] = digits[0];
        out[o++] = '.';
        if (nd > 1)
            for (size_t i = 1; i < nd; i++)
                out[o++] = digits[i];
        else
            out[o++] = '0';
        snprintf(out + o, sizeof(out) - o, "E%d", e);
    }
    return (size_t)snprintf(buf, size, "%s", out);
}

size_t value_format_double(double d, char *buf, size_t size)
{
    return java_number(d, false, buf, size);
}

size_t value_format_float(float f, char *buf, size_t size)
{
    return java_number((double)f, true, buf, size);
}

/* ---- base64 ---- */

static const char k_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void b64_append(jbuf *b, const uint8_t *p, size_t len)
{
    char q[4];
    for (size_t i = 0; i < len; i += 3) {
        uint32_t n = (uint32_t)p[i] << 16;
        if (i + 1 < len)
            n |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < len)
            n |= p[i + 2];
        q[0] = k_b64[(n >> 18) & 63];
        q[1] = k_b64[(n >> 12) & 63];
        q[2] = i + 1 < len ? k_b64[(n >> 6) & 63] : '=';
        q[3] = i + 2 < len ? k_b64[n & 63] : '=';
        jb_put(b, q, 4);
    }
}

char *value_base64_encode(const void *data, size_t len, size_t *out_len)
{
    jbuf b = {0};
    jb_put(&b, "", 0); /* an empty input still yields an allocated "" */
    b64_append(&b, data, len);
    if (b.oom) {
        free(b.d);
        return NULL;
    }
    if (out_len)
        *out_len = b.len;
    return b.d;
}

static int b64_index(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

void *value_base64_decode(const char *text, size_t len, size_t *out_len)
{
    if (text == NULL && len != 0)
        return NULL;
    /* Padding is optional, but if present it must complete the last quantum. */
    size_t pad = 0;
    while (len > 0 && text[len - 1] == '=' && pad < 2) {
        len--;
        pad++;
    }
    if (len % 4 == 1 || (pad && (len + pad) % 4 != 0))
        return NULL;
    uint8_t *out = malloc(len / 4 * 3 + 3 + 1);
    if (out == NULL)
        return NULL;
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        int v = b64_index((unsigned char)text[i]);
        if (v < 0) {
            free(out);
            return NULL;
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    out[o] = '\0';
    if (out_len)
        *out_len = o;
    return out;
}

/* ---- JSON writing ---- */

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if malformed (overlong, surrogate,
 * above U+10FFFF, truncated). */
static size_t utf8_seq(const unsigned char *p, size_t avail)
{
    unsigned c = p[0];
    size_t n;
    unsigned min;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, min = 0x10000;
    else
        return 0;
    if (avail < n)
        return 0;
    unsigned cp = c & (0x3F >> (n - 1));
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* Jackson's escaping: '"', '\\', the short escapes for \b \t \n \f \r, \u00XX (upper-case hex)
 * for other control characters; everything else raw. Invalid UTF-8 becomes U+FFFD, as Java's
 * decoding of the bytes into a String would. */
static void json_string(jbuf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)s;
    jb_putc(b, '"');
    size_t i = 0, run = 0;
    while (i < len) {
        unsigned char c = p[i];
        const char *esc = NULL;
        char ubuf[7];
        size_t skip = 1;
        if (c < 0x80) {
            if (c == '"')
                esc = "\\\"";
            else if (c == '\\')
                esc = "\\\\";
            else if (c == '\b')
                esc = "\\b";
            else if (c == '\t')
                esc = "\\t";
            else if (c == '\n')
                esc = "\\n";
            else if (c == '\f')
                esc = "\\f";
            else if (c == '\r')
                esc = "\\r";
            else if (c < 0x20) {
                memcpy(ubuf, "\\u00", 4);
                ubuf[4] = hex[c >> 4];
                ubuf[5] = hex[c & 15];
                ubuf[6] = '\0';
                esc = ubuf;
            }
        } else {
            skip = utf8_seq(p + i, len - i);
            if (skip == 0) {
                esc = "\xEF\xBF\xBD";
                skip = 1;
            }
        }
        if (esc == NULL) {
            i += skip;
            run += skip;
            continue;
        }
        jb_put(b, s + i - run, run);
        run = 0;
        jb_puts(b, esc);
        i += skip;
    }
    jb_put(b, s + i - run, run);
    jb_putc(b, '"');
}

static void json_value(jbuf *b, const sl_value *v, const sl_schema *s);

/* JsonConverter writes a map as an object when its keys are strings (by the key schema, or,
 * schemaless, when every key is a string), else as an array of [key, value] pairs. */
static void json_map(jbuf *b, const sl_value *v, const sl_schema *s)
{
    const sl_schema *ks = s && s->type == SL_TYPE_MAP ? s->key_schema : NULL;
    const sl_schema *vs = s && s->type == SL_TYPE_MAP ? s->value_schema : NULL;
    bool object = ks == NULL || ks->type == SL_TYPE_STRING;
    for (size_t i = 0; object && i < v->u.map.len; i++) {
        const sl_value *k = v->u.map.entries[i].key;
        object = k && k->type == SL_TYPE_STRING;
    }
    jb_putc(b, object ? '{' : '[');
    for (size_t i = 0; i < v->u.map.len; i++) {
        const value_entry *e = &v->u.map.entries[i];
        if (i)
            jb_putc(b, ',');
        if (object) {
            json_string(b, e->key->u.buf.data, e->key->u.buf.len);
            jb_putc(b, ':');
            json_value(b, e->value, vs);
        } else {
            jb_putc(b, '[');
            json_value(b, e->key, ks);
            jb_putc(b, ',');
            json_value(b, e->value, vs);
            jb_putc(b, ']');
        }
    }
    jb_putc(b, object ? '}' : ']');
}

static void json_value(jbuf *b, const sl_value *v, const sl_schema *s)
{
    char num[40];
    if (v == NULL) {
        /* JsonConverter substitutes the schema's default for a null (replace.null.with.default
         * is true by default). */
        if (s && s->def)
            json_value(b, s->def, s);
        else
            jb_puts(b, "null");
        return;
    }
    switch (v->type) {
    case SL_TYPE_INT8:
    case SL_TYPE_INT16:
    case SL_TYPE_INT32:
    case SL_TYPE_INT64:
        snprintf(num, sizeof(num), "%lld", (long long)v->u.i);
        jb_puts(b, num);
        return;
    case SL_TYPE_FLOAT32:
    case SL_TYPE_FLOAT64: {
        bool f = v->type == SL_TYPE_FLOAT32;
        double d = f ? (double)v->u.f32 : v->u.f64;
        java_number(d, f, num, sizeof(num));
        /* Jackson quotes non-finite numbers by default (QUOTE_NON_NUMERIC_NUMBERS). */
        if (isfinite(d))
            jb_puts(b, num);
        else
            json_string(b, num, strlen(num));
        return;
    }
    case SL_TYPE_BOOLEAN:
        jb_puts(b, v->u.b ? "true" : "false");
        return;
    case SL_TYPE_STRING:
        json_string(b, v->u.buf.data, v->u.buf.len);
        return;
    case SL_TYPE_BYTES:
        /* Plain bytes and Decimal (decimal.format=BASE64, the default) alike: base64 of the
         * bytes, which for a Decimal are its unscaled value. */
        jb_putc(b, '"');
        b64_append(b, (const uint8_t *)v->u.buf.data, v->u.buf.len);
        jb_putc(b, '"');
        return;
    case SL_TYPE_ARRAY: {
        const sl_schema *es = s && s->type == SL_TYPE_ARRAY ? s->value_schema : NULL;
        jb_putc(b, '[');
        for (size_t i = 0; i < v->u.arr.len; i++) {
            if (i)
                jb_putc(b, ',');
            json_value(b, v->u.arr.items[i], es);
        }
        jb_putc(b, ']');
        return;
    }
    case SL_TYPE_MAP:
        json_map(b, v, s);
        return;
    case SL_TYPE_STRUCT: {
        /* Fields in schema order, each with its own schema (the struct's, which is the one
         * that describes its slots). */
        const sl_schema *ss = v->u.st.schema;
        jb_putc(b, '{');
        for (size_t i = 0; i < ss->nfields && i < v->u.st.n; i++) {
            if (i)
                jb_putc(b, ',');
            json_string(b, ss->fields[i].name, strlen(ss->fields[i].name));
            jb_putc(b, ':');
            json_value(b, v->u.st.fields[i], ss->fields[i].schema);
        }
        jb_putc(b, '}');
        return;
    }
    default:
        jb_puts(b, "null");
        return;
    }
}

char *value_to_json_len(const sl_value *v, const sl_schema *schema, size_t *len)
{
    jbuf b = {0};
    json_value(&b, v, schema);
    if (b.oom) {
        free(b.d);
        return NULL;
    }
    if (len)
        *len = b.len;
    return b.d;
}

char *sl_value_to_json(const sl_value *v, const sl_schema *schema)
{
    return value_to_json_len(v, schema, NULL);
}
