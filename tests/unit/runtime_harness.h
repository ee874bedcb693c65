/* tests/unit/runtime_harness.h: shared fixture for the runtime tests: librdkafka's mock
 * cluster, an in-memory offset store, a recording listener, test connectors and a converter. */
#ifndef SLUICE_TESTS_RUNTIME_HARNESS_H
#define SLUICE_TESTS_RUNTIME_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <pthread.h>
#include <stdatomic.h>

#include "plugin/registry.h"
#include "plugin/registry_internal.h"
#include "runtime/runtime.h"
#include "util/log.h"

/* ==== an in-memory offset store ==== */

typedef struct mem_store {
    offset_store base;
    pthread_mutex_t lock;
    json_t *map; /* key text -> value text */
    int puts;
    bool fail;
} mem_store;

static __attribute__((unused)) int mem_get(offset_store *s, const char *key, size_t key_len,
                                           char **value, size_t *value_len, char *errstr,
                                           size_t errstr_size)
{
    (void)errstr;
    (void)errstr_size;
    mem_store *m = (mem_store *)s;
    pthread_mutex_lock(&m->lock);
    char *k = strndup(key, key_len);
    json_t *v = json_object_get(m->map, k);
    free(k);
    *value = v ? strdup(json_string_value(v)) : NULL;
    *value_len = v ? json_string_length(v) : 0;
    pthread_mutex_unlock(&m->lock);
    return SL_OK;
}

static __attribute__((unused)) int mem_put(offset_store *s, const offset_entry *e, size_t n,
                                           char *errstr, size_t errstr_size)
{
    mem_store *m = (mem_store *)s;
    pthread_mutex_lock(&m->lock);
    if (m->fail) {
        pthread_mutex_unlock(&m->lock);
        snprintf(errstr, errstr_size, "store unavailable");
        return SL_ERR;
    }
    for (size_t i = 0; i < n; i++) {
        char *k = strndup(e[i].key, e[i].key_len);
        if (e[i].value == NULL)
            json_object_del(m->map, k);
        else
            json_object_set_new(m->map, k, json_stringn(e[i].value, e[i].value_len));
        free(k);
    }
    m->puts++;
    pthread_mutex_unlock(&m->lock);
    return SL_OK;
}

static __attribute__((unused)) int
mem_foreach(offset_store *s, int (*fn)(void *, const offset_entry *), void *opaque)
{
    (void)s;
    (void)fn;
    (void)opaque;
    return 0;
}

