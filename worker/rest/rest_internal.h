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

typedef struct rest_request {
    /* Set by the transport (borrowed for the request). */
    const char *method;       /* "GET", "PUT", ...; HEAD is routed as GET */
    herder *herder;           /* NULL while the worker starts */
    const char *content_type; /* NULL if absent */
    const char *body;         /* NULL or body_len bytes (not NUL-terminated) */
    size_t body_len;
    /* Filled by rest_request_parse_target (owned; freed by rest_request_fini). */
    char *seg[REST_MAX_SEGMENTS]; /* decoded path segments */
    size_t nseg;
    rest_query_param *query;
    size_t nquery;
    /* Filled by the router for its handler. */
    int task;       /* the {n} of .../tasks/{n}/... */
    json_t *json;   /* parsed body for routes that take one (owned; freed by fini) */
    char allow[64]; /* the Allow header of a 405, "" otherwise */
} rest_request;

/* Zero a request. */
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

/* Route the request and run its handler, which fills `r`: 404 for an unknown path or a
 * non-integer task id, 405 (and req->allow) for a known path with another method, 415 for a
 * body that is not JSON on a route that takes one, 503 when the route needs a herder and
 * there is none yet. Runs on a server thread; handlers call the herder synchronously. */
void rest_route(rest_request *req, herder_reply *r);

/* Handlers (routes_connectors.c, routes_plugins.c). req->seg, req->task and req->json are
 * set by the router; the herder is non-NULL when the route needs one. */
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

#endif
