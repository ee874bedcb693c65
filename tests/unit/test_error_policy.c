/* tests/unit/test_error_policy.c: errors.* handling: config parsing, tolerance decisions and
 * traces, the error log reporter, retry/backoff and restart delay math, DLQ context headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "runtime/dlq.h"
#include "runtime/error_policy.h"
#include "runtime/transform_chain.h"
#include "util/log.h"

static sl_props *props(const char *const *kv)
{
    sl_props *p = sl_props_new();
    for (; kv && kv[0]; kv += 2)
        sl_props_set(p, kv[0], kv[1]);
    return p;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- log capture ---- */

static char g_log[16384];
static int g_log_lines;

static void capture(sl_log_level level, const char *logger, const char *msg, void *opaque)
{
    (void)level;
    (void)logger;
    (void)opaque;
    size_t o = strlen(g_log);
    snprintf(g_log + o, sizeof(g_log) - o, "%s\n", msg);
    g_log_lines++;
}

static int setup_log(void **state)
{
    (void)state;
    g_log[0] = '\0';
    g_log_lines = 0;
    log_set_hook(capture, NULL);
    return 0;
}

static int teardown_log(void **state)
{
    (void)state;
    log_set_hook(NULL, NULL);
    return 0;
}

/* ---- configuration ---- */

static void test_stage_names(void **state)
{
    (void)state;
    assert_string_equal(error_stage_name(ERROR_STAGE_KEY_CONVERTER), "KEY_CONVERTER");
    assert_string_equal(error_stage_name(ERROR_STAGE_VALUE_CONVERTER), "VALUE_CONVERTER");
    assert_string_equal(error_stage_name(ERROR_STAGE_HEADER_CONVERTER), "HEADER_CONVERTER");
    assert_string_equal(error_stage_name(ERROR_STAGE_TRANSFORMATION), "TRANSFORMATION");
    assert_string_equal(error_stage_name(ERROR_STAGE_TASK_PUT), "TASK_PUT");
    assert_string_equal(error_stage_name(ERROR_STAGE_TASK_POLL), "TASK_POLL");
    assert_string_equal(error_stage_name(ERROR_STAGE_KAFKA_PRODUCE), "KAFKA_PRODUCE");
    assert_string_equal(error_stage_name((error_stage)99), "UNKNOWN");
    assert_string_equal(error_stage_name((error_stage)-1), "UNKNOWN");
}

static void test_parse_defaults(void **state)
{
    (void)state;
    error_policy_conf c;
    sl_props *p = props(NULL);
    error_policy_parse(p, true, &c);
    assert_false(c.tolerance_all);
    assert_int_equal(c.retry_timeout_ms, 0);
    assert_int_equal(c.retry_delay_max_ms, 60000);
    assert_false(c.log_enable);
    assert_false(c.log_include_messages);
    assert_null(c.dlq_topic);
    assert_int_equal(c.dlq_replication_factor, 3);
    assert_false(c.dlq_context_headers);
    assert_false(c.restart_enable);
    assert_int_equal(c.restart_max_delay_ms, 300000);
    error_policy_parse(NULL, true, &c);
    assert_false(c.tolerance_all);
    sl_props_destroy(p);
}

static void test_parse_values(void **state)
{
    (void)state;
    const char *kv[] = {"errors.tolerance",
                        "ALL",
                        "errors.retry.timeout",
                        "-1",
                        "errors.retry.delay.max.ms",
                        "5000",
                        "errors.log.enable",
                        "true",
                        "errors.log.include.messages",
                        "TRUE",
                        "errors.deadletterqueue.topic.name",
                        "  dlq-x",
                        "errors.deadletterqueue.topic.replication.factor",
                        "1",
                        "errors.deadletterqueue.context.headers.enable",
                        "true",
                        "errors.restart.enable",
                        "true",
                        "errors.restart.max.delay.ms",
                        "8000",
                        NULL};
    sl_props *p = props(kv);
    error_policy_conf c;
    error_policy_parse(p, true, &c);
    assert_true(c.tolerance_all);
    assert_int_equal(c.retry_timeout_ms, -1);
    assert_int_equal(c.retry_delay_max_ms, 5000);
    assert_true(c.log_enable);
    assert_true(c.log_include_messages);
    assert_string_equal(c.dlq_topic, "dlq-x");
    assert_int_equal(c.dlq_replication_factor, 1);
    assert_true(c.dlq_context_headers);
    assert_true(c.restart_enable);
    assert_int_equal(c.restart_max_delay_ms, 8000);
    /* Sources have no dead letter queue, as in Connect. */
    error_policy_parse(p, false, &c);
    assert_null(c.dlq_topic);
    sl_props_destroy(p);
}

