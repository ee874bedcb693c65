/* store/offset_file.c: the standalone offset store: an in-memory map of offsets-topic keys to
 * values, persisted to one JSON file that every put rewrites atomically (see offset_file.h). */
#define _GNU_SOURCE
#include "store/offset_file.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/log.h"

#define OFS_LOGGER "offset-file"
#define OFS_NONE SIZE_MAX

typedef struct ofs_item {
    char *key; /* owned, NUL-terminated copy; klen authoritative */
    size_t klen;
    char *val; /* owned, NUL-terminated copy; never NULL while stored */
    size_t vlen;
} ofs_item;

typedef struct offset_file {
    offset_store base; /* must stay first: the store interface casts to it */
    pthread_mutex_t lock; /* guards everything below */
    char *path;
    ofs_item *items; /* unordered; removal swaps the last item in */
    size_t n, cap;
    size_t *slots; /* open-addressing index: item index + 1, 0 = empty */
    size_t nslots; /* power of two, > 2 * n */
} offset_file;

/* Prior state of one key changed by a put, so that a failed write can be undone and the
 * in-memory map never claims offsets that are not on disk. */
typedef struct ofs_undo {
    const char *key; /* borrowed from the caller's entries for the call */
    size_t klen;
    bool touched; /* false: the entry changed nothing */
    bool had;     /* the key existed before */
    char *old;    /* owned: its previous value, when `had` */
    size_t oldlen;
} ofs_undo;

