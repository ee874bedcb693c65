/* store/status_records.c: encode and decode the status topic's records (keys and compact JSON
 * values as Connect's KafkaStatusBackingStore writes them, reference §2.3). */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/status_log.h"
#include "store/store_json.h"

#define ST_CONNECTOR "status-connector-"
#define ST_TASK "status-task-"
#define ST_TOPIC "status-topic-"
#define ST_TOPIC_SEP ":connector-"

static int sr_finish(char *k, json_t *v, bool tombstone, char **key, char **value)
{
    *key = NULL;
    *value = NULL;
    if (k == NULL || (!tombstone && v == NULL)) {
        free(k);
        json_decref(v);
        return SL_ERR;
    }
    if (v != NULL) {
        *value = store_json_dump(v);
        json_decref(v);
        if (*value == NULL) {
            free(k);
            return SL_ERR;
        }
    }
    *key = k;
    return SL_OK;
}

int status_encode(const char *conn, int task, const char *state, const char *trace,
                  const char *worker_id, int32_t generation, char **key, char **value)
{
    char *k = NULL;
    int n = task < 0 ? asprintf(&k, ST_CONNECTOR "%s", conn)
                     : asprintf(&k, ST_TASK "%s-%d", conn, task);
    if (n < 0)
        k = NULL;
    json_t *v = NULL;
    if (state != NULL)
        v = json_pack("{ssss?sssi}", "state", state, "trace", trace && *trace ? trace : NULL,
                      "worker_id", worker_id ? worker_id : "", "generation", (int)generation);
    return sr_finish(k, v, state == NULL, key, value);
}

int status_encode_topic(const char *topic, const char *conn, int task, int64_t discover_ts,
                        bool tombstone, char **key, char **value)
{
    char *k = NULL;
    if (asprintf(&k, ST_TOPIC "%s" ST_TOPIC_SEP "%s", topic, conn) < 0)
        k = NULL;
    json_t *v = NULL;
    if (!tombstone)
        v = json_pack("{s{sssssisI}}", "topic", "name", topic, "connector", conn, "task", task,
                      "discoverTimestamp", (json_int_t)discover_ts);
    return sr_finish(k, v, tombstone, key, value);
}

void status_record_fini(status_record *r)
{
    if (r == NULL)
        return;
    free(r->name);
    free(r->topic);
    free(r->state);
    free(r->trace);
    free(r->worker_id);
    memset(r, 0, sizeof(*r));
}

static int sr_task_key(const char *s, size_t len, status_record *r)
{
    const char *dash = memrchr(s, '-', len);
    if (dash == NULL || dash == s || (size_t)(dash - s) + 1 >= len)
        return SL_ERR;
    long id = 0;
    for (const char *p = dash + 1; p < s + len; p++) {
        if (*p < '0' || *p > '9' || id > 100000000)
            return SL_ERR;
        id = id * 10 + (*p - '0');
    }
    r->task = (int)id;
    r->name = strndup(s, (size_t)(dash - s));
    return r->name ? SL_OK : SL_ERR;
}

static int sr_topic_key(const char *s, size_t len, status_record *r)
{
    /* Topic names cannot contain ':', so the first separator ends the topic. */
    const char *sep = memmem(s, len, ST_TOPIC_SEP, strlen(ST_TOPIC_SEP));
    size_t sl = strlen(ST_TOPIC_SEP);
    if (sep == NULL || sep == s || (size_t)(sep - s) + sl >= len)
        return SL_ERR;
    r->topic = strndup(s, (size_t)(sep - s));
    r->name = strndup(sep + sl, len - (size_t)(sep - s) - sl);
    return r->topic && r->name ? SL_OK : SL_ERR;
}

