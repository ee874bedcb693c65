/* config/framework_defs.c: the definition tables of Connect's worker and connector configs
 * (names, types, defaults, importance, groups, orders, docs as Connect publishes them). */
#include "config/framework_defs.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/configdef.h"

/* ==== validators matching Connect's ==== */

/* ConfigDef.NonEmptyStringWithoutControlChars (connector names). */
static int valid_name(const sl_config_def *def, const char *value, char *errstr, size_t size)
{
    (void)def;
    if (value == NULL) /* a missing name is reported as missing */
        return SL_OK;
    if (*value == '\0') {
        snprintf(errstr, size, "String may not be empty");
        return SL_ERR;
    }
    /* Character.isISOControl: U+0000..U+001F and U+007F..U+009F */
    char list[512] = "";
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)value;
    while (*p) {
        unsigned cp = *p++;
        if (cp == 0xC2 && *p >= 0x80 && *p <= 0x9F) /* U+0080..U+009F in UTF-8 */
            cp = *p++;
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
            o += (size_t)snprintf(list + o, o < sizeof(list) ? sizeof(list) - o : 0, "%s%u",
                                  o ? ", " : "", cp);
    }
    if (o > 0) {
        snprintf(errstr, size,
                 "String may not contain control sequences but had the following ASCII chars: %s",
                 list);
        return SL_ERR;
    }
    return SL_OK;
}

/* ConnectorConfig.aliasValidator and the topic creation groups: non-null, no duplicates. */
static int valid_aliases(const sl_config_def *def, const char *value, char *errstr, size_t size)
{
    (void)def;
    if (value == NULL) {
        snprintf(errstr, size, "entry must be non null");
        return SL_ERR;
    }
    char **items;
    size_t n = config_split_list(value, &items);
    int rc = SL_OK;
    for (size_t i = 0; i < n && rc == SL_OK; i++)
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(items[i], items[j]) == 0) {
                snprintf(errstr, size, "Duplicate alias provided.");
                rc = SL_ERR;
                break;
            }
    config_list_free(items);
    return rc;
}

/* RegexValidator on topics.regex. POSIX extended syntax is close to Java's for the patterns
 * topic names use; a pattern that does not compile here is reported as Connect would. */
static int valid_regex(const sl_config_def *def, const char *value, char *errstr, size_t size)
{
    (void)def;
    if (value == NULL) {
        snprintf(errstr, size, "Invalid regex: null");
        return SL_ERR;
    }
    if (*value == '\0')
        return SL_OK;
    regex_t re;
    int rc = regcomp(&re, value, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        char msg[256];
        regerror(rc, &re, msg, sizeof(msg));
        snprintf(errstr, size, "Invalid regex: %s", msg);
        return SL_ERR;
    }
    regfree(&re);
    return SL_OK;
}

/* SourceConnectorConfig: transaction.boundary.interval.ms may be null, else at least 0. */
static int valid_interval(const sl_config_def *def, const char *value, char *errstr, size_t size)
{
    (void)def;
    if (value == NULL)
        return SL_OK;
    if (strtoll(value, NULL, 10) < 0) {
        snprintf(errstr, size, "Value must be at least 0");
        return SL_ERR;
    }
    return SL_OK;
}

/* RestServerConfig.ListenersValidator (messages without the "Invalid value" prefix). */
static int valid_listeners(const sl_config_def *def, const char *value, char *errstr,
                           size_t size)
{
    bool admin = strcmp(def->name, "admin.listeners") == 0;
    if (value == NULL) {
        if (admin)
            return SL_OK;
        snprintf(errstr, size,
                 "Invalid value type for listeners (expected list of URLs , ex: "
                 "http://localhost:8080,https://localhost:8443).");
        return SL_ERR;
    }
    char **items;
    size_t n = config_split_list(value, &items);
    int rc = SL_OK;
    if (n == 0 && !admin) {
        snprintf(errstr, size,
                 "Invalid value for listeners, at least one URL is expected, ex: "
                 "http://localhost:8080,https://localhost:8443.");
        rc = SL_ERR;
    }
    for (size_t i = 0; i < n && rc == SL_OK; i++)
        if (items[i][0] == '\0') {
            snprintf(errstr, size, "Empty URL found when parsing %s list.", def->name);
            rc = SL_ERR;
        }
    config_list_free(items);
    return rc;
}

/* DistributedConfig: connect.protocol names a ConnectProtocolCompatibility (any case). */
static int valid_protocol(const sl_config_def *def, const char *value, char *errstr, size_t size)
{
    (void)def;
    if (value != NULL && (strcasecmp(value, "eager") == 0 || strcasecmp(value, "compatible") == 0 ||
                          strcasecmp(value, "sessioned") == 0))
        return SL_OK;
    snprintf(errstr, size, "Invalid Connect protocol compatibility");
    return SL_ERR;
}

/* TopicCreationConfig.PARTITIONS_VALIDATOR / REPLICATION_FACTOR_VALIDATOR. */
static int valid_partitions(const sl_config_def *def, const char *value, char *errstr,
                            size_t size)
{
    (void)def;
    long long v = value ? strtoll(value, NULL, 10) : 0;
    if (value != NULL && (v == -1 || v >= 1))
        return SL_OK;
    snprintf(errstr, size, "Number of partitions must be positive, or -1 to use the broker's "
                           "default");
    return SL_ERR;
}

static int valid_replication(const sl_config_def *def, const char *value, char *errstr,
                             size_t size)
{
    (void)def;
    long long v = value ? strtoll(value, NULL, 10) : 0;
    if (value != NULL && (v == -1 || v >= 1))
        return SL_OK;
    snprintf(errstr, size,
             "Replication factor must be positive and not larger than the number of brokers in "
             "the Kafka cluster, or -1 to use the broker's default");
    return SL_ERR;
}

