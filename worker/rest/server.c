/* rest/server.c: the libmicrohttpd side of a request: per-request state, early refusals
 * (credentials, oversized URI, headers or body), routing, and the response with its headers
 * (CORS, Retry-After, configured rules); the access log and MHD's error log. */
#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "herder/forward.h"
#include "rest/server_internal.h"
#include "util/log.h"

/* Bytes past the body limit read (and dropped) before giving up on a chunked upload. */
#define REST_DISCARD_SLACK (16u * 1024u * 1024u)

/* One HTTP request, created by the URI log callback (the first thing MHD calls) and freed in
 * the completion callback. */
typedef struct conn_state {
    rest_endpoint *ep;
    char *target; /* the raw request target, query included */
    struct timespec start;
    bool started; /* the access handler has seen the headers */
    /* A refusal decided before the body was read (reject_status != 0): the body is read and
     * dropped, then the refusal is sent if it could not be queued at once. */
    int reject_status;
    char reject_msg[128];
    size_t discarded;
    char *body;
    size_t len, cap;
    int status; /* sent status, 0 if none was sent */
    char method[16];
    rest_request req;   /* the target, parsed when the headers arrive */
    herder_reply early; /* the reply when the target does not parse */
    int parse_rc;
} conn_state;

/* ---- MHD callbacks ---- */

void rest_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    /* What a misbehaving or departing client causes is logged at DEBUG (the access log already
     * shows the request); anything else (bind failures, thread creation) at WARN. */
    static const char *const client_caused[] = {"Error processing request",
                                                "Failed to parse",
                                                "Failed to receive",
                                                "Socket disconnected",
                                                "Connection reset",
                                                "Closing connection",
                                                "Application reported internal error",
                                                "Received malformed",
                                                "Header line",
                                                "Failed to send",
                                                "Error: received handshake message out of context",
                                                "Error: TLS",
                                                "Failed to perform TLS handshake",
                                                NULL};
    char buf[512];
    vsnprintf(buf, sizeof(buf), fmt, ap);
    size_t n = strlen(buf);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    sl_log_level level = SL_LOG_WARN;
    for (size_t i = 0; client_caused[i] != NULL; i++)
        if (strncmp(buf, client_caused[i], strlen(client_caused[i])) == 0)
            level = SL_LOG_DEBUG;
    wlog(level, "rest", "HTTP server: %s", buf);
}

/* Keep the request target raw: the router splits the path on '/' before decoding each
 * segment, so that a "%2F" in a connector name is not taken for a separator. */
size_t rest_mhd_no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return strlen(s);
}

void *rest_mhd_uri_log(void *cls, const char *uri, struct MHD_Connection *con)
{
    (void)con;
    conn_state *st = calloc(1, sizeof(*st));
    if (st == NULL)
        return NULL;
    st->ep = cls;
    st->target = strdup(uri ? uri : "");
    clock_gettime(CLOCK_MONOTONIC, &st->start);
    if (st->target == NULL) {
        free(st);
        return NULL;
    }
    rest_request_init(&st->req);
    herder_reply_init(&st->early);
    return st;
}

/* GnuTLS's verify callback for ssl.client.auth=requested: no certificate is fine, a presented
 * one must chain to the trust store (nonzero fails the handshake). */
static int verify_if_presented(gnutls_session_t s)
{
    unsigned n = 0;
    if (gnutls_certificate_get_peers(s, &n) == NULL || n == 0)
        return 0;
    unsigned status = 0;
    if (gnutls_certificate_verify_peers2(s, &status) != GNUTLS_E_SUCCESS || status != 0) {
        LOG_DEBUG("rest", "Refused a client certificate that the trust store does not verify");
        return GNUTLS_E_CERTIFICATE_ERROR;
    }
    return 0;
}

