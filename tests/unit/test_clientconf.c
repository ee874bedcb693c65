/* tests/unit/test_clientconf.c: the layering, Java-name translation, override policy and error
 * reporting of kafka/clientconf (librdkafka configurations built from worker properties). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* after its prerequisites above */
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kafka/clientconf.h"

/* Terminates props(): a typed null, as variadic functions need. */
#define END ((const char *)NULL)

/* ---- helpers ---- */

/* Build sl_props from "key", "value", ... END. A value of (char *)-1 stores a null. */
static sl_props *props(const char *k, ...)
{
    sl_props *p = sl_props_new();
    va_list ap;
    va_start(ap, k);
    for (const char *key = k; key; key = va_arg(ap, const char *)) {
        const char *v = va_arg(ap, const char *);
        sl_props_set(p, key, v == (const char *)-1 ? NULL : v);
    }
    va_end(ap);
    return p;
}

/* The configuration's value of `name` (static buffer), or NULL when unset/unknown. */
static const char *get(rd_kafka_conf_t *conf, const char *name)
{
    static char buf[1024];
    size_t size = sizeof(buf);
    if (rd_kafka_conf_get(conf, name, buf, &size) != RD_KAFKA_CONF_OK)
        return NULL;
    return buf;
}

static rd_kafka_conf_t *build_ok(clientconf_kind kind, const sl_props *w, const sl_props *c)
{
    char err[512] = "";
    rd_kafka_conf_t *conf = clientconf_build(kind, w, c, err, sizeof(err));
    if (conf == NULL)
        fail_msg("clientconf_build failed: %s", err);
    return conf;
}

/* Build expecting failure; returns the error text (static buffer). */
static const char *build_err(clientconf_kind kind, const sl_props *w, const sl_props *c)
{
    static char err[512];
    err[0] = '\0';
    rd_kafka_conf_t *conf = clientconf_build(kind, w, c, err, sizeof(err));
    if (conf != NULL) {
        rd_kafka_conf_destroy(conf);
        fail_msg("clientconf_build unexpectedly succeeded");
    }
    assert_true(err[0] != '\0');
    return err;
}

/* Run clientconf_build with stderr captured; returns the captured text (caller frees). */
static char *capture_build(clientconf_kind kind, const sl_props *w, const sl_props *c, int times)
{
    fflush(stderr);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    int saved = dup(STDERR_FILENO);
    dup2(fileno(tmp), STDERR_FILENO);
    for (int i = 0; i < times; i++) {
        char err[512];
        rd_kafka_conf_t *conf = clientconf_build(kind, w, c, err, sizeof(err));
        if (conf)
            rd_kafka_conf_destroy(conf);
    }
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    long n = ftell(tmp);
    char *out = calloc(1, (size_t)(n > 0 ? n : 0) + 1);
    rewind(tmp);
    if (n > 0)
        assert_int_equal(fread(out, 1, (size_t)n, tmp), (size_t)n);
    fclose(tmp);
    return out;
}

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *s = hay; (s = strstr(s, needle)) != NULL; s += strlen(needle))
        n++;
    return n;
}

/* ---- tests ---- */

static void test_top_level_applies_to_every_client(void **state)
{
    (void)state;
    sl_props *w =
        props("bootstrap.servers", " k1:9092, k2:9092 ", "security.protocol", "SASL_PLAINTEXT",
              "sasl.mechanism", "PLAIN", "client.id", "wk", "group.id", "connect-cluster",
              "key.converter", "org.apache.kafka.connect.json.JsonConverter", "ssl.client.auth",
              "required", "offset.flush.interval.ms", "1000", END);
    for (int k = CLIENTCONF_PRODUCER; k <= CLIENTCONF_INTERNAL_ADMIN; k++) {
        rd_kafka_conf_t *conf = build_ok((clientconf_kind)k, w, NULL);
        assert_string_equal(get(conf, "bootstrap.servers"), "k1:9092,k2:9092");
        assert_string_equal(get(conf, "security.protocol"), "sasl_plaintext");
        assert_string_equal(get(conf, "sasl.mechanisms"), "PLAIN");
        assert_string_equal(get(conf, "client.id"), "wk");
        /* worker-only keys never reach a client */
        assert_null(get(conf, "group.id"));
        rd_kafka_conf_destroy(conf);
    }
    sl_props_destroy(w);
}

