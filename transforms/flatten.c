/* transforms/flatten.c: Flatten$Key / $Value: flatten nested structs (schemaful) or maps
 * (schemaless) into one level, joining field names with a delimiter. */
#include <stdlib.h>
#include <string.h>

#include "smt.h"
#include "transforms.h"

#define PURPOSE "flattening"

static const sl_config_def flatten_config[] = {
    {.name = "delimiter",
     .type = SL_CFG_STRING,
     .default_value = ".",
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "Delimiter to insert between field names from the input record when generating "
            "field names for the output record"},
    SL_CONFIG_END,
};

typedef struct flatten {
    smt_part part;
    char *delimiter;
    smt_cache cache;
} flatten;

static void flatten_close(void *state)
{
    flatten *s = state;
    if (s == NULL)
        return;
    free(s->delimiter);
    smt_cache_clear(&s->cache);
    free(s);
}

static int flatten_init(const sl_config *c, smt_part part, void **state, char *errstr,
                        size_t errstr_size)
{
    flatten *s = calloc(1, sizeof(*s));
    const char *d = sl_config_string(c, "delimiter");
    if (s == NULL || (s->delimiter = strdup(d ? d : "")) == NULL) {
        free(s);
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    s->part = part;
    *state = s;
    return SL_OK;
}

/* prefix + delimiter + name, or name alone at the top level. Caller frees. */
static char *field_name(const flatten *s, const char *prefix, const char *name)
{
    if (prefix == NULL || prefix[0] == '\0')
        return strdup(name);
    size_t a = strlen(prefix), b = strlen(s->delimiter), c = strlen(name);
    char *out = malloc(a + b + c + 1);
    if (out != NULL) {
        memcpy(out, prefix, a);
        memcpy(out + a, s->delimiter, b);
        memcpy(out + a + b, name, c + 1);
    }
    return out;
}

/* ==== schemaless ==== */

static int flatten_map(const flatten *s, sl_value *in, const char *prefix, sl_value *out,
                       char *errstr, size_t errstr_size)
{
    size_t n = sl_value_map_len(in);
    for (size_t i = 0; i < n; i++) {
        const char *k = smt_map_key_str(in, i);
        if (k == NULL) {
            snprintf(errstr, errstr_size, "Flatten transformation requires string map keys");
            return SL_ERR;
        }
        char *name = field_name(s, prefix, k);
        if (name == NULL) {
            snprintf(errstr, errstr_size, "out of memory");
            return SL_ERR;
        }
        sl_value *v = sl_value_map_take_value_at(in, i);
        int rc = SL_OK;
        if (v != NULL && sl_value_type(v) == SL_TYPE_MAP) {
            rc = flatten_map(s, v, name, out, errstr, errstr_size);
            sl_value_destroy(v);
        } else if (v != NULL && sl_value_type(v) == SL_TYPE_STRUCT) {
            snprintf(errstr, errstr_size,
                     "Flatten transformation does not support class "
                     "org.apache.kafka.connect.data.Struct for record without schemas (for "
                     "field %s).",
                     name);
            sl_value_destroy(v);
            rc = SL_ERR;
        } else {
            sl_value_map_put_str(out, name, v);
        }
        free(name);
        if (rc != SL_OK)
            return rc;
    }
    return SL_OK;
}

static int apply_schemaless(flatten *s, sl_record *r, char *errstr, size_t errstr_size)
{
    if (smt_require_map(smt_operand(r, s->part), PURPOSE, errstr, errstr_size) != SL_OK)
        return SL_ERR;
    sl_value *out = sl_value_new_map();
    if (out == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    /* flatten a copy so that a failure (a struct inside) leaves the record untouched */
    sl_value *work = sl_value_copy(smt_operand(r, s->part));
    int rc = work ? flatten_map(s, work, NULL, out, errstr, errstr_size) : SL_ERR;
    sl_value_destroy(work);
    if (rc != SL_OK) {
        sl_value_destroy(out);
        return SL_ERR;
    }
    sl_schema *sch = NULL;
    sl_value *old = NULL;
    smt_take(r, s->part, &sch, &old);
    sl_value_destroy(old);
    smt_set(r, s->part, sch, out);
    return SL_OK;
}

/* ==== schemaful ==== */

/* Flatten.buildUpdatedSchema: leaves become fields named by their path, optional when any
 * ancestor is, with their own default or the one in the parent struct's default. */
static int flatten_schema(const flatten *s, const sl_schema *in, const char *prefix, bool optional,
                          const sl_value *parent_default, sl_schema *out, char *errstr,
                          size_t errstr_size)
{
    size_t n = sl_schema_field_count(in);
    for (size_t i = 0; i < n; i++) {
        const sl_schema *fs = sl_schema_field_schema(in, i);
        char *name = field_name(s, prefix, sl_schema_field_name(in, i));
        if (name == NULL) {
            snprintf(errstr, errstr_size, "out of memory");
            return SL_ERR;
        }
        bool opt = optional || sl_schema_optional(fs);
        const sl_value *def = sl_schema_default(fs);
        if (def == NULL && parent_default != NULL)
            def = sl_value_struct_get_index(parent_default, i);
        int rc = SL_OK;
        if (sl_schema_type(fs) == SL_TYPE_STRUCT) {
            rc = flatten_schema(s, fs, name, opt, def, out, errstr, errstr_size);
        } else {
            sl_schema *leaf = smt_schema_copy_basics(fs);
            if (leaf == NULL) {
                snprintf(errstr, errstr_size, "out of memory");
                rc = SL_ERR;
            } else {
                if (opt)
                    sl_schema_set_optional(leaf, true);
                if (def != NULL)
                    sl_schema_set_default(leaf, sl_value_copy(def));
                if (sl_schema_add_field(out, name, leaf) != SL_OK) {
                    snprintf(errstr, errstr_size,
                             "Cannot create field because of field name duplication %s", name);
                    rc = SL_ERR;
                }
            }
        }
        free(name);
        if (rc != SL_OK)
            return rc;
    }
    return SL_OK;
}

/* Flatten.buildWithSchema: move the leaves of `val` (may be NULL: its leaves stay null) into
 * `out` in schema order, advancing *k over every leaf of `schema`. */
static void flatten_value(const sl_schema *schema, sl_value *val, sl_value *out, size_t *k)
{
    size_t n = sl_schema_field_count(schema);
    for (size_t i = 0; i < n; i++) {
        const sl_schema *fs = sl_schema_field_schema(schema, i);
        if (sl_schema_type(fs) == SL_TYPE_STRUCT) {
            sl_value *child = val ? smt_struct_take_field(val, i, true) : NULL;
            flatten_value(fs, child, out, k);
            sl_value_destroy(child);
        } else {
            if (val != NULL)
                sl_value_struct_set_index(out, *k, smt_struct_take_field(val, i, true));
            (*k)++;
        }
    }
}

static int flatten_apply(void *state, sl_record *r, char *errstr, size_t errstr_size)
{
    flatten *s = state;
    const sl_value *v = smt_operand(r, s->part);
    if (v == NULL)
        return SL_OK;
    const sl_schema *schema = smt_operand_schema(r, s->part);
    if (schema == NULL)
        return apply_schemaless(s, r, errstr, errstr_size);
    if (smt_require_struct(v, PURPOSE, errstr, errstr_size) != SL_OK)
        return SL_ERR;
    smt_cache_entry *ce = smt_cache_find(&s->cache, schema);
    if (ce == NULL) {
        sl_schema *out = smt_struct_like(schema);
        if (out == NULL) {
            snprintf(errstr, errstr_size, "out of memory");
            return SL_ERR;
        }
        if (flatten_schema(s, schema, NULL, sl_schema_optional(schema), sl_schema_default(schema),
                           out, errstr, errstr_size) != SL_OK) {
            sl_schema_unref(out);
            return SL_ERR;
        }
        ce = smt_cache_put(&s->cache, schema, out, NULL);
    }
    sl_value *nv = sl_value_new_struct(ce->out);
    if (nv == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    sl_schema *old_schema = NULL;
    sl_value *old = NULL;
    smt_take(r, s->part, &old_schema, &old);
    size_t k = 0;
    flatten_value(sl_value_struct_schema(old), old, nv, &k);
    sl_value_destroy(old);
    sl_schema_unref(old_schema);
    smt_set(r, s->part, sl_schema_ref(ce->out), nv);
    return SL_OK;
}

SMT_KEY_VALUE_DEFS(flatten, "Flatten",
                   "Flatten a nested data structure, generating names for each field by "
                   "concatenating the field names at each level with a configurable delimiter "
                   "character. Applies to Struct when schema present, or a Map in the case of "
                   "schemaless data. Array fields and their contents are not modified. The "
                   "default delimiter is '.'.",
                   NULL);
