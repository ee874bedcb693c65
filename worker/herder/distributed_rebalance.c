/* herder/distributed_rebalance.c: the member side and the leader side of Connect's group
 * protocol (reference §3): metadata, assignment, starting and stopping what is assigned. */
#include "herder/distributed_internal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/providers.h"
#include "group/connect_protocol.h"
#include "herder/entities.h"
#include "util/log.h"

/* How long the leader waits before answering the assignment (see cb_assign). */
#define DH_LEADER_SYNC_GRACE_MS 150

/* ---- conversions between the wire lists and assignment sets ---- */

static int list_from_set(group_connect_list *l, const assignment_set *s)
{
    l->is_null = false;
    /* Connect writes each member's connectors first (task -1), then its tasks. */
    for (size_t i = 0; i < s->n_connectors; i++)
        if (group_connect_list_add(l, s->connectors[i], GROUP_CONNECT_CONNECTOR_TASK) != 0)
            return -1;
    for (size_t i = 0; i < s->n_tasks; i++)
        if (group_connect_list_add(l, s->tasks[i].connector, s->tasks[i].task) != 0)
            return -1;
    return 0;
}

static int set_from_list(assignment_set *s, const group_connect_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        for (size_t j = 0; j < l->items[i].n_tasks; j++) {
            int32_t t = l->items[i].tasks[j];
            int rc = t == GROUP_CONNECT_CONNECTOR_TASK
                         ? assignment_set_add_connector(s, l->items[i].connector)
                         : assignment_set_add_task(s, l->items[i].connector, t);
            if (rc != 0)
                return -1;
        }
    return 0;
}

static bool is_eager_round(const distributed_herder *h)
{
    return h->assignment_version == 0;
}

/* ---- starting and stopping instances (herder thread) ---- */

void dh_regenerate_tasks(distributed_herder *h, const char *name)
{
    const config_connector *c = dh_connector(h, name);
    if (c == NULL || c->target == TARGET_STOPPED)
        return;
    const char *v = sl_props_get(c->props, "tasks.max");
    int max = v ? atoi(v) : 1;
    if (max < 1)
        max = 1;
    sl_props **out = NULL;
    int n = 0;
    char err[1024] = "";
    if (runtime_task_configs(h->rt, name, max, &out, &n, err, sizeof(err)) != SL_OK) {
        LOG_WARN(DH_LG, "connector %s did not generate task configs: %s", name, err);
        return;
    }
    /* Resolved secrets go back to their placeholders before the config topic sees them. */
    providers_reverse_task_configs(providers_installed(), c->props, out, n);
    bool same = !c->inconsistent && c->task_count == n;
    for (int i = 0; same && i < n; i++)
        same = c->tasks != NULL && entities_props_equal(out[i], c->tasks[i]);
    pthread_mutex_lock(&h->mu);
    bool leader = h->is_leader;
    pthread_mutex_unlock(&h->mu);
    if (!same && leader) {
        LOG_INFO(DH_LG, "connector %s: writing %d task config(s)", name, n);
        if (config_log_put_task_configs(h->cfg, name, out, n, err, sizeof(err)) != SL_OK)
            LOG_ERROR(DH_LG, "cannot write the task configs of %s: %s", name, err);
    } else if (!same) {
        /* Connect: only the leader writes task configs; a follower POSTs them, signed, to
         * the leader's internal endpoint. */
        LOG_INFO(DH_LG, "connector %s: sending %d task config(s) to the leader", name, n);
        dh_session_send_task_configs(h, name, out, n);
    }
    for (int i = 0; i < n; i++)
        sl_props_destroy(out[i]);
    free(out);
}

