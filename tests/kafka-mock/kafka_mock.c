/* tests/kafka-mock/kafka_mock.c: a standalone Kafka-protocol cluster (librdkafka's mock brokers,
 * via worker/kafka/devcluster.c) for system tests and development, driven from stdin. */
#define _GNU_SOURCE
#include "kafka/devcluster.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MOCK_MAX_TOPICS 256
#define MOCK_LINE_MAX 4096

static volatile sig_atomic_t g_stop;

static void mock_on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static const char k_usage[] =
    "usage: kafka-mock [--brokers N] [--topic NAME[:PARTITIONS]]... [--no-stdin]\n"
    "Starts N (default 3) mock Kafka brokers on 127.0.0.1, prints bootstrap.servers as the\n"
    "first line of stdout, then runs until SIGTERM/SIGINT or (unless --no-stdin) stdin EOF.\n"
    "Topics default to 4 partitions, replication factor min(3, N).\n";

static const char k_help[] =
    "ok commands: down ID | up ID | rtt ID MS | topic NAME PARTITIONS | "
    "leader TOPIC PARTITION ID | coordinator group|transaction KEY ID | help | quit "
    "(ID: broker id, or -1 for all)";

/* Reply on stdout and flush: the driving process waits for exactly one line per command. */
static void mock_reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void mock_reply(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
}

static int mock_parse_int(const char *s, long lo, long hi, int32_t *out)
{
    if (s == NULL)
        return -1;
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = (int32_t)v;
    return 0;
}

/* Run one command line (NUL-terminated, no newline). Returns 1 when asked to quit. */
static int mock_command(kafka_devcluster *dc, char *line)
{
    char *argv[6];
    int argc = 0;
    char *save = NULL;
    for (char *tok = strtok_r(line, " \t\r", &save); tok; tok = strtok_r(NULL, " \t\r", &save)) {
        if (argc == (int)(sizeof(argv) / sizeof(argv[0]))) {
            mock_reply("error: too many arguments");
            return 0;
        }
        argv[argc++] = tok;
    }
    if (argc == 0)
        return 0; /* blank line: nothing to answer */

    char err[512] = "";
    int rc = 0;
    int32_t id = 0, n = 0;
    const char *cmd = argv[0];
    if (strcmp(cmd, "down") == 0 || strcmp(cmd, "up") == 0) {
        if (argc != 2 || mock_parse_int(argv[1], -1, INT32_MAX, &id) != 0) {
            mock_reply("error: usage: %s ID", cmd);
            return 0;
        }
        rc = cmd[0] == 'd' ? kafka_devcluster_broker_down(dc, id, err, sizeof(err))
                           : kafka_devcluster_broker_up(dc, id, err, sizeof(err));
    } else if (strcmp(cmd, "rtt") == 0) {
        if (argc != 3 || mock_parse_int(argv[1], -1, INT32_MAX, &id) != 0 ||
            mock_parse_int(argv[2], 0, 3600000, &n) != 0) {
            mock_reply("error: usage: rtt ID MS (MS 0-3600000)");
            return 0;
        }
        rc = kafka_devcluster_broker_rtt(dc, id, (int)n, err, sizeof(err));
    } else if (strcmp(cmd, "topic") == 0) {
        if (argc != 3 || mock_parse_int(argv[2], 1, 10000, &n) != 0) {
            mock_reply("error: usage: topic NAME PARTITIONS (PARTITIONS 1-10000)");
            return 0;
        }
        char spec[300];
        if (strchr(argv[1], ':') ||
            (size_t)snprintf(spec, sizeof(spec), "%s:%d", argv[1], (int)n) >= sizeof(spec)) {
            mock_reply("error: invalid topic name");
            return 0;
        }
        rc = kafka_devcluster_create_topic(dc, spec, err, sizeof(err));
    } else if (strcmp(cmd, "leader") == 0) {
        int32_t part = 0;
        if (argc != 4 || mock_parse_int(argv[2], 0, INT32_MAX, &part) != 0 ||
            mock_parse_int(argv[3], -1, INT32_MAX, &id) != 0) {
            mock_reply("error: usage: leader TOPIC PARTITION ID");
            return 0;
        }
        rc = kafka_devcluster_partition_leader(dc, argv[1], part, id, err, sizeof(err));
    } else if (strcmp(cmd, "coordinator") == 0) {
        if (argc != 4 || mock_parse_int(argv[3], 1, INT32_MAX, &id) != 0) {
            mock_reply("error: usage: coordinator group|transaction KEY ID");
            return 0;
        }
        rc = kafka_devcluster_coordinator(dc, argv[1], argv[2], id, err, sizeof(err));
    } else if (strcmp(cmd, "help") == 0) {
        mock_reply("%s", k_help);
        return 0;
    } else if (strcmp(cmd, "quit") == 0 || strcmp(cmd, "exit") == 0) {
        mock_reply("ok");
        return 1;
    } else {
        mock_reply("error: unknown command '%.100s' (try help)", cmd);
        return 0;
    }
    if (rc == 0) {
        fprintf(stderr, "kafka-mock: %s%s%s%s%s%s%s\n", cmd, argc > 1 ? " " : "",
                argc > 1 ? argv[1] : "", argc > 2 ? " " : "", argc > 2 ? argv[2] : "",
                argc > 3 ? " " : "", argc > 3 ? argv[3] : "");
        mock_reply("ok");
    } else {
        mock_reply("error: %s", err);
    }
    return 0;
}

