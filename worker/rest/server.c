/* rest/server.c: the libmicrohttpd side of the REST API: listeners, per-request state, body
 * accumulation with a size limit, JSON responses, the access log and MHD's error log. */
#include "rest/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "herder/forward.h"
#include "rest/rest_internal.h"
#include "util/log.h"

struct rest_server {
    struct MHD_Daemon *daemons[REST_MAX_LISTENERS];
    size_t ndaemons;
    int port; /* bound port of the first listener */
    char url[320];
    size_t max_body;
    herder *herder; /* read and written with __atomic builtins */
};

/* Bytes past the body limit read (and dropped) before giving up on a chunked upload. */
#define REST_DISCARD_SLACK (16u * 1024u * 1024u)

/* One HTTP request, created by the URI log callback (the first thing MHD calls) and freed in
 * the completion callback. */
typedef struct conn_state {
    rest_server *srv;
    char *target; /* the raw request target, query included */
    struct timespec start;
    bool started;   /* the access handler has seen the headers */
    bool too_large; /* the body passed max_body: the rest is discarded */
    size_t discarded;
    char *body;
    size_t len, cap;
    int status; /* sent status, 0 if none was sent */
    char method[16];
} conn_state;

/* ---- MHD callbacks ---- */

static void mhd_log(void *cls, const char *fmt, va_list ap)
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
static size_t mhd_no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return strlen(s);
}

static void *mhd_uri_log(void *cls, const char *uri, struct MHD_Connection *con)
{
    (void)con;
    conn_state *st = calloc(1, sizeof(*st));
    if (st == NULL)
        return NULL;
    st->srv = cls;
    st->target = strdup(uri ? uri : "");
    clock_gettime(CLOCK_MONOTONIC, &st->start);
    if (st->target == NULL) {
        free(st);
        return NULL;
    }
    return st;
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

static void mhd_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
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
    free(st->target);
    free(st->body);
    free(st);
    *con_cls = NULL;
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
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(text ? strlen(text) : 0, text ? text : (char *)"",
                                        text ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (resp == NULL) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    /* MHD refuses header values with CR/LF itself, so a hostile Location cannot split. */
    if (r->location[0] != '\0')
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r->location);
    if (allow != NULL && allow[0] != '\0')
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
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

static enum MHD_Result send_too_large(conn_state *st, struct MHD_Connection *conn)
{
    char msg[128];
    snprintf(msg, sizeof(msg), "Request body is larger than the limit of %zu bytes",
             st->srv->max_body);
    return send_error(st, conn, 413, msg);
}

static enum MHD_Result dispatch(conn_state *st, struct MHD_Connection *conn)
{
    rest_request req;
    herder_reply r;
    rest_request_init(&req);
    herder_reply_init(&r);
    req.method = st->method;
    req.herder = __atomic_load_n(&st->srv->herder, __ATOMIC_ACQUIRE);
    req.content_type =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    req.body = st->body;
    req.body_len = st->len;
    if (rest_request_parse_target(&req, st->target, &r) == 0) {
        /* The distributed herder forwards this very request to the leader or owner. */
        forward_ctx fc = {
            .method = st->method,
            .target = st->target,
            .body = st->body,
            .body_len = st->len,
            .forward = rest_query_get(&req, "forward"),
            .authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                         MHD_HTTP_HEADER_AUTHORIZATION),
        };
        forward_ctx_set(&fc);
        rest_route(&req, &r);
        forward_ctx_set(NULL);
    }
    enum MHD_Result ret = send_reply(st, conn, &r, req.allow);
    herder_reply_fini(&r);
    rest_request_fini(&req);
    return ret;
}

