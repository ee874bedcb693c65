/* runtime/sink_partitions.c: a sink task's assigned partitions: their positions and commits
 * (flush/pre_commit, consumer commit), pause/resume/seek, and rebalance handling (open/close). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/record_internal.h"
#include "runtime/sink_internal.h"
#include "util/log.h"

/* ---- partition table ---- */

ssize_t sink_tp_find(sink_run *run, const char *topic, int32_t partition)
{
    if (run->last_tp < run->ntps) {
        sink_tp *tp = &run->tps[run->last_tp];
        if (tp->partition == partition && strcmp(tp->topic, topic) == 0)
            return (ssize_t)run->last_tp;
    }
    for (size_t i = 0; i < run->ntps; i++)
        if (run->tps[i].partition == partition && strcmp(run->tps[i].topic, topic) == 0) {
            run->last_tp = i;
            return (ssize_t)i;
        }
    return -1;
}

ssize_t sink_tp_add(sink_run *run, const char *topic, int32_t partition)
{
    ssize_t i = sink_tp_find(run, topic, partition);
    if (i >= 0)
        return i;
    if (run->ntps == run->captps) {
        size_t cap = run->captps ? run->captps * 2 : 16;
        sink_tp *n = realloc(run->tps, cap * sizeof(*n));
        if (n == NULL)
            return -1;
        run->tps = n;
        run->captps = cap;
    }
    char *copy = strdup(topic);
    if (copy == NULL)
        return -1;
    run->tps[run->ntps] = (sink_tp){
        .topic = copy, .partition = partition, .pos = -1, .committed = -1, .batch_next = -1};
    return (ssize_t)run->ntps++;
}

static void sink_tp_remove(sink_run *run, size_t i)
{
    free(run->tps[i].topic);
    run->tps[i] = run->tps[--run->ntps];
    run->last_tp = 0;
}

void sink_set_fatal(rt_task *t, const char *fmt, const char *a, const char *b)
{
    sink_run *run = t->sink;
    if (run->fatal)
        return;
    run->fatal = true;
    snprintf(run->fatal_trace, sizeof(run->fatal_trace), fmt, a, b);
}

/* ---- SDK context calls ---- */

int sink_task_pause(rt_task *t, const char *topic, int32_t partition, bool pause)
{
    sink_run *run = t->sink;
    if (run == NULL || topic == NULL)
        return SL_ERR;
    ssize_t i = sink_tp_find(run, topic, partition);
    if (i < 0) {
        LOG_WARN("runtime", "%s: cannot %s %s-%d: partition not assigned to this task", t->label,
                 pause ? "pause" : "resume", topic, (int)partition);
        return SL_ERR;
    }
    run->tps[i].task_paused = pause;
    if (run->all_paused)
        return SL_OK; /* resumed (or kept paused) when the consumer-level pause ends */
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, partition);
    rd_kafka_resp_err_t err =
        pause ? rd_kafka_pause_partitions(run->rk, l) : rd_kafka_resume_partitions(run->rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    return err == RD_KAFKA_RESP_ERR_NO_ERROR ? SL_OK : SL_ERR;
}

int sink_task_seek(rt_task *t, const char *topic, int32_t partition, int64_t offset)
{
    sink_run *run = t->sink;
    if (run == NULL || topic == NULL || offset < 0)
        return SL_ERR;
    /* Applied before the next fetch (Connect's rewind()), or in the assignment being made
     * when called from open(). */
    if (run->seeks == NULL)
        run->seeks = rd_kafka_topic_partition_list_new(4);
    rd_kafka_topic_partition_t *e =
        rd_kafka_topic_partition_list_find(run->seeks, topic, partition);
    if (e == NULL)
        e = rd_kafka_topic_partition_list_add(run->seeks, topic, partition);
    e->offset = offset;
    return SL_OK;
}

/* ---- pausing ---- */

static void pause_list(sink_run *run, bool pause, bool skip_task_paused)
{
    if (run->ntps == 0)
        return;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)run->ntps);
    for (size_t i = 0; i < run->ntps; i++)
        if (!(skip_task_paused && run->tps[i].task_paused))
            rd_kafka_topic_partition_list_add(l, run->tps[i].topic, run->tps[i].partition);
    if (l->cnt > 0) {
        if (pause)
            rd_kafka_pause_partitions(run->rk, l);
        else
            rd_kafka_resume_partitions(run->rk, l);
    }
    rd_kafka_topic_partition_list_destroy(l);
}

