/* main.c: sluice-worker's command line: distributed mode (connect-distributed), standalone mode
 * (connect-standalone) and development mode (an in-process Kafka cluster); signals, shutdown. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "config/configdef.h"
#include "config/framework_defs.h"
#include "config/properties.h"
#include "config/providers.h"
#include "herder/distributed.h"
#include "herder/standalone.h"
#include "kafka/clientconf.h"
#include "kafka/devcluster.h"
#include "plugin/registry.h"
#include "rest/server.h"
#include "store/offset_log.h"
#include "store/offset_store.h"
#include "util/log.h"
#include "version.h"

#define LG "main"

typedef enum mode { MODE_DISTRIBUTED, MODE_STANDALONE, MODE_DEV } mode;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: sluice-worker [options] worker.properties\n"
            "       sluice-worker --standalone [options] worker.properties [connector ...]\n"
            "       sluice-worker --dev [options] [connector ...]\n"
            "\n"
            "  (no mode option)    distributed mode: join the cluster named by group.id\n"
            "  --standalone        run connectors from files, offsets in a local file\n"
            "  --dev               start an in-process Kafka cluster and a standalone worker\n"
            "                      with REST on port 8083 (for trying Sluice out)\n"
            "  --plugin-path DIRS  comma-separated plugin directories (overrides plugin.path)\n"
            "  --port N            REST port in --dev mode (default 8083)\n"
            "  --log-level LEVEL   ERROR, WARN, INFO (default), DEBUG or TRACE\n"
            "  --version           print the version and exit\n"
            "\n"
            "Connector files are Java properties or JSON ({\"name\":...,\"config\":{...}} or a\n"
            "flat object), as connect-standalone takes them.\n");
}

/* The directory holding the executable, for default paths in --dev mode. */
static void exe_dir(char *buf, size_t len)
{
    ssize_t n = readlink("/proc/self/exe", buf, len - 1);
    if (n <= 0) {
        snprintf(buf, len, ".");
        return;
    }
    buf[n] = '\0';
    char *slash = strrchr(buf, '/');
    if (slash)
        *slash = '\0';
}

/* Fill in what --dev mode needs and the user did not say. */
static int dev_defaults(sl_props *wp, int port, kafka_devcluster **cluster, char *err,
                        size_t errlen)
{
    *cluster = kafka_devcluster_start(1, NULL, err, errlen);
    if (*cluster == NULL)
        return SL_ERR;
    sl_props_set(wp, "bootstrap.servers", kafka_devcluster_bootstraps(*cluster));
    char buf[PATH_MAX + 64];
    static const char *const defaults[][2] = {
        {"key.converter", "org.apache.kafka.connect.json.JsonConverter"},
        {"value.converter", "org.apache.kafka.connect.json.JsonConverter"},
        {"key.converter.schemas.enable", "false"},
        {"value.converter.schemas.enable", "false"},
        {"offset.flush.interval.ms", "5000"},
    };
    for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
        if (!sl_props_has(wp, defaults[i][0]))
            sl_props_set(wp, defaults[i][0], defaults[i][1]);
    if (!sl_props_has(wp, "listeners")) {
        /* A development worker answers this machine only. */
        snprintf(buf, sizeof(buf), "http://127.0.0.1:%d", port);
        sl_props_set(wp, "listeners", buf);
    }
    if (!sl_props_has(wp, "offset.storage.file.filename")) {
        snprintf(buf, sizeof(buf), "/tmp/sluice-dev-%d.offsets", (int)getpid());
        sl_props_set(wp, "offset.storage.file.filename", buf);
    }
    if (!sl_props_has(wp, "plugin.path")) {
        char dir[PATH_MAX];
        exe_dir(dir, sizeof(dir));
        snprintf(buf, sizeof(buf), "%s/../plugins", dir);
        sl_props_set(wp, "plugin.path", buf);
    }
    return SL_OK;
}

/* Validate the worker config against Connect's worker definitions; print every error. */
static int check_worker_config(const char *origin, const sl_props *wp, bool distributed)
{
    config_result *res = NULL;
    const sl_config_def *const *tables;
    size_t ntables = framework_worker_tables(distributed, &tables);
    sl_config *cfg = config_parse(tables, ntables, wp, &res);
    size_t n = config_result_error_count(res);
    for (size_t i = 0; i < n; i++) {
        const char *key = NULL, *msg = NULL;
        config_result_error_at(res, i, &key, &msg);
        LOG_ERROR(LG, "%s: %s", origin, msg);
    }
    config_result_free(res);
    config_free(cfg);
    return n == 0 ? SL_OK : SL_ERR;
}

/* config.providers (reference §4): build the providers, then resolve the worker config's own
 * variables, as Kafka's AbstractConfig does for every config it is given. A bad provider
 * setting or an unresolvable variable is a start-up error naming the key. */
