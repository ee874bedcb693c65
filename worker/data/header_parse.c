/* data/header_parse.c: Connect's Values.parseString for SimpleHeaderConverter: infers a schema
 * and value from header text (booleans, integers as the smallest INT type, decimals, ISO
 * dates and times, [..] lists and {..} maps), falling back to the text as a STRING. */
#include <math.h>
#include <stdlib.h>

#include "data/conv_text.h"

/* A parsed element: its value and schema (one reference), or a null (both NULL). */
typedef struct parsed {
    sl_value *v;
    sl_schema *s;
} parsed;

typedef struct vparser {
    const char *p, *end;
    int depth;
    bool oom;
} vparser;

enum { P_OK = 0, P_FAIL = -1 };

static void parsed_free(parsed *e)
{
    sl_value_destroy(e->v);
    sl_schema_unref(e->s);
    e->v = NULL;
    e->s = NULL;
}

static bool is_space(char c) { return (unsigned char)c <= ' '; } /* Java's trim() */

static bool is_delim(char c)
{
    return c == ',' || c == ':' || c == '{' || c == '}' || c == '[' || c == ']' || c == '"';
}

static void skip_ws(vparser *r)
{
    while (r->p < r->end && is_space(*r->p))
        r->p++;
}

static int set_primitive(vparser *r, parsed *out, sl_type t, sl_value *v)
{
    if (v == NULL) {
        r->oom = true;
        return P_FAIL;
    }
    out->v = v;
    out->s = sl_schema_ref(sl_schema_primitive(t, false));
    return P_OK;
}

/* ---- temporal literals: "yyyy-MM-dd", "HH:mm:ss.SSS'Z'", "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'" ---- */

static bool num_at(const char *p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return true;
}

static bool date_at(const char *p, int64_t *days)
{
    int y, m, d;
    if (!num_at(p, 4, &y) || p[4] != '-' || !num_at(p + 5, 2, &m) || p[7] != '-' ||
        !num_at(p + 8, 2, &d))
        return false;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] || (m == 2 && d == 29 && !leap))
        return false;
    *days = conv_days_from_civil(y, (unsigned)m, (unsigned)d);
    return true;
}

static bool time_at(const char *p, int64_t *ms)
{
    int h, mi, s, f;
    if (!num_at(p, 2, &h) || p[2] != ':' || !num_at(p + 3, 2, &mi) || p[5] != ':' ||
        !num_at(p + 6, 2, &s) || p[8] != '.' || !num_at(p + 9, 3, &f) || p[12] != 'Z')
        return false;
    if (h > 23 || mi > 59 || s > 59)
        return false;
    *ms = ((int64_t)h * 3600 + mi * 60 + s) * 1000 + f;
    return true;
}

/* The temporal value spelled by exactly [p, p+len), if any. */
static bool temporal(vparser *r, const char *p, size_t len, parsed *out)
{
    int64_t days, ms;
    sl_logical lg;
    sl_value *v;
    if (len == 10 && date_at(p, &days)) {
        lg = SL_LOGICAL_DATE;
        v = sl_value_new_int32((int32_t)days);
    } else if (len == 13 && time_at(p, &ms)) {
        lg = SL_LOGICAL_TIME;
        v = sl_value_new_int32((int32_t)ms);
    } else if (len == 24 && date_at(p, &days) && p[10] == 'T' && time_at(p + 11, &ms)) {
        lg = SL_LOGICAL_TIMESTAMP;
        v = sl_value_new_int64(days * CONV_MILLIS_PER_DAY + ms);
    } else {
        return false;
    }
    sl_schema *s = sl_schema_new_logical(lg);
    if (v == NULL || s == NULL) {
        sl_value_destroy(v);
        sl_schema_unref(s);
        r->oom = true;
        return false;
    }
    out->v = v;
    out->s = s;
    return true;
}

