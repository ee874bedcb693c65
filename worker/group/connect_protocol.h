/* group/connect_protocol.h: Kafka Connect's group member metadata and assignment formats
 * (ConnectProtocol v0, IncrementalCooperativeConnectProtocol v1/v2), connect-compat.md §3.2. */
#ifndef SLUICE_GROUP_CONNECT_PROTOCOL_H
#define SLUICE_GROUP_CONNECT_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Protocol names offered in JoinGroup, and the header version each one writes. */
#define GROUP_CONNECT_PROTOCOL_TYPE "connect"
#define GROUP_CONNECT_DEFAULT "default"       /* eager, v0 */
#define GROUP_CONNECT_COMPATIBLE "compatible" /* cooperative, v1 */
#define GROUP_CONNECT_SESSIONED "sessioned"   /* cooperative + signed requests, v2 */

/* Assignment error codes (ConnectProtocol.Assignment). */
#define GROUP_CONNECT_NO_ERROR 0
#define GROUP_CONNECT_CONFIG_MISMATCH 1

/* Task id standing for the Connector instance itself. */
#define GROUP_CONNECT_CONNECTOR_TASK (-1)

/* One connector and the task ids assigned with it (-1 = the connector instance). */
typedef struct group_connector_tasks {
    char *connector; /* owned */
    int32_t *tasks;  /* owned, n_tasks entries, in wire order */
    size_t n_tasks;
} group_connector_tasks;

/* A list of connector entries, NULL-able on the wire (v1+ `assignment`/`revoked`). */
typedef struct group_connect_list {
    group_connector_tasks *items; /* owned */
    size_t n;
    bool is_null; /* written as a null array (v1+ only; v0 writes an empty array) */
} group_connect_list;

/* Assignment v0/v1/v2. Strings owned; NULL strings are written as empty strings. */
typedef struct group_connect_assignment {
    int16_t version; /* 0, 1 or 2 (decoders keep the version read, which may be higher) */
    int16_t error;   /* GROUP_CONNECT_NO_ERROR / GROUP_CONNECT_CONFIG_MISMATCH */
    char *leader;    /* the leader's member id */
    char *leader_url;
    int64_t config_offset;
    group_connect_list assignment;
    group_connect_list revoked; /* v1+; not written for v0 */
    int32_t delay;              /* v1+, ms; not written for v0 */
} group_connect_assignment;

/* Member metadata v0/v1/v2. */
typedef struct group_connect_metadata {
    int16_t version; /* 0, 1 or 2 */
    char *url;       /* owned; the worker's advertised REST URL */
    int64_t config_offset;
    /* v1+: the member's full current assignment, or NULL (null on the wire). Owned. */
    group_connect_assignment *allocation;
} group_connect_metadata;

/* Append task `task` of `connector` to `list`, creating the connector's entry at the end if it
 * is not there yet (so the leader can write connectors then tasks as Connect does). Clears
 * is_null. Returns 0, or -1 on allocation failure (the list is unchanged). */
int group_connect_list_add(group_connect_list *list, const char *connector, int32_t task);
/* Free a list's entries and reset it to empty (not null). */
void group_connect_list_clear(group_connect_list *list);
/* Total task ids in the list. */
size_t group_connect_list_count(const group_connect_list *list);

/* Free the contents of `a` (not `a` itself) and zero it. NULL is a no-op. */
void group_connect_assignment_clear(group_connect_assignment *a);
/* Free the contents of `m` (not `m` itself) and zero it. NULL is a no-op. */
void group_connect_metadata_clear(group_connect_metadata *m);

/* Serialize `a` using a->version's layout (0: no revoked/delay; 1 and 2: full layout).
 * On success *out is a malloc'd buffer (caller frees) of *out_len bytes and 0 is returned;
 * -1 on an unsupported version, a string longer than 32767 bytes or allocation failure. */
int group_connect_assignment_encode(const group_connect_assignment *a, uint8_t **out,
                                    size_t *out_len);
/* Parse an assignment of any version >= 0 with the tolerant v1 reader: missing trailing
 * `revoked`/`delay` (and, for v1+, `assignment`) default to null and 0; bytes after the known
 * fields are ignored (newer versions may add fields). Fills *a (caller clears it with
 * group_connect_assignment_clear, also after failure). Returns 0, or -1 with a reason in errstr
 * on truncated or malformed input. `p` is borrowed for the call. */
int group_connect_assignment_decode(const uint8_t *p, size_t len, group_connect_assignment *a,
                                    char *errstr, size_t errstr_size);

/* Serialize metadata with m->version's layout (0: url + offset; 1/2: + allocation written
 * with the allocation's own version). Same return convention as the assignment encoder. */
int group_connect_metadata_encode(const group_connect_metadata *m, uint8_t **out,
                                  size_t *out_len);
/* Parse metadata of any version >= 0 (v0 has no allocation: NULL). Same rules as the
 * assignment decoder; the caller clears *m with group_connect_metadata_clear. */
int group_connect_metadata_decode(const uint8_t *p, size_t len, group_connect_metadata *m,
                                  char *errstr, size_t errstr_size);

#endif
