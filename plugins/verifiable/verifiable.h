/* plugins/verifiable/verifiable.h: what the verifiable plugin's sources share: the two
 * connector definitions, the config keys Kafka's tools use, and small helpers (hidden). */
#ifndef SLUICE_PLUGINS_VERIFIABLE_VERIFIABLE_H
#define SLUICE_PLUGINS_VERIFIABLE_VERIFIABLE_H

#include <sluice/sdk.h>
#include <stddef.h>
#include <stdint.h>

#define VERIFIABLE_PLUGIN_VERSION "1.0.0"

/* Task config keys, as Kafka's VerifiableSourceTask/VerifiableSinkTask read them. */
#define VERIFIABLE_ID_CONFIG "id"
#define VERIFIABLE_NAME_CONFIG "name"

/* org.apache.kafka.connect.tools.VerifiableSourceConnector (source.c). */
extern const sl_connector_def verifiable_source_def;
/* org.apache.kafka.connect.tools.VerifiableSinkConnector (sink.c). */
extern const sl_connector_def verifiable_sink_def;

/* Wall-clock milliseconds since the epoch (what Kafka's time_ms fields hold). */
int64_t verifiable_now_ms(void);

/* Connect's taskConfigs for both connectors: `max_tasks` copies of `props` (borrowed), each
 * with "id" set to its index, as Kafka's Verifiable*Connector.taskConfigs. Fills out[0..n-1]
 * (the host takes them) and returns n, or SL_ERR with errstr on out of memory. */
int verifiable_task_configs(const sl_props *props, int max_tasks, sl_props **out, char *errstr,
                            size_t errstr_size);

/* Sleep up to `ms`, in slices short enough that a stop request is seen within ~50 ms.
 * Returns false if the task is stopping. Task thread only. */
bool verifiable_sleep(sl_task_ctx *ctx, int64_t ms);

#endif
