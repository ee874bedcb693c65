/* data/json_schema.c: Connect's schema JSON (org.apache.kafka.connect.json.JsonSchema), written
 * as JsonConverter.asJsonSchema does (same member order) and read as asConnectSchema does (same
 * error messages). */
#include <stdio.h>
#include <stdlib.h>

#include "data/json_internal.h"

static const char *const k_type_names[] = {
    [SL_TYPE_INT8] = "int8",       [SL_TYPE_INT16] = "int16",   [SL_TYPE_INT32] = "int32",
    [SL_TYPE_INT64] = "int64",     [SL_TYPE_FLOAT32] = "float", [SL_TYPE_FLOAT64] = "double",
    [SL_TYPE_BOOLEAN] = "boolean", [SL_TYPE_STRING] = "string", [SL_TYPE_BYTES] = "bytes",
    [SL_TYPE_ARRAY] = "array",     [SL_TYPE_MAP] = "map",       [SL_TYPE_STRUCT] = "struct",
};
#define N_TYPES (sizeof(k_type_names) / sizeof(k_type_names[0]))

/* ---- writing ---- */

/* One schema object: "type", then "items" / "keys","values" / "fields", "optional", "name",
 * "version", "doc", "parameters", "default"; a struct field's schema gets "field" last, as
 * Connect adds it to a copy of the field schema's node. */
static int write_schema(jsonc_writer *w, const sl_schema *s, const char *field_name)
{
    jsonc_buf *b = w->out;
    if (s == NULL) {
        jsonc_buf_put(b, "null", 4);
        return SL_OK;
    }
    sl_type t = sl_schema_type(s);
    if ((size_t)t >= N_TYPES)
        return jsonc_err_set(&w->err, JSONC_ERR_DATA,
                            "Couldn't translate unsupported schema type %d.", (int)t);
    jsonc_buf_puts(b, "{\"type\":\"");
    jsonc_buf_puts(b, k_type_names[t]);
    jsonc_buf_putc(b, '"');
    switch (t) {
    case SL_TYPE_ARRAY:
        jsonc_buf_puts(b, ",\"items\":");
        if (write_schema(w, sl_schema_value_schema(s), NULL) != SL_OK)
            return SL_ERR;
        break;
    case SL_TYPE_MAP:
        jsonc_buf_puts(b, ",\"keys\":");
        if (write_schema(w, sl_schema_key_schema(s), NULL) != SL_OK)
            return SL_ERR;
        jsonc_buf_puts(b, ",\"values\":");
        if (write_schema(w, sl_schema_value_schema(s), NULL) != SL_OK)
            return SL_ERR;
        break;
    case SL_TYPE_STRUCT: {
        size_t nf = sl_schema_field_count(s);
        jsonc_buf_puts(b, ",\"fields\":[");
        for (size_t i = 0; i < nf; i++) {
            if (i)
                jsonc_buf_putc(b, ',');
            if (write_schema(w, sl_schema_field_schema(s, i), sl_schema_field_name(s, i)) !=
                SL_OK)
                return SL_ERR;
        }
        jsonc_buf_putc(b, ']');
        break;
    }
    default:
        break;
    }
    jsonc_buf_puts(b, sl_schema_optional(s) ? ",\"optional\":true" : ",\"optional\":false");
    const char *name = sl_schema_name(s), *doc = sl_schema_doc(s);
    if (name) {
        jsonc_buf_puts(b, ",\"name\":");
        jsonc_write_string(b, name, strlen(name));
    }
    /* 0 is "unset" in the SDK (Connect's null version). */
    int32_t version = sl_schema_version(s);
    if (version != 0) {
        char num[16];
        int n = snprintf(num, sizeof(num), "%d", (int)version);
        jsonc_buf_puts(b, ",\"version\":");
        jsonc_buf_put(b, num, (size_t)n);
    }
    if (doc) {
        jsonc_buf_puts(b, ",\"doc\":");
        jsonc_write_string(b, doc, strlen(doc));
    }
    size_t np = sl_schema_parameter_count(s);
    if (np > 0) {
        jsonc_buf_puts(b, ",\"parameters\":{");
        for (size_t i = 0; i < np; i++) {
            const char *k = sl_schema_parameter_key(s, i), *v = sl_schema_parameter(s, k);
            if (i)
                jsonc_buf_putc(b, ',');
            jsonc_write_string(b, k, strlen(k));
            jsonc_buf_putc(b, ':');
            jsonc_write_string(b, v ? v : "", v ? strlen(v) : 0);
        }
        jsonc_buf_putc(b, '}');
    }
    const sl_value *def = sl_schema_default(s);
    if (def) {
        jsonc_buf_puts(b, ",\"default\":");
        if (jsonc_write_value(w, s, def) != SL_OK) {
            jsonc_err_path_name(&w->err, "default", 7);
            return SL_ERR;
        }
    }
    if (field_name) {
        jsonc_buf_puts(b, ",\"field\":");
        jsonc_write_string(b, field_name, strlen(field_name));
    }
    jsonc_buf_putc(b, '}');
    return SL_OK;
}

