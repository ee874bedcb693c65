/* herder/entities.c: Connect's ConnectorInfo / TaskInfo JSON shapes (rest/entities) and the
 * props <-> JSON object conversions shared by the herders. */
#include "herder/entities.h"

#include <stdlib.h>
#include <string.h>

#include "plugin/registry.h"

json_t *entities_props_to_json(const sl_props *p)
{
    json_t *o = json_object();
    for (size_t i = 0; p && i < sl_props_count(p); i++) {
        const char *v = sl_props_value_at(p, i);
        json_object_set_new(o, sl_props_key_at(p, i), v ? json_string(v) : json_null());
    }
    return o;
}

sl_props *entities_props_from_json(const json_t *obj)
{
    sl_props *p = sl_props_new();
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        if (json_is_string(v)) {
            sl_props_set(p, key, json_string_value(v));
        } else if (json_is_null(v)) {
            sl_props_set(p, key, NULL);
        } else {
            char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
            sl_props_set(p, key, text);
            free(text);
        }
    }
    return p;
}

bool entities_props_equal(const sl_props *a, const sl_props *b)
{
    if (sl_props_count(a) != sl_props_count(b))
        return false;
    for (size_t i = 0; i < sl_props_count(a); i++) {
        const char *k = sl_props_key_at(a, i), *va = sl_props_value_at(a, i);
        if (!sl_props_has(b, k))
            return false;
        const char *vb = sl_props_get(b, k);
        if ((va == NULL) != (vb == NULL) || (va && strcmp(va, vb) != 0))
            return false;
    }
    return true;
}

const char *entities_connector_type(const sl_props *config)
{
    const char *cls = config ? sl_props_get(config, "connector.class") : NULL;
    const sl_connector_def *def = cls ? registry_find_connector(cls) : NULL;
    if (def == NULL)
        return "unknown";
    return def->kind == SL_CONNECTOR_SOURCE ? "source" : "sink";
}

json_t *entities_connector_info(const char *name, const sl_props *config, int ntasks)
{
    json_t *tasks = json_array();
    for (int i = 0; i < ntasks; i++)
        json_array_append_new(tasks, json_pack("{s:s,s:i}", "connector", name, "task", i));
    return json_pack("{s:s,s:o,s:o,s:s}", "name", name, "config", entities_props_to_json(config),
                     "tasks", tasks, "type", entities_connector_type(config));
}

json_t *entities_task_infos(const char *name, sl_props *const *tasks, int ntasks)
{
    json_t *arr = json_array();
    for (int i = 0; i < ntasks; i++)
        json_array_append_new(arr, json_pack("{s:{s:s,s:i},s:o}", "id", "connector", name,
                                             "task", i, "config",
                                             entities_props_to_json(tasks[i])));
    return arr;
}
