/* tests/unit/test_record.c: records: construction, metadata, key/value setters and take,
 * headers, source positions, user pointer, deep copy, and thread-safe retain/release. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "data/record_internal.h"
#include "data/value_internal.h"

static sl_value *str(const char *s) { return sl_value_new_string(s, strlen(s)); }

static void test_source_record(void **state)
{
    (void)state;
    sl_schema *ks = sl_schema_new(SL_TYPE_STRING);
    sl_record *r = sl_source_record_new("orders", 3, ks, str("k1"), NULL, sl_value_new_int64(42));
    assert_non_null(r);
    assert_string_equal(sl_record_topic(r), "orders");
    assert_string_equal(sl_record_original_topic(r), "orders");
    assert_int_equal(sl_record_partition(r), 3);
    assert_int_equal(sl_record_offset(r), -1);
    assert_int_equal(sl_record_timestamp(r), -1);
    assert_int_equal(sl_record_timestamp_type(r), SL_TS_NONE);
    assert_ptr_equal(sl_record_key_schema(r), ks);
    assert_string_equal(sl_value_get_string(sl_record_key(r), NULL), "k1");
    assert_null(sl_record_value_schema(r));
    int64_t i;
    assert_int_equal(sl_value_get_int(sl_record_value(r), &i), SL_OK);
    assert_int_equal(i, 42);
    assert_int_equal(sl_record_header_count(r), 0);
    assert_null(sl_record_source_partition(r));
    assert_null(sl_record_source_offset(r));
    assert_null(record_user(r));

    sl_record_set_timestamp(r, 1700000000000LL, SL_TS_CREATE_TIME);
    assert_int_equal(sl_record_timestamp(r), 1700000000000LL);
    assert_int_equal(sl_record_timestamp_type(r), SL_TS_CREATE_TIME);
    sl_record_set_partition(r, -1);
    assert_int_equal(sl_record_partition(r), -1);
    record_set_offset(r, 77);
    assert_int_equal(sl_record_offset(r), 77);
    int marker;
    record_set_user(r, &marker);
    assert_ptr_equal(record_user(r), &marker);
    sl_record_release(r);

    /* A NULL topic fails but still takes what it was given (ASAN checks the frees). */
    assert_null(sl_source_record_new(NULL, 0, sl_schema_new(SL_TYPE_STRING), str("k"),
                                     sl_schema_new(SL_TYPE_STRING), str("v")));
    /* All-null record. */
    r = sl_source_record_new("", -1, NULL, NULL, NULL, NULL);
    assert_non_null(r);
    assert_string_equal(sl_record_topic(r), "");
    assert_null(sl_record_key(r));
    sl_record_release(r);
}

static void test_consumed_record(void **state)
{
    (void)state;
    sl_record *r = record_new_consumed("in", 7, 1234, 99, SL_TS_LOG_APPEND_TIME);
    assert_string_equal(sl_record_topic(r), "in");
    assert_int_equal(sl_record_partition(r), 7);
    assert_int_equal(sl_record_offset(r), 1234);
    assert_int_equal(sl_record_timestamp(r), 99);
    assert_int_equal(sl_record_timestamp_type(r), SL_TS_LOG_APPEND_TIME);

    /* A transform renames it; the original topic stays for the sink's commit. */
    sl_record_set_topic(r, "out-with-a-much-longer-name-than-before");
    assert_string_equal(sl_record_topic(r), "out-with-a-much-longer-name-than-before");
    assert_string_equal(sl_record_original_topic(r), "in");
    sl_record_set_topic(r, "x");
    assert_string_equal(sl_record_topic(r), "x");
    sl_record_set_topic(r, "in"); /* back to the original: no allocation kept */
    assert_ptr_equal(sl_record_topic(r), sl_record_original_topic(r));
    sl_record_set_topic(r, NULL); /* ignored */
    assert_string_equal(sl_record_topic(r), "in");
    sl_record_set_topic(r, "y");
    sl_record_set_topic(r, sl_record_topic(r)); /* self-assignment */
    assert_string_equal(sl_record_topic(r), "y");
    sl_record_release(r);
    assert_null(record_new_consumed(NULL, 0, 0, 0, SL_TS_NONE));
}

