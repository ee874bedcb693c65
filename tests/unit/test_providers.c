/* tests/unit/test_providers.c: config providers: the ${provider:[path:]key} syntax, the file,
 * env and directory providers, allowed.paths, reverse transform, scrubbing and validation. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/providers.h"
#include "config/providers_internal.h"
#include "plugin/registry.h"
#include "props_util.h"

#define SECRET "s3cr3t-Value-42"
#define SINK "com.example.config.CheckedSinkConnector"

static char g_dir[200];     /* a private temp dir, allowed for the providers */
static char g_props[256];   /* g_dir/secrets.properties */
static char g_secrets[256]; /* g_dir/secrets (a directory of files) */
static char g_outside[200]; /* a temp dir outside g_dir */

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int group_setup(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/sluice-providers-XXXXXX";
    char tmpl2[] = "/tmp/sluice-providers-out-XXXXXX";
    if (mkdtemp(tmpl) == NULL || mkdtemp(tmpl2) == NULL)
        return -1;
    snprintf(g_dir, sizeof(g_dir), "%s", tmpl);
    snprintf(g_outside, sizeof(g_outside), "%s", tmpl2);
    snprintf(g_props, sizeof(g_props), "%s/secrets.properties", g_dir);
    snprintf(g_secrets, sizeof(g_secrets), "%s/secrets", g_dir);
    char p[1024];
    FILE *f = fopen(g_props, "w");
    if (f == NULL)
        return -1;
    fputs("# secrets\ndb.password=" SECRET "\nout.path=/tmp/out-file.txt\nwith\\:colon=c\n", f);
    fclose(f);
    mkdir(g_secrets, 0700);
    snprintf(p, sizeof(p), "%s/token", g_secrets);
    write_file(p, SECRET "\n");
    snprintf(p, sizeof(p), "%s/sub", g_secrets);
    mkdir(p, 0700);
    snprintf(p, sizeof(p), "%s/other.properties", g_outside);
    write_file(p, "k=outside\n");
    setenv("SL_TEST_SECRET", SECRET, 1);
    setenv("SL_TEST_OTHER", "other", 1);
    setenv("SL_TEST_NUM", "notanumber-" SECRET, 1);
    setenv("SL_TEST_EMPTY", "", 1);

    const char *build = getenv("SLUICE_BUILD");
    char path[PATH_MAX], err[512];
    snprintf(path, sizeof(path), "%s/tests/plugins/config_plugin.so",
             build && *build ? build : "build");
    if (registry_init() != SL_OK)
        return -1;
    if (registry_load_file(path, err, sizeof(err)) != SL_OK) {
        fprintf(stderr, "cannot load %s: %s (set SLUICE_BUILD)\n", path, err);
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    registry_shutdown();
    char cmd[2 * PATH_MAX + 32];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", g_dir, g_outside);
    return system(cmd) == 0 ? 0 : -1;
}

/* file, env and directory providers; file and directory limited to g_dir. */
static config_providers *standard(void)
{
    sl_props *wp =
        props("config.providers", "file, env,directory", "config.providers.file.class",
              "org.apache.kafka.common.config.provider.FileConfigProvider",
              "config.providers.file.param.allowed.paths", g_dir, "config.providers.env.class",
              "EnvVarConfigProvider", "config.providers.directory.class", "Directory",
              "config.providers.directory.param.allowed.paths", g_dir, NULL);
    config_providers *p = NULL;
    char err[512] = "";
    if (providers_new(wp, &p, err, sizeof(err)) != SL_OK)
        fail_msg("providers_new: %s", err);
    sl_props_destroy(wp);
    assert_int_equal(providers_count(p), 3);
    return p;
}

static char *resolve_ok(const config_providers *p, const char *value)
{
    char *out = NULL, err[1024] = "";
    if (providers_resolve_value(p, value, &out, err, sizeof(err)) != SL_OK)
        fail_msg("resolving %s: %s", value, err);
    return out;
}

static void expect_resolved(const config_providers *p, const char *value, const char *want)
{
    char *got = resolve_ok(p, value);
    assert_string_equal(got, want);
    free(got);
}

/* Resolving fails with a message containing every `needles` (NULL-terminated) and never the
 * secret. */
static void expect_fail(const config_providers *p, const char *value, ...)
{
    char *out = (char *)1, err[1024] = "";
    assert_int_equal(providers_resolve_value(p, value, &out, err, sizeof(err)), SL_ERR);
    assert_null(out);
    va_list ap;
    va_start(ap, value);
    for (const char *n = va_arg(ap, const char *); n != NULL; n = va_arg(ap, const char *))
        if (strstr(err, n) == NULL)
            fail_msg("error \"%s\" does not contain \"%s\"", err, n);
    va_end(ap);
    assert_null(strstr(err, SECRET));
}

/* ---- syntax ---- */

static void check_var(const char *value, size_t from, const char *prov, const char *path,
                      const char *key, size_t start, size_t end)
{
    providers_var v;
    assert_true(providers_next_var(value, from, &v));
    assert_int_equal(v.start, start);
    assert_int_equal(v.end, end);
    assert_int_equal(v.provider_len, strlen(prov));
    assert_memory_equal(value + v.provider_off, prov, v.provider_len);
    assert_int_equal(v.path_len, strlen(path));
    assert_memory_equal(value + v.path_off, path, v.path_len);
    assert_int_equal(v.key_len, strlen(key));
    assert_memory_equal(value + v.key_off, key, v.key_len);
}

static void test_syntax(void **state)
{
    (void)state;
    providers_var v;
    check_var("${file:/etc/a.properties:db.pw}", 0, "file", "/etc/a.properties", "db.pw", 0, 31);
    check_var("${env:HOME}", 0, "env", "", "HOME", 0, 11);
    check_var("${env::HOME}", 0, "env", "", "HOME", 0, 12);     /* Kafka's empty path */
    check_var("${file:/p:a:b}", 0, "file", "/p", "a:b", 0, 14); /* the key keeps later ':' */
    check_var("${:k}", 0, "", "", "k", 0, 5);
    check_var("${p:}", 0, "p", "", "", 0, 5);
    /* two in one value, with text around */
    const char *two = "x${a:b}y${c:d:e}z";
    check_var(two, 0, "a", "", "b", 1, 7);
    check_var(two, 7, "c", "d", "e", 8, 16);
    assert_false(providers_next_var(two, 16, &v));
    /* each variable ends at its own '}' (Kafka's lazy pattern would run them together) */
    check_var("${env:A}:${env:B}", 0, "env", "", "A", 0, 8);
    check_var("${env:A}:${env:B}", 8, "env", "", "B", 9, 17);
    /* no ':' before the '}': not a variable, the search goes on */
    assert_false(providers_next_var("${topic}-${timestamp}", 0, &v));
    check_var("${topic}-${file:/p:k}", 0, "file", "/p", "k", 9, 21);
    /* unterminated, or broken by a line end */
    assert_false(providers_next_var("${file:/p:k", 0, &v));
    assert_false(providers_next_var("${file:/p\n:k}", 0, &v));
    assert_false(providers_next_var("${file:/p\r:k}", 0, &v));
    assert_false(providers_next_var("${file:/p\xE2\x80\xA8:k}", 0, &v)); /* U+2028 */
    check_var("${a:b\n${c:d}", 0, "c", "", "d", 6, 12);
    /* no nesting: the inner "${" is text of the path */
    check_var("${file:${env:X}:k}", 0, "file", "${env", "X", 0, 15);
    /* no escapes either */
    check_var("$${env:X}", 0, "env", "", "X", 1, 9);
    assert_false(providers_next_var("$", 0, &v));
    assert_false(providers_next_var("", 0, &v));
    assert_false(providers_next_var("${", 0, &v));
    assert_false(providers_next_var("}:{$", 0, &v));
    assert_false(providers_next_var(NULL, 0, &v));
    assert_false(providers_next_var("${a:b}", 100, &v));
}

static void test_paths(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"/a/b/c", "/a/b/c"},
        {"/a//b/./c/", "/a/b/c"},
        {"/a/b/../c", "/a/c"},
        {"/../a", "/a"},
        {"/..", "/"},
        {"/", "/"},
        {"a/../../b", "../b"},
        {"./a", "a"},
        {"", ""},
        {"/a/b/../../..", "/"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *n = provider_path_normalize(cases[i][0]);
        assert_non_null(n);
        if (strcmp(n, cases[i][1]) != 0)
            fail_msg("normalize(%s) = %s, want %s", cases[i][0], n, cases[i][1]);
        free(n);
    }
    assert_true(provider_path_under("/etc/kafka", "/etc/kafka"));
    assert_true(provider_path_under("/etc/kafka/x", "/etc/kafka"));
    assert_false(provider_path_under("/etc/kafkaX/x", "/etc/kafka")); /* component-wise */
    assert_false(provider_path_under("/etc", "/etc/kafka"));
    assert_true(provider_path_under("/anything", "/"));
    assert_false(provider_path_under("relative", "/"));
}

