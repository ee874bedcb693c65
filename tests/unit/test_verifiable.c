/* tests/unit/test_verifiable.c: loads build/plugins/verifiable.so with the worker's real host
 * table (task context calls replaced by fakes) and drives VerifiableSource/VerifiableSink. */
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
#include <unistd.h>

#include "config/configdef.h"
#include "plugin/registry.h"

typedef struct fake_ctx {
    sl_value *stored; /* returned (copied) by sl_task_offset */
    sl_record *emitted[4096];
    size_t nemitted;
} fake_ctx;

static int fake_emit(sl_task_ctx *ctx, sl_record *r)
{
    fake_ctx *f = (fake_ctx *)ctx;
    assert_true(f->nemitted < 4096);
    f->emitted[f->nemitted++] = r;
    return SL_OK;
}
static sl_value *fake_offset(sl_task_ctx *ctx, const sl_value *partition)
{
    (void)partition;
    return sl_value_copy(((fake_ctx *)ctx)->stored);
}
static bool fake_stopping(const sl_task_ctx *ctx)
{
    (void)ctx;
    return false;
}
static const char *fake_name(const sl_task_ctx *ctx)
{
    (void)ctx;
    return "vtest";
}
static int fake_id(const sl_task_ctx *ctx)
{
    (void)ctx;
    return 0;
}

static sl_host g_host;
static const sl_manifest *g_manifest;
static void *g_dl;

static int setup(void **state)
{
    (void)state;
    char path[512];
    const char *build = getenv("SLUICE_BUILD");
    snprintf(path, sizeof(path), "%s/plugins/verifiable.so", build ? build : "build");
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
    g_host.sl_task_id = fake_id;
    sl_plugin_entry_fn entry = (sl_plugin_entry_fn)dlsym(g_dl, SL_PLUGIN_ENTRY_SYMBOL);
    char err[256] = "";
    g_manifest = entry ? entry(&g_host, err, sizeof(err)) : NULL;
    return g_manifest ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    dlclose(g_dl);
    return 0;
}

static const sl_connector_def *find(const char *cls)
{
    for (size_t i = 0; g_manifest->connectors[i]; i++)
        if (strcmp(g_manifest->connectors[i]->class_name, cls) == 0)
            return g_manifest->connectors[i];
    return NULL;
}

static sl_config *parse(const sl_config_def *defs, const char *const *kv)
{
    sl_props *p = sl_props_new();
    for (size_t i = 0; kv[i]; i += 2)
        sl_props_set(p, kv[i], kv[i + 1]);
    const sl_config_def *tables[] = {defs};
    config_result *res = NULL;
    sl_config *c = config_parse(tables, 1, p, &res);
    assert_int_equal(config_result_error_count(res), 0);
    config_result_free(res);
    sl_props_destroy(p);
    return c;
}

static void test_source_task_configs_and_resume(void **state)
{
    (void)state;
    const sl_connector_def *d = find("org.apache.kafka.connect.tools.VerifiableSourceConnector");
    assert_non_null(d);
    char err[256];
    sl_config *cc = parse(d->config, (const char *const[]){"name", "vs", "topic", "t", NULL});
    void *cs = NULL;
    assert_int_equal(d->start(cc, NULL, &cs, err, sizeof(err)), SL_OK);
    sl_props *out[3];
    assert_int_equal(d->task_configs(cs, 3, out, err, sizeof(err)), 3);
    assert_string_equal(sl_props_get(out[2], "id"), "2");
    assert_string_equal(sl_props_get(out[2], "topic"), "t");
    sl_props_set(out[2], "complete.record.data", "true");

    const sl_config_def *tables[] = {d->task_config};
    sl_config *tc = config_parse(tables, 1, out[2], NULL);
    fake_ctx f = {0};
    f.stored = sl_value_new_map();
    sl_value_map_put_str(f.stored, "seqno", sl_value_new_int64(41));
    void *task = NULL;
    assert_int_equal(d->task_start(tc, (sl_task_ctx *)&f, &task, err, sizeof(err)), SL_OK);
    int n = d->poll(task, (sl_task_ctx *)&f, err, sizeof(err));
    assert_true(n > 0);
    assert_int_equal((size_t)n, f.nemitted);
    for (size_t i = 0; i < f.nemitted; i++) {
        sl_record *r = f.emitted[i];
        int64_t v;
        assert_int_equal(sl_value_get_int(sl_record_key(r), &v), SL_OK);
        assert_int_equal(v, 2);
        const sl_value *st = sl_record_value(r);
        assert_int_equal(sl_value_type(st), SL_TYPE_STRUCT);
        assert_int_equal(sl_value_validate(sl_record_value_schema(r), st, err, sizeof(err)), SL_OK);
        sl_value_get_int(sl_value_struct_get(st, "seqno"), &v);
        assert_int_equal(v, 42 + (int64_t)i);
        sl_value_get_int(sl_value_map_get_str(sl_record_source_offset(r), "seqno"), &v);
        assert_int_equal(v, 42 + (int64_t)i);
        sl_value_get_int(sl_value_map_get_str(sl_record_source_partition(r), "id"), &v);
        assert_int_equal(v, 2);
        assert_string_equal(sl_value_get_string(sl_value_struct_get(st, "name"), NULL), "vs");
        sl_record_release(r);
    }
    d->task_stop(task);
    config_free(tc);

    /* A stored offset whose seqno is not an integer fails the task with a reason. */
    tc = config_parse(tables, 1, out[0], NULL);
    fake_ctx g = {0};
    g.stored = sl_value_new_map();
    sl_value_map_put_str(g.stored, "seqno", sl_value_new_string("x", 1));
    assert_int_equal(d->task_start(tc, (sl_task_ctx *)&g, &task, err, sizeof(err)), SL_OK);
    assert_true(d->poll(task, (sl_task_ctx *)&g, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "seqno"));
    assert_int_equal(g.nemitted, 0);
    d->task_stop(task);
    config_free(tc);

    sl_value_destroy(f.stored);
    sl_value_destroy(g.stored);
    for (int i = 0; i < 3; i++)
        sl_props_destroy(out[i]);
    d->stop(cs);
    config_free(cc);
}

