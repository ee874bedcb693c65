/* plugins/fs/fs_compat.c: schema.compatibility decisions (StorageSchemaCompatibility) and
 * value projection between schemas (Connect's SchemaProjector rules). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fs_compat.h"

static const char *const compat_names[] = {"NONE", "BACKWARD", "FORWARD", "FULL"};

static const char *tname(const sl_schema *s)
{
    static const char *const names[] = {"INT8",    "INT16",  "INT32", "INT64", "FLOAT32", "FLOAT64",
                                        "BOOLEAN", "STRING", "BYTES", "ARRAY", "MAP",     "STRUCT"};
    unsigned t = (unsigned)sl_schema_type(s);
    return t < sizeof(names) / sizeof(names[0]) ? names[t] : "null";
}

int fs_compat_parse(const char *name, fs_compat *out)
{
    for (int i = 0; name != NULL && i < 4; i++)
        if (strcasecmp(name, compat_names[i]) == 0) {
            *out = (fs_compat)i;
            return SL_OK;
        }
    return SL_ERR;
}

int fs_compat_should_change(fs_compat c, const sl_schema *rec, const sl_schema *cur, char *errstr,
                            size_t errstr_size)
{
    if (rec == NULL && cur == NULL)
        return 0;
    if (rec == NULL || cur == NULL) {
        /* Confluent refuses the switch for every mode; with NONE (no projection at all) a new
         * file is the obvious answer, so only the projecting modes refuse. */
        if (c == FS_COMPAT_NONE)
            return 1;
        snprintf(errstr, errstr_size,
                 "Switch between schema-based and schema-less data is not supported");
        return SL_ERR;
    }
    if (c == FS_COMPAT_NONE)
        return sl_schema_equals(rec, cur) ? 0 : 1;
    int32_t rv = sl_schema_version(rec), cv = sl_schema_version(cur);
    if (rv == 0 || cv == 0) {
        snprintf(errstr, errstr_size, "Schema version required for %s compatibility",
                 compat_names[c]);
        return SL_ERR;
    }
    if (c == FS_COMPAT_FORWARD)
        return rv < cv ? 1 : 0;
    return rv > cv ? 1 : 0;
}

/* ---- projection ---- */

static bool promotable(sl_type from, sl_type to)
{
    if (from == to)
        return true;
    switch (from) {
    case SL_TYPE_INT8:
        return to == SL_TYPE_INT16 || to == SL_TYPE_INT32 || to == SL_TYPE_INT64 ||
               to == SL_TYPE_FLOAT32 || to == SL_TYPE_FLOAT64;
    case SL_TYPE_INT16:
        return to == SL_TYPE_INT32 || to == SL_TYPE_INT64 || to == SL_TYPE_FLOAT32 ||
               to == SL_TYPE_FLOAT64;
    case SL_TYPE_INT32:
        return to == SL_TYPE_INT64 || to == SL_TYPE_FLOAT32 || to == SL_TYPE_FLOAT64;
    case SL_TYPE_INT64:
        return to == SL_TYPE_FLOAT32 || to == SL_TYPE_FLOAT64;
    case SL_TYPE_FLOAT32:
        return to == SL_TYPE_FLOAT64;
    default:
        return false;
    }
}