/* ---- worker config ---- */

static void expect_config_error(sl_props *wp, const char *needle)
{
    config_providers *p = (config_providers *)1;
    char err[1024] = "";
    assert_int_equal(providers_new(wp, &p, err, sizeof(err)), SL_ERR);
    assert_null(p);
    if (strstr(err, needle) == NULL)
        fail_msg("error \"%s\" does not contain \"%s\"", err, needle);
    sl_props_destroy(wp);
}

static void test_worker_config(void **state)
{
    (void)state;
    config_providers *p = (config_providers *)1;
    char err[1024] = "";
    sl_props *wp = props("group.id", "x", NULL);
    assert_int_equal(providers_new(wp, &p, err, sizeof(err)), SL_OK);
    assert_null(p); /* none configured */
    sl_props_destroy(wp);
    wp = props("config.providers", "", NULL);
    assert_int_equal(providers_new(wp, &p, err, sizeof(err)), SL_OK);
    assert_null(p);
    sl_props_destroy(wp);

    /* every spelling of the three classes */
    static const char *const names[] = {
        "org.apache.kafka.common.config.provider.FileConfigProvider",
        "FileConfigProvider",
        "file",
        "File",
        "fileconfigprovider",
        " FileConfigProvider ",
        "org.apache.kafka.common.config.provider.EnvVarConfigProvider",
        "EnvVarConfigProvider",
        "env",
        "EnvVar",
        "org.apache.kafka.common.config.provider.DirectoryConfigProvider",
        "DirectoryConfigProvider",
        "Directory",
        "dir",
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        wp = props("config.providers", "x", "config.providers.x.class", names[i], NULL);
        if (providers_new(wp, &p, err, sizeof(err)) != SL_OK)
            fail_msg("%s: %s", names[i], err);
        assert_int_equal(providers_count(p), 1);
        providers_destroy(p);
        sl_props_destroy(wp);
    }
    /* listed twice: one provider; unlisted classes are ignored */
    wp = props("config.providers", "f,f", "config.providers.f.class", "file",
               "config.providers.g.class", "Nope", NULL);
    assert_int_equal(providers_new(wp, &p, err, sizeof(err)), SL_OK);
    assert_int_equal(providers_count(p), 1);
    providers_destroy(p);
    sl_props_destroy(wp);

    expect_config_error(props("config.providers", "vault", "config.providers.vault.class",
                              "com.acme.VaultConfigProvider", NULL),
                        "config.providers.vault.class: unknown config provider class "
                        "'com.acme.VaultConfigProvider'");
    expect_config_error(props("config.providers", "file", NULL),
                        "config.providers.file.class: missing");
    expect_config_error(props("config.providers", "a:b", "config.providers.a:b.class", "env", NULL),
                        "invalid provider name 'a:b'");
    expect_config_error(props("config.providers", "f", "config.providers.f.class", "file",
                              "config.providers.f.param.allowed.paths", "/no/such/dir/x1", NULL),
                        "config.providers.f.param.allowed.paths: Path /no/such/dir/x1 is not "
                        "valid. The path should be absolute and exist");
    expect_config_error(props("config.providers", "d", "config.providers.d.class", "directory",
                              "config.providers.d.param.allowed.paths", "/tmp,relative/dir", NULL),
                        "config.providers.d.param.allowed.paths: Path relative/dir");
    expect_config_error(props("config.providers", "e", "config.providers.e.class", "env",
                              "config.providers.e.param.allowlist.pattern", "(unclosed", NULL),
                        "config.providers.e.param.allowlist.pattern: invalid regular "
                        "expression '(unclosed'");
    /* the first error stops; nothing leaks (the ASan build checks) */
    expect_config_error(props("config.providers", "ok,bad", "config.providers.ok.class", "env",
                              "config.providers.bad.class", "x", NULL),
                        "config.providers.bad.class");
}

