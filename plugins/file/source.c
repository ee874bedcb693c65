/* plugins/file/source.c: FileStreamSourceConnector and its task: tail a file (or stdin) and
 * emit each line as a string record, with Kafka's {"filename"} / {"position"} offsets. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sluice/sdk.h>

#include "file.h"
#include "lines.h"

/* Kafka's field names: offsets written by Kafka Connect's FileStreamSource resume here. */
#define FILENAME_FIELD "filename"
#define POSITION_FIELD "position"

#define READ_CHUNK 65536
#define IDLE_WAIT_MS 200     /* at EOF: short, so tailing is responsive */
#define MISSING_WAIT_MS 1000 /* no file yet: Kafka's 1 s */

static const sl_config_def source_config[] = {
    {.name = "file",
     .type = SL_CFG_STRING,
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "Source filename. If not specified, the standard input will be used"},
    {.name = "topic",
     .type = SL_CFG_STRING,
     .required = true,
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "The topic to publish data to",
     .validator = SL_VALIDATE_NON_EMPTY},
    {.name = "batch.size",
     .type = SL_CFG_INT,
     .default_value = "2000",
     .importance = SL_IMPORTANCE_LOW,
     .doc = "The maximum number of records the source task can read from the file each time it "
            "is polled"},
    SL_CONFIG_END,
};

/* Older Kafka releases declared `topic` as a LIST and required exactly one entry; a comma is
 * never legal in a topic name, so report it at validation rather than at produce time. */
static void source_validate(sl_validation *v)
{
    const char *topic = sl_config_string(sl_validation_config(v), "topic");
    if (topic != NULL && strchr(topic, ',') != NULL)
        sl_validation_error(v, "topic",
                            "'topic' in FileStreamSourceConnector configuration requires "
                            "definition of a single topic");
}

/* ---- connector ---- */

