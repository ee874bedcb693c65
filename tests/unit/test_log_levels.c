/* tests/unit/test_log_levels.c: named loggers with per-logger levels (Connect's Loggers as
 * /admin/loggers exposes them): hierarchy, listing, set semantics, filtering, threads. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/log.h"

/* ---- capture ---- */

static pthread_mutex_t cap_lock = PTHREAD_MUTEX_INITIALIZER;
static int captured;
static char last_logger[64];
static char last_msg[256];

static void capture(sl_log_level level, const char *logger, const char *msg, void *opaque)
{
    (void)level;
    (void)opaque;
    pthread_mutex_lock(&cap_lock);
    captured++;
    snprintf(last_logger, sizeof(last_logger), "%s", logger);
    snprintf(last_msg, sizeof(last_msg), "%s", msg);
    pthread_mutex_unlock(&cap_lock);
}

static int count(void)
{
    pthread_mutex_lock(&cap_lock);
    int n = captured;
    pthread_mutex_unlock(&cap_lock);
    return n;
}

/* Does a line at `level` under `logger` get through? */
static bool passes(sl_log_level level, const char *logger)
{
    int before = count();
    wlog(level, logger, "probe");
    return count() == before + 1;
}

static int setup(void **state)
{
    (void)state;
    log_reset_for_tests();
    log_set_hook(capture, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    log_set_hook(NULL, NULL);
    log_reset_for_tests();
    return 0;
}

static void set_ok(const char *name, int level, const char *expect_joined)
{
    char **names = NULL;
    size_t n = 0;
    char err[128];
    if (log_logger_set(name, level, &names, &n, err, sizeof(err)) != SL_OK)
        fail_msg("set %s: %s", name, err);
    char joined[512] = "";
    for (size_t i = 0; i < n; i++) {
        strcat(joined, i ? "," : "");
        strcat(joined, names[i]);
    }
    log_names_free(names, n);
    if (expect_joined != NULL)
        assert_string_equal(joined, expect_joined);
}

/* ---- tests ---- */

static void test_level_names(void **state)
{
    (void)state;
    assert_int_equal(log_threshold_parse("off"), LOG_LEVEL_OFF);
    assert_int_equal(log_threshold_parse("Fatal"), LOG_LEVEL_FATAL);
    assert_int_equal(log_threshold_parse("ERROR"), SL_LOG_ERROR);
    assert_int_equal(log_threshold_parse("warn"), SL_LOG_WARN);
    assert_int_equal(log_threshold_parse("debug"), SL_LOG_DEBUG);
    assert_int_equal(log_threshold_parse("TRACE"), SL_LOG_TRACE);
    assert_int_equal(log_threshold_parse("all"), LOG_LEVEL_ALL);
    const char *bad[] = {"", "VERBOSE", "WARNING", "INFO ", "5", NULL};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(log_threshold_parse(bad[i]), -1);
    assert_string_equal(log_threshold_name(LOG_LEVEL_OFF), "OFF");
    assert_string_equal(log_threshold_name(LOG_LEVEL_ALL), "ALL");
    /* --log-level takes only the five levels lines are logged at. */
    assert_int_equal(log_level_parse("all"), -1);
    assert_int_equal(log_level_parse("off"), -1);
    assert_int_equal(log_level_parse("Debug"), SL_LOG_DEBUG);
    assert_string_equal(log_level_name(SL_LOG_WARN), "WARN");
}

static void test_default_root(void **state)
{
    (void)state;
    assert_true(passes(SL_LOG_INFO, "t1"));
    assert_false(passes(SL_LOG_DEBUG, "t1"));
    assert_true(passes(SL_LOG_ERROR, NULL));
    assert_string_equal(last_logger, "worker");
    log_logger_level *v = NULL;
    size_t n = 0;
    assert_int_equal(log_loggers_list(&v, &n), SL_OK);
    /* Only root: nothing has a level of its own. */
    assert_int_equal(n, 1);
    assert_string_equal(v[0].name, "root");
    assert_int_equal(v[0].level, SL_LOG_INFO);
    assert_int_equal(v[0].last_modified, -1);
    log_loggers_free(v, n);
    /* A logger that has logged is known, with the root's level. */
    log_logger_level l;
    assert_int_equal(log_logger_get("t1", &l), SL_OK);
    assert_int_equal(l.level, SL_LOG_INFO);
    assert_int_equal(l.last_modified, -1);
    free(l.name);
    assert_int_equal(log_logger_get("never.logged", &l), SL_ERR);
    assert_int_equal(log_logger_get("root", &l), SL_OK);
    free(l.name);
    /* --log-level changes root without a last_modified. */
    log_set_level(SL_LOG_DEBUG);
    assert_true(passes(SL_LOG_DEBUG, "t1"));
    assert_int_equal(log_logger_get("root", &l), SL_OK);
    assert_int_equal(l.last_modified, -1);
    assert_int_equal(l.level, SL_LOG_DEBUG);
    free(l.name);
}

static void test_hierarchy(void **state)
{
    (void)state;
    log_logger_declare("h.a.b");
    log_logger_declare("h.ab");
    log_logger_declare("h.a.b.c");
    /* Descendants by dots: h.ab is not under h.a. */
    set_ok("h.a", SL_LOG_DEBUG, "h.a,h.a.b,h.a.b.c");
    assert_true(passes(SL_LOG_DEBUG, "h.a"));
    assert_true(passes(SL_LOG_DEBUG, "h.a.b"));
    assert_true(passes(SL_LOG_DEBUG, "h.a.b.c.d")); /* new loggers follow their ancestors */
    assert_false(passes(SL_LOG_DEBUG, "h.ab"));
    assert_false(passes(SL_LOG_DEBUG, "h"));

    /* Only h.a got a level of its own: the children already were at DEBUG through it. */
    log_logger_level *v = NULL;
    size_t n = 0;
    assert_int_equal(log_loggers_list(&v, &n), SL_OK);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].name, "h.a");
    assert_int_equal(v[0].level, SL_LOG_DEBUG);
    assert_true(v[0].last_modified > 1600000000000LL);
    assert_string_equal(v[1].name, "root");
    log_loggers_free(v, n);

    log_logger_level l;
    assert_int_equal(log_logger_get("h.a.b", &l), SL_OK);
    assert_int_equal(l.level, SL_LOG_DEBUG);
    assert_int_equal(l.last_modified, -1);
    free(l.name);

    /* A child with its own level keeps it until an ancestor is set again. */
    set_ok("h.a.b", SL_LOG_WARN, "h.a.b,h.a.b.c,h.a.b.c.d");
    assert_false(passes(SL_LOG_INFO, "h.a.b.c"));
    assert_true(passes(SL_LOG_DEBUG, "h.a"));
    set_ok("h.a", SL_LOG_ERROR, "h.a,h.a.b,h.a.b.c,h.a.b.c.d");
    assert_false(passes(SL_LOG_WARN, "h.a.b"));
    assert_true(passes(SL_LOG_ERROR, "h.a.b.c"));

    /* OFF silences even errors. */
    set_ok("h.ab", LOG_LEVEL_OFF, "h.ab");
    assert_false(passes(SL_LOG_ERROR, "h.ab"));
    set_ok("h.ab", LOG_LEVEL_ALL, "h.ab");
    assert_true(passes(SL_LOG_TRACE, "h.ab"));
}