/* ---- the providers ---- */

static void test_file_provider(void **state)
{
    (void)state;
    config_providers *p = standard();
    char v[1024], out[1024];
    snprintf(v, sizeof(v), "${file:%s:db.password}", g_props);
    expect_resolved(p, v, SECRET);
    snprintf(v, sizeof(v), "${file:%s:with:colon}", g_props);
    expect_resolved(p, v, "c"); /* the key keeps its ':' */
    /* several variables and text in one value */
    snprintf(v, sizeof(v), "user=u;pw=${file:%s:db.password};out=${file:%s:out.path}.", g_props,
             g_props);
    expect_resolved(p, v, "user=u;pw=" SECRET ";out=/tmp/out-file.txt.");
    /* the path is normalised before the check: a detour inside g_dir is fine */
    snprintf(v, sizeof(v), "${file:%s/secrets/../secrets.properties:out.path}", g_dir);
    expect_resolved(p, v, "/tmp/out-file.txt");

    /* missing key, missing file: errors name provider, path and key, never a value */
    snprintf(v, sizeof(v), "${file:%s:nope}", g_props);
    expect_fail(p, v, "Cannot resolve ${file:", "config provider 'file'", g_props, "'nope'", NULL);
    snprintf(v, sizeof(v), "${file:%s/missing.properties:k}", g_dir);
    expect_fail(p, v, "Could not read properties from file", "missing.properties",
                "No such file or directory", NULL);
    /* outside allowed.paths, also through "..", and relative paths */
    snprintf(v, sizeof(v), "${file:%s/other.properties:k}", g_outside);
    snprintf(out, sizeof(out),
             "%s/other.properties is not allowed by "
             "config.providers.file.param.allowed.paths",
             g_outside);
    expect_fail(p, v, out, NULL);
    snprintf(v, sizeof(v), "${file:%s/../%s/other.properties:k}", g_dir, g_outside + 5);
    expect_fail(p, v, "is not allowed", NULL);
    expect_fail(p, "${file:secrets.properties:k}", "is not allowed", NULL);
    expect_fail(p, "${file:/etc/passwd:root}", "is not allowed", NULL);
    /* no path at all */
    expect_fail(p, "${file:db.password}", "no file path", NULL);
    /* a directory is not a properties file */
    snprintf(v, sizeof(v), "${file:%s:k}", g_secrets);
    expect_fail(p, v, "is not a regular file", NULL);
    providers_destroy(p);

    /* without allowed.paths every path may be read, but devices are refused */
    sl_props *wp = props("config.providers", "file", "config.providers.file.class", "file", NULL);
    char err[256];
    assert_int_equal(providers_new(wp, &p, err, sizeof(err)), SL_OK);
    snprintf(v, sizeof(v), "${file:%s/other.properties:k}", g_outside);
    expect_resolved(p, v, "outside");
    expect_fail(p, "${file:/dev/zero:k}", "/dev/zero is not a regular file", NULL);
    providers_destroy(p);
    sl_props_destroy(wp);
}