#define RAW_CUSTOM(f) {.kind = SL_VALID_CUSTOM, .range_flags = CONFIG_VALID_RAW_MESSAGE, .fn = (f)}
#define INT_MAX_D 2147483647.0

/* ==== docs shared by worker and connector keys ==== */

#define KEY_CONVERTER_DOC                                                                        \
    "Converter class used to convert between Kafka Connect format and the serialized form "      \
    "that is written to Kafka. This controls the format of the keys in messages written to or "  \
    "read from Kafka, and since this is independent of connectors it allows any connector to "   \
    "work with any serialization format. Examples of common formats include JSON and Avro."
#define VALUE_CONVERTER_DOC                                                                      \
    "Converter class used to convert between Kafka Connect format and the serialized form "      \
    "that is written to Kafka. This controls the format of the values in messages written to "   \
    "or read from Kafka, and since this is independent of connectors it allows any connector "   \
    "to work with any serialization format. Examples of common formats include JSON and Avro."
#define HEADER_CONVERTER_DOC                                                                     \
    "HeaderConverter class used to convert between Kafka Connect format and the serialized "     \
    "form that is written to Kafka. This controls the format of the header values in messages "  \
    "written to or read from Kafka, and since this is independent of connectors it allows any "  \
    "connector to work with any serialization format. Examples of common formats include JSON "  \
    "and Avro. By default, the SimpleHeaderConverter is used to serialize header values to "     \
    "strings and deserialize them by inferring the schemas."

/* ==== WorkerConfig + RestServerConfig ==== */

