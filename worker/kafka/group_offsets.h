/* kafka/group_offsets.h: a sink connector's consumer-group offsets through librdkafka's admin
 * API (KIP-875): list, alter and reset them, degrading clearly on brokers without the APIs. */
#ifndef SLUICE_KAFKA_GROUP_OFFSETS_H
#define SLUICE_KAFKA_GROUP_OFFSETS_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>

#include <sluice/sdk.h>

/* Results of the operations below. */
typedef enum group_offsets_rc {
    GROUP_OFFSETS_OK = 0,
    GROUP_OFFSETS_ERR = -1,    /* errstr says what failed */
    GROUP_OFFSETS_ACTIVE = -2, /* the group still has members (UNKNOWN_MEMBER_ID,
                                * NON_EMPTY_GROUP, GROUP_SUBSCRIBED_TO_TOPIC, ...): Connect's
                                * "zombie sink tasks" case; errstr has the broker's error */
} group_offsets_rc;

/* The consumer group of sink connector `conn`: its consumer.override.group.id when set and
 * non-empty, else "connect-<conn>" (as the sink task's consumer uses). Written into `buf`
 * (truncated to `size`), which is returned. Pure function, any thread. */
const char *group_offsets_group_id(const char *conn, const sl_props *config, char *buf,
                                   size_t size);

typedef struct group_offsets group_offsets;

/* An admin client for sink connector `conn` whose raw config is `config`: the worker's admin.*
 * and the connector's admin.override.* client settings (Connect's adminConfigs), and the group
 * from group_offsets_group_id. `worker` and `config` are borrowed for the call. Every request
 * waits at most `timeout_ms` (<= 0: 30000). Returns NULL with errstr on a bad client config.
 * Caller owns the result (group_offsets_close). A handle is used by one thread at a time. */
group_offsets *group_offsets_open(const sl_props *worker, const char *conn, const sl_props *config,
                                  int timeout_ms, char *errstr, size_t errstr_size);
/* Destroy the admin client. NULL is accepted. */
void group_offsets_close(group_offsets *g);
/* The group id the handle works on (borrowed from it). */
const char *group_offsets_group(const group_offsets *g);

/* The group's committed offsets (ListConsumerGroupOffsets = OffsetFetch), only partitions with
 * an offset (>= 0), sorted by topic then partition. A group without offsets (or unknown to the
 * broker) gives an empty list. Brokers that cannot list every partition of a group at once
 * (OffsetFetch with null topics; librdkafka's mock cluster) are asked about the partitions of
 * the topics the connector subscribes to (its "topics" or "topics.regex", matched against the
 * cluster's topics). On GROUP_OFFSETS_OK *out is a new list the caller destroys
 * (rd_kafka_topic_partition_list_destroy). */
int group_offsets_list(group_offsets *g, rd_kafka_topic_partition_list_t **out, char *errstr,
                       size_t errstr_size);

/* Alter the group's offsets as Connect's alterSinkConnectorOffsets: entries of `offsets`
 * (borrowed) with an offset >= 0 are committed (AlterConsumerGroupOffsets = OffsetCommit);
 * entries with RD_KAFKA_OFFSET_INVALID have their committed offset removed
 * (DeleteConsumerGroupOffsets = OffsetDelete). Other negative offsets are refused
 * (GROUP_OFFSETS_ERR). On a broker without OffsetDelete (probed with ApiVersions first:
 * librdkafka 2.0.2 aborts the process when it sends an admin request the broker lacks), the
 * removal is approximated by committing the partition's earliest offset (its low watermark),
 * which is where a consumer with auto.offset.reset=earliest (the sink default) would start
 * anyway; a WARN says so. */
int group_offsets_alter(group_offsets *g, const rd_kafka_topic_partition_list_t *offsets,
                        char *errstr, size_t errstr_size);

/* Reset the group as Connect's resetSinkConnectorOffsets: delete it (DeleteGroups); a group
 * that does not exist counts as success. On a broker without DeleteGroups (probed as above),
 * every committed partition is set to its earliest offset instead, with a WARN. */
int group_offsets_reset(group_offsets *g, char *errstr, size_t errstr_size);

#endif
