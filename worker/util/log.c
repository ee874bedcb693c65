/* util/log.c: the worker's logger: named loggers in a dotted hierarchy with per-logger levels
 * (Connect's Loggers semantics), a lock-free filter for lines below their level, and the SDK's
 * sl_log/sl_logv host functions, which log under the "plugin" logger. */
#include "util/log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---- state ----
 * g_root is the root's threshold. The registry (named loggers and their own levels) is guarded
 * by g_reg_lock; every change to a level bumps g_gen, which invalidates the threads' caches. */
static atomic_int g_root = SL_LOG_INFO;
static atomic_uint g_gen = 1;
static long long g_root_modified = -1; /* guarded by g_reg_lock */

typedef struct logger_ent {
    char *name;              /* never freed while the process runs (caches point at it) */
    int level;               /* own threshold, -1 = follows its ancestors */
    long long last_modified; /* -1 = never set */
} logger_ent;

static pthread_mutex_t g_reg_lock = PTHREAD_MUTEX_INITIALIZER;
static logger_ent *g_loggers;
static size_t g_nloggers, g_cap;

/* Output: one lock so lines from several threads never interleave. */
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread char t_ctx[128];
static log_hook_fn g_hook; /* guarded by g_lock */
static void *g_hook_opaque;

/* A thread's cache of logger thresholds, keyed by the caller's name pointer (loggers are
 * nearly always string literals) and checked by content, valid for one generation. */
#define LOG_CACHE_SLOTS 32
typedef struct cache_slot {
    const char *key;      /* the pointer the caller passed */
    const char *interned; /* the registry's copy of the name, to confirm the content */
    unsigned gen;
    int threshold;
} cache_slot;
static __thread cache_slot t_cache[LOG_CACHE_SLOTS];

static const struct {
    const char *name;
    int level;
} k_levels[] = {
    {"OFF", LOG_LEVEL_OFF},  {"FATAL", LOG_LEVEL_FATAL}, {"ERROR", SL_LOG_ERROR},
    {"WARN", SL_LOG_WARN},   {"INFO", SL_LOG_INFO},      {"DEBUG", SL_LOG_DEBUG},
    {"TRACE", SL_LOG_TRACE}, {"ALL", LOG_LEVEL_ALL},
};
#define NLEVELS (sizeof(k_levels) / sizeof(k_levels[0]))

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- level names ---- */

int log_threshold_parse(const char *name)
{
    for (size_t i = 0; name && i < NLEVELS; i++)
        if (strcasecmp(name, k_levels[i].name) == 0)
            return k_levels[i].level;
    return -1;
}

const char *log_threshold_name(int threshold)
{
    for (size_t i = 0; i < NLEVELS; i++)
        if (k_levels[i].level == threshold)
            return k_levels[i].name;
    return "INFO";
}

int log_level_parse(const char *name)
{
    int t = log_threshold_parse(name);
    /* Lines are logged at these five only; OFF, FATAL and ALL are thresholds. */
    return t >= SL_LOG_ERROR && t <= SL_LOG_TRACE && t != 5 ? t : -1;
}

const char *log_level_name(sl_log_level level)
{
    int l = (int)level;
    return l >= SL_LOG_ERROR && l <= SL_LOG_TRACE && l != 5 ? log_threshold_name(l) : "INFO";
}

void log_set_level(sl_log_level level)
{
    atomic_store(&g_root, (int)level);
    atomic_fetch_add(&g_gen, 1);
}

sl_log_level log_get_level(void)
{
    return (sl_log_level)atomic_load(&g_root);
}

/* ---- the registry (all under g_reg_lock) ---- */

static logger_ent *reg_find(const char *name, size_t len)
{
    for (size_t i = 0; i < g_nloggers; i++)
        if (strlen(g_loggers[i].name) == len && memcmp(g_loggers[i].name, name, len) == 0)
            return &g_loggers[i];
    return NULL;
}

static logger_ent *reg_add(const char *name)
{
    logger_ent *e = reg_find(name, strlen(name));
    if (e != NULL)
        return e;
    if (g_nloggers == LOG_MAX_LOGGERS)
        return NULL;
    if (g_nloggers == g_cap) {
        size_t cap = g_cap ? g_cap * 2 : 32;
        logger_ent *v = realloc(g_loggers, cap * sizeof(*v));
        if (v == NULL)
            return NULL;
        g_loggers = v;
        g_cap = cap;
    }
    char *copy = strdup(name);
    if (copy == NULL)
        return NULL;
    e = &g_loggers[g_nloggers++];
    *e = (logger_ent){.name = copy, .level = -1, .last_modified = -1};
    return e;
}

/* The threshold in force for `name`: its own level, else the nearest dotted ancestor's, else
 * the root's (log4j's getEffectiveLevel). */
