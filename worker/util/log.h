/* util/log.h: the worker's logger. Thread-safe; lines go to stderr as
 * "<ISO time> <LEVEL> [<logger>] <message>", with a per-thread context (connector or task).
 * Loggers are named ("rest", "herder", "rest.tls", ...) and form a dotted hierarchy with a
 * level per logger, as log4j's do for Connect's /admin/loggers (LoggingResource, Loggers). */
#ifndef SLUICE_UTIL_LOG_H
#define SLUICE_UTIL_LOG_H

#include <stdarg.h>
#include <stddef.h>

#include <sluice/sdk.h>

/* ---- levels ----
 * A logger's level is a threshold: a line passes when its sl_log_level is <= the threshold.
 * Thresholds are the SL_LOG_* values plus log4j's OFF, FATAL and ALL, which /admin/loggers
 * accepts (nothing logs at FATAL, so FATAL filters like OFF except in its name). */
#define LOG_LEVEL_OFF 0
#define LOG_LEVEL_FATAL 2
#define LOG_LEVEL_ALL 9

/* Set the root logger's level (SL_LOG_* or a threshold above), as --log-level does. Loggers
 * without a level of their own follow it. Does not touch the root's last_modified. Any thread. */
void log_set_level(sl_log_level level);
/* The root logger's level. Any thread. */
sl_log_level log_get_level(void);
/* Parse "ERROR", "WARN", "INFO", "DEBUG", "TRACE" (any case); -1 if unknown. */
int log_level_parse(const char *name);
/* The name of a line's level ("INFO" for anything unknown). Static string. */
const char *log_level_name(sl_log_level level);
/* log4j's level names for /admin/loggers: OFF, FATAL, ERROR, WARN, INFO, DEBUG, TRACE, ALL
 * (any case, as Level.toLevel(upper-cased) reads them); -1 if unknown. */
int log_threshold_parse(const char *name);
/* The log4j name of a threshold ("OFF" ... "ALL"); static string. */
const char *log_threshold_name(int threshold);

/* Per-thread context shown in brackets, e.g. "file-sink-0" (copied; NULL clears). */
void log_set_context(const char *ctx);

/* Log a line under `logger` (a short module name such as "herder" or "rest"; NULL is "worker").
 * A line below its logger's level costs a thread-local cache lookup and no lock; the first
 * line of a logger on a thread (and the first after any level change) takes the registry
 * lock once, which also makes the logger known to /admin/loggers. */
void wlog(sl_log_level level, const char *logger, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void wlogv(sl_log_level level, const char *logger, const char *fmt, va_list ap);

/* Test hook: while set, every line that passes the level filter goes to `fn` instead of stderr,
 * with `logger` and the formatted message `msg` borrowed for the call. NULL restores stderr.
 * `fn` runs under the logger's lock, from whichever thread logs: it must not log itself. */
typedef void (*log_hook_fn)(sl_log_level level, const char *logger, const char *msg, void *opaque);
void log_set_hook(log_hook_fn fn, void *opaque);

/* ---- named loggers (Connect's Loggers) ---- */

/* The root logger's name in the API. */
#define LOG_ROOT_NAME "root"
/* At most this many named loggers are remembered (a bound against hostile PUTs). */
#define LOG_MAX_LOGGERS 4096
/* Longest logger name accepted by log_logger_set (bytes). */
#define LOG_MAX_NAME 255

typedef struct log_logger_level {
    char *name;              /* owned by the holder (freed by log_loggers_free/fini) */
    int level;               /* the threshold in force: own level, else the nearest ancestor's */
    long long last_modified; /* ms since the epoch of the last change through log_logger_set;
                                -1 = never (JSON null) */
} log_logger_level;

/* Make `name` a known logger without logging (as a Java class creating its Logger would), so
 * that GET /admin/loggers/{name} finds it. Copied. Any thread. */
void log_logger_declare(const char *name);

/* Every logger with a level of its own, plus root, sorted by name (Loggers.allLevels).
 * *out is a new array the caller frees with log_loggers_free(*out, *n). SL_OK, or SL_ERR on
 * out of memory. Any thread. */
int log_loggers_list(log_logger_level **out, size_t *n);
void log_loggers_free(log_logger_level *v, size_t n);

/* One known logger ("root" included): SL_OK with *out filled (out->name owned by the caller:
 * free it), or SL_ERR when no logger of that name is known (Connect's 404). Any thread. */
int log_logger_get(const char *name, log_logger_level *out);

/* Loggers.setLevel(namespace, level): `name` and every known descendant ("a" covers "a.b",
 * not "ab"; "root" covers every logger) take `level`; a logger whose level in force already
 * equals it is left alone, otherwise it gets its own level and last_modified = now. An unknown
 * `name` becomes known. *affected receives the sorted names of the loggers covered (changed or
 * not), which the caller frees with log_names_free(*affected, *n). SL_OK, or SL_ERR with errstr
 * (empty or over-long name, bad level, too many loggers, out of memory). Any thread. */
int log_logger_set(const char *name, int level, char ***affected, size_t *n, char *errstr,
                   size_t errstr_size);
void log_names_free(char **names, size_t n);

/* Clear every logger's own level and last_modified and set root back to INFO (names stay
 * known). For tests only: lines logged concurrently may still use the old levels. */
void log_reset_for_tests(void);

#define LOG_ERROR(lg, ...) wlog(SL_LOG_ERROR, lg, __VA_ARGS__)
#define LOG_WARN(lg, ...) wlog(SL_LOG_WARN, lg, __VA_ARGS__)
#define LOG_INFO(lg, ...) wlog(SL_LOG_INFO, lg, __VA_ARGS__)
#define LOG_DEBUG(lg, ...) wlog(SL_LOG_DEBUG, lg, __VA_ARGS__)

#endif
