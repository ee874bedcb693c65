/* herder/distributed_internal.h: the distributed herder's state and what its files
 * (distributed.c, distributed_rebalance.c, distributed_ops.c) share. Not a public contract. */
#ifndef SLUICE_HERDER_DISTRIBUTED_INTERNAL_H
#define SLUICE_HERDER_DISTRIBUTED_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "group/assignor.h"
#include "group/member.h"
#include "herder/distributed.h"
#include "herder/request_queue.h"
#include "herder/status_map.h"
#include "runtime/runtime.h"
#include "store/config_log.h"
#include "store/status_log.h"

#define DH_LG "herder"

/* What the leader remembers of each member after a round, to find owners for restarts. */
typedef struct dh_owner {
    char *member_id;
    char *url;
    assignment_set full;
} dh_owner;

struct distributed_herder {
    herder iface;
    request_queue *queue;
    runtime *rt;
    offset_store *offsets;
    config_log *cfg;
    status_log *status;
    status_map *smap; /* the cluster view, mirrored from the status topic (thread-safe) */
    group_member *member;
    sl_props *worker_props;
    char *url, *worker_id, *cluster_id;
    char protocol_pref[16]; /* connect.protocol: "eager", "compatible", "sessioned" */
    int max_delay_ms;       /* scheduled.rebalance.max.delay.ms */
    int sync_timeout_ms;    /* worker.sync.timeout.ms */
    int session_timeout_ms; /* session.timeout.ms */
    int unsync_backoff_ms;  /* worker.unsync.backoff.ms */

    /* ---- herder thread only ---- */
    config_snapshot *snap;      /* the config topic as last read */
    assignment_set assigned;    /* connectors and tasks this worker holds */
    assignment_set started;     /* those actually started in the runtime */
    assignment_set known;       /* connectors announced by config events (names only) */
    int16_t assignment_version; /* header version of the last assignment (0 = eager) */
    int32_t last_completed_generation;
    int64_t rejoin_at_ms; /* scheduled rejoin (cooperative `delay`, unsync backoff), 0 = none */
    bool unsync_leave;    /* leave the group at the next tick (config topic unreadable) */
    assignor_incremental_state inc;
    dh_owner *owners; /* leader: the last round's full assignments */
    size_t n_owners;
    /* Status cleanup the leader does after the next rebalance (§2.3): task statuses from
     * `from` up to `to` (exclusive), and the connector's own when it was deleted. */
    struct dh_cleanup {
        char *name;
        int from, to;
        bool removed;
    } * cleanup;
    size_t n_cleanup;
    bool stopping;

    /* ---- shared with REST and runtime threads ---- */
    pthread_mutex_t mu; /* guards leader_url and the flags below */
    char leader_url[512];
    bool is_leader;
    bool have_assignment;  /* a stable assignment is held (no rebalance under way) */
    bool needs_rebalance;  /* Connect's needsReconfigRebalance */
    atomic_int generation; /* for status writes from runtime threads */
    bool started_up;       /* the config topic was read and the herder thread runs */
    bool sessioned;        /* the last assignment was of protocol version 2 */
    char session_key[64];  /* base64 session key, "" before one was read */
    int64_t key_ttl_ms;    /* inter.worker.key.ttl.ms */
    int64_t key_attempt_ms; /* herder thread: last attempt to write a session key */
    atomic_int senders;    /* task-config senders still running */
    atomic_int send_backoff_ms; /* current backoff of failed task-config sends */
    atomic_bool senders_quit;   /* set by dh_session_drain: senders retry no more */
};

/* ---- distributed.c ---- */
int64_t dh_now_ms(void);
/* Re-read the snapshot from the config log (herder thread). */
void dh_refresh_snapshot(distributed_herder *h);
/* Connector `name` in the snapshot, or NULL (herder thread; borrowed until the next refresh). */
const config_connector *dh_connector(distributed_herder *h, const char *name);
/* Set the shared flags under h->mu. */
void dh_set_needs_rebalance(distributed_herder *h, bool v);

/* ---- distributed_rebalance.c (herder thread) ---- */
/* The member callbacks and the tick that drives the member. */
extern const group_member_callbacks dh_member_callbacks_template;
void dh_tick(void *arg);
/* Set the JoinGroup protocols and metadata for the next round. */
void dh_update_metadata(distributed_herder *h);
/* Start / stop one instance here. task < 0 is the connector. */
void dh_start_connector(distributed_herder *h, const char *name);
void dh_start_task(distributed_herder *h, const char *name, int task);
void dh_stop_instance(distributed_herder *h, const char *name, int task);
/* Stop the tasks of `which` that run here, in parallel (borrowed). */
void dh_stop_tasks(distributed_herder *h, const assignment_set *which);
/* Stop everything started here (UNASSIGNED written by the status listener). */
void dh_stop_all(distributed_herder *h);
/* Ask the running connector for task configs and write them when they differ (owner). */
void dh_regenerate_tasks(distributed_herder *h, const char *name);
/* Start whatever is assigned and not yet running (configs permitting). */
void dh_reconcile(distributed_herder *h);
/* The URL of the member that owns `name` (task < 0: the connector), leader only; NULL when
 * unknown. Borrowed until the next round. */