static void test_root(void **state)
{
    (void)state;
    log_logger_declare("r.x");
    log_logger_declare("r.y");
    set_ok("r.y", SL_LOG_ERROR, "r.y");
    char **names = NULL;
    size_t n = 0;
    char err[128];
    assert_int_equal(log_logger_set("root", SL_LOG_DEBUG, &names, &n, err, sizeof(err)), SL_OK);
    /* Root covers every known logger; the list is sorted and includes root. */
    bool saw_root = false, saw_x = false, saw_y = false;
    for (size_t i = 0; i < n; i++) {
        saw_root |= strcmp(names[i], "root") == 0;
        saw_x |= strcmp(names[i], "r.x") == 0;
        saw_y |= strcmp(names[i], "r.y") == 0;
        if (i > 0)
            assert_true(strcmp(names[i - 1], names[i]) < 0);
    }
    log_names_free(names, n);
    assert_true(saw_root && saw_x && saw_y);
    assert_int_equal(log_get_level(), SL_LOG_DEBUG);
    assert_true(passes(SL_LOG_DEBUG, "r.x"));
    assert_true(passes(SL_LOG_DEBUG, "r.y")); /* its ERROR was replaced */
    assert_true(passes(SL_LOG_DEBUG, "brand.new"));
    log_logger_level l;
    assert_int_equal(log_logger_get("root", &l), SL_OK);
    assert_true(l.last_modified > 0);
    free(l.name);
}

