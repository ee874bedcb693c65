/* plugin/registry_internal.h: what registry.c and loader.c share inside worker/plugin/.
 * Other modules use registry.h only. Same thread rules: called on the main thread at start-up. */
#ifndef SLUICE_PLUGIN_REGISTRY_INTERNAL_H
#define SLUICE_PLUGIN_REGISTRY_INTERNAL_H

#include "plugin/registry.h"

/* A set of plugin kinds, for lookups that span several (connectors are SINK or SOURCE). */
#define REGISTRY_KIND_BIT(k) (1u << (unsigned)(k))
#define REGISTRY_CONNECTOR_KINDS (REGISTRY_KIND_BIT(PLUGIN_SINK) | REGISTRY_KIND_BIT(PLUGIN_SOURCE))
#define REGISTRY_CONVERTER_KINDS                                                                 \
    (REGISTRY_KIND_BIT(PLUGIN_CONVERTER) | REGISTRY_KIND_BIT(PLUGIN_HEADER_CONVERTER))
#define REGISTRY_ALL_KINDS 0x3fu

/* registry.c ------------------------------------------------------------------------------ */

/* True between registry_init() and registry_shutdown(). */
bool registry_ready(void);

/* The entry whose fully qualified class name is exactly `class_name` in one of `kind_mask`'s
 * kinds (no aliases), or NULL. Borrowed. Used to refuse duplicate classes. */
const plugin_entry *registry_lookup_class(unsigned kind_mask, const char *class_name);

/* Add an entry. `class_name`, `version`, `origin` and `def` are borrowed and must live until
 * registry_shutdown() (they belong to a loaded plugin, or are static). The caller has checked
 * for duplicates. SL_OK, or SL_ERR when out of memory. */
int registry_add(plugin_kind kind, const char *class_name, const char *version,
                 const char *origin, const void *def);

/* loader.c -------------------------------------------------------------------------------- */

/* Call every loaded plugin's manifest fini (newest first), dlclose it and free what the loader
 * kept for it. Called by registry_shutdown() after the entries are gone. */
void loader_unload_all(void);

#endif
