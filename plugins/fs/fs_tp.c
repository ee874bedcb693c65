/* plugins/fs/fs_tp.c: one topic partition's writer: temporary files per encoded partition,
 * rotation (count, record time, wall-clock schedule, schema change), the exactly-once commit
 * (sync, WAL, rename, directory sync) and recovery on assignment. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fs.h"
#include "fs_io.h"
#include "fs_names.h"

#define BUSY_RETRY_MS 1000

int64_t fs_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

fs_tp *fs_tp_new(const char *topic, int32_t partition)
{
    fs_tp *tp = calloc(1, sizeof(*tp));
    if (tp == NULL || (tp->topic = strdup(topic)) == NULL) {
        free(tp);
        return NULL;
    }
    tp->partition = partition;
    tp->wal.fd = -1;
    tp->next_offset = -1;
    tp->first_seen = -1;
    tp->base_ts = -1;
    tp->next_scheduled = -1;
    return tp;
}

static void file_free(fs_file *f)
{
    free(f->encoded);
    free(f->dir_rel);
    free(f->tmp_rel);
}

/* Close the open files without committing; unlink their temporary files when `unlink_tmp`. */
static void drop_files(fs_task *t, fs_tp *tp, bool unlink_tmp)
{
    for (size_t i = 0; i < tp->nfiles; i++) {
        fs_file *f = &tp->files[i];
        fs_writer_discard(f->w);
        if (unlink_tmp) {
            char *p = fs_path_join(t->conf->root, f->tmp_rel);
            if (p != NULL && unlink(p) != 0 && errno != ENOENT)
                sl_log(SL_LOG_WARN, "fs: cannot delete %s: %s", p, strerror(errno));
            free(p);
        }
        file_free(f);
    }
    free(tp->files);
    tp->files = NULL;
    tp->nfiles = 0;
    tp->count = 0;
    tp->base_ts = -1;
    tp->next_scheduled = -1;
}

void fs_tp_free(fs_task *t, fs_tp *tp)
{
    if (tp == NULL)
        return;
    drop_files(t, tp, true);
    fs_wal_close(&tp->wal);
    sl_schema_unref(tp->schema);
    free(tp->topic);
    free(tp);
}

/* An I/O failure: drop what is open (its temporary files are removed by the next recovery,
 * unless a WAL block names them) and recover after retry.backoff.ms; records meanwhile are
 * dropped and read again from the seek recovery makes. */
static void fail_io(fs_task *t, fs_tp *tp, const char *what, const char *err)
{
    sl_log(SL_LOG_ERROR, "fs: %s-%d: %s: %s; recovering in %lld ms", tp->topic, (int)tp->partition,
           what, err, (long long)t->conf->retry_backoff_ms);
    drop_files(t, tp, false);
    sl_schema_unref(tp->schema);
    tp->schema = NULL;
    tp->has_schema = false;
    tp->recovered = false;
    tp->retry_at = fs_now_ms() + t->conf->retry_backoff_ms;
    if (!tp->paused && sl_task_pause(t->ctx, tp->topic, tp->partition) == SL_OK)
        tp->paused = true;
}

/* ---- recovery ---- */

typedef struct scan_ctx {
    const char *topic;
    int32_t partition;
    int64_t max_end;
    int deleted;
} scan_ctx;

static int scan_committed(const char *path, const char *name, void *opaque)
{
    (void)path;
    scan_ctx *s = opaque;
    fs_name_parts p;
    if (fs_name_parse_committed(name, &p) && p.partition == s->partition &&
        strcmp(p.topic, s->topic) == 0 && p.end > s->max_end)
        s->max_end = p.end;
    return SL_OK;
}

static int delete_temp(const char *path, const char *name, void *opaque)
{
    scan_ctx *s = opaque;
    if (fs_name_is_temp_of(name, s->topic, s->partition)) {
        if (unlink(path) == 0)
            s->deleted++;
        else if (errno != ENOENT)
            sl_log(SL_LOG_WARN, "fs: cannot delete stale temporary file %s: %s", path,
                   strerror(errno));
    }
    return SL_OK;
}

