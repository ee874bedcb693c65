/* tests/unit/test_rest_routes.c: the REST server over real HTTP(S) against a fake herder: the
 * offsets/topics/tasks/health/logger routes, OPTIONS, Retry-After, JSON 414/431, admin
 * listeners, basic auth, CORS, header rules, https with client certificates, the forwarder
 * over https, and the OpenAPI document against the route table. */
#define _GNU_SOURCE /* strcasestr */
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>

#include "herder/forward.h"
#include "props_util.h"
#include "rest/rest_internal.h"
#include "rest/rest_security.h"
#include "rest/server.h"
#include "util/log.h"

/* ---- a fake herder ---- */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char last_op[64], last_name[256], last_json[2048], last_str[64];
static int ncalls;
static int canned_status = 200;
static const char *canned_body = "{\"ok\":true}";

static void record(const char *op, const char *name, const json_t *j, const char *str,
                   herder_reply *r)
{
    pthread_mutex_lock(&lock);
    snprintf(last_op, sizeof(last_op), "%s", op);
    snprintf(last_name, sizeof(last_name), "%s", name ? name : "(null)");
    char *dump = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    snprintf(last_json, sizeof(last_json), "%s", dump ? dump : "(null)");
    free(dump);
    snprintf(last_str, sizeof(last_str), "%s", str ? str : "(null)");
    ncalls++;
    herder_reply_json(r, canned_status,
                      canned_body ? json_loads(canned_body, JSON_DECODE_ANY, NULL) : NULL);
    pthread_mutex_unlock(&lock);
}

static void canned(int status, const char *body)
{
    pthread_mutex_lock(&lock);
    canned_status = status;
    canned_body = body;
    pthread_mutex_unlock(&lock);
}

static int calls(void)
{
    pthread_mutex_lock(&lock);
    int n = ncalls;
    pthread_mutex_unlock(&lock);
    return n;
}

static void f_info(herder *h, herder_reply *r)
{
    (void)h;
    record("server_info", NULL, NULL, NULL, r);
}
static void f_list(herder *h, bool s, bool i, herder_reply *r)
{
    (void)h;
    (void)s;
    (void)i;
    record("list_connectors", NULL, NULL, NULL, r);
}
static void f_tasks(herder *h, const char *name, herder_reply *r)
{
    (void)h;
    record("get_connector_tasks", name, NULL, NULL, r);
}
static void f_health(herder *h, herder_reply *r)
{
    (void)h;
    record("health", NULL, NULL, NULL, r);
}
static void f_get_offsets(herder *h, const char *name, herder_reply *r)
{
    (void)h;
    record("get_offsets", name, NULL, NULL, r);
}
static void f_alter_offsets(herder *h, const char *name, json_t *body, herder_reply *r)
{
    (void)h;
    record(body ? "alter_offsets" : "reset_offsets", name, body, NULL, r);
}
static void f_get_topics(herder *h, const char *name, herder_reply *r)
{
    (void)h;
    record("get_topics", name, NULL, NULL, r);
}
static void f_reset_topics(herder *h, const char *name, herder_reply *r)
{
    (void)h;
    record("reset_topics", name, NULL, NULL, r);
}
static void f_put_task_configs(herder *h, const char *name, json_t *configs, herder_reply *r)
{
    (void)h;
    const forward_ctx *ctx = forward_ctx_get();
    record("put_task_configs", name, configs, ctx && ctx->signature ? ctx->signature : NULL, r);
}
static void f_cluster_level(herder *h, const char *logger, const char *level, herder_reply *r)
{
    (void)h;
    record("set_cluster_logger_level", logger, NULL, level, r);
}

static const herder_ops full_ops = {
    .server_info = f_info,
    .list_connectors = f_list,
    .get_connector_tasks = f_tasks,
    .health = f_health,
    .get_offsets = f_get_offsets,
    .alter_offsets = f_alter_offsets,
    .get_topics = f_get_topics,
    .reset_topics = f_reset_topics,
    .put_task_configs = f_put_task_configs,
    .set_cluster_logger_level = f_cluster_level,
};
static herder full_herder = {.ops = &full_ops};
/* A herder from before these operations: every new route answers 501. */
static const herder_ops old_ops = {.server_info = f_info};
static herder old_herder = {.ops = &old_ops};

/* ---- an HTTP(S) client ---- */

typedef struct resp {
    long status;
    CURLcode rc;
    char body[65536];
    size_t len;
    char headers[8192]; /* raw header lines, as received */
} resp;

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    resp *r = ud;
    size_t add = size * n;
    if (r->len + add < sizeof(r->body)) {
        memcpy(r->body + r->len, p, add);
        r->len += add;
        r->body[r->len] = '\0';
    }
    return add;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    resp *r = ud;
    size_t used = strlen(r->headers), add = size * n;
    if (used + add < sizeof(r->headers))
        memcpy(r->headers + used, p, add), r->headers[used + add] = '\0';
    return add;
}

