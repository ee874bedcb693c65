/* tests/unit/test_fs_formats.c: the fs sink's formats and schema handling: format names, Connect
 * -> Avro schema mapping (AvroData's names, connect.* properties, logical types), Avro container
 * files read back by avro-c's own reader (null and deflate codecs), bad records leaving files
 * intact, JSON lines, CSV quoting and column modes, and schema.compatibility with projection. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <avro.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sluice/sdk.h>

#include "fs_compat.h"
#include "fs_format.h"

static char path[256];

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof(path), "/tmp/sluice-fs-format-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    return 0;
}

static sl_schema *opt(sl_schema *s)
{
    sl_schema_set_optional(s, true);
    return s;
}

/* A struct exercising every type the mapping knows. */
static sl_schema *rich_schema(void)
{
    sl_schema *inner = sl_schema_new_struct(NULL);
    sl_schema_add_field(inner, "x", sl_schema_new(SL_TYPE_INT32));
    sl_schema *named = sl_schema_new_struct("com.example.Point");
    sl_schema_add_field(named, "y", sl_schema_new(SL_TYPE_FLOAT64));
    sl_schema *s = sl_schema_new_struct("com.example.Rich");
    sl_schema_set_version(s, 3);
    sl_schema_set_doc(s, "every type");
    sl_schema_add_field(s, "i8", sl_schema_new(SL_TYPE_INT8));
    sl_schema_add_field(s, "i16", sl_schema_new(SL_TYPE_INT16));
    sl_schema_add_field(s, "i32", sl_schema_new(SL_TYPE_INT32));
    sl_schema_add_field(s, "i64", sl_schema_new(SL_TYPE_INT64));
    sl_schema_add_field(s, "f32", sl_schema_new(SL_TYPE_FLOAT32));
    sl_schema_add_field(s, "f64", sl_schema_new(SL_TYPE_FLOAT64));
    sl_schema_add_field(s, "b", sl_schema_new(SL_TYPE_BOOLEAN));
    sl_schema_add_field(s, "s", sl_schema_new(SL_TYPE_STRING));
    sl_schema_add_field(s, "raw", sl_schema_new(SL_TYPE_BYTES));
    sl_schema_add_field(s, "maybe", opt(sl_schema_new(SL_TYPE_STRING)));
    sl_schema_add_field(s, "dec", sl_schema_new_decimal(2));
    sl_schema_add_field(s, "date", sl_schema_new_logical(SL_LOGICAL_DATE));
    sl_schema_add_field(s, "time", sl_schema_new_logical(SL_LOGICAL_TIME));
    sl_schema_add_field(s, "ts", sl_schema_new_logical(SL_LOGICAL_TIMESTAMP));
    sl_schema_add_field(s, "tags", sl_schema_new_array(sl_schema_new(SL_TYPE_STRING)));
    sl_schema_add_field(
        s, "counts",
        sl_schema_new_map(sl_schema_new(SL_TYPE_STRING), sl_schema_new(SL_TYPE_INT32)));
    sl_schema_add_field(
        s, "byid", sl_schema_new_map(sl_schema_new(SL_TYPE_INT32), sl_schema_new(SL_TYPE_STRING)));
    sl_schema_add_field(s, "inner", inner);
    sl_schema_add_field(s, "p1", named);
    sl_schema_add_field(s, "p2", sl_schema_ref(named));
    sl_schema *withdef = sl_schema_new(SL_TYPE_INT32);
    sl_schema_set_default(withdef, sl_value_new_int32(42));
    sl_schema_add_field(s, "withdef", withdef);
    return s;
}

