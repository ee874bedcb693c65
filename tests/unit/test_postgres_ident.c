/* tests/unit/test_postgres_ident.c: the PostgreSQL sink's table naming: Snowflake's validity
 * and repair rules, FNV-1a collision suffixes, table.name.format, topic2table.map parsing
 * (good and hostile input), and identifier quoting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ident.h"

static void assert_sanitized(const char *in, const char *want)
{
    char *s = pgi_sanitize(in);
    assert_non_null(s);
    assert_string_equal(s, want);
    free(s);
}

static void test_valid_and_sanitize(void **state)
{
    (void)state;
    assert_true(pgi_valid("orders"));
    assert_true(pgi_valid("_x$1"));
    assert_true(pgi_valid("Orders_2024"));
    assert_false(pgi_valid(""));
    assert_false(pgi_valid("9lives"));
    assert_false(pgi_valid("$x"));
    assert_false(pgi_valid("my.topic"));
    assert_false(pgi_valid("my-topic"));
    assert_false(pgi_valid("tab\tname"));
    char long_name[80];
    memset(long_name, 'a', sizeof(long_name));
    long_name[PGI_MAXLEN] = '\0';
    assert_true(pgi_valid(long_name));
    long_name[PGI_MAXLEN] = 'a';
    long_name[PGI_MAXLEN + 1] = '\0';
    assert_false(pgi_valid(long_name));

    assert_sanitized("my.topic", "my_topic");
    assert_sanitized("my-topic", "my_topic");
    assert_sanitized("9lives", "_9lives");
    assert_sanitized("$x", "_$x");
    assert_sanitized("-a", "_a");
    assert_sanitized("", "_");
    assert_sanitized("caf\xc3\xa9", "caf__"); /* every non-ASCII byte */
    assert_sanitized("a\"b;drop", "a_b_drop");
}

static void test_hash_and_format(void **state)
{
    (void)state;
    /* FNV-1a 32-bit reference values. */
    assert_int_equal(pgi_hash(""), 2166136261u);
    assert_int_equal(pgi_hash("a"), 0xe40c292cu);
    assert_int_equal(pgi_hash("foobar"), 0xbf9cf968u);
    char *s = pgi_format("kafka_${topic}_${topic}", "t1");
    assert_string_equal(s, "kafka_t1_t1");
    free(s);
    s = pgi_format("fixed", "t1");
    assert_string_equal(s, "fixed");
    free(s);
    s = pgi_format("${topic", "t1");
    assert_string_equal(s, "${topic");
    free(s);
}

static void test_parse_map(void **state)
{
    (void)state;
    pgi_entry *e;
    size_t n;
    char err[256];
    assert_int_equal(pgi_parse_map(" a : b , c:s.t ,", &e, &n, err, sizeof(err)), 0);
    assert_int_equal(n, 2);
    assert_string_equal(e[0].topic, "a");
    assert_string_equal(e[0].table, "b");
    assert_string_equal(e[1].topic, "c");
    assert_string_equal(e[1].table, "s.t");
    pgi_entries_free(e, n);
    assert_int_equal(pgi_parse_map("", &e, &n, err, sizeof(err)), 0);
    assert_int_equal(n, 0);
    assert_int_equal(pgi_parse_map(NULL, &e, &n, err, sizeof(err)), 0);

    const char *bad[] = {"nocolon",
                         "a:",
                         ":b",
                         "a:b,a:c",
                         "a:s.t.u",
                         "a:.t",
                         "a:s.",
                         "a:"
                         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        assert_int_equal(pgi_parse_map(bad[i], &e, &n, err, sizeof(err)), -1);
        assert_true(err[0] != '\0');
    }
    assert_int_equal(pgi_parse_map("a:b,a:c", &e, &n, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "more than once"));
}

static char *resolve(const pgi_names *n, const char *topic)
{
    return pgi_names_resolve(n, topic);
}

static void assert_resolves(const pgi_names *n, const char *topic, const char *want)
{
    char *s = resolve(n, topic);
    assert_non_null(s);
    assert_string_equal(s, want);
    free(s);
}