const sl_config_def framework_worker_base_defs[] = {
    {.name = "bootstrap.servers", .type = SL_CFG_LIST, .default_value = "localhost:9092",
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "A list of host/port pairs used to establish the initial connection to the Kafka "
            "cluster. Clients use this list to bootstrap and discover the full set of Kafka "
            "brokers. While the order of servers in the list does not matter, we recommend "
            "including more than one server to ensure resilience if any servers are down. This "
            "list does not need to contain the entire set of brokers, as Kafka clients "
            "automatically manage and update connections to the cluster efficiently. This list "
            "must be in the form <code>host1:port1,host2:port2,...</code>."},
    {.name = "client.dns.lookup", .type = SL_CFG_STRING, .default_value = "use_all_dns_ips",
     .importance = SL_IMPORTANCE_MEDIUM,
     .validator = SL_VALIDATE_IN("use_all_dns_ips", "resolve_canonical_bootstrap_servers_only"),
     .doc = "Controls how the client uses DNS lookups."},
    {.name = "key.converter", .type = SL_CFG_CLASS, .required = true,
     .importance = SL_IMPORTANCE_HIGH, .doc = KEY_CONVERTER_DOC},
    {.name = "value.converter", .type = SL_CFG_CLASS, .required = true,
     .importance = SL_IMPORTANCE_HIGH, .doc = VALUE_CONVERTER_DOC},
    {.name = "task.shutdown.graceful.timeout.ms", .type = SL_CFG_LONG, .default_value = "5000",
     .importance = SL_IMPORTANCE_LOW,
     .doc = "Amount of time to wait for tasks to shutdown gracefully. This is the total amount "
            "of time, not per task. All task have shutdown triggered, then they are waited on "
            "sequentially."},
    {.name = "offset.flush.interval.ms", .type = SL_CFG_LONG, .default_value = "60000",
     .importance = SL_IMPORTANCE_LOW,
     .doc = "Interval at which to try committing offsets for tasks."},
    {.name = "offset.flush.timeout.ms", .type = SL_CFG_LONG, .default_value = "5000",
     .importance = SL_IMPORTANCE_LOW,
     .doc = "Maximum number of milliseconds to wait for records to flush and partition offset "
            "data to be committed to offset storage before cancelling the process and "
            "restoring the offset data to be committed in a future attempt. This property has "
            "no effect for source connectors running with exactly-once support."},
    {.name = "plugin.path", .type = SL_CFG_LIST, .importance = SL_IMPORTANCE_LOW,
     .doc = "List of paths separated by commas (,) that contain plugins (connectors, "
            "converters, transformations). Each directory is scanned for plugin shared "
            "objects (*.so), directly and one level down.\nExamples: "
            "plugin.path=/usr/local/lib/sluice/plugins,/opt/connectors\nDo not use config "
            "provider variables in this property, since the raw path is used by the worker's "
            "scanner before config providers are initialized and used to replace variables."},
    {.name = "plugin.discovery", .type = SL_CFG_STRING, .default_value = "hybrid_warn",
     .importance = SL_IMPORTANCE_LOW,
     .validator = SL_VALIDATE_IN_ICASE("only_scan", "hybrid_warn", "hybrid_fail", "service_load"),
     .doc = "Method to use to discover plugins present in the classpath and plugin.path "
            "configuration. Accepted for compatibility; Sluice always scans plugin.path."},
    {.name = "metrics.sample.window.ms", .type = SL_CFG_LONG, .default_value = "30000",
     .importance = SL_IMPORTANCE_LOW, .validator = SL_VALIDATE_MIN(0),
     .doc = "The window of time a metrics sample is computed over."},
    {.name = "metrics.num.samples", .type = SL_CFG_INT, .default_value = "2",
     .importance = SL_IMPORTANCE_LOW, .validator = SL_VALIDATE_MIN(1),
     .doc = "The number of samples maintained to compute metrics."},
    {.name = "metrics.recording.level", .type = SL_CFG_STRING, .default_value = "INFO",
     .importance = SL_IMPORTANCE_LOW, .validator = SL_VALIDATE_IN("INFO", "DEBUG"),
     .doc = "The highest recording level for metrics."},
    {.name = "metric.reporters", .type = SL_CFG_LIST,
     .default_value = "org.apache.kafka.common.metrics.JmxReporter",
     .importance = SL_IMPORTANCE_LOW,
     .doc = "A list of classes to use as metrics reporters. Accepted for compatibility."},
    {.name = "header.converter", .type = SL_CFG_CLASS,
     .default_value = "org.apache.kafka.connect.storage.SimpleHeaderConverter",
     .importance = SL_IMPORTANCE_LOW, .doc = HEADER_CONVERTER_DOC},
    {.name = "config.providers", .type = SL_CFG_LIST, .default_value = "",
     .importance = SL_IMPORTANCE_LOW,
     .doc = "Comma-separated names of <code>ConfigProvider</code> classes, loaded and used in "
            "the order specified. Implementing the interface  <code>ConfigProvider</code> "
            "allows you to replace variable references in connector configurations, such as "
            "for externalized secrets. "},
    {.name = "connector.client.config.override.policy", .type = SL_CFG_STRING,
     .default_value = "All", .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "Class name or alias of implementation of "
            "<code>ConnectorClientConfigOverridePolicy</code>. Defines what client "
            "configurations can be overridden by the connector. The default implementation is "
            "`All`, meaning connector configurations can override all client properties. The "
            "other possible policies in the framework include `None` to disallow connectors "
            "from overriding client properties, and `Principal` to allow connectors to override "
            "only client principals."},
    {.name = "topic.creation.enable", .type = SL_CFG_BOOLEAN, .default_value = "true",
     .importance = SL_IMPORTANCE_LOW,
     .doc = "Whether to allow automatic creation of topics used by source connectors, when "
            "source connectors are configured with `topic.creation.` properties. Each task "
            "will use an admin client to create its topics and will not depend on the Kafka "
            "brokers to create topics automatically."},
    {.name = "topic.tracking.enable", .type = SL_CFG_BOOLEAN, .default_value = "true",
     .importance = SL_IMPORTANCE_LOW,
     .doc = "Enable tracking the set of active topics per connector during runtime."},
    {.name = "topic.tracking.allow.reset", .type = SL_CFG_BOOLEAN, .default_value = "true",
     .importance = SL_IMPORTANCE_LOW,
     .doc = "If set to true, it allows user requests to reset the set of active topics per "
            "connector."},
    {.name = "listeners", .type = SL_CFG_LIST, .default_value = "http://:8083",
     .importance = SL_IMPORTANCE_LOW, .validator = RAW_CUSTOM(valid_listeners),
     .doc = "List of comma-separated URIs the REST API will listen on. The supported protocols "
            "are HTTP and HTTPS.\n Specify hostname as 0.0.0.0 to bind to all interfaces.\n "
            "Leave hostname empty to bind to default interface.\n Examples of legal listener "
            "lists: HTTP://myhost:8083,HTTPS://myhost:8084"},
    {.name = "rest.advertised.host.name", .type = SL_CFG_STRING, .importance = SL_IMPORTANCE_LOW,
     .doc = "If this is set, this is the hostname that will be given out to other workers to "
            "connect to."},
    {.name = "rest.advertised.port", .type = SL_CFG_INT, .importance = SL_IMPORTANCE_LOW,
     .doc = "If this is set, this is the port that will be given out to other workers to "
            "connect to."},
    {.name = "rest.advertised.listener", .type = SL_CFG_STRING, .importance = SL_IMPORTANCE_LOW,
     .doc = "Sets the advertised listener (HTTP or HTTPS) which will be given to other workers "
            "to use."},
    {.name = "access.control.allow.origin", .type = SL_CFG_STRING, .default_value = "",
     .importance = SL_IMPORTANCE_LOW,
     .doc = "Value to set the Access-Control-Allow-Origin header to for REST API requests.To "
            "enable cross origin access, set this to the domain of the application that should "
            "be permitted to access the API, or '*' to allow access from any domain. The "
            "default value only allows access from the domain of the REST API."},
    {.name = "access.control.allow.methods", .type = SL_CFG_STRING, .default_value = "",
     .importance = SL_IMPORTANCE_LOW,
     .doc = "Sets the methods supported for cross origin requests by setting the "
            "Access-Control-Allow-Methods header. The default value of the "
            "Access-Control-Allow-Methods header allows cross origin requests for GET, POST and "
            "HEAD."},
    {.name = "response.http.headers.config", .type = SL_CFG_STRING, .default_value = "",
     .importance = SL_IMPORTANCE_LOW, .doc = "Rules for REST API HTTP response headers"},
    {.name = "ssl.client.auth", .type = SL_CFG_STRING, .default_value = "none",
     .importance = SL_IMPORTANCE_LOW, .validator = SL_VALIDATE_IN("required", "requested", "none"),
     .doc = "Configures the REST server to request client authentication (HTTPS listeners)."},
    {.name = "rest.extension.classes", .type = SL_CFG_LIST, .default_value = "",
     .importance = SL_IMPORTANCE_LOW,
     .doc = "Comma-separated names of <code>ConnectRestExtension</code> classes, loaded and "
            "called in the order specified. Accepted for compatibility."},
    {.name = "admin.listeners", .type = SL_CFG_LIST, .importance = SL_IMPORTANCE_LOW,
     .validator = RAW_CUSTOM(valid_listeners),
     .doc = "List of comma-separated URIs the Admin REST API will listen on. The supported "
            "protocols are HTTP and HTTPS. An empty or blank string will disable this feature. "
            "The default behavior is to use the regular listener (specified by the 'listeners' "
            "property)."},
    SL_CONFIG_END,
};