/* ---- numbers, as Parser.parseAsNumber: BigDecimal text; an integral value that fits in a long
 * becomes the smallest of INT8..INT64; otherwise FLOAT32 if finite as a float and the scale is
 * not 0, else FLOAT64 likewise, else a Decimal of that scale. ---- */

static bool number(vparser *r, const char *p, size_t len, parsed *out)
{
    size_t i = 0, nint = 0, nfrac = 0;
    if (i < len && (p[i] == '+' || p[i] == '-'))
        i++;
    const char *ip = p + i;
    while (i < len && p[i] >= '0' && p[i] <= '9')
        i++, nint++;
    const char *fp = p + i + 1;
    if (i < len && p[i] == '.') {
        i++;
        while (i < len && p[i] >= '0' && p[i] <= '9')
            i++, nfrac++;
    }
    if (nint + nfrac == 0)
        return false;
    long exp = 0;
    if (i < len && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        bool neg = i < len && p[i] == '-';
        if (i < len && (p[i] == '+' || p[i] == '-'))
            i++;
        if (i == len)
            return false;
        for (; i < len && p[i] >= '0' && p[i] <= '9'; i++)
            if ((exp = exp * 10 + (p[i] - '0')) > 100000)
                return false;
        if (neg)
            exp = -exp;
    }
    if (i != len)
        return false;
    long scale = (long)nfrac - exp;
    bool negative = p[0] == '-';

    /* Integral and within a long? Digits of the integer value: the integer digits, then the
     * fraction digits, shifted by the exponent; every dropped digit must be zero. */
    char digits[32];
    size_t nd = 0;
    bool integral = true, fits = true;
    for (size_t k = 0; k < nint + nfrac; k++) {
        char c = k < nint ? ip[k] : fp[k - nint];
        long pos = (long)k - (long)nint; /* fraction digit index, negative for integer part */
        bool kept = pos < exp;
        if (!kept) {
            if (c != '0')
                integral = false;
            continue;
        }
        if (nd == 0 && c == '0')
            continue;
        if (nd < sizeof(digits))
            digits[nd++] = c;
        else
            fits = false;
    }
    if (integral && exp > (long)nfrac) {
        for (long z = 0; z < exp - (long)nfrac && nd > 0; z++) {
            if (nd < sizeof(digits))
                digits[nd++] = '0';
            else
                fits = false;
        }
    }
    if (integral && fits && nd <= 19) {
        uint64_t u = 0;
        for (size_t k = 0; k < nd; k++) {
            unsigned dgt = (unsigned)(digits[k] - '0');
            if (u > (UINT64_MAX - dgt) / 10) {
                fits = false;
                break;
            }
            u = u * 10 + dgt;
        }
        if (fits && (negative ? u <= (uint64_t)INT64_MAX + 1 : u <= (uint64_t)INT64_MAX)) {
            int64_t v = negative ? (u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u)
                                 : (int64_t)u;
            if (v >= INT8_MIN && v <= INT8_MAX)
                return set_primitive(r, out, SL_TYPE_INT8, sl_value_new_int8((int8_t)v)) == 0;
            if (v >= INT16_MIN && v <= INT16_MAX)
                return set_primitive(r, out, SL_TYPE_INT16, sl_value_new_int16((int16_t)v)) == 0;
            if (v >= INT32_MIN && v <= INT32_MAX)
                return set_primitive(r, out, SL_TYPE_INT32, sl_value_new_int32((int32_t)v)) == 0;
            return set_primitive(r, out, SL_TYPE_INT64, sl_value_new_int64(v)) == 0;
        }
    }
    char buf[128];
    char *t = len < sizeof(buf) ? buf : malloc(len + 1);
    if (t == NULL) {
        r->oom = true;
        return false;
    }
    memcpy(t, p, len);
    t[len] = '\0';
    float f = strtof(t, NULL);
    double d = strtod(t, NULL);
    if (t != buf)
        free(t);
    if (scale != 0 && isfinite(f))
        return set_primitive(r, out, SL_TYPE_FLOAT32, sl_value_new_float32(f)) == 0;
    if (scale != 0 && isfinite(d))
        return set_primitive(r, out, SL_TYPE_FLOAT64, sl_value_new_float64(d)) == 0;
    if (scale < INT32_MIN || scale > INT32_MAX)
        return false;
    sl_value *v = value_decimal_parse(p, len, (int32_t)scale, NULL, 0);
    sl_schema *s = v ? sl_schema_new_decimal((int32_t)scale) : NULL;
    if (v == NULL || s == NULL) {
        sl_value_destroy(v);
        return false;
    }
    out->v = v;
    out->s = s;
    return true;
}

