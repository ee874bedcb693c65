/* tests/unit/test_postgres_rows.c: what the PostgreSQL sink makes of records: columns and
 * types from structs and schemaless maps, pk.mode kafka/record_key/record_value, whitelists,
 * tombstones, bad records, Snowflake's record_metadata; and the buffer: COPY lines per segment,
 * insert-mode ordering of deletes, last-wins deduplication by key, partition bookkeeping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "data/record_internal.h"
#include "pgsink.h"

static sl_record *rec(const char *topic, int32_t part, int64_t off, sl_schema *ks, sl_value *k,
                      sl_schema *vs, sl_value *v)
{
    sl_record *r = record_new_consumed(topic, part, off, 1700000000000, SL_TS_CREATE_TIME);
    sl_record_set_key(r, ks, k);
    sl_record_set_value(r, vs, v);
    return r;
}

static sl_value *map2(const char *k1, sl_value *v1, const char *k2, sl_value *v2)
{
    sl_value *m = sl_value_new_map();
    sl_value_map_put_str(m, k1, v1);
    if (k2 != NULL)
        sl_value_map_put_str(m, k2, v2);
    return m;
}

static sl_schema *person_schema(void)
{
    sl_schema *s = sl_schema_new_struct("person");
    sl_schema_add_field(s, "id", sl_schema_new(SL_TYPE_INT32));
    sl_schema *name = sl_schema_new(SL_TYPE_STRING);
    sl_schema_set_optional(name, true);
    sl_schema_add_field(s, "name", name);
    sl_schema *ts = sl_schema_new_logical(SL_LOGICAL_TIMESTAMP);
    sl_schema_set_optional(ts, true);
    sl_schema_add_field(s, "seen", ts);
    sl_schema *dec = sl_schema_new_decimal(2);
    sl_schema_set_optional(dec, true);
    sl_schema_add_field(s, "amount", dec);
    return s;
}

static sl_value *person(const sl_schema *s, int32_t id, const char *name)
{
    sl_value *v = sl_value_new_struct(s);
    sl_value_struct_set(v, "id", sl_value_new_int32(id));
    sl_value_struct_set(v, "name", name ? sl_value_new_string(name, strlen(name)) : NULL);
    return v;
}

static void assert_field(const pg_field *f, const char *name, const char *type, bool notnull,
                         bool pk)
{
    assert_string_equal(f->name, name);
    if (type == NULL)
        assert_null(f->type);
    else
        assert_string_equal(f->type, type);
    assert_int_equal(f->notnull, notnull);
    assert_int_equal(f->pk, pk);
}

static void test_struct_kafka_pk(void **state)
{
    (void)state;
    sl_schema *s = person_schema();
    sl_record *r = rec("people", 3, 42, NULL, NULL, sl_schema_ref(s), person(s, 7, "ann"));
    pg_row row = {0};
    pgr_opts o = {.pk_mode = PG_PK_KAFKA};
    char err[256];
    assert_int_equal(pgr_build(&row, &o, r, err, sizeof(err)), PGR_OK);
    assert_int_equal(row.n, 7);
    assert_field(&row.f[0], "__connect_topic", "text", true, true);
    assert_field(&row.f[1], "__connect_partition", "integer", true, true);
    assert_field(&row.f[2], "__connect_offset", "bigint", true, true);
    assert_string_equal(row.f[1].text, "3");
    assert_string_equal(row.f[2].text, "42");
    assert_field(&row.f[3], "id", "integer", true, false);
    assert_field(&row.f[4], "name", "text", false, false);
    assert_field(&row.f[5], "seen", "timestamp", false, false);
    assert_field(&row.f[6], "amount", "numeric", false, false);
    /* Custom names for the kafka columns. */
    const char *names[] = {"t", "p", "o"};
    o.pk_fields = names;
    o.npk = 3;
    assert_int_equal(pgr_build(&row, &o, r, err, sizeof(err)), PGR_OK);
    assert_string_equal(row.f[2].name, "o");
    /* A whitelist keeps only the named value fields. */
    const char *white[] = {"name"};
    o = (pgr_opts){.pk_mode = PG_PK_NONE, .whitelist = white, .nwhite = 1};
    assert_int_equal(pgr_build(&row, &o, r, err, sizeof(err)), PGR_OK);
    assert_int_equal(row.n, 1);
    assert_string_equal(row.f[0].name, "name");
    pgr_free(&row);
    sl_record_release(r);
    sl_schema_unref(s);
}