void rest_mhd_notify_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                                enum MHD_ConnectionNotificationCode code)
{
    (void)socket_context;
    const rest_endpoint *ep = cls;
    if (code != MHD_CONNECTION_NOTIFY_STARTED || ep->client_auth == REST_CLIENT_AUTH_NONE)
        return;
    /* MHD only asks for a certificate (GNUTLS_CERT_REQUEST) when given a trust store and leaves
     * checking it to the application. Before the handshake runs, make GnuTLS demand one
     * (ssl.client.auth=required, Jetty's needClientAuth) and verify whatever is presented
     * against the trust store, so a bad certificate fails the handshake as in Java. */
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (ci == NULL || ci->tls_session == NULL)
        return;
    gnutls_session_t s = (gnutls_session_t)ci->tls_session;
    if (ep->client_auth == REST_CLIENT_AUTH_REQUIRED) {
        gnutls_certificate_server_set_request(s, GNUTLS_CERT_REQUIRE);
        gnutls_session_set_verify_cert(s, NULL, 0);
    } else {
        /* requested (wantClientAuth): GnuTLS's automatic check would also refuse a client
         * without a certificate, so check only what is presented. */
        gnutls_certificate_server_set_request(s, GNUTLS_CERT_REQUEST);
        gnutls_session_set_verify_function(s, verify_if_presented);
    }
}

/* The target as it goes to the log: clipped, with control and non-ASCII bytes escaped so a
 * hostile URL cannot forge log lines. */
static void log_safe(const char *in, char *out, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p && o + 4 < size; p++) {
        if (*p < 0x21 || *p >= 0x7F || *p == '"') {
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        } else {
            out[o++] = (char)*p;
        }
    }
    out[o] = '\0';
}

void rest_mhd_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                        enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    conn_state *st = *con_cls;
    if (st == NULL)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long ms = (long)((now.tv_sec - st->start.tv_sec) * 1000 +
                     (now.tv_nsec - st->start.tv_nsec) / 1000000);
    char client[INET6_ADDRSTRLEN] = "-";
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci != NULL && ci->client_addr != NULL) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, client, sizeof(client));
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, client,
                      sizeof(client));
    }
    char target[400];
    log_safe(st->target, target, sizeof(target));
    char method[sizeof(st->method) * 3 + 1];
    log_safe(st->method[0] ? st->method : "-", method, sizeof(method));
    if (st->status != 0 && toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
        LOG_INFO("rest", "%s \"%s %s\" %d %ld ms", client, method, target, st->status, ms);
    else
        LOG_INFO("rest", "%s \"%s %s\" %d %ld ms (connection closed: %s)", client, method, target,
                 st->status, ms,
                 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK      ? "ok"
                 : toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? "timeout"
                 : toe == MHD_REQUEST_TERMINATED_CLIENT_ABORT    ? "client abort"
                 : toe == MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN ? "shutdown"
                                                                 : "error");
    rest_request_fini(&st->req);
    herder_reply_fini(&st->early);
    free(st->target);
    free(st->body);
    free(st);
    *con_cls = NULL;
}

/* ---- responses ---- */

/* Is `r` one of the 409s a rebalance causes (reference §1.3)? */
static bool rebalance_conflict(const herder_reply *r)
{
    if (r->status != 409)
        return false;
    const char *msg = json_string_value(json_object_get(r->body, "message"));
    return msg != NULL &&
           (strcmp(msg, FORWARD_MSG_CONFLICT) == 0 || strcmp(msg, FORWARD_MSG_NO_LEADER) == 0 ||
            strcmp(msg, FORWARD_MSG_STALE) == 0);
}

