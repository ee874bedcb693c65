/* tests/unit/test_transforms_cdc.c: the CDC unwrap (ExtractNewRecordState) on Debezium-style
 * envelopes, schemaful and schemaless: creates, updates, deletes and tombstones in each
 * delete/tombstone mode, added fields and headers, non-envelopes, and bad configs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "transforms_test_util.h"

static sl_schema *g_row, *g_source, *g_env;

static int setup(void **state)
{
    (void)state;
    g_row = tu_struct_schema(
        "dbserver1.inventory.customers.Value", "id", tu_prim(SL_TYPE_INT32, false), "first_name",
        tu_prim(SL_TYPE_STRING, false), "email", tu_prim(SL_TYPE_STRING, true), NULL);
    sl_schema_set_optional(g_row, true);
    g_source = tu_struct_schema(
        "io.debezium.connector.postgresql.Source", "version", tu_prim(SL_TYPE_STRING, false),
        "name", tu_prim(SL_TYPE_STRING, false), "ts_ms", tu_prim(SL_TYPE_INT64, false), "db",
        tu_prim(SL_TYPE_STRING, false), "table", tu_prim(SL_TYPE_STRING, false), "lsn",
        tu_prim(SL_TYPE_INT64, true), NULL);
    g_env = tu_struct_schema("dbserver1.inventory.customers.Envelope", "before",
                             sl_schema_ref(g_row), "after", sl_schema_ref(g_row), "source",
                             sl_schema_ref(g_source), "op", tu_prim(SL_TYPE_STRING, false), "ts_ms",
                             tu_prim(SL_TYPE_INT64, true), NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sl_schema_unref(g_env);
    sl_schema_unref(g_source);
    sl_schema_unref(g_row);
    return 0;
}

static sl_value *row(int id, const char *name)
{
    sl_value *v = sl_value_new_struct(g_row);
    sl_value_struct_set(v, "id", sl_value_new_int32(id));
    sl_value_struct_set(v, "first_name", tu_str(name));
    sl_value_struct_set(v, "email", tu_str("a@b.c"));
    return v;
}

/* A schemaful envelope record; before/after may be NULL. */
static sl_record *env_record(const char *op, sl_value *before, sl_value *after)
{
    sl_value *src = sl_value_new_struct(g_source);
    sl_value_struct_set(src, "version", tu_str("2.5.0"));
    sl_value_struct_set(src, "name", tu_str("dbserver1"));
    sl_value_struct_set(src, "ts_ms", sl_value_new_int64(1700000000000LL));
    sl_value_struct_set(src, "db", tu_str("inventory"));
    sl_value_struct_set(src, "table", tu_str("customers"));
    sl_value_struct_set(src, "lsn", sl_value_new_int64(33227720));
    sl_value *e = sl_value_new_struct(g_env);
    sl_value_struct_set(e, "before", before);
    sl_value_struct_set(e, "after", after);
    sl_value_struct_set(e, "source", src);
    sl_value_struct_set(e, "op", tu_str(op));
    sl_value_struct_set(e, "ts_ms", sl_value_new_int64(1700000000500LL));
    sl_record *r = tu_sink("dbserver1.inventory.customers", 0, 0, 0, sl_schema_ref(g_env), e);
    sl_record_set_key(r, tu_prim(SL_TYPE_INT32, false), sl_value_new_int32(1001));
    return r;
}

