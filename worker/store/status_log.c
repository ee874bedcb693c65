/* store/status_log.c: the status store over the status topic: a kafka_log feeding the cache of
 * status_cache.c, with asynchronous writes as Connect's KafkaStatusBackingStore does. */
#define _GNU_SOURCE
#include "store/status_log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/kafka_log.h"
#include "store/topic_admin.h"
#include "util/log.h"

#define SL_LOGGER "status-log"
#define SL_START_TIMEOUT_MS 60000

struct status_log {
    kafka_log *log;
    status_cache *cache;
    pthread_mutex_t lock; /* recursive: listeners may read the cache from the callback */
};

static void sl_on_record(void *opaque, const kafka_log_record *rec)
{
    status_log *sl = opaque;
    pthread_mutex_lock(&sl->lock);
    status_cache_apply(sl->cache, rec->key, rec->key_len, rec->value, rec->value_len);
    pthread_mutex_unlock(&sl->lock);
}

status_log *status_log_open(const sl_props *worker, const status_log_listener *listener,
                            char *errstr, size_t errstr_size)
{
    if (topic_admin_ensure(worker, TOPIC_ADMIN_STATUS, 30000, NULL, errstr, errstr_size) !=
        SL_OK)
        return NULL;
    status_log *sl = calloc(1, sizeof(*sl));
    if (sl == NULL || (sl->cache = status_cache_new(listener)) == NULL) {
        free(sl);
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&sl->lock, &a);
    pthread_mutexattr_destroy(&a);
    char cid[256];
    if (kafka_log_client_id(worker, "statuses", cid, sizeof(cid)) != SL_OK) {
        snprintf(errstr, errstr_size, "group.id or client.id too long");
        status_log_close(sl);
        return NULL;
    }
    sl->log = kafka_log_new(worker, sl_props_get(worker, "status.storage.topic"), cid,
                            sl_on_record, sl, errstr, errstr_size);
    if (sl->log == NULL ||
        kafka_log_start(sl->log, SL_START_TIMEOUT_MS, errstr, errstr_size) != SL_OK) {
        status_log_close(sl);
        return NULL;
    }
    return sl;
}

void status_log_close(status_log *sl)
{
    if (sl == NULL)
        return;
    kafka_log_destroy(sl->log, 5000);
    status_cache_free(sl->cache);
    pthread_mutex_destroy(&sl->lock);
    free(sl);
}

static int sl_send(status_log *sl, int enc_rc, char *key, char *value, char *errstr,
                   size_t errstr_size)
{
    if (enc_rc != SL_OK) {
        snprintf(errstr, errstr_size, "cannot encode the status record (invalid UTF-8?)");
        return SL_ERR;
    }
    kafka_log_msg m = {.key = key, .key_len = strlen(key), .value = value,
                       .value_len = value ? strlen(value) : 0};
    int rc = kafka_log_send(sl->log, &m, errstr, errstr_size);
    free(key);
    free(value);
    return rc;
}

int status_log_put(status_log *sl, const char *conn, int task, const char *state,
                   const char *trace, const char *worker_id, int32_t generation, char *errstr,
                   size_t errstr_size)
{
    if (state == NULL) {
        snprintf(errstr, errstr_size, "status without a state");
        return SL_ERR;
    }
    char *k, *v;
    int rc = status_encode(conn, task, state, trace, worker_id, generation, &k, &v);
    return sl_send(sl, rc, k, v, errstr, errstr_size);
}

int status_log_put_safe(status_log *sl, const char *conn, int task, const char *state,
                        const char *trace, const char *worker_id, int32_t generation,
                        bool *written, char *errstr, size_t errstr_size)
{
    pthread_mutex_lock(&sl->lock);
    bool ok = status_cache_can_write_safely(sl->cache, conn, task, worker_id, generation);
    pthread_mutex_unlock(&sl->lock);
    if (written)
        *written = ok;
    if (!ok) {
        LOG_DEBUG(SL_LOGGER, "not writing %s for %s/%d: another worker owns it in a newer "
                  "generation", state, conn, task);
        return SL_OK;
    }
    return status_log_put(sl, conn, task, state, trace, worker_id, generation, errstr,
                          errstr_size);
}

int status_log_remove(status_log *sl, const char *conn, int task, char *errstr,
                      size_t errstr_size)
{
    char *k, *v;
    int rc = status_encode(conn, task, NULL, NULL, NULL, 0, &k, &v);
    return sl_send(sl, rc, k, v, errstr, errstr_size);
}

int status_log_put_topic(status_log *sl, const char *conn, int task, const char *topic,
                         int64_t discover_ts, char *errstr, size_t errstr_size)
{
    pthread_mutex_lock(&sl->lock);
    bool have = status_cache_has_topic(sl->cache, conn, topic);
    pthread_mutex_unlock(&sl->lock);
    if (have)
        return SL_OK;
    char *k, *v;
    int rc = status_encode_topic(topic, conn, task, discover_ts, false, &k, &v);
    return sl_send(sl, rc, k, v, errstr, errstr_size);
}

int status_log_remove_topic(status_log *sl, const char *conn, const char *topic, char *errstr,
                            size_t errstr_size)
{
    char *k, *v;
    int rc = status_encode_topic(topic, conn, 0, 0, true, &k, &v);
    return sl_send(sl, rc, k, v, errstr, errstr_size);
}

int status_log_get(status_log *sl, const char *conn, int task, status_entry *out)
{
    memset(out, 0, sizeof(*out));
    pthread_mutex_lock(&sl->lock);
    const status_entry *e = status_cache_find(sl->cache, conn, task);
    int rc = SL_ERR;
    if (e != NULL) {
        out->state = strdup(e->state);
        out->trace = e->trace ? strdup(e->trace) : NULL;
        out->worker_id = strdup(e->worker_id);
        out->generation = e->generation;
        rc = out->state && out->worker_id ? SL_OK : SL_ERR;
    }
    pthread_mutex_unlock(&sl->lock);
    if (rc != SL_OK)
        status_entry_fini(out);
    return rc;
}

char **status_log_topics(status_log *sl, const char *conn)
{
    pthread_mutex_lock(&sl->lock);
    char **t = status_cache_topics(sl->cache, conn);
    pthread_mutex_unlock(&sl->lock);
    return t;
}

int status_log_read_to_end(status_log *sl, int timeout_ms, char *errstr, size_t errstr_size)
{
    return kafka_log_read_to_end(sl->log, timeout_ms, errstr, errstr_size);
}

int status_log_flush(status_log *sl, int timeout_ms)
{
    return kafka_log_flush(sl->log, timeout_ms);
}
