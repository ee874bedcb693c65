/* rest/routes_admin.c: GET /health (Connect's RootResource.healthCheck), /admin/loggers
 * (LoggingResource) over the worker's named loggers, and the OpenAPI document. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rest/rest_internal.h"
#include "util/log.h"

void rest_h_health(rest_request *req, herder_reply *r)
{
    if (req->herder == NULL) {
        /* The worker has not created its herder yet: Connect's "starting" WorkerStatus. */
        herder_reply_json(r, 503,
                          json_pack("{s:s,s:s}", "status", "starting", "message",
                                    "Worker is still starting up."));
        return;
    }
    if (req->herder->ops->health == NULL)
        herder_reply_error(r, 501, "Not implemented by this worker");
    else
        req->herder->ops->health(req->herder, r);
}

/* LoggerLevel {"level":"INFO","last_modified":null} */
static json_t *logger_level_json(const log_logger_level *l)
{
    return json_pack("{s:s,s:o}", "level", log_threshold_name(l->level), "last_modified",
                     l->last_modified < 0 ? json_null() : json_integer(l->last_modified));
}

void rest_h_list_loggers(rest_request *req, herder_reply *r)
{
    (void)req;
    log_logger_level *v = NULL;
    size_t n = 0;
    if (log_loggers_list(&v, &n) != SL_OK) {
        herder_reply_error(r, 500, "Out of memory listing loggers");
        return;
    }
    json_t *out = json_object();
    for (size_t i = 0; out != NULL && i < n; i++)
        json_object_set_new(out, v[i].name, logger_level_json(&v[i]));
    log_loggers_free(v, n);
    herder_reply_json(r, 200, out);
}

void rest_h_get_logger(rest_request *req, herder_reply *r)
{
    const char *name = req->seg[2];
    log_logger_level l;
    char buf[256];
    if (log_logger_get(name, &l) != SL_OK) {
        herder_reply_error(r, 404, "Logger %s not found.", rest_clip(name, buf, sizeof(buf)));
        return;
    }
    herder_reply_json(r, 200, logger_level_json(&l));
    free(l.name);
}

void rest_h_set_logger(rest_request *req, herder_reply *r)
{
    const char *name = req->seg[2];
    char buf[256];
    /* The body maps to Map<String,String>: scalars are coerced, null kept (as "not given"). */
    json_t *body = rest_config_object(req->json, true, "Logger level request", r);
    if (body == NULL)
        return;
    const char *level_s = json_string_value(json_object_get(body, "level"));
    if (level_s == NULL) {
        herder_reply_error(r, 400, "Desired 'level' parameter was not specified in request.");
        json_decref(body);
        return;
    }
    int level = log_threshold_parse(level_s);
    if (level < 0) {
        /* Connect answers an unknown level with NotFoundException: 404, not 400. */
        herder_reply_error(r, 404, "invalid log level '%s'.", rest_clip(level_s, buf, sizeof(buf)));
        json_decref(body);
        return;
    }
    json_decref(body);
    const char *scope = rest_query_get(req, "scope");
    if (scope != NULL && strcasecmp(scope, "cluster") == 0) {
        if (req->herder == NULL) {
            herder_reply_error(r, 503, "Worker is starting up and cannot handle requests yet");
        } else if (req->herder->ops->set_cluster_logger_level == NULL) {
            herder_reply_error(r, 501, "Not implemented by this worker");
        } else {
            req->herder->ops->set_cluster_logger_level(req->herder, name, log_threshold_name(level),
                                                       r);
        }
        return;
    }
    if (scope != NULL && strcasecmp(scope, "worker") != 0)
        LOG_WARN("rest",
                 "Received invalid scope '%s' in request to adjust logging level; will default "
                 "to worker",
                 rest_clip(scope, buf, sizeof(buf)));
    char **names = NULL;
    size_t n = 0;
    char err[256];
    if (log_logger_set(name, level, &names, &n, err, sizeof(err)) != SL_OK) {
        herder_reply_error(r, 400, "%s", err);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; list != NULL && i < n; i++)
        json_array_append_new(list, json_string(names[i]));
    log_names_free(names, n);
    herder_reply_json(r, 200, list);
}

void rest_h_openapi(rest_request *req, herder_reply *r)
{
    (void)req;
    json_error_t err;
    /* Parsed per request: serving one shared json_t from several threads would need jansson's
     * reference counts and encoder to be thread-safe on the same value. */
    json_t *doc = json_loadb(rest_openapi_text(), rest_openapi_len(), 0, &err);
    if (doc == NULL) {
        herder_reply_error(r, 500, "The embedded OpenAPI document is invalid: %s (line %d)",
                           err.text, err.line);
        return;
    }
    herder_reply_json(r, 200, doc);
}
