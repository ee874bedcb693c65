/* herder/distributed_ops.c: the REST operations of the distributed herder (reference §1.3,
 * §1.5): leader-only writes, forwarding, pause/resume by any worker, and config-topic events. */
#include "herder/distributed_internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "herder/entities.h"
#include "herder/validation.h"
#include "herder/forward.h"
#include "util/log.h"
#include "version.h"

/* ---- the op machinery: run on the herder thread, forward on the REST thread ---- */

static void run_op(void *arg)
{
    op *o = arg;
    o->fn(o);
}

void dh_dispatch(op *o)
{
    int64_t deadline = dh_now_ms() + OP_REBALANCE_WAIT_MS;
    for (;;) {
        o->route = ROUTE_SERVED;
        if (!request_queue_call(o->h->queue, run_op, o)) {
            herder_reply_error(o->r, 503, "Worker is shutting down");
            return;
        }
        if (o->route != ROUTE_RETRY)
            break;
        if (dh_now_ms() >= deadline) {
            herder_reply_error(o->r, 409, "%s", o->retry_msg);
            return;
        }
        usleep(OP_RETRY_SLEEP_MS * 1000);
    }
    if (o->route == ROUTE_FORWARD)
        forward_request(o->url, o->r); /* on the REST thread: never block the herder on HTTP */
}

void dh_forward_to(op *o, const char *url)
{
    o->route = ROUTE_FORWARD;
    snprintf(o->url, sizeof(o->url), "%s", url ? url : "");
}

/* Connect's checks before a leader-only write: a pending rebalance is a 409, a follower
 * forwards to the leader. Returns true when this worker may write. */
bool dh_leader_or_route(op *o)
{
    distributed_herder *h = o->h;
    pthread_mutex_lock(&h->mu);
    bool stale = h->needs_rebalance;
    bool settled = h->have_assignment;
    bool leader = h->is_leader;
    char url[512];
    snprintf(url, sizeof(url), "%s", h->leader_url);
    pthread_mutex_unlock(&h->mu);
    if ((!settled || stale) && !h->stopping) {
        /* Connect runs requests after the rebalance its tick is in (or is about to start for
         * a config change); 409 only when that takes too long. */
        o->route = ROUTE_RETRY;
        o->retry_msg = stale ? FORWARD_MSG_STALE : FORWARD_MSG_NO_LEADER;
        return false;
    }
    if (!leader) {
        dh_forward_to(o, url);
        return false;
    }
    return true;
}

static int task_count(const config_connector *c)
{
    return (c->task_count > 0 && !c->inconsistent && c->tasks) ? c->task_count : 0;
}

static void reply_info(op *o, int status, const char *name, const sl_props *config, int ntasks)
{
    herder_reply_json(o->r, status, entities_connector_info(name, config, ntasks));
}


/* ---- writes (leader) ---- */

static void write_config(op *o, sl_props *config, bool allow_replace, const char *initial)
{
    distributed_herder *h = o->h;
    if (!dh_leader_or_route(o))
        return;
    const config_connector *c = dh_connector(h, o->name);
    if (c != NULL && !allow_replace) {
        herder_reply_error(o->r, 409, "Connector %s already exists", o->name);
        return;
    }
    bool created = c == NULL;
    int ntasks = c ? task_count(c) : 0;
    char err[1024] = "";
    if (initial != NULL) {
        target_state ts = strcasecmp(initial, "PAUSED") == 0    ? TARGET_PAUSED
                          : strcasecmp(initial, "STOPPED") == 0 ? TARGET_STOPPED
                                                                : TARGET_STARTED;
        if (config_log_put_target_state(h->cfg, o->name, ts, err, sizeof(err)) != SL_OK) {
            herder_reply_error(o->r, 500, "Failed to write the target state: %s", err);
            return;
        }
    }
    if (config_log_put_connector(h->cfg, o->name, config, err, sizeof(err)) != SL_OK) {
        herder_reply_error(o->r, 500, "Failed to write the connector configuration: %s", err);
        return;
    }
    LOG_INFO(DH_LG, "%s connector %s", created ? "created" : "reconfigured", o->name);
    reply_info(o, created ? 201 : 200, o->name, config, created ? 0 : ntasks);
    if (created)
        snprintf(o->r->location, sizeof(o->r->location), "/connectors/%s", o->name);
}