/* Read commands from stdin until EOF, quit or a signal. A line longer than MOCK_LINE_MAX is
 * answered with an error and skipped. */
static void mock_serve_stdin(kafka_devcluster *dc)
{
    static char buf[MOCK_LINE_MAX + 1];
    size_t len = 0;
    int overlong = 0;
    while (!g_stop) {
        struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
        int pr = poll(&pfd, 1, 250);
        if (pr < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "kafka-mock: poll(stdin): %s\n", strerror(errno));
            return;
        }
        if (pr == 0)
            continue;
        ssize_t r = read(STDIN_FILENO, buf + len, MOCK_LINE_MAX - len);
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            fprintf(stderr, "kafka-mock: read(stdin): %s\n", strerror(errno));
            return;
        }
        if (r == 0) {
            if (len > 0 && !overlong) { /* last line without a newline */
                buf[len] = '\0';
                mock_command(dc, buf);
            }
            fprintf(stderr, "kafka-mock: stdin closed, shutting down\n");
            return;
        }
        len += (size_t)r;
        char *start = buf;
        char *nl;
        while ((nl = memchr(start, '\n', len - (size_t)(start - buf))) != NULL) {
            *nl = '\0';
            if (overlong) {
                overlong = 0;
            } else if (strlen(start) != (size_t)(nl - start)) {
                /* A NUL would silently cut the command short: refuse it instead. */
                mock_reply("error: NUL byte in command");
            } else if (mock_command(dc, start)) {
                return;
            }
            start = nl + 1;
        }
        len -= (size_t)(start - buf);
        memmove(buf, start, len);
        if (len == MOCK_LINE_MAX) {
            if (!overlong)
                mock_reply("error: line too long (max %d bytes)", MOCK_LINE_MAX);
            overlong = 1;
            len = 0;
        }
    }
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"brokers", required_argument, NULL, 'b'},
        {"topic", required_argument, NULL, 't'},
        {"no-stdin", no_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *topics[MOCK_MAX_TOPICS + 1];
    int ntopics = 0;
    int brokers = 3;
    int use_stdin = 1;
    int c;
    while ((c = getopt_long(argc, argv, "b:t:nh", opts, NULL)) != -1) {
        int32_t v = 0;
        switch (c) {
        case 'b':
            if (mock_parse_int(optarg, 1, 64, &v) != 0) {
                fprintf(stderr, "kafka-mock: --brokers wants 1-64, got '%s'\n", optarg);
                return 2;
            }
            brokers = (int)v;
            break;
        case 't':
            if (ntopics == MOCK_MAX_TOPICS) {
                fprintf(stderr, "kafka-mock: too many --topic (max %d)\n", MOCK_MAX_TOPICS);
                return 2;
            }
            topics[ntopics++] = optarg;
            break;
        case 'n':
            use_stdin = 0;
            break;
        case 'h':
            fputs(k_usage, stdout);
            return 0;
        default:
            fputs(k_usage, stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "kafka-mock: unexpected argument '%s'\n", argv[optind]);
        fputs(k_usage, stderr);
        return 2;
    }
    topics[ntopics] = NULL;

    /* Signals only set a flag; the stdin loop polls with a timeout and sees it. SIGPIPE is
     * ignored so that a parent that stopped reading our replies cannot kill the brokers. */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = mock_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    char err[512];
    kafka_devcluster *dc = kafka_devcluster_start(brokers, topics, err, sizeof(err));
    if (dc == NULL) {
        fprintf(stderr, "kafka-mock: %s\n", err);
        return 1;
    }
    printf("%s\n", kafka_devcluster_bootstraps(dc));
    fflush(stdout);
    fprintf(stderr, "kafka-mock: %d broker(s) at %s", brokers, kafka_devcluster_bootstraps(dc));
    for (int i = 0; i < ntopics; i++)
        fprintf(stderr, "%s%s", i == 0 ? ", topics " : " ", topics[i]);
    fprintf(stderr, "\n");

    if (use_stdin) {
        mock_serve_stdin(dc);
    } else {
        while (!g_stop)
            pause();
    }
    if (g_stop)
        fprintf(stderr, "kafka-mock: signal received, shutting down\n");
    kafka_devcluster_stop(dc);
    return 0;
}
