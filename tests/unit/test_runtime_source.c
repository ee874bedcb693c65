/* tests/unit/test_runtime_source.c: the runtime end to end against librdkafka's mock cluster:
 * connector lifecycle, source tasks producing and committing offsets, task failures. */
#include "runtime_harness.h"

static void test_state_names(void **state)
{
    (void)state;
    assert_string_equal(conn_state_name(STATE_UNASSIGNED), "UNASSIGNED");
    assert_string_equal(conn_state_name(STATE_RUNNING), "RUNNING");
    assert_string_equal(conn_state_name(STATE_PAUSED), "PAUSED");
    assert_string_equal(conn_state_name(STATE_STOPPED), "STOPPED");
    assert_string_equal(conn_state_name(STATE_FAILED), "FAILED");
    assert_string_equal(conn_state_name(STATE_RESTARTING), "RESTARTING");
    assert_string_equal(conn_state_name((conn_state)42), "UNKNOWN");
}

static void test_source_produces_and_commits_offsets(void **state)
{
    (void)state;
    atomic_store(&g_src_commits, 0);
    atomic_store(&g_src_commit_records, 0);
    sl_props *cp = conn_props("src", "test.CountingSourceConnector", NULL);
    char err[512];
    assert_int_equal(runtime_start_connector(g_rt, "src", cp, TARGET_STARTED, err, sizeof(err)),
                     SL_OK);
    sl_props **tc = NULL;
    int n = 0;
    assert_int_equal(runtime_task_configs(g_rt, "src", 2, &tc, &n, err, sizeof(err)), SL_OK);
    assert_int_equal(n, 2);
    assert_string_equal(sl_props_get(tc[0], "task.class"), "test.CountingSourceTask");
    assert_int_equal(
        runtime_start_task(g_rt, "src", 0, cp, tc[0], TARGET_STARTED, err, sizeof(err)), SL_OK);
    /* The same task twice is refused. */
    assert_int_equal(
        runtime_start_task(g_rt, "src", 0, cp, tc[0], TARGET_STARTED, err, sizeof(err)), SL_ERR);
    assert_true(wait_state("src", 0, STATE_RUNNING, 5000));

    const char *key = "[\"src\",{\"src\":\"p\"}]";
    char *v = NULL;
    for (int64_t end = now_ms() + 10000; now_ms() < end; usleep(20000)) {
        free(v);
        v = mem_lookup(g_store, key);
        if (v != NULL && strcmp(v, "{\"n\":999}") == 0)
            break;
    }
    assert_non_null(v);
    assert_string_equal(v, "{\"n\":999}");
    free(v);
    assert_true(atomic_load(&g_src_commits) > 0);
    assert_int_equal(atomic_load(&g_src_commit_records), 1000);

    char last[64] = "";
    assert_int_equal(consume_raw("src-out", 1000, last, sizeof(last)), 1000);
    assert_string_equal(last, "v999");

    runtime_stop_task(g_rt, "src", 0);
    assert_int_equal(last_state("src", 0, NULL, 0), STATE_UNASSIGNED);

    /* A restarted task resumes after the stored offset: nothing is produced twice. */
    assert_int_equal(
        runtime_start_task(g_rt, "src", 0, cp, tc[0], TARGET_STARTED, err, sizeof(err)), SL_OK);
    assert_true(wait_state("src", 0, STATE_RUNNING, 5000));
    assert_int_equal(atomic_load(&g_src_resume_from), 1000);
    runtime_stop_task(g_rt, "src", 0);
    runtime_stop_task(g_rt, "src", 0); /* unknown now: ignored */
    runtime_stop_connector(g_rt, "src");
    assert_int_equal(last_state("src", -1, NULL, 0), STATE_UNASSIGNED);
    for (int i = 0; i < n; i++)
        sl_props_destroy(tc[i]);
    free(tc);
    sl_props_destroy(cp);
}

static void test_source_poll_failure(void **state)
{
    (void)state;
    sl_props *cp = start_all("src2", "test.CountingSourceConnector",
                             (const char *[]){"fail.poll.at", "250", "topic", "src-out2", NULL});
    assert_true(wait_state("src2", 0, STATE_FAILED, 10000));
    char trace[1024];
    last_state("src2", 0, trace, sizeof(trace));
    assert_non_null(strstr(trace, "source poll exploded at 250"));
    /* What was acknowledged before the failure is still committed. */
    char *v = mem_lookup(g_store, "[\"src2\",{\"src\":\"p\"}]");
    assert_non_null(v);
    assert_string_equal(v, "{\"n\":249}");
    free(v);
    /* Stopping a failed task reports nothing more; the worker keeps running. */
    runtime_stop_task(g_rt, "src2", 0);
    assert_int_equal(last_state("src2", 0, NULL, 0), STATE_FAILED);
    runtime_stop_connector(g_rt, "src2");
    sl_props_destroy(cp);
}

