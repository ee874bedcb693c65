/* plugins/fs/fs_config.c: the fs sink's configuration: typed definitions with the HDFS 2 sink's
 * key names and defaults, per-key validators, and the cross-field parse into fs_conf. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fs.h"
#include "fs_names.h"

/* ---- per-key validators (run by the host with the raw value) ---- */

static int valid_store_url(const sl_config_def *def, const char *value, char *errstr,
                           size_t errstr_size)
{
    (void)def;
    if (value == NULL || value[0] == '\0')
        return SL_OK; /* required-ness is checked across store.url and hdfs.url */
    char *root = NULL;
    int rc = fs_store_root(value, &root, errstr, errstr_size);
    free(root);
    return rc;
}

static int valid_format(const sl_config_def *def, const char *value, char *errstr,
                        size_t errstr_size)
{
    (void)def;
    fs_format_kind k;
    if (fs_format_resolve(value, &k) == SL_OK)
        return SL_OK;
    snprintf(errstr, errstr_size,
             "unknown format; use io.confluent.connect.hdfs.json.JsonFormat, "
             "io.confluent.connect.hdfs.avro.AvroFormat, io.sluice.connect.fs.CsvFormat or "
             "json, avro, csv");
    return SL_ERR;
}

static int valid_partitioner(const sl_config_def *def, const char *value, char *errstr,
                             size_t errstr_size)
{
    (void)def;
    fs_part_kind k;
    int64_t d;
    const char *pf;
    if (fs_partitioner_resolve(value, &k, &d, &pf) == SL_OK)
        return SL_OK;
    snprintf(errstr, errstr_size,
             "unknown partitioner; use io.confluent.connect.storage.partitioner.(Default|Field|"
             "TimeBased|Daily|Hourly)Partitioner or default, field, time, daily, hourly");
    return SL_ERR;
}

static int valid_extractor(const sl_config_def *def, const char *value, char *errstr,
                           size_t errstr_size)
{
    (void)def;
    fs_ts_kind k;
    if (fs_extractor_resolve(value, &k) == SL_OK)
        return SL_OK;
    snprintf(errstr, errstr_size,
             "unknown timestamp extractor; use Record, RecordField or "
             "Wallclock");
    return SL_ERR;
}

static int valid_timezone(const sl_config_def *def, const char *value, char *errstr,
                          size_t errstr_size)
{
    (void)def;
    fs_tz *tz = NULL;
    int rc = fs_tz_open(value, &tz, errstr, errstr_size);
    fs_tz_free(tz);
    return rc;
}

static int valid_codec(const sl_config_def *def, const char *value, char *errstr,
                       size_t errstr_size)
{
    (void)def;
    if (value == NULL || strcasecmp(value, "null") == 0 || strcasecmp(value, "deflate") == 0)
        return SL_OK;
    snprintf(errstr, errstr_size, "supported codecs are null and deflate");
    return SL_ERR;
}

#define G_CONN "Connector"
#define G_STORE "Storage"
#define G_PART "Partitioner"