static int source_start(const sl_config *config, sl_connector_ctx *ctx, void **state,
                        char *errstr, size_t errstr_size)
{
    (void)ctx;
    sl_props *props = sl_props_copy(sl_config_originals(config));
    if (props == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    const char *file = sl_config_string(config, "file");
    sl_log(SL_LOG_INFO, "Starting file source connector reading from %s",
           file_is_std(file) ? "standard input" : file);
    *state = props;
    return SL_OK;
}

static int source_task_configs(void *state, int max_tasks, sl_props **out, char *errstr,
                               size_t errstr_size)
{
    if (max_tasks < 1)
        return 0;
    /* Only one input stream makes sense: one task whatever tasks.max says (as Kafka). */
    out[0] = sl_props_copy(state);
    if (out[0] == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    return 1;
}

static void source_stop(void *state) { sl_props_destroy(state); }

/* ---- task ---- */

typedef struct source_task {
    char *filename; /* NULL: standard input */
    char *topic;
    int32_t batch_size;
    int fd;           /* -1 until opened */
    int64_t position; /* byte offset just after the last line taken from `lines` */
    file_lines lines;
    bool warned_missing;
} source_task;

static bool source_sleep(sl_task_ctx *ctx, int ms)
{
    /* Sleep in slices so that a stop request is seen within ~50 ms. */
    for (int slept = 0; slept < ms && !sl_task_stopping(ctx); slept += 50) {
        struct timespec ts = {.tv_sec = 0, .tv_nsec = 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return !sl_task_stopping(ctx);
}

static int source_task_start(const sl_config *config, sl_task_ctx *ctx, void **task,
                             char *errstr, size_t errstr_size)
{
    (void)ctx;
    source_task *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    const char *file = sl_config_string(config, "file");
    const char *topic = sl_config_string(config, "topic");
    if (topic == NULL || *topic == '\0') {
        snprintf(errstr, errstr_size, "FileStreamSourceTask config missing topic setting");
        free(t);
        return SL_ERR;
    }
    t->filename = file_is_std(file) ? NULL : strdup(file);
    t->topic = strdup(topic);
    if ((!file_is_std(file) && t->filename == NULL) || t->topic == NULL) {
        free(t->filename);
        free(t->topic);
        free(t);
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    t->batch_size = sl_config_int(config, "batch.size");
    if (t->batch_size < 1)
        t->batch_size = 1; /* Kafka returns after the first record in that case too */
    t->fd = t->filename == NULL ? STDIN_FILENO : -1;
    file_lines_init(&t->lines);
    *task = t;
    return SL_OK;
}

static void source_task_stop(void *task)
{
    source_task *t = task;
    if (t == NULL)
        return;
    if (t->fd >= 0 && t->filename != NULL)
        close(t->fd);
    file_lines_fini(&t->lines);
    free(t->filename);
    free(t->topic);
    free(t);
}

/* {"filename": <path>} (null for stdin, as Kafka writes it). Caller owns the map. */
static sl_value *source_partition(const source_task *t)
{
    sl_value *m = sl_value_new_map();
    if (m == NULL)
        return NULL;
    sl_value *name =
        t->filename ? sl_value_new_string(t->filename, strlen(t->filename)) : NULL;
    if ((t->filename != NULL && name == NULL) ||
        sl_value_map_put_str(m, FILENAME_FIELD, name) != SL_OK) {
        sl_value_destroy(m);
        return NULL;
    }
    return m;
}

/* Open the file and seek to the stored position. SL_OK with t->fd set; SL_OK with t->fd
 * still -1 when the file does not exist yet (after waiting); SL_ERR otherwise. */
static int source_open(source_task *t, sl_task_ctx *ctx, char *errstr, size_t errstr_size)
{
    int fd = open(t->filename, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno != ENOENT) {
            snprintf(errstr, errstr_size, "Couldn't open file %s for FileStreamSourceTask: %s",
                     t->filename, strerror(errno));
            return SL_ERR;
        }
        /* Kafka waits for the file to be created; say so once, not every second. */
        sl_log(t->warned_missing ? SL_LOG_DEBUG : SL_LOG_WARN,
               "Couldn't find file %s for FileStreamSourceTask, sleeping to wait for it to be "
               "created",
               t->filename);
        t->warned_missing = true;
        source_sleep(ctx, MISSING_WAIT_MS);
        return SL_OK;
    }

    int64_t position = 0;
    sl_value *partition = source_partition(t);
    sl_value *offset = partition ? sl_task_offset(ctx, partition) : NULL;
    sl_value_destroy(partition);
    if (offset != NULL) {
        const sl_value *pos = sl_value_map_get_str(offset, POSITION_FIELD);
        if (pos != NULL && sl_value_get_int(pos, &position) != SL_OK) {
            snprintf(errstr, errstr_size, "Offset position is the incorrect type");
            sl_value_destroy(offset);
            close(fd);
            return SL_ERR;
        }
        sl_value_destroy(offset);
        if (position < 0) {
            snprintf(errstr, errstr_size, "Offset position %lld for %s is negative",
                     (long long)position, t->filename);
            close(fd);
            return SL_ERR;
        }
    }
    if (position > 0) {
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < position)
            sl_log(SL_LOG_WARN,
                   "Stored position %lld is past the end of %s (%lld bytes): the file was "
                   "truncated or replaced. Waiting for it to grow past that position; reset "
                   "the connector's offsets to read it from the start",
                   (long long)position, t->filename, (long long)st.st_size);
        if (lseek(fd, (off_t)position, SEEK_SET) < 0) {
            snprintf(errstr, errstr_size, "Error while trying to seek to offset %lld in %s: %s",
                     (long long)position, t->filename, strerror(errno));
            close(fd);
            return SL_ERR;
        }
        sl_log(SL_LOG_DEBUG, "Resuming %s at byte offset %lld", t->filename,
               (long long)position);
    }
    t->fd = fd;
    t->position = position;
    t->warned_missing = false;
    sl_log(SL_LOG_DEBUG, "Opened %s for reading", t->filename);
    return SL_OK;
}

static int source_emit_line(source_task *t, sl_task_ctx *ctx, const char *line, size_t len,
                            char *errstr, size_t errstr_size)
{
    size_t fixed_len = 0;
    char *fixed = file_utf8_repair(line, len, &fixed_len);
    if (fixed == NULL && fixed_len == SIZE_MAX)
        goto oom;
    sl_value *value =
        fixed ? sl_value_new_string(fixed, fixed_len) : sl_value_new_string(line, len);
    free(fixed);
    if (value == NULL)
        goto oom;
    /* Kafka's FileStreamSourceTask uses Schema.STRING_SCHEMA (required string). */
    sl_schema *schema = sl_schema_ref(sl_schema_primitive(SL_TYPE_STRING, false));
    sl_record *r = sl_source_record_new(t->topic, -1, NULL, NULL, schema, value);
    if (r == NULL)
        goto oom;
    sl_value *partition = source_partition(t);
    sl_value *offset = sl_value_new_map();
    if (partition == NULL || offset == NULL) {
        sl_value_destroy(partition);
        sl_value_destroy(offset);
        sl_record_release(r);
        goto oom;
    }
    /* {"position": <bytes>}; null for stdin, as Kafka writes it. The map takes `pos`. */
    sl_value *pos = t->filename ? sl_value_new_int64(t->position) : NULL;
    if ((t->filename != NULL && pos == NULL) ||
        sl_value_map_put_str(offset, POSITION_FIELD, pos) != SL_OK) {
        sl_value_destroy(partition);
        sl_value_destroy(offset);
        sl_record_release(r);
        goto oom;
    }
    sl_record_set_source_position(r, partition, offset);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    sl_record_set_timestamp(r, (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000,
                            SL_TS_CREATE_TIME);
    if (sl_task_emit(ctx, r) != SL_OK) {
        snprintf(errstr, errstr_size, "the worker refused a record read from %s (see log)",
                 t->filename ? t->filename : "stdin");
        return SL_ERR;
    }
    return SL_OK;
oom:
    snprintf(errstr, errstr_size, "out of memory");
    return SL_ERR;
}

/* Read more input. Returns >0 bytes read, 0 when nothing is available now, -1 on error. */
static ssize_t source_read(source_task *t, char *errstr, size_t errstr_size)
{
    if (t->filename == NULL) {
        /* stdin may be a pipe or terminal: never block in read() (Kafka checks ready()). */
        struct pollfd p = {.fd = t->fd, .events = POLLIN};
        int pr = poll(&p, 1, 0);
        if (pr == 0 || (pr > 0 && !(p.revents & (POLLIN | POLLHUP))))
            return 0;
    }
    size_t avail = 0;
    char *dst = file_lines_reserve(&t->lines, READ_CHUNK, &avail);
    if (dst == NULL) {
        snprintf(errstr, errstr_size, "out of memory buffering a %zu-byte line from %s",
                 file_lines_pending(&t->lines), t->filename ? t->filename : "stdin");
        return -1;
    }
    for (;;) {
        ssize_t n = read(t->fd, dst, avail);
        if (n >= 0) {
            file_lines_commit(&t->lines, (size_t)n);
            return n;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        snprintf(errstr, errstr_size, "Error reading %s: %s", t->filename ? t->filename : "stdin",
                 strerror(errno));
        return -1;
    }
}

static int source_poll(void *task, sl_task_ctx *ctx, char *errstr, size_t errstr_size)
{
    source_task *t = task;
    if (t->fd < 0) {
        if (source_open(t, ctx, errstr, errstr_size) != SL_OK)
            return SL_ERR;
        if (t->fd < 0)
            return 0;
    }
    int emitted = 0;
    for (;;) {
        const char *line;
        size_t len, consumed;
        while (emitted < t->batch_size && file_lines_next(&t->lines, &line, &len, &consumed)) {
            t->position += (int64_t)consumed;
            if (source_emit_line(t, ctx, line, len, errstr, errstr_size) != SL_OK)
                return SL_ERR;
            emitted++;
        }
        if (emitted >= t->batch_size || sl_task_stopping(ctx))
            return emitted;
        ssize_t n = source_read(t, errstr, errstr_size);
        if (n < 0)
            return SL_ERR;
        if (n == 0)
            break; /* at the end for now; a partial last line stays buffered */
    }
    if (emitted == 0)
        source_sleep(ctx, IDLE_WAIT_MS); /* tail: wait for the file to grow */
    return emitted;
}

const sl_connector_def file_source_def = {
    .struct_size = sizeof(sl_connector_def),
    .class_name = "org.apache.kafka.connect.file.FileStreamSourceConnector",
    .version = FILE_PLUGIN_VERSION,
    .kind = SL_CONNECTOR_SOURCE,
    .doc = "Reads lines from a file (or standard input) into one topic, following the file as "
           "it grows; compatible with Kafka's connect-file FileStreamSource.",
    .config = source_config,
    .validate = source_validate,
    .start = source_start,
    .task_configs = source_task_configs,
    .stop = source_stop,
    .task_config = source_config,
    .task_start = source_task_start,
    .task_stop = source_task_stop,
    .poll = source_poll,
};
