/* tests/unit/test_file_plugin.c: loads build/plugins/file.so through its entry point with a
 * small fake host table, and drives FileStreamSource/FileStreamSink as the runtime would. */
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sluice/sdk.h>

/* ---- a fake host: just enough of the SDK for the file plugin, checked as it goes ---- */

struct sl_schema {
    sl_type type;
    bool optional;
};
static sl_schema k_string_req = {SL_TYPE_STRING, false}, k_string_opt = {SL_TYPE_STRING, true};

struct sl_value {
    sl_type type;
    char *s; /* STRING */
    size_t len;
    int64_t i; /* INT64 */
    size_t n;  /* MAP */
    char *keys[8];
    sl_value *vals[8];
};

struct sl_record {
    char *topic;
    int32_t partition;
    int64_t offset;
    sl_schema *vschema;
    sl_value *value;
    sl_value *spart, *soff;
    int64_t ts;
};

struct sl_props {
    size_t n;
    char *k[16], *v[16];
};

struct sl_config {
    sl_props *props;
    const sl_config_def *defs;
};

struct sl_validation {
    const sl_config *config;
    char key[64], msg[256];
};

struct sl_task_ctx {
    bool stopping;
    sl_value *stored; /* what sl_task_offset returns (copied) */
    sl_record *emitted[64];
    size_t nemitted;
    int reports;
};

static char g_log[512];

static void fake_logv(sl_log_level level, const char *fmt, va_list ap)
{
    (void)level;
    vsnprintf(g_log, sizeof(g_log), fmt, ap);
}
static void fake_log(sl_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fake_logv(level, fmt, ap);
    va_end(ap);
}

static sl_value *v_new(sl_type t)
{
    sl_value *v = calloc(1, sizeof(*v));
    assert_non_null(v);
    v->type = t;
    return v;
}
static sl_value *fake_new_string(const char *s, size_t len)
{
    sl_value *v = v_new(SL_TYPE_STRING);
    v->s = malloc(len + 1);
    memcpy(v->s, s, len);
    v->s[len] = '\0';
    v->len = len;
    return v;
}
static sl_value *fake_new_int64(int64_t i)
{
    sl_value *v = v_new(SL_TYPE_INT64);
    v->i = i;
    return v;
}
static sl_value *fake_new_map(void) { return v_new(SL_TYPE_MAP); }
static void fake_destroy(sl_value *v)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < v->n; i++) {
        free(v->keys[i]);
        fake_destroy(v->vals[i]);
    }
    free(v->s);
    free(v);
}
static int fake_map_put_str(sl_value *m, const char *key, sl_value *item)
{
    assert_int_equal(m->type, SL_TYPE_MAP);
    assert_true(m->n < 8);
    m->keys[m->n] = strdup(key);
    m->vals[m->n++] = item;
    return SL_OK;
}
static const sl_value *fake_map_get_str(const sl_value *m, const char *key)
{
    for (size_t i = 0; m && i < m->n; i++)
        if (strcmp(m->keys[i], key) == 0)
            return m->vals[i];
    return NULL;
}
static sl_value *fake_copy(const sl_value *v)
{
    if (v == NULL)
        return NULL;
    sl_value *c = v_new(v->type);
    c->i = v->i;
    if (v->s)
        c = (fake_destroy(c), fake_new_string(v->s, v->len));
    for (size_t i = 0; i < v->n; i++)
        fake_map_put_str(c, v->keys[i], fake_copy(v->vals[i]));
    return c;
}
static int fake_get_int(const sl_value *v, int64_t *out)
{
    if (v == NULL || v->type != SL_TYPE_INT64)
        return SL_ERR;
    *out = v->i;
    return SL_OK;
}
static sl_type fake_type(const sl_value *v) { return v->type; }
static const char *fake_get_string(const sl_value *v, size_t *len)
{
    if (v == NULL || v->type != SL_TYPE_STRING)
        return NULL;
    if (len)
        *len = v->len;
    return v->s;
}
static char *fake_to_json(const sl_value *v, const sl_schema *schema)
{
    (void)schema;
    char *out = NULL;
    if (v->type == SL_TYPE_INT64 && asprintf(&out, "%lld", (long long)v->i) < 0)
        return NULL;
    if (v->type == SL_TYPE_MAP && v->n == 1 && v->vals[0]->type == SL_TYPE_INT64 &&
        asprintf(&out, "{\"%s\":%lld}", v->keys[0], (long long)v->vals[0]->i) < 0)
        return NULL;
    return out; /* anything else: "cannot render" */
}
static const sl_schema *fake_primitive(sl_type t, bool optional)
{
    assert_int_equal(t, SL_TYPE_STRING);
    return optional ? &k_string_opt : &k_string_req;
}
static sl_schema *fake_schema_ref(const sl_schema *s) { return (sl_schema *)s; }

