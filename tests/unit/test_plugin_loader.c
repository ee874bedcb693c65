/* tests/unit/test_plugin_loader.c: the plugin loader's refusals and their messages, plugin.path
 * scanning, duplicate classes, Connect's name resolution, and host calls through the table. */
#define _GNU_SOURCE
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/configdef.h"
#include "plugin/registry.h"
#include "util/log.h"

/* ---- log capture ---- */

typedef struct captured {
    sl_log_level level;
    char logger[32];
    char *msg;
} captured;

static captured g_lines[512];
static size_t g_nlines;

static void capture_hook(sl_log_level level, const char *logger, const char *msg, void *opaque)
{
    (void)opaque;
    if (g_nlines == sizeof(g_lines) / sizeof(g_lines[0]))
        return;
    g_lines[g_nlines].level = level;
    snprintf(g_lines[g_nlines].logger, sizeof(g_lines[0].logger), "%s", logger);
    g_lines[g_nlines].msg = strdup(msg);
    g_nlines++;
}

static void capture_clear(void)
{
    for (size_t i = 0; i < g_nlines; i++)
        free(g_lines[i].msg);
    g_nlines = 0;
}

/* Number of captured lines at `level` containing every one of the strings before LINE_END. */
#define LINE_END ((const char *)NULL)
static int count_lines(sl_log_level level, ...)
{
    int n = 0;
    for (size_t i = 0; i < g_nlines; i++) {
        if (g_lines[i].level != level)
            continue;
        bool all = true;
        va_list ap;
        va_start(ap, level);
        for (const char *s = va_arg(ap, const char *); s != NULL; s = va_arg(ap, const char *))
            if (strstr(g_lines[i].msg, s) == NULL)
                all = false;
        va_end(ap);
        n += all;
    }
    return n;
}

static void dump_lines(void)
{
    for (size_t i = 0; i < g_nlines; i++)
        fprintf(stderr, "  captured %s [%s] %s\n", log_level_name(g_lines[i].level),
                g_lines[i].logger, g_lines[i].msg);
}

#define assert_logged(level, ...)                                                                \
    do {                                                                                         \
        if (count_lines(level, __VA_ARGS__, LINE_END) == 0)                                      \
            dump_lines();                                                                        \
        assert_true(count_lines(level, __VA_ARGS__, LINE_END) > 0);                              \
    } while (0)

/* ---- test plugin paths ---- */

static char g_plugin_dir[PATH_MAX];
static char g_example_dir[PATH_MAX];

/* Absolute path of the test plugin NAME.so (built by the Makefile). Static buffer per slot. */
static const char *plugin_so(const char *name)
{
    static char bufs[8][PATH_MAX + 64];
    static int next;
    char *buf = bufs[next++ % 8];
    snprintf(buf, sizeof(bufs[0]), "%s/%s.so", g_plugin_dir, name);
    return buf;
}

static int group_setup(void **state)
{
    (void)state;
    const char *build = getenv("SLUICE_BUILD");
    char rel[PATH_MAX];
    snprintf(rel, sizeof(rel), "%s/tests/plugins", build && *build ? build : "build");
    if (realpath(rel, g_plugin_dir) == NULL) {
        fprintf(stderr, "test plugins not found in %s (set SLUICE_BUILD)\n", rel);
        return -1;
    }
    snprintf(rel, sizeof(rel), "%s/examples", build && *build ? build : "build");
    if (realpath(rel, g_example_dir) == NULL) {
        fprintf(stderr, "SDK examples not found in %s (set SLUICE_BUILD)\n", rel);
        return -1;
    }
    return 0;
}

static int setup(void **state)
{
    (void)state;
    capture_clear();
    log_set_hook(capture_hook, NULL);
    return registry_init() == SL_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    registry_shutdown();
    log_set_hook(NULL, NULL);
    if (getenv("SLUICE_TEST_DUMP_LOGS") != NULL) /* to read the messages while debugging */
        dump_lines();
    capture_clear();
    return 0;
}

static void load_ok(const char *name)
{
    char errstr[512] = "";
    int rc = registry_load_file(plugin_so(name), errstr, sizeof(errstr));
    if (rc != SL_OK)
        fprintf(stderr, "load %s: %s\n", name, errstr);
    assert_int_equal(rc, SL_OK);
}

/* ---- the host table ---- */

