/* plugins/datagen/task.c: the datagen source task: emits its share of the iterations with keys,
 * Connect schemas and Confluent's headers, paced by max.interval, resuming after its offset. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "datagen.h"
#include "rng.h"
#include "template.h"
#include "trades.h"

/* Confluent's source partition / offset / header names (offsets interchange with it). */
#define OFFSET_ITERATION "current.iteration"
#define OFFSET_GENERATION "task.generation"

/* Records per poll when unpaced; the longest a poll waits before returning. */
#define MAX_BATCH 1000
#define MAX_POLL_WAIT_MS 500
/* Stop checks while waiting. */
#define WAIT_SLICE_MS 50

typedef struct dg_task {
    char *topic;
    char *connector;
    int id, count;
    int64_t max_interval;
    int64_t share; /* records this task generates in all; -1 = unlimited */
    uint64_t seed;
    dg_generator gen;
    sl_schema *key_schema;   /* STRING (optional if the key field is), trades' key, or NULL */
    sl_schema *value_schema; /* borrowed from gen */
    bool resumed;
    int64_t next;       /* records emitted so far by this task over all its lifetimes */
    int64_t generation; /* lifetimes of this task before this one */
    int64_t due_ms;     /* monotonic time the next paced record is due; -1 = not drawn */
    dg_rng pace;        /* pacing draws: not part of the data, so not seeded */
    bool finished_logged;
} dg_task;

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleep up to `ms` in slices; false if the task is stopping. */
static bool nap(sl_task_ctx *ctx, int64_t ms)
{
    while (ms > 0 && !sl_task_stopping(ctx)) {
        int64_t slice = ms < WAIT_SLICE_MS ? ms : WAIT_SLICE_MS;
        struct timespec ts = {.tv_sec = 0, .tv_nsec = slice * 1000000L};
        nanosleep(&ts, NULL);
        ms -= slice;
    }
    return !sl_task_stopping(ctx);
}

void datagen_task_stop(void *task)
{
    dg_task *t = task;
    if (t == NULL)
        return;
    sl_schema_unref(t->key_schema);
    dg_generator_close(&t->gen);
    free(t->topic);
    free(t->connector);
    free(t);
}