static sl_record *fake_source_record_new(const char *topic, int32_t partition, sl_schema *ks,
                                         sl_value *k, sl_schema *vs, sl_value *v)
{
    assert_null(ks);
    assert_null(k);
    sl_record *r = calloc(1, sizeof(*r));
    r->topic = strdup(topic);
    r->partition = partition;
    r->offset = -1;
    r->vschema = vs;
    r->value = v;
    r->ts = -1;
    return r;
}
static void fake_record_release(sl_record *r)
{
    if (r == NULL)
        return;
    free(r->topic);
    fake_destroy(r->value);
    fake_destroy(r->spart);
    fake_destroy(r->soff);
    free(r);
}
static void fake_set_position(sl_record *r, sl_value *p, sl_value *o)
{
    r->spart = p;
    r->soff = o;
}
static void fake_set_ts(sl_record *r, int64_t ts, sl_timestamp_type type)
{
    assert_int_equal(type, SL_TS_CREATE_TIME);
    r->ts = ts;
}
static const sl_value *fake_rec_value(const sl_record *r) { return r->value; }
static const sl_schema *fake_rec_vschema(const sl_record *r) { return r->vschema; }
static const char *fake_rec_topic(const sl_record *r) { return r->topic; }
static int32_t fake_rec_partition(const sl_record *r) { return r->partition; }
static int64_t fake_rec_offset(const sl_record *r) { return r->offset; }

static bool fake_stopping(const sl_task_ctx *c) { return c->stopping; }
static int fake_emit(sl_task_ctx *c, sl_record *r)
{
    assert_true(c->nemitted < 64);
    c->emitted[c->nemitted++] = r;
    return SL_OK;
}
static sl_value *fake_task_offset(sl_task_ctx *c, const sl_value *partition)
{
    assert_non_null(fake_map_get_str(partition, "filename"));
    return fake_copy(c->stored);
}
static int fake_report(sl_task_ctx *c, const sl_record *r, const char *error)
{
    (void)r;
    (void)error;
    c->reports++;
    return SL_OK; /* as under errors.tolerance=all */
}

static sl_props *fake_props_new(void) { return calloc(1, sizeof(sl_props)); }
static void fake_props_set(sl_props *p, const char *k, const char *v)
{
    p->k[p->n] = strdup(k);
    p->v[p->n++] = v ? strdup(v) : NULL;
}
static sl_props *fake_props_copy(const sl_props *p)
{
    sl_props *c = fake_props_new();
    for (size_t i = 0; i < p->n; i++)
        fake_props_set(c, p->k[i], p->v[i]);
    return c;
}
static void fake_props_destroy(sl_props *p)
{
    for (size_t i = 0; p && i < p->n; i++) {
        free(p->k[i]);
        free(p->v[i]);
    }
    free(p);
}
static const char *fake_props_get(const sl_props *p, const char *k)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->k[i], k) == 0)
            return p->v[i];
    return NULL;
}
static const char *fake_config_string(const sl_config *c, const char *name)
{
    const char *v = fake_props_get(c->props, name);
    if (v)
        return v;
    for (const sl_config_def *d = c->defs; d->name; d++)
        if (strcmp(d->name, name) == 0)
            return d->default_value;
    fail_msg("plugin read undeclared key %s", name);
    return NULL;
}
static int32_t fake_config_int(const sl_config *c, const char *name)
{
    const char *v = fake_config_string(c, name);
    return v ? atoi(v) : 0;
}
static const sl_props *fake_originals(const sl_config *c) { return c->props; }
static const sl_config *fake_validation_config(const sl_validation *v) { return v->config; }
static void fake_validation_error(sl_validation *v, const char *key, const char *msg)
{
    snprintf(v->key, sizeof(v->key), "%s", key);
    snprintf(v->msg, sizeof(v->msg), "%s", msg);
}