void dh_start_connector(distributed_herder *h, const char *name)
{
    const config_connector *c = dh_connector(h, name);
    if (c == NULL || assignment_set_has_connector(&h->started, name))
        return;
    char err[1024] = "";
    assignment_set_add_connector(&h->started, name);
    if (runtime_start_connector(h->rt, name, c->props, c->target, err, sizeof(err)) != SL_OK) {
        LOG_ERROR(DH_LG, "connector %s failed to start: %s", name, err);
        return;
    }
    LOG_INFO(DH_LG, "started connector %s", name);
    dh_regenerate_tasks(h, name);
}

void dh_start_task(distributed_herder *h, const char *name, int task)
{
    const config_connector *c = dh_connector(h, name);
    if (c == NULL || c->tasks == NULL || task >= c->task_count || c->target == TARGET_STOPPED ||
        assignment_set_has_task(&h->started, name, task))
        return;
    char err[1024] = "";
    if (runtime_start_task(h->rt, name, task, c->props, c->tasks[task], c->target, err,
                           sizeof(err)) != SL_OK) {
        LOG_WARN(DH_LG, "task %s-%d failed to start: %s", name, task, err);
        return;
    }
    assignment_set_add_task(&h->started, name, task);
    LOG_INFO(DH_LG, "started task %s-%d", name, task);
}

void dh_stop_instance(distributed_herder *h, const char *name, int task)
{
    if (task < 0) {
        if (assignment_set_remove_connector(&h->started, name))
            runtime_stop_connector(h->rt, name);
    } else if (assignment_set_remove_task(&h->started, name, task)) {
        runtime_stop_task(h->rt, name, task);
    }
}

void dh_stop_tasks(distributed_herder *h, const assignment_set *which)
{
    runtime_task_ref *refs = calloc(which->n_tasks ? which->n_tasks : 1, sizeof(*refs));
    assignment_set stopping = {0};
    size_t n = 0;
    for (size_t i = 0; i < which->n_tasks; i++) {
        const assignment_task *t = &which->tasks[i];
        if (assignment_set_has_task(&h->started, t->connector, t->task))
            assignment_set_add_task(&stopping, t->connector, t->task);
    }
    for (size_t i = 0; refs != NULL && i < stopping.n_tasks; i++)
        refs[n++] = (runtime_task_ref){stopping.tasks[i].connector, stopping.tasks[i].task};
    if (refs != NULL)
        runtime_stop_tasks(h->rt, refs, n);
    for (size_t i = 0; i < stopping.n_tasks; i++) {
        if (refs == NULL) /* out of memory: one at a time */
            runtime_stop_task(h->rt, stopping.tasks[i].connector, stopping.tasks[i].task);
        assignment_set_remove_task(&h->started, stopping.tasks[i].connector,
                                   stopping.tasks[i].task);
    }
    assignment_set_clear(&stopping);
    free(refs);
}

void dh_stop_all(distributed_herder *h)
{
    if (h->started.n_tasks > 0) {
        assignment_set all = {0};
        assignment_set_copy(&all, &h->started);
        dh_stop_tasks(h, &all);
        assignment_set_clear(&all);
    }
    while (h->started.n_connectors > 0) {
        char *name = strdup(h->started.connectors[h->started.n_connectors - 1]);
        dh_stop_instance(h, name, -1);
        free(name);
    }
}

void dh_reconcile(distributed_herder *h)
{
    /* Copy: starting a connector may write task configs, but never changes `assigned`. */
    for (size_t i = 0; i < h->assigned.n_connectors; i++)
        dh_start_connector(h, h->assigned.connectors[i]);
    for (size_t i = 0; i < h->assigned.n_tasks; i++)
        dh_start_task(h, h->assigned.tasks[i].connector, h->assigned.tasks[i].task);
}

/* ---- owners (leader) ---- */

void dh_owners_clear(distributed_herder *h)
{
    for (size_t i = 0; i < h->n_owners; i++) {
        free(h->owners[i].member_id);
        free(h->owners[i].url);
        assignment_set_clear(&h->owners[i].full);
    }
    free(h->owners);
    h->owners = NULL;
    h->n_owners = 0;
}

