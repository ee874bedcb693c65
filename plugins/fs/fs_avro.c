/* plugins/fs/fs_avro.c: Avro object container files: values are encoded with avro-c's generic
 * values; the container (header, blocks, sync markers) is written here so that the header keeps
 * the full schema JSON (avro-c's own writer drops logicalType and connect.* properties). */
#define _GNU_SOURCE
#include <avro.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fs_format.h"
#include "fs_io.h"

#define AVRO_BLOCK_BYTES (64 * 1024)

struct fs_avro {
    fs_out *out;
    const sl_schema *schema; /* borrowed from the writer (it holds a reference) */
    avro_schema_t aschema;
    avro_value_iface_t *iface;
    avro_value_t value;
    bool has_value;
    avro_writer_t mem;
    char *enc; /* one encoded datum */
    size_t enc_cap;
    char *block; /* encoded data of the pending block */
    size_t block_len, block_cap;
    int64_t block_count;
    char *zbuf;
    size_t zcap;
    unsigned char sync[16];
    bool deflate;
    int level;
};

/* ---- binary encoding bits ---- */

static size_t zigzag(int64_t v, unsigned char *buf)
{
    uint64_t sign = (uint64_t)v >> 63; /* zigzag: the sign spread over every bit */
    uint64_t u = ((uint64_t)v << 1) ^ (0 - sign);
    size_t n = 0;
    do {
        unsigned char b = u & 0x7f;
        u >>= 7;
        buf[n++] = u ? (b | 0x80) : b;
    } while (u);
    return n;
}

static int put_long(fs_out *o, int64_t v)
{
    unsigned char buf[10];
    return fs_out_put(o, buf, zigzag(v, buf));
}

static int put_bytes(fs_out *o, const void *p, size_t n)
{
    if (put_long(o, (int64_t)n) != SL_OK)
        return FS_ERR_IO;
    return fs_out_put(o, p, n);
}

/* ---- filling avro-c values from Connect values ---- */

static int fill(avro_value_t *av, const sl_schema *s, const sl_value *v, char *errstr,
                size_t errstr_size);

static int fill_required(avro_value_t *av, const sl_schema *s, const sl_value *v, char *errstr,
                         size_t errstr_size)
{
    sl_type t = sl_schema_type(s);
    if (sl_value_type(v) != t) {
        snprintf(errstr, errstr_size, "value type does not match its schema");
        return SL_ERR;
    }
    int64_t i;
    double d;
    size_t len;
    int rc = 0;
    switch (t) {
    case SL_TYPE_INT8:
    case SL_TYPE_INT16:
    case SL_TYPE_INT32:
        sl_value_get_int(v, &i);
        rc = avro_value_set_int(av, (int32_t)i);
        break;
    case SL_TYPE_INT64:
        sl_value_get_int(v, &i);
        rc = avro_value_set_long(av, i);
        break;
    case SL_TYPE_FLOAT32:
        sl_value_get_double(v, &d);
        rc = avro_value_set_float(av, (float)d);
        break;
    case SL_TYPE_FLOAT64:
        sl_value_get_double(v, &d);
        rc = avro_value_set_double(av, d);
        break;
    case SL_TYPE_BOOLEAN:
        rc = avro_value_set_boolean(av, sl_value_get_bool(v));
        break;
    case SL_TYPE_STRING: {
        const char *str = sl_value_get_string(v, &len);
        /* avro-c's string length counts the terminating NUL. */
        rc = avro_value_set_string_len(av, str, len + 1);
        break;
    }
    case SL_TYPE_BYTES: {
        const void *b = sl_value_get_bytes(v, &len);
        rc = avro_value_set_bytes(av, (void *)b, len);
        break;
    }
    case SL_TYPE_ARRAY:
        for (size_t k = 0; k < sl_value_array_len(v) && rc == 0; k++) {
            avro_value_t e;
            rc = avro_value_append(av, &e, NULL);
            if (rc == 0 && fill(&e, sl_schema_value_schema(s), sl_value_array_get(v, k), errstr,
                                errstr_size) != SL_OK)
                return SL_ERR;
        }
        break;
    case SL_TYPE_MAP: {
        const sl_schema *ks = sl_schema_key_schema(s);
        bool string_keys = sl_schema_type(ks) == SL_TYPE_STRING && !sl_schema_optional(ks) &&
                           sl_schema_logical(ks) == SL_LOGICAL_NONE;
        for (size_t k = 0; k < sl_value_map_len(v) && rc == 0; k++) {
            avro_value_t e, kv, vv;
            const sl_value *key = sl_value_map_key_at(v, k);
            if (string_keys) {
                const char *ks_text = sl_value_get_string(key, NULL);
                if (ks_text == NULL) {
                    snprintf(errstr, errstr_size, "map key is not a string");
                    return SL_ERR;
                }
                rc = avro_value_add(av, ks_text, &e, NULL, NULL);
                if (rc == 0 && fill(&e, sl_schema_value_schema(s), sl_value_map_value_at(v, k),
                                    errstr, errstr_size) != SL_OK)
                    return SL_ERR;
            } else {
                rc = avro_value_append(av, &e, NULL);
                if (rc == 0)
                    rc = avro_value_get_by_index(&e, 0, &kv, NULL);
                if (rc == 0)
                    rc = avro_value_get_by_index(&e, 1, &vv, NULL);
                if (rc == 0 && (fill(&kv, ks, key, errstr, errstr_size) != SL_OK ||
                                fill(&vv, sl_schema_value_schema(s), sl_value_map_value_at(v, k),
                                     errstr, errstr_size) != SL_OK))
                    return SL_ERR;
            }
        }
        break;
    }
    case SL_TYPE_STRUCT: {
        size_t n = sl_schema_field_count(s);
        if (sl_schema_field_count(sl_value_struct_schema(v)) != n) {
            snprintf(errstr, errstr_size, "struct value does not have its schema's fields");
            return SL_ERR;
        }
        for (size_t k = 0; k < n && rc == 0; k++) {
            avro_value_t f;
            rc = avro_value_get_by_index(av, k, &f, NULL);
            if (rc == 0 && fill(&f, sl_schema_field_schema(s, k), sl_value_struct_get_index(v, k),
                                errstr, errstr_size) != SL_OK) {
                size_t used = strlen(errstr);
                if (used + 1 < errstr_size && strncmp(errstr, "field ", 6) != 0) {
                    char inner[512];
                    snprintf(inner, sizeof(inner), "%s", errstr);
                    snprintf(errstr, errstr_size, "field %s: %s", sl_schema_field_name(s, k),
                             inner);
                }
                return SL_ERR;
            }
        }
        break;
    }
    default:
        rc = EINVAL;
        break;
    }
    if (rc != 0) {
        snprintf(errstr, errstr_size, "Avro encoding failed: %s", avro_strerror());
        return SL_ERR;
    }
    return SL_OK;
}