/* ---- loading ---- */

static void *g_dl;
static const sl_manifest *g_man;
static const sl_connector_def *g_src, *g_sink;
static sl_host g_host;

static int load_plugin(void **state)
{
    (void)state;
    const char *b = getenv("SLUICE_BUILD");
    char path[1024];
    snprintf(path, sizeof(path), "%s/plugins/file.so", b ? b : "build");
    g_dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (g_dl == NULL) {
        fprintf(stderr, "cannot load %s: %s (build it first: make)\n", path, dlerror());
        return -1;
    }
    g_host = (sl_host){.abi_major = SL_ABI_MAJOR, .abi_minor = SL_ABI_MINOR,
                       .struct_size = sizeof(sl_host)};
    g_host.sl_log = fake_log;
    g_host.sl_logv = fake_logv;
    g_host.sl_task_stopping = fake_stopping;
    g_host.sl_task_emit = fake_emit;
    g_host.sl_task_offset = fake_task_offset;
    g_host.sl_task_report = fake_report;
    g_host.sl_schema_primitive = fake_primitive;
    g_host.sl_schema_ref = fake_schema_ref;
    g_host.sl_value_new_string = fake_new_string;
    g_host.sl_value_new_int64 = fake_new_int64;
    g_host.sl_value_new_map = fake_new_map;
    g_host.sl_value_map_put_str = fake_map_put_str;
    g_host.sl_value_map_get_str = fake_map_get_str;
    g_host.sl_value_get_int = fake_get_int;
    g_host.sl_value_get_string = fake_get_string;
    g_host.sl_value_type = fake_type;
    g_host.sl_value_destroy = fake_destroy;
    g_host.sl_value_to_json = fake_to_json;
    g_host.sl_source_record_new = fake_source_record_new;
    g_host.sl_record_release = fake_record_release;
    g_host.sl_record_set_source_position = fake_set_position;
    g_host.sl_record_set_timestamp = fake_set_ts;
    g_host.sl_record_value = fake_rec_value;
    g_host.sl_record_value_schema = fake_rec_vschema;
    g_host.sl_record_topic = fake_rec_topic;
    g_host.sl_record_partition = fake_rec_partition;
    g_host.sl_record_offset = fake_rec_offset;
    g_host.sl_props_copy = fake_props_copy;
    g_host.sl_props_destroy = fake_props_destroy;
    g_host.sl_config_string = fake_config_string;
    g_host.sl_config_int = fake_config_int;
    g_host.sl_config_originals = fake_originals;
    g_host.sl_validation_config = fake_validation_config;
    g_host.sl_validation_error = fake_validation_error;
    sl_plugin_entry_fn entry = (sl_plugin_entry_fn)dlsym(g_dl, SL_PLUGIN_ENTRY_SYMBOL);
    char err[256] = "";
    g_man = entry ? entry(&g_host, err, sizeof(err)) : NULL;
    if (g_man == NULL || err[0] != '\0')
        return -1;
    for (const sl_connector_def *const *c = g_man->connectors; *c; c++) {
        if ((*c)->kind == SL_CONNECTOR_SOURCE)
            g_src = *c;
        else
            g_sink = *c;
    }
    return 0;
}