static void test_env_provider(void **state)
{
    (void)state;
    config_providers *p = standard();
    expect_resolved(p, "${env:SL_TEST_SECRET}", SECRET);
    expect_resolved(p, "${env::SL_TEST_SECRET}", SECRET);
    expect_resolved(p, "a${env:SL_TEST_OTHER}b${env:SL_TEST_OTHER}c", "aotherbotherc");
    expect_fail(p, "${env:/some/path:SL_TEST_SECRET}",
                "Path is not supported for EnvVarConfigProvider, invalid value '/some/path'", NULL);
    expect_fail(p, "${env:SL_TEST_NOT_SET_EVER}",
                "environment variable SL_TEST_NOT_SET_EVER is "
                "not set",
                NULL);
    expect_fail(p, "${env:}", "environment variable", NULL);
    /* a snapshot taken at start-up, as Kafka's */
    setenv("SL_TEST_LATE", "late", 1);
    expect_fail(p, "${env:SL_TEST_LATE}", "SL_TEST_LATE", NULL);
    providers_destroy(p);

    /* allowlist.pattern: the whole name must match */
    sl_props *wp = props("config.providers", "env", "config.providers.env.class", "env",
                         "config.providers.env.param.allowlist.pattern", "SL_TEST_O.*|NOPE", NULL);
    char err[256];
    assert_int_equal(providers_new(wp, &p, err, sizeof(err)), SL_OK);
    expect_resolved(p, "${env:SL_TEST_OTHER}", "other");
    expect_fail(p, "${env:SL_TEST_SECRET}",
                "not set or not allowed by config.providers.env.param.allowlist.pattern", NULL);
    providers_destroy(p);
    sl_props_destroy(wp);
    wp = props("config.providers", "env", "config.providers.env.class", "env",
               "config.providers.env.param.allowlist.pattern", "TEST", NULL);
    assert_int_equal(providers_new(wp, &p, err, sizeof(err)), SL_OK);
    expect_fail(p, "${env:SL_TEST_OTHER}", "not allowed", NULL); /* no partial match */
    providers_destroy(p);
    sl_props_destroy(wp);
}

