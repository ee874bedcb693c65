/* runtime/dlq.c: the sink dead-letter producer: topic creation, records with the original bytes
 * and __connect.errors.* context headers, delivery accounting. */
#include "runtime/dlq.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka/clientconf.h"
#include "util/log.h"

#define DLQ_CREATE_TIMEOUT_MS 5000

struct dlq {
    rd_kafka_t *rk;
    rd_kafka_topic_t *rkt;
    char *topic;
    char *conn;
    int task_id;
    bool context_headers;
    uint64_t produced, failed;
    rd_kafka_resp_err_t last_err;
};

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    dlq *d = opaque;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        d->produced++;
        return;
    }
    d->failed++;
    /* Connect's reporter logs and counts a failed DLQ write; the record is not retried. Log
     * each distinct error once so a broken DLQ does not flood the log. */
    if (m->err != d->last_err) {
        d->last_err = m->err;
        LOG_ERROR("runtime", "Could not produce message to dead letter queue. topic=%s: %s",
                  d->topic, rd_kafka_err2str(m->err));
    }
}

/* Whether the cluster's metadata lists `topic` (1), does not (0), or cannot be read (-1). */
static int topic_exists(dlq *d)
{
    const struct rd_kafka_metadata *md = NULL;
    if (rd_kafka_metadata(d->rk, 1, NULL, &md, DLQ_CREATE_TIMEOUT_MS) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return -1;
    int found = 0;
    for (int i = 0; i < md->topic_cnt && !found; i++)
        found = strcmp(md->topics[i].topic, d->topic) == 0 &&
                md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR;
    rd_kafka_metadata_destroy(md);
    return found;
}

/* CreateTopics(topic, 1 partition, rf) unless it exists, as Connect's
 * DeadLetterQueueReporter.createAndSetup (which lists the topics first). */
static void create_topic(dlq *d, int rf)
{
    if (topic_exists(d) == 1)
        return;
    char err[512];
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(d->topic, 1, rf, err, sizeof(err));
    if (nt == NULL) {
        LOG_WARN("runtime", "cannot describe dead letter queue topic %s: %s", d->topic, err);
        return;
    }
    rd_kafka_queue_t *q = rd_kafka_queue_new(d->rk);
    rd_kafka_AdminOptions_t *opt = rd_kafka_AdminOptions_new(d->rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_request_timeout(opt, DLQ_CREATE_TIMEOUT_MS, NULL, 0);
    rd_kafka_CreateTopics(d->rk, &nt, 1, opt, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, DLQ_CREATE_TIMEOUT_MS + 2000);
    if (ev == NULL) {
        LOG_WARN("runtime", "creating dead letter queue topic %s timed out", d->topic);
    } else {
        const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(ev);
        size_t n = 0;
        const rd_kafka_topic_result_t **tr =
            res ? rd_kafka_CreateTopics_result_topics(res, &n) : NULL;
        rd_kafka_resp_err_t e = rd_kafka_event_error(ev);
        const char *msg = rd_kafka_event_error_string(ev);
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR && n > 0) {
            e = rd_kafka_topic_result_error(tr[0]);
            msg = rd_kafka_topic_result_error_string(tr[0]);
        }
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
            LOG_INFO("runtime", "created dead letter queue topic %s", d->topic);
        else if (e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
            LOG_WARN("runtime",
                     "cannot create dead letter queue topic %s (replication factor %d): %s",
                     d->topic, rf, msg ? msg : rd_kafka_err2str(e));
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_AdminOptions_destroy(opt);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(nt);
}

dlq *dlq_new(const sl_props *worker_props, const sl_props *conn_config, const char *topic,
             int replication_factor, bool context_headers, const char *conn, int task_id,
             char *errstr, size_t errstr_size)
{
    rd_kafka_conf_t *conf =
        clientconf_build(CLIENTCONF_PRODUCER, worker_props, conn_config, errstr, errstr_size);
    if (conf == NULL)
        return NULL;
    dlq *d = calloc(1, sizeof(*d));
    if (d == NULL || (d->topic = strdup(topic)) == NULL ||
        (d->conn = strdup(conn ? conn : "")) == NULL) {
        if (d != NULL) {
            free(d->topic);
            free(d);
        }
        rd_kafka_conf_destroy(conf);
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    d->task_id = task_id;
    d->context_headers = context_headers;
    char cid[256];
    if (!sl_props_get(worker_props, "producer.client.id") &&
        !sl_props_get(conn_config, "producer.override.client.id")) {
        /* Connect names its DLQ producer connector-dlq-producer-<connector>-<task>. */
        snprintf(cid, sizeof(cid), "connector-dlq-producer-%s-%d", d->conn, task_id);
        rd_kafka_conf_set(conf, "client.id", cid, NULL, 0);
    }
    /* A DLQ write that cannot be made within a few minutes is reported, not retried forever
     * (clientconf makes connector producers wait forever, which would block every commit). */
    rd_kafka_conf_set(conf, "delivery.timeout.ms", "120000", NULL, 0);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, d);
    char kerr[512];
    d->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, kerr, sizeof(kerr));
    if (d->rk == NULL) {
        rd_kafka_conf_destroy(conf);
        snprintf(errstr, errstr_size, "cannot create the dead letter queue producer: %s", kerr);
        free(d->topic);
        free(d->conn);
        free(d);
        return NULL;
    }
    create_topic(d, replication_factor > 0 ? replication_factor : 1);
    d->rkt = rd_kafka_topic_new(d->rk, d->topic, NULL);
    if (d->rkt == NULL) {
        snprintf(errstr, errstr_size, "cannot create a producer handle for topic %s", d->topic);
        dlq_destroy(d, 0);
        return NULL;
    }
    return d;
}

static void add_str(rd_kafka_headers_t *h, const char *key, const char *val)
{
    if (val != NULL)
        rd_kafka_header_add(h, key, -1, val, (ssize_t)strlen(val));
}

void dlq_add_context_headers(rd_kafka_headers_t *hdrs, const error_context *ctx, const char *conn,
                             int task_id)
{
    char num[32];
    add_str(hdrs, DLQ_HEADER_TOPIC, ctx->topic);
    if (ctx->partition >= 0) {
        snprintf(num, sizeof(num), "%" PRId32, ctx->partition);
        add_str(hdrs, DLQ_HEADER_PARTITION, num);
    }
    if (ctx->offset >= 0) {
        snprintf(num, sizeof(num), "%" PRId64, ctx->offset);
        add_str(hdrs, DLQ_HEADER_OFFSET, num);
    }
    add_str(hdrs, DLQ_HEADER_CONNECTOR_NAME, conn);
    snprintf(num, sizeof(num), "%d", task_id);
    add_str(hdrs, DLQ_HEADER_TASK_ID, num);
    add_str(hdrs, DLQ_HEADER_STAGE, error_stage_name(ctx->stage));
    add_str(hdrs, DLQ_HEADER_CLASS_NAME, ctx->class_name);
    const char *exc = error_exception_class(ctx);
    const char *msg = ctx->detail && ctx->detail[0] ? ctx->detail : "unknown error";
    add_str(hdrs, DLQ_HEADER_EXCEPTION_CLASS, exc);
    add_str(hdrs, DLQ_HEADER_EXCEPTION_MESSAGE, msg);
    /* No Java stack here: the trace names the exception, the stage and the executing class,
     * which is what people read the Java one for. */
    size_t cap = strlen(exc) + strlen(msg) + 128 + (ctx->class_name ? strlen(ctx->class_name) : 0);
    char *st = malloc(cap);
    if (st != NULL) {
        snprintf(st, cap, "%s: %s\n\tat %s(%s)", exc, msg, error_stage_name(ctx->stage),
                 ctx->class_name ? ctx->class_name : "unknown");
        add_str(hdrs, DLQ_HEADER_EXCEPTION_STACKTRACE, st);
        free(st);
    }
}

int dlq_send(dlq *d, const error_context *ctx)
{
    rd_kafka_headers_t *hdrs =
        ctx->raw_headers ? rd_kafka_headers_copy(ctx->raw_headers) : rd_kafka_headers_new(10);
    if (d->context_headers)
        dlq_add_context_headers(hdrs, ctx, d->conn, d->task_id);
    for (;;) {
        rd_kafka_resp_err_t err = rd_kafka_producev(
            d->rk, RD_KAFKA_V_RKT(d->rkt), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_KEY(ctx->raw_key, ctx->raw_key_len),
            RD_KAFKA_V_VALUE((void *)ctx->raw_value, ctx->raw_value_len),
            RD_KAFKA_V_TIMESTAMP(ctx->raw_timestamp > 0 ? ctx->raw_timestamp : 0),
            RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
            break;
        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            rd_kafka_poll(d->rk, 50);
            continue;
        }
        rd_kafka_headers_destroy(hdrs);
        d->failed++;
        LOG_ERROR("runtime", "Could not produce message to dead letter queue. topic=%s: %s",
                  d->topic, rd_kafka_err2str(err));
        return SL_ERR;
    }
    rd_kafka_poll(d->rk, 0);
    return SL_OK;
}

int dlq_flush(dlq *d, int timeout_ms)
{
    if (d == NULL)
        return SL_OK;
    if (rd_kafka_outq_len(d->rk) == 0) {
        rd_kafka_poll(d->rk, 0);
        return SL_OK;
    }
    return rd_kafka_flush(d->rk, timeout_ms) == RD_KAFKA_RESP_ERR_NO_ERROR ? SL_OK : SL_ERR;
}

uint64_t dlq_produced(const dlq *d)
{
    return d ? d->produced : 0;
}

uint64_t dlq_failed(const dlq *d)
{
    return d ? d->failed : 0;
}

void dlq_destroy(dlq *d, int timeout_ms)
{
    if (d == NULL)
        return;
    if (d->rk != NULL) {
        if (dlq_flush(d, timeout_ms) != SL_OK)
            LOG_ERROR("runtime", "%d record(s) not written to dead letter queue %s at shutdown",
                      rd_kafka_outq_len(d->rk), d->topic);
        if (d->rkt != NULL)
            rd_kafka_topic_destroy(d->rkt);
        rd_kafka_destroy(d->rk);
    }
    free(d->topic);
    free(d->conn);
    free(d);
}
