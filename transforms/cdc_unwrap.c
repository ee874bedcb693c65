/* transforms/cdc_unwrap.c: ExtractNewRecordState, the change-data-capture unwrap: a
 * Debezium-style envelope (before, after, op, source, ts_ms) becomes the row state, with
 * configurable handling of deletes and tombstones and envelope fields added as fields or
 * headers. Answers to io.sluice.transforms.* and to Debezium's class name. */
#include <stdlib.h>
#include <string.h>

#include "smt.h"
#include "transforms.h"

#define DELETED_FIELD "__deleted"

static int tombstone_mode_valid(const sl_config_def *def, const char *value, char *errstr,
                                size_t errstr_size)
{
    (void)def;
    static const char *const ok[] = {"drop", "tombstone", "rewrite", "rewrite-with-tombstone"};
    if (value == NULL)
        return SL_OK; /* unset: drop.tombstones and delete.handling.mode decide */
    for (size_t i = 0; i < 4; i++)
        if (strcmp(value, ok[i]) == 0)
            return SL_OK;
    snprintf(errstr, errstr_size,
             "String must be one of: drop, tombstone, rewrite, rewrite-with-tombstone");
    return SL_ERR;
}

/* "op", "table", "source.ts_ms", "transaction.id", optionally renamed with ":new_name". */
static int field_refs_valid(const sl_config_def *def, const char *value, char *errstr,
                            size_t errstr_size);

static const sl_config_def cdc_config[] = {
    {.name = "drop.tombstones",
     .type = SL_CFG_BOOLEAN,
     .default_value = "true",
     .importance = SL_IMPORTANCE_LOW,
     .doc = "Drop tombstone records (null values) from the stream. Superseded by "
            "delete.tombstone.handling.mode when that is set."},
    {.name = "delete.handling.mode",
     .type = SL_CFG_STRING,
     .default_value = "drop",
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "How delete events are handled: drop (remove them), none (pass them on as "
            "tombstones), rewrite (emit the 'before' row with a __deleted=true field, and "
            "__deleted=false on every other row).",
     .validator = SL_VALIDATE_IN("drop", "rewrite", "none")},
    {.name = "delete.tombstone.handling.mode",
     .type = SL_CFG_STRING,
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "Debezium 2.5+ combined setting: drop (deletes and tombstones dropped), tombstone "
            "(deletes become tombstones, original tombstones dropped), rewrite (__deleted "
            "field, tombstones dropped), rewrite-with-tombstone (__deleted field, tombstones "
            "kept). Overrides drop.tombstones and delete.handling.mode.",
     .validator = SL_VALIDATE_CUSTOM(tombstone_mode_valid)},
    {.name = "add.fields",
     .type = SL_CFG_LIST,
     .default_value = "",
     .importance = SL_IMPORTANCE_LOW,
     .doc = "Envelope fields to add to the row, e.g. op,table,lsn,source.ts_ms: a bare name is "
            "op/ts_ms from the envelope or a field of 'source' (or of 'transaction' for id, "
            "total_order, data_collection_order); 'name:alias' renames. Added as <prefix>op, "
            "<prefix>source_ts_ms, ...",
     .validator = SL_VALIDATE_CUSTOM(field_refs_valid)},
    {.name = "add.fields.prefix",
     .type = SL_CFG_STRING,
     .default_value = "__",
     .importance = SL_IMPORTANCE_LOW,
     .doc = "Prefix of the fields added by add.fields."},
    {.name = "add.headers",
     .type = SL_CFG_LIST,
     .default_value = "",
     .importance = SL_IMPORTANCE_LOW,
     .doc = "Envelope fields to add as headers, with the same syntax as add.fields.",
     .validator = SL_VALIDATE_CUSTOM(field_refs_valid)},
    {.name = "add.headers.prefix",
     .type = SL_CFG_STRING,
     .default_value = "__",
     .importance = SL_IMPORTANCE_LOW,
     .doc = "Prefix of the headers added by add.headers."},
    SL_CONFIG_END,
};

typedef enum del_mode { DEL_DROP, DEL_NONE, DEL_REWRITE } del_mode;

/* One envelope field to add. */
typedef struct field_ref {
    char *container; /* NULL (envelope), "source" or "transaction" */
    char *field;
    char *out_name; /* prefix + name, or prefix + container + "_" + name */
} field_ref;

