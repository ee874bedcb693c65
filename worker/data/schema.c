/* data/schema.c: refcounted schemas (Connect's ConnectSchema/SchemaBuilder), the shared
 * primitive schemas, logical types, structural equality and value validation. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/value_layout.h"

#define PRIM(t, opt) {.refs = 1, .is_static = true, .optional = (opt), .type = (t)}
#define PRIM_PAIR(t) {PRIM(t, false), PRIM(t, true)}

/* Connect's Schema.INT8_SCHEMA, OPTIONAL_INT8_SCHEMA, ...: never freed, never modified. */
static sl_schema g_primitives[SL_TYPE_BYTES + 1][2] = {
    PRIM_PAIR(SL_TYPE_INT8),    PRIM_PAIR(SL_TYPE_INT16),   PRIM_PAIR(SL_TYPE_INT32),
    PRIM_PAIR(SL_TYPE_INT64),   PRIM_PAIR(SL_TYPE_FLOAT32), PRIM_PAIR(SL_TYPE_FLOAT64),
    PRIM_PAIR(SL_TYPE_BOOLEAN), PRIM_PAIR(SL_TYPE_STRING),  PRIM_PAIR(SL_TYPE_BYTES),
};

static const char *const k_type_names[] = {
    "INT8", "INT16", "INT32", "INT64", "FLOAT32", "FLOAT64",
    "BOOLEAN", "STRING", "BYTES", "ARRAY", "MAP", "STRUCT",
};

const char *value_type_name(sl_type t)
{
    if ((unsigned)t > SL_TYPE_STRUCT)
        return "UNKNOWN";
    return k_type_names[t];
}

