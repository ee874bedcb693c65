/* rest/rest_internal.h: what the REST files share with each other and with the unit tests:
 * listener parsing, the transport-free request, path/query decoding, body checks, routing. */
#ifndef SLUICE_REST_INTERNAL_H
#define SLUICE_REST_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "herder/herder.h"

/* ---- listeners (listener.c) ---- */

typedef enum rest_scheme {
    REST_SCHEME_HTTP = 0,
    REST_SCHEME_HTTPS,
} rest_scheme;

/* One entry of `listeners`, as Connect's pattern "<protocol>://[host]:<port>". */
typedef struct rest_listener {
    rest_scheme scheme;
    char host[256]; /* "" = all interfaces; IPv6 literals without brackets */
    int port;       /* 0..65535; 0 = any free port */
} rest_listener;

/* Parse one listener (surrounding blanks ignored). SL_OK, or SL_ERR with errstr naming it.
 * https is parsed (scheme set) so that callers can reject it with their own message. */
int rest_listener_parse(const char *text, rest_listener *out, char *errstr, size_t errstr_size);

/* Parse a comma-separated list into out[0..max-1]; returns the count (>= 1), or -1 with
 * errstr naming the bad entry (an empty list is an error too). */
int rest_listeners_parse(const char *list, rest_listener *out, size_t max, char *errstr,
                         size_t errstr_size);

/* ---- decoding (request.c) ---- */

/* Percent-decode `len` bytes of `s` into a new NUL-terminated string (caller frees). When
 * `plus_is_space` (query strings), '+' becomes ' '. Returns NULL for a malformed escape, a
 * decoded NUL byte, invalid UTF-8, or out of memory. */
char *rest_url_decode(const char *s, size_t len, bool plus_is_space);

/* True if `len` bytes at `s` are well-formed UTF-8 (no overlongs, surrogates or values past
 * U+10FFFF). On false, *bad_offset (may be NULL) receives the offset of the first bad byte. */
bool rest_utf8_valid(const char *s, size_t len, size_t *bad_offset);

/* `s` itself if shorter than `size` bytes, else its first bytes cut at a UTF-8 character
 * boundary plus "..." written into buf[size] (returned). For names in error messages. */
const char *rest_clip(const char *s, char *buf, size_t size);

/* ---- the request, independent of the HTTP library ---- */

#define REST_MAX_SEGMENTS 8

typedef struct rest_query_param {
    char *key;   /* decoded */
    char *value; /* decoded; "" when the parameter has no '=' */
} rest_query_param;

/* What a listener serves (rest_request.serve): Connect's regular resources, the admin
 * resources (/admin/...), or both (admin.listeners unset). */
#define REST_SERVE_API 1u
#define REST_SERVE_ADMIN 2u
#define REST_SERVE_ALL (REST_SERVE_API | REST_SERVE_ADMIN)

typedef struct rest_request {
    /* Set by the transport (borrowed for the request). */
    const char *method;       /* "GET", "PUT", ...; HEAD is routed as GET */
    herder *herder;           /* NULL while the worker starts */
    unsigned serve;           /* REST_SERVE_*: set to REST_SERVE_ALL by rest_request_init */
    const char *content_type; /* NULL if absent */
    const char *body;         /* NULL or body_len bytes (not NUL-terminated) */
    size_t body_len;
    /* Filled by rest_request_parse_target (owned; freed by rest_request_fini). */
    char *seg[REST_MAX_SEGMENTS]; /* decoded path segments */
    size_t nseg;
    rest_query_param *query;
    size_t nquery;
    /* Filled by the router for its handler. */
    int task;        /* the {n} of .../tasks/{n}/... */
    json_t *json;    /* parsed body for routes that take one (owned; freed by fini) */
    char allow[128]; /* the Allow header of a 405 or an OPTIONS answer, "" otherwise */
} rest_request;

/* Zero a request (serving every kind of route). */
void rest_request_init(rest_request *req);
/* Free what parse_target and the router stored (not the borrowed transport fields). */
void rest_request_fini(rest_request *req);

