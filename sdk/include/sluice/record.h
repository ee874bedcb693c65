/* sluice/record.h: the record flowing through source and sink tasks and transforms.
 * Part of the Sluice plugin SDK; include <sluice/sdk.h> rather than this file.
 *
 * A record has: topic, Kafka partition, Kafka offset (sinks), timestamp and its type, a key
 * and a value (each an sl_value with an optional schema), headers (key, schema, value), and
 * for source records the source partition and source offset maps.
 *
 * Ownership: getters return borrowed pointers valid until the record is modified or released.
 * Setters "take" what they are given. The host owns records passed to put() and to transforms;
 * a sink that keeps a record beyond put() calls sl_record_retain() and later
 * sl_record_release(). Source records made with sl_source_record_new() belong to the caller
 * until handed to sl_task_emit(), which takes them.
 *
 * Thread rules: a record is used by one thread at a time; retain/release are thread-safe. */
#ifndef SLUICE_RECORD_H
#define SLUICE_RECORD_H

#include "types.h"

#define SL_RECORD_API(X)                                                                         \
    /* New source record for `topic` (copied); `partition` -1 lets the producer choose. Takes   \
     * the schema references and values (any may be NULL). Caller owns the record. */           \
    X(sl_record *, sl_source_record_new,                                                         \
      (const char *topic, int32_t partition, sl_schema *key_schema, sl_value *key,               \
       sl_schema *value_schema, sl_value *value))                                                \
    /* Set the source partition and offset (both MAP values with string keys and primitive     \
     * values, as Connect requires); takes both. */                                              \
    X(void, sl_record_set_source_position, (sl_record * r, sl_value *partition, sl_value *offset)) \
    X(const sl_value *, sl_record_source_partition, (const sl_record *r))                        \
    X(const sl_value *, sl_record_source_offset, (const sl_record *r))                           \
    /* Take one more reference; drop one (frees at zero). NULL is accepted. */                   \
    X(sl_record *, sl_record_retain, (sl_record * r))                                            \
    X(void, sl_record_release, (sl_record * r))                                                  \
    /* Metadata. offset is -1 for source records. timestamp is ms since epoch, -1 if none. */   \
    X(const char *, sl_record_topic, (const sl_record *r))                                       \
    X(int32_t, sl_record_partition, (const sl_record *r))                                        \
    X(int64_t, sl_record_offset, (const sl_record *r))                                           \
    X(int64_t, sl_record_timestamp, (const sl_record *r))                                        \
    X(sl_timestamp_type, sl_record_timestamp_type, (const sl_record *r))                         \
    /* The topic the record was consumed from, before any transform renamed it (sinks). */       \
    X(const char *, sl_record_original_topic, (const sl_record *r))                              \
    /* Key and value with their schemas; any may be NULL (schemaless, or null). */              \
    X(const sl_value *, sl_record_key, (const sl_record *r))                                     \
    X(const sl_schema *, sl_record_key_schema, (const sl_record *r))                             \
    X(const sl_value *, sl_record_value, (const sl_record *r))                                   \
    X(const sl_schema *, sl_record_value_schema, (const sl_record *r))                           \
    /* Setters: copy `topic`; take schema references and values, freeing the old ones. */        \
    X(void, sl_record_set_topic, (sl_record * r, const char *topic))                             \
    X(void, sl_record_set_partition, (sl_record * r, int32_t partition))                         \
    X(void, sl_record_set_timestamp, (sl_record * r, int64_t ts, sl_timestamp_type type))        \
    X(void, sl_record_set_key, (sl_record * r, sl_schema *schema, sl_value *key))                \
    X(void, sl_record_set_value, (sl_record * r, sl_schema *schema, sl_value *value))            \
    /* Detach the key or value (and schema): caller owns both results; the record's are left   \
     * null. Lets a transform rebuild a value without copying it. */                             \
    X(void, sl_record_take_key, (sl_record * r, sl_schema **schema, sl_value **key))             \
    X(void, sl_record_take_value, (sl_record * r, sl_schema **schema, sl_value **value))         \
    /* Headers, in order; keys may repeat. key/schema/value getters are borrowed. */            \
    X(size_t, sl_record_header_count, (const sl_record *r))                                      \
    X(const char *, sl_record_header_key, (const sl_record *r, size_t i))                        \
    X(const sl_schema *, sl_record_header_schema, (const sl_record *r, size_t i))                \
    X(const sl_value *, sl_record_header_value, (const sl_record *r, size_t i))                  \
    /* Index of the last header named `key`, or -1. */                                          \
    X(int, sl_record_header_last, (const sl_record *r, const char *key))                         \
    /* Append a header: copies `key`, takes `schema` (may be NULL) and `value`. */              \
    X(void, sl_record_header_add, (sl_record * r, const char *key, sl_schema *schema,            \
                                   sl_value *value))                                             \
    /* Remove every header named `key`; returns how many were removed. */                       \
    X(size_t, sl_record_header_remove, (sl_record * r, const char *key))

#endif
