/* store/status_log.h: the status topic (Connect's KafkaStatusBackingStore): record codecs, the
 * cluster-wide cache of connector, task and topic statuses, and the (safe) writers. */
#ifndef SLUICE_STORE_STATUS_LOG_H
#define SLUICE_STORE_STATUS_LOG_H

#include <sluice/sdk.h>
#include <stdint.h>

/* ---- record codecs (reference §2.3), pure functions, any thread ---- */

typedef enum status_rec_kind {
    STATUS_REC_UNKNOWN = 0,
    STATUS_REC_CONNECTOR, /* status-connector-<name> */
    STATUS_REC_TASK,      /* status-task-<name>-<n> */
    STATUS_REC_TOPIC,     /* status-topic-<topic>:connector-<name> */
} status_rec_kind;

/* A decoded record; strings owned by it (status_record_fini). */
typedef struct status_record {
    status_rec_kind kind;
    char *name;      /* connector */
    int task;        /* TASK: id; TOPIC: the task that reported the topic */
    char *topic;     /* TOPIC */
    bool tombstone;  /* null value (DESTROYED, or a topic reset) */
    char *state;     /* CONNECTOR/TASK: "RUNNING", ... */
    char *trace;     /* NULL when null */
    char *worker_id;
    int32_t generation;
    int64_t discover_ts; /* TOPIC: epoch ms */
} status_record;

/* Decode one record (`value` NULL = tombstone; borrowed). SL_OK with kind UNKNOWN for keys
 * that are not status records; SL_ERR + errstr for a known key with a malformed value or key
 * (*out is then empty). */
int status_record_parse(const char *key, size_t key_len, const char *value, size_t value_len,
                        status_record *out, char *errstr, size_t errstr_size);
void status_record_fini(status_record *r);

/* Connector (task < 0) or task status: key and compact JSON value
 * {"state":..,"trace":..|null,"worker_id":..,"generation":N}; `state` NULL encodes the
 * tombstone (DESTROYED). Caller frees *key and *value (NULL for a tombstone). SL_ERR on out of
 * memory or invalid UTF-8. */
int status_encode(const char *conn, int task, const char *state, const char *trace,
                  const char *worker_id, int32_t generation, char **key, char **value);
/* Topic status {"topic":{"name","connector","task","discoverTimestamp"}}; `tombstone` writes
 * a null value (topic reset). Same ownership as status_encode. */
int status_encode_topic(const char *topic, const char *conn, int task, int64_t discover_ts,
                        bool tombstone, char **key, char **value);

/* ---- the store ---- */

typedef struct status_log status_log;

/* A cached connector or task status. Strings owned by whoever filled it (status_entry_fini). */
typedef struct status_entry {
    char *state;
    char *trace; /* NULL = none */
    char *worker_id;
    int32_t generation;
} status_entry;
void status_entry_fini(status_entry *e);

/* Change notifications (optional members), on the log's consumer thread, after the cache was
 * updated; arguments borrowed for the call. `e` NULL means the status was removed (tombstone).
 * Callbacks must not call status_log_read_to_end or status_log_close. */
typedef struct status_log_listener {
    void *opaque;
    void (*status)(void *opaque, const char *conn, int task, const status_entry *e);
    void (*topic)(void *opaque, const char *conn, const char *topic, bool removed);
} status_log_listener;

/* Ensure the topic (status.storage.*), read it to the end and keep tailing it. `worker` and
 * `listener` are borrowed for the call (copied). Caller owns the result (status_log_close).
 * NULL + errstr on failure. */
status_log *status_log_open(const sl_props *worker, const status_log_listener *listener,
                            char *errstr, size_t errstr_size);
/* Flush outstanding writes (up to 5 s), stop reading and free. NULL-safe. */
void status_log_close(status_log *sl);

/* Writes are asynchronous, as Connect's: they return once queued; the cache changes when the
 * record is read back. Any thread. Arguments borrowed. task < 0 = the connector. */
int status_log_put(status_log *sl, const char *conn, int task, const char *state,
                   const char *trace, const char *worker_id, int32_t generation, char *errstr,
                   size_t errstr_size);
/* Connect's putSafe (used for UNASSIGNED and FAILED on shutdown or failure): skipped (SL_OK,
 * *written false) when the cached status belongs to another worker with a newer generation.
 * `written` may be NULL. */
int status_log_put_safe(status_log *sl, const char *conn, int task, const char *state,
                        const char *trace, const char *worker_id, int32_t generation,
                        bool *written, char *errstr, size_t errstr_size);
/* Tombstone a task (task >= 0) or a connector (task < 0; its tasks are not touched). */
int status_log_remove(status_log *sl, const char *conn, int task, char *errstr,
                      size_t errstr_size);
/* Record that `conn`'s task uses `topic`, once per connector and topic (skipped when the cache
 * already has it). */
int status_log_put_topic(status_log *sl, const char *conn, int task, const char *topic,
                         int64_t discover_ts, char *errstr, size_t errstr_size);
/* Tombstone the topic record (DELETE /connectors/{c}/topics/reset). */
int status_log_remove_topic(status_log *sl, const char *conn, const char *topic, char *errstr,
                            size_t errstr_size);

/* Copy the cached status into *out (caller calls status_entry_fini). SL_OK, or SL_ERR when
 * none is cached. Any thread. */
int status_log_get(status_log *sl, const char *conn, int task, status_entry *out);
/* The topics cached for `conn`, as a NULL-terminated malloc'd array of malloc'd strings the
 * caller frees (each, then the array); NULL on out of memory. Any thread. */
char **status_log_topics(status_log *sl, const char *conn);
/* Read to the end (statuses written by other workers become visible). Not from the callback. */
int status_log_read_to_end(status_log *sl, int timeout_ms, char *errstr, size_t errstr_size);
/* Wait for queued writes to be acknowledged. SL_ERR when some are still outstanding. */
int status_log_flush(status_log *sl, int timeout_ms);

/* ---- the cache alone (for tests and the store) ---- */

typedef struct status_cache status_cache;
/* Not thread-safe by itself; status_log guards it. `listener` borrowed (copied). */
status_cache *status_cache_new(const status_log_listener *listener);
void status_cache_free(status_cache *c);
/* Apply one topic record (malformed and unknown ones are logged and skipped; a task
 * UNASSIGNED is ignored when the cache has it RUNNING with a generation >= its own). */
void status_cache_apply(status_cache *c, const char *key, size_t key_len, const char *value,
                        size_t value_len);
/* The cached status, borrowed until the next apply; NULL when none. */
const status_entry *status_cache_find(const status_cache *c, const char *conn, int task);
/* Whether a safe write by `worker_id` at `generation` may proceed (Connect's canWriteSafely). */
bool status_cache_can_write_safely(const status_cache *c, const char *conn, int task,
                                   const char *worker_id, int32_t generation);
/* Whether `conn` has `topic` cached. */
bool status_cache_has_topic(const status_cache *c, const char *conn, const char *topic);
char **status_cache_topics(const status_cache *c, const char *conn);

#endif
