/* store/config_state.c: the config topic's state machine (Connect's KafkaConfigBackingStore
 * read side): connector configs, target states, buffered and committed task configs. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/config_log.h"
#include "util/log.h"

#define CS_LOGGER "config-log"

typedef struct cs_task {
    int id;
    sl_props *props; /* owned */
} cs_task;

typedef struct cs_tasks {
    cs_task *v;
    size_t n, cap;
} cs_tasks;

typedef struct cs_conn {
    char *name;
    sl_props *config; /* NULL: no connector record (yet, or removed) */
    bool has_target;
    target_state target;
    int task_count;     /* -1: no commit */
    cs_tasks committed; /* Connect's taskConfigs for this connector */
    cs_tasks deferred;  /* task records read since the last commit */
    bool inconsistent;
} cs_conn;

struct config_state {
    config_log_listener l;
    cs_conn *v;
    size_t n, cap;
    int64_t offset;
    bool has_session_key;
    char *key_b64, *algorithm;
    int64_t creation_ts;
};

static void cs_tasks_clear(cs_tasks *t)
{
    for (size_t i = 0; i < t->n; i++)
        sl_props_destroy(t->v[i].props);
    free(t->v);
    memset(t, 0, sizeof(*t));
}

static cs_task *cs_tasks_find(const cs_tasks *t, int id)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].id == id)
            return &t->v[i];
    return NULL;
}

/* Store a copy of `props` under `id`, replacing. Takes nothing. */
static int cs_tasks_put(cs_tasks *t, int id, const sl_props *props)
{
    sl_props *copy = sl_props_copy(props);
    if (copy == NULL)
        return SL_ERR;
    cs_task *e = cs_tasks_find(t, id);
    if (e != NULL) {
        sl_props_destroy(e->props);
        e->props = copy;
        return SL_OK;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 8;
        cs_task *v = realloc(t->v, cap * sizeof(*v));
        if (v == NULL) {
            sl_props_destroy(copy);
            return SL_ERR;
        }
        t->v = v;
        t->cap = cap;
    }
    t->v[t->n++] = (cs_task){.id = id, .props = copy};
    return SL_OK;
}

static void cs_conn_free(cs_conn *c)
{
    free(c->name);
    if (c->config)
        sl_props_destroy(c->config);
    cs_tasks_clear(&c->committed);
    cs_tasks_clear(&c->deferred);
}

config_state *config_state_new(const config_log_listener *listener)
{
    config_state *st = calloc(1, sizeof(*st));
    if (st != NULL && listener != NULL)
        st->l = *listener;
    return st;
}

void config_state_free(config_state *st)
{
    if (st == NULL)
        return;
    for (size_t i = 0; i < st->n; i++)
        cs_conn_free(&st->v[i]);
    free(st->v);
    free(st->key_b64);
    free(st->algorithm);
    free(st);
}

static cs_conn *cs_find(const config_state *st, const char *name)
{
    for (size_t i = 0; i < st->n; i++)
        if (strcmp(st->v[i].name, name) == 0)
            return &st->v[i];
    return NULL;
}

static cs_conn *cs_get(config_state *st, const char *name)
{
    cs_conn *c = cs_find(st, name);
    if (c != NULL)
        return c;
    if (st->n == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 8;
        cs_conn *v = realloc(st->v, cap * sizeof(*v));
        if (v == NULL)
            return NULL;
        st->v = v;
        st->cap = cap;
    }
    c = &st->v[st->n];
    memset(c, 0, sizeof(*c));
    c->task_count = -1;
    if ((c->name = strdup(name)) == NULL)
        return NULL;
    st->n++;
    return c;
}

/* Connect's completeTaskIdSet: every id 0..count-1 present (extra ids are tolerated). */
static bool cs_complete(const cs_tasks *t, int count)
{
    if (t->n < (size_t)count)
        return false;
    for (int i = 0; i < count; i++)
        if (cs_tasks_find(t, i) == NULL)
            return false;
    return true;
}

static void cs_commit(cs_conn *c, int count)
{
    if (!cs_complete(&c->deferred, count)) {
        /* Only compacted history produces this (a leader writes every task before the commit);
         * the leader regenerates the connector's tasks when it sees the flag. */
        LOG_ERROR(CS_LOGGER,
                  "commit for connector %s names %d tasks but the task configs read before it "
                  "are incomplete; marking its task configs inconsistent",
                  c->name, count);
        c->inconsistent = true;
    } else {
        for (size_t i = 0; i < c->deferred.n; i++)
            if (cs_tasks_put(&c->committed, c->deferred.v[i].id, c->deferred.v[i].props) !=
                SL_OK)
                LOG_ERROR(CS_LOGGER, "out of memory applying task configs of %s", c->name);
        c->inconsistent = false;
    }
    /* Always drop the buffer: after an inconsistent commit only a fresh full set may apply. */
    cs_tasks_clear(&c->deferred);
    c->task_count = count;
}