static void test_task_start_failure(void **state)
{
    (void)state;
    sl_props *cp = start_all("src3", "test.CountingSourceConnector",
                             (const char *[]){"fail.start", "true", NULL});
    assert_true(wait_state("src3", 0, STATE_FAILED, 5000));
    char trace[1024];
    last_state("src3", 0, trace, sizeof(trace));
    assert_non_null(strstr(trace, "source cannot start"));
    runtime_stop_task(g_rt, "src3", 0);
    runtime_stop_connector(g_rt, "src3");
    sl_props_destroy(cp);
}

static void test_task_bad_setup(void **state)
{
    (void)state;
    char err[512];
    char trace[1024];
    /* Unknown converter class. */
    sl_props *cp = conn_props("bad1", "test.CountingSourceConnector",
                              (const char *[]){"value.converter", "no.such.Converter", NULL});
    assert_int_equal(
        runtime_start_task(g_rt, "bad1", 0, cp, NULL, TARGET_STARTED, err, sizeof(err)), SL_OK);
    assert_true(wait_state("bad1", 0, STATE_FAILED, 5000));
    last_state("bad1", 0, trace, sizeof(trace));
    assert_non_null(strstr(trace, "value.converter"));
    runtime_stop_task(g_rt, "bad1", 0);
    sl_props_destroy(cp);
    /* Unknown connector class. */
    cp = conn_props("bad2", "NoSuchConnector", NULL);
    assert_int_equal(
        runtime_start_task(g_rt, "bad2", 0, cp, NULL, TARGET_STARTED, err, sizeof(err)), SL_OK);
    assert_true(wait_state("bad2", 0, STATE_FAILED, 5000));
    last_state("bad2", 0, trace, sizeof(trace));
    assert_non_null(strstr(trace, "NoSuchConnector"));
    runtime_stop_task(g_rt, "bad2", 0);
    sl_props_destroy(cp);
    /* Bad task config value (typed by the task's table). */
    cp = conn_props("bad3", "test.CountingSourceConnector", NULL);
    sl_props *tc = sl_props_new();
    sl_props_set(tc, "count", "many");
    assert_int_equal(runtime_start_task(g_rt, "bad3", 0, cp, tc, TARGET_STARTED, err, sizeof(err)),
                     SL_OK);
    assert_true(wait_state("bad3", 0, STATE_FAILED, 5000));
    last_state("bad3", 0, trace, sizeof(trace));
    assert_non_null(strstr(trace, "count"));
    runtime_stop_task(g_rt, "bad3", 0);
    sl_props_destroy(tc);
    sl_props_destroy(cp);
    /* Sink without topics. */
    cp = conn_props("bad4", "test.CollectSinkConnector", NULL);
    assert_int_equal(
        runtime_start_task(g_rt, "bad4", 0, cp, NULL, TARGET_STARTED, err, sizeof(err)), SL_OK);
    assert_true(wait_state("bad4", 0, STATE_FAILED, 5000));
    last_state("bad4", 0, trace, sizeof(trace));
    assert_non_null(strstr(trace, "Must configure one of topics or topics.regex"));
    runtime_stop_task(g_rt, "bad4", 0);
    sl_props_destroy(cp);
}

