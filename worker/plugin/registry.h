/* plugin/registry.h: everything the worker can instantiate (connectors, transforms, predicates,
 * converters), loaded from plugin shared objects or built in, with Connect's name resolution.
 *
 * Thread rules: registry_init, registry_load_* and registry_shutdown run on the main thread,
 * at start-up and at exit, while no other thread uses the registry. Between them every lookup
 * is read-only and may be called from any thread. */
#ifndef SLUICE_PLUGIN_REGISTRY_H
#define SLUICE_PLUGIN_REGISTRY_H

#include <sluice/sdk.h>

typedef enum plugin_kind {
    PLUGIN_SINK = 0, /* order is GET /connector-plugins order */
    PLUGIN_SOURCE,
    PLUGIN_TRANSFORM,
    PLUGIN_PREDICATE,
    PLUGIN_CONVERTER,
    PLUGIN_HEADER_CONVERTER,
} plugin_kind;

/* One registered class. Strings and defs are owned by the registry / the plugin and live until
 * registry_shutdown(). A converter usable as a header converter is listed twice (both kinds).
 * For built-in classes `def` is the worker's own definition (compare by address if useful);
 * for plugin classes it is a registry-owned copy padded to the worker's struct size, so every
 * field of the current ABI can be read even from a plugin built for an older minor (fields the
 * plugin did not know are zero). */
typedef struct plugin_entry {
    plugin_kind kind;
    const char *class_name; /* fully qualified */
    const char *version;    /* NULL = undefined */
    const char *origin;     /* the shared object's path, or "builtin" */
    union {
        const sl_connector_def *connector;
        const sl_transform_def *transform;
        const sl_predicate_def *predicate;
        const sl_converter_def *converter;
    } def;
} plugin_entry;

/* Connect's type names: "sink", "source", "transformation", "predicate", "converter",
 * "header_converter". */
const char *plugin_kind_name(plugin_kind kind);

/* Create the registry and register the built-in converters. Call once from main. SL_OK, or
 * SL_ERR if it is already initialised. */
int registry_init(void);
/* Free the entries, then unload every plugin, newest first (calling manifest fini, dlclose).
 * Call only after every connector, task and converter instance has stopped: their code goes
 * away. A no-op when not initialised; registry_init may be called again afterwards. */
void registry_shutdown(void);

/* Scan each directory of a comma-separated plugin.path and load every *.so in it (not
 * recursive into subdirectories other than one level, as Connect's plugin directories).
 * An entry may also be a .so file. Items are trimmed; empty ones are ignored; hidden files are
 * skipped; files load in name order. Bad plugins are skipped with a WARN naming the file and
 * the reason. Returns the number loaded. `plugin_path` is borrowed (NULL = nothing). */
int registry_load_path(const char *plugin_path);
/* Load one shared object: dlopen(RTLD_NOW | RTLD_LOCAL), call its entry with the host table,
 * check the manifest's ABI (major equal, minor not higher) and struct size, run its init, then
 * register each class. A class that is malformed or already registered (by a plugin loaded
 * earlier or built in: the first one wins) is skipped with a WARN naming both files, and the
 * plugin's other classes still load. SL_OK when the plugin is kept (or was already loaded
 * from the same file); SL_ERR with "<path>: <reason>" in errstr (may be NULL) when refused,
 * including when none of its classes could be registered (then it is unloaded, fini first).
 * Does not log refusals itself; logs INFO with the counts when loaded. */
int registry_load_file(const char *path, char *errstr, size_t errstr_size);

/* Resolve a class name as Connect does: the full name first; else an alias: the simple name
 * (after the last '.', so "InsertField$Value" keeps its '$'), or the simple name without its
 * kind's suffix (Connect's PluginUtils.prunedName: "Connector" for connectors, "Converter" or
 * "HeaderConverter" for converters, "Transformation", "Predicate"). Case-sensitive. An alias
 * naming two different classes among the kinds searched resolves to NULL, with a WARN the
 * first time each such name is asked for. Aliases are scoped to the kinds searched
 * (registry_find_connector searches sinks and sources together). NULL if unknown or if `name`
 * is NULL or empty. The result is borrowed (lives until registry_shutdown). Thread-safe. */
const plugin_entry *registry_find(plugin_kind kind, const char *name);
const sl_connector_def *registry_find_connector(const char *name);
const sl_transform_def *registry_find_transform(const char *name);
const sl_predicate_def *registry_find_predicate(const char *name);
/* Searches converters and header converters (a class in both counts once), so it serves
 * key, value and header converters alike; use registry_find(PLUGIN_CONVERTER, ...) to insist
 * on a key/value converter (SimpleHeaderConverter is only a header converter, as in Connect). */
const sl_converter_def *registry_find_converter(const char *name);

/* Find any kind: used by GET /connector-plugins/{p}/config. Borrowed, NULL if unknown or
 * ambiguous; a class listed under two kinds is reported under the first in list order. */
const plugin_entry *registry_find_any(const char *name);

/* All entries in GET /connector-plugins order (sinks, sources, transforms, predicates,
 * converters, header converters; by class name within a kind). *out is borrowed, valid until
 * the next load or registry_shutdown(). Returns 0 (and *out NULL) when not initialised. */
size_t registry_list(const plugin_entry *const **out);

/* The host function table handed to plugins: static, immutable, valid for the whole process. */
const sl_host *registry_host_table(void);

#endif
