/* tests/unit/test_error_policy_runtime.c: errors.* inside running sink tasks against librdkafka's
 * mock cluster: DLQ records from a converter and from sl_task_report, commits, auto-restart. */
#include "runtime_harness.h"

/* ==== a sink that reports every record whose value ends in '7' with sl_task_report ==== */

static atomic_int g_rep_written, g_rep_reported, g_rep_refused, g_rep_start_failures;

static int rep_start(const sl_config *config, sl_task_ctx *ctx, void **task, char *e, size_t n)
{
    (void)config;
    /* The first g_rep_start_failures starts fail (a destination that is not there yet). */
    if (atomic_fetch_sub(&g_rep_start_failures, 1) > 0) {
        snprintf(e, n, "destination not ready");
        return SL_ERR;
    }
    *task = ctx;
    return SL_OK;
}

static int rep_put(void *task, sl_record *const *records, size_t n, char *errstr,
                   size_t errstr_size)
{
    sl_task_ctx *ctx = task;
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        const char *v = sl_value_get_string(sl_record_value(records[i]), &len);
        if (v != NULL && len > 0 && v[len - 1] == '7') {
            atomic_fetch_add(&g_rep_reported, 1);
            if (sl_task_report(ctx, records[i], "value ends in 7") != SL_OK) {
                /* errors.tolerance=none: fail put() with the record's error. */
                atomic_fetch_add(&g_rep_refused, 1);
                snprintf(errstr, errstr_size, "cannot write %.*s", (int)len, v);
                return SL_ERR;
            }
            continue;
        }
        atomic_fetch_add(&g_rep_written, 1);
    }
    return SL_OK;
}

static const sl_connector_def k_rep_sink = {
    .struct_size = sizeof(sl_connector_def),
    .class_name = "test.ReportingSinkConnector",
    .kind = SL_CONNECTOR_SINK,
    .config = k_conn_config,
    .start = conn_start,
    .task_configs = conn_task_configs,
    .stop = conn_stop,
    .task_start = rep_start,
    .put = rep_put,
};

static int ep_group_setup(void **state)
{
    int rc = group_setup(state);
    registry_add(PLUGIN_SINK, k_rep_sink.class_name, NULL, "test", &k_rep_sink);
    const char *topics[] = {"ep-in", "ep-dlq", "ep-none", "ep-restart"};
    for (size_t i = 0; i < sizeof(topics) / sizeof(topics[0]); i++)
        rd_kafka_mock_topic_create(g_mock, topics[i], 1, 1);
    return rc;
}

static int ep_setup(void **state)
{
    atomic_store(&g_rep_written, 0);
    atomic_store(&g_rep_reported, 0);
    atomic_store(&g_rep_refused, 0);
    atomic_store(&g_rep_start_failures, 0);
    return setup(state);
}

/* ==== reading the dead letter topic ==== */

typedef struct dead_letter {
    char value[32];
    char stage[32];
    char offset[16];
    char cls[64];
    char exc[96];
    char task[8];
    char conn[32];
    char topic[32];
} dead_letter;

static void header_str(rd_kafka_headers_t *h, const char *name, char *out, size_t cap)
{
    const void *v = NULL;
    size_t len = 0;
    out[0] = '\0';
    if (h && rd_kafka_header_get_last(h, name, &v, &len) == RD_KAFKA_RESP_ERR_NO_ERROR && v)
        snprintf(out, cap, "%.*s", (int)len, (const char *)v);
}

