/* tests/unit/test_runtime_sink.c: the runtime's sink tasks end to end against librdkafka's mock
 * cluster: consume, put, commits for connect-<name>, pause/resume, retries, failures. */
#include "runtime_harness.h"

static void test_sink_consumes_commits_pauses(void **state)
{
    (void)state;
    produce_raw("sink-in", 500, "v", NULL);
    sl_props *cp = start_all("sink1", "test.CollectSinkConnector",
                             (const char *[]){"topics", "sink-in", NULL});
    assert_true(wait_state("sink1", 0, STATE_RUNNING, 5000));
    assert_true(wait_sink_count(500, 15000));
    assert_int_equal(sink_count(), 500);
    char last[64];
    pthread_mutex_lock(&g_sink_lock);
    snprintf(last, sizeof(last), "%s", g_sink_last);
    pthread_mutex_unlock(&g_sink_lock);
    assert_string_equal(last, "v499");
    assert_int_equal(SINK_INT(g_sink_opens), 1);
    /* Offsets are flushed then committed for the group connect-<name>. */
    int64_t off = -1;
    for (int64_t end = now_ms() + 5000; now_ms() < end && off != 500; usleep(50000))
        off = committed_offset("connect-sink1", "sink-in");
    assert_int_equal(off, 500);
    assert_int_equal(SINK_I64(g_sink_flushed), 500);

    /* Paused: nothing is delivered; resumed: everything arrives. */
    runtime_set_target_state(g_rt, "sink1", TARGET_PAUSED);
    assert_true(wait_state("sink1", 0, STATE_PAUSED, 5000));
    assert_int_equal(last_state("sink1", -1, NULL, 0), STATE_PAUSED);
    produce_raw("sink-in", 100, "w", NULL);
    usleep(700000);
    assert_int_equal(sink_count(), 500);
    runtime_set_target_state(g_rt, "sink1", TARGET_STARTED);
    assert_true(wait_state("sink1", 0, STATE_RUNNING, 5000));
    assert_true(wait_sink_count(600, 10000));
    usleep(300000);
    assert_int_equal(sink_count(), 600); /* no duplicates after the pause */

    runtime_stop_task(g_rt, "sink1", 0);
    assert_int_equal(last_state("sink1", 0, NULL, 0), STATE_UNASSIGNED);
    assert_int_equal(committed_offset("connect-sink1", "sink-in"), 600);
    assert_int_equal(SINK_INT(g_sink_closes), 1);
    runtime_stop_connector(g_rt, "sink1");
    sl_props_destroy(cp);
}

static void test_sink_retriable_then_conversion_failure(void **state)
{
    (void)state;
    /* 100 good records, delivered after one retriable put() failure... */
    produce_raw("sink-bad", 100, "v", NULL);
    sl_props *cp =
        start_all("sink2", "test.CollectSinkConnector",
                  (const char *[]){"topics.regex", "sink-b.d", "retriable.once", "true", NULL});
    assert_true(wait_sink_count(100, 15000));
    assert_int_equal(SINK_INT(g_sink_retries), 1);
    /* ...exactly once: the retried batch is not delivered twice. */
    usleep(300000);
    assert_int_equal(sink_count(), 100);
    /* ...then a record the converter rejects, at offset 100. */
    produce_raw("sink-bad", 1, "v", "0");
    assert_true(wait_state("sink2", 0, STATE_FAILED, 15000));
    char trace[1024];
    last_state("sink2", 0, trace, sizeof(trace));
    assert_non_null(strstr(trace, "VALUE_CONVERTER"));
    assert_non_null(strstr(trace, "sink-bad"));
    assert_non_null(strstr(trace, "offset 100"));
    assert_non_null(strstr(trace, "cannot convert bad"));
    runtime_stop_task(g_rt, "sink2", 0);
    assert_int_equal(last_state("sink2", 0, NULL, 0), STATE_FAILED);
    /* What was put is committed on the way out, never past the bad record. */
    assert_int_equal(committed_offset("connect-sink2", "sink-bad"), 100);
    runtime_stop_connector(g_rt, "sink2");
    sl_props_destroy(cp);
}

static void test_sink_put_failure(void **state)
{
    (void)state;
    produce_raw("sink-fail", 50, "v", NULL);
    sl_props *cp = start_all("sink3", "test.CollectSinkConnector",
                             (const char *[]){"topics", "sink-fail", "fail.put.at", "0", NULL});
    assert_true(wait_state("sink3", 0, STATE_FAILED, 15000));
    char trace[1024];
    last_state("sink3", 0, trace, sizeof(trace));
    assert_non_null(strstr(trace, "put() failed: sink is full at record 0"));
    runtime_stop_task(g_rt, "sink3", 0);
    assert_int_equal(committed_offset("connect-sink3", "sink-fail"), -1);
    runtime_stop_connector(g_rt, "sink3");
    sl_props_destroy(cp);
}

static void test_sink_seek_in_open(void **state)
{
    (void)state;
    /* A sink that keeps its own offsets seeks in open(): delivery starts there. */
    produce_raw("sink-seek", 100, "v", NULL);
    sl_props *cp = start_all("sink4", "test.CollectSinkConnector",
                             (const char *[]){"topics", "sink-seek", "seek.to", "90", NULL});
    assert_true(wait_sink_count(10, 15000));
    usleep(300000);
    assert_int_equal(sink_count(), 10);
    char last[64];
    pthread_mutex_lock(&g_sink_lock);
    snprintf(last, sizeof(last), "%s", g_sink_last);
    pthread_mutex_unlock(&g_sink_lock);
    assert_string_equal(last, "v99");
    runtime_stop_task(g_rt, "sink4", 0);
    assert_int_equal(committed_offset("connect-sink4", "sink-seek"), 100);
    runtime_stop_connector(g_rt, "sink4");
    sl_props_destroy(cp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sink_consumes_commits_pauses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sink_retriable_then_conversion_failure, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sink_put_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sink_seek_in_open, setup, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
