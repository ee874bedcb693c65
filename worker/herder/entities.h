/* herder/entities.h: JSON forms of Connect's REST entities built from herder state
 * (ConnectorInfo, TaskInfo), and conversions between config maps and JSON objects. */
#ifndef SLUICE_HERDER_ENTITIES_H
#define SLUICE_HERDER_ENTITIES_H

#include <jansson.h>
#include <sluice/sdk.h>

/* JSON object of strings from props (null values become JSON null). Caller owns it. */
json_t *entities_props_to_json(const sl_props *p);
/* Props from a JSON object; string values are copied, null values stored as null, other
 * types converted to their JSON text. Caller owns the result. */
sl_props *entities_props_from_json(const json_t *obj);
/* True if both maps hold the same keys and values (order ignored). */
bool entities_props_equal(const sl_props *a, const sl_props *b);

/* "source", "sink" or "unknown" for a config's connector.class. */
const char *entities_connector_type(const sl_props *config);

/* ConnectorInfo {"name","config","tasks":[{"connector","task"}],"type"}. Caller owns it. */
json_t *entities_connector_info(const char *name, const sl_props *config, int ntasks);
/* [TaskInfo {"id":{"connector","task"},"config":{...}}]. Caller owns it. */
json_t *entities_task_infos(const char *name, sl_props *const *tasks, int ntasks);

#endif
