/* plugins/fs/fs_wal.c: the write-ahead log of renames (format, decoding of torn logs, append
 * with sync, recovery by redoing renames) and the flock lease on it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <sluice/sdk.h>

#include "fs_io.h"
#include "fs_names.h"
#include "fs_wal.h"

#define WAL_MAX_FILES 1000000
#define WAL_MAX_PATH 65536

/* ---- format ---- */

char *fs_wal_encode(const fs_wal_pair *pairs, size_t n, size_t *len)
{
    size_t cap = 64;
    for (size_t i = 0; i < n; i++)
        cap += strlen(pairs[i].tmp) + strlen(pairs[i].final) + 48;
    char *buf = malloc(cap);
    if (buf == NULL)
        return NULL;
    size_t off = (size_t)snprintf(buf, cap, "BEGIN %zu\n", n);
    for (size_t i = 0; i < n; i++)
        off += (size_t)snprintf(buf + off, cap - off, "FILE %zu:%s %zu:%s\n", strlen(pairs[i].tmp),
                                pairs[i].tmp, strlen(pairs[i].final), pairs[i].final);
    uLong crc = crc32(0L, (const Bytef *)buf, (uInt)off);
    off += (size_t)snprintf(buf + off, cap - off, "END %08lx\n", crc & 0xffffffffUL);
    *len = off;
    return buf;
}

/* Parse an unsigned decimal at *p (bounded), advancing it. */
static bool dec(const char **p, const char *end, size_t max, size_t *out)
{
    const char *s = *p;
    size_t v = 0;
    if (s >= end || *s < '0' || *s > '9')
        return false;
    while (s < end && *s >= '0' && *s <= '9') {
        v = v * 10 + (size_t)(*s - '0');
        if (v > max)
            return false;
        s++;
    }
    *p = s;
    *out = v;
    return true;
}

/* "<len>:<bytes>" into a new string. */
static char *lenstr(const char **p, const char *end)
{
    size_t l;
    if (!dec(p, end, WAL_MAX_PATH, &l) || *p >= end || **p != ':')
        return NULL;
    (*p)++;
    if ((size_t)(end - *p) < l || memchr(*p, '\0', l) != NULL)
        return NULL;
    char *s = strndup(*p, l);
    *p += l;
    return s;
}

static bool lit(const char **p, const char *end, const char *s)
{
    size_t l = strlen(s);
    if ((size_t)(end - *p) < l || memcmp(*p, s, l) != 0)
        return false;
    *p += l;
    return true;
}

static void free_pairs(fs_wal_pair *pairs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free((char *)pairs[i].tmp);
        free((char *)pairs[i].final);
    }
    free(pairs);
}

/* One block at *p; true and advances *p when complete and intact. */
static bool decode_block(const char **p, const char *end, fs_wal_pair **out, size_t *nout)
{
    const char *s = *p;
    size_t n;
    if (!lit(&s, end, "BEGIN ") || !dec(&s, end, WAL_MAX_FILES, &n) || !lit(&s, end, "\n"))
        return false;
    fs_wal_pair *pairs = calloc(n ? n : 1, sizeof(*pairs));
    if (pairs == NULL)
        return false;
    size_t i = 0;
    for (; i < n; i++) {
        if (!lit(&s, end, "FILE "))
            break;
        char *tmp = lenstr(&s, end);
        char *fin = NULL;
        if (tmp != NULL && lit(&s, end, " "))
            fin = lenstr(&s, end);
        if (fin == NULL || !lit(&s, end, "\n")) {
            free(tmp);
            free(fin);
            break;
        }
        pairs[i].tmp = tmp;
        pairs[i].final = fin;
    }
    if (i < n) {
        free_pairs(pairs, i);
        return false;
    }
    uLong crc = crc32(0L, (const Bytef *)*p, (uInt)(s - *p));
    char want[16];
    snprintf(want, sizeof(want), "END %08lx\n", crc & 0xffffffffUL);
    if (!lit(&s, end, want)) {
        free_pairs(pairs, n);
        return false;
    }
    *p = s;
    *out = pairs;
    *nout = n;
    return true;
}

int fs_wal_decode(const char *data, size_t len, fs_wal_block_cb cb, void *opaque, size_t *good_len)
{
    const char *p = data, *end = data + len;
    int blocks = 0;
    *good_len = 0;
    while (p < end) {
        fs_wal_pair *pairs = NULL;
        size_t n = 0;
        if (!decode_block(&p, end, &pairs, &n))
            break;
        int rc = cb ? cb(pairs, n, opaque) : SL_OK;
        free_pairs(pairs, n);
        if (rc != SL_OK)
            return SL_ERR;
        blocks++;
        *good_len = (size_t)(p - data);
    }
    return blocks;
}

/* ---- file ---- */

