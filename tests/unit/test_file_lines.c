/* tests/unit/test_file_lines.c: the file plugin's byte-level parsing: line splitting (LF, CRLF,
 * CR, partial lines, long lines), UTF-8 repair, and the sink's whole-line output buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The plugin's helpers are built into file.so, not libsluice: compile them in here. */
#include "../../plugins/file/lines.c"

static void feed(file_lines *l, const char *s, size_t n)
{
    size_t avail = 0;
    char *dst = file_lines_reserve(l, n ? n : 1, &avail);
    assert_non_null(dst);
    assert_true(avail >= n);
    memcpy(dst, s, n);
    file_lines_commit(l, n);
}

static void expect_line(file_lines *l, const char *want, size_t want_consumed)
{
    const char *line;
    size_t len, consumed;
    assert_true(file_lines_next(l, &line, &len, &consumed));
    assert_int_equal(len, strlen(want));
    assert_memory_equal(line, want, len);
    assert_int_equal(consumed, want_consumed);
}

static void expect_none(file_lines *l)
{
    const char *line;
    size_t len, consumed;
    assert_false(file_lines_next(l, &line, &len, &consumed));
}

static void test_terminators(void **state)
{
    (void)state;
    file_lines l;
    file_lines_init(&l);
    const char *in = "a\nbb\r\nccc\rdd\n\n\r\nlast";
    feed(&l, in, strlen(in));
    expect_line(&l, "a", 2);
    expect_line(&l, "bb", 4);
    expect_line(&l, "ccc", 4); /* lone CR ends a line, as in Kafka */
    expect_line(&l, "dd", 3);
    expect_line(&l, "", 1);    /* empty lines are records too */
    expect_line(&l, "", 2);
    expect_none(&l);           /* "last" waits for its newline */
    assert_int_equal(file_lines_pending(&l), 4);
    feed(&l, "\n", 1);
    expect_line(&l, "last", 5);
    expect_none(&l);
    assert_int_equal(file_lines_pending(&l), 0);
    file_lines_fini(&l);
}

static void test_cr_at_buffer_end_waits(void **state)
{
    (void)state;
    file_lines l;
    file_lines_init(&l);
    feed(&l, "x\r", 2);
    expect_none(&l); /* "\r" or "\r\n"? unknown until the next byte */
    feed(&l, "\n", 1);
    expect_line(&l, "x", 3);
    feed(&l, "y\r", 2);
    expect_none(&l);
    feed(&l, "z\n", 2);
    expect_line(&l, "y", 2);
    expect_line(&l, "z", 2);
    file_lines_fini(&l);
}

static void test_byte_at_a_time(void **state)
{
    (void)state;
    /* Feeding one byte at a time must give exactly the lines and offsets of one big read. */
    const char *in = "one\r\ntwo\nthree\rfour\r\n\nfive\n";
    file_lines l;
    file_lines_init(&l);
    char got[256] = "";
    size_t total = 0;
    for (size_t i = 0; i < strlen(in); i++) {
        feed(&l, in + i, 1);
        const char *line;
        size_t len, consumed;
        while (file_lines_next(&l, &line, &len, &consumed)) {
            strncat(got, line, len);
            strcat(got, "|");
            total += consumed;
        }
    }
    assert_string_equal(got, "one|two|three|four||five|");
    assert_int_equal(total, strlen(in));
    file_lines_fini(&l);
}

static void test_long_lines_and_nul(void **state)
{
    (void)state;
    file_lines l;
    file_lines_init(&l);
    size_t big = 3 * 1024 * 1024;
    char *line = malloc(big);
    assert_non_null(line);
    memset(line, 'q', big);
    line[17] = '\0'; /* NUL bytes are data, not terminators */
    /* Arrive in chunks smaller than the line, with a short line before it. */
    feed(&l, "s\n", 2);
    for (size_t off = 0; off < big; off += 65536) {
        size_t n = big - off < 65536 ? big - off : 65536;
        feed(&l, line + off, n);
        if (off == 0)
            expect_line(&l, "s", 2);
        expect_none(&l);
    }
    feed(&l, "\nt\n", 3);
    const char *got;
    size_t len, consumed;
    assert_true(file_lines_next(&l, &got, &len, &consumed));
    assert_int_equal(len, big);
    assert_int_equal(consumed, big + 1);
    assert_memory_equal(got, line, big);
    expect_line(&l, "t", 2);
    free(line);
    file_lines_fini(&l);
}

