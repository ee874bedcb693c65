/* runtime/sink_task.c: the sink task thread: consume (group connect-<name>) -> converters ->
 * transforms -> put(batch), redelivery after retriable errors, periodic commits, graceful stop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/record_internal.h"
#include "kafka/clientconf.h"
#include "runtime/sink_internal.h"
#include "util/log.h"

#define SINK_POLL_MAX_MS 500
#define SINK_RETRY_MIN_MS 100
#define SINK_RETRY_MAX_MS 2000

/* ---- consuming ---- */

/* Fill the DLQ/log fields of `ec` from the consumed message (its bytes as consumed). */
void sink_error_context_raw(error_context *ec, const rd_kafka_message_t *m)
{
    ec->raw_key = m->key;
    ec->raw_key_len = m->key_len;
    ec->raw_value = m->payload;
    ec->raw_value_len = m->len;
    ec->raw_timestamp = rd_kafka_message_timestamp(m, NULL);
    rd_kafka_headers_t *hdrs = NULL;
    if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR)
        ec->raw_headers = hdrs;
}

/* A record failed a stage: ask the policy; true means skip it. */
static bool record_failed(rt_task *t, error_stage stage, const char *class_name, bool retriable,
                          const rd_kafka_message_t *m, const sl_record *rec, const char *detail)
{
    char trace[2048];
    error_context ec = {
        .stage = stage,
        .topic = rd_kafka_topic_name(m->rkt),
        .partition = m->partition,
        .offset = m->offset,
        .record = rec,
        .detail = detail,
        .class_name = class_name,
        .retriable = retriable,
    };
    sink_error_context_raw(&ec, m);
    if (error_policy_record_failed(t->errors, &ec, trace, sizeof(trace)) == ERROR_ACTION_SKIP)
        return true;
    task_fail(t, trace);
    return false;
}

/* Convert one key/value/header with the converter of its role, retrying SL_ERR_RETRIABLE as
 * errors.retry.* allow (Connect's RetryWithToleranceOperator around each converter call). */
static int convert(rt_task *t, converter_inst *c, const char *topic, const char *hkey,
                   const void *data, size_t len, sl_schema **schema, sl_value **value, char *err,
                   size_t err_size)
{
    int rc = c->def->to_value(c->state, topic, hkey, data, len, schema, value, err, err_size);
    for (int attempt = 0; rc == SL_ERR_RETRIABLE && task_retry_again(t, &attempt);) {
        err[0] = '\0';
        rc = c->def->to_value(c->state, topic, hkey, data, len, schema, value, err, err_size);
    }
    return rc;
}

static void destroy_message(void *m)
{
    rd_kafka_message_destroy(m);
}

/* Convert and transform one consumed message; appends to run->recs unless dropped, and then
 * keeps `m` (owned by the record, record_set_user_owned: its original bytes are what a
 * sl_task_report sends to the DLQ) and sets *kept. SL_ERR when the task failed. */
