/* tests/unit/test_fs_time.c: the fs sink's time handling and partitioners: TZif zones against
 * glibc (including instants past the files' transitions, ruled by the POSIX footer), local ->
 * UTC in DST gaps and overlaps, Joda path.format rendering and refusals, ISO-8601 parsing, time
 * buckets and schedule boundaries, and the Default/Field/TimeBased partitioners on records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sluice/sdk.h>

#include "fs_partition.h"
#include "fs_timefmt.h"
#include "fs_tz.h"

#define T0 1700000000000LL /* 2023-11-14T22:13:20Z, a Tuesday */
#define HOUR 3600000LL

static fs_tz *zone(const char *id)
{
    char err[256];
    fs_tz *tz = NULL;
    if (fs_tz_open(id, &tz, err, sizeof(err)) != SL_OK)
        fail_msg("%s: %s", id, err);
    return tz;
}

/* ==== zones ==== */

static void test_tz_against_glibc(void **state)
{
    (void)state;
    static const char *const zones[] = {
        "America/Los_Angeles", "Europe/Paris",      "Australia/Sydney",
        "Asia/Kolkata",        "America/Sao_Paulo", "Pacific/Chatham",
        "Europe/Dublin",       "America/St_Johns",  "UTC",
    };
    uint64_t seed = 42;
    for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
        fs_tz *tz = zone(zones[z]);
        setenv("TZ", zones[z], 1);
        tzset();
        /* 1971 .. 2100: the TZif transitions end in 2037, the POSIX footer rules after. */
        for (int i = 0; i < 20000; i++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            int64_t t = 31536000 + (int64_t)((seed >> 17) % 4000000000ULL);
            time_t tt = (time_t)t;
            struct tm tm;
            localtime_r(&tt, &tm);
            const char *abbr = NULL;
            int32_t off = fs_tz_offset_at(tz, t, &abbr);
            if (off != tm.tm_gmtoff || strcmp(abbr, tm.tm_zone) != 0)
                fail_msg("%s at %lld: offset %d (%s), glibc %ld (%s)", zones[z], (long long)t, off,
                         abbr, tm.tm_gmtoff, tm.tm_zone);
        }
        fs_tz_free(tz);
    }
    unsetenv("TZ");
    tzset();
}

static void test_tz_fixed_and_errors(void **state)
{
    (void)state;
    struct {
        const char *id;
        int32_t off;
    } fixed[] = {
        {"", 0},        {"UTC", 0},          {"Z", 0},         {"+05:30", 19800}, {"-0800", -28800},
        {"+05", 18000}, {"UTC+01:00", 3600}, {"GMT-3", -10800}};
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        fs_tz *tz = zone(fixed[i].id);
        assert_int_equal(fs_tz_offset_at(tz, 1700000000, NULL), fixed[i].off);
        assert_int_equal(fs_tz_local_to_utc_ms(tz, T0), T0 - fixed[i].off * 1000LL);
        fs_tz_free(tz);
    }
    static const char *const bad[] = {"Mars/Olympus", "../../etc/passwd", "/etc/localtime",
                                      "+25:00",       "+05:7x",           "Europe/Paris\n",
                                      "UTC+",         "America"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char err[256] = "";
        fs_tz *tz = NULL;
        if (fs_tz_open(bad[i], &tz, err, sizeof(err)) == SL_OK)
            fail_msg("zone '%s' accepted", bad[i]);
        assert_null(tz);
        assert_true(strlen(err) > 0);
    }
}

