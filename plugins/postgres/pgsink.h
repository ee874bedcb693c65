/* plugins/postgres/pgsink.h: what the PostgreSQL sink's sources share: the parsed config,
 * the table cache, the micro-batch buffer (segments of COPY lines, per-partition offsets,
 * queued rejections) and the task. Internal to the plugin; every function here runs on the
 * task's thread (the connector functions on the connector thread), never concurrently for
 * one task. */
#ifndef SLUICE_PLUGINS_POSTGRES_PGSINK_H
#define SLUICE_PLUGINS_POSTGRES_PGSINK_H

#include <sluice/sdk.h>

#include "db.h"
#include "fields.h"
#include "ident.h"
#include "strbuf.h"

#define PG_PLUGIN_VERSION "1.0.0"
#define PG_SINK_CLASS "io.sluice.connect.postgres.PostgresSinkConnector"

/* io.sluice.connect.postgres.PostgresSinkConnector (sink.c). */
extern const sl_connector_def pg_sink_def;
/* Its configuration keys (config.c) and cross-field validation. */
extern const sl_config_def pg_sink_config[];
void pg_sink_validate(sl_validation *v);

typedef enum pg_insert_mode {
    PG_MODE_INSERT = 0,
    PG_MODE_UPSERT,
    PG_MODE_UPDATE,
} pg_insert_mode;

/* The task's configuration, parsed once. Strings marked borrowed live in the sl_config. */
typedef struct pg_conf {
    char *conninfo;              /* owned: connection.url made a libpq conninfo */
    const char *user, *password; /* borrowed; may be NULL */
    int attempts;                /* connection.attempts (at start) */
    int64_t backoff_ms;          /* connection.backoff.ms */
    pg_insert_mode mode;
    pgr_opts row; /* layout, pk.mode, pk.fields, whitelist, deletes */
    bool auto_create, auto_evolve;
    int batch_size; /* rows per COPY/merge statement */
    int64_t buf_records, buf_bytes, flush_ms;
    char *off_schema, *off_table; /* owned; schema may be NULL */
    char *rej_schema, *rej_table; /* owned; table NULL when rejected.table is empty */
    pgi_names names;
} pg_conf;

/* Parse the task config (borrowed; must outlive `c`). 0, or -1 with a reason in err. */
int pg_conf_parse(pg_conf *c, const sl_config *config, char *err, size_t err_size);
void pg_conf_free(pg_conf *c);

/* ---- tables (tables.c) ---- */

typedef struct pg_column {
    char *name;
    char *type;
    bool notnull;
} pg_column;

typedef struct pg_table {
    char *schema; /* NULL: unqualified (search_path) */
    char *name;
    char *label; /* the quoted qualified name, for SQL, messages and the DDL lock */
    bool exists;
    pg_column *cols;
    size_t ncols;
} pg_table;

typedef struct pg_topic_entry {
    char *topic;
    pg_table *table;
} pg_topic_entry;

typedef struct pg_tables {
    pg_table **t;
    size_t n, cap;
    pg_topic_entry *topics;
    size_t ntopics, captopics;
} pg_tables;

struct pg_task;

/* The table for records of `topic` (after transforms), loading its columns on first use.
 * PGDB_OK with *out set, or PGDB_RETRY/PGDB_FATAL with the reason in err. */
pgdb_rc pgt_for_topic(struct pg_task *t, const char *topic, pg_table **out, char *err,
                      size_t err_size);
/* Resolve `row`'s fields to columns of `tab`, creating the table (auto.create) or adding
 * nullable columns (auto.evolve) as needed. cols[i] receives the column name for field i
 * (borrowed from the table cache) or NULL to leave the field out (a schemaless null with no
 * column). PGDB_OK; PGDB_ROW when the record does not fit (a missing column without
 * auto.evolve: report it); PGDB_RETRY / PGDB_FATAL (a missing table without auto.create). */
pgdb_rc pgt_prepare(struct pg_task *t, pg_table *tab, const pg_row *row, const char **cols,
                    char *err, size_t err_size);
/* Create the offsets and rejected tables if missing. */
pgdb_rc pgt_bookkeeping(struct pg_task *t, char *err, size_t err_size);
void pgt_free(pg_tables *ts);

/* ---- buffer (buffer.c) ---- */

enum { PG_ROW_ACTIVE = 0, PG_ROW_SUPERSEDED = 1, PG_ROW_REJECTED = 2 };

