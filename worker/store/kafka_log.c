/* store/kafka_log.c: Connect's KafkaBasedLog over librdkafka: a producer waiting for acks=all
 * and an assign()-mode consumer thread that reads a whole topic and keeps tailing it. */
#define _GNU_SOURCE
#include "store/kafka_log.h"

#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kafka/clientconf.h"
#include "util/log.h"

#define KL_LOGGER "kafka-log"

/* Outstanding acknowledgements of one kafka_log_write (or NULL for kafka_log_send). Shared
 * between the writer and the delivery callbacks, freed by whichever drops the last reference,
 * because a writer that timed out returns while librdkafka still holds its messages. */
typedef struct kl_ack {
    int refs;          /* pending messages + 1 while the writer waits; guarded by l->lock */
    int pending;       /* messages not yet reported */
    rd_kafka_resp_err_t err;
    char errstr[256];
} kl_ack;

struct kafka_log {
    char *topic;
    kafka_log_cb cb;
    void *opaque;
    rd_kafka_t *producer;
    rd_kafka_t *consumer;
    int nparts;
    int64_t *pos;            /* next offset to hand to the callback, per partition */
    pthread_mutex_t lock;    /* guards pos and every kl_ack */
    pthread_cond_t moved;    /* signalled when pos advances */
    pthread_t thread;
    bool started;
    atomic_bool stop;
};

static int64_t kl_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int kafka_log_client_id(const sl_props *worker, const char *suffix, char *out, size_t out_size)
{
    const char *group = worker ? sl_props_get(worker, "group.id") : NULL;
    const char *cid = worker ? sl_props_get(worker, "client.id") : NULL;
    int n;
    if (cid != NULL && *cid != '\0')
        n = snprintf(out, out_size, "%s-%s-%s", group ? group : "", cid, suffix);
    else
        n = snprintf(out, out_size, "%s-%s", group ? group : "", suffix);
    return (n < 0 || (size_t)n >= out_size) ? SL_ERR : SL_OK;
}

int kafka_log_int_prop(const sl_props *worker, const char *key, long def, long *out,
                       char *errstr, size_t errstr_size)
{
    const char *v = worker ? sl_props_get(worker, key) : NULL;
    *out = def;
    if (v == NULL || *v == '\0')
        return SL_OK;
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    while (*end == ' ')
        end++;
    if (errno != 0 || end == v || *end != '\0') {
        snprintf(errstr, errstr_size, "Invalid value %s for configuration %s: Not a number of type INT",
                 v, key);
        return SL_ERR;
    }
    *out = x;
    return SL_OK;
}

/* Delivery reports arrive on whichever thread polls the producer. */
static void kl_dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    kafka_log *l = opaque;
    kl_ack *ack = m->_private;
    if (ack == NULL) {
        if (m->err)
            LOG_WARN(KL_LOGGER, "write to %s failed: %s", l->topic, rd_kafka_err2str(m->err));
        return;
    }
    pthread_mutex_lock(&l->lock);
    if (m->err && ack->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        ack->err = m->err;
        snprintf(ack->errstr, sizeof(ack->errstr), "write to %s failed: %s", l->topic,
                 rd_kafka_err2str(m->err));
    }
    ack->pending--;
    bool last = --ack->refs == 0;
    pthread_mutex_unlock(&l->lock);
    if (last)
        free(ack);
}

static int kl_set(rd_kafka_conf_t *conf, const char *k, const char *v, char *errstr,
                  size_t errstr_size)
{
    if (rd_kafka_conf_set(conf, k, v, errstr, errstr_size) != RD_KAFKA_CONF_OK)
        return SL_ERR;
    return SL_OK;
}