/* The value of header `name` in the response (first one), or NULL. */
static const char *hdr(const resp *r, const char *name, char *buf, size_t size)
{
    size_t nl = strlen(name);
    for (const char *line = r->headers; *line;) {
        const char *end = strstr(line, "\r\n");
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > nl && strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
            const char *v = line + nl + 1;
            while (*v == ' ')
                v++;
            snprintf(buf, size, "%.*s", (int)(len - (size_t)(v - line)), v);
            return buf;
        }
        line += len + (end ? 2 : 0);
    }
    return NULL;
}

static int hdr_count(const resp *r, const char *name)
{
    int n = 0;
    size_t nl = strlen(name);
    for (const char *p = r->headers; (p = strcasestr(p, name)) != NULL; p += nl)
        if ((p == r->headers || p[-1] == '\n') && p[nl] == ':')
            n++;
    return n;
}

typedef struct req_opts {
    const char *ctype; /* NULL: application/json when there is a body */
    const char *headers[6];
    const char *userpwd;
    const char *ca_pem, *cert_pem, *key_pem;
} req_opts;

static void request(const char *url, const char *method, const char *body, const req_opts *o,
                    resp *out)
{
    memset(out, 0, sizeof(*out));
    CURL *c = curl_easy_init();
    assert_non_null(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, out);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    struct curl_slist *h = curl_slist_append(NULL, "Expect:");
    char ct[128];
    if (body != NULL) {
        snprintf(ct, sizeof(ct), "Content-Type: %s", o && o->ctype ? o->ctype : "application/json");
        h = curl_slist_append(h, ct);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    }
    for (size_t i = 0; o && i < 6 && o->headers[i]; i++)
        h = curl_slist_append(h, o->headers[i]);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    if (o && o->userpwd) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERPWD, o->userpwd);
    }
    struct curl_blob ca, cert, key;
    if (o && o->ca_pem) {
        ca = (struct curl_blob){(void *)o->ca_pem, strlen(o->ca_pem), CURL_BLOB_COPY};
        curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &ca);
    }
    if (o && o->cert_pem) {
        cert = (struct curl_blob){(void *)o->cert_pem, strlen(o->cert_pem), CURL_BLOB_COPY};
        key = (struct curl_blob){(void *)o->key_pem, strlen(o->key_pem), CURL_BLOB_COPY};
        curl_easy_setopt(c, CURLOPT_SSLCERT_BLOB, &cert);
        curl_easy_setopt(c, CURLOPT_SSLKEY_BLOB, &key);
    }
    out->rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
}

static rest_server *srv;
static char base[64];

static void call(const char *method, const char *path, const char *body, resp *out)
{
    char url[4096];
    snprintf(url, sizeof(url), "%s%s", base, path);
    request(url, method, body, NULL, out);
    if (out->rc != CURLE_OK)
        fail_msg("%s %s: %s", method, path, curl_easy_strerror(out->rc));
}

static void expect(const resp *r, long status, const char *body)
{
    if (r->status != status)
        fail_msg("status %ld, expected %ld; body %s", r->status, status, r->body);
    if (body != NULL)
        assert_string_equal(r->body, body);
}

static void expect_error(const resp *r, long status, const char *message)
{
    expect(r, status, NULL);
    json_t *v = json_loads(r->body, 0, NULL);
    if (v == NULL)
        fail_msg("not JSON: %s", r->body);
    assert_int_equal(json_integer_value(json_object_get(v, "error_code")), status);
    const char *m = json_string_value(json_object_get(v, "message"));
    if (m == NULL || strstr(m, message) == NULL)
        fail_msg("message '%s' lacks '%s'", m ? m : "(none)", message);
    json_decref(v);
}

static rest_server *start(const char *listeners, herder *h, const sl_props *cfg)
{
    char err[512];
    rest_options o = {.config = cfg};
    rest_server *s = rest_server_start(listeners, h, &o, err, sizeof(err));
    if (s == NULL)
        fail_msg("start %s: %s", listeners, err);
    return s;
}

static int setup(void **state)
{
    (void)state;
    srv = start("http://127.0.0.1:0", &full_herder, NULL);
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", rest_server_port(srv));
    canned(200, "{\"ok\":true}");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rest_server_stop(srv);
    srv = NULL;
    log_reset_for_tests();
    return 0;
}

/* ---- the OpenAPI document and the route table ---- */

typedef struct walk {
    json_t *paths;
    int routes;
} walk;

