/* tests/unit/test_postgres_sql.c: the SQL text of the PostgreSQL sink (DDL, COPY, staging
 * merges for upsert/update/delete, the offsets and rejected tables), with quoting of hostile
 * names, and connection.url translation from JDBC URLs (good and bad). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conninfo.h"
#include "sql.h"

static pg_sb sb;

#define EXPECT(want)                                                                               \
    do {                                                                                           \
        assert_string_equal(pg_sb_str(&sb), want);                                                 \
        pg_sb_reset(&sb);                                                                          \
    } while (0)

static void test_ddl(void **state)
{
    (void)state;
    pgs_col cols[] = {{"id", "bigint", true, true},
                      {"Name", "text", false, false},
                      {"we\"ird", "jsonb", true, false}};
    pgs_create_table(&sb, "s", "t", cols, 3);
    EXPECT("CREATE TABLE IF NOT EXISTS \"s\".\"t\" (\"id\" bigint NOT NULL, \"Name\" text, "
           "\"we\"\"ird\" jsonb NOT NULL, PRIMARY KEY (\"id\"))");
    pgs_create_table(&sb, NULL, "t", cols + 1, 1);
    EXPECT("CREATE TABLE IF NOT EXISTS \"t\" (\"Name\" text)");
    pgs_add_column(&sb, NULL, "t", "x; DROP TABLE t", "text");
    EXPECT("ALTER TABLE \"t\" ADD COLUMN IF NOT EXISTS \"x; DROP TABLE t\" text");
}

static void test_copy_and_merges(void **state)
{
    (void)state;
    const char *cols[] = {"k1", "k2", "v"};
    const bool pk[] = {true, true, false};
    const bool allpk[] = {true, true, true};
    pgs_copy(&sb, NULL, "t", cols, 3);
    EXPECT("COPY \"t\" (\"k1\", \"k2\", \"v\") FROM STDIN");
    pgs_stage(&sb, "sluice_stage_0", "s", "t", cols, 3);
    EXPECT("CREATE TEMP TABLE \"sluice_stage_0\" ON COMMIT DROP AS SELECT \"k1\", \"k2\", \"v\" "
           "FROM \"s\".\"t\" WITH NO DATA");
    pgs_truncate(&sb, "sluice_stage_0");
    EXPECT("TRUNCATE \"sluice_stage_0\"");
    pgs_upsert(&sb, NULL, "t", "st", cols, pk, 3);
    EXPECT("INSERT INTO \"t\" (\"k1\", \"k2\", \"v\") SELECT \"k1\", \"k2\", \"v\" FROM \"st\" "
           "ON CONFLICT (\"k1\", \"k2\") DO UPDATE SET \"v\" = EXCLUDED.\"v\"");
    pgs_upsert(&sb, NULL, "t", "st", cols, allpk, 3);
    EXPECT("INSERT INTO \"t\" (\"k1\", \"k2\", \"v\") SELECT \"k1\", \"k2\", \"v\" FROM \"st\" "
           "ON CONFLICT (\"k1\", \"k2\", \"v\") DO NOTHING");
    assert_true(pgs_update(&sb, NULL, "t", "st", cols, pk, 3));
    EXPECT("UPDATE \"t\" AS t SET \"v\" = s.\"v\" FROM \"st\" AS s WHERE t.\"k1\" = s.\"k1\" "
           "AND t.\"k2\" = s.\"k2\"");
    assert_false(pgs_update(&sb, NULL, "t", "st", cols, allpk, 3));
    EXPECT("");
    pgs_delete(&sb, "s", "t", "st", cols, 2);
    EXPECT("DELETE FROM \"s\".\"t\" AS t USING \"st\" AS s WHERE t.\"k1\" = s.\"k1\" AND "
           "t.\"k2\" = s.\"k2\"");
}

static void test_bookkeeping(void **state)
{
    (void)state;
    pgs_offsets_ddl(&sb, NULL, "__sluice_offsets");
    assert_non_null(
        strstr(pg_sb_str(&sb), "PRIMARY KEY (\"connector\", \"topic\", \"partition\")"));
    pg_sb_reset(&sb);
    pgs_offsets_upsert(&sb, "ops", "offs");
    assert_non_null(strstr(pg_sb_str(&sb), "INSERT INTO \"ops\".\"offs\" AS o"));
    /* The fence: only a row still holding what we last saw is moved. */
    assert_non_null(strstr(pg_sb_str(&sb), "WHERE o.\"next_offset\" IS NOT DISTINCT FROM "
                                           "$5::bigint RETURNING 1"));
    pg_sb_reset(&sb);
    pgs_offsets_select(&sb, NULL, "o");
    EXPECT("SELECT \"topic\", \"partition\", \"next_offset\" FROM \"o\" WHERE \"connector\" = $1");
    pgs_rejected_ddl(&sb, NULL, "rej");
    EXPECT("CREATE TABLE IF NOT EXISTS \"rej\" (\"topic\" text, \"partition\" integer, \"offset\" "
           "bigint, \"key\" text, \"value\" text, \"reason\" text, \"time\" timestamptz NOT NULL "
           "DEFAULT now())");
    pgs_rejected_insert(&sb, NULL, "rej");
    EXPECT("INSERT INTO \"rej\" (\"topic\", \"partition\", \"offset\", \"key\", \"value\", "
           "\"reason\") VALUES ($1, $2::integer, $3::bigint, $4, $5, $6)");
}