static enum MHD_Result mhd_access(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)cls;
    (void)url;
    (void)version;
    conn_state *st = *con_cls;
    if (st == NULL)
        return MHD_NO; /* out of memory in the URI log callback: drop the connection */
    if (!st->started) {
        st->started = true;
        snprintf(st->method, sizeof(st->method), "%s", method);
        /* Refuse a declared oversized body before reading it (and before MHD sends
         * "100 Continue"). */
        const char *cl =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl != NULL && strtoull(cl, NULL, 10) > st->srv->max_body) {
            st->too_large = true;
            return send_too_large(st, conn);
        }
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (st->too_large) {
            /* MHD 0.9.75 cannot queue a response while a body is being received, so a chunked
             * body past the limit is read and dropped, then answered with 413. A client that
             * keeps sending long after that loses the connection instead. */
            st->discarded += n;
            return st->discarded > st->srv->max_body + REST_DISCARD_SLACK ? MHD_NO : MHD_YES;
        }
        if (n > st->srv->max_body - st->len) {
            st->too_large = true;
            st->discarded = st->len + n;
            free(st->body);
            st->body = NULL;
            st->len = st->cap = 0;
            return MHD_YES;
        }
        if (st->len + n > st->cap) {
            size_t cap = st->cap ? st->cap : 4096;
            while (cap < st->len + n)
                cap *= 2;
            if (cap > st->srv->max_body)
                cap = st->srv->max_body;
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
    if (st->too_large)
        return st->status ? MHD_YES : send_too_large(st, conn);
    return dispatch(st, conn);
}

/* ---- listeners ---- */

static const char *rest_scheme_name(rest_scheme s)
{
    return s == REST_SCHEME_HTTPS ? "https" : "http";
}

/* Resolve a listener host to a socket address (port set). "localhost" is the IPv4 loopback,
 * as Jetty binds it. */
static int resolve_host(const rest_listener *l, struct sockaddr_storage *ss, socklen_t *sslen,
                        char *errstr, size_t errstr_size)
{
    memset(ss, 0, sizeof(*ss));
    const char *host = strcasecmp(l->host, "localhost") == 0 ? "127.0.0.1" : l->host;
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    char port[8];
    snprintf(port, sizeof(port), "%d", l->port);
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0 || res == NULL) {
        snprintf(errstr, errstr_size, "Cannot resolve listener host '%s': %s", l->host,
                 gai_strerror(rc));
        return SL_ERR;
    }
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *sslen = res->ai_addrlen;
    freeaddrinfo(res);
    return SL_OK;
}

static struct MHD_Daemon *start_daemon(rest_server *s, const rest_listener *l,
                                       const rest_options *o, char *errstr, size_t errstr_size)
{
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_POLL | MHD_USE_ERROR_LOG;
    struct sockaddr_storage ss;
    socklen_t sslen = 0;
    bool any = l->host[0] == '\0';
    if (!any) {
        if (resolve_host(l, &ss, &sslen, errstr, errstr_size) != SL_OK)
            return NULL;
        if (ss.ss_family == AF_INET6)
            flags |= MHD_USE_IPv6;
    } else {
        /* All interfaces, IPv6 and IPv4 on one socket; retried IPv4-only below where the
         * host has no IPv6. */
        flags |= MHD_USE_DUAL_STACK;
    }
    unsigned max_conn = o->max_connections ? o->max_connections : REST_DEFAULT_MAX_CONNECTIONS;
    unsigned idle = o->idle_timeout_s ? o->idle_timeout_s : REST_DEFAULT_IDLE_TIMEOUT_S;
    for (int attempt = 0; attempt < 2; attempt++) {
        struct MHD_OptionItem opts[] = {
            /* MHD wants its logger first, or earlier options log to stderr. */
            {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, NULL},
            {MHD_OPTION_CONNECTION_LIMIT, max_conn, NULL},
            {MHD_OPTION_CONNECTION_TIMEOUT, idle, NULL},
            {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)mhd_completed, NULL},
            {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)mhd_uri_log, s},
            {MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)mhd_no_unescape, NULL},
            {any ? MHD_OPTION_END : MHD_OPTION_SOCK_ADDR, 0, any ? NULL : (void *)&ss},
            {MHD_OPTION_END, 0, NULL},
        };
        struct MHD_Daemon *d = MHD_start_daemon(flags, (uint16_t)l->port, NULL, NULL, mhd_access, s,
                                                MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
        if (d != NULL)
            return d;
        if (!any || attempt == 1)
            break;
        flags &= ~(unsigned)MHD_USE_DUAL_STACK;
    }
    snprintf(errstr, errstr_size,
             "Cannot listen on %s://%s%s%s:%d (address in use or not "
             "available; see the log)",
             rest_scheme_name(l->scheme), strchr(l->host, ':') ? "[" : "", l->host,
             strchr(l->host, ':') ? "]" : "", l->port);
    return NULL;
}

