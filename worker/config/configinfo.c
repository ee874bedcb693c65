/* config/configinfo.c: the ConfigInfos JSON of PUT /connector-plugins/{p}/config/validate and
 * the ConfigKeyInfo list of GET /connector-plugins/{p}/config, with Connect's field names. */
#include "config/configinfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static char *prefixed(const char *prefix, const char *name)
{
    size_t n = strlen(prefix ? prefix : "") + strlen(name) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s", prefix ? prefix : "", name);
    return s;
}

json_t *configinfo_key(const config_key *k, const char *prefix)
{
    const sl_config_def *def = k->def;
    char *name = prefixed(prefix, k->name);
    char *def_str = config_default_string(def);
    json_t *deps = json_array();
    for (const char *const *d = k->dependents; d && *d; d++) {
        char *dn = prefixed(prefix, *d);
        json_array_append_new(deps, str_or_null(dn));
        free(dn);
    }
    /* Field order is Jackson's for ConfigKeyInfo: creator parameters in declaration order. */
    json_t *o = json_object();
    json_object_set_new(o, "name", str_or_null(name));
    json_object_set_new(o, "type", json_string(config_type_name(def->type)));
    json_object_set_new(o, "required", json_boolean(def->required));
    json_object_set_new(o, "default_value", str_or_null(def_str));
    json_object_set_new(o, "importance", json_string(config_importance_name(def->importance)));
    json_object_set_new(o, "documentation", str_or_null(def->doc));
    json_object_set_new(o, "group", str_or_null(k->group));
    json_object_set_new(o, "order", json_integer(k->order));
    json_object_set_new(o, "width", json_string(config_width_name(def->width)));
    json_object_set_new(o, "display_name",
                        json_string(def->display_name ? def->display_name : def->name));
    json_object_set_new(o, "dependents", deps);
    free(name);
    free(def_str);
    return o;
}

json_t *configinfo_value(const config_result *r, size_t i, const char *prefix)
{
    char *name = prefixed(prefix, config_result_name(r, i));
    json_t *rec = json_array();
    const char *const *vals;
    size_t n = config_result_recommended(r, i, &vals);
    for (size_t j = 0; j < n; j++)
        json_array_append_new(rec, json_string(vals[j]));
    json_t *errs = json_array();
    const char *const *msgs;
    n = config_result_errors(r, i, &msgs);
    for (size_t j = 0; j < n; j++)
        json_array_append_new(errs, json_string(msgs[j]));
    json_t *o = json_object();
    json_object_set_new(o, "name", str_or_null(name));
    json_object_set_new(o, "value", str_or_null(config_result_value(r, i)));
    json_object_set_new(o, "recommended_values", rec);
    json_object_set_new(o, "errors", errs);
    json_object_set_new(o, "visible", json_boolean(config_result_visible(r, i)));
    free(name);
    return o;
}

static json_t *config_info(json_t *definition, json_t *value)
{
    json_t *o = json_object();
    json_object_set_new(o, "definition", definition ? definition : json_null());
    json_object_set_new(o, "value", value ? value : json_null());
    return o;
}

static json_t *infos_new(const char *name, int errors, json_t *groups, json_t *configs)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(name ? name : ""));
    json_object_set_new(o, "error_count", json_integer(errors));
    json_object_set_new(o, "groups", groups);
    json_object_set_new(o, "configs", configs);
    return o;
}

json_t *configinfo_generate(const char *name, const config_schema *s, const config_result *r)
{
    json_t *configs = json_array();
    int errors = 0;
    const char *const *msgs;
    for (size_t i = 0; i < config_result_count(r); i++) {
        if (config_schema_find(s, config_result_name(r, i)) != NULL)
            continue;
        errors += (int)config_result_errors(r, i, &msgs);
        json_array_append_new(configs, config_info(NULL, configinfo_value(r, i, NULL)));
    }
    for (size_t i = 0; i < config_schema_count(s); i++) {
        const config_key *k = config_schema_key(s, i);
        ssize_t vi = config_result_find(r, k->name);
        json_t *value = NULL;
        if (vi >= 0) {
            errors += (int)config_result_errors(r, (size_t)vi, &msgs);
            value = configinfo_value(r, (size_t)vi, NULL);
        }
        json_array_append_new(configs, config_info(configinfo_key(k, NULL), value));
    }
    json_t *groups = json_array();
    for (size_t i = 0; i < config_schema_group_count(s); i++)
        json_array_append_new(groups, json_string(config_schema_group(s, i)));
    return infos_new(name, errors, groups, configs);
}

static void groups_add(json_t *groups, const char *g)
{
    size_t i;
    json_t *v;
    json_array_foreach(groups, i, v) {
        if (strcmp(json_string_value(v), g) == 0)
            return;
    }
    json_array_append_new(groups, json_string(g));
}

json_t *configinfo_prefixed(const config_schema *s, const config_result *r, const char *prefix)
{
    json_t *configs = json_array();
    json_t *groups = json_array();
    int errors = 0;
    for (size_t i = 0; i < config_result_count(r); i++) {
        const config_key *k = config_schema_find(s, config_result_name(r, i));
        json_t *definition = NULL;
        if (k != NULL) {
            if (k->group != NULL)
                groups_add(groups, k->group);
            definition = configinfo_key(k, prefix);
        }
        if (config_result_errors(r, i, NULL) > 0)
            errors++;
        json_array_append_new(configs, config_info(definition, configinfo_value(r, i, prefix)));
    }
    return infos_new("", errors, groups, configs);
}

void configinfo_merge(json_t *into, const json_t *from)
{
    if (into == NULL || from == NULL)
        return;
    json_object_set_new(into, "error_count",
                        json_integer(configinfo_error_count(into) + configinfo_error_count(from)));
    json_t *groups = json_object_get(into, "groups");
    json_t *configs = json_object_get(into, "configs");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(from, "groups"), i, v) {
        if (json_is_string(v))
            groups_add(groups, json_string_value(v));
    }
    json_array_foreach(json_object_get(from, "configs"), i, v) {
        json_array_append(configs, v);
    }
}

int configinfo_error_count(const json_t *infos)
{
    return (int)json_integer_value(json_object_get(infos, "error_count"));
}

json_t *configinfo_key_list(const sl_config_def *const *tables, size_t ntables)
{
    config_schema *s = config_schema_new();
    if (s == NULL)
        return NULL;
    for (size_t i = 0; i < ntables; i++)
        config_schema_add_table(s, tables[i], false);
    json_t *out = json_array();
    for (size_t i = 0; i < config_schema_count(s); i++)
        json_array_append_new(out, configinfo_key(config_schema_key(s, i), NULL));
    config_schema_free(s);
    return out;
}
