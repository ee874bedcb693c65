/* tests/unit/test_datagen_connector.c: loads build/plugins/datagen.so with the worker's real host
 * table (task context calls replaced by fakes) and drives DatagenConnector: validation, task
 * fan-out, the split of iterations, keys, headers, offsets, resume and reproducibility. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config/configdef.h"
#include "plugin/registry.h"

#define MAX_EMITTED 4096

typedef struct fake_ctx {
    sl_value *stored; /* returned (copied) by sl_task_offset */
    sl_record *emitted[MAX_EMITTED];
    size_t nemitted;
    int commits;
    bool stopping;
} fake_ctx;

static int fake_emit(sl_task_ctx *ctx, sl_record *r)
{
    fake_ctx *f = (fake_ctx *)ctx;
    assert_true(f->nemitted < MAX_EMITTED);
    f->emitted[f->nemitted++] = r;
    return SL_OK;
}
static sl_value *fake_offset(sl_task_ctx *ctx, const sl_value *partition)
{
    int64_t id = -1;
    assert_int_equal(sl_value_get_int(sl_value_map_get_str(partition, "task.id"), &id), SL_OK);
    return sl_value_copy(((fake_ctx *)ctx)->stored);
}
static bool fake_stopping(const sl_task_ctx *ctx)
{
    return ((const fake_ctx *)ctx)->stopping;
}
static const char *fake_name(const sl_task_ctx *ctx)
{
    (void)ctx;
    return "dg";
}
/* Only a task that generated its share asks for a commit: stop it then, so its idle wait
 * returns at once and the test stays fast. */
static void fake_commit(sl_task_ctx *ctx)
{
    ((fake_ctx *)ctx)->commits++;
    ((fake_ctx *)ctx)->stopping = true;
}

static sl_host g_host;
static const sl_manifest *g_manifest;
static const sl_connector_def *g_def;
static void *g_dl;

static int setup(void **state)
{
    (void)state;
    char path[512];
    const char *build = getenv("SLUICE_BUILD");
    snprintf(path, sizeof(path), "%s/plugins/datagen.so", build ? build : "build");
    g_dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (g_dl == NULL) {
        fprintf(stderr, "cannot load %s: %s\n", path, dlerror());
        return -1;
    }
    g_host = *registry_host_table();
    g_host.sl_task_emit = fake_emit;
    g_host.sl_task_offset = fake_offset;
    g_host.sl_task_stopping = fake_stopping;
    g_host.sl_task_connector_name = fake_name;
    g_host.sl_task_request_commit = fake_commit;
    sl_plugin_entry_fn entry = (sl_plugin_entry_fn)dlsym(g_dl, SL_PLUGIN_ENTRY_SYMBOL);
    char err[256] = "";
    g_manifest = entry ? entry(&g_host, err, sizeof(err)) : NULL;
    if (g_manifest == NULL || g_manifest->connectors == NULL)
        return -1;
    g_def = g_manifest->connectors[0];
    return strcmp(g_def->class_name, "io.sluice.connect.datagen.DatagenConnector") == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    dlclose(g_dl);
    return 0;
}

static sl_props *kv(const char *const *pairs)
{
    sl_props *p = sl_props_new();
    for (size_t i = 0; pairs[i]; i += 2)
        sl_props_set(p, pairs[i], pairs[i + 1]);
    return p;
}

/* Parse and validate as PUT .../config/validate does; returns the result (caller frees). */
static config_result *validate(const char *const *pairs)
{
    sl_props *p = kv(pairs);
    const sl_config_def *tables[] = {g_def->config};
    config_result *res = NULL;
    sl_config *c = config_parse(tables, 1, p, &res);
    config_run_validate(res, c, g_def->validate);
    config_free(c);
    sl_props_destroy(p);
    return res;
}

/* The errors of `key` joined, or "" when none. */
static const char *errors_of(const config_result *r, const char *key)
{
    static char buf[2048];
    buf[0] = '\0';
    ssize_t i = config_result_find(r, key);
    if (i < 0)
        return buf;
    const char *const *msgs;
    size_t n = config_result_errors(r, (size_t)i, &msgs);
    for (size_t k = 0; k < n; k++)
        snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s|", msgs[k]);
    return buf;
}

