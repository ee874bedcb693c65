/* tests/unit/test_properties.c: the Java properties parser (every syntax rule, escapes,
 * continuations, errors with file:line), sl_props, and --standalone connector config files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/properties.h"

static sl_props *parse_ok(const char *text)
{
    sl_props *p = NULL;
    char err[256] = "";
    int rc = properties_parse_buffer("t.properties", text, strlen(text), &p, err, sizeof(err));
    if (rc != SL_OK)
        fail_msg("unexpected error: %s", err);
    assert_non_null(p);
    return p;
}

static void parse_err(const char *text, size_t len, const char *expect)
{
    sl_props *p = (sl_props *)1;
    char err[256] = "";
    assert_int_equal(properties_parse_buffer("worker.properties", text, len, &p, err, sizeof(err)),
                     SL_ERR);
    assert_null(p);
    if (strstr(err, expect) == NULL)
        fail_msg("error \"%s\" does not contain \"%s\"", err, expect);
}

static void test_props_map(void **state)
{
    (void)state;
    sl_props *p = sl_props_new();
    assert_int_equal(sl_props_count(p), 0);
    sl_props_set(p, "b", "1");
    sl_props_set(p, "a", "2");
    sl_props_set(p, "n", NULL);
    sl_props_set(p, "b", "3"); /* replace keeps position */
    assert_int_equal(sl_props_count(p), 3);
    assert_string_equal(sl_props_key_at(p, 0), "b");
    assert_string_equal(sl_props_value_at(p, 0), "3");
    assert_string_equal(sl_props_key_at(p, 1), "a");
    assert_null(sl_props_get(p, "n"));
    assert_true(sl_props_has(p, "n"));
    assert_false(sl_props_has(p, "zz"));
    assert_null(sl_props_get(p, "zz"));
    assert_null(sl_props_key_at(p, 99));
    sl_props *c = sl_props_copy(p);
    assert_int_equal(sl_props_remove(p, "b"), SL_OK);
    assert_int_equal(sl_props_remove(p, "b"), SL_ERR);
    assert_string_equal(sl_props_key_at(p, 0), "a");
    assert_int_equal(sl_props_count(p), 2);
    assert_int_equal(sl_props_count(c), 3);
    assert_string_equal(sl_props_get(c, "b"), "3");
    assert_true(sl_props_has(c, "n"));
    /* NULL-tolerant */
    sl_props_set(NULL, "a", "b");
    sl_props_set(p, NULL, "b");
    assert_int_equal(sl_props_count(NULL), 0);
    assert_null(sl_props_get(NULL, "a"));
    sl_props_destroy(NULL);
    sl_props_destroy(p);
    sl_props_destroy(c);
}

static void test_separators(void **state)
{
    (void)state;
    sl_props *p = parse_ok("a=1\n"
                           "b:2\n"
                           "c 3\n"
                           "d = 4\n"
                           "e\t:\t5\n"
                           "f    6 7  \n"
                           "   g=lead\n"
                           "h\n"
                           "i=\n"
                           "j==x\n"
                           "k :=y\n"
                           "l= x = y\n");
    assert_string_equal(sl_props_get(p, "a"), "1");
    assert_string_equal(sl_props_get(p, "b"), "2");
    assert_string_equal(sl_props_get(p, "c"), "3");
    assert_string_equal(sl_props_get(p, "d"), "4");
    assert_string_equal(sl_props_get(p, "e"), "5");
    assert_string_equal(sl_props_get(p, "f"), "6 7  "); /* trailing whitespace is kept */
    assert_string_equal(sl_props_get(p, "g"), "lead");
    assert_string_equal(sl_props_get(p, "h"), "");
    assert_string_equal(sl_props_get(p, "i"), "");
    assert_string_equal(sl_props_get(p, "j"), "=x");
    assert_string_equal(sl_props_get(p, "k"), "=y");
    assert_string_equal(sl_props_get(p, "l"), "x = y");
    assert_int_equal(sl_props_count(p), 12);
    sl_props_destroy(p);
}

static void test_comments_blank(void **state)
{
    (void)state;
    sl_props *p = parse_ok("# comment\n"
                           "! also a comment\n"
                           "   # indented comment\n"
                           "\n"
                           "   \t \n"
                           "a=1 # not a comment\n"
                           "#b=2\n"
                           "c=#3\n"
                           "# comment ending in backslash \\\n"
                           "d=4\n");
    assert_string_equal(sl_props_get(p, "a"), "1 # not a comment");
    assert_false(sl_props_has(p, "b"));
    assert_string_equal(sl_props_get(p, "c"), "#3");
    assert_string_equal(sl_props_get(p, "d"), "4"); /* comments do not continue */
    assert_int_equal(sl_props_count(p), 3);
    sl_props_destroy(p);
}

