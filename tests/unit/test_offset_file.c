/* tests/unit/test_offset_file.c: the standalone file offset store: round trips, tombstones,
 * atomic replacement when a write fails, corrupt files rejected by name, concurrent puts. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/offset_file.h"

typedef struct fixture {
    char dir[256];
    char path[512];
    char errstr[512];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    snprintf(f->dir, sizeof(f->dir), "/tmp/sluice-offset-test-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/connect.offsets", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char cmd[600];
    chmod(f->dir, 0700);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static offset_entry ent(const char *k, const char *v)
{
    return (offset_entry){.key = k, .key_len = strlen(k), .value = v,
                          .value_len = v ? strlen(v) : 0};
}

/* Returns the stored value (caller frees) or NULL; asserts the lookup itself worked. */
static char *get(offset_store *s, const char *key)
{
    char err[256] = "";
    char *v = (char *)0x1;
    size_t len = 99;
    assert_int_equal(offset_store_get(s, key, strlen(key), &v, &len, err, sizeof(err)), SL_OK);
    if (v != NULL)
        assert_int_equal(len, strlen(v));
    else
        assert_int_equal(len, 0);
    return v;
}

static void assert_value(offset_store *s, const char *key, const char *want)
{
    char *v = get(s, key);
    if (want == NULL) {
        assert_null(v);
    } else {
        assert_non_null(v);
        assert_string_equal(v, want);
    }
    free(v);
}

static int count_cb(void *opaque, const offset_entry *e)
{
    assert_non_null(e->key);
    assert_non_null(e->value);
    (*(size_t *)opaque)++;
    return 0;
}

