/* herder/distributed_admin.c: the distributed herder's operations beyond connector life cycle:
 * GET /health, connector offsets (KIP-875), active topics (KIP-558), the internal task-config
 * endpoint (KIP-507) and cluster-scoped log levels. */
#include "herder/distributed_internal.h"

#include <stdlib.h>
#include <string.h>

#include "herder/entities.h"
#include "herder/offsets_admin.h"
#include "util/log.h"

#define H(hh) ((distributed_herder *)(hh))

/* Connect's /health waits 10 s for its tick thread. */
#define HEALTH_TIMEOUT_MS 10000

void dh_op_health(herder *hh, herder_reply *r)
{
    distributed_herder *h = H(hh);
    int rc = request_queue_ping(h->queue, HEALTH_TIMEOUT_MS);
    pthread_mutex_lock(&h->mu);
    bool started = h->started_up;
    pthread_mutex_unlock(&h->mu);
    herder_reply_health(r, rc == 1, started);
}

/* ---- offsets ---- */

/* What the herder thread hands back to the REST thread, which then does the (blocking) work. */
typedef struct offsets_req {
    sl_props *config; /* copy of the connector's raw config, NULL when the reply is set */
} offsets_req;

static void op_offsets_lookup(op *o)
{
    offsets_req *q = (offsets_req *)o->str;
    const config_connector *c = dh_connector(o->h, o->name);
    if (c == NULL) {
        herder_reply_error(o->r, 404, "Connector %s not found", o->name);
        return;
    }
    q->config = sl_props_copy(c->props);
}

static void op_offsets_alter_check(op *o)
{
    offsets_req *q = (offsets_req *)o->str;
    if (!dh_leader_or_route(o))
        return;
    const config_connector *c = dh_connector(o->h, o->name);
    if (c == NULL) {
        herder_reply_error(o->r, 404, "Connector %s not found", o->name);
        return;
    }
    int tasks = c->task_count > 0 ? c->task_count : 0;
    if (!offsets_admin_check_stopped(o->name, c->target, tasks, o->r))
        return;
    q->config = sl_props_copy(c->props);
}

void dh_op_get_offsets(herder *hh, const char *name, herder_reply *r)
{
    offsets_req q = {0};
    op o = {.h = H(hh), .fn = op_offsets_lookup, .name = name, .str = (const char *)&q, .r = r};
    dh_dispatch(&o);
    if (q.config == NULL)
        return;
    offsets_admin_get(H(hh)->worker_props, H(hh)->offsets, name, q.config, r);
    sl_props_destroy(q.config);
}

void dh_op_alter_offsets(herder *hh, const char *name, json_t *body, herder_reply *r)
{
    if (body != NULL && !offsets_admin_check_body(body, r))
        return;
    offsets_req q = {0};
    op o = {
        .h = H(hh), .fn = op_offsets_alter_check, .name = name, .str = (const char *)&q, .r = r};
    dh_dispatch(&o);
    if (q.config == NULL)
        return;
    offsets_admin_alter(H(hh)->worker_props, H(hh)->offsets, name, q.config, body, r);
    sl_props_destroy(q.config);
}

/* ---- topics ---- */

static bool tracking(distributed_herder *h, const char *key)
{
    const char *v = sl_props_get(h->worker_props, key);
    return v == NULL || strcasecmp(v, "false") != 0;
}

void dh_op_get_topics(herder *hh, const char *name, herder_reply *r)
{
    distributed_herder *h = H(hh);
    if (!tracking(h, "topic.tracking.enable")) {
        herder_reply_error(r, 403, "Topic tracking is disabled.");
        return;
    }
    char **topics = status_log_topics(h->status, name);
    json_t *list = json_array();
    for (size_t i = 0; topics && topics[i]; i++) {
        json_array_append_new(list, json_string(topics[i]));
        free(topics[i]);
    }
    free(topics);
    herder_reply_json(r, 200, json_pack("{s:{s:o}}", name, "topics", list));
}

void dh_op_reset_topics(herder *hh, const char *name, herder_reply *r)
{
    distributed_herder *h = H(hh);
    if (!tracking(h, "topic.tracking.enable")) {
        herder_reply_error(r, 403, "Topic tracking is disabled.");
        return;
    }
    if (!tracking(h, "topic.tracking.allow.reset")) {
        herder_reply_error(r, 403, "Topic tracking reset is disabled.");
        return;
    }
    char **topics = status_log_topics(h->status, name);
    char err[512] = "";
    int failed = 0;
    for (size_t i = 0; topics && topics[i]; i++) {
        if (status_log_remove_topic(h->status, name, topics[i], err, sizeof(err)) != SL_OK)
            failed++;
        free(topics[i]);
    }
    free(topics);
    if (failed > 0) {
        herder_reply_error(r, 500, "Failed to reset the active topics of %s: %s", name, err);
        return;
    }
    herder_reply_json(r, 202, NULL);
}

/* ---- internal task configs ---- */

static void op_put_tasks(op *o)
{
    if (!dh_leader_or_route(o))
        return;
    if (dh_connector(o->h, o->name) == NULL) {
        herder_reply_error(o->r, 404, "Connector %s not found", o->name);
        return;
    }
    size_t n = json_array_size(o->body);
    sl_props **tasks = calloc(n ? n : 1, sizeof(*tasks));
    if (tasks == NULL) {
        herder_reply_error(o->r, 500, "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++)
        tasks[i] = entities_props_from_json(json_array_get(o->body, i));
    char err[1024];
    if (config_log_put_task_configs(o->h->cfg, o->name, tasks, (int)n, err, sizeof(err)) != SL_OK)
        herder_reply_error(o->r, 500, "Failed to write the task configs of %s: %s", o->name, err);
    else
        herder_reply_json(o->r, 204, NULL);
    LOG_INFO(DH_LG, "wrote %zu task config(s) of %s sent by its owner", n, o->name);
    for (size_t i = 0; i < n; i++)
        sl_props_destroy(tasks[i]);
    free(tasks);
}

void dh_op_put_task_configs(herder *hh, const char *name, json_t *configs, herder_reply *r)
{
    if (!dh_session_verify(H(hh), r))
        return;
    op o = {.h = H(hh), .fn = op_put_tasks, .name = name, .body = configs, .r = r};
    dh_dispatch(&o);
}

/* ---- cluster-scoped log levels ---- */

void dh_op_set_cluster_logger_level(herder *hh, const char *logger, const char *level,
                                    herder_reply *r)
{
    char err[512];
    if (config_log_put_logger_level(H(hh)->cfg, logger, level, err, sizeof(err)) != SL_OK) {
        herder_reply_error(r, 500, "Failed to write the level of logger %s: %s", logger, err);
        return;
    }
    herder_reply_json(r, 204, NULL);
}
