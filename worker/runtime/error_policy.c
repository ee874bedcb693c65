/* runtime/error_policy.c: Connect's errors.* for failed records: tolerance none/all, retries
 * with exponential backoff, the error log reporter and the dead-letter queue, and counters. */
#include "runtime/error_policy.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "runtime/dlq.h"
#include "util/log.h"

#define LOG_BYTES_MAX 512 /* errors.log.include.messages: bytes of key/value shown */

struct error_policy {
    error_policy_conf conf;
    char *dlq_topic; /* conf.dlq_topic points here */
    char *conn;
    char *label;
    int task_id;
    dlq *dlq;
    uint64_t failed, skipped, retries;
    uint64_t rnd; /* xorshift state for retry jitter */
};

static const char *const k_stage_names[] = {
    [ERROR_STAGE_KEY_CONVERTER] = "KEY_CONVERTER",
    [ERROR_STAGE_VALUE_CONVERTER] = "VALUE_CONVERTER",
    [ERROR_STAGE_HEADER_CONVERTER] = "HEADER_CONVERTER",
    [ERROR_STAGE_TRANSFORMATION] = "TRANSFORMATION",
    [ERROR_STAGE_TASK_PUT] = "TASK_PUT",
    [ERROR_STAGE_TASK_POLL] = "TASK_POLL",
    [ERROR_STAGE_KAFKA_PRODUCE] = "KAFKA_PRODUCE",
    [ERROR_STAGE_KAFKA_CONSUME] = "KAFKA_CONSUME",
};

const char *error_stage_name(error_stage s)
{
    if ((unsigned)s < sizeof(k_stage_names) / sizeof(k_stage_names[0]))
        return k_stage_names[s];
    return "UNKNOWN";
}

const char *error_exception_class(const error_context *ctx)
{
    if (ctx->retriable)
        return "org.apache.kafka.connect.errors.RetriableException";
    switch (ctx->stage) {
    case ERROR_STAGE_KEY_CONVERTER:
    case ERROR_STAGE_VALUE_CONVERTER:
    case ERROR_STAGE_HEADER_CONVERTER:
    case ERROR_STAGE_TRANSFORMATION:
        return "org.apache.kafka.connect.errors.DataException";
    default:
        return "org.apache.kafka.connect.errors.ConnectException";
    }
}

/* ---- configuration ---- */

static int64_t props_long(const sl_props *p, const char *key, int64_t def)
{
    const char *v = sl_props_get(p, key);
    if (v == NULL || v[0] == '\0')
        return def;
    char *end = NULL;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0')
        return def;
    return (int64_t)x;
}

static bool props_bool(const sl_props *p, const char *key, bool def)
{
    const char *v = sl_props_get(p, key);
    if (v == NULL || v[0] == '\0')
        return def;
    if (strcasecmp(v, "true") == 0)
        return true;
    if (strcasecmp(v, "false") == 0)
        return false;
    return def;
}

void error_policy_parse(const sl_props *c, bool sink, error_policy_conf *out)
{
    memset(out, 0, sizeof(*out));
    const char *tol = c ? sl_props_get(c, "errors.tolerance") : NULL;
    out->tolerance_all = tol != NULL && strcasecmp(tol, "all") == 0;
    /* Defaults as Connect's ConnectorConfig. */
    out->retry_timeout_ms = c ? props_long(c, "errors.retry.timeout", 0) : 0;
    if (out->retry_timeout_ms < -1)
        out->retry_timeout_ms = 0;
    out->retry_delay_max_ms = c ? props_long(c, "errors.retry.delay.max.ms", 60000) : 60000;
    if (out->retry_delay_max_ms < 0)
        out->retry_delay_max_ms = 60000;
    out->log_enable = c ? props_bool(c, "errors.log.enable", false) : false;
    out->log_include_messages = c ? props_bool(c, "errors.log.include.messages", false) : false;
    const char *dlq = c ? sl_props_get(c, "errors.deadletterqueue.topic.name") : NULL;
    if (sink && dlq != NULL) {
        while (*dlq == ' ' || *dlq == '\t')
            dlq++;
        if (dlq[0] != '\0')
            out->dlq_topic = dlq;
    }
    out->dlq_replication_factor =
        (int)(c ? props_long(c, "errors.deadletterqueue.topic.replication.factor", 3) : 3);
    out->dlq_context_headers =
        c ? props_bool(c, "errors.deadletterqueue.context.headers.enable", false) : false;
    out->restart_enable = c ? props_bool(c, "errors.restart.enable", false) : false;
    out->restart_max_delay_ms = c ? props_long(c, "errors.restart.max.delay.ms", 300000) : 300000;
    if (out->restart_max_delay_ms < ERROR_RESTART_DELAY_MIN_MS)
        out->restart_max_delay_ms = ERROR_RESTART_DELAY_MIN_MS;
}