int fs_tp_recover(fs_task *t, fs_tp *tp, char *errstr, size_t errstr_size)
{
    const fs_conf *c = t->conf;
    char part[16];
    snprintf(part, sizeof(part), "%d", (int)tp->partition);
    if (tp->wal.fd < 0) {
        char *path = fs_path_join(c->root, c->logs_dir, tp->topic, part, "log");
        if (path == NULL) {
            snprintf(errstr, errstr_size, "out of memory");
            return SL_ERR;
        }
        bool busy = false;
        int rc = fs_wal_open(&tp->wal, path, &busy, errstr, errstr_size);
        free(path);
        if (rc != SL_OK)
            return busy ? 1 : SL_ERR;
    }
    int redone = 0;
    if (fs_wal_recover(&tp->wal, c->root, &redone, errstr, errstr_size) != SL_OK)
        return SL_ERR;
    scan_ctx s = {.topic = tp->topic, .partition = tp->partition, .max_end = -1};
    char *tmpdir = fs_path_join(c->root, c->topics_dir, "+tmp", tp->topic);
    char *topicdir = fs_path_join(c->root, c->topics_dir, tp->topic);
    int rc = tmpdir && topicdir ? SL_OK : SL_ERR;
    if (rc != SL_OK)
        snprintf(errstr, errstr_size, "out of memory");
    if (rc == SL_OK)
        rc = fs_walk(tmpdir, delete_temp, &s, errstr, errstr_size);
    if (rc == SL_OK)
        rc = fs_walk(topicdir, scan_committed, &s, errstr, errstr_size);
    free(tmpdir);
    free(topicdir);
    if (rc != SL_OK)
        return SL_ERR;
    /* Resume after the last committed record; with no committed file yet, re-read everything
     * delivered since the assignment (nothing of it is on disk), or leave the consumer's
     * committed position when nothing was delivered. */
    int64_t seek = s.max_end >= 0 ? s.max_end + 1 : tp->first_seen;
    if (seek >= 0 && sl_task_seek(t->ctx, tp->topic, tp->partition, seek) != SL_OK) {
        snprintf(errstr, errstr_size, "cannot seek %s-%d to %lld", tp->topic, (int)tp->partition,
                 (long long)seek);
        return SL_ERR;
    }
    tp->next_offset = seek;
    tp->recovered = true;
    tp->retry_at = 0;
    tp->busy_logged = false;
    if (tp->paused && sl_task_resume(t->ctx, tp->topic, tp->partition) == SL_OK)
        tp->paused = false;
    char where[96];
    if (s.max_end >= 0)
        snprintf(where, sizeof(where), "resuming after committed offset %lld",
                 (long long)s.max_end);
    else if (seek >= 0)
        snprintf(where, sizeof(where), "no committed file; re-reading from offset %lld",
                 (long long)seek);
    else
        snprintf(where, sizeof(where), "no committed file; starting at the consumer's position");
    sl_log(SL_LOG_INFO,
           "fs: %s-%d recovered: %d rename(s) redone from the write-ahead log, %d stale "
           "temporary file(s) deleted, %s",
           tp->topic, (int)tp->partition, redone, s.deleted, where);
    return SL_OK;
}

/* Try recovery now; on a held lease or an error, pause the partition and retry later. */
static void try_recover(fs_task *t, fs_tp *tp, int64_t now)
{
    char err[1024];
    int rc = fs_tp_recover(t, tp, err, sizeof(err));
    if (rc == SL_OK)
        return;
    if (rc == 1) {
        if (!tp->busy_logged)
            sl_log(SL_LOG_WARN, "fs: %s-%d: %s; retrying every %d ms", tp->topic,
                   (int)tp->partition, err, BUSY_RETRY_MS);
        tp->busy_logged = true;
        tp->retry_at = now + BUSY_RETRY_MS;
    } else {
        sl_log(SL_LOG_ERROR, "fs: %s-%d: recovery failed: %s; retrying in %lld ms", tp->topic,
               (int)tp->partition, err, (long long)t->conf->retry_backoff_ms);
        tp->retry_at = now + t->conf->retry_backoff_ms;
    }
    if (!tp->paused && sl_task_pause(t->ctx, tp->topic, tp->partition) == SL_OK)
        tp->paused = true;
}

/* ---- commit ---- */

typedef struct dirset {
    char **d;
    size_t n;
} dirset;

static int dirset_add(dirset *s, const char *dir)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->d[i], dir) == 0)
            return SL_OK;
    char **n = realloc(s->d, (s->n + 1) * sizeof(*n));
    if (n == NULL)
        return SL_ERR;
    s->d = n;
    if ((s->d[s->n] = strdup(dir)) == NULL)
        return SL_ERR;
    s->n++;
    return SL_OK;
}

static void dirset_free(dirset *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->d[i]);
    free(s->d);
}

/* Drop files that received no record (opened for a record that then failed): nothing to
 * commit, and their names would carry no offsets. */
