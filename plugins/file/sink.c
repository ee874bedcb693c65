/* plugins/file/sink.c: FileStreamSinkConnector and its task: append each record's value as a
 * line to a file (or stdout); flush() makes it durable so offsets follow data on disk. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sluice/sdk.h>

#include "file.h"
#include "lines.h"

/* Write out once this much is buffered; flush() writes the rest. */
#define SINK_BUFFER_BYTES 65536

static const sl_config_def sink_config[] = {
    {.name = "file",
     .type = SL_CFG_STRING,
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "Destination filename. If not specified, the standard output will be used"},
    SL_CONFIG_END,
};

/* ---- connector ---- */

static int sink_start(const sl_config *config, sl_connector_ctx *ctx, void **state,
                      char *errstr, size_t errstr_size)
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

/* tasks.max identical configs, as Kafka's FileStreamSinkConnector. Every task appends to the
 * same file; lines from different tasks interleave in no particular order but are never
 * split, because each task writes only whole lines with one O_APPEND write() at a time. */
static int sink_task_configs(void *state, int max_tasks, sl_props **out, char *errstr,
                             size_t errstr_size)
{
    for (int i = 0; i < max_tasks; i++) {
        out[i] = sl_props_copy(state);
        if (out[i] == NULL) {
            for (int j = 0; j < i; j++)
                sl_props_destroy(out[j]);
            snprintf(errstr, errstr_size, "out of memory");
            return SL_ERR;
        }
    }
    return max_tasks < 0 ? 0 : max_tasks;
}

static void sink_stop(void *state) { sl_props_destroy(state); }

/* ---- task ---- */

typedef struct sink_task {
    char *filename; /* NULL: standard output */
    int fd;
    bool syncable; /* a regular file: fsync means something */
    sl_task_ctx *ctx;
    file_outbuf out;
} sink_task;

static const char *sink_name(const sink_task *t) { return t->filename ? t->filename : "stdout"; }

static int sink_task_start(const sl_config *config, sl_task_ctx *ctx, void **task,
                           char *errstr, size_t errstr_size)
{
    sink_task *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    const char *file = sl_config_string(config, "file");
    t->ctx = ctx;
    if (file_is_std(file)) {
        t->fd = STDOUT_FILENO;
    } else {
        t->filename = strdup(file);
        t->fd = t->filename ? open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644) : -1;
        if (t->fd < 0) {
            snprintf(errstr, errstr_size,
                     "Couldn't find or create file '%s' for FileStreamSinkTask: %s", file,
                     t->filename ? strerror(errno) : "out of memory");
            free(t->filename);
            free(t);
            return SL_ERR;
        }
    }
    struct stat st;
    t->syncable = fstat(t->fd, &st) == 0 && S_ISREG(st.st_mode);
    *task = t;
    return SL_OK;
}

static int sink_write(sink_task *t, char *errstr, size_t errstr_size)
{
    if (file_outbuf_drain(&t->out, t->fd) != 0) {
        snprintf(errstr, errstr_size, "Couldn't write to %s: %s", sink_name(t), strerror(errno));
        return SL_ERR;
    }
    return SL_OK;
}

static int sink_put(void *task, sl_record *const *records, size_t n, char *errstr,
                    size_t errstr_size)
{
    sink_task *t = task;
    for (size_t i = 0; i < n; i++) {
        const sl_value *v = sl_record_value(records[i]);
        const char *text;
        size_t len = 0;
        char *json = NULL;
        if (v == NULL) {
            text = "null"; /* what Java's println(null) prints */
            len = 4;
        } else if (sl_value_type(v) == SL_TYPE_STRING) {
            text = sl_value_get_string(v, &len);
        } else {
            json = sl_value_to_json(v, sl_record_value_schema(records[i]));
            text = json;
            len = json ? strlen(json) : 0;
        }
        if (text == NULL) {
            /* Not representable: let errors.tolerance decide, as for any bad record. */
            if (sl_task_report(t->ctx, records[i], "value cannot be rendered as text") !=
                SL_OK) {
                snprintf(errstr, errstr_size,
                         "record %s-%d@%lld: value cannot be rendered as text",
                         sl_record_topic(records[i]), (int)sl_record_partition(records[i]),
                         (long long)sl_record_offset(records[i]));
                return SL_ERR;
            }
            continue;
        }
        int rc = file_outbuf_line(&t->out, text, len);
        free(json);
        if (rc != 0) {
            snprintf(errstr, errstr_size, "out of memory buffering a line for %s", sink_name(t));
            return SL_ERR;
        }
        if (t->out.len >= SINK_BUFFER_BYTES && sink_write(t, errstr, errstr_size) != SL_OK)
            return SL_ERR;
    }
    return SL_OK;
}

/* Write and fsync before the host commits offsets: a committed offset then always points past
 * data that is on disk (Kafka only flushes the stream; syncing is stricter and still cheap at
 * offset.flush.interval.ms). */
static int sink_flush(void *task, const sl_tp_offset *offsets, size_t n, char *errstr,
                      size_t errstr_size)
{
    (void)offsets;
    (void)n;
    sink_task *t = task;
    if (sink_write(t, errstr, errstr_size) != SL_OK)
        return SL_ERR;
    if (t->syncable && fsync(t->fd) != 0) {
        snprintf(errstr, errstr_size, "Couldn't sync %s: %s", sink_name(t), strerror(errno));
        return SL_ERR;
    }
    return SL_OK;
}

static void sink_task_stop(void *task)
{
    sink_task *t = task;
    if (t == NULL)
        return;
    /* Whatever is still buffered was not committed; write it anyway, as Kafka's close() does
     * (redelivery after a restart may repeat it: at-least-once). */
    char err[256];
    if (t->out.len > 0 && sink_write(t, err, sizeof(err)) != SL_OK)
        sl_log(SL_LOG_ERROR, "%s", err);
    if (t->filename != NULL)
        close(t->fd);
    file_outbuf_free(&t->out);
    free(t->filename);
    free(t);
}

const sl_connector_def file_sink_def = {
    .struct_size = sizeof(sl_connector_def),
    .class_name = "org.apache.kafka.connect.file.FileStreamSinkConnector",
    .version = FILE_PLUGIN_VERSION,
    .kind = SL_CONNECTOR_SINK,
    .doc = "Appends each record's value as a line to a file (or standard output); compatible "
           "with Kafka's connect-file FileStreamSink.",
    .config = sink_config,
    .start = sink_start,
    .task_configs = sink_task_configs,
    .stop = sink_stop,
    .task_config = sink_config,
    .task_start = sink_task_start,
    .task_stop = sink_task_stop,
    .put = sink_put,
    .flush = sink_flush,
};