static void op_create(op *o)
{
    sl_props *config = entities_props_from_json(o->body);
    write_config(o, config, false, o->str);
    sl_props_destroy(config);
}

static void op_put_config(op *o)
{
    sl_props *config = entities_props_from_json(o->body);
    write_config(o, config, true, NULL);
    sl_props_destroy(config);
}

static void op_patch_config(op *o)
{
    if (!dh_leader_or_route(o))
        return;
    const config_connector *c = dh_connector(o->h, o->name);
    if (c == NULL) {
        herder_reply_error(o->r, 404, "Connector %s not found", o->name);
        return;
    }
    sl_props *merged = sl_props_copy(c->props);
    const char *key;
    json_t *v;
    json_object_foreach(o->body, key, v)
    {
        if (json_is_null(v))
            sl_props_remove(merged, key);
        else if (json_is_string(v))
            sl_props_set(merged, key, json_string_value(v));
    }
    if (herder_validate_or_reply(merged, o->r))
        write_config(o, merged, true, NULL);
    sl_props_destroy(merged);
}

static void op_delete(op *o)
{
    if (!dh_leader_or_route(o))
        return;
    if (dh_connector(o->h, o->name) == NULL) {
        herder_reply_error(o->r, 404, "Connector %s not found", o->name);
        return;
    }
    char err[1024];
    if (config_log_remove_connector(o->h->cfg, o->name, err, sizeof(err)) != SL_OK) {
        herder_reply_error(o->r, 500, "Failed to delete connector %s: %s", o->name, err);
        return;
    }
    LOG_INFO(DH_LG, "deleted connector %s", o->name);
    herder_reply_json(o->r, 204, NULL);
}

static void op_stop(op *o)
{
    if (!dh_leader_or_route(o))
        return;
    if (dh_connector(o->h, o->name) == NULL) {
        herder_reply_error(o->r, 404, "Unknown connector %s", o->name);
        return;
    }
    /* §1.5: an empty task set, then target state STOPPED (both read back before replying). */
    char err[1024];
    if (config_log_put_task_configs(o->h->cfg, o->name, NULL, 0, err, sizeof(err)) != SL_OK ||
        config_log_put_target_state(o->h->cfg, o->name, TARGET_STOPPED, err, sizeof(err)) !=
            SL_OK) {
        herder_reply_error(o->r, 500, "Failed to stop connector %s: %s", o->name, err);
        return;
    }
    herder_reply_json(o->r, 204, NULL);
}

/* Pause and resume are written by whichever worker receives them (§1.5). */
static void set_target(op *o, target_state ts)
{
    if (dh_connector(o->h, o->name) == NULL) {
        herder_reply_error(o->r, 404, "Unknown connector %s", o->name);
        return;
    }
    char err[1024];
    if (config_log_put_target_state(o->h->cfg, o->name, ts, err, sizeof(err)) != SL_OK) {
        herder_reply_error(o->r, 500, "Failed to write the target state of %s: %s", o->name, err);
        return;
    }
    herder_reply_json(o->r, 202, NULL);
}

static void op_pause(op *o)
{
    set_target(o, TARGET_PAUSED);
}
static void op_resume(op *o)
{
    set_target(o, TARGET_STARTED);
}

/* ---- restarts ---- */

static bool is_failed(distributed_herder *h, const char *name, int task)
{
    char st[16];
    status_map_state(h->smap, name, task, st, sizeof(st));
    return strcmp(st, "FAILED") == 0;
}

/* Owner side: restart an instance held here. */
static void restart_local_connector(distributed_herder *h, const char *name)
{
    dh_stop_instance(h, name, -1);
    dh_start_connector(h, name);
}