static int bound_port(struct MHD_Daemon *d)
{
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    return di ? (int)di->port : 0;
}

/* Connect without a configured or listener host advertises the machine's address (Jetty's
 * InetAddress.getLocalHost()); fall back to the host name, then to "localhost". */
static void local_address(char *out, size_t size)
{
    char name[256];
    if (gethostname(name, sizeof(name)) != 0) {
        snprintf(out, size, "localhost");
        return;
    }
    name[sizeof(name) - 1] = '\0';
    snprintf(out, size, "%s", name);
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(name, NULL, &hints, &res) == 0 && res != NULL) {
        inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, out, (socklen_t)size);
        freeaddrinfo(res);
    }
}

rest_server *rest_server_start(const char *listeners, herder *h, const rest_options *opts,
                               char *errstr, size_t errstr_size)
{
    rest_options defaults;
    memset(&defaults, 0, sizeof(defaults));
    const rest_options *o = opts ? opts : &defaults;
    rest_listener ls[REST_MAX_LISTENERS];
    int n = rest_listeners_parse(listeners, ls, REST_MAX_LISTENERS, errstr, errstr_size);
    if (n < 0)
        return NULL;
    for (int i = 0; i < n; i++) {
        if (ls[i].scheme == REST_SCHEME_HTTPS) {
            snprintf(errstr, errstr_size,
                     "Listener 'https://%s:%d': https listeners are not supported yet; use http",
                     ls[i].host, ls[i].port);
            return NULL;
        }
    }
    if (o->advertised_listener != NULL && o->advertised_listener[0] != '\0' &&
        strcasecmp(o->advertised_listener, "http") != 0) {
        snprintf(errstr, errstr_size,
                 "rest.advertised.listener '%s' is not supported: only http is available",
                 o->advertised_listener);
        return NULL;
    }

    rest_server *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        snprintf(errstr, errstr_size, "Out of memory");
        return NULL;
    }
    s->max_body = o->max_body_bytes ? o->max_body_bytes : REST_DEFAULT_MAX_BODY;
    __atomic_store_n(&s->herder, h, __ATOMIC_RELEASE);
    for (int i = 0; i < n; i++) {
        struct MHD_Daemon *d = start_daemon(s, &ls[i], o, errstr, errstr_size);
        if (d == NULL) {
            rest_server_stop(s);
            return NULL;
        }
        s->daemons[s->ndaemons++] = d;
        bool v6 = strchr(ls[i].host, ':') != NULL;
        LOG_INFO("rest", "REST server listening on http://%s%s%s:%d", v6 ? "[" : "",
                 ls[i].host[0] ? ls[i].host : "*", v6 ? "]" : "", bound_port(d));
    }
    s->port = bound_port(s->daemons[0]);

    char host[256];
    if (o->advertised_host != NULL && o->advertised_host[0] != '\0')
        snprintf(host, sizeof(host), "%s", o->advertised_host);
    else if (ls[0].host[0] != '\0')
        snprintf(host, sizeof(host), "%s", ls[0].host);
    else
        local_address(host, sizeof(host));
    int port = o->advertised_port > 0 ? o->advertised_port : s->port;
    bool v6 = strchr(host, ':') != NULL;
    snprintf(s->url, sizeof(s->url), "http://%s%s%s:%d/", v6 ? "[" : "", host, v6 ? "]" : "", port);
    LOG_INFO("rest", "Advertised URI: %s", s->url);
    return s;
}

void rest_server_set_herder(rest_server *s, herder *h)
{
    __atomic_store_n(&s->herder, h, __ATOMIC_RELEASE);
}

int rest_server_port(const rest_server *s)
{
    return s->port;
}

const char *rest_server_url(const rest_server *s)
{
    return s->url;
}

void rest_server_stop(rest_server *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->ndaemons; i++)
        MHD_stop_daemon(s->daemons[i]);
    if (s->ndaemons > 0)
        LOG_INFO("rest", "REST server stopped");
    free(s);
}
