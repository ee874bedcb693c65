/* data/json_read.c: the JsonConverter's reader: validates JSON (RFC 8259, UTF-8) and builds
 * Connect values straight from the bytes, schemaless or driven by a schema as
 * JsonConverter.convertToConnect does, without an intermediate tree. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "data/conv_text.h"

static int syntax(jsonc_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int syntax(jsonc_reader *r, const char *fmt, ...)
{
    jsonc_err *e = &r->err;
    if (e->kind != JSONC_ERR_NONE)
        return SL_ERR;
    e->kind = JSONC_ERR_SYNTAX;
    e->offset = (size_t)(r->p - r->base);
    e->path[0] = '\0';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    return SL_ERR;
}

int jsonc_nomem(jsonc_reader *r)
{
    return jsonc_err_set(&r->err, JSONC_ERR_NOMEM, "out of memory");
}

/* A printable description of the byte at p for messages. */
int jsonc_unexpected(jsonc_reader *r, const char *expected)
{
    if (r->p >= r->end)
        return syntax(r, "Unexpected end of input: expected %s", expected);
    unsigned c = *r->p;
    if (c >= 0x20 && c < 0x7f)
        return syntax(r, "Unexpected character ('%c' (code %u)): expected %s", (int)c, c,
                      expected);
    return syntax(r, "Unexpected byte 0x%02X: expected %s", c, expected);
}

void jsonc_reader_reset(jsonc_reader *r, const void *data, size_t len)
{
    r->base = r->p = data;
    r->end = r->base + len;
    r->depth = 0;
    r->err.kind = JSONC_ERR_NONE;
    r->err.msg[0] = '\0';
    r->err.path[0] = '\0';
    r->err.offset = 0;
    r->scratch.len = 0;
}

void jsonc_reader_fini(jsonc_reader *r) { jsonc_buf_free(&r->scratch); }

const char *jsonc_peek_type(const jsonc_reader *r)
{
    if (r->p >= r->end)
        return "MISSING";
    switch (*r->p) {
    case '{':
        return "OBJECT";
    case '[':
        return "ARRAY";
    case '"':
        return "STRING";
    case 't':
    case 'f':
        return "BOOLEAN";
    case 'n':
        return "NULL";
    default:
        return "NUMBER";
    }
}

/* ---- strings ---- */

static void put_utf8(jsonc_buf *b, unsigned cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    jsonc_buf_put(b, u, n);
}

static int hex4(const unsigned char *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = p[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        v = (v << 4) | d;
    }
    *out = v;
    return 0;
}

/* Decode the rest of a string that contains escapes into the scratch buffer; r->p is at the
 * first backslash and [start, r->p) has already been validated. */
static int read_string_slow(jsonc_reader *r, const unsigned char *start, const char **s,
                            size_t *len)
{
    jsonc_buf *b = &r->scratch;
    b->len = 0;
    jsonc_buf_put(b, start, (size_t)(r->p - start));
    for (;;) {
        const unsigned char *run = r->p;
        while (r->p < r->end) {
            unsigned c = *r->p;
            if (c == '"' || c == '\\' || c < 0x20)
                break;
            if (c < 0x80) {
                r->p++;
                continue;
            }
            size_t n = conv_utf8_seq(r->p, (size_t)(r->end - r->p));
            if (n == 0)
                return syntax(r, "Invalid UTF-8 in string");
            r->p += n;
        }
        jsonc_buf_put(b, run, (size_t)(r->p - run));
        if (r->p >= r->end)
            return syntax(r, "Unexpected end of input in string");
        unsigned c = *r->p;
        if (c == '"') {
            r->p++;
            break;
        }
        if (c < 0x20)
            return syntax(r, "Illegal unquoted character (code %u) in string: it must be escaped",
                          c);
        /* A backslash escape. */
        if (r->end - r->p < 2)
            return syntax(r, "Unexpected end of input in string escape");
        unsigned e = r->p[1];
        r->p += 2;
        switch (e) {
        case '"':
        case '\\':
        case '/':
            jsonc_buf_putc(b, (char)e);
            break;
        case 'b':
            jsonc_buf_putc(b, '\b');
            break;
        case 'f':
            jsonc_buf_putc(b, '\f');
            break;
        case 'n':
            jsonc_buf_putc(b, '\n');
            break;
        case 'r':
            jsonc_buf_putc(b, '\r');
            break;
        case 't':
            jsonc_buf_putc(b, '\t');
            break;
        case 'u': {
            unsigned cp, lo;
            if (r->end - r->p < 4 || hex4(r->p, &cp) < 0)
                return syntax(r, "Invalid \\u escape in string");
            r->p += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && r->end - r->p >= 6 && r->p[0] == '\\' &&
                r->p[1] == 'u' && hex4(r->p + 2, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
                r->p += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xD800 && cp <= 0xDFFF) {
                /* A lone surrogate: Java keeps it in the String and writes '?' when encoding;
                 * we cannot hold it in UTF-8, so it becomes U+FFFD rather than failing. */
                cp = 0xFFFD;
            }
            put_utf8(b, cp);
            break;
        }
        default:
            r->p -= 1;
            return syntax(r, "Unrecognized character escape '\\%c'",
                          e >= 0x20 && e < 0x7f ? (int)e : '?');
        }
    }
    if (b->oom)
        return jsonc_nomem(r);
    /* Keep the scratch copy NUL-terminated for callers that want a C string. */
    jsonc_buf_putc(b, '\0');
    if (b->oom)
        return jsonc_nomem(r);
    *s = b->data;
    *len = b->len - 1;
    return SL_OK;
}

