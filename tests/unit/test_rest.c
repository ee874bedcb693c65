/* tests/unit/test_rest.c: the REST server over real HTTP (libcurl and raw sockets) against a
 * fake herder: routing, arguments, status codes, body checks, limits and hostile input. */
#include "rest_harness.h"

static void test_start_errors(void **state)
{
    (void)state;
    char err[256];
    assert_null(rest_server_start("https://127.0.0.1:0", &fake_herder, NULL, err, sizeof(err)));
    assert_non_null(strstr(err, "https"));
    assert_null(rest_server_start("http://127.0.0.1", &fake_herder, NULL, err, sizeof(err)));
    assert_non_null(strstr(err, "http://127.0.0.1"));
    assert_null(rest_server_start("", &fake_herder, NULL, err, sizeof(err)));
    assert_null(
        rest_server_start("http://no-such-host.invalid:0", &fake_herder, NULL, err, sizeof(err)));
    assert_non_null(strstr(err, "no-such-host.invalid"));
    /* Port already bound by our own server. */
    char busy[64];
    snprintf(busy, sizeof(busy), "http://127.0.0.1:%d", rest_server_port(srv));
    assert_null(rest_server_start(busy, &fake_herder, NULL, err, sizeof(err)));
    assert_non_null(strstr(err, "127.0.0.1"));
}

/* ---- over HTTP ---- */