static int process_message(rt_task *t, rd_kafka_message_t *m, bool *kept)
{
    *kept = false;
    sink_run *run = t->sink;
    const char *topic = rd_kafka_topic_name(m->rkt);
    ssize_t k = sink_tp_find(run, topic, m->partition);
    if (k < 0)
        k = sink_tp_add(run, topic, m->partition);
    if (k >= 0)
        run->tps[k].batch_next = m->offset + 1;

    rd_kafka_timestamp_type_t tstype;
    int64_t ts = rd_kafka_message_timestamp(m, &tstype);
    sl_record *rec =
        record_new_consumed(topic, m->partition, m->offset, ts,
                            tstype == RD_KAFKA_TIMESTAMP_CREATE_TIME       ? SL_TS_CREATE_TIME
                            : tstype == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME ? SL_TS_LOG_APPEND_TIME
                                                                           : SL_TS_NONE);
    if (rec == NULL) {
        task_fail(t, "out of memory building a sink record");
        return SL_ERR;
    }
    char err[1024];
    err[0] = '\0';
    sl_schema *schema = NULL;
    sl_value *value = NULL;
    error_stage stage = ERROR_STAGE_KEY_CONVERTER;
    converter_inst *conv = &t->conv.key;
    int rc = convert(t, conv, topic, NULL, m->key, m->key_len, &schema, &value, err, sizeof(err));
    if (rc == SL_OK) {
        sl_record_set_key(rec, schema, value);
        schema = NULL;
        value = NULL;
        stage = ERROR_STAGE_VALUE_CONVERTER;
        conv = &t->conv.value;
        rc = convert(t, conv, topic, NULL, m->payload, m->len, &schema, &value, err, sizeof(err));
    }
    if (rc == SL_OK) {
        sl_record_set_value(rec, schema, value);
        rd_kafka_headers_t *hdrs = NULL;
        stage = ERROR_STAGE_HEADER_CONVERTER;
        conv = &t->conv.header;
        if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR && hdrs != NULL) {
            const char *name;
            const void *hval;
            size_t hsize;
            for (size_t i = 0;
                 rc == SL_OK && rd_kafka_header_get_all(hdrs, i, &name, &hval, &hsize) ==
                                    RD_KAFKA_RESP_ERR_NO_ERROR;
                 i++) {
                schema = NULL;
                value = NULL;
                rc = convert(t, conv, topic, name, hval, hsize, &schema, &value, err, sizeof(err));
                if (rc == SL_OK)
                    sl_record_header_add(rec, name, schema, value);
            }
        }
    }
    if (rc != SL_OK) {
        bool skip = record_failed(t, stage, conv->def->class_name, rc == SL_ERR_RETRIABLE, m, rec,
                                  err[0] ? err : "conversion failed");
        sl_record_release(rec);
        return skip ? SL_OK : SL_ERR;
    }
    /* Connect's WorkerSinkTask records the consumed topic once the record is converted, before
     * transforms (which may rename or drop it). */
    task_topic_active(t, topic);
    if (transform_chain_size(t->chain) > 0) {
        rc = transform_chain_apply(t->chain, rec, err, sizeof(err));
        if (rc == SL_DROP) {
            sl_record_release(rec);
            return SL_OK;
        }
        if (rc < 0) {
            bool skip =
                record_failed(t, ERROR_STAGE_TRANSFORMATION, transform_chain_failed_class(t->chain),
                              rc == SL_ERR_RETRIABLE, m, rec, err);
            sl_record_release(rec);
            return skip ? SL_OK : SL_ERR;
        }
    }
    record_set_user_owned(rec, m, destroy_message);
    *kept = true;
    run->recs[run->nrecs++] = rec;
    return SL_OK;
}

/* Release the delivered (or abandoned) batch. Each record owns its consumed message, which
 * lives on while a sink keeps the record (released by the sink's stop at the latest). */
static void release_batch(sink_run *run)
{
    for (size_t i = 0; i < run->nrecs; i++)
        sl_record_release(run->recs[i]);
    run->nrecs = 0;
}

static void handle_consumer_error(rt_task *t, const rd_kafka_message_t *m)
{
    sink_run *run = t->sink;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
        return;
    char fatal[512];
    if (rd_kafka_fatal_error(run->rk, fatal, sizeof(fatal)) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        sink_set_fatal(t, "fatal consumer error: %s%s", fatal, "");
        return;
    }
    /* Transient (broker down, topic not yet created, ...): librdkafka recovers by itself;
     * warn once per distinct error so a long outage does not flood the log. */
    if (m->err != run->last_consumer_err) {
        run->last_consumer_err = m->err;
        LOG_WARN("runtime", "%s: consumer error: %s", t->label, rd_kafka_message_errstr(m));
    }
}

/* Poll up to SINK_BATCH_MAX messages: whatever is ready, else wait up to timeout_ms for the
 * first one (so a trickle is delivered at once and a flood in large batches). */
static size_t consume_batch(sink_run *run, int timeout_ms)
{
    ssize_t n = rd_kafka_consume_batch_queue(run->q, 0, run->msgs, SINK_BATCH_MAX);
    if (n > 0)
        return (size_t)n;
    rd_kafka_message_t *first = rd_kafka_consumer_poll(run->rk, timeout_ms);
    if (first == NULL)
        return 0;
    run->msgs[0] = first;
    n = rd_kafka_consume_batch_queue(run->q, 0, run->msgs + 1, SINK_BATCH_MAX - 1);
    return 1 + (size_t)(n > 0 ? n : 0);
}