const char *dh_owner_url(distributed_herder *h, const char *name, int task)
{
    for (size_t i = 0; i < h->n_owners; i++) {
        const assignment_set *s = &h->owners[i].full;
        if (task < 0 ? assignment_set_has_connector(s, name)
                     : assignment_set_has_task(s, name, task))
            return h->owners[i].url;
    }
    return NULL;
}

/* ---- status cleanup (leader, after a rebalance) ---- */

void dh_cleanup_add(distributed_herder *h, const char *name, int from, int to, bool removed)
{
    if (from >= to && !removed)
        return;
    struct dh_cleanup *grown = realloc(h->cleanup, (h->n_cleanup + 1) * sizeof(*grown));
    if (grown == NULL)
        return;
    h->cleanup = grown;
    h->cleanup[h->n_cleanup++] = (struct dh_cleanup){strdup(name), from, to, removed};
}

/* The leader's sweep after each rebalance: statuses of task ids at or above a connector's
 * task count, whoever wrote them (an owner that died, a status written after an earlier
 * cleanup, a previous leader's pending cleanups). */
static void sweep_stale_task_statuses(distributed_herder *h)
{
    char err[256];
    for (size_t i = 0; h->snap && i < h->snap->n; i++) {
        const config_connector *c = &h->snap->connectors[i];
        if (c->inconsistent || c->task_count < 0)
            continue;
        json_t *st = status_map_connector_json(h->smap, c->name, NULL);
        size_t k;
        json_t *t;
        json_array_foreach(json_object_get(st, "tasks"), k, t)
        {
            json_int_t id = json_integer_value(json_object_get(t, "id"));
            if (id >= c->task_count)
                status_log_remove(h->status, c->name, (int)id, err, sizeof(err));
        }
        json_decref(st);
    }
}

void dh_cleanup_run(distributed_herder *h, bool leader)
{
    char err[256];
    if (leader)
        sweep_stale_task_statuses(h);
    for (size_t i = 0; i < h->n_cleanup; i++) {
        struct dh_cleanup *c = &h->cleanup[i];
        const config_connector *now = dh_connector(h, c->name);
        if (leader && c->name != NULL) {
            /* Connect's leader tombstones statuses of connectors no longer configured and of
             * task ids at or above the current task count, once their owners stopped them. */
            int from = c->from;
            if (now != NULL && now->task_count > from)
                from = now->task_count;
            for (int t = from; t < c->to; t++)
                status_log_remove(h->status, c->name, t, err, sizeof(err));
            if (c->removed && now == NULL)
                status_log_remove(h->status, c->name, -1, err, sizeof(err));
        }
        free(c->name);
    }
    free(h->cleanup);
    h->cleanup = NULL;
    h->n_cleanup = 0;
}

/* ---- metadata (JoinGroup) ---- */

void dh_update_metadata(distributed_herder *h)
{
    static const char *const names[] = {GROUP_CONNECT_SESSIONED, GROUP_CONNECT_COMPATIBLE,
                                        GROUP_CONNECT_DEFAULT};
    static const int16_t versions[] = {2, 1, 0};
    size_t first = strcmp(h->protocol_pref, "sessioned") == 0    ? 0
                   : strcmp(h->protocol_pref, "compatible") == 0 ? 1
                                                                 : 2;
    int64_t offset = h->snap ? h->snap->offset : -1;
    group_protocol protos[3];
    uint8_t *bufs[3] = {NULL, NULL, NULL};
    size_t n = 0;
    for (size_t i = first; i < 3; i++) {
        group_connect_assignment alloc = {0};
        group_connect_metadata md = {
            .version = versions[i], .url = h->url, .config_offset = offset};
        if (versions[i] > 0 && atomic_load(&h->generation) >= 0) {
            /* v1+: the full current assignment, so the leader can keep work in place. */
            alloc.version = versions[i];
            pthread_mutex_lock(&h->mu);
            alloc.leader_url = strdup(h->leader_url);
            pthread_mutex_unlock(&h->mu);
            alloc.leader = strdup(group_member_leader_id(h->member));
            alloc.config_offset = offset;
            alloc.revoked.is_null = true;
            if (list_from_set(&alloc.assignment, &h->assigned) != 0)
                LOG_ERROR(DH_LG, "out of memory encoding the current assignment");
            md.allocation = &alloc;
        }
        size_t len = 0;
        if (group_connect_metadata_encode(&md, &bufs[n], &len) != 0) {
            LOG_ERROR(DH_LG, "cannot encode %s metadata", names[i]);
        } else {
            protos[n] =
                (group_protocol){.name = names[i], .metadata = bufs[n], .metadata_len = len};
            n++;
        }
        group_connect_assignment_clear(&alloc);
    }
    if (group_member_set_protocols(h->member, protos, n) != 0)
        LOG_ERROR(DH_LG, "out of memory setting the group protocols");
    for (size_t i = 0; i < n; i++)
        free(bufs[i]);
}

