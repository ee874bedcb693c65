/* runtime/runtime_internal.h: what the runtime's files share: the runtime, connector and task
 * structs (which are the SDK's sl_connector_ctx and sl_task_ctx) and the task lifecycle helpers. */
#ifndef SLUICE_RUNTIME_INTERNAL_H
#define SLUICE_RUNTIME_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "runtime/converters_conf.h"
#include "runtime/error_policy.h"
#include "runtime/runtime.h"
#include "runtime/transform_chain.h"

typedef struct sl_task_ctx rt_task;
typedef struct sl_connector_ctx rt_connector;
typedef struct source_run source_run;
typedef struct sink_run sink_run;

struct runtime {
    sl_props *worker_props;
    offset_store *offsets; /* borrowed */
    runtime_listener listener;
    char *worker_id;
    int64_t flush_interval_ms;
    int64_t flush_timeout_ms;
    int64_t shutdown_timeout_ms;
    pthread_mutex_t lock; /* guards the two lists */
    rt_connector *connectors;
    rt_task *tasks;
    atomic_int abandoned; /* abandoned threads still running */
};

/* A task instance. Fields without a note are set before the thread starts and then only
 * read; "task thread" fields are touched by the task's thread only. */
struct sl_task_ctx {
    runtime *rt;
    rt_task *next; /* rt->tasks, under rt->lock */
    char *conn;
    int id;
    char label[160]; /* "<conn>-<id>", the log context */
    sl_props *conn_config;
    sl_props *task_config;

    /* task thread: while a run uses copies with config provider variables resolved in
     * conn_config/task_config, the stored (raw) configs wait here; NULL between runs */
    sl_props *raw_conn_config;
    sl_props *raw_task_config;

    /* task thread */
    const sl_connector_def *def;
    sl_config *config; /* the parsed task config handed to task_start */
    void *state;       /* the plugin's task state */
    bool started;      /* task_start succeeded, task_stop still due */
    converter_set conv;
    transform_chain *chain;
    error_policy *errors;
    error_retry retry;   /* the operation being retried (errors.retry.timeout) */
    conn_state reported; /* last state reported */
    bool failed;
    source_run *src;
    sink_run *sink;

    /* automatic restart (errors.restart.*): settings fixed at creation, the rest task thread */
    bool restart_enable;
    int64_t restart_max_delay_ms;
    int restarts;           /* consecutive automatic restarts so far */
    int64_t run_started_ms; /* when the current incarnation started */
    int64_t restart_in_ms;  /* set by task_fail when a restart is due; 0 = none */

    /* topic tracking (KIP-558): topics reported through listener.topic_active (task thread);
     * topics_reset is set by runtime_reset_topics from any thread */
    char **active_topics;
    size_t nactive_topics, capactive_topics;
    atomic_bool topics_reset;

    /* any thread */
    atomic_int target; /* target_state */
    atomic_bool stopping;
    atomic_bool commit_requested;

    /* lifecycle, under lock */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond; /* signalled when exited */
    bool exited;
    bool abandoned;
};

/* Commands the connector thread executes one at a time. */
typedef enum conn_cmd {
    CONN_CMD_NONE = 0,
    CONN_CMD_START,        /* resolve, parse, start() */
    CONN_CMD_TASK_CONFIGS, /* task_configs() */
    CONN_CMD_STOP,         /* stop() (target STOPPED), thread stays */
} conn_cmd;

/* A connector instance and its thread. */
struct sl_connector_ctx {
    runtime *rt;
    rt_connector *next; /* rt->connectors, under rt->lock */
    char *name;
    sl_props *config;
    target_state target; /* caller (herder) thread */

    /* connector thread */
    const sl_connector_def *def;
    sl_config *cfg;
    void *state;
    bool started; /* start() succeeded, stop() still due */

    /* under lock */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond; /* command posted / done / thread exited */
    conn_cmd cmd;        /* posted and not yet collected by its caller */
    bool cmd_done;       /* executed; results below are valid */
    bool cmd_orphaned;   /* the caller gave up waiting: the thread frees the results */
    bool exit_requested;
    int cmd_rc;
    char cmd_err[1024];
    int cmd_max_tasks;
    sl_props **cmd_out;
    int cmd_nout;
    bool exited;
    bool abandoned;

    /* status, under report_lock (held across listener calls, as for tasks) */
    pthread_mutex_t report_lock;
    conn_state status;
    bool silenced; /* abandoned: no more listener calls */
};