static void check_route(const char *method, const char *path, unsigned flags, void *opaque)
{
    (void)flags;
    walk *w = opaque;
    w->routes++;
    json_t *item = json_object_get(w->paths, path);
    char lower[16];
    size_t i = 0;
    for (; method[i] && i < sizeof(lower) - 1; i++)
        lower[i] = (char)(method[i] | 0x20);
    lower[i] = '\0';
    json_t *op = json_object_get(item, lower);
    if (op == NULL)
        fail_msg("route %s %s is not in docs/openapi.json", method, path);
    /* Every {param} of the template is declared on the operation. */
    for (const char *p = strchr(path, '{'); p != NULL; p = strchr(p + 1, '{')) {
        const char *end = strchr(p, '}');
        char name[64];
        snprintf(name, sizeof(name), "%.*s", (int)(end - p - 1), p + 1);
        char want[128];
        snprintf(want, sizeof(want), "#/components/parameters/%s", name);
        bool found = false;
        size_t k;
        json_t *param;
        json_array_foreach(json_object_get(op, "parameters"), k, param)
        {
            const char *r = json_string_value(json_object_get(param, "$ref"));
            found = found || (r && strcmp(r, want) == 0);
        }
        if (!found)
            fail_msg("%s %s does not declare parameter %s", method, path, name);
    }
    assert_non_null(json_object_get(op, "responses"));
}

static void test_openapi(void **state)
{
    (void)state;
    json_error_t err;
    json_t *doc = json_loadb(rest_openapi_text(), rest_openapi_len(), 0, &err);
    if (doc == NULL)
        fail_msg("docs/openapi.json: %s (line %d)", err.text, err.line);
    assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.0.3");
    walk w = {.paths = json_object_get(doc, "paths")};
    rest_routes_each(check_route, &w);
    /* And the other way: every documented operation is a route. */
    int documented = 0;
    const char *path;
    json_t *item;
    json_object_foreach(w.paths, path, item)
    {
        const char *method;
        json_t *op;
        json_object_foreach(item, method, op)
        {
            (void)op;
            documented++;
        }
    }
    assert_int_equal(documented, w.routes);
    /* Every $ref resolves. */
    char *text = json_dumps(doc, JSON_COMPACT);
    for (const char *p = text; (p = strstr(p, "\"$ref\":\"#/")) != NULL; p++) {
        char ref[256];
        sscanf(p + 10, "%255[^\"]", ref);
        json_t *node = doc;
        for (char *tok = strtok(ref, "/"); tok != NULL; tok = strtok(NULL, "/"))
            node = json_object_get(node, tok);
        if (node == NULL)
            fail_msg("unresolved $ref near %.60s", p);
    }
    free(text);

    /* Served as JSON at /openapi.json, the same document. */
    resp r;
    call("GET", "/openapi.json", NULL, &r);
    expect(&r, 200, NULL);
    json_t *served = json_loads(r.body, 0, NULL);
    assert_true(json_equal(served, doc));
    json_decref(served);
    json_decref(doc);
}

/* ---- new routes ---- */

