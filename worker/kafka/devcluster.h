/* kafka/devcluster.h: an in-process Kafka cluster (librdkafka's mock brokers on loopback) for
 * `sluice-worker --dev` and the standalone tests/kafka-mock process, which share this code. */
#ifndef SLUICE_KAFKA_DEVCLUSTER_H
#define SLUICE_KAFKA_DEVCLUSTER_H

#include <stddef.h>
#include <stdint.h>

/* Kept free of the SDK and the worker's logger so that tests/kafka-mock can compile this file
 * alone against librdkafka. Errors come back in errstr; the caller logs them. */

typedef struct kafka_devcluster kafka_devcluster;

/* Start `brokers` mock brokers (ids 1..brokers) listening on 127.0.0.1, and create each topic
 * of the NULL-terminated `topics` list ("NAME:PARTITIONS", or "NAME" for 4 partitions; the
 * list may be NULL) with replication factor min(3, brokers). Topics not created here are
 * auto-created with 4 partitions when a client asks for their metadata.
 * Returns NULL with the reason in errstr on failure. Caller owns the result and frees it with
 * kafka_devcluster_stop(). `topics` is borrowed for the call. */
kafka_devcluster *kafka_devcluster_start(int brokers, const char *const *topics, char *errstr,
                                         size_t errstr_size);

/* Stop the brokers (connected clients see their connections drop) and free `dc`. NULL is a
 * no-op. Must not race with any other call on `dc`. */
void kafka_devcluster_stop(kafka_devcluster *dc);

/* The cluster's bootstrap.servers ("127.0.0.1:port,..."). Borrowed; valid until stop. */
const char *kafka_devcluster_bootstraps(const kafka_devcluster *dc);

/* Number of brokers the cluster was started with. */
int kafka_devcluster_broker_count(const kafka_devcluster *dc);

/* The calls below may be made from any thread (the mock brokers run on their own thread and
 * serialize these requests). Each returns 0, or -1 with the reason in errstr. */

/* Create a topic ("NAME:PARTITIONS" or "NAME"), as kafka_devcluster_start does. Creating a
 * topic that already exists fails. */
int kafka_devcluster_create_topic(kafka_devcluster *dc, const char *spec, char *errstr,
                                  size_t errstr_size);

/* Fault injection. `broker_id` is 1..brokers, or -1 for every broker.
 * down: close the broker's connections and refuse new ones (no leader change);
 * up: accept connections again; rtt: delay every response by `rtt_ms` (0 = none). */
int kafka_devcluster_broker_down(kafka_devcluster *dc, int32_t broker_id, char *errstr,
                                 size_t errstr_size);
int kafka_devcluster_broker_up(kafka_devcluster *dc, int32_t broker_id, char *errstr,
                               size_t errstr_size);
int kafka_devcluster_broker_rtt(kafka_devcluster *dc, int32_t broker_id, int rtt_ms, char *errstr,
                                size_t errstr_size);

/* Move a partition's leadership to `broker_id` (-1: leaderless). The topic is created if it
 * does not exist. */
int kafka_devcluster_partition_leader(kafka_devcluster *dc, const char *topic, int32_t partition,
                                      int32_t broker_id, char *errstr, size_t errstr_size);

/* Pin the coordinator of a consumer group ("group") or transactional id ("transaction") to a
 * broker. */
int kafka_devcluster_coordinator(kafka_devcluster *dc, const char *key_type, const char *key,
                                 int32_t broker_id, char *errstr, size_t errstr_size);

#endif
