/* config/config_internal.h: the layouts of config_schema and sl_config, shared by the files of
 * the config engine (configdef.c, config_getters.c, configinfo.c) and nobody else. */
#ifndef SLUICE_CONFIG_INTERNAL_H
#define SLUICE_CONFIG_INTERNAL_H

#include "config/configdef.h"

typedef struct config_index_entry {
    const char *name;
    size_t i;
} config_index_entry;

struct config_schema {
    config_key *keys;
    size_t count, cap;
    const char **groups; /* strings owned through `owned` or borrowed from tables */
    size_t ngroups, gcap;
    void **owned; /* everything config_schema_alloc/strdup handed out */
    size_t nowned, ocap;
    config_index_entry *index; /* keys sorted by name; built when the schema is frozen */
    bool frozen;
};

/* One parsed value. `null` covers required-but-missing, null defaults and failed parses with
 * no default. Strings and lists are owned by the config. */
typedef struct config_val {
    bool set;  /* the user gave the key */
    bool null;
    bool b;
    int64_t l;
    double d;
    char *s;      /* STRING, PASSWORD, CLASS (full name); also LIST's canonical "a,b" */
    char **items; /* LIST: NULL-terminated */
    size_t nitems;
} config_val;

struct sl_config {
    config_schema *schema;
    sl_props *originals;
    config_val *vals; /* parallel to schema->keys */
};

/* Index of `name` in a frozen schema, or -1 (binary search). */
ssize_t config_schema_index(const config_schema *s, const char *name);
/* Sort the name index; after this the schema is read-only. */
int config_schema_freeze(config_schema *s);

/* Parse one string per `type` (see config_parse). On failure returns -1 with the reason part
 * of Connect's message ("Not a number of type INT") in why. `v` is filled on success. */
int config_parse_value(const config_key *k, const char *raw, config_val *v, char *why,
                       size_t why_size);
void config_val_clear(config_val *v);
/* Set an entry's recommended values (copied; NULL-terminated list or NULL) and visibility. */
void config_result_set_recommended(config_result *r, size_t i, const char *const *values);
void config_result_set_visible(config_result *r, size_t i, bool visible);
/* String.trim() (drops chars <= ' ' at both ends) as a new string; NULL when out of memory. */
char *config_java_trim(const char *s);
/* items joined with sep between them and open/close around; "null" for NULL items. Caller
 * frees. */
char *config_join(const char *const *items, size_t n, const char *sep, const char *open,
                  const char *close);

/* ConfigDef.convertToString of a parsed value (NULL for null). Caller frees. */
char *config_val_string(const sl_config_def *def, const config_val *v);

#endif
