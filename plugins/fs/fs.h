/* plugins/fs/fs.h: what the fs sink's sources share: the parsed configuration, the task and
 * per-topic-partition writer state, and the connector definitions. Internal to the plugin. */
#ifndef SLUICE_PLUGINS_FS_FS_H
#define SLUICE_PLUGINS_FS_FS_H

#include <sluice/sdk.h>

#include "fs_compat.h"
#include "fs_format.h"
#include "fs_partition.h"
#include "fs_wal.h"

#define FS_PLUGIN_VERSION "1.0.0"
#define FS_CLASS "io.sluice.connect.fs.FsSinkConnector"
#define FS_HDFS_CLASS "io.confluent.connect.hdfs.HdfsSinkConnector"

/* WAL bytes after which a commit empties the log (its renames are durable by then). */
#define FS_WAL_TRIM_BYTES (64 * 1024)

/* ---- configuration (fs_config.c) ---- */

/* The connector's (and each task's) configuration definitions. */
extern const sl_config_def fs_config_defs[];

/* A parsed, checked configuration. Immutable after fs_conf_load. */
typedef struct fs_conf {
    char *root;       /* absolute store directory (store.url) */
    char *topics_dir; /* relative to root, clean */
    char *logs_dir;
    fs_format_kind format;
    fs_format_opts format_opts;
    int64_t flush_size;
    int64_t rotate_interval_ms;          /* <= 0: off */
    int64_t rotate_schedule_interval_ms; /* <= 0: off */
    int zero_pad;
    fs_compat compat;
    bool null_fail; /* behavior.on.null.values=fail */
    int64_t retry_backoff_ms;
    fs_partitioner *partitioner;
} fs_conf;

/* Parse and check a configuration (borrowed). SL_OK with *out owned by the caller
 * (fs_conf_free), or SL_ERR naming the key and the problem in errstr. When `v` is not NULL,
 * every problem is also reported against its key with sl_validation_error (and SL_ERR is
 * returned if there was any). */
int fs_conf_load(const sl_config *config, sl_validation *v, fs_conf **out, char *errstr,
                 size_t errstr_size);
void fs_conf_free(fs_conf *c);

/* The connector's cross-field validate(). */
void fs_config_validate(sl_validation *v);

/* ---- writers (fs_tp.c) ---- */

/* A file being written: records of one encoded partition since the last commit. */
typedef struct fs_file {
    char *encoded; /* encoded partition */
    char *dir_rel; /* committed directory, relative to the root */
    char *tmp_rel; /* temporary file, relative to the root */
    fs_writer *w;
    int64_t start, end; /* first and last offsets written */
    int64_t count;
} fs_file;

/* One assigned topic partition. */
typedef struct fs_tp {
    char *topic;
    int32_t partition;
    bool recovered;   /* the WAL was replayed and the offset found; writes allowed */
    bool paused;      /* we paused it (recovery pending or backing off) */
    int64_t retry_at; /* when !recovered: next recovery attempt (wall ms) */
    bool busy_logged; /* the "lease held" warning was logged */
    fs_wal wal;
    int64_t next_offset; /* lowest offset not yet handled (-1: unknown); lower ones are
                            duplicates of what is written or committed */
    int64_t first_seen;  /* lowest offset delivered since assignment (-1: none) */
    fs_file *files;
    size_t nfiles;
    int64_t count;          /* records in the open files */
    int64_t base_ts;        /* rotate.interval.ms: time of the first record of the open files */
    int64_t next_scheduled; /* rotate.schedule.interval.ms: next boundary (-1: none) */
    sl_schema *schema;      /* value schema of the open files (a reference; NULL: none) */
    bool has_schema;
    uint64_t committed_files, committed_records;
} fs_tp;

/* A running task. Used only by its task thread. */
typedef struct fs_task {
    fs_conf *conf;
    sl_task_ctx *ctx;
    fs_tp **tps;
    size_t ntps;
} fs_task;

/* Current wall-clock time in ms. */
int64_t fs_now_ms(void);

/* A new, unrecovered writer for topic/partition; NULL when out of memory. */
fs_tp *fs_tp_new(const char *topic, int32_t partition);
/* Discard open files (deleting their temporary files), release the lease, free. */
void fs_tp_free(fs_task *t, fs_tp *tp);

/* Recover the partition (see README "Exactly once"): take the lease, replay the WAL, delete
 * this partition's stale temporary files, find the highest committed offset and seek past it.
 * SL_OK; 1 when the lease is held by someone else (retry later); SL_ERR on I/O failure. */
int fs_tp_recover(fs_task *t, fs_tp *tp, char *errstr, size_t errstr_size);

/* Write one record (borrowed). Bad records are reported with sl_task_report (SL_ERR when the
 * task's tolerance refuses them: put() must fail with errstr). I/O failures put the partition
 * into recovery after retry.backoff.ms and return SL_OK. */
int fs_tp_write(fs_task *t, fs_tp *tp, sl_record *r, int64_t now, char *errstr, size_t errstr_size);

/* Time-driven work: recovery retries, rotate.schedule.interval.ms and Wallclock
 * rotate.interval.ms commits, even when no records arrive. */
void fs_tp_tick(fs_task *t, fs_tp *tp, int64_t now);

/* Commit every open file (WAL, renames, directory syncs). I/O failures put the partition into
 * recovery; returns SL_OK or SL_ERR (already handled, for callers that care). */
int fs_tp_commit(fs_task *t, fs_tp *tp);

/* The offset to commit to Kafka for `host_offset` (what put() accepted): the first offset of
 * the open files, or host_offset when none is open; -1 while recovering. */
int64_t fs_tp_commit_offset(const fs_tp *tp, int64_t host_offset);

/* ---- connector definitions (plugin.c, fs_task.c) ---- */

extern const sl_connector_def fs_sink_def;
extern const sl_connector_def fs_hdfs_sink_def;

int fs_task_start(const sl_config *config, sl_task_ctx *ctx, void **task, char *errstr,
                  size_t errstr_size);
void fs_task_stop(void *task);
int fs_task_open(void *task, const sl_tp_offset *parts, size_t n, char *errstr, size_t errstr_size);
int fs_task_close(void *task, const sl_tp_offset *parts, size_t n, char *errstr,
                  size_t errstr_size);
int fs_task_put(void *task, sl_record *const *records, size_t n, char *errstr, size_t errstr_size);
int fs_task_pre_commit(void *task, sl_tp_offset *offsets, size_t n, char *errstr,
                       size_t errstr_size);

#endif