typedef struct cdc {
    bool drop_tombstones;
    del_mode deletes;
    field_ref *fields, *headers;
    size_t nfields, nheaders;
    smt_cache cache; /* keyed by the envelope schema; aux: cdc_plan */
} cdc;

/* What one envelope schema resolves to. */
typedef struct ref_loc {
    int container;     /* envelope field index of the container, -1 for the envelope itself */
    int field;         /* field index (in the container), -1 when absent */
    sl_schema *schema; /* the optional schema the value gets, or NULL when absent */
} ref_loc;

typedef struct cdc_plan {
    int after, before, op;
    bool passthrough; /* nothing added: the row keeps its own schema */
    sl_schema *out;   /* the row schema plus added fields (one reference) */
    ref_loc *fields, *headers;
    size_t nfields, nheaders;
} cdc_plan;

/* ==== configuration ==== */

static bool in_transaction(const char *f)
{
    return strcmp(f, "id") == 0 || strcmp(f, "total_order") == 0 ||
           strcmp(f, "data_collection_order") == 0;
}

static int parse_ref(const char *item, const char *prefix, field_ref *r, char *errstr,
                     size_t errstr_size)
{
    memset(r, 0, sizeof(*r));
    const char *colon = strchr(item, ':');
    size_t len = colon ? (size_t)(colon - item) : strlen(item);
    const char *alias = colon ? colon + 1 : NULL;
    const char *dot = memchr(item, '.', len);
    char name[256];
    if (len == 0 || len >= sizeof(name) || (alias && alias[0] == '\0') ||
        (dot && memchr(dot + 1, '.', len - (size_t)(dot + 1 - item)))) {
        snprintf(errstr, errstr_size, "Unexpected field name: %s", item);
        return SL_ERR;
    }
    memcpy(name, item, len);
    name[len] = '\0';
    char out[600];
    if (dot != NULL) {
        name[dot - item] = '\0';
        const char *field = name + (dot - item) + 1;
        if ((strcmp(name, "source") != 0 && strcmp(name, "transaction") != 0) || !*field) {
            snprintf(errstr, errstr_size, "Unexpected field name: %s", item);
            return SL_ERR;
        }
        r->container = strdup(name);
        r->field = strdup(field);
        snprintf(out, sizeof(out), "%s%s", prefix, alias ? alias : "");
        if (!alias)
            snprintf(out, sizeof(out), "%s%s_%s", prefix, name, field);
    } else {
        if (strcmp(name, "op") != 0 && strncmp(name, "ts_", 3) != 0)
            r->container = strdup(in_transaction(name) ? "transaction" : "source");
        r->field = strdup(name);
        snprintf(out, sizeof(out), "%s%s", prefix, alias ? alias : name);
    }
    r->out_name = strdup(out);
    return SL_OK;
}

static void free_refs(field_ref *refs, size_t n)
{
    for (size_t i = 0; refs && i < n; i++) {
        free(refs[i].container);
        free(refs[i].field);
        free(refs[i].out_name);
    }
    free(refs);
}

static int field_refs_valid(const sl_config_def *def, const char *value, char *errstr,
                            size_t errstr_size)
{
    (void)def;
    char **items = NULL;
    size_t n = smt_list_split(value, &items);
    int rc = SL_OK;
    for (size_t i = 0; i < n && rc == SL_OK; i++) {
        field_ref r;
        rc = parse_ref(items[i], "", &r, errstr, errstr_size);
        free(r.container);
        free(r.field);
        free(r.out_name);
    }
    smt_list_free(items);
    return rc;
}