static char *dup_str(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* A schema is a logical type only when both its name and its physical type match, as
 * Connect's converters look logical types up by name and then cast the physical value. */
static void schema_update_logical(sl_schema *s)
{
    s->logical = SL_LOGICAL_NONE;
    if (s->name == NULL)
        return;
    if (s->type == SL_TYPE_BYTES && strcmp(s->name, SL_DECIMAL_NAME) == 0)
        s->logical = SL_LOGICAL_DECIMAL;
    else if (s->type == SL_TYPE_INT32 && strcmp(s->name, SL_DATE_NAME) == 0)
        s->logical = SL_LOGICAL_DATE;
    else if (s->type == SL_TYPE_INT32 && strcmp(s->name, SL_TIME_NAME) == 0)
        s->logical = SL_LOGICAL_TIME;
    else if (s->type == SL_TYPE_INT64 && strcmp(s->name, SL_TIMESTAMP_NAME) == 0)
        s->logical = SL_LOGICAL_TIMESTAMP;
}

/* ---- construction ---- */

sl_schema *sl_schema_new(sl_type type)
{
    if ((unsigned)type > SL_TYPE_STRUCT)
        return NULL;
    sl_schema *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    atomic_init(&s->refs, 1);
    s->type = type;
    return s;
}

sl_schema *sl_schema_new_array(sl_schema *element)
{
    if (element == NULL)
        return NULL;
    sl_schema *s = sl_schema_new(SL_TYPE_ARRAY);
    if (s == NULL) {
        sl_schema_unref(element);
        return NULL;
    }
    s->value_schema = element;
    return s;
}

sl_schema *sl_schema_new_map(sl_schema *key, sl_schema *value)
{
    sl_schema *s = key && value ? sl_schema_new(SL_TYPE_MAP) : NULL;
    if (s == NULL) {
        sl_schema_unref(key);
        sl_schema_unref(value);
        return NULL;
    }
    s->key_schema = key;
    s->value_schema = value;
    return s;
}

sl_schema *sl_schema_new_struct(const char *name)
{
    sl_schema *s = sl_schema_new(SL_TYPE_STRUCT);
    if (s == NULL)
        return NULL;
    sl_schema_set_name(s, name);
    if (name != NULL && s->name == NULL) {
        sl_schema_unref(s);
        return NULL;
    }
    return s;
}

/* Connect's Decimal.builder(scale): bytes, named, version 1, parameter "scale". */
sl_schema *sl_schema_new_decimal(int32_t scale)
{
    sl_schema *s = sl_schema_new(SL_TYPE_BYTES);
    if (s == NULL)
        return NULL;
    char buf[16];
    snprintf(buf, sizeof(buf), "%" PRId32, scale);
    sl_schema_set_name(s, SL_DECIMAL_NAME);
    sl_schema_set_version(s, 1);
    sl_schema_set_parameter(s, "scale", buf);
    if (s->name == NULL || s->nparams != 1) {
        sl_schema_unref(s);
        return NULL;
    }
    return s;
}

sl_schema *sl_schema_new_logical(sl_logical logical)
{
    sl_type type;
    const char *name;
    switch (logical) {
    case SL_LOGICAL_DECIMAL:
        return sl_schema_new_decimal(0);
    case SL_LOGICAL_DATE:
        type = SL_TYPE_INT32, name = SL_DATE_NAME;
        break;
    case SL_LOGICAL_TIME:
        type = SL_TYPE_INT32, name = SL_TIME_NAME;
        break;
    case SL_LOGICAL_TIMESTAMP:
        type = SL_TYPE_INT64, name = SL_TIMESTAMP_NAME;
        break;
    default:
        return NULL;
    }
    sl_schema *s = sl_schema_new(type);
    if (s == NULL)
        return NULL;
    sl_schema_set_name(s, name);
    sl_schema_set_version(s, 1);
    if (s->name == NULL) {
        sl_schema_unref(s);
        return NULL;
    }
    return s;
}

const sl_schema *sl_schema_primitive(sl_type type, bool optional)
{
    if ((unsigned)type > SL_TYPE_BYTES)
        return NULL;
    return &g_primitives[type][optional ? 1 : 0];
}

/* True if `target` is `s` or appears anywhere inside it: adding such a field would make a
 * cycle, which refcounting could never free and equality/validation would never finish. */
static bool schema_reaches(const sl_schema *s, const sl_schema *target)
{
    if (s == NULL)
        return false;
    if (s == target)
        return true;
    for (size_t i = 0; i < s->nfields; i++)
        if (schema_reaches(s->fields[i].schema, target))
            return true;
    return schema_reaches(s->key_schema, target) || schema_reaches(s->value_schema, target);
}

int sl_schema_add_field(sl_schema *s, const char *name, sl_schema *field_schema)
{
    if (s == NULL || s->is_static || s->type != SL_TYPE_STRUCT || name == NULL ||
        field_schema == NULL || sl_schema_field_index(s, name) >= 0 ||
        schema_reaches(field_schema, s))
        goto fail;
    if (s->nfields == s->fields_cap) {
        size_t cap = s->fields_cap ? s->fields_cap * 2 : 4;
        schema_field *nf = realloc(s->fields, cap * sizeof(*nf));
        if (nf == NULL)
            goto fail;
        s->fields = nf;
        s->fields_cap = cap;
    }
    char *copy = dup_str(name);
    if (copy == NULL)
        goto fail;
    s->fields[s->nfields].name = copy;
    s->fields[s->nfields].schema = field_schema;
    s->nfields++;
    return SL_OK;
fail:
    sl_schema_unref(field_schema);
    return SL_ERR;
}

/* ---- builder setters (no-ops on the shared primitives) ---- */

void sl_schema_set_optional(sl_schema *s, bool optional)
{
    if (s && !s->is_static)
        s->optional = optional;
}

void sl_schema_set_name(sl_schema *s, const char *name)
{
    if (s == NULL || s->is_static)
        return;
    free(s->name);
    s->name = dup_str(name);
    schema_update_logical(s);
}

void sl_schema_set_version(sl_schema *s, int32_t version)
{
    if (s && !s->is_static)
        s->version = version;
}

void sl_schema_set_doc(sl_schema *s, const char *doc)
{
    if (s == NULL || s->is_static)
        return;
    free(s->doc);
    s->doc = dup_str(doc);
}

void sl_schema_set_default(sl_schema *s, sl_value *def)
{
    if (s == NULL || s->is_static) {
        sl_value_destroy(def);
        return;
    }
    sl_value_destroy(s->def);
    s->def = def;
}

/* Replaces an existing key in place (SchemaBuilder keeps a LinkedHashMap); a NULL value
 * removes the key, as Connect parameters cannot hold nulls. */
void sl_schema_set_parameter(sl_schema *s, const char *key, const char *value)
{
    if (s == NULL || s->is_static || key == NULL)
        return;
    for (size_t i = 0; i < s->nparams; i++) {
        if (strcmp(s->params[i].key, key) != 0)
            continue;
        if (value == NULL) {
            free(s->params[i].key);
            free(s->params[i].value);
            memmove(&s->params[i], &s->params[i + 1], (s->nparams - i - 1) * sizeof(*s->params));
            s->nparams--;
            return;
        }
        char *nv = strdup(value);
        if (nv == NULL)
            return;
        free(s->params[i].value);
        s->params[i].value = nv;
        return;
    }
    if (value == NULL)
        return;
    schema_param *np = realloc(s->params, (s->nparams + 1) * sizeof(*np));
    if (np == NULL)
        return;
    s->params = np;
    char *k = strdup(key), *v = strdup(value);
    if (k == NULL || v == NULL) {
        free(k);
        free(v);
        return;
    }
    s->params[s->nparams].key = k;
    s->params[s->nparams].value = v;
    s->nparams++;
}

/* ---- references ---- */

sl_schema *sl_schema_ref(const sl_schema *cs)
{
    sl_schema *s = (sl_schema *)cs;
    if (s && !s->is_static)
        atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    return s;
}

void sl_schema_unref(sl_schema *s)
{
    if (s == NULL || s->is_static)
        return;
    if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
        return;
    free(s->name);
    free(s->doc);
    sl_value_destroy(s->def);
    for (size_t i = 0; i < s->nparams; i++) {
        free(s->params[i].key);
        free(s->params[i].value);
    }
    free(s->params);
    for (size_t i = 0; i < s->nfields; i++) {
        free(s->fields[i].name);
        sl_schema_unref(s->fields[i].schema);
    }
    free(s->fields);
    sl_schema_unref(s->key_schema);
    sl_schema_unref(s->value_schema);
    free(s);
}

/* ---- accessors ---- */

sl_type sl_schema_type(const sl_schema *s) { return s ? s->type : (sl_type)-1; }
bool sl_schema_optional(const sl_schema *s) { return s ? s->optional : true; }
const char *sl_schema_name(const sl_schema *s) { return s ? s->name : NULL; }
int32_t sl_schema_version(const sl_schema *s) { return s ? s->version : 0; }
const char *sl_schema_doc(const sl_schema *s) { return s ? s->doc : NULL; }
const sl_value *sl_schema_default(const sl_schema *s) { return s ? s->def : NULL; }
size_t sl_schema_parameter_count(const sl_schema *s) { return s ? s->nparams : 0; }
sl_logical sl_schema_logical(const sl_schema *s) { return s ? s->logical : SL_LOGICAL_NONE; }
size_t sl_schema_field_count(const sl_schema *s) { return s ? s->nfields : 0; }

const char *sl_schema_parameter(const sl_schema *s, const char *key)
{
    if (s == NULL || key == NULL)
        return NULL;
    for (size_t i = 0; i < s->nparams; i++)
        if (strcmp(s->params[i].key, key) == 0)
            return s->params[i].value;
    return NULL;
}

const char *sl_schema_parameter_key(const sl_schema *s, size_t i)
{
    return s && i < s->nparams ? s->params[i].key : NULL;
}

const char *sl_schema_field_name(const sl_schema *s, size_t i)
{
    return s && i < s->nfields ? s->fields[i].name : NULL;
}

const sl_schema *sl_schema_field_schema(const sl_schema *s, size_t i)
{
    return s && i < s->nfields ? s->fields[i].schema : NULL;
}

int sl_schema_field_index(const sl_schema *s, const char *name)
{
    if (s == NULL || name == NULL)
        return -1;
    for (size_t i = 0; i < s->nfields; i++)
        if (strcmp(s->fields[i].name, name) == 0)
            return (int)i;
    return -1;
}

const sl_schema *sl_schema_key_schema(const sl_schema *s)
{
    return s && s->type == SL_TYPE_MAP ? s->key_schema : NULL;
}

const sl_schema *sl_schema_value_schema(const sl_schema *s)
{
    return s && (s->type == SL_TYPE_MAP || s->type == SL_TYPE_ARRAY) ? s->value_schema : NULL;
}

int value_decimal_scale(const sl_schema *schema, int32_t *scale)
{
    const char *p = sl_schema_parameter(schema, "scale");
    if (p == NULL || *p == '\0')
        return SL_ERR;
    char *end;
    errno = 0;
    long v = strtol(p, &end, 10);
    if (errno != 0 || *end != '\0' || v < INT32_MIN || v > INT32_MAX)
        return SL_ERR;
    *scale = (int32_t)v;
    return SL_OK;
}

/* ---- equality (ConnectSchema.equals: optional, type, default, name, version, doc,
 * parameters, fields, key and value schemas) ---- */

static bool str_eq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Parameters compare as a map (Java's Map.equals ignores order). */
static bool params_eq(const sl_schema *a, const sl_schema *b)
{
    if (a->nparams != b->nparams)
        return false;
    for (size_t i = 0; i < a->nparams; i++)
        if (!str_eq(a->params[i].value, sl_schema_parameter(b, a->params[i].key)))
            return false;
    return true;
}

bool sl_schema_equals(const sl_schema *a, const sl_schema *b)
{
    if (a == b)
        return true;
    if (a == NULL || b == NULL)
        return false;
    if (a->type != b->type || a->optional != b->optional || a->version != b->version ||
        !str_eq(a->name, b->name) || !str_eq(a->doc, b->doc) || !params_eq(a, b) ||
        !sl_value_equals(a->def, b->def) || a->nfields != b->nfields)
        return false;
    for (size_t i = 0; i < a->nfields; i++)
        if (strcmp(a->fields[i].name, b->fields[i].name) != 0 ||
            !sl_schema_equals(a->fields[i].schema, b->fields[i].schema))
            return false;
    return sl_schema_equals(a->key_schema, b->key_schema) &&
           sl_schema_equals(a->value_schema, b->value_schema);
}

/* ---- validation (ConnectSchema.validateValue, with the full path in messages) ---- */

#define PATH_MAX_LEN 512

typedef struct vctx {
    char path[PATH_MAX_LEN];
    char *err;
    size_t errsz;
} vctx;

/* Connect says "value" for a top-level value and `field: "name"` below it; we name the whole
 * path ("address.lines[2]") so a nested failure can be found. */
static const char *vloc(const vctx *c, char *buf, size_t size)
{
    if (c->path[0] == '\0')
        snprintf(buf, size, "value");
    else
        snprintf(buf, size, "field: \"%s\"", c->path);
    return buf;
}

static int verr(vctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int verr(vctx *c, const char *fmt, ...)
{
    if (c->err && c->errsz) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err, c->errsz, fmt, ap);
        va_end(ap);
    }
    return SL_ERR;
}

static int validate_rec(vctx *c, const sl_schema *s, const sl_value *v, const char *prefix);

/* Append a path segment, validate, and restore the path. Truncation only shortens messages. */
static int validate_child(vctx *c, const sl_schema *s, const sl_value *v, const char *prefix,
                          const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int validate_child(vctx *c, const sl_schema *s, const sl_value *v, const char *prefix,
                          const char *fmt, ...)
{
    size_t len = strlen(c->path);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->path + len, sizeof(c->path) - len, fmt, ap);
    va_end(ap);
    int rc = validate_rec(c, s, v, prefix);
    c->path[len] = '\0';
    return rc;
}

static int validate_logical(vctx *c, const sl_schema *s, const sl_value *v)
{
    char loc[PATH_MAX_LEN + 16];
    int32_t scale;
    switch (s->logical) {
    case SL_LOGICAL_DECIMAL:
        /* Decimal.toLogical needs a scale and a non-empty unscaled value (BigInteger). */
        if (value_decimal_scale(s, &scale) != SL_OK)
            return verr(c, "Invalid Decimal schema: scale parameter not found for %s",
                        vloc(c, loc, sizeof(loc)));
        if (v->u.buf.len == 0)
            return verr(c, "Invalid Decimal value: empty unscaled value for %s",
                        vloc(c, loc, sizeof(loc)));
        return SL_OK;
    case SL_LOGICAL_TIME:
        /* Time.fromLogical refuses date parts: only a time of day is representable. */
        if (v->u.i < 0 || v->u.i >= 86400000)
            return verr(c,
                        "Kafka Connect Time type should not have any date fields set to "
                        "non-zero values (%" PRId64 " ms is not a time of day) for %s",
                        v->u.i, vloc(c, loc, sizeof(loc)));
        return SL_OK;
    default:
        return SL_OK;
    }
}

static int validate_rec(vctx *c, const sl_schema *s, const sl_value *v, const char *prefix)
{
    char loc[PATH_MAX_LEN + 16];
    if (v == NULL) {
        if (!s->optional)
            return verr(c, "Invalid value: null used for required %s%s, schema type: %s", prefix,
                        vloc(c, loc, sizeof(loc)), value_type_name(s->type));
        return SL_OK;
    }
    if (v->type != s->type)
        return verr(c, "Invalid value for schema%s%s%s with type %s: %s for %s%s",
                    s->name ? " \"" : "", s->name ? s->name : "", s->name ? "\"" : "",
                    value_type_name(s->type), value_type_name(v->type), prefix,
                    vloc(c, loc, sizeof(loc)));
    switch (s->type) {
    case SL_TYPE_STRUCT: {
        const sl_schema *vs = v->u.st.schema;
        if (vs != s && !sl_schema_equals(vs, s))
            return verr(c, "Struct schemas do not match for %s%s", prefix,
                        vloc(c, loc, sizeof(loc)));
        for (size_t i = 0; i < s->nfields && i < v->u.st.n; i++) {
            int rc = validate_child(c, s->fields[i].schema, v->u.st.fields[i], "", "%s%s",
                                    c->path[0] ? "." : "", s->fields[i].name);
            if (rc != SL_OK)
                return rc;
        }
        return SL_OK;
    }
    case SL_TYPE_ARRAY:
        if (s->value_schema == NULL)
            return verr(c, "No schema defined for element of array %s", vloc(c, loc, sizeof(loc)));
        for (size_t i = 0; i < v->u.arr.len; i++) {
            int rc = validate_child(c, s->value_schema, v->u.arr.items[i], "", "[%zu]", i);
            if (rc != SL_OK)
                return rc;
        }
        return SL_OK;
    case SL_TYPE_MAP:
        if (s->key_schema == NULL || s->value_schema == NULL)
            return verr(c, "No schema defined for %s of map %s", s->key_schema ? "value" : "key",
                        vloc(c, loc, sizeof(loc)));
        for (size_t i = 0; i < v->u.map.len; i++) {
            const value_entry *e = &v->u.map.entries[i];
            int rc = validate_rec(c, s->key_schema, e->key, "key of map ");
            if (rc == SL_OK) {
                if (e->key && e->key->type == SL_TYPE_STRING)
                    rc = validate_child(c, s->value_schema, e->value, "", "[%.64s]",
                                        e->key->u.buf.data);
                else
                    rc = validate_child(c, s->value_schema, e->value, "", "[#%zu]", i);
            }
            if (rc != SL_OK)
                return rc;
        }
        return SL_OK;
    default:
        return validate_logical(c, s, v);
    }
}

/* A NULL schema means schemaless: nothing to check against, as Connect skips validation of
 * schemaless data. */
int sl_value_validate(const sl_schema *schema, const sl_value *v, char *errstr,
                      size_t errstr_size)
{
    if (schema == NULL)
        return SL_OK;
    vctx c = {.err = errstr, .errsz = errstr_size};
    c.path[0] = '\0';
    return validate_rec(&c, schema, v, "");
}

int value_validate_offset_map(const sl_value *map, char *errstr, size_t errstr_size)
{
    if (map == NULL)
        return SL_OK;
    if (map->type != SL_TYPE_MAP) {
        snprintf(errstr, errstr_size, "Offsets and partitions must be maps, not %s",
                 value_type_name(map->type));
        return SL_ERR;
    }
    for (size_t i = 0; i < map->u.map.len; i++) {
        const value_entry *e = &map->u.map.entries[i];
        if (e->key == NULL || e->key->type != SL_TYPE_STRING) {
            snprintf(errstr, errstr_size, "Offsets may only use String keys");
            return SL_ERR;
        }
        if (e->value && (e->value->type == SL_TYPE_ARRAY || e->value->type == SL_TYPE_MAP ||
                         e->value->type == SL_TYPE_STRUCT)) {
            snprintf(errstr, errstr_size,
                     "Offsets may only contain primitive types as values, but field %.200s "
                     "contains %s",
                     e->key->u.buf.data, value_type_name(e->value->type));
            return SL_ERR;
        }
    }
    return SL_OK;
}
