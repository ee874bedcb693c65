/* transforms/cast_value.h: the value conversions and spec parsing behind Cast, kept apart from
 * the transform's record handling. Thread rules: no shared state. */
#ifndef SLUICE_TRANSFORMS_CAST_VALUE_H
#define SLUICE_TRANSFORMS_CAST_VALUE_H

#include <sluice/sdk.h>

/* One "field:type" of the spec. */
typedef struct cast_field {
    char *name;
    sl_type type;
} cast_field;

/* Parse the spec items (Cast.parseFieldTypes). On SL_OK *fields (caller frees with
 * cast_fields_free) holds the per-field casts, or *whole is the whole-value type (else
 * (sl_type)-1). On SL_ERR errstr has Connect's message. */
int cast_parse_spec(const char *const *items, size_t n, cast_field **fields, size_t *nfields,
                    sl_type *whole, char *errstr, size_t errstr_size);
void cast_fields_free(cast_field *fields, size_t n);

/* Cast.castValueToType: convert `v` (borrowed; `schema` its schema or NULL when schemaless)
 * to `target`. *out is NULL for a null input; caller owns it. SL_ERR with Connect's message. */
int cast_value(const sl_schema *schema, const sl_value *v, sl_type target, sl_value **out,
               char *errstr, size_t errstr_size);

#endif
