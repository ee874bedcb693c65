/* store/offset_store.h: the source-offset store interface (Connect's OffsetBackingStore), with
 * keys and values as the bytes of the offsets topic; backed by a file or by the topic. */
#ifndef SLUICE_STORE_OFFSET_STORE_H
#define SLUICE_STORE_OFFSET_STORE_H

#include <sluice/types.h>
#include <stddef.h>

/* One offset record, exactly as it appears in Connect's offsets topic (reference §2.2):
 *   key   = compact JSON `["<connector>",{<source partition>}]` (byte-stable: compaction and
 *           lookups compare key bytes, so the runtime always builds keys the same way);
 *   value = compact JSON of the offset map, or NULL (value_len 0) for a tombstone, which
 *           removes the partition's offset.
 * Neither is NUL-terminated necessarily; lengths are authoritative. */
typedef struct offset_entry {
    const char *key;
    size_t key_len;
    const char *value; /* NULL = tombstone */
    size_t value_len;
} offset_entry;

typedef struct offset_store offset_store;

/* Implementations fill this table. Thread rules for every backend: get, put and foreach may be
 * called concurrently from any thread (each task thread reads and flushes its own offsets);
 * the backend serializes internally. destroy is called once, after every other call returned. */
typedef struct offset_store_ops {
    /* Look up `key` (borrowed). On SL_OK *value is a malloc'd copy the caller frees (NUL-
     * terminated for convenience, *value_len excludes the NUL), or NULL when no offset is
     * stored (never written, or tombstoned). Negative code + errstr on a read failure. */
    int (*get)(offset_store *s, const char *key, size_t key_len, char **value, size_t *value_len,
               char *errstr, size_t errstr_size);
    /* Write `n` entries (borrowed for the call) as one batch, in order (a later entry with the
     * same key wins). Returns SL_OK only once the batch is durable (file synced and renamed,
     * or every record acknowledged by Kafka within offset.flush.timeout.ms). On failure
     * nothing is guaranteed about which entries landed; the caller retries at the next flush
     * with newer offsets. */
    int (*put)(offset_store *s, const offset_entry *entries, size_t n, char *errstr,
               size_t errstr_size);
    /* Call fn for every stored (non-tombstoned) entry, in no particular order; entries are
     * borrowed for the callback. fn returns 0 to continue, non-zero to stop (that value is
     * returned). For REST GET /connectors/{c}/offsets (KIP-875) and tests. The callback must
     * not call back into the store. */
    int (*foreach)(offset_store *s, int (*fn)(void *opaque, const offset_entry *e), void *opaque);
    /* Free the store (after a final flush of anything buffered). NULL-safe wrapper below. */
    void (*destroy)(offset_store *s);
} offset_store_ops;

/* Every backend's struct starts with this header (embed it as the first member). */
struct offset_store {
    const offset_store_ops *ops;
};

static inline int offset_store_get(offset_store *s, const char *key, size_t key_len, char **value,
                                   size_t *value_len, char *errstr, size_t errstr_size)
{
    return s->ops->get(s, key, key_len, value, value_len, errstr, errstr_size);
}

static inline int offset_store_put(offset_store *s, const offset_entry *entries, size_t n,
                                   char *errstr, size_t errstr_size)
{
    return s->ops->put(s, entries, n, errstr, errstr_size);
}

static inline int offset_store_foreach(offset_store *s,
                                       int (*fn)(void *opaque, const offset_entry *e), void *opaque)
{
    return s->ops->foreach (s, fn, opaque);
}

static inline void offset_store_destroy(offset_store *s)
{
    if (s != NULL)
        s->ops->destroy(s);
}

/* ---- backends ---- */

/* Standalone mode (offset.storage.file.filename): loads `path` if it exists (a missing file
 * is an empty store; an unreadable or corrupt one is an error), keeps the map in memory and
 * rewrites the file atomically (write temp, fsync, rename) on each put. `path` is copied.
 * Caller owns the result (offset_store_destroy). Implemented in store/offset_file.c. */
offset_store *offset_file_open(const char *path, char *errstr, size_t errstr_size);

#endif
