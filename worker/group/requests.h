/* group/requests.h: the Kafka group-membership requests and responses we speak (ApiVersions,
 * FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup) and version negotiation. */
#ifndef SLUICE_GROUP_REQUESTS_H
#define SLUICE_GROUP_REQUESTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "group/wire.h"

/* API keys (Kafka protocol guide). */
enum {
    GROUP_API_FIND_COORDINATOR = 10,
    GROUP_API_JOIN_GROUP = 11,
    GROUP_API_HEARTBEAT = 12,
    GROUP_API_LEAVE_GROUP = 13,
    GROUP_API_SYNC_GROUP = 14,
    GROUP_API_API_VERSIONS = 18,
    GROUP_API_KEY_LIMIT = 128, /* api keys tracked in group_api_versions */
};

/* Kafka error codes the membership client acts on. */
enum {
    GROUP_ERR_NONE = 0,
    GROUP_ERR_COORDINATOR_LOAD_IN_PROGRESS = 14,
    GROUP_ERR_COORDINATOR_NOT_AVAILABLE = 15,
    GROUP_ERR_NOT_COORDINATOR = 16,
    GROUP_ERR_ILLEGAL_GENERATION = 22,
    GROUP_ERR_INCONSISTENT_GROUP_PROTOCOL = 23,
    GROUP_ERR_INVALID_GROUP_ID = 24,
    GROUP_ERR_UNKNOWN_MEMBER_ID = 25,
    GROUP_ERR_INVALID_SESSION_TIMEOUT = 26,
    GROUP_ERR_REBALANCE_IN_PROGRESS = 27,
    GROUP_ERR_GROUP_AUTHORIZATION_FAILED = 30,
    GROUP_ERR_UNSUPPORTED_VERSION = 35,
    GROUP_ERR_MEMBER_ID_REQUIRED = 79,
    GROUP_ERR_FENCED_INSTANCE_ID = 82,
};

/* Short name of a Kafka error code ("REBALANCE_IN_PROGRESS"; "UNKNOWN" for others). Static. */
const char *group_err_name(int16_t code);

/* The versions a broker supports, from its ApiVersions response. */
typedef struct group_api_versions {
    int16_t min[GROUP_API_KEY_LIMIT];
    int16_t max[GROUP_API_KEY_LIMIT];
    bool known[GROUP_API_KEY_LIMIT];
} group_api_versions;

/* Highest version of `api_key` that both this client and the broker support, or -1 if there is
 * none (or the key is not one we speak). A NULL `broker` means "unknown": our lowest version
 * is returned, which every broker since 0.10 accepts. */
int16_t group_api_pick(const group_api_versions *broker, int16_t api_key);
/* The range this client implements for `api_key` (0/-1 when we do not speak it). */
void group_api_supported(int16_t api_key, int16_t *min, int16_t *max);

/* ---- requests: each writes one complete frame (size prefix, header v1, body) into `b`,
 * which the caller owns; all strings borrowed for the call. Return 0, or -1 when the version
 * is not supported or a value cannot be encoded. ---- */

int group_req_api_versions(wire_buf *b, int16_t ver, int32_t corr, const char *client_id);
/* key_type 0 = group (v1+ only; v0 implies a group). */
int group_req_find_coordinator(wire_buf *b, int16_t ver, int32_t corr, const char *client_id,
                               const char *key, int8_t key_type);

typedef struct group_protocol {
    const char *name;
    const uint8_t *metadata;
    size_t metadata_len;
} group_protocol;

typedef struct group_join_request {
    const char *group_id;
    int32_t session_timeout_ms;
    int32_t rebalance_timeout_ms; /* v1+ */
    const char *member_id;        /* "" for a new member */
    const char *group_instance_id; /* v5+, NULL = dynamic membership */
    const char *protocol_type;
    const group_protocol *protocols;
    size_t n_protocols;
} group_join_request;

int group_req_join_group(wire_buf *b, int16_t ver, int32_t corr, const char *client_id,
                         const group_join_request *req);

typedef struct group_sync_assignment {
    const char *member_id;
    const uint8_t *data;
    size_t len;
} group_sync_assignment;

int group_req_sync_group(wire_buf *b, int16_t ver, int32_t corr, const char *client_id,
                         const char *group_id, int32_t generation, const char *member_id,
                         const group_sync_assignment *assignments, size_t n);
int group_req_heartbeat(wire_buf *b, int16_t ver, int32_t corr, const char *client_id,
                        const char *group_id, int32_t generation, const char *member_id);
int group_req_leave_group(wire_buf *b, int16_t ver, int32_t corr, const char *client_id,
                          const char *group_id, const char *member_id);

/* ---- responses: each decoder parses a response body (after the response header) of version
 * `ver` into *out, which the caller clears with the matching _clear (also after failure).
 * Strings and byte arrays in *out are owned copies. Returns 0, or -1 on truncated or
 * malformed input; never reads outside [p, p+len). ---- */

typedef struct group_api_versions_resp {
    int16_t error;
    int32_t throttle_ms;
    group_api_versions versions;
} group_api_versions_resp;
/* Also accepts the v0-format body a broker sends back with UNSUPPORTED_VERSION. */
int group_resp_api_versions(const uint8_t *p, size_t len, int16_t ver,
                            group_api_versions_resp *out);

typedef struct group_find_coordinator_resp {
    int32_t throttle_ms;
    int16_t error;
    char *error_message; /* v1+, may be NULL */
    int32_t node_id;
    char *host;
    int32_t port;
} group_find_coordinator_resp;
int group_resp_find_coordinator(const uint8_t *p, size_t len, int16_t ver,
                                group_find_coordinator_resp *out);
void group_find_coordinator_resp_clear(group_find_coordinator_resp *r);

typedef struct group_join_member {
    char *member_id;
    char *group_instance_id; /* v5+, may be NULL */
    uint8_t *metadata;       /* may be NULL when empty */
    size_t metadata_len;
} group_join_member;

typedef struct group_join_group_resp {
    int32_t throttle_ms;
    int16_t error;
    int32_t generation;
    char *protocol_name;
    char *leader;
    char *member_id;
    group_join_member *members; /* only the leader gets a non-empty list */
    size_t n_members;
} group_join_group_resp;
int group_resp_join_group(const uint8_t *p, size_t len, int16_t ver, group_join_group_resp *out);
void group_join_group_resp_clear(group_join_group_resp *r);

typedef struct group_sync_group_resp {
    int32_t throttle_ms;
    int16_t error;
    uint8_t *assignment; /* may be NULL when empty */
    size_t assignment_len;
} group_sync_group_resp;
int group_resp_sync_group(const uint8_t *p, size_t len, int16_t ver, group_sync_group_resp *out);
void group_sync_group_resp_clear(group_sync_group_resp *r);

/* Heartbeat and LeaveGroup responses carry only an error (LeaveGroup v3's per-member errors
 * are folded into `error` when the top-level one is NONE). Nothing to clear. */
typedef struct group_simple_resp {
    int32_t throttle_ms;
    int16_t error;
} group_simple_resp;
int group_resp_heartbeat(const uint8_t *p, size_t len, int16_t ver, group_simple_resp *out);
int group_resp_leave_group(const uint8_t *p, size_t len, int16_t ver, group_simple_resp *out);

#endif