/* ==== DistributedConfig ==== */

const sl_config_def framework_distributed_defs[] = {
    {.name = "group.id", .type = SL_CFG_STRING, .required = true,
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "A unique string that identifies the Connect cluster group this worker belongs to."},
    {.name = "session.timeout.ms", .type = SL_CFG_INT, .default_value = "10000",
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "The timeout used to detect worker failures. The worker sends periodic heartbeats "
            "to indicate its liveness to the broker. If no heartbeats are received by the "
            "broker before the expiration of this session timeout, then the broker will remove "
            "the worker from the group and initiate a rebalance. Note that the value must be in "
            "the allowable range as configured in the broker configuration by "
            "<code>group.min.session.timeout.ms</code> and "
            "<code>group.max.session.timeout.ms</code>."},
    {.name = "rebalance.timeout.ms", .type = SL_CFG_INT, .default_value = "60000",
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "The maximum allowed time for each worker to join the group once a rebalance has "
            "begun. This is basically a limit on the amount of time needed for all tasks to "
            "flush any pending data and commit offsets. If the timeout is exceeded, then the "
            "worker will be removed from the group, which will cause offset commit failures."},
    {.name = "heartbeat.interval.ms", .type = SL_CFG_INT, .default_value = "3000",
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "The expected time between heartbeats to the group coordinator when using Kafka's "
            "group management facilities. Heartbeats are used to ensure that the worker's "
            "session stays active and to facilitate rebalancing when new members join or leave "
            "the group. The value must be set lower than <code>session.timeout.ms</code>, but "
            "typically should be set no higher than 1/3 of that value. It can be adjusted even "
            "lower to control the expected time for normal rebalances."},
    {.name = "exactly.once.source.support", .type = SL_CFG_STRING, .default_value = "disabled",
     .importance = SL_IMPORTANCE_HIGH,
     .validator = SL_VALIDATE_IN("disabled", "preparing", "enabled"),
     .doc = "Whether to enable exactly-once support for source connectors in the cluster by "
            "using transactions to write source records and their source offsets, and by "
            "proactively fencing out old task generations before bringing up new ones."},
    {.name = "metadata.max.age.ms", .type = SL_CFG_LONG, .default_value = "300000",
     .importance = SL_IMPORTANCE_LOW, .validator = SL_VALIDATE_MIN(0),
     .doc = "The period of time in milliseconds after which we force a refresh of metadata."},
    {.name = "client.id", .type = SL_CFG_STRING, .default_value = "",
     .importance = SL_IMPORTANCE_LOW,
     .doc = "An id string to pass to the server when making requests."},
    {.name = "send.buffer.bytes", .type = SL_CFG_INT, .default_value = "131072",
     .importance = SL_IMPORTANCE_MEDIUM, .validator = SL_VALIDATE_MIN(-1),
     .doc = "The size of the TCP send buffer (SO_SNDBUF) to use when sending data. If the value "
            "is -1, the OS default will be used."},
    {.name = "receive.buffer.bytes", .type = SL_CFG_INT, .default_value = "32768",
     .importance = SL_IMPORTANCE_MEDIUM, .validator = SL_VALIDATE_MIN(-1),
     .doc = "The size of the TCP receive buffer (SO_RCVBUF) to use when reading data. If the "
            "value is -1, the OS default will be used."},
    {.name = "reconnect.backoff.ms", .type = SL_CFG_LONG, .default_value = "50",
     .importance = SL_IMPORTANCE_LOW, .validator = SL_VALIDATE_MIN(0),
     .doc = "The base amount of time to wait before attempting to reconnect to a given host."},
    {.name = "reconnect.backoff.max.ms", .type = SL_CFG_LONG, .default_value = "1000",
     .importance = SL_IMPORTANCE_LOW, .validator = SL_VALIDATE_MIN(0),
     .doc = "The maximum amount of time in milliseconds to wait when reconnecting to a broker "
            "that has repeatedly failed to connect."},
    {.name = "socket.connection.setup.timeout.ms", .type = SL_CFG_LONG, .default_value = "10000",
     .importance = SL_IMPORTANCE_LOW, .validator = SL_VALIDATE_MIN(0),
     .doc = "The amount of time the client will wait for the socket connection to be "
            "established."},
    {.name = "socket.connection.setup.timeout.max.ms", .type = SL_CFG_LONG,
     .default_value = "30000", .importance = SL_IMPORTANCE_LOW,
     .validator = SL_VALIDATE_MIN(0),
     .doc = "The maximum amount of time the client will wait for the socket connection to be "
            "established."},
    {.name = "retry.backoff.ms", .type = SL_CFG_LONG, .default_value = "100",
     .importance = SL_IMPORTANCE_LOW, .validator = SL_VALIDATE_MIN(0),
     .doc = "The amount of time to wait before attempting to retry a failed request."},
    {.name = "retry.backoff.max.ms", .type = SL_CFG_LONG, .default_value = "1000",
     .importance = SL_IMPORTANCE_LOW, .validator = SL_VALIDATE_MIN(0),
     .doc = "The maximum amount of time in milliseconds to wait when retrying a request to the "
            "broker that has repeatedly failed."},
    {.name = "request.timeout.ms", .type = SL_CFG_INT, .default_value = "40000",
     .importance = SL_IMPORTANCE_MEDIUM, .validator = SL_VALIDATE_MIN(0),
     .doc = "The maximum amount of time the client will wait for the response of a request."},
    {.name = "connections.max.idle.ms", .type = SL_CFG_LONG, .default_value = "540000",
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "Close idle connections after the number of milliseconds specified by this config."},
    {.name = "security.protocol", .type = SL_CFG_STRING, .default_value = "PLAINTEXT",
     .importance = SL_IMPORTANCE_MEDIUM,
     .validator = SL_VALIDATE_IN("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"),
     .doc = "Protocol used to communicate with brokers."},
    {.name = "sasl.mechanism", .type = SL_CFG_STRING, .default_value = "GSSAPI",
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "SASL mechanism used for client connections."},
    {.name = "sasl.jaas.config", .type = SL_CFG_PASSWORD, .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "JAAS login context parameters for SASL connections in the format used by JAAS "
            "configuration files."},
    {.name = "worker.sync.timeout.ms", .type = SL_CFG_INT, .default_value = "3000",
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "When the worker is out of sync with other workers and needs to resynchronize "
            "configurations, wait up to this amount of time before giving up, leaving the "
            "group, and waiting a backoff period before rejoining."},
    {.name = "worker.unsync.backoff.ms", .type = SL_CFG_INT, .default_value = "300000",
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "When the worker is out of sync with other workers and  fails to catch up within "
            "worker.sync.timeout.ms, leave the Connect cluster for this long before rejoining."},
    {.name = "offset.storage.topic", .type = SL_CFG_STRING, .required = true,
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "The name of the Kafka topic where source connector offsets are stored"},
    {.name = "offset.storage.partitions", .type = SL_CFG_INT, .default_value = "25",
     .importance = SL_IMPORTANCE_LOW, .validator = SL_VALIDATE_CUSTOM(valid_partitions),
     .doc = "The number of partitions used when creating the offset storage topic"},
    {.name = "offset.storage.replication.factor", .type = SL_CFG_SHORT, .default_value = "3",
     .importance = SL_IMPORTANCE_LOW, .validator = SL_VALIDATE_CUSTOM(valid_replication),
     .doc = "Replication factor used when creating the offset storage topic"},
    {.name = "config.storage.topic", .type = SL_CFG_STRING, .required = true,
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "The name of the Kafka topic where connector configurations are stored"},
    {.name = "config.storage.replication.factor", .type = SL_CFG_SHORT, .default_value = "3",
     .importance = SL_IMPORTANCE_LOW, .validator = SL_VALIDATE_CUSTOM(valid_replication),
     .doc = "Replication factor used when creating the configuration storage topic"},
    {.name = "status.storage.topic", .type = SL_CFG_STRING, .required = true,
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "The name of the Kafka topic where connector and task status are stored"},
    {.name = "status.storage.partitions", .type = SL_CFG_INT, .default_value = "5",
     .importance = SL_IMPORTANCE_LOW, .validator = SL_VALIDATE_CUSTOM(valid_partitions),
     .doc = "The number of partitions used when creating the status storage topic"},
    {.name = "status.storage.replication.factor", .type = SL_CFG_SHORT, .default_value = "3",
     .importance = SL_IMPORTANCE_LOW, .validator = SL_VALIDATE_CUSTOM(valid_replication),
     .doc = "Replication factor used when creating the status storage topic"},
    {.name = "connect.protocol", .type = SL_CFG_STRING, .default_value = "sessioned",
     .importance = SL_IMPORTANCE_LOW, .validator = SL_VALIDATE_CUSTOM(valid_protocol),
     .doc = "Compatibility mode for Kafka Connect Protocol"},
    {.name = "scheduled.rebalance.max.delay.ms", .type = SL_CFG_INT, .default_value = "300000",
     .importance = SL_IMPORTANCE_LOW, .validator = SL_VALIDATE_RANGE(0, INT_MAX_D),
     .doc = "The maximum delay that is scheduled in order to wait for the return of one or more "
            "departed workers before rebalancing and reassigning their connectors and tasks to "
            "the group. During this period the connectors and tasks of the departed workers "
            "remain unassigned"},
    {.name = "inter.worker.key.ttl.ms", .type = SL_CFG_INT, .default_value = "3600000",
     .importance = SL_IMPORTANCE_LOW, .validator = SL_VALIDATE_RANGE(0, INT_MAX_D),
     .doc = "The TTL of generated session keys used for internal request validation (in "
            "milliseconds)"},
    {.name = "inter.worker.key.generation.algorithm", .type = SL_CFG_STRING,
     .default_value = "HmacSHA256", .importance = SL_IMPORTANCE_LOW,
     .doc = "The algorithm to use for generating internal request keys."},
    {.name = "inter.worker.key.size", .type = SL_CFG_INT, .importance = SL_IMPORTANCE_LOW,
     .doc = "The size of the key to use for signing internal requests, in bits. If null, the "
            "default key size for the key generation algorithm will be used."},
    {.name = "inter.worker.signature.algorithm", .type = SL_CFG_STRING,
     .default_value = "HmacSHA256", .importance = SL_IMPORTANCE_LOW,
     .doc = "The algorithm used to sign internal requests."},
    {.name = "inter.worker.verification.algorithms", .type = SL_CFG_LIST,
     .default_value = "HmacSHA256", .importance = SL_IMPORTANCE_LOW,
     .doc = "A list of permitted algorithms for verifying internal requests, which must include "
            "the algorithm used for the inter.worker.signature.algorithm property."},
    {.name = "metadata.recovery.strategy", .type = SL_CFG_STRING, .default_value = "none",
     .importance = SL_IMPORTANCE_LOW, .validator = SL_VALIDATE_IN_ICASE("none", "rebootstrap"),
     .doc = "Controls how the client recovers when none of the brokers known to it is "
            "available."},
    SL_CONFIG_END,
};

