/* transforms/extract_field.c: ExtractField$Key / $Value: replace the key or value with one of
 * its fields, a top-level name (V1) or a nested dotted path (field.syntax.version=V2). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "field_path.h"
#include "smt.h"
#include "transforms.h"

#define PURPOSE "field extraction"

static const sl_config_def extract_field_config[] = {
    {.name = "field",
     .type = SL_CFG_STRING,
     .required = true,
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "Field name to extract."},
    SMT_REPLACE_NULL_DEF,
    {.name = "field.syntax.version",
     .type = SL_CFG_STRING,
     .default_value = "V1",
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "Defines the version of the syntax to access fields. If set to `V1`, then the field "
            "paths are limited to access the elements at the root level of the struct or map. "
            "If set to `V2`, the syntax will support accessing nested elements. To access "
            "nested elements, dotted notation is used. If dots are already included in the "
            "field name, then backtick pairs can be used to wrap field names containing dots. "
            "E.g. to access the subfield `baz` from a field named \"foo.bar\" in a struct/map "
            "the following format can be used to access its elements: \"`foo.bar`.baz\".",
     .validator = SL_VALIDATE_IN_ICASE("V1", "V2")},
    SL_CONFIG_END,
};

typedef struct extract_field {
    smt_part part;
    char *text;
    smt_field_path path;
    bool replace_null;
} extract_field;

static bool syntax_v2(const sl_config *c)
{
    const char *v = sl_config_string(c, "field.syntax.version");
    return v != NULL && strcasecmp(v, "V2") == 0;
}

static void extract_field_validate(sl_validation *v)
{
    const sl_config *c = sl_validation_config(v);
    const char *field = sl_config_string(c, "field");
    if (field == NULL || !syntax_v2(c))
        return;
    smt_field_path p;
    char err[512];
    if (smt_field_path_parse(field, true, &p, err, sizeof(err)) != SL_OK)
        sl_validation_error(v, "field", err);
    else
        smt_field_path_free(&p);
}

static void extract_field_close(void *state)
{
    extract_field *s = state;
    if (s == NULL)
        return;
    smt_field_path_free(&s->path);
    free(s->text);
    free(s);
}

static int extract_field_init(const sl_config *c, smt_part part, void **state, char *errstr,
                              size_t errstr_size)
{
    extract_field *s = calloc(1, sizeof(*s));
    const char *field = sl_config_string(c, "field");
    if (s == NULL || (s->text = strdup(field ? field : "")) == NULL) {
        free(s);
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    s->part = part;
    s->replace_null = sl_config_bool(c, "replace.null.with.default");
    char why[512];
    if (smt_field_path_parse(s->text, syntax_v2(c), &s->path, why, sizeof(why)) != SL_OK) {
        snprintf(errstr, errstr_size, "Invalid value %s for configuration field: %s", s->text, why);
        extract_field_close(s);
        return SL_ERR;
    }
    *state = s;
    return SL_OK;
}

/* Detach `found` when it is a direct child of `root` (no copy); otherwise copy it (a nested
 * value, or a schema default that belongs to the schema). */
static sl_value *detach(sl_value *root, const sl_value *found, bool is_struct)
{
    if (found == NULL)
        return NULL;
    size_t n =
        is_struct ? sl_schema_field_count(sl_value_struct_schema(root)) : sl_value_map_len(root);
    for (size_t i = 0; i < n; i++) {
        if (is_struct && sl_value_struct_get_index(root, i) == found)
            return sl_value_struct_take_index(root, i);
        if (!is_struct && sl_value_map_value_at(root, i) == found)
            return sl_value_map_take_value_at(root, i);
    }
    return sl_value_copy(found);
}

static int extract_field_apply(void *state, sl_record *r, char *errstr, size_t errstr_size)
{
    extract_field *s = state;
    const sl_value *v = smt_operand(r, s->part);
    const sl_schema *schema = smt_operand_schema(r, s->part);
    if (schema == NULL) {
        if (v == NULL)
            return SL_OK;
        if (smt_require_map(v, PURPOSE, errstr, errstr_size) != SL_OK)
            return SL_ERR;
        const sl_value *found = NULL;
        if (smt_field_path_map_value(&s->path, v, &found, errstr, errstr_size) != SL_OK)
            return SL_ERR;
        sl_schema *old_schema = NULL;
        sl_value *old = NULL;
        smt_take(r, s->part, &old_schema, &old);
        sl_value *out = detach(old, found, false);
        sl_value_destroy(old);
        sl_schema_unref(old_schema);
        smt_set(r, s->part, NULL, out);
        return SL_OK;
    }
    if (v != NULL && smt_require_struct(v, PURPOSE, errstr, errstr_size) != SL_OK)
        return SL_ERR;
    const sl_schema *parent = NULL;
    int fi = smt_field_path_field(&s->path, schema, &parent);
    if (fi < 0) {
        snprintf(errstr, errstr_size, "Unknown field: %s", s->text);
        return SL_ERR;
    }
    sl_schema *field_schema = sl_schema_ref(sl_schema_field_schema(parent, (size_t)fi));
    const sl_value *found = NULL;
    if (v != NULL && smt_field_path_struct_value(&s->path, v, s->replace_null, &found, errstr,
                                                 errstr_size) != SL_OK) {
        sl_schema_unref(field_schema);
        return SL_ERR;
    }
    sl_schema *old_schema = NULL;
    sl_value *old = NULL;
    smt_take(r, s->part, &old_schema, &old);
    sl_value *out = old ? detach(old, found, true) : NULL;
    sl_value_destroy(old);
    sl_schema_unref(old_schema);
    smt_set(r, s->part, field_schema, out);
    return SL_OK;
}

SMT_KEY_VALUE_DEFS(extract_field, "ExtractField",
                   "Extract the specified field from a Struct when schema present, or a Map in "
                   "the case of schemaless data. Any null values are passed through unmodified.",
                   extract_field_validate);