int jsonc_read_string(jsonc_reader *r, const char **s, size_t *len)
{
    if (r->p >= r->end || *r->p != '"')
        return jsonc_unexpected(r, "a string");
    const unsigned char *start = ++r->p;
    /* Fast path: no escapes, so the string is the input bytes themselves. */
    while (r->p < r->end) {
        unsigned c = *r->p;
        if (c == '"') {
            *s = (const char *)start;
            *len = (size_t)(r->p - start);
            r->p++;
            return SL_OK;
        }
        if (c == '\\')
            return read_string_slow(r, start, s, len);
        if (c < 0x20)
            return syntax(r, "Illegal unquoted character (code %u) in string: it must be escaped",
                          c);
        if (c < 0x80) {
            r->p++;
            continue;
        }
        size_t n = conv_utf8_seq(r->p, (size_t)(r->end - r->p));
        if (n == 0)
            return syntax(r, "Invalid UTF-8 in string");
        r->p += n;
    }
    return syntax(r, "Unexpected end of input in string");
}

/* ---- numbers and literals ---- */

static inline bool is_digit(unsigned c) { return c >= '0' && c <= '9'; }

int jsonc_read_number(jsonc_reader *r, jsonc_num *n)
{
    const unsigned char *p = r->p, *end = r->end, *start = p;
    bool neg = false;
    if (p < end && *p == '-') {
        neg = true;
        p++;
    }
    if (p >= end) {
        r->p = p;
        return syntax(r, "Unexpected end of input in number");
    }
    if (*p == '0') {
        p++;
        if (p < end && is_digit(*p)) {
            r->p = p;
            return syntax(r, "Invalid numeric value: leading zeroes not allowed");
        }
    } else if (*p >= '1' && *p <= '9') {
        while (p < end && is_digit(*p))
            p++;
    } else {
        r->p = p;
        return jsonc_unexpected(r, "a value");
    }
    const unsigned char *int_end = p;
    bool integral = true;
    if (p < end && *p == '.') {
        p++;
        if (p >= end || !is_digit(*p)) {
            r->p = p;
            return syntax(r, "Invalid numeric value: decimal point must be followed by a digit");
        }
        while (p < end && is_digit(*p))
            p++;
        integral = false;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || !is_digit(*p)) {
            r->p = p;
            return syntax(r, "Invalid numeric value: exponent must have a digit");
        }
        while (p < end && is_digit(*p))
            p++;
        integral = false;
    }
    if ((size_t)(p - start) > JSONC_MAX_NUMBER_LEN)
        return syntax(r, "Number value length exceeds the maximum allowed (%d)",
                      JSONC_MAX_NUMBER_LEN);
    n->text = (const char *)start;
    n->len = (size_t)(p - start);
    n->integral = integral;
    n->fits = false;
    n->i = 0;
    if (integral) {
        const unsigned char *d = start + (neg ? 1 : 0);
        uint64_t v = 0;
        bool fits = true;
        for (; d < int_end; d++) {
            unsigned dig = *d - '0';
            if (v > (UINT64_MAX - dig) / 10) {
                fits = false;
                break;
            }
            v = v * 10 + dig;
        }
        if (fits && neg && v <= (uint64_t)INT64_MAX + 1) {
            n->i = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
            n->fits = true;
        } else if (fits && !neg && v <= (uint64_t)INT64_MAX) {
            n->i = (int64_t)v;
            n->fits = true;
        }
    }
    r->p = p;
    return SL_OK;
}