/* Pause every partition while the task is paused or a put is being retried (the consumer
 * keeps its group session), and resume what the task itself did not pause afterwards. */
void sink_sync_pause(sink_run *run, bool want_all_paused)
{
    if (want_all_paused == run->all_paused)
        return;
    run->all_paused = want_all_paused;
    pause_list(run, want_all_paused, !want_all_paused);
}

/* ---- seeks ---- */

void sink_apply_seeks(rt_task *t)
{
    sink_run *run = t->sink;
    if (run->seeks == NULL || run->seeks->cnt == 0)
        return;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(run->seeks->cnt);
    for (int i = 0; i < run->seeks->cnt; i++) {
        rd_kafka_topic_partition_t *s = &run->seeks->elems[i];
        ssize_t k = sink_tp_find(run, s->topic, s->partition);
        if (k < 0) {
            LOG_WARN("runtime", "%s: ignoring seek of %s-%d: partition not assigned", t->label,
                     s->topic, (int)s->partition);
            continue;
        }
        rd_kafka_topic_partition_list_add(l, s->topic, s->partition)->offset = s->offset;
        /* As Connect's rewind(): the new position counts as committed, so nothing is
         * committed until the task makes progress from there. */
        run->tps[k].pos = s->offset;
        run->tps[k].committed = s->offset;
    }
    rd_kafka_topic_partition_list_destroy(run->seeks);
    run->seeks = NULL;
    if (l->cnt > 0) {
        rd_kafka_error_t *err = rd_kafka_seek_partitions(run->rk, l, 5000);
        if (err != NULL) {
            LOG_WARN("runtime", "%s: seek failed: %s", t->label, rd_kafka_error_string(err));
            rd_kafka_error_destroy(err);
        }
        for (int i = 0; i < l->cnt; i++)
            if (l->elems[i].err)
                LOG_WARN("runtime", "%s: seek of %s-%d to %lld failed: %s", t->label,
                         l->elems[i].topic, (int)l->elems[i].partition,
                         (long long)l->elems[i].offset, rd_kafka_err2str(l->elems[i].err));
    }
    rd_kafka_topic_partition_list_destroy(l);
}

/* ---- offsets ---- */

/* flush()/pre_commit() then a synchronous consumer commit, for the partitions in `only`
 * (NULL = every assigned partition). */