static void restart_local_task(distributed_herder *h, const char *name, int task)
{
    dh_stop_instance(h, name, task);
    dh_start_task(h, name, task);
}

/* §1.3: the owner serves; else the leader names the owner; else forward to the leader. */
static bool owner_or_route(op *o, int task)
{
    distributed_herder *h = o->h;
    bool mine = task < 0 ? assignment_set_has_connector(&h->assigned, o->name)
                         : assignment_set_has_task(&h->assigned, o->name, task);
    pthread_mutex_lock(&h->mu);
    bool stale = h->needs_rebalance;
    bool settled = h->have_assignment;
    bool leader = h->is_leader;
    char url[512];
    snprintf(url, sizeof(url), "%s", h->leader_url);
    pthread_mutex_unlock(&h->mu);
    if (mine)
        return true;
    if ((!settled || stale) && !h->stopping) {
        o->route = ROUTE_RETRY;
        o->retry_msg = stale ? FORWARD_MSG_STALE : FORWARD_MSG_NO_LEADER;
        return false;
    }
    if (leader) {
        const char *owner = dh_owner_url(h, o->name, task);
        if (owner == NULL) {
            herder_reply_error(o->r, 409, "%s", FORWARD_MSG_CONFLICT);
            return false;
        }
        dh_forward_to(o, owner);
        return false;
    }
    dh_forward_to(o, url);
    return false;
}

static void op_restart_connector(op *o)
{
    distributed_herder *h = o->h;
    const config_connector *c = dh_connector(h, o->name);
    if (c == NULL) {
        herder_reply_error(o->r, 404, "Unknown connector: %s", o->name);
        return;
    }
    bool include_tasks = o->flag1, only_failed = o->flag2;
    if (!include_tasks && !only_failed) { /* legacy: the Connector instance, synchronously */
        if (!owner_or_route(o, -1))
            return;
        restart_local_connector(h, o->name);
        herder_reply_json(o->r, 204, NULL);
        return;
    }
    if (!dh_leader_or_route(o))
        return;
    json_t *plan = status_map_connector_json(h->smap, o->name, entities_connector_type(c->props));
    if (plan == NULL) {
        herder_reply_error(o->r, 404, "Status for connector %s not found", o->name);
        return;
    }
    if (!only_failed || is_failed(h, o->name, -1))
        json_object_set_new(json_object_get(plan, "connector"), "state", json_string("RESTARTING"));
    size_t idx;
    json_t *t;
    json_array_foreach(json_object_get(plan, "tasks"), idx, t)
    {
        int id = (int)json_integer_value(json_object_get(t, "id"));
        if (include_tasks && (!only_failed || is_failed(h, o->name, id)))
            json_object_set_new(t, "state", json_string("RESTARTING"));
    }
    char err[1024];
    if (config_log_put_restart(h->cfg, o->name, include_tasks, only_failed, err, sizeof(err)) !=
        SL_OK) {
        json_decref(plan);
        herder_reply_error(o->r, 500, "Failed to write the restart request: %s", err);
        return;
    }
    herder_reply_json(o->r, 202, plan);
}

static void op_restart_task(op *o)
{
    const config_connector *c = dh_connector(o->h, o->name);
    if (c == NULL) {
        herder_reply_error(o->r, 404, "Unknown connector: %s", o->name);
        return;
    }
    if (o->task < 0 || o->task >= task_count(c)) {
        herder_reply_error(o->r, 404, "Unknown task: %s-%d", o->name, o->task);
        return;
    }
    if (!owner_or_route(o, o->task))
        return;
    restart_local_task(o->h, o->name, o->task);
    herder_reply_json(o->r, 204, NULL);
}

/* ---- reads ---- */

/* §1.3 step 5: reads through the tick thread fail while a rebalance is expected. */
static bool rebalance_expected(op *o)
{
    pthread_mutex_lock(&o->h->mu);
    bool stale = o->h->needs_rebalance;
    pthread_mutex_unlock(&o->h->mu);
    if (stale)
        herder_reply_error(o->r, 500,
                           "Request cannot be completed because a rebalance is "
                           "expected");
    return stale;
}

