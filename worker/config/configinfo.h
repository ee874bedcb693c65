/* config/configinfo.h: Connect's ConfigInfos / ConfigInfo / ConfigKeyInfo / ConfigValueInfo
 * JSON (reference §1.6), built from schemas and validation results with jansson. */
#ifndef SLUICE_CONFIG_CONFIGINFO_H
#define SLUICE_CONFIG_CONFIGINFO_H

#include <jansson.h>

#include "config/configdef.h"

/* Every function returns a new reference the caller owns (json_decref), or NULL when out of
 * memory. Inputs are borrowed. Thread-safe for distinct outputs (no shared state). */

/* ConfigKeyInfo of a schema key: {"name","type","required","default_value","importance",
 * "documentation","group","order","width","display_name","dependents"}, field order as Connect
 * serializes it. `prefix` (may be NULL) is prepended to the name, as for converter keys. */
json_t *configinfo_key(const config_key *k, const char *prefix);

/* ConfigValueInfo of result entry i: {"name","value","recommended_values","errors","visible"};
 * `prefix` (may be NULL) is prepended to the name. */
json_t *configinfo_value(const config_result *r, size_t i, const char *prefix);

/* ConfigInfos as AbstractHerder.generateResult builds it: {"name": name, "error_count",
 * "groups": the schema's groups, "configs": first every result entry that has no key in the
 * schema (definition null), then every schema key in order with its value (or null)}.
 * error_count counts messages. */
json_t *configinfo_generate(const char *name, const config_schema *s, const config_result *r);

/* ConfigInfos as AbstractHerder.prefixedConfigInfos builds it for a converter's own configs:
 * name "", every result entry with its key (if any) and both names prefixed; error_count
 * counts entries that have errors (as Connect does there). */
json_t *configinfo_prefixed(const config_schema *s, const config_result *r, const char *prefix);

/* mergeConfigInfos: add `from`'s error_count, configs and new groups into `into` (whose name
 * stays). `from` is borrowed; NULL is a no-op. */
void configinfo_merge(json_t *into, const json_t *from);

/* error_count of a ConfigInfos (0 for NULL or a malformed object). */
int configinfo_error_count(const json_t *infos);

/* The array of ConfigKeyInfo for GET /connector-plugins/{p}/config: the keys of `tables` in
 * order, the first definition of a name winning (plugin table first, then framework tables). */
json_t *configinfo_key_list(const sl_config_def *const *tables, size_t ntables);

#endif