static void test_cdc_default_mode(void **state)
{
    (void)state;
    tu_smt *t = tu_smt_new(&smt_cdc_unwrap, TU_KV("x", "y"));
    /* create and update: the after row, with the row's own schema */
    sl_record *r = env_record("c", NULL, row(1001, "Sally"));
    assert_int_equal(tu_apply(t, r), SL_OK);
    assert_ptr_equal(sl_record_value_schema(r), g_row);
    tu_assert_value_json(r, "{\"id\":1001,\"first_name\":\"Sally\",\"email\":\"a@b.c\"}");
    tu_assert_key_json(r, "1001");
    sl_record_release(r);
    r = env_record("u", row(1001, "Sally"), row(1001, "Sal"));
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_value_json(r, "{\"id\":1001,\"first_name\":\"Sal\",\"email\":\"a@b.c\"}");
    sl_record_release(r);
    r = env_record("r", NULL, row(7, "Snap"));
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_value_json(r, "{\"id\":7,\"first_name\":\"Snap\",\"email\":\"a@b.c\"}");
    sl_record_release(r);
    /* delete and tombstone: dropped (delete.handling.mode=drop, drop.tombstones=true) */
    r = env_record("d", row(1001, "Sal"), NULL);
    assert_int_equal(tu_apply(t, r), SL_DROP);
    sl_record_release(r);
    r = tu_sink("dbserver1.inventory.customers", 0, 0, 0, NULL, NULL);
    assert_int_equal(tu_apply(t, r), SL_DROP);
    sl_record_release(r);
    /* truncate events carry no row */
    r = env_record("t", NULL, NULL);
    assert_int_equal(tu_apply(t, r), SL_DROP);
    sl_record_release(r);
    /* a record that is no envelope passes unchanged */
    sl_value *plain = row(5, "Plain");
    r = tu_sink("other", 0, 0, 0, sl_schema_ref(g_row), plain);
    assert_int_equal(tu_apply(t, r), SL_OK);
    assert_ptr_equal(sl_record_value(r), plain);
    sl_record_release(r);
    tu_smt_free(t);
}

static void test_cdc_delete_modes(void **state)
{
    (void)state;
    /* none: the delete passes on as a tombstone; tombstones kept when asked */
    tu_smt *t = tu_smt_new(&smt_cdc_unwrap_debezium,
                           TU_KV("delete.handling.mode", "none", "drop.tombstones", "false"));
    sl_record *r = env_record("d", row(1001, "Sal"), NULL);
    assert_int_equal(tu_apply(t, r), SL_OK);
    assert_null(sl_record_value(r));
    assert_ptr_equal(sl_record_value_schema(r), g_row);
    tu_assert_key_json(r, "1001");
    sl_record_release(r);
    r = tu_sink("x", 0, 0, 0, NULL, NULL);
    assert_int_equal(tu_apply(t, r), SL_OK);
    sl_record_release(r);
    tu_smt_free(t);

    /* rewrite: __deleted on every row; deletes carry the before row */
    t = tu_smt_new(&smt_cdc_unwrap, TU_KV("delete.handling.mode", "rewrite"));
    r = env_record("c", NULL, row(1001, "Sally"));
    assert_int_equal(tu_apply(t, r), SL_OK);
    const sl_schema *os = sl_record_value_schema(r);
    assert_string_equal(sl_schema_name(os), "dbserver1.inventory.customers.Value");
    const sl_schema *del =
        sl_schema_field_schema(os, (size_t)sl_schema_field_index(os, "__deleted"));
    assert_int_equal(sl_schema_type(del), SL_TYPE_STRING);
    assert_true(sl_schema_optional(del));
    tu_assert_value_json(r, "{\"id\":1001,\"first_name\":\"Sally\",\"email\":\"a@b.c\","
                            "\"__deleted\":\"false\"}");
    char verr[256];
    assert_int_equal(sl_value_validate(os, sl_record_value(r), verr, sizeof(verr)), SL_OK);
    sl_record_release(r);
    r = env_record("d", row(1001, "Sal"), NULL);
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_value_json(r, "{\"id\":1001,\"first_name\":\"Sal\",\"email\":\"a@b.c\","
                            "\"__deleted\":\"true\"}");
    sl_record_release(r);
    /* a delete without a before row cannot be rewritten */
    r = env_record("d", NULL, NULL);
    assert_int_equal(tu_apply(t, r), SL_ERR);
    assert_non_null(strstr(t->err, "no 'before' row"));
    sl_record_release(r);
    tu_smt_free(t);

    /* Debezium 2.5's delete.tombstone.handling.mode overrides both */
    t = tu_smt_new(&smt_cdc_unwrap, TU_KV("delete.tombstone.handling.mode", "tombstone",
                                          "drop.tombstones", "false"));
    r = env_record("d", row(1, "x"), NULL);
    assert_int_equal(tu_apply(t, r), SL_OK);
    assert_null(sl_record_value(r));
    sl_record_release(r);
    r = tu_sink("x", 0, 0, 0, NULL, NULL);
    assert_int_equal(tu_apply(t, r), SL_DROP);
    sl_record_release(r);
    tu_smt_free(t);
    t = tu_smt_new(&smt_cdc_unwrap,
                   TU_KV("delete.tombstone.handling.mode", "rewrite-with-tombstone"));
    r = env_record("d", row(1, "x"), NULL);
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_value_json(r, "{\"id\":1,\"first_name\":\"x\",\"email\":\"a@b.c\","
                            "\"__deleted\":\"true\"}");
    sl_record_release(r);
    r = tu_sink("x", 0, 0, 0, NULL, NULL);
    assert_int_equal(tu_apply(t, r), SL_OK);
    sl_record_release(r);
    tu_smt_free(t);
}

