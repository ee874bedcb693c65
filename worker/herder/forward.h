/* herder/forward.h: forwarding a REST request to another worker (the leader or a task's owner)
 * as Connect's HerderRequestHandler does (reference §1.3), with libcurl. */
#ifndef SLUICE_HERDER_FORWARD_H
#define SLUICE_HERDER_FORWARD_H

#include <stdbool.h>
#include <stddef.h>

#include "herder/herder.h"

/* The HTTP request being served on the calling thread, as the REST server received it. The
 * server sets it around each request (forward_ctx_set) so that a herder can forward the very
 * same request. All pointers are borrowed from the server for the request's duration. */
typedef struct forward_ctx {
    const char *method; /* "POST", ... */
    const char *target; /* raw request target: "/connectors/x/restart?includeTasks=true" */
    const char *body;   /* NULL or body_len bytes */
    size_t body_len;
    const char *forward;       /* the `forward` query parameter, NULL when absent */
    const char *authorization; /* the Authorization header, NULL when absent */
    const char *signature;     /* X-Connect-Authorization, NULL when absent */
    const char *signature_alg; /* X-Connect-Request-Signature-Algorithm, NULL when absent */
} forward_ctx;

/* Make `ctx` (borrowed; NULL clears) the current request of the calling thread. The REST server
 * calls it before routing and clears it after. Thread-local: no locking. */
void forward_ctx_set(const forward_ctx *ctx);
/* The calling thread's current request, or NULL outside a REST request. */
const forward_ctx *forward_ctx_get(void);

/* The 409 messages of reference §1.3 (static strings). */
#define FORWARD_MSG_CONFLICT                                                                       \
    "Cannot complete request because of a conflicting operation (e.g. worker rebalance)"
#define FORWARD_MSG_NO_LEADER                                                                      \
    "Cannot complete request momentarily due to no known leader URL, likely because a "            \
    "rebalance was underway."
#define FORWARD_MSG_STALE                                                                          \
    "Cannot complete request momentarily due to stale configuration (typically caused by a "       \
    "concurrent config change)"

/* Connect's RequestTargetException handling for the calling thread's current request:
 *   - `target_url` NULL or "": 409 FORWARD_MSG_NO_LEADER;
 *   - the request carried forward=false (or there is no current request): 409
 *     FORWARD_MSG_CONFLICT;
 *   - otherwise forward the request to `target_url` (an advertised URL such as
 *     "http://host:8083/") with forward=true (first hop) or forward=false (second hop), copying
 *     only the Authorization header, and put the remote answer into `r`: a remote status >= 400
 *     keeps its status and error body, 204 is an empty reply, other 2xx keep status, body and
 *     Location, anything else is 500 "Unexpected status code when handling forwarded request:
 *     N"; I/O failures are 500 "IO Error trying to forward REST request: ...".
 * The body is forwarded byte for byte with the Authorization header and, when the request
 * carried them, the KIP-507 signature headers (X-Connect-Authorization and
 * X-Connect-Request-Signature-Algorithm: the signature covers those same bytes). https targets
 * use the TLS settings of forward_set_tls.
 * Blocking (up to 90 s, Connect's request timeout): call from a REST thread, never from the
 * herder thread. `target_url` borrowed. */
void forward_request(const char *target_url, herder_reply *r);

/* TLS for forwarding to https:// workers (Connect's RestClient uses the worker's
 * listeners.https./ssl.* settings). All PEM text; NULL fields mean: no CA bundle (the system's
 * CAs are trusted), no client certificate. */
typedef struct forward_tls {
    const char *ca_pem;   /* CA certificates trusted for the other worker's certificate */
    const char *cert_pem; /* this worker's certificate chain, presented when asked for one */
    const char *key_pem;  /* its unencrypted private key */
    bool verify_host;     /* check the certificate names the host (endpoint identification) */
} forward_tls;

/* Use `tls` (copied; NULL restores the defaults: system CAs, host names verified, no client
 * certificate) for requests forwarded from now on. Requests already under way keep what they
 * started with. Any thread. SL_OK, or SL_ERR on out of memory (the previous setting stays). */
int forward_set_tls(const forward_tls *tls);

/* Build the URL forward_request would call: `base` (trailing '/' ignored) + the target's path +
 * its query without any `forward` parameter + "forward=<forward_value>". Caller frees; NULL on
 * out of memory. Pure function (exposed for tests). */
char *forward_build_url(const char *base, const char *target, const char *forward_value);

#endif