static const char *header(struct MHD_Connection *conn, const char *name)
{
    return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

/* Every header of the response but those MHD adds (Date, Content-Length, Connection). */
static int response_headers(conn_state *st, struct MHD_Connection *conn, const herder_reply *r,
                            int status, const char *allow, rest_headers *h)
{
    const rest_server *srv = st->ep->srv;
    int rc = rest_headers_put(h, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json", true);
    if (rc == SL_OK && r->location[0] != '\0')
        rc = rest_headers_put(h, MHD_HTTP_HEADER_LOCATION, r->location, true);
    if (rc == SL_OK && allow != NULL && allow[0] != '\0')
        rc = rest_headers_put(h, MHD_HTTP_HEADER_ALLOW, allow, true);
    if (rc == SL_OK && status == 401)
        rc = rest_headers_put(h, MHD_HTTP_HEADER_WWW_AUTHENTICATE, REST_AUTH_CHALLENGE, true);
    if (rc == SL_OK && rebalance_conflict(r)) {
        char secs[16];
        snprintf(secs, sizeof(secs), "%d", REST_REBALANCE_RETRY_AFTER_S);
        rc = rest_headers_put(h, MHD_HTTP_HEADER_RETRY_AFTER, secs, true);
    }
    /* CrossOriginFilter runs before Jersey: errors (401 included) carry CORS headers too. */
    if (rc == SL_OK && srv->cors != NULL)
        rc = rest_cors_headers(srv->cors, st->method, header(conn, "Origin"),
                               header(conn, "Access-Control-Request-Method"),
                               header(conn, "Access-Control-Request-Headers"), h);
    if (rc == SL_OK && srv->nrules > 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        rc = rest_header_rules_apply(srv->rules, srv->nrules,
                                     (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, h);
    }
    return rc;
}

/* Send `r` as JSON. Every response carries Content-Type: application/json. */
static enum MHD_Result send_reply(conn_state *st, struct MHD_Connection *conn, herder_reply *r,
                                  const char *allow)
{
    int status = r->status;
    if (status < 100 || status > 599)
        status = 500;
    char *text = NULL;
    if (r->body != NULL) {
        text = json_dumps(r->body, JSON_COMPACT | JSON_ENCODE_ANY);
        if (text == NULL) {
            /* Only strings that are not UTF-8 fail to encode: a herder bug, not the client's. */
            LOG_ERROR("rest", "Cannot encode the response body as JSON (status %d)", status);
            status = 500;
        }
    }
    if (text == NULL && status >= 400) {
        /* An error must carry Connect's error body even if the herder gave none. */
        json_t *err = json_pack("{s:i,s:s}", "error_code", status, "message",
                                status == 500 ? "Internal server error" : "Request failed");
        text = err ? json_dumps(err, JSON_COMPACT) : NULL;
        json_decref(err);
    }
    rest_headers h = {0};
    if (response_headers(st, conn, r, status, allow, &h) != SL_OK) {
        rest_headers_fini(&h);
        free(text);
        return MHD_NO;
    }
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(text ? strlen(text) : 0, text ? text : (char *)"",
                                        text ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (resp == NULL) {
        rest_headers_fini(&h);
        free(text);
        return MHD_NO;
    }
    for (size_t i = 0; i < h.n; i++) {
        /* MHD refuses values with CR/LF and headers it manages itself: a rule naming one is
         * skipped rather than failing the response. */
        if (MHD_add_response_header(resp, h.v[i].name, h.v[i].value) != MHD_YES)
            LOG_DEBUG("rest", "Response header %s not added", h.v[i].name);
    }
    rest_headers_fini(&h);
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    if (ret == MHD_YES)
        st->status = status;
    return ret;
}

static enum MHD_Result send_error(conn_state *st, struct MHD_Connection *conn, int status,
                                  const char *msg)
{
    herder_reply r;
    herder_reply_init(&r);
    herder_reply_error(&r, status, "%s", msg);
    enum MHD_Result ret = send_reply(st, conn, &r, NULL);
    herder_reply_fini(&r);
    return ret;
}

/* Refuse the request: queue the answer now when `now` (the headers' call: MHD can answer before
 * reading a body), else remember it for after the body has been dropped. */
static enum MHD_Result reject(conn_state *st, struct MHD_Connection *conn, int status,
                              const char *msg, bool now)
{
    st->reject_status = status;
    snprintf(st->reject_msg, sizeof(st->reject_msg), "%s", msg);
    return now ? send_error(st, conn, status, msg) : MHD_YES;
}

static enum MHD_Result dispatch(conn_state *st, struct MHD_Connection *conn)
{
    rest_request *req = &st->req;
    herder_reply r;
    herder_reply_init(&r);
    req->herder = __atomic_load_n(&st->ep->srv->herder, __ATOMIC_ACQUIRE);
    req->content_type = header(conn, MHD_HTTP_HEADER_CONTENT_TYPE);
    req->body = st->body;
    req->body_len = st->len;
    if (st->parse_rc == 0) {
        /* The distributed herder forwards this very request to the leader or owner, and checks
         * the signature of internal requests. */
        forward_ctx fc = {
            .method = st->method,
            .target = st->target,
            .body = st->body,
            .body_len = st->len,
            .forward = rest_query_get(req, "forward"),
            .authorization = header(conn, MHD_HTTP_HEADER_AUTHORIZATION),
            .signature = header(conn, "X-Connect-Authorization"),
            .signature_alg = header(conn, "X-Connect-Request-Signature-Algorithm"),
        };
        forward_ctx_set(&fc);
        rest_route(req, &r);
        forward_ctx_set(NULL);
    } else {
        herder_reply_json(&r, st->early.status, json_incref(st->early.body));
    }
    enum MHD_Result ret = send_reply(st, conn, &r, req->allow);
    herder_reply_fini(&r);
    return ret;
}

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    (void)kind;
    size_t *sum = cls;
    *sum += strlen(key) + (value ? strlen(value) : 0) + 4;
    return MHD_YES;
}

/* The headers have arrived: refuse what can be refused before reading a body. */
static enum MHD_Result on_headers(conn_state *st, struct MHD_Connection *conn, const char *method)
{
    const rest_server *srv = st->ep->srv;
    snprintf(st->method, sizeof(st->method), "%s", method);
    st->req.method = st->method;
    st->req.serve = st->ep->serve;
    st->parse_rc = rest_request_parse_target(&st->req, st->target, &st->early);
    /* Jetty's limits, answered in Connect's JSON shape (MHD answers what it cannot hold). */
    if (strlen(st->target) > REST_MAX_URI_BYTES)
        return reject(st, conn, 414, "URI Too Long", true);
    size_t header_bytes = 0;
    MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header, &header_bytes);
    if (header_bytes > REST_MAX_HEADER_BYTES)
        return reject(st, conn, 431, "Request Header Fields Too Large", true);
    if (srv->auth != NULL) {
        bool preflight =
            rest_cors_is_preflight(method, header(conn, "Access-Control-Request-Method"));
        bool exempt =
            st->parse_rc == 0 && rest_auth_exempt(st->method, st->req.seg, st->req.nseg, preflight);
        if (!exempt && !rest_auth_check(srv->auth, header(conn, MHD_HTTP_HEADER_AUTHORIZATION))) {
            /* DEBUG, as Connect: mistyped credentials should not flood the log. */
            LOG_DEBUG("rest", "Request failed authentication");
            return reject(st, conn, 401, REST_AUTH_FAILED_MSG, true);
        }
    }
    /* Refuse a declared oversized body before reading it (and before MHD sends
     * "100 Continue"). */
    const char *cl = header(conn, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl != NULL && strtoull(cl, NULL, 10) > srv->max_body) {
        char msg[128];
        snprintf(msg, sizeof(msg), "Request body is larger than the limit of %zu bytes",
                 srv->max_body);
        return reject(st, conn, 413, msg, true);
    }
    return MHD_YES;
}

enum MHD_Result rest_mhd_access(void *cls, struct MHD_Connection *conn, const char *url,
                                const char *method, const char *version, const char *upload_data,
                                size_t *upload_data_size, void **con_cls)
{
    (void)cls;
    (void)url;
    (void)version;
    conn_state *st = *con_cls;
    if (st == NULL)
        return MHD_NO; /* out of memory in the URI log callback: drop the connection */
    size_t max_body = st->ep->srv->max_body;
    if (!st->started) {
        st->started = true;
        return on_headers(st, conn, method);
    }
    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (st->reject_status != 0) {
            /* MHD 0.9.75 cannot queue a response while a body is being received, so a body
             * after a refusal is read and dropped, then answered. A client that keeps sending
             * long after that loses the connection instead. */
            st->discarded += n;
            return st->discarded > max_body + REST_DISCARD_SLACK ? MHD_NO : MHD_YES;
        }
        if (n > max_body - st->len) {
            st->discarded = st->len + n;
            free(st->body);
            st->body = NULL;
            st->len = st->cap = 0;
            char msg[128];
            snprintf(msg, sizeof(msg), "Request body is larger than the limit of %zu bytes",
                     max_body);
            return reject(st, conn, 413, msg, false);
        }
        if (st->len + n > st->cap) {
            size_t cap = st->cap ? st->cap : 4096;
            while (cap < st->len + n)
                cap *= 2;
            if (cap > max_body)
                cap = max_body;
            char *b = realloc(st->body, cap);
            if (b == NULL)
                return MHD_NO;
            st->body = b;
            st->cap = cap;
        }
        memcpy(st->body + st->len, upload_data, n);
        st->len += n;
        return MHD_YES;
    }
    if (st->reject_status != 0)
        return st->status ? MHD_YES : send_error(st, conn, st->reject_status, st->reject_msg);
    return dispatch(st, conn);
}