static void test_host_table(void **state)
{
    (void)state;
    const sl_host *h = registry_host_table();
    assert_non_null(h);
    assert_int_equal(h->abi_major, SL_ABI_MAJOR);
    assert_int_equal(h->abi_minor, SL_ABI_MINOR);
    assert_int_equal(h->struct_size, sizeof(sl_host));
    /* Every slot points at the worker function of the same name. */
#define CHECK_SLOT(ret, name, params) assert_ptr_equal((void *)h->name, (void *)name);
    SL_HOST_API(CHECK_SLOT)
#undef CHECK_SLOT
}

/* ---- a good plugin ---- */

static void test_good_plugin_loads(void **state)
{
    (void)state;
    const char *path = plugin_so("good_plugin");
    load_ok("good_plugin");
    /* init ran and logged through the host table. */
    assert_logged(SL_LOG_INFO, "good plugin init");
    assert_logged(SL_LOG_INFO, "Loaded plugin good-plugin 1.2.3", path, "1 connector(s)",
                  "1 transform(s)", "0 predicate(s)", "1 converter(s)");

    const plugin_entry *e = registry_find(PLUGIN_SINK, "com.example.test.GoodSinkConnector");
    assert_non_null(e);
    assert_int_equal(e->kind, PLUGIN_SINK);
    assert_string_equal(e->origin, path);
    assert_string_equal(e->version, "1.2.3");
    assert_string_equal(e->def.connector->class_name, "com.example.test.GoodSinkConnector");
    assert_int_equal(e->def.connector->kind, SL_CONNECTOR_SINK);
    assert_null(registry_find(PLUGIN_SOURCE, "com.example.test.GoodSinkConnector"));

    const plugin_entry *t = registry_find(PLUGIN_TRANSFORM, "com.example.test.Shout$Value");
    assert_non_null(t);
    assert_ptr_equal(t->def.transform, registry_find_transform("Shout$Value"));

    /* A header-capable converter is listed under both kinds; no version means NULL. */
    const plugin_entry *c = registry_find(PLUGIN_CONVERTER, "com.example.test.PlainConverter");
    const plugin_entry *hc =
        registry_find(PLUGIN_HEADER_CONVERTER, "com.example.test.PlainConverter");
    assert_non_null(c);
    assert_non_null(hc);
    assert_ptr_not_equal(c, hc);
    assert_ptr_equal(c->def.converter, hc->def.converter);
    assert_null(c->version);
}

static void test_fini_on_shutdown(void **state)
{
    (void)state;
    load_ok("good_plugin");
    assert_int_equal(count_lines(SL_LOG_INFO, "good plugin fini", LINE_END), 0);
    registry_shutdown();
    assert_int_equal(count_lines(SL_LOG_INFO, "good plugin fini", LINE_END), 1);
    /* Nothing left to find, and a second shutdown (teardown's) is harmless. */
    assert_null(registry_find_connector("com.example.test.GoodSinkConnector"));
    const plugin_entry *const *list = NULL;
    assert_int_equal(registry_list(&list), 0);
    /* The registry can start again and reload the same file. */
    assert_int_equal(registry_init(), SL_OK);
    load_ok("good_plugin");
    assert_non_null(registry_find_connector("GoodSink"));
}

/* ---- refusals ---- */

typedef struct refusal {
    const char *file;
    const char *reason;
} refusal;

static void test_refusals(void **state)
{
    (void)state;
    char newer[128];
    snprintf(newer, sizeof(newer), "built for ABI %d.%d, newer than the worker's %d.%d",
             SL_ABI_MAJOR, SL_ABI_MINOR + 1, SL_ABI_MAJOR, SL_ABI_MINOR);
    char major[128];
    snprintf(major, sizeof(major), "built for ABI 2.0, worker speaks ABI %d.%d", SL_ABI_MAJOR,
             SL_ABI_MINOR);
    const refusal cases[] = {
        {"no_entry", "no entry point sluice_plugin_entry"},
        {"wrong_major", major},
        {"newer_minor", newer},
        {"entry_fails", "entry failed: license file not found"},
        {"init_fails", "init failed: database driver missing"},
        {"tiny_manifest", "manifest struct_size 12"},
        {"empty_plugin", "provides no connectors, transforms, predicates or converters"},
        {"does_not_exist", "No such file"},
    };
    const plugin_entry *const *list = NULL;
    size_t before = registry_list(&list);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *path = plugin_so(cases[i].file);
        char errstr[512] = "";
        assert_int_equal(registry_load_file(path, errstr, sizeof(errstr)), SL_ERR);
        /* The reason names the file first, then says why. */
        if (strncmp(errstr, path, strlen(path)) != 0 || strstr(errstr, cases[i].reason) == NULL)
            fprintf(stderr, "%s: got '%s', want '%s'\n", cases[i].file, errstr,
                    cases[i].reason);
        assert_memory_equal(errstr, path, strlen(path));
        assert_non_null(strstr(errstr, cases[i].reason));
    }
    assert_int_equal(registry_list(&list), before);
    assert_null(registry_find_transform("com.example.test.NeverRegistered"));
    /* The empty plugin was unloaded, so its fini ran; init_fails' init did not succeed, so it
     * has nothing to undo. */
    assert_int_equal(count_lines(SL_LOG_INFO, "empty plugin fini", LINE_END), 1);
}