static void test_validation(void **state)
{
    (void)state;
    config_result *r = validate((const char *const[]){"kafka.topic", "t", NULL});
    assert_non_null(strstr(errors_of(r, "quickstart"), "exactly one of"));
    assert_non_null(strstr(errors_of(r, "schema.string"), "exactly one of"));
    assert_non_null(strstr(errors_of(r, "schema.filename"), "exactly one of"));
    config_result_free(r);

    r = validate((const char *const[]){"kafka.topic", "t", "quickstart", "users", "schema.string",
                                       "{}", NULL});
    assert_non_null(strstr(errors_of(r, "quickstart"), "exactly one of"));
    assert_non_null(strstr(errors_of(r, "schema.string"), "exactly one of"));
    assert_string_equal(errors_of(r, "schema.filename"), "");
    config_result_free(r);

    r = validate((const char *const[]){"kafka.topic", "t", "quickstart", "USERS", NULL});
    assert_int_equal(config_result_error_count(r), 0);
    config_result_free(r);

    r = validate((const char *const[]){"kafka.topic", "t", "quickstart", "clicks", NULL});
    assert_non_null(strstr(errors_of(r, "quickstart"), "Unknown quickstart"));
    assert_int_equal(config_result_error_count(r), 1); /* not also "exactly one of" */
    config_result_free(r);

    r = validate((const char *const[]){"quickstart", "users", "max.interval", "-1", NULL});
    assert_true(strlen(errors_of(r, "kafka.topic")) > 0);
    assert_true(strlen(errors_of(r, "max.interval")) > 0);
    config_result_free(r);

    r = validate((const char *const[]){"kafka.topic", "t", "schema.string",
                                       "{\"type\":\"record\",\"name\":\"x\",\"fields\":[{\"name\":"
                                       "\"a\",\"type\":\"wat\"}]}",
                                       NULL});
    assert_non_null(strstr(errors_of(r, "schema.string"), "unknown type \"wat\""));
    config_result_free(r);

    r = validate((const char *const[]){"kafka.topic", "t", "quickstart", "orders",
                                       "schema.keyfield", "nope", NULL});
    assert_non_null(strstr(errors_of(r, "schema.keyfield"), "not a top-level field"));
    config_result_free(r);

    r = validate((const char *const[]){"kafka.topic", "t", "quickstart", "trades",
                                       "schema.keyfield", "symbol", NULL});
    assert_non_null(strstr(errors_of(r, "schema.keyfield"), "\"id\""));
    config_result_free(r);

    r = validate(
        (const char *const[]){"kafka.topic", "t", "schema.filename", "/no/such.avsc", NULL});
    assert_non_null(strstr(errors_of(r, "schema.filename"), "cannot open"));
    config_result_free(r);

    /* start() refuses what validation refuses, with the key named. */
    sl_props *p = kv((const char *const[]){"kafka.topic", "t", NULL});
    const sl_config_def *tables[] = {g_def->config};
    sl_config *c = config_parse(tables, 1, p, NULL);
    void *cs = NULL;
    char err[512] = "";
    assert_int_equal(g_def->start(c, NULL, &cs, err, sizeof(err)), SL_ERR);
    assert_non_null(strstr(err, "exactly one of"));
    config_free(c);
    sl_props_destroy(p);
}

/* Task configs of a connector started with `pairs`: fills out[0..n-1] (caller destroys). */
static int task_configs(const char *const *pairs, int max_tasks, sl_props **out)
{
    sl_props *p = kv(pairs);
    const sl_config_def *tables[] = {g_def->config};
    sl_config *c = config_parse(tables, 1, p, NULL);
    void *cs = NULL;
    char err[512] = "";
    assert_int_equal(g_def->start(c, NULL, &cs, err, sizeof(err)), SL_OK);
    int n = g_def->task_configs(cs, max_tasks, out, err, sizeof(err));
    g_def->stop(cs);
    config_free(c);
    sl_props_destroy(p);
    return n;
}

/* Run task config `tc` against `f` until it idles (or `max_polls`); returns the task state. */
static void run_task(sl_props *tc, fake_ctx *f, int max_polls, bool expect_fail)
{
    const sl_config_def *tables[] = {g_def->task_config};
    config_result *res = NULL;
    sl_config *c = config_parse(tables, 1, tc, &res);
    assert_int_equal(config_result_error_count(res), 0);
    config_result_free(res);
    void *task = NULL;
    char err[512] = "";
    assert_int_equal(g_def->task_start(c, (sl_task_ctx *)f, &task, err, sizeof(err)), SL_OK);
    for (int i = 0; i < max_polls; i++) {
        int n = g_def->poll(task, (sl_task_ctx *)f, err, sizeof(err));
        if (expect_fail) {
            assert_true(n < 0);
            assert_non_null(strstr(err, "current.iteration"));
            break;
        }
        assert_true(n >= 0);
        if (n == 0)
            break;
    }
    g_def->task_stop(task);
    config_free(c);
}

static int64_t header_int(const sl_record *r, const char *key)
{
    int i = sl_record_header_last(r, key);
    assert_true(i >= 0);
    int64_t v = -1;
    assert_int_equal(sl_value_get_int(sl_record_header_value(r, (size_t)i), &v), SL_OK);
    return v;
}