/* Split a raw request target "/a/b%20c?x=1&y" into decoded segments and query parameters.
 * A single trailing slash is ignored (Jersey matches "/connectors/" as "/connectors").
 * Returns 0; 404 if the path cannot name a resource (empty segment, too many segments, a
 * decoded NUL); 400 for a malformed escape or invalid UTF-8. On error `r` holds the reply. */
int rest_request_parse_target(rest_request *req, const char *target, herder_reply *r);

/* The first value of query parameter `key` (borrowed, as Jersey binds it), or NULL if absent. */
const char *rest_query_get(const rest_request *req, const char *key);

/* Jersey's boolean query parameter: absent -> `def`; else true iff "true" in any case
 * (Boolean.valueOf: "yes" or "1" are false). */
bool rest_query_bool(const rest_request *req, const char *key, bool def);

/* ---- body checks (body.c); each fills `r` with a 4xx on failure ---- */

/* True if `content_type` is application/json (any case, parameters such as charset ignored). */
bool rest_content_type_is_json(const char *content_type);

/* Parse the body as JSON (any top-level value). Rejects an empty body, invalid UTF-8 and
 * parse errors with 400 naming the line and column. Returns the value (caller owns it) or
 * NULL with `r` set. */
json_t *rest_body_parse(const char *body, size_t len, herder_reply *r);
/* Jackson-style name of a JSON value's type for error messages ("an object", "a string",
 * "null", ...); static string. Any thread. */
const char *rest_json_type_name(const json_t *v);

/* Check a connector config map the way Connect's Jackson mapping to Map<String,String> reads
 * it, but answer 400 instead of 500: `in` must be an object; strings stay, numbers and
 * booleans become their JSON text (Jackson coerces scalars to String), objects and arrays are
 * 400 naming the key, null is kept when `allow_null` and else 400 naming the key. `what`
 * names the value in messages ("Connector configuration"). Returns a new object of strings
 * (and nulls) that the caller owns, or NULL with `r` set. `in` is borrowed. */
json_t *rest_config_object(const json_t *in, bool allow_null, const char *what, herder_reply *r);

/* CreateConnectorRequest {"name","config","initial_state"} (reference §1.5), checked. */
typedef struct rest_create_request {
    char *name;          /* trimmed as Java's String.trim; "" when absent (owned) */
    json_t *config;      /* object of strings (owned) */
    char *initial_state; /* "RUNNING", "PAUSED" or "STOPPED"; NULL when absent (owned) */
} rest_create_request;

/* Fill `out` from a parsed body (borrowed). SL_OK, or SL_ERR with a 400 in `r` (and `out`
 * left empty). Free with rest_create_request_fini. */
int rest_create_request_parse(const json_t *body, rest_create_request *out, herder_reply *r);
void rest_create_request_fini(rest_create_request *req);

/* ---- routing (router.c) ---- */

/* Route the request and run its handler, which fills `r`: 404 for an unknown path, a
 * non-integer task id or a route this listener does not serve (req->serve), 405 (and
 * req->allow) for a known path with another method, 200 with an empty body and req->allow for
 * OPTIONS on a known path (Jersey's automatic OPTIONS), 415 for a body that is not JSON on a
 * route that takes one, 503 when the route needs a herder and there is none yet. Runs on a
 * server thread; handlers call the herder synchronously. */
void rest_route(rest_request *req, herder_reply *r);

/* Route flags, as rest_routes_each reports them. */
#define REST_ROUTE_NEEDS_HERDER 1u /* delegates to the herder: 503 while there is none */
#define REST_ROUTE_TAKES_BODY 2u   /* consumes a JSON body (Connect's @Consumes(APPLICATION_JSON)) \
                                    */
#define REST_ROUTE_ADMIN 4u        /* an admin resource: only on listeners serving admin */
#define REST_ROUTE_INTERNAL 8u     /* inter-worker (KIP-507 signed) */

