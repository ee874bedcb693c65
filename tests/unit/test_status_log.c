/* tests/unit/test_status_log.c: the status topic's record codecs (exact bytes, hostile values)
 * and the status cache's rules (stale UNASSIGNED, safe writes, tombstones, topics). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/status_log.h"
#include "util/log.h"

static void quiet(sl_log_level level, const char *logger, const char *msg, void *opaque)
{
    (void)level, (void)logger, (void)msg;
    (*(int *)opaque)++;
}

#define expect_kv(call, k, v, ek, ev)                                                              \
    do {                                                                                           \
        assert_int_equal((call), SL_OK);                                                           \
        assert_string_equal(k, ek);                                                                \
        if ((ev) == NULL)                                                                          \
            assert_null(v);                                                                        \
        else                                                                                       \
            assert_string_equal(v, (const char *)(ev));                                            \
        free(k);                                                                                   \
        free(v);                                                                                   \
    } while (0)

static void test_encode_exact_bytes(void **state)
{
    (void)state;
    char *k, *v;
    expect_kv(status_encode("my-conn", -1, "RUNNING", NULL, "10.0.0.5:8083", 17, &k, &v), k, v,
              "status-connector-my-conn",
              "{\"state\":\"RUNNING\",\"trace\":null,\"worker_id\":\"10.0.0.5:8083\","
              "\"generation\":17}");
    expect_kv(status_encode("my-conn", 2, "FAILED", "boom\n\tat x", "h:1", 3, &k, &v), k, v,
              "status-task-my-conn-2",
              "{\"state\":\"FAILED\",\"trace\":\"boom\\n\\tat x\",\"worker_id\":\"h:1\","
              "\"generation\":3}");
    expect_kv(status_encode("c", 0, "RUNNING", "", "h:1", 0, &k, &v), k, v, "status-task-c-0",
              "{\"state\":\"RUNNING\",\"trace\":null,\"worker_id\":\"h:1\",\"generation\":0}");
    expect_kv(status_encode("c", 4, NULL, NULL, NULL, 0, &k, &v), k, v, "status-task-c-4", NULL);
    expect_kv(status_encode("c", -1, NULL, NULL, NULL, 0, &k, &v), k, v, "status-connector-c",
              NULL);
    expect_kv(status_encode_topic("orders", "my-conn", 1, 1700000000000LL, false, &k, &v), k, v,
              "status-topic-orders:connector-my-conn",
              "{\"topic\":{\"name\":\"orders\",\"connector\":\"my-conn\",\"task\":1,"
              "\"discoverTimestamp\":1700000000000}}");
    expect_kv(status_encode_topic("orders", "c", 0, 0, true, &k, &v), k, v,
              "status-topic-orders:connector-c", NULL);
    assert_int_equal(status_encode("c", 0, "RUNNING", "\xc3\x28", "h", 0, &k, &v), SL_ERR);
}

static void parse_bad(const char *key, const char *value)
{
    status_record r;
    char err[256] = "";
    assert_int_equal(status_record_parse(key, strlen(key), value, value ? strlen(value) : 0, &r,
                                         err, sizeof(err)),
                     SL_ERR);
    assert_true(err[0] != '\0');
    assert_null(r.name);
}

static void test_parse(void **state)
{
    (void)state;
    status_record r;
    char err[256];
    const char *k = "status-task-a-b-c-7";
    const char *v = "{\"state\":\"RUNNING\",\"trace\":null,\"worker_id\":\"w:1\","
                    "\"generation\":5}";
    assert_int_equal(status_record_parse(k, strlen(k), v, strlen(v), &r, err, sizeof(err)),
                     SL_OK);
    assert_int_equal(r.kind, STATUS_REC_TASK);
    assert_string_equal(r.name, "a-b-c");
    assert_int_equal(r.task, 7);
    assert_string_equal(r.state, "RUNNING");
    assert_null(r.trace);
    assert_string_equal(r.worker_id, "w:1");
    assert_int_equal(r.generation, 5);
    status_record_fini(&r);

    k = "status-topic-my.topic_1:connector-x-y";
    v = "{\"topic\":{\"name\":\"my.topic_1\",\"connector\":\"x-y\",\"task\":3,"
        "\"discoverTimestamp\":99}}";
    assert_int_equal(status_record_parse(k, strlen(k), v, strlen(v), &r, err, sizeof(err)),
                     SL_OK);
    assert_int_equal(r.kind, STATUS_REC_TOPIC);
    assert_string_equal(r.topic, "my.topic_1");
    assert_string_equal(r.name, "x-y");
    assert_int_equal(r.task, 3);
    assert_int_equal(r.discover_ts, 99);
    status_record_fini(&r);

    k = "status-connector-c";
    assert_int_equal(status_record_parse(k, strlen(k), NULL, 0, &r, err, sizeof(err)), SL_OK);
    assert_true(r.tombstone);
    status_record_fini(&r);

    k = "other";
    assert_int_equal(status_record_parse(k, strlen(k), "{}", 2, &r, err, sizeof(err)), SL_OK);
    assert_int_equal(r.kind, STATUS_REC_UNKNOWN);

    parse_bad("status-connector-c", "");
    parse_bad("status-connector-c", "null");
    parse_bad("status-connector-c", "{\"state\":1,\"worker_id\":\"w\",\"generation\":1}");
    parse_bad("status-connector-c", "{\"state\":\"RUNNING\",\"worker_id\":\"w\"}");
    parse_bad("status-connector-c",
              "{\"state\":\"RUNNING\",\"worker_id\":\"w\",\"generation\":1e3}");
    parse_bad("status-connector-c",
              "{\"state\":\"RUNNING\",\"worker_id\":\"w\",\"generation\":99999999999}");
    parse_bad("status-connector-c",
              "{\"state\":\"RUNNING\",\"trace\":[],\"worker_id\":\"w\",\"generation\":1}");
    parse_bad("status-connector-", "{}");
    parse_bad("status-task-c", "{}");
    parse_bad("status-task-c-x", "{}");
    parse_bad("status-task--1", "{}");
    parse_bad("status-topic-t", "{}");
    parse_bad("status-topic-:connector-c", "{}");
    parse_bad("status-topic-t:connector-", "{}");
    parse_bad("status-topic-t:connector-c", "{\"topic\":{\"name\":\"t\"}}");
    parse_bad("status-topic-t:connector-c",
              "{\"topic\":{\"name\":\"u\",\"connector\":\"c\",\"task\":0,"
              "\"discoverTimestamp\":1}}");
    parse_bad("status-topic-t:connector-c",
              "{\"topic\":{\"name\":\"t\",\"connector\":\"c\",\"task\":-4,"
              "\"discoverTimestamp\":1}}");
}

static int g_status_events, g_removed;
static void on_status(void *o, const char *conn, int task, const status_entry *e)
{
    (void)o, (void)conn, (void)task;
    g_status_events++;
    if (e == NULL)
        g_removed++;
}

static void put(status_cache *c, const char *conn, int task, const char *state, const char *w,
                int gen)
{
    char *k, *v;
    assert_int_equal(status_encode(conn, task, state, NULL, w, gen, &k, &v), SL_OK);
    status_cache_apply(c, k, strlen(k), v, v ? strlen(v) : 0);
    free(k);
    free(v);
}

static void test_cache_rules(void **state)
{
    (void)state;
    int logged = 0;
    log_set_hook(quiet, &logged);
    status_log_listener l = {.status = on_status};
    status_cache *c = status_cache_new(&l);
    put(c, "a", 0, "RUNNING", "w2:1", 5);
    /* The old owner's UNASSIGNED from an older (or the same) generation lands late: ignored. */
    put(c, "a", 0, "UNASSIGNED", "w1:1", 4);
    assert_string_equal(status_cache_find(c, "a", 0)->state, "RUNNING");
    put(c, "a", 0, "UNASSIGNED", "w1:1", 5);
    assert_string_equal(status_cache_find(c, "a", 0)->worker_id, "w2:1");
    /* ... but a newer one applies. */
    put(c, "a", 0, "UNASSIGNED", "w1:1", 6);
    assert_string_equal(status_cache_find(c, "a", 0)->state, "UNASSIGNED");

    put(c, "a", -1, "RUNNING", "w2:1", 7);
    /* Safe writes: same worker always; other worker only with generation >= cached. */
    assert_true(status_cache_can_write_safely(c, "a", -1, "w2:1", 1));
    assert_false(status_cache_can_write_safely(c, "a", -1, "w1:1", 6));
    assert_true(status_cache_can_write_safely(c, "a", -1, "w1:1", 7));
    assert_true(status_cache_can_write_safely(c, "nobody", 3, "w1:1", 0));

    put(c, "a", -1, NULL, NULL, 0);
    assert_null(status_cache_find(c, "a", -1));
    assert_non_null(status_cache_find(c, "a", 0));
    assert_int_equal(g_removed, 1);

    /* Topics: recorded once, tombstone removes. */
    char *k, *v;
    status_encode_topic("t1", "a", 0, 1, false, &k, &v);
    status_cache_apply(c, k, strlen(k), v, strlen(v));
    status_cache_apply(c, k, strlen(k), v, strlen(v));
    free(k);
    free(v);
    status_encode_topic("t0", "a", 1, 2, false, &k, &v);
    status_cache_apply(c, k, strlen(k), v, strlen(v));
    char **topics = status_cache_topics(c, "a");
    assert_string_equal(topics[0], "t0");
    assert_string_equal(topics[1], "t1");
    assert_null(topics[2]);
    for (int i = 0; topics[i]; i++)
        free(topics[i]);
    free(topics);
    status_cache_apply(c, k, strlen(k), NULL, 0);
    free(k);
    free(v);
    assert_false(status_cache_has_topic(c, "a", "t0"));
    assert_true(status_cache_has_topic(c, "a", "t1"));

    int before = logged;
    status_cache_apply(c, "status-task-a-1", 15, "{bad", 4);
    status_cache_apply(c, "garbage", 7, "{}", 2);
    assert_int_equal(logged, before + 2);
    status_cache_free(c);
    log_set_hook(NULL, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_exact_bytes),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_cache_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
