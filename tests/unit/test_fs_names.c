/* tests/unit/test_fs_names.c: the fs sink's names: store.url parsing (file URLs, plain paths,
 * refused schemes), relative directories, path joining, committed and temporary file names and
 * their parsing (including hostile names), and partition-value escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sluice/sdk.h>

#include "fs_names.h"

static void expect_root(const char *url, const char *want)
{
    char err[512] = "";
    char *root = NULL;
    int rc = fs_store_root(url, &root, err, sizeof(err));
    if (rc != SL_OK)
        fail_msg("%s: %s", url, err);
    assert_string_equal(root, want);
    free(root);
}

static void expect_root_error(const char *url, const char *needle)
{
    char err[512] = "";
    char *root = NULL;
    assert_int_equal(fs_store_root(url, &root, err, sizeof(err)), SL_ERR);
    assert_null(root);
    if (strstr(err, needle) == NULL)
        fail_msg("%s: error '%s' lacks '%s'", url, err, needle);
}

static void test_store_root(void **state)
{
    (void)state;
    expect_root("file:///data/sink", "/data/sink");
    expect_root("file:///data/sink/", "/data/sink");
    expect_root("file:/data/sink", "/data/sink");
    expect_root("file://localhost/data/x", "/data/x");
    expect_root("FILE:///a%20b/c", "/a b/c");
    expect_root("/plain/path//", "/plain/path");
    expect_root("/", "/");
    char cwd[4096], want[4200];
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    snprintf(want, sizeof(want), "%s/rel/dir", cwd);
    expect_root("rel/dir", want);

    expect_root_error("hdfs://namenode:8020/data", "hdfs:// is not supported");
    expect_root_error("HDFS://nn/x", "not supported");
    expect_root_error("s3a://bucket/x", "unsupported scheme 's3a'");
    expect_root_error("file://otherhost/data", "local host");
    expect_root_error("file:relative", "absolute path");
    expect_root_error("file:///a%00b", "invalid path");
    expect_root_error("", "must be set");
    expect_root_error(NULL, "must be set");
}

static void test_clean_rel(void **state)
{
    (void)state;
    char err[256];
    char *out = NULL;
    assert_int_equal(fs_clean_rel("/topics//x/", "topics.dir", &out, err, sizeof(err)), SL_OK);
    assert_string_equal(out, "topics/x");
    free(out);
    assert_int_equal(fs_clean_rel("a/../b", "logs.dir", &out, err, sizeof(err)), SL_ERR);
    assert_non_null(strstr(err, "logs.dir"));
    assert_int_equal(fs_clean_rel("./a", "logs.dir", &out, err, sizeof(err)), SL_ERR);
    assert_int_equal(fs_clean_rel("///", "topics.dir", &out, err, sizeof(err)), SL_ERR);
    assert_int_equal(fs_clean_rel(NULL, "topics.dir", &out, err, sizeof(err)), SL_ERR);
    assert_int_equal(fs_clean_rel("a..b/.c", "topics.dir", &out, err, sizeof(err)), SL_OK);
    assert_string_equal(out, "a..b/.c");
    free(out);
}

static void test_path_join(void **state)
{
    (void)state;
    char *p = fs_path_join("/root/", "/topics", "", "t", "partition=0/");
    assert_string_equal(p, "/root/topics/t/partition=0");
    free(p);
    p = fs_path_join("/", "a");
    assert_string_equal(p, "/a");
    free(p);
    p = fs_path_join("a");
    assert_string_equal(p, "a");
    free(p);
}

static void test_committed_names(void **state)
{
    (void)state;
    char buf[128];
    fs_name_committed(buf, sizeof(buf), "orders", 3, 0, 99, 10, ".avro");
    assert_string_equal(buf, "orders+3+0000000000+0000000099.avro");
    fs_name_committed(buf, sizeof(buf), "t", 0, 12345678901LL, 12345678999LL, 10, ".json");
    assert_string_equal(buf, "t+0+12345678901+12345678999.json"); /* wider than the pad */
    fs_name_committed(buf, sizeof(buf), "t", 0, 5, 7, 0, "");
    assert_string_equal(buf, "t+0+5+7");
    /* Truncation reports the full length, as snprintf. */
    char small[8];
    size_t need = fs_name_committed(small, sizeof(small), "orders", 3, 0, 99, 10, ".avro");
    assert_int_equal(need, strlen("orders+3+0000000000+0000000099.avro"));
    assert_int_equal(strlen(small), 7);

    fs_name_parts p;
    assert_true(fs_name_parse_committed("orders+3+0000000000+0000000099.avro", &p));
    assert_string_equal(p.topic, "orders");
    assert_int_equal(p.partition, 3);
    assert_int_equal(p.start, 0);
    assert_int_equal(p.end, 99);
    assert_true(fs_name_parse_committed("a.b_c-d+0+1+2", &p));
    assert_string_equal(p.topic, "a.b_c-d");
    assert_true(
        fs_name_parse_committed("t+2147483647+9223372036854775807+9223372036854775807.x", &p));
    assert_int_equal(p.end, INT64_MAX);

    static const char *const bad[] = {
        "",
        "t+0+1",                     /* too few parts */
        "t+0+1+2+3",                 /* too many */
        "+0+1+2.json",               /* empty topic */
        "t+-1+1+2.json",             /* signs */
        "t+0+1+2.",                  /* empty extension */
        "t+0+1+2.json.tmp",          /* two extensions */
        "t+0+1+2json",               /* no dot */
        "t/x+0+1+2.json",            /* '/' in topic */
        "t+2147483648+1+2.json",     /* partition overflow */
        "t+0+9223372036854775808+1", /* offset overflow */
        "t+0+0000000001+00000000x2",
        "t+0+1+2 .json",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (fs_name_parse_committed(bad[i], &p))
            fail_msg("'%s' parsed as a committed name", bad[i]);
    char longtopic[400];
    memset(longtopic, 'a', 300);
    strcpy(longtopic + 300, "+0+1+2");
    assert_false(fs_name_parse_committed(longtopic, &p));
}

