/* sluice/value.h: the typed value and schema model, mirroring Kafka Connect's data API.
 * Part of the Sluice plugin SDK; include <sluice/sdk.h> rather than this file.
 *
 * Ownership rules, once for all functions below:
 * - A function that returns `sl_value *` or `sl_schema *` from `_new`/`_copy` gives the caller
 *   ownership: destroy values with sl_value_destroy(), drop schemas with sl_schema_unref().
 * - Getters return borrowed pointers, valid while the container lives and is not modified.
 * - A parameter documented "takes" transfers ownership (of a value) or a reference (of a
 *   schema) to the callee, also when the call fails.
 * - A NULL sl_value * is Connect's null. All functions accept NULL where a value may be null.
 *
 * Thread rules: values and schemas have no internal locking. A value is used by one thread at
 * a time. A schema may be shared between threads once built (its refcount is atomic); do not
 * modify a schema after another thread can see it.
 *
 * Every function here is provided by the host through the function table (see plugin.h). */
#ifndef SLUICE_VALUE_H
#define SLUICE_VALUE_H

#include "types.h"

#define SL_VALUE_API(X)                                                                          \
    /* ---- schemas ---- */                                                                      \
    /* New schema of `type` (required, no name). Caller owns one reference. For ARRAY, MAP and  \
     * STRUCT prefer the dedicated constructors. */                                              \
    X(sl_schema *, sl_schema_new, (sl_type type))                                                \
    /* New ARRAY schema; takes a reference to `element`. Caller owns the result. */              \
    X(sl_schema *, sl_schema_new_array, (sl_schema * element))                                   \
    /* New MAP schema; takes references to `key` and `value`. Caller owns the result. */         \
    X(sl_schema *, sl_schema_new_map, (sl_schema * key, sl_schema * value))                      \
    /* New STRUCT schema without fields; add them with sl_schema_add_field. Caller owns it. */   \
    X(sl_schema *, sl_schema_new_struct, (const char *name))                                     \
    /* Logical type schemas (Decimal with `scale`, Date, Time, Timestamp). Caller owns them. */  \
    X(sl_schema *, sl_schema_new_decimal, (int32_t scale))                                       \
    X(sl_schema *, sl_schema_new_logical, (sl_logical logical))                                  \
    /* A shared, immutable primitive schema (optional or required). Borrowed: never unref it    \
     * unless you took a reference with sl_schema_ref. */                                       \
    X(const sl_schema *, sl_schema_primitive, (sl_type type, bool optional))                     \
    /* Append a field to a STRUCT schema; takes a reference to `field_schema`; copies `name`.   \
     * Returns SL_ERR for a duplicate name or a non-struct schema. */                            \
    X(int, sl_schema_add_field, (sl_schema * s, const char *name, sl_schema *field_schema))      \
    /* Builder setters for a schema not yet shared. Strings are copied; `def` is taken. */       \
    X(void, sl_schema_set_optional, (sl_schema * s, bool optional))                              \
    X(void, sl_schema_set_name, (sl_schema * s, const char *name))                               \
    X(void, sl_schema_set_version, (sl_schema * s, int32_t version))                             \
    X(void, sl_schema_set_doc, (sl_schema * s, const char *doc))                                 \
    X(void, sl_schema_set_default, (sl_schema * s, sl_value *def))                               \
    /* set_parameter with a NULL value removes the key. add_field refuses cycles. */            \
    X(void, sl_schema_set_parameter, (sl_schema * s, const char *key, const char *value))        \
    /* Take one more reference (returns `s`); drop one. NULL is accepted by both. */             \
    X(sl_schema *, sl_schema_ref, (const sl_schema *s))                                          \
    X(void, sl_schema_unref, (sl_schema * s))                                                    \
    /* Accessors; strings and schemas are borrowed. version is 0 when unset. sl_schema_type of  \
     * NULL is (sl_type)-1. doc counts in sl_schema_equals, as in ConnectSchema.equals. */      \
    X(sl_type, sl_schema_type, (const sl_schema *s))                                             \
    X(bool, sl_schema_optional, (const sl_schema *s))                                            \
    X(const char *, sl_schema_name, (const sl_schema *s))                                        \
    X(int32_t, sl_schema_version, (const sl_schema *s))                                          \
    X(const char *, sl_schema_doc, (const sl_schema *s))                                         \
    X(const sl_value *, sl_schema_default, (const sl_schema *s))                                 \
    X(const char *, sl_schema_parameter, (const sl_schema *s, const char *key))                  \
    X(size_t, sl_schema_parameter_count, (const sl_schema *s))                                   \
    X(const char *, sl_schema_parameter_key, (const sl_schema *s, size_t i))                     \
    X(sl_logical, sl_schema_logical, (const sl_schema *s))                                       \
    /* Struct fields: count, name and schema of the i-th, index of a name (-1 if absent). */     \
    X(size_t, sl_schema_field_count, (const sl_schema *s))                                       \
    X(const char *, sl_schema_field_name, (const sl_schema *s, size_t i))                        \
    X(const sl_schema *, sl_schema_field_schema, (const sl_schema *s, size_t i))                 \
    X(int, sl_schema_field_index, (const sl_schema *s, const char *name))                        \
    /* ARRAY element schema (value_schema), MAP key and value schemas. */                        \
    X(const sl_schema *, sl_schema_key_schema, (const sl_schema *s))                             \
    X(const sl_schema *, sl_schema_value_schema, (const sl_schema *s))                           \
    /* Structural equality (type, optionality, name, version, parameters, fields, defaults). */  \
    X(bool, sl_schema_equals, (const sl_schema *a, const sl_schema *b))                          \
    /* ---- values: constructors (caller owns the result) ---- */                                \
    X(sl_value *, sl_value_new_int8, (int8_t v))                                                 \
    X(sl_value *, sl_value_new_int16, (int16_t v))                                               \
    X(sl_value *, sl_value_new_int32, (int32_t v))                                               \
    X(sl_value *, sl_value_new_int64, (int64_t v))                                               \
    X(sl_value *, sl_value_new_float32, (float v))                                               \
    X(sl_value *, sl_value_new_float64, (double v))                                              \
    X(sl_value *, sl_value_new_boolean, (bool v))                                                \
    /* Copies `len` bytes of `s` (need not be NUL-terminated; stored NUL-terminated). */         \
    X(sl_value *, sl_value_new_string, (const char *s, size_t len))                              \
    X(sl_value *, sl_value_new_bytes, (const void *data, size_t len))                            \
    /* Decimal as BYTES holding the unscaled value of `unscaled` (scale lives in the schema). */ \
    X(sl_value *, sl_value_new_decimal_i64, (int64_t unscaled))                                  \
    X(sl_value *, sl_value_new_array, (void))                                                    \
    X(sl_value *, sl_value_new_map, (void))                                                      \
    /* A struct with every field null; takes a reference to `schema` (a STRUCT schema). */       \
    X(sl_value *, sl_value_new_struct, (const sl_schema *schema))                                \
    /* ---- values: container mutation ---- */                                                   \
    /* Append `item` (taken) to an array. */                                                     \
    X(int, sl_value_array_append, (sl_value * array, sl_value *item))                            \
    /* Put `key` and `item` (both taken) into a map; an equal key is replaced, else appended.   \
     * Maps keep insertion order (offsets depend on it). */                                      \
    X(int, sl_value_map_put, (sl_value * map, sl_value *key, sl_value *item))                    \
    /* Convenience: map_put with a string key (copied). */                                       \
    X(int, sl_value_map_put_str, (sl_value * map, const char *key, sl_value *item))              \
    /* Set a struct field by name or index; takes `item` and frees the old value. SL_ERR if no  \
     * such field. No type check here; see sl_value_validate. */                                 \
    X(int, sl_value_struct_set, (sl_value * st, const char *field, sl_value *item))              \
    X(int, sl_value_struct_set_index, (sl_value * st, size_t index, sl_value *item))             \
    /* ---- values: accessors ---- */                                                            \
    /* The value's type; (sl_type)-1 for NULL (Connect's null). */                               \
    X(sl_type, sl_value_type, (const sl_value *v))                                               \
    /* Any integer type (INT8..INT64) widened to int64; SL_ERR if `v` is not an integer. */      \
    X(int, sl_value_get_int, (const sl_value *v, int64_t *out))                                  \
    /* Any numeric type as double; SL_ERR if not numeric. */                                     \
    X(int, sl_value_get_double, (const sl_value *v, double *out))                                \
    X(bool, sl_value_get_bool, (const sl_value *v))                                              \
    /* STRING (NUL-terminated) or BYTES content, borrowed; `len` may be NULL. NULL if other. */  \
    X(const char *, sl_value_get_string, (const sl_value *v, size_t *len))                       \
    X(const void *, sl_value_get_bytes, (const sl_value *v, size_t *len))                        \
    X(size_t, sl_value_array_len, (const sl_value *v))                                           \
    X(const sl_value *, sl_value_array_get, (const sl_value *v, size_t i))                       \
    X(size_t, sl_value_map_len, (const sl_value *v))                                             \
    X(const sl_value *, sl_value_map_key_at, (const sl_value *v, size_t i))                      \
    X(const sl_value *, sl_value_map_value_at, (const sl_value *v, size_t i))                    \
    /* Value under a string key, borrowed; NULL if absent or null. */                            \
    X(const sl_value *, sl_value_map_get_str, (const sl_value *v, const char *key))              \
    X(const sl_schema *, sl_value_struct_schema, (const sl_value *v))                            \
    X(const sl_value *, sl_value_struct_get, (const sl_value *v, const char *field))             \
    X(const sl_value *, sl_value_struct_get_index, (const sl_value *v, size_t i))                \
    /* Detach a child, leaving null in its place: caller owns the result. Lets a transform     \
     * move parts of a value into a new one without copying. */                                  \
    X(sl_value *, sl_value_struct_take_index, (sl_value * v, size_t i))                          \
    X(sl_value *, sl_value_map_take_value_at, (sl_value * v, size_t i))                          \
    /* Remove the i-th entry of a map or array, destroying it. */                                \
    X(int, sl_value_remove_at, (sl_value * v, size_t i))                                         \
    /* ---- values: whole-value operations ---- */                                               \
    /* Deep copy; caller owns it. */                                                             \
    X(sl_value *, sl_value_copy, (const sl_value *v))                                            \
    /* Free `v` and everything in it. NULL is accepted. */                                       \
    X(void, sl_value_destroy, (sl_value * v))                                                    \
    X(bool, sl_value_equals, (const sl_value *a, const sl_value *b))                             \
    /* Check `v` against `schema` as Connect's ConnectSchema.validateValue does; fills errstr   \
     * with the path and reason on SL_ERR. */                                                    \
    X(int, sl_value_validate,                                                                    \
      (const sl_schema *schema, const sl_value *v, char *errstr, size_t errstr_size))            \
    /* Compact JSON text of a value (schemaless, as JsonConverter with schemas.enable=false);   \
     * caller frees the string with free(). For logs, DLQ messages and tests. */                 \
    X(char *, sl_value_to_json, (const sl_value *v, const sl_schema *schema))

#endif
