/* plugins/fs/fs_partition.h: partitioners (Confluent's Default, Field, TimeBased, Daily, Hourly)
 * that map a record to its directory below topics.dir/<topic>/, the timestamp extractors
 * (Record, RecordField, Wallclock) and the time arithmetic of time-based layouts. */
#ifndef SLUICE_PLUGINS_FS_PARTITION_H
#define SLUICE_PLUGINS_FS_PARTITION_H

#include <sluice/sdk.h>

#include "fs_timefmt.h"
#include "fs_tz.h"

typedef enum fs_part_kind {
    FS_PART_DEFAULT = 0, /* partition=<kafka partition> */
    FS_PART_FIELD,       /* <field>=<value>[/<field>=<value>...] */
    FS_PART_TIME,        /* path.format of the record's time bucket */
} fs_part_kind;

typedef enum fs_ts_kind {
    FS_TS_RECORD = 0,   /* the Kafka record's timestamp */
    FS_TS_RECORD_FIELD, /* a field of the value (timestamp.field) */
    FS_TS_WALLCLOCK,    /* the time of writing */
} fs_ts_kind;

/* Configuration of a partitioner; strings borrowed for fs_partitioner_new only. */
typedef struct fs_part_conf {
    fs_part_kind kind;
    const char *const *fields; /* FS_PART_FIELD: partition.field.name */
    size_t nfields;
    const char *path_format; /* FS_PART_TIME */
    int64_t duration_ms;     /* FS_PART_TIME: partition.duration.ms */
    const char *locale;
    const char *timezone;
    fs_ts_kind ts_kind;
    const char *ts_field; /* FS_TS_RECORD_FIELD: timestamp.field (dots for nesting) */
    const char *delim;    /* directory.delim */
} fs_part_conf;

/* An immutable, configured partitioner; safe to share between threads. */
typedef struct fs_partitioner fs_partitioner;

/* Resolve partitioner.class (Confluent's class names in io.confluent.connect.storage.partitioner
 * or io.confluent.connect.hdfs.partitioner, their simple names, or default/field/time/daily/
 * hourly, ignoring case). Daily and Hourly set *duration_ms and *path_format (static strings)
 * as Confluent's shorthands do; others leave them. SL_ERR for an unknown name. */
int fs_partitioner_resolve(const char *name, fs_part_kind *kind, int64_t *duration_ms,
                           const char **path_format);
/* Resolve timestamp.extractor (Record, RecordField, Wallclock, or Confluent's
 * TimeBasedPartitioner$RecordTimestampExtractor-style class names). */
int fs_extractor_resolve(const char *name, fs_ts_kind *kind);

/* Build a partitioner; SL_ERR with the reason (bad path.format, zone, duration, no fields).
 * Caller owns *out. *locale_fallback as fs_timefmt_compile. */
int fs_partitioner_new(const fs_part_conf *conf, fs_partitioner **out, bool *locale_fallback,
                       char *errstr, size_t errstr_size);
void fs_partitioner_free(fs_partitioner *p);

fs_part_kind fs_partitioner_kind(const fs_partitioner *p);
/* The zone (UTC unless configured); borrowed. */
const fs_tz *fs_partitioner_tz(const fs_partitioner *p);

/* The encoded partition (directory relative to the topic's directory) of `r` (borrowed); caller
 * frees *out. `now_ms` serves the Wallclock extractor. SL_ERR with the reason when the record
 * lacks what the partitioner needs (missing field, unsupported type, no timestamp). */
int fs_partitioner_encode(const fs_partitioner *p, const sl_record *r, int64_t now_ms, char **out,
                          char *errstr, size_t errstr_size);

/* The record's time by the configured extractor. SL_ERR when it has none. */
int fs_partitioner_timestamp(const fs_partitioner *p, const sl_record *r, int64_t now_ms,
                             int64_t *ts, char *errstr, size_t errstr_size);
/* True when the extractor is Wallclock (time passes without records). */
bool fs_partitioner_wallclock(const fs_partitioner *p);

/* Start (UTC ms) of the time bucket of `ts`: local time floored to `duration_ms`, as
 * TimeBasedPartitioner.getPartition. */
int64_t fs_time_bucket(int64_t ts, int64_t duration_ms, const fs_tz *tz);

/* The first boundary after `now_ms` of intervals of `interval_ms` counted from local midnight
 * in `tz` (rotate.schedule.interval.ms; as the HDFS connector's getNextTimeAdjustedByDay). */
int64_t fs_next_boundary(int64_t now_ms, int64_t interval_ms, const fs_tz *tz);

/* Parse an ISO-8601 date or date-time ("2024-03-01", "2024-03-01T12:30:00.250+02:00", no zone
 * meaning UTC) into ms since the epoch; SL_ERR if malformed. */
int fs_parse_iso_time(const char *s, int64_t *ms);

#endif
