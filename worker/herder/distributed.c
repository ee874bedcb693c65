/* herder/distributed.c: the distributed herder's life cycle and the listeners that feed it:
 * config-topic changes, status-topic records (the cluster view) and runtime state reports. */
#include "herder/distributed_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "herder/entities.h"
#include "store/kafka_log.h"
#include "util/log.h"

int64_t dh_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void dh_refresh_snapshot(distributed_herder *h)
{
    config_snapshot *s = config_log_snapshot(h->cfg);
    if (s == NULL) {
        LOG_ERROR(DH_LG, "out of memory taking a config snapshot");
        return;
    }
    config_snapshot_free(h->snap);
    h->snap = s;
    dh_session_refresh(h);
    for (size_t i = 0; i < s->n; i++)
        status_map_set_type(h->smap, s->connectors[i].name,
                            entities_connector_type(s->connectors[i].props));
}

const config_connector *dh_connector(distributed_herder *h, const char *name)
{
    return h->snap ? config_snapshot_find(h->snap, name) : NULL;
}

void dh_set_needs_rebalance(distributed_herder *h, bool v)
{
    pthread_mutex_lock(&h->mu);
    h->needs_rebalance = v;
    pthread_mutex_unlock(&h->mu);
}

/* ---- config topic listener (consumer thread): post the work to the herder thread ---- */

typedef enum ev_kind { EV_CONNECTOR, EV_TASKS, EV_TARGET, EV_RESTART, EV_SESSION_KEY } ev_kind;

typedef struct cfg_event {
    distributed_herder *h;
    ev_kind kind;
    bool a, b;
    target_state ts;
    char name[];
} cfg_event;

static bool ready_flag(distributed_herder *h)
{
    return h->snap != NULL && !h->stopping;
}

static void run_event(void *arg)
{
    cfg_event *e = arg;
    distributed_herder *h = e->h;
    if (ready_flag(h)) {
        switch (e->kind) {
        case EV_CONNECTOR:
            dh_on_connector_config(h, e->name, e->a);
            break;
        case EV_TASKS:
            dh_on_task_configs(h, e->name);
            break;
        case EV_TARGET:
            dh_on_target_state(h, e->name, e->ts);
            break;
        case EV_RESTART:
            dh_on_restart(h, e->name, e->a, e->b);
            break;
        case EV_SESSION_KEY:
            dh_refresh_snapshot(h);
            break;
        }
    }
    free(e);
}

static void post_event(distributed_herder *h, ev_kind kind, const char *name, bool a, bool b,
                       target_state ts)
{
    cfg_event *e = malloc(sizeof(*e) + strlen(name) + 1);
    if (e == NULL)
        return;
    e->h = h;
    e->kind = kind;
    e->a = a;
    e->b = b;
    e->ts = ts;
    strcpy(e->name, name);
    request_queue_post(h->queue, run_event, e, free);
}

static void cl_connector(void *o, const char *name, bool removed)
{
    post_event(o, EV_CONNECTOR, name, removed, false, TARGET_STARTED);
}
static void cl_tasks(void *o, const char *name)
{
    post_event(o, EV_TASKS, name, false, false, TARGET_STARTED);
}
static void cl_target(void *o, const char *name, target_state ts)
{
    post_event(o, EV_TARGET, name, false, false, ts);
}
static void cl_restart(void *o, const char *name, bool include_tasks, bool only_failed)
{
    post_event(o, EV_RESTART, name, include_tasks, only_failed, TARGET_STARTED);
}

/* Cluster-scoped log levels (PUT /admin/loggers/{name}?scope=cluster): every worker applies
 * the records that arrive after it started (the store skips older ones), right here on the
 * store's thread: the logger registry is thread-safe. */