error_policy *error_policy_new(const sl_props *conn_config, bool sink, const char *conn,
                               int task_id, const char *label)
{
    error_policy *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return NULL;
    error_policy_parse(conn_config, sink, &p->conf);
    p->conn = strdup(conn ? conn : "");
    p->label = strdup(label ? label : "task");
    p->dlq_topic = p->conf.dlq_topic ? strdup(p->conf.dlq_topic) : NULL;
    if (p->conn == NULL || p->label == NULL || (p->conf.dlq_topic && p->dlq_topic == NULL)) {
        error_policy_destroy(p);
        return NULL;
    }
    p->conf.dlq_topic = p->dlq_topic;
    p->task_id = task_id;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    p->rnd = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)(uintptr_t)p ^ 0x9e3779b97f4a7c15ULL;
    if (p->rnd == 0)
        p->rnd = 1;
    return p;
}

void error_policy_destroy(error_policy *p)
{
    if (p == NULL)
        return;
    dlq *d = p->dlq;
    p->dlq = NULL;
    dlq_destroy(d, 5000); /* flushes first, so its counts below are final */
    if (p->failed > 0 || p->retries > 0)
        LOG_INFO("runtime",
                 "%s: error handling totals: %llu record(s) failed, %llu skipped "
                 "(errors.tolerance=%s), %llu retr%s%s",
                 p->label, (unsigned long long)p->failed, (unsigned long long)p->skipped,
                 p->conf.tolerance_all ? "all" : "none", (unsigned long long)p->retries,
                 p->retries == 1 ? "y" : "ies", p->dlq_topic ? ", see the dead letter queue" : "");
    free(p->dlq_topic);
    free(p->conn);
    free(p->label);
    free(p);
}

const error_policy_conf *error_policy_config(const error_policy *p)
{
    return &p->conf;
}

void error_policy_set_dlq(error_policy *p, dlq *d)
{
    dlq_destroy(p->dlq, 5000);
    p->dlq = d;
}

/* ---- reporting ---- */

/* Append `len` bytes to `out` as printable text (non-printables as \xNN), truncated. */
static void append_bytes(char *out, size_t cap, const void *data, size_t len)
{
    size_t o = strlen(out);
    if (data == NULL) {
        snprintf(out + o, cap - o, "null");
        return;
    }
    const unsigned char *b = data;
    size_t shown = len < LOG_BYTES_MAX ? len : LOG_BYTES_MAX;
    for (size_t i = 0; i < shown && o + 5 < cap; i++) {
        if (b[i] >= 0x20 && b[i] < 0x7f && b[i] != '\\')
            out[o++] = (char)b[i];
        else
            o += (size_t)snprintf(out + o, cap - o, "\\x%02x", b[i]);
    }
    out[o] = '\0';
    if (shown < len && o + 32 < cap)
        snprintf(out + o, cap - o, "... (%zu bytes)", len);
}

/* Connect's LogReporter: "Error encountered in task <id>. Executing stage '<stage>' with class
 * '<class>', where consumed record is {topic=..., partition=..., offset=...}." */
static void log_error(const error_policy *p, const error_context *ctx)
{
    char rec[2 * LOG_BYTES_MAX + 2048];
    rec[0] = '\0';
    if (ctx->topic != NULL) {
        snprintf(rec, sizeof(rec), ", where %s record is {topic='%s', partition=%d, offset=%lld",
                 ctx->offset >= 0 ? "consumed" : "source", ctx->topic, (int)ctx->partition,
                 (long long)ctx->offset);
        if (p->conf.log_include_messages) {
            size_t o = strlen(rec);
            if (ctx->raw_key != NULL || ctx->raw_value != NULL) {
                snprintf(rec + o, sizeof(rec) - o, ", key=");
                append_bytes(rec, sizeof(rec), ctx->raw_key, ctx->raw_key_len);
                o = strlen(rec);
                snprintf(rec + o, sizeof(rec) - o, ", value=");
                append_bytes(rec, sizeof(rec), ctx->raw_value, ctx->raw_value_len);
            } else if (ctx->record != NULL) {
                char *k = sl_value_to_json(sl_record_key(ctx->record), NULL);
                char *v = sl_value_to_json(sl_record_value(ctx->record), NULL);
                snprintf(rec + o, sizeof(rec) - o, ", key=%.*s, value=%.*s", LOG_BYTES_MAX,
                         k ? k : "null", LOG_BYTES_MAX, v ? v : "null");
                free(k);
                free(v);
            }
        }
        size_t o = strlen(rec);
        snprintf(rec + o, sizeof(rec) - o, "}");
    }
    LOG_ERROR("runtime", "Error encountered in task %s. Executing stage '%s' with class '%s'%s: %s",
              p->label, error_stage_name(ctx->stage), ctx->class_name ? ctx->class_name : "unknown",
              rec, ctx->detail && ctx->detail[0] ? ctx->detail : "unknown error");
}