static int read_dlq(const char *topic, int want, dead_letter *out)
{
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", g_bootstrap, err, sizeof(err));
    rd_kafka_conf_set(conf, "group.id", "dlq-reader", err, sizeof(err));
    rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    assert_non_null(c);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(c, l);
    rd_kafka_topic_partition_list_destroy(l);
    int got = 0;
    for (int64_t end = now_ms() + 10000; got < want && now_ms() < end;) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 100);
        if (m == NULL)
            continue;
        if (!m->err) {
            dead_letter *d = &out[got++];
            snprintf(d->value, sizeof(d->value), "%.*s", (int)m->len, (const char *)m->payload);
            rd_kafka_headers_t *h = NULL;
            rd_kafka_message_headers(m, &h);
            header_str(h, "__connect.errors.stage", d->stage, sizeof(d->stage));
            header_str(h, "__connect.errors.offset", d->offset, sizeof(d->offset));
            header_str(h, "__connect.errors.class.name", d->cls, sizeof(d->cls));
            header_str(h, "__connect.errors.exception.class.name", d->exc, sizeof(d->exc));
            header_str(h, "__connect.errors.task.id", d->task, sizeof(d->task));
            header_str(h, "__connect.errors.connector.name", d->conn, sizeof(d->conn));
            header_str(h, "__connect.errors.topic", d->topic, sizeof(d->topic));
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(c);
    rd_kafka_destroy(c);
    return got;
}

/* ==== tests ==== */

static void test_dlq_from_converter_and_report(void **state)
{
    (void)state;
    /* v0..v99, with the converter-rejected "bad" at offset 50; v7, v17, ... are reported. */
    produce_raw("ep-in", 100, "v", "50");
    sl_props *cp =
        start_all("ep1", "test.ReportingSinkConnector",
                  (const char *[]){"topics", "ep-in", "errors.tolerance", "all",
                                   "errors.deadletterqueue.topic.name", "ep-dlq",
                                   "errors.deadletterqueue.topic.replication.factor", "1",
                                   "errors.deadletterqueue.context.headers.enable", "true", NULL});
    for (int64_t end = now_ms() + 15000;
         now_ms() < end && atomic_load(&g_rep_written) + atomic_load(&g_rep_reported) < 99;)
        usleep(20000);
    assert_int_equal(atomic_load(&g_rep_reported), 10);
    assert_int_equal(atomic_load(&g_rep_written), 89);
    assert_int_equal(last_state("ep1", 0, NULL, 0), STATE_RUNNING);
    runtime_stop_task(g_rt, "ep1", 0);
    /* Everything was handled: the whole topic is committed. */
    assert_int_equal(committed_offset("connect-ep1", "ep-in"), 100);

    dead_letter d[16];
    memset(d, 0, sizeof(d));
    assert_int_equal(read_dlq("ep-dlq", 11, d), 11);
    int conv = 0, put = 0;
    for (int i = 0; i < 11; i++) {
        assert_string_equal(d[i].conn, "ep1");
        assert_string_equal(d[i].task, "0");
        assert_string_equal(d[i].topic, "ep-in");
        if (strcmp(d[i].stage, "VALUE_CONVERTER") == 0) {
            conv++;
            assert_string_equal(d[i].value, "bad"); /* the original bytes */
            assert_string_equal(d[i].offset, "50");
            assert_string_equal(d[i].cls, "test.StrConverter");
            assert_string_equal(d[i].exc, "org.apache.kafka.connect.errors.DataException");
        } else {
            put++;
            assert_string_equal(d[i].stage, "TASK_PUT");
            assert_string_equal(d[i].cls, "test.ReportingSinkConnector");
            assert_string_equal(d[i].exc, "org.apache.kafka.connect.errors.ConnectException");
            /* The value as consumed, at the offset it was consumed from. */
            char want[16];
            snprintf(want, sizeof(want), "v%s", d[i].offset);
            assert_string_equal(d[i].value, want);
            assert_int_equal(atoi(d[i].offset) % 10, 7);
        }
    }
    assert_int_equal(conv, 1);
    assert_int_equal(put, 10);
    runtime_stop_connector(g_rt, "ep1");
    sl_props_destroy(cp);
}

static void test_report_under_tolerance_none(void **state)
{
    (void)state;
    produce_raw("ep-none", 20, "v", NULL);
    sl_props *cp = start_all("ep2", "test.ReportingSinkConnector",
                             (const char *[]){"topics", "ep-none", NULL});
    assert_true(wait_state("ep2", 0, STATE_FAILED, 15000));
    char trace[1024];
    last_state("ep2", 0, trace, sizeof(trace));
    assert_non_null(strstr(trace, "cannot write v7"));
    assert_int_equal(atomic_load(&g_rep_refused), 1);
    runtime_stop_task(g_rt, "ep2", 0);
    /* The failing batch was not committed (v7 was refused). */
    int64_t off = committed_offset("connect-ep2", "ep-none");
    assert_true(off <= 7);
    runtime_stop_connector(g_rt, "ep2");
    sl_props_destroy(cp);
}