static void test_root_and_list(void **state)
{
    (void)state;
    http_resp r;
    canned(200, "{\"version\":\"1.0\",\"commit\":\"abc\",\"kafka_cluster_id\":\"k\"}", NULL);
    http("GET", "/", NULL, &r);
    expect(&r, 200, "{\"version\":\"1.0\",\"commit\":\"abc\",\"kafka_cluster_id\":\"k\"}");
    assert_string_equal(last.op, "server_info");
    resp_free(&r);

    http("HEAD", "/", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_null(r.body);
    resp_free(&r);

    canned(200, "[\"a\",\"b\"]", NULL);
    http("GET", "/connectors", NULL, &r);
    expect(&r, 200, "[\"a\",\"b\"]");
    assert_string_equal(last.op, "list_connectors");
    assert_false(last.flag1);
    assert_false(last.flag2);
    resp_free(&r);

    http("GET", "/connectors/?expand=status", NULL, &r);
    expect(&r, 200, NULL);
    assert_true(last.flag1);
    assert_false(last.flag2);
    resp_free(&r);

    http("GET", "/connectors?expand=info&expand=status", NULL, &r);
    assert_true(last.flag1);
    assert_true(last.flag2);
    resp_free(&r);

    http("GET", "/connectors?expand=bogus&other=1", NULL, &r);
    expect(&r, 200, NULL);
    assert_false(last.flag1);
    assert_false(last.flag2);
    resp_free(&r);
}

static void test_create(void **state)
{
    (void)state;
    http_resp r;
    canned(201, "{\"name\":\"my conn\",\"config\":{},\"tasks\":[],\"type\":\"sink\"}",
           "/connectors/my%20conn");
    http("POST", "/connectors",
         "{\"name\":\"  my conn \",\"config\":{\"connector.class\":\"X\",\"tasks.max\":2},"
         "\"initial_state\":\"paused\"}",
         &r);
    expect(&r, 201, "{\"name\":\"my conn\",\"config\":{},\"tasks\":[],\"type\":\"sink\"}");
    assert_string_equal(r.location, "/connectors/my%20conn");
    assert_string_equal(last.op, "create_connector");
    assert_string_equal(last.name, "my conn");
    assert_string_equal(last.json, "{\"connector.class\":\"X\",\"tasks.max\":\"2\"}");
    assert_string_equal(last.initial_state, "PAUSED");
    resp_free(&r);

    /* A missing name is passed on as "" (Connect), a missing initial_state as NULL. */
    http("POST", "/connectors", "{\"config\":{}}", &r);
    assert_string_equal(last.name, "");
    assert_string_equal(last.initial_state, "(null)");
    resp_free(&r);

    /* Content types: parameters and case do not matter. */
    http_to(base, "POST", "/connectors", "Application/Json; charset=utf-8", "{\"config\":{}}", 13,
            0, &r);
    expect(&r, 201, NULL);
    resp_free(&r);

    /* Herder errors pass through untouched. */
    canned(409, "{\"error_code\":409,\"message\":\"Connector x already exists\"}", NULL);
    http("POST", "/connectors", "{\"name\":\"x\",\"config\":{}}", &r);
    expect(&r, 409, "{\"error_code\":409,\"message\":\"Connector x already exists\"}");
    resp_free(&r);
}

static void test_create_rejects(void **state)
{
    (void)state;
    http_resp r;
    canned(201, "{}", NULL);
    int before = calls();
    struct {
        const char *body;
        const char *msg;
    } cases[] = {
        {"{\"name\":\"a\",\"config\":{", "line 1"},         /* truncated */
        {"{\"name\":\"a\" \"config\":{}}", "Invalid JSON"}, /* malformed */
        {"{\"name\":\"a\",\n\"config\":{},}", "line 2"},
        {"[]", "must be a JSON object"},
        {"\"x\"", "must be a JSON object"},
        {"{\"name\":\"a\",\"config\":[]}", "must be a JSON object"},
        {"{\"name\":\"a\",\"config\":\"x\"}", "must be a JSON object"},
        {"{\"name\":\"a\",\"config\":{\"tasks.max\":{\"n\":1}}}", "tasks.max"},
        {"{\"name\":\"a\",\"config\":{\"topics\":[\"t\"]}}", "topics"},
        {"{\"name\":\"a\",\"config\":{\"k\":null}}", "Null value"},
        {"{\"name\":[],\"config\":{}}", "name"},
        {"{\"name\":\"a\",\"config\":{},\"initial_state\":\"RUNNNING\"}", "RUNNNING"},
        {"{\"name\":\"a\",\"config\":{},\"initial_state\":1}", "initial_state"},
        {"{\"name\":\"a\"}", "config"},
        {"", "empty"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        http("POST", "/connectors", cases[i].body, &r);
        expect_error(&r, 400, cases[i].msg);
        resp_free(&r);
    }
    /* Invalid UTF-8, in a string and raw. */
    const char bad_utf8[] = "{\"name\":\"a\xff\",\"config\":{}}";
    http_to(base, "POST", "/connectors", "application/json", bad_utf8, sizeof(bad_utf8) - 1, 0, &r);
    expect_error(&r, 400, "UTF-8");
    resp_free(&r);
    const char surrogate[] = "{\"name\":\"\xed\xa0\x80\",\"config\":{}}";
    http_to(base, "POST", "/connectors", "application/json", surrogate, sizeof(surrogate) - 1, 0,
            &r);
    expect_error(&r, 400, "UTF-8");
    resp_free(&r);

    /* 415: no Content-Type, or not JSON (Connect's exact body). */
    http_to(base, "POST", "/connectors", NULL, "{\"config\":{}}", 13, 0, &r);
    expect(&r, 415, "{\"error_code\":415,\"message\":\"HTTP 415 Unsupported Media Type\"}");
    resp_free(&r);
    http_to(base, "PUT", "/connectors/a/config", "text/plain", "{}", 2, 0, &r);
    expect(&r, 415, "{\"error_code\":415,\"message\":\"HTTP 415 Unsupported Media Type\"}");
    resp_free(&r);
    http_to(base, "POST", "/connectors", "application/x-www-form-urlencoded", "a=b", 3, 0, &r);
    expect(&r, 415, NULL);
    resp_free(&r);

    assert_int_equal(calls(), before);
}

static void test_connector_routes(void **state)
{
    (void)state;
    http_resp r;
    canned(200, "{\"x\":1}", NULL);
    struct {
        const char *method, *path, *op, *name;
        int task;
    } cases[] = {
        {"GET", "/connectors/my%20conn", "get_connector", "my conn", 0},
        {"GET", "/connectors/a.b-c_d", "get_connector", "a.b-c_d", 0},
        {"GET", "/connectors/a%2Fb", "get_connector", "a/b", 0},
        {"GET", "/connectors/%C3%A9t%C3%A9/", "get_connector", "\xc3\xa9t\xc3\xa9", 0},
        {"GET", "/connectors/config", "get_connector", "config", 0},
        {"GET", "/connectors/c1/config", "get_connector_config", "c1", 0},
        {"GET", "/connectors/c1/status", "get_connector_status", "c1", 0},
        {"GET", "/connectors/c1/tasks", "get_connector_tasks", "c1", 0},
        {"GET", "/connectors/c1/tasks/3/status", "get_task_status", "c1", 3},
        {"GET", "/connectors/c1/tasks/-1/status", "get_task_status", "c1", -1},
        {"GET", "/connectors/c1/tasks/+7/status", "get_task_status", "c1", 7},
        {"POST", "/connectors/c%201/tasks/2/restart", "restart_task", "c 1", 2},
        {"PUT", "/connectors/c1/pause", "pause_connector", "c1", 0},
        {"PUT", "/connectors/c1/resume", "resume_connector", "c1", 0},
        {"PUT", "/connectors/c1/stop", "stop_connector", "c1", 0},
        {"DELETE", "/connectors/c1", "delete_connector", "c1", 0},
        {"HEAD", "/connectors/c1/status", "get_connector_status", "c1", 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        http(cases[i].method, cases[i].path, NULL, &r);
        assert_int_equal(r.status, 200);
        assert_string_equal(r.ctype, "application/json");
        if (strcmp(last.op, cases[i].op) != 0 || strcmp(last.name, cases[i].name) != 0)
            fail_msg("%s %s went to %s(%s)", cases[i].method, cases[i].path, last.op, last.name);
        assert_int_equal(last.task, cases[i].task);
        resp_free(&r);
    }

    /* Restart flags, Jersey's Boolean.valueOf. */
    struct {
        const char *q;
        bool it, of;
    } flags[] = {{"", false, false},
                 {"?includeTasks=true", true, false},
                 {"?includeTasks=TRUE&onlyFailed=true", true, true},
                 {"?onlyFailed=true&onlyFailed=false", false, true},
                 {"?includeTasks=yes&onlyFailed=1", false, false}};
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        char path[128];
        snprintf(path, sizeof(path), "/connectors/c1/restart%s", flags[i].q);
        http("POST", path, NULL, &r);
        assert_string_equal(last.op, "restart_connector");
        assert_int_equal(last.flag1, flags[i].it);
        assert_int_equal(last.flag2, flags[i].of);
        resp_free(&r);
    }

    /* Status codes and empty bodies pass through. */
    canned(204, NULL, NULL);
    http("DELETE", "/connectors/c1", NULL, &r);
    assert_int_equal(r.status, 204);
    assert_null(r.body);
    resp_free(&r);
    canned(202, NULL, NULL);
    http("PUT", "/connectors/c1/pause", NULL, &r);
    assert_int_equal(r.status, 202);
    assert_int_equal(r.len, 0);
    resp_free(&r);
    canned(404, "{\"error_code\":404,\"message\":\"Connector c9 not found\"}", NULL);
    http("GET", "/connectors/c9", NULL, &r);
    expect(&r, 404, "{\"error_code\":404,\"message\":\"Connector c9 not found\"}");
    resp_free(&r);
    /* A bodiless route ignores what is sent along. */
    canned(204, NULL, NULL);
    http_to(base, "POST", "/connectors/c1/restart", "application/x-www-form-urlencoded", "", 0, 0,
            &r);
    assert_int_equal(r.status, 204);
    resp_free(&r);
}

static void test_config_routes(void **state)
{
    (void)state;
    http_resp r;
    canned(200, "{}", NULL);
    http("PUT", "/connectors/my%20c/config", "{\"connector.class\":\"X\",\"tasks.max\":\"1\"}", &r);
    expect(&r, 200, "{}");
    assert_string_equal(last.op, "put_connector_config");
    assert_string_equal(last.name, "my c");
    /* name filled in from the URL */
    assert_string_equal(last.json,
                        "{\"connector.class\":\"X\",\"name\":\"my c\",\"tasks.max\":\"1\"}");
    resp_free(&r);

    canned(201, "{}", "/connectors/c2");
    http("PUT", "/connectors/c2/config", "{\"name\":\"c2\",\"b\":true}", &r);
    expect(&r, 201, "{}");
    assert_string_equal(r.location, "/connectors/c2");
    assert_string_equal(last.json, "{\"b\":\"true\",\"name\":\"c2\"}");
    resp_free(&r);

    int before = calls();
    http("PUT", "/connectors/c2/config", "{\"name\":\"other\"}", &r);
    expect(&r, 400,
           "{\"error_code\":400,\"message\":\"Connector name configuration (other) doesn't match "
           "connector name in the URL (c2)\"}");
    resp_free(&r);
    http("PUT", "/connectors/c2/config", "{\"k\":null}", &r);
    expect_error(&r, 400, "'k'");
    resp_free(&r);
    http("PUT", "/connectors/c2/config", "[\"k\"]", &r);
    expect_error(&r, 400, "JSON object");
    resp_free(&r);
    http("PATCH", "/connectors/c2/config", "{\"k\":{}}", &r);
    expect_error(&r, 400, "'k'");
    resp_free(&r);
    assert_int_equal(calls(), before);

    canned(200, "{}", NULL);
    http("PATCH", "/connectors/c2/config", "{\"k\":null,\"n\":5}", &r);
    expect(&r, 200, "{}");
    assert_string_equal(last.op, "patch_connector_config");
    assert_string_equal(last.json, "{\"k\":null,\"n\":\"5\"}");
    resp_free(&r);
}

static void test_plugins(void **state)
{
    (void)state;
    http_resp r;
    http("GET", "/connector-plugins", NULL, &r);
    expect(&r, 200,
           "[{\"class\":\"org.example.FakeSinkConnector\",\"type\":\"sink\",\"version\":\"1.2.3\"},"
           "{\"class\":\"org.example.FakeSourceConnector\",\"type\":\"source\"}]");
    resp_free(&r);
    http("GET", "/connector-plugins?connectorsOnly=TRUE", NULL, &r);
    expect(&r, 200, NULL);
    assert_null(strstr(r.body, "transformation"));
    resp_free(&r);
    http("GET", "/connector-plugins?connectorsOnly=false", NULL, &r);
    expect(&r, 200, NULL);
    /* "undefined" versions are omitted too */
    assert_non_null(
        strstr(r.body, "{\"class\":\"org.example.Fake$Value\",\"type\":\"transformation\"}"));
    resp_free(&r);

    /* ConfigKeyInfo list: the plugin's keys first, then the framework's connector keys. */
    http("GET", "/connector-plugins/FakeSink/config", NULL, &r);
    expect(&r, 200, NULL);
    json_t *keys = json_loads(r.body, 0, NULL);
    assert_true(json_is_array(keys));
    assert_true(json_array_size(keys) > 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(keys, 0), "name")),
                        "fake.path");
    assert_true(json_is_true(json_object_get(json_array_get(keys, 0), "required")));
    json_t *tm = json_array_get(keys, 1);
    assert_string_equal(json_string_value(json_object_get(tm, "name")), "tasks.max");
    assert_string_equal(json_string_value(json_object_get(tm, "default_value")), "5");
    int n_tasks_max = 0;
    bool has_class = false;
    for (size_t i = 0; i < json_array_size(keys); i++) {
        const char *k = json_string_value(json_object_get(json_array_get(keys, i), "name"));
        n_tasks_max += strcmp(k, "tasks.max") == 0;
        has_class |= strcmp(k, "connector.class") == 0;
    }
    assert_int_equal(n_tasks_max, 1);
    assert_true(has_class);
    json_decref(keys);
    resp_free(&r);
    /* By full name too; a transform without keys has an empty list. */
    http("GET", "/connector-plugins/org.example.FakeSinkConnector/config", NULL, &r);
    expect(&r, 200, NULL);
    resp_free(&r);
    http("GET", "/connector-plugins/org.example.Fake%24Value/config", NULL, &r);
    expect(&r, 200, "[]");
    resp_free(&r);

    http("GET", "/connector-plugins/Nope/config", NULL, &r);
    expect(&r, 404, "{\"error_code\":404,\"message\":\"Unknown plugin Nope.\"}");
    resp_free(&r);

    canned(200, "{\"name\":\"x\",\"error_count\":0,\"groups\":[],\"configs\":[]}", NULL);
    http("PUT", "/connector-plugins/FakeSink/config/validate",
         "{\"connector.class\":\"org.example.FakeSinkConnector\",\"topics\":null}", &r);
    expect(&r, 200, "{\"name\":\"x\",\"error_count\":0,\"groups\":[],\"configs\":[]}");
    assert_string_equal(last.op, "validate_config");
    assert_string_equal(last.name, "FakeSink");
    assert_string_equal(last.json,
                        "{\"connector.class\":\"org.example.FakeSinkConnector\",\"topics\":null}");
    resp_free(&r);
    /* The plugin in the URL may carry the Connector suffix; a missing class goes on. */
    http("PUT", "/connector-plugins/FakeSinkConnector/config/validate",
         "{\"connector.class\":\"FakeSink\"}", &r);
    expect(&r, 200, NULL);
    resp_free(&r);
    http("PUT", "/connector-plugins/FakeSink/config/validate", "{}", &r);
    expect(&r, 200, NULL);
    assert_string_equal(last.json, "{}");
    resp_free(&r);
    int before = calls();
    http("PUT", "/connector-plugins/FakeSink/config/validate",
         "{\"connector.class\":\"org.example.FakeSourceConnector\"}", &r);
    expect(&r, 400,
           "{\"error_code\":400,\"message\":\"Included connector type "
           "org.example.FakeSourceConnector does not match request type FakeSink\"}");
    resp_free(&r);
    assert_int_equal(calls(), before);
}

