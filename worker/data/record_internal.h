/* data/record_internal.h: worker-only record constructors and accessors beyond the SDK.
 * Thread rules as in record.h: one thread at a time per record; retain/release are thread-safe. */
#ifndef SLUICE_DATA_RECORD_INTERNAL_H
#define SLUICE_DATA_RECORD_INTERNAL_H

#include <sluice/sdk.h>

/* A record consumed from Kafka (sink path): copies `topic`, which is also the original topic.
 * Key, value and headers are set afterwards with the SDK setters. Caller owns (refcount 1). */
sl_record *record_new_consumed(const char *topic, int32_t partition, int64_t offset,
                               int64_t timestamp, sl_timestamp_type ts_type);

/* Attach / read an opaque pointer the runtime uses to find its own bookkeeping for a record
 * (e.g. the source task's in-flight entry). Not freed by the record. */
void record_set_user(sl_record *r, void *user);
void *record_user(const sl_record *r);
/* Attach `user` and give it to the record: user_free(user) runs when the last reference goes
 * (or when another user pointer replaces it). The sink path attaches the consumed Kafka message
 * this way, so that a record a sink keeps after put() (record.h allows it) still has the
 * original bytes for the DLQ and for values that borrow them. record_copy copies the pointer
 * but not the ownership: a copy must not outlive its original. */
void record_set_user_owned(sl_record *r, void *user, void (*user_free)(void *user));

/* Set the Kafka offset (e.g. a source record's offset once its delivery report arrives).
 * Called by the thread that currently uses the record. */
void record_set_offset(sl_record *r, int64_t offset);

/* Deep copy (values copied, schemas shared by reference, user pointer copied, original topic
 * kept): for retrying a transform chain from the unmodified record, since transforms change
 * records in place. Caller owns the copy (refcount 1); NULL on allocation failure. The
 * source record must not be modified by another thread during the call. */
sl_record *record_copy(const sl_record *r);

#endif
