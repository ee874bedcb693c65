/* bench/raw_kafka.c: the baseline for `make bench`: raw librdkafka produce and consume
 * throughput, with the same client settings the worker's connector clients get (clientconf). */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kafka/clientconf.h"
#include "util/log.h"

typedef struct raw_opts {
    const char *mode;
    const char *bootstrap;
    const char *topic;
    long long count;
    long long size;
    int timeout_s;   /* give up after this long without progress */
    int json;        /* produce JSON documents */
    sl_props *props; /* worker-style properties: bootstrap.servers plus -X as producer./consumer. */
} raw_opts;

static volatile sig_atomic_t g_stop;

static void raw_on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static double raw_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void raw_usage(FILE *fp)
{
    fputs("usage: raw_kafka produce --bootstrap B --topic T --count N [--size S] [--json] [-X k=v]...\n"
          "       raw_kafka consume --bootstrap B --topic T --count N [-X k=v]...\n"
          "Measures raw librdkafka throughput with the worker's connector client settings\n"
          "(-X keys use Java or librdkafka names, as producer.*/consumer.* worker keys do).\n"
          "Prints one line: raw_produce|raw_consume records=N size=BYTES seconds=S rps=R mbps=M\n"
          "Options: --timeout SECONDS without progress before giving up (default 120);\n"
          "         --verbose to show librdkafka's debug lines (with -X debug=...).\n",
          fp);
}

/* ---- produce ---- */

typedef struct raw_dr_state {
    long long delivered;
    long long failed;
    rd_kafka_resp_err_t first_err;
} raw_dr_state;

static void raw_dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    raw_dr_state *st = opaque;
    if (m->err) {
        if (st->failed++ == 0)
            st->first_err = m->err;
    } else {
        st->delivered++;
    }
}

static int raw_produce(const raw_opts *o)
{
    char err[512];
    rd_kafka_conf_t *conf = clientconf_build(CLIENTCONF_PRODUCER, o->props, NULL, err, sizeof(err));
    if (conf == NULL) {
        fprintf(stderr, "raw_kafka: %s\n", err);
        return 1;
    }
    raw_dr_state st = {0};
    rd_kafka_conf_set_opaque(conf, &st);
    rd_kafka_conf_set_dr_msg_cb(conf, raw_dr_cb);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    if (rk == NULL) {
        fprintf(stderr, "raw_kafka: producer: %s\n", err);
        rd_kafka_conf_destroy(conf);
        return 1;
    }
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, o->topic, NULL);
    /* One shared payload, passed without copying: the cheapest a producer can be fed. */
    char *payload = malloc((size_t)o->size + 1);
    if (payload == NULL || rkt == NULL) {
        fprintf(stderr, "raw_kafka: out of memory\n");
        return 1;
    }
    for (long long i = 0; i < o->size; i++)
        payload[i] = (char)('a' + i % 26);
    if (o->json) {
        /* A JSON document of exactly `size` bytes with typical field types, for the
         * JsonConverter rows: {"id":..,"user":..,"score":..,"active":..,"tags":[..],"pad":".."} */
        static const char head[] =
            "{\"id\":1234567,\"user\":\"user-1234567\",\"score\":98.25,\"active\":true,"
            "\"tags\":[\"a\",\"bc\"],\"pad\":\"";
        long long fixed = (long long)sizeof(head) - 1 + 2;
        if (o->size < fixed) {
            fprintf(stderr, "raw_kafka: --json needs --size >= %lld\n", fixed);
            return 1;
        }
        memcpy(payload, head, sizeof(head) - 1);
        memcpy(payload + o->size - 2, "\"}", 2);
    }

    double t0 = raw_now(), last_progress = t0;
    long long sent = 0, last_delivered = 0;
    while (sent < o->count && !g_stop) {
        if (rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, 0, payload, (size_t)o->size, NULL, 0,
                             NULL) == 0) {
            sent++;
            continue;
        }
        rd_kafka_resp_err_t e = rd_kafka_last_error();
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            fprintf(stderr, "raw_kafka: produce: %s\n", rd_kafka_err2str(e));
            break;
        }
        rd_kafka_poll(rk, 1); /* queue full: serve delivery reports to make room */
        if (st.delivered != last_delivered) {
            last_delivered = st.delivered;
            last_progress = raw_now();
        } else if (raw_now() - last_progress > o->timeout_s) {
            fprintf(stderr, "raw_kafka: no delivery for %d s\n", o->timeout_s);
            g_stop = 1;
        }
    }
    while (!g_stop && st.delivered + st.failed < sent) {
        rd_kafka_poll(rk, 100);
        if (st.delivered != last_delivered) {
            last_delivered = st.delivered;
            last_progress = raw_now();
        } else if (raw_now() - last_progress > o->timeout_s) {
            fprintf(stderr, "raw_kafka: no delivery for %d s\n", o->timeout_s);
            break;
        }
    }
    double secs = raw_now() - t0;
    int rc = (st.delivered == o->count && st.failed == 0) ? 0 : 1;
    if (st.failed)
        fprintf(stderr, "raw_kafka: %lld deliveries failed, first: %s\n", st.failed,
                rd_kafka_err2str(st.first_err));
    printf("raw_produce records=%lld size=%lld seconds=%.3f rps=%.0f mbps=%.1f\n", st.delivered,
           o->size, secs, secs > 0 ? (double)st.delivered / secs : 0.0,
           secs > 0 ? (double)st.delivered * (double)o->size / secs / 1e6 : 0.0);
    fflush(stdout);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_flush(rk, 5000);
    rd_kafka_destroy(rk);
    free(payload);
    return rc;
}

/* ---- consume ---- */

