/* plugins/postgres/flush.c: the PostgreSQL sink's transaction: fence and advance the stored
 * offsets, write every segment (COPY, or COPY into a staging table and merge), find refused
 * rows by bisection under savepoints, record rejections, commit; plus reading stored offsets
 * back (seek) and discarding a batch that cannot be written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgsink.h"
#include "sql.h"

/* Run `sql`; on failure copy the reason into err. */
static pgdb_rc run(pg_task *t, const char *sql, const char *what, char *err, size_t err_size)
{
    pgdb_rc rc = pgdb_exec(&t->db, sql, 0, NULL, NULL, what);
    if (rc != PGDB_OK)
        snprintf(err, err_size, "%s", t->db.err);
    return rc;
}

/* ---- one segment ---- */

typedef struct writer {
    pg_task *t;
    pg_segment *s;
    size_t *idx;           /* active rows */
    const char *copy_sql;  /* COPY into the target or the stage */
    const char *merge_sql; /* NULL: the COPY is the write */
    const char *trunc_sql;
    char *err;
    size_t err_size;
} writer;

static pgdb_rc reject_row(writer *w, size_t r, const char *reason)
{
    pg_segment *s = w->s;
    sl_record *rec = s->recs[r];
    if (sl_task_report(w->t->ctx, rec, reason) != SL_OK) {
        /* errors.tolerance=none: the task fails with the database's message. */
        snprintf(w->err, w->err_size, "record %s-%d@%lld was refused: %s", sl_record_topic(rec),
                 (int)sl_record_partition(rec), (long long)sl_record_offset(rec), reason);
        return PGDB_FATAL;
    }
    s->state[r] = PG_ROW_REJECTED;
    free(s->reasons[r]);
    s->reasons[r] = strdup(reason);
    return PGDB_OK;
}

/* One try at rows idx[lo..hi) inside a savepoint. */
static pgdb_rc attempt(writer *w, size_t lo, size_t hi)
{
    pg_task *t = w->t;
    pg_segment *s = w->s;
    pgdb_rc rc = run(t, "SAVEPOINT sluice_sp", s->table->label, w->err, w->err_size);
    if (rc != PGDB_OK)
        return rc == PGDB_ROW ? PGDB_FATAL : rc;
    const char **data = malloc((hi - lo) * sizeof(*data));
    size_t *len = malloc((hi - lo) * sizeof(*len));
    if (data == NULL || len == NULL) {
        free(data);
        free(len);
        snprintf(w->err, w->err_size, "out of memory");
        return PGDB_FATAL;
    }
    /* Contiguous rows go out as one piece. */
    size_t np = 0;
    for (size_t i = lo; i < hi; i++) {
        size_t r = w->idx[i];
        size_t start = r == 0 ? 0 : s->ends[r - 1];
        if (np > 0 && data[np - 1] + len[np - 1] == s->data.buf + start) {
            len[np - 1] += s->ends[r] - start;
        } else {
            data[np] = s->data.buf + start;
            len[np++] = s->ends[r] - start;
        }
    }
    rc = PGDB_OK;
    if (w->trunc_sql != NULL)
        rc = pgdb_exec(&t->db, w->trunc_sql, 0, NULL, NULL, s->table->label);
    if (rc == PGDB_OK)
        rc = pgdb_copy(&t->db, w->copy_sql, data, len, np, s->table->label);
    int line = t->db.copy_line;
    if (rc == PGDB_OK && w->merge_sql != NULL) {
        rc = pgdb_exec(&t->db, w->merge_sql, 0, NULL, NULL, s->table->label);
        line = 0;
    }
    free(data);
    free(len);
    if (rc == PGDB_OK)
        return run(t, "RELEASE SAVEPOINT sluice_sp", s->table->label, w->err, w->err_size);
    snprintf(w->err, w->err_size, "%s", t->db.err);
    if (rc == PGDB_RETRY)
        return rc;
    /* Keep the failure's message and line across the rollback. */
    char saved[sizeof(t->db.err)];
    memcpy(saved, t->db.err, sizeof(saved));
    pgdb_rc rrc = run(t, "ROLLBACK TO SAVEPOINT sluice_sp", s->table->label, w->err, w->err_size);
    if (rrc == PGDB_OK)
        rrc = run(t, "RELEASE SAVEPOINT sluice_sp", s->table->label, w->err, w->err_size);
    if (rrc != PGDB_OK)
        return rrc == PGDB_ROW ? PGDB_FATAL : rrc;
    memcpy(t->db.err, saved, sizeof(saved));
    snprintf(w->err, w->err_size, "%s", saved);
    t->db.copy_line = line;
    return rc;
}

