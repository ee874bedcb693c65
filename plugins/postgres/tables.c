/* plugins/postgres/tables.c: the PostgreSQL sink's table cache: topic to table, the columns
 * each table has, auto.create and auto.evolve DDL (serialized across tasks by an advisory
 * lock), and the offsets and rejected-rows tables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pgsink.h"
#include "sql.h"

static void table_free(pg_table *tab)
{
    if (tab == NULL)
        return;
    for (size_t i = 0; i < tab->ncols; i++) {
        free(tab->cols[i].name);
        free(tab->cols[i].type);
    }
    free(tab->cols);
    free(tab->schema);
    free(tab->name);
    free(tab->label);
    free(tab);
}

void pgt_free(pg_tables *ts)
{
    for (size_t i = 0; i < ts->n; i++)
        table_free(ts->t[i]);
    free(ts->t);
    for (size_t i = 0; i < ts->ntopics; i++)
        free(ts->topics[i].topic);
    free(ts->topics);
    memset(ts, 0, sizeof(*ts));
}

/* (Re)read the table's columns. A missing table leaves exists false and no columns. */
static pgdb_rc load(pg_task *t, pg_table *tab, char *err, size_t err_size)
{
    static const char sql[] =
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull "
        "FROM pg_class c LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 "
        "AND NOT a.attisdropped WHERE c.oid = to_regclass($1) ORDER BY a.attnum";
    PGresult *res;
    const char *params[1] = {tab->label};
    pgdb_rc rc = pgdb_exec(&t->db, sql, 1, params, &res, tab->label);
    if (rc != PGDB_OK) {
        snprintf(err, err_size, "%s", t->db.err);
        return rc == PGDB_ROW ? PGDB_FATAL : rc;
    }
    for (size_t i = 0; i < tab->ncols; i++) {
        free(tab->cols[i].name);
        free(tab->cols[i].type);
    }
    free(tab->cols);
    tab->cols = NULL;
    tab->ncols = 0;
    int n = PQntuples(res);
    tab->exists = n > 0;
    if (n > 0 && !PQgetisnull(res, 0, 0)) {
        tab->cols = calloc((size_t)n, sizeof(*tab->cols));
        if (tab->cols == NULL) {
            PQclear(res);
            snprintf(err, err_size, "out of memory");
            return PGDB_FATAL;
        }
        for (int i = 0; i < n; i++) {
            pg_column *c = &tab->cols[tab->ncols];
            c->name = strdup(PQgetvalue(res, i, 0));
            c->type = strdup(PQgetvalue(res, i, 1));
            c->notnull = PQgetvalue(res, i, 2)[0] == 't';
            tab->ncols++;
            if (c->name == NULL || c->type == NULL) {
                PQclear(res);
                snprintf(err, err_size, "out of memory");
                return PGDB_FATAL;
            }
        }
    }
    PQclear(res);
    return PGDB_OK;
}

static pg_table *find_table(pg_tables *ts, const char *schema, const char *name)
{
    for (size_t i = 0; i < ts->n; i++) {
        pg_table *tab = ts->t[i];
        if (strcmp(tab->name, name) == 0 &&
            ((schema == NULL && tab->schema == NULL) ||
             (schema && tab->schema && strcmp(schema, tab->schema) == 0)))
            return tab;
    }
    return NULL;
}

