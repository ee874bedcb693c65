/* plugins/fs/fs_format.c: format names, the buffered output file, and the JSON-lines and CSV
 * writers (Avro lives in fs_avro.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fs_format.h"
#include "fs_io.h"

#define OUT_BUFFER (64 * 1024) /* per open file: time layouts may open many */

int fs_format_resolve(const char *name, fs_format_kind *out)
{
    static const struct {
        const char *name;
        fs_format_kind kind;
    } names[] = {
        {"io.confluent.connect.hdfs.json.JsonFormat", FS_FMT_JSON},
        {"io.confluent.connect.s3.format.json.JsonFormat", FS_FMT_JSON},
        {"io.confluent.connect.storage.format.json.JsonFormat", FS_FMT_JSON},
        {"io.sluice.connect.fs.JsonFormat", FS_FMT_JSON},
        {"JsonFormat", FS_FMT_JSON},
        {"json", FS_FMT_JSON},
        {"io.confluent.connect.hdfs.avro.AvroFormat", FS_FMT_AVRO},
        {"io.confluent.connect.s3.format.avro.AvroFormat", FS_FMT_AVRO},
        {"io.sluice.connect.fs.AvroFormat", FS_FMT_AVRO},
        {"AvroFormat", FS_FMT_AVRO},
        {"avro", FS_FMT_AVRO},
        {"io.sluice.connect.fs.CsvFormat", FS_FMT_CSV},
        {"CsvFormat", FS_FMT_CSV},
        {"csv", FS_FMT_CSV},
    };
    for (size_t i = 0; name != NULL && i < sizeof(names) / sizeof(names[0]); i++)
        if (strcasecmp(name, names[i].name) == 0) {
            *out = names[i].kind;
            return SL_OK;
        }
    return SL_ERR;
}

const char *fs_format_ext(fs_format_kind k)
{
    return k == FS_FMT_AVRO ? ".avro" : k == FS_FMT_CSV ? ".csv" : ".json";
}

/* ---- output buffer ---- */

int fs_out_drain(fs_out *o)
{
    if (o->len == 0)
        return SL_OK;
    if (fs_write_all(o->fd, o->buf, o->len) != SL_OK)
        return FS_ERR_IO;
    o->written += o->len;
    o->len = 0;
    return SL_OK;
}

int fs_out_put(fs_out *o, const void *data, size_t len)
{
    if (o->cap == 0) {
        o->buf = malloc(OUT_BUFFER);
        if (o->buf == NULL) {
            errno = ENOMEM;
            return FS_ERR_IO;
        }
        o->cap = OUT_BUFFER;
    }
    if (o->len + len > o->cap) {
        if (fs_out_drain(o) != SL_OK)
            return FS_ERR_IO;
        if (len > o->cap) {
            if (fs_write_all(o->fd, data, len) != SL_OK)
                return FS_ERR_IO;
            o->written += len;
            return SL_OK;
        }
    }
    memcpy(o->buf + o->len, data, len);
    o->len += len;
    return SL_OK;
}

/* ---- writers ---- */

typedef enum csv_mode {
    CSV_UNSET = 0,
    CSV_STRUCT, /* columns are the schema's fields */
    CSV_MAP,    /* columns are the first record's keys */
    CSV_SCALAR, /* one column "value" */
} csv_mode;

struct fs_writer {
    fs_format_kind kind;
    fs_format_opts opts;
    fs_out out;
    const sl_schema *schema; /* a reference (sl_schema_ref) */
    fs_avro *avro;
    /* CSV */
    csv_mode mode;
    char **cols;
    size_t ncols;
    char *line;
    size_t line_len, line_cap;
};

static void writer_free(fs_writer *w)
{
    if (w == NULL)
        return;
    fs_avro_free(w->avro);
    if (w->out.fd >= 0)
        close(w->out.fd);
    free(w->out.buf);
    sl_schema_unref((sl_schema *)w->schema);
    for (size_t i = 0; i < w->ncols; i++)
        free(w->cols[i]);
    free(w->cols);
    free(w->line);
    free(w);
}