static bool same_str(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool same_params(const sl_schema *a, const sl_schema *b)
{
    size_t n = sl_schema_parameter_count(a);
    if (n != sl_schema_parameter_count(b))
        return false;
    for (size_t i = 0; i < n; i++) {
        const char *k = sl_schema_parameter_key(a, i);
        if (!same_str(sl_schema_parameter(a, k), sl_schema_parameter(b, k)))
            return false;
    }
    return true;
}

static int check_compatible(const sl_schema *from, const sl_schema *to, char *errstr,
                            size_t errstr_size)
{
    if (!promotable(sl_schema_type(from), sl_schema_type(to))) {
        snprintf(errstr, errstr_size, "Schema type mismatch. source type: %s and target type: %s",
                 tname(from), tname(to));
        return SL_ERR;
    }
    if (!same_str(sl_schema_name(from), sl_schema_name(to))) {
        snprintf(errstr, errstr_size, "Schema name mismatch. source name: %s and target name: %s",
                 sl_schema_name(from) ? sl_schema_name(from) : "null",
                 sl_schema_name(to) ? sl_schema_name(to) : "null");
        return SL_ERR;
    }
    if (!same_params(from, to)) {
        snprintf(errstr, errstr_size,
                 "Schema parameters not equal. source schema: %s and target "
                 "schema: %s",
                 tname(from), tname(to));
        return SL_ERR;
    }
    return SL_OK;
}

static sl_value *promote(const sl_value *v, sl_type to)
{
    int64_t i;
    double d;
    switch (to) {
    case SL_TYPE_INT16:
        sl_value_get_int(v, &i);
        return sl_value_new_int16((int16_t)i);
    case SL_TYPE_INT32:
        sl_value_get_int(v, &i);
        return sl_value_new_int32((int32_t)i);
    case SL_TYPE_INT64:
        sl_value_get_int(v, &i);
        return sl_value_new_int64(i);
    case SL_TYPE_FLOAT32:
        sl_value_get_double(v, &d);
        return sl_value_new_float32((float)d);
    case SL_TYPE_FLOAT64:
        sl_value_get_double(v, &d);
        return sl_value_new_float64(d);
    default:
        return sl_value_copy(v);
    }
}

static int project_required(const sl_schema *from, const sl_value *v, const sl_schema *to,
                            sl_value **out, char *errstr, size_t errstr_size);

int fs_project(const sl_schema *from, const sl_value *v, const sl_schema *to, sl_value **out,
               char *errstr, size_t errstr_size)
{
    *out = NULL;
    if (check_compatible(from, to, errstr, errstr_size) != SL_OK)
        return SL_ERR;
    if (v == NULL) {
        if (sl_schema_optional(to))
            return SL_OK;
        const sl_value *def = sl_schema_default(to);
        if (def == NULL) {
            snprintf(errstr, errstr_size,
                     "Writer schema is optional, however, target schema "
                     "does not provide a default value.");
            return SL_ERR;
        }
        *out = sl_value_copy(def);
        return SL_OK;
    }
    return project_required(from, v, to, out, errstr, errstr_size);
}

static int project_required(const sl_schema *from, const sl_value *v, const sl_schema *to,
                            sl_value **out, char *errstr, size_t errstr_size)
{
    sl_type t = sl_schema_type(to);
    if (sl_value_type(v) != sl_schema_type(from)) {
        snprintf(errstr, errstr_size, "value of type %d does not match its schema type %s",
                 (int)sl_value_type(v), tname(from));
        return SL_ERR;
    }
    switch (t) {
    case SL_TYPE_STRUCT: {
        sl_value *st = sl_value_new_struct(to);
        if (st == NULL)
            goto oom;
        for (size_t i = 0; i < sl_schema_field_count(to); i++) {
            const char *name = sl_schema_field_name(to, i);
            const sl_schema *tfs = sl_schema_field_schema(to, i);
            int si = sl_schema_field_index(from, name);
            sl_value *fv = NULL;
            if (si >= 0) {
                if (fs_project(sl_schema_field_schema(from, (size_t)si),
                               sl_value_struct_get_index(v, (size_t)si), tfs, &fv, errstr,
                               errstr_size) != SL_OK) {
                    sl_value_destroy(st);
                    return SL_ERR;
                }
            } else if (sl_schema_default(tfs) != NULL) {
                fv = sl_value_copy(sl_schema_default(tfs));
            } else if (!sl_schema_optional(tfs)) {
                snprintf(errstr, errstr_size, "Required field `%s` is missing from source schema",
                         name);
                sl_value_destroy(st);
                return SL_ERR;
            }
            sl_value_struct_set_index(st, i, fv);
        }
        *out = st;
        return SL_OK;
    }
    case SL_TYPE_ARRAY: {
        sl_value *a = sl_value_new_array();
        if (a == NULL)
            goto oom;
        for (size_t i = 0; i < sl_value_array_len(v); i++) {
            sl_value *e = NULL;
            if (fs_project(sl_schema_value_schema(from), sl_value_array_get(v, i),
                           sl_schema_value_schema(to), &e, errstr, errstr_size) != SL_OK) {
                sl_value_destroy(a);
                return SL_ERR;
            }
            sl_value_array_append(a, e);
        }
        *out = a;
        return SL_OK;
    }
    case SL_TYPE_MAP: {
        sl_value *m = sl_value_new_map();
        if (m == NULL)
            goto oom;
        for (size_t i = 0; i < sl_value_map_len(v); i++) {
            sl_value *k = NULL, *e = NULL;
            if (fs_project(sl_schema_key_schema(from), sl_value_map_key_at(v, i),
                           sl_schema_key_schema(to), &k, errstr, errstr_size) != SL_OK ||
                fs_project(sl_schema_value_schema(from), sl_value_map_value_at(v, i),
                           sl_schema_value_schema(to), &e, errstr, errstr_size) != SL_OK) {
                sl_value_destroy(k);
                sl_value_destroy(m);
                return SL_ERR;
            }
            sl_value_map_put(m, k, e);
        }
        *out = m;
        return SL_OK;
    }
    default:
        *out = promote(v, t);
        if (*out == NULL)
            goto oom;
        return SL_OK;
    }
oom:
    snprintf(errstr, errstr_size, "out of memory");
    return SL_ERR;
}