static int reg_effective(const char *name)
{
    size_t len = strlen(name);
    for (;;) {
        logger_ent *e = reg_find(name, len);
        if (e != NULL && e->level >= 0)
            return e->level;
        while (len > 0 && name[len - 1] != '.')
            len--;
        if (len == 0)
            return atomic_load(&g_root);
        len--; /* drop the '.' */
    }
}

/* Cache miss: register the logger and compute its threshold under the lock. */
static int refill(cache_slot *slot, const char *logger, unsigned gen)
{
    pthread_mutex_lock(&g_reg_lock);
    logger_ent *e = reg_add(logger);
    int t = reg_effective(logger);
    pthread_mutex_unlock(&g_reg_lock);
    if (e != NULL) {
        /* Over the registry bound the slot stays empty and such loggers take the lock on every
         * line: only reachable by creating thousands of loggers. */
        *slot = (cache_slot){.key = logger, .interned = e->name, .gen = gen, .threshold = t};
    }
    return t;
}

static int threshold_for(const char *logger)
{
    unsigned gen = atomic_load_explicit(&g_gen, memory_order_acquire);
    uintptr_t p = (uintptr_t)logger;
    cache_slot *slot = &t_cache[((p >> 3) ^ (p >> 9)) % LOG_CACHE_SLOTS];
    if (slot->key == logger && slot->gen == gen && strcmp(slot->interned, logger) == 0)
        return slot->threshold;
    return refill(slot, logger, gen);
}

void log_logger_declare(const char *name)
{
    if (name == NULL || name[0] == '\0')
        return;
    pthread_mutex_lock(&g_reg_lock);
    reg_add(name);
    pthread_mutex_unlock(&g_reg_lock);
}

static int cmp_level(const void *a, const void *b)
{
    return strcmp(((const log_logger_level *)a)->name, ((const log_logger_level *)b)->name);
}

void log_loggers_free(log_logger_level *v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++)
        free(v[i].name);
    free(v);
}

int log_loggers_list(log_logger_level **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    pthread_mutex_lock(&g_reg_lock);
    log_logger_level *v = calloc(g_nloggers + 1, sizeof(*v));
    size_t k = 0;
    bool oom = v == NULL;
    for (size_t i = 0; !oom && i < g_nloggers; i++) {
        if (g_loggers[i].level < 0)
            continue;
        v[k] = (log_logger_level){.name = strdup(g_loggers[i].name),
                                  .level = g_loggers[i].level,
                                  .last_modified = g_loggers[i].last_modified};
        oom = v[k++].name == NULL;
    }
    if (!oom) {
        v[k] = (log_logger_level){.name = strdup(LOG_ROOT_NAME),
                                  .level = atomic_load(&g_root),
                                  .last_modified = g_root_modified};
        oom = v[k++].name == NULL;
    }
    pthread_mutex_unlock(&g_reg_lock);
    if (oom) {
        log_loggers_free(v, k);
        return SL_ERR;
    }
    qsort(v, k, sizeof(*v), cmp_level);
    *out = v;
    *n = k;
    return SL_OK;
}

int log_logger_get(const char *name, log_logger_level *out)
{
    memset(out, 0, sizeof(*out));
    if (name == NULL)
        return SL_ERR;
    pthread_mutex_lock(&g_reg_lock);
    int rc = SL_ERR;
    if (strcmp(name, LOG_ROOT_NAME) == 0) {
        *out = (log_logger_level){.level = atomic_load(&g_root), .last_modified = g_root_modified};
        rc = SL_OK;
    } else {
        logger_ent *e = reg_find(name, strlen(name));
        if (e != NULL) {
            *out =
                (log_logger_level){.level = reg_effective(name), .last_modified = e->last_modified};
            rc = SL_OK;
        }
    }
    pthread_mutex_unlock(&g_reg_lock);
    if (rc == SL_OK && (out->name = strdup(name)) == NULL)
        rc = SL_ERR;
    return rc;
}

