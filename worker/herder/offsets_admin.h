/* herder/offsets_admin.h: the connector offsets API (KIP-875) shared by both herders: GET, PATCH
 * and DELETE /connectors/{c}/offsets for source (offset store) and sink (consumer group)
 * connectors. */
#ifndef SLUICE_HERDER_OFFSETS_ADMIN_H
#define SLUICE_HERDER_OFFSETS_ADMIN_H

#include <jansson.h>
#include <stdbool.h>

#include <sluice/sdk.h>

#include "herder/herder.h"
#include "store/offset_store.h"

/* Connect's success messages (Worker.completeModifyOffsetsCallback with a connector whose
 * alterOffsets() returns false, which is every Sluice connector: the SDK has no such hook). */
#define OFFSETS_ADMIN_MSG_ALTERED                                                                  \
    "The Connect framework-managed offsets for this connector have been altered successfully. "    \
    "However, if this connector manages offsets externally, they will need to be manually "        \
    "altered in the system that the connector uses."
#define OFFSETS_ADMIN_MSG_RESET                                                                    \
    "The Connect framework-managed offsets for this connector have been reset successfully. "      \
    "However, if this connector manages offsets externally, they will need to be manually reset "  \
    "in the system that the connector uses."

/* GET /connectors/{c}/offsets for connector `name` whose raw config is `config`; the caller
 * has checked that the connector exists (404 otherwise). Fills `r` with 200
 * {"offsets":[{"partition":{...},"offset":{...}}, ...]}:
 * - source connectors (by connector.class, see entities_connector_type): every entry of `store`
 *   whose key is ["<name>",{partition}] and whose value is not a tombstone, sorted by key;
 * - sink connectors: the committed offsets of the consumer group (group_offsets_group_id) as
 *   {"kafka_topic":t,"kafka_partition":p} -> {"kafka_offset":o}, sorted by topic and partition.
 * 500 with Connect's message when the class is unknown or Kafka cannot be read.
 * `worker` (client settings), `store`, `name`, `config` are borrowed for the call. Blocks on
 * Kafka for sinks (bounded by 30 s): call it from a REST thread, not the herder's. Any thread. */
void offsets_admin_get(const sl_props *worker, offset_store *store, const char *name,
                       const sl_props *config, herder_reply *r);

/* The checks Connect's ConnectorsResource makes on a PATCH body before the herder sees it:
 * `body` (borrowed; NULL for DELETE, which passes) must be {"offsets":[...]} with a non-empty
 * array, else 400 "Partitions / offsets need to be provided for an alter offsets request".
 * Shapes Jackson cannot map (a non-array "offsets", a non-object element, an unknown field,
 * a partition or offset that is neither an object nor null) are 400 too, worded as Jackson's
 * errors (Connect answers them with 500). True when the body may proceed; else fills `r`.
 * Any thread. */
bool offsets_admin_check_body(const json_t *body, herder_reply *r);

/* The STOPPED precondition of PATCH/DELETE (reference §1.5 step 5): true when `ts` is
 * TARGET_STOPPED and `task_count` is 0; else fills `r` with 400 "Connectors must be in the
 * STOPPED state before their offsets can be modified. This can be done for the specified
 * connector by issuing a 'PUT' request to the '/connectors/<name>/stop' endpoint". Any thread. */
bool offsets_admin_check_stopped(const char *name, target_state ts, int task_count,
                                 herder_reply *r);

/* PATCH (`body` = the parsed request object) or DELETE (`body` NULL) /connectors/{c}/offsets.
 * The caller has checked existence and offsets_admin_check_stopped; this runs
 * offsets_admin_check_body again, validates the partitions and offsets for the connector's
 * type (400s with Connect's SinkUtils messages for sinks; 500 "Offsets may only contain
 * primitive types ..." for source maps that are not flat, as Connect's OffsetUtils), then
 * writes:
 * - source: one batch to `store`: the given partition -> offset pairs, a null offset being a
 *   tombstone; on reset a tombstone for every stored partition of the connector;
 * - sink: AlterConsumerGroupOffsets for offsets, removal for null offsets, DeleteConsumerGroups
 *   on reset (group_offsets.h; a group with active members gives 500 with Connect's
 *   "zombie sink tasks" message).
 * Fills `r` with 200 {"message": OFFSETS_ADMIN_MSG_ALTERED or _RESET}, or the error. All
 * arguments borrowed for the call. Blocks on Kafka (bounded by 30 s per request): call it
 * from a REST thread. Any thread. */
void offsets_admin_alter(const sl_props *worker, offset_store *store, const char *name,
                         const sl_props *config, json_t *body, herder_reply *r);

#endif
