/* runtime/subconfig.c: prefixed sub-configurations and their parsing with one plugin table,
 * turning the config engine's collected errors into one errstr for a task's trace. */
#include "runtime/subconfig.h"

#include <stdio.h>
#include <string.h>

#include "config/configdef.h"

sl_props *subconfig_with_prefix(const sl_props *raw, const char *prefix)
{
    sl_props *sub = config_props_with_prefix(raw, prefix, true);
    if (sub != NULL && sl_props_has(sub, ""))
        sl_props_remove(sub, "");
    return sub;
}

int subconfig_parse(const sl_config_def *defs, const sl_props *raw, const char *what,
                    sl_config **out, char *errstr, size_t errstr_size)
{
    return subconfig_parse_validated(defs, NULL, raw, what, out, errstr, errstr_size);
}

int subconfig_parse_validated(const sl_config_def *defs, void (*validate)(sl_validation *),
                              const sl_props *raw, const char *what, sl_config **out,
                              char *errstr, size_t errstr_size)
{
    *out = NULL;
    static const sl_config_def k_empty[] = {SL_CONFIG_END};
    const sl_config_def *tables[1] = {defs ? defs : k_empty};
    config_result *res = NULL;
    sl_config *c = config_parse(tables, 1, raw, &res);
    if (c == NULL) {
        config_result_free(res);
        snprintf(errstr, errstr_size, "%s: out of memory parsing the configuration", what);
        return SL_ERR;
    }
    /* The plugin's cross-field checks run only once every key parsed, as Connect does. */
    if (validate && res && config_result_error_count(res) == 0)
        config_run_validate(res, c, validate);
    size_t nerr = res ? config_result_error_count(res) : 0;
    if (nerr > 0) {
        const char *key = NULL, *msg = NULL;
        config_result_error_at(res, 0, &key, &msg);
        if (nerr > 1)
            snprintf(errstr, errstr_size, "%s: %s (and %zu more error%s)", what,
                     msg ? msg : "invalid configuration", nerr - 1, nerr > 2 ? "s" : "");
        else
            snprintf(errstr, errstr_size, "%s: %s", what, msg ? msg : "invalid configuration");
        config_result_free(res);
        config_free(c);
        return SL_ERR;
    }
    config_result_free(res);
    *out = c;
    return SL_OK;
}

void subconfig_free(sl_config *c)
{
    config_free(c);
}