static void test_directory_provider(void **state)
{
    (void)state;
    config_providers *p = standard();
    char v[1024];
    snprintf(v, sizeof(v), "${directory:%s:token}", g_secrets);
    expect_resolved(p, v, SECRET "\n"); /* the whole content, as Kafka reads it */
    snprintf(v, sizeof(v), "${directory:%s/:token}", g_secrets);
    expect_resolved(p, v, SECRET "\n");
    /* a key names one regular file of the directory */
    snprintf(v, sizeof(v), "${directory:%s:../secrets.properties}", g_secrets);
    expect_fail(p, v, "has no regular file '../secrets.properties'", NULL);
    snprintf(v, sizeof(v), "${directory:%s:sub}", g_secrets);
    expect_fail(p, v, "has no regular file 'sub'", NULL);
    snprintf(v, sizeof(v), "${directory:%s:missing}", g_secrets);
    expect_fail(p, v, "config provider 'directory'", g_secrets, "'missing'", NULL);
    snprintf(v, sizeof(v), "${directory:%s:..}", g_secrets);
    expect_fail(p, v, "no regular file", NULL);
    snprintf(v, sizeof(v), "${directory:%s:x}", g_props);
    expect_fail(p, v, "is not a directory", NULL);
    snprintf(v, sizeof(v), "${directory:%s:other.properties}", g_outside);
    expect_fail(p, v, "is not allowed by config.providers.directory.param.allowed.paths", NULL);
    expect_fail(p, "${directory:token}", "no directory path", NULL);
    providers_destroy(p);
}

