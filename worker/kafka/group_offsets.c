/* kafka/group_offsets.c: list, alter and reset a sink connector's consumer-group offsets with
 * librdkafka's admin API, probing the broker's ApiVersions before the calls the mock lacks. */
#define _GNU_SOURCE
#include "kafka/group_offsets.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "group/requests.h"
#include "group/transport.h"
#include "group/wire.h"
#include "kafka/clientconf.h"
#include "util/log.h"

#define GO_LOGGER "offsets"
#define GO_DEFAULT_TIMEOUT_MS 30000
#define GO_PROBE_TIMEOUT_MS 5000
#define GO_PROBE_MAX_FRAME (1u << 20)
/* Kafka API keys that librdkafka's admin client may send and the mock cluster lacks. */
#define GO_API_DELETE_GROUPS 42
#define GO_API_OFFSET_DELETE 47

struct group_offsets {
    rd_kafka_t *rk;
    rd_kafka_queue_t *q;
    int timeout_ms;
    char *conn;
    sl_props *worker; /* copies, for the member-commit fallback's consumer */
    sl_props *config;
    char group[512];
    char *topics; /* the connector's "topics", or NULL */
    char *regex;  /* the connector's "topics.regex", or NULL */
    char *bootstrap;
    bool plaintext; /* security.protocol allows a plain TCP ApiVersions probe */
    int probed;     /* 0 not yet, 1 versions known, -1 probe failed */
    group_api_versions versions;
};

const char *group_offsets_group_id(const char *conn, const sl_props *config, char *buf, size_t size)
{
    const char *gid = config ? sl_props_get(config, "consumer.override.group.id") : NULL;
    if (gid != NULL && gid[0] != '\0')
        snprintf(buf, size, "%s", gid);
    else
        snprintf(buf, size, "connect-%s", conn ? conn : "");
    return buf;
}

static char *dup_or_null(const char *s)
{
    return s && s[0] ? strdup(s) : NULL;
}

group_offsets *group_offsets_open(const sl_props *worker, const char *conn, const sl_props *config,
                                  int timeout_ms, char *errstr, size_t errstr_size)
{
    rd_kafka_conf_t *conf = clientconf_build(CLIENTCONF_ADMIN, worker, config, errstr, errstr_size);
    if (conf == NULL)
        return NULL;
    group_offsets *g = calloc(1, sizeof(*g));
    if (g == NULL) {
        rd_kafka_conf_destroy(conf);
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    g->timeout_ms = timeout_ms > 0 ? timeout_ms : GO_DEFAULT_TIMEOUT_MS;
    g->conn = strdup(conn ? conn : "");
    g->worker = worker ? sl_props_copy(worker) : NULL;
    g->config = config ? sl_props_copy(config) : NULL;
    group_offsets_group_id(conn, config, g->group, sizeof(g->group));
    g->topics = dup_or_null(config ? sl_props_get(config, "topics") : NULL);
    g->regex = dup_or_null(config ? sl_props_get(config, "topics.regex") : NULL);
    char buf[1024];
    size_t len = sizeof(buf);
    if (rd_kafka_conf_get(conf, "bootstrap.servers", buf, &len) == RD_KAFKA_CONF_OK)
        g->bootstrap = dup_or_null(buf);
    len = sizeof(buf);
    g->plaintext = rd_kafka_conf_get(conf, "security.protocol", buf, &len) != RD_KAFKA_CONF_OK ||
                   strcasecmp(buf, "plaintext") == 0;
    /* Connect's client id for this admin client. */
    snprintf(buf, sizeof(buf), "connector-worker-adminclient-%s", g->conn);
    rd_kafka_conf_set(conf, "client.id", buf, NULL, 0);
    char kerr[512];
    g->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, kerr, sizeof(kerr));
    if (g->rk == NULL) {
        rd_kafka_conf_destroy(conf);
        snprintf(errstr, errstr_size, "cannot create the admin client: %s", kerr);
        group_offsets_close(g);
        return NULL;
    }
    g->q = rd_kafka_queue_new(g->rk);
    return g;
}

