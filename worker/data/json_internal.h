/* data/json_internal.h: the JsonConverter's private pieces, shared by json_*.c only: a reader
 * that builds Connect values straight from JSON bytes (optionally driven by a schema), a
 * schema-driven writer, and Connect's schema JSON (JsonSchema) in both directions.
 *
 * Why not jansson here: building a jansson tree and then a value tree costs two allocations
 * per node, and jansson turns numbers into doubles, which loses Decimal digits that Connect
 * keeps (it parses with USE_BIG_DECIMAL_FOR_FLOATS). The reader keeps each number's text.
 *
 * Thread rules: a reader or writer context is used by one thread at a time (the converter
 * instance that owns it). Nothing here has global mutable state. */
#ifndef SLUICE_DATA_JSON_INTERNAL_H
#define SLUICE_DATA_JSON_INTERNAL_H

#include <string.h>

#include "data/value_internal.h"

/* Deeper nesting is refused, as Jackson's default StreamReadConstraints does. */
#define JSONC_MAX_DEPTH 1000
/* Longer number literals are refused (Jackson's default maxNumberLength is 1000). */
#define JSONC_MAX_NUMBER_LEN 1000

/* Options from the converter's configuration that change how values convert. */
typedef struct jsonc_opts {
    bool decimal_numeric;           /* decimal.format=NUMERIC (writing only) */
    bool replace_null_with_default; /* replace.null.with.default */
} jsonc_opts;

/* ---- growable byte buffer: appends latch `oom` on allocation failure ---- */

typedef struct jsonc_buf {
    char *data;
    size_t len, cap;
    bool oom;
} jsonc_buf;

/* Make room for `n` more bytes; false (and oom set) on allocation failure. */
bool jsonc_buf_grow(jsonc_buf *b, size_t n);