static void test_cdc_added_fields_and_headers(void **state)
{
    (void)state;
    tu_smt *t =
        tu_smt_new(&smt_cdc_unwrap,
                   TU_KV("add.fields", "op,table,lsn,source.ts_ms,ts_ms:event_ms", "add.headers",
                         "op,db", "delete.handling.mode", "rewrite", "drop.tombstones", "false"));
    sl_record *r = env_record("u", row(1, "old"), row(1, "new"));
    assert_int_equal(tu_apply(t, r), SL_OK);
    const sl_schema *os = sl_record_value_schema(r);
    assert_int_equal(sl_schema_field_count(os), 9);
    assert_string_equal(sl_schema_field_name(os, 3), "__op");
    assert_string_equal(sl_schema_field_name(os, 4), "__table");
    assert_string_equal(sl_schema_field_name(os, 5), "__lsn");
    assert_string_equal(sl_schema_field_name(os, 6), "__source_ts_ms");
    assert_string_equal(sl_schema_field_name(os, 7), "__event_ms");
    assert_string_equal(sl_schema_field_name(os, 8), "__deleted");
    for (size_t i = 3; i < 9; i++)
        assert_true(sl_schema_optional(sl_schema_field_schema(os, i)));
    tu_assert_value_json(r, "{\"id\":1,\"first_name\":\"new\",\"email\":\"a@b.c\",\"__op\":\"u\","
                            "\"__table\":\"customers\",\"__lsn\":33227720,"
                            "\"__source_ts_ms\":1700000000000,\"__event_ms\":1700000000500,"
                            "\"__deleted\":\"false\"}");
    assert_int_equal(sl_record_header_count(r), 2);
    assert_string_equal(sl_record_header_key(r, 0), "__op");
    tu_assert_json(sl_record_header_value(r, 0), NULL, "\"u\"");
    assert_string_equal(sl_record_header_key(r, 1), "__db");
    assert_int_equal(sl_schema_type(sl_record_header_schema(r, 1)), SL_TYPE_STRING);
    sl_record_release(r);
    /* deletes take the added fields from their envelope too */
    r = env_record("d", row(1, "gone"), NULL);
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_value_json(r, "{\"id\":1,\"first_name\":\"gone\",\"email\":\"a@b.c\","
                            "\"__op\":\"d\",\"__table\":\"customers\",\"__lsn\":33227720,"
                            "\"__source_ts_ms\":1700000000000,\"__event_ms\":1700000000500,"
                            "\"__deleted\":\"true\"}");
    sl_record_release(r);
    /* a kept tombstone gets the op header "d" */
    r = tu_sink("x", 0, 0, 0, NULL, NULL);
    assert_int_equal(tu_apply(t, r), SL_OK);
    assert_int_equal(sl_record_header_count(r), 1);
    tu_assert_json(sl_record_header_value(r, 0), NULL, "\"d\"");
    sl_record_release(r);
    tu_smt_free(t);

    /* another prefix; a field the envelope lacks is an error naming it */
    t = tu_smt_new(&smt_cdc_unwrap, TU_KV("add.fields", "op", "add.fields.prefix", "meta_"));
    r = env_record("c", NULL, row(2, "p"));
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_value_json(r, "{\"id\":2,\"first_name\":\"p\",\"email\":\"a@b.c\","
                            "\"meta_op\":\"c\"}");
    sl_record_release(r);
    tu_smt_free(t);
    t = tu_smt_new(&smt_cdc_unwrap, TU_KV("add.fields", "transaction.id"));
    r = env_record("c", NULL, row(2, "p"));
    assert_int_equal(tu_apply(t, r), SL_ERR);
    assert_non_null(strstr(t->err, "add.fields"));
    assert_non_null(strstr(t->err, "transaction.id"));
    sl_record_release(r);
    tu_smt_free(t);
}

/* ==== schemaless (JsonConverter with schemas.enable=false) ==== */

static sl_value *map_row(int id, const char *name)
{
    sl_value *m = sl_value_new_map();
    sl_value_map_put_str(m, "id", sl_value_new_int32(id));
    sl_value_map_put_str(m, "name", tu_str(name));
    return m;
}