/* Call fn for every route of the table in order: method ("GET"...), OpenAPI path template
 * ("/connectors/{connector}/tasks/{task}/status"; "{task}" matches an int) and REST_ROUTE_*
 * flags. Strings are static. For the OpenAPI document's test. */
void rest_routes_each(void (*fn)(const char *method, const char *path, unsigned flags,
                                 void *opaque),
                      void *opaque);

/* The OpenAPI 3 document (docs/openapi.json embedded at build time): NUL-terminated text of
 * rest_openapi_len() bytes, static. */
const char *rest_openapi_text(void);
size_t rest_openapi_len(void);

/* Answer a 409 for a rebalance with Retry-After: this many seconds (a rebalance of a small
 * cluster completes within a few heartbeats). */
#define REST_REBALANCE_RETRY_AFTER_S 2

/* Handlers (routes_*.c). req->seg, req->task and req->json are set by the router; the herder
 * is non-NULL when the route needs one. */
typedef void (*rest_handler)(rest_request *req, herder_reply *r);

void rest_h_server_info(rest_request *req, herder_reply *r);
void rest_h_list_connectors(rest_request *req, herder_reply *r);
void rest_h_create_connector(rest_request *req, herder_reply *r);
void rest_h_get_connector(rest_request *req, herder_reply *r);
void rest_h_get_config(rest_request *req, herder_reply *r);
void rest_h_put_config(rest_request *req, herder_reply *r);
void rest_h_patch_config(rest_request *req, herder_reply *r);
void rest_h_get_status(rest_request *req, herder_reply *r);
void rest_h_get_tasks(rest_request *req, herder_reply *r);
void rest_h_get_task_status(rest_request *req, herder_reply *r);
void rest_h_restart_connector(rest_request *req, herder_reply *r);
void rest_h_restart_task(rest_request *req, herder_reply *r);
void rest_h_pause(rest_request *req, herder_reply *r);
void rest_h_resume(rest_request *req, herder_reply *r);
void rest_h_stop(rest_request *req, herder_reply *r);
void rest_h_delete(rest_request *req, herder_reply *r);
void rest_h_list_plugins(rest_request *req, herder_reply *r);
void rest_h_plugin_config(rest_request *req, herder_reply *r);
void rest_h_validate(rest_request *req, herder_reply *r);
/* routes_offsets.c: offsets, topics, task configs (GET tasks-config, internal POST tasks). */
void rest_h_get_offsets(rest_request *req, herder_reply *r);
void rest_h_alter_offsets(rest_request *req, herder_reply *r);
void rest_h_reset_offsets(rest_request *req, herder_reply *r);
void rest_h_get_topics(rest_request *req, herder_reply *r);
void rest_h_reset_topics(rest_request *req, herder_reply *r);
void rest_h_tasks_config(rest_request *req, herder_reply *r);
void rest_h_put_task_configs(rest_request *req, herder_reply *r);
/* routes_admin.c: health, loggers, the OpenAPI document. */
void rest_h_health(rest_request *req, herder_reply *r);
void rest_h_list_loggers(rest_request *req, herder_reply *r);
void rest_h_get_logger(rest_request *req, herder_reply *r);
void rest_h_set_logger(rest_request *req, herder_reply *r);
void rest_h_openapi(rest_request *req, herder_reply *r);

/* Shape checks of request bodies Connect maps with Jackson (routes_offsets.c), each filling
 * `r` with a 400 on failure. `body` borrowed. */
/* PATCH /connectors/{c}/offsets: an object whose "offsets" is a non-empty array of objects
 * with a "partition" object and an "offset" object or null. */
bool rest_offsets_body_ok(const json_t *body, herder_reply *r);
/* POST /connectors/{c}/tasks: an array of objects of strings (scalars coerced as Jackson
 * does). Returns a new array the caller owns, or NULL with `r` set. */
json_t *rest_task_configs_body(const json_t *body, herder_reply *r);

#endif
