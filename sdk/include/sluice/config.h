/* sluice/config.h: typed configuration definitions, validators, parsed configs, property maps.
 * Part of the Sluice plugin SDK; include <sluice/sdk.h> rather than this file.
 *
 * "Declare, don't parse": a plugin declares its keys in a table of sl_config_def terminated by
 * SL_CONFIG_END. The host parses, type-checks, applies defaults and validators, serves
 * GET /connector-plugins/{p}/config and PUT .../config/validate from it, and hands the plugin
 * an sl_config to read typed values from. */
#ifndef SLUICE_CONFIG_H
#define SLUICE_CONFIG_H

#include "types.h"

/* Connect's ConfigDef.Type. */
typedef enum sl_config_type {
    SL_CFG_BOOLEAN = 0,
    SL_CFG_STRING,
    SL_CFG_INT,
    SL_CFG_SHORT,
    SL_CFG_LONG,
    SL_CFG_DOUBLE,
    SL_CFG_LIST, /* comma-separated; items trimmed */
    SL_CFG_CLASS,
    SL_CFG_PASSWORD, /* shown as "[hidden]" by the REST API, never logged */
} sl_config_type;

typedef enum sl_importance {
    SL_IMPORTANCE_HIGH = 0,
    SL_IMPORTANCE_MEDIUM,
    SL_IMPORTANCE_LOW,
} sl_importance;

typedef enum sl_width {
    SL_WIDTH_NONE = 0,
    SL_WIDTH_SHORT,
    SL_WIDTH_MEDIUM,
    SL_WIDTH_LONG,
} sl_width;

typedef enum sl_validator_kind {
    SL_VALID_NONE = 0,
    SL_VALID_RANGE,     /* INT/SHORT/LONG/DOUBLE within [min, max] (per flags) */
    SL_VALID_IN,        /* value (each item, for LIST) is one of `allowed` */
    SL_VALID_IN_ICASE,  /* as SL_VALID_IN, ignoring ASCII case */
    SL_VALID_NON_EMPTY, /* STRING that is not empty */
    SL_VALID_CUSTOM,    /* calls `fn` */
} sl_validator_kind;

#define SL_RANGE_HAS_MIN 1u
#define SL_RANGE_HAS_MAX 2u

struct sl_config_def;

/* A validator. Custom validators are called by the host on the thread doing validation, with
 * the raw string value (NULL when the value is null); they return SL_OK or SL_ERR with a
 * message in errstr, reported as "Invalid value <v> for configuration <name>: <errstr>". */
typedef struct sl_validator {
    sl_validator_kind kind;
    unsigned range_flags;
    double min, max;
    const char *const *allowed; /* NULL-terminated, for SL_VALID_IN(_ICASE) */
    int (*fn)(const struct sl_config_def *def, const char *value, char *errstr,
              size_t errstr_size);
} sl_validator;

#define SL_VALIDATE_MIN(lo) {.kind = SL_VALID_RANGE, .range_flags = SL_RANGE_HAS_MIN, .min = (lo)}
#define SL_VALIDATE_RANGE(lo, hi)                                                                \
    {.kind = SL_VALID_RANGE, .range_flags = SL_RANGE_HAS_MIN | SL_RANGE_HAS_MAX, .min = (lo),    \
     .max = (hi)}
#define SL_VALIDATE_IN(...)                                                                      \
    {.kind = SL_VALID_IN, .allowed = (const char *const[]){__VA_ARGS__, NULL}}
#define SL_VALIDATE_IN_ICASE(...)                                                                \
    {.kind = SL_VALID_IN_ICASE, .allowed = (const char *const[]){__VA_ARGS__, NULL}}
#define SL_VALIDATE_NON_EMPTY {.kind = SL_VALID_NON_EMPTY}
#define SL_VALIDATE_CUSTOM(f) {.kind = SL_VALID_CUSTOM, .fn = (f)}

/* One configuration key, as Connect's ConfigDef.ConfigKey. Tables are static data owned by
 * the plugin and must stay valid while the plugin is loaded. */
typedef struct sl_config_def {
    const char *name;
    sl_config_type type;
    const char *default_value; /* string form; NULL = null default (unless required) */
    bool required;             /* no default: a value must be given */
    sl_importance importance;
    const char *doc;
    const char *group; /* may be NULL */
    int order;         /* order in group; 0 = table order */
    sl_width width;
    const char *display_name;           /* NULL = the name */
    sl_validator validator;
    const char *const *recommended;     /* NULL-terminated, may be NULL */
    const char *const *dependents;      /* NULL-terminated, may be NULL */
} sl_config_def;

#define SL_CONFIG_END {.name = NULL}

#define SL_CONFIG_API(X)                                                                         \
    /* ---- sl_props: ordered string map. Keys and values are copied in; getters borrow. ---- */\
    X(sl_props *, sl_props_new, (void))                                                          \
    X(void, sl_props_destroy, (sl_props * p))                                                    \
    X(sl_props *, sl_props_copy, (const sl_props *p))                                            \
    /* Set (replace or append). A NULL value stores a null (Connect allows null values). */      \
    X(void, sl_props_set, (sl_props * p, const char *key, const char *value))                    \
    X(int, sl_props_remove, (sl_props * p, const char *key))                                     \
    /* Value for key, or NULL when absent or null; sl_props_has tells the two apart. */          \
    X(const char *, sl_props_get, (const sl_props *p, const char *key))                          \
    X(bool, sl_props_has, (const sl_props *p, const char *key))                                  \
    X(size_t, sl_props_count, (const sl_props *p))                                               \
    X(const char *, sl_props_key_at, (const sl_props *p, size_t i))                              \
    X(const char *, sl_props_value_at, (const sl_props *p, size_t i))                            \
    /* ---- sl_config: typed reads of a parsed configuration (borrowed; lives as long as the \
     * connector, task or transform it was given to). Reading a key that is not defined or  \
     * has the wrong type logs an error and returns 0/NULL/false. ---- */                        \
    X(const char *, sl_config_string, (const sl_config *c, const char *name))                    \
    X(int32_t, sl_config_int, (const sl_config *c, const char *name))                            \
    X(int64_t, sl_config_long, (const sl_config *c, const char *name))                           \
    X(double, sl_config_double, (const sl_config *c, const char *name))                          \
    X(bool, sl_config_bool, (const sl_config *c, const char *name))                              \
    /* LIST: number of items; `items` receives a borrowed array of borrowed strings. */         \
    X(size_t, sl_config_list, (const sl_config *c, const char *name, const char *const **items)) \
    /* The secret of a PASSWORD key (resolved). Never log it. */                                 \
    X(const char *, sl_config_password, (const sl_config *c, const char *name))                  \
    /* True if the user gave the key (not only a default). */                                    \
    X(bool, sl_config_is_set, (const sl_config *c, const char *name))                            \
    /* Every raw property given, including keys the definitions do not know (borrowed). */      \
    X(const sl_props *, sl_config_originals, (const sl_config *c))                               \
    /* ---- cross-field validation: record an error against a key (copied). ---- */             \
    X(void, sl_validation_error, (sl_validation * v, const char *key, const char *message))      \
    /* The typed config being validated (borrowed). */                                           \
    X(const sl_config *, sl_validation_config, (const sl_validation *v))

#endif
