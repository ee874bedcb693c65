/* group/wire.c: Kafka protocol primitives, written and read with bounds checks. Big-endian
 * fixed ints, length-prefixed strings/bytes/arrays and the KIP-482 compact forms. */
#include "group/wire.h"

#include <stdlib.h>
#include <string.h>

void wire_buf_init(wire_buf *b)
{
    memset(b, 0, sizeof(*b));
}

void wire_buf_free(wire_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof(*b));
}

uint8_t *wire_buf_steal(wire_buf *b, size_t *len)
{
    uint8_t *d = b->data;
    *len = b->len;
    if (b->err || !d) {
        wire_buf_free(b);
        *len = 0;
        return NULL;
    }
    memset(b, 0, sizeof(*b));
    return d;
}

static int buf_reserve(wire_buf *b, size_t n)
{
    if (b->err)
        return -1;
    if (n > SIZE_MAX / 4 - b->len) {
        b->err = -1;
        return -1;
    }
    if (b->len + n <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n)
        cap *= 2;
    uint8_t *d = realloc(b->data, cap);
    if (!d) {
        b->err = -1;
        return -1;
    }
    b->data = d;
    b->cap = cap;
    return 0;
}

void wire_put_raw(wire_buf *b, const void *p, size_t n)
{
    if (buf_reserve(b, n))
        return;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void put_be(wire_buf *b, uint64_t v, int bytes)
{
    uint8_t tmp[8];
    for (int i = 0; i < bytes; i++)
        tmp[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
    wire_put_raw(b, tmp, (size_t)bytes);
}

void wire_put_int8(wire_buf *b, int8_t v) { put_be(b, (uint8_t)v, 1); }
void wire_put_int16(wire_buf *b, int16_t v) { put_be(b, (uint16_t)v, 2); }
void wire_put_int32(wire_buf *b, int32_t v) { put_be(b, (uint32_t)v, 4); }
void wire_put_int64(wire_buf *b, int64_t v) { put_be(b, (uint64_t)v, 8); }

void wire_put_uvarint(wire_buf *b, uint32_t v)
{
    uint8_t tmp[5];
    int n = 0;
    while (v >= 0x80) {
        tmp[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    tmp[n++] = (uint8_t)v;
    wire_put_raw(b, tmp, (size_t)n);
}

void wire_put_string(wire_buf *b, const char *s)
{
    if (!s) {
        b->err = -1;
        return;
    }
    wire_put_nstring(b, s);
}

void wire_put_nstring(wire_buf *b, const char *s)
{
    if (!s) {
        wire_put_int16(b, -1);
        return;
    }
    size_t n = strlen(s);
    if (n > INT16_MAX) {
        b->err = -1;
        return;
    }
    wire_put_int16(b, (int16_t)n);
    wire_put_raw(b, s, n);
}

void wire_put_bytes(wire_buf *b, const void *p, size_t n)
{
    if (!p && n) {
        b->err = -1;
        return;
    }
    if (n > INT32_MAX) {
        b->err = -1;
        return;
    }
    wire_put_int32(b, (int32_t)n);
    wire_put_raw(b, p, n);
}

void wire_put_nbytes(wire_buf *b, const void *p, size_t n)
{
    if (!p) {
        wire_put_int32(b, -1);
        return;
    }
    wire_put_bytes(b, p, n);
}

void wire_put_array_len(wire_buf *b, int32_t n)
{
    wire_put_int32(b, n < 0 ? -1 : n);
}

void wire_put_cnstring(wire_buf *b, const char *s)
{
    if (!s) {
        wire_put_uvarint(b, 0);
        return;
    }
    size_t n = strlen(s);
    if (n >= INT16_MAX) { /* Kafka caps strings at int16 length in every form */
        b->err = -1;
        return;
    }
    wire_put_uvarint(b, (uint32_t)n + 1);
    wire_put_raw(b, s, n);
}

void wire_put_cstring(wire_buf *b, const char *s)
{
    if (!s) {
        b->err = -1;
        return;
    }
    wire_put_cnstring(b, s);
}

void wire_put_cbytes(wire_buf *b, const void *p, size_t n)
{
    if ((!p && n) || n >= INT32_MAX) {
        b->err = -1;
        return;
    }
    wire_put_uvarint(b, (uint32_t)n + 1);
    wire_put_raw(b, p, n);
}

void wire_put_carray_len(wire_buf *b, int32_t n)
{
    wire_put_uvarint(b, n < 0 ? 0 : (uint32_t)n + 1);
}

void wire_put_empty_tags(wire_buf *b)
{
    wire_put_uvarint(b, 0);
}

void wire_patch_int32(wire_buf *b, size_t off, int32_t v)
{
    if (b->err || off > b->len || b->len - off < 4) {
        b->err = -1;
        return;
    }
    uint32_t u = (uint32_t)v;
    b->data[off] = (uint8_t)(u >> 24);
    b->data[off + 1] = (uint8_t)(u >> 16);
    b->data[off + 2] = (uint8_t)(u >> 8);
    b->data[off + 3] = (uint8_t)u;
}

/* ---- reader ---- */

void wire_rd_init(wire_rd *r, const void *p, size_t len)
{
    r->p = p;
    r->len = p ? len : 0;
    r->off = 0;
    r->err = 0;
}

size_t wire_rd_left(const wire_rd *r)
{
    return r->err ? 0 : r->len - r->off;
}

static int rd_fail(wire_rd *r)
{
    r->err = -1;
    return -1;
}

int wire_get_raw(wire_rd *r, const uint8_t **p, size_t n)
{
    if (r->err || n > r->len - r->off)
        return rd_fail(r);
    *p = r->p + r->off;
    r->off += n;
    return 0;
}

static int get_be(wire_rd *r, int bytes, uint64_t *out)
{
    const uint8_t *p;
    if (wire_get_raw(r, &p, (size_t)bytes))
        return -1;
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v = (v << 8) | p[i];
    *out = v;
    return 0;
}

int wire_get_int8(wire_rd *r, int8_t *v)
{
    uint64_t u;
    if (get_be(r, 1, &u))
        return -1;
    *v = (int8_t)(uint8_t)u;
    return 0;
}

int wire_get_int16(wire_rd *r, int16_t *v)
{
    uint64_t u;
    if (get_be(r, 2, &u))
        return -1;
    *v = (int16_t)(uint16_t)u;
    return 0;
}

int wire_get_int32(wire_rd *r, int32_t *v)
{
    uint64_t u;
    if (get_be(r, 4, &u))
        return -1;
    *v = (int32_t)(uint32_t)u;
    return 0;
}

int wire_get_int64(wire_rd *r, int64_t *v)
{
    uint64_t u;
    if (get_be(r, 8, &u))
        return -1;
    *v = (int64_t)u;
    return 0;
}

int wire_get_uvarint(wire_rd *r, uint32_t *v)
{
    uint32_t out = 0;
    for (int i = 0; i < 5; i++) {
        const uint8_t *p;
        if (wire_get_raw(r, &p, 1))
            return -1;
        if (i == 4 && (*p & 0xf0)) /* would overflow 32 bits */
            return rd_fail(r);
        out |= (uint32_t)(*p & 0x7f) << (7 * i);
        if (!(*p & 0x80)) {
            *v = out;
            return 0;
        }
    }
    return rd_fail(r);
}

int wire_get_nstring(wire_rd *r, const char **s, size_t *n)
{
    int16_t len;
    if (wire_get_int16(r, &len))
        return -1;
    if (len == -1) {
        *s = NULL;
        *n = 0;
        return 0;
    }
    if (len < 0)
        return rd_fail(r);
    const uint8_t *p;
    if (wire_get_raw(r, &p, (size_t)len))
        return -1;
    *s = (const char *)p;
    *n = (size_t)len;
    return 0;
}

int wire_get_string(wire_rd *r, const char **s, size_t *n)
{
    if (wire_get_nstring(r, s, n))
        return -1;
    if (!*s)
        return rd_fail(r);
    return 0;
}

int wire_get_nbytes(wire_rd *r, const uint8_t **p, size_t *n)
{
    int32_t len;
    if (wire_get_int32(r, &len))
        return -1;
    if (len == -1) {
        *p = NULL;
        *n = 0;
        return 0;
    }
    if (len < 0)
        return rd_fail(r);
    if (wire_get_raw(r, p, (size_t)len))
        return -1;
    *n = (size_t)len;
    return 0;
}

int wire_get_bytes(wire_rd *r, const uint8_t **p, size_t *n)
{
    if (wire_get_nbytes(r, p, n))
        return -1;
    if (!*p)
        return rd_fail(r);
    return 0;
}

static int check_count(wire_rd *r, size_t min_elem_size, int32_t n)
{
    if (min_elem_size && (size_t)n > wire_rd_left(r) / min_elem_size)
        return rd_fail(r);
    return 0;
}

int wire_get_array_len(wire_rd *r, size_t min_elem_size, int32_t *n)
{
    int32_t v;
    if (wire_get_int32(r, &v))
        return -1;
    if (v < -1)
        return rd_fail(r);
    if (v > 0 && check_count(r, min_elem_size, v))
        return -1;
    *n = v;
    return 0;
}

int wire_get_cnstring(wire_rd *r, const char **s, size_t *n)
{
    uint32_t v;
    if (wire_get_uvarint(r, &v))
        return -1;
    if (v == 0) {
        *s = NULL;
        *n = 0;
        return 0;
    }
    if (v - 1 > INT16_MAX)
        return rd_fail(r);
    const uint8_t *p;
    if (wire_get_raw(r, &p, v - 1))
        return -1;
    *s = (const char *)p;
    *n = v - 1;
    return 0;
}

int wire_get_cstring(wire_rd *r, const char **s, size_t *n)
{
    if (wire_get_cnstring(r, s, n))
        return -1;
    if (!*s)
        return rd_fail(r);
    return 0;
}

int wire_get_cbytes(wire_rd *r, const uint8_t **p, size_t *n)
{
    uint32_t v;
    if (wire_get_uvarint(r, &v))
        return -1;
    if (v == 0) {
        *p = NULL;
        *n = 0;
        return 0;
    }
    if (wire_get_raw(r, p, v - 1))
        return -1;
    *n = v - 1;
    return 0;
}

int wire_get_carray_len(wire_rd *r, size_t min_elem_size, int32_t *n)
{
    uint32_t v;
    if (wire_get_uvarint(r, &v))
        return -1;
    if (v == 0) {
        *n = -1;
        return 0;
    }
    if (v - 1 > INT32_MAX)
        return rd_fail(r);
    if (check_count(r, min_elem_size, (int32_t)(v - 1)))
        return -1;
    *n = (int32_t)(v - 1);
    return 0;
}

int wire_skip_tags(wire_rd *r)
{
    uint32_t count;
    if (wire_get_uvarint(r, &count))
        return -1;
    if (count > wire_rd_left(r) / 2) /* each tag takes at least a tag and a size byte */
        return rd_fail(r);
    for (uint32_t i = 0; i < count; i++) {
        uint32_t tag, size;
        const uint8_t *p;
        if (wire_get_uvarint(r, &tag) || wire_get_uvarint(r, &size) || wire_get_raw(r, &p, size))
            return -1;
    }
    return 0;
}

int wire_strdup(const char *s, size_t n, char **out)
{
    *out = NULL;
    if (!s)
        return 0;
    if (memchr(s, '\0', n))
        return -1;
    char *d = malloc(n + 1);
    if (!d)
        return -1;
    memcpy(d, s, n);
    d[n] = '\0';
    *out = d;
    return 0;
}

void wire_begin_request(wire_buf *b, int16_t api_key, int16_t api_version, int32_t corr_id,
                        const char *client_id, int header_version)
{
    wire_put_int32(b, 0); /* size, patched by wire_finish_request */
    wire_put_int16(b, api_key);
    wire_put_int16(b, api_version);
    wire_put_int32(b, corr_id);
    /* client_id stays a classic NULLABLE_STRING even in header v2 (KIP-482). */
    wire_put_nstring(b, client_id);
    if (header_version >= 2)
        wire_put_empty_tags(b);
}

void wire_finish_request(wire_buf *b)
{
    if (b->err || b->len < 4 || b->len - 4 > INT32_MAX) {
        b->err = -1;
        return;
    }
    wire_patch_int32(b, 0, (int32_t)(b->len - 4));
}

int wire_read_response_header(wire_rd *r, int header_version, int32_t *corr_id)
{
    if (wire_get_int32(r, corr_id))
        return -1;
    if (header_version >= 1 && wire_skip_tags(r))
        return -1;
    return 0;
}
