/* runtime/connector_runner.c: one thread per connector instance running its start, task_configs
 * and stop callbacks one at a time, and the SDK's connector context calls (sl_connector_*). */
#define _GNU_SOURCE /* pthread_setname_np */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/providers.h"
#include "runtime/runtime_internal.h"
#include "runtime/subconfig.h"
#include "util/log.h"

/* ---- status ---- */

static void conn_report(rt_connector *c, conn_state st, const char *trace)
{
    pthread_mutex_lock(&c->report_lock);
    c->status = st;
    if (!c->silenced && c->rt->listener.connector_status != NULL)
        c->rt->listener.connector_status(c->rt->listener.opaque, c->name, st, trace);
    pthread_mutex_unlock(&c->report_lock);
}

static conn_state conn_status(rt_connector *c)
{
    pthread_mutex_lock(&c->report_lock);
    conn_state st = c->status;
    pthread_mutex_unlock(&c->report_lock);
    return st;
}

/* ---- SDK connector context ---- */

const char *sl_connector_name(const sl_connector_ctx *ctx)
{
    return ctx ? ctx->name : NULL;
}

void sl_connector_request_reconfiguration(sl_connector_ctx *ctx)
{
    if (ctx == NULL)
        return;
    pthread_mutex_lock(&ctx->report_lock);
    if (!ctx->silenced && ctx->rt->listener.reconfigure != NULL)
        ctx->rt->listener.reconfigure(ctx->rt->listener.opaque, ctx->name);
    pthread_mutex_unlock(&ctx->report_lock);
}

void sl_connector_raise_error(sl_connector_ctx *ctx, const char *message)
{
    if (ctx == NULL)
        return;
    const char *msg = message && message[0] ? message : "connector raised an error";
    pthread_mutex_lock(&ctx->report_lock);
    if (ctx->status != STATE_FAILED) {
        ctx->status = STATE_FAILED;
        LOG_ERROR("runtime", "connector %s failed: %s", ctx->name, msg);
        if (!ctx->silenced && ctx->rt->listener.connector_status != NULL)
            ctx->rt->listener.connector_status(ctx->rt->listener.opaque, ctx->name, STATE_FAILED,
                                               msg);
    }
    pthread_mutex_unlock(&ctx->report_lock);
}

/* ---- the connector thread ---- */

static void props_decorate(const sl_connector_def *def, const sl_props *conn_config, sl_props *task)
{
    /* Connect adds task.class to every task config, and for sinks the connector's topics
     * settings (Worker.connectorTaskConfigs). Task classes have no name of their own here:
     * derive it as "...XConnector" -> "...XTask". */
    char cls[512];
    const char *cn = def->class_name ? def->class_name : "";
    size_t len = strlen(cn);
    if (len >= 9 && strcmp(cn + len - 9, "Connector") == 0)
        snprintf(cls, sizeof(cls), "%.*sTask", (int)(len - 9), cn);
    else
        snprintf(cls, sizeof(cls), "%sTask", cn);
    sl_props_set(task, "task.class", cls);
    if (def->kind == SL_CONNECTOR_SINK) {
        static const char *const keys[] = {"topics", "topics.regex"};
        for (size_t i = 0; i < 2; i++)
            if (sl_props_has(conn_config, keys[i]) && !sl_props_has(task, keys[i]))
                sl_props_set(task, keys[i], sl_props_get(conn_config, keys[i]));
    }
}

static int exec_start(rt_connector *c, char *err, size_t errsz)
{
    if (c->def == NULL || c->cfg == NULL) {
        /* Config provider variables are resolved into a private copy, as Connect's
         * ClusterConfigState.connectorConfig does; c->config stays raw. */
        sl_props *resolved = NULL;
        if (providers_resolve(providers_installed(), c->config, &resolved, err, errsz) != SL_OK)
            return SL_ERR;
        int rc = SL_OK;
        if (c->def == NULL && (c->def = task_resolve_connector(resolved, err, errsz)) == NULL)
            rc = SL_ERR;
        if (rc == SL_OK && c->cfg == NULL) {
            char what[600];
            snprintf(what, sizeof(what), "connector config of %s", c->def->class_name);
            rc = subconfig_parse(c->def->config, resolved, what, &c->cfg, err, errsz);
        }
        sl_props_destroy(resolved);
        if (rc != SL_OK)
            return SL_ERR;
    }
    if (c->started)
        return SL_OK;
    if (c->def->start != NULL) {
        char perr[1024] = "";
        c->state = NULL;
        if (c->def->start(c->cfg, c, &c->state, perr, sizeof(perr)) != SL_OK) {
            snprintf(err, errsz, "connector start failed: %.900s",
                     perr[0] ? perr : "unknown error");
            return SL_ERR;
        }
    }
    c->started = true;
    return SL_OK;
}