/* Messages that arrive while every partition is paused (fetched just before the pause) are
 * not delivered now: seek back to the first one of each partition, so that nothing is skipped
 * when consumption resumes. Destroys the messages. */
static void rewind_undelivered(rt_task *t, size_t n)
{
    sink_run *run = t->sink;
    rd_kafka_topic_partition_list_t *l = NULL;
    for (size_t i = 0; i < n; i++) {
        rd_kafka_message_t *m = run->msgs[i];
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            const char *topic = rd_kafka_topic_name(m->rkt);
            if (l == NULL)
                l = rd_kafka_topic_partition_list_new(4);
            rd_kafka_topic_partition_t *e =
                rd_kafka_topic_partition_list_find(l, topic, m->partition);
            if (e == NULL)
                rd_kafka_topic_partition_list_add(l, topic, m->partition)->offset = m->offset;
            else if (m->offset < e->offset)
                e->offset = m->offset;
        } else {
            handle_consumer_error(t, m);
        }
        rd_kafka_message_destroy(m);
    }
    if (l == NULL)
        return;
    rd_kafka_error_t *err = rd_kafka_seek_partitions(run->rk, l, 5000);
    if (err != NULL) {
        LOG_WARN("runtime", "%s: rewinding paused partitions failed: %s", t->label,
                 rd_kafka_error_string(err));
        rd_kafka_error_destroy(err);
    }
    rd_kafka_topic_partition_list_destroy(l);
}

/* Deliver run->recs to put(). SL_OK (delivered or retrying later) or SL_ERR (failed). */
static int deliver(rt_task *t)
{
    sink_run *run = t->sink;
    char err[1024];
    err[0] = '\0';
    int rc = t->def->put(t->state, run->recs, run->nrecs, err, sizeof(err));
    if (rc == SL_ERR_RETRIABLE) {
        /* Connect: pause every partition, keep the batch and redeliver it after a backoff;
         * the consumer stays in the group meanwhile. */
        run->backoff_ms = run->retrying ? run->backoff_ms * 2 : SINK_RETRY_MIN_MS;
        if (run->backoff_ms > SINK_RETRY_MAX_MS)
            run->backoff_ms = SINK_RETRY_MAX_MS;
        run->retrying = true;
        run->retry_at = task_now_ms() + run->backoff_ms;
        LOG_WARN("runtime",
                 "%s: retriable error from put() of %zu record(s), retrying in %lld ms: %s",
                 t->label, run->nrecs, (long long)run->backoff_ms, err[0] ? err : "unknown error");
        return SL_OK;
    }
    if (rc != SL_OK) {
        char trace[1200];
        snprintf(trace, sizeof(trace), "put() failed: %s", err[0] ? err : "unknown error");
        task_fail(t, trace);
        return SL_ERR;
    }
    run->retrying = false;
    run->delivered += run->nrecs;
    release_batch(run);
    /* Everything consumed in the batch (including records dropped by transforms) is done. */
    for (size_t i = 0; i < run->ntps; i++)
        if (run->tps[i].batch_next >= 0) {
            run->tps[i].pos = run->tps[i].batch_next;
            run->tps[i].batch_next = -1;
        }
    return SL_OK;
}

/* One iteration: consume a batch and put it (or redeliver a retried one). */
static void sink_iteration(rt_task *t, int timeout_ms)
{
    sink_run *run = t->sink;
    if (run->retrying) {
        int64_t wait = run->retry_at - task_now_ms();
        if (wait > 0) {
            /* Serve rebalances while waiting; every partition is paused. */
            size_t n = consume_batch(run, (int)(wait < timeout_ms ? wait : timeout_ms));
            rewind_undelivered(t, n);
            return;
        }
        deliver(t);
        return;
    }
    size_t n = consume_batch(run, timeout_ms);
    size_t i = 0;
    for (; i < n && !t->failed; i++) {
        rd_kafka_message_t *m = run->msgs[i];
        bool kept = false;
        if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR)
            handle_consumer_error(t, m);
        else if (process_message(t, m, &kept) == SL_OK)
            run->consumed++;
        if (!kept)
            rd_kafka_message_destroy(m);
    }
    for (; i < n; i++)
        rd_kafka_message_destroy(run->msgs[i]);
    if (t->failed || run->fatal)
        return;
    /* Connect calls put() after every poll, also with no records, so that sinks can flush
     * on time; we do it when there were records or a poll timed out. */
    deliver(t);
}

