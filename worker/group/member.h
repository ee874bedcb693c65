/* group/member.h: the Kafka group membership client (the job of Java's AbstractCoordinator):
 * coordinator discovery, JoinGroup/SyncGroup, heartbeats, LeaveGroup, driven by the caller. */
#ifndef SLUICE_GROUP_MEMBER_H
#define SLUICE_GROUP_MEMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "group/requests.h"
#include "group/transport.h"

/* Thread rules for everything below: a member is driven by one thread (the herder's). All
 * callbacks run on that thread, from inside group_member_poll / _leave / _close, and may call
 * group_member_set_protocols, group_member_request_rejoin and the getters, but not poll,
 * leave, close or destroy. */

typedef struct group_member group_member;

typedef struct group_member_config {
    const char *bootstrap_servers; /* "host:port[,host:port...]" (a "PLAINTEXT://" prefix ok) */
    const char *group_id;
    const char *client_id;     /* NULL: "sluice" */
    const char *protocol_type; /* NULL: "connect" */
    int session_timeout_ms;    /* default 10000 */
    int heartbeat_interval_ms; /* default 3000 */
    int rebalance_timeout_ms;  /* default 60000 */
    int request_timeout_ms;    /* default 40000 */
    int retry_backoff_ms;      /* default 100; doubled per consecutive failure, max 1000 */
    int connect_timeout_ms;    /* default 5000: a connect blocks the caller at most this long */
    /* Transport factory (NULL: plaintext TCP). The member owns what it returns. */
    group_transport *(*transport_new)(void *opaque);
    void *transport_opaque;
} group_member_config;

/* Fill `c` with the defaults above (strings NULL). */
void group_member_config_defaults(group_member_config *c);

/* What the leader's assign callback sees; all borrowed for the call. */
typedef struct group_assign_input {
    int32_t generation;
    const char *protocol;  /* the protocol the coordinator chose */
    const char *leader_id; /* our own member id */
    const group_join_member *members;
    size_t n_members;
} group_assign_input;

/* What every member receives after SyncGroup; all borrowed for the call. */
typedef struct group_member_assignment {
    int32_t generation;
    const char *member_id;
    const char *leader_id;
    const char *protocol;
    bool is_leader;
    const uint8_t *data; /* the assignment bytes (NULL when empty) */
    size_t len;
} group_member_assignment;

typedef struct group_member_callbacks {
    void *opaque;
    /* Called before each JoinGroup round (not before the immediate retry that answers
     * MEMBER_ID_REQUIRED). The caller refreshes its metadata here with
     * group_member_set_protocols (Connect's metadata carries the config offset and current
     * allocation); eager callers stop their work here. `generation` is the last one joined (-1
     * if none). May be NULL. */
    void (*on_join_prepare)(void *opaque, int32_t generation, const char *member_id);
    /* Leader only: compute one assignment per member. out_data and out_len have
     * in->n_members zeroed entries; set out_data[i] to a malloc'd buffer (ownership passes to
     * the member, NULL = empty) for in->members[i]. Return 0, or -1 with a reason in errstr:
     * the member then rejoins after a backoff. Required. */
    int (*assign)(void *opaque, const group_assign_input *in, uint8_t **out_data,
                  size_t *out_len, char *errstr, size_t errstr_size);
    /* A SyncGroup completed: this member's assignment for the generation. Required. */
    void (*on_assigned)(void *opaque, const group_member_assignment *a);
    /* The coordinator says our membership is gone (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION,
     * FENCED_INSTANCE_ID): whatever we were assigned is no longer ours. The member rejoins
     * by itself. May be NULL. */
    void (*on_lost)(void *opaque, const char *reason);
} group_member_callbacks;

/* Create a member. `cfg` and `cb` are copied (strings too). No I/O happens until the first
 * poll. Returns NULL with the reason in errstr on a bad config (missing group id or bootstrap
 * servers, heartbeat >= session timeout) or allocation failure. Caller owns the result and
 * frees it with group_member_destroy. */
group_member *group_member_new(const group_member_config *cfg, const group_member_callbacks *cb,
                               char *errstr, size_t errstr_size);

/* Set the protocols offered in the next JoinGroup, in preference order (e.g. "sessioned",
 * "compatible", "default" with their metadata bytes). Copied; `protos` borrowed. Returns 0
 * or -1 on allocation failure (the old list is kept). */
int group_member_set_protocols(group_member *m, const group_protocol *protos, size_t n);

/* Do due I/O for up to timeout_ms (0: only what is ready now) and invoke callbacks: discover
 * the coordinator, join, sync, heartbeat, handle errors. Returns early, right after an
 * assignment is delivered, so the caller can act on it. Call it at least every
 * heartbeat.interval.ms while a member of the group, or the session expires.
 * Returns 0, or -1 with the reason in errstr when the last round failed in a way the caller
 * should surface (a non-retriable broker error such as INCONSISTENT_GROUP_PROTOCOL or
 * GROUP_AUTHORIZATION_FAILED); the member keeps retrying after a backoff either way. */
int group_member_poll(group_member *m, int timeout_ms, char *errstr, size_t errstr_size);

/* Milliseconds poll would like to sleep before it next has work (for the caller's tick loop);
 * 0 when it has a request in flight or work due. */
int group_member_next_timeout_ms(group_member *m);

/* Ask for a new JoinGroup round at the next poll (Connect's requestRejoin: config change,
 * revocations, scheduled delay). Coalesces with a round already in progress: if a join or sync
 * is under way, one more round follows it. A member that has left joins again. */
void group_member_request_rejoin(group_member *m);

/* Send LeaveGroup (waiting up to timeout_ms for the answer), forget the member id and
 * generation, and stay out of the group until group_member_request_rejoin. No-op when not a
 * member. Returns 0, or -1 if the LeaveGroup could not be sent or answered (the member is out
 * of the group either way: its session will expire). */
int group_member_leave(group_member *m, int timeout_ms);

/* Leave the group (as group_member_leave) and disconnect for good: later polls do nothing. */
void group_member_close(group_member *m, int timeout_ms);

/* Free the member (closing with a zero wait first if it was not closed). NULL is a no-op. */
void group_member_destroy(group_member *m);

/* Getters. Strings are borrowed and valid until the next poll/leave/close/destroy. */
typedef enum group_member_state {
    GROUP_MEMBER_UNJOINED,   /* discovering the coordinator or waiting to (re)join */
    GROUP_MEMBER_REBALANCING, /* JoinGroup or SyncGroup in progress */
    GROUP_MEMBER_STABLE,     /* holding an assignment and heartbeating */
    GROUP_MEMBER_LEFT,       /* left by request; idle until request_rejoin */
    GROUP_MEMBER_CLOSED,
} group_member_state;

group_member_state group_member_get_state(const group_member *m);
int32_t group_member_generation(const group_member *m); /* -1 before the first join */
const char *group_member_id(const group_member *m);      /* "" before the first join */
const char *group_member_leader_id(const group_member *m);
const char *group_member_protocol(const group_member *m); /* NULL before the first join */
bool group_member_is_leader(const group_member *m);
/* Milliseconds since the coordinator last answered us (0 if it just did); Connect revokes its
 * work when this passes heartbeat.interval.ms. -1 if never. */
int64_t group_member_coordinator_silence_ms(const group_member *m);

#endif
