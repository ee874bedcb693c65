/* transforms/cast.c: Cast$Key / $Value: cast fields of a struct or map, or the whole key or
 * value, to another primitive type; the updated schema and a per-schema plan are cached. */
#include <stdlib.h>
#include <string.h>

#include "cast_value.h"
#include "smt.h"
#include "transforms.h"

#define PURPOSE "cast types"

static int spec_valid(const sl_config_def *def, const char *value, char *errstr, size_t errstr_size)
{
    (void)def;
    if (value == NULL)
        return SL_OK; /* missing: reported by the host */
    char **items = NULL;
    size_t n = smt_list_split(value, &items);
    cast_field *fields = NULL;
    size_t nf = 0;
    sl_type whole;
    int rc =
        cast_parse_spec((const char *const *)items, n, &fields, &nf, &whole, errstr, errstr_size);
    cast_fields_free(fields, nf);
    smt_list_free(items);
    return rc;
}

static const sl_config_def cast_config[] = {
    {.name = "spec",
     .type = SL_CFG_LIST,
     .required = true,
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "List of fields and the type to cast them to of the form field1:type,field2:type to "
            "cast fields of Maps or Structs. A single type to cast the entire value. Valid types "
            "are int8, int16, int32, int64, float32, float64, boolean, and string. Note that "
            "binary fields can only be cast to string.",
     .validator = SL_VALIDATE_CUSTOM(spec_valid)},
    SMT_REPLACE_NULL_DEF,
    SL_CONFIG_END,
};

typedef struct cast {
    smt_part part;
    cast_field *fields;
    size_t nfields;
    sl_type whole; /* (sl_type)-1 unless the whole value is cast */
    bool replace_null;
    smt_cache cache; /* aux: sl_type[] target per input field, (sl_type)-1 to keep */
} cast;

static void cast_close(void *state)
{
    cast *s = state;
    if (s == NULL)
        return;
    cast_fields_free(s->fields, s->nfields);
    smt_cache_clear(&s->cache);
    free(s);
}

static int cast_init(const sl_config *c, smt_part part, void **state, char *errstr,
                     size_t errstr_size)
{
    cast *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    s->part = part;
    s->replace_null = sl_config_bool(c, "replace.null.with.default");
    const char *const *items = NULL;
    size_t n = sl_config_list(c, "spec", &items);
    char why[512];
    if (cast_parse_spec(items, n, &s->fields, &s->nfields, &s->whole, why, sizeof(why)) != SL_OK) {
        snprintf(errstr, errstr_size, "Invalid configuration spec: %s", why);
        free(s);
        return SL_ERR;
    }
    *state = s;
    return SL_OK;
}

static sl_type target_of(const cast *s, const char *field)
{
    for (size_t i = 0; i < s->nfields; i++)
        if (strcmp(s->fields[i].name, field) == 0)
            return s->fields[i].type;
    return (sl_type)-1;
}

