/* plugins/postgres/sql.c: SQL text for the PostgreSQL sink (see sql.h): DDL, COPY, staging
 * merges and the bookkeeping tables. */
#include "sql.h"
#include "ident.h"

static void col_list(pg_sb *sb, const char *prefix, const char *const *cols, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            pg_sb_puts(sb, ", ");
        if (prefix != NULL)
            pg_sb_puts(sb, prefix);
        pgi_quote(sb, cols[i]);
    }
}

void pgs_create_table(pg_sb *sb, const char *schema, const char *table, const pgs_col *cols,
                      size_t n)
{
    pg_sb_puts(sb, "CREATE TABLE IF NOT EXISTS ");
    pgi_quote_qualified(sb, schema, table);
    pg_sb_puts(sb, " (");
    size_t npk = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            pg_sb_puts(sb, ", ");
        pgi_quote(sb, cols[i].name);
        pg_sb_putc(sb, ' ');
        pg_sb_puts(sb, cols[i].type);
        if (cols[i].notnull || cols[i].pk)
            pg_sb_puts(sb, " NOT NULL");
        npk += cols[i].pk;
    }
    if (npk > 0) {
        pg_sb_puts(sb, ", PRIMARY KEY (");
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (cols[i].pk) {
                if (k++ > 0)
                    pg_sb_puts(sb, ", ");
                pgi_quote(sb, cols[i].name);
            }
        pg_sb_putc(sb, ')');
    }
    pg_sb_putc(sb, ')');
}

void pgs_add_column(pg_sb *sb, const char *schema, const char *table, const char *col,
                    const char *type)
{
    pg_sb_puts(sb, "ALTER TABLE ");
    pgi_quote_qualified(sb, schema, table);
    pg_sb_puts(sb, " ADD COLUMN IF NOT EXISTS ");
    pgi_quote(sb, col);
    pg_sb_putc(sb, ' ');
    pg_sb_puts(sb, type);
}

void pgs_copy(pg_sb *sb, const char *schema, const char *table, const char *const *cols, size_t n)
{
    pg_sb_puts(sb, "COPY ");
    pgi_quote_qualified(sb, schema, table);
    pg_sb_puts(sb, " (");
    col_list(sb, NULL, cols, n);
    pg_sb_puts(sb, ") FROM STDIN");
}

void pgs_stage(pg_sb *sb, const char *stage, const char *schema, const char *table,
               const char *const *cols, size_t n)
{
    pg_sb_puts(sb, "CREATE TEMP TABLE ");
    pgi_quote(sb, stage);
    pg_sb_puts(sb, " ON COMMIT DROP AS SELECT ");
    col_list(sb, NULL, cols, n);
    pg_sb_puts(sb, " FROM ");
    pgi_quote_qualified(sb, schema, table);
    pg_sb_puts(sb, " WITH NO DATA");
}

void pgs_truncate(pg_sb *sb, const char *stage)
{
    pg_sb_puts(sb, "TRUNCATE ");
    pgi_quote(sb, stage);
}

void pgs_upsert(pg_sb *sb, const char *schema, const char *table, const char *stage,
                const char *const *cols, const bool *pk, size_t n)
{
    pg_sb_puts(sb, "INSERT INTO ");
    pgi_quote_qualified(sb, schema, table);
    pg_sb_puts(sb, " (");
    col_list(sb, NULL, cols, n);
    pg_sb_puts(sb, ") SELECT ");
    col_list(sb, NULL, cols, n);
    pg_sb_puts(sb, " FROM ");
    pgi_quote(sb, stage);
    pg_sb_puts(sb, " ON CONFLICT (");
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (pk[i]) {
            if (k++ > 0)
                pg_sb_puts(sb, ", ");
            pgi_quote(sb, cols[i]);
        }
    pg_sb_puts(sb, ") DO ");
    size_t set = 0;
    for (size_t i = 0; i < n; i++)
        if (!pk[i]) {
            pg_sb_puts(sb, set++ == 0 ? "UPDATE SET " : ", ");
            pgi_quote(sb, cols[i]);
            pg_sb_puts(sb, " = EXCLUDED.");
            pgi_quote(sb, cols[i]);
        }
    if (set == 0)
        pg_sb_puts(sb, "NOTHING");
}

