/* plugins/postgres/db.c: the PostgreSQL sink's connection handling over libpq: connect with
 * backoff, statements, COPY FROM STDIN, and error classification by SQLSTATE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sluice/sdk.h>

#include "db.h"

#define PGDB_BACKOFF_MAX_MS 60000

int64_t pgdb_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

int pgdb_init(pgdb *db, const char *conninfo, const char *user, const char *password,
              const char *appname, int64_t backoff_ms)
{
    memset(db, 0, sizeof(*db));
    db->conninfo = strdup(conninfo);
    db->user = dup_or_null(user && user[0] ? user : NULL);
    db->password = dup_or_null(password && password[0] ? password : NULL);
    db->appname = strdup(appname);
    db->backoff_min_ms = backoff_ms > 0 ? backoff_ms : 0;
    if (db->conninfo == NULL || db->appname == NULL || (user && user[0] && !db->user) ||
        (password && password[0] && !db->password)) {
        pgdb_fini(db);
        return -1;
    }
    return 0;
}

void pgdb_fini(pgdb *db)
{
    if (db->conn != NULL)
        PQfinish(db->conn);
    free(db->conninfo);
    free(db->user);
    if (db->password != NULL) {
        /* Do not leave the secret in freed memory. */
        memset(db->password, 0, strlen(db->password));
        free(db->password);
    }
    free(db->appname);
    memset(db, 0, sizeof(*db));
}

bool pgdb_ready(const pgdb *db)
{
    return db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK;
}

void pgdb_disconnect(pgdb *db)
{
    if (db->conn != NULL)
        PQfinish(db->conn);
    db->conn = NULL;
}

/* libpq messages end with a newline; error texts here are one line. */
static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
        s[--n] = '\0';
    for (char *p = s; *p; p++)
        if (*p == '\n')
            *p = ' ';
}

static void schedule_retry(pgdb *db)
{
    db->failures++;
    if (db->backoff_ms == 0)
        db->backoff_ms = db->backoff_min_ms > 0 ? db->backoff_min_ms : 100;
    else if (db->backoff_ms < PGDB_BACKOFF_MAX_MS)
        db->backoff_ms =
            db->backoff_ms * 2 > PGDB_BACKOFF_MAX_MS ? PGDB_BACKOFF_MAX_MS : db->backoff_ms * 2;
    db->next_attempt_ms = pgdb_now_ms() + db->backoff_ms;
}

/* Server notices ("relation already exists, skipping") go to the worker's log, not stderr. */
static void notice(void *arg, const char *message)
{
    (void)arg;
    size_t n = strlen(message);
    while (n > 0 && message[n - 1] == '\n')
        n--;
    sl_log(SL_LOG_DEBUG, "PostgreSQL: %.*s", (int)n, message);
}

pgdb_rc pgdb_connect(pgdb *db)
{
    if (pgdb_ready(db))
        return PGDB_OK;
    pgdb_disconnect(db);
    int64_t now = pgdb_now_ms();
    if (db->failures > 0 && now < db->next_attempt_ms)
        return PGDB_RETRY; /* db->err still holds the last failure */
    /* Defaults first, then the URL's own settings, then connection.user/password: later
     * keywords win in PQconnectdbParams. */
    const char *keys[8], *vals[8];
    int k = 0;
    keys[k] = "connect_timeout";
    vals[k++] = "10";
    keys[k] = "application_name";
    vals[k++] = db->appname;
    keys[k] = "dbname";
    vals[k++] = db->conninfo;
    if (db->user != NULL) {
        keys[k] = "user";
        vals[k++] = db->user;
    }
    if (db->password != NULL) {
        keys[k] = "password";
        vals[k++] = db->password;
    }
    keys[k] = NULL;
    vals[k] = NULL;
    db->conn = PQconnectdbParams(keys, vals, 1);
    if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
        snprintf(db->err, sizeof(db->err), "cannot connect to PostgreSQL: %s",
                 db->conn ? PQerrorMessage(db->conn) : "out of memory");
        chomp(db->err);
        pgdb_disconnect(db);
        schedule_retry(db);
        return PGDB_RETRY;
    }
    PQsetNoticeProcessor(db->conn, notice, NULL);
    db->failures = 0;
    db->backoff_ms = 0;
    return PGDB_OK;
}

