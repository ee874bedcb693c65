/* plugins/postgres/sink.c: PostgresSinkConnector and its task: micro-batches records into
 * COPY segments, flushes them by count, size or time in one transaction with the Kafka
 * offsets, seeks to the stored offsets on assignment, and reports only committed offsets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pgsink.h"

/* ---- connector ---- */

static int conn_start(const sl_config *config, sl_connector_ctx *ctx, void **state, char *errstr,
                      size_t errstr_size)
{
    (void)ctx;
    sl_props *props = sl_props_copy(sl_config_originals(config));
    if (props == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    *state = props;
    return SL_OK;
}

/* tasks.max identical configs: the consumer group spreads the partitions. */
static int conn_task_configs(void *state, int max_tasks, sl_props **out, char *errstr,
                             size_t errstr_size)
{
    for (int i = 0; i < max_tasks; i++) {
        out[i] = sl_props_copy(state);
        if (out[i] == NULL) {
            for (int j = 0; j < i; j++)
                sl_props_destroy(out[j]);
            snprintf(errstr, errstr_size, "out of memory");
            return SL_ERR;
        }
    }
    return max_tasks < 0 ? 0 : max_tasks;
}

static void conn_stop(void *state)
{
    sl_props_destroy(state);
}

/* ---- task ---- */

static void task_free(pg_task *t)
{
    pgb_free(&t->buf);
    pgt_free(&t->tables);
    pgr_free(&t->row);
    pgdb_fini(&t->db);
    pg_conf_free(&t->conf);
    free(t);
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

static int task_start(const sl_config *config, sl_task_ctx *ctx, void **task, char *errstr,
                      size_t errstr_size)
{
    pg_task *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    t->ctx = ctx;
    t->connector = sl_task_connector_name(ctx);
    if (pg_conf_parse(&t->conf, config, errstr, errstr_size) != 0) {
        free(t);
        return SL_ERR;
    }
    char app[128];
    snprintf(app, sizeof(app), "sluice %s-%d", t->connector ? t->connector : "?", sl_task_id(ctx));
    if (pgdb_init(&t->db, t->conf.conninfo, t->conf.user, t->conf.password, app,
                  t->conf.backoff_ms) != 0) {
        pg_conf_free(&t->conf);
        free(t);
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    /* connection.attempts tries, connection.backoff.ms apart (doubling), as the JDBC sink. */
    pgdb_rc rc;
    while ((rc = pgdb_connect(&t->db)) != PGDB_OK) {
        if (t->db.failures >= t->conf.attempts || sl_task_stopping(ctx)) {
            snprintf(errstr, errstr_size, "%s (after %d attempt(s))", t->db.err, t->db.failures);
            task_free(t);
            return SL_ERR;
        }
        int64_t wait = t->db.next_attempt_ms - pgdb_now_ms();
        sl_log(SL_LOG_WARN, "%s; retrying in %lld ms", t->db.err, (long long)wait);
        sleep_ms(wait > 0 ? wait : 0);
    }
    if (pgt_bookkeeping(t, errstr, errstr_size) != PGDB_OK) {
        task_free(t);
        return SL_ERR;
    }
    sl_log(SL_LOG_INFO, "PostgreSQL sink task started (insert.mode=%s, table.layout=%s)",
           t->conf.mode == PG_MODE_UPSERT   ? "upsert"
           : t->conf.mode == PG_MODE_UPDATE ? "update"
                                            : "insert",
           t->conf.row.layout == PG_LAYOUT_RECORD ? "record" : "columns");
    *task = t;
    return SL_OK;
}

/* Warn about a transient database problem at most every 10 s (and at its start). */
static void warn_retry(pg_task *t, const char *what, const char *err)
{
    int64_t now = pgdb_now_ms();
    if (t->last_warn_ms != 0 && now - t->last_warn_ms < 10000)
        return;
    t->last_warn_ms = now;
    sl_log(SL_LOG_WARN, "%s: %s (retrying)", what, err);
}

static int fail(pg_task *t, const char *msg, char *errstr, size_t errstr_size)
{
    t->failed = true;
    snprintf(t->fatal, sizeof(t->fatal), "%s", msg);
    snprintf(errstr, errstr_size, "%s", msg);
    return SL_ERR;
}

/* The database work left over from earlier calls: stored offsets to read, a flush to redo. */
static pgdb_rc catch_up(pg_task *t, char *err, size_t err_size)
{
    pgdb_rc rc = pg_lookup(t, err, err_size);
    if (rc == PGDB_OK && t->flush_pending) {
        rc = pg_flush(t, err, err_size);
        if (rc == PGDB_OK)
            t->flush_pending = false;
    }
    if (rc == PGDB_OK)
        t->last_warn_ms = 0;
    return rc;
}

static bool flush_due(const pg_task *t)
{
    const pg_buffer *b = &t->buf;
    if (b->first_ms == 0)
        return false;
    return (int64_t)b->rows >= t->conf.buf_records || (int64_t)b->bytes >= t->conf.buf_bytes ||
           pgdb_now_ms() - b->first_ms >= t->conf.flush_ms;
}

/* A record that cannot be written: reported (DLQ, log) and queued for rejected.table under
 * errors.tolerance=all; SL_ERR (task fails) otherwise. */
static int bad_record(pg_task *t, sl_record *rec, const char *why, char *errstr, size_t errstr_size)
{
    if (sl_task_report(t->ctx, rec, why) != SL_OK) {
        char msg[2048];
        snprintf(msg, sizeof(msg), "record %s-%d@%lld cannot be written: %s", sl_record_topic(rec),
                 (int)sl_record_partition(rec), (long long)sl_record_offset(rec), why);
        return fail(t, msg, errstr, errstr_size);
    }
    if (t->conf.rej_table != NULL && pgb_reject(&t->buf, rec, why) != 0)
        return fail(t, "out of memory queueing a rejected record", errstr, errstr_size);
    return SL_OK;
}

/* Take one record into the buffer. SL_OK, SL_ERR_RETRIABLE (database unavailable: the host
 * redelivers; what was taken is skipped then), SL_ERR (fatal). */
static int take(pg_task *t, sl_record *rec, char *errstr, size_t errstr_size)
{
    const char *otopic = sl_record_original_topic(rec);
    pg_part *p =
        pgb_part(&t->buf, otopic ? otopic : sl_record_topic(rec), sl_record_partition(rec));
    if (p == NULL)
        return fail(t, "out of memory tracking a partition", errstr, errstr_size);
    int64_t off = sl_record_offset(rec);
    /* Already written or buffered: a redelivery (after a retriable error or a seek). */
    if ((p->buf_next >= 0 && off < p->buf_next) || (p->db_next >= 0 && off < p->db_next))
        return SL_OK;
    char err[2048] = "";
    int rc = pgr_build(&t->row, &t->conf.row, rec, err, sizeof(err));
    if (rc == PGR_SKIP) {
        pgb_taken(&t->buf, p, off);
        return SL_OK;
    }
    if (rc == PGR_BAD) {
        if (bad_record(t, rec, err, errstr, errstr_size) != SL_OK)
            return SL_ERR;
        pgb_taken(&t->buf, pgb_find_part(&t->buf, p->topic, p->partition), off);
        return SL_OK;
    }
    pg_table *tab;
    pgdb_rc drc = pgt_for_topic(t, sl_record_topic(rec), &tab, err, sizeof(err));
    const char *cols[t->row.n ? t->row.n : 1];
    if (drc == PGDB_OK)
        drc = pgt_prepare(t, tab, &t->row, cols, err, sizeof(err));
    if (drc == PGDB_RETRY) {
        warn_retry(t, "preparing a table", err);
        snprintf(errstr, errstr_size, "%s", err);
        return SL_ERR_RETRIABLE;
    }
    if (drc == PGDB_FATAL)
        return fail(t, err, errstr, errstr_size);
    if (drc == PGDB_ROW || pgb_append(t, tab, &t->row, cols, rec, err, sizeof(err)) != 0) {
        if (bad_record(t, rec, err, errstr, errstr_size) != SL_OK)
            return SL_ERR;
    } else {
        p = pgb_find_part(&t->buf, p->topic, p->partition);
        p->pending++;
    }
    pgb_taken(&t->buf, p, off);
    return SL_OK;
}

static int task_put(void *task, sl_record *const *records, size_t n, char *errstr,
                    size_t errstr_size)
{
    pg_task *t = task;
    if (t->failed) {
        snprintf(errstr, errstr_size, "%s", t->fatal);
        return SL_ERR;
    }
    char err[2048] = "";
    /* New partitions (no open() seen) read their stored offset before anything is taken. */
    for (size_t i = 0; i < n; i++) {
        const char *ot = sl_record_original_topic(records[i]);
        if (pgb_part(&t->buf, ot ? ot : sl_record_topic(records[i]),
                     sl_record_partition(records[i])) == NULL)
            return fail(t, "out of memory tracking a partition", errstr, errstr_size);
    }
    pgdb_rc rc = catch_up(t, err, sizeof(err));
    if (rc == PGDB_FATAL)
        return fail(t, err, errstr, errstr_size);
    if (rc == PGDB_RETRY) {
        warn_retry(t, "PostgreSQL is unavailable", err);
        snprintf(errstr, errstr_size, "%s", err);
        return n > 0 ? SL_ERR_RETRIABLE : SL_OK;
    }
    for (size_t i = 0; i < n; i++) {
        int trc = take(t, records[i], errstr, errstr_size);
        if (trc != SL_OK)
            return trc;
    }
    if (!flush_due(t))
        return SL_OK;
    rc = pg_flush(t, err, sizeof(err));
    if (rc == PGDB_FATAL)
        return fail(t, err, errstr, errstr_size);
    if (rc == PGDB_RETRY) {
        /* The records stay buffered; more are refused until the flush goes through. */
        t->flush_pending = true;
        warn_retry(t, "flush failed", err);
    } else {
        t->last_warn_ms = 0;
    }
    return SL_OK;
}

static int task_open(void *task, const sl_tp_offset *parts, size_t n, char *errstr,
                     size_t errstr_size)
{
    pg_task *t = task;
    for (size_t i = 0; i < n; i++) {
        pg_part *p = pgb_part(&t->buf, parts[i].topic, parts[i].partition);
        if (p == NULL) {
            snprintf(errstr, errstr_size, "out of memory");
            return SL_ERR;
        }
        p->needs_lookup = true;
    }
    char err[2048] = "";
    pgdb_rc rc = pg_lookup(t, err, sizeof(err));
    if (rc == PGDB_FATAL) {
        snprintf(errstr, errstr_size, "reading stored offsets: %s", err);
        return SL_ERR;
    }
    if (rc == PGDB_RETRY) {
        /* Nothing may be consumed before we know where the database stands. */
        warn_retry(t, "reading stored offsets", err);
        for (size_t i = 0; i < t->buf.nparts; i++) {
            pg_part *p = &t->buf.parts[i];
            if (p->needs_lookup && !p->paused &&
                sl_task_pause(t->ctx, p->topic, p->partition) == SL_OK)
                p->paused = true;
        }
    }
    return SL_OK;
}

static int task_close(void *task, const sl_tp_offset *parts, size_t n, char *errstr,
                      size_t errstr_size)
{
    pg_task *t = task;
    int ret = SL_OK;
    if (!t->failed && pgb_has_work(&t->buf)) {
        char err[2048] = "";
        pgdb_rc rc = pg_flush(t, err, sizeof(err));
        if (rc == PGDB_FATAL) {
            ret = fail(t, err, errstr, errstr_size);
        } else if (rc == PGDB_RETRY) {
            /* Unwritten rows are dropped; whoever consumes these partitions next starts
             * from the stored offsets, and the ones we keep re-read theirs. */
            sl_log(SL_LOG_WARN,
                   "flush on partition close failed, the batch is dropped and "
                   "re-consumed: %s",
                   err);
            pg_discard(t);
        }
        t->flush_pending = false;
    }
    for (size_t i = 0; i < n; i++)
        pgb_remove_part(&t->buf, parts[i].topic, parts[i].partition);
    return ret;
}

/* Kafka's group offsets trail the database: a partition with rows not yet committed reports
 * the stored offset (or nothing); one with nothing pending may commit the host's offset. */
static int task_pre_commit(void *task, sl_tp_offset *offsets, size_t n, char *errstr,
                           size_t errstr_size)
{
    (void)errstr;
    (void)errstr_size;
    pg_task *t = task;
    for (size_t i = 0; i < n; i++) {
        pg_part *p = pgb_find_part(&t->buf, offsets[i].topic, offsets[i].partition);
        if (p == NULL || p->needs_lookup)
            offsets[i].offset = -1;
        else if (p->first >= 0 || pgb_part_dirty(p))
            offsets[i].offset =
                p->db_next >= 0 && p->db_next <= offsets[i].offset ? p->db_next : -1;
    }
    return SL_OK;
}

static void task_stop(void *task)
{
    pg_task *t = task;
    if (t == NULL)
        return;
    if (!t->failed && pgb_has_work(&t->buf)) {
        char err[2048] = "";
        pgdb_rc rc = pg_flush(t, err, sizeof(err));
        if (rc != PGDB_OK)
            sl_log(SL_LOG_WARN,
                   "final flush failed (the records are consumed again after a "
                   "restart): %s",
                   err);
    }
    task_free(t);
}

const sl_connector_def pg_sink_def = {
    .struct_size = sizeof(sl_connector_def),
    .class_name = PG_SINK_CLASS,
    .version = PG_PLUGIN_VERSION,
    .kind = SL_CONNECTOR_SINK,
    .doc = "Writes records to PostgreSQL tables in micro-batches (COPY, or upsert/update/delete "
           "through a staging table), exactly once: each batch commits with its Kafka offsets.",
    .config = pg_sink_config,
    .validate = pg_sink_validate,
    .start = conn_start,
    .task_configs = conn_task_configs,
    .stop = conn_stop,
    .task_config = pg_sink_config,
    .task_start = task_start,
    .task_stop = task_stop,
    .open = task_open,
    .close = task_close,
    .put = task_put,
    .pre_commit = task_pre_commit,
};
