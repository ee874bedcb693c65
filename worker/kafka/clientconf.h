/* kafka/clientconf.h: librdkafka configurations for the worker's clients, layered from the worker
 * and connector properties as Kafka Connect layers its Java client configs. */
#ifndef SLUICE_KAFKA_CLIENTCONF_H
#define SLUICE_KAFKA_CLIENTCONF_H

#include <librdkafka/rdkafka.h>
#include <sluice/sdk.h>

/* Which client a configuration is for. Connector clients take the worker's `producer.*`,
 * `consumer.*` or `admin.*` keys and the connector's `producer.override.*`,
 * `consumer.override.*` or `admin.override.*` keys; internal clients (the config, offset and
 * status stores, the shared admin) take only the top-level keys, as Connect's do. Admin
 * clients are expected to be created as RD_KAFKA_PRODUCER handles. */
typedef enum clientconf_kind {
    CLIENTCONF_PRODUCER = 0, /* a source task's producer, a sink task's dead-letter producer */
    CLIENTCONF_CONSUMER,     /* a sink task's consumer */
    CLIENTCONF_ADMIN,        /* a connector's admin client (topic creation, dead-letter topic) */
    CLIENTCONF_INTERNAL_PRODUCER,
    CLIENTCONF_INTERNAL_CONSUMER,
    CLIENTCONF_INTERNAL_ADMIN,
} clientconf_kind;

/* "producer", "consumer", "admin", "internal producer", ... (static string). */
const char *clientconf_kind_name(clientconf_kind kind);

/* Build a librdkafka configuration. Layers, each overriding the one before:
 *   1. Connect's base settings for the kind (below);
 *   2. the worker's top-level client keys: bootstrap.servers, client.id, security.protocol,
 *      ssl.* (but not ssl.client.auth, a REST setting), sasl.*, client.dns.lookup,
 *      metadata.max.age.ms, request.timeout.ms, retry.backoff.ms, reconnect.backoff.ms,
 *      reconnect.backoff.max.ms, send.buffer.bytes, receive.buffer.bytes,
 *      connections.max.idle.ms, socket.connection.setup.timeout.ms(.max.ms);
 *   3. connector clients only: the worker's `producer.` / `consumer.` / `admin.` keys;
 *   4. connector clients only, when `connector` is not NULL: its `producer.override.` /
 *      `consumer.override.` / `admin.override.` keys, which the worker's
 *      connector.client.config.override.policy (All, None, Principal; default All) must allow,
 *      else the build fails with Connect's message.
 * Base settings: producers acks=all, enable.idempotence=true (ordered, no duplicates, several
 * requests in flight), and for connector producers delivery.timeout.ms=2147483647 (Connect
 * retries sends forever); consumers enable.auto.commit=false, auto.offset.reset=earliest. The
 * caller sets group.id and the per-client client.id itself.
 *
 * Java client names are translated where librdkafka has an equivalent (send.buffer.bytes,
 * receive.buffer.bytes, buffer.memory, max.request.size, fetch.max.wait.ms, auto.offset.reset
 * none, partition.assignment.strategy class names, sasl.jaas.config for PLAIN, SCRAM and
 * Kerberos, PEM/PKCS12 ssl.keystore.* and PEM ssl.truststore.*, an empty
 * ssl.endpoint.identification.algorithm). An empty or null value means "not set" and removes
 * what a lower layer set. Serializer/deserializer keys are ignored silently; keys librdkafka
 * does not know, and keys librdkafka applies only to the other client type, are skipped with
 * one WARN per key per process (a top-level key that does not apply to this client type is
 * skipped without a warning). An invalid value fails the build with errstr naming the key as
 * the user wrote it (values of sasl.jaas.config are never echoed).
 *
 * The configuration has clientconf_log_cb installed. Returns a new configuration the caller
 * owns (rd_kafka_new() takes it on success, else rd_kafka_conf_destroy() it), or NULL with the
 * reason in errstr. `worker` and `connector` are borrowed for the call; `worker` may be NULL
 * (no worker keys). Callable from any thread. */
rd_kafka_conf_t *clientconf_build(clientconf_kind kind, const sl_props *worker,
                                  const sl_props *connector, char *errstr, size_t errstr_size);

/* Whether Connect's connector.client.config.override.policy `policy` (alias "All", "None",
 * "Principal", or the policy's simple or full class name; NULL means the default, All) lets a
 * connector override client key `key` (unprefixed, e.g. "linger.ms"). Unknown policies allow
 * nothing. Pure function, any thread. */
bool clientconf_override_allowed(const char *policy, const char *key);

/* True if `policy` names a known override policy (as above; NULL is the default, known). */
bool clientconf_policy_known(const char *policy);

/* librdkafka log callback that writes through the worker's logger under "rdkafka" (syslog
 * levels 0-3 ERROR, 4 WARN, 5-6 INFO, 7 DEBUG), prefixed with the client's name. Install it on
 * configurations not built here with rd_kafka_conf_set_log_cb(). Called on librdkafka's
 * threads. */
void clientconf_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf);

#endif