/* ---- common schemas of list elements and map keys / values (Parser.SchemaMerger) ---- */

typedef struct merger {
    sl_schema *common; /* one reference; NULL until a non-null element is seen */
    bool incompatible;
    bool saw_null;
} merger;

/* Widening order of the plain numeric types; 0 for everything else. */
static int numeric_rank(const sl_schema *s)
{
    if (sl_schema_logical(s) != SL_LOGICAL_NONE)
        return 0;
    switch (sl_schema_type(s)) {
    case SL_TYPE_INT8:
        return 1;
    case SL_TYPE_INT16:
        return 2;
    case SL_TYPE_INT32:
        return 3;
    case SL_TYPE_INT64:
        return 4;
    case SL_TYPE_FLOAT32:
        return 5;
    case SL_TYPE_FLOAT64:
        return 6;
    default:
        return 0;
    }
}

static void merge(merger *m, const parsed *e)
{
    if (e->s == NULL) {
        m->saw_null = true;
        return;
    }
    if (m->incompatible)
        return;
    if (m->common == NULL) {
        m->common = sl_schema_ref(e->s);
        return;
    }
    int a = numeric_rank(m->common), b = numeric_rank(e->s);
    if (a && b) {
        if (b > a) {
            sl_schema_unref(m->common);
            m->common = sl_schema_ref(e->s);
        }
        return;
    }
    if (!sl_schema_equals(m->common, e->s)) {
        sl_schema_unref(m->common);
        m->common = NULL;
        m->incompatible = true;
    }
}

/* The merged schema (taken from the merger), optional when a null was seen; NULL if none. */
static sl_schema *merged_schema(merger *m)
{
    sl_schema *s = m->common;
    m->common = NULL;
    if (s == NULL || !m->saw_null)
        return s;
    if (numeric_rank(s) || sl_schema_logical(s) == SL_LOGICAL_NONE) {
        sl_type t = sl_schema_type(s);
        if (t != SL_TYPE_ARRAY && t != SL_TYPE_MAP && t != SL_TYPE_STRUCT) {
            sl_schema_unref(s);
            return sl_schema_ref(sl_schema_primitive(t, true));
        }
    }
    /* Built by this parser and referenced only here, so it may still be modified. */
    sl_schema_set_optional(s, true);
    return s;
}

/* Widen a plain numeric value to `s`'s type (Values.convertTo for the aligned schema). */
static sl_value *align(sl_value *v, const sl_schema *s)
{
    if (v == NULL || s == NULL || numeric_rank(s) == 0 || sl_value_type(v) == sl_schema_type(s))
        return v;
    int64_t i;
    double d;
    sl_value *w;
    bool is_int = sl_value_get_int(v, &i) == SL_OK;
    if (!is_int)
        sl_value_get_double(v, &d);
    switch (sl_schema_type(s)) {
    case SL_TYPE_INT16:
        w = sl_value_new_int16((int16_t)i);
        break;
    case SL_TYPE_INT32:
        w = sl_value_new_int32((int32_t)i);
        break;
    case SL_TYPE_INT64:
        w = sl_value_new_int64(i);
        break;
    case SL_TYPE_FLOAT32:
        w = sl_value_new_float32(is_int ? (float)i : (float)d);
        break;
    default:
        w = sl_value_new_float64(is_int ? (double)i : d);
        break;
    }
    if (w == NULL)
        return v;
    sl_value_destroy(v);
    return w;
}

