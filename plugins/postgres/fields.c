/* plugins/postgres/fields.c: a record's row for the PostgreSQL sink: typed columns from a
 * struct or schemaless map (with Connect-to-PostgreSQL type mapping), key and Kafka
 * coordinates as primary key columns, or Snowflake's record_metadata/record_content pair. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copyfmt.h"
#include "fields.h"

static const char *type_names[] = {"INT8",    "INT16",  "INT32", "INT64", "FLOAT32", "FLOAT64",
                                   "BOOLEAN", "STRING", "BYTES", "ARRAY", "MAP",     "STRUCT"};

static const char *tname(sl_type t)
{
    return (unsigned)t < sizeof(type_names) / sizeof(type_names[0]) ? type_names[t] : "null";
}

static const char *type_of(sl_type t, sl_logical lg)
{
    switch (t) {
    case SL_TYPE_INT8:
    case SL_TYPE_INT16:
        return "smallint";
    case SL_TYPE_INT32:
        return lg == SL_LOGICAL_DATE ? "date" : lg == SL_LOGICAL_TIME ? "time" : "integer";
    case SL_TYPE_INT64:
        return lg == SL_LOGICAL_TIMESTAMP ? "timestamp" : "bigint";
    case SL_TYPE_FLOAT32:
        return "real";
    case SL_TYPE_FLOAT64:
        return "double precision";
    case SL_TYPE_BOOLEAN:
        return "boolean";
    case SL_TYPE_STRING:
        return "text";
    case SL_TYPE_BYTES:
        return lg == SL_LOGICAL_DECIMAL ? "numeric" : "bytea";
    case SL_TYPE_ARRAY:
    case SL_TYPE_MAP:
    case SL_TYPE_STRUCT:
        return "jsonb";
    }
    return "text";
}

const char *pgr_type_of_schema(const sl_schema *s)
{
    return type_of(sl_schema_type(s), sl_schema_logical(s));
}

const char *pgr_type_of_value(const sl_value *v)
{
    return v == NULL ? NULL : type_of(sl_value_type(v), SL_LOGICAL_NONE);
}

void pgr_reset(pg_row *row)
{
    for (size_t i = 0; i < row->nowned; i++)
        free(row->owned[i]);
    row->nowned = 0;
    row->n = 0;
    row->is_delete = false;
}

void pgr_free(pg_row *row)
{
    pgr_reset(row);
    free(row->f);
    free(row->owned);
    memset(row, 0, sizeof(*row));
}

static pg_field *add(pg_row *row)
{
    if (row->n == row->cap) {
        size_t cap = row->cap ? row->cap * 2 : 16;
        pg_field *f = realloc(row->f, cap * sizeof(*f));
        if (f == NULL)
            return NULL;
        row->f = f;
        row->cap = cap;
    }
    pg_field *f = &row->f[row->n++];
    memset(f, 0, sizeof(*f));
    return f;
}

/* Keep `s` (taken) until the row is reset. */
static const char *own(pg_row *row, char *s)
{
    if (s == NULL)
        return NULL;
    if (row->nowned == row->capowned) {
        size_t cap = row->capowned ? row->capowned * 2 : 4;
        char **o = realloc(row->owned, cap * sizeof(*o));
        if (o == NULL) {
            free(s);
            return NULL;
        }
        row->owned = o;
        row->capowned = cap;
    }
    row->owned[row->nowned++] = s;
    return s;
}

static bool listed(const char *const *items, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(items[i], name) == 0)
            return true;
    return false;
}

static bool has_field(const pg_row *row, const char *name)
{
    for (size_t i = 0; i < row->n; i++)
        if (strcmp(row->f[i].name, name) == 0)
            return true;
    return false;
}

#define OOM()                                                                                      \
    do {                                                                                           \
        snprintf(err, err_size, "out of memory");                                                  \
        return PGR_BAD;                                                                            \
    } while (0)

static int kafka_pk(pg_row *row, const pgr_opts *o, const sl_record *rec, char *err,
                    size_t err_size)
{
    static const char *defaults[3] = {PG_KAFKA_TOPIC_COL, PG_KAFKA_PARTITION_COL,
                                      PG_KAFKA_OFFSET_COL};
    static const char *types[3] = {"text", "integer", "bigint"};
    char *num[2];
    if (asprintf(&num[0], "%d", (int)sl_record_partition(rec)) < 0)
        OOM();
    if (asprintf(&num[1], "%lld", (long long)sl_record_offset(rec)) < 0) {
        free(num[0]);
        OOM();
    }
    const char *p = own(row, num[0]), *off = own(row, num[1]);
    const char *topic = sl_record_topic(rec);
    const char *vals[3] = {topic, p, off};
    for (int i = 0; i < 3; i++) {
        pg_field *f = add(row);
        if (f == NULL || vals[i] == NULL)
            OOM();
        f->name = o->npk == 3 ? o->pk_fields[i] : defaults[i];
        f->type = types[i];
        f->notnull = f->pk = true;
        f->is_text = true;
        f->text = vals[i];
        f->len = strlen(vals[i]);
    }
    return PGR_OK;
}

