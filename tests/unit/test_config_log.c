/* tests/unit/test_config_log.c: the config topic's record codecs (exact key and value bytes,
 * hostile values) and its state machine (task buffering, commits, target states). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/config_log.h"
#include "util/log.h"

static void quiet(sl_log_level level, const char *logger, const char *msg, void *opaque)
{
    (void)level, (void)logger, (void)msg;
    (*(int *)opaque)++;
}

/* The encoder runs before k and v are read (argument evaluation order is unspecified). */
#define expect_kv(call, k, v, ek, ev)                                                              \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        check_kv(rc_, k, v, ek, ev);                                                               \
    } while (0)

static void check_kv(int rc, char *k, char *v, const char *ek, const char *ev)
{
    assert_int_equal(rc, SL_OK);
    assert_string_equal(k, ek);
    if (ev == NULL)
        assert_null(v);
    else
        assert_string_equal(v, ev);
    free(k);
    free(v);
}

static void test_encode_exact_bytes(void **state)
{
    (void)state;
    char *k, *v;
    sl_props *p = sl_props_new();
    sl_props_set(p, "name", "my-conn");
    sl_props_set(p, "connector.class", "FileStreamSource");
    sl_props_set(p, "file", "/tmp/a \"b\"");
    expect_kv(config_encode_connector("my-conn", p, &k, &v), k, v, "connector-my-conn",
              "{\"properties\":{\"name\":\"my-conn\",\"connector.class\":\"FileStreamSource\","
              "\"file\":\"/tmp/a \\\"b\\\"\"}}");
    expect_kv(config_encode_connector("my-conn", NULL, &k, &v), k, v, "connector-my-conn", NULL);
    expect_kv(config_encode_task("my-conn", 3, p, &k, &v), k, v, "task-my-conn-3",
              "{\"properties\":{\"name\":\"my-conn\",\"connector.class\":\"FileStreamSource\","
              "\"file\":\"/tmp/a \\\"b\\\"\"}}");
    expect_kv(config_encode_commit("my-conn", 4, &k, &v), k, v, "commit-my-conn",
              "{\"tasks\":4}");
    expect_kv(config_encode_target_state("c", TARGET_STARTED, false, &k, &v), k, v,
              "target-state-c", "{\"state\":\"STARTED\",\"state.v2\":\"STARTED\"}");
    expect_kv(config_encode_target_state("c", TARGET_PAUSED, false, &k, &v), k, v,
              "target-state-c", "{\"state\":\"PAUSED\",\"state.v2\":\"PAUSED\"}");
    expect_kv(config_encode_target_state("c", TARGET_STOPPED, false, &k, &v), k, v,
              "target-state-c", "{\"state\":\"PAUSED\",\"state.v2\":\"STOPPED\"}");
    expect_kv(config_encode_target_state("c", TARGET_STOPPED, true, &k, &v), k, v,
              "target-state-c", NULL);
    expect_kv(config_encode_restart("c", true, false, &k, &v), k, v, "restart-connector-c",
              "{\"include-tasks\":true,\"only-failed\":false}");
    expect_kv(config_encode_fencing("c", 2, &k, &v), k, v, "tasks-fencing-c",
              "{\"task-count\":2}");
    expect_kv(config_encode_session_key("a2V5", "HmacSHA256", 1700000000123LL, &k, &v), k, v,
              "session-key",
              "{\"key\":\"a2V5\",\"algorithm\":\"HmacSHA256\",\"creation-timestamp\":"
              "1700000000123}");
    expect_kv(config_encode_logger("org.apache", "DEBUG", &k, &v), k, v,
              "logger-cluster-org.apache", "{\"level\":\"DEBUG\"}");
    /* Invalid UTF-8 in a property is refused rather than written as broken JSON. */
    sl_props_set(p, "bad", "\xff\xfe");
    assert_int_equal(config_encode_connector("x", p, &k, &v), SL_ERR);
    assert_null(k);
    sl_props_destroy(p);
}

