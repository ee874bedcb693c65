/* tests/unit/test_fs_wal.c: the fs sink's write-ahead log: block encoding round trips, logs torn
 * at every byte, single-byte corruption, hostile input, the flock lease, and recovery redoing
 * logged renames (and only those) before emptying the log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sluice/sdk.h>

#include "fs_io.h"
#include "fs_names.h"
#include "fs_wal.h"

typedef struct seen {
    int blocks;
    size_t pairs;
    char last_final[256];
} seen;

static int count_cb(const fs_wal_pair *pairs, size_t n, void *opaque)
{
    seen *s = opaque;
    s->blocks++;
    s->pairs += n;
    if (n > 0)
        snprintf(s->last_final, sizeof(s->last_final), "%s", pairs[n - 1].final);
    return SL_OK;
}

/* Two blocks: 2 pairs (with awkward characters) and 1 pair. */
static char *two_blocks(size_t *len, size_t *first_len)
{
    fs_wal_pair a[] = {{"topics/+tmp/t/p=0/t+0+00_tmp.json", "topics/t/p=0/t+0+0+9.json"},
                       {"dir with space/x\ny:z", "final 2:x"}};
    fs_wal_pair b[] = {{"tmp3", "final3"}};
    size_t la, lb;
    char *ea = fs_wal_encode(a, 2, &la);
    char *eb = fs_wal_encode(b, 1, &lb);
    char *all = malloc(la + lb);
    memcpy(all, ea, la);
    memcpy(all + la, eb, lb);
    free(ea);
    free(eb);
    *len = la + lb;
    *first_len = la;
    return all;
}

static void test_round_trip(void **state)
{
    (void)state;
    size_t len, first;
    char *data = two_blocks(&len, &first);
    assert_memory_equal(data, "BEGIN 2\nFILE 33:", 16);
    seen s = {0};
    size_t good = 0;
    assert_int_equal(fs_wal_decode(data, len, count_cb, &s, &good), 2);
    assert_int_equal(s.blocks, 2);
    assert_int_equal(s.pairs, 3);
    assert_int_equal(good, len);
    assert_string_equal(s.last_final, "final3");
    /* An empty block is legal (nothing was open). */
    size_t el;
    char *e = fs_wal_encode(NULL, 0, &el);
    assert_int_equal(fs_wal_decode(e, el, NULL, NULL, &good), 1);
    free(e);
    free(data);
}

static void test_torn_at_every_byte(void **state)
{
    (void)state;
    size_t len, first;
    char *data = two_blocks(&len, &first);
    for (size_t cut = 0; cut <= len; cut++) {
        seen s = {0};
        size_t good = 99;
        int blocks = fs_wal_decode(data, cut, count_cb, &s, &good);
        int want = cut == len ? 2 : cut >= first ? 1 : 0;
        if (blocks != want || good != (want == 2 ? len : want == 1 ? first : 0))
            fail_msg("cut at %zu: %d blocks, good %zu", cut, blocks, good);
    }
    free(data);
}

static void test_corruption(void **state)
{
    (void)state;
    size_t len, first;
    char *data = two_blocks(&len, &first);
    for (size_t i = first; i < len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            data[i] ^= (char)(1 << bit);
            size_t good;
            int blocks = fs_wal_decode(data, len, NULL, NULL, &good);
            if (blocks != 1 || good != first)
                fail_msg("flipping bit %d of byte %zu: %d blocks", bit, i, blocks);
            data[i] ^= (char)(1 << bit);
        }
    }
    free(data);
}