static void drop_empty_files(fs_task *t, fs_tp *tp)
{
    size_t w = 0;
    for (size_t i = 0; i < tp->nfiles; i++) {
        fs_file *f = &tp->files[i];
        if (f->count > 0) {
            tp->files[w++] = *f;
            continue;
        }
        fs_writer_discard(f->w);
        char *p = fs_path_join(t->conf->root, f->tmp_rel);
        if (p != NULL)
            unlink(p);
        free(p);
        file_free(f);
    }
    tp->nfiles = w;
}

int fs_tp_commit(fs_task *t, fs_tp *tp)
{
    drop_empty_files(t, tp);
    if (tp->nfiles == 0) {
        drop_files(t, tp, false);
        return SL_OK;
    }
    const fs_conf *c = t->conf;
    char err[1024];
    const char *ext = fs_format_ext(c->format);
    size_t n = tp->nfiles;
    fs_wal_pair *pairs = calloc(n, sizeof(*pairs));
    char **finals = calloc(n, sizeof(*finals));
    dirset dirs = {0};
    int64_t max_end = -1;
    bool logged = false;
    int rc = pairs && finals ? SL_OK : SL_ERR;
    if (rc != SL_OK)
        snprintf(err, sizeof(err), "out of memory");
    /* 1. Finish every file: data written and fsynced before anything names it. */
    for (size_t i = 0; i < n && rc == SL_OK; i++) {
        fs_file *f = &tp->files[i];
        fs_writer *w = f->w;
        f->w = NULL;
        if (fs_writer_finish(w, err, sizeof(err)) != SL_OK) {
            rc = SL_ERR;
            break;
        }
        char name[FS_TOPIC_MAX + 96];
        fs_name_committed(name, sizeof(name), tp->topic, tp->partition, f->start, f->end,
                          c->zero_pad, ext);
        finals[i] = fs_path_join(f->dir_rel, name);
        if (finals[i] == NULL) {
            snprintf(err, sizeof(err), "out of memory");
            rc = SL_ERR;
        }
        pairs[i] = (fs_wal_pair){f->tmp_rel, finals[i]};
        if (f->end > max_end)
            max_end = f->end;
    }
    /* 2. The commit point: the renames are logged (and the log synced) before any is done. */
    if (rc == SL_OK)
        rc = fs_wal_append(&tp->wal, pairs, n, err, sizeof(err));
    logged = rc == SL_OK;
    /* 3. Rename into place, then sync the directories so the names are durable before the
     * offsets are reported in pre_commit. */
    for (size_t i = 0; i < n && rc == SL_OK; i++) {
        char *dir = fs_path_join(c->root, tp->files[i].dir_rel);
        char *from = fs_path_join(c->root, pairs[i].tmp);
        char *to = fs_path_join(c->root, pairs[i].final);
        if (dir == NULL || from == NULL || to == NULL) {
            snprintf(err, sizeof(err), "out of memory");
            rc = SL_ERR;
        } else if ((rc = fs_mkdirs(dir, err, sizeof(err))) == SL_OK) {
            if (rename(from, to) != 0) {
                snprintf(err, sizeof(err), "cannot rename %s to %s: %s", from, to, strerror(errno));
                rc = SL_ERR;
            } else if (dirset_add(&dirs, dir) != SL_OK) {
                snprintf(err, sizeof(err), "out of memory");
                rc = SL_ERR;
            }
        }
        free(dir);
        free(from);
        free(to);
    }
    for (size_t i = 0; i < dirs.n && rc == SL_OK; i++)
        rc = fs_fsync_dir(dirs.d[i], err, sizeof(err));
    if (rc == SL_OK && fs_wal_trim(&tp->wal, FS_WAL_TRIM_BYTES, err, sizeof(err)) != SL_OK)
        sl_log(SL_LOG_WARN, "fs: %s", err); /* harmless: recovery replays it idempotently */
    if (rc == SL_OK) {
        tp->committed_files += n;
        tp->committed_records += (uint64_t)tp->count;
        sl_log(SL_LOG_DEBUG, "fs: %s-%d: committed %zu file(s), %lld record(s), up to offset %lld",
               tp->topic, (int)tp->partition, n, (long long)tp->count, (long long)max_end);
        drop_files(t, tp, false);
        if (max_end + 1 > tp->next_offset)
            tp->next_offset = max_end + 1;
    }
    for (size_t i = 0; finals != NULL && i < n; i++)
        free(finals[i]);
    free(finals);
    free(pairs);
    dirset_free(&dirs);
    if (rc != SL_OK) {
        /* Before the WAL block: the temporary files are stale and recovery deletes them.
         * After it: recovery redoes the renames. Either way recovery knows what is committed. */
        fail_io(t, tp, logged ? "commit failed after logging it" : "commit failed", err);
        return SL_ERR;
    }
    return SL_OK;
}

