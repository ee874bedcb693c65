/* config/providers_internal.h: the provider instances behind config/providers.h, shared by
 * providers.c (the set, resolution), provider_impls.c (file, env, directory) and the tests. */
#ifndef SLUICE_CONFIG_PROVIDERS_INTERNAL_H
#define SLUICE_CONFIG_PROVIDERS_INTERNAL_H

#include "config/providers.h"

typedef enum provider_kind {
    PROVIDER_FILE = 0,  /* FileConfigProvider */
    PROVIDER_ENV,       /* EnvVarConfigProvider */
    PROVIDER_DIRECTORY, /* DirectoryConfigProvider */
} provider_kind;

typedef struct provider {
    char *name; /* as listed in config.providers */
    provider_kind kind;
    char **allowed; /* allowed.paths, normalised; NULL = every path (file, directory) */
    size_t nallowed;
    sl_props *env;      /* env: the snapshot of visible variables */
    bool has_allowlist; /* env: allowlist.pattern was given */
} provider;

struct config_providers {
    provider *v;
    size_t n;
};

/* What one resolution call has read, so each (provider, path) is read once (Kafka groups the
 * keys by provider and path and calls get(path, keys) once per pair). Owned by the caller's
 * stack; provider_cache_fini frees it. */
typedef struct provider_cache_entry {
    const provider *p;
    char *path;
    sl_props *data;
} provider_cache_entry;

typedef struct provider_cache {
    provider_cache_entry *e;
    size_t n, cap;
} provider_cache;

void provider_cache_fini(provider_cache *c);

/* Configure `pv` (name already set) as the class `class_name` with its params (borrowed; the
 * keys without the "config.providers.<n>.param." prefix). SL_ERR with errstr naming the key.
 * Thread-safe. */
int provider_configure(provider *pv, const char *class_name, const sl_props *params, char *errstr,
                       size_t errstr_size);
void provider_fini(provider *pv);

/* Look `key` up under `path` (either may be empty). SL_OK with *out (caller frees), or SL_ERR
 * with a message that names the provider and path, never a value. Thread-safe. */
int provider_lookup(const provider *pv, const char *path, const char *key, provider_cache *cache,
                    char **out, char *errstr, size_t errstr_size);

/* Java's Path.normalize() for Unix paths: repeated '/' and "." removed, ".." folded
 * lexically ("/.." is "/"); relative paths stay relative ("" for an empty result). Caller
 * frees; NULL when out of memory. */
char *provider_path_normalize(const char *path);

/* True when normalised `path` is `root` or below it, component-wise (Path.startsWith). */
bool provider_path_under(const char *path, const char *root);

#endif
