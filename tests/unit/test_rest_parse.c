/* tests/unit/test_rest_parse.c: the REST layer's parsers without a server: listeners, request
 * targets and query strings, UTF-8, body and CreateConnectorRequest checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rest/rest_internal.h"

static void test_listener_parse(void **state)
{
    (void)state;
    rest_listener l;
    char err[256];
    assert_int_equal(rest_listener_parse("http://:8083", &l, err, sizeof(err)), SL_OK);
    assert_string_equal(l.host, "");
    assert_int_equal(l.port, 8083);
    assert_int_equal(l.scheme, REST_SCHEME_HTTP);
    assert_int_equal(rest_listener_parse(" HTTP://127.0.0.1:0 ", &l, err, sizeof(err)), SL_OK);
    assert_string_equal(l.host, "127.0.0.1");
    assert_int_equal(l.port, 0);
    assert_int_equal(rest_listener_parse("http://[::1]:9000", &l, err, sizeof(err)), SL_OK);
    assert_string_equal(l.host, "::1");
    assert_int_equal(rest_listener_parse("https://my-host.example:443", &l, err, sizeof(err)),
                     SL_OK);
    assert_int_equal(l.scheme, REST_SCHEME_HTTPS);

    const char *bad[] = {
        "",          "ftp://x:1",     "http://x",     "http://x:99999", "http://x:-1",
        "x:1",       "http://::1:80", "http://a b:1", "http://x:1a",    "http://[::1:80",
        "http://x:", "://x:1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        if (rest_listener_parse(bad[i], &l, err, sizeof(err)) != SL_ERR)
            fail_msg("'%s' was accepted", bad[i]);
        assert_non_null(strstr(err, "listener"));
        if (bad[i][0] != '\0' && strstr(err, bad[i]) == NULL)
            fail_msg("error '%s' does not name '%s'", err, bad[i]);
    }

    rest_listener ls[4];
    assert_int_equal(
        rest_listeners_parse("http://:1, http://localhost:2,", ls, 4, err, sizeof(err)), 2);
    assert_string_equal(ls[1].host, "localhost");
    assert_int_equal(rest_listeners_parse(" , ", ls, 4, err, sizeof(err)), -1);
    assert_int_equal(rest_listeners_parse("http://:1,http://:2,http://:3", ls, 2, err, sizeof(err)),
                     -1);
    assert_int_equal(rest_listeners_parse("http://:1,nope", ls, 4, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "nope"));
}

static void test_target_parse(void **state)
{
    (void)state;
    herder_reply r;
    rest_request req;
    herder_reply_init(&r);

    rest_request_init(&req);
    assert_int_equal(rest_request_parse_target(&req,
                                               "/connectors/my%20conn%2Fx/tasks/?a=1&expand=status"
                                               "&expand=info&flag&q=a+b%26c&a=2",
                                               &r),
                     0);
    assert_int_equal(req.nseg, 3);
    assert_string_equal(req.seg[1], "my conn/x");
    assert_string_equal(req.seg[2], "tasks");
    assert_string_equal(rest_query_get(&req, "a"), "1");
    assert_string_equal(rest_query_get(&req, "flag"), "");
    assert_string_equal(rest_query_get(&req, "q"), "a b&c");
    assert_null(rest_query_get(&req, "nope"));
    assert_true(rest_query_bool(&req, "nope", true));
    assert_false(rest_query_bool(&req, "flag", true));
    rest_request_fini(&req);

    /* '+' in a path is a plus (only query strings use it for spaces). */
    rest_request_init(&req);
    assert_int_equal(rest_request_parse_target(&req, "/connectors/a+b.c-d_e", &r), 0);
    assert_string_equal(req.seg[1], "a+b.c-d_e");
    rest_request_fini(&req);

    rest_request_init(&req);
    assert_int_equal(rest_request_parse_target(&req, "/", &r), 0);
    assert_int_equal(req.nseg, 0);
    rest_request_fini(&req);

    const char *not_found[] = {"//", "/connectors//x", "/a/b/c/d/e/f/g/h/i", "x", "/a//"};
    for (size_t i = 0; i < sizeof(not_found) / sizeof(not_found[0]); i++) {
        rest_request_init(&req);
        if (rest_request_parse_target(&req, not_found[i], &r) != 404)
            fail_msg("%s should be 404", not_found[i]);
        rest_request_fini(&req);
    }
    const char *bad[] = {"/connectors/%zz",    "/connectors/%4",       "/connectors/a%00b",
                         "/connectors/%ff%fe", "/connectors?x=%c3%28", "/connectors/%ed%a0%80"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        rest_request_init(&req);
        if (rest_request_parse_target(&req, bad[i], &r) != 400)
            fail_msg("%s should be 400", bad[i]);
        assert_int_equal(r.status, 400);
        rest_request_fini(&req);
    }
    herder_reply_fini(&r);

    size_t off = 0;
    assert_true(rest_utf8_valid("h\xc3\xa9llo \xf0\x9f\x98\x80", 11, NULL));
    assert_false(rest_utf8_valid("ab\xc0\xaf", 4, &off)); /* overlong '/' */
    assert_int_equal(off, 2);
    assert_false(rest_utf8_valid("\xf4\x90\x80\x80", 4, NULL)); /* > U+10FFFF */
    assert_false(rest_utf8_valid("\xe2\x82", 2, NULL));         /* truncated */

    char buf[8];
    assert_string_equal(rest_clip("short", buf, sizeof(buf)), "short");
    assert_string_equal(rest_clip("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9x", buf, sizeof(buf)),
                        "\xc3\xa9\xc3\xa9...");
}