/* Fields of a struct or schemaless map `v` (schema `s`, may be NULL). `want`: only these
 * names (nwant > 0), as pk columns when `pk`. `value_pk`: the fields named in pkv (all when
 * npkv is 0) are pk columns (pk.mode=record_value). Names already in the row (value fields
 * shadowed by key columns) are left out. */
static int map_or_struct(pg_row *row, const sl_value *v, const sl_schema *s, bool pk,
                         const char *const *want, size_t nwant, const char *const *white,
                         size_t nwhite, bool value_pk, const char *const *pkv, size_t npkv,
                         const char *what, char *err, size_t err_size)
{
    sl_type t = sl_value_type(v);
    if (t == SL_TYPE_STRUCT) {
        const sl_schema *ss = sl_value_struct_schema(v);
        size_t n = sl_schema_field_count(ss);
        for (size_t i = 0; i < n; i++) {
            const char *name = sl_schema_field_name(ss, i);
            bool is_pk = pk || (value_pk && (npkv == 0 || listed(pkv, npkv, name)));
            if (nwant > 0 && !listed(want, nwant, name))
                continue;
            if (!is_pk && nwhite > 0 && !listed(white, nwhite, name))
                continue;
            if (has_field(row, name))
                continue;
            const sl_schema *fs = sl_schema_field_schema(ss, i);
            pg_field *f = add(row);
            if (f == NULL)
                OOM();
            f->name = name;
            f->type = pgr_type_of_schema(fs);
            f->pk = is_pk;
            f->notnull = is_pk || !sl_schema_optional(fs);
            f->v = sl_value_struct_get_index(v, i);
            f->s = fs;
        }
    } else if (t == SL_TYPE_MAP) {
        const sl_schema *vs =
            s && sl_schema_type(s) == SL_TYPE_MAP ? sl_schema_value_schema(s) : NULL;
        size_t n = sl_value_map_len(v);
        for (size_t i = 0; i < n; i++) {
            const sl_value *k = sl_value_map_key_at(v, i);
            const char *name = sl_value_get_string(k, NULL);
            if (name == NULL || sl_value_type(k) != SL_TYPE_STRING) {
                snprintf(err, err_size, "%s is a map with a non-string key: cannot name a column",
                         what);
                return PGR_BAD;
            }
            bool is_pk = pk || (value_pk && (npkv == 0 || listed(pkv, npkv, name)));
            if (nwant > 0 && !listed(want, nwant, name))
                continue;
            if (!is_pk && nwhite > 0 && !listed(white, nwhite, name))
                continue;
            if (has_field(row, name))
                continue;
            const sl_value *item = sl_value_map_value_at(v, i);
            pg_field *f = add(row);
            if (f == NULL)
                OOM();
            f->name = name;
            /* A schemaless null says nothing about a type: written only into an existing
             * column (see pg_field.type). */
            f->type = vs ? pgr_type_of_schema(vs) : pgr_type_of_value(item);
            f->pk = is_pk;
            f->notnull = is_pk;
            f->v = item;
            f->s = vs;
        }
    } else {
        snprintf(err, err_size,
                 "table.layout=columns needs a struct or map %s (got %s); use "
                 "table.layout=record for other values",
                 what, tname(t));
        return PGR_BAD;
    }
    /* Every named pk field must be there. */
    for (size_t i = 0; i < nwant; i++)
        if (!has_field(row, want[i])) {
            snprintf(err, err_size, "pk.fields names '%s', which the %s does not have", want[i],
                     what);
            return PGR_BAD;
        }
    return PGR_OK;
}

static int key_pk(pg_row *row, const pgr_opts *o, const sl_record *rec, char *err, size_t err_size)
{
    const sl_value *k = sl_record_key(rec);
    const sl_schema *ks = sl_record_key_schema(rec);
    if (k == NULL) {
        snprintf(err, err_size, "the record key is null, but pk.mode=record_key needs a key");
        return PGR_BAD;
    }
    sl_type t = sl_value_type(k);
    if (t == SL_TYPE_STRUCT || t == SL_TYPE_MAP)
        return map_or_struct(row, k, ks, true, o->pk_fields, o->npk, NULL, 0, false, NULL, 0,
                             "record key", err, err_size);
    if (t == SL_TYPE_ARRAY) {
        snprintf(err, err_size, "the record key is an array: it cannot be a primary key");
        return PGR_BAD;
    }
    if (o->npk > 1) {
        snprintf(err, err_size,
                 "the record key is a primitive (%s), so pk.fields must name exactly one column",
                 tname(t));
        return PGR_BAD;
    }
    pg_field *f = add(row);
    if (f == NULL)
        OOM();
    f->name = o->npk == 1 ? o->pk_fields[0] : PG_KEY_COL;
    f->type = ks ? pgr_type_of_schema(ks) : pgr_type_of_value(k);
    f->pk = f->notnull = true;
    f->v = k;
    f->s = ks;
    return PGR_OK;
}

