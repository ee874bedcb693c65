/* data/json_util.c: the growable buffer and the error context (message, byte offset, path of
 * the failing element) shared by the JsonConverter's reader and writer. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "data/json_internal.h"

bool jsonc_buf_grow(jsonc_buf *b, size_t n)
{
    if (b->oom)
        return false;
    size_t need = b->len + n;
    if (need < b->len) {
        b->oom = true;
        return false;
    }
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            b->oom = true;
            return false;
        }
        cap *= 2;
    }
    char *nd = realloc(b->data, cap);
    if (nd == NULL) {
        b->oom = true;
        return false;
    }
    b->data = nd;
    b->cap = cap;
    return true;
}

void jsonc_buf_free(jsonc_buf *b)
{
    free(b->data);
    *b = (jsonc_buf){0};
}

int jsonc_err_set(jsonc_err *e, jsonc_err_kind kind, const char *fmt, ...)
{
    if (e->kind != JSONC_ERR_NONE)
        return SL_ERR;
    e->kind = kind;
    e->path[0] = '\0';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    return SL_ERR;
}

/* Prepend `seg` (len bytes) to the path, joining with '.' unless the rest starts with '['.
 * A path that no longer fits keeps its innermost part behind "...". */
static void path_prepend(jsonc_err *e, const char *seg, size_t len, bool is_index)
{
    if (e->kind != JSONC_ERR_DATA)
        return; /* syntax errors carry an offset, not a path */
    size_t cur = strlen(e->path);
    bool dot = cur > 0 && e->path[0] != '[';
    size_t add = len + (dot ? 1 : 0);
    (void)is_index;
    if (cur + add + 1 > sizeof(e->path)) {
        if (strncmp(e->path, "...", 3) != 0 && cur + 4 <= sizeof(e->path)) {
            memmove(e->path + 3, e->path, cur + 1);
            memcpy(e->path, "...", 3);
        }
        return;
    }
    memmove(e->path + add, e->path, cur + 1);
    memcpy(e->path, seg, len);
    if (dot)
        e->path[len] = '.';
}

void jsonc_err_path_name(jsonc_err *e, const char *name, size_t len)
{
    path_prepend(e, name, len, false);
}

void jsonc_err_path_index(jsonc_err *e, size_t index)
{
    char seg[32];
    int n = snprintf(seg, sizeof(seg), "[%zu]", index);
    path_prepend(e, seg, (size_t)n, true);
}

void jsonc_err_format(const jsonc_err *e, char *out, size_t out_size)
{
    if (out == NULL || out_size == 0)
        return;
    switch (e->kind) {
    case JSONC_ERR_SYNTAX:
        snprintf(out, out_size, "%s at offset %zu", e->msg, e->offset);
        break;
    case JSONC_ERR_DATA:
        if (e->path[0])
            snprintf(out, out_size, "%s (at %s)", e->msg, e->path);
        else
            snprintf(out, out_size, "%s", e->msg);
        break;
    case JSONC_ERR_NOMEM:
        snprintf(out, out_size, "out of memory");
        break;
    default:
        snprintf(out, out_size, "%s", e->msg[0] ? e->msg : "unknown error");
        break;
    }
}
