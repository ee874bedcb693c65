/* plugins/verifiable/sink.c: VerifiableSinkConnector and its task: one JSON line per record
 * received (source task, seqno, topic, partition, offset), made durable before offsets commit. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sluice/sdk.h>

#include "verifiable.h"

/* Write out once this much is buffered; flush() writes and syncs the rest. */
#define SINK_BUFFER_BYTES 65536
#define TASK_PLACEHOLDER "{task}"

static const sl_config_def sink_config[] = {
    {.name = "file",
     .type = SL_CFG_STRING,
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "File to append one JSON line per received record to; \"{task}\" is replaced by the "
            "sink task's id so each task may write its own file. If not specified, the lines go "
            "to standard output, as Kafka's VerifiableSink prints them"},
    SL_CONFIG_END,
};

static const sl_config_def sink_task_config[] = {
    {.name = "file",
     .type = SL_CFG_STRING,
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "Destination file (\"{task}\" replaced by the task id); standard output if unset"},
    {.name = VERIFIABLE_ID_CONFIG,
     .type = SL_CFG_INT,
     .required = true,
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "The task id (set by the connector)",
     .validator = SL_VALIDATE_MIN(0)},
    SL_CONFIG_END,
};

/* ---- connector ---- */

static int sink_start(const sl_config *config, sl_connector_ctx *ctx, void **state, char *errstr,
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

static int sink_task_configs(void *state, int max_tasks, sl_props **out, char *errstr,
                             size_t errstr_size)
{
    return verifiable_task_configs(state, max_tasks, out, errstr, errstr_size);
}

static void sink_stop(void *state)
{
    sl_props_destroy(state);
}

/* ---- task ---- */

typedef struct sink_buf {
    char *data;
    size_t len, cap;
} sink_buf;

typedef struct sink_task {
    char *name;
    char *filename; /* NULL: standard output */
    int fd;
    bool syncable; /* a regular file: fsync means something */
    int32_t id;
    sink_buf out;
} sink_task;

static int buf_reserve(sink_buf *b, size_t more)
{
    if (b->len + more <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more)
        cap *= 2;
    char *d = realloc(b->data, cap);
    if (d == NULL)
        return -1;
    b->data = d;
    b->cap = cap;
    return 0;
}

static int buf_add(sink_buf *b, const char *s, size_t n)
{
    if (buf_reserve(b, n) != 0)
        return -1;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    return 0;
}

static int buf_printf(sink_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int buf_printf(sink_buf *b, const char *fmt, ...)
{
    char tmp[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(tmp))
        return -1; /* only used for short numeric fragments */
    return buf_add(b, tmp, (size_t)n);
}

/* A JSON string (quoted, escaped); NULL writes null. Bytes >= 0x80 pass through: names and
 * topics come from UTF-8 configs. */
static int buf_json_string(sink_buf *b, const char *s)
{
    if (s == NULL)
        return buf_add(b, "null", 4);
    if (buf_add(b, "\"", 1) != 0)
        return -1;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int rc;
        if (*p == '"' || *p == '\\') {
            char esc[2] = {'\\', (char)*p};
            rc = buf_add(b, esc, 2);
        } else if (*p < 0x20) {
            rc = buf_printf(b, "\\u%04x", *p);
        } else {
            rc = buf_add(b, (const char *)p, 1);
        }
        if (rc != 0)
            return -1;
    }
    return buf_add(b, "\"", 1);
}

/* `path` with every "{task}" replaced by `id`. Caller frees; NULL on out of memory. */
static char *sink_expand_path(const char *path, int32_t id)
{
    char idtext[16];
    int idlen = snprintf(idtext, sizeof(idtext), "%d", (int)id);
    sink_buf b = {0};
    const char *p = path;
    for (const char *hit; (hit = strstr(p, TASK_PLACEHOLDER)) != NULL;
         p = hit + strlen(TASK_PLACEHOLDER)) {
        if (buf_add(&b, p, (size_t)(hit - p)) != 0 || buf_add(&b, idtext, (size_t)idlen) != 0)
            goto oom;
    }
    if (buf_add(&b, p, strlen(p) + 1) != 0)
        goto oom;
    return b.data;
oom:
    free(b.data);
    return NULL;
}

static const char *sink_target(const sink_task *t)
{
    return t->filename ? t->filename : "stdout";
}

static void sink_task_free(sink_task *t)
{
    if (t->filename != NULL && t->fd >= 0)
        close(t->fd);
    free(t->out.data);
    free(t->filename);
    free(t->name);
    free(t);
}

static int sink_task_start(const sl_config *config, sl_task_ctx *ctx, void **task, char *errstr,
                           size_t errstr_size)
{
    sink_task *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    t->fd = -1;
    t->id = sl_config_int(config, VERIFIABLE_ID_CONFIG);
    const char *name = sl_props_get(sl_config_originals(config), VERIFIABLE_NAME_CONFIG);
    if (name == NULL)
        name = sl_task_connector_name(ctx);
    t->name = strdup(name ? name : "");
    const char *file = sl_config_string(config, "file");
    if (file != NULL && *file != '\0')
        t->filename = sink_expand_path(file, t->id);
    if (t->name == NULL || (file != NULL && *file != '\0' && t->filename == NULL)) {
        snprintf(errstr, errstr_size, "out of memory");
        sink_task_free(t);
        return SL_ERR;
    }
    if (t->filename == NULL) {
        t->fd = STDOUT_FILENO;
    } else {
        t->fd = open(t->filename, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (t->fd < 0) {
            snprintf(errstr, errstr_size,
                     "Couldn't open or create '%s' for VerifiableSinkTask %d: %s", t->filename,
                     (int)t->id, strerror(errno));
            sink_task_free(t);
            return SL_ERR;
        }
    }
    struct stat st;
    t->syncable = fstat(t->fd, &st) == 0 && S_ISREG(st.st_mode);
    *task = t;
    return SL_OK;
}

/* An integer from any integer value or a decimal string (StringConverter delivers "42"). */
static bool sink_as_int(const sl_value *v, int64_t *out)
{
    if (v == NULL)
        return false;
    if (sl_value_get_int(v, out) == SL_OK)
        return true;
    const char *s = sl_value_get_string(v, NULL);
    if (sl_value_type(v) != SL_TYPE_STRING || s == NULL || *s == '\0')
        return false;
    char *end;
    errno = 0;
    long long n = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *out = n;
    return true;
}

/* A field of a MAP (string keys) or STRUCT value; NULL if absent or another type. */
static const sl_value *sink_field(const sl_value *v, const char *name)
{
    sl_type type = sl_value_type(v);
    if (type == SL_TYPE_MAP)
        return sl_value_map_get_str(v, name);
    if (type == SL_TYPE_STRUCT && sl_schema_field_index(sl_value_struct_schema(v), name) >= 0)
        return sl_value_struct_get(v, name);
    return NULL;
}

/* The producing task and seqno of a record, in either of VerifiableSource's forms: key = task
 * and value = seqno (Kafka's default), or a map/struct value with "task" and "seqno" fields
 * (complete.record.data, schemaless or not). Unknown parts stay unset (written as null). */
static void sink_extract(const sl_record *r, bool *has_task, int64_t *task, bool *has_seqno,
                         int64_t *seqno)
{
    const sl_value *v = sl_record_value(r);
    sl_type type = sl_value_type(v);
    if (type == SL_TYPE_MAP || type == SL_TYPE_STRUCT) {
        *has_seqno = sink_as_int(sink_field(v, "seqno"), seqno);
        *has_task = sink_as_int(sink_field(v, "task"), task);
    } else {
        *has_seqno = sink_as_int(v, seqno);
        *has_task = false;
    }
    if (!*has_task)
        *has_task = sink_as_int(sl_record_key(r), task);
}

static int sink_line(sink_task *t, const sl_record *r, int64_t now)
{
    bool has_task, has_seqno;
    int64_t task = 0, seqno = 0;
    sink_extract(r, &has_task, &task, &has_seqno, &seqno);
    sink_buf *b = &t->out;
    /* || evaluates left to right and stops at the first failure (| would not order them). */
    if (buf_add(b, "{\"name\":", 8) || buf_json_string(b, t->name) ||
        (has_task ? buf_printf(b, ",\"task\":%" PRId64, task) : buf_add(b, ",\"task\":null", 12)) ||
        buf_printf(b, ",\"sinkTask\":%d,\"topic\":", (int)t->id) ||
        buf_json_string(b, sl_record_topic(r)) ||
        buf_printf(b, ",\"partition\":%d,\"offset\":%" PRId64, (int)sl_record_partition(r),
                   sl_record_offset(r)) ||
        (has_seqno ? buf_printf(b, ",\"seqno\":%" PRId64, seqno)
                   : buf_add(b, ",\"seqno\":null", 13)) ||
        buf_printf(b, ",\"time_ms\":%" PRId64 "}\n", now))
        return -1;
    return 0;
}

/* Write everything buffered (whole lines, O_APPEND). */
static int sink_write(sink_task *t, char *errstr, size_t errstr_size)
{
    size_t done = 0;
    while (done < t->out.len) {
        ssize_t n = write(t->fd, t->out.data + done, t->out.len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            /* Keep what was not written: a retry after the error writes it, never twice. */
            memmove(t->out.data, t->out.data + done, t->out.len - done);
            t->out.len -= done;
            snprintf(errstr, errstr_size, "Couldn't write to %s: %s", sink_target(t),
                     strerror(errno));
            return SL_ERR;
        }
        done += (size_t)n;
    }
    t->out.len = 0;
    return SL_OK;
}

static int sink_put(void *task, sl_record *const *records, size_t n, char *errstr,
                    size_t errstr_size)
{
    sink_task *t = task;
    int64_t now = verifiable_now_ms();
    size_t mark = t->out.len;
    for (size_t i = 0; i < n; i++) {
        if (sink_line(t, records[i], now) != 0) {
            t->out.len = mark; /* the host redelivers the batch: no half of it stays */
            snprintf(errstr, errstr_size, "out of memory buffering lines for %s", sink_target(t));
            return SL_ERR;
        }
    }
    if (t->out.len >= SINK_BUFFER_BYTES)
        return sink_write(t, errstr, errstr_size);
    return SL_OK;
}

/* Write and fsync before the host commits offsets, so a committed offset always points past
 * lines already on disk: a crash can then repeat lines but never lose one. */
static int sink_flush(void *task, const sl_tp_offset *offsets, size_t n, char *errstr,
                      size_t errstr_size)
{
    (void)offsets;
    (void)n;
    sink_task *t = task;
    if (sink_write(t, errstr, errstr_size) != SL_OK)
        return SL_ERR;
    if (t->syncable && fsync(t->fd) != 0) {
        snprintf(errstr, errstr_size, "Couldn't sync %s: %s", sink_target(t), strerror(errno));
        return SL_ERR;
    }
    return SL_OK;
}

static void sink_task_stop(void *task)
{
    sink_task *t = task;
    if (t == NULL)
        return;
    /* Lines still buffered were received but not committed; write them anyway (a restart may
     * deliver them again: at-least-once, counted as duplicates). */
    char err[256];
    if (t->out.len > 0 && sink_write(t, err, sizeof(err)) != SL_OK)
        sl_log(SL_LOG_ERROR, "%s", err);
    sink_task_free(t);
}

const sl_connector_def verifiable_sink_def = {
    .struct_size = sizeof(sl_connector_def),
    .class_name = "org.apache.kafka.connect.tools.VerifiableSinkConnector",
    .version = VERIFIABLE_PLUGIN_VERSION,
    .kind = SL_CONNECTOR_SINK,
    .doc = "Test sink as in Kafka's connect tools: appends one JSON line per received record "
           "(source task, seqno, topic, partition, offset) to a file, so loss and duplication "
           "can be counted exactly.",
    .config = sink_config,
    .start = sink_start,
    .task_configs = sink_task_configs,
    .stop = sink_stop,
    .task_config = sink_task_config,
    .task_start = sink_task_start,
    .task_stop = sink_task_stop,
    .put = sink_put,
    .flush = sink_flush,
};
