/* util/log.h: the worker's logger. Thread-safe; lines go to stderr as
 * "<ISO time> <LEVEL> [<logger>] <message>", with a per-thread context (connector or task). */
#ifndef SLUICE_UTIL_LOG_H
#define SLUICE_UTIL_LOG_H

#include <sluice/sdk.h>

/* Set the root level (SL_LOG_*). */
void log_set_level(sl_log_level level);
sl_log_level log_get_level(void);
/* Parse "ERROR", "WARN", "INFO", "DEBUG", "TRACE" (any case); -1 if unknown. */
int log_level_parse(const char *name);
const char *log_level_name(sl_log_level level);

/* Per-thread context shown in brackets, e.g. "file-sink-0" (copied; NULL clears). */
void log_set_context(const char *ctx);

/* Log a line under `logger` (a short module name such as "herder" or "rest"). */
void wlog(sl_log_level level, const char *logger, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void wlogv(sl_log_level level, const char *logger, const char *fmt, va_list ap);

/* Test hook: while set, every line that passes the level filter goes to `fn` instead of stderr,
 * with `logger` and the formatted message `msg` borrowed for the call. NULL restores stderr.
 * `fn` runs under the logger's lock, from whichever thread logs: it must not log itself. */
typedef void (*log_hook_fn)(sl_log_level level, const char *logger, const char *msg, void *opaque);
void log_set_hook(log_hook_fn fn, void *opaque);

#define LOG_ERROR(lg, ...) wlog(SL_LOG_ERROR, lg, __VA_ARGS__)
#define LOG_WARN(lg, ...) wlog(SL_LOG_WARN, lg, __VA_ARGS__)
#define LOG_INFO(lg, ...) wlog(SL_LOG_INFO, lg, __VA_ARGS__)
#define LOG_DEBUG(lg, ...) wlog(SL_LOG_DEBUG, lg, __VA_ARGS__)

#endif