static void exec_stop(rt_connector *c)
{
    if (c->started && c->def->stop != NULL)
        c->def->stop(c->state);
    c->started = false;
    c->state = NULL;
}

static int exec_task_configs(rt_connector *c, int max_tasks, sl_props ***out, int *nout, char *err,
                             size_t errsz)
{
    *out = NULL;
    *nout = 0;
    if (!c->started || c->def == NULL) {
        snprintf(err, errsz, "Connector %s is not running", c->name);
        return SL_ERR;
    }
    if (max_tasks < 1) {
        snprintf(err, errsz, "tasks.max must be at least 1");
        return SL_ERR;
    }
    if (c->def->task_configs == NULL) {
        snprintf(err, errsz, "connector %s provides no task configs", c->def->class_name);
        return SL_ERR;
    }
    sl_props **arr = calloc((size_t)max_tasks, sizeof(*arr));
    if (arr == NULL) {
        snprintf(err, errsz, "out of memory");
        return SL_ERR;
    }
    char perr[1024] = "";
    int n = c->def->task_configs(c->state, max_tasks, arr, perr, sizeof(perr));
    if (n < 0 || n > max_tasks) {
        for (int i = 0; i < max_tasks; i++)
            sl_props_destroy(arr[i]);
        free(arr);
        if (n < 0)
            snprintf(err, errsz, "task_configs() failed: %.900s", perr[0] ? perr : "unknown error");
        else
            snprintf(err, errsz, "connector %s returned %d task configs for tasks.max=%d", c->name,
                     n, max_tasks);
        return SL_ERR;
    }
    for (int i = n; i < max_tasks; i++) {
        sl_props_destroy(arr[i]); /* placed beyond the count it returned: not ours to keep */
        arr[i] = NULL;
    }
    for (int i = 0; i < n; i++) {
        if (arr[i] == NULL)
            arr[i] = sl_props_new();
        props_decorate(c->def, c->config, arr[i]);
    }
    *out = arr;
    *nout = n;
    return SL_OK;
}

static void free_configs(sl_props **arr, int n)
{
    for (int i = 0; i < n; i++)
        sl_props_destroy(arr[i]);
    free(arr);
}

static void connector_free(rt_connector *c)
{
    subconfig_free(c->cfg);
    sl_props_destroy(c->config);
    if (c->cmd_out != NULL)
        free_configs(c->cmd_out, c->cmd_nout);
    pthread_mutex_destroy(&c->lock);
    pthread_mutex_destroy(&c->report_lock);
    pthread_cond_destroy(&c->cond);
    free(c->name);
    free(c);
}

static void *connector_main(void *arg)
{
    rt_connector *c = arg;
    log_set_context(c->name);
    char tname[16]; /* the kernel keeps 15 characters */
    snprintf(tname, sizeof(tname), "c:%.13s", c->name);
    pthread_setname_np(pthread_self(), tname);
    pthread_mutex_lock(&c->lock);
    for (;;) {
        while ((c->cmd == CONN_CMD_NONE || c->cmd_done) && !c->exit_requested)
            pthread_cond_wait(&c->cond, &c->lock);
        if (c->cmd != CONN_CMD_NONE && !c->cmd_done) {
            conn_cmd cmd = c->cmd;
            int max_tasks = c->cmd_max_tasks;
            pthread_mutex_unlock(&c->lock);
            char err[1024] = "";
            int rc = SL_OK;
            sl_props **out = NULL;
            int nout = 0;
            bool skip;
            pthread_mutex_lock(&c->lock);
            skip = c->exit_requested;
            pthread_mutex_unlock(&c->lock);
            if (skip) {
                snprintf(err, sizeof(err), "Connector %s is stopping", c->name);
                rc = SL_ERR;
            } else if (cmd == CONN_CMD_START) {
                rc = exec_start(c, err, sizeof(err));
                char *clean = rc != SL_OK ? runtime_scrub(c->config, NULL, err) : NULL;
                if (clean != NULL) /* placeholders, not resolved secrets, in the trace */
                    snprintf(err, sizeof(err), "%s", clean);
                free(clean);
            } else if (cmd == CONN_CMD_TASK_CONFIGS) {
                rc = exec_task_configs(c, max_tasks, &out, &nout, err, sizeof(err));
            } else if (cmd == CONN_CMD_STOP) {
                exec_stop(c);
            }
            pthread_mutex_lock(&c->lock);
            c->cmd_rc = rc;
            snprintf(c->cmd_err, sizeof(c->cmd_err), "%s", err);
            c->cmd_done = true;
            if (c->cmd_orphaned) {
                free_configs(out, nout);
                c->cmd = CONN_CMD_NONE;
                c->cmd_orphaned = false;
            } else {
                c->cmd_out = out;
                c->cmd_nout = nout;
            }
            pthread_cond_broadcast(&c->cond);
            continue;
        }
        if (c->exit_requested)
            break;
    }
    pthread_mutex_unlock(&c->lock);
    exec_stop(c);
    pthread_mutex_lock(&c->lock);
    c->exited = true;
    bool abandoned = c->abandoned;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
    if (abandoned) {
        runtime *rt = c->rt;
        LOG_INFO("runtime", "connector %s finally stopped after being abandoned", c->name);
        connector_free(c);
        atomic_fetch_sub(&rt->abandoned, 1);
    }
    log_set_context(NULL);
    return NULL;
}