static size_t count(offset_store *s)
{
    size_t n = 0;
    assert_int_equal(offset_store_foreach(s, count_cb, &n), 0);
    return n;
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return NULL;
    char *buf = calloc(1, 1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static void spit(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
}

#define K1 "[\"file-src\",{\"filename\":\"/tmp/a.txt\"}]"
#define K2 "[\"file-src\",{\"filename\":\"/tmp/b.txt\"}]"
#define K3 "[\"jdbc\",{\"table\":\"users\",\"schema\":\"\\u00e9t\\u00e9\"}]"

static void test_missing_file_is_empty_store(void **state)
{
    fixture *f = *state;
    offset_store *s = offset_file_open(f->path, f->errstr, sizeof(f->errstr));
    assert_non_null(s);
    assert_int_equal(count(s), 0);
    assert_value(s, K1, NULL);
    /* Nothing is written until the first put. */
    assert_int_equal(access(f->path, F_OK), -1);
    offset_store_destroy(s);
    offset_store_destroy(NULL);
}

static void test_round_trip(void **state)
{
    fixture *f = *state;
    offset_store *s = offset_file_open(f->path, f->errstr, sizeof(f->errstr));
    assert_non_null(s);
    offset_entry batch[] = {ent(K1, "{\"position\":42}"), ent(K2, "{\"position\":7}"),
                            ent(K3, "{\"id\":1234}"), ent(K1, "{\"position\":43}")};
    assert_int_equal(offset_store_put(s, batch, 4, f->errstr, sizeof(f->errstr)), SL_OK);
    /* A later entry for the same key wins within a batch. */
    assert_value(s, K1, "{\"position\":43}");
    assert_value(s, K2, "{\"position\":7}");
    assert_value(s, K3, "{\"id\":1234}");
    assert_int_equal(count(s), 3);
    offset_store_destroy(s);

    /* The file is the documented format: an array of [key, value] string pairs. */
    json_error_t jerr;
    json_t *root = json_load_file(f->path, 0, &jerr);
    assert_non_null(root);
    assert_true(json_is_array(root));
    assert_int_equal(json_array_size(root), 3);
    for (size_t i = 0; i < 3; i++) {
        json_t *pair = json_array_get(root, i);
        assert_int_equal(json_array_size(pair), 2);
        assert_true(json_is_string(json_array_get(pair, 0)));
        assert_true(json_is_string(json_array_get(pair, 1)));
    }
    json_decref(root);
    char tmp[600];
    assert_int_equal(offset_file_tmp_path(f->path, tmp, sizeof(tmp)), SL_OK);
    assert_int_equal(access(tmp, F_OK), -1); /* renamed away */

    /* Reopened, the same bytes come back (keys are compared byte for byte). */
    s = offset_file_open(f->path, f->errstr, sizeof(f->errstr));
    assert_non_null(s);
    assert_int_equal(count(s), 3);
    assert_value(s, K1, "{\"position\":43}");
    assert_value(s, K2, "{\"position\":7}");
    assert_value(s, K3, "{\"id\":1234}");
    /* A key differing only in spacing is a different key. */
    assert_value(s, "[\"file-src\", {\"filename\":\"/tmp/a.txt\"}]", NULL);
    offset_store_destroy(s);
}

static void test_many_keys(void **state)
{
    fixture *f = *state;
    offset_store *s = offset_file_open(f->path, f->errstr, sizeof(f->errstr));
    assert_non_null(s);
    enum { N = 500 };
    static char keys[N][64], vals[N][64];
    offset_entry batch[N];
    for (int i = 0; i < N; i++) {
        snprintf(keys[i], sizeof(keys[i]), "[\"c\",{\"p\":%d}]", i);
        snprintf(vals[i], sizeof(vals[i]), "{\"o\":%d}", i * 3);
        batch[i] = ent(keys[i], vals[i]);
    }
    assert_int_equal(offset_store_put(s, batch, N, f->errstr, sizeof(f->errstr)), SL_OK);
    /* Delete every other key; the index must still find the rest. */
    offset_entry tomb[N / 2];
    for (int i = 0; i < N / 2; i++)
        tomb[i] = ent(keys[2 * i], NULL);
    assert_int_equal(offset_store_put(s, tomb, N / 2, f->errstr, sizeof(f->errstr)), SL_OK);
    offset_store_destroy(s);
    s = offset_file_open(f->path, f->errstr, sizeof(f->errstr));
    assert_non_null(s);
    assert_int_equal(count(s), N / 2);
    for (int i = 0; i < N; i++)
        assert_value(s, keys[i], (i % 2) ? vals[i] : NULL);
    offset_store_destroy(s);
}

static void test_null_value_deletes_key(void **state)
{
    fixture *f = *state;
    offset_store *s = offset_file_open(f->path, f->errstr, sizeof(f->errstr));
    assert_non_null(s);
    offset_entry put1[] = {ent(K1, "{\"position\":1}"), ent(K2, "{\"position\":2}")};
    assert_int_equal(offset_store_put(s, put1, 2, f->errstr, sizeof(f->errstr)), SL_OK);
    offset_entry del[] = {ent(K1, NULL), ent("[\"never\",{}]", NULL)};
    assert_int_equal(offset_store_put(s, del, 2, f->errstr, sizeof(f->errstr)), SL_OK);
    assert_value(s, K1, NULL);
    assert_value(s, K2, "{\"position\":2}");
    assert_int_equal(count(s), 1);
    /* Set and delete in one batch: the later entry wins. */
    offset_entry both[] = {ent(K3, "{\"id\":1}"), ent(K3, NULL)};
    assert_int_equal(offset_store_put(s, both, 2, f->errstr, sizeof(f->errstr)), SL_OK);
    assert_value(s, K3, NULL);
    offset_store_destroy(s);

    s = offset_file_open(f->path, f->errstr, sizeof(f->errstr));
    assert_non_null(s);
    assert_value(s, K1, NULL);
    assert_value(s, K3, NULL);
    assert_value(s, K2, "{\"position\":2}");
    assert_int_equal(count(s), 1);
    offset_store_destroy(s);
}

static void test_failed_write_keeps_old_file(void **state)
{
    fixture *f = *state;
    offset_store *s = offset_file_open(f->path, f->errstr, sizeof(f->errstr));
    assert_non_null(s);
    offset_entry a[] = {ent(K1, "{\"position\":10}"), ent(K2, "{\"position\":20}")};
    assert_int_equal(offset_store_put(s, a, 2, f->errstr, sizeof(f->errstr)), SL_OK);
    char *before = slurp(f->path);
    assert_non_null(before);

    /* Make the temp file impossible to create, even for root: put a directory in its place. */
    char tmp[600];
    assert_int_equal(offset_file_tmp_path(f->path, tmp, sizeof(tmp)), SL_OK);
    assert_int_equal(mkdir(tmp, 0700), 0);
    offset_entry b[] = {ent(K1, "{\"position\":11}"), ent(K2, NULL), ent(K3, "{\"id\":5}")};
    f->errstr[0] = '\0';
    assert_int_equal(offset_store_put(s, b, 3, f->errstr, sizeof(f->errstr)), SL_ERR);
    assert_non_null(strstr(f->errstr, f->path));
    assert_non_null(strstr(f->errstr, "cannot create"));

    /* The old file is untouched and memory was rolled back to match it. */
    char *after = slurp(f->path);
    assert_string_equal(before, after);
    free(after);
    assert_value(s, K1, "{\"position\":10}");
    assert_value(s, K2, "{\"position\":20}");
    assert_value(s, K3, NULL);
    assert_int_equal(count(s), 2);

    /* Once the obstacle is gone the next put succeeds. */
    assert_int_equal(rmdir(tmp), 0);
    assert_int_equal(offset_store_put(s, b, 3, f->errstr, sizeof(f->errstr)), SL_OK);
    assert_value(s, K1, "{\"position\":11}");
    assert_value(s, K2, NULL);
    assert_value(s, K3, "{\"id\":5}");
    offset_store_destroy(s);
    free(before);

    s = offset_file_open(f->path, f->errstr, sizeof(f->errstr));
    assert_non_null(s);
    assert_value(s, K1, "{\"position\":11}");
    assert_int_equal(count(s), 2);
    offset_store_destroy(s);
}

static void test_read_only_directory(void **state)
{
    fixture *f = *state;
    if (geteuid() == 0)
        skip(); /* root ignores directory permissions; the test above covers the failure */
    offset_store *s = offset_file_open(f->path, f->errstr, sizeof(f->errstr));
    assert_non_null(s);
    offset_entry a[] = {ent(K1, "{\"position\":10}")};
    assert_int_equal(offset_store_put(s, a, 1, f->errstr, sizeof(f->errstr)), SL_OK);
    assert_int_equal(chmod(f->dir, 0500), 0);
    offset_entry b[] = {ent(K1, "{\"position\":99}")};
    assert_int_equal(offset_store_put(s, b, 1, f->errstr, sizeof(f->errstr)), SL_ERR);
    assert_value(s, K1, "{\"position\":10}");
    chmod(f->dir, 0700);
    offset_store_destroy(s);
}

static void test_unchanged_put_does_not_rewrite(void **state)
{
    fixture *f = *state;
    offset_store *s = offset_file_open(f->path, f->errstr, sizeof(f->errstr));
    assert_non_null(s);
    offset_entry a[] = {ent(K1, "{\"position\":10}")};
    assert_int_equal(offset_store_put(s, a, 1, f->errstr, sizeof(f->errstr)), SL_OK);
    struct stat st1, st2, st3;
    assert_int_equal(stat(f->path, &st1), 0);
    assert_int_equal(offset_store_put(s, a, 1, f->errstr, sizeof(f->errstr)), SL_OK);
    assert_int_equal(offset_store_put(s, NULL, 0, f->errstr, sizeof(f->errstr)), SL_OK);
    assert_int_equal(stat(f->path, &st2), 0);
    assert_int_equal(st1.st_ino, st2.st_ino);
    /* A changed value goes through a new file renamed into place. */
    offset_entry b[] = {ent(K1, "{\"position\":11}")};
    assert_int_equal(offset_store_put(s, b, 1, f->errstr, sizeof(f->errstr)), SL_OK);
    assert_int_equal(stat(f->path, &st3), 0);
    assert_true(st1.st_ino != st3.st_ino);
    offset_store_destroy(s);
}

static void expect_corrupt(fixture *f, const char *text, const char *needle)
{
    spit(f->path, text);
    f->errstr[0] = '\0';
    offset_store *s = offset_file_open(f->path, f->errstr, sizeof(f->errstr));
    if (s != NULL)
        fail_msg("accepted corrupt offset file: %s", text);
    assert_non_null(strstr(f->errstr, f->path));
    if (strstr(f->errstr, needle) == NULL)
        fail_msg("error '%s' lacks '%s'", f->errstr, needle);
}

static void test_corrupt_file_rejected(void **state)
{
    fixture *f = *state;
    expect_corrupt(f, "not json at all", "corrupt offset file");
    expect_corrupt(f, "[[\"k\",\"v\"]", "corrupt offset file"); /* truncated */
    expect_corrupt(f, "{\"k\":\"v\"}", "expected a JSON array");
    expect_corrupt(f, "[[\"k\"]]", "entry 0");
    expect_corrupt(f, "[[\"k\",\"v\"],[1,\"v\"]]", "entry 1");
    expect_corrupt(f, "[[\"k\",{\"position\":1}]]", "entry 0");
    expect_corrupt(f, "[[\"k\",\"v\",\"x\"]]", "entry 0");
    expect_corrupt(f, "[\"k\"]", "entry 0");
    expect_corrupt(f, "   \n", "corrupt offset file");
    expect_corrupt(f, "[[\"k\",\"\xff\xfe\"]]", "corrupt offset file"); /* invalid UTF-8 */

    /* The corrupt file was not replaced or removed. */
    char *text = slurp(f->path);
    assert_string_equal(text, "[[\"k\",\"\xff\xfe\"]]");
    free(text);
}

static void test_tolerated_files(void **state)
{
    fixture *f = *state;
    /* Empty file: an empty store (as Kafka's FileOffsetBackingStore). */
    spit(f->path, "");
    offset_store *s = offset_file_open(f->path, f->errstr, sizeof(f->errstr));
    assert_non_null(s);
    assert_int_equal(count(s), 0);
    offset_store_destroy(s);

    /* Hand-written file: any whitespace, a null value as a tombstone, later pairs win. */
    spit(f->path, "[ [\"a\", \"1\"], [\"b\",\"2\"], [\"a\", null], [\"b\", \"3\"] ]");
    s = offset_file_open(f->path, f->errstr, sizeof(f->errstr));
    assert_non_null(s);
    assert_value(s, "a", NULL);
    assert_value(s, "b", "3");
    assert_int_equal(count(s), 1);
    offset_store_destroy(s);
}

static void test_bad_paths_and_entries(void **state)
{
    fixture *f = *state;
    assert_null(offset_file_open(NULL, f->errstr, sizeof(f->errstr)));
    assert_null(offset_file_open("", f->errstr, sizeof(f->errstr)));
    assert_non_null(strstr(f->errstr, "offset.storage.file.filename"));
    /* A directory is not an offset file. */
    assert_null(offset_file_open(f->dir, f->errstr, sizeof(f->errstr)));
    assert_non_null(strstr(f->errstr, "not a regular file"));

    offset_store *s = offset_file_open(f->path, f->errstr, sizeof(f->errstr));
    assert_non_null(s);
    offset_entry good = ent(K1, "{\"position\":1}");
    assert_int_equal(offset_store_put(s, &good, 1, f->errstr, sizeof(f->errstr)), SL_OK);
    /* A keyless entry fails the batch and rolls back what came before it. */
    offset_entry bad[] = {ent(K1, "{\"position\":2}"), {.key = NULL, .value = "x", .value_len = 1}};
    assert_int_equal(offset_store_put(s, bad, 2, f->errstr, sizeof(f->errstr)), SL_ERR);
    assert_value(s, K1, "{\"position\":1}");
    /* Bytes that are not UTF-8 cannot be written as JSON: refused, rolled back. */
    offset_entry bin[] = {ent(K2, "{\"position\":2}"), ent(K3, "\xff\xfe")};
    assert_int_equal(offset_store_put(s, bin, 2, f->errstr, sizeof(f->errstr)), SL_ERR);
    assert_non_null(strstr(f->errstr, "UTF-8"));
    assert_value(s, K2, NULL);
    assert_value(s, K3, NULL);
    assert_int_equal(count(s), 1);
    offset_store_destroy(s);
}

static void test_tmp_path(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(offset_file_tmp_path("/var/lib/sluice/connect.offsets", out, sizeof(out)),
                     SL_OK);
    assert_string_equal(out, "/var/lib/sluice/connect.offsets.tmp");
    /* Same directory as the target, so that rename() is atomic. */
    assert_int_equal(offset_file_tmp_path("offsets", out, sizeof(out)), SL_OK);
    assert_string_equal(out, "offsets.tmp");
    assert_int_equal(offset_file_tmp_path("/a/very/long/path/name", out, 10), SL_ERR);
    assert_int_equal(offset_file_tmp_path(NULL, out, sizeof(out)), SL_ERR);
}

typedef struct writer_arg {
    offset_store *s;
    int id;
    int rc;
} writer_arg;

enum { WRITERS = 4, PUTS = 8 };

static void *writer(void *p)
{
    writer_arg *a = p;
    char err[256];
    for (int i = 0; i < PUTS && a->rc == SL_OK; i++) {
        char k[64], v[64];
        snprintf(k, sizeof(k), "[\"c%d\",{\"p\":%d}]", a->id, i);
        snprintf(v, sizeof(v), "{\"o\":%d}", i);
        offset_entry e = ent(k, v);
        a->rc = offset_store_put(a->s, &e, 1, err, sizeof(err));
        char *got = NULL;
        size_t len = 0;
        if (a->rc == SL_OK)
            a->rc = offset_store_get(a->s, k, strlen(k), &got, &len, err, sizeof(err));
        if (a->rc == SL_OK && (got == NULL || strcmp(got, v) != 0))
            a->rc = SL_ERR;
        free(got);
    }
    return NULL;
}

static void test_concurrent_puts(void **state)
{
    fixture *f = *state;
    offset_store *s = offset_file_open(f->path, f->errstr, sizeof(f->errstr));
    assert_non_null(s);
    pthread_t th[WRITERS];
    writer_arg args[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        args[i] = (writer_arg){.s = s, .id = i, .rc = SL_OK};
        assert_int_equal(pthread_create(&th[i], NULL, writer, &args[i]), 0);
    }
    for (int i = 0; i < WRITERS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].rc, SL_OK);
    }
    offset_store_destroy(s);
    s = offset_file_open(f->path, f->errstr, sizeof(f->errstr));
    assert_non_null(s);
    assert_int_equal(count(s), WRITERS * PUTS);
    offset_store_destroy(s);
}

static int stop_cb(void *opaque, const offset_entry *e)
{
    (void)e;
    return ++*(int *)opaque == 2 ? 7 : 0;
}

static void test_foreach_stops(void **state)
{
    fixture *f = *state;
    offset_store *s = offset_file_open(f->path, f->errstr, sizeof(f->errstr));
    assert_non_null(s);
    offset_entry a[] = {ent("a", "1"), ent("b", "2"), ent("c", "3")};
    assert_int_equal(offset_store_put(s, a, 3, f->errstr, sizeof(f->errstr)), SL_OK);
    int calls = 0;
    assert_int_equal(offset_store_foreach(s, stop_cb, &calls), 7);
    assert_int_equal(calls, 2);
    offset_store_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_missing_file_is_empty_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_null_value_deletes_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_write_keeps_old_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_only_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unchanged_put_does_not_rewrite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_file_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tolerated_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_paths_and_entries, setup, teardown),
        cmocka_unit_test(test_tmp_path),
        cmocka_unit_test_setup_teardown(test_concurrent_puts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreach_stops, setup, teardown),
    };
    return cmocka_run_group_tests_name("offset_file", tests, NULL, NULL);
}