static int subscribe(rt_task *t, char *errstr, size_t errstr_size)
{
    sink_run *run = t->sink;
    const char *topics = sl_props_get(t->conn_config, "topics");
    const char *regex = sl_props_get(t->conn_config, "topics.regex");
    bool has_topics = topics != NULL && strspn(topics, " \t,") != strlen(topics);
    bool has_regex = regex != NULL && regex[0] != '\0';
    if (has_topics && has_regex) {
        snprintf(errstr, errstr_size, "topics and topics.regex are mutually exclusive.");
        return SL_ERR;
    }
    if (!has_topics && !has_regex) {
        snprintf(errstr, errstr_size, "Must configure one of topics or topics.regex");
        return SL_ERR;
    }
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(8);
    if (has_regex) {
        /* Java's consumer matches the whole topic name; librdkafka takes a regex when the
         * name starts with '^' and searches it, so anchor both ends. */
        size_t len = strlen(regex);
        const char *body = regex;
        if (body[0] == '^') {
            body++;
            len--;
        }
        if (len > 0 && body[len - 1] == '$' && (len < 2 || body[len - 2] != '\\'))
            len--;
        char *pat = malloc(len + 5);
        snprintf(pat, len + 5, "^(%.*s)$", (int)len, body);
        rd_kafka_topic_partition_list_add(l, pat, RD_KAFKA_PARTITION_UA);
        free(pat);
    } else {
        char *copy = strdup(topics);
        char *save = NULL;
        for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            while (*tok == ' ' || *tok == '\t')
                tok++;
            char *end = tok + strlen(tok);
            while (end > tok && (end[-1] == ' ' || end[-1] == '\t'))
                *--end = '\0';
            if (*tok)
                rd_kafka_topic_partition_list_add(l, tok, RD_KAFKA_PARTITION_UA);
        }
        free(copy);
    }
    rd_kafka_resp_err_t err = rd_kafka_subscribe(run->rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(errstr, errstr_size, "cannot subscribe: %s", rd_kafka_err2str(err));
        return SL_ERR;
    }
    return SL_OK;
}

static rd_kafka_t *make_consumer(rt_task *t, char *errstr, size_t errstr_size)
{
    rd_kafka_conf_t *conf = clientconf_build(CLIENTCONF_CONSUMER, t->rt->worker_props,
                                             t->conn_config, errstr, errstr_size);
    if (conf == NULL)
        return NULL;
    char buf[512];
    const char *gid = sl_props_get(t->conn_config, "consumer.override.group.id");
    if (gid == NULL || gid[0] == '\0') {
        /* Connect's sink group: connect-<connector name>. */
        snprintf(buf, sizeof(buf), "connect-%s", t->conn);
        rd_kafka_conf_set(conf, "group.id", buf, NULL, 0);
    }
    if (!sl_props_get(t->rt->worker_props, "consumer.client.id") &&
        !sl_props_get(t->conn_config, "consumer.override.client.id")) {
        snprintf(buf, sizeof(buf), "connector-consumer-%s-%d", t->conn, t->id);
        rd_kafka_conf_set(conf, "client.id", buf, NULL, 0);
    }
    /* Offsets are committed explicitly from what put() accepted. */
    rd_kafka_conf_set(conf, "enable.auto.offset.store", "false", NULL, 0);
    rd_kafka_conf_set_rebalance_cb(conf, sink_on_rebalance);
    rd_kafka_conf_set_opaque(conf, t);
    char kerr[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, kerr, sizeof(kerr));
    if (rk == NULL) {
        rd_kafka_conf_destroy(conf);
        snprintf(errstr, errstr_size, "cannot create the consumer: %s", kerr);
        return NULL;
    }
    rd_kafka_poll_set_consumer(rk);
    return rk;
}

