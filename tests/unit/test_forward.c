/* tests/unit/test_forward.c: leader forwarding (herder/forward.c): URL building, the 409s of
 * reference §1.3, and a real forward to a local HTTP server (status, body, headers kept). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "herder/forward.h"

static void test_build_url(void **state)
{
    (void)state;
    char *u = forward_build_url("http://h:1/", "/connectors", "true");
    assert_string_equal(u, "http://h:1/connectors?forward=true");
    free(u);
    u = forward_build_url("http://h:1", "/connectors/a/restart?includeTasks=true&forward=true",
                          "false");
    assert_string_equal(u, "http://h:1/connectors/a/restart?includeTasks=true&forward=false");
    free(u);
    u = forward_build_url("http://h:1//", "/c?forward&x=1&&forwardx=2", "true");
    assert_string_equal(u, "http://h:1/c?x=1&forwardx=2&forward=true");
    free(u);
    assert_null(forward_build_url(NULL, "/c", "true"));
    assert_null(forward_build_url("http://h/", NULL, "true"));
}

static const char *message(herder_reply *r)
{
    return json_string_value(json_object_get(r->body, "message"));
}

static void test_conflicts(void **state)
{
    (void)state;
    herder_reply r;
    herder_reply_init(&r);
    forward_ctx_set(NULL);
    forward_request(NULL, &r); /* no leader known */
    assert_int_equal(r.status, 409);
    assert_string_equal(message(&r), FORWARD_MSG_NO_LEADER);
    forward_request("http://127.0.0.1:1/", &r); /* no current request */
    assert_int_equal(r.status, 409);
    assert_string_equal(message(&r), FORWARD_MSG_CONFLICT);
    forward_ctx ctx = {.method = "POST", .target = "/connectors?forward=false", .forward = "false"};
    forward_ctx_set(&ctx);
    assert_ptr_equal(forward_ctx_get(), &ctx);
    forward_request("http://127.0.0.1:1/", &r); /* second hop already done */
    assert_int_equal(r.status, 409);
    assert_string_equal(message(&r), FORWARD_MSG_CONFLICT);
    /* A first hop to a closed port is an I/O error (500), not a hang. */
    ctx.forward = NULL;
    forward_request("http://127.0.0.1:1/", &r);
    assert_int_equal(r.status, 500);
    assert_non_null(strstr(message(&r), "IO Error trying to forward REST request"));
    forward_ctx_set(NULL);
    herder_reply_fini(&r);
}

/* ---- a tiny server standing in for the leader ---- */

static char seen_url[512], seen_auth[128], seen_body[256];

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    (void)cls;
    (void)version;
    if (*con_cls == NULL) {
        *con_cls = (void *)1;
        seen_body[0] = '\0';
        return MHD_YES;
    }
    if (*upload_size > 0) {
        snprintf(seen_body + strlen(seen_body), sizeof(seen_body) - strlen(seen_body), "%.*s",
                 (int)*upload_size, upload);
        *upload_size = 0;
        return MHD_YES;
    }
    const char *fw = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "forward");
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    snprintf(seen_url, sizeof(seen_url), "%s %s forward=%s", method, url, fw ? fw : "-");
    snprintf(seen_auth, sizeof(seen_auth), "%s", auth ? auth : "");
    int status = 201;
    const char *body = "{\"name\":\"c\"}";
    if (strstr(url, "exists")) {
        status = 409;
        body = "{\"error_code\":409,\"message\":\"Connector exists already exists\"}";
    } else if (strstr(url, "gone")) {
        status = 204;
        body = "";
    } else if (strstr(url, "redirect")) {
        status = 302;
        body = "";
    }
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    if (status == 201)
        MHD_add_response_header(resp, "Location", "/connectors/c");
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void test_forward_roundtrip(void **state)
{
    (void)state;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d =
        MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL, answer,
                         NULL, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_END);
    assert_non_null(d);
    int port = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port;
    char base[64];
    snprintf(base, sizeof(base), "http://127.0.0.1:%d/", port);

    const char *body = "{\"name\":\"c\",\"config\":{}}";
    forward_ctx ctx = {.method = "POST",
                       .target = "/connectors",
                       .body = body,
                       .body_len = strlen(body),
                       .authorization = "Basic dXNlcjpwYXNz"};
    forward_ctx_set(&ctx);
    herder_reply r;
    herder_reply_init(&r);
    forward_request(base, &r);
    assert_int_equal(r.status, 201);
    assert_string_equal(json_string_value(json_object_get(r.body, "name")), "c");
    assert_string_equal(r.location, "/connectors/c");
    assert_string_equal(seen_url, "POST /connectors forward=true");
    assert_string_equal(seen_auth, "Basic dXNlcjpwYXNz");
    assert_string_equal(seen_body, body);

    /* The second hop sends forward=false; remote errors keep their status and message. */
    ctx.target = "/connectors/exists/config?forward=true";
    ctx.method = "PUT";
    ctx.forward = "true";
    forward_request(base, &r);
    assert_int_equal(r.status, 409);
    assert_string_equal(message(&r), "Connector exists already exists");
    assert_string_equal(seen_url, "PUT /connectors/exists/config forward=false");

    ctx = (forward_ctx){.method = "DELETE", .target = "/connectors/gone"};
    forward_request(base, &r);
    assert_int_equal(r.status, 204);
    assert_null(r.body);

    ctx = (forward_ctx){.method = "PUT", .target = "/connectors/redirect/pause"};
    forward_request(base, &r);
    assert_int_equal(r.status, 500);
    assert_string_equal(message(&r), "Unexpected status code when handling forwarded request: 302");
    forward_ctx_set(NULL);
    herder_reply_fini(&r);
    MHD_stop_daemon(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_url),
        cmocka_unit_test(test_conflicts),
        cmocka_unit_test(test_forward_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