int fs_writer_open(fs_format_kind kind, const fs_format_opts *opts, int fd, const sl_schema *schema,
                   fs_writer **out, char *errstr, size_t errstr_size)
{
    *out = NULL;
    fs_writer *w = calloc(1, sizeof(*w));
    if (w == NULL) {
        close(fd);
        snprintf(errstr, errstr_size, "out of memory");
        return FS_ERR_IO;
    }
    w->kind = kind;
    w->opts = *opts;
    w->out.fd = fd;
    w->schema = schema ? sl_schema_ref(schema) : NULL;
    if (kind == FS_FMT_AVRO) {
        int rc = fs_avro_open(&w->out, schema, opts, &w->avro, errstr, errstr_size);
        if (rc != SL_OK) {
            writer_free(w);
            return rc;
        }
    }
    *out = w;
    return SL_OK;
}

uint64_t fs_writer_bytes(const fs_writer *w)
{
    return w->out.written + w->out.len;
}

static int line_add(fs_writer *w, const char *s, size_t n)
{
    if (w->line_len + n + 1 > w->line_cap) {
        size_t cap = (w->line_len + n + 1) * 2;
        char *l = realloc(w->line, cap);
        if (l == NULL)
            return SL_ERR;
        w->line = l;
        w->line_cap = cap;
    }
    memcpy(w->line + w->line_len, s, n);
    w->line_len += n;
    return SL_OK;
}

/* One CSV cell, quoted as RFC 4180 when it holds a separator, quote or line break. */
static int csv_cell(fs_writer *w, const char *s, size_t n)
{
    bool quote = false;
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!quote)
        return line_add(w, s, n);
    if (line_add(w, "\"", 1) != SL_OK)
        return SL_ERR;
    for (size_t i = 0; i < n; i++)
        if ((s[i] == '"' && line_add(w, "\"", 1) != SL_OK) || line_add(w, &s[i], 1) != SL_OK)
            return SL_ERR;
    return line_add(w, "\"", 1);
}

/* A Decimal's text when its unscaled value fits 64 bits ("-12.34"); false otherwise. */
static bool decimal_text(const sl_value *v, const sl_schema *s, char *buf, size_t cap)
{
    size_t len;
    const unsigned char *b = sl_value_get_bytes(v, &len);
    const char *sc = sl_schema_parameter(s, "scale");
    if (b == NULL || len == 0 || len > 8 || sc == NULL)
        return false;
    int scale = atoi(sc);
    if (scale < 0 || scale > 18)
        return false;
    int64_t u = (b[0] & 0x80) ? -1 : 0;
    for (size_t i = 0; i < len; i++)
        u = (int64_t)((uint64_t)u << 8 | b[i]);
    bool neg = u < 0;
    uint64_t a = neg ? (uint64_t)0 - (uint64_t)u : (uint64_t)u;
    char digits[32];
    int n = snprintf(digits, sizeof(digits), "%0*llu", scale + 1, (unsigned long long)a);
    if (scale == 0)
        snprintf(buf, cap, "%s%s", neg ? "-" : "", digits);
    else
        snprintf(buf, cap, "%s%.*s.%s", neg ? "-" : "", n - scale, digits, digits + n - scale);
    return true;
}

static int csv_value(fs_writer *w, const sl_value *v, const sl_schema *s)
{
    if (v == NULL)
        return SL_OK;
    sl_type t = sl_value_type(v);
    if (t == SL_TYPE_STRING) {
        size_t n;
        const char *str = sl_value_get_string(v, &n);
        return csv_cell(w, str, n);
    }
    char dec[64];
    if (t == SL_TYPE_BYTES && sl_schema_logical(s) == SL_LOGICAL_DECIMAL &&
        decimal_text(v, s, dec, sizeof(dec)))
        return csv_cell(w, dec, strlen(dec));
    char *json = sl_value_to_json(v, s);
    if (json == NULL)
        return SL_ERR;
    size_t n = strlen(json);
    int rc;
    if (t == SL_TYPE_BYTES && n >= 2 && json[0] == '"')
        rc = csv_cell(w, json + 1, n - 2); /* base64 without the JSON quotes */
    else
        rc = csv_cell(w, json, n);
    free(json);
    return rc;
}