static config_record parse_ok(const char *key, const char *value)
{
    config_record r;
    char err[256];
    int rc = config_record_parse(key, strlen(key), value, value ? strlen(value) : 0, &r, err,
                                 sizeof(err));
    if (rc != SL_OK)
        fail_msg("parse %s failed: %s", key, err);
    return r;
}

static void parse_bad(const char *key, const char *value, size_t vlen)
{
    config_record r;
    char err[256] = "";
    assert_int_equal(config_record_parse(key, strlen(key), value, vlen, &r, err, sizeof(err)),
                     SL_ERR);
    assert_true(err[0] != '\0');
    assert_null(r.name);
    assert_null(r.props);
}

static void test_parse_records(void **state)
{
    (void)state;
    config_record r = parse_ok("task-my-conn-with-dashes-12", "{\"properties\":{\"a\":\"1\"}}");
    assert_int_equal(r.kind, CONFIG_REC_TASK);
    assert_string_equal(r.name, "my-conn-with-dashes");
    assert_int_equal(r.task, 12);
    assert_string_equal(sl_props_get(r.props, "a"), "1");
    config_record_fini(&r);

    /* state.v2 wins over the legacy field. */
    r = parse_ok("target-state-x", "{\"state\":\"PAUSED\",\"state.v2\":\"STOPPED\"}");
    assert_int_equal(r.kind, CONFIG_REC_TARGET_STATE);
    assert_int_equal(r.state, TARGET_STOPPED);
    config_record_fini(&r);
    r = parse_ok("target-state-x", "{\"state\":\"PAUSED\"}");
    assert_int_equal(r.state, TARGET_PAUSED);
    config_record_fini(&r);
    r = parse_ok("target-state-x", NULL);
    assert_true(r.tombstone);
    config_record_fini(&r);

    r = parse_ok("restart-connector-x", "{\"include-tasks\":true}");
    assert_int_equal(r.kind, CONFIG_REC_RESTART);
    assert_true(r.include_tasks);
    assert_false(r.only_failed);
    config_record_fini(&r);

    r = parse_ok("session-key", "{\"key\":\"AAA=\",\"algorithm\":\"HmacSHA256\","
                                "\"creation-timestamp\":42}");
    assert_int_equal(r.kind, CONFIG_REC_SESSION_KEY);
    assert_string_equal(r.key_b64, "AAA=");
    assert_int_equal(r.creation_ts, 42);
    config_record_fini(&r);

    r = parse_ok("commit-x", "{\"tasks\":0}");
    assert_int_equal(r.kind, CONFIG_REC_COMMIT);
    assert_int_equal(r.count, 0);
    config_record_fini(&r);

    r = parse_ok("logger-cluster-a.b", "{\"level\":\"WARN\"}");
    assert_int_equal(r.kind, CONFIG_REC_LOGGER);
    assert_string_equal(r.name, "a.b");
    assert_string_equal(r.level, "WARN");
    config_record_fini(&r);

    /* Non-string scalar properties (written by other tools) keep their JSON text. */
    r = parse_ok("connector-x", "{\"properties\":{\"tasks.max\":3,\"b\":true,\"n\":null}}");
    assert_string_equal(sl_props_get(r.props, "tasks.max"), "3");
    assert_string_equal(sl_props_get(r.props, "b"), "true");
    assert_true(sl_props_has(r.props, "n"));
    config_record_fini(&r);

    r = parse_ok("something-else", "{}");
    assert_int_equal(r.kind, CONFIG_REC_UNKNOWN);
    config_record_fini(&r);
}

