/* runtime/sink_internal.h: what the sink task's two files share: the per-task consumer state
 * and assigned-partition table, and the partition, commit and rebalance helpers. */
#ifndef SLUICE_RUNTIME_SINK_INTERNAL_H
#define SLUICE_RUNTIME_SINK_INTERNAL_H

#include <librdkafka/rdkafka.h>
#include <sys/types.h>

#include "runtime/runtime_internal.h"

#define SINK_BATCH_MAX 500

/* An assigned partition. */
typedef struct sink_tp {
    char *topic;
    int32_t partition;
    int64_t pos;        /* next offset after what put() accepted; -1 = nothing yet */
    int64_t committed;  /* last committed (or rewound-to) offset; -1 = unknown */
    int64_t batch_next; /* next offset after the current batch; -1 = not in it */
    bool task_paused;   /* sl_task_pause */
} sink_tp;

struct sink_run {
    rd_kafka_t *rk;
    rd_kafka_queue_t *q;
    sink_tp *tps;
    size_t ntps, captps, last_tp;
    rd_kafka_message_t *msgs[SINK_BATCH_MAX];
    sl_record **recs; /* the batch handed to put(); kept for redelivery */
    size_t nrecs;
    bool retrying;
    int64_t retry_at, backoff_ms;
    bool all_paused; /* consumer-level pause in effect (target paused or retrying) */
    rd_kafka_topic_partition_list_t *seeks; /* sl_task_seek requests not applied yet */
    bool closing;                           /* final close done: rebalances only unassign */
    bool fatal;
    char fatal_trace[2048];
    uint64_t consumed, delivered;
    rd_kafka_resp_err_t last_consumer_err;
};

/* Everything below runs on the task's thread only (rebalance callbacks included: they are
 * served by the task's own consumer polls). */

/* Index of an assigned partition, or -1. */
ssize_t sink_tp_find(sink_run *run, const char *topic, int32_t partition);
/* Index of the partition, added (position unknown) if new; -1 when out of memory. */
ssize_t sink_tp_add(sink_run *run, const char *topic, int32_t partition);
/* Remember the first fatal error (printf format with two string arguments); the loop fails
 * the task with it. */
void sink_set_fatal(rt_task *t, const char *fmt, const char *a, const char *b);
/* Pause every assigned partition (task paused or put() being retried) or resume those the
 * task did not pause itself. */
void sink_sync_pause(sink_run *run, bool want_all_paused);
/* Apply the sl_task_seek() requests made since the last iteration. */
void sink_apply_seeks(rt_task *t);
/* flush()/pre_commit() then a synchronous consumer commit of what put() accepted, for the
 * partitions in `only` (borrowed; NULL = all assigned). On a flush error, rewinds to the last
 * committed offsets as Connect does. */
void sink_commit_offsets(rt_task *t, const rd_kafka_topic_partition_list_t *only);
/* An sl_tp_offset array mirroring `parts` (topics borrowed from it); caller frees. NULL when
 * out of memory. */
sl_tp_offset *sink_to_tp_offsets(const rd_kafka_topic_partition_list_t *parts);
/* Fill the raw_* fields of an error context from a consumed message (borrowed: valid while
 * `m` lives). */
void sink_error_context_raw(error_context *ec, const rd_kafka_message_t *m);
/* librdkafka rebalance callback (opaque = the task): open()/close(), commits on revoke,
 * eager or cooperative assignment. */
void sink_on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                       rd_kafka_topic_partition_list_t *parts, void *opaque);

#endif
