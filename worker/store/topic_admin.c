/* store/topic_admin.c: create the internal topics when missing (CreateTopics) and check the
 * ones that exist (Metadata, DescribeConfigs), degrading clearly on brokers without them. */
#define _GNU_SOURCE
#include "store/topic_admin.h"

#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka/clientconf.h"
#include "store/kafka_log.h"
#include "util/log.h"

#define TA_LOGGER "topic-admin"

typedef struct ta_kind_info {
    const char *prefix;  /* "config.storage." */
    const char *purpose; /* Connect's wording in the cleanup.policy message */
    int def_partitions;
} ta_kind_info;

static const ta_kind_info ta_kinds[] = {
    [TOPIC_ADMIN_CONFIG] = {"config.storage.", "connector configurations", 1},
    [TOPIC_ADMIN_OFFSETS] = {"offset.storage.", "source connector offsets", 25},
    [TOPIC_ADMIN_STATUS] = {"status.storage.", "connector and task statuses", 5},
};

static const char *const ta_topic_props[] = {
    [TOPIC_ADMIN_CONFIG] = "config.storage.topic",
    [TOPIC_ADMIN_OFFSETS] = "offset.storage.topic",
    [TOPIC_ADMIN_STATUS] = "status.storage.topic",
};

const char *topic_admin_topic_property(topic_admin_kind kind)
{
    return ta_topic_props[kind];
}

void topic_admin_policy_error(topic_admin_kind kind, const char *topic, const char *policy,
                              char *errstr, size_t errstr_size)
{
    /* Connect's TopicAdmin.verifyTopicCleanupPolicyOnlyCompact message, kept verbatim. */
    snprintf(errstr, errstr_size,
             "Topic '%s' supplied via the '%s' property is required to have "
             "'cleanup.policy=compact' to guarantee consistency and durability of %s, but found "
             "the topic currently has 'cleanup.policy=%s'. Continuing would likely result in "
             "eventually losing %s and problems restarting this Connect cluster in the future. "
             "Change the '%s' property in the Connect worker configurations to use a topic with "
             "'cleanup.policy=compact'.",
             topic, ta_topic_props[kind], ta_kinds[kind].purpose, policy,
             ta_kinds[kind].purpose, ta_topic_props[kind]);
}

static bool ta_unsupported(rd_kafka_resp_err_t e)
{
    return e == RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE ||
           e == RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION || e == RD_KAFKA_RESP_ERR_INVALID_REQUEST;
}

/* Partition count of an existing topic, from a full topic listing (a targeted Metadata
 * request would make auto-creating brokers create the topic with their defaults). 0 when
 * the topic does not exist, -1 on error. */
static int ta_partitions(rd_kafka_t *rk, const char *topic, int timeout_ms, char *errstr,
                         size_t errstr_size)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 1, NULL, &md, timeout_ms);
    if (e) {
        snprintf(errstr, errstr_size, "cannot list topics: %s", rd_kafka_err2str(e));
        return -1;
    }
    int n = 0;
    for (int i = 0; i < md->topic_cnt; i++)
        if (strcmp(md->topics[i].topic, topic) == 0 && md->topics[i].err == 0)
            n = md->topics[i].partition_cnt;
    rd_kafka_metadata_destroy(md);
    return n;
}

/* Whether the cluster names a controller that is one of its brokers. librdkafka's mock
 * cluster reports controller id 0, which no broker has, and admin requests then wait for it
 * until they time out. */
static bool ta_controller_known(rd_kafka_t *rk, int timeout_ms)
{
    int32_t id = rd_kafka_controllerid(rk, timeout_ms < 2000 ? timeout_ms : 2000);
    const struct rd_kafka_metadata *md = NULL;
    if (id < 0 || rd_kafka_metadata(rk, 0, NULL, &md, timeout_ms) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return false;
    bool found = false;
    for (int i = 0; i < md->broker_cnt; i++)
        found |= md->brokers[i].id == id;
    rd_kafka_metadata_destroy(md);
    return found;
}

static rd_kafka_NewTopic_t *ta_new_topic(const sl_props *worker, topic_admin_kind kind,
                                         const char *topic, char *errstr, size_t errstr_size)
{
    const ta_kind_info *ki = &ta_kinds[kind];
    char key[128];
    long parts = ki->def_partitions, rf = 3;
    snprintf(key, sizeof(key), "%spartitions", ki->prefix);
    if (kind == TOPIC_ADMIN_CONFIG) {
        const char *v = sl_props_get(worker, key);
        if (v != NULL && *v != '\0')
            LOG_WARN(TA_LOGGER, "ignoring %s: the config topic always has one partition", key);
    } else if (kafka_log_int_prop(worker, key, parts, &parts, errstr, errstr_size) != SL_OK) {
        return NULL;
    }
    snprintf(key, sizeof(key), "%sreplication.factor", ki->prefix);
    if (kafka_log_int_prop(worker, key, rf, &rf, errstr, errstr_size) != SL_OK)
        return NULL;
    if ((parts < 1 && parts != -1) || (rf < 1 && rf != -1) || rf > 32767) {
        snprintf(errstr, errstr_size, "invalid partitions (%ld) or replication factor (%ld) for "
                 "topic %s: use a positive number or -1 for the broker default", parts, rf, topic);
        return NULL;
    }
    char err[256];
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, (int)parts, (int)rf, err, sizeof(err));
    if (nt == NULL) {
        snprintf(errstr, errstr_size, "cannot create topic %s: %s", topic, err);
        return NULL;
    }
    rd_kafka_NewTopic_set_config(nt, "cleanup.policy", "compact");
    size_t pl = strlen(ki->prefix);
    for (size_t i = 0; i < sl_props_count(worker); i++) {
        const char *k = sl_props_key_at(worker, i), *v = sl_props_value_at(worker, i);
        if (strncmp(k, ki->prefix, pl) != 0 || v == NULL)
            continue;
        const char *tk = k + pl;
        if (!strcmp(tk, "topic") || !strcmp(tk, "partitions") ||
            !strcmp(tk, "replication.factor") || !strcmp(tk, "file.filename"))
            continue;
        if (!strcmp(tk, "cleanup.policy")) {
            LOG_WARN(TA_LOGGER, "ignoring %s: internal topics are always compacted", k);
            continue;
        }
        rd_kafka_NewTopic_set_config(nt, tk, v);
    }
    return nt;
}