static void test_prefix_and_override_precedence(void **state)
{
    (void)state;
    sl_props *w = props("bootstrap.servers", "k:1", "client.id", "top", "linger.ms", "99",
                        "producer.linger.ms", "50", "producer.client.id", "prod",
                        "consumer.fetch.min.bytes", "1234", "admin.client.id", "adm", END);
    sl_props *c = props("name", "src", "producer.override.linger.ms", "7",
                        "consumer.override.fetch.min.bytes", "4321", END);

    rd_kafka_conf_t *conf = build_ok(CLIENTCONF_PRODUCER, w, c);
    assert_string_equal(get(conf, "linger.ms"), "7");       /* override beats producer.* */
    assert_string_equal(get(conf, "client.id"), "prod");    /* producer.* beats top level */
    assert_string_equal(get(conf, "fetch.min.bytes"), "1"); /* consumer.* untouched */
    rd_kafka_conf_destroy(conf);

    conf = build_ok(CLIENTCONF_PRODUCER, w, NULL);
    assert_string_equal(get(conf, "linger.ms"), "50");
    rd_kafka_conf_destroy(conf);

    conf = build_ok(CLIENTCONF_CONSUMER, w, c);
    assert_string_equal(get(conf, "fetch.min.bytes"), "4321");
    assert_string_equal(get(conf, "client.id"), "top");
    rd_kafka_conf_destroy(conf);

    conf = build_ok(CLIENTCONF_ADMIN, w, c);
    assert_string_equal(get(conf, "client.id"), "adm");
    rd_kafka_conf_destroy(conf);

    /* Internal clients see the top level only, as Connect's store clients do; top-level
     * linger.ms is not a client-wide key. */
    conf = build_ok(CLIENTCONF_INTERNAL_PRODUCER, w, c);
    assert_string_equal(get(conf, "client.id"), "top");
    assert_string_equal(get(conf, "linger.ms"), "5");
    rd_kafka_conf_destroy(conf);
    sl_props_destroy(w);
    sl_props_destroy(c);
}

static void test_base_settings_and_creatable(void **state)
{
    (void)state;
    sl_props *w = props("bootstrap.servers", "127.0.0.1:1", END);
    char err[512];
    rd_kafka_conf_t *conf = build_ok(CLIENTCONF_PRODUCER, w, NULL);
    assert_string_equal(get(conf, "acks"), "-1");
    assert_string_equal(get(conf, "enable.idempotence"), "true");
    assert_string_equal(get(conf, "message.timeout.ms"), "2147483647");
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    assert_non_null(rk);
    rd_kafka_destroy(rk);

    conf = build_ok(CLIENTCONF_CONSUMER, w, NULL);
    assert_string_equal(get(conf, "enable.auto.commit"), "false");
    assert_string_equal(get(conf, "auto.offset.reset"), "smallest");
    assert_int_equal(rd_kafka_conf_set(conf, "group.id", "connect-x", err, sizeof(err)),
                     RD_KAFKA_CONF_OK);
    rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    assert_non_null(rk);
    rd_kafka_destroy(rk);

    /* Internal producers keep librdkafka's delivery timeout so the stores see failures. */
    conf = build_ok(CLIENTCONF_INTERNAL_PRODUCER, w, NULL);
    assert_string_equal(get(conf, "message.timeout.ms"), "300000");
    rd_kafka_conf_destroy(conf);
    sl_props_destroy(w);
}

