/* transforms/smt.h: helpers shared by the built-in single message transforms (key/value
 * operands, Connect's requirement errors, the per-instance schema cache, schema copying).
 *
 * Written only against the public SDK, like any third-party plugin. Thread rules: Connect gives
 * each task its own transform instances and the host calls one instance from one thread, so
 * nothing here locks; every helper is thread-safe for distinct arguments. */
#ifndef SLUICE_TRANSFORMS_SMT_H
#define SLUICE_TRANSFORMS_SMT_H

#include <stdio.h>
#include <sys/types.h>

#include <sluice/sdk.h>

/* Reported as every built-in transform's and predicate's version. */
#define SMT_VERSION "1.0.0"
#define SMT_PKG "org.apache.kafka.connect.transforms."

/* Which part of the record a $Key / $Value transform works on. */
typedef enum smt_part {
    SMT_KEY = 0,
    SMT_VALUE = 1,
} smt_part;

/* ==== operands ==== */

/* The key or value (borrowed) and its schema (borrowed) of `r`. */
const sl_value *smt_operand(const sl_record *r, smt_part part);
const sl_schema *smt_operand_schema(const sl_record *r, smt_part part);
/* Detach the key or value and its schema: the caller owns both (either may be NULL). */
void smt_take(sl_record *r, smt_part part, sl_schema **schema, sl_value **value);
/* Set the key or value: takes one reference to `schema` and takes `value` (both may be NULL). */
void smt_set(sl_record *r, smt_part part, sl_schema *schema, sl_value *value);

/* ==== errors ==== */

/* The Java class Connect would name in a message for a value of this kind ("java.lang.String",
 * "org.apache.kafka.connect.data.Struct", "null"), so error texts match Connect's. Static. */
const char *smt_value_class(const sl_value *v);
/* Connect's Schema.Type name ("INT32", "STRUCT"); "null" for (sl_type)-1. Static string. */
const char *smt_type_name(sl_type t);

/* Requirements.requireMap / requireStruct: SL_OK when `v` is a MAP (STRUCT), else SL_ERR with
 * Connect's message ("Only Map objects supported in absence of schema for [<purpose>], found:
 * <class>") in errstr. */
int smt_require_map(const sl_value *v, const char *purpose, char *errstr, size_t errstr_size);
int smt_require_struct(const sl_value *v, const char *purpose, char *errstr, size_t errstr_size);

/* ==== values ==== */

/* Index of the entry of MAP `map` whose key is the STRING `key`, or -1. */
ssize_t smt_map_find(const sl_value *map, const char *key);
/* The string form of a map key for transforms that need string keys (schemaless maps have
 * string keys in Connect); NULL for a non-string key. Borrowed. */
const char *smt_map_key_str(const sl_value *map, size_t i);

/* Detach field `i` of struct `st` (caller owns it). When it is null and `replace_default`
 * (Connect's replace.null.with.default, i.e. Struct.get instead of getWithoutDefault), a copy
 * of the field schema's default is returned instead. */
sl_value *smt_struct_take_field(sl_value *st, size_t i, bool replace_default);
/* Field `i` of `st` without detaching it, with the same default rule. Borrowed. */
const sl_value *smt_struct_peek_field(const sl_value *st, size_t i, bool replace_default);

/* ==== schemas ==== */

/* A new STRUCT schema with `src`'s name, version, doc and parameters (SchemaUtil.
 * copySchemaBasics onto SchemaBuilder.struct(): optionality and default are NOT copied, as in
 * Connect). Caller owns it; NULL on allocation failure. */
sl_schema *smt_struct_like(const sl_schema *src);
/* Copy name, version, doc and parameters of `src` onto `dst` (a schema not yet shared). */
void smt_copy_basics(sl_schema *dst, const sl_schema *src);
/* SchemaUtil.copySchemaBasics(src): a new schema of src's type (ARRAY keeps its element
 * schema, MAP its key and value schemas, STRUCT its fields) with src's basics, not optional
 * and without default. Caller owns it; NULL on allocation failure. */
sl_schema *smt_schema_copy_basics(const sl_schema *src);
/* A full shallow copy of `src` (fields, key/value schemas, basics, optionality, default
 * copied) that the caller may still modify. Caller owns it. */
sl_schema *smt_schema_clone(const sl_schema *src);
/* One reference to the shared primitive schema of `type` (optional or not). */
sl_schema *smt_primitive(sl_type type, bool optional);
/* A new logical schema (Date, Time, Timestamp) with the given optionality. Caller owns it. */
sl_schema *smt_logical(sl_logical logical, bool optional);

/* ==== the schema cache ====
 * Connect keeps an LRU cache of 16 updated schemas per transform instance, keyed by the input
 * schema. Entries hold a reference to their input schema, so its address cannot be reused by
 * another schema while cached and a pointer comparison is a valid first test; structural
 * equality (sl_schema_equals) is the fallback for converters that build equal schemas anew. */
#define SMT_CACHE_SIZE 16

