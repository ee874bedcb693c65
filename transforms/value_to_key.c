/* transforms/value_to_key.c: ValueToKey: replace the record key with a struct (schemaful) or
 * map (schemaless) of fields copied from the value. */
#include <stdlib.h>
#include <string.h>

#include "smt.h"
#include "transforms.h"

#define PURPOSE "copying fields from value to key"

static const sl_config_def value_to_key_config[] = {
    {.name = "fields",
     .type = SL_CFG_LIST,
     .required = true,
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "Field names on the record value to extract as the record key.",
     .validator = SL_VALIDATE_CUSTOM(smt_valid_nonempty_list)},
    SMT_REPLACE_NULL_DEF,
    SL_CONFIG_END,
};

typedef struct value_to_key {
    char **fields;
    size_t nfields;
    bool replace_null;
    smt_cache cache; /* out: the key schema; aux: size_t[] value index of each key field */
} value_to_key;

static void value_to_key_close(void *state)
{
    value_to_key *s = state;
    if (s == NULL)
        return;
    smt_list_free(s->fields);
    smt_cache_clear(&s->cache);
    free(s);
}

static int value_to_key_init(const sl_config *c, void **state, char *errstr, size_t errstr_size)
{
    value_to_key *s = calloc(1, sizeof(*s));
    if (s == NULL)
        goto oom;
    s->replace_null = sl_config_bool(c, "replace.null.with.default");
    const char *const *items = NULL;
    s->nfields = sl_config_list(c, "fields", &items);
    if (s->nfields == 0) {
        snprintf(errstr, errstr_size, "Invalid value [] for configuration fields: Empty list");
        value_to_key_close(s);
        return SL_ERR;
    }
    if ((s->fields = calloc(s->nfields + 1, sizeof(char *))) == NULL)
        goto oom;
    for (size_t i = 0; i < s->nfields; i++)
        if ((s->fields[i] = strdup(items[i])) == NULL)
            goto oom;
    *state = s;
    return SL_OK;
oom:
    value_to_key_close(s);
    snprintf(errstr, errstr_size, "out of memory");
    return SL_ERR;
}

static int apply_schemaless(value_to_key *s, sl_record *r, char *errstr, size_t errstr_size)
{
    const sl_value *v = sl_record_value(r);
    if (smt_require_map(v, PURPOSE, errstr, errstr_size) != SL_OK)
        return SL_ERR;
    sl_value *key = sl_value_new_map();
    if (key == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    for (size_t i = 0; i < s->nfields; i++)
        sl_value_map_put_str(key, s->fields[i],
                             sl_value_copy(sl_value_map_get_str(v, s->fields[i])));
    sl_record_set_key(r, NULL, key);
    return SL_OK;
}

static int value_to_key_apply(void *state, sl_record *r, char *errstr, size_t errstr_size)
{
    value_to_key *s = state;
    if (sl_record_value_schema(r) == NULL)
        return apply_schemaless(s, r, errstr, errstr_size);
    const sl_value *v = sl_record_value(r);
    if (smt_require_struct(v, PURPOSE, errstr, errstr_size) != SL_OK)
        return SL_ERR;
    const sl_schema *in = sl_value_struct_schema(v);
    smt_cache_entry *ce = smt_cache_find(&s->cache, in);
    if (ce == NULL) {
        sl_schema *ks = sl_schema_new_struct(NULL);
        size_t *idx = calloc(s->nfields + 1, sizeof(*idx));
        if (ks == NULL || idx == NULL) {
            sl_schema_unref(ks);
            free(idx);
            snprintf(errstr, errstr_size, "out of memory");
            return SL_ERR;
        }
        for (size_t i = 0; i < s->nfields; i++) {
            int fi = sl_schema_field_index(in, s->fields[i]);
            if (fi < 0 || sl_schema_add_field(
                              ks, s->fields[i],
                              sl_schema_ref(sl_schema_field_schema(in, (size_t)fi))) != SL_OK) {
                if (fi < 0)
                    snprintf(errstr, errstr_size, "Field does not exist: %s", s->fields[i]);
                else
                    snprintf(errstr, errstr_size,
                             "Cannot create field because of field name duplication %s",
                             s->fields[i]);
                sl_schema_unref(ks);
                free(idx);
                return SL_ERR;
            }
            idx[i] = (size_t)fi;
        }
        ce = smt_cache_put(&s->cache, in, ks, idx);
    }
    const size_t *idx = ce->aux;
    sl_value *key = sl_value_new_struct(ce->out);
    if (key == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    /* the value keeps its fields: the key gets copies */
    for (size_t i = 0; i < s->nfields; i++)
        sl_value_struct_set_index(key, i,
                                  sl_value_copy(smt_struct_peek_field(v, idx[i], s->replace_null)));
    sl_record_set_key(r, sl_schema_ref(ce->out), key);
    return SL_OK;
}

const sl_transform_def smt_value_to_key = {
    .struct_size = sizeof(sl_transform_def),
    .class_name = SMT_PKG "ValueToKey",
    .version = SMT_VERSION,
    .doc = "Replace the record key with a new key formed from a subset of fields in the record "
           "value.",
    .config = value_to_key_config,
    .init = value_to_key_init,
    .apply = value_to_key_apply,
    .close = value_to_key_close,
};