/* Write idx[lo..hi); rows the database refuses are found and rejected: the COPY error's line
 * points at a row directly, else the range is halved. */
static pgdb_rc write_range(writer *w, size_t lo, size_t hi)
{
    while (lo < hi) {
        pgdb_rc rc = attempt(w, lo, hi);
        if (rc == PGDB_OK)
            return PGDB_OK;
        if (rc != PGDB_ROW)
            return rc;
        if (hi - lo == 1)
            return reject_row(w, w->idx[lo], w->t->db.err);
        int line = w->t->db.copy_line;
        size_t split;
        if (line >= 1 && (size_t)line <= hi - lo) {
            size_t bad = lo + (size_t)line - 1;
            if (bad > lo && (rc = write_range(w, lo, bad)) != PGDB_OK)
                return rc;
            if ((rc = write_range(w, bad, bad + 1)) != PGDB_OK)
                return rc;
            lo = bad + 1;
            continue;
        }
        split = lo + (hi - lo) / 2;
        if ((rc = write_range(w, lo, split)) != PGDB_OK)
            return rc;
        lo = split;
    }
    return PGDB_OK;
}

static pgdb_rc write_segment(pg_task *t, pg_segment *s, size_t segno, char *err, size_t err_size)
{
    size_t n = 0;
    size_t *idx = malloc((s->nrows ? s->nrows : 1) * sizeof(*idx));
    if (idx == NULL) {
        snprintf(err, err_size, "out of memory");
        return PGDB_FATAL;
    }
    for (size_t r = 0; r < s->nrows; r++)
        if (s->state[r] == PG_ROW_ACTIVE)
            idx[n++] = r;
    if (n == 0) {
        free(idx);
        return PGDB_OK;
    }
    const pg_table *tab = s->table;
    const char *const *cols = (const char *const *)s->cols;
    char stage[40];
    snprintf(stage, sizeof(stage), "sluice_stage_%zu", segno);
    pg_sb copy = PG_SB_INIT, merge = PG_SB_INIT, trunc = PG_SB_INIT, mk = PG_SB_INIT;
    bool staged = s->is_delete || t->conf.mode != PG_MODE_INSERT;
    bool nothing = false;
    if (staged) {
        pgs_stage(&mk, stage, tab->schema, tab->name, cols, s->ncols);
        pgs_truncate(&trunc, stage);
        pgs_copy(&copy, NULL, stage, cols, s->ncols);
        if (s->is_delete)
            pgs_delete(&merge, tab->schema, tab->name, stage, cols, s->ncols);
        else if (t->conf.mode == PG_MODE_UPSERT)
            pgs_upsert(&merge, tab->schema, tab->name, stage, cols, s->pk, s->ncols);
        else
            nothing = !pgs_update(&merge, tab->schema, tab->name, stage, cols, s->pk, s->ncols);
    } else {
        pgs_copy(&copy, tab->schema, tab->name, cols, s->ncols);
    }
    pgdb_rc rc = PGDB_OK;
    if (copy.oom || merge.oom || trunc.oom || mk.oom) {
        snprintf(err, err_size, "out of memory");
        rc = PGDB_FATAL;
    } else if (nothing) {
        /* update mode with rows that are all key: nothing to set. */
    } else {
        if (staged)
            rc = run(t, pg_sb_str(&mk), tab->label, err, err_size);
        writer w = {t,
                    s,
                    idx,
                    pg_sb_str(&copy),
                    staged ? pg_sb_str(&merge) : NULL,
                    staged ? pg_sb_str(&trunc) : NULL,
                    err,
                    err_size};
        size_t bs = t->conf.batch_size > 0 ? (size_t)t->conf.batch_size : n;
        for (size_t lo = 0; rc == PGDB_OK && lo < n; lo += bs)
            rc = write_range(&w, lo, lo + bs < n ? lo + bs : n);
        if (rc == PGDB_ROW)
            rc = PGDB_FATAL; /* a refusal outside any row (the stage itself) */
    }
    pg_sb_free(&copy);
    pg_sb_free(&merge);
    pg_sb_free(&trunc);
    pg_sb_free(&mk);
    free(idx);
    return rc;
}

/* ---- rejections ---- */

static char *as_text(const sl_value *v, const sl_schema *s)
{
    if (v == NULL)
        return NULL;
    if (sl_value_type(v) == SL_TYPE_STRING)
        return strdup(sl_value_get_string(v, NULL));
    return sl_value_to_json(v, s);
}