/* ---- embedded values ---- */

static int parse_embedded(vparser *r, parsed *out);

static int parse_quoted(vparser *r, parsed *out)
{
    jsonc_buf b = {0};
    r->p++;
    while (r->p < r->end && *r->p != '"') {
        if (*r->p == '\\' && r->p + 1 < r->end)
            r->p++; /* Values escapes \\ and \" */
        jsonc_buf_putc(&b, *r->p++);
    }
    if (r->p >= r->end || b.oom) {
        r->oom |= b.oom;
        jsonc_buf_free(&b);
        return P_FAIL;
    }
    r->p++;
    const char *text = b.data ? b.data : "";
    /* A quoted temporal literal reads as that type; any other quoted text stays a string. */
    if (!temporal(r, text, b.len, out)) {
        out->v = sl_value_new_string(text, b.len);
        out->s = sl_schema_ref(sl_schema_primitive(SL_TYPE_STRING, false));
        if (out->v == NULL)
            r->oom = true;
    }
    jsonc_buf_free(&b);
    return out->v ? P_OK : P_FAIL;
}

static int parse_list(vparser *r, parsed *out, bool is_map)
{
    char close = is_map ? '}' : ']';
    sl_value *c = is_map ? sl_value_new_map() : sl_value_new_array();
    parsed *items = NULL;
    size_t n = 0, cap = 0;
    merger km = {0}, vm = {0};
    int rc = P_FAIL;
    if (c == NULL || ++r->depth > JSONC_MAX_DEPTH)
        goto done;
    r->p++;
    skip_ws(r);
    if (r->p < r->end && *r->p == close) {
        r->p++;
        rc = P_OK;
        goto build;
    }
    for (;;) {
        if (n + 2 > cap) {
            cap = cap ? cap * 2 : 16;
            parsed *ni = realloc(items, cap * sizeof(*ni));
            if (ni == NULL) {
                r->oom = true;
                goto done;
            }
            items = ni;
        }
        skip_ws(r);
        if (r->p >= r->end || *r->p == ',')
            goto done;
        items[n] = (parsed){0};
        if (parse_embedded(r, &items[n]) != P_OK)
            goto done;
        n++;
        skip_ws(r);
        if (is_map) {
            if (items[n - 1].v == NULL || r->p >= r->end || *r->p != ':')
                goto done; /* a map key may not be null, and needs ':' */
            r->p++;
            items[n] = (parsed){0};
            if (parse_embedded(r, &items[n]) != P_OK)
                goto done;
            n++;
            skip_ws(r);
        }
        if (r->p < r->end && *r->p == close) {
            r->p++;
            break;
        }
        if (r->p >= r->end || *r->p != ',')
            goto done;
        r->p++;
    }
    rc = P_OK;
build:
    for (size_t i = 0; i < n; i++)
        merge(is_map && i % 2 == 0 ? &km : &vm, &items[i]);
    sl_schema *ks = is_map ? merged_schema(&km) : NULL, *vs = merged_schema(&vm);
    for (size_t i = 0; i < n; i += is_map ? 2 : 1) {
        int put;
        if (is_map) {
            sl_value *k = align(items[i].v, ks), *v = align(items[i + 1].v, vs);
            items[i].v = items[i + 1].v = NULL;
            put = sl_value_map_put(c, k, v); /* a repeated key replaces, as in a LinkedHashMap */
        } else {
            sl_value *v = align(items[i].v, vs);
            items[i].v = NULL;
            put = sl_value_array_append(c, v);
        }
        if (put != SL_OK)
            r->oom = true;
    }
    /* Connect types the container only when every element has one common schema. */
    if (is_map && ks && vs)
        out->s = sl_schema_new_map(ks, vs);
    else if (!is_map && vs)
        out->s = sl_schema_new_array(vs);
    else {
        sl_schema_unref(ks);
        sl_schema_unref(vs);
    }
    out->v = c;
    c = NULL;
done:
    r->depth--;
    for (size_t i = 0; i < n; i++)
        parsed_free(&items[i]);
    free(items);
    sl_schema_unref(km.common);
    sl_schema_unref(vm.common);
    sl_value_destroy(c);
    return r->oom ? P_FAIL : rc;
}

