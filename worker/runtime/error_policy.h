/* runtime/error_policy.h: what a task does with a record that failed a stage (conversion,
 * transformation, put, produce): the one decision point errors.tolerance / DLQ plug into. */
#ifndef SLUICE_RUNTIME_ERROR_POLICY_H
#define SLUICE_RUNTIME_ERROR_POLICY_H

#include <sluice/sdk.h>

/* Connect's ErrorHandlingMetrics / ProcessingContext stages (names as Connect prints them). */
typedef enum error_stage {
    ERROR_STAGE_KEY_CONVERTER = 0,
    ERROR_STAGE_VALUE_CONVERTER,
    ERROR_STAGE_HEADER_CONVERTER,
    ERROR_STAGE_TRANSFORMATION,
    ERROR_STAGE_TASK_PUT,
    ERROR_STAGE_TASK_POLL,
    ERROR_STAGE_KAFKA_PRODUCE,
    ERROR_STAGE_KAFKA_CONSUME,
} error_stage;

/* What the caller does with the failed record. */
typedef enum error_action {
    ERROR_ACTION_FAIL = 0, /* fail the task; the trace was written */
    ERROR_ACTION_SKIP,     /* drop the record and carry on (errors.tolerance=all) */
} error_action;

/* Where a failed record came from, for the trace and (later) the DLQ context headers. All
 * pointers borrowed for the call; offset -1 / partition -1 when unknown (source records). */
typedef struct error_context {
    error_stage stage;
    const char *topic;
    int32_t partition;
    int64_t offset;
    const sl_record *record; /* may be NULL */
    const char *detail;      /* the stage's own error text */
} error_context;

typedef struct error_policy error_policy;

/* "KEY_CONVERTER", ...; static. */
const char *error_stage_name(error_stage s);

/* Build the policy from a connector's raw config (errors.* keys; borrowed). Today only
 * errors.tolerance=none is implemented: any other value is accepted but treated as none with
 * one WARN (issue 5 adds all + DLQ). Caller owns the result (error_policy_destroy); NULL only
 * when out of memory. */
error_policy *error_policy_new(const sl_props *conn_config, const char *task_label);
/* Free the policy. NULL is accepted. Owning thread. */
void error_policy_destroy(error_policy *p);

/* Decide what to do with a failed record. On ERROR_ACTION_FAIL, `trace` (caller's buffer)
 * receives the text the task's FAILED status shows, naming the stage, topic, partition and
 * offset. Called only from the owning task's thread. */
error_action error_policy_record_failed(error_policy *p, const error_context *ctx, char *trace,
                                        size_t trace_size);

/* Number of records skipped so far (always 0 until tolerance=all exists). Task thread. */
uint64_t error_policy_skipped(const error_policy *p);

#endif