static void test_parse_hostile(void **state)
{
    (void)state;
    const char *kv[] = {"errors.tolerance",
                        "some",
                        "errors.retry.timeout",
                        "-7",
                        "errors.retry.delay.max.ms",
                        "12abc",
                        "errors.log.enable",
                        "yes",
                        "errors.deadletterqueue.topic.name",
                        "   ",
                        "errors.restart.max.delay.ms",
                        "5",
                        NULL};
    sl_props *p = props(kv);
    error_policy_conf c;
    error_policy_parse(p, true, &c);
    assert_false(c.tolerance_all); /* anything but "all" tolerates nothing */
    assert_int_equal(c.retry_timeout_ms, 0);
    assert_int_equal(c.retry_delay_max_ms, 60000);
    assert_false(c.log_enable);
    assert_null(c.dlq_topic);
    assert_int_equal(c.restart_max_delay_ms, ERROR_RESTART_DELAY_MIN_MS);
    sl_props_destroy(p);
}

/* ---- decisions and traces ---- */

static error_context sample_ctx(void)
{
    error_context ec = {
        .stage = ERROR_STAGE_VALUE_CONVERTER,
        .topic = "orders",
        .partition = 3,
        .offset = 1234,
        .detail = "Converting byte[] to Kafka Connect data failed due to serialization error",
        .class_name = "org.apache.kafka.connect.json.JsonConverter",
        .raw_key = "k1",
        .raw_key_len = 2,
        .raw_value = "{bad json",
        .raw_value_len = 9,
        .raw_timestamp = 1700000000000,
    };
    return ec;
}

static void test_tolerance_none(void **state)
{
    (void)state;
    sl_props *p = props(NULL);
    error_policy *ep = error_policy_new(p, true, "c1", 0, "c1-0");
    assert_non_null(ep);
    error_context ec = sample_ctx();
    char trace[2048];
    assert_int_equal(error_policy_record_failed(ep, &ec, trace, sizeof(trace)), ERROR_ACTION_FAIL);
    assert_non_null(strstr(trace, "Tolerance exceeded in error handler"));
    assert_non_null(strstr(trace, "VALUE_CONVERTER"));
    assert_non_null(strstr(trace, "org.apache.kafka.connect.json.JsonConverter"));
    assert_non_null(strstr(trace, "topic 'orders', partition 3, offset 1234"));
    assert_non_null(strstr(trace, "org.apache.kafka.connect.errors.DataException"));
    assert_non_null(strstr(trace, "serialization error"));
    assert_int_equal(error_policy_failed(ep), 1);
    assert_int_equal(error_policy_skipped(ep), 0);
    /* Nothing logged per record without errors.log.enable (task_fail logs the trace). */
    assert_int_equal(g_log_lines, 0);
    error_policy_destroy(ep);
    sl_props_destroy(p);
}

static void test_tolerance_all(void **state)
{
    (void)state;
    const char *kv[] = {"errors.tolerance", "all", NULL};
    sl_props *p = props(kv);
    error_policy *ep = error_policy_new(p, true, "c1", 2, "c1-2");
    error_context ec = sample_ctx();
    char trace[64] = "untouched";
    for (int i = 0; i < 5; i++)
        assert_int_equal(error_policy_record_failed(ep, &ec, trace, sizeof(trace)),
                         ERROR_ACTION_SKIP);
    assert_string_equal(trace, "untouched");
    assert_int_equal(error_policy_failed(ep), 5);
    assert_int_equal(error_policy_skipped(ep), 5);
    assert_int_equal(error_policy_flush(ep, 10), SL_OK); /* no DLQ: nothing to wait for */
    error_policy_destroy(ep);                            /* logs the totals */
    assert_non_null(strstr(g_log, "5 record(s) failed, 5 skipped"));
    sl_props_destroy(p);
}

