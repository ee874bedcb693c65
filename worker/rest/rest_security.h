/* rest/rest_security.h: the REST server's filters, independent of the HTTP library: response
 * header lists, basic authentication, CORS, response header rules, and TLS key material. */
#ifndef SLUICE_REST_SECURITY_H
#define SLUICE_REST_SECURITY_H

#include <stdbool.h>
#include <stddef.h>

#include <sluice/sdk.h>

#include "rest/rest_internal.h"

/* ---- response header lists (headers.c) ---- */

typedef struct rest_header {
    char *name;  /* owned */
    char *value; /* owned */
} rest_header;

/* The headers a response will carry besides the ones libmicrohttpd adds itself (Date,
 * Content-Length, Connection). Zero-initialise; free with rest_headers_fini. */
typedef struct rest_headers {
    rest_header *v;
    size_t n, cap;
} rest_headers;

/* Append `name: value` (copied); with `replace`, every earlier header of that name (any case)
 * is dropped first. SL_OK, or SL_ERR on out of memory. */
int rest_headers_put(rest_headers *h, const char *name, const char *value, bool replace);
/* The first value of `name` (any case), borrowed, or NULL. */
const char *rest_headers_get(const rest_headers *h, const char *name);
void rest_headers_fini(rest_headers *h);

/* ---- response header rules: response.http.headers.config (headers.c) ---- */

typedef enum rest_rule_action {
    REST_RULE_SET = 0, /* replace any header of that name */
    REST_RULE_ADD,     /* add one more */
    REST_RULE_SET_DATE,
    REST_RULE_ADD_DATE, /* the value is a millisecond offset from now, sent as an HTTP date */
} rest_rule_action;

typedef struct rest_header_rule {
    rest_rule_action action;
    char *name;  /* owned */
    char *value; /* owned; for the date actions the offset text */
    long long offset_ms;
} rest_header_rule;

/* Parse Connect's comma-separated rules "<action> <name>: <value>" (Jetty's HeaderFilter;
 * actions set, add, setDate, addDate in any case; an item may be double-quoted to hold
 * commas). A blank config gives zero rules. Errors use RestServerConfig's messages ("Invalid
 * format of header config ...", "Invalid header config action: ...", "Invalid header name
 * ..."). *rules is new (caller frees with rest_header_rules_free). SL_OK or SL_ERR. */
int rest_header_rules_parse(const char *config, rest_header_rule **rules, size_t *n, char *errstr,
                            size_t errstr_size);
void rest_header_rules_free(rest_header_rule *rules, size_t n);
/* Apply the rules in order to `h`; date values are `now_ms` + offset, formatted as RFC 7231
 * IMF-fixdate. SL_OK or SL_ERR on out of memory. */
int rest_header_rules_apply(const rest_header_rule *rules, size_t n, long long now_ms,
                            rest_headers *h);
/* Format an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") into buf (>= 30 bytes). */
void rest_http_date(long long ms, char *buf, size_t size);

/* ---- basic authentication (auth.c): Connect's BasicAuthSecurityRestExtension ---- */

/* The extension's class name in rest.extension.classes. */
#define REST_BASIC_AUTH_EXTENSION                                                                  \
    "org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension"
/* The body of a 401, as the extension sends it. */
#define REST_AUTH_FAILED_MSG "User cannot access the resource."
/* The WWW-Authenticate header of a 401 (Connect sends none; browsers and curl need it). */
#define REST_AUTH_CHALLENGE "Basic realm=\"Kafka Connect\", charset=\"UTF-8\""

typedef struct rest_auth rest_auth;

/* Read the worker's settings: when rest.extension.classes names the basic auth extension (by
 * full or simple name), load the users from rest.basic.auth.users.file or, failing that, from
 * the PropertyFileLoginModule `file` option of the KafkaConnect entry of the JAAS file named by
 * java.security.auth.login.config. *out is NULL when authentication is off. Any other extension
 * class, a missing or unreadable file are errors. Caller frees *out with rest_auth_free.
 * `cfg` borrowed. SL_OK or SL_ERR with errstr. */
int rest_auth_from_config(const sl_props *cfg, rest_auth **out, char *errstr, size_t errstr_size);
/* Load users from a Java properties file "user: password" (or "user=password"): the whole value
 * is the password, as PropertyFileLoginModule compares it. An empty file lets every request
 * through, as Connect's module does (a warning is logged). Caller frees. */
int rest_auth_load_users(const char *path, rest_auth **out, char *errstr, size_t errstr_size);
/* The users file named by a JAAS config file: the `file` option of the PropertyFileLoginModule
 * in its KafkaConnect entry. Writes the path into out[size]. SL_OK or SL_ERR with errstr. */