static void cl_logger_level(void *o, const char *ns, const char *level)
{
    (void)o;
    int threshold = log_threshold_parse(level);
    char **affected = NULL;
    size_t n = 0;
    char err[256] = "";
    if (threshold < 0 ||
        log_logger_set(ns, threshold, &affected, &n, err, sizeof(err)) != SL_OK) {
        LOG_WARN(DH_LG, "ignoring the cluster-scoped level %s of logger %s: %s", level, ns,
                 err[0] ? err : "unknown level");
        return;
    }
    LOG_INFO(DH_LG, "logger %s set to %s cluster-wide (%zu logger(s) affected)", ns, level, n);
    log_names_free(affected, n);
}

static void cl_session_key(void *o)
{
    post_event(o, EV_SESSION_KEY, "", false, false, TARGET_STARTED);
}

/* ---- status topic listener: mirror the cluster's statuses for REST ---- */

static void sl_status(void *o, const char *conn, int task, const status_entry *e)
{
    distributed_herder *h = o;
    if (e == NULL)
        status_map_remove(h->smap, conn, task);
    else
        status_map_put(h->smap, conn, task, e->state, e->trace, e->worker_id);
}

/* A topic record was tombstoned (PUT /connectors/{c}/topics/reset on any worker): the tasks
 * running here report their topics again, so the set refills as Connect's does. */
static void sl_topic(void *o, const char *conn, const char *topic, bool removed)
{
    distributed_herder *h = o;
    (void)topic;
    if (removed && h->rt != NULL)
        runtime_reset_topics(h->rt, conn);
}

/* ---- runtime listener (runtime threads): write statuses to the status topic ---- */

static void write_status(distributed_herder *h, const char *conn, int task, conn_state st,
                         const char *trace)
{
    char err[512];
    int32_t gen = atomic_load(&h->generation);
    int rc;
    /* Connect's putSafe for the states written on shutdown or failure. */
    if (st == STATE_UNASSIGNED || st == STATE_FAILED)
        rc = status_log_put_safe(h->status, conn, task, conn_state_name(st), trace, h->worker_id,
                                 gen, NULL, err, sizeof(err));
    else
        rc = status_log_put(h->status, conn, task, conn_state_name(st), trace, h->worker_id, gen,
                            err, sizeof(err));
    if (rc != SL_OK)
        LOG_WARN(DH_LG, "cannot write the status of %s-%d: %s", conn, task, err);
}

static void rt_connector_status(void *o, const char *conn, conn_state st, const char *trace)
{
    write_status(o, conn, -1, st, trace);
}

static void rt_task_status(void *o, const char *conn, int task, conn_state st, const char *trace)
{
    write_status(o, conn, task, st, trace);
}

/* KIP-558: a task used a topic for the first time; the status topic records it once per
 * connector and topic (the store skips topics it already has). */