static int fill(avro_value_t *av, const sl_schema *s, const sl_value *v, char *errstr,
                size_t errstr_size)
{
    if (sl_schema_optional(s)) {
        /* ["null", T]: branch 0 for null, 1 for a value. */
        avro_value_t branch;
        if (avro_value_set_branch(av, v == NULL ? 0 : 1, &branch) != 0) {
            snprintf(errstr, errstr_size, "Avro encoding failed: %s", avro_strerror());
            return SL_ERR;
        }
        if (v == NULL)
            return avro_value_set_null(&branch) == 0 ? SL_OK : SL_ERR;
        return fill_required(&branch, s, v, errstr, errstr_size);
    }
    if (v == NULL) {
        const sl_value *def = sl_schema_default(s);
        if (def == NULL) {
            snprintf(errstr, errstr_size, "null value for a required schema");
            return SL_ERR;
        }
        v = def;
    }
    return fill_required(av, s, v, errstr, errstr_size);
}

/* ---- container ---- */

void fs_avro_free(fs_avro *a)
{
    if (a == NULL)
        return;
    if (a->has_value)
        avro_value_decref(&a->value);
    if (a->iface != NULL)
        avro_value_iface_decref(a->iface);
    if (a->aschema != NULL)
        avro_schema_decref(a->aschema);
    if (a->mem != NULL)
        avro_writer_free(a->mem);
    free(a->enc);
    free(a->block);
    free(a->zbuf);
    free(a);
}

int fs_avro_open(fs_out *out, const sl_schema *schema, const fs_format_opts *opts, fs_avro **res,
                 char *errstr, size_t errstr_size)
{
    *res = NULL;
    char *json = fs_avro_schema_json(schema, errstr, errstr_size);
    if (json == NULL)
        return FS_ERR_RECORD;
    fs_avro *a = calloc(1, sizeof(*a));
    if (a == NULL) {
        free(json);
        snprintf(errstr, errstr_size, "out of memory");
        return FS_ERR_IO;
    }
    a->out = out;
    a->schema = schema;
    a->deflate = opts->deflate;
    a->level = opts->deflate_level;
    /* avro-c may leave a freed schema in its out-parameter on failure: keep it local. */
    avro_schema_t parsed = NULL;
    if (avro_schema_from_json_length(json, strlen(json), &parsed) != 0) {
        snprintf(errstr, errstr_size, "schema has no valid Avro form (%s): %s", avro_strerror(),
                 json);
        free(json);
        fs_avro_free(a);
        return FS_ERR_RECORD;
    }
    a->aschema = parsed;
    a->iface = avro_generic_class_from_schema(a->aschema);
    if (a->iface == NULL || avro_generic_value_new(a->iface, &a->value) != 0) {
        snprintf(errstr, errstr_size, "Avro value setup failed: %s", avro_strerror());
        free(json);
        fs_avro_free(a);
        return FS_ERR_RECORD;
    }
    a->has_value = true;
    uint64_t r1 = fs_random64(), r2 = fs_random64();
    memcpy(a->sync, &r1, 8);
    memcpy(a->sync + 8, &r2, 8);
    /* Header: magic, metadata map {avro.schema, avro.codec}, sync marker. */
    const char *codec = a->deflate ? "deflate" : "null";
    int rc = fs_out_put(out, "Obj\x01", 4);
    if (rc == SL_OK)
        rc = put_long(out, 2);
    if (rc == SL_OK)
        rc = put_bytes(out, "avro.schema", 11);
    if (rc == SL_OK)
        rc = put_bytes(out, json, strlen(json));
    if (rc == SL_OK)
        rc = put_bytes(out, "avro.codec", 10);
    if (rc == SL_OK)
        rc = put_bytes(out, codec, strlen(codec));
    if (rc == SL_OK)
        rc = put_long(out, 0);
    if (rc == SL_OK)
        rc = fs_out_put(out, a->sync, sizeof(a->sync));
    free(json);
    if (rc != SL_OK) {
        snprintf(errstr, errstr_size, "write failed: %s", strerror(errno));
        fs_avro_free(a);
        return FS_ERR_IO;
    }
    *res = a;
    return SL_OK;
}

