/* transforms/cast_value.c: Cast's conversions with Java's semantics (narrowing wraps, floating
 * point saturates, strict string parsing, Double.toString, base64 for bytes, ISO-8601 text for
 * Date/Time/Timestamp) and the parsing of its spec. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cast_value.h"
#include "date_format.h"
#include "smt.h"
#include "smt_text.h"

#define MS_PER_DAY 86400000LL

/* ==== spec ==== */

static bool type_from_name(const char *name, sl_type *out)
{
    static const char *const names[] = {"INT8",    "INT16",  "INT32", "INT64", "FLOAT32", "FLOAT64",
                                        "BOOLEAN", "STRING", "BYTES", "ARRAY", "MAP",     "STRUCT"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcasecmp(name, names[i]) == 0) {
            *out = (sl_type)i;
            return true;
        }
    return false;
}

static int output_type(const char *text, sl_type *out, char *errstr, size_t errstr_size)
{
    char name[64];
    const char *t = text;
    while (*t == ' ' || *t == '\t')
        t++;
    size_t len = strlen(t);
    while (len > 0 && (t[len - 1] == ' ' || t[len - 1] == '\t'))
        len--;
    if (len >= sizeof(name) ||
        (memcpy(name, t, len), name[len] = '\0', !type_from_name(name, out))) {
        snprintf(errstr, errstr_size, "Invalid type found in casting spec: %.*s", (int)len, t);
        return SL_ERR;
    }
    if (*out > SL_TYPE_STRING) {
        snprintf(errstr, errstr_size,
                 "Cast transformation does not support casting to %s; supported types are "
                 "[INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]",
                 smt_type_name(*out));
        return SL_ERR;
    }
    return SL_OK;
}

void cast_fields_free(cast_field *fields, size_t n)
{
    for (size_t i = 0; fields && i < n; i++)
        free(fields[i].name);
    free(fields);
}