static sl_value *rich_value(const sl_schema *s, int i)
{
    sl_value *v = sl_value_new_struct(s);
    sl_value_struct_set(v, "i8", sl_value_new_int8((int8_t)-i));
    sl_value_struct_set(v, "i16", sl_value_new_int16((int16_t)(i * 100)));
    sl_value_struct_set(v, "i32", sl_value_new_int32(i * 100000));
    sl_value_struct_set(v, "i64", sl_value_new_int64((int64_t)i << 40));
    sl_value_struct_set(v, "f32", sl_value_new_float32(0.5f * (float)i));
    sl_value_struct_set(v, "f64", sl_value_new_float64(1.25 * i));
    sl_value_struct_set(v, "b", sl_value_new_boolean(i % 2));
    char text[32];
    snprintf(text, sizeof(text), "row %d", i);
    sl_value_struct_set(v, "s", sl_value_new_string(text, strlen(text)));
    sl_value_struct_set(v, "raw", sl_value_new_bytes("\x00\xff\x01", 3));
    sl_value_struct_set(v, "maybe", i % 2 ? NULL : sl_value_new_string("m", 1));
    sl_value_struct_set(v, "dec", sl_value_new_decimal_i64(-12345 - i));
    sl_value_struct_set(v, "date", sl_value_new_int32(19675));
    sl_value_struct_set(v, "time", sl_value_new_int32(3600000));
    sl_value_struct_set(v, "ts", sl_value_new_int64(1700000000000LL + i));
    sl_value *tags = sl_value_new_array();
    sl_value_array_append(tags, sl_value_new_string("a", 1));
    sl_value_array_append(tags, sl_value_new_string("b", 1));
    sl_value_struct_set(v, "tags", tags);
    sl_value *counts = sl_value_new_map();
    sl_value_map_put_str(counts, "k", sl_value_new_int32(i));
    sl_value_struct_set(v, "counts", counts);
    sl_value *byid = sl_value_new_map();
    sl_value_map_put(byid, sl_value_new_int32(7), sl_value_new_string("seven", 5));
    sl_value_struct_set(v, "byid", byid);
    sl_value *inner = sl_value_new_struct(sl_schema_field_schema(s, 17));
    sl_value_struct_set(inner, "x", sl_value_new_int32(i));
    sl_value_struct_set(v, "inner", inner);
    for (int k = 18; k <= 19; k++) {
        sl_value *p = sl_value_new_struct(sl_schema_field_schema(s, (size_t)k));
        sl_value_struct_set(p, "y", sl_value_new_float64(k + 0.5));
        sl_value_struct_set_index(v, (size_t)k, p);
    }
    sl_value_struct_set(v, "withdef", sl_value_new_int32(i));
    return v;
}

static void test_format_names(void **state)
{
    (void)state;
    fs_format_kind k;
    assert_int_equal(fs_format_resolve("io.confluent.connect.hdfs.json.JsonFormat", &k), SL_OK);
    assert_int_equal(k, FS_FMT_JSON);
    assert_int_equal(fs_format_resolve("io.confluent.connect.hdfs.avro.AvroFormat", &k), SL_OK);
    assert_int_equal(k, FS_FMT_AVRO);
    assert_int_equal(fs_format_resolve("CSV", &k), SL_OK);
    assert_int_equal(k, FS_FMT_CSV);
    assert_int_equal(fs_format_resolve("io.confluent.connect.hdfs.parquet.ParquetFormat", &k),
                     SL_ERR);
    assert_int_equal(fs_format_resolve(NULL, &k), SL_ERR);
    assert_string_equal(fs_format_ext(FS_FMT_AVRO), ".avro");
    assert_string_equal(fs_format_ext(FS_FMT_CSV), ".csv");
    assert_string_equal(fs_format_ext(FS_FMT_JSON), ".json");
}

static json_t *field_type(json_t *schema, const char *name)
{
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(schema, "fields"), i,
                       f) if (strcmp(json_string_value(json_object_get(f, "name")), name) ==
                              0) return json_object_get(f, "type");
    fail_msg("no field %s", name);
    return NULL;
}

