/* store/config_records.c: encode and decode the config topic's records (keys and compact JSON
 * values exactly as Connect's KafkaConfigBackingStore writes them, reference §2.1). */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/config_log.h"
#include "store/store_json.h"

const char *config_target_state_name(target_state s)
{
    switch (s) {
    case TARGET_PAUSED:
        return "PAUSED";
    case TARGET_STOPPED:
        return "STOPPED";
    default:
        return "STARTED";
    }
}

static int cr_state_parse(const char *s, target_state *out)
{
    if (strcmp(s, "STARTED") == 0)
        *out = TARGET_STARTED;
    else if (strcmp(s, "PAUSED") == 0)
        *out = TARGET_PAUSED;
    else if (strcmp(s, "STOPPED") == 0)
        *out = TARGET_STOPPED;
    else
        return SL_ERR;
    return SL_OK;
}

/* ---- encoders ---- */

static int cr_finish(char *k, json_t *v, char **key, char **value)
{
    *key = NULL;
    *value = NULL;
    if (k == NULL) {
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

static char *cr_key(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *cr_key(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *k = NULL;
    if (vasprintf(&k, fmt, ap) < 0)
        k = NULL;
    va_end(ap);
    return k;
}

/* {"properties":{...}} in the props' own order. NULL on invalid UTF-8 or out of memory. */
static json_t *cr_props_value(const sl_props *props)
{
    json_t *m = json_object();
    if (m == NULL)
        return NULL;
    for (size_t i = 0; i < sl_props_count(props); i++) {
        const char *v = sl_props_value_at(props, i);
        json_t *jv = v ? json_string(v) : json_null();
        if (jv == NULL || json_object_set_new(m, sl_props_key_at(props, i), jv) != 0) {
            json_decref(m);
            return NULL;
        }
    }
    return json_pack("{so}", "properties", m);
}

int config_encode_connector(const char *name, const sl_props *props, char **key, char **value)
{
    json_t *v = NULL;
    if (props != NULL && (v = cr_props_value(props)) == NULL)
        return cr_finish(NULL, NULL, key, value);
    return cr_finish(cr_key("connector-%s", name), v, key, value);
}

int config_encode_task(const char *name, int task, const sl_props *props, char **key,
                       char **value)
{
    json_t *v = NULL;
    if (props != NULL && (v = cr_props_value(props)) == NULL)
        return cr_finish(NULL, NULL, key, value);
    return cr_finish(cr_key("task-%s-%d", name, task), v, key, value);
}

int config_encode_commit(const char *name, int tasks, char **key, char **value)
{
    return cr_finish(cr_key("commit-%s", name), json_pack("{si}", "tasks", tasks), key, value);
}

int config_encode_target_state(const char *name, target_state state, bool tombstone,
                               char **key, char **value)
{
    json_t *v = NULL;
    if (!tombstone) {
        /* Workers older than KIP-875 know only STARTED and PAUSED: they read STOPPED as
         * PAUSED from the legacy field, which is the closest they can do. */
        const char *legacy = state == TARGET_STOPPED ? "PAUSED" : config_target_state_name(state);
        v = json_pack("{ssss}", "state", legacy, "state.v2", config_target_state_name(state));
        if (v == NULL)
            return cr_finish(NULL, NULL, key, value);
    }
    return cr_finish(cr_key("target-state-%s", name), v, key, value);
}

int config_encode_restart(const char *name, bool include_tasks, bool only_failed, char **key,
                          char **value)
{
    return cr_finish(cr_key("restart-connector-%s", name),
                     json_pack("{sbsb}", "include-tasks", include_tasks, "only-failed",
                               only_failed),
                     key, value);
}

int config_encode_fencing(const char *name, int task_count, char **key, char **value)
{
    return cr_finish(cr_key("tasks-fencing-%s", name),
                     json_pack("{si}", "task-count", task_count), key, value);
}

int config_encode_session_key(const char *key_b64, const char *algorithm, int64_t creation_ts,
                              char **key, char **value)
{
    return cr_finish(strdup("session-key"),
                     json_pack("{sssssI}", "key", key_b64, "algorithm", algorithm,
                               "creation-timestamp", (json_int_t)creation_ts),
                     key, value);
}

int config_encode_logger(const char *ns, const char *level, char **key, char **value)
{
    return cr_finish(cr_key("logger-cluster-%s", ns), json_pack("{ss}", "level", level), key,
                     value);
}

/* ---- decoder ---- */

void config_record_fini(config_record *r)
{
    if (r == NULL)
        return;
    free(r->name);
    if (r->props)
        sl_props_destroy(r->props);
    free(r->key_b64);
    free(r->algorithm);
    free(r->level);
    memset(r, 0, sizeof(*r));
}

/* "<name>-<n>": split at the last '-', as Connect's parseConnectorTaskId does. */
static int cr_task_id(const char *s, size_t len, config_record *r, char *errstr,
                      size_t errstr_size)
{
    const char *dash = memrchr(s, '-', len);
    if (dash == NULL || dash == s || (size_t)(dash - s) + 1 >= len) {
        snprintf(errstr, errstr_size, "invalid task key task-%.*s", (int)(len > 200 ? 200 : len),
                 s);
        return SL_ERR;
    }
    long id = 0;
    for (const char *p = dash + 1; p < s + len; p++) {
        if (*p < '0' || *p > '9' || id > 100000000) {
            snprintf(errstr, errstr_size, "invalid task id in key task-%.*s",
                     (int)(len > 200 ? 200 : len), s);
            return SL_ERR;
        }
        id = id * 10 + (*p - '0');
    }
    r->name = strndup(s, (size_t)(dash - s));
    r->task = (int)id;
    return r->name ? SL_OK : SL_ERR;
}

/* {"properties":{"k":"v",...}}: scalar non-string values are kept as their JSON text. */
static int cr_props_parse(json_t *root, config_record *r, char *errstr, size_t errstr_size)
{
    json_t *m = json_object_get(root, "properties");
    if (!json_is_object(m)) {
        snprintf(errstr, errstr_size, "expected an object with a \"properties\" object");
        return SL_ERR;
    }
    r->props = sl_props_new();
    const char *k;
    json_t *v;
    json_object_foreach (m, k, v) {
        if (json_is_string(v)) {
            sl_props_set(r->props, k, json_string_value(v));
        } else if (json_is_null(v)) {
            sl_props_set(r->props, k, NULL);
        } else if (json_is_number(v) || json_is_boolean(v)) {
            char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
            if (t == NULL)
                return SL_ERR;
            sl_props_set(r->props, k, t);
            free(t);
        } else {
            snprintf(errstr, errstr_size, "property %.200s is not a string", k);
            return SL_ERR;
        }
    }
    return SL_OK;
}

static int cr_count(json_t *root, const char *field, int *out, char *errstr, size_t errstr_size)
{
    json_t *v = json_object_get(root, field);
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1000000) {
        snprintf(errstr, errstr_size, "expected a non-negative integer \"%s\"", field);
        return SL_ERR;
    }
    *out = (int)json_integer_value(v);
    return SL_OK;
}

static int cr_bool(json_t *root, const char *field, bool *out, char *errstr, size_t errstr_size)
{
    json_t *v = json_object_get(root, field);
    *out = false; /* Connect's defaults for include-tasks and only-failed */
    if (v == NULL || json_is_null(v))
        return SL_OK;
    if (!json_is_boolean(v)) {
        snprintf(errstr, errstr_size, "\"%s\" is not a boolean", field);
        return SL_ERR;
    }
    *out = json_is_true(v);
    return SL_OK;
}

static int cr_string(json_t *root, const char *field, char **out, char *errstr,
                     size_t errstr_size)
{
    json_t *v = json_object_get(root, field);
    if (!json_is_string(v)) {
        snprintf(errstr, errstr_size, "expected a string \"%s\"", field);
        return SL_ERR;
    }
    *out = strdup(json_string_value(v));
    return *out ? SL_OK : SL_ERR;
}

static int cr_value(json_t *root, config_record *r, char *errstr, size_t errstr_size)
{
    switch (r->kind) {
    case CONFIG_REC_CONNECTOR:
    case CONFIG_REC_TASK:
        return cr_props_parse(root, r, errstr, errstr_size);
    case CONFIG_REC_COMMIT:
        return cr_count(root, "tasks", &r->count, errstr, errstr_size);
    case CONFIG_REC_FENCING:
        return cr_count(root, "task-count", &r->count, errstr, errstr_size);
    case CONFIG_REC_TARGET_STATE: {
        /* Readers prefer state.v2 (KIP-875) and fall back to the legacy field. */
        json_t *v = json_object_get(root, "state.v2");
        if (v == NULL || json_is_null(v))
            v = json_object_get(root, "state");
        if (!json_is_string(v) || cr_state_parse(json_string_value(v), &r->state) != SL_OK) {
            snprintf(errstr, errstr_size, "invalid target state");
            return SL_ERR;
        }
        return SL_OK;
    }
    case CONFIG_REC_RESTART:
        if (cr_bool(root, "include-tasks", &r->include_tasks, errstr, errstr_size) != SL_OK)
            return SL_ERR;
        return cr_bool(root, "only-failed", &r->only_failed, errstr, errstr_size);
    case CONFIG_REC_SESSION_KEY: {
        json_t *ts = json_object_get(root, "creation-timestamp");
        if (cr_string(root, "key", &r->key_b64, errstr, errstr_size) != SL_OK ||
            cr_string(root, "algorithm", &r->algorithm, errstr, errstr_size) != SL_OK)
            return SL_ERR;
        if (!json_is_integer(ts)) {
            snprintf(errstr, errstr_size, "expected an integer \"creation-timestamp\"");
            return SL_ERR;
        }
        r->creation_ts = json_integer_value(ts);
        return SL_OK;
    }
    case CONFIG_REC_LOGGER:
        return cr_string(root, "level", &r->level, errstr, errstr_size);
    default:
        return SL_OK;
    }
}

int config_record_parse(const char *key, size_t key_len, const char *value, size_t value_len,
                        config_record *out, char *errstr, size_t errstr_size)
{
    memset(out, 0, sizeof(*out));
    if (key == NULL || memchr(key, '\0', key_len) != NULL)
        return SL_OK; /* no key, or not text: not one of Connect's records */
    const char *rest;
    size_t rl;
    int rc = SL_OK;
    /* Connect's parsing order (target-state- before connector- and so on). */
    if (store_key_prefix(key, key_len, "target-state-", &rest, &rl))
        out->kind = CONFIG_REC_TARGET_STATE;
    else if (store_key_prefix(key, key_len, "connector-", &rest, &rl))
        out->kind = CONFIG_REC_CONNECTOR;
    else if (store_key_prefix(key, key_len, "task-", &rest, &rl))
        out->kind = CONFIG_REC_TASK;
    else if (store_key_prefix(key, key_len, "commit-", &rest, &rl))
        out->kind = CONFIG_REC_COMMIT;
    else if (store_key_prefix(key, key_len, "restart-connector-", &rest, &rl))
        out->kind = CONFIG_REC_RESTART;
    else if (store_key_prefix(key, key_len, "tasks-fencing-", &rest, &rl))
        out->kind = CONFIG_REC_FENCING;
    else if (key_len == 11 && memcmp(key, "session-key", 11) == 0)
        out->kind = CONFIG_REC_SESSION_KEY, rest = key + key_len, rl = 0;
    else if (store_key_prefix(key, key_len, "logger-cluster-", &rest, &rl))
        out->kind = CONFIG_REC_LOGGER;
    else
        return SL_OK;

    if (out->kind == CONFIG_REC_TASK)
        rc = cr_task_id(rest, rl, out, errstr, errstr_size);
    else if (out->kind != CONFIG_REC_SESSION_KEY && (out->name = strndup(rest, rl)) == NULL)
        rc = SL_ERR;
    if (rc != SL_OK)
        goto fail;

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
    } else {
        rc = cr_value(root, out, errstr, errstr_size);
    }
    json_decref(root);
    if (rc == SL_OK)
        return SL_OK;
fail:
    config_record_fini(out);
    return SL_ERR;
}
