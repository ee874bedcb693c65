/* group/member_internal.h: the membership client's private state, shared by member.c (the
 * state machine) and member_io.c (connections, framing, one request in flight). */
#ifndef SLUICE_GROUP_MEMBER_INTERNAL_H
#define SLUICE_GROUP_MEMBER_INTERNAL_H

#include "group/member.h"

typedef enum member_phase {
    PH_DISCOVER,   /* no coordinator: connect to a bootstrap broker when next_action is due */
    PH_BOOT_APIV,  /* ApiVersions in flight on the bootstrap connection */
    PH_FIND,       /* FindCoordinator in flight */
    PH_COORD_APIV, /* ApiVersions in flight on the coordinator connection */
    PH_NEED_JOIN,  /* coordinator known; JoinGroup due at next_action */
    PH_JOINING,
    PH_SYNCING,
    PH_STABLE,
    PH_LEFT,
    PH_CLOSED,
} member_phase;

struct group_member {
    group_member_config cfg; /* strings below are owned copies */
    group_member_callbacks cb;
    group_transport *tp;
    bool connected;

    group_protocol *protos; /* owned names and metadata */
    size_t n_protos;

    member_phase phase;
    bool was_stable;     /* rediscovering the coordinator while holding a generation */
    bool rejoin_pending; /* request_rejoin during a round: one more round follows */
    int64_t next_action; /* monotonic ms when the next step is due */
    int backoff_ms;

    char *coord_host;
    int coord_port;
    size_t boot_idx;
    group_api_versions versions; /* of the broker we are connected to */
    bool versions_known;

    char *member_id; /* "" when none */
    int32_t generation;
    char *leader_id;
    char *protocol;

    int64_t next_heartbeat;
    int64_t last_coord_ok; /* last answer from the coordinator, -1 never */

    /* the one request in flight */
    int16_t inflight_api; /* -1 none */
    int16_t inflight_ver;
    int32_t inflight_corr;
    int64_t inflight_deadline;
    int32_t next_corr;
    uint8_t *tx;
    size_t tx_len, tx_off;
    uint8_t *rx;
    size_t rx_len, rx_cap, rx_need; /* rx_need: frame size once the 4-byte prefix is in */

    bool delivered; /* set when on_assigned ran during this poll */
    char err[256];  /* last surfaced error */
    bool has_err;
};

int64_t member_now_ms(void);
/* Connect to host:port with the configured transport; 0 or -1 (reason logged). */
int member_connect(group_member *m, const char *host, int port);
void member_disconnect(group_member *m);
/* Pick the next bootstrap broker (round robin). Fills host (malloc'd) and port. */
int member_next_bootstrap(group_member *m, char **host, int *port);
/* Queue a framed request (takes ownership of `b`'s bytes) as the one in flight. */
int member_send(group_member *m, wire_buf *b, int16_t api, int16_t ver, int32_t corr,
                int timeout_ms);
/* Move bytes for up to wait_ms. Returns 1 with a complete response body (after the header)
 * in *body and *len (valid until the next call), 0 if nothing complete yet, -1 on connection
 * loss, a timed-out request or a corrupt frame. */
int member_pump(group_member *m, int wait_ms, const uint8_t **body, size_t *len);

#endif
