/* transforms/headers.c: the header transforms: HeaderFrom$Key / $Value (move or copy fields
 * into headers), InsertHeader (a literal header) and DropHeaders (remove headers by name). */
#include <stdlib.h>
#include <string.h>

#include "smt.h"
#include "smt_text.h"
#include "transforms.h"

static char **copy_items(const sl_config *c, const char *key, size_t *n)
{
    const char *const *items = NULL;
    *n = sl_config_list(c, key, &items);
    char **out = calloc(*n + 1, sizeof(*out));
    for (size_t i = 0; out && i < *n; i++)
        if ((out[i] = strdup(items[i])) == NULL) {
            smt_list_free(out);
            return NULL;
        }
    return out;
}

/* ==== HeaderFrom ==== */

static const sl_config_def header_from_config[] = {
    {.name = "fields",
     .type = SL_CFG_LIST,
     .required = true,
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "Field names in the record whose values are to be copied or moved to headers.",
     .validator = SL_VALIDATE_CUSTOM(smt_valid_nonempty_list)},
    {.name = "headers",
     .type = SL_CFG_LIST,
     .required = true,
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "Header names, in the same order as the field names listed in the fields "
            "configuration property.",
     .validator = SL_VALIDATE_CUSTOM(smt_valid_nonempty_list)},
    {.name = "operation",
     .type = SL_CFG_STRING,
     .required = true,
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "Either <code>move</code> if the fields are to be moved to the headers (removed from "
            "the key/value), or <code>copy</code> if the fields are to be copied to the headers "
            "(retained in the key/value).",
     .validator = SL_VALIDATE_IN("move", "copy")},
    SMT_REPLACE_NULL_DEF,
    SL_CONFIG_END,
};

typedef struct header_from {
    smt_part part;
    char **fields, **headers;
    size_t n;
    bool move;
    bool replace_null;
    smt_cache cache; /* move: out schema without the fields; aux: size_t[] kept indices */
} header_from;

static void header_from_check(const sl_config *c, smt_cfgerr *e)
{
    const char *const *items = NULL;
    size_t nf = sl_config_list(c, "fields", &items);
    size_t nh = sl_config_list(c, "headers", &items);
    if (nf != nh)
        smt_cfgerr_set(e, "headers",
                       "'fields' config must have the same number of elements as 'headers' "
                       "config.");
}

static void header_from_validate(sl_validation *v)
{
    smt_cfgerr e = {0};
    header_from_check(sl_validation_config(v), &e);
    if (e.key)
        sl_validation_error(v, e.key, e.message);
}

static void header_from_close(void *state)
{
    header_from *s = state;
    if (s == NULL)
        return;
    smt_list_free(s->fields);
    smt_list_free(s->headers);
    smt_cache_clear(&s->cache);
    free(s);
}

