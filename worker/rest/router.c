/* rest/router.c: the route table (Connect's resource paths, reference §1.4) and dispatch:
 * path matching, 404/405/415, automatic OPTIONS, body parsing, herder presence. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rest/rest_internal.h"

#define H REST_ROUTE_NEEDS_HERDER
#define B REST_ROUTE_TAKES_BODY
#define ADMIN REST_ROUTE_ADMIN
#define INTERNAL REST_ROUTE_INTERNAL

typedef struct rest_route_def {
    const char *method;
    /* An OpenAPI path template: literal segments, "{task}" (an int, Jersey's int @PathParam:
     * anything else is 404) and other "{name}" (any one segment). "/" is the root. */
    const char *path;
    unsigned flags;
    rest_handler fn;
} rest_route_def;

static const rest_route_def routes[] = {
    {"GET", "/", H, rest_h_server_info},
    /* /health answers 503 "starting" itself while there is no herder. */
    {"GET", "/health", 0, rest_h_health},
    {"GET", "/openapi.json", 0, rest_h_openapi},
    {"GET", "/connectors", H, rest_h_list_connectors},
    {"POST", "/connectors", H | B, rest_h_create_connector},
    {"GET", "/connectors/{connector}", H, rest_h_get_connector},
    {"DELETE", "/connectors/{connector}", H, rest_h_delete},
    {"GET", "/connectors/{connector}/config", H, rest_h_get_config},
    {"PUT", "/connectors/{connector}/config", H | B, rest_h_put_config},
    {"PATCH", "/connectors/{connector}/config", H | B, rest_h_patch_config},
    {"GET", "/connectors/{connector}/status", H, rest_h_get_status},
    {"GET", "/connectors/{connector}/tasks", H, rest_h_get_tasks},
    {"POST", "/connectors/{connector}/tasks", H | B | INTERNAL, rest_h_put_task_configs},
    {"GET", "/connectors/{connector}/tasks-config", H, rest_h_tasks_config},
    {"GET", "/connectors/{connector}/tasks/{task}/status", H, rest_h_get_task_status},
    {"POST", "/connectors/{connector}/restart", H, rest_h_restart_connector},
    {"POST", "/connectors/{connector}/tasks/{task}/restart", H, rest_h_restart_task},
    {"PUT", "/connectors/{connector}/pause", H, rest_h_pause},
    {"PUT", "/connectors/{connector}/resume", H, rest_h_resume},
    {"PUT", "/connectors/{connector}/stop", H, rest_h_stop},
    {"GET", "/connectors/{connector}/topics", H, rest_h_get_topics},
    {"PUT", "/connectors/{connector}/topics/reset", H, rest_h_reset_topics},
    {"GET", "/connectors/{connector}/offsets", H, rest_h_get_offsets},
    {"PATCH", "/connectors/{connector}/offsets", H | B, rest_h_alter_offsets},
    {"DELETE", "/connectors/{connector}/offsets", H, rest_h_reset_offsets},
    /* Served from the plugin registry, which needs no herder. */
    {"GET", "/connector-plugins", 0, rest_h_list_plugins},
    {"GET", "/connector-plugins/{plugin}/config", 0, rest_h_plugin_config},
    {"PUT", "/connector-plugins/{plugin}/config/validate", H | B, rest_h_validate},
    /* LoggingResource: the herder only for scope=cluster, which the handler checks. */
    {"GET", "/admin/loggers", ADMIN, rest_h_list_loggers},
    {"GET", "/admin/loggers/{logger}", ADMIN, rest_h_get_logger},
    {"PUT", "/admin/loggers/{logger}", ADMIN | B, rest_h_set_logger},
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

void rest_routes_each(void (*fn)(const char *method, const char *path, unsigned flags,
                                 void *opaque),
                      void *opaque)
{
    for (size_t i = 0; i < NROUTES; i++)
        fn(routes[i].method, routes[i].path, routes[i].flags, opaque);
}

/* Java's Integer.parseInt: optional sign, decimal digits, int range. */
static bool parse_int(const char *s, int *out)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    if (*p < '0' || *p > '9')
        return false;
    for (const char *q = p; *q; q++)
        if (*q < '0' || *q > '9')
            return false;
    errno = 0;
    long v = strtol(s, NULL, 10);
    if (errno == ERANGE || v < INT_MIN || v > INT_MAX)
        return false;
    *out = (int)v;
    return true;
}