static void test_not_found_and_method(void **state)
{
    (void)state;
    http_resp r;
    int before = calls();
    const char *paths[] = {"/nope",
                           "/connectors/c1/bogus",
                           "/connectors/c1/tasks/abc/status",
                           "/connectors/c1/tasks/99999999999/status",
                           "/connectors/c1/tasks/1.5/restart",
                           "/connectors/c1/tasks/%201/status",
                           "/connectors//status",
                           "/connector-plugins/x",
                           "/a/b/c/d/e/f/g/h/i/j"};
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        http("GET", paths[i], NULL, &r);
        expect(&r, 404, "{\"error_code\":404,\"message\":\"HTTP 404 Not Found\"}");
        resp_free(&r);
    }
    http("POST", "/connectors/c1/tasks/x/restart", NULL, &r);
    expect(&r, 404, NULL);
    resp_free(&r);

    http("DELETE", "/connectors", NULL, &r);
    expect(&r, 405, "{\"error_code\":405,\"message\":\"HTTP 405 Method Not Allowed\"}");
    assert_string_equal(r.allow, "GET, POST");
    resp_free(&r);
    http("POST", "/connectors/c1/config", "{}", &r);
    expect(&r, 405, NULL);
    assert_string_equal(r.allow, "GET, PUT, PATCH");
    resp_free(&r);
    http("GET", "/connectors/c1/pause", NULL, &r);
    expect(&r, 405, NULL);
    resp_free(&r);
    http("FOO", "/connectors", NULL, &r);
    expect(&r, 405, NULL);
    resp_free(&r);
    http("FOO", "/elsewhere", NULL, &r);
    expect(&r, 404, NULL);
    resp_free(&r);
    http("GET", "/connectors/%zz", NULL, &r);
    expect_error(&r, 400, "percent");
    resp_free(&r);
    assert_int_equal(calls(), before);
}

