/* sluice/plugin.h: the plugin entry point, the manifest, and the host function table.
 * Part of the Sluice plugin SDK; include <sluice/sdk.h> rather than this file.
 *
 * A plugin is one shared object that exports one symbol, `sluice_plugin_entry`, best written
 * with the SL_PLUGIN(...) macro in exactly one of its source files:
 *
 *     #include <sluice/sdk.h>
 *     static const sl_connector_def *const connectors[] = {&my_sink, NULL};
 *     SL_PLUGIN(.name = "my-plugin", .version = "1.0.0", .connectors = connectors);
 *
 * The host calls the entry with its function table. The entry checks the ABI, copies the
 * function pointers the plugin knows into the plugin's own globals (so that `sl_value_new_int32`
 * and friends are plain calls in plugin code), and returns the manifest. The host then checks
 * the manifest's ABI version, calls the optional init(), and registers what it lists. */
#ifndef SLUICE_PLUGIN_H
#define SLUICE_PLUGIN_H

#include "config.h"
#include "connector.h"
#include "record.h"
#include "types.h"
#include "value.h"

/* Every host function, in table order. Lists are only ever appended to (ABI minor bumps). */
#define SL_HOST_API(X)                                                                           \
    SL_CONTEXT_API(X)                                                                            \
    SL_VALUE_API(X)                                                                              \
    SL_RECORD_API(X)                                                                             \
    SL_CONFIG_API(X)

#define SL__HOST_FIELD(ret, name, params) ret(*name) params;

/* The host function table. Owned by the host, valid while the plugin is loaded. */
typedef struct sl_host {
    uint32_t abi_major;
    uint32_t abi_minor;
    uint32_t struct_size;
    SL_HOST_API(SL__HOST_FIELD)
} sl_host;

/* What a plugin provides. Static data owned by the plugin. */
typedef struct sl_manifest {
    uint32_t abi_major; /* SL_ABI_MAJOR the plugin was built with */
    uint32_t abi_minor; /* SL_ABI_MINOR the plugin was built with */
    uint32_t struct_size;
    const char *name;
    const char *version;
    const char *description;
    /* NULL-terminated lists (each may be NULL). */
    const sl_connector_def *const *connectors;
    const sl_transform_def *const *transforms;
    const sl_predicate_def *const *predicates;
    const sl_converter_def *const *converters;
    /* Optional: called once after loading, before anything is registered; SL_ERR skips the
     * plugin with errstr in the warning. */
    int (*init)(char *errstr, size_t errstr_size);
    /* Optional: called once before the plugin is unloaded. */
    void (*fini)(void);
} sl_manifest;

#define SL_PLUGIN_ENTRY_SYMBOL "sluice_plugin_entry"

/* The entry point's type. Returns the manifest, or NULL with a reason in errstr. */
typedef const sl_manifest *(*sl_plugin_entry_fn)(const sl_host *host, char *errstr,
                                                 size_t errstr_size);

#ifdef SLUICE_HOST
/* Inside the worker: every SDK function is a plain function. */
#define SL__HOST_DECL(ret, name, params) ret name params;
SL_HOST_API(SL__HOST_DECL)
#else
/* Inside a plugin: every SDK function is a pointer filled by the entry, private to the
 * shared object (hidden, so that two plugins never share them). */
#define SL__PLUGIN_DECL(ret, name, params)                                                       \
    extern __attribute__((visibility("hidden"))) ret(*name) params;
SL_HOST_API(SL__PLUGIN_DECL)

#define SL__PLUGIN_DEF(ret, name, params) __attribute__((visibility("hidden"))) ret(*name) params;
#define SL__PLUGIN_COPY(ret, name, params)                                                       \
    if (offsetof(sl_host, name) + sizeof(host->name) <= host->struct_size)                       \
        name = host->name;

#include <stdio.h>

/* Define the plugin: its manifest (designated initializers of sl_manifest, without the ABI
 * fields) and the exported entry. Use once per plugin. */
#define SL_PLUGIN(...)                                                                           \
    SL_HOST_API(SL__PLUGIN_DEF)                                                                  \
    static const sl_manifest sl__manifest = {.abi_major = SL_ABI_MAJOR,                          \
                                             .abi_minor = SL_ABI_MINOR,                          \
                                             .struct_size = sizeof(sl_manifest),                 \
                                             __VA_ARGS__};                                       \
    __attribute__((visibility("default"))) const sl_manifest *sluice_plugin_entry(               \
        const sl_host *host, char *errstr, size_t errstr_size)                                   \
    {                                                                                            \
        if (host == NULL || host->abi_major != SL_ABI_MAJOR ||                                   \
            (int64_t)host->abi_minor < (int64_t)SL_ABI_MINOR) {                                                    \
            snprintf(errstr, errstr_size, "plugin built for ABI %d.%d, host speaks %u.%u",       \
                     SL_ABI_MAJOR, SL_ABI_MINOR, host ? host->abi_major : 0u,                    \
                     host ? host->abi_minor : 0u);                                               \
            return &sl__manifest;                                                                \
        }                                                                                        \
        SL_HOST_API(SL__PLUGIN_COPY)                                                             \
        return &sl__manifest;                                                                    \
    }
#endif

#endif