static pgdb_rc insert_rejection(pg_task *t, const char *sql, const sl_record *rec,
                                const char *reason, char *err, size_t err_size)
{
    char part[16], off[24];
    snprintf(part, sizeof(part), "%d", (int)sl_record_partition(rec));
    snprintf(off, sizeof(off), "%lld", (long long)sl_record_offset(rec));
    char *key = as_text(sl_record_key(rec), sl_record_key_schema(rec));
    char *val = as_text(sl_record_value(rec), sl_record_value_schema(rec));
    const char *params[6] = {sl_record_topic(rec), part, off, key, val, reason};
    pgdb_rc rc = pgdb_exec(&t->db, sql, 6, params, NULL, "rejected table");
    free(key);
    free(val);
    if (rc != PGDB_OK) {
        snprintf(err, err_size, "%s", t->db.err);
        if (rc == PGDB_ROW)
            rc = PGDB_FATAL;
    }
    return rc;
}

static pgdb_rc write_rejections(pg_task *t, char *err, size_t err_size)
{
    if (t->conf.rej_table == NULL)
        return PGDB_OK;
    pg_sb sql = PG_SB_INIT;
    pgs_rejected_insert(&sql, t->conf.rej_schema, t->conf.rej_table);
    pgdb_rc rc = PGDB_OK;
    pg_buffer *b = &t->buf;
    for (size_t i = 0; rc == PGDB_OK && i < b->nrej; i++)
        rc = insert_rejection(t, pg_sb_str(&sql), b->rej[i].rec, b->rej[i].reason, err, err_size);
    for (size_t i = 0; rc == PGDB_OK && i < b->nsegs; i++) {
        pg_segment *s = b->segs[i];
        for (size_t r = 0; rc == PGDB_OK && r < s->nrows; r++)
            if (s->state[r] == PG_ROW_REJECTED)
                rc = insert_rejection(t, pg_sb_str(&sql), s->recs[r],
                                      s->reasons[r] ? s->reasons[r] : "refused", err, err_size);
    }
    pg_sb_free(&sql);
    return rc;
}

/* ---- offsets ---- */

/* Advance every partition's stored offset, checking it still is what we last saw. Sets
 * *fenced when another writer moved it. */
static pgdb_rc write_offsets(pg_task *t, bool *fenced, char *err, size_t err_size)
{
    pg_sb sql = PG_SB_INIT;
    pgs_offsets_upsert(&sql, t->conf.off_schema, t->conf.off_table);
    pgdb_rc rc = PGDB_OK;
    *fenced = false;
    for (size_t i = 0; rc == PGDB_OK && !*fenced && i < t->buf.nparts; i++) {
        pg_part *p = &t->buf.parts[i];
        if (p->buf_next < 0 || p->buf_next == p->db_next)
            continue;
        char part[16], next[24], prev[24];
        snprintf(part, sizeof(part), "%d", (int)p->partition);
        snprintf(next, sizeof(next), "%lld", (long long)p->buf_next);
        snprintf(prev, sizeof(prev), "%lld", (long long)p->db_next);
        const char *params[5] = {t->connector, p->topic, part, next, p->db_next >= 0 ? prev : NULL};
        PGresult *res;
        rc = pgdb_exec(&t->db, pg_sb_str(&sql), 5, params, &res, "offsets table");
        if (rc != PGDB_OK) {
            snprintf(err, err_size, "%s", t->db.err);
            if (rc == PGDB_ROW)
                rc = PGDB_FATAL;
            break;
        }
        if (PQntuples(res) != 1) {
            *fenced = true;
            sl_log(SL_LOG_WARN,
                   "the stored offset of %s-%d is no longer %lld (another task wrote it, or an "
                   "earlier commit succeeded without an answer): discarding the batch and "
                   "resuming from the stored offset",
                   p->topic, (int)p->partition, (long long)p->db_next);
        }
        PQclear(res);
    }
    pg_sb_free(&sql);
    return rc;
}

/* ---- the transaction ---- */

