/* runtime/error_policy.c: errors.tolerance for failed records. Today only "none": the first
 * failure fails the task with a trace naming the stage and the record's coordinates. */
#include "runtime/error_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/log.h"

struct error_policy {
    uint64_t skipped;
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

error_policy *error_policy_new(const sl_props *conn_config, const char *task_label)
{
    error_policy *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return NULL;
    const char *tol = conn_config ? sl_props_get(conn_config, "errors.tolerance") : NULL;
    if (tol != NULL && strcasecmp(tol, "none") != 0)
        LOG_WARN("runtime",
                 "%s: errors.tolerance=%s is not supported yet; failing on the first bad "
                 "record as with errors.tolerance=none",
                 task_label ? task_label : "task", tol);
    return p;
}

void error_policy_destroy(error_policy *p)
{
    free(p);
}

error_action error_policy_record_failed(error_policy *p, const error_context *ctx, char *trace,
                                        size_t trace_size)
{
    (void)p;
    /* Connect's RetryWithToleranceOperator with tolerance none throws
     * ConnectException("Tolerance exceeded in error handler") caused by the stage's error;
     * keep that first line so that people searching for it find it. */
    int n = snprintf(trace, trace_size, "Tolerance exceeded in error handler: error in stage %s",
                     error_stage_name(ctx->stage));
    if (n < 0 || (size_t)n >= trace_size)
        return ERROR_ACTION_FAIL;
    size_t off = (size_t)n;
    if (ctx->topic != NULL) {
        n = snprintf(trace + off, trace_size - off, " (topic '%s'", ctx->topic);
        if (n > 0 && (size_t)n < trace_size - off)
            off += (size_t)n;
        if (ctx->partition >= 0 && off < trace_size) {
            n = snprintf(trace + off, trace_size - off, ", partition %d", (int)ctx->partition);
            if (n > 0 && (size_t)n < trace_size - off)
                off += (size_t)n;
        }
        if (ctx->offset >= 0 && off < trace_size) {
            n = snprintf(trace + off, trace_size - off, ", offset %lld", (long long)ctx->offset);
            if (n > 0 && (size_t)n < trace_size - off)
                off += (size_t)n;
        }
        if (off < trace_size) {
            n = snprintf(trace + off, trace_size - off, ")");
            if (n > 0 && (size_t)n < trace_size - off)
                off += (size_t)n;
        }
    }
    if (off < trace_size)
        snprintf(trace + off, trace_size - off, ": %s",
                 ctx->detail && ctx->detail[0] ? ctx->detail : "unknown error");
    return ERROR_ACTION_FAIL;
}

uint64_t error_policy_skipped(const error_policy *p)
{
    return p ? p->skipped : 0;
}
