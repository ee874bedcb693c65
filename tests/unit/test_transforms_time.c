/* tests/unit/test_transforms_time.c: SimpleDateFormat patterns (format, lenient parse, errors),
 * TimestampConverter (string/unix/Date/Time/Timestamp, precisions, fields and whole values,
 * schemaful and schemaless) and TimestampRouter, with Connect's documented examples. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "date_format.h"
#include "transforms_test_util.h"

#define TS 1700000000123LL        /* 2023-11-14T22:13:20.123Z, a Tuesday */
#define DATE_PLUS_TIME 86401000LL /* 1970-01-02T00:00:01Z, Connect's test instant */
#define FMT "yyyy MM dd HH mm ss SSS z"

/* ==== SimpleDateFormat ==== */

static void fmt_is(const char *pattern, int64_t ms, const char *expected)
{
    smt_datefmt *f = NULL;
    char err[128], buf[128];
    if (smt_datefmt_compile(pattern, &f, err, sizeof(err)) != SL_OK)
        fail_msg("pattern %s: %s", pattern, err);
    smt_datefmt_format(f, ms, buf, sizeof(buf));
    if (strcmp(buf, expected) != 0)
        fail_msg("%s -> %s, expected %s", pattern, buf, expected);
    smt_datefmt_free(f);
}

static void parse_is(const char *pattern, const char *text, int rc, int64_t expected)
{
    smt_datefmt *f = NULL;
    char err[128];
    assert_int_equal(smt_datefmt_compile(pattern, &f, err, sizeof(err)), SL_OK);
    int64_t ms = 0;
    int got = smt_datefmt_parse(f, text, &ms);
    if (got != rc || (rc == SL_OK && ms != expected))
        fail_msg("parse %s with %s: rc %d ms %lld, expected rc %d ms %lld", text, pattern, got,
                 (long long)ms, rc, (long long)expected);
    smt_datefmt_free(f);
}

static void test_date_format(void **state)
{
    (void)state;
    fmt_is("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", TS, "2023-11-14T22:13:20.123Z");
    fmt_is("yyyyMMdd", TS, "20231114");
    fmt_is("EEE, d MMM yyyy hh:mm a", TS, "Tue, 14 Nov 2023 10:13 PM");
    fmt_is("EEEE MMMM yy D u", TS, "Tuesday November 23 318 2");
    fmt_is("HH:mm:ss Z z", TS, "22:13:20 +0000 UTC");
    fmt_is("'it''s' h 'o''clock' k K", 0, "it's 12 o'clock 24 0");
    fmt_is("yyyy-MM-dd HH:mm:ss.SSS", -1, "1969-12-31 23:59:59.999");
    fmt_is("G yyyy", -62198755200000LL, "BC 0002"); /* the year -1 is 2 BC */
    fmt_is("S", 5, "5");
    fmt_is(FMT, DATE_PLUS_TIME, "1970 01 02 00 00 01 000 UTC");

    parse_is("yyyyMMdd", "20231114", SL_OK, 1699920000000LL);
    parse_is("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2023-11-14T22:13:20.123Z", SL_OK, TS);
    parse_is("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2023-11-14T23:13:20.123+01:00", SL_OK, TS);
    parse_is("yyyy-MM-dd HH:mm:ss Z", "2023-11-14 14:13:20 -0800", SL_OK, TS - 123);
    parse_is("dd MMM yyyy", "14 nov 2023", SL_OK, 1699920000000LL);
    parse_is("dd MMMM yyyy", "14 November 2023", SL_OK, 1699920000000LL);
    parse_is("yyyy-MM-dd", "2023-02-30", SL_OK, smt_days_from_civil(2023, 3, 2) * 86400000LL);
    parse_is("yyyy-MM-dd", "2023-11-14 and more", SL_OK, 1699920000000LL);
    parse_is("hh:mm a", "12:30 AM", SL_OK, 30 * 60000LL);
    parse_is("hh:mm a", "01:30 PM", SL_OK, (13 * 60 + 30) * 60000LL);
    parse_is(FMT, "1970 01 02 00 00 01 000 UTC", SL_OK, DATE_PLUS_TIME);
    parse_is("yyyy-MM-dd", "2023/11/14", SL_ERR, 0);
    parse_is("yyyy-MM-dd", "", SL_ERR, 0);
    parse_is("yyyyMMdd", "2023111", SL_OK, 1698796800000LL); /* the last field is greedy */
    parse_is("yyyyMMdd", "202311", SL_ERR, 0);

    smt_datefmt *f = NULL;
    char err[128];
    assert_int_equal(smt_datefmt_compile("yyyy-qq", &f, err, sizeof(err)), SL_ERR);
    assert_string_equal(err, "Illegal pattern character 'q'");
    assert_int_equal(smt_datefmt_compile("yyyy 'T", &f, err, sizeof(err)), SL_ERR);
    assert_string_equal(err, "Unterminated quote");
    assert_int_equal(smt_datefmt_compile("YYYY-ww", &f, err, sizeof(err)), SL_ERR);
    assert_non_null(strstr(err, "not supported"));

    /* the calendar helpers round-trip across eras */
    for (int64_t d = -800000; d <= 800000; d += 997) {
        int64_t y;
        int m, dd;
        smt_civil_from_days(d, &y, &m, &dd);
        assert_int_equal(smt_days_from_civil(y, m, dd), d);
    }
}