static int setup_providers(const char *origin, sl_props **wp, config_providers **out)
{
    char err[2048];
    if (providers_new(*wp, out, err, sizeof(err)) != SL_OK) {
        LOG_ERROR(LG, "%s: %s", origin, err);
        return SL_ERR;
    }
    if (*out == NULL)
        return SL_OK;
    sl_props *resolved = NULL;
    if (providers_resolve(*out, *wp, &resolved, err, sizeof(err)) != SL_OK) {
        LOG_ERROR(LG, "%s: %s", origin, err);
        return SL_ERR;
    }
    sl_props_destroy(*wp);
    *wp = resolved;
    LOG_INFO(LG, "config providers: %s", sl_props_get(resolved, "config.providers"));
    return SL_OK;
}

/* The Kafka cluster id for GET /, asked once at start-up (NULL if the cluster is unreachable
 * within a few seconds; the worker still starts). Caller frees. */
static char *fetch_cluster_id(const sl_props *wp)
{
    char err[512];
    rd_kafka_conf_t *conf = clientconf_build(CLIENTCONF_INTERNAL_ADMIN, wp, NULL, err, sizeof(err));
    if (conf == NULL)
        return NULL;
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    if (rk == NULL) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    char *id = rd_kafka_clusterid(rk, 5000);
    char *copy = id ? strdup(id) : NULL;
    if (id)
        rd_kafka_mem_free(rk, id);
    rd_kafka_destroy(rk);
    if (copy == NULL)
        LOG_WARN(LG, "could not read the Kafka cluster id from %s",
                 sl_props_get(wp, "bootstrap.servers"));
    return copy;
}

/* "host:port" from an advertised URL such as "http://10.0.0.5:8083/". */
static void worker_id_from_url(const char *url, char *out, size_t len)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    snprintf(out, len, "%s", p);
    char *slash = strchr(out, '/');
    if (slash)
        *slash = '\0';
}

