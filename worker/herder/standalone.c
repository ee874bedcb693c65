/* herder/standalone.c: connect-standalone's herder. Connector configs, target states and task
 * configs live on the herder thread; REST operations are executed there one at a time. */
#include "herder/standalone.h"

#include <stdlib.h>
#include <string.h>

#include "config/providers.h"
#include "herder/entities.h"
#include "herder/offsets_admin.h"
#include "herder/topic_tracking.h"
#include "herder/validation.h"
#include "herder/request_queue.h"
#include "herder/status_map.h"
#include "plugin/registry.h"
#include "runtime/runtime.h"
#include "util/log.h"
#include "version.h"

#define LG "herder"

typedef struct conn {
    struct conn *next;
    char *name;
    sl_props *config; /* raw, as given */
    target_state target;
    sl_props **tasks;
    int ntasks;
    bool started; /* the connector instance runs in the runtime */
} conn;

struct standalone_herder {
    herder iface;
    request_queue *queue;
    runtime *rt;
    status_map *status;
    offset_store *offsets;
    sl_props *worker_props;
    char *worker_id;
    char *cluster_id;
    conn *conns;
    topic_tracking *topics; /* KIP-558: thread-safe, written by task threads */
};

/* ---- runtime listener: runtime threads report here ---- */

static void on_connector_status(void *opaque, const char *name, conn_state st, const char *trace)
{
    standalone_herder *h = opaque;
    status_map_put(h->status, name, -1, conn_state_name(st), trace, h->worker_id);
}

static void on_task_status(void *opaque, const char *name, int task, conn_state st,
                           const char *trace)
{
    standalone_herder *h = opaque;
    status_map_put(h->status, name, task, conn_state_name(st), trace, h->worker_id);
}

static void reconfigure_on_thread(void *arg);

static void on_topic_active(void *opaque, const char *name, int task, const char *topic)
{
    standalone_herder *h = opaque;
    if (topic_tracking_enabled(h->worker_props))
        topic_tracking_add(h->topics, name, topic, task, 0);
}

static void on_reconfigure(void *opaque, const char *name)
{
    standalone_herder *h = opaque;
    struct {
        standalone_herder *h;
        char name[];
    } *req = malloc(sizeof(*req) + strlen(name) + 1);
    if (req == NULL)
        return;
    req->h = h;
    strcpy(req->name, name);
    request_queue_post(h->queue, reconfigure_on_thread, req, free);
}

/* ---- connector lifecycle (herder thread) ---- */