const sl_config_def fs_config_defs[] = {
    {.name = "store.url",
     .type = SL_CFG_STRING,
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "Where files are written: file:///path or a plain path on a local or mounted file "
            "system. hdfs:// URLs are refused.",
     .group = G_STORE,
     .width = SL_WIDTH_MEDIUM,
     .display_name = "Store URL",
     .validator = SL_VALIDATE_CUSTOM(valid_store_url)},
    {.name = "hdfs.url",
     .type = SL_CFG_STRING,
     .importance = SL_IMPORTANCE_LOW,
     .doc = "Deprecated synonym of store.url (used when store.url is not set).",
     .group = G_STORE,
     .width = SL_WIDTH_MEDIUM,
     .display_name = "HDFS URL",
     .validator = SL_VALIDATE_CUSTOM(valid_store_url)},
    {.name = "topics.dir",
     .type = SL_CFG_STRING,
     .default_value = "topics",
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "Directory under store.url where data files go: "
            "<topics.dir>/<topic>/<encoded partition>/.",
     .group = G_STORE,
     .width = SL_WIDTH_SHORT,
     .display_name = "Topics directory"},
    {.name = "logs.dir",
     .type = SL_CFG_STRING,
     .default_value = "logs",
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "Directory under store.url for the write-ahead logs: "
            "<logs.dir>/<topic>/<partition>/log.",
     .group = G_STORE,
     .width = SL_WIDTH_SHORT,
     .display_name = "Logs directory"},
    {.name = "format.class",
     .type = SL_CFG_STRING,
     .default_value = "io.confluent.connect.hdfs.avro.AvroFormat",
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "Output format: io.confluent.connect.hdfs.avro.AvroFormat (Avro object container "
            "files), io.confluent.connect.hdfs.json.JsonFormat (JSON lines), "
            "io.sluice.connect.fs.CsvFormat (CSV); or avro, json, csv.",
     .group = G_CONN,
     .width = SL_WIDTH_LONG,
     .display_name = "Format class",
     .validator = SL_VALIDATE_CUSTOM(valid_format),
     .recommended = (const char *const[]){"io.confluent.connect.hdfs.avro.AvroFormat",
                                          "io.confluent.connect.hdfs.json.JsonFormat",
                                          "io.sluice.connect.fs.CsvFormat", NULL}},
    {.name = "flush.size",
     .type = SL_CFG_INT,
     .required = true,
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "Number of records written to a topic partition's files before they are committed.",
     .group = G_CONN,
     .width = SL_WIDTH_SHORT,
     .display_name = "Flush size",
     .validator = SL_VALIDATE_MIN(1)},
    {.name = "rotate.interval.ms",
     .type = SL_CFG_LONG,
     .default_value = "-1",
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "Commit the open files when a record's time (timestamp.extractor) is this many ms "
            "or more after the time of their first record; that record starts the next file. "
            "-1 disables.",
     .group = G_CONN,
     .width = SL_WIDTH_MEDIUM,
     .display_name = "Rotate interval (ms)"},
    {.name = "rotate.schedule.interval.ms",
     .type = SL_CFG_LONG,
     .default_value = "-1",
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "Commit the open files by the wall clock, at boundaries of this interval counted "
            "from midnight in timezone, even when no more records arrive. -1 disables.",
     .group = G_CONN,
     .width = SL_WIDTH_MEDIUM,
     .display_name = "Rotate schedule interval (ms)"},
    {.name = "filename.offset.zero.pad.width",
     .type = SL_CFG_INT,
     .default_value = "10",
     .importance = SL_IMPORTANCE_LOW,
     .doc = "Width to which the offsets in committed file names are zero-padded.",
     .group = G_CONN,
     .width = SL_WIDTH_SHORT,
     .display_name = "Filename offset zero pad width",
     .validator = SL_VALIDATE_RANGE(0, 19)},
    {.name = "schema.compatibility",
     .type = SL_CFG_STRING,
     .default_value = "NONE",
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "How a value schema change is handled: NONE (any change starts a new file), "
            "BACKWARD or FULL (a newer version starts a new file; older records are projected "
            "onto it), FORWARD (an older version starts a new file; newer records are "
            "projected). All but NONE need schema versions.",
     .group = G_CONN,
     .width = SL_WIDTH_SHORT,
     .display_name = "Schema compatibility",
     .validator = SL_VALIDATE_IN_ICASE("NONE", "BACKWARD", "FORWARD", "FULL"),
     .recommended = (const char *const[]){"NONE", "BACKWARD", "FORWARD", "FULL", NULL}},
    {.name = "behavior.on.null.values",
     .type = SL_CFG_STRING,
     .default_value = "ignore",
     .importance = SL_IMPORTANCE_LOW,
     .doc = "Records with a null value (tombstones): ignore (skip them) or fail (report them as "
            "bad records).",
     .group = G_CONN,
     .width = SL_WIDTH_SHORT,
     .display_name = "Behavior for null values",
     .validator = SL_VALIDATE_IN_ICASE("ignore", "fail")},
    {.name = "avro.codec",
     .type = SL_CFG_STRING,
     .default_value = "null",
     .importance = SL_IMPORTANCE_LOW,
     .doc = "Compression of Avro data blocks: null or deflate.",
     .group = G_CONN,
     .width = SL_WIDTH_SHORT,
     .display_name = "Avro codec",
     .validator = SL_VALIDATE_CUSTOM(valid_codec)},
    {.name = "csv.header",
     .type = SL_CFG_BOOLEAN,
     .default_value = "true",
     .importance = SL_IMPORTANCE_LOW,
     .doc = "CSV: start each file with a line of column names.",
     .group = G_CONN,
     .width = SL_WIDTH_SHORT,
     .display_name = "CSV header"},
    {.name = "retry.backoff.ms",
     .type = SL_CFG_LONG,
     .default_value = "5000",
     .importance = SL_IMPORTANCE_LOW,
     .doc = "After a file-system error, how long a partition waits before recovering and "
            "writing again.",
     .group = G_CONN,
     .width = SL_WIDTH_SHORT,
     .display_name = "Retry backoff (ms)",
     .validator = SL_VALIDATE_MIN(0)},
    {.name = "partitioner.class",
     .type = SL_CFG_STRING,
     .default_value = "io.confluent.connect.storage.partitioner.DefaultPartitioner",
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "How records map to directories: DefaultPartitioner (partition=<n>), "
            "FieldPartitioner (<field>=<value>), TimeBasedPartitioner (path.format), "
            "DailyPartitioner, HourlyPartitioner (io.confluent.connect.storage.partitioner "
            "class names or default, field, time, daily, hourly).",
     .group = G_PART,
     .width = SL_WIDTH_LONG,
     .display_name = "Partitioner class",
     .validator = SL_VALIDATE_CUSTOM(valid_partitioner),
     .recommended =
         (const char *const[]){"io.confluent.connect.storage.partitioner.DefaultPartitioner",
                               "io.confluent.connect.storage.partitioner.FieldPartitioner",
                               "io.confluent.connect.storage.partitioner.TimeBasedPartitioner",
                               "io.confluent.connect.storage.partitioner.DailyPartitioner",
                               "io.confluent.connect.storage.partitioner.HourlyPartitioner", NULL}},
    {.name = "partition.field.name",
     .type = SL_CFG_LIST,
     .default_value = "",
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "FieldPartitioner: the value fields (dots reach nested fields) whose values name "
            "the directories, in order.",
     .group = G_PART,
     .width = SL_WIDTH_MEDIUM,
     .display_name = "Partition field names"},
    {.name = "path.format",
     .type = SL_CFG_STRING,
     .default_value = "",
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "TimeBasedPartitioner: Joda-Time pattern of the directories, e.g. "
            "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH.",
     .group = G_PART,
     .width = SL_WIDTH_LONG,
     .display_name = "Path format"},
    {.name = "partition.duration.ms",
     .type = SL_CFG_LONG,
     .default_value = "-1",
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "TimeBasedPartitioner: length of a time bucket in ms (local time in timezone is "
            "floored to it).",
     .group = G_PART,
     .width = SL_WIDTH_MEDIUM,
     .display_name = "Partition duration (ms)"},
    {.name = "locale",
     .type = SL_CFG_STRING,
     .default_value = "",
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "Locale of month and day names in path.format (e.g. en_US). Empty means English.",
     .group = G_PART,
     .width = SL_WIDTH_SHORT,
     .display_name = "Locale"},
    {.name = "timezone",
     .type = SL_CFG_STRING,
     .default_value = "",
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "Time zone of path.format and rotate.schedule.interval.ms: a tz database name "
            "(America/Los_Angeles), UTC, or an offset (+05:30). Empty means UTC.",
     .group = G_PART,
     .width = SL_WIDTH_SHORT,
     .display_name = "Timezone",
     .validator = SL_VALIDATE_CUSTOM(valid_timezone)},
    {.name = "timestamp.extractor",
     .type = SL_CFG_STRING,
     .default_value = "Record",
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "The time of a record for time-based partitioning and rotate.interval.ms: Record "
            "(Kafka timestamp), RecordField (timestamp.field) or Wallclock.",
     .group = G_PART,
     .width = SL_WIDTH_SHORT,
     .display_name = "Timestamp extractor",
     .validator = SL_VALIDATE_CUSTOM(valid_extractor),
     .recommended = (const char *const[]){"Record", "RecordField", "Wallclock", NULL}},
    {.name = "timestamp.field",
     .type = SL_CFG_STRING,
     .default_value = "timestamp",
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "RecordField extractor: the value field holding the time (epoch ms, Timestamp, or "
            "ISO-8601 text).",
     .group = G_PART,
     .width = SL_WIDTH_SHORT,
     .display_name = "Timestamp field"},
    {.name = "directory.delim",
     .type = SL_CFG_STRING,
     .default_value = "/",
     .importance = SL_IMPORTANCE_LOW,
     .doc = "Separator between the levels of FieldPartitioner directories.",
     .group = G_PART,
     .width = SL_WIDTH_SHORT,
     .display_name = "Directory delimiter"},
    SL_CONFIG_END,
};

