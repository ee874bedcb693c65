/* tests/unit/test_offset_tracker.c: source offset tracking (acked-in-order prefixes per source
 * partition), byte-exact offsets-topic keys and values, snapshots, and stored-offset parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/offset_tracker.h"

static sl_value *smap(const char *k, const char *v)
{
    sl_value *m = sl_value_new_map();
    sl_value_map_put_str(m, k, sl_value_new_string(v, strlen(v)));
    return m;
}

static sl_value *imap(const char *k, int64_t v)
{
    sl_value *m = sl_value_new_map();
    sl_value_map_put_str(m, k, sl_value_new_int64(v));
    return m;
}

/* A source record from partition {"file": file} (NULL = no source position) at offset pos. */
static sl_record *rec(const char *file, int64_t pos)
{
    sl_record *r = sl_source_record_new("t", -1, NULL, NULL, NULL, sl_value_new_int64(pos));
    if (file != NULL)
        sl_record_set_source_position(r, smap("file", file), imap("pos", pos));
    return r;
}

static bool g_keep; /* submit with keep_record */

static offset_token submit(offset_tracker *t, sl_record *r)
{
    offset_token tok = 0;
    char err[256];
    assert_int_equal(offset_tracker_submit(t, r, g_keep, &tok, err, sizeof(err)), SL_OK);
    sl_record_release(r); /* the tracker holds its own reference */
    return tok;
}

/* Snapshot and return the entries as "key=value;" text (sorted by the tracker's order). */
static char *snap_text(offset_tracker *t, bool commit)
{
    const offset_entry *e = NULL;
    size_t n = 0;
    char err[256];
    assert_int_equal(offset_tracker_snapshot(t, &e, &n, err, sizeof(err)), SL_OK);
    static char buf[4096];
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(buf);
        snprintf(buf + len, sizeof(buf) - len, "%.*s=%.*s;", (int)e[i].key_len, e[i].key,
                 e[i].value ? (int)e[i].value_len : 4, e[i].value ? e[i].value : "null");
    }
    offset_tracker_snapshot_done(t, commit);
    return buf;
}

static void test_key_format(void **state)
{
    (void)state;
    sl_value *p = sl_value_new_map();
    sl_value_map_put_str(p, "filename", sl_value_new_string("/tmp/in.txt", 11));
    sl_value_map_put_str(p, "n", sl_value_new_int32(1));
    size_t len = 0;
    char *k = offset_tracker_key("file-src", p, &len);
    assert_string_equal(k, "[\"file-src\",{\"filename\":\"/tmp/in.txt\",\"n\":1}]");
    assert_int_equal(len, strlen(k));
    free(k);
    /* Names are JSON-escaped as Jackson does; UTF-8 is kept as is. */
    k = offset_tracker_key("a\"b\\c\n\xc3\xa9", p, NULL);
    assert_string_equal(k, "[\"a\\\"b\\\\c\\n\xc3\xa9\",{\"filename\":\"/tmp/in.txt\",\"n\":1}]");
    free(k);
    /* Invalid UTF-8 in a name cannot be encoded. */
    assert_null(offset_tracker_key("bad\xff", p, NULL));
    sl_value_destroy(p);
}

static void test_in_order_prefix(void **state)
{
    (void)state;
    offset_tracker *t = offset_tracker_new("c");
    offset_token a = submit(t, rec("f", 1));
    offset_token b = submit(t, rec("f", 2));
    offset_token c = submit(t, rec("f", 3));
    assert_int_equal(offset_tracker_in_flight(t), 3);
    assert_string_equal(snap_text(t, true), "");

    /* Out of order: the 2nd acked first commits nothing. */
    assert_int_equal(offset_tracker_ack(t, b, NULL), SL_OK);
    assert_string_equal(snap_text(t, true), "");
    assert_int_equal(offset_tracker_ack(t, a, NULL), SL_OK);
    assert_string_equal(snap_text(t, true), "[\"c\",{\"file\":\"f\"}]={\"pos\":2};");
    /* Already stored: not offered again. */
    assert_string_equal(snap_text(t, true), "");
    assert_int_equal(offset_tracker_ack(t, c, NULL), SL_OK);
    assert_int_equal(offset_tracker_in_flight(t), 0);
    assert_string_equal(snap_text(t, true), "[\"c\",{\"file\":\"f\"}]={\"pos\":3};");

    /* Acking twice, or unknown tokens, is refused. */
    assert_int_equal(offset_tracker_ack(t, c, NULL), SL_ERR);
    assert_int_equal(offset_tracker_ack(t, (offset_token)999 << 40, NULL), SL_ERR);
    assert_int_equal(offset_tracker_ack(t, c + 100, NULL), SL_ERR);
    offset_tracker_destroy(t);
}