int cast_parse_spec(const char *const *items, size_t n, cast_field **fields, size_t *nfields,
                    sl_type *whole, char *errstr, size_t errstr_size)
{
    *fields = NULL;
    *nfields = 0;
    *whole = (sl_type)-1;
    if (n == 0) {
        snprintf(errstr, errstr_size, "Must specify at least one field to cast.");
        return SL_ERR;
    }
    cast_field *out = calloc(n, sizeof(*out));
    if (out == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    size_t k = 0;
    bool whole_cast = false;
    for (size_t i = 0; i < n; i++) {
        const char *m = items[i];
        /* Java's split(":") drops trailing empty strings: "a:" has one part */
        size_t len = strlen(m);
        while (len > 0 && m[len - 1] == ':')
            len--;
        const char *colon = memchr(m, ':', len);
        if (colon != NULL && memchr(colon + 1, ':', len - (size_t)(colon + 1 - m)) != NULL) {
            snprintf(errstr, errstr_size, "Invalid rename mapping: %s", m);
            goto fail;
        }
        sl_type t;
        if (colon == NULL) {
            char part[128];
            snprintf(part, sizeof(part), "%.*s", (int)len, m);
            if (output_type(part, &t, errstr, errstr_size) != SL_OK)
                goto fail;
            *whole = t;
            whole_cast = true;
            continue;
        }
        if (output_type(colon + 1, &t, errstr, errstr_size) != SL_OK)
            goto fail;
        const char *name = m;
        size_t nl = (size_t)(colon - m);
        while (nl > 0 && (*name == ' ' || *name == '\t'))
            name++, nl--;
        while (nl > 0 && (name[nl - 1] == ' ' || name[nl - 1] == '\t'))
            nl--;
        size_t j = 0; /* a HashMap: a repeated field keeps its last type */
        while (j < k && (strlen(out[j].name) != nl || strncmp(out[j].name, name, nl) != 0))
            j++;
        if (j == k) {
            if ((out[k].name = strndup(name, nl)) == NULL) {
                snprintf(errstr, errstr_size, "out of memory");
                goto fail;
            }
            k++;
        }
        out[j].type = t;
    }
    if (whole_cast && n > 1) {
        snprintf(errstr, errstr_size,
                 "Cast transformations that specify a type to cast the entire value to may only "
                 "specify a single cast in their spec");
        goto fail;
    }
    *fields = out;
    *nfields = k;
    return SL_OK;
fail:
    cast_fields_free(out, k);
    *whole = (sl_type)-1;
    return SL_ERR;
}

/* ==== values ==== */

/* The Java object Cast sees, reduced to what the conversions need. */
typedef enum src_kind {
    SRC_INT,
    SRC_FLOAT,
    SRC_BOOL,
    SRC_STRING,
    SRC_DECIMAL,
    SRC_DATE,
    SRC_BYTES
} src_kind;

typedef struct src {
    src_kind kind;
    int64_t i; /* SRC_INT, SRC_DATE (ms), SRC_BOOL */
    double d;  /* SRC_FLOAT */
    bool is_float32;
    const char *s;     /* SRC_STRING */
    const void *bytes; /* SRC_DECIMAL, SRC_BYTES */
    size_t len;
    int32_t scale;
} src;

/* Java's (int)/(long) of a double: NaN is 0, out-of-range values saturate. */
static int64_t d2l(double d, int64_t lo, int64_t hi)
{
    if (isnan(d))
        return 0;
    if (d <= (double)lo)
        return lo;
    if (d >= (double)hi)
        return hi;
    return (int64_t)d;
}

static int range_error(const sl_value *v, char *errstr, size_t errstr_size)
{
    char *json = sl_value_to_json(v, NULL);
    const char *text = sl_value_type(v) == SL_TYPE_STRING ? sl_value_get_string(v, NULL) : json;
    snprintf(errstr, errstr_size, "Value (%s) was out of range for requested data type",
             text ? text : "?");
    free(json);
    return SL_ERR;
}

static sl_value *new_int(sl_type t, int64_t v)
{
    switch (t) {
    case SL_TYPE_INT8:
        return sl_value_new_int8((int8_t)v);
    case SL_TYPE_INT16:
        return sl_value_new_int16((int16_t)v);
    case SL_TYPE_INT32:
        return sl_value_new_int32((int32_t)v);
    default:
        return sl_value_new_int64(v);
    }
}

static int to_integer(const src *x, const sl_value *v, sl_type t, sl_value **out, char *errstr,
                      size_t errstr_size)
{
    static const int64_t lo[] = {INT8_MIN, INT16_MIN, INT32_MIN, INT64_MIN};
    static const int64_t hi[] = {INT8_MAX, INT16_MAX, INT32_MAX, INT64_MAX};
    int64_t r = 0;
    switch (x->kind) {
    case SRC_INT:
    case SRC_DATE:
    case SRC_BOOL:
        r = x->i;
        break;
    case SRC_FLOAT:
        /* Number.byteValue/shortValue narrow from intValue; longValue from the double */
        r = t == SL_TYPE_INT64 ? d2l(x->d, INT64_MIN, INT64_MAX) : d2l(x->d, INT32_MIN, INT32_MAX);
        break;
    case SRC_DECIMAL:
        if (smt_decimal_long(x->bytes, x->len, x->scale, &r) != SL_OK)
            return range_error(v, errstr, errstr_size);
        break;
    case SRC_STRING:
        if (smt_parse_integer(x->s, lo[t - SL_TYPE_INT8], hi[t - SL_TYPE_INT8], &r) != SL_OK)
            return range_error(v, errstr, errstr_size);
        break;
    default:
        snprintf(errstr, errstr_size, "Unexpected type in Cast transformation: class [B");
        return SL_ERR;
    }
    *out = new_int(t, r);
    return SL_OK;
}

static int to_floating(const src *x, const sl_value *v, sl_type t, sl_value **out, char *errstr,
                       size_t errstr_size)
{
    double r = 0;
    switch (x->kind) {
    case SRC_INT:
    case SRC_DATE:
    case SRC_BOOL:
        r = (double)x->i;
        break;
    case SRC_FLOAT:
        r = x->d;
        break;
    case SRC_DECIMAL:
        if (smt_decimal_double(x->bytes, x->len, x->scale, &r) != SL_OK)
            return range_error(v, errstr, errstr_size);
        break;
    case SRC_STRING:
        if (smt_parse_double(x->s, &r) != SL_OK)
            return range_error(v, errstr, errstr_size);
        if (t == SL_TYPE_FLOAT32 && isfinite(r)) /* Float.parseFloat rounds once */
            r = (double)strtof(x->s, NULL);
        break;
    default:
        snprintf(errstr, errstr_size, "Unexpected type in Cast transformation: class [B");
        return SL_ERR;
    }
    if (t == SL_TYPE_FLOAT32) {
        /* an int64 source goes straight to float in Java (no double rounding) */
        float f = x->kind == SRC_INT || x->kind == SRC_DATE ? (float)x->i : (float)r;
        *out = sl_value_new_float32(f);
    } else {
        *out = sl_value_new_float64(r);
    }
    return SL_OK;
}

/* Values.dateFormatFor: time-only below one day, date-only at midnight, else a timestamp. */
static char *date_text(int64_t ms)
{
    const char *pattern = ms < MS_PER_DAY        ? "HH:mm:ss.SSS'Z'"
                          : ms % MS_PER_DAY == 0 ? "yyyy-MM-dd"
                                                 : "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'";
    smt_datefmt *f = NULL;
    char err[64], buf[64];
    if (smt_datefmt_compile(pattern, &f, err, sizeof(err)) != SL_OK)
        return NULL;
    smt_datefmt_format(f, ms, buf, sizeof(buf));
    smt_datefmt_free(f);
    return strdup(buf);
}

static int to_string(const src *x, sl_value **out, char *errstr, size_t errstr_size)
{
    char buf[48];
    char *heap = NULL;
    const char *text = buf;
    switch (x->kind) {
    case SRC_INT:
        snprintf(buf, sizeof(buf), "%lld", (long long)x->i);
        break;
    case SRC_BOOL:
        text = x->i ? "true" : "false";
        break;
    case SRC_FLOAT:
        if (x->is_float32)
            smt_format_float((float)x->d, buf, sizeof(buf));
        else
            smt_format_double(x->d, buf, sizeof(buf));
        break;
    case SRC_STRING:
        text = x->s;
        break;
    case SRC_DECIMAL:
        text = heap = smt_decimal_string(x->bytes, x->len, x->scale);
        break;
    case SRC_DATE:
        text = heap = date_text(x->i);
        break;
    case SRC_BYTES:
        text = heap = smt_base64(x->bytes, x->len);
        break;
    }
    if (text == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    *out = sl_value_new_string(text, strlen(text));
    free(heap);
    return SL_OK;
}

int cast_value(const sl_schema *schema, const sl_value *v, sl_type target, sl_value **out,
               char *errstr, size_t errstr_size)
{
    *out = NULL;
    if (v == NULL)
        return SL_OK;
    sl_type in = schema ? sl_schema_type(schema) : sl_value_type(v);
    if ((unsigned)in > SL_TYPE_BYTES) {
        snprintf(errstr, errstr_size,
                 "Cast transformation does not support casting from %s; supported types are "
                 "[INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]",
                 smt_type_name(in));
        return SL_ERR;
    }
    src x = {0};
    sl_logical lg = sl_schema_logical(schema);
    int64_t iv = 0;
    switch (sl_value_type(v)) {
    case SL_TYPE_INT8:
    case SL_TYPE_INT16:
    case SL_TYPE_INT32:
    case SL_TYPE_INT64:
        sl_value_get_int(v, &iv);
        x.kind = SRC_INT;
        x.i = iv;
        /* Date/Time/Timestamp are java.util.Date: text as ISO-8601, numbers as their
         * internal form (days for Date, ms for Time and Timestamp) */
        if (lg == SL_LOGICAL_DATE) {
            x.i = iv;
            if (target == SL_TYPE_STRING)
                x.kind = SRC_DATE, x.i = iv * MS_PER_DAY;
        } else if (lg == SL_LOGICAL_TIME || lg == SL_LOGICAL_TIMESTAMP) {
            if (target == SL_TYPE_STRING)
                x.kind = SRC_DATE;
        }
        break;
    case SL_TYPE_FLOAT32:
    case SL_TYPE_FLOAT64:
        x.kind = SRC_FLOAT;
        sl_value_get_double(v, &x.d);
        x.is_float32 = sl_value_type(v) == SL_TYPE_FLOAT32;
        break;
    case SL_TYPE_BOOLEAN:
        x.kind = SRC_BOOL;
        x.i = sl_value_get_bool(v) ? 1 : 0;
        break;
    case SL_TYPE_STRING:
        x.kind = SRC_STRING;
        x.s = sl_value_get_string(v, NULL);
        break;
    case SL_TYPE_BYTES:
        x.bytes = sl_value_get_bytes(v, &x.len);
        x.kind = SRC_BYTES;
        if (lg == SL_LOGICAL_DECIMAL && x.len > 0) {
            const char *sc = sl_schema_parameter(schema, "scale");
            x.kind = SRC_DECIMAL;
            x.scale = sc ? (int32_t)strtol(sc, NULL, 10) : 0;
        }
        break;
    default:
        snprintf(errstr, errstr_size,
                 "Cast transformation does not support casting from %s; supported types are "
                 "[INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]",
                 smt_type_name(sl_value_type(v)));
        return SL_ERR;
    }
    int rc;
    switch (target) {
    case SL_TYPE_INT8:
    case SL_TYPE_INT16:
    case SL_TYPE_INT32:
    case SL_TYPE_INT64:
        rc = to_integer(&x, v, target, out, errstr, errstr_size);
        break;
    case SL_TYPE_FLOAT32:
    case SL_TYPE_FLOAT64:
        rc = to_floating(&x, v, target, out, errstr, errstr_size);
        break;
    case SL_TYPE_BOOLEAN:
        switch (x.kind) {
        case SRC_STRING:
            *out = sl_value_new_boolean(strcasecmp(x.s, "true") == 0);
            break;
        case SRC_FLOAT:
            *out = sl_value_new_boolean(d2l(x.d, INT64_MIN, INT64_MAX) != 0);
            break;
        case SRC_DECIMAL: {
            int64_t l = 0;
            smt_decimal_long(x.bytes, x.len, x.scale, &l);
            *out = sl_value_new_boolean(l != 0);
            break;
        }
        case SRC_BYTES:
            snprintf(errstr, errstr_size, "Unexpected type in Cast transformation: class [B");
            return SL_ERR;
        default:
            *out = sl_value_new_boolean(x.i != 0);
            break;
        }
        rc = SL_OK;
        break;
    case SL_TYPE_STRING:
        rc = to_string(&x, out, errstr, errstr_size);
        break;
    default:
        snprintf(errstr, errstr_size, "%s is not supported in the Cast transformation.",
                 smt_type_name(target));
        return SL_ERR;
    }
    if (rc == SL_OK && *out == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    return rc;
}
