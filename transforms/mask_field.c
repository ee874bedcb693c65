/* transforms/mask_field.c: MaskField$Key / $Value: replace listed fields with the type's
 * "empty" value (0, false, "", empty array/map) or a configured replacement. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "smt.h"
#include "smt_text.h"
#include "transforms.h"

#define PURPOSE "mask fields"

static int non_empty_string(const sl_config_def *def, const char *value, char *errstr,
                            size_t errstr_size)
{
    (void)def;
    if (value != NULL && value[0] == '\0') {
        snprintf(errstr, errstr_size, "String must be non-empty");
        return SL_ERR;
    }
    return SL_OK;
}

static const sl_config_def mask_field_config[] = {
    {.name = "fields",
     .type = SL_CFG_LIST,
     .required = true,
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "Names of fields to mask.",
     .validator = SL_VALIDATE_CUSTOM(smt_valid_nonempty_list)},
    {.name = "replacement",
     .type = SL_CFG_STRING,
     .importance = SL_IMPORTANCE_LOW,
     .doc = "Custom value replacement, that will be applied to all 'fields' values (numeric or "
            "non-empty string values only).",
     .validator = SL_VALIDATE_CUSTOM(non_empty_string)},
    SMT_REPLACE_NULL_DEF,
    SL_CONFIG_END,
};

typedef struct mask_field {
    smt_part part;
    char **fields;
    size_t nfields;
    char *replacement; /* NULL: the type's empty value */
    bool replace_null;
    smt_cache cache; /* aux: bool[] masked flag per field of the input schema */
} mask_field;

static void mask_field_close(void *state)
{
    mask_field *s = state;
    if (s == NULL)
        return;
    smt_list_free(s->fields);
    free(s->replacement);
    smt_cache_clear(&s->cache);
    free(s);
}

static int mask_field_init(const sl_config *c, smt_part part, void **state, char *errstr,
                           size_t errstr_size)
{
    mask_field *s = calloc(1, sizeof(*s));
    if (s == NULL)
        goto oom;
    s->part = part;
    s->replace_null = sl_config_bool(c, "replace.null.with.default");
    const char *const *items = NULL;
    s->nfields = sl_config_list(c, "fields", &items);
    if (s->nfields == 0) {
        snprintf(errstr, errstr_size, "Invalid value [] for configuration fields: Empty list");
        mask_field_close(s);
        return SL_ERR;
    }
    if ((s->fields = calloc(s->nfields + 1, sizeof(char *))) == NULL)
        goto oom;
    for (size_t i = 0; i < s->nfields; i++)
        if ((s->fields[i] = strdup(items[i])) == NULL)
            goto oom;
    const char *rep = sl_config_string(c, "replacement");
    if (rep != NULL && (s->replacement = strdup(rep)) == NULL)
        goto oom;
    *state = s;
    return SL_OK;
oom:
    mask_field_close(s);
    snprintf(errstr, errstr_size, "out of memory");
    return SL_ERR;
}

/* The Java class of a value with its (optional) schema, for messages. */
static const char *java_class(const sl_value *v, const sl_schema *schema)
{
    switch (sl_schema_logical(schema)) {
    case SL_LOGICAL_DECIMAL:
        return "java.math.BigDecimal";
    case SL_LOGICAL_DATE:
    case SL_LOGICAL_TIME:
    case SL_LOGICAL_TIMESTAMP:
        return "java.util.Date";
    default:
        return smt_value_class(v);
    }
}