int jsonc_schema_write(jsonc_writer *w, const sl_schema *schema)
{
    int rc = write_schema(w, schema, NULL);
    if (rc == SL_OK && w->out->oom)
        return jsonc_err_set(&w->err, JSONC_ERR_NOMEM, "out of memory");
    return rc;
}

/* ---- reading ---- */

/* Where each member of interest of one schema object starts (the last one wins when a key
 * repeats, as in Jackson's ObjectNode). NULL when absent. */
typedef struct schema_members {
    const unsigned char *type, *items, *keys, *values, *fields, *field, *optional, *name,
        *version, *doc, *parameters, *def;
} schema_members;

static bool key_is(const char *k, size_t len, const char *want)
{
    return strlen(want) == len && memcmp(k, want, len) == 0;
}

/* Scan the object at r->p (which must be '{'), noting where interesting members start. */
static int scan_members(jsonc_reader *r, schema_members *m)
{
    *m = (schema_members){0};
    int more = jsonc_open_container(r, '}');
    while (more == 1) {
        const char *k;
        size_t len;
        if (jsonc_read_key(r, &k, &len) != SL_OK)
            return SL_ERR;
        const unsigned char **slot = NULL;
        switch (len ? k[0] : 0) {
        case 't':
            slot = key_is(k, len, "type") ? &m->type : NULL;
            break;
        case 'i':
            slot = key_is(k, len, "items") ? &m->items : NULL;
            break;
        case 'k':
            slot = key_is(k, len, "keys") ? &m->keys : NULL;
            break;
        case 'v':
            slot = key_is(k, len, "values") ? &m->values
                   : key_is(k, len, "version") ? &m->version
                                               : NULL;
            break;
        case 'f':
            slot = key_is(k, len, "fields") ? &m->fields : key_is(k, len, "field") ? &m->field
                                                                                   : NULL;
            break;
        case 'o':
            slot = key_is(k, len, "optional") ? &m->optional : NULL;
            break;
        case 'n':
            slot = key_is(k, len, "name") ? &m->name : NULL;
            break;
        case 'd':
            slot = key_is(k, len, "doc") ? &m->doc : key_is(k, len, "default") ? &m->def : NULL;
            break;
        case 'p':
            slot = key_is(k, len, "parameters") ? &m->parameters : NULL;
            break;
        default:
            break;
        }
        if (slot)
            *slot = r->p;
        if (jsonc_skip(r) != SL_OK)
            return SL_ERR;
        more = jsonc_next_or_close(r, '}');
        if (more == 0)
            r->depth--;
    }
    return more < 0 ? SL_ERR : SL_OK;
}

/* The string member at `at` as a new C string, or NULL (not a string, or out of memory: *err
 * is set for the latter). */
