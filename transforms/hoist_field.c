/* transforms/hoist_field.c: HoistField$Key / $Value: wrap the key or value in a struct
 * (schemaful) or map (schemaless) under one field name. */
#include <stdlib.h>
#include <string.h>

#include "smt.h"
#include "transforms.h"

static const sl_config_def hoist_field_config[] = {
    {.name = "field",
     .type = SL_CFG_STRING,
     .required = true,
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "Field name for the single field that will be created in the resulting Struct or "
            "Map."},
    SL_CONFIG_END,
};

typedef struct hoist_field {
    smt_part part;
    char *field;
    smt_cache cache;
} hoist_field;

static void hoist_field_close(void *state)
{
    hoist_field *s = state;
    if (s == NULL)
        return;
    free(s->field);
    smt_cache_clear(&s->cache);
    free(s);
}

static int hoist_field_init(const sl_config *c, smt_part part, void **state, char *errstr,
                            size_t errstr_size)
{
    hoist_field *s = calloc(1, sizeof(*s));
    const char *f = sl_config_string(c, "field");
    if (s == NULL || (s->field = strdup(f ? f : "")) == NULL) {
        free(s);
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    s->part = part;
    *state = s;
    return SL_OK;
}

static int hoist_field_apply(void *state, sl_record *r, char *errstr, size_t errstr_size)
{
    hoist_field *s = state;
    sl_schema *schema = NULL;
    sl_value *v = NULL;
    if (smt_operand_schema(r, s->part) == NULL) {
        sl_value *map = sl_value_new_map();
        if (map == NULL) {
            snprintf(errstr, errstr_size, "out of memory");
            return SL_ERR;
        }
        smt_take(r, s->part, &schema, &v);
        sl_value_map_put_str(map, s->field, v); /* a null value is hoisted as a null entry */
        smt_set(r, s->part, NULL, map);
        return SL_OK;
    }
    const sl_schema *in = smt_operand_schema(r, s->part);
    smt_cache_entry *ce = smt_cache_find(&s->cache, in);
    if (ce == NULL) {
        sl_schema *out = sl_schema_new_struct(NULL);
        if (out == NULL || sl_schema_add_field(out, s->field, sl_schema_ref(in)) != SL_OK) {
            sl_schema_unref(out);
            snprintf(errstr, errstr_size, "out of memory");
            return SL_ERR;
        }
        ce = smt_cache_put(&s->cache, in, out, NULL);
    }
    sl_value *st = sl_value_new_struct(ce->out);
    if (st == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    smt_take(r, s->part, &schema, &v);
    sl_value_struct_set_index(st, 0, v);
    sl_schema_unref(schema);
    smt_set(r, s->part, sl_schema_ref(ce->out), st);
    return SL_OK;
}

SMT_KEY_VALUE_DEFS(hoist_field, "HoistField",
                   "Wrap data using the specified field name in a Struct when schema present, or "
                   "a Map in the case of schemaless data.",
                   NULL);