pgdb_rc pgt_for_topic(pg_task *t, const char *topic, pg_table **out, char *err, size_t err_size)
{
    pg_tables *ts = &t->tables;
    for (size_t i = 0; i < ts->ntopics; i++)
        if (strcmp(ts->topics[i].topic, topic) == 0) {
            *out = ts->topics[i].table;
            return PGDB_OK;
        }
    char *qualified = pgi_names_resolve(&t->conf.names, topic);
    char *schema = NULL, *name = NULL;
    if (qualified == NULL || pgi_split(qualified, &schema, &name) != 0) {
        free(qualified);
        snprintf(err, err_size, "out of memory naming the table for topic %s", topic);
        return PGDB_FATAL;
    }
    free(qualified);
    pg_table *tab = find_table(ts, schema, name);
    if (tab == NULL) {
        tab = calloc(1, sizeof(*tab));
        pg_sb label = PG_SB_INIT;
        pgi_quote_qualified(&label, schema, name);
        if (tab != NULL) {
            tab->schema = schema;
            tab->name = name;
            tab->label = pg_sb_steal(&label);
            schema = name = NULL;
        }
        pg_table **nt =
            ts->n == ts->cap ? realloc(ts->t, (ts->cap ? ts->cap * 2 : 8) * sizeof(*nt)) : ts->t;
        if (tab == NULL || tab->label == NULL || nt == NULL) {
            table_free(tab);
            free(schema);
            free(name);
            snprintf(err, err_size, "out of memory");
            return PGDB_FATAL;
        }
        if (nt != ts->t) {
            ts->t = nt;
            ts->cap = ts->cap ? ts->cap * 2 : 8;
        }
        pgdb_rc rc = load(t, tab, err, err_size);
        if (rc != PGDB_OK) {
            table_free(tab);
            return rc;
        }
        ts->t[ts->n++] = tab;
        sl_log(SL_LOG_INFO, "topic %s writes to table %s (%s, %zu column(s))", topic, tab->label,
               tab->exists ? "exists" : "missing", tab->ncols);
    }
    free(schema);
    free(name);
    if (ts->ntopics == ts->captopics) {
        size_t cap = ts->captopics ? ts->captopics * 2 : 8;
        pg_topic_entry *n = realloc(ts->topics, cap * sizeof(*n));
        if (n == NULL) {
            snprintf(err, err_size, "out of memory");
            return PGDB_FATAL;
        }
        ts->topics = n;
        ts->captopics = cap;
    }
    char *copy = strdup(topic);
    if (copy == NULL) {
        snprintf(err, err_size, "out of memory");
        return PGDB_FATAL;
    }
    ts->topics[ts->ntopics++] = (pg_topic_entry){copy, tab};
    *out = tab;
    return PGDB_OK;
}

/* The table's column for a field: exact name, else the only case-insensitive match (a table
 * created by hand with folded names still receives records whose fields are capitalised). */
static const char *column_for(const pg_table *tab, const char *field)
{
    for (size_t i = 0; i < tab->ncols; i++)
        if (strcmp(tab->cols[i].name, field) == 0)
            return tab->cols[i].name;
    const char *ci = NULL;
    int nci = 0;
    for (size_t i = 0; i < tab->ncols; i++)
        if (strcasecmp(tab->cols[i].name, field) == 0) {
            ci = tab->cols[i].name;
            nci++;
        }
    return nci == 1 ? ci : NULL;
}

/* Run `stmts` (n statements) in one transaction under the table's advisory lock, so that
 * tasks creating or evolving the same table take turns instead of failing on each other. */
static pgdb_rc ddl(pg_task *t, const char *label, const char *const *stmts, size_t n, char *err,
                   size_t err_size)
{
    const char *lock_params[1] = {label};
    pgdb_rc rc = pgdb_exec(&t->db, "BEGIN", 0, NULL, NULL, label);
    if (rc == PGDB_OK)
        rc = pgdb_exec(&t->db, "SELECT pg_advisory_xact_lock(hashtext($1))", 1, lock_params, NULL,
                       label);
    for (size_t i = 0; rc == PGDB_OK && i < n; i++) {
        sl_log(SL_LOG_DEBUG, "%s", stmts[i]);
        rc = pgdb_exec(&t->db, stmts[i], 0, NULL, NULL, label);
    }
    if (rc == PGDB_OK)
        rc = pgdb_exec(&t->db, "COMMIT", 0, NULL, NULL, label);
    if (rc != PGDB_OK) {
        snprintf(err, err_size, "%s", t->db.err);
        if (pgdb_ready(&t->db))
            pgdb_exec(&t->db, "ROLLBACK", 0, NULL, NULL, NULL);
        return rc == PGDB_ROW ? PGDB_FATAL : rc;
    }
    return PGDB_OK;
}

static pgdb_rc create(pg_task *t, pg_table *tab, const pg_row *row, char *err, size_t err_size)
{
    pgs_col *cols = calloc(row->n ? row->n : 1, sizeof(*cols));
    if (cols == NULL) {
        snprintf(err, err_size, "out of memory");
        return PGDB_FATAL;
    }
    size_t n = 0;
    for (size_t i = 0; i < row->n; i++)
        if (row->f[i].type != NULL)
            cols[n++] = (pgs_col){row->f[i].name, row->f[i].type, row->f[i].notnull, row->f[i].pk};
    pg_sb sql = PG_SB_INIT;
    pgs_create_table(&sql, tab->schema, tab->name, cols, n);
    free(cols);
    if (n == 0) {
        pg_sb_free(&sql);
        snprintf(err, err_size, "cannot create table %s: the record has no typed fields",
                 tab->label);
        return PGDB_ROW;
    }
    const char *stmt = pg_sb_str(&sql);
    sl_log(SL_LOG_INFO, "%s", stmt);
    pgdb_rc rc = ddl(t, tab->label, &stmt, 1, err, err_size);
    pg_sb_free(&sql);
    return rc;
}