static pgdb_rc classify(const pgdb *db, const char *state)
{
    if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK || state == NULL)
        return PGDB_RETRY;
    if (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0)
        return PGDB_ROW;
    if (strncmp(state, "08", 2) == 0 || strcmp(state, "40001") == 0 ||
        strcmp(state, "40P01") == 0 || strncmp(state, "53", 2) == 0 ||
        strncmp(state, "57P0", 4) == 0)
        return PGDB_RETRY;
    return PGDB_FATAL;
}

/* Render a failed result: "<what>: <message> (<detail>) [column c] [<context>]". */
static pgdb_rc fail(pgdb *db, PGresult *res, const char *what)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
    const char *column = res ? PQresultErrorField(res, PG_DIAG_COLUMN_NAME) : NULL;
    const char *context = res ? PQresultErrorField(res, PG_DIAG_CONTEXT) : NULL;
    if (msg == NULL)
        msg = db->conn ? PQerrorMessage(db->conn) : "no connection";
    int n = snprintf(db->err, sizeof(db->err), "%s: %s", what ? what : "PostgreSQL", msg);
    if (detail != NULL && n > 0 && (size_t)n < sizeof(db->err))
        n += snprintf(db->err + n, sizeof(db->err) - (size_t)n, " (%s)", detail);
    if (column != NULL && n > 0 && (size_t)n < sizeof(db->err))
        n += snprintf(db->err + n, sizeof(db->err) - (size_t)n, " [column \"%s\"]", column);
    if (context != NULL && n > 0 && (size_t)n < sizeof(db->err))
        n += snprintf(db->err + n, sizeof(db->err) - (size_t)n, " [%s]", context);
    if (state != NULL && n > 0 && (size_t)n < sizeof(db->err))
        snprintf(db->err + n, sizeof(db->err) - (size_t)n, " (SQLSTATE %s)", state);
    chomp(db->err);
    /* COPY errors name the line ("COPY t, line 42, column c: ..."); it locates the row. */
    db->copy_line = 0;
    const char *copy = context ? strstr(context, "COPY ") : NULL;
    const char *line = copy ? strstr(copy, ", line ") : NULL;
    if (line != NULL)
        db->copy_line = atoi(line + 7);
    pgdb_rc rc = classify(db, state);
    if (res != NULL)
        PQclear(res);
    return rc;
}

pgdb_rc pgdb_exec(pgdb *db, const char *sql, int nparams, const char *const *params, PGresult **res,
                  const char *what)
{
    if (res != NULL)
        *res = NULL;
    if (!pgdb_ready(db)) {
        snprintf(db->err, sizeof(db->err), "%s: not connected to PostgreSQL",
                 what ? what : "PostgreSQL");
        return PGDB_RETRY;
    }
    PGresult *r = nparams > 0 ? PQexecParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0)
                              : PQexec(db->conn, sql);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        return fail(db, r, what);
    if (res != NULL)
        *res = r;
    else
        PQclear(r);
    return PGDB_OK;
}

pgdb_rc pgdb_copy(pgdb *db, const char *sql, const char *const *data, const size_t *len, size_t n,
                  const char *what)
{
    if (!pgdb_ready(db)) {
        snprintf(db->err, sizeof(db->err), "%s: not connected to PostgreSQL",
                 what ? what : "PostgreSQL");
        return PGDB_RETRY;
    }
    PGresult *r = PQexec(db->conn, sql);
    if (r == NULL || PQresultStatus(r) != PGRES_COPY_IN)
        return fail(db, r, what);
    PQclear(r);
    /* PQputCopyData takes at most INT_MAX bytes per call; chunk large pieces. */
    const size_t chunk = 1u << 20;
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++)
        for (size_t off = 0; ok && off < len[i]; off += chunk) {
            size_t m = len[i] - off < chunk ? len[i] - off : chunk;
            ok = PQputCopyData(db->conn, data[i] + off, (int)m) == 1;
        }
    if (PQputCopyEnd(db->conn, ok ? NULL : "sluice: sending COPY data failed") != 1)
        ok = false;
    pgdb_rc rc = PGDB_OK;
    bool failed = false;
    /* Drain every result; the first failure is the one that counts. */
    while ((r = PQgetResult(db->conn)) != NULL) {
        if (!failed && PQresultStatus(r) != PGRES_COMMAND_OK) {
            failed = true;
            rc = fail(db, r, what);
        } else {
            PQclear(r);
        }
    }
    if (!failed && !ok) {
        rc = fail(db, NULL, what);
    }
    return rc;
}
