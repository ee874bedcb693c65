/* tests/unit/rest_harness.h: fixtures for test_rest.c: a fake herder that records its calls
 * and returns canned replies, fake registry entries, and a small libcurl client. */
#ifndef SLUICE_TEST_REST_HARNESS_H
#define SLUICE_TEST_REST_HARNESS_H

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "herder/herder.h"
#include "plugin/registry.h"
#include "plugin/registry_internal.h"
#include "rest/rest_internal.h"
#include "rest/server.h"

/* ---- the fake herder ---- */

typedef struct fake_call {
    char op[48];
    char name[512];
    int task;
    bool flag1, flag2;
    char *json; /* the config/patch handed over, compact JSON (owned) */
    char initial_state[16];
} fake_call;

static pthread_mutex_t fake_lock = PTHREAD_MUTEX_INITIALIZER;
static fake_call last;
static int ncalls;
static int canned_status = 200;
static const char *canned_body = "{\"ok\":true}"; /* NULL = empty body */
static const char *canned_location = "";

static void record(const char *op, const char *name, int task, bool f1, bool f2, json_t *cfg,
                   const char *state, herder_reply *r)
{
    pthread_mutex_lock(&fake_lock);
    free(last.json);
    memset(&last, 0, sizeof(last));
    snprintf(last.op, sizeof(last.op), "%s", op);
    snprintf(last.name, sizeof(last.name), "%s", name ? name : "(null)");
    last.task = task;
    last.flag1 = f1;
    last.flag2 = f2;
    last.json = cfg ? json_dumps(cfg, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    snprintf(last.initial_state, sizeof(last.initial_state), "%s", state ? state : "(null)");
    ncalls++;
    json_t *body = canned_body ? json_loads(canned_body, JSON_DECODE_ANY, NULL) : NULL;
    herder_reply_json(r, canned_status, body);
    snprintf(r->location, sizeof(r->location), "%s", canned_location);
    pthread_mutex_unlock(&fake_lock);
}

static void f_server_info(herder *h, herder_reply *r)
{
    (void)h;
    record("server_info", NULL, 0, false, false, NULL, NULL, r);
}
static void f_list(herder *h, bool es, bool ei, herder_reply *r)
{
    (void)h;
    record("list_connectors", NULL, 0, es, ei, NULL, NULL, r);
}
static void f_create(herder *h, const char *name, json_t *config, const char *st, herder_reply *r)
{
    (void)h;
    record("create_connector", name, 0, false, false, config, st, r);
}
static void f_put_config(herder *h, const char *name, json_t *config, herder_reply *r)
{
    (void)h;
    record("put_connector_config", name, 0, false, false, config, NULL, r);
}
static void f_patch_config(herder *h, const char *name, json_t *patch, herder_reply *r)
{
    (void)h;
    record("patch_connector_config", name, 0, false, false, patch, NULL, r);
}
#define NAME_OP(fn, label)                                                                         \
    static void fn(herder *h, const char *name, herder_reply *r)                                   \
    {                                                                                              \
        (void)h;                                                                                   \
        record(label, name, 0, false, false, NULL, NULL, r);                                       \
    }
/* "slow" blocks until released, to show that one slow herder call does not hold up others. */
static pthread_mutex_t slow_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t slow_cond = PTHREAD_COND_INITIALIZER;
static bool slow_entered, slow_release;
static void f_get_connector(herder *h, const char *name, herder_reply *r)
{
    (void)h;
    if (strcmp(name, "slow") == 0) {
        pthread_mutex_lock(&slow_lock);
        slow_entered = true;
        pthread_cond_broadcast(&slow_cond);
        while (!slow_release)
            pthread_cond_wait(&slow_cond, &slow_lock);
        pthread_mutex_unlock(&slow_lock);
    }
    record("get_connector", name, 0, false, false, NULL, NULL, r);
}
NAME_OP(f_get_config, "get_connector_config")
NAME_OP(f_get_status, "get_connector_status")
NAME_OP(f_get_tasks, "get_connector_tasks")
NAME_OP(f_pause, "pause_connector")
NAME_OP(f_resume, "resume_connector")
NAME_OP(f_stop, "stop_connector")
NAME_OP(f_delete, "delete_connector")
static void f_task_status(herder *h, const char *name, int task, herder_reply *r)
{
    (void)h;
    record("get_task_status", name, task, false, false, NULL, NULL, r);
}
static void f_restart(herder *h, const char *name, bool it, bool of, herder_reply *r)
{
    (void)h;
    record("restart_connector", name, 0, it, of, NULL, NULL, r);
}
static void f_restart_task(herder *h, const char *name, int task, herder_reply *r)
{
    (void)h;
    record("restart_task", name, task, false, false, NULL, NULL, r);
}
static void f_validate(herder *h, const char *plugin, json_t *config, herder_reply *r)
{
    (void)h;
    record("validate_config", plugin, 0, false, false, config, NULL, r);
}

static const herder_ops fake_ops = {
    .server_info = f_server_info,
    .list_connectors = f_list,
    .create_connector = f_create,
    .put_connector_config = f_put_config,
    .patch_connector_config = f_patch_config,
    .get_connector = f_get_connector,
    .get_connector_config = f_get_config,
    .get_connector_status = f_get_status,
    .get_connector_tasks = f_get_tasks,
    .get_task_status = f_task_status,
    .restart_connector = f_restart,
    .restart_task = f_restart_task,
    .pause_connector = f_pause,
    .resume_connector = f_resume,
    .stop_connector = f_stop,
    .delete_connector = f_delete,
    .validate_config = f_validate,
};
static herder fake_herder = {.ops = &fake_ops};

static void canned(int status, const char *body, const char *location)
{
    pthread_mutex_lock(&fake_lock);
    canned_status = status;
    canned_body = body;
    canned_location = location ? location : "";
    pthread_mutex_unlock(&fake_lock);
}

static int calls(void)
{
    pthread_mutex_lock(&fake_lock);
    int n = ncalls;
    pthread_mutex_unlock(&fake_lock);
    return n;
}

/* ---- a fake plugin registered straight into the registry ---- */

static const sl_config_def fake_sink_config[] = {
    {.name = "fake.path", .type = SL_CFG_STRING, .required = true, .doc = "Where to write"},
    /* Overrides the framework's tasks.max: the plugin's definition wins. */
    {.name = "tasks.max", .type = SL_CFG_INT, .default_value = "5", .doc = "Fake tasks"},
    SL_CONFIG_END,
};
static const sl_connector_def fake_sink = {
    .struct_size = sizeof(sl_connector_def),
    .class_name = "org.example.FakeSinkConnector",
    .version = "1.2.3",
    .kind = SL_CONNECTOR_SINK,
    .config = fake_sink_config,
};
static const sl_connector_def fake_source = {
    .struct_size = sizeof(sl_connector_def),
    .class_name = "org.example.FakeSourceConnector",
    .kind = SL_CONNECTOR_SOURCE,
};
static const sl_transform_def fake_transform = {
    .struct_size = sizeof(sl_transform_def),
    .class_name = "org.example.Fake$Value",
    .version = "undefined",
};

/* ---- HTTP client ---- */

static rest_server *srv;
static char base[64];

typedef struct http_resp {
    long status;
    char *body;
    size_t len;
    char ctype[128];
    char location[512];
    char allow[128];
} http_resp;

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    http_resp *r = ud;
    size_t add = size * n;
    char *b = realloc(r->body, r->len + add + 1);
    assert_non_null(b);
    memcpy(b + r->len, p, add);
    r->len += add;
    b[r->len] = '\0';
    r->body = b;
    return add;
}