typedef struct smt_cache_entry {
    sl_schema *in;  /* one reference */
    sl_schema *out; /* one reference; may be NULL when the transform only caches `aux` */
    void *aux;      /* transform-specific plan (freed with the cache's free_aux) */
    uint64_t used;
} smt_cache_entry;

typedef struct smt_cache {
    smt_cache_entry e[SMT_CACHE_SIZE];
    size_t n;
    size_t last; /* index of the last hit: records of one topic share their schema */
    uint64_t tick;
    void (*free_aux)(void *aux); /* NULL: aux is freed with free() */
} smt_cache;

/* Find the entry for `in` (borrowed); NULL on a miss. The entry stays valid until the next
 * smt_cache_put or smt_cache_clear. */
smt_cache_entry *smt_cache_find(smt_cache *c, const sl_schema *in);
/* Add an entry (evicting the least recently used when full): takes a reference to `in`,
 * takes `out` and `aux`. Returns the entry. */
smt_cache_entry *smt_cache_put(smt_cache *c, const sl_schema *in, sl_schema *out, void *aux);
/* Drop every entry. */
void smt_cache_clear(smt_cache *c);

/* ==== configuration helpers ==== */

/* True if `s` is one of the `n` items. */
bool smt_list_has(const char *const *items, size_t n, const char *s);
/* Split a raw LIST value as Connect does (trimmed; "" = no items; items trimmed). Returns
 * the item count; *items is a NULL-terminated array the caller frees with smt_list_free. */
size_t smt_list_split(const char *raw, char ***items);
void smt_list_free(char **items);
/* Custom validator: NonEmptyListValidator ("Empty list"). A missing required value (NULL)
 * passes, as the host already reports it. */
int smt_valid_nonempty_list(const sl_config_def *def, const char *value, char *errstr,
                            size_t errstr_size);
/* Custom validator: a STRING that is not null (ConfigDef.NonNullValidator). */
int smt_valid_non_null(const sl_config_def *def, const char *value, char *errstr,
                       size_t errstr_size);
/* Custom validator: a non-empty regular expression that compiles (pcre2, Java-compatible
 * syntax), "Invalid regex: <reason>". NULL passes (required keys are reported by the host). */
int smt_valid_regex(const sl_config_def *def, const char *value, char *errstr, size_t errstr_size);

/* A cross-field configuration check shared by validate() and init(): it records at most one
 * error (key and message) so that validate() reports it against the key and init() fails with
 * "<message>" naming the key. */
typedef struct smt_cfgerr {
    const char *key;
    char message[512];
} smt_cfgerr;
void smt_cfgerr_set(smt_cfgerr *e, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The common "replace.null.with.default" definition (Connect 3.6+, KIP-937 style). */
#define SMT_REPLACE_NULL_DEF                                                                       \
    {                                                                                              \
        .name = "replace.null.with.default", .type = SL_CFG_BOOLEAN, .default_value = "true",      \
        .importance = SL_IMPORTANCE_MEDIUM,                                                        \
        .doc =                                                                                     \
            "Whether to replace fields that have a default value and that are null to the "        \
            "default value. When set to true, the default value is used, otherwise null is used."  \
    }

/* Define the $Key and $Value sl_transform_defs of a transform `name` (C identifier prefix),
 * whose init takes the part: `static int name##_init(const sl_config *, smt_part, void **,
 * char *, size_t)`, plus `name##_apply`, `name##_close`, `name##_config`, and a validate
 * function or NULL. The defs are named smt_<name>_key / smt_<name>_value. */
#define SMT_KEY_VALUE_DEFS(name, cls, docstr, validatefn)                                          \
    static int name##_init_key(const sl_config *c, void **s, char *e, size_t n)                    \
    {                                                                                              \
        return name##_init(c, SMT_KEY, s, e, n);                                                   \
    }                                                                                              \
    static int name##_init_value(const sl_config *c, void **s, char *e, size_t n)                  \
    {                                                                                              \
        return name##_init(c, SMT_VALUE, s, e, n);                                                 \
    }                                                                                              \
    const sl_transform_def smt_##name##_key = {                                                    \
        .struct_size = sizeof(sl_transform_def),                                                   \
        .class_name = SMT_PKG cls "$Key",                                                          \
        .version = SMT_VERSION,                                                                    \
        .doc = docstr,                                                                             \
        .config = name##_config,                                                                   \
        .validate = validatefn,                                                                    \
        .init = name##_init_key,                                                                   \
        .apply = name##_apply,                                                                     \
        .close = name##_close,                                                                     \
    };                                                                                             \
    const sl_transform_def smt_##name##_value = {                                                  \
        .struct_size = sizeof(sl_transform_def),                                                   \
        .class_name = SMT_PKG cls "$Value",                                                        \
        .version = SMT_VERSION,                                                                    \
        .doc = docstr,                                                                             \
        .config = name##_config,                                                                   \
        .validate = validatefn,                                                                    \
        .init = name##_init_value,                                                                 \
        .apply = name##_apply,                                                                     \
        .close = name##_close,                                                                     \
    }

#endif