kafka_log *kafka_log_new(const sl_props *worker, const char *topic, const char *client_id,
                         kafka_log_cb cb, void *opaque, char *errstr, size_t errstr_size)
{
    if (topic == NULL || *topic == '\0') {
        snprintf(errstr, errstr_size, "internal topic name is empty");
        return NULL;
    }
    kafka_log *l = calloc(1, sizeof(*l));
    if (l == NULL || (l->topic = strdup(topic)) == NULL) {
        free(l);
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    l->cb = cb;
    l->opaque = opaque;
    pthread_mutex_init(&l->lock, NULL);
    pthread_cond_init(&l->moved, NULL);

    char err[512];
    rd_kafka_conf_t *pc = clientconf_build(CLIENTCONF_INTERNAL_PRODUCER, worker, NULL, err,
                                           sizeof(err));
    if (pc == NULL)
        goto fail_conf;
    /* murmur2_random is Java's default partitioner: a key lands where a Java worker puts it. */
    if (kl_set(pc, "client.id", client_id, err, sizeof(err)) != SL_OK ||
        kl_set(pc, "partitioner", "murmur2_random", err, sizeof(err)) != SL_OK) {
        rd_kafka_conf_destroy(pc);
        goto fail_conf;
    }
    rd_kafka_conf_set_dr_msg_cb(pc, kl_dr_cb);
    rd_kafka_conf_set_opaque(pc, l);
    l->producer = rd_kafka_new(RD_KAFKA_PRODUCER, pc, err, sizeof(err));
    if (l->producer == NULL) {
        rd_kafka_conf_destroy(pc);
        goto fail_conf;
    }

    rd_kafka_conf_t *cc = clientconf_build(CLIENTCONF_INTERNAL_CONSUMER, worker, NULL, err,
                                           sizeof(err));
    if (cc == NULL)
        goto fail_conf;
    /* librdkafka's high-level consumer needs a group.id even in assign() mode; no group is
     * ever joined and nothing is committed, as with Connect's KafkaBasedLog. */
    if (kl_set(cc, "client.id", client_id, err, sizeof(err)) != SL_OK ||
        kl_set(cc, "group.id", client_id, err, sizeof(err)) != SL_OK ||
        kl_set(cc, "enable.auto.commit", "false", err, sizeof(err)) != SL_OK ||
        kl_set(cc, "enable.auto.offset.store", "false", err, sizeof(err)) != SL_OK ||
        /* Tailing latency: a fetch waiting for new records returns within 100 ms. */
        kl_set(cc, "fetch.wait.max.ms", "100", err, sizeof(err)) != SL_OK) {
        rd_kafka_conf_destroy(cc);
        goto fail_conf;
    }
    l->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, cc, err, sizeof(err));
    if (l->consumer == NULL) {
        rd_kafka_conf_destroy(cc);
        goto fail_conf;
    }
    return l;

fail_conf:
    snprintf(errstr, errstr_size, "cannot create the clients for topic %s: %s", topic, err);
    kafka_log_destroy(l, 0);
    return NULL;
}

/* Find the topic's partition count, retrying while the cluster is still electing leaders. */
static int kl_partitions(kafka_log *l, int timeout_ms, char *errstr, size_t errstr_size)
{
    int64_t deadline = kl_now_ms() + timeout_ms;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(l->consumer, l->topic, NULL);
    if (rkt == NULL) {
        snprintf(errstr, errstr_size, "topic %s: %s", l->topic,
                 rd_kafka_err2str(rd_kafka_last_error()));
        return SL_ERR;
    }
    rd_kafka_resp_err_t last = RD_KAFKA_RESP_ERR_NO_ERROR;
    int n = -1;
    do {
        const struct rd_kafka_metadata *md = NULL;
        int left = (int)(deadline - kl_now_ms());
        last = rd_kafka_metadata(l->consumer, 0, rkt, &md, left > 100 ? left : 100);
        if (last == RD_KAFKA_RESP_ERR_NO_ERROR) {
            if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
                md->topics[0].partition_cnt > 0)
                n = md->topics[0].partition_cnt;
            else if (md->topic_cnt == 1)
                last = md->topics[0].err;
            rd_kafka_metadata_destroy(md);
        }
        if (n > 0)
            break;
        struct timespec ts = {0, 100 * 1000000};
        nanosleep(&ts, NULL);
    } while (kl_now_ms() < deadline);
    rd_kafka_topic_destroy(rkt);
    if (n <= 0) {
        snprintf(errstr, errstr_size, "cannot find the partitions of topic %s: %s", l->topic,
                 last ? rd_kafka_err2str(last) : "no partitions");
        return SL_ERR;
    }
    l->nparts = n;
    return SL_OK;
}

static void *kl_thread(void *arg)
{
    kafka_log *l = arg;
    while (!atomic_load(&l->stop)) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(l->consumer, 100);
        /* Serve delivery reports of fire-and-forget sends even when no writer polls. */
        rd_kafka_poll(l->producer, 0);
        if (m == NULL)
            continue;
        if (m->err) {
            if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                LOG_WARN(KL_LOGGER, "reading %s: %s", l->topic, rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
            continue;
        }
        kafka_log_record rec = {
            .partition = m->partition,
            .offset = m->offset,
            .key = m->key,
            .key_len = m->key_len,
            .value = m->payload,
            .value_len = m->payload ? m->len : 0,
        };
        if (l->cb != NULL)
            l->cb(l->opaque, &rec);
        pthread_mutex_lock(&l->lock);
        if (m->partition >= 0 && m->partition < l->nparts && l->pos[m->partition] <= m->offset)
            l->pos[m->partition] = m->offset + 1;
        pthread_cond_broadcast(&l->moved);
        pthread_mutex_unlock(&l->lock);
        rd_kafka_message_destroy(m);
    }
    return NULL;
}

