/* runtime/error_policy.h: what a task does with a record that failed a stage (conversion,
 * transformation, put, produce): Connect's errors.* (tolerance, retries, logging, DLQ). */
#ifndef SLUICE_RUNTIME_ERROR_POLICY_H
#define SLUICE_RUNTIME_ERROR_POLICY_H

#include <librdkafka/rdkafka.h>
#include <stdatomic.h>
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

/* Where a failed record came from, for the log, the trace and the DLQ. All pointers borrowed
 * for the call; offset -1 / partition -1 when unknown (source records). The raw_* fields are
 * the record's bytes as consumed (sinks; all NULL/0 for sources): the DLQ record carries
 * them unchanged, as Connect's DeadLetterQueueReporter does. */
typedef struct error_context {
    error_stage stage;
    const char *topic;
    int32_t partition;
    int64_t offset;
    const sl_record *record; /* may be NULL */
    const char *detail;      /* the stage's own error text */
    const char *class_name; /* the executing class (converter, transform, connector); may be NULL */
    bool retriable;         /* the stage failed with SL_ERR_RETRIABLE and retries ran out */
    const void *raw_key, *raw_value;
    size_t raw_key_len, raw_value_len;
    int64_t raw_timestamp;                 /* -1 = none */
    const rd_kafka_headers_t *raw_headers; /* may be NULL */
} error_context;

/* The parsed errors.* keys of a connector (Connect's ConnectorConfig / SinkConnectorConfig,
 * plus Sluice's errors.restart.*). Strings point into the props they were parsed from. */
typedef struct error_policy_conf {
    bool tolerance_all;
    int64_t retry_timeout_ms;   /* errors.retry.timeout: 0 = no retry, -1 = forever */
    int64_t retry_delay_max_ms; /* errors.retry.delay.max.ms */
    bool log_enable;
    bool log_include_messages;
    const char *dlq_topic; /* NULL when no DLQ (empty name, or a source connector) */
    int dlq_replication_factor;
    bool dlq_context_headers;
    bool restart_enable;          /* errors.restart.enable (Sluice) */
    int64_t restart_max_delay_ms; /* errors.restart.max.delay.ms (Sluice) */
} error_policy_conf;

/* Connect's RetryWithToleranceOperator: first backoff, doubled per attempt. */
#define ERROR_RETRY_DELAY_MIN_MS 300
/* First automatic restart delay, doubled per consecutive failure up to the maximum. */
#define ERROR_RESTART_DELAY_MIN_MS 1000

typedef struct error_policy error_policy;
typedef struct dlq dlq;

/* "KEY_CONVERTER", ...; static. */
const char *error_stage_name(error_stage s);

/* Parse the errors.* keys of `conn_config` (borrowed; `out` points into it). `sink` enables
 * the dead-letter keys. Values validation rejected never get here; unparsable numbers fall
 * back to Connect's defaults. Any thread. */
void error_policy_parse(const sl_props *conn_config, bool sink, error_policy_conf *out);

/* Build the policy for task `task_id` of connector `conn` from its raw config (borrowed).
 * `label` ("<conn>-<id>") tags log lines; all strings copied. Caller owns the result
 * (error_policy_destroy); NULL only when out of memory. */
error_policy *error_policy_new(const sl_props *conn_config, bool sink, const char *conn,
                               int task_id, const char *label);
/* Log the task's error counters (if any error happened) and free the policy, destroying an
 * attached DLQ. NULL is accepted. Owning thread. */
void error_policy_destroy(error_policy *p);

/* The parsed settings (borrowed; valid while the policy lives). */
const error_policy_conf *error_policy_config(const error_policy *p);

/* Give the policy its dead-letter producer (takes ownership; NULL = none). Owning thread. */
void error_policy_set_dlq(error_policy *p, dlq *d);

/* A failed record: count it, log it (errors.log.enable), send it to the DLQ (if any), then
 * decide. Reporting happens under both tolerances, as Connect's RetryWithToleranceOperator
 * reports before it rethrows. On ERROR_ACTION_FAIL, `trace` (caller's buffer) receives the
 * text the task's FAILED status shows, naming the stage, class, topic, partition and offset;
 * on ERROR_ACTION_SKIP it is left untouched. Called only from the owning task's thread. */
error_action error_policy_record_failed(error_policy *p, const error_context *ctx, char *trace,
                                        size_t trace_size);

/* Counters (owning thread): errors seen (each failed record once), records skipped under
 * tolerance all, retries made, records written to / lost by the DLQ. */
uint64_t error_policy_failed(const error_policy *p);
uint64_t error_policy_skipped(const error_policy *p);
uint64_t error_policy_retries(const error_policy *p);

/* Wait for the DLQ's outstanding writes (at most timeout_ms) so that a sink commits no offset
 * of a record whose dead-letter copy is not acknowledged. SL_OK (also with no DLQ) or SL_ERR
 * when writes are still outstanding. Owning thread. */
int error_policy_flush(error_policy *p, int timeout_ms);

/* The Java exception class Connect would show for this failure (DataException for
 * conversion and transformation, RetriableException when retries ran out, ConnectException
 * otherwise), for __connect.errors.exception.class.name and the trace. Static string. */
const char *error_exception_class(const error_context *ctx);

/* ---- retries of SL_ERR_RETRIABLE (errors.retry.timeout / errors.retry.delay.max.ms) ---- */

/* One operation's retry state: start it with error_retry_begin before the first attempt. */
typedef struct error_retry {
    int attempt;         /* attempts that failed so far */
    int64_t deadline_ms; /* task_now_ms clock; INT64_MAX = forever */
} error_retry;

void error_retry_begin(const error_policy *p, error_retry *r, int64_t now_ms);

/* The backoff before retry number `attempt` (1 = after the first failure), as Connect's
 * RetryWithToleranceOperator.backoff: 300 ms doubled per attempt; past `max_delay_ms` a
 * random delay below it (`rnd` supplies the randomness) so retries do not march in step; never
 * past `remaining_ms` (time left before the deadline). Pure function. */
int64_t error_retry_delay_ms(int attempt, int64_t max_delay_ms, int64_t remaining_ms, uint64_t rnd);

/* After an attempt failed with SL_ERR_RETRIABLE: if the deadline allows, sleep the backoff
 * (returning early when *stopping becomes true) and return true (try again); else false (out
 * of retries: treat the failure as final). Counts retries. Owning thread. */
bool error_retry_wait(error_policy *p, error_retry *r, const atomic_bool *stopping);

/* The delay before automatic restart number `n` (1 = after the first failure): 1 s doubled
 * per consecutive failure, capped at max_delay_ms. Pure function. */
int64_t error_restart_delay_ms(int n, int64_t max_delay_ms);

#endif
