/* util/log.c: the worker's logger, and the SDK's sl_log/sl_logv host functions, which log
 * under the "plugin" logger with the calling thread's context. */
#include "util/log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static atomic_int g_level = SL_LOG_INFO;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread char t_ctx[128];
static log_hook_fn g_hook; /* guarded by g_lock */
static void *g_hook_opaque;

static const struct {
    const char *name;
    sl_log_level level;
} k_levels[] = {
    {"ERROR", SL_LOG_ERROR}, {"WARN", SL_LOG_WARN},   {"INFO", SL_LOG_INFO},
    {"DEBUG", SL_LOG_DEBUG}, {"TRACE", SL_LOG_TRACE},
};

void log_set_level(sl_log_level level) { atomic_store(&g_level, (int)level); }

sl_log_level log_get_level(void) { return (sl_log_level)atomic_load(&g_level); }

int log_level_parse(const char *name)
{
    for (size_t i = 0; name && i < sizeof(k_levels) / sizeof(k_levels[0]); i++)
        if (strcasecmp(name, k_levels[i].name) == 0)
            return (int)k_levels[i].level;
    return -1;
}

const char *log_level_name(sl_log_level level)
{
    for (size_t i = 0; i < sizeof(k_levels) / sizeof(k_levels[0]); i++)
        if (k_levels[i].level == level)
            return k_levels[i].name;
    return "INFO";
}

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
    if ((int)level > atomic_load(&g_level))
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
        g_hook(level, logger ? logger : "worker", msg, g_hook_opaque);
        pthread_mutex_unlock(&g_lock);
        return;
    }
    fprintf(stderr, "%s.%03ldZ %-5s [%s]%s%s%s %s\n", when, ts.tv_nsec / 1000000L,
            log_level_name(level), logger ? logger : "worker", t_ctx[0] ? " (" : "", t_ctx,
            t_ctx[0] ? ")" : "", msg);
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

void sl_logv(sl_log_level level, const char *fmt, va_list ap) { wlogv(level, "plugin", fmt, ap); }

void sl_log(sl_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    wlogv(level, "plugin", fmt, ap);
    va_end(ap);
}