/* CreateTopics. Returns the broker's (or librdkafka's) error code for the topic. */
static rd_kafka_resp_err_t ta_create(rd_kafka_t *rk, rd_kafka_NewTopic_t *nt, int timeout_ms,
                                     char *why, size_t why_size)
{
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_request_timeout(o, timeout_ms, NULL, 0);
    rd_kafka_CreateTopics(rk, &nt, 1, o, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, timeout_ms + 1000);
    rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR__TIMED_OUT;
    snprintf(why, why_size, "%s", rd_kafka_err2str(e));
    if (ev != NULL) {
        e = rd_kafka_event_error(ev);
        snprintf(why, why_size, "%s", e ? rd_kafka_event_error_string(ev) : "");
        const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(ev);
        size_t n = 0;
        const rd_kafka_topic_result_t **tr = res ? rd_kafka_CreateTopics_result_topics(res, &n)
                                                 : NULL;
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR && n == 1) {
            e = rd_kafka_topic_result_error(tr[0]);
            const char *s = rd_kafka_topic_result_error_string(tr[0]);
            snprintf(why, why_size, "%s", s ? s : rd_kafka_err2str(e));
        }
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_queue_destroy(q);
    return e;
}

/* DescribeConfigs for cleanup.policy. SL_OK with *policy (malloc'd, caller frees) or NULL when
 * the broker cannot tell (unsupported, not authorized: Connect only logs at info then). */
static void ta_policy(rd_kafka_t *rk, const char *topic, int timeout_ms, char **policy)
{
    *policy = NULL;
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *o =
        rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
    rd_kafka_AdminOptions_set_request_timeout(o, timeout_ms, NULL, 0);
    rd_kafka_ConfigResource_t *cr = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
    rd_kafka_DescribeConfigs(rk, &cr, 1, o, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, timeout_ms + 1000);
    const char *why = "timed out";
    if (ev != NULL) {
        const rd_kafka_DescribeConfigs_result_t *res = rd_kafka_event_DescribeConfigs_result(ev);
        size_t n = 0, nc = 0;
        const rd_kafka_ConfigResource_t **rs =
            res ? rd_kafka_DescribeConfigs_result_resources(res, &n) : NULL;
        if (rd_kafka_event_error(ev)) {
            why = rd_kafka_event_error_string(ev);
        } else if (n == 1 && rd_kafka_ConfigResource_error(rs[0])) {
            why = rd_kafka_ConfigResource_error_string(rs[0]);
        } else if (n == 1) {
            const rd_kafka_ConfigEntry_t **ce = rd_kafka_ConfigResource_configs(rs[0], &nc);
            for (size_t i = 0; i < nc; i++)
                if (strcmp(rd_kafka_ConfigEntry_name(ce[i]), "cleanup.policy") == 0) {
                    const char *v = rd_kafka_ConfigEntry_value(ce[i]);
                    *policy = strdup(v ? v : "");
                }
            why = "cleanup.policy not reported";
        }
        if (*policy == NULL)
            LOG_INFO(TA_LOGGER, "cannot check the cleanup.policy of topic %s (%s); assuming the "
                     "operator made it compact", topic, why ? why : "unknown error");
        rd_kafka_event_destroy(ev);
    } else {
        LOG_INFO(TA_LOGGER, "cannot check the cleanup.policy of topic %s (%s)", topic, why);
    }
    rd_kafka_ConfigResource_destroy(cr);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_queue_destroy(q);
}