static void cb_join_prepare(void *opaque, int32_t generation, const char *member_id)
{
    distributed_herder *h = opaque;
    (void)member_id;
    LOG_INFO(DH_LG, "rebalance starting (last generation %d)", (int)generation);
    pthread_mutex_lock(&h->mu);
    h->have_assignment = false;
    pthread_mutex_unlock(&h->mu);
    if (is_eager_round(h) || strcmp(h->protocol_pref, "eager") == 0) {
        /* Eager: every member stops all of its work before each rebalance (§3.4). */
        dh_stop_all(h);
        assignment_set_clear(&h->assigned);
    }
    dh_update_metadata(h);
}

/* ---- leader side ---- */

static int16_t version_for(const char *protocol)
{
    if (strcmp(protocol, GROUP_CONNECT_SESSIONED) == 0)
        return 2;
    if (strcmp(protocol, GROUP_CONNECT_COMPATIBLE) == 0)
        return 1;
    return 0;
}

static int cb_assign(void *opaque, const group_assign_input *in, uint8_t **out_data,
                     size_t *out_len, char *errstr, size_t errstr_size)
{
    distributed_herder *h = opaque;
    size_t n = in->n_members;
    group_connect_metadata *md = calloc(n, sizeof(*md));
    assignment_set *cur = calloc(n, sizeof(*cur));
    assignor_member *am = calloc(n, sizeof(*am));
    assignor_connector *ac = NULL;
    assignor_result res = {0};
    int rc = -1;
    if (md == NULL || cur == NULL || am == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        char err[256];
        if (group_connect_metadata_decode(in->members[i].metadata, in->members[i].metadata_len,
                                          &md[i], err, sizeof(err)) != 0) {
            snprintf(errstr, errstr_size, "bad metadata from member %s: %s",
                     in->members[i].member_id, err);
            goto out;
        }
        am[i].id = in->members[i].member_id;
        am[i].url = md[i].url;
        am[i].config_offset = md[i].config_offset;
        if (md[i].allocation != NULL && !md[i].allocation->assignment.is_null) {
            set_from_list(&cur[i], &md[i].allocation->assignment);
            am[i].current = &cur[i];
        }
    }
    /* librdkafka's mock coordinator (2.0.2) completes a sync as soon as the leader's
     * SyncGroup holds an assignment for every member, and answers a follower's SyncGroup that
     * arrives after that with INVALID_REQUEST, forcing another rebalance. Give followers a
     * moment to send theirs first; a real broker is unaffected by the short wait. */
    if (n > 1)
        usleep(DH_LEADER_SYNC_GRACE_MS * 1000);
    /* Connect's ensureLeaderConfig: re-read the config topic once when behind. */
    bool refreshed = false;
    int64_t max = assignor_max_config_offset(am, n);
    if (h->snap->offset < max) {
        char err[512];
        if (config_log_read_to_end(h->cfg, 30000, err, sizeof(err)) != SL_OK)
            LOG_WARN(DH_LG, "leader cannot read the config topic to its end: %s", err);
        dh_refresh_snapshot(h);
        refreshed = true;
    }
    ac = calloc(h->snap->n + 1, sizeof(*ac));
    if (ac == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < h->snap->n; i++) {
        const config_connector *c = &h->snap->connectors[i];
        ac[i].name = c->name;
        ac[i].n_tasks = (c->task_count > 0 && !c->inconsistent && c->tasks) ? c->task_count : 0;
    }
    assignor_input ai = {
        .leader_id = in->leader_id,
        .members = am,
        .n_members = n,
        .snapshot_offset = h->snap->offset,
        .connectors = ac,
        .n_connectors = h->snap->n,
        .snapshot_refreshed = refreshed,
        .generation = in->generation,
        .last_completed_generation = h->last_completed_generation,
        .max_delay_ms = h->max_delay_ms,
        .now_ms = dh_now_ms(),
    };
    int16_t version = version_for(in->protocol);
    rc = version == 0 ? assignor_eager_assign(&ai, &res, errstr, errstr_size)
                      : assignor_incremental_assign(&h->inc, &ai, &res, errstr, errstr_size);
    if (rc != 0)
        goto out;
    if (res.config_mismatch)
        LOG_WARN(DH_LG, "leader config offset %lld is behind the group's %lld: CONFIG_MISMATCH",
                 (long long)h->snap->offset, (long long)res.max_offset);
    dh_owners_clear(h);
    h->owners = calloc(n, sizeof(*h->owners));
    for (size_t i = 0; i < n; i++) {
        const assignor_member_result *mr = assignor_result_find(&res, in->members[i].member_id);
        if (mr == NULL) {
            snprintf(errstr, errstr_size, "assignor left out member %s", in->members[i].member_id);
            rc = -1;
            goto out;
        }
        group_connect_assignment ga = {
            .version = version,
            .error = mr->error,
            .leader = mr->leader_id,
            .leader_url = mr->leader_url,
            .config_offset = mr->config_offset,
            .delay = mr->delay_ms,
        };
        ga.revoked.is_null = true;
        if (list_from_set(&ga.assignment, &mr->assigned) != 0 ||
            (version > 0 && list_from_set(&ga.revoked, &mr->revoked) != 0) ||
            group_connect_assignment_encode(&ga, &out_data[i], &out_len[i]) != 0) {
            group_connect_list_clear(&ga.assignment);
            group_connect_list_clear(&ga.revoked);
            snprintf(errstr, errstr_size, "cannot encode the assignment of %s",
                     in->members[i].member_id);
            rc = -1;
            goto out;
        }
        group_connect_list_clear(&ga.assignment);
        group_connect_list_clear(&ga.revoked);
        if (h->owners != NULL) {
            h->owners[h->n_owners].member_id = strdup(mr->member_id);
            h->owners[h->n_owners].url = strdup(md[i].url ? md[i].url : "");
            assignment_set_copy(&h->owners[h->n_owners].full, &mr->full);
            h->n_owners++;
        }
        LOG_INFO(DH_LG, "assignment for %s (%s): %zu connector(s), %zu task(s) new, %zu revoked",
                 mr->member_id, md[i].url ? md[i].url : "", mr->assigned.n_connectors,
                 mr->assigned.n_tasks, assignment_set_size(&mr->revoked));
    }
    rc = 0;
out:
    for (size_t i = 0; md && i < n; i++)
        group_connect_metadata_clear(&md[i]);
    for (size_t i = 0; cur && i < n; i++)
        assignment_set_clear(&cur[i]);
    free(md);
    free(cur);
    free(am);
    free(ac);
    assignor_result_clear(&res);
    return rc;
}