static void test_avro_schema_mapping(void **state)
{
    (void)state;
    sl_schema *s = rich_schema();
    char err[512];
    char *text = fs_avro_schema_json(s, err, sizeof(err));
    assert_non_null(text);
    json_t *j = json_loads(text, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "name")), "Rich");
    assert_string_equal(json_string_value(json_object_get(j, "namespace")), "com.example");
    assert_int_equal(json_integer_value(json_object_get(j, "connect.version")), 3);
    assert_string_equal(json_string_value(json_object_get(j, "doc")), "every type");
    assert_string_equal(json_string_value(json_object_get(field_type(j, "i8"), "connect.type")),
                        "int8");
    assert_string_equal(json_string_value(json_object_get(field_type(j, "i64"), "type")), "long");
    json_t *maybe = field_type(j, "maybe");
    assert_true(json_is_array(maybe));
    assert_string_equal(json_string_value(json_array_get(maybe, 0)), "null");
    json_t *dec = field_type(j, "dec");
    assert_string_equal(json_string_value(json_object_get(dec, "logicalType")), "decimal");
    assert_int_equal(json_integer_value(json_object_get(dec, "scale")), 2);
    assert_int_equal(json_integer_value(json_object_get(dec, "precision")), 64);
    assert_string_equal(json_string_value(json_object_get(dec, "connect.name")),
                        "org.apache.kafka.connect.data.Decimal");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(dec, "connect.parameters"), "scale")),
        "2");
    assert_string_equal(json_string_value(json_object_get(field_type(j, "date"), "logicalType")),
                        "date");
    assert_string_equal(json_string_value(json_object_get(field_type(j, "time"), "logicalType")),
                        "time-millis");
    assert_string_equal(json_string_value(json_object_get(field_type(j, "ts"), "logicalType")),
                        "timestamp-millis");
    assert_string_equal(json_string_value(json_object_get(field_type(j, "counts"), "type")), "map");
    json_t *byid = field_type(j, "byid");
    assert_string_equal(json_string_value(json_object_get(byid, "type")), "array");
    assert_string_equal(json_string_value(json_object_get(json_object_get(byid, "items"), "name")),
                        "MapEntry");
    json_t *inner = field_type(j, "inner");
    assert_string_equal(json_string_value(json_object_get(inner, "name")), "ConnectDefault");
    assert_string_equal(json_string_value(json_object_get(inner, "namespace")),
                        "io.confluent.connect.avro");
    /* A named type appears once, then by name. */
    assert_true(json_is_object(field_type(j, "p1")));
    assert_string_equal(json_string_value(field_type(j, "p2")), "com.example.Point");
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(j, "fields"), i, f)
    {
        const char *name = json_string_value(json_object_get(f, "name"));
        if (strcmp(name, "withdef") == 0)
            assert_int_equal(json_integer_value(json_object_get(f, "default")), 42);
        if (strcmp(name, "maybe") == 0)
            assert_true(json_is_null(json_object_get(f, "default")));
    }
    json_decref(j);
    free(text);

    /* Schemaless and optional top-level values. */
    assert_null(fs_avro_schema_json(NULL, err, sizeof(err)));
    assert_non_null(strstr(err, "schemaless"));
    sl_schema *os = opt(sl_schema_new(SL_TYPE_STRING));
    text = fs_avro_schema_json(os, err, sizeof(err));
    assert_string_equal(text, "[\"null\",{\"type\":\"string\"}]");
    free(text);
    sl_schema_unref(os);
    sl_schema_unref(s);
}

static int open_out(void)
{
    int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
    assert_true(fd >= 0);
    return fd;
}

static void write_rich_avro(bool deflate, int n)
{
    sl_schema *s = rich_schema();
    fs_format_opts o = {.deflate = deflate, .deflate_level = 6};
    fs_writer *w = NULL;
    char err[512];
    assert_int_equal(fs_writer_open(FS_FMT_AVRO, &o, open_out(), s, &w, err, sizeof(err)), SL_OK);
    for (int i = 0; i < n; i++) {
        sl_value *v = rich_value(s, i);
        if (i == 3) {
            /* A value that does not fit its schema is refused and leaves the file intact. */
            sl_value_struct_set(v, "s", sl_value_new_int32(1));
            assert_int_equal(fs_writer_write(w, v, err, sizeof(err)), FS_ERR_RECORD);
            assert_non_null(strstr(err, "field s"));
            sl_value_destroy(v);
            v = rich_value(s, i);
        }
        if (fs_writer_write(w, v, err, sizeof(err)) != SL_OK)
            fail_msg("record %d: %s", i, err);
        sl_value_destroy(v);
    }
    assert_true(fs_writer_bytes(w) > 0);
    assert_int_equal(fs_writer_finish(w, err, sizeof(err)), SL_OK);
    sl_schema_unref(s);
}