static void expect_conninfo(const char *url, const char *want, const char *want_ignored)
{
    char *out = NULL, err[256] = "";
    pg_sb ignored = PG_SB_INIT;
    assert_int_equal(pgc_conninfo_from_url(url, &out, &ignored, err, sizeof(err)), 0);
    assert_string_equal(out, want);
    assert_string_equal(pg_sb_str(&ignored), want_ignored);
    free(out);
    pg_sb_free(&ignored);
}

static void expect_bad_url(const char *url)
{
    char *out = NULL, err[256] = "";
    assert_int_equal(pgc_conninfo_from_url(url, &out, NULL, err, sizeof(err)), -1);
    assert_null(out);
    assert_true(err[0] != '\0');
}

static void test_conninfo(void **state)
{
    (void)state;
    expect_conninfo("jdbc:postgresql://db.example:5433/sales?user=u&password=p%27q%5C&ssl=true",
                    "host='db.example' port='5433' dbname='sales' user='u' "
                    "password='p\\'q\\\\' sslmode='require'",
                    "");
    /* sslmode wins over ssl=true; several hosts, one without a port. */
    expect_conninfo("jdbc:postgresql://h1:6000,h2/db?ssl=true&sslmode=verify-full",
                    "host='h1,h2' port='6000,5432' dbname='db' sslmode='verify-full'", "");
    expect_conninfo("jdbc:postgresql://[::1]:5432/db", "host='::1' port='5432' dbname='db'", "");
    expect_conninfo("jdbc:postgresql://localhost/db", "host='localhost' dbname='db'", "");
    expect_conninfo("jdbc:postgresql:mydb", "dbname='mydb'", "");
    expect_conninfo(
        "JDBC:postgresql://h/d%20b?ApplicationName=app&currentSchema=s1&"
        "targetServerType=primary&loginTimeout=5&prepareThreshold=0&reWriteBatchedInserts=true",
        "host='h' dbname='d b' application_name='app' options='-c search_path=s1' "
        "target_session_attrs='primary' connect_timeout='5'",
        "prepareThreshold,reWriteBatchedInserts");
    /* libpq's own forms pass through untouched. */
    expect_conninfo("postgresql://u@h:5/db?sslmode=disable",
                    "postgresql://u@h:5/db?sslmode=disable", "");
    expect_conninfo("host=h port=5 dbname=d", "host=h port=5 dbname=d", "");

    expect_bad_url("");
    expect_bad_url(NULL);
    expect_bad_url("jdbc:mysql://h/db");
    expect_bad_url("jdbc:postgresql://h:12ab/db");
    expect_bad_url("jdbc:postgresql://[::1/db");
}

int main(void)
{
    sb = (pg_sb)PG_SB_INIT;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ddl),
        cmocka_unit_test(test_copy_and_merges),
        cmocka_unit_test(test_bookkeeping),
        cmocka_unit_test(test_conninfo),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    pg_sb_free(&sb);
    return rc;
}