/* ==== TimestampConverter ==== */

static sl_record *convert_value(const char *const *kv, sl_schema *schema, sl_value *v, int *rc,
                                char *err)
{
    tu_smt *t = tu_smt_new(&smt_timestamp_converter_value, kv);
    sl_record *r = tu_sink("t", 0, 0, 0, schema, v);
    *rc = tu_apply(t, r);
    strcpy(err, t->err);
    tu_smt_free(t);
    return r;
}

static void test_ts_converter_schemaless(void **state)
{
    (void)state;
    int rc;
    char err[1024];
    /* unix (Long) -> string */
    sl_record *r = convert_value(TU_KV("target.type", "string", "format", FMT), NULL,
                                 sl_value_new_int64(DATE_PLUS_TIME), &rc, err);
    assert_int_equal(rc, SL_OK);
    tu_assert_value_json(r, "\"1970 01 02 00 00 01 000 UTC\"");
    assert_null(sl_record_value_schema(r));
    sl_record_release(r);
    /* string -> unix */
    r = convert_value(TU_KV("target.type", "unix", "format", FMT), NULL,
                      tu_str("1970 01 02 00 00 01 000 UTC"), &rc, err);
    assert_int_equal(rc, SL_OK);
    tu_assert_value_json(r, "86401000");
    sl_record_release(r);
    /* unix -> Date and Time */
    r = convert_value(TU_KV("target.type", "Date"), NULL, sl_value_new_int64(DATE_PLUS_TIME), &rc,
                      err);
    tu_assert_value_json(r, "1"); /* one day */
    assert_int_equal(sl_value_type(sl_record_value(r)), SL_TYPE_INT32);
    sl_record_release(r);
    r = convert_value(TU_KV("target.type", "Time"), NULL, sl_value_new_int64(DATE_PLUS_TIME), &rc,
                      err);
    tu_assert_value_json(r, "1000");
    sl_record_release(r);
    /* precisions */
    r = convert_value(TU_KV("target.type", "Timestamp", "unix.precision", "seconds"), NULL,
                      sl_value_new_int64(86401), &rc, err);
    tu_assert_value_json(r, "86401000");
    sl_record_release(r);
    r = convert_value(TU_KV("target.type", "unix", "unix.precision", "microseconds", "format", FMT),
                      NULL, tu_str("1970 01 02 00 00 01 000 UTC"), &rc, err);
    tu_assert_value_json(r, "86401000000");
    sl_record_release(r);
    r = convert_value(TU_KV("target.type", "string", "unix.precision", "nanoseconds", "format",
                            "yyyy-MM-dd HH:mm:ss.SSS"),
                      NULL, sl_value_new_int64(1700000000123456789LL), &rc, err);
    tu_assert_value_json(r, "\"2023-11-14 22:13:20.123\"");
    sl_record_release(r);
    /* a field of a map; absent -> null */
    sl_value *m = sl_value_new_map();
    sl_value_map_put_str(m, "ts", sl_value_new_int64(TS));
    sl_value_map_put_str(m, "other", tu_str("x"));
    r = convert_value(TU_KV("target.type", "string", "field", "ts", "format", "yyyyMMdd"), NULL, m,
                      &rc, err);
    tu_assert_value_json(r, "{\"ts\":\"20231114\",\"other\":\"x\"}");
    sl_record_release(r);
    /* null passes */
    r = convert_value(TU_KV("target.type", "Timestamp"), NULL, NULL, &rc, err);
    assert_int_equal(rc, SL_OK);
    assert_null(sl_record_value(r));
    sl_record_release(r);
    /* an Integer is no timestamp without a schema */
    r = convert_value(TU_KV("target.type", "Timestamp"), NULL, sl_value_new_int32(1), &rc, err);
    assert_int_equal(rc, SL_ERR);
    assert_string_equal(err, "TimestampConverter does not support class java.lang.Integer objects "
                             "as timestamps");
    sl_record_release(r);
    r = convert_value(TU_KV("target.type", "unix", "format", "yyyy-MM-dd"), NULL,
                      tu_str("November"), &rc, err);
    assert_int_equal(rc, SL_ERR);
    assert_string_equal(err, "Could not parse timestamp: value (November) does not match pattern "
                             "(yyyy-MM-dd)");
    sl_record_release(r);
}