static void read_rich_avro(int n)
{
    avro_file_reader_t r;
    if (avro_file_reader(path, &r) != 0)
        fail_msg("avro-c cannot open the file: %s", avro_strerror());
    avro_schema_t ws = avro_file_reader_get_writer_schema(r);
    avro_value_iface_t *iface = avro_generic_class_from_schema(ws);
    avro_value_t v;
    avro_generic_value_new(iface, &v);
    int count = 0;
    while (avro_file_reader_read_value(r, &v) == 0) {
        avro_value_t f, b;
        int32_t i32;
        int64_t i64;
        const char *str;
        size_t len;
        const void *bytes;
        avro_value_get_by_name(&v, "i8", &f, NULL);
        avro_value_get_int(&f, &i32);
        assert_int_equal(i32, (int8_t)-count);
        avro_value_get_by_name(&v, "i64", &f, NULL);
        avro_value_get_long(&f, &i64);
        assert_int_equal(i64, (int64_t)count << 40);
        avro_value_get_by_name(&v, "s", &f, NULL);
        avro_value_get_string(&f, &str, &len);
        char want[32];
        snprintf(want, sizeof(want), "row %d", count);
        assert_string_equal(str, want);
        avro_value_get_by_name(&v, "maybe", &f, NULL);
        int disc;
        avro_value_get_discriminant(&f, &disc);
        assert_int_equal(disc, count % 2 ? 0 : 1);
        avro_value_get_by_name(&v, "raw", &f, NULL);
        avro_value_get_bytes(&f, &bytes, &len);
        assert_int_equal(len, 3);
        assert_memory_equal(bytes, "\x00\xff\x01", 3);
        avro_value_get_by_name(&v, "byid", &f, NULL);
        avro_value_get_size(&f, &len);
        assert_int_equal(len, 1);
        avro_value_get_by_index(&f, 0, &b, NULL);
        avro_value_t key;
        avro_value_get_by_name(&b, "key", &key, NULL);
        avro_value_get_int(&key, &i32);
        assert_int_equal(i32, 7);
        avro_value_get_by_name(&v, "p2", &f, NULL);
        avro_value_get_by_name(&f, "y", &b, NULL);
        double d;
        avro_value_get_double(&b, &d);
        assert_true(d == 19.5);
        count++;
    }
    assert_int_equal(count, n);
    avro_value_decref(&v);
    avro_value_iface_decref(iface);
    avro_schema_decref(ws);
    avro_file_reader_close(r);
}

static void test_avro_file_round_trip(void **state)
{
    (void)state;
    write_rich_avro(false, 3000); /* several 64 KiB blocks */
    read_rich_avro(3000);
    /* The header keeps the full schema (avro-c's own writer would drop logicalType). */
    FILE *f = fopen(path, "rb");
    char head[4096];
    size_t n = fread(head, 1, sizeof(head) - 1, f);
    fclose(f);
    head[n] = '\0';
    assert_memory_equal(head, "Obj\x01", 4);
    assert_non_null(memmem(head, n, "\"logicalType\":\"timestamp-millis\"", 32));
    assert_non_null(memmem(head, n, "avro.codec\x08null", 15));

    write_rich_avro(true, 50);
    read_rich_avro(50);
}

static void test_avro_refusals(void **state)
{
    (void)state;
    fs_format_opts o = {0};
    fs_writer *w = NULL;
    char err[512];
    assert_int_equal(fs_writer_open(FS_FMT_AVRO, &o, open_out(), NULL, &w, err, sizeof(err)),
                     FS_ERR_RECORD);
    assert_null(w);
    sl_schema *s = sl_schema_new_struct("bad");
    sl_schema_add_field(s, "first-name", sl_schema_new(SL_TYPE_STRING));
    assert_int_equal(fs_writer_open(FS_FMT_AVRO, &o, open_out(), s, &w, err, sizeof(err)),
                     FS_ERR_RECORD);
    assert_non_null(strstr(err, "no valid Avro form"));
    sl_schema_unref(s);
    /* A null for a required field without default. */
    s = sl_schema_new_struct("ok");
    sl_schema_add_field(s, "name", sl_schema_new(SL_TYPE_STRING));
    assert_int_equal(fs_writer_open(FS_FMT_AVRO, &o, open_out(), s, &w, err, sizeof(err)), SL_OK);
    sl_value *v = sl_value_new_struct(s);
    assert_int_equal(fs_writer_write(w, v, err, sizeof(err)), FS_ERR_RECORD);
    sl_value_struct_set(v, "name", sl_value_new_string("n", 1));
    assert_int_equal(fs_writer_write(w, v, err, sizeof(err)), SL_OK);
    sl_value_destroy(v);
    fs_writer_discard(w);
    sl_schema_unref(s);
}

