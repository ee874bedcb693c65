/* herder/status_map.c: a mutex-protected list of connector statuses, each with a growable
 * array of task statuses, rendered as Connect's status entities. */
#include "herder/status_map.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct status {
    bool known;
    char state[16];
    char *trace;
    char *worker_id;
} status;

typedef struct conn_status {
    struct conn_status *next;
    char *name;
    char type[16];
    status self;
    status *tasks;
    int ntasks;
} conn_status;

struct status_map {
    pthread_mutex_t lock;
    conn_status *head;
};

status_map *status_map_new(void)
{
    status_map *m = calloc(1, sizeof(*m));
    if (m)
        pthread_mutex_init(&m->lock, NULL);
    return m;
}

static void status_clear(status *s)
{
    free(s->trace);
    free(s->worker_id);
    memset(s, 0, sizeof(*s));
}

static void conn_free(conn_status *c)
{
    status_clear(&c->self);
    for (int i = 0; i < c->ntasks; i++)
        status_clear(&c->tasks[i]);
    free(c->tasks);
    free(c->name);
    free(c);
}

void status_map_destroy(status_map *m)
{
    if (m == NULL)
        return;
    for (conn_status *c = m->head, *n; c; c = n) {
        n = c->next;
        conn_free(c);
    }
    pthread_mutex_destroy(&m->lock);
    free(m);
}

static conn_status *find(status_map *m, const char *conn, bool create)
{
    for (conn_status *c = m->head; c; c = c->next)
        if (strcmp(c->name, conn) == 0)
            return c;
    if (!create)
        return NULL;
    conn_status *c = calloc(1, sizeof(*c));
    if (c == NULL || (c->name = strdup(conn)) == NULL) {
        free(c);
        return NULL;
    }
    c->next = m->head;
    m->head = c;
    return c;
}

static status *slot(conn_status *c, int task)
{
    if (task < 0)
        return &c->self;
    if (task >= c->ntasks) {
        status *t = realloc(c->tasks, (size_t)(task + 1) * sizeof(*t));
        if (t == NULL)
            return NULL;
        memset(t + c->ntasks, 0, (size_t)(task + 1 - c->ntasks) * sizeof(*t));
        c->tasks = t;
        c->ntasks = task + 1;
    }
    return &c->tasks[task];
}

void status_map_put(status_map *m, const char *conn, int task, const char *state,
                    const char *trace, const char *worker_id)
{
    pthread_mutex_lock(&m->lock);
    conn_status *c = find(m, conn, true);
    status *s = c ? slot(c, task) : NULL;
    if (s) {
        status_clear(s);
        s->known = true;
        snprintf(s->state, sizeof(s->state), "%s", state);
        s->trace = trace && *trace ? strdup(trace) : NULL;
        s->worker_id = strdup(worker_id ? worker_id : "");
    }
    pthread_mutex_unlock(&m->lock);
}

void status_map_remove(status_map *m, const char *conn, int task)
{
    pthread_mutex_lock(&m->lock);
    for (conn_status **pp = &m->head; *pp; pp = &(*pp)->next) {
        conn_status *c = *pp;
        if (strcmp(c->name, conn) != 0)
            continue;
        if (task < 0) {
            *pp = c->next;
            conn_free(c);
        } else if (task < c->ntasks) {
            status_clear(&c->tasks[task]);
        }
        break;
    }
    pthread_mutex_unlock(&m->lock);
}

void status_map_trim_tasks(status_map *m, const char *conn, int count)
{
    pthread_mutex_lock(&m->lock);
    conn_status *c = find(m, conn, false);
    if (c)
        for (int i = count < 0 ? 0 : count; i < c->ntasks; i++)
            status_clear(&c->tasks[i]);
    pthread_mutex_unlock(&m->lock);
}

void status_map_set_type(status_map *m, const char *conn, const char *type)
{
    pthread_mutex_lock(&m->lock);
    conn_status *c = find(m, conn, true);
    if (c)
        snprintf(c->type, sizeof(c->type), "%s", type);
    pthread_mutex_unlock(&m->lock);
}

static json_t *status_json(const status *s, int id)
{
    json_t *o = json_object();
    if (id >= 0)
        json_object_set_new(o, "id", json_integer(id));
    json_object_set_new(o, "state", json_string(s->state));
    json_object_set_new(o, "worker_id", json_string(s->worker_id ? s->worker_id : ""));
    if (s->trace && *s->trace) /* Connect omits an empty trace */
        json_object_set_new(o, "trace", json_string(s->trace));
    return o;
}

json_t *status_map_connector_json(status_map *m, const char *conn, const char *type)
{
    json_t *out = NULL;
    pthread_mutex_lock(&m->lock);
    conn_status *c = find(m, conn, false);
    if (c && c->self.known) {
        json_t *tasks = json_array();
        for (int i = 0; i < c->ntasks; i++)
            if (c->tasks[i].known)
                json_array_append_new(tasks, status_json(&c->tasks[i], i));
        out = json_pack("{s:s,s:o,s:o,s:s}", "name", conn, "connector",
                        status_json(&c->self, -1), "tasks", tasks, "type",
                        type ? type : (c->type[0] ? c->type : "unknown"));
    }
    pthread_mutex_unlock(&m->lock);
    return out;
}

json_t *status_map_task_json(status_map *m, const char *conn, int task)
{
    json_t *out = NULL;
    pthread_mutex_lock(&m->lock);
    conn_status *c = find(m, conn, false);
    if (c && task >= 0 && task < c->ntasks && c->tasks[task].known)
        out = status_json(&c->tasks[task], task);
    pthread_mutex_unlock(&m->lock);
    return out;
}

void status_map_state(status_map *m, const char *conn, int task, char *buf, size_t len)
{
    pthread_mutex_lock(&m->lock);
    conn_status *c = find(m, conn, false);
    const status *s = NULL;
    if (c)
        s = task < 0 ? &c->self : (task < c->ntasks ? &c->tasks[task] : NULL);
    snprintf(buf, len, "%s", s && s->known ? s->state : "");
    pthread_mutex_unlock(&m->lock);
}

void status_map_reply_connector(status_map *m, const char *conn, herder_reply *r)
{
    json_t *st = status_map_connector_json(m, conn, NULL);
    if (st == NULL)
        herder_reply_error(r, 404, "No status found for connector %s", conn);
    else
        herder_reply_json(r, 200, st);
}

void status_map_reply_task(status_map *m, const char *conn, int task, herder_reply *r)
{
    json_t *st = status_map_task_json(m, conn, task);
    if (st == NULL)
        herder_reply_error(r, 404, "No status found for task %s-%d", conn, task);
    else
        herder_reply_json(r, 200, st);
}
