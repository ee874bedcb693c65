/* sdk/examples/example_source.c: a minimal source connector: counts 0, 1, 2, ... into a topic as
 * records with a schema, storing the count as its source offset so that a restart resumes.
 *
 * Build (from the repository root):
 *     cc -fPIC -shared -Isdk/include sdk/examples/example_source.c -o example_source.so
 *
 * Use it:
 *     curl -X PUT -H 'Content-Type: application/json' localhost:8083/connectors/counter/config \
 *       -d '{"connector.class":"CounterSource","topic":"counts","max.records":"1000"}' */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sluice/sdk.h>

/* ---- configuration: declared once, parsed and validated by the host ---- */

static const sl_config_def counter_config[] = {
    {.name = "topic",
     .type = SL_CFG_STRING,
     .required = true,
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "Topic to write the counts to.",
     .validator = SL_VALIDATE_NON_EMPTY},
    {.name = "max.records",
     .type = SL_CFG_LONG,
     .default_value = "0",
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "Stop counting after this many records; 0 counts forever.",
     .validator = SL_VALIDATE_MIN(0)},
    {.name = "batch.size",
     .type = SL_CFG_INT,
     .default_value = "100",
     .importance = SL_IMPORTANCE_LOW,
     .doc = "Records emitted per poll.",
     .validator = SL_VALIDATE_RANGE(1, 100000)},
    {.name = "poll.interval.ms",
     .type = SL_CFG_LONG,
     .default_value = "1000",
     .importance = SL_IMPORTANCE_LOW,
     .doc = "Pause between batches, in milliseconds.",
     .validator = SL_VALIDATE_RANGE(0, 3600000)},
    SL_CONFIG_END,
};

/* ---- the connector: one task, since a counter is a single sequence ---- */

typedef struct counter_connector {
    sl_props *props; /* the connector's own config, handed on to its task */
} counter_connector;