static void deadline_ts(int64_t deadline_ms, struct timespec *ts)
{
    /* Condition variables here use CLOCK_MONOTONIC, as task_now_ms does. */
    ts->tv_sec = (time_t)(deadline_ms / 1000);
    ts->tv_nsec = (long)(deadline_ms % 1000) * 1000000L;
}

/* Run `cmd` on the connector thread and wait for it (timeout_ms < 0: no limit). Results are
 * copied out under the lock. SL_ERR with errstr on failure or timeout. */
static int conn_call(rt_connector *c, conn_cmd cmd, int max_tasks, int64_t timeout_ms,
                     sl_props ***out, int *nout, char *errstr, size_t errstr_size)
{
    int64_t deadline = timeout_ms >= 0 ? task_now_ms() + timeout_ms : -1;
    struct timespec ts;
    if (deadline >= 0)
        deadline_ts(deadline, &ts);
    pthread_mutex_lock(&c->lock);
    while (c->cmd != CONN_CMD_NONE && !c->exited) {
        if (deadline < 0)
            pthread_cond_wait(&c->cond, &c->lock);
        else if (pthread_cond_timedwait(&c->cond, &c->lock, &ts) == ETIMEDOUT)
            break;
    }
    if (c->exited || c->cmd != CONN_CMD_NONE) {
        pthread_mutex_unlock(&c->lock);
        snprintf(errstr, errstr_size, "Connector %s is busy or stopping", c->name);
        return SL_ERR;
    }
    c->cmd = cmd;
    c->cmd_done = false;
    c->cmd_orphaned = false;
    c->cmd_max_tasks = max_tasks;
    pthread_cond_broadcast(&c->cond);
    while (!c->cmd_done) {
        if (deadline < 0)
            pthread_cond_wait(&c->cond, &c->lock);
        else if (pthread_cond_timedwait(&c->cond, &c->lock, &ts) == ETIMEDOUT)
            break;
    }
    if (!c->cmd_done) {
        c->cmd_orphaned = true;
        pthread_mutex_unlock(&c->lock);
        snprintf(errstr, errstr_size, "Connector %s did not answer within %lld ms", c->name,
                 (long long)timeout_ms);
        return SL_ERR;
    }
    int rc = c->cmd_rc;
    if (rc != SL_OK)
        snprintf(errstr, errstr_size, "%s", c->cmd_err);
    if (out != NULL) {
        *out = c->cmd_out;
        *nout = c->cmd_nout;
    } else if (c->cmd_out != NULL) {
        free_configs(c->cmd_out, c->cmd_nout);
    }
    c->cmd_out = NULL;
    c->cmd_nout = 0;
    c->cmd = CONN_CMD_NONE;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
    return rc;
}

rt_connector *connector_runner_new(runtime *rt, const char *name, const sl_props *config,
                                   char *errstr, size_t errstr_size)
{
    rt_connector *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    c->rt = rt;
    c->name = strdup(name);
    c->config = sl_props_copy(config);
    c->status = STATE_UNASSIGNED;
    pthread_mutex_init(&c->lock, NULL);
    pthread_mutex_init(&c->report_lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&c->cond, &ca);
    pthread_condattr_destroy(&ca);
    if (c->name == NULL || c->config == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        connector_free(c);
        return NULL;
    }
    int err = pthread_create(&c->thread, NULL, connector_main, c);
    if (err != 0) {
        snprintf(errstr, errstr_size, "cannot start the connector thread: %s", strerror(err));
        connector_free(c);
        return NULL;
    }
    return c;
}

