/* transforms/insert_field.c: InsertField$Key / $Value: add the record's topic, partition,
 * offset, timestamp or a static value as fields of a struct (schemaful) or map (schemaless). */
#include <stdlib.h>
#include <string.h>

#include "smt.h"
#include "transforms.h"

#define OPTIONALITY_DOC                                                                            \
    " Suffix with <code>!</code> to make this a required field, or <code>?</code> to keep it "     \
    "optional (the default)."

static const sl_config_def insert_field_config[] = {
    {.name = "topic.field",
     .type = SL_CFG_STRING,
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "Field name for Kafka topic." OPTIONALITY_DOC},
    {.name = "partition.field",
     .type = SL_CFG_STRING,
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "Field name for Kafka partition." OPTIONALITY_DOC},
    {.name = "offset.field",
     .type = SL_CFG_STRING,
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc =
         "Field name for Kafka offset - only applicable to sink connectors.<br/>" OPTIONALITY_DOC},
    {.name = "timestamp.field",
     .type = SL_CFG_STRING,
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "Field name for record timestamp." OPTIONALITY_DOC},
    {.name = "static.field",
     .type = SL_CFG_STRING,
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "Field name for static data field." OPTIONALITY_DOC},
    {.name = "static.value",
     .type = SL_CFG_STRING,
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "Static field value, if field name configured."},
    SMT_REPLACE_NULL_DEF,
    SL_CONFIG_END,
};

#define PURPOSE "field insertion"

/* What to insert, in Connect's order. */
enum { INS_TOPIC, INS_PARTITION, INS_OFFSET, INS_TIMESTAMP, INS_STATIC, INS_COUNT };
static const char *const k_keys[INS_COUNT] = {"topic.field", "partition.field", "offset.field",
                                              "timestamp.field", "static.field"};

typedef struct ins_spec {
    char *name; /* NULL: not inserted */
    bool optional;
} ins_spec;

typedef struct insert_field {
    smt_part part;
    ins_spec spec[INS_COUNT];
    char *static_value;
    bool replace_null;
    smt_cache cache;
} insert_field;

/* InsertionSpec.parse: "name!" required, "name?" or "name" optional. */
static int spec_parse(const char *text, ins_spec *s)
{
    s->name = NULL;
    s->optional = true;
    if (text == NULL)
        return SL_OK;
    size_t len = strlen(text);
    if (len > 0 && (text[len - 1] == '?' || text[len - 1] == '!')) {
        s->optional = text[len - 1] == '?';
        len--;
    }
    s->name = strndup(text, len);
    return s->name ? SL_OK : SL_ERR;
}

static void insert_field_check(const sl_config *c, smt_cfgerr *e)
{
    bool any = false;
    for (int i = 0; i < INS_COUNT; i++)
        any |= sl_config_string(c, k_keys[i]) != NULL;
    if (!any)
        smt_cfgerr_set(e, "topic.field",
                       "No field insertion configured: set at least one of topic.field, "
                       "partition.field, offset.field, timestamp.field or static.field");
    const char *sf = sl_config_string(c, "static.field");
    if (sf != NULL && sl_config_string(c, "static.value") == NULL)
        smt_cfgerr_set(e, "static.value", "No value specified for static field: %s", sf);
}

static void insert_field_validate(sl_validation *v)
{
    smt_cfgerr e = {0};
    insert_field_check(sl_validation_config(v), &e);
    if (e.key)
        sl_validation_error(v, e.key, e.message);
}

static void insert_field_close(void *state)
{
    insert_field *s = state;
    if (s == NULL)
        return;
    for (int i = 0; i < INS_COUNT; i++)
        free(s->spec[i].name);
    free(s->static_value);
    smt_cache_clear(&s->cache);
    free(s);
}

static int insert_field_init(const sl_config *c, smt_part part, void **state, char *errstr,
                             size_t errstr_size)
{
    smt_cfgerr e = {0};
    insert_field_check(c, &e);
    if (e.key) {
        snprintf(errstr, errstr_size, "%s", e.message);
        return SL_ERR;
    }
    insert_field *s = calloc(1, sizeof(*s));
    if (s == NULL)
        goto oom;
    s->part = part;
    s->replace_null = sl_config_bool(c, "replace.null.with.default");
    for (int i = 0; i < INS_COUNT; i++)
        if (spec_parse(sl_config_string(c, k_keys[i]), &s->spec[i]) != SL_OK)
            goto oom;
    const char *sv = sl_config_string(c, "static.value");
    if (sv != NULL && (s->static_value = strdup(sv)) == NULL)
        goto oom;
    *state = s;
    return SL_OK;
oom:
    insert_field_close(s);
    snprintf(errstr, errstr_size, "out of memory");
    return SL_ERR;
}

/* The value of inserted field `which` for `r`, or NULL when Connect leaves it out (no
 * partition, no timestamp). `schemaful` makes the timestamp a Timestamp (same INT64). */