static int sr_status_value(json_t *root, status_record *r, char *errstr, size_t errstr_size)
{
    json_t *state = json_object_get(root, "state");
    json_t *trace = json_object_get(root, "trace");
    json_t *wid = json_object_get(root, "worker_id");
    json_t *gen = json_object_get(root, "generation");
    if (!json_is_string(state) || !json_is_string(wid) || !json_is_integer(gen) ||
        (trace != NULL && !json_is_null(trace) && !json_is_string(trace)) ||
        json_integer_value(gen) < INT32_MIN || json_integer_value(gen) > INT32_MAX) {
        snprintf(errstr, errstr_size,
                 "expected {\"state\":string,\"trace\":string|null,\"worker_id\":string,"
                 "\"generation\":int}");
        return SL_ERR;
    }
    r->state = strdup(json_string_value(state));
    r->worker_id = strdup(json_string_value(wid));
    r->trace = json_is_string(trace) ? strdup(json_string_value(trace)) : NULL;
    r->generation = (int32_t)json_integer_value(gen);
    return r->state && r->worker_id ? SL_OK : SL_ERR;
}

static int sr_topic_value(json_t *root, status_record *r, char *errstr, size_t errstr_size)
{
    json_t *t = json_object_get(root, "topic");
    json_t *name = json_object_get(t, "name");
    json_t *conn = json_object_get(t, "connector");
    json_t *task = json_object_get(t, "task");
    json_t *ts = json_object_get(t, "discoverTimestamp");
    if (!json_is_object(t) || !json_is_string(name) || !json_is_string(conn) ||
        !json_is_integer(task) || !json_is_integer(ts) || json_integer_value(task) < 0 ||
        json_integer_value(task) > 100000000) {
        snprintf(errstr, errstr_size,
                 "expected {\"topic\":{\"name\":string,\"connector\":string,\"task\":int,"
                 "\"discoverTimestamp\":int}}");
        return SL_ERR;
    }
    if (strcmp(json_string_value(name), r->topic) != 0 ||
        strcmp(json_string_value(conn), r->name) != 0) {
        snprintf(errstr, errstr_size, "topic status value does not match its key");
        return SL_ERR;
    }
    r->task = (int)json_integer_value(task);
    r->discover_ts = json_integer_value(ts);
    return SL_OK;
}

int status_record_parse(const char *key, size_t key_len, const char *value, size_t value_len,
                        status_record *out, char *errstr, size_t errstr_size)
{
    memset(out, 0, sizeof(*out));
    if (key == NULL || memchr(key, '\0', key_len) != NULL)
        return SL_OK;
    const char *rest;
    size_t rl;
    int rc;
    if (store_key_prefix(key, key_len, ST_CONNECTOR, &rest, &rl)) {
        out->kind = STATUS_REC_CONNECTOR;
        out->task = -1;
        rc = rl > 0 && (out->name = strndup(rest, rl)) != NULL ? SL_OK : SL_ERR;
    } else if (store_key_prefix(key, key_len, ST_TASK, &rest, &rl)) {
        out->kind = STATUS_REC_TASK;
        rc = sr_task_key(rest, rl, out);
    } else if (store_key_prefix(key, key_len, ST_TOPIC, &rest, &rl)) {
        out->kind = STATUS_REC_TOPIC;
        rc = sr_topic_key(rest, rl, out);
    } else {
        return SL_OK;
    }
    if (rc != SL_OK) {
        snprintf(errstr, errstr_size, "invalid status key %.*s", (int)(key_len > 200 ? 200 : key_len),
                 key);
        goto fail;
    }
    if (value == NULL) {
        out->tombstone = true;
        return SL_OK;
    }
    json_t *root = store_json_load(value, value_len, errstr, errstr_size);
    if (root == NULL)
        goto fail;
    if (!json_is_object(root)) {
        snprintf(errstr, errstr_size, "value is not a JSON object");
        rc = SL_ERR;
    } else if (out->kind == STATUS_REC_TOPIC) {
        rc = sr_topic_value(root, out, errstr, errstr_size);
    } else {
        rc = sr_status_value(root, out, errstr, errstr_size);
    }
    json_decref(root);
    if (rc == SL_OK)
        return SL_OK;
fail:
    status_record_fini(out);
    return SL_ERR;
}