static void test_partitions_independent(void **state)
{
    (void)state;
    offset_tracker *t = offset_tracker_new("c");
    g_keep = true;
    offset_token a1 = submit(t, rec("a", 1));
    g_keep = false;
    offset_token b1 = submit(t, rec("b", 10));
    offset_token a2 = submit(t, rec("a", 2));
    g_keep = true;                             /* records come back on ack */
    offset_token n1 = submit(t, rec(NULL, 0)); /* no source partition */
    g_keep = false;
    assert_int_equal(offset_tracker_partitions(t), 3);
    sl_record *none = (sl_record *)0x1;
    assert_int_equal(offset_tracker_ack(t, a2, &none), SL_OK);
    assert_null(none); /* not kept: nothing to hand back */
    assert_int_equal(offset_tracker_ack(t, b1, NULL), SL_OK);
    assert_string_equal(snap_text(t, true), "[\"c\",{\"file\":\"b\"}]={\"pos\":10};");
    sl_record *got = NULL;
    assert_int_equal(offset_tracker_ack(t, b1, &got), SL_ERR); /* acked already */
    assert_int_equal(offset_tracker_ack(t, n1, &got), SL_OK);
    assert_non_null(got); /* kept: handed back */
    sl_record_release(got);
    assert_string_equal(snap_text(t, true), "");
    got = NULL;
    assert_int_equal(offset_tracker_ack(t, a1, &got), SL_OK);
    assert_non_null(got);
    int64_t v = 0;
    sl_value_get_int(sl_record_value(got), &v);
    assert_int_equal(v, 1);
    sl_record_release(got);
    assert_string_equal(snap_text(t, true), "[\"c\",{\"file\":\"a\"}]={\"pos\":2};");
    offset_tracker_destroy(t);
}

static void test_failed_write_is_offered_again(void **state)
{
    (void)state;
    offset_tracker *t = offset_tracker_new("c");
    offset_tracker_ack(t, submit(t, rec("f", 7)), NULL);
    assert_string_equal(snap_text(t, false), "[\"c\",{\"file\":\"f\"}]={\"pos\":7};");
    assert_string_equal(snap_text(t, true), "[\"c\",{\"file\":\"f\"}]={\"pos\":7};");
    assert_string_equal(snap_text(t, true), "");
    offset_tracker_destroy(t);
}

static void test_null_offset_is_tombstone(void **state)
{
    (void)state;
    offset_tracker *t = offset_tracker_new("c");
    sl_record *r = sl_source_record_new("t", -1, NULL, NULL, NULL, NULL);
    sl_record_set_source_position(r, smap("file", "f"), NULL);
    offset_tracker_ack(t, submit(t, r), NULL);
    assert_string_equal(snap_text(t, true), "[\"c\",{\"file\":\"f\"}]=null;");
    offset_tracker_destroy(t);
}

static void test_cancel(void **state)
{
    (void)state;
    offset_tracker *t = offset_tracker_new("c");
    offset_token a = submit(t, rec("f", 1));
    offset_token b = submit(t, rec("f", 2));
    assert_int_equal(offset_tracker_cancel(t, a), SL_ERR); /* not the newest */
    assert_int_equal(offset_tracker_cancel(t, b), SL_OK);
    assert_int_equal(offset_tracker_in_flight(t), 1);
    assert_int_equal(offset_tracker_ack(t, b, NULL), SL_ERR);
    offset_token c = submit(t, rec("f", 3)); /* reuses b's sequence number */
    assert_int_equal(offset_tracker_ack(t, a, NULL), SL_OK);
    assert_int_equal(offset_tracker_ack(t, c, NULL), SL_OK);
    assert_string_equal(snap_text(t, true), "[\"c\",{\"file\":\"f\"}]={\"pos\":3};");
    offset_tracker_destroy(t);
}

static void test_bad_partition_and_offset(void **state)
{
    (void)state;
    offset_tracker *t = offset_tracker_new("c");
    /* A partition must be a map of primitives (Connect's OffsetUtils). */
    sl_record *r = sl_source_record_new("t", -1, NULL, NULL, NULL, NULL);
    sl_value *bad = sl_value_new_map();
    sl_value_map_put_str(bad, "nested", sl_value_new_map());
    sl_record_set_source_position(r, bad, imap("pos", 1));
    offset_token tok;
    char err[256] = "";
    assert_int_equal(offset_tracker_submit(t, r, false, &tok, err, sizeof(err)), SL_ERR);
    assert_true(err[0] != '\0');
    sl_record_release(r);
    assert_int_equal(offset_tracker_in_flight(t), 0);

    /* So must an offset. */
    r = sl_source_record_new("t", -1, NULL, NULL, NULL, NULL);
    sl_record_set_source_position(r, smap("file", "f"), sl_value_new_array());
    err[0] = '\0';
    assert_int_equal(offset_tracker_submit(t, r, true, &tok, err, sizeof(err)), SL_ERR);
    assert_non_null(strstr(err, "invalid source offset"));
    sl_record_release(r);
    assert_int_equal(offset_tracker_in_flight(t), 0);
    offset_tracker_destroy(t);
}

