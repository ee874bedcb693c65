/* transforms/smt_util.c: operand access, Connect's requirement errors, map and struct field
 * helpers, list splitting and the small validators shared by the built-in transforms. */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "smt.h"

/* ==== operands ==== */

const sl_value *smt_operand(const sl_record *r, smt_part part)
{
    return part == SMT_KEY ? sl_record_key(r) : sl_record_value(r);
}

const sl_schema *smt_operand_schema(const sl_record *r, smt_part part)
{
    return part == SMT_KEY ? sl_record_key_schema(r) : sl_record_value_schema(r);
}

void smt_take(sl_record *r, smt_part part, sl_schema **schema, sl_value **value)
{
    if (part == SMT_KEY)
        sl_record_take_key(r, schema, value);
    else
        sl_record_take_value(r, schema, value);
}

void smt_set(sl_record *r, smt_part part, sl_schema *schema, sl_value *value)
{
    if (part == SMT_KEY)
        sl_record_set_key(r, schema, value);
    else
        sl_record_set_value(r, schema, value);
}

/* ==== errors ==== */

const char *smt_value_class(const sl_value *v)
{
    if (v == NULL)
        return "null";
    switch (sl_value_type(v)) {
    case SL_TYPE_INT8:
        return "java.lang.Byte";
    case SL_TYPE_INT16:
        return "java.lang.Short";
    case SL_TYPE_INT32:
        return "java.lang.Integer";
    case SL_TYPE_INT64:
        return "java.lang.Long";
    case SL_TYPE_FLOAT32:
        return "java.lang.Float";
    case SL_TYPE_FLOAT64:
        return "java.lang.Double";
    case SL_TYPE_BOOLEAN:
        return "java.lang.Boolean";
    case SL_TYPE_STRING:
        return "java.lang.String";
    case SL_TYPE_BYTES:
        return "[B";
    case SL_TYPE_ARRAY:
        return "java.util.ArrayList";
    case SL_TYPE_MAP:
        return "java.util.HashMap";
    case SL_TYPE_STRUCT:
        return "org.apache.kafka.connect.data.Struct";
    default:
        return "unknown";
    }
}

const char *smt_type_name(sl_type t)
{
    static const char *const names[] = {"INT8",    "INT16",  "INT32", "INT64", "FLOAT32", "FLOAT64",
                                        "BOOLEAN", "STRING", "BYTES", "ARRAY", "MAP",     "STRUCT"};
    if ((unsigned)t < sizeof(names) / sizeof(names[0]))
        return names[t];
    return "null";
}

int smt_require_map(const sl_value *v, const char *purpose, char *errstr, size_t errstr_size)
{
    if (v != NULL && sl_value_type(v) == SL_TYPE_MAP)
        return SL_OK;
    snprintf(errstr, errstr_size,
             "Only Map objects supported in absence of schema for [%s], found: %s", purpose,
             smt_value_class(v));
    return SL_ERR;
}

int smt_require_struct(const sl_value *v, const char *purpose, char *errstr, size_t errstr_size)
{
    if (v != NULL && sl_value_type(v) == SL_TYPE_STRUCT)
        return SL_OK;
    snprintf(errstr, errstr_size, "Only Struct objects supported for [%s], found: %s", purpose,
             smt_value_class(v));
    return SL_ERR;
}

/* ==== values ==== */

const char *smt_map_key_str(const sl_value *map, size_t i)
{
    const sl_value *k = sl_value_map_key_at(map, i);
    if (k == NULL || sl_value_type(k) != SL_TYPE_STRING)
        return NULL;
    return sl_value_get_string(k, NULL);
}

ssize_t smt_map_find(const sl_value *map, const char *key)
{
    size_t n = sl_value_map_len(map);
    for (size_t i = 0; i < n; i++) {
        const char *k = smt_map_key_str(map, i);
        if (k != NULL && strcmp(k, key) == 0)
            return (ssize_t)i;
    }
    return -1;
}

sl_value *smt_struct_take_field(sl_value *st, size_t i, bool replace_default)
{
    sl_value *v = sl_value_struct_take_index(st, i);
    if (v == NULL && replace_default) {
        const sl_schema *fs = sl_schema_field_schema(sl_value_struct_schema(st), i);
        const sl_value *def = sl_schema_default(fs);
        if (def != NULL)
            v = sl_value_copy(def);
    }
    return v;
}

const sl_value *smt_struct_peek_field(const sl_value *st, size_t i, bool replace_default)
{
    const sl_value *v = sl_value_struct_get_index(st, i);
    if (v == NULL && replace_default)
        v = sl_schema_default(sl_schema_field_schema(sl_value_struct_schema(st), i));
    return v;
}

/* ==== lists and validators ==== */

bool smt_list_has(const char *const *items, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(items[i], s) == 0)
            return true;
    return false;
}

static char *dup_trimmed(const char *s, size_t len)
{
    while (len > 0 && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    char *out = malloc(len + 1);
    if (out != NULL) {
        memcpy(out, s, len);
        out[len] = '\0';
    }
    return out;
}

size_t smt_list_split(const char *raw, char ***items)
{
    *items = NULL;
    size_t cap = 1, n = 0;
    for (const char *p = raw; p && *p; p++)
        cap += *p == ',';
    char **out = calloc(cap + 1, sizeof(*out));
    if (out == NULL)
        return 0;
    char *all = raw ? dup_trimmed(raw, strlen(raw)) : NULL;
    if (all != NULL && all[0] != '\0') {
        const char *start = all;
        for (;;) {
            const char *comma = strchr(start, ',');
            size_t len = comma ? (size_t)(comma - start) : strlen(start);
            out[n] = dup_trimmed(start, len);
            if (out[n] == NULL)
                break;
            n++;
            if (comma == NULL)
                break;
            start = comma + 1;
        }
    }
    free(all);
    *items = out;
    return n;
}

void smt_list_free(char **items)
{
    for (char **p = items; p && *p; p++)
        free(*p);
    free(items);
}

int smt_valid_nonempty_list(const sl_config_def *def, const char *value, char *errstr,
                            size_t errstr_size)
{
    (void)def;
    if (value == NULL)
        return SL_OK; /* a missing required key is reported by the host already */
    const char *p = value;
    while (isspace((unsigned char)*p))
        p++;
    if (*p == '\0') {
        snprintf(errstr, errstr_size, "Empty list");
        return SL_ERR;
    }
    return SL_OK;
}

int smt_valid_non_null(const sl_config_def *def, const char *value, char *errstr,
                       size_t errstr_size)
{
    if (value == NULL && !def->required) {
        snprintf(errstr, errstr_size, "entry must be non null");
        return SL_ERR;
    }
    return SL_OK;
}

void smt_cfgerr_set(smt_cfgerr *e, const char *key, const char *fmt, ...)
{
    if (e->key != NULL)
        return; /* keep the first error */
    e->key = key;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
}