static int unload_plugin(void **state)
{
    (void)state;
    dlclose(g_dl);
    return 0;
}

/* ---- helpers ---- */

static char g_dir[] = "/tmp/sluice-fileplugin-XXXXXX";

static void path_in_dir(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", g_dir, name);
}

static void write_file(const char *path, const char *mode, const char *text, size_t len)
{
    FILE *fp = fopen(path, mode);
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

static sl_config *make_config(const sl_config_def *defs, const char *const *kv)
{
    sl_config *c = calloc(1, sizeof(*c));
    c->props = fake_props_new();
    c->defs = defs;
    for (; kv[0]; kv += 2)
        fake_props_set(c->props, kv[0], kv[1]);
    return c;
}

static void free_config(sl_config *c)
{
    fake_props_destroy(c->props);
    free(c);
}

static void clear_emitted(sl_task_ctx *ctx)
{
    for (size_t i = 0; i < ctx->nemitted; i++)
        fake_record_release(ctx->emitted[i]);
    ctx->nemitted = 0;
}

static void expect_record(sl_task_ctx *ctx, size_t i, const char *path, const char *line,
                          int64_t position)
{
    assert_true(i < ctx->nemitted);
    sl_record *r = ctx->emitted[i];
    assert_string_equal(r->topic, "lines");
    assert_int_equal(r->partition, -1);
    assert_ptr_equal(r->vschema, &k_string_req); /* Kafka's Schema.STRING_SCHEMA */
    assert_string_equal(fake_get_string(r->value, NULL), line);
    assert_true(r->ts > 0);
    assert_int_equal(r->spart->n, 1);
    assert_string_equal(r->spart->keys[0], "filename");
    assert_string_equal(r->spart->vals[0]->s, path);
    assert_int_equal(r->soff->n, 1);
    assert_string_equal(r->soff->keys[0], "position");
    assert_int_equal(r->soff->vals[0]->i, position);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- tests ---- */

static void test_manifest(void **state)
{
    (void)state;
    assert_string_equal(g_man->name, "file");
    assert_non_null(g_src);
    assert_non_null(g_sink);
    assert_string_equal(g_src->class_name,
                        "org.apache.kafka.connect.file.FileStreamSourceConnector");
    assert_string_equal(g_sink->class_name,
                        "org.apache.kafka.connect.file.FileStreamSinkConnector");
    /* Every declared key is documented (validate and /config show the docs). */
    const sl_connector_def *defs[] = {g_src, g_sink};
    for (int i = 0; i < 2; i++)
        for (const sl_config_def *d = defs[i]->config; d->name; d++)
            assert_true(d->doc != NULL && d->doc[0] != '\0');
    assert_string_equal(g_src->config[1].name, "topic");
    assert_true(g_src->config[1].required);
    assert_string_equal(g_src->config[2].default_value, "2000");
}

static void test_task_configs(void **state)
{
    (void)state;
    const char *kv[] = {"name", "src", "topic", "lines", "file", "/x", NULL};
    sl_config *c = make_config(g_src->config, kv);
    char err[256];
    void *st = NULL;
    assert_int_equal(g_src->start(c, NULL, &st, err, sizeof(err)), SL_OK);
    sl_props *out[4] = {0};
    assert_int_equal(g_src->task_configs(st, 4, out, err, sizeof(err)), 1);
    assert_string_equal(fake_props_get(out[0], "topic"), "lines");
    assert_string_equal(fake_props_get(out[0], "name"), "src");
    fake_props_destroy(out[0]);
    g_src->stop(st);
    free_config(c);

    const char *skv[] = {"topics", "a", "file", "/y", NULL};
    c = make_config(g_sink->config, skv);
    assert_int_equal(g_sink->start(c, NULL, &st, err, sizeof(err)), SL_OK);
    assert_int_equal(g_sink->task_configs(st, 3, out, err, sizeof(err)), 3);
    for (int i = 0; i < 3; i++) {
        assert_string_equal(fake_props_get(out[i], "file"), "/y");
        fake_props_destroy(out[i]);
    }
    g_sink->stop(st);
    free_config(c);
}

static void test_validate_single_topic(void **state)
{
    (void)state;
    const char *kv[] = {"topic", "a,b", NULL};
    sl_config *c = make_config(g_src->config, kv);
    sl_validation v = {.config = c};
    g_src->validate(&v);
    assert_string_equal(v.key, "topic");
    assert_non_null(strstr(v.msg, "single topic"));
    free_config(c);
    const char *ok[] = {"topic", "lines", NULL};
    c = make_config(g_src->config, ok);
    sl_validation v2 = {.config = c};
    g_src->validate(&v2);
    assert_string_equal(v2.key, "");
    free_config(c);
}

static void *start_source(sl_task_ctx *ctx, const char *path, const char *batch)
{
    const char *kv[] = {"topic", "lines", "file", path, batch ? "batch.size" : NULL, batch, NULL};
    sl_config *c = make_config(g_src->task_config, kv);
    char err[256] = "";
    void *task = NULL;
    assert_int_equal(g_src->task_start(c, ctx, &task, err, sizeof(err)), SL_OK);
    free_config(c); /* the task must not keep pointers into its config */
    return task;
}

static void test_source_tail(void **state)
{
    (void)state;
    char path[512], err[256];
    path_in_dir(path, sizeof(path), "tail.txt");
    write_file(path, "w", "a\nbb\r\nc\rd", 9);
    sl_task_ctx ctx = {0};
    void *t = start_source(&ctx, path, NULL);
    assert_int_equal(g_src->poll(t, &ctx, err, sizeof(err)), 3);
    expect_record(&ctx, 0, path, "a", 2);
    expect_record(&ctx, 1, path, "bb", 6);
    expect_record(&ctx, 2, path, "c", 8);
    clear_emitted(&ctx);
    /* "d" is a partial line: nothing until its newline arrives; the idle poll is short. */
    double t0 = now_s();
    assert_int_equal(g_src->poll(t, &ctx, err, sizeof(err)), 0);
    assert_true(now_s() - t0 < 1.5);
    write_file(path, "a", "\n\xC3(\n", 4);
    assert_int_equal(g_src->poll(t, &ctx, err, sizeof(err)), 2);
    expect_record(&ctx, 0, path, "d", 10);
    expect_record(&ctx, 1, path, "\xEF\xBF\xBD(", 13); /* invalid UTF-8 repaired */
    clear_emitted(&ctx);
    /* A stop request cuts the idle wait short. */
    ctx.stopping = true;
    t0 = now_s();
    assert_int_equal(g_src->poll(t, &ctx, err, sizeof(err)), 0);
    assert_true(now_s() - t0 < 0.1);
    g_src->task_stop(t);
}

static void test_source_batches(void **state)
{
    (void)state;
    char path[512], err[256];
    path_in_dir(path, sizeof(path), "batch.txt");
    write_file(path, "w", "1\n2\n3\n4\n5\n", 10);
    sl_task_ctx ctx = {0};
    void *t = start_source(&ctx, path, "2");
    assert_int_equal(g_src->poll(t, &ctx, err, sizeof(err)), 2);
    assert_int_equal(g_src->poll(t, &ctx, err, sizeof(err)), 2);
    assert_int_equal(g_src->poll(t, &ctx, err, sizeof(err)), 1);
    expect_record(&ctx, 4, path, "5", 10);
    clear_emitted(&ctx);
    g_src->task_stop(t);
}

static void test_source_resumes(void **state)
{
    (void)state;
    char path[512], err[256];
    path_in_dir(path, sizeof(path), "resume.txt");
    write_file(path, "w", "first\nsecond\nthird\n", 19);
    sl_task_ctx ctx = {0};
    ctx.stored = fake_new_map();
    fake_map_put_str(ctx.stored, "position", fake_new_int64(6));
    void *t = start_source(&ctx, path, NULL);
    assert_int_equal(g_src->poll(t, &ctx, err, sizeof(err)), 2);
    expect_record(&ctx, 0, path, "second", 13);
    expect_record(&ctx, 1, path, "third", 19);
    clear_emitted(&ctx);
    g_src->task_stop(t);
    fake_destroy(ctx.stored);

    /* A stored position of the wrong type fails the task with Kafka's message. */
    ctx.stored = fake_new_map();
    fake_map_put_str(ctx.stored, "position", fake_new_string("x", 1));
    t = start_source(&ctx, path, NULL);
    assert_int_equal(g_src->poll(t, &ctx, err, sizeof(err)), SL_ERR);
    assert_string_equal(err, "Offset position is the incorrect type");
    g_src->task_stop(t);
    fake_destroy(ctx.stored);
}

static void test_source_waits_for_file(void **state)
{
    (void)state;
    char path[512], err[256];
    path_in_dir(path, sizeof(path), "later.txt");
    sl_task_ctx ctx = {.stopping = true}; /* skip the 1 s wait */
    void *t = start_source(&ctx, path, NULL);
    assert_int_equal(g_src->poll(t, &ctx, err, sizeof(err)), 0);
    assert_non_null(strstr(g_log, "Couldn't find file"));
    ctx.stopping = false;
    write_file(path, "w", "now\n", 4);
    assert_int_equal(g_src->poll(t, &ctx, err, sizeof(err)), 1);
    expect_record(&ctx, 0, path, "now", 4);
    clear_emitted(&ctx);
    g_src->task_stop(t);

    /* A path that cannot be opened for another reason fails with the reason. */
    ctx.stopping = true;
    t = start_source(&ctx, "/proc/self/mem/nope", NULL);
    assert_int_equal(g_src->poll(t, &ctx, err, sizeof(err)), SL_ERR);
    assert_non_null(strstr(err, "/proc/self/mem/nope"));
    g_src->task_stop(t);
}

static void test_source_stdin(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    int saved = dup(STDIN_FILENO);
    assert_int_equal(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
    close(fds[0]);
    char err[256];
    sl_task_ctx ctx = {0};
    void *t = start_source(&ctx, "", NULL); /* empty file name: standard input */
    /* Nothing written yet: the poll must not block in read(). */
    double t0 = now_s();
    assert_int_equal(g_src->poll(t, &ctx, err, sizeof(err)), 0);
    assert_true(now_s() - t0 < 1.5);
    assert_int_equal(write(fds[1], "in\npart", 7), 7);
    assert_int_equal(g_src->poll(t, &ctx, err, sizeof(err)), 1);
    sl_record *r = ctx.emitted[0];
    assert_string_equal(r->value->s, "in");
    /* Kafka's stdin offsets: {"filename":null} / {"position":null}. */
    assert_string_equal(r->spart->keys[0], "filename");
    assert_null(r->spart->vals[0]);
    assert_string_equal(r->soff->keys[0], "position");
    assert_null(r->soff->vals[0]);
    clear_emitted(&ctx);
    close(fds[1]); /* EOF on the pipe: idle polls, not a busy loop or an error */
    assert_int_equal(g_src->poll(t, &ctx, err, sizeof(err)), 0);
    g_src->task_stop(t);
    assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
    close(saved);
}

static void *start_sink(sl_task_ctx *ctx, const char *path)
{
    const char *kv[] = {"topics", "t", "file", path, NULL};
    sl_config *c = make_config(g_sink->task_config, kv);
    char err[256] = "";
    void *task = NULL;
    assert_int_equal(g_sink->task_start(c, ctx, &task, err, sizeof(err)), SL_OK);
    free_config(c);
    return task;
}

static sl_record *sink_record(sl_value *v)
{
    sl_record *r = fake_source_record_new("t", 0, NULL, NULL, NULL, v);
    return r;
}

static size_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (size_t)st.st_size : 0;
}

static void test_sink_writes_lines(void **state)
{
    (void)state;
    char path[512], err[256];
    path_in_dir(path, sizeof(path), "out.txt");
    sl_task_ctx ctx = {0};
    void *a = start_sink(&ctx, path);
    void *b = start_sink(&ctx, path); /* tasks.max=2: same file */
    sl_value *m = fake_new_map();
    fake_map_put_str(m, "n", fake_new_int64(7));
    sl_value *bad = fake_new_map(); /* the fake cannot render this */
    sl_record *recs[] = {sink_record(fake_new_string("hello", 5)), sink_record(fake_new_int64(42)),
                         sink_record(NULL), sink_record(m), sink_record(bad)};
    assert_int_equal(g_sink->put(a, recs, 5, err, sizeof(err)), SL_OK);
    assert_int_equal(ctx.reports, 1);
    sl_record *recs_b[] = {sink_record(fake_new_string("from b", 6))};
    assert_int_equal(g_sink->put(b, recs_b, 1, err, sizeof(err)), SL_OK);
    assert_int_equal(file_size(path), 0); /* buffered until flush */
    assert_int_equal(g_sink->flush(a, NULL, 0, err, sizeof(err)), SL_OK);
    assert_int_equal(g_sink->flush(b, NULL, 0, err, sizeof(err)), SL_OK);
    char buf[256] = "";
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    assert_string_equal(buf, "hello\n42\nnull\n{\"n\":7}\nfrom b\n");
    for (size_t i = 0; i < 5; i++)
        fake_record_release(recs[i]);
    fake_record_release(recs_b[0]);

    /* A large put is written out without waiting for flush; lines stay whole. */
    sl_record *many[1000];
    char line[100];
    memset(line, 'x', sizeof(line));
    for (int i = 0; i < 1000; i++)
        many[i] = sink_record(fake_new_string(line, sizeof(line)));
    assert_int_equal(g_sink->put(a, many, 1000, err, sizeof(err)), SL_OK);
    assert_true(file_size(path) >= 65536);
    assert_int_equal((file_size(path) - n) % 101, 0);
    for (int i = 0; i < 1000; i++)
        fake_record_release(many[i]);
    g_sink->task_stop(a); /* writes the rest */
    g_sink->task_stop(b);
    assert_int_equal(file_size(path), n + 1000 * 101);
}

static void test_sink_bad_file(void **state)
{
    (void)state;
    const char *kv[] = {"topics", "t", "file", "/nonexistent-dir/x/out.txt", NULL};
    sl_config *c = make_config(g_sink->task_config, kv);
    char err[256] = "";
    void *task = NULL;
    sl_task_ctx ctx = {0};
    assert_int_equal(g_sink->task_start(c, &ctx, &task, err, sizeof(err)), SL_ERR);
    assert_non_null(strstr(err, "Couldn't find or create file '/nonexistent-dir/x/out.txt'"));
    free_config(c);
}

int main(void)
{
    assert_non_null(mkdtemp(g_dir));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest),           cmocka_unit_test(test_task_configs),
        cmocka_unit_test(test_validate_single_topic), cmocka_unit_test(test_source_tail),
        cmocka_unit_test(test_source_batches),     cmocka_unit_test(test_source_resumes),
        cmocka_unit_test(test_source_waits_for_file), cmocka_unit_test(test_source_stdin),
        cmocka_unit_test(test_sink_writes_lines),
        cmocka_unit_test(test_sink_bad_file),
    };
    int rc = cmocka_run_group_tests_name("file_plugin", tests, load_plugin, unload_plugin);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
    if (system(cmd) != 0)
        rc = 1;
    return rc;
}
