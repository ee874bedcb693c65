/* tests/unit/test_stores_kafka.c: the config and status stores and the topic checks against
 * the in-process mock cluster: write through one store, read back through another. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kafka/devcluster.h"
#include "store/config_log.h"
#include "store/status_log.h"
#include "store/topic_admin.h"
#include "util/log.h"

static kafka_devcluster *g_dc;

static sl_props *worker_props(void)
{
    sl_props *p = sl_props_new();
    sl_props_set(p, "bootstrap.servers", kafka_devcluster_bootstraps(g_dc));
    sl_props_set(p, "group.id", "test-cluster");
    sl_props_set(p, "config.storage.topic", "connect-configs");
    sl_props_set(p, "status.storage.topic", "connect-status");
    return p;
}

static int setup(void **state)
{
    (void)state;
    char err[256];
    const char *topics[] = {"connect-configs:1", "connect-status:5", "bad-configs:3", NULL};
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

static int g_target_events;
static void on_target(void *o, const char *name, target_state s)
{
    (void)o, (void)name, (void)s;
    __atomic_add_fetch(&g_target_events, 1, __ATOMIC_SEQ_CST);
}

static void test_config_store(void **state)
{
    (void)state;
    char err[512];
    sl_props *w = worker_props();
    config_log_listener l = {.target_state = on_target};
    config_log *a = config_log_open(w, &l, err, sizeof(err));
    if (a == NULL)
        fail_msg("open: %s", err);
    sl_props *c = sl_props_new();
    sl_props_set(c, "name", "src-1");
    sl_props_set(c, "connector.class", "VerifiableSource");
    assert_int_equal(config_log_put_connector(a, "src-1", c, err, sizeof(err)), SL_OK);
    sl_props *t[2] = {sl_props_new(), sl_props_new()};
    sl_props_set(t[0], "task.id", "0");
    sl_props_set(t[1], "task.id", "1");
    assert_int_equal(config_log_put_task_configs(a, "src-1", t, 2, err, sizeof(err)), SL_OK);
    assert_int_equal(config_log_put_target_state(a, "src-1", TARGET_STOPPED, err, sizeof(err)),
                     SL_OK);
    assert_int_equal(config_log_put_session_key(a, "c2VjcmV0", "HmacSHA256", 7, err,
                                                sizeof(err)),
                     SL_OK);
    /* The writer's own snapshot reflects its writes on return. */
    config_snapshot *s = config_log_snapshot(a);
    assert_int_equal(s->n, 1);
    assert_int_equal(s->connectors[0].task_count, 2);
    assert_int_equal(s->offset, 6); /* connector, 2 tasks, commit, target state, session key */
    config_snapshot_free(s);
    assert_true(__atomic_load_n(&g_target_events, __ATOMIC_SEQ_CST) >= 1);

    /* A second worker rebuilds the same state from the topic. */
    config_log *b = config_log_open(w, NULL, err, sizeof(err));
    assert_non_null(b);
    s = config_log_snapshot(b);
    const config_connector *cc = config_snapshot_find(s, "src-1");
    assert_non_null(cc);
    assert_string_equal(sl_props_get(cc->props, "connector.class"), "VerifiableSource");
    assert_int_equal(cc->task_count, 2);
    assert_string_equal(sl_props_get(cc->tasks[1], "task.id"), "1");
    assert_int_equal(cc->target, TARGET_STOPPED);
    assert_true(s->has_session_key);
    assert_int_equal(s->offset, config_log_offset(a));
    config_snapshot_free(s);

    /* Delete from b; a sees it after reading to the end. */
    assert_int_equal(config_log_remove_connector(b, "src-1", err, sizeof(err)), SL_OK);
    assert_int_equal(config_log_read_to_end(a, 10000, err, sizeof(err)), SL_OK);
    s = config_log_snapshot(a);
    assert_int_equal(s->n, 0);
    config_snapshot_free(s);
    config_log_destroy(b);
    config_log_destroy(a);
    sl_props_destroy(t[0]);
    sl_props_destroy(t[1]);
    sl_props_destroy(c);
    sl_props_destroy(w);
}

static void test_config_topic_partitions(void **state)
{
    (void)state;
    char err[512];
    sl_props *w = worker_props();
    sl_props_set(w, "config.storage.topic", "bad-configs");
    assert_null(config_log_open(w, NULL, err, sizeof(err)));
    assert_non_null(strstr(err, "required to have a single partition"));
    assert_non_null(strstr(err, "found 3 partitions"));
    /* The mock cannot create topics: a missing one is an error naming it. */
    sl_props_set(w, "config.storage.topic", "never-created");
    assert_int_equal(topic_admin_ensure(w, TOPIC_ADMIN_CONFIG, 5000, NULL, err, sizeof(err)),
                     SL_ERR);
    assert_non_null(strstr(err, "never-created"));
    topic_admin_policy_error(TOPIC_ADMIN_OFFSETS, "offs", "delete", err, sizeof(err));
    assert_non_null(strstr(err, "Topic 'offs' supplied via the 'offset.storage.topic' property "
                                "is required to have 'cleanup.policy=compact'"));
    assert_non_null(strstr(err, "'cleanup.policy=delete'"));
    sl_props_destroy(w);
}

static void test_status_store(void **state)
{
    (void)state;
    char err[512];
    sl_props *w = worker_props();
    status_log *a = status_log_open(w, NULL, err, sizeof(err));
    if (a == NULL)
        fail_msg("open: %s", err);
    status_log *b = status_log_open(w, NULL, err, sizeof(err));
    assert_non_null(b);
    assert_int_equal(status_log_put(a, "c", -1, "RUNNING", NULL, "w1:8083", 3, err, sizeof(err)),
                     SL_OK);
    assert_int_equal(status_log_put(a, "c", 0, "FAILED", "trace", "w1:8083", 3, err,
                                    sizeof(err)),
                     SL_OK);
    assert_int_equal(status_log_put_topic(a, "c", 0, "orders", 1000, err, sizeof(err)), SL_OK);
    assert_int_equal(status_log_flush(a, 10000), SL_OK);
    assert_int_equal(status_log_read_to_end(b, 10000, err, sizeof(err)), SL_OK);
    status_entry e;
    assert_int_equal(status_log_get(b, "c", 0, &e), SL_OK);
    assert_string_equal(e.state, "FAILED");
    assert_string_equal(e.trace, "trace");
    assert_int_equal(e.generation, 3);
    status_entry_fini(&e);
    char **topics = status_log_topics(b, "c");
    assert_string_equal(topics[0], "orders");
    free(topics[0]);
    free(topics);

    /* b (another worker, older generation) may not overwrite safely; then a tombstone. */
    bool written = true;
    assert_int_equal(status_log_put_safe(b, "c", -1, "UNASSIGNED", NULL, "w2:8083", 2, &written,
                                         err, sizeof(err)),
                     SL_OK);
    assert_false(written);
    assert_int_equal(status_log_remove(b, "c", 0, err, sizeof(err)), SL_OK);
    assert_int_equal(status_log_flush(b, 10000), SL_OK);
    assert_int_equal(status_log_read_to_end(a, 10000, err, sizeof(err)), SL_OK);
    assert_int_equal(status_log_get(a, "c", 0, &e), SL_ERR);
    assert_int_equal(status_log_get(a, "c", -1, &e), SL_OK);
    assert_string_equal(e.state, "RUNNING");
    status_entry_fini(&e);
    status_log_close(b);
    status_log_close(a);
    sl_props_destroy(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_store),
        cmocka_unit_test(test_config_topic_partitions),
        cmocka_unit_test(test_status_store),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