void pgr_metadata_json(pg_sb *sb, const sl_record *rec)
{
    const char *topic = sl_record_topic(rec);
    pg_sb_puts(sb, "{\"topic\":");
    pgf_json_string(sb, topic ? topic : "", topic ? strlen(topic) : 0);
    pg_sb_printf(sb, ",\"partition\":%d,\"offset\":%lld", (int)sl_record_partition(rec),
                 (long long)sl_record_offset(rec));
    sl_timestamp_type tt = sl_record_timestamp_type(rec);
    int64_t ts = sl_record_timestamp(rec);
    if (tt != SL_TS_NONE && ts >= 0)
        pg_sb_printf(sb, ",\"%s\":%lld",
                     tt == SL_TS_LOG_APPEND_TIME ? "LogAppendTime" : "CreateTime", (long long)ts);
    const sl_value *k = sl_record_key(rec);
    if (k != NULL) {
        char *kj = sl_value_to_json(k, sl_record_key_schema(rec));
        if (kj != NULL) {
            pg_sb_puts(sb, ",\"key\":");
            pg_sb_puts(sb, kj);
            free(kj);
        }
    }
    size_t nh = sl_record_header_count(rec);
    if (nh > 0) {
        pg_sb_puts(sb, ",\"headers\":{");
        for (size_t i = 0; i < nh; i++) {
            const char *hk = sl_record_header_key(rec, i);
            char *hv =
                sl_value_to_json(sl_record_header_value(rec, i), sl_record_header_schema(rec, i));
            if (i > 0)
                pg_sb_putc(sb, ',');
            pgf_json_string(sb, hk ? hk : "", hk ? strlen(hk) : 0);
            pg_sb_putc(sb, ':');
            pg_sb_puts(sb, hv ? hv : "null");
            free(hv);
        }
        pg_sb_putc(sb, '}');
    }
    pg_sb_putc(sb, '}');
}

static int record_layout(pg_row *row, const pgr_opts *o, const sl_record *rec, char *err,
                         size_t err_size)
{
    const sl_value *v = sl_record_value(rec);
    if (v == NULL && o->null_ignore)
        return PGR_SKIP;
    pg_sb md = PG_SB_INIT;
    pgr_metadata_json(&md, rec);
    const char *meta = own(row, pg_sb_steal(&md));
    if (meta == NULL)
        OOM();
    const char *content = NULL;
    if (v != NULL) {
        content = own(row, sl_value_to_json(v, sl_record_value_schema(rec)));
        if (content == NULL) {
            snprintf(err, err_size, "the record value cannot be rendered as JSON");
            return PGR_BAD;
        }
    }
    pg_field *f = add(row);
    pg_field *g = f ? add(row) : NULL;
    if (g == NULL)
        OOM();
    f = &row->f[row->n - 2];
    *f = (pg_field){.name = "record_metadata",
                    .type = "jsonb",
                    .is_text = true,
                    .text = meta,
                    .len = strlen(meta)};
    *g = (pg_field){.name = "record_content",
                    .type = "jsonb",
                    .is_text = true,
                    .text = content,
                    .len = content ? strlen(content) : 0};
    return PGR_OK;
}

int pgr_build(pg_row *row, const pgr_opts *o, const sl_record *rec, char *err, size_t err_size)
{
    pgr_reset(row);
    if (o->layout == PG_LAYOUT_RECORD)
        return record_layout(row, o, rec, err, err_size);
    const sl_value *v = sl_record_value(rec);
    if (v == NULL) {
        /* A tombstone: a delete by key when enabled, else nothing to write (the JDBC sink
         * skips them too). */
        if (!o->delete_enabled || o->pk_mode != PG_PK_RECORD_KEY)
            return PGR_SKIP;
        row->is_delete = true;
        return key_pk(row, o, rec, err, err_size);
    }
    int rc = PGR_OK;
    if (o->pk_mode == PG_PK_KAFKA)
        rc = kafka_pk(row, o, rec, err, err_size);
    else if (o->pk_mode == PG_PK_RECORD_KEY)
        rc = key_pk(row, o, rec, err, err_size);
    if (rc != PGR_OK)
        return rc;
    size_t before = row->n;
    bool by_value = o->pk_mode == PG_PK_RECORD_VALUE;
    rc = map_or_struct(row, v, sl_record_value_schema(rec), false, NULL, 0, o->whitelist, o->nwhite,
                       by_value, o->pk_fields, o->npk, "record value", err, err_size);
    if (rc != PGR_OK)
        return rc;
    if (by_value)
        for (size_t i = 0; i < o->npk; i++)
            if (!has_field(row, o->pk_fields[i])) {
                snprintf(err, err_size,
                         "pk.fields names '%s', which the record value does not have",
                         o->pk_fields[i]);
                return PGR_BAD;
            }
    if (row->n == before && o->pk_mode == PG_PK_NONE) {
        snprintf(err, err_size, "the record value has no fields to write");
        return PGR_BAD;
    }
    return PGR_OK;
}