static void test_set_errors(void **state)
{
    (void)state;
    char **names = NULL;
    size_t n = 0;
    char err[128];
    char longname[LOG_MAX_NAME + 2];
    memset(longname, 'x', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    assert_int_equal(log_logger_set("", SL_LOG_INFO, &names, &n, err, sizeof(err)), SL_ERR);
    assert_int_equal(log_logger_set(NULL, SL_LOG_INFO, &names, &n, err, sizeof(err)), SL_ERR);
    assert_int_equal(log_logger_set(longname, SL_LOG_INFO, &names, &n, err, sizeof(err)), SL_ERR);
    assert_non_null(strstr(err, "255"));
    assert_int_equal(log_logger_set("ok", 5, &names, &n, err, sizeof(err)), SL_ERR);
    assert_int_equal(log_logger_set("ok", 42, &names, &n, err, sizeof(err)), SL_ERR);
    assert_null(names);
    assert_int_equal(n, 0);
    /* Setting an unknown name makes it known. */
    log_logger_level l;
    assert_int_equal(log_logger_get("fresh.one", &l), SL_ERR);
    set_ok("fresh.one", SL_LOG_INFO, "fresh.one");
    assert_int_equal(log_logger_get("fresh.one", &l), SL_OK);
    free(l.name);
}

static void test_cache_by_content(void **state)
{
    (void)state;
    set_ok("cache.a", SL_LOG_DEBUG, NULL);
    /* The same buffer naming two loggers in turn: the cache must not confuse them. */
    char name[32];
    snprintf(name, sizeof(name), "cache.a");
    assert_true(passes(SL_LOG_DEBUG, name));
    snprintf(name, sizeof(name), "cache.b");
    assert_false(passes(SL_LOG_DEBUG, name));
    snprintf(name, sizeof(name), "cache.a");
    assert_true(passes(SL_LOG_DEBUG, name));
}

/* ---- threads: lines logged while levels change ---- */

static volatile int stop_flag;

static void *logger_thread(void *arg)
{
    const char *lg = arg;
    while (!__atomic_load_n(&stop_flag, __ATOMIC_ACQUIRE)) {
        wlog(SL_LOG_DEBUG, lg, "debug line");
        wlog(SL_LOG_INFO, lg, "info line");
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    pthread_t t[3];
    const char *names[] = {"mt.a", "mt.a.b", "mt.c"};
    __atomic_store_n(&stop_flag, 0, __ATOMIC_RELEASE);
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, logger_thread, (void *)names[i]);
    for (int k = 0; k < 200; k++)
        set_ok(k % 2 ? "mt.a" : "mt", k % 3 ? SL_LOG_DEBUG : SL_LOG_WARN, NULL);
    set_ok("mt", SL_LOG_WARN, NULL);
    __atomic_store_n(&stop_flag, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    /* The last change holds for every logger under "mt", whatever the threads cached. */
    for (int i = 0; i < 3; i++)
        assert_false(passes(SL_LOG_INFO, names[i]));
    assert_true(passes(SL_LOG_WARN, "mt.c"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_level_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_default_root, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hierarchy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_root, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_by_content, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
    };
    return cmocka_run_group_tests_name("log_levels", tests, NULL, NULL);
}
