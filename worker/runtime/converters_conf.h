/* runtime/converters_conf.h: a task's key, value and header converter instances, chosen and
 * configured from the connector's settings or else the worker's, as Connect's Plugins does. */
#ifndef SLUICE_RUNTIME_CONVERTERS_CONF_H
#define SLUICE_RUNTIME_CONVERTERS_CONF_H

#include <sluice/sdk.h>

/* One configured converter instance. */
typedef struct converter_inst {
    const sl_converter_def *def; /* NULL when not built */
    sl_config *config;           /* owned; lives as long as the instance */
    void *state;
    bool initialised;
} converter_inst;

/* The three converters of a task. */
typedef struct converter_set {
    converter_inst key, value, header;
} converter_set;

/* The class a role uses: the connector's `<role>.converter` when set, else the worker's
 * (header.converter defaults to SimpleHeaderConverter). Borrowed; NULL if neither sets it. */
const char *converters_conf_class(const sl_props *worker_props, const sl_props *conn_config,
                                  sl_converter_role role);

/* Build the three converters: for each role the class comes from converters_conf_class; the
 * sub-config is every `<role>.converter.` key of the same properties the class came from
 * (connector or worker; Connect never mixes them), plus "converter.type" = key / value /
 * header, parsed with the converter's table, then init(config, role). Classes are resolved
 * with `find` (NULL = registry_find_converter). A header converter must declare
 * header_converter. On SL_OK *set is filled (caller calls converters_conf_fini). On SL_ERR
 * errstr names the role key and reason and *set is left empty (finalised). Runs on the task
 * thread that will use the converters. Both props borrowed. */
int converters_conf_build(const sl_props *worker_props, const sl_props *conn_config,
                          const sl_converter_def *(*find)(const char *class_name),
                          converter_set *set, char *errstr, size_t errstr_size);

/* Close (close() callbacks) and free the instances; the set is zeroed. Owning thread. */
void converters_conf_fini(converter_set *set);

#endif