static const config_connector *find_or_404(op *o)
{
    if (rebalance_expected(o))
        return NULL;
    const config_connector *c = dh_connector(o->h, o->name);
    if (c == NULL)
        herder_reply_error(o->r, 404, "Connector %s not found", o->name);
    return c;
}

static void op_get_connector(op *o)
{
    const config_connector *c = find_or_404(o);
    if (c)
        reply_info(o, 200, c->name, c->props, task_count(c));
}

static void op_get_config(op *o)
{
    const config_connector *c = find_or_404(o);
    if (c)
        herder_reply_json(o->r, 200, entities_props_to_json(c->props));
}

static void op_get_tasks(op *o)
{
    const config_connector *c = find_or_404(o);
    if (c)
        herder_reply_json(o->r, 200, entities_task_infos(c->name, c->tasks, task_count(c)));
}

static void op_list(op *o)
{
    distributed_herder *h = o->h;
    const config_snapshot *s = h->snap;
    if (!o->flag1 && !o->flag2) {
        json_t *arr = json_array();
        for (size_t i = 0; i < s->n; i++)
            json_array_append_new(arr, json_string(s->connectors[i].name));
        herder_reply_json(o->r, 200, arr);
        return;
    }
    json_t *map = json_object();
    for (size_t i = 0; i < s->n; i++) {
        const config_connector *c = &s->connectors[i];
        json_t *entry = json_object();
        if (o->flag1) {
            json_t *st =
                status_map_connector_json(h->smap, c->name, entities_connector_type(c->props));
            if (st == NULL) { /* Connect leaves out connectors without a status yet */
                json_decref(entry);
                continue;
            }
            json_object_set_new(entry, "status", st);
        }
        if (o->flag2)
            json_object_set_new(entry, "info",
                                entities_connector_info(c->name, c->props, task_count(c)));
        json_object_set_new(map, c->name, entry);
    }
    herder_reply_json(o->r, 200, map);
}

/* ---- config-topic events (herder thread) ---- */

/* Stop the tasks of `name` running here; then tombstone the statuses of those with an id of
 * at least `tombstone_from` (0: all, as for a deleted connector; INT_MAX: none), after their
 * UNASSIGNED write, so that no late write brings a removed task's status back. */
static void stop_local_tasks_of(distributed_herder *h, const char *name, int tombstone_from)
{
    assignment_set mine = {0};
    for (size_t i = 0; i < h->started.n_tasks; i++)
        if (strcmp(h->started.tasks[i].connector, name) == 0)
            assignment_set_add_task(&mine, name, h->started.tasks[i].task);
    dh_stop_tasks(h, &mine);
    char err[256];
    for (size_t i = 0; i < mine.n_tasks; i++)
        if (mine.tasks[i].task >= tombstone_from)
            status_log_remove(h->status, name, mine.tasks[i].task, err, sizeof(err));
    assignment_set_clear(&mine);
}

static void request_rebalance(distributed_herder *h)
{
    dh_set_needs_rebalance(h, true);
    group_member_request_rejoin(h->member);
}

static int committed_tasks(const config_connector *c)
{
    return c == NULL ? 0 : c->task_count > 0 ? c->task_count : 0;
}

void dh_on_connector_config(distributed_herder *h, const char *name, bool removed)
{
    const config_connector *before = dh_connector(h, name);
    /* Whether this event adds a connector is judged against the connectors earlier events
     * announced, not the snapshot: other reads (a session key, a catch-up before an
     * assignment) may already have refreshed the snapshot past this record. */
    bool known_before = assignment_set_has_connector(&h->known, name);
    if (removed)
        assignment_set_remove_connector(&h->known, name);
    else if (!known_before)
        assignment_set_add_connector(&h->known, name);
    if (removed)
        dh_cleanup_add(h, name, 0, committed_tasks(before), true);
    dh_refresh_snapshot(h);
    bool owned = assignment_set_has_connector(&h->started, name);
    char err[256];
    if (removed) {
        /* A worker stopping a deleted connector writes tombstones for it and its tasks. */
        stop_local_tasks_of(h, name, 0);
        if (owned) {
            dh_stop_instance(h, name, -1);
            status_log_remove(h->status, name, -1, err, sizeof(err));
        }
        request_rebalance(h);
        return;
    }
    if (owned) { /* a new config for a connector running here: restart it with it */
        LOG_INFO(DH_LG, "connector %s reconfigured: restarting it", name);
        restart_local_connector(h, name);
    }
    if (!known_before)
        request_rebalance(h);
}