static void test_set_take(void **state)
{
    (void)state;
    sl_record *r = record_new_consumed("t", 0, 0, -1, SL_TS_NONE);
    sl_schema *vs = sl_schema_new_struct("V");
    sl_schema_add_field(vs, "a", sl_schema_new(SL_TYPE_INT32));
    sl_value *v = sl_value_new_struct(vs);
    sl_value_struct_set(v, "a", sl_value_new_int32(1));
    sl_record_set_value(r, vs, v); /* takes our reference to vs */
    assert_ptr_equal(sl_record_value_schema(r), vs);
    assert_ptr_equal(sl_record_value(r), v);

    /* Replace: the old value is freed; the same schema handed back with a new reference. */
    sl_value *v2 = sl_value_new_struct(vs);
    sl_record_set_value(r, sl_schema_ref(vs), v2);
    assert_ptr_equal(sl_record_value(r), v2);
    assert_int_equal(sl_schema_field_count(sl_record_value_schema(r)), 1);
    /* Same value pointer again: must not be freed. */
    sl_record_set_value(r, sl_schema_ref(vs), v2);
    assert_ptr_equal(sl_record_value(r), v2);
    assert_null(sl_value_struct_get(sl_record_value(r), "a"));

    /* Take detaches both; the record is left null. */
    sl_schema *ts = NULL;
    sl_value *tv = NULL;
    sl_record_take_value(r, &ts, &tv);
    assert_ptr_equal(ts, vs);
    assert_ptr_equal(tv, v2);
    assert_null(sl_record_value(r));
    assert_null(sl_record_value_schema(r));
    /* Rebuild and give back, as a transform would. */
    sl_value_struct_set(tv, "a", sl_value_new_int32(5));
    sl_record_set_value(r, ts, tv);
    int64_t i;
    assert_int_equal(sl_value_get_int(sl_value_struct_get(sl_record_value(r), "a"), &i), SL_OK);
    assert_int_equal(i, 5);

    sl_record_set_key(r, sl_schema_new(SL_TYPE_STRING), str("key"));
    sl_record_set_key(r, NULL, str("key2"));
    assert_null(sl_record_key_schema(r));
    assert_string_equal(sl_value_get_string(sl_record_key(r), NULL), "key2");
    sl_value *tk;
    sl_record_take_key(r, NULL, &tk); /* schema not wanted */
    assert_string_equal(sl_value_get_string(tk, NULL), "key2");
    sl_value_destroy(tk);
    sl_record_set_key(r, sl_schema_new(SL_TYPE_STRING), str("k3"));
    sl_record_take_key(r, NULL, NULL); /* neither wanted: both dropped */
    assert_null(sl_record_key(r));
    assert_null(sl_record_key_schema(r));

    /* NULL record: setters free what they are given, take yields NULLs. */
    sl_record_set_key(NULL, sl_schema_new(SL_TYPE_STRING), str("x"));
    sl_record_set_value(NULL, sl_schema_new(SL_TYPE_STRING), str("x"));
    ts = (sl_schema *)1;
    tv = (sl_value *)1;
    sl_record_take_value(NULL, &ts, &tv);
    assert_null(ts);
    assert_null(tv);
    sl_record_release(r);
}

static void test_headers(void **state)
{
    (void)state;
    sl_record *r = sl_source_record_new("t", 0, NULL, NULL, NULL, NULL);
    for (int i = 0; i < 10; i++) {
        sl_record_header_add(r, i % 2 ? "odd" : "even", sl_schema_new(SL_TYPE_INT32),
                             sl_value_new_int32(i));
    }
    sl_record_header_add(r, "nullv", NULL, NULL);
    assert_int_equal(sl_record_header_count(r), 11);
    assert_string_equal(sl_record_header_key(r, 0), "even");
    assert_string_equal(sl_record_header_key(r, 1), "odd");
    assert_int_equal(sl_schema_type(sl_record_header_schema(r, 3)), SL_TYPE_INT32);
    int64_t i;
    assert_int_equal(sl_value_get_int(sl_record_header_value(r, 3), &i), SL_OK);
    assert_int_equal(i, 3);
    assert_int_equal(sl_record_header_last(r, "odd"), 9);
    assert_int_equal(sl_record_header_last(r, "even"), 8);
    assert_int_equal(sl_record_header_last(r, "nullv"), 10);
    assert_int_equal(sl_record_header_last(r, "none"), -1);
    assert_int_equal(sl_record_header_last(r, NULL), -1);
    assert_null(sl_record_header_value(r, 10));
    assert_null(sl_record_header_key(r, 11));
    assert_null(sl_record_header_schema(r, 11));
    assert_null(sl_record_header_value(r, 11));

    assert_int_equal(sl_record_header_remove(r, "odd"), 5);
    assert_int_equal(sl_record_header_count(r), 6);
    /* Remaining order is kept. */
    for (size_t k = 0; k < 5; k++) {
        assert_string_equal(sl_record_header_key(r, k), "even");
        assert_int_equal(sl_value_get_int(sl_record_header_value(r, k), &i), SL_OK);
        assert_int_equal(i, (int64_t)k * 2);
    }
    assert_int_equal(sl_record_header_remove(r, "odd"), 0);
    assert_int_equal(sl_record_header_remove(r, NULL), 0);
    /* A NULL key is refused, and what was given is freed. */
    sl_record_header_add(r, NULL, sl_schema_new(SL_TYPE_STRING), str("x"));
    assert_int_equal(sl_record_header_count(r), 6);
    sl_record_header_add(NULL, "k", sl_schema_new(SL_TYPE_STRING), str("x"));
    assert_int_equal(sl_record_header_count(NULL), 0);
    sl_record_release(r);
}

