/* store/config_log.c: the config store over the config topic: a kafka_log feeding the state
 * machine of config_state.c, and writers that wait for acks and read their writes back. */
#define _GNU_SOURCE
#include "store/config_log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/kafka_log.h"
#include "store/topic_admin.h"
#include "util/log.h"

#define CL_LOGGER "config-log"
/* Connect's READ_WRITE_TOTAL_TIMEOUT_MS for config writes and the read-back after them. */
#define CL_RW_TIMEOUT_MS 30000
#define CL_START_TIMEOUT_MS 60000

struct config_log {
    kafka_log *log;
    config_state *st;
    pthread_mutex_t lock; /* recursive: listeners may take a snapshot from the callback */
    atomic_bool started;
};

static void cl_on_record(void *opaque, const kafka_log_record *rec)
{
    config_log *cl = opaque;
    pthread_mutex_lock(&cl->lock);
    config_state_apply(cl->st, rec->offset, rec->key, rec->key_len, rec->value, rec->value_len,
                       atomic_load(&cl->started));
    pthread_mutex_unlock(&cl->lock);
}

config_log *config_log_open(const sl_props *worker, const config_log_listener *listener,
                            char *errstr, size_t errstr_size)
{
    if (topic_admin_ensure(worker, TOPIC_ADMIN_CONFIG, CL_RW_TIMEOUT_MS, NULL, errstr,
                           errstr_size) != SL_OK)
        return NULL;
    config_log *cl = calloc(1, sizeof(*cl));
    if (cl == NULL || (cl->st = config_state_new(listener)) == NULL) {
        free(cl);
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&cl->lock, &a);
    pthread_mutexattr_destroy(&a);
    char cid[256];
    if (kafka_log_client_id(worker, "configs", cid, sizeof(cid)) != SL_OK) {
        snprintf(errstr, errstr_size, "group.id or client.id too long");
        config_log_destroy(cl);
        return NULL;
    }
    cl->log = kafka_log_new(worker, sl_props_get(worker, "config.storage.topic"), cid,
                            cl_on_record, cl, errstr, errstr_size);
    if (cl->log == NULL ||
        kafka_log_start(cl->log, CL_START_TIMEOUT_MS, errstr, errstr_size) != SL_OK) {
        config_log_destroy(cl);
        return NULL;
    }
    atomic_store(&cl->started, true);
    LOG_INFO(CL_LOGGER, "read config topic %s to offset %lld", kafka_log_topic(cl->log),
             (long long)config_log_offset(cl));
    return cl;
}

void config_log_destroy(config_log *cl)
{
    if (cl == NULL)
        return;
    kafka_log_destroy(cl->log, 5000);
    config_state_free(cl->st);
    pthread_mutex_destroy(&cl->lock);
    free(cl);
}

config_snapshot *config_log_snapshot(config_log *cl)
{
    pthread_mutex_lock(&cl->lock);
    config_snapshot *s = config_state_snapshot(cl->st);
    pthread_mutex_unlock(&cl->lock);
    return s;
}

int64_t config_log_offset(config_log *cl)
{
    pthread_mutex_lock(&cl->lock);
    int64_t off = config_state_offset(cl->st);
    pthread_mutex_unlock(&cl->lock);
    return off;
}

int config_log_read_to_end(config_log *cl, int timeout_ms, char *errstr, size_t errstr_size)
{
    return kafka_log_read_to_end(cl->log, timeout_ms, errstr, errstr_size);
}

/* Write the encoded records (owned arrays of keys and values, freed here), wait for acks and
 * read back. */