void group_offsets_close(group_offsets *g)
{
    if (g == NULL)
        return;
    if (g->q != NULL)
        rd_kafka_queue_destroy(g->q);
    if (g->rk != NULL)
        rd_kafka_destroy(g->rk);
    free(g->conn);
    sl_props_destroy(g->worker);
    sl_props_destroy(g->config);
    free(g->topics);
    free(g->regex);
    free(g->bootstrap);
    free(g);
}

const char *group_offsets_group(const group_offsets *g)
{
    return g->group;
}

/* ---- broker capabilities ---- */

/* Split the first entry of a bootstrap list ("host:port", "[v6]:port", optionally with a
 * "SCHEME://" prefix) into host and port. 0, or -1 if it cannot be parsed. */
static int first_broker(const char *list, char *host, size_t host_size, int *port)
{
    const char *p = list + strspn(list, " \t");
    const char *scheme = strstr(p, "://");
    const char *comma = strchr(p, ',');
    if (scheme != NULL && (comma == NULL || scheme < comma))
        p = scheme + 3;
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
        len--;
    const char *colon = NULL;
    for (size_t i = 0; i < len; i++)
        if (p[i] == ':')
            colon = p + i;
    if (colon == NULL || colon == p)
        return -1;
    const char *h = p;
    size_t hlen = (size_t)(colon - p);
    if (h[0] == '[' && hlen >= 2 && h[hlen - 1] == ']') {
        h++;
        hlen -= 2;
    }
    char *end = NULL;
    long v = strtol(colon + 1, &end, 10);
    if (hlen == 0 || hlen >= host_size || end != p + len || v <= 0 || v > 65535)
        return -1;
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    *port = (int)v;
    return 0;
}

