/* config/properties.c: the Java properties parser (java.util.Properties.load semantics, UTF-8)
 * and the loader of --standalone connector config files (properties or JSON). */
#include "config/properties.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small growable byte buffer ---- */

typedef struct pbuf {
    char *data;
    int *line; /* physical line of each byte, for errors found after joining lines */
    size_t len, cap;
} pbuf;

static int pbuf_put(pbuf *b, char c, int line)
{
    if (b->len + 1 >= b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 128;
        char *d = realloc(b->data, cap);
        if (d == NULL)
            return -1;
        b->data = d;
        int *l = realloc(b->line, cap * sizeof(int));
        if (l == NULL)
            return -1;
        b->line = l;
        b->cap = cap;
    }
    b->data[b->len] = c;
    b->line[b->len] = line;
    b->len++;
    b->data[b->len] = '\0';
    return 0;
}

static void pbuf_free(pbuf *b)
{
    free(b->data);
    free(b->line);
    memset(b, 0, sizeof(*b));
}

static void perr(char *errstr, size_t errstr_size, const char *origin, int line, const char *fmt,
                 ...) __attribute__((format(printf, 5, 6)));

static void perr(char *errstr, size_t errstr_size, const char *origin, int line, const char *fmt,
                 ...)
{
    if (errstr == NULL || errstr_size == 0)
        return;
    int n = snprintf(errstr, errstr_size, "%s:%d: ", origin ? origin : "<input>", line);
    if (n < 0 || (size_t)n >= errstr_size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errstr + n, errstr_size - (size_t)n, fmt, ap);
    va_end(ap);
}

/* ---- UTF-8 ---- */

/* Length of the valid UTF-8 sequence at s (at most `left` bytes), or 0 if invalid. Rejects
 * overlong forms, surrogates and code points above U+10FFFF, as a strict decoder must. */