/* ---- writing ---- */

/* Report a record the sink cannot write; SL_ERR (with errstr) when the task must fail. */
static int bad_record(fs_task *t, fs_tp *tp, const sl_record *r, const char *why, char *errstr,
                      size_t errstr_size)
{
    /* Handled either way: it is not looked at again in this assignment. */
    tp->next_offset = sl_record_offset(r) + 1;
    if (sl_task_report(t->ctx, r, why) == SL_OK)
        return SL_OK;
    snprintf(errstr, errstr_size, "record %s-%d@%lld: %s", tp->topic, (int)tp->partition,
             (long long)sl_record_offset(r), why);
    return SL_ERR;
}

static fs_file *find_file(fs_tp *tp, const char *encoded)
{
    for (size_t i = 0; i < tp->nfiles; i++)
        if (strcmp(tp->files[i].encoded, encoded) == 0)
            return &tp->files[i];
    return NULL;
}

/* Open a temporary file for `encoded` (taken). Returns the file, or NULL with *rc =
 * FS_ERR_RECORD (the schema has no form in this format) or FS_ERR_IO, reason in err. */
static fs_file *open_file(fs_task *t, fs_tp *tp, char *encoded, int *rc, char *err, size_t errsz)
{
    const fs_conf *c = t->conf;
    fs_file nf = {.encoded = encoded, .start = -1, .end = -1};
    char name[FS_TOPIC_MAX + 64];
    fs_name_temp(name, sizeof(name), tp->topic, tp->partition, fs_random64(),
                 fs_format_ext(c->format));
    nf.dir_rel = fs_path_join(c->topics_dir, tp->topic, encoded);
    char *tmpdir_rel = fs_path_join(c->topics_dir, "+tmp", tp->topic, encoded);
    nf.tmp_rel = tmpdir_rel ? fs_path_join(tmpdir_rel, name) : NULL;
    char *tmpdir = tmpdir_rel ? fs_path_join(c->root, tmpdir_rel) : NULL;
    char *tmp = nf.tmp_rel ? fs_path_join(c->root, nf.tmp_rel) : NULL;
    free(tmpdir_rel);
    *rc = FS_ERR_IO;
    fs_file *res = NULL;
    fs_file *grown = NULL;
    if (nf.dir_rel == NULL || nf.tmp_rel == NULL || tmpdir == NULL || tmp == NULL) {
        snprintf(err, errsz, "out of memory");
        goto out;
    }
    if (fs_mkdirs(tmpdir, err, errsz) != SL_OK)
        goto out;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, errsz, "cannot create %s: %s", tmp, strerror(errno));
        goto out;
    }
    *rc = fs_writer_open(c->format, &c->format_opts, fd, tp->schema, &nf.w, err, errsz);
    if (*rc != SL_OK) {
        unlink(tmp);
        goto out;
    }
    grown = realloc(tp->files, (tp->nfiles + 1) * sizeof(*grown));
    if (grown == NULL) {
        fs_writer_discard(nf.w);
        unlink(tmp);
        snprintf(err, errsz, "out of memory");
        *rc = FS_ERR_IO;
        goto out;
    }
    tp->files = grown;
    tp->files[tp->nfiles] = nf;
    res = &tp->files[tp->nfiles++];
    nf = (fs_file){0};
out:
    file_free(&nf);
    free(tmpdir);
    free(tmp);
    return res;
}

/* The record's time for rotate.interval.ms; -1 when it has none. */
static int64_t record_time(fs_task *t, const sl_record *r, int64_t now)
{
    int64_t ts;
    char err[256];
    if (fs_partitioner_timestamp(t->conf->partitioner, r, now, &ts, err, sizeof(err)) != SL_OK)
        return -1;
    return ts;
}