/* ==== StandaloneConfig ==== */

const sl_config_def framework_standalone_defs[] = {
    {.name = "offset.storage.file.filename", .type = SL_CFG_STRING, .required = true,
     .importance = SL_IMPORTANCE_HIGH, .doc = "File to store source connector offsets"},
    SL_CONFIG_END,
};

/* ==== ConnectorConfig ==== */

const sl_config_def framework_connector_defs[] = {
    {.name = "name", .type = SL_CFG_STRING, .required = true, .importance = SL_IMPORTANCE_HIGH,
     .doc = "Globally unique name to use for this connector.", .group = "Common", .order = 1,
     .width = SL_WIDTH_MEDIUM, .display_name = "Connector name",
     .validator = SL_VALIDATE_CUSTOM(valid_name)},
    {.name = "connector.class", .type = SL_CFG_STRING, .required = true,
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "Name or alias of the class for this connector. Must be a subclass of "
            "org.apache.kafka.connect.connector.Connector. If the connector is "
            "org.apache.kafka.connect.file.FileStreamSinkConnector, you can either specify this "
            "full name,  or use \"FileStreamSink\" or \"FileStreamSinkConnector\" to make the "
            "configuration a bit shorter",
     .group = "Common", .order = 2, .width = SL_WIDTH_LONG, .display_name = "Connector class"},
    {.name = "tasks.max", .type = SL_CFG_INT, .default_value = "1",
     .importance = SL_IMPORTANCE_HIGH, .validator = SL_VALIDATE_MIN(1),
     .doc = "Maximum number of tasks to use for this connector.", .group = "Common", .order = 3,
     .width = SL_WIDTH_SHORT, .display_name = "Tasks max"},
    {.name = "tasks.max.enforce", .type = SL_CFG_BOOLEAN, .default_value = "true",
     .importance = SL_IMPORTANCE_LOW,
     .doc = "(Deprecated) Whether to enforce that the tasks.max property is respected by the "
            "connector. By default, connectors that generate too many tasks will fail, and "
            "existing sets of tasks that exceed the tasks.max property will also be failed. If "
            "this property is set to false, then connectors will be allowed to generate more "
            "than the maximum number of tasks, and existing sets of tasks that exceed the "
            "tasks.max property will be allowed to run. This property is deprecated and will be "
            "removed in an upcoming major release.",
     .group = "Common", .order = 4, .width = SL_WIDTH_SHORT,
     .display_name = "Enforce tasks max"},
    {.name = "key.converter", .type = SL_CFG_CLASS, .importance = SL_IMPORTANCE_LOW,
     .doc = KEY_CONVERTER_DOC, .group = "Common", .order = 5, .width = SL_WIDTH_SHORT,
     .display_name = "Key converter class"},
    {.name = "value.converter", .type = SL_CFG_CLASS, .importance = SL_IMPORTANCE_LOW,
     .doc = VALUE_CONVERTER_DOC, .group = "Common", .order = 6, .width = SL_WIDTH_SHORT,
     .display_name = "Value converter class"},
    {.name = "header.converter", .type = SL_CFG_CLASS, .importance = SL_IMPORTANCE_LOW,
     .doc = HEADER_CONVERTER_DOC, .group = "Common", .order = 7, .width = SL_WIDTH_SHORT,
     .display_name = "Header converter class"},
    {.name = "transforms", .type = SL_CFG_LIST, .default_value = "",
     .importance = SL_IMPORTANCE_LOW, .validator = SL_VALIDATE_CUSTOM(valid_aliases),
     .doc = "Aliases for the transformations to be applied to records.", .group = "Transforms",
     .order = 8, .width = SL_WIDTH_LONG, .display_name = "Transforms"},
    {.name = "predicates", .type = SL_CFG_LIST, .default_value = "",
     .importance = SL_IMPORTANCE_LOW, .validator = SL_VALIDATE_CUSTOM(valid_aliases),
     .doc = "Aliases for the predicates used by transformations.", .group = "Predicates",
     .order = 9, .width = SL_WIDTH_LONG, .display_name = "Predicates"},
    {.name = "config.action.reload", .type = SL_CFG_STRING, .default_value = "restart",
     .importance = SL_IMPORTANCE_LOW, .validator = SL_VALIDATE_IN("none", "restart"),
     .doc = "The action that Connect should take on the connector when changes in external "
            "configuration providers result in a change in the connector's configuration "
            "properties. A value of 'none' indicates that Connect will do nothing. A value of "
            "'restart' indicates that Connect should restart/reload the connector with the "
            "updated configuration properties.The restart may actually be scheduled in the "
            "future if the external configuration provider indicates that a configuration "
            "value will expire in the future.",
     .group = "Common", .order = 10, .width = SL_WIDTH_MEDIUM, .display_name = "Reload Action"},
    {.name = "errors.retry.timeout", .type = SL_CFG_LONG, .default_value = "0",
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "The maximum duration in milliseconds that a failed operation will be reattempted. "
            "The default is 0, which means no retries will be attempted. Use -1 for infinite "
            "retries.",
     .group = "Error Handling", .order = 1, .width = SL_WIDTH_MEDIUM,
     .display_name = "Retry Timeout for Errors"},
    {.name = "errors.retry.delay.max.ms", .type = SL_CFG_LONG, .default_value = "60000",
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "The maximum duration in milliseconds between consecutive retry attempts. Jitter "
            "will be added to the delay once this limit is reached to prevent thundering herd "
            "issues.",
     .group = "Error Handling", .order = 2, .width = SL_WIDTH_MEDIUM,
     .display_name = "Maximum Delay Between Retries for Errors"},
    {.name = "errors.tolerance", .type = SL_CFG_STRING, .default_value = "none",
     .importance = SL_IMPORTANCE_MEDIUM, .validator = SL_VALIDATE_IN("none", "all"),
     .doc = "Behavior for tolerating errors during connector operation. 'none' is the default "
            "value and signals that any error will result in an immediate connector task "
            "failure; 'all' changes the behavior to skip over problematic records.",
     .group = "Error Handling", .order = 3, .width = SL_WIDTH_SHORT,
     .display_name = "Error Tolerance"},
    {.name = "errors.log.enable", .type = SL_CFG_BOOLEAN, .default_value = "false",
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "If true, write each error and the details of the failed operation and problematic "
            "record to the Connect application log. This is 'false' by default, so that only "
            "errors that are not tolerated are reported.",
     .group = "Error Handling", .order = 4, .width = SL_WIDTH_SHORT,
     .display_name = "Log Errors"},
    {.name = "errors.log.include.messages", .type = SL_CFG_BOOLEAN, .default_value = "false",
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "Whether to include in the log the Connect record that resulted in a failure. For "
            "sink records, the topic, partition, offset, and timestamp will be logged. For "
            "source records, the key and value (and their schemas), all headers, and the "
            "timestamp, Kafka topic, Kafka partition, source partition, and source offset will "
            "be logged. This is 'false' by default, which will prevent record keys, values, and "
            "headers from being written to log files.",
     .group = "Error Handling", .order = 5, .width = SL_WIDTH_SHORT,
     .display_name = "Log Error Details"},
    /* Sluice only (Connect has no automatic task restart); orders after the sink DLQ keys. */
    {.name = "errors.restart.enable", .type = SL_CFG_BOOLEAN, .default_value = "false",
     .importance = SL_IMPORTANCE_LOW,
     .doc = "Sluice extension: if true, a task that fails is restarted automatically after a "
            "delay that starts at 1 second and doubles with each consecutive failure, up to "
            "errors.restart.max.delay.ms. The task's status shows FAILED with a trace saying "
            "when it will be restarted, then RESTARTING and RUNNING. The backoff starts again "
            "from 1 second once a restarted task stayed up for errors.restart.max.delay.ms.",
     .group = "Error Handling", .order = 9, .width = SL_WIDTH_SHORT,
     .display_name = "Restart Failed Tasks Automatically"},
    {.name = "errors.restart.max.delay.ms", .type = SL_CFG_LONG, .default_value = "300000",
     .importance = SL_IMPORTANCE_LOW, .validator = SL_VALIDATE_MIN(1000),
     .doc = "Sluice extension: the maximum delay in milliseconds before an automatic restart "
            "of a failed task (errors.restart.enable).",
     .group = "Error Handling", .order = 10, .width = SL_WIDTH_MEDIUM,
     .display_name = "Maximum Delay Before Restarting a Failed Task"},
    SL_CONFIG_END,
};

