/* config/connector_validate.h: validating a connector config as Connect's
 * AbstractHerder.validateConnectorConfig does (ConfigInfos for PUT .../config/validate and the
 * 400 on create/update), the plugin config listing, and parsing a connector's typed config. */
#ifndef SLUICE_CONFIG_CONNECTOR_VALIDATE_H
#define SLUICE_CONFIG_CONNECTOR_VALIDATE_H

#include <jansson.h>

#include "config/configdef.h"

/* Failures that map to HTTP statuses other than 500 (the REST layer maps them). */
#define CONNECTOR_VALIDATE_BAD_REQUEST (-400) /* no connector.class; type mismatch */
#define CONNECTOR_VALIDATE_NOT_FOUND (-404)   /* unknown plugin (GET .../config) */

/* Validate a raw connector config (borrowed; null values allowed):
 * - `expected_type` (PUT /connector-plugins/{p}/config/validate; NULL otherwise): when
 *   connector.class is given and, with a trailing "Connector" stripped, does not end with
 *   `expected_type` (also stripped), returns CONNECTOR_VALIDATE_BAD_REQUEST with
 *   "Included connector type <x> does not match request type <p>";
 * - no connector.class: CONNECTOR_VALIDATE_BAD_REQUEST with
 *   "Connector config {k=v, ...} contains no connector type";
 * - an unknown class: SL_ERR (HTTP 500) with "Failed to find any class that implements
 *   Connector and which name matches <x>, available connectors are: <a>, <b>".
 * Otherwise the config is checked against the framework keys (common + sink or source), the
 * keys of every transforms/predicates alias (transforms.<a>.type must name a known
 * transformation, whose keys are validated under transforms.<a>. in group "Transforms: <a>";
 * likewise predicates), and the connector's own keys; then the sink rules (exactly one of
 * topics / topics.regex, DLQ topic not consumed), null values, the connector's validate(),
 * any transformation's validate(), and the key/value/header converter classes and their own
 * keys (under key.converter. etc.).
 * Returns SL_OK (also when the config has errors) and sets *configinfos to Connect's
 * ConfigInfos (name = connector.class as given; its "error_count", also given by
 * configinfo_error_count(), is what the 400 message reports); caller owns it (json_decref).
 * `result` is optional: a new config_result with every entry and error (converter keys
 * prefixed), so config_result_error_count(*result) > 0 exactly when the config is invalid;
 * caller frees it. On failure *configinfos (and *result) are NULL.
 * Thread-safe once plugins are loaded: runs plugin validate() callbacks on the calling thread
 * (a REST thread), reads the registry, shares no mutable state. */
int connector_validate(const sl_props *raw, const char *expected_type, json_t **configinfos,
                       config_result **result, char *errstr, size_t errstr_size);

/* Connect's 400 message for a ConfigInfos with errors:
 * "Connector configuration is invalid and contains the following N error(s):\n<err>\n...
 * \nYou can also find the above list of errors at the endpoint
 * `/connector-plugins/{connectorType}/config/validate`" (the braces are literal, as in
 * Connect). NULL when error_count is 0. Caller frees. */
char *connector_validate_message(const json_t *configinfos);

/* GET /connector-plugins/{p}/config: the plugin's ConfigKeyInfo array; for connectors its own
 * keys first, then the framework keys (common + sink or source) it does not define. `plugin`
 * is a full class name or alias. Returns SL_OK with *out (caller owns), or
 * CONNECTOR_VALIDATE_NOT_FOUND with "Unknown plugin <p>." in errstr. Thread-safe. */
int connector_plugin_config(const char *plugin, json_t **out, char *errstr, size_t errstr_size);

/* Parse a connector's typed config for running it: its own keys first (they win), then the
 * framework keys for its kind. Same contract as config_parse (result optional; caller frees
 * the config with config_free). */
sl_config *connector_config_parse(const sl_connector_def *def, const sl_props *raw,
                                  config_result **result);

#endif