static int parse_embedded(vparser *r, parsed *out)
{
    *out = (parsed){0};
    skip_ws(r);
    if (r->p >= r->end)
        return P_FAIL;
    switch (*r->p) {
    case '"':
        return parse_quoted(r, out);
    case '[':
        return parse_list(r, out, false);
    case '{':
        return parse_list(r, out, true);
    default:
        break;
    }
    /* An unquoted time or timestamp contains ':' (a delimiter), so look for one first. */
    for (size_t len = 24; len >= 13; len -= 11) {
        if ((size_t)(r->end - r->p) >= len &&
            (r->p + len == r->end || is_space(r->p[len]) || is_delim(r->p[len])) &&
            temporal(r, r->p, len, out)) {
            r->p += len;
            return P_OK;
        }
    }
    const char *start = r->p;
    while (r->p < r->end && !is_delim(*r->p))
        r->p++;
    const char *end = r->p;
    while (end > start && is_space(end[-1]))
        end--;
    size_t len = (size_t)(end - start);
    if (len == 4 && memcmp(start, "null", 4) == 0)
        return P_OK;
    if ((len == 4 && memcmp(start, "true", 4) == 0) || (len == 5 && memcmp(start, "false", 5) == 0))
        return set_primitive(r, out, SL_TYPE_BOOLEAN, sl_value_new_boolean(len == 4));
    if (len > 0 && (start[0] == '+' || start[0] == '-' || (start[0] >= '0' && start[0] <= '9')) &&
        (temporal(r, start, len, out) || number(r, start, len, out)))
        return P_OK;
    return P_FAIL; /* Connect: "Failed to parse embedded value" */
}

int conv_parse_header(const char *text, size_t len, sl_schema **schema, sl_value **value)
{
    *schema = NULL;
    *value = NULL;
    vparser r = {.p = text, .end = text + len};
    parsed out = {0};
    const char *a = text, *b = text + len;
    while (a < b && is_space(*a))
        a++;
    while (b > a && is_space(b[-1]))
        b--;
    size_t n = (size_t)(b - a);
    if (n == 4 && memcmp(a, "null", 4) == 0)
        return SL_OK;
    if ((n == 4 && memcmp(a, "true", 4) == 0) || (n == 5 && memcmp(a, "false", 5) == 0)) {
        set_primitive(&r, &out, SL_TYPE_BOOLEAN, sl_value_new_boolean(n == 4));
    } else if (n > 0 && (*a == '[' || *a == '{')) {
        r.p = a;
        if (parse_embedded(&r, &out) == P_OK) {
            skip_ws(&r);
            if (r.p != r.end) /* trailing text: the whole header is a string after all */
                parsed_free(&out);
        }
    } else if (n > 0 && (*a == '+' || *a == '-' || (*a >= '0' && *a <= '9'))) {
        if (!temporal(&r, a, n, &out))
            number(&r, a, n, &out);
    }
    if (r.oom) {
        parsed_free(&out);
        return SL_ERR;
    }
    if (out.v == NULL) {
        /* Anything else is the original text, untrimmed. */
        out.v = sl_value_new_string(text, len);
        out.s = sl_schema_ref(sl_schema_primitive(SL_TYPE_STRING, false));
        if (out.v == NULL)
            return SL_ERR;
    }
    *schema = out.s;
    *value = out.v;
    return SL_OK;
}