static void test_parse_hostile(void **state)
{
    (void)state;
    parse_bad("connector-x", "", 0);
    parse_bad("connector-x", "{", 1);
    parse_bad("connector-x", "[]", 2);
    parse_bad("connector-x", "{\"properties\":[1]}", 18);
    parse_bad("connector-x", "{\"properties\":{\"a\":{\"b\":1}}}", 28);
    parse_bad("connector-x", "{\"properties\":{\"a\":\"\\u0000\"}}", 29);
    parse_bad("connector-x", "{\"properties\":{}} trailing", 26);
    parse_bad("commit-x", "{\"tasks\":-1}", 12);
    parse_bad("commit-x", "{\"tasks\":\"3\"}", 13);
    parse_bad("commit-x", "{\"tasks\":99999999999999}", 24);
    parse_bad("target-state-x", "{\"state\":\"RUNNING\"}", 19);
    parse_bad("target-state-x", "{\"state.v2\":7}", 14);
    parse_bad("restart-connector-x", "{\"include-tasks\":\"yes\"}", 23);
    parse_bad("session-key", "{\"key\":1}", 9);
    parse_bad("logger-cluster-x", "{}", 2);
    parse_bad("task-x", "{\"properties\":{}}", 17);
    parse_bad("task-x-", "{\"properties\":{}}", 17);
    parse_bad("task--1", "{\"properties\":{}}", 17);
    parse_bad("task-x-1a", "{\"properties\":{}}", 17);
    parse_bad("task-x-99999999999", "{\"properties\":{}}", 17);
    /* Binary garbage and a value cut short. */
    const char bin[] = {'{', '"', 'p', 0, (char)0xff, '}'};
    parse_bad("connector-x", bin, sizeof(bin));
    parse_bad("connector-x", "{\"properties\":{\"a\":\"b\"}}", 10);
    /* Deep nesting is refused by the parser, not by the stack. */
    size_t depth = 100000;
    char *deep = malloc(2 * depth + 1);
    memset(deep, '[', depth);
    memset(deep + depth, ']', depth);
    deep[2 * depth] = '\0';
    parse_bad("connector-x", deep, 2 * depth);
    free(deep);
    /* A key with a NUL byte is not one of Connect's records. */
    config_record r;
    char err[64];
    assert_int_equal(config_record_parse("connector-\0x", 12, "{}", 2, &r, err, sizeof(err)),
                     SL_OK);
    assert_int_equal(r.kind, CONFIG_REC_UNKNOWN);
}

typedef struct events {
    int connector, tasks, target, restart, session, logger;
    char last[64];
    bool removed;
} events;

static void ev_conn(void *o, const char *name, bool removed)
{
    events *e = o;
    e->connector++;
    e->removed = removed;
    snprintf(e->last, sizeof(e->last), "%s", name);
}
static void ev_tasks(void *o, const char *name)
{
    (void)name;
    ((events *)o)->tasks++;
}
static void ev_target(void *o, const char *name, target_state s)
{
    (void)name, (void)s;
    ((events *)o)->target++;
}
static void ev_restart(void *o, const char *name, bool it, bool of)
{
    (void)name, (void)it, (void)of;
    ((events *)o)->restart++;
}
static void ev_logger(void *o, const char *ns, const char *level)
{
    (void)ns, (void)level;
    ((events *)o)->logger++;
}

static int64_t g_off;
static void apply(config_state *st, const char *key, const char *value, bool notify)
{
    config_state_apply(st, g_off++, key, strlen(key), value, value ? strlen(value) : 0, notify);
}

