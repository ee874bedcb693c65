/* herder/request_queue.c: a mutex/condvar FIFO served by one thread; synchronous calls wait on
 * a per-call flag so that REST threads can block on herder work. */
#include "herder/request_queue.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/log.h"

typedef struct req {
    struct req *next;
    request_fn fn, drop;
    void *arg;
    bool *done; /* non-NULL for synchronous calls */
    struct ping *ping; /* non-NULL for request_queue_ping */
} req;

/* A ping's state outlives the request when its caller gave up waiting: whichever side comes
 * last (the thread serving it, or the caller) frees it. */
typedef struct ping {
    bool done, abandoned;
} ping;

static void ping_fn(void *arg)
{
    (void)arg;
}

struct request_queue {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake, finished;
    req *head, *tail;
    bool stopping;
    int tick_ms;
    request_fn tick;
    void *tick_arg;
    char name[32];
};

static void push(request_queue *q, req *r)
{
    r->next = NULL;
    if (q->tail)
        q->tail->next = r;
    else
        q->head = r;
    q->tail = r;
    pthread_cond_signal(&q->wake);
}

static void *loop(void *opaque)
{
    request_queue *q = opaque;
    log_set_context(q->name);
    pthread_mutex_lock(&q->lock);
    for (;;) {
        while (q->head == NULL && !q->stopping) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += q->tick_ms / 1000;
            ts.tv_nsec += (long)(q->tick_ms % 1000) * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            if (pthread_cond_timedwait(&q->wake, &q->lock, &ts) == ETIMEDOUT && q->tick) {
                pthread_mutex_unlock(&q->lock);
                q->tick(q->tick_arg);
                pthread_mutex_lock(&q->lock);
            }
        }
        if (q->head == NULL && q->stopping)
            break;
        req *r = q->head;
        q->head = r->next;
        if (q->head == NULL)
            q->tail = NULL;
        pthread_mutex_unlock(&q->lock);
        r->fn(r->arg);
        pthread_mutex_lock(&q->lock);
        if (r->ping) {
            if (r->ping->abandoned)
                free(r->ping);
            else
                r->ping->done = true;
            pthread_cond_broadcast(&q->finished);
            free(r);
        } else if (r->done) {
            *r->done = true;
            pthread_cond_broadcast(&q->finished);
        } else {
            free(r);
        }
    }
    pthread_mutex_unlock(&q->lock);
    return NULL;
}

request_queue *request_queue_start(const char *name, int tick_ms, request_fn tick, void *tick_arg)
{
    request_queue *q = calloc(1, sizeof(*q));
    if (q == NULL)
        return NULL;
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->wake, NULL);
    pthread_cond_init(&q->finished, NULL);
    q->tick_ms = tick_ms > 0 ? tick_ms : 1000;
    q->tick = tick;
    q->tick_arg = tick_arg;
    snprintf(q->name, sizeof(q->name), "%s", name ? name : "herder");
    if (pthread_create(&q->thread, NULL, loop, q) != 0) {
        free(q);
        return NULL;
    }
    return q;
}

bool request_queue_on_thread(const request_queue *q)
{
    return pthread_equal(pthread_self(), q->thread);
}

bool request_queue_call(request_queue *q, request_fn fn, void *arg)
{
    if (request_queue_on_thread(q)) {
        fn(arg);
        return true;
    }
    bool done = false;
    req r = {.fn = fn, .arg = arg, .done = &done};
    pthread_mutex_lock(&q->lock);
    if (q->stopping) {
        pthread_mutex_unlock(&q->lock);
        return false;
    }
    push(q, &r);
    while (!done)
        pthread_cond_wait(&q->finished, &q->lock);
    pthread_mutex_unlock(&q->lock);
    return true;
}

int request_queue_ping(request_queue *q, int timeout_ms)
{
    if (request_queue_on_thread(q))
        return 1;
    req *r = calloc(1, sizeof(*r));
    ping *p = calloc(1, sizeof(*p));
    if (r == NULL || p == NULL) {
        free(r);
        free(p);
        return -1;
    }
    r->fn = ping_fn;
    r->ping = p;
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&q->lock);
    if (q->stopping) {
        pthread_mutex_unlock(&q->lock);
        free(r);
        free(p);
        return -1;
    }
    push(q, r);
    int rc = 0;
    while (!p->done) {
        if (pthread_cond_timedwait(&q->finished, &q->lock, &deadline) == ETIMEDOUT)
            break;
    }
    if (p->done) {
        free(p);
        rc = 1;
    } else {
        p->abandoned = true; /* the serving thread (or request_queue_stop) frees it */
    }
    pthread_mutex_unlock(&q->lock);
    return rc;
}

void request_queue_post(request_queue *q, request_fn fn, void *arg, request_fn drop)
{
    req *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        if (drop)
            drop(arg);
        return;
    }
    r->fn = fn;
    r->drop = drop;
    r->arg = arg;
    pthread_mutex_lock(&q->lock);
    if (q->stopping) {
        pthread_mutex_unlock(&q->lock);
        if (drop)
            drop(arg);
        free(r);
        return;
    }
    push(q, r);
    pthread_mutex_unlock(&q->lock);
}

void request_queue_stop(request_queue *q, request_fn final, void *arg)
{
    if (q == NULL)
        return;
    if (final)
        request_queue_call(q, final, arg);
    pthread_mutex_lock(&q->lock);
    q->stopping = true;
    /* Synchronous callers are never left behind: they are on the queue and get served. */
    pthread_cond_signal(&q->wake);
    pthread_mutex_unlock(&q->lock);
    pthread_join(q->thread, NULL);
    for (req *r = q->head, *next; r; r = next) {
        next = r->next;
        if (r->ping && r->ping->abandoned)
            free(r->ping);
        if (r->drop)
            r->drop(r->arg);
        free(r);
    }
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->wake);
    pthread_cond_destroy(&q->finished);
    free(q);
}