static void print_dev_banner(const char *bootstrap, int port)
{
    printf("\nSluice %s development worker is up.\n"
           "  Kafka (in-process mock cluster): %s\n"
           "  REST API:                        http://localhost:%d/\n\n"
           "Try:\n"
           "  curl -s localhost:%d/connector-plugins\n"
           "  curl -s -X POST -H 'Content-Type: application/json' localhost:%d/connectors \\\n"
           "    -d '{\"name\":\"demo-source\",\"config\":{\"connector.class\":\"FileStreamSource\","
           "\"file\":\"/etc/os-release\",\"topic\":\"demo\"}}'\n"
           "  curl -s -X POST -H 'Content-Type: application/json' localhost:%d/connectors \\\n"
           "    -d '{\"name\":\"demo-sink\",\"config\":{\"connector.class\":\"FileStreamSink\","
           "\"file\":\"/tmp/demo-sink.txt\",\"topics\":\"demo\"}}'\n"
           "  curl -s localhost:%d/connectors?expand=status\n"
           "  kcat -b %s -C -t demo -e\n\n"
           "Stop with Ctrl-C.\n\n",
           SLUICE_VERSION, bootstrap, port, port, port, port, port, bootstrap);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    mode m = MODE_DISTRIBUTED;
    const char *plugin_path = NULL;
    int port = 8083;
    static const struct option opts[] = {
        {"standalone", no_argument, NULL, 's'},  {"dev", no_argument, NULL, 'd'},
        {"plugin-path", required_argument, NULL, 'p'}, {"port", required_argument, NULL, 'P'},
        {"log-level", required_argument, NULL, 'l'}, {"version", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 's': m = MODE_STANDALONE; break;
        case 'd': m = MODE_DEV; break;
        case 'p': plugin_path = optarg; break;
        case 'P': port = atoi(optarg); break;
        case 'l': {
            int lvl = log_level_parse(optarg);
            if (lvl < 0) {
                fprintf(stderr, "sluice-worker: unknown log level '%s'\n", optarg);
                return 2;
            }
            log_set_level((sl_log_level)lvl);
            break;
        }
        case 'v': printf("sluice-worker %s (%s)\n", SLUICE_VERSION, SLUICE_COMMIT); return 0;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (m == MODE_DISTRIBUTED && optind + 1 != argc) {
        usage(stderr);
        return 2;
    }
    if (m == MODE_STANDALONE && optind >= argc) {
        usage(stderr);
        return 2;
    }

    /* Signals are taken by sigwait in main only; every thread started later inherits the mask. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    char err[2048];
    int rc = 1;
    sl_props *wp = NULL;
    const char *origin = "(defaults)";
    int first_conn = optind;
    if (m == MODE_STANDALONE || m == MODE_DISTRIBUTED) {
        origin = argv[optind];
        if (properties_parse_file(origin, &wp, err, sizeof(err)) != SL_OK) {
            LOG_ERROR(LG, "%s", err);
            return 1;
        }
        first_conn = optind + 1;
    } else {
        wp = sl_props_new();
    }
    if (plugin_path)
        sl_props_set(wp, "plugin.path", plugin_path);

    kafka_devcluster *cluster = NULL;
    standalone_herder *herder = NULL;
    distributed_herder *dherder = NULL;
    rest_server *rest = NULL;
    char *cluster_id = NULL;
    config_providers *providers = NULL;
    if (m == MODE_DEV && dev_defaults(wp, port, &cluster, err, sizeof(err)) != SL_OK) {
        LOG_ERROR(LG, "cannot start the development Kafka cluster: %s", err);
        goto out;
    }
    if (setup_providers(origin, &wp, &providers) != SL_OK)
        goto out;
    /* Before any thread that resolves connector configs (herder, runtime, REST) starts. */
    providers_install(providers);
    if (registry_init() != SL_OK) {
        LOG_ERROR(LG, "cannot initialise the plugin registry");
        goto out;
    }
    const char *pp = sl_props_get(wp, "plugin.path");
    if (pp && *pp)
        registry_load_path(pp);
    /* After plugin loading, as Connect does, so converter classes resolve. */
    if (check_worker_config(origin, wp, m == MODE_DISTRIBUTED) != SL_OK)
        goto out;

    /* Distributed: the offsets topic is created if missing and read to its end here; the
     * config and status topics are opened by the herder, before it joins the group. */
    offset_store *offsets =
        m == MODE_DISTRIBUTED
            ? offset_log_open(wp, err, sizeof(err))
            : offset_file_open(sl_props_get(wp, "offset.storage.file.filename"), err,
                               sizeof(err));
    if (offsets == NULL) {
        LOG_ERROR(LG, "%s", err);
        goto out;
    }

    const char *listeners = sl_props_get(wp, "listeners");
    const char *adv_port = sl_props_get(wp, "rest.advertised.port");
    rest_options ropts = {
        .advertised_host = sl_props_get(wp, "rest.advertised.host.name"),
        .advertised_port = adv_port ? atoi(adv_port) : 0,
        .advertised_listener = sl_props_get(wp, "rest.advertised.listener"),
        .config = wp, /* admin listeners, TLS, basic auth, CORS, response headers */
    };
    /* The REST server starts before the herder so the worker id (advertised host:port) is
     * known; requests wait on the herder queue until it runs. */
    rest = rest_server_start(listeners ? listeners : "http://:8083", NULL, &ropts, err,
                             sizeof(err));
    if (rest == NULL) {
        LOG_ERROR(LG, "cannot start the REST server: %s", err);
        offset_store_destroy(offsets);
        goto out;
    }
    char worker_id[256];
    worker_id_from_url(rest_server_url(rest), worker_id, sizeof(worker_id));
    cluster_id = fetch_cluster_id(wp);
    if (m == MODE_DISTRIBUTED) {
        dherder = distributed_herder_start(wp, offsets, rest_server_url(rest), worker_id,
                                           cluster_id, err, sizeof(err));
        if (dherder == NULL) {
            LOG_ERROR(LG, "cannot start the worker: %s", err);
            goto out;
        }
        rest_server_set_herder(rest, distributed_herder_iface(dherder));
    } else {
        herder = standalone_herder_start(wp, offsets, worker_id, cluster_id, err, sizeof(err));
        if (herder == NULL) {
            LOG_ERROR(LG, "cannot start the worker: %s", err);
            goto out;
        }
        rest_server_set_herder(rest, standalone_herder_iface(herder));
    }
    LOG_INFO(LG, "Sluice %s worker %s started (REST %s)", SLUICE_VERSION, worker_id,
             rest_server_url(rest));

    for (int i = first_conn; m != MODE_DISTRIBUTED && i < argc; i++) {
        sl_props *cc = NULL;
        if (connector_config_load_file(argv[i], &cc, err, sizeof(err)) != SL_OK) {
            LOG_ERROR(LG, "%s", err);
            goto out;
        }
        int r = standalone_herder_add(herder, cc, err, sizeof(err));
        sl_props_destroy(cc);
        if (r != SL_OK) {
            LOG_ERROR(LG, "failed to create connector from %s: %s", argv[i], err);
            goto out;
        }
    }
    if (m == MODE_DEV)
        print_dev_banner(sl_props_get(wp, "bootstrap.servers"), rest_server_port(rest));

    int sig = 0;
    while (sigwait(&sigs, &sig) != 0 && errno == EINTR)
        ;
    LOG_INFO(LG, "received signal %d, stopping", sig);
    rc = 0;
out:
    rest_server_stop(rest);
    standalone_herder_destroy(herder);
    distributed_herder_destroy(dherder);
    providers_install(NULL);
    providers_destroy(providers);
    registry_shutdown();
    kafka_devcluster_stop(cluster);
    sl_props_destroy(wp);
    free(cluster_id);
    LOG_INFO(LG, "stopped");
    return rc;
}