static int csv_setup(fs_writer *w, const sl_value *v)
{
    sl_type t = sl_value_type(v);
    if (t == SL_TYPE_STRUCT) {
        const sl_schema *s = sl_value_struct_schema(v);
        w->mode = CSV_STRUCT;
        w->ncols = 0;
        w->cols = calloc(sl_schema_field_count(s) + 1, sizeof(*w->cols));
        if (w->cols == NULL)
            return SL_ERR;
        for (size_t i = 0; i < sl_schema_field_count(s); i++)
            if ((w->cols[w->ncols++] = strdup(sl_schema_field_name(s, i))) == NULL)
                return SL_ERR;
    } else if (t == SL_TYPE_MAP) {
        w->mode = CSV_MAP;
        w->cols = calloc(sl_value_map_len(v) + 1, sizeof(*w->cols));
        if (w->cols == NULL)
            return SL_ERR;
        for (size_t i = 0; i < sl_value_map_len(v); i++) {
            const char *k = sl_value_get_string(sl_value_map_key_at(v, i), NULL);
            if (k == NULL)
                return SL_ERR;
            if ((w->cols[w->ncols++] = strdup(k)) == NULL)
                return SL_ERR;
        }
    } else {
        w->mode = CSV_SCALAR;
        w->cols = calloc(1, sizeof(*w->cols));
        if (w->cols == NULL || (w->cols[0] = strdup("value")) == NULL)
            return SL_ERR;
        w->ncols = 1;
    }
    if (!w->opts.csv_header)
        return SL_OK;
    w->line_len = 0;
    for (size_t i = 0; i < w->ncols; i++)
        if ((i > 0 && line_add(w, ",", 1) != SL_OK) ||
            csv_cell(w, w->cols[i], strlen(w->cols[i])) != SL_OK)
            return SL_ERR;
    if (line_add(w, "\n", 1) != SL_OK)
        return SL_ERR;
    return fs_out_put(&w->out, w->line, w->line_len) == SL_OK ? SL_OK : FS_ERR_IO;
}