static void test_buffer_reused(void **state)
{
    (void)state;
    /* Steady reading with a partial line always pending compacts instead of growing. */
    file_lines l;
    file_lines_init(&l);
    feed(&l, "par", 3);
    for (int i = 0; i < 100000; i++) {
        feed(&l, "tial\npar", 8);
        expect_line(&l, "partial", 8);
        expect_none(&l);
    }
    assert_int_equal(file_lines_pending(&l), 3);
    assert_true(l.cap <= 8192);
    file_lines_fini(&l);
}

static void expect_repair(const char *in, size_t n, const char *want)
{
    size_t out_len = 0;
    char *out = file_utf8_repair(in, n, &out_len);
    if (want == NULL) {
        assert_null(out);
        return;
    }
    assert_non_null(out);
    assert_int_equal(out_len, strlen(want));
    assert_string_equal(out, want);
    free(out);
}

#define FFFD "\xEF\xBF\xBD"

static void test_utf8_repair(void **state)
{
    (void)state;
    expect_repair("plain ascii", 11, NULL);
    expect_repair("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", 14, NULL);
    expect_repair("", 0, NULL);
    expect_repair("a\xFF" "b", 3, "a" FFFD "b");
    expect_repair("\xC3", 1, FFFD);                          /* truncated at the end */
    expect_repair("\xE2\x82" "x", 3, FFFD "x");              /* one U+FFFD per subpart */
    expect_repair("\xC0\xAF", 2, FFFD FFFD);                 /* overlong */
    expect_repair("\xED\xA0\x80", 3, FFFD FFFD FFFD);        /* surrogate */
    expect_repair("\xF4\x90\x80\x80", 4, FFFD FFFD FFFD FFFD); /* above U+10FFFF */
    expect_repair("ok\xC3\xA9\x80", 5, "ok\xC3\xA9" FFFD);   /* stray continuation */
}

static void test_outbuf_whole_lines(void **state)
{
    (void)state;
    char path[] = "/tmp/sluice-outbuf-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    file_outbuf o = {0};
    assert_int_equal(file_outbuf_line(&o, "hello", 5), 0);
    assert_int_equal(file_outbuf_line(&o, "", 0), 0);
    assert_int_equal(file_outbuf_line(&o, "w\0rld", 5), 0);
    assert_int_equal(o.len, 13);
    assert_int_equal(file_outbuf_drain(&o, fd), 0);
    assert_int_equal(o.len, 0);
    assert_int_equal(file_outbuf_drain(&o, fd), 0); /* empty: no-op */
    char buf[64];
    assert_int_equal(pread(fd, buf, sizeof(buf), 0), 13);
    assert_memory_equal(buf, "hello\n\nw\0rld\n", 13);
    /* A failed write keeps the data for the next attempt and reports errno. */
    assert_int_equal(file_outbuf_line(&o, "again", 5), 0);
    assert_int_equal(file_outbuf_drain(&o, -1), -1);
    assert_int_equal(errno, EBADF);
    assert_int_equal(o.len, 6);
    assert_int_equal(file_outbuf_drain(&o, fd), 0);
    assert_int_equal(pread(fd, buf, sizeof(buf), 0), 19);
    file_outbuf_free(&o);
    close(fd);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_terminators),     cmocka_unit_test(test_cr_at_buffer_end_waits),
        cmocka_unit_test(test_byte_at_a_time),  cmocka_unit_test(test_long_lines_and_nul),
        cmocka_unit_test(test_buffer_reused),   cmocka_unit_test(test_utf8_repair),
        cmocka_unit_test(test_outbuf_whole_lines),
    };
    return cmocka_run_group_tests_name("file_lines", tests, NULL, NULL);
}