pgdb_rc pgt_prepare(pg_task *t, pg_table *tab, const pg_row *row, const char **cols, char *err,
                    size_t err_size)
{
    for (int round = 0;; round++) {
        if (!tab->exists) {
            if (round == 0) {
                /* Another task or a person may have created it since we looked. */
                pgdb_rc rc = load(t, tab, err, err_size);
                if (rc != PGDB_OK)
                    return rc;
                if (tab->exists)
                    continue;
            }
            if (!t->conf.auto_create) {
                snprintf(err, err_size, "table %s does not exist and auto.create is false",
                         tab->label);
                return PGDB_FATAL;
            }
            if (round > 1) {
                snprintf(err, err_size, "table %s is still missing after CREATE TABLE", tab->label);
                return PGDB_FATAL;
            }
            pgdb_rc rc = create(t, tab, row, err, err_size);
            if (rc == PGDB_OK)
                rc = load(t, tab, err, err_size);
            if (rc != PGDB_OK)
                return rc;
            continue;
        }
        size_t missing = 0;
        const char *first_missing = NULL;
        for (size_t i = 0; i < row->n; i++) {
            cols[i] = column_for(tab, row->f[i].name);
            if (cols[i] == NULL && row->f[i].type != NULL && missing++ == 0)
                first_missing = row->f[i].name;
        }
        if (missing == 0)
            return PGDB_OK;
        if (round == 0) {
            /* The cache may be behind another task's ALTER. */
            pgdb_rc rc = load(t, tab, err, err_size);
            if (rc != PGDB_OK)
                return rc;
            continue;
        }
        if (!t->conf.auto_evolve) {
            snprintf(err, err_size,
                     "table %s has no column \"%s\" (%zu missing) and auto.evolve is false",
                     tab->label, first_missing, missing);
            return PGDB_ROW;
        }
        if (round > 2) {
            snprintf(err, err_size, "table %s: column \"%s\" is still missing after ALTER TABLE",
                     tab->label, first_missing);
            return PGDB_FATAL;
        }
        char **stmts = calloc(missing, sizeof(*stmts));
        size_t k = 0;
        for (size_t i = 0; stmts != NULL && i < row->n; i++)
            if (cols[i] == NULL && row->f[i].type != NULL) {
                pg_sb sql = PG_SB_INIT;
                pgs_add_column(&sql, tab->schema, tab->name, row->f[i].name, row->f[i].type);
                stmts[k++] = pg_sb_steal(&sql);
            }
        pgdb_rc rc = PGDB_FATAL;
        bool ok = stmts != NULL;
        for (size_t i = 0; ok && i < k; i++)
            ok = stmts[i] != NULL;
        for (size_t i = 0; ok && i < k; i++)
            sl_log(SL_LOG_INFO, "auto.evolve: %s", stmts[i]);
        if (ok)
            rc = ddl(t, tab->label, (const char *const *)stmts, k, err, err_size);
        else
            snprintf(err, err_size, "out of memory");
        for (size_t i = 0; stmts != NULL && i < k; i++)
            free(stmts[i]);
        free(stmts);
        if (rc == PGDB_OK)
            rc = load(t, tab, err, err_size);
        if (rc != PGDB_OK)
            return rc;
    }
}

pgdb_rc pgt_bookkeeping(pg_task *t, char *err, size_t err_size)
{
    pg_sb a = PG_SB_INIT, b = PG_SB_INIT, label = PG_SB_INIT;
    pgs_offsets_ddl(&a, t->conf.off_schema, t->conf.off_table);
    if (t->conf.rej_table != NULL)
        pgs_rejected_ddl(&b, t->conf.rej_schema, t->conf.rej_table);
    pgi_quote_qualified(&label, t->conf.off_schema, t->conf.off_table);
    const char *stmts[2] = {pg_sb_str(&a), pg_sb_str(&b)};
    pgdb_rc rc = PGDB_FATAL;
    if (a.oom || b.oom || label.oom)
        snprintf(err, err_size, "out of memory");
    else
        rc = ddl(t, pg_sb_str(&label), stmts, t->conf.rej_table != NULL ? 2 : 1, err, err_size);
    pg_sb_free(&a);
    pg_sb_free(&b);
    pg_sb_free(&label);
    return rc;
}