static void test_offsets_topics(void **state)
{
    (void)state;
    resp r;
    canned(200, "{\"offsets\":[]}");
    call("GET", "/connectors/my%20c/offsets", NULL, &r);
    expect(&r, 200, "{\"offsets\":[]}");
    assert_string_equal(last_op, "get_offsets");
    assert_string_equal(last_name, "my c");

    canned(200, "{\"message\":\"altered\"}");
    call("PATCH", "/connectors/c/offsets",
         "{\"offsets\":[{\"partition\":{\"kafka_topic\":\"t\",\"kafka_partition\":0},"
         "\"offset\":{\"kafka_offset\":5}},{\"partition\":{\"f\":\"x\"},\"offset\":null}]}",
         &r);
    expect(&r, 200, "{\"message\":\"altered\"}");
    assert_string_equal(last_op, "alter_offsets");
    assert_string_equal(last_json,
                        "{\"offsets\":[{\"offset\":{\"kafka_offset\":5},\"partition\":{\"kafka_"
                        "partition\":0,\"kafka_topic\":\"t\"}},{\"offset\":null,\"partition\":{"
                        "\"f\":\"x\"}}]}");
    call("DELETE", "/connectors/c/offsets", NULL, &r);
    expect(&r, 200, NULL);
    assert_string_equal(last_op, "reset_offsets");
    assert_string_equal(last_json, "(null)");

    int before = calls();
    const struct {
        const char *body, *message;
    } bad[] = {
        {"{}", "Partitions / offsets need to be provided for an alter offsets request"},
        {"{\"offsets\":null}", "Partitions / offsets need to be provided"},
        {"{\"offsets\":[]}", "Partitions / offsets need to be provided"},
        {"{\"offsets\":5}", "'offsets' must be a JSON array"},
        {"[1]", "must be a JSON object"},
        {"{\"offsets\":[1]}", "Element 0 of 'offsets' must be a JSON object"},
        {"{\"offsets\":[{\"partition\":\"p\"}]}", "'partition' of element 0"},
        {"{\"offsets\":[{\"partition\":{},\"offset\":[1]}]}", "'offset' of element 0"},
        {"{\"offsets\":", "Invalid JSON"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        call("PATCH", "/connectors/c/offsets", bad[i].body, &r);
        expect_error(&r, 400, bad[i].message);
    }
    assert_int_equal(calls(), before);

    canned(200, "{\"c\":{\"topics\":[\"t\"]}}");
    call("GET", "/connectors/c/topics", NULL, &r);
    expect(&r, 200, "{\"c\":{\"topics\":[\"t\"]}}");
    assert_string_equal(last_op, "get_topics");
    canned(202, NULL);
    call("PUT", "/connectors/c/topics/reset", NULL, &r);
    expect(&r, 202, "");
    assert_string_equal(last_op, "reset_topics");
    call("POST", "/connectors/c/topics/reset", NULL, &r);
    expect(&r, 405, NULL);
}

static void test_task_configs(void **state)
{
    (void)state;
    resp r;
    canned(204, NULL);
    char url[256];
    snprintf(url, sizeof(url), "%s/connectors/c/tasks?forward=true", base);
    req_opts o = {.headers = {"X-Connect-Authorization: c2ln",
                              "X-Connect-Request-Signature-Algorithm: HmacSHA256"}};
    request(url, "POST", "[{\"a\":\"b\"},{\"n\":1,\"t\":true}]", &o, &r);
    expect(&r, 204, "");
    assert_string_equal(last_op, "put_task_configs");
    assert_string_equal(last_json, "[{\"a\":\"b\"},{\"n\":\"1\",\"t\":\"true\"}]");
    assert_string_equal(last_str, "c2ln"); /* the signature reached the herder */

    int before = calls();
    const struct {
        const char *body, *message;
    } bad[] = {
        {"{}", "Task configurations must be a JSON array"},
        {"[1]", "Task configuration must be a JSON object"},
        {"[{\"a\":{}}]", "Invalid value for configuration key 'a'"},
        {"[{\"a\":null}]", "Null value"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        call("POST", "/connectors/c/tasks", bad[i].body, &r);
        expect_error(&r, 400, bad[i].message);
    }
    req_opts text = {.ctype = "text/plain"};
    request(url, "POST", "[]", &text, &r);
    expect_error(&r, 415, "Unsupported Media Type");
    assert_int_equal(calls(), before);

    /* The deprecated tasks-config, from the task list. */
    canned(200, "[{\"id\":{\"connector\":\"c\",\"task\":0},\"config\":{\"k\":\"v\"}},"
                "{\"id\":{\"connector\":\"c\",\"task\":1},\"config\":{\"k\":\"w\"}}]");
    call("GET", "/connectors/c/tasks-config", NULL, &r);
    expect(&r, 200, "{\"c-0\":{\"k\":\"v\"},\"c-1\":{\"k\":\"w\"}}");
    canned(404, "{\"error_code\":404,\"message\":\"Connector c not found\"}");
    call("GET", "/connectors/c/tasks-config", NULL, &r);
    expect_error(&r, 404, "Connector c not found");
}

static void test_not_implemented(void **state)
{
    (void)state;
    rest_server_set_herder(srv, &old_herder);
    const char *const gets[] = {"/health", "/connectors/c/offsets", "/connectors/c/topics",
                                "/connectors/c/tasks-config"};
    resp r;
    for (size_t i = 0; i < sizeof(gets) / sizeof(gets[0]); i++) {
        call("GET", gets[i], NULL, &r);
        expect_error(&r, 501, "Not implemented");
    }
    call("DELETE", "/connectors/c/offsets", NULL, &r);
    expect_error(&r, 501, "Not implemented");
    call("POST", "/connectors/c/tasks", "[]", &r);
    expect_error(&r, 501, "Not implemented");
    call("PUT", "/admin/loggers/x?scope=cluster", "{\"level\":\"INFO\"}", &r);
    expect_error(&r, 501, "Not implemented");

    /* No herder at all: /health says "starting" in WorkerStatus shape. */
    rest_server_set_herder(srv, NULL);
    call("GET", "/health", NULL, &r);
    expect(&r, 503, "{\"status\":\"starting\",\"message\":\"Worker is still starting up.\"}");
    call("PUT", "/admin/loggers/x?scope=cluster", "{\"level\":\"INFO\"}", &r);
    expect_error(&r, 503, "starting");
    rest_server_set_herder(srv, &full_herder);
    canned(200, "{\"status\":\"healthy\",\"message\":\"ok\"}");
    call("GET", "/health", NULL, &r);
    expect(&r, 200, "{\"status\":\"healthy\",\"message\":\"ok\"}");
    assert_string_equal(last_op, "health");
}

static void test_options_and_retry_after(void **state)
{
    (void)state;
    resp r;
    char buf[256];
    int before = calls();
    call("OPTIONS", "/connectors", NULL, &r);
    expect(&r, 200, "");
    assert_string_equal(hdr(&r, "Allow", buf, sizeof(buf)), "GET, POST, HEAD, OPTIONS");
    call("OPTIONS", "/connectors/c/pause", NULL, &r);
    assert_string_equal(hdr(&r, "Allow", buf, sizeof(buf)), "PUT, OPTIONS");
    call("OPTIONS", "/nope", NULL, &r);
    expect_error(&r, 404, "HTTP 404 Not Found");
    assert_int_equal(calls(), before);

    canned(409, "{\"error_code\":409,\"message\":\"" FORWARD_MSG_CONFLICT "\"}");
    call("GET", "/connectors", NULL, &r);
    expect(&r, 409, NULL);
    assert_string_equal(hdr(&r, "Retry-After", buf, sizeof(buf)), "2");
    canned(409, "{\"error_code\":409,\"message\":\"" FORWARD_MSG_NO_LEADER "\"}");
    call("GET", "/connectors", NULL, &r);
    assert_non_null(hdr(&r, "Retry-After", buf, sizeof(buf)));
    canned(409, "{\"error_code\":409,\"message\":\"" FORWARD_MSG_STALE "\"}");
    call("GET", "/connectors", NULL, &r);
    assert_non_null(hdr(&r, "Retry-After", buf, sizeof(buf)));
    /* A 409 that is not about a rebalance has none. */
    canned(409, "{\"error_code\":409,\"message\":\"Connector c already exists\"}");
    call("GET", "/connectors", NULL, &r);
    assert_null(hdr(&r, "Retry-After", buf, sizeof(buf)));
}

static void test_limits_json(void **state)
{
    (void)state;
    char *url = malloc(10000);
    int n = snprintf(url, 10000, "%s/connectors/", base);
    memset(url + n, 'a', 9000);
    url[n + 9000] = '\0';
    resp r;
    request(url, "GET", NULL, NULL, &r);
    expect_error(&r, 414, "URI Too Long");
    free(url);
    char *big = malloc(20100);
    n = snprintf(big, 100, "X-Big: ");
    memset(big + n, 'b', 20000);
    big[n + 20000] = '\0';
    req_opts o = {.headers = {big}};
    char u[128];
    snprintf(u, sizeof(u), "%s/", base);
    request(u, "GET", NULL, &o, &r);
    expect_error(&r, 431, "Request Header Fields Too Large");
    free(big);
}

/* ---- loggers ---- */

static void test_loggers(void **state)
{
    (void)state;
    resp r;
    call("GET", "/admin/loggers", NULL, &r);
    expect(&r, 200, "{\"root\":{\"level\":\"INFO\",\"last_modified\":null}}");
    call("GET", "/admin/loggers/root", NULL, &r);
    expect(&r, 200, "{\"level\":\"INFO\",\"last_modified\":null}");
    call("GET", "/admin/loggers/rest", NULL, &r); /* the server itself logs under "rest" */
    expect(&r, 200, NULL);
    call("GET", "/admin/loggers/no.such.logger", NULL, &r);
    expect_error(&r, 404, "Logger no.such.logger not found.");

    log_logger_declare("routes.x.y");
    call("PUT", "/admin/loggers/routes.x", "{\"level\":\"debug\"}", &r);
    expect(&r, 200, "[\"routes.x\",\"routes.x.y\"]");
    call("GET", "/admin/loggers/routes.x.y", NULL, &r);
    expect(&r, 200, "{\"level\":\"DEBUG\",\"last_modified\":null}");
    call("GET", "/admin/loggers/routes.x", NULL, &r);
    json_t *v = json_loads(r.body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(v, "level")), "DEBUG");
    assert_true(json_integer_value(json_object_get(v, "last_modified")) > 1600000000000LL);
    json_decref(v);
    call("GET", "/admin/loggers", NULL, &r);
    v = json_loads(r.body, 0, NULL);
    assert_int_equal(json_object_size(v), 2);
    assert_non_null(json_object_get(v, "routes.x"));
    json_decref(v);
    /* Unknown scopes fall back to worker. */
    call("PUT", "/admin/loggers/routes.z?scope=galaxy", "{\"level\":\"WARN\"}", &r);
    expect(&r, 200, "[\"routes.z\"]");

    int before = calls();
    call("PUT", "/admin/loggers/routes.x", "{}", &r);
    expect_error(&r, 400, "Desired 'level' parameter was not specified in request.");
    call("PUT", "/admin/loggers/routes.x", "{\"level\":null}", &r);
    expect_error(&r, 400, "Desired 'level' parameter was not specified in request.");
    call("PUT", "/admin/loggers/routes.x", "{\"level\":\"LOUD\"}", &r);
    expect_error(&r, 404, "invalid log level 'LOUD'.");
    call("PUT", "/admin/loggers/routes.x", "{\"level\":3}", &r);
    expect_error(&r, 404, "invalid log level '3'.");
    call("PUT", "/admin/loggers/routes.x", "[\"DEBUG\"]", &r);
    expect_error(&r, 400, "must be a JSON object");
    call("DELETE", "/admin/loggers/routes.x", NULL, &r);
    expect(&r, 405, NULL);
    assert_int_equal(calls(), before);

    canned(204, NULL);
    call("PUT", "/admin/loggers/routes.c?scope=Cluster", "{\"level\":\"trace\"}", &r);
    expect(&r, 204, "");
    assert_string_equal(last_op, "set_cluster_logger_level");
    assert_string_equal(last_name, "routes.c");
    assert_string_equal(last_str, "TRACE");
}

/* ---- admin listeners ---- */

static long status_of(int port, const char *method, const char *path)
{
    char url[256];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
    resp r;
    request(url, method, NULL, NULL, &r);
    if (r.rc != CURLE_OK)
        fail_msg("%s: %s", url, curl_easy_strerror(r.rc));
    return r.status;
}

static void test_admin_listeners(void **state)
{
    (void)state;
    canned(200, "[]");
    /* Unset: everything on the main listener. */
    int port = rest_server_port(srv);
    assert_int_equal(rest_server_admin_port(srv), port);
    assert_int_equal(status_of(port, "GET", "/admin/loggers"), 200);

    /* "": no admin endpoints anywhere. */
    sl_props *cfg = props("admin.listeners", "", NULL);
    rest_server *s = start("http://127.0.0.1:0", &full_herder, cfg);
    port = rest_server_port(s);
    assert_int_equal(rest_server_admin_port(s), 0);
    assert_int_equal(status_of(port, "GET", "/admin/loggers"), 404);
    assert_int_equal(status_of(port, "GET", "/connectors"), 200);
    rest_server_stop(s);
    sl_props_destroy(cfg);

    /* A list: admin only there, and only admin there. */
    cfg = props("admin.listeners", "http://127.0.0.1:0", NULL);
    s = start("http://127.0.0.1:0", &full_herder, cfg);
    port = rest_server_port(s);
    int admin = rest_server_admin_port(s);
    assert_true(admin > 0 && admin != port);
    assert_int_equal(status_of(port, "GET", "/admin/loggers"), 404);
    assert_int_equal(status_of(port, "GET", "/connectors"), 200);
    assert_int_equal(status_of(admin, "GET", "/admin/loggers"), 200);
    assert_int_equal(status_of(admin, "PUT", "/admin/loggers"), 405);
    assert_int_equal(status_of(admin, "GET", "/connectors"), 404);
    assert_int_equal(status_of(admin, "GET", "/"), 404);
    /* The advertised URL stays on the main listener. */
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
    assert_string_equal(rest_server_url(s), url);
    rest_server_stop(s);
    sl_props_destroy(cfg);

    char err[256];
    cfg = props("admin.listeners", "ftp://x:1", NULL);
    rest_options o = {.config = cfg};
    assert_null(rest_server_start("http://127.0.0.1:0", &full_herder, &o, err, sizeof(err)));
    assert_non_null(strstr(err, "ftp://x:1"));
    sl_props_destroy(cfg);
}

/* ---- basic auth, CORS, header rules ---- */

static char tmpdir[128];

static void test_basic_auth(void **state)
{
    (void)state;
    char users[256];
    snprintf(users, sizeof(users), "%s/users.properties", tmpdir);
    FILE *f = fopen(users, "w");
    fputs("admin: s3cret\n", f);
    fclose(f);
    sl_props *cfg = props("rest.extension.classes", REST_BASIC_AUTH_EXTENSION,
                          "rest.basic.auth.users.file", users, NULL);
    rest_server *s = start("http://127.0.0.1:0", &full_herder, cfg);
    char root[64], url[128], buf[256];
    snprintf(root, sizeof(root), "http://127.0.0.1:%d", rest_server_port(s));
    int before = calls();
    resp r;
    snprintf(url, sizeof(url), "%s/connectors", root);
    request(url, "GET", NULL, NULL, &r);
    expect_error(&r, 401, "User cannot access the resource.");
    assert_non_null(strstr(hdr(&r, "WWW-Authenticate", buf, sizeof(buf)), "Basic realm="));
    req_opts wrong = {.userpwd = "admin:guess"};
    request(url, "GET", NULL, &wrong, &r);
    expect(&r, 401, NULL);
    /* A body is not looked at before the credentials. */
    request(url, "POST", "{\"name\":\"x\",\"config\":{}}", &wrong, &r);
    expect(&r, 401, NULL);
    snprintf(url, sizeof(url), "%s/admin/loggers", root);
    request(url, "GET", NULL, NULL, &r);
    expect(&r, 401, NULL);
    assert_int_equal(calls(), before);

    req_opts good = {.userpwd = "admin:s3cret"};
    canned(200, "[]");
    snprintf(url, sizeof(url), "%s/connectors", root);
    request(url, "GET", NULL, &good, &r);
    expect(&r, 200, "[]");
    /* The internal task-config POST and CORS preflights need no credentials. */
    canned(204, NULL);
    snprintf(url, sizeof(url), "%s/connectors/c/tasks", root);
    request(url, "POST", "[]", NULL, &r);
    expect(&r, 204, "");
    assert_string_equal(last_op, "put_task_configs");
    snprintf(url, sizeof(url), "%s/connectors", root);
    req_opts pre = {.headers = {"Origin: http://ui", "Access-Control-Request-Method: GET"}};
    request(url, "OPTIONS", NULL, &pre, &r);
    expect(&r, 200, "");
    rest_server_stop(s);
    sl_props_destroy(cfg);

    char err[512];
    cfg = props("rest.extension.classes", REST_BASIC_AUTH_EXTENSION, "rest.basic.auth.users.file",
                "/nonexistent/users", NULL);
    rest_options o = {.config = cfg};
    assert_null(rest_server_start("http://127.0.0.1:0", &full_herder, &o, err, sizeof(err)));
    assert_non_null(strstr(err, "/nonexistent/users"));
    sl_props_destroy(cfg);
}

static void test_cors_and_rules(void **state)
{
    (void)state;
    sl_props *cfg =
        props("access.control.allow.origin", "http://ui.example", "access.control.allow.methods",
              "GET,POST,PUT,DELETE", "response.http.headers.config",
              "set X-Frame-Options: DENY, add X-Extra: 1, add X-Extra: 2", NULL);
    rest_server *s = start("http://127.0.0.1:0", &full_herder, cfg);
    char url[128], buf[256];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/connectors", rest_server_port(s));
    resp r;
    req_opts pre = {.headers = {"Origin: http://ui.example", "Access-Control-Request-Method: PUT",
                                "Access-Control-Request-Headers: Content-Type"}};
    request(url, "OPTIONS", NULL, &pre, &r);
    expect(&r, 200, "");
    assert_string_equal(hdr(&r, "Access-Control-Allow-Origin", buf, sizeof(buf)),
                        "http://ui.example");
    assert_string_equal(hdr(&r, "Access-Control-Allow-Methods", buf, sizeof(buf)),
                        "GET,POST,PUT,DELETE");
    assert_string_equal(hdr(&r, "Access-Control-Max-Age", buf, sizeof(buf)), "1800");
    assert_string_equal(hdr(&r, "X-Frame-Options", buf, sizeof(buf)), "DENY");

    canned(200, "[]");
    req_opts simple = {.headers = {"Origin: http://ui.example"}};
    request(url, "GET", NULL, &simple, &r);
    expect(&r, 200, "[]");
    assert_string_equal(hdr(&r, "Access-Control-Allow-Origin", buf, sizeof(buf)),
                        "http://ui.example");
    assert_null(hdr(&r, "Access-Control-Allow-Methods", buf, sizeof(buf)));
    assert_int_equal(hdr_count(&r, "X-Extra"), 2);
    req_opts other = {.headers = {"Origin: http://evil.example"}};
    request(url, "GET", NULL, &other, &r);
    expect(&r, 200, NULL);
    assert_null(hdr(&r, "Access-Control-Allow-Origin", buf, sizeof(buf)));
    /* Errors carry the configured headers too. */
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/nope", rest_server_port(s));
    request(url, "GET", NULL, &simple, &r);
    expect(&r, 404, NULL);
    assert_string_equal(hdr(&r, "X-Frame-Options", buf, sizeof(buf)), "DENY");
    assert_non_null(hdr(&r, "Access-Control-Allow-Origin", buf, sizeof(buf)));
    rest_server_stop(s);
    sl_props_destroy(cfg);

    char err[512];
    cfg = props("response.http.headers.config", "replace X: y", NULL);
    rest_options o = {.config = cfg};
    assert_null(rest_server_start("http://127.0.0.1:0", &full_herder, &o, err, sizeof(err)));
    assert_non_null(strstr(err, "Invalid header config action"));
    sl_props_destroy(cfg);
}

/* ---- https ---- */

static char *pem_of_cert(X509 *x)
{
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(b, x);
    char *m;
    long n = BIO_get_mem_data(b, &m);
    char *s = strndup(m, (size_t)n);
    BIO_free(b);
    return s;
}

static char *pem_of_key(EVP_PKEY *k)
{
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
    char *m;
    long n = BIO_get_mem_data(b, &m);
    char *s = strndup(m, (size_t)n);
    BIO_free(b);
    return s;
}

/* A self-signed certificate for 127.0.0.1 (or a client CN), PEM cert and key. */
static void self_signed(const char *cn, bool ip_san, char **cert, char **key)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
    X509_gmtime_adj(X509_getm_notBefore(x), -60);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509_set_pubkey(x, k);
    if (ip_san) {
        X509V3_CTX ctx;
        X509V3_set_ctx_nodb(&ctx);
        X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
        X509_EXTENSION *ext =
            X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
        X509_add_ext(x, ext, -1);
        X509_EXTENSION_free(ext);
    }
    assert_true(X509_sign(x, k, EVP_sha256()) > 0);
    *cert = pem_of_cert(x);
    *key = pem_of_key(k);
    X509_free(x);
    EVP_PKEY_free(k);
}

