/* group/wire.h: bounds-checked writer and reader for the Kafka protocol's primitive types
 * (fixed ints, strings, bytes, arrays, compact/flexible forms, tagged fields) and headers. */
#ifndef SLUICE_GROUP_WIRE_H
#define SLUICE_GROUP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growable output buffer. Writers never fail midway silently: the first allocation failure
 * (or a value that cannot be encoded, such as a string longer than INT16_MAX) sets `err`, and
 * every later write is a no-op, so a caller checks `err` once at the end.
 * Thread rules: a buffer belongs to one thread at a time. */
typedef struct wire_buf {
    uint8_t *data; /* owned; freed by wire_buf_free */
    size_t len;
    size_t cap;
    int err; /* 0 ok, -1 after any failure */
} wire_buf;

/* Initialise an empty buffer (no allocation yet). */
void wire_buf_init(wire_buf *b);
/* Free the buffer's storage and reset it to empty. */
void wire_buf_free(wire_buf *b);
/* Hand the bytes to the caller (who frees them with free()) and reset the buffer; *len gets the
 * length. Returns NULL if the buffer is in error (its storage is freed) or empty. */
uint8_t *wire_buf_steal(wire_buf *b, size_t *len);

void wire_put_int8(wire_buf *b, int8_t v);
void wire_put_int16(wire_buf *b, int16_t v);
void wire_put_int32(wire_buf *b, int32_t v);
void wire_put_int64(wire_buf *b, int64_t v);
void wire_put_uvarint(wire_buf *b, uint32_t v);
void wire_put_raw(wire_buf *b, const void *p, size_t n);
/* STRING (int16 length); NULL is an error. */
void wire_put_string(wire_buf *b, const char *s);
/* NULLABLE_STRING: NULL is written as length -1. */
void wire_put_nstring(wire_buf *b, const char *s);
/* BYTES / NULLABLE_BYTES (int32 length, -1 = null when `p` is NULL). */
void wire_put_bytes(wire_buf *b, const void *p, size_t n);
void wire_put_nbytes(wire_buf *b, const void *p, size_t n);
/* ARRAY count (int32; -1 for a null array). */
void wire_put_array_len(wire_buf *b, int32_t n);
/* Flexible-version forms: COMPACT_(NULLABLE_)STRING, COMPACT_(NULLABLE_)BYTES, COMPACT_ARRAY
 * count (n+1 as unsigned varint, 0 = null), and an empty tagged-field section. */
void wire_put_cstring(wire_buf *b, const char *s);
void wire_put_cnstring(wire_buf *b, const char *s);
void wire_put_cbytes(wire_buf *b, const void *p, size_t n);
void wire_put_carray_len(wire_buf *b, int32_t n);
void wire_put_empty_tags(wire_buf *b);
/* Overwrite a big-endian int32 at `off` (for length prefixes written before the body). */
void wire_patch_int32(wire_buf *b, size_t off, int32_t v);

/* A reader over borrowed bytes. Every getter returns 0, or -1 when the input is truncated or
 * malformed (negative lengths other than the null marker, lengths past the end, varints over
 * 5 bytes); after the first failure `err` stays set and later getters fail too. Strings and
 * bytes come back as pointers into the input (not NUL-terminated) that live as long as it. */
typedef struct wire_rd {
    const uint8_t *p;
    size_t len;
    size_t off;
    int err;
} wire_rd;

void wire_rd_init(wire_rd *r, const void *p, size_t len);
/* Bytes left to read. */
size_t wire_rd_left(const wire_rd *r);

int wire_get_int8(wire_rd *r, int8_t *v);
int wire_get_int16(wire_rd *r, int16_t *v);
int wire_get_int32(wire_rd *r, int32_t *v);
int wire_get_int64(wire_rd *r, int64_t *v);
int wire_get_uvarint(wire_rd *r, uint32_t *v);
int wire_get_raw(wire_rd *r, const uint8_t **p, size_t n);
/* STRING: *s points into the input, *n is its length; a null (-1) string is an error. */
int wire_get_string(wire_rd *r, const char **s, size_t *n);
/* NULLABLE_STRING: a null string gives *s = NULL, *n = 0. */
int wire_get_nstring(wire_rd *r, const char **s, size_t *n);
/* BYTES (null is an error) / NULLABLE_BYTES (null gives *p = NULL). */
int wire_get_bytes(wire_rd *r, const uint8_t **p, size_t *n);
int wire_get_nbytes(wire_rd *r, const uint8_t **p, size_t *n);
/* ARRAY count: *n >= 0, or -1 for a null array. A count that cannot fit in the remaining
 * bytes at `min_elem_size` bytes per element is rejected, so hostile counts cannot make the
 * caller allocate huge arrays. */
int wire_get_array_len(wire_rd *r, size_t min_elem_size, int32_t *n);
/* Flexible forms, as their writers above. */
int wire_get_cstring(wire_rd *r, const char **s, size_t *n);
int wire_get_cnstring(wire_rd *r, const char **s, size_t *n);
int wire_get_cbytes(wire_rd *r, const uint8_t **p, size_t *n);
int wire_get_carray_len(wire_rd *r, size_t min_elem_size, int32_t *n);
/* Skip a tagged-field section (we understand no tags; they are optional by definition). */
int wire_skip_tags(wire_rd *r);

/* Copy a (pointer, length) string from the reader into a new NUL-terminated heap string;
 * NULL input gives NULL. Returns -1 on allocation failure or an embedded NUL. Caller frees. */
int wire_strdup(const char *s, size_t n, char **out);

/* Request header v1 (api_key, api_version, correlation_id, client_id NULLABLE_STRING) or v2
 * (v1 + empty tagged fields), preceded by a 4-byte size placeholder that
 * wire_finish_request() fills. `header_version` is 1 or 2. */
void wire_begin_request(wire_buf *b, int16_t api_key, int16_t api_version, int32_t corr_id,
                        const char *client_id, int header_version);
/* Fill the size prefix written by wire_begin_request. */
void wire_finish_request(wire_buf *b);

/* Response header v0 (correlation_id) or v1 (+ tagged fields), the frame's size prefix
 * already removed. */
int wire_read_response_header(wire_rd *r, int header_version, int32_t *corr_id);

#endif
