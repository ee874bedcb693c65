/* tests/unit/test_offsets_admin.c: the offsets API (KIP-875) and topic tracking (KIP-558): body
 * validation, source offsets in a file store, sink group offsets and the standalone herder ops. */
#include "runtime_harness.h"

#include "props_util.h"

#include <sys/stat.h>

#include "herder/offsets_admin.h"
#include "herder/standalone.h"
#include "herder/topic_tracking.h"
#include "kafka/group_offsets.h"
#include "runtime/offset_tracker.h"
#include "store/offset_store.h"

#define SRC_CLASS "test.CountingSourceConnector"
#define SINK_CLASS "test.CollectSinkConnector"
#define STOPPED_MSG                                                                                \
    "Connectors must be in the STOPPED state before their offsets can be modified. This can be "   \
    "done for the specified connector by issuing a 'PUT' request to the '/connectors/c1/stop' "    \
    "endpoint"

/* ---- helpers ---- */

static const char *msg(const herder_reply *r)
{
    const char *m = json_string_value(json_object_get(r->body, "message"));
    return m ? m : "";
}

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, 0, &e);
    assert_non_null(v);
    return v;
}

/* The compact JSON of a reply body (caller frees). */
static char *body_text(const herder_reply *r)
{
    return json_dumps(r->body, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

static void expect_body_error(const char *body, int status, const char *contains)
{
    json_t *b = parse(body);
    herder_reply r;
    herder_reply_init(&r);
    assert_false(offsets_admin_check_body(b, &r));
    if (r.status != status || strstr(msg(&r), contains) == NULL)
        fail_msg("%s -> %d %s (wanted %d containing %s)", body, r.status, msg(&r), status,
                 contains);
    assert_int_equal(json_integer_value(json_object_get(r.body, "error_code")), status);
    herder_reply_fini(&r);
    json_decref(b);
}

typedef struct tmpdir {
    char dir[64];
    char path[128];
} tmpdir;

static void tmpdir_make(tmpdir *t)
{
    snprintf(t->dir, sizeof(t->dir), "/tmp/sluice-oa-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->path, sizeof(t->path), "%s/offsets", t->dir);
}

static void tmpdir_remove(tmpdir *t)
{
    unlink(t->path);
    char tmp[160];
    snprintf(tmp, sizeof(tmp), "%s.tmp", t->path);
    unlink(tmp);
    rmdir(t->dir);
}

static void store_put(offset_store *s, const char *key, const char *value)
{
    offset_entry e = {key, strlen(key), value, value ? strlen(value) : 0};
    char err[256];
    assert_int_equal(offset_store_put(s, &e, 1, err, sizeof(err)), SL_OK);
}

/* The stored value of `key` (caller frees), or NULL. */
static char *store_value(offset_store *s, const char *key)
{
    char *v = NULL, err[256];
    size_t len = 0;
    assert_int_equal(offset_store_get(s, key, strlen(key), &v, &len, err, sizeof(err)), SL_OK);
    return v;
}

static void alter(const sl_props *worker, offset_store *s, const sl_props *config, const char *body,
                  herder_reply *r)
{
    json_t *b = body ? parse(body) : NULL;
    herder_reply_init(r);
    offsets_admin_alter(worker, s, "c1", config, b, r);
    json_decref(b);
}

static void expect_get(const sl_props *worker, offset_store *s, const char *name,
                       const sl_props *config, const char *want)
{
    herder_reply r;
    herder_reply_init(&r);
    offsets_admin_get(worker, s, name, config, &r);
    char *got = body_text(&r);
    if (r.status != 200 || strcmp(got, want) != 0)
        fail_msg("GET offsets: %d %s, wanted %s", r.status, got, want);
    free(got);
    herder_reply_fini(&r);
}

/* ---- body validation and the precondition ---- */

static void test_body_validation(void **state)
{
    (void)state;
    const char *none = "Partitions / offsets need to be provided for an alter offsets request";
    expect_body_error("{}", 400, none);
    expect_body_error("{\"offsets\":null}", 400, none);
    expect_body_error("{\"offsets\":[]}", 400, none);
    expect_body_error("[]", 400, "Cannot deserialize value");
    expect_body_error("{\"key\":[]}", 400, "Unrecognized field \"key\"");
    expect_body_error("{\"offsets\":{}}", 400, "Cannot deserialize value");
    expect_body_error("{\"offsets\":\"x\"}", 400, "Cannot deserialize value");
    expect_body_error("{\"offsets\":[123]}", 400, "Cannot construct instance");
    expect_body_error("{\"offsets\":[{\"key\":\"val\"}]}", 400, "Unrecognized field \"key\"");
    expect_body_error("{\"offsets\":[{\"partition\":[]}]}", 400, "Cannot deserialize value");
    expect_body_error("{\"offsets\":[{\"partition\":{},\"offset\":5}]}", 400,
                      "Cannot deserialize value");
    expect_body_error("{\"offsets\":[{\"partition\":{}},{\"offset\":true}]}", 400,
                      "Cannot deserialize value");

    herder_reply r;
    herder_reply_init(&r);
    assert_true(offsets_admin_check_body(NULL, &r)); /* DELETE */
    json_t *ok = parse("{\"offsets\":[{\"partition\":{\"a\":1},\"offset\":null},{}]}");
    assert_true(offsets_admin_check_body(ok, &r));
    assert_null(r.body);
    json_decref(ok);
    herder_reply_fini(&r);
}

static void test_stopped_precondition(void **state)
{
    (void)state;
    herder_reply r;
    herder_reply_init(&r);
    assert_true(offsets_admin_check_stopped("c1", TARGET_STOPPED, 0, &r));
    assert_null(r.body);
    assert_false(offsets_admin_check_stopped("c1", TARGET_STARTED, 0, &r));
    assert_int_equal(r.status, 400);
    assert_string_equal(msg(&r), STOPPED_MSG);
    assert_false(offsets_admin_check_stopped("c1", TARGET_PAUSED, 1, &r));
    assert_string_equal(msg(&r), STOPPED_MSG);
    /* Stopped, but its tasks are not gone yet. */
    assert_false(offsets_admin_check_stopped("c1", TARGET_STOPPED, 2, &r));
    assert_int_equal(r.status, 400);
    herder_reply_fini(&r);
}

static void test_unknown_class(void **state)
{
    (void)state;
    sl_props *cfg = props("connector.class", "no.such.Connector", NULL);
    herder_reply r;
    herder_reply_init(&r);
    offsets_admin_get(NULL, &g_store->base, "c1", cfg, &r);
    assert_int_equal(r.status, 500);
    assert_string_equal(msg(&r), "Failed to find any class that implements Connector and which "
                                 "name matches no.such.Connector");
    herder_reply_fini(&r);
    alter(NULL, &g_store->base, cfg, NULL, &r);
    assert_int_equal(r.status, 500);
    herder_reply_fini(&r);
    sl_props_destroy(cfg);
}

/* ---- source connectors ---- */

static void test_source_offsets_file_store(void **state)
{
    (void)state;
    tmpdir t;
    tmpdir_make(&t);
    char err[256];
    offset_store *s = offset_file_open(t.path, err, sizeof(err));
    assert_non_null(s);
    sl_props *cfg = props("connector.class", SRC_CLASS, NULL);

    /* Nothing stored yet. */
    expect_get(NULL, s, "c1", cfg, "{\"offsets\":[]}");

    store_put(s, "[\"c1\",{\"f\":\"b\"}]", "{\"pos\":2}");
    store_put(s, "[\"c1\",{\"f\":\"a\"}]", "{\"pos\":1,\"line\":\"x\"}");
    store_put(s, "[\"c10\",{\"f\":\"a\"}]", "{\"pos\":9}");
    store_put(s, "[\"other\",{\"f\":\"a\"}]", "{\"pos\":7}");
    store_put(s, "[\"c1\",{\"f\":\"gone\"}]", "{\"pos\":3}");
    store_put(s, "[\"c1\",{\"f\":\"gone\"}]", NULL); /* tombstoned */
    store_put(s, "[\"c1\",null]", "{\"pos\":4}");    /* not a partition map */
    store_put(s, "not json", "{\"pos\":5}");
    expect_get(NULL, s, "c1", cfg,
               "{\"offsets\":[{\"partition\":{\"f\":\"a\"},\"offset\":{\"pos\":1,\"line\":\"x\"}},"
               "{\"partition\":{\"f\":\"b\"},\"offset\":{\"pos\":2}}]}");

    /* PATCH: a new offset, a new partition, a null offset (tombstone). */
    herder_reply r;
    alter(NULL, s, cfg,
          "{\"offsets\":[{\"partition\":{\"f\":\"a\"},\"offset\":{\"pos\":10}},"
          "{\"partition\":{\"f\":\"c\",\"n\":1.5,\"ok\":true},\"offset\":{\"pos\":3}},"
          "{\"partition\":{\"f\":\"b\"},\"offset\":null}]}",
          &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(msg(&r), OFFSETS_ADMIN_MSG_ALTERED);
    herder_reply_fini(&r);
    /* Keys are the bytes the runtime builds (offset_tracker_key), so tasks find them. */
    char *v = store_value(s, "[\"c1\",{\"f\":\"a\"}]");
    assert_string_equal(v, "{\"pos\":10}");
    free(v);
    v = store_value(s, "[\"c1\",{\"f\":\"c\",\"n\":1.5,\"ok\":true}]");
    assert_string_equal(v, "{\"pos\":3}");
    free(v);
    assert_null(store_value(s, "[\"c1\",{\"f\":\"b\"}]"));

    /* The file store made it durable: a reopened store sees the same. */
    offset_store_destroy(s);
    s = offset_file_open(t.path, err, sizeof(err));
    assert_non_null(s);
    expect_get(NULL, s, "c1", cfg,
               "{\"offsets\":[{\"partition\":{\"f\":\"a\"},\"offset\":{\"pos\":10}},"
               "{\"partition\":{\"f\":\"c\",\"n\":1.5,\"ok\":true},\"offset\":{\"pos\":3}}]}");

    /* DELETE: every partition of c1 tombstoned, other connectors untouched. */
    alter(NULL, s, cfg, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(msg(&r), OFFSETS_ADMIN_MSG_RESET);
    herder_reply_fini(&r);
    expect_get(NULL, s, "c1", cfg, "{\"offsets\":[]}");
    expect_get(NULL, s, "other", cfg,
               "{\"offsets\":[{\"partition\":{\"f\":\"a\"},\"offset\":{\"pos\":7}}]}");
    expect_get(NULL, s, "c10", cfg,
               "{\"offsets\":[{\"partition\":{\"f\":\"a\"},\"offset\":{\"pos\":9}}]}");
    /* Resetting again is fine (nothing left to reset). */
    alter(NULL, s, cfg, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(msg(&r), OFFSETS_ADMIN_MSG_RESET);
    herder_reply_fini(&r);

    offset_store_destroy(s);
    sl_props_destroy(cfg);
    tmpdir_remove(&t);
}

static void test_source_invalid_maps(void **state)
{
    (void)state;
    sl_props *cfg = props("connector.class", SRC_CLASS, NULL);
    offset_store *s = &g_store->base;
    herder_reply r;
    /* OffsetUtils.validateFormat: flat maps only (a DataException, 500 in Connect). */
    alter(NULL, s, cfg,
          "{\"offsets\":[{\"partition\":{\"f\":\"ok\"},\"offset\":{\"pos\":1}},"
          "{\"partition\":{\"f\":{\"nested\":1}},\"offset\":{\"pos\":1}}]}",
          &r);
    assert_int_equal(r.status, 500);
    assert_string_equal(msg(&r),
                        "Offsets may only contain primitive types as values, but field f contains "
                        "MAP");
    herder_reply_fini(&r);
    alter(NULL, s, cfg, "{\"offsets\":[{\"partition\":{\"f\":\"x\"},\"offset\":{\"l\":[1]}}]}", &r);
    assert_int_equal(r.status, 500);
    assert_non_null(strstr(msg(&r), "but field l contains ARRAY"));
    herder_reply_fini(&r);
    /* A missing or null partition could never be read back by a task. */
    alter(NULL, s, cfg, "{\"offsets\":[{\"offset\":{\"pos\":1}}]}", &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(msg(&r),
                        "The partition for a source connector offset cannot be null or missing");
    herder_reply_fini(&r);
    /* Nothing was written by the refused requests (validation precedes the batch). */
    char *v = mem_lookup(g_store, "[\"c1\",{\"f\":\"ok\"}]");
    assert_null(v);
    assert_int_equal(g_store->puts, 0);
    /* A store failure is a 500 naming the connector. */
    g_store->fail = true;
    alter(NULL, s, cfg, "{\"offsets\":[{\"partition\":{\"f\":\"x\"},\"offset\":null}]}", &r);
    assert_int_equal(r.status, 500);
    assert_string_equal(msg(&r),
                        "Failed to modify offsets for source connector c1: store unavailable");
    herder_reply_fini(&r);
    g_store->fail = false;
    sl_props_destroy(cfg);
}

/* ---- sink connectors ---- */

static void expect_sink_400(const sl_props *cfg, const char *body, const char *want)
{
    herder_reply r;
    alter(NULL, &g_store->base, cfg, body, &r);
    if (r.status != 400 || strcmp(msg(&r), want) != 0)
        fail_msg("%s -> %d %s (wanted 400 %s)", body, r.status, msg(&r), want);
    herder_reply_fini(&r);
}

static void test_sink_validation(void **state)
{
    (void)state;
    /* These fail before any Kafka client is made: no broker is needed. */
    sl_props *cfg = props("connector.class", SINK_CLASS, "topics", "t", NULL);
    expect_sink_400(cfg, "{\"offsets\":[{}]}",
                    "The partition for a sink connector offset cannot be null or missing");
    expect_sink_400(cfg, "{\"offsets\":[{\"partition\":null,\"offset\":null}]}",
                    "The partition for a sink connector offset cannot be null or missing");
    expect_sink_400(cfg, "{\"offsets\":[{\"partition\":{},\"offset\":null}]}",
                    "The partition for a sink connector offset must contain the keys "
                    "'kafka_topic' and 'kafka_partition'");
    expect_sink_400(cfg, "{\"offsets\":[{\"partition\":{\"kafka_topic\":\"t\"}}]}",
                    "The partition for a sink connector offset must contain the keys "
                    "'kafka_topic' and 'kafka_partition'");
    expect_sink_400(cfg,
                    "{\"offsets\":[{\"partition\":{\"kafka_topic\":null,\"kafka_partition\":1}}]}",
                    "Kafka topic names must be valid strings and may not be null");
    expect_sink_400(cfg,
                    "{\"offsets\":[{\"partition\":{\"kafka_topic\":\"t\",\"kafka_partition\":null}"
                    "}]}",
                    "Kafka partitions must be valid numbers and may not be null");
    expect_sink_400(cfg,
                    "{\"offsets\":[{\"partition\":{\"kafka_topic\":\"test\",\"kafka_partition\":"
                    "\"not a number\"},\"offset\":null}]}",
                    "Failed to parse the following Kafka partition value in the provided "
                    "offsets: 'not a number'. Partition values for sink connectors need to be "
                    "integers.");
    expect_sink_400(cfg,
                    "{\"offsets\":[{\"partition\":{\"kafka_topic\":\"t\",\"kafka_partition\":1.5}"
                    "}]}",
                    "Failed to parse the following Kafka partition value in the provided "
                    "offsets: '1.5'. Partition values for sink connectors need to be integers.");
    expect_sink_400(cfg,
                    "{\"offsets\":[{\"partition\":{\"kafka_topic\":\"t\",\"kafka_partition\":"
                    "4294967296}}]}",
                    "Failed to parse the following Kafka partition value in the provided "
                    "offsets: '4294967296'. Partition values for sink connectors need to be "
                    "integers.");
    expect_sink_400(cfg,
                    "{\"offsets\":[{\"partition\":{\"kafka_topic\":\"t\",\"kafka_partition\":\""
                    " 1\"}}]}",
                    "Failed to parse the following Kafka partition value in the provided "
                    "offsets: ' 1'. Partition values for sink connectors need to be integers.");
    expect_sink_400(cfg,
                    "{\"offsets\":[{\"partition\":{\"kafka_topic\":\"test\",\"kafka_partition\":1},"
                    "\"offset\":{}}]}",
                    "The offset for a sink connector should either be null or contain the key "
                    "'kafka_offset'");
    expect_sink_400(cfg,
                    "{\"offsets\":[{\"partition\":{\"kafka_topic\":\"test\",\"kafka_partition\":1},"
                    "\"offset\":{\"kafka_offset\":\"not a number\"}}]}",
                    "Failed to parse the following Kafka offset value in the provided offsets: "
                    "'not a number'. Offset values for sink connectors need to be integers.");
    expect_sink_400(cfg,
                    "{\"offsets\":[{\"partition\":{\"kafka_topic\":\"t\",\"kafka_partition\":1},"
                    "\"offset\":{\"kafka_offset\":null}}]}",
                    "Failed to parse the following Kafka offset value in the provided offsets: "
                    "'null'. Offset values for sink connectors need to be integers.");
    /* A negative offset passes parsing and fails as OffsetAndMetadata does (500). */
    herder_reply r;
    alter(NULL, &g_store->base, cfg,
          "{\"offsets\":[{\"partition\":{\"kafka_topic\":\"t\",\"kafka_partition\":0},"
          "\"offset\":{\"kafka_offset\":-5}}]}",
          &r);
    assert_int_equal(r.status, 500);
    assert_non_null(strstr(msg(&r), "Invalid negative offset -5 for t-0"));
    herder_reply_fini(&r);
    sl_props_destroy(cfg);
}

static void test_group_id(void **state)
{
    (void)state;
    char buf[64];
    sl_props *cfg = props("connector.class", SINK_CLASS, NULL);
    assert_string_equal(group_offsets_group_id("s1", cfg, buf, sizeof(buf)), "connect-s1");
    sl_props_set(cfg, "consumer.override.group.id", "");
    assert_string_equal(group_offsets_group_id("s1", cfg, buf, sizeof(buf)), "connect-s1");
    sl_props_set(cfg, "consumer.override.group.id", "my-group");
    assert_string_equal(group_offsets_group_id("s1", cfg, buf, sizeof(buf)), "my-group");
    sl_props_destroy(cfg);
}

static void test_sink_offsets_mock_cluster(void **state)
{
    (void)state;
    rd_kafka_mock_topic_create(g_mock, "oa-sink", 2, 1);
    rd_kafka_mock_topic_create(g_mock, "oa-sink-other", 1, 1);
    sl_props *worker = worker_props();
    sl_props *cfg = props("connector.class", SINK_CLASS, "topics", "oa-sink, oa-sink-other",
                          "consumer.override.group.id", "oa-group", NULL);
    expect_get(worker, &g_store->base, "c1", cfg, "{\"offsets\":[]}");

    herder_reply r;
    alter(worker, &g_store->base, cfg,
          "{\"offsets\":[{\"partition\":{\"kafka_topic\":\"oa-sink\",\"kafka_partition\":1},"
          "\"offset\":{\"kafka_offset\":\"7\"}},"
          "{\"partition\":{\"kafka_topic\":\"oa-sink\",\"kafka_partition\":\"0\"},"
          "\"offset\":{\"kafka_offset\":3}},"
          "{\"partition\":{\"kafka_topic\":\"oa-sink-other\",\"kafka_partition\":0},"
          "\"offset\":{\"kafka_offset\":11}}]}",
          &r);
    if (r.status != 200)
        fail_msg("alter: %d %s", r.status, msg(&r));
    assert_string_equal(msg(&r), OFFSETS_ADMIN_MSG_ALTERED);
    herder_reply_fini(&r);
    /* The consumer group (consumer.override.group.id) has them, sorted in the answer. */
    assert_int_equal(committed_offset("oa-group", "oa-sink-other"), 11);
    expect_get(worker, &g_store->base, "c1", cfg,
               "{\"offsets\":[{\"partition\":{\"kafka_topic\":\"oa-sink\",\"kafka_partition\":0},"
               "\"offset\":{\"kafka_offset\":3}},"
               "{\"partition\":{\"kafka_topic\":\"oa-sink\",\"kafka_partition\":1},"
               "\"offset\":{\"kafka_offset\":7}},"
               "{\"partition\":{\"kafka_topic\":\"oa-sink-other\",\"kafka_partition\":0},"
               "\"offset\":{\"kafka_offset\":11}}]}");

    /* A null offset removes one partition's offset; the mock lacks OffsetDelete, so its
     * earliest offset (0 for an empty partition) is committed instead. */
    alter(worker, &g_store->base, cfg,
          "{\"offsets\":[{\"partition\":{\"kafka_topic\":\"oa-sink-other\","
          "\"kafka_partition\":0},\"offset\":null}]}",
          &r);
    assert_int_equal(r.status, 200);
    herder_reply_fini(&r);
    assert_int_equal(committed_offset("oa-group", "oa-sink-other"), 0);

    /* Reset: the mock lacks DeleteGroups too; every partition goes back to its start. */
    alter(worker, &g_store->base, cfg, NULL, &r);
    if (r.status != 200)
        fail_msg("reset: %d %s", r.status, msg(&r));
    assert_string_equal(msg(&r), OFFSETS_ADMIN_MSG_RESET);
    herder_reply_fini(&r);
    expect_get(worker, &g_store->base, "c1", cfg,
               "{\"offsets\":[{\"partition\":{\"kafka_topic\":\"oa-sink\",\"kafka_partition\":0},"
               "\"offset\":{\"kafka_offset\":0}},"
               "{\"partition\":{\"kafka_topic\":\"oa-sink\",\"kafka_partition\":1},"
               "\"offset\":{\"kafka_offset\":0}},"
               "{\"partition\":{\"kafka_topic\":\"oa-sink-other\",\"kafka_partition\":0},"
               "\"offset\":{\"kafka_offset\":0}}]}");

    /* topics.regex subscriptions find their partitions too (the mock cannot list a group). */
    sl_props *rcfg = props("connector.class", SINK_CLASS, "topics.regex", "oa-sink-o.*",
                           "consumer.override.group.id", "oa-group", NULL);
    expect_get(worker, &g_store->base, "c1", rcfg,
               "{\"offsets\":[{\"partition\":{\"kafka_topic\":\"oa-sink-other\","
               "\"kafka_partition\":0},\"offset\":{\"kafka_offset\":0}}]}");
    sl_props_destroy(rcfg);
    /* A subscription that cannot be matched here (not a POSIX regex) only loses the second
     * opinion: an empty answer, not an error. */
    rcfg = props("connector.class", SINK_CLASS, "topics.regex", "oa-(", NULL);
    expect_get(worker, &g_store->base, "c1", rcfg, "{\"offsets\":[]}");
    sl_props_destroy(rcfg);

    sl_props_destroy(cfg);
    sl_props_destroy(worker);
}

/* ---- topic tracking ---- */

static void test_topic_tracking_set(void **state)
{
    (void)state;
    topic_tracking *tt = topic_tracking_new();
    assert_true(topic_tracking_add(tt, "c1", "zeta", 0, 1000));
    assert_true(topic_tracking_add(tt, "c1", "alpha", 1, 0));
    assert_false(topic_tracking_add(tt, "c1", "zeta", 1, 2000)); /* known: first kept */
    assert_true(topic_tracking_add(tt, "c2", "zeta", 0, 0));
    assert_false(topic_tracking_add(tt, NULL, "x", 0, 0));
    json_t *j = topic_tracking_json(tt, "c1");
    char *s = json_dumps(j, JSON_COMPACT);
    assert_string_equal(s, "{\"c1\":{\"topics\":[\"alpha\",\"zeta\"]}}");
    free(s);
    json_decref(j);
    j = topic_tracking_json(tt, "unknown");
    s = json_dumps(j, JSON_COMPACT);
    assert_string_equal(s, "{\"unknown\":{\"topics\":[]}}");
    free(s);
    json_decref(j);
    assert_true(topic_tracking_remove(tt, "c1", "zeta"));
    assert_false(topic_tracking_remove(tt, "c1", "zeta"));
    assert_true(topic_tracking_add(tt, "c1", "beta", 0, 0));
    char **removed = NULL;
    assert_int_equal(topic_tracking_reset(tt, "c1", &removed), 2);
    assert_non_null(removed);
    bool alpha = false, beta = false;
    for (int i = 0; i < 2; i++) {
        alpha |= strcmp(removed[i], "alpha") == 0;
        beta |= strcmp(removed[i], "beta") == 0;
        free(removed[i]);
    }
    free(removed);
    assert_true(alpha && beta);
    assert_int_equal(topic_tracking_reset(tt, "c1", &removed), 0);
    assert_null(removed);
    j = topic_tracking_json(tt, "c2");
    s = json_dumps(j, JSON_COMPACT);
    assert_string_equal(s, "{\"c2\":{\"topics\":[\"zeta\"]}}");
    free(s);
    json_decref(j);
    topic_tracking_destroy(tt);
    topic_tracking_destroy(NULL);
}

static void test_topic_tracking_rules(void **state)
{
    (void)state;
    herder_reply r;
    herder_reply_init(&r);
    sl_props *p = props("bootstrap.servers", "x", NULL);
    assert_true(topic_tracking_check(p, false, &r));
    assert_true(topic_tracking_check(p, true, &r));
    assert_true(topic_tracking_check(NULL, true, &r));
    sl_props_set(p, "topic.tracking.allow.reset", " FALSE ");
    assert_true(topic_tracking_check(p, false, &r));
    assert_false(topic_tracking_check(p, true, &r));
    assert_int_equal(r.status, 403);
    assert_string_equal(msg(&r), "Topic tracking reset is disabled.");
    sl_props_set(p, "topic.tracking.enable", "false");
    assert_false(topic_tracking_enabled(p));
    assert_false(topic_tracking_check(p, false, &r));
    assert_int_equal(r.status, 403);
    assert_string_equal(msg(&r), "Topic tracking is disabled.");
    assert_false(topic_tracking_check(p, true, &r));
    assert_string_equal(msg(&r), "Topic tracking is disabled.");
    sl_props_set(p, "topic.tracking.enable", "maybe"); /* not a boolean: the default */
    assert_true(topic_tracking_enabled(p));
    herder_reply_fini(&r);
    sl_props_destroy(p);
}

/* ---- the runtime reports topics ---- */

static pthread_mutex_t g_topic_lock = PTHREAD_MUTEX_INITIALIZER;
static char g_topic_events[32][96];
static int g_ntopic_events;

static void on_topic(void *o, const char *conn, int task, const char *topic)
{
    (void)o;
    pthread_mutex_lock(&g_topic_lock);
    if (g_ntopic_events < 32)
        snprintf(g_topic_events[g_ntopic_events++], 96, "%s/%d/%s", conn, task, topic);
    pthread_mutex_unlock(&g_topic_lock);
}

static int topic_events(const char *want)
{
    int n = 0;
    pthread_mutex_lock(&g_topic_lock);
    for (int i = 0; i < g_ntopic_events; i++)
        n += strcmp(g_topic_events[i], want) == 0;
    pthread_mutex_unlock(&g_topic_lock);
    return n;
}

static bool wait_topic_events(const char *want, int count, int timeout_ms)
{
    for (int64_t end = now_ms() + timeout_ms; now_ms() < end; usleep(10000))
        if (topic_events(want) >= count)
            return true;
    return topic_events(want) >= count;
}

static void test_runtime_reports_topics_once(void **state)
{
    (void)state;
    g_ntopic_events = 0;
    runtime_listener l = k_listener;
    l.topic_active = on_topic;
    sl_props *wp = worker_props();
    char err[512];
    runtime *rt = runtime_new(wp, &g_store->base, &l, "127.0.0.1:8083", err, sizeof(err));
    assert_non_null(rt);

    /* Source: once per topic, after acknowledgements. */
    sl_props *sc = conn_props("tsrc", SRC_CLASS, NULL);
    sl_props *st = props("task.class", "x", "count", "50", "topic", "src-out2", NULL);
    assert_int_equal(runtime_start_task(rt, "tsrc", 0, sc, st, TARGET_STARTED, err, sizeof(err)),
                     SL_OK);
    assert_true(wait_topic_events("tsrc/0/src-out2", 1, 10000));

    /* Sink: once per consumed topic; again after runtime_reset_topics. */
    rd_kafka_mock_topic_create(g_mock, "oa-topics", 1, 1);
    sl_props *kc =
        conn_props("tsink", SINK_CLASS, (const char *const[]){"topics", "oa-topics", NULL});
    sl_props *kt = props("task.class", "x", NULL);
    assert_int_equal(runtime_start_task(rt, "tsink", 0, kc, kt, TARGET_STARTED, err, sizeof(err)),
                     SL_OK);
    int before = sink_count();
    produce_raw("oa-topics", 5, "a", NULL);
    assert_true(wait_sink_count(before + 5, 20000));
    produce_raw("oa-topics", 5, "b", NULL);
    assert_true(wait_sink_count(before + 10, 10000));
    assert_int_equal(topic_events("tsink/0/oa-topics"), 1);
    runtime_reset_topics(rt, "tsink");
    runtime_reset_topics(rt, "no-such-connector");
    produce_raw("oa-topics", 5, "c", NULL);
    assert_true(wait_topic_events("tsink/0/oa-topics", 2, 10000));
    assert_true(wait_sink_count(before + 15, 10000));
    assert_int_equal(topic_events("tsink/0/oa-topics"), 2);
    assert_int_equal(topic_events("tsrc/0/src-out2"), 1);

    runtime_destroy(rt);
    sl_props_destroy(sc);
    sl_props_destroy(st);
    sl_props_destroy(kc);
    sl_props_destroy(kt);
    sl_props_destroy(wp);
}

/* ---- the standalone herder's operations ---- */

static void call_named(herder *h, void (*fn)(herder *, const char *, herder_reply *),
                       const char *name, herder_reply *r)
{
    herder_reply_fini(r);
    herder_reply_init(r);
    fn(h, name, r);
}

static void test_standalone_ops(void **state)
{
    (void)state;
    tmpdir t;
    tmpdir_make(&t);
    char err[512];
    offset_store *s = offset_file_open(t.path, err, sizeof(err));
    assert_non_null(s);
    sl_props *wp = worker_props();
    sl_props_set(wp, "topic.tracking.allow.reset", "true");
    standalone_herder *sh =
        standalone_herder_start(wp, s, "127.0.0.1:8083", NULL, err, sizeof(err));
    assert_non_null(sh);
    herder *h = standalone_herder_iface(sh);
    herder_reply r;
    herder_reply_init(&r);

    h->ops->health(h, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.body, "status")), "healthy");

    sl_props *cfg = props("name", "c1", "connector.class", SRC_CLASS, "tasks.max", "1", "count",
                          "20", "topic", "src-out2", NULL);
    assert_int_equal(standalone_herder_add(sh, cfg, err, sizeof(err)), SL_OK);

    /* Offsets appear while it runs; GET does not need it stopped. */
    const char *want = "{\"offsets\":[{\"partition\":{\"src\":\"p\"},\"offset\":{\"n\":19}}]}";
    char *got = NULL;
    for (int64_t end = now_ms() + 10000; now_ms() < end; usleep(20000)) {
        call_named(h, h->ops->get_offsets, "c1", &r);
        free(got);
        got = body_text(&r);
        if (strcmp(got, want) == 0)
            break;
    }
    assert_string_equal(got, want);
    free(got);
    call_named(h, h->ops->get_offsets, "nope", &r);
    assert_int_equal(r.status, 404);
    assert_string_equal(msg(&r), "Connector nope not found");

    /* Topics: the source's topic once acknowledged; reset empties the set. */
    call_named(h, h->ops->get_topics, "c1", &r);
    got = body_text(&r);
    assert_string_equal(got, "{\"c1\":{\"topics\":[\"src-out2\"]}}");
    free(got);
    call_named(h, h->ops->reset_topics, "c1", &r);
    assert_int_equal(r.status, 202);
    assert_null(r.body);
    call_named(h, h->ops->get_topics, "c1", &r);
    got = body_text(&r);
    assert_string_equal(got, "{\"c1\":{\"topics\":[]}}");
    free(got);

    /* PATCH while running: 400; a bad body is refused before the connector is looked up. */
    json_t *body = parse("{\"offsets\":[{\"partition\":{\"src\":\"p\"},\"offset\":{\"n\":4}}]}");
    herder_reply_fini(&r);
    herder_reply_init(&r);
    h->ops->alter_offsets(h, "c1", body, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(msg(&r), STOPPED_MSG);
    herder_reply_fini(&r);
    herder_reply_init(&r);
    h->ops->alter_offsets(h, "nope", body, &r);
    assert_int_equal(r.status, 404);
    json_t *empty = parse("{}");
    herder_reply_fini(&r);
    herder_reply_init(&r);
    h->ops->alter_offsets(h, "nope", empty, &r);
    assert_int_equal(r.status, 400);
    json_decref(empty);

    /* Stop, PATCH, resume: the task resumes after the altered offset. */
    call_named(h, h->ops->stop_connector, "c1", &r);
    assert_int_equal(r.status, 204);
    herder_reply_fini(&r);
    herder_reply_init(&r);
    h->ops->alter_offsets(h, "c1", body, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(msg(&r), OFFSETS_ADMIN_MSG_ALTERED);
    call_named(h, h->ops->get_offsets, "c1", &r);
    got = body_text(&r);
    assert_string_equal(got,
                        "{\"offsets\":[{\"partition\":{\"src\":\"p\"},\"offset\":{\"n\":4}}]}");
    free(got);
    atomic_store(&g_src_resume_from, -1);
    call_named(h, h->ops->resume_connector, "c1", &r);
    assert_int_equal(r.status, 202);
    for (int64_t end = now_ms() + 10000; now_ms() < end && atomic_load(&g_src_resume_from) != 5;)
        usleep(10000);
    assert_int_equal(atomic_load(&g_src_resume_from), 5);
    /* ... and the re-read records make the topic active again. */
    for (int64_t end = now_ms() + 10000; now_ms() < end; usleep(20000)) {
        call_named(h, h->ops->get_topics, "c1", &r);
        if (json_array_size(json_object_get(json_object_get(r.body, "c1"), "topics")) == 1)
            break;
    }
    got = body_text(&r);
    assert_string_equal(got, "{\"c1\":{\"topics\":[\"src-out2\"]}}");
    free(got);

    /* Stop and DELETE: every offset of the connector goes. */
    call_named(h, h->ops->stop_connector, "c1", &r);
    call_named(h, h->ops->get_offsets, "c1", &r); /* flushed by the stop */
    herder_reply_fini(&r);
    herder_reply_init(&r);
    h->ops->alter_offsets(h, "c1", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(msg(&r), OFFSETS_ADMIN_MSG_RESET);
    call_named(h, h->ops->get_offsets, "c1", &r);
    got = body_text(&r);
    assert_string_equal(got, "{\"offsets\":[]}");
    free(got);

    /* connect-standalone has no internal task-config endpoint. */
    herder_reply_fini(&r);
    herder_reply_init(&r);
    json_t *arr = json_array();
    h->ops->put_task_configs(h, "c1", arr, &r);
    assert_int_equal(r.status, 404);
    json_decref(arr);

    herder_reply_fini(&r);
    json_decref(body);
    sl_props_destroy(cfg);
    standalone_herder_destroy(sh);
    sl_props_destroy(wp);
    tmpdir_remove(&t);
}

static void test_standalone_topic_tracking_disabled(void **state)
{
    (void)state;
    char err[512];
    sl_props *wp = worker_props();
    sl_props_set(wp, "topic.tracking.allow.reset", "false");
    standalone_herder *sh = standalone_herder_start(wp, &mem_store_new()->base, "127.0.0.1:8083",
                                                    NULL, err, sizeof(err));
    assert_non_null(sh);
    herder *h = standalone_herder_iface(sh);
    herder_reply r;
    herder_reply_init(&r);
    h->ops->get_topics(h, "c1", &r);
    assert_int_equal(r.status, 200);
    call_named(h, h->ops->reset_topics, "c1", &r);
    assert_int_equal(r.status, 403);
    assert_string_equal(msg(&r), "Topic tracking reset is disabled.");
    herder_reply_fini(&r);
    standalone_herder_destroy(sh);
    sl_props_destroy(wp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_body_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stopped_precondition, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_class, setup, teardown),
        cmocka_unit_test_setup_teardown(test_source_offsets_file_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_source_invalid_maps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sink_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sink_offsets_mock_cluster, setup, teardown),
        cmocka_unit_test_setup_teardown(test_topic_tracking_set, setup, teardown),
        cmocka_unit_test_setup_teardown(test_topic_tracking_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_runtime_reports_topics_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_standalone_ops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_standalone_topic_tracking_disabled, setup, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
