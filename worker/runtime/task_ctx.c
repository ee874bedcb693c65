/* runtime/task_ctx.c: the SDK's task context calls (SL_CONTEXT_API: sl_task_*), dispatched to
 * the source or sink loop of the calling task. Connector context calls live in connector_runner.c.
 */
#include <stdio.h>

#include "data/record_internal.h"
#include "runtime/sink_internal.h"
#include "util/log.h"

const char *sl_task_connector_name(const sl_task_ctx *ctx)
{
    return ctx ? ctx->conn : NULL;
}

int sl_task_id(const sl_task_ctx *ctx)
{
    return ctx ? ctx->id : -1;
}

bool sl_task_stopping(const sl_task_ctx *ctx)
{
    /* Any thread: a task's helper threads may poll it too. */
    return ctx == NULL || atomic_load(&((sl_task_ctx *)ctx)->stopping);
}

int sl_task_emit(sl_task_ctx *ctx, sl_record *record)
{
    if (ctx == NULL) {
        sl_record_release(record);
        return SL_ERR;
    }
    return source_task_emit(ctx, record);
}

sl_value *sl_task_offset(sl_task_ctx *ctx, const sl_value *partition)
{
    if (ctx == NULL || ctx->def == NULL || ctx->def->kind != SL_CONNECTOR_SOURCE)
        return NULL;
    return source_task_offset(ctx, partition);
}

void sl_task_request_commit(sl_task_ctx *ctx)
{
    if (ctx != NULL)
        atomic_store(&ctx->commit_requested, true);
}

int sl_task_pause(sl_task_ctx *ctx, const char *topic, int32_t partition)
{
    return ctx ? sink_task_pause(ctx, topic, partition, true) : SL_ERR;
}

int sl_task_resume(sl_task_ctx *ctx, const char *topic, int32_t partition)
{
    return ctx ? sink_task_pause(ctx, topic, partition, false) : SL_ERR;
}

int sl_task_seek(sl_task_ctx *ctx, const char *topic, int32_t partition, int64_t offset)
{
    return ctx ? sink_task_seek(ctx, topic, partition, offset) : SL_ERR;
}

int sl_task_report(sl_task_ctx *ctx, const sl_record *record, const char *error)
{
    if (ctx == NULL || ctx->errors == NULL)
        return SL_ERR;
    error_context ec = {
        .stage = ERROR_STAGE_TASK_PUT,
        .topic = record ? sl_record_original_topic(record) : NULL,
        .partition = record ? sl_record_partition(record) : -1,
        .offset = record ? sl_record_offset(record) : -1,
        .record = record,
        .detail = error,
    };
    if (ec.topic == NULL && record != NULL)
        ec.topic = sl_record_topic(record);
    if (ctx->def != NULL)
        ec.class_name = ctx->def->class_name;
    /* The consumed message the sink loop attached to the record: the DLQ gets its bytes. */
    const rd_kafka_message_t *m = record ? record_user(record) : NULL;
    if (m != NULL && ctx->sink != NULL)
        sink_error_context_raw(&ec, m);
    char trace[2048];
    if (error_policy_record_failed(ctx->errors, &ec, trace, sizeof(trace)) == ERROR_ACTION_SKIP)
        return SL_OK;
    /* errors.tolerance=none: put() is expected to fail with the record's error; the trace is
     * logged so the record's coordinates are not lost if the sink's own message omits them. */
    LOG_WARN("runtime", "%s: %s", ctx->label, trace);
    return SL_ERR;
}