static int counter_start(const sl_config *config, sl_connector_ctx *ctx, void **state,
                         char *errstr, size_t errstr_size)
{
    counter_connector *c = calloc(1, sizeof(*c));
    if (c == NULL || (c->props = sl_props_copy(sl_config_originals(config))) == NULL) {
        free(c);
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    sl_log(SL_LOG_INFO, "counter %s starting", sl_connector_name(ctx));
    *state = c;
    return SL_OK;
}

static int counter_task_configs(void *state, int max_tasks, sl_props **out, char *errstr,
                                size_t errstr_size)
{
    counter_connector *c = state;
    if (max_tasks < 1)
        return 0;
    out[0] = sl_props_copy(c->props); /* the host takes it */
    if (out[0] == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    return 1;
}

static void counter_stop(void *state)
{
    counter_connector *c = state;
    sl_props_destroy(c->props);
    free(c);
}

/* ---- the task ---- */

typedef struct counter_task {
    char *topic;
    int64_t next, max;
    int batch;
    int64_t interval_ms;
    int64_t last_batch_ms;
    sl_value *partition;     /* source partition {"counter": <connector name>} */
    sl_schema *value_schema; /* struct {position: int64, message: string}, built once */
} counter_task;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void counter_task_stop(void *task)
{
    counter_task *t = task;
    if (t == NULL)
        return;
    free(t->topic);
    sl_value_destroy(t->partition);
    sl_schema_unref(t->value_schema);
    free(t);
}

static int counter_task_start(const sl_config *config, sl_task_ctx *ctx, void **task,
                              char *errstr, size_t errstr_size)
{
    counter_task *t = calloc(1, sizeof(*t));
    if (t == NULL)
        goto oom;
    *task = t;
    t->topic = strdup(sl_config_string(config, "topic"));
    t->max = sl_config_long(config, "max.records");
    t->batch = sl_config_int(config, "batch.size");
    t->interval_ms = sl_config_long(config, "poll.interval.ms");
    t->last_batch_ms = now_ms() - t->interval_ms;

    t->partition = sl_value_new_map();
    t->value_schema = sl_schema_new_struct("com.example.sluice.Count");
    if (t->topic == NULL || t->partition == NULL || t->value_schema == NULL)
        goto oom;
    sl_value_map_put_str(t->partition, "counter",
                         sl_value_new_string(sl_task_connector_name(ctx),
                                             strlen(sl_task_connector_name(ctx))));
    sl_schema_add_field(t->value_schema, "position",
                        sl_schema_ref(sl_schema_primitive(SL_TYPE_INT64, false)));
    sl_schema_add_field(t->value_schema, "message",
                        sl_schema_ref(sl_schema_primitive(SL_TYPE_STRING, false)));

    /* Resume after the last position whose offset was committed. */
    sl_value *offset = sl_task_offset(ctx, t->partition);
    int64_t last;
    if (offset != NULL &&
        sl_value_get_int(sl_value_map_get_str(offset, "position"), &last) == SL_OK)
        t->next = last + 1;
    sl_value_destroy(offset);
    sl_log(SL_LOG_INFO, "counter task starting at %lld", (long long)t->next);
    return SL_OK;
oom:
    counter_task_stop(t);
    *task = NULL;
    snprintf(errstr, errstr_size, "out of memory");
    return SL_ERR;
}

static int counter_poll(void *task, sl_task_ctx *ctx, char *errstr, size_t errstr_size)
{
    counter_task *t = task;
    /* Never block long: sleep in short slices and return 0 (idle) when nothing is due. */
    if ((t->max > 0 && t->next >= t->max) || now_ms() - t->last_batch_ms < t->interval_ms) {
        struct timespec nap = {0, 50 * 1000000L};
        nanosleep(&nap, NULL);
        return 0;
    }
    t->last_batch_ms = now_ms();
    int emitted = 0;
    for (int i = 0; i < t->batch && !(t->max > 0 && t->next >= t->max); i++) {
        if (sl_task_stopping(ctx))
            break;
        char msg[64];
        int len = snprintf(msg, sizeof(msg), "count %lld", (long long)t->next);
        sl_value *value = sl_value_new_struct(t->value_schema);
        sl_value_struct_set(value, "position", sl_value_new_int64(t->next));
        sl_value_struct_set(value, "message", sl_value_new_string(msg, (size_t)len));
        sl_record *r = sl_source_record_new(
            t->topic, -1, sl_schema_ref(sl_schema_primitive(SL_TYPE_INT64, false)),
            sl_value_new_int64(t->next), sl_schema_ref(t->value_schema), value);
        if (r == NULL) {
            snprintf(errstr, errstr_size, "out of memory");
            return SL_ERR;
        }
        sl_value *offset = sl_value_new_map();
        sl_value_map_put_str(offset, "position", sl_value_new_int64(t->next));
        sl_record_set_source_position(r, sl_value_copy(t->partition), offset);
        if (sl_task_emit(ctx, r) != SL_OK) { /* the host took and freed it */
            snprintf(errstr, errstr_size, "record %lld was refused", (long long)t->next);
            return SL_ERR;
        }
        t->next++;
        emitted++;
    }
    return emitted;
}

static const sl_connector_def counter_source = {
    .struct_size = sizeof(sl_connector_def),
    .class_name = "com.example.sluice.CounterSourceConnector",
    .version = "1.0.0",
    .kind = SL_CONNECTOR_SOURCE,
    .doc = "Emits an increasing count, resuming from its committed offset.",
    .config = counter_config,
    .start = counter_start,
    .task_configs = counter_task_configs,
    .stop = counter_stop,
    .task_config = counter_config,
    .task_start = counter_task_start,
    .task_stop = counter_task_stop,
    .poll = counter_poll,
};

static const sl_connector_def *const connectors[] = {&counter_source, NULL};

SL_PLUGIN(.name = "example-source", .version = "1.0.0",
          .description = "A counter source connector: the SDK's source example.",
          .connectors = connectors);