static void test_resolve_props(void **state)
{
    (void)state;
    config_providers *p = standard();
    char pw[1024];
    snprintf(pw, sizeof(pw), "${file:%s:db.password}", g_props);
    sl_props *raw = props("name", "c", "connection.password", pw, "nothing", NULL, "other",
                          "${vault:secret/db:pw}", "route", "${topic}-${timestamp}", "env",
                          "${env:SL_TEST_OTHER}", NULL);
    sl_props *copy = sl_props_copy(raw);
    sl_props *out = NULL;
    char err[1024] = "";
    assert_int_equal(providers_resolve(p, raw, &out, err, sizeof(err)), SL_OK);
    assert_int_equal(sl_props_count(out), 6);
    assert_string_equal(sl_props_key_at(out, 1), "connection.password");
    assert_string_equal(sl_props_get(out, "connection.password"), SECRET);
    assert_true(sl_props_has(out, "nothing"));
    assert_null(sl_props_get(out, "nothing"));
    /* unconfigured providers and literal text stay as they are (Connect) */
    assert_string_equal(sl_props_get(out, "other"), "${vault:secret/db:pw}");
    assert_string_equal(sl_props_get(out, "route"), "${topic}-${timestamp}");
    assert_string_equal(sl_props_get(out, "env"), "other");
    /* the raw config is untouched */
    for (size_t i = 0; i < sl_props_count(raw); i++) {
        const char *a = sl_props_value_at(raw, i), *b = sl_props_value_at(copy, i);
        assert_true(a == b || strcmp(a, b) == 0);
    }
    assert_true(providers_has_variables(p, pw));
    assert_false(providers_has_variables(p, "${vault:a:b}"));
    assert_false(providers_has_variables(NULL, pw));
    sl_props_destroy(out);

    /* a failing key: strict names it; lenient keeps the raw value and reports it */
    sl_props_set(raw, "bad", "${env:SL_TEST_NOT_SET_EVER}");
    out = (sl_props *)1;
    assert_int_equal(providers_resolve(p, raw, &out, err, sizeof(err)), SL_ERR);
    assert_null(out);
    assert_non_null(strstr(err, "Cannot resolve ${env:SL_TEST_NOT_SET_EVER} in 'bad': "));
    sl_props *errors = NULL;
    out = providers_resolve_lenient(p, raw, &errors);
    assert_non_null(out);
    assert_string_equal(sl_props_get(out, "connection.password"), SECRET);
    assert_string_equal(sl_props_get(out, "bad"), "${env:SL_TEST_NOT_SET_EVER}");
    assert_int_equal(sl_props_count(errors), 1);
    assert_non_null(strstr(sl_props_get(errors, "bad"), "SL_TEST_NOT_SET_EVER is not set"));
    sl_props_destroy(out);
    sl_props_destroy(errors);

    /* no providers: a plain copy, variables and all */
    assert_int_equal(providers_resolve(NULL, raw, &out, err, sizeof(err)), SL_OK);
    assert_string_equal(sl_props_get(out, "connection.password"), pw);
    sl_props_destroy(out);
    char *s = NULL;
    assert_int_equal(providers_resolve_value(p, NULL, &s, err, sizeof(err)), SL_OK);
    assert_null(s);
    sl_props_destroy(raw);
    sl_props_destroy(copy);
    providers_destroy(p);
}

/* ---- secrets stay out of stored task configs and messages ---- */

