/* plugins/fs/fs_avro_schema.c: Connect schema -> Avro schema JSON as Confluent's AvroData
 * writes it (record names, connect.* properties, logical types, optional as ["null", T]). */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs_format.h"

#define AVRO_NS "io.confluent.connect.avro"

typedef struct schema_ctx {
    char **names; /* full names of the named types defined so far */
    size_t nnames;
    int defaults, entries; /* counters for ConnectDefault<n>, MapEntry<n> */
    char *errstr;
    size_t errstr_size;
    bool failed;
} schema_ctx;

static bool defined(schema_ctx *c, const char *full)
{
    for (size_t i = 0; i < c->nnames; i++)
        if (strcmp(c->names[i], full) == 0)
            return true;
    return false;
}

static void define(schema_ctx *c, const char *full)
{
    char **n = realloc(c->names, (c->nnames + 1) * sizeof(*n));
    if (n == NULL || (n[c->nnames] = strdup(full)) == NULL) {
        if (n != NULL)
            c->names = n;
        c->failed = true;
        return;
    }
    c->names = n;
    c->nnames++;
}

static json_t *to_avro(schema_ctx *c, const sl_schema *s, bool top);

/* The schema's Connect metadata as AvroData records it on a complex (object) schema. */
static void add_connect_props(json_t *o, const sl_schema *s, bool is_record)
{
    if (sl_schema_version(s) != 0)
        json_object_set_new(o, "connect.version", json_integer(sl_schema_version(s)));
    const char *doc = sl_schema_doc(s);
    if (doc != NULL)
        json_object_set_new(o, is_record ? "doc" : "connect.doc", json_string(doc));
    size_t np = sl_schema_parameter_count(s);
    if (np > 0) {
        json_t *p = json_object();
        for (size_t i = 0; i < np; i++) {
            const char *k = sl_schema_parameter_key(s, i);
            json_object_set_new(p, k, json_string(sl_schema_parameter(s, k)));
        }
        json_object_set_new(o, "connect.parameters", p);
    }
    if (!is_record && sl_schema_name(s) != NULL)
        json_object_set_new(o, "connect.name", json_string(sl_schema_name(s)));
}

static json_t *primitive(const char *type)
{
    return json_pack("{s:s}", "type", type);
}

/* A JSON default for an Avro field of Connect schema s, or NULL when it has none we can
 * express (complex defaults are left out). */
static json_t *default_json(const sl_schema *s)
{
    const sl_value *d = sl_schema_default(s);
    if (d == NULL)
        return NULL;
    switch (sl_value_type(d)) {
    case SL_TYPE_INT8:
    case SL_TYPE_INT16:
    case SL_TYPE_INT32:
    case SL_TYPE_INT64: {
        int64_t i;
        sl_value_get_int(d, &i);
        return json_integer(i);
    }
    case SL_TYPE_FLOAT32:
    case SL_TYPE_FLOAT64: {
        double x;
        sl_value_get_double(d, &x);
        return json_real(x);
    }
    case SL_TYPE_BOOLEAN:
        return json_boolean(sl_value_get_bool(d));
    case SL_TYPE_STRING: {
        size_t n;
        const char *str = sl_value_get_string(d, &n);
        return json_stringn(str, n);
    }
    default:
        return NULL;
    }
}

static json_t *record(schema_ctx *c, const sl_schema *s)
{
    const char *cname = sl_schema_name(s);
    char full[512], nsbuf[512];
    const char *name, *ns;
    if (cname != NULL && cname[0] != '\0') {
        snprintf(full, sizeof(full), "%s", cname);
        const char *dot = strrchr(cname, '.');
        if (dot != NULL) {
            snprintf(nsbuf, sizeof(nsbuf), "%.*s", (int)(dot - cname), cname);
            ns = nsbuf;
            name = dot + 1;
        } else {
            ns = NULL;
            name = cname;
        }
    } else {
        /* AvroData's name for unnamed structs: ConnectDefault, then ConnectDefault2, ... */
        c->defaults++;
        if (c->defaults == 1)
            snprintf(full, sizeof(full), "%s.ConnectDefault", AVRO_NS);
        else
            snprintf(full, sizeof(full), "%s.ConnectDefault%d", AVRO_NS, c->defaults);
        ns = AVRO_NS;
        name = full + strlen(AVRO_NS) + 1;
    }
    if (defined(c, full))
        return json_string(full); /* Avro allows a named type once; then by reference */
    define(c, full);
    json_t *o = json_pack("{s:s,s:s}", "type", "record", "name", name);
    if (ns != NULL)
        json_object_set_new(o, "namespace", json_string(ns));
    json_t *fields = json_array();
    for (size_t i = 0; i < sl_schema_field_count(s); i++) {
        const sl_schema *fs = sl_schema_field_schema(s, i);
        json_t *f = json_pack("{s:s}", "name", sl_schema_field_name(s, i));
        json_t *ft = to_avro(c, fs, false);
        if (ft == NULL) {
            json_decref(f);
            json_decref(fields);
            json_decref(o);
            return NULL;
        }
        json_object_set_new(f, "type", ft);
        if (sl_schema_optional(fs)) {
            json_object_set_new(f, "default", json_null());
        } else {
            json_t *d = default_json(fs);
            if (d != NULL)
                json_object_set_new(f, "default", d);
        }
        json_array_append_new(fields, f);
    }
    json_object_set_new(o, "fields", fields);
    add_connect_props(o, s, true);
    return o;
}