static void test_many_partitions_and_records(void **state)
{
    (void)state;
    offset_tracker *t = offset_tracker_new("c");
    enum { NP = 1000, NR = 20000 };
    offset_token *toks = malloc(NR * sizeof(*toks));
    for (int i = 0; i < NR; i++) {
        char f[16];
        snprintf(f, sizeof(f), "p%d", i % NP);
        toks[i] = submit(t, rec(f, i));
    }
    assert_int_equal(offset_tracker_partitions(t), NP);
    assert_int_equal(offset_tracker_in_flight(t), NR);
    /* Ack in reverse: nothing is committable until each partition's first record is acked. */
    for (int i = NR - 1; i >= NP; i--)
        assert_int_equal(offset_tracker_ack(t, toks[i], NULL), SL_OK);
    assert_string_equal(snap_text(t, true), "");
    for (int i = NP - 1; i >= 0; i--)
        assert_int_equal(offset_tracker_ack(t, toks[i], NULL), SL_OK);
    assert_int_equal(offset_tracker_in_flight(t), 0);
    const offset_entry *e;
    size_t n;
    char err[256];
    assert_int_equal(offset_tracker_snapshot(t, &e, &n, err, sizeof(err)), SL_OK);
    assert_int_equal(n, NP);
    /* Every partition's newest record wins: p0's is NR - NP. */
    bool found = false;
    for (size_t i = 0; i < n; i++)
        if (strncmp(e[i].key, "[\"c\",{\"file\":\"p0\"}]", e[i].key_len) == 0) {
            char want[64];
            snprintf(want, sizeof(want), "{\"pos\":%d}", NR - NP);
            assert_int_equal(e[i].value_len, strlen(want));
            assert_memory_equal(e[i].value, want, e[i].value_len);
            found = true;
        }
    assert_true(found);
    offset_tracker_snapshot_done(t, true);
    free(toks);
    offset_tracker_destroy(t);
}

static void test_parse_value(void **state)
{
    (void)state;
    const char *json = "{\"pos\":42,\"f\":1.5,\"s\":\"x\",\"b\":true,\"n\":null}";
    char err[256];
    sl_value *v = offset_tracker_parse_value(json, strlen(json), err, sizeof(err));
    assert_non_null(v);
    assert_int_equal(sl_value_type(v), SL_TYPE_MAP);
    assert_int_equal(sl_value_map_len(v), 5);
    assert_int_equal(sl_value_type(sl_value_map_get_str(v, "pos")), SL_TYPE_INT64);
    assert_int_equal(sl_value_type(sl_value_map_get_str(v, "f")), SL_TYPE_FLOAT64);
    assert_string_equal(sl_value_get_string(sl_value_map_get_str(v, "s"), NULL), "x");
    assert_true(sl_value_get_bool(sl_value_map_get_str(v, "b")));
    assert_null(sl_value_map_get_str(v, "n"));
    /* Order is kept, so a value read back serializes to the same bytes. */
    char *back = sl_value_to_json(v, NULL);
    assert_string_equal(back, json);
    free(back);
    sl_value_destroy(v);

    assert_null(offset_tracker_parse_value("null", 4, err, sizeof(err)));
    assert_string_equal(err, "");
    assert_null(offset_tracker_parse_value("{\"a\":", 5, err, sizeof(err)));
    assert_non_null(strstr(err, "malformed"));
    assert_null(offset_tracker_parse_value("", 0, err, sizeof(err)));
    /* Deep nesting is refused rather than recursing without bound. */
    char deep[400];
    for (int i = 0; i < 100; i++)
        deep[i] = '[';
    for (int i = 0; i < 100; i++)
        deep[100 + i] = ']';
    assert_null(offset_tracker_parse_value(deep, 200, err, sizeof(err)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_format),
        cmocka_unit_test(test_in_order_prefix),
        cmocka_unit_test(test_partitions_independent),
        cmocka_unit_test(test_failed_write_is_offered_again),
        cmocka_unit_test(test_null_offset_is_tombstone),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_bad_partition_and_offset),
        cmocka_unit_test(test_many_partitions_and_records),
        cmocka_unit_test(test_parse_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
