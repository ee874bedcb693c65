/* plugins/datagen/template_parse.c: compiles a datagen template's JSON (Avro schema syntax) into
 * dg_node trees: types, unions, named types, logical types; annotations are in
 * template_annotations.c. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template_internal.h"

void *dg_cfail(dg_compiler *c, const char *fmt, ...)
{
    if (c->failed)
        return NULL;
    c->failed = true;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (c->path[0])
        snprintf(c->err, c->errsz, "template field '%s': %s", c->path, msg);
    else
        snprintf(c->err, c->errsz, "template: %s", msg);
    return NULL;
}

dg_node *dg_node_new(dg_compiler *c, dg_kind kind)
{
    dg_template *t = c->t;
    if (t->nnodes >= DG_MAX_NODES)
        return dg_cfail(c, "more than %d types", DG_MAX_NODES);
    if (t->nnodes == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        dg_node **n = realloc(t->nodes, cap * sizeof(*n));
        if (n == NULL)
            return dg_cfail(c, "out of memory");
        t->nodes = n;
        t->cap = cap;
    }
    dg_node *n = calloc(1, sizeof(*n));
    if (n == NULL)
        return dg_cfail(c, "out of memory");
    n->kind = kind;
    /* Arg's defaults when no annotation narrows them: the type's whole span for integers,
     * [0, 1) for floating types, lengths in [8, 16). */
    if (kind == DG_INT || kind == DG_LONG) {
        __int128 lo, hi;
        dg_int_default_bounds(n, &lo, &hi);
        n->imin = (int64_t)lo;
        n->imax = (int64_t)(hi - 1);
    }
    n->dmin = 0;
    n->dmax = 1;
    n->len_min = DG_DEFAULT_LEN_MIN;
    n->len_max = DG_DEFAULT_LEN_MAX;
    t->nodes[t->nnodes++] = n;
    return n;
}

static const struct {
    const char *name;
    dg_kind kind;
} primitives[] = {{"boolean", DG_BOOLEAN}, {"int", DG_INT},       {"long", DG_LONG},
                  {"float", DG_FLOAT},     {"double", DG_DOUBLE}, {"bytes", DG_BYTES},
                  {"string", DG_STRING}};

static int primitive_kind(const char *name)
{
    for (size_t i = 0; i < sizeof(primitives) / sizeof(primitives[0]); i++)
        if (strcmp(name, primitives[i].name) == 0)
            return (int)primitives[i].kind;
    return -1;
}

const char *dg_kind_name(dg_kind k)
{
    switch (k) {
    case DG_BOOLEAN:
        return "boolean";
    case DG_INT:
        return "int";
    case DG_LONG:
        return "long";
    case DG_FLOAT:
        return "float";
    case DG_DOUBLE:
        return "double";
    case DG_BYTES:
        return "bytes";
    case DG_STRING:
        return "string";
    case DG_RECORD:
        return "record";
    case DG_ENUM:
        return "enum";
    case DG_ARRAY:
        return "array";
    case DG_MAP:
        return "map";
    case DG_FIXED:
        return "fixed";
    case DG_OPTIONAL:
        return "union";
    }
    return "?";
}

/* ---- path bookkeeping ---- */

size_t dg_path_push(dg_compiler *c, const char *part)
{
    size_t mark = strlen(c->path);
    snprintf(c->path + mark, sizeof(c->path) - mark, "%s%s", mark ? "." : "", part);
    return mark;
}

void dg_path_pop(dg_compiler *c, size_t mark)
{
    c->path[mark] = '\0';
}

/* ---- named types ---- */

static dg_node *named_find(dg_compiler *c, const char *name, const char *ns)
{
    char full[512];
    if (strchr(name, '.') == NULL && ns != NULL && *ns) {
        snprintf(full, sizeof(full), "%s.%s", ns, name);
        for (size_t i = 0; i < c->nnamed; i++)
            if (strcmp(c->named[i].fullname, full) == 0)
                return c->named[i].node;
    }
    for (size_t i = 0; i < c->nnamed; i++)
        if (strcmp(c->named[i].fullname, name) == 0)
            return c->named[i].node;
    return NULL;
}