static void header_value(const char *line, size_t len, const char *name, char *out, size_t size)
{
    size_t nl = strlen(name);
    if (len <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
        return;
    const char *v = line + nl + 1;
    size_t vl = len - nl - 1;
    while (vl > 0 && *v == ' ')
        v++, vl--;
    while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
        vl--;
    snprintf(out, size, "%.*s", (int)vl, v);
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    http_resp *r = ud;
    header_value(p, size * n, "Content-Type", r->ctype, sizeof(r->ctype));
    header_value(p, size * n, "Location", r->location, sizeof(r->location));
    header_value(p, size * n, "Allow", r->allow, sizeof(r->allow));
    return size * n;
}

typedef struct chunk_src {
    const char *data; /* NULL = spaces */
    size_t left;
} chunk_src;

static size_t chunk_read(char *buf, size_t size, size_t n, void *ud)
{
    chunk_src *c = ud;
    size_t want = size * n < c->left ? size * n : c->left;
    if (c->data) {
        memcpy(buf, c->data, want);
        c->data += want;
    } else {
        memset(buf, ' ', want);
    }
    c->left -= want;
    return want;
}

/* One request. `ctype` NULL sends no Content-Type; `body` NULL sends none. `chunked` > 0 sends
 * that many bytes of `body` (or spaces if NULL) with chunked transfer encoding. */
static void http_to(const char *root, const char *method, const char *path, const char *ctype,
                    const char *body, size_t body_len, size_t chunked, http_resp *out)
{
    memset(out, 0, sizeof(*out));
    CURL *c = curl_easy_init();
    assert_non_null(c);
    char url[4096];
    snprintf(url, sizeof(url), "%s%s", root, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, out);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    struct curl_slist *hdrs = NULL;
    char ct[256];
    snprintf(ct, sizeof(ct), "Content-Type: %s", ctype ? ctype : "");
    if (ctype == NULL)
        snprintf(ct, sizeof(ct), "Content-Type:"); /* suppress curl's form default */
    hdrs = curl_slist_append(hdrs, ct);
    hdrs = curl_slist_append(hdrs, "Expect:");
    chunk_src src = {.data = body, .left = chunked};
    if (chunked > 0) {
        hdrs = curl_slist_append(hdrs, "Transfer-Encoding: chunked");
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, chunk_read);
        curl_easy_setopt(c, CURLOPT_READDATA, &src);
    } else if (body != NULL) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK && !(chunked > 0 && (rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR ||
                                            rc == CURLE_GOT_NOTHING)))
        fail_msg("%s %s: %s", method, path, curl_easy_strerror(rc));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(c);
}

