/* kafka/devcluster.c: librdkafka's mock cluster wrapped for `sluice-worker --dev` and the
 * tests/kafka-mock process: start, topics "NAME:PARTITIONS", fault injection, stop. */
#include "kafka/devcluster.h"

#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Partitions of a topic named without a count: the mock's own auto-create default. */
#define DEVCLUSTER_DEFAULT_PARTITIONS 4
#define DEVCLUSTER_MAX_PARTITIONS 10000
#define DEVCLUSTER_MAX_BROKERS 64
/* Kafka's limit on topic name length (Topic.MAX_NAME_LENGTH). */
#define DEVCLUSTER_MAX_TOPIC_LEN 249

struct kafka_devcluster {
    rd_kafka_t *rk; /* bookkeeping handle the mock cluster hangs off; never used as a client */
    rd_kafka_mock_cluster_t *mock;
    int brokers;
    char *bootstraps;
};

/* The mock logs through its bookkeeping handle. Only warnings and errors reach here (the
 * handle's log_level is 4); they are rare and go straight to stderr, since this file must not
 * depend on the worker's logger. */
static void devcluster_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    fprintf(stderr, "kafka-mock: %s %s: %s\n", level <= 3 ? "ERROR" : "WARN", fac, buf);
}

/* Kafka's legal topic characters ([a-zA-Z0-9._-]); "." and ".." are reserved. */
static int devcluster_valid_topic(const char *name, size_t len)
{
    if (len == 0 || len > DEVCLUSTER_MAX_TOPIC_LEN)
        return 0;
    if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

/* Parse "NAME[:PARTITIONS]" into name (NUL-terminated copy) and partitions. */
static int devcluster_parse_topic(const char *spec, char *name, size_t name_size, int *partitions,
                                  char *errstr, size_t errstr_size)
{
    if (spec == NULL) {
        snprintf(errstr, errstr_size, "missing topic");
        return -1;
    }
    const char *colon = strchr(spec, ':');
    size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
    if (!devcluster_valid_topic(spec, len) || len >= name_size) {
        snprintf(errstr, errstr_size,
                 "invalid topic name in '%.300s' (want 1-249 of [a-zA-Z0-9._-])", spec);
        return -1;
    }
    memcpy(name, spec, len);
    name[len] = '\0';
    *partitions = DEVCLUSTER_DEFAULT_PARTITIONS;
    if (colon) {
        char *end = NULL;
        errno = 0;
        long n = strtol(colon + 1, &end, 10);
        if (errno || end == colon + 1 || *end != '\0' || n < 1 || n > DEVCLUSTER_MAX_PARTITIONS) {
            snprintf(errstr, errstr_size, "invalid partition count in '%.300s' (want 1-%d)", spec,
                     DEVCLUSTER_MAX_PARTITIONS);
            return -1;
        }
        *partitions = (int)n;
    }
    return 0;
}

static int devcluster_check_broker(const kafka_devcluster *dc, int32_t id, char *errstr,
                                   size_t errstr_size)
{
    if (id == -1 || (id >= 1 && id <= dc->brokers))
        return 0;
    snprintf(errstr, errstr_size, "unknown broker %d (brokers are 1..%d, or -1 for all)", (int)id,
             dc->brokers);
    return -1;
}

static int devcluster_result(rd_kafka_resp_err_t err, const char *what, char *errstr,
                             size_t errstr_size)
{
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
        return 0;
    snprintf(errstr, errstr_size, "%s: %s", what, rd_kafka_err2str(err));
    return -1;
}

kafka_devcluster *kafka_devcluster_start(int brokers, const char *const *topics, char *errstr,
                                         size_t errstr_size)
{
    if (brokers < 1 || brokers > DEVCLUSTER_MAX_BROKERS) {
        snprintf(errstr, errstr_size, "invalid broker count %d (want 1-%d)", brokers,
                 DEVCLUSTER_MAX_BROKERS);
        return NULL;
    }
    kafka_devcluster *dc = calloc(1, sizeof(*dc));
    if (dc == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    dc->brokers = brokers;

    /* rd_kafka_mock_cluster_new() needs a handle for its bookkeeping only. A producer with no
     * bootstrap.servers never connects anywhere; log_level 4 keeps its "no bootstrap servers"
     * notice out of the way. */
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char cerr[256];
    if (rd_kafka_conf_set(conf, "log_level", "4", cerr, sizeof(cerr)) != RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(conf, "client.id", "sluice-devcluster", cerr, sizeof(cerr)) !=
            RD_KAFKA_CONF_OK) {
        snprintf(errstr, errstr_size, "mock cluster handle config: %s", cerr);
        rd_kafka_conf_destroy(conf);
        free(dc);
        return NULL;
    }
    rd_kafka_conf_set_log_cb(conf, devcluster_log_cb);
    dc->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, cerr, sizeof(cerr));
    if (dc->rk == NULL) {
        snprintf(errstr, errstr_size, "mock cluster handle: %s", cerr);
        rd_kafka_conf_destroy(conf);
        free(dc);
        return NULL;
    }
    dc->mock = rd_kafka_mock_cluster_new(dc->rk, brokers);
    if (dc->mock == NULL) {
        snprintf(errstr, errstr_size, "could not start %d mock brokers (see log)", brokers);
        kafka_devcluster_stop(dc);
        return NULL;
    }
    const char *bs = rd_kafka_mock_cluster_bootstraps(dc->mock);
    dc->bootstraps = strdup(bs ? bs : "");
    if (dc->bootstraps == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        kafka_devcluster_stop(dc);
        return NULL;
    }
    for (size_t i = 0; topics && topics[i]; i++) {
        if (kafka_devcluster_create_topic(dc, topics[i], errstr, errstr_size) != 0) {
            kafka_devcluster_stop(dc);
            return NULL;
        }
    }
    return dc;
}

void kafka_devcluster_stop(kafka_devcluster *dc)
{
    if (dc == NULL)
        return;
    /* The mock cluster must go before the handle it was created on. */
    if (dc->mock)
        rd_kafka_mock_cluster_destroy(dc->mock);
    if (dc->rk)
        rd_kafka_destroy(dc->rk);
    free(dc->bootstraps);
    free(dc);
}

const char *kafka_devcluster_bootstraps(const kafka_devcluster *dc)
{
    return dc->bootstraps;
}

int kafka_devcluster_broker_count(const kafka_devcluster *dc)
{
    return dc->brokers;
}

int kafka_devcluster_create_topic(kafka_devcluster *dc, const char *spec, char *errstr,
                                  size_t errstr_size)
{
    char name[DEVCLUSTER_MAX_TOPIC_LEN + 1];
    int partitions = 0;
    if (devcluster_parse_topic(spec, name, sizeof(name), &partitions, errstr, errstr_size) != 0)
        return -1;
    int rf = dc->brokers < 3 ? dc->brokers : 3;
    char what[DEVCLUSTER_MAX_TOPIC_LEN + 32];
    snprintf(what, sizeof(what), "create topic %s", name);
    return devcluster_result(rd_kafka_mock_topic_create(dc->mock, name, partitions, rf), what,
                             errstr, errstr_size);
}

int kafka_devcluster_broker_down(kafka_devcluster *dc, int32_t broker_id, char *errstr,
                                 size_t errstr_size)
{
    if (devcluster_check_broker(dc, broker_id, errstr, errstr_size) != 0)
        return -1;
    return devcluster_result(rd_kafka_mock_broker_set_down(dc->mock, broker_id), "broker down",
                             errstr, errstr_size);
}

int kafka_devcluster_broker_up(kafka_devcluster *dc, int32_t broker_id, char *errstr,
                               size_t errstr_size)
{
    if (devcluster_check_broker(dc, broker_id, errstr, errstr_size) != 0)
        return -1;
    return devcluster_result(rd_kafka_mock_broker_set_up(dc->mock, broker_id), "broker up", errstr,
                             errstr_size);
}

int kafka_devcluster_broker_rtt(kafka_devcluster *dc, int32_t broker_id, int rtt_ms, char *errstr,
                                size_t errstr_size)
{
    if (devcluster_check_broker(dc, broker_id, errstr, errstr_size) != 0)
        return -1;
    if (rtt_ms < 0) {
        snprintf(errstr, errstr_size, "invalid rtt %d ms (want >= 0)", rtt_ms);
        return -1;
    }
    return devcluster_result(rd_kafka_mock_broker_set_rtt(dc->mock, broker_id, rtt_ms),
                             "broker rtt", errstr, errstr_size);
}

int kafka_devcluster_partition_leader(kafka_devcluster *dc, const char *topic, int32_t partition,
                                      int32_t broker_id, char *errstr, size_t errstr_size)
{
    if (topic == NULL || !devcluster_valid_topic(topic, strlen(topic))) {
        snprintf(errstr, errstr_size, "invalid topic name '%.300s'", topic ? topic : "");
        return -1;
    }
    if (partition < 0) {
        snprintf(errstr, errstr_size, "invalid partition %d", (int)partition);
        return -1;
    }
    if (devcluster_check_broker(dc, broker_id, errstr, errstr_size) != 0)
        return -1;
    return devcluster_result(
        rd_kafka_mock_partition_set_leader(dc->mock, topic, partition, broker_id),
        "partition leader", errstr, errstr_size);
}

int kafka_devcluster_coordinator(kafka_devcluster *dc, const char *key_type, const char *key,
                                 int32_t broker_id, char *errstr, size_t errstr_size)
{
    if (key_type == NULL || (strcmp(key_type, "group") != 0 && strcmp(key_type, "transaction"))) {
        snprintf(errstr, errstr_size, "coordinator type must be 'group' or 'transaction'");
        return -1;
    }
    if (key == NULL || *key == '\0') {
        snprintf(errstr, errstr_size, "missing coordinator key");
        return -1;
    }
    /* -1 (every broker) means nothing for a coordinator. */
    if (broker_id == -1 || devcluster_check_broker(dc, broker_id, errstr, errstr_size) != 0) {
        snprintf(errstr, errstr_size, "unknown broker %d (brokers are 1..%d)", (int)broker_id,
                 dc->brokers);
        return -1;
    }
    return devcluster_result(rd_kafka_mock_coordinator_set(dc->mock, key_type, key, broker_id),
                             "coordinator", errstr, errstr_size);
}