/* The full name of a named type and the namespace its children inherit. Caller frees both. */
static int full_name(dg_compiler *c, json_t *obj, const char *ns, char **full, char **child_ns,
                     bool required)
{
    *full = *child_ns = NULL;
    json_t *jn = json_object_get(obj, "name");
    json_t *jns = json_object_get(obj, "namespace");
    if (jn == NULL && !required)
        return 0;
    if (!json_is_string(jn) || json_string_length(jn) == 0) {
        dg_cfail(c, "a named type needs a non-empty string \"name\"");
        return -1;
    }
    if (jns != NULL && !json_is_string(jns) && !json_is_null(jns)) {
        dg_cfail(c, "\"namespace\" must be a string");
        return -1;
    }
    const char *name = json_string_value(jn);
    const char *space = json_is_string(jns) ? json_string_value(jns) : ns;
    const char *dot = strrchr(name, '.');
    int rc;
    if (dot != NULL) {
        *full = strdup(name);
        *child_ns = strndup(name, (size_t)(dot - name));
        rc = *full && *child_ns ? 0 : -1;
    } else if (space != NULL && *space) {
        rc = asprintf(full, "%s.%s", space, name) < 0 ? -1 : 0;
        if (rc == 0)
            *child_ns = strdup(space);
        else
            *full = NULL;
        rc = rc == 0 && *child_ns ? 0 : -1;
    } else {
        *full = strdup(name);
        rc = *full ? 0 : -1;
    }
    if (rc != 0) {
        free(*full);
        free(*child_ns);
        *full = *child_ns = NULL;
        dg_cfail(c, "out of memory");
    }
    return rc;
}

static int named_add(dg_compiler *c, const char *full, dg_node *n)
{
    if (named_find(c, full, NULL) != NULL) {
        dg_cfail(c, "type \"%s\" is defined twice", full);
        return -1;
    }
    if (c->nnamed == c->capnamed) {
        size_t cap = c->capnamed ? c->capnamed * 2 : 8;
        dg_named *nn = realloc(c->named, cap * sizeof(*nn));
        if (nn == NULL) {
            dg_cfail(c, "out of memory");
            return -1;
        }
        c->named = nn;
        c->capnamed = cap;
    }
    c->named[c->nnamed].fullname = strdup(full);
    c->named[c->nnamed].node = n;
    if (c->named[c->nnamed].fullname == NULL) {
        dg_cfail(c, "out of memory");
        return -1;
    }
    c->nnamed++;
    return 0;
}

/* ---- types ---- */

static dg_node *parse_type(dg_compiler *c, json_t *j, const char *ns, int depth);

static dg_node *parse_record(dg_compiler *c, json_t *obj, const char *ns, int depth)
{
    char *full, *child_ns;
    if (full_name(c, obj, ns, &full, &child_ns, false) != 0)
        return NULL;
    dg_node *n = dg_node_new(c, DG_RECORD);
    if (n == NULL || (full != NULL && named_add(c, full, n) != 0)) {
        free(full);
        free(child_ns);
        return NULL;
    }
    n->name = full;
    n->defining = true;
    const char *inner_ns = child_ns ? child_ns : ns;
    json_t *fields = json_object_get(obj, "fields");
    if (!json_is_array(fields)) {
        free(child_ns);
        return dg_cfail(c, "a record needs a \"fields\" array");
    }
    size_t nf = json_array_size(fields);
    n->field_names = calloc(nf ? nf : 1, sizeof(char *));
    n->fields = calloc(nf ? nf : 1, sizeof(dg_node *));
    if (n->field_names == NULL || n->fields == NULL) {
        free(child_ns);
        return dg_cfail(c, "out of memory");
    }
    for (size_t i = 0; i < nf; i++) {
        json_t *f = json_array_get(fields, i);
        json_t *fname = json_object_get(f, "name");
        if (!json_is_object(f) || !json_is_string(fname) || json_string_length(fname) == 0) {
            free(child_ns);
            return dg_cfail(c, "field %zu needs a non-empty string \"name\"", i);
        }
        const char *name = json_string_value(fname);
        for (size_t k = 0; k < n->nfields; k++) {
            if (strcmp(n->field_names[k], name) == 0) {
                free(child_ns);
                return dg_cfail(c, "duplicate field \"%s\"", name);
            }
        }
        size_t mark = dg_path_push(c, name);
        dg_node *fn = NULL;
        if (json_object_get(f, "arg.properties") != NULL)
            dg_cfail(c, "put \"arg.properties\" inside the field's type, not on the field");
        else if (json_object_get(f, "type") == NULL)
            dg_cfail(c, "a field needs a \"type\"");
        else
            fn = parse_type(c, json_object_get(f, "type"), inner_ns, depth + 1);
        dg_path_pop(c, mark);
        if (fn == NULL) {
            free(child_ns);
            return NULL;
        }
        n->field_names[n->nfields] = strdup(name);
        n->fields[n->nfields] = fn;
        if (n->field_names[n->nfields] == NULL) {
            free(child_ns);
            return dg_cfail(c, "out of memory");
        }
        n->nfields++;
    }
    free(child_ns);
    n->defining = false;
    return n;
}

