/* runtime/source_task.c: the source task thread: poll -> transforms -> converters -> produce,
 * delivery reports -> offset tracker -> periodic offset flush to the offset store. */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka/clientconf.h"
#include "runtime/offset_tracker.h"
#include "runtime/runtime_internal.h"
#include "util/log.h"

#define SOURCE_COPY_MAX 4096

typedef struct topic_handle {
    char *name;
    rd_kafka_topic_t *rkt;
} topic_handle;

struct source_run {
    rd_kafka_t *rk;
    offset_tracker *tracker;
    sl_record **batch; /* emitted by the current poll() */
    size_t nbatch, capbatch;
    topic_handle *topics;
    size_t ntopics, captopics, last_topic;
    bool closing; /* task_stop is due: no more commit_record calls */
    char produce_error[1024];
    bool has_produce_error;
    uint64_t sent, acked;
};

/* ---- SDK context calls ---- */

int source_task_emit(rt_task *t, sl_record *record)
{
    if (record == NULL)
        return SL_ERR;
    source_run *run = t->src;
    if (run == NULL || run->closing) {
        LOG_ERROR("runtime", "%s: sl_task_emit outside poll() of a source task; record dropped",
                  t->label);
        sl_record_release(record);
        return SL_ERR;
    }
    if (run->nbatch == run->capbatch) {
        size_t cap = run->capbatch ? run->capbatch * 2 : 256;
        sl_record **nb = realloc(run->batch, cap * sizeof(*nb));
        if (nb == NULL) {
            LOG_ERROR("runtime", "%s: out of memory queueing an emitted record", t->label);
            sl_record_release(record);
            return SL_ERR;
        }
        run->batch = nb;
        run->capbatch = cap;
    }
    run->batch[run->nbatch++] = record;
    return SL_OK;
}

sl_value *source_task_offset(rt_task *t, const sl_value *partition)
{
    size_t klen = 0;
    char *key = offset_tracker_key(t->conn, partition, &klen);
    if (key == NULL)
        return NULL;
    char *val = NULL;
    size_t vlen = 0;
    char err[512] = "";
    sl_value *out = NULL;
    if (offset_store_get(t->rt->offsets, key, klen, &val, &vlen, err, sizeof(err)) != SL_OK) {
        LOG_WARN("runtime", "%s: reading the offset of %s failed: %s", t->label, key, err);
    } else if (val != NULL) {
        out = offset_tracker_parse_value(val, vlen, err, sizeof(err));
        if (out == NULL && err[0])
            LOG_WARN("runtime", "%s: ignoring the stored offset of %s: %s", t->label, key, err);
    }
    free(val);
    free(key);
    return out;
}

/* ---- producing ---- */

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    rt_task *t = opaque;
    source_run *run = t->src;
    offset_token token = (offset_token)(uintptr_t)m->_private;
    if (run == NULL || run->closing)
        return; /* purged at shutdown: nothing to account for any more */
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        /* librdkafka already retried what is retriable (Connect's producer retries forever:
         * delivery.timeout.ms is maxed by clientconf); a report with an error is final. The
         * record stays unacked, so no later offset of its partition is committed. */
        if (!run->has_produce_error) {
            char trace[1024];
            error_context ec = {
                .stage = ERROR_STAGE_KAFKA_PRODUCE,
                .topic = m->rkt ? rd_kafka_topic_name(m->rkt) : NULL,
                .partition = m->partition,
                .offset = -1,
                .detail = rd_kafka_err2str(m->err),
            };
            if (error_policy_record_failed(t->errors, &ec, trace, sizeof(trace)) ==
                ERROR_ACTION_FAIL) {
                snprintf(run->produce_error, sizeof(run->produce_error), "%s", trace);
                run->has_produce_error = true;
            } else {
                offset_tracker_ack(run->tracker, token, NULL);
            }
        }
        return;
    }
    run->acked++;
    /* Connect records the topic as active once Kafka acknowledged a record to it. */
    task_topic_active(t, rd_kafka_topic_name(m->rkt));
    sl_record *rec = NULL;
    bool want = t->def->commit_record != NULL;
    if (offset_tracker_ack(run->tracker, token, want ? &rec : NULL) == SL_OK && rec != NULL) {
        t->def->commit_record(t->state, rec);
        sl_record_release(rec);
    }
}