static sl_record *map_env(const char *op, sl_value *before, sl_value *after)
{
    sl_value *src = sl_value_new_map();
    sl_value_map_put_str(src, "table", tu_str("customers"));
    sl_value_map_put_str(src, "ts_ms", sl_value_new_int64(1700000000000LL));
    sl_value *e = sl_value_new_map();
    sl_value_map_put_str(e, "before", before);
    sl_value_map_put_str(e, "after", after);
    sl_value_map_put_str(e, "source", src);
    sl_value_map_put_str(e, "op", tu_str(op));
    sl_value_map_put_str(e, "ts_ms", sl_value_new_int64(1700000000500LL));
    return tu_sink("cdc", 0, 0, 0, NULL, e);
}

static void test_cdc_schemaless(void **state)
{
    (void)state;
    tu_smt *t = tu_smt_new(&smt_cdc_unwrap, TU_KV("add.fields", "op,table,source.ts_ms"));
    sl_record *r = map_env("c", NULL, map_row(1, "a"));
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_value_json(r, "{\"id\":1,\"name\":\"a\",\"__op\":\"c\",\"__table\":\"customers\","
                            "\"__source_ts_ms\":1700000000000}");
    sl_record_release(r);
    r = map_env("u", map_row(1, "a"), map_row(1, "b"));
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_value_json(r, "{\"id\":1,\"name\":\"b\",\"__op\":\"u\",\"__table\":\"customers\","
                            "\"__source_ts_ms\":1700000000000}");
    sl_record_release(r);
    r = map_env("d", map_row(1, "b"), NULL);
    assert_int_equal(tu_apply(t, r), SL_DROP);
    sl_record_release(r);
    /* a map without the envelope's shape passes */
    r = tu_sink("cdc", 0, 0, 0, NULL, map_row(9, "z"));
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_value_json(r, "{\"id\":9,\"name\":\"z\"}");
    sl_record_release(r);
    tu_smt_free(t);

    t = tu_smt_new(&smt_cdc_unwrap, TU_KV("delete.handling.mode", "rewrite"));
    r = map_env("d", map_row(1, "b"), NULL);
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_value_json(r, "{\"id\":1,\"name\":\"b\",\"__deleted\":\"true\"}");
    sl_record_release(r);
    r = map_env("c", NULL, map_row(2, "n"));
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_value_json(r, "{\"id\":2,\"name\":\"n\",\"__deleted\":\"false\"}");
    sl_record_release(r);
    tu_smt_free(t);

    t = tu_smt_new(&smt_cdc_unwrap, TU_KV("delete.handling.mode", "none"));
    r = map_env("d", map_row(1, "b"), NULL);
    assert_int_equal(tu_apply(t, r), SL_OK);
    assert_null(sl_record_value(r));
    sl_record_release(r);
    tu_smt_free(t);
}

static void test_cdc_bad_config(void **state)
{
    (void)state;
    tu_assert_rejected(&smt_cdc_unwrap, TU_KV("delete.handling.mode", "keep"),
                       "delete.handling.mode", "String must be one of: drop, rewrite, none");
    tu_assert_rejected(&smt_cdc_unwrap_debezium, TU_KV("delete.tombstone.handling.mode", "x"),
                       "delete.tombstone.handling.mode", "String must be one of");
    tu_assert_rejected(&smt_cdc_unwrap, TU_KV("add.fields", "op,after.id"), "add.fields",
                       "Unexpected field name: after.id");
    tu_assert_rejected(&smt_cdc_unwrap, TU_KV("add.headers", "a.b.c"), "add.headers",
                       "Unexpected field name: a.b.c");
    tu_assert_rejected(&smt_cdc_unwrap, TU_KV("drop.tombstones", "nope"), "drop.tombstones",
                       "Invalid value nope");
    tu_assert_accepted(&smt_cdc_unwrap, TU_KV("add.fields", "op,table,lsn,source.ts_ms"));
    assert_string_equal(smt_cdc_unwrap_debezium.class_name,
                        "io.debezium.transforms.ExtractNewRecordState");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cdc_default_mode),
        cmocka_unit_test(test_cdc_delete_modes),
        cmocka_unit_test(test_cdc_added_fields_and_headers),
        cmocka_unit_test(test_cdc_schemaless),
        cmocka_unit_test(test_cdc_bad_config),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