/* Rows of one table with one column list and one operation, as COPY text lines. */
typedef struct pg_segment {
    pg_table *table; /* borrowed from the cache */
    bool is_delete;  /* rows are keys to delete */
    bool sealed;     /* no more rows: a later operation on the table must come after */
    bool keyed;      /* rows carry their encoded key (deduplicated last-wins) */
    char **cols;     /* owned copies */
    bool *pk;
    size_t ncols;
    pg_sb data;           /* the lines */
    size_t *ends;         /* end of row i in data */
    sl_record **recs;     /* retained */
    char **keys;          /* encoded primary key per row (dedup), NULL in insert mode */
    char **reasons;       /* why a rejected row was refused */
    unsigned char *state; /* PG_ROW_* */
    uint64_t *seq;        /* arrival order across segments (dedup keeps the latest) */
    size_t nrows, cap;
} pg_segment;

/* A Kafka partition the task consumes, and where its data stands in the database. */
typedef struct pg_part {
    char *topic; /* the consumed (original) topic */
    int32_t partition;
    int64_t db_next;   /* next offset the offsets table holds; -1: no row (or unknown) */
    int64_t buf_next;  /* next offset after everything taken (buffered or skipped); -1 none */
    int64_t first;     /* first offset taken since the database last caught up; -1 none */
    size_t pending;    /* rows buffered */
    bool needs_lookup; /* its stored offset must be read (and sought) before consuming */
    bool paused;       /* paused by us until the lookup succeeds */
} pg_part;

/* A record refused before it reached the database (or by it), for rejected.table. */
typedef struct pg_reject {
    sl_record *rec; /* retained */
    char *reason;
} pg_reject;

typedef struct pg_buffer {
    pg_segment **segs;
    size_t nsegs, capsegs;
    pg_part *parts;
    size_t nparts, capparts;
    size_t last_part; /* index of the last partition found (lookup cache) */
    pg_reject *rej;
    size_t nrej, caprej;
    size_t rows;      /* rows buffered (all segments) */
    size_t bytes;     /* COPY bytes buffered */
    uint64_t seq;     /* rows appended so far */
    int64_t first_ms; /* when the oldest unflushed work was taken; 0 = nothing */
} pg_buffer;

/* The partition entry for (topic, partition), created (needs_lookup) when new; NULL = oom. */
pg_part *pgb_part(pg_buffer *b, const char *topic, int32_t partition);
pg_part *pgb_find_part(pg_buffer *b, const char *topic, int32_t partition);
void pgb_remove_part(pg_buffer *b, const char *topic, int32_t partition);
/* True when the partition has data the database does not have yet. */
bool pgb_part_dirty(const pg_part *p);
/* Record that `rec` (offset `off` of `p`) was taken: buffered, skipped or rejected. */
void pgb_taken(pg_buffer *b, pg_part *p, int64_t off);
/* Append the row for `rec` (retained) to the right segment; `cols` as pgt_prepare filled it.
 * 0, or -1 with a reason in err (the value cannot be rendered: report the record). */
int pgb_append(struct pg_task *t, pg_table *tab, const pg_row *row, const char **cols,
               sl_record *rec, char *err, size_t err_size);
/* Queue a rejection (retains rec, copies reason). 0 or -1 (oom). */
int pgb_reject(pg_buffer *b, sl_record *rec, const char *reason);
/* Mark rows replaced by a later row with the same key in the same table (upsert, update and
 * deletes): only the last one is written. */
void pgb_dedup(pg_buffer *b);
/* Drop every buffered row and rejection (after a flush, or to discard). Partition state is
 * the caller's. */
void pgb_clear(pg_buffer *b);
bool pgb_has_work(const pg_buffer *b);
void pgb_free(pg_buffer *b);

/* ---- the task (sink.c, flush.c) ---- */

typedef struct pg_task {
    sl_task_ctx *ctx;
    const char *connector; /* borrowed from the host */
    pg_conf conf;
    pgdb db;
    pg_tables tables;
    pg_buffer buf;
    pg_row row;         /* scratch */
    bool flush_pending; /* a flush failed transiently: retry before taking more */
    bool failed;        /* a fatal error was returned: no more writes */
    int64_t last_warn_ms;
    char fatal[2048];
} pg_task;

/* Write the buffer in one transaction with the offsets (fenced) and rejections.
 * PGDB_OK (written, or discarded after a fence: the partitions are sought back), PGDB_RETRY
 * (nothing written, buffer kept), PGDB_FATAL (err says why; the task must fail). */
pgdb_rc pg_flush(pg_task *t, char *err, size_t err_size);
/* Read the stored offsets of every partition that needs it, seek there, resume what was
 * paused. PGDB_OK or PGDB_RETRY/PGDB_FATAL with err. */
pgdb_rc pg_lookup(pg_task *t, char *err, size_t err_size);
/* Throw the buffer away and make every known partition re-read its offset (pausing it until
 * then), so that nothing unwritten is skipped. */
void pg_discard(pg_task *t);

#endif
