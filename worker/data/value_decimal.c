/* data/value_decimal.c: Decimal text conversions (BigDecimal.toString of an unscaled
 * two's-complement value, and parsing decimal text at a fixed scale) for the converters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/value_layout.h"

/* Bounds that keep hostile input from costing quadratic time: far beyond any real
 * DECIMAL column (Java's BigDecimal is unbounded, databases stop at a few dozen digits). */
#define DECIMAL_MAX_BYTES 4096
#define DECIMAL_MAX_DIGITS 10000

/* Magnitude (base 256, big-endian) to decimal digits, by repeated division by 10^9. Returns a
 * malloc'd NUL-terminated digit string ("0" for zero) or NULL. Destroys `mag`. */
static char *mag_to_digits(uint8_t *mag, size_t n)
{
    size_t cap = n * 3 + 2, o = 0;
    char *rev = malloc(cap);
    if (rev == NULL)
        return NULL;
    size_t start = 0;
    while (start < n && mag[start] == 0)
        start++;
    while (start < n) {
        uint64_t rem = 0;
        for (size_t i = start; i < n; i++) {
            uint64_t cur = (rem << 8) | mag[i];
            mag[i] = (uint8_t)(cur / 1000000000u);
            rem = cur % 1000000000u;
        }
        while (start < n && mag[start] == 0)
            start++;
        /* Nine digits per chunk, except no leading zeros on the last (most significant). */
        for (int k = 0; k < 9 && (start < n || rem != 0); k++) {
            rev[o++] = (char)('0' + rem % 10);
            rem /= 10;
        }
    }
    if (o == 0)
        rev[o++] = '0';
    char *out = malloc(o + 1);
    if (out) {
        for (size_t i = 0; i < o; i++)
            out[i] = rev[o - 1 - i];
        out[o] = '\0';
    }
    free(rev);
    return out;
}

char *value_decimal_to_string(const void *bytes, size_t len, int32_t scale)
{
    if (bytes == NULL || len == 0 || len > DECIMAL_MAX_BYTES)
        return NULL;
    const uint8_t *b = bytes;
    bool neg = b[0] & 0x80;
    uint8_t *mag = malloc(len);
    if (mag == NULL)
        return NULL;
    /* Two's complement negation: invert and add one, from the least significant byte. */
    unsigned carry = 1;
    for (size_t i = len; i-- > 0;) {
        unsigned x = neg ? (uint8_t)~b[i] + carry : b[i];
        mag[i] = (uint8_t)x;
        carry = neg ? x >> 8 : 0;
    }
    char *digits = mag_to_digits(mag, len);
    free(mag);
    if (digits == NULL)
        return NULL;
    size_t nd = strlen(digits);
    int64_t adjusted = -(int64_t)scale + (int64_t)(nd - 1);
    /* Plain form with adjusted >= -6 implies scale <= nd + 6, so this stays small. */
    size_t cap = nd + 40 + (scale > 0 && adjusted >= -6 ? (size_t)scale : 0);
    char *out = malloc(cap);
    if (out == NULL) {
        free(digits);
        return NULL;
    }
    size_t o = 0;
    if (neg && strcmp(digits, "0") != 0)
        out[o++] = '-';
    if (scale == 0) {
        memcpy(out + o, digits, nd);
        o += nd;
    } else if (scale > 0 && adjusted >= -6) {
        /* BigDecimal.toString's plain form. */
        if (nd > (size_t)scale) {
            size_t ip = nd - (size_t)scale;
            memcpy(out + o, digits, ip);
            o += ip;
            out[o++] = '.';
            memcpy(out + o, digits + ip, (size_t)scale);
            o += (size_t)scale;
        } else {
            out[o++] = '0';
            out[o++] = '.';
            for (size_t i = nd; i < (size_t)scale; i++)
                out[o++] = '0';
            memcpy(out + o, digits, nd);
            o += nd;
        }
    } else {
        /* Scientific: one digit, the rest after a point, then E with an explicit sign. */
        out[o++] = digits[0];
        if (nd > 1) {
            out[o++] = '.';
            memcpy(out + o, digits + 1, nd - 1);
            o += nd - 1;
        }
        o += (size_t)snprintf(out + o, cap - o, "E%s%lld", adjusted >= 0 ? "+" : "",
                              (long long)adjusted);
    }
    out[o] = '\0';
    free(digits);
    return out;
}