static int cl_write(config_log *cl, char **keys, char **values, size_t n, char *errstr,
                    size_t errstr_size)
{
    kafka_log_msg *m = calloc(n ? n : 1, sizeof(*m));
    int rc = SL_ERR;
    if (m == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        m[i] = (kafka_log_msg){.key = keys[i], .key_len = strlen(keys[i]), .value = values[i],
                               .value_len = values[i] ? strlen(values[i]) : 0};
    rc = kafka_log_write(cl->log, m, n, CL_RW_TIMEOUT_MS, errstr, errstr_size);
    if (rc == SL_OK)
        rc = kafka_log_read_to_end(cl->log, CL_RW_TIMEOUT_MS, errstr, errstr_size);
out:
    for (size_t i = 0; i < n; i++) {
        free(keys[i]);
        free(values[i]);
    }
    free(m);
    return rc;
}

static int cl_encoded(config_log *cl, int enc_rc, char *key, char *value, char *errstr,
                      size_t errstr_size)
{
    if (enc_rc != SL_OK) {
        snprintf(errstr, errstr_size, "cannot encode the config record (invalid UTF-8?)");
        return SL_ERR;
    }
    return cl_write(cl, &key, &value, 1, errstr, errstr_size);
}

int config_log_put_connector(config_log *cl, const char *name, const sl_props *props,
                             char *errstr, size_t errstr_size)
{
    char *k, *v;
    int rc = config_encode_connector(name, props, &k, &v);
    return cl_encoded(cl, rc, k, v, errstr, errstr_size);
}

int config_log_remove_connector(config_log *cl, const char *name, char *errstr,
                                size_t errstr_size)
{
    char *keys[2] = {0}, *values[2] = {0};
    if (config_encode_connector(name, NULL, &keys[0], &values[0]) != SL_OK ||
        config_encode_target_state(name, TARGET_STARTED, true, &keys[1], &values[1]) != SL_OK) {
        free(keys[0]);
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    return cl_write(cl, keys, values, 2, errstr, errstr_size);
}

int config_log_put_task_configs(config_log *cl, const char *name, sl_props *const *tasks,
                                int n, char *errstr, size_t errstr_size)
{
    if (n < 0) {
        snprintf(errstr, errstr_size, "negative task count");
        return SL_ERR;
    }
    char **keys = calloc((size_t)n + 1, sizeof(*keys));
    char **values = calloc((size_t)n + 1, sizeof(*values));
    int rc = (keys && values) ? SL_OK : SL_ERR;
    for (int i = 0; rc == SL_OK && i < n; i++)
        rc = config_encode_task(name, i, tasks[i], &keys[i], &values[i]);
    if (rc != SL_OK) {
        for (int i = 0; keys && values && i < n; i++) {
            free(keys[i]);
            free(values[i]);
        }
        free(keys);
        free(values);
        snprintf(errstr, errstr_size, "cannot encode the task configs of %s", name);
        return SL_ERR;
    }
    /* Tasks first, read back, then the commit that makes readers apply them atomically. */
    rc = cl_write(cl, keys, values, (size_t)n, errstr, errstr_size);
    if (rc == SL_OK) {
        char *k, *v;
        int enc = config_encode_commit(name, n, &k, &v);
        rc = cl_encoded(cl, enc, k, v, errstr, errstr_size);
    }
    free(keys);
    free(values);
    return rc;
}

int config_log_put_target_state(config_log *cl, const char *name, target_state state,
                                char *errstr, size_t errstr_size)
{
    char *k, *v;
    int rc = config_encode_target_state(name, state, false, &k, &v);
    return cl_encoded(cl, rc, k, v, errstr, errstr_size);
}

int config_log_put_restart(config_log *cl, const char *name, bool include_tasks,
                           bool only_failed, char *errstr, size_t errstr_size)
{
    char *k, *v;
    int rc = config_encode_restart(name, include_tasks, only_failed, &k, &v);
    return cl_encoded(cl, rc, k, v, errstr, errstr_size);
}

int config_log_put_session_key(config_log *cl, const char *key_b64, const char *algorithm,
                               int64_t creation_ts, char *errstr, size_t errstr_size)
{
    char *k, *v;
    int rc = config_encode_session_key(key_b64, algorithm, creation_ts, &k, &v);
    return cl_encoded(cl, rc, k, v, errstr, errstr_size);
}

int config_log_put_logger_level(config_log *cl, const char *ns, const char *level,
                                char *errstr, size_t errstr_size)
{
    char *k, *v;
    int rc = config_encode_logger(ns, level, &k, &v);
    return cl_encoded(cl, rc, k, v, errstr, errstr_size);
}