static void test_state_machine(void **state)
{
    (void)state;
    int logged = 0;
    log_set_hook(quiet, &logged);
    events ev = {0};
    config_log_listener l = {.opaque = &ev, .connector_config = ev_conn, .task_configs = ev_tasks,
                             .target_state = ev_target, .restart = ev_restart,
                             .logger_level = ev_logger};
    config_state *st = config_state_new(&l);
    g_off = 0;
    /* Start-up: no notifications, restart and logger records ignored. */
    apply(st, "connector-a", "{\"properties\":{\"name\":\"a\"}}", false);
    apply(st, "restart-connector-a", "{\"include-tasks\":true,\"only-failed\":false}", false);
    apply(st, "logger-cluster-x", "{\"level\":\"DEBUG\"}", false);
    assert_int_equal(ev.connector + ev.restart + ev.logger, 0);

    apply(st, "task-a-0", "{\"properties\":{\"t\":\"0\"}}", true);
    apply(st, "task-a-1", "{\"properties\":{\"t\":\"1\"}}", true);
    config_snapshot *s = config_state_snapshot(st);
    const config_connector *c = config_snapshot_find(s, "a");
    assert_non_null(c);
    assert_int_equal(c->task_count, -1); /* buffered until the commit */
    assert_int_equal(c->target, TARGET_STARTED);
    config_snapshot_free(s);

    apply(st, "commit-a", "{\"tasks\":2}", true);
    assert_int_equal(ev.tasks, 1);
    s = config_state_snapshot(st);
    c = config_snapshot_find(s, "a");
    assert_int_equal(c->task_count, 2);
    assert_false(c->inconsistent);
    assert_string_equal(sl_props_get(c->tasks[1], "t"), "1");
    assert_int_equal(s->offset, 6);
    config_snapshot_free(s);

    /* An incomplete set marks the connector inconsistent and keeps nothing buffered. */
    apply(st, "task-a-0", "{\"properties\":{\"t\":\"new0\"}}", true);
    apply(st, "commit-a", "{\"tasks\":3}", true);
    s = config_state_snapshot(st);
    c = config_snapshot_find(s, "a");
    assert_true(c->inconsistent);
    assert_int_equal(c->task_count, 3);
    assert_null(c->tasks);
    config_snapshot_free(s);
    /* A full set after it repairs the connector. */
    apply(st, "task-a-0", "{\"properties\":{\"t\":\"x0\"}}", true);
    apply(st, "commit-a", "{\"tasks\":1}", true);
    s = config_state_snapshot(st);
    c = config_snapshot_find(s, "a");
    assert_false(c->inconsistent);
    assert_int_equal(c->task_count, 1);
    assert_string_equal(sl_props_get(c->tasks[0], "t"), "x0");
    config_snapshot_free(s);

    /* Target state before the connector exists (create with initial_state), then STOPPED. */
    apply(st, "target-state-b", "{\"state\":\"PAUSED\",\"state.v2\":\"PAUSED\"}", true);
    apply(st, "connector-b", "{\"properties\":{}}", true);
    apply(st, "target-state-b", "{\"state\":\"PAUSED\",\"state.v2\":\"STOPPED\"}", true);
    s = config_state_snapshot(st);
    assert_int_equal(s->n, 2);
    assert_string_equal(s->connectors[0].name, "a");
    assert_int_equal(config_snapshot_find(s, "b")->target, TARGET_STOPPED);
    config_snapshot_free(s);

    /* Restart, logger and garbage after start-up. */
    apply(st, "restart-connector-a", "{\"include-tasks\":true,\"only-failed\":true}", true);
    apply(st, "logger-cluster-x", "{\"level\":\"DEBUG\"}", true);
    int before = logged;
    apply(st, "connector-c", "not json", true);
    apply(st, "weird-key", "{}", true);
    assert_true(logged >= before + 2);
    assert_int_equal(ev.restart, 1);
    assert_int_equal(ev.logger, 1);

    /* Delete: tombstones remove the config (and its tasks) and the target state. */
    apply(st, "connector-a", NULL, true);
    apply(st, "target-state-b", NULL, true);
    assert_true(ev.removed);
    assert_string_equal(ev.last, "a");
    s = config_state_snapshot(st);
    assert_int_equal(s->n, 1);
    assert_null(config_snapshot_find(s, "a"));
    assert_int_equal(config_snapshot_find(s, "b")->target, TARGET_STARTED);
    assert_int_equal(s->offset, g_off);
    config_snapshot_free(s);

    /* Re-created connector starts without the old tasks. */
    apply(st, "connector-a", "{\"properties\":{}}", true);
    s = config_state_snapshot(st);
    assert_int_equal(config_snapshot_find(s, "a")->task_count, -1);
    config_snapshot_free(s);

    apply(st, "session-key", "{\"key\":\"Zm9v\",\"algorithm\":\"HmacSHA256\","
                             "\"creation-timestamp\":5}", true);
    s = config_state_snapshot(st);
    assert_true(s->has_session_key);
    assert_string_equal(s->session_key_b64, "Zm9v");
    config_snapshot_free(s);
    config_state_free(st);
    log_set_hook(NULL, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_exact_bytes),
        cmocka_unit_test(test_parse_records),
        cmocka_unit_test(test_parse_hostile),
        cmocka_unit_test(test_state_machine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