/* ==== SinkConnectorConfig ==== */

const sl_config_def framework_sink_defs[] = {
    {.name = "topics", .type = SL_CFG_LIST, .default_value = "",
     .importance = SL_IMPORTANCE_HIGH, .doc = "List of topics to consume, separated by commas",
     .group = "Common", .order = 4, .width = SL_WIDTH_LONG, .display_name = "Topics"},
    {.name = "topics.regex", .type = SL_CFG_STRING, .default_value = "",
     .importance = SL_IMPORTANCE_HIGH, .validator = SL_VALIDATE_CUSTOM(valid_regex),
     .doc = "Regular expression giving topics to consume. Under the hood, the regex is "
            "compiled to a <code>java.util.regex.Pattern</code>. Only one of topics or "
            "topics.regex should be specified.",
     .group = "Common", .order = 4, .width = SL_WIDTH_LONG, .display_name = "Topics regex"},
    {.name = "errors.deadletterqueue.topic.name", .type = SL_CFG_STRING, .default_value = "",
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "The name of the topic to be used as the dead letter queue (DLQ) for messages that "
            "result in an error when processed by this sink connector, or its transformations "
            "or converters. The topic name is blank by default, which means that no messages "
            "are to be recorded in the DLQ.",
     .group = "Error Handling", .order = 6, .width = SL_WIDTH_MEDIUM,
     .display_name = "Dead Letter Queue Topic Name"},
    {.name = "errors.deadletterqueue.topic.replication.factor", .type = SL_CFG_SHORT,
     .default_value = "3", .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "Replication factor used to create the dead letter queue topic when it doesn't "
            "already exist.",
     .group = "Error Handling", .order = 7, .width = SL_WIDTH_MEDIUM,
     .display_name = "Dead Letter Queue Topic Replication Factor"},
    {.name = "errors.deadletterqueue.context.headers.enable", .type = SL_CFG_BOOLEAN,
     .default_value = "false", .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "If true, add headers containing error context to the messages written to the dead "
            "letter queue. To avoid clashing with headers from the original record, all error "
            "context header keys, all error context header keys will start with "
            "<code>__connect.errors.</code>",
     .group = "Error Handling", .order = 8, .width = SL_WIDTH_MEDIUM,
     .display_name = "Enable Error Context Headers"},
    SL_CONFIG_END,
};