static inline void jsonc_buf_put(jsonc_buf *b, const void *s, size_t n)
{
    if (n == 0)
        return;
    if (b->cap - b->len < n && !jsonc_buf_grow(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
}

static inline void jsonc_buf_putc(jsonc_buf *b, char c)
{
    if (b->cap == b->len && !jsonc_buf_grow(b, 1))
        return;
    b->data[b->len++] = c;
}

static inline void jsonc_buf_puts(jsonc_buf *b, const char *s) { jsonc_buf_put(b, s, strlen(s)); }

/* Free the buffer's memory and zero it. */
void jsonc_buf_free(jsonc_buf *b);

/* ---- error context: a message plus the path of the failing element ---- */

typedef enum jsonc_err_kind {
    JSONC_ERR_NONE = 0,
    JSONC_ERR_SYNTAX, /* the bytes are not JSON (Connect: serialization error) */
    JSONC_ERR_DATA,   /* JSON, but not convertible (Connect: DataException) */
    JSONC_ERR_NOMEM,
} jsonc_err_kind;

typedef struct jsonc_err {
    jsonc_err_kind kind;
    size_t offset;  /* byte offset of a syntax error */
    char msg[256];
    char path[192]; /* e.g. "address.zip" or "items[3]"; built while unwinding */
} jsonc_err;

/* Record the first error (later calls are ignored). Returns SL_ERR for tail calls. */
int jsonc_err_set(jsonc_err *e, jsonc_err_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prepend a struct field / map key name, or an array index, to the error's path. */
void jsonc_err_path_name(jsonc_err *e, const char *name, size_t len);
void jsonc_err_path_index(jsonc_err *e, size_t index);
/* "<msg> (at <path>)" or "<msg> at offset N" into out. */
void jsonc_err_format(const jsonc_err *e, char *out, size_t out_size);

/* ---- reader ---- */

typedef struct jsonc_reader {
    const unsigned char *base, *p, *end;
    int depth;
    jsonc_opts opts;
    jsonc_buf scratch; /* unescaped strings and decoded bytes; owned, reused */
    jsonc_err err;
} jsonc_reader;

/* A number token: its text (borrowed from the input) and, for integers that fit, its value. */
typedef struct jsonc_num {
    const char *text;
    size_t len;
    bool integral; /* no fraction, no exponent */
    bool fits;     /* integral and within int64 (then `i` holds it) */
    int64_t i;
} jsonc_num;

/* Point the reader at `len` bytes (borrowed until the next reset) and clear the error. */
void jsonc_reader_reset(jsonc_reader *r, const void *data, size_t len);
/* Free the scratch buffer. */
void jsonc_reader_fini(jsonc_reader *r);

/* Skip JSON whitespace. */
static inline void jsonc_ws(jsonc_reader *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t'))
        r->p++;
}

/* Validate and skip one value (after whitespace). SL_OK or SL_ERR (syntax error in r->err). */
int jsonc_skip(jsonc_reader *r);
/* Read one value (after whitespace) into *out (caller owns; NULL = JSON null / Connect null).
 * With a schema the value is converted as Connect's JsonConverter.convertToConnect does,
 * failing with a DATA error on a type mismatch; without one, objects become MAPs with string
 * keys, arrays ARRAYs, integers INT64, other numbers FLOAT64. */
int jsonc_read_value(jsonc_reader *r, const sl_schema *schema, sl_value **out);
/* Read the string at r->p (which must be '"'). *s is borrowed: it points into the input or
 * into the scratch buffer, valid until the next reader call. */
int jsonc_read_string(jsonc_reader *r, const char **s, size_t *len);
/* Read a number token at r->p. */
int jsonc_read_number(jsonc_reader *r, jsonc_num *n);
/* The double / float nearest to a number token (strtod / strtof in the C locale). */
double jsonc_num_double(const jsonc_num *n);
float jsonc_num_float(const jsonc_num *n);
/* Jackson's JsonNodeType name of the value starting at r->p ("OBJECT", "NUMBER", ...). */
const char *jsonc_peek_type(const jsonc_reader *r);
/* Read the object member key at r->p and the ':' after it; leaves r->p at the value. */
int jsonc_read_key(jsonc_reader *r, const char **key, size_t *len);
/* After a member or element: skip whitespace, then consume ',' (returns 1), or the closing
 * `close` character (returns 0); anything else is a syntax error (returns SL_ERR). */
int jsonc_next_or_close(jsonc_reader *r, char close);

/* Reader building blocks shared by json_read.c and json_read_typed.c. */
/* Consume '{' or '[' (at r->p) and, for an empty container, its closing `close` as well.
 * 1: members follow (depth was raised: the caller lowers it when jsonc_next_or_close returns
 * 0); 0: it was empty; SL_ERR: nesting too deep. */
int jsonc_open_container(jsonc_reader *r, char close);
/* Consume the literal `lit` (true/false/null) or fail with a syntax error. */
int jsonc_read_literal(jsonc_reader *r, const char *lit, size_t len);
/* Record an out-of-memory error / "unexpected character, expected X" syntax error. SL_ERR. */
int jsonc_nomem(jsonc_reader *r);
int jsonc_unexpected(jsonc_reader *r, const char *expected);
/* Record a DATA error (JSON that does not convert) at r->p. SL_ERR. */
int jsonc_data_err(jsonc_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Schemaless value at r->p (see jsonc_read_value). */
int jsonc_read_any(jsonc_reader *r, sl_value **out);
/* Schema-driven value at r->p, in json_read_typed.c (see jsonc_read_value). */
int jsonc_read_typed(jsonc_reader *r, const sl_schema *schema, sl_value **out);

/* Keys already put into one MAP under construction: a 256-bit filter of key hashes, so a
 * repeated key (last one wins, as in Jackson's ObjectNode) is found without a linear search
 * for every key. Zero-initialise one per object. */
typedef struct jsonc_key_filter {
    uint64_t bits[4];
} jsonc_key_filter;

/* Put STRING `key` and `item` (both taken, also on failure) into `map`, replacing the value of
 * an equal key. SL_OK or SL_ERR (out of memory). */
int jsonc_map_add(jsonc_reader *r, sl_value *map, jsonc_key_filter *f, sl_value *key,
                  sl_value *item);

/* ---- writer ---- */

typedef struct jsonc_writer {
    jsonc_buf *out;
    jsonc_opts opts;
    jsonc_err err;
} jsonc_writer;

/* Append the JSON of `v` as JsonConverter.convertToJson(schema, v) does: schema-driven when
 * `schema` is set (type checks, logical types, null -> default/null/error), else by the value's
 * own type. SL_OK or SL_ERR with w->err set (DATA or NOMEM). */
int jsonc_write_value(jsonc_writer *w, const sl_schema *schema, const sl_value *v);
/* Append a JSON string literal with Jackson's escaping. */
void jsonc_write_string(jsonc_buf *b, const char *s, size_t len);
/* Append the decimal text of an integer. */
void jsonc_put_int(jsonc_buf *b, int64_t v);

/* ---- schema JSON (JsonSchema) ---- */

/* Append Connect's JSON form of `schema` (JsonConverter.asJsonSchema); "null" for NULL. */
int jsonc_schema_write(jsonc_writer *w, const sl_schema *schema);
/* Read a schema JSON value at r->p (JsonConverter.asConnectSchema). *out gets a new schema
 * (caller owns one reference), or NULL for a JSON null. Errors are DATA errors with Connect's
 * messages ("Schema must contain 'type' field", ...), or syntax errors. */
int jsonc_schema_read(jsonc_reader *r, sl_schema **out);

#endif
