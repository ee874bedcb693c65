/* data/value_layout.h: the memory layout of sl_schema and sl_value, private to schema.c,
 * value*.c and record.c; everything else goes through the SDK accessors or value_internal.h. */
#ifndef SLUICE_DATA_VALUE_LAYOUT_H
#define SLUICE_DATA_VALUE_LAYOUT_H

#include <stdatomic.h>

#include "data/value_internal.h"

typedef struct schema_param {
    char *key;
    char *value;
} schema_param;

typedef struct schema_field {
    char *name;
    sl_schema *schema;
} schema_field;

struct sl_schema {
    atomic_int refs;
    bool is_static; /* the shared primitives: refcounting and setters are no-ops */
    bool optional;
    sl_type type;
    sl_logical logical; /* derived from name + type whenever either changes */
    int32_t version;    /* 0 = unset (Connect's null) */
    char *name;
    char *doc;
    sl_value *def;
    schema_param *params;
    size_t nparams;
    schema_field *fields;
    size_t nfields, fields_cap;
    sl_schema *key_schema;   /* MAP */
    sl_schema *value_schema; /* MAP value, ARRAY element */
};

/* A map entry: both owned by the map; either may be NULL (Connect's null). */
typedef struct value_entry {
    sl_value *key;
    sl_value *value;
} value_entry;

/* Flags in sl_value.flags. */
#define VALUE_F_EXTERNAL 1u /* buf.data is not inline: call buf.free_fn(buf.opaque) if set */

struct sl_value {
    sl_type type;
    uint32_t flags;
    union {
        int64_t i; /* INT8..INT64, widened */
        float f32;
        double f64;
        bool b;
        struct {
            char *data; /* inline (right after the struct) unless VALUE_F_EXTERNAL */
            size_t len;
            void (*free_fn)(void *opaque);
            void *opaque;
        } buf; /* STRING, BYTES */
        struct {
            sl_value **items;
            size_t len, cap;
        } arr;
        struct {
            value_entry *entries;
            size_t len, cap;
        } map;
        struct {
            sl_schema *schema; /* one reference owned by the value */
            size_t n;
            sl_value **fields; /* inline, n entries */
        } st;
    } u;
};

#endif
