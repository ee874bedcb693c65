/* herder/validation.c: turns config/connector_validate results into REST replies with
 * Connect's status codes and messages. */
#include "herder/validation.h"

#include <stdlib.h>

#include "config/configinfo.h"
#include "config/connector_validate.h"
#include "config/providers.h"
#include "herder/entities.h"

bool herder_validate_or_reply(const sl_props *config, herder_reply *r)
{
    json_t *infos = NULL;
    char err[2048] = "";
    /* Config provider variables are resolved first, as Connect's validateConnectorConfig. */
    if (providers_connector_validate(config, NULL, &infos, err, sizeof(err)) != SL_OK) {
        herder_reply_error(r, 400, "%s", err);
        json_decref(infos);
        return false;
    }
    int count = configinfo_error_count(infos);
    if (count > 0) {
        char *msg = connector_validate_message(infos);
        herder_reply_error(r, 400, "%s", msg ? msg : "Connector configuration is invalid");
        free(msg);
    }
    json_decref(infos);
    return count == 0;
}

void herder_validate_config(herder *h, const char *plugin, json_t *config, herder_reply *r)
{
    (void)h;
    sl_props *props = entities_props_from_json(config);
    json_t *infos = NULL;
    char err[2048] = "";
    int rc = providers_connector_validate(props, plugin, &infos, err, sizeof(err));
    if (rc != SL_OK) /* Connect: an unknown class is a 500 here, a bad request a 400 */
        herder_reply_error(r, rc == CONNECTOR_VALIDATE_BAD_REQUEST ? 400 : 500, "%s", err);
    else
        herder_reply_json(r, 200, json_incref(infos));
    json_decref(infos);
    sl_props_destroy(props);
}