/* Values.convertToX of the replacement: a number parsed leniently, then narrowed. */
static int replacement_number(const char *rep, sl_type type, sl_value **out)
{
    int64_t iv = 0;
    double dv = 0;
    bool integral = smt_parse_integer(rep, INT64_MIN, INT64_MAX, &iv) == SL_OK;
    if (!integral) {
        if (smt_parse_double(rep, &dv) != SL_OK)
            return SL_ERR;
        if (type != SL_TYPE_FLOAT32 && type != SL_TYPE_FLOAT64) {
            if (!isfinite(dv))
                return SL_ERR;
            iv = (int64_t)dv; /* Number.longValue truncates toward zero */
        }
    } else {
        dv = (double)iv;
    }
    switch (type) {
    case SL_TYPE_INT8:
        *out = sl_value_new_int8((int8_t)iv);
        break;
    case SL_TYPE_INT16:
        *out = sl_value_new_int16((int16_t)iv);
        break;
    case SL_TYPE_INT32:
        *out = sl_value_new_int32((int32_t)iv);
        break;
    case SL_TYPE_INT64:
        *out = sl_value_new_int64(iv);
        break;
    case SL_TYPE_FLOAT32:
        *out = sl_value_new_float32((float)dv);
        break;
    default:
        *out = sl_value_new_float64(dv);
        break;
    }
    return SL_OK;
}

/* Mask `v` (borrowed; its schema may be NULL) into *out (caller owns). */
static int mask_value(const mask_field *s, const sl_value *v, const sl_schema *schema,
                      sl_value **out, char *errstr, size_t errstr_size)
{
    *out = NULL;
    if (v == NULL)
        return SL_OK;
    sl_type t = sl_value_type(v);
    sl_logical lg = sl_schema_logical(schema);
    if (s->replacement != NULL) {
        const char *rep = s->replacement;
        if (lg == SL_LOGICAL_DECIMAL && t == SL_TYPE_BYTES) {
            int32_t scale = 0;
            const char *sp = sl_schema_parameter(schema, "scale");
            if (sp != NULL)
                scale = (int32_t)strtol(sp, NULL, 10);
            if ((*out = smt_decimal_parse(rep, scale)) == NULL) {
                snprintf(errstr, errstr_size,
                         "Unable to convert %s (class java.lang.String) to number", rep);
                return SL_ERR;
            }
            return SL_OK;
        }
        if (lg == SL_LOGICAL_NONE && t >= SL_TYPE_INT8 && t <= SL_TYPE_FLOAT64) {
            if (replacement_number(rep, t, out) != SL_OK) {
                snprintf(errstr, errstr_size,
                         "Unable to convert %s (class java.lang.String) to number", rep);
                return SL_ERR;
            }
            return SL_OK;
        }
        if (t == SL_TYPE_STRING) {
            *out = sl_value_new_string(rep, strlen(rep));
            return SL_OK;
        }
        snprintf(errstr, errstr_size, "Cannot mask value of type class %s with custom replacement.",
                 java_class(v, schema));
        return SL_ERR;
    }
    switch (t) {
    case SL_TYPE_BOOLEAN:
        *out = sl_value_new_boolean(false);
        return SL_OK;
    case SL_TYPE_INT8:
        *out = sl_value_new_int8(0);
        return SL_OK;
    case SL_TYPE_INT16:
        *out = sl_value_new_int16(0);
        return SL_OK;
    case SL_TYPE_INT32:
        *out = sl_value_new_int32(0);
        return SL_OK; /* also Date/Time(0) */
    case SL_TYPE_INT64:
        *out = sl_value_new_int64(0);
        return SL_OK; /* also Timestamp(0) */
    case SL_TYPE_FLOAT32:
        *out = sl_value_new_float32(0);
        return SL_OK;
    case SL_TYPE_FLOAT64:
        *out = sl_value_new_float64(0);
        return SL_OK;
    case SL_TYPE_STRING:
        *out = sl_value_new_string("", 0);
        return SL_OK;
    case SL_TYPE_ARRAY:
        *out = sl_value_new_array();
        return SL_OK;
    case SL_TYPE_MAP:
        *out = sl_value_new_map();
        return SL_OK;
    case SL_TYPE_BYTES:
        if (lg == SL_LOGICAL_DECIMAL) {
            *out = sl_value_new_decimal_i64(0); /* BigDecimal.ZERO */
            return SL_OK;
        }
        break;
    default:
        break;
    }
    snprintf(errstr, errstr_size, "Cannot mask value of type: class %s", java_class(v, schema));
    return SL_ERR;
}

