/* store/status_cache.c: the cluster-wide status cache rebuilt from the status topic, with
 * Connect's rules for stale UNASSIGNED statuses and for safe writes. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/status_log.h"
#include "util/log.h"

#define SC_LOGGER "status-log"

typedef struct sc_status {
    char *conn;
    int task; /* -1: the connector */
    status_entry e;
} sc_status;

typedef struct sc_topic {
    char *conn;
    char *topic;
} sc_topic;

struct status_cache {
    status_log_listener l;
    sc_status *s;
    size_t ns, caps;
    sc_topic *t;
    size_t nt, capt;
};

void status_entry_fini(status_entry *e)
{
    if (e == NULL)
        return;
    free(e->state);
    free(e->trace);
    free(e->worker_id);
    memset(e, 0, sizeof(*e));
}

status_cache *status_cache_new(const status_log_listener *listener)
{
    status_cache *c = calloc(1, sizeof(*c));
    if (c != NULL && listener != NULL)
        c->l = *listener;
    return c;
}

void status_cache_free(status_cache *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->ns; i++) {
        free(c->s[i].conn);
        status_entry_fini(&c->s[i].e);
    }
    for (size_t i = 0; i < c->nt; i++) {
        free(c->t[i].conn);
        free(c->t[i].topic);
    }
    free(c->s);
    free(c->t);
    free(c);
}

static sc_status *sc_find(const status_cache *c, const char *conn, int task)
{
    for (size_t i = 0; i < c->ns; i++)
        if (c->s[i].task == task && strcmp(c->s[i].conn, conn) == 0)
            return &c->s[i];
    return NULL;
}

const status_entry *status_cache_find(const status_cache *c, const char *conn, int task)
{
    sc_status *s = sc_find(c, conn, task < 0 ? -1 : task);
    return s ? &s->e : NULL;
}

static void sc_remove(status_cache *c, sc_status *s)
{
    free(s->conn);
    status_entry_fini(&s->e);
    *s = c->s[--c->ns];
}

/* Takes the strings of `r` into the cache. */
static void sc_put(status_cache *c, status_record *r)
{
    int task = r->kind == STATUS_REC_CONNECTOR ? -1 : r->task;
    sc_status *s = sc_find(c, r->name, task);
    if (s == NULL) {
        if (c->ns == c->caps) {
            size_t cap = c->caps ? c->caps * 2 : 16;
            sc_status *v = realloc(c->s, cap * sizeof(*v));
            if (v == NULL)
                return;
            c->s = v;
            c->caps = cap;
        }
        s = &c->s[c->ns++];
        *s = (sc_status){.conn = r->name, .task = task};
        r->name = NULL;
    } else {
        status_entry_fini(&s->e);
    }
    s->e = (status_entry){.state = r->state, .trace = r->trace, .worker_id = r->worker_id,
                          .generation = r->generation};
    r->state = r->trace = r->worker_id = NULL;
    if (c->l.status)
        c->l.status(c->l.opaque, s->conn, task, &s->e);
}

static void sc_topic_apply(status_cache *c, status_record *r)
{
    for (size_t i = 0; i < c->nt; i++) {
        if (strcmp(c->t[i].conn, r->name) != 0 || strcmp(c->t[i].topic, r->topic) != 0)
            continue;
        if (r->tombstone) {
            free(c->t[i].conn);
            free(c->t[i].topic);
            c->t[i] = c->t[--c->nt];
            if (c->l.topic)
                c->l.topic(c->l.opaque, r->name, r->topic, true);
        }
        return;
    }
    if (r->tombstone)
        return;
    if (c->nt == c->capt) {
        size_t cap = c->capt ? c->capt * 2 : 16;
        sc_topic *v = realloc(c->t, cap * sizeof(*v));
        if (v == NULL)
            return;
        c->t = v;
        c->capt = cap;
    }
    c->t[c->nt++] = (sc_topic){.conn = r->name, .topic = r->topic};
    r->name = r->topic = NULL;
    if (c->l.topic)
        c->l.topic(c->l.opaque, c->t[c->nt - 1].conn, c->t[c->nt - 1].topic, false);
}

void status_cache_apply(status_cache *c, const char *key, size_t key_len, const char *value,
                        size_t value_len)
{
    status_record r;
    char err[256];
    if (status_record_parse(key, key_len, value, value_len, &r, err, sizeof(err)) != SL_OK) {
        LOG_ERROR(SC_LOGGER, "skipping malformed status record %.*s: %s",
                  (int)(key_len > 200 ? 200 : key_len), key ? key : "", err);
        return;
    }
    if (r.kind == STATUS_REC_UNKNOWN) {
        LOG_WARN(SC_LOGGER, "discarding status record with unexpected key %.*s",
                 (int)(key_len > 200 ? 200 : key_len), key ? key : "");
        return;
    }
    if (r.kind == STATUS_REC_TOPIC) {
        sc_topic_apply(c, &r);
    } else if (r.tombstone) {
        sc_status *s = sc_find(c, r.name, r.kind == STATUS_REC_CONNECTOR ? -1 : r.task);
        if (s != NULL) {
            sc_remove(c, s);
            if (c->l.status)
                c->l.status(c->l.opaque, r.name, r.kind == STATUS_REC_CONNECTOR ? -1 : r.task,
                            NULL);
        }
    } else {
        const sc_status *s = sc_find(c, r.name, r.kind == STATUS_REC_CONNECTOR ? -1 : r.task);
        /* A revoked task's UNASSIGNED can land after its new owner's RUNNING (Connect's
         * readTaskStatus ignores it then). */
        if (r.kind == STATUS_REC_TASK && s != NULL && strcmp(r.state, "UNASSIGNED") == 0 &&
            strcmp(s->e.state, "RUNNING") == 0 && s->e.generation >= r.generation)
            LOG_DEBUG(SC_LOGGER, "ignoring stale UNASSIGNED status of %s-%d", r.name, r.task);
        else
            sc_put(c, &r);
    }
    status_record_fini(&r);
}

bool status_cache_can_write_safely(const status_cache *c, const char *conn, int task,
                                   const char *worker_id, int32_t generation)
{
    const sc_status *s = sc_find(c, conn, task < 0 ? -1 : task);
    return s == NULL || s->e.worker_id == NULL || worker_id == NULL ||
           strcmp(s->e.worker_id, worker_id) == 0 || s->e.generation <= generation;
}

bool status_cache_has_topic(const status_cache *c, const char *conn, const char *topic)
{
    for (size_t i = 0; i < c->nt; i++)
        if (strcmp(c->t[i].conn, conn) == 0 && strcmp(c->t[i].topic, topic) == 0)
            return true;
    return false;
}

static int sc_str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **status_cache_topics(const status_cache *c, const char *conn)
{
    char **out = calloc(c->nt + 1, sizeof(*out));
    size_t n = 0;
    for (size_t i = 0; out && i < c->nt; i++) {
        if (strcmp(c->t[i].conn, conn) != 0)
            continue;
        if ((out[n] = strdup(c->t[i].topic)) == NULL) {
            for (size_t j = 0; j < n; j++)
                free(out[j]);
            free(out);
            return NULL;
        }
        n++;
    }
    if (out)
        qsort(out, n, sizeof(*out), sc_str_cmp);
    return out;
}
