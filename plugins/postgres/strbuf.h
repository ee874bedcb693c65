/* plugins/postgres/strbuf.h: a growable byte buffer for SQL text, COPY data and JSON, with a
 * sticky out-of-memory flag so that builders check once at the end instead of at every append. */
#ifndef SLUICE_PLUGINS_POSTGRES_STRBUF_H
#define SLUICE_PLUGINS_POSTGRES_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct pg_sb {
    char *buf; /* owned; NUL-terminated after any append (when not oom) */
    size_t len;
    size_t cap;
    bool oom; /* an allocation failed: the content is incomplete */
} pg_sb;

#define PG_SB_INIT                                                                                 \
    {                                                                                              \
        NULL, 0, 0, false                                                                          \
    }

/* Make room for `extra` more bytes (plus the NUL). 0 or -1 (sets oom). Any thread, one
 * buffer per thread. */
int pg_sb_reserve(pg_sb *sb, size_t extra);
/* Append `n` bytes / a C string / one byte / printf text. On failure oom is set. */
void pg_sb_putn(pg_sb *sb, const char *s, size_t n);
void pg_sb_puts(pg_sb *sb, const char *s);
void pg_sb_putc(pg_sb *sb, char c);
void pg_sb_printf(pg_sb *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Empty the buffer, keeping its memory and clearing oom. */
void pg_sb_reset(pg_sb *sb);
/* Free the memory; the buffer is empty and usable again afterwards. */
void pg_sb_free(pg_sb *sb);
/* The content as a C string (borrowed; "" when empty). */
const char *pg_sb_str(const pg_sb *sb);
/* Hand the content over: caller frees it with free(). NULL when oom (the buffer is freed
 * either way and left empty). */
char *pg_sb_steal(pg_sb *sb);

#endif