/* strtod / strtof need a NUL-terminated copy: the input is not terminated. */
static double num_convert(const jsonc_num *n, bool as_float)
{
    char buf[64];
    char *b = n->len < sizeof(buf) ? buf : malloc(n->len + 1);
    if (b == NULL)
        return 0;
    memcpy(b, n->text, n->len);
    b[n->len] = '\0';
    double d = as_float ? (double)strtof(b, NULL) : strtod(b, NULL);
    if (b != buf)
        free(b);
    return d;
}

double jsonc_num_double(const jsonc_num *n) { return num_convert(n, false); }

float jsonc_num_float(const jsonc_num *n) { return (float)num_convert(n, true); }

int jsonc_read_literal(jsonc_reader *r, const char *lit, size_t len)
{
    if ((size_t)(r->end - r->p) < len || memcmp(r->p, lit, len) != 0) {
        /* Point at the first byte that differs, as a parser reading byte by byte would. */
        size_t i = 0;
        while (r->p + i < r->end && i < len && r->p[i] == (unsigned char)lit[i])
            i++;
        r->p += i;
        if (r->p >= r->end)
            return syntax(r, "Unexpected end of input in literal '%s'", lit);
        return syntax(r, "Unrecognized token: was expecting '%s'", lit);
    }
    r->p += len;
    return SL_OK;
}

/* ---- structure ---- */

int jsonc_read_key(jsonc_reader *r, const char **key, size_t *len)
{
    jsonc_ws(r);
    if (r->p >= r->end || *r->p != '"')
        return jsonc_unexpected(r, "double-quote to start field name");
    if (jsonc_read_string(r, key, len) != SL_OK)
        return SL_ERR;
    jsonc_ws(r);
    if (r->p >= r->end || *r->p != ':')
        return jsonc_unexpected(r, "a colon to separate field name and value");
    r->p++;
    jsonc_ws(r);
    return SL_OK;
}

int jsonc_next_or_close(jsonc_reader *r, char close)
{
    jsonc_ws(r);
    if (r->p < r->end) {
        if (*r->p == ',') {
            r->p++;
            return 1;
        }
        if (*r->p == (unsigned char)close) {
            r->p++;
            return 0;
        }
    }
    return jsonc_unexpected(r, close == '}' ? "comma or '}' in object" : "comma or ']' in array");
}

/* Consume '{' or '[' and, if the container is empty, its closing character too. Returns 1 if
 * there are members to read, 0 if the container was empty, SL_ERR on a nesting overflow. */
int jsonc_open_container(jsonc_reader *r, char close)
{
    if (++r->depth > JSONC_MAX_DEPTH)
        return syntax(r, "Document nesting depth exceeds the maximum allowed (%d)",
                      JSONC_MAX_DEPTH);
    r->p++;
    jsonc_ws(r);
    if (r->p < r->end && *r->p == (unsigned char)close) {
        r->p++;
        r->depth--;
        return 0;
    }
    return 1;
}

int jsonc_skip(jsonc_reader *r)
{
    jsonc_ws(r);
    if (r->p >= r->end)
        return jsonc_unexpected(r, "a value");
    const char *s;
    size_t len;
    jsonc_num n;
    switch (*r->p) {
    case '{': {
        int more = jsonc_open_container(r, '}');
        while (more == 1) {
            if (jsonc_read_key(r, &s, &len) != SL_OK || jsonc_skip(r) != SL_OK)
                return SL_ERR;
            more = jsonc_next_or_close(r, '}');
            if (more == 0)
                r->depth--;
        }
        return more < 0 ? SL_ERR : SL_OK;
    }
    case '[': {
        int more = jsonc_open_container(r, ']');
        while (more == 1) {
            if (jsonc_skip(r) != SL_OK)
                return SL_ERR;
            more = jsonc_next_or_close(r, ']');
            if (more == 0)
                r->depth--;
        }
        return more < 0 ? SL_ERR : SL_OK;
    }
    case '"':
        return jsonc_read_string(r, &s, &len);
    case 't':
        return jsonc_read_literal(r, "true", 4);
    case 'f':
        return jsonc_read_literal(r, "false", 5);
    case 'n':
        return jsonc_read_literal(r, "null", 4);
    default:
        return jsonc_read_number(r, &n);
    }
}

/* ---- schemaless values ---- */

/* Keys of one object being built, so that a repeated key replaces the earlier value (as
 * Jackson's ObjectNode does) without a linear search for every key: a 256-bit filter of key
 * hashes, and a linear search only when it reports a possible repeat. */