static void key_match(pg_sb *sb, const char *const *cols, const bool *pk, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (pk == NULL || pk[i]) {
            pg_sb_puts(sb, k++ == 0 ? " WHERE " : " AND ");
            pg_sb_puts(sb, "t.");
            pgi_quote(sb, cols[i]);
            pg_sb_puts(sb, " = s.");
            pgi_quote(sb, cols[i]);
        }
}

bool pgs_update(pg_sb *sb, const char *schema, const char *table, const char *stage,
                const char *const *cols, const bool *pk, size_t n)
{
    size_t set = 0;
    for (size_t i = 0; i < n; i++)
        set += !pk[i];
    if (set == 0)
        return false;
    pg_sb_puts(sb, "UPDATE ");
    pgi_quote_qualified(sb, schema, table);
    pg_sb_puts(sb, " AS t SET ");
    set = 0;
    for (size_t i = 0; i < n; i++)
        if (!pk[i]) {
            if (set++ > 0)
                pg_sb_puts(sb, ", ");
            pgi_quote(sb, cols[i]);
            pg_sb_puts(sb, " = s.");
            pgi_quote(sb, cols[i]);
        }
    pg_sb_puts(sb, " FROM ");
    pgi_quote(sb, stage);
    pg_sb_puts(sb, " AS s");
    key_match(sb, cols, pk, n);
    return true;
}

void pgs_delete(pg_sb *sb, const char *schema, const char *table, const char *stage,
                const char *const *cols, size_t n)
{
    pg_sb_puts(sb, "DELETE FROM ");
    pgi_quote_qualified(sb, schema, table);
    pg_sb_puts(sb, " AS t USING ");
    pgi_quote(sb, stage);
    pg_sb_puts(sb, " AS s");
    key_match(sb, cols, NULL, n);
}

void pgs_offsets_ddl(pg_sb *sb, const char *schema, const char *table)
{
    pg_sb_puts(sb, "CREATE TABLE IF NOT EXISTS ");
    pgi_quote_qualified(sb, schema, table);
    pg_sb_puts(sb, " (\"connector\" text NOT NULL, \"topic\" text NOT NULL, "
                   "\"partition\" integer NOT NULL, \"next_offset\" bigint NOT NULL, "
                   "\"updated\" timestamptz NOT NULL DEFAULT now(), "
                   "PRIMARY KEY (\"connector\", \"topic\", \"partition\"))");
}

void pgs_offsets_upsert(pg_sb *sb, const char *schema, const char *table)
{
    pg_sb_puts(sb, "INSERT INTO ");
    pgi_quote_qualified(sb, schema, table);
    pg_sb_puts(sb, " AS o (\"connector\", \"topic\", \"partition\", \"next_offset\") "
                   "VALUES ($1, $2, $3::integer, $4::bigint) "
                   "ON CONFLICT (\"connector\", \"topic\", \"partition\") DO UPDATE SET "
                   "\"next_offset\" = EXCLUDED.\"next_offset\", \"updated\" = now() "
                   "WHERE o.\"next_offset\" IS NOT DISTINCT FROM $5::bigint RETURNING 1");
}

void pgs_offsets_select(pg_sb *sb, const char *schema, const char *table)
{
    pg_sb_puts(sb, "SELECT \"topic\", \"partition\", \"next_offset\" FROM ");
    pgi_quote_qualified(sb, schema, table);
    pg_sb_puts(sb, " WHERE \"connector\" = $1");
}

void pgs_rejected_ddl(pg_sb *sb, const char *schema, const char *table)
{
    pg_sb_puts(sb, "CREATE TABLE IF NOT EXISTS ");
    pgi_quote_qualified(sb, schema, table);
    pg_sb_puts(sb, " (\"topic\" text, \"partition\" integer, \"offset\" bigint, \"key\" text, "
                   "\"value\" text, \"reason\" text, "
                   "\"time\" timestamptz NOT NULL DEFAULT now())");
}

void pgs_rejected_insert(pg_sb *sb, const char *schema, const char *table)
{
    pg_sb_puts(sb, "INSERT INTO ");
    pgi_quote_qualified(sb, schema, table);
    pg_sb_puts(sb, " (\"topic\", \"partition\", \"offset\", \"key\", \"value\", \"reason\") "
                   "VALUES ($1, $2::integer, $3::bigint, $4, $5, $6)");
}