static void test_ts_converter_schemaful(void **state)
{
    (void)state;
    int rc;
    char err[1024];
    /* whole value: Timestamp -> string keeps optionality */
    sl_schema *tss = sl_schema_new_logical(SL_LOGICAL_TIMESTAMP);
    sl_schema_set_optional(tss, true);
    sl_record *r = convert_value(TU_KV("target.type", "string", "format", FMT), tss,
                                 sl_value_new_int64(DATE_PLUS_TIME), &rc, err);
    assert_int_equal(rc, SL_OK);
    assert_int_equal(sl_schema_type(sl_record_value_schema(r)), SL_TYPE_STRING);
    assert_true(sl_schema_optional(sl_record_value_schema(r)));
    tu_assert_value_json(r, "\"1970 01 02 00 00 01 000 UTC\"");
    sl_record_release(r);
    /* Date -> Timestamp */
    r = convert_value(TU_KV("target.type", "Timestamp"), sl_schema_new_logical(SL_LOGICAL_DATE),
                      sl_value_new_int32(1), &rc, err);
    assert_int_equal(sl_schema_logical(sl_record_value_schema(r)), SL_LOGICAL_TIMESTAMP);
    tu_assert_value_json(r, "86400000");
    sl_record_release(r);
    /* a field of a struct: string -> Date */
    sl_schema *s = tu_struct_schema("rec", "when", tu_prim(SL_TYPE_STRING, true), "id",
                                    tu_prim(SL_TYPE_INT32, false), NULL);
    sl_value *v = sl_value_new_struct(s);
    sl_value_struct_set(v, "when", tu_str("2023-11-14T22:13:20"));
    sl_value_struct_set(v, "id", sl_value_new_int32(5));
    tu_smt *t =
        tu_smt_new(&smt_timestamp_converter_value, TU_KV("target.type", "Date", "field", "when",
                                                         "format", "yyyy-MM-dd'T'HH:mm:ss"));
    r = tu_sink("t", 0, 0, 0, sl_schema_ref(s), sl_value_copy(v));
    assert_int_equal(tu_apply(t, r), SL_OK);
    const sl_schema *os = sl_record_value_schema(r);
    assert_string_equal(sl_schema_name(os), "rec");
    const sl_schema *when = sl_schema_field_schema(os, 0);
    assert_int_equal(sl_schema_logical(when), SL_LOGICAL_DATE);
    assert_true(sl_schema_optional(when));
    tu_assert_value_json(r, "{\"when\":19675,\"id\":5}");
    char verr[256];
    assert_int_equal(sl_value_validate(os, sl_record_value(r), verr, sizeof(verr)), SL_OK);
    sl_record_release(r);
    /* a null field stays null; a null struct passes with the new schema */
    sl_value *v2 = sl_value_copy(v);
    sl_value_struct_set(v2, "when", NULL);
    r = tu_sink("t", 0, 0, 0, sl_schema_ref(s), v2);
    assert_int_equal(tu_apply(t, r), SL_OK);
    tu_assert_value_json(r, "{\"when\":null,\"id\":5}");
    sl_record_release(r);
    r = tu_sink("t", 0, 0, 0, sl_schema_ref(s), NULL);
    assert_int_equal(tu_apply(t, r), SL_OK);
    assert_null(sl_record_value(r));
    assert_int_equal(sl_schema_logical(sl_schema_field_schema(sl_record_value_schema(r), 0)),
                     SL_LOGICAL_DATE);
    sl_record_release(r);
    tu_smt_free(t);
    /* a schema that is no timestamp */
    r = convert_value(TU_KV("target.type", "unix"), tu_prim(SL_TYPE_BOOLEAN, false),
                      sl_value_new_boolean(true), &rc, err);
    assert_int_equal(rc, SL_ERR);
    assert_non_null(strstr(err, "does not correspond to a known timestamp type format"));
    sl_record_release(r);
    sl_value_destroy(v);
    sl_schema_unref(s);

    /* $Key: Time from a Timestamp key */
    t = tu_smt_new(&smt_timestamp_converter_key, TU_KV("target.type", "Time"));
    r = tu_sink("t", 0, 0, 0, NULL, NULL);
    sl_record_set_key(r, sl_schema_new_logical(SL_LOGICAL_TIMESTAMP), sl_value_new_int64(TS));
    assert_int_equal(tu_apply(t, r), SL_OK);
    assert_int_equal(sl_schema_logical(sl_record_key_schema(r)), SL_LOGICAL_TIME);
    tu_assert_key_json(r, "80000123");
    sl_record_release(r);
    tu_smt_free(t);
}