static void test_continuation(void **state)
{
    (void)state;
    sl_props *p = parse_ok("list=a,\\\n"
                           "     b,\\\n"
                           "\t# c\n"
                           "x=\\\\\n"
                           "y=1\\\\\\\n"
                           "  2\n"
                           "empty=\\\n"
                           "\n"
                           "z=end\\");
    assert_string_equal(sl_props_get(p, "list"), "a,b,# c"); /* not a comment when continued */
    assert_string_equal(sl_props_get(p, "x"), "\\");          /* even backslashes: no join */
    assert_string_equal(sl_props_get(p, "y"), "1\\2");
    assert_string_equal(sl_props_get(p, "empty"), "");
    assert_string_equal(sl_props_get(p, "z"), "end"); /* backslash at EOF dropped */
    sl_props_destroy(p);
}

static void test_line_endings(void **state)
{
    (void)state;
    sl_props *p = parse_ok("a=1\r\nb=2\rc=3\nd=x\\\r\n   y\r\n");
    assert_string_equal(sl_props_get(p, "a"), "1");
    assert_string_equal(sl_props_get(p, "b"), "2");
    assert_string_equal(sl_props_get(p, "c"), "3");
    assert_string_equal(sl_props_get(p, "d"), "xy");
    assert_int_equal(sl_props_count(p), 4);
    sl_props_destroy(p);
    p = parse_ok("no.newline=at end");
    assert_string_equal(sl_props_get(p, "no.newline"), "at end");
    sl_props_destroy(p);
    p = parse_ok("");
    assert_int_equal(sl_props_count(p), 0);
    sl_props_destroy(p);
}

static void test_escapes(void **state)
{
    (void)state;
    sl_props *p = parse_ok("tab=a\\tb\n"
                           "nl=a\\nb\\rc\\fd\n"
                           "k\\=ey=v\n"
                           "k\\:2:v2\n"
                           "with\\ space=v3\n"
                           "other=\\q\\#\\!\\\\\n"
                           "uni=caf\\u00e9 \\u20AC\n"
                           "emoji=\\uD83D\\uDE00\n"
                           "utf8=na\xc3\xafve\n"
                           "\\u0041key=A\n"
                           "lead=\\ \\ x\n");
    assert_string_equal(sl_props_get(p, "tab"), "a\tb");
    assert_string_equal(sl_props_get(p, "nl"), "a\nb\rc\fd");
    assert_string_equal(sl_props_get(p, "k=ey"), "v");
    assert_string_equal(sl_props_get(p, "k:2"), "v2");
    assert_string_equal(sl_props_get(p, "with space"), "v3");
    assert_string_equal(sl_props_get(p, "other"), "q#!\\");
    assert_string_equal(sl_props_get(p, "uni"), "caf\xc3\xa9 \xe2\x82\xac");
    assert_string_equal(sl_props_get(p, "emoji"), "\xf0\x9f\x98\x80");
    assert_string_equal(sl_props_get(p, "utf8"), "na\xc3\xafve");
    assert_string_equal(sl_props_get(p, "Akey"), "A");
    assert_string_equal(sl_props_get(p, "lead"), "  x");
    sl_props_destroy(p);
}

static void test_duplicates(void **state)
{
    (void)state;
    sl_props *p = parse_ok("a=1\nb=2\na=3\n");
    assert_string_equal(sl_props_get(p, "a"), "3");
    assert_int_equal(sl_props_count(p), 2);
    sl_props_destroy(p);
}

static void test_errors(void **state)
{
    (void)state;
    const char *t1 = "a=1\nb=2\n\n# c\nx=\\u12\n";
    parse_err(t1, strlen(t1), "worker.properties:5: malformed \\uxxxx encoding");
    const char *t2 = "a=\\u12G4\n";
    parse_err(t2, strlen(t2), "worker.properties:1: malformed");
    const char *t3 = "a=1\nb=\\\n  \\u12";
    parse_err(t3, strlen(t3), "worker.properties:3: malformed");
    const char *t4 = "a=1\r\nb=2\r\nc=\xff\n";
    parse_err(t4, strlen(t4), "worker.properties:3: invalid UTF-8");
    const char *t5 = "a=\xc3\n"; /* truncated sequence */
    parse_err(t5, strlen(t5), "worker.properties:1: invalid UTF-8");
    const char *t6 = "a=\xc0\xaf\n"; /* overlong */
    parse_err(t6, strlen(t6), "invalid UTF-8");
    const char t7[] = "a=1\nb=x\0y\n";
    parse_err(t7, sizeof(t7) - 1, "worker.properties:2: NUL byte");
    const char *t8 = "a=\\uD83D\n";
    parse_err(t8, strlen(t8), "worker.properties:1: unpaired surrogate");
    const char *t9 = "a=\\uDE00x\n";
    parse_err(t9, strlen(t9), "unpaired surrogate");
    const char *t10 = "a=\\u0000\n";
    parse_err(t10, strlen(t10), "\\u0000");
}

static char *write_tmp(const char *content, const char *suffix)
{
    static char path[64];
    snprintf(path, sizeof(path), "/tmp/sluice-test-XXXXXX%s", suffix);
    int fd = mkstemps(path, (int)strlen(suffix));
    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
    close(fd);
    return path;
}

