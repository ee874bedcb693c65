/* herder/topic_tracking.c: per-connector active-topic sets behind one mutex, and the
 * topic.tracking.* REST rules of Connect's ConnectorsResource. */
#include "herder/topic_tracking.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <time.h>

typedef struct tt_topic {
    char *name;
    int task;
    int64_t discover_ms;
} tt_topic;

typedef struct tt_conn {
    struct tt_conn *next;
    char *name;
    tt_topic *topics;
    size_t n, cap;
} tt_conn;

struct topic_tracking {
    pthread_mutex_t lock;
    tt_conn *conns;
};

topic_tracking *topic_tracking_new(void)
{
    topic_tracking *tt = calloc(1, sizeof(*tt));
    if (tt != NULL)
        pthread_mutex_init(&tt->lock, NULL);
    return tt;
}

static void conn_free(tt_conn *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->topics[i].name);
    free(c->topics);
    free(c->name);
    free(c);
}

void topic_tracking_destroy(topic_tracking *tt)
{
    if (tt == NULL)
        return;
    for (tt_conn *c = tt->conns, *next; c; c = next) {
        next = c->next;
        conn_free(c);
    }
    pthread_mutex_destroy(&tt->lock);
    free(tt);
}

static tt_conn *conn_find(topic_tracking *tt, const char *conn)
{
    for (tt_conn *c = tt->conns; c; c = c->next)
        if (strcmp(c->name, conn) == 0)
            return c;
    return NULL;
}

static ssize_t topic_index(const tt_conn *c, const char *topic)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->topics[i].name, topic) == 0)
            return (ssize_t)i;
    return -1;
}

bool topic_tracking_add(topic_tracking *tt, const char *conn, const char *topic, int task,
                        int64_t discover_ms)
{
    if (conn == NULL || topic == NULL)
        return false;
    bool added = false;
    pthread_mutex_lock(&tt->lock);
    tt_conn *c = conn_find(tt, conn);
    if (c == NULL) {
        c = calloc(1, sizeof(*c));
        if (c == NULL || (c->name = strdup(conn)) == NULL) {
            free(c);
            goto out;
        }
        c->next = tt->conns;
        tt->conns = c;
    }
    if (topic_index(c, topic) >= 0)
        goto out;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 4;
        tt_topic *nt = realloc(c->topics, cap * sizeof(*nt));
        if (nt == NULL)
            goto out;
        c->topics = nt;
        c->cap = cap;
    }
    char *name = strdup(topic);
    if (name == NULL)
        goto out;
    if (discover_ms <= 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        discover_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    }
    c->topics[c->n++] = (tt_topic){name, task, discover_ms};
    added = true;
out:
    pthread_mutex_unlock(&tt->lock);
    return added;
}

bool topic_tracking_remove(topic_tracking *tt, const char *conn, const char *topic)
{
    if (conn == NULL || topic == NULL)
        return false;
    pthread_mutex_lock(&tt->lock);
    tt_conn *c = conn_find(tt, conn);
    ssize_t i = c ? topic_index(c, topic) : -1;
    if (i >= 0) {
        free(c->topics[i].name);
        c->topics[i] = c->topics[--c->n];
    }
    pthread_mutex_unlock(&tt->lock);
    return i >= 0;
}

size_t topic_tracking_reset(topic_tracking *tt, const char *conn, char ***removed)
{
    if (removed != NULL)
        *removed = NULL;
    if (conn == NULL)
        return 0;
    pthread_mutex_lock(&tt->lock);
    tt_conn *victim = NULL;
    for (tt_conn **pp = &tt->conns; *pp; pp = &(*pp)->next)
        if (strcmp((*pp)->name, conn) == 0) {
            victim = *pp;
            *pp = victim->next;
            break;
        }
    pthread_mutex_unlock(&tt->lock);
    if (victim == NULL)
        return 0;
    size_t n = victim->n;
    char **names = removed && n ? calloc(n, sizeof(*names)) : NULL;
    if (names != NULL) {
        /* Hand the names over instead of copying them. */
        for (size_t i = 0; i < n; i++) {
            names[i] = victim->topics[i].name;
            victim->topics[i].name = NULL;
        }
        *removed = names;
    }
    conn_free(victim);
    return n;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *topic_tracking_json(topic_tracking *tt, const char *conn)
{
    json_t *topics = json_array();
    pthread_mutex_lock(&tt->lock);
    tt_conn *c = conn ? conn_find(tt, conn) : NULL;
    const char **names = c && c->n ? malloc(c->n * sizeof(*names)) : NULL;
    size_t n = names ? c->n : 0;
    for (size_t i = 0; i < n; i++)
        names[i] = c->topics[i].name;
    if (n > 1)
        qsort(names, n, sizeof(*names), cmp_str);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(topics, json_string(names[i]));
    pthread_mutex_unlock(&tt->lock);
    free(names);
    return json_pack("{s:{s:o}}", conn ? conn : "", "topics", topics);
}

/* Java's ConfigDef BOOLEAN parsing: trimmed, "true"/"false" in any case. Anything else is a
 * config error at worker start-up in Connect; here it keeps the default. */
static bool prop_bool(const sl_props *p, const char *key, bool def)
{
    const char *v = p ? sl_props_get(p, key) : NULL;
    if (v == NULL)
        return def;
    while (*v == ' ' || *v == '\t')
        v++;
    size_t len = strlen(v);
    while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
        len--;
    if (len == 4 && strncasecmp(v, "true", 4) == 0)
        return true;
    if (len == 5 && strncasecmp(v, "false", 5) == 0)
        return false;
    return def;
}

bool topic_tracking_enabled(const sl_props *worker)
{
    return prop_bool(worker, "topic.tracking.enable", true);
}

bool topic_tracking_check(const sl_props *worker, bool reset, herder_reply *r)
{
    if (!topic_tracking_enabled(worker)) {
        herder_reply_error(r, 403, "Topic tracking is disabled.");
        return false;
    }
    if (reset && !prop_bool(worker, "topic.tracking.allow.reset", true)) {
        herder_reply_error(r, 403, "Topic tracking reset is disabled.");
        return false;
    }
    return true;
}