static void test_refusals_are_warned_by_load_path(void **state)
{
    (void)state;
    /* Each refused file listed on plugin.path yields one WARN naming it and the reason. */
    char path[4 * PATH_MAX];
    snprintf(path, sizeof(path), "%s,%s,%s", plugin_so("wrong_major"), plugin_so("no_entry"),
             plugin_so("init_fails"));
    assert_int_equal(registry_load_path(path), 0);
    assert_logged(SL_LOG_WARN, "Skipping plugin", plugin_so("wrong_major"), "built for ABI 2.0");
    assert_logged(SL_LOG_WARN, "Skipping plugin", plugin_so("no_entry"), "no entry point");
    assert_logged(SL_LOG_WARN, "Skipping plugin", plugin_so("init_fails"),
                  "init failed: database driver missing");
}

/* ---- plugin.path scanning ---- */

static char *make_tmpdir(void)
{
    char tmpl[] = "/tmp/sluice-plugin-test-XXXXXX";
    char *dir = mkdtemp(tmpl);
    assert_non_null(dir);
    return strdup(dir);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void rm_rf(const char *dir)
{
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_garbage_so(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    char garbage[PATH_MAX];
    snprintf(garbage, sizeof(garbage), "%s/garbage.so", dir);
    write_file(garbage, "this is not an ELF file\n");
    assert_int_equal(registry_load_path(dir), 0);
    assert_logged(SL_LOG_WARN, "Skipping plugin", garbage);
    /* An empty .so (zero bytes) is refused the same way. */
    write_file(garbage, "");
    char errstr[512];
    assert_int_equal(registry_load_file(garbage, errstr, sizeof(errstr)), SL_ERR);
    assert_non_null(strstr(errstr, garbage));
    rm_rf(dir);
    free(dir);
}

static void test_load_path_scan(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    char p[PATH_MAX], q[PATH_MAX];
    /* dir/good/good_plugin.so: one level down, as a Connect plugin folder. */
    snprintf(p, sizeof(p), "%s/good", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof(p), "%s/good/good_plugin.so", dir);
    assert_int_equal(symlink(plugin_so("good_plugin"), p), 0);
    /* dir/b_wrong_major.so: refused with a warning. */
    snprintf(q, sizeof(q), "%s/b_wrong_major.so", dir);
    assert_int_equal(symlink(plugin_so("wrong_major"), q), 0);
    /* Ignored: not .so, hidden, and two levels down. */
    snprintf(q, sizeof(q), "%s/readme.txt", dir);
    write_file(q, "hello");
    snprintf(q, sizeof(q), "%s/.hidden.so", dir);
    assert_int_equal(symlink(plugin_so("newer_minor"), q), 0);
    snprintf(q, sizeof(q), "%s/sub", dir);
    assert_int_equal(mkdir(q, 0700), 0);
    snprintf(q, sizeof(q), "%s/sub/deeper", dir);
    assert_int_equal(mkdir(q, 0700), 0);
    snprintf(q, sizeof(q), "%s/sub/deeper/too_deep.so", dir);
    assert_int_equal(symlink(plugin_so("entry_fails"), q), 0);

    /* Blanks and empty items are skipped; a missing entry is warned about; listing the same
     * plugin again (directly as a .so) loads nothing twice and warns about nothing. */
    char path[4 * PATH_MAX];
    snprintf(path, sizeof(path), " %s , ,/nonexistent/sluice-plugins,%s,", dir, p);
    assert_int_equal(registry_load_path(path), 1);
    assert_non_null(registry_find_connector("GoodSink"));
    assert_logged(SL_LOG_INFO, "Loaded plugin good-plugin", p);
    assert_logged(SL_LOG_WARN, "b_wrong_major.so", "built for ABI 2.0");
    assert_logged(SL_LOG_WARN, "/nonexistent/sluice-plugins", "No such file");
    assert_logged(SL_LOG_INFO, "Loaded 1 plugin(s)");
    assert_int_equal(count_lines(SL_LOG_WARN, ".hidden", LINE_END), 0);
    assert_int_equal(count_lines(SL_LOG_WARN, "too_deep", LINE_END), 0);
    assert_int_equal(count_lines(SL_LOG_WARN, "readme", LINE_END), 0);
    assert_int_equal(count_lines(SL_LOG_WARN, "GoodSinkConnector", LINE_END), 0);
    assert_int_equal(count_lines(SL_LOG_INFO, "Loaded plugin good-plugin", LINE_END), 1);

    /* A plain file that is not a .so, given directly, is warned about. */
    snprintf(q, sizeof(q), "%s/readme.txt", dir);
    assert_int_equal(registry_load_path(q), 0);
    assert_logged(SL_LOG_WARN, q, "not a directory or a .so file");
    rm_rf(dir);
    free(dir);
}

static void test_hostile_arguments(void **state)
{
    (void)state;
    assert_int_equal(registry_load_path(NULL), 0);
    assert_int_equal(registry_load_path(""), 0);
    assert_int_equal(registry_load_path(" ,, , "), 0);
    char errstr[8];
    assert_int_equal(registry_load_file(NULL, errstr, sizeof(errstr)), SL_ERR);
    /* A tiny or missing errstr buffer only truncates the reason. */
    assert_int_equal(registry_load_file(plugin_so("no_entry"), errstr, sizeof(errstr)), SL_ERR);
    assert_int_equal(strlen(errstr), sizeof(errstr) - 1);
    assert_int_equal(registry_load_file(plugin_so("no_entry"), NULL, 0), SL_ERR);
    assert_string_equal(plugin_kind_name((plugin_kind)99), "unknown");
    assert_null(registry_find((plugin_kind)42, "GoodSink"));
    assert_null(registry_find((plugin_kind)-1, "GoodSink"));
    assert_null(registry_find_any(NULL));
    assert_null(registry_find_any(""));
    /* registry_init twice is refused without harm. */
    assert_int_equal(registry_init(), SL_ERR);
}

static void test_not_initialised(void **state)
{
    (void)state;
    registry_shutdown();
    char errstr[256];
    assert_int_equal(registry_load_file(plugin_so("good_plugin"), errstr, sizeof(errstr)),
                     SL_ERR);
    assert_non_null(strstr(errstr, "not initialised"));
    assert_null(registry_find_connector("GoodSink"));
    assert_null(registry_find_any("JsonConverter"));
    const plugin_entry *const *list = NULL;
    assert_int_equal(registry_list(&list), 0);
}

/* ---- duplicates and malformed definitions ---- */

static void test_duplicates(void **state)
{
    (void)state;
    const char *good = plugin_so("good_plugin");
    const char *dup = plugin_so("duplicate");
    load_ok("good_plugin");
    load_ok("duplicate"); /* its other source connector still loads */
    assert_logged(SL_LOG_WARN, "com.example.test.GoodSinkConnector", dup, good);
    assert_logged(SL_LOG_INFO, "Loaded plugin duplicate 9.9.9", "1 connector(s)",
                  "0 converter(s)", "some classes skipped");
    /* The first file's class is kept. */
    const plugin_entry *e = registry_find(PLUGIN_SINK, "com.example.test.GoodSinkConnector");
    assert_non_null(e);
    assert_string_equal(e->origin, good);
    assert_string_equal(e->version, "1.2.3");
    const plugin_entry *src = registry_find(PLUGIN_SOURCE, "org.other.GoodSinkConnector");
    assert_non_null(src);
    assert_string_equal(src->origin, dup);
    /* A plugin cannot replace a built-in converter either. */
    assert_logged(SL_LOG_WARN, "org.apache.kafka.connect.json.JsonConverter", dup, "builtin");
    const plugin_entry *json =
        registry_find(PLUGIN_CONVERTER, "org.apache.kafka.connect.json.JsonConverter");
    assert_non_null(json);
    assert_string_equal(json->origin, "builtin");
}

static void test_all_duplicates_unloads(void **state)
{
    (void)state;
    /* Loading the same plugin from a second file: every class is a duplicate, so the plugin
     * is refused and unloaded (its fini runs), while the first copy stays. */
    char *dir = make_tmpdir();
    char copy[PATH_MAX], cmd[3 * PATH_MAX];
    snprintf(copy, sizeof(copy), "%s/good_copy.so", dir);
    snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", plugin_so("good_plugin"), copy);
    assert_int_equal(system(cmd), 0);
    load_ok("good_plugin");
    char errstr[512];
    assert_int_equal(registry_load_file(copy, errstr, sizeof(errstr)), SL_ERR);
    assert_non_null(strstr(errstr, "none of its classes could be registered"));
    assert_int_equal(count_lines(SL_LOG_INFO, "good plugin fini", LINE_END), 1);
    assert_string_equal(registry_find_connector("GoodSink")->class_name,
                        "com.example.test.GoodSinkConnector");
    assert_string_equal(registry_find(PLUGIN_SINK, "GoodSink")->origin, plugin_so("good_plugin"));
    rm_rf(dir);
    free(dir);
}

static void test_bad_defs(void **state)
{
    (void)state;
    const char *path = plugin_so("bad_defs");
    load_ok("bad_defs");
    assert_non_null(registry_find_predicate("com.example.test.AlwaysPredicate"));
    assert_non_null(registry_find_predicate("Always"));
    assert_null(registry_find_connector("com.example.test.HalfDoneConnector"));
    assert_null(registry_find_transform("com.example.test.NoApply"));
    assert_null(registry_find_predicate("com.example.test.TinyPredicate"));
    assert_logged(SL_LOG_WARN, "HalfDoneConnector", path, "task_start are required");
    assert_logged(SL_LOG_WARN, "NoApply", path, "init and apply are required");
    assert_logged(SL_LOG_WARN, "TinyPredicate", path, "struct_size");
    assert_logged(SL_LOG_WARN, "unnamed", path, "no class_name");
    assert_logged(SL_LOG_INFO, "Loaded plugin bad-defs", "0 connector(s)", "1 predicate(s)");
}

/* ---- name resolution ---- */

static void test_name_resolution(void **state)
{
    (void)state;
    load_ok("good_plugin");
    const sl_connector_def *full = registry_find_connector("com.example.test.GoodSinkConnector");
    assert_non_null(full);
    assert_ptr_equal(registry_find_connector("GoodSinkConnector"), full);
    assert_ptr_equal(registry_find_connector("GoodSink"), full);
    assert_ptr_equal(registry_find(PLUGIN_SINK, "GoodSink")->def.connector, full);
    /* Kinds are respected. */
    assert_null(registry_find(PLUGIN_SOURCE, "GoodSink"));
    assert_null(registry_find_transform("GoodSink"));
    /* A nested class keeps its "$" part; neither half alone is a name. */
    assert_non_null(registry_find_transform("Shout$Value"));
    assert_null(registry_find_transform("Value"));
    assert_null(registry_find_transform("Shout"));
    assert_null(registry_find_transform("com.example.test.Shout"));
    /* Converters: simple name, and without "Converter", under both converter kinds. */
    assert_non_null(registry_find_converter("PlainConverter"));
    assert_ptr_equal(registry_find_converter("Plain"),
                     registry_find_converter("com.example.test.PlainConverter"));
    assert_non_null(registry_find(PLUGIN_HEADER_CONVERTER, "Plain"));
    /* find_any reports the first kind in list order. */
    assert_int_equal(registry_find_any("Plain")->kind, PLUGIN_CONVERTER);
    assert_int_equal(registry_find_any("Shout$Value")->kind, PLUGIN_TRANSFORM);
    assert_int_equal(registry_find_any("GoodSink")->kind, PLUGIN_SINK);
    /* Unknown, partial, suffix-only and wrongly cased names resolve to nothing. */
    assert_null(registry_find_connector("NoSuchConnector"));
    assert_null(registry_find_connector("Connector"));
    assert_null(registry_find_connector("Sink"));
    assert_null(registry_find_connector("goodsink"));
    assert_null(registry_find_connector("test.GoodSinkConnector"));
    assert_null(registry_find_connector("com.example.test.GoodSink"));
    assert_null(registry_find_connector("."));
    assert_null(registry_find_connector(""));
    assert_null(registry_find_connector(NULL));
    assert_null(registry_find_any("NoSuchThing"));
    assert_int_equal(count_lines(SL_LOG_WARN, "ambiguous", LINE_END), 0);
}

static void test_ambiguous_names(void **state)
{
    (void)state;
    load_ok("good_plugin");
    load_ok("duplicate"); /* adds the source org.other.GoodSinkConnector */
    /* Among connectors, "GoodSinkConnector" and "GoodSink" name two classes. */
    assert_null(registry_find_connector("GoodSinkConnector"));
    assert_null(registry_find_connector("GoodSinkConnector"));
    assert_null(registry_find_connector("GoodSink"));
    assert_int_equal(count_lines(SL_LOG_WARN, "'GoodSinkConnector' is ambiguous",
                                 "com.example.test.GoodSinkConnector",
                                 "org.other.GoodSinkConnector", LINE_END),
                     1);
    assert_int_equal(count_lines(SL_LOG_WARN, "'GoodSink' is ambiguous", LINE_END), 1);
    /* Full names still work, and within one kind the alias is unique again. */
    assert_non_null(registry_find_connector("com.example.test.GoodSinkConnector"));
    assert_non_null(registry_find_connector("org.other.GoodSinkConnector"));
    assert_string_equal(registry_find(PLUGIN_SINK, "GoodSink")->class_name,
                        "com.example.test.GoodSinkConnector");
    assert_string_equal(registry_find(PLUGIN_SOURCE, "GoodSink")->class_name,
                        "org.other.GoodSinkConnector");
    assert_null(registry_find_any("GoodSink"));
}

static void test_builtin_converters(void **state)
{
    (void)state;
    const plugin_entry *json = registry_find(PLUGIN_CONVERTER, "JsonConverter");
    assert_non_null(json);
    assert_string_equal(json->class_name, "org.apache.kafka.connect.json.JsonConverter");
    assert_string_equal(json->origin, "builtin");
    assert_ptr_equal(registry_find_converter("Json"), json->def.converter);
    assert_non_null(registry_find_converter("org.apache.kafka.connect.storage.StringConverter"));
    assert_non_null(registry_find_converter("ByteArrayConverter"));
    assert_non_null(registry_find(PLUGIN_HEADER_CONVERTER, "JsonConverter"));
    /* SimpleHeaderConverter is only a header converter, as in Connect, but the runtime's
     * converter lookup (all roles) still finds it. */
    const plugin_entry *simple = registry_find(PLUGIN_HEADER_CONVERTER, "SimpleHeaderConverter");
    assert_non_null(simple);
    assert_ptr_equal(registry_find(PLUGIN_HEADER_CONVERTER, "Simple"), simple);
    assert_null(registry_find(PLUGIN_CONVERTER, "SimpleHeaderConverter"));
    assert_ptr_equal(registry_find_converter("SimpleHeaderConverter"), simple->def.converter);
    assert_ptr_equal(
        registry_find_converter("org.apache.kafka.connect.storage.SimpleHeaderConverter"),
        simple->def.converter);
}

static void test_list_order(void **state)
{
    (void)state;
    load_ok("good_plugin");
    load_ok("bad_defs");
    load_ok("duplicate");
    const plugin_entry *const *list = NULL;
    size_t n = registry_list(&list);
    assert_true(n >= 6);
    bool seen[PLUGIN_HEADER_CONVERTER + 1] = {false};
    for (size_t i = 0; i < n; i++) {
        seen[list[i]->kind] = true;
        if (i > 0) {
            assert_true(list[i - 1]->kind <= list[i]->kind);
            if (list[i - 1]->kind == list[i]->kind)
                assert_true(strcmp(list[i - 1]->class_name, list[i]->class_name) < 0);
        }
    }
    assert_true(seen[PLUGIN_SINK] && seen[PLUGIN_SOURCE] && seen[PLUGIN_TRANSFORM] &&
                seen[PLUGIN_PREDICATE] && seen[PLUGIN_CONVERTER] &&
                seen[PLUGIN_HEADER_CONVERTER]);
    assert_int_equal(list[0]->kind, PLUGIN_SINK);
    assert_string_equal(plugin_kind_name(PLUGIN_SINK), "sink");
    assert_string_equal(plugin_kind_name(PLUGIN_SOURCE), "source");
    assert_string_equal(plugin_kind_name(PLUGIN_TRANSFORM), "transformation");
    assert_string_equal(plugin_kind_name(PLUGIN_PREDICATE), "predicate");
    assert_string_equal(plugin_kind_name(PLUGIN_CONVERTER), "converter");
    assert_string_equal(plugin_kind_name(PLUGIN_HEADER_CONVERTER), "header_converter");
}

/* ---- host calls from plugin code, through the table ---- */

static void test_host_calls(void **state)
{
    (void)state;
    load_ok("good_plugin");
    const sl_connector_def *def = registry_find_connector("GoodSink");
    assert_non_null(def);
    char errstr[256] = "";
    void *conn = NULL;
    assert_int_equal(def->start(NULL, NULL, &conn, errstr, sizeof(errstr)), SL_OK);
    assert_non_null(conn);
    /* sl_log from plugin code lands in the worker's logger under "plugin". */
    assert_logged(SL_LOG_INFO, "good sink starting");
    bool plugin_logger = false;
    for (size_t i = 0; i < g_nlines; i++)
        if (strstr(g_lines[i].msg, "good sink starting"))
            plugin_logger = strcmp(g_lines[i].logger, "plugin") == 0;
    assert_true(plugin_logger);

    /* sl_props_new / sl_props_set in the plugin, read back here. */
    sl_props *out[5] = {NULL};
    assert_int_equal(def->task_configs(conn, 5, out, errstr, sizeof(errstr)), 2);
    assert_string_equal(sl_props_get(out[1], "task.index"), "1");
    assert_string_equal(sl_props_get(out[0], "greeting"), "hello");
    assert_null(out[2]);

    /* task_start reads its config's originals with sl_props_get: hand it a parsed config. */
    sl_config *tc = config_parse(&def->config, 1, out[0], NULL);
    assert_non_null(tc);
    void *task = NULL;
    assert_int_equal(def->task_start(tc, NULL, &task, errstr, sizeof(errstr)), SL_OK);
    assert_logged(SL_LOG_INFO, "good sink task says hello");
    sl_record *batch[1] = {sl_source_record_new("t", 0, NULL, NULL, NULL, NULL)};
    assert_int_equal(def->put(task, batch, 1, errstr, sizeof(errstr)), SL_OK);
    sl_record_release(batch[0]);
    def->task_stop(task);
    config_free(tc);
    for (int i = 0; i < 2; i++)
        sl_props_destroy(out[i]);
    def->stop(conn);

    /* The transform rebuilds a record's value with the SDK's value calls. */
    const sl_transform_def *shout = registry_find_transform("Shout$Value");
    assert_non_null(shout);
    void *ts = NULL;
    assert_int_equal(shout->init(NULL, &ts, errstr, sizeof(errstr)), SL_OK);
    sl_record *r = sl_source_record_new("t", -1, NULL, NULL, NULL, sl_value_new_string("hi!", 3));
    assert_non_null(r);
    assert_int_equal(shout->apply(ts, r, errstr, sizeof(errstr)), SL_OK);
    assert_string_equal(sl_value_get_string(sl_record_value(r), NULL), "HI!");
    /* A non-string value is refused with a reason and left in place. */
    sl_record_set_value(r, NULL, sl_value_new_int32(7));
    assert_int_equal(shout->apply(ts, r, errstr, sizeof(errstr)), SL_ERR);
    assert_non_null(strstr(errstr, "needs a string"));
    int64_t v = 0;
    assert_int_equal(sl_value_get_int(sl_record_value(r), &v), SL_OK);
    assert_int_equal(v, 7);
    sl_record_release(r);

    /* The converter builds values through the table too. */
    const sl_converter_def *conv = registry_find_converter("Plain");
    sl_schema *schema = NULL;
    sl_value *value = NULL;
    assert_int_equal(conv->to_value(NULL, "t", NULL, "abc", 3, &schema, &value, errstr,
                                    sizeof(errstr)),
                     SL_OK);
    assert_null(schema);
    assert_string_equal(sl_value_get_string(value, NULL), "abc");
    sl_value_destroy(value);
}

/* ---- the SDK examples load and work ---- */

static void load_example(const char *name)
{
    char path[PATH_MAX + 64], errstr[512] = "";
    snprintf(path, sizeof(path), "%s/%s.so", g_example_dir, name);
    int rc = registry_load_file(path, errstr, sizeof(errstr));
    if (rc != SL_OK)
        fprintf(stderr, "load %s: %s\n", name, errstr);
    assert_int_equal(rc, SL_OK);
}

static void test_example_source_loads(void **state)
{
    (void)state;
    load_example("example_source");
    const plugin_entry *e = registry_find_any("CounterSource");
    assert_non_null(e);
    assert_int_equal(e->kind, PLUGIN_SOURCE);
    assert_string_equal(e->class_name, "com.example.sluice.CounterSourceConnector");
    assert_string_equal(e->version, "1.0.0");
    const sl_connector_def *d = e->def.connector;
    assert_non_null(d->poll);
    assert_string_equal(d->config[0].name, "topic");
    assert_true(d->config[0].required);
    /* Its table drives validation: a missing topic and a zero batch are both reported. */
    sl_props *raw = sl_props_new();
    sl_props_set(raw, "batch.size", "0");
    config_result *res = NULL;
    sl_config *c = config_parse(&d->config, 1, raw, &res);
    assert_non_null(c);
    assert_non_null(res);
    assert_int_equal(config_result_error_count(res), 2);
    config_result_free(res);
    config_free(c);
    sl_props_destroy(raw);
}

static sl_record *string_record(const char *s)
{
    return sl_source_record_new("t", -1, NULL, NULL,
                                sl_schema_ref(sl_schema_primitive(SL_TYPE_STRING, false)),
                                sl_value_new_string(s, strlen(s)));
}

static void test_example_transform(void **state)
{
    (void)state;
    load_example("example_transform");
    const sl_transform_def *t = registry_find_transform("Uppercase$Value");
    assert_non_null(t);
    char errstr[256] = "";

    /* With original.header set: value uppercased, schema kept, original in a header. */
    sl_props *raw = sl_props_new();
    sl_props_set(raw, "original.header", "orig");
    sl_config *c = config_parse(&t->config, 1, raw, NULL);
    void *st = NULL;
    assert_int_equal(t->init(c, &st, errstr, sizeof(errstr)), SL_OK);
    sl_record *r = string_record("hello, World");
    assert_int_equal(t->apply(st, r, errstr, sizeof(errstr)), SL_OK);
    assert_string_equal(sl_value_get_string(sl_record_value(r), NULL), "HELLO, WORLD");
    assert_int_equal(sl_schema_type(sl_record_value_schema(r)), SL_TYPE_STRING);
    int h = sl_record_header_last(r, "orig");
    assert_true(h >= 0);
    assert_string_equal(sl_value_get_string(sl_record_header_value(r, (size_t)h), NULL),
                        "hello, World");
    /* A tombstone passes untouched; a non-string value is refused with a reason. */
    sl_record_set_value(r, NULL, NULL);
    assert_int_equal(t->apply(st, r, errstr, sizeof(errstr)), SL_OK);
    assert_null(sl_record_value(r));
    sl_record_set_value(r, NULL, sl_value_new_int32(3));
    assert_int_equal(t->apply(st, r, errstr, sizeof(errstr)), SL_ERR);
    assert_non_null(strstr(errstr, "expects a string"));
    sl_record_release(r);
    t->close(st);
    config_free(c);

    /* Without it: no header. */
    sl_props_remove(raw, "original.header");
    c = config_parse(&t->config, 1, raw, NULL);
    assert_int_equal(t->init(c, &st, errstr, sizeof(errstr)), SL_OK);
    r = string_record("abc");
    assert_int_equal(t->apply(st, r, errstr, sizeof(errstr)), SL_OK);
    assert_string_equal(sl_value_get_string(sl_record_value(r), NULL), "ABC");
    assert_int_equal(sl_record_header_count(r), 0);
    sl_record_release(r);
    t->close(st);
    config_free(c);
    sl_props_destroy(raw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_host_table),
        cmocka_unit_test_setup_teardown(test_good_plugin_loads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fini_on_shutdown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals_are_warned_by_load_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_so, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_path_scan, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_initialised, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_all_duplicates_unloads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_defs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_name_resolution, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ambiguous_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_builtin_converters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_host_calls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_example_source_loads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_example_transform, setup, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