/* A raw exchange for what curl will not send: returns the status of the reply, or 0 if the
 * server closed without answering. */
static int raw_exchange(const char *data, size_t len)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(rest_server_port(srv))};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    struct timeval tv = {.tv_sec = 10};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    size_t off = 0;
    while (off < len) {
        ssize_t w = send(fd, data + off, len - off, MSG_NOSIGNAL);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    char buf[256] = {0};
    ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
    close(fd);
    int status = 0;
    if (n > 12)
        sscanf(buf, "HTTP/1.%*d %d", &status);
    return status;
}

static void still_alive(void)
{
    http_resp r;
    canned(200, "{}", NULL);
    http("GET", "/", NULL, &r);
    expect(&r, 200, "{}");
    resp_free(&r);
}

static void *slow_client(void *arg)
{
    http_resp *r = arg;
    http("GET", "/connectors/slow", NULL, r);
    return NULL;
}

static void test_concurrent(void **state)
{
    (void)state;
    canned(200, "{}", NULL);
    pthread_t t;
    http_resp slow;
    pthread_create(&t, NULL, slow_client, &slow);
    pthread_mutex_lock(&slow_lock);
    while (!slow_entered)
        pthread_cond_wait(&slow_cond, &slow_lock);
    pthread_mutex_unlock(&slow_lock);
    /* The slow call holds one server thread; others are still served. */
    for (int i = 0; i < 3; i++)
        still_alive();
    pthread_mutex_lock(&slow_lock);
    slow_release = true;
    pthread_cond_broadcast(&slow_cond);
    pthread_mutex_unlock(&slow_lock);
    pthread_join(t, NULL);
    expect(&slow, 200, "{}");
    resp_free(&slow);
}