static void test_trace_truncation_and_nulls(void **state)
{
    (void)state;
    error_policy *ep = error_policy_new(NULL, false, NULL, 0, NULL);
    assert_non_null(ep);
    error_context ec = {.stage = ERROR_STAGE_TRANSFORMATION, .partition = -1, .offset = -1};
    char trace[512];
    assert_int_equal(error_policy_record_failed(ep, &ec, trace, sizeof(trace)), ERROR_ACTION_FAIL);
    assert_non_null(strstr(trace, "TRANSFORMATION"));
    assert_non_null(strstr(trace, "unknown error"));
    assert_null(strstr(trace, "topic"));
    /* Tiny buffers stay NUL-terminated; a huge detail is cut, not overflowed. */
    char tiny[8];
    memset(tiny, 'x', sizeof(tiny));
    error_policy_record_failed(ep, &ec, tiny, sizeof(tiny));
    assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
    char one[1] = {'x'};
    error_policy_record_failed(ep, &ec, one, sizeof(one));
    assert_int_equal(one[0], '\0');
    char *big = malloc(10000);
    memset(big, 'A', 9999);
    big[9999] = '\0';
    ec.detail = big;
    ec.topic = "t";
    ec.partition = 0;
    ec.offset = 0;
    error_policy_record_failed(ep, &ec, trace, sizeof(trace));
    assert_int_equal(strlen(trace), sizeof(trace) - 1);
    assert_non_null(strstr(trace, "partition 0, offset 0"));
    free(big);
    error_policy_destroy(ep);
    error_policy_destroy(NULL);
}

static void test_exception_classes(void **state)
{
    (void)state;
    error_context ec = {.stage = ERROR_STAGE_KEY_CONVERTER};
    assert_string_equal(error_exception_class(&ec),
                        "org.apache.kafka.connect.errors.DataException");
    ec.stage = ERROR_STAGE_TRANSFORMATION;
    assert_string_equal(error_exception_class(&ec),
                        "org.apache.kafka.connect.errors.DataException");
    ec.stage = ERROR_STAGE_TASK_PUT;
    assert_string_equal(error_exception_class(&ec),
                        "org.apache.kafka.connect.errors.ConnectException");
    ec.retriable = true;
    assert_string_equal(error_exception_class(&ec),
                        "org.apache.kafka.connect.errors.RetriableException");
}

/* ---- the log reporter ---- */

static void test_log_reporter(void **state)
{
    (void)state;
    const char *kv[] = {"errors.tolerance", "all", "errors.log.enable", "true", NULL};
    sl_props *p = props(kv);
    error_policy *ep = error_policy_new(p, true, "c1", 0, "c1-0");
    error_context ec = sample_ctx();
    error_policy_record_failed(ep, &ec, NULL, 0);
    assert_non_null(strstr(g_log, "Error encountered in task c1-0"));
    assert_non_null(strstr(g_log, "Executing stage 'VALUE_CONVERTER'"));
    assert_non_null(strstr(g_log, "org.apache.kafka.connect.json.JsonConverter"));
    assert_non_null(strstr(g_log, "topic='orders', partition=3, offset=1234"));
    /* Keys and values stay out of the log unless errors.log.include.messages. */
    assert_null(strstr(g_log, "{bad json"));
    assert_null(strstr(g_log, "key="));
    error_policy_destroy(ep);
    sl_props_destroy(p);
}