static rd_kafka_topic_t *topic_get(source_run *run, const char *name)
{
    if (run->last_topic < run->ntopics && strcmp(run->topics[run->last_topic].name, name) == 0)
        return run->topics[run->last_topic].rkt;
    for (size_t i = 0; i < run->ntopics; i++)
        if (strcmp(run->topics[i].name, name) == 0) {
            run->last_topic = i;
            return run->topics[i].rkt;
        }
    if (run->ntopics == run->captopics) {
        size_t cap = run->captopics ? run->captopics * 2 : 8;
        topic_handle *nt = realloc(run->topics, cap * sizeof(*nt));
        if (nt == NULL)
            return NULL;
        run->topics = nt;
        run->captopics = cap;
    }
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(run->rk, name, NULL);
    char *copy = strdup(name);
    if (rkt == NULL || copy == NULL) {
        if (rkt != NULL)
            rd_kafka_topic_destroy(rkt);
        free(copy);
        return NULL;
    }
    run->topics[run->ntopics] = (topic_handle){copy, rkt};
    run->last_topic = run->ntopics++;
    return rkt;
}

/* A record failed a stage: ask the policy; true means skip it (treated as dropped). */
static bool record_failed(rt_task *t, error_stage stage, const char *class_name, bool retriable,
                          const sl_record *rec, const char *detail)
{
    char trace[2048];
    error_context ec = {
        .stage = stage,
        .topic = sl_record_topic(rec),
        .partition = sl_record_partition(rec),
        .offset = -1,
        .record = rec,
        .detail = detail,
        .class_name = class_name,
        .retriable = retriable,
        .raw_timestamp = -1,
    };
    if (error_policy_record_failed(t->errors, &ec, trace, sizeof(trace)) == ERROR_ACTION_SKIP)
        return true;
    task_fail(t, trace);
    return false;
}

/* A record that will not be produced but whose offset may be committed (dropped by a
 * transform or skipped by the error policy), as Connect's recordDropped does. */
static int record_dropped(rt_task *t, sl_record *rec)
{
    source_run *run = t->src;
    offset_token token;
    char err[512];
    if (offset_tracker_submit(run->tracker, rec, t->def->commit_record != NULL, &token, err,
                              sizeof(err)) != SL_OK) {
        task_fail(t, err);
        return SL_ERR;
    }
    sl_record *acked = NULL;
    offset_tracker_ack(run->tracker, token, t->def->commit_record ? &acked : NULL);
    if (acked != NULL) {
        t->def->commit_record(t->state, acked);
        sl_record_release(acked);
    }
    return SL_OK;
}

/* Serialize the headers with the header converter. NULL headers when there are none. */
static int convert_headers(rt_task *t, const char *topic, sl_record *rec, rd_kafka_headers_t **out,
                           char *errstr, size_t errstr_size)
{
    *out = NULL;
    size_t n = sl_record_header_count(rec);
    if (n == 0)
        return SL_OK;
    converter_inst *hc = &t->conv.header;
    rd_kafka_headers_t *hdrs = rd_kafka_headers_new(n);
    for (size_t i = 0; i < n; i++) {
        const char *hkey = sl_record_header_key(rec, i);
        void *buf = NULL;
        size_t len = 0;
        if (hc->def->from_value(hc->state, topic, hkey, sl_record_header_schema(rec, i),
                                sl_record_header_value(rec, i), &buf, &len, errstr,
                                errstr_size) != SL_OK) {
            rd_kafka_headers_destroy(hdrs);
            return SL_ERR;
        }
        rd_kafka_header_add(hdrs, hkey, -1, buf, buf ? (ssize_t)len : 0);
        free(buf);
    }
    *out = hdrs;
    return SL_OK;
}

/* Serialize a key or value, retrying SL_ERR_RETRIABLE as errors.retry.* allow. */
static int convert(rt_task *t, converter_inst *c, const char *topic, const sl_schema *schema,
                   const sl_value *value, void **out, size_t *out_len, char *err, size_t err_size)
{
    int rc = c->def->from_value(c->state, topic, NULL, schema, value, out, out_len, err, err_size);
    for (int attempt = 0; rc == SL_ERR_RETRIABLE && task_retry_again(t, &attempt);) {
        err[0] = '\0';
        rc = c->def->from_value(c->state, topic, NULL, schema, value, out, out_len, err, err_size);
    }
    return rc;
}