static int probe_io(group_transport *tp, const wire_buf *req, group_api_versions_resp *resp,
                    char *errstr, size_t errstr_size)
{
    for (size_t off = 0; off < req->len;) {
        ssize_t n = group_transport_send(tp, req->data + off, req->len - off, GO_PROBE_TIMEOUT_MS);
        if (n <= 0) {
            snprintf(errstr, errstr_size, "sending ApiVersions failed");
            return -1;
        }
        off += (size_t)n;
    }
    uint8_t hdr[4];
    for (size_t got = 0; got < sizeof(hdr);) {
        ssize_t n = group_transport_recv(tp, hdr + got, sizeof(hdr) - got, GO_PROBE_TIMEOUT_MS);
        if (n <= 0) {
            snprintf(errstr, errstr_size, "no ApiVersions response");
            return -1;
        }
        got += (size_t)n;
    }
    uint32_t size =
        ((uint32_t)hdr[0] << 24) | ((uint32_t)hdr[1] << 16) | ((uint32_t)hdr[2] << 8) | hdr[3];
    if (size < 4 || size > GO_PROBE_MAX_FRAME) {
        snprintf(errstr, errstr_size, "bad ApiVersions frame size %u", size);
        return -1;
    }
    uint8_t *frame = malloc(size);
    if (frame == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    int rc = -1;
    size_t got = 0;
    while (got < size) {
        ssize_t n = group_transport_recv(tp, frame + got, size - got, GO_PROBE_TIMEOUT_MS);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    wire_rd r;
    int32_t corr = -1;
    wire_rd_init(&r, frame, size);
    if (got < size || wire_read_response_header(&r, 0, &corr) != 0 || corr != 1 ||
        group_resp_api_versions(frame + r.off, size - r.off, 0, resp) != 0 || resp->error != 0)
        snprintf(errstr, errstr_size, "unreadable ApiVersions response");
    else
        rc = 0;
    free(frame);
    return rc;
}

/* Whether the cluster answers `api_key`, from one ApiVersions v0 exchange with the first
 * bootstrap broker (cached per handle). librdkafka exposes no broker feature query, and its
 * admin client crashes on requests the broker lacks, so we ask ourselves. When the probe is
 * impossible (TLS/SASL listeners) or fails, the API is assumed present: every broker since
 * Kafka 2.4 has DeleteGroups and OffsetDelete. */
static bool broker_supports(group_offsets *g, int16_t api_key)
{
    if (g->probed == 0) {
        g->probed = -1;
        char host[256], err[256] = "";
        int port = 0;
        if (!g->plaintext || g->bootstrap == NULL ||
            first_broker(g->bootstrap, host, sizeof(host), &port) != 0)
            return true;
        group_transport *tp = group_transport_tcp_new();
        wire_buf b;
        wire_buf_init(&b);
        group_api_versions_resp resp;
        if (tp != NULL &&
            group_transport_connect(tp, host, port, GO_PROBE_TIMEOUT_MS, err, sizeof(err)) == 0 &&
            group_req_api_versions(&b, 0, 1, "sluice-offsets-probe") == 0 &&
            probe_io(tp, &b, &resp, err, sizeof(err)) == 0) {
            g->versions = resp.versions;
            g->probed = 1;
        } else {
            LOG_DEBUG(GO_LOGGER, "ApiVersions probe of %s:%d failed (%s); assuming a full broker",
                      host, port, err[0] ? err : "no transport");
        }
        wire_buf_free(&b);
        group_transport_destroy(tp);
    }
    return g->probed != 1 || g->versions.known[api_key];
}

/* ---- admin request plumbing ---- */

static rd_kafka_AdminOptions_t *admin_options(group_offsets *g)
{
    rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(g->rk, RD_KAFKA_ADMIN_OP_ANY);
    if (o != NULL)
        rd_kafka_AdminOptions_set_request_timeout(o, g->timeout_ms, NULL, 0);
    return o;
}

/* Wait for the result event of the request just sent; NULL with errstr on timeout or a
 * request-level error. Caller destroys the event. */
static rd_kafka_event_t *admin_wait(group_offsets *g, rd_kafka_event_type_t type, const char *what,
                                    char *errstr, size_t errstr_size)
{
    rd_kafka_event_t *ev = rd_kafka_queue_poll(g->q, g->timeout_ms + 5000);
    if (ev == NULL) {
        snprintf(errstr, errstr_size, "%s of group %s timed out", what, g->group);
        return NULL;
    }
    if (rd_kafka_event_type(ev) != type) {
        snprintf(errstr, errstr_size, "%s of group %s: unexpected %s", what, g->group,
                 rd_kafka_event_name(ev));
        rd_kafka_event_destroy(ev);
        return NULL;
    }
    if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(errstr, errstr_size, "%s of group %s failed: %s", what, g->group,
                 rd_kafka_event_error_string(ev));
        rd_kafka_event_destroy(ev);
        return NULL;
    }
    return ev;
}

static bool err_means_active(rd_kafka_resp_err_t e)
{
    return e == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID || e == RD_KAFKA_RESP_ERR_NON_EMPTY_GROUP ||
           e == RD_KAFKA_RESP_ERR_GROUP_SUBSCRIBED_TO_TOPIC ||
           e == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS ||
           e == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION;
}

/* Check group- and partition-level errors of a group result array. `ignore` is a group error
 * that counts as success (or NO_ERROR). */
static int groups_check(group_offsets *g, const rd_kafka_group_result_t **groups, size_t n,
                        rd_kafka_resp_err_t ignore, const char *what, char *errstr,
                        size_t errstr_size)
{
    for (size_t i = 0; i < n; i++) {
        const rd_kafka_error_t *ge = rd_kafka_group_result_error(groups[i]);
        if (ge != NULL && rd_kafka_error_code(ge) != RD_KAFKA_RESP_ERR_NO_ERROR &&
            rd_kafka_error_code(ge) != ignore) {
            snprintf(errstr, errstr_size, "%s of group %s failed: %s", what, g->group,
                     rd_kafka_error_string(ge));
            return err_means_active(rd_kafka_error_code(ge)) ? GROUP_OFFSETS_ACTIVE
                                                             : GROUP_OFFSETS_ERR;
        }
        const rd_kafka_topic_partition_list_t *p = rd_kafka_group_result_partitions(groups[i]);
        for (int j = 0; p != NULL && j < p->cnt; j++) {
            rd_kafka_resp_err_t pe = p->elems[j].err;
            if (pe == RD_KAFKA_RESP_ERR_NO_ERROR)
                continue;
            snprintf(errstr, errstr_size, "%s of group %s failed for %s-%d: %s", what, g->group,
                     p->elems[j].topic, (int)p->elems[j].partition, rd_kafka_err2str(pe));
            return err_means_active(pe) ? GROUP_OFFSETS_ACTIVE : GROUP_OFFSETS_ERR;
        }
    }
    return GROUP_OFFSETS_OK;
}

/* OffsetFetch for `parts` (NULL = every partition of the group). On OK *out gets the
 * partitions with an offset >= 0 (caller destroys). */
static int list_offsets(group_offsets *g, const rd_kafka_topic_partition_list_t *parts,
                        rd_kafka_topic_partition_list_t **out, char *errstr, size_t errstr_size)
{
    rd_kafka_ListConsumerGroupOffsets_t *req =
        rd_kafka_ListConsumerGroupOffsets_new(g->group, parts);
    rd_kafka_AdminOptions_t *o = admin_options(g);
    rd_kafka_ListConsumerGroupOffsets(g->rk, &req, 1, o, g->q);
    rd_kafka_ListConsumerGroupOffsets_destroy(req);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_event_t *ev = admin_wait(g, RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT,
                                      "listing the offsets", errstr, errstr_size);
    if (ev == NULL)
        return GROUP_OFFSETS_ERR;
    size_t n = 0;
    const rd_kafka_group_result_t **groups = rd_kafka_ListConsumerGroupOffsets_result_groups(
        rd_kafka_event_ListConsumerGroupOffsets_result(ev), &n);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(8);
    int rc = GROUP_OFFSETS_OK;
    for (size_t i = 0; i < n && rc == GROUP_OFFSETS_OK; i++) {
        const rd_kafka_error_t *ge = rd_kafka_group_result_error(groups[i]);
        if (ge != NULL && rd_kafka_error_code(ge) != RD_KAFKA_RESP_ERR_NO_ERROR &&
            rd_kafka_error_code(ge) != RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND) {
            snprintf(errstr, errstr_size, "listing the offsets of group %s failed: %s", g->group,
                     rd_kafka_error_string(ge));
            rc = GROUP_OFFSETS_ERR;
            break;
        }
        const rd_kafka_topic_partition_list_t *p = rd_kafka_group_result_partitions(groups[i]);
        for (int j = 0; p != NULL && j < p->cnt; j++) {
            const rd_kafka_topic_partition_t *e = &p->elems[j];
            /* Partitions without a committed offset (or of unknown topics, when asked for
             * explicitly) are simply not part of the group's offsets. */
            if (e->err == RD_KAFKA_RESP_ERR_NO_ERROR && e->offset >= 0)
                rd_kafka_topic_partition_list_add(l, e->topic, e->partition)->offset = e->offset;
        }
    }
    rd_kafka_event_destroy(ev);
    if (rc != GROUP_OFFSETS_OK) {
        rd_kafka_topic_partition_list_destroy(l);
        return rc;
    }
    *out = l;
    return GROUP_OFFSETS_OK;
}

static bool topic_in_list(const char *list, const char *topic)
{
    size_t tlen = strlen(topic);
    for (const char *p = list; *p;) {
        p += strspn(p, " \t,");
        size_t len = strcspn(p, ",");
        size_t trimmed = len;
        while (trimmed > 0 && (p[trimmed - 1] == ' ' || p[trimmed - 1] == '\t'))
            trimmed--;
        if (trimmed == tlen && tlen > 0 && memcmp(p, topic, tlen) == 0)
            return true;
        p += len;
    }
    return false;
}

/* Every partition of the cluster's topics that the connector subscribes to. */
static int subscribed_partitions(group_offsets *g, rd_kafka_topic_partition_list_t **out,
                                 char *errstr, size_t errstr_size)
{
    regex_t re;
    bool use_re = g->topics == NULL && g->regex != NULL;
    if (use_re) {
        /* Java matches the whole name (Pattern.matcher().matches()), as the sink's
         * subscription does; the same anchoring as runtime/sink_task.c. */
        const char *body = g->regex[0] == '^' ? g->regex + 1 : g->regex;
        size_t len = strlen(body);
        if (len > 0 && body[len - 1] == '$' && (len < 2 || body[len - 2] != '\\'))
            len--;
        char *pat = NULL;
        if (asprintf(&pat, "^(%.*s)$", (int)len, body) < 0 ||
            regcomp(&re, pat, REG_EXTENDED | REG_NOSUB) != 0) {
            free(pat);
            snprintf(errstr, errstr_size, "cannot use topics.regex %s", g->regex);
            return GROUP_OFFSETS_ERR;
        }
        free(pat);
    }
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(8);
    if (g->topics != NULL || use_re) {
        /* All topics: asking for named ones would make auto-creating brokers create them. */
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_resp_err_t e = rd_kafka_metadata(g->rk, 1, NULL, &md, g->timeout_ms);
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
            snprintf(errstr, errstr_size, "cannot list topics: %s", rd_kafka_err2str(e));
            rd_kafka_topic_partition_list_destroy(l);
            if (use_re)
                regfree(&re);
            return GROUP_OFFSETS_ERR;
        }
        for (int i = 0; i < md->topic_cnt; i++) {
            const rd_kafka_metadata_topic_t *t = &md->topics[i];
            if (t->err != RD_KAFKA_RESP_ERR_NO_ERROR)
                continue;
            bool match =
                use_re ? strncmp(t->topic, "__", 2) != 0 && regexec(&re, t->topic, 0, NULL, 0) == 0
                       : topic_in_list(g->topics, t->topic);
            for (int p = 0; match && p < t->partition_cnt; p++)
                rd_kafka_topic_partition_list_add(l, t->topic, t->partitions[p].id);
        }
        rd_kafka_metadata_destroy(md);
    }
    if (use_re)
        regfree(&re);
    *out = l;
    return GROUP_OFFSETS_OK;
}

