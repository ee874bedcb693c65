/* store/kafka_log.h: a Kafka-backed log (Connect's KafkaBasedLog): an acks=all producer plus a
 * consumer that reads one topic from the beginning and keeps tailing it on its own thread. */
#ifndef SLUICE_STORE_KAFKA_LOG_H
#define SLUICE_STORE_KAFKA_LOG_H

#include <sluice/sdk.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kafka_log kafka_log;

/* One record as read from the topic. Every pointer is borrowed for the callback only. */
typedef struct kafka_log_record {
    int32_t partition;
    int64_t offset;
    const char *key; /* NULL when the record has no key */
    size_t key_len;
    const char *value; /* NULL = tombstone */
    size_t value_len;
} kafka_log_record;

/* One record to write. `value` NULL writes a tombstone. Borrowed for the call that takes it. */
typedef struct kafka_log_msg {
    const char *key;
    size_t key_len;
    const char *value;
    size_t value_len;
} kafka_log_msg;

/* Called for every record read, in partition order, on the log's consumer thread (never on the
 * caller's thread). The callback must not call kafka_log_read_to_end or kafka_log_stop on the
 * same log (it would wait for itself); writing to the log is allowed. */
typedef void (*kafka_log_cb)(void *opaque, const kafka_log_record *rec);

/* Create a log over `topic` with internal clients configured from the worker properties
 * (clientconf INTERNAL kinds: acks=all, murmur2_random partitioning as Java's producer, so
 * keys land on the partitions a Java worker would choose). `client_id` names both clients (see
 * kafka_log_client_id). Nothing is read until kafka_log_start. `worker`, `topic`, `client_id`
 * are borrowed (copied). Caller owns the result (kafka_log_destroy). NULL + errstr on error. */
kafka_log *kafka_log_new(const sl_props *worker, const char *topic, const char *client_id,
                         kafka_log_cb cb, void *opaque, char *errstr, size_t errstr_size);

/* Look up the topic's partitions (the topic must exist), assign every partition from its
 * beginning (assign(), no consumer group), start the consumer thread and read to the end.
 * Returns SL_OK, or SL_ERR + errstr (the log can then only be destroyed). Call once, from the
 * owner's thread. */
int kafka_log_start(kafka_log *l, int timeout_ms, char *errstr, size_t errstr_size);

/* Wait until every record below each partition's end offset, as the broker reports it at call
 * time, has been passed to the callback (and the callback returned). SL_OK, or SL_ERR + errstr
 * on timeout or broker error. Any thread except the consumer thread; concurrent calls are
 * fine. */
int kafka_log_read_to_end(kafka_log *l, int timeout_ms, char *errstr, size_t errstr_size);

/* Produce `n` records (borrowed for the call) in order and wait until every one is
 * acknowledged by the brokers (acks=all) or `timeout_ms` passes. SL_OK only when all were
 * acknowledged; otherwise SL_ERR + errstr naming the first error (some may have landed). Any
 * thread, including the consumer thread. */
int kafka_log_write(kafka_log *l, const kafka_log_msg *msgs, size_t n, int timeout_ms,
                    char *errstr, size_t errstr_size);

/* Produce one record without waiting; a delivery failure is logged. For writes whose outcome
 * the caller checks by reading the topic (status updates). Any thread. */
int kafka_log_send(kafka_log *l, const kafka_log_msg *msg, char *errstr, size_t errstr_size);

/* Wait up to `timeout_ms` for every record produced so far to be acknowledged or failed.
 * SL_OK, or SL_ERR when some were still outstanding. Any thread. */
int kafka_log_flush(kafka_log *l, int timeout_ms);

/* Number of partitions found by kafka_log_start (0 before). Any thread. */
int kafka_log_partition_count(const kafka_log *l);

/* The topic name (borrowed, valid until destroy). */
const char *kafka_log_topic(const kafka_log *l);

/* Stop the consumer thread (after the callback in progress returns), flush the producer for
 * up to `flush_timeout_ms` and free everything. NULL-safe. Owner's thread; never from the
 * callback. */
void kafka_log_destroy(kafka_log *l, int flush_timeout_ms);

/* Connect's client id for an internal client: "<group.id>-[<client.id>-]<suffix>" with suffix
 * "configs", "offsets", "statuses" or "shared-admin". Writes into `out`; SL_ERR if it does not
 * fit. Pure function. */
int kafka_log_client_id(const sl_props *worker, const char *suffix, char *out, size_t out_size);

/* Integer worker property with a default, for the stores ("offset.flush.timeout.ms", ...):
 * `def` when unset or empty, SL_ERR + errstr when not an integer. Pure function. */
int kafka_log_int_prop(const sl_props *worker, const char *key, long def, long *out,
                       char *errstr, size_t errstr_size);

#endif