void sink_commit_offsets(rt_task *t, const rd_kafka_topic_partition_list_t *only)
{
    sink_run *run = t->sink;
    size_t n = 0;
    sl_tp_offset *offs = calloc(run->ntps ? run->ntps : 1, sizeof(*offs));
    size_t *idx = calloc(run->ntps ? run->ntps : 1, sizeof(*idx));
    if (offs == NULL || idx == NULL) {
        free(offs);
        free(idx);
        LOG_ERROR("runtime", "%s: out of memory committing offsets", t->label);
        return;
    }
    for (size_t i = 0; i < run->ntps; i++) {
        sink_tp *tp = &run->tps[i];
        if (tp->pos < 0)
            continue;
        if (only != NULL &&
            rd_kafka_topic_partition_list_find(only, tp->topic, tp->partition) == NULL)
            continue;
        offs[n] = (sl_tp_offset){tp->topic, tp->partition, tp->pos};
        idx[n++] = i;
    }
    if (n == 0)
        goto out;
    /* Connect waits for the dead-letter writes of the records it is about to commit: a record
     * sent to the DLQ must be there before its offset is committed. */
    if (error_policy_flush(t->errors, (int)t->rt->flush_timeout_ms) != SL_OK) {
        LOG_ERROR("runtime",
                  "%s: dead letter queue writes still outstanding after %lld ms; offsets not "
                  "committed (retried at the next commit)",
                  t->label, (long long)t->rt->flush_timeout_ms);
        goto out;
    }
    char err[1024];
    err[0] = '\0';
    int rc = SL_OK;
    if (t->def->pre_commit != NULL)
        rc = t->def->pre_commit(t->state, offs, n, err, sizeof(err));
    else if (t->def->flush != NULL)
        rc = t->def->flush(t->state, offs, n, err, sizeof(err));
    if (rc != SL_OK) {
        /* Connect: "Offset commit failed, rewinding to last committed offsets": what was put
         * since then is delivered again. */
        LOG_ERROR("runtime", "%s: offset commit failed, rewinding to last committed offsets: %s",
                  t->label, err[0] ? err : "flush failed");
        if (run->closing)
            goto out;
        for (size_t k = 0; k < n; k++) {
            sink_tp *tp = &run->tps[idx[k]];
            if (tp->committed >= 0 && tp->committed != tp->pos)
                sink_task_seek(t, tp->topic, tp->partition, tp->committed);
        }
        sink_apply_seeks(t);
        goto out;
    }
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)n);
    for (size_t k = 0; k < n; k++) {
        sink_tp *tp = &run->tps[idx[k]];
        /* pre_commit may lower an offset or set -1 (commit nothing for that partition). */
        if (offs[k].offset < 0 || offs[k].offset == tp->committed)
            continue;
        rd_kafka_topic_partition_list_add(l, tp->topic, tp->partition)->offset = offs[k].offset;
    }
    if (l->cnt > 0) {
        rd_kafka_resp_err_t cerr = rd_kafka_commit(run->rk, l, 0);
        if (cerr != RD_KAFKA_RESP_ERR_NO_ERROR) {
            LOG_WARN("runtime", "%s: commit of offsets failed (retried at the next commit): %s",
                     t->label, rd_kafka_err2str(cerr));
        } else {
            for (int i = 0; i < l->cnt; i++) {
                ssize_t k = sink_tp_find(run, l->elems[i].topic, l->elems[i].partition);
                if (k >= 0 && l->elems[i].err == RD_KAFKA_RESP_ERR_NO_ERROR)
                    run->tps[k].committed = l->elems[i].offset;
            }
            LOG_DEBUG("runtime", "%s: committed offsets of %d partition(s)", t->label, l->cnt);
        }
    }
    rd_kafka_topic_partition_list_destroy(l);
out:
    free(offs);
    free(idx);
}

/* ---- rebalances (called from rd_kafka polling, i.e. on the task thread) ---- */

static void release_revoked_records(sink_run *run, const rd_kafka_topic_partition_list_t *parts)
{
    size_t w = 0;
    for (size_t i = 0; i < run->nrecs; i++) {
        sl_record *r = run->recs[i];
        if (rd_kafka_topic_partition_list_find(parts, sl_record_original_topic(r),
                                               sl_record_partition(r)) != NULL) {
            sl_record_release(r); /* and its consumed message, unless the sink kept it */
        } else {
            run->recs[w++] = r;
        }
    }
    run->nrecs = w;
}

sl_tp_offset *sink_to_tp_offsets(const rd_kafka_topic_partition_list_t *parts)
{
    sl_tp_offset *o = calloc(parts->cnt > 0 ? (size_t)parts->cnt : 1, sizeof(*o));
    if (o != NULL)
        for (int i = 0; i < parts->cnt; i++)
            o[i] = (sl_tp_offset){parts->elems[i].topic, parts->elems[i].partition,
                                  parts->elems[i].offset};
    return o;
}