static void test_file(void **state)
{
    (void)state;
    char *path = write_tmp("bootstrap.servers=localhost:9092\ngroup.id = g\n", ".properties");
    sl_props *p = NULL;
    char err[256];
    assert_int_equal(properties_parse_file(path, &p, err, sizeof(err)), SL_OK);
    assert_string_equal(sl_props_get(p, "group.id"), "g");
    sl_props_destroy(p);
    unlink(path);
    assert_int_equal(properties_parse_file("/nonexistent/w.properties", &p, err, sizeof(err)),
                     SL_ERR);
    assert_null(p);
    assert_non_null(strstr(err, "/nonexistent/w.properties"));
    path = write_tmp("a=\\uZZZZ\n", ".properties");
    assert_int_equal(properties_parse_file(path, &p, err, sizeof(err)), SL_ERR);
    char expect[128];
    snprintf(expect, sizeof(expect), "%s:1: ", path);
    assert_non_null(strstr(err, expect));
    unlink(path);
}

static sl_props *load_conn(const char *text, int expect_rc, char *err, size_t errsz)
{
    sl_props *p = NULL;
    int rc = connector_config_load_buffer("c.json", text, strlen(text), &p, err, errsz);
    assert_int_equal(rc, expect_rc);
    if (rc != SL_OK)
        assert_null(p);
    return p;
}

static void test_connector_files(void **state)
{
    (void)state;
    char err[512];
    /* CreateConnectorRequest shape: name copied into config */
    sl_props *p = load_conn("{\"name\":\"s\",\"config\":{\"connector.class\":\"FileStreamSink\","
                            "\"tasks.max\":\"1\"}}",
                            SL_OK, err, sizeof(err));
    assert_string_equal(sl_props_get(p, "name"), "s");
    assert_string_equal(sl_props_get(p, "connector.class"), "FileStreamSink");
    sl_props_destroy(p);
    /* matching config.name is fine, a different one is not */
    p = load_conn("{\"name\":\"s\",\"config\":{\"name\":\"s\"}}", SL_OK, err, sizeof(err));
    sl_props_destroy(p);
    load_conn("{\"name\":\"s\",\"config\":{\"name\":\"t\"}}", SL_ERR, err, sizeof(err));
    assert_non_null(strstr(err, "doesn't match"));
    /* flat object; scalars coerce as Jackson does; null stays null */
    p = load_conn("{\"name\":\"f\",\"tasks.max\":2,\"x\":true,\"r\":1.5,\"n\":null}", SL_OK, err,
                  sizeof(err));
    assert_string_equal(sl_props_get(p, "tasks.max"), "2");
    assert_string_equal(sl_props_get(p, "x"), "true");
    assert_string_equal(sl_props_get(p, "r"), "1.5");
    assert_true(sl_props_has(p, "n"));
    assert_null(sl_props_get(p, "n"));
    sl_props_destroy(p);
    /* non-scalar values name the file and key */
    load_conn("{\"name\":\"f\",\"topics\":[\"a\"]}", SL_ERR, err, sizeof(err));
    assert_non_null(strstr(err, "c.json"));
    assert_non_null(strstr(err, "\"topics\""));
    load_conn("{\"name\":\"s\",\"config\":{\"deep\":{\"a\":1}}}", SL_ERR, err, sizeof(err));
    assert_non_null(strstr(err, "\"deep\""));
    /* missing name */
    load_conn("{\"connector.class\":\"X\"}", SL_ERR, err, sizeof(err));
    assert_string_equal(err,
                        "Connector configuration at 'c.json' is missing the mandatory 'name' "
                        "configuration");
    load_conn("connector.class=X\n", SL_ERR, err, sizeof(err));
    assert_non_null(strstr(err, "missing the mandatory 'name'"));
    /* malformed JSON and non-objects */
    load_conn("  {\"name\": ", SL_ERR, err, sizeof(err));
    assert_non_null(strstr(err, "c.json:1:"));
    load_conn("{\"name\":\"x\"} trailing", SL_ERR, err, sizeof(err));
    /* properties */
    p = load_conn("# a connector\nname=p\nconnector.class=FileStreamSource\n", SL_OK, err,
                  sizeof(err));
    assert_string_equal(sl_props_get(p, "name"), "p");
    sl_props_destroy(p);
    /* from a file */
    char *path = write_tmp("{\"name\":\"file-json\",\"config\":{\"a\":\"b\"}}", ".json");
    assert_int_equal(connector_config_load_file(path, &p, err, sizeof(err)), SL_OK);
    assert_string_equal(sl_props_get(p, "name"), "file-json");
    sl_props_destroy(p);
    unlink(path);
    assert_int_equal(connector_config_load_file("/nonexistent.json", &p, err, sizeof(err)),
                     SL_ERR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_props_map),      cmocka_unit_test(test_separators),
        cmocka_unit_test(test_comments_blank), cmocka_unit_test(test_continuation),
        cmocka_unit_test(test_line_endings),   cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_duplicates),     cmocka_unit_test(test_errors),
        cmocka_unit_test(test_file),           cmocka_unit_test(test_connector_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