static const char seq_template[] = "{\"type\":\"record\",\"name\":\"seq\",\"fields\":["
                                   "{\"name\":\"n\",\"type\":{\"type\":\"long\",\"arg.properties\":"
                                   "{\"iteration\":{\"start\":0}}}},"
                                   "{\"name\":\"word\",\"type\":{\"type\":\"string\",\"arg."
                                   "properties\":{\"options\":[\"a\",\"b\"]}}},"
                                   "{\"name\":\"r\",\"type\":\"double\"}]}";

static void release_all(fake_ctx *f)
{
    for (size_t i = 0; i < f->nemitted; i++)
        sl_record_release(f->emitted[i]);
    f->nemitted = 0;
}

static void test_split_keys_offsets(void **state)
{
    (void)state;
    sl_props *out[3];
    const char *const conf[] = {"name",
                                "dg",
                                "kafka.topic",
                                "seqs",
                                "schema.string",
                                seq_template,
                                "schema.keyfield",
                                "n",
                                "iterations",
                                "10",
                                "max.interval",
                                "0",
                                "random.seed",
                                "42",
                                NULL};
    assert_int_equal(task_configs(conf, 3, out), 3);
    assert_string_equal(sl_props_get(out[2], "task.id"), "2");
    assert_string_equal(sl_props_get(out[2], "task.count"), "3");
    bool seen[10] = {false};
    int64_t shares[3] = {4, 3, 3};
    for (int t = 0; t < 3; t++) {
        fake_ctx f = {0};
        run_task(out[t], &f, 10, false);
        assert_int_equal(f.nemitted, shares[t]);
        assert_int_equal(f.commits, 1); /* the finished task asks for its offsets to be stored */
        for (size_t i = 0; i < f.nemitted; i++) {
            sl_record *r = f.emitted[i];
            assert_string_equal(sl_record_topic(r), "seqs");
            int64_t n;
            sl_value_get_int(sl_value_struct_get(sl_record_value(r), "n"), &n);
            assert_int_equal(n, t + 3 * (int64_t)i); /* interleaved: no overlap, no gap */
            assert_false(seen[n]);
            seen[n] = true;
            char want[8];
            snprintf(want, sizeof(want), "%lld", (long long)n);
            assert_int_equal(sl_schema_type(sl_record_key_schema(r)), SL_TYPE_STRING);
            assert_string_equal(sl_value_get_string(sl_record_key(r), NULL), want);
            char err[256];
            assert_int_equal(
                sl_value_validate(sl_record_value_schema(r), sl_record_value(r), err, sizeof(err)),
                SL_OK);
            int64_t v;
            sl_value_get_int(sl_value_map_get_str(sl_record_source_partition(r), "task.id"), &v);
            assert_int_equal(v, t);
            sl_value_get_int(sl_value_map_get_str(sl_record_source_offset(r), "current.iteration"),
                             &v);
            assert_int_equal(v, (int64_t)i + 1);
            sl_value_get_int(sl_value_map_get_str(sl_record_source_offset(r), "task.generation"),
                             &v);
            assert_int_equal(v, 1);
            assert_int_equal(header_int(r, "current.iteration"), (int64_t)i);
            assert_int_equal(header_int(r, "task.id"), t);
            assert_int_equal(header_int(r, "task.generation"), 0);
        }
        release_all(&f);
    }
    for (int i = 0; i < 10; i++)
        assert_true(seen[i]);

    /* Task 1 restarted after 2 of its 3 records: only its last (n = 1 + 2*3) comes out, with
     * the next generation. */
    fake_ctx f = {0};
    f.stored = sl_value_new_map();
    sl_value_map_put_str(f.stored, "task.generation", sl_value_new_int64(1));
    sl_value_map_put_str(f.stored, "current.iteration", sl_value_new_int64(2));
    run_task(out[1], &f, 10, false);
    assert_int_equal(f.nemitted, 1);
    int64_t n;
    sl_value_get_int(sl_value_struct_get(sl_record_value(f.emitted[0]), "n"), &n);
    assert_int_equal(n, 7);
    assert_int_equal(header_int(f.emitted[0], "task.generation"), 1);
    release_all(&f);
    sl_value_destroy(f.stored);

    /* A finished task stays finished after a restart. */
    f = (fake_ctx){0};
    f.stored = sl_value_new_map();
    sl_value_map_put_str(f.stored, "current.iteration", sl_value_new_int64(3));
    run_task(out[1], &f, 10, false);
    assert_int_equal(f.nemitted, 0);
    sl_value_destroy(f.stored);

    /* An offset that is not ours fails the task rather than restart the sequence. */
    f = (fake_ctx){0};
    f.stored = sl_value_new_map();
    sl_value_map_put_str(f.stored, "current.iteration", sl_value_new_string("x", 1));
    run_task(out[0], &f, 10, true);
    assert_int_equal(f.nemitted, 0);
    sl_value_destroy(f.stored);
    for (int i = 0; i < 3; i++)
        sl_props_destroy(out[i]);
}