int datagen_task_start(const sl_config *config, sl_task_ctx *ctx, void **task, char *errstr,
                       size_t errstr_size)
{
    dg_task *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    t->gen.key_index = -1;
    t->due_ms = -1;
    const char *topic = sl_config_string(config, DG_TOPIC);
    const char *name = sl_task_connector_name(ctx);
    t->topic = strdup(topic ? topic : "");
    t->connector = strdup(name ? name : "datagen");
    t->id = sl_config_int(config, DG_TASK_ID);
    t->count = sl_config_int(config, DG_TASK_COUNT);
    t->max_interval = sl_config_long(config, DG_MAX_INTERVAL);
    t->share = datagen_share(sl_config_long(config, DG_ITERATIONS), t->id, t->count);
    t->seed = sl_config_is_set(config, DG_RANDOM_SEED)
                  ? (uint64_t)sl_config_long(config, DG_RANDOM_SEED)
                  : dg_rng_entropy();
    t->pace = dg_rng_seed(dg_rng_entropy(), (uint64_t)t->id, 1);
    if (t->topic == NULL || t->connector == NULL) {
        datagen_task_stop(t);
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    if (t->id >= t->count) {
        snprintf(errstr, errstr_size, "DatagenTask: task.id %d is not below task.count %d", t->id,
                 t->count);
        datagen_task_stop(t);
        return SL_ERR;
    }
    const char *bad = DG_QUICKSTART;
    char err[1024] = "";
    if (dg_generator_open(config, &t->gen, &bad, err, sizeof(err)) != SL_OK) {
        snprintf(errstr, errstr_size, "Invalid value for configuration %s: %s", bad, err);
        datagen_task_stop(t);
        return SL_ERR;
    }
    if (t->gen.trades != NULL) {
        t->key_schema = sl_schema_ref(dg_trades_key_schema(t->gen.trades));
        t->value_schema = (sl_schema *)dg_trades_value_schema(t->gen.trades);
    } else {
        t->value_schema = (sl_schema *)dg_template_schema(t->gen.tmpl);
        if (t->gen.key_index >= 0) {
            /* Confluent keys records with the field's text under a STRING schema. */
            bool opt = sl_schema_optional(
                sl_schema_field_schema(t->value_schema, (size_t)t->gen.key_index));
            t->key_schema = sl_schema_ref(sl_schema_primitive(SL_TYPE_STRING, opt));
        }
    }
    *task = t;
    return SL_OK;
}

/* {"task.id": <id>}, Confluent's source partition. */
static sl_value *source_partition(const dg_task *t)
{
    sl_value *m = sl_value_new_map();
    if (m != NULL && sl_value_map_put_str(m, DG_TASK_ID, sl_value_new_int32(t->id)) != SL_OK) {
        sl_value_destroy(m);
        return NULL;
    }
    return m;
}

static int resume(dg_task *t, sl_task_ctx *ctx, char *errstr, size_t errstr_size)
{
    sl_value *partition = source_partition(t);
    if (partition == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    sl_value *offset = sl_task_offset(ctx, partition);
    sl_value_destroy(partition);
    if (offset != NULL) {
        int64_t it = -1, gen = 0;
        const sl_value *vi = sl_value_map_get_str(offset, OFFSET_ITERATION);
        const sl_value *vg = sl_value_map_get_str(offset, OFFSET_GENERATION);
        if (vi == NULL || sl_value_get_int(vi, &it) != SL_OK || it < 0 ||
            (vg != NULL && (sl_value_get_int(vg, &gen) != SL_OK || gen < 0))) {
            /* Never guess where a stream stopped: a wrong guess repeats or skips data. */
            char *json = sl_value_to_json(offset, NULL);
            snprintf(errstr, errstr_size,
                     "DatagenTask %d: stored offset %.200s has no non-negative integer \"%s\"",
                     t->id, json ? json : "?", OFFSET_ITERATION);
            free(json);
            sl_value_destroy(offset);
            return SL_ERR;
        }
        sl_value_destroy(offset);
        t->next = it;
        t->generation = gen;
    }
    t->resumed = true;
    char share[32] = "unlimited";
    if (t->share >= 0)
        snprintf(share, sizeof(share), "%" PRId64, t->share);
    sl_log(SL_LOG_INFO,
           "DatagenTask %s-%d generating %s to topic %s: resuming at iteration %" PRId64
           " of %s (generation %" PRId64 ", task %d of %d)",
           t->connector, t->id, t->gen.what, t->topic, t->next, share, t->generation, t->id,
           t->count);
    return SL_OK;
}

/* The key text of a field value, as Java's toString gives it; NULL for a null field. */
static sl_value *key_text(const sl_value *v)
{
    char buf[64];
    switch (sl_value_type(v)) {
    case SL_TYPE_STRING:
        return sl_value_copy(v);
    case SL_TYPE_INT8:
    case SL_TYPE_INT16:
    case SL_TYPE_INT32:
    case SL_TYPE_INT64: {
        int64_t i = 0;
        sl_value_get_int(v, &i);
        snprintf(buf, sizeof(buf), "%" PRId64, i);
        break;
    }
    case SL_TYPE_FLOAT32:
    case SL_TYPE_FLOAT64: {
        double d = 0;
        sl_value_get_double(v, &d);
        /* The shortest text that reads back as the same number. */
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(buf, sizeof(buf), "%.*g", prec, d);
            if (strtod(buf, NULL) == d ||
                (sl_value_type(v) == SL_TYPE_FLOAT32 && (float)strtod(buf, NULL) == (float)d))
                break;
        }
        break;
    }
    case SL_TYPE_BOOLEAN:
        snprintf(buf, sizeof(buf), "%s", sl_value_get_bool(v) ? "true" : "false");
        break;
    default: {
        if (v == NULL)
            return NULL;
        char *json = sl_value_to_json(v, NULL);
        sl_value *s = json ? sl_value_new_string(json, strlen(json)) : NULL;
        free(json);
        return s;
    }
    }
    return sl_value_new_string(buf, strlen(buf));
}

static int add_header(sl_record *r, const char *key, int64_t v)
{
    sl_value *val = sl_value_new_int64(v);
    if (val == NULL)
        return SL_ERR;
    sl_record_header_add(r, key, sl_schema_ref(sl_schema_primitive(SL_TYPE_INT64, false)), val);
    return SL_OK;
}

/* Record number t->next of this task. */
static int emit(dg_task *t, sl_task_ctx *ctx, char *errstr, size_t errstr_size)
{
    uint64_t k = (uint64_t)t->next;
    sl_value *key = NULL, *value = NULL;
    if (t->gen.trades != NULL) {
        if (dg_trades_event(t->gen.trades, t->seed, t->id, t->count, k, t->connector, wall_ms(),
                            &key, &value) != SL_OK)
            goto oom;
    } else {
        /* Tasks interleave the global sequence: task i makes i, i+count, i+2*count, ... so
         * iteration annotations never repeat across tasks and their union has no gap. */
        uint64_t index = (uint64_t)t->id + k * (uint64_t)t->count;
        value = dg_template_generate(t->gen.tmpl, t->seed, index);
        if (value == NULL)
            goto oom;
        if (t->gen.key_index >= 0) {
            const sl_value *f = sl_value_struct_get_index(value, (size_t)t->gen.key_index);
            key = key_text(f);
            if (key == NULL && f != NULL) {
                sl_value_destroy(value);
                goto oom;
            }
        }
    }
    sl_record *r = sl_source_record_new(t->topic, -1, sl_schema_ref(t->key_schema), key,
                                        sl_schema_ref(t->value_schema), value);
    if (r == NULL)
        goto oom;
    sl_value *partition = source_partition(t);
    sl_value *offset = sl_value_new_map();
    /* The offset holds the state the next lifetime starts from, as Confluent's does. */
    if (partition == NULL || offset == NULL ||
        sl_value_map_put_str(offset, OFFSET_GENERATION, sl_value_new_int64(t->generation + 1)) ||
        sl_value_map_put_str(offset, OFFSET_ITERATION, sl_value_new_int64(t->next + 1)) ||
        add_header(r, OFFSET_GENERATION, t->generation) || add_header(r, DG_TASK_ID, t->id) ||
        add_header(r, OFFSET_ITERATION, t->next)) {
        sl_value_destroy(partition);
        sl_value_destroy(offset);
        sl_record_release(r);
        goto oom;
    }
    sl_record_set_source_position(r, partition, offset);
    if (sl_task_emit(ctx, r) != SL_OK) {
        snprintf(errstr, errstr_size,
                 "the worker refused DatagenTask %d's record at iteration %" PRId64 " (see log)",
                 t->id, t->next);
        return SL_ERR;
    }
    t->next++;
    return SL_OK;
oom:
    snprintf(errstr, errstr_size, "out of memory generating a record");
    return SL_ERR;
}

int datagen_task_poll(void *task, sl_task_ctx *ctx, char *errstr, size_t errstr_size)
{
    dg_task *t = task;
    if (!t->resumed && resume(t, ctx, errstr, errstr_size) != SL_OK)
        return SL_ERR;
    if (t->share >= 0 && t->next >= t->share) {
        if (!t->finished_logged) {
            t->finished_logged = true;
            sl_log(SL_LOG_INFO,
                   "DatagenTask %s-%d generated its %" PRId64 " records; idle from now on",
                   t->connector, t->id, t->share);
            sl_task_request_commit(ctx); /* store the final offset promptly */
        }
        nap(ctx, MAX_POLL_WAIT_MS);
        return 0;
    }
    int64_t left = t->share >= 0 ? t->share - t->next : MAX_BATCH;
    int64_t batch = left < MAX_BATCH ? left : MAX_BATCH;
    int emitted = 0;
    if (t->max_interval <= 0) {
        for (; emitted < batch && !sl_task_stopping(ctx); emitted++)
            if (emit(t, ctx, errstr, errstr_size) != SL_OK)
                return SL_ERR;
        return emitted;
    }
    /* Paced: before each record wait a random time below max.interval (Confluent sleeps
     * maxInterval * random before each record), returning within MAX_POLL_WAIT_MS. */
    int64_t deadline = mono_ms() + MAX_POLL_WAIT_MS;
    while (emitted < batch && !sl_task_stopping(ctx)) {
        int64_t now = mono_ms();
        if (t->due_ms < 0)
            t->due_ms = now + (int64_t)dg_rng_below(&t->pace, (uint64_t)t->max_interval);
        if (t->due_ms > now) {
            if (now >= deadline)
                break;
            int64_t until = t->due_ms < deadline ? t->due_ms : deadline;
            if (!nap(ctx, until - now))
                break;
            continue;
        }
        if (emit(t, ctx, errstr, errstr_size) != SL_OK)
            return SL_ERR;
        t->due_ms = -1;
        emitted++;
    }
    return emitted;
}