static char *ofs_dup(const char *s, size_t len)
{
    char *d = malloc(len + 1);
    if (d == NULL)
        return NULL;
    if (len > 0)
        memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

/* FNV-1a: keys are short JSON texts; no adversary controls them beyond the connector. */
static uint64_t ofs_hash(const char *k, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)k[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static size_t ofs_find(const offset_file *of, const char *key, size_t klen)
{
    if (of->nslots == 0)
        return OFS_NONE;
    size_t mask = of->nslots - 1;
    for (size_t s = ofs_hash(key, klen) & mask;; s = (s + 1) & mask) {
        size_t v = of->slots[s];
        if (v == 0)
            return OFS_NONE;
        const ofs_item *it = &of->items[v - 1];
        if (it->klen == klen && memcmp(it->key, key, klen) == 0)
            return v - 1;
    }
}

static void ofs_slot_insert(offset_file *of, size_t idx)
{
    size_t mask = of->nslots - 1;
    size_t s = ofs_hash(of->items[idx].key, of->items[idx].klen) & mask;
    while (of->slots[s] != 0)
        s = (s + 1) & mask;
    of->slots[s] = idx + 1;
}

/* Rebuild the index with room for `want` items (deletion from linear probing is simplest as
 * a rebuild; deletes are rare: tombstones only). */
static int ofs_reindex(offset_file *of, size_t want)
{
    size_t ns = 16;
    while (ns <= 2 * want)
        ns *= 2;
    size_t *slots = calloc(ns, sizeof(*slots));
    if (slots == NULL)
        return SL_ERR;
    free(of->slots);
    of->slots = slots;
    of->nslots = ns;
    for (size_t i = 0; i < of->n; i++)
        ofs_slot_insert(of, i);
    return SL_OK;
}

/* Append an item; takes `key` and `val` on success only. */
static int ofs_insert(offset_file *of, char *key, size_t klen, char *val, size_t vlen)
{
    if (of->n == of->cap) {
        size_t cap = of->cap ? of->cap * 2 : 16;
        ofs_item *items = realloc(of->items, cap * sizeof(*items));
        if (items == NULL)
            return SL_ERR;
        of->items = items;
        of->cap = cap;
    }
    if (2 * (of->n + 1) >= of->nslots && ofs_reindex(of, of->n + 1) != SL_OK)
        return SL_ERR;
    of->items[of->n] = (ofs_item){.key = key, .klen = klen, .val = val, .vlen = vlen};
    of->n++;
    ofs_slot_insert(of, of->n - 1);
    return SL_OK;
}

/* Remove item `idx`, freeing its key and (if still set) value. */
static void ofs_remove(offset_file *of, size_t idx)
{
    free(of->items[idx].key);
    free(of->items[idx].val);
    of->items[idx] = of->items[of->n - 1];
    of->n--;
    if (ofs_reindex(of, of->n) != SL_OK) {
        /* The old index now points at a moved item; without memory for a new one, fall back
         * to a linear rebuild into the existing slots. */
        memset(of->slots, 0, of->nslots * sizeof(*of->slots));
        for (size_t i = 0; i < of->n; i++)
            ofs_slot_insert(of, i);
    }
}

static void ofs_clear(offset_file *of)
{
    for (size_t i = 0; i < of->n; i++) {
        free(of->items[i].key);
        free(of->items[i].val);
    }
    free(of->items);
    free(of->slots);
    of->items = NULL;
    of->slots = NULL;
    of->n = of->cap = of->nslots = 0;
}

/* Copy and store key -> value (replacing). For loading. */
static int ofs_put_copy(offset_file *of, const char *key, size_t klen, const char *val,
                        size_t vlen)
{
    char *v = ofs_dup(val, vlen);
    if (v == NULL)
        return SL_ERR;
    size_t idx = ofs_find(of, key, klen);
    if (idx != OFS_NONE) {
        free(of->items[idx].val);
        of->items[idx].val = v;
        of->items[idx].vlen = vlen;
        return SL_OK;
    }
    char *k = ofs_dup(key, klen);
    if (k == NULL || ofs_insert(of, k, klen, v, vlen) != SL_OK) {
        free(k);
        free(v);
        return SL_ERR;
    }
    return SL_OK;
}

int offset_file_tmp_path(const char *path, char *out, size_t out_size)
{
    if (path == NULL || out == NULL)
        return SL_ERR;
    int n = snprintf(out, out_size, "%s.tmp", path);
    return (n < 0 || (size_t)n >= out_size) ? SL_ERR : SL_OK;
}

/* ---- persistence ---- */

/* Serialize the map (see offset_file.h for the format). Caller frees *out. */
static int ofs_serialize(const offset_file *of, char **out, size_t *out_len, char *errstr,
                         size_t errstr_size)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *ms = open_memstream(&buf, &len);
    if (ms == NULL) {
        snprintf(errstr, errstr_size, "offset file %s: out of memory", of->path);
        return SL_ERR;
    }
    int rc = SL_OK;
    fputs("[\n", ms);
    for (size_t i = 0; i < of->n && rc == SL_OK; i++) {
        const ofs_item *it = &of->items[i];
        json_t *pair = json_pack("[s%s%]", it->key, it->klen, it->val, it->vlen);
        if (pair == NULL) {
            /* json_pack refuses invalid UTF-8: these bytes could not be written as JSON. */
            snprintf(errstr, errstr_size,
                     "offset file %s: offset key or value is not valid UTF-8: %.200s", of->path,
                     it->key);
            rc = SL_ERR;
            break;
        }
        if (json_dumpf(pair, ms, JSON_COMPACT) != 0) {
            snprintf(errstr, errstr_size, "offset file %s: out of memory", of->path);
            rc = SL_ERR;
        }
        json_decref(pair);
        fputs(i + 1 < of->n ? ",\n" : "\n", ms);
    }
    fputs("]\n", ms);
    if (fclose(ms) != 0 && rc == SL_OK) {
        snprintf(errstr, errstr_size, "offset file %s: out of memory", of->path);
        rc = SL_ERR;
    }
    if (rc != SL_OK) {
        free(buf);
        return rc;
    }
    *out = buf;
    *out_len = len;
    return SL_OK;
}

static int ofs_write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, buf, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += w;
        len -= (size_t)w;
    }
    return 0;
}

