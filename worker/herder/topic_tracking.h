/* herder/topic_tracking.h: the topics each connector has used (KIP-558): an in-memory set per
 * connector, Connect's status-topic "status-topic-<t>:connector-<c>" cache, and the REST rules. */
#ifndef SLUICE_HERDER_TOPIC_TRACKING_H
#define SLUICE_HERDER_TOPIC_TRACKING_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include <sluice/sdk.h>

#include "herder/herder.h"

typedef struct topic_tracking topic_tracking;

/* An empty tracker. Caller owns it (topic_tracking_destroy). NULL when out of memory.
 * Thread rules for every function below: all are thread-safe (one internal mutex), so runtime
 * threads may add while REST threads read. */
topic_tracking *topic_tracking_new(void);
/* Free the tracker and everything in it. NULL is accepted. */
void topic_tracking_destroy(topic_tracking *tt);

/* Remember that task `task` of `conn` used `topic` at `discover_ms` (epoch milliseconds, as
 * Connect's TopicStatus discoverTimestamp; <= 0 means now). Strings are copied. Returns true when
 * the topic was new for the connector (the caller may then persist a status-topic record), false
 * when it was already known (the first discovery is kept) or out of memory. */
bool topic_tracking_add(topic_tracking *tt, const char *conn, const char *topic, int task,
                        int64_t discover_ms);
/* Forget one topic of `conn` (a status-topic tombstone read back). True if it was known. */
bool topic_tracking_remove(topic_tracking *tt, const char *conn, const char *topic);
/* Forget every topic of `conn` (PUT /connectors/{c}/topics/reset, connector deletion). When
 * `removed` is not NULL, *removed receives a malloc'd array of the removed topic names (each
 * malloc'd; caller frees them and the array) so that a distributed herder can write one
 * tombstone per topic; *removed is NULL when none. Returns how many were removed. */
size_t topic_tracking_reset(topic_tracking *tt, const char *conn, char ***removed);

/* Connect's ActiveTopicsInfo response {"<conn>":{"topics":[...]}} with the topic names sorted
 * (an unknown connector has an empty list, as in Connect). Caller owns the result. */
json_t *topic_tracking_json(topic_tracking *tt, const char *conn);

/* The REST preconditions of GET /connectors/{c}/topics (`reset` false) and PUT .../topics/reset
 * (`reset` true), read from the worker properties (borrowed): topic.tracking.enable=false gives
 * 403 "Topic tracking is disabled."; for a reset, topic.tracking.allow.reset=false gives 403
 * "Topic tracking reset is disabled.". Both default to true; values are read as Java's boolean
 * config does (trimmed, case-insensitive "true"/"false"; anything else counts as the default).
 * Returns true when the request may proceed; else fills `r` and returns false. Any thread. */
bool topic_tracking_check(const sl_props *worker, bool reset, herder_reply *r);
/* Whether topic.tracking.enable is on (true by default). Any thread. */
bool topic_tracking_enabled(const sl_props *worker);

#endif