pgdb_rc pg_flush(pg_task *t, char *err, size_t err_size)
{
    pg_buffer *b = &t->buf;
    if (!pgb_has_work(b)) {
        b->first_ms = 0;
        return PGDB_OK;
    }
    pgdb_rc rc = pgdb_connect(&t->db);
    if (rc != PGDB_OK) {
        snprintf(err, err_size, "%s", t->db.err);
        return rc;
    }
    pgb_dedup(b);
    bool fenced = false;
    rc = run(t, "BEGIN", "transaction", err, err_size);
    if (rc == PGDB_OK)
        rc = write_offsets(t, &fenced, err, err_size);
    if (rc == PGDB_OK && fenced) {
        run(t, "ROLLBACK", "transaction", err, err_size);
        pg_discard(t);
        rc = pg_lookup(t, err, err_size);
        return rc == PGDB_FATAL ? rc : PGDB_OK;
    }
    for (size_t i = 0; rc == PGDB_OK && i < b->nsegs; i++)
        rc = write_segment(t, b->segs[i], i, err, err_size);
    if (rc == PGDB_OK)
        rc = write_rejections(t, err, err_size);
    if (rc == PGDB_OK) {
        rc = run(t, "COMMIT", "commit", err, err_size);
        /* A deferred constraint refusing at COMMIT cannot be pinned on one row. */
        if (rc == PGDB_ROW)
            rc = PGDB_FATAL;
    }
    if (rc != PGDB_OK) {
        if (pgdb_ready(&t->db)) {
            char keep[1024];
            snprintf(keep, sizeof(keep), "%s", err);
            run(t, "ROLLBACK", "transaction", err, err_size);
            snprintf(err, err_size, "%s", keep);
        }
        if (rc == PGDB_RETRY && !pgdb_ready(&t->db))
            pgdb_disconnect(&t->db);
        return rc;
    }
    size_t rows = b->rows, rejected = b->nrej;
    for (size_t i = 0; i < b->nsegs; i++)
        for (size_t r = 0; r < b->segs[i]->nrows; r++)
            rejected += b->segs[i]->state[r] == PG_ROW_REJECTED;
    for (size_t i = 0; i < b->nparts; i++) {
        pg_part *p = &b->parts[i];
        if (p->buf_next >= 0)
            p->db_next = p->buf_next;
        p->first = -1;
    }
    pgb_clear(b);
    sl_log(SL_LOG_DEBUG, "committed %zu row(s), %zu rejected", rows, rejected);
    return PGDB_OK;
}

/* ---- offsets back from the database ---- */

pgdb_rc pg_lookup(pg_task *t, char *err, size_t err_size)
{
    pg_buffer *b = &t->buf;
    bool any = false;
    for (size_t i = 0; i < b->nparts; i++)
        any |= b->parts[i].needs_lookup;
    if (!any)
        return PGDB_OK;
    pgdb_rc rc = pgdb_connect(&t->db);
    if (rc != PGDB_OK) {
        snprintf(err, err_size, "%s", t->db.err);
        return rc;
    }
    pg_sb sql = PG_SB_INIT;
    pgs_offsets_select(&sql, t->conf.off_schema, t->conf.off_table);
    const char *params[1] = {t->connector};
    PGresult *res;
    rc = pgdb_exec(&t->db, pg_sb_str(&sql), 1, params, &res, "offsets table");
    pg_sb_free(&sql);
    if (rc != PGDB_OK) {
        snprintf(err, err_size, "%s", t->db.err);
        return rc == PGDB_ROW ? PGDB_FATAL : rc;
    }
    int n = PQntuples(res);
    for (size_t i = 0; i < b->nparts; i++) {
        pg_part *p = &b->parts[i];
        if (!p->needs_lookup)
            continue;
        int64_t stored = -1;
        for (int r = 0; r < n; r++)
            if (atoi(PQgetvalue(res, r, 1)) == p->partition &&
                strcmp(PQgetvalue(res, r, 0), p->topic) == 0)
                stored = atoll(PQgetvalue(res, r, 2));
        /* The stored offset is the truth; without one, go back to the first record taken
         * but never written (if any), else start where the consumer group stands. */
        int64_t to = stored >= 0 ? stored : p->first;
        if (to >= 0) {
            sl_task_seek(t->ctx, p->topic, p->partition, to);
            sl_log(SL_LOG_INFO, "%s-%d resumes at offset %lld (%s)", p->topic, (int)p->partition,
                   (long long)to,
                   stored >= 0 ? "stored in the database" : "first unwritten record");
        }
        p->db_next = stored;
        p->buf_next = stored;
        p->first = -1;
        p->pending = 0;
        p->needs_lookup = false;
        if (p->paused) {
            sl_task_resume(t->ctx, p->topic, p->partition);
            p->paused = false;
        }
    }
    PQclear(res);
    return PGDB_OK;
}

void pg_discard(pg_task *t)
{
    pg_buffer *b = &t->buf;
    pgb_clear(b);
    for (size_t i = 0; i < b->nparts; i++) {
        pg_part *p = &b->parts[i];
        if (p->first < 0 && p->buf_next == p->db_next)
            continue;
        p->needs_lookup = true;
        if (!p->paused && sl_task_pause(t->ctx, p->topic, p->partition) == SL_OK)
            p->paused = true;
    }
    t->flush_pending = false;
}