int kafka_log_start(kafka_log *l, int timeout_ms, char *errstr, size_t errstr_size)
{
    int64_t deadline = kl_now_ms() + timeout_ms;
    if (l->started) {
        snprintf(errstr, errstr_size, "log over %s already started", l->topic);
        return SL_ERR;
    }
    if (kl_partitions(l, timeout_ms, errstr, errstr_size) != SL_OK)
        return SL_ERR;
    l->pos = calloc((size_t)l->nparts, sizeof(*l->pos));
    rd_kafka_topic_partition_list_t *tl = rd_kafka_topic_partition_list_new(l->nparts);
    if (l->pos == NULL || tl == NULL) {
        if (tl)
            rd_kafka_topic_partition_list_destroy(tl);
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    for (int p = 0; p < l->nparts; p++)
        rd_kafka_topic_partition_list_add(tl, l->topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_resp_err_t e = rd_kafka_assign(l->consumer, tl);
    rd_kafka_topic_partition_list_destroy(tl);
    if (e) {
        snprintf(errstr, errstr_size, "cannot assign the partitions of %s: %s", l->topic,
                 rd_kafka_err2str(e));
        return SL_ERR;
    }
    if (pthread_create(&l->thread, NULL, kl_thread, l) != 0) {
        snprintf(errstr, errstr_size, "cannot start the reader thread for %s", l->topic);
        return SL_ERR;
    }
    l->started = true;
    int left = (int)(deadline - kl_now_ms());
    return kafka_log_read_to_end(l, left > 0 ? left : 1, errstr, errstr_size);
}

int kafka_log_read_to_end(kafka_log *l, int timeout_ms, char *errstr, size_t errstr_size)
{
    if (!l->started) {
        snprintf(errstr, errstr_size, "log over %s is not started", l->topic);
        return SL_ERR;
    }
    int64_t deadline = kl_now_ms() + timeout_ms;
    int64_t *end = calloc((size_t)l->nparts, sizeof(*end));
    if (end == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    int rc = SL_OK;
    /* One ListOffsets(latest) per broker for all partitions at once. */
    rd_kafka_topic_partition_list_t *tl = rd_kafka_topic_partition_list_new(l->nparts);
    for (int p = 0; p < l->nparts; p++)
        rd_kafka_topic_partition_list_add(tl, l->topic, p)->offset = RD_KAFKA_OFFSET_END;
    rd_kafka_resp_err_t e = rd_kafka_offsets_for_times(l->consumer, tl, timeout_ms);
    for (int i = 0; e == RD_KAFKA_RESP_ERR_NO_ERROR && i < tl->cnt; i++) {
        const rd_kafka_topic_partition_t *tp = &tl->elems[i];
        if (tp->err)
            e = tp->err;
        else if (tp->partition >= 0 && tp->partition < l->nparts)
            end[tp->partition] = tp->offset < 0 ? 0 : tp->offset;
    }
    rd_kafka_topic_partition_list_destroy(tl);
    if (e) {
        snprintf(errstr, errstr_size, "cannot read the end offsets of %s: %s", l->topic,
                 rd_kafka_err2str(e));
        rc = SL_ERR;
    }
    pthread_mutex_lock(&l->lock);
    for (int p = 0; p < l->nparts && rc == SL_OK; p++) {
        while (l->pos[p] < end[p]) {
            int64_t left = deadline - kl_now_ms();
            if (left <= 0) {
                snprintf(errstr, errstr_size,
                         "timed out reading %s to its end: partition %d at offset %lld of %lld",
                         l->topic, p, (long long)l->pos[p], (long long)end[p]);
                rc = SL_ERR;
                break;
            }
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            int64_t step = left < 100 ? left : 100;
            ts.tv_nsec += (long)(step % 1000) * 1000000;
            ts.tv_sec += step / 1000 + ts.tv_nsec / 1000000000;
            ts.tv_nsec %= 1000000000;
            pthread_cond_timedwait(&l->moved, &l->lock, &ts);
        }
    }
    pthread_mutex_unlock(&l->lock);
    free(end);
    LOG_DEBUG(KL_LOGGER, "read %s to its end in %lld ms", l->topic,
              (long long)(kl_now_ms() - (deadline - timeout_ms)));
    return rc;
}

static int kl_produce(kafka_log *l, const kafka_log_msg *m, kl_ack *ack, int64_t deadline,
                      char *errstr, size_t errstr_size)
{
    for (;;) {
        rd_kafka_resp_err_t e = rd_kafka_producev(
            l->producer, RD_KAFKA_V_TOPIC(l->topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_KEY((void *)m->key, m->key ? m->key_len : 0),
            RD_KAFKA_V_VALUE((void *)m->value, m->value ? m->value_len : 0),
            RD_KAFKA_V_OPAQUE(ack), RD_KAFKA_V_END);
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
            return SL_OK;
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL || kl_now_ms() >= deadline) {
            snprintf(errstr, errstr_size, "cannot write to %s: %s", l->topic,
                     rd_kafka_err2str(e));
            return SL_ERR;
        }
        rd_kafka_poll(l->producer, 10);
    }
}

int kafka_log_write(kafka_log *l, const kafka_log_msg *msgs, size_t n, int timeout_ms,
                    char *errstr, size_t errstr_size)
{
    int64_t deadline = kl_now_ms() + timeout_ms;
    kl_ack *ack = calloc(1, sizeof(*ack));
    if (ack == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    ack->refs = 1;
    int rc = SL_OK;
    for (size_t i = 0; i < n; i++) {
        pthread_mutex_lock(&l->lock);
        ack->refs++;
        ack->pending++;
        pthread_mutex_unlock(&l->lock);
        if (kl_produce(l, &msgs[i], ack, deadline, errstr, errstr_size) != SL_OK) {
            pthread_mutex_lock(&l->lock);
            ack->refs--;
            ack->pending--;
            pthread_mutex_unlock(&l->lock);
            rc = SL_ERR;
            break;
        }
    }
    for (;;) {
        pthread_mutex_lock(&l->lock);
        int pending = ack->pending;
        pthread_mutex_unlock(&l->lock);
        int64_t left = deadline - kl_now_ms();
        if (pending == 0 || left <= 0)
            break;
        rd_kafka_poll(l->producer, left < 50 ? (int)left : 50);
    }
    pthread_mutex_lock(&l->lock);
    if (rc == SL_OK && ack->pending > 0) {
        snprintf(errstr, errstr_size, "timed out after %d ms waiting for %d of %zu writes to %s "
                 "to be acknowledged", timeout_ms, ack->pending, n, l->topic);
        rc = SL_ERR;
    } else if (rc == SL_OK && ack->err) {
        snprintf(errstr, errstr_size, "%s", ack->errstr);
        rc = SL_ERR;
    }
    bool last = --ack->refs == 0;
    pthread_mutex_unlock(&l->lock);
    if (last)
        free(ack);
    LOG_DEBUG(KL_LOGGER, "wrote %zu records to %s in %lld ms", n, l->topic,
              (long long)(kl_now_ms() - (deadline - timeout_ms)));
    return rc;
}

int kafka_log_send(kafka_log *l, const kafka_log_msg *msg, char *errstr, size_t errstr_size)
{
    return kl_produce(l, msg, NULL, kl_now_ms() + 1000, errstr, errstr_size);
}

int kafka_log_flush(kafka_log *l, int timeout_ms)
{
    return rd_kafka_flush(l->producer, timeout_ms) == RD_KAFKA_RESP_ERR_NO_ERROR ? SL_OK
                                                                                 : SL_ERR;
}

int kafka_log_partition_count(const kafka_log *l)
{
    return l->nparts;
}

const char *kafka_log_topic(const kafka_log *l)
{
    return l->topic;
}

void kafka_log_destroy(kafka_log *l, int flush_timeout_ms)
{
    if (l == NULL)
        return;
    if (l->started) {
        atomic_store(&l->stop, true);
        pthread_join(l->thread, NULL);
    }
    if (l->consumer != NULL) {
        rd_kafka_consumer_close(l->consumer);
        rd_kafka_destroy(l->consumer);
    }
    if (l->producer != NULL) {
        if (flush_timeout_ms > 0 && rd_kafka_flush(l->producer, flush_timeout_ms) != 0)
            LOG_WARN(KL_LOGGER, "closing %s with %d writes unacknowledged", l->topic,
                     rd_kafka_outq_len(l->producer));
        /* Purged messages still get delivery reports; serve them so no ack record leaks. */
        rd_kafka_purge(l->producer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        rd_kafka_poll(l->producer, 0);
        rd_kafka_destroy(l->producer);
    }
    pthread_cond_destroy(&l->moved);
    pthread_mutex_destroy(&l->lock);
    free(l->pos);
    free(l->topic);
    free(l);
}
