/* runtime/dlq.h: a sink task's dead-letter queue: a producer writing failed records' original
 * bytes to errors.deadletterqueue.topic.name, with Connect's __connect.errors.* headers. */
#ifndef SLUICE_RUNTIME_DLQ_H
#define SLUICE_RUNTIME_DLQ_H

#include <librdkafka/rdkafka.h>
#include <sluice/sdk.h>

#include "runtime/error_policy.h"

/* Connect's DeadLetterQueueReporter header names. */
#define DLQ_HEADER_PREFIX "__connect.errors."
#define DLQ_HEADER_TOPIC DLQ_HEADER_PREFIX "topic"
#define DLQ_HEADER_PARTITION DLQ_HEADER_PREFIX "partition"
#define DLQ_HEADER_OFFSET DLQ_HEADER_PREFIX "offset"
#define DLQ_HEADER_CONNECTOR_NAME DLQ_HEADER_PREFIX "connector.name"
#define DLQ_HEADER_TASK_ID DLQ_HEADER_PREFIX "task.id"
#define DLQ_HEADER_STAGE DLQ_HEADER_PREFIX "stage"
#define DLQ_HEADER_CLASS_NAME DLQ_HEADER_PREFIX "class.name"
#define DLQ_HEADER_EXCEPTION_CLASS DLQ_HEADER_PREFIX "exception.class.name"
#define DLQ_HEADER_EXCEPTION_MESSAGE DLQ_HEADER_PREFIX "exception.message"
#define DLQ_HEADER_EXCEPTION_STACKTRACE DLQ_HEADER_PREFIX "exception.stacktrace"

/* Create the dead-letter producer of task `task_id` of connector `conn` (strings copied; props
 * borrowed for the call). The producer is layered as a connector producer (worker producer.*,
 * connector producer.override.*). Creates `topic` with one partition and `replication_factor`
 * if it does not exist, as Connect does; a creation failure other than "already exists" is
 * logged and the producer kept (the broker may auto-create it). `context_headers` adds the
 * __connect.errors.* headers to each record. Returns NULL with errstr when the producer cannot
 * be built. Caller owns it (dlq_destroy). Use from the owning task's thread only. */
dlq *dlq_new(const sl_props *worker_props, const sl_props *conn_config, const char *topic,
             int replication_factor, bool context_headers, const char *conn, int task_id,
             char *errstr, size_t errstr_size);

/* Queue the failed record for the DLQ: its raw key/value/timestamp/headers from `ctx` (copied)
 * plus, when enabled, the context headers. Asynchronous: delivery failures are logged and
 * counted (dlq_failed). SL_OK when queued, SL_ERR when the producer refused it (logged). */
int dlq_send(dlq *d, const error_context *ctx);

/* Wait at most timeout_ms for outstanding writes. SL_OK when none is left. */
int dlq_flush(dlq *d, int timeout_ms);

/* Records acknowledged by / lost on the way to the DLQ so far. Owning thread. */
uint64_t dlq_produced(const dlq *d);
uint64_t dlq_failed(const dlq *d);

/* Flush (bounded by timeout_ms) and free. NULL is accepted. */
void dlq_destroy(dlq *d, int timeout_ms);

/* Append Connect's __connect.errors.* headers describing `ctx` to `hdrs` (values are UTF-8
 * strings, as Connect writes them; a header without a value is left out). Pure; any thread. */
void dlq_add_context_headers(rd_kafka_headers_t *hdrs, const error_context *ctx, const char *conn,
                             int task_id);

#endif
