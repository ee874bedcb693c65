/* tests/unit/test_postgres_copy.c: the PostgreSQL sink's COPY text encoding: escaping
 * (including hostile bytes), null, JSON strings, Date/Time/Timestamp (before 1970 and BC),
 * Decimal from two's complement bytes, round-tripping floats, bytea, and whole values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "copyfmt.h"

static pg_sb sb;

static int setup(void **state)
{
    (void)state;
    sb = (pg_sb)PG_SB_INIT;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    pg_sb_free(&sb);
    return 0;
}

#define EXPECT(want)                                                                               \
    do {                                                                                           \
        assert_string_equal(pg_sb_str(&sb), want);                                                 \
        pg_sb_reset(&sb);                                                                          \
    } while (0)

static void test_text_and_json(void **state)
{
    (void)state;
    pgf_text(&sb, "plain", 5);
    EXPECT("plain");
    pgf_text(&sb, "a\tb\nc\rd\\e", 9);
    EXPECT("a\\tb\\nc\\rd\\\\e");
    /* A NUL cannot be stored: it is sent as an escape so the server refuses the row. */
    pgf_text(&sb, "x\0y", 3);
    EXPECT("x\\000y");
    /* COPY's end-of-data marker must not appear unescaped. */
    pgf_text(&sb, "\\.", 2);
    EXPECT("\\\\.");
    pgf_text(&sb, "", 0);
    EXPECT("");
    pgf_null(&sb);
    EXPECT("\\N");
    pgf_json_string(&sb, "q\"b\\n\n\x01\xc3\xa9", 9);
    EXPECT("\"q\\\"b\\\\n\\n\\u0001\xc3\xa9\"");
}

static void test_dates_and_times(void **state)
{
    (void)state;
    pgf_date(&sb, 0);
    EXPECT("1970-01-01");
    pgf_date(&sb, 19000);
    EXPECT("2022-01-08");
    pgf_date(&sb, -1);
    EXPECT("1969-12-31");
    pgf_date(&sb, 11016);
    EXPECT("2000-02-29");
    pgf_date(&sb, -719528); /* proleptic year 0 is 1 BC */
    EXPECT("0001-01-01 BC");
    pgf_time(&sb, 3723004);
    EXPECT("01:02:03.004");
    pgf_time(&sb, -1);
    EXPECT("23:59:59.999");
    pgf_timestamp(&sb, 1700000000123);
    EXPECT("2023-11-14 22:13:20.123");
    pgf_timestamp(&sb, -1);
    EXPECT("1969-12-31 23:59:59.999");
    pgf_timestamp(&sb, 0);
    EXPECT("1970-01-01 00:00:00.000");
}

static void test_decimal(void **state)
{
    (void)state;
    const unsigned char m12345[] = {0xcf, 0xc7};
    pgf_decimal(&sb, m12345, 2, 2);
    EXPECT("-123.45");
    const unsigned char five[] = {0x05};
    pgf_decimal(&sb, five, 1, 3);
    EXPECT("0.005");
    pgf_decimal(&sb, five, 1, 0);
    EXPECT("5");
    pgf_decimal(&sb, NULL, 0, 2);
    EXPECT("0.00");
    const unsigned char twelve[] = {0x0c};
    pgf_decimal(&sb, twelve, 1, -2);
    EXPECT("1200");
    const unsigned char m1[] = {0xff}, m128[] = {0x80}, p128[] = {0x00, 0x80};
    pgf_decimal(&sb, m1, 1, 0);
    EXPECT("-1");
    pgf_decimal(&sb, m128, 1, 1);
    EXPECT("-12.8");
    pgf_decimal(&sb, p128, 2, 0);
    EXPECT("128");
    /* 2^100 = 1267650600228229401496703205376, beyond any machine integer. */
    unsigned char big[14] = {0};
    big[1] = 0x10;
    pgf_decimal(&sb, big, sizeof(big), 5);
    EXPECT("12676506002282294014967032.05376");
}

static void test_numbers_and_bytes(void **state)
{
    (void)state;
    pgf_double(&sb, 0.1, false);
    EXPECT("0.1");
    pgf_double(&sb, 1.0 / 3.0, false);
    EXPECT("0.3333333333333333");
    pgf_double(&sb, 1e300, false);
    EXPECT("1e+300");
    pgf_double(&sb, (double)1.1f, true);
    EXPECT("1.1");
    pgf_double(&sb, 0.0 / 0.0, false);
    EXPECT("NaN");
    pgf_double(&sb, -1.0 / 0.0, false);
    EXPECT("-Infinity");
    const unsigned char raw[] = {0x00, 0x01, 0xff};
    pgf_bytea(&sb, raw, 3);
    EXPECT("\\\\x0001ff");
    pgf_bytea(&sb, raw, 0);
    EXPECT("\\\\x");
}

static void check_value(sl_value *v, const sl_schema *s, const char *want)
{
    char err[128];
    assert_int_equal(pgf_value(&sb, v, s, err, sizeof(err)), 0);
    EXPECT(want);
    sl_value_destroy(v);
}

static void test_values(void **state)
{
    (void)state;
    check_value(NULL, NULL, "\\N");
    check_value(sl_value_new_int8(-8), NULL, "-8");
    check_value(sl_value_new_int64(INT64_MIN), NULL, "-9223372036854775808");
    check_value(sl_value_new_boolean(true), NULL, "t");
    check_value(sl_value_new_boolean(false), NULL, "f");
    check_value(sl_value_new_float32(2.5f), NULL, "2.5");
    check_value(sl_value_new_string("a\tb", 3), NULL, "a\\tb");
    check_value(sl_value_new_bytes("\x10", 1), NULL, "\\\\x10");

    sl_schema *date = sl_schema_new_logical(SL_LOGICAL_DATE);
    check_value(sl_value_new_int32(19000), date, "2022-01-08");
    sl_schema_unref(date);
    sl_schema *ts = sl_schema_new_logical(SL_LOGICAL_TIMESTAMP);
    check_value(sl_value_new_int64(1700000000123), ts, "2023-11-14 22:13:20.123");
    sl_schema_unref(ts);
    sl_schema *time = sl_schema_new_logical(SL_LOGICAL_TIME);
    check_value(sl_value_new_int32(1000), time, "00:00:01.000");
    sl_schema_unref(time);
    sl_schema *dec = sl_schema_new_decimal(2);
    check_value(sl_value_new_decimal_i64(-12345), dec, "-123.45");
    sl_schema_unref(dec);

    /* Containers become JSON (for jsonb), COPY-escaped. */
    sl_value *m = sl_value_new_map();
    sl_value_map_put_str(m, "k", sl_value_new_string("x\ty", 3));
    check_value(m, NULL, "{\"k\":\"x\\\\ty\"}");
    sl_value *a = sl_value_new_array();
    sl_value_array_append(a, sl_value_new_int32(1));
    sl_value_array_append(a, NULL);
    check_value(a, NULL, "[1,null]");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_text_and_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dates_and_times, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decimal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_numbers_and_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_values, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