static void test_idempotence_relaxed_on_conflict(void **state)
{
    (void)state;
    sl_props *w = props("producer.acks", "1", END);
    rd_kafka_conf_t *conf = build_ok(CLIENTCONF_PRODUCER, w, NULL);
    assert_string_equal(get(conf, "enable.idempotence"), "false");
    assert_string_equal(get(conf, "acks"), "1");
    char err[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    assert_non_null(rk);
    rd_kafka_destroy(rk);
    sl_props_destroy(w);

    /* An explicit setting is the user's choice and stays. */
    w = props("producer.enable.idempotence", "true",
              "producer.max.in.flight.requests.per.connection", "10", END);
    conf = build_ok(CLIENTCONF_PRODUCER, w, NULL);
    assert_string_equal(get(conf, "enable.idempotence"), "true");
    rd_kafka_conf_destroy(conf);
    sl_props_destroy(w);
}

static void test_java_translations(void **state)
{
    (void)state;
    sl_props *w =
        props("send.buffer.bytes", "-1", "receive.buffer.bytes", "65536", "producer.buffer.memory",
              "33554432", "producer.max.request.size", "2097152", "consumer.fetch.max.wait.ms",
              "250", "consumer.partition.assignment.strategy",
              "org.apache.kafka.clients.consumer.RangeAssignor, "
              "org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
              "ssl.endpoint.identification.algorithm", "", END);
    rd_kafka_conf_t *conf = build_ok(CLIENTCONF_PRODUCER, w, NULL);
    assert_string_equal(get(conf, "socket.send.buffer.bytes"), "0");
    assert_string_equal(get(conf, "socket.receive.buffer.bytes"), "65536");
    assert_string_equal(get(conf, "queue.buffering.max.kbytes"), "32768");
    assert_string_equal(get(conf, "message.max.bytes"), "2097152");
    assert_string_equal(get(conf, "ssl.endpoint.identification.algorithm"), "none");
    rd_kafka_conf_destroy(conf);

    conf = build_ok(CLIENTCONF_CONSUMER, w, NULL);
    assert_string_equal(get(conf, "fetch.wait.max.ms"), "250");
    assert_string_equal(get(conf, "partition.assignment.strategy"), "range");
    rd_kafka_conf_destroy(conf);
    sl_props_destroy(w);

    w = props("consumer.auto.offset.reset", "none", "consumer.partition.assignment.strategy",
              "CooperativeStickyAssignor", END);
    conf = build_ok(CLIENTCONF_CONSUMER, w, NULL);
    assert_string_equal(get(conf, "auto.offset.reset"), "error");
    assert_string_equal(get(conf, "partition.assignment.strategy"), "cooperative-sticky");
    rd_kafka_conf_destroy(conf);
    sl_props_destroy(w);
}

static void test_ssl_stores(void **state)
{
    (void)state;
    sl_props *w = props("ssl.truststore.type", "PEM", "ssl.truststore.location", "/etc/ca.pem",
                        "ssl.truststore.password", "ignored", "ssl.keystore.type", "PEM",
                        "ssl.keystore.location", "/etc/client.pem", "ssl.keystore.password", "x",
                        "ssl.key.password", "kp", END);
    rd_kafka_conf_t *conf = build_ok(CLIENTCONF_PRODUCER, w, NULL);
    assert_string_equal(get(conf, "ssl.ca.location"), "/etc/ca.pem");
    assert_string_equal(get(conf, "ssl.certificate.location"), "/etc/client.pem");
    assert_string_equal(get(conf, "ssl.key.location"), "/etc/client.pem");
    assert_null(get(conf, "ssl.keystore.location"));
    rd_kafka_conf_destroy(conf);
    sl_props_destroy(w);

    /* JKS cannot be read: skipped with a warning, not an error. PKCS12 passes through. */
    w = props("ssl.truststore.location", "/etc/trust.jks", "ssl.keystore.location", "/etc/ks.jks",
              END);
    char *log = capture_build(CLIENTCONF_PRODUCER, w, NULL, 1);
    assert_non_null(strstr(log, "ssl.truststore.location"));
    assert_non_null(strstr(log, "JKS"));
    free(log);
    conf = build_ok(CLIENTCONF_PRODUCER, w, NULL);
    assert_null(get(conf, "ssl.ca.location"));
    assert_null(get(conf, "ssl.keystore.location"));
    rd_kafka_conf_destroy(conf);
    sl_props_destroy(w);

    w = props("ssl.keystore.type", "PKCS12", "ssl.keystore.location", "/etc/ks.p12", END);
    conf = build_ok(CLIENTCONF_PRODUCER, w, NULL);
    assert_string_equal(get(conf, "ssl.keystore.location"), "/etc/ks.p12");
    rd_kafka_conf_destroy(conf);
    sl_props_destroy(w);
}

static void test_jaas(void **state)
{
    (void)state;
    sl_props *w = props("sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required "
                        "username=\"alice\" password=\"p\\\"w d\";",
                        END);
    rd_kafka_conf_t *conf = build_ok(CLIENTCONF_CONSUMER, w, NULL);
    assert_string_equal(get(conf, "sasl.username"), "alice");
    assert_string_equal(get(conf, "sasl.password"), "p\"w d");
    rd_kafka_conf_destroy(conf);
    sl_props_destroy(w);

    w = props("sasl.jaas.config",
              "com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true "
              "keyTab=\"/k.keytab\" principal=\"connect@EXAMPLE.COM\";",
              END);
    conf = build_ok(CLIENTCONF_PRODUCER, w, NULL);
    assert_string_equal(get(conf, "sasl.kerberos.keytab"), "/k.keytab");
    assert_string_equal(get(conf, "sasl.kerberos.principal"), "connect@EXAMPLE.COM");
    rd_kafka_conf_destroy(conf);
    sl_props_destroy(w);

    /* Malformed: fails, names the key, never echoes the secret. */
    const char *bad[] = {
        "PlainLoginModule",
        "PlainLoginModule required username=\"alice\" password=\"topsecret",
        "PlainLoginModule required =\"topsecret\";",
        "PlainLoginModule required topsecret;",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        sl_props *c = props("producer.override.sasl.jaas.config", bad[i], END);
        const char *err = build_err(CLIENTCONF_PRODUCER, NULL, c);
        assert_non_null(strstr(err, "producer.override.sasl.jaas.config"));
        assert_null(strstr(err, "topsecret"));
        sl_props_destroy(c);
    }
}

static void test_unknown_keys_warn_once(void **state)
{
    (void)state;
    sl_props *w = props("consumer.max.poll.records", "500", "consumer.key.deserializer",
                        "org.apache.kafka.common.serialization.ByteArrayDeserializer",
                        "consumer.request.timeout.ms", "1000", END);
    char *log = capture_build(CLIENTCONF_CONSUMER, w, NULL, 3);
    assert_int_equal(count_of(log, "consumer.max.poll.records"), 1);
    assert_non_null(strstr(log, "WARN"));
    assert_null(strstr(log, "deserializer"));
    /* a producer-only librdkafka property set explicitly for consumers */
    assert_int_equal(count_of(log, "consumer.request.timeout.ms"), 1);
    free(log);
    rd_kafka_conf_t *conf = build_ok(CLIENTCONF_CONSUMER, w, NULL);
    assert_null(get(conf, "max.poll.records"));
    rd_kafka_conf_destroy(conf);
    sl_props_destroy(w);

    /* A top-level key that does not apply to a consumer is skipped without a warning. */
    w = props("request.timeout.ms", "12345", END);
    log = capture_build(CLIENTCONF_CONSUMER, w, NULL, 1);
    assert_null(strstr(log, "request.timeout.ms"));
    free(log);
    conf = build_ok(CLIENTCONF_PRODUCER, w, NULL);
    assert_string_equal(get(conf, "request.timeout.ms"), "12345");
    rd_kafka_conf_destroy(conf);
    sl_props_destroy(w);
}

static void test_invalid_values_name_the_key(void **state)
{
    (void)state;
    sl_props *w = props("producer.linger.ms", "abc", END);
    const char *err = build_err(CLIENTCONF_PRODUCER, w, NULL);
    assert_non_null(strstr(err, "producer.linger.ms"));
    sl_props_destroy(w);

    sl_props *c = props("producer.override.acks", "bogus", END);
    err = build_err(CLIENTCONF_PRODUCER, NULL, c);
    assert_non_null(strstr(err, "producer.override.acks"));
    sl_props_destroy(c);

    w = props("security.protocol", "carrier-pigeon", END);
    err = build_err(CLIENTCONF_INTERNAL_CONSUMER, w, NULL);
    assert_non_null(strstr(err, "security.protocol"));
    sl_props_destroy(w);

    w = props("send.buffer.bytes", "lots", END);
    err = build_err(CLIENTCONF_ADMIN, w, NULL);
    assert_non_null(strstr(err, "send.buffer.bytes"));
    sl_props_destroy(w);

    w = props("producer.buffer.memory", "-5", END);
    err = build_err(CLIENTCONF_PRODUCER, w, NULL);
    assert_non_null(strstr(err, "producer.buffer.memory"));
    sl_props_destroy(w);

    char buf[64] = "";
    assert_null(clientconf_build((clientconf_kind)42, NULL, NULL, buf, sizeof(buf)));
    assert_true(buf[0] != '\0');
}

static void test_override_policy(void **state)
{
    (void)state;
    assert_true(clientconf_override_allowed(NULL, "linger.ms"));
    assert_true(clientconf_override_allowed("All", "linger.ms"));
    assert_true(clientconf_override_allowed(
        "org.apache.kafka.connect.connector.policy.AllConnectorClientConfigOverridePolicy",
        "anything"));
    assert_false(clientconf_override_allowed("None", "linger.ms"));
    assert_false(clientconf_override_allowed("NoneConnectorClientConfigOverridePolicy",
                                             "security.protocol"));
    assert_true(clientconf_override_allowed("Principal", "sasl.jaas.config"));
    assert_true(clientconf_override_allowed("principal", "security.protocol"));
    assert_false(clientconf_override_allowed("Principal", "linger.ms"));
    assert_false(clientconf_override_allowed("Bogus", "linger.ms"));
    assert_false(clientconf_override_allowed("", "linger.ms"));
    assert_false(clientconf_override_allowed("All", NULL));
    assert_true(clientconf_policy_known(NULL));
    assert_false(clientconf_policy_known("AllConnectorClientConfigOverridePolicyX"));
    assert_false(clientconf_policy_known("ConnectorClientConfigOverridePolicy"));

    sl_props *w = props("connector.client.config.override.policy", "None", END);
    sl_props *c = props("producer.override.linger.ms", "1", END);
    const char *err = build_err(CLIENTCONF_PRODUCER, w, c);
    assert_string_equal(err, "The 'None' policy does not allow 'linger.ms' to be overridden in "
                             "the connector configuration.");
    /* A consumer ignores producer overrides, so the policy has nothing to refuse. */
    rd_kafka_conf_destroy(build_ok(CLIENTCONF_CONSUMER, w, c));
    sl_props_destroy(w);

    w = props("connector.client.config.override.policy", "Principal", END);
    err = build_err(CLIENTCONF_PRODUCER, w, c);
    assert_non_null(strstr(err, "'linger.ms'"));
    sl_props_destroy(c);
    c = props("producer.override.security.protocol", "SSL", END);
    rd_kafka_conf_t *conf = build_ok(CLIENTCONF_PRODUCER, w, c);
    assert_string_equal(get(conf, "security.protocol"), "ssl");
    rd_kafka_conf_destroy(conf);
    sl_props_destroy(w);

    w = props("connector.client.config.override.policy", "Whatever", END);
    err = build_err(CLIENTCONF_PRODUCER, w, c);
    assert_non_null(strstr(err, "connector.client.config.override.policy"));
    /* internal clients never look at connector overrides */
    rd_kafka_conf_destroy(build_ok(CLIENTCONF_INTERNAL_PRODUCER, w, c));
    sl_props_destroy(w);
    sl_props_destroy(c);
}

static void test_empty_and_hostile_input(void **state)
{
    (void)state;
    /* No worker properties at all. */
    rd_kafka_conf_t *conf = build_ok(CLIENTCONF_ADMIN, NULL, NULL);
    rd_kafka_conf_destroy(conf);

    /* Empty and null values unset what a lower layer set; bare prefixes are ignored;
     * admin.listeners is the REST setting, not an admin client key. */
    sl_props *w = props("client.id", "top", "producer.", "x", "producer.override.", "y",
                        "admin.listeners", "http://:8084", "admin.listeners.https.ssl.key.password",
                        "z", "producer.linger.ms", (const char *)-1, END);
    sl_props *c = props("producer.override.client.id", "", "producer.override.", "1", END);
    char *log = capture_build(CLIENTCONF_ADMIN, w, c, 1);
    assert_null(strstr(log, "listeners"));
    free(log);
    conf = build_ok(CLIENTCONF_PRODUCER, w, c);
    assert_string_equal(get(conf, "client.id"), "rdkafka");
    assert_string_equal(get(conf, "linger.ms"), "5");
    rd_kafka_conf_destroy(conf);
    sl_props_destroy(w);
    sl_props_destroy(c);

    /* Very long values and odd characters do not overflow anything. */
    size_t n = 100000;
    char *big = malloc(n + 1);
    memset(big, 'a', n);
    big[n] = '\0';
    w = props("client.id", big, "security.protocol", big, END);
    const char *err = build_err(CLIENTCONF_PRODUCER, w, NULL);
    assert_true(strlen(err) < 512);
    sl_props_destroy(w);
    w = props("producer.partition.assignment.strategy", big, "sasl.jaas.config", big, END);
    err = build_err(CLIENTCONF_PRODUCER, w, NULL); /* the jaas value is malformed */
    assert_non_null(strstr(err, "sasl.jaas.config"));
    sl_props_destroy(w);
    w = props("consumer.partition.assignment.strategy", " , ,,", "bootstrap.servers", "  ", END);
    conf = build_ok(CLIENTCONF_CONSUMER, w, NULL);
    rd_kafka_conf_destroy(conf);
    sl_props_destroy(w);
    free(big);

    /* the log callback tolerates missing pieces */
    clientconf_log_cb(NULL, 7, NULL, NULL);
    assert_string_equal(clientconf_kind_name(CLIENTCONF_INTERNAL_ADMIN), "internal admin client");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_top_level_applies_to_every_client),
        cmocka_unit_test(test_prefix_and_override_precedence),
        cmocka_unit_test(test_base_settings_and_creatable),
        cmocka_unit_test(test_idempotence_relaxed_on_conflict),
        cmocka_unit_test(test_java_translations),
        cmocka_unit_test(test_ssl_stores),
        cmocka_unit_test(test_jaas),
        cmocka_unit_test(test_unknown_keys_warn_once),
        cmocka_unit_test(test_invalid_values_name_the_key),
        cmocka_unit_test(test_override_policy),
        cmocka_unit_test(test_empty_and_hostile_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