/* ---- member side ---- */

static void cb_assigned(void *opaque, const group_member_assignment *a)
{
    distributed_herder *h = opaque;
    group_connect_assignment ga = {0};
    char err[512];
    if (a->data == NULL ||
        group_connect_assignment_decode(a->data, a->len, &ga, err, sizeof(err)) != 0) {
        LOG_ERROR(DH_LG, "cannot decode our assignment (%s): rejoining", a->data ? err : "empty");
        group_connect_assignment_clear(&ga);
        group_member_request_rejoin(h->member);
        return;
    }
    atomic_store(&h->generation, a->generation);
    h->assignment_version = ga.version;
    bool leader = ga.leader && strcmp(ga.leader, a->member_id) == 0;
    pthread_mutex_lock(&h->mu);
    snprintf(h->leader_url, sizeof(h->leader_url), "%s", ga.leader_url ? ga.leader_url : "");
    h->is_leader = leader;
    h->sessioned = ga.version >= 2;
    pthread_mutex_unlock(&h->mu);
    if (ga.error != GROUP_CONNECT_NO_ERROR) {
        /* CONFIG_MISMATCH (§3.3 step 1): catch up with the config topic and rejoin. */
        LOG_WARN(DH_LG, "assignment failed with CONFIG_MISMATCH (offset %lld): rejoining",
                 (long long)ga.config_offset);
        if (config_log_read_to_end(h->cfg, h->sync_timeout_ms, err, sizeof(err)) != SL_OK)
            LOG_WARN(DH_LG, "cannot read the config topic to its end: %s", err);
        dh_refresh_snapshot(h);
        group_connect_assignment_clear(&ga);
        group_member_request_rejoin(h->member);
        return;
    }
    h->last_completed_generation = a->generation;

    /* Revocations first (cooperative), or the complete list (eager). */
    assignment_set revoked = {0}, added = {0};
    set_from_list(&revoked, &ga.revoked);
    set_from_list(&added, &ga.assignment);
    if (ga.version == 0) {
        assignment_set stale = {0};
        assignment_set_copy(&stale, &h->started);
        assignment_set_remove_all(&stale, &added);
        assignment_set_add_all(&revoked, &stale);
        assignment_set_clear(&stale);
        assignment_set_clear(&h->assigned);
    }
    dh_stop_tasks(h, &revoked); /* in parallel: one graceful timeout for all of them */
    for (size_t i = 0; i < revoked.n_connectors; i++)
        dh_stop_instance(h, revoked.connectors[i], -1);
    assignment_set_remove_all(&h->assigned, &revoked);
    assignment_set_add_all(&h->assigned, &added);
    LOG_INFO(DH_LG,
             "joined generation %d as %s (leader %s): %zu connector(s), %zu task(s) held, "
             "%zu revoked, delay %d ms",
             (int)a->generation, leader ? "leader" : "follower", ga.leader_url,
             h->assigned.n_connectors, h->assigned.n_tasks, assignment_set_size(&revoked),
             (int)ga.delay);

    bool rejoin = !assignment_set_is_empty(&revoked) && ga.version > 0;
    if (h->snap->offset < ga.config_offset) {
        /* §3.3 step 2: we are behind the leader's config; catch up before starting work. */
        if (config_log_read_to_end(h->cfg, h->sync_timeout_ms, err, sizeof(err)) != SL_OK) {
            /* Connect: leave the group rather than hold work we cannot start, and come back
             * after worker.unsync.backoff.ms. */
            LOG_WARN(DH_LG,
                     "cannot read the config topic to offset %lld within "
                     "worker.sync.timeout.ms (%s): leaving the group for %d ms",
                     (long long)ga.config_offset, err, h->unsync_backoff_ms);
            assignment_set_clear(&revoked);
            assignment_set_clear(&added);
            group_connect_assignment_clear(&ga);
            dh_stop_all(h);
            assignment_set_clear(&h->assigned);
            pthread_mutex_lock(&h->mu);
            h->have_assignment = false;
            pthread_mutex_unlock(&h->mu);
            h->unsync_leave = true; /* done by dh_tick, outside the member's callback */
            return;
        }
        dh_refresh_snapshot(h);
    }
    if (h->snap->offset != ga.config_offset) {
        /* §3.3 step 3: still behind, or past the leader: rejoin without starting work. */
        LOG_INFO(DH_LG, "config offset %lld differs from the assignment's %lld: rejoining",
                 (long long)h->snap->offset, (long long)ga.config_offset);
        rejoin = true;
    } else {
        pthread_mutex_lock(&h->mu);
        h->have_assignment = true;
        h->needs_rebalance = false;
        pthread_mutex_unlock(&h->mu);
        dh_session_maintain(h);
        dh_reconcile(h);
        dh_cleanup_run(h, leader);
    }
    if (ga.delay > 0)
        h->rejoin_at_ms = dh_now_ms() + ga.delay;
    if (rejoin)
        group_member_request_rejoin(h->member);
    assignment_set_clear(&revoked);
    assignment_set_clear(&added);
    group_connect_assignment_clear(&ga);
}