int group_offsets_list(group_offsets *g, rd_kafka_topic_partition_list_t **out, char *errstr,
                       size_t errstr_size)
{
    *out = NULL;
    rd_kafka_topic_partition_list_t *l = NULL;
    int rc = list_offsets(g, NULL, &l, errstr, errstr_size);
    if (rc != GROUP_OFFSETS_OK)
        return rc;
    if (l->cnt == 0) {
        /* Either the group has no offsets, or the broker does not answer an OffsetFetch for
         * all partitions (the mock): ask about the subscribed partitions by name. That is only
         * a second opinion: when it cannot be had (a Java-only regex, ...), the first answer
         * stands. */
        rd_kafka_topic_partition_list_t *parts = NULL, *named = NULL;
        char err[512] = "";
        if (subscribed_partitions(g, &parts, err, sizeof(err)) == GROUP_OFFSETS_OK &&
            parts->cnt > 0 &&
            list_offsets(g, parts, &named, err, sizeof(err)) == GROUP_OFFSETS_OK) {
            rd_kafka_topic_partition_list_destroy(l);
            l = named;
        } else if (err[0] != '\0') {
            LOG_DEBUG(GO_LOGGER, "group %s: listing the subscribed partitions failed: %s", g->group,
                      err);
        }
        if (parts != NULL)
            rd_kafka_topic_partition_list_destroy(parts);
    }
    rd_kafka_topic_partition_list_sort(l, NULL, NULL);
    *out = l;
    return GROUP_OFFSETS_OK;
}