static void test_hostile(void **state)
{
    (void)state;
    /* Garbage request lines and headers. */
    const char *junk[] = {"GARBAGE\r\n\r\n",
                          "GET\r\n\r\n",
                          "\x01\x02\x03\r\n\r\n",
                          "GET /connectors HTTP/9.9\r\nHost: x\r\n\r\n",
                          "POST /connectors HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
                          "POST /connectors HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                          "Content-Type: application/json\r\n\r\nzz\r\n"};
    for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
        int status = raw_exchange(junk[i], strlen(junk[i]));
        assert_true(status == 0 || (status >= 400 && status < 600));
        still_alive();
    }
    /* A huge header and a huge URL. */
    size_t big = 200 * 1024;
    char *req = malloc(big + 256);
    assert_non_null(req);
    int n = snprintf(req, 256, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: ");
    memset(req + n, 'a', big);
    memcpy(req + n + big, "\r\n\r\n", 5);
    int status = raw_exchange(req, (size_t)n + big + 4);
    assert_true(status == 0 || status == 413 || status == 431);
    still_alive();
    n = snprintf(req, 256, "GET /connectors/");
    memset(req + n, 'a', big);
    static const char tail[] = " HTTP/1.1\r\nHost: x\r\n\r\n";
    memcpy(req + n + big, tail, sizeof(tail));
    status = raw_exchange(req, (size_t)n + big + sizeof(tail) - 1);
    assert_true(status == 0 || status == 414 || status == 413 || status == 431);
    free(req);
    still_alive();

    /* Deep nesting and a NUL in a JSON string are refused, not crashed on. */
    size_t depth = 100000;
    char *deep = malloc(depth + 1);
    memset(deep, '[', depth);
    deep[depth] = '\0';
    http_resp r;
    http("POST", "/connectors", deep, &r);
    expect_error(&r, 400, "Invalid JSON");
    resp_free(&r);
    free(deep);
    http("POST", "/connectors", "{\"name\":\"a\\u0000b\",\"config\":{}}", &r);
    expect_error(&r, 400, "Invalid JSON");
    resp_free(&r);
    still_alive();
}

static void test_body_limit(void **state)
{
    (void)state;
    char err[256];
    rest_options o = {.max_body_bytes = 1000};
    rest_server *small =
        rest_server_start("http://localhost:0", &fake_herder, &o, err, sizeof(err));
    assert_non_null(small);
    char root[64];
    snprintf(root, sizeof(root), "http://127.0.0.1:%d", rest_server_port(small));
    char url[64];
    snprintf(url, sizeof(url), "http://localhost:%d/", rest_server_port(small));
    assert_string_equal(rest_server_url(small), url);

    int before = calls();
    char *body = malloc(5000);
    memset(body, ' ', 5000);
    memcpy(body, "{\"config\":{}}", 13);
    http_resp r;
    /* A chunked upload that goes on far past the limit loses its connection. */
    http_to(root, "POST", "/connectors", "application/json", NULL, 0, 20u * 1024 * 1024, &r);
    assert_true(r.status == 0 || r.status == 413);
    resp_free(&r);
    http_to(root, "POST", "/connectors", "application/json", body, 1001, 0, &r);
    expect_error(&r, 413, "1000 bytes");
    resp_free(&r);
    http_to(root, "POST", "/connectors", "application/json", body, 5000, 0, &r);
    expect(&r, 413, NULL);
    resp_free(&r);
    /* Without Content-Length (chunked): cut off once past the limit. */
    http_to(root, "POST", "/connectors", "application/json", NULL, 0, 64 * 1024, &r);
    assert_int_equal(r.status, 413);
    resp_free(&r);
    assert_int_equal(calls(), before);
    /* At the limit is fine, and the server still answers. */
    canned(201, "{}", NULL);
    http_to(root, "POST", "/connectors", "application/json", body, 1000, 0, &r);
    expect(&r, 201, "{}");
    resp_free(&r);
    http_to(root, "POST", "/connectors", "application/json", body, 0, 1000, &r);
    expect(&r, 201, NULL);
    resp_free(&r);
    free(body);
    rest_server_stop(small);

    /* The default limit is 10 MiB. */
    size_t big = REST_DEFAULT_MAX_BODY + 1;
    body = malloc(big);
    memset(body, ' ', big);
    http_to(base, "PUT", "/connectors/a/config", "application/json", body, big, 0, &r);
    expect_error(&r, 413, "10485760");
    resp_free(&r);
    free(body);
    still_alive();
}

static void test_no_herder_yet(void **state)
{
    (void)state;
    char err[256];
    rest_server *s = rest_server_start("http://127.0.0.1:0", NULL, NULL, err, sizeof(err));
    assert_non_null(s);
    char root[64];
    snprintf(root, sizeof(root), "http://127.0.0.1:%d", rest_server_port(s));
    http_resp r;
    http_to(root, "GET", "/connectors", NULL, NULL, 0, 0, &r);
    expect_error(&r, 503, "starting");
    resp_free(&r);
    /* The plugin list needs no herder. */
    http_to(root, "GET", "/connector-plugins", NULL, NULL, 0, 0, &r);
    expect(&r, 200, NULL);
    resp_free(&r);
    rest_server_set_herder(s, &fake_herder);
    canned(200, "[]", NULL);
    http_to(root, "GET", "/connectors", NULL, NULL, 0, 0, &r);
    expect(&r, 200, "[]");
    resp_free(&r);
    rest_server_stop(s);
}

static void test_advertised_url(void **state)
{
    (void)state;
    char err[256];
    rest_options o = {.advertised_host = "worker-1.example", .advertised_port = 18083};
    rest_server *s = rest_server_start("http://127.0.0.1:0, http://127.0.0.1:0", &fake_herder, &o,
                                       err, sizeof(err));
    assert_non_null(s);
    assert_string_equal(rest_server_url(s), "http://worker-1.example:18083/");
    rest_server_stop(s);
    s = rest_server_start("http://:0", &fake_herder, NULL, err, sizeof(err));
    if (s == NULL)
        fail_msg("all interfaces: %s", err);
    assert_true(rest_server_port(s) > 0);
    assert_non_null(strstr(rest_server_url(s), "http://"));
    /* Reachable over loopback too. */
    char root[64];
    snprintf(root, sizeof(root), "http://127.0.0.1:%d", rest_server_port(s));
    http_resp r;
    canned(200, "{}", NULL);
    http_to(root, "GET", "/", NULL, NULL, 0, 0, &r);
    expect(&r, 200, "{}");
    resp_free(&r);
    rest_server_stop(s);
    o = (rest_options){.advertised_listener = "https"};
    assert_null(rest_server_start("http://127.0.0.1:0", &fake_herder, &o, err, sizeof(err)));
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (registry_init() != SL_OK ||
        registry_add(PLUGIN_SINK, fake_sink.class_name, fake_sink.version, "test", &fake_sink) !=
            SL_OK ||
        registry_add(PLUGIN_SOURCE, fake_source.class_name, NULL, "test", &fake_source) != SL_OK ||
        registry_add(PLUGIN_TRANSFORM, fake_transform.class_name, fake_transform.version, "test",
                     &fake_transform) != SL_OK) {
        fprintf(stderr, "registry set-up failed\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_start_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_root_and_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_rejects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connector_routes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_routes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plugins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_found_and_method, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_body_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_herder_yet, setup, teardown),
        cmocka_unit_test_setup_teardown(test_advertised_url, setup, teardown),
    };
    int rc = cmocka_run_group_tests_name("rest", tests, NULL, NULL);
    registry_shutdown();
    curl_global_cleanup();
    return rc;
}
