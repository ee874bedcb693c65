/* plugins/postgres/strbuf.c: the growable byte buffer behind every statement, COPY line and
 * JSON document the PostgreSQL sink builds (see strbuf.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

int pg_sb_reserve(pg_sb *sb, size_t extra)
{
    if (sb->oom)
        return -1;
    if (sb->len + extra + 1 <= sb->cap)
        return 0;
    size_t cap = sb->cap ? sb->cap : 256;
    while (cap < sb->len + extra + 1) {
        if (cap > ((size_t)-1) / 2) {
            sb->oom = true;
            return -1;
        }
        cap *= 2;
    }
    char *n = realloc(sb->buf, cap);
    if (n == NULL) {
        sb->oom = true;
        return -1;
    }
    sb->buf = n;
    sb->cap = cap;
    return 0;
}

void pg_sb_putn(pg_sb *sb, const char *s, size_t n)
{
    if (pg_sb_reserve(sb, n) != 0)
        return;
    if (n > 0)
        memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void pg_sb_puts(pg_sb *sb, const char *s)
{
    pg_sb_putn(sb, s, strlen(s));
}

void pg_sb_putc(pg_sb *sb, char c)
{
    if (pg_sb_reserve(sb, 1) != 0)
        return;
    sb->buf[sb->len++] = c;
    sb->buf[sb->len] = '\0';
}

void pg_sb_printf(pg_sb *sb, const char *fmt, ...)
{
    if (sb->oom)
        return;
    va_list ap;
    va_start(ap, fmt);
    char tmp[256];
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0) {
        sb->oom = true;
        return;
    }
    if ((size_t)n < sizeof(tmp)) {
        pg_sb_putn(sb, tmp, (size_t)n);
        return;
    }
    if (pg_sb_reserve(sb, (size_t)n) != 0)
        return;
    va_start(ap, fmt);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

void pg_sb_reset(pg_sb *sb)
{
    sb->len = 0;
    sb->oom = false;
    if (sb->buf != NULL)
        sb->buf[0] = '\0';
}

void pg_sb_free(pg_sb *sb)
{
    free(sb->buf);
    *sb = (pg_sb)PG_SB_INIT;
}

const char *pg_sb_str(const pg_sb *sb)
{
    return sb->buf != NULL && !sb->oom ? sb->buf : "";
}

char *pg_sb_steal(pg_sb *sb)
{
    if (sb->oom) {
        pg_sb_free(sb);
        return NULL;
    }
    if (sb->buf == NULL && pg_sb_reserve(sb, 0) != 0)
        return NULL;
    if (sb->len == 0)
        sb->buf[0] = '\0';
    char *s = sb->buf;
    *sb = (pg_sb)PG_SB_INIT;
    return s;
}