static void http(const char *method, const char *path, const char *body, http_resp *out)
{
    http_to(base, method, path, body ? "application/json" : NULL, body, body ? strlen(body) : 0, 0,
            out);
}

static void resp_free(http_resp *r)
{
    free(r->body);
    r->body = NULL;
}

/* Assert status, JSON content type, and (when non-NULL) the exact body. */
static void expect(http_resp *r, long status, const char *body)
{
    if (r->status != status)
        fail_msg("status %ld, expected %ld; body %s", r->status, status,
                 r->body ? r->body : "(none)");
    assert_string_equal(r->ctype, "application/json");
    if (body != NULL)
        assert_string_equal(r->body ? r->body : "", body);
}

/* The error message of a Connect error body, checked for shape and code. */
static char *error_message(http_resp *r)
{
    json_error_t err;
    json_t *v = json_loads(r->body ? r->body : "", 0, &err);
    if (v == NULL)
        fail_msg("not JSON: %s", r->body ? r->body : "(none)");
    assert_int_equal(json_integer_value(json_object_get(v, "error_code")), r->status);
    assert_int_equal(json_object_size(v), 2);
    char *msg = strdup(json_string_value(json_object_get(v, "message")));
    json_decref(v);
    return msg;
}

static void expect_error(http_resp *r, long status, const char *substring)
{
    expect(r, status, NULL);
    char *msg = error_message(r);
    if (strstr(msg, substring) == NULL)
        fail_msg("message '%s' lacks '%s'", msg, substring);
    free(msg);
}

static int setup(void **state)
{
    (void)state;
    char err[512];
    srv = rest_server_start("http://127.0.0.1:0", &fake_herder, NULL, err, sizeof(err));
    if (srv == NULL)
        fail_msg("start: %s", err);
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", rest_server_port(srv));
    canned(200, "{\"ok\":true}", NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rest_server_stop(srv);
    srv = NULL;
    free(last.json);
    last.json = NULL;
    return 0;
}

#endif