/* Transform, convert and produce one record (taken). SL_ERR when the task failed. */
static int send_record(rt_task *t, sl_record *rec)
{
    source_run *run = t->src;
    char err[1024];
    err[0] = '\0';
    if (transform_chain_size(t->chain) > 0) {
        int rc = transform_chain_apply(t->chain, rec, err, sizeof(err));
        if (rc == SL_DROP || (rc < 0 && record_failed(t, ERROR_STAGE_TRANSFORMATION,
                                                      transform_chain_failed_class(t->chain),
                                                      rc == SL_ERR_RETRIABLE, rec, err))) {
            rc = record_dropped(t, rec);
            sl_record_release(rec);
            return rc;
        }
        if (rc < 0) {
            sl_record_release(rec);
            return SL_ERR;
        }
    }
    const char *topic = sl_record_topic(rec);
    if (topic == NULL || topic[0] == '\0') {
        record_failed(t, ERROR_STAGE_KAFKA_PRODUCE, NULL, false, rec, "source record has no topic");
        sl_record_release(rec);
        return SL_ERR;
    }
    void *kbuf = NULL, *vbuf = NULL;
    size_t klen = 0, vlen = 0;
    rd_kafka_headers_t *hdrs = NULL;
    error_stage stage = ERROR_STAGE_KEY_CONVERTER;
    converter_inst *conv = &t->conv.key;
    int rc = convert(t, conv, topic, sl_record_key_schema(rec), sl_record_key(rec), &kbuf, &klen,
                     err, sizeof(err));
    if (rc == SL_OK) {
        stage = ERROR_STAGE_VALUE_CONVERTER;
        conv = &t->conv.value;
        rc = convert(t, conv, topic, sl_record_value_schema(rec), sl_record_value(rec), &vbuf,
                     &vlen, err, sizeof(err));
    }
    if (rc == SL_OK) {
        stage = ERROR_STAGE_HEADER_CONVERTER;
        conv = &t->conv.header;
        rc = convert_headers(t, topic, rec, &hdrs, err, sizeof(err));
    }
    if (rc != SL_OK) {
        free(kbuf);
        free(vbuf);
        bool skip = record_failed(t, stage, conv->def->class_name, rc == SL_ERR_RETRIABLE, rec,
                                  err[0] ? err : "conversion failed");
        rc = skip ? record_dropped(t, rec) : SL_ERR;
        sl_record_release(rec);
        return rc;
    }
    rd_kafka_topic_t *rkt = topic_get(run, topic);
    offset_token token = 0;
    if (rkt == NULL || offset_tracker_submit(run->tracker, rec, t->def->commit_record != NULL,
                                             &token, err, sizeof(err)) != SL_OK) {
        if (rkt == NULL)
            snprintf(err, sizeof(err), "cannot create a producer handle for topic %s", topic);
        free(kbuf);
        free(vbuf);
        if (hdrs)
            rd_kafka_headers_destroy(hdrs);
        task_fail(t, err);
        sl_record_release(rec);
        return SL_ERR;
    }
    int32_t partition = sl_record_partition(rec);
    int64_t ts = sl_record_timestamp(rec);
    /* Small values are copied into librdkafka's own message allocation (one malloc, and our
     * buffer is freed now while hot); large ones are handed over without a copy. */
    bool copy = vlen <= SOURCE_COPY_MAX;
    for (;;) {
        rd_kafka_resp_err_t perr = rd_kafka_producev(
            run->rk, RD_KAFKA_V_RKT(rkt),
            RD_KAFKA_V_PARTITION(partition < 0 ? RD_KAFKA_PARTITION_UA : partition),
            RD_KAFKA_V_MSGFLAGS(copy ? RD_KAFKA_MSG_F_COPY : RD_KAFKA_MSG_F_FREE),
            RD_KAFKA_V_VALUE(vbuf, vlen), RD_KAFKA_V_KEY(kbuf, klen),
            RD_KAFKA_V_TIMESTAMP(ts > 0 ? ts : 0), RD_KAFKA_V_HEADERS(hdrs),
            RD_KAFKA_V_OPAQUE((void *)(uintptr_t)token), RD_KAFKA_V_END);
        if (perr == RD_KAFKA_RESP_ERR_NO_ERROR)
            break;
        if (perr == RD_KAFKA_RESP_ERR__QUEUE_FULL && !atomic_load(&t->stopping) &&
            !run->has_produce_error) {
            /* Backpressure: serve delivery reports until librdkafka has room again. */
            rd_kafka_poll(run->rk, 50);
            continue;
        }
        offset_tracker_cancel(run->tracker, token);
        free(kbuf);
        free(vbuf);
        if (hdrs)
            rd_kafka_headers_destroy(hdrs);
        if (perr == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            /* Stopping or failing with a full queue: the record is not sent and its offset is
             * not committed, so it is polled again after a restart. */
            sl_record_release(rec);
            return SL_ERR;
        }
        bool skip =
            record_failed(t, ERROR_STAGE_KAFKA_PRODUCE, NULL, false, rec, rd_kafka_err2str(perr));
        int rc2 = skip ? record_dropped(t, rec) : SL_ERR;
        sl_record_release(rec);
        return rc2;
    }
    free(kbuf); /* librdkafka copies keys; it took the headers, and the value unless copied */
    if (copy)
        free(vbuf);
    run->sent++;
    sl_record_release(rec); /* the tracker kept its offset (and the record if commit_record) */
    return SL_OK;
}