static void rt_topic_active(void *o, const char *conn, int task, const char *topic)
{
    distributed_herder *h = o;
    const char *v = sl_props_get(h->worker_props, "topic.tracking.enable");
    if (v != NULL && strcasecmp(v, "false") == 0)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    char err[512];
    if (status_log_put_topic(h->status, conn, task, topic,
                             (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, err,
                             sizeof(err)) != SL_OK)
        LOG_WARN(DH_LG, "cannot record that %s-%d uses topic %s: %s", conn, task, topic, err);
}

typedef struct reconf_req {
    distributed_herder *h;
    char name[];
} reconf_req;

static void run_reconfigure(void *arg)
{
    reconf_req *q = arg;
    if (ready_flag(q->h) && assignment_set_has_connector(&q->h->started, q->name))
        dh_regenerate_tasks(q->h, q->name);
    free(q);
}

static void rt_reconfigure(void *o, const char *conn)
{
    distributed_herder *h = o;
    reconf_req *q = malloc(sizeof(*q) + strlen(conn) + 1);
    if (q == NULL)
        return;
    q->h = h;
    strcpy(q->name, conn);
    request_queue_post(h->queue, run_reconfigure, q, free);
}

/* ---- life cycle ---- */

static int int_prop(const sl_props *p, const char *key, long def, char *errstr, size_t len)
{
    long v = def;
    if (kafka_log_int_prop(p, key, def, &v, errstr, len) != SL_OK)
        return -1;
    return (int)v;
}

static void init_on_thread(void *arg)
{
    distributed_herder *h = arg;
    dh_refresh_snapshot(h);
    for (size_t i = 0; h->snap && i < h->snap->n; i++)
        assignment_set_add_connector(&h->known, h->snap->connectors[i].name);
    dh_update_metadata(h);
    pthread_mutex_lock(&h->mu);
    h->started_up = true;
    pthread_mutex_unlock(&h->mu);
}

/* KIP-507 settings: Sluice signs and verifies with HmacSHA256 only. */
static int check_signing_settings(const sl_props *p, char *errstr, size_t errstr_size)
{
    static const char *const single[] = {"inter.worker.key.generation.algorithm",
                                         "inter.worker.signature.algorithm"};
    for (size_t i = 0; i < sizeof(single) / sizeof(single[0]); i++) {
        const char *v = sl_props_get(p, single[i]);
        if (v != NULL && strcmp(v, "HmacSHA256") != 0) {
            snprintf(errstr, errstr_size,
                     "Invalid value %s for configuration %s: only HmacSHA256 is supported", v,
                     single[i]);
            return -1;
        }
    }
    const char *ver = sl_props_get(p, "inter.worker.verification.algorithms");
    if (ver != NULL && strstr(ver, "HmacSHA256") == NULL) {
        snprintf(errstr, errstr_size,
                 "Invalid value %s for configuration inter.worker.verification.algorithms: it "
                 "must include the signature algorithm HmacSHA256",
                 ver);
        return -1;
    }
    return 0;
}

distributed_herder *distributed_herder_start(const sl_props *worker_props, offset_store *offsets,
                                             const char *url, const char *worker_id,
                                             const char *kafka_cluster_id, char *errstr,
                                             size_t errstr_size)
{
    distributed_herder *h = calloc(1, sizeof(*h));
    if (h == NULL) {
        offset_store_destroy(offsets);
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    h->iface.ops = &dh_ops;
    h->offsets = offsets;
    h->worker_props = sl_props_copy(worker_props);
    h->url = strdup(url);
    h->worker_id = strdup(worker_id);
    h->cluster_id = kafka_cluster_id ? strdup(kafka_cluster_id) : NULL;
    pthread_mutex_init(&h->mu, NULL);
    atomic_init(&h->generation, -1);
    h->last_completed_generation = -1;
    assignment_set_init(&h->assigned);
    assignment_set_init(&h->started);
    assignment_set_init(&h->known);
    assignor_incremental_init(&h->inc);
    h->smap = status_map_new();

    const char *proto = sl_props_get(worker_props, "connect.protocol");
    snprintf(h->protocol_pref, sizeof(h->protocol_pref), "%s", proto ? proto : "sessioned");
    if (strcmp(h->protocol_pref, "eager") != 0 && strcmp(h->protocol_pref, "compatible") != 0 &&
        strcmp(h->protocol_pref, "sessioned") != 0) {
        snprintf(errstr, errstr_size,
                 "Invalid value %s for configuration connect.protocol: String must be one of: "
                 "eager, compatible, sessioned",
                 h->protocol_pref);
        goto fail;
    }
    h->max_delay_ms =
        int_prop(worker_props, "scheduled.rebalance.max.delay.ms", 300000, errstr, errstr_size);
    h->sync_timeout_ms =
        int_prop(worker_props, "worker.sync.timeout.ms", 3000, errstr, errstr_size);
    h->unsync_backoff_ms =
        int_prop(worker_props, "worker.unsync.backoff.ms", 300000, errstr, errstr_size);
    long ttl = 3600000;
    if (kafka_log_int_prop(worker_props, "inter.worker.key.ttl.ms", ttl, &ttl, errstr,
                           errstr_size) != SL_OK ||
        check_signing_settings(worker_props, errstr, errstr_size) != 0)
        goto fail;
    h->key_ttl_ms = ttl;
    int session = int_prop(worker_props, "session.timeout.ms", 10000, errstr, errstr_size);
    int heartbeat = int_prop(worker_props, "heartbeat.interval.ms", 3000, errstr, errstr_size);
    int rebalance = int_prop(worker_props, "rebalance.timeout.ms", 60000, errstr, errstr_size);
    if (h->max_delay_ms < 0 || h->sync_timeout_ms < 0 || h->unsync_backoff_ms < 0 || session < 0 || heartbeat < 0 ||
        rebalance < 0)
        goto fail;
    h->session_timeout_ms = session;

    /* The queue runs first so that store listeners always have somewhere to post; events
     * that arrive before init_on_thread are dropped (the snapshot taken there has them). */
    h->queue = request_queue_start("herder", 20, dh_tick, h);
    if (h->queue == NULL) {
        snprintf(errstr, errstr_size, "cannot start the herder thread");
        goto fail;
    }
    status_log_listener sll = {.opaque = h, .status = sl_status, .topic = sl_topic};
    h->status = status_log_open(worker_props, &sll, errstr, errstr_size);
    if (h->status == NULL)
        goto fail;
    config_log_listener cll = {.opaque = h,
                               .connector_config = cl_connector,
                               .task_configs = cl_tasks,
                               .target_state = cl_target,
                               .restart = cl_restart,
                               .session_key = cl_session_key,
                               .logger_level = cl_logger_level};
    h->cfg = config_log_open(worker_props, &cll, errstr, errstr_size);
    if (h->cfg == NULL)
        goto fail;
    runtime_listener rl = {.opaque = h,
                           .connector_status = rt_connector_status,
                           .task_status = rt_task_status,
                           .reconfigure = rt_reconfigure,
                           .topic_active = rt_topic_active};
    h->rt = runtime_new(h->worker_props, offsets, &rl, worker_id, errstr, errstr_size);
    if (h->rt == NULL)
        goto fail;

    group_member_config mc;
    group_member_config_defaults(&mc);
    mc.bootstrap_servers = sl_props_get(worker_props, "bootstrap.servers");
    mc.group_id = sl_props_get(worker_props, "group.id");
    mc.client_id = sl_props_get(worker_props, "client.id");
    mc.session_timeout_ms = session;
    mc.heartbeat_interval_ms = heartbeat;
    mc.rebalance_timeout_ms = rebalance;
    group_member_callbacks cb = dh_member_callbacks_template;
    cb.opaque = h;
    h->member = group_member_new(&mc, &cb, errstr, errstr_size);
    if (h->member == NULL)
        goto fail;
    request_queue_call(h->queue, init_on_thread, h);
    LOG_INFO(DH_LG, "joining group %s as %s (protocol %s)", mc.group_id, h->url, h->protocol_pref);
    return h;
fail:
    distributed_herder_destroy(h);
    return NULL;
}

herder *distributed_herder_iface(distributed_herder *h)
{
    return &h->iface;
}

static void shutdown_on_thread(void *arg)
{
    distributed_herder *h = arg;
    h->stopping = true;
    dh_stop_all(h);
    if (h->member)
        group_member_close(h->member, 5000);
}

void distributed_herder_destroy(distributed_herder *h)
{
    if (h == NULL)
        return;
    dh_session_drain(h);
    if (h->queue)
        request_queue_stop(h->queue, shutdown_on_thread, h);
    h->stopping = true;
    runtime_destroy(h->rt);
    group_member_destroy(h->member);
    config_log_destroy(h->cfg);
    status_log_close(h->status);
    offset_store_destroy(h->offsets);
    config_snapshot_free(h->snap);
    assignment_set_clear(&h->assigned);
    assignment_set_clear(&h->started);
    assignment_set_clear(&h->known);
    assignor_incremental_fini(&h->inc);
    dh_owners_clear(h);
    dh_cleanup_run(h, false);
    status_map_destroy(h->smap);
    sl_props_destroy(h->worker_props);
    pthread_mutex_destroy(&h->mu);
    free(h->url);
    free(h->worker_id);
    free(h->cluster_id);
    free(h);
}