static void test_resolve(void **state)
{
    (void)state;
    const char *topics[] = {"my.topic", "my-topic", "9lives", "ok_name", "mapped", "taken.x"};
    pgi_names n;
    char err[256];
    assert_int_equal(pgi_names_init(&n, "${topic}", "mapped:custom,other:s.tab", topics, 6, true,
                                    err, sizeof(err)),
                     0);
    char want[80];
    /* Two topics repaired to the same name: both get their own hash suffix. */
    snprintf(want, sizeof(want), "my_topic_%06x", pgi_hash("my.topic") & 0xffffffu);
    assert_resolves(&n, "my.topic", want);
    snprintf(want, sizeof(want), "my_topic_%06x", pgi_hash("my-topic") & 0xffffffu);
    assert_resolves(&n, "my-topic", want);
    assert_resolves(&n, "9lives", "_9lives");
    assert_resolves(&n, "ok_name", "ok_name");
    assert_resolves(&n, "mapped", "custom");
    assert_resolves(&n, "other", "s.tab");
    assert_resolves(&n, "taken.x", "taken_x");
    pgi_names_fini(&n);

    /* A repaired name equal to a valid topic's name, or to a map target, collides too. */
    const char *t2[] = {"a_b", "a.b", "c.d"};
    assert_int_equal(pgi_names_init(&n, NULL, "z:c_d", t2, 3, true, err, sizeof(err)), 0);
    assert_resolves(&n, "a_b", "a_b");
    snprintf(want, sizeof(want), "a_b_%06x", pgi_hash("a.b") & 0xffffffu);
    assert_resolves(&n, "a.b", want);
    snprintf(want, sizeof(want), "c_d_%06x", pgi_hash("c.d") & 0xffffffu);
    assert_resolves(&n, "c.d", want);
    pgi_names_fini(&n);

    /* topics.regex: the topic set is open, so every repaired name is suffixed. */
    assert_int_equal(pgi_names_init(&n, "sink_${topic}", "", NULL, 0, false, err, sizeof(err)), 0);
    assert_resolves(&n, "plain", "sink_plain");
    snprintf(want, sizeof(want), "sink_x_y_%06x", pgi_hash("x.y") & 0xffffffu);
    assert_resolves(&n, "x.y", want);
    /* Too long after repair: cut and suffixed, within PostgreSQL's 63 bytes. */
    char longt[100];
    memset(longt, 'q', 90);
    longt[3] = '.';
    longt[90] = '\0';
    char *s = resolve(&n, longt);
    assert_int_equal(strlen(s), PGI_MAXLEN);
    snprintf(want, sizeof(want), "_%06x", pgi_hash(longt) & 0xffffffu);
    assert_string_equal(s + PGI_MAXLEN - 7, want);
    free(s);
    pgi_names_fini(&n);

    assert_int_equal(pgi_names_init(&n, NULL, "bad", NULL, 0, true, err, sizeof(err)), -1);
}

static void test_split_and_quote(void **state)
{
    (void)state;
    char *schema, *table;
    assert_int_equal(pgi_split("s.t", &schema, &table), 0);
    assert_string_equal(schema, "s");
    assert_string_equal(table, "t");
    free(schema);
    free(table);
    assert_int_equal(pgi_split("t", &schema, &table), 0);
    assert_null(schema);
    assert_string_equal(table, "t");
    free(table);
    assert_int_equal(pgi_split(".t", &schema, &table), -1);
    assert_int_equal(pgi_split("s.", &schema, &table), -1);
    assert_int_equal(pgi_split("", &schema, &table), -1);

    pg_sb sb = PG_SB_INIT;
    pgi_quote(&sb, "a\"b");
    assert_string_equal(pg_sb_str(&sb), "\"a\"\"b\"");
    pg_sb_reset(&sb);
    pgi_quote_qualified(&sb, "My Schema", "t;drop table x");
    assert_string_equal(pg_sb_str(&sb), "\"My Schema\".\"t;drop table x\"");
    pg_sb_reset(&sb);
    pgi_quote_qualified(&sb, NULL, "Orders");
    assert_string_equal(pg_sb_str(&sb), "\"Orders\"");
    pg_sb_free(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_and_sanitize), cmocka_unit_test(test_hash_and_format),
        cmocka_unit_test(test_parse_map),          cmocka_unit_test(test_resolve),
        cmocka_unit_test(test_split_and_quote),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