int rest_auth_jaas_users_file(const char *jaas_path, char *out, size_t size, char *errstr,
                              size_t errstr_size);
void rest_auth_free(rest_auth *a);

/* Split an Authorization header "Basic base64(user:password)" (scheme in any case) into new
 * strings (caller frees both). SL_ERR when absent, another scheme, bad base64, invalid UTF-8
 * or no ':' after a non-empty user name (Connect's BasicAuthCallBackHandler). */
int rest_basic_decode(const char *header, char **user, char **password);
/* Does `authorization` (the header or NULL) name a known user with the right password? Every
 * user's name and password are compared in time independent of where they differ. Any thread. */
bool rest_auth_check(const rest_auth *a, const char *authorization);
/* Requests the extension lets through without credentials: the internal POST
 * /connectors/{c}/tasks and PUT /connectors/{c}/fence (they carry a KIP-507 signature the
 * herder checks), and CORS preflights (browsers send them without credentials). `segs` are
 * the decoded path segments. */
bool rest_auth_exempt(const char *method, char *const *segs, size_t nseg, bool preflight);

/* ---- CORS (cors.c): Jetty's CrossOriginFilter as Connect installs it ---- */

typedef struct rest_cors rest_cors;

/* A filter for access.control.allow.origin (comma-separated origins, "*" for any, "*" inside
 * an origin as a wildcard) and access.control.allow.methods (NULL/blank = GET,POST,HEAD).
 * NULL when `origins` is blank (no filter) or on out of memory. Free with rest_cors_free. */
rest_cors *rest_cors_new(const char *origins, const char *methods);
void rest_cors_free(rest_cors *c);
/* A preflight is an OPTIONS request with Access-Control-Request-Method. */
bool rest_cors_is_preflight(const char *method, const char *acr_method);
/* Add the CORS headers for one request to `out`: none when there is no Origin or it is not
 * allowed; for a preflight, also none unless the requested method and headers are allowed.
 * `origin`, `acr_method` and `acr_headers` are the request's Origin,
 * Access-Control-Request-Method and -Headers (NULL when absent). SL_OK or SL_ERR (OOM). */
int rest_cors_headers(const rest_cors *c, const char *method, const char *origin,
                      const char *acr_method, const char *acr_headers, rest_headers *out);

/* ---- TLS key material (tls.c) ---- */

typedef enum rest_client_auth {
    REST_CLIENT_AUTH_NONE = 0,
    REST_CLIENT_AUTH_REQUESTED,
    REST_CLIENT_AUTH_REQUIRED,
} rest_client_auth;

/* Key material and settings for one set of https listeners, all PEM text in memory. */
typedef struct rest_tls {
    char *cert_pem;  /* certificate chain, leaf first; NULL when no keystore */
    char *key_pem;   /* its private key, unencrypted PKCS#8; NULL when no keystore */
    char *trust_pem; /* CA certificates to trust; NULL when no truststore */
    rest_client_auth client_auth;
    char *priorities;     /* GnuTLS priority string from ssl.enabled.protocols, NULL = default */
    bool verify_hostname; /* ssl.endpoint.identification.algorithm is not blank */
} rest_tls;

/* Read the SSL settings under `prefix` ("listeners.https." or "admin.listeners.https."), or the
 * unprefixed ssl.* keys when no key has that prefix (Connect's valuesWithPrefixAllOrNothing):
 * ssl.keystore.type (PEM or PKCS12; JKS is refused with advice; unset = PEM when the file is
 * PEM text, else PKCS12), ssl.keystore.location (a PEM file holding the chain and the key, or
 * a PKCS12 file), ssl.keystore.certificate.chain and ssl.keystore.key (inline PEM),
 * ssl.keystore.password (PKCS12), ssl.key.password (an encrypted PEM key), likewise
 * ssl.truststore.type/.location/.certificates/.password, ssl.client.auth
 * (none|requested|required), ssl.enabled.protocols (TLSv1.2,TLSv1.3) and
 * ssl.endpoint.identification.algorithm. With `need_keystore`, a missing keystore is an error.
 * The key must match the leaf certificate. `cfg` borrowed; fill `out` (free with
 * rest_tls_fini). SL_OK or SL_ERR with errstr naming the setting. */
int rest_tls_load(const sl_props *cfg, const char *prefix, bool need_keystore, rest_tls *out,
                  char *errstr, size_t errstr_size);
void rest_tls_fini(rest_tls *t);

#endif