static __attribute__((unused)) void mem_destroy(offset_store *s)
{
    mem_store *m = (mem_store *)s;
    json_decref(m->map);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

static const offset_store_ops k_mem_ops = {mem_get, mem_put, mem_foreach, mem_destroy};

static __attribute__((unused)) mem_store *mem_store_new(void)
{
    mem_store *m = calloc(1, sizeof(*m));
    m->base.ops = &k_mem_ops;
    pthread_mutex_init(&m->lock, NULL);
    m->map = json_object();
    return m;
}

/* The stored value for `key`, copied (NULL if none). */
static __attribute__((unused)) char *mem_lookup(mem_store *m, const char *key)
{
    pthread_mutex_lock(&m->lock);
    json_t *v = json_object_get(m->map, key);
    char *out = v ? strdup(json_string_value(v)) : NULL;
    pthread_mutex_unlock(&m->lock);
    return out;
}

/* ==== a listener that records every status ==== */

typedef struct event {
    char conn[64];
    int task; /* -1 for the connector */
    conn_state st;
    char trace[1024];
} event;

static __attribute__((unused)) pthread_mutex_t g_ev_lock = PTHREAD_MUTEX_INITIALIZER;
static __attribute__((unused)) event g_events[512];
static __attribute__((unused)) int g_nevents;
static __attribute__((unused)) int g_reconfigures;

static __attribute__((unused)) void add_event(const char *conn, int task, conn_state st,
                                              const char *trace)
{
    pthread_mutex_lock(&g_ev_lock);
    if (g_nevents < (int)(sizeof(g_events) / sizeof(g_events[0]))) {
        event *e = &g_events[g_nevents++];
        snprintf(e->conn, sizeof(e->conn), "%s", conn);
        e->task = task;
        e->st = st;
        snprintf(e->trace, sizeof(e->trace), "%s", trace ? trace : "");
    }
    pthread_mutex_unlock(&g_ev_lock);
}

static __attribute__((unused)) void on_conn(void *o, const char *conn, conn_state st,
                                            const char *trace)
{
    (void)o;
    add_event(conn, -1, st, trace);
}

static __attribute__((unused)) void on_task(void *o, const char *conn, int task, conn_state st,
                                            const char *trace)
{
    (void)o;
    add_event(conn, task, st, trace);
}

static __attribute__((unused)) void on_reconf(void *o, const char *conn)
{
    (void)o;
    (void)conn;
    pthread_mutex_lock(&g_ev_lock);
    g_reconfigures++;
    pthread_mutex_unlock(&g_ev_lock);
}

static const runtime_listener k_listener = {NULL, on_conn, on_task, on_reconf, NULL};

/* The latest state reported for (conn, task), or -1; its trace copied into trace. */
static __attribute__((unused)) int last_state(const char *conn, int task, char *trace,
                                              size_t trace_size)
{
    int st = -1;
    pthread_mutex_lock(&g_ev_lock);
    for (int i = 0; i < g_nevents; i++)
        if (g_events[i].task == task && strcmp(g_events[i].conn, conn) == 0) {
            st = (int)g_events[i].st;
            if (trace)
                snprintf(trace, trace_size, "%s", g_events[i].trace);
        }
    pthread_mutex_unlock(&g_ev_lock);
    return st;
}

static __attribute__((unused)) int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static __attribute__((unused)) bool wait_state(const char *conn, int task, conn_state st,
                                               int timeout_ms)
{
    int64_t end = now_ms() + timeout_ms;
    while (now_ms() < end) {
        if (last_state(conn, task, NULL, 0) == (int)st)
            return true;
        usleep(10000);
    }
    return last_state(conn, task, NULL, 0) == (int)st;
}

/* ==== a test converter: bytes <-> STRING; the payload "bad" cannot be converted ==== */

static __attribute__((unused)) int str_init(const sl_config *c, sl_converter_role role,
                                            void **state, char *e, size_t n)
{
    (void)c;
    (void)role;
    (void)e;
    (void)n;
    *state = NULL;
    return SL_OK;
}

static __attribute__((unused)) int str_from(void *state, const char *topic, const char *hk,
                                            const sl_schema *schema, const sl_value *v, void **out,
                                            size_t *out_len, char *e, size_t n)
{
    (void)state;
    (void)topic;
    (void)hk;
    (void)schema;
    (void)e;
    (void)n;
    *out = NULL;
    *out_len = 0;
    if (v == NULL)
        return SL_OK;
    size_t len = 0;
    const char *s = sl_value_get_string(v, &len);
    *out = malloc(len + 1);
    memcpy(*out, s, len);
    *out_len = len;
    return SL_OK;
}

static __attribute__((unused)) int str_to(void *state, const char *topic, const char *hk,
                                          const void *data, size_t len, sl_schema **schema,
                                          sl_value **value, char *errstr, size_t errstr_size)
{
    (void)state;
    (void)topic;
    (void)hk;
    *schema = NULL;
    *value = NULL;
    if (data == NULL)
        return SL_OK;
    if (len == 3 && memcmp(data, "bad", 3) == 0) {
        snprintf(errstr, errstr_size, "cannot convert bad");
        return SL_ERR;
    }
    *value = sl_value_new_string(data, len);
    return SL_OK;
}

static const sl_converter_def k_str_conv = {
    .struct_size = sizeof(sl_converter_def),
    .class_name = "test.StrConverter",
    .header_converter = true,
    .init = str_init,
    .from_value = str_from,
    .to_value = str_to,
};

/* ==== connectors ==== */

static const sl_config_def k_conn_config[] = {
    {.name = "fail.connector.start", .type = SL_CFG_BOOLEAN, .default_value = "false"},
    {.name = "raise.error", .type = SL_CFG_BOOLEAN, .default_value = "false"},
    {.name = "reconfigure", .type = SL_CFG_BOOLEAN, .default_value = "false"},
    SL_CONFIG_END,
};

static __attribute__((unused)) atomic_int g_conn_stops;

static __attribute__((unused)) int conn_start(const sl_config *config, sl_connector_ctx *ctx,
                                              void **state, char *errstr, size_t errstr_size)
{
    if (sl_config_bool(config, "fail.connector.start")) {
        snprintf(errstr, errstr_size, "connector refuses to start");
        return SL_ERR;
    }
    if (sl_config_bool(config, "reconfigure"))
        sl_connector_request_reconfiguration(ctx);
    if (sl_config_bool(config, "raise.error"))
        sl_connector_raise_error(ctx, "something broke");
    *state = sl_props_copy(sl_config_originals(config));
    return SL_OK;
}

static __attribute__((unused)) int conn_task_configs(void *state, int max_tasks, sl_props **out,
                                                     char *e, size_t n)
{
    (void)e;
    (void)n;
    for (int i = 0; i < max_tasks; i++)
        out[i] = sl_props_copy(state);
    return max_tasks;
}

static __attribute__((unused)) void conn_stop(void *state)
{
    sl_props_destroy(state);
    atomic_fetch_add(&g_conn_stops, 1);
}

/* -- source: emits `count` records "v<i>" with source offset {"n": i}, resuming after the
 * stored offset -- */

static const sl_config_def k_src_task_config[] = {
    {.name = "count", .type = SL_CFG_INT, .default_value = "1000"},
    {.name = "topic", .type = SL_CFG_STRING, .default_value = "src-out"},
    {.name = "fail.start", .type = SL_CFG_BOOLEAN, .default_value = "false"},
    {.name = "fail.poll.at", .type = SL_CFG_INT, .default_value = "-1"},
    SL_CONFIG_END,
};

typedef struct src_task {
    int next, count, fail_at;
    char topic[64];
} src_task;

static __attribute__((unused)) atomic_int g_src_commits, g_src_commit_records, g_src_resume_from;

static __attribute__((unused)) sl_value *src_partition(void)
{
    sl_value *p = sl_value_new_map();
    sl_value_map_put_str(p, "src", sl_value_new_string("p", 1));
    return p;
}

static __attribute__((unused)) int src_start(const sl_config *config, sl_task_ctx *ctx, void **task,
                                             char *errstr, size_t errstr_size)
{
    if (sl_config_bool(config, "fail.start")) {
        snprintf(errstr, errstr_size, "source cannot start");
        return SL_ERR;
    }
    src_task *t = calloc(1, sizeof(*t));
    t->count = sl_config_int(config, "count");
    t->fail_at = sl_config_int(config, "fail.poll.at");
    snprintf(t->topic, sizeof(t->topic), "%s", sl_config_string(config, "topic"));
    sl_value *p = src_partition();
    sl_value *off = sl_task_offset(ctx, p);
    sl_value_destroy(p);
    int64_t n = -1;
    if (off != NULL)
        sl_value_get_int(sl_value_map_get_str(off, "n"), &n);
    sl_value_destroy(off);
    t->next = (int)(n + 1);
    atomic_store(&g_src_resume_from, t->next);
    *task = t;
    return SL_OK;
}

static __attribute__((unused)) int src_poll(void *task, sl_task_ctx *ctx, char *errstr,
                                            size_t errstr_size)
{
    src_task *t = task;
    if (t->fail_at >= 0 && t->next >= t->fail_at) {
        snprintf(errstr, errstr_size, "source poll exploded at %d", t->next);
        return SL_ERR;
    }
    int emitted = 0;
    while (emitted < 100 && t->next < t->count && (t->fail_at < 0 || t->next < t->fail_at)) {
        char v[32];
        int len = snprintf(v, sizeof(v), "v%d", t->next);
        sl_record *r = sl_source_record_new(t->topic, -1, NULL, NULL, NULL,
                                            sl_value_new_string(v, (size_t)len));
        sl_value *off = sl_value_new_map();
        sl_value_map_put_str(off, "n", sl_value_new_int64(t->next));
        sl_record_set_source_position(r, src_partition(), off);
        assert_int_equal(sl_task_emit(ctx, r), SL_OK);
        t->next++;
        emitted++;
    }
    if (emitted == 0)
        usleep(5000);
    return emitted;
}

static __attribute__((unused)) void src_stop(void *task)
{
    free(task);
}
static __attribute__((unused)) void src_commit(void *task)
{
    (void)task;
    atomic_fetch_add(&g_src_commits, 1);
}
static __attribute__((unused)) void src_commit_record(void *task, const sl_record *r)
{
    (void)task;
    (void)r;
    atomic_fetch_add(&g_src_commit_records, 1);
}

static const sl_connector_def k_source = {
    .struct_size = sizeof(sl_connector_def),
    .class_name = "test.CountingSourceConnector",
    .kind = SL_CONNECTOR_SOURCE,
    .config = k_conn_config,
    .start = conn_start,
    .task_configs = conn_task_configs,
    .stop = conn_stop,
    .task_config = k_src_task_config,
    .task_start = src_start,
    .task_stop = src_stop,
    .poll = src_poll,
    .commit = src_commit,
    .commit_record = src_commit_record,
};

/* -- sink: collects values; can fail or ask for a retry -- */

static const sl_config_def k_sink_task_config[] = {
    {.name = "fail.put.at", .type = SL_CFG_INT, .default_value = "-1"},
    {.name = "retriable.once", .type = SL_CFG_BOOLEAN, .default_value = "false"},
    {.name = "seek.to", .type = SL_CFG_LONG, .default_value = "-1"},
    SL_CONFIG_END,
};

typedef struct sink_task {
    int fail_at;
    bool retriable;
    int64_t seek_to; /* >= 0: open() seeks every partition there */
    sl_task_ctx *ctx;
} sink_task;

static __attribute__((unused)) pthread_mutex_t g_sink_lock = PTHREAD_MUTEX_INITIALIZER;
static __attribute__((unused)) int g_sink_count, g_sink_puts_with_records, g_sink_retries,
    g_sink_opens, g_sink_closes;
static __attribute__((unused)) int64_t g_sink_flushed; /* sum of the offsets last given to flush */
static __attribute__((unused)) char g_sink_last[64];

static __attribute__((unused)) int sink_start(const sl_config *config, sl_task_ctx *ctx,
                                              void **task, char *e, size_t n)
{
    (void)ctx;
    (void)e;
    (void)n;
    sink_task *t = calloc(1, sizeof(*t));
    t->fail_at = sl_config_int(config, "fail.put.at");
    t->retriable = sl_config_bool(config, "retriable.once");
    t->seek_to = sl_config_long(config, "seek.to");
    t->ctx = ctx;
    *task = t;
    return SL_OK;
}

static __attribute__((unused)) int sink_put(void *task, sl_record *const *records, size_t n,
                                            char *errstr, size_t errstr_size)
{
    sink_task *t = task;
    pthread_mutex_lock(&g_sink_lock);
    if (n > 0 && t->retriable) {
        t->retriable = false;
        g_sink_retries++;
        pthread_mutex_unlock(&g_sink_lock);
        snprintf(errstr, errstr_size, "try again later");
        return SL_ERR_RETRIABLE;
    }
    if (n > 0)
        g_sink_puts_with_records++;
    for (size_t i = 0; i < n; i++) {
        if (t->fail_at >= 0 && g_sink_count >= t->fail_at) {
            pthread_mutex_unlock(&g_sink_lock);
            snprintf(errstr, errstr_size, "sink is full at record %d", t->fail_at);
            return SL_ERR;
        }
        const char *v = sl_value_get_string(sl_record_value(records[i]), NULL);
        snprintf(g_sink_last, sizeof(g_sink_last), "%s", v ? v : "(null)");
        g_sink_count++;
    }
    pthread_mutex_unlock(&g_sink_lock);
    return SL_OK;
}

static __attribute__((unused)) int sink_flush(void *task, const sl_tp_offset *offsets, size_t n,
                                              char *e, size_t en)
{
    (void)task;
    (void)e;
    (void)en;
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += offsets[i].offset;
    pthread_mutex_lock(&g_sink_lock);
    g_sink_flushed = sum;
    pthread_mutex_unlock(&g_sink_lock);
    return SL_OK;
}

static __attribute__((unused)) int sink_open(void *task, const sl_tp_offset *p, size_t n, char *e,
                                             size_t en)
{
    (void)e;
    (void)en;
    sink_task *t = task;
    for (size_t i = 0; i < n && t->seek_to >= 0; i++)
        if (sl_task_seek(t->ctx, p[i].topic, p[i].partition, t->seek_to) != SL_OK)
            return SL_ERR;
    pthread_mutex_lock(&g_sink_lock);
    g_sink_opens += (int)n;
    pthread_mutex_unlock(&g_sink_lock);
    return SL_OK;
}

static __attribute__((unused)) int sink_close(void *task, const sl_tp_offset *p, size_t n, char *e,
                                              size_t en)
{
    (void)task;
    (void)p;
    (void)e;
    (void)en;
    pthread_mutex_lock(&g_sink_lock);
    g_sink_closes += (int)n;
    pthread_mutex_unlock(&g_sink_lock);
    return SL_OK;
}

static __attribute__((unused)) void sink_stop(void *task)
{
    free(task);
}

static const sl_connector_def k_sink = {
    .struct_size = sizeof(sl_connector_def),
    .class_name = "test.CollectSinkConnector",
    .kind = SL_CONNECTOR_SINK,
    .config = k_conn_config,
    .start = conn_start,
    .task_configs = conn_task_configs,
    .stop = conn_stop,
    .task_config = k_sink_task_config,
    .task_start = sink_start,
    .task_stop = sink_stop,
    .put = sink_put,
    .flush = sink_flush,
    .open = sink_open,
    .close = sink_close,
};

static __attribute__((unused)) int sink_count(void)
{
    pthread_mutex_lock(&g_sink_lock);
    int n = g_sink_count;
    pthread_mutex_unlock(&g_sink_lock);
    return n;
}

/* Read a sink counter under its lock (never assert while holding it: a failed assertion
 * jumps out and would leave it locked). */
static __attribute__((unused)) int64_t sink_get(const void *field, bool is64)
{
    pthread_mutex_lock(&g_sink_lock);
    int64_t v = is64 ? *(const int64_t *)field : *(const int *)field;
    pthread_mutex_unlock(&g_sink_lock);
    return v;
}
#define SINK_INT(f) ((int)sink_get(&(f), false))
#define SINK_I64(f) sink_get(&(f), true)

static __attribute__((unused)) bool wait_sink_count(int want, int timeout_ms)
{
    int64_t end = now_ms() + timeout_ms;
    while (now_ms() < end && sink_count() < want)
        usleep(10000);
    return sink_count() >= want;
}

/* ==== the mock cluster and raw clients ==== */

static __attribute__((unused)) rd_kafka_t *g_mock_rk;
static __attribute__((unused)) rd_kafka_mock_cluster_t *g_mock;
static __attribute__((unused)) char g_bootstrap[256];

static __attribute__((unused)) void produce_raw(const char *topic, int n, const char *prefix,
                                                const char *bad_at_index)
{
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", g_bootstrap, err, sizeof(err));
    rd_kafka_t *p = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    assert_non_null(p);
    for (int i = 0; i < n; i++) {
        char v[32];
        int len = snprintf(v, sizeof(v), "%s%d", prefix, i);
        if (bad_at_index != NULL && i == atoi(bad_at_index))
            len = snprintf(v, sizeof(v), "bad");
        assert_int_equal(rd_kafka_producev(p, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0),
                                           RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                           RD_KAFKA_V_VALUE(v, (size_t)len), RD_KAFKA_V_END),
                         RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    assert_int_equal(rd_kafka_flush(p, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_destroy(p);
}

/* Read partition 0 of `topic` from the start; returns how many messages were read (up to
 * want) and copies the last value. */
static __attribute__((unused)) int consume_raw(const char *topic, int want, char *last,
                                               size_t last_size)
{
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", g_bootstrap, err, sizeof(err));
    rd_kafka_conf_set(conf, "group.id", "raw-reader", err, sizeof(err));
    rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    assert_non_null(c);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(c, l);
    rd_kafka_topic_partition_list_destroy(l);
    int got = 0;
    int64_t end = now_ms() + 10000;
    bool in_order = true;
    while (got < want && now_ms() < end) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 100);
        if (m == NULL)
            continue;
        if (!m->err) {
            char want_v[32];
            snprintf(want_v, sizeof(want_v), "v%d", got);
            if (m->len != strlen(want_v) || memcmp(m->payload, want_v, m->len) != 0)
                in_order = false;
            snprintf(last, last_size, "%.*s", (int)m->len, (const char *)m->payload);
            got++;
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(c);
    rd_kafka_destroy(c);
    assert_true(in_order);
    return got;
}

/* The committed offset of group/topic/0, or -1. */
static __attribute__((unused)) int64_t committed_offset(const char *group, const char *topic)
{
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", g_bootstrap, err, sizeof(err));
    rd_kafka_conf_set(conf, "group.id", group, err, sizeof(err));
    rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, 0);
    int64_t off = -1;
    if (rd_kafka_committed(c, l, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR && l->elems[0].offset >= 0)
        off = l->elems[0].offset;
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_destroy(c);
    return off;
}

/* ==== fixtures ==== */

static __attribute__((unused)) mem_store *g_store;
static __attribute__((unused)) runtime *g_rt;

static __attribute__((unused)) sl_props *worker_props(void)
{
    sl_props *p = sl_props_new();
    sl_props_set(p, "bootstrap.servers", g_bootstrap);
    sl_props_set(p, "key.converter", "test.StrConverter");
    sl_props_set(p, "value.converter", "test.StrConverter");
    sl_props_set(p, "header.converter", "test.StrConverter");
    sl_props_set(p, "offset.flush.interval.ms", "100");
    sl_props_set(p, "task.shutdown.graceful.timeout.ms", "5000");
    /* Faster group joins against the mock cluster. */
    sl_props_set(p, "consumer.session.timeout.ms", "6000");
    sl_props_set(p, "consumer.heartbeat.interval.ms", "500");
    return p;
}

static __attribute__((unused)) int group_setup(void **state)
{
    (void)state;
    log_set_level(SL_LOG_WARN);
    assert_int_equal(registry_init(), SL_OK);
    registry_add(PLUGIN_SOURCE, k_source.class_name, NULL, "test", &k_source);
    registry_add(PLUGIN_SINK, k_sink.class_name, NULL, "test", &k_sink);
    registry_add(PLUGIN_CONVERTER, k_str_conv.class_name, NULL, "test", &k_str_conv);
    registry_add(PLUGIN_HEADER_CONVERTER, k_str_conv.class_name, NULL, "test", &k_str_conv);
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "0", err, sizeof(err));
    g_mock_rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(g_mock_rk, 1);
    assert_non_null(mc);
    g_mock = mc;
    snprintf(g_bootstrap, sizeof(g_bootstrap), "%s", rd_kafka_mock_cluster_bootstraps(mc));
    const char *topics[] = {"src-out", "src-out2", "sink-in", "sink-bad", "sink-seek", "sink-fail"};
    for (size_t i = 0; i < sizeof(topics) / sizeof(topics[0]); i++)
        rd_kafka_mock_topic_create(mc, topics[i], 1, 1);
    return 0;
}

static __attribute__((unused)) int group_teardown(void **state)
{
    (void)state;
    rd_kafka_mock_cluster_destroy(g_mock);
    rd_kafka_destroy(g_mock_rk);
    registry_shutdown();
    return 0;
}

static __attribute__((unused)) int setup(void **state)
{
    (void)state;
    pthread_mutex_lock(&g_ev_lock);
    g_nevents = 0;
    g_reconfigures = 0;
    pthread_mutex_unlock(&g_ev_lock);
    pthread_mutex_lock(&g_sink_lock);
    g_sink_count = g_sink_puts_with_records = g_sink_retries = g_sink_opens = g_sink_closes = 0;
    g_sink_flushed = 0;
    pthread_mutex_unlock(&g_sink_lock);
    g_store = mem_store_new();
    sl_props *wp = worker_props();
    char err[256];
    g_rt = runtime_new(wp, &g_store->base, &k_listener, "127.0.0.1:8083", err, sizeof(err));
    sl_props_destroy(wp);
    assert_non_null(g_rt);
    return 0;
}

static __attribute__((unused)) int teardown(void **state)
{
    (void)state;
    runtime_destroy(g_rt);
    offset_store_destroy(&g_store->base);
    return 0;
}

static __attribute__((unused)) sl_props *conn_props(const char *name, const char *cls,
                                                    const char *const *kv)
{
    sl_props *p = sl_props_new();
    sl_props_set(p, "name", name);
    sl_props_set(p, "connector.class", cls);
    sl_props_set(p, "tasks.max", "1");
    for (size_t i = 0; kv && kv[i]; i += 2)
        sl_props_set(p, kv[i], kv[i + 1]);
    return p;
}

/* Start connector `name` and its single task, asserting both run. */
static __attribute__((unused)) sl_props *start_all(const char *name, const char *cls,
                                                   const char *const *kv)
{
    sl_props *cp = conn_props(name, cls, kv);
    char err[512];
    assert_int_equal(runtime_start_connector(g_rt, name, cp, TARGET_STARTED, err, sizeof(err)),
                     SL_OK);
    assert_int_equal(last_state(name, -1, NULL, 0), STATE_RUNNING);
    sl_props **tc = NULL;
    int n = 0;
    assert_int_equal(runtime_task_configs(g_rt, name, 1, &tc, &n, err, sizeof(err)), SL_OK);
    assert_int_equal(n, 1);
    assert_int_equal(runtime_start_task(g_rt, name, 0, cp, tc[0], TARGET_STARTED, err, sizeof(err)),
                     SL_OK);
    sl_props_destroy(tc[0]);
    free(tc);
    return cp;
}

#endif
