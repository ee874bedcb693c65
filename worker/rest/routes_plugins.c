/* rest/routes_plugins.c: handlers for /connector-plugins/... (Connect's ConnectorPluginsResource):
 * the plugin list and config definitions from the registry, validation through the herder. */
#include <string.h>

#include "config/configinfo.h"
#include "config/framework_defs.h"
#include "plugin/registry.h"
#include "rest/rest_internal.h"

void rest_h_list_plugins(rest_request *req, herder_reply *r)
{
    /* connectorsOnly defaults to true; Jersey's Boolean.valueOf makes any other value than
     * "true" (any case) false. */
    bool connectors_only = rest_query_bool(req, "connectorsOnly", true);
    const plugin_entry *const *entries = NULL;
    size_t n = registry_list(&entries);
    json_t *list = json_array();
    for (size_t i = 0; list != NULL && i < n; i++) {
        const plugin_entry *e = entries[i];
        if (connectors_only && e->kind != PLUGIN_SINK && e->kind != PLUGIN_SOURCE)
            continue;
        json_t *info =
            json_pack("{s:s,s:s}", "class", e->class_name, "type", plugin_kind_name(e->kind));
        /* PluginInfo omits "version" when it is undefined. */
        if (info != NULL && e->version != NULL && strcmp(e->version, "undefined") != 0)
            json_object_set_new(info, "version", json_string(e->version));
        if (info == NULL || json_array_append_new(list, info) != 0) {
            json_decref(list);
            list = NULL;
        }
    }
    if (list == NULL) {
        herder_reply_error(r, 500, "Out of memory listing plugins");
        return;
    }
    herder_reply_json(r, 200, list);
}

void rest_h_plugin_config(rest_request *req, herder_reply *r)
{
    const char *name = req->seg[1];
    char buf[256];
    const plugin_entry *e = registry_find_any(name);
    if (e == NULL) {
        herder_reply_error(r, 404, "Unknown plugin %s.", rest_clip(name, buf, sizeof(buf)));
        return;
    }
    /* The plugin's own keys first; connectors then get the framework's connector keys they
     * did not define themselves (AbstractHerder.connectorPluginConfig). */
    const sl_config_def *tables[4];
    size_t ntables = 0;
    const sl_config_def *own = NULL;
    switch (e->kind) {
    case PLUGIN_SINK:
    case PLUGIN_SOURCE:
        own = e->def.connector->config;
        break;
    case PLUGIN_TRANSFORM:
        own = e->def.transform->config;
        break;
    case PLUGIN_PREDICATE:
        own = e->def.predicate->config;
        break;
    case PLUGIN_CONVERTER:
    case PLUGIN_HEADER_CONVERTER:
        own = e->def.converter->config;
        break;
    }
    if (own != NULL)
        tables[ntables++] = own;
    if (e->kind == PLUGIN_SINK || e->kind == PLUGIN_SOURCE) {
        const sl_config_def *const *framework = NULL;
        size_t nf = framework_connector_tables(e->def.connector->kind, &framework);
        for (size_t i = 0; i < nf && ntables < sizeof(tables) / sizeof(tables[0]); i++)
            tables[ntables++] = framework[i];
    }
    json_t *list = configinfo_key_list(tables, ntables);
    if (list == NULL) {
        herder_reply_error(r, 500, "Out of memory listing the configuration of %s",
                           rest_clip(e->class_name, buf, sizeof(buf)));
        return;
    }
    herder_reply_json(r, 200, list);
}

/* Connect's ConnectorPluginsResource.normalizedPluginName: drop a trailing "Connector". */
static size_t normalized_len(const char *s)
{
    static const char suffix[] = "Connector";
    size_t len = strlen(s), sl = sizeof(suffix) - 1;
    if (len > sl && strcmp(s + len - sl, suffix) == 0)
        return len - sl;
    return len;
}

void rest_h_validate(rest_request *req, herder_reply *r)
{
    const char *plugin = req->seg[1];
    /* Null values reach the herder, whose validation reports them inside the 200 answer
     * ("Null value can not be supplied as the configuration value."). */
    json_t *config = rest_config_object(req->json, true, "Connector configuration", r);
    if (config == NULL)
        return;
    /* ConnectorPluginsResource.validateConfigs: an included connector.class must end with the
     * plugin name from the URL, both without a "Connector" suffix. A missing one is left to
     * the herder ("... contains no connector type"). */
    const json_t *cls = json_object_get(config, "connector.class");
    if (json_is_string(cls)) {
        const char *c = json_string_value(cls);
        size_t cl = normalized_len(c), pl = normalized_len(plugin);
        if (pl > cl || memcmp(c + cl - pl, plugin, pl) != 0) {
            char a[256], b[256];
            herder_reply_error(r, 400, "Included connector type %s does not match request type %s",
                               rest_clip(c, a, sizeof(a)), rest_clip(plugin, b, sizeof(b)));
            json_decref(config);
            return;
        }
    }
    if (req->herder->ops->validate_config == NULL)
        herder_reply_error(r, 501, "Not implemented by this worker");
    else
        req->herder->ops->validate_config(req->herder, plugin, config, r);
    json_decref(config);
}