/* ---- connector_runner.c ---- */

/* New connector instance with its thread started (idle). NULL with errstr on failure. */
rt_connector *connector_runner_new(runtime *rt, const char *name, const sl_props *config,
                                   char *errstr, size_t errstr_size);
/* Start it according to `ts` and report the status (see runtime_start_connector). */
int connector_runner_start(rt_connector *c, target_state ts, char *errstr, size_t errstr_size);
/* task_configs() on the connector thread (see runtime_task_configs). */
int connector_runner_task_configs(rt_connector *c, int max_tasks, sl_props ***out, int *n,
                                  char *errstr, size_t errstr_size);
/* Apply a target state to the connector instance (not its tasks). */
void connector_runner_set_target(rt_connector *c, target_state ts);
/* Ask the thread to stop the connector and exit (non-blocking). */
void connector_runner_request_exit(rt_connector *c);
/* Wait until `deadline_ms` (task_now_ms clock) for the thread, report UNASSIGNED unless
 * FAILED/STOPPED, and free it; past the deadline, abandon it (it frees itself later). */
void connector_runner_finish(rt_connector *c, int64_t deadline_ms);

/* ---- task_common.c ---- */

/* Report a state for the task through the listener (suppressed once the task is abandoned)
 * and remember it. Task thread. */
void task_report(rt_task *t, conn_state st, const char *trace);
/* Log the failure, report FAILED with `trace` and mark the task failed. With
 * errors.restart.enable the trace also says when the task will be restarted (and
 * t->restart_in_ms is set: the task thread then restarts it, see runtime.c). Task thread. */
void task_fail(rt_task *t, const char *trace);
/* The connector class named by connector.class (borrowed from the registry), or NULL with
 * Connect's message in errstr. Any thread. */
const sl_connector_def *task_resolve_connector(const sl_props *conn_config, char *errstr,
                                               size_t errstr_size);
/* With t->def set: parse the task config, build converters, transforms and the error
 * policy. SL_OK or SL_ERR with errstr. Task thread. */
int task_setup_common(rt_task *t, char *errstr, size_t errstr_size);
/* After an operation failed with SL_ERR_RETRIABLE: sleep the errors.retry.* backoff and
 * return true to try again, or false when out of retries (or stopping). `*attempt` starts at 0
 * for each operation. Task thread. */
bool task_retry_again(rt_task *t, int *attempt);
/* transform_chain_set_retry callback (opaque = the task). Task thread. */
bool task_transform_retry(void *opaque, int attempt);
/* Call task_start with the parsed config. Task thread. */
int task_call_start(rt_task *t, char *errstr, size_t errstr_size);
/* Call task_stop if started, then free what task_setup_common built. Task thread. */
void task_teardown_common(rt_task *t);
/* Report PAUSED / RUNNING when the target state changed since the last report; returns
 * true while the task should stay paused. Task thread. */
bool task_sync_target(rt_task *t);
/* Monotonic milliseconds. */
int64_t task_now_ms(void);
/* `text` with resolved config provider values of `a` and `b` (raw configs, borrowed, either
 * may be NULL) replaced by their placeholders, for error messages (providers_scrub). NULL
 * when no providers are installed (nothing to scrub) or out of memory; else caller frees. */
char *runtime_scrub(const sl_props *a, const sl_props *b, const char *text);
/* Read an integer worker setting with a default. */
int64_t runtime_props_long(const sl_props *p, const char *key, int64_t def);
/* Topic tracking: the task used `topic` (a source record to it was acknowledged, or a sink
 * record consumed from it was converted): report it through listener.topic_active unless this
 * task already did since it started or since runtime_reset_topics (suppressed once the task is
 * abandoned, as task_report). Cheap when the topic is known. Task thread. */
void task_topic_active(rt_task *t, const char *topic);
/* Free the task's topic set. Task thread, or after the thread ended. */
void task_topics_free(rt_task *t);

/* ---- source_task.c / sink_task.c: the thread bodies (setup, loop, teardown, statuses) ---- */
void source_task_run(rt_task *t);
void sink_task_run(rt_task *t);

/* SDK context calls, dispatched by task_ctx.c (task thread). */
int source_task_emit(rt_task *t, sl_record *record);
sl_value *source_task_offset(rt_task *t, const sl_value *partition);
int sink_task_pause(rt_task *t, const char *topic, int32_t partition, bool pause);
int sink_task_seek(rt_task *t, const char *topic, int32_t partition, int64_t offset);

#endif