static void set_err(char *errstr, size_t errstr_size, const char *msg)
{
    if (errstr && errstr_size)
        snprintf(errstr, errstr_size, "%s", msg);
}

sl_value *value_decimal_parse(const char *text, size_t len, int32_t scale, char *errstr,
                              size_t errstr_size)
{
    if (text == NULL || len == 0) {
        set_err(errstr, errstr_size, "empty decimal");
        return NULL;
    }
    size_t i = 0;
    bool neg = false;
    if (text[i] == '-' || text[i] == '+')
        neg = text[i++] == '-';
    /* Collect significant digits and count the fractional ones. */
    char *digits = malloc(len + 1);
    if (digits == NULL)
        return NULL;
    size_t nd = 0;
    int64_t frac = 0;
    bool seen_digit = false, seen_dot = false;
    for (; i < len; i++) {
        char c = text[i];
        if (c >= '0' && c <= '9') {
            seen_digit = true;
            if (nd > 0 || c != '0')
                digits[nd++] = c;
            if (seen_dot)
                frac++;
        } else if (c == '.' && !seen_dot) {
            seen_dot = true;
        } else {
            break;
        }
    }
    int64_t exp = 0;
    if (seen_digit && i < len && (text[i] == 'e' || text[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < len && (text[i] == '-' || text[i] == '+'))
            eneg = text[i++] == '-';
        if (i == len)
            seen_digit = false;
        for (; i < len && text[i] >= '0' && text[i] <= '9'; i++) {
            exp = exp * 10 + (text[i] - '0');
            if (exp > DECIMAL_MAX_DIGITS * 2) {
                seen_digit = false;
                break;
            }
        }
        if (eneg)
            exp = -exp;
    }
    if (!seen_digit || i != len || nd > DECIMAL_MAX_DIGITS) {
        free(digits);
        set_err(errstr, errstr_size, "not a decimal number");
        return NULL;
    }
    /* The text means digits * 10^-(frac - exp); bring it to exactly `scale`. */
    int64_t shift = (int64_t)scale - (frac - exp);
    if (nd == 0) {
        shift = 0; /* zero at any scale */
    } else if (shift < 0) {
        for (int64_t k = 0; k < -shift; k++) {
            if (nd == 0 || digits[nd - 1] != '0') {
                free(digits);
                set_err(errstr, errstr_size, "decimal value needs rounding at the schema's scale");
                return NULL;
            }
            nd--;
        }
        shift = 0;
    }
    if (nd + (size_t)shift > DECIMAL_MAX_DIGITS) {
        free(digits);
        set_err(errstr, errstr_size, "decimal value too large");
        return NULL;
    }
    /* Base-256 magnitude, big-endian, built by multiply-add per decimal digit. */
    size_t total = nd + (size_t)shift, cap = total / 2 + 2, n = 1;
    uint8_t *mag = calloc(cap, 1);
    if (mag == NULL) {
        free(digits);
        return NULL;
    }
    for (size_t d = 0; d < total; d++) {
        unsigned carry = d < nd ? (unsigned)(digits[d] - '0') : 0;
        for (size_t k = cap; k-- > cap - n;) {
            unsigned x = mag[k] * 10u + carry;
            mag[k] = (uint8_t)x;
            carry = x >> 8;
        }
        if (carry)
            mag[cap - ++n] = (uint8_t)carry;
    }
    free(digits);
    /* Leading zero byte when the top bit is set, so the magnitude reads as positive. */
    uint8_t *m = mag + (cap - n);
    while (n > 1 && m[0] == 0 && !(m[1] & 0x80))
        m++, n--;
    if (m[0] & 0x80)
        m--, n++;
    if (neg) {
        unsigned carry = 1;
        for (size_t k = n; k-- > 0;) {
            unsigned x = (uint8_t)~m[k] + carry;
            m[k] = (uint8_t)x;
            carry = x >> 8;
        }
        /* -2^(8k-1) has a redundant leading 0xFF after negation: drop it. */
        while (n > 1 && m[0] == 0xff && (m[1] & 0x80))
            m++, n--;
    }
    sl_value *v = sl_value_new_bytes(m, n);
    free(mag);
    if (v == NULL)
        set_err(errstr, errstr_size, "out of memory");
    return v;
}
