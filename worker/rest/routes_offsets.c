/* rest/routes_offsets.c: handlers for a connector's offsets (KIP-875), active topics (KIP-558)
 * and task configs (the deprecated GET tasks-config, the internal POST tasks of KIP-507). */
#include <stdio.h>
#include <string.h>

#include "rest/rest_internal.h"

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

bool rest_offsets_body_ok(const json_t *body, herder_reply *r)
{
    if (!json_is_object(body)) {
        herder_reply_error(r, 400,
                           "Request body must be a JSON object {\"offsets\":[{\"partition\":{...},"
                           "\"offset\":{...}}]}, not %s",
                           rest_json_type_name(body));
        return false;
    }
    const json_t *offsets = json_object_get(body, "offsets");
    if (offsets != NULL && !json_is_null(offsets) && !json_is_array(offsets)) {
        herder_reply_error(r, 400, "'offsets' must be a JSON array, not %s", rest_json_type_name(offsets));
        return false;
    }
    /* ConnectorsResource.alterConnectorOffsets checks this before the herder runs. */
    if (json_array_size(offsets) == 0) {
        herder_reply_error(r, 400,
                           "Partitions / offsets need to be provided for an alter offsets request");
        return false;
    }
    size_t i;
    const json_t *e;
    json_array_foreach(offsets, i, e)
    {
        if (!json_is_object(e)) {
            herder_reply_error(r, 400,
                               "Element %zu of 'offsets' must be a JSON object "
                               "{\"partition\":{...},\"offset\":{...}}, not %s",
                               i, rest_json_type_name(e));
            return false;
        }
        static const char *const keys[] = {"partition", "offset"};
        for (size_t k = 0; k < 2; k++) {
            const json_t *v = json_object_get(e, keys[k]);
            if (v != NULL && !json_is_null(v) && !json_is_object(v)) {
                herder_reply_error(r, 400,
                                   "'%s' of element %zu of 'offsets' must be a JSON object or "
                                   "null, not %s",
                                   keys[k], i, rest_json_type_name(v));
                return false;
            }
        }
    }
    return true;
}

json_t *rest_task_configs_body(const json_t *body, herder_reply *r)
{
    if (!json_is_array(body)) {
        herder_reply_error(r, 400, "Task configurations must be a JSON array of objects, not %s",
                           rest_json_type_name(body));
        return NULL;
    }
    json_t *out = json_array();
    size_t i;
    const json_t *e;
    json_array_foreach(body, i, e)
    {
        json_t *cfg = rest_config_object(e, false, "Task configuration", r);
        if (cfg == NULL || json_array_append_new(out, cfg) != 0) {
            if (cfg != NULL)
                herder_reply_error(r, 500, "Out of memory");
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

void rest_h_get_offsets(rest_request *req, herder_reply *r)
{
    CALL(req, r, get_offsets, NAME(req), r);
}

void rest_h_alter_offsets(rest_request *req, herder_reply *r)
{
    if (!rest_offsets_body_ok(req->json, r))
        return;
    CALL(req, r, alter_offsets, NAME(req), req->json, r);
}

void rest_h_reset_offsets(rest_request *req, herder_reply *r)
{
    CALL(req, r, alter_offsets, NAME(req), NULL, r);
}

void rest_h_get_topics(rest_request *req, herder_reply *r)
{
    CALL(req, r, get_topics, NAME(req), r);
}

void rest_h_reset_topics(rest_request *req, herder_reply *r)
{
    CALL(req, r, reset_topics, NAME(req), r);
}

void rest_h_tasks_config(rest_request *req, herder_reply *r)
{
    /* The deprecated GET /connectors/{c}/tasks-config: the task list reshaped into
     * {"<c>-<n>": {config}} (ConnectorTaskId.toString() keys). */
    CALL(req, r, get_connector_tasks, NAME(req), r);
    if (r->status != 200 || !json_is_array(r->body))
        return;
    json_t *map = json_object();
    size_t i;
    json_t *t;
    json_array_foreach(r->body, i, t)
    {
        json_t *id = json_object_get(t, "id");
        const char *conn = json_string_value(json_object_get(id, "connector"));
        json_t *task = json_object_get(id, "task");
        json_t *config = json_object_get(t, "config");
        if (conn == NULL || !json_is_integer(task) || !json_is_object(config))
            continue;
        char key[1024];
        snprintf(key, sizeof(key), "%s-%" JSON_INTEGER_FORMAT, conn, json_integer_value(task));
        json_object_set(map, key, config);
    }
    herder_reply_json(r, 200, map);
}

void rest_h_put_task_configs(rest_request *req, herder_reply *r)
{
    json_t *configs = rest_task_configs_body(req->json, r);
    if (configs == NULL)
        return;
    /* The signature headers reach the herder through forward_ctx_get(). */
    CALL(req, r, put_task_configs, NAME(req), configs, r);
    json_decref(configs);
}