/* convertFieldType(t) with optionality and the default cast like Connect's getOrBuildSchema. */
static sl_schema *cast_schema(const sl_schema *from, sl_type t, bool copy_basics, char *errstr,
                              size_t errstr_size)
{
    sl_schema *out = sl_schema_new(t);
    if (out == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    if (copy_basics)
        smt_copy_basics(out, from);
    if (sl_schema_optional(from))
        sl_schema_set_optional(out, true);
    if (sl_schema_default(from) != NULL) {
        sl_value *def = NULL;
        if (cast_value(from, sl_schema_default(from), t, &def, errstr, errstr_size) != SL_OK) {
            sl_schema_unref(out);
            return NULL;
        }
        sl_schema_set_default(out, def);
    }
    return out;
}

static smt_cache_entry *build(cast *s, const sl_schema *in, char *errstr, size_t errstr_size)
{
    if (s->whole != (sl_type)-1) {
        sl_schema *out = cast_schema(in, s->whole, true, errstr, errstr_size);
        return out ? smt_cache_put(&s->cache, in, out, NULL) : NULL;
    }
    size_t n = sl_schema_field_count(in);
    sl_schema *out = smt_struct_like(in);
    sl_type *plan = calloc(n + 1, sizeof(*plan));
    if (out == NULL || plan == NULL) {
        sl_schema_unref(out);
        free(plan);
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    if (sl_schema_optional(in))
        sl_schema_set_optional(out, true);
    for (size_t i = 0; i < n; i++) {
        const char *name = sl_schema_field_name(in, i);
        const sl_schema *fs = sl_schema_field_schema(in, i);
        plan[i] = target_of(s, name);
        sl_schema *nfs = plan[i] == (sl_type)-1
                             ? sl_schema_ref(fs)
                             : cast_schema(fs, plan[i], false, errstr, errstr_size);
        if (nfs == NULL) {
            sl_schema_unref(out);
            free(plan);
            return NULL;
        }
        sl_schema_add_field(out, name, nfs);
    }
    return smt_cache_put(&s->cache, in, out, plan);
}

static int apply_schemaless(cast *s, sl_record *r, char *errstr, size_t errstr_size)
{
    const sl_value *v = smt_operand(r, s->part);
    if (s->whole != (sl_type)-1) {
        sl_value *nv = NULL;
        if (cast_value(NULL, v, s->whole, &nv, errstr, errstr_size) != SL_OK)
            return SL_ERR;
        sl_schema *old_schema = NULL;
        sl_value *old = NULL;
        smt_take(r, s->part, &old_schema, &old);
        sl_value_destroy(old);
        smt_set(r, s->part, old_schema, nv);
        return SL_OK;
    }
    if (smt_require_map(v, PURPOSE, errstr, errstr_size) != SL_OK)
        return SL_ERR;
    sl_value *stackvals[16];
    sl_value **vals = s->nfields <= 16 ? stackvals : calloc(s->nfields, sizeof(*vals));
    if (vals == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    size_t done = 0;
    int rc = SL_OK;
    for (; done < s->nfields; done++)
        if ((rc = cast_value(NULL, sl_value_map_get_str(v, s->fields[done].name),
                             s->fields[done].type, &vals[done], errstr, errstr_size)) != SL_OK)
            break;
    if (rc == SL_OK) {
        sl_schema *sch = NULL;
        sl_value *map = NULL;
        smt_take(r, s->part, &sch, &map);
        /* Connect puts every listed field, also absent ones (as null) */
        for (size_t i = 0; i < s->nfields; i++)
            sl_value_map_put_str(map, s->fields[i].name, vals[i]);
        smt_set(r, s->part, sch, map);
    } else {
        for (size_t i = 0; i < done; i++)
            sl_value_destroy(vals[i]);
    }
    if (vals != stackvals)
        free(vals);
    return rc;
}

static int cast_apply(void *state, sl_record *r, char *errstr, size_t errstr_size)
{
    cast *s = state;
    const sl_value *v = smt_operand(r, s->part);
    if (v == NULL)
        return SL_OK; /* tombstones pass unchanged */
    const sl_schema *schema = smt_operand_schema(r, s->part);
    if (schema == NULL)
        return apply_schemaless(s, r, errstr, errstr_size);
    smt_cache_entry *ce = smt_cache_find(&s->cache, schema);
    if (ce == NULL && (ce = build(s, schema, errstr, errstr_size)) == NULL)
        return SL_ERR;
    if (s->whole != (sl_type)-1) {
        sl_value *nv = NULL;
        if (cast_value(schema, v, s->whole, &nv, errstr, errstr_size) != SL_OK)
            return SL_ERR;
        sl_schema *out = sl_schema_ref(ce->out);
        sl_schema *old_schema = NULL;
        sl_value *old = NULL;
        smt_take(r, s->part, &old_schema, &old);
        sl_value_destroy(old);
        sl_schema_unref(old_schema);
        smt_set(r, s->part, out, nv);
        return SL_OK;
    }
    if (smt_require_struct(v, PURPOSE, errstr, errstr_size) != SL_OK)
        return SL_ERR;
    /* the plan was built from the record's schema; the struct must carry the same one */
    const sl_schema *in = sl_value_struct_schema(v);
    size_t n = sl_schema_field_count(in);
    if (n != sl_schema_field_count(schema)) {
        snprintf(errstr, errstr_size, "Struct schema does not match the record's schema");
        return SL_ERR;
    }
    const sl_type *plan = ce->aux;
    /* cast first (from borrowed fields) so that a failure leaves the record untouched */
    sl_value *stackvals[32];
    sl_value **casted = n <= 32 ? stackvals : calloc(n, sizeof(*casted));
    if (casted == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    for (size_t i = 0; i < n; i++) {
        casted[i] = NULL;
        if (plan[i] == (sl_type)-1)
            continue;
        if (cast_value(sl_schema_field_schema(in, i), smt_struct_peek_field(v, i, s->replace_null),
                       plan[i], &casted[i], errstr, errstr_size) != SL_OK) {
            for (size_t j = 0; j < i; j++)
                sl_value_destroy(casted[j]);
            if (casted != stackvals)
                free(casted);
            return SL_ERR;
        }
    }
    sl_value *nv = sl_value_new_struct(ce->out);
    if (nv == NULL) {
        for (size_t j = 0; j < n; j++)
            sl_value_destroy(casted[j]);
        if (casted != stackvals)
            free(casted);
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    sl_schema *old_schema = NULL;
    sl_value *old = NULL;
    smt_take(r, s->part, &old_schema, &old);
    for (size_t i = 0; i < n; i++)
        sl_value_struct_set_index(
            nv, i,
            plan[i] == (sl_type)-1 ? smt_struct_take_field(old, i, s->replace_null) : casted[i]);
    if (casted != stackvals)
        free(casted);
    sl_value_destroy(old);
    sl_schema_unref(old_schema);
    smt_set(r, s->part, sl_schema_ref(ce->out), nv);
    return SL_OK;
}

SMT_KEY_VALUE_DEFS(cast, "Cast",
                   "Cast fields or the entire key or value to a specific type, e.g. to force an "
                   "integer field to a smaller width. Cast from integers, floats, boolean and "
                   "string to any other type, and cast binary to string (base64 encoded).",
                   NULL);
