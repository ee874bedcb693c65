/* plugins/postgres/sql.h: the SQL text the PostgreSQL sink sends: table DDL (create, add
 * column), COPY, the staging-table merges for upsert/update/delete, and the offsets and
 * rejected-rows tables. Every identifier is quoted. Pure: builds text, runs nothing. */
#ifndef SLUICE_PLUGINS_POSTGRES_SQL_H
#define SLUICE_PLUGINS_POSTGRES_SQL_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

/* A column for CREATE TABLE. */
typedef struct pgs_col {
    const char *name;
    const char *type;
    bool notnull;
    bool pk;
} pgs_col;

/* CREATE TABLE IF NOT EXISTS schema.table (cols..., PRIMARY KEY (pk cols)). `schema` may be
 * NULL (the search path decides). */
void pgs_create_table(pg_sb *sb, const char *schema, const char *table, const pgs_col *cols,
                      size_t n);
/* ALTER TABLE ... ADD COLUMN IF NOT EXISTS col type: always nullable (auto.evolve). */
void pgs_add_column(pg_sb *sb, const char *schema, const char *table, const char *col,
                    const char *type);
/* COPY schema.table (cols) FROM STDIN (text format). */
void pgs_copy(pg_sb *sb, const char *schema, const char *table, const char *const *cols, size_t n);
/* A transaction-scoped staging table with the target's types for `cols` (no rows). */
void pgs_stage(pg_sb *sb, const char *stage, const char *schema, const char *table,
               const char *const *cols, size_t n);
/* TRUNCATE the staging table (between attempts inside one transaction). */
void pgs_truncate(pg_sb *sb, const char *stage);
/* INSERT INTO target (cols) SELECT cols FROM stage ON CONFLICT (pk) DO UPDATE SET the other
 * columns (DO NOTHING when every column is in the key). `pk[i]` flags key columns. */
void pgs_upsert(pg_sb *sb, const char *schema, const char *table, const char *stage,
                const char *const *cols, const bool *pk, size_t n);
/* UPDATE target SET non-key columns FROM stage WHERE the key columns match. Returns false
 * (and builds nothing) when there is no non-key column to set. */
bool pgs_update(pg_sb *sb, const char *schema, const char *table, const char *stage,
                const char *const *cols, const bool *pk, size_t n);
/* DELETE FROM target USING stage WHERE the key columns (all of `cols`) match. */
void pgs_delete(pg_sb *sb, const char *schema, const char *table, const char *stage,
                const char *const *cols, size_t n);

/* The offsets table: (connector, topic, partition) -> next_offset, with its update time. */
void pgs_offsets_ddl(pg_sb *sb, const char *schema, const char *table);
/* Fenced upsert of one partition's next offset. Parameters: $1 connector, $2 topic,
 * $3 partition, $4 next offset, $5 the next offset this task last read or wrote (NULL when
 * none). Returns a row only when the stored value still was $5 (or no row existed), so a
 * zombie task or an ambiguous earlier commit is detected instead of writing twice. */
void pgs_offsets_upsert(pg_sb *sb, const char *schema, const char *table);
/* SELECT topic, partition, next_offset WHERE connector = $1. */
void pgs_offsets_select(pg_sb *sb, const char *schema, const char *table);

/* The rejected-rows table (Vertica's rejected data table): topic, partition, offset, key,
 * value, reason, time. */
void pgs_rejected_ddl(pg_sb *sb, const char *schema, const char *table);
/* INSERT of one rejected row: $1 topic, $2 partition, $3 offset, $4 key, $5 value,
 * $6 reason. */
void pgs_rejected_insert(pg_sb *sb, const char *schema, const char *table);

#endif