static void test_https(void **state)
{
    (void)state;
    char *scert, *skey, *ccert, *ckey, *ocert, *okey;
    self_signed("localhost", true, &scert, &skey);
    self_signed("client", false, &ccert, &ckey);
    self_signed("stranger", false, &ocert, &okey);
    char chain_key[8192];
    snprintf(chain_key, sizeof(chain_key), "%s%s", scert, skey);
    char trust[8192];
    snprintf(trust, sizeof(trust), "%s%s", ccert, scert);
    sl_props *cfg = props("listeners.https.ssl.keystore.type", "PEM",
                          "listeners.https.ssl.keystore.certificate.chain", scert,
                          "listeners.https.ssl.keystore.key", skey,
                          "listeners.https.ssl.truststore.certificates", trust,
                          "listeners.https.ssl.client.auth", "required", NULL);
    rest_server *s = start("https://127.0.0.1:0", &full_herder, cfg);
    char url[128];
    snprintf(url, sizeof(url), "https://127.0.0.1:%d/", rest_server_port(s));
    assert_string_equal(rest_server_url(s), url);
    canned(200, "{\"version\":\"x\"}");
    resp r;
    req_opts with_cert = {.ca_pem = scert, .cert_pem = ccert, .key_pem = ckey};
    request(url, "GET", NULL, &with_cert, &r);
    assert_int_equal(r.rc, CURLE_OK);
    expect(&r, 200, "{\"version\":\"x\"}");
    req_opts no_cert = {.ca_pem = scert};
    request(url, "GET", NULL, &no_cert, &r);
    assert_int_not_equal(r.rc, CURLE_OK); /* the handshake fails: a certificate is required */
    req_opts stranger = {.ca_pem = scert, .cert_pem = ocert, .key_pem = okey};
    request(url, "GET", NULL, &stranger, &r);
    assert_int_not_equal(r.rc, CURLE_OK);
    req_opts untrusted_server = {.cert_pem = ccert, .key_pem = ckey};
    request(url, "GET", NULL, &untrusted_server, &r);
    assert_int_not_equal(r.rc, CURLE_OK); /* the client does not trust the server */

    /* The forwarder trusts the trust store and presents the key store's certificate (the
     * server's own, trusted by itself here), so it reaches the https worker. */
    forward_ctx fc = {.method = "GET", .target = "/connectors"};
    forward_ctx_set(&fc);
    herder_reply hr;
    herder_reply_init(&hr);
    canned(200, "[\"a\"]");
    forward_request(url, &hr);
    assert_int_equal(hr.status, 200);
    assert_string_equal(last_op, "list_connectors");
    herder_reply_fini(&hr);
    rest_server_stop(s);
    sl_props_destroy(cfg);

    /* requested: no certificate is fine, an untrusted one is not. */
    cfg = props("ssl.keystore.location", "", "ssl.keystore.type", "PEM",
                "ssl.keystore.certificate.chain", scert, "ssl.keystore.key", skey,
                "ssl.truststore.certificates", ccert, "ssl.client.auth", "requested", NULL);
    s = start("https://127.0.0.1:0,http://127.0.0.1:0", &full_herder, cfg);
    snprintf(url, sizeof(url), "https://127.0.0.1:%d/", rest_server_port(s));
    canned(200, "{}");
    request(url, "GET", NULL, &no_cert, &r);
    if (r.rc != CURLE_OK)
        fail_msg("requested, no certificate: %s", curl_easy_strerror(r.rc));
    expect(&r, 200, "{}");
    request(url, "GET", NULL, &with_cert, &r);
    expect(&r, 200, "{}");
    request(url, "GET", NULL, &stranger, &r);
    assert_int_not_equal(r.rc, CURLE_OK);
    /* http is advertised when the listeners include one. */
    assert_non_null(strstr(rest_server_url(s), "http://127.0.0.1:"));
    /* The forwarder now trusts only the client CA: the https worker is refused. */
    herder_reply_init(&hr);
    forward_request(url, &hr);
    assert_int_equal(hr.status, 500);
    assert_non_null(strstr(json_string_value(json_object_get(hr.body, "message")),
                           "IO Error trying to forward REST request"));
    herder_reply_fini(&hr);
    forward_ctx_set(NULL);
    rest_server_stop(s);
    sl_props_destroy(cfg);

    char err[512];
    cfg = props("listeners", "x", NULL);
    rest_options o = {.config = cfg};
    assert_null(rest_server_start("https://127.0.0.1:0", &full_herder, &o, err, sizeof(err)));
    assert_non_null(strstr(err, "ssl.keystore.location"));
    sl_props_destroy(cfg);
    free(scert), free(skey), free(ccert), free(ckey), free(ocert), free(okey);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/sluice-test-rest-routes-XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_openapi, setup, teardown),
        cmocka_unit_test_setup_teardown(test_offsets_topics, setup, teardown),
        cmocka_unit_test_setup_teardown(test_task_configs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_implemented, setup, teardown),
        cmocka_unit_test_setup_teardown(test_options_and_retry_after, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limits_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_loggers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_admin_listeners, setup, teardown),
        cmocka_unit_test_setup_teardown(test_basic_auth, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cors_and_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_https, setup, teardown),
    };
    int rc = cmocka_run_group_tests_name("rest_routes", tests, NULL, NULL);
    char cmd[200];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    curl_global_cleanup();
    return rc;
}