static void test_log_include_messages(void **state)
{
    (void)state;
    const char *kv[] = {"errors.tolerance",
                        "all",
                        "errors.log.enable",
                        "true",
                        "errors.log.include.messages",
                        "true",
                        NULL};
    sl_props *p = props(kv);
    error_policy *ep = error_policy_new(p, true, "c1", 0, "c1-0");
    error_context ec = sample_ctx();
    /* Hostile bytes: control characters and a NUL are escaped, not written raw. */
    static const char evil[] = {'a', '\n', 0, '\x1b', 'z'};
    ec.raw_value = evil;
    ec.raw_value_len = sizeof(evil);
    error_policy_record_failed(ep, &ec, NULL, 0);
    assert_non_null(strstr(g_log, "key=k1"));
    assert_non_null(strstr(g_log, "value=a\\x0a\\x00\\x1bz"));
    /* A long value is cut with its size. */
    g_log[0] = '\0';
    char *big = malloc(5000);
    memset(big, 'v', 5000);
    ec.raw_value = big;
    ec.raw_value_len = 5000;
    error_policy_record_failed(ep, &ec, NULL, 0);
    assert_non_null(strstr(g_log, "(5000 bytes)"));
    free(big);
    /* A source record: no raw bytes, the key/value are shown as JSON. */
    g_log[0] = '\0';
    sl_record *r = sl_source_record_new("src-topic", -1, NULL, sl_value_new_string("kk", 2), NULL,
                                        sl_value_new_int32(42));
    error_context sc = {.stage = ERROR_STAGE_TRANSFORMATION,
                        .topic = "src-topic",
                        .partition = -1,
                        .offset = -1,
                        .record = r,
                        .detail = "boom"};
    error_policy_record_failed(ep, &sc, NULL, 0);
    assert_non_null(strstr(g_log, "where source record is {topic='src-topic'"));
    assert_non_null(strstr(g_log, "value=42"));
    sl_record_release(r);
    error_policy_destroy(ep);
    sl_props_destroy(p);
}

/* ---- retries and restarts ---- */

static void test_retry_delay_math(void **state)
{
    (void)state;
    /* 300 ms doubled per attempt (Connect's RETRIES_DELAY_MIN_MS). */
    assert_int_equal(error_retry_delay_ms(1, 60000, INT64_MAX, 0), 300);
    assert_int_equal(error_retry_delay_ms(2, 60000, INT64_MAX, 0), 600);
    assert_int_equal(error_retry_delay_ms(3, 60000, INT64_MAX, 0), 1200);
    assert_int_equal(error_retry_delay_ms(8, 60000, INT64_MAX, 0), 38400);
    assert_int_equal(error_retry_delay_ms(0, 60000, INT64_MAX, 0), 300);
    /* Past the maximum: a random delay below it. */
    assert_int_equal(error_retry_delay_ms(9, 60000, INT64_MAX, 12345), 12345);
    assert_int_equal(error_retry_delay_ms(9, 60000, INT64_MAX, 60000 + 7), 7);
    for (uint64_t rnd = 0; rnd < 1000000; rnd += 77777)
        assert_true(error_retry_delay_ms(1000, 1000, INT64_MAX, rnd * 2654435761u) < 1000);
    /* Huge attempt numbers do not overflow. */
    assert_true(error_retry_delay_ms(INT32_MAX, 60000, INT64_MAX, 5) < 60000);
    /* Never past the deadline. */
    assert_int_equal(error_retry_delay_ms(3, 60000, 100, 0), 100);
    assert_int_equal(error_retry_delay_ms(3, 60000, -5, 0), 0);
    assert_int_equal(error_retry_delay_ms(1, 0, INT64_MAX, 99), 0);
}

static void test_retry_wait(void **state)
{
    (void)state;
    /* errors.retry.timeout=0 (the default): no retry at all. */
    error_policy *none = error_policy_new(NULL, true, "c", 0, "c-0");
    error_retry r;
    error_retry_begin(none, &r, mono_ms());
    int64_t t0 = mono_ms();
    assert_false(error_retry_wait(none, &r, NULL));
    assert_true(mono_ms() - t0 < 50);
    assert_int_equal(error_policy_retries(none), 0);
    error_policy_destroy(none);

    /* 700 ms budget: 300 + 400 (cut at the deadline), then out of time. */
    const char *kv[] = {"errors.retry.timeout", "700", NULL};
    sl_props *p = props(kv);
    error_policy *ep = error_policy_new(p, true, "c", 0, "c-0");
    t0 = mono_ms();
    error_retry_begin(ep, &r, t0);
    int tries = 0;
    while (error_retry_wait(ep, &r, NULL))
        tries++;
    int64_t took = mono_ms() - t0;
    assert_int_equal(tries, 2);
    assert_int_equal(error_policy_retries(ep), 2);
    assert_true(took >= 680 && took < 1200);

    /* A stop request ends the wait at once. */
    atomic_bool stopping;
    atomic_init(&stopping, true);
    error_retry_begin(ep, &r, mono_ms());
    t0 = mono_ms();
    assert_false(error_retry_wait(ep, &r, &stopping));
    assert_true(mono_ms() - t0 < 50);
    error_policy_destroy(ep);
    sl_props_destroy(p);
}