static sl_record *rec(sl_value *key, sl_value *value)
{
    return sl_source_record_new("topic\"x", 3, NULL, key, NULL, value);
}

static void test_sink_reads_every_form(void **state)
{
    (void)state;
    const sl_connector_def *d = find("org.apache.kafka.connect.tools.VerifiableSinkConnector");
    assert_non_null(d);
    char dir[] = "/tmp/verifiable-test-XXXXXX", err[256], pattern[128], path[128];
    assert_non_null(mkdtemp(dir));
    snprintf(pattern, sizeof(pattern), "%s/out-{task}-{task}.jsonl", dir);
    snprintf(path, sizeof(path), "%s/out-1-1.jsonl", dir);
    sl_config *tc = parse(d->task_config,
                          (const char *const[]){"name", "vk", "file", pattern, "id", "1", NULL});
    fake_ctx f = {0};
    void *task = NULL;
    assert_int_equal(d->task_start(tc, (sl_task_ctx *)&f, &task, err, sizeof(err)), SL_OK);

    sl_value *m = sl_value_new_map();
    sl_value_map_put_str(m, "task", sl_value_new_int64(4));
    sl_value_map_put_str(m, "seqno", sl_value_new_int64(7));
    sl_schema *s = sl_schema_new_struct(NULL);
    sl_schema_add_field(s, "task", sl_schema_ref(sl_schema_primitive(SL_TYPE_INT32, false)));
    sl_schema_add_field(s, "seqno", sl_schema_ref(sl_schema_primitive(SL_TYPE_INT64, false)));
    sl_value *st = sl_value_new_struct(s);
    sl_value_struct_set(st, "task", sl_value_new_int32(5));
    sl_value_struct_set(st, "seqno", sl_value_new_int64(8));
    sl_schema_unref(s);
    sl_record *rs[] = {
        rec(NULL, m),
        rec(NULL, st),
        rec(sl_value_new_int32(6), sl_value_new_int64(9)),              /* Kafka's default form */
        rec(sl_value_new_string("7", 1), sl_value_new_string("10", 2)), /* StringConverter */
        rec(NULL, NULL),                                                /* nothing readable */
        rec(sl_value_new_string("x", 1), sl_value_new_string("12z", 3)),
    };
    assert_int_equal(d->put(task, rs, 6, err, sizeof(err)), SL_OK);
    assert_int_equal(d->flush(task, NULL, 0, err, sizeof(err)), SL_OK);
    d->task_stop(task);
    for (size_t i = 0; i < 6; i++)
        sl_record_release(rs[i]);
    config_free(tc);

    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    char line[512];
    const char *want[] = {"\"task\":4,", "\"task\":5,",    "\"task\":6,",
                          "\"task\":7,", "\"task\":null,", "\"task\":null,"};
    const char *seq[] = {"\"seqno\":7,",  "\"seqno\":8,",    "\"seqno\":9,",
                         "\"seqno\":10,", "\"seqno\":null,", "\"seqno\":null,"};
    for (int i = 0; i < 6; i++) {
        assert_non_null(fgets(line, sizeof(line), fp));
        assert_non_null(strstr(line, "{\"name\":\"vk\","));
        assert_non_null(strstr(line, want[i]));
        assert_non_null(strstr(line, seq[i]));
        assert_non_null(strstr(line, "\"sinkTask\":1,\"topic\":\"topic\\\"x\",\"partition\":3,"));
    }
    assert_null(fgets(line, sizeof(line), fp));
    fclose(fp);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_source_task_configs_and_resume),
        cmocka_unit_test(test_sink_reads_every_form),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