/* fsync the directory holding `path`, so that the rename itself survives a crash. */
static int ofs_sync_dir(const char *path, char *errstr, size_t errstr_size)
{
    char *copy = strdup(path);
    if (copy == NULL) {
        snprintf(errstr, errstr_size, "offset file %s: out of memory", path);
        return SL_ERR;
    }
    const char *dir = dirname(copy);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = SL_OK;
    if (fd < 0 || fsync(fd) != 0) {
        snprintf(errstr, errstr_size, "offset file %s: cannot sync directory %s: %s", path, dir,
                 strerror(errno));
        rc = SL_ERR;
    }
    if (fd >= 0)
        close(fd);
    free(copy);
    return rc;
}

/* Write the whole map to the temp file, fsync it, rename it over the store's file and fsync
 * the directory. The old file stays intact until the rename, so a crash or a failure at any
 * step leaves either the old or the new map, never a mix. */
static int ofs_persist(offset_file *of, char *errstr, size_t errstr_size)
{
    char tmp[4096];
    if (offset_file_tmp_path(of->path, tmp, sizeof(tmp)) != SL_OK) {
        snprintf(errstr, errstr_size, "offset file %s: path too long", of->path);
        return SL_ERR;
    }
    char *buf = NULL;
    size_t len = 0;
    if (ofs_serialize(of, &buf, &len, errstr, errstr_size) != SL_OK)
        return SL_ERR;

    int rc = SL_ERR;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(errstr, errstr_size, "offset file %s: cannot create %s: %s", of->path, tmp,
                 strerror(errno));
        free(buf);
        return SL_ERR;
    }
    if (ofs_write_all(fd, buf, len) != 0) {
        snprintf(errstr, errstr_size, "offset file %s: cannot write %s: %s", of->path, tmp,
                 strerror(errno));
    } else if (fsync(fd) != 0) {
        snprintf(errstr, errstr_size, "offset file %s: cannot sync %s: %s", of->path, tmp,
                 strerror(errno));
    } else {
        rc = SL_OK;
    }
    if (close(fd) != 0 && rc == SL_OK) {
        snprintf(errstr, errstr_size, "offset file %s: cannot close %s: %s", of->path, tmp,
                 strerror(errno));
        rc = SL_ERR;
    }
    free(buf);
    if (rc == SL_OK && rename(tmp, of->path) != 0) {
        snprintf(errstr, errstr_size, "offset file %s: cannot rename %s over it: %s", of->path,
                 tmp, strerror(errno));
        rc = SL_ERR;
    }
    if (rc != SL_OK) {
        unlink(tmp);
        return rc;
    }
    return ofs_sync_dir(of->path, errstr, errstr_size);
}

static int ofs_load(offset_file *of, char *errstr, size_t errstr_size)
{
    struct stat st;
    if (stat(of->path, &st) != 0) {
        if (errno == ENOENT)
            return SL_OK; /* a new store */
        snprintf(errstr, errstr_size, "cannot read offset file %s: %s", of->path,
                 strerror(errno));
        return SL_ERR;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(errstr, errstr_size, "offset file %s is not a regular file", of->path);
        return SL_ERR;
    }
    if (st.st_size == 0) {
        LOG_WARN(OFS_LOGGER, "offset file %s is empty; starting with no stored offsets",
                 of->path);
        return SL_OK;
    }
    json_error_t jerr;
    json_t *root = json_load_file(of->path, JSON_ALLOW_NUL, &jerr);
    if (root == NULL) {
        snprintf(errstr, errstr_size,
                 "corrupt offset file %s (line %d, column %d: %s); fix or move it away, offsets "
                 "are never discarded silently",
                 of->path, jerr.line, jerr.column, jerr.text);
        return SL_ERR;
    }
    int rc = SL_OK;
    if (!json_is_array(root)) {
        snprintf(errstr, errstr_size,
                 "corrupt offset file %s: expected a JSON array of [key, value] pairs", of->path);
        rc = SL_ERR;
    }
    for (size_t i = 0; rc == SL_OK && i < json_array_size(root); i++) {
        json_t *pair = json_array_get(root, i);
        json_t *k = json_array_get(pair, 0);
        json_t *v = json_array_get(pair, 1);
        if (!json_is_array(pair) || json_array_size(pair) != 2 || !json_is_string(k) ||
            !(json_is_string(v) || json_is_null(v))) {
            snprintf(errstr, errstr_size,
                     "corrupt offset file %s: entry %zu is not a [key, value] pair of strings",
                     of->path, i);
            rc = SL_ERR;
            break;
        }
        if (json_is_null(v)) {
            /* A tombstone: the partition has no offset. Later entries win, as in a batch. */
            size_t idx = ofs_find(of, json_string_value(k), json_string_length(k));
            if (idx != OFS_NONE)
                ofs_remove(of, idx);
            continue;
        }
        if (ofs_put_copy(of, json_string_value(k), json_string_length(k), json_string_value(v),
                         json_string_length(v)) != SL_OK) {
            snprintf(errstr, errstr_size, "offset file %s: out of memory", of->path);
            rc = SL_ERR;
        }
    }
    json_decref(root);
    if (rc != SL_OK)
        ofs_clear(of);
    return rc;
}