/* The schema without its optionality. */
static json_t *required_form(schema_ctx *c, const sl_schema *s)
{
    json_t *o = NULL;
    switch (sl_schema_logical(s)) {
    case SL_LOGICAL_DECIMAL: {
        const char *scale = sl_schema_parameter(s, "scale");
        const char *prec = sl_schema_parameter(s, "connect.decimal.precision");
        o = json_pack("{s:s,s:s,s:i,s:i}", "type", "bytes", "logicalType", "decimal", "scale",
                      scale ? atoi(scale) : 0, "precision", prec ? atoi(prec) : 64);
        add_connect_props(o, s, false);
        return o;
    }
    case SL_LOGICAL_DATE:
        o = json_pack("{s:s,s:s}", "type", "int", "logicalType", "date");
        add_connect_props(o, s, false);
        return o;
    case SL_LOGICAL_TIME:
        o = json_pack("{s:s,s:s}", "type", "int", "logicalType", "time-millis");
        add_connect_props(o, s, false);
        return o;
    case SL_LOGICAL_TIMESTAMP:
        o = json_pack("{s:s,s:s}", "type", "long", "logicalType", "timestamp-millis");
        add_connect_props(o, s, false);
        return o;
    case SL_LOGICAL_NONE:
        break;
    }
    switch (sl_schema_type(s)) {
    case SL_TYPE_INT8:
        o = json_pack("{s:s,s:s}", "type", "int", "connect.type", "int8");
        break;
    case SL_TYPE_INT16:
        o = json_pack("{s:s,s:s}", "type", "int", "connect.type", "int16");
        break;
    case SL_TYPE_INT32:
        o = primitive("int");
        break;
    case SL_TYPE_INT64:
        o = primitive("long");
        break;
    case SL_TYPE_FLOAT32:
        o = primitive("float");
        break;
    case SL_TYPE_FLOAT64:
        o = primitive("double");
        break;
    case SL_TYPE_BOOLEAN:
        o = primitive("boolean");
        break;
    case SL_TYPE_STRING:
        o = primitive("string");
        break;
    case SL_TYPE_BYTES:
        o = primitive("bytes");
        break;
    case SL_TYPE_ARRAY: {
        json_t *items = to_avro(c, sl_schema_value_schema(s), false);
        if (items == NULL)
            return NULL;
        o = json_pack("{s:s,s:o}", "type", "array", "items", items);
        break;
    }
    case SL_TYPE_MAP: {
        const sl_schema *ks = sl_schema_key_schema(s);
        json_t *values = to_avro(c, sl_schema_value_schema(s), false);
        if (values == NULL)
            return NULL;
        if (sl_schema_type(ks) == SL_TYPE_STRING && !sl_schema_optional(ks) &&
            sl_schema_logical(ks) == SL_LOGICAL_NONE) {
            o = json_pack("{s:s,s:o}", "type", "map", "values", values);
        } else {
            /* Avro maps have string keys; others become arrays of key/value records. */
            json_t *keys = to_avro(c, ks, false);
            if (keys == NULL) {
                json_decref(values);
                return NULL;
            }
            char name[32];
            c->entries++;
            if (c->entries == 1)
                snprintf(name, sizeof(name), "MapEntry");
            else
                snprintf(name, sizeof(name), "MapEntry%d", c->entries);
            json_t *entry = json_pack("{s:s,s:s,s:s,s:[{s:s,s:o},{s:s,s:o}]}", "type", "record",
                                      "name", name, "namespace", AVRO_NS, "fields", "name", "key",
                                      "type", keys, "name", "value", "type", values);
            o = json_pack("{s:s,s:o}", "type", "array", "items", entry);
        }
        break;
    }
    case SL_TYPE_STRUCT:
        return record(c, s);
    default:
        snprintf(c->errstr, c->errstr_size, "schema of unknown type %d", (int)sl_schema_type(s));
        return NULL;
    }
    if (o != NULL)
        add_connect_props(o, s, false);
    return o;
}

static json_t *to_avro(schema_ctx *c, const sl_schema *s, bool top)
{
    (void)top;
    json_t *r = required_form(c, s);
    if (r == NULL || !sl_schema_optional(s))
        return r;
    return json_pack("[s,o]", "null", r);
}

char *fs_avro_schema_json(const sl_schema *schema, char *errstr, size_t errstr_size)
{
    if (schema == NULL) {
        snprintf(errstr, errstr_size,
                 "AvroFormat needs a value schema; this record is schemaless (use a converter "
                 "with schemas, e.g. JsonConverter with schemas.enable=true)");
        return NULL;
    }
    schema_ctx c = {.errstr = errstr, .errstr_size = errstr_size};
    errstr[0] = '\0';
    json_t *j = to_avro(&c, schema, true);
    char *text = j && !c.failed ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(j);
    for (size_t i = 0; i < c.nnames; i++)
        free(c.names[i]);
    free(c.names);
    if (text == NULL && errstr[0] == '\0')
        snprintf(errstr, errstr_size, "out of memory building the Avro schema");
    return text;
}