int fs_avro_write(fs_avro *a, const sl_value *value, char *errstr, size_t errstr_size)
{
    avro_value_reset(&a->value);
    if (fill(&a->value, a->schema, value, errstr, errstr_size) != SL_OK)
        return FS_ERR_RECORD;
    size_t size = 0;
    if (avro_value_sizeof(&a->value, &size) != 0) {
        snprintf(errstr, errstr_size, "Avro encoding failed: %s", avro_strerror());
        return FS_ERR_RECORD;
    }
    /* Encode into a scratch buffer first: a failed datum leaves the block untouched. */
    if (a->block_len + size > a->block_cap) {
        size_t cap = a->block_cap ? a->block_cap : AVRO_BLOCK_BYTES + 1024;
        while (cap < a->block_len + size)
            cap *= 2;
        char *b = realloc(a->block, cap);
        if (b == NULL) {
            snprintf(errstr, errstr_size, "out of memory");
            return FS_ERR_IO;
        }
        a->block = b;
        a->block_cap = cap;
    }
    if (a->mem == NULL)
        a->mem = avro_writer_memory(a->block + a->block_len, (int64_t)size);
    else
        avro_writer_memory_set_dest(a->mem, a->block + a->block_len, (int64_t)size);
    if (a->mem == NULL || avro_value_write(a->mem, &a->value) != 0) {
        snprintf(errstr, errstr_size, "Avro encoding failed: %s", avro_strerror());
        return FS_ERR_RECORD;
    }
    a->block_len += size;
    a->block_count++;
    if (a->block_len >= AVRO_BLOCK_BYTES)
        return fs_avro_flush(a, errstr, errstr_size);
    return SL_OK;
}

/* Raw deflate (RFC 1951) of the block, as the Avro spec's "deflate" codec. */
static int deflate_block(fs_avro *a, const char **data, size_t *len)
{
    z_stream z = {0};
    if (deflateInit2(&z, a->level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return SL_ERR;
    size_t bound = deflateBound(&z, (uLong)a->block_len);
    if (bound > a->zcap) {
        char *n = realloc(a->zbuf, bound);
        if (n == NULL) {
            deflateEnd(&z);
            return SL_ERR;
        }
        a->zbuf = n;
        a->zcap = bound;
    }
    z.next_in = (Bytef *)a->block;
    z.avail_in = (uInt)a->block_len;
    z.next_out = (Bytef *)a->zbuf;
    z.avail_out = (uInt)a->zcap;
    int rc = deflate(&z, Z_FINISH);
    *len = z.total_out;
    deflateEnd(&z);
    *data = a->zbuf;
    return rc == Z_STREAM_END ? SL_OK : SL_ERR;
}

int fs_avro_flush(fs_avro *a, char *errstr, size_t errstr_size)
{
    if (a->block_count == 0)
        return SL_OK;
    const char *data = a->block;
    size_t len = a->block_len;
    if (a->deflate && deflate_block(a, &data, &len) != SL_OK) {
        snprintf(errstr, errstr_size, "deflate failed");
        return FS_ERR_IO;
    }
    int rc = put_long(a->out, a->block_count);
    if (rc == SL_OK)
        rc = put_long(a->out, (int64_t)len);
    if (rc == SL_OK)
        rc = fs_out_put(a->out, data, len);
    if (rc == SL_OK)
        rc = fs_out_put(a->out, a->sync, sizeof(a->sync));
    if (rc != SL_OK) {
        snprintf(errstr, errstr_size, "write failed: %s", strerror(errno));
        return FS_ERR_IO;
    }
    a->block_len = 0;
    a->block_count = 0;
    return SL_OK;
}
