/* transforms/smt_text.c: Java-compatible number text (Double.toString, strict parsers),
 * base64, Connect Decimal <-> text, and the header-literal subset of Values.parseString. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smt.h"
#include "smt_text.h"

/* ==== Double.toString / Float.toString ==== */

/* Shortest "%.*e" text of `d` that reads back to the same double (or float when `as_float`):
 * the digits without the point into `digits` and the decimal exponent of the first digit. */
static void shortest_digits(double d, bool as_float, char *digits, size_t size, int *exp10)
{
    char buf[40];
    int maxp = as_float ? 9 : 17;
    for (int p = 1; p <= maxp; p++) {
        snprintf(buf, sizeof(buf), "%.*e", p - 1, d);
        bool same = as_float ? strtof(buf, NULL) == (float)d : strtod(buf, NULL) == d;
        if (same || p == maxp)
            break;
    }
    /* buf is "d.ddde+XX" or "de+XX" */
    size_t o = 0;
    const char *c = buf;
    for (; *c && *c != 'e'; c++)
        if (isdigit((unsigned char)*c) && o + 1 < size)
            digits[o++] = *c;
    while (o > 1 && digits[o - 1] == '0') /* trailing zeros carry no information */
        o--;
    digits[o] = '\0';
    *exp10 = *c == 'e' ? atoi(c + 1) : 0;
}

static size_t java_float_text(double d, bool as_float, char *out, size_t size)
{
    if (isnan(d))
        return (size_t)snprintf(out, size, "NaN");
    if (isinf(d))
        return (size_t)snprintf(out, size, d < 0 ? "-Infinity" : "Infinity");
    if (d == 0)
        return (size_t)snprintf(out, size, signbit(d) ? "-0.0" : "0.0");
    char digits[32], text[64];
    int e;
    shortest_digits(fabs(d), as_float, digits, sizeof(digits), &e);
    size_t nd = strlen(digits), o = 0;
    if (d < 0)
        text[o++] = '-';
    double a = fabs(d);
    if (a >= 1e-3 && a < 1e7) {
        if (e >= 0) {
            for (int i = 0; i <= e; i++)
                text[o++] = (size_t)i < nd ? digits[i] : '0';
            text[o++] = '.';
            if ((size_t)e + 1 < nd)
                for (size_t i = (size_t)e + 1; i < nd; i++)
                    text[o++] = digits[i];
            else
                text[o++] = '0';
        } else {
            text[o++] = '0';
            text[o++] = '.';
            for (int i = 0; i < -e - 1; i++)
                text[o++] = '0';
            for (size_t i = 0; i < nd; i++)
                text[o++] = digits[i];
        }
        text[o] = '\0';
    } else {
        text[o++] = digits[0];
        text[o++] = '.';
        if (nd > 1)
            for (size_t i = 1; i < nd; i++)
                text[o++] = digits[i];
        else
            text[o++] = '0';
        snprintf(text + o, sizeof(text) - o, "E%d", e);
    }
    return (size_t)snprintf(out, size, "%s", text);
}

size_t smt_format_double(double d, char *buf, size_t size)
{
    return java_float_text(d, false, buf, size);
}

size_t smt_format_float(float f, char *buf, size_t size)
{
    return java_float_text((double)f, true, buf, size);
}

/* ==== strict parsers ==== */

int smt_parse_integer(const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (s == NULL || *s == '\0')
        return SL_ERR;
    bool neg = false;
    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    if (*s == '\0')
        return SL_ERR;
    /* accumulate negatively so that Long.MIN_VALUE fits */
    __int128 v = 0;
    for (; *s; s++) {
        if (!isdigit((unsigned char)*s))
            return SL_ERR;
        v = v * 10 - (*s - '0');
        if (v < -((__int128)1 << 64))
            return SL_ERR;
    }
    if (!neg)
        v = -v;
    if (v < min || v > max)
        return SL_ERR;
    *out = (int64_t)v;
    return SL_OK;
}

