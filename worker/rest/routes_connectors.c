/* rest/routes_connectors.c: handlers for / and /connectors/... (Connect's RootResource and
 * ConnectorsResource): read query flags and bodies, then delegate to the herder. */
#include <string.h>

#include "rest/rest_internal.h"
#include "util/log.h"

/* Call herder operation `op`; a herder that lacks it (NULL) answers 501 rather than crash. */
#define CALL(req, r, op, ...)                                                                      \
    do {                                                                                           \
        if ((req)->herder->ops->op == NULL)                                                        \
            herder_reply_error((r), 501, "Not implemented by this worker");                        \
        else                                                                                       \
            (req)->herder->ops->op((req)->herder, __VA_ARGS__);                                    \
    } while (0)
/* The {c} of /connectors/{c}/... (decoded). */
#define NAME(req) ((req)->seg[1])

void rest_h_server_info(rest_request *req, herder_reply *r)
{
    CALL(req, r, server_info, r);
}

void rest_h_list_connectors(rest_request *req, herder_reply *r)
{
    /* expand is repeatable (?expand=status&expand=info); unknown values are ignored, as
     * Connect does (it logs them). */
    bool expand_status = false, expand_info = false;
    for (size_t i = 0; i < req->nquery; i++) {
        if (strcmp(req->query[i].key, "expand") != 0)
            continue;
        if (strcmp(req->query[i].value, "status") == 0)
            expand_status = true;
        else if (strcmp(req->query[i].value, "info") == 0)
            expand_info = true;
        else {
            char buf[64];
            LOG_DEBUG("rest", "Ignoring unknown expansion type %s",
                      rest_clip(req->query[i].value, buf, sizeof(buf)));
        }
    }
    CALL(req, r, list_connectors, expand_status, expand_info, r);
}

void rest_h_create_connector(rest_request *req, herder_reply *r)
{
    rest_create_request create;
    if (rest_create_request_parse(req->json, &create, r) != SL_OK)
        return;
    /* config.name against name is the herder's check for POST (it also fills it in). */
    CALL(req, r, create_connector, create.name, create.config, create.initial_state, r);
    rest_create_request_fini(&create);
}

void rest_h_get_connector(rest_request *req, herder_reply *r)
{
    CALL(req, r, get_connector, NAME(req), r);
}

void rest_h_get_config(rest_request *req, herder_reply *r)
{
    CALL(req, r, get_connector_config, NAME(req), r);
}

void rest_h_put_config(rest_request *req, herder_reply *r)
{
    json_t *config = rest_config_object(req->json, false, "Connector configuration", r);
    if (config == NULL)
        return;
    /* ConnectorsResource.checkAndPutConnectorConfigName: a config.name must equal the name in
     * the URL; a missing one is filled in from it. */
    const json_t *included = json_object_get(config, "name");
    if (json_is_string(included) && strcmp(json_string_value(included), NAME(req)) != 0) {
        char a[256], b[256];
        herder_reply_error(r, 400,
                           "Connector name configuration (%s) doesn't match connector name in "
                           "the URL (%s)",
                           rest_clip(json_string_value(included), a, sizeof(a)),
                           rest_clip(NAME(req), b, sizeof(b)));
        json_decref(config);
        return;
    }
    if (included == NULL && json_object_set_new(config, "name", json_string(NAME(req))) != 0) {
        herder_reply_error(r, 500, "Out of memory");
        json_decref(config);
        return;
    }
    CALL(req, r, put_connector_config, NAME(req), config, r);
    json_decref(config);
}

void rest_h_patch_config(rest_request *req, herder_reply *r)
{
    /* null values delete keys in a patch, so they are kept. */
    json_t *patch = rest_config_object(req->json, true, "Connector configuration patch", r);
    if (patch == NULL)
        return;
    CALL(req, r, patch_connector_config, NAME(req), patch, r);
    json_decref(patch);
}

void rest_h_get_status(rest_request *req, herder_reply *r)
{
    CALL(req, r, get_connector_status, NAME(req), r);
}

void rest_h_get_tasks(rest_request *req, herder_reply *r)
{
    CALL(req, r, get_connector_tasks, NAME(req), r);
}

void rest_h_get_task_status(rest_request *req, herder_reply *r)
{
    CALL(req, r, get_task_status, NAME(req), req->task, r);
}

void rest_h_restart_connector(rest_request *req, herder_reply *r)
{
    bool include_tasks = rest_query_bool(req, "includeTasks", false);
    bool only_failed = rest_query_bool(req, "onlyFailed", false);
    CALL(req, r, restart_connector, NAME(req), include_tasks, only_failed, r);
}

void rest_h_restart_task(rest_request *req, herder_reply *r)
{
    CALL(req, r, restart_task, NAME(req), req->task, r);
}

void rest_h_pause(rest_request *req, herder_reply *r)
{
    CALL(req, r, pause_connector, NAME(req), r);
}

void rest_h_resume(rest_request *req, herder_reply *r)
{
    CALL(req, r, resume_connector, NAME(req), r);
}

void rest_h_stop(rest_request *req, herder_reply *r)
{
    CALL(req, r, stop_connector, NAME(req), r);
}

void rest_h_delete(rest_request *req, herder_reply *r)
{
    CALL(req, r, delete_connector, NAME(req), r);
}