static char *slurp(void)
{
    FILE *f = fopen(path, "rb");
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static void test_json_and_csv(void **state)
{
    (void)state;
    char err[512];
    fs_format_opts o = {.csv_header = true};
    fs_writer *w = NULL;

    /* JSON lines, schemaless. */
    assert_int_equal(fs_writer_open(FS_FMT_JSON, &o, open_out(), NULL, &w, err, sizeof(err)),
                     SL_OK);
    sl_value *m = sl_value_new_map();
    sl_value_map_put_str(m, "a", sl_value_new_int64(1));
    sl_value_map_put_str(m, "b", sl_value_new_string("x\"y", 3));
    assert_int_equal(fs_writer_write(w, m, err, sizeof(err)), SL_OK);
    sl_value *str = sl_value_new_string("plain", 5);
    assert_int_equal(fs_writer_write(w, str, err, sizeof(err)), SL_OK);
    assert_int_equal(fs_writer_finish(w, err, sizeof(err)), SL_OK);
    assert_string_equal(slurp(), "{\"a\":1,\"b\":\"x\\\"y\"}\n\"plain\"\n");

    /* CSV of structs: header, RFC 4180 quoting, nulls empty, decimals as text, bytes base64,
     * nested values as JSON. */
    sl_schema *s = sl_schema_new_struct("Row");
    sl_schema_add_field(s, "id", sl_schema_new(SL_TYPE_INT32));
    sl_schema_add_field(s, "text", opt(sl_schema_new(SL_TYPE_STRING)));
    sl_schema_add_field(s, "price", sl_schema_new_decimal(2));
    sl_schema_add_field(s, "raw", sl_schema_new(SL_TYPE_BYTES));
    sl_schema_add_field(s, "tags", sl_schema_new_array(sl_schema_new(SL_TYPE_STRING)));
    assert_int_equal(fs_writer_open(FS_FMT_CSV, &o, open_out(), s, &w, err, sizeof(err)), SL_OK);
    const char *texts[] = {"plain", "a,b", "say \"hi\"", "two\nlines", NULL};
    int64_t prices[] = {12345, -5, 0, 100, -100000};
    for (int i = 0; i < 5; i++) {
        sl_value *v = sl_value_new_struct(s);
        sl_value_struct_set(v, "id", sl_value_new_int32(i));
        if (texts[i])
            sl_value_struct_set(v, "text", sl_value_new_string(texts[i], strlen(texts[i])));
        sl_value_struct_set(v, "price", sl_value_new_decimal_i64(prices[i]));
        sl_value_struct_set(v, "raw", sl_value_new_bytes("hi", 2));
        sl_value *tags = sl_value_new_array();
        sl_value_array_append(tags, sl_value_new_string("t", 1));
        sl_value_struct_set(v, "tags", tags);
        assert_int_equal(fs_writer_write(w, v, err, sizeof(err)), SL_OK);
        sl_value_destroy(v);
    }
    /* A map value in a struct file is refused, nothing written. */
    assert_int_equal(fs_writer_write(w, m, err, sizeof(err)), FS_ERR_RECORD);
    assert_int_equal(fs_writer_finish(w, err, sizeof(err)), SL_OK);
    assert_string_equal(slurp(), "id,text,price,raw,tags\n"
                                 "0,plain,123.45,aGk=,\"[\"\"t\"\"]\"\n"
                                 "1,\"a,b\",-0.05,aGk=,\"[\"\"t\"\"]\"\n"
                                 "2,\"say \"\"hi\"\"\",0.00,aGk=,\"[\"\"t\"\"]\"\n"
                                 "3,\"two\nlines\",1.00,aGk=,\"[\"\"t\"\"]\"\n"
                                 "4,,-1000.00,aGk=,\"[\"\"t\"\"]\"\n");
    sl_schema_unref(s);

    /* CSV of maps: columns from the first record; an unknown key is refused. */
    o.csv_header = false;
    assert_int_equal(fs_writer_open(FS_FMT_CSV, &o, open_out(), NULL, &w, err, sizeof(err)), SL_OK);
    assert_int_equal(fs_writer_write(w, m, err, sizeof(err)), SL_OK);
    sl_value *m2 = sl_value_new_map();
    sl_value_map_put_str(m2, "b", sl_value_new_string("only b", 6));
    assert_int_equal(fs_writer_write(w, m2, err, sizeof(err)), SL_OK);
    sl_value_map_put_str(m2, "zzz", sl_value_new_int64(3));
    assert_int_equal(fs_writer_write(w, m2, err, sizeof(err)), FS_ERR_RECORD);
    assert_non_null(strstr(err, "zzz"));
    assert_int_equal(fs_writer_finish(w, err, sizeof(err)), SL_OK);
    assert_string_equal(slurp(), "1,\"x\"\"y\"\n,only b\n");

    /* CSV of scalars: one "value" column. */
    o.csv_header = true;
    assert_int_equal(fs_writer_open(FS_FMT_CSV, &o, open_out(), NULL, &w, err, sizeof(err)), SL_OK);
    assert_int_equal(fs_writer_write(w, str, err, sizeof(err)), SL_OK);
    assert_int_equal(fs_writer_write(w, m, err, sizeof(err)), FS_ERR_RECORD);
    assert_int_equal(fs_writer_finish(w, err, sizeof(err)), SL_OK);
    assert_string_equal(slurp(), "value\nplain\n");
    sl_value_destroy(m);
    sl_value_destroy(m2);
    sl_value_destroy(str);
}

/* ==== schema compatibility ==== */

static sl_schema *versioned(int32_t version, bool with_extra)
{
    sl_schema *s = sl_schema_new_struct("User");
    sl_schema_set_version(s, version);
    sl_schema_add_field(s, "id", sl_schema_new(with_extra ? SL_TYPE_INT64 : SL_TYPE_INT32));
    if (with_extra) {
        sl_schema *e = sl_schema_new(SL_TYPE_STRING);
        sl_schema_set_default(e, sl_value_new_string("none", 4));
        sl_schema_add_field(s, "email", e);
        sl_schema_add_field(s, "nick", opt(sl_schema_new(SL_TYPE_STRING)));
    }
    return s;
}

static void test_compatibility(void **state)
{
    (void)state;
    char err[256];
    sl_schema *v1 = versioned(1, false), *v2 = versioned(2, true), *v2b = versioned(2, true);
    sl_schema *nov = versioned(0, false);
    fs_compat c;
    assert_int_equal(fs_compat_parse("backward", &c), SL_OK);
    assert_int_equal(c, FS_COMPAT_BACKWARD);
    assert_int_equal(fs_compat_parse("SIDEWAYS", &c), SL_ERR);

    assert_int_equal(fs_compat_should_change(FS_COMPAT_NONE, v1, v1, err, sizeof(err)), 0);
    assert_int_equal(fs_compat_should_change(FS_COMPAT_NONE, v2, v2b, err, sizeof(err)), 0);
    assert_int_equal(fs_compat_should_change(FS_COMPAT_NONE, v2, v1, err, sizeof(err)), 1);
    assert_int_equal(fs_compat_should_change(FS_COMPAT_NONE, NULL, v1, err, sizeof(err)), 1);
    assert_int_equal(fs_compat_should_change(FS_COMPAT_NONE, NULL, NULL, err, sizeof(err)), 0);
    assert_int_equal(fs_compat_should_change(FS_COMPAT_BACKWARD, v2, v1, err, sizeof(err)), 1);
    assert_int_equal(fs_compat_should_change(FS_COMPAT_BACKWARD, v1, v2, err, sizeof(err)), 0);
    assert_int_equal(fs_compat_should_change(FS_COMPAT_FULL, v2, v1, err, sizeof(err)), 1);
    assert_int_equal(fs_compat_should_change(FS_COMPAT_FORWARD, v1, v2, err, sizeof(err)), 1);
    assert_int_equal(fs_compat_should_change(FS_COMPAT_FORWARD, v2, v1, err, sizeof(err)), 0);
    assert_int_equal(fs_compat_should_change(FS_COMPAT_BACKWARD, nov, v1, err, sizeof(err)),
                     SL_ERR);
    assert_non_null(strstr(err, "Schema version required for BACKWARD"));
    assert_int_equal(fs_compat_should_change(FS_COMPAT_FULL, NULL, v1, err, sizeof(err)), SL_ERR);
    assert_non_null(strstr(err, "schema-less"));

    /* BACKWARD: a v1 record projected onto v2: int32 promoted, defaults and nulls filled. */
    sl_value *old = sl_value_new_struct(v1);
    sl_value_struct_set(old, "id", sl_value_new_int32(7));
    sl_value *p = NULL;
    assert_int_equal(fs_project(v1, old, v2, &p, err, sizeof(err)), SL_OK);
    int64_t id;
    assert_int_equal(sl_value_type(sl_value_struct_get(p, "id")), SL_TYPE_INT64);
    sl_value_get_int(sl_value_struct_get(p, "id"), &id);
    assert_int_equal(id, 7);
    assert_string_equal(sl_value_get_string(sl_value_struct_get(p, "email"), NULL), "none");
    assert_null(sl_value_struct_get(p, "nick"));
    assert_true(sl_schema_equals(sl_value_struct_schema(p), v2));
    sl_value_destroy(p);

    /* FORWARD: a v2 record projected onto v1 cannot narrow int64 to int32. */
    sl_value *neu = sl_value_new_struct(v2);
    sl_value_struct_set(neu, "id", sl_value_new_int64(1));
    sl_value_struct_set(neu, "email", sl_value_new_string("e", 1));
    assert_int_equal(fs_project(v2, neu, v1, &p, err, sizeof(err)), SL_ERR);
    assert_non_null(strstr(err, "Schema type mismatch"));

    /* A required field missing from the source. */
    sl_schema *need = sl_schema_new_struct("User");
    sl_schema_add_field(need, "id", sl_schema_new(SL_TYPE_INT32));
    sl_schema_add_field(need, "must", sl_schema_new(SL_TYPE_STRING));
    assert_int_equal(fs_project(v1, old, need, &p, err, sizeof(err)), SL_ERR);
    assert_non_null(strstr(err, "Required field `must`"));
    /* Names must match. */
    sl_schema *other = sl_schema_new_struct("Other");
    sl_schema_add_field(other, "id", sl_schema_new(SL_TYPE_INT32));
    assert_int_equal(fs_project(v1, old, other, &p, err, sizeof(err)), SL_ERR);
    assert_non_null(strstr(err, "name mismatch"));
    /* Arrays and maps project element-wise; optional null to optional stays null. */
    sl_schema *a32 = sl_schema_new_array(sl_schema_new(SL_TYPE_INT32));
    sl_schema *a64 = sl_schema_new_array(sl_schema_new(SL_TYPE_FLOAT64));
    sl_value *arr = sl_value_new_array();
    sl_value_array_append(arr, sl_value_new_int32(3));
    assert_int_equal(fs_project(a32, arr, a64, &p, err, sizeof(err)), SL_OK);
    double d;
    sl_value_get_double(sl_value_array_get(p, 0), &d);
    assert_true(d == 3.0);
    sl_value_destroy(p);
    sl_schema *o1 = opt(sl_schema_new(SL_TYPE_STRING)), *o2 = opt(sl_schema_new(SL_TYPE_STRING));
    assert_int_equal(fs_project(o1, NULL, o2, &p, err, sizeof(err)), SL_OK);
    assert_null(p);
    sl_schema *req = sl_schema_new(SL_TYPE_STRING);
    assert_int_equal(fs_project(o1, NULL, req, &p, err, sizeof(err)), SL_ERR);

    sl_value_destroy(old);
    sl_value_destroy(neu);
    sl_value_destroy(arr);
    sl_schema_unref(v1);
    sl_schema_unref(v2);
    sl_schema_unref(v2b);
    sl_schema_unref(nov);
    sl_schema_unref(need);
    sl_schema_unref(other);
    sl_schema_unref(a32);
    sl_schema_unref(a64);
    sl_schema_unref(o1);
    sl_schema_unref(o2);
    sl_schema_unref(req);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_names),
        cmocka_unit_test(test_avro_schema_mapping),
        cmocka_unit_test_setup_teardown(test_avro_file_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_avro_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_and_csv, setup, teardown),
        cmocka_unit_test(test_compatibility),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