static int csv_write(fs_writer *w, const sl_value *v, char *errstr, size_t errstr_size)
{
    sl_type t = sl_value_type(v);
    if (w->mode == CSV_UNSET) {
        if (t == SL_TYPE_MAP)
            for (size_t i = 0; i < sl_value_map_len(v); i++)
                if (sl_value_type(sl_value_map_key_at(v, i)) != SL_TYPE_STRING) {
                    snprintf(errstr, errstr_size, "CSV needs string map keys");
                    return FS_ERR_RECORD;
                }
        int rc = csv_setup(w, v);
        if (rc != SL_OK) {
            snprintf(errstr, errstr_size, "%s",
                     rc == FS_ERR_IO ? strerror(errno) : "out of memory");
            return FS_ERR_IO;
        }
    }
    w->line_len = 0;
    int rc = SL_OK;
    if (w->mode == CSV_STRUCT) {
        const sl_schema *s = sl_value_struct_schema(v);
        if (t != SL_TYPE_STRUCT || sl_schema_field_count(s) != w->ncols) {
            snprintf(errstr, errstr_size, "value does not have the file's CSV columns");
            return FS_ERR_RECORD;
        }
        for (size_t i = 0; i < w->ncols && rc == SL_OK; i++) {
            if (i > 0)
                rc = line_add(w, ",", 1);
            if (rc == SL_OK)
                rc = csv_value(w, sl_value_struct_get_index(v, i), sl_schema_field_schema(s, i));
        }
    } else if (w->mode == CSV_MAP) {
        if (t != SL_TYPE_MAP) {
            snprintf(errstr, errstr_size, "CSV file of map values got a %s",
                     t == SL_TYPE_STRUCT ? "struct" : "scalar");
            return FS_ERR_RECORD;
        }
        for (size_t k = 0; k < sl_value_map_len(v); k++) {
            const char *key = sl_value_get_string(sl_value_map_key_at(v, k), NULL);
            bool known = false;
            for (size_t i = 0; key != NULL && i < w->ncols && !known; i++)
                known = strcmp(w->cols[i], key) == 0;
            if (!known) {
                snprintf(errstr, errstr_size,
                         "key '%s' is not one of the CSV columns (the keys of the file's first "
                         "record)",
                         key ? key : "(non-string)");
                return FS_ERR_RECORD;
            }
        }
        for (size_t i = 0; i < w->ncols && rc == SL_OK; i++) {
            if (i > 0)
                rc = line_add(w, ",", 1);
            if (rc == SL_OK)
                rc = csv_value(w, sl_value_map_get_str(v, w->cols[i]), NULL);
        }
    } else {
        if (t == SL_TYPE_STRUCT || t == SL_TYPE_MAP) {
            snprintf(errstr, errstr_size, "CSV file of scalar values got a struct or map");
            return FS_ERR_RECORD;
        }
        rc = csv_value(w, v, w->schema);
    }
    if (rc == SL_OK)
        rc = line_add(w, "\n", 1);
    if (rc != SL_OK) {
        snprintf(errstr, errstr_size, "out of memory formatting a CSV line");
        return FS_ERR_RECORD;
    }
    if (fs_out_put(&w->out, w->line, w->line_len) != SL_OK) {
        snprintf(errstr, errstr_size, "%s", strerror(errno));
        return FS_ERR_IO;
    }
    return SL_OK;
}

int fs_writer_write(fs_writer *w, const sl_value *value, char *errstr, size_t errstr_size)
{
    switch (w->kind) {
    case FS_FMT_AVRO:
        return fs_avro_write(w->avro, value, errstr, errstr_size);
    case FS_FMT_CSV:
        return csv_write(w, value, errstr, errstr_size);
    case FS_FMT_JSON:
        break;
    }
    /* JsonFormat: each value as JsonConverter with schemas.enable=false writes it, one per
     * line. */
    char *json = sl_value_to_json(value, w->schema);
    if (json == NULL) {
        snprintf(errstr, errstr_size, "value cannot be written as JSON");
        return FS_ERR_RECORD;
    }
    size_t n = strlen(json);
    json[n] = '\n'; /* the terminating NUL becomes the newline */
    int rc = fs_out_put(&w->out, json, n + 1);
    free(json);
    if (rc != SL_OK) {
        snprintf(errstr, errstr_size, "%s", strerror(errno));
        return FS_ERR_IO;
    }
    return SL_OK;
}

int fs_writer_finish(fs_writer *w, char *errstr, size_t errstr_size)
{
    int rc = SL_OK;
    if (w->avro != NULL)
        rc = fs_avro_flush(w->avro, errstr, errstr_size);
    if (rc == SL_OK && fs_out_drain(&w->out) != SL_OK) {
        snprintf(errstr, errstr_size, "write failed: %s", strerror(errno));
        rc = FS_ERR_IO;
    }
    if (rc == SL_OK && fsync(w->out.fd) != 0) {
        snprintf(errstr, errstr_size, "fsync failed: %s", strerror(errno));
        rc = FS_ERR_IO;
    }
    if (rc == SL_OK) {
        int fd = w->out.fd;
        w->out.fd = -1;
        if (close(fd) != 0) {
            snprintf(errstr, errstr_size, "close failed: %s", strerror(errno));
            rc = FS_ERR_IO;
        }
    }
    writer_free(w);
    return rc == SL_OK ? SL_OK : FS_ERR_IO;
}

void fs_writer_discard(fs_writer *w)
{
    writer_free(w);
}
