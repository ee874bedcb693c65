/* plugins/verifiable/source.c: VerifiableSourceConnector and its task: task i emits seqno 0, 1,
 * 2, ... keyed by i at `throughput` records/s, resuming after its stored {"seqno"} offset. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sluice/sdk.h>

#include "verifiable.h"

/* Kafka's names: offsets written by Kafka Connect's VerifiableSource resume here, and back. */
#define ID_FIELD "id"
#define SEQNO_FIELD "seqno"

/* Records per poll when unthrottled: large enough to keep the producer busy, small enough that
 * poll() returns well within a second. */
#define MAX_BATCH 1000
/* Longest single wait in poll() while throttled. */
#define MAX_WAIT_MS 100

static const sl_config_def source_config[] = {
    {.name = "topic",
     .type = SL_CFG_STRING,
     .required = true,
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "The topic to produce to",
     .validator = SL_VALIDATE_NON_EMPTY},
    {.name = "throughput",
     .type = SL_CFG_LONG,
     .default_value = "-1",
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "Records per second each task produces; negative means as fast as possible, 0 "
            "produces nothing"},
    {.name = "complete.record.data",
     .type = SL_CFG_BOOLEAN,
     .default_value = "false",
     .importance = SL_IMPORTANCE_LOW,
     .doc = "If true, each value is a struct {name, task, topic, time_ms, seqno}; otherwise "
            "the value is the INT64 seqno (the key is always the INT32 task id)"},
    SL_CONFIG_END,
};

/* The task's keys: the connector's plus the task id its connector assigned. */
static const sl_config_def source_task_config[] = {
    {.name = "topic",
     .type = SL_CFG_STRING,
     .required = true,
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "The topic to produce to",
     .validator = SL_VALIDATE_NON_EMPTY},
    {.name = "throughput",
     .type = SL_CFG_LONG,
     .default_value = "-1",
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "Records per second; negative means as fast as possible"},
    {.name = "complete.record.data",
     .type = SL_CFG_BOOLEAN,
     .default_value = "false",
     .importance = SL_IMPORTANCE_LOW,
     .doc = "Struct values instead of INT64 seqno values"},
    {.name = VERIFIABLE_ID_CONFIG,
     .type = SL_CFG_INT,
     .required = true,
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "The task id (set by the connector)",
     .validator = SL_VALIDATE_MIN(0)},
    SL_CONFIG_END,
};

/* ---- connector ---- */

