/* herder/request_queue.h: the herder thread and its queue. Other threads (REST, task threads)
 * post work to it; all herder state is touched on that one thread only (ARCHITECTURE.md). */
#ifndef SLUICE_HERDER_REQUEST_QUEUE_H
#define SLUICE_HERDER_REQUEST_QUEUE_H

#include <stdbool.h>

typedef struct request_queue request_queue;

/* A unit of work run on the herder thread. */
typedef void (*request_fn)(void *arg);

/* Create the queue and start its thread, which runs `tick(tick_arg)` (may be NULL) between
 * requests at least every `tick_ms`. Caller owns the queue (request_queue_stop frees it). */
request_queue *request_queue_start(const char *name, int tick_ms, request_fn tick, void *tick_arg);

/* Run fn(arg) on the herder thread and wait for it to finish. Any thread but the herder's own
 * (from the herder thread, fn is simply called). Returns false if the queue is stopping, in
 * which case fn did not run. */
bool request_queue_call(request_queue *q, request_fn fn, void *arg);

/* Queue a no-op and wait up to `timeout_ms` for the herder thread to reach it (GET /health).
 * Returns 1 when it did, 0 on timeout, -1 when the queue is stopping or out of memory. Any
 * thread; from the herder thread itself it returns 1 at once. */
int request_queue_ping(request_queue *q, int timeout_ms);

/* Run fn(arg) on the herder thread later; `drop(arg)` (may be NULL) is called instead if the
 * queue stops first. Any thread. */
void request_queue_post(request_queue *q, request_fn fn, void *arg, request_fn drop);

/* True when called from the queue's own thread. */
bool request_queue_on_thread(const request_queue *q);

/* Run `final(arg)` (may be NULL) on the herder thread after the queued work, stop the thread,
 * drop what is left and free the queue. Any thread but the herder's. */
void request_queue_stop(request_queue *q, request_fn final, void *arg);

#endif
