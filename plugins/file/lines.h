/* plugins/file/lines.h: the byte-level helpers of the file connectors: a line splitter that
 * keeps a partial last line until its terminator arrives, UTF-8 repair, and a line buffer. */
#ifndef SLUICE_PLUGINS_FILE_LINES_H
#define SLUICE_PLUGINS_FILE_LINES_H

#include <stdbool.h>
#include <stddef.h>

/* Unconsumed input bytes are buf[start, len). Owned by one task; no locking. */
typedef struct file_lines {
    char *buf;
    size_t start;   /* first unconsumed byte */
    size_t len;     /* end of valid data */
    size_t cap;
    size_t scanned; /* bytes after `start` already known to hold no line terminator */
} file_lines;

/* Zero the splitter (no allocation). */
void file_lines_init(file_lines *l);
/* Free the buffer; the splitter may be re-initialised afterwards. */
void file_lines_fini(file_lines *l);
/* Room to append at least `want` bytes: returns a pointer into the buffer (valid until the next
 * call on `l`) and sets *avail (>= want), or NULL when out of memory. */
char *file_lines_reserve(file_lines *l, size_t want, size_t *avail);
/* Account for `n` bytes written at the pointer file_lines_reserve returned. */
void file_lines_commit(file_lines *l, size_t n);
/* Bytes buffered but not yet returned as lines (a partial last line). */
size_t file_lines_pending(const file_lines *l);

/* Take the next complete line. Terminators are "\n", "\r\n" and a lone "\r", as Kafka's
 * FileStreamSourceTask; a "\r" that is the last buffered byte waits for the next byte, which
 * decides between "\r" and "\r\n". Returns true and sets *line (borrowed: valid until the next
 * call on `l`; not NUL-terminated), *line_len (without the terminator) and *consumed (with
 * it); false when no complete line is buffered. */
bool file_lines_next(file_lines *l, const char **line, size_t *line_len, size_t *consumed);

/* Connect strings are Unicode: return NULL if s[0..len) is valid UTF-8, or else a malloc'd,
 * NUL-terminated copy in which each invalid sequence is replaced by U+FFFD (as Java's decoder
 * does), with its length in *out_len. The caller frees the copy. Also NULL when out of memory,
 * with *out_len set to SIZE_MAX. */
char *file_utf8_repair(const char *s, size_t len, size_t *out_len);

/* An output buffer holding only whole lines, so that one write() never splits a line. */
typedef struct file_outbuf {
    char *buf;
    size_t len, cap;
} file_outbuf;

/* Append `len` bytes and a "\n". Returns 0, or -1 when out of memory (nothing appended). */
int file_outbuf_line(file_outbuf *o, const char *s, size_t len);
/* Write everything buffered to `fd` (looping over short writes, retrying EINTR). Returns 0, or
 * -1 with errno set; bytes already written are dropped from the buffer either way. */
int file_outbuf_drain(file_outbuf *o, int fd);
void file_outbuf_free(file_outbuf *o);

#endif