static void test_source_position(void **state)
{
    (void)state;
    sl_record *r = sl_source_record_new("t", -1, NULL, NULL, NULL, str("line"));
    sl_value *p = sl_value_new_map();
    sl_value_map_put_str(p, "filename", str("/tmp/x"));
    sl_value *o = sl_value_new_map();
    sl_value_map_put_str(o, "position", sl_value_new_int64(10));
    sl_record_set_source_position(r, p, o);
    assert_ptr_equal(sl_record_source_partition(r), p);
    assert_ptr_equal(sl_record_source_offset(r), o);
    char *j = sl_value_to_json(sl_record_source_offset(r), NULL);
    assert_string_equal(j, "{\"position\":10}");
    free(j);
    /* Replacing frees the old maps. */
    sl_value *o2 = sl_value_new_map();
    sl_value_map_put_str(o2, "position", sl_value_new_int64(20));
    sl_record_set_source_position(r, sl_value_copy(p), o2);
    assert_ptr_equal(sl_record_source_offset(r), o2);
    sl_record_set_source_position(NULL, sl_value_new_map(), sl_value_new_map());
    sl_record_release(r);
}

static void test_copy(void **state)
{
    (void)state;
    sl_schema *vs = sl_schema_new(SL_TYPE_STRING);
    sl_record *r = record_new_consumed("orig", 1, 2, 3, SL_TS_CREATE_TIME);
    sl_record_set_topic(r, "renamed");
    sl_record_set_key(r, NULL, sl_value_new_bytes("k", 1));
    sl_record_set_value(r, vs, str("v"));
    sl_record_header_add(r, "h", NULL, str("hv"));
    sl_value *m = sl_value_new_map();
    sl_value_map_put_str(m, "a", sl_value_new_int8(1));
    sl_record_set_source_position(r, m, sl_value_copy(m));
    int marker;
    record_set_user(r, &marker);

    sl_record *c = record_copy(r);
    assert_non_null(c);
    assert_string_equal(sl_record_topic(c), "renamed");
    assert_string_equal(sl_record_original_topic(c), "orig");
    assert_int_equal(sl_record_partition(c), 1);
    assert_int_equal(sl_record_offset(c), 2);
    assert_int_equal(sl_record_timestamp(c), 3);
    assert_int_equal(sl_record_timestamp_type(c), SL_TS_CREATE_TIME);
    assert_ptr_equal(sl_record_value_schema(c), vs); /* shared by reference */
    assert_ptr_not_equal(sl_record_value(c), sl_record_value(r));
    assert_true(sl_value_equals(sl_record_value(c), sl_record_value(r)));
    assert_true(sl_value_equals(sl_record_key(c), sl_record_key(r)));
    assert_int_equal(sl_record_header_count(c), 1);
    assert_string_equal(sl_record_header_key(c, 0), "h");
    assert_true(sl_value_equals(sl_record_header_value(c, 0), sl_record_header_value(r, 0)));
    assert_true(sl_value_equals(sl_record_source_partition(c), m));
    assert_ptr_equal(record_user(c), &marker);
    /* Independent: changing the copy leaves the original alone. */
    sl_record_set_value(c, NULL, NULL);
    sl_record_header_remove(c, "h");
    assert_string_equal(sl_value_get_string(sl_record_value(r), NULL), "v");
    assert_int_equal(sl_record_header_count(r), 1);
    sl_record_release(r);
    assert_string_equal(sl_record_original_topic(c), "orig");
    sl_record_release(c);
    assert_null(record_copy(NULL));
}

#define THREADS 8
#define ROUNDS 20000

static void *retain_release(void *arg)
{
    sl_record *r = arg;
    for (int i = 0; i < ROUNDS; i++) {
        sl_record_retain(r);
        sl_record_release(r);
    }
    sl_record_release(r); /* the reference the main thread took for us */
    return NULL;
}

static void test_refcount_threads(void **state)
{
    (void)state;
    sl_record *r = sl_source_record_new("t", 0, NULL, NULL, NULL, str("shared"));
    assert_ptr_equal(sl_record_retain(r), r);
    sl_record_release(r);
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++) {
        sl_record_retain(r);
        assert_int_equal(pthread_create(&th[i], NULL, retain_release, r), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    /* Only our own reference is left: the record is intact. */
    assert_string_equal(sl_value_get_string(sl_record_value(r), NULL), "shared");
    sl_record_release(r);
    sl_record_release(NULL);
    assert_null(sl_record_retain(NULL));
    assert_null(sl_record_topic(NULL));
    assert_int_equal(sl_record_offset(NULL), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_source_record),   cmocka_unit_test(test_consumed_record),
        cmocka_unit_test(test_set_take),        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_source_position), cmocka_unit_test(test_copy),
        cmocka_unit_test(test_refcount_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