void log_names_free(char **names, size_t n)
{
    for (size_t i = 0; names != NULL && i < n; i++)
        free(names[i]);
    free(names);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool covers(const char *ns, const char *name)
{
    if (strcmp(ns, LOG_ROOT_NAME) == 0)
        return true;
    size_t n = strlen(ns);
    return strncmp(name, ns, n) == 0 && (name[n] == '\0' || name[n] == '.');
}

int log_logger_set(const char *name, int level, char ***affected, size_t *n, char *errstr,
                   size_t errstr_size)
{
    *affected = NULL;
    *n = 0;
    if (name == NULL || name[0] == '\0' || strlen(name) > LOG_MAX_NAME) {
        snprintf(errstr, errstr_size, "Logger name must be 1 to %d bytes long", LOG_MAX_NAME);
        return SL_ERR;
    }
    bool known = false;
    for (size_t i = 0; i < NLEVELS; i++)
        known = known || k_levels[i].level == level;
    if (!known) {
        snprintf(errstr, errstr_size, "Invalid log level %d", level);
        return SL_ERR;
    }
    bool root = strcmp(name, LOG_ROOT_NAME) == 0;
    long long now = now_ms();
    pthread_mutex_lock(&g_reg_lock);
    if (!root && reg_add(name) == NULL) {
        pthread_mutex_unlock(&g_reg_lock);
        snprintf(errstr, errstr_size, "Too many loggers (at most %d)", LOG_MAX_LOGGERS);
        return SL_ERR;
    }
    char **names = calloc(g_nloggers + 1, sizeof(*names));
    size_t k = 0;
    bool oom = names == NULL;
    /* Parents before children (by name), so a child that only follows its parent is left
     * following it: Connect skips loggers already at the level (Loggers.setLevel). */
    logger_ent **sorted = calloc(g_nloggers + 1, sizeof(*sorted));
    size_t ns = 0;
    oom = oom || sorted == NULL;
    for (size_t i = 0; !oom && i < g_nloggers; i++)
        if (covers(name, g_loggers[i].name))
            sorted[ns++] = &g_loggers[i];
    if (!oom) {
        for (size_t i = 1; i < ns; i++) /* insertion sort: few loggers */
            for (size_t j = i; j > 0 && strcmp(sorted[j - 1]->name, sorted[j]->name) > 0; j--) {
                logger_ent *t = sorted[j];
                sorted[j] = sorted[j - 1];
                sorted[j - 1] = t;
            }
        if (root) {
            if (atomic_load(&g_root) != level) {
                atomic_store(&g_root, level);
                g_root_modified = now;
            }
            names[k++] = strdup(LOG_ROOT_NAME);
        }
        for (size_t i = 0; i < ns; i++) {
            logger_ent *e = sorted[i];
            if (reg_effective(e->name) != level) {
                e->level = level;
                e->last_modified = now;
            }
            names[k++] = strdup(e->name);
        }
        for (size_t i = 0; i < k; i++)
            oom = oom || names[i] == NULL;
    }
    atomic_fetch_add(&g_gen, 1);
    pthread_mutex_unlock(&g_reg_lock);
    free(sorted);
    if (oom) {
        log_names_free(names, k);
        snprintf(errstr, errstr_size, "Out of memory");
        return SL_ERR;
    }
    qsort(names, k, sizeof(*names), cmp_str);
    *affected = names;
    *n = k;
    wlog(SL_LOG_INFO, "admin", "Set level of logger %s and its %zu descendant(s) to %s", name,
         k > 0 ? k - 1 : 0, log_threshold_name(level));
    return SL_OK;
}

void log_reset_for_tests(void)
{
    pthread_mutex_lock(&g_reg_lock);
    /* Names stay known: other threads' caches may still point at them. */
    for (size_t i = 0; i < g_nloggers; i++) {
        g_loggers[i].level = -1;
        g_loggers[i].last_modified = -1;
    }
    g_root_modified = -1;
    atomic_store(&g_root, SL_LOG_INFO);
    atomic_fetch_add(&g_gen, 1);
    pthread_mutex_unlock(&g_reg_lock);
}

/* ---- output ---- */

void log_set_hook(log_hook_fn fn, void *opaque)
{
    pthread_mutex_lock(&g_lock);
    g_hook = fn;
    g_hook_opaque = opaque;
    pthread_mutex_unlock(&g_lock);
}

void log_set_context(const char *ctx)
{
    if (ctx == NULL)
        t_ctx[0] = '\0';
    else
        snprintf(t_ctx, sizeof(t_ctx), "%s", ctx);
}

void wlogv(sl_log_level level, const char *logger, const char *fmt, va_list ap)
{
    const char *lg = logger ? logger : "worker";
    if ((int)level > threshold_for(lg))
        return;
    char msg[4096];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char when[32];
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
    pthread_mutex_lock(&g_lock);
    if (g_hook != NULL) {
        g_hook(level, lg, msg, g_hook_opaque);
        pthread_mutex_unlock(&g_lock);
        return;
    }
    fprintf(stderr, "%s.%03ldZ %-5s [%s]%s%s%s %s\n", when, ts.tv_nsec / 1000000L,
            log_level_name(level), lg, t_ctx[0] ? " (" : "", t_ctx, t_ctx[0] ? ")" : "", msg);
    fflush(stderr);
    pthread_mutex_unlock(&g_lock);
}

void wlog(sl_log_level level, const char *logger, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    wlogv(level, logger, fmt, ap);
    va_end(ap);
}

void sl_logv(sl_log_level level, const char *fmt, va_list ap)
{
    wlogv(level, "plugin", fmt, ap);
}

void sl_log(sl_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    wlogv(level, "plugin", fmt, ap);
    va_end(ap);
}
