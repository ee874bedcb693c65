/* rest/server_internal.h: the server's state shared by server.c (requests) and server_start.c
 * (listeners, TLS, start and stop). Not for use outside worker/rest. */
#ifndef SLUICE_REST_SERVER_INTERNAL_H
#define SLUICE_REST_SERVER_INTERNAL_H

#include <microhttpd.h>

#include "rest/rest_internal.h"
#include "rest/rest_security.h"
#include "rest/server.h"

/* Longest request target answered with a JSON 414 (Jetty's 8 KiB request header buffer); MHD
 * answers longer ones than its connection memory allows itself. */
#define REST_MAX_URI_BYTES 8192u
/* Request header bytes (names + values) above which a JSON 431 is answered. */
#define REST_MAX_HEADER_BYTES 16384u
/* MHD's per-connection memory: room for the limits above plus its read buffer. */
#define REST_CONNECTION_MEMORY (64u * 1024u)

/* One bound listener: a libmicrohttpd daemon and what it serves. */
typedef struct rest_endpoint {
    struct rest_server *srv;
    struct MHD_Daemon *daemon;
    rest_listener listener;
    unsigned serve; /* REST_SERVE_* */
    rest_client_auth client_auth;
    int port; /* bound port */
} rest_endpoint;

struct rest_server {
    rest_endpoint eps[2 * REST_MAX_LISTENERS];
    size_t neps;
    int port; /* bound port of the first listener */
    char url[320];
    size_t max_body;
    herder *herder; /* read and written with __atomic builtins */
    /* Filters, fixed once started (read without locks by request threads). */
    rest_auth *auth;
    rest_cors *cors;
    rest_header_rule *rules;
    size_t nrules;
    /* Key material MHD reads from memory: kept for the daemons' lifetime. */
    rest_tls tls_main, tls_admin;
    bool set_forward_tls; /* this server configured the forwarder: reset it on stop */
};

/* The request handler and its companions (server.c), for the daemons of server_start.c. All
 * take the rest_endpoint as their closure. */
void *rest_mhd_uri_log(void *cls, const char *uri, struct MHD_Connection *con);
enum MHD_Result rest_mhd_access(void *cls, struct MHD_Connection *conn, const char *url,
                                const char *method, const char *version, const char *upload_data,
                                size_t *upload_data_size, void **con_cls);
void rest_mhd_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                        enum MHD_RequestTerminationCode toe);
void rest_mhd_log(void *cls, const char *fmt, va_list ap);
size_t rest_mhd_no_unescape(void *cls, struct MHD_Connection *c, char *s);
/* TLS connections: demand (required) or check (requested) the client's certificate. */
void rest_mhd_notify_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                                enum MHD_ConnectionNotificationCode code);

#endif
