/* data/record_internal.h: worker-only record constructors and accessors beyond the SDK. */
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

#endif