static void test_connector_lifecycle(void **state)
{
    (void)state;
    char err[512];
    char trace[1024];
    /* Unknown class: FAILED and an error. */
    sl_props *cp = conn_props("c1", "NoSuchConnector", NULL);
    assert_int_equal(runtime_start_connector(g_rt, "c1", cp, TARGET_STARTED, err, sizeof(err)),
                     SL_ERR);
    assert_non_null(strstr(err, "NoSuchConnector"));
    assert_int_equal(last_state("c1", -1, trace, sizeof(trace)), STATE_FAILED);
    assert_non_null(strstr(trace, "NoSuchConnector"));
    /* Nothing is kept: task configs are refused, stop is a no-op, a restart starts afresh. */
    sl_props **tc;
    int n;
    assert_int_equal(runtime_task_configs(g_rt, "c1", 1, &tc, &n, err, sizeof(err)), SL_ERR);
    assert_null(tc);
    runtime_stop_connector(g_rt, "c1");
    assert_int_equal(last_state("c1", -1, NULL, 0), STATE_FAILED);
    sl_props_set(cp, "connector.class", "test.CountingSourceConnector");
    assert_int_equal(runtime_start_connector(g_rt, "c1", cp, TARGET_STARTED, err, sizeof(err)),
                     SL_OK);
    assert_int_equal(last_state("c1", -1, NULL, 0), STATE_RUNNING);
    assert_int_equal(runtime_start_connector(g_rt, "c1", cp, TARGET_STARTED, err, sizeof(err)),
                     SL_ERR); /* already running */
    assert_non_null(strstr(err, "already running"));
    runtime_stop_connector(g_rt, "c1");
    assert_int_equal(last_state("c1", -1, NULL, 0), STATE_UNASSIGNED);
    sl_props_destroy(cp);

    /* start() fails. */
    cp = conn_props("c2", "test.CountingSourceConnector",
                    (const char *[]){"fail.connector.start", "true", NULL});
    assert_int_equal(runtime_start_connector(g_rt, "c2", cp, TARGET_STARTED, err, sizeof(err)),
                     SL_ERR);
    assert_int_equal(last_state("c2", -1, trace, sizeof(trace)), STATE_FAILED);
    assert_non_null(strstr(trace, "connector refuses to start"));
    runtime_stop_connector(g_rt, "c2");
    sl_props_destroy(cp);

    /* raise_error and request_reconfiguration from start(). */
    cp = conn_props("c3", "test.CountingSourceConnector",
                    (const char *[]){"raise.error", "true", "reconfigure", "true", NULL});
    assert_int_equal(runtime_start_connector(g_rt, "c3", cp, TARGET_STARTED, err, sizeof(err)),
                     SL_OK);
    assert_int_equal(last_state("c3", -1, trace, sizeof(trace)), STATE_FAILED);
    assert_string_equal(trace, "something broke");
    pthread_mutex_lock(&g_ev_lock);
    int reconfigures = g_reconfigures;
    pthread_mutex_unlock(&g_ev_lock);
    assert_int_equal(reconfigures, 1);
    int stops = atomic_load(&g_conn_stops);
    runtime_stop_connector(g_rt, "c3");
    assert_int_equal(atomic_load(&g_conn_stops), stops + 1); /* stop() still called */
    sl_props_destroy(cp);

    /* Pause, resume, stop, start again; STOPPED at creation. */
    cp = conn_props("c4", "test.CountingSourceConnector", NULL);
    assert_int_equal(runtime_start_connector(g_rt, "c4", cp, TARGET_PAUSED, err, sizeof(err)),
                     SL_OK);
    assert_int_equal(last_state("c4", -1, NULL, 0), STATE_PAUSED);
    assert_int_equal(runtime_task_configs(g_rt, "c4", 3, &tc, &n, err, sizeof(err)), SL_OK);
    assert_int_equal(n, 3);
    for (int i = 0; i < n; i++)
        sl_props_destroy(tc[i]);
    free(tc);
    runtime_set_target_state(g_rt, "c4", TARGET_STARTED);
    assert_int_equal(last_state("c4", -1, NULL, 0), STATE_RUNNING);
    stops = atomic_load(&g_conn_stops);
    runtime_set_target_state(g_rt, "c4", TARGET_STOPPED);
    assert_int_equal(last_state("c4", -1, NULL, 0), STATE_STOPPED);
    assert_int_equal(atomic_load(&g_conn_stops), stops + 1);
    assert_int_equal(runtime_task_configs(g_rt, "c4", 1, &tc, &n, err, sizeof(err)), SL_ERR);
    runtime_set_target_state(g_rt, "c4", TARGET_STARTED);
    assert_int_equal(last_state("c4", -1, NULL, 0), STATE_RUNNING);
    runtime_stop_connector(g_rt, "c4");
    assert_int_equal(last_state("c4", -1, NULL, 0), STATE_UNASSIGNED);
    runtime_set_target_state(g_rt, "nope", TARGET_PAUSED); /* unknown: ignored */
    sl_props_destroy(cp);

    cp = conn_props("c5", "test.CountingSourceConnector", NULL);
    assert_int_equal(runtime_start_connector(g_rt, "c5", cp, TARGET_STOPPED, err, sizeof(err)),
                     SL_OK);
    assert_int_equal(last_state("c5", -1, NULL, 0), STATE_STOPPED);
    runtime_stop_connector(g_rt, "c5");
    assert_int_equal(last_state("c5", -1, NULL, 0), STATE_STOPPED);
    sl_props_destroy(cp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_state_names),
        cmocka_unit_test_setup_teardown(test_source_produces_and_commits_offsets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_source_poll_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_task_start_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_task_bad_setup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connector_lifecycle, setup, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