static void test_hostile(void **state)
{
    (void)state;
    static const char *const inputs[] = {
        "",
        "BEGIN 999999999999999999999\n",
        "BEGIN 1\nFILE 99999999999:x 1:y\nEND 00000000\n",
        "BEGIN 1\nFILE 4:ab\n",
        "BEGIN 1\nFILE 1:a 1:b\nEND zzzzzzzz\n",
        "BEGIN -1\n",
        "garbage\n\n\n",
        "BEGIN 1\nFILE 1:a 1:b\nFILE 1:c 1:d\nEND 00000000\n",
    };
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        size_t good = 99;
        assert_int_equal(fs_wal_decode(inputs[i], strlen(inputs[i]), NULL, NULL, &good), 0);
        assert_int_equal(good, 0);
    }
    /* A NUL inside a path is refused (paths become C strings). */
    char nul[] = "BEGIN 1\nFILE 3:a\0b 1:c\nEND 00000000\n";
    size_t good;
    assert_int_equal(fs_wal_decode(nul, sizeof(nul) - 1, NULL, NULL, &good), 0);
    /* Random bytes never crash the decoder. */
    uint64_t seed = 1;
    char buf[512];
    for (int round = 0; round < 2000; round++) {
        size_t n = (size_t)(seed % sizeof(buf));
        for (size_t k = 0; k < n; k++) {
            seed = seed * 6364136223846793005ULL + 1;
            buf[k] = "BEGINFLEND 0123456789:\n"[(seed >> 33) % 23];
        }
        fs_wal_decode(buf, n, NULL, NULL, &good);
        assert_true(good <= n);
    }
}

/* ==== files ==== */

static char root[256];

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof(root), "/tmp/sluice-fs-wal-XXXXXX");
    return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *rel, const char *text)
{
    char *p = fs_path_join(root, rel);
    char *d = fs_dirname(p);
    char err[256];
    assert_int_equal(fs_mkdirs(d, err, sizeof(err)), SL_OK);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(d);
    free(p);
}

static char *read_rel(const char *rel)
{
    char *p = fs_path_join(root, rel);
    int fd = open(p, O_RDONLY);
    free(p);
    if (fd < 0)
        return NULL;
    char *data;
    size_t len;
    assert_int_equal(fs_read_file(fd, &data, &len), SL_OK);
    close(fd);
    return data;
}