/* snprintf at *off, advancing it; truncates silently at the end of the buffer. */
static void trace_append(char *buf, size_t cap, size_t *off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void trace_append(char *buf, size_t cap, size_t *off, const char *fmt, ...)
{
    if (*off + 1 >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *off, cap - *off, fmt, ap);
    va_end(ap);
    if (n > 0)
        *off += (size_t)n < cap - *off ? (size_t)n : cap - *off - 1;
}

static void write_trace(const error_context *ctx, char *trace, size_t trace_size)
{
    if (trace == NULL || trace_size == 0)
        return;
    /* Connect's RetryWithToleranceOperator with tolerance none throws
     * ConnectException("Tolerance exceeded in error handler") caused by the stage's error;
     * keep that first line so that people searching for it find it. */
    size_t off = 0;
    trace[0] = '\0';
    trace_append(trace, trace_size, &off,
                 "org.apache.kafka.connect.errors.ConnectException: Tolerance exceeded in error "
                 "handler: error in stage %s",
                 error_stage_name(ctx->stage));
    if (ctx->class_name != NULL)
        trace_append(trace, trace_size, &off, " with class '%s'", ctx->class_name);
    if (ctx->topic != NULL) {
        trace_append(trace, trace_size, &off, " (topic '%s'", ctx->topic);
        if (ctx->partition >= 0)
            trace_append(trace, trace_size, &off, ", partition %d", (int)ctx->partition);
        if (ctx->offset >= 0)
            trace_append(trace, trace_size, &off, ", offset %lld", (long long)ctx->offset);
        trace_append(trace, trace_size, &off, ")");
    }
    trace_append(trace, trace_size, &off, "\nCaused by: %s: %s", error_exception_class(ctx),
                 ctx->detail && ctx->detail[0] ? ctx->detail : "unknown error");
}

error_action error_policy_record_failed(error_policy *p, const error_context *ctx, char *trace,
                                        size_t trace_size)
{
    p->failed++;
    if (p->conf.log_enable)
        log_error(p, ctx);
    if (p->dlq != NULL && ctx->stage != ERROR_STAGE_KAFKA_PRODUCE &&
        ctx->stage != ERROR_STAGE_TASK_POLL)
        dlq_send(p->dlq, ctx);
    if (p->conf.tolerance_all) {
        p->skipped++;
        return ERROR_ACTION_SKIP;
    }
    write_trace(ctx, trace, trace_size);
    return ERROR_ACTION_FAIL;
}

uint64_t error_policy_failed(const error_policy *p)
{
    return p ? p->failed : 0;
}

uint64_t error_policy_skipped(const error_policy *p)
{
    return p ? p->skipped : 0;
}

uint64_t error_policy_retries(const error_policy *p)
{
    return p ? p->retries : 0;
}

int error_policy_flush(error_policy *p, int timeout_ms)
{
    if (p == NULL || p->dlq == NULL)
        return SL_OK;
    return dlq_flush(p->dlq, timeout_ms);
}

/* ---- retries ---- */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void error_retry_begin(const error_policy *p, error_retry *r, int64_t now)
{
    r->attempt = 0;
    int64_t t = p->conf.retry_timeout_ms;
    r->deadline_ms = t < 0 ? INT64_MAX : now + t;
}

int64_t error_retry_delay_ms(int attempt, int64_t max_delay_ms, int64_t remaining_ms, uint64_t rnd)
{
    if (attempt < 1)
        attempt = 1;
    int64_t delay = ERROR_RETRY_DELAY_MIN_MS;
    for (int i = 1; i < attempt && delay <= max_delay_ms; i++)
        delay *= 2; /* stops doubling once past the cap, so it cannot overflow */
    if (delay > max_delay_ms)
        delay = max_delay_ms > 0 ? (int64_t)(rnd % (uint64_t)max_delay_ms) : 0;
    if (delay > remaining_ms)
        delay = remaining_ms > 0 ? remaining_ms : 0;
    return delay;
}

bool error_retry_wait(error_policy *p, error_retry *r, const atomic_bool *stopping)
{
    r->attempt++;
    int64_t now = now_ms();
    if (now >= r->deadline_ms || (stopping && atomic_load(stopping)))
        return false;
    p->rnd ^= p->rnd << 13;
    p->rnd ^= p->rnd >> 7;
    p->rnd ^= p->rnd << 17;
    int64_t delay =
        error_retry_delay_ms(r->attempt, p->conf.retry_delay_max_ms, r->deadline_ms - now, p->rnd);
    p->retries++;
    int64_t until = now + delay;
    /* Sleep in short slices so that a stop request is honoured promptly. */
    while (!(stopping && atomic_load(stopping))) {
        int64_t left = until - now_ms();
        if (left <= 0)
            break;
        if (left > 100)
            left = 100;
        struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)left * 1000000L};
        nanosleep(&ts, NULL);
    }
    return !(stopping && atomic_load(stopping));
}

int64_t error_restart_delay_ms(int n, int64_t max_delay_ms)
{
    if (n < 1)
        n = 1;
    int64_t delay = ERROR_RESTART_DELAY_MIN_MS;
    for (int i = 1; i < n && delay < max_delay_ms; i++)
        delay *= 2;
    return delay > max_delay_ms ? max_delay_ms : delay;
}