static void test_keys(void **state)
{
    (void)state;
    pg_row row = {0};
    char err[256];
    pgr_opts o = {.pk_mode = PG_PK_RECORD_KEY};
    /* A primitive key: one column, __connect_key unless pk.fields names it. */
    sl_record *r = rec("t", 0, 1, NULL, sl_value_new_string("k1", 2), NULL,
                       map2("id", sl_value_new_int64(1), "__connect_key", sl_value_new_int64(9)));
    assert_int_equal(pgr_build(&row, &o, r, err, sizeof(err)), PGR_OK);
    assert_int_equal(row.n, 2); /* the value's own __connect_key is shadowed by the key */
    assert_field(&row.f[0], "__connect_key", "text", true, true);
    assert_field(&row.f[1], "id", "bigint", false, false);
    const char *one[] = {"k"}, *two[] = {"a", "b"};
    o.pk_fields = one;
    o.npk = 1;
    assert_int_equal(pgr_build(&row, &o, r, err, sizeof(err)), PGR_OK);
    assert_string_equal(row.f[0].name, "k");
    o.pk_fields = two;
    o.npk = 2;
    assert_int_equal(pgr_build(&row, &o, r, err, sizeof(err)), PGR_BAD);
    assert_non_null(strstr(err, "exactly one"));
    sl_record_release(r);

    /* A map key: its entries (those named in pk.fields) are the key columns. */
    r = rec("t", 0, 2, NULL, map2("a", sl_value_new_int64(1), "b", sl_value_new_string("x", 1)),
            NULL, map2("v", sl_value_new_boolean(true), NULL, NULL));
    assert_int_equal(pgr_build(&row, &o, r, err, sizeof(err)), PGR_OK);
    assert_int_equal(row.n, 3);
    assert_field(&row.f[0], "a", "bigint", true, true);
    assert_field(&row.f[1], "b", "text", true, true);
    assert_field(&row.f[2], "v", "boolean", false, false);
    const char *missing[] = {"a", "zz"};
    o.pk_fields = missing;
    assert_int_equal(pgr_build(&row, &o, r, err, sizeof(err)), PGR_BAD);
    assert_non_null(strstr(err, "'zz'"));
    sl_record_release(r);

    /* Null key, array key. */
    o = (pgr_opts){.pk_mode = PG_PK_RECORD_KEY};
    r = rec("t", 0, 3, NULL, NULL, NULL, map2("v", sl_value_new_int32(1), NULL, NULL));
    assert_int_equal(pgr_build(&row, &o, r, err, sizeof(err)), PGR_BAD);
    assert_non_null(strstr(err, "key is null"));
    sl_record_release(r);
    r = rec("t", 0, 4, NULL, sl_value_new_array(), NULL,
            map2("v", sl_value_new_int32(1), NULL, NULL));
    assert_int_equal(pgr_build(&row, &o, r, err, sizeof(err)), PGR_BAD);
    sl_record_release(r);

    /* record_value: named value fields are the key, not null. */
    o = (pgr_opts){.pk_mode = PG_PK_RECORD_VALUE, .pk_fields = one, .npk = 1};
    r = rec("t", 0, 5, NULL, NULL, NULL,
            map2("v", sl_value_new_int32(1), "k", sl_value_new_string("x", 1)));
    assert_int_equal(pgr_build(&row, &o, r, err, sizeof(err)), PGR_OK);
    assert_field(&row.f[0], "v", "integer", false, false);
    assert_field(&row.f[1], "k", "text", true, true);
    o.pk_fields = missing + 1;
    assert_int_equal(pgr_build(&row, &o, r, err, sizeof(err)), PGR_BAD);
    sl_record_release(r);
    pgr_free(&row);
}

static void test_values_and_tombstones(void **state)
{
    (void)state;
    pg_row row = {0};
    char err[256];
    pgr_opts o = {0};
    /* Schemaless types; a null says nothing about a type. */
    sl_value *m = map2("f", sl_value_new_float64(1.5), "n", NULL);
    sl_value_map_put_str(m, "nested", map2("a", sl_value_new_int64(1), NULL, NULL));
    sl_value_map_put_str(m, "bytes", sl_value_new_bytes("x", 1));
    sl_record *r = rec("t", 0, 1, NULL, NULL, NULL, m);
    assert_int_equal(pgr_build(&row, &o, r, err, sizeof(err)), PGR_OK);
    assert_int_equal(row.n, 4);
    assert_field(&row.f[0], "f", "double precision", false, false);
    assert_field(&row.f[1], "n", NULL, false, false);
    assert_field(&row.f[2], "nested", "jsonb", false, false);
    assert_field(&row.f[3], "bytes", "bytea", false, false);
    sl_record_release(r);
    /* Not a struct or map: columns layout cannot place it. */
    r = rec("t", 0, 2, NULL, NULL, NULL, sl_value_new_string("plain", 5));
    assert_int_equal(pgr_build(&row, &o, r, err, sizeof(err)), PGR_BAD);
    assert_non_null(strstr(err, "table.layout=record"));
    sl_record_release(r);
    /* A map with a non-string key. */
    sl_value *bad = sl_value_new_map();
    sl_value_map_put(bad, sl_value_new_int32(1), sl_value_new_int32(2));
    r = rec("t", 0, 3, NULL, NULL, NULL, bad);
    assert_int_equal(pgr_build(&row, &o, r, err, sizeof(err)), PGR_BAD);
    sl_record_release(r);
    /* Tombstones: skipped, or a delete by key when enabled. */
    r = rec("t", 0, 4, NULL, sl_value_new_string("k", 1), NULL, NULL);
    assert_int_equal(pgr_build(&row, &o, r, err, sizeof(err)), PGR_SKIP);
    o = (pgr_opts){.pk_mode = PG_PK_RECORD_KEY, .delete_enabled = true};
    assert_int_equal(pgr_build(&row, &o, r, err, sizeof(err)), PGR_OK);
    assert_true(row.is_delete);
    assert_int_equal(row.n, 1);
    assert_field(&row.f[0], "__connect_key", "text", true, true);
    sl_record_release(r);
    pgr_free(&row);
}

