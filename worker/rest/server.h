/* rest/server.h: the worker's REST API server (Kafka Connect's paths, bodies and status codes,
 * reference §1), built on libmicrohttpd. It parses HTTP and delegates to a herder. */
#ifndef SLUICE_REST_SERVER_H
#define SLUICE_REST_SERVER_H

#include <stddef.h>

#include <sluice/sdk.h>

#include "herder/herder.h"

/* Default request body limit (bytes); larger bodies get 413. */
#define REST_DEFAULT_MAX_BODY (10u * 1024u * 1024u)
/* Default number of simultaneous connections (one thread each: herder calls block). */
#define REST_DEFAULT_MAX_CONNECTIONS 256u
/* Default idle time (seconds) before a keep-alive connection is closed (Jetty's 30 s). */
#define REST_DEFAULT_IDLE_TIMEOUT_S 30u
/* At most this many comma-separated listeners. */
#define REST_MAX_LISTENERS 8

/* Server options. A zeroed struct (or a NULL pointer) means every default. Strings and
 * `config` are borrowed for the rest_server_start call only. */
typedef struct rest_options {
    size_t max_body_bytes;           /* 0 = REST_DEFAULT_MAX_BODY */
    unsigned max_connections;        /* 0 = REST_DEFAULT_MAX_CONNECTIONS */
    unsigned idle_timeout_s;         /* 0 = REST_DEFAULT_IDLE_TIMEOUT_S */
    const char *advertised_host;     /* rest.advertised.host.name; NULL/"" = from listener */
    int advertised_port;             /* rest.advertised.port; 0 = the bound port */
    const char *advertised_listener; /* rest.advertised.listener (http|https); NULL = from
                                        listeners */
    /* The worker's settings (NULL = none of the following). The server reads:
     *   admin.listeners: unset = /admin/... on the main listeners; "" = no admin endpoints (404);
     *     a list = /admin/... only there, and only /admin/... there;
     *   listeners.https.ssl.* (or ssl.* when no listeners.https. key is set; for https admin
     *     listeners admin.listeners.https.ssl.*): key store, trust store, ssl.client.auth,
     *     ssl.enabled.protocols, ssl.endpoint.identification.algorithm (see rest_tls_load:
     *     PEM and PKCS12 stores, no JKS); the trust store and key store also serve the
     *     forwarder (forward_set_tls);
     *   rest.extension.classes with BasicAuthSecurityRestExtension, rest.basic.auth.users.file
     *     or java.security.auth.login.config: HTTP basic authentication;
     *   access.control.allow.origin, access.control.allow.methods: CORS;
     *   response.http.headers.config: header rules applied to every response. */
    const sl_props *config;
} rest_options;

typedef struct rest_server rest_server;

/* Parse `listeners` ("http://:8083", "https://127.0.0.1:0", comma-separated; an empty host
 * binds all interfaces, "localhost" binds loopback) and start serving on every listener (and
 * on the admin listeners of opts->config). `h` (borrowed; must outlive the server) may be
 * NULL: requests that need a herder then get 503 until rest_server_set_herder is called, so
 * main can learn the bound port and advertised URL before it creates the herder. Returns NULL
 * with the reason in errstr (naming the bad listener or setting) on a malformed listener, bad
 * TLS or security settings, a libmicrohttpd without TLS for an https listener, or a bind
 * failure. Caller owns the result and frees it with rest_server_stop. Call from one thread
 * (main); configures the forwarder's TLS (forward_set_tls) when opts->config is given. */
rest_server *rest_server_start(const char *listeners, herder *h, const rest_options *opts,
                               char *errstr, size_t errstr_size);

/* Attach (or replace, or detach with NULL) the herder requests are delegated to. `h` is
 * borrowed and must stay valid until it is replaced or the server stops. Any thread; requests
 * already running keep the herder they started with. */
void rest_server_set_herder(rest_server *s, herder *h);

/* The bound port of the first listener (the real port when the listener asked for port 0).
 * Any thread. */
int rest_server_port(const rest_server *s);
/* The bound port of the first listener serving /admin/... (0 when admin.listeners=""). Any
 * thread. */
int rest_server_admin_port(const rest_server *s);

/* The advertised URL, Connect style "http://host:port/" (borrowed; lives as long as `s`).
 * Scheme: opts.advertised_listener, else http when `listeners` names an http listener, else
 * https. Host: opts.advertised_host, else the first such listener's host, else this machine's
 * address. Port: opts.advertised_port, else that listener's bound port. Any thread. */
const char *rest_server_url(const rest_server *s);

/* Stop accepting, finish or abort requests in flight, join the server threads and free `s`.
 * NULL is accepted. Must not be called from a request handler. */
void rest_server_stop(rest_server *s);

#endif