static dg_node *parse_enum(dg_compiler *c, json_t *obj, const char *ns)
{
    char *full, *child_ns;
    if (full_name(c, obj, ns, &full, &child_ns, true) != 0)
        return NULL;
    free(child_ns);
    dg_node *n = dg_node_new(c, DG_ENUM);
    if (n == NULL || named_add(c, full, n) != 0) {
        free(full);
        return NULL;
    }
    n->name = full;
    json_t *syms = json_object_get(obj, "symbols");
    if (!json_is_array(syms) || json_array_size(syms) == 0)
        return dg_cfail(c, "an enum needs a non-empty \"symbols\" array");
    n->symbols = calloc(json_array_size(syms), sizeof(char *));
    if (n->symbols == NULL)
        return dg_cfail(c, "out of memory");
    size_t i;
    json_t *s;
    json_array_foreach(syms, i, s)
    {
        if (!json_is_string(s) || json_string_length(s) == 0)
            return dg_cfail(c, "enum symbols must be non-empty strings");
        n->symbols[i] = strdup(json_string_value(s));
        if (n->symbols[i] == NULL)
            return dg_cfail(c, "out of memory");
        n->nsymbols++;
    }
    return n;
}

static dg_node *parse_fixed(dg_compiler *c, json_t *obj, const char *ns)
{
    char *full, *child_ns;
    if (full_name(c, obj, ns, &full, &child_ns, true) != 0)
        return NULL;
    free(child_ns);
    dg_node *n = dg_node_new(c, DG_FIXED);
    if (n == NULL || named_add(c, full, n) != 0) {
        free(full);
        return NULL;
    }
    n->name = full;
    int64_t size;
    if (!dg_json_int64(json_object_get(obj, "size"), &size) || size < 0 ||
        size > DG_MAX_STRING_LENGTH)
        return dg_cfail(c, "a fixed type needs an integer \"size\" from 0 to %d",
                        DG_MAX_STRING_LENGTH);
    n->fixed_size = size;
    return n;
}

/* ["null", T] and [T, "null"] become OPTIONAL(T); [T] is T. */
static dg_node *parse_union(dg_compiler *c, json_t *arr, const char *ns, int depth)
{
    dg_node *branch = NULL;
    bool has_null = false;
    size_t i;
    json_t *b;
    json_array_foreach(arr, i, b)
    {
        if (json_is_string(b) && strcmp(json_string_value(b), "null") == 0) {
            if (has_null)
                return dg_cfail(c, "a union may hold \"null\" once");
            has_null = true;
            continue;
        }
        if (branch != NULL)
            return dg_cfail(c, "unions of several non-null types are not supported (only "
                               "[\"null\", T])");
        if (json_is_array(b))
            return dg_cfail(c, "a union may not directly contain a union");
        branch = parse_type(c, b, ns, depth + 1);
        if (branch == NULL)
            return NULL;
    }
    if (branch == NULL)
        return dg_cfail(c, "a union needs one non-null type");
    if (!has_null)
        return branch;
    dg_node *opt = dg_node_new(c, DG_OPTIONAL);
    if (opt != NULL)
        opt->child = branch;
    return opt;
}