static char *string_at(jsonc_reader *r, const unsigned char *at, bool *err)
{
    *err = false;
    if (at == NULL || *at != '"')
        return NULL;
    r->p = at;
    const char *s;
    size_t len;
    if (jsonc_read_string(r, &s, &len) != SL_OK) {
        *err = true;
        return NULL;
    }
    char *copy = strndup(s, len);
    if (copy == NULL) {
        *err = true;
        jsonc_nomem(r);
    }
    return copy;
}

static int read_node(jsonc_reader *r, sl_schema **out);

static int read_struct_fields(jsonc_reader *r, sl_schema *s, const unsigned char *fields)
{
    if (fields == NULL || *fields != '[') {
        r->p = fields ? fields : r->p;
        return jsonc_data_err(r, "Struct schema's \"fields\" argument is not an array.");
    }
    r->p = fields;
    int more = jsonc_open_container(r, ']');
    while (more == 1) {
        jsonc_ws(r);
        const unsigned char *elem = r->p;
        schema_members fm = {0};
        if (*elem == '{') {
            if (scan_members(r, &fm) != SL_OK)
                return SL_ERR;
        } else if (jsonc_skip(r) != SL_OK) {
            return SL_ERR;
        }
        const unsigned char *after = r->p;
        bool err;
        char *name = string_at(r, fm.field, &err);
        if (name == NULL) {
            if (err)
                return SL_ERR;
            r->p = elem;
            return jsonc_data_err(r, "Struct schema's field name not specified properly");
        }
        sl_schema *fs = NULL;
        r->p = elem;
        if (read_node(r, &fs) != SL_OK) {
            jsonc_err_path_name(&r->err, name, strlen(name));
            free(name);
            return SL_ERR;
        }
        if (sl_schema_add_field(s, name, fs) != SL_OK) {
            r->p = elem;
            jsonc_data_err(r, "Cannot create field because of field name duplication %s", name);
            free(name);
            return SL_ERR;
        }
        free(name);
        r->p = after;
        more = jsonc_next_or_close(r, ']');
        if (more == 0)
            r->depth--;
    }
    return more < 0 ? SL_ERR : SL_OK;
}

static int read_parameters(jsonc_reader *r, sl_schema *s, const unsigned char *at)
{
    r->p = at;
    int more = jsonc_open_container(r, '}');
    while (more == 1) {
        const char *k;
        size_t klen;
        if (jsonc_read_key(r, &k, &klen) != SL_OK)
            return SL_ERR;
        /* The key may live in the scratch buffer, which reading the value reuses. */
        char *key = strndup(k, klen);
        if (key == NULL)
            return jsonc_nomem(r);
        if (r->p >= r->end || *r->p != '"') {
            free(key);
            return jsonc_data_err(r, "Schema parameters must have string values.");
        }
        bool err;
        char *value = string_at(r, r->p, &err);
        if (value == NULL) {
            free(key);
            return SL_ERR;
        }
        sl_schema_set_parameter(s, key, value);
        free(key);
        free(value);
        more = jsonc_next_or_close(r, '}');
        if (more == 0)
            r->depth--;
    }
    return more < 0 ? SL_ERR : SL_OK;
}

static sl_type type_by_name(const char *name, size_t len)
{
    for (size_t t = 0; t < N_TYPES; t++)
        if (k_type_names[t] && key_is(name, len, k_type_names[t]))
            return (sl_type)t;
    return (sl_type)-1;
}