void dh_on_task_configs(distributed_herder *h, const char *name)
{
    int old_count = committed_tasks(dh_connector(h, name));
    dh_refresh_snapshot(h);
    dh_cleanup_add(h, name, committed_tasks(dh_connector(h, name)), old_count, false);
    /* Connect (incremental): stop the local tasks of the connector; they start again with
     * their new configs after the rebalance if they are still assigned here. Tasks beyond the
     * new count are gone: their statuses go with them. */
    stop_local_tasks_of(h, name, committed_tasks(dh_connector(h, name)));
    request_rebalance(h);
}

void dh_on_target_state(distributed_herder *h, const char *name, target_state ts)
{
    const config_connector *before = dh_connector(h, name);
    target_state old = before ? before->target : TARGET_STARTED;
    dh_refresh_snapshot(h);
    if (!assignment_set_has_connector(&h->started, name)) {
        runtime_set_target_state(h->rt, name, ts); /* tasks held here without the connector */
        if (ts == TARGET_STOPPED)
            stop_local_tasks_of(h, name, INT_MAX);
        return;
    }
    if (ts == TARGET_STOPPED) {
        runtime_set_target_state(h->rt, name, ts);
        stop_local_tasks_of(h, name, INT_MAX);
    } else if (old == TARGET_STOPPED) {
        /* Resuming a stopped connector starts it afresh and generates fresh tasks. */
        restart_local_connector(h, name);
    } else {
        runtime_set_target_state(h->rt, name, ts);
    }
}

void dh_on_restart(distributed_herder *h, const char *name, bool include_tasks, bool only_failed)
{
    char err[256];
    int32_t gen = atomic_load(&h->generation);
    if (assignment_set_has_connector(&h->assigned, name) &&
        (!only_failed || is_failed(h, name, -1))) {
        status_log_put(h->status, name, -1, "RESTARTING", NULL, h->worker_id, gen, err,
                       sizeof(err));
        restart_local_connector(h, name);
    }
    if (!include_tasks)
        return;
    for (size_t i = 0; i < h->assigned.n_tasks; i++) {
        if (strcmp(h->assigned.tasks[i].connector, name) != 0)
            continue;
        int task = h->assigned.tasks[i].task;
        if (only_failed && !is_failed(h, name, task))
            continue;
        status_log_put(h->status, name, task, "RESTARTING", NULL, h->worker_id, gen, err,
                       sizeof(err));
        restart_local_task(h, name, task);
    }
}

/* ---- the herder interface ---- */

#define H(hh) ((distributed_herder *)(hh))

static void server_info(herder *hh, herder_reply *r)
{
    herder_reply_json(r, 200,
                      json_pack("{s:s,s:s,s:s?}", "version", SLUICE_CONNECT_VERSION, "commit",
                                SLUICE_COMMIT, "kafka_cluster_id", H(hh)->cluster_id));
}

static void list_connectors(herder *hh, bool expand_status, bool expand_info, herder_reply *r)
{
    op o = {.h = H(hh), .fn = op_list, .flag1 = expand_status, .flag2 = expand_info, .r = r};
    dh_dispatch(&o);
}

/* Checks shared by create and put: name match, filled-in name, validation (on the receiving
 * worker, then again on the leader when forwarded, as Connect). Returns the config or NULL
 * with `r` set. */
