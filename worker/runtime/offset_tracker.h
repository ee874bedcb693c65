/* runtime/offset_tracker.h: a source task's in-flight records per source partition and the
 * offsets safe to commit (Connect's SubmittedRecords: only acked-in-order prefixes count). */
#ifndef SLUICE_RUNTIME_OFFSET_TRACKER_H
#define SLUICE_RUNTIME_OFFSET_TRACKER_H

#include <sluice/sdk.h>

#include "store/offset_store.h"

typedef struct offset_tracker offset_tracker;

/* A handle for one submitted record, carried through librdkafka as the message opaque. It
 * encodes (partition slot, sequence number), so no allocation is made per record. */
typedef uint64_t offset_token;

/* New tracker for connector `connector` (copied; it prefixes every offsets key). Caller owns
 * it (offset_tracker_destroy). NULL when out of memory. Not thread-safe: one task thread. */
offset_tracker *offset_tracker_new(const char *connector);
/* Releases every record still held. */
void offset_tracker_destroy(offset_tracker *t);

/* Register `record` as sent (in emit order). Its source offset is serialized now (compact
 * JSON, the bytes later written to the store), so the caller may free the record at once;
 * with `keep_record` the tracker also takes a reference to it (sl_record_retain) and hands it
 * back on ack, for the task's commit_record(). Records with a null source partition are
 * counted as in flight but never committed. SL_OK with *token, or SL_ERR with errstr (out of
 * memory, or a source partition or offset that is not a map of primitives: Connect's
 * OffsetUtils message). */
int offset_tracker_submit(offset_tracker *t, sl_record *record, bool keep_record,
                          offset_token *token, char *errstr, size_t errstr_size);

/* Kafka acknowledged the record (or it was dropped by a transform, which Connect also treats
 * as acknowledged). Advances the committable offset when the head of its partition is acked.
 * If the record was submitted with keep_record and `record` is not NULL, *record receives it
 * with a reference the caller releases (for the task's commit_record()); else *record is
 * NULL. SL_OK, or SL_ERR (nothing changes) for an unknown or already acked token. */
int offset_tracker_ack(offset_tracker *t, offset_token token, sl_record **record);

/* Forget the most recently submitted record of its partition (it was never handed to Kafka,
 * e.g. the task stopped while the producer queue was full): its offset will never be
 * committed. Only valid for the newest token of its partition that is not acked; SL_ERR
 * otherwise (nothing changes). */
int offset_tracker_cancel(offset_tracker *t, offset_token token);

/* Records submitted but not yet acked. */
size_t offset_tracker_in_flight(const offset_tracker *t);
/* Distinct source partitions seen so far (including a null one). */
size_t offset_tracker_partitions(const offset_tracker *t);

/* The offsets that became committable since the last successful snapshot: an array of
 * entries (keys `["<connector>",{partition}]`, values the compact JSON of the offset, NULL for
 * a null offset = tombstone). On SL_OK *entries / *n are owned by the tracker and valid until
 * offset_tracker_snapshot_done() or the next snapshot; *n may be 0. SL_ERR with errstr when
 * out of memory. */
int offset_tracker_snapshot(offset_tracker *t, const offset_entry **entries, size_t *n,
                            char *errstr, size_t errstr_size);
/* Call after the snapshot was written: committed = true marks those offsets as stored (they
 * are not offered again unless newer ones arrive); false keeps them pending for the next
 * snapshot. Frees the snapshot's memory either way. */
void offset_tracker_snapshot_done(offset_tracker *t, bool committed);

/* The offsets-topic key of `partition` for `connector`: `["<connector>",<partition JSON>]`,
 * byte-identical to what Connect's JsonConverter writes (compact, map order kept). Caller
 * frees the result; *len (may be NULL) gets its length. NULL when out of memory or when the
 * name cannot be encoded. Thread-safe. */
char *offset_tracker_key(const char *connector, const sl_value *partition, size_t *len);

/* Compact JSON of an offset map (a valid one: see value_validate_offset_map), byte-identical
 * to sl_value_to_json, with a fast path for the common shapes. Caller frees; *len gets the
 * length. NULL when out of memory. Thread-safe. */
char *offset_tracker_offset_json(const sl_value *offset, size_t *len);

/* Parse a stored offset (compact JSON text of `len` bytes) back into a value as Connect's
 * JsonConverter with schemas.enable=false reads it: objects -> MAP (string keys, order kept),
 * arrays -> ARRAY, integers -> INT64, other numbers -> FLOAT64, strings, booleans, null.
 * Caller owns the result. Returns NULL with errstr on malformed text (a JSON null is also
 * NULL, with errstr ""). Thread-safe. */
sl_value *offset_tracker_parse_value(const char *json, size_t len, char *errstr,
                                     size_t errstr_size);

#endif