static void test_seed_reproducible_across_task_counts(void **state)
{
    (void)state;
    /* With a seed, record n is the same whether one task or two generate it. */
    const char *const conf[] = {
        "name",       "dg", "kafka.topic",  "t", "schema.string", seq_template,
        "iterations", "6",  "max.interval", "0", "random.seed",   "-7",
        NULL};
    sl_props *one[1], *two[2];
    assert_int_equal(task_configs(conf, 1, one), 1);
    assert_int_equal(task_configs(conf, 2, two), 2);
    fake_ctx a = {0}, b0 = {0}, b1 = {0};
    run_task(one[0], &a, 10, false);
    run_task(two[0], &b0, 10, false);
    run_task(two[1], &b1, 10, false);
    assert_int_equal(a.nemitted, 6);
    assert_int_equal(b0.nemitted + b1.nemitted, 6);
    for (size_t i = 0; i < 6; i++) {
        fake_ctx *b = i % 2 ? &b1 : &b0;
        assert_true(
            sl_value_equals(sl_record_value(a.emitted[i]), sl_record_value(b->emitted[i / 2])));
    }
    /* Records differ from one another (the seed is not used as a constant). */
    assert_false(sl_value_equals(sl_record_value(a.emitted[0]), sl_record_value(a.emitted[1])));
    /* No key field: no key. */
    assert_null(sl_record_key(a.emitted[0]));
    assert_null(sl_record_key_schema(a.emitted[0]));
    release_all(&a);
    release_all(&b0);
    release_all(&b1);
    sl_props_destroy(one[0]);
    sl_props_destroy(two[0]);
    sl_props_destroy(two[1]);
}

static void test_trades_and_pacing(void **state)
{
    (void)state;
    const char *const conf[] = {"name",       "dg", "kafka.topic",  "t", "quickstart", "trades",
                                "iterations", "25", "max.interval", "0", NULL};
    sl_props *out[1];
    assert_int_equal(task_configs(conf, 1, out), 1);
    fake_ctx f = {0};
    run_task(out[0], &f, 10, false);
    assert_int_equal(f.nemitted, 25);
    const char *ops = "cccccuuuuuuuuuuddddd";
    for (size_t i = 0; i < 25; i++) {
        const sl_record *r = f.emitted[i];
        const char *op = sl_value_get_string(sl_value_struct_get(sl_record_value(r), "op"), NULL);
        assert_int_equal(op[0], ops[i % 20]);
        assert_string_equal(sl_schema_name(sl_record_key_schema(r)), "datagen.trades.Key");
        assert_string_equal(sl_schema_name(sl_record_value_schema(r)), "datagen.trades.Envelope");
    }
    release_all(&f);
    sl_props_destroy(out[0]);

    /* Paced: a poll returns within about half a second, having emitted something. */
    const char *const slow[] = {"name",  "dg",           "kafka.topic", "t", "quickstart",
                                "users", "max.interval", "100",         NULL};
    assert_int_equal(task_configs(slow, 1, out), 1);
    const sl_config_def *tables[] = {g_def->task_config};
    sl_config *c = config_parse(tables, 1, out[0], NULL);
    void *task = NULL;
    char err[256];
    f = (fake_ctx){0};
    assert_int_equal(g_def->task_start(c, (sl_task_ctx *)&f, &task, err, sizeof(err)), SL_OK);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int n = g_def->poll(task, (sl_task_ctx *)&f, err, sizeof(err));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_true(n >= 2);
    assert_true(secs < 1.5);
    /* Stopping: the next poll returns at once. */
    f.stopping = true;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    (void)g_def->poll(task, (sl_task_ctx *)&f, err, sizeof(err));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_true(t1.tv_sec - t0.tv_sec < 1);
    /* users is keyed by userid. */
    const char *key = sl_value_get_string(sl_record_key(f.emitted[0]), NULL);
    assert_non_null(key);
    assert_int_equal(strncmp(key, "User_", 5), 0);
    g_def->task_stop(task);
    config_free(c);
    release_all(&f);
    sl_props_destroy(out[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_split_keys_offsets),
        cmocka_unit_test(test_seed_reproducible_across_task_counts),
        cmocka_unit_test(test_trades_and_pacing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
