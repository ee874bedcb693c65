/* transforms/set_schema_metadata.c: SetSchemaMetadata$Key / $Value: set the name and/or
 * version of the key or value schema (structs are re-pointed at the updated schema). */
#include <stdlib.h>
#include <string.h>

#include "smt.h"
#include "transforms.h"

static const sl_config_def set_schema_metadata_config[] = {
    {.name = "schema.name",
     .type = SL_CFG_STRING,
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "Schema name to set."},
    {.name = "schema.version",
     .type = SL_CFG_INT,
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "Schema version to set."},
    SMT_REPLACE_NULL_DEF,
    SL_CONFIG_END,
};

typedef struct set_schema_metadata {
    smt_part part;
    char *name; /* NULL: keep */
    bool has_version;
    int32_t version;
    bool replace_null;
    smt_cache cache;
} set_schema_metadata;

static void ssm_check(const sl_config *c, smt_cfgerr *e)
{
    if (sl_config_string(c, "schema.name") == NULL && !sl_config_is_set(c, "schema.version"))
        smt_cfgerr_set(e, "schema.name",
                       "Neither schema name nor version configured (set schema.name and/or "
                       "schema.version)");
}

static void set_schema_metadata_validate(sl_validation *v)
{
    smt_cfgerr e = {0};
    ssm_check(sl_validation_config(v), &e);
    if (e.key)
        sl_validation_error(v, e.key, e.message);
}

static void set_schema_metadata_close(void *state)
{
    set_schema_metadata *s = state;
    if (s == NULL)
        return;
    free(s->name);
    smt_cache_clear(&s->cache);
    free(s);
}

static int set_schema_metadata_init(const sl_config *c, smt_part part, void **state, char *errstr,
                                    size_t errstr_size)
{
    smt_cfgerr e = {0};
    ssm_check(c, &e);
    if (e.key) {
        snprintf(errstr, errstr_size, "%s", e.message);
        return SL_ERR;
    }
    set_schema_metadata *s = calloc(1, sizeof(*s));
    const char *name = sl_config_string(c, "schema.name");
    if (s == NULL || (name != NULL && (s->name = strdup(name)) == NULL)) {
        free(s);
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    s->part = part;
    s->has_version = sl_config_is_set(c, "schema.version");
    s->version = s->has_version ? sl_config_int(c, "schema.version") : 0;
    s->replace_null = sl_config_bool(c, "replace.null.with.default");
    *state = s;
    return SL_OK;
}

static int set_schema_metadata_apply(void *state, sl_record *r, char *errstr, size_t errstr_size)
{
    set_schema_metadata *s = state;
    const sl_value *v = smt_operand(r, s->part);
    const sl_schema *schema = smt_operand_schema(r, s->part);
    if (v == NULL && schema == NULL)
        return SL_OK;
    if (schema == NULL) {
        snprintf(errstr, errstr_size, "Schema required for [updating schema metadata]");
        return SL_ERR;
    }
    smt_cache_entry *ce = smt_cache_find(&s->cache, schema);
    if (ce == NULL) {
        sl_schema *out = smt_schema_clone(schema);
        if (out == NULL) {
            snprintf(errstr, errstr_size, "out of memory");
            return SL_ERR;
        }
        if (s->name != NULL)
            sl_schema_set_name(out, s->name);
        if (s->has_version)
            sl_schema_set_version(out, s->version);
        ce = smt_cache_put(&s->cache, schema, out, NULL);
    }
    sl_schema *old_schema = NULL;
    sl_value *old = NULL;
    smt_take(r, s->part, &old_schema, &old);
    sl_value *nv = old;
    if (old != NULL && sl_value_type(old) == SL_TYPE_STRUCT &&
        sl_schema_type(ce->out) == SL_TYPE_STRUCT) {
        /* updateSchemaIn: a struct carries its schema, so it moves into a new struct */
        nv = sl_value_new_struct(ce->out);
        size_t n = sl_schema_field_count(ce->out);
        for (size_t i = 0; nv && i < n; i++)
            sl_value_struct_set_index(nv, i, smt_struct_take_field(old, i, s->replace_null));
        if (nv == NULL) {
            smt_set(r, s->part, old_schema, old);
            snprintf(errstr, errstr_size, "out of memory");
            return SL_ERR;
        }
        sl_value_destroy(old);
    }
    sl_schema_unref(old_schema);
    smt_set(r, s->part, sl_schema_ref(ce->out), nv);
    return SL_OK;
}

SMT_KEY_VALUE_DEFS(set_schema_metadata, "SetSchemaMetadata",
                   "Set the schema name, version or both on the record's key or value schema.",
                   set_schema_metadata_validate);