/* The sequence of states reported for task 0 of `conn`. */
static int task_states(const char *conn, conn_state *out, int max, char traces[][1024])
{
    int n = 0;
    pthread_mutex_lock(&g_ev_lock);
    for (int i = 0; i < g_nevents && n < max; i++)
        if (g_events[i].task == 0 && strcmp(g_events[i].conn, conn) == 0) {
            if (traces)
                snprintf(traces[n], 1024, "%s", g_events[i].trace);
            out[n++] = g_events[i].st;
        }
    pthread_mutex_unlock(&g_ev_lock);
    return n;
}

static void test_auto_restart(void **state)
{
    (void)state;
    atomic_store(&g_rep_start_failures, 2);
    int64_t t0 = now_ms();
    sl_props *cp = start_all("ep3", "test.ReportingSinkConnector",
                             (const char *[]){"topics", "ep-restart", "errors.restart.enable",
                                              "true", "errors.restart.max.delay.ms", "1500", NULL});
    assert_true(wait_state("ep3", 0, STATE_RUNNING, 15000));
    int64_t took = now_ms() - t0;
    /* Restarted after 1 s, then 1.5 s (2 s capped at the maximum). */
    assert_true(took >= 2400);
    assert_true(took < 8000);
    conn_state st[16];
    static char traces[16][1024];
    int n = task_states("ep3", st, 16, traces);
    assert_int_equal(n, 5);
    assert_int_equal(st[0], STATE_FAILED);
    assert_non_null(strstr(traces[0], "task start failed: destination not ready"));
    assert_non_null(strstr(traces[0], "restarted automatically in 1000 ms"));
    assert_int_equal(st[1], STATE_RESTARTING);
    assert_int_equal(st[2], STATE_FAILED);
    assert_non_null(strstr(traces[2], "restarted automatically in 1500 ms"));
    assert_int_equal(st[3], STATE_RESTARTING);
    assert_int_equal(st[4], STATE_RUNNING);
    /* The restarted task works. */
    produce_raw("ep-restart", 5, "v", NULL);
    for (int64_t end = now_ms() + 15000; now_ms() < end && atomic_load(&g_rep_written) < 5;)
        usleep(20000);
    assert_int_equal(atomic_load(&g_rep_written), 5);
    runtime_stop_task(g_rt, "ep3", 0);
    assert_int_equal(last_state("ep3", 0, NULL, 0), STATE_UNASSIGNED);
    runtime_stop_connector(g_rt, "ep3");
    sl_props_destroy(cp);
}

static void test_stop_during_restart_wait(void **state)
{
    (void)state;
    atomic_store(&g_rep_start_failures, 1000);
    sl_props *cp =
        start_all("ep4", "test.ReportingSinkConnector",
                  (const char *[]){"topics", "ep-restart", "errors.restart.enable", "true", NULL});
    assert_true(wait_state("ep4", 0, STATE_FAILED, 15000));
    /* A stop while the restart is pending ends the wait at once; the task stays FAILED. */
    int64_t t0 = now_ms();
    runtime_stop_task(g_rt, "ep4", 0);
    assert_true(now_ms() - t0 < 1000);
    assert_int_equal(last_state("ep4", 0, NULL, 0), STATE_FAILED);
    runtime_stop_connector(g_rt, "ep4");
    sl_props_destroy(cp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_dlq_from_converter_and_report, ep_setup, teardown),
        cmocka_unit_test_setup_teardown(test_report_under_tolerance_none, ep_setup, teardown),
        cmocka_unit_test_setup_teardown(test_auto_restart, ep_setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_during_restart_wait, ep_setup, teardown),
    };
    return cmocka_run_group_tests(tests, ep_group_setup, group_teardown);
}