static void cs_apply_record(config_state *st, config_record *r, bool notify)
{
    cs_conn *c = NULL;
    if (r->kind != CONFIG_REC_SESSION_KEY && r->kind != CONFIG_REC_LOGGER &&
        r->kind != CONFIG_REC_UNKNOWN && (c = cs_get(st, r->name)) == NULL) {
        LOG_ERROR(CS_LOGGER, "out of memory reading the config topic");
        return;
    }
    switch (r->kind) {
    case CONFIG_REC_TARGET_STATE:
        if (r->tombstone) {
            c->has_target = false;
            break;
        }
        c->has_target = true;
        c->target = r->state;
        if (notify && st->l.target_state)
            st->l.target_state(st->l.opaque, r->name, r->state);
        break;
    case CONFIG_REC_CONNECTOR:
        if (c->config)
            sl_props_destroy(c->config);
        c->config = NULL;
        if (r->tombstone) {
            cs_tasks_clear(&c->committed);
            cs_tasks_clear(&c->deferred);
            c->task_count = -1;
            c->inconsistent = false;
        } else {
            c->config = r->props;
            r->props = NULL;
        }
        if (notify && st->l.connector_config)
            st->l.connector_config(st->l.opaque, r->name, r->tombstone);
        break;
    case CONFIG_REC_TASK:
        if (r->tombstone) {
            LOG_ERROR(CS_LOGGER, "ignoring a null task configuration for %s-%d", r->name,
                      r->task);
            break;
        }
        if (cs_tasks_put(&c->deferred, r->task, r->props) != SL_OK)
            LOG_ERROR(CS_LOGGER, "out of memory buffering task config %s-%d", r->name, r->task);
        break;
    case CONFIG_REC_COMMIT:
        if (r->tombstone) {
            LOG_ERROR(CS_LOGGER, "ignoring a null task configuration commit for %s", r->name);
            break;
        }
        cs_commit(c, r->count);
        if (notify && st->l.task_configs)
            st->l.task_configs(st->l.opaque, r->name);
        break;
    case CONFIG_REC_RESTART:
        /* Restart requests are acted on only by workers that finished start-up. */
        if (!r->tombstone && notify && st->l.restart)
            st->l.restart(st->l.opaque, r->name, r->include_tasks, r->only_failed);
        break;
    case CONFIG_REC_FENCING:
        break; /* exactly-once source support is not implemented: nothing to fence */
    case CONFIG_REC_SESSION_KEY:
        if (r->tombstone)
            break;
        free(st->key_b64);
        free(st->algorithm);
        st->key_b64 = r->key_b64;
        st->algorithm = r->algorithm;
        r->key_b64 = r->algorithm = NULL;
        st->creation_ts = r->creation_ts;
        st->has_session_key = true;
        if (notify && st->l.session_key)
            st->l.session_key(st->l.opaque);
        break;
    case CONFIG_REC_LOGGER:
        if (!r->tombstone && notify && st->l.logger_level)
            st->l.logger_level(st->l.opaque, r->name, r->level);
        break;
    default:
        break;
    }
}

void config_state_apply(config_state *st, int64_t offset, const char *key, size_t key_len,
                        const char *value, size_t value_len, bool notify)
{
    if (offset + 1 > st->offset)
        st->offset = offset + 1;
    config_record r;
    char err[256];
    if (config_record_parse(key, key_len, value, value_len, &r, err, sizeof(err)) != SL_OK) {
        LOG_ERROR(CS_LOGGER, "skipping malformed config record at offset %lld (key %.*s): %s",
                  (long long)offset, (int)(key_len > 200 ? 200 : key_len), key ? key : "",
                  err);
        return;
    }
    if (r.kind == CONFIG_REC_UNKNOWN) {
        LOG_ERROR(CS_LOGGER, "discarding config record with unexpected key %.*s at offset %lld",
                  (int)(key_len > 200 ? 200 : key_len), key ? key : "", (long long)offset);
        return;
    }
    cs_apply_record(st, &r, notify);
    config_record_fini(&r);
}

int64_t config_state_offset(const config_state *st)
{
    return st->offset;
}

static int cs_conn_cmp(const void *a, const void *b)
{
    return strcmp(((const config_connector *)a)->name, ((const config_connector *)b)->name);
}

config_snapshot *config_state_snapshot(const config_state *st)
{
    config_snapshot *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->offset = st->offset;
    if (st->has_session_key) {
        s->has_session_key = true;
        s->session_key_b64 = strdup(st->key_b64);
        s->session_algorithm = strdup(st->algorithm);
        s->session_creation_ts = st->creation_ts;
    }
    s->connectors = calloc(st->n ? st->n : 1, sizeof(*s->connectors));
    if (s->connectors == NULL) {
        config_snapshot_free(s);
        return NULL;
    }
    for (size_t i = 0; i < st->n; i++) {
        const cs_conn *c = &st->v[i];
        if (c->config == NULL)
            continue;
        config_connector *o = &s->connectors[s->n++];
        o->name = strdup(c->name);
        o->props = sl_props_copy(c->config);
        o->target = c->has_target ? c->target : TARGET_STARTED;
        o->inconsistent = c->inconsistent;
        o->task_count = c->task_count;
        if (c->task_count > 0 && !c->inconsistent) {
            o->tasks = calloc((size_t)c->task_count, sizeof(*o->tasks));
            for (int t = 0; o->tasks && t < c->task_count; t++) {
                const cs_task *e = cs_tasks_find(&c->committed, t);
                o->tasks[t] = e ? sl_props_copy(e->props) : sl_props_new();
            }
        }
    }
    qsort(s->connectors, s->n, sizeof(*s->connectors), cs_conn_cmp);
    return s;
}

void config_snapshot_free(config_snapshot *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n; i++) {
        config_connector *c = &s->connectors[i];
        free(c->name);
        if (c->props)
            sl_props_destroy(c->props);
        for (int t = 0; c->tasks && t < c->task_count; t++)
            if (c->tasks[t])
                sl_props_destroy(c->tasks[t]);
        free(c->tasks);
    }
    free(s->connectors);
    free(s->session_key_b64);
    free(s->session_algorithm);
    free(s);
}

const config_connector *config_snapshot_find(const config_snapshot *s, const char *name)
{
    for (size_t i = 0; s && i < s->n; i++)
        if (strcmp(s->connectors[i].name, name) == 0)
            return &s->connectors[i];
    return NULL;
}
