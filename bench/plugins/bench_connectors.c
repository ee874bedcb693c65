/* bench/plugins/bench_connectors.c: connectors for `make bench`: a sink that discards, a sink
 * that reads every field of every value, and a source that emits fixed-size records as fast as
 * it may. Each writes "<records> <first_ns> <last_ns>" to `report.file` once it has seen
 * `records` records (sinks: put; source: acknowledged by Kafka). Built with the public SDK. */
#include <sluice/sdk.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const sl_config_def bench_defs[] = {
    {.name = "report.file", .type = SL_CFG_STRING, .required = true,
     .importance = SL_IMPORTANCE_HIGH, .doc = "Where to write the timing report."},
    {.name = "records", .type = SL_CFG_LONG, .default_value = "1000000",
     .importance = SL_IMPORTANCE_HIGH, .doc = "Records to count before reporting.",
     .validator = SL_VALIDATE_MIN(1)},
    {.name = "record.size", .type = SL_CFG_INT, .default_value = "100",
     .importance = SL_IMPORTANCE_MEDIUM, .doc = "Source: bytes per record value."},
    {.name = "topic", .type = SL_CFG_STRING, .default_value = "bench-source",
     .importance = SL_IMPORTANCE_MEDIUM, .doc = "Source: the topic to write."},
    SL_CONFIG_END,
};

typedef struct bench {
    char *report;
    char *topic;
    int64_t target, seen;
    int size;
    int64_t emitted;
    uint64_t first_ns, last_ns;
    uint64_t checksum; /* keeps the field reads from being optimised away */
    char *payload;
} bench;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int conn_start(const sl_config *cfg, sl_connector_ctx *ctx, void **state, char *e, size_t n)
{
    (void)ctx, (void)e, (void)n;
    *state = sl_props_copy(sl_config_originals(cfg));
    return SL_OK;
}

static int conn_tasks(void *state, int max, sl_props **out, char *e, size_t n)
{
    (void)max, (void)e, (void)n;
    out[0] = sl_props_copy(state);
    return 1;
}

static void conn_stop(void *state) { sl_props_destroy(state); }

static int task_start(const sl_config *cfg, sl_task_ctx *ctx, void **task, char *e, size_t n)
{
    (void)ctx, (void)e, (void)n;
    bench *b = calloc(1, sizeof(*b));
    b->report = strdup(sl_config_string(cfg, "report.file"));
    b->topic = strdup(sl_config_string(cfg, "topic"));
    b->target = sl_config_long(cfg, "records");
    b->size = sl_config_int(cfg, "record.size");
    b->payload = malloc((size_t)b->size);
    memset(b->payload, 'x', (size_t)b->size);
    *task = b;
    return SL_OK;
}

static void count(bench *b, int64_t k)
{
    uint64_t t = now_ns();
    if (b->seen == 0)
        b->first_ns = t;
    b->seen += k;
    if (b->seen >= b->target && b->last_ns == 0) {
        b->last_ns = t;
        FILE *f = fopen(b->report, "w");
        if (f) {
            fprintf(f, "%lld %llu %llu %llu\n", (long long)b->seen,
                    (unsigned long long)b->first_ns, (unsigned long long)b->last_ns,
                    (unsigned long long)(b->checksum & 1));
            fclose(f);
        }
    }
}

static void task_stop(void *task)
{
    bench *b = task;
    free(b->report);
    free(b->topic);
    free(b->payload);
    free(b);
}

static int discard_put(void *task, sl_record *const *recs, size_t n, char *e, size_t en)
{
    (void)recs, (void)e, (void)en;
    count(task, (int64_t)n);
    return SL_OK;
}

/* Touch every field of a (schemaless, JSON-decoded) value. */
static uint64_t walk(const sl_value *v)
{
    if (v == NULL)
        return 1;
    uint64_t h = (uint64_t)sl_value_type(v);
    int64_t i;
    double d;
    size_t len;
    switch (sl_value_type(v)) {
    case SL_TYPE_MAP:
        for (size_t k = 0; k < sl_value_map_len(v); k++)
            h += walk(sl_value_map_key_at(v, k)) + walk(sl_value_map_value_at(v, k));
        break;
    case SL_TYPE_ARRAY:
        for (size_t k = 0; k < sl_value_array_len(v); k++)
            h += walk(sl_value_array_get(v, k));
        break;
    case SL_TYPE_STRUCT:
        for (size_t k = 0; k < sl_schema_field_count(sl_value_struct_schema(v)); k++)
            h += walk(sl_value_struct_get_index(v, k));
        break;
    case SL_TYPE_STRING:
        sl_value_get_string(v, &len);
        h += len;
        break;
    case SL_TYPE_BYTES:
        sl_value_get_bytes(v, &len);
        h += len;
        break;
    case SL_TYPE_BOOLEAN:
        h += sl_value_get_bool(v);
        break;
    default:
        if (sl_value_get_int(v, &i) == SL_OK)
            h += (uint64_t)i;
        else if (sl_value_get_double(v, &d) == SL_OK)
            h += (uint64_t)d;
    }
    return h;
}

static int read_put(void *task, sl_record *const *recs, size_t n, char *e, size_t en)
{
    (void)e, (void)en;
    bench *b = task;
    for (size_t i = 0; i < n; i++)
        b->checksum += walk(sl_record_value(recs[i])) + walk(sl_record_key(recs[i]));
    count(b, (int64_t)n);
    return SL_OK;
}

static int source_poll(void *task, sl_task_ctx *ctx, char *e, size_t en)
{
    (void)e, (void)en;
    bench *b = task;
    int k = 0;
    for (; k < 1000 && b->emitted < b->target; k++, b->emitted++) {
        sl_record *r = sl_source_record_new(
            b->topic, -1, NULL, NULL, sl_schema_ref(sl_schema_primitive(SL_TYPE_BYTES, true)),
            sl_value_new_bytes(b->payload, (size_t)b->size));
        sl_value *part = sl_value_new_map();
        sl_value_map_put_str(part, "bench", sl_value_new_int32(0));
        sl_value *off = sl_value_new_map();
        sl_value_map_put_str(off, "n", sl_value_new_int64(b->emitted));
        sl_record_set_source_position(r, part, off);
        sl_task_emit(ctx, r);
    }
    if (k == 0) {
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return k;
}

static void source_ack(void *task, const sl_record *r)
{
    (void)r;
    count(task, 1);
}

#define BENCH_COMMON                                                                             \
    .struct_size = sizeof(sl_connector_def), .version = "1.0", .config = bench_defs,             \
    .start = conn_start, .task_configs = conn_tasks, .stop = conn_stop,                          \
    .task_config = bench_defs, .task_start = task_start, .task_stop = task_stop

static const sl_connector_def discard_sink = {
    BENCH_COMMON, .class_name = "io.sluice.bench.DiscardSinkConnector", .kind = SL_CONNECTOR_SINK,
    .put = discard_put};
static const sl_connector_def reading_sink = {
    BENCH_COMMON, .class_name = "io.sluice.bench.ReadingSinkConnector", .kind = SL_CONNECTOR_SINK,
    .put = read_put};
static const sl_connector_def bench_source = {
    BENCH_COMMON, .class_name = "io.sluice.bench.BenchSourceConnector",
    .kind = SL_CONNECTOR_SOURCE, .poll = source_poll, .commit_record = source_ack};

static const sl_connector_def *const connectors[] = {&discard_sink, &reading_sink, &bench_source,
                                                     NULL};

SL_PLUGIN(.name = "bench", .version = "1.0", .description = "Benchmark connectors",
          .connectors = connectors);