const char *dh_owner_url(distributed_herder *h, const char *name, int task);
void dh_owners_clear(distributed_herder *h);
/* Remember / perform (leader, after a rebalance) / forget the status cleanups. */
void dh_cleanup_add(distributed_herder *h, const char *name, int from, int to, bool removed);
void dh_cleanup_run(distributed_herder *h, bool leader);

/* ---- distributed_ops.c ---- */
extern const herder_ops dh_ops;

/* One REST operation: `fn` runs on the herder thread and either fills `r` or asks (through
 * `route`) to be forwarded or retried after the rebalance under way. */
typedef enum op_route {
    ROUTE_SERVED = 0, /* the reply is filled */
    ROUTE_FORWARD,    /* forward to `url` (NotLeader / NotAssigned) */
    ROUTE_RETRY,      /* a rebalance is under way: try again once it completes */
} op_route;

/* How long a request waits for a rebalance under way to complete. Connect's requests wait in
 * the herder's queue while its tick thread is inside the rebalance; ours wait on the REST
 * thread so that the herder keeps heartbeating. Shorter than the 90 s request timeout. */
#define OP_REBALANCE_WAIT_MS 60000
#define OP_RETRY_SLEEP_MS 50

typedef struct op {
    distributed_herder *h;
    void (*fn)(struct op *o);
    const char *name;
    int task;
    bool flag1, flag2;
    json_t *body;
    const char *str;
    herder_reply *r;
    op_route route;
    const char *retry_msg; /* ROUTE_RETRY: the 409 message if the wait times out */
    char url[512];
} op;

/* Run `o` on the herder thread (REST thread): retried while a rebalance is under way (409
 * when that outlasts OP_REBALANCE_WAIT_MS), forwarded when it asks to be. */
void dh_dispatch(op *o);
/* Herder thread: ask for `o` to be forwarded to `url`. */
void dh_forward_to(op *o, const char *url);
/* Herder thread: Connect's checks before a leader-only write: a pending rebalance is a retry,
 * a follower forwards to the leader. Returns true when this worker may write. */
bool dh_leader_or_route(op *o);
/* ---- distributed_admin.c: the herder ops for health, offsets, topics, internal task configs
 * and cluster loggers (REST threads) ---- */
void dh_op_health(herder *hh, herder_reply *r);
void dh_op_get_offsets(herder *hh, const char *name, herder_reply *r);
void dh_op_alter_offsets(herder *hh, const char *name, json_t *body, herder_reply *r);
void dh_op_get_topics(herder *hh, const char *name, herder_reply *r);
void dh_op_reset_topics(herder *hh, const char *name, herder_reply *r);
void dh_op_put_task_configs(herder *hh, const char *name, json_t *configs, herder_reply *r);
void dh_op_set_cluster_logger_level(herder *hh, const char *logger, const char *level,
                                    herder_reply *r);

/* ---- distributed_session.c: session keys and internal requests (KIP-507) ---- */
/* Herder thread: mirror the snapshot's session key into the shared copy REST threads verify
 * with. */
void dh_session_refresh(distributed_herder *h);
/* Herder thread: as leader of a sessioned round, write a new session key when there is none or
 * it expired (inter.worker.key.ttl.ms). */
void dh_session_maintain(distributed_herder *h);
/* REST thread: verify the current request's signature when the group is sessioned. Returns
 * true when it may proceed; else `r` holds Connect's 400/403/503. */
bool dh_session_verify(distributed_herder *h, herder_reply *r);
/* Herder thread, follower: send `n` task configs of `name` (borrowed) to the leader's internal
 * endpoint, signed, on a background thread; on failure the connector's reconfiguration is
 * retried with backoff. */
void dh_session_send_task_configs(distributed_herder *h, const char *name, sl_props *const *tasks,
                                  int n);
/* Stop retries and wait for background senders to finish (destroy, before the queue
 * stops). */
void dh_session_drain(distributed_herder *h);
/* Config-topic listener work posted to the herder thread. */
void dh_on_connector_config(distributed_herder *h, const char *name, bool removed);
void dh_on_task_configs(distributed_herder *h, const char *name);
void dh_on_target_state(distributed_herder *h, const char *name, target_state ts);
void dh_on_restart(distributed_herder *h, const char *name, bool include_tasks, bool only_failed);

#endif