static void test_local_to_utc(void **state)
{
    (void)state;
    fs_tz *la = zone("America/Los_Angeles");
    /* 2024-07-01 12:00 PDT */
    assert_int_equal(fs_tz_local_to_utc_ms(la, 1719835200000LL), 1719835200000LL + 7 * HOUR);
    /* Gap: 2024-03-10 02:30 does not exist; Joda moves forward (03:30 PDT = 10:30Z). */
    assert_int_equal(fs_tz_local_to_utc_ms(la, 1710037800000LL), 1710037800000LL + 8 * HOUR);
    /* Overlap: 2024-11-03 01:30 happens twice; the earlier (PDT, 08:30Z) is chosen. */
    assert_int_equal(fs_tz_local_to_utc_ms(la, 1730597400000LL), 1730597400000LL + 7 * HOUR);
    /* Round trip on ordinary instants. */
    for (int64_t t = T0; t < T0 + 400 * 24 * HOUR; t += 7 * HOUR + 12345) {
        int64_t local = fs_tz_utc_to_local_ms(la, t);
        int64_t back = fs_tz_local_to_utc_ms(la, local);
        /* Only the repeated hour may map to the other reading. */
        assert_true(back == t || back == t - HOUR);
    }
    fs_tz_free(la);
}

/* ==== patterns ==== */

static void expect_fmt(const char *pattern, int64_t t, const char *zone_id, const char *want)
{
    char err[256];
    fs_timefmt *f = NULL;
    if (fs_timefmt_compile(pattern, "en_US", &f, NULL, err, sizeof(err)) != SL_OK)
        fail_msg("%s: %s", pattern, err);
    fs_tz *tz = zone(zone_id);
    char buf[256];
    size_t n = fs_timefmt_format(f, t, tz, buf, sizeof(buf));
    if (strcmp(buf, want) != 0)
        fail_msg("'%s' at %lld in %s: '%s', expected '%s'", pattern, (long long)t, zone_id, buf,
                 want);
    assert_int_equal(n, strlen(want));
    fs_tz_free(tz);
    fs_timefmt_free(f);
}

static void test_joda_patterns(void **state)
{
    (void)state;
    const char *hive = "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH";
    expect_fmt(hive, T0, "UTC", "year=2023/month=11/day=14/hour=22");
    expect_fmt(hive, T0, "America/Los_Angeles", "year=2023/month=11/day=14/hour=14");
    expect_fmt(hive, T0, "Asia/Kolkata", "year=2023/month=11/day=15/hour=03");
    expect_fmt("yyyy-MM-dd'T'HH:mm:ss.SSSZZ", T0 + 5, "UTC", "2023-11-14T22:13:20.005+00:00");
    expect_fmt("yyyy-MM-dd HH:mm Z z ZZZ", T0, "America/Los_Angeles",
               "2023-11-14 14:13 -0800 PST America/Los_Angeles");
    expect_fmt("EEE, d MMM yy", T0, "UTC", "Tue, 14 Nov 23");
    expect_fmt("EEEE MMMM", T0, "UTC", "Tuesday November");
    expect_fmt("hh a K k h", T0, "UTC", "10 PM 10 22 10");
    expect_fmt("hh a K k", T0 - 22 * HOUR - 800000, "UTC", "12 AM 0 24");
    expect_fmt("D DDD e", T0, "UTC", "318 318 2");
    expect_fmt("xxxx-'W'ww-e", T0, "UTC", "2023-W46-2");
    /* 2021-01-01 (a Friday) is in ISO week 53 of 2020. */
    expect_fmt("xxxx ww YYYY yy", 1609502400000LL, "UTC", "2020 53 2021 21");
    expect_fmt("G C", T0, "UTC", "AD 20");
    expect_fmt("'it''s' '' SSSS S", T0 + 5, "UTC", "it's ' 0050 0");
    expect_fmt("yyyy/MM/dd", -1, "UTC", "1969/12/31");
    expect_fmt("-_.:/", T0, "UTC", "-_.:/");

    static const char *const bad[] = {"YYYY/qq", "'open", "yyyy-MM-dd'T", "W", "YYYY/MM/dd/AA"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char err[256] = "";
        fs_timefmt *f = NULL;
        if (fs_timefmt_compile(bad[i], NULL, &f, NULL, err, sizeof(err)) == SL_OK)
            fail_msg("pattern '%s' accepted", bad[i]);
        assert_non_null(strstr(err, "Illegal pattern component"));
    }
    /* An uninstalled locale falls back to English, saying so. */
    bool fallback = false;
    char err[256];
    fs_timefmt *f = NULL;
    assert_int_equal(fs_timefmt_compile("MMM", "xx_YY", &f, &fallback, err, sizeof(err)), SL_OK);
    assert_true(fallback);
    fs_tz *utc = zone("UTC");
    char buf[16];
    fs_timefmt_format(f, T0, utc, buf, sizeof(buf));
    assert_string_equal(buf, "Nov");
    /* Truncation returns the needed length. */
    assert_int_equal(fs_timefmt_format(f, T0, utc, buf, 2), 3);
    assert_string_equal(buf, "N");
    fs_tz_free(utc);
    fs_timefmt_free(f);
}