static void sink_loop(rt_task *t)
{
    sink_run *run = t->sink;
    runtime *rt = t->rt;
    int64_t next_commit = task_now_ms() + rt->flush_interval_ms;
    while (!atomic_load(&t->stopping) && !t->failed) {
        if (run->fatal) {
            task_fail(t, run->fatal_trace);
            break;
        }
        bool paused = task_sync_target(t);
        sink_sync_pause(run, paused || run->retrying);
        sink_apply_seeks(t);
        int64_t now = task_now_ms();
        int64_t until_commit = next_commit - now;
        int timeout = (int)(until_commit < 0                  ? 0
                            : until_commit > SINK_POLL_MAX_MS ? SINK_POLL_MAX_MS
                                                              : until_commit);
        if (paused) {
            /* Keep the group session and serve rebalances; nothing is fetched. */
            size_t n = consume_batch(run, timeout < 100 ? timeout : 100);
            rewind_undelivered(t, n);
        } else {
            sink_iteration(t, timeout);
        }
        if (t->failed)
            break;
        now = task_now_ms();
        if (now >= next_commit || atomic_exchange(&t->commit_requested, false)) {
            sink_commit_offsets(t, NULL);
            next_commit = now + rt->flush_interval_ms;
        }
    }
}

void sink_task_run(rt_task *t)
{
    sink_run *run = calloc(1, sizeof(*run));
    char err[2048];
    err[0] = '\0';
    if (run == NULL) {
        task_fail(t, "out of memory");
        return;
    }
    t->sink = run;
    run->recs = calloc(SINK_BATCH_MAX, sizeof(*run->recs));
    if (run->recs == NULL) {
        snprintf(err, sizeof(err), "out of memory");
        goto fail;
    }
    if (task_setup_common(t, err, sizeof(err)) != SL_OK)
        goto fail;
    run->rk = make_consumer(t, err, sizeof(err));
    if (run->rk == NULL)
        goto fail;
    run->q = rd_kafka_queue_get_consumer(run->rk);
    if (task_call_start(t, err, sizeof(err)) != SL_OK)
        goto fail;
    if (subscribe(t, err, sizeof(err)) != SL_OK)
        goto fail;
    LOG_INFO("runtime", "%s: sink task started", t->label);
    task_sync_target(t);
    sink_loop(t);
    goto done;
fail:
    task_fail(t, err);
done:
    if (run->rk != NULL && t->started) {
        /* Graceful stop (also after a failure, as Connect's closeAllPartitions): commit what
         * put() accepted, then close() every assigned partition. */
        pthread_mutex_lock(&t->lock);
        bool abandoned = t->abandoned;
        pthread_mutex_unlock(&t->lock);
        if (!abandoned && !run->fatal)
            sink_commit_offsets(t, NULL);
        if (t->def->close != NULL && run->ntps > 0) {
            rd_kafka_topic_partition_list_t *all =
                rd_kafka_topic_partition_list_new((int)run->ntps);
            for (size_t i = 0; i < run->ntps; i++)
                rd_kafka_topic_partition_list_add(all, run->tps[i].topic, run->tps[i].partition);
            sl_tp_offset *o = sink_to_tp_offsets(all);
            char cerr[1024] = "";
            if (o != NULL &&
                t->def->close(t->state, o, (size_t)all->cnt, cerr, sizeof(cerr)) != SL_OK)
                LOG_WARN("runtime", "%s: close() failed: %s", t->label,
                         cerr[0] ? cerr : "unknown error");
            free(o);
            rd_kafka_topic_partition_list_destroy(all);
        }
    }
    run->closing = true;
    release_batch(run);
    task_teardown_common(t);
    if (run->rk != NULL) {
        if (run->q != NULL)
            rd_kafka_queue_destroy(run->q);
        /* Leaves the group; the revoke callback only unassigns now that closing is set. */
        rd_kafka_consumer_close(run->rk);
        rd_kafka_destroy(run->rk);
    }
    if (run->seeks != NULL)
        rd_kafka_topic_partition_list_destroy(run->seeks);
    for (size_t i = 0; i < run->ntps; i++)
        free(run->tps[i].topic);
    free(run->tps);
    free(run->recs);
    LOG_INFO("runtime", "%s: sink task stopped (%llu consumed, %llu delivered)", t->label,
             (unsigned long long)run->consumed, (unsigned long long)run->delivered);
    free(run);
    t->sink = NULL;
    if (!t->failed)
        task_report(t, STATE_UNASSIGNED, NULL);
}
