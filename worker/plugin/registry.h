/* plugin/registry.h: everything the worker can instantiate (connectors, transforms, predicates,
 * converters), loaded from plugin shared objects or built in, with Connect's name resolution. */
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
 * registry_shutdown(). A converter usable as a header converter is listed twice (both kinds). */
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

/* Create the registry and register the built-in converters. Call once from main. */
int registry_init(void);
/* Unload every plugin (calling manifest fini) and free the registry. */
void registry_shutdown(void);

/* Scan each directory of a comma-separated plugin.path and load every *.so in it (not
 * recursive into subdirectories other than one level, as Connect's plugin directories).
 * Bad plugins are skipped with a warning naming the file. Returns the number loaded. */
int registry_load_path(const char *plugin_path);
/* Load one shared object. SL_OK, or SL_ERR with the reason (naming the file) in errstr. */
int registry_load_file(const char *path, char *errstr, size_t errstr_size);

/* Resolve a class name as Connect does: full name, simple name (after the last '.'), or for
 * connectors the simple name without a "Connector" suffix. Ambiguous simple names (two full
 * names) resolve to NULL. Returns NULL if unknown. Borrowed. */
const plugin_entry *registry_find(plugin_kind kind, const char *name);
const sl_connector_def *registry_find_connector(const char *name);
const sl_transform_def *registry_find_transform(const char *name);
const sl_predicate_def *registry_find_predicate(const char *name);
const sl_converter_def *registry_find_converter(const char *name);

/* Find any kind: used by GET /connector-plugins/{p}/config. Borrowed, NULL if unknown. */
const plugin_entry *registry_find_any(const char *name);

/* All entries in GET /connector-plugins order (sinks, sources, transforms, predicates,
 * converters, header converters; by class name within a kind). *out is borrowed. */
size_t registry_list(const plugin_entry *const **out);

/* The host function table handed to plugins. */
const sl_host *registry_host_table(void);

#endif
