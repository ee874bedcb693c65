/* rest/server_start.c: starting and stopping the REST server: listeners and admin listeners
 * (one libmicrohttpd daemon each), https with key material in memory, the filters configured
 * from the worker settings, the forwarder's TLS, and the advertised URL (RestServer). */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "herder/forward.h"
#include "rest/server_internal.h"
#include "util/log.h"

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

static int bound_port(struct MHD_Daemon *d)
{
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    return di ? (int)di->port : 0;
}

#define OPT(o, v, p) (opts[n++] = (struct MHD_OptionItem){(o), (intptr_t)(v), (void *)(p)})

static int start_daemon(rest_server *s, rest_endpoint *ep, const rest_tls *tls,
                        const rest_options *o, char *errstr, size_t errstr_size)
{
    const rest_listener *l = &ep->listener;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_POLL | MHD_USE_ERROR_LOG;
    struct sockaddr_storage ss;
    socklen_t sslen = 0;
    bool any = l->host[0] == '\0';
    if (!any) {
        if (resolve_host(l, &ss, &sslen, errstr, errstr_size) != SL_OK)
            return SL_ERR;
        if (ss.ss_family == AF_INET6)
            flags |= MHD_USE_IPv6;
    } else {
        /* All interfaces, IPv6 and IPv4 on one socket; retried IPv4-only below where the
         * host has no IPv6. */
        flags |= MHD_USE_DUAL_STACK;
    }
    bool https = l->scheme == REST_SCHEME_HTTPS;
    if (https)
        flags |= MHD_USE_TLS;
    unsigned max_conn = o->max_connections ? o->max_connections : REST_DEFAULT_MAX_CONNECTIONS;
    unsigned idle = o->idle_timeout_s ? o->idle_timeout_s : REST_DEFAULT_IDLE_TIMEOUT_S;
    for (int attempt = 0; attempt < 2; attempt++) {
        struct MHD_OptionItem opts[20];
        size_t n = 0;
        /* MHD wants its logger first, or earlier options log to stderr. */
        OPT(MHD_OPTION_EXTERNAL_LOGGER, rest_mhd_log, NULL);
        OPT(MHD_OPTION_CONNECTION_LIMIT, max_conn, NULL);
        OPT(MHD_OPTION_CONNECTION_TIMEOUT, idle, NULL);
        OPT(MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)REST_CONNECTION_MEMORY, NULL);
        OPT(MHD_OPTION_NOTIFY_COMPLETED, rest_mhd_completed, NULL);
        OPT(MHD_OPTION_URI_LOG_CALLBACK, rest_mhd_uri_log, ep);
        OPT(MHD_OPTION_UNESCAPE_CALLBACK, rest_mhd_no_unescape, NULL);
        if (!any)
            OPT(MHD_OPTION_SOCK_ADDR, 0, &ss);
        if (https) {
            OPT(MHD_OPTION_HTTPS_MEM_KEY, 0, tls->key_pem);
            OPT(MHD_OPTION_HTTPS_MEM_CERT, 0, tls->cert_pem);
            if (tls->priorities != NULL)
                OPT(MHD_OPTION_HTTPS_PRIORITIES, 0, tls->priorities);
            if (tls->client_auth != REST_CLIENT_AUTH_NONE) {
                OPT(MHD_OPTION_HTTPS_MEM_TRUST, 0, tls->trust_pem);
                OPT(MHD_OPTION_NOTIFY_CONNECTION, rest_mhd_notify_connection, ep);
            }
        }
        OPT(MHD_OPTION_END, 0, NULL);
        ep->daemon = MHD_start_daemon(flags, (uint16_t)l->port, NULL, NULL, rest_mhd_access, ep,
                                      MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
        if (ep->daemon != NULL) {
            ep->port = bound_port(ep->daemon);
            if (s->port == 0)
                s->port = ep->port;
            bool v6 = strchr(l->host, ':') != NULL, admin_elsewhere = false;
            for (size_t i = 0; i < s->neps; i++)
                admin_elsewhere = admin_elsewhere || (s->eps[i].serve & REST_SERVE_ADMIN);
            LOG_INFO("rest", "REST server listening on %s://%s%s%s:%d%s",
                     rest_scheme_name(l->scheme), v6 ? "[" : "", l->host[0] ? l->host : "*",
                     v6 ? "]" : "", ep->port,
                     ep->serve == REST_SERVE_ADMIN ? " (admin endpoints only)"
                     : ep->serve == REST_SERVE_ALL ? ""
                     : admin_elsewhere             ? " (admin endpoints elsewhere)"
                                                   : " (admin endpoints disabled)");
            return SL_OK;
        }
        if (!any || attempt == 1)
            break;
        flags &= ~(unsigned)MHD_USE_DUAL_STACK;
    }
    snprintf(errstr, errstr_size,
             "Cannot listen on %s://%s%s%s:%d (address in use or not available%s; see the log)",
             rest_scheme_name(l->scheme), strchr(l->host, ':') ? "[" : "", l->host,
             strchr(l->host, ':') ? "]" : "", l->port, https ? ", or bad key material" : "");
    return SL_ERR;
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

/* RestServer.advertisedUrl: the scheme from rest.advertised.listener, else http if the raw
 * listeners name an http listener, else https; then that scheme's first listener. */
static int advertise(rest_server *s, const char *raw_listeners, const rest_options *o, char *errstr,
                     size_t errstr_size)
{
    rest_scheme scheme = REST_SCHEME_HTTP;
    const char *adv = o->advertised_listener;
    if (adv != NULL && adv[0] != '\0') {
        if (strcasecmp(adv, "https") == 0) {
            scheme = REST_SCHEME_HTTPS;
        } else if (strcasecmp(adv, "http") != 0) {
            snprintf(errstr, errstr_size,
                     "rest.advertised.listener '%s' is not supported: use http or https", adv);
            return SL_ERR;
        }
    } else if (strcasestr(raw_listeners, "http://") == NULL &&
               strcasestr(raw_listeners, "https://") != NULL) {
        scheme = REST_SCHEME_HTTPS;
    }
    const rest_endpoint *ep = NULL;
    for (size_t i = 0; ep == NULL && i < s->neps; i++)
        if ((s->eps[i].serve & REST_SERVE_API) && s->eps[i].listener.scheme == scheme)
            ep = &s->eps[i];
    if (ep == NULL) {
        snprintf(errstr, errstr_size,
                 "rest.advertised.listener is %s but no %s listener is configured in listeners",
                 rest_scheme_name(scheme), rest_scheme_name(scheme));
        return SL_ERR;
    }
    char host[256];
    if (o->advertised_host != NULL && o->advertised_host[0] != '\0')
        snprintf(host, sizeof(host), "%s", o->advertised_host);
    else if (ep->listener.host[0] != '\0')
        snprintf(host, sizeof(host), "%s", ep->listener.host);
    else
        local_address(host, sizeof(host));
    int port = o->advertised_port > 0 ? o->advertised_port : ep->port;
    bool v6 = strchr(host, ':') != NULL;
    snprintf(s->url, sizeof(s->url), "%s://%s%s%s:%d/", rest_scheme_name(scheme), v6 ? "[" : "",
             host, v6 ? "]" : "", port);
    return SL_OK;
}

static bool any_https(const rest_listener *ls, int n)
{
    for (int i = 0; i < n; i++)
        if (ls[i].scheme == REST_SCHEME_HTTPS)
            return true;
    return false;
}

/* The filters and the forwarder's TLS from the worker settings. */
static int configure(rest_server *s, const sl_props *cfg, bool main_https, bool admin_https,
                     char *errstr, size_t errstr_size)
{
    if (rest_auth_from_config(cfg, &s->auth, errstr, errstr_size) != SL_OK)
        return SL_ERR;
    s->cors = rest_cors_new(sl_props_get(cfg, "access.control.allow.origin"),
                            sl_props_get(cfg, "access.control.allow.methods"));
    if (s->cors != NULL)
        LOG_INFO("rest", "CORS enabled for origins %s",
                 sl_props_get(cfg, "access.control.allow.origin"));
    if (rest_header_rules_parse(sl_props_get(cfg, "response.http.headers.config"), &s->rules,
                                &s->nrules, errstr, errstr_size) != SL_OK)
        return SL_ERR;
    if (admin_https && rest_tls_load(cfg, "admin.listeners.https.", true, &s->tls_admin, errstr,
                                     errstr_size) != SL_OK)
        return SL_ERR;
    /* The forwarder uses the listeners.https. settings whatever this worker listens on (its
     * leader may be https). Without an https listener of our own, ssl.* may be meant for the
     * Kafka clients only: a problem there is only a warning. */
    char err[512] = "";
    if (rest_tls_load(cfg, "listeners.https.", main_https, &s->tls_main, main_https ? errstr : err,
                      main_https ? errstr_size : sizeof(err)) != SL_OK) {
        if (main_https)
            return SL_ERR;
        LOG_WARN("rest", "Forwarding to https workers will use the system's CAs: %s", err);
        memset(&s->tls_main, 0, sizeof(s->tls_main));
    }
    forward_tls ft = {.ca_pem = s->tls_main.trust_pem,
                      .cert_pem = s->tls_main.cert_pem,
                      .key_pem = s->tls_main.key_pem,
                      .verify_host = s->tls_main.verify_hostname};
    if (forward_set_tls(&ft) != SL_OK) {
        snprintf(errstr, errstr_size, "Out of memory configuring the forwarder");
        return SL_ERR;
    }
    s->set_forward_tls = true;
    return SL_OK;
}

static bool same_listener(const rest_listener *a, const rest_listener *b)
{
    return a->scheme == b->scheme && a->port == b->port && a->port != 0 &&
           strcasecmp(a->host, b->host) == 0;
}

rest_server *rest_server_start(const char *listeners, herder *h, const rest_options *opts,
                               char *errstr, size_t errstr_size)
{
    rest_options defaults;
    memset(&defaults, 0, sizeof(defaults));
    const rest_options *o = opts ? opts : &defaults;
    const sl_props *cfg = o->config;
    rest_listener ls[REST_MAX_LISTENERS], admin[REST_MAX_LISTENERS];
    int n = rest_listeners_parse(listeners, ls, REST_MAX_LISTENERS, errstr, errstr_size);
    if (n < 0)
        return NULL;
    /* admin.listeners: unset = the admin endpoints on the main listeners, "" = disabled, a
     * list = only there (RestServer.createConnectors for the admin context). */
    const char *admin_list = cfg ? sl_props_get(cfg, "admin.listeners") : NULL;
    bool admin_set = cfg != NULL && sl_props_has(cfg, "admin.listeners");
    int nadmin = 0;
    if (admin_set && admin_list != NULL && strspn(admin_list, " \t,") < strlen(admin_list)) {
        nadmin = rest_listeners_parse(admin_list, admin, REST_MAX_LISTENERS, errstr, errstr_size);
        if (nadmin < 0)
            return NULL;
    }
    bool main_https = any_https(ls, n), admin_https = any_https(admin, nadmin);
    if ((main_https || admin_https) && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        snprintf(errstr, errstr_size,
                 "https listeners need a libmicrohttpd built with TLS support, and this one was "
                 "built without it");
        return NULL;
    }
    if ((main_https || admin_https) && cfg == NULL) {
        snprintf(errstr, errstr_size, "An https listener needs the worker's ssl.* settings");
        return NULL;
    }

    rest_server *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        snprintf(errstr, errstr_size, "Out of memory");
        return NULL;
    }
    s->max_body = o->max_body_bytes ? o->max_body_bytes : REST_DEFAULT_MAX_BODY;
    __atomic_store_n(&s->herder, h, __ATOMIC_RELEASE);
    if (cfg != NULL && configure(s, cfg, main_https, admin_https, errstr, errstr_size) != SL_OK)
        goto fail;
    for (int i = 0; i < n; i++)
        s->eps[s->neps++] = (rest_endpoint){
            .srv = s, .listener = ls[i], .serve = admin_set ? REST_SERVE_API : REST_SERVE_ALL};
    for (int i = 0; i < nadmin; i++) {
        bool merged = false;
        for (size_t k = 0; k < s->neps; k++) {
            if (same_listener(&s->eps[k].listener, &admin[i])) {
                /* The same address in both lists: one daemon serves both. */
                s->eps[k].serve = REST_SERVE_ALL;
                merged = true;
            }
        }
        if (!merged)
            s->eps[s->neps++] =
                (rest_endpoint){.srv = s, .listener = admin[i], .serve = REST_SERVE_ADMIN};
    }
    for (size_t i = 0; i < s->neps; i++) {
        rest_endpoint *ep = &s->eps[i];
        const rest_tls *tls = ep->serve == REST_SERVE_ADMIN ? &s->tls_admin : &s->tls_main;
        ep->client_auth =
            ep->listener.scheme == REST_SCHEME_HTTPS ? tls->client_auth : REST_CLIENT_AUTH_NONE;
        if (start_daemon(s, ep, tls, o, errstr, errstr_size) != SL_OK)
            goto fail;
    }
    if (advertise(s, listeners, o, errstr, errstr_size) != SL_OK)
        goto fail;
    LOG_INFO("rest", "Advertised URI: %s", s->url);
    return s;
fail:
    rest_server_stop(s);
    return NULL;
}

void rest_server_set_herder(rest_server *s, herder *h)
{
    __atomic_store_n(&s->herder, h, __ATOMIC_RELEASE);
}

int rest_server_port(const rest_server *s)
{
    return s->port;
}

int rest_server_admin_port(const rest_server *s)
{
    for (size_t i = 0; i < s->neps; i++)
        if (s->eps[i].serve & REST_SERVE_ADMIN)
            return s->eps[i].port;
    return 0;
}

const char *rest_server_url(const rest_server *s)
{
    return s->url;
}

void rest_server_stop(rest_server *s)
{
    if (s == NULL)
        return;
    bool any = false;
    for (size_t i = 0; i < s->neps; i++) {
        if (s->eps[i].daemon != NULL) {
            MHD_stop_daemon(s->eps[i].daemon);
            any = true;
        }
    }
    if (any)
        LOG_INFO("rest", "REST server stopped");
    if (s->set_forward_tls)
        forward_set_tls(NULL);
    rest_auth_free(s->auth);
    rest_cors_free(s->cors);
    rest_header_rules_free(s->rules, s->nrules);
    rest_tls_fini(&s->tls_main);
    rest_tls_fini(&s->tls_admin);
    free(s);
}
