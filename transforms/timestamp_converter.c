/* transforms/timestamp_converter.c: TimestampConverter$Key / $Value: convert a timestamp field
 * or the whole key/value between string (SimpleDateFormat), unix (with precision), Date, Time
 * and Timestamp. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "date_format.h"
#include "smt.h"
#include "transforms.h"

#define PURPOSE "converting timestamp formats"
#define MS_PER_DAY 86400000LL

static const sl_config_def timestamp_converter_config[] = {
    {.name = "field",
     .type = SL_CFG_STRING,
     .default_value = "",
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "The field containing the timestamp, or empty if the entire value is a timestamp"},
    {.name = "target.type",
     .type = SL_CFG_STRING,
     .required = true,
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "The desired timestamp representation: string, unix, Date, Time, or Timestamp",
     .validator = SL_VALIDATE_IN("string", "unix", "Date", "Time", "Timestamp")},
    {.name = "format",
     .type = SL_CFG_STRING,
     .default_value = "",
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "A SimpleDateFormat-compatible format for the timestamp. Used to generate the output "
            "when type=string or used to parse the input if the input is a string."},
    {.name = "unix.precision",
     .type = SL_CFG_STRING,
     .default_value = "milliseconds",
     .importance = SL_IMPORTANCE_LOW,
     .doc = "The desired Unix precision for the timestamp: seconds, milliseconds, microseconds, "
            "or nanoseconds. Used to generate the output when type=unix or used to parse the "
            "input if the input is a Long.Note: This SMT will cause precision loss during "
            "conversions from, and to, values with sub-millisecond components.",
     .validator = SL_VALIDATE_IN("nanoseconds", "microseconds", "milliseconds", "seconds")},
    SMT_REPLACE_NULL_DEF,
    SL_CONFIG_END,
};

typedef enum ts_kind { TS_STRING, TS_UNIX, TS_DATE, TS_TIME, TS_TIMESTAMP, TS_NONE } ts_kind;
typedef enum ts_prec { P_SECONDS, P_MILLIS, P_MICROS, P_NANOS } ts_prec;

typedef struct ts_conv {
    smt_part part;
    char *field; /* "" = the whole key/value */
    ts_kind target;
    ts_prec precision;
    smt_datefmt *fmt; /* NULL when no format was given */
    bool replace_null;
    sl_schema *target_schema[2]; /* required, optional */
    smt_cache cache;             /* aux: ssize_t index of the converted field, or -1 */
} ts_conv;

static ts_kind kind_of(const char *t)
{
    static const char *const names[] = {"string", "unix", "Date", "Time", "Timestamp"};
    for (int i = 0; t && i < 5; i++)
        if (strcmp(t, names[i]) == 0)
            return (ts_kind)i;
    return TS_NONE;
}

static bool blank(const char *s)
{
    for (; s && *s; s++)
        if (!isspace((unsigned char)*s))
            return false;
    return true;
}

static void ts_check(const sl_config *c, smt_cfgerr *e, smt_datefmt **fmt_out)
{
    const char *format = sl_config_string(c, "format");
    if (kind_of(sl_config_string(c, "target.type")) == TS_STRING && blank(format))
        smt_cfgerr_set(e, "format",
                       "TimestampConverter requires format option to be specified when using "
                       "string timestamps");
    if (!blank(format)) {
        smt_datefmt *f = NULL;
        char why[256];
        if (smt_datefmt_compile(format, &f, why, sizeof(why)) != SL_OK)
            smt_cfgerr_set(e, "format",
                           "TimestampConverter requires a SimpleDateFormat-compatible pattern "
                           "for string timestamps: %s (%s)",
                           format, why);
        if (fmt_out)
            *fmt_out = f;
        else
            smt_datefmt_free(f);
    }
}

static void timestamp_converter_validate(sl_validation *v)
{
    smt_cfgerr e = {0};
    ts_check(sl_validation_config(v), &e, NULL);
    if (e.key)
        sl_validation_error(v, e.key, e.message);
}

static void timestamp_converter_close(void *state)
{
    ts_conv *s = state;
    if (s == NULL)
        return;
    free(s->field);
    smt_datefmt_free(s->fmt);
    sl_schema_unref(s->target_schema[0]);
    sl_schema_unref(s->target_schema[1]);
    smt_cache_clear(&s->cache);
    free(s);
}