/* Does the request path match the template? Sets *task for a "{task}" segment. */
static bool path_matches(const rest_request *req, const char *path, int *task)
{
    size_t i = 0;
    const char *p = path + 1; /* after the leading '/' */
    while (*p != '\0') {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (i == req->nseg)
            return false;
        const char *seg = req->seg[i];
        if (len == 6 && memcmp(p, "{task}", 6) == 0) {
            if (!parse_int(seg, task))
                return false;
        } else if (len >= 2 && p[0] == '{' && p[len - 1] == '}') {
            /* any segment */
        } else if (strlen(seg) != len || memcmp(seg, p, len) != 0) {
            return false;
        }
        i++;
        p += len + (slash ? 1 : 0);
    }
    return i == req->nseg;
}

static void add_allow(rest_request *req, const char *method)
{
    size_t used = strlen(req->allow);
    /* Whole-word check: "PUT" must not be taken for present inside another name. */
    for (const char *p = req->allow; (p = strstr(p, method)) != NULL; p++) {
        size_t ml = strlen(method);
        if ((p == req->allow || p[-1] == ' ') && (p[ml] == ',' || p[ml] == '\0'))
            return;
    }
    snprintf(req->allow + used, sizeof(req->allow) - used, "%s%s", used ? ", " : "", method);
}

static bool served(const rest_request *req, const rest_route_def *route)
{
    unsigned need = (route->flags & ADMIN) ? REST_SERVE_ADMIN : REST_SERVE_API;
    return (req->serve & need) != 0;
}

void rest_route(rest_request *req, herder_reply *r)
{
    /* Jersey answers HEAD with the GET resource (the transport drops the body). */
    const char *method = strcmp(req->method, "HEAD") == 0 ? "GET" : req->method;
    const rest_route_def *route = NULL;
    bool path_known = false, has_get = false;
    req->allow[0] = '\0';
    for (size_t i = 0; i < NROUTES; i++) {
        int task = 0;
        if (!served(req, &routes[i]) || !path_matches(req, routes[i].path, &task))
            continue;
        path_known = true;
        add_allow(req, routes[i].method);
        has_get = has_get || strcmp(routes[i].method, "GET") == 0;
        if (route == NULL && strcmp(routes[i].method, method) == 0) {
            route = &routes[i];
            req->task = task;
        }
    }
    if (route == NULL) {
        if (path_known && strcmp(method, "OPTIONS") == 0) {
            /* Jersey's automatic OPTIONS: 200 with the methods in Allow. */
            if (has_get)
                add_allow(req, "HEAD");
            add_allow(req, "OPTIONS");
            herder_reply_json(r, 200, NULL);
        } else if (path_known) {
            herder_reply_error(r, 405, "HTTP 405 Method Not Allowed");
        } else {
            req->allow[0] = '\0';
            herder_reply_error(r, 404, "HTTP 404 Not Found");
        }
        return;
    }
    req->allow[0] = '\0';

    if (route->flags & B) {
        /* Jersey refuses a body of another media type with 415 before the resource runs. A
         * route without a body ignores Content-Type (more lenient than Connect, which would
         * 415 e.g. `curl -d '' -X POST .../restart`). */
        bool json = rest_content_type_is_json(req->content_type);
        if (!json && (req->content_type != NULL || req->body_len > 0)) {
            herder_reply_error(r, 415, "HTTP 415 Unsupported Media Type");
            return;
        }
        req->json = rest_body_parse(req->body, req->body_len, r);
        if (req->json == NULL)
            return;
    }
    if ((route->flags & H) && req->herder == NULL) {
        herder_reply_error(r, 503, "Worker is starting up and cannot handle requests yet");
        return;
    }
    route->fn(req, r);
}