static void test_record_layout(void **state)
{
    (void)state;
    pg_row row = {0};
    char err[256];
    pgr_opts o = {.layout = PG_LAYOUT_RECORD};
    sl_record *r = rec("ev\"t", 2, 9, NULL, sl_value_new_string("k\t1", 3), NULL,
                       map2("x", sl_value_new_int64(5), NULL, NULL));
    sl_record_header_add(r, "h", NULL, sl_value_new_string("v", 1));
    assert_int_equal(pgr_build(&row, &o, r, err, sizeof(err)), PGR_OK);
    assert_int_equal(row.n, 2);
    assert_field(&row.f[0], "record_metadata", "jsonb", false, false);
    assert_string_equal(
        row.f[0].text, "{\"topic\":\"ev\\\"t\",\"partition\":2,\"offset\":9,"
                       "\"CreateTime\":1700000000000,\"key\":\"k\\t1\",\"headers\":{\"h\":\"v\"}}");
    assert_string_equal(row.f[1].text, "{\"x\":5}");
    sl_record_release(r);
    /* A tombstone keeps its metadata with a null content, or is skipped. */
    r = rec("t", 0, 1, NULL, NULL, NULL, NULL);
    record_set_offset(r, 1);
    sl_record_set_timestamp(r, 5, SL_TS_LOG_APPEND_TIME);
    assert_int_equal(pgr_build(&row, &o, r, err, sizeof(err)), PGR_OK);
    assert_null(row.f[1].text);
    assert_string_equal(row.f[0].text,
                        "{\"topic\":\"t\",\"partition\":0,\"offset\":1,\"LogAppendTime\":5}");
    o.null_ignore = true;
    assert_int_equal(pgr_build(&row, &o, r, err, sizeof(err)), PGR_SKIP);
    sl_record_release(r);
    pgr_free(&row);
}

/* ---- buffer ---- */

static pg_table table_t = {.name = "t", .label = "\"t\""};

static void append(pg_task *t, sl_record *r, pgr_opts *o)
{
    char err[256];
    assert_int_equal(pgr_build(&t->row, o, r, err, sizeof(err)), PGR_OK);
    const char *cols[8];
    for (size_t i = 0; i < t->row.n; i++)
        cols[i] = t->row.f[i].name;
    assert_int_equal(pgb_append(t, &table_t, &t->row, cols, r, err, sizeof(err)), 0);
    sl_record_release(r); /* the buffer retained it */
}