static int source_start(const sl_config *config, sl_connector_ctx *ctx, void **state, char *errstr,
                        size_t errstr_size)
{
    (void)ctx;
    sl_props *props = sl_props_copy(sl_config_originals(config));
    if (props == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    *state = props;
    return SL_OK;
}

static int source_task_configs(void *state, int max_tasks, sl_props **out, char *errstr,
                               size_t errstr_size)
{
    return verifiable_task_configs(state, max_tasks, out, errstr, errstr_size);
}

static void source_stop(void *state)
{
    sl_props_destroy(state);
}

/* ---- task ---- */

typedef struct source_task {
    char *name; /* connector name */
    char *topic;
    int32_t id;
    int64_t throughput;
    bool complete;           /* complete.record.data */
    sl_schema *value_schema; /* struct schema when `complete`, else NULL */
    bool resumed;            /* offset read (first poll) */
    int64_t seqno;           /* next to emit */
    int64_t start_seqno;     /* first emitted by this instance: throttling counts from it */
    int64_t start_mono_ms;
} source_task;

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Kafka's COMPLETE_VALUE_SCHEMA: an unnamed struct of required fields, in Kafka's order. */
static sl_schema *complete_schema(void)
{
    sl_schema *s = sl_schema_new_struct(NULL);
    static const struct {
        const char *name;
        sl_type type;
    } fields[] = {{"name", SL_TYPE_STRING},
                  {"task", SL_TYPE_INT32},
                  {"topic", SL_TYPE_STRING},
                  {"time_ms", SL_TYPE_INT64},
                  {"seqno", SL_TYPE_INT64}};
    for (size_t i = 0; s != NULL && i < sizeof(fields) / sizeof(fields[0]); i++) {
        if (sl_schema_add_field(s, fields[i].name,
                                sl_schema_ref(sl_schema_primitive(fields[i].type, false))) !=
            SL_OK) {
            sl_schema_unref(s);
            s = NULL;
        }
    }
    return s;
}

static void source_task_stop(void *task)
{
    source_task *t = task;
    if (t == NULL)
        return;
    sl_schema_unref(t->value_schema);
    free(t->name);
    free(t->topic);
    free(t);
}

static int source_task_start(const sl_config *config, sl_task_ctx *ctx, void **task, char *errstr,
                             size_t errstr_size)
{
    source_task *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    const char *name = sl_props_get(sl_config_originals(config), VERIFIABLE_NAME_CONFIG);
    if (name == NULL)
        name = sl_task_connector_name(ctx);
    const char *topic = sl_config_string(config, "topic");
    t->name = strdup(name ? name : "");
    t->topic = topic ? strdup(topic) : NULL;
    t->id = sl_config_int(config, VERIFIABLE_ID_CONFIG);
    t->throughput = sl_config_long(config, "throughput");
    t->complete = sl_config_bool(config, "complete.record.data");
    if (t->complete)
        t->value_schema = complete_schema();
    if (t->name == NULL || (t->complete && t->value_schema == NULL)) {
        snprintf(errstr, errstr_size, "out of memory");
        source_task_stop(t);
        return SL_ERR;
    }
    if (t->topic == NULL || *t->topic == '\0') {
        snprintf(errstr, errstr_size, "Invalid VerifiableSourceTask configuration: no topic");
        source_task_stop(t);
        return SL_ERR;
    }
    *task = t;
    return SL_OK;
}

/* {"id": <task>} as an INT32, as Kafka's Collections.singletonMap(ID_FIELD, id). */
static sl_value *source_partition(const source_task *t)
{
    sl_value *m = sl_value_new_map();
    if (m != NULL && sl_value_map_put_str(m, ID_FIELD, sl_value_new_int32(t->id)) != SL_OK) {
        sl_value_destroy(m);
        return NULL;
    }
    return m;
}

/* Read the stored offset once: seqno = stored + 1, or 0 when none is stored. */
static int source_resume(source_task *t, sl_task_ctx *ctx, char *errstr, size_t errstr_size)
{
    sl_value *partition = source_partition(t);
    if (partition == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    sl_value *offset = sl_task_offset(ctx, partition);
    sl_value_destroy(partition);
    t->seqno = 0;
    if (offset != NULL) {
        int64_t stored;
        const sl_value *v = sl_value_map_get_str(offset, SEQNO_FIELD);
        if (v == NULL || sl_value_get_int(v, &stored) != SL_OK || stored < -1) {
            /* Kafka fails the task here too (a ClassCastException or NPE): never guess. */
            char *json = sl_value_to_json(offset, NULL);
            snprintf(errstr, errstr_size,
                     "VerifiableSourceTask %d: stored offset %s has no integer \"seqno\"",
                     (int)t->id, json ? json : "?");
            free(json);
            sl_value_destroy(offset);
            return SL_ERR;
        }
        sl_value_destroy(offset);
        t->seqno = stored + 1;
    }
    t->start_seqno = t->seqno;
    t->start_mono_ms = mono_ms();
    t->resumed = true;
    sl_log(SL_LOG_INFO,
           "Started VerifiableSourceTask %s-%d producing to topic %s resuming from seqno %lld",
           t->name, (int)t->id, t->topic, (long long)t->seqno);
    return SL_OK;
}

static sl_value *complete_value(const source_task *t, int64_t now)
{
    sl_value *st = sl_value_new_struct(t->value_schema);
    if (st == NULL)
        return NULL;
    if (sl_value_struct_set(st, "name", sl_value_new_string(t->name, strlen(t->name))) ||
        sl_value_struct_set(st, "task", sl_value_new_int32(t->id)) ||
        sl_value_struct_set(st, "topic", sl_value_new_string(t->topic, strlen(t->topic))) ||
        sl_value_struct_set(st, "time_ms", sl_value_new_int64(now)) ||
        sl_value_struct_set(st, "seqno", sl_value_new_int64(t->seqno))) {
        sl_value_destroy(st);
        return NULL;
    }
    return st;
}

/* One record for t->seqno. SL_OK, or SL_ERR with errstr. */
static int source_emit(source_task *t, sl_task_ctx *ctx, int64_t now, char *errstr,
                       size_t errstr_size)
{
    sl_value *value = t->complete ? complete_value(t, now) : sl_value_new_int64(t->seqno);
    sl_schema *vschema = t->complete ? sl_schema_ref(t->value_schema)
                                     : sl_schema_ref(sl_schema_primitive(SL_TYPE_INT64, false));
    sl_value *key = sl_value_new_int32(t->id);
    sl_schema *kschema = sl_schema_ref(sl_schema_primitive(SL_TYPE_INT32, false));
    if (value == NULL || key == NULL) {
        sl_value_destroy(value);
        sl_value_destroy(key);
        sl_schema_unref(vschema);
        sl_schema_unref(kschema);
        goto oom;
    }
    /* Partition -1: the producer's partitioner hashes the key, so one task's records stay in
     * one Kafka partition, in seqno order. */
    sl_record *r = sl_source_record_new(t->topic, -1, kschema, key, vschema, value);
    if (r == NULL)
        goto oom;
    sl_value *partition = source_partition(t);
    sl_value *offset = sl_value_new_map();
    if (partition == NULL || offset == NULL ||
        sl_value_map_put_str(offset, SEQNO_FIELD, sl_value_new_int64(t->seqno)) != SL_OK) {
        sl_value_destroy(partition);
        sl_value_destroy(offset);
        sl_record_release(r);
        goto oom;
    }
    sl_record_set_source_position(r, partition, offset);
    if (sl_task_emit(ctx, r) != SL_OK) {
        snprintf(errstr, errstr_size,
                 "the worker refused VerifiableSourceTask %d's record seqno %lld (see log)",
                 (int)t->id, (long long)t->seqno);
        return SL_ERR;
    }
    t->seqno++;
    return SL_OK;
oom:
    snprintf(errstr, errstr_size, "out of memory");
    return SL_ERR;
}

/* How many records may go now without exceeding `throughput` records/s since start (the first
 * goes at once, as with Kafka's ThroughputThrottler); sets *wait_ms when none may. */
static int64_t source_allowed(source_task *t, int64_t *wait_ms)
{
    *wait_ms = 0;
    if (t->throughput < 0)
        return MAX_BATCH;
    if (t->throughput == 0) {
        *wait_ms = MAX_WAIT_MS; /* Kafka's throttler waits until stopped */
        return 0;
    }
    int64_t elapsed = mono_ms() - t->start_mono_ms;
    int64_t sent = t->seqno - t->start_seqno;
    /* double: elapsed * throughput may overflow int64 for absurd throughputs. */
    double budget = (double)elapsed * (double)t->throughput / 1000.0 + 1.0 - (double)sent;
    if (budget > (double)t->throughput + 1.0) {
        /* More than a second behind: the task was paused (or the producer blocked). Pace from
         * now rather than bursting to catch up, so `throughput` stays a rate (Kafka's
         * throttler would burst here). */
        t->start_mono_ms += elapsed;
        t->start_seqno = t->seqno;
        elapsed = 0;
        sent = 0;
        budget = 1.0;
    }
    if (budget >= 1.0)
        return budget > MAX_BATCH ? MAX_BATCH : (int64_t)budget;
    double next_at = (double)sent * 1000.0 / (double)t->throughput;
    double wait = next_at - (double)elapsed;
    *wait_ms = wait < 1 ? 1 : wait > MAX_WAIT_MS ? MAX_WAIT_MS : (int64_t)wait;
    return 0;
}

static int source_poll(void *task, sl_task_ctx *ctx, char *errstr, size_t errstr_size)
{
    source_task *t = task;
    if (!t->resumed && source_resume(t, ctx, errstr, errstr_size) != SL_OK)
        return SL_ERR;
    int64_t wait_ms;
    int64_t n = source_allowed(t, &wait_ms);
    if (n == 0) {
        verifiable_sleep(ctx, wait_ms);
        return 0;
    }
    int64_t now = verifiable_now_ms();
    int emitted = 0;
    for (; emitted < n && !sl_task_stopping(ctx); emitted++) {
        if (source_emit(t, ctx, now, errstr, errstr_size) != SL_OK)
            return SL_ERR;
    }
    return emitted;
}

const sl_connector_def verifiable_source_def = {
    .struct_size = sizeof(sl_connector_def),
    .class_name = "org.apache.kafka.connect.tools.VerifiableSourceConnector",
    .version = VERIFIABLE_PLUGIN_VERSION,
    .kind = SL_CONNECTOR_SOURCE,
    .doc = "Test source as in Kafka's connect tools: each task emits an increasing seqno keyed "
           "by its task id at a given throughput, and resumes after its stored offset.",
    .config = source_config,
    .start = source_start,
    .task_configs = source_task_configs,
    .stop = source_stop,
    .task_config = source_task_config,
    .task_start = source_task_start,
    .task_stop = source_task_stop,
    .poll = source_poll,
};