/* ---- the offset_store interface ---- */

static int ofs_get(offset_store *s, const char *key, size_t key_len, char **value,
                   size_t *value_len, char *errstr, size_t errstr_size)
{
    offset_file *of = (offset_file *)s;
    int rc = SL_OK;
    *value = NULL;
    if (value_len != NULL)
        *value_len = 0;
    pthread_mutex_lock(&of->lock);
    size_t idx = ofs_find(of, key, key_len);
    if (idx != OFS_NONE) {
        *value = ofs_dup(of->items[idx].val, of->items[idx].vlen);
        if (*value == NULL) {
            snprintf(errstr, errstr_size, "offset file %s: out of memory", of->path);
            rc = SL_ERR;
        } else if (value_len != NULL) {
            *value_len = of->items[idx].vlen;
        }
    }
    pthread_mutex_unlock(&of->lock);
    return rc;
}

/* Undo the first `n` records of a batch, newest first, restoring the map as it was. */
static void ofs_rollback(offset_file *of, ofs_undo *undo, size_t n)
{
    for (size_t i = n; i-- > 0;) {
        ofs_undo *u = &undo[i];
        if (!u->touched)
            continue;
        size_t idx = ofs_find(of, u->key, u->klen);
        if (u->had) {
            if (idx != OFS_NONE) {
                free(of->items[idx].val);
                of->items[idx].val = u->old;
                of->items[idx].vlen = u->oldlen;
            } else {
                char *k = ofs_dup(u->key, u->klen);
                if (k == NULL || ofs_insert(of, k, u->klen, u->old, u->oldlen) != SL_OK) {
                    free(k);
                    free(u->old);
                    LOG_ERROR(OFS_LOGGER, "offset file %s: out of memory restoring an offset",
                              of->path);
                }
            }
            u->old = NULL;
        } else if (idx != OFS_NONE) {
            ofs_remove(of, idx);
        }
    }
}

/* Apply one entry, recording in `u` what it replaced. */
static int ofs_apply(offset_file *of, const offset_entry *e, ofs_undo *u)
{
    *u = (ofs_undo){.key = e->key, .klen = e->key_len};
    size_t idx = ofs_find(of, e->key, e->key_len);
    if (e->value == NULL) {
        if (idx == OFS_NONE)
            return SL_OK;
        *u = (ofs_undo){.key = e->key, .klen = e->key_len, .touched = true, .had = true,
                        .old = of->items[idx].val, .oldlen = of->items[idx].vlen};
        of->items[idx].val = NULL; /* moved into the undo record */
        ofs_remove(of, idx);
        return SL_OK;
    }
    if (idx != OFS_NONE && of->items[idx].vlen == e->value_len &&
        memcmp(of->items[idx].val, e->value, e->value_len) == 0)
        return SL_OK; /* unchanged */
    char *v = ofs_dup(e->value, e->value_len);
    if (v == NULL)
        return SL_ERR;
    if (idx != OFS_NONE) {
        *u = (ofs_undo){.key = e->key, .klen = e->key_len, .touched = true, .had = true,
                        .old = of->items[idx].val, .oldlen = of->items[idx].vlen};
        of->items[idx].val = v;
        of->items[idx].vlen = e->value_len;
        return SL_OK;
    }
    char *k = ofs_dup(e->key, e->key_len);
    if (k == NULL || ofs_insert(of, k, e->key_len, v, e->value_len) != SL_OK) {
        free(k);
        free(v);
        return SL_ERR;
    }
    u->touched = true;
    return SL_OK;
}