/* Java's decimal floating literal: digits with an optional point, an optional exponent. */
static bool java_decimal_syntax(const char *s, size_t len)
{
    size_t i = 0, digits = 0;
    while (i < len && isdigit((unsigned char)s[i]))
        i++, digits++;
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && isdigit((unsigned char)s[i]))
            i++, digits++;
    }
    if (digits == 0)
        return false;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t ed = 0;
        while (i < len && isdigit((unsigned char)s[i]))
            i++, ed++;
        if (ed == 0)
            return false;
    }
    return i == len;
}

int smt_parse_double(const char *s, double *out)
{
    if (s == NULL)
        return SL_ERR;
    while (*s && (unsigned char)*s <= ' ') /* String.trim() */
        s++;
    size_t len = strlen(s);
    while (len > 0 && (unsigned char)s[len - 1] <= ' ')
        len--;
    char buf[128];
    if (len == 0 || len >= sizeof(buf))
        return SL_ERR;
    memcpy(buf, s, len);
    buf[len] = '\0';
    const char *body = buf;
    bool neg = false;
    if (*body == '+' || *body == '-')
        neg = *body++ == '-';
    if (strcmp(body, "NaN") == 0) {
        *out = NAN;
        return SL_OK;
    }
    if (strcmp(body, "Infinity") == 0) {
        *out = neg ? -INFINITY : INFINITY;
        return SL_OK;
    }
    size_t blen = strlen(body);
    bool hex = blen > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X');
    if (blen > 0 && strchr("fFdD", body[blen - 1]) != NULL && (!hex || strpbrk(body, "pP")))
        buf[--len] = '\0', blen--;
    if (hex) {
        if (strpbrk(body, "pP") == NULL) /* Java requires the binary exponent */
            return SL_ERR;
    } else if (!java_decimal_syntax(body, blen)) {
        return SL_ERR;
    }
    char *end = NULL;
    double v = strtod(buf, &end);
    if (end == NULL || *end != '\0')
        return SL_ERR;
    *out = v;
    return SL_OK;
}

/* ==== base64 ==== */

char *smt_base64(const void *data, size_t len)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = data;
    char *out = malloc((len + 2) / 3 * 4 + 1);
    if (out == NULL)
        return NULL;
    size_t o = 0, i = 0;
    for (; i + 2 < len; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
        out[o++] = tbl[v >> 18 & 63];
        out[o++] = tbl[v >> 12 & 63];
        out[o++] = tbl[v >> 6 & 63];
        out[o++] = tbl[v & 63];
    }
    if (i < len) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < len ? (unsigned)p[i + 1] << 8 : 0);
        out[o++] = tbl[v >> 18 & 63];
        out[o++] = tbl[v >> 12 & 63];
        out[o++] = i + 1 < len ? tbl[v >> 6 & 63] : '=';
        out[o++] = '=';
    }
    out[o] = '\0';
    return out;
}

/* ==== decimals ==== */

/* The unscaled value as sign and decimal digits (no leading zeros; "0" for zero). */
static char *decimal_digits(const void *bytes, size_t len, bool *neg)
{
    const unsigned char *b = bytes;
    if (len == 0)
        return NULL;
    unsigned char *mag = malloc(len);
    char *digits = malloc(len * 3 + 2);
    if (mag == NULL || digits == NULL) {
        free(mag);
        free(digits);
        return NULL;
    }
    *neg = (b[0] & 0x80) != 0;
    memcpy(mag, b, len);
    if (*neg) { /* two's complement negation: invert, add one */
        unsigned carry = 1;
        for (size_t i = len; i-- > 0;) {
            unsigned v = (unsigned)(unsigned char)~mag[i] + carry;
            mag[i] = (unsigned char)v;
            carry = v >> 8;
        }
    }
    size_t nd = 0;
    bool nonzero = true;
    while (nonzero) {
        unsigned rem = 0;
        nonzero = false;
        for (size_t i = 0; i < len; i++) {
            unsigned cur = rem << 8 | mag[i];
            mag[i] = (unsigned char)(cur / 10);
            rem = cur % 10;
            nonzero |= mag[i] != 0;
        }
        digits[nd++] = (char)('0' + rem);
    }
    free(mag);
    for (size_t i = 0; i < nd / 2; i++) {
        char t = digits[i];
        digits[i] = digits[nd - 1 - i];
        digits[nd - 1 - i] = t;
    }
    digits[nd] = '\0';
    if (nd == 1 && digits[0] == '0')
        *neg = false;
    return digits;
}