static size_t utf8_seq_len(const unsigned char *s, size_t left)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t n;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (left < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

static int utf8_put(pbuf *b, uint32_t cp, int line)
{
    char tmp[4];
    int n;
    if (cp < 0x80) {
        tmp[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        tmp[0] = (char)(0xC0 | (cp >> 6));
        tmp[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        tmp[0] = (char)(0xE0 | (cp >> 12));
        tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        tmp[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        tmp[0] = (char)(0xF0 | (cp >> 18));
        tmp[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        tmp[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        tmp[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    for (int i = 0; i < n; i++)
        if (pbuf_put(b, tmp[i], line) < 0)
            return -1;
    return 0;
}

/* ---- the parser ---- */

static bool prop_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\f';
}

static int hex4(const char *s, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

/* Properties.loadConvert: undo the escapes of line[from, to) into out. */
static int prop_unescape(const pbuf *line, size_t from, size_t to, pbuf *out, const char *origin,
                         char *errstr, size_t errstr_size)
{
    size_t i = from;
    while (i < to) {
        char c = line->data[i];
        int ln = line->line[i];
        if (c != '\\') {
            if (pbuf_put(out, c, ln) < 0)
                goto oom;
            i++;
            continue;
        }
        i++;
        if (i >= to) /* cannot happen: a trailing backslash always continues the line */
            break;
        c = line->data[i++];
        if (c == 'u') {
            uint32_t cp;
            if (to - i < 4 || hex4(line->data + i, &cp) < 0) {
                perr(errstr, errstr_size, origin, ln, "malformed \\uxxxx encoding");
                return -1;
            }
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                /* Java strings are UTF-16: a character outside the BMP is written as two
                 * escapes, which together make one code point. */
                uint32_t lo;
                if (to - i >= 6 && line->data[i] == '\\' && line->data[i + 1] == 'u' &&
                    hex4(line->data + i + 2, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
                    i += 6;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                } else {
                    perr(errstr, errstr_size, origin, ln, "unpaired surrogate \\u%04X", cp);
                    return -1;
                }
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                perr(errstr, errstr_size, origin, ln, "unpaired surrogate \\u%04X", cp);
                return -1;
            } else if (cp == 0) {
                perr(errstr, errstr_size, origin, ln, "\\u0000 is not allowed");
                return -1;
            }
            if (utf8_put(out, cp, ln) < 0)
                goto oom;
            continue;
        }
        switch (c) {
        case 't': c = '\t'; break;
        case 'n': c = '\n'; break;
        case 'r': c = '\r'; break;
        case 'f': c = '\f'; break;
        default: break; /* \<c> is c: \= \: \# \! \\ and "\ " */
        }
        if (pbuf_put(out, c, ln) < 0)
            goto oom;
    }
    return 0;
oom:
    perr(errstr, errstr_size, origin, line->line[from < to ? from : 0], "out of memory");
    return -1;
}

/* Properties.load0 on one logical line: split key and value, unescape both, store. */
static int prop_store_line(const pbuf *line, sl_props *props, const char *origin, char *errstr,
                           size_t errstr_size)
{
    size_t limit = line->len, key_len = 0, value_start = limit;
    bool has_sep = false, backslash = false;
    while (key_len < limit) {
        char c = line->data[key_len];
        if ((c == '=' || c == ':') && !backslash) {
            value_start = key_len + 1;
            has_sep = true;
            break;
        } else if (prop_ws(c) && !backslash) {
            value_start = key_len + 1;
            break;
        }
        backslash = (c == '\\') ? !backslash : false;
        key_len++;
    }
    while (value_start < limit) {
        char c = line->data[value_start];
        if (!prop_ws(c)) {
            if (!has_sep && (c == '=' || c == ':'))
                has_sep = true;
            else
                break;
        }
        value_start++;
    }
    pbuf key = {0}, value = {0};
    int rc = -1;
    if (prop_unescape(line, 0, key_len, &key, origin, errstr, errstr_size) == 0 &&
        prop_unescape(line, value_start, limit, &value, origin, errstr, errstr_size) == 0) {
        sl_props_set(props, key.data ? key.data : "", value.data ? value.data : "");
        rc = 0;
    }
    pbuf_free(&key);
    pbuf_free(&value);
    return rc;
}

int properties_parse_buffer(const char *origin, const char *text, size_t len, sl_props **out,
                            char *errstr, size_t errstr_size)
{
    *out = NULL;
    if (text == NULL && len > 0)
        return SL_ERR;
    /* Validate the encoding first so that every later step can treat the text as UTF-8. */
    int ln = 1;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)text[i];
        if (c == 0) {
            perr(errstr, errstr_size, origin, ln, "NUL byte in input");
            return SL_ERR;
        }
        size_t n = utf8_seq_len((const unsigned char *)text + i, len - i);
        if (n == 0) {
            perr(errstr, errstr_size, origin, ln, "invalid UTF-8 (byte 0x%02X)", c);
            return SL_ERR;
        }
        if (c == '\n' || (c == '\r' && !(i + 1 < len && text[i + 1] == '\n')))
            ln++;
        i += n;
    }

    sl_props *props = sl_props_new();
    if (props == NULL) {
        perr(errstr, errstr_size, origin, 0, "out of memory");
        return SL_ERR;
    }
    /* Properties.LineReader: build logical lines, dropping comments and blank lines, joining
     * continuations. Escapes stay in place; prop_store_line undoes them. */
    pbuf line = {0};
    bool skip_ws = true, comment = false, new_line = true, appended = false, backslash = false;
    bool skip_lf = false;
    ln = 1;
    for (size_t i = 0; i <= len; i++) {
        bool eof = (i == len);
        char c = eof ? '\n' : text[i];
        int this_line = ln;
        /* \r\n counts as one line break, at its \n */
        if (!eof && (c == '\n' || (c == '\r' && !(i + 1 < len && text[i + 1] == '\n'))))
            ln++;
        if (skip_lf) {
            skip_lf = false;
            if (c == '\n' && !eof)
                continue;
        }
        if (skip_ws && !eof) {
            if (prop_ws(c))
                continue;
            if (!appended && (c == '\r' || c == '\n')) {
                if (c == '\r')
                    skip_lf = true;
                continue;
            }
            skip_ws = false;
            appended = false;
        }
        if (new_line && !eof) {
            new_line = false;
            if (c == '#' || c == '!') {
                comment = true;
                continue;
            }
        }
        if (c != '\n' && c != '\r') {
            if (comment)
                continue;
            if (pbuf_put(&line, c, this_line) < 0) {
                perr(errstr, errstr_size, origin, this_line, "out of memory");
                goto fail;
            }
            backslash = (c == '\\') ? !backslash : false;
            continue;
        }
        /* end of a physical line (or of the input) */
        if (c == '\r')
            skip_lf = true;
        if (comment || line.len == 0) {
            comment = false;
            new_line = true;
            skip_ws = true;
            appended = false;
            backslash = false;
            line.len = 0;
            continue;
        }
        if (backslash && !eof) {
            line.len--; /* the continuation backslash */
            skip_ws = true;
            appended = true;
            backslash = false;
            continue;
        }
        if (backslash)
            line.len--; /* a backslash at the very end of the input is dropped, as in Java */
        if (prop_store_line(&line, props, origin, errstr, errstr_size) < 0)
            goto fail;
        line.len = 0;
        new_line = true;
        skip_ws = true;
        appended = false;
        backslash = false;
    }
    pbuf_free(&line);
    *out = props;
    return SL_OK;
fail:
    pbuf_free(&line);
    sl_props_destroy(props);
    return SL_ERR;
}

/* Read a whole file into memory (NUL-terminated). Caller frees. */
static char *read_file(const char *path, size_t *len, char *errstr, size_t errstr_size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(errstr, errstr_size, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    bool oom = (buf == NULL);
    while (!oom) {
        if (n + 1 >= cap) {
            char *b = realloc(buf, cap * 2);
            if (b == NULL) {
                oom = true;
                break;
            }
            buf = b;
            cap *= 2;
        }
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0)
            break;
    }
    if (oom || ferror(f)) {
        snprintf(errstr, errstr_size, "%s: %s", path, oom ? "out of memory" : strerror(errno));
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

int properties_parse_file(const char *path, sl_props **out, char *errstr, size_t errstr_size)
{
    *out = NULL;
    size_t len;
    char *text = read_file(path, &len, errstr, errstr_size);
    if (text == NULL)
        return SL_ERR;
    int rc = properties_parse_buffer(path, text, len, out, errstr, errstr_size);
    free(text);
    return rc;
}

/* ---- connector config files ---- */

/* A JSON scalar as the string Jackson would coerce it to; NULL for null. *ok false for arrays
 * and objects. Caller frees the result. */
static char *json_scalar_string(json_t *v, bool *ok)
{
    char buf[64];
    *ok = true;
    switch (json_typeof(v)) {
    case JSON_STRING: return strdup(json_string_value(v));
    case JSON_INTEGER:
        snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return strdup(buf);
    case JSON_REAL: {
        double d = json_real_value(v);
        for (int p = 1; p <= 17; p++) { /* shortest text that reads back the same */
            snprintf(buf, sizeof(buf), "%.*g", p, d);
            if (strtod(buf, NULL) == d)
                break;
        }
        return strdup(buf);
    }
    case JSON_TRUE: return strdup("true");
    case JSON_FALSE: return strdup("false");
    case JSON_NULL: return NULL;
    default: *ok = false; return NULL;
    }
}

static int json_object_to_props(const char *origin, json_t *obj, sl_props *props, char *errstr,
                                size_t errstr_size)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        bool ok;
        char *s = json_scalar_string(v, &ok);
        if (!ok) {
            snprintf(errstr, errstr_size,
                     "%s: the value of \"%s\" must be a string, not a JSON %s", origin, key,
                     json_is_array(v) ? "array" : "object");
            return SL_ERR;
        }
        sl_props_set(props, key, s);
        free(s);
    }
    return SL_OK;
}

static int missing_name(const char *origin, char *errstr, size_t errstr_size)
{
    /* ConnectStandalone's message */
    snprintf(errstr, errstr_size,
             "Connector configuration at '%s' is missing the mandatory 'name' configuration",
             origin);
    return SL_ERR;
}

static int load_json(const char *origin, const char *text, size_t len, sl_props **out,
                     char *errstr, size_t errstr_size)
{
    json_error_t jerr;
    json_t *root = json_loadb(text, len, 0, &jerr);
    if (root == NULL) {
        snprintf(errstr, errstr_size, "%s:%d:%d: invalid JSON: %s", origin, jerr.line,
                 jerr.column, jerr.text);
        return SL_ERR;
    }
    int rc = SL_ERR;
    sl_props *props = sl_props_new();
    if (!json_is_object(root)) {
        snprintf(errstr, errstr_size, "%s: a connector config must be a JSON object", origin);
        goto done;
    }
    json_t *config = json_object_get(root, "config");
    if (json_is_object(config)) {
        /* CreateConnectorRequest: {"name": ..., "config": {...}, "initial_state": ...} */
        json_t *jname = json_object_get(root, "name");
        if (jname != NULL && !json_is_string(jname) && !json_is_null(jname)) {
            snprintf(errstr, errstr_size, "%s: \"name\" must be a string", origin);
            goto done;
        }
        if (json_object_to_props(origin, config, props, errstr, errstr_size) != SL_OK)
            goto done;
        const char *name = json_string_value(jname);
        if (name != NULL) {
            const char *cname = sl_props_get(props, "name");
            if (sl_props_has(props, "name") && (cname == NULL || strcmp(cname, name) != 0)) {
                snprintf(errstr, errstr_size,
                         "Connector name configuration in 'config' doesn't match the one "
                         "specified in 'name' at '%s'",
                         origin);
                goto done;
            }
            sl_props_set(props, "name", name);
        }
    } else {
        if (json_object_to_props(origin, root, props, errstr, errstr_size) != SL_OK)
            goto done;
    }
    if (sl_props_get(props, "name") == NULL) {
        missing_name(origin, errstr, errstr_size);
        goto done;
    }
    *out = props;
    props = NULL;
    rc = SL_OK;
done:
    sl_props_destroy(props);
    json_decref(root);
    return rc;
}

int connector_config_load_buffer(const char *origin, const char *text, size_t len,
                                 sl_props **out, char *errstr, size_t errstr_size)
{
    *out = NULL;
    if (origin == NULL)
        origin = "<input>";
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n' ||
                       text[i] == '\f'))
        i++;
    if (i < len && text[i] == '{')
        return load_json(origin, text, len, out, errstr, errstr_size);
    sl_props *props;
    if (properties_parse_buffer(origin, text, len, &props, errstr, errstr_size) != SL_OK)
        return SL_ERR;
    if (sl_props_get(props, "name") == NULL) {
        sl_props_destroy(props);
        return missing_name(origin, errstr, errstr_size);
    }
    *out = props;
    return SL_OK;
}

int connector_config_load_file(const char *path, sl_props **out, char *errstr,
                               size_t errstr_size)
{
    *out = NULL;
    size_t len;
    char *text = read_file(path, &len, errstr, errstr_size);
    if (text == NULL)
        return SL_ERR;
    int rc = connector_config_load_buffer(path, text, len, out, errstr, errstr_size);
    free(text);
    return rc;
}
