/* runtime/runtime.c: the runtime's tables of connector and task instances, task threads and
 * their graceful stop (bounded by task.shutdown.graceful.timeout.ms), target-state changes. */
#define _GNU_SOURCE /* pthread_setname_np */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config/providers.h"
#include "runtime/runtime_internal.h"
#include "util/log.h"

static const char *const k_state_names[] = {
    [STATE_UNASSIGNED] = "UNASSIGNED", [STATE_RUNNING] = "RUNNING",
    [STATE_PAUSED] = "PAUSED",         [STATE_STOPPED] = "STOPPED",
    [STATE_FAILED] = "FAILED",         [STATE_RESTARTING] = "RESTARTING",
};

const char *conn_state_name(conn_state s)
{
    if ((unsigned)s < sizeof(k_state_names) / sizeof(k_state_names[0]))
        return k_state_names[s];
    return "UNKNOWN";
}

runtime *runtime_new(const sl_props *worker_props, offset_store *offsets, const runtime_listener *l,
                     const char *worker_id, char *errstr, size_t errstr_size)
{
    if (offsets == NULL) {
        snprintf(errstr, errstr_size, "the runtime needs an offset store");
        return NULL;
    }
    runtime *rt = calloc(1, sizeof(*rt));
    if (rt == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    rt->worker_props = worker_props ? sl_props_copy(worker_props) : sl_props_new();
    rt->worker_id = strdup(worker_id ? worker_id : "");
    if (rt->worker_props == NULL || rt->worker_id == NULL) {
        sl_props_destroy(rt->worker_props);
        free(rt->worker_id);
        free(rt);
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    rt->offsets = offsets;
    if (l != NULL)
        rt->listener = *l;
    rt->flush_interval_ms = runtime_props_long(worker_props, "offset.flush.interval.ms", 60000);
    rt->flush_timeout_ms = runtime_props_long(worker_props, "offset.flush.timeout.ms", 5000);
    rt->shutdown_timeout_ms =
        runtime_props_long(worker_props, "task.shutdown.graceful.timeout.ms", 5000);
    if (rt->flush_interval_ms < 0 || rt->flush_timeout_ms < 0 || rt->shutdown_timeout_ms < 0) {
        snprintf(errstr, errstr_size,
                 "offset.flush.interval.ms, offset.flush.timeout.ms and "
                 "task.shutdown.graceful.timeout.ms must not be negative");
        sl_props_destroy(rt->worker_props);
        free(rt->worker_id);
        free(rt);
        return NULL;
    }
    pthread_mutex_init(&rt->lock, NULL);
    return rt;
}

/* ---- lookups (under rt->lock) ---- */

static rt_connector **conn_slot(runtime *rt, const char *name)
{
    for (rt_connector **p = &rt->connectors; *p != NULL; p = &(*p)->next)
        if (strcmp((*p)->name, name) == 0)
            return p;
    return NULL;
}

static rt_task **task_slot(runtime *rt, const char *conn, int id)
{
    for (rt_task **p = &rt->tasks; *p != NULL; p = &(*p)->next)
        if ((*p)->id == id && strcmp((*p)->conn, conn) == 0)
            return p;
    return NULL;
}

/* ---- connectors ---- */

int runtime_start_connector(runtime *rt, const char *name, const sl_props *config, target_state ts,
                            char *errstr, size_t errstr_size)
{
    if (name == NULL || config == NULL) {
        snprintf(errstr, errstr_size, "connector name and config are required");
        return SL_ERR;
    }
    pthread_mutex_lock(&rt->lock);
    bool exists = conn_slot(rt, name) != NULL;
    pthread_mutex_unlock(&rt->lock);
    if (exists) {
        snprintf(errstr, errstr_size, "Connector %s is already running on this worker", name);
        return SL_ERR;
    }
    rt_connector *c = connector_runner_new(rt, name, config, errstr, errstr_size);
    if (c == NULL)
        return SL_ERR;
    pthread_mutex_lock(&rt->lock);
    c->next = rt->connectors;
    rt->connectors = c;
    pthread_mutex_unlock(&rt->lock);
    if (connector_runner_start(c, ts, errstr, errstr_size) == SL_OK)
        return SL_OK;
    /* FAILED was reported; keep nothing, so that a restart can start it afresh. */
    pthread_mutex_lock(&rt->lock);
    rt_connector **p = conn_slot(rt, name);
    if (p != NULL && *p == c)
        *p = c->next;
    pthread_mutex_unlock(&rt->lock);
    connector_runner_request_exit(c);
    connector_runner_finish(c, task_now_ms() + rt->shutdown_timeout_ms);
    return SL_ERR;
}

int runtime_task_configs(runtime *rt, const char *name, int max_tasks, sl_props ***out, int *n,
                         char *errstr, size_t errstr_size)
{
    *out = NULL;
    *n = 0;
    pthread_mutex_lock(&rt->lock);
    rt_connector **p = conn_slot(rt, name);
    rt_connector *c = p ? *p : NULL;
    pthread_mutex_unlock(&rt->lock);
    if (c == NULL) {
        snprintf(errstr, errstr_size, "Connector %s not found on this worker", name);
        return SL_ERR;
    }
    return connector_runner_task_configs(c, max_tasks, out, n, errstr, errstr_size);
}

void runtime_stop_connector(runtime *rt, const char *name)
{
    pthread_mutex_lock(&rt->lock);
    rt_connector **p = conn_slot(rt, name);
    rt_connector *c = NULL;
    if (p != NULL) {
        c = *p;
        *p = c->next;
    }
    pthread_mutex_unlock(&rt->lock);
    if (c == NULL)
        return;
    connector_runner_request_exit(c);
    connector_runner_finish(c, task_now_ms() + rt->shutdown_timeout_ms);
}

/* ---- tasks ---- */

static void task_free(rt_task *t)
{
    task_topics_free(t);
    sl_props_destroy(t->conn_config);
    sl_props_destroy(t->task_config);
    pthread_mutex_destroy(&t->lock);
    pthread_cond_destroy(&t->cond);
    free(t->conn);
    free(t);
}

/* errors.restart.enable (Sluice, beyond Connect): a task that failed is restarted on its own
 * thread after a growing delay, as if the herder had restarted it, but without a new task
 * instance: the herder still owns the task (it can stop it at any time, which ends the wait)
 * and sees every state through the listener: FAILED (trace saying when it will be restarted),
 * RESTARTING, then RUNNING or PAUSED. The restart re-reads nothing from the herder: the
 * configs it started the task with are reused, as a manual restart of an unchanged task does.
 * Returns true when the task should run again. Task thread. */
static bool task_wait_restart(rt_task *t)
{
    if (!t->failed || t->restart_in_ms <= 0)
        return false;
    int64_t until = task_now_ms() + t->restart_in_ms;
    while (!atomic_load(&t->stopping)) {
        int64_t left = until - task_now_ms();
        if (left <= 0)
            break;
        usleep((useconds_t)(left > 100 ? 100 : left) * 1000);
    }
    if (atomic_load(&t->stopping))
        return false; /* stays FAILED, as any failed task being stopped */
    t->restarts++;
    LOG_INFO("runtime", "%s: restarting the failed task (restart %d)", t->label, t->restarts);
    t->failed = false;
    t->restart_in_ms = 0;
    atomic_store(&t->commit_requested, false);
    task_report(t, STATE_RESTARTING, NULL);
    return true;
}

/* Config provider variables are resolved into private copies for each run, as Connect's
 * ClusterConfigState.taskConfig/connectorConfig do at every task start: a file changed since
 * is read again, and the configs the task was given stay raw. Task thread. */
static int task_resolve_configs(rt_task *t, char *errstr, size_t errstr_size)
{
    const config_providers *p = providers_installed();
    sl_props *conn = NULL, *task = NULL;
    if (providers_resolve(p, t->conn_config, &conn, errstr, errstr_size) != SL_OK)
        return SL_ERR;
    if (providers_resolve(p, t->task_config, &task, errstr, errstr_size) != SL_OK) {
        sl_props_destroy(conn);
        return SL_ERR;
    }
    t->raw_conn_config = t->conn_config;
    t->raw_task_config = t->task_config;
    t->conn_config = conn;
    t->task_config = task;
    return SL_OK;
}

/* Put the raw configs back after a run (everything the run built from the copies is gone). */
static void task_unresolve_configs(rt_task *t)
{
    if (t->raw_conn_config == NULL)
        return;
    sl_props_destroy(t->conn_config);
    sl_props_destroy(t->task_config);
    t->conn_config = t->raw_conn_config;
    t->task_config = t->raw_task_config;
    t->raw_conn_config = t->raw_task_config = NULL;
}

static void *task_main(void *arg)
{
    rt_task *t = arg;
    log_set_context(t->label);
    char name[16]; /* shown by top -H and gdb; the kernel keeps 15 characters */
    snprintf(name, sizeof(name), "t:%.13s", t->label);
    pthread_setname_np(pthread_self(), name);
    for (;;) {
        char err[1024] = "";
        t->run_started_ms = task_now_ms();
        t->restart_in_ms = 0;
        if (task_resolve_configs(t, err, sizeof(err)) != SL_OK)
            task_fail(t, err);
        else if ((t->def = task_resolve_connector(t->conn_config, err, sizeof(err))) == NULL)
            task_fail(t, err);
        else if (t->def->kind == SL_CONNECTOR_SOURCE)
            source_task_run(t);
        else
            sink_task_run(t);
        task_unresolve_configs(t);
        if (!task_wait_restart(t))
            break;
    }

    pthread_mutex_lock(&t->lock);
    t->exited = true;
    bool abandoned = t->abandoned;
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->lock);
    if (abandoned) {
        runtime *rt = t->rt;
        LOG_INFO("runtime", "%s: task finally stopped after being abandoned", t->label);
        task_free(t);
        atomic_fetch_sub(&rt->abandoned, 1);
    }
    log_set_context(NULL);
    return NULL;
}

int runtime_start_task(runtime *rt, const char *conn, int id, const sl_props *conn_config,
                       const sl_props *task_config, target_state ts, char *errstr,
                       size_t errstr_size)
{
    if (conn == NULL || conn_config == NULL) {
        snprintf(errstr, errstr_size, "connector name and config are required");
        return SL_ERR;
    }
    rt_task *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    t->rt = rt;
    t->conn = strdup(conn);
    t->id = id;
    snprintf(t->label, sizeof(t->label), "%s-%d", conn, id);
    t->conn_config = sl_props_copy(conn_config);
    t->task_config = task_config ? sl_props_copy(task_config) : sl_props_new();
    t->reported = STATE_UNASSIGNED;
    error_policy_conf ec;
    error_policy_parse(conn_config, false, &ec);
    t->restart_enable = ec.restart_enable;
    t->restart_max_delay_ms = ec.restart_max_delay_ms;
    atomic_init(&t->target, (int)ts);
    atomic_init(&t->stopping, false);
    atomic_init(&t->commit_requested, false);
    pthread_mutex_init(&t->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&t->cond, &ca);
    pthread_condattr_destroy(&ca);
    if (t->conn == NULL || t->conn_config == NULL || t->task_config == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        task_free(t);
        return SL_ERR;
    }
    pthread_mutex_lock(&rt->lock);
    if (task_slot(rt, conn, id) != NULL) {
        pthread_mutex_unlock(&rt->lock);
        snprintf(errstr, errstr_size, "Task %s-%d is already running on this worker", conn, id);
        task_free(t);
        return SL_ERR;
    }
    int err = pthread_create(&t->thread, NULL, task_main, t);
    if (err != 0) {
        pthread_mutex_unlock(&rt->lock);
        snprintf(errstr, errstr_size, "cannot start the task thread: %s", strerror(err));
        task_free(t);
        return SL_ERR;
    }
    t->next = rt->tasks;
    rt->tasks = t;
    pthread_mutex_unlock(&rt->lock);
    return SL_OK;
}

/* Wait for a task whose stop was requested until `deadline_ms`; join and free it, or
 * abandon it. */
static void task_finish(rt_task *t, int64_t deadline_ms)
{
    struct timespec ts = {.tv_sec = (time_t)(deadline_ms / 1000),
                          .tv_nsec = (long)(deadline_ms % 1000) * 1000000L};
    pthread_mutex_lock(&t->lock);
    while (!t->exited)
        if (pthread_cond_timedwait(&t->cond, &t->lock, &ts) == ETIMEDOUT)
            break;
    if (!t->exited) {
        /* Connect: "Graceful stop of task ... failed." The thread keeps running and frees
         * itself when it ends; it reports nothing more and writes no offsets. */
        t->abandoned = true;
        atomic_fetch_add(&t->rt->abandoned, 1);
        LOG_ERROR("runtime",
                  "Graceful stop of task %s failed: still running after %lld ms; "
                  "abandoning its thread",
                  t->label, (long long)t->rt->shutdown_timeout_ms);
        pthread_t th = t->thread;
        pthread_mutex_unlock(&t->lock);
        pthread_detach(th);
        return;
    }
    pthread_mutex_unlock(&t->lock);
    pthread_join(t->thread, NULL);
    task_free(t);
}

void runtime_stop_task(runtime *rt, const char *conn, int id)
{
    pthread_mutex_lock(&rt->lock);
    rt_task **p = task_slot(rt, conn, id);
    rt_task *t = NULL;
    if (p != NULL) {
        t = *p;
        *p = t->next;
    }
    pthread_mutex_unlock(&rt->lock);
    if (t == NULL)
        return;
    atomic_store(&t->stopping, true);
    task_finish(t, task_now_ms() + rt->shutdown_timeout_ms);
}

/* Unlink every task of `conn` (all when conn is NULL) into a list and request their stop. */
static rt_task *tasks_detach(runtime *rt, const char *conn)
{
    rt_task *out = NULL;
    pthread_mutex_lock(&rt->lock);
    for (rt_task **p = &rt->tasks; *p != NULL;) {
        rt_task *t = *p;
        if (conn == NULL || strcmp(t->conn, conn) == 0) {
            *p = t->next;
            t->next = out;
            out = t;
            atomic_store(&t->stopping, true);
        } else {
            p = &t->next;
        }
    }
    pthread_mutex_unlock(&rt->lock);
    return out;
}

static void tasks_finish(rt_task *list, int64_t deadline_ms)
{
    while (list != NULL) {
        rt_task *next = list->next;
        task_finish(list, deadline_ms);
        list = next;
    }
}

void runtime_stop_tasks(runtime *rt, const runtime_task_ref *tasks, size_t n)
{
    rt_task *list = NULL;
    pthread_mutex_lock(&rt->lock);
    for (size_t i = 0; i < n; i++) {
        rt_task **p = task_slot(rt, tasks[i].conn, tasks[i].id);
        if (p == NULL)
            continue;
        rt_task *t = *p;
        *p = t->next;
        t->next = list;
        list = t;
        atomic_store(&t->stopping, true);
    }
    pthread_mutex_unlock(&rt->lock);
    tasks_finish(list, task_now_ms() + rt->shutdown_timeout_ms);
}

void runtime_set_target_state(runtime *rt, const char *conn, target_state ts)
{
    if (ts == TARGET_STOPPED) {
        /* Tasks first, in parallel, as Connect stops them before the connector. */
        tasks_finish(tasks_detach(rt, conn), task_now_ms() + rt->shutdown_timeout_ms);
    } else {
        pthread_mutex_lock(&rt->lock);
        for (rt_task *t = rt->tasks; t != NULL; t = t->next)
            if (strcmp(t->conn, conn) == 0)
                atomic_store(&t->target, (int)ts);
        pthread_mutex_unlock(&rt->lock);
    }
    pthread_mutex_lock(&rt->lock);
    rt_connector **p = conn_slot(rt, conn);
    rt_connector *c = p ? *p : NULL;
    pthread_mutex_unlock(&rt->lock);
    if (c != NULL)
        connector_runner_set_target(c, ts);
}

void runtime_reset_topics(runtime *rt, const char *conn)
{
    pthread_mutex_lock(&rt->lock);
    for (rt_task *t = rt->tasks; t != NULL; t = t->next)
        if (strcmp(t->conn, conn) == 0)
            atomic_store(&t->topics_reset, true);
    pthread_mutex_unlock(&rt->lock);
}

void runtime_destroy(runtime *rt)
{
    if (rt == NULL)
        return;
    int64_t deadline = task_now_ms() + rt->shutdown_timeout_ms;
    tasks_finish(tasks_detach(rt, NULL), deadline);
    pthread_mutex_lock(&rt->lock);
    rt_connector *conns = rt->connectors;
    rt->connectors = NULL;
    pthread_mutex_unlock(&rt->lock);
    for (rt_connector *c = conns; c != NULL; c = c->next)
        connector_runner_request_exit(c);
    deadline = task_now_ms() + rt->shutdown_timeout_ms;
    while (conns != NULL) {
        rt_connector *next = conns->next;
        connector_runner_finish(conns, deadline);
        conns = next;
    }
    /* Abandoned threads still point at the runtime: give them a last grace period, then
     * leak the runtime rather than free memory they may still read. */
    for (int i = 0; i < 50 && atomic_load(&rt->abandoned) > 0; i++)
        usleep(20000);
    if (atomic_load(&rt->abandoned) > 0) {
        LOG_ERROR("runtime", "%d connector/task thread(s) still running at shutdown",
                  atomic_load(&rt->abandoned));
        return;
    }
    pthread_mutex_destroy(&rt->lock);
    sl_props_destroy(rt->worker_props);
    free(rt->worker_id);
    free(rt);
}
