/* store/topic_admin.h: creation and checking of the worker's internal topics (Connect's
 * TopicAdmin for the config, offsets and status topics): compacted, sized from the config. */
#ifndef SLUICE_STORE_TOPIC_ADMIN_H
#define SLUICE_STORE_TOPIC_ADMIN_H

#include <sluice/sdk.h>

typedef enum topic_admin_kind {
    TOPIC_ADMIN_CONFIG = 0, /* config.storage.*: always 1 partition */
    TOPIC_ADMIN_OFFSETS,    /* offset.storage.*: 25 partitions by default */
    TOPIC_ADMIN_STATUS,     /* status.storage.*: 5 partitions by default */
} topic_admin_kind;

/* The worker property naming the topic ("config.storage.topic", ...). Static string. */
const char *topic_admin_topic_property(topic_admin_kind kind);

/* Make sure the internal topic named by the worker's `<prefix>.topic` exists and is usable:
 *  - missing: created with cleanup.policy=compact, `<prefix>.partitions` (config topic: 1;
 *    `config.storage.partitions` is ignored with a warning), `<prefix>.replication.factor`
 *    (default 3; -1 = broker default) and every other `<prefix>.<topic config>` key, except
 *    cleanup.policy, which is ignored with a warning;
 *  - the broker does not support CreateTopics (librdkafka's mock cluster): logged clearly, and
 *    start-up goes on if the topic exists (listing all topics, which never auto-creates);
 *  - existing: its cleanup.policy is checked with DescribeConfigs where the broker supports it
 *    and anything but exactly "compact" is refused with Connect's message; the config topic
 *    must have exactly one partition.
 * On success writes the topic's partition count to *partitions (may be NULL). SL_ERR + errstr
 * (Connect's wording where it has one) otherwise. `worker` borrowed. Any thread; blocking, up
 * to about `timeout_ms`. */
int topic_admin_ensure(const sl_props *worker, topic_admin_kind kind, int timeout_ms,
                       int *partitions, char *errstr, size_t errstr_size);

/* Connect's refusal for an existing topic whose cleanup.policy is not compact, for `kind`
 * and the policy found. Writes into errstr. Pure function (exposed for tests). */
void topic_admin_policy_error(topic_admin_kind kind, const char *topic, const char *policy,
                              char *errstr, size_t errstr_size);

#endif
