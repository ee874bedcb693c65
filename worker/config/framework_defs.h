/* config/framework_defs.h: Kafka Connect's own configuration definitions: the worker
 * (WorkerConfig, DistributedConfig, StandaloneConfig) and every connector (ConnectorConfig,
 * SinkConnectorConfig, SourceConnectorConfig), with Connect's names, types, defaults and docs. */
#ifndef SLUICE_CONFIG_FRAMEWORK_DEFS_H
#define SLUICE_CONFIG_FRAMEWORK_DEFS_H

#include <sluice/sdk.h>

/* Tables are static, immutable, terminated by SL_CONFIG_END and valid for the whole process;
 * read them from any thread. Parse a worker config with the tables of framework_worker_tables
 * ({framework_worker_base_defs, framework_distributed_defs or framework_standalone_defs}),
 * and a connector config with its own table first, then framework_connector_defs and the sink
 * or source table (see framework_connector_tables). */

/* WorkerConfig.baseConfigDef() plus RestServerConfig's public keys: bootstrap.servers,
 * key/value/header.converter, offset.flush.*, task.shutdown.graceful.timeout.ms, plugin.path,
 * listeners, rest.advertised.*, access.control.*, config.providers, topic.* ... */
extern const sl_config_def framework_worker_base_defs[];
/* DistributedConfig: group.id, config/offset/status storage topics, partitions and
 * replication factors, session/heartbeat/rebalance timeouts, connect.protocol,
 * scheduled.rebalance.max.delay.ms, exactly.once.source.support, inter.worker.* ... */
extern const sl_config_def framework_distributed_defs[];
/* StandaloneConfig: offset.storage.file.filename. */
extern const sl_config_def framework_standalone_defs[];

/* ConnectorConfig.configDef(): groups "Common" (name, connector.class, tasks.max,
 * tasks.max.enforce, key/value/header.converter, config.action.reload), "Transforms"
 * (transforms), "Predicates" (predicates), "Error Handling" (errors.*). */
extern const sl_config_def framework_connector_defs[];
/* SinkConnectorConfig additions: topics, topics.regex, errors.deadletterqueue.*. */
extern const sl_config_def framework_sink_defs[];
/* SourceConnectorConfig additions: topic.creation.groups, exactly.once.support,
 * transaction.boundary, transaction.boundary.interval.ms, offsets.storage.topic. */
extern const sl_config_def framework_source_defs[];
/* The keys every transformation gets implicitly under transforms.<alias>.: predicate, negate
 * (they mask an SMT's own keys of the same names). */
extern const sl_config_def framework_transform_stage_defs[];

/* The mode-independent worker keys as a table list of one: {framework_worker_base_defs, NULL}
 * (static). Prefer framework_worker_tables, which adds the mode's required keys. */
const sl_config_def *const *framework_worker_defs(void);

/* The worker tables for a mode, in Connect's order: {framework_worker_base_defs,
 * framework_distributed_defs or framework_standalone_defs}. *tables is static; returns the
 * count (2). */
size_t framework_worker_tables(bool distributed, const sl_config_def *const **tables);

/* The framework tables for a connector kind, in Connect's order: {framework_connector_defs,
 * framework_sink_defs or framework_source_defs}. *tables is static; returns the count (2). */
size_t framework_connector_tables(sl_connector_kind kind, const sl_config_def *const **tables);

/* True when `key` belongs to a family Connect passes through rather than defines (so a worker
 * must not warn about it as unknown): producer.*, consumer.*, admin.*, the converter
 * prefixes, config.providers.*, listeners.https.*, admin.listeners.https.*, ssl.*, sasl.*,
 * and for connectors transforms.*, predicates.*, topic.creation.*, *.override.*. */
bool framework_is_prefixed_key(const char *key);

#endif
