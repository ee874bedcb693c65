/* plugins/fs/fs_task.c: the fs sink task's callbacks: partition assignment (recovery), put
 * (writes and time-driven rotation, also on the host's empty idle puts), pre_commit (offsets of
 * committed files only) and close. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs.h"

static fs_tp *find_tp(fs_task *t, const char *topic, int32_t partition, size_t *index)
{
    for (size_t i = 0; i < t->ntps; i++)
        if (t->tps[i]->partition == partition && strcmp(t->tps[i]->topic, topic) == 0) {
            if (index)
                *index = i;
            return t->tps[i];
        }
    return NULL;
}

/* A new writer for topic/partition, recovered now if possible (else retried from put). */
static fs_tp *add_tp(fs_task *t, const char *topic, int32_t partition)
{
    fs_tp **n = realloc(t->tps, (t->ntps + 1) * sizeof(*n));
    if (n == NULL)
        return NULL;
    t->tps = n;
    fs_tp *tp = fs_tp_new(topic, partition);
    if (tp == NULL)
        return NULL;
    t->tps[t->ntps++] = tp;
    tp->retry_at = 0;
    fs_tp_tick(t, tp, fs_now_ms()); /* not recovered and due: recovers (or pauses) */
    return tp;
}

int fs_task_start(const sl_config *config, sl_task_ctx *ctx, void **task, char *errstr,
                  size_t errstr_size)
{
    fs_task *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    if (fs_conf_load(config, NULL, &t->conf, errstr, errstr_size) != SL_OK) {
        free(t);
        return SL_ERR;
    }
    t->ctx = ctx;
    *task = t;
    return SL_OK;
}

void fs_task_stop(void *task)
{
    fs_task *t = task;
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->ntps; i++)
        fs_tp_free(t, t->tps[i]);
    free(t->tps);
    fs_conf_free(t->conf);
    free(t);
}

int fs_task_open(void *task, const sl_tp_offset *parts, size_t n, char *errstr, size_t errstr_size)
{
    fs_task *t = task;
    for (size_t i = 0; i < n; i++) {
        if (find_tp(t, parts[i].topic, parts[i].partition, NULL) != NULL)
            continue;
        if (add_tp(t, parts[i].topic, parts[i].partition) == NULL) {
            snprintf(errstr, errstr_size, "out of memory");
            return SL_ERR;
        }
    }
    return SL_OK;
}

int fs_task_close(void *task, const sl_tp_offset *parts, size_t n, char *errstr, size_t errstr_size)
{
    (void)errstr;
    (void)errstr_size;
    fs_task *t = task;
    for (size_t i = 0; i < n; i++) {
        size_t k;
        fs_tp *tp = find_tp(t, parts[i].topic, parts[i].partition, &k);
        if (tp == NULL)
            continue;
        /* What is not committed is read again by the next owner (HDFS's close does the
         * same): its temporary files go, the lease is released. */
        if (tp->nfiles > 0)
            sl_log(SL_LOG_INFO,
                   "fs: %s-%d closed with %lld uncommitted record(s) in %zu open "
                   "file(s), discarded",
                   tp->topic, (int)tp->partition, (long long)tp->count, tp->nfiles);
        fs_tp_free(t, tp);
        t->tps[k] = t->tps[--t->ntps];
    }
    return SL_OK;
}

int fs_task_put(void *task, sl_record *const *records, size_t n, char *errstr, size_t errstr_size)
{
    fs_task *t = task;
    int64_t now = fs_now_ms();
    fs_tp *last = NULL;
    for (size_t i = 0; i < n; i++) {
        sl_record *r = records[i];
        /* Keyed by the topic consumed from: a transform renaming the topic does not move the
         * files (recovery must find them under the assigned partition's name). */
        const char *topic = sl_record_original_topic(r);
        if (topic == NULL)
            topic = sl_record_topic(r);
        int32_t partition = sl_record_partition(r);
        fs_tp *tp = last;
        if (tp == NULL || tp->partition != partition || strcmp(tp->topic, topic) != 0) {
            tp = find_tp(t, topic, partition, NULL);
            if (tp == NULL && (tp = add_tp(t, topic, partition)) == NULL) {
                snprintf(errstr, errstr_size, "out of memory");
                return SL_ERR;
            }
            last = tp;
        }
        if (fs_tp_write(t, tp, r, now, errstr, errstr_size) != SL_OK)
            return SL_ERR;
    }
    /* The host calls put() with no records when idle (about twice a second): time-based
     * commits happen here even when nothing more arrives. */
    now = fs_now_ms();
    for (size_t i = 0; i < t->ntps; i++)
        fs_tp_tick(t, t->tps[i], now);
    return SL_OK;
}

int fs_task_pre_commit(void *task, sl_tp_offset *offsets, size_t n, char *errstr,
                       size_t errstr_size)
{
    (void)errstr;
    (void)errstr_size;
    fs_task *t = task;
    for (size_t i = 0; i < n; i++) {
        fs_tp *tp = find_tp(t, offsets[i].topic, offsets[i].partition, NULL);
        offsets[i].offset = tp ? fs_tp_commit_offset(tp, offsets[i].offset) : -1;
    }
    return SL_OK;
}