/* ==== SourceConnectorConfig ==== */

const sl_config_def framework_source_defs[] = {
    {.name = "topic.creation.groups", .type = SL_CFG_LIST, .default_value = "",
     .importance = SL_IMPORTANCE_LOW, .validator = SL_VALIDATE_CUSTOM(valid_aliases),
     .doc = "Groups of configurations for topics created by source connectors",
     .group = "Topic Creation", .order = 1, .width = SL_WIDTH_LONG,
     .display_name = "Topic Creation Groups"},
    {.name = "exactly.once.support", .type = SL_CFG_STRING, .default_value = "requested",
     .importance = SL_IMPORTANCE_MEDIUM,
     .validator = SL_VALIDATE_IN_ICASE("requested", "required"),
     .doc = "Permitted values are requested, required. If set to \"required\", forces a "
            "preflight check for the connector to ensure that it can provide exactly-once "
            "semantics with the given configuration. Some connectors may be capable of "
            "providing exactly-once semantics but not signal to Connect that they support this; "
            "in that case, documentation for the connector should be consulted carefully before "
            "creating it, and the value for this property should be set to \"requested\". "
            "Additionally, if the value is set to \"required\" but the worker that performs "
            "preflight validation does not have exactly-once support enabled for source "
            "connectors, requests to create or validate the connector will fail.",
     .group = "Exactly Once Support", .order = 2, .width = SL_WIDTH_SHORT,
     .display_name = "Exactly once support"},
    {.name = "transaction.boundary", .type = SL_CFG_STRING, .default_value = "poll",
     .importance = SL_IMPORTANCE_MEDIUM,
     .validator = SL_VALIDATE_IN_ICASE("poll", "interval", "connector"),
     .doc = "Permitted values are: poll, interval, connector. If set to 'poll', a new producer "
            "transaction will be started and committed for every batch of records that each "
            "task from this connector provides to Connect. If set to 'connector', relies on "
            "connector-defined transaction boundaries; note that not all connectors are capable "
            "of defining their own transaction boundaries, and in that case, attempts to "
            "instantiate a connector with this value will fail. Finally, if set to 'interval', "
            "commits transactions only after a user-defined time interval has passed.",
     .group = "Exactly Once Support", .order = 3, .width = SL_WIDTH_SHORT,
     .display_name = "Transaction Boundary"},
    {.name = "transaction.boundary.interval.ms", .type = SL_CFG_LONG,
     .importance = SL_IMPORTANCE_LOW, .validator = SL_VALIDATE_CUSTOM(valid_interval),
     .doc = "If 'transaction.boundary' is set to 'interval', determines the interval for "
            "producer transaction commits by connector tasks. If unset, defaults to the value "
            "of the worker-level 'offset.flush.interval.ms' property. It has no effect if a "
            "different transaction.boundary is specified.",
     .group = "Exactly Once Support", .order = 4, .width = SL_WIDTH_SHORT,
     .display_name = "Transaction boundary interval"},
    {.name = "offsets.storage.topic", .type = SL_CFG_STRING, .importance = SL_IMPORTANCE_LOW,
     .validator = SL_VALIDATE_NON_EMPTY,
     .doc = "The name of a separate offsets topic to use for this connector. If empty or not "
            "specified, the worker’s global offsets topic name will be used. If specified, the "
            "offsets topic will be created if it does not already exist on the Kafka cluster "
            "targeted by this connector (which may be different from the one used for the "
            "worker's global offsets topic if the bootstrap.servers property of the connector's "
            "producer has been overridden from the worker's). Only applicable in distributed "
            "mode; in standalone mode, setting this property will have no effect.",
     .group = "offsets.topic", .order = 1, .width = SL_WIDTH_LONG,
     .display_name = "Offsets topic"},
    SL_CONFIG_END,
};

