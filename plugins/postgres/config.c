/* plugins/postgres/config.c: the PostgreSQL sink's configuration keys (JDBC sink names where
 * they overlap, Snowflake's buffer.* and topic2table.map), their validation, and the parsed
 * form a task uses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conninfo.h"
#include "pgsink.h"

#define GROUP_CONN "Connection"
#define GROUP_WRITES "Writes"
#define GROUP_DATA "Data Mapping"
#define GROUP_BUFFER "Buffering"
#define GROUP_ERRORS "Errors"

static int validate_url(const sl_config_def *def, const char *value, char *err, size_t err_size)
{
    (void)def;
    char *ci = NULL;
    if (pgc_conninfo_from_url(value, &ci, NULL, err, err_size) != 0)
        return SL_ERR;
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(ci, &perr);
    free(ci);
    if (opts == NULL) {
        snprintf(err, err_size, "not a PostgreSQL connection string: %s",
                 perr ? perr : "out of memory");
        size_t n = strlen(err);
        if (n > 0 && err[n - 1] == '\n')
            err[n - 1] = '\0';
        PQfreemem(perr);
        return SL_ERR;
    }
    PQconninfoFree(opts);
    return SL_OK;
}

static int validate_map(const sl_config_def *def, const char *value, char *err, size_t err_size)
{
    (void)def;
    pgi_entry *e;
    size_t n;
    if (pgi_parse_map(value, &e, &n, err, err_size) != 0)
        return SL_ERR;
    pgi_entries_free(e, n);
    return SL_OK;
}

static int validate_table(const sl_config_def *def, const char *value, char *err, size_t err_size)
{
    if (value == NULL || value[0] == '\0') {
        if (strcmp(def->name, "rejected.table") == 0)
            return SL_OK;
        snprintf(err, err_size, "a table name is required");
        return SL_ERR;
    }
    char *schema, *table;
    if (pgi_split(value, &schema, &table) != 0) {
        snprintf(err, err_size, "expected table or schema.table");
        return SL_ERR;
    }
    int rc = strlen(table) > PGI_MAXLEN || (schema && strlen(schema) > PGI_MAXLEN) ||
             strchr(table, '.') != NULL;
    free(schema);
    free(table);
    if (rc) {
        snprintf(err, err_size, "expected table or schema.table of at most %d bytes each",
                 PGI_MAXLEN);
        return SL_ERR;
    }
    return SL_OK;
}

const sl_config_def pg_sink_config[] = {
    {.name = "connection.url",
     .type = SL_CFG_STRING,
     .required = true,
     .importance = SL_IMPORTANCE_HIGH,
     .group = GROUP_CONN,
     .width = SL_WIDTH_LONG,
     .display_name = "JDBC URL",
     .doc = "The database: a JDBC URL (jdbc:postgresql://host:port/db?user=..), a postgres:// "
            "URI or a libpq key=value connection string.",
     .validator = SL_VALIDATE_CUSTOM(validate_url)},
    {.name = "connection.user",
     .type = SL_CFG_STRING,
     .importance = SL_IMPORTANCE_HIGH,
     .group = GROUP_CONN,
     .width = SL_WIDTH_MEDIUM,
     .display_name = "JDBC User",
     .doc = "The database user (overrides one given in the URL)."},
    {.name = "connection.password",
     .type = SL_CFG_PASSWORD,
     .importance = SL_IMPORTANCE_HIGH,
     .group = GROUP_CONN,
     .width = SL_WIDTH_MEDIUM,
     .display_name = "JDBC Password",
     .doc = "The database password (overrides one given in the URL)."},
    {.name = "connection.attempts",
     .type = SL_CFG_INT,
     .default_value = "3",
     .importance = SL_IMPORTANCE_LOW,
     .group = GROUP_CONN,
     .doc = "Connection attempts when the task starts before it fails. Later, a lost connection "
            "is retried without limit.",
     .validator = SL_VALIDATE_MIN(1)},
    {.name = "connection.backoff.ms",
     .type = SL_CFG_LONG,
     .default_value = "10000",
     .importance = SL_IMPORTANCE_LOW,
     .group = GROUP_CONN,
     .doc = "First wait after a failed connection attempt, doubled per failure up to a minute.",
     .validator = SL_VALIDATE_MIN(0)},
    {.name = "insert.mode",
     .type = SL_CFG_STRING,
     .default_value = "insert",
     .importance = SL_IMPORTANCE_HIGH,
     .group = GROUP_WRITES,
     .doc = "insert: COPY new rows. upsert: INSERT .. ON CONFLICT (pk) DO UPDATE. update: "
            "UPDATE rows by pk.",
     .validator = SL_VALIDATE_IN_ICASE("insert", "upsert", "update"),
     .recommended = (const char *const[]){"insert", "upsert", "update", NULL}},
    {.name = "batch.size",
     .type = SL_CFG_INT,
     .default_value = "3000",
     .importance = SL_IMPORTANCE_MEDIUM,
     .group = GROUP_WRITES,
     .doc = "Rows per COPY / merge statement inside a flush (also the most rows one refused row "
            "makes the sink retry).",
     .validator = SL_VALIDATE_MIN(1)},
    {.name = "delete.enabled",
     .type = SL_CFG_BOOLEAN,
     .default_value = "false",
     .importance = SL_IMPORTANCE_MEDIUM,
     .group = GROUP_WRITES,
     .doc = "Tombstones (null values) delete the row with the record key. Needs "
            "pk.mode=record_key."},
    {.name = "table.name.format",
     .type = SL_CFG_STRING,
     .default_value = "${topic}",
     .importance = SL_IMPORTANCE_MEDIUM,
     .group = GROUP_DATA,
     .doc = "Table name for a topic not in topic2table.map; ${topic} is replaced by the topic. "
            "Invalid names are repaired (see topic2table.map)."},
    {.name = "topic2table.map",
     .type = SL_CFG_STRING,
     .default_value = "",
     .importance = SL_IMPORTANCE_MEDIUM,
     .group = GROUP_DATA,
     .doc = "topic1:table1,topic2:schema.table2. Other topics get table.name.format; a name "
            "that is not a valid identifier has invalid characters replaced by '_' and a '_' "
            "before a leading digit, plus '_' and a 6-digit hash when two topics would collide.",
     .validator = SL_VALIDATE_CUSTOM(validate_map)},
    {.name = "table.layout",
     .type = SL_CFG_STRING,
     .default_value = "columns",
     .importance = SL_IMPORTANCE_HIGH,
     .group = GROUP_DATA,
     .doc = "columns: one typed column per field. record: two jsonb columns record_metadata and "
            "record_content, as the Snowflake connector stores records.",
     .validator = SL_VALIDATE_IN_ICASE("columns", "record"),
     .recommended = (const char *const[]){"columns", "record", NULL}},
    {.name = "pk.mode",
     .type = SL_CFG_STRING,
     .default_value = "none",
     .importance = SL_IMPORTANCE_HIGH,
     .group = GROUP_DATA,
     .doc = "Primary key: none, kafka (topic, partition, offset), record_key, record_value.",
     .validator = SL_VALIDATE_IN_ICASE("none", "kafka", "record_key", "record_value"),
     .recommended = (const char *const[]){"none", "kafka", "record_key", "record_value", NULL}},
    {.name = "pk.fields",
     .type = SL_CFG_LIST,
     .default_value = "",
     .importance = SL_IMPORTANCE_MEDIUM,
     .group = GROUP_DATA,
     .doc = "Primary key columns. kafka: three names (default __connect_topic, "
            "__connect_partition, __connect_offset). record_key: key fields (default all; "
            "__connect_key for a primitive key). record_value: value fields (default all)."},
    {.name = "fields.whitelist",
     .type = SL_CFG_LIST,
     .default_value = "",
     .importance = SL_IMPORTANCE_MEDIUM,
     .group = GROUP_DATA,
     .doc = "Value fields to write (empty: all). Key columns are always written."},
    {.name = "auto.create",
     .type = SL_CFG_BOOLEAN,
     .default_value = "false",
     .importance = SL_IMPORTANCE_MEDIUM,
     .group = GROUP_DATA,
     .doc = "CREATE TABLE from the first record's fields when the table is missing."},
    {.name = "auto.evolve",
     .type = SL_CFG_BOOLEAN,
     .default_value = "false",
     .importance = SL_IMPORTANCE_MEDIUM,
     .group = GROUP_DATA,
     .doc = "ALTER TABLE ADD COLUMN (nullable) when a record has a field the table lacks."},
    {.name = "behavior.on.null.values",
     .type = SL_CFG_STRING,
     .default_value = "default",
     .importance = SL_IMPORTANCE_LOW,
     .group = GROUP_DATA,
     .doc = "table.layout=record: default stores a tombstone with a null record_content; "
            "ignore skips it.",
     .validator = SL_VALIDATE_IN_ICASE("default", "ignore")},
    {.name = "buffer.count.records",
     .type = SL_CFG_LONG,
     .default_value = "10000",
     .importance = SL_IMPORTANCE_MEDIUM,
     .group = GROUP_BUFFER,
     .doc = "Flush when this many records are buffered.",
     .validator = SL_VALIDATE_MIN(1)},
    {.name = "buffer.size.bytes",
     .type = SL_CFG_LONG,
     .default_value = "5000000",
     .importance = SL_IMPORTANCE_MEDIUM,
     .group = GROUP_BUFFER,
     .doc = "Flush when the buffered rows take this many bytes (as COPY text).",
     .validator = SL_VALIDATE_MIN(1)},
    {.name = "buffer.flush.time",
     .type = SL_CFG_LONG,
     .default_value = "10",
     .importance = SL_IMPORTANCE_MEDIUM,
     .group = GROUP_BUFFER,
     .doc = "Flush at the latest this many seconds after the oldest buffered record arrived, "
            "also when no more records come.",
     .validator = SL_VALIDATE_MIN(1)},
    {.name = "offsets.table",
     .type = SL_CFG_STRING,
     .default_value = "__sluice_offsets",
     .importance = SL_IMPORTANCE_LOW,
     .group = GROUP_ERRORS,
     .doc = "Table holding each partition's next offset, written in the same transaction as "
            "the rows (exactly once).",
     .validator = SL_VALIDATE_CUSTOM(validate_table)},
    {.name = "rejected.table",
     .type = SL_CFG_STRING,
     .default_value = "",
     .importance = SL_IMPORTANCE_MEDIUM,
     .group = GROUP_ERRORS,
     .doc = "Table receiving rows the database refused (topic, partition, offset, key, value, "
            "reason, time) under errors.tolerance=all. Empty: none.",
     .validator = SL_VALIDATE_CUSTOM(validate_table)},
    SL_CONFIG_END,
};

static bool ieq(const char *a, const char *b)
{
    return a && strcasecmp(a, b) == 0;
}

void pg_sink_validate(sl_validation *v)
{
    const sl_config *c = sl_validation_config(v);
    const char *mode = sl_config_string(c, "insert.mode");
    const char *pk = sl_config_string(c, "pk.mode");
    const char *layout = sl_config_string(c, "table.layout");
    const char *const *items;
    size_t npk = sl_config_list(c, "pk.fields", &items);
    if (sl_config_bool(c, "delete.enabled") && !ieq(pk, "record_key"))
        sl_validation_error(v, "delete.enabled",
                            "Deletes are only supported for pk.mode record_key");
    if ((ieq(mode, "upsert") || ieq(mode, "update")) && ieq(pk, "none"))
        sl_validation_error(v, "pk.mode",
                            "insert.mode upsert and update need a primary key (pk.mode other "
                            "than none)");
    if (ieq(pk, "kafka") && npk != 0 && npk != 3)
        sl_validation_error(v, "pk.fields",
                            "pk.mode=kafka needs three pk.fields (topic, partition and offset "
                            "columns) or none for the defaults");
    if (ieq(layout, "record")) {
        if (!ieq(mode, "insert"))
            sl_validation_error(v, "table.layout", "table.layout=record needs insert.mode=insert");
        if (!ieq(pk, "none"))
            sl_validation_error(v, "table.layout", "table.layout=record needs pk.mode=none");
    }
}

static char *trim(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return strndup(s, n);
}

/* The connector's topics, when given as a list (topics.regex: unknown, open set). */
static size_t known_topics(const sl_config *config, char ***out, bool *complete)
{
    const sl_props *orig = sl_config_originals(config);
    const char *topics = sl_props_get(orig, "topics");
    const char *regex = sl_props_get(orig, "topics.regex");
    *out = NULL;
    *complete = !(regex != NULL && regex[0] != '\0');
    if (topics == NULL)
        return 0;
    size_t n = 0, cap = 0;
    char **v = NULL;
    char *copy = strdup(topics), *save = NULL;
    for (char *tok = copy ? strtok_r(copy, ",", &save) : NULL; tok;
         tok = strtok_r(NULL, ",", &save)) {
        char *t = trim(tok);
        if (t == NULL || t[0] == '\0') {
            free(t);
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            char **nv = realloc(v, cap * sizeof(*nv));
            if (nv == NULL) {
                free(t);
                break;
            }
            v = nv;
        }
        v[n++] = t;
    }
    free(copy);
    *out = v;
    return n;
}

