/* plugins/file/lines.c: line splitting for FileStreamSource (LF, CRLF, CR; partial last line
 * kept), UTF-8 repair for Connect strings, and FileStreamSink's whole-line output buffer. */
#include "lines.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void file_lines_init(file_lines *l) { memset(l, 0, sizeof(*l)); }

void file_lines_fini(file_lines *l)
{
    free(l->buf);
    memset(l, 0, sizeof(*l));
}

char *file_lines_reserve(file_lines *l, size_t want, size_t *avail)
{
    if (l->cap - l->len < want && l->start > 0) {
        /* Slide the partial line to the front before growing: steady-state reading then
         * reuses one buffer whatever the file size. */
        memmove(l->buf, l->buf + l->start, l->len - l->start);
        l->len -= l->start;
        l->start = 0;
    }
    if (l->cap - l->len < want) {
        size_t cap = l->cap ? l->cap : 4096;
        while (cap - l->len < want) {
            if (cap > SIZE_MAX / 2)
                return NULL;
            cap *= 2;
        }
        char *buf = realloc(l->buf, cap);
        if (buf == NULL)
            return NULL;
        l->buf = buf;
        l->cap = cap;
    }
    *avail = l->cap - l->len;
    return l->buf + l->len;
}

void file_lines_commit(file_lines *l, size_t n) { l->len += n; }

size_t file_lines_pending(const file_lines *l) { return l->len - l->start; }

bool file_lines_next(file_lines *l, const char **line, size_t *line_len, size_t *consumed)
{
    const char *p = l->buf + l->start;
    size_t avail = l->len - l->start;
    for (size_t i = l->scanned; i < avail; i++) {
        size_t term;
        if (p[i] == '\n') {
            term = 1;
        } else if (p[i] == '\r') {
            if (i + 1 >= avail) {
                /* Cannot tell "\r" from "\r\n" yet: wait for the next byte, as Kafka does. */
                l->scanned = i;
                return false;
            }
            term = p[i + 1] == '\n' ? 2 : 1;
        } else {
            continue;
        }
        *line = p;
        *line_len = i;
        *consumed = i + term;
        l->start += i + term;
        l->scanned = 0;
        if (l->start == l->len)
            l->start = l->len = 0; /* memory untouched: *line stays valid */
        return true;
    }
    /* Remember how far we looked, so a long partial line is not rescanned on every read. */
    l->scanned = avail;
    return false;
}

/* Length of the UTF-8 sequence at s (Unicode's "maximal subpart" rule for invalid input:
 * the longest prefix of a well-formed sequence, at least one byte). */
static size_t utf8_seq(const unsigned char *s, size_t len, bool *valid)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t need;
    *valid = false;
    if (c < 0x80) {
        *valid = true;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
    } else if (c == 0xE0) {
        need = 3, lo = 0xA0; /* no overlongs */
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
        need = 3;
    } else if (c == 0xED) {
        need = 3, hi = 0x9F; /* no surrogates */
    } else if (c == 0xF0) {
        need = 4, lo = 0x90;
    } else if (c >= 0xF1 && c <= 0xF3) {
        need = 4;
    } else if (c == 0xF4) {
        need = 4, hi = 0x8F; /* nothing above U+10FFFF */
    } else {
        return 1;
    }
    for (size_t i = 1; i < need; i++) {
        unsigned char min = i == 1 ? lo : 0x80, max = i == 1 ? hi : 0xBF;
        if (i >= len || s[i] < min || s[i] > max)
            return i;
    }
    *valid = true;
    return need;
}

char *file_utf8_repair(const char *s, size_t len, size_t *out_len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    bool valid = true;
    while (i < len) {
        size_t n = utf8_seq(u + i, len - i, &valid);
        if (!valid)
            break;
        i += n;
    }
    if (valid)
        return NULL;
    /* Each invalid subpart (>= 1 byte) becomes 3 bytes: 3 * len + 1 always suffices. */
    if (len > (SIZE_MAX - 1) / 3) {
        *out_len = SIZE_MAX;
        return NULL;
    }
    char *out = malloc(3 * len + 1);
    if (out == NULL) {
        *out_len = SIZE_MAX;
        return NULL;
    }
    memcpy(out, s, i);
    size_t o = i;
    while (i < len) {
        size_t n = utf8_seq(u + i, len - i, &valid);
        if (valid) {
            memcpy(out + o, s + i, n);
            o += n;
        } else {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
        }
        i += n;
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

int file_outbuf_line(file_outbuf *o, const char *s, size_t len)
{
    if (len > SIZE_MAX - o->len - 1)
        return -1;
    size_t need = o->len + len + 1;
    if (need > o->cap) {
        size_t cap = o->cap ? o->cap : 65536;
        while (cap < need)
            cap = cap > SIZE_MAX / 2 ? need : cap * 2;
        char *buf = realloc(o->buf, cap);
        if (buf == NULL)
            return -1;
        o->buf = buf;
        o->cap = cap;
    }
    if (len > 0)
        memcpy(o->buf + o->len, s, len);
    o->buf[o->len + len] = '\n';
    o->len = need;
    return 0;
}

int file_outbuf_drain(file_outbuf *o, int fd)
{
    size_t off = 0;
    int rc = 0;
    while (off < o->len) {
        ssize_t w = write(fd, o->buf + off, o->len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            rc = -1;
            break;
        }
        off += (size_t)w;
    }
    int saved = errno;
    if (off > 0 && off < o->len)
        memmove(o->buf, o->buf + off, o->len - off);
    o->len -= off;
    errno = saved;
    return rc;
}

void file_outbuf_free(file_outbuf *o)
{
    free(o->buf);
    memset(o, 0, sizeof(*o));
}
