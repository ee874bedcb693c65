/* runtime/task_common.c: what source and sink task threads share: setup of converters and
 * transforms, task_start/task_stop, state reports, pause/resume handling. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/providers.h"
#include "plugin/registry.h"
#include "runtime/dlq.h"
#include "runtime/runtime_internal.h"
#include "runtime/subconfig.h"
#include "util/log.h"

int64_t task_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t runtime_props_long(const sl_props *p, const char *key, int64_t def)
{
    const char *v = p ? sl_props_get(p, key) : NULL;
    if (v == NULL || v[0] == '\0')
        return def;
    char *end = NULL;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    while (end && (*end == ' ' || *end == '\t'))
        end++;
    if (errno != 0 || end == v || (end && *end != '\0')) {
        LOG_WARN("runtime", "ignoring %s=%s: not an integer; using %lld", key, v, (long long)def);
        return def;
    }
    return (int64_t)x;
}

void task_report(rt_task *t, conn_state st, const char *trace)
{
    t->reported = st;
    pthread_mutex_lock(&t->lock);
    /* Holding the lock across the callback is what lets runtime_stop_task promise that no
     * report for an abandoned task arrives after it returned. Listeners must be quick. */
    if (!t->abandoned && t->rt->listener.task_status != NULL)
        t->rt->listener.task_status(t->rt->listener.opaque, t->conn, t->id, st, trace);
    pthread_mutex_unlock(&t->lock);
}

char *runtime_scrub(const sl_props *a, const sl_props *b, const char *text)
{
    const config_providers *p = providers_installed();
    if (p == NULL || text == NULL)
        return NULL;
    char *s1 = providers_scrub(p, a, text);
    char *s2 = s1 ? providers_scrub(p, b, s1) : NULL;
    free(s1);
    return s2;
}

void task_fail(rt_task *t, const char *trace)
{
    if (t->failed)
        return;
    t->failed = true;
    const char *why = trace && trace[0] ? trace : "unknown error";
    /* A config error may quote a resolved value ("Invalid value <secret> for ..."): traces
     * and logs show the placeholder instead. */
    char *clean =
        t->raw_conn_config ? runtime_scrub(t->raw_conn_config, t->raw_task_config, why) : NULL;
    if (clean != NULL)
        why = clean;
    if (!t->restart_enable || atomic_load(&t->stopping)) {
        LOG_ERROR("runtime", "%s: task failed and will not recover until manually restarted: %s",
                  t->label, why);
        task_report(t, STATE_FAILED, why);
        free(clean);
        return;
    }
    /* An incarnation that stayed up for the maximum delay counts as healthy: start the
     * backoff again from its first step. */
    if (task_now_ms() - t->run_started_ms >= t->restart_max_delay_ms)
        t->restarts = 0;
    t->restart_in_ms = error_restart_delay_ms(t->restarts + 1, t->restart_max_delay_ms);
    time_t at = time(NULL) + (time_t)((t->restart_in_ms + 999) / 1000);
    struct tm tm;
    char when[32] = "";
    if (gmtime_r(&at, &tm) != NULL)
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    size_t cap = strlen(why) + 256;
    char *full = malloc(cap);
    if (full != NULL)
        snprintf(full, cap,
                 "%s\nThe task will be restarted automatically in %lld ms, at %s (restart %d; "
                 "errors.restart.enable=true)",
                 why, (long long)t->restart_in_ms, when, t->restarts + 1);
    LOG_ERROR("runtime", "%s: task failed; restarting it in %lld ms: %s", t->label,
              (long long)t->restart_in_ms, why);
    task_report(t, STATE_FAILED, full ? full : why);
    free(full);
    free(clean);
}