static void test_temp_names(void **state)
{
    (void)state;
    char buf[128];
    fs_name_temp(buf, sizeof(buf), "orders", 3, 0xdeadbeef12345678ULL, ".json");
    assert_string_equal(buf, "orders+3+deadbeef12345678_tmp.json");
    assert_true(fs_name_is_temp_of(buf, "orders", 3));
    assert_false(fs_name_is_temp_of(buf, "orders", 30));
    assert_false(fs_name_is_temp_of(buf, "order", 3));
    assert_false(fs_name_is_temp_of(buf, "orders+3", 3));
    assert_false(fs_name_is_temp_of("orders+3+deadbeef_tmp.json", "orders", 3));
    assert_false(fs_name_is_temp_of("orders+3+0000000000+0000000009.json", "orders", 3));
    fs_name_parts p;
    assert_false(fs_name_parse_committed(buf, &p)); /* never mistaken for a committed file */
}

static void expect_escape(const char *in, size_t len, const char *want)
{
    char *e = fs_escape_value(in, len);
    assert_non_null(e);
    assert_string_equal(e, want);
    free(e);
}

static void test_escape(void **state)
{
    (void)state;
    expect_escape("us", 2, "us");
    expect_escape("a/b", 3, "a%2Fb");
    expect_escape("..", 2, "%2E%2E");
    expect_escape(".", 1, "%2E");
    expect_escape("...", 3, "...");
    expect_escape("100%", 4, "100%25");
    expect_escape("a\\b", 3, "a%5Cb");
    expect_escape("x\ny\x7f", 4, "x%0Ay%7F");
    expect_escape("a\0b", 3, "a%00b");
    expect_escape("", 0, "");
    expect_escape("caf\xc3\xa9 =x", 8, "caf\xc3\xa9 =x"); /* UTF-8 and '=' stay */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_root), cmocka_unit_test(test_clean_rel),
        cmocka_unit_test(test_path_join),  cmocka_unit_test(test_committed_names),
        cmocka_unit_test(test_temp_names), cmocka_unit_test(test_escape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