static int split_table(const char *value, char **schema, char **table, char *err, size_t err_size,
                       const char *key)
{
    if (pgi_split(value, schema, table) != 0) {
        snprintf(err, err_size, "%s: expected table or schema.table", key);
        return -1;
    }
    return 0;
}

int pg_conf_parse(pg_conf *c, const sl_config *config, char *err, size_t err_size)
{
    memset(c, 0, sizeof(*c));
    pg_sb ignored = PG_SB_INIT;
    if (pgc_conninfo_from_url(sl_config_string(config, "connection.url"), &c->conninfo, &ignored,
                              err, err_size) != 0) {
        pg_sb_free(&ignored);
        return -1;
    }
    if (ignored.len > 0)
        sl_log(SL_LOG_WARN,
               "connection.url: JDBC properties without a libpq equivalent are "
               "ignored: %s",
               pg_sb_str(&ignored));
    pg_sb_free(&ignored);
    c->user = sl_config_string(config, "connection.user");
    c->password = sl_config_password(config, "connection.password");
    c->attempts = sl_config_int(config, "connection.attempts");
    c->backoff_ms = sl_config_long(config, "connection.backoff.ms");
    const char *mode = sl_config_string(config, "insert.mode");
    c->mode = ieq(mode, "upsert")   ? PG_MODE_UPSERT
              : ieq(mode, "update") ? PG_MODE_UPDATE
                                    : PG_MODE_INSERT;
    const char *pk = sl_config_string(config, "pk.mode");
    c->row.pk_mode = ieq(pk, "kafka")          ? PG_PK_KAFKA
                     : ieq(pk, "record_key")   ? PG_PK_RECORD_KEY
                     : ieq(pk, "record_value") ? PG_PK_RECORD_VALUE
                                               : PG_PK_NONE;
    c->row.layout = ieq(sl_config_string(config, "table.layout"), "record") ? PG_LAYOUT_RECORD
                                                                            : PG_LAYOUT_COLUMNS;
    c->row.npk = sl_config_list(config, "pk.fields", &c->row.pk_fields);
    c->row.nwhite = sl_config_list(config, "fields.whitelist", &c->row.whitelist);
    c->row.delete_enabled = sl_config_bool(config, "delete.enabled");
    c->row.null_ignore = ieq(sl_config_string(config, "behavior.on.null.values"), "ignore");
    c->auto_create = sl_config_bool(config, "auto.create");
    c->auto_evolve = sl_config_bool(config, "auto.evolve");
    c->batch_size = sl_config_int(config, "batch.size");
    c->buf_records = sl_config_long(config, "buffer.count.records");
    c->buf_bytes = sl_config_long(config, "buffer.size.bytes");
    c->flush_ms = sl_config_long(config, "buffer.flush.time") * 1000;
    if (split_table(sl_config_string(config, "offsets.table"), &c->off_schema, &c->off_table, err,
                    err_size, "offsets.table") != 0)
        goto fail;
    const char *rej = sl_config_string(config, "rejected.table");
    if (rej != NULL && rej[0] != '\0' &&
        split_table(rej, &c->rej_schema, &c->rej_table, err, err_size, "rejected.table") != 0)
        goto fail;
    char **topics;
    bool complete;
    size_t nt = known_topics(config, &topics, &complete);
    int rc = pgi_names_init(&c->names, sl_config_string(config, "table.name.format"),
                            sl_config_string(config, "topic2table.map"),
                            (const char *const *)topics, nt, complete, err, err_size);
    for (size_t i = 0; i < nt; i++)
        free(topics[i]);
    free(topics);
    if (rc != 0)
        goto fail;
    return 0;
fail:
    pg_conf_free(c);
    return -1;
}

void pg_conf_free(pg_conf *c)
{
    free(c->conninfo);
    free(c->off_schema);
    free(c->off_table);
    free(c->rej_schema);
    free(c->rej_table);
    pgi_names_fini(&c->names);
    memset(c, 0, sizeof(*c));
}