/* Commit `offsets` as a member of the group: join it with a consumer subscribed to their
 * topics, commit with the generation it got, leave. Only for brokers that refuse commits from
 * outside a group once it has had members (librdkafka's mock cluster answers them with
 * UNKNOWN_MEMBER_ID forever, where a real broker accepts them for an empty group). */
static int member_commit(group_offsets *g, const rd_kafka_topic_partition_list_t *offsets,
                         char *errstr, size_t errstr_size)
{
    rd_kafka_conf_t *conf =
        clientconf_build(CLIENTCONF_CONSUMER, g->worker, g->config, errstr, errstr_size);
    if (conf == NULL)
        return GROUP_OFFSETS_ERR;
    char buf[600];
    rd_kafka_conf_set(conf, "group.id", g->group, NULL, 0);
    snprintf(buf, sizeof(buf), "connector-worker-offsets-%s", g->conn);
    rd_kafka_conf_set(conf, "client.id", buf, NULL, 0);
    rd_kafka_conf_set(conf, "enable.auto.commit", "false", NULL, 0);
    char kerr[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, kerr, sizeof(kerr));
    if (rk == NULL) {
        rd_kafka_conf_destroy(conf);
        snprintf(errstr, errstr_size, "cannot create a consumer for group %s: %s", g->group, kerr);
        return GROUP_OFFSETS_ERR;
    }
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(offsets->cnt);
    for (int i = 0; i < offsets->cnt; i++)
        if (rd_kafka_topic_partition_list_find(topics, offsets->elems[i].topic,
                                               RD_KAFKA_PARTITION_UA) == NULL)
            rd_kafka_topic_partition_list_add(topics, offsets->elems[i].topic,
                                              RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(rk, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    /* Joined once the group assigned us something (the only member gets every partition). */
    bool joined = false;
    for (int waited = 0; e == RD_KAFKA_RESP_ERR_NO_ERROR && !joined && waited < g->timeout_ms;
         waited += 100) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (m != NULL)
            rd_kafka_message_destroy(m);
        rd_kafka_topic_partition_list_t *a = NULL;
        if (rd_kafka_assignment(rk, &a) == RD_KAFKA_RESP_ERR_NO_ERROR && a != NULL) {
            joined = a->cnt > 0;
            if (joined)
                rd_kafka_pause_partitions(rk, a); /* nothing is to be read */
            rd_kafka_topic_partition_list_destroy(a);
        }
    }
    int rc = GROUP_OFFSETS_OK;
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR || !joined) {
        snprintf(errstr, errstr_size, "could not join group %s to commit its offsets: %s", g->group,
                 e ? rd_kafka_err2str(e) : "timed out");
        rc = GROUP_OFFSETS_ERR;
    } else {
        rd_kafka_topic_partition_list_t *copy = rd_kafka_topic_partition_list_copy(offsets);
        e = rd_kafka_commit(rk, copy, 0);
        for (int i = 0; e == RD_KAFKA_RESP_ERR_NO_ERROR && i < copy->cnt; i++)
            e = copy->elems[i].err;
        rd_kafka_topic_partition_list_destroy(copy);
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
            snprintf(errstr, errstr_size, "committing the offsets of group %s failed: %s", g->group,
                     rd_kafka_err2str(e));
            rc = GROUP_OFFSETS_ERR;
        }
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return rc;
}