static int parse_refs(const sl_config *c, const char *key, const char *prefix_key, field_ref **out,
                      size_t *n, char *errstr, size_t errstr_size)
{
    const char *const *items = NULL;
    *n = sl_config_list(c, key, &items);
    const char *prefix = sl_config_string(c, prefix_key);
    *out = calloc(*n + 1, sizeof(**out));
    if (*out == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    for (size_t i = 0; i < *n; i++) {
        char why[300];
        if (parse_ref(items[i], prefix ? prefix : "", &(*out)[i], why, sizeof(why)) != SL_OK) {
            snprintf(errstr, errstr_size, "Invalid value %s for configuration %s: %s", items[i],
                     key, why);
            free_refs(*out, i);
            *out = NULL;
            return SL_ERR;
        }
        if ((*out)[i].field == NULL || (*out)[i].out_name == NULL) {
            free_refs(*out, i + 1);
            *out = NULL;
            snprintf(errstr, errstr_size, "out of memory");
            return SL_ERR;
        }
    }
    return SL_OK;
}

static void plan_free(void *aux)
{
    cdc_plan *p = aux;
    if (p == NULL)
        return;
    sl_schema_unref(p->out);
    for (size_t i = 0; i < p->nfields; i++)
        sl_schema_unref(p->fields[i].schema);
    for (size_t i = 0; i < p->nheaders; i++)
        sl_schema_unref(p->headers[i].schema);
    free(p->fields);
    free(p->headers);
    free(p);
}

static void cdc_close(void *state)
{
    cdc *s = state;
    if (s == NULL)
        return;
    free_refs(s->fields, s->nfields);
    free_refs(s->headers, s->nheaders);
    smt_cache_clear(&s->cache);
    free(s);
}

static int cdc_init(const sl_config *c, void **state, char *errstr, size_t errstr_size)
{
    cdc *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    s->cache.free_aux = plan_free;
    s->drop_tombstones = sl_config_bool(c, "drop.tombstones");
    const char *dm = sl_config_string(c, "delete.handling.mode");
    s->deletes = dm && strcmp(dm, "rewrite") == 0 ? DEL_REWRITE
                 : dm && strcmp(dm, "none") == 0  ? DEL_NONE
                                                  : DEL_DROP;
    const char *tm = sl_config_string(c, "delete.tombstone.handling.mode");
    if (tm != NULL) {
        s->drop_tombstones = strcmp(tm, "rewrite-with-tombstone") != 0;
        s->deletes = strcmp(tm, "drop") == 0        ? DEL_DROP
                     : strcmp(tm, "tombstone") == 0 ? DEL_NONE
                                                    : DEL_REWRITE;
    }
    if (parse_refs(c, "add.fields", "add.fields.prefix", &s->fields, &s->nfields, errstr,
                   errstr_size) != SL_OK ||
        parse_refs(c, "add.headers", "add.headers.prefix", &s->headers, &s->nheaders, errstr,
                   errstr_size) != SL_OK) {
        cdc_close(s);
        return SL_ERR;
    }
    *state = s;
    return SL_OK;
}

/* ==== schemaful ==== */

static bool is_envelope_schema(const sl_schema *s)
{
    if (sl_schema_type(s) != SL_TYPE_STRUCT)
        return false;
    const char *name = sl_schema_name(s);
    size_t len = name ? strlen(name) : 0;
    if (len >= 9 && strcmp(name + len - 9, ".Envelope") == 0)
        return true;
    /* without Debezium's naming, recognise the shape */
    return sl_schema_field_index(s, "op") >= 0 &&
           (sl_schema_field_index(s, "after") >= 0 || sl_schema_field_index(s, "before") >= 0);
}

static int resolve(const sl_schema *env, const field_ref *r, ref_loc *loc)
{
    loc->container = -1;
    loc->field = -1;
    loc->schema = NULL;
    const sl_schema *in = env;
    if (r->container != NULL) {
        loc->container = sl_schema_field_index(env, r->container);
        if (loc->container < 0)
            return SL_ERR;
        in = sl_schema_field_schema(env, (size_t)loc->container);
        if (sl_schema_type(in) != SL_TYPE_STRUCT)
            return SL_ERR;
    }
    loc->field = sl_schema_field_index(in, r->field);
    if (loc->field < 0)
        return SL_ERR;
    loc->schema = smt_schema_clone(sl_schema_field_schema(in, (size_t)loc->field));
    if (loc->schema == NULL)
        return SL_ERR;
    sl_schema_set_optional(loc->schema, true);
    return SL_OK;
}

static cdc_plan *build_plan(cdc *s, const sl_schema *env, char *errstr, size_t errstr_size)
{
    cdc_plan *p = calloc(1, sizeof(*p));
    if (p == NULL)
        goto oom;
    p->after = sl_schema_field_index(env, "after");
    p->before = sl_schema_field_index(env, "before");
    p->op = sl_schema_field_index(env, "op");
    p->fields = calloc(s->nfields + 1, sizeof(ref_loc));
    p->headers = calloc(s->nheaders + 1, sizeof(ref_loc));
    if (p->fields == NULL || p->headers == NULL)
        goto oom;
    for (size_t i = 0; i < s->nheaders; i++, p->nheaders++)
        if (resolve(env, &s->headers[i], &p->headers[i]) != SL_OK) {
            snprintf(errstr, errstr_size, "add.headers: the envelope has no field %s%s%s",
                     s->headers[i].container ? s->headers[i].container : "",
                     s->headers[i].container ? "." : "", s->headers[i].field);
            plan_free(p);
            return NULL;
        }
    for (size_t i = 0; i < s->nfields; i++, p->nfields++)
        if (resolve(env, &s->fields[i], &p->fields[i]) != SL_OK) {
            snprintf(errstr, errstr_size, "add.fields: the envelope has no field %s%s%s",
                     s->fields[i].container ? s->fields[i].container : "",
                     s->fields[i].container ? "." : "", s->fields[i].field);
            plan_free(p);
            return NULL;
        }
    int row_idx = p->after >= 0 ? p->after : p->before;
    const sl_schema *row = row_idx >= 0 ? sl_schema_field_schema(env, (size_t)row_idx) : NULL;
    if (sl_schema_type(row) != SL_TYPE_STRUCT) {
        snprintf(errstr, errstr_size, "the envelope's 'after' field is not a struct");
        plan_free(p);
        return NULL;
    }
    if (s->nfields == 0 && s->deletes != DEL_REWRITE) {
        p->out = sl_schema_ref(row);
        p->passthrough = true;
        return p;
    }
    /* InsertField-style: the row's basics and fields, then the added ones */
    if ((p->out = smt_struct_like(row)) == NULL)
        goto oom;
    size_t n = sl_schema_field_count(row);
    for (size_t i = 0; i < n; i++)
        sl_schema_add_field(p->out, sl_schema_field_name(row, i),
                            sl_schema_ref(sl_schema_field_schema(row, i)));
    for (size_t i = 0; i < s->nfields; i++)
        if (sl_schema_add_field(p->out, s->fields[i].out_name,
                                sl_schema_ref(p->fields[i].schema)) != SL_OK) {
            snprintf(errstr, errstr_size,
                     "Cannot create field because of field name duplication %s",
                     s->fields[i].out_name);
            plan_free(p);
            return NULL;
        }
    if (s->deletes == DEL_REWRITE &&
        sl_schema_add_field(p->out, DELETED_FIELD, smt_primitive(SL_TYPE_STRING, true)) != SL_OK) {
        snprintf(errstr, errstr_size,
                 "Cannot create field because of field name duplication " DELETED_FIELD);
        plan_free(p);
        return NULL;
    }
    return p;
oom:
    plan_free(p);
    snprintf(errstr, errstr_size, "out of memory");
    return NULL;
}

/* The value at `loc` in the envelope (borrowed, may be NULL). */
static const sl_value *ref_value(const sl_value *env, const ref_loc *loc)
{
    const sl_value *in = env;
    if (loc->container >= 0)
        in = sl_value_struct_get_index(env, (size_t)loc->container);
    return in ? sl_value_struct_get_index(in, (size_t)loc->field) : NULL;
}

static const char *op_of(const sl_value *env, const cdc_plan *p)
{
    const sl_value *op = p->op >= 0 ? sl_value_struct_get_index(env, (size_t)p->op) : NULL;
    return op ? sl_value_get_string(op, NULL) : NULL;
}

static int apply_schemaful(cdc *s, sl_record *r, char *errstr, size_t errstr_size)
{
    const sl_value *env = sl_record_value(r);
    const sl_schema *env_schema = sl_value_struct_schema(env);
    smt_cache_entry *ce = smt_cache_find(&s->cache, env_schema);
    if (ce == NULL) {
        cdc_plan *p = build_plan(s, env_schema, errstr, errstr_size);
        if (p == NULL)
            return SL_ERR;
        ce = smt_cache_put(&s->cache, env_schema, NULL, p);
    }
    const cdc_plan *p = ce->aux;
    const char *op = op_of(env, p);
    if (op != NULL && strcmp(op, "t") == 0)
        return SL_DROP; /* truncate events carry no row */
    for (size_t i = 0; i < p->nheaders; i++)
        sl_record_header_add(r, s->headers[i].out_name, sl_schema_ref(p->headers[i].schema),
                             sl_value_copy(ref_value(env, &p->headers[i])));
    bool deleted = p->after < 0 || sl_value_struct_get_index(env, (size_t)p->after) == NULL;
    if (deleted && s->deletes == DEL_DROP)
        return SL_DROP;
    int row_idx = p->after >= 0 ? p->after : p->before;
    const sl_schema *row_field_schema = sl_schema_field_schema(env_schema, (size_t)row_idx);
    if (deleted && s->deletes == DEL_NONE) { /* the delete passes on as a tombstone */
        sl_record_set_value(r, sl_schema_ref(row_field_schema), NULL);
        return SL_OK;
    }
    int take_from = deleted ? p->before : p->after;
    if (take_from < 0 || sl_value_struct_get_index(env, (size_t)take_from) == NULL) {
        snprintf(errstr, errstr_size,
                 "delete event has no 'before' row to rewrite (delete.handling.mode=rewrite)");
        return SL_ERR;
    }
    if (p->passthrough) {
        sl_schema *env_ref = NULL;
        sl_value *envv = NULL;
        sl_record_take_value(r, &env_ref, &envv);
        sl_value *row = sl_value_struct_take_index(envv, (size_t)take_from);
        sl_value_destroy(envv);
        sl_schema_unref(env_ref);
        sl_record_set_value(r, sl_schema_ref(p->out), row);
        return SL_OK;
    }
    sl_value *nv = sl_value_new_struct(p->out);
    if (nv == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    /* the row's fields move; the added values are copied out of the envelope */
    size_t n = sl_schema_field_count(p->out) - s->nfields - (s->deletes == DEL_REWRITE);
    for (size_t i = 0; i < s->nfields; i++)
        sl_value_struct_set_index(nv, n + i, sl_value_copy(ref_value(env, &p->fields[i])));
    if (s->deletes == DEL_REWRITE)
        sl_value_struct_set_index(nv, n + s->nfields,
                                  sl_value_new_string(deleted ? "true" : "false", deleted ? 4 : 5));
    sl_schema *env_ref = NULL;
    sl_value *envv = NULL;
    sl_record_take_value(r, &env_ref, &envv);
    sl_value *row = sl_value_struct_take_index(envv, (size_t)take_from);
    size_t rn = sl_schema_field_count(sl_value_struct_schema(row));
    for (size_t i = 0; i < rn && i < n; i++)
        sl_value_struct_set_index(nv, i, sl_value_struct_take_index(row, i));
    sl_value_destroy(row);
    sl_value_destroy(envv);
    sl_schema_unref(env_ref);
    sl_record_set_value(r, sl_schema_ref(p->out), nv);
    return SL_OK;
}

/* ==== schemaless ==== */

static const sl_value *map_ref_value(const sl_value *env, const field_ref *ref)
{
    const sl_value *in = env;
    if (ref->container != NULL)
        in = sl_value_map_get_str(env, ref->container);
    if (in == NULL || sl_value_type(in) != SL_TYPE_MAP)
        return NULL;
    return sl_value_map_get_str(in, ref->field);
}

static int apply_schemaless(cdc *s, sl_record *r, char *errstr, size_t errstr_size)
{
    const sl_value *env = sl_record_value(r);
    const sl_value *opv = sl_value_map_get_str(env, "op");
    const char *op = opv ? sl_value_get_string(opv, NULL) : NULL;
    if (op != NULL && strcmp(op, "t") == 0)
        return SL_DROP;
    for (size_t i = 0; i < s->nheaders; i++)
        sl_record_header_add(r, s->headers[i].out_name, NULL,
                             sl_value_copy(map_ref_value(env, &s->headers[i])));
    const sl_value *after = sl_value_map_get_str(env, "after");
    bool deleted = after == NULL;
    if (deleted && s->deletes == DEL_DROP)
        return SL_DROP;
    if (deleted && s->deletes == DEL_NONE) {
        sl_record_set_value(r, NULL, NULL);
        return SL_OK;
    }
    const char *from = deleted ? "before" : "after";
    const sl_value *rowv = sl_value_map_get_str(env, from);
    if (rowv == NULL || sl_value_type(rowv) != SL_TYPE_MAP) {
        if (deleted)
            snprintf(errstr, errstr_size,
                     "delete event has no 'before' row to rewrite "
                     "(delete.handling.mode=rewrite)");
        else
            snprintf(errstr, errstr_size, "the envelope's 'after' value is not a map, found: %s",
                     smt_value_class(rowv));
        return SL_ERR;
    }
    /* copy the added values out of the envelope before it goes away */
    sl_value **added = calloc(s->nfields + 1, sizeof(*added));
    if (added == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    for (size_t i = 0; i < s->nfields; i++)
        added[i] = sl_value_copy(map_ref_value(env, &s->fields[i]));
    sl_schema *sch = NULL;
    sl_value *envv = NULL;
    sl_record_take_value(r, &sch, &envv);
    sl_value *row = sl_value_map_take_value_at(envv, (size_t)smt_map_find(envv, from));
    sl_value_destroy(envv);
    for (size_t i = 0; i < s->nfields; i++)
        sl_value_map_put_str(row, s->fields[i].out_name, added[i]);
    free(added);
    if (s->deletes == DEL_REWRITE)
        sl_value_map_put_str(row, DELETED_FIELD,
                             sl_value_new_string(deleted ? "true" : "false", deleted ? 4 : 5));
    sl_record_set_value(r, sch, row);
    return SL_OK;
}

/* ==== apply ==== */

static int cdc_apply(void *state, sl_record *r, char *errstr, size_t errstr_size)
{
    cdc *s = state;
    const sl_value *v = sl_record_value(r);
    if (v == NULL) {
        if (s->drop_tombstones)
            return SL_DROP;
        for (size_t i = 0; i < s->nheaders; i++) /* a tombstone follows a delete */
            if (s->headers[i].container == NULL && strcmp(s->headers[i].field, "op") == 0)
                sl_record_header_add(r, s->headers[i].out_name, smt_primitive(SL_TYPE_STRING, true),
                                     sl_value_new_string("d", 1));
        return SL_OK;
    }
    const sl_schema *schema = sl_record_value_schema(r);
    if (schema != NULL) {
        if (sl_value_type(v) != SL_TYPE_STRUCT || !is_envelope_schema(sl_value_struct_schema(v))) {
            sl_log(SL_LOG_DEBUG, "Expected Envelope for transformation, passing it unchanged");
            return SL_OK;
        }
        return apply_schemaful(s, r, errstr, errstr_size);
    }
    if (sl_value_type(v) != SL_TYPE_MAP || sl_value_map_get_str(v, "op") == NULL ||
        (smt_map_find(v, "after") < 0 && smt_map_find(v, "before") < 0)) {
        sl_log(SL_LOG_DEBUG, "Expected Envelope for transformation, passing it unchanged");
        return SL_OK;
    }
    return apply_schemaless(s, r, errstr, errstr_size);
}

#define CDC_DOC                                                                                    \
    "Unwraps change-data-capture envelopes (before, after, op, source, ts_ms) into the row "       \
    "state: 'after' for creates, updates and reads; deletes dropped, passed as tombstones or "     \
    "rewritten with __deleted=true; optional envelope fields added as fields or headers."

const sl_transform_def smt_cdc_unwrap = {
    .struct_size = sizeof(sl_transform_def),
    .class_name = "io.sluice.transforms.ExtractNewRecordState",
    .version = SMT_VERSION,
    .doc = CDC_DOC,
    .config = cdc_config,
    .init = cdc_init,
    .apply = cdc_apply,
    .close = cdc_close,
};

const sl_transform_def smt_cdc_unwrap_debezium = {
    .struct_size = sizeof(sl_transform_def),
    .class_name = "io.debezium.transforms.ExtractNewRecordState",
    .version = SMT_VERSION,
    .doc = CDC_DOC,
    .config = cdc_config,
    .init = cdc_init,
    .apply = cdc_apply,
    .close = cdc_close,
};