static void test_lease_and_recovery(void **state)
{
    (void)state;
    char err[512];
    char *logpath = fs_path_join(root, "logs", "t", "0", "log");
    fs_wal w = {.fd = -1}, w2 = {.fd = -1};
    bool busy = true;
    assert_int_equal(fs_wal_open(&w, logpath, &busy, err, sizeof(err)), SL_OK);
    assert_false(busy);
    /* A second owner (another open file description) is refused while the first holds it. */
    assert_int_equal(fs_wal_open(&w2, logpath, &busy, err, sizeof(err)), SL_ERR);
    assert_true(busy);
    assert_non_null(strstr(err, "held by another task"));

    /* State after a crash: block 1 renamed already (its temp file is gone), block 2 logged but
     * not renamed, then a torn third block whose temp file must stay unrenamed. */
    write_file("topics/+tmp/t/partition=0/t+0+aaaaaaaaaaaaaaaa_tmp.json", "{\"n\":10}\n");
    write_file("topics/+tmp/t/partition=0/t+0+bbbbbbbbbbbbbbbb_tmp.json", "{\"n\":20}\n");
    write_file("topics/t/partition=0/t+0+0000000000+0000000009.json", "done\n");
    fs_wal_pair b1[] = {{"topics/+tmp/t/partition=0/t+0+0000000000000000_tmp.json",
                         "topics/t/partition=0/t+0+0000000000+0000000009.json"}};
    fs_wal_pair b2[] = {{"topics/+tmp/t/partition=0/t+0+aaaaaaaaaaaaaaaa_tmp.json",
                         "topics/t/partition=0/t+0+0000000010+0000000019.json"}};
    fs_wal_pair b3[] = {{"topics/+tmp/t/partition=0/t+0+bbbbbbbbbbbbbbbb_tmp.json",
                         "topics/t/partition=0/t+0+0000000020+0000000029.json"}};
    assert_int_equal(fs_wal_append(&w, b1, 1, err, sizeof(err)), SL_OK);
    assert_int_equal(fs_wal_append(&w, b2, 1, err, sizeof(err)), SL_OK);
    size_t l3;
    char *e3 = fs_wal_encode(b3, 1, &l3);
    assert_int_equal(fs_write_all(w.fd, e3, l3 - 3), SL_OK); /* torn */
    free(e3);
    fs_wal_close(&w);

    assert_int_equal(fs_wal_open(&w, logpath, &busy, err, sizeof(err)), SL_OK);
    int redone = -1;
    assert_int_equal(fs_wal_recover(&w, root, &redone, err, sizeof(err)), SL_OK);
    assert_int_equal(redone, 1);
    char *c = read_rel("topics/t/partition=0/t+0+0000000010+0000000019.json");
    assert_non_null(c);
    assert_string_equal(c, "{\"n\":10}\n");
    free(c);
    c = read_rel("topics/t/partition=0/t+0+0000000000+0000000009.json");
    assert_string_equal(c, "done\n"); /* untouched */
    free(c);
    assert_null(read_rel("topics/t/partition=0/t+0+0000000020+0000000029.json"));
    c = read_rel("topics/+tmp/t/partition=0/t+0+bbbbbbbbbbbbbbbb_tmp.json");
    assert_non_null(c); /* the torn block's file is left for the stale-file sweep */
    free(c);
    struct stat st;
    assert_int_equal(stat(logpath, &st), 0);
    assert_int_equal(st.st_size, 0); /* emptied once everything is durable */

    /* Recovery is idempotent. */
    assert_int_equal(fs_wal_recover(&w, root, &redone, err, sizeof(err)), SL_OK);
    assert_int_equal(redone, 0);

    /* Trim only past the threshold. */
    assert_int_equal(fs_wal_append(&w, b1, 1, err, sizeof(err)), SL_OK);
    assert_int_equal(fs_wal_trim(&w, 1 << 20, err, sizeof(err)), SL_OK);
    assert_true(w.size > 0);
    assert_int_equal(fs_wal_trim(&w, 0, err, sizeof(err)), SL_OK);
    assert_int_equal(w.size, 0);
    fs_wal_close(&w);
    fs_wal_close(&w); /* safe twice */

    /* Released: another owner gets it now. */
    assert_int_equal(fs_wal_open(&w2, logpath, &busy, err, sizeof(err)), SL_OK);
    fs_wal_close(&w2);
    free(logpath);
}

static int walk_count(const char *path, const char *name, void *opaque)
{
    (void)path;
    (void)name;
    (*(int *)opaque)++;
    return SL_OK;
}

static void test_io_helpers(void **state)
{
    (void)state;
    char err[256];
    char *deep = fs_path_join(root, "a", "b", "c");
    assert_int_equal(fs_mkdirs(deep, err, sizeof(err)), SL_OK);
    assert_int_equal(fs_mkdirs(deep, err, sizeof(err)), SL_OK);
    write_file("a/b/c/f1", "x");
    write_file("a/f2", "y");
    int n = 0;
    char *a = fs_path_join(root, "a");
    assert_int_equal(fs_walk(a, walk_count, &n, err, sizeof(err)), SL_OK);
    assert_int_equal(n, 2);
    char *missing = fs_path_join(root, "nope");
    n = 0;
    assert_int_equal(fs_walk(missing, walk_count, &n, err, sizeof(err)), SL_OK);
    assert_int_equal(n, 0);
    char *file = fs_path_join(root, "a", "f2");
    char *under = fs_path_join(file, "sub");
    assert_int_equal(fs_mkdirs(under, err, sizeof(err)), SL_ERR);
    assert_int_equal(fs_fsync_dir(missing, err, sizeof(err)), SL_ERR);
    char *d = fs_dirname("/x");
    assert_string_equal(d, "/");
    free(d);
    d = fs_dirname("rel");
    assert_string_equal(d, ".");
    free(d);
    assert_true(fs_random64() != fs_random64());
    free(deep);
    free(a);
    free(missing);
    free(file);
    free(under);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_torn_at_every_byte),
        cmocka_unit_test(test_corruption),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test_setup_teardown(test_lease_and_recovery, setup, teardown),
        cmocka_unit_test_setup_teardown(test_io_helpers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
