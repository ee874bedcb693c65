/* group/assignor.h: Connect's leader-side assignors, eager (EagerAssignor, connect-compat.md §3.4)
 * and incremental cooperative (IncrementalCooperativeAssignor / KIP-415, §3.5), as pure functions.
 */
#ifndef SLUICE_GROUP_ASSIGNOR_H
#define SLUICE_GROUP_ASSIGNOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "group/assignment.h"

/* Assignment error codes, the same values as the wire (GROUP_CONNECT_* in connect_protocol.h). */
#define ASSIGNOR_NO_ERROR 0
#define ASSIGNOR_CONFIG_MISMATCH 1

/* One group member as the leader sees it in JoinGroup. Everything is borrowed for the call. */
typedef struct assignor_member {
    const char *id;  /* member id, unique in the round */
    const char *url; /* advertised REST URL from its metadata (NULL read as "") */
    int64_t config_offset;
    /* The member's full current allocation (metadata v1+ `allocation`, with the wire's task -1
     * entries turned into connectors), or NULL when it reported none (v0, null allocation).
     * The eager assignor ignores it. */
    const assignment_set *current;
} assignor_member;

/* One configured connector of the leader's config snapshot and its task count
 * (tasks 0..n_tasks-1; 0 while its task configs are not yet written). */
typedef struct assignor_connector {
    const char *name;
    int32_t n_tasks;
} assignor_connector;

/* The input of one round. Everything is borrowed for the call. */
typedef struct assignor_input {
    const char *leader_id; /* this worker's member id; must be among `members` */
    const assignor_member *members;
    size_t n_members;
    /* The leader's config snapshot: its offset and connectors (any order, names unique). */
    int64_t snapshot_offset;
    const assignor_connector *connectors;
    size_t n_connectors;
    /* Connect's ensureLeaderConfig: when the snapshot was behind the members' max offset the
     * caller re-reads the config topic once and sets this flag; the snapshot's own offset is then
     * sent as the config offset. Without the flag the members' max offset is sent. Either way a
     * snapshot behind the max yields CONFIG_MISMATCH for every member. */
    bool snapshot_refreshed;
    /* Incremental only. `generation` is the generation being assigned; the coordinator's last
     * completed generation is the one this worker last synced successfully (-1 if none). */
    int32_t generation;
    int32_t last_completed_generation;
    int32_t max_delay_ms; /* scheduled.rebalance.max.delay.ms (>= 0) */
    int64_t now_ms;       /* the caller's clock; the assignors never read one */
} assignor_input;

/* What one member receives in SyncGroup. All owned by the enclosing assignor_result. */
typedef struct assignor_member_result {
    char *member_id;
    int16_t error; /* ASSIGNOR_NO_ERROR or ASSIGNOR_CONFIG_MISMATCH (then sets are empty) */
    char *leader_id;
    char *leader_url;
    int64_t config_offset;
    /* Eager: the member's complete assignment. Incremental: only the items newly assigned in
     * this round (next - current). Connectors then tasks, in assignment order; write each
     * connector as task -1 on the wire. */
    assignment_set assigned;
    assignment_set revoked; /* incremental only, sorted; empty for eager */
    int32_t delay_ms;       /* incremental only: rejoin after this many ms (0 = none) */
    /* The member's complete assignment once this round is applied (old - revoked + assigned):
     * the leader keeps it to answer "which worker runs X" for restart forwarding. */
    assignment_set full;
} assignor_member_result;

/* The result of one round: one entry per member, sorted by member id. */
typedef struct assignor_result {
    assignor_member_result *members;
    size_t n_members;
    int64_t max_offset;   /* max config offset reported by the members */
    bool config_mismatch; /* every member got CONFIG_MISMATCH */
} assignor_result;

/* Leader state the incremental assignor keeps between rounds (Connect keeps it in the assignor
 * instance). Caller-owned; init before the first round, fini when done. A worker that was not
 * the leader passes a fresh state, which the generation check then treats as having no previous
 * assignment. Touched only from the herder thread. */
typedef struct assignor_incremental_state {
    assignment_set previous_assignment;
    assignment_set previous_revocation;
    bool revoked_in_previous;
    int32_t previous_generation;
    char **previous_members; /* owned */
    size_t n_previous_members;
    char **candidates; /* candidateWorkersForReassignment, insertion-ordered, owned */
    size_t n_candidates;
    int64_t scheduled_rebalance; /* deadline in the caller's ms clock, 0 = none */
    int32_t delay;               /* ms, sent to every member */
    int32_t successive_revoking; /* consecutive revoking rounds, drives the backoff */
} assignor_incremental_state;

/* Maximum config offset over `members` (borrowed); INT64_MIN when n == 0. The herder compares
 * its snapshot offset with this before calling an assignor, to decide whether to re-read. */
int64_t assignor_max_config_offset(const assignor_member *members, size_t n);

/* Eager round-robin assignment (§3.4). Fills *out (caller frees it with assignor_result_clear,
 * also after failure). Returns 0, or -1 with a reason in errstr on invalid input (no members,
 * NULL or duplicate ids, leader not a member, NULL or duplicate connector names, negative task
 * counts) or allocation failure. `in` is borrowed. Pure: no clock, no I/O. */
int assignor_eager_assign(const assignor_input *in, assignor_result *out, char *errstr,
                          size_t errstr_size);

/* Zero `st` with no previous assignment and previous generation -1. */
void assignor_incremental_init(assignor_incremental_state *st);
/* Free what `st` holds and re-initialise it (usable again). NULL is a no-op. */
void assignor_incremental_fini(assignor_incremental_state *st);

/* Incremental cooperative assignment (§3.5): updates the leader state `st` (caller-owned, not
 * shared between threads) and fills *out (caller frees with assignor_result_clear, also after
 * failure). A CONFIG_MISMATCH round leaves `st` untouched. Returns 0, or -1 with errstr on
 * invalid input (as for eager; `st` untouched) or allocation failure (then `st` is reset as by
 * assignor_incremental_fini, which the next round treats like a leader change). */
int assignor_incremental_assign(assignor_incremental_state *st, const assignor_input *in,
                                assignor_result *out, char *errstr, size_t errstr_size);

/* Free everything in `r` and zero it. NULL is a no-op. */
void assignor_result_clear(assignor_result *r);
/* The result entry for `member_id`, or NULL. Borrowed from `r`. */
const assignor_member_result *assignor_result_find(const assignor_result *r, const char *member_id);

#endif