int connector_runner_start(rt_connector *c, target_state ts, char *errstr, size_t errstr_size)
{
    c->target = ts;
    if (ts == TARGET_STOPPED) {
        /* KIP-875: a STOPPED connector has no running instance and no tasks. */
        LOG_INFO("runtime", "connector %s created in STOPPED state", c->name);
        conn_report(c, STATE_STOPPED, NULL);
        return SL_OK;
    }
    if (conn_call(c, CONN_CMD_START, 0, -1, NULL, NULL, errstr, errstr_size) != SL_OK) {
        LOG_ERROR("runtime", "connector %s failed to start: %s", c->name, errstr);
        conn_report(c, STATE_FAILED, errstr);
        return SL_ERR;
    }
    LOG_INFO("runtime", "connector %s started%s", c->name, ts == TARGET_PAUSED ? " (paused)" : "");
    /* start() may have raised an error already. */
    if (conn_status(c) != STATE_FAILED)
        conn_report(c, ts == TARGET_PAUSED ? STATE_PAUSED : STATE_RUNNING, NULL);
    return SL_OK;
}

int connector_runner_task_configs(rt_connector *c, int max_tasks, sl_props ***out, int *n,
                                  char *errstr, size_t errstr_size)
{
    *out = NULL;
    *n = 0;
    conn_state st = conn_status(c);
    if (st != STATE_RUNNING && st != STATE_PAUSED) {
        snprintf(errstr, errstr_size, "Connector %s is %s, not running", c->name,
                 conn_state_name(st));
        return SL_ERR;
    }
    return conn_call(c, CONN_CMD_TASK_CONFIGS, max_tasks, -1, out, n, errstr, errstr_size);
}

void connector_runner_set_target(rt_connector *c, target_state ts)
{
    c->target = ts;
    conn_state st = conn_status(c);
    if (st == STATE_FAILED)
        return; /* only a restart clears FAILED (Connect never restarts it by itself) */
    char err[1024] = "";
    switch (ts) {
    case TARGET_PAUSED:
    case TARGET_STARTED:
        if (st == STATE_STOPPED || st == STATE_UNASSIGNED) {
            if (conn_call(c, CONN_CMD_START, 0, -1, NULL, NULL, err, sizeof(err)) != SL_OK) {
                LOG_ERROR("runtime", "connector %s failed to start: %s", c->name, err);
                conn_report(c, STATE_FAILED, err);
                return;
            }
            if (conn_status(c) == STATE_FAILED)
                return;
        }
        if (ts == TARGET_PAUSED && st != STATE_PAUSED) {
            LOG_INFO("runtime", "connector %s paused", c->name);
            conn_report(c, STATE_PAUSED, NULL);
        } else if (ts == TARGET_STARTED && st != STATE_RUNNING) {
            LOG_INFO("runtime", "connector %s resumed", c->name);
            conn_report(c, STATE_RUNNING, NULL);
        }
        break;
    case TARGET_STOPPED:
        if (st != STATE_STOPPED) {
            if (conn_call(c, CONN_CMD_STOP, 0, c->rt->shutdown_timeout_ms, NULL, NULL, err,
                          sizeof(err)) != SL_OK)
                LOG_ERROR("runtime", "connector %s: stop: %s", c->name, err);
            LOG_INFO("runtime", "connector %s stopped", c->name);
            conn_report(c, STATE_STOPPED, NULL);
        }
        break;
    }
}

void connector_runner_request_exit(rt_connector *c)
{
    pthread_mutex_lock(&c->lock);
    c->exit_requested = true;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

void connector_runner_finish(rt_connector *c, int64_t deadline_ms)
{
    struct timespec ts;
    deadline_ts(deadline_ms, &ts);
    pthread_mutex_lock(&c->lock);
    while (!c->exited)
        if (pthread_cond_timedwait(&c->cond, &c->lock, &ts) == ETIMEDOUT)
            break;
    if (!c->exited) {
        /* Connect logs "Graceful stop of connector failed" and moves on. Everything is done
         * under the lock: once it is released the thread may free `c` at any moment. */
        c->abandoned = true;
        pthread_mutex_lock(&c->report_lock);
        c->silenced = true;
        pthread_mutex_unlock(&c->report_lock);
        atomic_fetch_add(&c->rt->abandoned, 1);
        LOG_ERROR("runtime", "connector %s did not stop within %lld ms; abandoning its thread",
                  c->name, (long long)c->rt->shutdown_timeout_ms);
        pthread_t th = c->thread;
        pthread_mutex_unlock(&c->lock);
        pthread_detach(th);
        return;
    }
    pthread_mutex_unlock(&c->lock);
    pthread_join(c->thread, NULL);
    conn_state st = conn_status(c);
    if (st != STATE_FAILED && st != STATE_STOPPED)
        conn_report(c, STATE_UNASSIGNED, NULL);
    LOG_INFO("runtime", "connector %s shut down", c->name);
    connector_free(c);
}