char *smt_decimal_string(const void *bytes, size_t len, int32_t scale)
{
    bool neg = false;
    char *d = decimal_digits(bytes, len, &neg);
    if (d == NULL)
        return NULL;
    size_t nd = strlen(d);
    int64_t adjusted = -(int64_t)scale + (int64_t)nd - 1;
    char *out = malloc(nd + (size_t)(scale > 0 ? scale : 0) + 32);
    if (out == NULL) {
        free(d);
        return NULL;
    }
    size_t o = 0;
    if (neg)
        out[o++] = '-';
    if (scale == 0) {
        memcpy(out + o, d, nd);
        o += nd;
    } else if (scale > 0 && adjusted >= -6) { /* BigDecimal.toString's plain form */
        if (nd > (size_t)scale) {
            memcpy(out + o, d, nd - (size_t)scale);
            o += nd - (size_t)scale;
            out[o++] = '.';
            memcpy(out + o, d + nd - (size_t)scale, (size_t)scale);
            o += (size_t)scale;
        } else {
            out[o++] = '0';
            out[o++] = '.';
            for (size_t i = nd; i < (size_t)scale; i++)
                out[o++] = '0';
            memcpy(out + o, d, nd);
            o += nd;
        }
    } else { /* scientific: d.ddd E[+-]n */
        out[o++] = d[0];
        if (nd > 1) {
            out[o++] = '.';
            memcpy(out + o, d + 1, nd - 1);
            o += nd - 1;
        }
        o += (size_t)sprintf(out + o, "E%s%lld", adjusted >= 0 ? "+" : "", (long long)adjusted);
    }
    out[o] = '\0';
    free(d);
    return out;
}

int smt_decimal_double(const void *bytes, size_t len, int32_t scale, double *out)
{
    char *s = smt_decimal_string(bytes, len, scale);
    if (s == NULL)
        return SL_ERR;
    *out = strtod(s, NULL);
    free(s);
    return SL_OK;
}

int smt_decimal_long(const void *bytes, size_t len, int32_t scale, int64_t *out)
{
    bool neg = false;
    char *d = decimal_digits(bytes, len, &neg);
    if (d == NULL)
        return SL_ERR;
    size_t nd = strlen(d);
    size_t keep = nd;
    if (scale > 0)
        keep = nd > (size_t)scale ? nd - (size_t)scale : 0;
    uint64_t v = 0; /* wraps modulo 2^64 like BigInteger.longValue */
    for (size_t i = 0; i < keep; i++)
        v = v * 10u + (uint64_t)(d[i] - '0');
    for (int32_t i = 0; scale < 0 && i < -scale && v != 0; i++)
        v *= 10u;
    free(d);
    if (neg)
        v = ~v + 1u;
    *out = (int64_t)v;
    return SL_OK;
}

/* Parsed BigDecimal text: sign, coefficient digits, digits after the point, exponent. */
typedef struct dec_text {
    bool neg;
    char digits[64];
    size_t nd;
    int64_t frac;
    int64_t exp;
} dec_text;

static bool parse_dec_text(const char *s, dec_text *t)
{
    memset(t, 0, sizeof(*t));
    if (*s == '+' || *s == '-')
        t->neg = *s++ == '-';
    bool any = false, point = false;
    for (; *s && (isdigit((unsigned char)*s) || (*s == '.' && !point)); s++) {
        if (*s == '.') {
            point = true;
            continue;
        }
        any = true;
        if (t->nd == 0 && *s == '0') { /* leading zeros add nothing but may be fraction */
            if (point)
                t->frac++;
            continue;
        }
        if (t->nd + 1 >= sizeof(t->digits))
            return false;
        t->digits[t->nd++] = *s;
        if (point)
            t->frac++;
    }
    if (!any)
        return false;
    if (*s == 'e' || *s == 'E') {
        char *end = NULL;
        long long e = strtoll(s + 1, &end, 10);
        if (end == s + 1 || *end != '\0' || e > 100000 || e < -100000 ||
            !isdigit((unsigned char)end[-1]))
            return false;
        t->exp = e;
        s = end;
    }
    return *s == '\0';
}