int fs_wal_open(fs_wal *w, const char *path, bool *busy, char *errstr, size_t errstr_size)
{
    *busy = false;
    w->fd = -1;
    w->size = 0;
    w->path = strdup(path);
    char *dir = w->path ? fs_dirname(path) : NULL;
    if (dir == NULL) {
        free(w->path);
        w->path = NULL;
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    int rc = fs_mkdirs(dir, errstr, errstr_size);
    free(dir);
    if (rc != SL_OK)
        goto fail;
    w->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (w->fd < 0) {
        snprintf(errstr, errstr_size, "cannot open write-ahead log %s: %s", path, strerror(errno));
        goto fail;
    }
    /* The lease: one owner per partition, across tasks and processes (flock is per open file
     * description, so two tasks of one worker exclude each other too). */
    if (flock(w->fd, LOCK_EX | LOCK_NB) != 0) {
        *busy = errno == EWOULDBLOCK;
        snprintf(errstr, errstr_size, "cannot lock write-ahead log %s: %s", path,
                 *busy ? "held by another task (previous owner still running?)" : strerror(errno));
        goto fail;
    }
    struct stat st;
    if (fstat(w->fd, &st) == 0)
        w->size = (size_t)st.st_size;
    return SL_OK;
fail:
    if (w->fd >= 0)
        close(w->fd);
    w->fd = -1;
    free(w->path);
    w->path = NULL;
    return SL_ERR;
}

typedef struct redo_ctx {
    const char *root;
    char **dirs; /* directories to sync */
    size_t ndirs;
    int redone;
    char *errstr;
    size_t errstr_size;
} redo_ctx;

static int add_dir(redo_ctx *r, char *dir)
{
    for (size_t i = 0; i < r->ndirs; i++)
        if (strcmp(r->dirs[i], dir) == 0) {
            free(dir);
            return SL_OK;
        }
    char **n = realloc(r->dirs, (r->ndirs + 1) * sizeof(*n));
    if (n == NULL) {
        free(dir);
        return SL_ERR;
    }
    r->dirs = n;
    r->dirs[r->ndirs++] = dir;
    return SL_OK;
}

static int redo_block(const fs_wal_pair *pairs, size_t n, void *opaque)
{
    redo_ctx *r = opaque;
    for (size_t i = 0; i < n; i++) {
        char *tmp = fs_path_join(r->root, pairs[i].tmp);
        char *fin = fs_path_join(r->root, pairs[i].final);
        char *dir = fin ? fs_dirname(fin) : NULL;
        int rc = SL_OK;
        if (tmp == NULL || fin == NULL || dir == NULL) {
            snprintf(r->errstr, r->errstr_size, "out of memory");
            rc = SL_ERR;
        } else if (access(tmp, F_OK) == 0) {
            /* The block was logged, so the file was complete and synced; the rename may not
             * have happened (or may not have reached the disk). */
            rc = fs_mkdirs(dir, r->errstr, r->errstr_size);
            if (rc == SL_OK && rename(tmp, fin) != 0) {
                snprintf(r->errstr, r->errstr_size, "cannot rename %s to %s: %s", tmp, fin,
                         strerror(errno));
                rc = SL_ERR;
            }
            if (rc == SL_OK) {
                r->redone++;
                rc = add_dir(r, dir);
                dir = NULL;
            }
        }
        free(tmp);
        free(fin);
        free(dir);
        if (rc != SL_OK)
            return rc;
    }
    return SL_OK;
}

int fs_wal_recover(fs_wal *w, const char *root, int *redone, char *errstr, size_t errstr_size)
{
    *redone = 0;
    char *data = NULL;
    size_t len = 0;
    if (fs_read_file(w->fd, &data, &len) != SL_OK) {
        snprintf(errstr, errstr_size, "cannot read write-ahead log %s: %s", w->path,
                 strerror(errno));
        return SL_ERR;
    }
    redo_ctx r = {.root = root, .errstr = errstr, .errstr_size = errstr_size};
    size_t good = 0;
    int blocks = fs_wal_decode(data, len, redo_block, &r, &good);
    free(data);
    int rc = blocks < 0 ? SL_ERR : SL_OK;
    for (size_t i = 0; i < r.ndirs; i++) {
        if (rc == SL_OK)
            rc = fs_fsync_dir(r.dirs[i], errstr, errstr_size);
        free(r.dirs[i]);
    }
    free(r.dirs);
    if (rc != SL_OK)
        return SL_ERR;
    if (good < len)
        sl_log(SL_LOG_WARN,
               "fs: write-ahead log %s ends with %zu bytes of an incomplete block "
               "(a crash during a commit): ignored",
               w->path, len - good);
    *redone = r.redone;
    /* Every logged rename is now durable: start the log afresh. */
    return fs_wal_trim(w, 0, errstr, errstr_size);
}

int fs_wal_append(fs_wal *w, const fs_wal_pair *pairs, size_t n, char *errstr, size_t errstr_size)
{
    size_t len;
    char *block = fs_wal_encode(pairs, n, &len);
    if (block == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    int rc = fs_write_all(w->fd, block, len);
    free(block);
    if (rc != SL_OK || fdatasync(w->fd) != 0) {
        snprintf(errstr, errstr_size, "cannot write write-ahead log %s: %s", w->path,
                 strerror(errno));
        /* A partial block fails its CRC at recovery; cut it off now so that later blocks are
         * not hidden behind it. */
        if (ftruncate(w->fd, (off_t)w->size) != 0)
            sl_log(SL_LOG_WARN, "fs: cannot cut %s back: %s", w->path, strerror(errno));
        return SL_ERR;
    }
    w->size += len;
    return SL_OK;
}

int fs_wal_trim(fs_wal *w, size_t threshold, char *errstr, size_t errstr_size)
{
    if (w->size <= threshold)
        return SL_OK;
    if (ftruncate(w->fd, 0) != 0 || fdatasync(w->fd) != 0) {
        snprintf(errstr, errstr_size, "cannot truncate write-ahead log %s: %s", w->path,
                 strerror(errno));
        return SL_ERR;
    }
    w->size = 0;
    return SL_OK;
}

void fs_wal_close(fs_wal *w)
{
    if (w->fd >= 0) {
        flock(w->fd, LOCK_UN);
        close(w->fd);
    }
    w->fd = -1;
    free(w->path);
    w->path = NULL;
}