static conn *conn_find(standalone_herder *h, const char *name)
{
    for (conn *c = h->conns; c; c = c->next)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

static void tasks_free(conn *c)
{
    for (int i = 0; i < c->ntasks; i++)
        sl_props_destroy(c->tasks[i]);
    free(c->tasks);
    c->tasks = NULL;
    c->ntasks = 0;
}

static void stop_tasks(standalone_herder *h, conn *c)
{
    for (int i = 0; i < c->ntasks; i++)
        runtime_stop_task(h->rt, c->name, i);
}

static void start_tasks(standalone_herder *h, conn *c)
{
    char err[1024];
    for (int i = 0; i < c->ntasks; i++)
        if (runtime_start_task(h->rt, c->name, i, c->config, c->tasks[i], c->target, err,
                               sizeof(err)) != SL_OK)
            LOG_WARN(LG, "task %s-%d failed to start: %s", c->name, i, err);
}

static int tasks_max(const sl_props *config)
{
    const char *v = sl_props_get(config, "tasks.max");
    int n = v ? atoi(v) : 1;
    return n > 0 ? n : 1;
}

/* Ask the connector for task configs; restart the tasks only when they changed (Connect's
 * reconfiguration rule), or when `force` is set. */
static void regenerate_tasks(standalone_herder *h, conn *c, bool force)
{
    sl_props **out = NULL;
    int n = 0;
    char err[1024] = "";
    if (runtime_task_configs(h->rt, c->name, tasks_max(c->config), &out, &n, err,
                             sizeof(err)) != SL_OK) {
        LOG_ERROR(LG, "connector %s failed to generate task configs: %s", c->name, err);
        status_map_put(h->status, c->name, -1, "FAILED", err, h->worker_id);
        return;
    }
    const char *cls = sl_props_get(c->config, "connector.class");
    for (int i = 0; i < n; i++)
        if (!sl_props_has(out[i], "task.class"))
            sl_props_set(out[i], "task.class", cls);
    /* Resolved secrets go back to their placeholders before task configs are kept. */
    providers_reverse_task_configs(providers_installed(), c->config, out, n);
    bool same = !force && n == c->ntasks;
    for (int i = 0; same && i < n; i++)
        same = entities_props_equal(out[i], c->tasks[i]);
    if (same) {
        for (int i = 0; i < n; i++)
            sl_props_destroy(out[i]);
        free(out);
        return;
    }
    stop_tasks(h, c);
    status_map_trim_tasks(h->status, c->name, n);
    tasks_free(c);
    c->tasks = out;
    c->ntasks = n;
    LOG_INFO(LG, "connector %s: %d task config(s)", c->name, n);
    start_tasks(h, c);
}

static void start_connector(standalone_herder *h, conn *c)
{
    if (c->target == TARGET_STOPPED) {
        status_map_put(h->status, c->name, -1, "STOPPED", NULL, h->worker_id);
        return;
    }
    char err[1024] = "";
    if (runtime_start_connector(h->rt, c->name, c->config, c->target, err, sizeof(err)) !=
        SL_OK) {
        LOG_ERROR(LG, "connector %s failed to start: %s", c->name, err);
        status_map_put(h->status, c->name, -1, "FAILED", err, h->worker_id);
        return;
    }
    c->started = true;
    regenerate_tasks(h, c, true);
}

static void stop_connector(standalone_herder *h, conn *c)
{
    stop_tasks(h, c);
    if (c->started)
        runtime_stop_connector(h->rt, c->name);
    c->started = false;
}

static void reconfigure_on_thread(void *arg)
{
    struct {
        standalone_herder *h;
        char name[];
    } *req = arg;
    conn *c = conn_find(req->h, req->name);
    if (c && c->started && c->target != TARGET_STOPPED)
        regenerate_tasks(req->h, c, false);
    free(req);
}

static void conn_remove(standalone_herder *h, conn *victim)
{
    for (conn **pp = &h->conns; *pp; pp = &(*pp)->next)
        if (*pp == victim) {
            *pp = victim->next;
            break;
        }
    tasks_free(victim);
    sl_props_destroy(victim->config);
    free(victim->name);
    free(victim);
}

/* ---- operations (herder thread) ---- */

typedef struct op {
    standalone_herder *h;
    void (*fn)(struct op *o);
    const char *name;
    int task;
    bool flag1, flag2;
    json_t *body;
    const char *str;
    herder_reply *r;
    int result;
    char *errstr;
    size_t errstr_size;
} op;

static void run_op(void *arg)
{
    op *o = arg;
    o->fn(o);
}

static void dispatch(op *o)
{
    if (!request_queue_call(o->h->queue, run_op, o))
        herder_reply_error(o->r, 503, "Worker is shutting down");
}

static void reply_connector_info(op *o, int status, conn *c)
{
    herder_reply_json(o->r, status, entities_connector_info(c->name, c->config, c->ntasks));
}

/* Create or replace; `allow_replace` false makes an existing name a 409. */
static void put_config(op *o, sl_props *config, bool allow_replace, target_state initial)
{
    standalone_herder *h = o->h;
    const char *cfg_name = sl_props_get(config, "name");
    if (cfg_name && strcmp(cfg_name, o->name) != 0) {
        herder_reply_error(o->r, 400,
                           "Connector name configuration (%s) doesn't match connector name in "
                           "the URL (%s)",
                           cfg_name, o->name);
        sl_props_destroy(config);
        return;
    }
    if (!cfg_name)
        sl_props_set(config, "name", o->name);
    if (!herder_validate_or_reply(config, o->r)) {
        sl_props_destroy(config);
        return;
    }
    conn *c = conn_find(h, o->name);
    if (c && !allow_replace) {
        herder_reply_error(o->r, 409, "Connector %s already exists", o->name);
        sl_props_destroy(config);
        return;
    }
    bool created = c == NULL;
    if (created) {
        c = calloc(1, sizeof(*c));
        c->name = strdup(o->name);
        c->target = initial;
        c->next = h->conns;
        h->conns = c;
    } else {
        stop_connector(h, c);
        tasks_free(c);
        sl_props_destroy(c->config);
    }
    c->config = config;
    status_map_set_type(h->status, c->name, entities_connector_type(config));
    LOG_INFO(LG, "%s connector %s", created ? "created" : "reconfigured", c->name);
    start_connector(h, c);
    reply_connector_info(o, created ? 201 : 200, c);
    if (created)
        snprintf(o->r->location, sizeof(o->r->location), "/connectors/%s", c->name);
}

static void op_create(op *o)
{
    target_state initial = TARGET_STARTED;
    if (o->str) {
        if (strcasecmp(o->str, "PAUSED") == 0)
            initial = TARGET_PAUSED;
        else if (strcasecmp(o->str, "STOPPED") == 0)
            initial = TARGET_STOPPED;
        else if (strcasecmp(o->str, "RUNNING") != 0) {
            herder_reply_error(o->r, 400, "Invalid initial state %s", o->str);
            return;
        }
    }
    put_config(o, entities_props_from_json(o->body), false, initial);
}

static void op_put_config(op *o) { put_config(o, entities_props_from_json(o->body), true, TARGET_STARTED); }

static conn *find_or_404(op *o, const char *fmt)
{
    conn *c = conn_find(o->h, o->name);
    if (c == NULL)
        herder_reply_error(o->r, 404, fmt, o->name);
    return c;
}

static void op_patch_config(op *o)
{
    conn *c = find_or_404(o, "Connector %s not found");
    if (c == NULL)
        return;
    sl_props *merged = sl_props_copy(c->config);
    const char *key;
    json_t *v;
    json_object_foreach(o->body, key, v)
    {
        if (json_is_null(v))
            sl_props_remove(merged, key);
        else if (json_is_string(v))
            sl_props_set(merged, key, json_string_value(v));
    }
    put_config(o, merged, true, c->target);
}

static void op_get_connector(op *o)
{
    conn *c = find_or_404(o, "Connector %s not found");
    if (c)
        reply_connector_info(o, 200, c);
}

static void op_get_config(op *o)
{
    conn *c = find_or_404(o, "Connector %s not found");
    if (c)
        herder_reply_json(o->r, 200, entities_props_to_json(c->config));
}

static void op_get_tasks(op *o)
{
    conn *c = find_or_404(o, "Connector %s not found");
    if (c)
        herder_reply_json(o->r, 200, entities_task_infos(c->name, c->tasks, c->ntasks));
}

static void op_list(op *o)
{
    standalone_herder *h = o->h;
    if (!o->flag1 && !o->flag2) {
        json_t *arr = json_array();
        for (conn *c = h->conns; c; c = c->next)
            json_array_append_new(arr, json_string(c->name));
        herder_reply_json(o->r, 200, arr);
        return;
    }
    json_t *map = json_object();
    for (conn *c = h->conns; c; c = c->next) {
        json_t *entry = json_object();
        if (o->flag1) {
            json_t *st = status_map_connector_json(h->status, c->name,
                                                   entities_connector_type(c->config));
            if (st == NULL) { /* Connect leaves out connectors without a status yet */
                json_decref(entry);
                continue;
            }
            json_object_set_new(entry, "status", st);
        }
        if (o->flag2)
            json_object_set_new(entry, "info",
                                entities_connector_info(c->name, c->config, c->ntasks));
        json_object_set_new(map, c->name, entry);
    }
    herder_reply_json(o->r, 200, map);
}

static void op_delete(op *o)
{
    conn *c = find_or_404(o, "Connector %s not found");
    if (c == NULL)
        return;
    stop_connector(o->h, c);
    status_map_remove(o->h->status, c->name, -1);
    LOG_INFO(LG, "deleted connector %s", c->name);
    conn_remove(o->h, c);
    herder_reply_json(o->r, 204, NULL);
}

static void set_target(op *o, target_state ts)
{
    conn *c = find_or_404(o, "Unknown connector %s");
    if (c == NULL)
        return;
    target_state old = c->target;
    c->target = ts;
    if (old == TARGET_STOPPED && ts != TARGET_STOPPED) {
        start_connector(o->h, c); /* resuming a stopped connector makes fresh tasks */
    } else if (ts == TARGET_STOPPED && old != TARGET_STOPPED) {
        stop_connector(o->h, c);
        tasks_free(c);
        status_map_remove(o->h->status, c->name, -1);
        status_map_put(o->h->status, c->name, -1, "STOPPED", NULL, o->h->worker_id);
        status_map_set_type(o->h->status, c->name, entities_connector_type(c->config));
    } else if (c->started) {
        runtime_set_target_state(o->h->rt, c->name, ts);
    }
}

static void op_pause(op *o)
{
    set_target(o, TARGET_PAUSED);
    if (o->r->body == NULL)
        herder_reply_json(o->r, 202, NULL);
}

static void op_resume(op *o)
{
    set_target(o, TARGET_STARTED);
    if (o->r->body == NULL)
        herder_reply_json(o->r, 202, NULL);
}

static void op_stop(op *o)
{
    set_target(o, TARGET_STOPPED);
    if (o->r->body == NULL)
        herder_reply_json(o->r, 204, NULL);
}

static bool is_failed(standalone_herder *h, const char *name, int task)
{
    char st[16];
    status_map_state(h->status, name, task, st, sizeof(st));
    return strcmp(st, "FAILED") == 0;
}

static void restart_task_now(standalone_herder *h, conn *c, int i)
{
    char err[1024];
    runtime_stop_task(h->rt, c->name, i);
    if (runtime_start_task(h->rt, c->name, i, c->config, c->tasks[i], c->target, err,
                           sizeof(err)) != SL_OK)
        LOG_WARN(LG, "task %s-%d failed to restart: %s", c->name, i, err);
}

static void op_restart_connector(op *o)
{
    standalone_herder *h = o->h;
    conn *c = find_or_404(o, "Unknown connector: %s");
    if (c == NULL)
        return;
    bool include_tasks = o->flag1, only_failed = o->flag2;
    if (!include_tasks && !only_failed) { /* legacy form: the Connector instance only */
        if (c->started)
            runtime_stop_connector(h->rt, c->name);
        c->started = false;
        start_connector(h, c);
        herder_reply_json(o->r, 204, NULL);
        return;
    }
    json_t *plan = status_map_connector_json(h->status, c->name,
                                             entities_connector_type(c->config));
    if (plan == NULL) {
        herder_reply_error(o->r, 404, "Status for connector %s not found", c->name);
        return;
    }
    bool restart_conn = !only_failed || is_failed(h, c->name, -1);
    bool *restart_task = calloc((size_t)c->ntasks + 1, sizeof(bool));
    for (int i = 0; i < c->ntasks; i++)
        restart_task[i] = include_tasks && (!only_failed || is_failed(h, c->name, i));
    if (restart_conn)
        json_object_set_new(json_object_get(plan, "connector"), "state",
                            json_string("RESTARTING"));
    size_t idx;
    json_t *t;
    json_array_foreach(json_object_get(plan, "tasks"), idx, t)
    {
        json_int_t id = json_integer_value(json_object_get(t, "id"));
        if (id >= 0 && id < c->ntasks && restart_task[id])
            json_object_set_new(t, "state", json_string("RESTARTING"));
    }
    if (restart_conn) {
        stop_connector(h, c);
        tasks_free(c);
        start_connector(h, c); /* regenerates and starts every task */
    } else {
        for (int i = 0; i < c->ntasks; i++)
            if (restart_task[i])
                restart_task_now(h, c, i);
    }
    free(restart_task);
    herder_reply_json(o->r, 202, plan);
}

static void op_restart_task(op *o)
{
    conn *c = find_or_404(o, "Unknown connector: %s");
    if (c == NULL)
        return;
    if (o->task < 0 || o->task >= c->ntasks) {
        herder_reply_error(o->r, 404, "Unknown task: %s-%d", c->name, o->task);
        return;
    }
    restart_task_now(o->h, c, o->task);
    herder_reply_json(o->r, 204, NULL);
}

static void op_add(op *o)
{
    sl_props *config = sl_props_copy((const sl_props *)o->body);
    herder_reply r;
    herder_reply_init(&r);
    op inner = *o;
    inner.r = &r;
    put_config(&inner, config, false, TARGET_STARTED);
    o->result = r.status < 300 ? SL_OK : SL_ERR;
    if (o->result != SL_OK) {
        json_t *m = json_object_get(r.body, "message");
        snprintf(o->errstr, o->errstr_size, "%s",
                 json_is_string(m) ? json_string_value(m) : "failed");
    }
    herder_reply_fini(&r);
}

/* ---- the herder interface ---- */

#define H(hh) ((standalone_herder *)(hh))

static void server_info(herder *hh, herder_reply *r)
{
    herder_reply_json(r, 200,
                      json_pack("{s:s,s:s,s:s?}", "version", SLUICE_CONNECT_VERSION, "commit",
                                SLUICE_COMMIT, "kafka_cluster_id", H(hh)->cluster_id));
}

static void list_connectors(herder *hh, bool expand_status, bool expand_info, herder_reply *r)
{
    op o = {.h = H(hh), .fn = op_list, .flag1 = expand_status, .flag2 = expand_info, .r = r};
    dispatch(&o);
}

static void create_connector(herder *hh, const char *name, json_t *config,
                             const char *initial_state, herder_reply *r)
{
    op o = {.h = H(hh), .fn = op_create, .name = name, .body = config, .str = initial_state,
            .r = r};
    dispatch(&o);
}

#define NAMED_OP(fname, opfn)                                                                    \
    static void fname(herder *hh, const char *name, herder_reply *r)                             \
    {                                                                                            \
        op o = {.h = H(hh), .fn = opfn, .name = name, .r = r};                                   \
        dispatch(&o);                                                                            \
    }

NAMED_OP(get_connector, op_get_connector)
NAMED_OP(get_connector_config, op_get_config)
NAMED_OP(get_connector_tasks, op_get_tasks)
NAMED_OP(pause_connector, op_pause)
NAMED_OP(resume_connector, op_resume)
NAMED_OP(stop_connector_op, op_stop)
NAMED_OP(delete_connector, op_delete)

static void put_connector_config(herder *hh, const char *name, json_t *config, herder_reply *r)
{
    op o = {.h = H(hh), .fn = op_put_config, .name = name, .body = config, .r = r};
    dispatch(&o);
}

static void patch_connector_config(herder *hh, const char *name, json_t *patch, herder_reply *r)
{
    op o = {.h = H(hh), .fn = op_patch_config, .name = name, .body = patch, .r = r};
    dispatch(&o);
}

static void get_connector_status(herder *hh, const char *name, herder_reply *r)
{
    /* Served from the status cache without the herder thread (Connect: local). */
    status_map_reply_connector(H(hh)->status, name, r);
}

static void get_task_status(herder *hh, const char *name, int task, herder_reply *r)
{
    status_map_reply_task(H(hh)->status, name, task, r);
}

static void restart_connector(herder *hh, const char *name, bool include_tasks, bool only_failed,
                              herder_reply *r)
{
    op o = {.h = H(hh), .fn = op_restart_connector, .name = name, .flag1 = include_tasks,
            .flag2 = only_failed, .r = r};
    dispatch(&o);
}

static void restart_task(herder *hh, const char *name, int task, herder_reply *r)
{
    op o = {.h = H(hh), .fn = op_restart_task, .name = name, .task = task, .r = r};
    dispatch(&o);
}

/* ---- health, offsets (KIP-875), topics (KIP-558) ---- */

static void health(herder *hh, herder_reply *r)
{
    /* Connect's /health: a no-op through the herder thread within 10 s. The standalone herder
     * has finished starting once it exists. */
    herder_reply_health(r, request_queue_ping(H(hh)->queue, 10000) == 1, true);
}

/* The herder thread looks the connector up; the REST thread then does the (blocking) offsets
 * work, so that Kafka admin calls never hold up the herder. */
typedef struct offsets_lookup {
    op o; /* first: run_op gets &o */
    sl_props *config;
    target_state target;
    int ntasks;
} offsets_lookup;

static void op_offsets_lookup(op *o)
{
    offsets_lookup *q = (offsets_lookup *)o;
    conn *c = find_or_404(o, "Connector %s not found");
    if (c == NULL)
        return;
    q->config = sl_props_copy(c->config);
    q->target = c->target;
    q->ntasks = c->ntasks;
}

static void get_offsets(herder *hh, const char *name, herder_reply *r)
{
    offsets_lookup q = {.o = {.h = H(hh), .fn = op_offsets_lookup, .name = name, .r = r}};
    dispatch(&q.o);
    if (q.config == NULL)
        return;
    offsets_admin_get(H(hh)->worker_props, H(hh)->offsets, name, q.config, r);
    sl_props_destroy(q.config);
}

static void alter_offsets(herder *hh, const char *name, json_t *body, herder_reply *r)
{
    /* Connect's REST layer checks the body before the herder looks for the connector. */
    if (!offsets_admin_check_body(body, r))
        return;
    offsets_lookup q = {.o = {.h = H(hh), .fn = op_offsets_lookup, .name = name, .r = r}};
    dispatch(&q.o);
    if (q.config != NULL && offsets_admin_check_stopped(name, q.target, q.ntasks, r))
        offsets_admin_alter(H(hh)->worker_props, H(hh)->offsets, name, q.config, body, r);
    sl_props_destroy(q.config);
}

static void get_topics(herder *hh, const char *name, herder_reply *r)
{
    if (topic_tracking_check(H(hh)->worker_props, false, r))
        herder_reply_json(r, 200, topic_tracking_json(H(hh)->topics, name));
}

static void reset_topics(herder *hh, const char *name, herder_reply *r)
{
    if (!topic_tracking_check(H(hh)->worker_props, true, r))
        return;
    /* The herder's set first, then the tasks': a task that uses a topic in between has not
     * forgotten it yet and stays quiet, and reports it on its next use after the reset. */
    topic_tracking_reset(H(hh)->topics, name, NULL);
    runtime_reset_topics(H(hh)->rt, name);
    herder_reply_json(r, 202, NULL);
}

static void put_task_configs(herder *hh, const char *name, json_t *configs, herder_reply *r)
{
    (void)hh;
    (void)name;
    (void)configs;
    /* connect-standalone serves no internal endpoints: answer as for an unknown path. */
    herder_reply_error(r, 404, "HTTP 404 Not Found");
}

static const herder_ops standalone_ops = {
    .server_info = server_info,
    .list_connectors = list_connectors,
    .create_connector = create_connector,
    .put_connector_config = put_connector_config,
    .patch_connector_config = patch_connector_config,
    .get_connector = get_connector,
    .get_connector_config = get_connector_config,
    .get_connector_status = get_connector_status,
    .get_connector_tasks = get_connector_tasks,
    .get_task_status = get_task_status,
    .restart_connector = restart_connector,
    .restart_task = restart_task,
    .pause_connector = pause_connector,
    .resume_connector = resume_connector,
    .stop_connector = stop_connector_op,
    .delete_connector = delete_connector,
    .validate_config = herder_validate_config,
    .health = health,
    .get_offsets = get_offsets,
    .alter_offsets = alter_offsets,
    .get_topics = get_topics,
    .reset_topics = reset_topics,
    .put_task_configs = put_task_configs,
};

/* ---- life cycle ---- */

standalone_herder *standalone_herder_start(const sl_props *worker_props, offset_store *offsets,
                                           const char *worker_id, const char *kafka_cluster_id,
                                           char *errstr, size_t errstr_size)
{
    standalone_herder *h = calloc(1, sizeof(*h));
    if (h == NULL) {
        offset_store_destroy(offsets);
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    h->iface.ops = &standalone_ops;
    h->offsets = offsets;
    h->worker_props = sl_props_copy(worker_props);
    h->worker_id = strdup(worker_id);
    h->cluster_id = kafka_cluster_id ? strdup(kafka_cluster_id) : NULL;
    h->status = status_map_new();
    h->topics = topic_tracking_new();
    runtime_listener l = {.opaque = h,
                          .connector_status = on_connector_status,
                          .task_status = on_task_status,
                          .reconfigure = on_reconfigure,
                          .topic_active = on_topic_active};
    h->rt = runtime_new(h->worker_props, offsets, &l, worker_id, errstr, errstr_size);
    if (h->rt == NULL) {
        standalone_herder_destroy(h);
        return NULL;
    }
    h->queue = request_queue_start("herder", 1000, NULL, NULL);
    return h;
}

herder *standalone_herder_iface(standalone_herder *h) { return &h->iface; }

int standalone_herder_add(standalone_herder *h, const sl_props *config, char *errstr,
                          size_t errstr_size)
{
    const char *name = sl_props_get(config, "name");
    if (name == NULL || *name == '\0') {
        snprintf(errstr, errstr_size, "connector config has no 'name'");
        return SL_ERR;
    }
    op o = {.h = h, .fn = op_add, .name = name, .body = (json_t *)config, .errstr = errstr,
            .errstr_size = errstr_size};
    if (!request_queue_call(h->queue, run_op, &o))
        return SL_ERR;
    return o.result;
}

static void shutdown_on_thread(void *arg)
{
    standalone_herder *h = arg;
    while (h->conns) {
        stop_connector(h, h->conns);
        conn_remove(h, h->conns);
    }
}

void standalone_herder_destroy(standalone_herder *h)
{
    if (h == NULL)
        return;
    if (h->queue)
        request_queue_stop(h->queue, shutdown_on_thread, h);
    runtime_destroy(h->rt);
    offset_store_destroy(h->offsets);
    status_map_destroy(h->status);
    topic_tracking_destroy(h->topics);
    sl_props_destroy(h->worker_props);
    free(h->worker_id);
    free(h->cluster_id);
    free(h);
}