/* The coefficient times 10^(exp - frac + scale) as an exact int64. */
static bool dec_exact(const dec_text *t, int32_t scale, int64_t *out)
{
    int64_t k = t->exp - t->frac + scale;
    size_t nd = t->nd;
    while (k < 0 && nd > 0 && t->digits[nd - 1] == '0')
        nd--, k++;
    if (nd == 0) {
        *out = 0;
        return true;
    }
    if (k < 0)
        return false;
    __int128 v = 0;
    for (size_t i = 0; i < nd; i++) {
        v = v * 10 + (t->digits[i] - '0');
        if (v > ((__int128)1 << 63))
            return false;
    }
    for (int64_t i = 0; i < k; i++) {
        v *= 10;
        if (v > ((__int128)1 << 63))
            return false;
    }
    if (t->neg)
        v = -v;
    if (v > INT64_MAX || v < INT64_MIN)
        return false;
    *out = (int64_t)v;
    return true;
}

sl_value *smt_decimal_parse(const char *text, int32_t scale)
{
    dec_text t;
    int64_t v;
    if (text == NULL || !parse_dec_text(text, &t) || !dec_exact(&t, scale, &v))
        return NULL;
    return sl_value_new_decimal_i64(v);
}

/* ==== Values.parseString subset ==== */

int smt_parse_literal(const char *text, sl_schema **schema, sl_value **value)
{
    *schema = NULL;
    *value = NULL;
    if (text == NULL)
        return SL_OK;
    const char *t = text;
    while (isspace((unsigned char)*t))
        t++;
    size_t len = strlen(t);
    while (len > 0 && isspace((unsigned char)t[len - 1]))
        len--;
    char tok[128];
    bool small = len < sizeof(tok);
    if (small) {
        memcpy(tok, t, len);
        tok[len] = '\0';
    }
    if (small && len > 0) {
        if (strcmp(tok, "null") == 0)
            return SL_OK;
        if (strcmp(tok, "true") == 0 || strcmp(tok, "false") == 0) {
            *schema = smt_primitive(SL_TYPE_BOOLEAN, false);
            *value = sl_value_new_boolean(tok[0] == 't');
            return *value ? SL_OK : SL_ERR;
        }
        dec_text d;
        int64_t iv;
        if ((isdigit((unsigned char)tok[0]) || tok[0] == '+' || tok[0] == '-') &&
            parse_dec_text(tok, &d)) {
            if (dec_exact(&d, 0, &iv)) {
                if (iv >= INT8_MIN && iv <= INT8_MAX) {
                    *schema = smt_primitive(SL_TYPE_INT8, false);
                    *value = sl_value_new_int8((int8_t)iv);
                } else if (iv >= INT16_MIN && iv <= INT16_MAX) {
                    *schema = smt_primitive(SL_TYPE_INT16, false);
                    *value = sl_value_new_int16((int16_t)iv);
                } else if (iv >= INT32_MIN && iv <= INT32_MAX) {
                    *schema = smt_primitive(SL_TYPE_INT32, false);
                    *value = sl_value_new_int32((int32_t)iv);
                } else {
                    *schema = smt_primitive(SL_TYPE_INT64, false);
                    *value = sl_value_new_int64(iv);
                }
                return *value ? SL_OK : SL_ERR;
            }
            double dv = strtod(tok, NULL);
            if (d.frac != 0 || d.exp != 0) {
                if (isfinite((float)dv)) {
                    *schema = smt_primitive(SL_TYPE_FLOAT32, false);
                    *value = sl_value_new_float32((float)dv);
                    return *value ? SL_OK : SL_ERR;
                }
                if (isfinite(dv)) {
                    *schema = smt_primitive(SL_TYPE_FLOAT64, false);
                    *value = sl_value_new_float64(dv);
                    return *value ? SL_OK : SL_ERR;
                }
            }
        }
    }
    *schema = smt_primitive(SL_TYPE_STRING, false);
    *value = sl_value_new_string(text, strlen(text));
    return *value ? SL_OK : SL_ERR;
}