static void test_reverse_transform(void **state)
{
    (void)state;
    config_providers *p = standard();
    char pw[1024], out_path[1024];
    snprintf(pw, sizeof(pw), "${file:%s:db.password}", g_props);
    snprintf(out_path, sizeof(out_path), "${file:%s:out.path}", g_props);
    sl_props *raw = props("connector.class", "X", "password", pw, "file", out_path, "plain", "p",
                          "env", "${env:SL_TEST_OTHER}", "empty", "${env:SL_TEST_EMPTY}", "broken",
                          "${env:SL_TEST_NOT_SET_EVER}", NULL);
    sl_props *tasks[2];
    /* what a connector would produce from the resolved config */
    tasks[0] = props("task.class", "XTask", "password", SECRET, "file", "/tmp/out-file.txt",
                     "plain", "p", "copied.secret", SECRET, "env", "changed by the task", "nul",
                     NULL, "empty", "", "other.empty", "", NULL);
    tasks[1] = props("password", "something else", "derived", "pw=" SECRET, NULL);
    providers_reverse_task_configs(p, raw, tasks, 2);
    assert_string_equal(sl_props_get(tasks[0], "password"), pw);
    assert_string_equal(sl_props_get(tasks[0], "file"), out_path);
    assert_string_equal(sl_props_get(tasks[0], "plain"), "p");
    /* the same secret under another key goes back to a placeholder too */
    assert_string_equal(sl_props_get(tasks[0], "copied.secret"), pw);
    /* a value the task changed is its own */
    assert_string_equal(sl_props_get(tasks[0], "env"), "changed by the task");
    assert_null(sl_props_get(tasks[0], "nul"));
    /* an empty value goes back only under its own key: "" is not worth hiding elsewhere */
    assert_string_equal(sl_props_get(tasks[0], "empty"), "${env:SL_TEST_EMPTY}");
    assert_string_equal(sl_props_get(tasks[0], "other.empty"), "");
    assert_string_equal(sl_props_get(tasks[1], "password"), "something else");
    /* not equal: Connect's reverse transform does not look inside values either */
    assert_string_equal(sl_props_get(tasks[1], "derived"), "pw=" SECRET);
    /* resolving the stored task config gives the connector's values back */
    sl_props *again = NULL;
    char err[512];
    assert_int_equal(providers_resolve(p, tasks[0], &again, err, sizeof(err)), SL_OK);
    assert_string_equal(sl_props_get(again, "password"), SECRET);
    assert_string_equal(sl_props_get(again, "copied.secret"), SECRET);
    sl_props_destroy(again);
    /* no providers, no connector config, no tasks: nothing happens */
    providers_reverse_task_configs(NULL, raw, tasks, 2);
    providers_reverse_task_configs(p, NULL, tasks, 2);
    providers_reverse_task_configs(p, raw, NULL, 0);
    for (int i = 0; i < 2; i++)
        sl_props_destroy(tasks[i]);
    sl_props_destroy(raw);
    providers_destroy(p);
}

static void test_scrub(void **state)
{
    (void)state;
    config_providers *p = standard();
    sl_props *raw = props("a", "${env:SL_TEST_SECRET}", "url", "jdbc:x://u:${env:SL_TEST_OTHER}@h",
                          "gone", "${env:SL_TEST_NOT_SET_EVER}", NULL);
    /* every occurrence goes, whole values and single variables alike */
    char *s = providers_scrub(p, raw,
                              "Invalid value " SECRET " for configuration a; x=other; "
                              "url jdbc:x://u:other@h");
    assert_string_equal(s, "Invalid value ${env:SL_TEST_SECRET} for configuration a; "
                           "x=${env:SL_TEST_OTHER}; url jdbc:x://u:${env:SL_TEST_OTHER}@h");
    free(s);
    s = providers_scrub(NULL, raw, "x " SECRET);
    assert_string_equal(s, "x " SECRET);
    free(s);
    assert_null(providers_scrub(p, raw, NULL));
    s = providers_scrub(p, NULL, "");
    assert_string_equal(s, "");
    free(s);
    sl_props_destroy(raw);
    providers_destroy(p);
}

/* The ConfigValueInfo of `name`, or NULL. */
static json_t *value_of(json_t *infos, const char *name)
{
    size_t i;
    json_t *ci;
    json_array_foreach(json_object_get(infos, "configs"), i, ci)
    {
        json_t *v = json_object_get(ci, "value");
        const char *n = json_string_value(json_object_get(v, "name"));
        if (n && strcmp(n, name) == 0)
            return v;
    }
    return NULL;
}

