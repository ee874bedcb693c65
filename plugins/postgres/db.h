/* plugins/postgres/db.h: the task's PostgreSQL connection: connect and reconnect with
 * backoff, statements and COPY with errors classified (row-level data error, transient,
 * fatal) and rendered with the server's detail, column and context.
 * One pgdb per task, used only from the task's thread. */
#ifndef SLUICE_PLUGINS_POSTGRES_DB_H
#define SLUICE_PLUGINS_POSTGRES_DB_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Outcome of a database call. */
typedef enum pgdb_rc {
    PGDB_OK = 0,
    PGDB_ROW,   /* the data was refused (SQLSTATE class 22 data exception or 23 integrity
                   constraint violation): a row-level problem, bisect and reject */
    PGDB_RETRY, /* the connection was lost or the server asked to retry (class 08, 40001,
                   40P01, 53, 57P0x): reconnect with backoff and redo the batch */
    PGDB_FATAL, /* anything else (permissions, missing table, bad SQL): fail the task */
} pgdb_rc;

typedef struct pgdb {
    PGconn *conn;
    char *conninfo;        /* owned */
    char *user, *password; /* owned, may be NULL */
    char *appname;         /* owned */
    int64_t backoff_min_ms, backoff_ms, next_attempt_ms;
    int failures;   /* consecutive failed connection attempts */
    int copy_line;  /* line of the COPY data the last error names (1-based), or 0 */
    char err[2048]; /* the last error, rendered */
} pgdb;

/* Milliseconds of a monotonic clock. */
int64_t pgdb_now_ms(void);

/* Set up (no connection yet). Strings are copied; user/password may be NULL. 0 or -1 (oom). */
int pgdb_init(pgdb *db, const char *conninfo, const char *user, const char *password,
              const char *appname, int64_t backoff_ms);
/* Close the connection and free everything. */
void pgdb_fini(pgdb *db);
/* True when connected and the connection is healthy. */
bool pgdb_ready(const pgdb *db);
/* Connect if not connected, unless the backoff after a failure has not elapsed. PGDB_OK, or
 * PGDB_RETRY with db->err set (the next attempt waits twice as long, up to a minute). */
pgdb_rc pgdb_connect(pgdb *db);
/* Drop the connection (after a transient error), so the next pgdb_connect reconnects. */
void pgdb_disconnect(pgdb *db);

/* Run one statement with text parameters (nparams may be 0). On PGDB_OK, *res (if not NULL)
 * receives the result, which the caller PQclear()s; on failure db->err holds the reason
 * prefixed with `what` (e.g. "table \"t\"") and db->copy_line any COPY line number. */
pgdb_rc pgdb_exec(pgdb *db, const char *sql, int nparams, const char *const *params, PGresult **res,
                  const char *what);
/* COPY ... FROM STDIN `sql`, sending `n` chunks (data[i], len[i]) of text-format lines. */
pgdb_rc pgdb_copy(pgdb *db, const char *sql, const char *const *data, const size_t *len, size_t n,
                  const char *what);

#endif
