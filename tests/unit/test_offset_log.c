/* tests/unit/test_offset_log.c: the offsets-topic store against the in-process mock cluster:
 * exact key and value bytes round-trip, tombstones, reads by a second worker and on reopen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kafka/devcluster.h"
#include "store/offset_log.h"
#include "util/log.h"

static kafka_devcluster *g_dc;

static sl_props *worker_props(void)
{
    sl_props *p = sl_props_new();
    sl_props_set(p, "bootstrap.servers", kafka_devcluster_bootstraps(g_dc));
    sl_props_set(p, "group.id", "test-cluster");
    sl_props_set(p, "offset.storage.topic", "connect-offsets");
    sl_props_set(p, "offset.storage.replication.factor", "1");
    sl_props_set(p, "offset.flush.timeout.ms", "10000");
    return p;
}

static int setup(void **state)
{
    (void)state;
    char err[256];
    const char *topics[] = {"connect-offsets:5", NULL};
    g_dc = kafka_devcluster_start(1, topics, err, sizeof(err));
    if (g_dc == NULL)
        fail_msg("devcluster: %s", err);
    log_set_level(SL_LOG_WARN);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    kafka_devcluster_stop(g_dc);
    return 0;
}

static void check_offset(offset_store *s, const char *key, size_t klen, const char *want)
{
    char *v = NULL, err[256];
    size_t vlen = 99;
    assert_int_equal(offset_store_get(s, key, klen, &v, &vlen, err, sizeof(err)), SL_OK);
    if (want == NULL) {
        assert_null(v);
        return;
    }
    assert_non_null(v);
    assert_int_equal(vlen, strlen(want));
    assert_memory_equal(v, want, vlen);
    free(v);
}

static int count_cb(void *opaque, const offset_entry *e)
{
    (void)e;
    (*(int *)opaque)++;
    return 0;
}

static void test_roundtrip(void **state)
{
    (void)state;
    char err[512];
    sl_props *w = worker_props();
    offset_store *a = offset_log_open(w, err, sizeof(err));
    if (a == NULL)
        fail_msg("open: %s", err);
    const char *k1 = "[\"jdbc-src\",{\"table\":\"users\"}]";
    const char *k2 = "[\"file-src\",{\"filename\":\"/tmp/in.txt\"}]";
    /* Bytes a Java worker might have written: no UTF-8 requirement on the store. */
    const char k3[] = {'[', '"', 'x', '"', ',', (char)0xff, ']'};
    offset_entry e[] = {
        {k1, strlen(k1), "{\"id\":1}", 8},
        {k2, strlen(k2), "{\"position\":42}", 15},
        {k1, strlen(k1), "{\"id\":1234}", 11}, /* later entry in the batch wins */
        {k3, sizeof(k3), "{\"n\":1.5}", 9},
    };
    assert_int_equal(offset_store_put(a, e, 4, err, sizeof(err)), SL_OK);
    check_offset(a, k1, strlen(k1), "{\"id\":1234}");
    check_offset(a, k2, strlen(k2), "{\"position\":42}");
    check_offset(a, k3, sizeof(k3), "{\"n\":1.5}");
    check_offset(a, "[\"none\",{}]", 11, NULL);

    /* A second worker (another process in real life) sees the same offsets. */
    offset_store *b = offset_log_open(w, err, sizeof(err));
    assert_non_null(b);
    check_offset(b, k1, strlen(k1), "{\"id\":1234}");
    int n = 0;
    assert_int_equal(offset_store_foreach(b, count_cb, &n), 0);
    assert_int_equal(n, 3);

    /* Tombstone from b, visible to a after its read to the end. */
    offset_entry t = {k2, strlen(k2), NULL, 0};
    assert_int_equal(offset_store_put(b, &t, 1, err, sizeof(err)), SL_OK);
    check_offset(a, k2, strlen(k2), NULL);
    offset_store_destroy(b);
    offset_store_destroy(a);

    /* Reopen: everything comes back from the topic. */
    a = offset_log_open(w, err, sizeof(err));
    assert_non_null(a);
    check_offset(a, k1, strlen(k1), "{\"id\":1234}");
    check_offset(a, k2, strlen(k2), NULL);
    n = 0;
    offset_store_foreach(a, count_cb, &n);
    assert_int_equal(n, 2);
    offset_entry bad = {NULL, 0, "{}", 2};
    assert_int_equal(offset_store_put(a, &bad, 1, err, sizeof(err)), SL_ERR);
    offset_store_destroy(a);
    sl_props_destroy(w);
}

static void test_open_errors(void **state)
{
    (void)state;
    char err[512];
    sl_props *w = worker_props();
    sl_props_set(w, "offset.storage.topic", "");
    assert_null(offset_log_open(w, err, sizeof(err)));
    assert_non_null(strstr(err, "offset.storage.topic"));
    sl_props_set(w, "offset.storage.topic", "connect-offsets");
    sl_props_set(w, "offset.flush.timeout.ms", "soon");
    assert_null(offset_log_open(w, err, sizeof(err)));
    assert_non_null(strstr(err, "offset.flush.timeout.ms"));
    sl_props_destroy(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_open_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
