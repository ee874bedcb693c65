/* store/offset_log.c: source offsets in the offsets topic: an in-memory map of key bytes to
 * value bytes rebuilt by a kafka_log, writes acknowledged within offset.flush.timeout.ms. */
#define _GNU_SOURCE
#include "store/offset_log.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/kafka_log.h"
#include "store/topic_admin.h"
#include "util/log.h"

#define OL_LOGGER "offset-log"
#define OL_READ_TIMEOUT_MS 30000
#define OL_START_TIMEOUT_MS 60000

typedef struct offset_log {
    offset_store base; /* must stay first: the store interface casts to it */
    kafka_log *log;
    pthread_mutex_t lock; /* guards map */
    /* key bytes -> JSON string holding the value bytes. The _nocheck jansson calls keep any
     * bytes (another writer's key need not be valid UTF-8), and lengths are explicit. */
    json_t *map;
    long flush_timeout_ms;
} offset_log;

static void ol_on_record(void *opaque, const kafka_log_record *rec)
{
    offset_log *ol = opaque;
    if (rec->key == NULL) {
        LOG_WARN(OL_LOGGER, "ignoring an offset record without a key at %d/%lld",
                 rec->partition, (long long)rec->offset);
        return;
    }
    pthread_mutex_lock(&ol->lock);
    if (rec->value == NULL) {
        json_object_deln(ol->map, rec->key, rec->key_len);
    } else {
        json_t *v = json_stringn_nocheck(rec->value, rec->value_len);
        if (v == NULL || json_object_setn_new_nocheck(ol->map, rec->key, rec->key_len, v) != 0)
            LOG_ERROR(OL_LOGGER, "out of memory storing an offset");
    }
    pthread_mutex_unlock(&ol->lock);
}

static int ol_get(offset_store *s, const char *key, size_t key_len, char **value,
                  size_t *value_len, char *errstr, size_t errstr_size)
{
    offset_log *ol = (offset_log *)s;
    *value = NULL;
    if (value_len != NULL)
        *value_len = 0;
    char err[512];
    if (kafka_log_read_to_end(ol->log, OL_READ_TIMEOUT_MS, err, sizeof(err)) != SL_OK)
        LOG_WARN(OL_LOGGER, "serving offsets read so far: %s", err);
    int rc = SL_OK;
    pthread_mutex_lock(&ol->lock);
    json_t *v = json_object_getn(ol->map, key, key_len);
    if (v != NULL) {
        size_t len = json_string_length(v);
        *value = malloc(len + 1);
        if (*value == NULL) {
            snprintf(errstr, errstr_size, "out of memory");
            rc = SL_ERR;
        } else {
            memcpy(*value, json_string_value(v), len);
            (*value)[len] = '\0';
            if (value_len != NULL)
                *value_len = len;
        }
    }
    pthread_mutex_unlock(&ol->lock);
    return rc;
}

static int ol_put(offset_store *s, const offset_entry *entries, size_t n, char *errstr,
                  size_t errstr_size)
{
    offset_log *ol = (offset_log *)s;
    if (n == 0)
        return SL_OK;
    kafka_log_msg *m = calloc(n, sizeof(*m));
    if (m == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    for (size_t i = 0; i < n; i++) {
        if (entries[i].key == NULL) {
            free(m);
            snprintf(errstr, errstr_size, "offset entry without a key");
            return SL_ERR;
        }
        m[i] = (kafka_log_msg){.key = entries[i].key, .key_len = entries[i].key_len,
                               .value = entries[i].value, .value_len = entries[i].value_len};
    }
    int rc = kafka_log_write(ol->log, m, n, (int)ol->flush_timeout_ms, errstr, errstr_size);
    free(m);
    return rc;
}

static int ol_foreach(offset_store *s, int (*fn)(void *opaque, const offset_entry *e),
                      void *opaque)
{
    offset_log *ol = (offset_log *)s;
    int rc = 0;
    pthread_mutex_lock(&ol->lock);
    const char *k;
    json_t *v;
    void *it = json_object_iter(ol->map);
    while (it != NULL && rc == 0) {
        k = json_object_iter_key(it);
        v = json_object_iter_value(it);
        offset_entry e = {.key = k, .key_len = json_object_iter_key_len(it),
                          .value = json_string_value(v), .value_len = json_string_length(v)};
        rc = fn(opaque, &e);
        it = json_object_iter_next(ol->map, it);
    }
    pthread_mutex_unlock(&ol->lock);
    return rc;
}

static void ol_destroy(offset_store *s)
{
    offset_log *ol = (offset_log *)s;
    kafka_log_destroy(ol->log, 5000);
    json_decref(ol->map);
    pthread_mutex_destroy(&ol->lock);
    free(ol);
}

static const offset_store_ops ol_ops = {
    .get = ol_get,
    .put = ol_put,
    .foreach = ol_foreach,
    .destroy = ol_destroy,
};

offset_store *offset_log_open_topic(const sl_props *worker, const char *topic,
                                    const char *client_id, char *errstr, size_t errstr_size)
{
    offset_log *ol = calloc(1, sizeof(*ol));
    if (ol == NULL || (ol->map = json_object()) == NULL) {
        free(ol);
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    ol->base.ops = &ol_ops;
    pthread_mutex_init(&ol->lock, NULL);
    if (kafka_log_int_prop(worker, "offset.flush.timeout.ms", 5000, &ol->flush_timeout_ms,
                           errstr, errstr_size) != SL_OK ||
        (ol->log = kafka_log_new(worker, topic, client_id, ol_on_record, ol, errstr,
                                 errstr_size)) == NULL ||
        kafka_log_start(ol->log, OL_START_TIMEOUT_MS, errstr, errstr_size) != SL_OK) {
        ol_destroy(&ol->base);
        return NULL;
    }
    if (ol->flush_timeout_ms <= 0)
        ol->flush_timeout_ms = 5000;
    LOG_DEBUG(OL_LOGGER, "read %zu offsets from %s", json_object_size(ol->map), topic);
    return &ol->base;
}

offset_store *offset_log_open(const sl_props *worker, char *errstr, size_t errstr_size)
{
    if (topic_admin_ensure(worker, TOPIC_ADMIN_OFFSETS, 30000, NULL, errstr, errstr_size) !=
        SL_OK)
        return NULL;
    char cid[256];
    if (kafka_log_client_id(worker, "offsets", cid, sizeof(cid)) != SL_OK) {
        snprintf(errstr, errstr_size, "group.id or client.id too long");
        return NULL;
    }
    return offset_log_open_topic(worker, sl_props_get(worker, "offset.storage.topic"), cid,
                                 errstr, errstr_size);
}