static void test_restart_delay(void **state)
{
    (void)state;
    assert_int_equal(error_restart_delay_ms(1, 300000), 1000);
    assert_int_equal(error_restart_delay_ms(2, 300000), 2000);
    assert_int_equal(error_restart_delay_ms(3, 300000), 4000);
    assert_int_equal(error_restart_delay_ms(9, 300000), 256000);
    assert_int_equal(error_restart_delay_ms(10, 300000), 300000);
    assert_int_equal(error_restart_delay_ms(INT32_MAX, 300000), 300000);
    assert_int_equal(error_restart_delay_ms(0, 300000), 1000);
    assert_int_equal(error_restart_delay_ms(3, 2500), 2500);
}

/* ---- a transform chain retrying a retriable step ---- */

static int g_flaky_left;

static int flaky_init(const sl_config *c, void **st, char *e, size_t es)
{
    (void)c;
    (void)e;
    (void)es;
    *st = NULL;
    return SL_OK;
}

static int flaky_apply(void *st, sl_record *r, char *e, size_t es)
{
    (void)st;
    if (g_flaky_left > 0) {
        g_flaky_left--;
        snprintf(e, es, "busy");
        return SL_ERR_RETRIABLE;
    }
    sl_record_set_topic(r, "done");
    return SL_OK;
}

static const sl_transform_def k_flaky = {
    .struct_size = sizeof(sl_transform_def),
    .class_name = "test.Flaky",
    .init = flaky_init,
    .apply = flaky_apply,
};

static const sl_transform_def *find_flaky(void *o, const char *name)
{
    (void)o;
    return strcmp(name, "test.Flaky") == 0 ? &k_flaky : NULL;
}

static int g_retry_calls;

static bool allow_two(void *opaque, int attempt)
{
    (void)opaque;
    g_retry_calls++;
    return attempt <= 2;
}

static void test_chain_retry(void **state)
{
    (void)state;
    const char *kv[] = {"transforms", "f", "transforms.f.type", "test.Flaky", NULL};
    sl_props *p = props(kv);
    transform_resolver res = {.transform = find_flaky};
    transform_chain *c = NULL;
    char err[512];
    assert_int_equal(transform_chain_new(p, &res, "t-0", &c, err, sizeof(err)), SL_OK);
    transform_chain_set_retry(c, allow_two, NULL);
    sl_record *r = sl_source_record_new("in", -1, NULL, NULL, NULL, NULL);

    g_flaky_left = 2; /* succeeds on the third attempt */
    g_retry_calls = 0;
    assert_int_equal(transform_chain_apply(c, r, err, sizeof(err)), SL_OK);
    assert_int_equal(g_retry_calls, 2);
    assert_string_equal(sl_record_topic(r), "done");
    assert_null(transform_chain_failed_class(c));

    g_flaky_left = 5; /* out of retries: the step's error is returned */
    g_retry_calls = 0;
    assert_int_equal(transform_chain_apply(c, r, err, sizeof(err)), SL_ERR_RETRIABLE);
    assert_int_equal(g_retry_calls, 3);
    assert_non_null(strstr(err, "busy"));
    assert_string_equal(transform_chain_failed_class(c), "test.Flaky");

    sl_record_release(r);
    transform_chain_destroy(c);
    sl_props_destroy(p);
}

/* ---- dead letter queue headers ---- */

