/* runtime/subconfig.h: prefixed sub-configurations (transforms.<a>.*, value.converter.*) and
 * parsing them with a plugin's definition table through the config engine. */
#ifndef SLUICE_RUNTIME_SUBCONFIG_H
#define SLUICE_RUNTIME_SUBCONFIG_H

#include <sluice/sdk.h>

/* Every key of `raw` starting with `prefix`, with the prefix stripped (Connect's
 * originalsWithPrefix), in `raw`'s order. Keys equal to the prefix itself are skipped. Caller
 * owns the result (sl_props_destroy); NULL when out of memory. Any thread. */
sl_props *subconfig_with_prefix(const sl_props *raw, const char *prefix);

/* Parse `raw` with `defs` (may be NULL: no definitions, every key kept as an original).
 * On SL_OK *out is a config the caller frees with subconfig_free. On invalid values returns
 * SL_ERR with errstr "<what>: <first error>[ (and N more)]" and *out NULL. `raw` is borrowed.
 * Any thread. */
int subconfig_parse(const sl_config_def *defs, const sl_props *raw, const char *what,
                    sl_config **out, char *errstr, size_t errstr_size);
/* As subconfig_parse, then the plugin's cross-field `validate` (may be NULL) when every key
 * parsed; its errors fail the parse the same way. */
int subconfig_parse_validated(const sl_config_def *defs, void (*validate)(sl_validation *),
                              const sl_props *raw, const char *what, sl_config **out,
                              char *errstr, size_t errstr_size);
void subconfig_free(sl_config *c);

#endif
