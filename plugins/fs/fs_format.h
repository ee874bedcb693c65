/* plugins/fs/fs_format.h: output formats of the fs sink (JSON lines, CSV, Avro object container
 * files): the format names, and a writer per open file that encodes records into a buffered,
 * synced file descriptor. A writer is used by one task thread. */
#ifndef SLUICE_PLUGINS_FS_FORMAT_H
#define SLUICE_PLUGINS_FS_FORMAT_H

#include <sluice/sdk.h>

typedef enum fs_format_kind {
    FS_FMT_JSON = 0,
    FS_FMT_CSV,
    FS_FMT_AVRO,
} fs_format_kind;

typedef struct fs_format_opts {
    bool csv_header; /* CSV: first line names the columns */
    bool deflate;    /* Avro: avro.codec=deflate */
    int deflate_level;
} fs_format_opts;

/* A record the format cannot represent; nothing of it was written (the file is still good). */
#define FS_ERR_RECORD SL_ERR
/* The file is broken (I/O failure): discard it. */
#define FS_ERR_IO (-10)

/* Resolve format.class: Confluent's io.confluent.connect.hdfs.json.JsonFormat and
 * io.confluent.connect.hdfs.avro.AvroFormat (also the storage/s3 packages' names), our
 * io.sluice.connect.fs.CsvFormat, or the short names json, csv, avro (case-insensitive). */
int fs_format_resolve(const char *name, fs_format_kind *out);
/* The file extension with its dot: ".json", ".csv", ".avro". */
const char *fs_format_ext(fs_format_kind k);

/* Output buffer over a file descriptor. */
typedef struct fs_out {
    int fd;
    char *buf;
    size_t len, cap;
    uint64_t written; /* bytes handed to write() so far */
} fs_out;

/* Append bytes (written through when the buffer fills). FS_ERR_IO with errno on failure. */
int fs_out_put(fs_out *o, const void *data, size_t len);
/* write() what is buffered. */
int fs_out_drain(fs_out *o);

typedef struct fs_writer fs_writer;

/* Start a file on `fd` (the writer takes it and closes it) for values of `schema` (borrowed;
 * NULL = schemaless; Avro needs a schema and writes its container header now). SL_OK,
 * FS_ERR_RECORD when the schema cannot be represented (reason in errstr; the fd is closed), or
 * FS_ERR_IO. */
int fs_writer_open(fs_format_kind kind, const fs_format_opts *opts, int fd, const sl_schema *schema,
                   fs_writer **out, char *errstr, size_t errstr_size);

/* Append one value (borrowed; its schema is the writer's). SL_OK, FS_ERR_RECORD (nothing
 * written) or FS_ERR_IO. */
int fs_writer_write(fs_writer *w, const sl_value *value, char *errstr, size_t errstr_size);

/* Write everything buffered (the last Avro block), fsync and close the file. The writer is
 * freed either way. SL_OK or FS_ERR_IO. */
int fs_writer_finish(fs_writer *w, char *errstr, size_t errstr_size);

/* Drop a writer without finishing it (closes the fd). NULL is accepted. */
void fs_writer_discard(fs_writer *w);

/* Bytes written so far, buffered included (for bench and logs). */
uint64_t fs_writer_bytes(const fs_writer *w);

/* ---- Avro (fs_avro_schema.c, fs_avro.c) ---- */

/* The Avro schema, as JSON text, of a Connect schema, following Confluent's AvroData (records
 * for structs, connect.* properties, logical types, ["null", T] for optional). Caller frees.
 * NULL with the reason when it has no Avro form. */
char *fs_avro_schema_json(const sl_schema *schema, char *errstr, size_t errstr_size);

typedef struct fs_avro fs_avro;
int fs_avro_open(fs_out *out, const sl_schema *schema, const fs_format_opts *opts, fs_avro **res,
                 char *errstr, size_t errstr_size);
int fs_avro_write(fs_avro *a, const sl_value *value, char *errstr, size_t errstr_size);
/* Flush the pending block into `out` (not synced). */
int fs_avro_flush(fs_avro *a, char *errstr, size_t errstr_size);
void fs_avro_free(fs_avro *a);

#endif