static int logical_type(dg_compiler *c, dg_node *n, json_t *obj)
{
    json_t *jl = json_object_get(obj, "logicalType");
    if (jl == NULL)
        return 0;
    if (!json_is_string(jl)) {
        dg_cfail(c, "\"logicalType\" must be a string");
        return -1;
    }
    const char *l = json_string_value(jl);
    if (strcmp(l, "timestamp-millis") == 0 && n->kind == DG_LONG) {
        n->logical = SL_LOGICAL_TIMESTAMP;
    } else if (strcmp(l, "date") == 0 && n->kind == DG_INT) {
        n->logical = SL_LOGICAL_DATE;
    } else if (strcmp(l, "time-millis") == 0 && n->kind == DG_INT) {
        n->logical = SL_LOGICAL_TIME;
    } else if (strcmp(l, "decimal") == 0 && n->kind == DG_BYTES) {
        int64_t precision, scale = 0;
        if (!dg_json_int64(json_object_get(obj, "precision"), &precision) || precision < 1 ||
            precision > 18 ||
            (json_object_get(obj, "scale") &&
             !dg_json_int64(json_object_get(obj, "scale"), &scale)) ||
            scale < 0 || scale > precision) {
            dg_cfail(c, "a decimal needs an integer \"precision\" from 1 to 18 and a \"scale\" "
                        "from 0 to the precision");
            return -1;
        }
        n->logical = SL_LOGICAL_DECIMAL;
        n->precision = (int32_t)precision;
        n->scale = (int32_t)scale;
    }
    /* Other logical types read as their underlying type, as Avro's specification says. */
    if (n->logical == SL_LOGICAL_DATE || n->logical == SL_LOGICAL_TIME ||
        n->logical == SL_LOGICAL_TIMESTAMP) {
        __int128 lo, hi;
        dg_int_default_bounds(n, &lo, &hi);
        n->imin = (int64_t)lo;
        n->imax = (int64_t)(hi - 1);
    }
    return 0;
}

static dg_node *parse_object(dg_compiler *c, json_t *obj, const char *ns, int depth)
{
    json_t *jt = json_object_get(obj, "type");
    json_t *props = json_object_get(obj, "arg.properties");
    if (jt == NULL)
        return dg_cfail(c, "a type object needs a \"type\"");
    if (!json_is_string(jt)) {
        if (props != NULL)
            return dg_cfail(c, "\"arg.properties\" next to a nested type object is ambiguous: "
                               "put it inside");
        return parse_type(c, jt, ns, depth + 1);
    }
    const char *t = json_string_value(jt);
    dg_node *n;
    int pk = primitive_kind(t);
    if (pk >= 0) {
        n = dg_node_new(c, (dg_kind)pk);
        if (n == NULL || logical_type(c, n, obj) != 0)
            return NULL;
    } else if (strcmp(t, "record") == 0) {
        n = parse_record(c, obj, ns, depth);
    } else if (strcmp(t, "enum") == 0) {
        n = parse_enum(c, obj, ns);
    } else if (strcmp(t, "fixed") == 0) {
        n = parse_fixed(c, obj, ns);
    } else if (strcmp(t, "array") == 0 || strcmp(t, "map") == 0) {
        bool array = t[0] == 'a';
        json_t *inner = json_object_get(obj, array ? "items" : "values");
        if (inner == NULL)
            return dg_cfail(c, "an %s needs \"%s\"", array ? "array" : "map",
                            array ? "items" : "values");
        n = dg_node_new(c, array ? DG_ARRAY : DG_MAP);
        if (n == NULL)
            return NULL;
        size_t mark = dg_path_push(c, array ? "<items>" : "<values>");
        n->child = parse_type(c, inner, ns, depth + 1);
        dg_path_pop(c, mark);
        if (n->child == NULL)
            return NULL;
    } else if (strcmp(t, "null") == 0) {
        return dg_cfail(c, "\"null\" is only supported inside a union");
    } else {
        n = named_find(c, t, ns);
        if (n == NULL)
            return dg_cfail(c, "unknown type \"%s\"", t);
        if (n->defining)
            return dg_cfail(c, "recursive type \"%s\" is not supported", t);
        if (props != NULL)
            return dg_cfail(c,
                            "\"arg.properties\" on a reference to the named type \"%s\" is not "
                            "supported (annotate its definition)",
                            t);
        return n;
    }
    if (n == NULL || dg_annotations(c, n, props, depth) != 0 || dg_check_options(c, n) != 0)
        return NULL;
    return n;
}