static int ta_check_existing(rd_kafka_t *rk, topic_admin_kind kind, const char *topic,
                             int nparts, bool controller, int timeout_ms, char *errstr,
                             size_t errstr_size)
{
    if (kind == TOPIC_ADMIN_CONFIG && nparts != 1) {
        /* Connect's KafkaConfigBackingStore refuses the same way. */
        snprintf(errstr, errstr_size,
                 "Topic '%s' supplied via the 'config.storage.topic' property is required to "
                 "have a single partition in order to guarantee consistency of connector "
                 "configurations, but found %d partitions.",
                 topic, nparts);
        return SL_ERR;
    }
    char *policy = NULL;
    if (controller)
        ta_policy(rk, topic, timeout_ms, &policy);
    else
        LOG_INFO(TA_LOGGER, "cannot check the cleanup.policy of topic %s (the cluster reports "
                 "no controller); assuming it is compact", topic);
    int rc = SL_OK;
    if (policy != NULL && strcmp(policy, "compact") != 0) {
        topic_admin_policy_error(kind, topic, policy, errstr, errstr_size);
        rc = SL_ERR;
    }
    free(policy);
    return rc;
}

int topic_admin_ensure(const sl_props *worker, topic_admin_kind kind, int timeout_ms,
                       int *partitions, char *errstr, size_t errstr_size)
{
    const char *prop = ta_topic_props[kind];
    const char *topic = sl_props_get(worker, prop);
    if (topic == NULL || *topic == '\0') {
        snprintf(errstr, errstr_size,
                 "Missing required configuration \"%s\" which has no default value.", prop);
        return SL_ERR;
    }
    rd_kafka_NewTopic_t *nt = ta_new_topic(worker, kind, topic, errstr, errstr_size);
    if (nt == NULL)
        return SL_ERR;
    char cid[256], err[512];
    rd_kafka_conf_t *conf = NULL;
    rd_kafka_t *rk = NULL;
    if (kafka_log_client_id(worker, "shared-admin", cid, sizeof(cid)) != SL_OK ||
        (conf = clientconf_build(CLIENTCONF_INTERNAL_ADMIN, worker, NULL, err, sizeof(err))) ==
            NULL ||
        rd_kafka_conf_set(conf, "client.id", cid, err, sizeof(err)) != RD_KAFKA_CONF_OK ||
        (rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err))) == NULL) {
        if (conf != NULL)
            rd_kafka_conf_destroy(conf);
        rd_kafka_NewTopic_destroy(nt);
        snprintf(errstr, errstr_size, "cannot create the admin client: %s", err);
        return SL_ERR;
    }
    /* Look first: an existing topic needs no CreateTopics, which brokers without it (the mock
     * cluster) only answer after the request times out. */
    char why[512] = "";
    int rc = SL_OK;
    int n = ta_partitions(rk, topic, timeout_ms, errstr, errstr_size);
    rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS;
    /* CreateTopics and DescribeConfigs go to the controller; a cluster that names none
     * (librdkafka's mock) would only let them time out. */
    bool controller = n >= 0 && ta_controller_known(rk, timeout_ms);
    if (n >= 0 && !controller) {
        e = RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE;
        snprintf(why, sizeof(why), "the cluster reports no controller");
    } else if (n == 0) {
        e = ta_create(rk, nt, timeout_ms, why, sizeof(why));
        n = ta_partitions(rk, topic, timeout_ms, errstr, errstr_size);
    }
    rd_kafka_NewTopic_destroy(nt);
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
        LOG_INFO(TA_LOGGER, "created topic %s (%s) with cleanup.policy=compact", topic, prop);
        if (n <= 0)
            n = kind == TOPIC_ADMIN_CONFIG ? 1 : 0;
    } else {
        if (e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
            LOG_DEBUG(TA_LOGGER, "topic %s already exists", topic);
        else if (ta_unsupported(e) && n > 0)
            LOG_INFO(TA_LOGGER, "the broker does not support creating topics (%s); using the "
                     "existing topic %s (%s)", why, topic, prop);
        else if (ta_unsupported(e))
            LOG_WARN(TA_LOGGER, "the broker does not support creating topics (%s); using topic "
                     "%s (%s) only if it already exists", why, topic, prop);
        else
            LOG_WARN(TA_LOGGER, "could not create topic %s (%s): %s; using it if it exists",
                     topic, prop, why);
        if (n < 0) {
            rc = SL_ERR;
        } else if (n == 0) {
            snprintf(errstr, errstr_size, "topic %s (%s) does not exist and could not be "
                     "created: %s; create it with cleanup.policy=compact", topic, prop, why);
            rc = SL_ERR;
        } else {
            rc = ta_check_existing(rk, kind, topic, n, controller, timeout_ms, errstr,
                                   errstr_size);
        }
    }
    if (rc == SL_OK && partitions != NULL)
        *partitions = n;
    rd_kafka_destroy(rk);
    return rc;
}