static uint32_t key_hash(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* Add `key` (taken) and `item` (taken) to `map`, replacing an equal string key. */
int jsonc_map_add(jsonc_reader *r, sl_value *map, jsonc_key_filter *f, sl_value *key,
                  sl_value *item)
{
    size_t klen;
    const char *ks = sl_value_get_string(key, &klen);
    uint32_t h = key_hash(ks, klen) & 255;
    uint64_t bit = 1ull << (h & 63);
    int rc;
    if (f->bits[h >> 6] & bit) {
        size_t n = sl_value_map_len(map);
        for (size_t i = 0; i < n; i++) {
            size_t olen;
            const char *os = sl_value_get_string(sl_value_map_key_at(map, i), &olen);
            if (os && olen == klen && memcmp(os, ks, klen) == 0) {
                rc = sl_value_map_put(map, key, item);
                return rc == SL_OK ? SL_OK : jsonc_nomem(r);
            }
        }
    }
    f->bits[h >> 6] |= bit;
    rc = value_map_append(map, key, item);
    return rc == SL_OK ? SL_OK : jsonc_nomem(r);
}


static int read_any_object(jsonc_reader *r, sl_value **out)
{
    sl_value *map = sl_value_new_map();
    if (map == NULL)
        return jsonc_nomem(r);
    jsonc_key_filter f = {{0}};
    int more = jsonc_open_container(r, '}');
    while (more == 1) {
        const char *ks;
        size_t klen;
        if (jsonc_read_key(r, &ks, &klen) != SL_OK)
            goto fail;
        sl_value *key = sl_value_new_string(ks, klen), *item = NULL;
        if (key == NULL) {
            jsonc_nomem(r);
            goto fail;
        }
        if (jsonc_read_any(r, &item) != SL_OK) {
            sl_value_destroy(key);
            goto fail;
        }
        if (jsonc_map_add(r, map, &f, key, item) != SL_OK)
            goto fail;
        more = jsonc_next_or_close(r, '}');
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

static int read_any_array(jsonc_reader *r, sl_value **out)
{
    sl_value *arr = sl_value_new_array();
    if (arr == NULL)
        return jsonc_nomem(r);
    int more = jsonc_open_container(r, ']');
    while (more == 1) {
        sl_value *item = NULL;
        jsonc_ws(r);
        if (jsonc_read_any(r, &item) != SL_OK)
            goto fail;
        if (sl_value_array_append(arr, item) != SL_OK) {
            jsonc_nomem(r);
            goto fail;
        }
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

/* JsonConverter without a schema: OBJECT -> MAP, ARRAY -> ARRAY, integral NUMBER -> INT64,
 * other NUMBER -> FLOAT64 (Connect reads through BigDecimal, then doubleValue()), STRING,
 * BOOLEAN, NULL -> null. An integer beyond int64 becomes FLOAT64; Connect would silently
 * keep only its low 64 bits (BigInteger.longValue). */
int jsonc_read_any(jsonc_reader *r, sl_value **out)
{
    *out = NULL;
    jsonc_ws(r);
    if (r->p >= r->end)
        return jsonc_unexpected(r, "a value");
    sl_value *v;
    switch (*r->p) {
    case '{':
        return read_any_object(r, out);
    case '[':
        return read_any_array(r, out);
    case '"': {
        const char *s;
        size_t len;
        if (jsonc_read_string(r, &s, &len) != SL_OK)
            return SL_ERR;
        v = sl_value_new_string(s, len);
        break;
    }
    case 't':
        if (jsonc_read_literal(r, "true", 4) != SL_OK)
            return SL_ERR;
        v = sl_value_new_boolean(true);
        break;
    case 'f':
        if (jsonc_read_literal(r, "false", 5) != SL_OK)
            return SL_ERR;
        v = sl_value_new_boolean(false);
        break;
    case 'n':
        return jsonc_read_literal(r, "null", 4);
    default: {
        jsonc_num n;
        if (jsonc_read_number(r, &n) != SL_OK)
            return SL_ERR;
        v = n.fits ? sl_value_new_int64(n.i) : sl_value_new_float64(jsonc_num_double(&n));
        break;
    }
    }
    if (v == NULL)
        return jsonc_nomem(r);
    *out = v;
    return SL_OK;
}

int jsonc_read_value(jsonc_reader *r, const sl_schema *schema, sl_value **out)
{
    *out = NULL;
    jsonc_ws(r);
    if (r->p >= r->end)
        return jsonc_unexpected(r, "a value");
    return schema ? jsonc_read_typed(r, schema, out) : jsonc_read_any(r, out);
}