/* OffsetCommit of `offsets` (all >= 0) on behalf of the group. */
static int commit_offsets(group_offsets *g, const rd_kafka_topic_partition_list_t *offsets,
                          char *errstr, size_t errstr_size)
{
    rd_kafka_AlterConsumerGroupOffsets_t *req =
        rd_kafka_AlterConsumerGroupOffsets_new(g->group, offsets);
    rd_kafka_AdminOptions_t *o = admin_options(g);
    rd_kafka_AlterConsumerGroupOffsets(g->rk, &req, 1, o, g->q);
    rd_kafka_AlterConsumerGroupOffsets_destroy(req);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_event_t *ev = admin_wait(g, RD_KAFKA_EVENT_ALTERCONSUMERGROUPOFFSETS_RESULT,
                                      "altering the offsets", errstr, errstr_size);
    if (ev == NULL)
        return GROUP_OFFSETS_ERR;
    size_t n = 0;
    const rd_kafka_group_result_t **groups = rd_kafka_AlterConsumerGroupOffsets_result_groups(
        rd_kafka_event_AlterConsumerGroupOffsets_result(ev), &n);
    int rc = groups_check(g, groups, n, RD_KAFKA_RESP_ERR_NO_ERROR, "altering the offsets", errstr,
                          errstr_size);
    rd_kafka_event_destroy(ev);
    /* A broker without DeleteGroups is no real broker of this century (the mock): there,
     * UNKNOWN_MEMBER_ID only means the group once had members, not that it has any now. */
    if (rc == GROUP_OFFSETS_ACTIVE && !broker_supports(g, GO_API_DELETE_GROUPS)) {
        LOG_WARN(GO_LOGGER,
                 "the broker refuses offset commits from outside group %s (%s); committing as a "
                 "member of the group instead",
                 g->group, errstr);
        rc = member_commit(g, offsets, errstr, errstr_size);
    }
    return rc;
}

