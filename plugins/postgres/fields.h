/* plugins/postgres/fields.h: what one record contributes to a row: the columns (name, type,
 * nullability, primary key) and their values, by table.layout (typed columns from a struct or
 * a schemaless map, or Snowflake's record_metadata/record_content pair) and pk.mode.
 * No database calls. Everything here runs on the task's thread. */
#ifndef SLUICE_PLUGINS_POSTGRES_FIELDS_H
#define SLUICE_PLUGINS_POSTGRES_FIELDS_H

#include <sluice/sdk.h>

#include "strbuf.h"

typedef enum pg_layout {
    PG_LAYOUT_COLUMNS = 0,
    PG_LAYOUT_RECORD,
} pg_layout;

typedef enum pg_pk_mode {
    PG_PK_NONE = 0,
    PG_PK_KAFKA,
    PG_PK_RECORD_KEY,
    PG_PK_RECORD_VALUE,
} pg_pk_mode;

/* The options row building depends on (strings and arrays borrowed from the task config). */
typedef struct pgr_opts {
    pg_layout layout;
    pg_pk_mode pk_mode;
    const char *const *pk_fields; /* pk.fields as given (may be empty) */
    size_t npk;
    const char *const *whitelist; /* fields.whitelist (empty = every field) */
    size_t nwhite;
    bool delete_enabled;
    bool null_ignore; /* record layout: behavior.on.null.values=ignore */
} pgr_opts;

/* One column of a record's row. */
typedef struct pg_field {
    const char *name; /* borrowed from the record, the config, or static */
    const char *type; /* PostgreSQL type for CREATE/ALTER; NULL = unknown (a schemaless null:
                         written only if the column already exists) */
    bool notnull;
    bool pk;
    bool is_text;     /* `text` holds the value (raw, not yet COPY-escaped) */
    const char *text; /* NULL = SQL null (is_text) */
    size_t len;
    const sl_value *v; /* else the value (NULL = null) and its schema (may be NULL) */
    const sl_schema *s;
} pg_field;

/* The row of one record: fields in column order (key/pk columns first). Owns the strings it
 * had to render (JSON documents, numbers); borrows from the record otherwise, so it is valid
 * while the record is. */
typedef struct pg_row {
    pg_field *f;
    size_t n, cap;
    char **owned;
    size_t nowned, capowned;
    bool is_delete; /* a tombstone with delete.enabled: only the pk fields are set */
} pg_row;

/* Results of pgr_build. */
#define PGR_OK 0
#define PGR_SKIP 1   /* nothing to write (a tombstone that is ignored) */
#define PGR_BAD (-1) /* the record cannot be written: err says why (report it) */

/* Fill `row` (reset first) from `rec` (borrowed). */
int pgr_build(pg_row *row, const pgr_opts *o, const sl_record *rec, char *err, size_t err_size);
/* Free what the row owns and empty it (reusable). */
void pgr_reset(pg_row *row);
void pgr_free(pg_row *row);

/* The PostgreSQL column type for a Connect schema, or for a schemaless value (NULL for a
 * null value). Static strings. */
const char *pgr_type_of_schema(const sl_schema *s);
const char *pgr_type_of_value(const sl_value *v);

/* Snowflake's RECORD_METADATA document for `rec`: topic, partition, offset, CreateTime or
 * LogAppendTime, key (JSON of the key), headers (name -> JSON value). Appended to sb. */
void pgr_metadata_json(pg_sb *sb, const sl_record *rec);

/* Kafka pk column defaults, as the JDBC sink names them. */
#define PG_KAFKA_TOPIC_COL "__connect_topic"
#define PG_KAFKA_PARTITION_COL "__connect_partition"
#define PG_KAFKA_OFFSET_COL "__connect_offset"
#define PG_KEY_COL "__connect_key"

#endif