static dg_node *parse_type(dg_compiler *c, json_t *j, const char *ns, int depth)
{
    if (depth > DG_MAX_DEPTH)
        return dg_cfail(c, "types nested deeper than %d", DG_MAX_DEPTH);
    if (json_is_string(j)) {
        const char *t = json_string_value(j);
        int pk = primitive_kind(t);
        if (pk >= 0)
            return dg_node_new(c, (dg_kind)pk);
        if (strcmp(t, "null") == 0)
            return dg_cfail(c, "\"null\" is only supported inside a union");
        dg_node *n = named_find(c, t, ns);
        if (n == NULL)
            return dg_cfail(c, "unknown type \"%s\"", t);
        if (n->defining)
            return dg_cfail(c, "recursive type \"%s\" is not supported", t);
        return n;
    }
    if (json_is_array(j))
        return parse_union(c, j, ns, depth);
    if (json_is_object(j))
        return parse_object(c, j, ns, depth);
    return dg_cfail(c, "a type must be a name, an object or a union array");
}

/* ---- entry points ---- */

static void node_free(dg_node *n)
{
    json_decref(n->options);
    dg_regex_free(n->regex);
    free(n->prefix);
    free(n->suffix);
    for (size_t i = 0; i < n->nfields; i++)
        free(n->field_names[i]);
    free(n->field_names);
    free(n->fields);
    for (size_t i = 0; i < n->nsymbols; i++)
        free(n->symbols[i]);
    free(n->symbols);
    free(n->name);
    free(n);
}

void dg_template_free(dg_template *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->nnodes; i++)
        node_free(t->nodes[i]);
    free(t->nodes);
    sl_schema_unref(t->schema);
    free(t);
}

dg_template *dg_template_compile(const char *json, size_t len, char *errstr, size_t errstr_size)
{
    if (len > DG_TEMPLATE_MAX_BYTES) {
        snprintf(errstr, errstr_size, "template: larger than %d bytes", DG_TEMPLATE_MAX_BYTES);
        return NULL;
    }
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        snprintf(errstr, errstr_size, "template: invalid JSON at line %d, column %d: %s", jerr.line,
                 jerr.column, jerr.text);
        return NULL;
    }
    dg_compiler c = {.err = errstr, .errsz = errstr_size};
    c.t = calloc(1, sizeof(*c.t));
    if (c.t == NULL) {
        json_decref(root);
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    if (!json_is_object(root) || !json_is_string(json_object_get(root, "type")) ||
        strcmp(json_string_value(json_object_get(root, "type")), "record") != 0)
        dg_cfail(&c, "the top level must be a record ({\"type\": \"record\", \"fields\": [...]})");
    else
        c.t->root = parse_type(&c, root, NULL, 0);
    json_decref(root);
    for (size_t i = 0; i < c.nnamed; i++)
        free(c.named[i].fullname);
    free(c.named);
    if (c.t->root != NULL && !c.failed) {
        c.t->schema = dg_node_schema(c.t->root, false);
        if (c.t->schema == NULL)
            dg_cfail(&c, "out of memory");
    }
    if (c.failed || c.t->root == NULL) {
        if (!c.failed)
            snprintf(errstr, errstr_size, "template: could not be compiled");
        dg_template_free(c.t);
        return NULL;
    }
    return c.t;
}

dg_template *dg_template_load(const char *path, char *errstr, size_t errstr_size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(errstr, errstr_size, "cannot open schema file '%s': %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(DG_TEMPLATE_MAX_BYTES + 1);
    size_t n = buf ? fread(buf, 1, DG_TEMPLATE_MAX_BYTES + 1, f) : 0;
    bool oom = buf == NULL, bad = !oom && ferror(f);
    int saved = errno;
    fclose(f);
    if (oom || bad) {
        free(buf);
        snprintf(errstr, errstr_size, "cannot read schema file '%s': %s", path,
                 oom ? "out of memory" : strerror(saved));
        return NULL;
    }
    if (n > DG_TEMPLATE_MAX_BYTES) {
        free(buf);
        snprintf(errstr, errstr_size, "schema file '%s' is larger than %d bytes", path,
                 DG_TEMPLATE_MAX_BYTES);
        return NULL;
    }
    char err[512] = "";
    dg_template *t = dg_template_compile(buf, n, err, sizeof(err));
    free(buf);
    if (t == NULL)
        snprintf(errstr, errstr_size, "schema file '%s': %s", path, err);
    return t;
}

const sl_schema *dg_template_schema(const dg_template *t)
{
    return t->schema;
}