/* Send everything the last poll() emitted. On failure the rest is released. */
static int send_batch(rt_task *t)
{
    source_run *run = t->src;
    int rc = SL_OK;
    size_t i = 0;
    for (; i < run->nbatch; i++) {
        sl_record *rec = run->batch[i];
        run->batch[i] = NULL;
        if (send_record(t, rec) != SL_OK) {
            rc = SL_ERR;
            i++;
            break;
        }
    }
    for (; i < run->nbatch; i++)
        sl_record_release(run->batch[i]);
    run->nbatch = 0;
    return rc;
}

/* Write the committable offsets as one batch, then call the task's commit(). */
static void commit_offsets(rt_task *t)
{
    source_run *run = t->src;
    const offset_entry *entries = NULL;
    size_t n = 0;
    char err[1024];
    if (offset_tracker_snapshot(run->tracker, &entries, &n, err, sizeof(err)) != SL_OK) {
        task_fail(t, err);
        return;
    }
    if (n == 0)
        return;
    pthread_mutex_lock(&t->lock);
    bool abandoned = t->abandoned;
    pthread_mutex_unlock(&t->lock);
    if (abandoned) {
        /* The runtime gave up on this task; the offset store may be gone already. */
        offset_tracker_snapshot_done(run->tracker, false);
        return;
    }
    int rc = offset_store_put(t->rt->offsets, entries, n, err, sizeof(err));
    offset_tracker_snapshot_done(run->tracker, rc == SL_OK);
    if (rc != SL_OK) {
        LOG_ERROR("runtime", "%s: failed to commit offsets (will retry at the next flush): %s",
                  t->label, err);
        return;
    }
    LOG_DEBUG("runtime", "%s: committed offsets of %zu source partition(s)", t->label, n);
    if (t->def->commit != NULL)
        t->def->commit(t->state);
}

static rd_kafka_t *make_producer(rt_task *t, char *errstr, size_t errstr_size)
{
    rd_kafka_conf_t *conf = clientconf_build(CLIENTCONF_PRODUCER, t->rt->worker_props,
                                             t->conn_config, errstr, errstr_size);
    if (conf == NULL)
        return NULL;
    if (!sl_props_get(t->rt->worker_props, "producer.client.id") &&
        !sl_props_get(t->conn_config, "producer.override.client.id")) {
        /* Connect's default client id for connector producers. */
        char cid[256];
        snprintf(cid, sizeof(cid), "connector-producer-%s-%d", t->conn, t->id);
        rd_kafka_conf_set(conf, "client.id", cid, NULL, 0);
    }
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, t);
    char kerr[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, kerr, sizeof(kerr));
    if (rk == NULL) {
        rd_kafka_conf_destroy(conf);
        snprintf(errstr, errstr_size, "cannot create the producer: %s", kerr);
    }
    return rk;
}