/* ---- cross-field parse ---- */

typedef struct load_ctx {
    sl_validation *v;
    char *errstr;
    size_t errstr_size;
    bool failed;
} load_ctx;

static void bad(load_ctx *c, const char *key, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (c->v != NULL)
        sl_validation_error(c->v, key, msg);
    if (!c->failed)
        snprintf(c->errstr, c->errstr_size, "%s: %s", key, msg);
    c->failed = true;
}

void fs_conf_free(fs_conf *c)
{
    if (c == NULL)
        return;
    free(c->root);
    free(c->topics_dir);
    free(c->logs_dir);
    fs_partitioner_free(c->partitioner);
    free(c);
}

int fs_conf_load(const sl_config *config, sl_validation *v, fs_conf **out, char *errstr,
                 size_t errstr_size)
{
    *out = NULL;
    load_ctx lc = {.v = v, .errstr = errstr, .errstr_size = errstr_size};
    fs_conf *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    char err[512];

    const char *url = sl_config_string(config, "store.url");
    const char *url_key = "store.url";
    if (url == NULL || url[0] == '\0') {
        url = sl_config_string(config, "hdfs.url");
        url_key = "hdfs.url";
    }
    if (url == NULL || url[0] == '\0')
        bad(&lc, "store.url",
            "Missing required configuration \"store.url\" which has no "
            "default value.");
    else if (fs_store_root(url, &c->root, err, sizeof(err)) != SL_OK)
        bad(&lc, url_key, "%s", err);

    if (fs_clean_rel(sl_config_string(config, "topics.dir"), "topics.dir", &c->topics_dir, err,
                     sizeof(err)) != SL_OK)
        bad(&lc, "topics.dir", "%s", err);
    if (fs_clean_rel(sl_config_string(config, "logs.dir"), "logs.dir", &c->logs_dir, err,
                     sizeof(err)) != SL_OK)
        bad(&lc, "logs.dir", "%s", err);
    if (c->topics_dir && c->logs_dir && strcmp(c->topics_dir, c->logs_dir) == 0)
        bad(&lc, "logs.dir", "must differ from topics.dir");

    if (fs_format_resolve(sl_config_string(config, "format.class"), &c->format) != SL_OK)
        bad(&lc, "format.class", "unknown format '%s'", sl_config_string(config, "format.class"));
    const char *codec = sl_config_string(config, "avro.codec");
    c->format_opts.deflate = codec != NULL && strcasecmp(codec, "deflate") == 0;
    c->format_opts.deflate_level = 6;
    c->format_opts.csv_header = sl_config_bool(config, "csv.header");

    c->flush_size = sl_config_int(config, "flush.size");
    if (c->flush_size < 1)
        bad(&lc, "flush.size", "must be at least 1");
    c->rotate_interval_ms = sl_config_long(config, "rotate.interval.ms");
    c->rotate_schedule_interval_ms = sl_config_long(config, "rotate.schedule.interval.ms");
    c->zero_pad = sl_config_int(config, "filename.offset.zero.pad.width");
    c->retry_backoff_ms = sl_config_long(config, "retry.backoff.ms");
    if (fs_compat_parse(sl_config_string(config, "schema.compatibility"), &c->compat) != SL_OK)
        bad(&lc, "schema.compatibility", "must be NONE, BACKWARD, FORWARD or FULL");
    const char *nulls = sl_config_string(config, "behavior.on.null.values");
    c->null_fail = nulls != NULL && strcasecmp(nulls, "fail") == 0;

    fs_part_conf pc = {0};
    int64_t duration = sl_config_long(config, "partition.duration.ms");
    const char *path_format = sl_config_string(config, "path.format");
    const char *pclass = sl_config_string(config, "partitioner.class");
    const char *shorthand_format = NULL;
    int64_t shorthand_duration = 0;
    if (fs_partitioner_resolve(pclass, &pc.kind, &shorthand_duration, &shorthand_format) != SL_OK) {
        bad(&lc, "partitioner.class", "unknown partitioner '%s'", pclass ? pclass : "null");
    } else if (shorthand_format != NULL) {
        /* Daily/Hourly fix both, as Confluent's shorthands override what is configured. */
        duration = shorthand_duration;
        path_format = shorthand_format;
    }
    pc.path_format = path_format;
    pc.duration_ms = duration;
    pc.nfields = sl_config_list(config, "partition.field.name", &pc.fields);
    pc.locale = sl_config_string(config, "locale");
    pc.timezone = sl_config_string(config, "timezone");
    pc.ts_field = sl_config_string(config, "timestamp.field");
    pc.delim = sl_config_string(config, "directory.delim");
    if (fs_extractor_resolve(sl_config_string(config, "timestamp.extractor"), &pc.ts_kind) != SL_OK)
        bad(&lc, "timestamp.extractor", "unknown timestamp extractor");
    if (pc.ts_kind == FS_TS_RECORD_FIELD && (pc.ts_field == NULL || pc.ts_field[0] == '\0'))
        bad(&lc, "timestamp.field", "must be set for the RecordField timestamp extractor");
    if (!lc.failed) {
        bool fallback = false;
        if (fs_partitioner_new(&pc, &c->partitioner, &fallback, err, sizeof(err)) != SL_OK) {
            const char *key = strstr(err, "path.format") || strstr(err, "pattern") ? "path.format"
                              : strstr(err, "partition.duration.ms") ? "partition.duration.ms"
                              : strstr(err, "partition.field.name")  ? "partition.field.name"
                              : strstr(err, "time zone")             ? "timezone"
                                                                     : "partitioner.class";
            bad(&lc, key, "%s", err);
        } else if (fallback && v == NULL) {
            sl_log(SL_LOG_WARN,
                   "fs: locale '%s' is not installed on this system; English month and day "
                   "names are used in path.format",
                   pc.locale);
        }
    }
    if (lc.failed) {
        fs_conf_free(c);
        return SL_ERR;
    }
    *out = c;
    return SL_OK;
}

void fs_config_validate(sl_validation *v)
{
    fs_conf *c = NULL;
    char err[512];
    if (fs_conf_load(sl_validation_config(v), v, &c, err, sizeof(err)) == SL_OK)
        fs_conf_free(c);
}