static int header_from_init(const sl_config *c, smt_part part, void **state, char *errstr,
                            size_t errstr_size)
{
    smt_cfgerr e = {0};
    header_from_check(c, &e);
    if (e.key) {
        snprintf(errstr, errstr_size, "%s", e.message);
        return SL_ERR;
    }
    header_from *s = calloc(1, sizeof(*s));
    size_t nh = 0;
    if (s == NULL || (s->fields = copy_items(c, "fields", &s->n)) == NULL ||
        (s->headers = copy_items(c, "headers", &nh)) == NULL) {
        header_from_close(s);
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    if (s->n == 0) {
        header_from_close(s);
        snprintf(errstr, errstr_size, "Invalid value [] for configuration fields: Empty list");
        return SL_ERR;
    }
    const char *op = sl_config_string(c, "operation");
    s->move = op != NULL && strcmp(op, "move") == 0;
    s->part = part;
    s->replace_null = sl_config_bool(c, "replace.null.with.default");
    *state = s;
    return SL_OK;
}

static int apply_schemaless(header_from *s, sl_record *r, char *errstr, size_t errstr_size)
{
    const sl_value *v = smt_operand(r, s->part);
    if (smt_require_map(v, s->move ? "header move" : "header copy", errstr, errstr_size) != SL_OK)
        return SL_ERR;
    for (size_t i = 0; i < s->n; i++)
        sl_record_header_add(r, s->headers[i], NULL,
                             sl_value_copy(sl_value_map_get_str(v, s->fields[i])));
    if (!s->move)
        return SL_OK;
    sl_schema *sch = NULL;
    sl_value *map = NULL;
    smt_take(r, s->part, &sch, &map);
    for (size_t i = 0; i < s->n; i++) {
        ssize_t at = smt_map_find(map, s->fields[i]);
        if (at >= 0)
            sl_value_remove_at(map, (size_t)at);
    }
    smt_set(r, s->part, sch, map);
    return SL_OK;
}

static int header_from_apply(void *state, sl_record *r, char *errstr, size_t errstr_size)
{
    header_from *s = state;
    if (smt_operand_schema(r, s->part) == NULL)
        return apply_schemaless(s, r, errstr, errstr_size);
    const sl_value *v = smt_operand(r, s->part);
    if (smt_require_struct(v, s->move ? "header move" : "header copy", errstr, errstr_size) !=
        SL_OK)
        return SL_ERR;
    const sl_schema *in = sl_value_struct_schema(v);
    for (size_t i = 0; i < s->n; i++)
        if (sl_schema_field_index(in, s->fields[i]) < 0) {
            snprintf(errstr, errstr_size, "Field does not exist: %s", s->fields[i]);
            return SL_ERR;
        }
    smt_cache_entry *ce = NULL;
    if (s->move && (ce = smt_cache_find(&s->cache, in)) == NULL) {
        size_t n = sl_schema_field_count(in);
        sl_schema *out = smt_struct_like(in);
        size_t *keep = calloc(n + 1, sizeof(*keep));
        if (out == NULL || keep == NULL) {
            sl_schema_unref(out);
            free(keep);
            snprintf(errstr, errstr_size, "out of memory");
            return SL_ERR;
        }
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            const char *name = sl_schema_field_name(in, i);
            if (smt_list_has((const char *const *)s->fields, s->n, name))
                continue;
            sl_schema_add_field(out, name, sl_schema_ref(sl_schema_field_schema(in, i)));
            keep[k++] = i;
        }
        ce = smt_cache_put(&s->cache, in, out, keep);
    }
    for (size_t i = 0; i < s->n; i++) {
        size_t fi = (size_t)sl_schema_field_index(in, s->fields[i]);
        sl_record_header_add(r, s->headers[i], sl_schema_ref(sl_schema_field_schema(in, fi)),
                             sl_value_copy(smt_struct_peek_field(v, fi, s->replace_null)));
    }
    if (!s->move)
        return SL_OK;
    sl_value *nv = sl_value_new_struct(ce->out);
    if (nv == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    const size_t *keep = ce->aux;
    size_t nout = sl_schema_field_count(ce->out);
    sl_schema *old_schema = NULL;
    sl_value *old = NULL;
    smt_take(r, s->part, &old_schema, &old);
    for (size_t j = 0; j < nout; j++)
        sl_value_struct_set_index(nv, j, smt_struct_take_field(old, keep[j], s->replace_null));
    sl_value_destroy(old);
    sl_schema_unref(old_schema);
    smt_set(r, s->part, sl_schema_ref(ce->out), nv);
    return SL_OK;
}

SMT_KEY_VALUE_DEFS(header_from, "HeaderFrom",
                   "Moves or copies fields in the key/value of a record into that record's "
                   "headers. Corresponding elements of <code>fields</code> and "
                   "<code>headers</code> together identify a field and the header it should be "
                   "moved or copied to.",
                   header_from_validate);

/* ==== InsertHeader ==== */

static const sl_config_def insert_header_config[] = {
    {.name = "header",
     .type = SL_CFG_STRING,
     .required = true,
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "The name of the header.",
     .validator = SL_VALIDATE_CUSTOM(smt_valid_non_null)},
    {.name = "value.literal",
     .type = SL_CFG_STRING,
     .required = true,
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "The literal value that is to be set as the header value on all records.",
     .validator = SL_VALIDATE_CUSTOM(smt_valid_non_null)},
    SL_CONFIG_END,
};

typedef struct insert_header {
    char *header;
    sl_schema *schema;
    sl_value *value;
} insert_header;

static void insert_header_close(void *state)
{
    insert_header *s = state;
    if (s == NULL)
        return;
    free(s->header);
    sl_schema_unref(s->schema);
    sl_value_destroy(s->value);
    free(s);
}

static int insert_header_init(const sl_config *c, void **state, char *errstr, size_t errstr_size)
{
    insert_header *s = calloc(1, sizeof(*s));
    const char *h = sl_config_string(c, "header");
    const char *lit = sl_config_string(c, "value.literal");
    if (h == NULL || lit == NULL) {
        free(s);
        snprintf(errstr, errstr_size,
                 "Invalid value null for configuration %s: entry must be "
                 "non null",
                 h == NULL ? "header" : "value.literal");
        return SL_ERR;
    }
    if (s == NULL || (s->header = strdup(h)) == NULL ||
        smt_parse_literal(lit, &s->schema, &s->value) != SL_OK) {
        insert_header_close(s);
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    *state = s;
    return SL_OK;
}

static int insert_header_apply(void *state, sl_record *r, char *errstr, size_t errstr_size)
{
    insert_header *s = state;
    sl_value *v = s->value ? sl_value_copy(s->value) : NULL;
    if (s->value != NULL && v == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    sl_record_header_add(r, s->header, sl_schema_ref(s->schema), v);
    return SL_OK;
}

const sl_transform_def smt_insert_header = {
    .struct_size = sizeof(sl_transform_def),
    .class_name = SMT_PKG "InsertHeader",
    .version = SMT_VERSION,
    .doc = "Add a header to each record.",
    .config = insert_header_config,
    .init = insert_header_init,
    .apply = insert_header_apply,
    .close = insert_header_close,
};

/* ==== DropHeaders ==== */

static const sl_config_def drop_headers_config[] = {
    {.name = "headers",
     .type = SL_CFG_LIST,
     .required = true,
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "The name of the headers to be removed.",
     .validator = SL_VALIDATE_CUSTOM(smt_valid_nonempty_list)},
    SL_CONFIG_END,
};

typedef struct drop_headers {
    char **headers;
    size_t n;
} drop_headers;

static void drop_headers_close(void *state)
{
    drop_headers *s = state;
    if (s == NULL)
        return;
    smt_list_free(s->headers);
    free(s);
}

static int drop_headers_init(const sl_config *c, void **state, char *errstr, size_t errstr_size)
{
    drop_headers *s = calloc(1, sizeof(*s));
    if (s == NULL || (s->headers = copy_items(c, "headers", &s->n)) == NULL) {
        drop_headers_close(s);
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    if (s->n == 0) {
        drop_headers_close(s);
        snprintf(errstr, errstr_size, "Invalid value [] for configuration headers: Empty list");
        return SL_ERR;
    }
    *state = s;
    return SL_OK;
}

static int drop_headers_apply(void *state, sl_record *r, char *errstr, size_t errstr_size)
{
    (void)errstr;
    (void)errstr_size;
    drop_headers *s = state;
    for (size_t i = 0; i < s->n && sl_record_header_count(r) > 0; i++)
        sl_record_header_remove(r, s->headers[i]);
    return SL_OK;
}

const sl_transform_def smt_drop_headers = {
    .struct_size = sizeof(sl_transform_def),
    .class_name = SMT_PKG "DropHeaders",
    .version = SMT_VERSION,
    .doc = "Removes one or more headers from each record.",
    .config = drop_headers_config,
    .init = drop_headers_init,
    .apply = drop_headers_apply,
    .close = drop_headers_close,
};
