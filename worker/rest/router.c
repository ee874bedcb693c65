/* rest/router.c: the route table (Connect's resource paths, reference §1.4) and dispatch:
 * path matching, 404/405/415, body parsing for routes that take one, herder presence. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rest/rest_internal.h"

#define NEEDS_HERDER 1u /* delegates to the herder: 503 while there is none */
#define TAKES_BODY 2u   /* consumes a JSON body (Connect's @Consumes(APPLICATION_JSON)) */

typedef struct rest_route_def {
    const char *method;
    /* Segments separated by '/': a literal, '*' (any segment, e.g. a connector name) or '#'
     * (an int, Jersey's int @PathParam: anything else is 404). "" is the root. */
    const char *pattern;
    unsigned flags;
    rest_handler fn;
} rest_route_def;

static const rest_route_def routes[] = {
    {"GET", "", NEEDS_HERDER, rest_h_server_info},
    {"GET", "connectors", NEEDS_HERDER, rest_h_list_connectors},
    {"POST", "connectors", NEEDS_HERDER | TAKES_BODY, rest_h_create_connector},
    {"GET", "connectors/*", NEEDS_HERDER, rest_h_get_connector},
    {"DELETE", "connectors/*", NEEDS_HERDER, rest_h_delete},
    {"GET", "connectors/*/config", NEEDS_HERDER, rest_h_get_config},
    {"PUT", "connectors/*/config", NEEDS_HERDER | TAKES_BODY, rest_h_put_config},
    {"PATCH", "connectors/*/config", NEEDS_HERDER | TAKES_BODY, rest_h_patch_config},
    {"GET", "connectors/*/status", NEEDS_HERDER, rest_h_get_status},
    {"GET", "connectors/*/tasks", NEEDS_HERDER, rest_h_get_tasks},
    {"GET", "connectors/*/tasks/#/status", NEEDS_HERDER, rest_h_get_task_status},
    {"POST", "connectors/*/restart", NEEDS_HERDER, rest_h_restart_connector},
    {"POST", "connectors/*/tasks/#/restart", NEEDS_HERDER, rest_h_restart_task},
    {"PUT", "connectors/*/pause", NEEDS_HERDER, rest_h_pause},
    {"PUT", "connectors/*/resume", NEEDS_HERDER, rest_h_resume},
    {"PUT", "connectors/*/stop", NEEDS_HERDER, rest_h_stop},
    /* Served from the plugin registry, which needs no herder. */
    {"GET", "connector-plugins", 0, rest_h_list_plugins},
    {"GET", "connector-plugins/*/config", 0, rest_h_plugin_config},
    {"PUT", "connector-plugins/*/config/validate", NEEDS_HERDER | TAKES_BODY, rest_h_validate},
};

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

/* Does the request path match `pattern`? Sets *task for a '#' segment. */
static bool path_matches(const rest_request *req, const char *pattern, int *task)
{
    size_t i = 0;
    const char *p = pattern;
    while (*p != '\0') {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (i == req->nseg)
            return false;
        const char *seg = req->seg[i];
        if (len == 1 && *p == '*') {
            /* any segment */
        } else if (len == 1 && *p == '#') {
            if (!parse_int(seg, task))
                return false;
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
    if (strstr(req->allow, method) != NULL)
        return;
    snprintf(req->allow + used, sizeof(req->allow) - used, "%s%s", used ? ", " : "", method);
}

void rest_route(rest_request *req, herder_reply *r)
{
    /* Jersey answers HEAD with the GET resource (the transport drops the body). */
    const char *method = strcmp(req->method, "HEAD") == 0 ? "GET" : req->method;
    const rest_route_def *route = NULL;
    bool path_known = false;
    req->allow[0] = '\0';
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        int task = 0;
        if (!path_matches(req, routes[i].pattern, &task))
            continue;
        path_known = true;
        add_allow(req, routes[i].method);
        if (route == NULL && strcmp(routes[i].method, method) == 0) {
            route = &routes[i];
            req->task = task;
        }
    }
    if (route == NULL) {
        if (path_known) {
            herder_reply_error(r, 405, "HTTP 405 Method Not Allowed");
        } else {
            req->allow[0] = '\0';
            herder_reply_error(r, 404, "HTTP 404 Not Found");
        }
        return;
    }
    req->allow[0] = '\0';

    if (route->flags & TAKES_BODY) {
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
    if ((route->flags & NEEDS_HERDER) && req->herder == NULL) {
        herder_reply_error(r, 503, "Worker is starting up and cannot handle requests yet");
        return;
    }
    route->fn(req, r);
}