/* Replace the offsets of `parts` by each partition's low watermark: the fallback for removing
 * committed offsets on brokers without OffsetDelete / DeleteGroups. */
static int commit_earliest(group_offsets *g, const rd_kafka_topic_partition_list_t *parts,
                           const char *why, char *errstr, size_t errstr_size)
{
    if (parts->cnt == 0)
        return GROUP_OFFSETS_OK;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(parts->cnt);
    for (int i = 0; i < parts->cnt; i++) {
        int64_t lo = -1, hi = -1;
        rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(
            g->rk, parts->elems[i].topic, parts->elems[i].partition, &lo, &hi, g->timeout_ms);
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
            snprintf(errstr, errstr_size, "cannot read the earliest offset of %s-%d: %s",
                     parts->elems[i].topic, (int)parts->elems[i].partition, rd_kafka_err2str(e));
            rd_kafka_topic_partition_list_destroy(l);
            return GROUP_OFFSETS_ERR;
        }
        rd_kafka_topic_partition_list_add(l, parts->elems[i].topic, parts->elems[i].partition)
            ->offset = lo < 0 ? 0 : lo;
    }
    LOG_WARN(GO_LOGGER,
             "the broker does not support %s: group %s of connector %s gets the earliest offsets "
             "of %d partition(s) committed instead of having them removed",
             why, g->group, g->conn, l->cnt);
    int rc = commit_offsets(g, l, errstr, errstr_size);
    rd_kafka_topic_partition_list_destroy(l);
    return rc;
}

static int delete_partition_offsets(group_offsets *g, const rd_kafka_topic_partition_list_t *parts,
                                    char *errstr, size_t errstr_size)
{
    if (!broker_supports(g, GO_API_OFFSET_DELETE))
        return commit_earliest(g, parts, "OffsetDelete (DeleteConsumerGroupOffsets)", errstr,
                               errstr_size);
    rd_kafka_DeleteConsumerGroupOffsets_t *req =
        rd_kafka_DeleteConsumerGroupOffsets_new(g->group, parts);
    rd_kafka_AdminOptions_t *o = admin_options(g);
    rd_kafka_DeleteConsumerGroupOffsets(g->rk, &req, 1, o, g->q);
    rd_kafka_DeleteConsumerGroupOffsets_destroy(req);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_event_t *ev = admin_wait(g, RD_KAFKA_EVENT_DELETECONSUMERGROUPOFFSETS_RESULT,
                                      "deleting offsets", errstr, errstr_size);
    if (ev == NULL)
        return GROUP_OFFSETS_ERR;
    size_t n = 0;
    const rd_kafka_group_result_t **groups = rd_kafka_DeleteConsumerGroupOffsets_result_groups(
        rd_kafka_event_DeleteConsumerGroupOffsets_result(ev), &n);
    /* A group that does not exist has no offsets to delete. */
    int rc = groups_check(g, groups, n, RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND, "deleting offsets",
                          errstr, errstr_size);
    rd_kafka_event_destroy(ev);
    return rc;
}