static int ofs_put(offset_store *s, const offset_entry *entries, size_t n, char *errstr,
                   size_t errstr_size)
{
    offset_file *of = (offset_file *)s;
    if (n == 0)
        return SL_OK;
    ofs_undo *undo = calloc(n, sizeof(*undo));
    if (undo == NULL) {
        snprintf(errstr, errstr_size, "offset file %s: out of memory", of->path);
        return SL_ERR;
    }
    pthread_mutex_lock(&of->lock);
    int rc = SL_OK;
    bool changed = false;
    size_t applied = 0;
    for (; applied < n; applied++) {
        const offset_entry *e = &entries[applied];
        if (e->key == NULL || ofs_apply(of, e, &undo[applied]) != SL_OK) {
            snprintf(errstr, errstr_size, "offset file %s: %s", of->path,
                     e->key == NULL ? "offset entry without a key" : "out of memory");
            rc = SL_ERR;
            break;
        }
        changed |= undo[applied].touched;
    }
    /* Unchanged offsets need no rewrite: the file already holds exactly this map. */
    if (rc == SL_OK && changed)
        rc = ofs_persist(of, errstr, errstr_size);
    if (rc != SL_OK)
        ofs_rollback(of, undo, applied < n ? applied + 1 : n);
    pthread_mutex_unlock(&of->lock);
    for (size_t i = 0; i < n; i++)
        free(undo[i].old);
    free(undo);
    return rc;
}

static int ofs_foreach(offset_store *s, int (*fn)(void *opaque, const offset_entry *e),
                       void *opaque)
{
    offset_file *of = (offset_file *)s;
    int rc = 0;
    pthread_mutex_lock(&of->lock);
    for (size_t i = 0; i < of->n && rc == 0; i++) {
        offset_entry e = {.key = of->items[i].key, .key_len = of->items[i].klen,
                          .value = of->items[i].val, .value_len = of->items[i].vlen};
        rc = fn(opaque, &e);
    }
    pthread_mutex_unlock(&of->lock);
    return rc;
}

static void ofs_destroy(offset_store *s)
{
    offset_file *of = (offset_file *)s;
    /* Nothing is buffered: every put is on disk before it returns. */
    ofs_clear(of);
    pthread_mutex_destroy(&of->lock);
    free(of->path);
    free(of);
}

static const offset_store_ops ofs_ops = {
    .get = ofs_get,
    .put = ofs_put,
    .foreach = ofs_foreach,
    .destroy = ofs_destroy,
};

offset_store *offset_file_open(const char *path, char *errstr, size_t errstr_size)
{
    if (path == NULL || *path == '\0') {
        snprintf(errstr, errstr_size, "offset.storage.file.filename is not set");
        return NULL;
    }
    offset_file *of = calloc(1, sizeof(*of));
    if (of == NULL || (of->path = strdup(path)) == NULL) {
        free(of);
        snprintf(errstr, errstr_size, "offset file %s: out of memory", path);
        return NULL;
    }
    char tmp[4096];
    if (offset_file_tmp_path(path, tmp, sizeof(tmp)) != SL_OK) {
        snprintf(errstr, errstr_size, "offset file %s: path too long", path);
        free(of->path);
        free(of);
        return NULL;
    }
    of->base.ops = &ofs_ops;
    pthread_mutex_init(&of->lock, NULL);
    if (ofs_load(of, errstr, errstr_size) != SL_OK) {
        pthread_mutex_destroy(&of->lock);
        free(of->path);
        free(of);
        return NULL;
    }
    LOG_DEBUG(OFS_LOGGER, "loaded %zu offsets from %s", of->n, path);
    return &of->base;
}