static void test_body_checks(void **state)
{
    (void)state;
    herder_reply r;
    herder_reply_init(&r);

    assert_true(rest_content_type_is_json("application/json"));
    assert_true(rest_content_type_is_json("Application/JSON; charset=UTF-8"));
    assert_true(rest_content_type_is_json("application/json;charset=iso-8859-1"));
    assert_false(rest_content_type_is_json("application/jsonx"));
    assert_false(rest_content_type_is_json("text/plain"));
    assert_false(rest_content_type_is_json(NULL));

    json_t *in =
        json_loads("{\"a\":\"x\",\"b\":1,\"c\":true,\"d\":1.5,\"e\":null,\"f\":false}", 0, NULL);
    json_t *out = rest_config_object(in, true, "Connector configuration", &r);
    assert_non_null(out);
    char *text = json_dumps(out, JSON_COMPACT);
    assert_string_equal(text, "{\"a\":\"x\",\"b\":\"1\",\"c\":\"true\",\"d\":\"1.5\",\"e\":null,"
                              "\"f\":\"false\"}");
    free(text);
    json_decref(out);
    assert_null(rest_config_object(in, false, "Connector configuration", &r));
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(json_string_value(json_object_get(r.body, "message")), "'e'"));
    json_decref(in);

    in = json_loads("{\"tasks.max\":[1]}", 0, NULL);
    assert_null(rest_config_object(in, true, "Connector configuration", &r));
    assert_non_null(strstr(json_string_value(json_object_get(r.body, "message")), "tasks.max"));
    json_decref(in);
    in = json_loads("[]", 0, NULL);
    assert_null(rest_config_object(in, true, "Connector configuration", &r));
    json_decref(in);

    assert_null(rest_body_parse("", 0, &r));
    assert_null(rest_body_parse(" \n", 2, &r));
    assert_null(rest_body_parse("{\"a\":\n", 6, &r));
    assert_non_null(strstr(json_string_value(json_object_get(r.body, "message")), "line 2"));
    json_t *v = rest_body_parse("\"x\"", 3, &r);
    assert_true(json_is_string(v));
    json_decref(v);

    rest_create_request cr;
    v = json_loads("{\"name\":\" \\tn \",\"config\":{\"k\":\"v\"},\"initial_state\":\"stopped\"}",
                   0, NULL);
    assert_int_equal(rest_create_request_parse(v, &cr, &r), SL_OK);
    assert_string_equal(cr.name, "n");
    assert_string_equal(cr.initial_state, "STOPPED");
    rest_create_request_fini(&cr);
    json_decref(v);
    const char *bad[] = {"{\"name\":1,\"config\":{}}",
                         "{\"name\":\"a\"}",
                         "{\"name\":\"a\",\"config\":\"x\"}",
                         "{\"name\":\"a\",\"config\":{},\"initial_state\":\"RUN\"}",
                         "{\"name\":\"a\",\"config\":{},\"initial_state\":true}",
                         "[1]"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        v = json_loads(bad[i], JSON_DECODE_ANY, NULL);
        assert_non_null(v);
        if (rest_create_request_parse(v, &cr, &r) != SL_ERR)
            fail_msg("accepted %s", bad[i]);
        assert_int_equal(r.status, 400);
        assert_null(cr.name);
        json_decref(v);
    }
    herder_reply_fini(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_listener_parse),
        cmocka_unit_test(test_target_parse),
        cmocka_unit_test(test_body_checks),
    };
    return cmocka_run_group_tests_name("rest_parse", tests, NULL, NULL);
}