static json_t *checked_config(const char *name, json_t *config, herder_reply *r)
{
    json_t *copy = json_deep_copy(config);
    const json_t *included = json_object_get(copy, "name");
    if (json_is_string(included) && strcmp(json_string_value(included), name) != 0) {
        herder_reply_error(r, 400,
                           "Connector name configuration (%s) doesn't match connector name in "
                           "the URL (%s)",
                           json_string_value(included), name);
        json_decref(copy);
        return NULL;
    }
    if (included == NULL)
        json_object_set_new(copy, "name", json_string(name));
    sl_props *props = entities_props_from_json(copy);
    bool ok = herder_validate_or_reply(props, r);
    sl_props_destroy(props);
    if (!ok) {
        json_decref(copy);
        return NULL;
    }
    return copy;
}

static void create_connector(herder *hh, const char *name, json_t *config,
                             const char *initial_state, herder_reply *r)
{
    if (initial_state && strcasecmp(initial_state, "RUNNING") != 0 &&
        strcasecmp(initial_state, "PAUSED") != 0 && strcasecmp(initial_state, "STOPPED") != 0) {
        herder_reply_error(r, 400, "Invalid initial state %s", initial_state);
        return;
    }
    json_t *checked = checked_config(name, config, r);
    if (checked == NULL)
        return;
    op o = {
        .h = H(hh), .fn = op_create, .name = name, .body = checked, .str = initial_state, .r = r};
    dh_dispatch(&o);
    json_decref(checked);
}

static void put_connector_config(herder *hh, const char *name, json_t *config, herder_reply *r)
{
    json_t *checked = checked_config(name, config, r);
    if (checked == NULL)
        return;
    op o = {.h = H(hh), .fn = op_put_config, .name = name, .body = checked, .r = r};
    dh_dispatch(&o);
    json_decref(checked);
}

static void patch_connector_config(herder *hh, const char *name, json_t *patch, herder_reply *r)
{
    op o = {.h = H(hh), .fn = op_patch_config, .name = name, .body = patch, .r = r};
    dh_dispatch(&o);
}

#define NAMED_OP(fname, opfn)                                                                      \
    static void fname(herder *hh, const char *name, herder_reply *r)                               \
    {                                                                                              \
        op o = {.h = H(hh), .fn = opfn, .name = name, .r = r};                                     \
        dh_dispatch(&o);                                                                              \
    }

NAMED_OP(get_connector, op_get_connector)
NAMED_OP(get_connector_config, op_get_config)
NAMED_OP(get_connector_tasks, op_get_tasks)
NAMED_OP(pause_connector, op_pause)
NAMED_OP(resume_connector, op_resume)
NAMED_OP(stop_connector, op_stop)
NAMED_OP(delete_connector, op_delete)

static void get_connector_status(herder *hh, const char *name, herder_reply *r)
{
    /* The cluster's view from the status topic: any worker answers for every connector. */
    status_map_reply_connector(H(hh)->smap, name, r);
}

static void get_task_status(herder *hh, const char *name, int task, herder_reply *r)
{
    status_map_reply_task(H(hh)->smap, name, task, r);
}

static void restart_connector(herder *hh, const char *name, bool include_tasks, bool only_failed,
                              herder_reply *r)
{
    op o = {.h = H(hh),
            .fn = op_restart_connector,
            .name = name,
            .flag1 = include_tasks,
            .flag2 = only_failed,
            .r = r};
    dh_dispatch(&o);
}

static void restart_task(herder *hh, const char *name, int task, herder_reply *r)
{
    op o = {.h = H(hh), .fn = op_restart_task, .name = name, .task = task, .r = r};
    dh_dispatch(&o);
}

const herder_ops dh_ops = {
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
    .stop_connector = stop_connector,
    .delete_connector = delete_connector,
    .validate_config = herder_validate_config,
    .health = dh_op_health,
    .get_offsets = dh_op_get_offsets,
    .alter_offsets = dh_op_alter_offsets,
    .get_topics = dh_op_get_topics,
    .reset_topics = dh_op_reset_topics,
    .put_task_configs = dh_op_put_task_configs,
    .set_cluster_logger_level = dh_op_set_cluster_logger_level,
};
