/* runtime/runtime.h: runs connector instances and their source/sink tasks on this worker (one
 * thread per connector, one per task) and reports their states to a listener (the herder). */
#ifndef SLUICE_RUNTIME_H
#define SLUICE_RUNTIME_H

#include <sluice/sdk.h>

#include "herder/herder.h"
#include "store/offset_store.h"

/* Connect's runtime states (reference §7). STOPPED is only ever reported for connectors. */
typedef enum conn_state {
    STATE_UNASSIGNED = 0,
    STATE_RUNNING,
    STATE_PAUSED,
    STATE_STOPPED,
    STATE_FAILED,
    STATE_RESTARTING,
} conn_state;

/* "UNASSIGNED", "RUNNING", "PAUSED", "STOPPED", "FAILED", "RESTARTING"; "UNKNOWN" otherwise.
 * Static string. */
const char *conn_state_name(conn_state s);

/* How the runtime tells its owner about state changes. All pointers are borrowed for the
 * call. Callbacks are invoked from runtime threads (connector and task threads) and from the
 * thread calling runtime_* functions; they must not block for long and must not call back
 * into the runtime (post to the herder's queue instead). Every callback for an instance has
 * been made by the time runtime_stop_connector / runtime_stop_task for it returns (unless
 * the instance had to be abandoned after the graceful timeout, see runtime_stop_task), so the
 * herder may write tombstones after those calls without being overtaken. Any member may be
 * NULL. */
typedef struct runtime_listener {
    void *opaque;
    /* `trace` is the error text for FAILED, else NULL. */
    void (*connector_status)(void *opaque, const char *conn, conn_state st, const char *trace);
    void (*task_status)(void *opaque, const char *conn, int task, conn_state st, const char *trace);
    /* The connector called sl_connector_request_reconfiguration(): the herder should call
     * runtime_task_configs() again (from its own thread) and restart tasks if they changed. */
    void (*reconfigure)(void *opaque, const char *conn);
    /* Topic tracking (KIP-558): task `task` of `conn` used `topic` for the first time since it
     * started (a source record to it was acknowledged, or a record consumed from it by a sink
     * was converted, before transforms, as Connect's WorkerSinkTask records it). Called from
     * the task's thread, at most once per task and topic (again after runtime_reset_topics);
     * optional. */
    void (*topic_active)(void *opaque, const char *conn, int task, const char *topic);
} runtime_listener;

typedef struct runtime runtime;

/* Create a runtime.
 * - worker_props: the worker's properties (copied): bootstrap.servers, producer.* and
 *   consumer.* defaults, key/value/header.converter (+ sub-configs), offset.flush.interval.ms
 *   (60000), offset.flush.timeout.ms (5000), task.shutdown.graceful.timeout.ms (5000).
 * - offsets: the source-offset store, borrowed: it must outlive the runtime.
 * - l: copied (its opaque is borrowed and must outlive the runtime). May be NULL.
 * - worker_id: "host:port", copied (logged; statuses are written by the herder).
 * Returns NULL with errstr on bad worker settings. Caller owns it (runtime_destroy).
 * Thread rules for every runtime_* function: may be called from any thread, but calls that
 * manage one connector (or one task) must not race each other; the herder calls them from its
 * own thread. A connector's or task's callbacks never run on the caller's thread. */
runtime *runtime_new(const sl_props *worker_props, offset_store *offsets, const runtime_listener *l,
                     const char *worker_id, char *errstr, size_t errstr_size);

/* Start connector `name` with its raw config (copied; the variables of the installed config
 * providers are resolved into a private copy at each start, never stored): resolves
 * connector.class, parses the config with the connector's definitions and calls its
 * start() on the connector's own thread, waiting for the result.
 * ts TARGET_STARTED -> RUNNING, TARGET_PAUSED -> started, then PAUSED (as Connect: a paused
 * connector instance is alive), TARGET_STOPPED -> not started, STOPPED.
 * On success returns SL_OK after reporting the status (a connector whose start() called
 * sl_connector_raise_error is running but reported FAILED; runtime_stop_connector clears it).
 * On failure (unknown class, bad config, start() error) reports FAILED with the reason as
 * trace, keeps nothing (runtime_stop_connector is a no-op, a later start starts afresh) and
 * returns SL_ERR with the same reason in errstr. Starting a name that already runs here
 * returns SL_ERR and changes nothing. */
int runtime_start_connector(runtime *rt, const char *name, const sl_props *config, target_state ts,
                            char *errstr, size_t errstr_size);