static void cb_lost(void *opaque, const char *reason)
{
    distributed_herder *h = opaque;
    LOG_WARN(DH_LG, "group membership lost (%s): stopping all work and rejoining", reason);
    pthread_mutex_lock(&h->mu);
    h->have_assignment = false;
    pthread_mutex_unlock(&h->mu);
    dh_stop_all(h);
    assignment_set_clear(&h->assigned);
}

const group_member_callbacks dh_member_callbacks_template = {
    .on_join_prepare = cb_join_prepare,
    .assign = cb_assign,
    .on_assigned = cb_assigned,
    .on_lost = cb_lost,
};

/* Connect's WorkerCoordinator: a worker that cannot reach the coordinator for a session
 * timeout is no longer a member as far as the group knows; its work has been (or is about to
 * be) given to others, so it stops it rather than run zombie tasks. */
static void revoke_if_coordinator_lost(distributed_herder *h)
{
    if (assignment_set_is_empty(&h->assigned) && assignment_set_is_empty(&h->started))
        return;
    /* Only while the coordinator is unknown (being looked for or reconnected to), as Connect:
     * a JoinGroup legitimately waits for the others, and silence after this thread was busy
     * (stopping tasks) is settled by the next heartbeat's answer. */
    if (group_member_get_state(h->member) != GROUP_MEMBER_UNJOINED)
        return;
    int64_t silence = group_member_coordinator_silence_ms(h->member);
    if (silence < h->session_timeout_ms)
        return;
    LOG_WARN(DH_LG,
             "broker coordinator was unreachable for %lld ms: revoking the previous assignment "
             "(%zu connector(s), %zu task(s)) to avoid running tasks while not being a member "
             "of the group",
             (long long)silence, h->assigned.n_connectors, h->assigned.n_tasks);
    pthread_mutex_lock(&h->mu);
    h->have_assignment = false;
    pthread_mutex_unlock(&h->mu);
    dh_stop_all(h);
    assignment_set_clear(&h->assigned);
}

void dh_tick(void *arg)
{
    distributed_herder *h = arg;
    if (h->snap == NULL || h->stopping)
        return;
    revoke_if_coordinator_lost(h);
    if (h->rejoin_at_ms > 0 && dh_now_ms() >= h->rejoin_at_ms) {
        h->rejoin_at_ms = 0;
        LOG_INFO(DH_LG, "scheduled rebalance delay expired: rejoining");
        group_member_request_rejoin(h->member);
    }
    char err[512];
    if (group_member_poll(h->member, 0, err, sizeof(err)) != 0)
        LOG_ERROR(DH_LG, "group membership: %s", err);
    if (h->unsync_leave) {
        h->unsync_leave = false;
        group_member_leave(h->member, 5000);
        h->rejoin_at_ms = dh_now_ms() + h->unsync_backoff_ms;
    }
    dh_session_maintain(h);
}