static int raw_consume(const raw_opts *o)
{
    char err[512];
    rd_kafka_conf_t *conf = clientconf_build(CLIENTCONF_CONSUMER, o->props, NULL, err, sizeof(err));
    if (conf == NULL) {
        fprintf(stderr, "raw_kafka: %s\n", err);
        return 1;
    }
    /* A fresh group every run, so the committed offsets of a previous run never apply. */
    char group[128];
    snprintf(group, sizeof(group), "raw-bench-%d-%lld", (int)getpid(), (long long)time(NULL));
    if (rd_kafka_conf_set(conf, "group.id", group, err, sizeof(err)) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "raw_kafka: %s\n", err);
        rd_kafka_conf_destroy(conf);
        return 1;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    if (rk == NULL) {
        fprintf(stderr, "raw_kafka: consumer: %s\n", err);
        rd_kafka_conf_destroy(conf);
        return 1;
    }
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, o->topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(rk, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (e) {
        fprintf(stderr, "raw_kafka: subscribe: %s\n", rd_kafka_err2str(e));
        rd_kafka_destroy(rk);
        return 1;
    }

    long long got = 0, bytes = 0;
    double t_first = 0, t_last = 0, last_progress = raw_now();
    /* The fastest plain librdkafka consumer: batches straight off the consumer queue (the
     * same calls a sink task makes), so the ratio compares pipelines, not poll styles. */
    rd_kafka_queue_t *q = rd_kafka_queue_get_consumer(rk);
    rd_kafka_message_t *batch[1000];
    while (got < o->count && !g_stop) {
        ssize_t n = rd_kafka_consume_batch_queue(q, 100, batch, 1000);
        if (n <= 0) {
            if (raw_now() - last_progress > o->timeout_s) {
                fprintf(stderr, "raw_kafka: no message for %d s\n", o->timeout_s);
                break;
            }
            continue;
        }
        for (ssize_t i = 0; i < n; i++) {
            rd_kafka_message_t *m = batch[i];
            if (m->err) {
                if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                    fprintf(stderr, "raw_kafka: consume: %s\n", rd_kafka_message_errstr(m));
            } else if (got < o->count) {
                if (got == 0)
                    t_first = raw_now();
                got++;
                bytes += (long long)m->len;
                if (got == o->count)
                    t_last = raw_now();
            }
            rd_kafka_message_destroy(m);
        }
        last_progress = raw_now();
    }
    rd_kafka_queue_destroy(q);
    if (t_last == 0)
        t_last = raw_now();
    /* From the first record to the Nth: excludes group join and the first fetch. */
    double secs = got > 1 ? t_last - t_first : 0.0;
    printf("raw_consume records=%lld size=%lld seconds=%.3f rps=%.0f mbps=%.1f\n", got,
           got ? bytes / got : 0, secs, secs > 0 ? (double)got / secs : 0.0,
           secs > 0 ? (double)bytes / secs / 1e6 : 0.0);
    fflush(stdout);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return got == o->count ? 0 : 1;
}

static int raw_parse_ll(const char *s, long long lo, long long hi, long long *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "produce") != 0 && strcmp(argv[1], "consume") != 0)) {
        raw_usage(argc >= 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr);
        return argc >= 2 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
    }
    raw_opts o = {.mode = argv[1], .size = 100, .count = -1, .timeout_s = 120};
    o.props = sl_props_new();
    const char *prefix = strcmp(o.mode, "produce") == 0 ? "producer." : "consumer.";
    static const struct option opts[] = {
        {"bootstrap", required_argument, NULL, 'b'}, {"topic", required_argument, NULL, 't'},
        {"count", required_argument, NULL, 'c'},     {"size", required_argument, NULL, 's'},
        {"timeout", required_argument, NULL, 'T'},   {"help", no_argument, NULL, 'h'},
        {"verbose", no_argument, NULL, 'v'},         {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    int c;
    long long v = 0;
    optind = 2;
    while ((c = getopt_long(argc, argv, "b:t:c:s:T:X:hv", opts, NULL)) != -1) {
        switch (c) {
        case 'b':
            o.bootstrap = optarg;
            break;
        case 't':
            o.topic = optarg;
            break;
        case 'c':
            if (raw_parse_ll(optarg, 1, 1000000000000LL, &o.count) != 0)
                goto bad;
            break;
        case 's':
            if (raw_parse_ll(optarg, 0, 100000000, &o.size) != 0)
                goto bad;
            break;
        case 'T':
            if (raw_parse_ll(optarg, 1, 86400, &v) != 0)
                goto bad;
            o.timeout_s = (int)v;
            break;
        case 'X': {
            char *eq = strchr(optarg, '=');
            if (eq == NULL || eq == optarg)
                goto bad;
            char key[512];
            snprintf(key, sizeof(key), "%s%.*s", prefix, (int)(eq - optarg), optarg);
            sl_props_set(o.props, key, eq + 1);
            break;
        }
        case 'j': /* produce JSON documents instead of letters */
            o.json = 1;
            break;
        case 'v': /* show librdkafka's debug lines (-X debug=...) */
            log_set_level(SL_LOG_DEBUG);
            break;
        case 'h':
            raw_usage(stdout);
            return 0;
        default:
            goto bad;
        }
    }
    if (!o.bootstrap || !o.topic || o.count < 1 || optind != argc)
        goto bad;
    sl_props_set(o.props, "bootstrap.servers", o.bootstrap);

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = raw_on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    int rc = strcmp(o.mode, "produce") == 0 ? raw_produce(&o) : raw_consume(&o);
    sl_props_destroy(o.props);
    return rc;

bad:
    raw_usage(stderr);
    sl_props_destroy(o.props);
    return 2;
}