static void source_loop(rt_task *t)
{
    source_run *run = t->src;
    runtime *rt = t->rt;
    int64_t next_flush = task_now_ms() + rt->flush_interval_ms;
    while (!atomic_load(&t->stopping) && !t->failed) {
        if (run->has_produce_error) {
            task_fail(t, run->produce_error);
            break;
        }
        if (task_sync_target(t)) {
            /* Paused: stop polling the task but keep serving deliveries and flushing. */
            rd_kafka_poll(run->rk, 100);
        } else {
            char perr[1024];
            perr[0] = '\0';
            int rc = t->def->poll(t->state, t, perr, sizeof(perr));
            if (rc == SL_ERR_RETRIABLE) {
                /* Connect logs a RetriableException from poll() and polls again. */
                LOG_WARN("runtime", "%s: retriable error from poll(): %s", t->label,
                         perr[0] ? perr : "unknown error");
                for (size_t i = 0; i < run->nbatch; i++)
                    sl_record_release(run->batch[i]);
                run->nbatch = 0;
                rd_kafka_poll(run->rk, 100);
            } else if (rc < 0) {
                for (size_t i = 0; i < run->nbatch; i++)
                    sl_record_release(run->batch[i]);
                run->nbatch = 0;
                char trace[1200];
                snprintf(trace, sizeof(trace), "poll() failed: %s",
                         perr[0] ? perr : "unknown error");
                task_fail(t, trace);
                break;
            } else {
                bool idle = run->nbatch == 0;
                if (send_batch(t) != SL_OK)
                    break;
                /* Serve delivery reports; yield a little when the task had nothing, so that
                 * a poll() that never blocks does not spin. */
                rd_kafka_poll(run->rk, idle ? 1 : 0);
            }
        }
        int64_t now = task_now_ms();
        if (now >= next_flush || atomic_exchange(&t->commit_requested, false)) {
            commit_offsets(t);
            next_flush = now + rt->flush_interval_ms;
        }
    }
}

void source_task_run(rt_task *t)
{
    source_run run;
    memset(&run, 0, sizeof(run));
    t->src = &run;
    char err[2048];
    err[0] = '\0';
    if (task_setup_common(t, err, sizeof(err)) != SL_OK)
        goto fail;
    run.tracker = offset_tracker_new(t->conn);
    if (run.tracker == NULL) {
        snprintf(err, sizeof(err), "out of memory");
        goto fail;
    }
    run.rk = make_producer(t, err, sizeof(err));
    if (run.rk == NULL)
        goto fail;
    if (task_call_start(t, err, sizeof(err)) != SL_OK)
        goto fail;
    LOG_INFO("runtime", "%s: source task started", t->label);
    task_sync_target(t);
    source_loop(t);

    /* Graceful stop (or failure): wait for outstanding deliveries up to
     * offset.flush.timeout.ms, then commit the acked prefix. Connect commits after a failure
     * too: what was acknowledged is in Kafka either way. */
    if (offset_tracker_in_flight(run.tracker) > 0) {
        /* Leave room for the offset write and task_stop within the graceful timeout, or the
         * runtime gives up on the task just as it finishes. */
        int64_t wait = t->rt->flush_timeout_ms;
        int64_t room = t->rt->shutdown_timeout_ms * 3 / 4;
        rd_kafka_flush(run.rk, (int)(wait < room ? wait : room));
    }
    rd_kafka_poll(run.rk, 0);
    if (run.has_produce_error && !t->failed)
        task_fail(t, run.produce_error);
    commit_offsets(t);
    goto done;
fail:
    task_fail(t, err);
done:
    run.closing = true;
    for (size_t i = 0; i < run.nbatch; i++)
        sl_record_release(run.batch[i]);
    free(run.batch);
    task_teardown_common(t);
    if (run.rk != NULL) {
        /* Whatever is still queued is not acknowledged, so its offsets were not committed and
         * it will be polled again: drop it instead of waiting. */
        rd_kafka_purge(run.rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        rd_kafka_poll(run.rk, 0);
        for (size_t i = 0; i < run.ntopics; i++)
            rd_kafka_topic_destroy(run.topics[i].rkt);
        rd_kafka_destroy(run.rk);
    }
    for (size_t i = 0; i < run.ntopics; i++)
        free(run.topics[i].name);
    free(run.topics);
    offset_tracker_destroy(run.tracker);
    LOG_INFO("runtime", "%s: source task stopped (%llu sent, %llu acknowledged)", t->label,
             (unsigned long long)run.sent, (unsigned long long)run.acked);
    t->src = NULL;
    if (!t->failed)
        task_report(t, STATE_UNASSIGNED, NULL);
}