int group_offsets_alter(group_offsets *g, const rd_kafka_topic_partition_list_t *offsets,
                        char *errstr, size_t errstr_size)
{
    rd_kafka_topic_partition_list_t *commit =
        rd_kafka_topic_partition_list_new(offsets->cnt > 0 ? offsets->cnt : 1);
    rd_kafka_topic_partition_list_t *remove =
        rd_kafka_topic_partition_list_new(offsets->cnt > 0 ? offsets->cnt : 1);
    int rc = GROUP_OFFSETS_OK;
    for (int i = 0; i < offsets->cnt && rc == GROUP_OFFSETS_OK; i++) {
        const rd_kafka_topic_partition_t *e = &offsets->elems[i];
        if (e->partition < 0 || (e->offset < 0 && e->offset != RD_KAFKA_OFFSET_INVALID)) {
            snprintf(errstr, errstr_size, "invalid offset %lld for %s-%d", (long long)e->offset,
                     e->topic, (int)e->partition);
            rc = GROUP_OFFSETS_ERR;
            break;
        }
        rd_kafka_topic_partition_list_t *dst = e->offset >= 0 ? commit : remove;
        rd_kafka_topic_partition_list_add(dst, e->topic, e->partition)->offset = e->offset;
    }
    if (rc == GROUP_OFFSETS_OK && commit->cnt > 0)
        rc = commit_offsets(g, commit, errstr, errstr_size);
    if (rc == GROUP_OFFSETS_OK && remove->cnt > 0)
        rc = delete_partition_offsets(g, remove, errstr, errstr_size);
    rd_kafka_topic_partition_list_destroy(commit);
    rd_kafka_topic_partition_list_destroy(remove);
    return rc;
}

int group_offsets_reset(group_offsets *g, char *errstr, size_t errstr_size)
{
    if (!broker_supports(g, GO_API_DELETE_GROUPS)) {
        rd_kafka_topic_partition_list_t *l = NULL;
        int rc = group_offsets_list(g, &l, errstr, errstr_size);
        if (rc == GROUP_OFFSETS_OK)
            rc = commit_earliest(g, l, "DeleteGroups", errstr, errstr_size);
        if (l != NULL)
            rd_kafka_topic_partition_list_destroy(l);
        return rc;
    }
    rd_kafka_DeleteGroup_t *req = rd_kafka_DeleteGroup_new(g->group);
    rd_kafka_AdminOptions_t *o = admin_options(g);
    rd_kafka_DeleteGroups(g->rk, &req, 1, o, g->q);
    rd_kafka_DeleteGroup_destroy(req);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_event_t *ev =
        admin_wait(g, RD_KAFKA_EVENT_DELETEGROUPS_RESULT, "deleting", errstr, errstr_size);
    if (ev == NULL)
        return GROUP_OFFSETS_ERR;
    size_t n = 0;
    const rd_kafka_group_result_t **groups =
        rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(ev), &n);
    /* Resetting is idempotent: a group already gone (GroupIdNotFoundException) is fine. */
    int rc = groups_check(g, groups, n, RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND, "deleting", errstr,
                          errstr_size);
    rd_kafka_event_destroy(ev);
    return rc;
}
