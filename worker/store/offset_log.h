/* store/offset_log.h: the distributed-mode source-offset store over the offsets topic
 * (Connect's KafkaOffsetBackingStore), behind the offset_store interface of offset_store.h. */
#ifndef SLUICE_STORE_OFFSET_LOG_H
#define SLUICE_STORE_OFFSET_LOG_H

#include "store/offset_store.h"

/* Ensure offset.storage.topic (compact, offset.storage.partitions, default 25), read it to
 * its end and keep tailing it, so that offsets written by any worker become visible. Keys and
 * values are stored and compared as the exact bytes of the topic (reference §2.2); a record
 * with a null value removes its key.
 *   get:     reads the topic to its end first (as Connect does before serving offsets, so a
 *            task moved here sees its previous owner's last flush); if that fails within
 *            30 s it logs a warning and answers from what was read;
 *   put:     produces every entry in order (acks=all, keys partitioned as Java's producer
 *            does) and returns SL_OK once all are acknowledged within offset.flush.timeout.ms
 *            (default 5000); the entries become visible to get when read back;
 *   foreach: iterates what has been read so far.
 * `worker` is borrowed for the call. Caller owns the result (offset_store_destroy, which
 * waits up to 5 s for unacknowledged writes). NULL + errstr on failure. */
offset_store *offset_log_open(const sl_props *worker, char *errstr, size_t errstr_size);

/* The same store over an arbitrary topic with the given client id (for a connector's own
 * offsets.storage.topic, and tests); no topic creation. Arguments borrowed. */
offset_store *offset_log_open_topic(const sl_props *worker, const char *topic,
                                    const char *client_id, char *errstr, size_t errstr_size);

#endif
