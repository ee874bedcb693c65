/* herder/distributed.h: connect-distributed's herder: workers sharing a group.id form one
 * cluster through Kafka's group protocol and keep configs and statuses in compacted topics. */
#ifndef SLUICE_HERDER_DISTRIBUTED_H
#define SLUICE_HERDER_DISTRIBUTED_H

#include "herder/herder.h"
#include "store/offset_store.h"

typedef struct distributed_herder distributed_herder;

/* Open the config and status topics (created if missing, read to their end), create the group
 * member and start the herder thread, which joins the group and runs what it is assigned.
 * `worker_props` is copied (group.id, bootstrap.servers, config/status storage topics,
 * session.timeout.ms, heartbeat.interval.ms, rebalance.timeout.ms, connect.protocol,
 * scheduled.rebalance.max.delay.ms, worker.sync.timeout.ms, ...); `offsets` (the offsets
 * topic store) is taken: the herder destroys it. `url` is this worker's advertised REST URL
 * ("http://host:port/", sent to the group as member metadata), `worker_id` its "host:port"
 * (statuses), `kafka_cluster_id` shown by GET / (may be NULL); all copied. Returns NULL with
 * errstr on failure (offsets destroyed then too). Caller owns the result. Call from main. */
distributed_herder *distributed_herder_start(const sl_props *worker_props, offset_store *offsets,
                                             const char *url, const char *worker_id,
                                             const char *kafka_cluster_id, char *errstr,
                                             size_t errstr_size);

/* The herder interface for the REST layer (borrowed; valid until destroy). */
herder *distributed_herder_iface(distributed_herder *h);

/* Stop every task and connector gracefully (UNASSIGNED written, offsets flushed), leave the
 * group, stop the thread, close the stores and free everything. NULL-safe. Call from main
 * after the REST server stopped. */
void distributed_herder_destroy(distributed_herder *h);

#endif