static void test_buffer_upsert_dedup(void **state)
{
    (void)state;
    pg_task *t = calloc(1, sizeof(*t));
    t->conf.mode = PG_MODE_UPSERT;
    pgr_opts o = {.pk_mode = PG_PK_RECORD_KEY, .delete_enabled = true};
    append(t,
           rec("t", 0, 0, NULL, sl_value_new_string("a", 1), NULL,
               map2("v", sl_value_new_string("1\t2", 3), NULL, NULL)),
           &o);
    append(t,
           rec("t", 0, 1, NULL, sl_value_new_string("b", 1), NULL,
               map2("v", sl_value_new_string("x", 1), NULL, NULL)),
           &o);
    append(t, rec("t", 0, 2, NULL, sl_value_new_string("a", 1), NULL, NULL), &o); /* delete */
    append(t,
           rec("t", 0, 3, NULL, sl_value_new_string("a", 1), NULL,
               map2("v", sl_value_new_string("again", 5), NULL, NULL)),
           &o);
    append(t, rec("t", 0, 4, NULL, sl_value_new_string("b", 1), NULL, NULL), &o); /* delete */
    assert_int_equal(t->buf.nsegs, 2);
    pg_segment *w = t->buf.segs[0], *d = t->buf.segs[1];
    assert_false(w->is_delete);
    assert_true(d->is_delete);
    assert_int_equal(w->nrows, 3);
    assert_int_equal(d->nrows, 2);
    assert_int_equal(w->ncols, 2);
    assert_string_equal(w->cols[0], "__connect_key");
    assert_true(w->pk[0]);
    assert_false(w->pk[1]);
    assert_string_equal(pg_sb_str(&w->data), "a\t1\\t2\nb\tx\na\tagain\n");
    assert_string_equal(pg_sb_str(&d->data), "a\nb\n");
    assert_int_equal(t->buf.rows, 5);
    pgb_dedup(&t->buf);
    /* Last record per key wins, whatever segment it is in. */
    assert_int_equal(w->state[0], PG_ROW_SUPERSEDED); /* a=1, then deleted, then again */
    assert_int_equal(w->state[1], PG_ROW_SUPERSEDED); /* b=x, then deleted */
    assert_int_equal(w->state[2], PG_ROW_ACTIVE);
    assert_int_equal(d->state[0], PG_ROW_SUPERSEDED);
    assert_int_equal(d->state[1], PG_ROW_ACTIVE);
    pgb_free(&t->buf);
    pgr_free(&t->row);
    free(t);
}

static void test_buffer_insert_order(void **state)
{
    (void)state;
    pg_task *t = calloc(1, sizeof(*t));
    t->conf.mode = PG_MODE_INSERT;
    pgr_opts o = {.pk_mode = PG_PK_RECORD_KEY, .delete_enabled = true};
    append(t,
           rec("t", 0, 0, NULL, sl_value_new_string("a", 1), NULL,
               map2("v", sl_value_new_int64(1), NULL, NULL)),
           &o);
    append(t, rec("t", 0, 1, NULL, sl_value_new_string("a", 1), NULL, NULL), &o);
    append(t,
           rec("t", 0, 2, NULL, sl_value_new_string("a", 1), NULL,
               map2("v", sl_value_new_int64(2), NULL, NULL)),
           &o);
    /* A different column list in insert mode: its own segment. */
    append(t,
           rec("t", 0, 3, NULL, sl_value_new_string("c", 1), NULL,
               map2("w", sl_value_new_int64(3), NULL, NULL)),
           &o);
    /* insert, delete, insert of one key stay in that order: three segments. */
    assert_int_equal(t->buf.nsegs, 4);
    assert_false(t->buf.segs[0]->is_delete);
    assert_true(t->buf.segs[0]->sealed);
    assert_true(t->buf.segs[1]->is_delete);
    assert_false(t->buf.segs[2]->is_delete);
    assert_string_equal(pg_sb_str(&t->buf.segs[2]->data), "a\t2\n");
    assert_false(t->buf.segs[0]->keyed);
    pgb_dedup(&t->buf); /* nothing to do in insert mode */
    for (size_t i = 0; i < t->buf.nsegs; i++)
        assert_int_equal(t->buf.segs[i]->state[0], PG_ROW_ACTIVE);
    pgb_clear(&t->buf);
    assert_int_equal(t->buf.nsegs, 0);
    assert_false(pgb_has_work(&t->buf));
    pgb_free(&t->buf);
    pgr_free(&t->row);
    free(t);
}

static void test_partitions(void **state)
{
    (void)state;
    pg_buffer b = {0};
    pg_part *p = pgb_part(&b, "t", 1);
    assert_non_null(p);
    assert_true(p->needs_lookup);
    assert_int_equal(p->db_next, -1);
    assert_false(pgb_part_dirty(p));
    p->needs_lookup = false;
    pgb_taken(&b, p, 10);
    assert_int_equal(p->first, 10);
    assert_int_equal(p->buf_next, 11);
    assert_true(pgb_part_dirty(p));
    assert_true(pgb_has_work(&b));
    assert_true(b.first_ms > 0);
    pgb_taken(&b, p, 12);
    assert_int_equal(p->first, 10);
    assert_int_equal(p->buf_next, 13);
    p->db_next = 13;
    assert_false(pgb_part_dirty(p));
    assert_ptr_equal(pgb_part(&b, "t", 1), p);
    assert_non_null(pgb_part(&b, "u", 1));
    assert_int_equal(b.nparts, 2);
    pgb_remove_part(&b, "t", 1);
    assert_null(pgb_find_part(&b, "t", 1));
    assert_non_null(pgb_find_part(&b, "u", 1));
    pgb_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_struct_kafka_pk),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_values_and_tombstones),
        cmocka_unit_test(test_record_layout),
        cmocka_unit_test(test_buffer_upsert_dedup),
        cmocka_unit_test(test_buffer_insert_order),
        cmocka_unit_test(test_partitions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