static int apply_schemaless(mask_field *s, sl_record *r, char *errstr, size_t errstr_size)
{
    const sl_value *v = smt_operand(r, s->part);
    if (smt_require_map(v, PURPOSE, errstr, errstr_size) != SL_OK)
        return SL_ERR;
    /* mask into new values first so that a failure leaves the record untouched */
    sl_value **masked = calloc(s->nfields, sizeof(*masked));
    if (masked == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    for (size_t i = 0; i < s->nfields; i++)
        if (mask_value(s, sl_value_map_get_str(v, s->fields[i]), NULL, &masked[i], errstr,
                       errstr_size) != SL_OK) {
            for (size_t j = 0; j < i; j++)
                sl_value_destroy(masked[j]);
            free(masked);
            return SL_ERR;
        }
    sl_schema *sch = NULL;
    sl_value *map = NULL;
    smt_take(r, s->part, &sch, &map);
    /* Connect puts every listed field, also absent ones (as null) */
    for (size_t i = 0; i < s->nfields; i++)
        sl_value_map_put_str(map, s->fields[i], masked[i]);
    free(masked);
    smt_set(r, s->part, sch, map);
    return SL_OK;
}

static int mask_field_apply(void *state, sl_record *r, char *errstr, size_t errstr_size)
{
    mask_field *s = state;
    const sl_value *v = smt_operand(r, s->part);
    if (smt_operand_schema(r, s->part) == NULL)
        return apply_schemaless(s, r, errstr, errstr_size);
    if (smt_require_struct(v, PURPOSE, errstr, errstr_size) != SL_OK)
        return SL_ERR;
    const sl_schema *in = sl_value_struct_schema(v);
    size_t n = sl_schema_field_count(in);
    smt_cache_entry *ce = smt_cache_find(&s->cache, in);
    if (ce == NULL) {
        bool *flags = calloc(n + 1, sizeof(bool));
        if (flags == NULL) {
            snprintf(errstr, errstr_size, "out of memory");
            return SL_ERR;
        }
        for (size_t i = 0; i < n; i++)
            flags[i] = smt_list_has((const char *const *)s->fields, s->nfields,
                                    sl_schema_field_name(in, i));
        ce = smt_cache_put(&s->cache, in, NULL, flags);
    }
    const bool *flags = ce->aux;
    /* check every masked field first so that a failure leaves the record untouched */
    sl_value **masked = calloc(n + 1, sizeof(*masked));
    if (masked == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    for (size_t i = 0; i < n; i++) {
        if (!flags[i])
            continue;
        if (mask_value(s, smt_struct_peek_field(v, i, s->replace_null),
                       sl_schema_field_schema(in, i), &masked[i], errstr, errstr_size) != SL_OK) {
            for (size_t j = 0; j < i; j++)
                sl_value_destroy(masked[j]);
            free(masked);
            return SL_ERR;
        }
    }
    sl_schema *sch = NULL;
    sl_value *st = NULL;
    smt_take(r, s->part, &sch, &st);
    for (size_t i = 0; i < n; i++) {
        if (flags[i]) {
            sl_value_struct_set_index(st, i, masked[i]);
        } else if (s->replace_null && sl_value_struct_get_index(st, i) == NULL) {
            sl_value *d = smt_struct_take_field(st, i, true);
            if (d != NULL)
                sl_value_struct_set_index(st, i, d);
        }
    }
    free(masked);
    smt_set(r, s->part, sch, st);
    return SL_OK;
}

SMT_KEY_VALUE_DEFS(mask_field, "MaskField",
                   "Mask specified fields with a valid null value for the field type (i.e. 0, "
                   "false, empty string, and so on).",
                   NULL);