static sl_value *inserted_value(const insert_field *s, const sl_record *r, int which)
{
    switch (which) {
    case INS_TOPIC: {
        const char *t = sl_record_topic(r);
        return sl_value_new_string(t, strlen(t));
    }
    case INS_PARTITION:
        return sl_record_partition(r) >= 0 ? sl_value_new_int32(sl_record_partition(r)) : NULL;
    case INS_OFFSET:
        return sl_value_new_int64(sl_record_offset(r));
    case INS_TIMESTAMP:
        return sl_record_timestamp(r) >= 0 ? sl_value_new_int64(sl_record_timestamp(r)) : NULL;
    case INS_STATIC:
        return s->static_value ? sl_value_new_string(s->static_value, strlen(s->static_value))
                               : NULL;
    default:
        return NULL;
    }
}

static sl_schema *inserted_schema(const ins_spec *sp, int which)
{
    switch (which) {
    case INS_TOPIC:
    case INS_STATIC:
        return smt_primitive(SL_TYPE_STRING, sp->optional);
    case INS_PARTITION:
        return smt_primitive(SL_TYPE_INT32, sp->optional);
    case INS_OFFSET:
        return smt_primitive(SL_TYPE_INT64, sp->optional);
    default:
        return smt_logical(SL_LOGICAL_TIMESTAMP, sp->optional);
    }
}

static sl_schema *build_schema(const insert_field *s, const sl_schema *in, char *errstr,
                               size_t errstr_size)
{
    sl_schema *out = smt_struct_like(in);
    size_t n = sl_schema_field_count(in);
    for (size_t i = 0; out && i < n; i++)
        sl_schema_add_field(out, sl_schema_field_name(in, i),
                            sl_schema_ref(sl_schema_field_schema(in, i)));
    for (int k = 0; out && k < INS_COUNT; k++) {
        if (s->spec[k].name == NULL)
            continue;
        if (sl_schema_add_field(out, s->spec[k].name, inserted_schema(&s->spec[k], k)) != SL_OK) {
            snprintf(errstr, errstr_size,
                     "Cannot create field because of field name duplication %s", s->spec[k].name);
            sl_schema_unref(out);
            return NULL;
        }
    }
    if (out == NULL)
        snprintf(errstr, errstr_size, "out of memory");
    return out;
}

static int insert_field_apply(void *state, sl_record *r, char *errstr, size_t errstr_size)
{
    insert_field *s = state;
    const sl_value *v = smt_operand(r, s->part);
    if (v == NULL)
        return SL_OK; /* tombstones pass unchanged */
    if (s->spec[INS_OFFSET].name != NULL && sl_record_offset(r) < 0) {
        snprintf(errstr, errstr_size,
                 "Only SinkRecord supported for [" PURPOSE
                 "], found: org.apache.kafka.connect.source.SourceRecord");
        return SL_ERR;
    }
    if (smt_operand_schema(r, s->part) == NULL) {
        if (smt_require_map(v, PURPOSE, errstr, errstr_size) != SL_OK)
            return SL_ERR;
        sl_schema *sch = NULL;
        sl_value *map = NULL;
        smt_take(r, s->part, &sch, &map);
        for (int k = 0; k < INS_COUNT; k++) {
            if (s->spec[k].name == NULL)
                continue;
            sl_value *iv = inserted_value(s, r, k);
            if (iv != NULL)
                sl_value_map_put_str(map, s->spec[k].name, iv);
        }
        smt_set(r, s->part, sch, map);
        return SL_OK;
    }
    if (smt_require_struct(v, PURPOSE, errstr, errstr_size) != SL_OK)
        return SL_ERR;
    const sl_schema *in = sl_value_struct_schema(v);
    smt_cache_entry *ce = smt_cache_find(&s->cache, in);
    if (ce == NULL) {
        sl_schema *out = build_schema(s, in, errstr, errstr_size);
        if (out == NULL)
            return SL_ERR;
        ce = smt_cache_put(&s->cache, in, out, NULL);
    }
    sl_value *nv = sl_value_new_struct(ce->out);
    if (nv == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    sl_schema *old_schema = NULL;
    sl_value *old = NULL;
    smt_take(r, s->part, &old_schema, &old);
    size_t n = sl_schema_field_count(in);
    for (size_t i = 0; i < n; i++)
        sl_value_struct_set_index(nv, i, smt_struct_take_field(old, i, s->replace_null));
    size_t at = n;
    for (int k = 0; k < INS_COUNT; k++) {
        if (s->spec[k].name == NULL)
            continue;
        sl_value *iv = inserted_value(s, r, k);
        if (iv != NULL)
            sl_value_struct_set_index(nv, at, iv);
        at++;
    }
    sl_value_destroy(old);
    sl_schema_unref(old_schema);
    smt_set(r, s->part, sl_schema_ref(ce->out), nv);
    return SL_OK;
}

SMT_KEY_VALUE_DEFS(insert_field, "InsertField",
                   "Insert field(s) using attributes from the record metadata or a configured "
                   "static value.",
                   insert_field_validate);
