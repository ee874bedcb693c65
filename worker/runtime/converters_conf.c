/* runtime/converters_conf.c: per-task converter instances. Connect's rule (Worker.startTask,
 * Plugins.newConverter): the connector's class and sub-configs if it names a class, else the
 * worker's. */
#include "runtime/converters_conf.h"

#include <stdio.h>
#include <string.h>

#include "plugin/registry.h"
#include "runtime/subconfig.h"

#define SIMPLE_HEADER_CONVERTER "org.apache.kafka.connect.storage.SimpleHeaderConverter"

static const char *role_key(sl_converter_role role)
{
    switch (role) {
    case SL_CONVERTER_KEY:
        return "key.converter";
    case SL_CONVERTER_VALUE:
        return "value.converter";
    case SL_CONVERTER_HEADER:
        return "header.converter";
    }
    return "value.converter";
}

static const char *role_type(sl_converter_role role)
{
    return role == SL_CONVERTER_KEY ? "key" : role == SL_CONVERTER_HEADER ? "header" : "value";
}

static const char *nonempty(const char *s)
{
    return s != NULL && s[0] != '\0' ? s : NULL;
}

/* The properties a role's converter is configured from (connector or worker), or NULL. */
static const sl_props *role_source(const sl_props *worker, const sl_props *conn,
                                   sl_converter_role role)
{
    const char *key = role_key(role);
    if (conn != NULL && nonempty(sl_props_get(conn, key)) != NULL)
        return conn;
    if (worker != NULL && nonempty(sl_props_get(worker, key)) != NULL)
        return worker;
    return NULL;
}

const char *converters_conf_class(const sl_props *worker_props, const sl_props *conn_config,
                                  sl_converter_role role)
{
    const sl_props *src = role_source(worker_props, conn_config, role);
    if (src != NULL)
        return sl_props_get(src, role_key(role));
    return role == SL_CONVERTER_HEADER ? SIMPLE_HEADER_CONVERTER : NULL;
}

static void inst_fini(converter_inst *c)
{
    if (c->initialised && c->def->close != NULL)
        c->def->close(c->state);
    subconfig_free(c->config);
    memset(c, 0, sizeof(*c));
}

static int inst_build(const sl_props *worker, const sl_props *conn,
                      const sl_converter_def *(*find)(const char *), sl_converter_role role,
                      converter_inst *c, char *errstr, size_t errstr_size)
{
    const char *key = role_key(role);
    const char *cls = converters_conf_class(worker, conn, role);
    if (cls == NULL) {
        snprintf(errstr, errstr_size,
                 "Missing required configuration \"%s\" which has no default value.", key);
        return SL_ERR;
    }
    const sl_converter_def *def = find(cls);
    if (def == NULL) {
        snprintf(errstr, errstr_size,
                 "Invalid value %s for configuration %s: Class %s could not be found.", cls, key,
                 cls);
        return SL_ERR;
    }
    if (role == SL_CONVERTER_HEADER && !def->header_converter) {
        snprintf(errstr, errstr_size,
                 "Invalid value %s for configuration %s: %s is not a HeaderConverter", cls, key,
                 cls);
        return SL_ERR;
    }
    c->def = def;
    char prefix[64];
    snprintf(prefix, sizeof(prefix), "%s.", key);
    const sl_props *src = role_source(worker, conn, role);
    sl_props *sub = src ? subconfig_with_prefix(src, prefix) : sl_props_new();
    if (sub == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    /* Connect adds converter.type so one class can tell the roles apart. */
    sl_props_set(sub, "converter.type", role_type(role));
    char what[600];
    snprintf(what, sizeof(what), "%s %s", key, def->class_name);
    int rc = subconfig_parse(def->config, sub, what, &c->config, errstr, errstr_size);
    sl_props_destroy(sub);
    if (rc != SL_OK)
        return SL_ERR;
    char cerr[512] = "";
    if (def->init != NULL && def->init(c->config, role, &c->state, cerr, sizeof(cerr)) != SL_OK) {
        snprintf(errstr, errstr_size, "%s failed to initialise: %s", what,
                 cerr[0] ? cerr : "unknown error");
        return SL_ERR;
    }
    c->initialised = true;
    return SL_OK;
}

int converters_conf_build(const sl_props *worker_props, const sl_props *conn_config,
                          const sl_converter_def *(*find)(const char *class_name),
                          converter_set *set, char *errstr, size_t errstr_size)
{
    memset(set, 0, sizeof(*set));
    if (find == NULL)
        find = registry_find_converter;
    if (inst_build(worker_props, conn_config, find, SL_CONVERTER_KEY, &set->key, errstr,
                   errstr_size) != SL_OK ||
        inst_build(worker_props, conn_config, find, SL_CONVERTER_VALUE, &set->value, errstr,
                   errstr_size) != SL_OK ||
        inst_build(worker_props, conn_config, find, SL_CONVERTER_HEADER, &set->header, errstr,
                   errstr_size) != SL_OK) {
        converters_conf_fini(set);
        return SL_ERR;
    }
    return SL_OK;
}

void converters_conf_fini(converter_set *set)
{
    inst_fini(&set->key);
    inst_fini(&set->value);
    inst_fini(&set->header);
}