int task_setup_common(rt_task *t, char *errstr, size_t errstr_size)
{
    if (t->def->kind == SL_CONNECTOR_SOURCE ? t->def->poll == NULL : t->def->put == NULL) {
        snprintf(errstr, errstr_size, "connector %s has no %s task", t->def->class_name,
                 t->def->kind == SL_CONNECTOR_SOURCE ? "source" : "sink");
        return SL_ERR;
    }
    char what[256];
    snprintf(what, sizeof(what), "task config of %s", t->def->class_name);
    if (subconfig_parse(t->def->task_config, t->task_config, what, &t->config, errstr,
                        errstr_size) != SL_OK)
        return SL_ERR;
    if (converters_conf_build(t->rt->worker_props, t->conn_config, NULL, &t->conv, errstr,
                              errstr_size) != SL_OK)
        return SL_ERR;
    if (transform_chain_new(t->conn_config, NULL, t->label, &t->chain, errstr, errstr_size) !=
        SL_OK)
        return SL_ERR;
    bool sink = t->def->kind == SL_CONNECTOR_SINK;
    t->errors = error_policy_new(t->conn_config, sink, t->conn, t->id, t->label);
    if (t->errors == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    transform_chain_set_retry(t->chain, task_transform_retry, t);
    const error_policy_conf *ec = error_policy_config(t->errors);
    if (ec->dlq_topic != NULL) {
        /* Connect builds the sink's DeadLetterQueueReporter with the task (and creates the
         * topic) before the task starts. */
        dlq *d =
            dlq_new(t->rt->worker_props, t->conn_config, ec->dlq_topic, ec->dlq_replication_factor,
                    ec->dlq_context_headers, t->conn, t->id, errstr, errstr_size);
        if (d == NULL)
            return SL_ERR;
        error_policy_set_dlq(t->errors, d);
    }
    return SL_OK;
}

bool task_retry_again(rt_task *t, int *attempt)
{
    if ((*attempt)++ == 0)
        error_retry_begin(t->errors, &t->retry, task_now_ms());
    return error_retry_wait(t->errors, &t->retry, &t->stopping);
}

bool task_transform_retry(void *opaque, int attempt)
{
    rt_task *t = opaque;
    if (attempt == 1)
        error_retry_begin(t->errors, &t->retry, task_now_ms());
    return error_retry_wait(t->errors, &t->retry, &t->stopping);
}

const sl_connector_def *task_resolve_connector(const sl_props *conn_config, char *errstr,
                                               size_t errstr_size)
{
    const char *cls = sl_props_get(conn_config, "connector.class");
    if (cls == NULL || cls[0] == '\0') {
        snprintf(errstr, errstr_size, "Connector config contains no connector type");
        return NULL;
    }
    const sl_connector_def *def = registry_find_connector(cls);
    if (def == NULL)
        snprintf(errstr, errstr_size,
                 "Failed to find any class that implements Connector and which name matches %s",
                 cls);
    return def;
}

int task_call_start(rt_task *t, char *errstr, size_t errstr_size)
{
    if (t->def->task_start == NULL) {
        t->started = true;
        return SL_OK;
    }
    char perr[1024] = "";
    int rc = t->def->task_start(t->config, t, &t->state, perr, sizeof(perr));
    if (rc != SL_OK) {
        snprintf(errstr, errstr_size, "task start failed: %s", perr[0] ? perr : "unknown error");
        return SL_ERR;
    }
    t->started = true;
    return SL_OK;
}

void task_teardown_common(rt_task *t)
{
    if (t->started && t->def->task_stop != NULL)
        t->def->task_stop(t->state);
    t->started = false;
    t->state = NULL;
    transform_chain_destroy(t->chain);
    t->chain = NULL;
    converters_conf_fini(&t->conv);
    error_policy_destroy(t->errors);
    t->errors = NULL;
    subconfig_free(t->config);
    t->config = NULL;
}

bool task_sync_target(rt_task *t)
{
    target_state ts = (target_state)atomic_load(&t->target);
    /* STOPPED is handled by the runtime stopping the task; until then it behaves as paused. */
    bool paused = ts != TARGET_STARTED;
    conn_state want = paused ? STATE_PAUSED : STATE_RUNNING;
    if (!t->failed && t->reported != want) {
        if (t->reported == STATE_RUNNING || t->reported == STATE_PAUSED)
            LOG_INFO("runtime", "%s: %s", t->label, paused ? "paused" : "resumed");
        else if (paused)
            LOG_INFO("runtime", "%s: started paused", t->label);
        task_report(t, want, NULL);
    }
    return paused;
}

/* ---- topic tracking (KIP-558) ---- */

/* The task's topic set is an open-addressing hash table of names (NULL = empty slot), so that
 * the per-record check stays cheap for tasks that write to or read from many topics. */
static size_t topic_hash(const char *s)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
    return (size_t)h;
}

static size_t topic_slot(char *const *table, size_t cap, const char *topic)
{
    size_t i = topic_hash(topic) & (cap - 1);
    while (table[i] != NULL && strcmp(table[i], topic) != 0)
        i = (i + 1) & (cap - 1);
    return i;
}

void task_topics_free(rt_task *t)
{
    for (size_t i = 0; i < t->capactive_topics; i++)
        free(t->active_topics[i]);
    free(t->active_topics);
    t->active_topics = NULL;
    t->nactive_topics = t->capactive_topics = 0;
}

/* Add `topic` to the set; false when out of memory (the topic is then reported again later,
 * which the herder's own set absorbs). */
static bool topic_remember(rt_task *t, const char *topic)
{
    if ((t->nactive_topics + 1) * 2 > t->capactive_topics) {
        size_t cap = t->capactive_topics ? t->capactive_topics * 2 : 8;
        char **table = calloc(cap, sizeof(*table));
        if (table == NULL)
            return false;
        for (size_t i = 0; i < t->capactive_topics; i++)
            if (t->active_topics[i] != NULL)
                table[topic_slot(table, cap, t->active_topics[i])] = t->active_topics[i];
        free(t->active_topics);
        t->active_topics = table;
        t->capactive_topics = cap;
    }
    char *copy = strdup(topic);
    if (copy == NULL)
        return false;
    t->active_topics[topic_slot(t->active_topics, t->capactive_topics, topic)] = copy;
    t->nactive_topics++;
    return true;
}

void task_topic_active(rt_task *t, const char *topic)
{
    const runtime_listener *l = &t->rt->listener;
    if (topic == NULL || l->topic_active == NULL)
        return;
    if (atomic_load_explicit(&t->topics_reset, memory_order_relaxed) &&
        atomic_exchange(&t->topics_reset, false))
        task_topics_free(t); /* the herder forgot them: report each again on next use */
    if (t->capactive_topics > 0 &&
        t->active_topics[topic_slot(t->active_topics, t->capactive_topics, topic)] != NULL)
        return;
    if (!topic_remember(t, topic))
        LOG_WARN("runtime", "%s: out of memory tracking topic %s", t->label, topic);
    pthread_mutex_lock(&t->lock);
    /* Under the lock, as task_report: nothing reaches the herder after an abandon. */
    if (!t->abandoned)
        l->topic_active(l->opaque, t->conn, t->id, topic);
    pthread_mutex_unlock(&t->lock);
}