/* Ask running connector `name` for at most `max_tasks` task configs (its task_configs() on
 * the connector thread). On SL_OK *out is a malloc'd array of *n props, each with "task.class"
 * added and, for sink connectors, the connector's "topics"/"topics.regex" copied in, as
 * Connect does. Caller owns the props (sl_props_destroy each) and the array (free). SL_ERR with
 * errstr if the connector is unknown, not running (failed/stopped) or task_configs() failed;
 * *out is NULL and *n 0 then. A connector in PAUSED state still answers. */
int runtime_task_configs(runtime *rt, const char *name, int max_tasks, sl_props ***out, int *n,
                         char *errstr, size_t errstr_size);

/* Stop connector `name` (its stop() on the connector thread) and forget it; reports
 * UNASSIGNED unless it was FAILED or STOPPED. Does not stop its tasks (the herder stops those
 * it owns). Unknown names are ignored. Waits at most task.shutdown.graceful.timeout.ms for
 * stop(); a connector that does not return by then is abandoned with an error log. */
void runtime_stop_connector(runtime *rt, const char *name);

/* Start task `id` of connector `conn` on a new thread. conn_config is the connector's raw
 * config (converters, transforms, errors.*, topics, client overrides) and task_config the
 * task's own config from task_configs(); both copied and kept raw. The thread resolves config
 * provider variables into private copies for each run (a failure is reported as FAILED), the
 * connector class, builds converters, the transform chain and the Kafka client, calls
 * task_start and reports RUNNING (or PAUSED for ts TARGET_PAUSED), or FAILED with the error
 * as trace. Returns SL_OK once the thread runs (setup errors are reported as FAILED, not returned) or
 * SL_ERR if the task already runs here or the thread cannot be created. A task whose
 * connector is not running on this worker is fine (distributed mode).
 * With errors.restart.enable=true in conn_config (Sluice, beyond Connect), a task that fails
 * is restarted by its own thread after 1 s, 2 s, 4 s ... (capped at
 * errors.restart.max.delay.ms) with the same configs: the listener sees FAILED (the trace
 * says when it will be restarted), RESTARTING, then RUNNING (or PAUSED). The herder still
 * owns the task: runtime_stop_task during the wait ends it and the task stays FAILED. */
int runtime_start_task(runtime *rt, const char *conn, int id, const sl_props *conn_config,
                       const sl_props *task_config, target_state ts, char *errstr,
                       size_t errstr_size);

/* Stop task (conn, id) gracefully: the loop stops polling, flushes (source: waits for
 * outstanding deliveries, writes offsets, commit(); sink: final flush/pre_commit and consumer
 * commit, close()), calls task_stop, closes its Kafka client and reports UNASSIGNED (unless
 * FAILED). Waits at most task.shutdown.graceful.timeout.ms, then abandons the thread with an
 * error log (it frees itself whenever it ends; its late status reports are suppressed).
 * Unknown tasks are ignored. */
void runtime_stop_task(runtime *rt, const char *conn, int id);

/* Stop several tasks at once, as runtime_stop_task does for one, but in parallel: every task
 * is asked to stop first, then all are waited for against one graceful deadline, so a
 * rebalance that revokes N tasks waits task.shutdown.graceful.timeout.ms at most, not N
 * times that. `tasks` borrowed; unknown tasks are ignored. Thread rules as runtime_stop_task. */
typedef struct runtime_task_ref {
    const char *conn;
    int id;
} runtime_task_ref;
void runtime_stop_tasks(runtime *rt, const runtime_task_ref *tasks, size_t n);

/* Pause / resume / stop connector `conn` and every task of it running here.
 * TARGET_PAUSED: tasks stop polling (sinks pause their consumer but keep the group session)
 * and report PAUSED; the connector reports PAUSED. TARGET_STARTED: resume, report RUNNING
 * (a connector that was STOPPED is started again from its stored config). TARGET_STOPPED: the
 * connector instance is stopped and reports STOPPED; its tasks are stopped as by
 * runtime_stop_task. FAILED instances are left alone. Unknown connectors are ignored. */
void runtime_set_target_state(runtime *rt, const char *conn, target_state ts);

/* Topic tracking (KIP-558): make every task of `conn` running here forget which topics it
 * reported through listener.topic_active, so that each is reported again the next time the
 * task uses it (PUT /connectors/{c}/topics/reset: as in Connect, running tasks repopulate the
 * set). Unknown connectors are ignored. Any thread; non-blocking. */
void runtime_reset_topics(runtime *rt, const char *conn);

/* Stop every task, then every connector, gracefully (in parallel: total time is about one
 * graceful timeout, not one per task), and free the runtime. NULL is accepted. */
void runtime_destroy(runtime *rt);

#endif