static const char *hdr(rd_kafka_headers_t *h, const char *name, char *buf, size_t cap)
{
    const void *v = NULL;
    size_t len = 0;
    if (rd_kafka_header_get_last(h, name, &v, &len) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return NULL;
    snprintf(buf, cap, "%.*s", (int)len, (const char *)v);
    return buf;
}

static void test_dlq_headers(void **state)
{
    (void)state;
    error_context ec = sample_ctx();
    rd_kafka_headers_t *h = rd_kafka_headers_new(8);
    dlq_add_context_headers(h, &ec, "my-sink", 4);
    char b[1024];
    assert_string_equal(hdr(h, "__connect.errors.topic", b, sizeof(b)), "orders");
    assert_string_equal(hdr(h, "__connect.errors.partition", b, sizeof(b)), "3");
    assert_string_equal(hdr(h, "__connect.errors.offset", b, sizeof(b)), "1234");
    assert_string_equal(hdr(h, "__connect.errors.connector.name", b, sizeof(b)), "my-sink");
    assert_string_equal(hdr(h, "__connect.errors.task.id", b, sizeof(b)), "4");
    assert_string_equal(hdr(h, "__connect.errors.stage", b, sizeof(b)), "VALUE_CONVERTER");
    assert_string_equal(hdr(h, "__connect.errors.class.name", b, sizeof(b)),
                        "org.apache.kafka.connect.json.JsonConverter");
    assert_string_equal(hdr(h, "__connect.errors.exception.class.name", b, sizeof(b)),
                        "org.apache.kafka.connect.errors.DataException");
    assert_string_equal(hdr(h, "__connect.errors.exception.message", b, sizeof(b)), ec.detail);
    assert_non_null(hdr(h, "__connect.errors.exception.stacktrace", b, sizeof(b)));
    assert_non_null(strstr(b, "org.apache.kafka.connect.errors.DataException: Converting"));
    assert_non_null(strstr(b, "VALUE_CONVERTER"));
    assert_int_equal(rd_kafka_header_cnt(h), 10);
    rd_kafka_headers_destroy(h);

    /* Unknown coordinates and class: those headers are left out, the rest is there. */
    error_context bare = {.stage = ERROR_STAGE_TASK_PUT, .partition = -1, .offset = -1};
    h = rd_kafka_headers_new(8);
    dlq_add_context_headers(h, &bare, "s", 0);
    assert_null(hdr(h, "__connect.errors.topic", b, sizeof(b)));
    assert_null(hdr(h, "__connect.errors.partition", b, sizeof(b)));
    assert_null(hdr(h, "__connect.errors.offset", b, sizeof(b)));
    assert_null(hdr(h, "__connect.errors.class.name", b, sizeof(b)));
    assert_string_equal(hdr(h, "__connect.errors.stage", b, sizeof(b)), "TASK_PUT");
    assert_string_equal(hdr(h, "__connect.errors.exception.message", b, sizeof(b)),
                        "unknown error");
    assert_string_equal(hdr(h, "__connect.errors.exception.class.name", b, sizeof(b)),
                        "org.apache.kafka.connect.errors.ConnectException");
    rd_kafka_headers_destroy(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stage_names),
        cmocka_unit_test(test_parse_defaults),
        cmocka_unit_test(test_parse_values),
        cmocka_unit_test(test_parse_hostile),
        cmocka_unit_test_setup_teardown(test_tolerance_none, setup_log, teardown_log),
        cmocka_unit_test_setup_teardown(test_tolerance_all, setup_log, teardown_log),
        cmocka_unit_test_setup_teardown(test_trace_truncation_and_nulls, setup_log, teardown_log),
        cmocka_unit_test(test_exception_classes),
        cmocka_unit_test_setup_teardown(test_log_reporter, setup_log, teardown_log),
        cmocka_unit_test_setup_teardown(test_log_include_messages, setup_log, teardown_log),
        cmocka_unit_test(test_retry_delay_math),
        cmocka_unit_test_setup_teardown(test_retry_wait, setup_log, teardown_log),
        cmocka_unit_test(test_restart_delay),
        cmocka_unit_test_setup_teardown(test_chain_retry, setup_log, teardown_log),
        cmocka_unit_test(test_dlq_headers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