static void test_ts_converter_bad_config(void **state)
{
    (void)state;
    tu_assert_rejected(&smt_timestamp_converter_value, TU_KV("field", "a"), "target.type",
                       "Missing required configuration \"target.type\"");
    tu_assert_rejected(&smt_timestamp_converter_value, TU_KV("target.type", "date"), "target.type",
                       "String must be one of: string, unix, Date, Time, Timestamp");
    tu_assert_rejected(&smt_timestamp_converter_value, TU_KV("target.type", "string"), "format",
                       "requires format option to be specified");
    tu_assert_rejected(&smt_timestamp_converter_value,
                       TU_KV("target.type", "string", "format", "yyyy-qq"), "format",
                       "SimpleDateFormat-compatible pattern");
    tu_assert_rejected(&smt_timestamp_converter_value,
                       TU_KV("target.type", "unix", "unix.precision", "hours"), "unix.precision",
                       "String must be one of");
    tu_assert_accepted(&smt_timestamp_converter_value, TU_KV("target.type", "unix"));
}

/* ==== TimestampRouter ==== */

static void test_timestamp_router(void **state)
{
    (void)state;
    /* Connect's TimestampRouterTest.defaultConfiguration */
    tu_smt *t = tu_smt_new(&smt_timestamp_router, TU_KV("x", "y"));
    sl_record *r = tu_sink("test", 0, 0, 1483425001864LL, NULL, NULL);
    assert_int_equal(tu_apply(t, r), SL_OK);
    assert_string_equal(sl_record_topic(r), "test-20170103");
    assert_string_equal(sl_record_original_topic(r), "test");
    sl_record_release(r);
    r = tu_sink("other", 0, 0, 1483425001864LL + 86400000LL, NULL, NULL);
    assert_int_equal(tu_apply(t, r), SL_OK);
    assert_string_equal(sl_record_topic(r), "other-20170104");
    sl_record_release(r);
    /* no timestamp */
    r = sl_source_record_new("src", 0, NULL, NULL, NULL, NULL);
    assert_int_equal(tu_apply(t, r), SL_ERR);
    assert_non_null(strstr(t->err, "Timestamp missing on record"));
    sl_record_release(r);
    tu_smt_free(t);

    t = tu_smt_new(&smt_timestamp_router, TU_KV("topic.format", "${timestamp}_${topic}_${topic}",
                                                "timestamp.format", "yyyy-MM"));
    r = tu_sink("logs", 0, 0, TS, NULL, NULL);
    assert_int_equal(tu_apply(t, r), SL_OK);
    assert_string_equal(sl_record_topic(r), "2023-11_logs_logs");
    sl_record_release(r);
    tu_smt_free(t);

    tu_assert_rejected(&smt_timestamp_router, TU_KV("timestamp.format", "yyyy-qq"),
                       "timestamp.format", "Illegal pattern character 'q'");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_format),
        cmocka_unit_test(test_ts_converter_schemaless),
        cmocka_unit_test(test_ts_converter_schemaful),
        cmocka_unit_test(test_ts_converter_bad_config),
        cmocka_unit_test(test_timestamp_router),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