static sl_schema *target_schema(ts_kind k, bool optional)
{
    switch (k) {
    case TS_STRING:
        return smt_primitive(SL_TYPE_STRING, optional);
    case TS_UNIX:
        return smt_primitive(SL_TYPE_INT64, optional);
    case TS_DATE:
        return smt_logical(SL_LOGICAL_DATE, optional);
    case TS_TIME:
        return smt_logical(SL_LOGICAL_TIME, optional);
    default:
        return smt_logical(SL_LOGICAL_TIMESTAMP, optional);
    }
}

static int timestamp_converter_init(const sl_config *c, smt_part part, void **state, char *errstr,
                                    size_t errstr_size)
{
    ts_conv *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    s->part = part;
    smt_cfgerr e = {0};
    ts_check(c, &e, &s->fmt);
    s->target = kind_of(sl_config_string(c, "target.type"));
    if (e.key == NULL && s->target == TS_NONE)
        smt_cfgerr_set(&e, "target.type", "Invalid value %s for configuration target.type",
                       sl_config_string(c, "target.type"));
    if (e.key) {
        snprintf(errstr, errstr_size, "%s", e.message);
        timestamp_converter_close(s);
        return SL_ERR;
    }
    const char *p = sl_config_string(c, "unix.precision");
    s->precision = !p || strcmp(p, "milliseconds") == 0 ? P_MILLIS
                   : strcmp(p, "seconds") == 0          ? P_SECONDS
                   : strcmp(p, "microseconds") == 0     ? P_MICROS
                                                        : P_NANOS;
    s->replace_null = sl_config_bool(c, "replace.null.with.default");
    const char *f = sl_config_string(c, "field");
    s->field = strdup(f ? f : "");
    s->target_schema[0] = target_schema(s->target, false);
    s->target_schema[1] = target_schema(s->target, true);
    if (s->field == NULL || s->target_schema[0] == NULL || s->target_schema[1] == NULL) {
        timestamp_converter_close(s);
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    *state = s;
    return SL_OK;
}

/* ==== conversion ==== */

static ts_kind kind_from_schema(const sl_schema *schema, char *errstr, size_t errstr_size)
{
    switch (sl_schema_logical(schema)) {
    case SL_LOGICAL_TIMESTAMP:
        return TS_TIMESTAMP;
    case SL_LOGICAL_DATE:
        return TS_DATE;
    case SL_LOGICAL_TIME:
        return TS_TIME;
    default:
        break;
    }
    if (sl_schema_type(schema) == SL_TYPE_STRING)
        return TS_STRING;
    if (sl_schema_type(schema) == SL_TYPE_INT64)
        return TS_UNIX;
    snprintf(errstr, errstr_size,
             "Schema Schema{%s%s%s} does not correspond to a known timestamp type format",
             sl_schema_name(schema) ? sl_schema_name(schema) : "",
             sl_schema_name(schema) ? ":" : "", smt_type_name(sl_schema_type(schema)));
    return TS_NONE;
}

/* TimeUnit conversions: toward zero when shrinking, saturating when growing. */
static int64_t scale_up(int64_t v, int64_t f)
{
    if (v > INT64_MAX / f)
        return INT64_MAX;
    if (v < INT64_MIN / f)
        return INT64_MIN;
    return v * f;
}

static int to_millis(const ts_conv *s, ts_kind from, const sl_value *v, int64_t *ms, char *errstr,
                     size_t errstr_size)
{
    int64_t iv = 0;
    sl_type t = sl_value_type(v);
    switch (from) {
    case TS_STRING: {
        if (t != SL_TYPE_STRING) {
            snprintf(errstr, errstr_size,
                     "Expected string timestamp to be a String, but found class %s",
                     smt_value_class(v));
            return SL_ERR;
        }
        const char *text = sl_value_get_string(v, NULL);
        if (s->fmt == NULL) {
            snprintf(errstr, errstr_size,
                     "TimestampConverter requires the format option to parse string "
                     "timestamps, value (%s)",
                     text);
            return SL_ERR;
        }
        if (smt_datefmt_parse(s->fmt, text, ms) != SL_OK) {
            snprintf(errstr, errstr_size,
                     "Could not parse timestamp: value (%s) does not match pattern (%s)", text,
                     smt_datefmt_pattern(s->fmt));
            return SL_ERR;
        }
        return SL_OK;
    }
    case TS_UNIX:
        if (t != SL_TYPE_INT64) {
            snprintf(errstr, errstr_size,
                     "Expected Unix timestamp to be a Long, but found class %s",
                     smt_value_class(v));
            return SL_ERR;
        }
        sl_value_get_int(v, &iv);
        switch (s->precision) {
        case P_SECONDS:
            *ms = scale_up(iv, 1000);
            break;
        case P_MICROS:
            *ms = iv / 1000;
            break;
        case P_NANOS:
            *ms = iv / 1000000;
            break;
        default:
            *ms = iv;
            break;
        }
        return SL_OK;
    default:
        if (sl_value_get_int(v, &iv) != SL_OK) {
            snprintf(errstr, errstr_size, "Expected %s to be a java.util.Date, but found class %s",
                     from == TS_DATE   ? "Date"
                     : from == TS_TIME ? "Time"
                                       : "Timestamp",
                     smt_value_class(v));
            return SL_ERR;
        }
        *ms = from == TS_DATE ? iv * MS_PER_DAY : iv;
        return SL_OK;
    }
}

static sl_value *from_millis(const ts_conv *s, int64_t ms)
{
    switch (s->target) {
    case TS_STRING: {
        char buf[256];
        size_t n = smt_datefmt_format(s->fmt, ms, buf, sizeof(buf));
        if (n < sizeof(buf))
            return sl_value_new_string(buf, n);
        char *big = malloc(n + 1);
        if (big == NULL)
            return NULL;
        smt_datefmt_format(s->fmt, ms, big, n + 1);
        sl_value *out = sl_value_new_string(big, n);
        free(big);
        return out;
    }
    case TS_UNIX:
        switch (s->precision) {
        case P_SECONDS:
            return sl_value_new_int64(ms / 1000);
        case P_MICROS:
            return sl_value_new_int64(scale_up(ms, 1000));
        case P_NANOS:
            return sl_value_new_int64(scale_up(ms, 1000000));
        default:
            return sl_value_new_int64(ms);
        }
    case TS_DATE: {
        int64_t days = ms / MS_PER_DAY - (ms % MS_PER_DAY < 0);
        return sl_value_new_int32((int32_t)days);
    }
    case TS_TIME: {
        int64_t t = ms % MS_PER_DAY;
        return sl_value_new_int32((int32_t)(t < 0 ? t + MS_PER_DAY : t));
    }
    default:
        return sl_value_new_int64(ms);
    }
}

/* Convert `v` (borrowed; NULL gives NULL). `schema` NULL infers the source kind from the
 * value, as Connect does for schemaless data. */
static int convert(const ts_conv *s, const sl_schema *schema, const sl_value *v, sl_value **out,
                   char *errstr, size_t errstr_size)
{
    *out = NULL;
    if (v == NULL)
        return SL_OK;
    ts_kind from;
    if (schema != NULL) {
        if ((from = kind_from_schema(schema, errstr, errstr_size)) == TS_NONE)
            return SL_ERR;
    } else if (sl_value_type(v) == SL_TYPE_INT64) {
        from = TS_UNIX;
    } else if (sl_value_type(v) == SL_TYPE_STRING) {
        from = TS_STRING;
    } else {
        snprintf(errstr, errstr_size,
                 "TimestampConverter does not support class %s objects as timestamps",
                 smt_value_class(v));
        return SL_ERR;
    }
    int64_t ms = 0;
    if (to_millis(s, from, v, &ms, errstr, errstr_size) != SL_OK)
        return SL_ERR;
    if ((*out = from_millis(s, ms)) == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    return SL_OK;
}

/* ==== records ==== */

static void replace_operand(sl_record *r, smt_part part, sl_schema *schema, sl_value *value,
                            bool keep_schema)
{
    sl_schema *old_schema = NULL;
    sl_value *old = NULL;
    smt_take(r, part, &old_schema, &old);
    sl_value_destroy(old);
    if (keep_schema) {
        smt_set(r, part, old_schema, value);
    } else {
        sl_schema_unref(old_schema);
        smt_set(r, part, schema, value);
    }
}

/* A struct of `out_schema` from `src` (taken) with field `idx` replaced by `conv` (taken). */
static sl_value *rebuild(const ts_conv *s, sl_value *src, const sl_schema *out_schema, ssize_t idx,
                         sl_value *conv)
{
    sl_value *nv = sl_value_new_struct(out_schema);
    size_t n = sl_schema_field_count(out_schema);
    for (size_t i = 0; nv && i < n; i++)
        sl_value_struct_set_index(
            nv, i, (ssize_t)i == idx ? conv : smt_struct_take_field(src, i, s->replace_null));
    if (nv == NULL)
        sl_value_destroy(conv);
    sl_value_destroy(src);
    return nv;
}

static smt_cache_entry *build(ts_conv *s, const sl_schema *in, char *errstr, size_t errstr_size)
{
    ssize_t *idx = malloc(sizeof(*idx));
    sl_schema *out = smt_struct_like(in);
    if (idx == NULL || out == NULL)
        goto oom;
    *idx = -1;
    size_t n = sl_schema_field_count(in);
    for (size_t i = 0; i < n; i++) {
        const char *name = sl_schema_field_name(in, i);
        const sl_schema *fs = sl_schema_field_schema(in, i);
        if (strcmp(name, s->field) == 0) {
            *idx = (ssize_t)i;
            sl_schema_add_field(out, name, sl_schema_ref(s->target_schema[sl_schema_optional(fs)]));
        } else {
            sl_schema_add_field(out, name, sl_schema_ref(fs));
        }
    }
    if (sl_schema_optional(in))
        sl_schema_set_optional(out, true);
    const sl_value *def = sl_schema_default(in);
    if (def != NULL && sl_value_type(def) == SL_TYPE_STRUCT) {
        sl_value *conv = NULL;
        if (*idx >= 0 && convert(s, sl_schema_field_schema(in, (size_t)*idx),
                                 smt_struct_peek_field(def, (size_t)*idx, s->replace_null), &conv,
                                 errstr, errstr_size) != SL_OK) {
            sl_schema_unref(out);
            free(idx);
            return NULL;
        }
        sl_schema_set_default(out, rebuild(s, sl_value_copy(def), out, *idx, conv));
    }
    return smt_cache_put(&s->cache, in, out, idx);
oom:
    free(idx);
    sl_schema_unref(out);
    snprintf(errstr, errstr_size, "out of memory");
    return NULL;
}

static int timestamp_converter_apply(void *state, sl_record *r, char *errstr, size_t errstr_size)
{
    ts_conv *s = state;
    const sl_value *v = smt_operand(r, s->part);
    const sl_schema *schema = smt_operand_schema(r, s->part);
    sl_value *conv = NULL;
    if (s->field[0] == '\0' || (schema == NULL && v == NULL)) { /* the whole key/value */
        if (convert(s, schema, v, &conv, errstr, errstr_size) != SL_OK)
            return SL_ERR;
        bool schemaless = schema == NULL;
        sl_schema *ns =
            schemaless ? NULL : sl_schema_ref(s->target_schema[sl_schema_optional(schema)]);
        replace_operand(r, s->part, ns, conv, schemaless);
        return SL_OK;
    }
    if (schema == NULL) {
        if (smt_require_map(v, PURPOSE, errstr, errstr_size) != SL_OK)
            return SL_ERR;
        if (convert(s, NULL, sl_value_map_get_str(v, s->field), &conv, errstr, errstr_size) !=
            SL_OK)
            return SL_ERR;
        sl_schema *sch = NULL;
        sl_value *map = NULL;
        smt_take(r, s->part, &sch, &map);
        sl_value_map_put_str(map, s->field, conv);
        smt_set(r, s->part, sch, map);
        return SL_OK;
    }
    if (v != NULL && smt_require_struct(v, PURPOSE, errstr, errstr_size) != SL_OK)
        return SL_ERR;
    smt_cache_entry *ce = smt_cache_find(&s->cache, schema);
    if (ce == NULL && (ce = build(s, schema, errstr, errstr_size)) == NULL)
        return SL_ERR;
    ssize_t idx = *(const ssize_t *)ce->aux;
    if (v != NULL && idx >= 0 &&
        convert(s, sl_schema_field_schema(schema, (size_t)idx),
                smt_struct_peek_field(v, (size_t)idx, s->replace_null), &conv, errstr,
                errstr_size) != SL_OK)
        return SL_ERR;
    sl_schema *old_schema = NULL;
    sl_value *old = NULL;
    smt_take(r, s->part, &old_schema, &old);
    sl_schema_unref(old_schema);
    sl_value *nv = old ? rebuild(s, old, ce->out, idx, conv) : NULL;
    smt_set(r, s->part, sl_schema_ref(ce->out), nv);
    return SL_OK;
}

SMT_KEY_VALUE_DEFS(timestamp_converter, "TimestampConverter",
                   "Convert timestamps between different formats such as Unix epoch, strings, "
                   "and Connect Date/Timestamp types.Applies to individual fields or to the "
                   "entire value.",
                   timestamp_converter_validate);