static void test_validation(void **state)
{
    (void)state;
    config_providers *p = standard();
    providers_install(p);
    assert_ptr_equal(providers_installed(), p);
    char path[1024];
    snprintf(path, sizeof(path), "${file:%s:out.path}", g_props);
    sl_props *raw =
        props("connector.class", SINK, "name", "v", "topics", "t", "path", path, "password",
              "${env:SL_TEST_SECRET}", "batch.size", "${env:SL_TEST_NUM}", "tasks.max",
              "${env:SL_TEST_NOT_SET_EVER}", "undefined.key", "${env:SL_TEST_NOT_SET_EVER}", NULL);
    json_t *infos = NULL;
    char err[1024] = "";
    assert_int_equal(providers_connector_validate(raw, NULL, &infos, err, sizeof(err)), SL_OK);
    char *dump = json_dumps(infos, JSON_COMPACT);
    assert_null(strstr(dump, SECRET)); /* nowhere, not even in error messages */
    free(dump);
    /* PASSWORD keys are hidden; other keys show the placeholder, not the resolved value */
    assert_string_equal(json_string_value(json_object_get(value_of(infos, "password"), "value")),
                        "[hidden]");
    assert_string_equal(json_string_value(json_object_get(value_of(infos, "path"), "value")), path);
    /* batch.size resolved to a bad number: Connect's message, with the placeholder in it */
    json_t *errs = json_object_get(value_of(infos, "batch.size"), "errors");
    assert_true(json_array_size(errs) >= 1); /* then the validator's, on the failed value */
    assert_string_equal(json_string_value(json_array_get(errs, 0)),
                        "Invalid value ${env:SL_TEST_NUM} for configuration batch.size: Not a "
                        "number of type INT");
    /* unresolvable: an error against the key, also for keys without a definition */
    errs = json_object_get(value_of(infos, "tasks.max"), "errors");
    int found = 0;
    for (size_t i = 0; i < json_array_size(errs); i++)
        found += strstr(json_string_value(json_array_get(errs, i)),
                        "Cannot resolve ${env:SL_TEST_NOT_SET_EVER} in 'tasks.max'") != NULL;
    assert_int_equal(found, 1);
    errs = json_object_get(value_of(infos, "undefined.key"), "errors");
    assert_int_equal(json_array_size(errs), 1);
    /* error_count counts them all */
    int count = (int)json_integer_value(json_object_get(infos, "error_count"));
    int total = 0;
    size_t i;
    json_t *ci;
    json_array_foreach(json_object_get(infos, "configs"), i, ci) total +=
        (int)json_array_size(json_object_get(json_object_get(ci, "value"), "errors"));
    assert_int_equal(count, total);
    assert_true(count >= 3);
    json_decref(infos);
    sl_props_destroy(raw);

    /* one unresolvable variable is one error; fixed, the config is valid */
    raw = props("connector.class", SINK, "name", "v", "topics", "${env:SL_TEST_OTHER}", "path",
                path, "password", "${directory:/nope:x}", NULL);
    assert_int_equal(providers_connector_validate(raw, NULL, &infos, err, sizeof(err)), SL_OK);
    assert_int_equal(json_integer_value(json_object_get(infos, "error_count")), 1);
    assert_non_null(strstr(json_string_value(json_array_get(
                               json_object_get(value_of(infos, "password"), "errors"), 0)),
                           "is not allowed"));
    json_decref(infos);
    sl_props_set(raw, "password", "${env:SL_TEST_SECRET}");
    assert_int_equal(providers_connector_validate(raw, NULL, &infos, err, sizeof(err)), SL_OK);
    assert_int_equal(json_integer_value(json_object_get(infos, "error_count")), 0);
    json_decref(infos);
    sl_props_destroy(raw);

    /* an early failure lists the config: placeholders there, not secrets */
    raw = props("name", "v", "password", "${env:SL_TEST_SECRET}", NULL);
    assert_int_not_equal(providers_connector_validate(raw, NULL, &infos, err, sizeof(err)), SL_OK);
    assert_null(infos);
    assert_non_null(strstr(err, "contains no connector type"));
    assert_non_null(strstr(err, "${env:SL_TEST_SECRET}"));
    assert_null(strstr(err, SECRET));
    sl_props_destroy(raw);
    providers_install(NULL);
    assert_null(providers_installed());
    providers_destroy(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syntax),        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_worker_config), cmocka_unit_test(test_file_provider),
        cmocka_unit_test(test_env_provider),  cmocka_unit_test(test_directory_provider),
        cmocka_unit_test(test_resolve_props), cmocka_unit_test(test_reverse_transform),
        cmocka_unit_test(test_scrub),         cmocka_unit_test(test_validation),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