static void test_iso_and_arithmetic(void **state)
{
    (void)state;
    int64_t ms;
    assert_int_equal(fs_parse_iso_time("2023-11-14T22:13:20Z", &ms), SL_OK);
    assert_int_equal(ms, T0);
    assert_int_equal(fs_parse_iso_time("2023-11-14T23:13:20.250+01:00", &ms), SL_OK);
    assert_int_equal(ms, T0 + 250);
    assert_int_equal(fs_parse_iso_time("2023-11-14 22:13:20", &ms), SL_OK);
    assert_int_equal(ms, T0);
    assert_int_equal(fs_parse_iso_time("2023-11-14T22:13", &ms), SL_OK);
    assert_int_equal(ms, T0 - 20000);
    assert_int_equal(fs_parse_iso_time("1970-01-01", &ms), SL_OK);
    assert_int_equal(ms, 0);
    assert_int_equal(fs_parse_iso_time("1969-12-31T23:59:59.999Z", &ms), SL_OK);
    assert_int_equal(ms, -1);
    static const char *const bad[] = {
        "2023-1-14",  "2023-11-14T25:00",     "x",
        "",           "2023-11-14T22:13:20.", "2023-11-14T22:13:20Zjunk",
        "2023-13-01", "2023-11-14T22"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (fs_parse_iso_time(bad[i], &ms) == SL_OK)
            fail_msg("'%s' parsed", bad[i]);
    assert_int_equal(fs_parse_iso_time(NULL, &ms), SL_ERR);

    fs_tz *utc = zone("UTC"), *la = zone("America/Los_Angeles");
    assert_int_equal(fs_time_bucket(T0, HOUR, utc), T0 - (13 * 60 + 20) * 1000);
    /* Daily in Los Angeles: 14:13 PST -> that day's midnight PST (08:00Z). */
    assert_int_equal(fs_time_bucket(T0, 24 * HOUR, la), 1699948800000LL);
    assert_int_equal(fs_next_boundary(T0, 2000, utc), T0 + 2000);
    assert_int_equal(fs_next_boundary(T0 + 1, 2000, utc), T0 + 2000);
    assert_int_equal(fs_next_boundary(T0, HOUR, la), T0 + (46 * 60 + 40) * 1000);
    /* Intervals count from local midnight: 7 h -> 00, 07, 14, 21, then next day's 04:00. */
    assert_int_equal(fs_next_boundary(T0, 7 * HOUR, utc), 1700006400000LL + 4 * HOUR);
    fs_tz_free(utc);
    fs_tz_free(la);
}

/* ==== partitioners ==== */

static sl_schema *order_schema(void)
{
    sl_schema *addr = sl_schema_new_struct("Addr");
    sl_schema_add_field(addr, "city", sl_schema_new(SL_TYPE_STRING));
    sl_schema *s = sl_schema_new_struct("Order");
    sl_schema_add_field(s, "country", sl_schema_new(SL_TYPE_STRING));
    sl_schema_add_field(s, "region", sl_schema_new(SL_TYPE_INT32));
    sl_schema_add_field(s, "flag", sl_schema_new(SL_TYPE_BOOLEAN));
    sl_schema_add_field(s, "amount", sl_schema_new(SL_TYPE_FLOAT64));
    sl_schema *opt = sl_schema_new(SL_TYPE_STRING);
    sl_schema_set_optional(opt, true);
    sl_schema_add_field(s, "maybe", opt);
    sl_schema_add_field(s, "ts", sl_schema_new_logical(SL_LOGICAL_TIMESTAMP));
    sl_schema_add_field(s, "day", sl_schema_new_logical(SL_LOGICAL_DATE));
    sl_schema_add_field(s, "iso", sl_schema_new(SL_TYPE_STRING));
    sl_schema_add_field(s, "addr", addr);
    return s;
}

static sl_record *order_record(const char *country, const char *iso)
{
    sl_schema *s = order_schema();
    sl_value *v = sl_value_new_struct(s);
    sl_value_struct_set(v, "country", sl_value_new_string(country, strlen(country)));
    sl_value_struct_set(v, "region", sl_value_new_int32(7));
    sl_value_struct_set(v, "flag", sl_value_new_boolean(true));
    sl_value_struct_set(v, "amount", sl_value_new_float64(1.5));
    sl_value_struct_set(v, "ts", sl_value_new_int64(T0 + HOUR));
    sl_value_struct_set(v, "day", sl_value_new_int32(19675)); /* 2023-11-14 */
    sl_value_struct_set(v, "iso", sl_value_new_string(iso, strlen(iso)));
    sl_value *a = sl_value_new_struct(sl_schema_field_schema(s, 8));
    sl_value_struct_set(a, "city", sl_value_new_string("Paris", 5));
    sl_value_struct_set(v, "addr", a);
    sl_record *r = sl_source_record_new("orders", 3, NULL, NULL, s, v);
    sl_record_set_timestamp(r, T0, SL_TS_CREATE_TIME);
    return r;
}

static fs_partitioner *make_part(fs_part_conf c)
{
    char err[256];
    fs_partitioner *p = NULL;
    if (fs_partitioner_new(&c, &p, NULL, err, sizeof(err)) != SL_OK)
        fail_msg("%s", err);
    return p;
}

static void expect_enc(const fs_partitioner *p, const sl_record *r, const char *want)
{
    char err[256];
    char *enc = NULL;
    if (fs_partitioner_encode(p, r, T0, &enc, err, sizeof(err)) != SL_OK)
        fail_msg("encode failed: %s", err);
    assert_string_equal(enc, want);
    free(enc);
}

static void expect_enc_error(const fs_partitioner *p, const sl_record *r, const char *needle)
{
    char err[256] = "";
    char *enc = NULL;
    assert_int_equal(fs_partitioner_encode(p, r, T0, &enc, err, sizeof(err)), SL_ERR);
    assert_null(enc);
    if (strstr(err, needle) == NULL)
        fail_msg("error '%s' lacks '%s'", err, needle);
}

static void test_names_resolve(void **state)
{
    (void)state;
    fs_part_kind k;
    int64_t d = 0;
    const char *pf = NULL;
    assert_int_equal(
        fs_partitioner_resolve("io.confluent.connect.storage.partitioner.DefaultPartitioner", &k,
                               &d, &pf),
        SL_OK);
    assert_int_equal(k, FS_PART_DEFAULT);
    assert_int_equal(fs_partitioner_resolve(
                         "io.confluent.connect.hdfs.partitioner.FieldPartitioner", &k, &d, &pf),
                     SL_OK);
    assert_int_equal(k, FS_PART_FIELD);
    assert_int_equal(fs_partitioner_resolve("TimeBasedPartitioner", &k, &d, &pf), SL_OK);
    assert_int_equal(k, FS_PART_TIME);
    assert_int_equal(fs_partitioner_resolve("time", &k, &d, &pf), SL_OK);
    assert_null(pf);
    assert_int_equal(fs_partitioner_resolve("hourly", &k, &d, &pf), SL_OK);
    assert_int_equal(d, HOUR);
    assert_string_equal(pf, "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH");
    assert_int_equal(fs_partitioner_resolve(
                         "io.confluent.connect.storage.partitioner.DailyPartitioner", &k, &d, &pf),
                     SL_OK);
    assert_int_equal(d, 24 * HOUR);
    assert_int_equal(fs_partitioner_resolve("com.acme.DefaultPartitioner", &k, &d, &pf), SL_ERR);
    assert_int_equal(fs_partitioner_resolve("Weekly", &k, &d, &pf), SL_ERR);
    assert_int_equal(fs_partitioner_resolve(NULL, &k, &d, &pf), SL_ERR);

    fs_ts_kind t;
    assert_int_equal(fs_extractor_resolve("Wallclock", &t), SL_OK);
    assert_int_equal(t, FS_TS_WALLCLOCK);
    assert_int_equal(
        fs_extractor_resolve("io.confluent.connect.storage.partitioner.TimeBasedPartitioner$"
                             "RecordFieldTimestampExtractor",
                             &t),
        SL_OK);
    assert_int_equal(t, FS_TS_RECORD_FIELD);
    assert_int_equal(fs_extractor_resolve("record", &t), SL_OK);
    assert_int_equal(t, FS_TS_RECORD);
    assert_int_equal(fs_extractor_resolve("Sundial", &t), SL_ERR);
}

static void test_partitioners(void **state)
{
    (void)state;
    sl_record *r = order_record("u/s", "2023-11-14T20:00:00Z");

    fs_partitioner *p = make_part((fs_part_conf){.kind = FS_PART_DEFAULT});
    expect_enc(p, r, "partition=3");
    fs_partitioner_free(p);

    const char *fields[] = {"country", "region", "flag", "addr.city"};
    p = make_part((fs_part_conf){.kind = FS_PART_FIELD, .fields = fields, .nfields = 4});
    expect_enc(p, r, "country=u%2Fs/region=7/flag=true/addr.city=Paris");
    fs_partitioner_free(p);
    p = make_part(
        (fs_part_conf){.kind = FS_PART_FIELD, .fields = fields, .nfields = 2, .delim = "_"});
    expect_enc(p, r, "country=u%2Fs_region=7");
    fs_partitioner_free(p);
    const char *bad1[] = {"amount"}, *bad2[] = {"nope"}, *bad3[] = {"maybe"}, *bad4[] = {"ts"};
    p = make_part((fs_part_conf){.kind = FS_PART_FIELD, .fields = bad1, .nfields = 1});
    expect_enc_error(p, r, "FLOAT64 is not supported");
    fs_partitioner_free(p);
    p = make_part((fs_part_conf){.kind = FS_PART_FIELD, .fields = bad2, .nfields = 1});
    expect_enc_error(p, r, "not in the record value");
    fs_partitioner_free(p);
    p = make_part((fs_part_conf){.kind = FS_PART_FIELD, .fields = bad3, .nfields = 1});
    expect_enc_error(p, r, "is null");
    fs_partitioner_free(p);
    p = make_part((fs_part_conf){.kind = FS_PART_FIELD, .fields = bad4, .nfields = 1});
    expect_enc_error(p, r, "Timestamp is not supported");
    fs_partitioner_free(p);

    /* Schemaless map values work too; a string value is not a record. */
    sl_value *m = sl_value_new_map();
    sl_value_map_put_str(m, "country", sl_value_new_string("fr", 2));
    sl_value_map_put_str(m, "n", sl_value_new_int64(-4));
    sl_record *mr = sl_source_record_new("t", 0, NULL, NULL, NULL, m);
    const char *mf[] = {"country", "n"};
    p = make_part((fs_part_conf){.kind = FS_PART_FIELD, .fields = mf, .nfields = 2});
    expect_enc(p, mr, "country=fr/n=-4");
    sl_record *sr = sl_source_record_new("t", 0, NULL, NULL, NULL, sl_value_new_string("x", 1));
    expect_enc_error(p, sr, "needs a struct or map value");
    fs_partitioner_free(p);

    const char *hive = "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH";
    p = make_part((fs_part_conf){
        .kind = FS_PART_TIME, .path_format = hive, .duration_ms = HOUR, .timezone = "UTC"});
    expect_enc(p, r, "year=2023/month=11/day=14/hour=22");
    sl_record_set_timestamp(sr, -1, SL_TS_NONE);
    expect_enc_error(p, sr, "no timestamp");
    fs_partitioner_free(p);
    p = make_part((fs_part_conf){.kind = FS_PART_TIME,
                                 .path_format = hive,
                                 .duration_ms = HOUR,
                                 .ts_kind = FS_TS_RECORD_FIELD,
                                 .ts_field = "ts"});
    expect_enc(p, r, "year=2023/month=11/day=14/hour=23");
    fs_partitioner_free(p);
    p = make_part((fs_part_conf){.kind = FS_PART_TIME,
                                 .path_format = hive,
                                 .duration_ms = HOUR,
                                 .ts_kind = FS_TS_RECORD_FIELD,
                                 .ts_field = "iso"});
    expect_enc(p, r, "year=2023/month=11/day=14/hour=20");
    fs_partitioner_free(p);
    p = make_part((fs_part_conf){.kind = FS_PART_TIME,
                                 .path_format = "YYYY-MM-dd/HH",
                                 .duration_ms = 24 * HOUR,
                                 .ts_kind = FS_TS_RECORD_FIELD,
                                 .ts_field = "day",
                                 .timezone = "UTC"});
    expect_enc(p, r, "2023-11-14/00");
    fs_partitioner_free(p);
    p = make_part((fs_part_conf){.kind = FS_PART_TIME,
                                 .path_format = hive,
                                 .duration_ms = HOUR,
                                 .ts_kind = FS_TS_RECORD_FIELD,
                                 .ts_field = "country"});
    expect_enc_error(p, r, "not a timestamp");
    fs_partitioner_free(p);
    p = make_part((fs_part_conf){.kind = FS_PART_TIME,
                                 .path_format = "HH",
                                 .duration_ms = HOUR,
                                 .ts_kind = FS_TS_WALLCLOCK,
                                 .timezone = "+05:30"});
    expect_enc(p, sr, "03"); /* T0 is "now": 22:13Z is 03:43 at +05:30 */
    assert_true(fs_partitioner_wallclock(p));
    fs_partitioner_free(p);

    /* Configuration refusals. */
    struct {
        fs_part_conf c;
        const char *needle;
    } bad[] = {
        {{.kind = FS_PART_FIELD}, "partition.field.name"},
        {{.kind = FS_PART_TIME, .duration_ms = HOUR}, "Path format cannot be empty"},
        {{.kind = FS_PART_TIME, .path_format = "YYYY", .duration_ms = 0}, "must be positive"},
        {{.kind = FS_PART_TIME, .path_format = "YYYY/qq", .duration_ms = 1}, "Illegal pattern"},
        {{.kind = FS_PART_DEFAULT, .timezone = "Nowhere/Land"}, "Unknown time zone"},
        {{.kind = FS_PART_DEFAULT, .ts_kind = FS_TS_RECORD_FIELD}, "timestamp.field"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char err[256] = "";
        fs_partitioner *q = NULL;
        assert_int_equal(fs_partitioner_new(&bad[i].c, &q, NULL, err, sizeof(err)), SL_ERR);
        assert_null(q);
        if (strstr(err, bad[i].needle) == NULL)
            fail_msg("case %zu: '%s' lacks '%s'", i, err, bad[i].needle);
    }
    sl_record_release(r);
    sl_record_release(mr);
    sl_record_release(sr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tz_against_glibc),   cmocka_unit_test(test_tz_fixed_and_errors),
        cmocka_unit_test(test_local_to_utc),       cmocka_unit_test(test_joda_patterns),
        cmocka_unit_test(test_iso_and_arithmetic), cmocka_unit_test(test_names_resolve),
        cmocka_unit_test(test_partitioners),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
