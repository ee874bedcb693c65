/* herder/standalone.h: the standalone herder (connect-standalone): connector configs live in
 * memory (loaded from files at start-up or created over REST), offsets in a local file. */
#ifndef SLUICE_HERDER_STANDALONE_H
#define SLUICE_HERDER_STANDALONE_H

#include "herder/herder.h"
#include "store/offset_store.h"

typedef struct standalone_herder standalone_herder;

/* Create the herder and start its thread. `worker_props` is copied; `offsets` is taken (the
 * herder destroys it). `worker_id` ("host:port") names this worker in statuses;
 * `kafka_cluster_id` is shown by GET / (copied; may be NULL). Caller owns the result. */
standalone_herder *standalone_herder_start(const sl_props *worker_props, offset_store *offsets,
                                           const char *worker_id, const char *kafka_cluster_id,
                                           char *errstr, size_t errstr_size);

/* The herder interface for the REST layer (borrowed; valid until destroy). */
herder *standalone_herder_iface(standalone_herder *h);

/* Create a connector from a config loaded from a file, as connect-standalone does (no
 * replace). SL_OK, or SL_ERR with the reason in errstr. Any thread but the herder's. */
int standalone_herder_add(standalone_herder *h, const sl_props *config, char *errstr,
                          size_t errstr_size);

/* Stop every task and connector gracefully (offsets flushed), stop the thread, free all. */
void standalone_herder_destroy(standalone_herder *h);

#endif