static void on_assign(rt_task *t, rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts, bool coop)
{
    sink_run *run = t->sink;
    for (int i = 0; i < parts->cnt; i++)
        if (sink_tp_add(run, parts->elems[i].topic, parts->elems[i].partition) < 0)
            sink_set_fatal(t, "%s%s", "out of memory tracking assigned partitions", "");
    if (t->def->open != NULL && !run->fatal && !t->failed) {
        sl_tp_offset *o = sink_to_tp_offsets(parts);
        char err[1024] = "";
        if (o == NULL || t->def->open(t->state, o, (size_t)parts->cnt, err, sizeof(err)) != SL_OK)
            sink_set_fatal(t, "open() failed: %s%s", err[0] ? err : "unknown error", "");
        free(o);
    }
    /* Seeks made in open() become the assignment's start offsets. */
    if (run->seeks != NULL) {
        for (int i = 0; i < parts->cnt; i++) {
            rd_kafka_topic_partition_t *s = rd_kafka_topic_partition_list_find(
                run->seeks, parts->elems[i].topic, parts->elems[i].partition);
            if (s == NULL)
                continue;
            parts->elems[i].offset = s->offset;
            ssize_t k = sink_tp_find(run, s->topic, s->partition);
            if (k >= 0)
                run->tps[k].pos = run->tps[k].committed = s->offset;
            rd_kafka_topic_partition_list_del(run->seeks, s->topic, s->partition);
        }
    }
    if (coop) {
        rd_kafka_error_t *e = rd_kafka_incremental_assign(rk, parts);
        if (e != NULL) {
            LOG_WARN("runtime", "%s: incremental assign failed: %s", t->label,
                     rd_kafka_error_string(e));
            rd_kafka_error_destroy(e);
        }
    } else {
        rd_kafka_assign(rk, parts);
    }
    /* Newly assigned partitions start paused if the whole consumer is, or if open() paused
     * them (sl_task_pause before the assignment existed). */
    if (run->all_paused) {
        rd_kafka_pause_partitions(rk, parts);
    } else {
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(parts->cnt);
        for (int i = 0; i < parts->cnt; i++) {
            ssize_t k = sink_tp_find(run, parts->elems[i].topic, parts->elems[i].partition);
            if (k >= 0 && run->tps[k].task_paused)
                rd_kafka_topic_partition_list_add(l, parts->elems[i].topic,
                                                  parts->elems[i].partition);
        }
        if (l->cnt > 0)
            rd_kafka_pause_partitions(rk, l);
        rd_kafka_topic_partition_list_destroy(l);
    }
    LOG_INFO("runtime", "%s: assigned %d partition(s)", t->label, parts->cnt);
}

static void on_revoke(rt_task *t, rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts, bool coop)
{
    sink_run *run = t->sink;
    if (!run->closing) {
        /* Connect's closePartitions: commit what was put (unless the partitions were lost to
         * another member already), then close() them. */
        if (!rd_kafka_assignment_lost(rk))
            sink_commit_offsets(t, parts);
        if (t->def->close != NULL && t->started) {
            sl_tp_offset *o = sink_to_tp_offsets(parts);
            char err[1024] = "";
            if (o == NULL ||
                t->def->close(t->state, o, (size_t)parts->cnt, err, sizeof(err)) != SL_OK)
                LOG_ERROR("runtime", "%s: close() of revoked partitions failed: %s", t->label,
                          err[0] ? err : "unknown error");
            free(o);
        }
        release_revoked_records(run, parts);
    }
    for (int i = 0; i < parts->cnt; i++) {
        ssize_t k = sink_tp_find(run, parts->elems[i].topic, parts->elems[i].partition);
        if (k >= 0)
            sink_tp_remove(run, (size_t)k);
    }
    if (coop) {
        rd_kafka_error_t *e = rd_kafka_incremental_unassign(rk, parts);
        if (e != NULL)
            rd_kafka_error_destroy(e);
    } else {
        rd_kafka_assign(rk, NULL);
    }
    LOG_INFO("runtime", "%s: revoked %d partition(s)", t->label, parts->cnt);
}

void sink_on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                       rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    rt_task *t = opaque;
    /* NULL when librdkafka cannot tell (e.g. the group handle is being torn down in
     * rd_kafka_consumer_close): then the eager calls, which librdkafka accepts while closing. */
    const char *protocol = rd_kafka_rebalance_protocol(rk);
    bool coop = protocol != NULL && strcmp(protocol, "COOPERATIVE") == 0;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        on_assign(t, rk, parts, coop);
    } else if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
        on_revoke(t, rk, parts, coop);
    } else {
        LOG_WARN("runtime", "%s: rebalance error: %s", t->label, rd_kafka_err2str(err));
        if (coop) {
            rd_kafka_error_t *e = rd_kafka_incremental_unassign(rk, parts);
            if (e != NULL)
                rd_kafka_error_destroy(e);
        } else {
            rd_kafka_assign(rk, NULL);
        }
    }
}