/* A schema object at r->p (non-null). On success r->p is just after it. */
static int read_node(jsonc_reader *r, sl_schema **out)
{
    *out = NULL;
    jsonc_ws(r);
    const unsigned char *start = r->p;
    schema_members m = {0};
    if (r->p >= r->end)
        return jsonc_unexpected(r, "a schema");
    if (*r->p == '{') {
        if (scan_members(r, &m) != SL_OK)
            return SL_ERR;
    } else if (jsonc_skip(r) != SL_OK) {
        return SL_ERR;
    }
    const unsigned char *after = r->p;
    r->p = start;
    if (m.type == NULL || *m.type != '"')
        return jsonc_data_err(r, "Schema must contain 'type' field");
    const char *tname;
    size_t tlen;
    r->p = m.type;
    if (jsonc_read_string(r, &tname, &tlen) != SL_OK)
        return SL_ERR;
    sl_type t = type_by_name(tname, tlen);
    if ((int)t < 0) {
        r->p = m.type;
        return jsonc_data_err(r, "Unknown schema type: %.*s", (int)(tlen > 64 ? 64 : tlen), tname);
    }
    sl_schema *s = NULL, *a = NULL, *b = NULL;
    switch (t) {
    case SL_TYPE_ARRAY:
        if (m.items == NULL || *m.items == 'n') {
            r->p = start;
            return jsonc_data_err(r, "Array schema did not specify the element type");
        }
        r->p = m.items;
        if (read_node(r, &a) != SL_OK) {
            jsonc_err_path_name(&r->err, "items", 5);
            return SL_ERR;
        }
        s = sl_schema_new_array(a);
        break;
    case SL_TYPE_MAP:
        if (m.keys == NULL || *m.keys == 'n') {
            r->p = start;
            return jsonc_data_err(r, "Map schema did not specify the key type");
        }
        if (m.values == NULL || *m.values == 'n') {
            r->p = start;
            return jsonc_data_err(r, "Map schema did not specify the value type");
        }
        r->p = m.keys;
        if (read_node(r, &a) != SL_OK) {
            jsonc_err_path_name(&r->err, "keys", 4);
            return SL_ERR;
        }
        r->p = m.values;
        if (read_node(r, &b) != SL_OK) {
            sl_schema_unref(a);
            jsonc_err_path_name(&r->err, "values", 6);
            return SL_ERR;
        }
        s = sl_schema_new_map(a, b);
        break;
    case SL_TYPE_STRUCT:
        s = sl_schema_new_struct(NULL);
        if (s && read_struct_fields(r, s, m.fields) != SL_OK) {
            sl_schema_unref(s);
            return SL_ERR;
        }
        break;
    default:
        s = sl_schema_new(t);
        break;
    }
    if (s == NULL)
        return jsonc_nomem(r);

    /* Then the common attributes, in asConnectSchema's order; ill-typed ones are ignored. */
    sl_schema_set_optional(s, m.optional != NULL && *m.optional == 't');
    bool err = false;
    char *text = string_at(r, m.name, &err);
    if (text)
        sl_schema_set_name(s, text);
    free(text);
    if (!err && m.version && *m.version != '"' && *m.version != '{' && *m.version != '[' &&
        *m.version != 't' && *m.version != 'f' && *m.version != 'n') {
        jsonc_num n;
        r->p = m.version;
        if (jsonc_read_number(r, &n) == SL_OK && n.integral)
            sl_schema_set_version(s, (int32_t)n.i); /* Jackson's intValue() truncates */
    }
    if (!err) {
        text = string_at(r, m.doc, &err);
        if (text)
            sl_schema_set_doc(s, text);
        free(text);
    }
    if (!err && m.parameters && *m.parameters == '{' &&
        read_parameters(r, s, m.parameters) != SL_OK)
        err = true;
    if (!err && m.def) {
        /* The default converts with the schema as built so far (Connect passes the builder). */
        sl_value *def = NULL;
        r->p = m.def;
        if (jsonc_read_value(r, s, &def) != SL_OK) {
            jsonc_err_path_name(&r->err, "default", 7);
            err = true;
        } else if (def) {
            sl_schema_set_default(s, def);
        }
    }
    if (err || r->err.kind != JSONC_ERR_NONE) {
        sl_schema_unref(s);
        return SL_ERR;
    }
    r->p = after;
    *out = s;
    return SL_OK;
}

int jsonc_schema_read(jsonc_reader *r, sl_schema **out)
{
    *out = NULL;
    jsonc_ws(r);
    if (r->p < r->end && *r->p == 'n')
        return jsonc_read_literal(r, "null", 4);
    return read_node(r, out);
}