/* ==== implicit transformation keys (ConnectorConfig.enrich) ==== */

const sl_config_def framework_transform_stage_defs[] = {
    {.name = "predicate", .type = SL_CFG_STRING, .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "The alias of a predicate used to determine whether to apply this transformation."},
    {.name = "negate", .type = SL_CFG_BOOLEAN, .default_value = "false",
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "Whether the configured predicate should be negated."},
    SL_CONFIG_END,
};

const sl_config_def *const *framework_worker_defs(void)
{
    static const sl_config_def *const base[] = {framework_worker_base_defs, NULL};
    return base;
}

size_t framework_worker_tables(bool distributed, const sl_config_def *const **tables)
{
    static const sl_config_def *const dist[] = {framework_worker_base_defs,
                                                framework_distributed_defs};
    static const sl_config_def *const alone[] = {framework_worker_base_defs,
                                                 framework_standalone_defs};
    *tables = distributed ? dist : alone;
    return 2;
}

size_t framework_connector_tables(sl_connector_kind kind, const sl_config_def *const **tables)
{
    static const sl_config_def *const sink[] = {framework_connector_defs, framework_sink_defs};
    static const sl_config_def *const source[] = {framework_connector_defs,
                                                  framework_source_defs};
    *tables = kind == SL_CONNECTOR_SINK ? sink : source;
    return 2;
}

bool framework_is_prefixed_key(const char *key)
{
    static const char *const prefixes[] = {
        "producer.", "consumer.", "admin.", "key.converter.", "value.converter.",
        "header.converter.", "config.providers.", "listeners.https.", "admin.listeners.https.",
        "ssl.", "sasl.", "transforms.", "predicates.", "topic.creation.", NULL};
    if (key == NULL)
        return false;
    for (const char *const *p = prefixes; *p; p++)
        if (strncmp(key, *p, strlen(*p)) == 0)
            return true;
    return false;
}