int fs_tp_write(fs_task *t, fs_tp *tp, sl_record *r, int64_t now, char *errstr, size_t errstr_size)
{
    const fs_conf *c = t->conf;
    int64_t off = sl_record_offset(r);
    if (tp->first_seen < 0 || off < tp->first_seen)
        tp->first_seen = off;
    /* Recovering or backing off: recovery seeks back to what is not committed. */
    if (!tp->recovered)
        return SL_OK;
    /* Already written or committed (a redelivery after a seek). */
    if (tp->next_offset >= 0 && off < tp->next_offset)
        return SL_OK;
    const sl_value *value = sl_record_value(r);
    if (value == NULL) {
        if (!c->null_fail) {
            tp->next_offset = off + 1;
            return SL_OK;
        }
        return bad_record(t, tp, r, "null value (tombstone) with behavior.on.null.values=fail",
                          errstr, errstr_size);
    }
    char err[1024];
    const sl_schema *schema = sl_record_value_schema(r);
    sl_value *projected = NULL;
    if (!tp->has_schema) {
        tp->schema = schema ? sl_schema_ref(schema) : NULL;
        tp->has_schema = true;
    } else {
        int ch = fs_compat_should_change(c->compat, schema, tp->schema, err, sizeof(err));
        if (ch < 0)
            return bad_record(t, tp, r, err, errstr, errstr_size);
        if (ch == 1) {
            if (tp->nfiles > 0 && fs_tp_commit(t, tp) != SL_OK)
                return SL_OK;
            sl_schema_unref(tp->schema);
            tp->schema = schema ? sl_schema_ref(schema) : NULL;
            tp->has_schema = true;
        } else if (c->compat != FS_COMPAT_NONE && schema != NULL &&
                   !sl_schema_equals(schema, tp->schema)) {
            if (fs_project(schema, value, tp->schema, &projected, err, sizeof(err)) != SL_OK)
                return bad_record(t, tp, r, err, errstr, errstr_size);
            value = projected;
        }
    }
    /* Record time rotation: this record starts the next file when it is rotate.interval.ms or
     * more after the first record of the open ones. */
    int64_t ts = c->rotate_interval_ms > 0 ? record_time(t, r, now) : -1;
    if (tp->nfiles > 0 && ts >= 0 && tp->base_ts >= 0 &&
        ts - tp->base_ts >= c->rotate_interval_ms && fs_tp_commit(t, tp) != SL_OK) {
        sl_value_destroy(projected);
        return SL_OK;
    }
    char *encoded = NULL;
    if (fs_partitioner_encode(c->partitioner, r, now, &encoded, err, sizeof(err)) != SL_OK) {
        sl_value_destroy(projected);
        return bad_record(t, tp, r, err, errstr, errstr_size);
    }
    fs_file *f = find_file(tp, encoded);
    int rc = SL_OK;
    if (f != NULL)
        free(encoded);
    else
        f = open_file(t, tp, encoded, &rc, err, sizeof(err));
    if (f != NULL)
        rc = fs_writer_write(f->w, value, err, sizeof(err));
    sl_value_destroy(projected);
    if (rc == FS_ERR_RECORD)
        return bad_record(t, tp, r, err, errstr, errstr_size);
    if (rc != SL_OK) {
        fail_io(t, tp, "write failed", err);
        return SL_OK;
    }
    if (f->count == 0)
        f->start = off;
    f->end = off;
    f->count++;
    if (tp->count++ == 0) {
        tp->base_ts = ts;
        if (c->rotate_schedule_interval_ms > 0)
            tp->next_scheduled = fs_next_boundary(now, c->rotate_schedule_interval_ms,
                                                  fs_partitioner_tz(c->partitioner));
    }
    tp->next_offset = off + 1;
    if (tp->count >= c->flush_size || (tp->next_scheduled >= 0 && now >= tp->next_scheduled))
        fs_tp_commit(t, tp);
    return SL_OK;
}

void fs_tp_tick(fs_task *t, fs_tp *tp, int64_t now)
{
    const fs_conf *c = t->conf;
    if (!tp->recovered) {
        if (now >= tp->retry_at)
            try_recover(t, tp, now);
        return;
    }
    if (tp->nfiles == 0)
        return;
    bool scheduled = tp->next_scheduled >= 0 && now >= tp->next_scheduled;
    bool wallclock = c->rotate_interval_ms > 0 && fs_partitioner_wallclock(c->partitioner) &&
                     tp->base_ts >= 0 && now - tp->base_ts >= c->rotate_interval_ms;
    if (scheduled || wallclock)
        fs_tp_commit(t, tp);
}

int64_t fs_tp_commit_offset(const fs_tp *tp, int64_t host_offset)
{
    if (!tp->recovered)
        return -1;
    int64_t low = -1;
    for (size_t i = 0; i < tp->nfiles; i++)
        if (tp->files[i].count > 0 && (low < 0 || tp->files[i].start < low))
            low = tp->files[i].start;
    if (low < 0)
        return host_offset;
    return low < host_offset ? low : host_offset;
}
